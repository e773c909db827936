/* Test tool: a fake supervisor control socket with a canned answer. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlmsg.h"

/*
 * usage: fakectl SOCKET STATUS [RETRY_AFTER_S [MESSAGE]]
 *
 * Listens on SOCKET (SOCK_SEQPACKET, mode 0666) and answers every request
 * with STATUS: accepted, unknown_plugin, rate_limited, in_progress,
 * bad_request, refused or error; "hang" never answers, "garbage" sends a
 * short packet. Each request is printed on stdout as
 *   request type=restart plugin=NAME client=IP:PORT principal=P
 * (or "invalid REASON"). SIGTERM removes the socket and exits.
 */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
parse_status(const char *s)
{
	for (uint32_t i = 0; i <= VIGIL_CTL_ERROR; i++)
		if (strcmp(s, ctlmsg_status_name(i)) == 0)
			return (int)i;
	if (strcmp(s, "hang") == 0)
		return -2;
	if (strcmp(s, "garbage") == 0)
		return -3;
	return -1;
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 || listen(fd, 16) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
serve(int c, int status, uint32_t retry, const char *message)
{
	struct vigil_ctl_request req;
	struct vigil_ctl_response resp;
	char buf[512], err[128];
	ssize_t n = recv(c, buf, sizeof(buf), 0);

	if (n < 0 || ctlmsg_decode_request(buf, (size_t)n, &req, err,
	    sizeof(err)) == -1) {
		printf("invalid %s\n", n < 0 ? strerror(errno) : err);
		fflush(stdout);
		return;
	}
	printf("request type=%s plugin=%s client=%s principal=%s\n",
	    ctlmsg_type_name(req.type), req.plugin, req.client, req.principal);
	fflush(stdout);
	if (status == -2) {
		sleep(30);
		return;
	}
	if (status == -3) {
		(void)send(c, "x", 1, MSG_NOSIGNAL);
		return;
	}
	ctlmsg_init_response(&resp, (uint32_t)status, retry, message);
	(void)send(c, &resp, sizeof(resp), MSG_NOSIGNAL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fd, c, status;

	if (argc < 3 || (status = parse_status(argv[2])) == -1) {
		fprintf(stderr, "usage: fakectl SOCKET STATUS "
		    "[RETRY_AFTER_S [MESSAGE]]\n");
		return 2;
	}
	if ((fd = listen_on(argv[1])) == -1) {
		fprintf(stderr, "fakectl: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: accept returns */
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if ((c = accept(fd, NULL, NULL)) == -1)
			continue;
		serve(c, status, argc > 3 ? (uint32_t)atoi(argv[3]) : 0,
		    argc > 4 ? argv[4] : "");
		close(c);
	}
	unlink(argv[1]);
	return 0;
}
