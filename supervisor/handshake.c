/* Parser for the hashicorp/go-plugin handshake line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake.h"

#define FIELDS	6

/* Split line on '|' into at most FIELDS pieces in buf; count in *n. */
static int
split(const char *line, char *buf, size_t buflen, char **f, int *n)
{
	size_t len = strcspn(line, "\r\n");
	char *p;

	if (len == 0 || len >= buflen)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	*n = 0;
	for (p = buf; *n < FIELDS; (*n)++) {
		f[*n] = p;
		if ((p = strchr(p, '|')) == NULL) {
			(*n)++;
			break;
		}
		*p++ = '\0';
	}
	return p == NULL ? 0 : -1;	/* more than FIELDS pieces */
}

static int
parse_version(const char *s, int *v)
{
	char *end;
	long x;

	if (*s == '\0' || strlen(s) > 9)
		return -1;
	x = strtol(s, &end, 10);
	if (*end != '\0' || x < 0)
		return -1;
	*v = (int)x;
	return 0;
}

static int
check_address(struct handshake *h, const char *net, const char *addr)
{
	if (strcmp(net, "unix") == 0) {
		if (addr[0] != '/')
			return -1;
		h->is_unix = 1;
	} else if (strcmp(net, "tcp") == 0) {
		const char *colon = strrchr(addr, ':');
		if (colon == NULL || colon == addr || colon[1] == '\0' ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1))
			return -1;
		h->is_unix = 0;
	} else
		return -1;
	if (strlen(addr) >= sizeof(h->address) ||
	    strpbrk(addr, " \t") != NULL)
		return -1;
	strcpy(h->address, addr);
	snprintf(h->target, sizeof(h->target), "%s%s", h->is_unix ?
	    "unix:" : "", addr);
	return 0;
}

int
handshake_parse(const char *line, struct handshake *out, char *err,
    size_t errlen)
{
	char buf[HANDSHAKE_ADDR_MAX * 2 + 64], *f[FIELDS];
	int n;

	memset(out, 0, sizeof(*out));
	if (split(line, buf, sizeof(buf), f, &n) == -1 || n < 5) {
		snprintf(err, errlen, "not a go-plugin handshake line");
		return -1;
	}
	if (parse_version(f[0], &out->core_version) == -1 ||
	    out->core_version != 1) {
		snprintf(err, errlen, "unsupported core protocol version '%s'",
		    f[0]);
		return -1;
	}
	if (parse_version(f[1], &out->app_version) == -1) {
		snprintf(err, errlen, "bad app protocol version '%s'", f[1]);
		return -1;
	}
	if (check_address(out, f[2], f[3]) == -1) {
		snprintf(err, errlen, "bad network/address '%s' '%s'", f[2],
		    f[3]);
		return -1;
	}
	if (strcmp(f[4], "grpc") != 0) {
		snprintf(err, errlen, "protocol '%s' is not grpc", f[4]);
		return -1;
	}
	return 0;
}
