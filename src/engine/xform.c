/*
 * The transforms' sink (--set, --remove, --mask, --rename-prefix): put in
 * front of a job's own sink, it applies the transforms to each item and
 * hands the result on. An item no transform touches goes on as the bytes
 * DynamoDB sent; a changed one as its rewritten bytes, which the sink after
 * copies before the next item comes.
 */
#include "dynamo/exitcode.h"
#include "dynamo/job.h"

#include <stdlib.h>

struct xform_state {
	struct transformer x;	/* owned: this worker's (its masker, scratch) */
	struct buf out;		/* owned: the changed item */
	int ready;
};

static int xform_init(struct worker *w)
{
	const struct sink_ops *inner = job_own_sink(w->job);
	struct xform_state *st = xcalloc(1, sizeof(*st));
	struct errbuf eb = ERRBUF_INIT;

	w->xform_state = st;
	buf_init(&st->out, 0);
	if (transformer_init(&st->x, w->job->out.transform, w->job->out.mask_key, &eb) < 0) {
		job_fail(w->job, eb.exit ? eb.exit : EXIT_FAILURE_RUNTIME, "%s", eb.msg);
		return -1;
	}
	st->ready = 1;
	return inner->init ? inner->init(w) : 0;
}

static void xform_release(struct worker *w)
{
	const struct sink_ops *inner = job_own_sink(w->job);
	struct xform_state *st = w->xform_state;

	if (inner->release)
		inner->release(w);
	if (!st)
		return;
	if (st->ready)
		transformer_release(&st->x);
	buf_wipe_release(&st->out);	/* it held unmasked values' neighbours */
	free(st);
	w->xform_state = NULL;
}

static int xform_item(struct worker *w, struct slice item, struct page *pg)
{
	const struct sink_ops *inner = job_own_sink(w->job);
	struct xform_state *st = w->xform_state;
	int r;

	buf_reset(&st->out);
	r = transformer_apply(&st->x, item, &st->out);
	if (r < 0) {
		job_fail(w->job, EXIT_FAILURE_RUNTIME, "an item of '%s' cannot be transformed: %s",
			 w->job->in.table ? w->job->in.table : "the file", st->x.why);
		page_done(pg, 1);
		return -1;
	}
	if (r == 1)
		item = (struct slice){ st->out.data, st->out.len };
	return inner->item(w, item, pg);
}

static void xform_flush(struct worker *w)
{
	job_own_sink(w->job)->flush(w);
}

static size_t xform_backlog(struct worker *w)
{
	return job_own_sink(w->job)->backlog(w);
}

static void xform_page_end(struct worker *w, struct page *pg)
{
	const struct sink_ops *inner = job_own_sink(w->job);

	if (inner->page_end)
		inner->page_end(w, pg);
}

/* The own sink's retries keep their times: its tick and busy go through. */
static int xform_tick(struct worker *w)
{
	const struct sink_ops *inner = job_own_sink(w->job);

	return inner->tick ? inner->tick(w) : -1;
}

static int xform_busy(struct worker *w)
{
	const struct sink_ops *inner = job_own_sink(w->job);

	return inner->busy ? inner->busy(w) : 0;
}

const struct sink_ops transform_sink_ops = {
	xform_item, xform_flush, xform_backlog, xform_release, xform_init, xform_page_end,
	xform_tick, xform_busy
};
