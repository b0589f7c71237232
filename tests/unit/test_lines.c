/*
 * The line decoder (src/util/lines.c): the same lines whatever the chunks
 * the bytes come in, plain or gzip (one member or several); a gzip stream
 * cut anywhere before its trailer, or followed by bytes that are not gzip,
 * is an error and never a complete stream; NUL bytes and long lines are
 * errors naming their line.
 */
#include "unit.h"

#include <zlib.h>

#include "dynamo/lines.h"

/* gzip of data; flush Z_FINISH for a whole member, Z_SYNC_FLUSH for one without its trailer. */
static size_t gz(const char *data, size_t n, int flush, unsigned char *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_true(deflate(&zs, flush) == (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
	n = cap - zs.avail_out;
	deflateEnd(&zs);
	return n;
}

/*
 * Decodes bytes fed in chunks of `step` (0: all at once) and returns the
 * lines joined with '|', or "ERROR: <message>".
 */
static char *decode(const unsigned char *p, size_t n, size_t step, size_t max_line)
{
	struct line_decoder d;
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	size_t off = 0;
	int lines = 0;

	line_decoder_init(&d, "in.jsonl", max_line);
	for (;;) {
		struct slice line;
		enum line_status st = line_decoder_next(&d, &line, &eb);

		if (st == LINE_OK) {
			if (lines++)
				buf_putc(&out, '|');
			buf_append(&out, line.p, line.n);
		} else if (st == LINE_MORE) {
			size_t k = step && step < n - off ? step : n - off;

			if (off == n) {
				line_decoder_end(&d);
			} else {
				line_decoder_feed(&d, p + off, k);
				off += k;
			}
		} else if (st == LINE_END) {
			break;
		} else {
			buf_reset(&out);
			buf_printf(&out, "ERROR: %s", eb.msg);
			/* It stays failed. */
			assert_int_equal(line_decoder_next(&d, &line, &eb), LINE_ERROR);
			break;
		}
	}
	line_decoder_release(&d);
	if (!out.data)
		buf_puts(&out, "");
	return buf_detach(&out);
}

static const char text[] = "{\"a\":1}\n\n{\"b\":2}\r\nlast line without newline";
static const char joined[] = "{\"a\":1}||{\"b\":2}\r|last line without newline";

static void same_lines_whatever_the_chunks(void **state)
{
	static const size_t steps[] = { 0, 1, 2, 3, 7, 64 };
	unsigned char z[4096];
	size_t zn = gz(text, strlen(text), Z_FINISH, z, sizeof(z)), i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *a = decode((const unsigned char *)text, strlen(text), steps[i], 1024);
		char *b = decode(z, zn, steps[i], 1024);

		assert_string_equal(a, joined);
		assert_string_equal(b, joined);
		free(a);
		free(b);
	}
}

static void empty_streams_have_no_lines(void **state)
{
	unsigned char z[128];
	size_t zn = gz("", 0, Z_FINISH, z, sizeof(z));
	char *a = decode((const unsigned char *)"", 0, 0, 1024);
	char *b = decode(z, zn, 1, 1024);

	(void)state;
	assert_string_equal(a, "");
	assert_string_equal(b, "");
	free(a);
	free(b);
}

static void gzip_members_one_after_another(void **state)
{
	unsigned char z[8192];
	size_t n = gz("one\ntwo\n", 8, Z_FINISH, z, sizeof(z));
	char *got;

	(void)state;
	n += gz("three\n", 6, Z_FINISH, z + n, sizeof(z) - n);
	n += gz("", 0, Z_FINISH, z + n, sizeof(z) - n);
	n += gz("four", 4, Z_FINISH, z + n, sizeof(z) - n);
	got = decode(z, n, 5, 1024);
	assert_string_equal(got, "one|two|three|four");
	free(got);
}

/* A large stream: inflate's output takes several turns per input chunk. */
static void long_stream_in_small_and_large_chunks(void **state)
{
	size_t n = 200000, zcap = n, zn, i;
	char *plain = malloc(n + 1), *expect = malloc(n + 1), *got;
	unsigned char *z = malloc(zcap);

	(void)state;
	for (i = 0; i < n; i++)
		plain[i] = i % 97 == 96 ? '\n' : (char)('a' + i % 26);
	plain[n] = '\0';
	memcpy(expect, plain, n + 1);
	for (i = 0; i < n; i++)
		if (expect[i] == '\n')
			expect[i] = '|';
	zn = gz(plain, n, Z_FINISH, z, zcap);
	got = decode(z, zn, 1000, 1024);
	assert_string_equal(got, expect);
	free(got);
	got = decode(z, zn, 0, 1024);
	assert_string_equal(got, expect);
	free(got);
	free(plain);
	free(expect);
	free(z);
}

static void gzip_cut_anywhere_is_never_complete(void **state)
{
	unsigned char z[4096];
	size_t zn = gz(text, strlen(text), Z_FINISH, z, sizeof(z)), cut;
	char *got;

	(void)state;
	for (cut = 1; cut < zn; cut++) {
		got = decode(z, cut, 3, 1024);
		if (strncmp(got, "ERROR: ", 7))
			fail_msg("a stream cut after %zu of %zu bytes passed for whole: %s", cut, zn, got);
		free(got);
	}
	/* Sync-flushed: every line is readable, but the trailer is missing. */
	zn = gz(text, strlen(text), Z_SYNC_FLUSH, z, sizeof(z));
	got = decode(z, zn, 0, 1024);
	assert_non_null(strstr(got, "'in.jsonl' is cut short"));
	free(got);
}

static void bytes_after_the_gzip_data_are_an_error(void **state)
{
	unsigned char z[4096];
	size_t zn = gz("a\n", 2, Z_FINISH, z, sizeof(z));
	char *got;

	(void)state;
	memcpy(z + zn, "junk", 4);
	got = decode(z, zn + 4, 0, 1024);
	assert_non_null(strstr(got, "after the end of its gzip data"));
	free(got);
	/* A gzip header followed by junk: damaged, after line 0. */
	got = decode((const unsigned char *)"\x1f\x8b\x08\x00garbage that claims to be gzip", 34, 0, 1024);
	assert_non_null(strstr(got, "'in.jsonl' is damaged after line 0"));
	free(got);
}

static void nul_bytes_and_long_lines_name_their_line(void **state)
{
	char *got = decode((const unsigned char *)"ok\nfine\nbad\0line\n", 17, 2, 1024);

	(void)state;
	assert_string_equal(got, "ERROR: line 3 of 'in.jsonl' contains a NUL byte (is it a text file?)");
	free(got);
	got = decode((const unsigned char *)"short\nmuch too long a line\n", 27, 4, 10);
	assert_non_null(strstr(got, "ERROR: line 2 of 'in.jsonl' is longer than"));
	free(got);
	/* Exactly the cap is fine. */
	got = decode((const unsigned char *)"0123456789\n", 11, 0, 10);
	assert_string_equal(got, "0123456789");
	free(got);
}

struct chunks {
	const char *p;
	size_t n, step, off;
	int fail_at;		/* fail on this call (0: never) */
	int calls;
};

static int chunk_read(void *ctx, const char **p, size_t *n, struct errbuf *eb)
{
	struct chunks *c = ctx;

	if (++c->calls == c->fail_at)
		return errf(eb, 7, "read failed");
	if (c->off == c->n)
		return 0;
	*p = c->p + c->off;
	*n = c->step < c->n - c->off ? c->step : c->n - c->off;
	c->off += *n;
	return 1;
}

static void pull_feeds_from_a_byte_source(void **state)
{
	struct chunks c = { "x\ny\nz", 5, 2, 0, 0, 0 };
	struct byte_source src = { chunk_read, &c };
	struct errbuf eb = ERRBUF_INIT;
	struct line_decoder d;
	struct slice line;

	(void)state;
	line_decoder_init(&d, "src", 100);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_OK);
	assert_true(line.n == 1 && line.p[0] == 'x');
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_OK);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_OK);
	assert_true(line.n == 1 && line.p[0] == 'z');
	assert_int_equal(d.lineno, 3);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_END);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_END);
	line_decoder_release(&d);

	/* A source that fails: the error is the source's, and it stays. */
	memset(&c, 0, sizeof(c));
	c.p = "x\ny\n";
	c.n = 4;
	c.step = 2;
	c.fail_at = 2;
	line_decoder_init(&d, "src", 100);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_OK);
	assert_int_equal(line_decoder_pull(&d, &src, &line, &eb), LINE_ERROR);
	assert_string_equal(eb.msg, "read failed");
	line_decoder_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_lines_whatever_the_chunks),
		cmocka_unit_test(empty_streams_have_no_lines),
		cmocka_unit_test(gzip_members_one_after_another),
		cmocka_unit_test(long_stream_in_small_and_large_chunks),
		cmocka_unit_test(gzip_cut_anywhere_is_never_complete),
		cmocka_unit_test(bytes_after_the_gzip_data_are_an_error),
		cmocka_unit_test(nul_bytes_and_long_lines_name_their_line),
		cmocka_unit_test(pull_feeds_from_a_byte_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
