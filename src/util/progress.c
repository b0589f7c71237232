#include "dynamo/progress.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/job.h"
#include "dynamo/msg.h"

#include <stdio.h>
#include <string.h>

int progress_enabled;
int progress_plain;
uint64_t progress_interval_ms = 10000;
static uint64_t last_plain_us;	/* when the last plain line was printed */

static volatile int drawn;	/* a progress line is on screen */

static void clear_line(void)
{
	if (drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		drawn = 0;
	}
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

static void draw(struct job *j, int final)
{
	uint64_t done = job_get(&j->c.written) + job_get(&j->c.deleted) +
			job_get(&j->c.saved);
	double secs = (double)(clock_mono_us() - j->started_us) / 1e6;
	double rate = secs > 0 ? (double)done / secs : 0;
	char d[32], t[32], r[32], el[48], eta[48];
	struct buf line = BUF_INIT;

	group(d, sizeof(d), done);
	group(r, sizeof(r), (uint64_t)rate);
	clock_text(el, sizeof(el), secs);
	buf_printf(&line, "%s%-9s %s", progress_plain ? "" : "\r\033[K", j->name, d);
	if (j->estimate) {
		group(t, sizeof(t), j->estimate);
		buf_printf(&line, "/~%s", t);
	}
	buf_printf(&line, " items  %s/s  retries %llu  throttles %llu  %s", r,
		   (unsigned long long)j->c.retries,
		   (unsigned long long)j->c.throttles, el);
	if (!final && j->estimate > done && rate > 0) {
		clock_text(eta, sizeof(eta), (double)(j->estimate - done) / rate);
		buf_printf(&line, "  ETA %s", eta);
	}
	if (final || progress_plain)
		buf_putc(&line, '\n');
	msg_raw(line.data, line.len);
	drawn = !final && !progress_plain;
	buf_release(&line);
}

void progress_start(struct job *j)
{
	last_plain_us = clock_mono_us();
	if (progress_enabled && !progress_plain)
		msg_set_hook(clear_line);
	(void)j;
}

void progress_update(struct job *j)
{
	uint64_t now = clock_mono_us();

	if (!progress_enabled)
		return;
	if (progress_plain) {
		if (now - last_plain_us < progress_interval_ms * 1000)
			return;
		last_plain_us = now;
	}
	draw(j, 0);
}

void progress_end(struct job *j)
{
	if (!progress_enabled)
		return;
	draw(j, 1);
	if (!progress_plain)
		msg_set_hook(NULL);
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
	if (!drawn && !final)
		msg_set_hook(clear_line);
	buf_printf(&line, "\r\033[K%s%s", text, final ? "\n" : "");
	msg_raw(line.data, line.len);
	drawn = !final;
	if (final)
		msg_set_hook(NULL);
	buf_release(&line);
}
