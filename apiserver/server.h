/* The HTTP server: CivetWeb options, callbacks and the one request entry. */
#ifndef APISERVER_SERVER_H
#define APISERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "routes.h"

#define SERVER_MAX_REQUEST_SIZE		8192	/* request line + headers */
#define SERVER_KEEP_ALIVE_MS		1000

struct server_settings {
	const char		*listen;	/* "ADDR:PORT" */
	const char		*shm_name;
	uint32_t		 threads;
	uint64_t		 request_timeout_ms;
	const struct api	*api;
};

struct server;

/*
 * Bind the listening socket and start the worker threads. Requests are
 * accepted but held until server_serve() is called, so nothing is served
 * before privileges are dropped. NULL with a reason in err.
 */
struct server	*server_start(const struct server_settings *s, char *err,
		    size_t errlen);
void		 server_serve(struct server *srv);
void		 server_stop(struct server *srv);

#endif /* APISERVER_SERVER_H */
