/* Per-worker libvigil handle and one request's view of the state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

/* Bounds the record buffer even if a segment claims a huge capacity. */
#define VIEW_MAX_RECORDS	4096u

struct worker {
	struct vigil		*v;
	struct vigil_record	*recs;
	size_t			 cap;
};

struct worker *
worker_new(const char *shm_name)
{
	struct worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->v = vigil_open(shm_name)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	vigil_close(w->v);
	free(w->recs);
	free(w);
}

void
view_supervisor(struct worker *w, uint64_t heartbeat_timeout_ms,
    struct view *out)
{
	memset(out, 0, sizeof(*out));
	if (vigil_supervisor(w->v, &out->sup) == -1)
		out->err = errno != 0 ? errno : EIO;
	/* A cleanly stopped supervisor still left a readable header. */
	out->have_sup = out->err == 0 || out->err == ESTALE;
	out->sup_status = status_supervisor(out->err,
	    out->sup.heartbeat_age_ms, heartbeat_timeout_ms);
}

/* Grow the record buffer to the segment's capacity (bounded). */
static int
ensure_capacity(struct worker *w, uint32_t capacity)
{
	size_t want = capacity < VIEW_MAX_RECORDS ? capacity :
	    VIEW_MAX_RECORDS;
	struct vigil_record *p;

	if (want <= w->cap && w->recs != NULL)
		return 0;
	if (want == 0)
		want = 1;
	if ((p = realloc(w->recs, want * sizeof(*p))) == NULL)
		return -1;
	w->recs = p;
	w->cap = want;
	return 0;
}

void
view_header(struct worker *w, uint64_t heartbeat_timeout_ms,
    struct view *out)
{
	view_supervisor(w, heartbeat_timeout_ms, out);
	/* Read after the header: it then describes no older records. */
	out->have_changes = out->have_sup &&
	    vigil_changes(w->v, &out->sup, &out->changes) == 0;
}

void
view_records(struct worker *w, struct view *v)
{
	uint64_t after;

	v->loaded = true;
	if (!v->have_sup)
		return;
	if (ensure_capacity(w, v->sup.capacity) == -1 ||
	    vigil_snapshot(w->v, w->recs, w->cap, &v->n) == -1) {
		v->err = errno != 0 ? errno : EIO;
		v->n = 0;
		v->have_sup = false;
		v->have_changes = false;
		v->sup_status = status_supervisor(v->err, 0, 0);
		return;
	}
	/*
	 * The counter describes these records only if nothing was written,
	 * and the handle still maps the header's segment (the snapshot may
	 * have moved it to a replacement), by the end of the snapshot.
	 */
	if (v->have_changes && (vigil_changes(w->v, &v->sup, &after) == -1 ||
	    after != v->changes))
		v->have_changes = false;
	v->recs = w->recs;
	status_summarize(v->recs, v->n, &v->sum);
}

void
view_load(struct worker *w, uint64_t heartbeat_timeout_ms, struct view *out)
{
	view_supervisor(w, heartbeat_timeout_ms, out);
	view_records(w, out);
}

int
view_load_one(struct worker *w, uint64_t heartbeat_timeout_ms,
    const char *name, struct view *out, struct vigil_record *rec)
{
	view_supervisor(w, heartbeat_timeout_ms, out);
	if (!out->have_sup) {
		errno = out->err;
		return -1;
	}
	if (vigil_get(w->v, name, rec) == -1) {
		if (errno != ENOENT) {
			out->err = errno;
			out->have_sup = false;
			out->sup_status = status_supervisor(out->err, 0, 0);
		}
		return -1;
	}
	out->loaded = true;
	out->recs = rec;
	out->n = 1;
	status_summarize(rec, 1, &out->sum);
	return 0;
}
