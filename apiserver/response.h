/* One HTTP response: status, headers and body, serialized for one write. */
#ifndef APISERVER_RESPONSE_H
#define APISERVER_RESPONSE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"

/*
 * A serialized answer shared by the requests that get it (apiserver/memo.c
 * embeds it in its entries): immutable once published, freed by its
 * owner's free function with its last reference.
 */
struct response_shared {
	atomic_uint	 refs;
	void		(*free)(struct response_shared *);
	int		 status;
	const char	*content_type;
	const char	*wire;		/* status line, headers, body */
	size_t		 wire_len;
	size_t		 head_len;	/* status line and headers */
};

#define RESPONSE_EXTRA_MAX	256
/* Status line and headers: the fixed part is under 300 bytes. */
#define RESPONSE_HEAD_MAX	(512 + RESPONSE_EXTRA_MAX)

#define CONTENT_TYPE_JSON	"application/json"
#define CONTENT_TYPE_METRICS	"text/plain; version=0.0.4; charset=utf-8"

struct response {
	int		 status;
	const char	*content_type;
	struct buf	 body;
	char		 extra[RESPONSE_EXTRA_MAX];	/* header lines */
	size_t		 extra_len;
	bool		 close;		/* send Connection: close */
	bool		 keep_alive;	/* HTTP/1.0 client asked for it */
	/* A shared answer in place of status and body, or NULL. */
	struct response_shared *shared;
};

void	response_init(struct response *r);
void	response_free(struct response *r);

/* Serialize o as the body (consumes the reference). */
void	response_json(struct response *r, int status, json_object *o);
/* {"error","message","code"} body. */
void	response_error(struct response *r, int status, const char *message);
/* Append one header line (without CRLF); silently bounded. */
void	response_header(struct response *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Status line, headers and (unless head) body into wire. Every response
 * carries Content-Length and Cache-Control: no-store. -1 when out of
 * memory.
 */
int	response_serialize(const struct response *r, bool head,
	    struct buf *wire);
/*
 * (response_serialize is the plain two-buffer form; the server sends
 * with response_prebuilt or response_finish below, and the unit tests
 * check those against it.)
 */

/*
 * Turn r's body buffer into the whole response (status line, headers,
 * body unless head) for one write, without a second buffer; r's body is
 * spent. -1 when out of memory.
 */
int	response_finish(struct response *r, bool head);

/*
 * Status line and headers alone, for a body of body_len bytes, into out
 * (NUL-terminated); their length, or -1 when they do not fit.
 */
int	response_head(const struct response *r, size_t body_len, char *out,
	    size_t len);

/* Answer with s (takes the caller's reference). */
void	response_use_shared(struct response *r, struct response_shared *s);
void	response_shared_release(struct response_shared *s);

/*
 * The shared answer's own wire image (head only if head) when it fits
 * this response unchanged (no Connection or extra header), else NULL:
 * written as is, without a copy.
 */
const char	*response_prebuilt(const struct response *r, bool head,
		    size_t *len);

const char	*response_reason(int status);

#endif /* APISERVER_RESPONSE_H */
