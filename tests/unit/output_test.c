/* Unit tests: plugin output line capture and its rate limit. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../supervisor/output.h"

struct seen {
	char	lines[8][OUTPUT_LINE_MAX];
	int	n;
};

static void
collect(void *arg, const char *line)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
	s->n++;
}

static int
pipe_nb(int p[2])
{
	if (pipe(p) == -1)
		return -1;
	return fcntl(p[0], F_SETFL, O_NONBLOCK);
}

static void
test_lines_and_eof(void **state)
{
	struct linebuf lb;
	struct seen s = { .n = 0 };
	int p[2];

	(void)state;
	memset(&lb, 0, sizeof(lb));
	assert_int_equal(pipe_nb(p), 0);
	assert_int_equal(write(p[1], "one\ntwo\nthr", 11), 11);
	assert_int_equal(output_read(p[0], &lb, collect, &s), 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[0], "one");
	assert_string_equal(s.lines[1], "two");
	assert_int_equal(write(p[1], "ee", 2), 2);
	close(p[1]);
	/* EOF flushes the partial last line. */
	assert_int_equal(output_read(p[0], &lb, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[2], "three");
	close(p[0]);
}

static void
test_long_line_is_cut(void **state)
{
	static char big[3 * OUTPUT_LINE_MAX];
	struct linebuf lb;
	struct seen s = { .n = 0 };
	int p[2];

	(void)state;
	memset(&lb, 0, sizeof(lb));
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(pipe_nb(p), 0);
	assert_int_equal(write(p[1], big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(write(p[1], "next\n", 5), 5);
	assert_int_equal(output_read(p[0], &lb, collect, &s), 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(strlen(s.lines[0]), OUTPUT_LINE_MAX - 1);
	assert_string_equal(s.lines[1], "next");
	close(p[0]);
	close(p[1]);
}

/* A flooding plugin never holds the loop: one call reads a bounded amount. */
static void
test_read_budget(void **state)
{
	static char chunk[4096];
	struct linebuf lb;
	struct seen s = { .n = 0 };
	int p[2], pending = 0;

	(void)state;
	memset(&lb, 0, sizeof(lb));
	memset(chunk, 'y', sizeof(chunk));
	assert_int_equal(pipe_nb(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4 * OUTPUT_READ_BUDGET) > 0);
	assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	while (write(p[1], chunk, sizeof(chunk)) > 0)
		;
	assert_int_equal(output_read(p[0], &lb, collect, &s), 1);
	assert_int_equal(ioctl(p[0], FIONREAD, &pending), 0);
	assert_true(pending >= 2 * OUTPUT_READ_BUDGET);
	close(p[0]);
	close(p[1]);
}

static void
test_rate_limit(void **state)
{
	struct linebuf lb;
	int allowed = 0;

	(void)state;
	memset(&lb, 0, sizeof(lb));
	for (int i = 0; i < 250; i++)
		allowed += output_allow(&lb, 5000, 100);
	assert_int_equal(allowed, 100);
	assert_int_equal(lb.dropped, 150);
	assert_int_equal(output_allow(&lb, 6000, 100), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_eof),
		cmocka_unit_test(test_long_line_is_cut),
		cmocka_unit_test(test_read_budget),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
