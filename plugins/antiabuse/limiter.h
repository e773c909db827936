/* Sliding-window rate limiter keyed by identifier and action; time passed in. */
#ifndef ANTIABUSE_LIMITER_H
#define ANTIABUSE_LIMITER_H

#include <stddef.h>
#include <stdint.h>

#define LIMITER_KEY_MAX		256	/* identifier + action + 2 */
#define LIMITER_MAX_CAPACITY	100000
#define LIMITER_MAX_LIMIT	1000000
#define LIMITER_MAX_WINDOW_MS	(24ULL * 3600 * 1000)

struct limiter_config {
	uint64_t	window_ms;	/* 1 .. LIMITER_MAX_WINDOW_MS */
	uint32_t	limit;		/* requests per window, >= 1 */
	uint32_t	capacity;	/* tracked keys, >= 1 */
};

struct limiter_result {
	int		allowed;
	int		table_full;	/* no room to track the key: allowed */
	uint32_t	limit;
	uint32_t	remaining;
	uint32_t	retry_after_s;	/* when denied, >= 1 */
	uint32_t	reset_s;	/* until the current window ends */
};

struct limiter;

/* NULL with errno EINVAL (bad config) or ENOMEM. */
struct limiter	*limiter_new(const struct limiter_config *cfg);
void		 limiter_free(struct limiter *l);
/*
 * Count one request of identifier/action at now_ms (monotonic). The window
 * slides: the previous fixed window's count is weighted by how much of it
 * still overlaps [now - window, now]. A full table fails open (allowed,
 * table_full set) rather than block unknown users. -1 (EINVAL) for an empty
 * identifier or a key longer than LIMITER_KEY_MAX.
 */
int		 limiter_check(struct limiter *l, const char *identifier,
		    const char *action, uint64_t now_ms,
		    struct limiter_result *res);
/* Drop keys idle for two windows (their counts are zero by then). */
void		 limiter_expire(struct limiter *l, uint64_t now_ms);
size_t		 limiter_entries(const struct limiter *l);
size_t		 limiter_capacity(const struct limiter *l);

#endif /* ANTIABUSE_LIMITER_H */
