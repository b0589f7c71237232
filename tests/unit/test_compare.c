/*
 * DynamoDB's equality (src/ddb/compare.c): what diff, copy --verify and sync
 * call equal. Numbers by value, sets in any order, maps by name, binaries by
 * bytes, lists in order, and values of other types never equal.
 */
#include "unit.h"

#include "dynamo/compare.h"

#include <string.h>

static struct slice S(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

static int eq(const char *a, const char *b)
{
	return av_equal(S(a), S(b));
}

/* 1 when the two values have the same canonical text, 0 when not, -1 when one is malformed. */
static int same_canonical(const char *a, const char *b)
{
	struct buf ca = BUF_INIT, cb = BUF_INIT;
	int r = -1;

	if (av_canonical(S(a), &ca) == 0 && av_canonical(S(b), &cb) == 0)
		r = ca.len == cb.len && !memcmp(ca.data, cb.data, ca.len);
	buf_release(&ca);
	buf_release(&cb);
	return r;
}

static void test_values(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		/* numbers by value, never through a double */
		{ "{\"N\":\"1\"}", "{\"N\":\"1.0\"}", 1 },
		{ "{\"N\":\"1\"}", "{\"N\":\"1E0\"}", 1 },
		{ "{\"N\":\"1e2\"}", "{\"N\":\"100\"}", 1 },
		{ "{\"N\":\"-0\"}", "{\"N\":\"0.000\"}", 1 },
		{ "{\"N\":\"12345678901234567890123456789012345678\"}",
		  "{\"N\":\"12345678901234567890123456789012345679\"}", 0 },
		{ "{\"N\":\"0.1\"}", "{\"N\":\"0.10000000000000001\"}", 0 },
		/* another type is another value */
		{ "{\"N\":\"1\"}", "{\"S\":\"1\"}", 0 },
		{ "{\"SS\":[\"a\"]}", "{\"S\":\"a\"}", 0 },
		/* strings by characters, empty ones too */
		{ "{\"S\":\"\\u00e9\"}", "{\"S\":\"\xc3\xa9\"}", 1 },
		{ "{\"S\":\"\"}", "{\"S\":\"\"}", 1 },
		{ "{\"S\":\"\"}", "{\"S\":\" \"}", 0 },
		{ "{\"S\":\"a\"}", "{\"S\":\"A\"}", 0 },
		/* binaries by bytes */
		{ "{\"B\":\"AAE=\"}", "{\"B\":\"AAE=\"}", 1 },
		{ "{\"B\":\"AAE=\"}", "{\"B\":\"AAI=\"}", 0 },
		/* sets as sets */
		{ "{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}", 1 },
		{ "{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\"]}", 0 },
		{ "{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"c\"]}", 0 },
		{ "{\"NS\":[\"1\",\"2.50\"]}", "{\"NS\":[\"2.5\",\"1E0\"]}", 1 },
		{ "{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"1\",\"3\"]}", 0 },
		{ "{\"BS\":[\"AAE=\",\"AAI=\"]}", "{\"BS\":[\"AAI=\",\"AAE=\"]}", 1 },
		{ "{\"BS\":[\"AAE=\"]}", "{\"BS\":[\"AAI=\"]}", 0 },
		/* lists in order */
		{ "{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"N\":\"1.0\"},{\"S\":\"x\"}]}", 1 },
		{ "{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]}", 0 },
		{ "{\"L\":[{\"N\":\"1\"}]}", "{\"L\":[{\"N\":\"1\"},{\"N\":\"1\"}]}", 0 },
		{ "{\"L\":[]}", "{\"L\":[]}", 1 },
		/* maps by name, nested */
		{ "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"BOOL\":true}}}",
		  "{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"N\":\"1.00\"}}}", 1 },
		{ "{\"M\":{\"a\":{\"M\":{\"x\":{\"NS\":[\"1\",\"2\"]}}}}}",
		  "{\"M\":{\"a\":{\"M\":{\"x\":{\"NS\":[\"2\",\"1\"]}}}}}", 1 },
		{ "{\"M\":{\"a\":{\"M\":{\"x\":{\"NS\":[\"1\",\"2\"]}}}}}",
		  "{\"M\":{\"a\":{\"M\":{\"x\":{\"NS\":[\"1\",\"3\"]}}}}}", 0 },
		{ "{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"NULL\":true}}}", 0 },
		{ "{\"M\":{}}", "{\"M\":{}}", 1 },
		{ "{\"BOOL\":true}", "{\"BOOL\":false}", 0 },
		{ "{\"BOOL\":true}", "{\"BOOL\": true}", 1 },
		{ "{\"NULL\":true}", "{\"NULL\":true}", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (eq(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("%s vs %s: want %d", cases[i].a, cases[i].b, cases[i].want);
		/* Equality is symmetric. */
		if (eq(cases[i].b, cases[i].a) != cases[i].want)
			fail_msg("%s vs %s: want %d", cases[i].b, cases[i].a, cases[i].want);
		/* query --unique's canonical text says the same (one definition of equal). */
		if (same_canonical(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("av_canonical of %s and %s: want %s", cases[i].a, cases[i].b,
				 cases[i].want ? "the same text" : "different texts");
	}
}

static void test_malformed_values(void **state)
{
	(void)state;
	assert_int_equal(eq("{\"N\":\"one\"}", "{\"N\":\"1\"}"), -1);
	assert_int_equal(eq("{\"X\":1}", "{\"X\":1}"), -1);
	assert_int_equal(eq("[1]", "{\"N\":\"1\"}"), -1);
	assert_int_equal(item_equal(S("{\"a\":"), S("{\"a\": ")), -1);
}

static void test_items(void **state)
{
	(void)state;
	assert_int_equal(item_equal(S("{\"PK\":{\"S\":\"k\"},\"n\":{\"N\":\"1\"}}"),
				    S("{\"n\":{\"N\":\"1.0\"},\"PK\":{\"S\":\"k\"}}")), 1);
	assert_int_equal(item_equal(S("{\"PK\":{\"S\":\"k\"}}"),
				    S("{\"PK\":{\"S\":\"k\"},\"x\":{\"S\":\"\"}}")), 0);
	assert_int_equal(item_equal(S("{\"PK\":{\"S\":\"k\"}}"), S("{\"PK\":{\"S\":\"k\"}}")), 1);
}

struct seen {
	char text[512];
};

static int note(void *ctx, struct slice name, struct slice av, struct slice bv)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%.*s:%s%s;", (int)name.n, name.p,
		 av.n ? "a" : "-", bv.n ? "b" : "-");
	return 0;
}

static void test_changed_attributes(void **state)
{
	struct seen s = { "" };

	(void)state;
	assert_int_equal(item_diff_attrs(
		S("{\"PK\":{\"S\":\"k\"},\"gone\":{\"N\":\"1\"},\"same\":{\"NS\":[\"1\",\"2\"]},\"x\":{\"S\":\"a\"}}"),
		S("{\"x\":{\"S\":\"b\"},\"PK\":{\"S\":\"k\"},\"new\":{\"BOOL\":false},\"same\":{\"NS\":[\"2\",\"1.0\"]}}"),
		note, &s), 0);
	/* In name order: removed, added and changed attributes; equal ones not at all. */
	assert_string_equal(s.text, "gone:a-;new:-b;x:ab;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_changed_attributes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
