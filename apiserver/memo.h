/* Process-wide memo of rendered answers, keyed on everything they read. */
#ifndef APISERVER_MEMO_H
#define APISERVER_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "view.h"

struct response;

/* The answers that are pure functions of (view, now at 1 s resolution). */
enum memo_kind {
	MEMO_HEALTH = 0,
	MEMO_READINESS,
	MEMO_PLUGINS_STATUS,
	MEMO_PLUGINS_HEALTH,
	MEMO_KINDS
};

/*
 * One answer's body (a new json-c tree, NULL when out of memory) and its
 * HTTP status, from the view and the time alone.
 */
typedef json_object *(*memo_render_fn)(const struct view *v, int64_t now_us,
    int *status);

/*
 * One answer per kind: the last one sent, with a copy of its inputs
 * (supervisor header fields and status, every record, the timestamp's
 * second). An answer is reused only when a request's inputs are equal
 * byte for byte, so it is always exactly what a fresh render would give,
 * with three refinements. Records are known to be equal without reading
 * them when libvigil's write counter (vigil_changes) is the one the
 * answer was rendered under. The last heartbeat's time is compared at the
 * resolution it is printed with (whole seconds), like the timestamp.
 * The heartbeat's age, which changes every millisecond, is spliced into
 * the body in place of the digits of "heartbeatAgeMs" (their position
 * recorded while serializing) instead of rendering the whole answer
 * again; render.c prints the age nowhere else (and memo.c relies on
 * that). Workers that miss at the same time wait for one render.
 *
 * Entries are immutable and reference counted: a request keeps the bytes
 * it writes even if another worker replaces the entry meanwhile.
 */
struct memo;

struct memo	*memo_new(void);
void		 memo_free(struct memo *m);

/*
 * Answer from the memo before the records are read: true (resp then
 * shares the memo's bytes) when v, from view_header, has the header of a
 * kept answer and the same libvigil write counter, which means the same
 * records. False when there is no such answer; the caller then loads
 * the records (view_records) and calls memo_respond.
 */
bool	memo_reuse(struct memo *m, enum memo_kind k, const struct view *v,
	    int64_t now_us, struct response *resp);

/*
 * Answer with (k, v, now_us), v loaded: the memoized bytes when the
 * inputs match, else render(v, now_us), which is then kept for the next
 * requests. With m NULL every answer is rendered. resp may then share
 * the memo's bytes (released by response_free).
 */
void	memo_respond(struct memo *m, enum memo_kind k, const struct view *v,
	    int64_t now_us, memo_render_fn render, struct response *resp);

/* The part of a Unix time (us) an answer depends on (exposed for tests). */
int64_t	memo_time_key(int64_t unix_us);

#endif /* APISERVER_MEMO_H */
