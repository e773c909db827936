/* Unit tests for apiserver/render.c and metrics.c: shapes and key sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "metrics.h"
#include "render.h"
#include "response.h"

#define NOW	1705314600000000LL	/* 2024-01-15T10:30:00Z */

static struct vigil_record recs[2];
static struct view view;

static int
setup(void **state)
{
	(void)state;
	memset(recs, 0, sizeof(recs));
	snprintf(recs[0].name, sizeof(recs[0].name), "antiabuse");
	snprintf(recs[0].executable, sizeof(recs[0].executable),
	    "/path/to/plugin");
	recs[0].state = VIGIL_STATE_HEALTHY;
	recs[0].flags = VIGIL_REC_IN_USE | VIGIL_REC_REQUIRED |
	    VIGIL_REC_CONNECTED;
	recs[0].last_check_us = NOW - 15000000;
	recs[0].last_healthy_us = NOW - 15000000;
	recs[0].last_response_us = 15000;
	snprintf(recs[1].name, sizeof(recs[1].name), "flaky");
	recs[1].state = VIGIL_STATE_FAILED;
	recs[1].flags = VIGIL_REC_IN_USE;
	memset(&view, 0, sizeof(view));
	view.have_sup = true;
	view.sup.heartbeat_age_ms = 20;
	view.recs = recs;
	view.n = 1;
	status_summarize(recs, view.n, &view.sum);
	return 0;
}

/* The object's keys, sorted and comma-joined. */
static void
keys(json_object *o, char *out, size_t len)
{
	const char *names[64];
	size_t n = 0;

	json_object_object_foreach(o, k, v) {
		(void)v;
		names[n++] = k;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		    j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i ? "," : "", names[i]);
}

static json_object *
get(json_object *o, const char *k)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void
test_health_seed_shape(void **state)
{
	json_object *o = render_health(&view, NOW), *p, *sum;
	char k[1024];

	(void)state;
	assert_string_equal(json_object_get_string(get(o, "status")), "healthy");
	assert_string_equal(json_object_get_string(get(o, "timestamp")),
	    "2024-01-15T10:30:00Z");
	p = get(get(o, "plugins"), "antiabuse");
	keys(p, k, sizeof(k));
	assert_string_equal(k, "failureCount,healthy,lastCheckTime,"
	    "lastHealthyTime,responseTime,restartCount,status");
	assert_string_equal(json_object_get_string(get(p, "responseTime")),
	    "15ms");
	assert_string_equal(json_object_get_string(get(p, "lastCheckTime")),
	    "2024-01-15T10:29:45Z");
	assert_true(json_object_get_boolean(get(p, "healthy")));
	sum = get(o, "summary");
	assert_int_equal(json_object_get_int(get(sum, "totalPlugins")), 1);
	assert_int_equal(json_object_get_int(get(sum, "healthyPlugins")), 1);
	get(sum, "unhealthyPlugins");
	get(sum, "restartingPlugins");
	get(sum, "failedPlugins");
	json_object_put(o);
}

static void
test_health_unhealthy_has_reason(void **state)
{
	json_object *o;

	(void)state;
	view.n = 2;
	status_summarize(recs, view.n, &view.sum);
	o = render_health(&view, NOW);
	assert_string_equal(json_object_get_string(get(o, "status")),
	    "unhealthy");
	get(o, "reason");
	assert_true(json_object_is_type(get(get(get(o, "plugins"), "flaky"),
	    "lastCheckTime"), json_type_null));
	json_object_put(o);
	view.n = 0;
	view.have_sup = false;
	view.sup_status = SUP_NO_SEGMENT;
	o = render_health(&view, NOW);
	assert_string_equal(json_object_get_string(get(o, "reason")),
	    status_supervisor_reason(SUP_NO_SEGMENT));
	json_object_put(o);
}

static void
test_plugins_status_seed_shape(void **state)
{
	json_object *o = render_plugins_status(&view, NOW), *p;
	char k[1024];

	(void)state;
	assert_true(json_object_get_boolean(get(o, "enabled")));
	assert_int_equal(json_object_get_int(get(o, "total")), 1);
	assert_int_equal(json_object_get_int(get(o, "connected")), 1);
	get(o, "initialized");
	p = json_object_array_get_idx(get(o, "plugins"), 0);
	keys(p, k, sizeof(k));
	/* The seed's five keys, plus status, pid and required. */
	assert_string_equal(k, "connected,description,executable,name,pid,"
	    "required,status,version");
	json_object_put(o);
}

static void
test_readiness_lists_not_ready(void **state)
{
	json_object *o;

	(void)state;
	recs[1].flags |= VIGIL_REC_REQUIRED;
	view.n = 2;
	status_summarize(recs, view.n, &view.sum);
	o = render_readiness(&view, NOW);
	assert_string_equal(json_object_get_string(get(o, "status")),
	    "not ready");
	assert_int_equal(json_object_array_length(get(o, "notReady")), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
	    get(o, "notReady"), 0)), "flaky");
	json_object_put(o);
}

static void
test_record_has_every_field(void **state)
{
	json_object *o = render_record(&recs[0]);

	(void)state;
	/* The seed's fields plus all of struct vigil_record. */
	assert_int_equal(json_object_object_length(o), 35);
	json_object_put(o);
}

/* json-c escapes '/' unless told not to; paths must stay readable. */
static void
test_no_slash_escaping(void **state)
{
	struct response r;

	(void)state;
	response_init(&r);
	response_json(&r, 200, render_plugins_status(&view, NOW));
	assert_non_null(strstr(r.body.data, "\"/path/to/plugin\""));
	assert_null(strstr(r.body.data, "\\/"));
	response_free(&r);
}

static void
test_response_wire(void **state)
{
	struct response r;
	struct buf wire;

	(void)state;
	response_init(&r);
	buf_init(&wire);
	response_error(&r, 405, "method not allowed");
	response_header(&r, "Allow: %s", "POST");
	assert_int_equal(response_serialize(&r, false, &wire), 0);
	assert_true(strncmp(wire.data, "HTTP/1.1 405 Method Not Allowed\r\n",
	    33) == 0);
	assert_non_null(strstr(wire.data, "Content-Type: application/json\r\n"));
	assert_non_null(strstr(wire.data, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(wire.data, "Allow: POST\r\n\r\n{\"error\""));
	assert_int_equal(response_serialize(&r, true, &wire), 0);
	assert_int_equal(wire.data[wire.len - 1], '\n');
	buf_free(&wire);
	response_free(&r);
}

static void
test_metrics_text(void **state)
{
	struct buf out;

	(void)state;
	view.n = 2;
	buf_init(&out);
	metrics_count(EP_HEALTH, 200);
	metrics_count(EP_HEALTH, 200);
	metrics_count(EP_OTHER, 418);
	assert_int_equal(metrics_requests(EP_HEALTH, 200), 2);
	metrics_render(&view, &out);
	assert_non_null(strstr(out.data, "# TYPE vigil_plugin_up gauge\n"));
	assert_non_null(strstr(out.data, "vigil_plugin_up{plugin=\"antiabuse\"} 1\n"));
	assert_non_null(strstr(out.data, "vigil_plugin_state{plugin=\"flaky\","
	    "state=\"failed\"} 1\n"));
	assert_non_null(strstr(out.data, "vigil_plugin_state{plugin=\"flaky\","
	    "state=\"healthy\"} 0\n"));
	assert_non_null(strstr(out.data, "vigil_supervisor_up 1\n"));
	assert_non_null(strstr(out.data, "vigil_plugin_health_check_duration"
	    "_seconds{plugin=\"antiabuse\"} 0.015000\n"));
	assert_non_null(strstr(out.data, "vigil_api_requests_total{endpoint="
	    "\"health\",code=\"200\"} 2\n"));
	assert_non_null(strstr(out.data, "{endpoint=\"other\",code=\"other\"} 1"));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_health_seed_shape, setup),
		cmocka_unit_test_setup(test_health_unhealthy_has_reason, setup),
		cmocka_unit_test_setup(test_plugins_status_seed_shape, setup),
		cmocka_unit_test_setup(test_readiness_lists_not_ready, setup),
		cmocka_unit_test_setup(test_record_has_every_field, setup),
		cmocka_unit_test_setup(test_no_slash_escaping, setup),
		cmocka_unit_test_setup(test_response_wire, setup),
		cmocka_unit_test_setup(test_metrics_text, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
