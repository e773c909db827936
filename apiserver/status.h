/* Overall health, readiness and supervisor-liveness rules (pure logic). */
#ifndef APISERVER_STATUS_H
#define APISERVER_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil.h"

enum overall {
	OVERALL_HEALTHY = 0,	/* HTTP 200 */
	OVERALL_DEGRADED,	/* HTTP 200 */
	OVERALL_UNHEALTHY	/* HTTP 503 */
};

/* Why the supervisor counts as down; SUP_UP when it does not. */
enum sup_status {
	SUP_UP = 0,
	SUP_NO_SEGMENT,		/* ENOENT: never started or gone */
	SUP_STOPPED,		/* ESTALE: exited cleanly */
	SUP_INCOMPATIBLE,	/* EPROTO: other layout version */
	SUP_BUSY,		/* EAGAIN: record stuck mid-update */
	SUP_HEARTBEAT_STALE,	/* alive segment, silent writer */
	SUP_ERROR		/* anything else */
};

struct status_summary {
	uint32_t	total;
	uint32_t	by_state[VIGIL_STATE_COUNT];
	uint32_t	connected;
	uint32_t	required;
	uint32_t	required_ready;
};

/* Map errno from libvigil (0 = call succeeded) and heartbeat age. */
enum sup_status	status_supervisor(int err, uint64_t heartbeat_age_ms,
		    uint64_t heartbeat_timeout_ms);
const char	*status_supervisor_reason(enum sup_status s);

void		 status_summarize(const struct vigil_record *recs, size_t n,
		    struct status_summary *out);
enum overall	 status_overall(const struct status_summary *s,
		    enum sup_status sup);
const char	*status_overall_name(enum overall o);
int		 status_overall_http(enum overall o);

/* Healthy or degraded: usable, counts as ready. */
bool		 status_record_usable(const struct vigil_record *r);
bool		 status_record_required(const struct vigil_record *r);

/* Readiness: supervisor up and every required plugin usable. */
bool		 status_ready(const struct status_summary *s,
		    enum sup_status sup);

#endif /* APISERVER_STATUS_H */
