/*
 * dynamo restore -t T --point-in-time TIME --target-table NEW: DynamoDB's
 * RestoreTableToPointInTime, which makes NEW hold T as it was at TIME (or
 * at the latest restorable time), on AWS's side; then waits until NEW and
 * its indexes are ACTIVE. T is not touched.
 *
 * Checked before the restore starts: NEW is another name and does not
 * exist, T's point-in-time recovery is on and TIME lies in its window.
 */
#include "dynamo/cmd_native.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/native.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <string.h>

/* A restore takes longer as the table grows: hours for hundreds of GB. */
#define RESTORE_WAIT_S (24 * 3600)

static int run_restore(struct plan *p, struct stage *s, int ck_stage)
{
	const struct ctx *ctx = s->job_ctx;	/* cmd_restore_pitr's */
	const struct options *o = &ctx->o;
	struct native_restore_spec spec;
	char at[32];

	(void)ck_stage;
	memset(&spec, 0, sizeof(spec));
	spec.source = s->src_table;
	spec.target = s->dst_table;
	spec.restore_time = o->point_in_time;
	if (native_restore_start(s->dst, &spec, p->params.eb) < 0)
		return -1;
	msg_info("restoring '%s' as of %s into '%s'; waiting until it is ACTIVE", s->src_table,
		 o->point_in_time ? clock_format_iso(o->point_in_time, at, sizeof(at)) : "the latest restorable time",
		 s->dst_table);
	if (table_wait_active(s->dst, s->dst_table, RESTORE_WAIT_S, p->params.eb) < 0)
		return -1;
	snprintf(s->result, sizeof(s->result), "%s", s->dst_table);
	msg_info("restored '%s' into '%s'", s->src_table, s->dst_table);
	return 0;
}

/* PITR on, and TIME inside [earliest, latest] restorable. */
static int check_window(struct ctx *ctx, struct ddb *d, const char *where)
{
	const struct options *o = &ctx->o;
	struct native_pitr pitr;
	struct errbuf why = ERRBUF_INIT;
	char a[32], b[32], c[32];

	if (native_pitr_describe(d, o->table, &pitr, &why) < 0) {
		if (!ddb_unsupported(&why)) {
			ctx->eb = why;
			return -1;
		}
		return errf(&ctx->eb, EXIT_FAILURE_RUNTIME,
			    "cannot restore '%s' to a point in time: %s does not support point-in-time recovery (%s); it exists on DynamoDB itself, not on local emulators",
			    o->table, where, why.msg);
	}
	if (!pitr.enabled)
		return errf(&ctx->eb, EXIT_CONFIG,
			    "point-in-time recovery is off for table '%s' in %s, so it has no earlier state to restore (restore an on-demand backup with --backup-name, or turn recovery on for the future)",
			    o->table, where);
	if (o->point_in_time && pitr.earliest > 0 && pitr.latest > 0 &&
	    (o->point_in_time < pitr.earliest || o->point_in_time > pitr.latest))
		return errf(&ctx->eb, EXIT_USAGE,
			    "--point-in-time %s is outside the times '%s' can be restored to: %s to %s",
			    clock_format_iso(o->point_in_time, a, sizeof(a)), o->table,
			    clock_format_iso(pitr.earliest, b, sizeof(b)),
			    clock_format_iso(pitr.latest, c, sizeof(c)));
	return 0;
}

static int check_target(struct ctx *ctx, struct ddb *d, const char *where)
{
	const struct options *o = &ctx->o;
	struct errbuf why = ERRBUF_INIT;
	struct table_desc t;

	if (!o->target_table)
		return errf(&ctx->eb, EXIT_USAGE,
			    "a point-in-time restore makes a new table: pass --target-table NEW");
	if (table_name_check("--target-table", o->target_table, &ctx->eb) < 0)
		return -1;
	if (!strcmp(o->target_table, o->table))
		return errf(&ctx->eb, EXIT_USAGE,
			    "--target-table must name a new table, not '%s' itself", o->table);
	if (table_describe(d, o->target_table, &t, &why) == 0) {
		table_desc_release(&t);
		return errf(&ctx->eb, EXIT_USAGE,
			    "table '%s' already exists in %s: a point-in-time restore makes a new table, so delete it first or pick another --target-table",
			    o->target_table, where);
	}
	if (why.exit != EXIT_NOT_FOUND) {
		ctx->eb = why;
		return -1;
	}
	return 0;
}

int cmd_restore_pitr(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct table_desc t;
	struct stage *s;
	struct plan p;
	struct ddb d;
	char where[512], at[32];
	int r = -1;

	if (o->no_backup || o->segments || o->checkpoint || o->max_rcu > 0 || o->max_wcu > 0 ||
	    o->concurrency)
		return errf(&ctx->eb, EXIT_USAGE,
			    "a point-in-time restore runs on AWS's side: --no-backup, --segments, --checkpoint, --concurrency, --max-rcu and --max-wcu do not apply");
	if (ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	ddb_where(&d, where, sizeof(where));
	ctx_plan_init(ctx, &p, "restore");
	if (check_target(ctx, &d, where) < 0 || check_window(ctx, &d, where) < 0)
		goto out;
	s = plan_add(&p, STAGE_CUSTOM, "restore");
	s->custom = CUSTOM_RESTORE_PITR;
	s->run = run_restore;
	s->job_ctx = ctx;
	s->src = s->dst = &d;
	s->src_table = o->table;
	s->src_desc = &t;
	s->dst_table = o->target_table;
	snprintf(s->what, sizeof(s->what),
		 "restore '%s' in %s as of %s into a new table '%s' (RestoreTableToPointInTime; about %lld items)",
		 o->table, where,
		 o->point_in_time ? clock_format_iso(o->point_in_time, at, sizeof(at)) : "the latest restorable time",
		 o->target_table, t.item_count);
	r = plan_run(&p);
out:
	plan_release(&p);
	ctx_close_table(&d, &t);
	return r;
}
