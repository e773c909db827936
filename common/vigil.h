/* libvigil: read Vigil's plugin state from shared memory (read-only). */
#ifndef VIGIL_H
#define VIGIL_H

/*
 * A host application, the apiserver or a probe opens the segment by name
 * and takes consistent snapshots of the per-plugin records. The library
 * never writes the segment (it is mapped PROT_READ) and never blocks: when
 * the segment is missing, has another layout version, or a record stays
 * mid-update past a bounded number of retries, calls fail with errno set
 * and the caller reports "state unavailable".
 *
 * When a new supervisor replaces the segment (new generation), the next call
 * notices and remaps transparently. A handle is not thread-safe; use one per
 * thread (they are cheap: one mapping each).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil_shm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil;

/* What the header says about the supervisor that owns the segment. */
struct vigil_supervisor {
	uint64_t	generation;
	int32_t		pid;
	uint32_t	flags;		/* VIGIL_SHM_F_* */
	uint32_t	capacity;
	uint32_t	count;		/* plugins in use */
	int64_t		created_us;	/* Unix time */
	int64_t		heartbeat_us;	/* Unix time of last heartbeat */
	uint64_t	heartbeat_age_ms; /* from CLOCK_MONOTONIC */
};

/*
 * Create a handle for the segment called shm_name ("/vigil"). Succeeds even
 * if the segment does not exist yet; returns NULL only on bad arguments
 * (EINVAL) or out of memory.
 */
struct vigil	*vigil_open(const char *shm_name);
void		 vigil_close(struct vigil *v);

/*
 * Header information. -1 with errno ENOENT (no segment), EPROTO (wrong magic,
 * version or sizes) or ESTALE (supervisor exited cleanly).
 */
int	vigil_supervisor(struct vigil *v, struct vigil_supervisor *out);

/*
 * Copy every in-use record into out (at most max), set *n. -1 with errno as
 * above, or EAGAIN when a record stayed mid-update past the retry bound.
 */
int	vigil_snapshot(struct vigil *v, struct vigil_record *out, size_t max,
	    size_t *n);

/*
 * A counter of the writes to the records, for pollers that want to skip
 * vigil_snapshot when nothing changed: two equal values mean that no
 * record was written in between. sup is the header the caller read with
 * vigil_supervisor(); values are comparable only between calls given
 * headers with the same generation and created_us. -1 with errno ENOENT
 * or EPROTO as vigil_supervisor, or EAGAIN when the segment is no longer
 * the one sup describes or a record is being written at that moment (ask
 * again, or take a snapshot).
 */
int	vigil_changes(struct vigil *v, const struct vigil_supervisor *sup,
	    uint64_t *changes);

/* One plugin's record by name; -1 with ENOENT when no such plugin. */
int	vigil_get(struct vigil *v, const char *name, struct vigil_record *out);

/*
 * Circuit breaker: true when the supervisor is alive (heartbeat younger than
 * max_age_ms) and the plugin is healthy or degraded. Any error means false.
 */
bool	vigil_plugin_available(struct vigil *v, const char *name,
	    uint64_t max_age_ms);

/* "healthy", "unhealthy", ...; "invalid" for out-of-range values. */
const char	*vigil_state_name(uint32_t state);

/* Library version string, e.g. "0.1.0". */
const char	*vigil_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_H */
