/* Per-worker libvigil handle and one request's view of the state. */
#ifndef APISERVER_VIEW_H
#define APISERVER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "vigil.h"

/*
 * libvigil handles are not thread-safe, so every CivetWeb worker thread
 * owns one (created by the init_thread callback), together with a record
 * buffer that grows to the segment's capacity and is reused.
 */
struct worker;

struct worker	*worker_new(const char *shm_name);
void		 worker_free(struct worker *w);

/* What one request sees: supervisor header, records, derived status. */
struct view {
	int				 err;	/* errno of the read, 0 ok */
	enum sup_status			 sup_status;
	bool				 have_sup; /* header fields valid */
	struct vigil_supervisor		 sup;
	bool				 have_changes; /* changes valid */
	uint64_t			 changes; /* vigil_changes(sup) */
	bool				 loaded; /* recs, n, sum filled */
	const struct vigil_record	*recs;	/* owned by the worker */
	size_t				 n;
	struct status_summary		 sum;
};

/* Header only (liveness). */
void	view_supervisor(struct worker *w, uint64_t heartbeat_timeout_ms,
	    struct view *out);

/*
 * Header and the records' write counter, not the records: enough for a
 * memoized answer (memo_reuse). view_records adds the records.
 */
void	view_header(struct worker *w, uint64_t heartbeat_timeout_ms,
	    struct view *out);
void	view_records(struct worker *w, struct view *v);

/* Header and every record (view_supervisor, then view_records). */
void	view_load(struct worker *w, uint64_t heartbeat_timeout_ms,
	    struct view *out);

/*
 * Header and one record. Returns 0, or -1 when the plugin is unknown
 * (errno ENOENT) or the state is unavailable (out->err says why).
 */
int	view_load_one(struct worker *w, uint64_t heartbeat_timeout_ms,
	    const char *name, struct view *out, struct vigil_record *rec);

#endif /* APISERVER_VIEW_H */
