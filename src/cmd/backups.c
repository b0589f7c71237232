/*
 * dynamo backups: a table's on-demand backups, newest first. Also the
 * ListBackups helpers restore uses to find a backup by name.
 */
#include "dynamo/cmd.h"
#include "dynamo/backups.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int backups_error(const struct ddb *d, const char *what,
			 struct errbuf *why, struct errbuf *eb)
{
	char where[512];

	ddb_where(d, where, sizeof(where));
	/* Local emulators (dynalite, DynamoDB Local) have no backups: say so. */
	if (ddb_unsupported(why))
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "cannot %s: %s does not support backups (%s); they exist on DynamoDB itself, not on local emulators",
			    what, where, why->msg);
	*eb = *why;
	return -1;
}

/* table NULL: the backups of every table of the account and region. */
int backups_list(const struct ddb *d, const char *table, cJSON *out,
		 struct errbuf *eb)
{
	char *start = NULL, *prev = NULL, what[400];

	snprintf(what, sizeof(what), "list the backups of '%s'", table ? table : "any table");
	do {
		cJSON *body = cJSON_CreateObject(), *resp = NULL, *b;
		struct errbuf why = ERRBUF_INIT;
		const cJSON *last;
		int r;

		if (table)
			cJSON_AddStringToObject(body, "TableName", table);
		if (start)
			cJSON_AddStringToObject(body, "ExclusiveStartBackupArn", start);
		r = ddb_request_json(d, DDB_TARGET("ListBackups"), body, &resp, &why);
		cJSON_Delete(body);
		free(start);
		start = NULL;
		if (r < 0) {
			free(prev);
			return backups_error(d, what, &why, eb);
		}
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(resp, "BackupSummaries"))
			cJSON_AddItemToArray(out, cJSON_Duplicate(b, 1));
		last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedBackupArn");
		if (cJSON_IsString(last) && prev && !strcmp(prev, last->valuestring)) {
			cJSON_Delete(resp);
			free(prev);
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "ListBackups does not advance: it answered the same LastEvaluatedBackupArn twice (is %s a DynamoDB endpoint?)",
				    d->ep.url);
		}
		if (cJSON_IsString(last)) {
			start = xstrdup(last->valuestring);
			free(prev);
			prev = xstrdup(last->valuestring);
		}
		cJSON_Delete(resp);
	} while (start);
	free(prev);
	return 0;
}

static double created(const cJSON *b)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "BackupCreationDateTime");

	return cJSON_IsNumber(t) ? t->valuedouble : 0;
}

const cJSON *backups_latest(const cJSON *list, const char *name)
{
	const cJSON *b, *best = NULL;

	cJSON_ArrayForEach(b, list) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "BackupName");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, name) &&
		    (!best || created(b) > created(best)))
			best = b;
	}
	return best;
}

static const char *field(const cJSON *b, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, k);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

static int newest_first(const void *a, const void *b)
{
	double x = created(*(const cJSON *const *)a), y = created(*(const cJSON *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The summaries of list, newest first (borrowed pointers; free the array). */
static const cJSON **newest_first_list(const cJSON *list, int *n)
{
	const cJSON **v, *b;
	int i = 0;

	*n = cJSON_GetArraySize(list);
	v = xcalloc((size_t)(*n ? *n : 1), sizeof(*v));
	cJSON_ArrayForEach(b, list)
		v[i++] = b;
	qsort(v, (size_t)*n, sizeof(*v), newest_first);
	return v;
}

static void print_table(const cJSON *list)
{
	int n, i;
	const cJSON **v = newest_first_list(list, &n);

	for (i = 0; i < n; i++) {
		const cJSON *sz = cJSON_GetObjectItemCaseSensitive(v[i], "BackupSizeBytes");
		time_t t = (time_t)created(v[i]);
		char when[32];
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%-40s %s %-10s %12.0f bytes  %s\n", field(v[i], "BackupName"), when,
		       field(v[i], "BackupStatus"), cJSON_IsNumber(sz) ? sz->valuedouble : 0,
		       field(v[i], "BackupArn"));
	}
	free(v);
}

static void print_json(const cJSON *list)
{
	cJSON *sorted = cJSON_CreateArray();
	int n, i;
	const cJSON **v = newest_first_list(list, &n);

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted, cJSON_Duplicate(v[i], 1));
	print_json_line(sorted);
	free(v);
	cJSON_Delete(sorted);
}

int cmd_backups(struct ctx *ctx)
{
	char where[512];
	cJSON *list;
	struct ddb d;
	int r = -1;

	if (ctx_need_table(ctx) < 0 || ctx_table_name_only(ctx, "backups") < 0 ||
	    ctx_open(ctx, &d, ctx->o.profile, ctx->o.region, ctx->o.endpoint_url) < 0)
		return -1;
	list = cJSON_CreateArray();
	if (backups_list(&d, ctx->o.table, list, &ctx->eb) == 0) {
		if (ctx->o.json)
			print_json(list);
		else
			print_table(list);
		if (!cJSON_GetArraySize(list))
			msg_info("no backups of table '%s' in %s", ctx->o.table,
				 ddb_where(&d, where, sizeof(where)));
		r = 0;
	}
	cJSON_Delete(list);
	ddb_close(&d);
	return r;
}
