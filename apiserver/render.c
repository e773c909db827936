/* JSON bodies of every endpoint, built with json-c from a view. */
#include <stdio.h>

#include "render.h"
#include "response.h"
#include "timeutil.h"

static const char *
protocol_name(uint32_t p)
{
	return p == VIGIL_PROTO_GOPLUGIN ? "go-plugin" : "hkp";
}

/*
 * Every key passed to the add_* helpers is a string literal, so json-c
 * may keep the pointer instead of copying it (one malloc and free fewer
 * per field: a /health body has about 150 fields).
 */
static void
add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add_ex(o, k, v, JSON_C_OBJECT_KEY_IS_CONSTANT);
}

static void
add_str(json_object *o, const char *k, const char *v)
{
	add(o, k, json_object_new_string(v));
}

static void
add_int(json_object *o, const char *k, int64_t v)
{
	add(o, k, json_object_new_int64(v));
}

static void
add_uint(json_object *o, const char *k, uint64_t v)
{
	add(o, k, json_object_new_uint64(v));
}

static void
add_bool(json_object *o, const char *k, int v)
{
	add(o, k, json_object_new_boolean(v != 0));
}

/* RFC 3339 UTC, or null for "never" (a zero time). */
static void
add_time(json_object *o, const char *k, int64_t us)
{
	char buf[40];

	if (us <= 0) {
		add(o, k, NULL);
		return;
	}
	time_format_rfc3339(us, buf, sizeof(buf));
	add_str(o, k, buf);
}

static void
add_duration(json_object *o, const char *k, uint64_t us)
{
	char buf[32];

	time_format_duration(us, buf, sizeof(buf));
	add_str(o, k, buf);
}

json_object *
render_health_entry(const struct vigil_record *r)
{
	json_object *o = json_object_new_object();

	add_str(o, "status", vigil_state_name(r->state));
	add_time(o, "lastCheckTime", r->last_check_us);
	add_time(o, "lastHealthyTime", r->last_healthy_us);
	add_int(o, "failureCount", r->consecutive_failures);
	add_int(o, "restartCount", r->restart_count);
	add_duration(o, "responseTime", r->last_response_us);
	add_bool(o, "healthy", status_record_usable(r));
	return o;
}

/* Identity, flags and counters of a record. */
static void
add_record_identity(json_object *o, const struct vigil_record *r)
{
	add_str(o, "name", r->name);
	add_str(o, "version", r->version);
	add_str(o, "description", r->description);
	add_str(o, "executable", r->executable);
	add_str(o, "protocol", protocol_name(r->protocol));
	add_bool(o, "connected", r->flags & VIGIL_REC_CONNECTED);
	add_bool(o, "required", r->flags & VIGIL_REC_REQUIRED);
	add_bool(o, "exited", r->flags & VIGIL_REC_EXITED);
	add_int(o, "flags", r->flags);
	add_int(o, "pid", r->pid);
	add_str(o, "message", r->message);
	add_str(o, "details", r->details);
}

static void
add_record_counters(json_object *o, const struct vigil_record *r)
{
	add_int(o, "consecutiveFailures", r->consecutive_failures);
	add_int(o, "consecutiveSuccesses", r->consecutive_successes);
	add_int(o, "restartsLastHour", r->restarts_last_hour);
	add_int(o, "lastExitCode", r->last_exit_code);
	add_int(o, "lastExitSignal", r->last_exit_signal);
	add_time(o, "lastStateChangeTime", r->last_state_change_us);
	add_time(o, "nextRestartTime", r->next_restart_us);
	add_time(o, "startedTime", r->started_us);
	add_uint(o, "responseTimeUs", r->last_response_us);
	add_duration(o, "averageResponseTime", r->avg_response_us);
	add_uint(o, "averageResponseTimeUs", r->avg_response_us);
	add_uint(o, "totalChecks", r->total_checks);
	add_uint(o, "totalFailures", r->total_failures);
	add_uint(o, "totalRestarts", r->total_restarts);
	add_duration(o, "checkInterval", r->check_interval_us);
	add_uint(o, "checkIntervalUs", r->check_interval_us);
}

json_object *
render_record(const struct vigil_record *r)
{
	json_object *o = render_health_entry(r);

	add_record_identity(o, r);
	add_record_counters(o, r);
	return o;
}

/*
 * The only place that prints the heartbeat's age (as
 * supervisor.heartbeatAgeMs): memo.c splices a new age into a kept answer
 * there, so print it nowhere else.
 */
static json_object *
render_supervisor(const struct view *v)
{
	json_object *o = json_object_new_object();

	add_bool(o, "up", v->sup_status == SUP_UP);
	if (v->sup_status != SUP_UP)
		add_str(o, "reason", status_supervisor_reason(v->sup_status));
	if (!v->have_sup)
		return o;
	add_int(o, "pid", v->sup.pid);
	add_uint(o, "generation", v->sup.generation);
	add_time(o, "startedTime", v->sup.created_us);
	add_time(o, "lastHeartbeat", v->sup.heartbeat_us);
	if (v->sup.heartbeat_age_ms != UINT64_MAX)
		add_uint(o, "heartbeatAgeMs", v->sup.heartbeat_age_ms);
	add_bool(o, "initialized", v->sup.flags & VIGIL_SHM_F_READY);
	add_bool(o, "demo", v->sup.flags & VIGIL_SHM_F_DEMO);
	return o;
}

static json_object *
render_summary(const struct status_summary *s)
{
	json_object *o = json_object_new_object();

	add_int(o, "totalPlugins", s->total);
	add_int(o, "healthyPlugins", s->by_state[VIGIL_STATE_HEALTHY]);
	add_int(o, "unhealthyPlugins", s->by_state[VIGIL_STATE_UNHEALTHY]);
	add_int(o, "restartingPlugins", s->by_state[VIGIL_STATE_RESTARTING]);
	add_int(o, "failedPlugins", s->by_state[VIGIL_STATE_FAILED]);
	add_int(o, "degradedPlugins", s->by_state[VIGIL_STATE_DEGRADED]);
	add_int(o, "unknownPlugins", s->by_state[VIGIL_STATE_UNKNOWN]);
	add_int(o, "startingPlugins", s->by_state[VIGIL_STATE_STARTING]);
	add_int(o, "stoppedPlugins", s->by_state[VIGIL_STATE_STOPPED]);
	return o;
}

/* Why /health is unhealthy: the supervisor, or the plugins. */
static void
add_unhealthy_reason(json_object *o, const struct view *v)
{
	char buf[96];

	if (v->sup_status != SUP_UP) {
		add_str(o, "reason", status_supervisor_reason(v->sup_status));
		return;
	}
	snprintf(buf, sizeof(buf), "%u plugin(s) unhealthy or failed",
	    v->sum.by_state[VIGIL_STATE_UNHEALTHY] +
	    v->sum.by_state[VIGIL_STATE_FAILED]);
	add_str(o, "reason", buf);
}

json_object *
render_health(const struct view *v, int64_t now_us)
{
	json_object *o = json_object_new_object();
	json_object *plugins = json_object_new_object();
	enum overall st = status_overall(&v->sum, v->sup_status);

	add_str(o, "status", status_overall_name(st));
	add_time(o, "timestamp", now_us);
	for (size_t i = 0; i < v->n; i++)
		json_object_object_add(plugins, v->recs[i].name,
		    render_health_entry(&v->recs[i]));
	json_object_object_add(o, "plugins", plugins);
	json_object_object_add(o, "summary", render_summary(&v->sum));
	json_object_object_add(o, "supervisor", render_supervisor(v));
	if (st == OVERALL_UNHEALTHY)
		add_unhealthy_reason(o, v);
	return o;
}

json_object *
render_liveness(const struct view *v, int64_t now_us)
{
	json_object *o = json_object_new_object();
	int up = v->sup_status == SUP_UP;

	add_str(o, "status", up ? "alive" : "not alive");
	add_time(o, "timestamp", now_us);
	if (!up)
		add_str(o, "reason", status_supervisor_reason(v->sup_status));
	json_object_object_add(o, "supervisor", render_supervisor(v));
	return o;
}

json_object *
render_readiness(const struct view *v, int64_t now_us)
{
	json_object *o = json_object_new_object();
	json_object *not_ready = json_object_new_array();
	int ready = status_ready(&v->sum, v->sup_status);

	add_str(o, "status", ready ? "ready" : "not ready");
	add_bool(o, "ready", ready);
	add_time(o, "timestamp", now_us);
	if (v->sup_status != SUP_UP)
		add_str(o, "reason", status_supervisor_reason(v->sup_status));
	for (size_t i = 0; i < v->n; i++) {
		const struct vigil_record *r = &v->recs[i];

		if (status_record_required(r) && !status_record_usable(r))
			json_object_array_add(not_ready,
			    json_object_new_string(r->name));
	}
	add_int(o, "requiredPlugins", v->sum.required);
	add_int(o, "readyPlugins", v->sum.required_ready);
	json_object_object_add(o, "notReady", not_ready);
	return o;
}

json_object *
render_plugin(const struct view *v, const struct vigil_record *r,
    int64_t now_us)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "plugin", render_record(r));
	add_time(o, "timestamp", now_us);
	json_object_object_add(o, "supervisor", render_supervisor(v));
	return o;
}

static json_object *
render_status_entry(const struct vigil_record *r)
{
	json_object *o = json_object_new_object();

	add_str(o, "name", r->name);
	add_str(o, "version", r->version);
	add_str(o, "description", r->description);
	add_bool(o, "connected", r->flags & VIGIL_REC_CONNECTED);
	add_str(o, "executable", r->executable);
	add_str(o, "status", vigil_state_name(r->state));
	add_int(o, "pid", r->pid);
	add_bool(o, "required", r->flags & VIGIL_REC_REQUIRED);
	return o;
}

json_object *
render_plugins_status(const struct view *v, int64_t now_us)
{
	json_object *o = json_object_new_object();
	json_object *list = json_object_new_array();

	add_bool(o, "enabled", 1);
	add_bool(o, "initialized", v->have_sup &&
	    (v->sup.flags & VIGIL_SHM_F_READY));
	add_int(o, "total", v->sum.total);
	add_int(o, "connected", v->sum.connected);
	for (size_t i = 0; i < v->n; i++)
		json_object_array_add(list, render_status_entry(&v->recs[i]));
	json_object_object_add(o, "plugins", list);
	add_time(o, "timestamp", now_us);
	json_object_object_add(o, "supervisor", render_supervisor(v));
	return o;
}

json_object *
render_plugins_health(const struct view *v, int64_t now_us)
{
	json_object *o = json_object_new_object();
	json_object *list = json_object_new_array();

	add_time(o, "timestamp", now_us);
	for (size_t i = 0; i < v->n; i++)
		json_object_array_add(list, render_record(&v->recs[i]));
	json_object_object_add(o, "plugins", list);
	json_object_object_add(o, "summary", render_summary(&v->sum));
	json_object_object_add(o, "supervisor", render_supervisor(v));
	return o;
}

json_object *
render_error(int code, const char *message)
{
	json_object *o = json_object_new_object();

	add_str(o, "error", response_reason(code));
	add_str(o, "message", message);
	add_int(o, "code", code);
	return o;
}

json_object *
render_restart(const char *status, const char *plugin, const char *message,
    int64_t now_us)
{
	json_object *o = json_object_new_object();

	add_str(o, "status", status);
	add_str(o, "plugin", plugin);
	add_str(o, "message", message);
	add_time(o, "timestamp", now_us);
	return o;
}

json_object *
render_simulate(const char *status, const char *plugin, const char *fault,
    uint32_t delay_ms, const char *message, int64_t now_us)
{
	json_object *o = render_restart(status, plugin, message, now_us);

	add_str(o, "fault", fault);
	add_uint(o, "delayMs", delay_ms);
	return o;
}

json_object *
render_load(const char *status, const char *plugin, uint32_t requests,
    const char *message, int64_t now_us)
{
	json_object *o = render_restart(status, plugin, message, now_us);

	add_uint(o, "requests", requests);
	return o;
}

/* --- the answers memo.c keeps (see render.h) ---------------------------- */

json_object *
answer_health(const struct view *v, int64_t now_us, int *status)
{
	*status = status_overall_http(status_overall(&v->sum, v->sup_status));
	return render_health(v, now_us);
}

json_object *
answer_readiness(const struct view *v, int64_t now_us, int *status)
{
	*status = status_ready(&v->sum, v->sup_status) ? 200 : 503;
	return render_readiness(v, now_us);
}

/* 503 only when there is no state at all; stale state is shown. */
json_object *
answer_plugins_status(const struct view *v, int64_t now_us, int *status)
{
	*status = v->have_sup ? 200 : 503;
	return render_plugins_status(v, now_us);
}

json_object *
answer_plugins_health(const struct view *v, int64_t now_us, int *status)
{
	*status = v->have_sup ? 200 : 503;
	return render_plugins_health(v, now_us);
}
