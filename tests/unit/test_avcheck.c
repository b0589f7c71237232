/* Strict attribute values (src/ddb/avcheck.c): what DynamoDB takes, and why not. */
#include "unit.h"

#include "dynamo/avcheck.h"
#include "dynamo/buf.h"

static void test_valid_values(void **state)
{
	static const char *const cases[] = {
		"{\"S\":\"\"}", "{\"S\":\"say \\\"hi\\\" \\u00e9\"}", " {\"N\":\"-1.5E+3\"} ",
		"{\"N\":\"0\"}", "{\"N\":\"1E-130\"}", "{\"N\":\".5\"}",
		"{\"N\":\"12345678901234567890123456789012345678\"}",
		"{\"N\":\"0.00000000000000000000000000000000000000000001\"}",
		"{\"B\":\"\"}", "{\"B\":\"AAEC/w==\"}", "{\"B\":\"AA==\"}", "{\"BOOL\":true}",
		"{\"BOOL\":false}", "{\"NULL\":true}", "{\"SS\":[\"a\",\"b\"]}",
		"{\"NS\":[\"1\",\"2\",\"1e3\"]}", "{\"BS\":[\"AA==\",\"AQ==\"]}", "{\"L\":[]}",
		"{\"M\":{}}", "{\"M\":{\"a\":{\"L\":[{\"S\":\"x\"},{\"M\":{\"b\":{\"NULL\":true}}}]}}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[300] = "";

		if (av_check((struct slice){ cases[i], strlen(cases[i]) }, why, sizeof(why)) < 0)
			fail_msg("%s refused: %s", cases[i], why);
	}
}

static void test_invalid_values(void **state)
{
	static const struct {
		const char *av, *want;
	} cases[] = {
		{ "", "is not valid JSON" },
		{ "{\"S\":\"x\"} {}", "is not valid JSON" },
		{ "{}", "is not an attribute value" },
		{ "\"x\"", "is not an attribute value" },
		{ "{\"N\":\"\"}", "N '' is not a number" },
		{ "{\"N\":\"1e126\"}", "N '1e126' is not a number" },
		{ "{\"N\":\"1e-131\"}", "N '1e-131' is not a number" },
		{ "{\"N\":\"0x10\"}", "N '0x10' is not a number" },
		{ "{\"N\":\"NaN\"}", "N 'NaN' is not a number" },
		{ "{\"N\":\"1 \"}", "is not a number" },
		{ "{\"B\":\"AA=\"}", "B 'AA=' is not standard padded base64" },
		{ "{\"B\":\"A===\"}", "is not standard padded base64" },
		{ "{\"B\":\"AA-_\"}", "is not standard padded base64" },
		{ "{\"NULL\":false}", "NULL is false, not true" },
		{ "{\"SS\":[\"a\",\"a\"]}", "SS holds the same value twice" },
		{ "{\"SS\":[\"\\u0061\",\"a\"]}", "SS holds the same value twice" },
		{ "{\"BS\":[\"AA==\",\"AA==\"]}", "BS holds the same value twice" },
		{ "{\"NS\":[]}", "NS is empty" },
		{ "{\"NS\":[\"1\",\"x\"]}", "N 'x' is not a number" },
		{ "{\"SS\":\"a\"}", "SS is not an array" },
		{ "{\"L\":{}}", "L is not a JSON array" },
		{ "{\"M\":[]}", "M is not a JSON object" },
		{ "{\"M\":{\"a\":1}}", "1 is not an attribute value" },
		{ "{\"s\":\"x\"}", "'s' is not a DynamoDB type" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[300] = "";

		if (av_check((struct slice){ cases[i].av, strlen(cases[i].av) }, why, sizeof(why)) != -1 ||
		    !strstr(why, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].av, why, cases[i].want);
	}
}

/* Lists and maps nest AV_MAX_DEPTH (31) levels deep at most. */
static void test_depth(void **state)
{
	struct buf b = BUF_INIT;
	char why[300];
	int i;

	(void)state;
	for (i = 0; i < AV_MAX_DEPTH + 1; i++)
		buf_puts(&b, "{\"L\":[");
	buf_puts(&b, "{\"S\":\"x\"}");
	for (i = 0; i < AV_MAX_DEPTH + 1; i++)
		buf_puts(&b, "]}");
	assert_int_equal(av_check((struct slice){ b.data, b.len }, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "deeper than 31 levels"));
	buf_reset(&b);
	for (i = 0; i < AV_MAX_DEPTH; i++)
		buf_puts(&b, "{\"L\":[");
	buf_puts(&b, "{\"S\":\"x\"}");
	for (i = 0; i < AV_MAX_DEPTH; i++)
		buf_puts(&b, "]}");
	assert_int_equal(av_check((struct slice){ b.data, b.len }, why, sizeof(why)), 0);
	buf_release(&b);
}

static void test_base64(void **state)
{
	(void)state;
	assert_true(base64_valid("", 0));
	assert_true(base64_valid("AAAA", 4));
	assert_true(base64_valid("AA==", 4));
	assert_true(base64_valid("AAA=", 4));
	assert_false(base64_valid("A", 1));
	assert_false(base64_valid("A=AA", 4));
	assert_false(base64_valid("====", 4));
	assert_false(base64_valid("AA\nA", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_values),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
