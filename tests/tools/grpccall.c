/* grpccall: a tiny gRPC client to talk to plugins from test scripts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "proto/grpc_controller.pb-c.h"
#include "proto/health.pb-c.h"
#include "proto/hkpplugin.pb-c.h"
#include "proto/simulation.pb-c.h"

/*
 * Exit codes: 0 the call succeeded, 1 usage or local error, 2 the RPC ended
 * with a non-OK status (its name is printed as "error=NAME"), 3 the answer
 * did not decode.
 */
#define EXIT_USAGE	1
#define EXIT_RPC	2
#define EXIT_DECODE	3

static const char usage[] =
    "usage: grpccall [--timeout-ms N] ADDRESS COMMAND [ARGS]\n"
    "commands:\n"
    "  health                 hkpplugin.HKPPlugin/HealthCheck\n"
    "  grpc-health [SERVICE]  grpc.health.v1.Health/Check\n"
    "  info                   hkpplugin.HKPPlugin/GetInfo\n"
    "  init [CONFIG_JSON]     hkpplugin.HKPPlugin/Initialize\n"
    "  ratelimit ID ACTION    hkpplugin.HKPPlugin/CheckRateLimit\n"
    "  inject FAULT [DELAY_MS] vigil.demo.Simulation/Inject\n"
    "  load N                 vigil.demo.Simulation/Load\n"
    "  shutdown [REASON]      hkpplugin.HKPPlugin/Shutdown\n"
    "  controller-shutdown    plugin.GRPCController/Shutdown\n"
    "  raw METHOD HEX         send HEX bytes, print the answer in hex\n";

struct answer {
	grpc_status_code	 status;
	char			*details;
	uint8_t			*bytes;
	size_t			 len;
};

static const char *
status_name(grpc_status_code c)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
		"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	if ((unsigned)c < sizeof(names) / sizeof(names[0]))
		return names[c];
	return "UNKNOWN_CODE";
}

static void
answer_take(struct answer *a, grpc_byte_buffer *bb)
{
	grpc_byte_buffer_reader	r;
	grpc_slice		s;
	size_t			off = 0;

	a->len = grpc_byte_buffer_length(bb);
	if ((a->bytes = malloc(a->len + 1)) == NULL ||
	    !grpc_byte_buffer_reader_init(&r, bb)) {
		a->len = 0;
		return;
	}
	while (grpc_byte_buffer_reader_next(&r, &s)) {
		size_t	n = GRPC_SLICE_LENGTH(s);

		if (n > a->len - off)
			n = a->len - off;
		memcpy(a->bytes + off, GRPC_SLICE_START_PTR(s), n);
		off += n;
		grpc_slice_unref(s);
	}
	grpc_byte_buffer_reader_destroy(&r);
	a->len = off;
}

static void
cq_destroy(grpc_completion_queue *cq)
{
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_pluck(cq, NULL,
	    gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
}

/* One unary call; a->status says how it ended. -1 if it never started. */
static int
unary(const char *target, const char *method, const uint8_t *req,
    size_t reqlen, long timeout_ms, struct answer *a)
{
	grpc_channel_credentials *creds = grpc_insecure_credentials_create();
	grpc_channel		*ch = grpc_channel_create(target, creds, NULL);
	grpc_completion_queue	*cq = grpc_completion_queue_create_for_pluck(NULL);
	gpr_timespec		 deadline = gpr_time_add(
	    gpr_now(GPR_CLOCK_REALTIME),
	    gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
	grpc_slice		 rs = grpc_slice_from_copied_buffer(
	    (const char *)req, reqlen);
	grpc_byte_buffer	*send = grpc_raw_byte_buffer_create(&rs, 1);
	grpc_byte_buffer	*recv = NULL;
	grpc_metadata_array	 imd, tmd;
	grpc_slice		 details;
	grpc_call		*call;
	grpc_op			 ops[6];
	grpc_event		 ev;
	int			 rc = -1;

	grpc_channel_credentials_release(creds);
	grpc_metadata_array_init(&imd);
	grpc_metadata_array_init(&tmd);
	call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
	    grpc_slice_from_static_string(method), NULL, deadline, NULL);
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &imd;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &tmd;
	ops[5].data.recv_status_on_client.status = &a->status;
	ops[5].data.recv_status_on_client.status_details = &details;
	if (grpc_call_start_batch(call, ops, 6, call, NULL) == GRPC_CALL_OK) {
		ev = grpc_completion_queue_pluck(cq, call,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_OP_COMPLETE) {
			a->details = grpc_slice_to_c_string(details);
			grpc_slice_unref(details);
			if (recv != NULL)
				answer_take(a, recv);
			rc = 0;
		}
	}
	if (recv != NULL)
		grpc_byte_buffer_destroy(recv);
	grpc_byte_buffer_destroy(send);
	grpc_slice_unref(rs);
	grpc_metadata_array_destroy(&imd);
	grpc_metadata_array_destroy(&tmd);
	grpc_call_unref(call);
	cq_destroy(cq);
	grpc_channel_destroy(ch);
	return rc;
}

/* Pack msg, call, and return the decoded answer (NULL: printed why). */
static ProtobufCMessage *
call_msg(const char *target, long timeout_ms, const char *method,
    const ProtobufCMessage *msg, const ProtobufCMessageDescriptor *rdesc,
    int *exitp)
{
	struct answer		 a = { .status = GRPC_STATUS_OK };
	ProtobufCMessage	*out = NULL;
	uint8_t			*buf;
	size_t			 len = protobuf_c_message_get_packed_size(msg);

	*exitp = EXIT_USAGE;
	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	protobuf_c_message_pack(msg, buf);
	if (unary(target, method, buf, len, timeout_ms, &a) == -1) {
		fprintf(stderr, "grpccall: call could not start\n");
	} else if (a.status != GRPC_STATUS_OK) {
		printf("error=%s\nerror_message=%s\n", status_name(a.status),
		    a.details != NULL ? a.details : "");
		*exitp = EXIT_RPC;
	} else if ((out = protobuf_c_message_unpack(rdesc, NULL, a.len,
	    a.bytes)) == NULL) {
		printf("error=DECODE\n");
		*exitp = EXIT_DECODE;
	}
	free(buf);
	free(a.bytes);
	gpr_free(a.details);
	return out;
}

static const char *
hkp_status_name(int s)
{
	switch (s) {
	case 1: return "HEALTHY";
	case 2: return "DEGRADED";
	case 3: return "UNHEALTHY";
	default: return "UNKNOWN";
	}
}

static void
print_info(const Hkpplugin__PluginInfo *pi)
{
	size_t	i;

	printf("name=%s\nversion=%s\ndescription=%s\n", pi->name, pi->version,
	    pi->description);
	for (i = 0; i < pi->n_capabilities; i++)
		printf("capability=%s\n", pi->capabilities[i]);
	for (i = 0; i < pi->n_metadata; i++)
		printf("metadata.%s=%s\n", pi->metadata[i]->key,
		    pi->metadata[i]->value);
}

static void
print_msg(const ProtobufCMessage *m)
{
	const char	*n = m->descriptor->short_name;
	size_t		 i;

	if (strcmp(n, "HealthStatus") == 0) {
		const Hkpplugin__HealthStatus *h = (const void *)m;

		printf("status=%s\nmessage=%s\ntimestamp=%lld\n",
		    hkp_status_name(h->status), h->message,
		    (long long)h->timestamp);
		for (i = 0; i < h->n_details; i++)
			printf("detail.%s=%s\n", h->details[i]->key,
			    h->details[i]->value);
	} else if (strcmp(n, "HealthCheckResponse") == 0) {
		const Grpc__Health__V1__HealthCheckResponse *h =
		    (const void *)m;
		static const char *const st[] = { "UNKNOWN", "SERVING",
		    "NOT_SERVING", "SERVICE_UNKNOWN" };

		printf("status=%s\n", (unsigned)h->status < 4 ?
		    st[h->status] : "INVALID");
	} else if (strcmp(n, "PluginInfo") == 0) {
		print_info((const void *)m);
	} else if (strcmp(n, "InitResponse") == 0) {
		const Hkpplugin__InitResponse *r = (const void *)m;

		printf("success=%d\nerror=%s\n", r->success, r->error);
		if (r->info != NULL)
			print_info(r->info);
	} else if (strcmp(n, "RateLimitResponse") == 0) {
		const Hkpplugin__RateLimitResponse *r = (const void *)m;

		printf("allowed=%d\nreason=%s\nretry_after_seconds=%d\n",
		    r->allowed, r->reason, r->retry_after_seconds);
		for (i = 0; i < r->n_headers; i++)
			printf("header.%s=%s\n", r->headers[i]->key,
			    r->headers[i]->value);
	} else if (strcmp(n, "FaultResponse") == 0) {
		const Vigil__Demo__FaultResponse *r = (const void *)m;

		printf("accepted=%d\nmessage=%s\n", r->accepted, r->message);
	} else if (strcmp(n, "LoadResponse") == 0) {
		const Vigil__Demo__LoadResponse *r = (const void *)m;

		printf("processed=%d\nrejected=%d\nelapsed_us=%lld\n",
		    r->processed, r->rejected, (long long)r->elapsed_us);
	} else if (strcmp(n, "ShutdownResponse") == 0) {
		const Hkpplugin__ShutdownResponse *r = (const void *)m;

		printf("success=%d\nerror=%s\n", r->success, r->error);
	} else
		printf("ok=1\n");
}

static int
hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *lenp)
{
	size_t		n = strlen(hex), i;
	unsigned int	v;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*lenp = n / 2;
	return 0;
}

static int
cmd_raw(const char *target, long timeout_ms, const char *method,
    const char *hex)
{
	struct answer	a = { .status = GRPC_STATUS_OK };
	uint8_t		buf[4096];
	size_t		len, i;
	int		rc = EXIT_USAGE;

	if (hex_decode(hex, buf, sizeof(buf), &len) == -1) {
		fprintf(stderr, "grpccall: bad hex\n");
		return EXIT_USAGE;
	}
	if (unary(target, method, buf, len, timeout_ms, &a) == 0) {
		if (a.status != GRPC_STATUS_OK) {
			printf("error=%s\nerror_message=%s\n",
			    status_name(a.status), a.details ? a.details : "");
			rc = EXIT_RPC;
		} else {
			printf("bytes=");
			for (i = 0; i < a.len; i++)
				printf("%02x", a.bytes[i]);
			printf("\n");
			rc = 0;
		}
	}
	free(a.bytes);
	gpr_free(a.details);
	return rc;
}

/* The request message, method and answer type of one command. */
struct request {
	const char			*method;
	const ProtobufCMessageDescriptor *rdesc;
	ProtobufCMessage		*msg;
	union {
		Hkpplugin__Empty			empty;
		Hkpplugin__InitRequest			init;
		Hkpplugin__RateLimitCheck		rl;
		Hkpplugin__ShutdownRequest		sd;
		Grpc__Health__V1__HealthCheckRequest	gh;
		Vigil__Demo__FaultRequest		fault;
		Vigil__Demo__LoadRequest		load;
		Plugin__Empty				pempty;
	} u;
};

static int
argn(int argc, char **argv, int i, char **out)
{
	if (i >= argc)
		return -1;
	*out = argv[i];
	return 0;
}

static char	empty_string[] = "";
static char	default_reason[] = "grpccall";

static void
set(struct request *r, const char *method, ProtobufCMessage *msg,
    const ProtobufCMessageDescriptor *rdesc)
{
	r->method = method;
	r->msg = msg;
	r->rdesc = rdesc;
}

static int
req_health(int argc, char **argv, struct request *r)
{
	(void)argc;
	(void)argv;
	hkpplugin__empty__init(&r->u.empty);
	set(r, "/hkpplugin.HKPPlugin/HealthCheck", &r->u.empty.base,
	    &hkpplugin__health_status__descriptor);
	return 0;
}

static int
req_info(int argc, char **argv, struct request *r)
{
	(void)argc;
	(void)argv;
	hkpplugin__empty__init(&r->u.empty);
	set(r, "/hkpplugin.HKPPlugin/GetInfo", &r->u.empty.base,
	    &hkpplugin__plugin_info__descriptor);
	return 0;
}

static int
req_grpc_health(int argc, char **argv, struct request *r)
{
	grpc__health__v1__health_check_request__init(&r->u.gh);
	if (argn(argc, argv, 1, &r->u.gh.service) == -1)
		r->u.gh.service = empty_string;
	set(r, "/grpc.health.v1.Health/Check", &r->u.gh.base,
	    &grpc__health__v1__health_check_response__descriptor);
	return 0;
}

static int
req_init(int argc, char **argv, struct request *r)
{
	hkpplugin__init_request__init(&r->u.init);
	if (argn(argc, argv, 1, &r->u.init.config_json) == -1)
		r->u.init.config_json = empty_string;
	set(r, "/hkpplugin.HKPPlugin/Initialize", &r->u.init.base,
	    &hkpplugin__init_response__descriptor);
	return 0;
}

static int
req_ratelimit(int argc, char **argv, struct request *r)
{
	hkpplugin__rate_limit_check__init(&r->u.rl);
	if (argn(argc, argv, 1, &r->u.rl.identifier) == -1 ||
	    argn(argc, argv, 2, &r->u.rl.action) == -1)
		return -1;
	set(r, "/hkpplugin.HKPPlugin/CheckRateLimit", &r->u.rl.base,
	    &hkpplugin__rate_limit_response__descriptor);
	return 0;
}

static int
req_inject(int argc, char **argv, struct request *r)
{
	vigil__demo__fault_request__init(&r->u.fault);
	if (argn(argc, argv, 1, &r->u.fault.fault) == -1)
		return -1;
	if (argc > 2)
		r->u.fault.delay_ms = atoi(argv[2]);
	set(r, "/vigil.demo.Simulation/Inject", &r->u.fault.base,
	    &vigil__demo__fault_response__descriptor);
	return 0;
}

static int
req_load(int argc, char **argv, struct request *r)
{
	vigil__demo__load_request__init(&r->u.load);
	if (argc < 2)
		return -1;
	r->u.load.requests = atoi(argv[1]);
	set(r, "/vigil.demo.Simulation/Load", &r->u.load.base,
	    &vigil__demo__load_response__descriptor);
	return 0;
}

static int
req_shutdown(int argc, char **argv, struct request *r)
{
	hkpplugin__shutdown_request__init(&r->u.sd);
	if (argn(argc, argv, 1, &r->u.sd.reason) == -1)
		r->u.sd.reason = default_reason;
	r->u.sd.timeout_seconds = 5;
	set(r, "/hkpplugin.HKPPlugin/Shutdown", &r->u.sd.base,
	    &hkpplugin__shutdown_response__descriptor);
	return 0;
}

static int
req_controller_shutdown(int argc, char **argv, struct request *r)
{
	(void)argc;
	(void)argv;
	plugin__empty__init(&r->u.pempty);
	set(r, "/plugin.GRPCController/Shutdown", &r->u.pempty.base,
	    &plugin__empty__descriptor);
	return 0;
}

static const struct {
	const char	*name;
	int		(*build)(int, char **, struct request *);
} commands[] = {
	{ "health",		 req_health },
	{ "info",		 req_info },
	{ "grpc-health",	 req_grpc_health },
	{ "init",		 req_init },
	{ "ratelimit",		 req_ratelimit },
	{ "inject",		 req_inject },
	{ "load",		 req_load },
	{ "shutdown",		 req_shutdown },
	{ "controller-shutdown", req_controller_shutdown },
};

/* Fill r from the command line (argv[0] is the command); -1: usage. */
static int
build_request(int argc, char **argv, struct request *r)
{
	size_t	i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].build(argc, argv, r);
	return -1;
}

int
main(int argc, char **argv)
{
	struct request		 r;
	ProtobufCMessage	*out;
	long			 timeout_ms = 5000;
	const char		*target;
	int			 rc = EXIT_USAGE;

	if (argc > 2 && strcmp(argv[1], "--timeout-ms") == 0) {
		timeout_ms = strtol(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || timeout_ms <= 0) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	target = argv[1];
	grpc_init();
	memset(&r, 0, sizeof(r));
	if (strcmp(argv[2], "raw") == 0 && argc == 5)
		rc = cmd_raw(target, timeout_ms, argv[3], argv[4]);
	else if (build_request(argc - 2, argv + 2, &r) == -1)
		fputs(usage, stderr);
	else if ((out = call_msg(target, timeout_ms, r.method, r.msg,
	    r.rdesc, &rc)) != NULL) {
		print_msg(out);
		protobuf_c_message_free_unpacked(out, NULL);
		rc = 0;
	}
	grpc_shutdown();
	return rc;
}
