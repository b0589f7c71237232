/*
 * dynamo diff: what differs between two tables (or the same selection of
 * them), item by item, with DynamoDB's equality; dynamo sync: the same, and
 * the differences written into the target (and its extras deleted with
 * --delete). Both are two stages of src/plan/diff.c over src/engine/diff.c.
 *
 * diff exits like diff(1): 0 equal, 1 different; its runtime failures exit
 * 8 (EXIT_DIFF_FAILED) instead of 1, so that 1 always means "different".
 */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/plan_diff.h"

#include <stdio.h>
#include <string.h>

struct sides {
	struct ctx *ctx;
	struct ddb src, dst;
	int src_open, dst_open;
	struct table_desc sd, td;
	int have_sd, have_td;
	const char *target_table;
	char src_where[512], dst_where[512];
	struct selection sel;
};

static int check_flags(struct ctx *ctx, int sync)
{
	const struct options *o = &ctx->o;

	if (o->output_set && o->output != OUTPUT_JSONL)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--output of %s takes jsonl (one JSON object per difference); without it, one line each",
			    sync ? "sync" : "diff");
	if (o->sample > 0 && o->checkpoint)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--sample cannot go with --checkpoint: a sample picks its segments anew each run (drop one)");
	return 0;
}

static int open_tables(struct sides *s)
{
	struct ctx *ctx = s->ctx;
	const struct options *o = &ctx->o;
	const struct index_desc *ix;

	if (ctx_need_table(ctx) < 0 || ctx_target_table(ctx) < 0)
		return -1;
	s->target_table = o->target_table ? o->target_table : ctx->has_arn ? ctx->arn.name : o->table;
	if (ctx_open_sides(ctx, &s->src, &s->src_open, &s->dst, &s->dst_open) < 0 ||
	    table_describe(&s->src, o->table, &s->sd, &ctx->eb) < 0)
		return -1;
	s->have_sd = 1;
	if (table_describe(&s->dst, s->target_table, &s->td, &ctx->eb) < 0)
		return -1;
	s->have_td = 1;
	ddb_where(&s->src, s->src_where, sizeof(s->src_where));
	ddb_where(&s->dst, s->dst_where, sizeof(s->dst_where));
	if (table_same_keys(&s->sd, &s->td, s->src_where, s->dst_where, &ctx->eb) < 0)
		return -1;
	if (o->index) {
		if (!(ix = table_index(&s->sd, o->index)) || !table_index(&s->td, o->index))
			return errf(&ctx->eb, EXIT_NOT_FOUND, "index '%s' is not in both '%s' in %s and '%s' in %s (see dynamo describe)",
				    o->index, o->table, s->src_where, s->target_table, s->dst_where);
		if (strcmp(ix->projection, "ALL"))
			return errf(&ctx->eb, EXIT_USAGE,
				    "index '%s' projects part of each item (%s), so its items cannot be compared whole: select with --pk on the table's own key, or --pk-prefix/--filter",
				    o->index, ix->projection);
	}
	if (query_keys_check(ctx, &s->sd) < 0 || ctx_selection(ctx, &s->sel, &s->sd) < 0)
		return -1;
	if (ctx->policy)
		return 0;
	return plan_probe_selection(&s->src, o->table, o->index, &s->sel, s->src_where, &ctx->eb) < 0 ||
	       plan_probe_selection(&s->dst, s->target_table, o->index, &s->sel, s->dst_where, &ctx->eb) < 0 ? -1 : 0;
}

static void close_tables(struct sides *s)
{
	selection_release(&s->sel);
	if (s->have_sd)
		table_desc_release(&s->sd);
	if (s->have_td)
		table_desc_release(&s->td);
	if (s->src_open)
		ddb_close(&s->src);
	if (s->dst_open)
		ddb_close(&s->dst);
}

/* sync overwrites and deletes: the target is backed up first, as copy does (--no-backup skips it). */
static void add_backup(struct sides *s, struct plan *p)
{
	struct stage *b;

	if (s->ctx->o.no_backup)
		return;
	b = plan_add(p, STAGE_BACKUP, "backup");
	b->optional = 1;
	b->dst = &s->dst;
	b->dst_table = s->target_table;
	snprintf(b->what, sizeof(b->what), "on-demand backup of '%s' in %s", s->target_table, s->dst_where);
}

static int run(struct ctx *ctx, int sync)
{
	const struct options *o = &ctx->o;
	struct sides s;
	struct plan p;
	struct plan_diff d;
	int r = -1, dry = o->dry_run && sync && !ctx->policy;	/* policy plans as a dry run */

	memset(&s, 0, sizeof(s));
	selection_init(&s.sel);
	s.ctx = ctx;
	if (check_flags(ctx, sync) < 0 || open_tables(&s) < 0)
		goto out;
	ctx_plan_init(ctx, &p, sync ? "sync" : "diff");
	p.source = &s.src;
	p.target = &s.dst;
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(0);
	if (!sync)
		p.runtime_exit = EXIT_DIFF_FAILED;
	plan_diff_init(&d, &p);
	ctx_diff_flags(ctx, &d);
	if (sync && !dry)
		add_backup(&s, &p);
	/* sync --dry-run reads both sides and prints what it would write: a diff that writes nothing. */
	d.write = sync && !dry;
	d.delete_extras = o->delete_extras;
	d.dry_run_sync = dry;
	plan_add_diff(&d, sync ? "sync" : "diff", sync ? "sync-extras" : "diff-extras",
		      (struct table_ref){ &s.src, o->table, &s.sd },
		      (struct table_ref){ &s.dst, s.target_table, &s.td }, &s.sel, o->segments);
	/* It runs (reading both sides); its stages write nothing. */
	if (dry)
		p.params.dry_run = 0;
	r = plan_run(&p);
	if (r == 0 && !sync && !o->dry_run && !ctx->policy && plan_diff_count(&d))
		ctx->exit_code = EXIT_DIFFERENT;
	plan_diff_release(&d);
	plan_release(&p);
out:
	if (r < 0 && !sync && ctx->eb.exit == EXIT_FAILURE_RUNTIME)
		ctx->eb.exit = EXIT_DIFF_FAILED;
	close_tables(&s);
	return r;
}

int cmd_diff(struct ctx *ctx)
{
	return run(ctx, 0);
}

int cmd_sync(struct ctx *ctx)
{
	return run(ctx, 1);
}
