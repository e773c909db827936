/* Unit tests for apiserver/uri.c: strict path and query decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "uri.h"
#include "vigil_shm.h"

static int
segment(const char *path, char *out)
{
	return uri_plugin_segment(path, "/health/", out, VIGIL_NAME_LEN);
}

static void
test_segment_valid(void **state)
{
	char name[VIGIL_NAME_LEN];

	(void)state;
	assert_int_equal(segment("/health/antiabuse", name), URI_OK);
	assert_string_equal(name, "antiabuse");
	/* %-encoded unreserved characters name the same resource. */
	assert_int_equal(segment("/health/%61nti-abuse_2", name), URI_OK);
	assert_string_equal(name, "anti-abuse_2");
}

static void
test_segment_traversal_and_slashes(void **state)
{
	char name[VIGIL_NAME_LEN];

	(void)state;
	assert_int_equal(segment("/health/../../etc/passwd", name), URI_INVALID);
	assert_int_equal(segment("/health/..", name), URI_INVALID);
	assert_int_equal(segment("/health/%2e%2e%2fetc", name), URI_INVALID);
	assert_int_equal(segment("/health/a%2Fb", name), URI_INVALID);
	assert_int_equal(segment("/health/a/b", name), URI_INVALID);
	assert_int_equal(segment("/health/", name), URI_INVALID);
	assert_int_equal(segment("/other/x", name), URI_MISSING);
}

static void
test_segment_bad_bytes(void **state)
{
	char name[VIGIL_NAME_LEN], longname[300];

	(void)state;
	assert_int_equal(segment("/health/%ff%fe", name), URI_INVALID);
	assert_int_equal(segment("/health/\xc3\xa9t\xc3\xa9", name),
	    URI_INVALID);
	assert_int_equal(segment("/health/a%00b", name), URI_MALFORMED);
	assert_int_equal(segment("/health/a%zz", name), URI_MALFORMED);
	assert_int_equal(segment("/health/a%4", name), URI_MALFORMED);
	assert_int_equal(segment("/health/a%", name), URI_MALFORMED);
	assert_int_equal(segment("/health/Upper", name), URI_INVALID);
	assert_int_equal(segment("/health/-lead", name), URI_INVALID);
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "/health/", 8);
	longname[8 + 63] = '\0';
	assert_int_equal(segment(longname, name), URI_OK);
	longname[8 + 63] = 'a';
	longname[8 + 64] = '\0';
	assert_int_equal(segment(longname, name), URI_INVALID);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(segment(longname, name), URI_INVALID);
}

static void
test_query_plugin(void **state)
{
	char name[VIGIL_NAME_LEN];

	(void)state;
	assert_int_equal(uri_query_plugin("plugin=flaky", name, sizeof(name)),
	    URI_OK);
	assert_string_equal(name, "flaky");
	assert_int_equal(uri_query_plugin("x=1&plugin=a%2db&y", name,
	    sizeof(name)), URI_OK);
	assert_string_equal(name, "a-b");
	assert_int_equal(uri_query_plugin(NULL, name, sizeof(name)),
	    URI_MISSING);
	assert_int_equal(uri_query_plugin("", name, sizeof(name)), URI_MISSING);
	assert_int_equal(uri_query_plugin("plugin=", name, sizeof(name)),
	    URI_MISSING);
	assert_int_equal(uri_query_plugin("plugins=a", name, sizeof(name)),
	    URI_MISSING);
	assert_int_equal(uri_query_plugin("plugin=a&plugin=a", name,
	    sizeof(name)), URI_DUPLICATE);
	assert_int_equal(uri_query_plugin("plugin=a&%70lugin=b", name,
	    sizeof(name)), URI_DUPLICATE);
	assert_int_equal(uri_query_plugin("plugin=..%2F", name, sizeof(name)),
	    URI_INVALID);
	assert_int_equal(uri_query_plugin("plugin=a+b", name, sizeof(name)),
	    URI_INVALID);
	assert_int_equal(uri_query_plugin("plugin=%zz", name, sizeof(name)),
	    URI_MALFORMED);
	assert_int_equal(uri_query_plugin("plugin=a%00", name, sizeof(name)),
	    URI_MALFORMED);
}

static void
test_query_get_and_decode(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(uri_query_get("a=1&b=x+y%21", "b", out, sizeof(out)),
	    URI_OK);
	assert_string_equal(out, "x y!");
	assert_int_equal(uri_query_get("a&b", "a", out, sizeof(out)), URI_OK);
	assert_string_equal(out, "");
	assert_int_equal(uri_decode("0123456789abcdef", 16, out, sizeof(out),
	    0), URI_MALFORMED);
	assert_int_equal(uri_decode("%41%42", 6, out, sizeof(out), 0), URI_OK);
	assert_string_equal(out, "AB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_valid),
		cmocka_unit_test(test_segment_traversal_and_slashes),
		cmocka_unit_test(test_segment_bad_bytes),
		cmocka_unit_test(test_query_plugin),
		cmocka_unit_test(test_query_get_and_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
