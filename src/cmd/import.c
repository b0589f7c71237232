/*
 * dynamo import: items from DynamoDB JSON lines ({"Item":{...}} per line,
 * as DynamoDB's export to S3 writes them, or bare DynamoDB-JSON items;
 * gzip or plain; '-' for stdin) into a table, with batch writes and the
 * same retry guarantees as copy. Items with the same key overwrite each
 * other, as puts do. An s3:// URL is a DynamoDB export in S3 (import_s3.c).
 */
#include "dynamo/cmd.h"
#include "dynamo/cmd_native.h"
#include "dynamo/exitcode.h"
#include "dynamo/itemfile.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <string.h>

struct import {
	struct item_reader *reader;
	const struct table_desc *t;
	const char *file;
};

/*
 * The next item of the file, refused here, naming its line, when DynamoDB
 * would refuse its key: in a batch of 25 its refusal would name no item
 * and stop the other 24.
 */
static const char *next_item(void *ctx, struct slice *item, struct errbuf *eb)
{
	struct import *im = ctx;

	return file_item_next(im->reader, im->t, im->file, item, eb);
}

int cmd_import(struct ctx *ctx)
{
	struct import im;
	const struct options *o = &ctx->o;
	struct item_reader *rd = NULL;
	struct transform xf;
	struct mask_key key;
	struct table_desc t;
	struct stage *s;
	struct plan p;
	struct ddb d;
	char where[512], xf_text[1024];
	int r = -1, empty = 1;

	if (ctx_need_table(ctx) < 0)
		return -1;
	if (o->from)
		return cmd_import_native(ctx);
	if (o->create_target || o->like || o->schema)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--create-target, --like and --schema are for DynamoDB's ImportTable into a new table: pass the export as --from s3://BUCKET/PREFIX/AWSDynamoDB/ID/");
	if (o->source || o->s3_bucket_owner)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--source and --s3-bucket-owner are for --from (DynamoDB's ImportTable); -i reads S3 with the table's profile");
	if (!o->file)
		return errf(&ctx->eb, EXIT_USAGE,
			    "from where? pass -i/--file FILE ('-' for stdin), or the folder of a DynamoDB export in S3 (s3://BUCKET/PREFIX/AWSDynamoDB/ID/)");
	if (is_s3_url(o->file))
		return cmd_import_s3(ctx);
	if (o->no_manifest)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--no-manifest is for a DynamoDB export in S3 (-i s3://...); a local file has no manifest to do without");
	if (o->checkpoint)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--checkpoint resumes the import of an export in S3 (-i s3://...); an import of a file does not resume: run it again (puts of the same items are harmless)");
	if (ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	if (ctx_transform(ctx, &xf, &key, &t) < 0 ||
	    plan_table_empty(&d, &t, &empty, &ctx->eb) < 0 ||
	    item_reader_open(&rd, o->file, &ctx->eb) < 0)
		goto out_t;
	ctx_describe_transform(&xf, xf_text, sizeof(xf_text));
	ctx_plan_init(ctx, &p, "import");
	s = plan_add(&p, STAGE_IMPORT, "import");
	s->dst = &d;
	s->dst_table = o->table;
	s->dst_desc = &t;
	s->arg = o->file;
	im.reader = rd;
	im.t = &t;
	im.file = strcmp(o->file, "-") ? o->file : "stdin";
	s->job_ctx = &im;
	s->file_next = next_item;
	s->destructive = !empty;
	s->xf = &xf;
	s->mask_key = &key;
	snprintf(s->what, sizeof(s->what), "%s every item of %s into '%s' in %s%.600s",
		 empty ? "write" : "put (overwriting items with the same keys)",
		 strcmp(o->file, "-") ? o->file : "stdin", o->table,
		 ddb_where(&d, where, sizeof(where)), xf_text);
	p.concurrency = o->concurrency ? o->concurrency : 64;
	r = plan_run(&p);
	plan_release(&p);
	item_reader_close(rd);
out_t:
	ctx_transform_release(&xf, &key);
	ctx_close_table(&d, &t);
	return r;
}
