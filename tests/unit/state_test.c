/* Unit tests for supervisor/state.c: every transition, with injected time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "../../supervisor/state.h"

#define T0		1000000u	/* start time; not 0, below one hour */
#define HOUR		3600000u

#define ST_UNKNOWN	VIGIL_STATE_UNKNOWN
#define ST_HEALTHY	VIGIL_STATE_HEALTHY
#define ST_UNHEALTHY	VIGIL_STATE_UNHEALTHY
#define ST_DEGRADED	VIGIL_STATE_DEGRADED
#define ST_RESTARTING	VIGIL_STATE_RESTARTING
#define ST_FAILED	VIGIL_STATE_FAILED
#define ST_STARTING	VIGIL_STATE_STARTING
#define ST_STOPPED	VIGIL_STATE_STOPPED

#define SPAWN		FSM_ACT_SPAWN
#define STOP		FSM_ACT_STOP

/* One plugin under test: machine, config and the test's clock. */
struct tc {
	struct fsm		f;
	struct health_config	h;
	uint64_t		now;
};

/* Small values so that every threshold and cap is reached quickly. */
static struct health_config
test_config(void)
{
	struct health_config h;

	memset(&h, 0, sizeof(h));
	h.check_interval_ms = 100;
	h.check_timeout_ms = 50;
	h.failure_threshold = 3;
	h.success_threshold = 2;
	h.max_restarts = 5;
	h.restart_backoff_ms = 1000;
	h.max_restart_backoff_ms = 3500;	/* cap reached at n = 4 */
	h.stable_period_ms = 60000;
	h.degraded_latency_ms = 200;
	h.start_timeout_ms = 500;
	h.stop_timeout_ms = 100;
	return h;
}

static void
tc_init(struct tc *t)
{
	t->h = test_config();
	t->now = T0;
	fsm_init(&t->f, t->now);
}

static unsigned
ev_full(struct tc *t, enum fsm_event_type type, uint64_t latency,
    int32_t jitter)
{
	struct fsm_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.latency_ms = latency;
	ev.jitter_permille = jitter;
	return fsm_step(&t->f, &t->h, &ev, t->now);
}

static unsigned
ev(struct tc *t, enum fsm_event_type type)
{
	return ev_full(t, type, 10, 0);
}

static unsigned
ev_at(struct tc *t, enum fsm_event_type type, uint64_t now)
{
	t->now = now;
	return ev(t, type);
}

static unsigned
tick_at(struct tc *t, uint64_t now)
{
	return ev_at(t, FSM_EV_TICK, now);
}

/* init, SPAWNED, CONNECTED: UNKNOWN with checks wanted. */
static void
to_unknown(struct tc *t)
{
	tc_init(t);
	assert_int_equal(ev(t, FSM_EV_SPAWNED), 0);
	assert_int_equal(ev(t, FSM_EV_CONNECTED), 0);
	assert_int_equal(t->f.state, ST_UNKNOWN);
}

static void
to_healthy(struct tc *t)
{
	uint32_t i;

	to_unknown(t);
	for (i = 0; i < t->h.success_threshold; i++)
		assert_int_equal(ev(t, FSM_EV_CHECK_OK), 0);
	assert_int_equal(t->f.state, ST_HEALTHY);
}

/* From a live state, fail checks until detection: STOP is returned. */
static void
fail_until_unhealthy(struct tc *t)
{
	uint32_t i;

	for (i = 1; i < t->h.failure_threshold; i++)
		assert_int_equal(ev(t, FSM_EV_CHECK_FAIL), 0);
	assert_int_equal(ev(t, FSM_EV_CHECK_FAIL), STOP);
	/* FAILED when the restart budget is used up */
	assert_true(t->f.state == ST_UNHEALTHY || t->f.state == ST_FAILED);
}

/* Let the scheduled restart happen and bring the new process up. */
static void
restart_to_unknown(struct tc *t)
{
	assert_true(t->f.restart_pending);
	assert_int_equal(tick_at(t, t->f.next_restart_ms), SPAWN);
	assert_int_equal(ev(t, FSM_EV_SPAWNED), 0);
	assert_int_equal(ev(t, FSM_EV_CONNECTED), 0);
	assert_int_equal(t->f.state, ST_UNKNOWN);
}

/* ---- init, spawn, connect ------------------------------------------ */

static void
test_init_starting_nothing_running(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_false(t.f.running);
	assert_false(t.f.connected);
	assert_false(t.f.restart_pending);
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.total_restarts, 0);
	assert_int_equal(t.f.state_since_ms, T0);
	assert_non_null(t.f.reason);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_false(fsm_wants_checks(&t.f));
	assert_false(fsm_available(&t.f));
}

static void
test_first_spawn_is_not_a_restart(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.now = T0 + 7;
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_true(t.f.running);
	assert_false(t.f.connected);
	assert_false(t.f.stopping);
	assert_int_equal(t.f.spawned_ms, T0 + 7);
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.total_restarts, 0);
	assert_int_equal(fsm_restarts_last_hour(&t.f, t.now), 0);
	assert_string_equal(t.f.reason, "process spawned");
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 7 + 500);
}

static void
test_spawned_resets_consecutive_counters(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	fail_until_unhealthy(&t);
	assert_int_equal(t.f.consecutive_failures, 3);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(tick_at(&t, t.f.next_restart_ms), SPAWN);
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_int_equal(t.f.consecutive_failures, 0);
	assert_int_equal(t.f.consecutive_successes, 0);
	assert_int_equal(t.f.spawned_ms, t.now);
}

static void
test_connected_starting_to_unknown(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_false(fsm_wants_checks(&t.f));
	assert_int_equal(ev_at(&t, FSM_EV_CONNECTED, T0 + 40), 0);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	assert_true(t.f.connected);
	assert_int_equal(t.f.state_since_ms, T0 + 40);
	assert_true(fsm_wants_checks(&t.f));
	assert_false(fsm_available(&t.f));
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
}

static void
test_connected_ignored_without_process(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	assert_int_equal(ev(&t, FSM_EV_CONNECTED), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_false(t.f.connected);
}

static void
test_connected_ignored_while_stopping(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_SHUTDOWN), STOP);
	assert_int_equal(ev(&t, FSM_EV_CONNECTED), 0);
	assert_false(t.f.connected);
	assert_int_equal(t.f.state, ST_STOPPED);
}

static void
test_connected_twice_ignored(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev(&t, FSM_EV_CONNECTED), 0);
	assert_int_equal(t.f.state, ST_HEALTHY);
}

static void
test_spawn_failed_schedules_restart(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	assert_int_equal(ev(&t, FSM_EV_SPAWN_FAILED), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_false(t.f.running);
	assert_string_equal(t.f.reason, "spawn failed");
	assert_true(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, T0 + 1000);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 1000);
	assert_int_equal(tick_at(&t, T0 + 999), 0);
	assert_int_equal(tick_at(&t, T0 + 1000), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(t.f.restart_count, 1);
}

static void
test_spawn_failed_ignored_when_running(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	assert_int_equal(ev(&t, FSM_EV_SPAWN_FAILED), 0);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	assert_true(t.f.running);
}

static void
test_spawn_failed_loop_ends_failed(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	tc_init(&t);
	for (i = 0; i < t.h.max_restarts; i++) {
		assert_int_equal(ev(&t, FSM_EV_SPAWN_FAILED), 0);
		assert_int_equal(tick_at(&t, t.f.next_restart_ms), SPAWN);
	}
	assert_int_equal(ev(&t, FSM_EV_SPAWN_FAILED), 0);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(t.f.total_restarts, 5);
}

static void
test_duplicate_spawned_ignored(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	assert_int_equal(ev_at(&t, FSM_EV_SPAWNED, T0 + 50), 0);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	assert_true(t.f.connected);
	assert_int_equal(t.f.spawned_ms, T0);
}

/* ---- health checks -------------------------------------------------- */

/* Go bug: SuccessThreshold was never used. */
static void
test_regression_success_threshold_honoured(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 100);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	assert_int_equal(t.f.consecutive_successes, 1);
	assert_false(fsm_available(&t.f));
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 200);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.healthy_since_ms, T0 + 200);
	assert_int_equal(t.f.state_since_ms, T0 + 200);
	assert_true(fsm_available(&t.f));
}

static void
test_success_threshold_needs_consecutive(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	ev(&t, FSM_EV_CHECK_OK);
	ev(&t, FSM_EV_CHECK_FAIL);
	assert_int_equal(t.f.consecutive_successes, 0);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
}

static void
test_success_threshold_larger(void **state)
{
	struct tc t;
	int i;

	(void)state;
	tc_init(&t);
	t.h.success_threshold = 5;
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_CONNECTED);
	for (i = 0; i < 4; i++)
		ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
}

static void
test_healthy_stays_healthy(void **state)
{
	struct tc t;
	uint64_t since;

	(void)state;
	to_healthy(&t);
	since = t.f.healthy_since_ms;
	assert_int_equal(ev_at(&t, FSM_EV_CHECK_OK, T0 + 5000), 0);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.healthy_since_ms, since);
	assert_int_equal(t.f.state_since_ms, since);
}

static void
test_degraded_reply_from_unknown(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(ev_at(&t, FSM_EV_CHECK_DEGRADED, T0 + 9), 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	assert_int_equal(t.f.state_since_ms, T0 + 9);
	assert_int_equal(t.f.consecutive_successes, 0);
	assert_string_equal(t.f.reason, "check reported degraded");
	assert_true(fsm_available(&t.f));
	assert_true(fsm_wants_checks(&t.f));
}

static void
test_degraded_from_healthy_clears_healthy_since(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev(&t, FSM_EV_CHECK_DEGRADED), 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	assert_int_equal(t.f.healthy_since_ms, 0);
}

static void
test_degraded_recovers_after_success_threshold(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_CHECK_DEGRADED);
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 100);
	assert_int_equal(t.f.state, ST_DEGRADED);
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 200);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.healthy_since_ms, T0 + 200);
}

/* Go bug: a DEGRADED reply counted as a failure. */
static void
test_regression_degraded_is_not_a_failure(void **state)
{
	struct tc t;
	int i;

	(void)state;
	to_healthy(&t);
	for (i = 0; i < 100; i++) {
		t.now += 100;
		assert_int_equal(ev(&t, FSM_EV_CHECK_DEGRADED), 0);
		assert_int_equal(t.f.state, ST_DEGRADED);
		assert_int_equal(t.f.consecutive_failures, 0);
	}
	assert_false(t.f.restart_pending);
	assert_int_equal(t.f.total_restarts, 0);
	/* and it breaks a run of failures like a success does */
	ev(&t, FSM_EV_CHECK_FAIL);
	ev(&t, FSM_EV_CHECK_FAIL);
	ev(&t, FSM_EV_CHECK_DEGRADED);
	assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	assert_int_equal(t.f.consecutive_failures, 1);
}

static void
test_slow_success_is_degraded(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev_full(&t, FSM_EV_CHECK_OK, 200, 0), 0);
	assert_int_equal(t.f.state, ST_HEALTHY);	/* equal: not slower */
	assert_int_equal(ev_full(&t, FSM_EV_CHECK_OK, 201, 0), 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	assert_string_equal(t.f.reason, "check slower than degraded_latency");
	assert_int_equal(t.f.consecutive_successes, 0);
	assert_int_equal(t.f.consecutive_failures, 0);
	/* slow answers never lead to a restart */
	assert_int_equal(ev_full(&t, FSM_EV_CHECK_OK, 100000, 0), 0);
	assert_int_equal(ev_full(&t, FSM_EV_CHECK_OK, 100000, 0), 0);
	assert_int_equal(ev_full(&t, FSM_EV_CHECK_OK, 100000, 0), 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	assert_false(t.f.restart_pending);
}

static void
test_slow_success_resets_success_run(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	ev(&t, FSM_EV_CHECK_OK);
	ev_full(&t, FSM_EV_CHECK_OK, 500, 0);
	assert_int_equal(t.f.state, ST_DEGRADED);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_DEGRADED);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
}

static void
test_degraded_latency_zero_disables_limit(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.degraded_latency_ms = 0;
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_CONNECTED);
	ev_full(&t, FSM_EV_CHECK_OK, 999999, 0);
	ev_full(&t, FSM_EV_CHECK_OK, 999999, 0);
	assert_int_equal(t.f.state, ST_HEALTHY);
}

/* Go bug: failures were not required to be consecutive. */
static void
test_regression_nonconsecutive_failures_do_not_trip(void **state)
{
	struct tc t;
	int i;

	(void)state;
	to_healthy(&t);
	for (i = 0; i < 50; i++) {
		assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), 0);
		assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), 0);
		assert_int_equal(ev(&t, FSM_EV_CHECK_OK), 0);
		assert_int_equal(t.f.consecutive_failures, 0);
	}
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_false(t.f.restart_pending);
}

static void
test_failures_from_healthy_make_unhealthy(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_CHECK_FAIL);
	ev(&t, FSM_EV_CHECK_FAIL);
	assert_int_equal(t.f.state, ST_HEALTHY);	/* 2 < threshold */
	t.now = T0 + 300;
	assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(t.f.state_since_ms, T0 + 300);
	assert_string_equal(t.f.reason, "consecutive failed checks");
	assert_int_equal(t.f.consecutive_failures, 3);
	assert_true(t.f.stopping);
	assert_true(t.f.running);
	assert_false(t.f.connected);
	assert_int_equal(t.f.healthy_since_ms, 0);
	assert_true(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, T0 + 300 + 1000);
	assert_false(fsm_wants_checks(&t.f));
	assert_false(fsm_available(&t.f));
	/* waiting for the old process: no deadline yet */
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
}

static void
test_failures_from_unknown_make_unhealthy(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	fail_until_unhealthy(&t);
}

static void
test_failures_from_degraded_make_unhealthy(void **state)
{
	struct tc t;

	(void)state;
	to_unknown(&t);
	ev(&t, FSM_EV_CHECK_DEGRADED);
	fail_until_unhealthy(&t);
}

static void
test_failure_threshold_one(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.failure_threshold = 1;
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_CONNECTED);
	assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
}

/* Stale or early results: no state change and no counter change. */
static void
check_results_ignored(struct tc *t)
{
	struct fsm before = t->f;

	assert_int_equal(ev(t, FSM_EV_CHECK_OK), 0);
	assert_int_equal(ev(t, FSM_EV_CHECK_DEGRADED), 0);
	assert_int_equal(ev(t, FSM_EV_CHECK_FAIL), 0);
	assert_int_equal(ev(t, FSM_EV_CHECK_FAIL), 0);
	assert_int_equal(ev(t, FSM_EV_CHECK_FAIL), 0);
	assert_int_equal(t->f.state, before.state);
	assert_int_equal(t->f.consecutive_failures,
	    before.consecutive_failures);
	assert_int_equal(t->f.consecutive_successes,
	    before.consecutive_successes);
	assert_int_equal(t->f.restart_pending, before.restart_pending);
}

static void
test_checks_ignored_when_not_wanted(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);			/* STARTING, nothing running */
	check_results_ignored(&t);
	ev(&t, FSM_EV_SPAWNED);		/* STARTING, not connected */
	check_results_ignored(&t);
	ev(&t, FSM_EV_CONNECTED);
	fail_until_unhealthy(&t);	/* UNHEALTHY, stopping */
	check_results_ignored(&t);
	ev(&t, FSM_EV_EXITED);		/* UNHEALTHY, waiting */
	check_results_ignored(&t);
	t.f.restart_count = t.h.max_restarts - 1;	/* last restart */
	restart_to_unknown(&t);
	fail_until_unhealthy(&t);
	assert_int_equal(t.f.state, ST_FAILED);
	check_results_ignored(&t);
	ev(&t, FSM_EV_SHUTDOWN);
	check_results_ignored(&t);
}

static void
test_checks_ignored_during_manual_restart(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), STOP);
	check_results_ignored(&t);
	assert_int_equal(t.f.state, ST_RESTARTING);
}

/* ---- process exit --------------------------------------------------- */

/* Go bug: an exited plugin process was never noticed. */
static void
test_regression_exit_detected_immediately(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 1234), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(t.f.state_since_ms, T0 + 1234);
	assert_string_equal(t.f.reason, "process exited");
	assert_false(t.f.running);
	assert_false(t.f.stopping);
	assert_false(t.f.connected);
	assert_true(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, T0 + 1234 + 1000);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 1234 + 1000);
	assert_int_equal(tick_at(&t, T0 + 2234), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
}

static void
test_exit_in_every_live_state(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);	/* from STARTING */

	to_unknown(&t);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);	/* from UNKNOWN */

	to_unknown(&t);
	ev(&t, FSM_EV_CHECK_DEGRADED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);	/* from DEGRADED */
	assert_string_equal(t.f.reason, "process exited");
}

static void
test_expected_exit_is_not_a_failure(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	t.now = T0 + 100;
	fail_until_unhealthy(&t);
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 150), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_string_equal(t.f.reason, "consecutive failed checks");
	assert_false(t.f.running);
	assert_false(t.f.stopping);
	assert_int_equal(t.f.next_restart_ms, T0 + 1100);	/* unchanged */
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 1100);
	assert_int_equal(tick_at(&t, T0 + 1100), SPAWN);
}

static void
test_slow_stop_spawns_on_exit(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	fail_until_unhealthy(&t);
	/* backoff elapsed but the old process is still there */
	assert_int_equal(tick_at(&t, T0 + 5000), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_true(t.f.restart_pending);
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 6000), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(t.f.restart_count, 1);
	assert_int_equal(t.f.restart_times[0], T0 + 6000);
}

static void
test_exit_when_not_running_ignored(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);	/* reaped twice */
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(t.f.next_restart_ms, T0 + 1000);
}

/* ---- restarts and backoff ------------------------------------------ */

static void
test_restart_due_on_tick(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(tick_at(&t, T0 + 999), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(tick_at(&t, T0 + 1000), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(t.f.state_since_ms, T0 + 1000);
	assert_string_equal(t.f.reason, "restarting after backoff");
	assert_int_equal(t.f.restart_count, 1);
	assert_int_equal(t.f.total_restarts, 1);
	assert_int_equal(t.f.restart_times[0], T0 + 1000);
	assert_int_equal(t.f.restart_head, 1);
	assert_false(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, 0);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	/* nothing more until the spawn is reported */
	assert_int_equal(tick_at(&t, T0 + 9000), 0);
	assert_int_equal(t.f.total_restarts, 1);
}

static void
test_restart_due_on_any_event(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev_at(&t, FSM_EV_CHECK_OK, T0 + 1500), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
}

static void
test_late_tick_restarts_once(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(tick_at(&t, T0 + 100000), SPAWN);
	assert_int_equal(tick_at(&t, T0 + 100001), 0);
	assert_int_equal(t.f.total_restarts, 1);
}

static void
test_restart_path_back_to_healthy(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(tick_at(&t, T0 + 1000), SPAWN);
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_int_equal(ev(&t, FSM_EV_CONNECTED), 0);
	assert_int_equal(t.f.state, ST_UNKNOWN);
	ev(&t, FSM_EV_CHECK_OK);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.restart_count, 1);
}

/* The full crash loop: FAILED after exactly max_restarts restarts. */
static void
test_crash_loop_to_failed(void **state)
{
	static const uint64_t delays[] = { 1000, 2000, 3000, 3500, 3500 };
	struct tc t;
	uint64_t exit_at;
	uint32_t i;

	(void)state;
	tc_init(&t);
	for (i = 0; i < 5; i++) {
		assert_int_equal(ev(&t, FSM_EV_SPAWNED), 0);
		t.now += 20;
		exit_at = t.now;
		assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
		assert_int_equal(t.f.state, ST_UNHEALTHY);
		assert_int_equal(t.f.restart_count, i);
		assert_int_equal(t.f.next_restart_ms, exit_at + delays[i]);
		assert_int_equal(tick_at(&t, exit_at + delays[i] - 1), 0);
		assert_int_equal(tick_at(&t, exit_at + delays[i]), SPAWN);
		assert_int_equal(t.f.restart_count, i + 1);
	}
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), 0);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_string_equal(t.f.reason, "max restarts exceeded");
	assert_int_equal(t.f.restart_count, 5);
	assert_int_equal(t.f.total_restarts, 5);
	assert_false(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, 0);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(fsm_restarts_last_hour(&t.f, t.now), 5);
	/* FAILED stays FAILED */
	assert_int_equal(tick_at(&t, t.now + 10 * HOUR), 0);
	assert_int_equal(t.f.state, ST_FAILED);
}

static void
test_crash_loop_uses_event_jitter(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev_full(&t, FSM_EV_EXITED, 0, 100), 0);
	assert_int_equal(t.f.next_restart_ms, T0 + 1100);
	tick_at(&t, T0 + 1100);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev_full(&t, FSM_EV_EXITED, 0, -100), 0);
	assert_int_equal(t.f.next_restart_ms, T0 + 1100 + 1800);
}

static void
test_failed_stops_a_running_process(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	to_healthy(&t);
	for (i = 0; i < t.h.max_restarts; i++) {
		fail_until_unhealthy(&t);
		ev(&t, FSM_EV_EXITED);
		restart_to_unknown(&t);
	}
	ev(&t, FSM_EV_CHECK_FAIL);
	ev(&t, FSM_EV_CHECK_FAIL);
	assert_int_equal(ev(&t, FSM_EV_CHECK_FAIL), STOP);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_true(t.f.stopping);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_false(t.f.running);
	assert_int_equal(tick_at(&t, t.now + HOUR), 0);
}

static void
test_max_restarts_zero_fails_at_once(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.max_restarts = 0;
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(t.f.total_restarts, 0);
}

static void
test_zero_backoff_respawns_in_same_step(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.restart_backoff_ms = 0;
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(t.f.restart_count, 1);
}

static void
test_backoff_linear(void **state)
{
	struct health_config h = test_config();
	uint32_t n;

	(void)state;
	h.max_restart_backoff_ms = 1000000;
	for (n = 1; n <= 20; n++)
		assert_int_equal(fsm_backoff_ms(&h, n, 0), 1000u * n);
}

static void
test_backoff_seed_defaults(void **state)
{
	struct health_config h = test_config();

	(void)state;
	h.restart_backoff_ms = 5000;
	h.max_restart_backoff_ms = 300000;
	assert_int_equal(fsm_backoff_ms(&h, 1, 0), 5000);
	assert_int_equal(fsm_backoff_ms(&h, 5, 0), 25000);
	assert_int_equal(fsm_backoff_ms(&h, 60, 0), 300000);
	assert_int_equal(fsm_backoff_ms(&h, 61, 0), 300000);
}

static void
test_backoff_cap(void **state)
{
	struct health_config h = test_config();

	(void)state;
	assert_int_equal(fsm_backoff_ms(&h, 3, 0), 3000);
	assert_int_equal(fsm_backoff_ms(&h, 4, 0), 3500);
	assert_int_equal(fsm_backoff_ms(&h, 100, 0), 3500);
	h.max_restart_backoff_ms = 500;		/* cap below the base */
	assert_int_equal(fsm_backoff_ms(&h, 1, 0), 500);
}

static void
test_backoff_n_zero(void **state)
{
	struct health_config h = test_config();

	(void)state;
	assert_int_equal(fsm_backoff_ms(&h, 0, 0), 0);
}

static void
test_backoff_jitter_bounds(void **state)
{
	struct health_config h = test_config();
	uint64_t b;
	int32_t j;

	(void)state;
	assert_int_equal(fsm_backoff_ms(&h, 2, 100), 2200);
	assert_int_equal(fsm_backoff_ms(&h, 2, -100), 1800);
	assert_int_equal(fsm_backoff_ms(&h, 2, 37), 2074);
	assert_int_equal(fsm_backoff_ms(&h, 2, 1000), 2200);	/* clamped */
	assert_int_equal(fsm_backoff_ms(&h, 2, -1000), 1800);
	assert_int_equal(fsm_backoff_ms(&h, 2, INT32_MAX), 2200);
	assert_int_equal(fsm_backoff_ms(&h, 2, INT32_MIN), 1800);
	assert_int_equal(fsm_backoff_ms(&h, 4, 100), 3850);	/* after cap */
	for (j = -150; j <= 150; j++) {
		b = fsm_backoff_ms(&h, 3, j);
		assert_true(b >= 2700 && b <= 3300);
	}
}

static void
test_backoff_jitter_sub_second(void **state)
{
	struct health_config h = test_config();

	(void)state;
	h.restart_backoff_ms = 7;
	assert_int_equal(fsm_backoff_ms(&h, 1, 100), 7);	/* floor(7.7) */
	assert_int_equal(fsm_backoff_ms(&h, 1, -100), 6);	/* floor(6.3) */
	h.restart_backoff_ms = 1234567;
	h.max_restart_backoff_ms = UINT64_MAX;
	assert_int_equal(fsm_backoff_ms(&h, 1, 100), 1358023);
}

static void
test_backoff_saturates(void **state)
{
	struct health_config h = test_config();
	uint64_t b;

	(void)state;
	h.restart_backoff_ms = UINT64_MAX / 2;
	h.max_restart_backoff_ms = UINT64_MAX;
	assert_int_equal(fsm_backoff_ms(&h, UINT32_MAX, 0), UINT64_MAX);
	assert_int_equal(fsm_backoff_ms(&h, 3, 0), UINT64_MAX);
	assert_int_equal(fsm_backoff_ms(&h, 3, 100), UINT64_MAX);
	b = fsm_backoff_ms(&h, 3, -100);
	assert_true(b < UINT64_MAX && b > UINT64_MAX / 10 * 8);
	h.max_restart_backoff_ms = 300000;
	assert_int_equal(fsm_backoff_ms(&h, UINT32_MAX, 0), 300000);
	h.restart_backoff_ms = 5000;
	assert_int_equal(fsm_backoff_ms(&h, UINT32_MAX, 100), 330000);
}

static void
test_next_restart_time_saturates(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.max_restart_backoff_ms = UINT64_MAX;
	t.h.restart_backoff_ms = UINT64_MAX;
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(t.f.next_restart_ms, UINT64_MAX);
	assert_int_equal(tick_at(&t, UINT64_MAX - 1), 0);
}

/* ---- stable period -------------------------------------------------- */

static void
test_stable_period_resets_restart_count(void **state)
{
	struct tc t;
	uint64_t since;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	restart_to_unknown(&t);
	ev(&t, FSM_EV_CHECK_OK);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.restart_count, 1);
	since = t.f.healthy_since_ms;
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), since + 60000);
	assert_int_equal(tick_at(&t, since + 59999), 0);
	assert_int_equal(t.f.restart_count, 1);
	assert_int_equal(tick_at(&t, since + 60000), 0);
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(t.f.total_restarts, 1);	/* history kept */
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
}

static void
test_stable_period_checked_on_any_event(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	t.f.restart_count = 3;
	assert_int_equal(ev_at(&t, FSM_EV_CHECK_OK,
	    t.f.healthy_since_ms + 60000), 0);
	assert_int_equal(t.f.restart_count, 0);
}

static void
test_stable_period_restarts_after_degraded(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	t.f.restart_count = 2;
	ev_at(&t, FSM_EV_CHECK_DEGRADED, T0 + 30000);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(tick_at(&t, T0 + 70000), 0);
	assert_int_equal(t.f.restart_count, 2);	/* not while DEGRADED */
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 80000);
	ev_at(&t, FSM_EV_CHECK_OK, T0 + 90000);
	assert_int_equal(t.f.state, ST_HEALTHY);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 150000);
	tick_at(&t, T0 + 149999);
	assert_int_equal(t.f.restart_count, 2);
	tick_at(&t, T0 + 150000);
	assert_int_equal(t.f.restart_count, 0);
}

static void
test_stable_period_gives_back_full_budget(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	to_healthy(&t);
	for (i = 0; i < 4; i++) {
		ev(&t, FSM_EV_EXITED);
		restart_to_unknown(&t);
	}
	ev(&t, FSM_EV_CHECK_OK);
	ev(&t, FSM_EV_CHECK_OK);
	tick_at(&t, t.f.healthy_since_ms + 60000);
	assert_int_equal(t.f.restart_count, 0);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(t.f.next_restart_ms, t.now + 1000);	/* n = 1 */
	for (i = 0; i < 5; i++) {
		restart_to_unknown(&t);
		ev(&t, FSM_EV_EXITED);
	}
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(t.f.total_restarts, 9);
}

static void
test_no_stable_deadline_without_restarts(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
}

/* ---- start timeout -------------------------------------------------- */

static void
test_start_timeout_first_start(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 500);
	assert_int_equal(tick_at(&t, T0 + 499), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_int_equal(tick_at(&t, T0 + 500), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_string_equal(t.f.reason, "start timeout");
	assert_true(t.f.stopping);
	assert_true(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, T0 + 1500);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(tick_at(&t, T0 + 600), 0);	/* STOP only once */
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 700), 0);
	assert_int_equal(tick_at(&t, T0 + 1500), SPAWN);
}

static void
test_start_timeout_after_restart(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(tick_at(&t, T0 + 1000), SPAWN);
	ev_at(&t, FSM_EV_SPAWNED, T0 + 1010);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 1510);
	assert_int_equal(ev_at(&t, FSM_EV_CHECK_FAIL, T0 + 1510), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_string_equal(t.f.reason, "start timeout");
	assert_int_equal(t.f.next_restart_ms, T0 + 1510 + 2000);
}

static void
test_connected_disarms_start_timeout(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	ev_at(&t, FSM_EV_CONNECTED, T0 + 499);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(tick_at(&t, T0 + 10000), 0);
	assert_int_equal(t.f.state, ST_UNKNOWN);
}

/* A deadline that has passed came before the event that reports it. */
static void
test_late_connect_loses_to_start_timeout(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev_at(&t, FSM_EV_CONNECTED, T0 + 500), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_false(t.f.connected);
}

static void
test_start_timeout_zero_disabled(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.start_timeout_ms = 0;
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(tick_at(&t, T0 + HOUR), 0);
	assert_int_equal(t.f.state, ST_STARTING);
}

static void
test_start_timeouts_end_failed(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	tc_init(&t);
	for (i = 0; i <= t.h.max_restarts; i++) {
		ev(&t, FSM_EV_SPAWNED);
		assert_int_equal(tick_at(&t, t.f.spawned_ms + 500), STOP);
		assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
		if (i < t.h.max_restarts)
			assert_int_equal(tick_at(&t, t.f.next_restart_ms),
			    SPAWN);
	}
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(t.f.total_restarts, 5);
}

/* ---- manual restart ------------------------------------------------- */

/* Go bug: Failed was a dead end; the restart counter never reset. */
static void
test_regression_failed_leaves_on_manual_restart(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	tc_init(&t);
	for (i = 0; i < t.h.max_restarts; i++) {
		ev(&t, FSM_EV_SPAWNED);
		ev(&t, FSM_EV_EXITED);
		tick_at(&t, t.f.next_restart_ms);
	}
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(t.f.state, ST_FAILED);

	t.now += HOUR;
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_string_equal(t.f.reason, "manual restart");
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.total_restarts, 6);
	assert_int_equal(fsm_restarts_last_hour(&t.f, t.now), 1);
	ev(&t, FSM_EV_SPAWNED);
	ev(&t, FSM_EV_CONNECTED);
	ev(&t, FSM_EV_CHECK_OK);
	ev(&t, FSM_EV_CHECK_OK);
	assert_int_equal(t.f.state, ST_HEALTHY);
	/* a fresh budget: backoff starts at n = 1 and FAILED needs 5 again */
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(t.f.next_restart_ms, t.now + 1000);
	for (i = 0; i < t.h.max_restarts; i++) {
		assert_int_equal(t.f.state, ST_UNHEALTHY);
		tick_at(&t, t.f.next_restart_ms);
		ev(&t, FSM_EV_SPAWNED);
		ev(&t, FSM_EV_EXITED);
	}
	assert_int_equal(t.f.state, ST_FAILED);
}

static void
test_manual_restart_of_running_plugin(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev_at(&t, FSM_EV_MANUAL_RESTART, T0 + 50), STOP);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(t.f.state_since_ms, T0 + 50);
	assert_true(t.f.stopping);
	assert_true(t.f.restart_pending);
	assert_int_equal(t.f.next_restart_ms, T0 + 50);
	assert_false(fsm_wants_checks(&t.f));
	assert_false(fsm_available(&t.f));
	assert_int_equal(t.f.total_restarts, 0);	/* counted at spawn */
	assert_int_equal(tick_at(&t, T0 + 60), 0);	/* waits for exit */
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 80), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_string_equal(t.f.reason, "manual restart");
	assert_int_equal(t.f.restart_count, 0);		/* not a crash */
	assert_int_equal(t.f.total_restarts, 1);
	assert_int_equal(t.f.restart_times[0], T0 + 80);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(t.f.state, ST_STARTING);
}

static void
test_manual_restart_resets_restart_count(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	to_healthy(&t);
	for (i = 0; i < 3; i++) {
		ev(&t, FSM_EV_EXITED);
		restart_to_unknown(&t);
	}
	assert_int_equal(t.f.restart_count, 3);
	ev(&t, FSM_EV_CHECK_FAIL);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), STOP);
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.consecutive_failures, 0);
	assert_int_equal(t.f.consecutive_successes, 0);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(t.f.restart_count, 0);
	assert_int_equal(t.f.total_restarts, 4);
}

static void
test_manual_restart_skips_backoff(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev_at(&t, FSM_EV_MANUAL_RESTART, T0 + 10), SPAWN);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_false(t.f.restart_pending);
	assert_int_equal(tick_at(&t, T0 + 1000), 0);	/* old one dropped */
	assert_int_equal(t.f.total_restarts, 1);
}

static void
test_manual_restart_while_stopping(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	fail_until_unhealthy(&t);
	/* already stopping: no second STOP */
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
}

static void
test_manual_restart_from_failed_still_stopping(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	t.f.restart_count = t.h.max_restarts;
	fail_until_unhealthy(&t);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);
	assert_int_equal(t.f.state, ST_RESTARTING);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(t.f.restart_count, 0);
}

static void
test_manual_restart_of_stuck_start(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), STOP);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);	/* no timeout */
	assert_int_equal(tick_at(&t, T0 + 5000), 0);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
}

static void
test_manual_restart_ignored_while_restarting(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_MANUAL_RESTART);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);	/* stopping */
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);	/* in flight */
	assert_int_equal(t.f.total_restarts, 1);
	tc_init(&t);
	/* the first spawn is not reported yet */
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);
	assert_int_equal(t.f.state, ST_STARTING);
	assert_int_equal(t.f.total_restarts, 0);
}

static void
test_manual_restart_ignored_after_shutdown(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_SHUTDOWN);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev(&t, FSM_EV_MANUAL_RESTART), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(t.f.total_restarts, 0);
}

/* ---- shutdown ------------------------------------------------------- */

static void
test_shutdown_running_plugin(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev_at(&t, FSM_EV_SHUTDOWN, T0 + 5), STOP);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(t.f.state_since_ms, T0 + 5);
	assert_string_equal(t.f.reason, "shutdown");
	assert_true(t.f.shutdown);
	assert_true(t.f.stopping);
	assert_false(fsm_wants_checks(&t.f));
	assert_false(fsm_available(&t.f));
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_false(t.f.running);
	assert_int_equal(tick_at(&t, T0 + HOUR), 0);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
}

static void
test_shutdown_cancels_pending_restart(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev(&t, FSM_EV_SHUTDOWN), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_false(t.f.restart_pending);
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 0);
	assert_int_equal(tick_at(&t, T0 + 100000), 0);
	assert_int_equal(t.f.total_restarts, 0);
}

static void
test_shutdown_during_manual_restart(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_MANUAL_RESTART);
	assert_int_equal(ev(&t, FSM_EV_SHUTDOWN), 0);	/* already stopping */
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);	/* no respawn */
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(t.f.total_restarts, 0);
}

static void
test_shutdown_from_failed(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	t.h.max_restarts = 0;
	ev(&t, FSM_EV_SPAWN_FAILED);
	assert_int_equal(t.f.state, ST_FAILED);
	assert_int_equal(ev(&t, FSM_EV_SHUTDOWN), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
}

static void
test_spawn_after_shutdown_is_stopped(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);			/* the caller is about to spawn */
	assert_int_equal(ev(&t, FSM_EV_SHUTDOWN), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), STOP);
	assert_true(t.f.running);
	assert_true(t.f.stopping);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(ev(&t, FSM_EV_CONNECTED), 0);
	assert_int_equal(ev(&t, FSM_EV_EXITED), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_false(t.f.running);
}

static void
test_unsolicited_spawn_is_stopped(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);			/* UNHEALTHY, backoff */
	assert_int_equal(ev(&t, FSM_EV_SPAWNED), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(tick_at(&t, T0 + 1000), 0);	/* waits for exit */
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(t.f.restart_count, 1);
}

static void
test_shutdown_twice(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	assert_int_equal(ev_at(&t, FSM_EV_SHUTDOWN, T0 + 1), STOP);
	assert_int_equal(ev_at(&t, FSM_EV_SHUTDOWN, T0 + 2), 0);
	assert_int_equal(t.f.state_since_ms, T0 + 1);
}

static void
test_events_after_shutdown_ignored(void **state)
{
	struct tc t;
	enum fsm_event_type e;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_SHUTDOWN);
	ev(&t, FSM_EV_EXITED);
	for (e = FSM_EV_SPAWN_FAILED; e <= FSM_EV_TICK; e++) {
		t.now += HOUR;
		assert_int_equal(ev(&t, e), 0);
		assert_int_equal(t.f.state, ST_STOPPED);
		assert_false(t.f.running);
	}
}

/* ---- same-millisecond races ---------------------------------------- */

static void
test_shutdown_at_restart_due_time_wins(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev_at(&t, FSM_EV_SHUTDOWN, t.f.next_restart_ms), 0);
	assert_int_equal(t.f.state, ST_STOPPED);
	assert_int_equal(t.f.total_restarts, 0);
}

static void
test_manual_restart_at_due_time_resets_count(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	restart_to_unknown(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev_at(&t, FSM_EV_MANUAL_RESTART, t.f.next_restart_ms),
	    SPAWN);
	assert_int_equal(t.f.restart_count, 0);
	assert_string_equal(t.f.reason, "manual restart");
	assert_int_equal(t.f.total_restarts, 2);
}

/* The process outlived its start timeout, then exited: no STOP for it. */
static void
test_exit_at_start_deadline_drops_stop(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev_at(&t, FSM_EV_EXITED, T0 + 500), 0);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_string_equal(t.f.reason, "start timeout");
	assert_false(t.f.running);
	assert_false(t.f.stopping);
	assert_int_equal(t.f.next_restart_ms, T0 + 1500);
}

static void
test_unsolicited_spawn_at_due_time(void **state)
{
	struct tc t;

	(void)state;
	to_healthy(&t);
	ev(&t, FSM_EV_EXITED);
	assert_int_equal(ev_at(&t, FSM_EV_SPAWNED, t.f.next_restart_ms), STOP);
	assert_int_equal(t.f.state, ST_UNHEALTHY);
	assert_int_equal(t.f.total_restarts, 0);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
}

/* ---- queries -------------------------------------------------------- */

static void
test_wants_checks_truth_table(void **state)
{
	struct fsm f;
	uint32_t s;

	(void)state;
	for (s = 0; s < VIGIL_STATE_COUNT; s++) {
		fsm_init(&f, T0);
		f.state = s;
		f.running = f.connected = true;
		assert_int_equal(fsm_wants_checks(&f), s == ST_UNKNOWN ||
		    s == ST_HEALTHY || s == ST_DEGRADED);
		f.stopping = true;
		assert_false(fsm_wants_checks(&f));
		f.stopping = false;
		f.connected = false;
		assert_false(fsm_wants_checks(&f));
		f.connected = true;
		f.running = false;
		assert_false(fsm_wants_checks(&f));
	}
}

static void
test_available_per_state(void **state)
{
	struct fsm f;
	uint32_t s;

	(void)state;
	for (s = 0; s < VIGIL_STATE_COUNT; s++) {
		fsm_init(&f, T0);
		f.state = s;
		assert_int_equal(fsm_available(&f),
		    s == ST_HEALTHY || s == ST_DEGRADED);
	}
}

static void
test_restarts_last_hour_window(void **state)
{
	struct tc t;
	uint64_t now = 10 * HOUR;

	(void)state;
	tc_init(&t);
	t.h.max_restarts = 1000;
	t.h.restart_backoff_ms = 0;
	t.now = now - HOUR;			/* exactly one hour ago: out */
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	t.now = now - HOUR + 1;			/* in */
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	t.now = now;				/* in */
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(fsm_restarts_last_hour(&t.f, now), 2);
	assert_int_equal(fsm_restarts_last_hour(&t.f, now - 1), 2);
	assert_int_equal(fsm_restarts_last_hour(&t.f, now + HOUR - 1), 1);
	assert_int_equal(fsm_restarts_last_hour(&t.f, now + HOUR), 0);
}

static void
test_restarts_last_hour_early_and_empty(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	assert_int_equal(fsm_restarts_last_hour(&t.f, 0), 0);
	assert_int_equal(fsm_restarts_last_hour(&t.f, T0), 0);
	t.now = 5;				/* first hour after boot */
	t.h.restart_backoff_ms = 0;
	ev(&t, FSM_EV_SPAWNED);
	assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	assert_int_equal(fsm_restarts_last_hour(&t.f, 5), 1);
	assert_int_equal(fsm_restarts_last_hour(&t.f, 4), 0);
}

static void
test_restarts_last_hour_ring_wraps(void **state)
{
	struct tc t;
	uint32_t i;

	(void)state;
	tc_init(&t);
	t.h.max_restarts = 1000;
	t.h.restart_backoff_ms = 0;
	for (i = 0; i < 100; i++) {
		t.now = T0 + i * 1000;
		ev(&t, FSM_EV_SPAWNED);
		assert_int_equal(ev(&t, FSM_EV_EXITED), SPAWN);
	}
	assert_int_equal(t.f.total_restarts, 100);
	assert_int_equal(t.f.restart_head, 100 % FSM_RESTART_HISTORY);
	assert_int_equal(fsm_restarts_last_hour(&t.f, t.now),
	    FSM_RESTART_HISTORY);
	/* only the newest 10 fall within the hour before this time */
	assert_int_equal(fsm_restarts_last_hour(&t.f,
	    T0 + 90 * 1000 + HOUR - 1), 10);
}

static void
test_next_deadline_is_earliest(void **state)
{
	struct tc t;

	(void)state;
	/* states built by hand: checks the min() itself */
	tc_init(&t);
	t.f.state = ST_HEALTHY;
	t.f.running = true;
	t.f.restart_count = 1;
	t.f.healthy_since_ms = T0;			/* T0 + 60000 */
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 60000);
	t.f.running = false;
	t.f.restart_pending = true;
	t.f.next_restart_ms = T0 + 2000;
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 2000);
	t.f.next_restart_ms = T0 + 70000;
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 60000);
	t.f.restart_pending = false;
	t.f.state = ST_STARTING;
	t.f.running = true;
	t.f.spawned_ms = T0 - 100;			/* T0 + 400 */
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), T0 + 400);
	t.f.running = false;
	t.f.restart_pending = true;
	t.f.next_restart_ms = 0;			/* due at time 0 */
	assert_int_equal(fsm_next_deadline(&t.f, &t.h), 1);
}

static void
test_state_since_only_on_change(void **state)
{
	struct tc t;

	(void)state;
	tc_init(&t);
	ev_at(&t, FSM_EV_SPAWNED, T0 + 10);		/* STARTING again */
	assert_int_equal(t.f.state_since_ms, T0);
	to_unknown(&t);
	ev_at(&t, FSM_EV_CHECK_DEGRADED, T0 + 10);
	ev_at(&t, FSM_EV_CHECK_DEGRADED, T0 + 20);
	assert_int_equal(t.f.state_since_ms, T0 + 10);
}

static void
test_unknown_event_type_ignored(void **state)
{
	struct tc t;
	struct fsm before;
	struct fsm_event e;

	(void)state;
	to_healthy(&t);
	memcpy(&before, &t.f, sizeof(before));
	memset(&e, 0, sizeof(e));
	assert_int_equal(fsm_step(&t.f, &t.h, &e, t.now), 0);
	e.type = (enum fsm_event_type)999;
	assert_int_equal(fsm_step(&t.f, &t.h, &e, t.now), 0);
	assert_memory_equal(&before, &t.f, sizeof(before));
}

/* ---- every event in every state ------------------------------------ */

enum scenario {
	SC_START_IDLE,		/* STARTING, caller about to spawn */
	SC_STARTING,		/* spawned, not connected */
	SC_UNKNOWN_1OK,		/* one success short of HEALTHY */
	SC_UNKNOWN_2FAIL,	/* one failure short of UNHEALTHY */
	SC_HEALTHY_2FAIL,
	SC_DEGRADED_1OK,
	SC_DEGRADED_2FAIL,
	SC_UNHEALTHY_STOPPING,	/* stop requested, backoff not elapsed */
	SC_UNHEALTHY_WAIT,	/* process gone, backoff not elapsed */
	SC_RESTARTING_STOP,	/* manual restart, old process stopping */
	SC_RESTARTING_SPAWN,	/* restart issued, spawn not reported */
	SC_FAILED_STOPPING,
	SC_FAILED,
	SC_STOPPED_STOPPING,
	SC_STOPPED,
	SC_COUNT
};

static void
build_scenario(struct tc *t, enum scenario sc)
{
	tc_init(t);
	switch (sc) {
	case SC_START_IDLE:
		return;
	case SC_STARTING:
		ev(t, FSM_EV_SPAWNED);
		return;
	case SC_UNKNOWN_1OK:
		to_unknown(t);
		ev(t, FSM_EV_CHECK_OK);
		return;
	case SC_UNKNOWN_2FAIL:
		to_unknown(t);
		break;
	case SC_HEALTHY_2FAIL:
		to_healthy(t);
		break;
	case SC_DEGRADED_1OK:
		to_unknown(t);
		ev(t, FSM_EV_CHECK_DEGRADED);
		ev(t, FSM_EV_CHECK_OK);
		return;
	case SC_DEGRADED_2FAIL:
		to_unknown(t);
		ev(t, FSM_EV_CHECK_DEGRADED);
		break;
	case SC_UNHEALTHY_STOPPING:
		to_healthy(t);
		fail_until_unhealthy(t);
		return;
	case SC_UNHEALTHY_WAIT:
		to_healthy(t);
		ev(t, FSM_EV_EXITED);
		return;
	case SC_RESTARTING_STOP:
		to_healthy(t);
		ev(t, FSM_EV_MANUAL_RESTART);
		return;
	case SC_RESTARTING_SPAWN:
		to_healthy(t);
		ev(t, FSM_EV_EXITED);
		tick_at(t, t->f.next_restart_ms);
		return;
	case SC_FAILED_STOPPING:
		to_healthy(t);
		t->f.restart_count = t->h.max_restarts;
		fail_until_unhealthy(t);
		return;
	case SC_FAILED:
		build_scenario(t, SC_FAILED_STOPPING);
		ev(t, FSM_EV_EXITED);
		return;
	case SC_STOPPED_STOPPING:
		to_healthy(t);
		ev(t, FSM_EV_SHUTDOWN);
		return;
	case SC_STOPPED:
		build_scenario(t, SC_STOPPED_STOPPING);
		ev(t, FSM_EV_EXITED);
		return;
	case SC_COUNT:
		fail();
	}
	ev(t, FSM_EV_CHECK_FAIL);
	ev(t, FSM_EV_CHECK_FAIL);
}

struct outcome {
	uint32_t	state;
	unsigned	act;
};

#define N_EVENTS	10	/* FSM_EV_SPAWNED .. FSM_EV_TICK */

/*
 * The transition table of docs/STATE_MACHINE.md, one row per scenario.
 * Columns: SPAWNED, SPAWN_FAILED, CONNECTED, CHECK_OK, CHECK_DEGRADED,
 * CHECK_FAIL, EXITED, MANUAL_RESTART, SHUTDOWN, TICK (all at the same time
 * as the scenario, so no timer fires).
 */
#define O(s, a)	{ ST_##s, a }
static const struct outcome table[SC_COUNT][N_EVENTS] = {
	[SC_START_IDLE] = { O(STARTING, 0), O(UNHEALTHY, 0),
	    O(STARTING, 0), O(STARTING, 0), O(STARTING, 0), O(STARTING, 0),
	    O(STARTING, 0), O(STARTING, 0), O(STOPPED, 0), O(STARTING, 0) },
	[SC_STARTING] = { O(STARTING, 0), O(STARTING, 0),
	    O(UNKNOWN, 0), O(STARTING, 0), O(STARTING, 0), O(STARTING, 0),
	    O(UNHEALTHY, 0), O(RESTARTING, STOP), O(STOPPED, STOP),
	    O(STARTING, 0) },
	[SC_UNKNOWN_1OK] = { O(UNKNOWN, 0), O(UNKNOWN, 0),
	    O(UNKNOWN, 0), O(HEALTHY, 0), O(DEGRADED, 0), O(UNKNOWN, 0),
	    O(UNHEALTHY, 0), O(RESTARTING, STOP), O(STOPPED, STOP),
	    O(UNKNOWN, 0) },
	[SC_UNKNOWN_2FAIL] = { O(UNKNOWN, 0), O(UNKNOWN, 0),
	    O(UNKNOWN, 0), O(UNKNOWN, 0), O(DEGRADED, 0), O(UNHEALTHY, STOP),
	    O(UNHEALTHY, 0), O(RESTARTING, STOP), O(STOPPED, STOP),
	    O(UNKNOWN, 0) },
	[SC_HEALTHY_2FAIL] = { O(HEALTHY, 0), O(HEALTHY, 0),
	    O(HEALTHY, 0), O(HEALTHY, 0), O(DEGRADED, 0), O(UNHEALTHY, STOP),
	    O(UNHEALTHY, 0), O(RESTARTING, STOP), O(STOPPED, STOP),
	    O(HEALTHY, 0) },
	[SC_DEGRADED_1OK] = { O(DEGRADED, 0), O(DEGRADED, 0),
	    O(DEGRADED, 0), O(HEALTHY, 0), O(DEGRADED, 0), O(DEGRADED, 0),
	    O(UNHEALTHY, 0), O(RESTARTING, STOP), O(STOPPED, STOP),
	    O(DEGRADED, 0) },
	[SC_DEGRADED_2FAIL] = { O(DEGRADED, 0), O(DEGRADED, 0),
	    O(DEGRADED, 0), O(DEGRADED, 0), O(DEGRADED, 0),
	    O(UNHEALTHY, STOP), O(UNHEALTHY, 0), O(RESTARTING, STOP),
	    O(STOPPED, STOP), O(DEGRADED, 0) },
	[SC_UNHEALTHY_STOPPING] = { O(UNHEALTHY, 0), O(UNHEALTHY, 0),
	    O(UNHEALTHY, 0), O(UNHEALTHY, 0), O(UNHEALTHY, 0),
	    O(UNHEALTHY, 0), O(UNHEALTHY, 0), O(RESTARTING, 0),
	    O(STOPPED, 0), O(UNHEALTHY, 0) },
	[SC_UNHEALTHY_WAIT] = { O(UNHEALTHY, STOP), O(UNHEALTHY, 0),
	    O(UNHEALTHY, 0), O(UNHEALTHY, 0), O(UNHEALTHY, 0),
	    O(UNHEALTHY, 0), O(UNHEALTHY, 0), O(RESTARTING, SPAWN),
	    O(STOPPED, 0), O(UNHEALTHY, 0) },
	[SC_RESTARTING_STOP] = { O(RESTARTING, 0), O(RESTARTING, 0),
	    O(RESTARTING, 0), O(RESTARTING, 0), O(RESTARTING, 0),
	    O(RESTARTING, 0), O(RESTARTING, SPAWN), O(RESTARTING, 0),
	    O(STOPPED, 0), O(RESTARTING, 0) },
	[SC_RESTARTING_SPAWN] = { O(STARTING, 0), O(UNHEALTHY, 0),
	    O(RESTARTING, 0), O(RESTARTING, 0), O(RESTARTING, 0),
	    O(RESTARTING, 0), O(RESTARTING, 0), O(RESTARTING, 0),
	    O(STOPPED, 0), O(RESTARTING, 0) },
	[SC_FAILED_STOPPING] = { O(FAILED, 0), O(FAILED, 0), O(FAILED, 0),
	    O(FAILED, 0), O(FAILED, 0), O(FAILED, 0), O(FAILED, 0),
	    O(RESTARTING, 0), O(STOPPED, 0), O(FAILED, 0) },
	[SC_FAILED] = { O(FAILED, STOP), O(FAILED, 0), O(FAILED, 0),
	    O(FAILED, 0), O(FAILED, 0), O(FAILED, 0), O(FAILED, 0),
	    O(RESTARTING, SPAWN), O(STOPPED, 0), O(FAILED, 0) },
	[SC_STOPPED_STOPPING] = { O(STOPPED, 0), O(STOPPED, 0),
	    O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0),
	    O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0) },
	[SC_STOPPED] = { O(STOPPED, STOP), O(STOPPED, 0), O(STOPPED, 0),
	    O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0),
	    O(STOPPED, 0), O(STOPPED, 0), O(STOPPED, 0) },
};
#undef O

static void
test_transition_table(void **state)
{
	struct tc t;
	const struct outcome *want;
	unsigned act;
	int sc, e;

	(void)state;
	for (sc = 0; sc < SC_COUNT; sc++) {
		for (e = 0; e < N_EVENTS; e++) {
			build_scenario(&t, (enum scenario)sc);
			act = ev(&t, (enum fsm_event_type)(FSM_EV_SPAWNED + e));
			want = &table[sc][e];
			if (t.f.state != want->state || act != want->act)
				fail_msg("scenario %d event %d: state %u act"
				    " %u, want state %u act %u", sc, e + 1,
				    t.f.state, act, want->state, want->act);
		}
	}
}

/* ---- random walk with a model of the caller ------------------------- */

/* What the caller knows: is there a process, did we ask for one. */
struct model {
	bool		proc;		/* a process exists */
	bool		spawn_asked;	/* SPAWN returned, not yet reported */
	bool		stop_asked;
	uint64_t	spawns;		/* SPAWN actions seen */
	uint64_t	rng;
};

static uint32_t
rnd(struct model *m, uint32_t n)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return (uint32_t)(m->rng % n);
}

/* Pick an event the real loop could deliver now. */
static enum fsm_event_type
pick_event(struct model *m)
{
	enum fsm_event_type e;

	if (m->spawn_asked && rnd(m, 4) != 0)
		return rnd(m, 5) == 0 ? FSM_EV_SPAWN_FAILED : FSM_EV_SPAWNED;
	for (;;) {
		e = (enum fsm_event_type)(FSM_EV_SPAWNED + rnd(m, N_EVENTS));
		if (e == FSM_EV_SPAWNED || e == FSM_EV_SPAWN_FAILED)
			continue;	/* only in reply to SPAWN */
		if ((e == FSM_EV_EXITED || e == FSM_EV_CONNECTED) && !m->proc)
			continue;
		if (e == FSM_EV_SHUTDOWN && rnd(m, 20) != 0)
			continue;
		return e;
	}
}

static void
model_apply(struct model *m, enum fsm_event_type e)
{
	if (e == FSM_EV_SPAWNED) {
		m->proc = true;
		m->spawn_asked = false;
	} else if (e == FSM_EV_SPAWN_FAILED) {
		m->spawn_asked = false;
	} else if (e == FSM_EV_EXITED) {
		m->proc = false;
		m->stop_asked = false;
	}
}

static void
check_invariants(const struct tc *t, struct model *m, unsigned act)
{
	const struct fsm *f = &t->f;

	assert_false((act & SPAWN) && (act & STOP));
	if (act & SPAWN) {
		assert_false(m->proc);
		assert_false(m->spawn_asked);
		assert_false(f->shutdown);
		m->spawn_asked = true;
		m->spawns++;
	}
	if (act & STOP) {
		assert_true(m->proc);
		assert_false(m->stop_asked);
		m->stop_asked = true;
	}
	assert_int_equal(f->running, m->proc);
	assert_int_equal(f->stopping, m->stop_asked);
	assert_true(f->state < VIGIL_STATE_COUNT);
	assert_non_null(f->reason);
	assert_true(f->restart_count <= t->h.max_restarts);
	assert_int_equal(f->total_restarts, m->spawns);
	assert_int_equal(f->shutdown, f->state == ST_STOPPED);
	if (f->state == ST_FAILED)
		assert_false(f->restart_pending);
	if (fsm_wants_checks(f))
		assert_true(f->running && f->connected);
	assert_int_equal(f->healthy_since_ms != 0, f->state == ST_HEALTHY);
	/* never stuck: something is under way or a deadline is set */
	if (!f->shutdown && f->state != ST_FAILED && !m->spawn_asked &&
	    !m->stop_asked && !fsm_wants_checks(f))
		assert_true(fsm_next_deadline(f, &t->h) != 0);
}

static void
random_walk(uint64_t seed, int steps)
{
	struct tc t;
	struct model m;
	enum fsm_event_type e;
	unsigned act;
	int i;

	tc_init(&t);
	memset(&m, 0, sizeof(m));
	m.rng = seed;
	m.spawn_asked = true;		/* fsm_init: the caller spawns */
	for (i = 0; i < steps; i++) {
		t.now += rnd(&m, 3) == 0 ? rnd(&m, 4000) : rnd(&m, 50);
		e = pick_event(&m);
		model_apply(&m, e);
		act = ev_full(&t, e, rnd(&m, 300), (int32_t)rnd(&m, 301) - 150);
		check_invariants(&t, &m, act);
		if (t.f.state == ST_FAILED && rnd(&m, 10) == 0)
			check_invariants(&t, &m,
			    ev(&t, FSM_EV_MANUAL_RESTART));
	}
}

static void
test_random_walk_invariants(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 200; seed++)
		random_walk(seed * 0x9e3779b97f4a7c15ull, 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_starting_nothing_running),
		cmocka_unit_test(test_first_spawn_is_not_a_restart),
		cmocka_unit_test(test_spawned_resets_consecutive_counters),
		cmocka_unit_test(test_connected_starting_to_unknown),
		cmocka_unit_test(test_connected_ignored_without_process),
		cmocka_unit_test(test_connected_ignored_while_stopping),
		cmocka_unit_test(test_connected_twice_ignored),
		cmocka_unit_test(test_spawn_failed_schedules_restart),
		cmocka_unit_test(test_spawn_failed_ignored_when_running),
		cmocka_unit_test(test_spawn_failed_loop_ends_failed),
		cmocka_unit_test(test_duplicate_spawned_ignored),
		cmocka_unit_test(test_regression_success_threshold_honoured),
		cmocka_unit_test(test_success_threshold_needs_consecutive),
		cmocka_unit_test(test_success_threshold_larger),
		cmocka_unit_test(test_healthy_stays_healthy),
		cmocka_unit_test(test_degraded_reply_from_unknown),
		cmocka_unit_test(
		    test_degraded_from_healthy_clears_healthy_since),
		cmocka_unit_test(
		    test_degraded_recovers_after_success_threshold),
		cmocka_unit_test(test_regression_degraded_is_not_a_failure),
		cmocka_unit_test(test_slow_success_is_degraded),
		cmocka_unit_test(test_slow_success_resets_success_run),
		cmocka_unit_test(test_degraded_latency_zero_disables_limit),
		cmocka_unit_test(
		    test_regression_nonconsecutive_failures_do_not_trip),
		cmocka_unit_test(test_failures_from_healthy_make_unhealthy),
		cmocka_unit_test(test_failures_from_unknown_make_unhealthy),
		cmocka_unit_test(test_failures_from_degraded_make_unhealthy),
		cmocka_unit_test(test_failure_threshold_one),
		cmocka_unit_test(test_checks_ignored_when_not_wanted),
		cmocka_unit_test(test_checks_ignored_during_manual_restart),
		cmocka_unit_test(test_regression_exit_detected_immediately),
		cmocka_unit_test(test_exit_in_every_live_state),
		cmocka_unit_test(test_expected_exit_is_not_a_failure),
		cmocka_unit_test(test_slow_stop_spawns_on_exit),
		cmocka_unit_test(test_exit_when_not_running_ignored),
		cmocka_unit_test(test_restart_due_on_tick),
		cmocka_unit_test(test_restart_due_on_any_event),
		cmocka_unit_test(test_late_tick_restarts_once),
		cmocka_unit_test(test_restart_path_back_to_healthy),
		cmocka_unit_test(test_crash_loop_to_failed),
		cmocka_unit_test(test_crash_loop_uses_event_jitter),
		cmocka_unit_test(test_failed_stops_a_running_process),
		cmocka_unit_test(test_max_restarts_zero_fails_at_once),
		cmocka_unit_test(test_zero_backoff_respawns_in_same_step),
		cmocka_unit_test(test_backoff_linear),
		cmocka_unit_test(test_backoff_seed_defaults),
		cmocka_unit_test(test_backoff_cap),
		cmocka_unit_test(test_backoff_n_zero),
		cmocka_unit_test(test_backoff_jitter_bounds),
		cmocka_unit_test(test_backoff_jitter_sub_second),
		cmocka_unit_test(test_backoff_saturates),
		cmocka_unit_test(test_next_restart_time_saturates),
		cmocka_unit_test(test_stable_period_resets_restart_count),
		cmocka_unit_test(test_stable_period_checked_on_any_event),
		cmocka_unit_test(test_stable_period_restarts_after_degraded),
		cmocka_unit_test(test_stable_period_gives_back_full_budget),
		cmocka_unit_test(test_no_stable_deadline_without_restarts),
		cmocka_unit_test(test_start_timeout_first_start),
		cmocka_unit_test(test_start_timeout_after_restart),
		cmocka_unit_test(test_connected_disarms_start_timeout),
		cmocka_unit_test(test_late_connect_loses_to_start_timeout),
		cmocka_unit_test(test_start_timeout_zero_disabled),
		cmocka_unit_test(test_start_timeouts_end_failed),
		cmocka_unit_test(
		    test_regression_failed_leaves_on_manual_restart),
		cmocka_unit_test(test_manual_restart_of_running_plugin),
		cmocka_unit_test(test_manual_restart_resets_restart_count),
		cmocka_unit_test(test_manual_restart_skips_backoff),
		cmocka_unit_test(test_manual_restart_while_stopping),
		cmocka_unit_test(
		    test_manual_restart_from_failed_still_stopping),
		cmocka_unit_test(test_manual_restart_of_stuck_start),
		cmocka_unit_test(test_manual_restart_ignored_while_restarting),
		cmocka_unit_test(test_manual_restart_ignored_after_shutdown),
		cmocka_unit_test(test_shutdown_running_plugin),
		cmocka_unit_test(test_shutdown_cancels_pending_restart),
		cmocka_unit_test(test_shutdown_during_manual_restart),
		cmocka_unit_test(test_shutdown_from_failed),
		cmocka_unit_test(test_spawn_after_shutdown_is_stopped),
		cmocka_unit_test(test_unsolicited_spawn_is_stopped),
		cmocka_unit_test(test_shutdown_twice),
		cmocka_unit_test(test_events_after_shutdown_ignored),
		cmocka_unit_test(test_shutdown_at_restart_due_time_wins),
		cmocka_unit_test(test_manual_restart_at_due_time_resets_count),
		cmocka_unit_test(test_exit_at_start_deadline_drops_stop),
		cmocka_unit_test(test_unsolicited_spawn_at_due_time),
		cmocka_unit_test(test_wants_checks_truth_table),
		cmocka_unit_test(test_available_per_state),
		cmocka_unit_test(test_restarts_last_hour_window),
		cmocka_unit_test(test_restarts_last_hour_early_and_empty),
		cmocka_unit_test(test_restarts_last_hour_ring_wraps),
		cmocka_unit_test(test_next_deadline_is_earliest),
		cmocka_unit_test(test_state_since_only_on_change),
		cmocka_unit_test(test_unknown_event_type_ignored),
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_random_walk_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
