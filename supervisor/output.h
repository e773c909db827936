/* Line-by-line capture of plugin stdout/stderr with bounded buffers. */
#ifndef VIGIL_OUTPUT_H
#define VIGIL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#define OUTPUT_LINE_MAX		1024	/* longer lines are cut */
#define OUTPUT_READ_BUDGET	65536	/* bytes per call: never starve */

struct linebuf {
	char		buf[OUTPUT_LINE_MAX];
	size_t		len;
	int		cutting;	/* dropping the rest of a long line */
	uint64_t	window_ms;	/* start of the rate-limit window */
	uint32_t	window_lines;
	uint64_t	dropped;	/* lines not logged (rate limit) */
	uint64_t	dropped_reported;
};

typedef void (*output_line_fn)(void *arg, const char *line);

/*
 * Read at most OUTPUT_READ_BUDGET bytes from non-blocking fd and call fn
 * for each complete line (NUL-terminated, newline removed). Returns 1 while
 * the pipe is open, 0 at EOF (after flushing a last partial line), -1 on
 * error.
 */
int	output_read(int fd, struct linebuf *lb, output_line_fn fn, void *arg);

/* Whether one more line may be logged now (max_per_sec per buffer). */
int	output_allow(struct linebuf *lb, uint64_t now_ms, uint32_t max_per_sec);

#endif /* VIGIL_OUTPUT_H */
