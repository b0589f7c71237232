/*
 * Redaction (src/util/redact.c): what a server echoes back, secrets
 * included, is scrubbed before it is printed: registered values wherever
 * they are, and whatever follows Signature= or x-amz-security-token.
 */
#include "unit.h"

#include "dynamo/redact.h"

static const char *scrub(const char *in)
{
	static char out[1024];

	snprintf(out, sizeof(out), "%s", in);
	redact_str(out, sizeof(out));
	return out;
}

static void test_registered_values_are_replaced(void **state)
{
	(void)state;
	redact_add("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	redact_add("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	assert_string_equal(scrub("key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, twice: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY."),
			    "key [REDACTED], twice: [REDACTED].");
	/* Counted: one removal of two registrations keeps it. */
	redact_remove("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	assert_string_equal(scrub("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "[REDACTED]");
	redact_remove("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	assert_string_equal(scrub("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
			    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	/* Too short to be an AWS secret: registering "token" would blank every "token". */
	redact_add("token");
	assert_string_equal(scrub("check the session token"), "check the session token");
	redact_remove("token");
}

static void test_signatures_and_tokens_are_replaced_unregistered(void **state)
{
	(void)state;
	assert_string_equal(scrub("Authorization: AWS4-HMAC-SHA256 Credential=X/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123"),
			    "Authorization: AWS4-HMAC-SHA256 Credential=X/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=[REDACTED]");
	assert_string_equal(scrub("content-type:x\nx-amz-security-token:FwoGZXIvYXdzEBYa+/abc==\nx-amz-target:y"),
			    "content-type:x\nx-amz-security-token:[REDACTED]\nx-amz-target:y");
	assert_string_equal(scrub("?X-Amz-Security-Token=Fwo%2BGZX&X-Amz-Signature=deadbeef"),
			    "?X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]");
	assert_string_equal(scrub("{\"X-Amz-Security-Token\": \"FwoGZXIvYXdz\"}"),
			    "{\"X-Amz-Security-Token\": \"[REDACTED]\"}");
	/* The words alone are not secrets. */
	assert_string_equal(scrub("The request signature we calculated does not match the signature you provided"),
			    "The request signature we calculated does not match the signature you provided");
}

static void test_the_result_fits_its_buffer(void **state)
{
	char small[16];

	(void)state;
	snprintf(small, sizeof(small), "Signature=abcd");
	redact_str(small, sizeof(small));
	assert_string_equal(small, "Signature=[REDA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_values_are_replaced),
		cmocka_unit_test(test_signatures_and_tokens_are_replaced_unregistered),
		cmocka_unit_test(test_the_result_fits_its_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
