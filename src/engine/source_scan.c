/* The scan source: one unit per segment of a parallel Scan (this run's slice of them). */
#include "dynamo/source.h"
#include "dynamo/request.h"

#include <stdio.h>

static int scan_unit_count(const struct job *j)
{
	return j->in.seg_count;
}

static int scan_unit_index(const struct job *j, int k)
{
	return j->in.seg_first + k;
}

/* The selection's filter, if any, on a Scan page. */
static void scan_fill(const struct unit *u, struct ddb_read *r)
{
	const struct job *j = u->w->job;

	if (j->in.sel)
		selection_scan_expr(j->in.sel, r->expr);
}

static void scan_request(struct unit *u)
{
	source_read_page(u, scan_fill, ddb_scan_body, DDB_TARGET("Scan"));
}

static void scan_where(const struct unit *u, char *out, size_t n)
{
	const struct job *j = u->w->job;

	if (j->in.segments > 1)
		snprintf(out, n, " (segment %d of %d)", u->index, j->in.segments);
}

const struct source_ops scan_source = {
	.name = "scan",
	.request_pages = 1,
	.unit_count = scan_unit_count,
	.unit_index = scan_unit_index,
	.request = scan_request,
	.where = scan_where,
};
