/* Starting a plugin's process: address, environment, user, spawn. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_impl.h"
#include "proc.h"
#include "supervisor.h"

#define ENV_MAX			64

static int
pick_port(const struct sv *sv)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fd, port;

	for (int tries = 0; tries < 32; tries++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		len = sizeof(sin);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
		port = ntohs(sin.sin_port);
		if (!sv_port_in_use(sv, port))
			return port;
	}
	errno = EADDRINUSE;
	return -1;
}

/* The plugin's private runtime directory, owned by the user it runs as. */
static int
make_rundir(struct plugin *p, const struct proc_spec *spec)
{
	if (mkdir(p->rundir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (spec->change_user && chown(p->rundir, spec->uid, spec->gid) == -1)
		return -1;
	return chmod(p->rundir, 0700);
}

static int
pick_address(struct plugin *p, char *err, size_t errlen)
{
	p->port = 0;
	p->target[0] = p->sockpath[0] = '\0';
	if (p->m.protocol == PLUGIN_PROTOCOL_GOPLUGIN)
		return 0;	/* the plugin tells us in its handshake */
	if (p->m.address_unix) {
		if (snprintf(p->sockpath, sizeof(p->sockpath), "%s/grpc.sock",
		    p->rundir) >= 108) {
			snprintf(err, errlen, "socket path too long");
			return -1;
		}
		unlink(p->sockpath);
		snprintf(p->target, sizeof(p->target), "unix:%s", p->sockpath);
		return 0;
	}
	if ((p->port = pick_port(p->sv)) == -1) {
		snprintf(err, errlen, "no free port: %s", strerror(errno));
		return -1;
	}
	snprintf(p->target, sizeof(p->target), "127.0.0.1:%d", p->port);
	return 0;
}

static void
env_add(char **env, int *n, char *store, size_t *used, size_t cap,
    const char *key, const char *val)
{
	int w;

	if (*n >= ENV_MAX - 1 || *used >= cap)
		return;
	w = snprintf(store + *used, cap - *used, "%s=%s", key, val);
	if (w < 0 || (size_t)w >= cap - *used)
		return;
	env[(*n)++] = store + *used;
	*used += (size_t)w + 1;
}

/* A clean environment: the manifest's env, then ours (which wins). */
static void
build_env(struct plugin *p, char **env, char *store, size_t cap)
{
	static const char *const passthrough[] = { "ASAN_OPTIONS",
	    "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL };
	size_t used = 0;
	char major[16];
	int n = 0;

	for (char **e = p->m.env; e != NULL && *e != NULL; e++)
		if (n < ENV_MAX / 2)
			env[n++] = *e;
	env_add(env, &n, store, &used, cap, "PATH",
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(env, &n, store, &used, cap, "HOME", p->rundir);
	env_add(env, &n, store, &used, cap, "PLUGIN_NAME", p->m.name);
	env_add(env, &n, store, &used, cap, "PLUGIN_VERSION", p->m.version);
	for (int i = 0; passthrough[i] != NULL; i++)
		if (getenv(passthrough[i]) != NULL)
			env_add(env, &n, store, &used, cap, passthrough[i],
			    getenv(passthrough[i]));
	if (p->m.protocol == PLUGIN_PROTOCOL_HKP) {
		env_add(env, &n, store, &used, cap, "PLUGIN_GRPC_ADDRESS",
		    p->target);
	} else {
		snprintf(major, sizeof(major), "%d",
		    atoi(p->m.protocol_version) > 0 ?
		    atoi(p->m.protocol_version) : 1);
		env_add(env, &n, store, &used, cap, p->m.magic_cookie_key,
		    p->m.magic_cookie_value);
		env_add(env, &n, store, &used, cap,
		    "PLUGIN_PROTOCOL_VERSIONS", major);
		env_add(env, &n, store, &used, cap, "PLUGIN_UNIX_SOCKET_DIR",
		    p->rundir);
	}
	env[n] = NULL;
}

static int
user_spec(struct plugin *p, struct proc_spec *spec, char *err, size_t len)
{
	memset(spec, 0, sizeof(*spec));
	if (!p->sv->root || p->m.run_as_root)
		return 0;
	if (p->m.user != NULL && p->m.user[0] != '\0')
		return proc_lookup_user(p->m.user, p->m.group, spec, err, len);
	if (!p->sv->have_plugin_user) {
		snprintf(err, len, "plugin_user '%s' does not exist",
		    p->sv->cfg.supervisor.plugin_user);
		return -1;
	}
	*spec = p->sv->default_user;
	return 0;
}

int
plugin_launch(struct plugin *p, char *err, size_t errlen)
{
	char *argv[ENV_MAX + 2], *env[ENV_MAX], store[8192];
	struct proc_spec spec;
	int n = 0;

	if (user_spec(p, &spec, err, errlen) == -1 ||
	    pick_address(p, err, errlen) == -1)
		return -1;
	if (make_rundir(p, &spec) == -1) {
		snprintf(err, errlen, "%.160s: %s", p->rundir, strerror(errno));
		return -1;
	}
	argv[n++] = p->m.executable;
	for (char **a = p->m.args; a != NULL && *a != NULL && n < ENV_MAX; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	build_env(p, env, store, sizeof(store));
	spec.path = p->m.executable;
	spec.argv = argv;
	spec.envp = env;
	spec.cwd = p->m.dir;
	spec.rlimit_nofile = p->m.rlimit_nofile;
	spec.rlimit_as = p->m.rlimit_as;
	spec.rlimit_cpu = p->m.rlimit_cpu;
	return proc_spawn(&spec, &p->pid, &p->out_fd, &p->err_fd, err, errlen);
}
