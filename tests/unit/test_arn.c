/* Table ARNs for -t (src/ddb/arn.c): name, region and account, or one clear error. */
#include "unit.h"

#include "dynamo/arn.h"
#include "dynamo/exitcode.h"

static void test_valid_arns(void **state)
{
	static const struct {
		const char *arn, *partition, *region, *account, *name;
	} cases[] = {
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/orders", "aws", "us-east-1",
		  "111111111111", "orders" },
		{ "arn:aws-cn:dynamodb:cn-north-1:222222222222:table/my.table_1-x", "aws-cn",
		  "cn-north-1", "222222222222", "my.table_1-x" },
		{ "arn:aws-us-gov:dynamodb:us-gov-west-1:012345678901:table/abc", "aws-us-gov",
		  "us-gov-west-1", "012345678901", "abc" },
		{ "arn:aws-iso-b:dynamodb:us-isob-east-1:333333333333:table/T01", "aws-iso-b",
		  "us-isob-east-1", "333333333333", "T01" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct table_arn a;
		struct errbuf eb = ERRBUF_INIT;

		assert_true(table_arn_like(cases[i].arn));
		if (table_arn_parse("-t", cases[i].arn, &a, &eb) < 0)
			fail_msg("%s: %s", cases[i].arn, eb.msg);
		assert_string_equal(a.partition, cases[i].partition);
		assert_string_equal(a.region, cases[i].region);
		assert_string_equal(a.account, cases[i].account);
		assert_string_equal(a.name, cases[i].name);
	}
	assert_false(table_arn_like("orders"));
	assert_false(table_arn_like("arn"));
}

static void test_invalid_arns(void **state)
{
	static const struct {
		const char *arn, *want;
	} cases[] = {
		{ "orders", "does not start with 'arn:'" },
		{ "arn:aws:dynamodb:us-east-1:111111111111", "fewer than six ':'-separated fields" },
		{ "arn:aws:s3:::bucket/key", "it is not a DynamoDB ARN" },
		{ "arn:aws:dynamodb::111111111111:table/orders", "the region is empty" },
		{ "arn:aws:dynamodb:US-EAST-1:111111111111:table/orders", "the region is not like us-east-1" },
		{ "arn:aws:dynamodb:us-east-1:11111111111:table/orders", "the account is not twelve digits" },
		{ "arn:aws:dynamodb:us-east-1:11111111111x:table/orders", "the account is not twelve digits" },
		{ "arn:gcp:dynamodb:us-east-1:111111111111:table/orders", "the partition is not aws" },
		{ "arn:aws-:dynamodb:us-east-1:111111111111:table/orders", "the partition is not aws" },
		{ "arn:aws:dynamodb:cn-north-1:111111111111:table/orders",
		  "region 'cn-north-1' is not in partition 'aws'" },
		{ "arn:aws-cn:dynamodb:us-gov-west-1:111111111111:table/orders",
		  "region 'us-gov-west-1' is not in partition 'aws-cn'" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:tables/orders", "the resource is not table/NAME" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/", "is not a valid table name" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/a:b", "is not a valid table name" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/o r", "is not a valid table name" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/orders/index/byStatus",
		  "is the ARN of index 'byStatus', not of a table: give the table's ARN (up to table/orders) and --index byStatus" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000",
		  "it is a stream's" },
		{ "arn:aws:dynamodb:us-east-1:111111111111:table/orders/backup/01234", "it is a backup's" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct table_arn a;
		struct errbuf eb = ERRBUF_INIT;

		assert_int_equal(table_arn_parse("-t", cases[i].arn, &a, &eb), -1);
		assert_int_equal(eb.exit, EXIT_USAGE);
		if (!strstr(eb.msg, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].arn, eb.msg, cases[i].want);
		assert_null(strchr(eb.msg, '\n'));
		/* Nothing half-filled on failure. */
		assert_string_equal(a.name, "");
		assert_string_equal(a.region, "");
	}
}

static void test_message_shape(void **state)
{
	struct table_arn a;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	assert_int_equal(table_arn_parse("-t", "arn:aws:dynamodb:us-east-1:1:table/x1y", &a, &eb), -1);
	assert_string_equal(eb.msg,
		"-t 'arn:aws:dynamodb:us-east-1:1:table/x1y' is not a table ARN: the account is not "
		"twelve digits (expected arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_arns),
		cmocka_unit_test(test_invalid_arns),
		cmocka_unit_test(test_message_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
