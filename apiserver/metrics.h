/* Prometheus text exposition of plugin, supervisor and API metrics. */
#ifndef APISERVER_METRICS_H
#define APISERVER_METRICS_H

#include "buf.h"
#include "view.h"

/* The fixed endpoint label set: request counters stay bounded. */
enum endpoint {
	EP_HEALTH = 0,
	EP_LIVENESS,
	EP_READINESS,
	EP_PLUGIN_HEALTH,	/* /health/{plugin} */
	EP_PLUGINS_STATUS,
	EP_PLUGINS_HEALTH,
	EP_PLUGINS_RESTART,
	EP_PLUGINS_SIMULATE,	/* demo */
	EP_PLUGINS_LOAD,	/* demo */
	EP_METRICS,
	EP_DASHBOARD,
	EP_OTHER,		/* unknown paths, server-level errors */
	EP_COUNT
};

/* Count one answered request (lock-free, any thread). */
void	metrics_count(enum endpoint ep, int status);

/* Current value of one counter (tests). */
unsigned long long	metrics_requests(enum endpoint ep, int status);

const char	*metrics_endpoint_name(enum endpoint ep);

/* Append the whole exposition for view v to out. */
void	metrics_render(const struct view *v, struct buf *out);

#endif /* APISERVER_METRICS_H */
