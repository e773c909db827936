/* Unit tests: the flaky test plugin's options (env and config_json). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../plugins/flaky/options.h"
#include "vigil_plugin.h"

/* A fake environment for flaky_opts_from_env. */
static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	size_t	i, n = strlen(name);

	for (i = 0; fake_env[i] != NULL; i++)
		if (strncmp(fake_env[i], name, n) == 0 && fake_env[i][n] == '=')
			return fake_env[i] + n + 1;
	return NULL;
}

static void
test_defaults(void **state)
{
	struct flaky_opts	o;

	(void)state;
	flaky_opts_defaults(&o);
	assert_int_equal(o.crash_after_ms, -1);
	assert_int_equal(o.exit_at_once, -1);
	assert_int_equal(o.report, VIGIL_HEALTH_HEALTHY);
	assert_int_equal(o.hang_health, 0);
	assert_int_equal(o.never_ready, 0);
}

static void
test_env(void **state)
{
	static const char *const env[] = {
		"FLAKY_CRASH_AFTER_MS=1500", "FLAKY_CRASH_SIGNAL=SIGKILL",
		"FLAKY_HANG_HEALTH=true", "FLAKY_REPORT=degraded",
		"FLAKY_EXIT_AT_ONCE=7", "FLAKY_IGNORE_SIGTERM=1",
		"FLAKY_START_DELAY_MS=20", "OTHER=x", NULL,
	};
	struct flaky_opts	o;
	char			err[128];

	(void)state;
	fake_env = env;
	flaky_opts_defaults(&o);
	assert_int_equal(flaky_opts_from_env(&o, fake_getenv, err,
	    sizeof(err)), 0);
	assert_int_equal(o.crash_after_ms, 1500);
	assert_int_equal(o.crash_signal, SIGKILL);
	assert_int_equal(o.hang_health, 1);
	assert_int_equal(o.report, VIGIL_HEALTH_DEGRADED);
	assert_int_equal(o.exit_at_once, 7);
	assert_int_equal(o.ignore_sigterm, 1);
	assert_int_equal(o.start_delay_ms, 20);
	assert_int_equal(o.never_ready, 0);
}

static void
test_env_bad(void **state)
{
	static const char *const env[] = { "FLAKY_REPORT=sick", NULL };
	struct flaky_opts	o;
	char			err[128] = "";

	(void)state;
	fake_env = env;
	flaky_opts_defaults(&o);
	assert_int_equal(flaky_opts_from_env(&o, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "report"));
}

static void
test_json(void **state)
{
	struct flaky_opts	o;
	char			err[128];

	(void)state;
	flaky_opts_defaults(&o);
	o.report = VIGIL_HEALTH_DEGRADED;	/* as if from the env */
	assert_int_equal(flaky_opts_from_json(&o, "{\"slow_health_ms\": 250, "
	    "\"report\": \"unhealthy\", \"never_ready\": false, "
	    "\"crash_signal\": 11, \"hang_health\": null}", err,
	    sizeof(err)), 0);
	assert_int_equal(o.slow_health_ms, 250);
	assert_int_equal(o.report, VIGIL_HEALTH_UNHEALTHY);
	assert_int_equal(o.crash_signal, SIGSEGV);
	assert_int_equal(flaky_opts_from_json(&o, "", err, sizeof(err)), 0);
	assert_int_equal(flaky_opts_from_json(&o, "  ", err, sizeof(err)), 0);
	assert_int_equal(o.slow_health_ms, 250);
}

static void
test_json_bad_leaves_options_alone(void **state)
{
	static const char *const bad[] = {
		"[1]", "{", "{\"nope\": 1}", "{\"slow_health_ms\": -5}",
		"{\"slow_health_ms\": \"soon\"}", "{\"exit_at_once\": 256}",
		"{\"hang_health\": {}}", "{\"crash_signal\": \"SIGNOPE\"}",
		"{\"report\": \"healthy\", \"never_ready\": 2}",
	};
	struct flaky_opts	o, before;
	char			err[128];
	size_t			i;

	(void)state;
	flaky_opts_defaults(&o);
	before = o;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(flaky_opts_from_json(&o, bad[i], err,
		    sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_memory_equal(&o, &before, sizeof(o));
	}
}

static void
test_describe(void **state)
{
	struct flaky_opts	o;
	char			buf[256];

	(void)state;
	flaky_opts_defaults(&o);
	o.report = VIGIL_HEALTH_UNHEALTHY;
	flaky_opts_describe(&o, buf, sizeof(buf));
	assert_non_null(strstr(buf, "report=unhealthy"));
	assert_non_null(strstr(buf, "crash_after_ms=-1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_bad),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_bad_leaves_options_alone),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
