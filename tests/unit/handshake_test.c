/* Unit tests: the go-plugin handshake line parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../supervisor/handshake.h"

static int
parse(const char *line, struct handshake *h)
{
	char err[160];

	return handshake_parse(line, h, err, sizeof(err));
}

static void
test_unix(void **state)
{
	struct handshake h;

	(void)state;
	assert_int_equal(parse("1|1|unix|/tmp/plugin123|grpc|\n", &h), 0);
	assert_true(h.is_unix);
	assert_string_equal(h.address, "/tmp/plugin123");
	assert_string_equal(h.target, "unix:/tmp/plugin123");
	assert_int_equal(h.app_version, 1);
}

static void
test_tcp_and_optional_cert(void **state)
{
	struct handshake h;

	(void)state;
	assert_int_equal(parse("1|3|tcp|127.0.0.1:1234|grpc", &h), 0);
	assert_false(h.is_unix);
	assert_string_equal(h.target, "127.0.0.1:1234");
	assert_int_equal(h.app_version, 3);
	assert_int_equal(parse("1|1|tcp|127.0.0.1:1|grpc|MIIBase64\r\n", &h), 0);
}

static void
test_rejects(void **state)
{
	static const char *const bad[] = {
		"", "\n", "hello world", "2|1|unix|/tmp/x|grpc|",
		"1|1|unix|/tmp/x|netrpc|", "1|1|udp|/tmp/x|grpc|",
		"1|1|unix|relative|grpc|", "1|1|tcp|127.0.0.1|grpc|",
		"1|1|tcp|:80|grpc|", "1|1|tcp|h:port|grpc|",
		"x|1|unix|/tmp/x|grpc|", "1|-1|unix|/tmp/x|grpc|",
		"1|1|unix|/tmp/x|grpc|cert|extra",
		"1|1|unix|/tmp/a b|grpc|", "1|1|unix", "|||||",
		"99999999999|1|unix|/tmp/x|grpc|", NULL
	};
	struct handshake h;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++) {
		if (parse(bad[i], &h) != -1)
			fail_msg("accepted: '%s'", bad[i]);
	}
}

static void
test_long_lines(void **state)
{
	char line[2048];
	struct handshake h;

	(void)state;
	strcpy(line, "1|1|unix|/");
	memset(line + 10, 'a', 600);
	strcpy(line + 610, "|grpc|");
	assert_int_equal(parse(line, &h), -1);
	memset(line, '|', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(line, &h), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_tcp_and_optional_cert),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
