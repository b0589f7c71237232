/*
 * dynamo truncate: delete every item of a table, or the items of a
 * selection (keys-only parallel scan, batch deletes).
 */
#include "dynamo/cmd.h"
#include "dynamo/plan.h"

#include <stdio.h>

int cmd_truncate(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct selected_table st;
	struct plan p;
	struct stage *s;
	int r;

	if (ctx_need_table(ctx) < 0 || ctx_open_selected(ctx, &st) < 0)
		return -1;
	ctx_plan_init(ctx, &p, "truncate");
	s = plan_add_truncate(&p, (struct table_ref){ &st.d, o->table, &st.t }, o->segments);
	s->sel = &st.sel;
	if (selection_restricts(&st.sel)) {
		s->estimate = 0;	/* the table's count says nothing of the selection's */
		snprintf(s->what, sizeof(s->what),
			 "delete the items with %.400s of '%s' in %s (found by a scan of the table's about %lld items, %d segments)",
			 st.text, o->table, st.where, st.t.item_count, s->segments);
	} else {
		snprintf(s->what, sizeof(s->what), "delete every item of '%s' in %s (about %lld items, %d segments)",
			 o->table, st.where, st.t.item_count, s->segments);
	}
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(s->segments);
	r = plan_run(&p);
	plan_release(&p);
	ctx_close_selected(&st);
	return r;
}
