/*
 * The batch writer sink: items become BatchWriteItem requests of up to 25
 * puts or deletes (and under the 16 MB request limit) without being parsed
 * or rebuilt. UnprocessedItems are sent again, as the bytes the service
 * returned, with capped exponential backoff and jitter, until every item is
 * written or the retries run out and the job fails loudly.
 */
#include "dynamo/job.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX_ITEMS 25
#define BATCH_MAX_BYTES ((16u << 20) - (64u << 10))
#define SUFFIX "]},\"ReturnConsumedCapacity\":\"TOTAL\"}"

struct batch_ref {
	struct page *pg;
	int n;
};

struct batch {
	struct http_call call;
	struct worker *w;
	int nitems;			/* items in the request being sent */
	struct batch_ref refs[BATCH_MAX_ITEMS];
	int nrefs;
	int rounds;			/* responses that left items unprocessed */
	int fewest;			/* fewest items any answer left unprocessed */
	int stall;			/* answers since that last went down */
	struct ddb_batch_write answer;	/* the checked answer */
	size_t item_off[BATCH_MAX_ITEMS];	/* where each item (or key) is in the body */
	size_t item_len[BATCH_MAX_ITEMS];
	size_t counted;			/* bytes counted in the backlog */
	struct batch *next;		/* free list */
};

struct writer {
	struct buf prefix;		/* {"RequestItems":{"T":[ */
	int deleting;
	struct batch *cur;		/* being filled */
	struct batch *free_list;
	size_t backlog;
	struct buf key;			/* scratch: a key extracted for a delete */
};

static struct writer *writer_of(struct worker *w)
{
	return w->writer;
}

static int writer_init(struct worker *w)
{
	struct job *j = w->job;
	struct writer *wr = xcalloc(1, sizeof(*wr));

	buf_puts(&wr->prefix, "{\"RequestItems\":{");
	buf_json_str(&wr->prefix, j->dst_table, strlen(j->dst_table));
	buf_puts(&wr->prefix, ":[");
	wr->deleting = j->sink == SINK_DELETE || j->deletes;
	w->writer = wr;
	return 0;
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
	if (wr->cur)
		batch_free(wr->cur);
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
	b->nitems = b->nrefs = b->rounds = b->stall = 0;
	b->fewest = BATCH_MAX_ITEMS + 1;
	b->counted = 0;
	buf_reset(&b->call.body);
	buf_append(&b->call.body, wr->prefix.data, wr->prefix.len);
	return b;
}

static void batch_put(struct batch *b)
{
	struct writer *wr = writer_of(b->w);

	wr->backlog -= b->counted;
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

/* The engine's check of an answer: nothing is counted or resent from a malformed one. */
static int check_batch(struct http_call *c, char *why, size_t n)
{
	struct batch *b = c->owner;
	const struct job *j = b->w->job;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };

	struct slice body = { b->call.body.data ? b->call.body.data : "", b->call.body.len };

	return ddb_batch_write_parse(resp, j->dst_table, body, j->dst_desc, &b->answer, why, n);
}

static void batch_send(struct batch *b, uint64_t delay_ms)
{
	struct worker *w = b->w;
	struct job *j = w->job;

	http_call_rearm(&b->call);
	ddb_prepare(j->dst, &b->call, DDB_TARGET("BatchWriteItem"));
	b->call.check = check_batch;
	b->call.done = on_batch_done;
	b->call.owner = b;
	b->call.limiter = j->write_rate;
	engine_submit_after(w->eng, &b->call, delay_ms);
}

static void batch_submit(struct worker *w)
{
	struct writer *wr = writer_of(w);
	struct batch *b = wr->cur;

	wr->cur = NULL;
	buf_puts(&b->call.body, SUFFIX);
	b->counted = b->call.body.len;
	wr->backlog += b->counted;
	batch_send(b, 0);
}

static void add_ref(struct batch *b, struct page *pg)
{
	if (b->nrefs && b->refs[b->nrefs - 1].pg == pg) {
		b->refs[b->nrefs - 1].n++;
		return;
	}
	b->refs[b->nrefs].pg = pg;
	b->refs[b->nrefs++].n = 1;
}

/*
 * Whether the batch already writes an item with this key. DynamoDB refuses
 * a batch that names a key twice ("Provided list of item keys contains
 * duplicates"); an import file may hold a key twice (puts of it overwrite
 * each other), so such an item starts the next batch. Scans and queries
 * never return a key twice, so only file sources pay for the check.
 */
static int holds_key(const struct batch *b, struct slice item)
{
	const struct job *j = b->w->job;
	int i;

	if (j->source != SOURCE_FILE || !j->dst_desc)
		return 0;
	for (i = 0; i < b->nitems; i++)
		if (ddb_same_key((struct slice){ b->call.body.data + b->item_off[i], b->item_len[i] },
				 item, j->dst_desc))
			return 1;
	return 0;
}

static int writer_item(struct worker *w, struct slice item, struct page *pg)
{
	struct writer *wr = writer_of(w);
	struct job *j = w->job;
	struct slice payload = item;
	size_t need;

	if (wr->deleting && !j->keys_only) {
		buf_reset(&wr->key);
		if (item_key(item, &j->dst_desc->hash, &j->dst_desc->range, &wr->key) < 0) {
			job_fail(j, EXIT_FAILURE_RUNTIME,
				 "an item read from '%s' lacks the key attributes of '%s'",
				 j->src_table, j->dst_table);
			return -1;
		}
		payload.p = wr->key.data;
		payload.n = wr->key.len;
	}
	need = payload.n + 32;
	if (wr->cur && (wr->cur->nitems == BATCH_MAX_ITEMS ||
			wr->cur->call.body.len + need + sizeof(SUFFIX) > BATCH_MAX_BYTES ||
			holds_key(wr->cur, payload)))
		batch_submit(w);
	if (!wr->cur) {
		wr->cur = batch_get(w);
		wr->cur->call.cost = 0;
	}
	if (wr->cur->nitems)
		buf_putc(&wr->cur->call.body, ',');
	buf_puts(&wr->cur->call.body, wr->deleting ? "{\"DeleteRequest\":{\"Key\":" :
		 "{\"PutRequest\":{\"Item\":");
	wr->cur->item_off[wr->cur->nitems] = wr->cur->call.body.len;
	wr->cur->item_len[wr->cur->nitems] = payload.n;
	buf_append(&wr->cur->call.body, payload.p, payload.n);
	buf_puts(&wr->cur->call.body, "}}");
	wr->cur->call.cost += write_cost(payload.n, wr->deleting);
	wr->cur->nitems++;
	add_ref(wr->cur, pg);
	return 0;
}

static void writer_flush(struct worker *w)
{
	if (writer_of(w)->cur)
		batch_submit(w);
}

static size_t writer_backlog(struct worker *w)
{
	return writer_of(w)->backlog;
}

/* Every item of the batch is written: the pages they came from may advance. */
static void batch_finished(struct batch *b)
{
	int i;

	for (i = 0; i < b->nrefs; i++)
		page_done(b->refs[i].pg, (size_t)b->refs[i].n);
	batch_put(b);
}

static void batch_failed(struct batch *b, const char *why)
{
	struct job *j = b->w->job;

	job_add(&j->c.failed, (uint64_t)b->nitems);
	if (why)
		job_fail(j, b->call.outcome == HTTP_GAVE_UP && !http_call_malformed(&b->call) ?
			 EXIT_INCOMPLETE : EXIT_FAILURE_RUNTIME, "%s", why);
	batch_put(b);
}

static void resend_unprocessed(struct batch *b, struct slice list, int n)
{
	struct writer *wr = writer_of(b->w);
	struct buf body = BUF_INIT;
	const struct engine_config *cfg = &engine_global_config;

	/* list is "[...]": keep its elements, rebuilt around our prefix. */
	buf_append(&body, wr->prefix.data, wr->prefix.len);
	buf_append(&body, list.p + 1, list.n - 2);
	buf_puts(&body, SUFFIX);
	buf_release(&b->call.body);
	b->call.body = body;
	b->call.cost = write_cost(list.n / (size_t)n, wr->deleting) * n;
	b->nitems = n;
	b->rounds++;
	batch_send(b, engine_backoff_ms(cfg, b->rounds < 12 ? b->rounds : 12) + 1);
}

static void count_handled(struct job *j, int deleting, int n)
{
	job_add(deleting ? &j->c.deleted : &j->c.written, (uint64_t)n);
}

/* The batch could not be written: says why and fails the job. */
static void batch_refused(struct batch *b)
{
	struct http_call *c = &b->call;
	struct errbuf eb = ERRBUF_INIT;
	struct buf why = BUF_INIT;

	if (http_call_malformed(c)) {
		buf_printf(&why, "BatchWriteItem to '%s' got %d malformed answers in a row (%s): is %s a DynamoDB endpoint?",
			   b->w->job->dst_table, c->attempt, c->err.message, c->ep->url);
	} else if (c->outcome == HTTP_GAVE_UP) {
		buf_printf(&why, "BatchWriteItem to '%s' gave up after %d attempts (%s%s%s)",
			   b->w->job->dst_table, c->attempt, c->err.type,
			   c->err.message[0] ? ": " : "", c->err.message);
	} else {
		aws_error_report(c, &eb);
		buf_printf(&why, "BatchWriteItem to '%s' was refused: %s",
			   b->w->job->dst_table, eb.msg);
	}
	batch_failed(b, why.data);
	buf_release(&why);
}

static void on_batch_done(struct http_call *c)
{
	struct batch *b = c->owner;
	struct worker *w = b->w;
	struct job *j = w->job;
	struct writer *wr = writer_of(w);
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };
	struct slice list;
	struct buf why = BUF_INIT;
	int n;

	if (c->outcome == HTTP_CANCELLED) {
		batch_failed(b, NULL);
		return;
	}
	if (c->outcome != HTTP_OK) {
		batch_refused(b);
		return;
	}
	if (j->write_rate)
		rate_settle(j->write_rate, c->reserved, consumed_capacity(resp));
	list = b->answer.unprocessed;
	n = b->answer.n;
	count_handled(j, wr->deleting, b->nitems - n);
	if (!n) {
		batch_finished(b);
		return;
	}
	/*
	 * The retry bound counts answers that bring no net progress: only an
	 * answer leaving fewer items unprocessed than every answer before
	 * restarts the count. (Resetting on any change let a server that
	 * alternates 24 and 25 unprocessed items keep a batch going forever.)
	 * The fewest can go down at most 25 times, so a batch gets at most
	 * 25 x max_attempts answers that leave items unprocessed.
	 */
	if (n < b->fewest) {
		b->fewest = n;
		b->stall = 0;
	} else {
		b->stall++;
	}
	if (b->stall >= engine_global_config.max_attempts || engine_stop) {
		b->nitems = n;
		buf_printf(&why, "%d items to '%s' stayed unprocessed after %d tries in a row (the table is throttling; lower --concurrency or set --max-wcu)",
			   n, j->dst_table, b->stall);
		/* Retries ran out, as for HTTP_GAVE_UP: resumable. */
		if (!engine_stop)
			job_fail(j, EXIT_INCOMPLETE, "%s", why.data);
		batch_failed(b, NULL);
		buf_release(&why);
		return;
	}
	resend_unprocessed(b, list, n);
}

const struct sink_ops batch_writer_ops = {
	writer_item, writer_flush, writer_backlog, writer_release, writer_init,
	NULL
};
