/* vigil.demo.Simulation: demo-only fault injection and load for plugins. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/status.h>

#include "proto/simulation.pb-c.h"
#include "vigil_plugin.h"

/* Let the Inject answer reach the client before the process goes. */
#define CRASH_AFTER_MS	50

static const struct {
	const char	*name;
	int		 fault;
} faults[] = {
	{ "crash",	VIGIL_FAULT_CRASH },
	{ "hang",	VIGIL_FAULT_HANG },
	{ "slow",	VIGIL_FAULT_SLOW },
	{ "degraded",	VIGIL_FAULT_DEGRADED },
	{ "unhealthy",	VIGIL_FAULT_UNHEALTHY },
	{ "recover",	VIGIL_FAULT_NONE },
};

int
vigil_sim_parse_fault(const char *name, int *fault)
{
	size_t	i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(name, faults[i].name) == 0) {
			*fault = faults[i].fault;
			return 0;
		}
	}
	return -1;
}

void
vigil_sim_apply(const struct vigil_sim *sim, struct vigil_health *h)
{
	switch (sim->fault) {
	case VIGIL_FAULT_HANG:
		h->delay_ms = VIGIL_HEALTH_HANG;
		break;
	case VIGIL_FAULT_SLOW:
		h->delay_ms = sim->delay_ms > 0 ? sim->delay_ms :
		    VIGIL_SIM_SLOW_DEFAULT_MS;
		break;
	case VIGIL_FAULT_DEGRADED:
		vigil_health_set(h, VIGIL_HEALTH_DEGRADED,
		    "simulated degradation");
		break;
	case VIGIL_FAULT_UNHEALTHY:
		vigil_health_set(h, VIGIL_HEALTH_UNHEALTHY,
		    "simulated failure");
		break;
	default:
		break;
	}
}

static void
crash_now(void *arg)
{
	(void)arg;
	/* A crash skips every clean-up on purpose, like a real one. */
	_exit(VIGIL_SIM_CRASH_EXIT);
}

static void
do_inject(struct vigil_call *call, const ProtobufCMessage *msg, void *arg)
{
	const Vigil__Demo__FaultRequest	*req =
	    (const Vigil__Demo__FaultRequest *)msg;
	struct vigil_sim		*sim = arg;
	Vigil__Demo__FaultResponse	 resp;
	char				 text[128];
	int				 fault;

	if (vigil_sim_parse_fault(req->fault, &fault) == -1) {
		vigil_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "unknown fault");
		return;
	}
	if (req->delay_ms < 0 || req->delay_ms > 3600 * 1000) {
		vigil_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "delay_ms out of range");
		return;
	}
	if (fault == VIGIL_FAULT_CRASH) {
		if (vigil_server_after(vigil_call_server(call), CRASH_AFTER_MS,
		    crash_now, NULL) == -1)
			crash_now(NULL);
		snprintf(text, sizeof(text), "crashing with exit code %d",
		    VIGIL_SIM_CRASH_EXIT);
	} else {
		sim->fault = fault;
		sim->delay_ms = req->delay_ms;
		snprintf(text, sizeof(text), "fault %s injected", req->fault);
	}
	vigil_log("simulation: %s", text);
	vigil__demo__fault_response__init(&resp);
	resp.accepted = 1;
	resp.message = text;
	vigil_call_reply(call, &resp.base);
}

/* Stand-in work when the plugin has no load function of its own. */
static int32_t
default_load(void *arg, int32_t n, int32_t *rejected)
{
	volatile uint64_t	h = 1469598103934665603ULL;
	int32_t			i;
	int			j;

	(void)arg;
	for (i = 0; i < n; i++)
		for (j = 0; j < 64; j++)
			h = (h ^ (uint64_t)(i + j)) * 1099511628211ULL;
	*rejected = 0;
	return n;
}

static int64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
do_load(struct vigil_call *call, const ProtobufCMessage *msg, void *arg)
{
	const Vigil__Demo__LoadRequest	*req =
	    (const Vigil__Demo__LoadRequest *)msg;
	struct vigil_sim		*sim = arg;
	Vigil__Demo__LoadResponse	 resp;
	int32_t				 rejected = 0;
	int64_t				 start;

	if (req->requests < 0 || req->requests > VIGIL_SIM_MAX_LOAD) {
		vigil_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "requests must be 0..%d", VIGIL_SIM_MAX_LOAD);
		return;
	}
	vigil__demo__load_response__init(&resp);
	start = mono_us();
	if (sim->load != NULL)
		resp.processed = sim->load(sim->load_arg, req->requests,
		    &rejected);
	else
		resp.processed = default_load(NULL, req->requests, &rejected);
	resp.rejected = rejected;
	resp.elapsed_us = mono_us() - start;
	vigil_call_reply(call, &resp.base);
}

int
vigil_sim_serve(struct vigil_server *srv, struct vigil_sim *sim)
{
	if (vigil_server_add_method(srv, "/vigil.demo.Simulation/Inject",
	    &vigil__demo__fault_request__descriptor, do_inject, sim) == -1 ||
	    vigil_server_add_method(srv, "/vigil.demo.Simulation/Load",
	    &vigil__demo__load_request__descriptor, do_load, sim) == -1)
		return -1;
	return 0;
}
