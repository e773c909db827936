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

void
time_format_rfc3339(int64_t unix_us, char *buf, size_t len)
{
	time_t secs = (time_t)(unix_us / 1000000);
	struct tm tm;

	if (unix_us <= 0 || gmtime_r(&secs, &tm) == NULL) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
