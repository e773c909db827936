/* Process-wide memo of rendered answers, keyed on everything they read. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "response.h"

struct memo_entry {
	/* First member: the last reference frees the entry through it. */
	struct response_shared	 shared;
	/* The key: every input of the render, compared byte for byte. */
	int64_t			 now_key;
	bool			 have_sup;
	enum sup_status		 sup_status;
	struct vigil_supervisor	 sup;
	size_t			 n;
	struct vigil_record	*recs;		/* in the same allocation */
};

struct memo_slot {
	pthread_mutex_t		 lock;		/* guards cur only */
	struct memo_entry	*cur;		/* holds one reference */
};

struct memo {
	struct memo_slot	 slot[MEMO_KINDS];
};

static void
entry_release(struct memo_entry *e)
{
	if (e != NULL)
		response_shared_release(&e->shared);
}

struct memo *
memo_new(void)
{
	struct memo *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	for (int k = 0; k < MEMO_KINDS; k++)
		pthread_mutex_init(&m->slot[k].lock, NULL);
	return m;
}

void
memo_free(struct memo *m)
{
	if (m == NULL)
		return;
	for (int k = 0; k < MEMO_KINDS; k++) {
		entry_release(m->slot[k].cur);
		pthread_mutex_destroy(&m->slot[k].lock);
	}
	free(m);
}

/*
 * Renders read the time only through render.c's add_time: null for a
 * time <= 0, else whole seconds. Keep this in step with it (the unit test
 * checks sub-second changes against fresh renders).
 */
int64_t
memo_now_key(int64_t now_us)
{
	return now_us <= 0 ? -1 : now_us / 1000000;
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

/* Cheap fields first: the heartbeat age changes every millisecond. */
static bool
same_inputs(const struct memo_entry *e, const struct view *v,
    int64_t now_key)
{
	return e->now_key == now_key && e->have_sup == v->have_sup &&
	    e->sup_status == v->sup_status &&
	    memcmp(&e->sup, &v->sup, sizeof(e->sup)) == 0 && e->n == v->n &&
	    (v->n == 0 || memcmp(e->recs, v->recs, v->n *
	    sizeof(*v->recs)) == 0);
}

bool
memo_answer(struct memo *m, enum memo_kind k, const struct view *v,
    int64_t now_us, struct response *resp)
{
	struct memo_entry *e;

	if (m == NULL || (unsigned)k >= MEMO_KINDS ||
	    (e = grab(&m->slot[k])) == NULL)
		return false;
	if (!same_inputs(e, v, memo_now_key(now_us))) {
		entry_release(e);
		return false;
	}
	response_use_shared(resp, &e->shared);
	return true;
}

/* A new entry (one reference) holding v's inputs and resp's wire image. */
static struct memo_entry *
entry_new(const struct view *v, int64_t now_us, const struct response *resp)
{
	struct response canon = *resp;
	struct memo_entry *e;
	struct buf wire;
	size_t recs_len = v->n * sizeof(*v->recs);

	/* The answer every plain keep-alive request gets. */
	canon.close = canon.keep_alive = false;
	canon.extra[0] = '\0';
	canon.extra_len = 0;
	canon.shared = NULL;
	buf_init(&wire);
	if (response_serialize(&canon, false, &wire) == -1 ||
	    (e = malloc(sizeof(*e) + recs_len + wire.len)) == NULL) {
		buf_free(&wire);
		return NULL;
	}
	atomic_init(&e->shared.refs, 1);
	e->now_key = memo_now_key(now_us);
	e->have_sup = v->have_sup;
	e->sup_status = v->sup_status;
	e->sup = v->sup;
	e->n = v->n;
	e->recs = (struct vigil_record *)(e + 1);
	if (recs_len > 0)
		memcpy(e->recs, v->recs, recs_len);
	e->shared.status = resp->status;
	e->shared.content_type = resp->content_type;
	e->shared.wire_len = wire.len;
	e->shared.head_len = wire.len - resp->body.len;
	e->shared.wire = (char *)e->recs + recs_len;
	memcpy((char *)e->recs + recs_len, wire.data, wire.len);
	buf_free(&wire);
	return e;
}

void
memo_store(struct memo *m, enum memo_kind k, const struct view *v,
    int64_t now_us, const struct response *resp)
{
	struct memo_slot *s;
	struct memo_entry *e, *old;

	if (m == NULL || (unsigned)k >= MEMO_KINDS || resp->shared != NULL ||
	    buf_failed(&resp->body) ||
	    (e = entry_new(v, now_us, resp)) == NULL)
		return;
	s = &m->slot[k];
	pthread_mutex_lock(&s->lock);
	old = s->cur;
	s->cur = e;
	pthread_mutex_unlock(&s->lock);
	entry_release(old);
}
