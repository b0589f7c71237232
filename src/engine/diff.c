/*
 * diff: the two sinks that compare a source and a target table (diff.h).
 *
 * Why lookups and not sorted or hashed spill files: DynamoDB gives no order
 * across a table's partitions, so comparing two scans side by side needs
 * both sides sorted or partitioned by key first, which means writing every
 * item (or its digest) of both tables to local files and reading them back:
 * disk the size of the tables, a second pass, and nothing to print before
 * both scans end. Looking each scanned source page's keys up in the target
 * (BatchGetItem, 100 keys a request, in parallel like the scan) keeps memory
 * to the pages in flight whatever the table's size, reuses the engine's
 * segments, checkpoints and pacing as they are, prints differences as they
 * are found, and costs in reads what a second scan would (a BatchGetItem
 * of an item costs what scanning it does, rounded per item rather than per
 * 4 KB). The extras (items only in the target) need the other way round,
 * but keys only, which is cheap. The cost: two reads of the target's keys
 * and per-item rounding on the lookups; measured in bench/bench.py.
 */
#include "dynamo/diff.h"
#include "dynamo/batchget.h"
#include "dynamo/compare.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/source.h"

#include <stdlib.h>
#include <string.h>

/* A source item waiting for its target's answer. */
struct held {
	struct held *prev, *next;
	size_t n;
	char item[];
};

struct differ {
	struct batchget *get;
	struct buf key;
	struct held *held;	/* owned: items whose lookups are out */
	size_t held_bytes;
};

static struct diff_hooks *hooks(const struct worker *w)
{
	return w->job->out.ctx;
}

static void held_drop(struct differ *d, struct held *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		d->held = h->next;
	if (h->next)
		h->next->prev = h->prev;
	d->held_bytes -= h->n;
	free(h);
}

static void report(struct worker *w, enum diff_kind kind, struct slice key,
		   struct slice src, struct slice dst)
{
	struct diff_hooks *hk = hooks(w);

	hk->found(hk->arg, kind, key, src, dst);
}

static void looked_up(struct worker *w, struct page *pg, struct slice key,
		      struct slice src, void *tag);

/* The target's answer for a source item: equal, changed, or missing. */
static void compared(struct worker *w, struct page *pg, struct slice key,
		     struct slice target, void *tag)
{
	struct differ *d = w->sink_state;
	struct held *h = tag;
	struct slice src = { h->item, h->n };
	struct diff_hooks *hk = hooks(w);
	int eq = target.n ? item_equal(src, target) : 0;

	job_add(&w->job->st.c.compared, 1);
	if (eq < 0) {
		job_fail(w->job, EXIT_FAILURE_RUNTIME,
			 "an item of '%s' or '%s' is not valid DynamoDB JSON, so they cannot be compared",
			 w->job->in.table, w->job->out.lookup_table);
		page_done(pg, 1);
	} else if (eq) {
		job_add(&hk->equal, 1);
		page_done(pg, 1);
	} else {
		report(w, target.n ? DIFF_CHANGED : DIFF_ADDED, key, src, target);
		if (hk->write)
			batch_writer_ops.item(w, src, pg);	/* copies the item: it is freed below */
		else
			page_done(pg, 1);
	}
	held_drop(d, h);
}

static int writes(const struct worker *w)
{
	return hooks(w)->write;
}

static int differ_init(struct worker *w, int extras)
{
	struct job *j = w->job;
	struct differ *d = xcalloc(1, sizeof(*d));
	const char *names[5];

	if (extras)
		prune_projection(j, names);
	w->sink_state = d;
	d->get = batchget_new(w, j->out.lookup, j->out.lookup_table, j->out.lookup_desc,
			      extras ? names : NULL, extras ? looked_up : compared);
	if (hooks(w)->lookup_rate)
		batchget_set_limiter(d->get, hooks(w)->lookup_rate);
	return writes(w) ? batch_writer_ops.init(w) : 0;
}

static void differ_release(struct worker *w)
{
	struct differ *d = w->sink_state;

	if (writes(w))
		batch_writer_ops.release(w);
	if (!d)
		return;
	batchget_free(d->get);
	while (d->held)
		held_drop(d, d->held);
	buf_release(&d->key);
	free(d);
	w->sink_state = NULL;
}

static int differ_key(struct worker *w, struct slice item)
{
	struct differ *d = w->sink_state;
	const struct table_desc *t = w->job->in.desc;

	buf_reset(&d->key);
	if (item_key(item, &t->hash, &t->range, &d->key) == 0)
		return 0;
	job_fail(w->job, EXIT_FAILURE_RUNTIME, "an item of '%s' lacks the table's key attributes",
		 w->job->in.table);
	return -1;
}

static int diff_item(struct worker *w, struct slice item, struct page *pg)
{
	struct differ *d = w->sink_state;
	struct held *h;

	if (differ_key(w, item) < 0)
		return -1;
	h = xmalloc(sizeof(*h) + item.n);
	memcpy(h->item, item.p, item.n);
	h->n = item.n;
	h->prev = NULL;
	h->next = d->held;
	if (d->held)
		d->held->prev = h;
	d->held = h;
	d->held_bytes += item.n;
	batchget_key_tagged(d->get, (struct slice){ d->key.data, d->key.len }, pg, h);
	return 0;
}

/* A key of the target, and what the source holds under it. */
static void looked_up(struct worker *w, struct page *pg, struct slice key,
		      struct slice src, void *tag)
{
	const struct job *j = w->job;
	struct diff_hooks *hk = hooks(w);
	int there = src.n && source_item_matches(j, src);

	(void)tag;
	job_add(&w->job->st.c.compared, 1);
	if (there) {
		page_done(pg, 1);
		return;
	}
	report(w, DIFF_REMOVED, key, (struct slice){ NULL, 0 }, key);
	if (hk->write)
		batch_writer_ops.item(w, key, pg);	/* the job deletes */
	else
		page_done(pg, 1);
}

static int extras_item(struct worker *w, struct slice item, struct page *pg)
{
	struct differ *d = w->sink_state;

	if (differ_key(w, item) < 0)
		return -1;
	batchget_key(d->get, (struct slice){ d->key.data, d->key.len }, pg);
	return 0;
}

static void differ_flush(struct worker *w)
{
	batchget_flush(((struct differ *)w->sink_state)->get);
	if (writes(w))
		batch_writer_ops.flush(w);
}

static size_t differ_backlog(struct worker *w)
{
	struct differ *d = w->sink_state;

	return batchget_backlog(d->get) + d->held_bytes +
	       (writes(w) ? batch_writer_ops.backlog(w) : 0);
}

static int differ_tick(struct worker *w)
{
	return writes(w) ? batch_writer_tick(w) : -1;
}

static int differ_busy(struct worker *w)
{
	return writes(w) ? batch_writer_busy(w) : 0;
}

static int diff_init(struct worker *w)
{
	return differ_init(w, 0);
}

static int extras_init(struct worker *w)
{
	return differ_init(w, 1);
}

const struct sink_ops diff_ops = {
	diff_item, differ_flush, differ_backlog, differ_release, diff_init, NULL,
	differ_tick, differ_busy
};

const struct sink_ops diff_extras_ops = {
	extras_item, differ_flush, differ_backlog, differ_release, extras_init, NULL,
	differ_tick, differ_busy
};
