/* Parse and validate the listen address a plugin is given. */
#ifndef VIGIL_SDK_ADDR_H
#define VIGIL_SDK_ADDR_H

#include <stddef.h>

enum addr_kind {
	ADDR_TCP = 1,
	ADDR_UNIX = 2
};

struct addr {
	int	kind;		/* ADDR_* */
	char	host[256];	/* TCP: host part, without brackets */
	int	port;		/* TCP: 0..65535 (0: pick one) */
	char	path[108];	/* unix: absolute socket path */
};

/*
 * Parse "host:port", "[v6]:port" or "unix:/abs/path". 0 on success, -1 with
 * err filled: empty, no port, port out of range, relative or too long unix
 * path, control characters.
 */
int	addr_parse(const char *s, struct addr *out, char *err, size_t errlen);

#endif /* VIGIL_SDK_ADDR_H */
