/*
 * DynamoDB's export format (src/ddb/export_manifest.c): data lines of full
 * and incremental exports, manifest-summary.json (the shapes of the AWS
 * documentation's examples, tests/vectors/export/), and manifest-files.json
 * read entry by entry in the memory of one line, whatever its length.
 */
#include "unit.h"

#include <openssl/evp.h>

#include "dynamo/exitcode.h"
#include "dynamo/export_manifest.h"

static struct slice S(const char *s)
{
	struct slice x = { s, strlen(s) };

	return x;
}

static int is(struct slice s, const char *text)
{
	return s.n == strlen(text) && !memcmp(s.p, text, s.n);
}

static void data_lines(void **state)
{
	struct export_line l;

	(void)state;
	assert_int_equal(export_line_parse(S("{\"Item\":{\"PK\":{\"S\":\"a\"}}}"), 1, 0, &l), EXPORT_LINE_ITEM);
	assert_true(is(l.item, "{\"PK\":{\"S\":\"a\"}}"));
	/* A bare item (dynamo's own files take them), CR, blanks and a first-line BOM. */
	assert_int_equal(export_line_parse(S("\xef\xbb\xbf {\"PK\":{\"S\":\"a\"}}\r"), 1, 0, &l), EXPORT_LINE_BARE);
	assert_true(is(l.item, "{\"PK\":{\"S\":\"a\"}}"));
	assert_int_equal(export_line_parse(S("\xef\xbb\xbf{\"PK\":{\"S\":\"a\"}}"), 0, 0, &l), EXPORT_LINE_BAD);
	/* An item with an attribute called Item is not unwrapped. */
	assert_int_equal(export_line_parse(S("{\"Item\":{\"S\":\"x\"},\"PK\":{\"S\":\"a\"}}"), 1, 0, &l), EXPORT_LINE_BARE);
	assert_int_equal(export_line_parse(S("  \t\r"), 0, 0, &l), EXPORT_LINE_BLANK);
	assert_int_equal(export_line_parse(S("[1,2]"), 1, 0, &l), EXPORT_LINE_BAD);
	assert_int_equal(export_line_parse(S("{\"Item\":{\"PK\":}"), 1, 0, &l), EXPORT_LINE_BAD);
	assert_int_equal(export_line_parse(S("{\"Item\":{}} x"), 1, 0, &l), EXPORT_LINE_BAD);
}

static void incremental_lines(void **state)
{
	static const char put[] =
		"{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1680109764000000\"}},"
		"\"Keys\":{\"PK\":{\"S\":\"CUST#100\"}},"
		"\"OldImage\":{\"PK\":{\"S\":\"CUST#100\"},\"v\":{\"N\":\"1\"}},"
		"\"NewImage\":{\"PK\":{\"S\":\"CUST#100\"},\"v\":{\"N\":\"2\"}}}";
	static const char del[] =
		"{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1680109764000001\"}},"
		"\"Keys\":{\"PK\":{\"S\":\"CUST#200\"}},\"OldImage\":{\"PK\":{\"S\":\"CUST#200\"}}}";
	struct export_line l;

	(void)state;
	assert_int_equal(export_line_parse(S(put), 1, 1, &l), EXPORT_LINE_CHANGE);
	assert_true(is(l.keys, "{\"PK\":{\"S\":\"CUST#100\"}}"));
	assert_true(is(l.item, "{\"PK\":{\"S\":\"CUST#100\"},\"v\":{\"N\":\"2\"}}"));
	assert_true(is(l.old, "{\"PK\":{\"S\":\"CUST#100\"},\"v\":{\"N\":\"1\"}}"));
	assert_int_equal(export_line_parse(S(del), 0, 1, &l), EXPORT_LINE_CHANGE);
	assert_int_equal(l.item.n, 0);
	assert_true(is(l.keys, "{\"PK\":{\"S\":\"CUST#200\"}}"));
	/* A full export's line is not a change record. */
	assert_int_equal(export_line_parse(S("{\"Item\":{\"PK\":{\"S\":\"a\"}}}"), 1, 1, &l), EXPORT_LINE_BAD);
	assert_int_equal(export_line_parse(S("{\"Keys\":[1]}"), 1, 1, &l), EXPORT_LINE_BAD);
}

static char *vector(const char *name, size_t *len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "export/%s", name);
	return unit_read_vector(rel, len);
}

static void summaries_in_the_documentations_shape(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct export_summary s;
	size_t len;
	char *text;

	(void)state;
	text = vector("manifest-summary.json", &len);
	if (export_summary_parse(&s, text, len, "s3://b/x/manifest-summary.json", &eb) < 0)
		fail_msg("%s", eb.msg);
	assert_int_equal(s.type, EXPORT_FULL);
	assert_int_equal(s.item_count, 8);
	assert_string_equal(s.manifest_files_key,
			    "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-files.json");
	assert_string_equal(s.bucket, "ddb-productcatalog-export");
	assert_string_equal(s.export_time, "2020-11-04T07:28:34.028Z");
	assert_null(s.from_time);
	export_summary_release(&s);
	free(text);

	text = vector("manifest-summary-incremental.json", &len);
	if (export_summary_parse(&s, text, len, "s3://b/y/manifest-summary.json", &eb) < 0)
		fail_msg("%s", eb.msg);
	assert_int_equal(s.type, EXPORT_INCREMENTAL);
	assert_string_equal(s.view, "NEW_AND_OLD_IMAGES");
	assert_string_equal(s.from_time, "2023-09-02T19:00:00.000Z");
	assert_int_equal(s.billed_bytes, 20901239349LL);
	export_summary_release(&s);
	free(text);
}

static void summaries_that_cannot_be_read(void **state)
{
	static const struct {
		const char *json, *why;
	} cases[] = {
		{ "{\"outputFormat\":\"ION\",\"manifestFilesS3Key\":\"k\",\"itemCount\":1}", "Amazon Ion format" },
		{ "{\"outputFormat\":\"CSV\",\"manifestFilesS3Key\":\"k\",\"itemCount\":1}", "format 'CSV'" },
		{ "{\"manifestFilesS3Key\":\"k\",\"itemCount\":1}", "no outputFormat" },
		{ "{\"outputFormat\":\"DYNAMODB_JSON\",\"itemCount\":1}", "no manifestFilesS3Key" },
		{ "{\"outputFormat\":\"DYNAMODB_JSON\",\"manifestFilesS3Key\":\"k\"}", "no valid itemCount" },
		{ "{\"outputFormat\":\"DYNAMODB_JSON\",\"manifestFilesS3Key\":\"k\",\"itemCount\":1.5}", "no valid itemCount" },
		{ "{\"outputFormat\":\"DYNAMODB_JSON\",\"manifestFilesS3Key\":\"k\",\"itemCount\":1,\"exportType\":\"DELTA\"}", "exportType 'DELTA'" },
		{ "[]", "not a JSON object" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct export_summary s;

		assert_int_equal(export_summary_parse(&s, cases[i].json, strlen(cases[i].json), "s3://b/s.json", &eb), -1);
		if (!strstr(eb.msg, cases[i].why) || !strstr(eb.msg, "s3://b/s.json"))
			fail_msg("case %zu: wanted '%s' and the file in: %s", i, cases[i].why, eb.msg);
		assert_null(s.manifest_files_key);
	}
}

static void file_entries(void **state)
{
	static const char *const bad[] = {
		"{\"itemCount\":1,\"md5Checksum\":\"sQMSpEILNgoQmarvDFonGQ==\"}",
		"{\"itemCount\":-1,\"dataFileS3Key\":\"k\"}",
		"{\"itemCount\":1,\"md5Checksum\":\"bm90IGFuIG1kNQ==\",\"dataFileS3Key\":\"k\"}",
		"{\"itemCount\":1,\"md5Checksum\":\"!!\",\"dataFileS3Key\":\"k\"}",
		"not json",
	};
	struct export_file f;
	char why[256], b64[25];
	size_t i, len;
	char *text = vector("manifest-files.json", &len), *nl = strchr(text, '\n');

	(void)state;
	*nl = '\0';
	if (export_file_parse(S(text), &f, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_string_equal(f.key, "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/asdl123dasas.json.gz");
	assert_int_equal(f.item_count, 8);
	assert_string_equal(f.etag, "af83d6f217c19b8b0fff8023d8ca4716-1");
	assert_true(f.has_md5);
	export_md5_base64(f.md5, b64);
	assert_string_equal(b64, "sQMSpEILNgoQmarvDFonGQ==");
	free(text);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (export_file_parse(S(bad[i]), &f, why, sizeof(why)) == 0)
			fail_msg("entry %zu was taken: %s", i, bad[i]);
}

struct mem {
	const char *p;
	size_t n, off, step;
};

static int mem_read(void *ctx, const char **p, size_t *n, struct errbuf *eb)
{
	struct mem *m = ctx;

	(void)eb;
	if (m->off == m->n)
		return 0;
	*p = m->p + m->off;
	*n = m->step < m->n - m->off ? m->step : m->n - m->off;
	m->off += *n;
	return 1;
}

static void the_documentations_manifest(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct export_manifest m;
	struct export_file f;
	size_t len;
	char *text = vector("manifest-files.json", &len);
	struct mem src = { text, len, 0, 7 };

	(void)state;
	export_manifest_init(&m, "s3://b/manifest-files.json",
			     "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/", NULL,
			     (struct byte_source){ mem_read, &src });
	assert_int_equal(export_manifest_next(&m, &f, &eb), 1);
	assert_int_equal(f.item_count, 8);
	assert_int_equal(export_manifest_next(&m, &f, &eb), 1);
	assert_string_equal(f.key, "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/emptypartition.json.gz");
	assert_int_equal(export_manifest_next(&m, &f, &eb), 0);
	assert_int_equal(m.files, 2);
	assert_int_equal(m.items, 8);
	export_manifest_release(&m);
	free(text);
}

/* Twenty thousand files: iterated one at a time, in the memory of one line. */
static void a_long_manifest_in_bounded_memory(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf text = BUF_INIT;
	struct export_manifest m;
	struct export_file f;
	struct mem src;
	long long sum = 0;
	int i, r, n = 0;

	(void)state;
	for (i = 0; i < 20000; i++)
		buf_printf(&text, "{\"itemCount\":%d,\"md5Checksum\":\"1B2M2Y8AsgTpgAmY7PhCfg==\","
			   "\"etag\":\"d41d8cd98f00b204e9800998ecf8427e\","
			   "\"dataFileS3Key\":\"p/AWSDynamoDB/01-x/data/f%05d.json.gz\"}\n%s",
			   i % 7, i, i % 1000 == 0 ? "\n" : "");
	src = (struct mem){ text.data, text.len, 0, 4096 };
	export_manifest_init(&m, "s3://b/p/AWSDynamoDB/01-x/manifest-files.json",
			     "p/AWSDynamoDB/01-x/data/", NULL, (struct byte_source){ mem_read, &src });
	while ((r = export_manifest_next(&m, &f, &eb)) == 1) {
		char want[64];

		snprintf(want, sizeof(want), "p/AWSDynamoDB/01-x/data/f%05d.json.gz", n);
		assert_string_equal(f.key, want);
		sum += f.item_count;
		n++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 20000);
	assert_int_equal(m.items, sum);
	/* One line at a time: the line buffer never held more than a line's worth. */
	assert_true(m.lines.line.cap < 4096);
	export_manifest_release(&m);
	buf_release(&text);
}

static void keys_stay_in_the_exports_folder(void **state)
{
	static const char text[] =
		"{\"itemCount\":1,\"dataFileS3Key\":\"old/AWSDynamoDB/01-x/data/a.json.gz\"}\n"
		"{\"itemCount\":2,\"dataFileS3Key\":\"new/AWSDynamoDB/01-x/data/b.json.gz\"}\n"
		"{\"itemCount\":3,\"dataFileS3Key\":\"old/AWSDynamoDB/01-x/manifest-files.json\"}\n";
	struct errbuf eb = ERRBUF_INIT;
	struct export_manifest m;
	struct export_file f;
	struct mem src = { text, sizeof(text) - 1, 0, 50 };

	(void)state;
	/* Copied from old/ to new/: old keys move along; others outside data/ are refused. */
	export_manifest_init(&m, "s3://b/new/AWSDynamoDB/01-x/manifest-files.json",
			     "new/AWSDynamoDB/01-x/data/", "old/AWSDynamoDB/01-x/data/",
			     (struct byte_source){ mem_read, &src });
	assert_int_equal(export_manifest_next(&m, &f, &eb), 1);
	assert_string_equal(f.key, "new/AWSDynamoDB/01-x/data/a.json.gz");
	assert_int_equal(export_manifest_next(&m, &f, &eb), 1);
	assert_string_equal(f.key, "new/AWSDynamoDB/01-x/data/b.json.gz");
	assert_int_equal(export_manifest_next(&m, &f, &eb), -1);
	assert_non_null(strstr(eb.msg, "line 3 of 's3://b/new/AWSDynamoDB/01-x/manifest-files.json'"));
	assert_non_null(strstr(eb.msg, "not in the export's data folder"));
	export_manifest_release(&m);

	/* Without a folder it was copied from, an old key is refused too. */
	errbuf_clear(&eb);
	src.off = 0;
	export_manifest_init(&m, "m", "new/AWSDynamoDB/01-x/data/", NULL,
			     (struct byte_source){ mem_read, &src });
	assert_int_equal(export_manifest_next(&m, &f, &eb), -1);
	assert_non_null(strstr(eb.msg, "line 1 of 'm'"));
	export_manifest_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_lines),
		cmocka_unit_test(incremental_lines),
		cmocka_unit_test(summaries_in_the_documentations_shape),
		cmocka_unit_test(summaries_that_cannot_be_read),
		cmocka_unit_test(file_entries),
		cmocka_unit_test(the_documentations_manifest),
		cmocka_unit_test(a_long_manifest_in_bounded_memory),
		cmocka_unit_test(keys_stay_in_the_exports_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
