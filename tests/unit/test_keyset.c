/*
 * The key set of restore --from-file (src/engine/keyset.c): keys equal as
 * DynamoDB compares them are one key, and a set too large for memory is
 * spilled to disk and still answers exactly.
 */
#include "unit.h"

#include "dynamo/item.h"
#include "dynamo/keyset.h"

static struct table_desc desc(char range_type)
{
	struct table_desc t;

	memset(&t, 0, sizeof(t));
	t.hash.name = (char *)"PK";
	t.hash.type = 'S';
	if (range_type) {
		t.range.name = (char *)"SK";
		t.range.type = range_type;
	}
	return t;
}

static struct slice sl(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

static void add(struct keyset *s, const char *item)
{
	struct errbuf eb = ERRBUF_INIT;

	if (keyset_add(s, sl(item), &eb) < 0)
		fail_msg("keyset_add(%s): %s", item, eb.msg);
}

static void test_equal_values_are_one_key(void **state)
{
	struct table_desc t = desc('N');
	struct keyset *s = keyset_new(&t);
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	add(s, "{\"PK\":{\"S\":\"A\"},\"SK\":{\"N\":\"1000\"},\"x\":{\"S\":\"y\"}}");
	add(s, "{\"SK\":{\"N\":\"1e3\"},\"PK\":{\"S\":\"\\u0041\"}}");
	add(s, "{\"PK\":{\"S\":\"ab\"},\"SK\":{\"N\":\"-0.50\"}}");
	assert_int_equal(keyset_seal(s, &eb), 0);
	assert_int_equal(keyset_count(s), 2);
	assert_true(keyset_has(s, sl("{\"PK\":{\"S\":\"A\"},\"SK\":{\"N\":\"1.000E+3\"}}")));
	assert_true(keyset_has(s, sl("{\"PK\":{\"S\":\"ab\"},\"SK\":{\"N\":\"-.5\"}}")));
	assert_false(keyset_has(s, sl("{\"PK\":{\"S\":\"A\"},\"SK\":{\"N\":\"1001\"}}")));
	assert_false(keyset_has(s, sl("{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1000\"}}")));
	/* ("a","b") and ("ab","") are different keys, though their text runs together. */
	assert_false(keyset_has(s, sl("{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"-0.5\"}}")));
	keyset_free(s);
}

static void test_binary_keys_compare_decoded(void **state)
{
	struct table_desc t = desc(0);
	struct keyset *s = keyset_new(&t);
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	t.hash.type = 'B';
	add(s, "{\"PK\":{\"B\":\"AQID\"}}");
	assert_int_equal(keyset_seal(s, &eb), 0);
	assert_true(keyset_has(s, sl("{\"PK\":{\"B\":\"AQID\"}}")));
	assert_false(keyset_has(s, sl("{\"PK\":{\"B\":\"AQIE\"}}")));
	/* A string that reads like the base64 is another type: another key. */
	assert_false(keyset_has(s, sl("{\"PK\":{\"S\":\"AQID\"}}")));
	keyset_free(s);
}

static void test_an_item_without_its_key_is_an_error(void **state)
{
	struct table_desc t = desc('S');
	struct keyset *s = keyset_new(&t);
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	assert_int_equal(keyset_add(s, sl("{\"PK\":{\"S\":\"a\"}}"), &eb), -1);
	assert_non_null(strstr(eb.msg, "'SK'"));
	errbuf_clear(&eb);
	assert_int_equal(keyset_add(s, sl("{\"PK\":{\"BOOL\":true},\"SK\":{\"S\":\"a\"}}"), &eb), -1);
	keyset_free(s);
}

/* More keys than a run holds in memory: spilled, merged, looked up on disk. */
static void test_a_large_set_is_spilled_and_exact(void **state)
{
	enum { N = 1800000 };	/* 600,000 keys: more than the 524,288 a run holds */
	struct table_desc t = desc('N');
	struct keyset *s = keyset_new(&t);
	struct errbuf eb = ERRBUF_INIT;
	char item[128];
	long i;

	(void)state;
	/* Every third number, and some twice. */
	for (i = 0; i < N; i += 3) {
		snprintf(item, sizeof(item), "{\"PK\":{\"S\":\"K%ld\"},\"SK\":{\"N\":\"%ld\"}}", i % 1000, i);
		add(s, item);
		if (i % 999 == 0)
			add(s, item);
	}
	assert_int_equal(keyset_seal(s, &eb), 0);
	assert_int_equal(keyset_count(s), (N + 2) / 3);
	for (i = 0; i < N; i += 7) {
		snprintf(item, sizeof(item), "{\"PK\":{\"S\":\"K%ld\"},\"SK\":{\"N\":\"%ld.0\"}}", i % 1000, i);
		if (keyset_has(s, sl(item)) != (i % 3 == 0))
			fail_msg("keyset_has(%s) = %d", item, !(i % 3 == 0));
	}
	keyset_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_values_are_one_key),
		cmocka_unit_test(test_binary_keys_compare_decoded),
		cmocka_unit_test(test_an_item_without_its_key_is_an_error),
		cmocka_unit_test(test_a_large_set_is_spilled_and_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
