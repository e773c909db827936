/* Encoding, validation and transport of control-socket messages. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctlmsg.h"

static void
copy_field(char *dst, size_t len, const char *src)
{
	memset(dst, 0, len);
	if (src != NULL)
		strncpy(dst, src, len - 1);
}

void
ctlmsg_init_request(struct vigil_ctl_request *req, uint32_t type,
    const char *plugin, const char *client, const char *principal)
{
	memset(req, 0, sizeof(*req));
	req->magic = VIGIL_CTL_MAGIC;
	req->version = VIGIL_CTL_VERSION;
	req->type = type;
	copy_field(req->plugin, sizeof(req->plugin), plugin);
	copy_field(req->client, sizeof(req->client), client);
	copy_field(req->principal, sizeof(req->principal), principal);
}

void
ctlmsg_init_response(struct vigil_ctl_response *resp, uint32_t status,
    uint32_t retry_after_s, const char *message)
{
	memset(resp, 0, sizeof(*resp));
	resp->magic = VIGIL_CTL_MAGIC;
	resp->version = VIGIL_CTL_VERSION;
	resp->status = status;
	resp->retry_after_s = retry_after_s;
	copy_field(resp->message, sizeof(resp->message), message);
}

static int
has_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* Printable ASCII only: these fields end up in the audit log. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int
ctlmsg_decode_request(const void *buf, size_t len,
    struct vigil_ctl_request *out, char *err, size_t errlen)
{
	if (len != sizeof(*out)) {
		snprintf(err, errlen, "bad request size %zu (want %zu)", len,
		    sizeof(*out));
		return -1;
	}
	memcpy(out, buf, sizeof(*out));
	if (out->magic != VIGIL_CTL_MAGIC || out->version != VIGIL_CTL_VERSION) {
		snprintf(err, errlen, "bad magic or version");
		return -1;
	}
	if (out->type < VIGIL_CTL_RESTART || out->type > VIGIL_CTL_PING) {
		snprintf(err, errlen, "unknown request type %u", out->type);
		return -1;
	}
	if (!has_nul(out->plugin, sizeof(out->plugin)) ||
	    !has_nul(out->client, sizeof(out->client)) ||
	    !has_nul(out->principal, sizeof(out->principal)) ||
	    !has_nul(out->action, sizeof(out->action))) {
		snprintf(err, errlen, "unterminated string field");
		return -1;
	}
	/* The plugin field too: a PING skips the name check below. */
	if (!printable(out->plugin) || !printable(out->client) ||
	    !printable(out->principal) || !printable(out->action)) {
		snprintf(err, errlen, "non-printable characters in request");
		return -1;
	}
	if (out->type != VIGIL_CTL_PING &&
	    !config_valid_plugin_name(out->plugin)) {
		snprintf(err, errlen, "invalid plugin name");
		return -1;
	}
	return 0;
}

int
ctlmsg_decode_response(const void *buf, size_t len,
    struct vigil_ctl_response *out, char *err, size_t errlen)
{
	if (len != sizeof(*out)) {
		snprintf(err, errlen, "bad response size %zu", len);
		return -1;
	}
	memcpy(out, buf, sizeof(*out));
	if (out->magic != VIGIL_CTL_MAGIC || out->version != VIGIL_CTL_VERSION) {
		snprintf(err, errlen, "bad magic or version");
		return -1;
	}
	if (out->status > VIGIL_CTL_ERROR) {
		snprintf(err, errlen, "unknown status %u", out->status);
		return -1;
	}
	out->message[sizeof(out->message) - 1] = '\0';
	return 0;
}

const char *
ctlmsg_type_name(uint32_t type)
{
	switch (type) {
	case VIGIL_CTL_RESTART:		return "restart";
	case VIGIL_CTL_SIMULATE:	return "simulate";
	case VIGIL_CTL_LOAD:		return "load";
	case VIGIL_CTL_PING:		return "ping";
	default:			return "invalid";
	}
}

const char *
ctlmsg_status_name(uint32_t status)
{
	static const char *const names[] = {
		"accepted", "unknown_plugin", "rate_limited", "in_progress",
		"bad_request", "refused", "error"
	};

	return status <= VIGIL_CTL_ERROR ? names[status] : "invalid";
}

static int
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)((now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000);
}

int
ctl_send(const char *path, const struct vigil_ctl_request *req,
    struct vigil_ctl_response *resp, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	struct timespec start;
	char buf[sizeof(*resp) + 1], err[128];
	ssize_t n;
	int fd, left, saved;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    send(fd, req, sizeof(*req), MSG_NOSIGNAL) != (ssize_t)sizeof(*req))
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		left = timeout_ms - elapsed_ms(&start);
		if (left <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		n = poll(&pfd, 1, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n == 0 ? ETIMEDOUT : errno;
			goto fail;
		}
		break;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		goto fail;
	if (ctlmsg_decode_response(buf, (size_t)n, resp, err,
	    sizeof(err)) == -1) {
		errno = EPROTO;
		goto fail;
	}
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
