#include "dynamo/progress.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/job.h"
#include "dynamo/msg.h"
#include "dynamo/rate.h"

#include <stdio.h>
#include <string.h>

int progress_enabled;
int progress_plain;
uint64_t progress_interval_ms = 10000;
static uint64_t last_plain_us;	/* when the last plain line was printed */

/*
 * Armed by msg_raw_transient while a progress line is on screen, and run
 * under the message lock before the next line (a worker's warning, the
 * credential refresher's): whether a line is drawn is the lock's to know.
 */
static void clear_line(void)
{
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void group(char *out, size_t n, uint64_t v)
{
	char raw[32];
	size_t len, i, o = 0;

	snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v);
	len = strlen(raw);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
}

static void clock_text(char *out, size_t n, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, n, "%lu:%02lu", t / 60, t % 60);
}

/*
 * What the last seconds looked like: the rate now (a copy slowed by a table
 * at capacity shows it at once, not diluted by its fast start) and the
 * share of writes refused. Samples every update, about 200 ms apart.
 */
#define RECENT 16
static struct sample {
	double secs;
	uint64_t done;
	double sent, throttled, unprocessed;	/* the write pace's totals, in units */
} recent[RECENT];
static int nrecent;

static const struct sample *remember(const struct sample *now)
{
	const struct sample *then = nrecent ? &recent[(nrecent - 1) % RECENT] : NULL;
	int i;

	/* The oldest sample no more than about 3 s old. */
	for (i = nrecent > RECENT ? nrecent - RECENT : 0; i < nrecent; i++)
		if (now->secs - recent[i % RECENT].secs <= 3.2) {
			then = &recent[i % RECENT];
			break;
		}
	recent[nrecent++ % RECENT] = *now;
	return then;
}

static void pace_part(struct buf *line, struct job *j, const struct sample *now,
		      const struct sample *then)
{
	struct rate_status st;
	double sent;
	char p[32];

	if (!j->run.write_rate)
		return;
	rate_status(j->run.write_rate, &st);
	sent = then ? now->sent - then->sent : 0;
	if (sent > 0)
		buf_printf(line, "  refused %.0f%% (throttled %.0f%%, unprocessed %.0f%%)",
			   100 * (now->throttled - then->throttled + now->unprocessed -
				  then->unprocessed) / sent,
			   100 * (now->throttled - then->throttled) / sent,
			   100 * (now->unprocessed - then->unprocessed) / sent);
	if (st.pace > 0) {
		group(p, sizeof(p), (uint64_t)st.pace);
		buf_printf(line, "  paced %s WCU/s%s%s%s", p, st.state ? " (" : "",
			   st.state ? st.state : "", st.state ? ")" : "");
	} else if (st.cap > 0) {
		group(p, sizeof(p), (uint64_t)st.cap);
		buf_printf(line, "  capped %s WCU/s", p);
	} else if (st.state) {
		buf_printf(line, "  unpaced (%s)", st.state);
	}
}

/* The job's figures now, remembered; returns the sample of about 3 s ago. */
static const struct sample *take_sample(struct job *j, struct sample *now)
{
	/* A diff's progress is what it compared (a sync writes only some of those). */
	now->done = job_get(&j->st.c.compared) ? job_get(&j->st.c.compared) :
		    job_get(&j->st.c.written) + job_get(&j->st.c.deleted) + job_get(&j->st.c.saved);
	now->secs = (double)(clock_mono_us() - j->st.started_us) / 1e6;
	now->sent = now->throttled = now->unprocessed = 0;
	if (j->run.write_rate) {
		struct rate_status st;

		rate_status(j->run.write_rate, &st);
		now->sent = st.sent_total;
		now->throttled = st.throttled_total;
		now->unprocessed = st.unprocessed_total;
	}
	return remember(now);
}

static void draw(struct job *j, int final)
{
	struct sample now;
	const struct sample *then = take_sample(j, &now);
	uint64_t done = now.done;
	double secs = now.secs;
	double rate = secs > 0 ? (double)done / secs : 0;
	char d[32], t[32], r[32], el[48], eta[48];
	struct buf line = BUF_INIT;

	/* The rate now; the average over the whole stage on its final line. */
	if (!final && then && secs - then->secs > 0.5)
		rate = (double)(done - then->done) / (secs - then->secs);
	group(d, sizeof(d), done);
	group(r, sizeof(r), (uint64_t)rate);
	clock_text(el, sizeof(el), secs);
	buf_printf(&line, "%s%-9s %s", progress_plain ? "" : "\r\033[K", j->name, d);
	if (j->run.estimate) {
		group(t, sizeof(t), j->run.estimate);
		buf_printf(&line, "/~%s", t);
	}
	buf_printf(&line, " items  %s/s", r);
	if (!final)
		pace_part(&line, j, &now, then);
	buf_printf(&line, "  retries %llu  %s", (unsigned long long)j->st.c.retries, el);
	if (!final && j->run.estimate > done && rate > 0) {
		clock_text(eta, sizeof(eta), (double)(j->run.estimate - done) / rate);
		buf_printf(&line, "  ETA %s", eta);
	}
	if (final || progress_plain)
		buf_putc(&line, '\n');
	msg_raw_transient(line.data, line.len,
			  !final && !progress_plain ? clear_line : NULL);
	buf_release(&line);
}

void progress_start(struct job *j)
{
	nrecent = 0;
	last_plain_us = clock_mono_us();
	(void)j;
}

void progress_update(struct job *j)
{
	uint64_t now = clock_mono_us();

	if (!progress_enabled)
		return;
	if (progress_plain) {
		/* Sampled at every tick, printed at the interval: its rate and refused share are recent. */
		if (now - last_plain_us < progress_interval_ms * 1000) {
			struct sample s;

			take_sample(j, &s);
			return;
		}
		last_plain_us = now;
	}
	draw(j, 0);
}

void progress_end(struct job *j)
{
	if (!progress_enabled)
		return;
	draw(j, 1);
}

void progress_text(const char *text, int final)
{
	struct buf line = BUF_INIT;
	uint64_t now = clock_mono_us();

	if (!progress_enabled)
		return;
	if (progress_plain) {
		/* Off a terminal: a plain line now and then, nothing to clear at the end. */
		if (final || now - last_plain_us < progress_interval_ms * 1000)
			return;
		last_plain_us = now;
		buf_printf(&line, "%s\n", text);
		msg_raw(line.data, line.len);
		buf_release(&line);
		return;
	}
	buf_printf(&line, "\r\033[K%s%s", text, final ? "\n" : "");
	msg_raw_transient(line.data, line.len, final ? NULL : clear_line);
	buf_release(&line);
}
