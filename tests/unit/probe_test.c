/* Unit tests: decoding plugin replies (untrusted bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../supervisor/probe.h"
#include "proto/health.pb-c.h"
#include "proto/hkpplugin.pb-c.h"

static size_t
pack_health(int status, const char *msg, size_t ndetails, uint8_t *buf)
{
	Hkpplugin__HealthStatus hs = HKPPLUGIN__HEALTH_STATUS__INIT;
	Hkpplugin__HealthStatus__DetailsEntry e[64], *ep[64];
	char keys[64][32];

	hs.status = (Hkpplugin__HealthStatus__Status)status;
	hs.message = (char *)(uintptr_t)msg;
	for (size_t i = 0; i < ndetails; i++) {
		hkpplugin__health_status__details_entry__init(&e[i]);
		snprintf(keys[i], sizeof(keys[i]), "key%zu", i);
		e[i].key = keys[i];
		e[i].value = (char *)(uintptr_t)"value-with-some-length";
		ep[i] = &e[i];
	}
	hs.n_details = ndetails;
	hs.details = ep;
	return hkpplugin__health_status__pack(&hs, buf);
}

static void
test_hkp_statuses(void **state)
{
	struct probe_reply r;
	uint8_t buf[8192];
	size_t n;

	(void)state;
	n = pack_health(1, "all good", 1, buf);
	probe_decode_hkp_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_OK);
	assert_string_equal(r.message, "all good");
	assert_string_equal(r.details, "key0=value-with-some-length");
	n = pack_health(2, "busy", 0, buf);
	probe_decode_hkp_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_DEGRADED);
	n = pack_health(3, "", 0, buf);
	probe_decode_hkp_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
	assert_string_equal(r.message, "plugin reported status 3");
	n = pack_health(0, "", 0, buf);	/* UNKNOWN is not healthy */
	probe_decode_hkp_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
}

static void
test_hkp_errors(void **state)
{
	struct probe_reply r;
	const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };

	(void)state;
	probe_decode_hkp_health(GRPC_STATUS_OK, junk, sizeof(junk), "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
	assert_non_null(strstr(r.message, "malformed"));
	probe_decode_hkp_health(GRPC_STATUS_DEADLINE_EXCEEDED, NULL, 0,
	    "Deadline Exceeded", &r);
	assert_int_equal(r.result, PROBE_FAIL);
	assert_string_equal(r.message, "rpc DEADLINE_EXCEEDED: Deadline Exceeded");
	probe_decode_hkp_health(GRPC_STATUS_UNIMPLEMENTED, NULL, 0, "", &r);
	assert_int_equal(r.result, PROBE_UNIMPLEMENTED);
}

static void
test_untrusted_text(void **state)
{
	struct probe_reply r;
	uint8_t buf[65536];
	size_t n;

	(void)state;
	n = pack_health(1, "line\nbreak \"quoted\" \x01\x7f", 60, buf);
	probe_decode_hkp_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_OK);
	assert_null(strchr(r.message, '\n'));
	assert_null(strchr(r.message, '\x01'));
	/* Sixty details are cut to the field, still terminated. */
	assert_true(strlen(r.details) < sizeof(r.details));
	assert_true(strlen(r.details) > 100);
}

static void
test_grpc_health(void **state)
{
	Grpc__Health__V1__HealthCheckResponse resp =
	    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
	struct probe_reply r;
	uint8_t buf[64];
	size_t n;

	(void)state;
	resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	n = grpc__health__v1__health_check_response__pack(&resp, buf);
	probe_decode_grpc_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_OK);
	resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
	n = grpc__health__v1__health_check_response__pack(&resp, buf);
	probe_decode_grpc_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
	assert_string_equal(r.message, "grpc.health.v1 status NOT_SERVING");
	resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
	n = grpc__health__v1__health_check_response__pack(&resp, buf);
	probe_decode_grpc_health(GRPC_STATUS_OK, buf, n, "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
	/* No health service at all is a failure, never a fallback loop. */
	probe_decode_grpc_health(GRPC_STATUS_UNIMPLEMENTED, NULL, 0, "", &r);
	assert_int_equal(r.result, PROBE_FAIL);
}

static void
test_init_and_info(void **state)
{
	Hkpplugin__InitResponse ir = HKPPLUGIN__INIT_RESPONSE__INIT;
	Hkpplugin__PluginInfo pi = HKPPLUGIN__PLUGIN_INFO__INIT;
	char err[64], ver[8] = "keep", desc[16] = "keep";
	uint8_t buf[256];
	size_t n;

	(void)state;
	ir.success = 1;
	n = hkpplugin__init_response__pack(&ir, buf);
	assert_int_equal(probe_decode_initialize(buf, n, err, sizeof(err)), 0);
	ir.success = 0;
	ir.error = (char *)(uintptr_t)"no database";
	n = hkpplugin__init_response__pack(&ir, buf);
	assert_int_equal(probe_decode_initialize(buf, n, err, sizeof(err)), -1);
	assert_string_equal(err, "no database");
	pi.version = (char *)(uintptr_t)"2.0.0-very-long-version";
	pi.description = (char *)(uintptr_t)"";
	n = hkpplugin__plugin_info__pack(&pi, buf);
	assert_int_equal(probe_decode_getinfo(buf, n, ver, sizeof(ver), desc,
	    sizeof(desc)), 0);
	assert_string_equal(ver, "2.0.0-v");	/* cut to the field */
	assert_string_equal(desc, "keep");	/* empty keeps the manifest's */
	assert_int_equal(probe_decode_getinfo((const uint8_t *)"\xff\xff",
	    2, ver, sizeof(ver), desc, sizeof(desc)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hkp_statuses),
		cmocka_unit_test(test_hkp_errors),
		cmocka_unit_test(test_untrusted_text),
		cmocka_unit_test(test_grpc_health),
		cmocka_unit_test(test_init_and_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
