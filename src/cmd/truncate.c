/* dynamo truncate: delete every item of a table (keys-only parallel scan, batch deletes). */
#include "dynamo/cmd.h"
#include "dynamo/plan.h"

#include <stdio.h>

int cmd_truncate(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct table_desc t;
	struct ddb d;
	struct plan p;
	struct stage *s;
	char where[512];
	int r = -1;

	if (ctx_need_table(ctx) < 0 || ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	plan_init(&p, ctx, "truncate");
	s = plan_add_truncate(&p, (struct table_ref){ &d, o->table, &t }, o->segments);
	snprintf(s->what, sizeof(s->what), "delete every item of '%s' in %s (about %lld items, %d segments)",
		 o->table, ddb_where(&d, where, sizeof(where)), t.item_count, s->segments);
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(s->segments);
	r = plan_run(&p);
	plan_release(&p);
	ctx_close_table(&d, &t);
	return r;
}
