/* libFuzzer target: the API's path, query and plugin-name handling. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"
#include "vigil_shm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A name the API accepted must be one the rest of Vigil accepts. */
static void
check_name(int r, const char *name)
{
	if (r == URI_OK && (!uri_valid_plugin_name(name) ||
	    strlen(name) >= VIGIL_NAME_LEN))
		abort();
}

/*
 * The input is a raw request target as CivetWeb hands it over with
 * decode_url=no: "PATH?QUERY" (either part may be empty). The first byte
 * picks the output buffer size for uri_decode, to exercise short buffers.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[VIGIL_NAME_LEN], val[256], *s, *q, *out;
	size_t outlen;
	int r;

	if (size == 0)
		return 0;
	outlen = data[0] % 64;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	/* uri_decode on the raw bytes (may contain NULs), exact-size. */
	if ((out = malloc(outlen ? outlen : 1)) != NULL) {
		r = uri_decode((const char *)data + 1, size - 1, out, outlen, 1);
		if (r == URI_OK && memchr(out, '\0', outlen) == NULL)
			abort();
		free(out);
	}
	q = strchr(s, '?');
	if (q != NULL)
		*q++ = '\0';
	check_name(uri_plugin_segment(s, "/health/", name, sizeof(name)), name);
	check_name(uri_plugin_segment(s, "/dashboard/", name, sizeof(name)),
	    name);
	if (q != NULL) {
		check_name(uri_query_plugin(q, name, sizeof(name)), name);
		r = uri_query_get(q, "plugin", val, sizeof(val));
		if (r == URI_OK && memchr(val, '\0', sizeof(val)) == NULL)
			abort();
		(void)uri_query_get(q, "fault", val, sizeof(val));
		(void)uri_result_name(r);
	}
	free(s);
	return 0;
}
