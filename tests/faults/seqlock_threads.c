/* TSan check of the seqlock: one writer thread, reader threads, one map. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seqlock.h"
#include "vigil_shm.h"

/*
 * tests/stress/torn_stress runs its writer and readers as processes,
 * which ThreadSanitizer cannot see across (its shadow memory is per
 * process, per virtual address). This test runs the same protocol
 * (common/seqlock.h, the slot layout of proto/vigil_shm.h) between
 * threads sharing one mapping, so TSan checks every access, and checks
 * each copy for tearing: every word of a record is derived from one
 * counter. Usage: seqlock_threads [SECONDS] [READERS]; exit 0 when no
 * copy was torn and every reader got consistent copies.
 */

#define SLOTS	4
#define WORDS	VIGIL_RECORD_WORDS

static struct vigil_shm_slot	slots[SLOTS];
static atomic_int		stop;

static void
fill(uint64_t *w, uint64_t c)
{
	for (size_t i = 0; i < WORDS; i++)
		w[i] = c * 0x9e3779b97f4a7c15ull + i;
}

static int
consistent(const uint64_t *w)
{
	/* c * K + 0 = w[0]; K is odd, so c = w[0] * K^-1 (mod 2^64). */
	uint64_t c = w[0] * 0xf1de83e19937733dull;

	for (size_t i = 0; i < WORDS; i++)
		if (w[i] != c * 0x9e3779b97f4a7c15ull + i)
			return 0;
	return 1;
}

static void *
writer(void *arg)
{
	uint64_t w[WORDS], c = 1, *updates = arg;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		fill(w, c);
		seqlock_write(&slots[c % SLOTS].seq, slots[c % SLOTS].words,
		    w, WORDS);
		c++;
	}
	*updates = c;
	return NULL;
}

struct counts {
	uint64_t	good, torn, retries;
};

static void *
reader(void *arg)
{
	struct counts *n = arg;
	uint64_t w[WORDS];

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (int s = 0; s < SLOTS; s++) {
			if (!seqlock_try_read(&slots[s].seq, slots[s].words, w,
			    WORDS)) {
				n->retries++;
				continue;
			}
			if (consistent(w))
				n->good++;
			else
				n->torn++;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2;
	int nr = argc > 2 ? atoi(argv[2]) : 3;
	pthread_t wt, rt[16];
	struct counts n[16];
	uint64_t updates = 0, good = 0, torn = 0, retries = 0, init[WORDS];
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };

	if (nr < 1 || nr > 16)
		return 2;
	/* Every slot starts with a consistent record (counter 0). */
	fill(init, 0);
	for (int s = 0; s < SLOTS; s++)
		seqlock_write(&slots[s].seq, slots[s].words, init, WORDS);
	memset(n, 0, sizeof(n));
	pthread_create(&wt, NULL, writer, &updates);
	for (int i = 0; i < nr; i++)
		pthread_create(&rt[i], NULL, reader, &n[i]);
	nanosleep(&ts, NULL);
	atomic_store(&stop, 1);
	pthread_join(wt, NULL);
	for (int i = 0; i < nr; i++) {
		pthread_join(rt[i], NULL);
		good += n[i].good;
		torn += n[i].torn;
		retries += n[i].retries;
	}
	printf("seqlock_threads: %d readers, %" PRIu64 " updates, %" PRIu64
	    " good copies, %" PRIu64 " torn, %" PRIu64 " retries\n", nr,
	    updates, good, torn, retries);
	return torn == 0 && good > 1000 ? 0 : 1;
}
