/* The per-plugin health state machine: events in, FSM_ACT_* bits out. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "state.h"

#define HOUR_MS		3600000u
#define JITTER_MAX	100

/* Reasons: static strings, one per kind of transition. */
static const char R_INIT[] = "initial start";
static const char R_SPAWNED[] = "process spawned";
static const char R_SPAWN_FAILED[] = "spawn failed";
static const char R_CONNECTED[] = "connected";
static const char R_HEALTHY[] = "consecutive successful checks";
static const char R_DEGRADED[] = "check reported degraded";
static const char R_SLOW[] = "check slower than degraded_latency";
static const char R_FAILED_CHECKS[] = "consecutive failed checks";
static const char R_EXITED[] = "process exited";
static const char R_START_TIMEOUT[] = "start timeout";
static const char R_MAX_RESTARTS[] = "max restarts exceeded";
static const char R_AUTO_RESTART[] = "restarting after backoff";
static const char R_MANUAL[] = "manual restart";
static const char R_SHUTDOWN[] = "shutdown";

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	if (a != 0 && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

static uint32_t
inc_sat(uint32_t v)
{
	return v == UINT32_MAX ? v : v + 1;
}

/* Change state; healthy_since_ms follows entering and leaving HEALTHY. */
static void
set_state(struct fsm *f, uint32_t state, const char *reason, uint64_t now)
{
	f->reason = reason;
	if (f->state == state)
		return;
	if (state == VIGIL_STATE_HEALTHY)
		f->healthy_since_ms = now;
	else
		f->healthy_since_ms = 0;
	f->state = state;
	f->state_since_ms = now;
}

static bool
is_monitored(uint32_t state)
{
	return state == VIGIL_STATE_UNKNOWN || state == VIGIL_STATE_HEALTHY ||
	    state == VIGIL_STATE_DEGRADED;
}

static bool
is_starting(uint32_t state)
{
	return state == VIGIL_STATE_STARTING ||
	    state == VIGIL_STATE_RESTARTING;
}

/* We asked for a spawn and wait for SPAWNED or SPAWN_FAILED. */
static bool
spawn_in_flight(const struct fsm *f)
{
	return !f->running && !f->shutdown && is_starting(f->state) &&
	    !f->restart_pending;
}

static bool
start_timeout_armed(const struct fsm *f, const struct health_config *h)
{
	return is_starting(f->state) && f->running && !f->connected &&
	    !f->stopping && h->start_timeout_ms > 0;
}

static unsigned
request_stop(struct fsm *f)
{
	if (!f->running || f->stopping)
		return 0;
	f->stopping = true;
	return FSM_ACT_STOP;
}

/*
 * The plugin is unhealthy (failed checks, crash, start timeout, spawn
 * failure): stop what is left of it, then give up or schedule a restart.
 */
static unsigned
detect_unhealthy(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, const char *reason, uint64_t now)
{
	unsigned	act;

	set_state(f, VIGIL_STATE_UNHEALTHY, reason, now);
	f->connected = false;
	act = request_stop(f);
	if (f->restart_count >= h->max_restarts) {
		set_state(f, VIGIL_STATE_FAILED, R_MAX_RESTARTS, now);
		f->restart_pending = false;
		f->restart_manual = false;
		f->next_restart_ms = 0;
		return act;
	}
	f->restart_pending = true;
	f->restart_manual = false;
	f->next_restart_ms = add_sat(now, fsm_backoff_ms(h,
	    inc_sat(f->restart_count), ev->jitter_permille));
	return act;
}

static void
record_restart(struct fsm *f, uint64_t now)
{
	f->restart_head %= FSM_RESTART_HISTORY;
	f->restart_times[f->restart_head] = now;
	f->restart_head = (f->restart_head + 1) % FSM_RESTART_HISTORY;
	f->total_restarts++;
}

/* Issue the pending restart; only a manual one spares the restart budget. */
static unsigned
do_restart(struct fsm *f, uint64_t now)
{
	const char	*reason = R_MANUAL;

	if (!f->restart_manual) {
		f->restart_count = inc_sat(f->restart_count);
		reason = R_AUTO_RESTART;
	}
	record_restart(f, now);
	f->restart_pending = false;
	f->restart_manual = false;
	f->next_restart_ms = 0;
	set_state(f, VIGIL_STATE_RESTARTING, reason, now);
	return FSM_ACT_SPAWN;
}

static unsigned
check_start_timeout(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	if (start_timeout_armed(f, h) &&
	    now >= add_sat(f->spawned_ms, h->start_timeout_ms))
		return detect_unhealthy(f, h, ev, R_START_TIMEOUT, now);
	return 0;
}

/* Issue a restart that is due, or end the restart count's probation. */
static unsigned
check_timers(struct fsm *f, const struct health_config *h, uint64_t now)
{
	if (f->restart_pending && !f->running && !f->shutdown &&
	    now >= f->next_restart_ms)
		return do_restart(f, now);
	if (f->state == VIGIL_STATE_HEALTHY && f->restart_count > 0 &&
	    now >= add_sat(f->healthy_since_ms, h->stable_period_ms))
		f->restart_count = 0;
	return 0;
}

/*
 * A process we did not ask for (duplicate spawn, spawn after shutdown) is
 * tracked and stopped rather than left running unsupervised.
 */
static unsigned
do_spawned(struct fsm *f, uint64_t now)
{
	bool	asked = spawn_in_flight(f);

	if (f->running)
		return 0;
	f->running = true;
	f->connected = false;
	if (!asked) {
		f->stopping = true;
		return FSM_ACT_STOP;
	}
	f->stopping = false;
	f->spawned_ms = now;
	f->consecutive_failures = 0;
	f->consecutive_successes = 0;
	set_state(f, VIGIL_STATE_STARTING, R_SPAWNED, now);
	return 0;
}

static unsigned
do_spawn_failed(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	if (!spawn_in_flight(f))
		return 0;
	return detect_unhealthy(f, h, ev, R_SPAWN_FAILED, now);
}

static unsigned
do_connected(struct fsm *f, uint64_t now)
{
	if (!f->running || f->stopping || f->connected ||
	    !is_starting(f->state))
		return 0;
	f->connected = true;
	set_state(f, VIGIL_STATE_UNKNOWN, R_CONNECTED, now);
	return 0;
}

static unsigned
do_check_degraded(struct fsm *f, const char *reason, uint64_t now)
{
	f->consecutive_failures = 0;
	f->consecutive_successes = 0;
	if (f->state != VIGIL_STATE_DEGRADED)
		set_state(f, VIGIL_STATE_DEGRADED, reason, now);
	return 0;
}

static unsigned
do_check_ok(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	uint64_t	limit = h->degraded_latency_ms;	/* 0: no limit */

	if (limit > 0 && ev->latency_ms > limit)
		return do_check_degraded(f, R_SLOW, now);
	f->consecutive_failures = 0;
	f->consecutive_successes = inc_sat(f->consecutive_successes);
	if (f->state != VIGIL_STATE_HEALTHY &&
	    f->consecutive_successes >= h->success_threshold)
		set_state(f, VIGIL_STATE_HEALTHY, R_HEALTHY, now);
	return 0;
}

static unsigned
do_check_fail(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	f->consecutive_successes = 0;
	f->consecutive_failures = inc_sat(f->consecutive_failures);
	if (f->consecutive_failures < h->failure_threshold)
		return 0;
	return detect_unhealthy(f, h, ev, R_FAILED_CHECKS, now);
}

/* Check results only count while checks are wanted; stale ones are dropped. */
static unsigned
do_check(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	if (!fsm_wants_checks(f))
		return 0;
	if (ev->type == FSM_EV_CHECK_OK)
		return do_check_ok(f, h, ev, now);
	if (ev->type == FSM_EV_CHECK_DEGRADED)
		return do_check_degraded(f, R_DEGRADED, now);
	return do_check_fail(f, h, ev, now);
}

/* An expected exit just clears the process; check_timers() may respawn. */
static unsigned
do_exited(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	bool	expected = f->stopping;

	if (!f->running)
		return 0;
	f->running = false;
	f->stopping = false;
	f->connected = false;
	if (expected)
		return 0;
	if (is_starting(f->state) || is_monitored(f->state))
		return detect_unhealthy(f, h, ev, R_EXITED, now);
	return 0;	/* other states always asked for the stop */
}

/*
 * Ignored after shutdown and while a restart is already under way
 * (RESTARTING, or the first spawn not yet reported).
 */
static unsigned
do_manual_restart(struct fsm *f, uint64_t now)
{
	if (f->shutdown || f->state == VIGIL_STATE_RESTARTING ||
	    spawn_in_flight(f))
		return 0;
	f->restart_count = 0;
	f->consecutive_failures = 0;
	f->consecutive_successes = 0;
	f->restart_pending = true;
	f->restart_manual = true;
	f->next_restart_ms = now;
	set_state(f, VIGIL_STATE_RESTARTING, R_MANUAL, now);
	return request_stop(f);
}

static unsigned
do_shutdown(struct fsm *f, uint64_t now)
{
	if (f->shutdown)
		return 0;
	f->shutdown = true;
	f->restart_pending = false;
	f->restart_manual = false;
	f->next_restart_ms = 0;
	set_state(f, VIGIL_STATE_STOPPED, R_SHUTDOWN, now);
	return request_stop(f);
}

static unsigned
dispatch(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now)
{
	switch (ev->type) {
	case FSM_EV_SPAWNED:
		return do_spawned(f, now);
	case FSM_EV_SPAWN_FAILED:
		return do_spawn_failed(f, h, ev, now);
	case FSM_EV_CONNECTED:
		return do_connected(f, now);
	case FSM_EV_CHECK_OK:
	case FSM_EV_CHECK_DEGRADED:
	case FSM_EV_CHECK_FAIL:
		return do_check(f, h, ev, now);
	case FSM_EV_EXITED:
		return do_exited(f, h, ev, now);
	case FSM_EV_MANUAL_RESTART:
		return do_manual_restart(f, now);
	case FSM_EV_SHUTDOWN:
		return do_shutdown(f, now);
	case FSM_EV_TICK:
		return 0;
	}
	return 0;	/* unknown event type: ignored */
}

void
fsm_init(struct fsm *f, uint64_t now_ms)
{
	memset(f, 0, sizeof(*f));
	f->state = VIGIL_STATE_STARTING;
	f->state_since_ms = now_ms;
	f->reason = R_INIT;
}

/*
 * A start timeout that has passed comes before the event (a late CONNECTED
 * does not undo it). Restarts and the stable period are checked after it:
 * the event may have made a restart due (the old process exited), and a
 * SHUTDOWN or MANUAL_RESTART arriving at the due time must win.
 * A STOP for a process that this very event reported gone is dropped.
 */
unsigned
fsm_step(struct fsm *f, const struct health_config *h,
    const struct fsm_event *ev, uint64_t now_ms)
{
	unsigned	act;

	act = check_start_timeout(f, h, ev, now_ms);
	act |= dispatch(f, h, ev, now_ms);
	act |= check_timers(f, h, now_ms);
	if (!f->running)
		act &= ~FSM_ACT_STOP;
	return act;
}

/* Keep the earliest non-zero deadline; a deadline at time 0 becomes 1. */
static uint64_t
earliest(uint64_t cur, uint64_t cand)
{
	if (cand == 0)
		cand = 1;
	return cur == 0 || cand < cur ? cand : cur;
}

uint64_t
fsm_next_deadline(const struct fsm *f, const struct health_config *h)
{
	uint64_t	d = 0;

	if (start_timeout_armed(f, h))
		d = earliest(d, add_sat(f->spawned_ms, h->start_timeout_ms));
	if (f->restart_pending && !f->running && !f->shutdown)
		d = earliest(d, f->next_restart_ms);
	if (f->state == VIGIL_STATE_HEALTHY && f->restart_count > 0)
		d = earliest(d, add_sat(f->healthy_since_ms,
		    h->stable_period_ms));
	return d;
}

bool
fsm_wants_checks(const struct fsm *f)
{
	return f->connected && f->running && !f->stopping &&
	    is_monitored(f->state);
}

bool
fsm_available(const struct fsm *f)
{
	return f->state == VIGIL_STATE_HEALTHY ||
	    f->state == VIGIL_STATE_DEGRADED;
}

/* Every restart is in the ring, so min(total, ring size) slots are valid. */
uint32_t
fsm_restarts_last_hour(const struct fsm *f, uint64_t now_ms)
{
	uint64_t	valid, t;
	uint32_t	i, idx, n = 0;

	valid = f->total_restarts < FSM_RESTART_HISTORY ?
	    f->total_restarts : FSM_RESTART_HISTORY;
	for (i = 0; i < valid; i++) {
		idx = (f->restart_head + FSM_RESTART_HISTORY - 1 - i) %
		    FSM_RESTART_HISTORY;
		t = f->restart_times[idx];
		if (t <= now_ms && (now_ms < HOUR_MS || t > now_ms - HOUR_MS))
			n++;
	}
	return n;
}

/* base * (1000 + jitter) / 1000 without overflow, saturating. */
static uint64_t
apply_jitter(uint64_t base, int32_t jitter_permille)
{
	uint64_t	k;

	if (jitter_permille < -JITTER_MAX)
		jitter_permille = -JITTER_MAX;
	if (jitter_permille > JITTER_MAX)
		jitter_permille = JITTER_MAX;
	k = (uint64_t)(1000 + jitter_permille);
	return add_sat(mul_sat(base / 1000, k), (base % 1000) * k / 1000);
}

uint64_t
fsm_backoff_ms(const struct health_config *h, uint32_t n,
    int32_t jitter_permille)
{
	uint64_t	base;

	base = mul_sat(h->restart_backoff_ms, n);
	if (base > h->max_restart_backoff_ms)
		base = h->max_restart_backoff_ms;
	return apply_jitter(base, jitter_permille);
}
