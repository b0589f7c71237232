/* dynamo backups: a table's on-demand backups, newest first. */
#include "dynamo/cmd.h"
#include "dynamo/backups.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int backups_list(const struct ddb *d, const char *table, cJSON *out,
		 struct errbuf *eb)
{
	char *start = NULL;

	do {
		cJSON *body = cJSON_CreateObject(), *resp = NULL, *b;
		const cJSON *last;
		int r;

		cJSON_AddStringToObject(body, "TableName", table);
		if (start)
			cJSON_AddStringToObject(body, "ExclusiveStartBackupArn", start);
		r = ddb_request_json(d, DDB_TARGET("ListBackups"), body, &resp, eb);
		cJSON_Delete(body);
		free(start);
		start = NULL;
		if (r < 0)
			return -1;
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(resp, "BackupSummaries"))
			cJSON_AddItemToArray(out, cJSON_Duplicate(b, 1));
		last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedBackupArn");
		if (cJSON_IsString(last))
			start = xstrdup(last->valuestring);
		cJSON_Delete(resp);
	} while (start);
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

static void print_table(const cJSON *list)
{
	int n = cJSON_GetArraySize(list), i = 0;
	const cJSON **v = xcalloc((size_t)(n ? n : 1), sizeof(*v)), *b;

	cJSON_ArrayForEach(b, list)
		v[i++] = b;
	qsort(v, (size_t)n, sizeof(*v), newest_first);
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
	if (!n)
		fprintf(stderr, "dynamo: no backups\n");
	free(v);
}

int cmd_backups(struct ctx *ctx)
{
	cJSON *list;
	struct ddb d;
	int r = -1;

	if (ctx_need_table(ctx) < 0 ||
	    ctx_open(ctx, &d, ctx->o.profile, ctx->o.region, ctx->o.endpoint_url) < 0)
		return -1;
	list = cJSON_CreateArray();
	if (backups_list(&d, ctx->o.table, list, &ctx->eb) == 0) {
		if (ctx->o.json) {
			char *s = cJSON_PrintUnformatted(list);

			printf("%s\n", s);
			free(s);
		} else {
			print_table(list);
		}
		r = 0;
	}
	cJSON_Delete(list);
	ddb_close(&d);
	return r;
}
