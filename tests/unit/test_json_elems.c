/*
 * The objects of a JSON document, streamed (src/util/json_elems.c): what
 * 'aws dynamodb scan' and 'dynamo query --output ddb' print, in any layout,
 * fed whole or a byte at a time, and the documents that are not that.
 */
#include "unit.h"
#include "dynamo/json_elems.h"

#define MAX_OBJECTS 16

struct result {
	char *obj[MAX_OBJECTS];
	unsigned long long line[MAX_OBJECTS];
	int n;
	const char *error;	/* from feed or finish; NULL when the document was fine */
};

/* Feeds doc in pieces of step bytes (0: whole). */
static void run(const char *doc, size_t step, struct result *res)
{
	struct json_elems s;
	struct buf out = BUF_INIT;
	size_t len = strlen(doc), off = 0;

	memset(res, 0, sizeof(*res));
	json_elems_init(&s);
	buf_init(&out, 1024);
	while (off < len) {
		size_t n = step && len - off > step ? step : len - off, used;
		int rc = json_elems_feed(&s, doc + off, n, &used, &out);

		assert_true(used <= n);
		off += used;
		if (rc < 0) {
			res->error = s.error;
			break;
		}
		if (rc == 1) {
			assert_true(res->n < MAX_OBJECTS);
			res->obj[res->n] = strndup(out.data, out.len);
			res->line[res->n++] = s.elem_line;
			buf_reset(&out);
		}
	}
	if (!res->error)
		res->error = json_elems_finish(&s);
	buf_release(&out);
}

static void release(struct result *res)
{
	int i;

	for (i = 0; i < res->n; i++)
		free(res->obj[i]);
}

/* The same objects and verdict whatever the pieces the stream comes in. */
static void expect(const char *doc, const char *const *want, int nwant, const char *error)
{
	static const size_t steps[] = { 0, 1, 2, 7 };
	size_t k;
	int i;

	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		struct result res;

		run(doc, steps[k], &res);
		if (error) {
			if (!res.error || !strstr(res.error, error))
				fail_msg("step %zu: wanted an error with '%s', got %s", steps[k], error,
					 res.error ? res.error : "none");
		} else if (res.error) {
			fail_msg("step %zu: %s", steps[k], res.error);
		}
		assert_int_equal(res.n, nwant);
		for (i = 0; i < nwant; i++)
			assert_string_equal(res.obj[i], want[i]);
		release(&res);
	}
}

static void test_aws_scan_output(void **state)
{
	const char *doc =
		"{\n"
		"    \"Items\": [\n"
		"        {\n"
		"            \"pk\": {\"S\": \"a]}\\\"[{\"}\n"
		"        },\n"
		"        {\"pk\": {\"S\": \"b\"}, \"l\": {\"L\": [{\"M\": {}}]}}\n"
		"    ],\n"
		"    \"Count\": 2,\n"
		"    \"ScannedCount\": 2,\n"
		"    \"ConsumedCapacity\": null\n"
		"}\n";
	const char *want[] = {
		"{\n            \"pk\": {\"S\": \"a]}\\\"[{\"}\n        }",
		"{\"pk\": {\"S\": \"b\"}, \"l\": {\"L\": [{\"M\": {}}]}}",
	};
	struct result res;

	(void)state;
	expect(doc, want, 2, NULL);
	run(doc, 3, &res);
	assert_int_equal(res.line[0], 3);
	assert_int_equal(res.line[1], 6);
	release(&res);
}

static void test_items_after_other_members_and_nested_items_keys(void **state)
{
	/* Only the top level's "Items" counts: one inside another member is skipped. */
	const char *doc =
		"{\"LastEvaluatedKey\": {\"Items\": [{\"x\": 1}]}, \"Note\": \"\\\"Items\\\": [\","
		" \"Item\": [{\"y\": 2}], \"ItemsX\": [{\"z\": 3}],"
		" \"Items\": [{\"a\": {\"N\": \"1\"}}, {\"b\": {\"N\": \"2\"}}], \"Items2\": [{\"c\": 3}]}";
	const char *want[] = { "{\"a\": {\"N\": \"1\"}}", "{\"b\": {\"N\": \"2\"}}" };

	(void)state;
	expect(doc, want, 2, NULL);
}

static void test_dynamo_query_output_ddb(void **state)
{
	const char *doc = "\n[\n{\"pk\":{\"S\":\"1\"}},\n{\"pk\":{\"S\":\"2\"}}\n]\n\n";
	const char *want[] = { "{\"pk\":{\"S\":\"1\"}}", "{\"pk\":{\"S\":\"2\"}}" };

	(void)state;
	expect(doc, want, 2, NULL);
	expect("[]", NULL, 0, NULL);
	expect("{\"Items\": [], \"Count\": 0}", NULL, 0, NULL);
}

static void test_documents_that_are_not_item_lists(void **state)
{
	const char *one[] = { "{\"a\":1}" };

	(void)state;
	expect("", NULL, 0, "empty");
	expect("   \n", NULL, 0, "empty");
	expect("\"text\"", NULL, 0, "not a JSON array or object");
	expect("[1, 2]", NULL, 0, "not an object");
	expect("[{\"a\":1}, 2]", one, 1, "not an object");
	expect("{\"Count\": 0}", NULL, 0, "no \"Items\" array");
	expect("{\"Items\": [{\"a\":1}", one, 1, "cut short");
	expect("{\"Items\": [{\"a\":1}]", one, 1, "cut short");
	expect("[{\"a\":1}] [", one, 1, "goes on after");
	expect("[{\"a\":1}]\n\n", one, 1, NULL);
}

static void test_an_object_larger_than_the_buffer_is_an_error(void **state)
{
	struct json_elems s;
	struct buf out;
	char doc[200];
	size_t used;

	(void)state;
	snprintf(doc, sizeof(doc), "[{\"a\":\"%0100d\"}]", 0);
	json_elems_init(&s);
	buf_init(&out, 64);
	assert_int_equal(json_elems_feed(&s, doc, strlen(doc), &used, &out), -1);
	assert_non_null(strstr(s.error, "larger than the limit"));
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aws_scan_output),
		cmocka_unit_test(test_items_after_other_members_and_nested_items_keys),
		cmocka_unit_test(test_dynamo_query_output_ddb),
		cmocka_unit_test(test_documents_that_are_not_item_lists),
		cmocka_unit_test(test_an_object_larger_than_the_buffer_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
