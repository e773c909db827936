/* Unit tests: the plugin SDK's listen-address parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static void
test_tcp(void **state)
{
	struct addr	a;
	char		err[128];

	(void)state;
	assert_int_equal(addr_parse("127.0.0.1:50051", &a, err, sizeof(err)), 0);
	assert_int_equal(a.kind, ADDR_TCP);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 50051);
	assert_int_equal(addr_parse("localhost:0", &a, err, sizeof(err)), 0);
	assert_int_equal(a.port, 0);
	assert_int_equal(addr_parse("[::1]:65535", &a, err, sizeof(err)), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 65535);
}

static void
test_tcp_bad(void **state)
{
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:8o", "[::1:80", "[]:80",
		"127.0.0.1:123456", "host\n:80", "127.0.0.1:99999999999",
	};
	struct addr	a;
	char		err[128];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(addr_parse(bad[i], &a, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(addr_parse(NULL, &a, err, sizeof(err)), -1);
}

static void
test_unix(void **state)
{
	struct addr	a;
	char		err[128], longpath[200];

	(void)state;
	assert_int_equal(addr_parse("unix:/run/vigil/p.sock", &a, err,
	    sizeof(err)), 0);
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_string_equal(a.path, "/run/vigil/p.sock");
	assert_int_equal(addr_parse("unix:rel.sock", &a, err, sizeof(err)), -1);
	assert_int_equal(addr_parse("unix:", &a, err, sizeof(err)), -1);
	/* sun_path holds 107 characters and the NUL. */
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:/", 6);
	longpath[5 + 107] = '\0';
	assert_int_equal(addr_parse(longpath, &a, err, sizeof(err)), 0);
	longpath[5 + 107] = 'a';
	longpath[5 + 108] = '\0';
	assert_int_equal(addr_parse(longpath, &a, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_tcp_bad),
		cmocka_unit_test(test_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
