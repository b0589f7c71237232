#include "dynamo/ddb.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int table_name_check(const char *flag, const char *name, struct errbuf *eb)
{
	size_t n = strlen(name), i;

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			break;
	}
	if (n < 3 || n > 255 || i < n)
		return errf(eb, EXIT_USAGE,
			    "%s '%s' is not a valid table name: use 3 to 255 letters, digits, '_', '-' or '.'",
			    flag, name);
	return 0;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	/* Counts and sizes: a value out of range (a broken answer) reads as 0. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 9.2e18))
		return 0;
	return (long long)v->valuedouble;
}

static char *dup_str(const cJSON *o, const char *key)
{
	const char *s = str(o, key);

	return s ? xstrdup(s) : NULL;
}

static char attr_type(const cJSON *defs, const char *name)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, defs) {
		const char *n = str(d, "AttributeName"), *t = str(d, "AttributeType");

		if (n && t && !strcmp(n, name))
			return t[0];
	}
	return 0;
}

static int key_schema(const cJSON *ks, const cJSON *defs, struct key_attr *hash,
		      struct key_attr *range)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, ks) {
		const char *n = str(k, "AttributeName"), *t = str(k, "KeyType");
		struct key_attr *dst;

		if (!n || !t)
			return -1;
		dst = !strcmp(t, "HASH") ? hash : !strcmp(t, "RANGE") ? range : NULL;
		if (!dst || dst->name)
			return -1;
		dst->name = xstrdup(n);
		dst->type = attr_type(defs, n);
		if (!dst->type)
			return -1;
	}
	return hash->name ? 0 : -1;
}

static int add_indexes(struct table_desc *t, const cJSON *list,
		       const cJSON *defs, int global)
{
	const cJSON *ix;

	cJSON_ArrayForEach(ix, list) {
		struct index_desc *d;

		t->indexes = xrealloc(t->indexes,
				      (size_t)(t->nindexes + 1) * sizeof(*t->indexes));
		d = &t->indexes[t->nindexes++];
		memset(d, 0, sizeof(*d));
		d->global = global;
		d->name = dup_str(ix, "IndexName");
		d->projection = dup_str(cJSON_GetObjectItemCaseSensitive(ix, "Projection"),
					"ProjectionType");
		d->status = global ? dup_str(ix, "IndexStatus") : xstrdup("ACTIVE");
		if (!d->name ||
		    key_schema(cJSON_GetObjectItemCaseSensitive(ix, "KeySchema"),
			       defs, &d->hash, &d->range) < 0)
			return -1;
		if (!d->projection)
			d->projection = xstrdup("ALL");
	}
	return 0;
}

int table_from_json(struct table_desc *t, cJSON *raw, struct errbuf *eb)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(raw, "AttributeDefinitions");
	const cJSON *bm = cJSON_GetObjectItemCaseSensitive(raw, "BillingModeSummary");
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(raw, "ProvisionedThroughput");
	const cJSON *ss = cJSON_GetObjectItemCaseSensitive(raw, "StreamSpecification");

	memset(t, 0, sizeof(*t));
	t->raw = raw;
	t->name = dup_str(raw, "TableName");
	t->arn = dup_str(raw, "TableArn");
	t->status = dup_str(raw, "TableStatus");
	t->billing_mode = dup_str(bm, "BillingMode");
	t->item_count = num(raw, "ItemCount");
	t->size_bytes = num(raw, "TableSizeBytes");
	t->rcu = num(pt, "ReadCapacityUnits");
	t->wcu = num(pt, "WriteCapacityUnits");
	t->stream_enabled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ss, "StreamEnabled"));
	t->stream_view_type = t->stream_enabled ? dup_str(ss, "StreamViewType") : NULL;
	t->stream_arn = dup_str(raw, "LatestStreamArn");
	t->stream_label = dup_str(raw, "LatestStreamLabel");
	if (!t->billing_mode)
		t->billing_mode = xstrdup(t->rcu || t->wcu ? "PROVISIONED" :
					  "PAY_PER_REQUEST");
	if (!t->name ||
	    key_schema(cJSON_GetObjectItemCaseSensitive(raw, "KeySchema"), defs,
		       &t->hash, &t->range) < 0 ||
	    add_indexes(t, cJSON_GetObjectItemCaseSensitive(raw, "GlobalSecondaryIndexes"),
			defs, 1) < 0 ||
	    add_indexes(t, cJSON_GetObjectItemCaseSensitive(raw, "LocalSecondaryIndexes"),
			defs, 0) < 0) {
		table_desc_release(t);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "the table description has no readable key schema");
	}
	return 0;
}

void table_desc_release(struct table_desc *t)
{
	int i;

	for (i = 0; i < t->nindexes; i++) {
		free(t->indexes[i].name);
		free(t->indexes[i].hash.name);
		free(t->indexes[i].range.name);
		free(t->indexes[i].projection);
		free(t->indexes[i].status);
	}
	free(t->indexes);
	free(t->name);
	free(t->arn);
	free(t->status);
	free(t->billing_mode);
	free(t->stream_view_type);
	free(t->stream_arn);
	free(t->stream_label);
	free(t->hash.name);
	free(t->range.name);
	cJSON_Delete(t->raw);
	memset(t, 0, sizeof(*t));
}

/* arn:aws:dynamodb:REGION:ACCOUNT:table/NAME: the account, for messages and summaries. */
static void note_account(struct ddb *d, const char *arn)
{
	const char *p = arn;
	size_t len;
	int i;

	for (i = 0; p && i < 4; i++)
		if ((p = strchr(p, ':')))
			p++;
	if (!p || !(len = strcspn(p, ":")) || len >= sizeof(d->account) ||
	    p[len] != ':')
		return;
	memcpy(d->account, p, len);
	d->account[len] = '\0';
}

static int describe(const struct ddb *d, const char *name,
		    struct table_desc *t, struct errbuf *eb)
{
	struct errbuf why = ERRBUF_INIT;
	cJSON *body = cJSON_CreateObject(), *resp = NULL, *raw;
	char where[512];
	int r;

	cJSON_AddStringToObject(body, "TableName", name);
	r = ddb_request_json(d, DDB_TARGET("DescribeTable"), body, &resp, &why);
	cJSON_Delete(body);
	if (r < 0) {
		if (why.exit == EXIT_NOT_FOUND)
			return errf(eb, EXIT_NOT_FOUND,
				    "table '%s' not found in %s (check the name with 'dynamo tables%s%s')",
				    name, ddb_where(d, where, sizeof(where)),
				    d->env_keys ? "" : " -e ", d->env_keys ? "" : d->profile);
		*eb = why;
		return -1;
	}
	raw = cJSON_DetachItemFromObjectCaseSensitive(resp, "Table");
	cJSON_Delete(resp);
	if (!cJSON_IsObject(raw)) {
		cJSON_Delete(raw);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "DescribeTable for '%s' answered without a table", name);
	}
	return table_from_json(t, raw, eb);
}

int table_describe(struct ddb *d, const char *name, struct table_desc *t,
		   struct errbuf *eb)
{
	if (describe(d, name, t, eb) < 0)
		return -1;
	note_account(d, t->arn);
	return 0;
}

const struct index_desc *table_index(const struct table_desc *t, const char *name)
{
	int i;

	for (i = 0; i < t->nindexes; i++)
		if (!strcmp(t->indexes[i].name, name))
			return &t->indexes[i];
	return NULL;
}

char table_attr_type(const struct table_desc *t, const char *name)
{
	return attr_type(cJSON_GetObjectItemCaseSensitive(t->raw, "AttributeDefinitions"),
			 name);
}

static int same_key(const struct key_attr *a, const struct key_attr *b)
{
	if (!a->name || !b->name)
		return !a->name && !b->name;
	return !strcmp(a->name, b->name) && a->type == b->type;
}

static void key_text(const struct table_desc *t, char *out, size_t n)
{
	if (t->range.name)
		snprintf(out, n, "%s (%c, hash) + %s (%c, range)", t->hash.name,
			 t->hash.type, t->range.name, t->range.type);
	else
		snprintf(out, n, "%s (%c, hash)", t->hash.name, t->hash.type);
}

int table_same_keys(const struct table_desc *a, const struct table_desc *b,
		    const char *a_where, const char *b_where, struct errbuf *eb)
{
	char ka[300], kb[300];

	if (same_key(&a->hash, &b->hash) && same_key(&a->range, &b->range))
		return 0;
	key_text(a, ka, sizeof(ka));
	key_text(b, kb, sizeof(kb));
	return errf(eb, EXIT_USAGE,
		    "key schemas differ: '%s' in %s has %s but '%s' in %s has %s; nothing was written",
		    a->name, a_where, ka, b->name, b_where, kb);
}

int table_wait_active(const struct ddb *d, const char *name, int timeout_s,
		      struct errbuf *eb)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_s * 1000;
	unsigned delay_ms = 200;

	for (;;) {
		struct table_desc t;
		int active, i;

		if (describe(d, name, &t, eb) < 0)
			return -1;
		active = t.status && !strcmp(t.status, "ACTIVE");
		for (i = 0; i < t.nindexes; i++)
			if (t.indexes[i].status && strcmp(t.indexes[i].status, "ACTIVE"))
				active = 0;
		table_desc_release(&t);
		if (active)
			return 0;
		if (clock_mono_ms() > deadline)
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "table '%s' did not become ACTIVE within %d seconds",
				    name, timeout_s);
		usleep(delay_ms * 1000);
		if (delay_ms < 5000)
			delay_ms *= 2;
	}
}
