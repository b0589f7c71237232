#include "dynamo/rate.h"
#include "dynamo/clock.h"
#include "dynamo/msg.h"

#include <math.h>
#include <string.h>

/* AIMD constants, close to the SDKs' adaptive mode. */
#define RATE_CUT 0.7		/* multiplicative decrease on a throttle */
#define RATE_CUT_GAP_US 500000	/* at most one cut per half second */
#define RATE_RAISE_EVERY_US 1000000
#define RATE_RAISE_FRACTION 0.05	/* of the cap, or of the rate when uncapped */
#define RATE_MIN 1.0
#define RATE_BURST_S 1.0	/* a full bucket holds one second of rate */

void rate_init(struct rate_limiter *r, double cap, const char *what)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->cap = cap;
	r->rate = cap;
	r->tokens = cap * RATE_BURST_S;
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

/* Additive increase after a calm second, back up to the cap (or unlimited). */
static void maybe_raise(struct rate_limiter *r, uint64_t now)
{
	double step;

	if (r->rate <= 0 || now - r->last_raise_us < RATE_RAISE_EVERY_US ||
	    now - r->last_cut_us < RATE_RAISE_EVERY_US)
		return;
	r->last_raise_us = now;
	step = (r->cap > 0 ? r->cap : r->rate) * RATE_RAISE_FRACTION;
	r->rate += step < RATE_MIN ? RATE_MIN : step;
	if (r->cap > 0 && r->rate > r->cap)
		r->rate = r->cap;
	/* Uncapped and well above what was measured: stop limiting. */
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

void rate_settle(struct rate_limiter *r, double reserved, double consumed)
{
	uint64_t now = clock_mono_us();

	/* No ConsumedCapacity in the answer: the estimate stands (a refund would lift the cap). */
	if (consumed <= 0)
		consumed = reserved;
	pthread_mutex_lock(&r->lock);
	r->tokens += reserved - consumed;
	r->window_units += consumed;
	if (now - r->window_start_us >= 1000000) {
		r->measured = r->window_units * 1e6 /
			      (double)(now - r->window_start_us);
		r->window_units = 0;
		r->window_start_us = now;
	}
	pthread_mutex_unlock(&r->lock);
}

void rate_refund(struct rate_limiter *r, double reserved)
{
	pthread_mutex_lock(&r->lock);
	r->tokens += reserved;
	pthread_mutex_unlock(&r->lock);
}

void rate_throttled(struct rate_limiter *r)
{
	uint64_t now = clock_mono_us();
	double base;

	pthread_mutex_lock(&r->lock);
	r->throttles++;
	if (now - r->last_cut_us >= RATE_CUT_GAP_US) {
		/* Unlimited until now: what was spent meanwhile is no debt. */
		if (r->rate <= 0 && r->tokens < 0)
			r->tokens = 0;
		base = r->rate > 0 ? r->rate : r->measured;
		if (r->measured > 0 && r->measured < base)
			base = r->measured;
		if (base <= 0)
			base = r->cap > 0 ? r->cap : 100;
		r->rate = base * RATE_CUT;
		if (r->rate < RATE_MIN)
			r->rate = RATE_MIN;
		if (r->tokens > r->rate * RATE_BURST_S)
			r->tokens = r->rate * RATE_BURST_S;
		r->last_cut_us = now;
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
