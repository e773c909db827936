/* One supervised plugin: its process, connection, checks and record. */
#ifndef VIGIL_PLUGIN_H
#define VIGIL_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

struct sv;
struct plugin;

/* Take ownership of *m (zeroed on success); allocate a shm slot. */
struct plugin	*plugin_create(struct sv *sv, struct manifest *m,
		    const char *fingerprint, char *err, size_t errlen);
/* Free everything; the process must be gone. Releases the slot. */
void		 plugin_destroy(struct plugin *p);

void		 plugin_start(struct plugin *p, uint64_t now);
void		 plugin_shutdown(struct plugin *p, uint64_t now);
/* Replace the manifest after the running process stops (SIGHUP). */
void		 plugin_replace(struct plugin *p, struct manifest *m,
		    const char *fingerprint, uint64_t now);
/* Update health settings in place (unchanged manifest, new [health]). */
void		 plugin_set_health(struct plugin *p,
		    const struct health_config *h);

/* Events from the loop. */
void		 plugin_on_exit(struct plugin *p, int status, uint64_t now);
void		 plugin_on_timer(struct plugin *p, uint64_t now);
/* Read fd if it is one of p's output pipes (does nothing otherwise). */
void		 plugin_on_output(struct plugin *p, int fd, uint64_t now);
/* Earliest time plugin_on_timer() has work; UINT64_MAX for none. */
uint64_t	 plugin_next_wakeup(const struct plugin *p);

/*
 * Control requests; return an enum vigil_ctl_status and fill msg.
 * plugin_simulate and plugin_load are refused unless demo mode is on.
 */
uint32_t	 plugin_manual_restart(struct plugin *p, uint64_t now,
		    uint32_t *retry_after_s, char *msg, size_t msglen);
uint32_t	 plugin_simulate(struct plugin *p, const char *fault,
		    uint32_t arg, char *msg, size_t msglen);
uint32_t	 plugin_load(struct plugin *p, uint32_t requests, char *msg,
		    size_t msglen);

/* Write the plugin's record to the segment again. */
void		 plugin_publish(struct plugin *p);

/* Accessors. */
const char	*plugin_name(const struct plugin *p);
const char	*plugin_fingerprint(const struct plugin *p);
uint32_t	 plugin_id(const struct plugin *p);
pid_t		 plugin_pid(const struct plugin *p);
int		 plugin_port(const struct plugin *p);
uint32_t	 plugin_state(const struct plugin *p);
uint64_t	 plugin_stop_timeout_ms(const struct plugin *p);
/* Stopped for good and reaped: may be destroyed. */
bool		 plugin_finished(const struct plugin *p);
bool		 plugin_started_once(const struct plugin *p);

#endif /* VIGIL_PLUGIN_H */
