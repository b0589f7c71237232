#ifndef DYNAMO_RATE_H
#define DYNAMO_RATE_H

#include <pthread.h>
#include <stdint.h>
#include "dynamo/http.h"

/*
 * The pacing of one side of a job (reads from the source, writes to the
 * target), shared by all its workers. Two token buckets, in capacity units:
 *
 *   the cap   what the user allows (--max-rcu/--max-wcu), counted in units
 *             the service says it consumed: exact within 5% in any second;
 *   the pace  units sent per second (refused ones included), set by a
 *             controller that tells congestion from noise (see rate.c):
 *             unlimited until refusals show that the table or a partition
 *             is at capacity, then near that capacity.
 *
 * A request reserves its estimated cost in both before it starts; the
 * service's answer is reported back (rate_observe), and a successful
 * request settles the cap with the ConsumedCapacity it returned.
 */

/*
 * A set of key ranges (scan segments, query keys; their number mod 256):
 * where the items an answer concerns come from.
 */
#define RATE_RANGES 256
struct rate_ranges {
	uint64_t bits[RATE_RANGES / 64];
};

static inline void rate_ranges_add(struct rate_ranges *rr, int range)
{
	unsigned k = (unsigned)range % RATE_RANGES;

	rr->bits[k / 64] |= (uint64_t)1 << (k % 64);
}

/* One measuring window of the controller. */
struct rate_window {
	uint64_t start_us;	/* 0: nothing sent since the last window closed */
	uint64_t last_us;	/* the last answer */
	double sent;		/* units of the attempts answered */
	double refused;		/* of those, units refused (throttled, unprocessed) */
	int answers;
	struct rate_ranges sent_in, refused_in;	/* key ranges sent to, and refused in */
};

/* What one window measured. */
struct rate_sample {
	double sent;		/* units/s */
	double accepted;	/* units/s */
	double refused;		/* share of sent, 0..1 */
	double broad;		/* share of the key ranges sent to that refused some, 0..1 */
	int answers;
};

/* What the controller saw in its last window and did about it (progress, --debug). */
struct rate_status {
	double pace;		/* units/s sent at most; 0 = unlimited */
	double cap;		/* the user's cap; 0 = none */
	double sent;		/* units/s sent in the last window */
	double refused;		/* share of them refused, 0..1 */
	double noise;		/* the share of refusals a slower pace does not cure */
	const char *state;	/* a word or two: "at capacity", "noise", ...; NULL when never changed */
	char why[200];		/* why the pace is what it is, "" when it never changed */
	double sent_total;	/* units sent since the start */
	double throttled_total;	/* of those, in requests refused whole (throttling errors) */
	double unprocessed_total;	/* of those, items a batch left unprocessed */
};

struct rate_limiter {
	pthread_mutex_t lock;
	uint64_t (*now_us)(void);	/* the clock; tests inject theirs */
	const char *what;	/* "read" / "write" for messages */
	double cap;		/* units/s the user allows; 0 = no cap */
	double tokens;		/* cap bucket; may go negative: a debt paid back by waiting */
	double pace;		/* units/s sent at most; 0 = unlimited */
	double pace_tokens;
	uint64_t last_us;	/* last refill */

	/* --- the controller --- */
	struct rate_window win;
	double noise;		/* refused share a slower pace does not cure */
	double growth;		/* how much the pace grows a clean window */
	int clean;		/* clean windows in a row */
	int unused;		/* clean windows in a row far below the pace */
	int judge_in;		/* windows until the pending test is judged */
	struct rate_window judged;	/* the windows it is judged on, added up */
	double judged_s;	/* their seconds */
	int pending;		/* the test under way (rate.c): none, a cut, a deeper cut, a probe */
	double prev_pace;	/* the pace before the test */
	int unjudged;		/* the last cut could not be judged: prev_pace is from before it */
	int seen_clean;		/* a window within the noise has been seen */
	struct rate_sample before;	/* the window before it */
	double wmax;		/* units/s sent when the last cut was made (CUBIC's W_max) */
	double cut_accepted;	/* accepted units/s in the window after a cut judged noise-like */
	uint64_t probe_us;	/* the last probe of the noise level */
	struct rate_status st;
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
/* Gives back a reservation that consumed nothing (a failed attempt): the cap only, it was sent. */
void rate_refund(struct rate_limiter *r, double reserved);
/*
 * The service answered an attempt that cost sent units, refusing refused of
 * them (all of them for a throttling error, the unprocessed part of a
 * batch). sent_in and refused_in are the key ranges of the items sent and
 * of those refused (NULL: not known); refusals confined to a few ranges are
 * a hot partition, which a slower pace for the whole job would not help.
 * Attempts that failed otherwise (5xx, dropped connections) are not
 * reported: they say nothing about capacity.
 */
void rate_observe(struct rate_limiter *r, double sent, double refused,
		  const struct rate_ranges *sent_in, const struct rate_ranges *refused_in);
/* The share of refusals the controller found to be noise (0..0.95). */
double rate_noise(struct rate_limiter *r);
/* A copy of the controller's state. */
void rate_status(struct rate_limiter *r, struct rate_status *out);

/* The limiter as a call's pacer (http.h): c->pacer = &rate_pacer, c->limiter = r. */
extern const struct http_pacer rate_pacer;

#endif
