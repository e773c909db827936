/* Unit tests: antiabuse's sliding-window limiter, with injected time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../plugins/antiabuse/limiter.h"

static struct limiter *
mk(uint64_t window_ms, uint32_t limit, uint32_t capacity)
{
	struct limiter_config	c = { window_ms, limit, capacity };
	struct limiter		*l = limiter_new(&c);

	assert_non_null(l);
	return l;
}

static int
allowed(struct limiter *l, const char *id, uint64_t now)
{
	struct limiter_result	r;

	assert_int_equal(limiter_check(l, id, "login", now, &r), 0);
	return r.allowed;
}

static void
test_limit_within_window(void **state)
{
	struct limiter		*l = mk(1000, 3, 16);
	struct limiter_result	 r;
	uint32_t		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(limiter_check(l, "bob", "login", 10 + i, &r), 0);
		assert_true(r.allowed);
		assert_int_equal(r.limit, 3);
		assert_int_equal(r.remaining, 2 - i);
	}
	assert_int_equal(limiter_check(l, "bob", "login", 20, &r), 0);
	assert_false(r.allowed);
	assert_true(r.retry_after_s >= 1);
	assert_int_equal(r.remaining, 0);
	/* Another identifier, or another action, has its own window. */
	assert_true(allowed(l, "alice", 20));
	assert_int_equal(limiter_check(l, "bob", "search", 20, &r), 0);
	assert_true(r.allowed);
	assert_int_equal(limiter_entries(l), 3);
	limiter_free(l);
}

static void
test_window_slides(void **state)
{
	struct limiter	*l = mk(1000, 10, 16);
	int		 i, n = 0;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_true(allowed(l, "bob", (uint64_t)i));
	assert_false(allowed(l, "bob", 999));
	/* Half-way into the next window half of the old count still counts:
	 * 10 * 0.5 = 5, so 5 more fit. */
	while (allowed(l, "bob", 1500))
		n++;
	assert_int_equal(n, 5);
	/* Two idle windows later everything is forgotten. */
	n = 0;
	while (allowed(l, "bob", 4000))
		n++;
	assert_int_equal(n, 10);
	limiter_free(l);
}

/* Denied with retry_after R: after R seconds the next request passes. */
static void
test_retry_after_is_enough(void **state)
{
	static const uint32_t	limits[] = { 1, 2, 5, 100 };
	struct limiter_result	r;
	size_t			i;
	uint64_t		now;

	(void)state;
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct limiter	*l = mk(10000, limits[i], 4);

		for (now = 5000; allowed(l, "x", now); now += 7)
			;
		assert_int_equal(limiter_check(l, "x", "login", now, &r), 0);
		assert_false(r.allowed);
		assert_true(r.retry_after_s >= 1);
		assert_true(r.retry_after_s <= 20);
		/* Waiting retry_after seconds is always enough. */
		assert_true(allowed(l, "x", now + r.retry_after_s * 1000ULL));
		limiter_free(l);
	}
}

static void
test_limit_one_waits_two_windows(void **state)
{
	struct limiter		*l = mk(10000, 1, 4);
	struct limiter_result	 r;

	(void)state;
	assert_true(allowed(l, "x", 0));
	assert_int_equal(limiter_check(l, "x", "login", 1, &r), 0);
	assert_false(r.allowed);
	assert_int_equal(r.retry_after_s, 20);
	assert_false(allowed(l, "x", 19999));
	assert_true(allowed(l, "x", 20000));
	limiter_free(l);
}

static void
test_capacity_fails_open_and_expires(void **state)
{
	struct limiter		*l = mk(1000, 5, 8);
	struct limiter_result	 r;
	char			 id[16];
	int			 i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "id%d", i);
		assert_true(allowed(l, id, 100));
	}
	assert_int_equal(limiter_entries(l), 8);
	assert_int_equal(limiter_capacity(l), 8);
	assert_int_equal(limiter_check(l, "new", "login", 200, &r), 0);
	assert_true(r.allowed);
	assert_true(r.table_full);
	/* Known keys are still limited while the table is full. */
	assert_int_equal(limiter_check(l, "id0", "login", 200, &r), 0);
	assert_false(r.table_full);
	/* Idle for two windows: swept, room again. */
	assert_int_equal(limiter_check(l, "new", "login", 2200, &r), 0);
	assert_false(r.table_full);
	assert_int_equal(limiter_entries(l), 1);
	limiter_free(l);
}

static void
test_bad_input(void **state)
{
	struct limiter_config	 bad[] = {
		{ 0, 1, 1 }, { 1000, 0, 1 }, { 1000, 1, 0 },
		{ 1000, 1, LIMITER_MAX_CAPACITY + 1 },
		{ LIMITER_MAX_WINDOW_MS + 1, 1, 1 },
	};
	struct limiter		*l = mk(1000, 5, 8);
	struct limiter_result	 r;
	char			 big[LIMITER_KEY_MAX];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(limiter_new(&bad[i]));
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(limiter_check(l, "", "login", 0, &r), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(limiter_check(l, big, "", 0, &r), -1);
	big[sizeof(big) - 3] = '\0';	/* 253 + 0x1f + "" + NUL fits */
	assert_int_equal(limiter_check(l, big, "", 0, &r), 0);
	assert_int_equal(limiter_entries(l), 1);
	limiter_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_within_window),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_retry_after_is_enough),
		cmocka_unit_test(test_limit_one_waits_two_windows),
		cmocka_unit_test(test_capacity_fails_open_and_expires),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
