/* Sliding-window rate limiter keyed by identifier and action; time passed in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "limiter.h"

struct entry {
	char		 key[LIMITER_KEY_MAX];
	uint64_t	 start_ms;	/* start of the current fixed window */
	uint64_t	 last_ms;	/* last request */
	uint32_t	 prev;		/* count in the previous window */
	uint32_t	 cur;		/* count in the current window */
	struct entry	*next;		/* bucket chain or free list */
};

struct limiter {
	struct limiter_config	  cfg;
	struct entry		 *pool;
	struct entry		 *free;
	struct entry		**buckets;
	size_t			  nbuckets;	/* power of two */
	size_t			  used;
	uint64_t		  last_sweep_ms;
};

static uint64_t
hash_key(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
config_valid(const struct limiter_config *c)
{
	return c->window_ms >= 1 && c->window_ms <= LIMITER_MAX_WINDOW_MS &&
	    c->limit >= 1 && c->limit <= LIMITER_MAX_LIMIT &&
	    c->capacity >= 1 && c->capacity <= LIMITER_MAX_CAPACITY;
}

struct limiter *
limiter_new(const struct limiter_config *cfg)
{
	struct limiter	*l;
	size_t		 i;

	if (!config_valid(cfg)) {
		errno = EINVAL;
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->cfg = *cfg;
	for (l->nbuckets = 1; l->nbuckets < cfg->capacity; l->nbuckets <<= 1)
		;
	l->pool = calloc(cfg->capacity, sizeof(*l->pool));
	l->buckets = calloc(l->nbuckets, sizeof(*l->buckets));
	if (l->pool == NULL || l->buckets == NULL) {
		limiter_free(l);
		errno = ENOMEM;
		return NULL;
	}
	for (i = cfg->capacity; i > 0; i--) {
		l->pool[i - 1].next = l->free;
		l->free = &l->pool[i - 1];
	}
	return l;
}

void
limiter_free(struct limiter *l)
{
	if (l == NULL)
		return;
	free(l->pool);
	free(l->buckets);
	free(l);
}

size_t
limiter_entries(const struct limiter *l)
{
	return l->used;
}

size_t
limiter_capacity(const struct limiter *l)
{
	return l->cfg.capacity;
}

void
limiter_expire(struct limiter *l, uint64_t now_ms)
{
	struct entry	**pp, *e;
	size_t		  i;

	l->last_sweep_ms = now_ms;
	for (i = 0; i < l->nbuckets; i++) {
		pp = &l->buckets[i];
		while ((e = *pp) != NULL) {
			if (now_ms - e->last_ms >= 2 * l->cfg.window_ms) {
				*pp = e->next;
				e->next = l->free;
				l->free = e;
				l->used--;
			} else
				pp = &e->next;
		}
	}
}

static struct entry *
entry_find(struct limiter *l, const char *key, size_t b)
{
	struct entry	*e;

	for (e = l->buckets[b]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static uint64_t
sweep_gap(const struct limiter *l)
{
	return l->cfg.window_ms >= 8 ? l->cfg.window_ms / 8 : 1;
}

static struct entry *
entry_add(struct limiter *l, const char *key, size_t b, uint64_t now_ms)
{
	struct entry	*e;

	/* A full table is swept at most 8 times a window, not per request. */
	if (l->free == NULL && now_ms - l->last_sweep_ms >= sweep_gap(l))
		limiter_expire(l, now_ms);
	if ((e = l->free) == NULL)
		return NULL;
	l->free = e->next;
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, strlen(key) + 1);
	e->start_ms = now_ms - now_ms % l->cfg.window_ms;
	e->next = l->buckets[b];
	l->buckets[b] = e;
	l->used++;
	return e;
}

/* Move the entry's fixed windows forward to the one holding now. */
static void
entry_roll(const struct limiter *l, struct entry *e, uint64_t now_ms)
{
	uint64_t	w = l->cfg.window_ms, n;

	if (now_ms < e->start_ms + w)
		return;
	n = (now_ms - e->start_ms) / w;
	e->prev = n == 1 ? e->cur : 0;
	e->cur = 0;
	e->start_ms += n * w;
}

/*
 * Milliseconds until one more request fits. The estimate is
 * prev * (w - x) / w + cur for x ms into the window; it only falls as x
 * grows, and at the next window prev becomes cur.
 */
static uint64_t
wait_ms(const struct limiter *l, const struct entry *e, uint64_t now_ms)
{
	uint64_t	w = l->cfg.window_ms, lim1 = l->cfg.limit - 1, at;

	if (e->cur <= lim1 && e->prev > 0 &&
	    (lim1 - e->cur) * w / e->prev > 0)
		at = e->start_ms + w - (lim1 - e->cur) * w / e->prev;
	else if (e->cur == 0)
		at = e->start_ms + w;
	else
		at = e->start_ms + 2 * w - lim1 * w / e->cur;
	return at > now_ms ? at - now_ms : 1;
}

static uint32_t
ceil_s(uint64_t ms)
{
	return (uint32_t)((ms + 999) / 1000);
}

int
limiter_check(struct limiter *l, const char *identifier, const char *action,
    uint64_t now_ms, struct limiter_result *res)
{
	char		 key[LIMITER_KEY_MAX];
	struct entry	*e;
	uint64_t	 w = l->cfg.window_ms, est, cap;
	size_t		 b;

	memset(res, 0, sizeof(*res));
	res->limit = l->cfg.limit;
	if (identifier[0] == '\0' ||
	    strlen(identifier) + strlen(action) + 2 > sizeof(key)) {
		errno = EINVAL;
		return -1;
	}
	/* 0x1f cannot be confused with text in either part. */
	memcpy(key, identifier, strlen(identifier));
	key[strlen(identifier)] = 0x1f;
	memcpy(key + strlen(identifier) + 1, action, strlen(action) + 1);
	if (now_ms - l->last_sweep_ms >= w)
		limiter_expire(l, now_ms);
	b = hash_key(key) & (l->nbuckets - 1);
	if ((e = entry_find(l, key, b)) == NULL &&
	    (e = entry_add(l, key, b, now_ms)) == NULL) {
		res->allowed = 1;
		res->table_full = 1;
		res->remaining = l->cfg.limit;
		return 0;
	}
	entry_roll(l, e, now_ms);
	e->last_ms = now_ms;
	res->reset_s = ceil_s(e->start_ms + w - now_ms);
	/* Scaled by w so the weighting stays in integers. */
	est = (uint64_t)e->prev * (w - (now_ms - e->start_ms)) +
	    (uint64_t)e->cur * w;
	cap = (uint64_t)l->cfg.limit * w;
	if (est + w > cap) {
		res->retry_after_s = ceil_s(wait_ms(l, e, now_ms));
		if (res->retry_after_s == 0)
			res->retry_after_s = 1;
		return 0;
	}
	e->cur++;
	res->allowed = 1;
	res->remaining = (uint32_t)((cap - est - w) / w);
	return 0;
}
