/* libFuzzer target: decoding of plugin replies (untrusted protobuf). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Text copied from a reply ends up in the segment and the log. */
static void
check_text(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	if (nul == NULL)
		abort();
	for (; s < nul; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

static void
check_reply(const struct probe_reply *r)
{
	if (r->result > PROBE_UNIMPLEMENTED)
		abort();
	check_text(r->message, sizeof(r->message));
	check_text(r->details, sizeof(r->details));
}

/*
 * Byte 0: the gRPC status code (mod 17); byte 1: length of the error
 * text that follows; the rest is the reply message. Every decoder sees
 * the same bytes, as an exact-size heap copy.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_reply r;
	char err[128], ver[64], desc[256], *error;
	uint8_t *buf;
	size_t elen, len;
	grpc_status_code st;

	if (size < 2)
		return 0;
	st = (grpc_status_code)(data[0] % 17);
	elen = data[1];
	if (elen > size - 2)
		elen = size - 2;
	if ((error = malloc(elen + 1)) == NULL)
		return 0;
	memcpy(error, data + 2, elen);
	error[elen] = '\0';
	len = size - 2 - elen;
	if ((buf = malloc(len ? len : 1)) == NULL) {
		free(error);
		return 0;
	}
	memcpy(buf, data + 2 + elen, len);

	probe_decode_hkp_health(st, buf, len, error, &r);
	check_reply(&r);
	probe_decode_grpc_health(st, buf, len, error, &r);
	check_reply(&r);
	if (r.result == PROBE_UNIMPLEMENTED)
		abort();	/* grpc.health.v1 has no fallback */
	if (probe_decode_initialize(buf, len, err, sizeof(err)) == -1)
		check_text(err, sizeof(err));
	memset(ver, 0, sizeof(ver));
	memset(desc, 0, sizeof(desc));
	if (probe_decode_getinfo(buf, len, ver, sizeof(ver), desc,
	    sizeof(desc)) == 0) {
		check_text(ver, sizeof(ver));
		check_text(desc, sizeof(desc));
	}
	free(buf);
	free(error);
	return 0;
}
