/* Unit tests for common/config.c and common/toml.cc: files in, structs out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "config.h"
#include "log.h"
#include "toml.h"

/* config.mk passes the source tree's absolute path. */
#ifndef VIGIL_SRCDIR
#define VIGIL_SRCDIR	"."
#endif
#define FIXTURES	VIGIL_SRCDIR "/tests/fixtures/config"

/* --- a fake log.c that records warnings ----------------------------- */

static char	warnings[8192];
static int	nwarnings;

void
log_event(int level, const char *msg, const char *fmt, ...)
{
	char	fields[1024];
	size_t	len = strlen(warnings);
	va_list	ap;

	if (level != LOG_LEVEL_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(fields, sizeof fields, fmt, ap);
	va_end(ap);
	nwarnings++;
	snprintf(warnings + len, sizeof warnings - len, "%s: %s\n", msg,
	    fields);
}

int
log_level_parse(const char *s)
{
	static const char	*names[] = { "debug", "info", "warn", "error" };
	int			 i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
log_format_parse(const char *s)
{
	if (strcmp(s, "logfmt") == 0)
		return LOG_FORMAT_LOGFMT;
	if (strcmp(s, "json") == 0)
		return LOG_FORMAT_JSON;
	return -1;
}

static int
reset_warnings(void **state)
{
	(void)state;
	warnings[0] = '\0';
	nwarnings = 0;
	return 0;
}

/* --- helpers -------------------------------------------------------- */

#define SEC	1000ULL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)

static const char *
fixture(const char *name)
{
	static char	path[4][1024];
	static int	next;
	char		*p = path[next++ % 4];

	snprintf(p, sizeof path[0], "%s/%s", FIXTURES, name);
	return p;
}

static void
load_config_ok(const char *path, struct vigil_config *cfg)
{
	char	err[512] = "";

	if (config_load(path, cfg, err, sizeof err) != 0)
		fail_msg("config_load(%s): %s", path, err);
}

static void
load_manifest_ok(const char *path, const struct health_config *defaults,
    struct manifest *m)
{
	char	err[512] = "";

	if (manifest_load(path, defaults, m, err, sizeof err) != 0)
		fail_msg("manifest_load(%s): %s", path, err);
}

/* A TOML text in a temporary file; the caller unlinks path. */
static void
write_temp(char *path, size_t size, const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, size, "/tmp/config_test.XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Whether the main file text loads; err gets the message if not. */
static int
try_config_text(const char *text, char *err, size_t errlen)
{
	struct vigil_config	cfg;
	char			path[64];
	int			rc;

	write_temp(path, sizeof path, text);
	rc = config_load(path, &cfg, err, errlen);
	unlink(path);
	config_free(&cfg);
	return rc;
}

static size_t
strv_len(char **v)
{
	size_t	n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

static void
assert_health_seed(const struct health_config *h)
{
	assert_int_equal(h->check_interval_ms, 30 * SEC);
	assert_int_equal(h->check_timeout_ms, 10 * SEC);
	assert_int_equal(h->failure_threshold, 3);
	assert_int_equal(h->success_threshold, 2);
	assert_int_equal(h->max_restarts, 5);
	assert_int_equal(h->restart_backoff_ms, 5 * SEC);
	assert_int_equal(h->max_restart_backoff_ms, 5 * MIN);
	assert_int_equal(h->stable_period_ms, 10 * MIN);
	assert_int_equal(h->degraded_latency_ms, 5 * SEC);
	assert_int_equal(h->start_timeout_ms, 30 * SEC);
	assert_int_equal(h->stop_timeout_ms, 10 * SEC);
}

static void
assert_config_defaults(const struct vigil_config *cfg)
{
	assert_string_equal(cfg->supervisor.plugin_dir, "/etc/vigil/plugins");
	assert_string_equal(cfg->supervisor.runtime_dir, "/run/vigil");
	assert_string_equal(cfg->supervisor.control_socket,
	    "/run/vigil/control.sock");
	assert_string_equal(cfg->supervisor.shm_name, "/vigil");
	assert_string_equal(cfg->supervisor.plugin_user, "vigil-plugin");
	assert_false(cfg->supervisor.demo);
	assert_int_equal(cfg->supervisor.max_plugins, 1024);
	assert_int_equal(cfg->supervisor.restarts_per_minute, 6);
	assert_health_seed(&cfg->health);
	assert_string_equal(cfg->api.listen, "0.0.0.0:11371");
	assert_string_equal(cfg->api.user, "vigil");
	assert_string_equal(cfg->api.token_file, "");
	assert_int_equal(cfg->api.heartbeat_timeout_ms, 3 * SEC);
	assert_false(cfg->api.dashboard);
	assert_string_equal(cfg->api.www_dir, "");
	assert_int_equal(cfg->api.threads, 8);
	assert_non_null(cfg->api.allow);
	assert_null(cfg->api.allow[0]);
	assert_int_equal(cfg->api.rate_limit_per_minute, 60);
	assert_int_equal(cfg->api.request_timeout_ms, 10 * SEC);
	assert_false(cfg->api.auth_probes);
	assert_int_equal(cfg->api.scheduling, API_SCHED_BATCH);
	assert_int_equal(cfg->logging.level, LOG_LEVEL_INFO);
	assert_int_equal(cfg->logging.format, LOG_FORMAT_LOGFMT);
}

/* --- durations and names -------------------------------------------- */

static void
test_duration_forms(void **state)
{
	static const struct { const char *s; uint64_t ms; } good[] = {
		{ "0s", 0 }, { "0ms", 0 }, { "250ms", 250 }, { "30s", 30 * SEC },
		{ "5m", 5 * MIN }, { "1h", HOUR }, { "1m30s", 90 * SEC },
		{ "1h2m3s4ms", HOUR + 2 * MIN + 3 * SEC + 4 },
		{ "1s500ms", 1500 }, { "90m", 90 * MIN }, { "007s", 7 * SEC },
		{ "18446744073709551615ms", UINT64_MAX },
	};
	static const char *bad[] = {
		"", "30", "0", "s", "ms", "-5s", "+5s", "1.5s", "5d", "5us",
		"5 s", " 5s", "5s ", "5S", "5sec", "1m30", "m5", "5h-1m",
		"18446744073709551616ms", "5124095576030432h",
		"18446744073709552s", "18446744073709551615ms1ms",
	};
	uint64_t	ms;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		ms = 12345;
		if (config_parse_duration(good[i].s, &ms) != 0)
			fail_msg("\"%s\" rejected", good[i].s);
		if (ms != good[i].ms)
			fail_msg("\"%s\" gave %ju", good[i].s, (uintmax_t)ms);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ms = 12345;
		if (config_parse_duration(bad[i], &ms) != -1)
			fail_msg("\"%s\" accepted as %ju", bad[i], (uintmax_t)ms);
		assert_int_equal(ms, 12345);
	}
	assert_int_equal(config_parse_duration(NULL, &ms), -1);
}

static void
test_plugin_names(void **state)
{
	static const char *good[] = {
		"a", "0", "antiabuse", "rate-limit_2", "9lives", "a-", "a_",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk",
	};
	static const char *bad[] = {
		"", "-a", "_a", "Abuse", "anti abuse", "a.b", "a/b", "../x",
		"ünï", "a\n",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
	};
	size_t	i;

	(void)state;
	assert_int_equal(strlen(good[7]), 63);
	assert_int_equal(strlen(bad[10]), 64);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!config_valid_plugin_name(good[i]))
			fail_msg("\"%s\" rejected", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (config_valid_plugin_name(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	assert_false(config_valid_plugin_name(NULL));
}

/* --- the main file -------------------------------------------------- */

static void
test_defaults_are_the_seed(void **state)
{
	struct vigil_config	cfg;

	(void)state;
	config_defaults(&cfg);
	assert_config_defaults(&cfg);
	assert_null(cfg.path);
	config_free(&cfg);
}

static void
test_empty_file_gives_defaults(void **state)
{
	struct vigil_config	cfg;

	(void)state;
	load_config_ok(fixture("empty.toml"), &cfg);
	assert_config_defaults(&cfg);
	assert_string_equal(cfg.path, fixture("empty.toml"));
	assert_int_equal(nwarnings, 0);
	config_free(&cfg);
}

/* The shipped example documents the defaults, so it must load as them. */
static void
test_deploy_example_is_the_defaults(void **state)
{
	struct vigil_config	cfg;

	(void)state;
	load_config_ok(VIGIL_SRCDIR "/deploy/vigil.toml.example", &cfg);
	assert_config_defaults(&cfg);
	if (nwarnings != 0)
		fail_msg("warnings: %s", warnings);
	config_free(&cfg);
}

static void
test_every_key(void **state)
{
	struct vigil_config	cfg;
	const struct health_config *h = &cfg.health;

	(void)state;
	load_config_ok(fixture("valid.toml"), &cfg);
	assert_int_equal(nwarnings, 0);
	assert_string_equal(cfg.supervisor.plugin_dir, "/srv/vigil/plugins");
	assert_string_equal(cfg.supervisor.runtime_dir, "/run/vigil-test");
	assert_string_equal(cfg.supervisor.control_socket,
	    "/run/vigil-test/ctl.sock");
	assert_string_equal(cfg.supervisor.shm_name, "/vigil-test");
	assert_string_equal(cfg.supervisor.plugin_user, "nobody");
	assert_true(cfg.supervisor.demo);
	assert_int_equal(cfg.supervisor.max_plugins, 64);
	assert_int_equal(cfg.supervisor.restarts_per_minute, 12);
	assert_int_equal(h->check_interval_ms, 90 * SEC);
	assert_int_equal(h->check_timeout_ms, 250);
	assert_int_equal(h->failure_threshold, 4);
	assert_int_equal(h->success_threshold, 1);
	assert_int_equal(h->max_restarts, 0);
	assert_int_equal(h->restart_backoff_ms, 0);
	assert_int_equal(h->max_restart_backoff_ms, HOUR);
	assert_int_equal(h->stable_period_ms, 2 * HOUR);
	assert_int_equal(h->degraded_latency_ms, 750);
	assert_int_equal(h->start_timeout_ms, 45 * SEC);
	assert_int_equal(h->stop_timeout_ms, 2 * SEC);
	assert_string_equal(cfg.api.listen, "[::1]:8080");
	assert_string_equal(cfg.api.user, "www-data");
	assert_string_equal(cfg.api.token_file, "/etc/vigil/token");
	assert_int_equal(cfg.api.heartbeat_timeout_ms, 5 * SEC);
	assert_true(cfg.api.dashboard);
	assert_string_equal(cfg.api.www_dir, "/usr/share/vigil/www");
	assert_int_equal(cfg.api.threads, 2);
	assert_int_equal(strv_len(cfg.api.allow), 3);
	assert_string_equal(cfg.api.allow[0], "127.0.0.0/8");
	assert_string_equal(cfg.api.allow[2], "192.168.1.7/32");
	assert_int_equal(cfg.api.rate_limit_per_minute, 30);
	assert_int_equal(cfg.api.request_timeout_ms, 15 * SEC);
	assert_true(cfg.api.auth_probes);
	assert_int_equal(cfg.api.scheduling, API_SCHED_INHERIT);
	assert_int_equal(cfg.logging.level, LOG_LEVEL_DEBUG);
	assert_int_equal(cfg.logging.format, LOG_FORMAT_JSON);
	config_free(&cfg);
}

static void
test_unknown_keys_warn(void **state)
{
	struct vigil_config	cfg;
	char			want[1200];

	(void)state;
	load_config_ok(fixture("unknown.toml"), &cfg);
	assert_string_equal(cfg.supervisor.plugin_dir, "/srv/plugins");
	assert_int_equal(cfg.health.check_interval_ms, 20 * SEC);
	assert_string_equal(cfg.api.listen, "127.0.0.1:11371");
	assert_int_equal(nwarnings, 3);
	snprintf(want, sizeof want, "file=%s line=4 "
	    "key=supervisor.plugin_directory\n", fixture("unknown.toml"));
	assert_non_null(strstr(warnings, want));
	snprintf(want, sizeof want, "file=%s line=9 key=metrics\n",
	    fixture("unknown.toml"));
	assert_non_null(strstr(warnings, want));
	snprintf(want, sizeof want, "file=%s line=14 key=api.color\n",
	    fixture("unknown.toml"));
	assert_non_null(strstr(warnings, want));
	config_free(&cfg);
}

static void
test_listen_and_allow_forms(void **state)
{
	static const char *good[] = {
		"[api]\nlisten = \"0.0.0.0:11371\"\n",
		"[api]\nlisten = \"127.0.0.1:1\"\n",
		"[api]\nlisten = \"[::]:65535\"\n",
		"[api]\nallow = []\n",
		"[api]\nallow = [\"0.0.0.0/0\", \"10.1.2.3/32\"]\n",
	};
	static const char *bad[] = {
		"[api]\nlisten = \"11371\"\n",
		"[api]\nlisten = \":11371\"\n",
		"[api]\nlisten = \"0.0.0.0:0\"\n",
		"[api]\nlisten = \"0.0.0.0:\"\n",
		"[api]\nlisten = \"0.0.0.0:+80\"\n",
		"[api]\nlisten = \"0.0.0.0:080000\"\n",
		"[api]\nlisten = \"::1:80\"\n",
		"[api]\nlisten = \"[::1:80\"\n",
		"[api]\nlisten = \"1.2.3:80\"\n",
		"[api]\nallow = [\"10.0.0.0\"]\n",
		"[api]\nallow = [\"10.0.0.0/33\"]\n",
		"[api]\nallow = [\"10.0.0.0/\"]\n",
		"[api]\nallow = [\"::1/128\"]\n",
		"[api]\nallow = [\"10.0.0.0/8/8\"]\n",
	};
	char	err[512];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (try_config_text(good[i], err, sizeof err) != 0)
			fail_msg("%s rejected: %s", good[i], err);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (try_config_text(bad[i], err, sizeof err) != -1)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(strstr(err, ":2: api."));
	}
}

/* A failed load leaves nothing to free, and freeing it again is harmless. */
static void
test_failed_load_is_released(void **state)
{
	struct vigil_config	cfg;
	char			err[512];

	(void)state;
	assert_int_equal(config_load(fixture("bad/listen.toml"), &cfg, err,
	    sizeof err), -1);
	assert_null(cfg.path);
	assert_null(cfg.supervisor.plugin_dir);
	assert_null(cfg.api.allow);
	config_free(&cfg);
	config_free(&cfg);
	/* No buffer for the message is allowed too. */
	assert_int_equal(config_load(fixture("bad/listen.toml"), &cfg, NULL,
	    0), -1);
}

/* --- one case per class of error ------------------------------------ */

struct bad_case {
	const char	*file;		/* under FIXTURES */
	int		 line;		/* 0: the message has no line */
	const char	*key;		/* NULL: a syntax error, "LINE:COL:" */
	const char	*problem;	/* part of the message */
};

static void
check_message(const struct bad_case *c, const char *err)
{
	char	want[1200];
	size_t	n;

	if (c->key == NULL)
		snprintf(want, sizeof want, "%s:%d:", fixture(c->file),
		    c->line);
	else if (c->line == 0)
		snprintf(want, sizeof want, "%s: %s: ", fixture(c->file),
		    c->key);
	else
		snprintf(want, sizeof want, "%s:%d: %s: ", fixture(c->file),
		    c->line, c->key);
	n = strlen(want);
	if (strncmp(err, want, n) != 0)
		fail_msg("got \"%s\"\nwant prefix \"%s\"", err, want);
	if (c->key == NULL && strspn(err + n, "0123456789") == 0)
		fail_msg("no column in \"%s\"", err);
	if (strstr(err + n, c->problem) == NULL)
		fail_msg("got \"%s\"\nwant \"%s\" in it", err, c->problem);
	if (strchr(err, '\n') != NULL)
		fail_msg("more than one line: \"%s\"", err);
}

static void
test_config_error(void **state)
{
	const struct bad_case	*c = *state;
	struct vigil_config	 cfg;
	char			 err[1024] = "";

	assert_int_equal(config_load(fixture(c->file), &cfg, err, sizeof err),
	    -1);
	check_message(c, err);
}

static void
test_manifest_error(void **state)
{
	const struct bad_case	*c = *state;
	struct manifest		 m;
	char			 err[1024] = "";

	assert_int_equal(manifest_load(fixture(c->file), NULL, &m, err,
	    sizeof err), -1);
	check_message(c, err);
	assert_null(m.name);
	manifest_free(&m);
}

#define BAD(f, l, k, p)	{ f, l, k, p }

static struct bad_case config_errors[] = {
	BAD("bad/syntax.toml", 3, NULL, "unescaped control characters"),
	/* toml++ 3.3 asserts on these; the shim must report them cleanly. */
	BAD("bad/header.toml", 7, NULL, "expected a table name after '['"),
	BAD("bad/duration_type.toml", 3, "health.check_interval",
	    "expected a duration string like \"30s\", got integer"),
	BAD("bad/duration_syntax.toml", 4, "health.check_interval",
	    "got \"30 seconds\""),
	BAD("bad/duration_unit.toml", 3, "health.stable_period", "\"1d\""),
	BAD("bad/duration_zero.toml", 3, "api.heartbeat_timeout",
	    "must be longer than 0s"),
	BAD("bad/duration_max.toml", 3, "health.stable_period",
	    "must be at most 8760h"),
	BAD("bad/threshold.toml", 4, "health.failure_threshold",
	    "must be between 1 and 1000000, got 0"),
	BAD("bad/max_plugins.toml", 3, "supervisor.max_plugins",
	    "must be between 1 and 65536, got 65537"),
	BAD("bad/negative.toml", 3, "supervisor.restarts_per_minute",
	    "got -1"),
	BAD("bad/timeout_interval.toml", 4, "health.check_timeout",
	    "check_timeout (20s) must not be longer than check_interval (10s)"),
	BAD("bad/backoff.toml", 3, "health.restart_backoff",
	    "max_restart_backoff (5m) must not be shorter than "
	    "restart_backoff (10m)"),
	BAD("bad/type_bool.toml", 3, "api.dashboard",
	    "expected a boolean, got string"),
	BAD("bad/type_int.toml", 3, "api.threads",
	    "expected an integer, got float"),
	BAD("bad/type_string.toml", 3, "supervisor.plugin_user",
	    "expected a string, got integer"),
	BAD("bad/type_array.toml", 3, "api.allow",
	    "expected an array of strings, got string"),
	BAD("bad/section_type.toml", 2, "logging",
	    "expected a table, got string"),
	BAD("bad/log_level.toml", 4, "logging.level",
	    "expected one of debug, info, warn, error, got \"verbose\""),
	BAD("bad/log_format.toml", 3, "logging.format",
	    "expected one of logfmt, json, got \"xml\""),
	BAD("bad/listen.toml", 3, "api.listen", "got \"0.0.0.0:70000\""),
	BAD("bad/scheduling.toml", 3, "api.scheduling",
	    "expected one of batch, inherit, got \"fifo\""),
	BAD("bad/shm_name.toml", 3, "supervisor.shm_name",
	    "no other '/', got \"/vigil/x\""),
	BAD("bad/relative_path.toml", 3, "supervisor.plugin_dir",
	    "expected an absolute path, got \"plugins\""),
	BAD("bad/socket_long.toml", 3, "supervisor.control_socket",
	    "107 bytes"),
	BAD("bad/allow.toml", 5, "api.allow[1]", "got \"10.0.0.300/8\""),
	BAD("bad/string_nul.toml", 3, "api.user", "NUL"),
	BAD("bad/user_empty.toml", 3, "api.user", "must not be empty"),
};

static struct bad_case manifest_errors[] = {
	BAD("bad-manifest/syntax.toml", 4, NULL, "cannot redefine"),
	BAD("bad-manifest/header.toml", 4, NULL,
	    "expected a table name after '['"),
	BAD("bad-manifest/no_plugin.toml", 0, "plugin",
	    "missing the [plugin] table"),
	BAD("bad-manifest/plugin_type.toml", 2, "plugin",
	    "expected a table, got string"),
	BAD("bad-manifest/bad_name.toml", 3, "plugin.name",
	    "[a-z0-9][a-z0-9_-]{0,62}, got \"Anti Abuse\""),
	BAD("bad-manifest/no_executable.toml", 2, "plugin.executable",
	    "missing"),
	BAD("bad-manifest/cookie.toml", 6, "vigil.magic_cookie_key",
	    "required when protocol = \"go-plugin\""),
	BAD("bad-manifest/unix_goplugin.toml", 8, "vigil.address",
	    "\"unix\" needs protocol = \"hkp\""),
	BAD("bad-manifest/protocol.toml", 7, "vigil.protocol",
	    "expected \"hkp\" or \"go-plugin\", got \"grpc\""),
	BAD("bad-manifest/env_name.toml", 8, "vigil.env.BAD-NAME",
	    "[A-Za-z_][A-Za-z0-9_]*"),
	BAD("bad-manifest/env_value.toml", 7, "vigil.env.PORT",
	    "expected a string, got integer"),
	BAD("bad-manifest/health_override.toml", 8,
	    "vigil.health.check_timeout",
	    "check_timeout (1m) must not be longer than check_interval (30s)"),
	BAD("bad-manifest/health_type.toml", 7, "vigil.health.max_restarts",
	    "expected an integer, got string"),
	BAD("bad-manifest/capabilities.toml", 5, "plugin.capabilities[1]",
	    "expected a string, got integer"),
	BAD("bad-manifest/config_type.toml", 5, "plugin.config",
	    "expected a table, got string"),
	BAD("bad-manifest/config_nan.toml", 8, "plugin.config.limits.ratio",
	    "no JSON form"),
	BAD("bad-manifest/rlimit.toml", 7, "vigil.rlimit_nofile", "got -1"),
	BAD("bad-manifest/root_user.toml", 8, "vigil.run_as_root",
	    "cannot be combined with vigil.user"),
};

static void
test_unreadable_files(void **state)
{
	struct vigil_config	cfg;
	struct manifest		m;
	char			err[1024], want[1200];

	(void)state;
	assert_int_equal(config_load(fixture("nonexistent.toml"), &cfg, err,
	    sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory",
	    fixture("nonexistent.toml"));
	assert_string_equal(err, want);
	assert_int_equal(config_load(fixture("bad"), &cfg, err, sizeof err),
	    -1);
	snprintf(want, sizeof want, "%s: Is a directory", fixture("bad"));
	assert_string_equal(err, want);
	assert_int_equal(manifest_load(fixture("plugins/none/plugin.toml"),
	    NULL, &m, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory",
	    fixture("plugins/none/plugin.toml"));
	assert_string_equal(err, want);
}

/* --- manifests ------------------------------------------------------ */

static struct json_object *
path_get(struct json_object *o, const char *a, const char *b, const char *c)
{
	const char	*names[] = { a, b, c };
	size_t		 i;

	for (i = 0; i < 3 && names[i] != NULL; i++)
		if (!json_object_object_get_ex(o, names[i], &o))
			fail_msg("no member %s", names[i]);
	return o;
}

static void	assert_antiabuse_config(const char *);

static void
test_real_world_manifest(void **state)
{
	struct manifest	m;
	char		dir[1100], want[1100];

	(void)state;
	load_manifest_ok(fixture("plugins/antiabuse/plugin.toml"), NULL, &m);
	assert_int_equal(nwarnings, 0);
	assert_string_equal(m.name, "antiabuse");
	assert_string_equal(m.version, "1.2.0");
	snprintf(dir, sizeof dir, "%s/plugins/antiabuse", FIXTURES);
	assert_non_null(realpath(dir, want));
	assert_string_equal(m.dir, want);
	strcat(want, "/antiabuse-grpc");
	assert_string_equal(m.executable, want);
	assert_string_equal(m.protocol_version, "1.0");
	assert_string_equal(m.description,
	    "Rate limiting and abuse detection for HKP servers");
	assert_string_equal(m.author, "Example Plugin Team");
	assert_string_equal(m.license, "MIT");
	assert_int_equal(strv_len(m.capabilities), 3);
	assert_string_equal(m.capabilities[0], "http_middleware");
	assert_string_equal(m.capabilities[2], "abuse_detection");
	assert_int_equal(strv_len(m.dependencies), 0);
	/* No [vigil]: the defaults. */
	assert_int_equal(m.protocol, PLUGIN_PROTOCOL_HKP);
	assert_false(m.address_unix);
	assert_true(m.required);
	assert_false(m.run_as_root);
	assert_int_equal(strv_len(m.args), 0);
	assert_int_equal(strv_len(m.env), 0);
	assert_string_equal(m.user, "");
	assert_health_seed(&m.health);
	assert_antiabuse_config(m.config_json);
	manifest_free(&m);
	manifest_free(&m);
}

/* [plugin.config] of that manifest, as the plugin will receive it. */
static void
assert_antiabuse_config(const char *json)
{
	struct json_object	*conf, *v;

	/* Floats print short, dates as text, nothing escaped needlessly. */
	assert_non_null(strstr(json, "\"block_ratio\":0.7,"));
	assert_non_null(strstr(json, "\"since\":\"2024-03-01\""));
	assert_non_null(strstr(json, "\"/wp-login.php\""));
	assert_null(strchr(json, '\n'));
	assert_non_null(conf = json_tokener_parse(json));
	assert_int_equal(json_object_get_int(path_get(conf,
	    "max_requests_per_minute", NULL, NULL)), 60);
	assert_true(json_object_get_boolean(path_get(conf, "enabled", NULL,
	    NULL)));
	assert_int_equal(json_object_get_int(path_get(conf, "window",
	    "buckets", NULL)), 12);
	v = path_get(conf, "advanced", "trusted_networks", NULL);
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(v, 1)), "::1/128");
	v = path_get(conf, "advanced", "weights", NULL);
	assert_true(json_object_is_type(json_object_array_get_idx(v, 2),
	    json_type_int));
	assert_true(json_object_get_double(json_object_array_get_idx(v, 1))
	    == 1.5);
	v = path_get(conf, "rules", "matrix", NULL);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
	    json_object_array_get_idx(v, 1), 0)), "a");
	v = path_get(conf, "rules", "custom", NULL);
	assert_int_equal(json_object_array_length(v), 2);
	assert_int_equal(json_object_get_int(path_get(
	    json_object_array_get_idx(v, 1), "status", NULL, NULL)), 429);
	json_object_put(conf);
}

static void
test_extra_manifest_tables_warn(void **state)
{
	struct manifest	m;
	char		want[1200];

	(void)state;
	load_manifest_ok(fixture("plugins/zerotrust/plugin.toml"), NULL, &m);
	assert_string_equal(m.name, "zero-trust");
	assert_string_equal(m.config_json, "{}");
	assert_non_null(strstr(m.executable, "/plugins/zerotrust/bin/"
	    "zerotrust-grpc"));
	assert_null(strstr(m.executable, "/./"));
	assert_health_seed(&m.health);
	assert_int_equal(nwarnings, 4);
	snprintf(want, sizeof want, "file=%s line=7 key=plugin.priority\n",
	    fixture("plugins/zerotrust/plugin.toml"));
	assert_non_null(strstr(warnings, want));
	assert_non_null(strstr(warnings, " line=9 key=config\n"));
	assert_non_null(strstr(warnings, " line=12 key=health\n"));
	assert_non_null(strstr(warnings, " line=15 key=grpc\n"));
	manifest_free(&m);
}

static void
test_vigil_table(void **state)
{
	struct manifest		m;
	struct health_config	defaults;

	(void)state;
	memset(&defaults, 0, sizeof defaults);
	defaults.check_interval_ms = 60 * SEC;
	defaults.check_timeout_ms = 20 * SEC;
	defaults.failure_threshold = 7;
	defaults.success_threshold = 4;
	defaults.max_restarts = 9;
	defaults.restart_backoff_ms = 2 * SEC;
	defaults.max_restart_backoff_ms = 20 * SEC;
	defaults.stable_period_ms = HOUR;
	defaults.degraded_latency_ms = 3 * SEC;
	defaults.start_timeout_ms = 11 * SEC;
	defaults.stop_timeout_ms = 12 * SEC;
	load_manifest_ok(fixture("plugins/goplugin/plugin.toml"), &defaults,
	    &m);
	assert_int_equal(nwarnings, 0);
	assert_string_equal(m.name, "geo_lookup");
	assert_string_equal(m.executable, "/usr/libexec/geo-lookup");
	assert_string_equal(m.protocol_version, "2");
	assert_string_equal(m.description, "");
	assert_string_equal(m.config_json, "{}");
	assert_int_equal(m.protocol, PLUGIN_PROTOCOL_GOPLUGIN);
	assert_false(m.address_unix);
	assert_int_equal(strv_len(m.args), 2);
	assert_string_equal(m.args[1], "--db=/var/lib/geo.mmdb");
	assert_int_equal(strv_len(m.env), 3);
	assert_string_equal(m.env[0], "GEO_MODE=strict");
	assert_string_equal(m.env[1], "LANG=C.UTF-8");
	assert_string_equal(m.env[2], "_TRACE=");
	assert_string_equal(m.user, "geo");
	assert_string_equal(m.group, "nogroup");
	assert_false(m.run_as_root);
	assert_false(m.required);
	assert_string_equal(m.magic_cookie_key, "GEO_PLUGIN");
	assert_string_equal(m.magic_cookie_value, "d3c0ffee");
	assert_int_equal(m.rlimit_nofile, 4096);
	assert_int_equal(m.rlimit_as, 1073741824);
	assert_int_equal(m.rlimit_cpu, 3600);
	/* [vigil.health] overrides three keys; the rest are the caller's. */
	assert_int_equal(m.health.check_interval_ms, 5 * SEC);
	assert_int_equal(m.health.check_timeout_ms, 1 * SEC);
	assert_int_equal(m.health.failure_threshold, 5);
	assert_int_equal(m.health.success_threshold, 4);
	assert_int_equal(m.health.max_restarts, 9);
	assert_int_equal(m.health.restart_backoff_ms, 2 * SEC);
	assert_int_equal(m.health.max_restart_backoff_ms, 20 * SEC);
	assert_int_equal(m.health.stable_period_ms, HOUR);
	assert_int_equal(m.health.degraded_latency_ms, 3 * SEC);
	assert_int_equal(m.health.start_timeout_ms, 11 * SEC);
	assert_int_equal(m.health.stop_timeout_ms, 12 * SEC);
	manifest_free(&m);
}

static void
test_minimal_manifest(void **state)
{
	struct manifest	m;
	char		dir[1100], want[1100];

	(void)state;
	load_manifest_ok(fixture("plugins/minimal/plugin.toml"), NULL, &m);
	assert_string_equal(m.name, "minimal");
	snprintf(dir, sizeof dir, "%s/plugins/minimal", FIXTURES);
	assert_non_null(realpath(dir, want));
	strcat(want, "/run");
	assert_string_equal(m.executable, want);
	assert_string_equal(m.version, "");
	assert_string_equal(m.protocol_version, "1.0");
	assert_string_equal(m.author, "");
	assert_string_equal(m.license, "");
	assert_string_equal(m.config_json, "{}");
	assert_int_equal(m.protocol, PLUGIN_PROTOCOL_HKP);
	assert_true(m.address_unix);
	assert_true(m.required);
	assert_string_equal(m.magic_cookie_key, "");
	assert_int_equal(m.rlimit_nofile, 0);
	assert_int_equal(m.rlimit_as, 0);
	assert_int_equal(m.rlimit_cpu, 0);
	assert_health_seed(&m.health);
	manifest_free(&m);
}

/* A manifest given by a relative path still yields absolute paths. */
static void
test_relative_manifest_path(void **state)
{
	struct manifest	m;
	char		cwd[1024];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(FIXTURES "/plugins"), 0);
	load_manifest_ok("minimal/plugin.toml", NULL, &m);
	assert_string_equal(m.path, "minimal/plugin.toml");
	assert_true(m.dir[0] == '/');
	assert_true(m.executable[0] == '/');
	assert_non_null(strstr(m.executable, "/plugins/minimal/run"));
	manifest_free(&m);
	assert_int_equal(chdir("minimal"), 0);
	load_manifest_ok("plugin.toml", NULL, &m);
	assert_non_null(strstr(m.executable, "/plugins/minimal/run"));
	manifest_free(&m);
	assert_int_equal(chdir(cwd), 0);
}

/* --- the TOML shim itself ------------------------------------------- */

static void
test_toml_tree(void **state)
{
	struct json_object	*root, *plugin, *v;
	char			 err[512];

	(void)state;
	root = toml_parse_file(fixture("plugins/antiabuse/plugin.toml"), err,
	    sizeof err);
	if (root == NULL)
		fail_msg("%s", err);
	assert_non_null(plugin = path_get(root, "plugin", NULL, NULL));
	assert_int_equal(toml_line(plugin), 3);
	assert_int_equal(toml_line(path_get(plugin, "name", NULL, NULL)), 4);
	v = path_get(plugin, "capabilities", NULL, NULL);
	assert_int_equal(toml_line(v), 12);
	assert_int_equal(toml_line(json_object_array_get_idx(v, 1)), 14);
	v = path_get(plugin, "config", "block_ratio", NULL);
	assert_true(json_object_is_type(v, json_type_double));
	assert_int_equal(toml_line(v), 23);
	v = path_get(plugin, "config", "since", NULL);
	assert_true(json_object_is_type(v, json_type_string));
	v = path_get(plugin, "config", "max_requests_per_minute", NULL);
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(toml_line(NULL), 0);
	json_object_put(root);

	assert_null(toml_parse_file(fixture("bad/syntax.toml"), NULL, 0));
	assert_null(toml_parse_file(fixture("bad/syntax.toml"), err, 8));
	assert_int_equal(strlen(err), 7);
}

int
main(void)
{
	struct CMUnitTest	tests[128];
	size_t			n = 0, i;

#define T(f)	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup(f, \
		    reset_warnings)
	T(test_duration_forms);
	T(test_plugin_names);
	T(test_defaults_are_the_seed);
	T(test_empty_file_gives_defaults);
	T(test_deploy_example_is_the_defaults);
	T(test_every_key);
	T(test_unknown_keys_warn);
	T(test_listen_and_allow_forms);
	T(test_failed_load_is_released);
	T(test_unreadable_files);
	T(test_real_world_manifest);
	T(test_extra_manifest_tables_warn);
	T(test_vigil_table);
	T(test_minimal_manifest);
	T(test_relative_manifest_path);
	T(test_toml_tree);
#undef T
	for (i = 0; i < sizeof config_errors / sizeof config_errors[0]; i++)
		tests[n++] = (struct CMUnitTest){
		    .name = config_errors[i].file,
		    .test_func = test_config_error,
		    .setup_func = reset_warnings,
		    .initial_state = &config_errors[i] };
	for (i = 0; i < sizeof manifest_errors / sizeof manifest_errors[0];
	    i++)
		tests[n++] = (struct CMUnitTest){
		    .name = manifest_errors[i].file,
		    .test_func = test_manifest_error,
		    .setup_func = reset_warnings,
		    .initial_state = &manifest_errors[i] };
	return _cmocka_run_group_tests("config", tests, n, NULL, NULL);
}
