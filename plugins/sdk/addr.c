/* Parse and validate the listen address a plugin is given. */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "addr.h"

static int
has_control_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
parse_port(const char *s, int *port)
{
	int	v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return -1;
	*port = v;
	return 0;
}

static int
parse_unix(const char *path, struct addr *out, char *err, size_t errlen)
{
	if (path[0] != '/') {
		snprintf(err, errlen, "unix socket path must be absolute");
		return -1;
	}
	/* sun_path holds the path and its NUL. */
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path) ||
	    strlen(path) >= sizeof(out->path)) {
		snprintf(err, errlen, "unix socket path too long");
		return -1;
	}
	out->kind = ADDR_UNIX;
	memcpy(out->path, path, strlen(path) + 1);
	return 0;
}

static int
parse_tcp(const char *s, struct addr *out, char *err, size_t errlen)
{
	const char	*colon, *host = s;
	size_t		 hostlen;

	colon = strrchr(s, ':');
	if (colon == NULL) {
		snprintf(err, errlen, "address has no port");
		return -1;
	}
	hostlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hostlen < 3 || s[hostlen - 1] != ']') {
			snprintf(err, errlen, "bad bracketed IPv6 address");
			return -1;
		}
		host = s + 1;
		hostlen -= 2;
	}
	if (hostlen == 0 || hostlen >= sizeof(out->host)) {
		snprintf(err, errlen, "bad host length");
		return -1;
	}
	if (parse_port(colon + 1, &out->port) == -1) {
		snprintf(err, errlen, "bad port '%s'", colon + 1);
		return -1;
	}
	out->kind = ADDR_TCP;
	memcpy(out->host, host, hostlen);
	out->host[hostlen] = '\0';
	return 0;
}

int
addr_parse(const char *s, struct addr *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty address");
		return -1;
	}
	if (has_control_chars(s)) {
		snprintf(err, errlen, "control character in address");
		return -1;
	}
	if (strncmp(s, "unix:", 5) == 0)
		return parse_unix(s + 5, out, err, errlen);
	return parse_tcp(s, out, err, errlen);
}
