/* Clocks and time formatting shared by both daemons. */
#include <stdio.h>
#include <time.h>

#include "timeutil.h"

uint64_t
time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
time_mono_ms(void)
{
	return time_mono_ns() / 1000000u;
}

int64_t
time_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Proleptic Gregorian date of a day count since 1970-01-01 (z >= 0), after
 * Howard Hinnant's civil_from_days. Used instead of gmtime_r, which takes
 * glibc's global time-zone lock: the apiserver formats about 50 times per
 * /health answer from up to 64 threads.
 */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Years past 9999 (garbage in a record): as gmtime_r + strftime print them. */
static void
format_rare(int64_t unix_us, char *buf, size_t len)
{
	time_t secs = (time_t)(unix_us / 1000000);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL) {
		buf[0] = '\0';
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void
time_format_rfc3339(int64_t unix_us, char *buf, size_t len)
{
	int64_t secs = unix_us / 1000000, y;
	unsigned m, d, sod = (unsigned)(secs % 86400);
	char *p = buf;

	if (unix_us <= 0 || len < sizeof("YYYY-MM-DDTHH:MM:SSZ")) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	civil_from_days(secs / 86400, &y, &m, &d);
	if (y > 9999) {
		format_rare(unix_us, buf, len);
		return;
	}
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	*p++ = 'Z';
	*p = '\0';
}

void
time_format_duration(uint64_t us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%lluus", (unsigned long long)us);
	else if (us < 10000)
		snprintf(buf, len, "%.1fms", (double)us / 1000.0);
	else if (us < 1000000)
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
	else
		snprintf(buf, len, "%.2fs", (double)us / 1000000.0);
}
