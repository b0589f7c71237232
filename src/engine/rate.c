#include "dynamo/rate.h"
#include "dynamo/clock.h"
#include "dynamo/msg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Pacing that tells congestion from noise.
 *
 * DynamoDB refuses work for two kinds of reasons. Capacity: the table or one
 * of its partitions is at its limit (provisioned WCU, 1,000 WCU a partition,
 * an on-demand table still scaling); sending slower cures it. Noise: a few
 * percent of requests throttled or of batch items left unprocessed whatever
 * the rate; sending slower only slows the job. The SDKs' adaptive retry mode
 * (and this limiter before) treats every throttle as capacity: CUBIC cuts
 * to 70% of the measured rate, at most every half second, and climbs back
 * over seconds, so random throttles arriving more often than that ratchet
 * the rate down to nothing (the known collapse of adaptive mode under
 * sporadic throttling). The SDKs' standard mode bounds retries with a
 * token-bucket quota instead and fails requests when it runs out, which
 * fits interactive calls, not a bulk job that must write every item. The
 * EMR DynamoDB connector paces open loop at a fraction (0.5 by default) of
 * the provisioned throughput it reads from DescribeTable; on-demand tables
 * and partitions give it nothing to read.
 *
 * TCP met the same question on lossy links: loss-based schemes (Reno,
 * CUBIC) read every loss as congestion; Westwood cuts to the measured
 * delivery rate rather than by a constant factor; BBR paces at the measured
 * bottleneck rate, treats loss as a signal only above a threshold and
 * and TCP's undo (Eifel, DSACK) takes back a
 * cut that turns out to be spurious. Here, from windows of answers (at
 * least 100 ms and 32 answers, at most 2 s):
 *
 *   - refused share f = refused units / units sent. A window is congested
 *     when f exceeds the noise level by a margin (5 points plus three
 *     standard errors of f over the window's answers: windows are short and
 *     many), and the refusals
 *     come from at least a quarter of the key ranges sent to: refusals
 *     confined to a few ranges are a hot partition, which the writer holds
 *     back on its own (writer.c); slowing everything would starve the
 *     partitions that keep up (the tail of a job is like that too: the
 *     last items crowd a few partitions);
 *   - a cut goes to the delivered rate, not a fraction of it: pace =
 *     accepted units/s / (1 - noise), what keeps the table just at the
 *     capacity it showed (Westwood, BBR), at most 90% of what was sent and
 *     of the pace, at least a tenth of what was sent;
 *   - a cut is a test, judged on the two windows after the next one (which
 *     still carries requests sent before it), added up. If the rate sent
 *     fell by 15% or more while the refused share stayed put and what got
 *     through fell with it, slowing down cured nothing so far; but a burst
 *     allowance running out looks the same, so the pace is then halved to
 *     make sure. If the share still stays, it is noise: the pace goes back
 *     and that share becomes the noise level, which later windows tolerate.
 *     At capacity the accepted rate stays while the pace falls, and the
 *     share falls (or rises, as retries pile up on full partitions), so the
 *     cut stands, and another follows while the share stays high. Refusals
 *     of a minority from the very first window halve at once: nothing is
 *     known yet, and noise is the likelier story. A share over 95% is
 *     never taken for noise;
 *   - clean windows grow a pace that is being used: below the rate at which
 *     the last cut was made (W_max) by a quarter of the gap, at least 2%;
 *     past it by 2%, twice as much every four clean windows, up to 25%
 *     (CUBIC's concave approach to W_max and convex probing past it: a
 *     table that scales up is found quickly); an uncapped pace three times
 *     above what is sent for eight windows is lifted altogether;
 *   - every 10 s with noise above 2%, a probe slows down by 20% for three
 *     windows: if the share falls, part of the "noise" was capacity after
 *     all (BBR's periodic PROBE_RTT keeps its model honest the same way).
 *
 * Random throttles at a few percent stay below the margin and never move the
 * pace; 30% of items unprocessed at random cost one test of about a second
 * at half speed; a table at 20,000 WCU settles at it with a few percent
 * refused (tests/unit/test_rate.c runs these on a simulated table).
 *
 * The cap (--max-rcu/--max-wcu) is a separate bucket counted in consumed
 * units, so it stays exact whatever the controller does. Both buckets hold
 * 50 ms of their rate: a cap is a cap in any second, not on average (a
 * one-second bucket let a copy spend twice the cap in its first second).
 * Callers can always go into debt, so a small bucket costs no throughput.
 */
#define BURST_S 0.05
#define WINDOW_US 100000
#define WINDOW_MAX_US 2000000
#define WINDOW_ANSWERS 32
#define IDLE_US 1000000		/* a window this long without answers starts afresh (see idle_gap_us) */
#define MARGIN 0.05
#define GROW_MIN 0.02
#define GROW_MAX 0.25
#define GROW_DOUBLING 4		/* clean windows */
#define RATE_MIN 1.0
#define NOISE_MAX 0.95
#define JUDGE_WINDOWS 2		/* windows a test is judged on, after one skipped */
#define CUT_TELLS 0.85		/* a cut below this share of the sent rate can tell noise */
#define BROAD 0.25		/* share of key ranges refusing that makes refusals the table's */
#define LIFT_SLACK 3.0
#define LIFT_AFTER 8		/* windows */
#define NEAR_WMAX 1.05
#define PROBE_EVERY_US 10000000
#define PROBE_DOWN 0.8
#define NOISE_TO_PROBE 0.02

void rate_init(struct rate_limiter *r, double cap, const char *what)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->now_us = clock_mono_us;
	r->what = what ? what : "request";
	r->cap = cap;
	r->growth = GROW_MIN;
	r->last_us = r->now_us();
	r->st.cap = cap;
}

void rate_release(struct rate_limiter *r)
{
	pthread_mutex_destroy(&r->lock);
}

static void refill(struct rate_limiter *r, uint64_t now)
{
	double dt = now > r->last_us ? (double)(now - r->last_us) / 1e6 : 0;

	r->last_us = now;
	if (r->cap > 0) {
		r->tokens += dt * r->cap;
		if (r->tokens > r->cap * BURST_S)
			r->tokens = r->cap * BURST_S;
	}
	if (r->pace > 0) {
		r->pace_tokens += dt * r->pace;
		if (r->pace_tokens > r->pace * BURST_S)
			r->pace_tokens = r->pace * BURST_S;
	}
}

static uint64_t wait_ms(double tokens, double rate)
{
	return rate > 0 && tokens < 0 ? (uint64_t)ceil(-tokens / rate * 1000.0) : 0;
}

uint64_t rate_reserve(struct rate_limiter *r, double cost)
{
	uint64_t now, wait, w;

	pthread_mutex_lock(&r->lock);
	now = r->now_us();
	refill(r, now);
	wait = wait_ms(r->tokens, r->cap);
	w = wait_ms(r->pace_tokens, r->pace);
	if (w > wait)
		wait = w;
	if (!wait) {
		/* Either bucket may go negative: later callers wait. */
		if (r->cap > 0)
			r->tokens -= cost;
		if (r->pace > 0)
			r->pace_tokens -= cost;
		if (!r->win.start_us)
			r->win.start_us = now;
	}
	pthread_mutex_unlock(&r->lock);
	return wait;
}

/* An over-estimate given back pays debt; it does not fill the bucket past its size. */
static void give_back(struct rate_limiter *r, double units)
{
	if (r->cap <= 0)
		return;
	r->tokens += units;
	if (r->tokens > r->cap * BURST_S)
		r->tokens = r->cap * BURST_S;
}

void rate_settle(struct rate_limiter *r, double reserved, double consumed)
{
	/* No ConsumedCapacity in the answer: the estimate stands (a refund would lift the cap). */
	if (consumed <= 0)
		consumed = reserved;
	pthread_mutex_lock(&r->lock);
	give_back(r, reserved - consumed);
	pthread_mutex_unlock(&r->lock);
}

void rate_refund(struct rate_limiter *r, double reserved)
{
	pthread_mutex_lock(&r->lock);
	give_back(r, reserved);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the controller ---- */

static void ranges_or(struct rate_ranges *to, const struct rate_ranges *from)
{
	int i;

	for (i = 0; from && i < RATE_RANGES / 64; i++)
		to->bits[i] |= from->bits[i];
}

static int ranges_count(const struct rate_ranges *rr)
{
	int i, n = 0;

	for (i = 0; i < RATE_RANGES / 64; i++)
		n += __builtin_popcountll(rr->bits[i]);
	return n;
}

enum { TEST_NONE, TEST_CUT, TEST_DEEP, TEST_PROBE };

static double margin(double noise, int answers)
{
	double p = noise > 0.05 ? noise : 0.05;

	return MARGIN + 3 * sqrt(p * (1 - p) / (answers > 0 ? answers : 1));
}

static void set_pace(struct rate_limiter *r, double pace)
{
	if (pace > 0 && pace < RATE_MIN)
		pace = RATE_MIN;
	if (r->pace <= 0 || pace <= 0)
		r->pace_tokens = 0;	/* unlimited until now: what was sent is no debt */
	r->pace = pace;
	if (pace > 0 && r->pace_tokens > pace * BURST_S)
		r->pace_tokens = pace * BURST_S;
}

/*
 * Records why the pace changed: state in a word or two for the progress
 * line, the whole story under --debug.
 */
static void note(struct rate_limiter *r, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct rate_limiter *r, const char *state, const char *fmt, ...)
{
	va_list ap;

	r->st.state = state;
	va_start(ap, fmt);
	vsnprintf(r->st.why, sizeof(r->st.why), fmt, ap);
	va_end(ap);
	msg_debug("%s pace: %s", r->what, r->st.why);
}

static const char *pace_text(double pace, char *out, size_t n)
{
	if (pace > 0)
		snprintf(out, n, "%.0f units/s", pace);
	else
		snprintf(out, n, "unlimited");
	return out;
}

/* Starts a test: the pace goes to target, and is judged against s (see close_window). */
static void test(struct rate_limiter *r, int kind, const struct rate_sample *s,
		 double target)
{
	r->pending = kind;
	r->judge_in = JUDGE_WINDOWS + 1;
	if (!r->unjudged)
		r->prev_pace = r->pace;
	r->unjudged = 0;
	r->before = *s;
	r->clean = 0;
	r->growth = GROW_MIN;
	set_pace(r, target);
}

static void cut(struct rate_limiter *r, const struct rate_sample *s)
{
	double target = s->accepted / (1 - r->noise);
	char was[32], now[32];

	if (!r->seen_clean && s->refused < 0.5) {
		/*
		 * A minority refused from the first window on: nothing is known
		 * of the table yet, and a cut to what got through could not tell
		 * noise from capacity. Halve at once (see judge()). (A majority
		 * refused is capacity, whatever the noise: cut to what got
		 * through.)
		 */
		r->wmax = s->sent;
		test(r, TEST_DEEP, s, 0.5 * s->sent);
		r->cut_accepted = s->accepted;
		note(r, "testing", "%s: %.0f%% of %.0f units/s refused from the start; halving to tell noise from capacity",
		     pace_text(r->pace, now, sizeof(now)), 100 * s->refused, s->sent);
		return;
	}

	r->wmax = s->sent;
	/* A cut cuts: below what was sent and below the pace (answers bunch up). */
	if (target > 0.9 * s->sent)
		target = 0.9 * s->sent;
	if (r->pace > 0 && target > 0.9 * r->pace)
		target = 0.9 * r->pace;
	/* Everything refused says nothing of the capacity: a tenth of the rate, and judge again. */
	if (target < 0.1 * s->sent)
		target = 0.1 * s->sent;
	if (target < RATE_MIN)
		target = RATE_MIN;
	pace_text(r->pace, was, sizeof(was));
	test(r, TEST_CUT, s, target);
	note(r, "at capacity", "%s -> %s: %.0f%% of %.0f units/s refused, over the noise (%.0f%%): the table or a partition is at capacity; pacing to what it accepted",
	     was, pace_text(r->pace, now, sizeof(now)), 100 * s->refused, s->sent,
	     100 * r->noise);
}

/*
 * The test cured nothing: the pace fell enough to tell, the refused share
 * stayed, and what got through fell with the pace.
 */
static int noise_like(const struct rate_sample *before, const struct rate_sample *s,
		      double m)
{
	double fell = before->sent > 0 ? s->sent / before->sent : 1;

	/*
	 * Noise stays put: a share that falls is cured, one that rises is a
	 * burst allowance running out or retries piling up on full partitions.
	 */
	return fell <= CUT_TELLS && s->refused >= before->refused - m &&
	       s->refused >= 0.6 * before->refused &&
	       s->refused <= before->refused + m / 2 &&
	       s->accepted <= before->accepted * fell * 1.2;
}

/* A window within the noise: follow the noise down, grow a pace in use. */
static void clean_window(struct rate_limiter *r, const struct rate_sample *s)
{
	if (s->refused < r->noise)
		r->noise -= 0.25 * (r->noise - s->refused);
	if (r->pace <= 0)
		return;
	if (s->sent * LIFT_SLACK >= r->pace)
		r->unused = 0;
	else if (r->cap <= 0 && ++r->unused >= LIFT_AFTER) {
		r->unused = 0;
		set_pace(r, 0);
		note(r, "unpaced", "lifted: %.0f units/s are sent, far below the pace, and refusals are within the noise (%.0f%%)",
		     s->sent, 100 * r->noise);
		return;
	}
	if (s->sent < 0.7 * r->pace)
		return;		/* not using the pace: growing it would mean nothing */
	if (r->pace < NEAR_WMAX * r->wmax) {
		/*
		 * Below where the last cut was made: close a quarter of the gap
		 * a window, at least 2%, so the pace comes back fast from a deep
		 * cut and slowly near W_max (CUBIC's concave part).
		 */
		double step = 0.25 * (r->wmax - r->pace);

		r->pace += step > GROW_MIN * r->pace ? step : GROW_MIN * r->pace;
		r->clean = 0;
		return;
	}
	/* Past it, faster and faster (CUBIC's convex part): the table may have grown. */
	r->pace *= 1 + r->growth;
	if (r->cap > 0 && r->pace > 2 * r->cap)
		r->pace = 2 * r->cap;
	if (++r->clean % GROW_DOUBLING == 0 && r->growth < GROW_MAX) {
		r->growth = r->growth * 2 > GROW_MAX ? GROW_MAX : r->growth * 2;
		msg_debug("%s pace: %.0f units/s after %d clean windows; growing %.0f%% a window",
			  r->what, r->pace, r->clean, 100 * r->growth);
	}
}

/*
 * Judges the test under way on window s. Returns 1 when that settles what
 * to do with s, 0 when s is to be handled as any window.
 */
static int judge(struct rate_limiter *r, const struct rate_sample *s, double m)
{
	char now[32];
	int kind = r->pending;

	r->pending = TEST_NONE;
	switch (kind) {
	case TEST_CUT:
		/*
		 * The pace did not fall enough to tell (the pipeline was still
		 * filling, answers bunched up): if another cut follows, an undo
		 * goes back to before this one too.
		 */
		if (s->sent > CUT_TELLS * r->before.sent)
			r->unjudged = 1;
		if (!noise_like(&r->before, s, m))
			return 0;
		/*
		 * Noise, or a burst allowance that ran out just as the pace
		 * fell (capacity looks the same then): halve what was sent.
		 * Noise stays; capacity shows at once.
		 */
		r->cut_accepted = s->accepted;
		r->pending = TEST_DEEP;
		r->judge_in = JUDGE_WINDOWS + 1;
		set_pace(r, 0.5 * r->before.sent);
		note(r, "testing", "%s: %.0f%% stayed refused after the cut; halving to tell noise from capacity",
		     pace_text(r->pace, now, sizeof(now)), 100 * s->refused);
		return 1;
	case TEST_DEEP:
		if (noise_like(&r->before, s, m)) {
			set_pace(r, r->prev_pace);
			r->noise = s->refused < NOISE_MAX ? s->refused : NOISE_MAX;
			r->probe_us = r->now_us();	/* the next look at it in 10 s */
			r->wmax = 0;	/* the cut found no capacity */
			note(r, "noise", "back to %s: %.0f%% stayed refused at half the pace, so it is noise, not capacity",
			     pace_text(r->pace, now, sizeof(now)), 100 * s->refused);
			return 1;
		}
		r->wmax = r->before.sent;
		set_pace(r, r->cut_accepted / (1 - r->noise));
		note(r, "at capacity", "%s: refusals fell at half the pace, so the table or a partition is at capacity; pacing to what it accepted after the cut",
		     pace_text(r->pace, now, sizeof(now)));
		return 1;
	case TEST_PROBE:
		if (s->refused < r->before.refused - m) {
			r->noise = s->refused;
			note(r, "at capacity", "%s: refusals fell to %.0f%% at a slower pace; part of what looked like noise was capacity",
			     pace_text(r->pace, now, sizeof(now)), 100 * s->refused);
			return 1;
		}
		set_pace(r, r->prev_pace);
		return 1;
	}
	return 0;
}

/* What a window (or windows added up, over seconds) measured. */
static void sample_of(const struct rate_window *w, double seconds, struct rate_sample *s)
{
	int n = ranges_count(&w->sent_in);

	s->sent = w->sent / seconds;
	s->accepted = w->refused < w->sent ? (w->sent - w->refused) / seconds : 0;
	s->refused = w->sent > 0 ? w->refused / w->sent : 0;
	if (s->refused > 1)
		s->refused = 1;
	s->answers = w->answers;
	s->broad = n ? (double)ranges_count(&w->refused_in) / n : 1;
}

static void add_window(struct rate_window *to, const struct rate_window *w)
{
	to->sent += w->sent;
	to->refused += w->refused;
	to->answers += w->answers;
	ranges_or(&to->sent_in, &w->sent_in);
	ranges_or(&to->refused_in, &w->refused_in);
}

static void close_window(struct rate_limiter *r, uint64_t now)
{
	double dt = (double)(now - r->win.start_us) / 1e6;
	struct rate_window w = r->win;
	struct rate_sample s;
	char p[32];
	double m;

	sample_of(&w, dt, &s);
	memset(&r->win, 0, sizeof(r->win));
	r->win.start_us = now;
	r->st.sent = s.sent;
	r->st.refused = s.refused;
	msg_debug("%s window: %.0f units/s sent, %.1f%% refused (noise %.1f%%) in %d answers, in %.0f%% of the key ranges; pace %s",
		  r->what, s.sent, 100 * s.refused, 100 * r->noise, s.answers,
		  100 * s.broad, pace_text(r->pace, p, sizeof(p)));
	if (r->judge_in > 0) {
		/*
		 * A test is judged on the windows after the next one (which
		 * still carries requests sent before it), added up: a single
		 * window's share swings with answers that bunch up.
		 */
		if (r->judge_in-- > JUDGE_WINDOWS)
			return;
		add_window(&r->judged, &w);
		r->judged_s += dt;
		if (r->judge_in > 0)
			return;
		sample_of(&r->judged, r->judged_s, &s);
		memset(&r->judged, 0, sizeof(r->judged));
		r->judged_s = 0;
	}
	m = margin(r->noise, s.answers);
	if (r->pending && judge(r, &s, m))
		return;
	if (s.refused > r->noise + m) {
		/*
		 * A hot partition: the refusals come from a few key ranges.
		 * Its batches back off on their own; slowing the whole job
		 * would only starve the partitions that keep up.
		 */
		if (s.broad < BROAD)
			return;
		cut(r, &s);
		return;
	}
	if (r->noise >= NOISE_TO_PROBE && now - r->probe_us >= PROBE_EVERY_US) {
		r->probe_us = now;
		test(r, TEST_PROBE, &s, PROBE_DOWN * s.sent);
		note(r, "probing", "%s for three windows, to see whether refusals (%.0f%%) fall",
		     pace_text(r->pace, p, sizeof(p)), 100 * s.refused);
		return;
	}
	r->seen_clean = 1;
	clean_window(r, &s);
}

/*
 * The longest gap before an answer of `sent` units that does not mean the
 * job was idle: IDLE_US, or twice what the slower bucket takes to let that
 * many units go, whichever is longer. Requests queued behind a pace of 10
 * units/s are answered every 2.5 s (25-unit batches): were each of those
 * gaps taken for idleness, every window would start afresh at each answer
 * and never close, and the pace that caused the gaps would never be judged
 * or changed again (a copy crawled at one batch every two seconds).
 */
static uint64_t idle_gap_us(const struct rate_limiter *r, double sent)
{
	double rate = r->pace;
	double paced_us;

	if (r->cap > 0 && (rate <= 0 || r->cap < rate))
		rate = r->cap;
	if (rate <= 0 || sent <= 0)
		return IDLE_US;
	paced_us = 2e6 * sent / rate;
	return paced_us > IDLE_US ? (uint64_t)paced_us : IDLE_US;
}

void rate_observe(struct rate_limiter *r, double sent, double refused,
		  const struct rate_ranges *sent_in, const struct rate_ranges *refused_in)
{
	uint64_t now;
	double dt;

	pthread_mutex_lock(&r->lock);
	now = r->now_us();
	if (!r->win.start_us ||
	    (r->win.last_us && now - r->win.last_us > idle_gap_us(r, sent))) {
		/* Nothing in flight for a while (between stages): rates over the gap mean nothing. */
		memset(&r->win, 0, sizeof(r->win));
		r->win.start_us = now;
	}
	r->win.sent += sent;
	r->win.refused += refused;
	r->st.sent_total += sent;
	if (refused > 0 && sent > 0)
		r->st.throttled_total += refused;
	else if (refused > 0)
		r->st.unprocessed_total += refused;
	ranges_or(&r->win.sent_in, sent_in);
	ranges_or(&r->win.refused_in, refused_in);
	if (sent > 0)
		r->win.answers++;
	r->win.last_us = now;
	dt = (double)(now - r->win.start_us);
	if ((dt >= WINDOW_US && r->win.answers >= WINDOW_ANSWERS) ||
	    (dt >= WINDOW_MAX_US && r->win.answers > 0))
		close_window(r, now);
	pthread_mutex_unlock(&r->lock);
}

double rate_noise(struct rate_limiter *r)
{
	double v;

	pthread_mutex_lock(&r->lock);
	v = r->noise;
	pthread_mutex_unlock(&r->lock);
	return v;
}

void rate_status(struct rate_limiter *r, struct rate_status *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->st;
	out->pace = r->pace;
	out->cap = r->cap;
	out->noise = r->noise;
	pthread_mutex_unlock(&r->lock);
}

const struct http_pacer rate_pacer = { rate_reserve, rate_refund, rate_observe };
