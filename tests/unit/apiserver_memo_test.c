/*
 * Unit tests for apiserver/memo.c: a memoized answer equals a fresh one;
 * and response_finish, the one-buffer wire image the server writes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "memo.h"
#include "render.h"
#include "response.h"

#define NOW	1705314600000000LL	/* 2024-01-15T10:30:00Z */
#define NRECS	3

static struct vigil_record recs[NRECS];
static struct view view;

/* Fill every field, so that a change anywhere can show in the output. */
static void
fill(struct vigil_record *r, int i)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "plugin%d", i);
	snprintf(r->version, sizeof(r->version), "1.%d.0", i);
	snprintf(r->description, sizeof(r->description), "test plugin %d", i);
	snprintf(r->executable, sizeof(r->executable), "/opt/p%d", i);
	snprintf(r->message, sizeof(r->message), "ok %d", i);
	snprintf(r->details, sizeof(r->details), "k=%d", i);
	r->state = i == 2 ? VIGIL_STATE_DEGRADED : VIGIL_STATE_HEALTHY;
	r->flags = VIGIL_REC_IN_USE | VIGIL_REC_CONNECTED |
	    (i == 0 ? VIGIL_REC_REQUIRED : 0);
	r->pid = 100 + i;
	r->consecutive_failures = (uint32_t)i;
	r->consecutive_successes = 7;
	r->restart_count = 1;
	r->restarts_last_hour = 2;
	r->last_exit_code = -1;
	r->last_exit_signal = 9;
	r->last_check_us = NOW - 1500000;
	r->last_healthy_us = NOW - 2500000;
	r->last_state_change_us = NOW - 60000000;
	r->next_restart_us = NOW + 5000000;
	r->started_us = NOW - 70000000;
	r->last_response_us = 3000 + (uint64_t)i;
	r->avg_response_us = 2500;
	r->total_checks = 60;
	r->total_failures = 3;
	r->total_restarts = 4;
	r->check_interval_us = 1000000;
}

/* What view_load derives from the records. */
static void
derive(void)
{
	status_summarize(view.recs, view.n, &view.sum);
}

static int
setup(void **state)
{
	(void)state;
	for (int i = 0; i < NRECS; i++)
		fill(&recs[i], i);
	memset(&view, 0, sizeof(view));
	view.have_sup = true;
	view.sup_status = SUP_UP;
	view.sup.generation = 0x1234;
	view.sup.pid = 42;
	view.sup.flags = VIGIL_SHM_F_READY;
	view.sup.capacity = 64;
	view.sup.count = NRECS;
	view.sup.created_us = NOW - 90000000;
	view.sup.heartbeat_us = NOW - 100000;
	view.sup.heartbeat_age_ms = 100;
	view.recs = recs;
	view.n = NRECS;
	view.loaded = true;
	derive();
	return 0;
}

/*
 * The same tests again with views that carry libvigil's write counter,
 * modelled as a hash of the records (equal exactly when they are, which
 * is what vigil_changes promises), so check() also answers through
 * memo_reuse from a view without records.
 */
static bool use_counter;

static int
setup_counted(void **state)
{
	use_counter = true;
	return setup(state);
}

static int
teardown_counted(void **state)
{
	(void)state;
	use_counter = false;
	return 0;
}

static uint64_t
records_counter(void)
{
	const unsigned char *p = (const unsigned char *)recs;
	uint64_t h = 1469598103934665603ULL ^ view.n;

	for (size_t i = 0; i < view.n * sizeof(recs[0]); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* view as view_header leaves it: header and counter, no records. */
static struct view
header_only(void)
{
	struct view h = view;

	h.loaded = false;
	h.recs = NULL;
	h.n = 0;
	memset(&h.sum, 0, sizeof(h.sum));
	return h;
}

/* The answers the handlers give (apiserver/render.c), by kind. */
static const memo_render_fn renders[MEMO_KINDS] = {
	[MEMO_HEALTH] = answer_health,
	[MEMO_READINESS] = answer_readiness,
	[MEMO_PLUGINS_STATUS] = answer_plugins_status,
	[MEMO_PLUGINS_HEALTH] = answer_plugins_health,
};

/* What routes.c's memoized() does; true when memo_reuse answered. */
static bool
respond(struct memo *m, enum memo_kind k, int64_t now,
    struct response *resp)
{
	struct view h;

	if (use_counter) {
		view.have_changes = view.have_sup;
		view.changes = records_counter();
		h = header_only();
		if (memo_reuse(m, k, &h, now, resp))
			return true;
	}
	memo_respond(m, k, &view, now, renders[k], resp);
	return false;
}

/* Wire bytes of a fresh render, for a plain or HEAD request. */
static void
fresh_wire(enum memo_kind k, int64_t now, bool head, struct buf *out)
{
	struct response resp;
	int status = 0;

	response_init(&resp);
	response_json(&resp, 0, renders[k](&view, now, &status));
	resp.status = status;
	assert_int_equal(response_serialize(&resp, head, out), 0);
	response_free(&resp);
}

/* The answer each kind shared last (to tell a memo hit). */
static const struct response_shared *last[MEMO_KINDS];

/*
 * What a handler sends, checked against a fresh render through every
 * way the answer can be written. Returns whether the memo answered with
 * the same bytes it answered the previous check with.
 */
static bool
check(struct memo *m, enum memo_kind k, int64_t now)
{
	struct response resp;
	struct buf fresh, got;
	const char *p;
	size_t len;
	bool same;

	buf_init(&fresh);
	buf_init(&got);
	response_init(&resp);
	respond(m, k, now, &resp);
	assert_non_null(resp.shared);
	same = resp.shared == last[k];
	last[k] = resp.shared;
	for (int head = 0; head <= 1; head++) {
		fresh_wire(k, now, head, &fresh);
		assert_int_equal(response_serialize(&resp, head, &got), 0);
		assert_int_equal(got.len, fresh.len);
		assert_memory_equal(got.data, fresh.data, fresh.len);
		assert_non_null(p = response_prebuilt(&resp, head, &len));
		assert_int_equal(len, fresh.len);
		assert_memory_equal(p, fresh.data, fresh.len);
	}
	/* An HTTP/1.0 keep-alive answer adds a header: not prebuilt. */
	resp.keep_alive = true;
	assert_null(response_prebuilt(&resp, false, &len));
	response_free(&resp);
	buf_free(&fresh);
	buf_free(&got);
	return same;
}

static void
check_all(struct memo *m, int64_t now)
{
	for (int k = 0; k < MEMO_KINDS; k++)
		check(m, (enum memo_kind)k, now);
}

static void
test_same_inputs_hit(void **state)
{
	struct memo *m = memo_new();

	(void)state;
	assert_non_null(m);
	for (int k = 0; k < MEMO_KINDS; k++) {
		assert_false(check(m, (enum memo_kind)k, NOW));
		assert_true(check(m, (enum memo_kind)k, NOW));
		/* The timestamp is printed in whole seconds. */
		assert_true(check(m, (enum memo_kind)k, NOW + 999999));
		assert_false(check(m, (enum memo_kind)k, NOW + 1000000));
		/* A new age is spliced in: new bytes, no new render needed. */
		view.sup.heartbeat_age_ms++;
		assert_false(check(m, (enum memo_kind)k, NOW + 1000000));
		assert_true(check(m, (enum memo_kind)k, NOW + 1000000));
	}
	memo_free(m);
}

/* Each byte of each record alone, against an answer memoized before. */
static void
test_each_record_byte(void **state)
{
	struct memo *m = memo_new();

	(void)state;
	for (size_t i = 0; i < NRECS; i++) {
		unsigned char *p = (unsigned char *)&recs[i];

		for (size_t off = 0; off < sizeof(recs[i]); off++) {
			unsigned char saved = p[off];

			check_all(m, NOW);
			/* 0x01 keeps strings terminated within their field. */
			p[off] = saved ^ 0x01;
			derive();
			check_all(m, NOW);
			p[off] = saved;
			derive();
		}
	}
	memo_free(m);
}

/* Each byte of the supervisor's header fields alone. */
static void
test_each_supervisor_byte(void **state)
{
	unsigned char *p = (unsigned char *)&view.sup;
	struct memo *m = memo_new();

	(void)state;
	for (size_t off = 0; off < sizeof(view.sup); off++) {
		unsigned char saved = p[off];

		check_all(m, NOW);
		p[off] = saved ^ 0x01;
		check_all(m, NOW);
		p[off] = saved;
	}
	/* No heartbeat yet: heartbeatAgeMs is left out. */
	check_all(m, NOW);
	view.sup.heartbeat_age_ms = UINT64_MAX;
	check_all(m, NOW);
	memo_free(m);
}

/* Supervisor status, header presence, record count, time: each alone. */
static void
test_each_other_input(void **state)
{
	static const int64_t nows[] = {
		NOW, NOW + 1, NOW - 1, NOW + 1000000, 0, 1, 999999, 1000000,
		-1, 253402300800000000LL /* year 10000 */
	};
	struct memo *m = memo_new();

	(void)state;
	for (int s = SUP_UP; s <= SUP_ERROR; s++) {
		check_all(m, NOW);
		view.sup_status = (enum sup_status)s;
		check_all(m, NOW);
		view.have_sup = !view.have_sup;
		check_all(m, NOW);
		view.have_sup = !view.have_sup;
	}
	view.sup_status = SUP_UP;
	for (size_t n = 0; n <= NRECS; n++) {
		check_all(m, NOW);
		view.n = n;
		derive();
		check_all(m, NOW);
	}
	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++)
		check_all(m, nows[i]);
	memo_free(m);
}

/* A random walk over the inputs: many at once, and back again. */
static void
test_random_walk(void **state)
{
	struct memo *m = memo_new();
	uint64_t x = 88172645463325252ULL;
	int64_t now = NOW;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (x % 6) {
		case 0:
			now += (int64_t)(x >> 8) % 700000;
			break;
		case 1:
			view.sup.heartbeat_age_ms = (x >> 8) % 4 == 0 ?
			    UINT64_MAX : (x >> 10) % 2000;
			break;
		case 2:
			recs[(x >> 8) % NRECS].state = (uint32_t)((x >> 16) %
			    VIGIL_STATE_COUNT);
			break;
		case 3:
			recs[(x >> 8) % NRECS].last_check_us = now -
			    (int64_t)((x >> 16) % 3000000);
			break;
		case 4:
			view.sup_status = (x >> 8) % 3 == 0 ?
			    SUP_HEARTBEAT_STALE : SUP_UP;
			break;
		default:
			view.n = (x >> 8) % (NRECS + 1);
			break;
		}
		derive();
		check_all(m, now);
	}
	memo_free(m);
}

/* The heartbeat's age alone, through digit counts and its extremes. */
static void
test_each_age(void **state)
{
	static const uint64_t ages[] = {
		0, 1, 9, 10, 99, 100, 101, 3000, 12345, 9, UINT64_MAX - 1,
		UINT64_MAX, 5, UINT64_MAX, 0
	};
	struct memo *m = memo_new();

	(void)state;
	for (int s = SUP_UP; s <= SUP_HEARTBEAT_STALE; s += SUP_HEARTBEAT_STALE)
		for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
			view.sup_status = (enum sup_status)s;
			view.sup.heartbeat_age_ms = ages[i];
			check_all(m, NOW);
			check_all(m, NOW);
		}
	/* Supervisor down: no header fields printed, any age. */
	view.have_sup = false;
	view.sup_status = SUP_NO_SEGMENT;
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		view.sup.heartbeat_age_ms = ages[i];
		check_all(m, NOW);
	}
	memo_free(m);
}

static int renders_done;

static json_object *
counted_health_body(const struct view *v, int64_t now, int *status)
{
	renders_done++;
	return answer_health(v, now, status);
}

/* A new age alone is spliced into the kept answer, not rendered again. */
static void
test_age_spliced_not_rendered(void **state)
{
	struct memo *m = memo_new();
	struct response resp;
	struct buf fresh, got;

	(void)state;
	buf_init(&fresh);
	buf_init(&got);
	renders_done = 0;
	for (uint64_t age = 0; age < 2000; age += 7) {
		view.sup.heartbeat_age_ms = age;
		response_init(&resp);
		memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body,
		    &resp);
		fresh_wire(MEMO_HEALTH, NOW, false, &fresh);
		assert_int_equal(response_serialize(&resp, false, &got), 0);
		assert_int_equal(got.len, fresh.len);
		assert_memory_equal(got.data, fresh.data, fresh.len);
		response_free(&resp);
	}
	assert_int_equal(renders_done, 1);
	/* A heartbeat later in the same second: printed the same. */
	view.sup.heartbeat_us += 50000;
	response_init(&resp);
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	assert_int_equal(renders_done, 1);
	/* Anything else changing renders again. */
	recs[0].restart_count++;
	response_init(&resp);
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	assert_int_equal(renders_done, 2);
	buf_free(&fresh);
	buf_free(&got);
	memo_free(m);
}

/* One buffer (response_finish) gives the bytes of two (serialize). */
static void
test_finish_matches_serialize(void **state)
{
	struct memo *m = memo_new();
	struct response resp;
	struct buf want;

	(void)state;
	buf_init(&want);
	for (int k = 0; k < MEMO_KINDS; k++)
		for (int mode = 0; mode < 8; mode++) {
			bool head = mode & 1, keep = mode & 2;
			bool shared = mode & 4;

			response_init(&resp);
			memo_respond(shared ? m : NULL, (enum memo_kind)k, &view,
			    NOW, renders[k], &resp);
			assert_true(shared == (resp.shared != NULL));
			resp.keep_alive = keep;
			assert_int_equal(response_serialize(&resp, head, &want),
			    0);
			assert_int_equal(response_finish(&resp, head), 0);
			assert_null(resp.shared);
			assert_int_equal(resp.body.len, want.len);
			assert_memory_equal(resp.body.data, want.data,
			    want.len);
			response_free(&resp);
		}
	/* An error body, and an empty one. */
	response_init(&resp);
	response_error(&resp, 404, "no such endpoint");
	assert_int_equal(response_serialize(&resp, false, &want), 0);
	assert_int_equal(response_finish(&resp, false), 0);
	assert_int_equal(resp.body.len, want.len);
	assert_memory_equal(resp.body.data, want.data, want.len);
	response_free(&resp);
	response_init(&resp);
	resp.status = 200;
	assert_int_equal(response_serialize(&resp, false, &want), 0);
	assert_int_equal(response_finish(&resp, false), 0);
	assert_int_equal(resp.body.len, want.len);
	assert_memory_equal(resp.body.data, want.data, want.len);
	response_free(&resp);
	buf_free(&want);
	memo_free(m);
}

/* Workers answering at once, each with its own heartbeat age. */
static struct memo *shared_memo;

static void *
worker(void *arg)
{
	struct view mine = view;
	struct response resp, fresh;
	struct buf a, b;
	int id = (int)(intptr_t)arg, bad = 0;

	buf_init(&a);
	buf_init(&b);
	for (int i = 0; i < 400; i++) {
		mine.sup.heartbeat_age_ms = (uint64_t)(i / 8 + id % 2);
		response_init(&resp);
		memo_respond(shared_memo, (enum memo_kind)(i % MEMO_KINDS),
		    &mine, NOW, renders[i % MEMO_KINDS], &resp);
		response_init(&fresh);
		memo_respond(NULL, (enum memo_kind)(i % MEMO_KINDS), &mine,
		    NOW, renders[i % MEMO_KINDS], &fresh);
		if (response_serialize(&resp, false, &a) == -1 ||
		    response_serialize(&fresh, false, &b) == -1 ||
		    a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			bad++;
		response_free(&resp);
		response_free(&fresh);
	}
	buf_free(&a);
	buf_free(&b);
	return (void *)(intptr_t)bad;
}

static void
test_concurrent_workers(void **state)
{
	pthread_t t[6];
	void *bad;

	(void)state;
	shared_memo = memo_new();
	for (int i = 0; i < 6; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker,
		    (void *)(intptr_t)i), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((intptr_t)bad, 0);
	}
	memo_free(shared_memo);
}

/*
 * With the write counter of the answer's records, an answer comes from
 * the header alone: no records read, no render, the bytes of a fresh
 * render. Any other counter, or none, needs the records.
 */
static void
test_counter_hit_without_records(void **state)
{
	struct memo *m = memo_new();
	struct response resp;
	struct buf fresh, got;
	struct view h;

	(void)state;
	buf_init(&fresh);
	buf_init(&got);
	view.have_changes = true;
	view.changes = 1000;
	renders_done = 0;
	response_init(&resp);
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	assert_int_equal(renders_done, 1);
	h = header_only();
	for (int i = 0; i < 2; i++) {
		response_init(&resp);
		assert_true(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
		fresh_wire(MEMO_HEALTH, NOW, false, &fresh);
		assert_int_equal(response_serialize(&resp, false, &got), 0);
		assert_int_equal(got.len, fresh.len);
		assert_memory_equal(got.data, fresh.data, fresh.len);
		response_free(&resp);
		/* A new age is spliced in, still without the records. */
		view.sup.heartbeat_age_ms = h.sup.heartbeat_age_ms += 333;
	}
	assert_int_equal(renders_done, 1);
	h.changes = 1002;
	response_init(&resp);
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	h.changes = 1000;
	h.have_changes = false;
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	/* The same counter of another segment is another count. */
	h.have_changes = true;
	h.sup.generation++;
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	h.sup.generation--;
	h.sup.created_us++;
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	h.sup.created_us--;
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW + 1000000, &resp));
	assert_true(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	response_free(&resp);
	/* No memo: nothing to reuse. */
	response_init(&resp);
	assert_false(memo_reuse(NULL, MEMO_HEALTH, &h, NOW, &resp));
	response_free(&resp);
	buf_free(&fresh);
	buf_free(&got);
	memo_free(m);
}

/*
 * Records rewritten with the same bytes move the counter: the records
 * still match (no render), and the next answer made from the kept one (a
 * new age spliced in) takes the new counter, so the requests after it
 * need no records again.
 */
static void
test_counter_follows_identical_rewrite(void **state)
{
	struct memo *m = memo_new();
	struct response resp;
	struct view h;

	(void)state;
	view.have_changes = true;
	view.changes = 40;
	renders_done = 0;
	response_init(&resp);
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	view.changes = 42;
	h = header_only();
	response_init(&resp);
	assert_false(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	assert_int_equal(renders_done, 1);
	/* A new age: spliced, and kept with the counter of this view. */
	view.changes = 44;
	view.sup.heartbeat_age_ms += 5;
	response_init(&resp);
	memo_respond(m, MEMO_HEALTH, &view, NOW, counted_health_body, &resp);
	response_free(&resp);
	h = header_only();
	response_init(&resp);
	assert_true(memo_reuse(m, MEMO_HEALTH, &h, NOW, &resp));
	response_free(&resp);
	assert_int_equal(renders_done, 1);
	memo_free(m);
}

/* Without a memo every answer is rendered, with the same bytes. */
static void
test_no_memo(void **state)
{
	struct response resp;
	struct buf fresh, got;

	(void)state;
	buf_init(&fresh);
	buf_init(&got);
	response_init(&resp);
	memo_respond(NULL, MEMO_HEALTH, &view, NOW, answer_health, &resp);
	assert_null(resp.shared);
	fresh_wire(MEMO_HEALTH, NOW, false, &fresh);
	assert_int_equal(response_serialize(&resp, false, &got), 0);
	assert_int_equal(got.len, fresh.len);
	assert_memory_equal(got.data, fresh.data, fresh.len);
	response_free(&resp);
	buf_free(&fresh);
	buf_free(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_same_inputs_hit, setup),
		cmocka_unit_test_setup(test_each_record_byte, setup),
		cmocka_unit_test_setup(test_each_supervisor_byte, setup),
		cmocka_unit_test_setup(test_each_other_input, setup),
		cmocka_unit_test_setup(test_each_age, setup),
		cmocka_unit_test_setup(test_age_spliced_not_rendered, setup),
		cmocka_unit_test_setup(test_random_walk, setup),
		cmocka_unit_test_setup(test_finish_matches_serialize, setup),
		cmocka_unit_test_setup(test_concurrent_workers, setup),
		cmocka_unit_test_setup(test_no_memo, setup),
		cmocka_unit_test_setup(test_counter_hit_without_records, setup),
		cmocka_unit_test_setup(test_counter_follows_identical_rewrite,
		    setup),
		cmocka_unit_test_setup_teardown(test_same_inputs_hit,
		    setup_counted, teardown_counted),
		cmocka_unit_test_setup_teardown(test_each_record_byte,
		    setup_counted, teardown_counted),
		cmocka_unit_test_setup_teardown(test_each_supervisor_byte,
		    setup_counted, teardown_counted),
		cmocka_unit_test_setup_teardown(test_each_other_input,
		    setup_counted, teardown_counted),
		cmocka_unit_test_setup_teardown(test_each_age,
		    setup_counted, teardown_counted),
		cmocka_unit_test_setup_teardown(test_random_walk,
		    setup_counted, teardown_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
