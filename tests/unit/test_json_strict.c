/*
 * The JSON scanner (src/util/json_scan.c) where the fuzzer
 * (tests/fuzz/fuzz_json_scan.c) found it wrong: numbers RFC 8259 refuses
 * (item-file lines pass through js_valid before they are sent to DynamoDB,
 * which would refuse the whole batch for one bad number), and iterators
 * that read a byte past input cut short after a comma.
 */
#include "unit.h"

#include <sys/mman.h>
#include <unistd.h>

#include "dynamo/json_scan.h"

static int valid(const char *s)
{
	return js_valid((struct slice){ s, strlen(s) });
}

static void test_numbers(void **state)
{
	static const char *const good[] = {
		"0", "-0", "0.5", "-0.5e-3", "10", "1E+2", "0e0", "[0,0]",
	};
	static const char *const bad[] = {
		"06", "-01", "00", "00.5", "[01]", "{\"N\":012}", "1.", ".5",
		"-", "+1", "1e", "0x1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!valid(good[i]))
			fail_msg("'%s' should be valid", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid(bad[i]))
			fail_msg("'%s' should not be valid", bad[i]);
}

/* Copies s to the very end of a page followed by an unreadable one. */
static const char *at_page_end(const char *s, void **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = strlen(s);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg, pg, PROT_NONE), 0);
	memcpy(m + pg - n, s, n);
	*map = m;
	*maplen = 2 * pg;
	return m + pg - n;
}

/* A response cut short just after a comma ends the walk, reading nothing past it. */
static void test_cut_after_comma(void **state)
{
	static const char *const texts[] = {
		"{\"a\":1,", "{\"a\":1, \n", "[1,", "[{},  ",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		void *map;
		size_t maplen;
		const char *p = at_page_end(texts[i], &map, &maplen);
		struct slice s = { p, strlen(texts[i]) }, k, v;
		struct js_iter it;

		if (*p == '{') {
			assert_int_equal(js_begin(&it, s, '{'), 0);
			assert_int_equal(js_next_member(&it, &k, &v), 1);
			assert_int_equal(js_next_member(&it, &k, &v), -1);
			assert_int_equal(js_begin(&it, s, '{'), 0);
			assert_int_equal(js_next_key(&it, &k), 1);
			assert_int_equal(js_skip_value(&it), 0);
			assert_int_equal(js_next_key(&it, &k), -1);
		} else {
			assert_int_equal(js_begin(&it, s, '['), 0);
			assert_int_equal(js_next_element(&it, &v), 1);
			assert_int_equal(js_next_element(&it, &v), -1);
		}
		munmap(map, maplen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_cut_after_comma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
