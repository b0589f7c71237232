#ifndef DYNAMO_CLOCK_H
#define DYNAMO_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock: for timeouts, rates and backoff. */
uint64_t clock_mono_ms(void);
/* Microseconds on the monotonic clock. */
uint64_t clock_mono_us(void);
/* Seconds since the epoch, wall clock (for signing and expirations). */
time_t clock_wall(void);
/*
 * Parses an ISO 8601 / RFC 3339 UTC timestamp as AWS writes them:
 * "2026-11-21T21:28:00Z", "2026-11-21T21:28:00.171713Z", "...+00:00",
 * "2026-11-21T21:28:00UTC". Returns 0 and sets *out, or -1.
 */
int clock_parse_iso8601(const char *s, time_t *out);
/* A time for messages, "2026-11-21T21:28:00Z" (seconds since the epoch in). */
const char *clock_format_iso(double t, char *buf, size_t n);
/* "20261121T212800Z"-free compact form for names: "2026-11-21T21-28-00Z". */
void clock_format_name(time_t t, char out[32]);

#endif
