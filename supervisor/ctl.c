/* The control socket server: validated restart and demo requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"
#include "log.h"
#include "timeutil.h"

#define REJECT_LOGS_PER_SEC	10

struct client {
	int		fd;
	uint64_t	deadline_ms;
	struct ctl_peer	peer;
};

struct ctl {
	char		path[108];
	int		fd;
	uid_t		allowed_uid;
	struct client	clients[CTL_MAX_CLIENTS];
	int		nclients;
	uint64_t	log_window_ms;
	unsigned	log_count;
	uint64_t	suppressed;
};

struct ctl *
ctl_open(const char *path, gid_t group, uid_t allowed_uid, char *err,
    size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl *c;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	strcpy(c->path, path);
	strcpy(sun.sun_path, path);
	c->allowed_uid = allowed_uid;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd == -1)
		goto fail;
	if (unlink(path) == -1 && errno != ENOENT)
		goto fail;
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 ||
	    (group != (gid_t)-1 && chown(path, 0, group) == -1) ||
	    listen(c->fd, 64) == -1)
		goto fail;
	return c;
fail:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (c->fd != -1)
		close(c->fd);
	free(c);
	return NULL;
}

static void
drop(struct ctl *c, int i)
{
	close(c->clients[i].fd);
	c->clients[i] = c->clients[--c->nclients];
}

void
ctl_close(struct ctl *c)
{
	if (c == NULL)
		return;
	while (c->nclients > 0)
		drop(c, 0);
	close(c->fd);
	unlink(c->path);
	free(c);
}

/* Rejections are logged, but a flood must not flood the log. */
static void
log_reject(struct ctl *c, const struct ctl_peer *peer, const char *why)
{
	uint64_t now = time_mono_ms();

	if (now - c->log_window_ms >= 1000) {
		if (c->suppressed > 0)
			log_warn("control requests rejected without logging",
			    "count=%llu", (unsigned long long)c->suppressed);
		c->log_window_ms = now;
		c->log_count = 0;
		c->suppressed = 0;
	}
	if (c->log_count++ >= REJECT_LOGS_PER_SEC) {
		c->suppressed++;
		return;
	}
	log_warn("control request rejected", "peer_uid=%u peer_pid=%d "
	    "error=%s", (unsigned)peer->uid, (int)peer->pid, why);
}

static int
peer_allowed(const struct ctl *c, const struct ctl_peer *peer)
{
	return peer->uid == 0 || peer->uid == geteuid() ||
	    (c->allowed_uid != (uid_t)-1 && peer->uid == c->allowed_uid);
}

static void
accept_all(struct ctl *c, uint64_t now)
{
	struct ucred cred;
	socklen_t len;
	int fd;

	while ((fd = accept4(c->fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		len = sizeof(cred);
		if (c->nclients == CTL_MAX_CLIENTS ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
			close(fd);
			continue;
		}
		c->clients[c->nclients++] = (struct client){ .fd = fd,
		    .deadline_ms = now + CTL_CLIENT_TIMEOUT_MS,
		    .peer = { cred.uid, cred.gid, cred.pid } };
	}
}

static void
reply(int fd, uint32_t status, const char *msg)
{
	struct vigil_ctl_response resp;

	ctlmsg_init_response(&resp, status, 0, msg);
	(void)send(fd, &resp, sizeof(resp), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Read and answer one client's request; the connection then closes. */
static void
serve(struct ctl *c, struct client *cl, ctl_request_fn fn, void *arg)
{
	struct vigil_ctl_request req;
	struct vigil_ctl_response resp;
	char buf[sizeof(req) + 1], err[128];
	ssize_t n;

	n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0)
		return;
	if (!peer_allowed(c, &cl->peer)) {
		log_reject(c, &cl->peer, "peer uid not allowed");
		reply(cl->fd, VIGIL_CTL_REFUSED, "not allowed");
		return;
	}
	if (ctlmsg_decode_request(buf, (size_t)n, &req, err,
	    sizeof(err)) == -1) {
		log_reject(c, &cl->peer, err);
		reply(cl->fd, VIGIL_CTL_BAD_REQUEST, err);
		return;
	}
	ctlmsg_init_response(&resp, VIGIL_CTL_ERROR, 0, "not handled");
	fn(arg, &req, &cl->peer, &resp);
	(void)send(cl->fd, &resp, sizeof(resp), MSG_NOSIGNAL | MSG_DONTWAIT);
}

int
ctl_pollfds(const struct ctl *c, struct pollfd *pfds, int max)
{
	int n = 0;

	if (max < 1)
		return 0;
	pfds[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	for (int i = 0; i < c->nclients && n < max; i++)
		pfds[n++] = (struct pollfd){ .fd = c->clients[i].fd,
		    .events = POLLIN };
	return n;
}

void
ctl_handle(struct ctl *c, const struct pollfd *pfds, int n, uint64_t now,
    ctl_request_fn fn, void *arg)
{
	/* Serve clients first (by fd), then accept new ones. */
	for (int k = 1; k < n; k++) {
		if (pfds[k].revents == 0)
			continue;
		for (int i = 0; i < c->nclients; i++) {
			if (c->clients[i].fd != pfds[k].fd)
				continue;
			if (pfds[k].revents & POLLIN)
				serve(c, &c->clients[i], fn, arg);
			drop(c, i);
			break;
		}
	}
	if (n > 0 && (pfds[0].revents & POLLIN))
		accept_all(c, now);
}

void
ctl_expire(struct ctl *c, uint64_t now)
{
	for (int i = 0; i < c->nclients; ) {
		if (now >= c->clients[i].deadline_ms)
			drop(c, i);
		else
			i++;
	}
}

uint64_t
ctl_next_deadline(const struct ctl *c)
{
	uint64_t t = UINT64_MAX;

	for (int i = 0; i < c->nclients; i++)
		if (c->clients[i].deadline_ms < t)
			t = c->clients[i].deadline_ms;
	return t;
}
