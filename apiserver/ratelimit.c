/* Per-client token buckets in a small fixed-size, mutex-protected table. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

/* Tokens are counted in thousandths so refill needs no floating point. */
#define MILLI	1000u

struct bucket {
	char		key[RATELIMIT_KEY_LEN];
	uint64_t	tokens;		/* milli-tokens */
	uint64_t	last_ms;	/* last refill */
	uint64_t	seen_ms;	/* last use, for eviction */
	bool		used;
};

struct ratelimit {
	pthread_mutex_t	lock;
	uint32_t	per_minute;
	uint64_t	capacity;	/* milli-tokens */
	struct bucket	slots[RATELIMIT_SLOTS];
};

struct ratelimit *
ratelimit_new(uint32_t per_minute, uint32_t burst)
{
	struct ratelimit *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->per_minute = per_minute;
	rl->capacity = (uint64_t)(burst == 0 ? 1 : burst) * MILLI;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

/* The bucket for key, or a fresh one replacing the least recently seen. */
static struct bucket *
lookup(struct ratelimit *rl, const char *key, uint64_t now_ms)
{
	struct bucket *victim = &rl->slots[0];

	for (int i = 0; i < RATELIMIT_SLOTS; i++) {
		struct bucket *b = &rl->slots[i];

		if (b->used && strcmp(b->key, key) == 0)
			return b;
		if (!b->used || (victim->used && b->seen_ms < victim->seen_ms))
			victim = b;
	}
	memset(victim, 0, sizeof(*victim));
	strncpy(victim->key, key, sizeof(victim->key) - 1);
	victim->used = true;
	victim->tokens = rl->capacity;
	victim->last_ms = now_ms;
	return victim;
}

static void
refill(const struct ratelimit *rl, struct bucket *b, uint64_t now_ms)
{
	uint64_t add;

	if (now_ms <= b->last_ms)
		return;
	/* per_minute tokens per 60000 ms = per_minute/60 milli-tokens/ms. */
	add = (now_ms - b->last_ms) * rl->per_minute / 60u;
	if (b->tokens + add >= rl->capacity) {
		b->tokens = rl->capacity;
		b->last_ms = now_ms;
		return;
	}
	b->tokens += add;
	/* Advance only by the time converted, so remainders are not lost. */
	b->last_ms += add * 60u / rl->per_minute;
}

static uint32_t
retry_after(const struct ratelimit *rl, const struct bucket *b)
{
	uint64_t need = MILLI - b->tokens;
	uint64_t ms = (need * 60u + rl->per_minute - 1) / rl->per_minute;
	uint64_t s = (ms + 999) / 1000;

	return s == 0 ? 1 : (uint32_t)s;
}

/* Shared body of take and check. */
static bool
consult(struct ratelimit *rl, const char *key, uint64_t now_ms,
    uint32_t *retry_after_s, bool consume)
{
	struct bucket *b;
	bool ok;

	if (rl->per_minute == 0)
		return true;
	pthread_mutex_lock(&rl->lock);
	b = lookup(rl, key, now_ms);
	refill(rl, b, now_ms);
	b->seen_ms = now_ms;
	ok = b->tokens >= MILLI;
	if (ok && consume)
		b->tokens -= MILLI;
	if (!ok && retry_after_s != NULL)
		*retry_after_s = retry_after(rl, b);
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, uint64_t now_ms,
    uint32_t *retry_after_s)
{
	return consult(rl, key, now_ms, retry_after_s, true);
}

bool
ratelimit_check(struct ratelimit *rl, const char *key, uint64_t now_ms,
    uint32_t *retry_after_s)
{
	return consult(rl, key, now_ms, retry_after_s, false);
}
