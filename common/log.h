/* Structured logging: one line per event on stderr, logfmt or JSON. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_WARN = 2,
	LOG_LEVEL_ERROR = 3
};

enum log_format {
	LOG_FORMAT_LOGFMT = 0,
	LOG_FORMAT_JSON = 1
};

void	log_init(const char *component, int level, int format);
void	log_set_level(int level);
void	log_set_format(int format);
int	log_get_level(void);

/* "debug", "info", "warn", "error" -> LOG_LEVEL_*; -1 if unknown. */
int	log_level_parse(const char *s);
/* "logfmt", "json" -> LOG_FORMAT_*; -1 if unknown. */
int	log_format_parse(const char *s);

/*
 * Log one event. fmt is a space-separated list of key=CONV items, where CONV
 * is one printf conversion of %s %d %i %u %ld %lu %lld %llu %zu %zd %jd %ju
 * %x %lx %f %g %c (with optional flags, width, precision); values are
 * escaped for the output format, so untrusted strings are safe to pass.
 * Example: log_info("plugin exited", "plugin=%s pid=%d code=%d", n, p, c);
 * fmt may be "" for no fields.
 */
void	log_event(int level, const char *msg, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_vevent(int level, const char *msg, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));

#define log_debug(msg, ...)	log_event(LOG_LEVEL_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...)	log_event(LOG_LEVEL_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)	log_event(LOG_LEVEL_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...)	log_event(LOG_LEVEL_ERROR, msg, __VA_ARGS__)

/* Log at error level and exit with status code (start-up failures only). */
void	fatalx(int code, const char *msg, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));

#endif /* VIGIL_LOG_H */
