/* parse_time (--at, --point-in-time) and parse_slice (--slice I/K). */
#include "unit.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/parse.h"

#include <math.h>
#include <string.h>

static void absolute_times(void **state)
{
	static const struct {
		const char *in;
		double want;
	} cases[] = {
		{ "2026-12-07T06:00:00Z", 1796623200 },
		{ "2026-12-07T06:00:00.250Z", 1796623200 },
		{ "2026-12-07T08:00:00+02:00", 1796623200 },
		{ "2026-12-07 06:00:00UTC", 1796623200 },
		{ "1796623200", 1796623200 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		double t = 0;

		assert_int_equal(parse_time("--at", cases[i].in, &t, &eb), 0);
		assert_true(t == cases[i].want);
		assert_false(eb.set);
	}
}

static void durations_before_now(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	double t = 0, now = (double)clock_wall();

	(void)state;
	assert_int_equal(parse_time("--at", "-90m", &t, &eb), 0);
	assert_true(fabs(now - 5400 - t) <= 2);
	assert_int_equal(parse_time("--at", "-2h", &t, &eb), 0);
	assert_true(fabs(now - 7200 - t) <= 2);
}

static void what_is_not_a_time_is_named(void **state)
{
	static const char *const bad[] = {
		"", "yesterday", "123", "17966232000000", "2026-13-01T00:00:00Z",
		"2026-12-07", "2026-12-07T06:00:00Zjunk", "-5x", "-", "now", "-500ms",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		double t = 42;

		assert_int_equal(parse_time("--at", bad[i], &t, &eb), -1);
		assert_int_equal(eb.exit, EXIT_USAGE);
		assert_non_null(strstr(eb.msg, "--at"));
		assert_true(t == 42);
	}
}

static void slices(void **state)
{
	static const struct {
		const char *in;
		int i, k;
	} good[] = { { "1/1", 1, 1 }, { "2/3", 2, 3 }, { "8/8", 8, 8 }, { "1/1000000", 1, 1000000 } };
	static const char *const bad[] = {
		"", "1", "0/3", "4/3", "1/0", "-1/3", "1/3x", "1 /3", "/3", "1/", "a/b", "1/1000001", "1/3/4",
	};
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(good) / sizeof(good[0]); n++) {
		struct errbuf eb = ERRBUF_INIT;
		int i = 0, k = 0;

		assert_int_equal(parse_slice("--slice", good[n].in, &i, &k, &eb), 0);
		assert_int_equal(i, good[n].i);
		assert_int_equal(k, good[n].k);
	}
	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		struct errbuf eb = ERRBUF_INIT;
		int i = 7, k = 7;

		assert_int_equal(parse_slice("--slice", bad[n], &i, &k, &eb), -1);
		assert_int_equal(eb.exit, EXIT_USAGE);
		assert_non_null(strstr(eb.msg, "--slice"));
		assert_int_equal(i + k, 14);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absolute_times),
		cmocka_unit_test(durations_before_now),
		cmocka_unit_test(what_is_not_a_time_is_named),
		cmocka_unit_test(slices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
