/* Structured logging: one line per event on stderr, logfmt or JSON. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	4096

static const char *log_component = "vigil";
static int log_level = LOG_LEVEL_INFO;
static int log_format = LOG_FORMAT_LOGFMT;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

/* A bounded output buffer; silently truncates, always NUL-terminated. */
struct line {
	char	buf[LOG_LINE_MAX];
	size_t	len;
};

void
log_init(const char *component, int level, int format)
{
	log_component = component;
	log_set_level(level);
	log_set_format(format);
}

void
log_set_level(int level)
{
	if (level >= LOG_LEVEL_DEBUG && level <= LOG_LEVEL_ERROR)
		log_level = level;
}

void
log_set_format(int format)
{
	if (format == LOG_FORMAT_LOGFMT || format == LOG_FORMAT_JSON)
		log_format = format;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_LEVEL_WARN;
	return -1;
}

int
log_format_parse(const char *s)
{
	if (strcmp(s, "logfmt") == 0)
		return LOG_FORMAT_LOGFMT;
	if (strcmp(s, "json") == 0)
		return LOG_FORMAT_JSON;
	return -1;
}

static void
put_char(struct line *l, char c)
{
	if (l->len + 1 < sizeof(l->buf))
		l->buf[l->len++] = c;
}

static void
put_str(struct line *l, const char *s)
{
	while (*s != '\0')
		put_char(l, *s++);
}

/* Append s escaped for the current format; quote logfmt values if needed. */
static void
put_value(struct line *l, const char *s, int numeric)
{
	int quote = log_format == LOG_FORMAT_JSON ? !numeric :
	    (*s == '\0' || strpbrk(s, " =\"\\") != NULL);
	char hex[8];

	for (const char *p = s; *p != '\0' && !quote; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			quote = 1;
	if (quote)
		put_char(l, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			put_char(l, '\\');
			put_char(l, (char)*p);
		} else if (*p == '\n') {
			put_str(l, "\\n");
		} else if (*p == '\t') {
			put_str(l, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(hex, sizeof(hex), "\\u%04x", *p);
			put_str(l, hex);
		} else
			put_char(l, (char)*p);
	}
	if (quote)
		put_char(l, '"');
}

static void
put_field(struct line *l, const char *key, size_t keylen, const char *val,
    int numeric)
{
	if (log_format == LOG_FORMAT_JSON) {
		put_str(l, ",\"");
		for (size_t i = 0; i < keylen; i++)
			put_char(l, key[i]);
		put_str(l, "\":");
	} else {
		put_char(l, ' ');
		for (size_t i = 0; i < keylen; i++)
			put_char(l, key[i]);
		put_char(l, '=');
	}
	put_value(l, val, numeric);
}

/*
 * Format one printf conversion starting at *fmtp (just after '%') from ap
 * into out; advance *fmtp past it. Returns 1 for numeric conversions.
 */
static int
format_conv(const char **fmtp, va_list *ap, char *out, size_t outlen)
{
	char spec[32];
	const char *f = *fmtp;
	size_t n = 0;
	enum { L_NONE, L_L, L_LL, L_Z, L_J } len = L_NONE;

	spec[n++] = '%';
	while (*f != '\0' && strchr("-+ #0123456789.", *f) != NULL &&
	    n < sizeof(spec) - 4)
		spec[n++] = *f++;
	if (f[0] == 'l' && f[1] == 'l') {
		len = L_LL;
		spec[n++] = *f++;
		spec[n++] = *f++;
	} else if (*f == 'l' || *f == 'z' || *f == 'j') {
		len = *f == 'l' ? L_L : *f == 'z' ? L_Z : L_J;
		spec[n++] = *f++;
	}
	spec[n++] = *f;
	spec[n] = '\0';
	*fmtp = *f != '\0' ? f + 1 : f;

	switch (*f) {
	case 's':
		snprintf(out, outlen, spec, va_arg(*ap, const char *));
		return 0;
	case 'c':
		snprintf(out, outlen, spec, va_arg(*ap, int));
		return 0;
	case 'f': case 'g': case 'e':
		snprintf(out, outlen, spec, va_arg(*ap, double));
		return 1;
	case 'd': case 'i':
		switch (len) {
		case L_NONE: snprintf(out, outlen, spec, va_arg(*ap, int)); break;
		case L_L: snprintf(out, outlen, spec, va_arg(*ap, long)); break;
		case L_LL: snprintf(out, outlen, spec, va_arg(*ap, long long)); break;
		case L_Z: snprintf(out, outlen, spec, va_arg(*ap, ssize_t)); break;
		case L_J: snprintf(out, outlen, spec, va_arg(*ap, intmax_t)); break;
		}
		return 1;
	case 'u': case 'x': case 'X': case 'o':
		switch (len) {
		case L_NONE: snprintf(out, outlen, spec, va_arg(*ap, unsigned)); break;
		case L_L: snprintf(out, outlen, spec, va_arg(*ap, unsigned long)); break;
		case L_LL: snprintf(out, outlen, spec, va_arg(*ap, unsigned long long)); break;
		case L_Z: snprintf(out, outlen, spec, va_arg(*ap, size_t)); break;
		case L_J: snprintf(out, outlen, spec, va_arg(*ap, uintmax_t)); break;
		}
		return *f == 'u';
	default:
		snprintf(out, outlen, "?");
		return 0;
	}
}

/* Walk "key=%X key2=%Y literal" and append each field. */
static void
put_fields(struct line *l, const char *fmt, va_list *ap)
{
	char val[LOG_LINE_MAX / 2];

	while (*fmt != '\0') {
		while (*fmt == ' ')
			fmt++;
		const char *key = fmt;
		while (*fmt != '\0' && *fmt != '=' && *fmt != ' ')
			fmt++;
		size_t keylen = (size_t)(fmt - key);
		if (*fmt != '=' || keylen == 0) {
			if (*fmt != '\0')
				fmt++;
			continue;
		}
		fmt++;
		size_t vlen = 0;
		int numeric = 1, convs = 0;
		val[0] = '\0';
		while (*fmt != '\0' && *fmt != ' ') {
			if (fmt[0] == '%' && fmt[1] != '%' && fmt[1] != '\0') {
				fmt++;
				numeric &= format_conv(&fmt, ap, val + vlen,
				    sizeof(val) - vlen);
				convs++;
			} else {
				if (fmt[0] == '%')
					fmt++;
				if (vlen + 1 < sizeof(val))
					val[vlen] = *fmt, val[vlen + 1] = '\0';
				fmt++;
				numeric = 0;
			}
			vlen = strlen(val);
		}
		put_field(l, key, keylen, val, numeric && convs == 1 &&
		    val[0] != '\0');
	}
}

static void
put_time(struct line *l)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (ts.tv_nsec / 1000000) % 1000);
	put_str(l, buf);
}

void
log_vevent(int level, const char *msg, const char *fmt, va_list ap)
{
	struct line l;		/* not zeroed: only l.len bytes are written */
	va_list aq;
	int saved = errno;

	/* First: a suppressed level (debug, per request) must cost nothing. */
	if (level < log_level || level < 0 || level > LOG_LEVEL_ERROR)
		return;
	l.len = 0;
	if (log_format == LOG_FORMAT_JSON) {
		put_str(&l, "{\"time\":\"");
		put_time(&l);
		put_str(&l, "\",\"level\":\"");
		put_str(&l, level_names[level]);
		put_str(&l, "\",\"component\":");
		put_value(&l, log_component, 0);
		put_str(&l, ",\"msg\":");
		put_value(&l, msg, 0);
	} else {
		put_str(&l, "time=");
		put_time(&l);
		put_str(&l, " level=");
		put_str(&l, level_names[level]);
		put_str(&l, " component=");
		put_value(&l, log_component, 0);
		put_str(&l, " msg=");
		put_value(&l, msg, 0);
	}
	va_copy(aq, ap);
	put_fields(&l, fmt, &aq);
	va_end(aq);
	if (log_format == LOG_FORMAT_JSON) {
		if (l.len + 3 > sizeof(l.buf))
			l.len = sizeof(l.buf) - 3;
		put_char(&l, '}');
	}
	if (l.len + 2 > sizeof(l.buf))
		l.len = sizeof(l.buf) - 2;
	l.buf[l.len++] = '\n';
	/* One write per line so lines from several processes never mix. */
	(void)write(STDERR_FILENO, l.buf, l.len);
	errno = saved;
}

void
log_event(int level, const char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vevent(level, msg, fmt, ap);
	va_end(ap);
}

void
fatalx(int code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vevent(LOG_LEVEL_ERROR, msg, fmt, ap);
	va_end(ap);
	exit(code);
}
