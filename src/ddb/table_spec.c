/*
 * A new table like a described one: CreateTable's request, or ImportTable's
 * TableCreationParameters. DescribeTable returns much that neither accepts
 * (ARNs, counts, statuses, timestamps, decrease counters), so only the
 * accepted fields are carried over.
 */
#include "dynamo/ddb.h"

#include <string.h>

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void copy_field(cJSON *dst, const cJSON *src, const char *k)
{
	const cJSON *v = get(src, k);

	if (v)
		cJSON_AddItemToObject(dst, k, cJSON_Duplicate(v, 1));
}

static int provisioned(const cJSON *desc)
{
	const cJSON *bm = get(get(desc, "BillingModeSummary"), "BillingMode");
	const cJSON *rcu = get(get(desc, "ProvisionedThroughput"), "ReadCapacityUnits");

	if (cJSON_IsString(bm))
		return !strcmp(bm->valuestring, "PROVISIONED");
	return cJSON_IsNumber(rcu) && rcu->valuedouble > 0;
}

static cJSON *throughput(const cJSON *pt)
{
	cJSON *t = cJSON_CreateObject();
	const cJSON *r = get(pt, "ReadCapacityUnits"), *w = get(pt, "WriteCapacityUnits");

	cJSON_AddNumberToObject(t, "ReadCapacityUnits",
				cJSON_IsNumber(r) && r->valuedouble > 0 ? r->valuedouble : 1);
	cJSON_AddNumberToObject(t, "WriteCapacityUnits",
				cJSON_IsNumber(w) && w->valuedouble > 0 ? w->valuedouble : 1);
	return t;
}

static cJSON *indexes(const cJSON *list, int global, int prov)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *ix;

	cJSON_ArrayForEach(ix, list) {
		cJSON *n = cJSON_CreateObject();

		copy_field(n, ix, "IndexName");
		copy_field(n, ix, "KeySchema");
		copy_field(n, ix, "Projection");
		if (global && prov)
			cJSON_AddItemToObject(n, "ProvisionedThroughput",
					      throughput(get(ix, "ProvisionedThroughput")));
		cJSON_AddItemToArray(out, n);
	}
	return out;
}

cJSON *table_create_spec(const cJSON *desc, const char *name, enum table_spec_use use,
			 int billing)
{
	cJSON *req = cJSON_CreateObject();
	const cJSON *gsi = get(desc, "GlobalSecondaryIndexes");
	const cJSON *lsi = get(desc, "LocalSecondaryIndexes");
	const cJSON *stream = get(desc, "StreamSpecification");
	const cJSON *cls = get(get(desc, "TableClassSummary"), "TableClass");
	int prov = billing ? billing == BILLING_PROVISIONED : provisioned(desc);

	cJSON_AddStringToObject(req, "TableName", name);
	copy_field(req, desc, "AttributeDefinitions");
	copy_field(req, desc, "KeySchema");
	cJSON_AddStringToObject(req, "BillingMode", prov ? "PROVISIONED" : "PAY_PER_REQUEST");
	if (prov)
		cJSON_AddItemToObject(req, "ProvisionedThroughput",
				      throughput(get(desc, "ProvisionedThroughput")));
	if (cJSON_GetArraySize(gsi))
		cJSON_AddItemToObject(req, "GlobalSecondaryIndexes", indexes(gsi, 1, prov));
	/* ImportTable's TableCreationParameters has none of what follows. */
	if (use == TABLE_SPEC_IMPORT)
		return req;
	if (cJSON_GetArraySize(lsi))
		cJSON_AddItemToObject(req, "LocalSecondaryIndexes", indexes(lsi, 0, prov));
	if (cJSON_IsTrue(get(stream, "StreamEnabled"))) {
		cJSON *ss = cJSON_CreateObject();

		cJSON_AddBoolToObject(ss, "StreamEnabled", 1);
		copy_field(ss, stream, "StreamViewType");
		cJSON_AddItemToObject(req, "StreamSpecification", ss);
	}
	if (cJSON_IsString(cls))
		cJSON_AddStringToObject(req, "TableClass", cls->valuestring);
	return req;
}
