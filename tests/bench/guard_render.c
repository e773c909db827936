/* Regression guard workload: the apiserver's GET /health path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "response.h"
#include "shmstate.h"
#include "timeutil.h"
#include "view.h"

/*
 * usage: guard_render [REQUESTS]
 *
 * What apiserver/routes.c's do_health does for every request, REQUESTS
 * times (default 2000) against a segment of 16 healthy plugins, inside
 * guard_workload(): view_load (libvigil header + snapshot, status
 * summary), render_health, response_json (json-c serialization) and
 * response_finish (the bytes server.c writes for it). CivetWeb's own
 * request parsing and the socket write are not included.
 * scripts/bench/quick.sh counts the instructions of guard_workload alone
 * with callgrind. Record times are fixed so the output is the same on
 * every run.
 */

#define PLUGINS	16
#define T0	1705314600000000LL	/* 2024-01-15T10:30:00Z */

static void
fill(struct vigil_record *r, int i)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "plugin%02d", i + 1);
	snprintf(r->version, sizeof(r->version), "1.0.0");
	snprintf(r->description, sizeof(r->description), "test plugin %s",
	    r->name);
	snprintf(r->executable, sizeof(r->executable),
	    "/usr/libexec/vigil/plugins/%s/%s", r->name, r->name);
	r->flags = VIGIL_REC_IN_USE | VIGIL_REC_REQUIRED |
	    VIGIL_REC_CONNECTED | VIGIL_REC_HEALTHY;
	r->state = VIGIL_STATE_HEALTHY;
	r->last_exit_code = -1;
	r->last_check_us = T0 - 1000000;
	r->last_healthy_us = T0 - 1000000;
	r->last_state_change_us = T0 - 60000000;
	r->started_us = T0 - 60000000;
	r->last_response_us = 3000;
	r->avg_response_us = 3000;
	r->total_checks = 60;
	r->check_interval_us = 30000000;
}

__attribute__((noinline)) size_t guard_workload(struct worker *, int);

size_t
guard_workload(struct worker *w, int requests)
{
	struct response resp;
	struct view v;
	size_t bytes = 0;

	response_init(&resp);
	for (int i = 0; i < requests; i++) {
		/* An hour: valgrind is slow, the heartbeat must not go stale. */
		view_load(w, 3600000, &v);
		response_json(&resp, status_overall_http(status_overall(&v.sum,
		    v.sup_status)), render_health(&v, T0));
		/* What server.c sends for an answer it renders. */
		if (response_finish(&resp, false) == 0)
			bytes += resp.body.len;
	}
	response_free(&resp);
	return bytes;
}

int
main(int argc, char **argv)
{
	struct vigil_record r;
	struct shmstate *s;
	struct worker *w;
	char name[64], err[256];
	int requests = argc > 1 ? atoi(argv[1]) : 2000;
	size_t bytes;

	snprintf(name, sizeof(name), "/vigil-guard-render-%d", (int)getpid());
	if ((s = shmstate_create(name, 64, err, sizeof(err))) == NULL) {
		fprintf(stderr, "guard_render: %s\n", err);
		return 1;
	}
	for (int i = 0; i < PLUGINS; i++) {
		fill(&r, i);
		shmstate_publish(s, shmstate_alloc(s), &r);
	}
	shmstate_heartbeat(s, time_mono_ns(), T0);
	shmstate_set_flags(s, VIGIL_SHM_F_READY, 0);
	if ((w = worker_new(name)) == NULL) {
		fprintf(stderr, "guard_render: worker_new failed\n");
		return 1;
	}
	bytes = guard_workload(w, requests);
	printf("requests=%d bytes_per_request=%zu\n", requests,
	    requests > 0 ? bytes / (size_t)requests : 0);
	worker_free(w);
	shmstate_destroy(s, 1);
	return 0;
}
