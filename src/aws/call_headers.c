#include "dynamo/aws_call.h"
#include "dynamo/crc32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The AWS headers of a call, through the transport's hooks: the protocol's
 * content type and X-Amz-Target on the way out; on the way back, the
 * request id (for logs) and DynamoDB's x-amz-crc32, checked against the
 * body (a damaged answer is retried like a transport error).
 */

const char *aws_content_type(const struct http_call *c)
{
	return c->content_type ? c->content_type : AWS_JSON_CONTENT_TYPE;
}

void aws_request_headers(struct http_call *c)
{
	if (!c->content_type)
		http_call_header(c, "Content-Type", AWS_JSON_CONTENT_TYPE);
	if (c->target)
		http_call_header(c, "X-Amz-Target", c->target);
}

/* The value of header line p if it is name's ("Name: value\r\n"), as one line into out. */
static void header_value(const char *p, size_t n, const char *name,
			 char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *v, *end = p + n;

	if (n <= nl || strncasecmp(p, name, nl) || p[nl] != ':')
		return;
	v = p + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	http_text_line(out, cap, v, (size_t)(end - v));
}

void aws_answer_header(struct http_call *c, const char *line, size_t n)
{
	header_value(line, n, "x-amz-crc32", c->hook_note, sizeof(c->hook_note));
	header_value(line, n, "x-amzn-requestid", c->request_id,
		     sizeof(c->request_id));
	if (!c->request_id[0])
		header_value(line, n, "x-amz-request-id", c->request_id,
			     sizeof(c->request_id));
}

/* Whether the body matches its x-amz-crc32 (kept by aws_answer_header); no header: yes. */
static int crc_matches(const struct http_call *c)
{
	unsigned long want, got;
	char *end;

	if (!c->hook_note[0])
		return 1;
	want = strtoul(c->hook_note, &end, 10);
	if (*end)
		return 0;
	got = crc32_update(0, c->resp.data ? c->resp.data : "", c->resp.len);
	return want == got;
}

int aws_answer_verify(struct http_call *c)
{
	if (crc_matches(c))
		return 0;
	c->err.transport = c->err.retryable = 1;
	snprintf(c->err.type, sizeof(c->err.type), "CRC32CheckFailed");
	snprintf(c->err.message, sizeof(c->err.message),
		 "the response body does not match its x-amz-crc32 checksum");
	return 1;
}
