/* Asynchronous unary gRPC calls on one completion queue, results in-loop. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "log.h"
#include "rpc.h"
#include "timeutil.h"

#define REPLY_MAX	(1024 * 1024)	/* larger replies are refused */

struct rpc_call {
	struct rpc_call		*next;		/* in the finished list */
	struct rpc_call		*live_prev;	/* in the in-flight list */
	struct rpc_call		*live_next;
	grpc_call		*call;
	rpc_done_fn		 done;
	uint64_t		 cookie;
	uint64_t		 started_ns;
	uint64_t		 finished_ns;
	grpc_byte_buffer	*request;
	grpc_byte_buffer	*reply;
	grpc_metadata_array	 initial_md;
	grpc_metadata_array	 trailing_md;
	grpc_status_code	 status;
	grpc_slice		 details;
	char			*error;		/* details as C string */
	uint8_t			*bytes;		/* flattened reply */
	size_t			 nbytes;
};

struct rpc {
	grpc_completion_queue	*cq;
	pthread_t		 thread;
	int			 pipe[2];	/* [0] polled by the loop */
	pthread_mutex_t		 lock;
	struct rpc_call		*done_head;	/* finished, not dispatched */
	struct rpc_call		*done_tail;
	struct rpc_call		*live;		/* started, not dispatched */
	unsigned		 inflight;
};

/* The drain thread: only moves finished calls to the list and pokes. */
static void *
drain(void *arg)
{
	struct rpc *r = arg;
	grpc_event ev;
	struct rpc_call *c;
	char b = 1;

	for (;;) {
		ev = grpc_completion_queue_next(r->cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		c = ev.tag;
		c->finished_ns = time_mono_ns();
		if (!ev.success && c->status == GRPC_STATUS_OK)
			c->status = GRPC_STATUS_UNKNOWN;
		pthread_mutex_lock(&r->lock);
		if (r->done_tail != NULL)
			r->done_tail->next = c;
		else
			r->done_head = c;
		r->done_tail = c;
		pthread_mutex_unlock(&r->lock);
		/* A full pipe already guarantees a wake-up. */
		(void)!write(r->pipe[1], &b, 1);
	}
	return NULL;
}

struct rpc *
rpc_create(char *err, size_t errlen)
{
	struct rpc *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	grpc_init();
	r->cq = grpc_completion_queue_create_for_next(NULL);
	if (pthread_create(&r->thread, NULL, drain, r) != 0) {
		snprintf(err, errlen, "pthread_create failed");
		grpc_completion_queue_destroy(r->cq);
		grpc_shutdown();
		close(r->pipe[0]);
		close(r->pipe[1]);
		free(r);
		return NULL;
	}
	return r;
}

static void
call_free(struct rpc_call *c)
{
	if (c->call != NULL)
		grpc_call_unref(c->call);
	if (c->request != NULL)
		grpc_byte_buffer_destroy(c->request);
	if (c->reply != NULL)
		grpc_byte_buffer_destroy(c->reply);
	grpc_metadata_array_destroy(&c->initial_md);
	grpc_metadata_array_destroy(&c->trailing_md);
	grpc_slice_unref(c->details);
	free(c->error);
	free(c->bytes);
	free(c);
}

static void
live_add(struct rpc *r, struct rpc_call *c)
{
	c->live_prev = NULL;
	c->live_next = r->live;
	if (r->live != NULL)
		r->live->live_prev = c;
	r->live = c;
	r->inflight++;
}

static void
live_remove(struct rpc *r, struct rpc_call *c)
{
	if (c->live_prev != NULL)
		c->live_prev->live_next = c->live_next;
	else
		r->live = c->live_next;
	if (c->live_next != NULL)
		c->live_next->live_prev = c->live_prev;
	r->inflight--;
}

void
rpc_cancel(struct rpc *r, uint64_t cookie)
{
	for (struct rpc_call *c = r->live; c != NULL; c = c->live_next)
		if (c->cookie == cookie)
			grpc_call_cancel(c->call, NULL);
}

void
rpc_destroy(struct rpc *r)
{
	if (r == NULL)
		return;
	/* A call waiting for a connection that will never come (its
	 * channel is gone) would hold the queue's shutdown forever. */
	for (struct rpc_call *c = r->live; c != NULL; c = c->live_next)
		grpc_call_cancel(c->call, NULL);
	grpc_completion_queue_shutdown(r->cq);
	pthread_join(r->thread, NULL);
	/* Calls that finished but were never dispatched. */
	while (r->done_head != NULL) {
		struct rpc_call *c = r->done_head;
		r->done_head = c->next;
		call_free(c);
	}
	grpc_completion_queue_destroy(r->cq);
	close(r->pipe[0]);
	close(r->pipe[1]);
	pthread_mutex_destroy(&r->lock);
	free(r);
	grpc_shutdown();
}

int
rpc_fd(const struct rpc *r)
{
	return r->pipe[0];
}

unsigned
rpc_inflight(const struct rpc *r)
{
	return r->inflight;
}

grpc_channel *
rpc_channel(const char *target)
{
	grpc_arg args[] = {
		/* A starting plugin is polled every 20-100 ms until it
		 * listens: the backoff grows 1.6x per attempt, so a larger
		 * cap would add hundreds of ms to every start. */
		{ GRPC_ARG_INTEGER, GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
		    { .integer = 20 } },
		{ GRPC_ARG_INTEGER, GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
		    { .integer = 20 } },
		{ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
		    { .integer = 100 } },
		/* A restarted plugin must not inherit its predecessor's
		 * connection state through a shared subchannel. */
		{ GRPC_ARG_INTEGER, GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
		    { .integer = 1 } },
		{ GRPC_ARG_INTEGER, GRPC_ARG_ENABLE_RETRIES,
		    { .integer = 0 } },
		{ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
		    { .integer = REPLY_MAX } },
	};
	grpc_channel_args cargs = { sizeof(args) / sizeof(args[0]), args };
	grpc_channel_credentials *creds = grpc_insecure_credentials_create();
	grpc_channel *ch = grpc_channel_create(target, creds, &cargs);

	grpc_channel_credentials_release(creds);
	return ch;
}

static grpc_byte_buffer *
encode(const ProtobufCMessage *msg)
{
	size_t len = msg != NULL ? protobuf_c_message_get_packed_size(msg) : 0;
	grpc_slice s = grpc_slice_malloc(len);
	grpc_byte_buffer *bb;

	if (len > 0)
		protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(s));
	bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

static gpr_timespec
deadline_after(uint64_t ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis((int64_t)ms, GPR_TIMESPAN));
}

static void
fill_ops(struct rpc_call *c, grpc_op *ops, bool wait_for_ready)
{
	memset(ops, 0, 6 * sizeof(*ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET |
	    (wait_for_ready ? GRPC_INITIAL_METADATA_WAIT_FOR_READY : 0);
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = c->request;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata =
	    &c->initial_md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &c->reply;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &c->trailing_md;
	ops[5].data.recv_status_on_client.status = &c->status;
	ops[5].data.recv_status_on_client.status_details = &c->details;
}

int
rpc_unary(struct rpc *r, grpc_channel *ch, const char *method,
    const ProtobufCMessage *msg, uint64_t timeout_ms, bool wait_for_ready,
    rpc_done_fn done, uint64_t cookie)
{
	struct rpc_call *c;
	grpc_slice m;
	grpc_op ops[6];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->done = done;
	c->cookie = cookie;
	c->details = grpc_empty_slice();
	grpc_metadata_array_init(&c->initial_md);
	grpc_metadata_array_init(&c->trailing_md);
	c->request = encode(msg);
	m = grpc_slice_from_static_string(method);
	c->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS,
	    r->cq, m, NULL, deadline_after(timeout_ms), NULL);
	if (c->call == NULL) {
		call_free(c);
		return -1;
	}
	fill_ops(c, ops, wait_for_ready);
	c->started_ns = time_mono_ns();
	if (grpc_call_start_batch(c->call, ops, 6, c, NULL) != GRPC_CALL_OK) {
		call_free(c);
		return -1;
	}
	live_add(r, c);
	return 0;
}

/* Flatten the reply and the status text before the callback sees them. */
static void
finish(struct rpc_call *c)
{
	grpc_byte_buffer_reader rd;
	grpc_slice all;
	size_t len;

	c->error = grpc_slice_to_c_string(c->details);
	if (c->reply == NULL || !grpc_byte_buffer_reader_init(&rd, c->reply))
		return;
	all = grpc_byte_buffer_reader_readall(&rd);
	grpc_byte_buffer_reader_destroy(&rd);
	len = GRPC_SLICE_LENGTH(all);
	if (len <= REPLY_MAX && (c->bytes = malloc(len + 1)) != NULL) {
		memcpy(c->bytes, GRPC_SLICE_START_PTR(all), len);
		c->nbytes = len;
	}
	grpc_slice_unref(all);
}

int
rpc_dispatch(struct rpc *r)
{
	struct rpc_call *list, *c;
	char buf[256];
	int n = 0;

	while (read(r->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&r->lock);
	list = r->done_head;
	r->done_head = r->done_tail = NULL;
	pthread_mutex_unlock(&r->lock);
	while ((c = list) != NULL) {
		list = c->next;
		live_remove(r, c);
		finish(c);
		c->done(c, c->cookie);
		call_free(c);
		n++;
	}
	return n;
}

grpc_status_code
rpc_call_status(const struct rpc_call *c)
{
	return c->status;
}

const char *
rpc_call_error(const struct rpc_call *c)
{
	return c->error != NULL ? c->error : "";
}

const uint8_t *
rpc_call_reply(const struct rpc_call *c, size_t *len)
{
	*len = c->nbytes;
	return c->bytes != NULL ? c->bytes : (const uint8_t *)"";
}

uint64_t
rpc_call_latency_us(const struct rpc_call *c)
{
	return (c->finished_ns - c->started_ns) / 1000u;
}

const char *
rpc_status_name(grpc_status_code code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
		"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED"
	};

	if ((unsigned)code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "INVALID";
}
