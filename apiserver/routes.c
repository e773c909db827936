/* Request dispatch by path and method: one handler per endpoint. */
#include <errno.h>
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
static void	do_metrics(const struct api *, const struct request *,
		    struct response *, struct route_result *);

/*
 * Exact paths, matched on the raw request path. Management endpoints
 * (allowlist, token, rate limit, audit) are marked; the demo's simulation
 * endpoints (POST /plugins/simulate, /plugins/load) belong here too.
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

static void
do_health(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	response_json(resp, status_overall_http(status_overall(&v.sum,
	    v.sup_status)), render_health(&v, req->now_us));
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
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	response_json(resp, status_ready(&v.sum, v.sup_status) ? 200 : 503,
	    render_readiness(&v, req->now_us));
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

/* 503 only when there is no state at all; stale state is shown. */
static void
do_plugins_status(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	response_json(resp, v.have_sup ? 200 : 503,
	    render_plugins_status(&v, req->now_us));
}

static void
do_plugins_health(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	response_json(resp, v.have_sup ? 200 : 503,
	    render_plugins_health(&v, req->now_us));
}

/* Metrics are always 200: the supervisor being down is a metric value. */
static void
do_metrics(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	struct view v;

	(void)res;
	view_load(req->worker, api->heartbeat_timeout_ms, &v);
	buf_reset(&resp->body);
	metrics_render(&v, &resp->body);
	resp->status = 200;
	resp->content_type = CONTENT_TYPE_METRICS;
}

/* The plugin query parameter; false with a 400 answer if unusable. */
static bool
restart_plugin_param(const struct request *req, struct response *resp,
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

/* Map the supervisor's answer to HTTP. */
static void
restart_answer(struct response *resp, const char *plugin,
    const struct vigil_ctl_response *cr, int64_t now_us)
{
	char msg[160];

	switch (cr->status) {
	case VIGIL_CTL_ACCEPTED:
		snprintf(msg, sizeof(msg), "restart initiated for plugin %s",
		    plugin);
		response_json(resp, 202, render_restart("accepted", plugin,
		    cr->message[0] != '\0' ? cr->message : msg, now_us));
		return;
	case VIGIL_CTL_IN_PROGRESS:
		response_json(resp, 202, render_restart("in_progress", plugin,
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
restart_forward(const struct api *api, const struct request *req,
    struct response *resp, const char *plugin, const char *principal)
{
	struct vigil_ctl_request cq;
	struct vigil_ctl_response cr;
	char client[VIGIL_CTL_CLIENT_LEN];

	snprintf(client, sizeof(client), "%s:%d", req->client_ip,
	    req->client_port);
	ctlmsg_init_request(&cq, VIGIL_CTL_RESTART, plugin, client, principal);
	if (ctl_send(api->ctl_path, &cq, &cr, api->ctl_timeout_ms) == -1) {
		log_warn("control socket unreachable", "path=%s error=%s",
		    api->ctl_path, strerror(errno));
		response_error(resp, 503, "supervisor unreachable");
		return "unreachable";
	}
	restart_answer(resp, plugin, &cr, req->now_us);
	return ctlmsg_status_name(cr.status);
}

static void
audit(const struct request *req, const char *principal, const char *plugin,
    const char *result, int status)
{
	log_info("restart request", "client=%s:%d principal=%s plugin=%s "
	    "result=%s status=%d", req->client_ip, req->client_port,
	    principal, plugin, result, status);
}

static void
do_restart(const struct api *api, const struct request *req,
    struct response *resp, struct route_result *res)
{
	char plugin[VIGIL_NAME_LEN] = "";
	const char *principal = "", *result;
	uint32_t retry = 0;
	int r;

	(void)res;
	/* Best effort, so even refused requests name their plugin. */
	if (uri_query_plugin(req->query, plugin, sizeof(plugin)) != URI_OK)
		plugin[0] = '\0';
	r = auth_check_management(api->auth, req->client_ip,
	    req->authorization, req->now_ms, &retry, &principal);
	if (r != AUTH_OK) {
		auth_failure(resp, r, retry);
		result = auth_result_message(r);
	} else if (!body_acceptable(req, resp))
		result = "body too large";
	else if (!restart_plugin_param(req, resp, plugin, sizeof(plugin)))
		result = "bad request";
	else
		result = restart_forward(api, req, resp, plugin, principal);
	audit(req, principal, plugin, result, resp->status);
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
