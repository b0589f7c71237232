#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* A call's life outside the loop: init, rearm, release, its name, its headers. */

void http_call_init(struct http_call *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->body, 0);
	buf_init(&c->resp, 0);
	buf_init(&c->hdr_text, 0);
}

void http_call_release(struct http_call *c)
{
	buf_release(&c->body);
	buf_release(&c->resp);
	buf_wipe_release(&c->hdr_text);
	free(c->hdr_nodes);
	c->hdr_nodes = NULL;
}

void http_call_rearm(struct http_call *c)
{
	c->outcome = HTTP_PENDING;
	c->status = 0;
	c->attempt = 0;
	c->payload_hashed = 0;
	c->refused_ms = 0;
	c->reserved = 0;
	memset(&c->err, 0, sizeof(c->err));
	c->request_id[0] = '\0';
	c->hook_note[0] = '\0';
	c->streamed = 0;
	buf_reset(&c->resp);
}

const char *http_call_name(const struct http_call *c)
{
	const char *dot;

	if (c->target && (dot = strrchr(c->target, '.')))
		return dot + 1;
	if (c->target)
		return c->target;
	if (c->op)
		return c->op;
	return c->path ? c->path : "/";
}

int http_call_malformed(const struct http_call *c)
{
	return c->outcome == HTTP_GAVE_UP && !strcmp(c->err.type, HTTP_MALFORMED);
}

void http_text_line(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];

		/* Keep messages on one printable line. */
		dst[j++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	dst[j] = '\0';
}

/*
 * Request headers live in the call's own buffer, one line after another,
 * linked by the call's own list nodes: no allocation per request (curl
 * copies nothing from the list and we own it).
 */
void http_call_header(struct http_call *c, const char *name, const char *value)
{
	if (c->nhdr == HTTP_MAX_HEADERS)
		return;
	c->hdr_off[c->nhdr++] = c->hdr_text.len;
	buf_puts(&c->hdr_text, name);
	if (value) {
		buf_puts(&c->hdr_text, ": ");
		buf_puts(&c->hdr_text, value);
	}
	buf_putc(&c->hdr_text, '\0');
}

struct curl_slist *http_header_list(struct http_call *c)
{
	struct curl_slist *node;
	int i;

	if (!c->hdr_nodes)
		c->hdr_nodes = xcalloc(HTTP_MAX_HEADERS, sizeof(struct curl_slist));
	node = c->hdr_nodes;
	for (i = 0; i < c->nhdr; i++) {
		node[i].data = c->hdr_text.data + c->hdr_off[i];
		node[i].next = i + 1 < c->nhdr ? &node[i + 1] : NULL;
	}
	return c->nhdr ? node : NULL;
}

/* Authorization and the session token were in there. */
void http_headers_wipe(struct http_call *c)
{
	if (c->hdr_text.data)
		wipe(c->hdr_text.data, c->hdr_text.len);
	buf_reset(&c->hdr_text);
	c->nhdr = 0;
}
