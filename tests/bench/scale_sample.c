/* Benchmark: watch every plugin's checks through libvigil for a while. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil.h"

/*
 * usage: scale_sample SHM SECONDS [PERIOD_MS]
 *
 * Snapshots the segment every PERIOD_MS (default 50) for SECONDS. A
 * plugin's check shows as a change of its total_checks; since the period
 * is far below the check interval, every check is seen, with its
 * last_response_us (the supervisor's own measurement: request sent to
 * reply received) and its last_check_us. Prints key=value lines:
 *
 *   plugins healthy checks expected missed
 *   lat_p50_us lat_p99_us lat_max_us
 *   gap_p50_ms gap_p99_ms gap_max_ms   time between consecutive checks
 *   late_gaps                          gaps over 1.5 intervals
 *
 * expected is, per plugin, the whole intervals in the window; missed sums
 * max(0, expected - checks seen) over plugins.
 */

#define MAX_PLUGINS	4096

struct track {
	char		name[VIGIL_NAME_LEN];
	uint64_t	checks0, checks;
	int64_t		last_check_us;
	uint64_t	interval_us;
};

static struct vigil_record recs[MAX_PLUGINS];
static struct track tracks[MAX_PLUGINS];
static size_t ntracks;
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct series {
	uint64_t	*v;
	size_t		 n, cap;
};

static struct series lat, gap;

static void
push(struct series *s, uint64_t x)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 65536;
		uint64_t *nv = realloc(s->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			fprintf(stderr, "scale_sample: out of memory\n");
			exit(1);
		}
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = x;
}

/* name is a record's name field: VIGIL_NAME_LEN bytes, NUL-terminated. */
static struct track *
find(const char *name)
{
	for (size_t i = 0; i < ntracks; i++)
		if (strcmp(tracks[i].name, name) == 0)
			return &tracks[i];
	if (ntracks == MAX_PLUGINS)
		return NULL;
	memcpy(tracks[ntracks].name, name, VIGIL_NAME_LEN);
	return &tracks[ntracks++];
}

/* Record what changed since the last snapshot; first=1 only sets bases. */
static void
observe(const struct vigil_record *r, int first)
{
	struct track *t = find(r->name);

	if (t == NULL)
		return;
	if (first) {
		t->checks0 = t->checks = r->total_checks;
		t->last_check_us = r->last_check_us;
		t->interval_us = r->check_interval_us;
		return;
	}
	if (r->total_checks == t->checks)
		return;
	/* One new check seen (more would mean the period is too long). */
	push(&lat, r->last_response_us);
	if (t->last_check_us > 0 && r->last_check_us > t->last_check_us)
		push(&gap, (uint64_t)(r->last_check_us - t->last_check_us));
	t->checks = r->total_checks;
	t->last_check_us = r->last_check_us;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted series. */
static uint64_t
pct(const struct series *s, double p)
{
	if (s->n == 0)
		return 0;
	return s->v[(size_t)(p * (double)(s->n - 1) + 0.5)];
}

static void
summary(double window_s, size_t healthy)
{
	uint64_t checks = 0, expected = 0, missed = 0, late = 0, e;

	for (size_t i = 0; i < ntracks; i++) {
		struct track *t = &tracks[i];
		uint64_t got = t->checks - t->checks0;

		e = t->interval_us ? (uint64_t)(window_s * 1e6) /
		    t->interval_us : 0;
		checks += got;
		expected += e;
		missed += got < e ? e - got : 0;
	}
	for (size_t i = 0; i < gap.n; i++)
		if (ntracks > 0 && tracks[0].interval_us &&
		    gap.v[i] > tracks[0].interval_us * 3 / 2)
			late++;
	qsort(lat.v, lat.n, sizeof(*lat.v), cmp_u64);
	qsort(gap.v, gap.n, sizeof(*gap.v), cmp_u64);
	printf("plugins=%zu\nhealthy=%zu\nwindow_s=%.3f\nchecks=%" PRIu64
	    "\nexpected=%" PRIu64 "\nmissed=%" PRIu64 "\nlate_gaps=%" PRIu64
	    "\nlat_p50_us=%" PRIu64 "\nlat_p99_us=%" PRIu64
	    "\nlat_max_us=%" PRIu64 "\ngap_p50_ms=%.1f\ngap_p99_ms=%.1f"
	    "\ngap_max_ms=%.1f\n", ntracks, healthy, window_s, checks,
	    expected, missed, late, pct(&lat, 0.5), pct(&lat, 0.99),
	    lat.n ? lat.v[lat.n - 1] : 0, (double)pct(&gap, 0.5) / 1e3,
	    (double)pct(&gap, 0.99) / 1e3,
	    gap.n ? (double)gap.v[gap.n - 1] / 1e3 : 0.0);
}

int
main(int argc, char **argv)
{
	struct vigil *v;
	double seconds, start, end;
	int period_ms;
	size_t n = 0, healthy = 0;

	if (argc < 3 || (v = vigil_open(argv[1])) == NULL) {
		fprintf(stderr, "usage: scale_sample SHM SECONDS [PERIOD_MS]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	period_ms = argc > 3 ? atoi(argv[3]) : 50;
	start = now_s();
	end = start + seconds;
	for (int first = 1; ; first = 0) {
		if (vigil_snapshot(v, recs, MAX_PLUGINS, &n) == -1) {
			fprintf(stderr, "scale_sample: %s\n", strerror(errno));
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			observe(&recs[i], first);
		if (now_s() >= end)
			break;
		usleep((useconds_t)period_ms * 1000);
	}
	for (size_t i = 0; i < n; i++)
		healthy += recs[i].state == VIGIL_STATE_HEALTHY;
	summary(now_s() - start, healthy);
	vigil_close(v);
	return 0;
}
