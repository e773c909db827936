/* Control-socket contract between the apiserver (client) and supervisor. */
#ifndef VIGIL_CTL_H
#define VIGIL_CTL_H

/*
 * The supervisor listens on a SOCK_SEQPACKET Unix socket ([supervisor]
 * control_socket, mode 0660). A client connects, sends exactly one
 * struct vigil_ctl_request as one packet, reads exactly one
 * struct vigil_ctl_response, and the supervisor closes the connection.
 *
 * Every packet has a fixed size; a packet of any other size, another magic
 * or version, an unknown type, or a string field without a NUL is rejected
 * with VIGIL_CTL_BAD_REQUEST. Strings are NUL-padded. Integers are in host
 * byte order (both ends are on one machine).
 */

#include <stdint.h>

#define VIGIL_CTL_MAGIC		0x4c544356u	/* "VCTL" in memory order */
#define VIGIL_CTL_VERSION	1u

#define VIGIL_CTL_NAME_LEN	64
#define VIGIL_CTL_CLIENT_LEN	64	/* "ip:port" of the HTTP client */
#define VIGIL_CTL_PRINCIPAL_LEN	64	/* authenticated identity or "" */
#define VIGIL_CTL_ACTION_LEN	32
#define VIGIL_CTL_MESSAGE_LEN	128

enum vigil_ctl_type {
	VIGIL_CTL_RESTART = 1,		/* restart plugin, from any state */
	VIGIL_CTL_SIMULATE = 2,		/* demo only: action = fault name */
	VIGIL_CTL_LOAD = 3,		/* demo only: arg = request count */
	VIGIL_CTL_PING = 4		/* liveness of the socket itself */
};

enum vigil_ctl_status {
	VIGIL_CTL_ACCEPTED = 0,
	VIGIL_CTL_UNKNOWN_PLUGIN = 1,
	VIGIL_CTL_RATE_LIMITED = 2,	/* retry_after_s says when */
	VIGIL_CTL_IN_PROGRESS = 3,	/* a restart is already in flight */
	VIGIL_CTL_BAD_REQUEST = 4,
	VIGIL_CTL_REFUSED = 5,		/* e.g. simulation without demo mode */
	VIGIL_CTL_ERROR = 6
};

struct vigil_ctl_request {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	type;			/* enum vigil_ctl_type */
	uint32_t	arg;			/* type-specific number */
	char		plugin[VIGIL_CTL_NAME_LEN];
	char		client[VIGIL_CTL_CLIENT_LEN];
	char		principal[VIGIL_CTL_PRINCIPAL_LEN];
	char		action[VIGIL_CTL_ACTION_LEN];
};

struct vigil_ctl_response {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	status;			/* enum vigil_ctl_status */
	uint32_t	retry_after_s;		/* with VIGIL_CTL_RATE_LIMITED */
	char		message[VIGIL_CTL_MESSAGE_LEN];
};

_Static_assert(sizeof(struct vigil_ctl_request) == 240,
    "vigil_ctl_request size is part of the contract");
_Static_assert(sizeof(struct vigil_ctl_response) == 144,
    "vigil_ctl_response size is part of the contract");

#endif /* VIGIL_CTL_H */
