/* Shared-memory contract between the supervisor (one writer) and readers. */
#ifndef VIGIL_SHM_H
#define VIGIL_SHM_H

/*
 * Layout of the POSIX shared-memory segment named by [supervisor] shm_name:
 *
 *   struct vigil_shm_header                      (VIGIL_SHM_HEADER_SIZE bytes)
 *   struct vigil_shm_slot[capacity]              (record_size bytes each)
 *
 * The supervisor creates the segment (mode 0644) and is its only writer.
 * Readers map it PROT_READ. No pointers are stored; every string is a fixed
 * array that the writer NUL-terminates and readers terminate again before use.
 *
 * Each slot is guarded by its own seqlock: the writer makes seq odd, stores
 * the payload words, then makes seq even again; a reader copies the payload
 * word by word and keeps the copy only if seq was even and unchanged.
 *
 * Any change to this file that alters the layout must bump VIGIL_SHM_VERSION.
 */

#include <stdint.h>
#include <stdatomic.h>

#define VIGIL_SHM_MAGIC		0x4c474956u	/* "VIGL" in memory order */
#define VIGIL_SHM_VERSION	1u
#define VIGIL_SHM_HEADER_SIZE	128u

#define VIGIL_NAME_LEN		64	/* plugin name, [a-z0-9][a-z0-9_-]{0,62} */
#define VIGIL_VERSION_LEN	32
#define VIGIL_DESC_LEN		128
#define VIGIL_PATH_LEN		256
#define VIGIL_MESSAGE_LEN	128
#define VIGIL_DETAILS_LEN	256

/* Plugin states. The first six are the seed's; the last two are Vigil's. */
enum vigil_state {
	VIGIL_STATE_UNKNOWN = 0,	/* initial, or just restarted */
	VIGIL_STATE_HEALTHY = 1,
	VIGIL_STATE_UNHEALTHY = 2,	/* failed checks or exited; backoff */
	VIGIL_STATE_DEGRADED = 3,	/* answering, with issues */
	VIGIL_STATE_RESTARTING = 4,	/* being restarted (spawned again) */
	VIGIL_STATE_FAILED = 5,		/* gave up; manual restart only */
	VIGIL_STATE_STARTING = 6,	/* spawned, not yet connected */
	VIGIL_STATE_STOPPED = 7,	/* stopped on purpose (shutdown, removal) */
	VIGIL_STATE_COUNT = 8
};

/* vigil_record.flags */
#define VIGIL_REC_IN_USE	0x0001u	/* slot holds a configured plugin */
#define VIGIL_REC_HEALTHY	0x0002u	/* healthy or degraded: usable */
#define VIGIL_REC_CONNECTED	0x0004u	/* gRPC connection established */
#define VIGIL_REC_REQUIRED	0x0008u	/* counts for readiness */
#define VIGIL_REC_EXITED	0x0010u	/* not running: it exited (see last_exit_*) */

/* vigil_record.protocol */
#define VIGIL_PROTO_HKP		0u
#define VIGIL_PROTO_GOPLUGIN	1u

/*
 * One plugin's state. Times are Unix times in microseconds (0 = never);
 * durations are microseconds. Size is a multiple of 8 so that it is copied
 * as whole 64-bit words.
 */
struct vigil_record {
	char		name[VIGIL_NAME_LEN];
	char		version[VIGIL_VERSION_LEN];
	char		description[VIGIL_DESC_LEN];
	char		executable[VIGIL_PATH_LEN];
	char		message[VIGIL_MESSAGE_LEN];	/* last from plugin */
	char		details[VIGIL_DETAILS_LEN];	/* "k=v, k=v" summary */
	uint32_t	state;				/* enum vigil_state */
	uint32_t	flags;				/* VIGIL_REC_* */
	int32_t		pid;				/* 0 when not running */
	uint32_t	protocol;			/* VIGIL_PROTO_* */
	uint32_t	consecutive_failures;
	uint32_t	consecutive_successes;
	uint32_t	restart_count;			/* since last stable period */
	uint32_t	restarts_last_hour;
	int32_t		last_exit_code;			/* -1 if not exited */
	int32_t		last_exit_signal;		/* 0 if not signalled */
	int64_t		last_check_us;
	int64_t		last_healthy_us;
	int64_t		last_state_change_us;
	int64_t		next_restart_us;		/* 0 = none scheduled */
	int64_t		started_us;			/* process start */
	uint64_t	last_response_us;
	uint64_t	avg_response_us;		/* moving average */
	uint64_t	total_checks;
	uint64_t	total_failures;
	uint64_t	total_restarts;
	uint64_t	check_interval_us;
};

#define VIGIL_RECORD_WORDS	(sizeof(struct vigil_record) / sizeof(uint64_t))

/* One seqlock-guarded slot. */
struct vigil_shm_slot {
	_Atomic uint64_t	seq;		/* odd while being written */
	_Atomic uint64_t	words[VIGIL_RECORD_WORDS];
};

/* vigil_shm_header.flags */
#define VIGIL_SHM_F_SHUTDOWN	0x0001u	/* supervisor exited cleanly */
#define VIGIL_SHM_F_DEMO	0x0002u	/* demo (simulation) mode on */
#define VIGIL_SHM_F_READY	0x0004u	/* initial plugin start done */

struct vigil_shm_header {
	_Atomic uint32_t	magic;		/* stored last at creation */
	uint32_t		version;
	uint32_t		header_size;	/* VIGIL_SHM_HEADER_SIZE */
	uint32_t		record_size;	/* sizeof(struct vigil_shm_slot) */
	uint32_t		capacity;	/* slots in the segment */
	_Atomic uint32_t	count;		/* slots [0, count) may be in use */
	uint64_t		generation;	/* new for every supervisor */
	int32_t			supervisor_pid;
	_Atomic uint32_t	flags;		/* VIGIL_SHM_F_* */
	int64_t			created_us;	/* Unix time, microseconds */
	_Atomic uint64_t	heartbeat_mono_ns; /* CLOCK_MONOTONIC */
	_Atomic int64_t		heartbeat_us;	/* Unix time, microseconds */
	_Atomic uint64_t	updates;	/* records published so far */
	uint8_t			reserved[VIGIL_SHM_HEADER_SIZE - 72];
};

_Static_assert(sizeof(struct vigil_record) % sizeof(uint64_t) == 0,
    "vigil_record must be a whole number of words");
_Static_assert(sizeof(struct vigil_shm_header) == VIGIL_SHM_HEADER_SIZE,
    "vigil_shm_header size is part of the contract");

#endif /* VIGIL_SHM_H */
