/* flaky's misbehaviour options, from FLAKY_* variables or config_json. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "options.h"
#include "vigil_plugin.h"

#define MAX_MS		(24LL * 3600 * 1000)

enum opt_type {
	OPT_MS,		/* int64_t milliseconds, -1 = off */
	OPT_BOOL,	/* int 0/1 */
	OPT_CODE,	/* int exit code 0..255, -1 = off */
	OPT_SIGNAL,	/* int signal number, 0 = none */
	OPT_REPORT	/* int VIGIL_HEALTH_* */
};

static const struct option {
	const char	*name;
	enum opt_type	 type;
	size_t		 off;
} options[] = {
	{ "crash_after_ms", OPT_MS, offsetof(struct flaky_opts, crash_after_ms) },
	{ "crash_signal", OPT_SIGNAL, offsetof(struct flaky_opts, crash_signal) },
	{ "hang_health", OPT_BOOL, offsetof(struct flaky_opts, hang_health) },
	{ "slow_health_ms", OPT_MS, offsetof(struct flaky_opts, slow_health_ms) },
	{ "report", OPT_REPORT, offsetof(struct flaky_opts, report) },
	{ "exit_at_once", OPT_CODE, offsetof(struct flaky_opts, exit_at_once) },
	{ "never_ready", OPT_BOOL, offsetof(struct flaky_opts, never_ready) },
	{ "ignore_sigterm", OPT_BOOL, offsetof(struct flaky_opts, ignore_sigterm) },
	{ "start_delay_ms", OPT_MS, offsetof(struct flaky_opts, start_delay_ms) },
};

static const struct {
	const char	*name;
	int		 sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "ABRT", SIGABRT }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "SEGV", SIGSEGV }, { "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "BUS", SIGBUS },
};

void
flaky_opts_defaults(struct flaky_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->crash_after_ms = -1;
	o->report = VIGIL_HEALTH_HEALTHY;
	o->exit_at_once = -1;
}

/* A whole decimal number in [lo, hi]. */
static int
parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "yes") == 0)
		*out = 1;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcasecmp(s, "no") == 0 || *s == '\0')
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_signal(const char *s, int *out)
{
	long long	v;
	size_t		i;

	if (parse_int(s, 0, 64, &v) == 0) {
		*out = (int)v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (strcasecmp(s, signals[i].name) == 0) {
			*out = signals[i].sig;
			return 0;
		}
	}
	return -1;
}

static int
parse_report(const char *s, int *out)
{
	if (strcasecmp(s, "healthy") == 0)
		*out = VIGIL_HEALTH_HEALTHY;
	else if (strcasecmp(s, "degraded") == 0)
		*out = VIGIL_HEALTH_DEGRADED;
	else if (strcasecmp(s, "unhealthy") == 0)
		*out = VIGIL_HEALTH_UNHEALTHY;
	else
		return -1;
	return 0;
}

static int
parse_value(const struct option *opt, const char *v, void *field)
{
	long long	n;

	switch (opt->type) {
	case OPT_MS:
		if (parse_int(v, -1, MAX_MS, &n) == -1)
			return -1;
		*(int64_t *)field = n;
		return 0;
	case OPT_CODE:
		if (parse_int(v, -1, 255, &n) == -1)
			return -1;
		*(int *)field = (int)n;
		return 0;
	case OPT_BOOL:
		return parse_bool(v, field);
	case OPT_SIGNAL:
		return parse_signal(v, field);
	case OPT_REPORT:
		return parse_report(v, field);
	}
	return -1;
}

int
flaky_opts_set(struct flaky_opts *o, const char *name, const char *value,
    char *err, size_t errlen)
{
	size_t	i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].name, name) != 0)
			continue;
		if (parse_value(&options[i], value,
		    (char *)o + options[i].off) == -1) {
			snprintf(err, errlen, "bad value for %s: '%s'", name,
			    value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown option '%s'", name);
	return -1;
}

int
flaky_opts_from_env(struct flaky_opts *o,
    const char *(*getenv_fn)(const char *), char *err, size_t errlen)
{
	char		 var[64];
	const char	*v;
	size_t		 i, j;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		snprintf(var, sizeof(var), "FLAKY_%s", options[i].name);
		for (j = 6; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((v = getenv_fn(var)) == NULL)
			continue;
		if (flaky_opts_set(o, options[i].name, v, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
flaky_opts_from_json(struct flaky_opts *o, const char *json, char *err,
    size_t errlen)
{
	struct json_object	*root;
	struct flaky_opts	 tmp = *o;
	int			 rc = 0;

	if (json == NULL || json[strspn(json, " \t\r\n")] == '\0')
		return 0;
	root = json_tokener_parse(json);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "config_json is not a JSON object");
		json_object_put(root);
		return -1;
	}
	json_object_object_foreach(root, key, val) {
		if (val == NULL)
			continue;	/* "key": null leaves the option alone */
		if (json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array)) {
			snprintf(err, errlen, "bad value for %s", key);
			rc = -1;
			break;
		}
		if (flaky_opts_set(&tmp, key, json_object_get_string(val), err,
		    errlen) == -1) {
			rc = -1;
			break;
		}
	}
	json_object_put(root);
	if (rc == 0)
		*o = tmp;
	return rc;
}

static const char *
report_name(int report)
{
	switch (report) {
	case VIGIL_HEALTH_DEGRADED:
		return "degraded";
	case VIGIL_HEALTH_UNHEALTHY:
		return "unhealthy";
	default:
		return "healthy";
	}
}

void
flaky_opts_describe(const struct flaky_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "report=%s crash_after_ms=%lld crash_signal=%d "
	    "hang_health=%d slow_health_ms=%lld exit_at_once=%d never_ready=%d "
	    "ignore_sigterm=%d start_delay_ms=%lld",
	    report_name(o->report), (long long)o->crash_after_ms,
	    o->crash_signal, o->hang_health, (long long)o->slow_health_ms,
	    o->exit_at_once, o->never_ready, o->ignore_sigterm,
	    (long long)o->start_delay_ms);
}
