/*
 * STS responses (src/aws/sts.c, src/util/xml.c): what the fuzzer
 * (tests/fuzz/fuzz_response.c) found wrong in reading them.
 */
#include "unit.h"

#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/sts.h"
#include "dynamo/xml.h"

#define CREDS(exp) \
	"<AssumeRoleResponse><AssumeRoleResult><Credentials>" \
	"<AccessKeyId>ASIAEXAMPLE</AccessKeyId>" \
	"<SecretAccessKey>secret</SecretAccessKey>" \
	"<SessionToken>token</SessionToken>" exp \
	"</Credentials></AssumeRoleResult></AssumeRoleResponse>"

static int parse(const char *xml, struct credentials **c, struct errbuf *eb)
{
	return sts_parse_credentials(xml, strlen(xml), "profile 'dr'", c, eb);
}

static void test_expiration(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = NULL;

	(void)state;
	assert_int_equal(parse(CREDS("<Expiration>2019-11-09T13:34:41Z</Expiration>"),
			       &c, &eb), 0);
	assert_int_equal(c->expiration, 1573306481);
	creds_put(c);
	c = NULL;
	assert_int_equal(parse(CREDS(""), &c, &eb), 0);
	assert_int_equal(c->expiration, 0);
	creds_put(c);
	c = NULL;
	/* An empty element is an unreadable time, not a crash. */
	assert_int_equal(parse(CREDS("<Expiration></Expiration>"), &c, &eb), -1);
	assert_null(c);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "unreadable expiration time for profile 'dr'"));
}

/* A NUL inside a credential would cut it short: STS answered without one. */
static void test_nul_in_credentials(void **state)
{
	static const char *const tags[] = {
		"AccessKeyId", "SecretAccessKey", "SessionToken"
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct credentials *c = NULL;
		char xml[512];
		int n = snprintf(xml, sizeof(xml), CREDS(""));
		char *v = strstr(xml, tags[i]) + strlen(tags[i]) + 1;

		*v = '\0';	/* the first byte of the value */
		assert_int_equal(sts_parse_credentials(xml, (size_t)n, "profile 'dr'",
						       &c, &eb), -1);
		assert_null(c);
		assert_non_null(strstr(eb.msg, "STS answered without credentials"));
	}
}

static const char *text(const char *xml, struct buf *out)
{
	buf_release(out);
	if (xml_text(xml, strlen(xml), "M", out) < 0)
		return NULL;
	return out->data ? out->data : "";
}

/* Character references name XML characters: never NUL, a surrogate or junk. */
static void test_character_references(void **state)
{
	static const char *const bad[] = {
		"<M>&#;</M>", "<M>&#x;</M>", "<M>&#0;</M>", "<M>&#x0;</M>",
		"<M>&# 65;</M>", "<M>&#+65;</M>", "<M>&#-1;</M>", "<M>&#xd800;</M>",
		"<M>&#xDFFF;</M>", "<M>&#x110000;</M>", "<M>&#99999999999999999999;</M>",
		"<M>&#X41;</M>", "<M>&#6a;</M>", "<M>&nbsp;</M>", "<M>&amp</M>",
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	assert_string_equal(text("<M>a &amp; b &lt;&gt;&quot;&apos;</M>", &out),
			    "a & b <>\"'");
	assert_string_equal(text("<M>&#65;&#x42;&#x00043;&#xe9;&#x1F600;</M>", &out),
			    "ABC\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(text("<M></M>", &out), "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (text(bad[i], &out))
			fail_msg("%s should be refused", bad[i]);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiration),
		cmocka_unit_test(test_nul_in_credentials),
		cmocka_unit_test(test_character_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
