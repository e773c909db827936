/* Process-wide memo of rendered answers, keyed on everything they read. */
#ifndef APISERVER_MEMO_H
#define APISERVER_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * One answer per kind: the last one rendered, with a copy of its inputs
 * (supervisor header fields and status, every record, the timestamp's
 * second). An answer is reused only when a request's inputs are equal
 * byte for byte, so it is always exactly what a fresh render would give.
 * Entries are immutable and reference counted: a request keeps the bytes
 * it writes even if another worker replaces the entry meanwhile.
 */
struct memo;

struct memo	*memo_new(void);
void		 memo_free(struct memo *m);

/*
 * True when the memo holds the answer for (k, v, now_us): resp then
 * shares it (status, content type, body; released by response_free).
 */
bool	memo_answer(struct memo *m, enum memo_kind k, const struct view *v,
	    int64_t now_us, struct response *resp);

/* Keep resp, rendered fresh from (k, v, now_us), for the next requests. */
void	memo_store(struct memo *m, enum memo_kind k, const struct view *v,
	    int64_t now_us, const struct response *resp);

/* The part of now_us an answer depends on (exposed for tests). */
int64_t		 memo_now_key(int64_t now_us);

#endif /* APISERVER_MEMO_H */
