/* libFuzzer target: control-socket request and response decoding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctlmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every string field of an accepted request is terminated and printable. */
static void
check_field(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	if (nul == NULL)
		abort();
	for (; s < nul; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_ctl_request req;
	struct vigil_ctl_response resp;
	char err[128];
	void *copy;

	/* An exact-size heap copy, so ASan sees any read past the packet. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (ctlmsg_decode_request(copy, size, &req, err, sizeof(err)) == 0) {
		if (req.type < VIGIL_CTL_RESTART || req.type > VIGIL_CTL_PING)
			abort();
		check_field(req.plugin, sizeof(req.plugin));
		check_field(req.client, sizeof(req.client));
		check_field(req.principal, sizeof(req.principal));
		check_field(req.action, sizeof(req.action));
		if (req.type != VIGIL_CTL_PING &&
		    !config_valid_plugin_name(req.plugin))
			abort();
		(void)ctlmsg_type_name(req.type);
	}
	if (ctlmsg_decode_response(copy, size, &resp, err, sizeof(err)) == 0) {
		if (memchr(resp.message, '\0', sizeof(resp.message)) == NULL)
			abort();
		(void)ctlmsg_status_name(resp.status);
	}
	free(copy);
	return 0;
}
