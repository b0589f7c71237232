/*
 * Selections (src/ddb/selection.c, expr.c): the request fragments for Scan
 * and Query, exactly; placeholders that never collide with the user's;
 * --names and --values from the command line and from files, with errors
 * that name the flag and the file; key values typed from the key schema;
 * and the item test the prune relies on, compared as DynamoDB compares.
 */
#include "unit.h"

#include "dynamo/exitcode.h"
#include "dynamo/json_scan.h"
#include "dynamo/selection.h"


static char pk_name[] = "PK", sk_name[] = "SK", n_name[] = "n", bin_name[] = "bin",
	    id_name[] = "id", pb_name[] = "pb";
static struct key_attr PK_S = { pk_name, 'S' }, SK_S = { sk_name, 'S' },
		       SK_N = { n_name, 'N' }, SK_B = { bin_name, 'B' }, PK_N = { id_name, 'N' },
		       PK_B = { pb_name, 'B' }, NONE = { NULL, 0 };

/* The expression part of a request, as the request body would carry it. */
static char *scan_fragment(struct selection *s)
{
	struct expr e;
	struct buf body = BUF_INIT;

	expr_init(&e);
	assert_int_equal(selection_scan_expr(s, &e), 0);
	buf_putc(&body, '{');
	buf_puts(&body, "\"TableName\":\"t\"");
	expr_append(&e, &body);
	buf_putc(&body, '}');
	expr_release(&e);
	assert_true(js_valid((struct slice){ body.data, body.len }));
	return buf_detach(&body);
}

static char *query_fragment(struct selection *s, int k)
{
	struct expr e;
	struct buf body = BUF_INIT;

	expr_init(&e);
	assert_int_equal(selection_query_expr(s, k, &e), 0);
	buf_puts(&body, "{\"TableName\":\"t\"");
	expr_append(&e, &body);
	buf_putc(&body, '}');
	expr_release(&e);
	assert_true(js_valid((struct slice){ body.data, body.len }));
	return buf_detach(&body);
}

static void bind_ok(struct selection *s, const struct key_attr *h,
		    const struct key_attr *r)
{
	struct errbuf eb = ERRBUF_INIT;

	if (selection_bind(s, h, r->name ? r : NULL, "table 't'", &eb) < 0)
		fail_msg("bind failed: %s", eb.msg);
}

/* bind fails with a message holding every one of the words given. */
static void bind_fails(struct selection *s, const struct key_attr *h,
		       const struct key_attr *r, const char *w1, const char *w2)
{
	struct errbuf eb = ERRBUF_INIT;

	assert_int_equal(selection_bind(s, h, r->name ? r : NULL, "table 't'", &eb), -1);
	assert_int_equal(eb.exit, EXIT_USAGE);
	if (!strstr(eb.msg, w1) || (w2 && !strstr(eb.msg, w2)))
		fail_msg("message '%s' lacks '%s' or '%s'", eb.msg, w1, w2 ? w2 : "");
	assert_null(strchr(eb.msg, '\n'));
}

static void test_scan_prefix_and_filter(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	char *body;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "TENANT#42#", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "#s = :a OR #s = :b", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#s\":\"status\"}", &eb), 0);
	assert_int_equal(selection_load_values(&s,
		"{\":a\":{\"S\":\"OPEN\"}, \":b\":{\"S\":\"HELD\"}}", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	body = scan_fragment(&s);
	/* The user's OR stays inside its parentheses; names and values merged. */
	assert_string_equal(body,
		"{\"TableName\":\"t\","
		"\"FilterExpression\":\"begins_with(#dynamo_pk, :dynamo_pk) AND (#s = :a OR #s = :b)\","
		"\"ExpressionAttributeNames\":{\"#dynamo_pk\":\"PK\",\"#s\":\"status\"},"
		"\"ExpressionAttributeValues\":{\":dynamo_pk\":{\"S\":\"TENANT#42#\"},"
		"\":a\":{\"S\":\"OPEN\"},\":b\":{\"S\":\"HELD\"}}}");
	free(body);
	selection_release(&s);
}

static void test_scan_filter_alone_is_unchanged(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	char *body;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_filter(&s, "attribute_exists(#e)", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#e\":\"email\"}", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	assert_true(selection_restricts(&s));
	assert_false(selection_by_query(&s));
	body = scan_fragment(&s);
	assert_string_equal(body,
		"{\"TableName\":\"t\",\"FilterExpression\":\"attribute_exists(#e)\","
		"\"ExpressionAttributeNames\":{\"#e\":\"email\"}}");
	free(body);
	selection_release(&s);
}

/* A whole-table selection adds nothing to the request. */
static void test_scan_of_everything(void **state)
{
	struct selection s;
	char *body;

	(void)state;
	selection_init(&s);
	bind_ok(&s, &PK_S, &SK_S);
	assert_false(selection_restricts(&s));
	body = scan_fragment(&s);
	assert_string_equal(body, "{\"TableName\":\"t\"}");
	free(body);
	selection_release(&s);
}

static void test_scan_with_sort_key_condition(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	char *body;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "T#", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "9", "10", &eb), 0);
	bind_ok(&s, &PK_S, &SK_N);
	body = scan_fragment(&s);
	assert_string_equal(body,
		"{\"TableName\":\"t\",\"FilterExpression\":\"begins_with(#dynamo_pk, :dynamo_pk) AND "
		"#dynamo_sk BETWEEN :dynamo_sk AND :dynamo_sk2\","
		"\"ExpressionAttributeNames\":{\"#dynamo_pk\":\"PK\",\"#dynamo_sk\":\"n\"},"
		"\"ExpressionAttributeValues\":{\":dynamo_pk\":{\"S\":\"T#\"},"
		"\":dynamo_sk\":{\"N\":\"9\"},\":dynamo_sk2\":{\"N\":\"10\"}}}");
	free(body);
	/* Exact keys are queried, never scanned. */
	selection_release(&s);
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "a", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	{
		struct expr e;

		expr_init(&e);
		assert_int_equal(selection_scan_expr(&s, &e), -1);
		expr_release(&e);
	}
	selection_release(&s);
}

static void test_query_each_sort_condition(void **state)
{
	static const struct {
		enum sk_op op;
		const struct key_attr *sk;
		const char *a, *b, *cond;
	} cases[] = {
		{ SK_PREFIX, &SK_S, "ORDER#", NULL, "begins_with(#dynamo_sk, :dynamo_sk)" },
		{ SK_PREFIX, &SK_N, "42", NULL, "#dynamo_sk = :dynamo_sk" },
		{ SK_PREFIX, &SK_B, "AAE=", NULL, "begins_with(#dynamo_sk, :dynamo_sk)" },
		{ SK_EQ, &SK_S, "x", NULL, "#dynamo_sk = :dynamo_sk" },
		{ SK_LT, &SK_N, "-1.5", NULL, "#dynamo_sk < :dynamo_sk" },
		{ SK_LE, &SK_S, "x", NULL, "#dynamo_sk <= :dynamo_sk" },
		{ SK_GT, &SK_B, "/w==", NULL, "#dynamo_sk > :dynamo_sk" },
		{ SK_GE, &SK_N, "1e3", NULL, "#dynamo_sk >= :dynamo_sk" },
		{ SK_BETWEEN, &SK_S, "A", "B", "#dynamo_sk BETWEEN :dynamo_sk AND :dynamo_sk2" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selection s;
		struct errbuf eb = ERRBUF_INIT;
		struct buf want = BUF_INIT;
		char *body;

		selection_init(&s);
		assert_int_equal(selection_add_pk(&s, "USER#1", &eb), 0);
		assert_int_equal(selection_add_pk(&s, "USER#2", &eb), 0);
		assert_int_equal(selection_set_sk(&s, cases[i].op, cases[i].a, cases[i].b, &eb), 0);
		bind_ok(&s, &PK_S, cases[i].sk);
		body = query_fragment(&s, 1);
		buf_printf(&want, "{\"TableName\":\"t\",\"KeyConditionExpression\":"
			   "\"#dynamo_pk = :dynamo_pk AND %s\",\"ExpressionAttributeNames\":"
			   "{\"#dynamo_pk\":\"PK\",\"#dynamo_sk\":\"%s\"},"
			   "\"ExpressionAttributeValues\":{\":dynamo_pk\":{\"S\":\"USER#2\"},"
			   "\":dynamo_sk\":{\"%c\":\"%s\"}", cases[i].cond,
			   cases[i].sk->name, cases[i].sk->type, cases[i].a);
		if (cases[i].b)
			buf_printf(&want, ",\":dynamo_sk2\":{\"%c\":\"%s\"}",
				   cases[i].sk->type, cases[i].b);
		buf_puts(&want, "}}");
		if (strcmp(body, want.data))
			fail_msg("case %zu:\n got %s\nwant %s", i, body, want.data);
		free(body);
		buf_release(&want);
		selection_release(&s);
	}
}

static void test_query_keeps_filter_unchanged(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	char *body;
	struct expr e;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "42", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "#a > :v OR attribute_not_exists(#a)", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#a\":\"age\"}", &eb), 0);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"N\":\"18\"}}", &eb), 0);
	bind_ok(&s, &PK_N, &NONE);
	assert_true(selection_by_query(&s));
	body = query_fragment(&s, 0);
	assert_string_equal(body,
		"{\"TableName\":\"t\",\"KeyConditionExpression\":\"#dynamo_pk = :dynamo_pk\","
		"\"FilterExpression\":\"#a > :v OR attribute_not_exists(#a)\","
		"\"ExpressionAttributeNames\":{\"#dynamo_pk\":\"id\",\"#a\":\"age\"},"
		"\"ExpressionAttributeValues\":{\":dynamo_pk\":{\"N\":\"42\"},\":v\":{\"N\":\"18\"}}}");
	free(body);
	expr_init(&e);
	assert_int_equal(selection_query_expr(&s, 1, &e), -1);
	expr_release(&e);
	selection_release(&s);
}

/* dynamo's placeholder prefix is refused in the user's names, values and filter. */
static void test_reserved_placeholders_refused(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_load_names(&s, "{\"#dynamo_pk\":\"x\"}", &eb), -1);
	assert_non_null(strstr(eb.msg, "--names: '#dynamo_pk' starts with '#dynamo_'"));
	errbuf_clear(&eb);
	assert_int_equal(selection_load_values(&s, "{\":dynamo_x\":{\"S\":\"x\"}}", &eb), -1);
	assert_non_null(strstr(eb.msg, "--values: ':dynamo_x' starts with ':dynamo_'"));
	errbuf_clear(&eb);
	/* A failed load leaves room for a good one. */
	assert_int_equal(selection_load_names(&s, "{\"#dyn\":\"x\"}", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "#dyn = :dynamo_sk", &eb), 0);
	bind_fails(&s, &PK_S, &SK_S, "--filter uses ':dynamo_sk'", "dynamo's own placeholders");
	selection_release(&s);
}

static void test_placeholders_defined_and_used(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_filter(&s, "#s = :v", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#s\":\"status\"}", &eb), 0);
	bind_fails(&s, &PK_S, &SK_S, "--filter uses ':v' but --values does not define it", NULL);
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_set_filter(&s, "#s = :v", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#s\":\"status\",\"#t\":\"type\"}", &eb), 0);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"S\":\"x\"}}", &eb), 0);
	bind_fails(&s, &PK_S, &SK_S, "--names defines '#t' but --filter does not use it", NULL);
	selection_release(&s);

	/* #s1 is not #s: placeholders are whole words. */
	selection_init(&s);
	assert_int_equal(selection_set_filter(&s, "#s1 = :v", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#s1\":\"a\",\"#s\":\"b\"}", &eb), 0);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"S\":\"x\"}}", &eb), 0);
	bind_fails(&s, &PK_S, &SK_S, "'#s' but --filter does not use it", NULL);
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"S\":\"x\"}}", &eb), 0);
	bind_fails(&s, &PK_S, &SK_S, "--values given without --filter", NULL);
	selection_release(&s);
}

static void test_names_values_bad_json(void **state)
{
	static const struct {
		int values;
		const char *arg, *want;
	} cases[] = {
		{ 0, "", "--names is not a JSON object" },
		{ 0, "[\"#a\"]", "--names is not a JSON object" },
		{ 0, "{\"#a\":\"x\"", "--names is not a JSON object" },
		{ 0, "{}", "--names is an empty object" },
		{ 0, "{\"a\":\"x\"}", "'a' is not a placeholder" },
		{ 0, "{\"#a-b\":\"x\"}", "'#a-b' is not a placeholder" },
		{ 0, "{\"#a\":1}", "'#a' must name an attribute with a JSON string" },
		{ 0, "{\"#a\":\"\"}", "'#a' names the empty string" },
		{ 0, "{\"#a\":\"x\",\"#a\":\"y\"}", "--names has '#a' twice" },
		{ 1, "{\"v\":{\"S\":\"x\"}}", "'v' is not a placeholder" },
		{ 1, "{\":v\":\"x\"}", "':v' is not a DynamoDB JSON value" },
		{ 1, "{\":v\":{\"N\":\"1x\"}}", "N '1x' is not a number" },
		{ 1, "{\":v\":{\"N\":\"1e200\"}}", "N '1e200' is not a number" },
		{ 1, "{\":v\":{\"N\":\"123456789012345678901234567890123456789\"}}", "is not a number" },
		{ 1, "{\":v\":{\"N\":5}}", "N value 5 is not a JSON string" },
		{ 1, "{\":v\":{\"B\":\"abc\"}}", "B 'abc' is not standard padded base64" },
		{ 1, "{\":v\":{\"SS\":[]}}", "SS is empty" },
		{ 1, "{\":v\":{\"NS\":[\"1\",\"1.0\"]}}", "NS holds the same value twice" },
		{ 1, "{\":v\":{\"S\":\"x\",\"N\":\"1\"}}", "has more than one type" },
		{ 1, "{\":v\":{\"X\":\"1\"}}", "'X' is not a DynamoDB type" },
		{ 1, "{\":v\":{\"BOOL\":\"true\"}}", "BOOL is \"true\", not true or false" },
		{ 1, "{\":v\":{\"L\":[{\"S\":1}]}}", "S value 1 is not a JSON string" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selection s;
		struct errbuf eb = ERRBUF_INIT;
		int r;

		selection_init(&s);
		r = cases[i].values ? selection_load_values(&s, cases[i].arg, &eb) :
		    selection_load_names(&s, cases[i].arg, &eb);
		if (r != -1 || eb.exit != EXIT_USAGE || !strstr(eb.msg, cases[i].want))
			fail_msg("case %zu (%s): got %d '%s', want '%s'", i, cases[i].arg,
				 r, eb.msg, cases[i].want);
		selection_release(&s);
	}
}

static char *write_temp(const char *text)
{
	return unit_write_temp(text, strlen(text));
}

static void test_names_values_from_files(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	char *names = write_temp("{\"#s\": \"status\"}\n");
	char *values = write_temp("{\":v\": {\"N\": \"1x\"}}\n");
	char *body;

	(void)state;
	/* Given twice: refused, and the first stays. */
	selection_init(&s);
	assert_int_equal(selection_load_names(&s, "{\"#a\":\"x\"}", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#b\":\"y\"}", &eb), -1);
	assert_string_equal(eb.msg, "--names given twice: put every placeholder in one JSON object");
	assert_string_equal(s.names.data, "{\"#a\":\"x\"}");
	selection_release(&s);

	selection_init(&s);
	errbuf_clear(&eb);
	{
		char arg[300];

		snprintf(arg, sizeof(arg), "@%s", names);
		assert_int_equal(selection_load_names(&s, arg, &eb), 0);
		snprintf(arg, sizeof(arg), "@%s", values);
		assert_int_equal(selection_load_values(&s, arg, &eb), -1);
		/* The error names the flag and the file. */
		assert_non_null(strstr(eb.msg, "--values file '"));
		assert_non_null(strstr(eb.msg, values));
		assert_non_null(strstr(eb.msg, "N '1x' is not a number"));
	}
	errbuf_clear(&eb);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"S\":\"OPEN\"}}", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "#s = :v", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	body = scan_fragment(&s);
	assert_string_equal(body,
		"{\"TableName\":\"t\",\"FilterExpression\":\"#s = :v\","
		"\"ExpressionAttributeNames\":{\"#s\":\"status\"},"
		"\"ExpressionAttributeValues\":{\":v\":{\"S\":\"OPEN\"}}}");
	free(body);
	selection_release(&s);

	selection_init(&s);
	errbuf_clear(&eb);
	assert_int_equal(selection_load_names(&s, "@/nonexistent/names.json", &eb), -1);
	assert_int_equal(eb.exit, EXIT_IO);
	assert_string_equal(eb.msg,
		"cannot read --names file '/nonexistent/names.json': No such file or directory");
	errbuf_clear(&eb);
	assert_int_equal(selection_load_names(&s, "@", &eb), -1);
	assert_string_equal(eb.msg, "--names '@' names no file: use --names @FILE");
	errbuf_clear(&eb);
	assert_int_equal(selection_load_names(&s, "@/tmp", &eb), -1);
	assert_non_null(strstr(eb.msg, "cannot read --names file '/tmp'"));
	selection_release(&s);

	/* A file with a bad value says which file; the flag comes first. */
	selection_init(&s);
	errbuf_clear(&eb);
	{
		char *bad = write_temp("{\"#s\": \"status\"");
		char arg[300];

		snprintf(arg, sizeof(arg), "@%s", bad);
		assert_int_equal(selection_load_names(&s, arg, &eb), -1);
		assert_true(!strncmp(eb.msg, "--names file '", 14));
		assert_non_null(strstr(eb.msg, "is not a JSON object"));
		unlink(bad);
		free(bad);
	}
	selection_release(&s);
	unlink(names);
	unlink(values);
	free(names);
	free(values);
}

static void test_key_values_typed(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "12x", &eb), 0);
	bind_fails(&s, &PK_N, &NONE, "--pk '12x' is not a valid number for key 'id'", NULL);
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "1", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_GT, "1e126", NULL, &eb), 0);
	bind_fails(&s, &PK_N, &SK_N, "--sk-gt '1e126' is not a valid number for key 'n'", NULL);
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "1", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_EQ, "AAE", NULL, &eb), 0);
	bind_fails(&s, &PK_N, &SK_B, "--sk-eq 'AAE' is not a valid binary (base64)", "padded base64");
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "1", &eb), 0);
	bind_fails(&s, &PK_N, &NONE, "--pk-prefix needs a string or binary partition key", "use --pk");
	selection_release(&s);

	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "a", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_LT, "a", NULL, &eb), 0);
	bind_fails(&s, &PK_S, &NONE, "--sk-lt was given but table 't' has no sort key", NULL);
	selection_release(&s);

	/* Numbers compare by value, strings by bytes: "10" < "9" only as strings. */
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "a", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "10", "9", &eb), 0);
	bind_fails(&s, &PK_S, &SK_N, "the first value sorts after the second", "swap them");
	selection_release(&s);
	selection_init(&s);
	assert_int_equal(selection_add_pk(&s, "a", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "10", "9", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	selection_release(&s);
}

static void test_flags_alone(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "", &eb), -1);
	assert_non_null(strstr(eb.msg, "--pk-prefix is empty"));
	errbuf_clear(&eb);
	assert_int_equal(selection_set_pk_prefix(&s, "A", &eb), 0);
	assert_int_equal(selection_add_pk(&s, "A1", &eb), -1);
	assert_string_equal(eb.msg, "--pk and --pk-prefix both given: use one of them");
	errbuf_clear(&eb);
	assert_int_equal(selection_set_sk(&s, SK_LT, "x", NULL, &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_GT, "a", NULL, &eb), -1);
	assert_non_null(strstr(eb.msg, "--sk-lt and --sk-gt both given"));
	assert_non_null(strstr(eb.msg, "--sk-between A B"));
	errbuf_clear(&eb);
	assert_int_equal(selection_set_filter(&s, "  ", &eb), -1);
	assert_non_null(strstr(eb.msg, "--filter is empty"));
	selection_release(&s);

	selection_init(&s);
	errbuf_clear(&eb);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "a", "", &eb), -1);
	assert_non_null(strstr(eb.msg, "--sk-between has an empty value"));
	selection_release(&s);

	assert_int_equal(sk_op_of_flag("--sk-between"), SK_BETWEEN);
	assert_int_equal(sk_op_of_flag("sk-le"), SK_LE);
	assert_int_equal(sk_op_of_flag("--sk"), SK_PREFIX);
	assert_int_equal(sk_op_of_flag("--pk"), SK_NONE);
	assert_string_equal(sk_op_flag(SK_GE), "--sk-ge");
}

/* ---- the item test ---- */

struct match_case {
	enum sk_op op;
	const char *a, *b;
	const char *item;
	int want;
};

static void check_matches(const struct key_attr *pk, const char *pk_prefix,
			  const char *pk_value, const struct key_attr *sk,
			  const struct match_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct selection s;
		struct errbuf eb = ERRBUF_INIT;
		int got;

		selection_init(&s);
		if (pk_prefix)
			assert_int_equal(selection_set_pk_prefix(&s, pk_prefix, &eb), 0);
		if (pk_value)
			assert_int_equal(selection_add_pk(&s, pk_value, &eb), 0);
		if (cases[i].op != SK_NONE)
			assert_int_equal(selection_set_sk(&s, cases[i].op, cases[i].a,
							  cases[i].b, &eb), 0);
		bind_ok(&s, pk, sk);
		got = selection_key_matches(&s, (struct slice){ cases[i].item,
								strlen(cases[i].item) });
		if (got != cases[i].want)
			fail_msg("case %zu: %s %s %s on %s: got %d", i, sk_op_flag(cases[i].op),
				 cases[i].a ? cases[i].a : "", cases[i].b ? cases[i].b : "",
				 cases[i].item, got);
		selection_release(&s);
	}
}

static void test_matches_number_sort_keys(void **state)
{
	static const struct match_case cases[] = {
		{ SK_NONE, NULL, NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"5\"}}", 1 },
		{ SK_LT, "10", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"9\"}}", 1 },
		{ SK_LT, "10", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"10.0\"}}", 0 },
		{ SK_LE, "1e1", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"10\"}}", 1 },
		{ SK_GT, "-1", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"-0.5\"}}", 1 },
		{ SK_GT, "-1", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"-2\"}}", 0 },
		{ SK_GE, "0", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"0\"}}", 1 },
		{ SK_EQ, "100", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"1E+2\"}}", 1 },
		{ SK_PREFIX, "100", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"1000\"}}", 0 },
		{ SK_PREFIX, "100", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"100.00\"}}", 1 },
		{ SK_BETWEEN, "9", "10", "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"9.5\"}}", 1 },
		{ SK_BETWEEN, "9", "10", "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"10\"}}", 1 },
		{ SK_BETWEEN, "9", "10", "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"10.01\"}}", 0 },
		{ SK_BETWEEN, "9", "10", "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"8.99\"}}", 0 },
		/* 38 digits apart in the last place. */
		{ SK_LT, "12345678901234567890123456789012345678", NULL,
		  "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"N\":\"12345678901234567890123456789012345677\"}}", 1 },
		/* Missing, or of another type: outside. */
		{ SK_GE, "0", NULL, "{\"PK\":{\"S\":\"T#1\"}}", 0 },
		{ SK_GE, "0", NULL, "{\"PK\":{\"S\":\"T#1\"},\"n\":{\"S\":\"5\"}}", 0 },
		/* The partition key outside the prefix. */
		{ SK_NONE, NULL, NULL, "{\"PK\":{\"S\":\"T#2\"},\"n\":{\"N\":\"5\"}}", 0 },
		{ SK_NONE, NULL, NULL, "{\"PK\":{\"S\":\"T\"},\"n\":{\"N\":\"5\"}}", 0 },
		{ SK_NONE, NULL, NULL, "{\"PK\":{\"B\":\"VCMx\"},\"n\":{\"N\":\"5\"}}", 0 },
	};

	(void)state;
	check_matches(&PK_S, "T#1", NULL, &SK_N, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_matches_string_sort_keys(void **state)
{
	static const struct match_case cases[] = {
		{ SK_PREFIX, "ORDER#2024", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"ORDER#2024-01\"}}", 1 },
		{ SK_PREFIX, "ORDER#2024", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"ORDER#202\"}}", 0 },
		/* Escapes are decoded before comparing. */
		{ SK_PREFIX, "\xc3\xa9t\xc3\xa9", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"\\u00e9t\\u00e9 2024\"}}", 1 },
		{ SK_EQ, "a\"b", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"a\\\"b\"}}", 1 },
		/* By UTF-8 bytes: "é" (C3 A9) sorts after "z"; "Z" before "a". */
		{ SK_GT, "z", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"\xc3\xa9\"}}", 1 },
		{ SK_LT, "a", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"Z\"}}", 1 },
		{ SK_LT, "10", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"9\"}}", 0 },
		{ SK_LE, "ab", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"ab\"}}", 1 },
		{ SK_LT, "ab", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"a\"}}", 1 },
		{ SK_GE, "ab", NULL, "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"abc\"}}", 1 },
		{ SK_BETWEEN, "A", "B", "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"B\"}}", 1 },
		{ SK_BETWEEN, "A", "B", "{\"PK\":{\"S\":\"U\"},\"SK\":{\"S\":\"B0\"}}", 0 },
		{ SK_EQ, "x", NULL, "{\"PK\":{\"S\":\"V\"},\"SK\":{\"S\":\"x\"}}", 0 },
		{ SK_EQ, "x", NULL, "{\"SK\":{\"S\":\"x\"}}", 0 },
	};

	(void)state;
	check_matches(&PK_S, NULL, "U", &SK_S, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_matches_binary_keys(void **state)
{
	/* Bytes compare unsigned: 0x80 ("gA==") sorts after 0x7f ("fw=="). */
	static const struct match_case cases[] = {
		{ SK_GT, "fw==", NULL, "{\"pb\":{\"B\":\"AAEC\"},\"bin\":{\"B\":\"gA==\"}}", 1 },
		{ SK_LT, "fw==", NULL, "{\"pb\":{\"B\":\"AAEC\"},\"bin\":{\"B\":\"gA==\"}}", 0 },
		{ SK_PREFIX, "AAE=", NULL, "{\"pb\":{\"B\":\"AAEC\"},\"bin\":{\"B\":\"AAEC\"}}", 1 },
		{ SK_PREFIX, "AAI=", NULL, "{\"pb\":{\"B\":\"AAEC\"},\"bin\":{\"B\":\"AAEC\"}}", 0 },
		{ SK_EQ, "AAEC", NULL, "{\"pb\":{\"B\":\"AAEC\"},\"bin\":{\"B\":\"AAEC\"}}", 1 },
		/* The partition key's prefix is in bytes too: 00 01 begins 00 01 02. */
		{ SK_NONE, NULL, NULL, "{\"pb\":{\"B\":\"AAI=\"},\"bin\":{\"B\":\"AA==\"}}", 0 },
	};

	(void)state;
	check_matches(&PK_B, "AAE=", NULL, &SK_B, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_matches_exact_numbers(void **state)
{
	static const struct match_case cases[] = {
		{ SK_NONE, NULL, NULL, "{\"id\":{\"N\":\"42.0\"}}", 1 },
		{ SK_NONE, NULL, NULL, "{\"id\":{\"N\":\"4.2E1\"}}", 1 },
		{ SK_NONE, NULL, NULL, "{\"id\":{\"N\":\"43\"}}", 0 },
		{ SK_NONE, NULL, NULL, "{\"id\":{\"S\":\"42\"}}", 0 },
		{ SK_NONE, NULL, NULL, "not an item", 0 },
	};

	(void)state;
	check_matches(&PK_N, NULL, "42", &NONE, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_describe_and_json(void **state)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	struct buf d = BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	char *text;

	(void)state;
	selection_init(&s);
	assert_int_equal(selection_set_pk_prefix(&s, "TENANT#42#", &eb), 0);
	assert_int_equal(selection_set_sk(&s, SK_BETWEEN, "A", "B", &eb), 0);
	assert_int_equal(selection_set_filter(&s, "#s = :v", &eb), 0);
	assert_int_equal(selection_load_names(&s, "{\"#s\":\"status\"}", &eb), 0);
	assert_int_equal(selection_load_values(&s, "{\":v\":{\"N\":\"1.50\"}}", &eb), 0);
	bind_ok(&s, &PK_S, &SK_S);
	selection_describe(&s, &d);
	assert_string_equal(d.data, "partition key 'PK' beginning with 'TENANT#42#', "
			    "sort key 'SK' between 'A' and 'B', filter '#s = :v'");
	selection_to_json(&s, o);
	text = cJSON_PrintUnformatted(o);
	assert_string_equal(text, "{\"pk_prefix\":\"TENANT#42#\",\"sk_op\":\"sk-between\","
			    "\"sk\":[\"A\",\"B\"],\"filter\":\"#s = :v\",\"names\":{\"#s\":\"status\"},"
			    "\"values\":{\":v\":{\"N\":\"1.50\"}}}");
	free(text);
	cJSON_Delete(o);
	buf_release(&d);
	selection_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_prefix_and_filter),
		cmocka_unit_test(test_scan_filter_alone_is_unchanged),
		cmocka_unit_test(test_scan_of_everything),
		cmocka_unit_test(test_scan_with_sort_key_condition),
		cmocka_unit_test(test_query_each_sort_condition),
		cmocka_unit_test(test_query_keeps_filter_unchanged),
		cmocka_unit_test(test_reserved_placeholders_refused),
		cmocka_unit_test(test_placeholders_defined_and_used),
		cmocka_unit_test(test_names_values_bad_json),
		cmocka_unit_test(test_names_values_from_files),
		cmocka_unit_test(test_key_values_typed),
		cmocka_unit_test(test_flags_alone),
		cmocka_unit_test(test_matches_number_sort_keys),
		cmocka_unit_test(test_matches_string_sort_keys),
		cmocka_unit_test(test_matches_binary_keys),
		cmocka_unit_test(test_matches_exact_numbers),
		cmocka_unit_test(test_describe_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
