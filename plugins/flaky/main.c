/* flaky: a plugin that misbehaves on request, to exercise the supervisor. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "vigil_plugin.h"

/* Exit code of a timed crash without crash_signal. */
#define CRASH_EXIT	1

struct flaky {
	struct flaky_opts	 opts;
	struct vigil_sim	 sim;
	struct vigil_server	*srv;
	time_t			 started;
};

static volatile sig_atomic_t	got_stop;

static const char *
env_get(const char *name)
{
	return getenv(name);
}

static void
on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

/* Die as configured: by crash_signal, or with exit code 1. */
static void
crash(void *arg)
{
	struct flaky	*f = arg;
	sigset_t	 set;

	vigil_log("crashing as configured");
	if (f->opts.crash_signal > 0) {
		signal(f->opts.crash_signal, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, f->opts.crash_signal);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(f->opts.crash_signal);
	}
	/* No clean-up: this is a crash. */
	_exit(CRASH_EXIT);
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* never_ready from the environment: no listening at all, just wait. */
static int
wait_forever(const struct flaky_opts *o)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	if (!o->ignore_sigterm)
		sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "flaky: never_ready: not listening, waiting to be "
	    "killed\n");
	while (!got_stop)
		pause();
	return 0;
}

static void
apply_sigterm(const struct flaky_opts *o)
{
	if (o->ignore_sigterm)
		signal(SIGTERM, SIG_IGN);
}

static int
flaky_init(void *ctx, const char *config_json, char *err, size_t errlen)
{
	struct flaky		*f = ctx;
	struct flaky_opts	 own;
	char			 desc[256];

	/* own: only what the config says, to know which timers it asks for. */
	flaky_opts_defaults(&own);
	if (flaky_opts_from_json(&own, config_json, err, errlen) == -1 ||
	    flaky_opts_from_json(&f->opts, config_json, err, errlen) == -1)
		return -1;
	flaky_opts_describe(&f->opts, desc, sizeof(desc));
	vigil_log("initialize: %s", desc);
	if (own.exit_at_once >= 0) {
		vigil_log("exit_at_once: exiting with %d", own.exit_at_once);
		_exit(own.exit_at_once);
	}
	if (own.never_ready)
		vigil_plugin_delay(VIGIL_HEALTH_HANG);
	else if (own.start_delay_ms > 0)
		vigil_plugin_delay((int)own.start_delay_ms);
	if (own.crash_after_ms >= 0 && vigil_server_after(f->srv,
	    (uint64_t)own.crash_after_ms, crash, f) == -1) {
		snprintf(err, errlen, "cannot arm the crash timer");
		return -1;
	}
	apply_sigterm(&f->opts);
	return 0;
}

static void
flaky_health(void *ctx, struct vigil_health *h)
{
	struct flaky	*f = ctx;

	vigil_health_set(h, f->opts.report, "flaky: reporting %s",
	    f->opts.report == VIGIL_HEALTH_HEALTHY ? "healthy" :
	    f->opts.report == VIGIL_HEALTH_DEGRADED ? "degraded" : "unhealthy");
	vigil_health_add(h, "pid", "%ld", (long)getpid());
	vigil_health_add(h, "uptime_s", "%lld",
	    (long long)(time(NULL) - f->started));
	if (f->opts.hang_health)
		h->delay_ms = VIGIL_HEALTH_HANG;
	else if (f->opts.slow_health_ms > 0)
		h->delay_ms = (int)f->opts.slow_health_ms;
	vigil_sim_apply(&f->sim, h);
}

static int
flaky_shutdown(void *ctx, const char *reason, char *err, size_t errlen)
{
	struct flaky	*f = ctx;

	if (f->opts.ignore_sigterm && strcmp(reason, "signal") != 0) {
		snprintf(err, errlen, "ignoring shutdown (ignore_sigterm)");
		return -1;
	}
	return 0;
}

static int
flaky_setup(void *ctx, struct vigil_server *srv)
{
	struct flaky	*f = ctx;

	f->srv = srv;
	apply_sigterm(&f->opts);
	if (f->opts.crash_after_ms >= 0 && vigil_server_after(srv,
	    (uint64_t)f->opts.crash_after_ms, crash, f) == -1)
		return -1;
	return vigil_sim_serve(srv, &f->sim);
}

int
main(void)
{
	static const char *const caps[] = { "testing", "simulation", NULL };
	struct flaky		 f = { .started = time(NULL) };
	struct vigil_plugin_def	 def = {
		.name = "flaky",
		.version = "1.0.0",
		.description = "Misbehaves on request to test supervision",
		.capabilities = caps,
		.init = flaky_init,
		.health = flaky_health,
		.shutdown = flaky_shutdown,
		.setup = flaky_setup,
		.ctx = &f,
	};
	char			 err[256], desc[256];

	flaky_opts_defaults(&f.opts);
	if (flaky_opts_from_env(&f.opts, env_get, err, sizeof(err)) == -1) {
		fprintf(stderr, "flaky: %s\n", err);
		return VIGIL_EXIT_STARTUP;
	}
	flaky_opts_describe(&f.opts, desc, sizeof(desc));
	fprintf(stderr, "flaky: options: %s\n", desc);
	if (f.opts.exit_at_once >= 0) {
		fprintf(stderr, "flaky: exit_at_once: exiting with %d\n",
		    f.opts.exit_at_once);
		return f.opts.exit_at_once;
	}
	apply_sigterm(&f.opts);
	if (f.opts.start_delay_ms > 0)
		sleep_ms(f.opts.start_delay_ms);
	if (f.opts.never_ready)
		return wait_forever(&f.opts);
	return vigil_plugin_main(&def);
}
