/*
 * fetch_then_write: an index that projects only some attributes (KEYS_ONLY,
 * INCLUDE) gives partial items, and putting those into the target would lose
 * the rest. So the items found through such an index are fetched whole with
 * BatchGetItem (100 keys a request, UnprocessedKeys resent with backoff) and
 * handed to the batch writer.
 */
#include "dynamo/job.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <stdlib.h>
#include <string.h>

#define GET_MAX_KEYS 100

struct key_ref {
	struct page *pg;
	int n;
};

struct fetch {
	struct http_call call;
	struct worker *w;
	int nkeys;			/* keys asked for in this round */
	struct key_ref refs[GET_MAX_KEYS];
	int nrefs, first_ref;		/* refs[first_ref..] still have keys out */
	int rounds, stall;
	struct fetch *next;
};

struct fetcher {
	struct buf prefix;		/* {"RequestItems":{"T":{"ConsistentRead":true,"Keys":[ */
	struct fetch *cur;
	struct fetch *free_list;
	size_t backlog;
	struct buf key;
};

#define SUFFIX "]}},\"ReturnConsumedCapacity\":\"TOTAL\"}"

static struct fetcher *fetcher_of(struct worker *w)
{
	return w->sink_state;
}

static int fetch_init(struct worker *w)
{
	struct job *j = w->job;
	struct fetcher *f = xcalloc(1, sizeof(*f));

	buf_puts(&f->prefix, "{\"RequestItems\":{");
	buf_json_str(&f->prefix, j->src_table, strlen(j->src_table));
	buf_puts(&f->prefix, ":{\"ConsistentRead\":true,\"Keys\":[");
	w->sink_state = f;
	return batch_writer_ops.init(w);
}

static void fetch_free(struct fetch *x)
{
	http_call_release(&x->call);
	free(x);
}

static void fetch_release(struct worker *w)
{
	struct fetcher *f = fetcher_of(w);
	struct fetch *x;

	batch_writer_ops.release(w);
	if (!f)
		return;
	if (f->cur)
		fetch_free(f->cur);
	while ((x = f->free_list)) {
		f->free_list = x->next;
		fetch_free(x);
	}
	buf_release(&f->prefix);
	buf_release(&f->key);
	free(f);
	w->sink_state = NULL;
}

static struct fetch *fetch_get(struct worker *w)
{
	struct fetcher *f = fetcher_of(w);
	struct fetch *x = f->free_list;

	if (x) {
		f->free_list = x->next;
	} else {
		x = xcalloc(1, sizeof(*x));
		http_call_init(&x->call);
	}
	x->w = w;
	x->nkeys = x->nrefs = x->first_ref = x->rounds = x->stall = 0;
	buf_reset(&x->call.body);
	buf_append(&x->call.body, f->prefix.data, f->prefix.len);
	return x;
}

static void fetch_put(struct fetch *x)
{
	struct fetcher *f = fetcher_of(x->w);

	f->backlog -= x->call.body.len < f->backlog ? x->call.body.len : f->backlog;
	x->next = f->free_list;
	f->free_list = x;
}

static void on_fetch_done(struct http_call *c);

static void fetch_send(struct fetch *x, uint64_t delay_ms)
{
	struct job *j = x->w->job;

	http_call_rearm(&x->call);
	ddb_prepare(j->src, &x->call, DDB_TARGET("BatchGetItem"));
	x->call.done = on_fetch_done;
	x->call.owner = x;
	x->call.limiter = j->read_rate;
	x->call.cost = x->nkeys;
	engine_submit_after(x->w->eng, &x->call, delay_ms);
}

static void fetch_submit(struct worker *w)
{
	struct fetcher *f = fetcher_of(w);
	struct fetch *x = f->cur;

	f->cur = NULL;
	buf_puts(&x->call.body, SUFFIX);
	f->backlog += x->call.body.len;
	fetch_send(x, 0);
}

static int fetch_item(struct worker *w, struct slice item, struct page *pg)
{
	struct fetcher *f = fetcher_of(w);
	struct job *j = w->job;
	struct fetch *x;

	buf_reset(&f->key);
	if (item_key(item, &j->src_desc->hash, &j->src_desc->range, &f->key) < 0) {
		job_fail(j, EXIT_FAILURE_RUNTIME,
			 "an item found through index '%s' lacks the table's key attributes",
			 j->index ? j->index : "?");
		return -1;
	}
	if (!f->cur)
		f->cur = fetch_get(w);
	x = f->cur;
	if (x->nkeys)
		buf_putc(&x->call.body, ',');
	buf_append(&x->call.body, f->key.data, f->key.len);
	x->nkeys++;
	if (x->nrefs && x->refs[x->nrefs - 1].pg == pg)
		x->refs[x->nrefs - 1].n++;
	else
		x->refs[x->nrefs++] = (struct key_ref){ pg, 1 };
	if (x->nkeys == GET_MAX_KEYS)
		fetch_submit(w);
	return 0;
}

static void fetch_flush(struct worker *w)
{
	if (fetcher_of(w)->cur)
		fetch_submit(w);
	batch_writer_ops.flush(w);
}

static size_t fetch_backlog(struct worker *w)
{
	return fetcher_of(w)->backlog + batch_writer_ops.backlog(w);
}

/* The next page with keys still out; its count drops by one. */
static struct page *take_ref(struct fetch *x)
{
	while (x->first_ref < x->nrefs && !x->refs[x->first_ref].n)
		x->first_ref++;
	if (x->first_ref == x->nrefs)
		return NULL;
	x->refs[x->first_ref].n--;
	return x->refs[x->first_ref].pg;
}

/* Hands the returned items to the writer; keys not found are done. */
static int deliver(struct fetch *x, struct slice resp, int unprocessed)
{
	struct slice responses, list, item, k;
	struct js_iter it, li;
	int returned = 0, gone, r;

	if (js_find(resp, "Responses", &responses) == 1 &&
	    js_begin(&it, responses, '{') == 0) {
		while ((r = js_next_member(&it, &k, &list)) == 1) {
			if (js_begin(&li, list, '[') < 0)
				return -1;
			while ((r = js_next_element(&li, &item)) == 1) {
				struct page *pg = take_ref(x);

				if (!pg)
					return -1;
				returned++;
				if (batch_writer_ops.item(x->w, item, pg) < 0)
					return -1;
			}
			if (r < 0)
				return -1;
		}
	}
	/* Keys that are neither returned nor unprocessed no longer exist. */
	for (gone = x->nkeys - returned - unprocessed; gone > 0; gone--) {
		struct page *pg = take_ref(x);

		if (pg)
			page_done(pg, 1);
	}
	return 0;
}

static int count_unprocessed(struct slice resp, struct slice *uk)
{
	struct slice tbl, keys, k, e;
	struct js_iter it, ki;
	int n = 0;

	uk->n = 0;
	if (js_find(resp, "UnprocessedKeys", uk) != 1 || js_begin(&it, *uk, '{') < 0)
		return 0;
	while (js_next_member(&it, &k, &tbl) == 1)
		if (js_find(tbl, "Keys", &keys) == 1 && js_begin(&ki, keys, '[') == 0)
			while (js_next_element(&ki, &e) == 1)
				n++;
	return n;
}

static void fetch_failed(struct fetch *x, const char *why)
{
	struct job *j = x->w->job;

	job_add(&j->c.failed, (uint64_t)x->nkeys);
	if (why)
		job_fail(j, x->call.outcome == HTTP_GAVE_UP ? EXIT_INCOMPLETE :
			 EXIT_FAILURE_RUNTIME, "%s", why);
	fetch_put(x);
}

static void on_fetch_done(struct http_call *c)
{
	struct fetch *x = c->owner;
	struct job *j = x->w->job;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len }, uk;
	struct errbuf eb = ERRBUF_INIT;
	struct buf body = BUF_INIT;
	int n;

	if (c->outcome != HTTP_OK) {
		if (c->outcome != HTTP_CANCELLED)
			aws_error_report(c, &eb);
		fetch_failed(x, c->outcome == HTTP_CANCELLED ? NULL : eb.msg);
		return;
	}
	if (j->read_rate)
		rate_settle(j->read_rate, c->reserved, consumed_capacity(resp));
	n = count_unprocessed(resp, &uk);
	if (deliver(x, resp, n) < 0) {
		fetch_failed(x, "BatchGetItem answered with items that do not match the keys asked for");
		return;
	}
	if (!n) {
		fetch_put(x);
		return;
	}
	x->stall = n == x->nkeys ? x->stall + 1 : 0;
	if (x->stall >= engine_global_config.max_attempts || engine_stop) {
		x->nkeys = n;
		fetch_failed(x, engine_stop ? NULL :
			     "BatchGetItem kept returning the same keys unprocessed (the source is throttling; lower --concurrency or set --max-rcu)");
		return;
	}
	buf_puts(&body, "{\"RequestItems\":");
	buf_append(&body, uk.p, uk.n);
	buf_puts(&body, ",\"ReturnConsumedCapacity\":\"TOTAL\"}");
	buf_release(&x->call.body);
	x->call.body = body;
	x->nkeys = n;
	x->rounds++;
	fetch_send(x, engine_backoff_ms(&engine_global_config,
					x->rounds < 12 ? x->rounds : 12) + 1);
}

const struct sink_ops fetch_then_write_ops = {
	fetch_item, fetch_flush, fetch_backlog, fetch_release, fetch_init, NULL
};
