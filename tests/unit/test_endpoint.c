/*
 * Region and endpoint resolution (src/aws/endpoint.c), in the AWS CLI's
 * order: each source is checked to win over every one after it, one step at
 * a time, so a swapped pair fails by name.
 */
#include "unit.h"

#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"

static struct aws_config cfg;

static const char config_text[] =
	"[default]\n"
	"region = us-east-1\n"
	"\n"
	"[profile p]\n"
	"region = eu-west-1\n"
	"endpoint_url = http://profile-endpoint:1000\n"
	"services = p-svc\n"
	"\n"
	"[services p-svc]\n"
	"dynamodb =\n"
	"  endpoint_url = http://services-dynamodb:2000/prefix/\n"
	"sts =\n"
	"  endpoint_url = http://services-sts:3000\n"
	"\n"
	"[profile plain]\n"
	"region = cn-north-1\n"
	"\n"
	"[profile s]\n"
	"region = us-east-1\n"
	"endpoint_url = http://profile-endpoint:1000\n"
	"services = s-svc\n"
	"\n"
	"[services s-svc]\n"
	"dynamodb =\n"
	"  endpoint_url = http://local-ddb:8000\n"
	"dynamodb_streams =\n"
	"  endpoint_url = http://services-streams:2100\n"
	"\n"
	"[profile ignoring]\n"
	"region = us-west-2\n"
	"endpoint_url = http://ignored:1\n"
	"ignore_configured_endpoint_urls = true\n"
	"\n"
	"[profile noregion]\n"
	"output = json\n";

static const char *const env_vars[] = {
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_SSO", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", NULL
};

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

static const char *region(const char *profile, const char *override)
{
	struct errbuf eb = ERRBUF_INIT;
	const char *r = NULL;

	if (region_resolve(&cfg, profile, override, &r, &eb) < 0)
		fail_msg("region_resolve: %s", eb.msg);
	return r;
}

static void test_region_order(void **state)
{
	(void)state;
	assert_string_equal(region("p", NULL), "eu-west-1");
	setenv("AWS_DEFAULT_REGION", "ap-northeast-1", 1);
	assert_string_equal(region("p", NULL), "ap-northeast-1");
	setenv("AWS_REGION", "ap-southeast-2", 1);
	assert_string_equal(region("p", NULL), "ap-southeast-2");
	assert_string_equal(region("p", "ca-central-1"), "ca-central-1");
	/* Empty values count as unset. */
	setenv("AWS_REGION", "", 1);
	setenv("AWS_DEFAULT_REGION", "", 1);
	assert_string_equal(region("p", ""), "eu-west-1");
}

static void test_no_region_names_profile_and_file(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	const char *r = NULL;

	(void)state;
	assert_int_equal(region_resolve(&cfg, "noregion", NULL, &r, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "profile 'noregion'"));
	assert_non_null(strstr(eb.msg, "~/.aws/config"));
	assert_non_null(strstr(eb.msg, "--region"));
}

/*
 * AWS_PROFILE=typo: the profile does not exist, and that is what must be
 * said, not that it lacks a region.
 */
static void test_missing_profile_is_not_a_missing_region(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	const char *r = NULL;

	(void)state;
	assert_int_equal(region_resolve(&cfg, "prdo", NULL, &r, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "profile 'prdo' not found"));
	assert_non_null(strstr(eb.msg, "~/.aws/config"));
	assert_null(strstr(eb.msg, "region"));
	/* With a region from elsewhere, the chain reports the profile later. */
	errbuf_clear(&eb);
	assert_string_equal(region("prdo", "us-east-2"), "us-east-2");
}

/* A malformed region says where it came from, on one line. */
static void test_malformed_region_names_its_source(void **state)
{
	static const char text[] =
		"[profile commented]\n"
		"region = us-east-1 # home region\n"
		"[profile wrapped]\n"
		"region = us-east-1\n"
		"  eu-west-1\n";
	struct errbuf eb = ERRBUF_INIT;
	const char *r = NULL;

	(void)state;
	aws_config_release(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(ini_parse(&cfg.config, text, strlen(text), "~/.aws/config", &eb), 0);
	assert_int_equal(ini_parse(&cfg.credentials, "", 0, "~/.aws/credentials", &eb), 0);
	assert_int_equal(region_resolve(&cfg, "commented", NULL, &r, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "'us-east-1 # home region'"));
	assert_non_null(strstr(eb.msg, "profile 'commented'"));
	assert_non_null(strstr(eb.msg, "~/.aws/config"));
	errbuf_clear(&eb);
	assert_int_equal(region_resolve(&cfg, "wrapped", NULL, &r, &eb), -1);
	assert_null(strchr(eb.msg, '\n'));
	assert_non_null(strstr(eb.msg, "profile 'wrapped'"));
	assert_non_null(strstr(eb.msg, "~/.aws/config"));
	errbuf_clear(&eb);
	setenv("AWS_REGION", "US-EAST-1", 1);
	assert_int_equal(region_resolve(&cfg, "commented", NULL, &r, &eb), -1);
	assert_non_null(strstr(eb.msg, "from AWS_REGION"));
	errbuf_clear(&eb);
	assert_int_equal(region_resolve(&cfg, "commented", "us east", &r, &eb), -1);
	assert_non_null(strstr(eb.msg, "from --region"));
}

static void test_region_check(void **state)
{
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	assert_int_equal(region_check("eu-west-3", 0, &eb), 0);
	assert_int_equal(region_check("cn-northwest-1", 0, &eb), 0);
	assert_int_equal(region_check("us-east-7", 1, &eb), 0);
	assert_int_equal(region_check("local", 1, &eb), 0);
	assert_false(eb.set);
	assert_int_equal(region_check("us-esat-1", 0, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "'us-esat-1' is not a known AWS region"));
	errbuf_clear(&eb);
	assert_int_equal(region_check("US_EAST_1", 1, &eb), -1);
	assert_non_null(strstr(eb.msg, "not a valid region name"));
	errbuf_clear(&eb);
	assert_int_equal(region_check("eu-west-1\noutput = json", 1, &eb), -1);
	errbuf_clear(&eb);
	assert_int_equal(region_check("", 1, &eb), -1);
}

static void expect_endpoint(const char *profile, const char *service,
			    const char *rgn, const char *override,
			    const char *url, const char *path, int custom)
{
	struct errbuf eb = ERRBUF_INIT;
	struct endpoint ep;

	if (endpoint_resolve(&ep, &cfg, profile, service, rgn, override, &eb) < 0)
		fail_msg("endpoint_resolve(%s, %s): %s", profile, service, eb.msg);
	if (strcmp(ep.url, url) || strcmp(ep.path, path) || ep.custom != custom)
		fail_msg("%s/%s: got %s path '%s' custom %d, wanted %s path '%s' custom %d",
			 profile, service, ep.url, ep.path, ep.custom, url, path, custom);
	endpoint_release(&ep);
}

static void test_dynamodb_endpoint_order(void **state)
{
	(void)state;
	expect_endpoint("plain", "dynamodb", "us-east-1", NULL,
			"https://dynamodb.us-east-1.amazonaws.com", "", 0);
	expect_endpoint("p", "dynamodb", "eu-west-1", NULL,
			"http://services-dynamodb:2000", "/prefix", 1);
	setenv("AWS_ENDPOINT_URL", "http://global-env:4000", 1);
	expect_endpoint("p", "dynamodb", "eu-west-1", NULL, "http://global-env:4000", "", 1);
	setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb-env:5000", 1);
	expect_endpoint("p", "dynamodb", "eu-west-1", NULL, "http://dynamodb-env:5000", "", 1);
	expect_endpoint("p", "dynamodb", "eu-west-1", "https://override.example:6000",
			"https://override.example:6000", "", 1);
}

static void test_profile_endpoint_url_without_services(void **state)
{
	(void)state;
	/* sso has no entry in p's services block: the profile's endpoint_url applies. */
	expect_endpoint("p", "sso", "eu-west-1", NULL, "http://profile-endpoint:1000", "", 1);
	expect_endpoint("p", "sts", "eu-west-1", NULL, "http://services-sts:3000", "", 1);
}

static void test_service_env_only_for_its_service(void **state)
{
	(void)state;
	setenv("AWS_ENDPOINT_URL_STS", "http://sts-env:7000", 1);
	setenv("AWS_ENDPOINT_URL_SSO", "http://sso-env:7001", 1);
	expect_endpoint("plain", "sts", "us-east-1", NULL, "http://sts-env:7000", "", 1);
	expect_endpoint("plain", "sso", "us-east-1", NULL, "http://sso-env:7001", "", 1);
	expect_endpoint("plain", "dynamodb", "cn-north-1", NULL,
			"https://dynamodb.cn-north-1.amazonaws.com.cn", "", 0);
}

static void test_default_endpoints(void **state)
{
	(void)state;
	expect_endpoint("plain", "sts", "eu-central-1", NULL,
			"https://sts.eu-central-1.amazonaws.com", "", 0);
	expect_endpoint("plain", "sso", "us-east-2", NULL,
			"https://portal.sso.us-east-2.amazonaws.com", "", 0);
	expect_endpoint(NULL, "dynamodb", "us-west-2", NULL,
			"https://dynamodb.us-west-2.amazonaws.com", "", 0);
}

/* Each partition has its own DNS suffix (botocore's partitions.json). */
static void test_partition_suffixes(void **state)
{
	(void)state;
	expect_endpoint("plain", "dynamodb", "eusc-de-east-1", NULL,
			"https://dynamodb.eusc-de-east-1.amazonaws.eu", "", 0);
	expect_endpoint("plain", "dynamodb", "us-gov-west-1", NULL,
			"https://dynamodb.us-gov-west-1.amazonaws.com", "", 0);
	assert_string_equal(endpoint_dns_suffix("us-iso-east-1"), "c2s.ic.gov");
	assert_string_equal(endpoint_dns_suffix("us-isob-east-1"), "sc2s.sgov.gov");
	assert_string_equal(endpoint_dns_suffix("us-isof-south-1"), "csp.hci.ic.gov");
	assert_string_equal(endpoint_dns_suffix("eu-isoe-west-1"), "cloud.adc-e.uk");
	assert_string_equal(endpoint_dns_suffix("cn-northwest-1"), "amazonaws.com.cn");
	assert_string_equal(endpoint_dns_suffix("eu-west-1"), "amazonaws.com");
}

/* Resolves the streams endpoint of profile after its DynamoDB endpoint, as a side would. */
static void expect_streams(const char *profile, const char *rgn, const char *override,
			   const char *url, int custom)
{
	struct errbuf eb = ERRBUF_INIT;
	struct endpoint ddb, ep;

	if (endpoint_resolve(&ddb, &cfg, profile, "dynamodb", rgn, override, &eb) < 0 ||
	    endpoint_resolve_streams(&ep, &cfg, profile, rgn, override, &ddb, &eb) < 0)
		fail_msg("endpoint_resolve_streams(%s): %s", profile, eb.msg);
	if (strcmp(ep.url, url) || ep.custom != custom)
		fail_msg("streams of %s: got %s custom %d, wanted %s custom %d",
			 profile, ep.url, ep.custom, url, custom);
	endpoint_release(&ep);
	endpoint_release(&ddb);
}

static void test_streams_default_endpoints(void **state)
{
	(void)state;
	expect_streams("plain", "us-east-1", NULL,
		       "https://streams.dynamodb.us-east-1.amazonaws.com", 0);
	expect_streams("plain", "cn-north-1", NULL,
		       "https://streams.dynamodb.cn-north-1.amazonaws.com.cn", 0);
	expect_streams("plain", "eusc-de-east-1", NULL,
		       "https://streams.dynamodb.eusc-de-east-1.amazonaws.eu", 0);
	expect_streams(NULL, "us-gov-east-1", NULL,
		       "https://streams.dynamodb.us-gov-east-1.amazonaws.com", 0);
}

/* The SDK's order for service id "DynamoDB Streams", one source at a time. */
static void test_streams_endpoint_order(void **state)
{
	(void)state;
	/* The services block's dynamodb_streams wins over DynamoDB's own URL. */
	expect_streams("s", "us-east-1", NULL, "http://services-streams:2100", 1);
	setenv("AWS_ENDPOINT_URL", "http://global-env:4000", 1);
	expect_streams("s", "us-east-1", NULL, "http://global-env:4000", 1);
	setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams-env:5100", 1);
	expect_streams("s", "us-east-1", NULL, "http://streams-env:5100", 1);
	/* --endpoint-url names the server of both APIs. */
	expect_streams("s", "us-east-1", "http://flag:6000", "http://flag:6000", 1);
}

/* A local DynamoDB (moto, DynamoDB Local) serves streams on the same port. */
static void test_streams_follow_a_custom_dynamodb(void **state)
{
	(void)state;
	expect_streams("plain", "us-east-1", "http://localhost:8000",
		       "http://localhost:8000", 1);
	setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5000", 1);
	expect_streams("plain", "us-east-1", NULL, "http://127.0.0.1:5000", 1);
	/* DynamoDB's only in the services block: streams follow it. */
	unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
	expect_streams("s", "us-east-1", NULL, "http://services-streams:2100", 1);
	/* p's block has dynamodb only; the profile's endpoint_url comes first, as in the SDK. */
	expect_streams("p", "eu-west-1", NULL, "http://profile-endpoint:1000", 1);
	/* Only DYNAMODB_STREAMS moves streams: DynamoDB stays regional. */
	setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams-env:5100", 1);
	expect_endpoint("plain", "dynamodb", "us-east-1", NULL,
			"https://dynamodb.us-east-1.amazonaws.com", "", 0);
}

static void test_streams_ignore_configured(void **state)
{
	(void)state;
	setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams-env:5100", 1);
	setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5000", 1);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	expect_streams("s", "us-east-1", NULL,
		       "https://streams.dynamodb.us-east-1.amazonaws.com", 0);
	expect_streams("s", "us-east-1", "http://flag:1", "http://flag:1", 1);
}

static void test_ignore_configured_endpoints(void **state)
{
	(void)state;
	expect_endpoint("ignoring", "dynamodb", "us-west-2", NULL,
			"https://dynamodb.us-west-2.amazonaws.com", "", 0);
	setenv("AWS_ENDPOINT_URL", "http://global-env:4000", 1);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	expect_endpoint("p", "dynamodb", "eu-west-1", NULL,
			"https://dynamodb.eu-west-1.amazonaws.com", "", 0);
	/* --endpoint-url is not "configured": it still applies. */
	expect_endpoint("p", "dynamodb", "eu-west-1", "http://flag:1",
			"http://flag:1", "", 1);
}

static void test_bad_endpoint_is_an_error(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct endpoint ep;

	(void)state;
	setenv("AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000", 1);
	assert_int_equal(endpoint_resolve(&ep, &cfg, "p", "dynamodb", "eu-west-1", NULL, &eb), -1);
	assert_non_null(strstr(eb.msg, "localhost:8000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_region_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_region_names_profile_and_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_profile_is_not_a_missing_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_region_names_its_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dynamodb_endpoint_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_endpoint_url_without_services, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_env_only_for_its_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition_suffixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_default_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_endpoint_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_follow_a_custom_dynamodb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_ignore_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_configured_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_endpoint_is_an_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
