#include "dynamo/parse.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"

#include <ctype.h>
#include <string.h>

static int parse_digits(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

static int mul_check(uint64_t v, uint64_t m, uint64_t *out)
{
	if (m && v > UINT64_MAX / m)
		return -1;
	*out = v * m;
	return 0;
}

int parse_count(const char *flag, const char *s, uint64_t min, uint64_t max,
		uint64_t *out, struct errbuf *eb)
{
	const char *end;
	uint64_t v, mult = 1;

	if (!s || parse_digits(s, &end, &v) < 0)
		goto bad;
	if (*end == 'k' || *end == 'K')
		mult = 1000, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1000000, end++;
	if (*end || mul_check(v, mult, &v) < 0)
		goto bad;
	if (v < min || v > max)
		return errf(eb, EXIT_USAGE,
			    "%s must be between %llu and %llu, not '%s'", flag,
			    (unsigned long long)min, (unsigned long long)max, s);
	*out = v;
	return 0;
bad:
	return errf(eb, EXIT_USAGE,
		    "%s takes a whole number (like 64 or 2k), not '%s'", flag,
		    s ? s : "");
}

int parse_duration_ms(const char *flag, const char *s, uint64_t min_ms,
		      uint64_t max_ms, uint64_t *out, struct errbuf *eb)
{
	const char *end;
	uint64_t v, mult;

	if (!s || parse_digits(s, &end, &v) < 0)
		goto bad;
	if (!*end || !strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else
		goto bad;
	if (mul_check(v, mult, &v) < 0)
		goto bad;
	if (v < min_ms || v > max_ms)
		return errf(eb, EXIT_USAGE,
			    "%s must be between %llums and %llus, not '%s'",
			    flag, (unsigned long long)min_ms,
			    (unsigned long long)(max_ms / 1000), s);
	*out = v;
	return 0;
bad:
	return errf(eb, EXIT_USAGE,
		    "%s takes a duration (like 500ms, 30s or 5m), not '%s'",
		    flag, s ? s : "");
}

int parse_time(const char *flag, const char *s, double *out, struct errbuf *eb)
{
	uint64_t v, ms;
	const char *end;
	time_t t;

	if (s && *s == '-' && s[1] != '-') {
		/* "-90m": that long before now. */
		if (parse_duration_ms(flag, s + 1, 1000, 400ULL * 86400 * 1000, &ms, eb) < 0)
			return -1;
		*out = (double)clock_wall() - (double)(ms / 1000);
		return 0;
	}
	if (s && parse_digits(s, &end, &v) == 0 && !*end && v >= 1000000000ULL && v < 10000000000ULL) {
		*out = (double)v;
		return 0;
	}
	if (s && clock_parse_iso8601(s, &t) == 0 && t > 0) {
		*out = (double)t;
		return 0;
	}
	return errf(eb, EXIT_USAGE,
		    "%s takes a time: ISO 8601 in UTC (2026-12-07T06:00:00Z), seconds since the epoch, or a duration before now (-90m, -2h), not '%s'",
		    flag, s ? s : "");
}

int parse_slice(const char *flag, const char *s, int *i, int *k, struct errbuf *eb)
{
	uint64_t a, b;
	const char *end;

	if (!s || parse_digits(s, &end, &a) < 0 || *end != '/' ||
	    parse_digits(end + 1, &end, &b) < 0 || *end)
		return errf(eb, EXIT_USAGE,
			    "%s takes I/K, the I-th of K shares (like 1/3), not '%s'", flag, s ? s : "");
	if (b < 1 || b > 1000000 || a < 1 || a > b)
		return errf(eb, EXIT_USAGE,
			    "%s %s: I must be 1 to K (slices are numbered from 1), and K at most 1000000", flag, s);
	*i = (int)a;
	*k = (int)b;
	return 0;
}

int parse_choice(const char *flag, const char *s, const char *const *choices,
		 int *out, struct errbuf *eb)
{
	char list[256] = "";
	int i;

	for (i = 0; choices[i]; i++) {
		if (s && !strcmp(s, choices[i])) {
			*out = i;
			return 0;
		}
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, choices[i], sizeof(list) - strlen(list) - 1);
	}
	return errf(eb, EXIT_USAGE, "%s must be one of %s, not '%s'", flag,
		    list, s ? s : "");
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
