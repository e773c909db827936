/* Seqlock torn-read stress test: one writer process, several readers. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shmstate.h"
#include "vigil.h"

/*
 * The writer publishes RECORDS records as fast as it can; every field of a
 * record is derived from one counter, so a copy that mixes two updates is
 * detectable. Readers snapshot all records through libvigil until the time
 * is up and the minimum number of checked snapshots is reached, then report
 * their counts through a shared counter block. Exit 0 only with zero torn
 * copies and at least --min checked.
 */

#define RECORDS	4

struct totals {
	_Atomic uint64_t checked;
	_Atomic uint64_t torn;
	_Atomic uint64_t unavailable;
	_Atomic int	 stop;
};

static void
fill(struct vigil_record *r, int idx, uint64_t c)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "stress%d", idx);
	snprintf(r->version, sizeof(r->version), "%" PRIu64, c);
	snprintf(r->description, sizeof(r->description), "d%" PRIu64, c * 7);
	snprintf(r->executable, sizeof(r->executable), "/x/%" PRIu64, c);
	snprintf(r->message, sizeof(r->message), "m%" PRIu64 "m", c);
	snprintf(r->details, sizeof(r->details), "k=%" PRIu64 ", j=%" PRIu64,
	    c, c + 1);
	r->flags = VIGIL_REC_IN_USE;
	r->state = (uint32_t)(c % 6);
	r->pid = (int32_t)(c & 0x7fffffff);
	r->consecutive_failures = (uint32_t)c;
	r->consecutive_successes = (uint32_t)(c >> 3);
	r->restart_count = (uint32_t)(c * 5);
	r->last_check_us = (int64_t)c;
	r->last_healthy_us = (int64_t)(c * 2);
	r->next_restart_us = (int64_t)(c ^ 0x5555);
	r->last_response_us = c + 11;
	r->total_checks = c;
	r->total_failures = ~c;
	r->total_restarts = c * 3;
	r->check_interval_us = c << 1;
}

/* A record is intact if it equals what fill() makes for its own counter. */
static int
intact(const struct vigil_record *got)
{
	struct vigil_record want;
	int idx;

	if (sscanf(got->name, "stress%d", &idx) != 1)
		return 0;
	fill(&want, idx, got->total_checks);
	return memcmp(&want, got, sizeof(want)) == 0;
}

static void
reader(const char *name, struct totals *t)
{
	struct vigil *v = vigil_open(name);
	struct vigil_record recs[RECORDS];
	uint64_t checked = 0, torn = 0, unavail = 0;
	size_t n;

	if (v == NULL)
		_exit(2);
	while (!atomic_load(&t->stop)) {
		if (vigil_snapshot(v, recs, RECORDS, &n) == -1) {
			unavail++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			checked++;
			if (!intact(&recs[i]))
				torn++;
		}
	}
	atomic_fetch_add(&t->checked, checked);
	atomic_fetch_add(&t->torn, torn);
	atomic_fetch_add(&t->unavailable, unavail);
	vigil_close(v);
	_exit(0);
}

static void
writer(struct shmstate *s, int *slots, struct totals *t, uint64_t *updates)
{
	struct vigil_record r;
	uint64_t c = 0;

	while (!atomic_load(&t->stop)) {
		c++;
		for (int i = 0; i < RECORDS; i++) {
			fill(&r, i, c * RECORDS + (uint64_t)i);
			shmstate_publish(s, slots[i], &r);
		}
	}
	*updates = c * RECORDS;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: torn_stress [-s seconds] [-r readers] "
	    "[-m min_snapshots] [-t max_seconds]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	double seconds = 3, max_seconds = 120;
	uint64_t min_checked = 1000000, updates = 0;
	int nreaders = 3, slots[RECORDS], c, status, bad = 0;
	char name[64], err[256];
	struct shmstate *s;
	struct totals *t;
	pid_t pids[64], wpid;

	while ((c = getopt(argc, argv, "s:r:m:t:")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'r': nreaders = atoi(optarg); break;
		case 'm': min_checked = strtoull(optarg, NULL, 10); break;
		case 't': max_seconds = atof(optarg); break;
		default: usage();
		}
	}
	if (nreaders < 1 || nreaders > 64)
		usage();
	snprintf(name, sizeof(name), "/vigil-stress-%d-%ld", (int)getpid(),
	    (long)time(NULL));
	if ((s = shmstate_create(name, 16, err, sizeof(err))) == NULL) {
		fprintf(stderr, "torn_stress: %s\n", err);
		return 1;
	}
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < RECORDS; i++)
		slots[i] = shmstate_alloc(s);

	struct vigil_record r0;
	for (int i = 0; i < RECORDS; i++) {
		fill(&r0, i, (uint64_t)i);
		shmstate_publish(s, slots[i], &r0);
	}
	for (int i = 0; i < nreaders; i++) {
		if ((pids[i] = fork()) == 0)
			reader(name, t);
		if (pids[i] == -1) {
			perror("fork");
			atomic_store(&t->stop, 1);
			nreaders = i;
			bad = 1;
			break;
		}
	}
	double start = now_s();
	if ((wpid = fork()) == 0) {
		writer(s, slots, t, &updates);
		_exit(0);
	}
	/* Readers report only at the end, so poll the time, then stop all. */
	while (!bad && now_s() - start < seconds)
		usleep(100000);
	atomic_store(&t->stop, 1);
	waitpid(wpid, &status, 0);
	for (int i = 0; i < nreaders; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
	}
	double elapsed = now_s() - start;
	uint64_t checked = atomic_load(&t->checked);
	uint64_t torn = atomic_load(&t->torn);
	printf("torn_stress: %d readers, %.1f s: %" PRIu64 " snapshots "
	    "checked, %" PRIu64 " torn, %" PRIu64 " unavailable (%.0f/s)\n",
	    nreaders, elapsed, checked, torn, atomic_load(&t->unavailable),
	    (double)checked / elapsed);
	shmstate_destroy(s, 1);
	if (bad || torn != 0 || checked < min_checked) {
		if (checked < min_checked && elapsed < max_seconds)
			fprintf(stderr, "torn_stress: fewer than %" PRIu64
			    " snapshots; raise -s\n", min_checked);
		printf("stress: 0 passed, 1 failed\n");
		return 1;
	}
	printf("stress: 1 passed, 0 failed\n");
	return 0;
}
