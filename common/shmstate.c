/* Writer side of the shared-memory state segment (supervisor only). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "busguard.h"
#include "seqlock.h"
#include "shmstate.h"

struct shmstate {
	char			*name;
	int			 fd;		/* kept to notice truncation */
	void			*base;
	size_t			 size;
	uint32_t		 capacity;
	uint64_t		 generation;
	struct vigil_shm_header	*hdr;
	struct vigil_shm_slot	*slots;
	uint8_t			*used;		/* writer-private slot map */
};

/*
 * The size check before each write leaves a window: a segment truncated
 * between the check and the stores raises SIGBUS, which would take the
 * supervisor and every plugin down. Writes run under busguard.h's guard
 * instead; the record is written again after the next heartbeat's repair.
 */
#define GUARDED_WRITE(stmt, fail_stmt)	BUSGUARD_RUN(stmt, fail_stmt)

static int64_t
real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t
new_generation(void)
{
	uint64_t g = 0;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		g = (uint64_t)real_us() ^ ((uint64_t)getpid() << 40);
	return g == 0 ? 1 : g;
}

static void
init_header(struct shmstate *s, uint32_t capacity)
{
	struct vigil_shm_header *h = s->hdr;
	uint32_t count = 0;

	for (uint32_t i = 0; i < capacity; i++)
		if (s->used[i])
			count = i + 1;
	h->version = VIGIL_SHM_VERSION;
	h->header_size = VIGIL_SHM_HEADER_SIZE;
	h->record_size = sizeof(struct vigil_shm_slot);
	h->capacity = capacity;
	atomic_store_explicit(&h->count, count, memory_order_relaxed);
	h->generation = s->generation;
	h->supervisor_pid = getpid();
	h->created_us = real_us();
	atomic_store_explicit(&h->flags, 0, memory_order_relaxed);
	/* Readers trust nothing until the magic appears. */
	atomic_store_explicit(&h->magic, VIGIL_SHM_MAGIC, memory_order_release);
}

static int
map_segment(struct shmstate *s, int fd, char *err, size_t errlen)
{
	if (ftruncate(fd, (off_t)s->size) == -1) {
		snprintf(err, errlen, "ftruncate %s: %s", s->name,
		    strerror(errno));
		return -1;
	}
	s->base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (s->base == MAP_FAILED) {
		s->base = NULL;
		snprintf(err, errlen, "mmap %s: %s", s->name, strerror(errno));
		return -1;
	}
	s->hdr = s->base;
	s->slots = (struct vigil_shm_slot *)((char *)s->base +
	    VIGIL_SHM_HEADER_SIZE);
	return 0;
}

struct shmstate *
shmstate_create(const char *name, uint32_t capacity, char *err,
    size_t errlen)
{
	struct shmstate *s;
	int fd;

	if (name == NULL || name[0] != '/' || capacity == 0) {
		snprintf(err, errlen, "invalid segment name or capacity");
		return NULL;
	}
	busguard_install();
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->name = strdup(name)) == NULL ||
	    (s->used = calloc(capacity, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->size = VIGIL_SHM_HEADER_SIZE +
	    (size_t)capacity * sizeof(struct vigil_shm_slot);
	s->capacity = capacity;
	s->generation = new_generation();
	s->fd = -1;
	/* A stale segment from a crashed supervisor is replaced, not reused:
	 * readers see a new inode and generation and remap. */
	if (shm_unlink(name) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "shm_unlink %s: %s", name,
		    strerror(errno));
		goto fail;
	}
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		snprintf(err, errlen, "shm_open %s: %s", name, strerror(errno));
		goto fail;
	}
	/* The umask must not make the segment unreadable for the API. */
	(void)fchmod(fd, 0644);
	if (map_segment(s, fd, err, errlen) == -1) {
		close(fd);
		shm_unlink(name);
		goto fail;
	}
	s->fd = fd;
	init_header(s, capacity);
	return s;
fail:
	if (s != NULL) {
		free(s->used);
		free(s->name);
		free(s);
	}
	return NULL;
}

void
shmstate_destroy(struct shmstate *s, int unlink_it)
{
	if (s == NULL)
		return;
	if (s->hdr != NULL) {
		shmstate_set_flags(s, VIGIL_SHM_F_SHUTDOWN, 0);
		munmap(s->base, s->size);
	}
	if (s->fd != -1)
		close(s->fd);
	if (unlink_it)
		shm_unlink(s->name);
	free(s->used);
	free(s->name);
	free(s);
}

int
shmstate_alloc(struct shmstate *s)
{
	uint32_t count;

	for (uint32_t i = 0; i < s->capacity; i++) {
		if (s->used[i])
			continue;
		s->used[i] = 1;
		count = atomic_load_explicit(&s->hdr->count,
		    memory_order_relaxed);
		if (i + 1 > count)
			atomic_store_explicit(&s->hdr->count, i + 1,
			    memory_order_release);
		return (int)i;
	}
	return -1;
}

void
shmstate_release(struct shmstate *s, int slot)
{
	struct vigil_record empty;

	if (slot < 0 || (uint32_t)slot >= s->capacity || !s->used[slot])
		return;
	memset(&empty, 0, sizeof(empty));
	shmstate_publish(s, slot, &empty);
	s->used[slot] = 0;
}

void
shmstate_publish(struct shmstate *s, int slot, const struct vigil_record *rec)
{
	uint64_t words[VIGIL_RECORD_WORDS];
	struct vigil_shm_slot *sl;
	struct stat st;

	if (slot < 0 || (uint32_t)slot >= s->capacity)
		return;
	/* Never write past the end of a truncated segment (SIGBUS). */
	if (fstat(s->fd, &st) == -1 || (size_t)st.st_size < s->size)
		return;
	sl = &s->slots[slot];
	memcpy(words, rec, sizeof(words));
	GUARDED_WRITE(seqlock_write(&sl->seq, sl->words, words,
	    VIGIL_RECORD_WORDS), return);
	GUARDED_WRITE(atomic_fetch_add_explicit(&s->hdr->updates, 1,
	    memory_order_relaxed), return);
}

void
shmstate_heartbeat(struct shmstate *s, uint64_t mono_ns, int64_t real)
{
	struct stat st;

	if (fstat(s->fd, &st) == -1 || (size_t)st.st_size < s->size)
		return;
	GUARDED_WRITE(
	    atomic_store_explicit(&s->hdr->heartbeat_us, real,
		memory_order_relaxed);
	    atomic_store_explicit(&s->hdr->heartbeat_mono_ns, mono_ns,
		memory_order_release), return);
}

void
shmstate_set_flags(struct shmstate *s, uint32_t set, uint32_t clear)
{
	struct stat st;
	uint32_t f;

	if (fstat(s->fd, &st) == -1 || (size_t)st.st_size < s->size)
		return;
	GUARDED_WRITE(
	    f = atomic_load_explicit(&s->hdr->flags, memory_order_relaxed);
	    atomic_store_explicit(&s->hdr->flags, (f | set) & ~clear,
		memory_order_release), return);
}

uint64_t
shmstate_generation(const struct shmstate *s)
{
	return s->generation;
}

/*
 * Only the segment's owner can damage it, but a supervisor that faulted
 * (SIGBUS on a truncated segment) would take every plugin down with it, so
 * the writer checks the size before writing and repairs what it can.
 */
/* Whether our name still leads to our object (not removed or replaced). */
static int
name_is_ours(const struct shmstate *s, const struct stat *mine)
{
	struct stat st;
	int fd = shm_open(s->name, O_RDONLY | O_CLOEXEC, 0);
	int ours;

	if (fd == -1)
		return 0;
	ours = fstat(fd, &st) == 0 && st.st_dev == mine->st_dev &&
	    st.st_ino == mine->st_ino;
	close(fd);
	return ours;
}

/* Put a fresh segment under our name; readers find it by its new inode. */
static int
recreate(struct shmstate *s)
{
	char err[256];
	int fd;

	(void)shm_unlink(s->name);
	fd = shm_open(s->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	(void)fchmod(fd, 0644);
	munmap(s->base, s->size);
	close(s->fd);
	s->fd = -1;
	if (map_segment(s, fd, err, sizeof(err)) == -1) {
		close(fd);
		return -1;
	}
	s->fd = fd;
	s->generation = new_generation();
	init_header(s, s->capacity);
	return 0;
}

static int
check_segment(struct shmstate *s)
{
	struct vigil_shm_header *h = s->hdr;
	struct stat st;
	int repaired = 0;

	if (fstat(s->fd, &st) == -1)
		return -1;
	if (!name_is_ours(s, &st))
		return recreate(s) == 0 ? 1 : -1;
	if ((size_t)st.st_size < s->size) {
		if (ftruncate(s->fd, (off_t)s->size) == -1)
			return -1;
		repaired = 1;
	}
	if (atomic_load_explicit(&h->magic, memory_order_relaxed) !=
	    VIGIL_SHM_MAGIC || h->version != VIGIL_SHM_VERSION ||
	    h->header_size != VIGIL_SHM_HEADER_SIZE ||
	    h->record_size != sizeof(struct vigil_shm_slot) ||
	    h->capacity != s->capacity || h->generation != s->generation ||
	    h->supervisor_pid != getpid())
		repaired = 1;
	if (repaired) {
		atomic_store_explicit(&h->magic, 0, memory_order_relaxed);
		init_header(s, s->capacity);
	}
	return repaired;
}

int
shmstate_check(struct shmstate *s)
{
	int rc = -1;

	/* Truncated again while we repair it: try at the next heartbeat. */
	GUARDED_WRITE(rc = check_segment(s), return -1);
	return rc;
}
