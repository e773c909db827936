/* Fault-matrix tool: flood the control socket at a fixed request rate. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlmsg.h"

/*
 * ctlflood SOCKET RATE SECONDS IDLE
 *   sends RATE requests a second for SECONDS, cycling through valid
 *   pings, restarts of an unknown plugin and malformed packets (garbage,
 *   short, long, no NUL, bad type, bad version, empty), each on its own
 *   connection, without waiting for answers (up to 256 in flight); IDLE
 *   more connections are opened and never sent anything (they occupy the
 *   supervisor's 64 client slots until it drops them after 1 s, so for
 *   ceil(IDLE / 64) s the supervisor refuses new clients; valid requests
 *   sent in that time plus 0.5 s may go unanswered (early_lost), later
 *   ones may not). Prints "sent=N answered=N bad_request=N
 *   unknown=N pong=N refused_conn=N lost=N early_lost=N wrong=N
 *   ping_p99_ms=X ping_max_ms=X"; exit 0 when every malformed packet was
 *   answered bad_request or dropped, and every valid request was answered
 *   (ping: accepted; restart of an unknown plugin: unknown_plugin).
 */

#define MAXFLIGHT	256
#define KINDS		9

struct flight {
	int	fd;
	int	kind;
	double	sent_ms;
};

static struct flight	fl[MAXFLIGHT];
static int		nfl;
static double		ping_ms[1000000];
static long		nping, sent, answered, bad, unknown, pong, refused,
			wrong, lost, early_lost;
static double		t0;
static double		early_ms;	/* idle connections hold the slots */

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A valid request (kind 0 or 1) went unanswered. */
static void
count_loss(int kind, double sent_ms, const char *why)
{
	if (sent_ms - t0 < early_ms) {
		early_lost++;
		return;
	}
	lost++;
	fprintf(stderr, "ctlflood: %s sent at %.0f ms not answered (%s)\n",
	    kind ? "restart" : "ping", sent_ms - t0, why);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The packet of kind k; returns its length. */
static size_t
packet(int k, char *buf)
{
	struct vigil_ctl_request	req;

	ctlmsg_init_request(&req, VIGIL_CTL_RESTART, "no-such-plugin",
	    "flood", "flood");
	switch (k) {
	case 0:
		ctlmsg_init_request(&req, VIGIL_CTL_PING, "", "flood", "");
		break;
	case 1:
		break;
	case 2:
		memset(&req, 0xA5, sizeof(req));
		break;
	case 3:
		memcpy(buf, &req, sizeof(req));
		return sizeof(req) - 1;
	case 4:
		memset(buf, 'x', 1000);
		return 1000;
	case 5:
		memset(req.plugin, 'a', sizeof(req.plugin));
		break;
	case 6:
		req.type = 99;
		break;
	case 7:
		req.version = 2;
		break;
	case 8:
		return 0;
	}
	memcpy(buf, &req, sizeof(req));
	return sizeof(req);
}

static void
send_one(const char *path, int k)
{
	char	buf[1024];
	size_t	len = packet(k, buf);
	int	fd;

	if ((fd = connect_to(path)) == -1) {
		refused++;	/* listen backlog full */
		return;
	}
	sent++;
	if (send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 &&
	    len > 0) {
		/* Accepted and closed at once: every client slot is busy. */
		if (k <= 1)
			count_loss(k, now_ms(), strerror(errno));
		close(fd);
		return;
	}
	fl[nfl++] = (struct flight){ fd, k, now_ms() };
}

static void
finish(int i)
{
	struct vigil_ctl_response	resp;
	char				buf[512], err[128];
	ssize_t				n;

	n = recv(fl[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0 && ctlmsg_decode_response(buf, (size_t)n, &resp, err,
	    sizeof(err)) == 0) {
		answered++;
		if (resp.status == VIGIL_CTL_BAD_REQUEST)
			bad++;
		else if (resp.status == VIGIL_CTL_UNKNOWN_PLUGIN)
			unknown++;
		else if (resp.status == VIGIL_CTL_ACCEPTED && fl[i].kind == 0) {
			pong++;
			if (nping < 1000000)
				ping_ms[nping++] = now_ms() - fl[i].sent_ms;
		}
		/* Anything else for a malformed packet is a failure. */
		if ((fl[i].kind >= 2 && resp.status != VIGIL_CTL_BAD_REQUEST) ||
		    (fl[i].kind == 0 && resp.status != VIGIL_CTL_ACCEPTED) ||
		    (fl[i].kind == 1 &&
		    resp.status != VIGIL_CTL_UNKNOWN_PLUGIN))
			wrong++;
	} else if (fl[i].kind == 0 || fl[i].kind == 1) {
		/* Valid requests must be answered, once the idle
		 * connections no longer hold every client slot. */
		count_loss(fl[i].kind, fl[i].sent_ms, n == 0 ? "closed" :
		    n < 0 ? strerror(errno) : "bad answer");
	}
	close(fl[i].fd);
	fl[i] = fl[--nfl];
}

/* Collect answers (or closes) that are ready; wait at most ms. */
static void
collect(int ms)
{
	struct pollfd	pfd[MAXFLIGHT];

	for (int i = 0; i < nfl; i++)
		pfd[i] = (struct pollfd){ .fd = fl[i].fd, .events = POLLIN };
	if (poll(pfd, (nfds_t)nfl, ms) <= 0)
		return;
	for (int i = nfl - 1; i >= 0; i--)
		if (pfd[i].revents)
			finish(i);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	double	start, next, step, p99 = 0, max = 0;
	int	rate, secs, idle, k = 0, *idlefd;

	if (argc != 5) {
		fprintf(stderr, "usage: ctlflood SOCKET RATE SECONDS IDLE\n");
		return 2;
	}
	rate = atoi(argv[2]);
	secs = atoi(argv[3]);
	idle = atoi(argv[4]);
	if (rate <= 0 || secs <= 0 || idle < 0 ||
	    (idlefd = calloc((size_t)idle + 1, sizeof(int))) == NULL)
		return 2;
	t0 = now_ms();
	early_ms = idle > 0 ? ((idle + 63) / 64) * 1000.0 + 500 : 0;
	for (int i = 0; i < idle; i++)
		idlefd[i] = connect_to(argv[1]);
	step = 1000.0 / rate;
	start = next = now_ms();
	while (now_ms() - start < secs * 1000.0) {
		while (now_ms() >= next && nfl < MAXFLIGHT) {
			send_one(argv[1], k++ % KINDS);
			next += step;
		}
		if (nfl == MAXFLIGHT) {
			/* The supervisor is not keeping up: wait for it. */
			collect(100);
			if (nfl == MAXFLIGHT)
				finish(0);
		}
		collect(next > now_ms() ? (int)(next - now_ms()) + 1 : 0);
	}
	while (nfl > 0) {
		double	t = now_ms();

		collect(2000);
		if (now_ms() - t >= 2000)
			while (nfl > 0)
				finish(0);
	}
	for (int i = 0; i < idle; i++)
		if (idlefd[i] != -1)
			close(idlefd[i]);
	if (nping > 0) {
		qsort(ping_ms, (size_t)nping, sizeof(double), cmp);
		p99 = ping_ms[(size_t)(nping * 99 / 100)];
		max = ping_ms[nping - 1];
	}
	printf("sent=%ld answered=%ld bad_request=%ld unknown=%ld pong=%ld "
	    "refused_conn=%ld lost=%ld early_lost=%ld wrong=%ld "
	    "ping_p99_ms=%.1f ping_max_ms=%.1f\n", sent, answered, bad,
	    unknown, pong, refused, lost, early_lost, wrong, p99, max);
	return wrong == 0 && lost == 0 ? 0 : 1;
}
