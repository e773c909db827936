/* antiabuse: the demo rate-limiting plugin (sliding window per identifier). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/status.h>
#include <json-c/json.h>

#include "limiter.h"
#include "proto/hkpplugin.pb-c.h"
#include "vigil_plugin.h"

#define DEFAULT_WINDOW_MS	60000
#define DEFAULT_LIMIT		100
#define DEFAULT_CAPACITY	10000
#define DEFAULT_DEGRADED_PCT	90
#define MAX_HEADERS		5

struct antiabuse {
	struct limiter		*lim;
	struct limiter_config	 cfg;
	unsigned int		 degraded_pct;	/* table fill that degrades */
	uint64_t		 checks;
	uint64_t		 denied;
	uint64_t		 load_seq;	/* distinct ids for Load */
	struct vigil_sim	 sim;
};

/* Headers of one answer, as protobuf-c map entries. */
struct headers {
	char	values[MAX_HEADERS][24];
	Hkpplugin__RateLimitResponse__HeadersEntry	e[MAX_HEADERS];
	Hkpplugin__RateLimitResponse__HeadersEntry	*ev[MAX_HEADERS];
	size_t	n;
};

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read an integer member in [lo, hi]; absent leaves *out alone. */
static int
json_uint(struct json_object *obj, const char *key, uint64_t lo, uint64_t hi,
    uint64_t *out, char *err, size_t errlen)
{
	struct json_object	*v;
	int64_t			 n;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "%s must be an integer", key);
		return -1;
	}
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n < lo || (uint64_t)n > hi) {
		snprintf(err, errlen, "%s must be %llu..%llu", key,
		    (unsigned long long)lo, (unsigned long long)hi);
		return -1;
	}
	*out = (uint64_t)n;
	return 0;
}

/* config_json: {"window_seconds"|"window_ms", "limit", "capacity",
 * "degraded_percent"}; an empty string means defaults. */
static int
config_parse(const char *json, struct limiter_config *cfg,
    unsigned int *pct, char *err, size_t errlen)
{
	struct json_object	*root;
	uint64_t		 ws = 0, v;
	int			 rc = -1;

	if (json == NULL || json[strspn(json, " \t\r\n")] == '\0')
		return 0;
	root = json_tokener_parse(json);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "config_json is not a JSON object");
		goto out;
	}
	if (json_uint(root, "window_seconds", 1, LIMITER_MAX_WINDOW_MS / 1000,
	    &ws, err, errlen) == -1)
		goto out;
	if (ws != 0)
		cfg->window_ms = ws * 1000;
	if (json_uint(root, "window_ms", 1, LIMITER_MAX_WINDOW_MS,
	    &cfg->window_ms, err, errlen) == -1)
		goto out;
	v = cfg->limit;
	if (json_uint(root, "limit", 1, LIMITER_MAX_LIMIT, &v, err,
	    errlen) == -1)
		goto out;
	cfg->limit = (uint32_t)v;
	v = cfg->capacity;
	if (json_uint(root, "capacity", 1, LIMITER_MAX_CAPACITY, &v, err,
	    errlen) == -1)
		goto out;
	cfg->capacity = (uint32_t)v;
	v = *pct;
	if (json_uint(root, "degraded_percent", 1, 100, &v, err, errlen) == -1)
		goto out;
	*pct = (unsigned int)v;
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

static int
aa_init(void *ctx, const char *config_json, char *err, size_t errlen)
{
	struct antiabuse	*aa = ctx;
	struct limiter_config	 cfg = aa->cfg;
	struct limiter		*lim;
	unsigned int		 pct = aa->degraded_pct;

	if (config_parse(config_json, &cfg, &pct, err, errlen) == -1)
		return -1;
	if ((lim = limiter_new(&cfg)) == NULL) {
		snprintf(err, errlen, "limiter: %s", strerror(errno));
		return -1;
	}
	limiter_free(aa->lim);
	aa->lim = lim;
	aa->cfg = cfg;
	aa->degraded_pct = pct;
	vigil_log("limiter: window %llu ms, limit %u, capacity %u",
	    (unsigned long long)cfg.window_ms, cfg.limit, cfg.capacity);
	return 0;
}

static void
aa_health(void *ctx, struct vigil_health *h)
{
	struct antiabuse	*aa = ctx;
	size_t			 used = limiter_entries(aa->lim);
	size_t			 cap = limiter_capacity(aa->lim);
	unsigned int		 pct = (unsigned int)(used * 100 / cap);

	if (pct >= aa->degraded_pct)
		vigil_health_set(h, VIGIL_HEALTH_DEGRADED,
		    "rate-limit table %u%% full", pct);
	else
		vigil_health_set(h, VIGIL_HEALTH_HEALTHY, "rate limiter ok");
	vigil_health_add(h, "entries", "%zu", used);
	vigil_health_add(h, "capacity", "%zu", cap);
	vigil_health_add(h, "limit", "%u", aa->cfg.limit);
	vigil_health_add(h, "window_ms", "%llu",
	    (unsigned long long)aa->cfg.window_ms);
	vigil_health_add(h, "checks", "%llu", (unsigned long long)aa->checks);
	vigil_health_add(h, "denied", "%llu", (unsigned long long)aa->denied);
	vigil_sim_apply(&aa->sim, h);
}

/* protobuf-c wants char * even for what it only reads while packing. */
static char	hdr_limit[] = "X-RateLimit-Limit";
static char	hdr_remaining[] = "X-RateLimit-Remaining";
static char	hdr_reset[] = "X-RateLimit-Reset";
static char	hdr_retry[] = "Retry-After";

static void
header_add(struct headers *hd, char *key, uint32_t value)
{
	Hkpplugin__RateLimitResponse__HeadersEntry	*e = &hd->e[hd->n];

	hkpplugin__rate_limit_response__headers_entry__init(e);
	snprintf(hd->values[hd->n], sizeof(hd->values[hd->n]), "%u", value);
	e->key = key;
	e->value = hd->values[hd->n];
	hd->ev[hd->n] = e;
	hd->n++;
}

static int
aa_check(struct antiabuse *aa, const char *id, const char *action,
    struct limiter_result *res)
{
	if (limiter_check(aa->lim, id, action, now_ms(), res) == -1)
		return -1;
	aa->checks++;
	if (!res->allowed)
		aa->denied++;
	return 0;
}

static void
do_check_rate_limit(struct vigil_call *call, const ProtobufCMessage *msg,
    void *arg)
{
	const Hkpplugin__RateLimitCheck	*req =
	    (const Hkpplugin__RateLimitCheck *)msg;
	Hkpplugin__RateLimitResponse	 resp;
	struct limiter_result		 res;
	struct headers			 hd = { .n = 0 };
	static char			 ok[] = "", full[] = "table full",
					 limited[] = "rate limit exceeded";

	if (aa_check(arg, req->identifier, req->action, &res) == -1) {
		vigil_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "identifier must be 1..%d bytes with the action",
		    LIMITER_KEY_MAX - 2);
		return;
	}
	hkpplugin__rate_limit_response__init(&resp);
	resp.allowed = res.allowed;
	resp.reason = !res.allowed ? limited : res.table_full ? full : ok;
	resp.retry_after_seconds = (int32_t)res.retry_after_s;
	header_add(&hd, hdr_limit, res.limit);
	header_add(&hd, hdr_remaining, res.remaining);
	header_add(&hd, hdr_reset, res.reset_s);
	if (!res.allowed)
		header_add(&hd, hdr_retry, res.retry_after_s);
	resp.n_headers = hd.n;
	resp.headers = hd.ev;
	vigil_call_reply(call, &resp.base);
}

/*
 * Load: n real checks. One in four comes from a single hot client (it gets
 * rate limited), the rest from new clients each (they fill the table).
 */
static int32_t
aa_load(void *arg, int32_t n, int32_t *rejected)
{
	struct antiabuse	*aa = arg;
	struct limiter_result	 res;
	char			 id[32];
	int32_t			 i;

	*rejected = 0;
	for (i = 0; i < n; i++) {
		if (i % 4 == 0)
			snprintf(id, sizeof(id), "load-hot");
		else
			snprintf(id, sizeof(id), "load-%llu",
			    (unsigned long long)aa->load_seq++);
		if (aa_check(aa, id, "load", &res) == 0 && !res.allowed)
			(*rejected)++;
	}
	return n;
}

static int
aa_setup(void *ctx, struct vigil_server *srv)
{
	struct antiabuse	*aa = ctx;

	aa->sim.load = aa_load;
	aa->sim.load_arg = aa;
	if (vigil_sim_serve(srv, &aa->sim) == -1)
		return -1;
	return vigil_server_add_method(srv, "/hkpplugin.HKPPlugin/CheckRateLimit",
	    &hkpplugin__rate_limit_check__descriptor, do_check_rate_limit, aa);
}

int
main(void)
{
	static const char *const caps[] = { "ratelimit", "simulation", NULL };
	struct antiabuse	 aa = {
		.cfg = { DEFAULT_WINDOW_MS, DEFAULT_LIMIT, DEFAULT_CAPACITY },
		.degraded_pct = DEFAULT_DEGRADED_PCT,
	};
	struct vigil_plugin_def	 def = {
		.name = "antiabuse",
		.version = "1.0.0",
		.description = "Anti-abuse rate limiting plugin",
		.capabilities = caps,
		.init = aa_init,
		.health = aa_health,
		.setup = aa_setup,
		.ctx = &aa,
	};
	int			 rc;

	if ((aa.lim = limiter_new(&aa.cfg)) == NULL) {
		vigil_log("limiter: %s", strerror(errno));
		return VIGIL_EXIT_STARTUP;
	}
	rc = vigil_plugin_main(&def);
	limiter_free(aa.lim);
	return rc;
}
