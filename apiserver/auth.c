/* Management access control: bearer token, client allowlist, rate limits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "cidr.h"
#include "ratelimit.h"

#define ALLOW_MAX	64
#define RATE_BURST_MAX	10

struct auth {
	char			 token[AUTH_TOKEN_MAX + 1];
	size_t			 token_len;	/* 0 = no token required */
	struct cidr		 allow[ALLOW_MAX];
	int			 nallow;
	struct ratelimit	*rate;		/* management requests */
	struct ratelimit	*fails;		/* wrong tokens */
};

/* Refuse files that others could read or replace. */
static int
check_token_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: mode %04o is group/world accessible "
		    "(use chmod 0600)", path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Trailing whitespace (the usual final newline) is not part of a token. */
static size_t
trim_token(char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	s[n] = '\0';
	return n;
}

static int
token_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

int
auth_load_token(const char *path, char *out, size_t outlen, char *err,
    size_t errlen)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_token_file(fd, path, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = (ssize_t)trim_token(out, (size_t)n);
	if (n < AUTH_TOKEN_MIN || (size_t)n >= outlen - 1 ||
	    !token_printable(out, (size_t)n)) {
		snprintf(err, errlen, "%s: token must be %d to %d printable "
		    "characters without spaces", path, AUTH_TOKEN_MIN,
		    AUTH_TOKEN_MAX - 1);
		return -1;
	}
	return (int)n;
}

/*
 * Compare in time that depends only on the secret's length, never on
 * where the candidate first differs.
 */
bool
auth_token_equal(const char *secret, size_t slen, const char *cand,
    size_t clen)
{
	volatile unsigned char diff = (unsigned char)(slen != clen);

	for (size_t i = 0; i < slen; i++) {
		unsigned char c = i < clen ? (unsigned char)cand[i] : 0;

		diff |= c ^ (unsigned char)secret[i];
	}
	return diff == 0;
}

bool
auth_bearer(const char *header, const char **tok, size_t *len)
{
	const char *p;
	size_t n;

	if (header == NULL || strncasecmp(header, "Bearer", 6) != 0 ||
	    (header[6] != ' ' && header[6] != '\t'))
		return false;
	p = header + 6;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0)
		return false;
	*tok = p;
	*len = n;
	return true;
}

static int
parse_allow(struct auth *a, char *const *allow, char *err, size_t errlen)
{
	for (int i = 0; allow != NULL && allow[i] != NULL; i++) {
		if (a->nallow == ALLOW_MAX) {
			snprintf(err, errlen, "[api] allow: more than %d "
			    "entries", ALLOW_MAX);
			return -1;
		}
		if (cidr_parse(allow[i], &a->allow[a->nallow]) == -1) {
			snprintf(err, errlen, "[api] allow: invalid address "
			    "or CIDR \"%s\"", allow[i]);
			return -1;
		}
		a->nallow++;
	}
	return 0;
}

struct auth *
auth_new(const struct auth_settings *s, char *err, size_t errlen)
{
	struct auth *a;
	uint32_t burst;
	int n;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (s->token_file != NULL && s->token_file[0] != '\0') {
		n = auth_load_token(s->token_file, a->token, sizeof(a->token),
		    err, errlen);
		if (n == -1)
			goto fail;
		a->token_len = (size_t)n;
	}
	if (parse_allow(a, s->allow, err, errlen) == -1)
		goto fail;
	burst = s->rate_per_minute < RATE_BURST_MAX ? s->rate_per_minute :
	    RATE_BURST_MAX;
	a->rate = ratelimit_new(s->rate_per_minute, burst);
	a->fails = ratelimit_new(AUTH_FAILS_PER_MINUTE, AUTH_FAILS_PER_MINUTE);
	if (a->rate == NULL || a->fails == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return a;
fail:
	auth_free(a);
	return NULL;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	ratelimit_free(a->rate);
	ratelimit_free(a->fails);
	explicit_bzero(a->token, sizeof(a->token));
	free(a);
}

bool
auth_token_required(const struct auth *a)
{
	return a->token_len > 0;
}

int
auth_check_token(struct auth *a, const char *client_ip,
    const char *authorization, uint64_t now_ms, uint32_t *retry_after_s)
{
	const char *tok;
	size_t len;

	if (a->token_len == 0)
		return AUTH_OK;
	if (!ratelimit_check(a->fails, client_ip, now_ms, retry_after_s))
		return AUTH_LOCKED_OUT;
	if (!auth_bearer(authorization, &tok, &len))
		return AUTH_MISSING;
	if (!auth_token_equal(a->token, a->token_len, tok, len)) {
		(void)ratelimit_take(a->fails, client_ip, now_ms, NULL);
		return AUTH_WRONG;
	}
	return AUTH_OK;
}

int
auth_check_management(struct auth *a, const char *client_ip,
    const char *authorization, uint64_t now_ms, uint32_t *retry_after_s,
    const char **principal)
{
	int r;

	*principal = "";
	if (a->nallow > 0 && !cidr_match_any(a->allow, a->nallow, client_ip))
		return AUTH_FORBIDDEN_ADDR;
	r = auth_check_token(a, client_ip, authorization, now_ms,
	    retry_after_s);
	if (r != AUTH_OK)
		return r;
	if (a->token_len > 0)
		*principal = "token";
	if (!ratelimit_take(a->rate, client_ip, now_ms, retry_after_s))
		return AUTH_RATE_LIMITED;
	return AUTH_OK;
}

int
auth_http_status(int result)
{
	switch (result) {
	case AUTH_OK:			return 200;
	case AUTH_MISSING:		return 401;
	case AUTH_WRONG:		return 403;
	case AUTH_FORBIDDEN_ADDR:	return 403;
	case AUTH_LOCKED_OUT:		return 429;
	case AUTH_RATE_LIMITED:		return 429;
	default:			return 500;
	}
}

const char *
auth_result_message(int result)
{
	switch (result) {
	case AUTH_OK:		return "ok";
	case AUTH_MISSING:	return "authentication required";
	case AUTH_WRONG:	return "invalid token";
	case AUTH_FORBIDDEN_ADDR:
		return "client address not allowed";
	case AUTH_LOCKED_OUT:	return "too many failed authentication attempts";
	case AUTH_RATE_LIMITED:	return "rate limit exceeded";
	default:		return "error";
	}
}
