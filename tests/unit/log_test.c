/* Unit tests: structured log lines, escaping and levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static char out[8192];

/* Run fn with stderr captured into out. */
static void
capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(tmp);
	dup2(fileno(tmp), 2);
	fn();
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void
emit_tricky(void)
{
	log_info("plugin output", "plugin=%s line=%s n=%d big=%llu",
	    "flaky", "say \"hi\"\nlevel=error forged", -3, 18446744073709551615ull);
}

static void
test_logfmt_escaping(void **state)
{
	(void)state;
	log_init("test", LOG_LEVEL_DEBUG, LOG_FORMAT_LOGFMT);
	capture(emit_tricky);
	assert_non_null(strstr(out, " level=info component=test "
	    "msg=\"plugin output\" plugin=flaky "
	    "line=\"say \\\"hi\\\"\\nlevel=error forged\" n=-3 "
	    "big=18446744073709551615\n"));
	/* One event, one line: the newline in the value was escaped. */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
}

static void
test_json(void **state)
{
	(void)state;
	log_init("test", LOG_LEVEL_DEBUG, LOG_FORMAT_JSON);
	capture(emit_tricky);
	assert_non_null(strstr(out, "\"level\":\"info\",\"component\":\"test\","
	    "\"msg\":\"plugin output\",\"plugin\":\"flaky\","
	    "\"line\":\"say \\\"hi\\\"\\nlevel=error forged\",\"n\":-3,"
	    "\"big\":18446744073709551615}\n"));
	assert_int_equal(out[0], '{');
}

static void
emit_levels(void)
{
	log_debug("hidden", "");
	log_info("hidden too", "");
	log_warn("shown", "k=%s", "");
}

static void
test_levels(void **state)
{
	(void)state;
	log_init("test", LOG_LEVEL_WARN, LOG_FORMAT_LOGFMT);
	capture(emit_levels);
	assert_null(strstr(out, "hidden"));
	assert_non_null(strstr(out, "msg=shown k=\"\"\n"));
	assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("warning"), LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("loud"), -1);
	assert_int_equal(log_format_parse("json"), LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("xml"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logfmt_escaping),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_levels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
