#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/aws_call.h"
#include "dynamo/json_scan.h"
#include "dynamo/redact.h"
#include "dynamo/xml.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_one_of(const char *type, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(type, *names))
			return 1;
	return 0;
}

static const char *const signature_errors[] = {
	"InvalidSignatureException", "SignatureDoesNotMatch",
	"IncompleteSignatureException", "IncompleteSignature", NULL
};
static const char *const unknown_key_errors[] = {
	"UnrecognizedClientException", "InvalidClientTokenId",
	"MissingAuthenticationTokenException", "MissingAuthenticationToken",
	"InvalidAccessKeyId", NULL
};
static const char *const expired_errors[] = {
	"ExpiredTokenException", "ExpiredToken", "RequestExpired",
	"UnauthorizedException", NULL
};
static const char *const denied_errors[] = {
	"AccessDeniedException", "AccessDenied", "NotAuthorized",
	"AuthorizationError", NULL
};
static const char *const not_found_errors[] = {
	"ResourceNotFoundException", "TableNotFoundException",
	"BackupNotFoundException", "IndexNotFoundException",
	"ExportNotFoundException", "ImportNotFoundException",
	"NoSuchBucket", "NoSuchKey", NULL
};

int aws_error_exit_code(const char *type)
{
	if (is_one_of(type, not_found_errors))
		return EXIT_NOT_FOUND;
	if (is_one_of(type, signature_errors) ||
	    is_one_of(type, unknown_key_errors) ||
	    is_one_of(type, expired_errors) || is_one_of(type, denied_errors) ||
	    !strcmp(type, "CredentialsError"))
		return EXIT_CONFIG;
	return EXIT_FAILURE_RUNTIME;
}

int aws_error_report(const struct http_call *c, struct errbuf *eb)
{
	const char *who = c->sign && c->sign->creds ? c->sign->creds->what :
			  "the credentials";
	const struct http_error *err = &c->err;
	const char *op = http_call_name(c), *type = err->type;
	const char *sep = err->message[0] ? ": " : "";
	int code = aws_error_exit_code(type);

	if (!strcmp(type, "CredentialsError"))
		return errf(eb, err->exit ? err->exit : EXIT_CONFIG, "%s", err->message);
	if (is_one_of(type, signature_errors))
		return errf(eb, code,
			    "%s was refused because the request signature does not match (%s%s%s): check the secret access key of %s and that this machine's clock is right",
			    op, type, sep, err->message, who);
	if (is_one_of(type, unknown_key_errors))
		return errf(eb, code,
			    "%s was refused because %s is not known to %s (%s%s%s): check the access key id, or the endpoint",
			    op, who, c->ep->host, type, sep, err->message);
	if (is_one_of(type, expired_errors))
		return errf(eb, code,
			    "%s was refused because the credentials of %s have expired (%s%s%s): refresh them (for SSO: aws sso login)",
			    op, who, type, sep, err->message);
	if (is_one_of(type, denied_errors))
		return errf(eb, code, "%s is not allowed for %s (%s%s%s)", op,
			    who, type, sep, err->message);
	return errf(eb, code, "%s failed: %s%s%s", op, type, sep,
		    err->message);
}

/* ---- parsing error answers: the classify hooks ---- */

int aws_error_is_throttle(const char *type)
{
	static const char *const names[] = {
		"ProvisionedThroughputExceededException", "ThrottlingException",
		"Throttling", "RequestLimitExceeded", "TooManyRequestsException",
		"ThrottledException", "RequestThrottledException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"TransactionInProgressException", NULL
	};
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(type, names[i]))
			return 1;
	return 0;
}

/*
 * A server's words for a message: JSON escapes decoded (a token written
 * with \/ is still the token), every secret it echoes removed (AWS quotes
 * the canonical request, session token included, in signature errors),
 * then cut to one bounded line. Redacting before cutting: a token cut in
 * half would no longer be recognised.
 */
static void server_text(char *dst, size_t cap, const char *v, size_t n,
			const char *body, size_t len, int json)
{
	struct buf dec = BUF_INIT, clean = BUF_INIT;

	if (!json || v <= body || v + n >= body + len || v[n] != '"' ||
	    js_unescape((struct slice){ v - 1, n + 2 }, &dec) < 0) {
		buf_reset(&dec);
		buf_append(&dec, v, n);
	}
	redact_into(dec.data ? dec.data : "", dec.len, &clean);
	http_text_line(dst, cap, clean.data ? clean.data : "", clean.len);
	buf_release(&dec);
	buf_wipe_release(&clean);
}

/* Finds "key":"value" in a small JSON error body without a full parse. */
static int json_string_field(const char *body, size_t len, const char *key,
			     const char **val, size_t *vlen)
{
	size_t klen = strlen(key), i;

	for (i = 0; i + klen + 2 < len; i++) {
		const char *p;
		size_t j;

		if (body[i] != '"' || strncasecmp(body + i + 1, key, klen) ||
		    body[i + 1 + klen] != '"')
			continue;
		p = body + i + klen + 2;
		while (p < body + len && (*p == ' ' || *p == ':' || *p == '\t'))
			p++;
		if (p >= body + len || *p != '"')
			continue;
		p++;
		for (j = 0; p + j < body + len && p[j] != '"'; j++)
			if (p[j] == '\\')
				j++;
		if (p + j > body + len)
			return -1;
		*val = p;
		*vlen = j;
		return 0;
	}
	return -1;
}

void aws_error_parse(struct http_error *err, enum aws_proto proto, long status,
		     const char *body, size_t len)
{
	const char *v;
	size_t n;

	size_t i = 0;

	memset(err, 0, sizeof(*err));
	err->status = status;
	/* Some servers and proxies answer JSON calls with XML errors (moto with IAM auth). */
	while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
		i++;
	if (i < len && body[i] == '<')
		proto = PROTO_AWS_QUERY;
	if (proto == PROTO_AWS_QUERY) {
		if (xml_find(body, len, "Code", &v, &n) == 0)
			server_text(err->type, sizeof(err->type), v, n, body, len, 0);
		if (xml_find(body, len, "Message", &v, &n) == 0)
			server_text(err->message, sizeof(err->message), v, n, body, len, 0);
	} else {
		if (json_string_field(body, len, "__type", &v, &n) == 0 ||
		    json_string_field(body, len, "code", &v, &n) == 0 ||
		    json_string_field(body, len, "Code", &v, &n) == 0) {
			const char *hash = memchr(v, '#', n);

			if (hash) {
				n -= (size_t)(hash + 1 - v);
				v = hash + 1;
			}
			server_text(err->type, sizeof(err->type), v, n, body, len, 0);
		}
		if (json_string_field(body, len, "message", &v, &n) == 0 ||
		    json_string_field(body, len, "Message", &v, &n) == 0)
			server_text(err->message, sizeof(err->message), v, n, body, len, 1);
	}
	if (!err->type[0])
		snprintf(err->type, sizeof(err->type), "HTTP%ld", status);
	if (!err->message[0] && len && status >= 500)
		snprintf(err->message, sizeof(err->message), "server error %ld",
			 status);
	err->throttle = aws_error_is_throttle(err->type) || status == 429;
	err->retryable = err->throttle || status >= 500 ||
			 !strcmp(err->type, "RequestTimeout") ||
			 !strcmp(err->type, "RequestTimeoutException") ||
			 !strcmp(err->type, "IDPCommunicationError");
}

static void classify_json(struct http_call *c)
{
	aws_error_parse(&c->err, PROTO_AWS_JSON, c->status,
			c->resp.data ? c->resp.data : "", c->resp.len);
}

static void classify_query(struct http_call *c)
{
	aws_error_parse(&c->err, PROTO_AWS_QUERY, c->status,
			c->resp.data ? c->resp.data : "", c->resp.len);
}

static void classify_rest_json(struct http_call *c)
{
	aws_error_parse(&c->err, PROTO_REST_JSON, c->status,
			c->resp.data ? c->resp.data : "", c->resp.len);
}

const struct http_hooks aws_json_hooks = {
	aws_sign_prepare, aws_sign_state_free, classify_json, aws_error_report,
	aws_answer_header, aws_answer_verify
};
const struct http_hooks aws_query_hooks = {
	aws_sign_prepare, aws_sign_state_free, classify_query, aws_error_report,
	aws_answer_header, aws_answer_verify
};
const struct http_hooks aws_rest_json_hooks = {
	aws_sign_prepare, aws_sign_state_free, classify_rest_json, aws_error_report,
	aws_answer_header, aws_answer_verify
};
