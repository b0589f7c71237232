/* parse_time: the TIME values of --at and --point-in-time. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absolute_times),
		cmocka_unit_test(durations_before_now),
		cmocka_unit_test(what_is_not_a_time_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
