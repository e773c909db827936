/* The control socket server: validated restart and demo requests. */
#ifndef VIGIL_CTL_SERVER_H
#define VIGIL_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vigil_ctl.h"

#define CTL_MAX_CLIENTS		64
#define CTL_CLIENT_TIMEOUT_MS	1000

struct ctl;

struct ctl_peer {
	uid_t	uid;
	gid_t	gid;
	pid_t	pid;
};

/* Handle one valid request; fill resp. */
typedef void (*ctl_request_fn)(void *arg, const struct vigil_ctl_request *req,
    const struct ctl_peer *peer, struct vigil_ctl_response *resp);

/*
 * Listen on path (replacing a stale socket), mode 0660. When group is not
 * (gid_t)-1 the socket's group is set to it. Peers must have uid 0, our
 * own uid, or allowed_uid (when not (uid_t)-1).
 */
struct ctl	*ctl_open(const char *path, gid_t group, uid_t allowed_uid,
		    char *err, size_t errlen);
void		 ctl_close(struct ctl *c);

/* Fill pfds with the listening socket and clients; returns how many. */
int		 ctl_pollfds(const struct ctl *c, struct pollfd *pfds, int max);
/* Act on the revents of the fds ctl_pollfds() gave. */
void		 ctl_handle(struct ctl *c, const struct pollfd *pfds, int n,
		    uint64_t now, ctl_request_fn fn, void *arg);
/* Drop clients that have not sent a request in time. */
void		 ctl_expire(struct ctl *c, uint64_t now);
uint64_t	 ctl_next_deadline(const struct ctl *c);

#endif /* VIGIL_CTL_SERVER_H */
