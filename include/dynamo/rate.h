#ifndef DYNAMO_RATE_H
#define DYNAMO_RATE_H

#include <pthread.h>
#include <stdint.h>

/*
 * A token bucket shared by all workers on one side of a job (reads from the
 * source, writes to the target), in capacity units per second.
 *
 * With a cap (--max-rcu/--max-wcu) the rate never exceeds it. Either way the
 * limiter is adaptive, like the SDKs' adaptive retry mode: a throttle cuts
 * the allowed rate to 70% of what was achieved, and it climbs back (CUBIC:
 * to that level in two seconds, then faster), so a job settles near what
 * the table allows instead of hammering it. Requests reserve an estimate before they start; the real
 * ConsumedCapacity settles the difference when the response arrives.
 */
struct rate_limiter {
	pthread_mutex_t lock;
	double cap;		/* units/s the user allows; 0 = no cap */
	double rate;		/* current allowed rate; 0 = unlimited */
	double tokens;		/* may go negative: a debt paid back by waiting */
	uint64_t last_us;	/* last refill */
	uint64_t last_cut_us;	/* last multiplicative decrease; 0 = none yet */
	uint64_t last_raise_us;
	double last_max;	/* the achieved rate the last cut started from */
	double window_units;	/* consumed in the current measuring window */
	uint64_t window_start_us;
	double measured;	/* consumed units/s in the last window */
	uint64_t throttles;
	const char *what;	/* "read" / "write" for --debug */
};

void rate_init(struct rate_limiter *r, double cap, const char *what);
void rate_release(struct rate_limiter *r);
/*
 * Reserves cost units. Returns 0 when the request may start now (the tokens
 * are taken), or how many milliseconds to wait before asking again.
 */
uint64_t rate_reserve(struct rate_limiter *r, double cost);
/* Settles a reservation with what the service says it consumed (0: not said, keep the estimate). */
void rate_settle(struct rate_limiter *r, double reserved, double consumed);
/* Gives back a reservation that consumed nothing (a failed attempt). */
void rate_refund(struct rate_limiter *r, double reserved);
/* The service throttled a request: cut the rate. */
void rate_throttled(struct rate_limiter *r);
/* The current allowed rate, for progress and tests (0 = unlimited). */
double rate_current(struct rate_limiter *r);

#endif
