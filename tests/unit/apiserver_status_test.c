/* Unit tests for apiserver/status.c: overall, readiness, supervisor rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "status.h"

static struct vigil_record recs[8];
static size_t nrecs;

static void
add(uint32_t state, int required)
{
	struct vigil_record *r = &recs[nrecs++];

	memset(r, 0, sizeof(*r));
	r->state = state;
	r->flags = VIGIL_REC_IN_USE | (required ? VIGIL_REC_REQUIRED : 0);
}

static enum overall
overall(enum sup_status sup)
{
	struct status_summary s;

	status_summarize(recs, nrecs, &s);
	return status_overall(&s, sup);
}

static bool
ready(enum sup_status sup)
{
	struct status_summary s;

	status_summarize(recs, nrecs, &s);
	return status_ready(&s, sup);
}

static int
reset(void **state)
{
	(void)state;
	nrecs = 0;
	return 0;
}

static void
test_zero_plugins_healthy(void **state)
{
	(void)state;
	assert_int_equal(overall(SUP_UP), OVERALL_HEALTHY);
	assert_true(ready(SUP_UP));
	assert_int_equal(overall(SUP_NO_SEGMENT), OVERALL_UNHEALTHY);
	assert_false(ready(SUP_NO_SEGMENT));
}

static void
test_all_healthy(void **state)
{
	(void)state;
	add(VIGIL_STATE_HEALTHY, 1);
	add(VIGIL_STATE_HEALTHY, 0);
	assert_int_equal(overall(SUP_UP), OVERALL_HEALTHY);
	assert_int_equal(status_overall_http(OVERALL_HEALTHY), 200);
}

/* Each of these states alone makes the whole degraded, not unhealthy. */
static void
test_degraded_states(void **state)
{
	static const uint32_t states[] = {
		VIGIL_STATE_DEGRADED, VIGIL_STATE_UNKNOWN, VIGIL_STATE_STARTING,
		VIGIL_STATE_RESTARTING, VIGIL_STATE_STOPPED
	};

	(void)state;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		nrecs = 0;
		add(VIGIL_STATE_HEALTHY, 1);
		add(states[i], 0);
		assert_int_equal(overall(SUP_UP), OVERALL_DEGRADED);
	}
	assert_int_equal(status_overall_http(OVERALL_DEGRADED), 200);
}

static void
test_unhealthy_states(void **state)
{
	(void)state;
	add(VIGIL_STATE_DEGRADED, 1);
	add(VIGIL_STATE_UNHEALTHY, 0);
	assert_int_equal(overall(SUP_UP), OVERALL_UNHEALTHY);
	nrecs = 0;
	add(VIGIL_STATE_RESTARTING, 1);
	add(VIGIL_STATE_FAILED, 0);
	assert_int_equal(overall(SUP_UP), OVERALL_UNHEALTHY);
	assert_int_equal(status_overall_http(OVERALL_UNHEALTHY), 503);
}

static void
test_supervisor_down_is_unhealthy(void **state)
{
	(void)state;
	add(VIGIL_STATE_HEALTHY, 1);
	assert_int_equal(overall(SUP_HEARTBEAT_STALE), OVERALL_UNHEALTHY);
	assert_int_equal(overall(SUP_STOPPED), OVERALL_UNHEALTHY);
	assert_false(ready(SUP_HEARTBEAT_STALE));
}

/* Only required plugins count; degraded counts as ready. */
static void
test_readiness(void **state)
{
	(void)state;
	add(VIGIL_STATE_DEGRADED, 1);
	add(VIGIL_STATE_FAILED, 0);
	assert_true(ready(SUP_UP));
	add(VIGIL_STATE_STARTING, 1);
	assert_false(ready(SUP_UP));
}

static void
test_supervisor_mapping(void **state)
{
	(void)state;
	assert_int_equal(status_supervisor(0, 100, 3000), SUP_UP);
	assert_int_equal(status_supervisor(0, 3000, 3000), SUP_UP);
	assert_int_equal(status_supervisor(0, 3001, 3000),
	    SUP_HEARTBEAT_STALE);
	assert_int_equal(status_supervisor(0, UINT64_MAX, 3000),
	    SUP_HEARTBEAT_STALE);
	assert_int_equal(status_supervisor(ENOENT, 0, 3000), SUP_NO_SEGMENT);
	assert_int_equal(status_supervisor(ESTALE, 0, 3000), SUP_STOPPED);
	assert_int_equal(status_supervisor(EPROTO, 0, 3000), SUP_INCOMPATIBLE);
	assert_int_equal(status_supervisor(EAGAIN, 0, 3000), SUP_BUSY);
	assert_int_equal(status_supervisor(EIO, 0, 3000), SUP_ERROR);
	assert_string_equal(status_supervisor_reason(SUP_UP), "");
	assert_true(strlen(status_supervisor_reason(SUP_BUSY)) > 0);
}

static void
test_summary_counts(void **state)
{
	struct status_summary s;

	(void)state;
	add(VIGIL_STATE_HEALTHY, 1);
	add(VIGIL_STATE_HEALTHY, 0);
	add(VIGIL_STATE_FAILED, 1);
	recs[0].flags |= VIGIL_REC_CONNECTED;
	add(99, 0);	/* out of range counts as unknown */
	status_summarize(recs, nrecs, &s);
	assert_int_equal(s.total, 4);
	assert_int_equal(s.by_state[VIGIL_STATE_HEALTHY], 2);
	assert_int_equal(s.by_state[VIGIL_STATE_FAILED], 1);
	assert_int_equal(s.by_state[VIGIL_STATE_UNKNOWN], 1);
	assert_int_equal(s.connected, 1);
	assert_int_equal(s.required, 2);
	assert_int_equal(s.required_ready, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_zero_plugins_healthy, reset),
		cmocka_unit_test_setup(test_all_healthy, reset),
		cmocka_unit_test_setup(test_degraded_states, reset),
		cmocka_unit_test_setup(test_unhealthy_states, reset),
		cmocka_unit_test_setup(test_supervisor_down_is_unhealthy, reset),
		cmocka_unit_test_setup(test_readiness, reset),
		cmocka_unit_test_setup(test_supervisor_mapping, reset),
		cmocka_unit_test_setup(test_summary_counts, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
