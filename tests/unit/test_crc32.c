/* crc32_update must equal zlib's crc32 for every length, alignment and seed. */
#include "unit.h"
#include "dynamo/crc32.h"

#include <zlib.h>

static void matches_zlib(void **state)
{
	unsigned char *buf = malloc(70000);
	unsigned x = 7;
	size_t len, off, i;

	(void)state;
	for (i = 0; i < 70000; i++) {
		x = x * 1664525u + 1013904223u;
		buf[i] = (unsigned char)(x >> 24);
	}
	for (len = 0; len < 600; len++)
		for (off = 0; off < 3; off++)
			assert_int_equal(crc32_update(0, buf + off, len),
					 (uint32_t)crc32(0, buf + off, (uInt)len));
	for (len = 1000; len < 70000 - 8; len = len * 3 / 2 + 7)
		assert_int_equal(crc32_update(0, buf + 5, len),
				 (uint32_t)crc32(0, buf + 5, (uInt)len));
	free(buf);
}

static void chains_like_zlib(void **state)
{
	const char *a = "The quick brown fox jumps over the lazy dog, again and again and again!";
	const char *b = "{\"Items\":[{\"PK\":{\"S\":\"x\"}}],\"Count\":1,\"ScannedCount\":1,\"padding\":\"0123456789\"}";
	uint32_t ours = crc32_update(crc32_update(0, a, strlen(a)), b, strlen(b));
	uint32_t ref = (uint32_t)crc32(crc32(0, (const Bytef *)a, (uInt)strlen(a)),
				       (const Bytef *)b, (uInt)strlen(b));

	(void)state;
	assert_int_equal(ours, ref);
	/* The standard check value. */
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_zlib),
		cmocka_unit_test(chains_like_zlib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
