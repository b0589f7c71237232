/*
 * dynamo copy --via s3://BUCKET/PREFIX: a whole table moved through
 * DynamoDB's own export instead of a scan. The source's export
 * (ExportTableToPointInTime, on AWS's side, no read capacity) lands in the
 * bucket; then either ImportTable creates the missing target from it (no
 * write capacity, billed per GB), or dynamo writes the export's files into
 * the existing target through the normal write path, between copy's backup
 * and prune. copy.c plans the stages around it; this file adds the export
 * and the import.
 *
 * What an export cannot do is refused before anything starts: a selection
 * or transforms (an export holds the whole table as it is), an index,
 * slices, --follow, and --checkpoint (the export runs on AWS's side and its
 * files are not known until it ends: an interrupted run's export is loaded
 * with `dynamo import -i FOLDER --checkpoint F`).
 */
#include "dynamo/cmd_native.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *refused_flag(const struct options *o, const struct selection *sel,
				const struct transform *xf)
{
	if (o->npk || selection_restricts(sel))
		return "a selection (--pk, --pk-prefix, --sk..., --filter)";
	if (transform_any(xf))
		return "--set/--remove/--mask/--rename-prefix";
	if (o->index)
		return "-i/--index";
	if (o->slice_k || o->prepare_only)
		return "--slice/--prepare-only";
	if (o->follow)
		return "--follow";
	if (o->checkpoint)
		return "--checkpoint";
	if (o->billing)
		return "--billing";
	if (o->max_rcu > 0)
		return "--max-rcu";
	return NULL;
}

int copy_via_check(struct ctx *ctx, const struct selection *sel, const struct transform *xf)
{
	const struct options *o = &ctx->o;
	const char *flag;

	if (!o->via) {
		if (!o->enable_pitr && !o->s3_bucket_owner && !o->no_manifest)
			return 0;
		return errf(&ctx->eb, EXIT_USAGE, "%s only goes with --via s3://BUCKET/PREFIX (add --via, or drop it)",
			    o->enable_pitr ? "--enable-pitr" : o->s3_bucket_owner ? "--s3-bucket-owner" : "--no-manifest");
	}
	flag = refused_flag(o, sel, xf);
	if (!flag)
		return 0;
	return errf(&ctx->eb, EXIT_USAGE,
		    "--via copies the whole table through DynamoDB's export, which reads no capacity and cannot go with %s: drop one of them (an interrupted --via run's export loads with dynamo import -i FOLDER --checkpoint FILE)",
		    flag);
}

static void add_native_import(struct copy_via *cv, const struct copy_via_sides *v, struct plan *p)
{
	struct stage *s;

	cv->load.d = v->dst;
	cv->load.schema = v->sd;
	cv->load.x.url = cv->ex.folder;
	cv->load.x.no_manifest = cv->ex.ctx->o.no_manifest;
	cv->load.survey_s3 = &cv->s3;
	cv->load.bucket_owner = cv->ex.ctx->o.s3_bucket_owner;
	s = plan_add_native_import(p, &cv->load, v->target_table);
	s->s3_bucket = cv->ex.url.bucket;	/* the export's folder is known once it ends */
	s->s3_prefix = cv->user_prefix;
	s->estimate = v->sd->item_count > 0 ? (uint64_t)v->sd->item_count : 0;
	snprintf(s->what, sizeof(s->what),
		 "create '%s' in %s with DynamoDB's ImportTable from that export (the keys, indexes and billing of '%s'; no write capacity used, billed per GB)",
		 v->target_table, v->dst_where, v->sd->name);
	plan_add_setup_imported(p, (struct table_ref){ v->src, v->sd->name, v->sd },
				(struct table_ref){ v->dst, v->target_table, v->sd });
}

static void add_load(struct copy_via *cv, const struct copy_via_sides *v, struct plan *p,
		     int target_empty)
{
	struct stage *s;

	cv->files.s3 = &cv->s3;
	cv->files.url = cv->ex.folder;
	cv->files.no_manifest = cv->ex.ctx->o.no_manifest;
	s = plan_add_export_load_later(p, (struct table_ref){ v->dst, v->target_table, v->td }, &cv->files);
	s->s3_bucket = cv->ex.url.bucket;
	s->s3_prefix = cv->user_prefix;
	s->estimate = v->sd->item_count > 0 ? (uint64_t)v->sd->item_count : 0;
	s->destructive = !target_empty;
	snprintf(s->what, sizeof(s->what),
		 "%s every item of that export into '%s' in %s (about %lld items, through batch writes)",
		 target_empty ? "write" : "put (over items with the same keys)", v->target_table,
		 v->dst_where, v->sd->item_count);
}

/*
 * Each run exports under a prefix of its own, PREFIX/dynamo-TABLE-STAMP, so
 * that its export is the only one there (and a later run's never mixes in).
 */
static int own_prefix(struct s3_export *x, const char *table)
{
	struct buf key = BUF_INIT;
	char stamp[32];

	clock_format_name(clock_wall(), stamp);
	buf_printf(&key, "%s%sdynamo-%s-%s", x->url.key, x->url.key[0] ? "/" : "", table, stamp);
	free(x->url.key);
	x->url.key = buf_detach(&key);
	return strlen(x->url.key) > 1000 ? -1 : 0;
}

int copy_via_stages(struct ctx *ctx, struct copy_via *cv, const struct copy_via_sides *v,
		    struct plan *p, int target_empty)
{
	/* ImportTable creates the target with the source's keys and indexes: not every table's. */
	if (!v->td && native_import_check(ctx, v->sd, v->target_table) < 0)
		return -1;
	cv->ex.ctx = ctx;
	cv->ex.d = v->src;
	cv->ex.t = v->sd;
	cv->ex.quiet = 1;
	if (export_s3_url(ctx, &cv->ex, ctx->o.via, "--via") < 0)
		return -1;
	cv->url_parsed = 1;
	/* IAM grants the user's prefix: each run's own one is under it. */
	cv->user_prefix = xstrdup(cv->ex.url.key);
	if (own_prefix(&cv->ex, v->sd->name) < 0)
		return errf(&ctx->eb, EXIT_USAGE, "--via '%s': the prefix is too long", ctx->o.via);
	/* The target's side reads the export: its credentials, its S3 settings. */
	if (ctx_open_s3(ctx, v->dst, &cv->s3) < 0)
		return -1;
	cv->s3_open = 1;
	if (export_s3_plan(ctx, &cv->ex, p) < 0)
		return -1;
	p->st[p->n - 1].s3_prefix = cv->user_prefix;
	if (v->td)
		add_load(cv, v, p, target_empty);
	else
		add_native_import(cv, v, p);
	return 0;
}

void copy_via_release(struct copy_via *cv)
{
	if (cv->s3_open)
		s3_close(&cv->s3);
	if (cv->url_parsed)
		s3_url_release(&cv->ex.url);
	free(cv->user_prefix);
}
