/* Vigil plugin SDK: serve the hkpplugin protocol and grpc.health.v1 from C. */
#ifndef VIGIL_PLUGIN_H
#define VIGIL_PLUGIN_H

/*
 * A plugin in about 30 lines:
 *
 *	static void
 *	health(void *ctx, struct vigil_health *h)
 *	{
 *		vigil_health_set(h, VIGIL_HEALTH_HEALTHY, "all good");
 *		vigil_health_add(h, "uptime", "%d", 42);
 *	}
 *
 *	int
 *	main(void)
 *	{
 *		struct vigil_plugin_def def = {
 *			.name = "hello", .version = "1.0.0",
 *			.description = "says hello", .health = health,
 *		};
 *		return vigil_plugin_main(&def);
 *	}
 *
 * vigil_plugin_main() listens on $PLUGIN_GRPC_ADDRESS ("host:port" or
 * "unix:/abs/path"), serves hkpplugin.HKPPlugin (Initialize, GetInfo,
 * HealthCheck, Shutdown) and grpc.health.v1.Health/Check, and returns when
 * SIGTERM or SIGINT arrives or a Shutdown RPC is accepted. Extra unary
 * methods are added from the setup hook with vigil_server_add_method().
 *
 * grpc.health.v1.Health/Check answers for the services "", "plugin" and
 * the plugin's name (SERVING when the health callback says HEALTHY or
 * DEGRADED, else NOT_SERVING) and NOT_FOUND for any other; Watch and every
 * unknown method answer UNIMPLEMENTED; request bytes that do not decode
 * answer INVALID_ARGUMENT. At most 256 answers may be delayed or held at
 * once; more get RESOURCE_EXHAUSTED. On stop, held calls are cancelled
 * with UNAVAILABLE and calls still open after 2 s are cancelled.
 *
 * Everything runs in one thread on one gRPC completion queue: callbacks and
 * method handlers must not block. A handler that wants to answer late sets
 * a delay (vigil_call_delay) instead of sleeping.
 *
 * Exit codes returned by vigil_plugin_main():
 *	0  stopped cleanly (signal or Shutdown RPC)
 *	1  start-up error (no or bad address, cannot listen, setup failed)
 *	2  run-time failure of the server loop
 */

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#define VIGIL_PLUGIN_SDK_VERSION	"0.1.0"

#define VIGIL_EXIT_OK		0
#define VIGIL_EXIT_STARTUP	1
#define VIGIL_EXIT_RUNTIME	2

/* Same numbers as hkpplugin.HealthStatus.Status. */
enum vigil_health_status {
	VIGIL_HEALTH_UNKNOWN = 0,
	VIGIL_HEALTH_HEALTHY = 1,
	VIGIL_HEALTH_DEGRADED = 2,
	VIGIL_HEALTH_UNHEALTHY = 3
};

#define VIGIL_HEALTH_MAX_DETAILS	8
/* delay_ms value: never answer this health check (simulated hang). */
#define VIGIL_HEALTH_HANG		(-1)

struct vigil_health_detail {
	char	key[64];
	char	value[192];
};

/* Filled by the plugin's health callback; zeroed before each call. */
struct vigil_health {
	int				status;		/* VIGIL_HEALTH_* */
	char				message[256];
	size_t				ndetails;
	struct vigil_health_detail	details[VIGIL_HEALTH_MAX_DETAILS];
	/* 0: answer now; > 0: answer after this many ms; VIGIL_HEALTH_HANG. */
	int				delay_ms;
};

void		vigil_health_set(struct vigil_health *h, int status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Append one detail; -1 when the table is full. */
int		vigil_health_add(struct vigil_health *h, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "HEALTHY", "DEGRADED", "UNHEALTHY" or "UNKNOWN". */
const char	*vigil_health_status_name(int status);

/* --- the server: unary gRPC methods on one completion queue ------------ */

struct vigil_server;
/* One in-flight unary call, valid only during the handler that gets it. */
struct vigil_call;

/*
 * A method handler. request is the decoded request (freed by the SDK after
 * the handler returns). The handler must answer with exactly one of
 * vigil_call_reply() or vigil_call_fail() before returning; it may add
 * vigil_call_delay(). A handler that does not answer yields INTERNAL.
 */
typedef void	vigil_method_fn(struct vigil_call *call,
		    const ProtobufCMessage *request, void *arg);
typedef void	vigil_timer_fn(void *arg);

/* Listen on address (validated here); NULL with err filled on failure. */
struct vigil_server *vigil_server_new(const char *address, char *err,
		    size_t errlen);
/*
 * Serve path ("/package.Service/Method"); request bytes are decoded with
 * the descriptor, and bytes that do not decode are answered with
 * INVALID_ARGUMENT. A later registration of the same path replaces it.
 */
int		vigil_server_add_method(struct vigil_server *srv,
		    const char *path, const ProtobufCMessageDescriptor *request,
		    vigil_method_fn *fn, void *arg);
/* Call fn(arg) from the loop after delay_ms; 0 or -1 (no memory). */
int		vigil_server_after(struct vigil_server *srv, uint64_t delay_ms,
		    vigil_timer_fn *fn, void *arg);
/* Start accepting calls (idempotent; vigil_server_run calls it). */
void		vigil_server_start(struct vigil_server *srv);
/* Serve until stopped; 0 after a clean stop, -1 on failure. */
int		vigil_server_run(struct vigil_server *srv);
/*
 * Ask the loop to stop: answers already being sent still go out. Call it
 * from the loop (a method handler or a timer); an idle loop sleeps until
 * a call or timer is due, so from a signal use vigil_server_stop_on_signal.
 */
void		vigil_server_stop(struct vigil_server *srv);
/*
 * Stop the loop of this process when sig arrives, at once, even when idle
 * (the handler wakes a watcher thread that begins the server's shutdown).
 * Call it before vigil_server_start or vigil_server_run, which start the
 * watcher; vigil_plugin_main does.
 */
int		vigil_server_stop_on_signal(int sig);
/* The bound TCP port (useful with "127.0.0.1:0"), 0 for unix sockets. */
int		vigil_server_port(const struct vigil_server *srv);
/* Destroy a stopped server; removes the unix socket file it created. */
void		vigil_server_free(struct vigil_server *srv);

void		vigil_call_reply(struct vigil_call *call,
		    const ProtobufCMessage *response);
/* code is a grpc_status_code (e.g. 5 NOT_FOUND, 12 UNIMPLEMENTED). */
void		vigil_call_fail(struct vigil_call *call, int code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Send the answer after delay_ms; VIGIL_HEALTH_HANG: never (the client's
 * deadline or the server's stop ends the call). */
void		vigil_call_delay(struct vigil_call *call, int delay_ms);
struct vigil_server *vigil_call_server(const struct vigil_call *call);

/* --- the plugin: hkpplugin.HKPPlugin + grpc.health.v1 ------------------ */

/* Serve only grpc.health.v1 (HKPPlugin methods answer UNIMPLEMENTED). */
#define VIGIL_PLUGIN_HEALTH_ONLY	0x1

struct vigil_plugin_def {
	const char		*name;
	const char		*version;
	const char		*description;
	const char *const	*capabilities;	/* NULL-terminated or NULL */
	unsigned int		 flags;		/* VIGIL_PLUGIN_* */

	/* Initialize RPC; 0 or -1 with err filled. May be NULL. */
	int	(*init)(void *ctx, const char *config_json, char *err,
		    size_t errlen);
	/* HealthCheck and grpc.health.v1 Check. NULL: always healthy. */
	void	(*health)(void *ctx, struct vigil_health *out);
	/*
	 * Shutdown RPC (return -1 with err filled to refuse it), and once more
	 * after a signal stopped the server (return value ignored then).
	 */
	int	(*shutdown)(void *ctx, const char *reason, char *err,
		    size_t errlen);
	/*
	 * Called once the server exists, before serving: add methods and
	 * timers here. SIGTERM/SIGINT handlers are already installed, so a
	 * plugin may override them. 0, or -1 to abort start-up.
	 */
	int	(*setup)(void *ctx, struct vigil_server *srv);
	void	*ctx;
};

/*
 * From inside the init or shutdown callback: answer the RPC being handled
 * after delay_ms, or never with VIGIL_HEALTH_HANG (a plugin that "never
 * finishes start-up"). Health callbacks set out->delay_ms instead.
 */
void		vigil_plugin_delay(int delay_ms);

/* Run the plugin; returns a VIGIL_EXIT_* code for main() to return. */
int		vigil_plugin_main(const struct vigil_plugin_def *def);

/* One log line on stderr ("<plugin>: message"); the supervisor keeps it. */
void		vigil_log(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* --- demo fault and load injection: vigil.demo.Simulation -------------- */

enum vigil_fault {
	VIGIL_FAULT_NONE = 0,
	VIGIL_FAULT_HANG,
	VIGIL_FAULT_SLOW,
	VIGIL_FAULT_DEGRADED,
	VIGIL_FAULT_UNHEALTHY,
	VIGIL_FAULT_CRASH	/* an action, never a stored state */
};

/* Exit code of a plugin told to "crash". */
#define VIGIL_SIM_CRASH_EXIT	3
/* Delay of "slow" when the request gives none. */
#define VIGIL_SIM_SLOW_DEFAULT_MS	3000
/* Most requests one Load call may ask for. */
#define VIGIL_SIM_MAX_LOAD	1000000

/* Load work: process n requests, count rejections; returns processed. */
typedef int32_t	vigil_load_fn(void *arg, int32_t n, int32_t *rejected);

struct vigil_sim {
	int		 fault;		/* VIGIL_FAULT_* */
	int		 delay_ms;	/* for VIGIL_FAULT_SLOW */
	vigil_load_fn	*load;		/* NULL: a fixed CPU-bound task */
	void		*load_arg;
};

/* Serve vigil.demo.Simulation/Inject and /Load on srv. */
int		vigil_sim_serve(struct vigil_server *srv, struct vigil_sim *sim);
/* Apply the injected fault to a health answer. */
void		vigil_sim_apply(const struct vigil_sim *sim,
		    struct vigil_health *h);
/* "crash", "hang", "slow", "degraded", "unhealthy", "recover" (NONE) ->
 * 0 and *fault; -1 for anything else. */
int		vigil_sim_parse_fault(const char *name, int *fault);

#endif /* VIGIL_PLUGIN_H */
