/* Unit tests: control-socket message encoding and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctlmsg.h"

static void
good(struct vigil_ctl_request *r)
{
	ctlmsg_init_request(r, VIGIL_CTL_RESTART, "antiabuse", "10.0.0.1:5",
	    "token");
}

static int
decode(const struct vigil_ctl_request *r, size_t len)
{
	struct vigil_ctl_request out;
	char err[128];

	return ctlmsg_decode_request(r, len, &out, err, sizeof(err));
}

static void
test_round_trip(void **state)
{
	struct vigil_ctl_request r, out;
	char err[128];

	(void)state;
	good(&r);
	assert_int_equal(ctlmsg_decode_request(&r, sizeof(r), &out, err,
	    sizeof(err)), 0);
	assert_string_equal(out.plugin, "antiabuse");
	assert_string_equal(out.client, "10.0.0.1:5");
	assert_string_equal(out.principal, "token");
	assert_int_equal(out.type, VIGIL_CTL_RESTART);
}

static void
test_exact_size(void **state)
{
	struct vigil_ctl_request r[2];

	(void)state;
	good(&r[0]);
	assert_int_equal(decode(&r[0], sizeof(r[0]) - 1), -1);
	assert_int_equal(decode(&r[0], sizeof(r[0]) + 1), -1);
	assert_int_equal(decode(&r[0], 0), -1);
}

static void
test_magic_version_type(void **state)
{
	struct vigil_ctl_request r;

	(void)state;
	good(&r);
	r.magic ^= 1;
	assert_int_equal(decode(&r, sizeof(r)), -1);
	good(&r);
	r.version = 2;
	assert_int_equal(decode(&r, sizeof(r)), -1);
	good(&r);
	r.type = 0;
	assert_int_equal(decode(&r, sizeof(r)), -1);
	r.type = 99;
	assert_int_equal(decode(&r, sizeof(r)), -1);
}

static void
test_unterminated_fields(void **state)
{
	struct vigil_ctl_request r;

	(void)state;
	good(&r);
	memset(r.plugin, 'a', sizeof(r.plugin));
	assert_int_equal(decode(&r, sizeof(r)), -1);
	good(&r);
	memset(r.client, 'a', sizeof(r.client));
	assert_int_equal(decode(&r, sizeof(r)), -1);
	good(&r);
	memset(r.principal, 'a', sizeof(r.principal));
	assert_int_equal(decode(&r, sizeof(r)), -1);
	good(&r);
	memset(r.action, 'a', sizeof(r.action));
	assert_int_equal(decode(&r, sizeof(r)), -1);
}

static void
test_names_and_text(void **state)
{
	static const char *const bad[] = { "", "../etc", "A", "a b", "-x",
	    "a/b", "\xc3\xa9t\xc3\xa9", NULL };
	struct vigil_ctl_request r;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++) {
		good(&r);
		memset(r.plugin, 0, sizeof(r.plugin));
		strcpy(r.plugin, bad[i]);
		assert_int_equal(decode(&r, sizeof(r)), -1);
	}
	good(&r);
	r.client[0] = '\n';		/* would forge audit log lines */
	assert_int_equal(decode(&r, sizeof(r)), -1);
	/* PING needs no plugin. */
	ctlmsg_init_request(&r, VIGIL_CTL_PING, "", "", "");
	assert_int_equal(decode(&r, sizeof(r)), 0);
	/* ... but its plugin field is still text (found by fuzz_ctlmsg). */
	r.plugin[0] = '\xff';
	assert_int_equal(decode(&r, sizeof(r)), -1);
}

static void
test_init_truncates(void **state)
{
	struct vigil_ctl_request r;
	char longname[200];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ctlmsg_init_request(&r, VIGIL_CTL_RESTART, "p", longname, NULL);
	assert_int_equal(strlen(r.client), sizeof(r.client) - 1);
	assert_string_equal(r.principal, "");
}

static void
test_response(void **state)
{
	struct vigil_ctl_response r, out;
	char err[128];

	(void)state;
	ctlmsg_init_response(&r, VIGIL_CTL_RATE_LIMITED, 12, "slow down");
	assert_int_equal(ctlmsg_decode_response(&r, sizeof(r), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.retry_after_s, 12);
	assert_string_equal(out.message, "slow down");
	r.status = 77;
	assert_int_equal(ctlmsg_decode_response(&r, sizeof(r), &out, err,
	    sizeof(err)), -1);
	ctlmsg_init_response(&r, VIGIL_CTL_ACCEPTED, 0, "ok");
	memset(r.message, 'z', sizeof(r.message));
	assert_int_equal(ctlmsg_decode_response(&r, sizeof(r), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(strlen(out.message), sizeof(out.message) - 1);
	assert_int_equal(ctlmsg_decode_response(&r, 3, &out, err,
	    sizeof(err)), -1);
	assert_string_equal(ctlmsg_status_name(VIGIL_CTL_IN_PROGRESS),
	    "in_progress");
	assert_string_equal(ctlmsg_type_name(42), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_exact_size),
		cmocka_unit_test(test_magic_version_type),
		cmocka_unit_test(test_unterminated_fields),
		cmocka_unit_test(test_names_and_text),
		cmocka_unit_test(test_init_truncates),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
