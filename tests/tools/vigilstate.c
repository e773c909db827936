/* Test tool: print, wait for, and time plugin state through libvigil. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil.h"

/*
 * vigilstate SHM                         one line per plugin (key=value)
 * vigilstate SHM get NAME FIELD          one field of one plugin
 * vigilstate SHM wait NAME STATE MS      poll until NAME is in STATE
 * vigilstate SHM signal NAME SIG STATE MS
 *        send SIG to NAME's pid, then poll until it is in STATE; prints
 *        the milliseconds it took (measured in-process, 0.1 ms polling)
 * vigilstate SHM supervisor              header fields
 * Exit: 0 ok, 1 timeout or not found, 2 usage or state unavailable.
 */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
print_record(FILE *f, const struct vigil_record *r)
{
	fprintf(f, "name=%s state=%s pid=%d version=%s description=\"%s\" "
	    "flags=%u failures=%u successes=%u restarts=%u "
	    "restarts_hour=%u total_restarts=%" PRIu64 " checks=%" PRIu64
	    " total_failures=%" PRIu64 " exit_code=%d exit_signal=%d "
	    "started_us=%" PRId64 " last_check_us=%" PRId64
	    " next_restart_us=%" PRId64 " response_us=%" PRIu64
	    " message=\"%s\" details=\"%s\"\n",
	    r->name, vigil_state_name(r->state), r->pid, r->version,
	    r->description, r->flags, r->consecutive_failures,
	    r->consecutive_successes, r->restart_count, r->restarts_last_hour,
	    r->total_restarts, r->total_checks, r->total_failures,
	    r->last_exit_code, r->last_exit_signal, r->started_us,
	    r->last_check_us, r->next_restart_us, r->last_response_us,
	    r->message, r->details);
}

static int
dump(struct vigil *v)
{
	static struct vigil_record recs[1024];
	size_t n;

	if (vigil_snapshot(v, recs, 1024, &n) == -1) {
		fprintf(stderr, "vigilstate: %s\n", strerror(errno));
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		print_record(stdout, &recs[i]);
	return 0;
}

static int
get_field(struct vigil *v, const char *name, const char *field)
{
	struct vigil_record r;
	char line[2048], key[64], *p;

	if (vigil_get(v, name, &r) == -1)
		return 1;
	/* Reuse the line format: find " field=" and print its value. */
	FILE *f = fmemopen(line + 1, sizeof(line) - 1, "w");

	if (f == NULL)
		return 2;
	line[0] = ' ';
	print_record(f, &r);
	fclose(f);
	snprintf(key, sizeof(key), " %s=", field);
	if ((p = strstr(line, key)) == NULL)
		return 2;
	p += strlen(key);
	if (*p == '"') {
		p++;
		p[strcspn(p, "\"")] = '\0';
	} else
		p[strcspn(p, " \n")] = '\0';
	printf("%s\n", p);
	return 0;
}

static int
in_state(struct vigil *v, const char *name, const char *state)
{
	struct vigil_record r;

	return vigil_get(v, name, &r) == 0 &&
	    strcmp(vigil_state_name(r.state), state) == 0;
}

static int
wait_state(struct vigil *v, const char *name, const char *state,
    double timeout_ms, double start)
{
	while (now_ms() - start < timeout_ms) {
		if (in_state(v, name, state)) {
			printf("%.2f\n", now_ms() - start);
			return 0;
		}
		usleep(100);
	}
	fprintf(stderr, "vigilstate: %s not %s after %.0f ms\n", name, state,
	    timeout_ms);
	return 1;
}

static int
signal_and_wait(struct vigil *v, const char *name, int sig,
    const char *state, double timeout_ms)
{
	struct vigil_record r;
	double start;

	if (vigil_get(v, name, &r) == -1 || r.pid <= 0) {
		fprintf(stderr, "vigilstate: %s has no pid\n", name);
		return 1;
	}
	start = now_ms();
	if (kill(r.pid, sig) == -1) {
		perror("vigilstate: kill");
		return 2;
	}
	return wait_state(v, name, state, timeout_ms, start);
}

static int
supervisor(struct vigil *v)
{
	struct vigil_supervisor s;

	if (vigil_supervisor(v, &s) == -1) {
		printf("unavailable=%s\n", strerror(errno));
		return 2;
	}
	printf("pid=%d generation=%" PRIu64 " count=%u capacity=%u "
	    "heartbeat_age_ms=%" PRIu64 " flags=%u\n", s.pid, s.generation,
	    s.count, s.capacity, s.heartbeat_age_ms, s.flags);
	return 0;
}

int
main(int argc, char **argv)
{
	struct vigil *v;
	int rc = 2;

	if (argc < 2 || (v = vigil_open(argv[1])) == NULL) {
		fprintf(stderr, "usage: vigilstate SHM [get|wait|signal|"
		    "supervisor] ...\n");
		return 2;
	}
	if (argc == 2)
		rc = dump(v);
	else if (strcmp(argv[2], "get") == 0 && argc == 5)
		rc = get_field(v, argv[3], argv[4]);
	else if (strcmp(argv[2], "wait") == 0 && argc == 6)
		rc = wait_state(v, argv[3], argv[4], atof(argv[5]), now_ms());
	else if (strcmp(argv[2], "signal") == 0 && argc == 7)
		rc = signal_and_wait(v, argv[3], atoi(argv[4]), argv[5],
		    atof(argv[6]));
	else if (strcmp(argv[2], "supervisor") == 0)
		rc = supervisor(v);
	else
		fprintf(stderr, "vigilstate: bad arguments\n");
	vigil_close(v);
	return rc;
}
