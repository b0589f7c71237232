/*
 * dynamo export --to s3://BUCKET/PREFIX: DynamoDB's own export
 * (ExportTableToPointInTime), which reads no capacity and runs on AWS's
 * side, written as gzip DynamoDB JSON under PREFIX/AWSDynamoDB/ID/.
 *
 * The plan: [enable-pitr] (only with --enable-pitr and PITR off: a
 * confirmed step, AWS bills it) then export (start, then wait with
 * progress). Everything that can be checked before the export starts is:
 * the URL, the bucket (a missing one is named), PITR, --at against the
 * restorable window. The export folder goes to stdout (and the --json
 * result), for `dynamo import -i` or ImportTable.
 */
#include "dynamo/cmd_native.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/native.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An export can take hours on a big table; after a week it is followed in AWS. */
#define EXPORT_WAIT_S (7 * 86400)

/* Polls are quiet; a line now and then (each poll with progress on) says it is alive. */
static int on_progress(void *arg, const struct native_export *e)
{
	struct s3_export *x = arg;

	if (e->status != NATIVE_IN_PROGRESS || !wait_note_due(&x->last_note_ms))
		return 0;
	msg_info("export of '%s': %s for %llus (%s)", x->t->name, e->status_text,
		 (unsigned long long)((x->last_note_ms - x->started_ms) / 1000), e->arn);
	return 0;
}

static int enable_pitr(struct plan *p, struct stage *s, int ck_stage)
{
	struct s3_export *x = s->job_ctx;

	(void)ck_stage;
	if (native_pitr_enable(x->d, x->t->name, 0, &x->pitr, p->params.eb) < 0)
		return -1;
	msg_info("point-in-time recovery of '%s' is on", x->t->name);
	snprintf(s->result, sizeof(s->result), "ENABLED");
	return 0;
}

/* The export's folder, s3://BUCKET/PREFIX/AWSDynamoDB/ID/, from its manifest's key. */
static void export_folder(const struct native_export *e, char *out, size_t n)
{
	const char *slash = strrchr(e->manifest, '/');

	if (e->manifest[0] && slash)
		snprintf(out, n, "s3://%s/%.*s/", e->bucket, (int)(slash - e->manifest), e->manifest);
	else
		snprintf(out, n, "s3://%s/%s%s", e->bucket, e->prefix, e->prefix[0] ? "/" : "");
}

/*
 * An export whose answer names no manifest (some emulators' do not): its
 * folder is the one export ID under PREFIX/AWSDynamoDB/, when there is just
 * one (copy --via exports under a prefix of its own); else the prefix stays.
 */
static void find_folder(struct s3_export *x)
{
	struct errbuf why = ERRBUF_INIT;
	struct buf under = BUF_INIT;
	struct s3_lister l;
	char id[256] = "";
	int pages = 0, r = -1, many = 0;
	struct s3 s3;
	size_t i;

	if (strstr(x->folder, "/AWSDynamoDB/") || ctx_open_s3(x->ctx, x->d, &s3) < 0)
		return;
	buf_printf(&under, "%s%sAWSDynamoDB/", x->url.key, x->url.key[0] ? "/" : "");
	s3_lister_init(&l, &s3, x->url.bucket, under.data);
	while (!many && pages++ < 10 && (r = s3_lister_next(&l, &why)) == 1)
		for (i = 0; i < l.nobjs && !many; i++) {
			const char *rest = l.objs[i].key + under.len;
			size_t n = strcspn(rest, "/");

			if (!rest[n] || n >= sizeof(id))
				continue;
			if (!id[0])
				snprintf(id, sizeof(id), "%.*s", (int)n, rest);
			else if (strncmp(id, rest, n) || id[n])
				many = 1;
		}
	if (id[0] && !many && r == 0)
		snprintf(x->folder, sizeof(x->folder), "s3://%s/%s%s/", x->url.bucket, under.data, id);
	else
		msg_debug("the export's folder under s3://%s/%s is not known (%s)", x->url.bucket,
			  under.data, many ? "more than one export there" : why.set ? why.msg : "none there");
	s3_lister_release(&l);
	s3_close(&s3);
	buf_release(&under);
}

static void export_spec(const struct s3_export *x, const struct options *o,
			struct native_export_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->table_arn = x->t->arn;
	spec->bucket = x->url.bucket;
	spec->prefix = x->url.key[0] ? x->url.key : NULL;
	spec->bucket_owner = o->s3_bucket_owner;
	spec->export_time = o->at;
	spec->incremental = o->from_time > 0;
	spec->from_time = o->from_time;
	spec->to_time = o->to_time;
}

static int run_export(struct plan *p, struct stage *s, int ck_stage)
{
	struct s3_export *x = s->job_ctx;
	const struct options *o = &x->ctx->o;
	struct native_export_spec spec;
	struct native_export e;

	(void)ck_stage;
	export_spec(x, o, &spec);
	if (native_export_start(x->d, &spec, &e, p->params.eb) < 0)
		return -1;
	x->started_ms = x->last_note_ms = clock_mono_ms();
	msg_info("export of '%s' started (%s); waiting for it (it goes on in AWS if dynamo stops: aws dynamodb describe-export --export-arn %s)",
		 x->t->name, e.arn, e.arn);
	snprintf(s->result, sizeof(s->result), "%s", e.arn);
	if (e.status != NATIVE_COMPLETED &&
	    native_export_wait(x->d, e.arn, 15000, EXPORT_WAIT_S, on_progress, x, &e, p->params.eb) < 0)
		return -1;
	export_folder(&e, x->folder, sizeof(x->folder));
	if (!e.manifest[0])
		find_folder(x);
	s->c.saved = e.item_count > 0 ? (uint64_t)e.item_count : 0;
	/* The full folder goes to stdout; the summary keeps what fits. */
	snprintf(s->result, sizeof(s->result), "%.511s", x->folder);
	msg_info("exported %lld items of '%s' (%lld bytes billed) to %s", e.item_count,
		 x->t->name, e.billed_bytes, x->folder);
	if (!o->json && !x->quiet)
		printf("%s\n", x->folder);
	return 0;
}

/* Flags of the scan export (-o) mean nothing to DynamoDB's, and the other way round. */
static int check_flags(struct ctx *ctx)
{
	const struct options *o = &ctx->o;

	if (!o->to) {
		if (o->at || o->from_time || o->to_time || o->enable_pitr || o->s3_bucket_owner)
			return errf(&ctx->eb, EXIT_USAGE,
				    "--at, --from, --to-time, --enable-pitr and --s3-bucket-owner are for DynamoDB's export to S3: add --to s3://BUCKET/PREFIX");
		return 0;
	}
	if (o->file)
		return errf(&ctx->eb, EXIT_USAGE,
			    "-o/--file and --to are two kinds of export (a scan into a file, DynamoDB's own to S3): give one");
	if (!o->from_time != !o->to_time)
		return errf(&ctx->eb, EXIT_USAGE,
			    "an incremental export has a window: give both --from TIME and --to-time TIME");
	if (o->from_time && o->at)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--at is a full export's point in time, --from/--to-time an incremental export's window: give one");
	if (o->slice_k)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--slice shares out a scan; DynamoDB's export to S3 (--to) is one job on AWS's side: drop --slice");
	if (o->segments || o->concurrency || o->max_rcu > 0)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--segments, --concurrency and --max-rcu tune a scan; DynamoDB's export to S3 (--to) reads no capacity: drop them");
	return 0;
}

/* A missing bucket is named now, not by a FAILED export minutes later. */
static int check_bucket(struct ctx *ctx, const struct ddb *d, const struct s3_url *u)
{
	struct errbuf why = ERRBUF_INIT;
	struct s3_lister l;
	struct s3 s3;
	int r;

	if (ctx_open_s3(ctx, d, &s3) < 0)
		return -1;
	s3_lister_init(&l, &s3, u->bucket, u->key);
	l.max_keys = 1;
	r = s3_lister_next(&l, &why);
	s3_lister_release(&l);
	s3_close(&s3);
	if (r >= 0)
		return 0;
	if (why.exit == EXIT_NOT_FOUND)
		return errf(&ctx->eb, EXIT_NOT_FOUND,
			    "bucket '%s' does not exist (or is not visible to profile '%s'): create it, or check %s",
			    u->bucket, d->profile, ctx->o.via ? "--via" : "--to");
	/* Listing is not exporting: a bucket policy may allow DynamoDB's writes only. */
	msg_debug("cannot list s3://%s/%s (%s); starting the export anyway", u->bucket, u->key, why.msg);
	return 0;
}

/* PITR must be on, and --at inside the window it can restore. */
static int check_pitr(struct ctx *ctx, struct s3_export *x, struct plan *p)
{
	const struct options *o = &ctx->o;
	char where[512], a[32], b[32];
	struct errbuf why = ERRBUF_INIT;
	struct stage *s;

	ddb_where(x->d, where, sizeof(where));
	if (native_pitr_describe(x->d, x->t->name, &x->pitr, &why) < 0) {
		if (!ddb_unsupported(&why)) {
			ctx->eb = why;
			return -1;
		}
		return errf(&ctx->eb, EXIT_FAILURE_RUNTIME,
			    "cannot export '%s' to S3: %s does not support point-in-time recovery, which DynamoDB's export needs (%s); it exists on DynamoDB itself, not on local emulators: export with a scan (-o FILE) instead",
			    x->t->name, where, why.msg);
	}
	if (!x->pitr.enabled) {
		if (!o->enable_pitr)
			return errf(&ctx->eb, EXIT_CONFIG,
				    "point-in-time recovery is off for table '%s' in %s, and DynamoDB's export needs it: pass --enable-pitr to turn it on first (AWS bills it by table size), or %s",
				    x->t->name, where,
				    o->via ? "copy with a scan (without --via)" : "export with a scan (-o FILE)");
		if (o->at || o->from_time)
			return errf(&ctx->eb, EXIT_USAGE,
				    "%s %s: point-in-time recovery of '%s' is off, so no earlier state or change can be exported; drop it to export the table as it is once recovery is on",
				    o->at ? "--at" : "--from", clock_format_iso(o->at ? o->at : o->from_time, a, sizeof(a)),
				    x->t->name);
		s = plan_add(p, STAGE_CUSTOM, "enable-pitr");
		s->custom = CUSTOM_ENABLE_PITR;
		s->src = x->d;
		s->src_table = x->t->name;
		s->run = enable_pitr;
		s->job_ctx = x;
		s->destructive = 1;	/* not destructive, but billed: confirmed */
		snprintf(s->what, sizeof(s->what),
			 "turn on point-in-time recovery of '%s' in %s (billed by AWS by table size, until turned off)",
			 x->t->name, where);
		return 0;
	}
	if (o->from_time && x->pitr.earliest > 0 && o->from_time < x->pitr.earliest)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--from %s is before the earliest time '%s' has changes recorded for (%s)",
			    clock_format_iso(o->from_time, a, sizeof(a)), x->t->name,
			    clock_format_iso(x->pitr.earliest, b, sizeof(b)));
	if (o->at && x->pitr.earliest > 0 && o->at < x->pitr.earliest)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--at %s is before the earliest time '%s' can be exported as (%s)",
			    clock_format_iso(o->at, a, sizeof(a)), x->t->name,
			    clock_format_iso(x->pitr.earliest, b, sizeof(b)));
	return 0;
}

int export_s3_plan(struct ctx *ctx, struct s3_export *x, struct plan *p)
{
	const struct options *o = &ctx->o;
	char where[512], at[32], to[32], when[128];
	struct stage *s;

	struct native_export_spec spec;
	cJSON *req;

	/* What ExportTableToPointInTime would refuse (the times) is refused first. */
	export_spec(x, o, &spec);
	if (!(req = native_export_request(&spec, &ctx->eb)))
		return -1;
	cJSON_Delete(req);
	if (check_bucket(ctx, x->d, &x->url) < 0 || check_pitr(ctx, x, p) < 0)
		return -1;
	s = plan_add(p, STAGE_CUSTOM, "export");
	s->custom = CUSTOM_EXPORT_S3;
	s->s3_bucket = x->url.bucket;
	s->s3_prefix = x->url.key;
	s->run = run_export;
	s->job_ctx = x;
	s->src = x->d;
	s->src_table = x->t->name;
	s->src_desc = x->t;
	s->estimate = x->t->item_count > 0 ? (uint64_t)x->t->item_count : 0;
	if (o->from_time)
		snprintf(when, sizeof(when), "the changes from %s to %s of ",
			 clock_format_iso(o->from_time, at, sizeof(at)),
			 clock_format_iso(o->to_time, to, sizeof(to)));
	else
		snprintf(when, sizeof(when), "as of %s ",
			 o->at ? clock_format_iso(o->at, at, sizeof(at)) : "now");
	snprintf(s->what, sizeof(s->what),
		 "export %s'%s' in %s %swith DynamoDB's ExportTableToPointInTime to s3://%s/%s (the table: about %lld items, %lld bytes; billed per GB, no capacity used)",
		 o->from_time ? when : "", x->t->name, ddb_where(x->d, where, sizeof(where)),
		 o->from_time ? "" : when, x->url.bucket, x->url.key, x->t->item_count, x->t->size_bytes);
	if (o->s3_bucket_owner)
		snprintf(s->what + strlen(s->what), sizeof(s->what) - strlen(s->what),
			 " (bucket owner %s)", o->s3_bucket_owner);
	return 0;
}

int export_s3_url(struct ctx *ctx, struct s3_export *x, const char *url, const char *flag)
{
	size_t n;

	if (s3_url_parse(&x->url, url, flag, &ctx->eb) < 0)
		return -1;
	/* "s3://b/nightly/" and "s3://b/nightly" are the same place. */
	for (n = strlen(x->url.key); n && x->url.key[n - 1] == '/'; n--)
		x->url.key[n - 1] = 0;
	return 0;
}

int cmd_export_s3(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct s3_export x;
	struct table_desc t;
	struct plan p;
	struct ddb d;
	int r = -1;

	if (ctx_need_table(ctx) < 0 || check_flags(ctx) < 0)
		return -1;
	memset(&x, 0, sizeof(x));
	if (export_s3_url(ctx, &x, o->to, "--to") < 0)
		return -1;
	if (ctx_open_table(ctx, &d, &t) < 0)
		goto out_url;
	x.ctx = ctx;
	x.d = &d;
	x.t = &t;
	ctx_plan_init(ctx, &p, "export");
	p.saved_word = "exported";
	if (export_s3_plan(ctx, &x, &p) == 0)
		r = plan_run(&p);
	plan_release(&p);
	ctx_close_table(&d, &t);
out_url:
	s3_url_release(&x.url);
	return r;
}
