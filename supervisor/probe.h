/* Plugin RPCs: encode requests and decode (untrusted) replies. */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>

#include "rpc.h"

#define PROBE_MESSAGE_LEN	128
#define PROBE_DETAILS_LEN	256

enum probe_result {
	PROBE_OK = 0,
	PROBE_DEGRADED,
	PROBE_FAIL,
	PROBE_UNIMPLEMENTED	/* try the other health protocol */
};

struct probe_reply {
	enum probe_result result;
	char	message[PROBE_MESSAGE_LEN];
	char	details[PROBE_DETAILS_LEN];	/* "k=v, k=v" */
};

/* Health checks: hkpplugin.HKPPlugin/HealthCheck or grpc.health.v1. */
int	probe_send_hkp_health(struct rpc *r, grpc_channel *ch,
	    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie);
int	probe_send_grpc_health(struct rpc *r, grpc_channel *ch,
	    const char *service, uint64_t timeout_ms, rpc_done_fn done,
	    uint64_t cookie);
void	probe_decode_hkp_health(grpc_status_code st, const uint8_t *buf,
	    size_t len, const char *error, struct probe_reply *out);
void	probe_decode_grpc_health(grpc_status_code st, const uint8_t *buf,
	    size_t len, const char *error, struct probe_reply *out);

/* Start-up: Initialize (waits for the plugin to listen) and GetInfo. */
int	probe_send_initialize(struct rpc *r, grpc_channel *ch,
	    const char *config_json, const char *protocol_version,
	    char *const *env, uint64_t timeout_ms, rpc_done_fn done,
	    uint64_t cookie);
/* 0 success; -1 with the plugin's reason in err. */
int	probe_decode_initialize(const uint8_t *buf, size_t len, char *err,
	    size_t errlen);
int	probe_send_getinfo(struct rpc *r, grpc_channel *ch,
	    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie);
int	probe_decode_getinfo(const uint8_t *buf, size_t len, char *version,
	    size_t vlen, char *description, size_t dlen);

/* Graceful stop: HKPPlugin/Shutdown or plugin.GRPCController/Shutdown. */
int	probe_send_shutdown(struct rpc *r, grpc_channel *ch, int goplugin,
	    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie);

/* Demo only: vigil.demo.Simulation/Inject and /Load. */
int	probe_send_inject(struct rpc *r, grpc_channel *ch, const char *fault,
	    uint32_t delay_ms, rpc_done_fn done, uint64_t cookie);
int	probe_send_load(struct rpc *r, grpc_channel *ch, uint32_t requests,
	    uint64_t timeout_ms, rpc_done_fn done, uint64_t cookie);

/* Copy untrusted text: printable ASCII only, always NUL-terminated. */
void	probe_copy_text(char *dst, size_t dstlen, const char *src);

#endif /* VIGIL_PROBE_H */
