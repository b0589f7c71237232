#include "dynamo/rate.h"
#include "dynamo/clock.h"
#include "dynamo/msg.h"

#include <math.h>
#include <string.h>

/*
 * Adaptive rate, after the SDKs' adaptive retry mode (CUBIC): a throttle
 * cuts the rate to 70% of what was being achieved; then the rate climbs
 * back to that level within RATE_RECOVER_S, slowly near it, and faster and
 * faster past it, until the table throttles again.
 */
#define RATE_BETA 0.7
#define RATE_CUT_GAP_US 500000	/* at most one cut per half second */
#define RATE_RECOVER_S 2.0
#define RATE_GROW_EVERY_US 100000
#define RATE_WINDOW_US 250000	/* measuring window of the achieved rate */
#define RATE_MIN 1.0
/*
 * A full bucket holds 50 ms of rate: a cap is a cap in any second, not on
 * average (a one-second bucket let a copy spend twice the cap in its first
 * second). Callers can always go into debt, so a small bucket costs no
 * throughput.
 */
#define RATE_BURST_S 0.05

void rate_init(struct rate_limiter *r, double cap, const char *what)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->cap = cap;
	r->rate = cap;
	r->tokens = 0;
	r->last_us = r->window_start_us = r->last_raise_us = clock_mono_us();
	r->what = what;
}

void rate_release(struct rate_limiter *r)
{
	pthread_mutex_destroy(&r->lock);
}

static void refill(struct rate_limiter *r, uint64_t now)
{
	double dt = (double)(now - r->last_us) / 1e6;

	r->last_us = now;
	if (r->rate <= 0)
		return;
	r->tokens += dt * r->rate;
	if (r->tokens > r->rate * RATE_BURST_S)
		r->tokens = r->rate * RATE_BURST_S;
}

/* The climb after a cut: last_max * (1 + 0.3 * ((t - T) / T)^3), T = RATE_RECOVER_S. */
static void maybe_raise(struct rate_limiter *r, uint64_t now)
{
	double t, x, target;

	if (r->rate <= 0 || !r->last_cut_us ||
	    now - r->last_raise_us < RATE_GROW_EVERY_US)
		return;
	r->last_raise_us = now;
	t = (double)(now - r->last_cut_us) / 1e6;
	x = (t - RATE_RECOVER_S) / RATE_RECOVER_S;
	target = r->last_max * (1 + (1 - RATE_BETA) * x * x * x);
	if (target > r->rate)
		r->rate = target;
	if (r->cap > 0 && r->rate > r->cap)
		r->rate = r->cap;
	/* Uncapped and well above what is achieved: the limiter no longer matters. */
	if (r->cap <= 0 && r->measured > 0 && r->rate > 4 * r->measured)
		r->rate = 0;
}

uint64_t rate_reserve(struct rate_limiter *r, double cost)
{
	uint64_t now = clock_mono_us(), wait = 0;

	pthread_mutex_lock(&r->lock);
	refill(r, now);
	maybe_raise(r, now);
	if (r->rate > 0 && r->tokens < 0)
		wait = (uint64_t)ceil(-r->tokens / r->rate * 1000.0);
	else
		r->tokens -= cost;	/* may go negative: later callers wait */
	pthread_mutex_unlock(&r->lock);
	return wait;
}

/* An over-estimate given back pays debt; it does not fill the bucket past its size. */
static void give_back(struct rate_limiter *r, double units)
{
	r->tokens += units;
	if (r->rate > 0 && r->tokens > r->rate * RATE_BURST_S)
		r->tokens = r->rate * RATE_BURST_S;
}

void rate_settle(struct rate_limiter *r, double reserved, double consumed)
{
	uint64_t now = clock_mono_us();

	/* No ConsumedCapacity in the answer: the estimate stands (a refund would lift the cap). */
	if (consumed <= 0)
		consumed = reserved;
	pthread_mutex_lock(&r->lock);
	give_back(r, reserved - consumed);
	r->window_units += consumed;
	if (now - r->window_start_us >= RATE_WINDOW_US) {
		double m = r->window_units * 1e6 / (double)(now - r->window_start_us);

		r->measured = r->measured > 0 ? (r->measured + m) / 2 : m;
		r->window_units = 0;
		r->window_start_us = now;
	}
	pthread_mutex_unlock(&r->lock);
}

void rate_refund(struct rate_limiter *r, double reserved)
{
	pthread_mutex_lock(&r->lock);
	give_back(r, reserved);
	pthread_mutex_unlock(&r->lock);
}

/* What is being achieved: the smoothed rate, or the window so far before the first one closes. */
static double achieved(const struct rate_limiter *r, uint64_t now)
{
	if (r->measured > 0)
		return r->measured;
	if (now - r->window_start_us < 10000)
		return 0;
	return r->window_units * 1e6 / (double)(now - r->window_start_us);
}

void rate_throttled(struct rate_limiter *r)
{
	uint64_t now = clock_mono_us();
	double base, m;

	pthread_mutex_lock(&r->lock);
	r->throttles++;
	if (now - r->last_cut_us >= RATE_CUT_GAP_US || !r->last_cut_us) {
		/* Unlimited until now: what was spent meanwhile is no debt. */
		if (r->rate <= 0 && r->tokens < 0)
			r->tokens = 0;
		base = r->rate;
		m = achieved(r, now);
		if (m > 0 && (base <= 0 || m < base))
			base = m;
		if (base <= 0)
			base = r->cap > 0 ? r->cap : 100;
		r->last_max = base;
		r->rate = base * RATE_BETA;
		if (r->rate < RATE_MIN)
			r->rate = RATE_MIN;
		if (r->tokens > r->rate * RATE_BURST_S)
			r->tokens = r->rate * RATE_BURST_S;
		r->last_cut_us = r->last_raise_us = now;
		msg_debug("%s rate cut to %.1f units/s after a throttle",
			  r->what ? r->what : "request", r->rate);
	}
	pthread_mutex_unlock(&r->lock);
}

double rate_current(struct rate_limiter *r)
{
	double v;

	pthread_mutex_lock(&r->lock);
	v = r->rate;
	pthread_mutex_unlock(&r->lock);
	return v;
}
