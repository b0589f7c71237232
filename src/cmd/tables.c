/* dynamo tables: list every table, following ListTables pagination. */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list_page(struct ddb *d, const char *start, cJSON *names,
		     char **next, struct errbuf *eb)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL, *n;
	const cJSON *last;
	int r;

	if (start)
		cJSON_AddStringToObject(body, "ExclusiveStartTableName", start);
	r = ddb_request_json(d, DDB_TARGET("ListTables"), body, &resp, eb);
	cJSON_Delete(body);
	if (r < 0)
		return -1;
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(resp, "TableNames"))
		if (cJSON_IsString(n))
			cJSON_AddItemToArray(names, cJSON_CreateString(n->valuestring));
	last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedTableName");
	*next = cJSON_IsString(last) ? xstrdup(last->valuestring) : NULL;
	cJSON_Delete(resp);
	/* The same name again would list the same page forever. */
	if (*next && start && !strcmp(*next, start)) {
		errf(eb, EXIT_FAILURE_RUNTIME,
		     "ListTables does not advance: after '%s' it answered LastEvaluatedTableName '%s' (is %s a DynamoDB endpoint?)",
		     start, *next, d->ep.url);
		free(*next);
		*next = NULL;
		return -1;
	}
	return 0;
}

int cmd_tables(struct ctx *ctx)
{
	struct ddb d;
	cJSON *names, *n;
	char *start = NULL, *next;
	int r = -1;

	if (ctx_open(ctx, &d, ctx->o.profile, ctx->o.region, ctx->o.endpoint_url) < 0)
		return -1;
	names = cJSON_CreateArray();
	do {
		if (list_page(&d, start, names, &next, &ctx->eb) < 0)
			goto cleanup;
		free(start);
		start = next;
	} while (start);
	if (ctx->o.json) {
		print_json_line(names);
	} else {
		cJSON_ArrayForEach(n, names)
			printf("%s\n", n->valuestring);
	}
	r = 0;
cleanup:
	free(start);
	cJSON_Delete(names);
	ddb_close(&d);
	return r;
}
