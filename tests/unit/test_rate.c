/*
 * The capacity limiter's bookkeeping (not its timing: these checks run in
 * microseconds, in which the bucket refills by a negligible amount).
 */
#include "unit.h"
#include "dynamo/rate.h"

#include <math.h>

static void reserve_takes_tokens_and_debt_makes_callers_wait(void **state)
{
	struct rate_limiter r;

	(void)state;
	rate_init(&r, 100, "write");
	/* The bucket starts empty, and the first caller may go into debt. */
	assert_int_equal(rate_reserve(&r, 60), 0);
	assert_true(fabs(r.tokens + 60) < 1);
	/* 60 units of debt at 100/s: about 600 ms. */
	{
		uint64_t wait = rate_reserve(&r, 1);

		assert_true(wait >= 550 && wait <= 610);
	}
	rate_release(&r);
}

static void settle_corrects_the_estimate(void **state)
{
	struct rate_limiter r;

	(void)state;
	rate_init(&r, 100, "write");
	rate_reserve(&r, 50);
	rate_settle(&r, 50, 10);	/* it cost less than reserved: refund 40 */
	assert_true(fabs(r.tokens + 10) < 1);
	rate_settle(&r, 10, 30);	/* it cost more: pay 20 more */
	assert_true(fabs(r.tokens + 30) < 1);
	rate_release(&r);
}

/*
 * A refund pays debt but fills the bucket only to its size (50 ms of the
 * rate): once a big over-estimate let a copy spend past the cap.
 */
static void a_refund_does_not_fill_past_the_bucket(void **state)
{
	struct rate_limiter r;

	(void)state;
	rate_init(&r, 100, "write");
	/* A reservation whose debt time has already paid, settled for far less. */
	rate_settle(&r, 1000, 10);
	assert_true(r.tokens <= 100 * 0.05 + 1e-9);
	assert_true(r.tokens > 0);
	rate_refund(&r, 200);
	assert_true(r.tokens <= 100 * 0.05 + 1e-9);
	rate_release(&r);
}

/* An endpoint that reports no ConsumedCapacity must not lift the cap. */
static void unreported_capacity_keeps_the_estimate(void **state)
{
	struct rate_limiter r;

	(void)state;
	rate_init(&r, 100, "write");
	rate_reserve(&r, 80);
	rate_settle(&r, 80, 0);
	assert_true(fabs(r.tokens + 80) < 1);
	rate_release(&r);
}

static void a_throttle_cuts_the_rate_below_the_cap(void **state)
{
	struct rate_limiter r;

	(void)state;
	rate_init(&r, 100, "write");
	rate_throttled(&r);
	assert_true(rate_current(&r) <= 70.0 + 1e-9);
	assert_true(rate_current(&r) >= 1.0);
	rate_throttled(&r);	/* within half a second: one cut only */
	assert_true(rate_current(&r) > 69.0);
	rate_release(&r);

	rate_init(&r, 0, "read");	/* uncapped: unlimited until throttled */
	assert_true(rate_current(&r) == 0);
	assert_int_equal(rate_reserve(&r, 1e9), 0);
	rate_throttled(&r);
	assert_true(rate_current(&r) > 0);
	rate_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserve_takes_tokens_and_debt_makes_callers_wait),
		cmocka_unit_test(settle_corrects_the_estimate),
		cmocka_unit_test(a_refund_does_not_fill_past_the_bucket),
		cmocka_unit_test(unreported_capacity_keeps_the_estimate),
		cmocka_unit_test(a_throttle_cuts_the_rate_below_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
