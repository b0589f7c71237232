/*
 * A selection tried once before a job starts: one request of the kind the
 * job will send (a Scan, or the Query of the first --pk) with Limit 1 and
 * Select COUNT. DynamoDB judges the filter, its placeholders and values
 * there, so a filter it rejects is reported with its own message before
 * anything is written, not by the first page of a job already deleting.
 */
#include "dynamo/plan.h"
#include "dynamo/exitcode.h"

#include <string.h>

int plan_probe_selection(const struct ddb *d, const char *table, const char *index,
			 const struct selection *s, const char *where, struct errbuf *eb)
{
	struct errbuf why = ERRBUF_INIT;
	struct buf body = BUF_INIT;
	cJSON *resp = NULL;
	struct expr e;
	int r, query = selection_by_query(s);

	if (!selection_restricts(s))
		return 0;
	expr_init(&e);
	if (query)
		selection_query_expr(s, 0, &e);
	else
		selection_scan_expr(s, &e);
	buf_puts(&body, "{\"TableName\":");
	buf_json_str(&body, table, strlen(table));
	if (query && index) {
		buf_puts(&body, ",\"IndexName\":");
		buf_json_str(&body, index, strlen(index));
	}
	buf_puts(&body, ",\"Limit\":1,\"Select\":\"COUNT\"");
	expr_append(&e, &body);
	buf_putc(&body, '}');
	expr_release(&e);
	r = query ? ddb_request(d, DDB_TARGET("Query"), body.data, &resp, &why) :
		    ddb_request(d, DDB_TARGET("Scan"), body.data, &resp, &why);
	buf_release(&body);
	cJSON_Delete(resp);
	if (r == 0)
		return 0;
	return errf(eb, why.exit, "the selection was refused by '%s' in %s, nothing was changed: %s",
		    table, where, why.msg);
}
