/* Strict parsing of request paths and query strings (raw, undecoded). */
#ifndef APISERVER_URI_H
#define APISERVER_URI_H

#include <stddef.h>

/*
 * CivetWeb runs with decode_url=no, so the apiserver sees the request
 * target exactly as the client sent it and decodes it here, once, with
 * rules it controls: no "%00", no encoded '/', no malformed escapes.
 */

enum uri_result {
	URI_OK = 0,
	URI_MISSING = -1,	/* parameter absent (or empty segment) */
	URI_DUPLICATE = -2,	/* parameter given more than once */
	URI_MALFORMED = -3,	/* bad %-escape, too long */
	URI_INVALID = -4	/* decodes, but is not a plugin name */
};

/*
 * Percent-decode src[0..len) into out (outlen bytes, NUL-terminated).
 * Plus signs are decoded as spaces when form is non-zero (query strings).
 * URI_MALFORMED on a bad escape or when out is too small.
 */
int	uri_decode(const char *src, size_t len, char *out, size_t outlen,
	    int form);

/*
 * If path is prefix followed by exactly one non-empty segment, decode that
 * segment as a plugin name into out (VIGIL_NAME_LEN bytes). Returns
 * URI_OK, URI_MISSING (no such shape), URI_MALFORMED or URI_INVALID.
 */
int	uri_plugin_segment(const char *path, const char *prefix, char *out,
	    size_t outlen);

/*
 * Find key in a raw query string ("a=1&b=2") and decode its value into
 * out. Keys are decoded before comparison. URI_OK, URI_MISSING,
 * URI_DUPLICATE or URI_MALFORMED.
 */
int	uri_query_get(const char *query, const char *key, char *out,
	    size_t outlen);

/* Decode a plugin name given as a query value; URI_INVALID if bad syntax. */
int	uri_query_plugin(const char *query, char *out, size_t outlen);

/* Whether s matches the plugin-name syntax [a-z0-9][a-z0-9_-]{0,62}. */
int	uri_valid_plugin_name(const char *s);

const char	*uri_result_name(int r);

#endif /* APISERVER_URI_H */
