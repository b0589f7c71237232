#ifndef DYNAMO_AWS_CALL_H
#define DYNAMO_AWS_CALL_H

#include "dynamo/http.h"

/*
 * What makes an HTTP call (http.h) an AWS call: the hooks that add the AWS
 * headers and sign it with SigV4 before each attempt (aws/call_sign.c,
 * aws/call_headers.c), check the answer's checksum and read AWS's error
 * answers (aws/errors.c). A call sets c->hooks to the table of its
 * service's protocol and c->sign to its signer (NULL: sent unsigned).
 */

struct creds_provider;

/* What signs a call: credentials, region and service name. */
struct signer {
	struct creds_provider *creds;	/* borrowed, shared between threads */
	const char *region;		/* borrowed */
	const char *service;		/* "dynamodb", "sts" */
};

enum aws_proto {
	PROTO_AWS_JSON = 0,	/* DynamoDB: {"__type":"...#Name","message":"..."} */
	PROTO_AWS_QUERY,	/* STS, S3: <Error><Code>..</Code><Message>..</Message> */
	PROTO_REST_JSON,	/* SSO portal, container credentials, IMDS */
};

/* The hooks of each protocol: sign when c->sign is set, parse its errors. */
extern const struct http_hooks aws_json_hooks;
extern const struct http_hooks aws_query_hooks;
extern const struct http_hooks aws_rest_json_hooks;

/* What a call without a content type is sent as (DynamoDB's JSON protocol). */
#define AWS_JSON_CONTENT_TYPE "application/x-amz-json-1.0"

/*
 * The AWS headers (aws/call_headers.c): the content type a call is sent
 * and signed with, and the request's own headers (Content-Type when the
 * call sets none, X-Amz-Target: its target), added by the prepare hook.
 */
const char *aws_content_type(const struct http_call *c);
void aws_request_headers(struct http_call *c);
/* The header hook: keeps x-amz-crc32 (in hook_note) and the request id. */
void aws_answer_header(struct http_call *c, const char *line, size_t n);
/* The verify hook: a 2xx body that does not match its x-amz-crc32 is CRC32CheckFailed, retried. */
int aws_answer_verify(struct http_call *c);

/* The prepare hook: adds the AWS headers and signs the attempt (SigV4), or fails it with CredentialsError. */
int aws_sign_prepare(struct http_call *c, void **state);
void aws_sign_state_free(void *state);

/*
 * Turns a rejected call into one error line with the right exit code: AWS's
 * own error type and message, plus what to check (the profile's secret for a
 * bad signature, aws sso login for an expired token, ...).
 */
int aws_error_report(const struct http_call *c, struct errbuf *eb);
/* The exit code for an AWS error type (see exitcode.h). */
int aws_error_exit_code(const char *type);

/* Parses an AWS error body into err (the classify hooks; exposed for tests). */
void aws_error_parse(struct http_error *err, enum aws_proto proto, long status,
		     const char *body, size_t len);
/* True for the error types DynamoDB and STS use for throttling. */
int aws_error_is_throttle(const char *type);

#endif
