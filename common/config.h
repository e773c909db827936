/* Configuration: the main vigil.toml and per-plugin plugin.toml manifests. */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Both files are TOML, parsed by toml++ behind common/toml.cc into a json-c
 * tree; this module validates that tree into the structs below. On error the
 * loaders fill err with one line "FILE:LINE: KEY: what is wrong" and return
 * -1; unknown keys are logged as warnings and ignored. All durations are in
 * milliseconds, parsed from strings such as "250ms", "30s", "5m", "1h".
 */

/* The seed's MonitorConfig plus Vigil's additions ([health]). */
struct health_config {
	uint64_t	check_interval_ms;	/* "30s" */
	uint64_t	check_timeout_ms;	/* "10s" */
	uint32_t	failure_threshold;	/* 3 */
	uint32_t	success_threshold;	/* 2 */
	uint32_t	max_restarts;		/* 5 */
	uint64_t	restart_backoff_ms;	/* "5s" */
	uint64_t	max_restart_backoff_ms;	/* "5m" */
	uint64_t	stable_period_ms;	/* "10m" */
	uint64_t	degraded_latency_ms;	/* "5s" */
	uint64_t	start_timeout_ms;	/* "30s" */
	uint64_t	stop_timeout_ms;	/* "10s" */
};

struct supervisor_config {
	char		*plugin_dir;		/* "/etc/vigil/plugins" */
	char		*runtime_dir;		/* "/run/vigil" */
	char		*control_socket;	/* "/run/vigil/control.sock" */
	char		*shm_name;		/* "/vigil" */
	char		*plugin_user;		/* "vigil-plugin" */
	bool		 demo;			/* false */
	uint32_t	 max_plugins;		/* 1024: segment capacity */
	uint32_t	 restarts_per_minute;	/* 6: manual restarts, per plugin */
};

struct api_config {
	char		*listen;		/* "0.0.0.0:11371" */
	char		*user;			/* "vigil" */
	char		*token_file;		/* "" = authentication off */
	uint64_t	 heartbeat_timeout_ms;	/* "3s" */
	bool		 dashboard;		/* false */
	char		*www_dir;		/* "" = built-in default path */
	uint32_t	 threads;		/* 8 */
	char		**allow;		/* CIDRs for management; NULL-ended */
	uint32_t	 rate_limit_per_minute;	/* 60: management, per client */
	uint64_t	 request_timeout_ms;	/* "10s" */
	bool		 auth_probes;		/* false: probes stay open */
	int		 scheduling;		/* API_SCHED_*, "batch" */
};

/* [api] scheduling: the CPU scheduling policy of the apiserver. */
enum api_scheduling {
	API_SCHED_BATCH = 0,	/* SCHED_BATCH */
	API_SCHED_INHERIT	/* whatever it was started with */
};

struct logging_config {
	int		 level;			/* LOG_LEVEL_*, "info" */
	int		 format;		/* LOG_FORMAT_*, "logfmt" */
};

struct vigil_config {
	char			*path;		/* file it was read from */
	struct supervisor_config supervisor;
	struct health_config	 health;
	struct api_config	 api;
	struct logging_config	 logging;
};

enum plugin_protocol {
	PLUGIN_PROTOCOL_HKP = 0,		/* "hkp" */
	PLUGIN_PROTOCOL_GOPLUGIN = 1		/* "go-plugin" */
};

/* One plugin.toml: hkp-plugin-core's [plugin] table plus our [vigil]. */
struct manifest {
	char		*path;			/* .../NAME/plugin.toml */
	char		*dir;			/* directory holding it */
	/* [plugin] */
	char		*name;
	char		*version;
	char		*executable;		/* absolute, resolved against dir */
	char		*protocol_version;
	char		*description;
	char		*author;
	char		*license;
	char		**capabilities;		/* NULL-ended */
	char		**dependencies;		/* NULL-ended */
	char		*config_json;		/* [plugin.config] as JSON, "{}" */
	/* [vigil] */
	enum plugin_protocol protocol;
	bool		 address_unix;		/* address = "unix" */
	char		**args;			/* NULL-ended */
	char		**env;			/* "KEY=VALUE", NULL-ended */
	char		*user;			/* "" = default */
	char		*group;			/* "" = user's primary group */
	bool		 run_as_root;
	bool		 required;		/* true */
	char		*magic_cookie_key;
	char		*magic_cookie_value;
	uint64_t	 rlimit_nofile;		/* 0 = inherit */
	uint64_t	 rlimit_as;		/* bytes, 0 = inherit */
	uint64_t	 rlimit_cpu;		/* seconds, 0 = inherit */
	/* [health] merged with [vigil.health] */
	struct health_config health;
};

/* Fill cfg with the documented defaults. */
void	config_defaults(struct vigil_config *cfg);

/* Read and validate the main file; defaults apply to absent keys. */
int	config_load(const char *path, struct vigil_config *cfg,
	    char *err, size_t errlen);

void	config_free(struct vigil_config *cfg);

/* Read one manifest; health starts from defaults, then [vigil.health]. */
int	manifest_load(const char *path, const struct health_config *defaults,
	    struct manifest *m, char *err, size_t errlen);

void	manifest_free(struct manifest *m);

/* Parse "250ms", "30s", "5m", "1h" (also "1m30s"); -1 on error. */
int	config_parse_duration(const char *s, uint64_t *ms);

/* Whether name matches [a-z0-9][a-z0-9_-]{0,62}. */
bool	config_valid_plugin_name(const char *name);

#endif /* VIGIL_CONFIG_H */
