/* The per-plugin health state machine: pure logic, time passed in. */
#ifndef VIGIL_STATE_H
#define VIGIL_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "vigil_shm.h"

/*
 * One struct fsm per plugin. The caller feeds it events with the current
 * CLOCK_MONOTONIC time in milliseconds and performs the actions it returns.
 * The machine never reads a clock, never does I/O and never allocates; the
 * full transition table is in docs/ARCHITECTURE.md and tested by
 * tests/unit/state_test.c.
 */

enum fsm_event_type {
	FSM_EV_SPAWNED = 1,	/* process started (fork/exec succeeded) */
	FSM_EV_SPAWN_FAILED,	/* could not start the process at all */
	FSM_EV_CONNECTED,	/* handshake/Initialize done: checks may run */
	FSM_EV_CHECK_OK,	/* healthy reply, latency_ms set */
	FSM_EV_CHECK_DEGRADED,	/* DEGRADED reply, latency_ms set */
	FSM_EV_CHECK_FAIL,	/* timeout, RPC error or UNHEALTHY reply */
	FSM_EV_EXITED,		/* the process is gone (reaped) */
	FSM_EV_MANUAL_RESTART,	/* operator asked for a restart */
	FSM_EV_SHUTDOWN,	/* supervisor stopping or plugin removed */
	FSM_EV_TICK		/* nothing happened; time moved on */
};

struct fsm_event {
	enum fsm_event_type type;
	uint64_t	latency_ms;	/* CHECK_OK, CHECK_DEGRADED */
	int32_t		jitter_permille; /* -100..100, applied to backoff */
};

/* Actions, returned as a bit mask by fsm_step(). */
#define FSM_ACT_SPAWN	0x01u	/* start the process now */
#define FSM_ACT_STOP	0x02u	/* stop the process (graceful, then kill) */

#define FSM_RESTART_HISTORY 64

struct fsm {
	uint32_t	state;		/* enum vigil_state */
	bool		running;	/* a process exists (spawned, not reaped) */
	bool		stopping;	/* we asked it to stop */
	bool		connected;	/* CONNECTED since the last spawn */
	bool		restart_pending; /* spawn once the old process is gone */
	bool		restart_manual;	/* pending restart is an operator's */
	bool		shutdown;	/* no more spawns, ever */
	uint32_t	consecutive_failures;
	uint32_t	consecutive_successes;
	uint32_t	restart_count;	/* automatic restarts since stable */
	uint64_t	total_restarts;	/* every restart, automatic or manual */
	uint64_t	state_since_ms;	/* when state last changed */
	uint64_t	spawned_ms;	/* last SPAWNED */
	uint64_t	healthy_since_ms; /* entered healthy; 0 if not healthy */
	uint64_t	next_restart_ms; /* 0 = none scheduled */
	uint64_t	restart_times[FSM_RESTART_HISTORY]; /* ring, ms */
	uint32_t	restart_head;
	const char	*reason;	/* static string: why the last change */
};

/* Start in STARTING with nothing running; the caller spawns right away. */
void		fsm_init(struct fsm *f, uint64_t now_ms);

/* Apply one event at time now_ms under config h; return FSM_ACT_* bits. */
unsigned	fsm_step(struct fsm *f, const struct health_config *h,
		    const struct fsm_event *ev, uint64_t now_ms);

/* Earliest time at which a TICK could change something; 0 = none. */
uint64_t	fsm_next_deadline(const struct fsm *f,
		    const struct health_config *h);

/* Whether health checks should be sent now (connected and monitored). */
bool		fsm_wants_checks(const struct fsm *f);

/* Whether the plugin is usable (healthy or degraded). */
bool		fsm_available(const struct fsm *f);

/* Restarts in the hour before now_ms (from the ring). */
uint32_t	fsm_restarts_last_hour(const struct fsm *f, uint64_t now_ms);

/*
 * Backoff before restart number n (1-based): restart_backoff * n, capped at
 * max_restart_backoff, then scaled by (1000 + jitter_permille) / 1000.
 */
uint64_t	fsm_backoff_ms(const struct health_config *h, uint32_t n,
		    int32_t jitter_permille);

#endif /* VIGIL_STATE_H */
