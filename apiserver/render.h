/* JSON bodies of every endpoint, built with json-c from a view. */
#ifndef APISERVER_RENDER_H
#define APISERVER_RENDER_H

#include <stdint.h>

#include <json-c/json.h>

#include "view.h"

/* Serialization flags for every body: compact, '/' not escaped. */
#define RENDER_JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Each function returns a new object (NULL only when out of memory) that
 * the caller serializes with RENDER_JSON_FLAGS and releases. now_us is the
 * "timestamp" field (Unix microseconds).
 */
json_object	*render_health(const struct view *v, int64_t now_us);
json_object	*render_liveness(const struct view *v, int64_t now_us);
json_object	*render_readiness(const struct view *v, int64_t now_us);
json_object	*render_plugin(const struct view *v,
		    const struct vigil_record *r, int64_t now_us);
json_object	*render_plugins_status(const struct view *v, int64_t now_us);
json_object	*render_plugins_health(const struct view *v, int64_t now_us);
json_object	*render_error(int code, const char *message);
json_object	*render_restart(const char *status, const char *plugin,
		    const char *message, int64_t now_us);
json_object	*render_simulate(const char *status, const char *plugin,
		    const char *fault, uint32_t delay_ms, const char *message,
		    int64_t now_us);
json_object	*render_load(const char *status, const char *plugin,
		    uint32_t requests, const char *message, int64_t now_us);

/*
 * The answers memo.c keeps (memo_render_fn): body and HTTP status from
 * the view and the time alone. routes.c answers with them, and the memo's
 * unit test checks the memo against them.
 */
json_object	*answer_health(const struct view *v, int64_t now_us,
		    int *status);
json_object	*answer_readiness(const struct view *v, int64_t now_us,
		    int *status);
json_object	*answer_plugins_status(const struct view *v, int64_t now_us,
		    int *status);
json_object	*answer_plugins_health(const struct view *v, int64_t now_us,
		    int *status);

/* One plugin in the seed's /health shape (exposed for tests). */
json_object	*render_health_entry(const struct vigil_record *r);
/* Every field of one record (exposed for tests). */
json_object	*render_record(const struct vigil_record *r);

#endif /* APISERVER_RENDER_H */
