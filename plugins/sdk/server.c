/* Single-threaded unary gRPC server on one completion queue, with timers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "addr.h"
#include "vigil_plugin.h"

#define LISTEN_SLOTS	4	/* grpc_server_request_call kept outstanding */
#define MAX_HELD	256	/* delayed or hung calls at once */
#define MAX_REQUEST	(4 * 1024 * 1024)
#define STOP_GRACE_MS	2000	/* then every call still open is cancelled */

enum tag_kind {
	TAG_NEW,		/* a call arrived on a listening slot */
	TAG_RECV,		/* its request message was read */
	TAG_SEND,		/* its answer and status went out */
	TAG_CLOSE,		/* it is over (answered or cancelled) */
	TAG_SHUTDOWN		/* the server finished shutting down */
};

struct tag {
	enum tag_kind		 kind;
	struct vigil_call	*call;
};

struct timer {
	uint64_t		 due_ms;
	vigil_timer_fn		*fn;
	void			*arg;
	struct vigil_call	*call;	/* set: send this call's answer */
	struct timer		*next;
};

struct method {
	char				*path;
	const ProtobufCMessageDescriptor *desc;
	vigil_method_fn			*fn;
	void				*arg;
	struct method			*next;
};

struct vigil_call {
	struct vigil_server	*srv;
	grpc_call		*call;
	grpc_call_details	 details;
	grpc_metadata_array	 md;
	grpc_byte_buffer	*request;
	grpc_byte_buffer	*response;
	grpc_status_code	 status;
	grpc_slice		 status_msg;
	int			 answered;	/* reply or fail was given */
	int			 delay_ms;
	int			 cancelled;	/* from RECV_CLOSE_ON_SERVER */
	int			 ops;		/* batches outstanding */
	int			 held;		/* waiting in srv->held */
	struct tag		 t_new, t_recv, t_send, t_close;
	struct timer		 timer;		/* a delayed answer */
	struct vigil_call	*hprev, *hnext;
};

struct vigil_server {
	grpc_server		*server;
	grpc_completion_queue	*cq;
	struct addr		 addr;
	int			 port;
	int			 bound;		/* listening: a unix socket is ours */
	int			 started;
	int			 stop_requested;
	int			 stopping;
	int			 draining;	/* server destroyed: no new batches */
	int			 cancelled_all;
	int			 shutdown_done;
	uint64_t		 stop_deadline;
	atomic_int		 shutdown_begun; /* loop or signal watcher */
	int			 watching;	/* signal watcher thread runs */
	pthread_t		 watcher;
	struct tag		 t_shutdown;
	struct method		*methods;
	struct timer		*timers;	/* sorted by due_ms */
	struct vigil_call	*held;
	int			 nheld;
	int			 ncalls;	/* call objects alive */
};

/*
 * A stop signal must wake a loop that may sleep in the completion queue
 * for as long as no call and no timer is due. A handler cannot call gRPC,
 * so it writes a byte into a pipe; a watcher thread reads it and begins
 * the server's shutdown, which fails the listening slots and so wakes the
 * loop at once (no periodic polling: an idle plugin does not wake up).
 */
static volatile sig_atomic_t stop_signal;
static int stop_pipe[2] = { -1, -1 };

static void	listen_slot(struct vigil_server *);
static void	shutdown_once(struct vigil_server *);
static void	call_send(struct vigil_call *);

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static gpr_timespec
deadline_in(uint64_t ms)
{
	if (ms == UINT64_MAX)
		return gpr_inf_future(GPR_CLOCK_MONOTONIC);
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis((int64_t)ms, GPR_TIMESPAN));
}

static void
on_stop_signal(int sig)
{
	int	saved = errno;

	(void)sig;
	stop_signal = 1;
	if (stop_pipe[1] != -1)
		(void)!write(stop_pipe[1], "s", 1);
	errno = saved;
}

int
vigil_server_stop_on_signal(int sig)
{
	struct sigaction	sa;

	if (stop_pipe[0] == -1) {
		if (pipe2(stop_pipe, O_CLOEXEC) == -1)
			return -1;
		/* The handler must never block on a full pipe. */
		if (fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK) == -1)
			return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* --- timers ------------------------------------------------------------ */

static void
timer_insert(struct vigil_server *s, struct timer *t)
{
	struct timer	**pp = &s->timers;

	while (*pp != NULL && (*pp)->due_ms <= t->due_ms)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

static void
timer_remove(struct vigil_server *s, struct timer *t)
{
	struct timer	**pp;

	for (pp = &s->timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return;
		}
	}
}

int
vigil_server_after(struct vigil_server *s, uint64_t delay_ms,
    vigil_timer_fn *fn, void *arg)
{
	struct timer	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->due_ms = now_ms() + delay_ms;
	t->fn = fn;
	t->arg = arg;
	timer_insert(s, t);
	return 0;
}

static void	unhold(struct vigil_call *);

/* Fire every timer that is due; a timer may add timers. */
static void
timers_run(struct vigil_server *s, uint64_t now)
{
	struct timer	*t;

	while ((t = s->timers) != NULL && t->due_ms <= now) {
		s->timers = t->next;
		t->next = NULL;
		if (t->call != NULL) {
			unhold(t->call);
			call_send(t->call);
		} else {
			t->fn(t->arg);
			free(t);
		}
	}
}

/* How long the loop may sleep in the queue; UINT64_MAX: until an event. */
static uint64_t
timers_wait(const struct vigil_server *s, uint64_t now)
{
	uint64_t	wait = UINT64_MAX;

	if (s->stopping && !s->cancelled_all)
		wait = s->stop_deadline > now ? s->stop_deadline - now : 0;
	if (s->timers != NULL) {
		if (s->timers->due_ms <= now)
			return 0;
		if (s->timers->due_ms - now < wait)
			wait = s->timers->due_ms - now;
	}
	return wait;
}

/* --- calls ------------------------------------------------------------- */

static void
hold(struct vigil_call *c)
{
	struct vigil_server	*s = c->srv;

	c->held = 1;
	c->hprev = NULL;
	c->hnext = s->held;
	if (s->held != NULL)
		s->held->hprev = c;
	s->held = c;
	s->nheld++;
	if (c->delay_ms > 0) {
		c->timer.due_ms = now_ms() + (uint64_t)c->delay_ms;
		c->timer.call = c;
		timer_insert(s, &c->timer);
	}
}

static void
unhold(struct vigil_call *c)
{
	struct vigil_server	*s = c->srv;

	if (!c->held)
		return;
	if (c->delay_ms > 0)
		timer_remove(s, &c->timer);
	if (c->hprev != NULL)
		c->hprev->hnext = c->hnext;
	else
		s->held = c->hnext;
	if (c->hnext != NULL)
		c->hnext->hprev = c->hprev;
	c->hprev = c->hnext = NULL;
	c->held = 0;
	s->nheld--;
}

static void
call_free(struct vigil_call *c)
{
	unhold(c);
	if (c->call != NULL)
		grpc_call_unref(c->call);
	grpc_call_details_destroy(&c->details);
	grpc_metadata_array_destroy(&c->md);
	if (c->request != NULL)
		grpc_byte_buffer_destroy(c->request);
	if (c->response != NULL)
		grpc_byte_buffer_destroy(c->response);
	grpc_slice_unref(c->status_msg);
	c->srv->ncalls--;
	free(c);
}

/* Free the call once no batch of it is outstanding. */
static void
call_release(struct vigil_call *c)
{
	if (c->ops == 0)
		call_free(c);
}

static int
call_batch(struct vigil_call *c, const grpc_op *ops, size_t n, struct tag *t)
{
	grpc_call_error	e;

	e = grpc_call_start_batch(c->call, ops, n, t, NULL);
	if (e != GRPC_CALL_OK) {
		vigil_log("grpc_call_start_batch failed: error %d", (int)e);
		return -1;
	}
	c->ops++;
	return 0;
}

/* Send initial metadata, the answer (if OK) and the status. */
static void
call_send(struct vigil_call *c)
{
	grpc_op		ops[3];
	size_t		n = 0;

	if (c->srv->draining)
		return;
	memset(ops, 0, sizeof(ops));
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (c->status == GRPC_STATUS_OK && c->response != NULL) {
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = c->response;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = c->status;
	ops[n++].data.send_status_from_server.status_details = &c->status_msg;
	(void)call_batch(c, ops, n, &c->t_send);
}

void
vigil_call_reply(struct vigil_call *c, const ProtobufCMessage *msg)
{
	size_t		len;
	uint8_t		*buf;
	grpc_slice	slice;

	if (c->answered)
		return;
	len = protobuf_c_message_get_packed_size(msg);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		vigil_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "no memory");
		return;
	}
	protobuf_c_message_pack(msg, buf);
	slice = grpc_slice_from_copied_buffer((const char *)buf, len);
	free(buf);
	c->response = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);
	c->status = GRPC_STATUS_OK;
	c->answered = 1;
}

void
vigil_call_fail(struct vigil_call *c, int code, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	if (c->answered)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	grpc_slice_unref(c->status_msg);
	c->status_msg = grpc_slice_from_copied_string(msg);
	c->status = (grpc_status_code)code;
	c->answered = 1;
}

void
vigil_call_delay(struct vigil_call *c, int delay_ms)
{
	c->delay_ms = delay_ms < 0 ? VIGIL_HEALTH_HANG : delay_ms;
}

struct vigil_server *
vigil_call_server(const struct vigil_call *c)
{
	return c->srv;
}

static const struct method *
method_find(const struct vigil_server *s, grpc_slice path)
{
	const struct method	*m;

	for (m = s->methods; m != NULL; m = m->next)
		if (grpc_slice_str_cmp(path, m->path) == 0)
			return m;
	return NULL;
}

/* Copy the request into one buffer; NULL if too large or out of memory. */
static uint8_t *
request_bytes(grpc_byte_buffer *bb, size_t *lenp)
{
	grpc_byte_buffer_reader	 r;
	grpc_slice		 sl;
	uint8_t			*buf;
	size_t			 len, off = 0;

	len = grpc_byte_buffer_length(bb);
	if (len > MAX_REQUEST || (buf = malloc(len > 0 ? len : 1)) == NULL)
		return NULL;
	if (!grpc_byte_buffer_reader_init(&r, bb)) {
		free(buf);
		return NULL;
	}
	while (grpc_byte_buffer_reader_next(&r, &sl)) {
		size_t	n = GRPC_SLICE_LENGTH(sl);

		if (n > len - off)
			n = len - off;
		memcpy(buf + off, GRPC_SLICE_START_PTR(sl), n);
		off += n;
		grpc_slice_unref(sl);
	}
	grpc_byte_buffer_reader_destroy(&r);
	*lenp = off;
	return buf;
}

/* Decode the request and run the method's handler. */
static void
call_invoke(struct vigil_call *c, const struct method *m)
{
	ProtobufCMessage	*req;
	uint8_t			*bytes;
	size_t			 len = 0;

	if (c->request == NULL) {
		vigil_call_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
		    "no request message");
		return;
	}
	if ((bytes = request_bytes(c->request, &len)) == NULL) {
		vigil_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "request too large or unreadable");
		return;
	}
	req = protobuf_c_message_unpack(m->desc, NULL, len, bytes);
	free(bytes);
	if (req == NULL) {
		vigil_call_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
		    "malformed %s", m->desc->name);
		return;
	}
	m->fn(c, req, m->arg);
	protobuf_c_message_free_unpacked(req, NULL);
	if (!c->answered)
		vigil_call_fail(c, GRPC_STATUS_INTERNAL, "handler gave no answer");
}

/* The request is in: answer now, later, or never. */
static void
call_dispatch(struct vigil_call *c)
{
	struct vigil_server	*s = c->srv;
	const struct method	*m;

	if (s->stopping)
		vigil_call_fail(c, GRPC_STATUS_UNAVAILABLE, "server stopping");
	else if ((m = method_find(s, c->details.method)) == NULL)
		vigil_call_fail(c, GRPC_STATUS_UNIMPLEMENTED, "unknown method");
	else
		call_invoke(c, m);
	if (c->delay_ms != 0 && c->status == GRPC_STATUS_OK) {
		if (s->nheld < MAX_HELD) {
			hold(c);
			return;
		}
		if (c->response != NULL) {
			grpc_byte_buffer_destroy(c->response);
			c->response = NULL;
		}
		c->answered = 0;
		vigil_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "too many delayed calls");
	}
	call_send(c);
}

/* A call arrived: listen again, then read its request. */
static void
on_new(struct vigil_call *c, int ok)
{
	struct vigil_server	*s = c->srv;
	grpc_op			 op;

	c->ops--;
	if (!ok || c->call == NULL) {
		call_release(c);
		return;
	}
	if (!s->stopping)
		listen_slot(s);
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op.data.recv_close_on_server.cancelled = &c->cancelled;
	(void)call_batch(c, &op, 1, &c->t_close);
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &c->request;
	(void)call_batch(c, &op, 1, &c->t_recv);
	call_release(c);
}

static void
handle_event(struct vigil_server *s, struct tag *t, int ok)
{
	struct vigil_call	*c = t->call;

	switch (t->kind) {
	case TAG_NEW:
		on_new(c, ok);
		break;
	case TAG_RECV:
		c->ops--;
		if (ok && !s->draining)
			call_dispatch(c);
		call_release(c);
		break;
	case TAG_SEND:
		c->ops--;
		call_release(c);
		break;
	case TAG_CLOSE:
		c->ops--;
		unhold(c);	/* client gave up (deadline) or server stopped */
		call_release(c);
		break;
	case TAG_SHUTDOWN:
		s->shutdown_done = 1;
		break;
	}
}

/* Keep one grpc_server_request_call outstanding on a fresh call object. */
static void
listen_slot(struct vigil_server *s)
{
	struct vigil_call	*c;
	grpc_call_error		 e;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		vigil_log("no memory for a call slot");
		return;
	}
	c->srv = s;
	grpc_call_details_init(&c->details);
	grpc_metadata_array_init(&c->md);
	c->status_msg = grpc_empty_slice();
	c->t_new = (struct tag){ TAG_NEW, c };
	c->t_recv = (struct tag){ TAG_RECV, c };
	c->t_send = (struct tag){ TAG_SEND, c };
	c->t_close = (struct tag){ TAG_CLOSE, c };
	s->ncalls++;
	e = grpc_server_request_call(s->server, &c->call, &c->details, &c->md,
	    s->cq, s->cq, &c->t_new);
	if (e != GRPC_CALL_OK) {
		vigil_log("grpc_server_request_call failed: error %d", (int)e);
		call_free(c);
		return;
	}
	c->ops = 1;
}

/* --- server ------------------------------------------------------------ */

static int
server_bind(struct vigil_server *s, const char *address, char *err,
    size_t errlen)
{
	static char		 reuseport[] = GRPC_ARG_ALLOW_REUSEPORT;
	grpc_server_credentials	*creds;
	grpc_arg		 arg;
	grpc_channel_args	 args;

	/*
	 * gRPC sets SO_REUSEPORT by default: two plugins could then share a
	 * port silently. A plugin must own its address or fail loudly.
	 */
	memset(&arg, 0, sizeof(arg));
	arg.type = GRPC_ARG_INTEGER;
	arg.key = reuseport;
	arg.value.integer = 0;
	args.num_args = 1;
	args.args = &arg;
	s->cq = grpc_completion_queue_create_for_next(NULL);
	s->server = grpc_server_create(&args, NULL);
	grpc_server_register_completion_queue(s->server, s->cq, NULL);
	creds = grpc_insecure_server_credentials_create();
	s->port = grpc_server_add_http2_port(s->server, address, creds);
	grpc_server_credentials_release(creds);
	if (s->port == 0) {
		snprintf(err, errlen, "cannot listen on %s", address);
		return -1;
	}
	if (s->addr.kind == ADDR_UNIX)
		s->port = 0;
	s->bound = 1;
	return 0;
}

static void
server_destroy(struct vigil_server *s)
{
	grpc_event	ev;

	if (s->server != NULL) {
		s->draining = 1;
		grpc_server_destroy(s->server);
		s->server = NULL;
	}
	if (s->cq != NULL) {
		grpc_completion_queue_shutdown(s->cq);
		do {
			ev = grpc_completion_queue_next(s->cq,
			    gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
			if (ev.type == GRPC_OP_COMPLETE)
				handle_event(s, ev.tag, ev.success);
		} while (ev.type != GRPC_QUEUE_SHUTDOWN);
		grpc_completion_queue_destroy(s->cq);
		s->cq = NULL;
	}
}

struct vigil_server *
vigil_server_new(const char *address, char *err, size_t errlen)
{
	struct vigil_server	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "no memory");
		return NULL;
	}
	if (addr_parse(address, &s->addr, err, errlen) == -1) {
		free(s);
		return NULL;
	}
	grpc_init();
	s->t_shutdown = (struct tag){ TAG_SHUTDOWN, NULL };
	if (server_bind(s, address, err, errlen) == -1) {
		vigil_server_free(s);
		return NULL;
	}
	return s;
}

int
vigil_server_add_method(struct vigil_server *s, const char *path,
    const ProtobufCMessageDescriptor *desc, vigil_method_fn *fn, void *arg)
{
	struct method	*m;

	for (m = s->methods; m != NULL; m = m->next) {
		if (strcmp(m->path, path) == 0) {
			m->desc = desc;
			m->fn = fn;
			m->arg = arg;
			return 0;
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->path = strdup(path)) == NULL) {
		free(m);
		return -1;
	}
	m->desc = desc;
	m->fn = fn;
	m->arg = arg;
	m->next = s->methods;
	s->methods = m;
	return 0;
}

/*
 * The signal watcher: a byte "s" from the handler begins the shutdown
 * (which wakes the loop); "q" from watch_stop() ends the thread.
 */
static void *
watch_signals(void *arg)
{
	struct vigil_server	*s = arg;
	char			 b;
	ssize_t			 n;

	for (;;) {
		n = read(stop_pipe[0], &b, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1 || b == 'q')
			return NULL;
		shutdown_once(s);
	}
}

static void
watch_start(struct vigil_server *s)
{
	sigset_t	all, old;
	int		e;

	if (stop_pipe[0] == -1)
		return;
	/* The handlers run on the other threads; the watcher only reads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&s->watcher, NULL, watch_signals, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		vigil_log("cannot start the signal watcher: %s; a stop "
		    "signal is noticed at the next call or timer", strerror(e));
		return;
	}
	s->watching = 1;
}

static void
watch_stop(struct vigil_server *s)
{
	if (!s->watching)
		return;
	while (write(stop_pipe[1], "q", 1) == -1 && errno == EINTR)
		;
	pthread_join(s->watcher, NULL);
	s->watching = 0;
}

void
vigil_server_start(struct vigil_server *s)
{
	int	i;

	if (s->started)
		return;
	s->started = 1;
	grpc_server_start(s->server);
	for (i = 0; i < LISTEN_SLOTS; i++)
		listen_slot(s);
	watch_start(s);
}

void
vigil_server_stop(struct vigil_server *s)
{
	s->stop_requested = 1;
}

int
vigil_server_port(const struct vigil_server *s)
{
	return s->port;
}

/* Begin the server's shutdown once, from the loop or the watcher. */
static void
shutdown_once(struct vigil_server *s)
{
	if (atomic_exchange(&s->shutdown_begun, 1) == 0)
		grpc_server_shutdown_and_notify(s->server, s->cq,
		    &s->t_shutdown);
}

/* Stop accepting; answers in flight go out, held calls are cancelled. */
static void
begin_stop(struct vigil_server *s)
{
	struct vigil_call	*c;

	s->stopping = 1;
	s->stop_deadline = now_ms() + STOP_GRACE_MS;
	shutdown_once(s);
	while ((c = s->held) != NULL) {
		unhold(c);
		grpc_call_cancel_with_status(c->call, GRPC_STATUS_UNAVAILABLE,
		    "server stopping", NULL);
	}
}

int
vigil_server_run(struct vigil_server *s)
{
	grpc_event	ev;
	uint64_t	now;

	vigil_server_start(s);
	while (!s->shutdown_done) {
		if (!s->stopping && (stop_signal || s->stop_requested))
			begin_stop(s);
		now = now_ms();
		if (s->stopping && !s->cancelled_all && now >= s->stop_deadline) {
			grpc_server_cancel_all_calls(s->server);
			s->cancelled_all = 1;
		}
		timers_run(s, now);
		ev = grpc_completion_queue_next(s->cq,
		    deadline_in(timers_wait(s, now_ms())), NULL);
		if (ev.type == GRPC_OP_COMPLETE)
			handle_event(s, ev.tag, ev.success);
		else if (ev.type == GRPC_QUEUE_SHUTDOWN) {
			vigil_log("completion queue shut down unexpectedly");
			return -1;
		}
	}
	return 0;
}

void
vigil_server_free(struct vigil_server *s)
{
	struct method	*m;
	struct timer	*t;

	if (s == NULL)
		return;
	if (s->started && !s->shutdown_done && s->server != NULL) {
		/* Freed without a run to completion: shut down first. */
		if (!s->stopping)
			begin_stop(s);
		grpc_server_cancel_all_calls(s->server);
		s->stop_requested = 1;
		(void)vigil_server_run(s);
	}
	watch_stop(s);
	server_destroy(s);
	while ((m = s->methods) != NULL) {
		s->methods = m->next;
		free(m->path);
		free(m);
	}
	while ((t = s->timers) != NULL) {
		s->timers = t->next;
		if (t->call == NULL)
			free(t);
	}
	if (s->bound && s->addr.kind == ADDR_UNIX &&
	    unlink(s->addr.path) == -1 && errno != ENOENT)
		vigil_log("unlink %s: %s", s->addr.path, strerror(errno));
	free(s);
	grpc_shutdown_blocking();
}
