/* Prometheus text exposition of plugin, supervisor and API metrics. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

/* Status codes with their own label value; the rest count as "other". */
static const int codes[] = {
	200, 202, 400, 401, 403, 404, 405, 408, 413, 414, 429, 431, 500, 503
};
#define NCODES		(sizeof(codes) / sizeof(codes[0]))

static _Atomic unsigned long long requests[EP_COUNT][NCODES + 1];

static const char *const endpoint_names[EP_COUNT] = {
	"health", "liveness", "readiness", "plugin_health", "plugins_status",
	"plugins_health", "plugins_restart", "plugins_simulate", "plugins_load",
	"metrics", "dashboard", "other"
};

static size_t
code_index(int status)
{
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i] == status)
			return i;
	return NCODES;
}

void
metrics_count(enum endpoint ep, int status)
{
	if ((unsigned)ep >= EP_COUNT)
		ep = EP_OTHER;
	atomic_fetch_add_explicit(&requests[ep][code_index(status)], 1,
	    memory_order_relaxed);
}

unsigned long long
metrics_requests(enum endpoint ep, int status)
{
	return atomic_load_explicit(&requests[ep][code_index(status)],
	    memory_order_relaxed);
}

const char *
metrics_endpoint_name(enum endpoint ep)
{
	return (unsigned)ep < EP_COUNT ? endpoint_names[ep] : "other";
}

static void
family(struct buf *out, const char *name, const char *type,
    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* Label values from the segment are escaped: its writer is not trusted. */
static void
label_value(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(out, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_append(out, s, 1);
	}
}

static void
plugin_sample(struct buf *out, const char *name,
    const struct vigil_record *r, const char *value)
{
	buf_printf(out, "%s{plugin=\"", name);
	label_value(out, r->name);
	buf_printf(out, "\"} %s\n", value);
}

static void
plugin_u64(struct buf *out, const char *name, const struct vigil_record *r,
    uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	plugin_sample(out, name, r, num);
}

static void
plugin_seconds(struct buf *out, const char *name,
    const struct vigil_record *r, double seconds)
{
	char num[48];

	snprintf(num, sizeof(num), "%.6f", seconds);
	plugin_sample(out, name, r, num);
}

enum plugin_value {
	PV_UP, PV_REQUIRED, PV_CONNECTED, PV_CONSEC_FAILURES, PV_FAILURES,
	PV_CHECKS, PV_RESTARTS, PV_RESTARTS_HOUR, PV_LAST_CHECK,
	PV_LAST_HEALTHY, PV_DURATION, PV_DURATION_AVG
};

struct plugin_family {
	enum plugin_value	 value;
	const char		*name;
	const char		*type;
	const char		*help;
};

static const struct plugin_family plugin_families[] = {
	{ PV_UP, "vigil_plugin_up", "gauge",
	    "Whether the plugin is usable (healthy or degraded)." },
	{ PV_REQUIRED, "vigil_plugin_required", "gauge",
	    "Whether the plugin counts for readiness." },
	{ PV_CONNECTED, "vigil_plugin_connected", "gauge",
	    "Whether the supervisor holds a connection to the plugin." },
	{ PV_CONSEC_FAILURES, "vigil_plugin_consecutive_failures", "gauge",
	    "Health checks failed in a row." },
	{ PV_FAILURES, "vigil_plugin_failures_total", "counter",
	    "Failed health checks since the supervisor started." },
	{ PV_CHECKS, "vigil_plugin_checks_total", "counter",
	    "Health checks since the supervisor started." },
	{ PV_RESTARTS, "vigil_plugin_restarts_total", "counter",
	    "Plugin restarts since the supervisor started." },
	{ PV_RESTARTS_HOUR, "vigil_plugin_restarts_last_hour", "gauge",
	    "Plugin restarts during the last hour." },
	{ PV_LAST_CHECK, "vigil_plugin_last_check_timestamp_seconds", "gauge",
	    "Unix time of the last health check (0 = never)." },
	{ PV_LAST_HEALTHY, "vigil_plugin_last_healthy_timestamp_seconds",
	    "gauge", "Unix time of the last successful check (0 = never)." },
	{ PV_DURATION, "vigil_plugin_health_check_duration_seconds", "gauge",
	    "Duration of the last health check." },
	{ PV_DURATION_AVG,
	    "vigil_plugin_health_check_duration_average_seconds", "gauge",
	    "Moving average of health check durations." },
};

static uint64_t
plugin_count_value(const struct vigil_record *r, enum plugin_value pv)
{
	switch (pv) {
	case PV_UP:		return status_record_usable(r);
	case PV_REQUIRED:	return status_record_required(r);
	case PV_CONNECTED:	return (r->flags & VIGIL_REC_CONNECTED) != 0;
	case PV_CONSEC_FAILURES: return r->consecutive_failures;
	case PV_FAILURES:	return r->total_failures;
	case PV_CHECKS:		return r->total_checks;
	case PV_RESTARTS:	return r->total_restarts;
	case PV_RESTARTS_HOUR:	return r->restarts_last_hour;
	default:		return 0;
	}
}

/* Times and durations are microseconds in the record, seconds here. */
static double
plugin_seconds_value(const struct vigil_record *r, enum plugin_value pv)
{
	switch (pv) {
	case PV_LAST_CHECK:
		return r->last_check_us > 0 ? (double)r->last_check_us / 1e6 : 0;
	case PV_LAST_HEALTHY:
		return r->last_healthy_us > 0 ?
		    (double)r->last_healthy_us / 1e6 : 0;
	case PV_DURATION:	return (double)r->last_response_us / 1e6;
	case PV_DURATION_AVG:	return (double)r->avg_response_us / 1e6;
	default:		return 0;
	}
}

static void
render_plugin_family(struct buf *out, const struct plugin_family *f,
    const struct view *v)
{
	family(out, f->name, f->type, f->help);
	for (size_t i = 0; i < v->n; i++) {
		const struct vigil_record *r = &v->recs[i];

		if (f->value >= PV_LAST_CHECK)
			plugin_seconds(out, f->name, r,
			    plugin_seconds_value(r, f->value));
		else
			plugin_u64(out, f->name, r,
			    plugin_count_value(r, f->value));
	}
}

/* One series per plugin and state, exactly one of them 1. */
static void
render_states(struct buf *out, const struct view *v)
{
	family(out, "vigil_plugin_state", "gauge",
	    "Current plugin state: 1 for the state it is in, else 0.");
	for (size_t i = 0; i < v->n; i++) {
		for (uint32_t s = 0; s < VIGIL_STATE_COUNT; s++) {
			buf_puts(out, "vigil_plugin_state{plugin=\"");
			label_value(out, v->recs[i].name);
			buf_printf(out, "\",state=\"%s\"} %d\n",
			    vigil_state_name(s), v->recs[i].state == s);
		}
	}
}

static void
render_supervisor(struct buf *out, const struct view *v)
{
	family(out, "vigil_supervisor_up", "gauge",
	    "Whether the supervisor heartbeat is fresh and state readable.");
	buf_printf(out, "vigil_supervisor_up %d\n", v->sup_status == SUP_UP);
	if (v->have_sup && v->sup.heartbeat_age_ms != UINT64_MAX) {
		family(out, "vigil_supervisor_heartbeat_age_seconds", "gauge",
		    "Time since the supervisor's last heartbeat.");
		buf_printf(out, "vigil_supervisor_heartbeat_age_seconds %.3f\n",
		    (double)v->sup.heartbeat_age_ms / 1e3);
	}
	family(out, "vigil_plugins", "gauge", "Plugins known to the supervisor.");
	buf_printf(out, "vigil_plugins %zu\n", v->n);
}

static void
render_requests(struct buf *out)
{
	family(out, "vigil_api_requests_total", "counter",
	    "HTTP requests answered, by endpoint and status code.");
	for (int ep = 0; ep < EP_COUNT; ep++) {
		for (size_t c = 0; c <= NCODES; c++) {
			unsigned long long n = atomic_load_explicit(
			    &requests[ep][c], memory_order_relaxed);

			if (n == 0)
				continue;
			buf_printf(out, "vigil_api_requests_total{endpoint=\"%s\","
			    "code=\"", endpoint_names[ep]);
			if (c < NCODES)
				buf_printf(out, "%d\"} %llu\n", codes[c], n);
			else
				buf_printf(out, "other\"} %llu\n", n);
		}
	}
}

void
metrics_render(const struct view *v, struct buf *out)
{
	render_supervisor(out, v);
	render_states(out, v);
	for (size_t i = 0; i < sizeof(plugin_families) /
	    sizeof(plugin_families[0]); i++)
		render_plugin_family(out, &plugin_families[i], v);
	render_requests(out);
	family(out, "vigil_apiserver_info", "gauge",
	    "Constant 1, labelled with the apiserver version.");
	buf_printf(out, "vigil_apiserver_info{version=\"%s\"} 1\n",
	    VIGIL_VERSION);
}
