/*
 * The planner's parameters from the command line (plan.h): the commands
 * turn their flags into these, so the planner and its stages never read
 * struct options nor struct ctx.
 */
#include "dynamo/cmd.h"
#include "dynamo/plan_diff.h"

#include <string.h>

/* What a checkpoint records of the job: the flags that say which job it is. */
static void fill_intent(const struct options *o, struct plan_intent *in)
{
	in->table = o->table;
	in->target_table = o->target_table;
	in->pk = o->pk;
	in->npk = o->npk;
	in->sk = o->sk;
	in->index = o->index;
	in->from_table = o->from_table;
	in->from_file = o->from_file;
	in->backup_arn = o->backup_arn;
	in->backup_name = o->backup_name;
	in->file = o->file;
	in->no_truncate = o->no_truncate;
	in->no_backup = o->no_backup;
	in->create_target = o->create_target;
	in->follow = o->follow;
}

void ctx_plan_params(struct ctx *ctx, struct plan_params *pp)
{
	const struct options *o = &ctx->o;

	memset(pp, 0, sizeof(*pp));
	pp->eb = &ctx->eb;
	pp->json_done = &ctx->json_done;
	pp->summary_done = &ctx->summary_done;
	pp->dry_run = o->dry_run;
	pp->policy = ctx->policy;
	pp->yes = o->yes;
	pp->may_prompt = ctx->stdin_tty;
	pp->json = o->json;
	pp->segments = o->segments;
	pp->max_rcu = o->max_rcu;
	pp->max_wcu = o->max_wcu;
	pp->checkpoint = o->checkpoint;
	pp->index = o->index;
	pp->sample = o->sample;
	pp->slice.i = o->slice_i;
	pp->slice.k = o->slice_k;
	pp->slice.prepare_only = o->prepare_only;
	pp->create.strict = o->strict;
	pp->create.billing = o->billing;
	pp->grants.schema_table = o->like;
	pp->grants.lists_backups = o->backup_name != NULL;
	fill_intent(o, &pp->intent);
}

void ctx_plan_init(struct ctx *ctx, struct plan *p, const char *command)
{
	struct plan_params pp;

	ctx_plan_params(ctx, &pp);
	plan_init(p, &pp, command);
}

void ctx_diff_flags(struct ctx *ctx, struct plan_diff *d)
{
	const struct options *o = &ctx->o;

	d->full = o->format_full;
	d->jsonl = o->output_set && o->output == OUTPUT_JSONL;
	d->sample = o->sample;
}

void summary_failure(struct ctx *ctx, const char *command, int code)
{
	plan_report_failure(command, ctx->eb.msg, code, ctx->o.json && !ctx->json_done,
			    !ctx->summary_done);
}
