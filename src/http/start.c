#include "internal.h"
#include "dynamo/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Starting an attempt: defaults, headers, the prepare hook, an easy handle. */

static CURL *get_easy(struct engine *e)
{
	CURL *h;

	if (e->nidle)
		return e->idle[--e->nidle];
	h = curl_easy_init();
	if (!h) {
		fputs("dynamo: cannot create a libcurl handle\n", stderr);
		abort();
	}
	return h;
}

/*
 * A handle that ran a plain POST keeps its options: the next call sets all
 * it needs. Others (GET, custom methods) are reset so nothing leaks over.
 */
void http_put_easy(struct engine *e, CURL *h, int plain_post)
{
	if (e->nidle < e->cfg.max_in_flight) {
		if (!plain_post)
			curl_easy_reset(h);
		e->idle[e->nidle++] = h;
	} else {
		curl_easy_cleanup(h);
	}
}

static void set_easy_options(struct engine *e, struct http_call *c, CURL *h,
			     const char *url, struct curl_slist *hdrs)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Sent as signed: an S3 key may hold "/./" or "/../". */
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(c->connect_timeout_ms ? c->connect_timeout_ms :
				e->cfg.connect_timeout_ms));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 (long)(c->timeout_ms ? c->timeout_ms : e->cfg.timeout_ms));
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, e->cfg.verify_ssl ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, e->cfg.verify_ssl ? 2L : 0L);
	if (e->cfg.ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->cfg.ca_bundle);
	if (!strcmp(c->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body.data ? c->body.data : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body.len);
		if (strcmp(c->method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	}
}

/* The layer above's hook (a signature); what it keeps stays with the engine. */
static int prepare(struct engine *e, struct http_call *c)
{
	int r = c->hooks->prepare(c, &e->hook_state);

	if (e->hook_state && !e->hook_state_free)
		e->hook_state_free = c->hooks->state_free;
	return r;
}

void http_start_call(struct engine *e, struct http_call *c)
{
	struct buf longurl = BUF_INIT;
	char url[2048];
	const char *u = url;
	const char *const *more;
	CURL *h;

	if (!c->method)
		c->method = "POST";
	if (!c->path)
		c->path = "/";
	if (!c->max_attempts)
		c->max_attempts = e->cfg.max_attempts;
	c->err.type[0] = '\0';
	c->hook_note[0] = '\0';
	c->request_id[0] = '\0';
	c->status = 0;
	c->attempt_streamed = 0;
	c->stream_stopped = 0;
	buf_reset(&c->resp);
	c->resp.max = e->cfg.max_response;

	http_headers_wipe(c);
	if (c->content_type)
		http_call_header(c, "Content-Type", c->content_type);
	http_call_header(c, "Expect:", NULL);
	http_call_header(c, "Accept-Encoding: identity", NULL);
	if (c->extra_header)
		http_call_header(c, c->extra_header, NULL);
	for (more = c->more_headers; more && *more; more++)
		http_call_header(c, *more, NULL);
	if (c->hooks && c->hooks->prepare && prepare(e, c) < 0) {
		http_headers_wipe(c);
		http_finish(e, c, HTTP_REJECTED);
		return;
	}
	if ((size_t)snprintf(url, sizeof(url), "%s%s%s%s%s", c->ep->url, c->ep->path,
			     c->path, c->query && *c->query ? "?" : "",
			     c->query ? c->query : "") >= sizeof(url)) {
		buf_printf(&longurl, "%s%s%s%s%s", c->ep->url, c->ep->path, c->path,
			   c->query && *c->query ? "?" : "", c->query ? c->query : "");
		u = longurl.data;
	}
	h = get_easy(e);
	set_easy_options(e, c, h, u, http_header_list(c));	/* curl copies the URL */
	buf_release(&longurl);
	c->easy = h;
	c->attempt++;
	c->started_us = clock_mono_us();
	e->in_flight++;
	if (e->in_flight > e->stats.peak_in_flight)
		__atomic_store_n(&e->stats.peak_in_flight, e->in_flight, __ATOMIC_RELAXED);
	http_stat_add(&e->stats.requests, 1);
	http_stat_add(&e->stats.bytes_out, c->body.len);
	curl_multi_add_handle(e->multi, h);
}
