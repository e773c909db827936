/* Benchmark: time from a signal to a plugin's record changing state. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil.h"

/*
 * usage: detect_bench SHM NAME kill|stop TRIALS [SETTLE_MS]
 *        detect_bench floor PLUGIN_BINARY TRIALS
 *
 * Each trial waits until NAME is healthy, waits SETTLE_MS more (default
 * 300), sends SIGKILL (kill) or SIGSTOP (stop) to its pid, then polls the
 * record through libvigil every ~20 us and prints one line:
 *
 *   trial N detect_ms D state S recover_ms R
 *
 * D: until the record stops being usable (state neither healthy nor
 * degraded); S: the first such state seen. R: until the record is healthy
 * again with a new pid. Timing is in-process (CLOCK_MONOTONIC), so
 * process start-up costs of the tool are not in the figures.
 * Exit 1 when a trial times out (30 s).
 *
 * floor: no supervisor. Starts PLUGIN_BINARY itself (listening on a free
 * 127.0.0.1 port), waits until it accepts connections plus 200 ms, sends
 * SIGKILL and times until waitpid() returns: what the kernel takes to tear
 * a gRPC process down, the floor under "detect". One line per trial:
 *
 *   trial N reaped_ms D
 */

#define TIMEOUT_MS	30000.0
#define POLL_NS		20000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static int
usable(const struct vigil_record *r)
{
	return r->state == VIGIL_STATE_HEALTHY ||
	    r->state == VIGIL_STATE_DEGRADED;
}

/* Poll until NAME is healthy, with a pid other than old_pid. */
static int
wait_healthy(struct vigil *v, const char *name, int32_t old_pid,
    struct vigil_record *r, double start)
{
	while (now_ms() - start < TIMEOUT_MS) {
		if (vigil_get(v, name, r) == 0 && r->pid > 0 &&
		    r->pid != old_pid && r->state == VIGIL_STATE_HEALTHY)
			return 0;
		nap();
	}
	return -1;
}

static int
trial(struct vigil *v, const char *name, int sig, int n, int settle_ms)
{
	struct vigil_record r;
	double t0, detect = -1;
	uint32_t seen = 0;
	int32_t pid;

	if (wait_healthy(v, name, 0, &r, now_ms()) == -1) {
		fprintf(stderr, "detect_bench: %s never healthy\n", name);
		return -1;
	}
	usleep((useconds_t)settle_ms * 1000);
	if (vigil_get(v, name, &r) == -1 || r.state != VIGIL_STATE_HEALTHY)
		return 0;	/* changed on its own: skip, try again */
	pid = r.pid;
	t0 = now_ms();
	if (kill(pid, sig) == -1) {
		perror("detect_bench: kill");
		return -1;
	}
	while (now_ms() - t0 < TIMEOUT_MS) {
		if (vigil_get(v, name, &r) == 0 && !usable(&r)) {
			detect = now_ms() - t0;
			seen = r.state;
			break;
		}
		nap();
	}
	if (detect < 0 || wait_healthy(v, name, pid, &r, t0) == -1) {
		fprintf(stderr, "detect_bench: trial %d timed out\n", n);
		return -1;
	}
	printf("trial %d detect_ms %.3f state %s recover_ms %.3f\n", n, detect,
	    vigil_state_name(seen), now_ms() - t0);
	fflush(stdout);
	return 1;
}

static int
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd != -1 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd != -1)
		close(fd);
	return port;
}

static int
accepts(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	ok = fd != -1 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	if (fd != -1)
		close(fd);
	return ok;
}

static int
floor_trial(const char *bin, int n)
{
	char addr[64];
	double t0;
	int port = free_port(), i;
	pid_t pid;

	snprintf(addr, sizeof(addr), "PLUGIN_GRPC_ADDRESS=127.0.0.1:%d", port);
	if (port == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		char *env[] = { addr, (char *)(uintptr_t)"PLUGIN_NAME=floor",
		    NULL };
		execle(bin, bin, (char *)NULL, env);
		_exit(127);
	}
	for (i = 0; i < 3000 && !accepts(port); i++)
		usleep(1000);
	usleep(200000);
	t0 = now_ms();
	kill(pid, SIGKILL);
	if (waitpid(pid, NULL, 0) != pid)
		return -1;
	printf("trial %d reaped_ms %.3f\n", n, now_ms() - t0);
	fflush(stdout);
	return i < 3000 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct vigil *v;
	int sig, trials, settle, done = 0, rc;

	if (argc == 4 && strcmp(argv[1], "floor") == 0) {
		for (int i = 1; i <= atoi(argv[3]); i++)
			if (floor_trial(argv[2], i) == -1)
				return 1;
		return 0;
	}
	if (argc < 5 || (v = vigil_open(argv[1])) == NULL) {
		fprintf(stderr, "usage: detect_bench SHM NAME kill|stop TRIALS "
		    "[SETTLE_MS]\n       detect_bench floor BINARY TRIALS\n");
		return 2;
	}
	sig = strcmp(argv[3], "stop") == 0 ? SIGSTOP : SIGKILL;
	trials = atoi(argv[4]);
	settle = argc > 5 ? atoi(argv[5]) : 300;
	/* Sleeps of 20 us, not the default 50 us timer slack. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL);
	for (int attempts = 0; done < trials && attempts < trials * 2;
	    attempts++) {
		if ((rc = trial(v, argv[2], sig, done + 1, settle)) == -1)
			return 1;
		done += rc;
	}
	vigil_close(v);
	return done == trials ? 0 : 1;
}
