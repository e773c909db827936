/* IPv4/IPv6 CIDR prefixes: parsing and matching client addresses. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

#define ADDR_TEXT_MAX	64

/* Parse an address of either family into 16 bytes; family or -1. */
static int
parse_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, out) == 1)
		return AF_INET6;
	return -1;
}

static int
parse_bits(const char *s, int max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > max)
		return -1;
	return (int)v;
}

static void
clear_host_bits(uint8_t addr[16], int bits)
{
	for (int i = 0; i < 16; i++) {
		int keep = bits - i * 8;

		if (keep >= 8)
			continue;
		addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int
cidr_parse(const char *s, struct cidr *out)
{
	char text[ADDR_TEXT_MAX];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int max;

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	if ((out->family = parse_addr(text, out->addr)) == -1)
		return -1;
	max = out->family == AF_INET ? 32 : 128;
	out->bits = slash != NULL ? parse_bits(slash + 1, max) : max;
	if (out->bits < 0)
		return -1;
	clear_host_bits(out->addr, out->bits);
	return 0;
}

bool
cidr_match(const struct cidr *c, const char *ip)
{
	uint8_t addr[16];

	if (parse_addr(ip, addr) != c->family)
		return false;
	clear_host_bits(addr, c->bits);
	return memcmp(addr, c->addr, sizeof(addr)) == 0;
}

bool
cidr_match_any(const struct cidr *list, int n, const char *ip)
{
	for (int i = 0; i < n; i++)
		if (cidr_match(&list[i], ip))
			return true;
	return false;
}
