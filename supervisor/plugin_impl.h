/*
 * Internal to the plugin module (plugin.c, launch.c): the state of one
 * supervised plugin. Everything else goes through plugin.h.
 */
#ifndef VIGIL_PLUGIN_IMPL_H
#define VIGIL_PLUGIN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"
#include "plugin.h"
#include "rpc.h"
#include "state.h"
#include "vigil.h"

#define MANUAL_HISTORY		32

struct plugin {
	struct sv		*sv;
	struct manifest		 m;
	char			 fp[80];
	struct manifest		 next;		/* replacement (SIGHUP) */
	char			 next_fp[80];
	bool			 has_next;
	bool			 removing;
	bool			 started_once;
	uint32_t		 id;
	uint32_t		 epoch;		/* bumped at every spawn */
	int			 slot;
	struct fsm		 fsm;
	bool			 spawn_due;	/* deferred FSM_ACT_SPAWN */

	/* process */
	pid_t			 pid;
	int			 out_fd, err_fd;
	struct linebuf		 out, err;
	int64_t			 started_us;
	bool			 exited;
	bool			 start_failed;	/* killed by fail_start() */
	int32_t			 exit_code, exit_signal;

	/* connection */
	char			 target[300];
	char			 sockpath[256];	/* unix socket to remove */
	char			 rundir[256];
	int			 port;
	grpc_channel		*chan;
	bool			 connected;
	bool			 handshake_seen;
	bool			 init_inflight;
	bool			 check_inflight;
	bool			 use_grpc_health;
	uint64_t		 init_retry_ms;
	uint64_t		 offset_ms;
	uint64_t		 next_check_ms;

	/* stopping */
	bool			 stopping;
	bool			 term_sent, kill_sent;
	uint64_t		 term_at_ms, kill_at_ms;

	/* published facts */
	char			 version[VIGIL_VERSION_LEN];
	char			 description[VIGIL_DESC_LEN];
	char			 message[VIGIL_MESSAGE_LEN];
	char			 details[VIGIL_DETAILS_LEN];
	int64_t			 last_check_us, last_healthy_us;
	int64_t			 state_change_us;
	uint64_t		 last_response_us, avg_response_us;
	uint64_t		 total_checks, total_failures, missed_checks;

	/* manual restarts */
	uint64_t		 manual_ms[MANUAL_HISTORY];
	unsigned		 manual_head;
	bool			 manual_pending;
};

/*
 * Start p's process (launch.c): its address (a free loopback port or a
 * Unix socket in its runtime directory), a clean environment, the user it
 * runs as; sets pid, out_fd and err_fd. -1 with a reason in err.
 */
int	plugin_launch(struct plugin *p, char *err, size_t errlen);

#endif /* VIGIL_PLUGIN_IMPL_H */
