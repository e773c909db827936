/* Per-client token buckets in a small fixed-size, mutex-protected table. */
#ifndef APISERVER_RATELIMIT_H
#define APISERVER_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Each client key (an IP address) owns a bucket holding up to burst tokens
 * that refills at per_minute tokens per minute. The table has a fixed
 * number of slots; when it is full the least recently seen client is
 * forgotten (its next request starts with a full bucket). Time is passed
 * in as milliseconds on any monotonic clock.
 */

#define RATELIMIT_SLOTS		256
#define RATELIMIT_KEY_LEN	48

struct ratelimit;

/* per_minute 0 disables limiting (every take succeeds). */
struct ratelimit	*ratelimit_new(uint32_t per_minute, uint32_t burst);
void			 ratelimit_free(struct ratelimit *rl);

/*
 * Take one token for key. Returns true if allowed; otherwise false and
 * *retry_after_s (if not NULL) is the whole number of seconds, at least 1,
 * until a token is available.
 */
bool	ratelimit_take(struct ratelimit *rl, const char *key, uint64_t now_ms,
	    uint32_t *retry_after_s);

/* Like ratelimit_take but only looks: true if a token is available. */
bool	ratelimit_check(struct ratelimit *rl, const char *key,
	    uint64_t now_ms, uint32_t *retry_after_s);

#endif /* APISERVER_RATELIMIT_H */
