/* The HTTP server: CivetWeb options, callbacks and the one request entry. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "log.h"
#include "server.h"
#include "timeutil.h"

struct server {
	struct mg_context	*ctx;
	struct server_settings	 set;
	/* Held closed until privileges are dropped. */
	pthread_mutex_t		 gate_lock;
	pthread_cond_t		 gate_cond;
	atomic_bool		 gate_open;
	atomic_bool		 stopping;	/* gate opened only to exit */
};

static void
gate_wait(struct server *srv)
{
	if (atomic_load_explicit(&srv->gate_open, memory_order_acquire))
		return;
	pthread_mutex_lock(&srv->gate_lock);
	while (!atomic_load_explicit(&srv->gate_open, memory_order_acquire))
		pthread_cond_wait(&srv->gate_cond, &srv->gate_lock);
	pthread_mutex_unlock(&srv->gate_lock);
}

void
server_serve(struct server *srv)
{
	pthread_mutex_lock(&srv->gate_lock);
	atomic_store_explicit(&srv->gate_open, true, memory_order_release);
	pthread_cond_broadcast(&srv->gate_cond);
	pthread_mutex_unlock(&srv->gate_lock);
}

/*
 * Write the whole response in one mg_write (see docs/API.md: latency):
 * a memoized answer from its shared bytes, any other with its head put
 * in front of the body in the body's own buffer (no second copy of it).
 */
static int
send_response(struct mg_connection *c, struct response *resp, bool head)
{
	const char *p;
	size_t len;

	if ((p = response_prebuilt(resp, head, &len)) == NULL) {
		if (response_finish(resp, head) == -1)
			return -1;
		p = resp->body.data;
		len = resp->body.len;
	}
	return mg_write(c, p, len) == (int)len ? 0 : -1;
}

/* Internal failure: a fixed body that needs no allocation to build. */
static void
send_internal_error(struct mg_connection *c)
{
	static const char msg[] = "HTTP/1.1 500 Internal Server Error\r\n"
	    "Content-Type: application/json\r\nContent-Length: 72\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
	    "{\"error\":\"Internal Server Error\",\"message\":\"out of memory\","
	    "\"code\":500}";

	mg_write(c, msg, sizeof(msg) - 1);
}

static bool
header_has(const struct mg_connection *c, const char *name, const char *tok)
{
	const char *v = mg_get_header(c, name);

	return v != NULL && strcasestr(v, tok) != NULL;
}

static void
fill_request(struct mg_connection *c, struct request *req)
{
	const struct mg_request_info *ri = mg_get_request_info(c);

	memset(req, 0, sizeof(*req));
	req->method = ri->request_method;
	/* decode_url=no: this is the path exactly as the client sent it. */
	req->path = ri->local_uri_raw != NULL ? ri->local_uri_raw : "";
	req->query = ri->query_string;
	req->client_ip = ri->remote_addr;
	req->client_port = ri->remote_port;
	req->authorization = mg_get_header(c, "Authorization");
	req->content_length = ri->content_length;
	req->chunked = header_has(c, "Transfer-Encoding", "chunked");
	req->now_us = time_real_us();
	req->now_ms = time_mono_ms();
	req->worker = mg_get_thread_pointer(c);
}

/* HTTP/1.0 clients get keep-alive only when they ask (and are told). */
static bool
wants_keep_alive_10(const struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);

	return ri->http_version != NULL &&
	    strcmp(ri->http_version, "1.0") == 0 &&
	    header_has(c, "Connection", "keep-alive");
}

static int
handle_request(struct mg_connection *c, void *cbdata)
{
	struct server *srv = cbdata;
	struct route_result res;
	struct response resp;
	struct request req;

	gate_wait(srv);
	fill_request(c, &req);
	if (atomic_load(&srv->stopping) || req.worker == NULL) {
		send_internal_error(c);
		metrics_count(EP_OTHER, 500);
		return 500;
	}
	response_init(&resp);
	resp.keep_alive = wants_keep_alive_10(c);
	routes_handle(srv->set.api, &req, &resp, &res);
	if (res.action == ROUTE_FILE) {
		mg_send_file(c, res.file_path);
	} else if (send_response(c, &resp, strcmp(req.method, "HEAD") == 0)
	    == -1) {
		send_internal_error(c);
		resp.status = 500;
	}
	metrics_count(res.ep, resp.status);
	log_debug("request", "client=%s method=%s path=%s status=%d",
	    req.client_ip, req.method, req.path, resp.status);
	response_free(&resp);
	return resp.status;
}

/* CivetWeb's own errors (bad request line, oversized headers) as JSON. */
static int
cb_http_error(struct mg_connection *c, int status, const char *msg)
{
	struct response resp;

	/* An unknown HTTP version is a malformed request like any other. */
	if (status == 505)
		status = 400;
	response_init(&resp);
	response_error(&resp, status, status == 400 ? "malformed request" :
	    msg != NULL ? msg : "error");
	resp.close = true;
	if (send_response(c, &resp, false) == -1)
		send_internal_error(c);
	metrics_count(EP_OTHER, status);
	response_free(&resp);
	return 0;
}

static int
cb_log_message(const struct mg_connection *c, const char *message)
{
	(void)c;
	log_warn("http server", "message=%s", message);
	return 1;
}

/* One libvigil handle per worker thread (handles are not thread-safe). */
static void *
cb_init_thread(const struct mg_context *ctx, int type)
{
	struct server *srv = mg_get_user_data(ctx);
	struct worker *w;

	if (type != 1)
		return NULL;
	if ((w = worker_new(srv->set.shm_name)) == NULL)
		log_error("cannot create worker state", "shm=%s",
		    srv->set.shm_name);
	return w;
}

static void
cb_exit_thread(const struct mg_context *ctx, int type, void *ptr)
{
	(void)ctx;
	if (type == 1)
		worker_free(ptr);
}

/*
 * Authorization is ours (routes.c, auth.c). Without an authorization
 * handler CivetWeb looks for a password file beside every resource, a
 * handler's too: for ours that is "/.htpasswd" at the filesystem's root,
 * one stat per request, and a file there put digest authentication in
 * front of every endpoint, probes included (401 for all of them).
 */
static int
cb_authorize(struct mg_connection *c, void *cbdata)
{
	(void)c;
	(void)cbdata;
	return 1;
}

/* Install the handlers before the first request can be dispatched. */
static void
cb_init_context(const struct mg_context *cctx)
{
	struct mg_context *ctx = (struct mg_context *)(uintptr_t)cctx;

	mg_set_auth_handler(ctx, "/", cb_authorize, NULL);
	mg_set_request_handler(ctx, "/", handle_request, mg_get_user_data(ctx));
}

/*
 * Why these values: CivetWeb gives each connection a worker for as long as
 * it stays open, so idle keep-alive clients would hold workers; a short
 * keep-alive timeout hands them back within a second. Request line and
 * headers are bounded by max_request_size, the whole request by
 * request_timeout_ms. decode_url=no lets routes.c see the raw path.
 */
static struct mg_context *
start_civetweb(struct server *srv, const struct mg_callbacks *cb)
{
	char threads[16], timeout[24], keepalive[16], maxreq[16];
	const char *opts[] = {
		"listening_ports",	srv->set.listen,
		"num_threads",		threads,
		"request_timeout_ms",	timeout,
		"enable_keep_alive",	"yes",
		"keep_alive_timeout_ms", keepalive,
		"tcp_nodelay",		"1",
		"max_request_size",	maxreq,
		"decode_url",		"no",
		"enable_directory_listing", "no",
		NULL
	};

	snprintf(threads, sizeof(threads), "%u", srv->set.threads);
	snprintf(timeout, sizeof(timeout), "%llu",
	    (unsigned long long)srv->set.request_timeout_ms);
	snprintf(keepalive, sizeof(keepalive), "%d", SERVER_KEEP_ALIVE_MS);
	snprintf(maxreq, sizeof(maxreq), "%d", SERVER_MAX_REQUEST_SIZE);
	return mg_start(cb, srv, opts);
}

struct server *
server_start(const struct server_settings *s, char *err, size_t errlen)
{
	struct mg_callbacks cb;
	struct server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->set = *s;
	pthread_mutex_init(&srv->gate_lock, NULL);
	pthread_cond_init(&srv->gate_cond, NULL);
	memset(&cb, 0, sizeof(cb));
	cb.http_error = cb_http_error;
	cb.log_message = cb_log_message;
	cb.init_thread = cb_init_thread;
	cb.exit_thread = cb_exit_thread;
	cb.init_context = cb_init_context;
	mg_init_library(0);
	if ((srv->ctx = start_civetweb(srv, &cb)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s (address in use, "
		    "bad address, or port < 1024 without root)", s->listen);
		server_stop(srv);
		return NULL;
	}
	return srv;
}

void
server_stop(struct server *srv)
{
	if (srv == NULL)
		return;
	if (srv->ctx != NULL) {
		/* Workers blocked at the gate must be let go to be joined;
		 * the stopping flag keeps them from serving anything. */
		atomic_store(&srv->stopping, true);
		server_serve(srv);
		mg_stop(srv->ctx);
	}
	mg_exit_library();
	pthread_cond_destroy(&srv->gate_cond);
	pthread_mutex_destroy(&srv->gate_lock);
	free(srv);
}
