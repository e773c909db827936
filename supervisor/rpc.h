/* Asynchronous unary gRPC calls on one completion queue, results in-loop. */
#ifndef VIGIL_RPC_H
#define VIGIL_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>

/*
 * Every call of every plugin is started on one completion queue. The gRPC
 * core API has no file descriptor to poll, so a thread drains the queue and
 * hands finished calls to the main loop through a pipe; the main loop then
 * runs each call's callback. Callbacks therefore run on the main thread,
 * which stays the only writer of the shared-memory segment.
 */

struct rpc;
struct rpc_call;

typedef void (*rpc_done_fn)(struct rpc_call *call, uint64_t cookie);

struct rpc	*rpc_create(char *err, size_t errlen);
void		 rpc_destroy(struct rpc *r);

/* The fd to poll for readability; then call rpc_dispatch(). */
int		 rpc_fd(const struct rpc *r);
/* Run the callbacks of every finished call; returns how many. */
int		 rpc_dispatch(struct rpc *r);
/* Calls started and not yet dispatched. */
unsigned	 rpc_inflight(const struct rpc *r);

/* A channel to "127.0.0.1:port" or "unix:/path", insecure (local only). */
grpc_channel	*rpc_channel(const char *target);

/*
 * Start method (e.g. "/hkpplugin.HKPPlugin/HealthCheck") with request msg
 * (NULL sends an empty message) and a deadline. wait_for_ready makes the
 * call wait for the connection instead of failing fast. done(call, cookie)
 * runs later from rpc_dispatch(); the call is freed after it returns.
 */
int		 rpc_unary(struct rpc *r, grpc_channel *ch, const char *method,
		    const ProtobufCMessage *msg, uint64_t timeout_ms,
		    bool wait_for_ready, rpc_done_fn done, uint64_t cookie);

/* Cancel every call started with this cookie (they still complete). */
void		 rpc_cancel(struct rpc *r, uint64_t cookie);

/* Inside a callback: */
grpc_status_code rpc_call_status(const struct rpc_call *c);
const char	*rpc_call_error(const struct rpc_call *c); /* details text */
/* The reply bytes (valid until the callback returns); NULL if none. */
const uint8_t	*rpc_call_reply(const struct rpc_call *c, size_t *len);
uint64_t	 rpc_call_latency_us(const struct rpc_call *c);

const char	*rpc_status_name(grpc_status_code code);

#endif /* VIGIL_RPC_H */
