/* Clocks and time formatting shared by both daemons. */
#ifndef VIGIL_TIMEUTIL_H
#define VIGIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds / nanoseconds. */
uint64_t	time_mono_ms(void);
uint64_t	time_mono_ns(void);
/* Unix time in microseconds. */
int64_t		time_real_us(void);

/* RFC 3339 UTC, second precision: "2024-01-15T10:30:00Z". "" for 0. */
void		time_format_rfc3339(int64_t unix_us, char *buf, size_t len);

/* Go-style short duration: "15ms", "1.2s", "850µs" -> ASCII "850us". */
void		time_format_duration(uint64_t us, char *buf, size_t len);

#endif /* VIGIL_TIMEUTIL_H */
