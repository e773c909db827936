/* Management access control: bearer token, client allowlist, rate limits. */
#ifndef APISERVER_AUTH_H
#define APISERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_TOKEN_MIN		16	/* shorter tokens are refused */
#define AUTH_TOKEN_MAX		1024
#define AUTH_FAILS_PER_MINUTE	5	/* wrong tokens per client */

enum auth_result {
	AUTH_OK = 0,
	AUTH_MISSING,		/* 401: no or malformed Authorization */
	AUTH_WRONG,		/* 403: token does not match */
	AUTH_FORBIDDEN_ADDR,	/* 403: client not in [api] allow */
	AUTH_LOCKED_OUT,	/* 429: too many wrong tokens */
	AUTH_RATE_LIMITED	/* 429: management rate limit */
};

struct auth_settings {
	const char	*token_file;	/* NULL or "" = no token needed */
	char *const	*allow;		/* CIDRs, NULL-ended; NULL/empty = any */
	uint32_t	 rate_per_minute; /* management requests per client */
};

struct auth;

/*
 * Read the token file (before privileges are dropped) and parse the
 * allowlist. NULL with a reason in err: unreadable file, group/world
 * permissions, empty or too short token, bad CIDR.
 */
struct auth	*auth_new(const struct auth_settings *s, char *err,
		    size_t errlen);
void		 auth_free(struct auth *a);
bool		 auth_token_required(const struct auth *a);

/* Token check only (probe endpoints when [api] auth_probes is on). */
int	auth_check_token(struct auth *a, const char *client_ip,
	    const char *authorization, uint64_t now_ms,
	    uint32_t *retry_after_s);

/*
 * Everything a management request must pass, in order: allowlist, wrong-
 * token lockout, token, per-client rate limit. *principal is set to the
 * authenticated identity ("token") or "" when no token is configured.
 */
int	auth_check_management(struct auth *a, const char *client_ip,
	    const char *authorization, uint64_t now_ms,
	    uint32_t *retry_after_s, const char **principal);

/* HTTP status for an auth_result (200 for AUTH_OK). */
int	auth_http_status(int result);
const char	*auth_result_message(int result);

/* Exposed for tests. */
int	auth_load_token(const char *path, char *out, size_t outlen,
	    char *err, size_t errlen);
bool	auth_token_equal(const char *secret, size_t slen, const char *cand,
	    size_t clen);
/* Find the token in "Bearer TOKEN"; false if absent or another scheme. */
bool	auth_bearer(const char *header, const char **tok, size_t *len);

#endif /* APISERVER_AUTH_H */
