/* Request dispatch by path and method: one handler per endpoint. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "ctlmsg.h"
#include "log.h"
#include "render.h"
#include "routes.h"
#include "uri.h"

#define M_GET	0x1	/* GET and HEAD */
#define M_POST	0x2

typedef void (*handler_fn)(const struct api *, const struct request *,
    struct response *, struct route_result *);

struct route {
	const char	*path;
	enum endpoint	 ep;
	int		 methods;
	bool		 management;
	handler_fn	 fn;
};

static void	do_health(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_liveness(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_readiness(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_plugin_health(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_plugins_status(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_plugins_health(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_restart(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_simulate(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_load(const struct api *, const struct request *,
		    struct response *, struct route_result *);
static void	do_metrics(const struct api *, const struct request *,
		    struct response *, struct route_result *);

/*
 * Exact paths, matched on the raw request path. Management endpoints
 * (allowlist, token, rate limit, audit) are marked. The demo's simulation
 * endpoints are management endpoints too; the supervisor refuses them
 * unless it runs with [supervisor] demo = true.
 */
static const struct route routes[] = {
	{ "/health",		EP_HEALTH,	   M_GET,  false, do_health },
	{ "/health/liveness",	EP_LIVENESS,	   M_GET,  false, do_liveness },
	{ "/health/readiness",	EP_READINESS,	   M_GET,  false, do_readiness },
	{ "/plugins/status",	EP_PLUGINS_STATUS, M_GET,  false,
	    do_plugins_status },
	{ "/plugins/health",	EP_PLUGINS_HEALTH, M_GET,  false,
	    do_plugins_health },
	{ "/plugins/restart",	EP_PLUGINS_RESTART, M_POST, true, do_restart },
	{ "/plugins/simulate",	EP_PLUGINS_SIMULATE, M_POST, true,
	    do_simulate },
	{ "/plugins/load",	EP_PLUGINS_LOAD,   M_POST, true, do_load },
	{ "/metrics",		EP_METRICS,	   M_GET,  false, do_metrics },
};

/* /health/{plugin}: any other single segment under /health/. */
static const struct route plugin_route = {
	"/health/", EP_PLUGIN_HEALTH, M_GET, false, do_plugin_health
};

static bool
is_head(const struct request *req)
{
	return strcmp(req->method, "HEAD") == 0;
}

static bool
method_allowed(const struct request *req, int methods)
{
	if (methods & M_GET)
		return strcmp(req->method, "GET") == 0 || is_head(req);
	return strcmp(req->method, "POST") == 0;
}

static void
method_not_allowed(struct response *resp, int methods)
{
	response_error(resp, 405, "method not allowed");
	response_header(resp, "Allow: %s",
	    methods & M_GET ? "GET, HEAD" : "POST");
}

/* 401/403/429 for a failed auth check, with the headers each needs. */
static void
auth_failure(struct response *resp, int result, uint32_t retry_after_s)
{
	int status = auth_http_status(result);

	response_error(resp, status, auth_result_message(result));
	if (status == 401)
		response_header(resp, "WWW-Authenticate: Bearer realm=\"vigil\"");
	if (status == 429)
		response_header(resp, "Retry-After: %u", retry_after_s);
}

/* Bodies are never needed: refuse large or unbounded (chunked) ones. */
static bool
body_acceptable(const struct request *req, struct response *resp)
{
	if (!req->chunked && req->content_length <= ROUTES_BODY_MAX)
		return true;
	response_error(resp, 413, "request body too large (at most 1024 "
	    "bytes, no chunked encoding)");
	resp->close = true;
	return false;
}

/* Token check for read endpoints when [api] auth_probes is on. */
static bool
probe_authorized(const struct api *api, const struct request *req,
    struct response *resp)
{
	uint32_t retry = 0;
	int r;

	if (!api->auth_probes)
		return true;
	r = auth_check_token(api->auth, req->client_ip, req->authorization,
	    req->now_ms, &retry);
	if (r == AUTH_OK)
		return true;
	auth_failure(resp, r, retry);
	return false;
}

/*
 * A memoized answer: from the header and libvigil's write counter alone
 * when they match the kept answer's (no record is copied), else from the
 * records.
 */
static void
memoized(const struct api *api, const struct request *req,
    enum memo_kind k, memo_render_fn render, struct response *resp)
{
	struct view v;

	view_header(req->worker, api->heartbeat_timeout_ms, &v);
	if (memo_reuse(api->memo, k, &v, req->now_us, resp))
		return;
	view_records(req->worker, &v);
	memo_respond(api->memo, k, &v, req->now_us, render, resp);
}

static void
do_health(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	(void)res;
	memoized(api, req, MEMO_HEALTH, answer_health, resp);
}

static void
do_liveness(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_supervisor(req->worker, api->heartbeat_timeout_ms, &v);
	response_json(resp, v.sup_status == SUP_UP ? 200 : 503,
	    render_liveness(&v, req->now_us));
}

static void
do_readiness(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	(void)res;
	memoized(api, req, MEMO_READINESS, answer_readiness, resp);
}

/* 404 for names that cannot exist; the name is validated before lookup. */
static void
do_plugin_health(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	char name[VIGIL_NAME_LEN];
	struct vigil_record rec;
	struct view v;
	int r;

	(void)res;
	r = uri_plugin_segment(req->path, "/health/", name, sizeof(name));
	if (r == URI_MALFORMED) {
		response_error(resp, 400, "malformed percent-encoding");
		return;
	}
	if (r != URI_OK) {
		response_error(resp, 404, "invalid plugin name");
		return;
	}
	if (view_load_one(req->worker, api->heartbeat_timeout_ms, name, &v,
	    &rec) == -1) {
		if (v.have_sup)
			response_error(resp, 404, "unknown plugin");
		else
			response_error(resp, 503,
			    status_supervisor_reason(v.sup_status));
		return;
	}
	/* 503 unless usable, so `curl -f /health/NAME` is a plugin probe. */
	response_json(resp, status_record_usable(&rec) &&
	    v.sup_status == SUP_UP ? 200 : 503,
	    render_plugin(&v, &rec, req->now_us));
}

static void
do_plugins_status(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	(void)res;
	memoized(api, req, MEMO_PLUGINS_STATUS, answer_plugins_status, resp);
}

static void
do_plugins_health(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	(void)res;
	memoized(api, req, MEMO_PLUGINS_HEALTH, answer_plugins_health, resp);
}

/* The last /metrics body's size, with slack: it grows with the counters. */
static _Atomic size_t metrics_size;

/* Metrics are always 200: the supervisor being down is a metric value. */
static void
do_metrics(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	buf_reset(&resp->body);
	/* One allocation, with room for the head, instead of doublings. */
	buf_reserve(&resp->body, atomic_load_explicit(&metrics_size,
	    memory_order_relaxed) + RESPONSE_HEAD_MAX);
	metrics_render(&v, &resp->body);
	atomic_store_explicit(&metrics_size, resp->body.len + 1024,
	    memory_order_relaxed);
	resp->status = 200;
	resp->content_type = CONTENT_TYPE_METRICS;
}

/*
 * Management endpoints: each turns its query into one control-socket
 * request (an order), after the same access checks, and maps the
 * supervisor's answer to HTTP.
 */
struct order {
	uint32_t	 type;			/* VIGIL_CTL_RESTART, ... */
	const char	*what;			/* audit: "restart", ... */
	char		 plugin[VIGIL_NAME_LEN];
	char		 fault[VIGIL_CTL_ACTION_LEN];	/* SIMULATE */
	uint32_t	 arg;			/* delay_ms or requests */
};

typedef bool (*order_parse_fn)(const struct request *, struct response *,
    struct order *);

/* The faults the demo plugins know (proto/simulation.proto). */
static const char *const faults[] = {
	"crash", "hang", "slow", "degraded", "unhealthy", "recover", NULL
};

/* The plugin query parameter; false with a 400 answer if unusable. */
static bool
plugin_param(const struct request *req, struct response *resp,
    char *name, size_t len)
{
	int r = uri_query_plugin(req->query, name, len);

	switch (r) {
	case URI_OK:
		return true;
	case URI_MISSING:
		response_error(resp, 400, "missing query parameter: plugin");
		break;
	case URI_DUPLICATE:
		response_error(resp, 400, "duplicate query parameter: plugin");
		break;
	case URI_MALFORMED:
		response_error(resp, 400, "malformed query string");
		break;
	default:
		response_error(resp, 400, "invalid plugin name");
		break;
	}
	name[0] = '\0';
	return false;
}

/* Decimal digits only, no sign or space, within [min, max]. */
static bool
parse_count(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A numeric parameter; absent is fine (0) unless required. */
static bool
count_param(const struct request *req, struct response *resp,
    const char *key, bool required, uint32_t min, uint32_t max,
    uint32_t *out)
{
	char val[16], msg[96];
	int r = uri_query_get(req->query, key, val, sizeof(val));

	*out = 0;
	if (r == URI_MISSING && !required)
		return true;
	if (r == URI_OK && parse_count(val, min, max, out))
		return true;
	if (r == URI_DUPLICATE)
		snprintf(msg, sizeof(msg), "duplicate query parameter: %s", key);
	else
		snprintf(msg, sizeof(msg), "query parameter %s must be a whole "
		    "number %u..%u", key, min, max);
	response_error(resp, 400, msg);
	return false;
}

static bool
known_fault(const char *s)
{
	for (int i = 0; faults[i] != NULL; i++)
		if (strcmp(s, faults[i]) == 0)
			return true;
	return false;
}

static bool
parse_restart(const struct request *req, struct response *resp,
    struct order *o)
{
	return plugin_param(req, resp, o->plugin, sizeof(o->plugin));
}

static bool
parse_simulate(const struct request *req, struct response *resp,
    struct order *o)
{
	int r;

	if (!plugin_param(req, resp, o->plugin, sizeof(o->plugin)))
		return false;
	r = uri_query_get(req->query, "fault", o->fault, sizeof(o->fault));
	if (r == URI_OK && known_fault(o->fault))
		return count_param(req, resp, "delay_ms", false, 0,
		    ROUTES_DELAY_MAX_MS, &o->arg);
	response_error(resp, 400, r == URI_DUPLICATE ?
	    "duplicate query parameter: fault" : "query parameter fault must "
	    "be one of crash, hang, slow, degraded, unhealthy, recover");
	o->fault[0] = '\0';
	return false;
}

static bool
parse_load(const struct request *req, struct response *resp,
    struct order *o)
{
	return plugin_param(req, resp, o->plugin, sizeof(o->plugin)) &&
	    count_param(req, resp, "requests", true, 1, ROUTES_LOAD_MAX,
	    &o->arg);
}

/* The 202 body for an accepted order. */
static json_object *
accepted_body(const struct order *o, const char *status,
    const char *message, int64_t now_us)
{
	switch (o->type) {
	case VIGIL_CTL_SIMULATE:
		return render_simulate(status, o->plugin, o->fault, o->arg,
		    message, now_us);
	case VIGIL_CTL_LOAD:
		return render_load(status, o->plugin, o->arg, message, now_us);
	default:
		return render_restart(status, o->plugin, message, now_us);
	}
}

/* Map the supervisor's answer to HTTP. */
static void
order_answer(struct response *resp, const struct order *o,
    const struct vigil_ctl_response *cr, int64_t now_us)
{
	char msg[160];

	switch (cr->status) {
	case VIGIL_CTL_ACCEPTED:
		snprintf(msg, sizeof(msg), "%s initiated for plugin %s",
		    o->what, o->plugin);
		response_json(resp, 202, accepted_body(o, "accepted",
		    cr->message[0] != '\0' ? cr->message : msg, now_us));
		return;
	case VIGIL_CTL_IN_PROGRESS:
		response_json(resp, 202, accepted_body(o, "in_progress",
		    "a restart is already in progress", now_us));
		return;
	case VIGIL_CTL_UNKNOWN_PLUGIN:
		response_error(resp, 404, "unknown plugin");
		return;
	case VIGIL_CTL_RATE_LIMITED:
		response_error(resp, 429, cr->message[0] != '\0' ?
		    cr->message : "restart rate limit exceeded");
		response_header(resp, "Retry-After: %u",
		    cr->retry_after_s > 0 ? cr->retry_after_s : 1);
		return;
	case VIGIL_CTL_BAD_REQUEST:
		response_error(resp, 400, cr->message);
		return;
	case VIGIL_CTL_REFUSED:
		response_error(resp, 403, cr->message);
		return;
	default:
		response_error(resp, 500, cr->message);
		return;
	}
}

/* Forward over the control socket; returns the result for the audit log. */
static const char *
order_forward(const struct api *api, const struct request *req,
    struct response *resp, const struct order *o, const char *principal)
{
	struct vigil_ctl_request cq;
	struct vigil_ctl_response cr;
	char client[VIGIL_CTL_CLIENT_LEN];

	snprintf(client, sizeof(client), "%s:%d", req->client_ip,
	    req->client_port);
	ctlmsg_init_request(&cq, o->type, o->plugin, client, principal);
	cq.arg = o->arg;
	snprintf(cq.action, sizeof(cq.action), "%s", o->fault);
	if (ctl_send(api->ctl_path, &cq, &cr, api->ctl_timeout_ms) == -1) {
		log_warn("control socket unreachable", "path=%s error=%s",
		    api->ctl_path, strerror(errno));
		response_error(resp, 503, "supervisor unreachable");
		return "unreachable";
	}
	order_answer(resp, o, &cr, req->now_us);
	return ctlmsg_status_name(cr.status);
}

/* One audit line per management request, refused or not. */
static void
audit(const struct request *req, const struct order *o,
    const char *principal, const char *result, int status)
{
	char msg[32];

	snprintf(msg, sizeof(msg), "%s request", o->what);
	if (o->type == VIGIL_CTL_SIMULATE)
		log_info(msg, "client=%s:%d principal=%s plugin=%s fault=%s "
		    "delay_ms=%u result=%s status=%d", req->client_ip,
		    req->client_port, principal, o->plugin, o->fault, o->arg,
		    result, status);
	else if (o->type == VIGIL_CTL_LOAD)
		log_info(msg, "client=%s:%d principal=%s plugin=%s "
		    "requests=%u result=%s status=%d", req->client_ip,
		    req->client_port, principal, o->plugin, o->arg, result,
		    status);
	else
		log_info(msg, "client=%s:%d principal=%s plugin=%s result=%s "
		    "status=%d", req->client_ip, req->client_port, principal,
		    o->plugin, result, status);
}

/*
 * The checks every management request passes, in the order docs/API.md
 * gives: access (allowlist, lockout, token, rate limit), body, parameters;
 * then the supervisor decides.
 */
static void
manage(const struct api *api, const struct request *req,
    struct response *resp, struct order *o, order_parse_fn parse)
{
	const char *principal = "", *result;
	uint32_t retry = 0;
	int r;

	/* Best effort, so even refused requests name their plugin. */
	if (uri_query_plugin(req->query, o->plugin, sizeof(o->plugin)) !=
	    URI_OK)
		o->plugin[0] = '\0';
	r = auth_check_management(api->auth, req->client_ip,
	    req->authorization, req->now_ms, &retry, &principal);
	if (r != AUTH_OK) {
		auth_failure(resp, r, retry);
		result = auth_result_message(r);
	} else if (!body_acceptable(req, resp))
		result = "body too large";
	else if (!parse(req, resp, o))
		result = "bad request";
	else
		result = order_forward(api, req, resp, o, principal);
	audit(req, o, principal, result, resp->status);
}

static void
do_restart(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct order o = { .type = VIGIL_CTL_RESTART, .what = "restart" };

	(void)res;
	manage(api, req, resp, &o, parse_restart);
}

static void
do_simulate(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct order o = { .type = VIGIL_CTL_SIMULATE, .what = "simulate" };

	(void)res;
	manage(api, req, resp, &o, parse_simulate);
}

static void
do_load(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct order o = { .type = VIGIL_CTL_LOAD, .what = "load" };

	(void)res;
	manage(api, req, resp, &o, parse_load);
}

/* A file name the dashboard may serve: no dot first, no separators. */
static bool
safe_file_name(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 128)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return false;
	return true;
}

/*
 * Dashboard (issue 5): "/", "/dashboard[/]" serve index.html and
 * "/NAME" or "/dashboard/NAME" a file from www_dir. Names are checked
 * against a strict pattern, so no path can leave www_dir.
 */
static bool
dashboard_file(const struct api *api, const char *path, char *out,
    size_t len)
{
	const char *name;
	int n;

	if (!api->dashboard)
		return false;
	if (strcmp(path, "/") == 0 || strcmp(path, "/dashboard") == 0 ||
	    strcmp(path, "/dashboard/") == 0)
		name = "index.html";
	else if (strncmp(path, "/dashboard/", 11) == 0)
		name = path + 11;
	else
		name = path + 1;
	if (!safe_file_name(name) || strchr(name, '.') == NULL)
		return false;
	n = snprintf(out, len, "%s/%s", api->www_dir, name);
	return n > 0 && (size_t)n < len;
}

static const struct route *
find_route(const char *path)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	if (strncmp(path, plugin_route.path, strlen(plugin_route.path)) == 0)
		return &plugin_route;
	return NULL;
}

static void
serve_dashboard(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	res->ep = EP_DASHBOARD;
	if (strcmp(req->method, "GET") != 0 && !is_head(req)) {
		method_not_allowed(resp, M_GET);
		return;
	}
	res->action = ROUTE_FILE;
	resp->status = 200;
	(void)api;
}

void
routes_handle(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	const struct route *rt = find_route(req->path);

	res->ep = EP_OTHER;
	res->action = ROUTE_RESPOND;
	if (rt == NULL) {
		if (dashboard_file(api, req->path, res->file_path,
		    sizeof(res->file_path)))
			serve_dashboard(api, req, resp, res);
		else
			response_error(resp, 404, "no such endpoint");
		return;
	}
	res->ep = rt->ep;
	if (!method_allowed(req, rt->methods))
		method_not_allowed(resp, rt->methods);
	else if (rt->management)
		rt->fn(api, req, resp, res);
	else if (body_acceptable(req, resp) &&
	    probe_authorized(api, req, resp))
		rt->fn(api, req, resp, res);
}
