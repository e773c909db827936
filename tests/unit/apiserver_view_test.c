/*
 * Unit tests for apiserver/view.c against a real segment: the write
 * counter a view carries describes exactly the records it holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "shmstate.h"
#include "timeutil.h"
#include "view.h"

static char name[64];
static struct shmstate *seg;
static struct worker *w;
static int slot;

static void
publish(uint32_t state)
{
	struct vigil_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "one");
	r.state = state;
	r.flags = VIGIL_REC_IN_USE | VIGIL_REC_REQUIRED;
	shmstate_publish(seg, slot, &r);
}

static int
setup(void **state)
{
	char err[128];

	(void)state;
	snprintf(name, sizeof(name), "/vigil-unit-view-%d-%llu", (int)getpid(),
	    (unsigned long long)time_mono_ns());
	seg = shmstate_create(name, 4, err, sizeof(err));
	assert_non_null(seg);
	shmstate_heartbeat(seg, time_mono_ns(), 1);
	slot = shmstate_alloc(seg);
	assert_true(slot >= 0);
	publish(VIGIL_STATE_HEALTHY);
	w = worker_new(name);
	assert_non_null(w);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	worker_free(w);
	shmstate_destroy(seg, 1);
	return 0;
}

/* Nothing written between header and records: the counter is kept. */
static void
test_counter_kept(void **state)
{
	struct view v;
	uint64_t c;

	(void)state;
	view_header(w, 3000, &v);
	assert_true(v.have_sup);
	assert_true(v.have_changes);
	assert_false(v.loaded);
	c = v.changes;
	view_records(w, &v);
	assert_true(v.loaded);
	assert_int_equal(v.n, 1);
	assert_true(v.have_changes);
	assert_true(v.changes == c);
	/* The next header sees the same count. */
	view_header(w, 3000, &v);
	assert_true(v.have_changes && v.changes == c);
}

/*
 * A write between the header and the records: the records are newer than
 * the counter read with the header, so the view must not carry it (a memo
 * entry keyed on it would answer later requests with the old count).
 */
static void
test_write_between_drops_counter(void **state)
{
	struct view v;

	(void)state;
	view_header(w, 3000, &v);
	assert_true(v.have_changes);
	publish(VIGIL_STATE_UNHEALTHY);
	view_records(w, &v);
	assert_true(v.loaded);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.recs[0].state, VIGIL_STATE_UNHEALTHY);
	assert_false(v.have_changes);
}

/* No segment: no header, no counter, an empty loaded view. */
static void
test_no_segment(void **state)
{
	struct worker *none = worker_new("/vigil-unit-view-none");
	struct view v;

	(void)state;
	assert_non_null(none);
	view_header(none, 3000, &v);
	assert_false(v.have_sup);
	assert_false(v.have_changes);
	view_records(none, &v);
	assert_true(v.loaded);
	assert_int_equal(v.n, 0);
	worker_free(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counter_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_between_drops_counter,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_segment, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
