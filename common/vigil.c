/* libvigil: read Vigil's plugin state from shared memory (read-only). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "busguard.h"
#include "seqlock.h"
#include "vigil.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

#define REOPEN_INTERVAL_NS	250000000ull	/* look for a new segment */
#define READ_RETRIES		1000		/* per record, then EAGAIN */

struct vigil {
	char		 name[256];
	int		 fd;
	const void	*base;
	size_t		 size;
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 checked_ns;	/* last look for a replacement */
};

static const char *const state_names[VIGIL_STATE_COUNT] = {
	"unknown", "healthy", "unhealthy", "degraded", "restarting",
	"failed", "starting", "stopped"
};

/*
 * A segment truncated between attach()'s size check and the copy raises
 * SIGBUS in the reader: every public read runs under busguard.h's guard
 * and reports EPROTO instead.
 */
/* Return call's result, or -1 (EPROTO) if the segment shrank under it. */
#define GUARDED_READ(v, call)						\
	do {								\
		int	rc_;						\
									\
		BUSGUARD_RUN(rc_ = (call),				\
		    unmap(v); errno = EPROTO; return -1);		\
		return rc_;						\
	} while (0)

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *
vigil_state_name(uint32_t state)
{
	return state < VIGIL_STATE_COUNT ? state_names[state] : "invalid";
}

const char *
vigil_version(void)
{
	return VIGIL_VERSION;
}

struct vigil *
vigil_open(const char *shm_name)
{
	struct vigil *v;

	if (shm_name == NULL || shm_name[0] != '/' ||
	    strlen(shm_name) >= sizeof(v->name)) {
		errno = EINVAL;
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	busguard_install();
	strcpy(v->name, shm_name);
	v->fd = -1;
	return v;
}

static void
unmap(struct vigil *v)
{
	if (v->base != NULL)
		munmap((void *)(uintptr_t)v->base, v->size);
	if (v->fd != -1)
		close(v->fd);
	v->base = NULL;
	v->size = 0;
	v->fd = -1;
}

void
vigil_close(struct vigil *v)
{
	if (v == NULL)
		return;
	unmap(v);
	free(v);
}

/* Check that the mapped header describes a segment we can read safely. */
static int
header_valid(const struct vigil_shm_header *h, size_t size)
{
	struct vigil_shm_header *w = (struct vigil_shm_header *)(uintptr_t)h;
	uint64_t need;

	if (atomic_load_explicit(&w->magic, memory_order_acquire) !=
	    VIGIL_SHM_MAGIC)
		return 0;
	if (h->version != VIGIL_SHM_VERSION ||
	    h->header_size != VIGIL_SHM_HEADER_SIZE ||
	    h->record_size != sizeof(struct vigil_shm_slot) ||
	    h->capacity == 0)
		return 0;
	need = VIGIL_SHM_HEADER_SIZE +
	    (uint64_t)h->capacity * sizeof(struct vigil_shm_slot);
	return need <= size;
}

/* Map the segment currently behind the name (fd already open). */
static int
map_fd(struct vigil *v, int fd, const struct stat *st)
{
	void *p;

	if (st->st_size < (off_t)VIGIL_SHM_HEADER_SIZE) {
		close(fd);
		errno = EPROTO;
		return -1;
	}
	p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	unmap(v);
	v->fd = fd;
	v->base = p;
	v->size = (size_t)st->st_size;
	v->dev = st->st_dev;
	v->ino = st->st_ino;
	return 0;
}

/* Re-open the name now and then, so a new supervisor's segment is found. */
static int
refresh(struct vigil *v, uint64_t now)
{
	struct stat st;
	int fd;

	v->checked_ns = now;
	fd = shm_open(v->name, O_RDONLY | O_CLOEXEC, 0);
	if (fd == -1) {
		unmap(v);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		unmap(v);
		return -1;
	}
	if (v->base != NULL && st.st_dev == v->dev && st.st_ino == v->ino) {
		close(fd);
		return 0;
	}
	return map_fd(v, fd, &st);
}

/* Make sure a valid segment is mapped; -1 with errno otherwise. */
static int
attach(struct vigil *v)
{
	uint64_t now = mono_ns();
	off_t end;

	if (v->base == NULL || now - v->checked_ns >= REOPEN_INTERVAL_NS) {
		if (refresh(v, now) == -1)
			return -1;
	}
	/*
	 * A segment truncated under us would fault on access (the guard
	 * catches that) or, within its last page, read as zeros: check the
	 * size on every call. lseek is the cheapest way to ask for it.
	 */
	if ((end = lseek(v->fd, 0, SEEK_END)) == -1 ||
	    (size_t)end < v->size) {
		unmap(v);
		errno = EPROTO;
		return -1;
	}
	if (!header_valid(v->base, v->size)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static const struct vigil_shm_header *
hdr(const struct vigil *v)
{
	return v->base;
}

static const struct vigil_shm_slot *
slot(const struct vigil *v, uint32_t i)
{
	return (const struct vigil_shm_slot *)((const char *)v->base +
	    VIGIL_SHM_HEADER_SIZE + (size_t)i * sizeof(struct vigil_shm_slot));
}

static uint32_t
live_count(const struct vigil *v)
{
	struct vigil_shm_header *h = (struct vigil_shm_header *)(uintptr_t)
	    hdr(v);
	uint32_t n = atomic_load_explicit(&h->count, memory_order_acquire);

	return n < h->capacity ? n : h->capacity;
}

/* Terminate every string and clamp enums: the writer is not trusted. */
static void
sanitize(struct vigil_record *r)
{
	r->name[sizeof(r->name) - 1] = '\0';
	r->version[sizeof(r->version) - 1] = '\0';
	r->description[sizeof(r->description) - 1] = '\0';
	r->executable[sizeof(r->executable) - 1] = '\0';
	r->message[sizeof(r->message) - 1] = '\0';
	r->details[sizeof(r->details) - 1] = '\0';
	if (r->state >= VIGIL_STATE_COUNT)
		r->state = VIGIL_STATE_UNKNOWN;
}

/*
 * Read slot i consistently, straight into out; 1 if in use, 0 if free, -1
 * (EAGAIN) if torn (out then holds garbage).
 */
static int
read_slot(const struct vigil *v, uint32_t i, struct vigil_record *out)
{
	const struct vigil_shm_slot *s = slot(v, i);

	for (int tries = 0; tries < READ_RETRIES; tries++) {
		if (seqlock_try_read(&s->seq, s->words, out,
		    VIGIL_RECORD_WORDS)) {
			if ((out->flags & VIGIL_REC_IN_USE) == 0)
				return 0;
			sanitize(out);
			return 1;
		}
		if (tries > 16)
			sched_yield();
	}
	errno = EAGAIN;
	return -1;
}

/*
 * Whether slot i is in use, reading only the word that holds the flags
 * under the seqlock: 1 in use, 0 free, -1 (EAGAIN) if it stayed torn.
 * Counting this way costs one word per slot instead of a whole record.
 */
static int
slot_in_use(const struct vigil *v, uint32_t i)
{
	const size_t off = offsetof(struct vigil_record, flags);
	const struct vigil_shm_slot *s = slot(v, i);
	uint64_t word;
	uint32_t flags;

	for (int tries = 0; tries < READ_RETRIES; tries++) {
		if (seqlock_try_read(&s->seq, &s->words[off / 8], &word, 1)) {
			memcpy(&flags, (const char *)&word + off % 8,
			    sizeof(flags));
			return (flags & VIGIL_REC_IN_USE) != 0;
		}
		if (tries > 16)
			sched_yield();
	}
	errno = EAGAIN;
	return -1;
}

static int
read_supervisor(struct vigil *v, struct vigil_supervisor *out)
{
	struct vigil_shm_header *h;
	uint64_t beat, now;

	if (attach(v) == -1)
		return -1;
	h = (struct vigil_shm_header *)(uintptr_t)hdr(v);
	memset(out, 0, sizeof(*out));
	out->flags = atomic_load_explicit(&h->flags, memory_order_acquire);
	out->generation = h->generation;
	out->pid = h->supervisor_pid;
	out->capacity = h->capacity;
	out->created_us = h->created_us;
	beat = atomic_load_explicit(&h->heartbeat_mono_ns,
	    memory_order_acquire);
	out->heartbeat_us = atomic_load_explicit(&h->heartbeat_us,
	    memory_order_relaxed);
	now = mono_ns();
	out->heartbeat_age_ms = beat == 0 ? UINT64_MAX :
	    now > beat ? (now - beat) / 1000000u : 0;
	for (uint32_t i = 0, n = live_count(v); i < n; i++)
		if (slot_in_use(v, i) == 1)
			out->count++;
	if (out->flags & VIGIL_SHM_F_SHUTDOWN) {
		errno = ESTALE;
		return -1;
	}
	return 0;
}

static int
read_snapshot(struct vigil *v, struct vigil_record *out, size_t max,
    size_t *n)
{
	size_t got = 0;
	int rc;

	*n = 0;
	if (attach(v) == -1)
		return -1;
	for (uint32_t i = 0, cnt = live_count(v); i < cnt && got < max; i++) {
		if ((rc = read_slot(v, i, &out[got])) == -1)
			return -1;
		got += (size_t)rc;
	}
	*n = got;
	return 0;
}

static int
read_get(struct vigil *v, const char *name, struct vigil_record *out)
{
	int rc;

	if (name == NULL || strlen(name) >= VIGIL_NAME_LEN) {
		errno = ENOENT;
		return -1;
	}
	if (attach(v) == -1)
		return -1;
	for (uint32_t i = 0, cnt = live_count(v); i < cnt; i++) {
		if ((rc = read_slot(v, i, out)) == -1)
			return -1;
		if (rc == 1 && strcmp(out->name, name) == 0)
			return 0;
	}
	errno = ENOENT;
	return -1;
}

/*
 * The sum of the update counters of slots [0, count): every write adds 2
 * to one of them and none ever goes down while the segment keeps its
 * generation and creation time (a rebuilt segment gets a new one).
 */
static int
read_changes(struct vigil *v, const struct vigil_supervisor *sup,
    uint64_t *out)
{
	const struct vigil_shm_header *h;
	uint64_t sum = 0;

	if (attach(v) == -1)
		return -1;
	h = hdr(v);
	if (h->generation != sup->generation ||
	    h->created_us != sup->created_us) {
		errno = EAGAIN;
		return -1;
	}
	for (uint32_t i = 0, n = live_count(v); i < n; i++) {
		_Atomic uint64_t *seq = (_Atomic uint64_t *)(uintptr_t)
		    &slot(v, i)->seq;
		uint64_t s = atomic_load_explicit(seq, memory_order_acquire);

		if (s & 1) {
			errno = EAGAIN;
			return -1;
		}
		sum += s;
	}
	*out = sum;
	return 0;
}

int
vigil_changes(struct vigil *v, const struct vigil_supervisor *sup,
    uint64_t *changes)
{
	GUARDED_READ(v, read_changes(v, sup, changes));
}

int
vigil_supervisor(struct vigil *v, struct vigil_supervisor *out)
{
	GUARDED_READ(v, read_supervisor(v, out));
}

int
vigil_snapshot(struct vigil *v, struct vigil_record *out, size_t max,
    size_t *n)
{
	*n = 0;
	GUARDED_READ(v, read_snapshot(v, out, max, n));
}

int
vigil_get(struct vigil *v, const char *name, struct vigil_record *out)
{
	GUARDED_READ(v, read_get(v, name, out));
}

bool
vigil_plugin_available(struct vigil *v, const char *name,
    uint64_t max_age_ms)
{
	struct vigil_supervisor sup;
	struct vigil_record r;

	if (vigil_supervisor(v, &sup) == -1 || sup.heartbeat_age_ms > max_age_ms)
		return false;
	if (vigil_get(v, name, &r) == -1)
		return false;
	return r.state == VIGIL_STATE_HEALTHY || r.state == VIGIL_STATE_DEGRADED;
}
