/*
 * Request bodies (src/ddb/request.c), byte for byte against golden JSON in
 * tests/vectors/requests/: each golden is a body dynamo sent to moto (taken
 * from a recording proxy in front of it), so a change of spelling, order or
 * escaping here is a change of what goes over the wire. The expressions come
 * from the selection module (selection.c), as the engine builds them.
 */
#include "unit.h"

#include "dynamo/job.h"
#include "dynamo/request.h"
#include "dynamo/selection.h"

static char pk[] = "pk", sk[] = "sk", a[] = "a";
static const struct key_attr PK = { pk, 'S' }, SK = { sk, 'S' }, A = { a, 'S' };

/* The body must equal the golden file's bytes (no trailing newline). */
static void assert_golden(const struct buf *body, const char *name)
{
	char rel[256];
	size_t n;
	char *want;

	snprintf(rel, sizeof(rel), "requests/%s", name);
	want = unit_read_vector(rel, &n);
	if (body->len != n || memcmp(body->data, want, n) != 0)
		fail_msg("%s differs:\n  got  %.*s\n  want %s", name, (int)body->len,
			 body->data, want);
	free(want);
}

static void bind(struct selection *s, const struct key_attr *h, const struct key_attr *r)
{
	struct errbuf eb = ERRBUF_INIT;

	if (selection_bind(s, h, r, "table 't'", &eb) < 0)
		fail_msg("bind: %s", eb.msg);
}

static void selection_with_filter(struct selection *s)
{
	struct errbuf eb = ERRBUF_INIT;

	selection_init(s);
	assert_int_equal(selection_add_pk(s, "T#\"1", &eb), 0);
	assert_int_equal(selection_set_filter(s, "#a = :v", &eb), 0);
	assert_int_equal(selection_load_names(s, "{\"#a\":\"a\\\"b\"}", &eb), 0);
	assert_int_equal(selection_load_values(s, "{\":v\":{\"S\":\"x\\\\y\\\"z\"}}", &eb), 0);
	bind(s, &PK, &SK);
}

/* The Query of the selection's first --pk, with r's other parameters, against a golden. */
static void assert_query_golden(const struct selection *s, struct ddb_read *r, const char *golden)
{
	struct buf b = BUF_INIT;
	struct expr e;

	expr_init(&e);
	assert_int_equal(selection_query_expr(s, 0, &e), 0);
	r->expr = &e;
	ddb_query_body(r, &b);
	assert_golden(&b, golden);
	expr_release(&e);
	buf_release(&b);
}

static struct ddb_read read_of(const char *table)
{
	struct ddb_read r;

	memset(&r, 0, sizeof(r));
	r.table = table;
	r.consistent = 1;
	r.scan_forward = 1;
	return r;
}

static void test_scan_segment(void **state)
{
	struct ddb_read r = read_of("Str");
	struct buf b = BUF_INIT;

	(void)state;
	r.segment = 1;
	r.total_segments = 4;
	r.limit = 128;
	ddb_scan_body(&r, &b);
	assert_golden(&b, "scan_segment.json");
	buf_release(&b);
}

static void test_scan_segment_from_start_key(void **state)
{
	static const char lek[] = "{\"id\": {\"N\": \"16\"}}";
	struct ddb_read r = read_of("Big");
	struct buf b = BUF_INIT;

	(void)state;
	r.segment = 1;
	r.total_segments = 2;
	r.start_key = (struct slice){ lek, sizeof(lek) - 1 };
	ddb_scan_body(&r, &b);
	assert_golden(&b, "scan_segment_start_key.json");
	buf_release(&b);
}

/* One segment is a plain Scan: no Segment, no TotalSegments. */
static void test_scan_keys_only(void **state)
{
	struct ddb_read r = read_of("BinC");
	struct buf b = BUF_INIT;
	struct expr e;

	(void)state;
	expr_init(&e);
	r.total_segments = 1;
	r.limit = 128;
	r.key_names[0] = "b";
	r.key_names[1] = "n";
	r.expr = &e;
	ddb_scan_body(&r, &b);
	assert_golden(&b, "scan_keys_only.json");
	/* Without an expression of the caller's, the same body. */
	buf_reset(&b);
	r.expr = NULL;
	ddb_scan_body(&r, &b);
	assert_golden(&b, "scan_keys_only.json");
	expr_release(&e);
	buf_release(&b);
}

static void test_scan_count_with_filter(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct ddb_read r = read_of("Str");
	struct selection s;
	struct buf b = BUF_INIT;
	struct expr e;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "T#", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "attribute_exists(#n)", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#n\":\"n\"}", &eb), 0);
	bind(&s, &PK, &SK);
	expr_init(&e);
	assert_int_equal(selection_scan_expr(&s, &e), 0);
	r.total_segments = 2;
	r.select_count = 1;
	r.expr = &e;
	ddb_scan_body(&r, &b);
	assert_golden(&b, "scan_count_filter.json");
	expr_release(&e);
	selection_release(&s);
	buf_release(&b);
}

/* Names and values that need escaping stay escaped once, as given. */
static void test_query_filter_escapes(void **state)
{
	struct ddb_read r = read_of("Str");
	struct selection s;

	(void)state;
	selection_with_filter(&s);
	assert_query_golden(&s, &r, "query_filter_escapes.json");
	selection_release(&s);
}

/* A prune's lookup: the projection's names join the user's in one map. */
static void test_query_keys_only_with_filter(void **state)
{
	struct ddb_read r = read_of("StrC");
	struct selection s;

	(void)state;
	selection_with_filter(&s);
	r.key_names[0] = "pk";
	r.key_names[1] = "sk";
	assert_query_golden(&s, &r, "query_keys_only_filter.json");
	selection_release(&s);
}

/* Through a global index: newest first, no ConsistentRead, a Limit. */
static void test_query_index_descending(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct ddb_read r = read_of("Str");
	struct selection s;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "T#\"1", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "a", "c", &eb), 0);
	bind(&s, &PK, &A);
	r.index = "byA";
	r.consistent = 0;
	r.scan_forward = 0;
	r.limit = 5;
	assert_query_golden(&s, &r, "query_index_desc.json");
	selection_release(&s);
}

static void test_query_count(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct ddb_read r = read_of("Str");
	struct selection s;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "T#\"1", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_GE, "b", NULL, &eb), 0);
	bind(&s, &PK, &SK);
	r.select_count = 1;
	assert_query_golden(&s, &r, "query_count.json");
	selection_release(&s);
}

#define S(text) ((struct slice){ text, sizeof(text) - 1 })

/* Binary and number keys, number and binary sets: copied as sent, offsets returned. */
static const char item1[] = "{\"b\": {\"B\": \"Gf8A\"}, \"n\": {\"N\": \"25.5\"}, \"ns\": {\"NS\": [\"1\", \"2.5\"]}, \"bs\": {\"BS\": [\"AAE=\"]}}";
static const char item2[] = "{\"b\": {\"B\": \"Gv8A\"}, \"n\": {\"N\": \"26.5\"}, \"ns\": {\"NS\": [\"1\", \"2.5\"]}, \"bs\": {\"BS\": [\"AAE=\"]}}";

static void test_batch_write_puts(void **state)
{
	struct buf b = BUF_INIT;
	size_t off1, off2;

	(void)state;
	ddb_batch_write_begin(&b, "BinC");
	off1 = ddb_batch_write_add(&b, 1, 0, S(item1));
	off2 = ddb_batch_write_add(&b, 0, 0, S(item2));
	ddb_batch_write_end(&b);
	assert_golden(&b, "batch_write_put.json");
	assert_memory_equal(b.data + off1, item1, sizeof(item1) - 1);
	assert_memory_equal(b.data + off2, item2, sizeof(item2) - 1);
	buf_release(&b);
}

/* A kept prefix copied into each batch gives the same bytes (the writer's way). */
static void test_batch_write_deletes(void **state)
{
	struct buf prefix = BUF_INIT, b = BUF_INIT;
	int round;

	(void)state;
	ddb_batch_write_begin(&prefix, "BinC");
	for (round = 0; round < 2; round++) {
		buf_reset(&b);
		buf_append(&b, prefix.data, prefix.len);
		ddb_batch_write_add(&b, 1, 1, S("{\"b\": {\"B\": \"Gf8A\"}, \"n\": {\"N\": \"25.5\"}}"));
		ddb_batch_write_add(&b, 0, 1, S("{\"b\": {\"B\": \"Gv8A\"}, \"n\": {\"N\": \"26.5\"}}"));
		ddb_batch_write_end(&b);
		assert_golden(&b, "batch_write_delete.json");
	}
	buf_release(&prefix);
	buf_release(&b);
}

static void test_batch_get_projection(void **state)
{
	static const char *const proj[] = { "pk", "sk", "pk", "a", NULL };
	struct buf b = BUF_INIT;

	(void)state;
	ddb_batch_get_begin(&b, "Str", 1, proj);
	ddb_batch_get_add(&b, 1, S("{\"pk\": {\"S\": \"T#\\\"1\"}, \"sk\": {\"S\": \"a00\"}}"));
	ddb_batch_get_add(&b, 0, S("{\"pk\": {\"S\": \"T#\\\"1\"}, \"sk\": {\"S\": \"b10\"}}"));
	ddb_batch_get_end(&b);
	assert_golden(&b, "batch_get_projection.json");
	buf_release(&b);
}

static void test_batch_get_whole_items(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	ddb_batch_get_begin(&b, "StrP", 1, NULL);
	ddb_batch_get_add(&b, 1, S("{\"pk\":{\"S\": \"T#\\\"0\"},\"sk\":{\"S\": \"a00\"}}"));
	ddb_batch_get_add(&b, 0, S("{\"pk\":{\"S\": \"T#\\\"0\"},\"sk\":{\"S\": \"a03\"}}"));
	ddb_batch_get_end(&b);
	assert_golden(&b, "batch_get_whole.json");
	buf_release(&b);
}

static void check_key_value(char type, const char *value, const char *want)
{
	struct buf b = BUF_INIT;
	int r = ddb_key_value(&b, type, value);

	if (!want) {
		assert_int_equal(r, -1);
	} else {
		assert_true(r >= 0);
		assert_string_equal(b.data, want);
	}
	buf_release(&b);
}

/* --pk and --sk values typed for the key: DynamoDB's number grammar, strict base64. */
static void test_key_values(void **state)
{
	(void)state;
	check_key_value('S', "T#\"1", "{\"S\":\"T#\\\"1\"}");
	check_key_value('N', "-007.50e+3", "{\"N\":\"-007.50e+3\"}");
	check_key_value('N', ".5", "{\"N\":\".5\"}");
	check_key_value('N', "007", "{\"N\":\"007\"}");
	check_key_value('N', "x", NULL);
	check_key_value('N', "", NULL);
	check_key_value('N', "1e", NULL);
	check_key_value('N', ".", NULL);
	check_key_value('N', "1.5x", NULL);
	check_key_value('N', "1234567890123456789012345678901234567890123456789012345678901234", NULL);
	check_key_value('B', "AAE=", "{\"B\":\"AAE=\"}");
	check_key_value('B', "AAE", NULL);
	check_key_value('B', "", NULL);
	check_key_value('B', "A!", NULL);
}

/* Without ConsistentRead the projection opens the table's object: no comma first. */
static void test_batch_get_projection_eventually_consistent(void **state)
{
	static const char *const proj[] = { "pk", NULL };
	struct buf b = BUF_INIT;

	(void)state;
	ddb_batch_get_begin(&b, "Str", 0, proj);
	ddb_batch_get_add(&b, 1, S("{\"pk\":{\"S\":\"a\"}}"));
	ddb_batch_get_end(&b);
	buf_putc(&b, '\0');
	assert_string_equal(b.data, "{\"RequestItems\":{\"Str\":{\"ProjectionExpression\":\"#p0\","
			    "\"ExpressionAttributeNames\":{\"#p0\":\"pk\"},\"Keys\":[{\"pk\":{\"S\":\"a\"}}]}},"
			    "\"ReturnConsumedCapacity\":\"TOTAL\"}");
	buf_release(&b);
}

/* A prune through a local index: its partition key is the table's, named once (DynamoDB refuses overlapping paths). */
static void test_prune_projection_names_each_attribute_once(void **state)
{
	static char n_lsi[] = "lsi", n_pk[] = "pk", n_sk[] = "sk", n_a[] = "a";
	struct index_desc ix = { .name = n_lsi, .hash = { .name = n_pk }, .range = { .name = n_a } };
	struct table_desc t = { .hash = { .name = n_pk }, .range = { .name = n_sk },
				.indexes = &ix, .nindexes = 1 };
	struct job j;
	const char *names[5];

	(void)state;
	memset(&j, 0, sizeof(j));
	j.out.lookup_desc = &t;
	j.in.index = "lsi";
	prune_projection(&j, names);
	assert_string_equal(names[0], "pk");
	assert_string_equal(names[1], "sk");
	assert_string_equal(names[2], "a");
	assert_null(names[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_segment),
		cmocka_unit_test(test_scan_segment_from_start_key),
		cmocka_unit_test(test_scan_keys_only),
		cmocka_unit_test(test_scan_count_with_filter),
		cmocka_unit_test(test_query_filter_escapes),
		cmocka_unit_test(test_query_keys_only_with_filter),
		cmocka_unit_test(test_query_index_descending),
		cmocka_unit_test(test_query_count),
		cmocka_unit_test(test_batch_write_puts),
		cmocka_unit_test(test_batch_write_deletes),
		cmocka_unit_test(test_batch_get_projection),
		cmocka_unit_test(test_batch_get_whole_items),
		cmocka_unit_test(test_batch_get_projection_eventually_consistent),
		cmocka_unit_test(test_prune_projection_names_each_attribute_once),
		cmocka_unit_test(test_key_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
