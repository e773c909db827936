/* vigil_plugin_main: the hkpplugin.HKPPlugin and grpc.health.v1 services. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/status.h>

#include "proto/health.pb-c.h"
#include "proto/hkpplugin.pb-c.h"
#include "vigil_plugin.h"

#define MAX_CAPS	16

/* The running plugin: one per process. */
struct plugin {
	const struct vigil_plugin_def	*def;
	struct vigil_server		*srv;
	int				 shutdown_called;
};

/* Mutable copies of the plugin's identity, as protobuf-c wants char *. */
struct info_buf {
	char	name[128];
	char	version[64];
	char	description[512];
	char	caps[MAX_CAPS][64];
	char	*capv[MAX_CAPS];
	char	meta_key[8];
	char	meta_value[32];
	Hkpplugin__PluginInfo__MetadataEntry	meta;
	Hkpplugin__PluginInfo__MetadataEntry	*metav[1];
};

/* The same for one health answer. */
struct health_buf {
	Hkpplugin__HealthStatus__DetailsEntry	entries[VIGIL_HEALTH_MAX_DETAILS];
	Hkpplugin__HealthStatus__DetailsEntry	*entryv[VIGIL_HEALTH_MAX_DETAILS];
};

static char	log_name[64] = "vigil-plugin";
/* The RPC whose init or shutdown callback is running (vigil_plugin_delay). */
static struct vigil_call *current_call;
static char	empty_string[1];

void
vigil_log(const char *fmt, ...)
{
	char	line[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", log_name, line);
}

void
vigil_plugin_delay(int delay_ms)
{
	if (current_call != NULL)
		vigil_call_delay(current_call, delay_ms);
}

/* --- health results ---------------------------------------------------- */

void
vigil_health_set(struct vigil_health *h, int status, const char *fmt, ...)
{
	va_list	ap;

	h->status = status;
	va_start(ap, fmt);
	vsnprintf(h->message, sizeof(h->message), fmt, ap);
	va_end(ap);
}

int
vigil_health_add(struct vigil_health *h, const char *key, const char *fmt, ...)
{
	struct vigil_health_detail	*d;
	va_list				 ap;

	if (h->ndetails >= VIGIL_HEALTH_MAX_DETAILS)
		return -1;
	d = &h->details[h->ndetails++];
	snprintf(d->key, sizeof(d->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(d->value, sizeof(d->value), fmt, ap);
	va_end(ap);
	return 0;
}

const char *
vigil_health_status_name(int status)
{
	switch (status) {
	case VIGIL_HEALTH_HEALTHY:
		return "HEALTHY";
	case VIGIL_HEALTH_DEGRADED:
		return "DEGRADED";
	case VIGIL_HEALTH_UNHEALTHY:
		return "UNHEALTHY";
	default:
		return "UNKNOWN";
	}
}

/* Ask the plugin; distrust what it wrote (range, termination). */
static void
health_query(const struct plugin *p, struct vigil_health *h)
{
	size_t	i;

	memset(h, 0, sizeof(*h));
	if (p->def->health == NULL) {
		vigil_health_set(h, VIGIL_HEALTH_HEALTHY, "ok");
		return;
	}
	p->def->health(p->def->ctx, h);
	if (h->status < VIGIL_HEALTH_UNKNOWN ||
	    h->status > VIGIL_HEALTH_UNHEALTHY)
		h->status = VIGIL_HEALTH_UNKNOWN;
	h->message[sizeof(h->message) - 1] = '\0';
	if (h->ndetails > VIGIL_HEALTH_MAX_DETAILS)
		h->ndetails = VIGIL_HEALTH_MAX_DETAILS;
	for (i = 0; i < h->ndetails; i++) {
		h->details[i].key[sizeof(h->details[i].key) - 1] = '\0';
		h->details[i].value[sizeof(h->details[i].value) - 1] = '\0';
	}
}

/* --- HKPPlugin ------------------------------------------------------------ */

static void
info_fill(const struct plugin *p, struct info_buf *b, Hkpplugin__PluginInfo *pi)
{
	const struct vigil_plugin_def	*def = p->def;
	size_t				 n = 0;

	hkpplugin__plugin_info__init(pi);
	snprintf(b->name, sizeof(b->name), "%s", def->name);
	snprintf(b->version, sizeof(b->version), "%s",
	    def->version != NULL ? def->version : "");
	snprintf(b->description, sizeof(b->description), "%s",
	    def->description != NULL ? def->description : "");
	for (; def->capabilities != NULL && def->capabilities[n] != NULL &&
	    n < MAX_CAPS; n++) {
		snprintf(b->caps[n], sizeof(b->caps[n]), "%s",
		    def->capabilities[n]);
		b->capv[n] = b->caps[n];
	}
	hkpplugin__plugin_info__metadata_entry__init(&b->meta);
	snprintf(b->meta_key, sizeof(b->meta_key), "sdk");
	snprintf(b->meta_value, sizeof(b->meta_value), "vigil-c/%s",
	    VIGIL_PLUGIN_SDK_VERSION);
	b->meta.key = b->meta_key;
	b->meta.value = b->meta_value;
	b->metav[0] = &b->meta;
	pi->name = b->name;
	pi->version = b->version;
	pi->description = b->description;
	pi->n_capabilities = n;
	pi->capabilities = b->capv;
	pi->n_metadata = 1;
	pi->metadata = b->metav;
}

static void
do_initialize(struct vigil_call *call, const ProtobufCMessage *msg, void *arg)
{
	const Hkpplugin__InitRequest	*req = (const Hkpplugin__InitRequest *)msg;
	struct plugin			*p = arg;
	Hkpplugin__InitResponse		 resp;
	Hkpplugin__PluginInfo		 pi;
	struct info_buf			 b;
	char				 err[256] = "";
	int				 rc = 0;

	if (p->def->init != NULL) {
		current_call = call;
		rc = p->def->init(p->def->ctx, req->config_json, err,
		    sizeof(err));
		current_call = NULL;
	}
	err[sizeof(err) - 1] = '\0';
	if (rc != 0)
		vigil_log("initialize failed: %s", err);
	hkpplugin__init_response__init(&resp);
	info_fill(p, &b, &pi);
	resp.success = rc == 0;
	resp.error = rc == 0 ? empty_string : err;
	resp.info = &pi;
	vigil_call_reply(call, &resp.base);
}

static void
do_get_info(struct vigil_call *call, const ProtobufCMessage *msg, void *arg)
{
	Hkpplugin__PluginInfo	pi;
	struct info_buf		b;

	(void)msg;
	info_fill(arg, &b, &pi);
	vigil_call_reply(call, &pi.base);
}

static void
do_health_check(struct vigil_call *call, const ProtobufCMessage *msg,
    void *arg)
{
	Hkpplugin__HealthStatus	hs;
	struct health_buf	b;
	struct vigil_health	h;
	size_t			i;

	(void)msg;
	health_query(arg, &h);
	hkpplugin__health_status__init(&hs);
	for (i = 0; i < h.ndetails; i++) {
		hkpplugin__health_status__details_entry__init(&b.entries[i]);
		b.entries[i].key = h.details[i].key;
		b.entries[i].value = h.details[i].value;
		b.entryv[i] = &b.entries[i];
	}
	hs.status = (Hkpplugin__HealthStatus__Status)h.status;
	hs.message = h.message;
	hs.n_details = h.ndetails;
	hs.details = b.entryv;
	hs.timestamp = (int64_t)time(NULL);
	vigil_call_reply(call, &hs.base);
	vigil_call_delay(call, h.delay_ms);
}

static void
do_shutdown(struct vigil_call *call, const ProtobufCMessage *msg, void *arg)
{
	const Hkpplugin__ShutdownRequest *req =
	    (const Hkpplugin__ShutdownRequest *)msg;
	struct plugin			*p = arg;
	Hkpplugin__ShutdownResponse	 resp;
	char				 err[256] = "";
	int				 rc = 0;

	if (p->def->shutdown != NULL) {
		current_call = call;
		rc = p->def->shutdown(p->def->ctx, req->reason, err,
		    sizeof(err));
		current_call = NULL;
	}
	err[sizeof(err) - 1] = '\0';
	hkpplugin__shutdown_response__init(&resp);
	resp.success = rc == 0;
	resp.error = rc == 0 ? empty_string : err;
	vigil_call_reply(call, &resp.base);
	if (rc == 0) {
		vigil_log("shutdown requested: %s", req->reason);
		p->shutdown_called = 1;
		vigil_server_stop(p->srv);
	} else
		vigil_log("shutdown refused: %s", err);
}

/* --- grpc.health.v1 ------------------------------------------------------ */

static int
health_service_known(const struct plugin *p, const char *service)
{
	return service[0] == '\0' || strcmp(service, "plugin") == 0 ||
	    strcmp(service, p->def->name) == 0;
}

static void
do_grpc_health_check(struct vigil_call *call, const ProtobufCMessage *msg,
    void *arg)
{
	const Grpc__Health__V1__HealthCheckRequest *req =
	    (const Grpc__Health__V1__HealthCheckRequest *)msg;
	Grpc__Health__V1__HealthCheckResponse	resp;
	struct vigil_health			h;

	if (!health_service_known(arg, req->service)) {
		vigil_call_fail(call, GRPC_STATUS_NOT_FOUND, "unknown service");
		return;
	}
	health_query(arg, &h);
	grpc__health__v1__health_check_response__init(&resp);
	if (h.status == VIGIL_HEALTH_HEALTHY ||
	    h.status == VIGIL_HEALTH_DEGRADED)
		resp.status =
		    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	else
		resp.status =
		    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
	vigil_call_reply(call, &resp.base);
	vigil_call_delay(call, h.delay_ms);
}

/* --- main ---------------------------------------------------------------- */

static int
plugin_register(struct plugin *p)
{
	struct vigil_server	*s = p->srv;
	int			 rc = 0;

	rc |= vigil_server_add_method(s, "/grpc.health.v1.Health/Check",
	    &grpc__health__v1__health_check_request__descriptor,
	    do_grpc_health_check, p);
	if (p->def->flags & VIGIL_PLUGIN_HEALTH_ONLY)
		return rc;
	rc |= vigil_server_add_method(s, "/hkpplugin.HKPPlugin/Initialize",
	    &hkpplugin__init_request__descriptor, do_initialize, p);
	rc |= vigil_server_add_method(s, "/hkpplugin.HKPPlugin/GetInfo",
	    &hkpplugin__empty__descriptor, do_get_info, p);
	rc |= vigil_server_add_method(s, "/hkpplugin.HKPPlugin/HealthCheck",
	    &hkpplugin__empty__descriptor, do_health_check, p);
	rc |= vigil_server_add_method(s, "/hkpplugin.HKPPlugin/Shutdown",
	    &hkpplugin__shutdown_request__descriptor, do_shutdown, p);
	return rc;
}

int
vigil_plugin_main(const struct vigil_plugin_def *def)
{
	struct plugin	 p = { .def = def };
	const char	*address;
	char		 err[256], ignored[8];
	int		 rc;

	if (def->name == NULL || def->name[0] == '\0') {
		vigil_log("plugin definition has no name");
		return VIGIL_EXIT_STARTUP;
	}
	snprintf(log_name, sizeof(log_name), "%s", def->name);
	if ((address = getenv("PLUGIN_GRPC_ADDRESS")) == NULL) {
		vigil_log("PLUGIN_GRPC_ADDRESS is not set; this program is "
		    "a Vigil plugin, started by vigil-supervisor");
		return VIGIL_EXIT_STARTUP;
	}
	signal(SIGPIPE, SIG_IGN);
	if (vigil_server_stop_on_signal(SIGTERM) == -1 ||
	    vigil_server_stop_on_signal(SIGINT) == -1) {
		vigil_log("sigaction failed");
		return VIGIL_EXIT_STARTUP;
	}
	if ((p.srv = vigil_server_new(address, err, sizeof(err))) == NULL) {
		vigil_log("%s", err);
		return VIGIL_EXIT_STARTUP;
	}
	if (plugin_register(&p) == -1 || (def->setup != NULL &&
	    def->setup(def->ctx, p.srv) == -1)) {
		vigil_log("setup failed");
		vigil_server_free(p.srv);
		return VIGIL_EXIT_STARTUP;
	}
	vigil_log("version %s listening on %s", def->version ? def->version :
	    "?", address);
	rc = vigil_server_run(p.srv);
	if (!p.shutdown_called && def->shutdown != NULL)
		(void)def->shutdown(def->ctx, "signal", ignored,
		    sizeof(ignored));
	vigil_server_free(p.srv);
	vigil_log("stopped");
	return rc == 0 ? VIGIL_EXIT_OK : VIGIL_EXIT_RUNTIME;
}
