/* Strict parsing of request paths and query strings (raw, undecoded). */
#include <string.h>

#include "config.h"
#include "uri.h"
#include "vigil_shm.h"

/* A plugin name is at most 63 bytes; fully %-encoded that is 189. */
#define ENCODED_NAME_MAX	(3 * (VIGIL_NAME_LEN - 1))
#define KEY_MAX			64

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decoded NUL would silently shorten a C string, so it is malformed. */
int
uri_decode(const char *src, size_t len, char *out, size_t outlen, int form)
{
	size_t o = 0;
	int hi, lo;

	if (outlen == 0)
		return URI_MALFORMED;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];

		if (c == '%') {
			if (i + 2 >= len)
				return URI_MALFORMED;
			if ((hi = hexval(src[i + 1])) < 0 ||
			    (lo = hexval(src[i + 2])) < 0)
				return URI_MALFORMED;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && form)
			c = ' ';
		if (c == '\0' || o + 1 >= outlen)
			return URI_MALFORMED;
		out[o++] = c;
	}
	out[o] = '\0';
	return URI_OK;
}

int
uri_valid_plugin_name(const char *s)
{
	/* One definition of the syntax for the whole project (config.c). */
	return config_valid_plugin_name(s);
}

/* Decode src[0..len) as a plugin name into out and check its syntax. */
static int
decode_name(const char *src, size_t len, char *out, size_t outlen, int form)
{
	char tmp[ENCODED_NAME_MAX + 1];
	int r;

	if (len == 0)
		return URI_MISSING;
	if (len > ENCODED_NAME_MAX)
		return URI_INVALID;
	if ((r = uri_decode(src, len, tmp, sizeof(tmp), form)) != URI_OK)
		return r;
	if (!uri_valid_plugin_name(tmp) || strlen(tmp) >= outlen)
		return URI_INVALID;
	strcpy(out, tmp);
	return URI_OK;
}

int
uri_plugin_segment(const char *path, const char *prefix, char *out,
    size_t outlen)
{
	size_t plen = strlen(prefix);
	const char *seg;

	if (strncmp(path, prefix, plen) != 0)
		return URI_MISSING;
	seg = path + plen;
	/* "/health/", "/health/a/b", "/health/../x": never a plugin. */
	if (*seg == '\0' || strchr(seg, '/') != NULL)
		return URI_INVALID;
	return decode_name(seg, strlen(seg), out, outlen, 0);
}

/* Whether the raw key k[0..klen) decodes to key. */
static int
key_matches(const char *k, size_t klen, const char *key, int *malformed)
{
	char dec[KEY_MAX];

	if (uri_decode(k, klen, dec, sizeof(dec), 1) != URI_OK) {
		/* Over-long keys are simply other keys; bad escapes are not. */
		if (memchr(k, '%', klen) != NULL)
			*malformed = 1;
		return 0;
	}
	return strcmp(dec, key) == 0;
}

/*
 * Walk the '&'-separated pairs; remember the raw value of the one matching
 * key in *val and *vlen. Returns the number of matches, or URI_MALFORMED.
 */
static int
find_key(const char *query, const char *key, const char **val, size_t *vlen)
{
	const char *p = query, *end, *eq;
	int found = 0, malformed = 0;

	while (*p != '\0') {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if (key_matches(p, (size_t)((eq != NULL ? eq : end) - p), key,
		    &malformed)) {
			found++;
			*val = eq != NULL ? eq + 1 : end;
			*vlen = (size_t)(end - *val);
		}
		p = *end == '&' ? end + 1 : end;
	}
	return malformed ? URI_MALFORMED : found;
}

int
uri_query_get(const char *query, const char *key, char *out, size_t outlen)
{
	const char *val = NULL;
	size_t vlen = 0;
	int n;

	if (query == NULL)
		return URI_MISSING;
	if ((n = find_key(query, key, &val, &vlen)) < 0)
		return n;
	if (n == 0)
		return URI_MISSING;
	if (n > 1)
		return URI_DUPLICATE;
	return uri_decode(val, vlen, out, outlen, 1);
}

int
uri_query_plugin(const char *query, char *out, size_t outlen)
{
	const char *val = NULL;
	size_t vlen = 0;
	int n;

	if (query == NULL)
		return URI_MISSING;
	if ((n = find_key(query, "plugin", &val, &vlen)) < 0)
		return n;
	if (n == 0)
		return URI_MISSING;
	if (n > 1)
		return URI_DUPLICATE;
	return decode_name(val, vlen, out, outlen, 1);
}

const char *
uri_result_name(int r)
{
	switch (r) {
	case URI_OK:		return "ok";
	case URI_MISSING:	return "missing";
	case URI_DUPLICATE:	return "duplicate";
	case URI_MALFORMED:	return "malformed";
	case URI_INVALID:	return "invalid";
	default:		return "error";
	}
}
