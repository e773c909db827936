/* vigil-apiserver: the unprivileged HTTP frontend to Vigil's plugin state. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "privdrop.h"
#include "routes.h"
#include "server.h"

#ifndef VIGIL_SHAREDIR
#define VIGIL_SHAREDIR	"/usr/local/share/vigil"
#endif

#define EXIT_CONFIG	1
#define EXIT_RUNTIME	2
#define CTL_TIMEOUT_MS	3000

struct options {
	const char	*config;
	const char	*listen;
	int		 log_level;	/* -1: from the config file */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: vigil-apiserver [--config FILE] [--listen ADDR:PORT]\n"
	    "                       [--log-level LEVEL] [--version] [--help]\n"
	    "\n"
	    "Serve Vigil's health, probe, management and metrics endpoints.\n"
	    "\n"
	    "  --config FILE      the vigil.toml shared with the supervisor\n"
	    "                     (default: built-in defaults)\n"
	    "  --listen ADDR:PORT IPv4 address and port, overrides [api] "
	    "listen\n"
	    "                     (default 0.0.0.0:11371)\n"
	    "  --log-level LEVEL  debug, info, warn or error\n"
	    "  --version          print the version and exit\n"
	    "  --help             print this help and exit\n"
	    "\n"
	    "Started as root it binds, then switches to [api] user (default\n"
	    "\"vigil\") before serving. SIGTERM or SIGINT stops it.\n"
	    "\n"
	    "Exit status: 0 clean stop, 1 usage or configuration error,\n"
	    "2 runtime failure (cannot listen, cannot drop privileges).\n");
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "listen",	required_argument, NULL, 'l' },
		{ "log-level",	required_argument, NULL, 'L' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	*o = (struct options){ .log_level = -1 };
	while ((ch = getopt_long(argc, argv, "c:l:L:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'L':
			if ((o->log_level = log_level_parse(optarg)) == -1) {
				fprintf(stderr, "vigil-apiserver: bad log level "
				    "\"%s\"\n", optarg);
				exit(EXIT_CONFIG);
			}
			break;
		case 'V': printf("vigil-apiserver %s\n", VIGIL_VERSION);
			exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_CONFIG);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EXIT_CONFIG);
	}
}

/* CivetWeb (as packaged) speaks IPv4 only: "A.B.C.D:PORT", port 1-65535. */
static int
valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(addr))
		return 0;
	memcpy(addr, s, (size_t)(colon - s));
	addr[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	return inet_pton(AF_INET, addr, &in) == 1 && colon[1] != '\0' &&
	    *end == '\0' && port >= 1 && port <= 65535;
}

static void
load_config(const struct options *o, struct vigil_config *cfg)
{
	char err[512];

	/* config_load starts from the defaults itself. */
	if (o->config == NULL)
		config_defaults(cfg);
	else if (config_load(o->config, cfg, err, sizeof(err)) == -1)
		fatalx(EXIT_CONFIG, "configuration error", "error=%s", err);
	log_set_format(cfg->logging.format);
	log_set_level(o->log_level != -1 ? o->log_level : cfg->logging.level);
	if (o->listen != NULL) {
		free(cfg->api.listen);
		if ((cfg->api.listen = strdup(o->listen)) == NULL)
			fatalx(EXIT_RUNTIME, "out of memory", "%s", "");
	}
	if (!valid_listen(cfg->api.listen))
		fatalx(EXIT_CONFIG, "invalid listen address",
		    "listen=%s expected=A.B.C.D:PORT", cfg->api.listen);
	if (cfg->api.threads == 0)
		fatalx(EXIT_CONFIG, "invalid configuration",
		    "error=%s", "[api] threads must be at least 1");
}

/*
 * [api] scheduling = "batch" (docs/API.md, "CPU scheduling"): a worker
 * woken by a request does not preempt what runs on that CPU (the daemons
 * Vigil watches, or the client); it runs at the next scheduling point,
 * with the same share of CPU as before. Set on the main thread before
 * CivetWeb starts its threads, which inherit it. Not fatal: a service
 * manager may forbid the call (systemd's @resources) and set the policy
 * itself (CPUSchedulingPolicy=batch in our unit).
 */
static void
set_scheduling(const struct vigil_config *cfg)
{
	const struct sched_param sp = { .sched_priority = 0 };

	if (cfg->api.scheduling != API_SCHED_BATCH ||
	    sched_getscheduler(0) == SCHED_BATCH)
		return;
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == -1)
		log_warn("cannot set the CPU scheduling policy",
		    "policy=batch error=%s hint=%s", strerror(errno),
		    "let the service manager set it, or set [api] scheduling "
		    "= inherit");
}

/* Read the token (it may be readable by root only) and the allowlist. */
static struct auth *
setup_auth(const struct vigil_config *cfg)
{
	struct auth_settings as = {
		.token_file = cfg->api.token_file,
		.allow = cfg->api.allow,
		.rate_per_minute = cfg->api.rate_limit_per_minute,
	};
	char err[512];
	struct auth *a;

	if ((a = auth_new(&as, err, sizeof(err))) == NULL)
		fatalx(EXIT_CONFIG, "authentication setup failed", "error=%s",
		    err);
	if (!auth_token_required(a))
		log_warn("management endpoints are not authenticated",
		    "hint=%s", "set [api] token_file");
	return a;
}

static void
fill_api(const struct vigil_config *cfg, struct auth *auth, struct api *api)
{
	const char *www = cfg->api.www_dir;

	*api = (struct api){
		.ctl_path = cfg->supervisor.control_socket,
		.heartbeat_timeout_ms = cfg->api.heartbeat_timeout_ms,
		.ctl_timeout_ms = cfg->api.request_timeout_ms < CTL_TIMEOUT_MS ?
		    (int)cfg->api.request_timeout_ms : CTL_TIMEOUT_MS,
		.auth_probes = cfg->api.auth_probes,
		.dashboard = cfg->api.dashboard,
		.www_dir = www != NULL && www[0] != '\0' ? www :
		    VIGIL_SHAREDIR "/www",
		.auth = auth,
	};
	/* Without it every answer is rendered fresh: slower, same bytes. */
	if ((api->memo = memo_new()) == NULL)
		log_warn("answers are not memoized", "error=%s", "out of memory");
}

/* Drop root before the first request is served; never serve as root. */
static void
drop_privileges(const struct vigil_config *cfg)
{
	char err[256];

	switch (privdrop_to_user(cfg->api.user, err, sizeof(err))) {
	case PRIVDROP_DONE:
		log_info("dropped privileges", "user=%s uid=%d gid=%d",
		    cfg->api.user, (int)getuid(), (int)getgid());
		return;
	case PRIVDROP_NOT_ROOT:
		log_info("not running as root, privilege dropping off",
		    "uid=%d", (int)getuid());
		return;
	case PRIVDROP_NO_USER:
		/* _exit: worker threads are parked at the gate; do not join. */
		log_error("cannot drop privileges", "error=%s", err);
		_exit(EXIT_CONFIG);
	default:
		log_error("cannot drop privileges", "error=%s", err);
		_exit(EXIT_RUNTIME);
	}
}

/* The main thread's loop: wait for a stop signal. */
static void
wait_for_signal(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP ignored", "hint=%s",
			    "restart the apiserver to reload its config");
			continue;
		}
		log_info("stopping", "signal=%d", sig);
		return;
	}
}

int
main(int argc, char **argv)
{
	struct server_settings ss;
	struct vigil_config cfg;
	struct options opts;
	struct server *srv;
	struct auth *auth;
	struct api api;
	sigset_t set;
	char err[256];

	log_init("apiserver", LOG_LEVEL_INFO, LOG_FORMAT_LOGFMT);
	parse_args(argc, argv, &opts);
	load_config(&opts, &cfg);
	auth = setup_auth(&cfg);
	fill_api(&cfg, auth, &api);
	/* Threads started by CivetWeb inherit this mask; main sigwaits. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	set_scheduling(&cfg);
	ss = (struct server_settings){
		.listen = cfg.api.listen, .shm_name = cfg.supervisor.shm_name,
		.threads = cfg.api.threads,
		.request_timeout_ms = cfg.api.request_timeout_ms, .api = &api,
	};
	if ((srv = server_start(&ss, err, sizeof(err))) == NULL)
		fatalx(EXIT_RUNTIME, "cannot start HTTP server", "error=%s", err);
	drop_privileges(&cfg);
	server_serve(srv);
	log_info("serving", "listen=%s shm=%s control=%s threads=%u auth=%s",
	    cfg.api.listen, cfg.supervisor.shm_name, api.ctl_path,
	    cfg.api.threads, auth_token_required(auth) ? "token" : "off");
	wait_for_signal(&set);
	server_stop(srv);
	memo_free(api.memo);
	auth_free(auth);
	config_free(&cfg);
	return 0;
}
