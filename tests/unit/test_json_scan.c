/*
 * The JSON scanner: the validating walk and the fast structural skip used
 * when walking pages of items must agree on where every value ends.
 */
#include "unit.h"
#include "dynamo/json_scan.h"

static unsigned rng = 12345;

static unsigned next(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) & 0xffffff;
}

static void gen_string(struct buf *b)
{
	static const char *const pieces[] = {
		"a", "PK", "\\\"", "\\\\", "\\n", "\\u00e9", "{", "}", "[", "]",
		"caf\xc3\xa9", "\\/", "x y", "\\\\\\\"", ",", ":"
	};
	int n = (int)(next() % 12), i;

	buf_putc(b, '"');
	for (i = 0; i < n; i++)
		buf_puts(b, pieces[next() % 16]);
	buf_putc(b, '"');
}

static void gen_value(struct buf *b, int depth)
{
	unsigned k = next() % (depth > 6 ? 4 : 7);
	int i, n;

	switch (k) {
	case 0: gen_string(b); break;
	case 1: buf_printf(b, "%d.%de-%d", (int)(next() % 1000) - 500, (int)(next() % 100), (int)(next() % 9)); break;
	case 2: buf_puts(b, next() % 2 ? "true" : "null"); break;
	case 3: buf_puts(b, "false"); break;
	case 4:
	case 5:
		n = (int)(next() % 5);
		buf_putc(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				buf_puts(b, next() % 3 ? "," : " , ");
			gen_string(b);
			buf_puts(b, next() % 2 ? ":" : " : ");
			gen_value(b, depth + 1);
		}
		buf_putc(b, '}');
		break;
	default:
		n = (int)(next() % 5);
		buf_putc(b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				buf_putc(b, ',');
			gen_value(b, depth + 1);
		}
		buf_putc(b, ']');
	}
}

/* Every element the iteration yields ends where the validating skip says. */
static void fast_and_full_skips_agree(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		struct buf b = BUF_INIT;
		struct js_iter it;
		struct slice e;
		int i, n = (int)(next() % 6), r, count = 0;

		buf_putc(&b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				buf_putc(&b, ',');
			/* Shift alignment so values straddle 16-byte blocks. */
			if (next() % 2)
				buf_puts(&b, "   ");
			gen_value(&b, 0);
		}
		buf_putc(&b, ']');
		assert_true(js_valid((struct slice){ b.data, b.len }));
		assert_int_equal(js_begin(&it, (struct slice){ b.data, b.len }, '['), 0);
		while ((r = js_next_element(&it, &e)) == 1) {
			const char *full = js_skip(e.p, b.data + b.len);

			assert_non_null(full);
			assert_ptr_equal(e.p + e.n, full);
			count++;
		}
		assert_int_equal(r, 0);
		assert_int_equal(count, n);
		buf_release(&b);
	}
}

static void truncated_input_never_reads_past_the_end(void **state)
{
	const char *text = "[{\"PK\":{\"S\":\"a\\\"b{\"},\"L\":{\"L\":[{\"S\":\"]\"},{\"N\":\"1\"}]}},{\"x\":[]}]";
	size_t len = strlen(text), cut;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		/* A heap copy of exactly cut bytes, so ASan sees any overread. */
		char *p = malloc(cut ? cut : 1);
		struct js_iter it;
		struct slice e;
		int r;

		memcpy(p, text, cut);
		if (js_begin(&it, (struct slice){ p, cut }, '[') == 0)
			while ((r = js_next_element(&it, &e)) == 1)
				;
		assert_null(js_skip(p, p + cut));
		free(p);
	}
}

static void escapes_at_block_edges(void **state)
{
	int pad;

	(void)state;
	for (pad = 0; pad < 40; pad++) {
		struct buf b = BUF_INIT;
		struct js_iter it;
		struct slice e;

		buf_puts(&b, "[{\"k\":\"");
		for (int i = 0; i < pad; i++)
			buf_putc(&b, 'x');
		buf_puts(&b, "\\\\\\\"}]\"},{\"y\":1}]");
		assert_int_equal(js_begin(&it, (struct slice){ b.data, b.len }, '['), 0);
		assert_int_equal(js_next_element(&it, &e), 1);
		assert_ptr_equal(e.p + e.n, js_skip(e.p, b.data + b.len));
		assert_int_equal(js_next_element(&it, &e), 1);
		assert_int_equal(e.n, strlen("{\"y\":1}"));
		assert_int_equal(js_next_element(&it, &e), 0);
		buf_release(&b);
	}
}

static void too_deep_is_refused(void **state)
{
	struct buf b = BUF_INIT;
	struct js_iter it;
	struct slice e;
	int i;

	(void)state;
	buf_putc(&b, '[');
	for (i = 0; i < JS_MAX_DEPTH + 5; i++)
		buf_putc(&b, '[');
	for (i = 0; i < JS_MAX_DEPTH + 5; i++)
		buf_putc(&b, ']');
	buf_putc(&b, ']');
	assert_int_equal(js_begin(&it, (struct slice){ b.data, b.len }, '['), 0);
	assert_int_equal(js_next_element(&it, &e), -1);
	assert_null(js_skip(b.data, b.data + b.len));
	buf_release(&b);
}

/* Keys are compared decoded: moto escapes non-ASCII names as \uXXXX. */
static void escaped_keys_are_found(void **state)
{
	const char *obj = "{\"gr\\u00f6\\u00dfe\":{\"S\":\"a\"},\"q\\\"x\":{\"N\":\"1\"},\"plain\":1}";
	struct slice v, o = { obj, strlen(obj) };

	(void)state;
	assert_int_equal(js_find(o, "gr\xc3\xb6\xc3\x9f" "e", &v), 1);
	assert_int_equal(v.n, strlen("{\"S\":\"a\"}"));
	assert_int_equal(js_find(o, "q\"x", &v), 1);
	assert_int_equal(js_find(o, "plain", &v), 1);
	assert_int_equal(js_find(o, "gr\\u00f6\\u00dfe", &v), 0);
	assert_int_equal(js_find(o, "missing", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fast_and_full_skips_agree),
		cmocka_unit_test(truncated_input_never_reads_past_the_end),
		cmocka_unit_test(escapes_at_block_edges),
		cmocka_unit_test(too_deep_is_refused),
		cmocka_unit_test(escaped_keys_are_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
