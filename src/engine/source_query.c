/* The query source: one unit per --pk value, each the Query its selection makes. */
#include "dynamo/source.h"
#include "dynamo/request.h"

#include <stdio.h>

static int query_unit_count(const struct job *j)
{
	return j->in.npk;
}

/* The Query of the unit's --pk value, through the index if any. */
static void query_fill(const struct unit *u, struct ddb_read *r)
{
	const struct job *j = u->w->job;

	selection_query_expr(j->in.sel, u->index, r->expr);
	r->index = j->in.index;
	/* A global index is read eventually consistent, whatever was asked. */
	if (j->in.index && table_index(j->in.desc, j->in.index)->global)
		r->consistent = 0;
}

static void query_request(struct unit *u)
{
	source_read_page(u, query_fill, ddb_query_body, DDB_TARGET("Query"));
}

/* The key part of the selection (the --pk values, the sort-key condition). */
static int query_matches(const struct job *j, struct slice item)
{
	return selection_key_matches(j->in.sel, item);
}

static void query_where(const struct unit *u, char *out, size_t n)
{
	snprintf(out, n, " (--pk '%.200s')", u->w->job->in.pk_values[u->index]);
}

const struct source_ops query_source = {
	.name = "query",
	.request_pages = 1,
	.units_at_once = 1,
	.unit_count = query_unit_count,
	.request = query_request,
	.matches = query_matches,
	.where = query_where,
};
