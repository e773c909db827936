/* One HTTP response: status, headers and body, serialized for one write. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "response.h"

void
response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	r->status = 500;
	r->content_type = CONTENT_TYPE_JSON;
}

void
response_free(struct response *r)
{
	buf_free(&r->body);
	response_shared_release(r->shared);
	r->shared = NULL;
}

void
response_shared_release(struct response_shared *s)
{
	if (s != NULL && atomic_fetch_sub_explicit(&s->refs, 1,
	    memory_order_acq_rel) == 1)
		s->free(s);
}

void
response_use_shared(struct response *r, struct response_shared *s)
{
	buf_reset(&r->body);
	response_shared_release(r->shared);
	r->shared = s;
	r->status = s->status;
	r->content_type = s->content_type;
}

/* The body's bytes: the shared answer's, or the buffer's. */
static const char *
body_bytes(const struct response *r, size_t *len)
{
	if (r->shared == NULL) {
		*len = r->body.len;
		return r->body.data;
	}
	*len = r->shared->wire_len - r->shared->head_len;
	return r->shared->wire + r->shared->head_len;
}

const char *
response_prebuilt(const struct response *r, bool head, size_t *len)
{
	if (r->shared == NULL || r->close || r->keep_alive ||
	    r->extra_len > 0)
		return NULL;
	*len = head ? r->shared->head_len : r->shared->wire_len;
	return r->shared->wire;
}

void
response_json(struct response *r, int status, json_object *o)
{
	const char *s;
	size_t len = 0;

	buf_reset(&r->body);
	response_shared_release(r->shared);
	r->shared = NULL;
	r->status = status;
	r->content_type = CONTENT_TYPE_JSON;
	if (o == NULL) {
		r->body.failed = true;
		return;
	}
	s = json_object_to_json_string_length(o, RENDER_JSON_FLAGS, &len);
	if (s == NULL) {
		r->body.failed = true;
	} else {
		/* Room for the head too: response_finish then moves it. */
		buf_reserve(&r->body, len + RESPONSE_HEAD_MAX);
		buf_append(&r->body, s, len);
	}
	json_object_put(o);
}

void
response_error(struct response *r, int status, const char *message)
{
	response_json(r, status, render_error(status, message));
}

void
response_header(struct response *r, const char *fmt, ...)
{
	size_t room = sizeof(r->extra) - r->extra_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->extra + r->extra_len, room, fmt, ap);
	va_end(ap);
	/* A header that does not fit (with its CRLF) is dropped whole. */
	if (n < 0 || (size_t)n + 2 >= room) {
		r->extra[r->extra_len] = '\0';
		return;
	}
	r->extra_len += (size_t)n;
	memcpy(r->extra + r->extra_len, "\r\n", 3);
	r->extra_len += 2;
}

int
response_head(const struct response *r, size_t body_len, char *out,
    size_t len)
{
	int n;

	n = snprintf(out, len, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s%s\r\n",
	    r->status, response_reason(r->status), r->content_type,
	    body_len,
	    r->close ? "Connection: close\r\n" :
	    r->keep_alive ? "Connection: keep-alive\r\n" : "",
	    r->extra);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
response_serialize(const struct response *r, bool head, struct buf *wire)
{
	char line[RESPONSE_HEAD_MAX];
	size_t body_len;
	const char *body = body_bytes(r, &body_len);
	int n;

	buf_reset(wire);
	if ((n = response_head(r, body_len, line, sizeof(line))) == -1)
		return -1;
	buf_reserve(wire, (size_t)n + (head ? 0 : body_len));
	buf_append(wire, line, (size_t)n);
	if (!head && body_len > 0)
		buf_append(wire, body, body_len);
	return buf_failed(wire) || buf_failed(&r->body) ? -1 : 0;
}

int
response_finish(struct response *r, bool head)
{
	char line[RESPONSE_HEAD_MAX];
	size_t body_len;
	const char *body;
	int n;

	/* A shared answer's body is copied: its bytes are not ours to move. */
	if (r->shared != NULL) {
		body = body_bytes(r, &body_len);
		buf_reset(&r->body);
		buf_append(&r->body, body, body_len);
		response_shared_release(r->shared);
		r->shared = NULL;
	}
	if (buf_failed(&r->body) ||
	    (n = response_head(r, r->body.len, line, sizeof(line))) == -1)
		return -1;
	if (head)
		buf_reset(&r->body);
	buf_prepend(&r->body, line, (size_t)n);
	return buf_failed(&r->body) ? -1 : 0;
}

const char *
response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default:  return "Unknown";
	}
}
