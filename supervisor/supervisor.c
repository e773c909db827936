/* The supervisor's event loop: signals, gRPC results, control, timers. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"
#include "discover.h"
#include "log.h"
#include "notify.h"
#include "plugin.h"
#include "rpc.h"
#include "shmstate.h"
#include "supervisor.h"
#include "timeutil.h"

#define HEARTBEAT_MS	250
#define TERM_GRACE_MS	2000	/* beyond the longest stop_timeout */

/* --- plugin table ------------------------------------------------------- */

/* Appends; plugin ids only grow, so the table stays sorted by id. */
int
sv_add(struct sv *sv, struct plugin *p)
{
	struct plugin **np;

	if (sv->nplugins == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		if ((np = reallocarray(sv->plugins, cap, sizeof(*np))) == NULL)
			return -1;
		sv->plugins = np;
		sv->cap = cap;
	}
	sv->plugins[sv->nplugins++] = p;
	return 0;
}

/* Keeps the table in creation order, hence sorted by id (sv_find_id). */
void
sv_remove(struct sv *sv, struct plugin *p)
{
	for (size_t i = 0; i < sv->nplugins; i++) {
		if (sv->plugins[i] == p) {
			memmove(sv->plugins + i, sv->plugins + i + 1,
			    (sv->nplugins - i - 1) * sizeof(*sv->plugins));
			sv->nplugins--;
			return;
		}
	}
}

struct plugin *
sv_find(const struct sv *sv, const char *name)
{
	for (size_t i = 0; i < sv->nplugins; i++)
		if (strcmp(plugin_name(sv->plugins[i]), name) == 0)
			return sv->plugins[i];
	return NULL;
}

struct plugin *
sv_find_pid(const struct sv *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->nplugins; i++)
		if (plugin_pid(sv->plugins[i]) == pid)
			return sv->plugins[i];
	return NULL;
}

/* Every gRPC completion is matched by id: a binary search of the table. */
struct plugin *
sv_find_id(const struct sv *sv, uint32_t id)
{
	size_t lo = 0, hi = sv->nplugins;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t m = plugin_id(sv->plugins[mid]);

		if (m == id)
			return sv->plugins[mid];
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool
sv_port_in_use(const struct sv *sv, int port)
{
	for (size_t i = 0; i < sv->nplugins; i++)
		if (plugin_port(sv->plugins[i]) == port)
			return true;
	return false;
}

/* --- plugins from manifests --------------------------------------------- */

static void
add_plugin(struct sv *sv, struct found *f, uint64_t now)
{
	struct plugin *p;
	char err[256];

	p = plugin_create(sv, &f->m, f->fingerprint, err, sizeof(err));
	if (p == NULL || sv_add(sv, p) == -1) {
		log_error("cannot add plugin", "plugin=%s error=%s",
		    f->m.name != NULL ? f->m.name : "?",
		    p == NULL ? err : "out of memory");
		plugin_destroy(p);
		return;
	}
	plugin_start(p, now);
}

static bool
listed(const struct found *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].m.name != NULL && strcmp(f[i].m.name, name) == 0)
			return true;
	return false;
}

/* Start new plugins, restart changed ones, stop removed ones. */
static void
apply_manifests(struct sv *sv, struct found *f, size_t n, uint64_t now)
{
	struct plugin *p;

	for (size_t i = 0; i < sv->nplugins; i++) {
		p = sv->plugins[i];
		if (!listed(f, n, plugin_name(p)) && !plugin_finished(p)) {
			log_info("plugin removed from configuration",
			    "plugin=%s", plugin_name(p));
			plugin_shutdown(p, now);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if ((p = sv_find(sv, f[i].m.name)) == NULL)
			add_plugin(sv, &f[i], now);
		else if (strcmp(plugin_fingerprint(p), f[i].fingerprint) != 0)
			plugin_replace(p, &f[i].m, f[i].fingerprint, now);
		else
			plugin_set_health(p, &f[i].m.health);
	}
}

static int
load_plugins(struct sv *sv, uint64_t now)
{
	struct found *f;
	size_t n, nbad;

	if (discover_plugins(&sv->cfg, sv->root, &f, &n, &nbad) == -1)
		return -1;
	log_info("plugins discovered", "dir=%s ok=%zu skipped=%zu",
	    sv->cfg.supervisor.plugin_dir, n, nbad);
	apply_manifests(sv, f, n, now);
	discover_free(f, n);
	return 0;
}

/* Settings that need a new supervisor keep their old values on reload. */
static void
keep_fixed(struct vigil_config *nc, struct vigil_config *old)
{
	struct supervisor_config tmp;

	if (strcmp(nc->supervisor.shm_name, old->supervisor.shm_name) != 0 ||
	    strcmp(nc->supervisor.control_socket,
	    old->supervisor.control_socket) != 0 ||
	    strcmp(nc->supervisor.runtime_dir,
	    old->supervisor.runtime_dir) != 0 ||
	    nc->supervisor.max_plugins != old->supervisor.max_plugins)
		log_warn("shm_name, control_socket, runtime_dir and "
		    "max_plugins change only on restart", "");
	tmp = nc->supervisor;
	nc->supervisor.shm_name = old->supervisor.shm_name;
	nc->supervisor.control_socket = old->supervisor.control_socket;
	nc->supervisor.runtime_dir = old->supervisor.runtime_dir;
	nc->supervisor.max_plugins = old->supervisor.max_plugins;
	old->supervisor.shm_name = tmp.shm_name;
	old->supervisor.control_socket = tmp.control_socket;
	old->supervisor.runtime_dir = tmp.runtime_dir;
}

static void
reload(struct sv *sv, uint64_t now)
{
	struct vigil_config nc;
	char err[512];

	log_info("reloading configuration", "config=%s", sv->config_path);
	if (config_load(sv->config_path, &nc, err, sizeof(err)) == -1) {
		log_error("reload failed; keeping the running configuration",
		    "error=%s", err);
		return;
	}
	keep_fixed(&nc, &sv->cfg);
	config_free(&sv->cfg);
	sv->cfg = nc;
	log_set_level(sv->cfg.logging.level);
	log_set_format(sv->cfg.logging.format);
	if (load_plugins(sv, now) == -1)
		log_error("reload: plugin_dir unreadable; plugins unchanged",
		    "");
}

/* --- control requests --------------------------------------------------- */

static uint32_t
dispatch_request(struct sv *sv, const struct vigil_ctl_request *req,
    uint32_t *retry, char *msg, size_t len)
{
	struct plugin *p;
	uint64_t now = time_mono_ms();

	if (req->type == VIGIL_CTL_PING) {
		snprintf(msg, len, "pong");
		return VIGIL_CTL_ACCEPTED;
	}
	if ((p = sv_find(sv, req->plugin)) == NULL || plugin_finished(p)) {
		snprintf(msg, len, "unknown plugin");
		return VIGIL_CTL_UNKNOWN_PLUGIN;
	}
	switch (req->type) {
	case VIGIL_CTL_RESTART:
		return plugin_manual_restart(p, now, retry, msg, len);
	case VIGIL_CTL_SIMULATE:
		return plugin_simulate(p, req->action, req->arg, msg, len);
	case VIGIL_CTL_LOAD:
		return plugin_load(p, req->arg, msg, len);
	default:
		snprintf(msg, len, "unknown request");
		return VIGIL_CTL_BAD_REQUEST;
	}
}

static void
on_request(void *arg, const struct vigil_ctl_request *req,
    const struct ctl_peer *peer, struct vigil_ctl_response *resp)
{
	struct sv *sv = arg;
	char msg[VIGIL_CTL_MESSAGE_LEN];
	uint32_t retry = 0, st;

	st = dispatch_request(sv, req, &retry, msg, sizeof(msg));
	if (req->type != VIGIL_CTL_PING)
		log_info("audit: control request", "type=%s plugin=%s "
		    "action=%s peer_uid=%u peer_pid=%d client=%s principal=%s "
		    "outcome=%s message=%s", ctlmsg_type_name(req->type),
		    req->plugin, req->action, (unsigned)peer->uid,
		    (int)peer->pid, req->client, req->principal,
		    ctlmsg_status_name(st), msg);
	ctlmsg_init_response(resp, st, retry, msg);
}

/* --- signals ------------------------------------------------------------ */

static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

int
supervisor_block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal_set(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

static int
signals_open(void)
{
	sigset_t set;

	signal_set(&set);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void
reap(struct sv *sv, uint64_t now)
{
	struct plugin *p;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((p = sv_find_pid(sv, pid)) != NULL)
			plugin_on_exit(p, status, now);
		else
			log_debug("reaped orphan", "pid=%d", (int)pid);
	}
}

static void
terminate(struct sv *sv, uint64_t now, const char *why)
{
	uint64_t longest = 0;

	if (sv->terminating)
		return;
	log_info("stopping all plugins", "reason=%s", why);
	notify_stopping();
	sv->terminating = true;
	for (size_t i = 0; i < sv->nplugins; i++) {
		plugin_shutdown(sv->plugins[i], now);
		if (plugin_stop_timeout_ms(sv->plugins[i]) > longest)
			longest = plugin_stop_timeout_ms(sv->plugins[i]);
	}
	sv->terminate_deadline_ms = now + longest + TERM_GRACE_MS;
}

static void
read_signals(struct sv *sv, int fd, uint64_t now)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			break;		/* reaped below, every time */
		case SIGHUP:
			if (!sv->terminating)
				reload(sv, now);
			break;
		default:
			terminate(sv, now, strsignal((int)si.ssi_signo));
			break;
		}
	}
	reap(sv, now);
}

/* --- the loop ----------------------------------------------------------- */

/*
 * What the loop polls: signals, gRPC completions, the epoll set holding
 * every plugin's output pipes, and the control socket with its clients.
 * A fixed handful whatever the number of plugins.
 */
#define PS_SIG		0
#define PS_RPC		1
#define PS_OUTPUT	2
#define PS_CTL		3

struct pollset {
	struct pollfd	fds[PS_CTL + 1 + CTL_MAX_CLIENTS];
	int		n;
	int		nctl;
};

static void
pollset_build(struct pollset *ps, const struct sv *sv, int sigfd)
{
	ps->fds[PS_SIG] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	ps->fds[PS_RPC] = (struct pollfd){ .fd = rpc_fd(sv->rpc),
	    .events = POLLIN };
	ps->fds[PS_OUTPUT] = (struct pollfd){ .fd = sv->epfd,
	    .events = POLLIN };
	ps->nctl = ctl_pollfds(sv->ctl, ps->fds + PS_CTL, 1 + CTL_MAX_CLIENTS);
	ps->n = PS_CTL + ps->nctl;
}

/* Plugin output that is ready; each fd goes to the plugin that owns it. */
static void
read_output(struct sv *sv, uint64_t now)
{
	struct epoll_event ev[64];
	int n;

	if ((n = epoll_wait(sv->epfd, ev, 64, 0)) <= 0)
		return;
	for (int i = 0; i < n; i++)
		/* Owners are looked up, not remembered: a reload may just
		 * have removed one. Output is rare; the scan is cheap. */
		for (size_t k = 0; k < sv->nplugins; k++)
			plugin_on_output(sv->plugins[k], ev[i].data.fd, now);
}

/*
 * Run the plugin timers that are due and return the earliest one still
 * pending: one pass over the plugins per loop iteration.
 */
static uint64_t
run_timers(struct sv *sv, uint64_t now)
{
	uint64_t t = UINT64_MAX, w;

	for (size_t i = 0; i < sv->nplugins; i++) {
		if ((w = plugin_next_wakeup(sv->plugins[i])) <= now) {
			plugin_on_timer(sv->plugins[i], now);
			w = plugin_next_wakeup(sv->plugins[i]);
		}
		if (w < t)
			t = w;
	}
	ctl_expire(sv->ctl, now);
	return t;
}

static uint64_t
next_wakeup(const struct sv *sv, uint64_t now, uint64_t plugins_at,
    uint64_t beat_at)
{
	uint64_t t = beat_at < plugins_at ? beat_at : plugins_at, w;

	if ((w = ctl_next_deadline(sv->ctl)) < t)
		t = w;
	if (sv->terminating && sv->terminate_deadline_ms < t)
		t = sv->terminate_deadline_ms;
	return t > now ? t : now;
}

static void
sweep_finished(struct sv *sv)
{
	for (size_t i = 0; i < sv->nplugins; ) {
		struct plugin *p = sv->plugins[i];
		if (plugin_finished(p) && !sv->terminating) {
			log_info("plugin removed", "plugin=%s", plugin_name(p));
			sv_remove(sv, p);
			plugin_destroy(p);
		} else
			i++;
	}
}

static bool
all_stopped(const struct sv *sv)
{
	for (size_t i = 0; i < sv->nplugins; i++)
		if (plugin_pid(sv->plugins[i]) != 0)
			return false;
	return true;
}

static void
heartbeat(struct sv *sv, uint64_t *beat_at, uint64_t now)
{
	int rc;

	if (now < *beat_at)
		return;
	if ((rc = shmstate_check(sv->shm)) != 0) {
		log_warn("shared memory segment was damaged or removed",
		    "action=%s", rc == 1 ? "repaired" : "repair failed");
		for (size_t i = 0; rc == 1 && i < sv->nplugins; i++)
			plugin_publish(sv->plugins[i]);
	}
	shmstate_heartbeat(sv->shm, time_mono_ns(), time_real_us());
	notify_watchdog();
	*beat_at = now + HEARTBEAT_MS;
}

static void
handle_events(struct sv *sv, struct pollset *ps, uint64_t now)
{
	if (ps->fds[PS_SIG].revents)
		read_signals(sv, ps->fds[PS_SIG].fd, now);
	if (ps->fds[PS_RPC].revents)
		rpc_dispatch(sv->rpc);
	ctl_handle(sv->ctl, ps->fds + PS_CTL, ps->nctl, now, on_request, sv);
	if (ps->fds[PS_OUTPUT].revents)
		read_output(sv, now);
}

static void
kill_leftovers(struct sv *sv)
{
	for (size_t i = 0; i < sv->nplugins; i++) {
		pid_t pid = plugin_pid(sv->plugins[i]);
		if (pid != 0) {
			log_error("plugin still running at exit; killing it",
			    "plugin=%s pid=%d", plugin_name(sv->plugins[i]),
			    (int)pid);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
				;
		}
	}
}

int
supervisor_run(struct sv *sv)
{
	struct pollset ps;
	uint64_t now = time_mono_ms(), beat_at = 0, plugins_at = 0, wake;
	int sigfd, rc = EXIT_OK;

	if ((sigfd = signals_open()) == -1) {
		log_error("signalfd failed", "error=%s", strerror(errno));
		return EXIT_RUNTIME;
	}
	/* Orphaned grandchildren of plugins are reparented to us and reaped. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	heartbeat(sv, &beat_at, now);
	if (load_plugins(sv, now) == -1)
		log_warn("starting with no plugins", "");
	shmstate_set_flags(sv->shm, VIGIL_SHM_F_READY |
	    (sv->cfg.supervisor.demo ? VIGIL_SHM_F_DEMO : 0), 0);
	notify_ready();
	for (;;) {
		if (sv->terminating && all_stopped(sv))
			break;
		if (sv->terminating && now >= sv->terminate_deadline_ms) {
			kill_leftovers(sv);
			break;
		}
		pollset_build(&ps, sv, sigfd);
		wake = next_wakeup(sv, now, plugins_at, beat_at);
		if (poll(ps.fds, (nfds_t)ps.n, (int)(wake - now)) == -1 &&
		    errno != EINTR) {
			log_error("poll failed", "error=%s", strerror(errno));
			rc = EXIT_RUNTIME;
			break;
		}
		now = time_mono_ms();
		handle_events(sv, &ps, now);
		/* Nothing below changes a plugin's timers until the poll. */
		plugins_at = run_timers(sv, now);
		sweep_finished(sv);
		heartbeat(sv, &beat_at, now);
	}
	for (size_t i = 0; i < sv->nplugins; i++)
		plugin_destroy(sv->plugins[i]);
	free(sv->plugins);
	sv->plugins = NULL;
	sv->nplugins = 0;
	close(sigfd);
	return rc;
}
