/* vigil-supervisor: start-up, privileges, and tear-down around the loop. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"
#include "discover.h"
#include "log.h"
#include "rpc.h"
#include "shmstate.h"
#include "supervisor.h"

#define DEFAULT_CONFIG	"/etc/vigil/vigil.toml"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vigil-supervisor [--config FILE] [--check-config] [--log-level LEVEL]\n"
"                        [--version] [--help]\n"
"\n"
"Runs the plugins found in [supervisor] plugin_dir, checks their health over\n"
"gRPC, restarts them with backoff and publishes their state in shared memory.\n"
"Runs in the foreground; SIGTERM or SIGINT stops every plugin and exits,\n"
"SIGHUP re-reads the configuration and the manifests.\n"
"\n"
"  --config FILE      configuration file (default " DEFAULT_CONFIG ")\n"
"  --check-config     validate the configuration and every manifest, exit\n"
"  --log-level LEVEL  debug, info, warn or error (overrides [logging] level)\n"
"  --version          print the version and exit\n"
"  --help             print this help and exit\n"
"\n"
"Exit status: 0 clean stop, 1 configuration or usage error,\n"
"2 runtime failure (segment, socket, another supervisor running).\n");
}

struct options {
	const char	*config;
	int		 check;
	int		 level;
};

static void
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->config = DEFAULT_CONFIG;
	o->check = 0;
	o->level = -1;
	while ((ch = getopt_long(argc, argv, "c:l:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = 1; break;
		case 'l':
			if ((o->level = log_level_parse(optarg)) == -1) {
				fprintf(stderr, "vigil-supervisor: bad log level "
				    "'%s'\n", optarg);
				exit(EXIT_CONFIG);
			}
			break;
		case 'V': printf("vigil-supervisor %s\n", VIGIL_VERSION);
			exit(EXIT_OK);
		case 'h': usage(stdout); exit(EXIT_OK);
		default: usage(stderr); exit(EXIT_CONFIG);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EXIT_CONFIG);
	}
}

/* --check-config: the config and every manifest must be valid. */
static int
check_config(struct sv *sv)
{
	struct found *f;
	size_t n, nbad;

	if (discover_plugins(&sv->cfg, geteuid() == 0, &f, &n, &nbad) == -1)
		return EXIT_CONFIG;
	discover_free(f, n);
	printf("%s: configuration ok, %zu plugin(s) valid, %zu invalid\n",
	    sv->config_path, n, nbad);
	return nbad == 0 ? EXIT_OK : EXIT_CONFIG;
}

/* Look up the users Vigil needs when it runs as root. */
static void
resolve_users(struct sv *sv)
{
	struct passwd *pw;
	char err[256];

	sv->root = geteuid() == 0;
	if (!sv->root) {
		log_info("running unprivileged: plugins run as this user; "
		    "per-plugin users and the socket group are off",
		    "uid=%u", (unsigned)geteuid());
		return;
	}
	if (proc_lookup_user(sv->cfg.supervisor.plugin_user, NULL,
	    &sv->default_user, err, sizeof(err)) == 0)
		sv->have_plugin_user = true;
	else
		log_warn("plugin_user unavailable; plugins without a user "
		    "or run_as_root will not start", "error=%s", err);
	if ((pw = getpwnam(sv->cfg.api.user)) != NULL) {
		sv->have_api_uid = true;
		sv->api_uid = pw->pw_uid;
		sv->api_gid = pw->pw_gid;
	} else
		log_warn("api user not found; only root may use the control "
		    "socket", "user=%s", sv->cfg.api.user);
}

static int
mkdirs(const char *path, mode_t mode)
{
	char buf[4096];

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int
make_runtime_dirs(const struct sv *sv)
{
	char sub[4096];

	snprintf(sub, sizeof(sub), "%s/plugins",
	    sv->cfg.supervisor.runtime_dir);
	if (mkdirs(sv->cfg.supervisor.runtime_dir, 0755) == -1 ||
	    mkdirs(sub, 0755) == -1) {
		log_error("cannot create runtime_dir", "dir=%s error=%s",
		    sv->cfg.supervisor.runtime_dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Refuse to start next to a live supervisor using the same socket. */
static int
another_running(const struct sv *sv)
{
	struct vigil_ctl_request req;
	struct vigil_ctl_response resp;

	ctlmsg_init_request(&req, VIGIL_CTL_PING, "", "", "");
	return ctl_send(sv->cfg.supervisor.control_socket, &req, &resp,
	    500) == 0;
}

static int
open_resources(struct sv *sv)
{
	char err[512];

	if (make_runtime_dirs(sv) == -1)
		return -1;
	if (another_running(sv)) {
		log_error("another supervisor is running", "control_socket=%s",
		    sv->cfg.supervisor.control_socket);
		return -1;
	}
	sv->shm = shmstate_create(sv->cfg.supervisor.shm_name,
	    sv->cfg.supervisor.max_plugins, err, sizeof(err));
	if (sv->shm == NULL) {
		log_error("cannot create shared memory", "error=%s", err);
		return -1;
	}
	sv->ctl = ctl_open(sv->cfg.supervisor.control_socket,
	    sv->root && sv->have_api_uid ? sv->api_gid : (gid_t)-1,
	    sv->have_api_uid ? sv->api_uid : (uid_t)-1, err, sizeof(err));
	if (sv->ctl == NULL) {
		log_error("cannot open control socket", "error=%s", err);
		return -1;
	}
	if ((sv->rpc = rpc_create(err, sizeof(err))) == NULL) {
		log_error("cannot start gRPC", "error=%s", err);
		return -1;
	}
	if ((sv->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_error("epoll_create1 failed", "error=%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
close_resources(struct sv *sv)
{
	rpc_destroy(sv->rpc);
	ctl_close(sv->ctl);
	if (sv->epfd != -1)
		close(sv->epfd);
	shmstate_destroy(sv->shm, 1);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct sv sv;
	char err[1024];
	int rc;

	memset(&sv, 0, sizeof(sv));
	sv.epfd = -1;
	parse_args(argc, argv, &o);
	if (supervisor_block_signals() == -1) {
		perror("vigil-supervisor: sigprocmask");
		return EXIT_RUNTIME;
	}
	log_init("supervisor", o.level >= 0 ? o.level : LOG_LEVEL_INFO,
	    LOG_FORMAT_LOGFMT);
	sv.config_path = o.config;
	if (config_load(o.config, &sv.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "vigil-supervisor: %s\n", err);
		return EXIT_CONFIG;
	}
	log_init("supervisor", o.level >= 0 ? o.level : sv.cfg.logging.level,
	    sv.cfg.logging.format);
	if (o.check) {
		rc = check_config(&sv);
		config_free(&sv.cfg);
		return rc;
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	resolve_users(&sv);
	log_info("starting", "version=%s config=%s pid=%d", VIGIL_VERSION,
	    o.config, (int)getpid());
	if (open_resources(&sv) == -1)
		rc = EXIT_RUNTIME;
	else
		rc = supervisor_run(&sv);
	close_resources(&sv);
	log_info("stopped", "status=%d", rc);
	config_free(&sv.cfg);
	return rc;
}
