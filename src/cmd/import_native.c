/*
 * dynamo import -t NEW --from s3://BUCKET/PREFIX/AWSDynamoDB/ID/
 * --create-target (--like TABLE | --schema FILE): DynamoDB's own ImportTable,
 * which creates NEW and loads the export's data files on AWS's side (no
 * write capacity; billed per GB), waited for with progress.
 *
 * Checked before anything starts: NEW does not exist, the schema is a
 * table's (keys, attribute types; ImportTable cannot make local secondary
 * indexes), the export's summary and manifest add up. The new table gets
 * the keys, GSIs and billing of the schema.
 */
#include "dynamo/cmd_native.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/native.h"
#include "dynamo/plan_export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* An import can take hours on a big export; after a week it is followed in AWS. */
#define IMPORT_WAIT_S (7 * 86400)
#define SCHEMA_MAX (1u << 20)

static int on_progress(void *arg, const struct native_import *im)
{
	struct native_load *n = arg;

	if (im->status != NATIVE_IN_PROGRESS || !wait_note_due(&n->last_note_ms))
		return 0;
	msg_info("import from %s: %s for %llus, %lld of %llu items processed (%s)",
		 n->x.url, im->status_text, (unsigned long long)((n->last_note_ms - n->started_ms) / 1000),
		 im->processed_items < 0 ? 0 : im->processed_items,
		 (unsigned long long)n->x.items, im->arn);
	return 0;
}

static int run_import(struct plan *p, struct stage *s, int ck_stage)
{
	struct native_load *n = s->job_ctx;
	struct native_import_spec spec;
	struct native_import im;

	(void)ck_stage;
	/* copy --via: the export was made by the stage before. */
	if (n->survey_s3) {
		n->x.s3 = n->survey_s3;
		if (export_load_survey(&n->x, p->params.eb) < 0)
			return -1;
		s->estimate = n->x.items;
	}
	memset(&spec, 0, sizeof(spec));
	spec.bucket = n->x.bucket;
	spec.prefix = n->x.data_prefix;
	spec.bucket_owner = n->bucket_owner;
	spec.table = n->schema->raw;
	spec.table_name = s->dst_table;
	if (native_import_start(n->d, &spec, &im, p->params.eb) < 0)
		return -1;
	n->started_ms = n->last_note_ms = clock_mono_ms();
	msg_info("import into new table '%s' started (%s); waiting for it (it goes on in AWS if dynamo stops: aws dynamodb describe-import --import-arn %s)",
		 s->dst_table, im.arn, im.arn);
	snprintf(s->result, sizeof(s->result), "%s", im.arn);
	if (im.status != NATIVE_COMPLETED &&
	    native_import_wait(n->d, im.arn, 15000, IMPORT_WAIT_S, on_progress, n, &im, p->params.eb) < 0)
		return -1;
	s->c.read = im.processed_items > 0 ? (uint64_t)im.processed_items : 0;
	s->c.written = im.imported_items > 0 ? (uint64_t)im.imported_items : 0;
	if (im.errors > 0)
		plan_warn(p, "%lld items of the export could not be imported into '%s' (ImportTable logs them to CloudWatch Logs)",
			  im.errors, s->dst_table);
	if (!n->x.no_manifest && im.imported_items >= 0 && (uint64_t)im.imported_items != n->x.items)
		plan_warn(p, "'%s' got %lld items, the export's summary says %llu", s->dst_table,
			  im.imported_items, (unsigned long long)n->x.items);
	msg_info("imported %lld items into new table '%s'", im.imported_items, s->dst_table);
	return 0;
}

/* The schema from `dynamo describe --json` (a Table object) or `aws dynamodb describe-table` ({"Table":...}). */
static int read_schema(struct ctx *ctx, struct table_desc *t)
{
	struct errbuf why = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	cJSON *doc, *table;

	if (buf_read_file(&b, ctx->o.schema, SCHEMA_MAX) < 0)
		return errf(&ctx->eb, EXIT_IO, "cannot read --schema '%s': %s", ctx->o.schema,
			    errno == EFBIG ? "larger than 1 MB" : strerror(errno));
	doc = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	buf_release(&b);
	table = cJSON_DetachItemFromObjectCaseSensitive(doc, "Table");
	if (!table) {
		table = doc;
		doc = NULL;
	}
	cJSON_Delete(doc);
	if (!cJSON_IsObject(table) || !cJSON_GetObjectItemCaseSensitive(table, "KeySchema")) {
		cJSON_Delete(table);
		return errf(&ctx->eb, EXIT_USAGE,
			    "--schema '%s' is not a table's description (no KeySchema): write it with 'dynamo describe -t TABLE --json'",
			    ctx->o.schema);
	}
	if (table_from_json(t, table, &why) < 0)
		return errf(&ctx->eb, EXIT_USAGE, "--schema '%s': %s", ctx->o.schema, why.msg);
	return 0;
}

/* --like TABLE, described with --source's profile (default: the table's). */
static int read_like(struct ctx *ctx, struct table_desc *t)
{
	const struct options *o = &ctx->o;
	struct ddb src;
	int r;

	if (table_name_check("--like", o->like, &ctx->eb) < 0 ||
	    ctx_open(ctx, &src, o->source ? o->source : o->profile, o->region, o->endpoint_url) < 0)
		return -1;
	r = table_describe(&src, o->like, t, &ctx->eb);
	ddb_close(&src);
	return r;
}

static int check_flags(struct ctx *ctx)
{
	const struct options *o = &ctx->o;

	if (!o->create_target)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--from imports with DynamoDB's ImportTable, which creates the table: add --create-target (or load an existing table with -i %s)",
			    o->from);
	if (o->file)
		return errf(&ctx->eb, EXIT_USAGE,
			    "-i and --from are two kinds of import (dynamo's writes into an existing table, DynamoDB's ImportTable into a new one): give one");
	if (!is_s3_url(o->from))
		return errf(&ctx->eb, EXIT_USAGE,
			    "--from '%s' is not an S3 URL (expected s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT-ID/)", o->from);
	if (!o->like == !o->schema)
		return errf(&ctx->eb, EXIT_USAGE,
			    "the new table needs a schema: pass --like TABLE (an existing table's) or --schema FILE ('dynamo describe --json' output), one of them");
	if (o->checkpoint || o->max_wcu > 0 || o->concurrency)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--checkpoint, --max-wcu and --concurrency tune dynamo's writes; DynamoDB's ImportTable (--from) uses no write capacity: drop them");
	return 0;
}

/* NEW must not exist: ImportTable only creates tables. */
static int check_new(struct ctx *ctx, struct ddb *d)
{
	struct errbuf why = ERRBUF_INIT;
	struct table_desc t;
	char where[512];

	if (table_describe(d, ctx->o.table, &t, &why) == 0) {
		table_desc_release(&t);
		return errf(&ctx->eb, EXIT_USAGE,
			    "table '%s' already exists in %s: ImportTable creates a new table; load an existing one with -i URL (without --create-target)",
			    ctx->o.table, ddb_where(d, where, sizeof(where)));
	}
	if (why.exit != EXIT_NOT_FOUND) {
		ctx->eb = why;
		return -1;
	}
	return 0;
}

/* What ImportTable would refuse in the schema (local secondary indexes) is refused now. */
int native_import_check(struct ctx *ctx, const struct table_desc *schema, const char *table)
{
	struct native_import_spec spec;
	cJSON *req;

	memset(&spec, 0, sizeof(spec));
	spec.bucket = "example-bucket";
	spec.table = schema->raw;
	spec.table_name = table;
	req = native_import_request(&spec, &ctx->eb);
	cJSON_Delete(req);
	return req ? 0 : -1;
}

struct stage *plan_add_native_import(struct plan *p, struct native_load *n, const char *table)
{
	struct stage *s = plan_add(p, STAGE_CUSTOM, "import");

	s->custom = CUSTOM_IMPORT_TABLE;
	s->arg = n->x.url;
	s->run = run_import;
	s->job_ctx = n;
	s->dst = n->d;
	s->dst_table = table;
	s->estimate = n->x.items;
	return s;
}

static int plan_import(struct ctx *ctx, struct native_load *n, struct plan *p)
{
	const struct options *o = &ctx->o;
	char where[512];
	struct stage *s;
	struct s3 s3;
	int r;

	if (check_new(ctx, n->d) < 0)
		return -1;
	if ((o->like ? read_like(ctx, &n->schema_own) : read_schema(ctx, &n->schema_own)) < 0)
		return -1;
	n->schema = &n->schema_own;
	if (native_import_check(ctx, n->schema, ctx->o.table) < 0)
		return -1;
	if (ctx_open_s3(ctx, n->d, &s3) < 0)
		return -1;
	n->x.s3 = &s3;
	n->x.url = o->from;
	n->x.no_manifest = o->no_manifest;
	r = export_load_survey(&n->x, &ctx->eb);
	n->x.s3 = NULL;
	s3_close(&s3);
	if (r < 0)
		return -1;
	s = plan_add_native_import(p, n, o->table);
	snprintf(s->what, sizeof(s->what),
		 "create '%s' in %s with DynamoDB's ImportTable from %s (%llu items in %llu data files; billed per GB, no write capacity used), with the keys, indexes and billing of %s%s%s",
		 o->table, ddb_where(n->d, where, sizeof(where)), o->from,
		 (unsigned long long)n->x.items, (unsigned long long)n->x.files,
		 o->like ? "table '" : "", o->like ? o->like : o->schema, o->like ? "'" : "");
	return 0;
}

int cmd_import_native(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct native_load n;
	struct plan p;
	struct ddb d;
	int r = -1;

	if (ctx_need_table(ctx) < 0 || check_flags(ctx) < 0)
		return -1;
	if (ctx_open(ctx, &d, o->profile, o->region, o->endpoint_url) < 0)
		return -1;
	memset(&n, 0, sizeof(n));
	n.d = &d;
	n.bucket_owner = o->s3_bucket_owner;
	ctx_plan_init(ctx, &p, "import");
	if (plan_import(ctx, &n, &p) == 0)
		r = plan_run(&p);
	plan_release(&p);
	table_desc_release(&n.schema_own);
	ddb_close(&d);
	return r;
}
