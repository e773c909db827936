/* Line-by-line capture of plugin stdout/stderr with bounded buffers. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

static void
emit(struct linebuf *lb, output_line_fn fn, void *arg)
{
	lb->buf[lb->len] = '\0';
	fn(arg, lb->buf);
	lb->len = 0;
}

static void
feed(struct linebuf *lb, const char *p, size_t n, output_line_fn fn,
    void *arg)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!lb->cutting)
				emit(lb, fn, arg);
			lb->cutting = 0;
			lb->len = 0;
			continue;
		}
		if (lb->cutting)
			continue;
		if (lb->len + 1 >= sizeof(lb->buf)) {
			/* Log the first part; drop the rest of the line. */
			emit(lb, fn, arg);
			lb->cutting = 1;
			continue;
		}
		lb->buf[lb->len++] = p[i];
	}
}

int
output_read(int fd, struct linebuf *lb, output_line_fn fn, void *arg)
{
	char chunk[8192];
	size_t total = 0;
	ssize_t n;

	while (total < OUTPUT_READ_BUDGET) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			feed(lb, chunk, (size_t)n, fn, arg);
			total += (size_t)n;
			continue;
		}
		if (n == 0) {
			if (lb->len > 0 && !lb->cutting)
				emit(lb, fn, arg);
			return 0;
		}
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
	}
	return 1;
}

int
output_allow(struct linebuf *lb, uint64_t now_ms, uint32_t max_per_sec)
{
	if (now_ms - lb->window_ms >= 1000) {
		lb->window_ms = now_ms;
		lb->window_lines = 0;
	}
	if (lb->window_lines >= max_per_sec) {
		lb->dropped++;
		return 0;
	}
	lb->window_lines++;
	return 1;
}
