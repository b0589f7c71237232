/*
 * dynamo count: how many items a selection holds, counted by DynamoDB (a
 * parallel Scan, or the Queries of --pk, with Select COUNT), so nothing but
 * the counts crosses the network.
 */
#include "dynamo/cmd.h"
#include "dynamo/plan.h"

#include <stdio.h>

/* Counted pages carry no items: the sink only has to exist. */
static int no_item(struct worker *w, struct slice item, struct page *pg)
{
	(void)w;
	(void)item;
	page_done(pg, 1);
	return 0;
}

static void no_flush(struct worker *w)
{
	(void)w;
}

static size_t no_backlog(struct worker *w)
{
	(void)w;
	return 0;
}

/* The page's count, as "saved": what progress and the summary show as done. */
static void counted(struct worker *w, struct page *pg)
{
	job_add(&w->job->st.c.saved, pg->unit->answer.count);
}

static const struct sink_ops count_sink_ops = {
	no_item, no_flush, no_backlog, NULL, NULL, counted, NULL, NULL
};

/* The number on stdout, before the summary (with --json, the summary holds it). */
static int print_count(struct plan *p, void *arg)
{
	(void)arg;
	if (!p->params.json)
		printf("%llu\n", (unsigned long long)p->st[p->n - 1].c.read);
	return 0;
}

int cmd_count(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct selected_table st;
	struct stage *s;
	struct plan p;
	int r, some;

	if (ctx_need_table(ctx) < 0 || ctx_open_selected(ctx, &st) < 0)
		return -1;
	some = selection_restricts(&st.sel);
	ctx_plan_init(ctx, &p, "count");
	p.saved_word = "counted";
	s = plan_add(&p, STAGE_COUNT, "count");
	s->src = &st.d;
	s->src_table = o->table;
	s->src_desc = &st.t;
	s->sel = &st.sel;
	s->sink = &count_sink_ops;
	s->segments = o->segments ? o->segments : plan_default_segments(&st.t);
	s->estimate = some ? 0 : (uint64_t)st.t.item_count;
	snprintf(s->what, sizeof(s->what), "count the items%s%.400s of '%s'%s%s in %s (%s; DescribeTable says about %lld items)",
		 some ? " with " : "", st.text, o->table, o->index ? " index " : "",
		 o->index ? o->index : "", st.where,
		 selection_by_query(&st.sel) ? "a Query per partition key" : "a parallel Scan",
		 st.t.item_count);
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(s->segments);
	p.finish = print_count;
	r = plan_run(&p);
	plan_release(&p);
	ctx_close_selected(&st);
	return r;
}
