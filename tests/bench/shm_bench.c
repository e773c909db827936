/* Benchmark: libvigil snapshot and segment writer costs, in ns per call. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shmstate.h"
#include "vigil.h"

/*
 * usage: shm_bench [ROUNDS]
 *
 * Prints one line per measurement, "name median_ns min_ns max_ns", each
 * the median (and spread) over ROUNDS rounds (default 7) of many calls:
 *
 *   snapshot_1         vigil_snapshot() of a segment with 1 record
 *   snapshot_1000      vigil_snapshot() of 1,000 records
 *   supervisor_1000    vigil_supervisor() (header; counts the records)
 *   get_last_1000      vigil_get() of the last of 1,000 records
 *   publish            shmstate_publish() of one record (writer)
 *   snapshot_1000_busy snapshot of 1,000 records while another process
 *                      publishes into the same segment as fast as it can
 *   busy_unavailable   snapshots of those that failed with EAGAIN (a
 *                      record stayed mid-update past libvigil's retry
 *                      bound), then the number of snapshots (not ns)
 *   busy_writer_rate   publishes per second of that writer, in the line's
 *                      median column (not ns)
 */

#define RECORDS		1000
#define MAX_ROUNDS	31

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
fill(struct vigil_record *r, int i, uint64_t c)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "plugin%04d", i);
	snprintf(r->version, sizeof(r->version), "1.0.0");
	snprintf(r->description, sizeof(r->description), "bench plugin %d", i);
	snprintf(r->executable, sizeof(r->executable),
	    "/usr/libexec/vigil/plugins/plugin%04d/plugin", i);
	snprintf(r->message, sizeof(r->message), "ok");
	r->flags = VIGIL_REC_IN_USE | VIGIL_REC_HEALTHY | VIGIL_REC_CONNECTED;
	r->state = VIGIL_STATE_HEALTHY;
	r->pid = 1000 + i;
	r->total_checks = c;
	r->last_response_us = 300;
	r->check_interval_us = 1000000;
}

static struct shmstate *
make_segment(const char *name, int n)
{
	struct vigil_record r;
	struct shmstate *s;
	char err[256];

	if ((s = shmstate_create(name, (uint32_t)n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "shm_bench: %s\n", err);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		fill(&r, i, 0);
		shmstate_publish(s, shmstate_alloc(s), &r);
	}
	shmstate_heartbeat(s, now_ns(), 0);
	return s;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	printf("%s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", name, v[n / 2],
	    v[0], v[n - 1]);
	fflush(stdout);
}

enum op { OP_SNAPSHOT, OP_SUPERVISOR, OP_GET_LAST };

/* Snapshots that failed with EAGAIN (a record mid-update past the retry
 * bound: libvigil's "state unavailable"); counted, not fatal. */
static uint64_t unavailable;

/* ns per call of op, one round of iters calls. */
static uint64_t
time_reader(struct vigil *v, enum op op, int iters, struct vigil_record *out)
{
	struct vigil_supervisor sup;
	char last[VIGIL_NAME_LEN];
	uint64_t t0;
	size_t n;

	snprintf(last, sizeof(last), "plugin%04d", RECORDS - 1);
	t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		int rc = op == OP_SNAPSHOT ? vigil_snapshot(v, out, RECORDS, &n) :
		    op == OP_SUPERVISOR ? vigil_supervisor(v, &sup) :
		    vigil_get(v, last, out);

		if (rc == -1 && errno == EAGAIN)
			unavailable++;
		else if (rc == -1) {
			fprintf(stderr, "shm_bench: read: %s\n",
			    strerror(errno));
			exit(1);
		}
	}
	return (now_ns() - t0) / (uint64_t)iters;
}

static void
bench_reader(const char *name, const char *shm, enum op op, int iters,
    int rounds)
{
	static struct vigil_record out[RECORDS];
	uint64_t v[MAX_ROUNDS];
	struct vigil *h = vigil_open(shm);

	time_reader(h, op, iters / 10 + 1, out);	/* warm up */
	for (int r = 0; r < rounds; r++)
		v[r] = time_reader(h, op, iters, out);
	vigil_close(h);
	report(name, v, rounds);
}

static void
bench_publish(struct shmstate *s, int rounds)
{
	struct vigil_record r;
	uint64_t v[MAX_ROUNDS], t0;
	const int iters = 200000;

	for (int k = 0; k < rounds; k++) {
		t0 = now_ns();
		for (int i = 0; i < iters; i++) {
			r.total_checks = (uint64_t)i;
			if (i == 0)
				fill(&r, 0, 0);
			shmstate_publish(s, i % RECORDS, &r);
		}
		v[k] = (now_ns() - t0) / iters;
	}
	report("publish", v, rounds);
}

/* The writer child: publish flat out until killed; count in *shared. */
static void
busy_writer(struct shmstate *s, int fd)
{
	struct vigil_record r;
	uint64_t c = 0, t0 = now_ns();

	fill(&r, 0, 0);
	for (;;) {
		for (int i = 0; i < RECORDS; i++) {
			fill(&r, i, ++c);
			shmstate_publish(s, i, &r);
		}
		if (now_ns() - t0 >= 1000000000u) {
			(void)!write(fd, &c, sizeof(c));
			c = 0;
			t0 = now_ns();
		}
	}
}

static void
bench_busy(struct shmstate *s, const char *shm, int rounds)
{
	uint64_t rate[MAX_ROUNDS], c;
	int fds[2], n = 0;
	pid_t pid;

	if (pipe(fds) == -1 || (pid = fork()) == -1) {
		perror("shm_bench");
		exit(1);
	}
	if (pid == 0) {
		close(fds[0]);
		busy_writer(s, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	usleep(100000);
	unavailable = 0;
	bench_reader("snapshot_1000_busy", shm, OP_SNAPSHOT, 5000, rounds);
	printf("busy_unavailable %" PRIu64 " %d 0\n", unavailable,
	    (5000 + 5000 / 10 + 1) * rounds);
	/* Its publish rate over whole seconds while the reader ran. */
	while (n < rounds && read(fds[0], &c, sizeof(c)) == (ssize_t)sizeof(c))
		rate[n++] = c;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
	if (n > 0)
		report("busy_writer_rate", rate, n);
}

int
main(int argc, char **argv)
{
	char one[64], many[64];
	struct shmstate *s1, *sn;
	int rounds = argc > 1 ? atoi(argv[1]) : 7;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 7;
	snprintf(one, sizeof(one), "/vigil-shmbench1-%d", (int)getpid());
	snprintf(many, sizeof(many), "/vigil-shmbenchN-%d", (int)getpid());
	s1 = make_segment(one, 1);
	sn = make_segment(many, RECORDS);
	bench_reader("snapshot_1", one, OP_SNAPSHOT, 200000, rounds);
	bench_reader("snapshot_1000", many, OP_SNAPSHOT, 5000, rounds);
	bench_reader("supervisor_1000", many, OP_SUPERVISOR, 5000, rounds);
	bench_reader("get_last_1000", many, OP_GET_LAST, 5000, rounds);
	bench_publish(sn, rounds);
	bench_busy(sn, many, rounds);
	shmstate_destroy(s1, 1);
	shmstate_destroy(sn, 1);
	return 0;
}
