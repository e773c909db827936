/* systemd readiness and watchdog notifications (no-ops without systemd). */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

void	notify_ready(void);
void	notify_watchdog(void);
void	notify_stopping(void);

#endif /* VIGIL_NOTIFY_H */
