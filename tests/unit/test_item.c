/*
 * Items (src/ddb/item.c): exact number order and key order, as the fuzzer
 * (tests/fuzz/fuzz_item.c) holds them against slow references. Each case
 * here is an input the fuzzer found wrong once.
 */
#include "unit.h"

#include "dynamo/item.h"

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static int cmp(const char *a, const char *b)
{
	return sign(num_compare(a, strlen(a), b, strlen(b)));
}

static void test_numbers_compare_by_value(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "1e3", "1000", 0 },
		{ "1000.000", "1E+3", 0 },
		{ "-0", "0.0e5", 0 },
		{ ".5", "0.50", 0 },
		{ "5.", "5", 0 },
		{ "+2", "2", 0 },
		{ "0.00123", "1.23e-3", 0 },
		{ "-0.5", "0", -1 },
		{ "-1", "-2", 1 },
		{ "9.99E+125", "1E+126", -1 },
		{ "1E-130", "0", 1 },
		{ "123.45", "123.4500001", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cmp(cases[i].a, cases[i].b) != cases[i].want ||
		    cmp(cases[i].b, cases[i].a) != -cases[i].want)
			fail_msg("num_compare(%s, %s) should be %d", cases[i].a,
				 cases[i].b, cases[i].want);
	}
}

/* Only the len bytes given are the number, whatever follows them. */
static void test_numbers_end_where_told(void **state)
{
	const char text[] = "1e25";	/* "1e2" and then a byte that is not ours */

	(void)state;
	assert_int_equal(num_compare(text, 3, "100", 3), 0);
	assert_int_equal(num_compare("100", 3, text, 3), 0);
}

/* DynamoDB sends numbers up to 1E+126 written out in full: 127 digits. */
static void test_long_numbers_compare_exactly(void **state)
{
	char a[200], b[200], c[200];

	(void)state;
	a[0] = '-';
	a[1] = '1';
	memset(a + 2, '0', 125);
	a[127] = '\0';		/* -1E+125 */
	b[0] = '-';
	b[1] = '2';
	memset(b + 2, '0', 120);
	b[122] = '\0';		/* -2E+120 */
	assert_int_equal(cmp(a, b), -1);
	assert_int_equal(cmp(b, a), 1);
	assert_int_equal(cmp(a + 1, "1E125"), 0);
	/* 100 significant digits, differing in the last one. */
	memset(c, '7', 100);
	c[100] = '\0';
	memcpy(b, c, 101);
	b[99] = '8';
	assert_int_equal(cmp(c, b), -1);
	assert_int_equal(cmp(b, c), 1);
}

/* An exponent too large for a long is not a number, never an overflow. */
static void test_huge_exponents(void **state)
{
	(void)state;
	assert_int_equal(cmp("1e9223372036854775807", "1e9223372036854775807"), 0);
	assert_int_equal(cmp("1e9223372036854775807", "1") ,
			 -cmp("1", "1e9223372036854775807"));
	assert_int_equal(cmp("1e400", "1e399"), 1);
	assert_int_equal(cmp("1e-400", "0"), 1);
}

static int key_cmp(const char *a, const char *b)
{
	return sign(av_key_compare((struct slice){ a, strlen(a) },
				   (struct slice){ b, strlen(b) }));
}

static void test_key_order(void **state)
{
	(void)state;
	assert_int_equal(key_cmp("{\"N\":\"10\"}", "{\"N\":\"9.5\"}"), 1);
	assert_int_equal(key_cmp("{\"S\":\"a\"}", "{\"S\":\"b\"}"), -1);
	assert_int_equal(key_cmp("{\"S\":\"\\u00e9\"}", "{\"S\":\"\xc3\xa9\"}"), 0);
	assert_int_equal(key_cmp("{\"B\":\"AAE=\"}", "{\"B\":\"AAI=\"}"), -1);
	/* What is not an attribute value sorts last... */
	assert_int_equal(key_cmp("{\"S\":\"z\"}", "[1]"), -1);
	assert_int_equal(key_cmp("[1]", "{\"S\":\"z\"}"), 1);
	/* ...and two of them order one way only. */
	assert_int_equal(key_cmp("[1]", "[2]"), -1);
	assert_int_equal(key_cmp("[2]", "[1]"), 1);
	assert_int_equal(key_cmp("{}", "{}"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_compare_by_value),
		cmocka_unit_test(test_numbers_end_where_told),
		cmocka_unit_test(test_long_numbers_compare_exactly),
		cmocka_unit_test(test_huge_exponents),
		cmocka_unit_test(test_key_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
