/* Configuration: validate vigil.toml and plugin.toml trees into structs. */

#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "log.h"
#include "toml.h"

/*
 * toml.cc turns the file into a json-c tree whose nodes know their source
 * line; everything here is checking that tree against tables of key_specs,
 * one table per TOML table. A failed load releases whatever it had filled
 * and leaves the struct zeroed, so the caller has nothing to free; after a
 * successful one the caller owns the struct and frees it with config_free()
 * or manifest_free().
 */

#define KEY_MAX		256			/* longest dotted key we print */
#define VALUE_SHOWN	60			/* bytes of a bad value echoed */
#define DURATION_MAX	(8760ULL * 3600 * 1000)	/* "8760h", one year */
#define COUNT_MAX	1000000			/* thresholds, limits */
#define SOCKET_PATH_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define SHM_NAME_MAX	200

enum key_kind {
	KEY_STRING,		/* char *, vetted by check() */
	KEY_STRINGS,		/* char **, NULL-ended, each vetted by check() */
	KEY_BOOL,		/* bool */
	KEY_UINT32,		/* uint32_t integer in min..max */
	KEY_UINT64,		/* uint64_t integer in min..max */
	KEY_DURATION,		/* uint64_t ms from a string, in min..max */
	KEY_ENUM,		/* int from a word, via parse() */
	KEY_TABLE,		/* a sub-table described by keys */
	KEY_CUSTOM		/* known; the caller loads it */
};

struct key_spec {
	const char		*name;
	enum key_kind		 kind;
	size_t			 off;		/* of the field in the base */
	uint64_t		 min, max;
	const char		*(*check)(const char *);
	int			(*parse)(const char *);
	const char		*words;		/* KEY_ENUM: what parse takes */
	const struct key_spec	*keys;		/* KEY_TABLE */
};

/* Where errors go, and which file they are about. */
struct loader {
	const char	*path;
	char		*err;
	size_t		 errlen;
};

/* --- value checks: NULL if fine, else what is wrong ----------------- */

static const char *
check_abs_path(const char *s)
{
	if (s[0] != '/')
		return "expected an absolute path";
	if (strlen(s) >= PATH_MAX)
		return "path too long";
	return NULL;
}

static const char *
check_opt_abs_path(const char *s)
{
	return s[0] == '\0' ? NULL : check_abs_path(s);
}

static const char *
check_socket_path(const char *s)
{
	if (s[0] != '/')
		return "expected an absolute path";
	if (strlen(s) > SOCKET_PATH_MAX)
		return "longer than the 107 bytes a socket path can hold";
	return NULL;
}

static const char *
check_shm_name(const char *s)
{
	if (s[0] != '/' || s[1] == '\0' || strchr(s + 1, '/') != NULL)
		return "expected \"/NAME\" with no other '/'";
	if (strlen(s) > SHM_NAME_MAX)
		return "longer than 200 bytes";
	return NULL;
}

static const char *
check_nonempty(const char *s)
{
	return s[0] == '\0' ? "must not be empty" : NULL;
}

static const char *
check_plugin_name(const char *s)
{
	if (!config_valid_plugin_name(s))
		return "expected a name matching [a-z0-9][a-z0-9_-]{0,62}";
	return NULL;
}

/* A user or group name as useradd would take it, or "" for the default. */
static const char *
check_opt_account(const char *s)
{
	size_t	i;

	if (s[0] == '-')
		return "expected a user or group name";
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 32 || strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]) == NULL)
			return "expected a user or group name";
	}
	return NULL;
}

static const char *
check_account(const char *s)
{
	return s[0] == '\0' ? "must not be empty" : check_opt_account(s);
}

/* Parse a decimal number of at most maxdigits digits; -1 if not one. */
static long
parse_small_number(const char *s, size_t maxdigits)
{
	long	n = 0;
	size_t	i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == maxdigits)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return i == 0 || s[i] != '\0' ? -1 : n;
}

/* IP:PORT with an IPv4 address or a bracketed IPv6 one. */
static const char *
check_listen(const char *s)
{
	static const char	*what = "expected IP:PORT, e.g. "
	    "\"0.0.0.0:11371\" or \"[::1]:11371\", with PORT 1..65535";
	const char		*colon = strrchr(s, ':');
	char			 host[INET6_ADDRSTRLEN + 2];
	unsigned char		 addr[sizeof(struct in6_addr)];
	size_t			 len;
	long			 port;

	if (colon == NULL || (len = (size_t)(colon - s)) >= sizeof host)
		return what;
	port = parse_small_number(colon + 1, 5);
	if (port < 1 || port > 65535)
		return what;
	memcpy(host, s, len);
	host[len] = '\0';
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, addr) == 1 ? NULL : what;
	}
	return inet_pton(AF_INET, host, addr) == 1 ? NULL : what;
}

/* An IPv4 network "a.b.c.d/n". */
static const char *
check_cidr(const char *s)
{
	static const char	*what = "expected an IPv4 network \"a.b.c.d/n\"";
	const char		*slash = strchr(s, '/');
	char			 host[INET_ADDRSTRLEN];
	struct in_addr		 addr;
	size_t			 len;
	long			 bits;

	if (slash == NULL || (len = (size_t)(slash - s)) >= sizeof host)
		return what;
	bits = parse_small_number(slash + 1, 2);
	if (bits < 0 || bits > 32)
		return what;
	memcpy(host, s, len);
	host[len] = '\0';
	return inet_pton(AF_INET, host, &addr) == 1 ? NULL : what;
}

/* --- the keys of each table ----------------------------------------- */

#define SUP(f)		offsetof(struct vigil_config, supervisor.f)
#define HEALTH(f)	offsetof(struct health_config, f)
#define API(f)		offsetof(struct vigil_config, api.f)
#define LOGGING(f)	offsetof(struct vigil_config, logging.f)
#define PLUGIN(f)	offsetof(struct manifest, f)

static const struct key_spec health_keys[] = {
	{ .name = "check_interval", .kind = KEY_DURATION,
	  .off = HEALTH(check_interval_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "check_timeout", .kind = KEY_DURATION,
	  .off = HEALTH(check_timeout_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "failure_threshold", .kind = KEY_UINT32,
	  .off = HEALTH(failure_threshold), .min = 1, .max = COUNT_MAX },
	{ .name = "success_threshold", .kind = KEY_UINT32,
	  .off = HEALTH(success_threshold), .min = 1, .max = COUNT_MAX },
	{ .name = "max_restarts", .kind = KEY_UINT32,
	  .off = HEALTH(max_restarts), .min = 0, .max = COUNT_MAX },
	{ .name = "restart_backoff", .kind = KEY_DURATION,
	  .off = HEALTH(restart_backoff_ms), .min = 0, .max = DURATION_MAX },
	{ .name = "max_restart_backoff", .kind = KEY_DURATION,
	  .off = HEALTH(max_restart_backoff_ms), .min = 1,
	  .max = DURATION_MAX },
	{ .name = "stable_period", .kind = KEY_DURATION,
	  .off = HEALTH(stable_period_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "degraded_latency", .kind = KEY_DURATION,
	  .off = HEALTH(degraded_latency_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "start_timeout", .kind = KEY_DURATION,
	  .off = HEALTH(start_timeout_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "stop_timeout", .kind = KEY_DURATION,
	  .off = HEALTH(stop_timeout_ms), .min = 1, .max = DURATION_MAX },
	{ .name = NULL }
};

static const struct key_spec supervisor_keys[] = {
	{ .name = "plugin_dir", .kind = KEY_STRING, .off = SUP(plugin_dir),
	  .check = check_abs_path },
	{ .name = "runtime_dir", .kind = KEY_STRING, .off = SUP(runtime_dir),
	  .check = check_abs_path },
	{ .name = "control_socket", .kind = KEY_STRING,
	  .off = SUP(control_socket), .check = check_socket_path },
	{ .name = "shm_name", .kind = KEY_STRING, .off = SUP(shm_name),
	  .check = check_shm_name },
	{ .name = "plugin_user", .kind = KEY_STRING, .off = SUP(plugin_user),
	  .check = check_account },
	{ .name = "demo", .kind = KEY_BOOL, .off = SUP(demo) },
	{ .name = "max_plugins", .kind = KEY_UINT32, .off = SUP(max_plugins),
	  .min = 1, .max = 65536 },
	{ .name = "restarts_per_minute", .kind = KEY_UINT32,
	  .off = SUP(restarts_per_minute), .min = 1, .max = COUNT_MAX },
	{ .name = NULL }
};

static int
api_scheduling_parse(const char *s)
{
	if (strcmp(s, "batch") == 0)
		return API_SCHED_BATCH;
	if (strcmp(s, "inherit") == 0)
		return API_SCHED_INHERIT;
	return -1;
}

static const struct key_spec api_keys[] = {
	{ .name = "listen", .kind = KEY_STRING, .off = API(listen),
	  .check = check_listen },
	{ .name = "user", .kind = KEY_STRING, .off = API(user),
	  .check = check_account },
	{ .name = "token_file", .kind = KEY_STRING, .off = API(token_file),
	  .check = check_opt_abs_path },
	{ .name = "heartbeat_timeout", .kind = KEY_DURATION,
	  .off = API(heartbeat_timeout_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "dashboard", .kind = KEY_BOOL, .off = API(dashboard) },
	{ .name = "www_dir", .kind = KEY_STRING, .off = API(www_dir),
	  .check = check_opt_abs_path },
	{ .name = "threads", .kind = KEY_UINT32, .off = API(threads),
	  .min = 1, .max = 1024 },
	{ .name = "allow", .kind = KEY_STRINGS, .off = API(allow),
	  .check = check_cidr },
	{ .name = "rate_limit_per_minute", .kind = KEY_UINT32,
	  .off = API(rate_limit_per_minute), .min = 1, .max = COUNT_MAX },
	{ .name = "request_timeout", .kind = KEY_DURATION,
	  .off = API(request_timeout_ms), .min = 1, .max = DURATION_MAX },
	{ .name = "auth_probes", .kind = KEY_BOOL, .off = API(auth_probes) },
	{ .name = "scheduling", .kind = KEY_ENUM, .off = API(scheduling),
	  .parse = api_scheduling_parse, .words = "batch, inherit" },
	{ .name = NULL }
};

static const struct key_spec logging_keys[] = {
	{ .name = "level", .kind = KEY_ENUM, .off = LOGGING(level),
	  .parse = log_level_parse, .words = "debug, info, warn, error" },
	{ .name = "format", .kind = KEY_ENUM, .off = LOGGING(format),
	  .parse = log_format_parse, .words = "logfmt, json" },
	{ .name = NULL }
};

/* Offsets here are from the start of struct vigil_config. */
static const struct key_spec config_keys[] = {
	{ .name = "supervisor", .kind = KEY_TABLE, .off = 0,
	  .keys = supervisor_keys },
	{ .name = "health", .kind = KEY_TABLE,
	  .off = offsetof(struct vigil_config, health), .keys = health_keys },
	{ .name = "api", .kind = KEY_TABLE, .off = 0, .keys = api_keys },
	{ .name = "logging", .kind = KEY_TABLE, .off = 0,
	  .keys = logging_keys },
	{ .name = NULL }
};

static const struct key_spec plugin_keys[] = {
	{ .name = "name", .kind = KEY_STRING, .off = PLUGIN(name),
	  .check = check_plugin_name },
	{ .name = "version", .kind = KEY_STRING, .off = PLUGIN(version) },
	{ .name = "executable", .kind = KEY_STRING, .off = PLUGIN(executable),
	  .check = check_nonempty },
	{ .name = "protocol_version", .kind = KEY_STRING,
	  .off = PLUGIN(protocol_version) },
	{ .name = "description", .kind = KEY_STRING,
	  .off = PLUGIN(description) },
	{ .name = "author", .kind = KEY_STRING, .off = PLUGIN(author) },
	{ .name = "license", .kind = KEY_STRING, .off = PLUGIN(license) },
	{ .name = "capabilities", .kind = KEY_STRINGS,
	  .off = PLUGIN(capabilities) },
	{ .name = "dependencies", .kind = KEY_STRINGS,
	  .off = PLUGIN(dependencies) },
	{ .name = "config", .kind = KEY_CUSTOM },
	{ .name = NULL }
};

static const struct key_spec vigil_keys[] = {
	{ .name = "protocol", .kind = KEY_CUSTOM },
	{ .name = "address", .kind = KEY_CUSTOM },
	{ .name = "env", .kind = KEY_CUSTOM },
	{ .name = "args", .kind = KEY_STRINGS, .off = PLUGIN(args) },
	{ .name = "user", .kind = KEY_STRING, .off = PLUGIN(user),
	  .check = check_opt_account },
	{ .name = "group", .kind = KEY_STRING, .off = PLUGIN(group),
	  .check = check_opt_account },
	{ .name = "run_as_root", .kind = KEY_BOOL, .off = PLUGIN(run_as_root) },
	{ .name = "required", .kind = KEY_BOOL, .off = PLUGIN(required) },
	{ .name = "magic_cookie_key", .kind = KEY_STRING,
	  .off = PLUGIN(magic_cookie_key) },
	{ .name = "magic_cookie_value", .kind = KEY_STRING,
	  .off = PLUGIN(magic_cookie_value) },
	{ .name = "rlimit_nofile", .kind = KEY_UINT64,
	  .off = PLUGIN(rlimit_nofile), .min = 0, .max = INT32_MAX },
	{ .name = "rlimit_as", .kind = KEY_UINT64, .off = PLUGIN(rlimit_as),
	  .min = 0, .max = INT64_MAX },
	{ .name = "rlimit_cpu", .kind = KEY_UINT64, .off = PLUGIN(rlimit_cpu),
	  .min = 0, .max = INT64_MAX },
	{ .name = "health", .kind = KEY_TABLE, .off = PLUGIN(health),
	  .keys = health_keys },
	{ .name = NULL }
};

/* Offsets here are from the start of struct manifest. */
static const struct key_spec manifest_keys[] = {
	{ .name = "plugin", .kind = KEY_TABLE, .off = 0, .keys = plugin_keys },
	{ .name = "vigil", .kind = KEY_TABLE, .off = 0, .keys = vigil_keys },
	{ .name = NULL }
};

/* --- errors and warnings -------------------------------------------- */

/* Fill the error buffer with "FILE:LINE: KEY: problem"; returns -1. */
static int __attribute__((format(printf, 4, 5)))
load_error(struct loader *ld, struct json_object *node, const char *key,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;
	int	line = toml_line(node);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ld->err == NULL || ld->errlen == 0)
		return -1;
	if (line > 0)
		snprintf(ld->err, ld->errlen, "%s:%d: %s: %s", ld->path, line,
		    key, msg);
	else
		snprintf(ld->err, ld->errlen, "%s: %s: %s", ld->path, key, msg);
	return -1;
}

/* A problem with the file as a whole: "FILE: what". */
static int
file_error(struct loader *ld, const char *what)
{
	if (ld->err != NULL && ld->errlen > 0)
		snprintf(ld->err, ld->errlen, "%s: %s", ld->path, what);
	return -1;
}

static int
oom_error(struct loader *ld)
{
	return file_error(ld, "out of memory");
}

/* Copy s for an error message: printable ASCII only, cut at VALUE_SHOWN. */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 4 < size && i < VALUE_SHOWN; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ? s[i] :
		    '?';
	if (s[i] != '\0')
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

static const char *
type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return "boolean";
	case json_type_double:
		return "float";
	case json_type_int:
		return "integer";
	case json_type_object:
		return "table";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	case json_type_null:
		break;
	}
	return "nothing";
}

static void
warn_unknown(struct loader *ld, struct json_object *node, const char *key)
{
	log_warn("unknown configuration key ignored", "file=%s line=%d key=%s",
	    ld->path, toml_line(node), key);
}

static void
join_key(char *buf, size_t size, const char *prefix, const char *name)
{
	if (prefix[0] == '\0')
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s.%s", prefix, name);
}

/* Render ms the way a user writes it: "1m30s", "250ms", "0s". */
static const char *
format_duration(uint64_t ms, char *buf, size_t size)
{
	static const struct { uint64_t ms; const char *unit; } units[] = {
		{ 3600000, "h" }, { 60000, "m" }, { 1000, "s" }, { 1, "ms" }
	};
	size_t	i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof units / sizeof units[0] && len + 1 < size; i++) {
		if (ms < units[i].ms)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%" PRIu64 "%s",
		    ms / units[i].ms, units[i].unit);
		ms %= units[i].ms;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "0s");
	return buf;
}

/* --- typed getters -------------------------------------------------- */

static int
expect_type(struct loader *ld, struct json_object *v, const char *key,
    enum json_type type, const char *what)
{
	if (json_object_is_type(v, type))
		return 0;
	return load_error(ld, v, key, "expected %s, got %s", what,
	    type_name(v));
}

/* The C string of a TOML string; a NUL inside would silently cut it. */
static int
get_string(struct loader *ld, struct json_object *v, const char *key,
    const char **out)
{
	if (expect_type(ld, v, key, json_type_string, "a string") == -1)
		return -1;
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return load_error(ld, v, key, "contains a NUL character");
	return 0;
}

static int
get_checked_string(struct loader *ld, struct json_object *v, const char *key,
    const char *(*check)(const char *), const char **out)
{
	const char	*problem;
	char		 buf[VALUE_SHOWN + 8];

	if (get_string(ld, v, key, out) == -1)
		return -1;
	if (check == NULL || (problem = check(*out)) == NULL)
		return 0;
	if ((*out)[0] == '\0')
		return load_error(ld, v, key, "%s", problem);
	return load_error(ld, v, key, "%s, got \"%s\"", problem,
	    shown(*out, buf, sizeof buf));
}

static int
replace_string(struct loader *ld, char **field, const char *value)
{
	char	*copy;

	if ((copy = strdup(value)) == NULL)
		return oom_error(ld);
	free(*field);
	*field = copy;
	return 0;
}

static void
free_strv(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static char **
empty_strv(void)
{
	return calloc(1, sizeof(char *));
}

/* --- one key, by kind ----------------------------------------------- */

static int
load_key_string(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, char **field)
{
	const char	*s;

	if (get_checked_string(ld, v, key, ks->check, &s) == -1)
		return -1;
	return replace_string(ld, field, s);
}

static int
load_key_strings(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, char ***field)
{
	char		**strv, elem[KEY_MAX + 32];
	const char	 *s;
	size_t		  i, n;

	if (expect_type(ld, v, key, json_type_array, "an array of strings")
	    == -1)
		return -1;
	n = json_object_array_length(v);
	if ((strv = calloc(n + 1, sizeof *strv)) == NULL)
		return oom_error(ld);
	for (i = 0; i < n; i++) {
		snprintf(elem, sizeof elem, "%s[%zu]", key, i);
		if (get_checked_string(ld, json_object_array_get_idx(v, i),
		    elem, ks->check, &s) == -1)
			goto fail;
		if ((strv[i] = strdup(s)) == NULL) {
			oom_error(ld);
			goto fail;
		}
	}
	free_strv(*field);
	*field = strv;
	return 0;
fail:
	free_strv(strv);
	return -1;
}

static int
load_key_bool(struct loader *ld, struct json_object *v, const char *key,
    bool *field)
{
	if (expect_type(ld, v, key, json_type_boolean, "a boolean") == -1)
		return -1;
	*field = json_object_get_boolean(v);
	return 0;
}

static int
get_integer(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, uint64_t *out)
{
	int64_t	n;

	if (expect_type(ld, v, key, json_type_int, "an integer") == -1)
		return -1;
	n = json_object_get_int64(v);
	if (n >= 0 && (uint64_t)n >= ks->min && (uint64_t)n <= ks->max) {
		*out = (uint64_t)n;
		return 0;
	}
	if (ks->max >= INT64_MAX)
		return load_error(ld, v, key, "must be at least %" PRIu64
		    ", got %" PRId64, ks->min, n);
	return load_error(ld, v, key, "must be between %" PRIu64 " and %"
	    PRIu64 ", got %" PRId64, ks->min, ks->max, n);
}

static int
load_key_duration(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, uint64_t *field)
{
	const char	*s;
	char		 buf[VALUE_SHOWN + 8], max[32];
	uint64_t	 ms;

	if (!json_object_is_type(v, json_type_string))
		return load_error(ld, v, key, "expected a duration string "
		    "like \"30s\", got %s", type_name(v));
	if (get_string(ld, v, key, &s) == -1)
		return -1;
	if (config_parse_duration(s, &ms) == -1)
		return load_error(ld, v, key, "expected a duration like "
		    "\"250ms\", \"30s\", \"5m\", \"1h\" or \"1m30s\", got \"%s\"",
		    shown(s, buf, sizeof buf));
	if (ms < ks->min)
		return load_error(ld, v, key, "must be longer than 0s");
	if (ms > ks->max)
		return load_error(ld, v, key, "must be at most %s, got \"%s\"",
		    format_duration(ks->max, max, sizeof max),
		    shown(s, buf, sizeof buf));
	*field = ms;
	return 0;
}

static int
load_key_enum(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, int *field)
{
	const char	*s;
	char		 buf[VALUE_SHOWN + 8];
	int		 value;

	if (get_string(ld, v, key, &s) == -1)
		return -1;
	if ((value = ks->parse(s)) == -1)
		return load_error(ld, v, key, "expected one of %s, got \"%s\"",
		    ks->words, shown(s, buf, sizeof buf));
	*field = value;
	return 0;
}

static int	load_table(struct loader *, struct json_object *, const char *,
		    const struct key_spec *, char *);

static int
load_key(struct loader *ld, struct json_object *v, const char *key,
    const struct key_spec *ks, char *field)
{
	uint64_t	n;

	switch (ks->kind) {
	case KEY_STRING:
		return load_key_string(ld, v, key, ks, (char **)(void *)field);
	case KEY_STRINGS:
		return load_key_strings(ld, v, key, ks,
		    (char ***)(void *)field);
	case KEY_BOOL:
		return load_key_bool(ld, v, key, (bool *)field);
	case KEY_UINT32:
		if (get_integer(ld, v, key, ks, &n) == -1)
			return -1;
		*(uint32_t *)(void *)field = (uint32_t)n;
		return 0;
	case KEY_UINT64:
		return get_integer(ld, v, key, ks, (uint64_t *)(void *)field);
	case KEY_DURATION:
		return load_key_duration(ld, v, key, ks,
		    (uint64_t *)(void *)field);
	case KEY_ENUM:
		return load_key_enum(ld, v, key, ks, (int *)(void *)field);
	case KEY_TABLE:
		if (expect_type(ld, v, key, json_type_object, "a table") == -1)
			return -1;
		return load_table(ld, v, key, ks->keys, field);
	case KEY_CUSTOM:
		return 0;
	}
	return load_error(ld, v, key, "internal error: unknown key kind");
}

static const struct key_spec *
find_key(const struct key_spec *keys, const char *name)
{
	for (; keys->name != NULL; keys++) {
		if (strcmp(keys->name, name) == 0)
			return keys;
	}
	return NULL;
}

/*
 * Load every key of table into the struct at base as keys describes;
 * sub-tables recurse with their own offsets from the same base. Unknown keys
 * are warned about and skipped.
 */
static int
load_table(struct loader *ld, struct json_object *table, const char *prefix,
    const struct key_spec *keys, char *base)
{
	struct json_object_iterator	 it, end;
	const struct key_spec		*ks;
	struct json_object		*v;
	char				 key[KEY_MAX];

	it = json_object_iter_begin(table);
	end = json_object_iter_end(table);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		join_key(key, sizeof key, prefix, json_object_iter_peek_name(&it));
		v = json_object_iter_peek_value(&it);
		if ((ks = find_key(keys, json_object_iter_peek_name(&it))) == NULL)
			warn_unknown(ld, v, key);
		else if (load_key(ld, v, key, ks, base + ks->off) == -1)
			return -1;
	}
	return 0;
}

/* --- cross-key rules ------------------------------------------------ */

/* Report "a (va) must not be RELATION b (vb)" at whichever key the file set. */
static int
conflict_error(struct loader *ld, struct json_object *table,
    const char *prefix, const char *a, uint64_t va, const char *relation,
    const char *b, uint64_t vb)
{
	struct json_object	*node = table;
	const char		*at = a;
	char			 key[KEY_MAX], sa[32], sb[32];

	if (table != NULL && !json_object_object_get_ex(table, a, &node)) {
		if (json_object_object_get_ex(table, b, &node))
			at = b;
		else
			node = table;
	}
	join_key(key, sizeof key, prefix, at);
	return load_error(ld, node, key, "%s (%s) must not be %s %s (%s)", a,
	    format_duration(va, sa, sizeof sa), relation, b,
	    format_duration(vb, sb, sizeof sb));
}

/* Rules between [health] keys; table is the one the file had, or NULL. */
static int
check_health(struct loader *ld, struct json_object *table, const char *prefix,
    const struct health_config *h)
{
	if (h->check_timeout_ms > h->check_interval_ms)
		return conflict_error(ld, table, prefix, "check_timeout",
		    h->check_timeout_ms, "longer than", "check_interval",
		    h->check_interval_ms);
	if (h->max_restart_backoff_ms < h->restart_backoff_ms)
		return conflict_error(ld, table, prefix, "max_restart_backoff",
		    h->max_restart_backoff_ms, "shorter than",
		    "restart_backoff", h->restart_backoff_ms);
	return 0;
}

/* The member name of obj, or NULL when absent. */
static struct json_object *
member(struct json_object *obj, const char *name)
{
	struct json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, name, &v))
		return NULL;
	return v;
}

/* --- main configuration file ---------------------------------------- */

static void
health_defaults(struct health_config *h)
{
	h->check_interval_ms = 30 * 1000;
	h->check_timeout_ms = 10 * 1000;
	h->failure_threshold = 3;
	h->success_threshold = 2;
	h->max_restarts = 5;
	h->restart_backoff_ms = 5 * 1000;
	h->max_restart_backoff_ms = 5 * 60 * 1000;
	h->stable_period_ms = 10 * 60 * 1000;
	h->degraded_latency_ms = 5 * 1000;
	h->start_timeout_ms = 30 * 1000;
	h->stop_timeout_ms = 10 * 1000;
}

/* Defaults, with allocated strings; -1 if any allocation failed. */
static int
set_defaults(struct vigil_config *cfg)
{
	struct supervisor_config	*s = &cfg->supervisor;
	struct api_config		*a = &cfg->api;

	memset(cfg, 0, sizeof *cfg);
	s->plugin_dir = strdup("/etc/vigil/plugins");
	s->runtime_dir = strdup("/run/vigil");
	s->control_socket = strdup("/run/vigil/control.sock");
	s->shm_name = strdup("/vigil");
	s->plugin_user = strdup("vigil-plugin");
	s->max_plugins = 1024;
	s->restarts_per_minute = 6;
	health_defaults(&cfg->health);
	a->listen = strdup("0.0.0.0:11371");
	a->user = strdup("vigil");
	a->token_file = strdup("");
	a->heartbeat_timeout_ms = 3 * 1000;
	a->www_dir = strdup("");
	a->threads = 8;
	a->allow = empty_strv();
	a->rate_limit_per_minute = 60;
	a->request_timeout_ms = 10 * 1000;
	a->scheduling = API_SCHED_BATCH;
	cfg->logging.level = LOG_LEVEL_INFO;
	cfg->logging.format = LOG_FORMAT_LOGFMT;
	if (s->plugin_dir == NULL || s->runtime_dir == NULL ||
	    s->control_socket == NULL || s->shm_name == NULL ||
	    s->plugin_user == NULL || a->listen == NULL || a->user == NULL ||
	    a->token_file == NULL || a->www_dir == NULL || a->allow == NULL)
		return -1;
	return 0;
}

void
config_defaults(struct vigil_config *cfg)
{
	/* Out of memory leaves NULL strings; config_load reports it. */
	(void)set_defaults(cfg);
}

int
config_load(const char *path, struct vigil_config *cfg, char *err,
    size_t errlen)
{
	struct loader		 ld = { path, err, errlen };
	struct json_object	*root;
	int			 rc = -1;

	if (set_defaults(cfg) == -1 || (cfg->path = strdup(path)) == NULL) {
		oom_error(&ld);
		goto out;
	}
	if ((root = toml_parse_file(path, err, errlen)) == NULL)
		goto out;
	if (load_table(&ld, root, "", config_keys, (char *)cfg) == 0)
		rc = check_health(&ld, member(root, "health"), "health",
		    &cfg->health);
	json_object_put(root);
out:
	if (rc == -1)
		config_free(cfg);
	return rc;
}

void
config_free(struct vigil_config *cfg)
{
	free(cfg->path);
	free(cfg->supervisor.plugin_dir);
	free(cfg->supervisor.runtime_dir);
	free(cfg->supervisor.control_socket);
	free(cfg->supervisor.shm_name);
	free(cfg->supervisor.plugin_user);
	free(cfg->api.listen);
	free(cfg->api.user);
	free(cfg->api.token_file);
	free(cfg->api.www_dir);
	free_strv(cfg->api.allow);
	memset(cfg, 0, sizeof *cfg);
}

/* --- plugin manifests ----------------------------------------------- */

static int
manifest_defaults(struct manifest *m, const char *path,
    const struct health_config *defaults)
{
	memset(m, 0, sizeof *m);
	m->path = strdup(path);
	m->version = strdup("");
	m->protocol_version = strdup("1.0");
	m->description = strdup("");
	m->author = strdup("");
	m->license = strdup("");
	m->capabilities = empty_strv();
	m->dependencies = empty_strv();
	m->config_json = strdup("{}");
	m->protocol = PLUGIN_PROTOCOL_HKP;
	m->args = empty_strv();
	m->env = empty_strv();
	m->user = strdup("");
	m->group = strdup("");
	m->required = true;
	m->magic_cookie_key = strdup("");
	m->magic_cookie_value = strdup("");
	if (defaults != NULL)
		m->health = *defaults;
	else
		health_defaults(&m->health);
	if (m->path == NULL || m->version == NULL ||
	    m->protocol_version == NULL || m->description == NULL ||
	    m->author == NULL || m->license == NULL ||
	    m->capabilities == NULL || m->dependencies == NULL ||
	    m->config_json == NULL || m->args == NULL || m->env == NULL ||
	    m->user == NULL || m->group == NULL ||
	    m->magic_cookie_key == NULL || m->magic_cookie_value == NULL)
		return -1;
	return 0;
}

/* The absolute directory holding the manifest. */
static int
manifest_dir(struct loader *ld, struct manifest *m)
{
	const char	*slash = strrchr(m->path, '/');
	char		*dir;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == m->path)
		dir = strdup("/");
	else
		dir = strndup(m->path, (size_t)(slash - m->path));
	if (dir == NULL)
		return oom_error(ld);
	m->dir = realpath(dir, NULL);
	free(dir);
	if (m->dir == NULL)
		return file_error(ld, strerror(errno));
	return 0;
}

/* plugin.executable, made absolute against the manifest's directory. */
static int
resolve_executable(struct loader *ld, struct manifest *m)
{
	const char	*exe = m->executable;
	char		*abs;

	if (exe[0] == '/')
		return 0;
	while (exe[0] == '.' && exe[1] == '/')
		exe += 2;
	if (asprintf(&abs, "%s%s%s", m->dir,
	    strcmp(m->dir, "/") == 0 ? "" : "/", exe) == -1)
		return oom_error(ld);
	free(m->executable);
	m->executable = abs;
	return 0;
}

/* JSON has no NaN or infinity: refuse them rather than send bad JSON. */
static int
check_json_numbers(struct loader *ld, struct json_object *v, const char *key)
{
	struct json_object_iterator	 it, end;
	char				 sub[KEY_MAX];
	size_t				 i;
	double				 d;

	switch (json_object_get_type(v)) {
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d))
			return load_error(ld, v, key, "nan and inf have no "
			    "JSON form");
		return 0;
	case json_type_array:
		for (i = 0; i < json_object_array_length(v); i++) {
			snprintf(sub, sizeof sub, "%s[%zu]", key, i);
			if (check_json_numbers(ld,
			    json_object_array_get_idx(v, i), sub) == -1)
				return -1;
		}
		return 0;
	case json_type_object:
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			join_key(sub, sizeof sub, key,
			    json_object_iter_peek_name(&it));
			if (check_json_numbers(ld,
			    json_object_iter_peek_value(&it), sub) == -1)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* [plugin.config], any tree, handed to the plugin as compact JSON. */
static int
load_plugin_config(struct loader *ld, struct json_object *conf,
    struct manifest *m)
{
	const char	*json;

	if (conf == NULL)
		return 0;
	if (expect_type(ld, conf, "plugin.config", json_type_object,
	    "a table") == -1 ||
	    check_json_numbers(ld, conf, "plugin.config") == -1)
		return -1;
	json = json_object_to_json_string_ext(conf,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (json == NULL)
		return oom_error(ld);
	return replace_string(ld, &m->config_json, json);
}

/* The required keys of [plugin], and what follows from them. */
static int
load_plugin(struct loader *ld, struct json_object *plugin, struct manifest *m)
{
	if (plugin == NULL)
		return load_error(ld, NULL, "plugin",
		    "missing the [plugin] table");
	if (m->name == NULL)
		return load_error(ld, plugin, "plugin.name", "missing");
	if (m->executable == NULL)
		return load_error(ld, plugin, "plugin.executable", "missing");
	if (resolve_executable(ld, m) == -1)
		return -1;
	return load_plugin_config(ld, member(plugin, "config"), m);
}

static bool
valid_env_name(const char *s)
{
	size_t	i;

	if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	}
	return true;
}

/* One "NAME=VALUE" for each entry of the [vigil.env] table. */
static int
load_env(struct loader *ld, struct json_object *env, struct manifest *m)
{
	struct json_object_iterator	  it, end;
	char				**strv, key[KEY_MAX], buf[VALUE_SHOWN + 8];
	const char			 *name, *value;
	size_t				  n = 0;

	if (env == NULL)
		return 0;
	if (expect_type(ld, env, "vigil.env", json_type_object, "a table")
	    == -1)
		return -1;
	strv = calloc((size_t)json_object_object_length(env) + 1, sizeof *strv);
	if (strv == NULL)
		return oom_error(ld);
	it = json_object_iter_begin(env);
	end = json_object_iter_end(env);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		join_key(key, sizeof key, "vigil.env", shown(name, buf,
		    sizeof buf));
		if (!valid_env_name(name)) {
			load_error(ld, json_object_iter_peek_value(&it), key,
			    "expected a variable name matching "
			    "[A-Za-z_][A-Za-z0-9_]*");
			goto fail;
		}
		if (get_string(ld, json_object_iter_peek_value(&it), key,
		    &value) == -1)
			goto fail;
		if (asprintf(&strv[n], "%s=%s", name, value) == -1) {
			strv[n] = NULL;
			oom_error(ld);
			goto fail;
		}
		n++;
	}
	free_strv(m->env);
	m->env = strv;
	return 0;
fail:
	free_strv(strv);
	return -1;
}

/* vigil.protocol and vigil.address, two words each. */
static int
load_protocol(struct loader *ld, struct json_object *vigil,
    struct manifest *m)
{
	struct json_object	*v;
	const char		*s;
	char			 buf[VALUE_SHOWN + 8];

	if ((v = member(vigil, "protocol")) != NULL) {
		if (get_string(ld, v, "vigil.protocol", &s) == -1)
			return -1;
		if (strcmp(s, "hkp") == 0)
			m->protocol = PLUGIN_PROTOCOL_HKP;
		else if (strcmp(s, "go-plugin") == 0)
			m->protocol = PLUGIN_PROTOCOL_GOPLUGIN;
		else
			return load_error(ld, v, "vigil.protocol", "expected "
			    "\"hkp\" or \"go-plugin\", got \"%s\"",
			    shown(s, buf, sizeof buf));
	}
	if ((v = member(vigil, "address")) != NULL) {
		if (get_string(ld, v, "vigil.address", &s) == -1)
			return -1;
		if (strcmp(s, "tcp") != 0 && strcmp(s, "unix") != 0)
			return load_error(ld, v, "vigil.address", "expected "
			    "\"tcp\" or \"unix\", got \"%s\"",
			    shown(s, buf, sizeof buf));
		m->address_unix = strcmp(s, "unix") == 0;
	}
	return 0;
}

/* Rules between [vigil] keys. */
static int
check_vigil(struct loader *ld, struct json_object *vigil, struct manifest *m)
{
	struct json_object	*at;

	if (m->address_unix && m->protocol != PLUGIN_PROTOCOL_HKP)
		return load_error(ld, member(vigil, "address"), "vigil.address",
		    "\"unix\" needs protocol = \"hkp\" (go-plugin picks its "
		    "own address)");
	if (m->protocol == PLUGIN_PROTOCOL_GOPLUGIN) {
		if (m->magic_cookie_key[0] == '\0')
			return load_error(ld, (at = member(vigil,
			    "magic_cookie_key")) ? at : vigil,
			    "vigil.magic_cookie_key",
			    "required when protocol = \"go-plugin\"");
		if (m->magic_cookie_value[0] == '\0')
			return load_error(ld, (at = member(vigil,
			    "magic_cookie_value")) ? at : vigil,
			    "vigil.magic_cookie_value",
			    "required when protocol = \"go-plugin\"");
	}
	if (m->run_as_root && m->user[0] != '\0')
		return load_error(ld, member(vigil, "run_as_root"),
		    "vigil.run_as_root", "cannot be combined with vigil.user");
	return check_health(ld, member(vigil, "health"), "vigil.health",
	    &m->health);
}

static int
load_vigil(struct loader *ld, struct json_object *vigil, struct manifest *m)
{
	if (load_protocol(ld, vigil, m) == -1 ||
	    load_env(ld, member(vigil, "env"), m) == -1)
		return -1;
	return check_vigil(ld, vigil, m);
}

int
manifest_load(const char *path, const struct health_config *defaults,
    struct manifest *m, char *err, size_t errlen)
{
	struct loader		 ld = { path, err, errlen };
	struct json_object	*root;
	int			 rc = -1;

	if (manifest_defaults(m, path, defaults) == -1) {
		oom_error(&ld);
		goto out;
	}
	if ((root = toml_parse_file(path, err, errlen)) == NULL)
		goto out;
	if (manifest_dir(&ld, m) == 0 &&
	    load_table(&ld, root, "", manifest_keys, (char *)m) == 0 &&
	    load_plugin(&ld, member(root, "plugin"), m) == 0 &&
	    load_vigil(&ld, member(root, "vigil"), m) == 0)
		rc = 0;
	json_object_put(root);
out:
	if (rc == -1)
		manifest_free(m);
	return rc;
}

void
manifest_free(struct manifest *m)
{
	free(m->path);
	free(m->dir);
	free(m->name);
	free(m->version);
	free(m->executable);
	free(m->protocol_version);
	free(m->description);
	free(m->author);
	free(m->license);
	free_strv(m->capabilities);
	free_strv(m->dependencies);
	free(m->config_json);
	free_strv(m->args);
	free_strv(m->env);
	free(m->user);
	free(m->group);
	free(m->magic_cookie_key);
	free(m->magic_cookie_value);
	memset(m, 0, sizeof *m);
}

/* --- small parsers -------------------------------------------------- */

int
config_parse_duration(const char *s, uint64_t *ms)
{
	uint64_t	total = 0, n, unit;

	if (s == NULL || *s == '\0')
		goto invalid;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			goto invalid;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
				goto overflow;
			n = n * 10 + (uint64_t)(*s - '0');
		}
		if (s[0] == 'm' && s[1] == 's')
			unit = 1, s += 2;
		else if (*s == 's')
			unit = 1000, s++;
		else if (*s == 'm')
			unit = 60 * 1000, s++;
		else if (*s == 'h')
			unit = 3600 * 1000, s++;
		else
			goto invalid;
		if (n > (UINT64_MAX - total) / unit)
			goto overflow;
		total += n * unit;
	}
	*ms = total;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
overflow:
	errno = ERANGE;
	return -1;
}

bool
config_valid_plugin_name(const char *name)
{
	size_t	i;

	if (name == NULL)
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		if (i == 63)
			return false;
		if ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			continue;
		if (i == 0 || (name[i] != '_' && name[i] != '-'))
			return false;
	}
	return i > 0;
}
