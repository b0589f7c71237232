#ifndef DYNAMO_PARSE_H
#define DYNAMO_PARSE_H

#include <stdint.h>
#include "dynamo/msg.h"

/*
 * Strict value parsers for flags. Each rejects empty input, trailing junk and
 * out-of-range values, and names the flag in its message (exit code: usage).
 */

/* A whole number with an optional k/m suffix (x1000 / x1000000): "64", "1k". */
int parse_count(const char *flag, const char *s, uint64_t min, uint64_t max,
		uint64_t *out, struct errbuf *eb);
/* A duration: "250ms", "30s", "5m", "1h"; a bare number means seconds. */
int parse_duration_ms(const char *flag, const char *s, uint64_t min_ms,
		      uint64_t max_ms, uint64_t *out, struct errbuf *eb);
/*
 * A point in time, as seconds since the epoch: ISO 8601 in UTC
 * ("2026-12-07T06:00:00Z", an offset or fraction allowed), seconds since the
 * epoch (ten digits), or a duration before now ("-90m", "-2h").
 */
int parse_time(const char *flag, const char *s, double *out, struct errbuf *eb);
/* A share "I/K" of K (1 <= I <= K <= 1000000), as --slice takes it. */
int parse_slice(const char *flag, const char *s, int *i, int *k, struct errbuf *eb);
/* One of a fixed set of words; *out is its index. */
int parse_choice(const char *flag, const char *s, const char *const *choices,
		 int *out, struct errbuf *eb);
/* The value of one hex digit (either case), or -1. */
int hex_value(char c);

#endif
