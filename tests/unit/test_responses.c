/*
 * Numbers in answers that are out of any sane range (found by fuzzing):
 * they must neither be undefined behaviour nor wedge anything.
 */
#include "unit.h"
#include "dynamo/creds.h"
#include "dynamo/ddb.h"
#include "dynamo/job.h"
#include "dynamo/response.h"

#include <cJSON.h>
#include <math.h>

static void huge_counts_read_as_zero(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct table_desc t;
	cJSON *raw = cJSON_Parse("{\"TableName\":\"tbl\",\"ItemCount\":1e19,\"TableSizeBytes\":-5,"
				 "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],"
				 "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}]}");

	(void)state;
	assert_int_equal(table_from_json(&t, raw, &eb), 0);
	assert_int_equal(t.item_count, 0);
	assert_int_equal(t.size_bytes, 0);
	table_desc_release(&t);
}

static void absurd_expirations_are_refused(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = NULL;
	cJSON *o = cJSON_Parse("{\"accessKeyId\":\"AKID\",\"secretAccessKey\":\"s\",\"expiration\":1E36}");

	(void)state;
	assert_int_equal(creds_from_json(o, "accessKeyId", "secretAccessKey", "sessionToken",
					 "expiration", 1, "test", &c, &eb), -1);
	assert_true(eb.set);
	assert_null(c);
	cJSON_Delete(o);
}

static void capacity_is_finite_and_not_negative(void **state)
{
	static const char *const bodies[] = {
		"{\"ConsumedCapacity\":[{\"CapacityUnits\":1e999},{\"CapacityUnits\":-1e999}]}",
		"{\"ConsumedCapacity\":{\"CapacityUnits\":-5}}",
		"{\"ConsumedCapacity\":{\"CapacityUnits\":1e999}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		double cu = consumed_capacity((struct slice){ bodies[i], strlen(bodies[i]) });

		assert_true(isfinite(cu) && cu >= 0);
	}
	assert_true(fabs(consumed_capacity((struct slice){ "{\"ConsumedCapacity\":{\"CapacityUnits\":2.5}}", 41 }) - 2.5) < 1e-9);
}

/* Which request sent each unprocessed one is: by key, numbers by value, each sent one once. */
static void unprocessed_requests_are_matched_to_those_sent(void **state)
{
	char hash[] = "k", range[] = "s", why[200];
	struct table_desc t;
	struct ddb_batch_write out;
	const char *req = "{\"RequestItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"1000\"},\"s\":{\"S\":\"a\"},\"v\":{\"S\":\"x\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"1000\"},\"s\":{\"S\":\"b\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}}]}}";
	const char *resp = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"s\":{\"S\":\"a\"},\"k\":{\"N\":\"7.0\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"1e3\"},\"s\":{\"S\":\"a\"},\"v\":{\"S\":\"y\"}}}}]}}";
	const char *twice = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}}]}}";
	const char *deleted = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"DeleteRequest\":{\"Key\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}}]}}";
	struct slice rq = { req, strlen(req) };

	(void)state;
	memset(&t, 0, sizeof(t));
	t.hash.name = hash;
	t.range.name = range;
	assert_int_equal(ddb_batch_write_parse((struct slice){ resp, strlen(resp) }, "tbl", rq, &t,
					       &out, why, sizeof(why)), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.sent[0], 2);
	assert_int_equal(out.sent[1], 0);
	/* Sent once, handed back twice; a delete for a put: not what was sent. */
	assert_int_equal(ddb_batch_write_parse((struct slice){ twice, strlen(twice) }, "tbl", rq, &t,
					       &out, why, sizeof(why)), -1);
	assert_int_equal(ddb_batch_write_parse((struct slice){ deleted, strlen(deleted) }, "tbl", rq, &t,
					       &out, why, sizeof(why)), -1);
}

/* The same from the items the writer sent (no request body to walk): by key, in any order, each once. */
static void unprocessed_requests_are_matched_to_the_items_sent(void **state)
{
	char hash[] = "k", range[] = "s", why[200];
	struct table_desc t;
	struct ddb_batch_write out;
	const char *items[] = {
		"{\"k\":{\"N\":\"1000\"},\"s\":{\"S\":\"a\"},\"v\":{\"S\":\"x\"}}",
		"{\"k\":{\"N\":\"1000\"},\"s\":{\"S\":\"b\"}}",
		"{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}",
		"{\"s\":{\"S\":\"c\"},\"k\":{\"N\":\"7\"}}",
	};
	const char *resp = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"1000\"},\"s\":{\"S\":\"b\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"c\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"s\":{\"S\":\"a\"},\"k\":{\"N\":\"1e3\"}}}}]}}";
	const char *twice = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}},"
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}}]}}";
	const char *deleted = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"DeleteRequest\":{\"Key\":{\"k\":{\"N\":\"7\"},\"s\":{\"S\":\"a\"}}}}]}}";
	const char *unknown = "{\"UnprocessedItems\":{\"tbl\":["
		"{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"8\"},\"s\":{\"S\":\"a\"}}}}]}}";
	const char *none = "{\"UnprocessedItems\":{}}";
	struct slice sent[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		sent[i] = (struct slice){ items[i], strlen(items[i]) };
	memset(&t, 0, sizeof(t));
	t.hash.name = hash;
	t.range.name = range;
	assert_int_equal(ddb_batch_write_check((struct slice){ resp, strlen(resp) }, "tbl", sent, 4, 0,
					       &t, &out, why, sizeof(why)), 0);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.sent[0], 1);
	assert_int_equal(out.sent[1], 3);
	assert_int_equal(out.sent[2], 0);
	assert_int_equal(ddb_batch_write_check((struct slice){ none, strlen(none) }, "tbl", sent, 4, 0,
					       &t, &out, why, sizeof(why)), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(ddb_batch_write_check((struct slice){ twice, strlen(twice) }, "tbl", sent, 4, 0,
					       &t, &out, why, sizeof(why)), -1);
	assert_int_equal(ddb_batch_write_check((struct slice){ unknown, strlen(unknown) }, "tbl", sent, 4, 0,
					       &t, &out, why, sizeof(why)), -1);
	/* Puts were sent: a delete handed back is not one of them; deletes sent: it is. */
	assert_int_equal(ddb_batch_write_check((struct slice){ deleted, strlen(deleted) }, "tbl", sent, 4, 0,
					       &t, &out, why, sizeof(why)), -1);
	assert_int_equal(ddb_batch_write_check((struct slice){ deleted, strlen(deleted) }, "tbl", sent, 4, 1,
					       &t, &out, why, sizeof(why)), 0);
	assert_int_equal(out.sent[0], 2);
	/* More handed back than sent. */
	assert_int_equal(ddb_batch_write_check((struct slice){ resp, strlen(resp) }, "tbl", sent, 2, 0,
					       &t, &out, why, sizeof(why)), -1);
}

/* The page check lists each item as it walks them (the engine feeds from that list), and nothing from a bad page. */
static void a_page_check_lists_its_items(void **state)
{
	const char *page = "{\"Count\":3,\"Items\":[{\"k\":{\"S\":\"a,]}\"}} , {\"k\":{\"S\":\"b\"}},{}],"
		"\"ScannedCount\":3}";
	const char *bad = "{\"Count\":3,\"Items\":[{\"k\":{\"S\":\"a\"}},{}]}";
	struct buf items = BUF_INIT;
	struct ddb_page pg;
	const struct slice *it;
	char why[200];

	(void)state;
	assert_int_equal(ddb_page_parse_items((struct slice){ page, strlen(page) }, 0, &pg, &items,
					      why, sizeof(why)), 0);
	assert_int_equal(items.len, 3 * sizeof(struct slice));
	it = (const struct slice *)(void *)items.data;
	assert_int_equal(it[0].n, strlen("{\"k\":{\"S\":\"a,]}\"}}"));
	assert_memory_equal(it[0].p, "{\"k\":{\"S\":\"a,]}\"}}", it[0].n);
	assert_int_equal(it[1].n, strlen("{\"k\":{\"S\":\"b\"}}"));
	assert_memory_equal(it[1].p, "{\"k\":{\"S\":\"b\"}}", it[1].n);
	assert_int_equal(it[2].n, 2);
	assert_memory_equal(it[2].p, "{}", 2);
	/* Count says 3, Items holds 2: refused (the list says nothing the engine may use). */
	assert_int_equal(ddb_page_parse_items((struct slice){ bad, strlen(bad) }, 0, &pg, &items,
					      why, sizeof(why)), -1);
	buf_release(&items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(huge_counts_read_as_zero),
		cmocka_unit_test(unprocessed_requests_are_matched_to_those_sent),
		cmocka_unit_test(a_page_check_lists_its_items),
		cmocka_unit_test(unprocessed_requests_are_matched_to_the_items_sent),
		cmocka_unit_test(absurd_expirations_are_refused),
		cmocka_unit_test(capacity_is_finite_and_not_negative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
