/*
 * The response walkers the prune and delete paths rely on
 * (src/ddb/response.c): a Scan/Query page, a BatchGetItem answer and a
 * BatchWriteItem answer, each checked before anything acts on it. Every
 * input is offered to all three, and to the LastEvaluatedKey comparison.
 *
 * What must hold:
 *  - an answer the walker accepts has what the operation always returns,
 *    as an independent parser (cJSON) reads the same text: Count and as many
 *    Items, Responses and UnprocessedKeys, UnprocessedItems;
 *  - every slice a walker returns lies inside the answer;
 *  - a BatchWriteItem answer is accepted only when each unprocessed request
 *    is a distinct one of those sent (by key), never more than were sent;
 *  - a refusal says why, on one line;
 *  - the key comparison is reflexive and symmetric.
 */
#include "fuzz.h"

#include <cJSON.h>

#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/json_scan.h"
#include "dynamo/response.h"

#define TABLE "orders"

#define SENT_LIST \
	"[{\"PutRequest\":{\"Item\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"},\"x\":{\"S\":\"1\"}}}}," \
	"{\"PutRequest\":{\"Item\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"2\"}}}}," \
	"{\"DeleteRequest\":{\"Key\":{\"PK\":{\"S\":\"b\"},\"SK\":{\"N\":\"10\"}}}}]"

static const char sent_list[] = SENT_LIST;
static const char request[] =
	"{\"RequestItems\":{\"" TABLE "\":" SENT_LIST "},\"ReturnConsumedCapacity\":\"TOTAL\"}";

static struct table_desc keys(void)
{
	struct table_desc t;

	memset(&t, 0, sizeof(t));
	t.name = (char *)TABLE;
	t.hash.name = (char *)"PK";
	t.hash.type = 'S';
	t.range.name = (char *)"SK";
	t.range.type = 'N';
	return t;
}

static void check_why(const char *why)
{
	size_t n = strlen(why);

	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(!memchr(why, '\n', n));
}

static int elements(struct slice list, char first)
{
	struct js_iter it;
	struct slice e;
	int n = 0, r;

	FUZZ_CHECK(js_begin(&it, list, '[') == 0);
	while ((r = js_next_element(&it, &e)) == 1) {
		FUZZ_CHECK(!first || *e.p == first);
		n++;
	}
	FUZZ_CHECK(r == 0);
	return n;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void check_page(const char *body, size_t len, const cJSON *doc, int count_only)
{
	struct ddb_page pg;
	char why[512] = "";

	if (ddb_page_parse((struct slice){ body, len }, count_only, &pg, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	if (pg.items.n) {
		FUZZ_CHECK(fuzz_within(pg.items.p, pg.items.n, body, len));
		FUZZ_CHECK((uint64_t)elements(pg.items, '{') == pg.count);
	} else {
		FUZZ_CHECK(count_only);
	}
	if (pg.lek.n) {
		FUZZ_CHECK(fuzz_within(pg.lek.p, pg.lek.n, body, len));
		FUZZ_CHECK(*pg.lek.p == '{' && pg.lek.n > 2);
		FUZZ_CHECK(ddb_same_start_key(pg.lek, pg.lek));
	}
	if (pg.cc.n)
		FUZZ_CHECK(fuzz_within(pg.cc.p, pg.cc.n, body, len));
	if (cJSON_IsObject(doc)) {
		const cJSON *count = get(doc, "Count"), *items = get(doc, "Items");

		FUZZ_CHECK(cJSON_IsNumber(count) && count->valuedouble == (double)pg.count);
		FUZZ_CHECK(count_only || cJSON_IsArray(items));
		if (cJSON_IsArray(items))
			FUZZ_CHECK((uint64_t)cJSON_GetArraySize(items) == pg.count);
	}
}

static void check_get(const char *body, size_t len, const cJSON *doc)
{
	struct ddb_batch_get ans;
	char why[512] = "";

	if (ddb_batch_get_parse((struct slice){ body, len }, TABLE, &ans, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	if (ans.has_items) {
		FUZZ_CHECK(fuzz_within(ans.items.p, ans.items.n, body, len));
		FUZZ_CHECK(*ans.items.p == '[');
	}
	if (ans.again.n) {
		FUZZ_CHECK(fuzz_within(ans.again.p, ans.again.n, body, len));
		FUZZ_CHECK(*ans.again.p == '[');
	}
	if (cJSON_IsObject(doc)) {
		FUZZ_CHECK(cJSON_IsObject(get(doc, "Responses")));
		FUZZ_CHECK(cJSON_IsObject(get(doc, "UnprocessedKeys")));
		FUZZ_CHECK(!ans.has_items || cJSON_IsArray(get(get(doc, "Responses"), TABLE)));
	}
}

static void check_write(const char *body, size_t len, const cJSON *doc)
{
	static const struct slice sent = { sent_list, sizeof(sent_list) - 1 };
	struct table_desc t = keys();
	struct ddb_batch_write ans;
	char why[512] = "";
	struct js_iter it;
	struct slice e, item, s;
	int n = 0;

	if (ddb_batch_write_parse((struct slice){ body, len }, TABLE,
				  (struct slice){ request, sizeof(request) - 1 }, &t, &ans,
				  why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	FUZZ_CHECK(ans.n >= 0 && ans.n <= 3);
	if (!ans.n)
		FUZZ_CHECK(!ans.unprocessed.n || elements(ans.unprocessed, 0) == 0);
	if (ans.n) {
		FUZZ_CHECK(fuzz_within(ans.unprocessed.p, ans.unprocessed.n, body, len));
		FUZZ_CHECK(js_begin(&it, ans.unprocessed, '[') == 0);
		while (js_next_element(&it, &e) == 1) {
			struct js_iter si;
			int kind = ddb_write_request_item(e, &item), found = 0;

			FUZZ_CHECK(kind > 0);
			FUZZ_CHECK(js_begin(&si, sent, '[') == 0);
			while (js_next_element(&si, &s) == 1) {
				struct slice other;

				if (ddb_write_request_item(s, &other) == kind &&
				    ddb_same_key(item, other, &t))
					found = 1;
			}
			FUZZ_CHECK(found);
			n++;
		}
		FUZZ_CHECK(n == ans.n);
	}
	if (cJSON_IsObject(doc))
		FUZZ_CHECK(cJSON_IsObject(get(doc, "UnprocessedItems")));
}

static void check_keys(const char *body, size_t len)
{
	static const char fixed[] = "{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1e0\"}}";
	struct slice a = { body, len }, b = { fixed, sizeof(fixed) - 1 };

	if (!js_valid(a) || *js_ws(body, body + len) != '{')
		return;
	FUZZ_CHECK(ddb_same_start_key(a, b) == ddb_same_start_key(b, a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_dup(data, size);
	cJSON *doc = cJSON_ParseWithLength(body, size);

	check_page(body, size, doc, 0);
	check_page(body, size, doc, 1);
	check_get(body, size, doc);
	check_write(body, size, doc);
	check_keys(body, size);
	cJSON_Delete(doc);
	free(body);
	return 0;
}
