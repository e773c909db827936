/* Plugin RPCs: encode requests and decode (untrusted) replies. */
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "proto/grpc_controller.pb-c.h"
#include "proto/health.pb-c.h"
#include "proto/hkpplugin.pb-c.h"
#include "proto/simulation.pb-c.h"

void
probe_copy_text(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	if (dstlen == 0)
		return;
	for (; src != NULL && *src != '\0' && i + 1 < dstlen; src++) {
		unsigned char c = (unsigned char)*src;
		dst[i++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* "k=v, k=v" from a protobuf map, cut to fit. */
static void
format_details(Hkpplugin__HealthStatus__DetailsEntry **d, size_t n,
    char *out, size_t len)
{
	char key[64], val[128];
	size_t used = 0;
	int w;

	out[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < len; i++) {
		probe_copy_text(key, sizeof(key), d[i]->key);
		probe_copy_text(val, sizeof(val), d[i]->value);
		w = snprintf(out + used, len - used, "%s%s=%s",
		    i ? ", " : "", key, val);
		if (w < 0 || (size_t)w >= len - used) {
			out[len - 1] = '\0';
			break;
		}
		used += (size_t)w;
	}
}

static void
rpc_failure(grpc_status_code st, const char *error, struct probe_reply *out)
{
	char text[96];

	out->result = st == GRPC_STATUS_UNIMPLEMENTED ? PROBE_UNIMPLEMENTED :
	    PROBE_FAIL;
	probe_copy_text(text, sizeof(text), error);
	snprintf(out->message, sizeof(out->message), "rpc %s%s%s",
	    rpc_status_name(st), text[0] ? ": " : "", text);
}

void
probe_decode_hkp_health(grpc_status_code st, const uint8_t *buf, size_t len,
    const char *error, struct probe_reply *out)
{
	Hkpplugin__HealthStatus *hs;

	memset(out, 0, sizeof(*out));
	if (st != GRPC_STATUS_OK) {
		rpc_failure(st, error, out);
		return;
	}
	hs = hkpplugin__health_status__unpack(NULL, len, buf);
	if (hs == NULL) {
		out->result = PROBE_FAIL;
		snprintf(out->message, sizeof(out->message),
		    "malformed HealthStatus reply (%zu bytes)", len);
		return;
	}
	switch (hs->status) {
	case HKPPLUGIN__HEALTH_STATUS__STATUS__HEALTHY:
		out->result = PROBE_OK;
		break;
	case HKPPLUGIN__HEALTH_STATUS__STATUS__DEGRADED:
		out->result = PROBE_DEGRADED;
		break;
	default:
		out->result = PROBE_FAIL;
		break;
	}
	probe_copy_text(out->message, sizeof(out->message), hs->message);
	if (out->result == PROBE_FAIL && out->message[0] == '\0')
		snprintf(out->message, sizeof(out->message),
		    "plugin reported status %d", (int)hs->status);
	format_details(hs->details, hs->n_details, out->details,
	    sizeof(out->details));
	hkpplugin__health_status__free_unpacked(hs, NULL);
}

void
probe_decode_grpc_health(grpc_status_code st, const uint8_t *buf,
    size_t len, const char *error, struct probe_reply *out)
{
	Grpc__Health__V1__HealthCheckResponse *r;

	memset(out, 0, sizeof(*out));
	if (st != GRPC_STATUS_OK) {
		rpc_failure(st, error, out);
		/* Both protocols missing is a failure, not a fallback. */
		if (out->result == PROBE_UNIMPLEMENTED)
			out->result = PROBE_FAIL;
		return;
	}
	r = grpc__health__v1__health_check_response__unpack(NULL, len, buf);
	if (r == NULL) {
		out->result = PROBE_FAIL;
		snprintf(out->message, sizeof(out->message),
		    "malformed HealthCheckResponse (%zu bytes)", len);
		return;
	}
	if (r->status ==
	    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING) {
		out->result = PROBE_OK;
	} else {
		out->result = PROBE_FAIL;
		snprintf(out->message, sizeof(out->message),
		    "grpc.health.v1 status %s", r->status == 2 ? "NOT_SERVING" :
		    r->status == 3 ? "SERVICE_UNKNOWN" : "UNKNOWN");
	}
	grpc__health__v1__health_check_response__free_unpacked(r, NULL);
}

int
probe_send_hkp_health(struct rpc *r, grpc_channel *ch, uint64_t timeout_ms,
    rpc_done_fn done, uint64_t cookie)
{
	Hkpplugin__Empty e = HKPPLUGIN__EMPTY__INIT;

	return rpc_unary(r, ch, "/hkpplugin.HKPPlugin/HealthCheck",
	    &e.base, timeout_ms, false, done, cookie);
}

int
probe_send_grpc_health(struct rpc *r, grpc_channel *ch, const char *service,
    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie)
{
	Grpc__Health__V1__HealthCheckRequest q =
	    GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;

	q.service = (char *)(uintptr_t)service;
	return rpc_unary(r, ch, "/grpc.health.v1.Health/Check", &q.base,
	    timeout_ms, false, done, cookie);
}

int
probe_send_initialize(struct rpc *r, grpc_channel *ch,
    const char *config_json, const char *protocol_version, char *const *env,
    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie)
{
	Hkpplugin__InitRequest q = HKPPLUGIN__INIT_REQUEST__INIT;
	Hkpplugin__InitRequest__EnvironmentEntry entries[32], *ptrs[32];
	char keys[32][64];
	size_t n = 0;

	q.config_json = (char *)(uintptr_t)config_json;
	q.protocol_version = (char *)(uintptr_t)protocol_version;
	q.hockeypuck_version = (char *)(uintptr_t)"vigil-" VIGIL_VERSION;
	for (; env != NULL && env[n] != NULL && n < 32; n++) {
		const char *eq = strchr(env[n], '=');
		size_t kl = eq ? (size_t)(eq - env[n]) : strlen(env[n]);
		hkpplugin__init_request__environment_entry__init(&entries[n]);
		snprintf(keys[n], sizeof(keys[n]), "%.*s", (int)kl, env[n]);
		entries[n].key = keys[n];
		entries[n].value = (char *)(uintptr_t)(eq ? eq + 1 : "");
		ptrs[n] = &entries[n];
	}
	q.n_environment = n;
	q.environment = ptrs;
	return rpc_unary(r, ch, "/hkpplugin.HKPPlugin/Initialize", &q.base,
	    timeout_ms, true, done, cookie);
}

int
probe_decode_initialize(const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	Hkpplugin__InitResponse *resp;
	int rc = 0;

	resp = hkpplugin__init_response__unpack(NULL, len, buf);
	if (resp == NULL) {
		snprintf(err, errlen, "malformed InitResponse");
		return -1;
	}
	if (!resp->success) {
		probe_copy_text(err, errlen, resp->error);
		if (err[0] == '\0')
			snprintf(err, errlen, "plugin refused to initialize");
		rc = -1;
	}
	hkpplugin__init_response__free_unpacked(resp, NULL);
	return rc;
}

int
probe_send_getinfo(struct rpc *r, grpc_channel *ch, uint64_t timeout_ms,
    rpc_done_fn done, uint64_t cookie)
{
	Hkpplugin__Empty e = HKPPLUGIN__EMPTY__INIT;

	return rpc_unary(r, ch, "/hkpplugin.HKPPlugin/GetInfo", &e.base,
	    timeout_ms, false, done, cookie);
}

int
probe_decode_getinfo(const uint8_t *buf, size_t len, char *version,
    size_t vlen, char *description, size_t dlen)
{
	Hkpplugin__PluginInfo *pi;

	pi = hkpplugin__plugin_info__unpack(NULL, len, buf);
	if (pi == NULL)
		return -1;
	if (pi->version != NULL && pi->version[0] != '\0')
		probe_copy_text(version, vlen, pi->version);
	if (pi->description != NULL && pi->description[0] != '\0')
		probe_copy_text(description, dlen, pi->description);
	hkpplugin__plugin_info__free_unpacked(pi, NULL);
	return 0;
}

int
probe_send_shutdown(struct rpc *r, grpc_channel *ch, int goplugin,
    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie)
{
	Hkpplugin__ShutdownRequest q = HKPPLUGIN__SHUTDOWN_REQUEST__INIT;
	Plugin__Empty e = PLUGIN__EMPTY__INIT;

	if (goplugin)
		return rpc_unary(r, ch, "/plugin.GRPCController/Shutdown",
		    &e.base, timeout_ms, false, done, cookie);
	q.timeout_seconds = (int32_t)((timeout_ms + 999) / 1000);
	q.reason = (char *)(uintptr_t)"stopped by vigil";
	return rpc_unary(r, ch, "/hkpplugin.HKPPlugin/Shutdown", &q.base,
	    timeout_ms, false, done, cookie);
}

int
probe_send_inject(struct rpc *r, grpc_channel *ch, const char *fault,
    uint32_t delay_ms, rpc_done_fn done, uint64_t cookie)
{
	Vigil__Demo__FaultRequest q = VIGIL__DEMO__FAULT_REQUEST__INIT;

	q.fault = (char *)(uintptr_t)fault;
	q.delay_ms = (int32_t)delay_ms;
	return rpc_unary(r, ch, "/vigil.demo.Simulation/Inject", &q.base,
	    2000, false, done, cookie);
}

int
probe_send_load(struct rpc *r, grpc_channel *ch, uint32_t requests,
    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie)
{
	Vigil__Demo__LoadRequest q = VIGIL__DEMO__LOAD_REQUEST__INIT;

	q.requests = (int32_t)requests;
	return rpc_unary(r, ch, "/vigil.demo.Simulation/Load", &q.base,
	    timeout_ms, false, done, cookie);
}
