/* Fault-matrix tool: watch the segment through libvigil, report outages. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vigil.h"

/*
 * shmwatch SHM MS
 *   reads the header and every record through libvigil every 0.2 ms for
 *   MS milliseconds or until SIGTERM (a reader that must never crash:
 *   SIGBUS or SIGSEGV kill it, and its status tells) and prints each
 *   change of outcome ("T_MS ok gen=G plugins=N" or "T_MS ENOENT", ...),
 *   then one summary line:
 *   "reads=N errors=N first_error=NAME unavailable_ms=X final=ok|NAME
 *    generations=N"
 *   Exit 0 when the last read was ok.
 * shmwatch SHM truncate MS
 *   the damage instead: truncate the segment to 0 and 64 bytes in a tight
 *   loop for MS milliseconds (hundreds of thousands of times: a truncation
 *   then lands inside reads and writes, not only between them).
 */

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *
err_name(int e)
{
	switch (e) {
	case 0:		return "ok";
	case ENOENT:	return "ENOENT";
	case EPROTO:	return "EPROTO";
	case EAGAIN:	return "EAGAIN";
	case ESTALE:	return "ESTALE";
	default:	return strerror(e);
	}
}

static int
truncate_loop(const char *name, double ms)
{
	double start = now_ms();
	long n = 0;
	int fd;

	if ((fd = shm_open(name, O_RDWR | O_CLOEXEC, 0)) == -1) {
		perror("shmwatch: shm_open");
		return 2;
	}
	while (now_ms() - start < ms) {
		(void)!ftruncate(fd, 0);
		(void)!ftruncate(fd, 64);
		n++;
	}
	close(fd);
	printf("truncations=%ld\n", n * 2);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct vigil_record	recs[1024];
	struct vigil_supervisor		sup;
	struct vigil			*v;
	struct timespec			pause = { 0, 200000 };
	double				start, t, down_since = 0, down = 0;
	uint64_t			gen = 0;
	long				reads = 0, errors = 0, gens = 0;
	int				last = -1, e, first = 0;
	size_t				n = 0;

	if (argc == 4 && strcmp(argv[2], "truncate") == 0)
		return truncate_loop(argv[1], atof(argv[3]));
	if (argc != 3 || (v = vigil_open(argv[1])) == NULL) {
		fprintf(stderr, "usage: shmwatch SHM MS\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	start = now_ms();
	while (!stop && (t = now_ms() - start) < atof(argv[2])) {
		e = 0;
		if (vigil_supervisor(v, &sup) == -1 ||
		    vigil_snapshot(v, recs, 1024, &n) == -1)
			e = errno;
		reads++;
		if (e != 0) {
			errors++;
			if (first == 0)
				first = e;
			if (last == 0 || last == -1)
				down_since = t;
		} else if (last > 0)
			down += t - down_since;
		if (e == 0 && sup.generation != gen) {
			gen = sup.generation;
			gens++;
		}
		if (e != last) {
			if (e == 0)
				printf("%.1f ok gen=%" PRIu64 " plugins=%zu\n",
				    t, sup.generation, n);
			else
				printf("%.1f %s\n", t, err_name(e));
			fflush(stdout);
			last = e;
		}
		nanosleep(&pause, NULL);
	}
	if (last > 0)
		down += now_ms() - start - down_since;
	printf("reads=%ld errors=%ld first_error=%s unavailable_ms=%.1f "
	    "final=%s generations=%ld\n", reads, errors, err_name(first),
	    down, err_name(last), gens);
	vigil_close(v);
	return last == 0 ? 0 : 1;
}
