/* dynamo describe: key schema, attribute types, indexes, counts, billing. */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <string.h>

static void print_size(long long bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	if (u)
		printf("%.1f %s (%lld bytes)\n", v, units[u], bytes);
	else
		printf("%lld bytes\n", bytes);
}

static void print_key(const struct key_attr *h, const struct key_attr *r)
{
	printf("%s (%c, hash)", h->name, h->type);
	if (r->name)
		printf(" + %s (%c, range)", r->name, r->type);
}

static void print_attributes(const struct table_desc *t)
{
	const cJSON *d;
	int first = 1;

	printf("%-12s", "attributes");
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(t->raw, "AttributeDefinitions")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(d, "AttributeType");

		if (cJSON_IsString(n) && cJSON_IsString(ty))
			printf("%s%s %s", first ? "" : ", ", n->valuestring,
			       ty->valuestring);
		first = 0;
	}
	printf("\n");
}

static void print_indexes(const struct table_desc *t)
{
	int i;

	for (i = 0; i < t->nindexes; i++) {
		const struct index_desc *x = &t->indexes[i];

		printf("%-12s%s: %s, ", i ? "" : "indexes", x->name,
		       x->global ? "global" : "local");
		print_key(&x->hash, &x->range);
		printf(", projection %s, %s\n", x->projection, x->status);
	}
	if (!t->nindexes)
		printf("%-12snone\n", "indexes");
}

static void print_ttl(struct ddb *d, const char *name)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	struct errbuf eb = ERRBUF_INIT;
	const cJSON *desc, *st, *attr;

	cJSON_AddStringToObject(body, "TableName", name);
	if (ddb_request_json(d, DDB_TARGET("DescribeTimeToLive"), body, &resp, &eb) == 0) {
		desc = cJSON_GetObjectItemCaseSensitive(resp, "TimeToLiveDescription");
		st = cJSON_GetObjectItemCaseSensitive(desc, "TimeToLiveStatus");
		attr = cJSON_GetObjectItemCaseSensitive(desc, "AttributeName");
		printf("%-12s%s%s%s\n", "ttl",
		       cJSON_IsString(st) ? st->valuestring : "unknown",
		       cJSON_IsString(attr) ? " on " : "",
		       cJSON_IsString(attr) ? attr->valuestring : "");
	}
	cJSON_Delete(body);
	cJSON_Delete(resp);
}

static void print_human(struct ddb *d, const struct table_desc *t)
{
	char where[512];

	printf("%-12s%s\n", "table", t->name);
	printf("%-12s%s\n", "status", t->status ? t->status : "unknown");
	printf("%-12s%s\n", "account", ddb_where(d, where, sizeof(where)));
	printf("%-12s", "key");
	print_key(&t->hash, &t->range);
	printf("\n");
	print_attributes(t);
	if (t->rcu || t->wcu)
		printf("%-12s%s (%lld RCU, %lld WCU)\n", "billing",
		       t->billing_mode, t->rcu, t->wcu);
	else
		printf("%-12s%s\n", "billing", t->billing_mode);
	printf("%-12s%lld (DynamoDB updates this about every six hours)\n",
	       "items", t->item_count);
	printf("%-12s", "size");
	print_size(t->size_bytes);
	print_indexes(t);
	print_ttl(d, t->name);
	if (t->arn)
		printf("%-12s%s\n", "arn", t->arn);
}

int cmd_describe(struct ctx *ctx)
{
	struct table_desc t;
	struct ddb d;

	if (ctx_need_table(ctx) < 0 || ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	if (ctx->o.json)
		print_json_indented(t.raw);
	else
		print_human(&d, &t);
	ctx_close_table(&d, &t);
	return 0;
}
