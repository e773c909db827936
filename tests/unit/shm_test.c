/* Unit tests: segment writer, seqlock and the libvigil reader. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "seqlock.h"
#include "shmstate.h"
#include "vigil.h"

static char name[64];

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
setup(void **state)
{
	char err[128];
	struct shmstate *s;

	snprintf(name, sizeof(name), "/vigil-unit-%d-%ld", (int)getpid(),
	    (long)mono_ns());
	s = shmstate_create(name, 8, err, sizeof(err));
	assert_non_null(s);
	shmstate_heartbeat(s, mono_ns(), 1);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	shmstate_destroy(*state, 1);
	return 0;
}

static void
make_record(struct vigil_record *r, const char *n, uint32_t st)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", n);
	snprintf(r->version, sizeof(r->version), "1.2.3");
	r->state = st;
	r->flags = VIGIL_REC_IN_USE;
	r->pid = 4242;
	r->total_checks = 77;
}

/* A writable view of the segment, as an attacker or a test has it. */
static void *
raw_map(size_t *len)
{
	int fd = shm_open(name, O_RDWR, 0);
	off_t size;
	void *p;

	assert_true(fd >= 0);
	size = lseek(fd, 0, SEEK_END);
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(p != MAP_FAILED);
	*len = (size_t)size;
	return p;
}

static void
test_publish_and_get(void **state)
{
	struct shmstate *s = *state;
	struct vigil_record in, out;
	struct vigil *v = vigil_open(name);
	int slot = shmstate_alloc(s);

	make_record(&in, "alpha", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_get(v, "alpha", &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	assert_int_equal(vigil_get(v, "beta", &out), -1);
	assert_int_equal(errno, ENOENT);
	vigil_close(v);
}

static void
test_snapshot_skips_free_slots(void **state)
{
	struct shmstate *s = *state;
	struct vigil_record in, out[8];
	struct vigil *v = vigil_open(name);
	int a = shmstate_alloc(s), b = shmstate_alloc(s);
	size_t n;

	make_record(&in, "a", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, a, &in);
	make_record(&in, "b", VIGIL_STATE_FAILED);
	shmstate_publish(s, b, &in);
	assert_int_equal(vigil_snapshot(v, out, 8, &n), 0);
	assert_int_equal(n, 2);
	shmstate_release(s, a);
	assert_int_equal(vigil_snapshot(v, out, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].name, "b");
	/* A released slot is reused. */
	assert_int_equal(shmstate_alloc(s), a);
	vigil_close(v);
}

static void
test_capacity(void **state)
{
	struct shmstate *s = *state;

	for (int i = 0; i < 8; i++)
		assert_int_equal(shmstate_alloc(s), i);
	assert_int_equal(shmstate_alloc(s), -1);
}

static void
test_missing_segment(void **state)
{
	struct vigil *v = vigil_open("/vigil-unit-does-not-exist");
	struct vigil_record out[1];
	size_t n = 99;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vigil_snapshot(v, out, 1, &n), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(n, 0);
	assert_false(vigil_plugin_available(v, "x", 10000));
	vigil_close(v);
	assert_null(vigil_open("no-slash"));
	assert_int_equal(errno, EINVAL);
}

static void
expect_eproto_after(void (*corrupt)(struct vigil_shm_header *))
{
	struct vigil_record out[1];
	struct vigil *v = vigil_open(name);
	size_t len, n;
	struct vigil_shm_header *h = raw_map(&len);

	assert_int_equal(vigil_snapshot(v, out, 1, &n), 0);
	corrupt(h);
	assert_int_equal(vigil_snapshot(v, out, 1, &n), -1);
	assert_int_equal(errno, EPROTO);
	munmap(h, len);
	vigil_close(v);
}

static void bad_magic(struct vigil_shm_header *h) { h->magic = 0xdeadbeef; }
static void bad_version(struct vigil_shm_header *h) { h->version = 99; }
static void bad_size(struct vigil_shm_header *h) { h->record_size = 8; }
static void bad_capacity(struct vigil_shm_header *h) { h->capacity = 1u << 30; }

static void
test_wrong_magic(void **state)
{
	(void)state;
	expect_eproto_after(bad_magic);
}

static void
test_wrong_version(void **state)
{
	(void)state;
	expect_eproto_after(bad_version);
}

static void
test_wrong_record_size(void **state)
{
	(void)state;
	expect_eproto_after(bad_size);
}

static void
test_capacity_beyond_file(void **state)
{
	(void)state;
	expect_eproto_after(bad_capacity);
}

static void
test_truncated_segment(void **state)
{
	struct vigil *v = vigil_open(name);
	struct vigil_supervisor before, after;
	struct vigil_record out[1];
	uint64_t c;
	size_t n;
	int fd;

	(void)state;
	assert_int_equal(vigil_snapshot(v, out, 1, &n), 0);
	assert_int_equal(vigil_supervisor(v, &before), 0);
	assert_int_equal(vigil_changes(v, &before, &c), 0);
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64), 0);
	close(fd);
	/* Must report, not fault on the pages that are gone. */
	assert_int_equal(vigil_snapshot(v, out, 1, &n), -1);
	assert_int_equal(errno, EPROTO);
	/* The writer notices and restores the segment. */
	assert_int_equal(shmstate_check(*state), 1);
	assert_int_equal(shmstate_check(*state), 0);
	assert_int_equal(vigil_snapshot(v, out, 1, &n), 0);
	/*
	 * Same segment and generation, but its counters start again: the
	 * rewritten header (new creation time) keeps old counts from
	 * comparing with new ones.
	 */
	assert_int_equal(vigil_supervisor(v, &after), 0);
	assert_true(after.generation == before.generation);
	assert_true(after.created_us != before.created_us);
	assert_int_equal(vigil_changes(v, &before, &c), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(vigil_changes(v, &after, &c), 0);
	vigil_close(v);
}

static void
test_writer_repairs_header(void **state)
{
	size_t len;
	struct vigil_shm_header *h = raw_map(&len);

	assert_int_equal(shmstate_check(*state), 0);
	h->version = 7;
	assert_int_equal(shmstate_check(*state), 1);
	assert_int_equal(h->version, VIGIL_SHM_VERSION);
	assert_int_equal(h->magic, VIGIL_SHM_MAGIC);
	munmap(h, len);
}

static void
test_writer_recreates_removed_segment(void **state)
{
	struct vigil_record in, out;
	struct vigil *v = vigil_open(name);
	uint64_t g = shmstate_generation(*state);
	int slot = shmstate_alloc(*state);

	make_record(&in, "kept", VIGIL_STATE_HEALTHY);
	shmstate_publish(*state, slot, &in);
	assert_int_equal(vigil_get(v, "kept", &out), 0);
	assert_int_equal(shm_unlink(name), 0);
	assert_int_equal(shmstate_check(*state), 1);
	assert_true(shmstate_generation(*state) != g);
	shmstate_publish(*state, slot, &in);	/* the caller republishes */
	vigil_close(v);
	v = vigil_open(name);
	assert_int_equal(vigil_get(v, "kept", &out), 0);
	vigil_close(v);
}

static void
test_stuck_writer(void **state)
{
	struct shmstate *s = *state;
	struct vigil_record in, out[1];
	struct vigil *v = vigil_open(name);
	int slot = shmstate_alloc(s);
	struct vigil_shm_slot *raw;
	size_t len, n;
	char *base;

	make_record(&in, "stuck", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, slot, &in);
	base = raw_map(&len);
	raw = (struct vigil_shm_slot *)(base + VIGIL_SHM_HEADER_SIZE);
	/* A writer that died mid-update leaves seq odd forever. */
	atomic_fetch_add(&raw[slot].seq, 1);
	assert_int_equal(vigil_snapshot(v, out, 1, &n), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(vigil_get(v, "stuck", out), -1);
	assert_int_equal(errno, EAGAIN);
	munmap(base, len);
	vigil_close(v);
}

/* The write counter moves with every record write and with nothing else. */
static void
test_changes_counter(void **state)
{
	struct shmstate *s = *state;
	struct vigil *v = vigil_open(name);
	struct vigil_supervisor sup, other;
	struct vigil_record in;
	uint64_t c0, c1, c2, c3;
	int slot = shmstate_alloc(s);

	make_record(&in, "counted", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_supervisor(v, &sup), 0);
	assert_int_equal(vigil_changes(v, &sup, &c0), 0);
	assert_int_equal(vigil_changes(v, &sup, &c1), 0);
	assert_true(c0 == c1);
	/* The header's heartbeat is not a record. */
	shmstate_heartbeat(s, mono_ns(), 1);
	assert_int_equal(vigil_changes(v, &sup, &c1), 0);
	assert_true(c0 == c1);
	/* A write counts even when it writes the same bytes. */
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_changes(v, &sup, &c1), 0);
	assert_true(c1 != c0);
	in.state = VIGIL_STATE_UNHEALTHY;
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_changes(v, &sup, &c2), 0);
	assert_true(c2 != c1 && c2 != c0);
	shmstate_release(s, slot);
	assert_int_equal(vigil_changes(v, &sup, &c3), 0);
	assert_true(c3 != c2 && c3 != c1 && c3 != c0);
	/* A header of another segment, or of a rebuilt one, does not fit. */
	other = sup;
	other.generation ^= 1;
	assert_int_equal(vigil_changes(v, &other, &c1), -1);
	assert_int_equal(errno, EAGAIN);
	other = sup;
	other.created_us++;
	assert_int_equal(vigil_changes(v, &other, &c1), -1);
	assert_int_equal(errno, EAGAIN);
	vigil_close(v);
}

/* A record mid-write has no count yet: the caller must look again. */
static void
test_changes_during_write(void **state)
{
	struct shmstate *s = *state;
	struct vigil *v = vigil_open(name);
	struct vigil_supervisor sup;
	struct vigil_shm_slot *raw;
	struct vigil_record in;
	int slot = shmstate_alloc(s);
	uint64_t c;
	size_t len;
	char *base;

	make_record(&in, "busy", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_supervisor(v, &sup), 0);
	base = raw_map(&len);
	raw = (struct vigil_shm_slot *)(base + VIGIL_SHM_HEADER_SIZE);
	atomic_fetch_add(&raw[slot].seq, 1);
	assert_int_equal(vigil_changes(v, &sup, &c), -1);
	assert_int_equal(errno, EAGAIN);
	atomic_fetch_add(&raw[slot].seq, 1);
	assert_int_equal(vigil_changes(v, &sup, &c), 0);
	munmap(base, len);
	vigil_close(v);
}

static void
test_untrusted_strings_and_state(void **state)
{
	struct shmstate *s = *state;
	struct vigil_record in, out;
	struct vigil *v = vigil_open(name);
	int slot = shmstate_alloc(s);

	make_record(&in, "x", 250);
	memset(in.message, 'm', sizeof(in.message));	/* no NUL */
	memset(in.details, 'd', sizeof(in.details));
	shmstate_publish(s, slot, &in);
	assert_int_equal(vigil_get(v, "x", &out), 0);
	assert_int_equal(strlen(out.message), sizeof(out.message) - 1);
	assert_int_equal(strlen(out.details), sizeof(out.details) - 1);
	assert_int_equal(out.state, VIGIL_STATE_UNKNOWN);
	assert_string_equal(vigil_state_name(250), "invalid");
	vigil_close(v);
}

static void
test_available(void **state)
{
	struct shmstate *s = *state;
	struct vigil_record in;
	struct vigil *v = vigil_open(name);
	int a = shmstate_alloc(s), b = shmstate_alloc(s), c = shmstate_alloc(s);

	make_record(&in, "up", VIGIL_STATE_HEALTHY);
	shmstate_publish(s, a, &in);
	make_record(&in, "meh", VIGIL_STATE_DEGRADED);
	shmstate_publish(s, b, &in);
	make_record(&in, "down", VIGIL_STATE_UNHEALTHY);
	shmstate_publish(s, c, &in);
	shmstate_heartbeat(s, mono_ns(), 1);
	assert_true(vigil_plugin_available(v, "up", 3000));
	assert_true(vigil_plugin_available(v, "meh", 3000));
	assert_false(vigil_plugin_available(v, "down", 3000));
	assert_false(vigil_plugin_available(v, "none", 3000));
	/* A silent supervisor: nothing is available. */
	shmstate_heartbeat(s, mono_ns() - 10ull * 1000000000u, 1);
	assert_false(vigil_plugin_available(v, "up", 3000));
	vigil_close(v);
}

static void
test_supervisor_info_and_shutdown(void **state)
{
	struct shmstate *s = *state;
	struct vigil_supervisor sup;
	struct vigil *v = vigil_open(name);

	shmstate_heartbeat(s, mono_ns(), 123);
	assert_int_equal(vigil_supervisor(v, &sup), 0);
	assert_int_equal(sup.pid, getpid());
	assert_int_equal(sup.capacity, 8);
	assert_int_equal(sup.generation, shmstate_generation(s));
	assert_true(sup.heartbeat_age_ms < 1000);
	assert_int_equal(sup.heartbeat_us, 123);
	shmstate_set_flags(s, VIGIL_SHM_F_SHUTDOWN, 0);
	assert_int_equal(vigil_supervisor(v, &sup), -1);
	assert_int_equal(errno, ESTALE);
	vigil_close(v);
}

/* A new supervisor's segment (new inode, new generation) is found. */
static void
test_new_generation_remapped(void **state)
{
	struct shmstate *s = *state, *s2;
	struct vigil_supervisor sup;
	struct vigil *v = vigil_open(name);
	uint64_t g1 = shmstate_generation(s), start;
	char err[128];

	assert_int_equal(vigil_supervisor(v, &sup), 0);
	assert_int_equal(sup.generation, g1);
	s2 = shmstate_create(name, 4, err, sizeof(err));
	assert_non_null(s2);
	shmstate_heartbeat(s2, mono_ns(), 1);
	start = mono_ns();
	do {
		assert_true(mono_ns() - start < 2000000000ull);
		if (vigil_supervisor(v, &sup) == 0 && sup.generation != g1)
			break;
		usleep(10000);
	} while (1);
	assert_int_equal(sup.generation, shmstate_generation(s2));
	assert_int_equal(sup.capacity, 4);
	vigil_close(v);
	shmstate_destroy(s2, 0);	/* the fixture unlinks the name */
}

static void
test_seqlock_detects_concurrent_write(void **state)
{
	_Atomic uint64_t seq = 4, words[2] = { 1, 2 };
	uint64_t out[2], src[2] = { 7, 8 };

	(void)state;
	assert_true(seqlock_try_read(&seq, words, out, 2));
	assert_int_equal(out[0], 1);
	atomic_store(&seq, 5);			/* write in progress */
	assert_false(seqlock_try_read(&seq, words, out, 2));
	atomic_store(&seq, 4);
	seqlock_write(&seq, words, src, 2);
	assert_int_equal(atomic_load(&seq), 6);
	assert_true(seqlock_try_read(&seq, words, out, 2));
	assert_int_equal(out[1], 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_skips_free_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test(test_missing_segment),
		cmocka_unit_test_setup_teardown(test_wrong_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_record_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity_beyond_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_repairs_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_recreates_removed_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_during_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_strings_and_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_available, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supervisor_info_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_generation_remapped, setup, teardown),
		cmocka_unit_test(test_seqlock_detects_concurrent_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
