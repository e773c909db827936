/* Parser for the hashicorp/go-plugin handshake line. */
#ifndef VIGIL_HANDSHAKE_H
#define VIGIL_HANDSHAKE_H

#include <stddef.h>

#define HANDSHAKE_ADDR_MAX	256

struct handshake {
	int	core_version;		/* must be 1 */
	int	app_version;
	int	is_unix;		/* network "unix", else "tcp" */
	char	address[HANDSHAKE_ADDR_MAX];	/* path or host:port */
	char	target[HANDSHAKE_ADDR_MAX + 8];	/* gRPC target */
};

/*
 * Parse "CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT" (CERT may be empty, so the
 * line may end in '|'; a trailing newline is allowed). Accepts core version
 * 1, network unix or tcp, protocol grpc. Returns 0, or -1 with a reason.
 */
int	handshake_parse(const char *line, struct handshake *out, char *err,
	    size_t errlen);

#endif /* VIGIL_HANDSHAKE_H */
