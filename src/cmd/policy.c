/*
 * dynamo policy COMMAND [flags]: the least-privilege IAM policy for that
 * command line. Commands with a plan print it from their plan (plan_run,
 * policy.c in plan/); describe, tables and backups from here.
 */
#include "dynamo/cmd.h"
#include "dynamo/plan.h"

#include <string.h>

int cmd_policy_simple(struct ctx *ctx, const char *command)
{
	struct table_desc t;
	struct ddb d;

	if (strcmp(command, "describe")) {
		if (ctx_open(ctx, &d, ctx->o.profile, ctx->o.region, ctx->o.endpoint_url) < 0)
			return -1;
		policy_print_simple(&d, NULL, 0, !strcmp(command, "tables"),
				    !strcmp(command, "backups"));
		ddb_close(&d);
		return 0;
	}
	/* Described, as describe does: the policy names the table's account. */
	if (ctx_need_table(ctx) < 0 || ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	policy_print_simple(&d, ctx->o.table, 1, 0, 0);
	ctx_close_table(&d, &t);
	return 0;
}
