/* Writer side of the shared-memory state segment (supervisor only). */
#ifndef VIGIL_SHMSTATE_H
#define VIGIL_SHMSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil_shm.h"

struct shmstate;

/*
 * Create the segment name with room for capacity records, replacing any
 * stale one, readable by everyone (0644), with a fresh generation.
 * Returns NULL with a reason in err.
 */
struct shmstate	*shmstate_create(const char *name, uint32_t capacity,
		    char *err, size_t errlen);

/* Mark the segment shut down, unmap, and unlink it when unlink_it. */
void		 shmstate_destroy(struct shmstate *s, int unlink_it);

/* Claim a free slot; -1 when full. */
int		 shmstate_alloc(struct shmstate *s);
/* Release a slot: readers stop seeing it. */
void		 shmstate_release(struct shmstate *s, int slot);

/* Publish a whole record into slot under its seqlock. */
void		 shmstate_publish(struct shmstate *s, int slot,
		    const struct vigil_record *rec);

void		 shmstate_heartbeat(struct shmstate *s, uint64_t mono_ns,
		    int64_t real_us);
void		 shmstate_set_flags(struct shmstate *s, uint32_t set,
		    uint32_t clear);
uint64_t	 shmstate_generation(const struct shmstate *s);

/*
 * Check the segment is intact and still ours: truncated, overwritten
 * (magic, version, sizes) or removed/replaced segments are repaired or
 * recreated. Returns 1 when the caller must publish every record again,
 * 0 when all was well, -1 on failure. Cheap enough for every heartbeat.
 */
int		 shmstate_check(struct shmstate *s);

#endif /* VIGIL_SHMSTATE_H */
