/*
 * The batch writer sink: items become BatchWriteItem requests of up to 25
 * puts or deletes (and under the 16 MB request limit) without being parsed
 * or rebuilt. Items wait in the worker's mix (mix.h) until a request can
 * go, and each request takes them in turn from every waiting page, so its
 * items spread over the table's partitions.
 *
 * UnprocessedItems are matched by key to the items sent: the pages of those
 * written are told at once (so a page, and the checkpoint, never waits for
 * a neighbour's refused item), and the refused ones go back into the mix,
 * as they were sent (the answer only says which, by key: it is not trusted
 * with their contents), after a backoff of their own: the
 * other requests keep going meanwhile, and the retries ride in full batches
 * with fresh items (a batch resending its own few leftovers would triple
 * the requests when a third of the items come back).
 *
 * The backoff grows only with what a slower pace could cure:
 *   - an answer that wrote nothing of many items (beyond what the noise
 *     level explains: rate_noise), for the items it refused;
 *   - a key range (a scan segment: one partition) whose items were all
 *     refused while the rest of the answer was written: a hot partition.
 *     The range is held (its fresh items wait too), longer each time, until
 *     one of its items is written.
 * Anything else (a third of each answer refused at random, a server that
 * writes one item an answer) is retried after a short random delay.
 *
 * Bounds: an item in max_attempts answers that wrote nothing beyond chance,
 * or refused in ten times as many answers, fails the job (resumable), so a
 * server that refuses forever, whatever it pretends, ends the run.
 */
#include "dynamo/job.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/mix.h"
#include "dynamo/order.h"
#include "dynamo/request.h"
#include "dynamo/response.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX_ITEMS 25
#define BATCH_MAX_BYTES ((16u << 20) - (64u << 10))
/* An answer that writes nothing is put down to noise when noise alone does that this often. */
#define BY_CHANCE 0.05
/* However much each answer writes, an item gets this many tries per retry allowed. */
#define TRIES_PER_RETRY 10
/*
 * A hot key range waits up to 800 ms (with jitter) between tries: a
 * partition at capacity refills every second, and a longer hold would leave
 * it idle (the tail of a copy is where the last items crowd a few).
 */
#define HOLD_MAX 5

struct batch {
	struct http_call call;
	struct worker *w;
	int nitems;			/* items in the request */
	struct page *pg[BATCH_MAX_ITEMS];	/* each item's page, in the request's order */
	int tries[BATCH_MAX_ITEMS];	/* answers that left it unprocessed so far */
	int idle[BATCH_MAX_ITEMS];	/* of those, answers that wrote nothing beyond chance */
	struct rate_ranges ranges;	/* the key ranges of its items */
	size_t item_off[BATCH_MAX_ITEMS];	/* where each item (or key) is in the body */
	size_t item_len[BATCH_MAX_ITEMS];
	struct ddb_batch_write answer;	/* the checked answer */
	size_t counted;			/* bytes counted in the backlog */
	struct batch *next;		/* free list */
};

struct writer {
	struct buf prefix;		/* {"RequestItems":{"T":[ */
	int deleting;
	struct mix mix;			/* items waiting for a batch */
	struct batch *free_list;
	int sending;			/* batches submitted and not answered */
	int max_sending;		/* the worker's requests in flight */
	size_t batch_bytes;		/* request bodies not yet answered */
	struct buf key;			/* scratch: a key extracted for a delete */
	int ordered;			/* a file's items: one key's versions written in turn */
	struct key_order order;		/* when ordered */
};

static struct writer *writer_of(struct worker *w)
{
	return w->writer;
}

static int writer_start(struct worker *w, int deleting)
{
	struct job *j = w->job;
	struct writer *wr = xcalloc(1, sizeof(*wr));

	ddb_batch_write_begin(&wr->prefix, j->out.table);
	wr->deleting = deleting;
	mix_init(&wr->mix);
	/* Scans and queries never return a key twice; a file may (see order.h). */
	wr->ordered = j->in.ops->repeats_keys && j->out.desc;
	if (wr->ordered)
		order_init(&wr->order, j->out.desc);
	wr->max_sending = w->max_in_flight > 0 ? w->max_in_flight : 1;
	w->writer = wr;
	return 0;
}

static int writer_init(struct worker *w)
{
	return writer_start(w, w->job->out.deletes);
}

/* The batch delete sink: the job's items, or their keys, deleted. */
static int deleter_init(struct worker *w)
{
	return writer_start(w, 1);
}

static void batch_free(struct batch *b)
{
	http_call_release(&b->call);
	free(b);
}

static void writer_release(struct worker *w)
{
	struct writer *wr = writer_of(w);
	struct batch *b;

	if (!wr)
		return;
	mix_release(&wr->mix);
	if (wr->ordered)
		order_release(&wr->order);
	while ((b = wr->free_list)) {
		wr->free_list = b->next;
		batch_free(b);
	}
	buf_release(&wr->prefix);
	buf_release(&wr->key);
	free(wr);
	w->writer = NULL;
}

static struct batch *batch_get(struct worker *w)
{
	struct writer *wr = writer_of(w);
	struct batch *b = wr->free_list;

	if (b) {
		wr->free_list = b->next;
	} else {
		b = xcalloc(1, sizeof(*b));
		http_call_init(&b->call);
	}
	b->w = w;
	b->nitems = 0;
	b->counted = 0;
	memset(&b->ranges, 0, sizeof(b->ranges));
	buf_reset(&b->call.body);
	buf_append(&b->call.body, wr->prefix.data, wr->prefix.len);
	return b;
}

static void batch_put(struct batch *b)
{
	struct writer *wr = writer_of(b->w);

	wr->batch_bytes -= b->counted;
	/* Keep buffers for reuse, but not huge ones (a 400 KB item batch). */
	if (b->call.body.cap > (1u << 20) || b->call.resp.cap > (1u << 20)) {
		batch_free(b);
		return;
	}
	b->next = wr->free_list;
	wr->free_list = b;
}

static double write_cost(size_t item_bytes, int deleting)
{
	/* 1 WCU per KB of item; the JSON is a little larger than the item. */
	return deleting ? 1.0 : (double)(item_bytes / 1024 + 1);
}

static void on_batch_done(struct http_call *c);

/* The item (or key) of the batch's i-th write request, as sent. */
static struct slice batch_item(const struct batch *b, int i)
{
	return (struct slice){ b->call.body.data + b->item_off[i], b->item_len[i] };
}

/* The engine's check of an answer: nothing is counted or resent from a malformed one. */
static int check_batch(struct http_call *c, char *why, size_t n)
{
	struct batch *b = c->owner;
	const struct job *j = b->w->job;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };
	struct slice sent[BATCH_MAX_ITEMS];
	int i;

	/* What was sent is known: the check does not walk the request again. */
	for (i = 0; i < b->nitems; i++)
		sent[i] = batch_item(b, i);
	return ddb_batch_write_check(resp, j->out.table, sent, b->nitems, writer_of(b->w)->deleting,
				     j->out.desc, &b->answer, why, n);
}

/* Appends one write request to the batch: a fresh item, or a retry. */
static void batch_add(struct batch *b, struct slice item, struct page *pg, int tries,
		      int idle)
{
	struct writer *wr = writer_of(b->w);

	b->item_off[b->nitems] = ddb_batch_write_add(&b->call.body, !b->nitems, wr->deleting, item);
	b->item_len[b->nitems] = item.n;
	b->call.cost += write_cost(item.n, wr->deleting);
	b->pg[b->nitems] = pg;
	b->tries[b->nitems] = tries;
	b->idle[b->nitems++] = idle;
	rate_ranges_add(&b->ranges, pg->unit->index);
}

/* Builds a batch from the items whose turn it is, one from each slot of the mix in turn, and sends it. */
static void batch_form(struct worker *w)
{
	struct writer *wr = writer_of(w);
	struct job *j = w->job;
	struct batch *b = batch_get(w);
	struct page *pg;
	struct slice item;
	int tries, idle;

	b->call.cost = 0;
	while (b->nitems < BATCH_MAX_ITEMS &&
	       mix_peek(&wr->mix, &pg, &item, &tries, &idle)) {
		/* No key twice in a batch (DynamoDB refuses it): the order guard keeps a file's apart. */
		if (b->nitems && b->call.body.len + item.n + 32 + sizeof(DDB_BATCH_WRITE_END) > BATCH_MAX_BYTES)
			break;
		batch_add(b, item, pg, tries, idle);
		mix_next(&wr->mix);
	}
	ddb_batch_write_end(&b->call.body);
	b->counted = b->call.body.len;
	wr->batch_bytes += b->counted;
	wr->sending++;
	http_call_rearm(&b->call);
	ddb_prepare(j->out.ddb, &b->call, DDB_TARGET("BatchWriteItem"));
	b->call.check = check_batch;
	b->call.done = on_batch_done;
	b->call.owner = b;
	b->call.pacer = &rate_pacer;
	b->call.limiter = j->run.write_rate;
	b->call.ranges = &b->ranges;
	engine_submit(w->eng, &b->call);
}

/*
 * Sends what may go while the worker has requests to spare: full batches,
 * and with partial a last short one. Items wait in the mix rather than in
 * queued requests, so each batch mixes every page that arrived meanwhile.
 */
static void pump(struct worker *w, int partial)
{
	struct writer *wr = writer_of(w);

	while (wr->sending < wr->max_sending &&
	       (wr->mix.ready >= BATCH_MAX_ITEMS || (partial && wr->mix.ready)))
		batch_form(w);
}

static int writer_item(struct worker *w, struct slice item, struct page *pg)
{
	struct writer *wr = writer_of(w);
	struct job *j = w->job;
	struct slice payload = item;

	if (wr->deleting && !j->in.keys_only) {
		buf_reset(&wr->key);
		if (item_key(item, &j->out.desc->hash, &j->out.desc->range, &wr->key) < 0) {
			job_fail(j, EXIT_FAILURE_RUNTIME,
				 "an item read from '%s' lacks the key attributes of '%s'",
				 j->in.table, j->out.table);
			return -1;
		}
		payload.p = wr->key.data;
		payload.n = wr->key.len;
	}
	if (wr->ordered) {
		int r = order_admit(&wr->order, payload, pg);

		if (r < 0) {
			job_fail(j, EXIT_FAILURE_RUNTIME, "an item read from '%s' lacks the key attributes of '%s'",
				 j->in.table ? j->in.table : "the file", j->out.table);
			return -1;
		}
		if (r == 0)
			return 0;	/* an earlier version of its key is not written yet */
	}
	mix_add(&wr->mix, pg, payload);
	/* Nothing being written: start (pages end with a pump, lookups feed one by one). */
	if (!wr->sending)
		pump(w, 0);
	return 0;
}

static void writer_page_end(struct worker *w, struct page *pg)
{
	struct writer *wr = writer_of(w);

	/* A new page of a held key range waits with the rest of it. */
	if (pg->unit->hold_ms > clock_mono_ms())
		mix_hold(&wr->mix, pg->unit, pg->unit->hold_ms);
	pump(w, 0);
}

static void writer_flush(struct worker *w)
{
	pump(w, 1);
}

static size_t writer_backlog(struct worker *w)
{
	struct writer *wr = writer_of(w);

	/* Items held for their key's turn count too: reading pauses when they grow. */
	return wr->mix.bytes + wr->batch_bytes + (wr->ordered ? order_bytes(&wr->order) : 0);
}

int batch_writer_busy(struct worker *w)
{
	struct writer *wr = writer_of(w);

	return wr->mix.ready || wr->mix.held || (wr->ordered && order_waiting(&wr->order));
}

/* The written items free their keys; waiting items whose keys are free join the mix, in order. */
static void order_written(struct writer *wr, const struct batch *b, const char *refused)
{
	struct page *pg;
	struct slice item;
	int i;

	if (!wr->ordered)
		return;
	for (i = 0; i < b->nitems; i++)
		if (!refused[i])
			order_confirm(&wr->order, batch_item(b, i));
	while (order_next(&wr->order, &item, &pg))
		mix_add(&wr->mix, pg, item);
}

/* Retries whose backoff is over join the mix's turn; a stopping job drops what waits. */
int batch_writer_tick(struct worker *w)
{
	struct writer *wr = writer_of(w);
	struct job *j = w->job;
	int64_t next;

	if (__atomic_load_n(&j->st.failed, __ATOMIC_ACQUIRE) || engine_stop) {
		job_add(&j->st.c.failed, (uint64_t)(wr->mix.ready + wr->mix.held));
		mix_release(&wr->mix);
		mix_init(&wr->mix);
		if (wr->ordered) {
			job_add(&j->st.c.failed, (uint64_t)order_waiting(&wr->order));
			order_release(&wr->order);
			order_init(&wr->order, j->out.desc);
		}
		return -1;
	}
	next = mix_wake(&wr->mix, clock_mono_ms());
	pump(w, 0);
	return next < 0 ? -1 : next > 1000 ? 1000 : (int)next;
}

static void count_handled(struct job *j, int deleting, int n)
{
	job_add(deleting ? &j->st.c.deleted : &j->st.c.written, (uint64_t)n);
}

static void batch_failed(struct batch *b, const char *why)
{
	struct job *j = b->w->job;

	job_add(&j->st.c.failed, (uint64_t)b->nitems);
	if (why)
		job_fail(j, b->call.outcome == HTTP_GAVE_UP && !http_call_malformed(&b->call) ?
			 EXIT_INCOMPLETE : EXIT_FAILURE_RUNTIME, "%s", why);
	batch_put(b);
}

/* The batch could not be written: says why and fails the job. */
static void batch_refused(struct batch *b)
{
	struct http_call *c = &b->call;
	struct errbuf eb = ERRBUF_INIT;
	struct buf why = BUF_INIT;

	if (http_call_malformed(c)) {
		buf_printf(&why, "BatchWriteItem to '%s' got %d malformed answers in a row (%s): is %s a DynamoDB endpoint?",
			   b->w->job->out.table, c->attempt, c->err.message, c->ep->url);
	} else if (c->outcome == HTTP_GAVE_UP) {
		buf_printf(&why, "BatchWriteItem to '%s' gave up after %d attempts (%s%s%s)",
			   b->w->job->out.table, c->attempt, c->err.type,
			   c->err.message[0] ? ": " : "", c->err.message);
	} else {
		aws_error_report(c, &eb);
		buf_printf(&why, "BatchWriteItem to '%s' was refused: %s",
			   b->w->job->out.table, eb.msg);
	}
	batch_failed(b, why.data);
	buf_release(&why);
}

/*
 * The noise level by which an answer that wrote nothing is judged. Above
 * one half it is not believed: a table that refuses most of everything must
 * still run items out of their retries.
 */
static double noise_for_chance(struct job *j)
{
	double noise = j->run.write_rate ? rate_noise(j->run.write_rate) : 0;

	return noise < 0.5 ? noise : 0.5;
}

static uint64_t backoff_ms(int n)
{
	return engine_backoff_ms(&engine_global_config, n < 12 ? n : 12) + 1;
}

/*
 * A key range whose items this answer refused, all of them, while it wrote
 * others: a hot partition, when the answer's own refusal rate makes that
 * unlikely by chance. Its items wait, longer each time, until one is
 * written. Returns the range's strikes.
 */
static int judge_ranges(struct worker *w, struct batch *b, const char *refused,
			int n, uint64_t now)
{
	struct unit *u;
	double share = (double)n / b->nitems;
	int i, k, most = 0;

	for (i = 0; i < b->nitems; i++) {
		int written = 0, lost = 0;

		u = b->pg[i]->unit;
		for (k = 0; k < i && b->pg[k]->unit != u; k++)
			;
		if (k < i)
			continue;	/* counted with its first item */
		for (k = i; k < b->nitems; k++) {
			if (b->pg[k]->unit != u)
				continue;
			if (refused[k])
				lost++;
			else
				written++;
		}
		if (written) {
			u->strikes = 0;
			u->hold_ms = 0;
		} else if (n < b->nitems && pow(share, lost) < BY_CHANCE) {
			u->strikes++;
			u->hold_ms = now + backoff_ms(u->strikes < HOLD_MAX ? u->strikes : HOLD_MAX);
			mix_hold(&writer_of(w)->mix, u, u->hold_ms);
		}
		if (!written && u->strikes > most)
			most = u->strikes < HOLD_MAX ? u->strikes : HOLD_MAX;
	}
	return most;
}

/* The refused items go back into the mix, as they were sent, due after their backoff. */
static int retry_unprocessed(struct batch *b, const int *sent, int n, int exponent,
			     uint64_t now)
{
	struct writer *wr = writer_of(b->w);
	struct mix_slot *slot = mix_retry_slot(&wr->mix, now + backoff_ms(exponent));
	int k, worst = 0;

	for (k = 0; k < n; k++) {
		int i = sent[k];

		mix_retry_add(&wr->mix, slot, b->pg[i], batch_item(b, i), b->tries[i], b->idle[i]);
		if (b->idle[i] >= engine_global_config.max_attempts ||
		    b->tries[i] >= TRIES_PER_RETRY * engine_global_config.max_attempts)
			worst = 1;
	}
	return worst;
}

static void on_batch_done(struct http_call *c)
{
	struct batch *b = c->owner;
	struct worker *w = b->w;
	struct job *j = w->job;
	struct writer *wr = writer_of(w);
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };
	char refused[BATCH_MAX_ITEMS] = { 0 };
	const int *sent = b->answer.sent;
	uint64_t now = clock_mono_ms();
	int n, i, idle, exponent = 1;

	wr->sending--;
	if (c->outcome == HTTP_CANCELLED) {
		batch_failed(b, NULL);
		return;
	}
	if (c->outcome != HTTP_OK) {
		batch_refused(b);
		return;
	}
	if (j->run.write_rate)
		rate_settle(j->run.write_rate, c->reserved, consumed_capacity(resp));
	/* Checked by check_batch: each unprocessed request is one that was sent. */
	n = b->answer.n;
	for (i = 0; i < n; i++)
		refused[sent[i]] = 1;
	count_handled(j, wr->deleting, b->nitems - n);
	if (n) {
		struct rate_ranges refused_in;

		job_add(&j->st.c.unprocessed, (uint64_t)n);
		memset(&refused_in, 0, sizeof(refused_in));
		for (i = 0; i < b->nitems; i++)
			if (refused[i])
				rate_ranges_add(&refused_in, b->pg[i]->unit->index);
		if (j->run.write_rate)
			rate_observe(j->run.write_rate, 0, c->cost * n / b->nitems, NULL, &refused_in);
		/* Nothing written, and not by chance: the table refuses. */
		idle = n == b->nitems && pow(noise_for_chance(j), b->nitems) < BY_CHANCE;
		for (i = 0; i < b->nitems; i++) {
			b->tries[i] += refused[i];
			b->idle[i] += refused[i] && idle;
			if (refused[i] && b->idle[i] + 1 > exponent)
				exponent = b->idle[i] + 1;
		}
		i = judge_ranges(w, b, refused, n, now);
		if (i + 1 > exponent)
			exponent = i + 1;
		if (retry_unprocessed(b, sent, n, exponent, now) && !engine_stop)
			/* Retries ran out, as for HTTP_GAVE_UP: resumable. */
			job_fail(j, EXIT_INCOMPLETE,
				 "items to '%s' stayed unprocessed through %d answers that wrote nothing, or %d in all (the table is throttling; lower --concurrency or set --max-wcu)",
				 j->out.table, engine_global_config.max_attempts,
				 TRIES_PER_RETRY * engine_global_config.max_attempts);
	}
	order_written(wr, b, refused);
	/* The written ones are done, last: their pages may advance, and go. */
	for (i = 0; i < b->nitems; i++)
		if (!refused[i])
			page_done(b->pg[i], 1);
	batch_put(b);
	pump(w, 0);
}

const struct sink_ops batch_writer_ops = {
	writer_item, writer_flush, writer_backlog, writer_release, writer_init,
	writer_page_end, batch_writer_tick, batch_writer_busy
};

const struct sink_ops batch_delete_ops = {
	writer_item, writer_flush, writer_backlog, writer_release, deleter_init,
	writer_page_end, batch_writer_tick, batch_writer_busy
};
