/*
 * DynamoDB's native export, import, point-in-time restore and PITR
 * (src/ddb/native.c): each request builder against the body botocore
 * writes for the same parameters (tests/vectors/native/CASE.request.json,
 * checked against the API model by botocore, recorded by record.py), each
 * answer walker against moto's answers (CASE.response.json) and AWS-shaped
 * ones (aws_*.json), and answers that lack what the operation always
 * returns refused.
 */
#include "unit.h"

#include <cJSON.h>

#include "dynamo/exitcode.h"
#include "dynamo/native.h"

#define T_EXPORT 1767225600.0
#define T_FROM 1767225600.0
#define T_TO 1767229200.0
#define TABLE_ARN "arn:aws:dynamodb:us-east-1:123456789012:table/orders"

static cJSON *vector(const char *name)
{
	char rel[256];
	char *text;
	cJSON *v;

	snprintf(rel, sizeof(rel), "native/%s", name);
	text = unit_read_vector(rel, NULL);
	v = cJSON_Parse(text);
	if (!v)
		fail_msg("%s is not JSON", rel);
	free(text);
	return v;
}

/* The built body equals botocore's (members in any order); frees got. */
static void same_body(cJSON *got, const char *golden)
{
	cJSON *want = vector(golden);

	assert_non_null(got);
	if (!cJSON_Compare(want, got, 1)) {
		char *a = cJSON_Print(want), *b = cJSON_Print(got);

		fail_msg("%s differs from botocore's body\n--- botocore\n%s\n--- ours\n%s", golden, a, b);
	}
	cJSON_Delete(want);
	cJSON_Delete(got);
}

static void export_requests_are_botocores(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct native_export_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.table_arn = TABLE_ARN;
	s.bucket = "exports";
	s.prefix = "nightly";
	s.client_token = "dynamo-test-0";
	same_body(native_export_request(&s, &eb), "export_full.request.json");

	s.prefix = "at";
	s.bucket_owner = "123456789012";
	s.client_token = "dynamo-test-1";
	s.export_time = T_EXPORT;
	same_body(native_export_request(&s, &eb), "export_at_time.request.json");

	memset(&s, 0, sizeof(s));
	s.table_arn = TABLE_ARN;
	s.bucket = "exports";
	s.prefix = "inc";
	s.sse = "KMS";
	s.kms_key = "alias/exports";
	s.client_token = "dynamo-test-2";
	s.incremental = 1;
	s.from_time = T_FROM;
	s.to_time = T_TO;
	s.view = "NEW_IMAGE";
	same_body(native_export_request(&s, &eb), "export_incremental.request.json");
	assert_false(eb.set);
}

static void a_missing_client_token_is_made_up_each_time(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct native_export_spec s;
	cJSON *a, *b;
	const char *ta, *tb;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.table_arn = TABLE_ARN;
	s.bucket = "exports";
	a = native_export_request(&s, &eb);
	b = native_export_request(&s, &eb);
	ta = cJSON_GetStringValue(cJSON_GetObjectItem(a, "ClientToken"));
	tb = cJSON_GetStringValue(cJSON_GetObjectItem(b, "ClientToken"));
	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(strlen(ta), 36);
	assert_string_not_equal(ta, tb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* Each spec the API refuses is refused here, with a line that says why. */
static void export_specs_the_api_refuses(void **state)
{
	static const struct {
		const char *why;
		const char *arn, *bucket, *owner, *view, *sse, *kms;
		double at, from, to;
		int incremental;
	} cases[] = {
		{ "names its table by ARN", "orders", "exports", NULL, NULL, NULL, NULL, 0, 0, 0, 0 },
		{ "not a valid S3 bucket name", TABLE_ARN, "no/slash", NULL, NULL, NULL, NULL, 0, 0, 0, 0 },
		{ "12-digit", TABLE_ARN, "exports", "12345", NULL, NULL, NULL, 0, 0, 0, 0 },
		{ "15 minutes to 24 hours", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, 0, T_FROM, T_FROM + 600, 1 },
		{ "15 minutes to 24 hours", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, 0, T_FROM, T_FROM + 90000, 1 },
		{ "must come after its start", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, 0, T_TO, T_FROM, 1 },
		{ "not an export time", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, T_EXPORT, T_FROM, T_TO, 1 },
		{ "incremental export only", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, 0, T_FROM, T_TO, 0 },
		{ "incremental export only", TABLE_ARN, "exports", NULL, "NEW_IMAGE", NULL, NULL, 0, 0, 0, 0 },
		{ "NEW_AND_OLD_IMAGES or NEW_IMAGE", TABLE_ARN, "exports", NULL, "OLD", NULL, NULL, 0, T_FROM, T_TO, 1 },
		{ "AES256 or KMS", TABLE_ARN, "exports", NULL, NULL, "DES", NULL, 0, 0, 0, 0 },
		{ "KMS encryption only", TABLE_ARN, "exports", NULL, NULL, "AES256", "alias/k", 0, 0, 0, 0 },
		{ "in the future", TABLE_ARN, "exports", NULL, NULL, NULL, NULL, 4102444800.0, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct native_export_spec s;

		memset(&s, 0, sizeof(s));
		s.table_arn = cases[i].arn;
		s.bucket = cases[i].bucket;
		s.bucket_owner = cases[i].owner;
		s.view = cases[i].view;
		s.sse = cases[i].sse;
		s.kms_key = cases[i].kms;
		s.export_time = cases[i].at;
		s.from_time = cases[i].from;
		s.to_time = cases[i].to;
		s.incremental = cases[i].incremental;
		if (native_export_request(&s, &eb))
			fail_msg("case %zu (%s) was not refused", i, cases[i].why);
		if (!strstr(eb.msg, cases[i].why))
			fail_msg("case %zu: wanted '%s' in: %s", i, cases[i].why, eb.msg);
		assert_int_equal(eb.exit, EXIT_USAGE);
	}
}

static void export_answers_are_walked(void **state)
{
	struct native_export e;
	char why[256];
	cJSON *v;

	(void)state;
	v = vector("export_describe.response.json");
	assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), 0);
	assert_int_equal(e.status, NATIVE_COMPLETED);
	assert_int_equal(e.item_count, 1);
	assert_string_equal(e.type, "FULL_EXPORT");
	assert_string_equal(e.bucket, "exports");
	assert_string_equal(e.prefix, "nightly");
	cJSON_Delete(v);

	v = vector("aws_export_completed.json");
	assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), 0);
	assert_string_equal(e.manifest, "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-summary.json");
	assert_int_equal(e.item_count, 8);
	assert_int_equal(e.billed_bytes, 2048);
	assert_true(e.end_time > 1604475223.8 && e.end_time < 1604475223.9);
	cJSON_Delete(v);

	v = vector("aws_export_in_progress.json");
	assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), 0);
	assert_int_equal(e.status, NATIVE_IN_PROGRESS);
	assert_int_equal(e.item_count, -1);
	cJSON_Delete(v);

	v = vector("aws_export_failed.json");
	assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), 0);
	assert_int_equal(e.status, NATIVE_FAILED);
	assert_string_equal(e.failure_code, "S3NoSuchBucket");
	assert_string_equal(e.failure_message, "The specified bucket does not exist");
	cJSON_Delete(v);

	/* What ExportTableToPointInTime itself answered moto. */
	v = vector("export_incremental.response.json");
	assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), 0);
	assert_string_equal(e.type, "INCREMENTAL_EXPORT");
	cJSON_Delete(v);
}

static void malformed_answers_are_refused(void **state)
{
	static const struct {
		const char *body, *why;
	} exports[] = {
		{ "{}", "no ExportDescription" },
		{ "{\"ExportDescription\":[]}", "no ExportDescription" },
		{ "{\"ExportDescription\":{\"ExportStatus\":\"COMPLETED\",\"ItemCount\":1}}", "no ExportArn" },
		{ "{\"ExportDescription\":{\"ExportArn\":\"a\",\"ExportStatus\":\"DONE\"}}", "no known ExportStatus" },
		{ "{\"ExportDescription\":{\"ExportArn\":\"a\",\"ExportStatus\":\"CANCELLED\"}}", "no known ExportStatus" },
		{ "{\"ExportDescription\":{\"ExportArn\":\"a\",\"ExportStatus\":\"COMPLETED\"}}", "no ItemCount" },
		{ "{\"ExportDescription\":{\"ExportArn\":\"a\",\"ExportStatus\":\"COMPLETED\",\"ItemCount\":-3}}", "no ItemCount" },
	}, imports[] = {
		{ "{\"TableDescription\":{}}", "no ImportTableDescription" },
		{ "{\"ImportTableDescription\":{\"ImportStatus\":\"COMPLETED\"}}", "no ImportArn" },
		{ "{\"ImportTableDescription\":{\"ImportArn\":\"a\"}}", "no known ImportStatus" },
		{ "{\"ImportTableDescription\":{\"ImportArn\":\"a\",\"ImportStatus\":\"COMPLETED\"}}", "no ImportedItemCount" },
	}, pitrs[] = {
		{ "{}", "ContinuousBackupsStatus" },
		{ "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\"}}", "PointInTimeRecoveryStatus" },
		{ "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\",\"PointInTimeRecoveryDescription\":{\"PointInTimeRecoveryStatus\":\"ENABLING\"}}}", "PointInTimeRecoveryStatus" },
	};
	struct native_export e;
	struct native_import im;
	struct native_pitr p;
	char why[256], st[32];
	size_t i;
	cJSON *v;

	(void)state;
	for (i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
		v = cJSON_Parse(exports[i].body);
		why[0] = '\0';
		assert_int_equal(native_export_parse(v, &e, why, sizeof(why)), -1);
		if (!strstr(why, exports[i].why))
			fail_msg("export answer %zu: wanted '%s' in '%s'", i, exports[i].why, why);
		cJSON_Delete(v);
	}
	for (i = 0; i < sizeof(imports) / sizeof(imports[0]); i++) {
		v = cJSON_Parse(imports[i].body);
		assert_int_equal(native_import_parse(v, &im, why, sizeof(why)), -1);
		if (!strstr(why, imports[i].why))
			fail_msg("import answer %zu: wanted '%s' in '%s'", i, imports[i].why, why);
		cJSON_Delete(v);
	}
	for (i = 0; i < sizeof(pitrs) / sizeof(pitrs[0]); i++) {
		v = cJSON_Parse(pitrs[i].body);
		assert_int_equal(native_pitr_parse(v, &p, why, sizeof(why)), -1);
		if (!strstr(why, pitrs[i].why))
			fail_msg("PITR answer %zu: wanted '%s' in '%s'", i, pitrs[i].why, why);
		cJSON_Delete(v);
	}
	/* A restore's answer must describe the table asked for. */
	v = vector("restore_latest.response.json");
	assert_int_equal(native_restore_parse(v, "another-table", st, sizeof(st), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not 'another-table'"));
	cJSON_Delete(v);
}

/* The import's schema is the described table's: botocore's body, from moto's DescribeTable. */
static void import_request_from_a_described_table(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct native_import_spec s;
	cJSON *desc = vector("describe_table_orders.response.json");

	(void)state;
	memset(&s, 0, sizeof(s));
	s.bucket = "exports";
	s.prefix = "nightly/AWSDynamoDB/";
	s.table = cJSON_GetObjectItem(desc, "Table");
	s.table_name = "orders-copy";
	s.client_token = "dynamo-import-1";
	same_body(native_import_request(&s, &eb), "import_gsi.request.json");
	assert_false(eb.set);
	cJSON_Delete(desc);
}

static void import_specs_the_api_refuses(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct native_import_spec s;
	cJSON *desc = vector("describe_table_orders.response.json");
	cJSON *table = cJSON_GetObjectItem(desc, "Table"), *lsi;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.bucket = "exports";
	s.table = table;
	s.table_name = "x";
	assert_null(native_import_request(&s, &eb));
	assert_non_null(strstr(eb.msg, "not a valid table name"));

	errbuf_clear(&eb);
	s.table_name = "orders-copy";
	s.compression = "BZIP2";
	assert_null(native_import_request(&s, &eb));
	assert_non_null(strstr(eb.msg, "GZIP, ZSTD or NONE"));

	errbuf_clear(&eb);
	s.compression = NULL;
	lsi = cJSON_Parse("[{\"IndexName\":\"LSI1\",\"KeySchema\":[],\"Projection\":{}}]");
	cJSON_ReplaceItemInObject(table, "LocalSecondaryIndexes", lsi);
	assert_null(native_import_request(&s, &eb));
	assert_non_null(strstr(eb.msg, "cannot create local secondary indexes"));
	assert_int_equal(eb.exit, EXIT_USAGE);

	errbuf_clear(&eb);
	s.table = NULL;
	assert_null(native_import_request(&s, &eb));
	assert_non_null(strstr(eb.msg, "not a table description"));
	cJSON_Delete(desc);
}

static void import_answers_are_walked(void **state)
{
	struct native_import im;
	char why[256];
	cJSON *v = vector("import_describe.response.json");

	(void)state;
	assert_int_equal(native_import_parse(v, &im, why, sizeof(why)), 0);
	assert_int_equal(im.status, NATIVE_COMPLETED);
	assert_int_equal(im.imported_items, 1);
	assert_int_equal(im.errors, 0);
	assert_non_null(strstr(im.table_arn, ":table/orders-copy"));
	cJSON_Delete(v);
	v = vector("aws_import_in_progress.json");
	assert_int_equal(native_import_parse(v, &im, why, sizeof(why)), 0);
	assert_int_equal(im.status, NATIVE_IN_PROGRESS);
	assert_int_equal(im.imported_items, -1);
	assert_int_equal(im.processed_items, 0);
	cJSON_Delete(v);
}

static void restore_requests_are_botocores(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct native_restore_spec s;
	char why[256], st[32];
	cJSON *v;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.source = "orders";
	s.target = "orders-restored";
	same_body(native_restore_request(&s, &eb), "restore_latest.request.json");
	s.target = "orders-restored-2";
	s.restore_time = T_EXPORT;
	s.billing_mode = "PAY_PER_REQUEST";
	same_body(native_restore_request(&s, &eb), "restore_at_time.request.json");
	memset(&s, 0, sizeof(s));
	s.source = TABLE_ARN;
	s.target = "orders-restored-3";
	same_body(native_restore_request(&s, &eb), "restore_by_arn.request.json");
	assert_false(eb.set);

	s.restore_time = 4102444800.0;
	assert_null(native_restore_request(&s, &eb));
	assert_non_null(strstr(eb.msg, "in the future"));

	v = vector("restore_at_time.response.json");
	assert_int_equal(native_restore_parse(v, "orders-restored-2", st, sizeof(st), why, sizeof(why)), 0);
	assert_string_equal(st, "ACTIVE");
	cJSON_Delete(v);
}

static void pitr_requests_and_answers(void **state)
{
	struct native_pitr p;
	char why[256];
	cJSON *v;

	(void)state;
	same_body(native_pitr_enable_request("orders", 0), "pitr_enable.request.json");
	same_body(native_pitr_enable_request("orders", 7), "pitr_enable_days.request.json");
	v = vector("pitr_describe_disabled.response.json");
	assert_int_equal(native_pitr_parse(v, &p, why, sizeof(why)), 0);
	assert_false(p.enabled);
	cJSON_Delete(v);
	v = vector("pitr_enable_days.response.json");
	assert_int_equal(native_pitr_parse(v, &p, why, sizeof(why)), 0);
	assert_true(p.enabled);
	assert_int_equal(p.recovery_days, 7);
	assert_true(p.latest > 0 && p.earliest > 0);
	cJSON_Delete(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(export_requests_are_botocores),
		cmocka_unit_test(a_missing_client_token_is_made_up_each_time),
		cmocka_unit_test(export_specs_the_api_refuses),
		cmocka_unit_test(export_answers_are_walked),
		cmocka_unit_test(malformed_answers_are_refused),
		cmocka_unit_test(import_request_from_a_described_table),
		cmocka_unit_test(import_specs_the_api_refuses),
		cmocka_unit_test(import_answers_are_walked),
		cmocka_unit_test(restore_requests_are_botocores),
		cmocka_unit_test(pitr_requests_and_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
