/* The supervisor's process-wide context, shared by its modules. */
#ifndef VIGIL_SUPERVISOR_H
#define VIGIL_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "proc.h"

struct plugin;
struct rpc;
struct shmstate;
struct ctl;

/* Exit codes (documented in --help and docs/OPERATIONS.md). */
#define EXIT_OK		0
#define EXIT_CONFIG	1	/* bad configuration or usage */
#define EXIT_RUNTIME	2	/* could not start or keep running */

struct sv {
	struct vigil_config	 cfg;
	const char		*config_path;
	struct rpc		*rpc;
	struct shmstate		*shm;
	struct ctl		*ctl;
	int			 epfd;		/* plugins' output pipes */
	struct plugin		**plugins;
	size_t			 nplugins;
	size_t			 cap;
	uint32_t		 next_id;
	bool			 root;		/* running as uid 0 */
	bool			 have_plugin_user; /* default_user is set */
	struct proc_spec	 default_user;	/* plugin_user, when root */
	bool			 have_api_uid;
	uid_t			 api_uid;	/* may use the control socket */
	gid_t			 api_gid;
	bool			 terminating;
	uint64_t		 terminate_deadline_ms;
	bool			 ready_notified;
};

/*
 * Block the signals the loop reads from a signalfd. Must run before any
 * thread exists (gRPC starts some), or a thread may take SIGTERM or SIGCHLD.
 */
int		 supervisor_block_signals(void);

/* Run plugins until SIGTERM/SIGINT; returns an exit code. */
int		 supervisor_run(struct sv *sv);

/* Plugin table. */
int		 sv_add(struct sv *sv, struct plugin *p);
void		 sv_remove(struct sv *sv, struct plugin *p);
struct plugin	*sv_find(const struct sv *sv, const char *name);
struct plugin	*sv_find_pid(const struct sv *sv, pid_t pid);
struct plugin	*sv_find_id(const struct sv *sv, uint32_t id);
/* Whether any plugin currently uses this TCP port. */
bool		 sv_port_in_use(const struct sv *sv, int port);

#endif /* VIGIL_SUPERVISOR_H */
