#include "internal.h"
#include "dynamo/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An attempt ended: its outcome, a retry after a backoff, or the end of the call. */

static int transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_WRITE_ERROR:
		return 0;
	default:
		return 1;
	}
}

static void transport_error(struct http_call *c, CURLcode rc, struct engine *e)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.transport = 1;
	if (rc == CURLE_WRITE_ERROR && c->stream_stopped) {
		snprintf(c->err.type, sizeof(c->err.type), "%s", HTTP_STREAM_STOPPED);
		snprintf(c->err.message, sizeof(c->err.message),
			 "the receiver of the response from %s stopped it", c->ep->host);
		return;
	}
	if (rc == CURLE_WRITE_ERROR && c->resp.len + CURL_MAX_WRITE_SIZE >= c->resp.max) {
		snprintf(c->err.type, sizeof(c->err.type), "ResponseTooLarge");
		snprintf(c->err.message, sizeof(c->err.message),
			 "the response from %s is larger than %zu MB",
			 c->ep->host, e->cfg.max_response >> 20);
		return;
	}
	snprintf(c->err.type, sizeof(c->err.type),
		 rc == CURLE_OPERATION_TIMEDOUT ? "Timeout" : "ConnectionError");
	snprintf(c->err.message, sizeof(c->err.message), "%s (%s)",
		 curl_easy_strerror(rc), c->ep->url);
	c->err.retryable = (unsigned)transport_retryable(rc);
}

/* The owner's check refused a 2xx answer: retried like a server error. */
static void malformed(struct http_call *c)
{
	char why[sizeof(c->err.message)];

	why[0] = '\0';
	if (!c->check(c, why, sizeof(why)))
		return;
	memset(&c->err, 0, sizeof(c->err));
	c->err.retryable = 1;
	c->err.status = c->status;
	snprintf(c->err.type, sizeof(c->err.type), "%s", HTTP_MALFORMED);
	http_text_line(c->err.message, sizeof(c->err.message), why, strlen(why));
	if (!c->err.message[0])
		snprintf(c->err.message, sizeof(c->err.message), "malformed answer");
}

static void classify(struct engine *e, struct http_call *c, CURLcode rc)
{
	if (rc != CURLE_OK) {
		transport_error(c, rc, e);
		return;
	}
	if (c->status >= 200 && c->status < 300) {
		/* Damaged on the way (the hooks' checksum), then what the owner expects. */
		if (c->hooks && c->hooks->verify && c->hooks->verify(c))
			return;
		if (c->check)
			malformed(c);
		return;
	}
	if (c->hooks && c->hooks->classify) {
		c->hooks->classify(c);
		return;
	}
	/* No hooks: the status says it all. */
	c->err.status = c->status;
	snprintf(c->err.type, sizeof(c->err.type), "HTTP%ld", c->status);
	c->err.throttle = c->status == 429;
	c->err.retryable = c->err.throttle || c->status >= 500;
}

static void log_attempt(const struct http_call *c)
{
	if (!msg_debug_on)
		return;
	msg_debug("%s %s %ld %.1fms attempt %d%s%s%s%s", c->ep->host,
		  http_call_name(c), c->status, (double)c->latency_us / 1000.0,
		  c->attempt, c->err.type[0] ? " " : "", c->err.type,
		  c->request_id[0] ? " id=" : "", c->request_id);
}

void http_complete(struct engine *e, CURL *h, CURLcode rc)
{
	struct http_call *c = NULL;
	uint64_t delay;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&c);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	curl_multi_remove_handle(e->multi, h);
	http_put_easy(e, h, !strcmp(c->method, "POST"));
	http_headers_wipe(c);
	c->easy = NULL;
	e->in_flight--;
	c->latency_us = clock_mono_us() - c->started_us;
	http_stat_add(&e->stats.bytes_in, c->resp.len + c->attempt_streamed);
	memset(&c->err, 0, sizeof(c->err));
	classify(e, c, rc);
	log_attempt(c);
	if (!c->err.type[0]) {
		if (c->pacer && c->limiter)
			c->pacer->observe(c->limiter, c->cost, 0, c->ranges, NULL);
		http_finish(e, c, HTTP_OK);
		return;
	}
	if (c->err.throttle) {
		http_stat_add(&e->stats.throttles, 1);
		if (c->pacer && c->limiter)
			c->pacer->observe(c->limiter, c->cost, c->cost, c->ranges, c->ranges);
	}
	if (c->pacer && c->limiter && c->reserved >= c->cost) {
		/* A failed attempt consumed nothing: its reservation goes back. */
		c->pacer->refund(c->limiter, c->cost);
		c->reserved -= c->cost;
	}
	if (!c->err.retryable) {
		http_finish(e, c, HTTP_REJECTED);
		return;
	}
	if (c->attempt_streamed) {
		/* Part of the body went out: the owner asks for the rest. */
		http_finish(e, c, HTTP_GAVE_UP);
		return;
	}
	/*
	 * The retry budget counts what the service costs a call: its attempts
	 * and the backoff after each refusal. Time spent queued behind the rate
	 * limiter or for a free connection is dynamo's own doing and does not
	 * count (a paced job would otherwise give up on calls that were
	 * refused only twice).
	 */
	delay = engine_backoff_ms(&e->cfg, c->attempt);
	c->refused_ms += c->latency_us / 1000;
	if (c->attempt >= c->max_attempts || http_stopping(e) ||
	    c->refused_ms + delay > e->cfg.retry_budget_ms) {
		http_finish(e, c, http_stopping(e) ? HTTP_CANCELLED : HTTP_GAVE_UP);
		return;
	}
	c->refused_ms += delay;
	http_stat_add(&e->stats.retries, 1);
	engine_submit_after(e, c, delay ? delay : 1);
}
