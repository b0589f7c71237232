/*
 * The S3 client's pure parts (src/aws/s3.c): s3:// URLs, where a request
 * goes (endpoint and addressing, in the AWS CLI's order of settings), the
 * ListObjectsV2 walker against moto's answers and the API reference's
 * shape (tests/vectors/native/s3_*.xml) and against answers that lie, the
 * region an error names, and S3's errors with their echoed secrets.
 */
#include "unit.h"

#include "dynamo/exitcode.h"
#include "dynamo/redact.h"
#include "dynamo/s3.h"

static const char config_text[] =
	"[default]\n"
	"region = us-east-1\n"
	"\n"
	"[profile svc]\n"
	"region = eu-west-1\n"
	"services = svc-block\n"
	"\n"
	"[services svc-block]\n"
	"s3 =\n"
	"  endpoint_url = http://minio.local:9000/store/\n"
	"dynamodb =\n"
	"  endpoint_url = http://ddb.local:8000\n"
	"\n"
	"[profile pathstyle]\n"
	"region = eu-west-1\n"
	"s3 =\n"
	"  addressing_style = path\n"
	"\n"
	"[profile virtual]\n"
	"region = eu-west-1\n"
	"endpoint_url = http://localhost:4566\n"
	"s3 =\n"
	"  addressing_style = virtual\n"
	"\n"
	"[profile bogus]\n"
	"region = eu-west-1\n"
	"s3 =\n"
	"  addressing_style = sideways\n";

static const char *const env_vars[] = {
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL
};

static struct aws_config cfg;

static int setup(void **state)
{
	(void)state;
	unit_aws_config(&cfg, config_text, env_vars);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_aws_config_release(&cfg, env_vars);
	return 0;
}

static void urls(void **state)
{
	static const struct {
		const char *url, *bucket, *key, *err;
	} cases[] = {
		{ "s3://bkt/prefix/AWSDynamoDB/01-a/", "bkt", "prefix/AWSDynamoDB/01-a/", NULL },
		{ "s3://bkt", "bkt", "", NULL },
		{ "s3://bkt/", "bkt", "", NULL },
		{ "s3://my.bucket-1/a b/c+d", "my.bucket-1", "a b/c+d", NULL },
		{ "s3://Legacy_Bucket/x", "Legacy_Bucket", "x", NULL },
		{ "https://bkt/x", NULL, NULL, "is not an S3 URL" },
		{ "s3:/bkt/x", NULL, NULL, "is not an S3 URL" },
		{ "s3:///x", NULL, NULL, "names no bucket" },
		{ "s3://ab/x", NULL, NULL, "not a valid S3 bucket name" },
		{ "s3://a..b/x", NULL, NULL, "not a valid S3 bucket name" },
		{ "s3://bk t/x", NULL, NULL, "not a valid S3 bucket name" },
		{ "s3://bkt?x=1/y", NULL, NULL, "not a valid S3 bucket name" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct s3_url u;
		int r = s3_url_parse(&u, cases[i].url, "--to", &eb);

		if (!cases[i].err) {
			if (r < 0)
				fail_msg("%s: %s", cases[i].url, eb.msg);
			assert_string_equal(u.bucket, cases[i].bucket);
			assert_string_equal(u.key, cases[i].key);
			s3_url_release(&u);
		} else {
			assert_int_equal(r, -1);
			assert_int_equal(eb.exit, EXIT_USAGE);
			if (!strstr(eb.msg, cases[i].err) || !strstr(eb.msg, "--to"))
				fail_msg("%s: wanted '%s' and the flag in: %s", cases[i].url, cases[i].err, eb.msg);
		}
	}
}

/* Where GetObject of bucket/key goes for profile: "URL PATH" (ep->url, ep->path + path). */
static char *target(const char *profile, const char *region, const char *bucket, const char *key)
{
	struct errbuf eb = ERRBUF_INIT;
	struct s3_settings st = { &cfg, profile, region, NULL };
	struct buf path = BUF_INIT, out = BUF_INIT;
	struct endpoint ep;
	struct s3 s;

	if (s3_open(&s, &st, &eb) < 0)
		fail_msg("s3_open(%s): %s", profile, eb.msg);
	if (s3_target(&s, bucket, key, &ep, &path, &eb) < 0) {
		buf_printf(&out, "ERROR: %s", eb.msg);
	} else {
		buf_printf(&out, "%s %s%s", ep.url, ep.path, path.data);
		endpoint_release(&ep);
	}
	s3_close(&s);
	buf_release(&path);
	return buf_detach(&out);
}

static void expect_target(const char *profile, const char *region, const char *bucket,
			  const char *key, const char *want)
{
	char *got = target(profile, region, bucket, key);

	if (strcmp(got, want))
		fail_msg("%s %s/%s: wanted '%s', got '%s'", profile, bucket, key, want, got);
	free(got);
}

static void addressing(void **state)
{
	(void)state;
	/* AWS: virtual-hosted for a DNS-label bucket; keys encoded once, '/' kept. */
	expect_target("default", "eu-west-1", "my-bucket", "exp/a b+c/\xc3\xa9.json.gz",
		      "https://my-bucket.s3.eu-west-1.amazonaws.com /exp/a%20b%2Bc/%C3%A9.json.gz");
	/* A dot breaks the TLS wildcard; upper case is no DNS label: path-style. */
	expect_target("default", "eu-west-1", "my.bucket", "k",
		      "https://s3.eu-west-1.amazonaws.com /my.bucket/k");
	expect_target("default", "us-east-1", "Legacy_Bucket", "k",
		      "https://s3.us-east-1.amazonaws.com /Legacy_Bucket/k");
	expect_target("default", "cn-north-1", "bkt", "k",
		      "https://bkt.s3.cn-north-1.amazonaws.com.cn /k");
	/* The profile asks for path-style. */
	expect_target("pathstyle", "eu-west-1", "my-bucket", "k",
		      "https://s3.eu-west-1.amazonaws.com /my-bucket/k");
	/* A custom endpoint (services block, with a path): path-style. */
	expect_target("svc", "eu-west-1", "my-bucket", "k",
		      "http://minio.local:9000 /store/my-bucket/k");
	/* ... unless the profile asks for virtual-hosted. */
	expect_target("virtual", "eu-west-1", "my-bucket", "k",
		      "http://my-bucket.localhost:4566 /k");
	/* Dots and '..' in a key are sent (and signed) as they are. */
	expect_target("pathstyle", "eu-west-1", "b-1", "a/../b/./c//d",
		      "https://s3.eu-west-1.amazonaws.com /b-1/a/../b/./c//d");
}

static void endpoint_settings_in_order(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct s3_settings st = { &cfg, "bogus", "eu-west-1", NULL };
	struct s3 s;

	(void)state;
	/* AWS_ENDPOINT_URL for every service, AWS_ENDPOINT_URL_S3 over it, both over the profile's. */
	setenv("AWS_ENDPOINT_URL", "http://all.local:1", 1);
	expect_target("svc", "eu-west-1", "bkt", "k", "http://all.local:1 /bkt/k");
	setenv("AWS_ENDPOINT_URL_S3", "http://s3only.local:2", 1);
	expect_target("svc", "eu-west-1", "bkt", "k", "http://s3only.local:2 /bkt/k");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	expect_target("svc", "eu-west-1", "bkt", "k", "https://bkt.s3.eu-west-1.amazonaws.com /k");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_ENDPOINT_URL");
	/* A setting that is not a style names itself and its file. */
	assert_int_equal(s3_open(&s, &st, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "addressing_style 'sideways'"));
	assert_non_null(strstr(eb.msg, "~/.aws/config"));
}

static char *list_vector(const char *name, size_t *len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "native/%s", name);
	return unit_read_vector(rel, len);
}

static void listing_pages_from_moto(void **state)
{
	struct s3_lister l;
	char why[512];
	size_t len;
	char *body;

	(void)state;
	s3_lister_init(&l, NULL, "listing", "exp/");
	body = list_vector("s3_list_page1.xml", &len);
	if (s3_list_parse(&l, body, len, why, sizeof(why)) < 0)
		fail_msg("page 1: %s", why);
	free(body);
	assert_int_equal(l.nobjs, 2);
	/* encoding-type=url keys are decoded ('+' was %2B, the space %20). */
	assert_string_equal(l.objs[0].key, "exp/a b+c.json.gz");
	assert_string_equal(l.objs[1].key, "exp/caf\xc3\xa9/1");
	assert_int_equal(l.objs[0].size, 17);
	assert_string_equal(l.objs[0].etag, "\"b91c8265b3eee13ec8d17b4d3c61e6a3\"");
	assert_non_null(l.token);
	assert_false(l.done);
	body = list_vector("s3_list_page2.xml", &len);
	if (s3_list_parse(&l, body, len, why, sizeof(why)) < 0)
		fail_msg("page 2: %s", why);
	free(body);
	assert_int_equal(l.nobjs, 1);
	assert_string_equal(l.objs[0].key, "exp/data/2.json.gz");
	assert_true(l.done);
	assert_null(l.token);
	assert_int_equal(l.keys, 3);
	assert_int_equal(l.pages, 2);
	s3_lister_release(&l);

	s3_lister_init(&l, NULL, "listing", "none/");
	body = list_vector("s3_list_empty.xml", &len);
	assert_int_equal(s3_list_parse(&l, body, len, why, sizeof(why)), 0);
	assert_int_equal(l.nobjs, 0);
	assert_true(l.done);
	free(body);
	s3_lister_release(&l);
}

static void listing_in_the_api_references_shape(void **state)
{
	struct s3_lister l;
	char why[512];
	size_t len;
	char *body = list_vector("s3_aws_list.xml", &len);

	(void)state;
	s3_lister_init(&l, NULL, "ddb-productcatalog-export",
		       "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/");
	if (s3_list_parse(&l, body, len, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_int_equal(l.nobjs, 2);
	assert_string_equal(l.objs[0].etag, "\"af83d6f217c19b8b0fff8023d8ca4716-1\"");
	assert_int_equal(l.objs[1].size, 0);
	assert_string_equal(l.token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	free(body);
	s3_lister_release(&l);
}

/* An answer that lies about itself is refused, and the lister keeps its state. */
static void listings_that_lie_are_refused(void **state)
{
	static const char head[] = "<?xml version=\"1.0\"?><ListBucketResult><EncodingType>url</EncodingType>";
	static const struct {
		const char *body, *why;
	} cases[] = {
		{ "<Error><Code>x</Code></Error>", "not a ListBucketResult" },
		{ "<KeyCount>0</KeyCount></ListBucketResult>", "no <IsTruncated>" },
		{ "<IsTruncated>false</IsTruncated></ListBucketResult>", "no <KeyCount>" },
		{ "<IsTruncated>false</IsTruncated><KeyCount>2</KeyCount><Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>",
		  "says <KeyCount>2</KeyCount> but holds 1" },
		{ "<IsTruncated>false</IsTruncated><KeyCount>1</KeyCount><Contents><Key>q/a</Key><Size>1</Size></Contents></ListBucketResult>",
		  "outside it" },
		{ "<IsTruncated>false</IsTruncated><KeyCount>2</KeyCount><Contents><Key>p/b</Key><Size>1</Size></Contents><Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>",
		  "goes back" },
		{ "<IsTruncated>false</IsTruncated><KeyCount>1</KeyCount><Contents><Key>p/a</Key></Contents></ListBucketResult>",
		  "no valid <Size>" },
		{ "<IsTruncated>false</IsTruncated><KeyCount>1</KeyCount><Contents><Key>p/a%00b</Key><Size>1</Size></Contents></ListBucketResult>",
		  "no valid <Key>" },
		{ "<IsTruncated>true</IsTruncated><KeyCount>1</KeyCount><Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>",
		  "no <NextContinuationToken>" },
		{ "<IsTruncated>true</IsTruncated><KeyCount>1</KeyCount><Contents><Key>p/a</Key><Size>1</Size></Contents><NextContinuationToken>T1</NextContinuationToken></ListBucketResult>",
		  "does not advance" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct s3_lister l;
		struct buf b = BUF_INIT;
		char why[512] = "";

		s3_lister_init(&l, NULL, "bkt", "p/");
		l.token = xstrdup("T1");	/* the token the page was asked with */
		if (i)
			buf_puts(&b, head);
		buf_puts(&b, cases[i].body);
		assert_int_equal(s3_list_parse(&l, b.data, b.len, why, sizeof(why)), -1);
		if (!strstr(why, cases[i].why))
			fail_msg("case %zu: wanted '%s' in '%s'", i, cases[i].why, why);
		assert_string_equal(l.token, "T1");
		assert_int_equal(l.nobjs, 0);
		assert_false(l.done);
		buf_release(&b);
		s3_lister_release(&l);
	}
}

/* A page whose first key is not after the last page's last one: the listing went back. */
static void a_page_that_starts_over_is_refused(void **state)
{
	struct s3_lister l;
	char why[512];
	size_t len;
	char *body = list_vector("s3_list_page1.xml", &len);

	(void)state;
	s3_lister_init(&l, NULL, "listing", "exp/");
	assert_int_equal(s3_list_parse(&l, body, len, why, sizeof(why)), 0);
	free(l.token);
	l.token = xstrdup("another");
	assert_int_equal(s3_list_parse(&l, body, len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "goes back"));
	free(body);
	s3_lister_release(&l);
}

static void regions_named_by_errors(void **state)
{
	char region[64];
	size_t len;
	char *body;

	(void)state;
	body = list_vector("s3_aws_region_error.xml", &len);
	assert_int_equal(s3_error_region(body, len, region, sizeof(region)), 0);
	assert_string_equal(region, "eu-west-1");
	free(body);
	body = list_vector("s3_aws_redirect.xml", &len);
	assert_int_equal(s3_error_region(body, len, region, sizeof(region)), 0);
	assert_string_equal(region, "ap-southeast-2");
	free(body);
	body = list_vector("s3_aws_signature_error.xml", &len);
	assert_int_equal(s3_error_region(body, len, region, sizeof(region)), -1);
	free(body);
	assert_int_equal(s3_error_region("<Region>not a region!</Region>", 29, region, sizeof(region)), -1);
}

/*
 * S3's SignatureDoesNotMatch quotes the canonical request, session token
 * included; a hostile or broken server may put it in the message too.
 */
static void echoed_secrets_never_reach_the_message(void **state)
{
	static const char token[] = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENVALUE//////////wEaCXVzLWVhc3QtMSJH";
	struct http_error err;
	struct buf hostile = BUF_INIT;
	size_t len;
	char *body = list_vector("s3_aws_signature_error.xml", &len);

	(void)state;
	redact_add(token);
	aws_error_parse(&err, PROTO_AWS_QUERY, 403, body, len);
	assert_string_equal(err.type, "SignatureDoesNotMatch");
	assert_null(strstr(err.message, token));
	assert_int_equal(aws_error_exit_code(err.type), EXIT_CONFIG);
	buf_printf(&hostile, "<Error><Code>SignatureDoesNotMatch</Code><Message>canonical request: "
		   "x-amz-security-token:%s and Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, "
		   "Signature=0123456789abcdef0123456789abcdef</Message></Error>", token);
	aws_error_parse(&err, PROTO_AWS_QUERY, 403, hostile.data, hostile.len);
	assert_null(strstr(err.message, token));
	assert_null(strstr(err.message, "IQoJb3JpZ2lu"));
	assert_null(strstr(err.message, "0123456789abcdef"));
	assert_non_null(strstr(err.message, "[REDACTED]"));
	redact_remove(token);
	buf_release(&hostile);
	free(body);
	/* S3's not-found codes are dynamo's not-found exit. */
	assert_int_equal(aws_error_exit_code("NoSuchKey"), EXIT_NOT_FOUND);
	assert_int_equal(aws_error_exit_code("NoSuchBucket"), EXIT_NOT_FOUND);
	assert_int_equal(aws_error_exit_code("InvalidAccessKeyId"), EXIT_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urls),
		cmocka_unit_test(addressing),
		cmocka_unit_test(endpoint_settings_in_order),
		cmocka_unit_test(listing_pages_from_moto),
		cmocka_unit_test(listing_in_the_api_references_shape),
		cmocka_unit_test(listings_that_lie_are_refused),
		cmocka_unit_test(a_page_that_starts_over_is_refused),
		cmocka_unit_test(regions_named_by_errors),
		cmocka_unit_test(echoed_secrets_never_reach_the_message),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
