#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The answer as it arrives: its body and its headers. */

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

size_t http_on_header(char *p, size_t size, size_t n, void *userdata)
{
	struct http_call *c = userdata;
	size_t len = size * n;

	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		const char *sp = memchr(p, ' ', len);

		/* A new response (after 100-continue or a redirect): reset. */
		c->hook_note[0] = '\0';
		buf_reset(&c->resp);
		/* Its status, for on_body (curl reports it only at the end). */
		c->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if (c->on_header)
		c->on_header(c, p, len);
	if (c->hooks && c->hooks->header)
		c->hooks->header(c, p, len);
	return len;
}
