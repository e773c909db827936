/*
 * One supervised plugin: its connection, checks, stop and record; the
 * process is started by launch.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "handshake.h"
#include "log.h"
#include "output.h"
#include "plugin.h"
#include "plugin_impl.h"
#include "probe.h"
#include "proc.h"
#include "rpc.h"
#include "shmstate.h"
#include "state.h"
#include "supervisor.h"
#include "vigil.h"
#include "timeutil.h"

#define LOG_LINES_PER_SEC	100	/* per stream; the rest is counted */
#define INIT_RETRY_MS		100
#define SHUTDOWN_RPC_MS		2000	/* at most, and at most half of stop */
#define SHUTDOWN_GRACE_MS	500	/* after a successful Shutdown RPC */

/*
 * gRPC callbacks carry only a 64-bit cookie; they find their plugin through
 * the one supervisor context of this process.
 */
static struct sv *the_sv;

static void	step(struct plugin *, enum fsm_event_type, uint64_t, uint64_t);
static void	begin_stop(struct plugin *, uint64_t);
static void	publish(struct plugin *);

static uint64_t
cookie_of(const struct plugin *p)
{
	return (uint64_t)p->id << 32 | p->epoch;
}

/* The plugin a callback belongs to, if it still runs the same process. */
static struct plugin *
from_cookie(uint64_t cookie)
{
	struct plugin *p = sv_find_id(the_sv, (uint32_t)(cookie >> 32));

	if (p == NULL || p->epoch != (uint32_t)cookie || p->pid == 0)
		return NULL;
	return p;
}

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct plugin *
plugin_create(struct sv *sv, struct manifest *m, const char *fingerprint,
    char *err, size_t errlen)
{
	struct plugin *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((p->slot = shmstate_alloc(sv->shm)) == -1) {
		snprintf(err, errlen, "no free record (max_plugins = %u)",
		    sv->cfg.supervisor.max_plugins);
		free(p);
		return NULL;
	}
	the_sv = sv;
	p->sv = sv;
	p->m = *m;
	memset(m, 0, sizeof(*m));
	snprintf(p->fp, sizeof(p->fp), "%s", fingerprint);
	p->id = ++sv->next_id;
	p->out_fd = p->err_fd = -1;
	p->exit_code = -1;
	probe_copy_text(p->version, sizeof(p->version), p->m.version);
	probe_copy_text(p->description, sizeof(p->description),
	    p->m.description);
	snprintf(p->rundir, sizeof(p->rundir), "%s/plugins/%s",
	    sv->cfg.supervisor.runtime_dir, p->m.name);
	return p;
}

/*
 * The output pipes live in the loop's epoll set from spawn to close, so a
 * loop iteration costs the same with 10 plugins as with 1,000 (poll() over
 * every pipe made the kernel walk 2,000 descriptors per wake-up).
 */
static void
watch_fd(struct plugin *p, int *fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = *fd };

	if (*fd == -1 || epoll_ctl(p->sv->epfd, EPOLL_CTL_ADD, *fd, &ev) == 0)
		return;
	/* Unread, the pipe would fill and block the plugin: close it. */
	log_error("cannot watch plugin output; discarding it",
	    "plugin=%s error=%s", p->m.name, strerror(errno));
	close(*fd);
	*fd = -1;
}

static void
close_fd(struct plugin *p, int *fd)
{
	if (*fd == -1)
		return;
	(void)epoll_ctl(p->sv->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

void
plugin_destroy(struct plugin *p)
{
	if (p == NULL)
		return;
	close_fd(p, &p->out_fd);
	close_fd(p, &p->err_fd);
	if (p->chan != NULL)
		grpc_channel_destroy(p->chan);
	shmstate_release(p->sv->shm, p->slot);
	manifest_free(&p->m);
	if (p->has_next)
		manifest_free(&p->next);
	free(p);
}

static int32_t
jitter(void)
{
	return (int32_t)(random() % 201) - 100;
}

static void
note_state(struct plugin *p, uint32_t before)
{
	uint32_t now_state = p->fsm.state;

	p->state_change_us = time_real_us();
	log_event(now_state == VIGIL_STATE_HEALTHY ? LOG_LEVEL_INFO :
	    now_state == VIGIL_STATE_DEGRADED ? LOG_LEVEL_WARN :
	    now_state == VIGIL_STATE_STOPPED ? LOG_LEVEL_INFO :
	    now_state == VIGIL_STATE_STARTING ||
	    now_state == VIGIL_STATE_UNKNOWN ||
	    now_state == VIGIL_STATE_RESTARTING ? LOG_LEVEL_INFO :
	    LOG_LEVEL_WARN, "plugin state changed",
	    "plugin=%s from=%s to=%s reason=%s restarts=%u", p->m.name,
	    vigil_state_name(before), vigil_state_name(now_state),
	    p->fsm.reason != NULL ? p->fsm.reason : "", p->fsm.restart_count);
	if (now_state != VIGIL_STATE_RESTARTING &&
	    now_state != VIGIL_STATE_STARTING)
		p->manual_pending = false;
}

static void
apply(struct plugin *p, unsigned act, uint64_t now)
{
	if (act & FSM_ACT_STOP)
		begin_stop(p, now);
	if (act & FSM_ACT_SPAWN)
		p->spawn_due = true;	/* the loop spawns it right away */
}

static void
step(struct plugin *p, enum fsm_event_type type, uint64_t latency_ms,
    uint64_t now)
{
	struct fsm_event ev = { .type = type, .latency_ms = latency_ms,
	    .jitter_permille = jitter() };
	uint32_t before = p->fsm.state;
	unsigned act;

	act = fsm_step(&p->fsm, &p->m.health, &ev, now);
	if (p->fsm.state != before)
		note_state(p, before);
	apply(p, act, now);
	publish(p);
}

/* --- start -------------------------------------------------------------- */

static void	on_init(struct rpc_call *, uint64_t);
static void	send_initialize(struct plugin *, uint64_t);


static void
spawn(struct plugin *p, uint64_t now)
{
	char err[256];

	p->spawn_due = false;
	if (p->pid != 0 || p->fsm.shutdown)
		return;
	memset(&p->out, 0, sizeof(p->out));
	memset(&p->err, 0, sizeof(p->err));
	p->epoch++;
	p->handshake_seen = p->connected = p->use_grpc_health = false;
	p->init_inflight = p->check_inflight = p->stopping = false;
	p->start_failed = false;
	if (plugin_launch(p, err, sizeof(err)) == -1) {
		p->pid = 0;
		log_error("plugin start failed", "plugin=%s error=%s",
		    p->m.name, err);
		probe_copy_text(p->message, sizeof(p->message), err);
		step(p, FSM_EV_SPAWN_FAILED, 0, now);
		return;
	}
	/* Spawning takes a while (fork, exec, many plugins at start-up):
	 * start_timeout counts from now, not from when the loop woke up. */
	now = time_mono_ms();
	watch_fd(p, &p->out_fd);
	watch_fd(p, &p->err_fd);
	p->started_once = true;
	p->started_us = time_real_us();
	p->exited = false;
	log_info("plugin started", "plugin=%s pid=%d address=%s",
	    p->m.name, (int)p->pid, p->target[0] ? p->target : "(handshake)");
	step(p, FSM_EV_SPAWNED, 0, now);
	if (p->m.protocol == PLUGIN_PROTOCOL_HKP) {
		p->chan = rpc_channel(p->target);
		send_initialize(p, now);
	}
}

void
plugin_start(struct plugin *p, uint64_t now)
{
	fsm_init(&p->fsm, now);
	p->offset_ms = name_hash(p->m.name) % (p->m.health.check_interval_ms ?
	    p->m.health.check_interval_ms : 1);
	p->state_change_us = time_real_us();
	spawn(p, now);
}

static void
send_initialize(struct plugin *p, uint64_t now)
{
	uint64_t deadline = p->fsm.spawned_ms + p->m.health.start_timeout_ms;
	uint64_t left = deadline > now ? deadline - now : 1;

	p->init_retry_ms = 0;
	if (probe_send_initialize(p->sv->rpc, p->chan, p->m.config_json,
	    p->m.protocol_version, p->m.env, left, on_init,
	    cookie_of(p)) == 0)
		p->init_inflight = true;
	else
		p->init_retry_ms = now + INIT_RETRY_MS;
}

/* Kill a process that started wrongly; its exit is then a failure. */
static void
fail_start(struct plugin *p, const char *why)
{
	log_error("plugin start failed", "plugin=%s pid=%d error=%s",
	    p->m.name, (int)p->pid, why);
	probe_copy_text(p->message, sizeof(p->message), why);
	p->start_failed = true;
	proc_signal_group(p->pid, SIGKILL);
}

static void
connected(struct plugin *p, uint64_t now)
{
	p->connected = true;
	p->next_check_ms = now;		/* first check right away */
	step(p, FSM_EV_CONNECTED, 0, now);
}

static void
on_info(struct rpc_call *c, uint64_t cookie)
{
	struct plugin *p = from_cookie(cookie);
	const uint8_t *buf;
	size_t len;

	if (p == NULL || p->stopping)
		return;
	buf = rpc_call_reply(c, &len);
	if (rpc_call_status(c) == GRPC_STATUS_OK &&
	    probe_decode_getinfo(buf, len, p->version, sizeof(p->version),
	    p->description, sizeof(p->description)) == -1)
		log_warn("plugin sent a malformed PluginInfo", "plugin=%s",
		    p->m.name);
	connected(p, time_mono_ms());
}

static void
on_init(struct rpc_call *c, uint64_t cookie)
{
	struct plugin *p = from_cookie(cookie);
	grpc_status_code st = rpc_call_status(c);
	uint64_t now = time_mono_ms();
	const uint8_t *buf;
	char err[VIGIL_MESSAGE_LEN];
	size_t len;

	if (p == NULL || p->stopping)
		return;
	p->init_inflight = false;
	buf = rpc_call_reply(c, &len);
	if (st == GRPC_STATUS_OK &&
	    probe_decode_initialize(buf, len, err, sizeof(err)) == -1) {
		fail_start(p, err);
	} else if (st == GRPC_STATUS_OK || st == GRPC_STATUS_UNIMPLEMENTED) {
		if (probe_send_getinfo(p->sv->rpc, p->chan,
		    p->m.health.check_timeout_ms, on_info, cookie) == -1)
			connected(p, now);
	} else if (st != GRPC_STATUS_DEADLINE_EXCEEDED) {
		/* Not listening yet, or refused: try again shortly. The
		 * start timeout in the state machine bounds the retries. */
		p->init_retry_ms = now + INIT_RETRY_MS;
	}
}

/* --- health checks ------------------------------------------------------ */

static void on_check(struct rpc_call *, uint64_t);

static uint64_t
next_slot(const struct plugin *p, uint64_t now)
{
	uint64_t iv = p->m.health.check_interval_ms, k, next;

	if (iv == 0)
		return now;
	k = now >= p->offset_ms ? (now - p->offset_ms) / iv + 1 : 0;
	next = p->offset_ms + k * iv;
	/* Keep at least half an interval after the check just sent. */
	if (next - now < iv / 2)
		next += iv;
	return next;
}

static void
send_check(struct plugin *p, uint64_t now)
{
	const struct health_config *h = &p->m.health;
	int rc;

	if (p->use_grpc_health || p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN)
		rc = probe_send_grpc_health(p->sv->rpc, p->chan,
		    p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN ? "plugin" : "",
		    h->check_timeout_ms, on_check, cookie_of(p));
	else
		rc = probe_send_hkp_health(p->sv->rpc, p->chan,
		    h->check_timeout_ms, on_check, cookie_of(p));
	if (rc == 0)
		p->check_inflight = true;
	p->next_check_ms = next_slot(p, now);
}

static void
maybe_check(struct plugin *p, uint64_t now)
{
	if (!fsm_wants_checks(&p->fsm) || p->chan == NULL ||
	    now < p->next_check_ms)
		return;
	if (p->check_inflight) {
		p->missed_checks++;
		p->next_check_ms = next_slot(p, now);
		return;
	}
	send_check(p, now);
}

static void
record_check(struct plugin *p, const struct probe_reply *r, uint64_t lat_us)
{
	p->total_checks++;
	p->last_check_us = time_real_us();
	p->last_response_us = lat_us;
	p->avg_response_us = p->total_checks == 1 ? lat_us :
	    (p->avg_response_us * 4 + lat_us) / 5;
	if (r->result == PROBE_FAIL)
		p->total_failures++;
	else
		p->last_healthy_us = p->last_check_us;
	log_debug("health check", "plugin=%s result=%s latency_us=%llu "
	    "message=%s", p->m.name, r->result == PROBE_OK ? "healthy" :
	    r->result == PROBE_DEGRADED ? "degraded" : "failed",
	    (unsigned long long)lat_us, r->message);
	memcpy(p->message, r->message, sizeof(p->message));
	memcpy(p->details, r->details, sizeof(p->details));
}

static void
on_check(struct rpc_call *c, uint64_t cookie)
{
	struct plugin *p = from_cookie(cookie);
	uint64_t now = time_mono_ms(), lat = rpc_call_latency_us(c);
	struct probe_reply r;
	const uint8_t *buf;
	size_t len;

	if (p == NULL)
		return;
	p->check_inflight = false;
	if (!fsm_wants_checks(&p->fsm))
		return;
	buf = rpc_call_reply(c, &len);
	if (p->use_grpc_health || p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN)
		probe_decode_grpc_health(rpc_call_status(c), buf, len,
		    rpc_call_error(c), &r);
	else
		probe_decode_hkp_health(rpc_call_status(c), buf, len,
		    rpc_call_error(c), &r);
	if (r.result == PROBE_UNIMPLEMENTED) {
		log_info("plugin has no HKPPlugin/HealthCheck; using "
		    "grpc.health.v1", "plugin=%s", p->m.name);
		p->use_grpc_health = true;
		send_check(p, now);
		return;
	}
	record_check(p, &r, lat);
	if (r.result == PROBE_FAIL)
		log_warn("health check failed", "plugin=%s error=%s "
		    "consecutive=%u", p->m.name, r.message,
		    p->fsm.consecutive_failures + 1);
	step(p, r.result == PROBE_OK ? FSM_EV_CHECK_OK :
	    r.result == PROBE_DEGRADED ? FSM_EV_CHECK_DEGRADED :
	    FSM_EV_CHECK_FAIL, (lat + 999) / 1000, now);
}

/* --- stopping ----------------------------------------------------------- */

static void
send_term(struct plugin *p)
{
	p->term_sent = true;
	proc_signal_group(p->pid, SIGTERM);
	/* A stopped (SIGSTOP) plugin must run to see the SIGTERM. */
	proc_signal_group(p->pid, SIGCONT);
}

static void
on_shutdown(struct rpc_call *c, uint64_t cookie)
{
	struct plugin *p = from_cookie(cookie);
	grpc_status_code st = rpc_call_status(c);
	uint64_t now = time_mono_ms();

	if (p == NULL || !p->stopping || p->term_sent)
		return;
	/* go-plugin drops the connection as it exits: UNAVAILABLE is fine. */
	if (st == GRPC_STATUS_OK || st == GRPC_STATUS_UNAVAILABLE)
		p->term_at_ms = now + SHUTDOWN_GRACE_MS;
	else
		send_term(p);
}

static void
begin_stop(struct plugin *p, uint64_t now)
{
	uint64_t st = p->m.health.stop_timeout_ms;
	uint64_t rpc_ms = st / 2 < SHUTDOWN_RPC_MS ? st / 2 : SHUTDOWN_RPC_MS;

	if (p->pid == 0 || p->stopping)
		return;
	p->stopping = true;
	p->term_sent = p->kill_sent = false;
	p->kill_at_ms = now + st;
	log_info("stopping plugin", "plugin=%s pid=%d", p->m.name,
	    (int)p->pid);
	if (p->connected && p->chan != NULL && rpc_ms > 0 &&
	    probe_send_shutdown(p->sv->rpc, p->chan,
	    p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN, rpc_ms, on_shutdown,
	    cookie_of(p)) == 0) {
		p->term_at_ms = now + rpc_ms;
		return;
	}
	send_term(p);
}

static void
escalate(struct plugin *p, uint64_t now)
{
	if (!p->stopping || p->pid == 0)
		return;
	if (!p->term_sent && now >= p->term_at_ms)
		send_term(p);
	if (!p->kill_sent && now >= p->kill_at_ms) {
		p->kill_sent = true;
		log_warn("plugin did not stop in time; killing it",
		    "plugin=%s pid=%d stop_timeout_ms=%llu", p->m.name,
		    (int)p->pid,
		    (unsigned long long)p->m.health.stop_timeout_ms);
		proc_signal_group(p->pid, SIGKILL);
	}
}

void
plugin_shutdown(struct plugin *p, uint64_t now)
{
	/* A replacement waiting for this process to stop is dropped too. */
	if (p->has_next) {
		manifest_free(&p->next);
		p->has_next = false;
	}
	p->removing = true;
	p->spawn_due = false;
	step(p, FSM_EV_SHUTDOWN, 0, now);
}

/* --- output ------------------------------------------------------------- */

struct line_ctx {
	struct plugin	*p;
	const char	*stream;
	struct linebuf	*lb;
	uint64_t	 now;
};

static void
handshake(struct plugin *p, const char *line, uint64_t now)
{
	struct handshake hs;
	char err[160];

	p->handshake_seen = true;
	if (handshake_parse(line, &hs, err, sizeof(err)) == -1) {
		fail_start(p, err);
		return;
	}
	snprintf(p->target, sizeof(p->target), "%s", hs.target);
	if (hs.is_unix)
		snprintf(p->sockpath, sizeof(p->sockpath), "%s", hs.address);
	log_info("plugin handshake", "plugin=%s address=%s", p->m.name,
	    p->target);
	p->chan = rpc_channel(p->target);
	connected(p, now);
}

static void
on_line(void *arg, const char *line)
{
	struct line_ctx *lc = arg;
	struct plugin *p = lc->p;

	if (p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN && !p->handshake_seen &&
	    lc->lb == &p->out && !p->stopping) {
		if (line[0] != '\0')
			handshake(p, line, lc->now);
		return;
	}
	if (output_allow(lc->lb, lc->now, LOG_LINES_PER_SEC))
		log_info("plugin output", "plugin=%s stream=%s line=%s",
		    p->m.name, lc->stream, line);
}

/* Log how many lines the rate limit has dropped since the last report. */
static void
report_dropped(struct plugin *p, struct linebuf *lb, const char *name)
{
	if (lb->dropped == lb->dropped_reported)
		return;
	log_warn("plugin output dropped", "plugin=%s stream=%s lines=%llu",
	    p->m.name, name,
	    (unsigned long long)(lb->dropped - lb->dropped_reported));
	lb->dropped_reported = lb->dropped;
}

static void
read_stream(struct plugin *p, int *fd, struct linebuf *lb, const char *name,
    uint64_t now)
{
	struct line_ctx lc = { p, name, lb, now };

	if (*fd == -1)
		return;
	/* A rate-limit window that has ended has its final drop count. */
	if (now - lb->window_ms >= 1000)
		report_dropped(p, lb, name);
	if (output_read(*fd, lb, on_line, &lc) != 1) {
		close_fd(p, fd);
		report_dropped(p, lb, name);
	}
}

void
plugin_on_output(struct plugin *p, int fd, uint64_t now)
{
	if (fd == p->out_fd)
		read_stream(p, &p->out_fd, &p->out, "stdout", now);
	else if (fd == p->err_fd)
		read_stream(p, &p->err_fd, &p->err, "stderr", now);
}

/* --- exit, timers, replacement ------------------------------------------ */

/*
 * Returns the process's gRPC channel for the caller to destroy after it
 * has published the exit: grpc_channel_destroy() can take milliseconds
 * (gRPC joins threads it no longer needs), and readers should not wait
 * for that to learn that the plugin died.
 */
static grpc_channel *
forget_process(struct plugin *p, uint64_t now)
{
	grpc_channel *chan = p->chan;

	read_stream(p, &p->out_fd, &p->out, "stdout", now);
	read_stream(p, &p->err_fd, &p->err, "stderr", now);
	close_fd(p, &p->out_fd);
	close_fd(p, &p->err_fd);
	/* Anything left in its process group (a grandchild holding the
	 * port or the pipes) goes with it. */
	proc_signal_group(p->pid, SIGKILL);
	rpc_cancel(p->sv->rpc, cookie_of(p));
	p->chan = NULL;
	if (p->sockpath[0] != '\0')
		unlink(p->sockpath);
	p->sockpath[0] = '\0';
	p->pid = 0;
	p->port = 0;
	p->connected = p->stopping = false;
	p->init_inflight = p->check_inflight = false;
	p->init_retry_ms = 0;
	return chan;
}

static void
swap_manifest(struct plugin *p, uint64_t now)
{
	manifest_free(&p->m);
	p->m = p->next;
	memset(&p->next, 0, sizeof(p->next));
	snprintf(p->fp, sizeof(p->fp), "%s", p->next_fp);
	p->has_next = false;
	p->removing = false;
	probe_copy_text(p->version, sizeof(p->version), p->m.version);
	probe_copy_text(p->description, sizeof(p->description),
	    p->m.description);
	log_info("plugin manifest changed; starting new version",
	    "plugin=%s", p->m.name);
	plugin_start(p, now);
}

void
plugin_on_exit(struct plugin *p, int status, uint64_t now)
{
	char how[96];
	bool expected = p->stopping;
	grpc_channel *chan;

	proc_describe_status(status, how, sizeof(how));
	log_event(expected ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "plugin exited",
	    "plugin=%s pid=%d status=%s expected=%s", p->m.name, (int)p->pid,
	    how, expected ? "yes" : "no");
	p->exited = true;
	p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	p->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	/* After fail_start() the message keeps its reason, not our SIGKILL. */
	if (!expected && !p->start_failed)
		snprintf(p->message, sizeof(p->message), "process %s", how);
	chan = forget_process(p, now);
	step(p, FSM_EV_EXITED, 0, now);		/* publishes */
	if (chan != NULL)
		grpc_channel_destroy(chan);
	if (p->has_next)
		swap_manifest(p, now);
}

void
plugin_on_timer(struct plugin *p, uint64_t now)
{
	uint32_t before = p->fsm.state;
	struct fsm_event ev = { .type = FSM_EV_TICK,
	    .jitter_permille = jitter() };
	unsigned act;

	act = fsm_step(&p->fsm, &p->m.health, &ev, now);
	if (p->fsm.state != before)
		note_state(p, before);
	apply(p, act, now);
	if (act != 0 || p->fsm.state != before)
		publish(p);
	if (p->spawn_due)
		spawn(p, now);
	escalate(p, now);
	if (p->init_retry_ms != 0 && now >= p->init_retry_ms && p->pid != 0 &&
	    !p->stopping && p->chan != NULL)
		send_initialize(p, now);
	maybe_check(p, now);
}

static uint64_t
min_nonzero(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	return b < a ? b : a;
}

uint64_t
plugin_next_wakeup(const struct plugin *p)
{
	uint64_t t = UINT64_MAX;

	if (p->spawn_due)
		return 0;
	t = min_nonzero(t, fsm_next_deadline(&p->fsm, &p->m.health));
	if (p->stopping && p->pid != 0) {
		if (!p->term_sent)
			t = min_nonzero(t, p->term_at_ms);
		if (!p->kill_sent)
			t = min_nonzero(t, p->kill_at_ms);
	}
	t = min_nonzero(t, p->init_retry_ms);
	if (fsm_wants_checks(&p->fsm) && p->chan != NULL)
		t = min_nonzero(t, p->next_check_ms ? p->next_check_ms : 1);
	return t;
}

void
plugin_replace(struct plugin *p, struct manifest *m, const char *fp,
    uint64_t now)
{
	if (p->has_next)
		manifest_free(&p->next);
	p->next = *m;
	memset(m, 0, sizeof(*m));
	snprintf(p->next_fp, sizeof(p->next_fp), "%s", fp);
	p->has_next = true;
	if (p->pid == 0) {
		swap_manifest(p, now);
		return;
	}
	step(p, FSM_EV_SHUTDOWN, 0, now);
}

void
plugin_set_health(struct plugin *p, const struct health_config *h)
{
	p->m.health = *h;
}

/* --- control requests --------------------------------------------------- */

static unsigned
manual_recent(const struct plugin *p, uint64_t now, uint64_t *oldest)
{
	unsigned n = 0;

	*oldest = UINT64_MAX;
	for (unsigned i = 0; i < MANUAL_HISTORY; i++) {
		uint64_t t = p->manual_ms[i];
		if (t != 0 && now - t < 60000) {
			n++;
			if (t < *oldest)
				*oldest = t;
		}
	}
	return n;
}

uint32_t
plugin_manual_restart(struct plugin *p, uint64_t now, uint32_t *retry_after,
    char *msg, size_t msglen)
{
	uint32_t limit = p->sv->cfg.supervisor.restarts_per_minute;
	uint64_t oldest;

	*retry_after = 0;
	if (p->removing || p->has_next || p->sv->terminating) {
		snprintf(msg, msglen, "plugin is being stopped");
		return VIGIL_CTL_ERROR;
	}
	if (p->manual_pending) {
		snprintf(msg, msglen, "restart already in progress");
		return VIGIL_CTL_IN_PROGRESS;
	}
	if (manual_recent(p, now, &oldest) >= limit) {
		*retry_after = (uint32_t)((oldest + 60000 - now + 999) / 1000);
		snprintf(msg, msglen, "at most %u restarts per minute", limit);
		return VIGIL_CTL_RATE_LIMITED;
	}
	p->manual_ms[p->manual_head++ % MANUAL_HISTORY] = now;
	p->manual_pending = true;
	step(p, FSM_EV_MANUAL_RESTART, 0, now);
	snprintf(msg, msglen, "restart of %s accepted", p->m.name);
	return VIGIL_CTL_ACCEPTED;
}

static void
on_demo(struct rpc_call *c, uint64_t cookie)
{
	struct plugin *p = from_cookie(cookie);

	log_info("simulation finished", "plugin=%s status=%s",
	    p != NULL ? p->m.name : "?", rpc_status_name(rpc_call_status(c)));
}

static uint32_t
demo_ready(struct plugin *p, char *msg, size_t msglen)
{
	if (!p->sv->cfg.supervisor.demo) {
		snprintf(msg, msglen, "simulation is off: start the supervisor "
		    "with [supervisor] demo = true");
		return VIGIL_CTL_REFUSED;
	}
	if (p->pid == 0 || p->chan == NULL || !p->connected) {
		snprintf(msg, msglen, "plugin is not running");
		return VIGIL_CTL_ERROR;
	}
	return VIGIL_CTL_ACCEPTED;
}

uint32_t
plugin_simulate(struct plugin *p, const char *fault, uint32_t arg, char *msg,
    size_t msglen)
{
	static const char *const faults[] = { "crash", "hang", "slow",
	    "degraded", "unhealthy", "recover", NULL };
	uint32_t st;
	int known = 0;

	for (int i = 0; faults[i] != NULL; i++)
		known |= strcmp(fault, faults[i]) == 0;
	if (!known) {
		snprintf(msg, msglen, "unknown fault; one of crash, hang, "
		    "slow, degraded, unhealthy, recover");
		return VIGIL_CTL_BAD_REQUEST;
	}
	if ((st = demo_ready(p, msg, msglen)) != VIGIL_CTL_ACCEPTED)
		return st;
	if (probe_send_inject(p->sv->rpc, p->chan, fault, arg, on_demo,
	    cookie_of(p)) == -1) {
		snprintf(msg, msglen, "could not start the call");
		return VIGIL_CTL_ERROR;
	}
	log_info("simulating fault", "plugin=%s fault=%s", p->m.name, fault);
	snprintf(msg, msglen, "fault %s sent to %s", fault, p->m.name);
	return VIGIL_CTL_ACCEPTED;
}

uint32_t
plugin_load(struct plugin *p, uint32_t requests, char *msg, size_t msglen)
{
	uint32_t st;

	if (requests == 0 || requests > 1000000) {
		snprintf(msg, msglen, "requests must be 1..1000000");
		return VIGIL_CTL_BAD_REQUEST;
	}
	if ((st = demo_ready(p, msg, msglen)) != VIGIL_CTL_ACCEPTED)
		return st;
	if (probe_send_load(p->sv->rpc, p->chan, requests, 30000, on_demo,
	    cookie_of(p)) == -1) {
		snprintf(msg, msglen, "could not start the call");
		return VIGIL_CTL_ERROR;
	}
	snprintf(msg, msglen, "%u requests sent to %s", requests, p->m.name);
	return VIGIL_CTL_ACCEPTED;
}

/* --- record and accessors ----------------------------------------------- */

static int64_t
mono_to_real_us(uint64_t mono_ms)
{
	uint64_t now = time_mono_ms();

	if (mono_ms == 0)
		return 0;
	return time_real_us() + ((int64_t)mono_ms - (int64_t)now) * 1000;
}

static uint32_t
record_flags(const struct plugin *p)
{
	uint32_t f = VIGIL_REC_IN_USE;

	if (fsm_available(&p->fsm))
		f |= VIGIL_REC_HEALTHY;
	if (p->connected)
		f |= VIGIL_REC_CONNECTED;
	if (p->m.required)
		f |= VIGIL_REC_REQUIRED;
	if (p->exited && p->pid == 0)
		f |= VIGIL_REC_EXITED;
	return f;
}

static void
publish(struct plugin *p)
{
	struct vigil_record r;

	memset(&r, 0, sizeof(r));
	probe_copy_text(r.name, sizeof(r.name), p->m.name);
	memcpy(r.version, p->version, sizeof(r.version));
	memcpy(r.description, p->description, sizeof(r.description));
	probe_copy_text(r.executable, sizeof(r.executable), p->m.executable);
	memcpy(r.message, p->message, sizeof(r.message));
	memcpy(r.details, p->details, sizeof(r.details));
	r.state = p->fsm.state;
	r.flags = record_flags(p);
	r.pid = p->pid;
	r.protocol = p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN ?
	    VIGIL_PROTO_GOPLUGIN : VIGIL_PROTO_HKP;
	r.consecutive_failures = p->fsm.consecutive_failures;
	r.consecutive_successes = p->fsm.consecutive_successes;
	r.restart_count = p->fsm.restart_count;
	r.restarts_last_hour = fsm_restarts_last_hour(&p->fsm, time_mono_ms());
	/* The last exit stays visible after the restart that follows it. */
	r.last_exit_code = p->exit_code;
	r.last_exit_signal = p->exit_signal;
	r.last_check_us = p->last_check_us;
	r.last_healthy_us = p->last_healthy_us;
	r.last_state_change_us = p->state_change_us;
	r.next_restart_us = mono_to_real_us(p->fsm.next_restart_ms);
	r.started_us = p->pid != 0 ? p->started_us : 0;
	r.last_response_us = p->last_response_us;
	r.avg_response_us = p->avg_response_us;
	r.total_checks = p->total_checks;
	r.total_failures = p->total_failures;
	r.total_restarts = p->fsm.total_restarts;
	r.check_interval_us = p->m.health.check_interval_ms * 1000;
	shmstate_publish(p->sv->shm, p->slot, &r);
}

void
plugin_publish(struct plugin *p)
{
	publish(p);
}

const char *
plugin_name(const struct plugin *p)
{
	return p->m.name;
}

const char *
plugin_fingerprint(const struct plugin *p)
{
	return p->has_next ? p->next_fp : p->fp;
}

uint32_t
plugin_id(const struct plugin *p)
{
	return p->id;
}

pid_t
plugin_pid(const struct plugin *p)
{
	return p->pid;
}

int
plugin_port(const struct plugin *p)
{
	return p->port;
}

uint32_t
plugin_state(const struct plugin *p)
{
	return p->fsm.state;
}

uint64_t
plugin_stop_timeout_ms(const struct plugin *p)
{
	return p->m.health.stop_timeout_ms;
}

bool
plugin_finished(const struct plugin *p)
{
	return p->removing && !p->has_next && p->pid == 0;
}

bool
plugin_started_once(const struct plugin *p)
{
	return p->started_once;
}
