/* Regression guard workload: the supervisor's health-check result path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "proto/hkpplugin.pb-c.h"
#include "shmstate.h"
#include "state.h"
#include "timeutil.h"

/*
 * usage: guard_check [CHECKS]
 *
 * What supervisor/plugin.c does with every finished HealthCheck (on_check:
 * decode the reply, record_check, step through the state machine,
 * publish), CHECKS times (default 20000) over 16 plugins, inside
 * guard_workload(). scripts/bench/quick.sh counts the instructions of that
 * function alone with callgrind (--toggle-collect=guard_workload), so the
 * gRPC transport, start-up and segment creation are not in the figure.
 * Every 50th reply is UNHEALTHY, so failure counting is on the path too.
 * Keep it in step with plugin.c: if on_check gains work, add it here.
 */

#define PLUGINS	16

struct fake_plugin {
	int			 slot;
	struct fsm		 fsm;
	char			 name[VIGIL_NAME_LEN];
	char			 message[VIGIL_MESSAGE_LEN];
	char			 details[VIGIL_DETAILS_LEN];
	int64_t			 last_check_us, last_healthy_us;
	uint64_t		 last_response_us, avg_response_us;
	uint64_t		 total_checks, total_failures;
};

static struct fake_plugin plugins[PLUGINS];
static struct health_config health = {
	.check_interval_ms = 1000, .check_timeout_ms = 500,
	.failure_threshold = 3, .success_threshold = 2, .max_restarts = 5,
	.restart_backoff_ms = 5000, .max_restart_backoff_ms = 300000,
	.stable_period_ms = 600000, .degraded_latency_ms = 5000,
	.start_timeout_ms = 30000, .stop_timeout_ms = 10000,
};

/* A HealthStatus reply as the SDK sends it. */
static size_t
encode_reply(uint8_t *buf, int status)
{
	Hkpplugin__HealthStatus hs = HKPPLUGIN__HEALTH_STATUS__INIT;
	Hkpplugin__HealthStatus__DetailsEntry e[2] = {
		HKPPLUGIN__HEALTH_STATUS__DETAILS_ENTRY__INIT,
		HKPPLUGIN__HEALTH_STATUS__DETAILS_ENTRY__INIT,
	};
	Hkpplugin__HealthStatus__DetailsEntry *ep[2] = { &e[0], &e[1] };

	hs.status = (Hkpplugin__HealthStatus__Status)status;
	hs.message = (char *)(uintptr_t)"all good";
	e[0].key = (char *)(uintptr_t)"uptime";
	e[0].value = (char *)(uintptr_t)"12345";
	e[1].key = (char *)(uintptr_t)"requests";
	e[1].value = (char *)(uintptr_t)"678";
	hs.details = ep;
	hs.n_details = 2;
	hs.timestamp = 1705314600;
	return hkpplugin__health_status__pack(&hs, buf);
}

/* As plugin.c's record_check. */
static void
record_check(struct fake_plugin *p, const struct probe_reply *r,
    uint64_t lat_us)
{
	p->total_checks++;
	p->last_check_us = time_real_us();
	p->last_response_us = lat_us;
	p->avg_response_us = p->total_checks == 1 ? lat_us :
	    (p->avg_response_us * 4 + lat_us) / 5;
	if (r->result == PROBE_FAIL)
		p->total_failures++;
	else
		p->last_healthy_us = p->last_check_us;
	memcpy(p->message, r->message, sizeof(p->message));
	memcpy(p->details, r->details, sizeof(p->details));
}

/* As plugin.c's publish. */
static void
publish(struct shmstate *s, const struct fake_plugin *p, uint64_t now)
{
	struct vigil_record r;

	memset(&r, 0, sizeof(r));
	probe_copy_text(r.name, sizeof(r.name), p->name);
	probe_copy_text(r.executable, sizeof(r.executable),
	    "/usr/libexec/vigil/plugins/bench/bench");
	memcpy(r.message, p->message, sizeof(r.message));
	memcpy(r.details, p->details, sizeof(r.details));
	r.state = p->fsm.state;
	r.flags = VIGIL_REC_IN_USE | VIGIL_REC_CONNECTED |
	    (fsm_available(&p->fsm) ? VIGIL_REC_HEALTHY : 0);
	r.consecutive_failures = p->fsm.consecutive_failures;
	r.consecutive_successes = p->fsm.consecutive_successes;
	r.restart_count = p->fsm.restart_count;
	r.restarts_last_hour = fsm_restarts_last_hour(&p->fsm, now);
	r.last_check_us = p->last_check_us;
	r.last_healthy_us = p->last_healthy_us;
	r.last_response_us = p->last_response_us;
	r.avg_response_us = p->avg_response_us;
	r.total_checks = p->total_checks;
	r.total_failures = p->total_failures;
	r.check_interval_us = health.check_interval_ms * 1000;
	shmstate_publish(s, p->slot, &r);
}

__attribute__((noinline)) void guard_workload(struct shmstate *, int,
    const uint8_t *, size_t, const uint8_t *, size_t);

void
guard_workload(struct shmstate *s, int checks, const uint8_t *ok,
    size_t oklen, const uint8_t *bad, size_t badlen)
{
	struct probe_reply r;
	uint64_t now = 1000000;

	for (int i = 0; i < checks; i++) {
		struct fake_plugin *p = &plugins[i % PLUGINS];
		int fail = i % 50 == 49;
		struct fsm_event ev = { .latency_ms = 1 };

		now += 1000 / PLUGINS;
		probe_decode_hkp_health(GRPC_STATUS_OK, fail ? bad : ok,
		    fail ? badlen : oklen, "", &r);
		record_check(p, &r, 300);
		ev.type = r.result == PROBE_OK ? FSM_EV_CHECK_OK :
		    r.result == PROBE_DEGRADED ? FSM_EV_CHECK_DEGRADED :
		    FSM_EV_CHECK_FAIL;
		(void)fsm_step(&p->fsm, &health, &ev, now);
		publish(s, p, now);
	}
}

int
main(int argc, char **argv)
{
	struct fsm_event spawned = { .type = FSM_EV_SPAWNED };
	struct fsm_event conn = { .type = FSM_EV_CONNECTED };
	uint8_t ok[256], bad[256];
	size_t oklen, badlen;
	struct shmstate *s;
	char name[64], err[256];
	int checks = argc > 1 ? atoi(argv[1]) : 20000;

	snprintf(name, sizeof(name), "/vigil-guard-check-%d", (int)getpid());
	if ((s = shmstate_create(name, PLUGINS, err, sizeof(err))) == NULL) {
		fprintf(stderr, "guard_check: %s\n", err);
		return 1;
	}
	for (int i = 0; i < PLUGINS; i++) {
		struct fake_plugin *p = &plugins[i];

		snprintf(p->name, sizeof(p->name), "plugin%02d", i);
		p->slot = shmstate_alloc(s);
		fsm_init(&p->fsm, 0);
		(void)fsm_step(&p->fsm, &health, &spawned, 1);
		(void)fsm_step(&p->fsm, &health, &conn, 2);
	}
	oklen = encode_reply(ok, HKPPLUGIN__HEALTH_STATUS__STATUS__HEALTHY);
	badlen = encode_reply(bad, HKPPLUGIN__HEALTH_STATUS__STATUS__UNHEALTHY);
	guard_workload(s, checks, ok, oklen, bad, badlen);
	printf("checks=%d healthy=%d\n", checks,
	    plugins[0].fsm.state == VIGIL_STATE_HEALTHY);
	shmstate_destroy(s, 1);
	return 0;
}
