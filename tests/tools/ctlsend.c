/* Test tool: send one control-socket request, print the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlmsg.h"

/*
 * ctlsend SOCKET restart|simulate|load|ping PLUGIN [ACTION] [ARG]
 *   prints "STATUS retry_after=N message=..." and exits 0 if a valid
 *   response came back (whatever its status), 3 if unreachable.
 * ctlsend SOCKET raw HEX|garbage|short|long|flood N
 *   sends malformed packets (for the abuse tests); prints each answer.
 */

static uint32_t
type_of(const char *s)
{
	if (strcmp(s, "restart") == 0) return VIGIL_CTL_RESTART;
	if (strcmp(s, "simulate") == 0) return VIGIL_CTL_SIMULATE;
	if (strcmp(s, "load") == 0) return VIGIL_CTL_LOAD;
	if (strcmp(s, "ping") == 0) return VIGIL_CTL_PING;
	return 0;
}

static int
send_raw(const char *path, const void *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct vigil_ctl_response resp;
	char rbuf[512], err[128];
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		printf("unreachable %s\n", strerror(errno));
		return 3;
	}
	(void)send(fd, buf, len, MSG_NOSIGNAL);
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	close(fd);
	if (n > 0 && ctlmsg_decode_response(rbuf, (size_t)n, &resp, err,
	    sizeof(err)) == 0)
		printf("%s message=%s\n", ctlmsg_status_name(resp.status),
		    resp.message);
	else
		printf("no-answer\n");
	return 0;
}

static int
malformed(const char *path, const char *kind, int count)
{
	struct vigil_ctl_request req;
	char big[4096];
	int rc = 0;

	for (int i = 0; i < count && rc == 0; i++) {
		ctlmsg_init_request(&req, VIGIL_CTL_RESTART, "x", "t", "t");
		if (strcmp(kind, "garbage") == 0) {
			memset(&req, 0xA5 + i, sizeof(req));
			rc = send_raw(path, &req, sizeof(req));
		} else if (strcmp(kind, "short") == 0) {
			rc = send_raw(path, &req, sizeof(req) - 1);
		} else if (strcmp(kind, "long") == 0) {
			memset(big, 'x', sizeof(big));
			rc = send_raw(path, big, sizeof(big));
		} else if (strcmp(kind, "nonul") == 0) {
			memset(req.plugin, 'a', sizeof(req.plugin));
			rc = send_raw(path, &req, sizeof(req));
		} else if (strcmp(kind, "badtype") == 0) {
			req.type = 99;
			rc = send_raw(path, &req, sizeof(req));
		} else if (strcmp(kind, "badversion") == 0) {
			req.version = 2;
			rc = send_raw(path, &req, sizeof(req));
		} else
			return 2;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct vigil_ctl_request req;
	struct vigil_ctl_response resp;
	uint32_t type;

	if (argc >= 4 && strcmp(argv[2], "raw") == 0)
		return malformed(argv[1], argv[3],
		    argc > 4 ? atoi(argv[4]) : 1);
	if (argc < 4 || (type = type_of(argv[2])) == 0) {
		fprintf(stderr, "usage: ctlsend SOCKET restart|simulate|load|"
		    "ping PLUGIN [ACTION] [ARG]\n");
		return 2;
	}
	ctlmsg_init_request(&req, type, argv[3], "test-client", "tester");
	if (argc > 4)
		snprintf(req.action, sizeof(req.action), "%s", argv[4]);
	if (argc > 5)
		req.arg = (uint32_t)strtoul(argv[5], NULL, 10);
	if (ctl_send(argv[1], &req, &resp, 5000) == -1) {
		printf("unreachable %s\n", strerror(errno));
		return 3;
	}
	printf("%s retry_after=%u message=%s\n",
	    ctlmsg_status_name(resp.status), resp.retry_after_s, resp.message);
	return 0;
}
