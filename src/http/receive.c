#include "internal.h"
#include "dynamo/crc32.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The answer as it arrives: its body, its headers, and its checksum. */

size_t http_on_body(char *p, size_t size, size_t n, void *userdata)
{
	struct http_call *c = userdata;

	if (c->on_data && c->status >= 200 && c->status < 300) {
		if (c->on_data(c, p, size * n)) {
			c->stream_stopped = 1;
			return 0;	/* curl fails with a write error */
		}
		c->attempt_streamed += size * n;
		c->streamed += size * n;
		return size * n;
	}
	if (buf_append(&c->resp, p, size * n) < 0)
		return 0;	/* over the cap: curl fails with a write error */
	return size * n;
}

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

size_t http_on_header(char *p, size_t size, size_t n, void *userdata)
{
	struct http_call *c = userdata;
	size_t len = size * n;

	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		const char *sp = memchr(p, ' ', len);

		/* A new response (after 100-continue or a redirect): reset. */
		c->has_crc32 = 0;
		buf_reset(&c->resp);
		/* Its status, for on_body (curl reports it only at the end). */
		c->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if (c->on_header)
		c->on_header(c, p, len);
	header_value(p, len, "x-amz-crc32", c->crc32, sizeof(c->crc32));
	if (c->crc32[0])
		c->has_crc32 = 1;
	header_value(p, len, "x-amzn-requestid", c->request_id,
		     sizeof(c->request_id));
	if (!c->request_id[0])
		header_value(p, len, "x-amz-request-id", c->request_id,
			     sizeof(c->request_id));
	return len;
}

int http_crc_matches(const struct http_call *c)
{
	unsigned long want, got;
	char *end;

	if (!c->has_crc32)
		return 1;
	want = strtoul(c->crc32, &end, 10);
	if (*end)
		return 0;
	got = crc32_update(0, c->resp.data ? c->resp.data : "", c->resp.len);
	return want == got;
}
