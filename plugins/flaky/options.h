/* flaky's misbehaviour options, from FLAKY_* variables or config_json. */
#ifndef FLAKY_OPTIONS_H
#define FLAKY_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct flaky_opts {
	int64_t	crash_after_ms;	/* -1 off: exit(1) (or crash_signal) after */
	int	crash_signal;	/* 0: exit code 1; else die by this signal */
	int	hang_health;	/* never answer health checks */
	int64_t	slow_health_ms;	/* answer health checks this late */
	int	report;		/* VIGIL_HEALTH_HEALTHY/DEGRADED/UNHEALTHY */
	int	exit_at_once;	/* -1 off; else exit at once with this code */
	int	never_ready;	/* never finish start-up */
	int	ignore_sigterm;	/* ignore SIGTERM and the Shutdown RPC */
	int64_t	start_delay_ms;	/* delay start-up */
};

void	flaky_opts_defaults(struct flaky_opts *o);
/*
 * Set one option by name ("crash_after_ms", ...) from its text form.
 * Booleans take true/false/1/0/yes/no; report takes healthy/degraded/
 * unhealthy; crash_signal takes a number or a name (KILL, SIGSEGV, ...).
 * 0, or -1 with err filled (unknown name or bad value).
 */
int	flaky_opts_set(struct flaky_opts *o, const char *name, const char *value,
	    char *err, size_t errlen);
/* Read every FLAKY_<NAME> variable that is set through getenv_fn. */
int	flaky_opts_from_env(struct flaky_opts *o,
	    const char *(*getenv_fn)(const char *), char *err, size_t errlen);
/* Apply a JSON object of option names (values: numbers, bools, strings);
 * other members are errors. An empty string means no options. */
int	flaky_opts_from_json(struct flaky_opts *o, const char *json, char *err,
	    size_t errlen);
/* A one-line summary for logs and health details. */
void	flaky_opts_describe(const struct flaky_opts *o, char *buf, size_t len);

#endif /* FLAKY_OPTIONS_H */
