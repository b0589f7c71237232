/*
 * The dry run's cost comparison (cost.c): write units per item rounded up
 * per KB, the scan's consistent read unit per 4 KB, export and import per GB, and
 * the durations each path is bounded by.
 */
#include "unit.h"
#include "dynamo/cost.h"

#include <math.h>
#include <string.h>

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6 * (fabs((double)(b)) + 1))

/* 1,000,000 items of 300 bytes: one write unit each, 300 MB read 4 KB a unit. */
static void a_small_item_table_costs_one_write_unit_an_item(void **state)
{
	struct cost_input in = { 1000000, 300000000, "us-east-1", 0, 1 };
	struct cost_compare c;
	double reads = ceil(300000000 / 4096.0);

	(void)state;
	cost_compare(&in, &c);
	NEAR(c.copy.usd, 0.625 + reads / 1e6 * 0.125);
	NEAR(c.via.usd, 0.3 * 0.10 + 0.3 * 0.15);
	/* On demand from 4,000 WCU/s: 250 s, slower than the engine's 40 s. */
	NEAR(c.copy.seconds, 250);
	assert_false(c.via_writes);
	assert_non_null(strstr(c.prices, "us-east-1 on-demand prices of 20"));
}

/* Items of 2.5 KB take three write units each; a cap slows the writes. */
static void big_items_and_a_write_cap(void **state)
{
	struct cost_input in = { 1000, 2500000, "us-west-2", 100, 0 };
	struct cost_compare c;

	(void)state;
	cost_compare(&in, &c);
	NEAR(c.copy.seconds, 3000 / 100.0);
	/* An existing target: the export's files are written by dynamo, at the same write cost. */
	assert_true(c.via_writes);
	NEAR(c.via.usd, 0.0025 * 0.10 + 3000 / 1e6 * 0.625);
	assert_true(c.via.seconds > c.copy.seconds);
}

static void an_unpriced_region_says_whose_prices_it_used(void **state)
{
	struct cost_input in = { 10, 1000, "eu-west-1", 0, 1 };
	struct cost_compare c;
	char line[512];

	(void)state;
	cost_compare(&in, &c);
	assert_non_null(strstr(c.prices, "estimated at us-east-1"));
	cost_format(&c, line, sizeof(line));
	assert_non_null(strstr(line, "scan + write: about $"));
	assert_non_null(strstr(line, "ImportTable"));
}

/* DescribeTable says 0 items for a table it has not counted yet: no division by zero. */
static void an_empty_table_costs_nothing_to_write(void **state)
{
	struct cost_input in = { 0, 0, "us-east-1", 0, 1 };
	struct cost_compare c;

	(void)state;
	cost_compare(&in, &c);
	NEAR(c.copy.usd, 0);
	NEAR(c.copy.seconds, 0);
	assert_true(isfinite(c.via.seconds));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_small_item_table_costs_one_write_unit_an_item),
		cmocka_unit_test(big_items_and_a_write_cap),
		cmocka_unit_test(an_unpriced_region_says_whose_prices_it_used),
		cmocka_unit_test(an_empty_table_costs_nothing_to_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
