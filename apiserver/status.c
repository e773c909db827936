/* Overall health, readiness and supervisor-liveness rules (pure logic). */
#include <errno.h>

#include "status.h"

enum sup_status
status_supervisor(int err, uint64_t heartbeat_age_ms,
    uint64_t heartbeat_timeout_ms)
{
	switch (err) {
	case 0:
		break;
	case ENOENT:	return SUP_NO_SEGMENT;
	case ESTALE:	return SUP_STOPPED;
	case EPROTO:	return SUP_INCOMPATIBLE;
	case EAGAIN:	return SUP_BUSY;
	default:	return SUP_ERROR;
	}
	return heartbeat_age_ms > heartbeat_timeout_ms ? SUP_HEARTBEAT_STALE :
	    SUP_UP;
}

const char *
status_supervisor_reason(enum sup_status s)
{
	switch (s) {
	case SUP_UP:			return "";
	case SUP_NO_SEGMENT:		return "supervisor not running "
					    "(no state segment)";
	case SUP_STOPPED:		return "supervisor stopped";
	case SUP_INCOMPATIBLE:		return "state segment has an "
					    "incompatible layout";
	case SUP_BUSY:			return "state unavailable "
					    "(record mid-update)";
	case SUP_HEARTBEAT_STALE:	return "supervisor heartbeat stale";
	default:			return "state unavailable";
	}
}

bool
status_record_usable(const struct vigil_record *r)
{
	return r->state == VIGIL_STATE_HEALTHY ||
	    r->state == VIGIL_STATE_DEGRADED;
}

bool
status_record_required(const struct vigil_record *r)
{
	return (r->flags & VIGIL_REC_REQUIRED) != 0;
}

void
status_summarize(const struct vigil_record *recs, size_t n,
    struct status_summary *out)
{
	*out = (struct status_summary){ .total = (uint32_t)n };
	for (size_t i = 0; i < n; i++) {
		const struct vigil_record *r = &recs[i];
		uint32_t st = r->state < VIGIL_STATE_COUNT ? r->state :
		    VIGIL_STATE_UNKNOWN;

		out->by_state[st]++;
		if (r->flags & VIGIL_REC_CONNECTED)
			out->connected++;
		if (status_record_required(r)) {
			out->required++;
			if (status_record_usable(r))
				out->required_ready++;
		}
	}
}

/*
 * healthy:   every plugin healthy (also with zero plugins);
 * unhealthy: supervisor down, or any plugin unhealthy or failed;
 * degraded:  otherwise (degraded, unknown, starting, restarting, stopped).
 */
enum overall
status_overall(const struct status_summary *s, enum sup_status sup)
{
	if (sup != SUP_UP)
		return OVERALL_UNHEALTHY;
	if (s->by_state[VIGIL_STATE_UNHEALTHY] > 0 ||
	    s->by_state[VIGIL_STATE_FAILED] > 0)
		return OVERALL_UNHEALTHY;
	if (s->by_state[VIGIL_STATE_HEALTHY] == s->total)
		return OVERALL_HEALTHY;
	return OVERALL_DEGRADED;
}

const char *
status_overall_name(enum overall o)
{
	switch (o) {
	case OVERALL_HEALTHY:	return "healthy";
	case OVERALL_DEGRADED:	return "degraded";
	default:		return "unhealthy";
	}
}

int
status_overall_http(enum overall o)
{
	return o == OVERALL_UNHEALTHY ? 503 : 200;
}

bool
status_ready(const struct status_summary *s, enum sup_status sup)
{
	return sup == SUP_UP && s->required_ready == s->required;
}
