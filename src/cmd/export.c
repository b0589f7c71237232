/*
 * dynamo export: a parallel scan into DynamoDB JSON lines, one
 * {"Item":{...}} per line (the format of DynamoDB's export to S3), gzip when
 * the file name ends in .gz, '-' for stdout. Streams in bounded memory.
 * --to s3://... is DynamoDB's own export instead (export_s3.c).
 */
#include "dynamo/cmd.h"
#include "dynamo/cmd_native.h"
#include "dynamo/exitcode.h"
#include "dynamo/itemfile.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <string.h>

/* The last write and the close can fail (a full disk): before the summary. */
static int close_file(struct plan *p, void *arg)
{
	struct item_writer **w = arg;
	int r = item_writer_close(*w, p->params.eb), i;

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
	struct selected_table st;
	struct transform xf;
	struct mask_key key;
	struct stage *s;
	struct plan p;
	const char *to;
	char xf_text[1024];
	int r = -1;

	if (o->to || o->at || o->from_time || o->to_time || o->enable_pitr || o->s3_bucket_owner)
		return cmd_export_s3(ctx);
	if (ctx_need_table(ctx) < 0)
		return -1;
	if (!o->file)
		return errf(&ctx->eb, EXIT_USAGE,
			    "where to? pass -o/--file FILE ('-' for stdout, .gz to compress), or --to s3://BUCKET/PREFIX for DynamoDB's own export");
	if (is_s3_url(o->file))
		return errf(&ctx->eb, EXIT_USAGE,
			    "-o takes a local file; for DynamoDB's export to S3 pass --to %s", o->file);
	if (!strcmp(o->file, "-") && o->json)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--json prints to stdout, where '-o -' writes the items: use a file name, or drop --json");
	if (ctx_open_selected(ctx, &st) < 0)
		return -1;
	/* The items keep the table's keys: the transforms are checked against it. */
	if (ctx_transform(ctx, &xf, &key, &st.t) < 0)
		goto out_xf;
	ctx_describe_transform(&xf, xf_text, sizeof(xf_text));
	to = strcmp(o->file, "-") ? o->file : "stdout";
	ctx_plan_init(ctx, &p, "export");
	s = plan_add(&p, STAGE_EXPORT, "export");
	s->src = &st.d;
	s->src_table = o->table;
	s->src_desc = &st.t;
	s->segments = o->segments ? o->segments : plan_default_segments(&st.t);
	s->estimate = (uint64_t)st.t.item_count;
	s->sel = &st.sel;
	s->xf = &xf;
	s->mask_key = &key;
	s->sink = &item_file_sink_ops;
	s->arg = o->file;
	if (selection_restricts(&st.sel)) {
		s->estimate = 0;	/* the table's count says nothing of the selection's */
		snprintf(s->what, sizeof(s->what),
			 "write the items with %.400s of '%s' in %s to %s (a scan of the table's about %lld items)%.600s",
			 st.text, o->table, st.where, to, st.t.item_count, xf_text);
	} else {
		snprintf(s->what, sizeof(s->what), "write every item of '%s' in %s to %s (about %lld items)%.600s",
			 o->table, st.where, to, st.t.item_count, xf_text);
	}
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
out_xf:
	ctx_transform_release(&xf, &key);
	ctx_close_selected(&st);
	return r;
}
