/* Test tool: publish scripted plugin records into a state segment. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shmstate.h"
#include "timeutil.h"
#include "vigil.h"

/*
 * usage: shmwriter [-c CAPACITY] SHM_NAME [COMMAND...]
 *
 * Creates the segment (a new generation), runs each COMMAND argument, then
 * reads more commands, one per line, from stdin. Until told otherwise it
 * refreshes the heartbeat every 100 ms. EOF on stdin keeps it running;
 * SIGTERM/SIGINT or "exit" unlink the segment and exit 0. Commands:
 *
 *   plugin NAME [key=value ...]   create or update a record; keys:
 *       state=unknown|healthy|unhealthy|degraded|restarting|failed|
 *             starting|stopped       pid=N  required=0|1  connected=0|1
 *       failures=N successes=N restarts=N restarts_hour=N checks=N
 *       total_failures=N total_restarts=N response_ms=N avg_ms=N
 *       interval_ms=N exit_code=N exit_signal=N protocol=hkp|go-plugin
 *       last_check=now|0|UNIX_SECONDS last_healthy=now|0|UNIX_SECONDS
 *       version=S description=S executable=S message=S details=S
 *       (S may be "quoted text")
 *   remove NAME                   free the record's slot
 *   heartbeat on|off              keep the heartbeat fresh, or stop it
 *   flags +ready|-ready|+demo|-demo|+shutdown
 *   wedge NAME                    leave NAME's seqlock odd (mid-update)
 *   badversion                    overwrite the layout version (EPROTO)
 *   sleep MS
 *   exit                          unlink the segment and exit
 *
 * Every command is acknowledged on stdout with "ok COMMAND" or "error ...".
 */

#define MAX_PLUGINS	256
#define HEARTBEAT_MS	100

struct entry {
	bool			used;
	int			slot;
	struct vigil_record	rec;
};

struct writer {
	const char	*name;
	struct shmstate	*s;
	bool		 heartbeat;
	struct entry	 plugins[MAX_PLUGINS];
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
beat(struct writer *w)
{
	if (w->heartbeat)
		shmstate_heartbeat(w->s, time_mono_ns(), time_real_us());
}

static struct entry *
find(struct writer *w, const char *name)
{
	for (int i = 0; i < MAX_PLUGINS; i++)
		if (w->plugins[i].used &&
		    strcmp(w->plugins[i].rec.name, name) == 0)
			return &w->plugins[i];
	return NULL;
}

/* Defaults for a new record: a connected, required, unknown plugin. */
static struct entry *
create(struct writer *w, const char *name)
{
	struct entry *e = NULL;

	for (int i = 0; i < MAX_PLUGINS && e == NULL; i++)
		if (!w->plugins[i].used)
			e = &w->plugins[i];
	if (e == NULL || (e->slot = shmstate_alloc(w->s)) == -1)
		return NULL;
	e->used = true;
	memset(&e->rec, 0, sizeof(e->rec));
	snprintf(e->rec.name, sizeof(e->rec.name), "%s", name);
	snprintf(e->rec.version, sizeof(e->rec.version), "1.0.0");
	snprintf(e->rec.description, sizeof(e->rec.description),
	    "test plugin %s", name);
	snprintf(e->rec.executable, sizeof(e->rec.executable),
	    "/usr/libexec/vigil/plugins/%s/%s", name, name);
	e->rec.flags = VIGIL_REC_IN_USE | VIGIL_REC_REQUIRED |
	    VIGIL_REC_CONNECTED;
	e->rec.last_exit_code = -1;
	e->rec.check_interval_us = 30000000;
	e->rec.started_us = time_real_us();
	return e;
}

/* Split line in place into words; "..." groups spaces (quotes removed). */
static int
tokenize(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line, *out;

	while (*p != '\0' && argc < max) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		argv[argc++] = out = p;
		bool quoted = false;
		for (; *p != '\0'; p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && (*p == ' ' || *p == '\t' ||
			    *p == '\n' || *p == '\r'))
				break;
			*out++ = *p;
		}
		if (*p != '\0')
			p++;
		*out = '\0';
	}
	return argc;
}

static int
parse_state(const char *s)
{
	for (uint32_t i = 0; i < VIGIL_STATE_COUNT; i++)
		if (strcmp(s, vigil_state_name(i)) == 0)
			return (int)i;
	return -1;
}

static int64_t
parse_time(const char *s)
{
	if (strcmp(s, "now") == 0)
		return time_real_us();
	return strtoll(s, NULL, 10) * 1000000;
}

static void
set_flag(struct vigil_record *r, uint32_t flag, const char *v)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		r->flags |= flag;
	else
		r->flags &= ~flag;
}

static int
set_string(struct vigil_record *r, const char *k, const char *v)
{
	if (strcmp(k, "version") == 0)
		snprintf(r->version, sizeof(r->version), "%s", v);
	else if (strcmp(k, "description") == 0)
		snprintf(r->description, sizeof(r->description), "%s", v);
	else if (strcmp(k, "executable") == 0)
		snprintf(r->executable, sizeof(r->executable), "%s", v);
	else if (strcmp(k, "message") == 0)
		snprintf(r->message, sizeof(r->message), "%s", v);
	else if (strcmp(k, "details") == 0)
		snprintf(r->details, sizeof(r->details), "%s", v);
	else
		return -1;
	return 0;
}

/* Numeric fields: one table instead of a long if-chain. */
static int
set_number(struct vigil_record *r, const char *k, const char *v)
{
	long long n = strtoll(v, NULL, 10);

	if (strcmp(k, "pid") == 0) r->pid = (int32_t)n;
	else if (strcmp(k, "failures") == 0) r->consecutive_failures = (uint32_t)n;
	else if (strcmp(k, "successes") == 0) r->consecutive_successes = (uint32_t)n;
	else if (strcmp(k, "restarts") == 0) r->restart_count = (uint32_t)n;
	else if (strcmp(k, "restarts_hour") == 0) r->restarts_last_hour = (uint32_t)n;
	else if (strcmp(k, "checks") == 0) r->total_checks = (uint64_t)n;
	else if (strcmp(k, "total_failures") == 0) r->total_failures = (uint64_t)n;
	else if (strcmp(k, "total_restarts") == 0) r->total_restarts = (uint64_t)n;
	else if (strcmp(k, "response_ms") == 0) r->last_response_us = (uint64_t)n * 1000;
	else if (strcmp(k, "avg_ms") == 0) r->avg_response_us = (uint64_t)n * 1000;
	else if (strcmp(k, "interval_ms") == 0) r->check_interval_us = (uint64_t)n * 1000;
	else if (strcmp(k, "exit_code") == 0) r->last_exit_code = (int32_t)n;
	else if (strcmp(k, "exit_signal") == 0) r->last_exit_signal = (int32_t)n;
	else return -1;
	return 0;
}

static int
set_field(struct vigil_record *r, const char *k, const char *v)
{
	int st;

	if (strcmp(k, "state") == 0) {
		if ((st = parse_state(v)) == -1)
			return -1;
		r->state = (uint32_t)st;
		r->last_state_change_us = time_real_us();
		set_flag(r, VIGIL_REC_HEALTHY, st == VIGIL_STATE_HEALTHY ||
		    st == VIGIL_STATE_DEGRADED ? "1" : "0");
	} else if (strcmp(k, "required") == 0)
		set_flag(r, VIGIL_REC_REQUIRED, v);
	else if (strcmp(k, "connected") == 0)
		set_flag(r, VIGIL_REC_CONNECTED, v);
	else if (strcmp(k, "protocol") == 0)
		r->protocol = strcmp(v, "go-plugin") == 0 ? VIGIL_PROTO_GOPLUGIN :
		    VIGIL_PROTO_HKP;
	else if (strcmp(k, "last_check") == 0)
		r->last_check_us = parse_time(v);
	else if (strcmp(k, "last_healthy") == 0)
		r->last_healthy_us = parse_time(v);
	else if (set_string(r, k, v) == -1)
		return set_number(r, k, v);
	return 0;
}

static int
cmd_plugin(struct writer *w, int argc, char **argv)
{
	struct entry *e;

	if (argc < 2)
		return -1;
	if ((e = find(w, argv[1])) == NULL && (e = create(w, argv[1])) == NULL)
		return -1;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return -1;
		*eq = '\0';
		if (set_field(&e->rec, argv[i], eq + 1) == -1)
			return -1;
	}
	shmstate_publish(w->s, e->slot, &e->rec);
	return 0;
}

static int
cmd_remove(struct writer *w, int argc, char **argv)
{
	struct entry *e;

	if (argc != 2 || (e = find(w, argv[1])) == NULL)
		return -1;
	shmstate_release(w->s, e->slot);
	e->used = false;
	return 0;
}

static int
cmd_flags(struct writer *w, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		uint32_t f = strcmp(argv[i] + 1, "ready") == 0 ? VIGIL_SHM_F_READY :
		    strcmp(argv[i] + 1, "demo") == 0 ? VIGIL_SHM_F_DEMO :
		    strcmp(argv[i] + 1, "shutdown") == 0 ? VIGIL_SHM_F_SHUTDOWN : 0;

		if (f == 0 || (argv[i][0] != '+' && argv[i][0] != '-'))
			return -1;
		shmstate_set_flags(w->s, argv[i][0] == '+' ? f : 0,
		    argv[i][0] == '-' ? f : 0);
	}
	return 0;
}

/* A private writable mapping, to break the segment on purpose. */
static void *
map_rw(struct writer *w, size_t *size)
{
	int fd = shm_open(w->name, O_RDWR, 0);
	off_t end;
	void *p;

	if (fd == -1)
		return NULL;
	end = lseek(fd, 0, SEEK_END);
	p = mmap(NULL, (size_t)end, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	*size = (size_t)end;
	return p == MAP_FAILED ? NULL : p;
}

static int
cmd_wedge(struct writer *w, int argc, char **argv)
{
	struct vigil_shm_slot *slot;
	struct entry *e;
	size_t size;
	char *base;

	if (argc != 2 || (e = find(w, argv[1])) == NULL ||
	    (base = map_rw(w, &size)) == NULL)
		return -1;
	slot = (struct vigil_shm_slot *)(base + VIGIL_SHM_HEADER_SIZE +
	    (size_t)e->slot * sizeof(*slot));
	atomic_fetch_or(&slot->seq, 1);
	munmap(base, size);
	return 0;
}

static int
cmd_badversion(struct writer *w)
{
	struct vigil_shm_header *h;
	size_t size;

	if ((h = map_rw(w, &size)) == NULL)
		return -1;
	h->version = 99;
	munmap(h, size);
	return 0;
}

/* Run one command; 1 means exit. */
static int
run(struct writer *w, char *line)
{
	char *argv[64];
	int argc = tokenize(line, argv, 64), rc = -1;

	if (argc == 0 || argv[0][0] == '#')
		return 0;
	if (strcmp(argv[0], "plugin") == 0)
		rc = cmd_plugin(w, argc, argv);
	else if (strcmp(argv[0], "remove") == 0)
		rc = cmd_remove(w, argc, argv);
	else if (strcmp(argv[0], "heartbeat") == 0 && argc == 2) {
		w->heartbeat = strcmp(argv[1], "on") == 0;
		rc = 0;
	} else if (strcmp(argv[0], "flags") == 0)
		rc = cmd_flags(w, argc, argv);
	else if (strcmp(argv[0], "wedge") == 0)
		rc = cmd_wedge(w, argc, argv);
	else if (strcmp(argv[0], "badversion") == 0)
		rc = cmd_badversion(w);
	else if (strcmp(argv[0], "sleep") == 0 && argc == 2)
		rc = usleep((useconds_t)atoi(argv[1]) * 1000);
	else if (strcmp(argv[0], "exit") == 0)
		return 1;
	printf("%s %s\n", rc == 0 ? "ok" : "error", argv[0]);
	fflush(stdout);
	return 0;
}

/* Feed complete lines from buf to run(); keep a partial tail. 1 = exit. */
static int
run_lines(struct writer *w, char *buf, size_t *len)
{
	char *nl;

	while ((nl = memchr(buf, '\n', *len)) != NULL) {
		size_t n = (size_t)(nl - buf) + 1;

		*nl = '\0';
		if (run(w, buf) == 1)
			return 1;
		beat(w);
		memmove(buf, buf + n, *len - n);
		*len -= n;
	}
	if (*len == 4095)	/* an over-long line is dropped */
		*len = 0;
	return 0;
}

static void
loop(struct writer *w)
{
	char buf[4096];
	size_t len = 0;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool eof = false;
	ssize_t n;

	while (!stop) {
		beat(w);
		if (poll(&pfd, eof ? 0 : 1, HEARTBEAT_MS) <= 0) {
			if (eof)
				usleep(HEARTBEAT_MS * 1000);
			continue;
		}
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			eof = n == 0 || errno != EINTR;
			continue;
		}
		len += (size_t)n;
		if (run_lines(w, buf, &len) == 1)
			return;
	}
}

int
main(int argc, char **argv)
{
	static struct writer w;
	uint32_t capacity = 64;
	char err[256];
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		capacity = (uint32_t)atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: shmwriter [-c CAPACITY] SHM [COMMAND...]\n");
		return 2;
	}
	w.name = argv[i++];
	w.heartbeat = true;
	if ((w.s = shmstate_create(w.name, capacity, err, sizeof(err))) == NULL) {
		fprintf(stderr, "shmwriter: %s\n", err);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	beat(&w);
	for (; i < argc; i++) {
		char line[1024];

		snprintf(line, sizeof(line), "%s", argv[i]);
		if (run(&w, line) == 1)
			stop = 1;
	}
	printf("ready generation=%llu\n",
	    (unsigned long long)shmstate_generation(w.s));
	fflush(stdout);
	loop(&w);
	shmstate_destroy(w.s, 1);
	return 0;
}
