/* IPv4/IPv6 CIDR prefixes: parsing and matching client addresses. */
#ifndef APISERVER_CIDR_H
#define APISERVER_CIDR_H

#include <stdbool.h>
#include <stdint.h>

struct cidr {
	int	family;		/* AF_INET or AF_INET6 */
	uint8_t	addr[16];	/* network order, host bits cleared */
	int	bits;		/* prefix length */
};

/* "10.0.0.0/8", "127.0.0.1" (= /32), "::1/128"; -1 if malformed. */
int	cidr_parse(const char *s, struct cidr *out);

/* Whether the textual address ip lies inside c (false if unparsable). */
bool	cidr_match(const struct cidr *c, const char *ip);

/* Whether ip matches any of the n prefixes. */
bool	cidr_match_any(const struct cidr *list, int n, const char *ip);

#endif /* APISERVER_CIDR_H */
