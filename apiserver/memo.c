/* Process-wide memo of rendered answers, keyed on everything they read. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/printbuf.h>

#include "memo.h"
#include "response.h"

/* heartbeat_age_ms before the first heartbeat: the field is left out. */
#define AGE_NONE	UINT64_MAX

/* Where the digits of "heartbeatAgeMs" are in a body. */
struct hole {
	bool	 set;
	size_t	 off;
	size_t	 len;
};

/* A copy of the records, shared by the entries made from one render. */
struct memo_recs {
	atomic_uint		 refs;
	size_t			 n;
	struct vigil_record	 rec[];
};

struct memo_entry {
	/* First member: the last reference frees the entry through it. */
	struct response_shared	 shared;
	/* The key: every input of the render, compared byte for byte. */
	int64_t			 now_key;
	bool			 have_sup;
	enum sup_status		 sup_status;
	struct vigil_supervisor	 sup;
	bool			 have_changes;	/* libvigil's write counter */
	uint64_t		 changes;	/* when recs were read */
	struct memo_recs	*recs;
	struct hole		 age;		/* in the body */
	char			 wire[];	/* shared.wire */
};

struct memo_slot {
	pthread_mutex_t		 lock;		/* guards cur and rendering */
	pthread_cond_t		 rendered;	/* rendering went false */
	struct memo_entry	*cur;		/* holds one reference */
	bool			 rendering;	/* a worker renders for it */
};

struct memo {
	struct memo_slot	 slot[MEMO_KINDS];
};

enum match {
	MATCH_NONE = 0,
	MATCH_EXACT,		/* every input equal */
	MATCH_BUT_AGE		/* only the heartbeat's age differs */
};

static void
recs_release(struct memo_recs *r)
{
	if (r != NULL && atomic_fetch_sub_explicit(&r->refs, 1,
	    memory_order_acq_rel) == 1)
		free(r);
}

/* The shared answer's free function: shared is the entry's first member. */
static void
entry_free(struct response_shared *s)
{
	struct memo_entry *e = (struct memo_entry *)s;

	recs_release(e->recs);
	free(e);
}

static void
entry_release(struct memo_entry *e)
{
	if (e != NULL)
		response_shared_release(&e->shared);
}

struct memo *
memo_new(void)
{
	pthread_condattr_t ca;
	struct memo *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (int k = 0; k < MEMO_KINDS; k++) {
		pthread_mutex_init(&m->slot[k].lock, NULL);
		pthread_cond_init(&m->slot[k].rendered, &ca);
	}
	pthread_condattr_destroy(&ca);
	return m;
}

void
memo_free(struct memo *m)
{
	if (m == NULL)
		return;
	for (int k = 0; k < MEMO_KINDS; k++) {
		entry_release(m->slot[k].cur);
		pthread_cond_destroy(&m->slot[k].rendered);
		pthread_mutex_destroy(&m->slot[k].lock);
	}
	free(m);
}

/*
 * Renders print times (now, the last heartbeat) only through render.c's
 * add_time: null for a time <= 0, else whole seconds. Keep this in step
 * with it (the unit test checks sub-second changes against fresh renders).
 */
int64_t
memo_time_key(int64_t unix_us)
{
	return unix_us <= 0 ? -1 : unix_us / 1000000;
}

/* The slot's entry with a reference of our own, or NULL. */
static struct memo_entry *
grab(struct memo_slot *s)
{
	struct memo_entry *e;

	pthread_mutex_lock(&s->lock);
	if ((e = s->cur) != NULL)
		atomic_fetch_add_explicit(&e->shared.refs, 1,
		    memory_order_relaxed);
	pthread_mutex_unlock(&s->lock);
	return e;
}

/* Make e the slot's entry (takes the caller's reference). */
static void
publish(struct memo_slot *s, struct memo_entry *e)
{
	struct memo_entry *old;

	pthread_mutex_lock(&s->lock);
	old = s->cur;
	s->cur = e;
	pthread_mutex_unlock(&s->lock);
	entry_release(old);
}

/*
 * The header fields as a render sees them: the age apart (see match) and
 * the last heartbeat at the resolution it is printed with.
 */
static struct vigil_supervisor
sup_key(const struct vigil_supervisor *sup)
{
	struct vigil_supervisor k = *sup;

	k.heartbeat_age_ms = 0;
	k.heartbeat_us = memo_time_key(sup->heartbeat_us);
	return k;
}

/*
 * Whether v's records are e's. A view with records compares them; one
 * without (view_header) relies on the write counter: the same counter of
 * the same segment (the header, generation and creation time included,
 * is compared by match) means no record was written since e's were read.
 */
static bool
same_records(const struct memo_entry *e, const struct view *v)
{
	if (!v->loaded)
		return e->have_changes && v->have_changes &&
		    e->changes == v->changes;
	if (e->recs->n != v->n)
		return false;
	return v->n == 0 ||
	    memcmp(e->recs->rec, v->recs, v->n * sizeof(*v->recs)) == 0;
}

/* Cheap fields first; the records (about 1 KB each) last. */
static enum match
match(const struct memo_entry *e, const struct view *v, int64_t now_key)
{
	struct vigil_supervisor a, b;
	uint64_t age = v->sup.heartbeat_age_ms;
	bool same_age = age == e->sup.heartbeat_age_ms;

	if (e->now_key != now_key || e->have_sup != v->have_sup ||
	    e->sup_status != v->sup_status)
		return MATCH_NONE;
	/* An age and no age (field left out) differ in more than digits. */
	if (!same_age && (age == AGE_NONE ||
	    e->sup.heartbeat_age_ms == AGE_NONE))
		return MATCH_NONE;
	a = sup_key(&e->sup);
	b = sup_key(&v->sup);
	if (memcmp(&a, &b, sizeof(a)) != 0 || !same_records(e, v))
		return MATCH_NONE;
	return same_age ? MATCH_EXACT : MATCH_BUT_AGE;
}

/* json-c's own uint64 format, noting where the digits land. */
static int
age_to_json(json_object *o, struct printbuf *pb, int level, int flags)
{
	struct hole *h = json_object_get_userdata(o);
	char digits[24];
	int n;

	(void)level;
	(void)flags;
	n = snprintf(digits, sizeof(digits), "%" PRIu64,
	    json_object_get_uint64(o));
	h->off = (size_t)pb->bpos;
	h->len = (size_t)n;
	h->set = true;
	return printbuf_memappend(pb, digits, n);
}

/* Render into resp; h tells where the heartbeat's age was printed. */
static void
render_fresh(const struct view *v, int64_t now_us, memo_render_fn render,
    struct response *resp, struct hole *h)
{
	json_object *o, *sup, *age;
	int status = 500;

	*h = (struct hole){ .set = false };
	o = render(v, now_us, &status);
	if (o != NULL && json_object_object_get_ex(o, "supervisor", &sup) &&
	    json_object_object_get_ex(sup, "heartbeatAgeMs", &age) &&
	    json_object_is_type(age, json_type_int))
		json_object_set_serializer(age, age_to_json, h, NULL);
	response_json(resp, status, o);
}

/* The hole holds exactly the digits of v's age, or it is not used. */
static bool
hole_valid(const struct hole *h, const struct view *v, const char *body,
    size_t len)
{
	char digits[24];
	int n;

	if (!h->set || h->off > len || h->len > len - h->off)
		return false;
	n = snprintf(digits, sizeof(digits), "%" PRIu64,
	    v->sup.heartbeat_age_ms);
	return (size_t)n == h->len && memcmp(body + h->off, digits,
	    h->len) == 0;
}

/* A copy of v's records (one reference), or NULL. */
static struct memo_recs *
recs_new(const struct view *v)
{
	struct memo_recs *r;

	if ((r = malloc(sizeof(*r) + v->n * sizeof(r->rec[0]))) == NULL)
		return NULL;
	atomic_init(&r->refs, 1);
	r->n = v->n;
	if (v->n > 0)
		memcpy(r->rec, v->recs, v->n * sizeof(r->rec[0]));
	return r;
}

/*
 * A new entry (one reference) for v's inputs, keeping recs (a reference
 * of its own): head (of resp's status and content type) and the body in
 * three pieces, so that a new age needs no copy in between.
 */
static struct memo_entry *
entry_new(const struct view *v, int64_t now_us, struct memo_recs *recs,
    const struct response *resp, const char *piece[3], const size_t len[3],
    const struct hole *h)
{
	struct response canon;
	struct memo_entry *e;
	size_t body_len = len[0] + len[1] + len[2];
	char head[RESPONSE_HEAD_MAX];
	char *p;
	int n;

	/* The answer every plain keep-alive request gets. */
	response_init(&canon);
	canon.status = resp->status;
	canon.content_type = resp->content_type;
	if ((n = response_head(&canon, body_len, head, sizeof(head))) == -1 ||
	    (e = malloc(sizeof(*e) + (size_t)n + body_len)) == NULL)
		return NULL;
	atomic_init(&e->shared.refs, 1);
	e->shared.free = entry_free;
	e->shared.status = resp->status;
	e->shared.content_type = resp->content_type;
	e->shared.wire = e->wire;
	e->shared.head_len = (size_t)n;
	e->shared.wire_len = (size_t)n + body_len;
	p = e->wire;
	memcpy(p, head, (size_t)n);
	p += n;
	for (int i = 0; i < 3; i++) {
		if (len[i] > 0)
			memcpy(p, piece[i], len[i]);
		p += len[i];
	}
	e->now_key = memo_time_key(now_us);
	e->have_sup = v->have_sup;
	e->sup_status = v->sup_status;
	e->sup = v->sup;
	e->have_changes = v->have_changes;
	e->changes = v->changes;
	atomic_fetch_add_explicit(&recs->refs, 1, memory_order_relaxed);
	e->recs = recs;
	e->age = *h;
	e->age.set = hole_valid(h, v, e->wire + n, body_len);
	return e;
}

/* An entry for what render_fresh left in resp. */
static struct memo_entry *
entry_rendered(const struct view *v, int64_t now_us,
    const struct response *resp, const struct hole *h)
{
	const char *piece[3] = { resp->body.data, "", "" };
	size_t len[3] = { resp->body.len, 0, 0 };
	struct memo_recs *recs;
	struct memo_entry *e;

	if ((recs = recs_new(v)) == NULL)
		return NULL;
	e = entry_new(v, now_us, recs, resp, piece, len, h);
	recs_release(recs);
	return e;
}

/* e's answer with v's heartbeat age in place of its own. */
static struct memo_entry *
entry_respliced(const struct memo_entry *e, const struct view *v,
    int64_t now_us)
{
	const char *body = e->shared.wire + e->shared.head_len;
	size_t body_len = e->shared.wire_len - e->shared.head_len;
	size_t tail = e->age.off + e->age.len;
	struct response tmp;
	struct hole h = e->age;
	char digits[24];
	const char *piece[3] = { body, digits, body + tail };
	size_t len[3] = { e->age.off, 0, body_len - tail };
	struct memo_entry *ne;
	int n;

	n = snprintf(digits, sizeof(digits), "%" PRIu64,
	    v->sup.heartbeat_age_ms);
	h.len = len[1] = (size_t)n;
	response_init(&tmp);
	tmp.status = e->shared.status;
	tmp.content_type = e->shared.content_type;
	ne = entry_new(v, now_us, e->recs, &tmp, piece, len, &h);
	/* Matched on the records themselves: e's counter still fits them. */
	if (ne != NULL && !v->have_changes) {
		ne->have_changes = e->have_changes;
		ne->changes = e->changes;
	}
	return ne;
}

/* Answer with e, and keep it for the next requests. */
static void
answer_and_publish(struct memo_slot *s, struct memo_entry *e,
    struct response *resp)
{
	atomic_fetch_add_explicit(&e->shared.refs, 1, memory_order_relaxed);
	publish(s, e);
	response_use_shared(resp, &e->shared);
}

/* Answer from the slot's entry if it fits v and now_us (spliced or not). */
static bool
reuse(struct memo_slot *s, const struct view *v, int64_t now_us,
    struct response *resp)
{
	struct memo_entry *e, *ne = NULL;
	enum match how;

	if ((e = grab(s)) == NULL)
		return false;
	how = match(e, v, memo_time_key(now_us));
	if (how == MATCH_EXACT) {
		response_use_shared(resp, &e->shared);
		return true;
	}
	/* Without a recorded hole only an exact match is safe. */
	if (how == MATCH_BUT_AGE && e->age.set)
		ne = entry_respliced(e, v, now_us);
	entry_release(e);
	if (ne == NULL)
		return false;
	answer_and_publish(s, ne, resp);
	return true;
}

/*
 * One full render per kind at a time: the workers that miss together
 * (the time's second or the state changed) wait for the first one's
 * answer, which is likely theirs too, instead of each building a tree.
 * True when it waited (the render then is not ours); bounded, so a
 * descheduled renderer delays the others by at most 50 ms.
 */
static bool
wait_or_claim(struct memo_slot *s)
{
	struct timespec until;
	bool waited;

	pthread_mutex_lock(&s->lock);
	if ((waited = s->rendering)) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 50000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (s->rendering && pthread_cond_timedwait(&s->rendered,
		    &s->lock, &until) == 0)
			;
	} else
		s->rendering = true;
	pthread_mutex_unlock(&s->lock);
	return waited;
}

static void
unclaim(struct memo_slot *s)
{
	pthread_mutex_lock(&s->lock);
	s->rendering = false;
	pthread_cond_broadcast(&s->rendered);
	pthread_mutex_unlock(&s->lock);
}

bool
memo_reuse(struct memo *m, enum memo_kind k, const struct view *v,
    int64_t now_us, struct response *resp)
{
	if (m == NULL || (unsigned)k >= MEMO_KINDS)
		return false;
	return reuse(&m->slot[k], v, now_us, resp);
}

void
memo_respond(struct memo *m, enum memo_kind k, const struct view *v,
    int64_t now_us, memo_render_fn render, struct response *resp)
{
	struct memo_entry *ne;
	struct memo_slot *s;
	struct hole h;
	bool claimed;

	if (m == NULL || (unsigned)k >= MEMO_KINDS) {
		render_fresh(v, now_us, render, resp, &h);
		return;
	}
	s = &m->slot[k];
	if (reuse(s, v, now_us, resp))
		return;
	claimed = !wait_or_claim(s);
	if (!claimed && reuse(s, v, now_us, resp))
		return;
	render_fresh(v, now_us, render, resp, &h);
	if (!buf_failed(&resp->body) &&
	    (ne = entry_rendered(v, now_us, resp, &h)) != NULL)
		answer_and_publish(s, ne, resp);
	if (claimed)
		unclaim(s);
}
