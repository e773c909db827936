/* Growable byte buffer for response bodies and the wire image. */
#ifndef APISERVER_BUF_H
#define APISERVER_BUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Appends never fail loudly: on allocation failure the buffer is marked
 * failed, further appends are ignored, and the caller checks buf_failed()
 * once before using the contents (it then answers 500).
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

void	buf_init(struct buf *b);
void	buf_free(struct buf *b);
void	buf_reset(struct buf *b);
/* Room for n more bytes, so the appends that follow do not grow it. */
void	buf_reserve(struct buf *b, size_t n);
void	buf_append(struct buf *b, const void *p, size_t n);
/* Insert n bytes before the contents. */
void	buf_prepend(struct buf *b, const void *p, size_t n);
void	buf_puts(struct buf *b, const char *s);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
bool	buf_failed(const struct buf *b);

#endif /* APISERVER_BUF_H */
