/* Encoding, validation and transport of control-socket messages. */
#ifndef VIGIL_CTLMSG_H
#define VIGIL_CTLMSG_H

#include <stddef.h>
#include <stdint.h>

#include "vigil_ctl.h"

/* Zero req and fill magic, version, type and the string fields (truncated). */
void	ctlmsg_init_request(struct vigil_ctl_request *req, uint32_t type,
	    const char *plugin, const char *client, const char *principal);

/*
 * Validate a received request packet of len bytes and copy it to out.
 * Checks exact size, magic, version, known type, NUL in every string field,
 * plugin name syntax. Returns 0, or -1 with a reason in err.
 */
int	ctlmsg_decode_request(const void *buf, size_t len,
	    struct vigil_ctl_request *out, char *err, size_t errlen);

/* The same for a response packet. */
int	ctlmsg_decode_response(const void *buf, size_t len,
	    struct vigil_ctl_response *out, char *err, size_t errlen);

void	ctlmsg_init_response(struct vigil_ctl_response *resp, uint32_t status,
	    uint32_t retry_after_s, const char *message);

const char	*ctlmsg_type_name(uint32_t type);
const char	*ctlmsg_status_name(uint32_t status);

/*
 * Client side: connect to path, send req, wait for the response up to
 * timeout_ms. Returns 0, or -1 with errno (ENOENT/ECONNREFUSED: supervisor
 * unreachable, ETIMEDOUT, EPROTO: bad reply).
 */
int	ctl_send(const char *path, const struct vigil_ctl_request *req,
	    struct vigil_ctl_response *resp, int timeout_ms);

#endif /* VIGIL_CTLMSG_H */
