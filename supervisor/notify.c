/* systemd readiness and watchdog notifications (no-ops without systemd). */
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "notify.h"

/* sd_notify() does nothing when NOTIFY_SOCKET is unset. */
void
notify_ready(void)
{
	(void)sd_notify(0, "READY=1\nSTATUS=supervising plugins");
}

void
notify_watchdog(void)
{
	(void)sd_notify(0, "WATCHDOG=1");
}

void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}
