/* Request dispatch by path and method: one handler per endpoint. */
#ifndef APISERVER_ROUTES_H
#define APISERVER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "memo.h"
#include "metrics.h"
#include "response.h"
#include "view.h"

/* Largest request body accepted (bodies are never needed). */
#define ROUTES_BODY_MAX		1024

/* Bounds of the simulation parameters (the demo plugins' own limits). */
#define ROUTES_DELAY_MAX_MS	3600000	/* simulate: delay_ms */
#define ROUTES_LOAD_MAX		1000000	/* load: requests */

/* What the handlers need from the configuration; read-only once serving. */
struct api {
	const char	*ctl_path;		/* [supervisor] control_socket */
	uint64_t	 heartbeat_timeout_ms;
	int		 ctl_timeout_ms;
	bool		 auth_probes;
	bool		 dashboard;
	const char	*www_dir;
	struct auth	*auth;
	struct memo	*memo;			/* NULL: render every answer */
};

/* One request as the handlers see it; strings are raw (undecoded). */
struct request {
	const char	*method;
	const char	*path;
	const char	*query;			/* NULL if none */
	const char	*client_ip;
	int		 client_port;
	const char	*authorization;		/* header or NULL */
	long long	 content_length;	/* -1 if none */
	bool		 chunked;
	int64_t		 now_us;		/* Unix time */
	uint64_t	 now_ms;		/* monotonic */
	struct worker	*worker;
};

enum route_action {
	ROUTE_RESPOND = 0,	/* resp holds the answer */
	ROUTE_FILE		/* serve the static file in file_path */
};

struct route_result {
	enum endpoint	 ep;
	enum route_action action;
	char		 file_path[512];
};

void	routes_handle(const struct api *api, const struct request *req,
	    struct response *resp, struct route_result *res);

#endif /* APISERVER_ROUTES_H */
