/*
 * dynamo export: a parallel scan into DynamoDB JSON lines, one
 * {"Item":{...}} per line (the format of DynamoDB's export to S3), gzip when
 * the file name ends in .gz, '-' for stdout. Streams in bounded memory.
 */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/itemfile.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <string.h>

/* The last write and the close can fail (a full disk): before the summary. */
static int close_file(struct plan *p, void *arg)
{
	struct item_writer **w = arg;
	int r = item_writer_close(*w, &p->ctx->eb), i;

	*w = NULL;
	/* The file was not kept (the previous one stays): nothing was saved. */
	for (i = 0; r < 0 && i < p->n; i++)
		if (p->st[i].kind == STAGE_EXPORT)
			p->st[i].c.saved = 0;
	return r;
}

int cmd_export(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct item_writer *w = NULL;
	struct table_desc t;
	struct stage *s;
	struct plan p;
	struct ddb d;
	char where[512];
	int r = -1;

	if (ctx_need_table(ctx) < 0)
		return -1;
	if (!o->file)
		return errf(&ctx->eb, EXIT_USAGE,
			    "where to? pass -o/--file FILE ('-' for stdout, .gz to compress)");
	if (!strcmp(o->file, "-") && o->json)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--json prints to stdout, where '-o -' writes the items: use a file name, or drop --json");
	if (ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	plan_init(&p, ctx, "export");
	s = plan_add(&p, STAGE_EXPORT, "export");
	s->src = &d;
	s->src_table = o->table;
	s->src_desc = &t;
	s->segments = o->segments ? o->segments : plan_default_segments(&t);
	s->estimate = (uint64_t)t.item_count;
	s->sink = &item_file_sink_ops;
	s->arg = o->file;
	snprintf(s->what, sizeof(s->what), "write every item of '%s' in %s to %s (about %lld items)",
		 o->table, ddb_where(&d, where, sizeof(where)),
		 strcmp(o->file, "-") ? o->file : "stdout", t.item_count);
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(s->segments);
	if (!o->dry_run && item_writer_open(&w, o->file, &ctx->eb) < 0)
		goto out_plan;
	s->job_ctx = w;
	p.finish = close_file;
	p.finish_arg = &w;
	r = plan_run(&p);
	/* A stage failed or was interrupted: the previous file stays as it was. */
	item_writer_abort(w);
out_plan:
	plan_release(&p);
	ctx_close_table(&d, &t);
	return r;
}
