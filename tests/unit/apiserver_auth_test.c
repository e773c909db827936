/* Unit tests for apiserver/auth.c, cidr.c and ratelimit.c (time injected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth.h"
#include "cidr.h"
#include "ratelimit.h"

#define TOKEN	"0123456789abcdef-secret"

static char tmpdir[64];

static char *
token_file(const char *name, const char *content, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
test_token_equal(void **state)
{
	(void)state;
	assert_true(auth_token_equal("abc", 3, "abc", 3));
	assert_false(auth_token_equal("abc", 3, "abd", 3));
	assert_false(auth_token_equal("abc", 3, "ab", 2));
	assert_false(auth_token_equal("abc", 3, "abcd", 4));
	assert_false(auth_token_equal("abc", 3, "", 0));
}

static void
test_bearer(void **state)
{
	const char *tok;
	size_t len;

	(void)state;
	assert_true(auth_bearer("Bearer abc", &tok, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(tok, "abc", 3);
	assert_true(auth_bearer("bearer \t xyz  ", &tok, &len));
	assert_int_equal(len, 3);
	assert_false(auth_bearer("Basic abc", &tok, &len));
	assert_false(auth_bearer("Bearer", &tok, &len));
	assert_false(auth_bearer("Bearer   ", &tok, &len));
	assert_false(auth_bearer("Bearerabc", &tok, &len));
	assert_false(auth_bearer(NULL, &tok, &len));
}

static void
test_load_token(void **state)
{
	char tok[AUTH_TOKEN_MAX + 1], err[256];

	(void)state;
	assert_int_equal(auth_load_token(token_file("ok", TOKEN "\n", 0600),
	    tok, sizeof(tok), err, sizeof(err)), (int)strlen(TOKEN));
	assert_string_equal(tok, TOKEN);
	assert_int_equal(auth_load_token(token_file("grp", TOKEN, 0640),
	    tok, sizeof(tok), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group/world"));
	assert_int_equal(auth_load_token(token_file("wld", TOKEN, 0604),
	    tok, sizeof(tok), err, sizeof(err)), -1);
	assert_int_equal(auth_load_token(token_file("short", "abc\n", 0600),
	    tok, sizeof(tok), err, sizeof(err)), -1);
	assert_int_equal(auth_load_token(token_file("space",
	    "0123456789 abcdefgh", 0600), tok, sizeof(tok), err,
	    sizeof(err)), -1);
	assert_int_equal(auth_load_token("/nonexistent/token", tok,
	    sizeof(tok), err, sizeof(err)), -1);
}

static void
test_cidr(void **state)
{
	struct cidr c;

	(void)state;
	assert_int_equal(cidr_parse("10.1.2.3/8", &c), 0);
	assert_true(cidr_match(&c, "10.200.0.1"));
	assert_false(cidr_match(&c, "11.0.0.1"));
	assert_int_equal(cidr_parse("127.0.0.1", &c), 0);
	assert_true(cidr_match(&c, "127.0.0.1"));
	assert_false(cidr_match(&c, "127.0.0.2"));
	assert_int_equal(cidr_parse("192.168.1.0/23", &c), 0);
	assert_true(cidr_match(&c, "192.168.0.255"));
	assert_false(cidr_match(&c, "192.168.2.0"));
	assert_int_equal(cidr_parse("0.0.0.0/0", &c), 0);
	assert_true(cidr_match(&c, "8.8.8.8"));
	assert_false(cidr_match(&c, "::1"));
	assert_int_equal(cidr_parse("::1/128", &c), 0);
	assert_true(cidr_match(&c, "::1"));
	assert_false(cidr_match(&c, "garbage"));
	assert_int_equal(cidr_parse("10.0.0.0/33", &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/", &c), -1);
	assert_int_equal(cidr_parse("10.0.0/8", &c), -1);
	assert_int_equal(cidr_parse("/8", &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/-1", &c), -1);
}

static void
test_ratelimit(void **state)
{
	struct ratelimit *rl = ratelimit_new(60, 3);	/* 1 per second */
	uint32_t retry = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "1.1.1.1", 1000, &retry));
	assert_false(ratelimit_take(rl, "1.1.1.1", 1000, &retry));
	assert_int_equal(retry, 1);
	assert_true(ratelimit_take(rl, "2.2.2.2", 1000, &retry));
	assert_false(ratelimit_check(rl, "1.1.1.1", 1999, &retry));
	assert_true(ratelimit_check(rl, "1.1.1.1", 2000, &retry));
	assert_true(ratelimit_take(rl, "1.1.1.1", 2000, &retry));
	assert_false(ratelimit_take(rl, "1.1.1.1", 2000, &retry));
	/* Refill caps at the burst size. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "1.1.1.1", 100000, &retry));
	assert_false(ratelimit_take(rl, "1.1.1.1", 100000, &retry));
	ratelimit_free(rl);
}

static void
test_ratelimit_slow_rate_and_eviction(void **state)
{
	struct ratelimit *rl = ratelimit_new(2, 1);	/* one per 30 s */
	uint32_t retry = 0;
	char key[32];

	(void)state;
	assert_true(ratelimit_take(rl, "9.9.9.9", 0, &retry));
	assert_false(ratelimit_take(rl, "9.9.9.9", 10, &retry));
	assert_int_equal(retry, 30);
	/* Small steps add up: 30 s in 1 ms increments would lose nothing. */
	assert_false(ratelimit_take(rl, "9.9.9.9", 29999, &retry));
	assert_true(ratelimit_take(rl, "9.9.9.9", 30010, &retry));
	/* A full table forgets the least recently seen client. */
	for (int i = 0; i < RATELIMIT_SLOTS; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		assert_true(ratelimit_take(rl, key, 40000 + (uint64_t)i, NULL));
	}
	assert_true(ratelimit_take(rl, "9.9.9.9", 40500, &retry));
	ratelimit_free(rl);
}

static struct auth *
new_auth(const char *file, char *const *allow, uint32_t rate)
{
	struct auth_settings s = { file, allow, rate };
	char err[256];
	struct auth *a = auth_new(&s, err, sizeof(err));

	assert_non_null(a);
	return a;
}

static void
test_management_flow(void **state)
{
	char *allow[] = { "127.0.0.0/8", NULL };
	struct auth *a = new_auth(token_file("mgmt", TOKEN, 0600), allow, 60);
	const char *who;
	uint32_t retry = 0;

	(void)state;
	assert_true(auth_token_required(a));
	assert_int_equal(auth_check_management(a, "10.0.0.1", "Bearer " TOKEN,
	    0, &retry, &who), AUTH_FORBIDDEN_ADDR);
	assert_int_equal(auth_check_management(a, "127.0.0.1", NULL, 0,
	    &retry, &who), AUTH_MISSING);
	assert_int_equal(auth_check_management(a, "127.0.0.1", "Bearer " TOKEN,
	    0, &retry, &who), AUTH_OK);
	assert_string_equal(who, "token");
	for (int i = 0; i < AUTH_FAILS_PER_MINUTE; i++)
		assert_int_equal(auth_check_management(a, "127.0.0.2",
		    "Bearer nope", 0, &retry, &who), AUTH_WRONG);
	/* Locked out now, even with the right token. */
	assert_int_equal(auth_check_management(a, "127.0.0.2", "Bearer " TOKEN,
	    0, &retry, &who), AUTH_LOCKED_OUT);
	assert_true(retry >= 1);
	assert_int_equal(auth_check_management(a, "127.0.0.2", "Bearer " TOKEN,
	    60000, &retry, &who), AUTH_OK);
	assert_int_equal(auth_http_status(AUTH_MISSING), 401);
	assert_int_equal(auth_http_status(AUTH_WRONG), 403);
	assert_int_equal(auth_http_status(AUTH_LOCKED_OUT), 429);
	auth_free(a);
}

static void
test_management_rate_limit_without_token(void **state)
{
	struct auth *a = new_auth("", NULL, 2);
	const char *who;
	uint32_t retry = 0;

	(void)state;
	assert_false(auth_token_required(a));
	assert_int_equal(auth_check_management(a, "1.2.3.4", NULL, 0, &retry,
	    &who), AUTH_OK);
	assert_string_equal(who, "");
	assert_int_equal(auth_check_management(a, "1.2.3.4", NULL, 0, &retry,
	    &who), AUTH_OK);
	assert_int_equal(auth_check_management(a, "1.2.3.4", NULL, 0, &retry,
	    &who), AUTH_RATE_LIMITED);
	assert_int_equal(retry, 30);
	auth_free(a);
}

static void
test_auth_new_errors(void **state)
{
	char *bad[] = { "10.0.0.0/99", NULL };
	struct auth_settings s = { "", bad, 60 };
	char err[256];

	(void)state;
	assert_null(auth_new(&s, err, sizeof(err)));
	assert_non_null(strstr(err, "10.0.0.0/99"));
	s.allow = NULL;
	s.token_file = token_file("open", TOKEN, 0644);
	assert_null(auth_new(&s, err, sizeof(err)));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/apiauth.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_equal),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_load_token),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_ratelimit_slow_rate_and_eviction),
		cmocka_unit_test(test_management_flow),
		cmocka_unit_test(test_management_rate_limit_without_token),
		cmocka_unit_test(test_auth_new_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
