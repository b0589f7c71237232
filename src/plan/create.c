/*
 * --create-target: a missing target is created from the source's
 * description. DescribeTable returns much that CreateTable refuses (ARNs,
 * counts, statuses, timestamps, decrease counters), so only the accepted
 * fields are carried over.
 */
#include "dynamo/stages.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
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

cJSON *create_table_request(const cJSON *desc, const char *name)
{
	cJSON *req = cJSON_CreateObject();
	const cJSON *gsi = get(desc, "GlobalSecondaryIndexes");
	const cJSON *lsi = get(desc, "LocalSecondaryIndexes");
	const cJSON *stream = get(desc, "StreamSpecification");
	const cJSON *cls = get(get(desc, "TableClassSummary"), "TableClass");
	int prov = provisioned(desc);

	cJSON_AddStringToObject(req, "TableName", name);
	copy_field(req, desc, "AttributeDefinitions");
	copy_field(req, desc, "KeySchema");
	cJSON_AddStringToObject(req, "BillingMode", prov ? "PROVISIONED" : "PAY_PER_REQUEST");
	if (prov)
		cJSON_AddItemToObject(req, "ProvisionedThroughput",
				      throughput(get(desc, "ProvisionedThroughput")));
	if (cJSON_GetArraySize(gsi))
		cJSON_AddItemToObject(req, "GlobalSecondaryIndexes", indexes(gsi, 1, prov));
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

/* TTL is not part of CreateTable: read it from the source, set it on the target. */
static int copy_ttl(struct stage *s, struct errbuf *eb)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL, *upd, *spec;
	const cJSON *desc, *st, *attr;
	struct errbuf ignore = ERRBUF_INIT;
	int r = 0;

	cJSON_AddStringToObject(body, "TableName", s->src_table);
	if (ddb_request_json(s->src, DDB_TARGET("DescribeTimeToLive"), body, &resp, &ignore) < 0) {
		cJSON_Delete(body);
		return 0;	/* some emulators lack TTL; nothing to copy */
	}
	cJSON_Delete(body);
	desc = get(resp, "TimeToLiveDescription");
	st = get(desc, "TimeToLiveStatus");
	attr = get(desc, "AttributeName");
	if (cJSON_IsString(st) && cJSON_IsString(attr) &&
	    (!strcmp(st->valuestring, "ENABLED") || !strcmp(st->valuestring, "ENABLING"))) {
		cJSON *out = NULL;

		upd = cJSON_CreateObject();
		spec = cJSON_CreateObject();
		cJSON_AddStringToObject(upd, "TableName", s->dst_table);
		cJSON_AddBoolToObject(spec, "Enabled", 1);
		cJSON_AddStringToObject(spec, "AttributeName", attr->valuestring);
		cJSON_AddItemToObject(upd, "TimeToLiveSpecification", spec);
		r = ddb_request_json(s->dst, DDB_TARGET("UpdateTimeToLive"), upd, &out, eb);
		cJSON_Delete(upd);
		cJSON_Delete(out);
	}
	cJSON_Delete(resp);
	return r;
}

int stage_create_table(struct plan *p, struct stage *s)
{
	struct errbuf *eb = &p->ctx->eb;
	cJSON *req = create_table_request(s->src_desc->raw, s->dst_table), *resp = NULL;
	char where[512];
	int r;

	r = ddb_request_json(s->dst, DDB_TARGET("CreateTable"), req, &resp, eb);
	cJSON_Delete(req);
	cJSON_Delete(resp);
	if (r < 0)
		return -1;
	msg_info("created table '%s' in %s; waiting until it is ACTIVE",
		 s->dst_table, ddb_where(s->dst, where, sizeof(where)));
	if (table_wait_active(s->dst, s->dst_table, 1800, eb) < 0)
		return -1;
	return copy_ttl(s, eb);
}
