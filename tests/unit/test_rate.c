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

/* ---- the controller, in a simulated closed loop on an injected clock ---- */

static uint64_t fake_us;

static uint64_t fake_clock(void)
{
	return fake_us;
}

static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* What the simulated table does: capacity (0 = none), and random refusals. */
struct table_model {
	double capacity;	/* units/s, with one second of burst, as DynamoDB's */
	double throttle;	/* share of requests throttled at random */
	double unprocessed;	/* share of items left unprocessed at random */
	double demand;		/* units/s the job could send if nothing held it */
};

struct run {
	double sent, accepted, refused_capacity;	/* units, over the measured part */
	double slow_s;		/* seconds the pace held the job below 90% of its demand */
	double last_pace;
};

#define BATCH 25.0
#define LATENCY_US 10000
#define INFLIGHT 512

/*
 * Runs the job for seconds of simulated time, a millisecond a step: it
 * sends 25-unit batches as fast as its demand and the limiter allow, and
 * each is answered 10 ms later. Measures from `from` seconds on.
 */
static struct run simulate(struct rate_limiter *r, const struct table_model *t,
			   double seconds, double from)
{
	static uint64_t due[INFLIGHT];
	struct run out = { 0, 0, 0, 0, 0 };
	double bucket = t->capacity, credit = 0;
	int head = 0, tail = 0;
	uint64_t end = fake_us + (uint64_t)(seconds * 1e6);
	uint64_t start = fake_us + (uint64_t)(from * 1e6);

	while (fake_us < end) {
		int measuring = fake_us >= start;

		fake_us += 1000;
		if (t->capacity > 0 && (bucket += t->capacity / 1000) > t->capacity)
			bucket = t->capacity;
		/* Answers. */
		while (head != tail && due[head % INFLIGHT] <= fake_us) {
			double refused = 0, cap_refused = 0;
			int i;

			head++;
			if (uniform() < t->throttle) {
				rate_observe(r, BATCH, BATCH, NULL, NULL);
				continue;
			}
			for (i = 0; i < (int)BATCH; i++) {
				if (uniform() < t->unprocessed)
					refused++;
				else if (t->capacity > 0 && bucket <= 0)
					refused++, cap_refused++;
				else if (t->capacity > 0)
					bucket--;
			}
			if (cap_refused == BATCH) {
				rate_observe(r, BATCH, BATCH, NULL, NULL);	/* nothing written: an exception */
			} else {
				rate_observe(r, BATCH, 0, NULL, NULL);
				if (refused)
					rate_observe(r, 0, refused, NULL, NULL);
			}
			if (measuring) {
				out.accepted += BATCH - refused;
				out.refused_capacity += cap_refused;
			}
		}
		/* Sends, up to the demand. */
		credit += t->demand / 1000;
		if (credit > 4 * BATCH)
			credit = 4 * BATCH;
		{

			while (credit >= BATCH && tail - head < INFLIGHT &&
			       rate_reserve(r, BATCH) == 0) {
				credit -= BATCH;
				due[tail++ % INFLIGHT] = fake_us + LATENCY_US;
				if (measuring)
					out.sent += BATCH;
			}
			if (measuring && credit >= BATCH && tail - head < INFLIGHT)
				out.slow_s += 0.001;	/* the limiter said wait while there was work */
		}
	}
	{
		struct rate_status st;

		rate_status(r, &st);
		out.last_pace = st.pace;
	}
	return out;
}

static void fake_limiter(struct rate_limiter *r, double cap)
{
	fake_us = 1000000;
	rate_init(r, cap, "write");
	r->now_us = fake_clock;
	r->last_us = fake_us;
}

/* Throttles at random, a few percent: the pace never holds the job back. */
static void random_throttles_do_not_slow_the_job(void **state)
{
	struct table_model t = { 0, 0.04, 0, 40000 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 0);
	x = simulate(&r, &t, 60, 0);
	assert_true(x.slow_s < 0.5);
	assert_true(x.sent >= 0.99 * 40000 * 60);
	rate_release(&r);
}

/*
 * 30% of items unprocessed at random: one test of a slower pace shows the
 * refusals do not fall, and the pace is unlimited again within seconds.
 */
static void random_unprocessed_items_are_noise(void **state)
{
	struct table_model t = { 0, 0, 0.3, 40000 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 0);
	x = simulate(&r, &t, 60, 0);
	/* A test of a second or two at first, a 2-window probe every 10 s. */
	assert_true(x.slow_s < 6);
	assert_true(x.sent >= 0.9 * 40000 * 60);
	assert_true(rate_noise(&r) > 0.2 && rate_noise(&r) < 0.4);
	rate_release(&r);
}

/* A table at 20,000 units/s, a job that could send 60,000: near the capacity, without hammering. */
static void capacity_settles_the_job_near_it(void **state)
{
	struct table_model t = { 20000, 0, 0, 60000 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 0);
	x = simulate(&r, &t, 40, 10);
	assert_true(x.accepted >= 0.9 * 20000 * 30);
	assert_true(x.refused_capacity <= 0.2 * x.accepted);
	assert_true(x.last_pace > 0 && x.last_pace < 30000);
	rate_release(&r);
}

/* The same with 30% of items unprocessed at random on top: capacity still found, noise still tolerated. */
static void capacity_is_found_under_noise(void **state)
{
	struct table_model t = { 16000, 0.04, 0.3, 60000 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 0);
	x = simulate(&r, &t, 40, 10);
	assert_true(x.accepted >= 0.8 * 16000 * 30);
	assert_true(x.refused_capacity <= 0.2 * x.accepted);
	rate_release(&r);
}

/*
 * A server that writes one item an answer, to a job slowed down (a loaded
 * machine: 112 units/s sent): 96% refused whatever the pace. The cut goes
 * to a tenth of what was sent, where 25-unit batches are answered every 2 s;
 * the controller must still judge its cut (and find noise), not take each
 * of those gaps for the end of a stage and start its window afresh forever.
 */
static void a_pace_slower_than_a_batch_a_second_is_still_judged(void **state)
{
	struct table_model t = { 0, 0, 0.96, 112 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 0);
	x = simulate(&r, &t, 60, 30);
	/* Slowed for a few windows at first; in the last 30 s, at the job's own speed (a crawl at the cut: 575 units). */
	assert_true(x.sent >= 0.9 * 112 * 30);
	/* Unpaced, or within a probe (80% for three windows), never back at the cut. */
	assert_true(x.last_pace == 0 || x.last_pace >= 0.75 * 112);
	rate_release(&r);
}

/* The cap holds whatever the controller does: no more than the cap is consumed. */
static void a_cap_holds_under_the_controller(void **state)
{
	struct table_model t = { 0, 0.04, 0.3, 60000 };
	struct rate_limiter r;
	struct run x;

	(void)state;
	fake_limiter(&r, 5000);
	x = simulate(&r, &t, 20, 5);
	/* The cap bucket is charged per send here (nothing settles it): sends, not only writes, stay under it. */
	assert_true(x.sent <= 5000 * 15 * 1.05);
	assert_true(x.sent >= 5000 * 15 * 0.9);
	rate_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserve_takes_tokens_and_debt_makes_callers_wait),
		cmocka_unit_test(settle_corrects_the_estimate),
		cmocka_unit_test(a_refund_does_not_fill_past_the_bucket),
		cmocka_unit_test(unreported_capacity_keeps_the_estimate),
		cmocka_unit_test(random_throttles_do_not_slow_the_job),
		cmocka_unit_test(random_unprocessed_items_are_noise),
		cmocka_unit_test(capacity_settles_the_job_near_it),
		cmocka_unit_test(capacity_is_found_under_noise),
		cmocka_unit_test(a_cap_holds_under_the_controller),
		cmocka_unit_test(a_pace_slower_than_a_batch_a_second_is_still_judged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
