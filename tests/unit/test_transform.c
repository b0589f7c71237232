/*
 * Transforms (src/ddb/transform.c): the flags' parsing with one-line
 * errors, the checks against a table's keys and indexes, and apply on raw
 * DynamoDB JSON: untouched items stay untouched, touched ones keep every
 * other byte's meaning (numbers, binaries, sets, nesting), renames reach
 * every string and are undone by the reverse rename.
 */
#include "unit.h"

#include "dynamo/avcheck.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_scan.h"
#include "dynamo/transform.h"

/* PK/SK (S), GSI1 on GSI1PK/GSI1SK (S), GSI2 on status (S), LSI on n (N). */
static const char TABLE[] =
	"{\"TableName\":\"app\",\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
	"{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":["
	"{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
	"{\"AttributeName\":\"GSI1PK\",\"AttributeType\":\"S\"},{\"AttributeName\":\"GSI1SK\",\"AttributeType\":\"S\"},"
	"{\"AttributeName\":\"status\",\"AttributeType\":\"S\"},{\"AttributeName\":\"n\",\"AttributeType\":\"N\"}],"
	"\"GlobalSecondaryIndexes\":[{\"IndexName\":\"GSI1\",\"KeySchema\":["
	"{\"AttributeName\":\"GSI1PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"GSI1SK\",\"KeyType\":\"RANGE\"}]},"
	"{\"IndexName\":\"ByStatus\",\"KeySchema\":[{\"AttributeName\":\"status\",\"KeyType\":\"HASH\"}]}],"
	"\"LocalSecondaryIndexes\":[{\"IndexName\":\"ByN\",\"KeySchema\":["
	"{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"n\",\"KeyType\":\"RANGE\"}]}]}";

static char key_text[] = "unit-test-transform-key-0123456789";
static struct mask_key KEY = { key_text, sizeof(key_text) - 1 };

static void table(struct table_desc *td)
{
	struct errbuf eb = ERRBUF_INIT;

	assert_int_equal(table_from_json(td, cJSON_Parse(TABLE), &eb), 0);
}

typedef int (*add_fn)(struct transform *, const char *, struct errbuf *);

static void add_fails(struct transform *t, add_fn fn, const char *arg, const char *want)
{
	struct errbuf eb = ERRBUF_INIT;

	assert_int_equal(fn(t, arg, &eb), -1);
	assert_int_equal(eb.exit, EXIT_USAGE);
	if (!strstr(eb.msg, want))
		fail_msg("'%s': '%s' lacks '%s'", arg, eb.msg, want);
	assert_null(strchr(eb.msg, '\n'));
}

static void add_ok(struct transform *t, add_fn fn, const char *arg)
{
	struct errbuf eb = ERRBUF_INIT;

	if (fn(t, arg, &eb) < 0)
		fail_msg("'%s': %s", arg, eb.msg);
}

static void test_flag_errors(void **state)
{
	struct transform t;

	(void)state;
	transform_init(&t);
	add_fails(&t, transform_add_set, "env", "--set 'env' is not NAME=VALUE");
	add_fails(&t, transform_add_set, "={\"S\":\"x\"}", "is not NAME=VALUE");
	add_fails(&t, transform_add_set, "env=staging",
		  "--set 'env': the value is not DynamoDB JSON: staging is not valid JSON");
	add_fails(&t, transform_add_set, "env={\"S\":\"a\"} x", "is not valid JSON");
	add_fails(&t, transform_add_set, "n={\"N\":\"1.2.3\"}", "N '1.2.3' is not a number");
	add_ok(&t, transform_add_set, "env= {\"S\":\"staging\"} ");
	assert_string_equal(t.sets[0].value, "{\"S\":\"staging\"}");
	add_fails(&t, transform_add_set, "env={\"S\":\"x\"}", "--set 'env' given twice");
	add_fails(&t, transform_add_remove, "env",
		  "--set 'env' and --remove 'env' both given: an attribute takes one of --set, --remove and --mask");
	add_fails(&t, transform_add_mask, "env", "--set 'env' and --mask 'env' both given");
	add_fails(&t, transform_add_remove, "", "--remove needs an attribute name");
	add_ok(&t, transform_add_mask, "email");
	add_ok(&t, transform_add_mask, "email");	/* again: the same */
	assert_int_equal(t.nmasks, 1);
	add_fails(&t, transform_add_remove, "email", "--mask 'email' and --remove 'email'");
	add_fails(&t, transform_add_rename_prefix, "TENANT#42#", "is not OLD=NEW");
	add_fails(&t, transform_add_rename_prefix, "=X", "is not OLD=NEW with a non-empty OLD");
	add_fails(&t, transform_add_rename_prefix, "A=A", "renames a prefix to itself");
	add_ok(&t, transform_add_rename_prefix, "A=B");
	add_fails(&t, transform_add_rename_prefix, "A=C", "--rename-prefix given twice for 'A'");
	add_ok(&t, transform_add_rename_prefix, "AB=");	/* NEW may be empty */
	add_ok(&t, transform_add_rename_prefix, "ABC=x=y");	/* NEW holds '=' */
	/* Longest first. */
	assert_string_equal(t.renames[0].from, "ABC");
	assert_string_equal(t.renames[0].to, "x=y");
	assert_string_equal(t.renames[2].from, "A");
	assert_true(transform_any(&t));
	assert_true(transform_needs_mask_key(&t));
	transform_release(&t);
	transform_init(&t);
	assert_false(transform_any(&t));
	transform_release(&t);
}

static void bind_fails(struct transform *t, const char *w1, const char *w2)
{
	struct table_desc td;
	struct errbuf eb = ERRBUF_INIT;

	table(&td);
	assert_int_equal(transform_bind(t, &td, &eb), -1);
	assert_int_equal(eb.exit, EXIT_USAGE);
	if (!strstr(eb.msg, w1) || (w2 && !strstr(eb.msg, w2)))
		fail_msg("'%s' lacks '%s' or '%s'", eb.msg, w1, w2 ? w2 : "");
	assert_null(strchr(eb.msg, '\n'));
	table_desc_release(&td);
}

static void bind_ok(struct transform *t)
{
	struct table_desc td;
	struct errbuf eb = ERRBUF_INIT;

	table(&td);
	if (transform_bind(t, &td, &eb) < 0)
		fail_msg("bind: %s", eb.msg);
	table_desc_release(&td);
}

static void one(add_fn fn, const char *arg, const char *w1, const char *w2)
{
	struct transform t;

	transform_init(&t);
	add_ok(&t, fn, arg);
	if (w1)
		bind_fails(&t, w1, w2);
	else
		bind_ok(&t);
	transform_release(&t);
}

static void test_keys_guarded(void **state)
{
	(void)state;
	one(transform_add_set, "PK={\"S\":\"x\"}",
	    "--set 'PK': 'PK' is the partition key of table 'app'", "--rename-prefix OLD=NEW");
	one(transform_add_remove, "SK", "--remove 'SK': 'SK' is the sort key of table 'app'", NULL);
	/* Index keys: removing leaves the index; setting must keep the type. */
	one(transform_add_remove, "GSI1PK", NULL, NULL);
	one(transform_add_set, "status={\"S\":\"OPEN\"}", NULL, NULL);
	one(transform_add_set, "status={\"N\":\"1\"}",
	    "--set 'status': 'status' is a key of GSI 'ByStatus', of type S, but the value is of type N", NULL);
	one(transform_add_set, "status={\"S\":\"\"}", "which DynamoDB does not take empty", NULL);
	one(transform_add_set, "n={\"S\":\"1\"}", "a key of LSI 'ByN', of type N", NULL);
	one(transform_add_set, "other={\"M\":{}}", NULL, NULL);
	/* Masking an attribute that is only an index key: fine. */
	one(transform_add_mask, "status", NULL, NULL);
	one(transform_add_mask, "n", NULL, NULL);
	one(transform_add_mask, "email", NULL, NULL);
	/* Masking the table's key alone: every S key must come with it. */
	one(transform_add_mask, "PK", "--mask 'PK' masks the partition key of table 'app'",
	    "but 'SK' (the sort key of table 'app') is not: add --mask SK");
	{
		struct transform t;

		transform_init(&t);
		add_ok(&t, transform_add_mask, "PK");
		add_ok(&t, transform_add_mask, "SK");
		add_ok(&t, transform_add_mask, "GSI1PK");
		bind_fails(&t, "'GSI1SK' (a key of GSI 'GSI1') is not: add --mask GSI1SK", NULL);
		add_ok(&t, transform_add_mask, "GSI1SK");
		bind_fails(&t, "'status' (a key of GSI 'ByStatus') is not: add --mask status", NULL);
		add_ok(&t, transform_add_mask, "status");
		bind_ok(&t);	/* n is N: not a copy of a string key */
		add_ok(&t, transform_add_rename_prefix, "A=B");
		bind_fails(&t, "--mask 'PK' and --rename-prefix both change 'PK'", NULL);
		transform_release(&t);
	}
}

/* Applies t (bound to TABLE) to item: the result's code, and the new item or "". */
static int apply(struct transform *t, const char *item, char **result)
{
	struct transformer x;
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	int r;

	assert_int_equal(transformer_init(&x, t, &KEY, &eb), 0);
	buf_puts(&out, "PREFIX:");
	r = transformer_apply(&x, (struct slice){ item, strlen(item) }, &out);
	assert_true(!strncmp(out.data, "PREFIX:", 7));
	if (r <= 0)
		assert_int_equal(out.len, 7);	/* nothing appended */
	if (r == 1) {
		/* What comes out is a valid item (a valid map's insides). */
		struct buf m = BUF_INIT;
		char why[300];

		buf_printf(&m, "{\"M\":%s}", out.data + 7);
		if (av_check((struct slice){ m.data, m.len }, why, sizeof(why)) < 0)
			fail_msg("%s -> %s: %s", item, out.data + 7, why);
		buf_release(&m);
	}
	if (r < 0)
		*result = strdup(x.why);
	else
		*result = strdup(out.data + 7);
	buf_release(&out);
	transformer_release(&x);
	return r;
}

static const char ITEM[] =
	"{\"PK\":{\"S\":\"TENANT#42#USER#7\"},\"SK\":{\"S\":\"ORDER#2024-01-05#1\"},"
	"\"amount\":{\"N\":\"12345678901234567890.123456789012345678\"},"
	"\"blob\":{\"B\":\"AAEC/w==\"},\"tags\":{\"SS\":[\"TENANT#42#a\",\"b\"]},"
	"\"nums\":{\"NS\":[\"1\",\"1e3\"]},\"bins\":{\"BS\":[\"AA==\",\"AQ==\"]},"
	"\"nested\":{\"M\":{\"ref\":{\"S\":\"TENANT#42#USER#8\"},\"l\":{\"L\":[{\"S\":\"TENANT#42#\"},{\"N\":\"-0.5\"},{\"NULL\":true}]}}},"
	"\"empty\":{\"S\":\"\"},\"ok\":{\"BOOL\":false},\"email\":{\"S\":\"jane.doe@acme.com\"}}";

static void test_untouched_items_stay_untouched(void **state)
{
	struct transform t;
	char *r;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_remove, "gone");
	add_ok(&t, transform_add_mask, "phone");
	add_ok(&t, transform_add_rename_prefix, "TENANT#9#=TENANT#10#");
	bind_ok(&t);
	assert_int_equal(apply(&t, ITEM, &r), 0);
	assert_string_equal(r, "");
	free(r);
	transform_release(&t);
}

static void test_set_and_remove(void **state)
{
	struct transform t;
	char *r;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_set, "env={\"S\":\"staging\"}");
	add_ok(&t, transform_add_set, "ok={\"BOOL\":true}");
	add_ok(&t, transform_add_remove, "email");
	add_ok(&t, transform_add_remove, "nested");
	bind_ok(&t);
	assert_int_equal(apply(&t, ITEM, &r), 1);
	/* Every other attribute as it was, byte for byte; the new one last. */
	assert_string_equal(r,
		"{\"PK\":{\"S\":\"TENANT#42#USER#7\"},\"SK\":{\"S\":\"ORDER#2024-01-05#1\"},"
		"\"amount\":{\"N\":\"12345678901234567890.123456789012345678\"},"
		"\"blob\":{\"B\":\"AAEC/w==\"},\"tags\":{\"SS\":[\"TENANT#42#a\",\"b\"]},"
		"\"nums\":{\"NS\":[\"1\",\"1e3\"]},\"bins\":{\"BS\":[\"AA==\",\"AQ==\"]},"
		"\"empty\":{\"S\":\"\"},\"ok\":{\"BOOL\":true},\"env\":{\"S\":\"staging\"}}");
	free(r);
	/* Setting what is already there changes nothing. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"b\"},\"ok\":{\"BOOL\":true},"
			      "\"env\":{\"S\":\"staging\"}}", &r), 0);
	free(r);
	/* Names with escapes are found. */
	transform_release(&t);
	transform_init(&t);
	add_ok(&t, transform_add_remove, "gr\xc3\xb6\xc3\x9f" "e");
	bind_ok(&t);
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"gr\\u00f6\\u00dfe\":{\"N\":\"1\"}}", &r), 1);
	assert_string_equal(r, "{\"PK\":{\"S\":\"a\"}}");
	free(r);
	transform_release(&t);
}

static void test_rename_everywhere(void **state)
{
	struct transform t, back;
	char *r, *again;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_rename_prefix, "TENANT#42#=TENANT#demo#");
	bind_ok(&t);
	assert_int_equal(apply(&t, ITEM, &r), 1);
	assert_string_equal(r,
		"{\"PK\":{\"S\":\"TENANT#demo#USER#7\"},\"SK\":{\"S\":\"ORDER#2024-01-05#1\"},"
		"\"amount\":{\"N\":\"12345678901234567890.123456789012345678\"},"
		"\"blob\":{\"B\":\"AAEC/w==\"},\"tags\":{\"SS\":[\"TENANT#demo#a\",\"b\"]},"
		"\"nums\":{\"NS\":[\"1\",\"1e3\"]},\"bins\":{\"BS\":[\"AA==\",\"AQ==\"]},"
		"\"nested\":{\"M\":{\"ref\":{\"S\":\"TENANT#demo#USER#8\"},\"l\":{\"L\":[{\"S\":\"TENANT#demo#\"},{\"N\":\"-0.5\"},{\"NULL\":true}]}}},"
		"\"empty\":{\"S\":\"\"},\"ok\":{\"BOOL\":false},\"email\":{\"S\":\"jane.doe@acme.com\"}}");
	/* Renaming back gives the original, byte for byte. */
	transform_init(&back);
	add_ok(&back, transform_add_rename_prefix, "TENANT#demo#=TENANT#42#");
	bind_ok(&back);
	assert_int_equal(apply(&back, r, &again), 1);
	assert_string_equal(again, ITEM);
	free(again);
	free(r);
	transform_release(&back);
	transform_release(&t);
}

static void test_rename_longest_first_and_escapes(void **state)
{
	struct transform t;
	char *r;
	struct buf out = BUF_INIT;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_rename_prefix, "T#=X#");
	add_ok(&t, transform_add_rename_prefix, "T#4=Y#");
	bind_ok(&t);
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"T#42\"},\"a\":{\"S\":\"T#1\"},"
			      "\"q\":{\"S\":\"T#\\\"\\u00e9\"},\"k\":{\"S\":\"t#4\"}}", &r), 1);
	assert_string_equal(r, "{\"PK\":{\"S\":\"Y#2\"},\"a\":{\"S\":\"X#1\"},"
			    "\"q\":{\"S\":\"X#\\\"\xc3\xa9\"},\"k\":{\"S\":\"t#4\"}}");
	free(r);
	assert_int_equal(transform_rename_text(&t, "T#42#", 5, &out), 1);
	assert_string_equal(out.data, "Y#2#");
	buf_reset(&out);
	assert_int_equal(transform_rename_text(&t, "U#42#", 5, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
	transform_release(&t);
}

static void test_rename_keeps_items_valid(void **state)
{
	struct transform t;
	struct buf big = BUF_INIT;
	char *r;
	int i;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_rename_prefix, "T#1=");
	bind_ok(&t);
	/* A key that would become empty: refused; a plain attribute may. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"T#1\"},\"SK\":{\"S\":\"x\"}}", &r), -1);
	assert_string_equal(r, "--rename-prefix leaves key attribute 'PK' empty, which DynamoDB refuses");
	free(r);
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"GSI1SK\":{\"S\":\"T#1\"}}", &r), -1);
	assert_non_null(strstr(r, "'GSI1SK' empty"));
	free(r);
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"note\":{\"S\":\"T#1\"}}", &r), 1);
	assert_string_equal(r, "{\"PK\":{\"S\":\"a\"},\"note\":{\"S\":\"\"}}");
	free(r);
	/* A string set where two values become one. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"s\":{\"SS\":[\"T#1x\",\"x\"]}}", &r), -1);
	assert_string_equal(r, "a string set would hold one value twice after --rename-prefix");
	free(r);
	transform_release(&t);

	/* A sort key grown past 1024 bytes. */
	transform_init(&t);
	for (i = 0; i < 1000; i++)
		buf_putc(&big, 'z');
	{
		struct buf spec = BUF_INIT, item = BUF_INIT;

		buf_printf(&spec, "S=%s", big.data);
		add_ok(&t, transform_add_rename_prefix, spec.data);
		bind_ok(&t);
		buf_printf(&item, "{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"S%s\"}}", big.data);
		assert_int_equal(apply(&t, item.data, &r), -1);
		assert_string_equal(r, "--rename-prefix makes key attribute 'SK' 2000 bytes long, over DynamoDB's 1024");
		free(r);
		buf_release(&spec);
		buf_release(&item);
	}
	buf_release(&big);
	transform_release(&t);
}

static void test_mask_through_transformer(void **state)
{
	struct transform t;
	char *r, *r2;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_mask, "email");
	add_ok(&t, transform_add_mask, "nested");
	add_ok(&t, transform_add_rename_prefix, "TENANT#42#=TENANT#demo#");
	bind_ok(&t);
	assert_int_equal(apply(&t, ITEM, &r), 1);
	assert_int_equal(apply(&t, ITEM, &r2), 1);
	assert_string_equal(r, r2);	/* deterministic */
	/* The masked email keeps its TLD, the masked map is not also renamed. */
	assert_null(strstr(r, "jane.doe"));
	assert_non_null(strstr(r, ".com\"}}"));
	assert_non_null(strstr(r, "\"PK\":{\"S\":\"TENANT#demo#USER#7\"}"));
	assert_null(strstr(r, "USER#8"));
	assert_null(strstr(r, "demo#USER#8"));
	free(r);
	free(r2);
	transform_release(&t);

	/* Masking needs the key. */
	{
		struct transformer x;
		struct errbuf eb = ERRBUF_INIT;

		transform_init(&t);
		add_ok(&t, transform_add_mask, "email");
		bind_ok(&t);
		assert_int_equal(transformer_init(&x, &t, NULL, &eb), -1);
		assert_non_null(strstr(eb.msg, "--mask needs a secret key"));
		transform_release(&t);
	}
}

/* Items are passed over by their bytes only when nothing can apply. */
static void test_passed_over_by_bytes(void **state)
{
	struct transform t;
	char *r;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_mask, "email");
	add_ok(&t, transform_add_rename_prefix, "T#=U#");
	bind_ok(&t);
	/* A name spelled with an escape is still the attribute. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"},\"\\u0065mail\":{\"S\":\"jane@x.org\"}}", &r), 1);
	assert_null(strstr(r, "jane@"));
	assert_non_null(strstr(r, ".org\"}}"));
	free(r);
	/* A prefix spelled with an escape is still renamed. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"\\u0054#1\"}}", &r), 1);
	assert_string_equal(r, "{\"PK\":{\"S\":\"U#1\"}}");
	free(r);
	/* The name as a value, OLD in the middle: walked, nothing changes. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"email\"},\"x\":{\"S\":\"aT#\"}}", &r), 0);
	free(r);
	/* Nothing that could apply: not walked, so not judged either. */
	assert_int_equal(apply(&t, "{\"PK\":{\"S\":\"a\"}", &r), 0);
	free(r);
	transform_release(&t);
}

/* Which transforms give items other keys: renames, and masks of the table's keys only. */
static void test_may_change_keys(void **state)
{
	static const struct {
		const char *masks[4];
		const char *rename;
		int changes;
	} cases[] = {
		{ { "email" }, NULL, 0 },
		{ { "status" }, NULL, 0 },		/* only an index's key */
		{ { "GSI1PK", "GSI1SK" }, NULL, 0 },
		{ { "PK", "SK", "GSI1PK", "GSI1SK" }, NULL, 1 },
		{ { NULL }, "T#=U#", 1 },
		{ { "email" }, "T#=U#", 1 },
	};
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct transform t;

		transform_init(&t);
		for (k = 0; k < 4 && cases[i].masks[k]; k++)
			add_ok(&t, transform_add_mask, cases[i].masks[k]);
		if (cases[i].rename)
			add_ok(&t, transform_add_rename_prefix, cases[i].rename);
		if (cases[i].masks[0] && !strcmp(cases[i].masks[0], "PK"))
			add_ok(&t, transform_add_mask, "status");	/* every S key masked alike */
		bind_ok(&t);
		if (transform_may_change_keys(&t) != cases[i].changes)
			fail_msg("case %zu: want %d", i, cases[i].changes);
		transform_release(&t);
	}
}

static void test_malformed_items(void **state)
{
	static const char *const items[] = {
		"", "[]", "{", "{\"a\":", "{\"a\":{\"S\":\"x\"}", "{\"a\":1}",
		"{\"a\":{\"M\":{\"b\":[}}}", "{\"a\":{\"SS\":[1]}}",
	};
	struct transform t;
	size_t i;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_rename_prefix, "x=y");
	add_ok(&t, transform_add_mask, "m");
	bind_ok(&t);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		char *r;
		int c = apply(&t, items[i], &r);

		if (c != -1 && c != 0)
			fail_msg("'%s' gave %d: %s", items[i], c, r);
		free(r);
	}
	transform_release(&t);
}

static void test_describe_and_json(void **state)
{
	struct transform t;
	struct buf d = BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	char *text;

	(void)state;
	transform_init(&t);
	add_ok(&t, transform_add_set, "env={\"S\":\"staging\"}");
	add_ok(&t, transform_add_remove, "tmp");
	add_ok(&t, transform_add_mask, "email");
	add_ok(&t, transform_add_mask, "name");
	add_ok(&t, transform_add_rename_prefix, "TENANT#42#=TENANT#demo#");
	transform_describe(&t, &d);
	assert_string_equal(d.data, "set 'env' to {\"S\":\"staging\"}, remove 'tmp', mask 'email', "
			    "'name', rename prefix 'TENANT#42#' to 'TENANT#demo#'");
	transform_to_json(&t, o);
	text = cJSON_PrintUnformatted(o);
	assert_string_equal(text, "{\"set\":{\"env\":{\"S\":\"staging\"}},\"remove\":[\"tmp\"],"
			    "\"mask\":[\"email\",\"name\"],\"rename_prefix\":[{\"from\":\"TENANT#42#\","
			    "\"to\":\"TENANT#demo#\"}]}");
	free(text);
	cJSON_Delete(o);
	buf_release(&d);
	transform_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_errors),
		cmocka_unit_test(test_keys_guarded),
		cmocka_unit_test(test_untouched_items_stay_untouched),
		cmocka_unit_test(test_set_and_remove),
		cmocka_unit_test(test_rename_everywhere),
		cmocka_unit_test(test_rename_longest_first_and_escapes),
		cmocka_unit_test(test_rename_keeps_items_valid),
		cmocka_unit_test(test_mask_through_transformer),
		cmocka_unit_test(test_passed_over_by_bytes),
		cmocka_unit_test(test_may_change_keys),
		cmocka_unit_test(test_malformed_items),
		cmocka_unit_test(test_describe_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
