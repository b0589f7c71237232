/*
 * dynamo import -i s3://BUCKET/PREFIX/AWSDynamoDB/ID/: a DynamoDB export
 * streamed from S3 into an existing table through the normal write path
 * (batch puts, retries, --max-wcu), resumable file by file with
 * --checkpoint: what DynamoDB's own ImportTable, which only creates new
 * tables, cannot do. The S3 client is the table's side's (its profile,
 * region and credentials; AWS_ENDPOINT_URL_S3 or the profile's s3 settings
 * for the endpoint).
 */
#include "dynamo/cmd_native.h"
#include "dynamo/exitcode.h"
#include "dynamo/plan_export.h"

#include <stdio.h>
#include <string.h>

int cmd_import_s3(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct export_load x;
	struct table_desc t;
	struct stage *s;
	struct plan p;
	struct ddb d;
	struct s3 s3;
	char where[512], count[128];
	int r = -1, empty = 1;

	if (ctx_need_table(ctx) < 0)
		return -1;
	if (ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	if (ctx_open_s3(ctx, &d, &s3) < 0)
		goto out_t;
	memset(&x, 0, sizeof(x));
	x.s3 = &s3;
	x.url = o->file;
	x.no_manifest = o->no_manifest;
	ctx_plan_init(ctx, &p, "import");
	if (plan_table_empty(&d, &t, &empty, &ctx->eb) < 0 ||
	    !(s = plan_add_export_load(&p, (struct table_ref){ &d, o->table, &t }, &x, &ctx->eb)))
		goto out_plan;
	s->destructive = !empty;
	if (x.no_manifest)
		snprintf(count, sizeof(count), "%llu data files, no manifest: items not counted",
			 (unsigned long long)x.files);
	else
		snprintf(count, sizeof(count), "%llu items in %llu data files",
			 (unsigned long long)x.items, (unsigned long long)x.files);
	snprintf(s->what, sizeof(s->what), "%s every item of the export %s (%s) into '%s' in %s",
		 empty ? "write" : "put (overwriting items with the same keys)", o->file, count,
		 o->table, ddb_where(&d, where, sizeof(where)));
	p.concurrency = o->concurrency ? o->concurrency : 64;
	r = plan_run(&p);
out_plan:
	plan_release(&p);
	s3_close(&s3);
out_t:
	ctx_close_table(&d, &t);
	return r;
}
