#include "dynamo/http.h"
#include "dynamo/clock.h"
#include "dynamo/crc32.h"
#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/rate.h"
#include "dynamo/json_scan.h"
#include "dynamo/redact.h"
#include "dynamo/sigv4.h"
#include "dynamo/xml.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

/*
 * On Linux the engine waits with epoll and drives curl with
 * curl_multi_socket_action, so a turn of the loop costs what the ready
 * sockets cost, not what all connections cost (curl_multi_poll scans every
 * socket each time; measured: a quarter of the CPU at 128 connections).
 */
#ifdef __linux__
#include <sys/epoll.h>
#define USE_EPOLL 1
#endif

volatile sig_atomic_t engine_stop;

struct engine_config engine_global_config;

struct engine {
	struct engine_config cfg;
	CURLM *multi;
	struct http_call *ready_head, *ready_tail;
	size_t nready;
	struct http_call **heap;	/* delayed calls, min-heap on not_before_ms */
	size_t nheap, heap_cap;
	int in_flight;
	CURL **idle;			/* easy handles kept for reuse */
	int nidle;
	struct engine_stats stats;
	unsigned int seed;		/* jitter PRNG */
	int running;			/* inside engine_run (sync re-entrancy guard) */
	int cancelled;			/* engine_cancel: its job has failed */
	struct sigv4_signed sig;	/* reused for every signature */
	/* The SigV4 signing key of the last credentials, scope and day. */
	struct credentials *key_creds;	/* owned reference */
	char key_date[9];
	char key_scope[96];		/* "region/service" */
	unsigned char key[32];
#ifdef USE_EPOLL
	int epfd;
	uint64_t timer_at_ms;		/* when curl wants a timeout action; UINT64_MAX: never */
#endif
};

/* Start nothing new: the run is interrupted, or this engine's job failed. */
static int stopping(const struct engine *e)
{
	return engine_stop || e->cancelled;
}

void engine_config_defaults(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_in_flight = 16;
	cfg->max_attempts = 10;
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 60000;
	cfg->retry_budget_ms = 300000;
	cfg->backoff_base_ms = 50;
	cfg->backoff_cap_ms = 20000;
	cfg->max_response = 32u << 20;
	cfg->verify_ssl = 1;
}

/* ---- endpoints ---- */

int endpoint_parse(struct endpoint *ep, const char *url, struct errbuf *eb)
{
	const char *p, *host, *slash;
	int https;
	size_t hostlen;

	memset(ep, 0, sizeof(*ep));
	if (!strncasecmp(url, "https://", 8))
		https = 1, p = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		https = 0, p = url + 7;
	else
		return errf(eb, EXIT_USAGE,
			    "endpoint '%s' must start with https:// or http://",
			    url);
	host = p;
	slash = strchr(host, '/');
	hostlen = slash ? (size_t)(slash - host) : strlen(host);
	if (!hostlen || memchr(host, '@', hostlen) || memchr(host, '?', hostlen) ||
	    strpbrk(url, " \t\r\n"))
		return errf(eb, EXIT_USAGE,
			    "endpoint '%s' is not a valid URL (expected like https://host[:port])",
			    url);
	/* The Host header, as curl sends it: the default port is omitted. */
	if (hostlen > 4 && https && !strncmp(host + hostlen - 4, ":443", 4))
		hostlen -= 4;
	else if (hostlen > 3 && !https && !strncmp(host + hostlen - 3, ":80", 3))
		hostlen -= 3;
	ep->host = xstrndup(host, hostlen);
	ep->path = xstrdup(slash ? slash : "");
	while (*ep->path && ep->path[strlen(ep->path) - 1] == '/')
		ep->path[strlen(ep->path) - 1] = '\0';
	ep->url = xmalloc(strlen(url) + 1);
	snprintf(ep->url, strlen(url) + 1, "%s://%s", https ? "https" : "http",
		 ep->host);
	return 0;
}

void endpoint_release(struct endpoint *ep)
{
	free(ep->url);
	free(ep->host);
	free(ep->path);
	memset(ep, 0, sizeof(*ep));
}

void endpoint_copy(struct endpoint *dst, const struct endpoint *src)
{
	dst->url = src->url ? xstrdup(src->url) : NULL;
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->custom = src->custom;
}

/* ---- calls ---- */

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

/* ---- errors ---- */

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

static void copy_bounded(char *dst, size_t cap, const char *src, size_t n)
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
	copy_bounded(dst, cap, clean.data ? clean.data : "", clean.len);
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

void aws_error_parse(struct aws_error *err, enum http_proto proto, long status,
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

/* ---- the delayed-call heap ---- */

static void heap_swap(struct engine *e, size_t a, size_t b)
{
	struct http_call *t = e->heap[a];

	e->heap[a] = e->heap[b];
	e->heap[b] = t;
}

static void heap_push(struct engine *e, struct http_call *c)
{
	size_t i;

	if (e->nheap == e->heap_cap) {
		e->heap_cap = e->heap_cap ? e->heap_cap * 2 : 64;
		e->heap = xrealloc(e->heap, e->heap_cap * sizeof(*e->heap));
	}
	i = e->nheap++;
	e->heap[i] = c;
	while (i && e->heap[(i - 1) / 2]->not_before_ms > e->heap[i]->not_before_ms) {
		heap_swap(e, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct http_call *heap_pop(struct engine *e)
{
	struct http_call *top = e->heap[0];
	size_t i = 0;

	e->heap[0] = e->heap[--e->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < e->nheap && e->heap[l]->not_before_ms < e->heap[m]->not_before_ms)
			m = l;
		if (r < e->nheap && e->heap[r]->not_before_ms < e->heap[m]->not_before_ms)
			m = r;
		if (m == i)
			break;
		heap_swap(e, i, m);
		i = m;
	}
	return top;
}

static void ready_push(struct engine *e, struct http_call *c)
{
	c->next = NULL;
	if (e->ready_tail)
		e->ready_tail->next = c;
	else
		e->ready_head = c;
	e->ready_tail = c;
	e->nready++;
}

static struct http_call *ready_pop(struct engine *e)
{
	struct http_call *c = e->ready_head;

	if (c) {
		e->ready_head = c->next;
		if (!e->ready_head)
			e->ready_tail = NULL;
		e->nready--;
	}
	return c;
}

/* ---- engine ---- */

#ifdef USE_EPOLL
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct engine *e = userp;
	struct epoll_event ev;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/* The fd may already be closed; epoll then forgot it by itself. */
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
		curl_multi_assign(e->multi, fd, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = fd;
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
		    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	if (socketp || epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		epoll_ctl(e->epfd, EPOLL_CTL_MOD, fd, &ev);
	if (!socketp)
		curl_multi_assign(e->multi, fd, e);
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct engine *e = userp;

	(void)multi;
	e->timer_at_ms = timeout_ms < 0 ? UINT64_MAX :
			 clock_mono_ms() + (uint64_t)timeout_ms;
	return 0;
}
#endif

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->cfg = *cfg;
	if (e->cfg.max_in_flight < 1)
		e->cfg.max_in_flight = 1;
	if (e->cfg.max_attempts < 1)
		e->cfg.max_attempts = 1;
	e->multi = curl_multi_init();
	if (!e->multi) {
		fputs("dynamo: cannot initialise libcurl\n", stderr);
		abort();
	}
	curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)e->cfg.max_in_flight);
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS,
			  (long)e->cfg.max_in_flight + 4);
	e->idle = xcalloc((size_t)e->cfg.max_in_flight, sizeof(*e->idle));
	sigv4_signed_init(&e->sig);
	e->seed = (unsigned int)(clock_mono_us() ^ (uintptr_t)e);
#ifdef USE_EPOLL
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0) {
		fputs("dynamo: cannot create an epoll instance\n", stderr);
		abort();
	}
	e->timer_at_ms = UINT64_MAX;
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
#endif
	return e;
}

void engine_free(struct engine *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nidle; i++)
		curl_easy_cleanup(e->idle[i]);
	creds_put(e->key_creds);
	wipe(e->key, sizeof(e->key));
	sigv4_signed_release(&e->sig);
	free(e->idle);
	curl_multi_cleanup(e->multi);
#ifdef USE_EPOLL
	close(e->epfd);
#endif
	free(e->heap);
	free(e);
}

size_t engine_pending(const struct engine *e)
{
	return e->nready + e->nheap + (size_t)e->in_flight;
}

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->stats;
}

/*
 * The counters are written by the engine's thread while the job's monitor
 * thread reads them for progress: both sides use atomic accesses (relaxed:
 * the figures order nothing else).
 */
static void stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

void engine_stats_snapshot(const struct engine *e, struct engine_stats *out)
{
	const struct engine_stats *st = &e->stats;

	out->requests = __atomic_load_n(&st->requests, __ATOMIC_RELAXED);
	out->retries = __atomic_load_n(&st->retries, __ATOMIC_RELAXED);
	out->throttles = __atomic_load_n(&st->throttles, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&st->errors, __ATOMIC_RELAXED);
	out->bytes_out = __atomic_load_n(&st->bytes_out, __ATOMIC_RELAXED);
	out->bytes_in = __atomic_load_n(&st->bytes_in, __ATOMIC_RELAXED);
	out->peak_in_flight = __atomic_load_n(&st->peak_in_flight, __ATOMIC_RELAXED);
}

uint64_t engine_backoff_ms(const struct engine_config *cfg, int n)
{
	uint64_t ceiling = cfg->backoff_base_ms;
	static __thread unsigned int seed;

	if (!seed)
		seed = (unsigned int)clock_mono_us() | 1u;
	while (n-- > 1 && ceiling < cfg->backoff_cap_ms)
		ceiling *= 2;
	if (ceiling > cfg->backoff_cap_ms)
		ceiling = cfg->backoff_cap_ms;
	/* Full jitter: anywhere between nothing and the ceiling. */
	return (uint64_t)((double)rand_r(&seed) / ((double)RAND_MAX + 1) *
			  (double)(ceiling + 1));
}

void engine_submit_after(struct engine *e, struct http_call *c, uint64_t delay_ms)
{
	c->eng = e;
	c->outcome = HTTP_PENDING;
	if (!delay_ms) {
		ready_push(e, c);
		return;
	}
	c->not_before_ms = clock_mono_ms() + delay_ms;
	heap_push(e, c);
}

void engine_submit(struct engine *e, struct http_call *c)
{
	engine_submit_after(e, c, 0);
}

static void finish(struct engine *e, struct http_call *c, enum http_outcome o)
{
	c->outcome = o;
	if (o == HTTP_REJECTED || o == HTTP_GAVE_UP)
		stat_add(&e->stats.errors, 1);
	if (c->done)
		c->done(c);
}

/* ---- curl callbacks ---- */

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
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
	copy_bounded(out, cap, v, (size_t)(end - v));
}

static size_t on_header(char *p, size_t size, size_t n, void *userdata)
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

/* ---- starting a call ---- */

/*
 * Request headers live in the call's own buffer, one line after another,
 * linked by the call's own list nodes: no allocation per request (curl
 * copies nothing from the list and we own it).
 */
static void header_add(struct http_call *c, const char *name, const char *value)
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

static struct curl_slist *header_list(struct http_call *c)
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
static void headers_done(struct http_call *c)
{
	if (c->hdr_text.data)
		wipe(c->hdr_text.data, c->hdr_text.len);
	buf_reset(&c->hdr_text);
	c->nhdr = 0;
}

/* The signing key for these credentials, scope and day, derived once a day. */
static const unsigned char *signing_key(struct engine *e, struct credentials *cr,
					const struct signer *s, time_t now)
{
	char date[17], scope[96];

	sigv4_amz_date(now, date);
	date[8] = '\0';
	snprintf(scope, sizeof(scope), "%s/%s", s->region, s->service);
	if (e->key_creds != cr || strcmp(e->key_date, date) ||
	    strcmp(e->key_scope, scope)) {
		creds_put(e->key_creds);
		e->key_creds = creds_hold(cr);
		memcpy(e->key_date, date, sizeof(e->key_date));
		memcpy(e->key_scope, scope, sizeof(e->key_scope));
		sigv4_signing_key(cr->secret_access_key, date, s->region,
				  s->service, e->key);
	}
	return e->key;
}

static int sign_call(struct engine *e, struct http_call *c, struct errbuf *eb)
{
	struct sigv4_header extra[2];
	struct sigv4_request req;
	struct sigv4_credentials sc;
	struct sigv4_scope scope;
	struct credentials *cr;
	char path[1024];
	size_t nextra = 0;
	int r;

	cr = creds_get(c->sign->creds, eb);
	if (!cr)
		return -1;
	if (!c->payload_hashed) {
		sigv4_sha256_hex(c->body.data ? c->body.data : "", c->body.len,
				 c->payload_sha256);
		c->payload_hashed = 1;
	}
	extra[nextra].name = "content-type";
	extra[nextra++].value = c->content_type;
	if (c->target) {
		extra[nextra].name = "x-amz-target";
		extra[nextra++].value = c->target;
	}
	snprintf(path, sizeof(path), "%s%s", c->ep->path, c->path);
	memset(&req, 0, sizeof(req));
	req.s3 = !strcmp(c->sign->service, "s3");
	req.method = c->method;
	req.host = c->ep->host;
	req.path = path;
	req.query = c->query;
	req.headers = extra;
	req.nheaders = nextra;
	req.payload_sha256 = c->payload_sha256;
	sc.access_key_id = cr->access_key_id;
	sc.secret_access_key = cr->secret_access_key;
	sc.session_token = cr->session_token;
	scope.region = c->sign->region;
	scope.service = c->sign->service;
	scope.now = clock_wall();
	scope.signing_key = signing_key(e, cr, c->sign, scope.now);
	r = sigv4_sign(&req, &sc, &scope, &e->sig);
	if (r == 0) {
		if (req.s3)
			header_add(c, "X-Amz-Content-SHA256", e->sig.payload_sha256);
		header_add(c, "X-Amz-Date", e->sig.amz_date);
		header_add(c, "Authorization", e->sig.authorization.data);
		if (cr->session_token && *cr->session_token)
			header_add(c, "X-Amz-Security-Token", cr->session_token);
	}
	wipe(e->sig.authorization.data, e->sig.authorization.len);
	creds_put(cr);
	if (r < 0)
		return errf(eb, EXIT_CONFIG, "cannot sign the %s request",
			    http_call_name(c));
	return 0;
}

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
static void put_easy(struct engine *e, CURL *h, int plain_post)
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
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
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

static void fail_before_start(struct engine *e, struct http_call *c,
			      const struct errbuf *eb)
{
	memset(&c->err, 0, sizeof(c->err));
	snprintf(c->err.type, sizeof(c->err.type), "CredentialsError");
	memcpy(c->err.message, eb->msg, sizeof(c->err.message));
	c->err.exit = eb->exit;
	finish(e, c, HTTP_REJECTED);
}

static void start_call(struct engine *e, struct http_call *c)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf longurl = BUF_INIT;
	char url[2048];
	const char *u = url;
	const char *const *more;
	CURL *h;

	if (!c->method)
		c->method = "POST";
	if (!c->path)
		c->path = "/";
	if (!c->content_type)
		c->content_type = "application/x-amz-json-1.0";
	if (!c->max_attempts)
		c->max_attempts = e->cfg.max_attempts;
	c->err.type[0] = '\0';
	c->crc32[0] = '\0';
	c->has_crc32 = 0;
	c->request_id[0] = '\0';
	c->status = 0;
	c->attempt_streamed = 0;
	c->stream_stopped = 0;
	buf_reset(&c->resp);
	c->resp.max = e->cfg.max_response;

	headers_done(c);
	header_add(c, "Content-Type", c->content_type);
	if (c->target)
		header_add(c, "X-Amz-Target", c->target);
	header_add(c, "Expect:", NULL);
	header_add(c, "Accept-Encoding: identity", NULL);
	if (c->extra_header)
		header_add(c, c->extra_header, NULL);
	for (more = c->more_headers; more && *more; more++)
		header_add(c, *more, NULL);
	if (c->sign && sign_call(e, c, &eb) < 0) {
		headers_done(c);
		fail_before_start(e, c, &eb);
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
	set_easy_options(e, c, h, u, header_list(c));	/* curl copies the URL */
	buf_release(&longurl);
	c->easy = h;
	c->attempt++;
	c->started_us = clock_mono_us();
	e->in_flight++;
	if (e->in_flight > e->stats.peak_in_flight)
		__atomic_store_n(&e->stats.peak_in_flight, e->in_flight, __ATOMIC_RELAXED);
	stat_add(&e->stats.requests, 1);
	stat_add(&e->stats.bytes_out, c->body.len);
	curl_multi_add_handle(e->multi, h);
}

/* ---- completing a call ---- */

static int crc_matches(const struct http_call *c)
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
	copy_bounded(c->err.message, sizeof(c->err.message), why, strlen(why));
	if (!c->err.message[0])
		snprintf(c->err.message, sizeof(c->err.message), "malformed answer");
}

int http_call_malformed(const struct http_call *c)
{
	return c->outcome == HTTP_GAVE_UP && !strcmp(c->err.type, HTTP_MALFORMED);
}

static void classify(struct engine *e, struct http_call *c, CURLcode rc)
{
	if (rc != CURLE_OK) {
		transport_error(c, rc, e);
		return;
	}
	if (c->status >= 200 && c->status < 300) {
		if (crc_matches(c)) {
			if (c->check)
				malformed(c);
			return;
		}
		memset(&c->err, 0, sizeof(c->err));
		c->err.transport = c->err.retryable = 1;
		snprintf(c->err.type, sizeof(c->err.type), "CRC32CheckFailed");
		snprintf(c->err.message, sizeof(c->err.message),
			 "the response body does not match its x-amz-crc32 checksum");
		return;
	}
	aws_error_parse(&c->err, c->proto, c->status,
			c->resp.data ? c->resp.data : "", c->resp.len);
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

static void complete(struct engine *e, CURL *h, CURLcode rc)
{
	struct http_call *c = NULL;
	uint64_t delay;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&c);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	curl_multi_remove_handle(e->multi, h);
	put_easy(e, h, !strcmp(c->method, "POST"));
	headers_done(c);
	c->easy = NULL;
	e->in_flight--;
	c->latency_us = clock_mono_us() - c->started_us;
	stat_add(&e->stats.bytes_in, c->resp.len + c->attempt_streamed);
	memset(&c->err, 0, sizeof(c->err));
	classify(e, c, rc);
	log_attempt(c);
	if (!c->err.type[0]) {
		if (c->limiter)
			rate_observe(c->limiter, c->cost, 0, c->ranges, NULL);
		finish(e, c, HTTP_OK);
		return;
	}
	if (c->err.throttle) {
		stat_add(&e->stats.throttles, 1);
		if (c->limiter)
			rate_observe(c->limiter, c->cost, c->cost, c->ranges, c->ranges);
	}
	if (c->limiter && c->reserved >= c->cost) {
		/* A failed attempt consumed nothing: its reservation goes back. */
		rate_refund(c->limiter, c->cost);
		c->reserved -= c->cost;
	}
	if (!c->err.retryable) {
		finish(e, c, HTTP_REJECTED);
		return;
	}
	if (c->attempt_streamed) {
		/* Part of the body went out: the owner asks for the rest. */
		finish(e, c, HTTP_GAVE_UP);
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
	if (c->attempt >= c->max_attempts || stopping(e) ||
	    c->refused_ms + delay > e->cfg.retry_budget_ms) {
		finish(e, c, stopping(e) ? HTTP_CANCELLED : HTTP_GAVE_UP);
		return;
	}
	c->refused_ms += delay;
	stat_add(&e->stats.retries, 1);
	engine_submit_after(e, c, delay ? delay : 1);
}

static void drain_completed(struct engine *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			complete(e, m->easy_handle, m->data.result);
}

static void cancel_queued(struct engine *e)
{
	struct http_call *c;

	while ((c = ready_pop(e)))
		finish(e, c, HTTP_CANCELLED);
	while (e->nheap)
		finish(e, heap_pop(e), HTTP_CANCELLED);
}

static void start_ready(struct engine *e)
{
	uint64_t now = clock_mono_ms();

	while (e->nheap && e->heap[0]->not_before_ms <= now)
		ready_push(e, heap_pop(e));
	while (e->in_flight < e->cfg.max_in_flight && e->nready) {
		struct http_call *c = ready_pop(e);

		if (c->limiter) {
			uint64_t wait = rate_reserve(c->limiter, c->cost);

			if (wait) {
				/* Ask again within a second: settled reservations may have paid the debt. */
				c->not_before_ms = now + (wait > 1000 ? 1000 : wait);
				heap_push(e, c);
				continue;
			}
			c->reserved += c->cost;
		}
		start_call(e, c);
	}
}

/* How long the loop may wait: until the next delayed call, at most max_wait_ms. */
static int wait_budget(struct engine *e, int max_wait_ms)
{
	uint64_t now = clock_mono_ms();
	int wait = max_wait_ms;

	if (e->nready && e->in_flight < e->cfg.max_in_flight)
		return 0;
	if (e->nheap) {
		uint64_t nb = e->heap[0]->not_before_ms;
		uint64_t until = nb > now ? nb - now : 0;

		if (until < (uint64_t)wait)
			wait = (int)until;
	}
#ifdef USE_EPOLL
	if (e->timer_at_ms != UINT64_MAX) {
		uint64_t until = e->timer_at_ms > now ? e->timer_at_ms - now : 0;

		if (until < (uint64_t)wait)
			wait = (int)until;
	}
#endif
	return wait;
}

#ifdef USE_EPOLL
static void wait_and_drive(struct engine *e, int wait)
{
	struct epoll_event ev[64];
	int n, i, running;

	n = epoll_wait(e->epfd, ev, 64, wait);
	for (i = 0; i < n; i++) {
		int flags = ((ev[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
			    ((ev[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
			    ((ev[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);

		curl_multi_socket_action(e->multi, ev[i].data.fd, flags, &running);
	}
	if (e->timer_at_ms <= clock_mono_ms()) {
		e->timer_at_ms = UINT64_MAX;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}
#else
static void wait_and_drive(struct engine *e, int wait)
{
	int running;

	curl_multi_poll(e->multi, NULL, 0, wait, NULL);
	curl_multi_perform(e->multi, &running);
}
#endif

void engine_cancel(struct engine *e)
{
	e->cancelled = 1;
}

void engine_step(struct engine *e, int max_wait_ms)
{
	if (stopping(e))
		cancel_queued(e);
	else
		start_ready(e);
	if (!e->in_flight && !e->nheap && !e->nready)
		return;
	wait_and_drive(e, wait_budget(e, max_wait_ms));
	drain_completed(e);
	if (stopping(e))
		cancel_queued(e);
	else
		start_ready(e);
}

int engine_run(struct engine *e)
{
	e->running++;
	while (engine_pending(e))
		engine_step(e, 100);
	e->running--;
	return engine_stop ? -1 : 0;
}

/* ---- synchronous calls ---- */

static pthread_key_t sync_key;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;

static void sync_engine_free(void *p)
{
	engine_free(p);
}

static void sync_key_init(void)
{
	pthread_key_create(&sync_key, sync_engine_free);
}

static struct engine *sync_engine(int *private_engine)
{
	struct engine *e;

	pthread_once(&sync_once, sync_key_init);
	e = pthread_getspecific(sync_key);
	if (e && e->running) {
		/* A nested call (credentials refreshed while signing). */
		*private_engine = 1;
		return engine_new(&engine_global_config);
	}
	*private_engine = 0;
	if (!e) {
		struct engine_config cfg = engine_global_config;

		cfg.max_in_flight = 4;
		e = engine_new(&cfg);
		pthread_setspecific(sync_key, e);
	}
	return e;
}

void http_sync_cleanup(void)
{
	struct engine *e;

	pthread_once(&sync_once, sync_key_init);
	e = pthread_getspecific(sync_key);
	engine_free(e);
	pthread_setspecific(sync_key, NULL);
}

int http_call_sync(struct http_call *c, struct errbuf *eb)
{
	int private_engine;
	struct engine *e = sync_engine(&private_engine);

	http_call_rearm(c);
	engine_submit(e, c);
	engine_run(e);
	if (private_engine)
		engine_free(e);
	switch (c->outcome) {
	case HTTP_OK:
		return 0;
	case HTTP_CANCELLED:
		return errf(eb, EXIT_INTERRUPTED, "interrupted");
	case HTTP_GAVE_UP:
		if (http_call_malformed(c))
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "%s to %s got %d malformed answers in a row (%s): is %s the right endpoint?",
				    http_call_name(c), c->ep->host, c->attempt,
				    c->err.message, c->ep->url);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s to %s failed after %d attempts: %s%s%s (raise --max-retries or --timeout, or check the endpoint)",
			    http_call_name(c), c->ep->host, c->attempt,
			    c->err.type, c->err.message[0] ? ": " : "",
			    c->err.message);
	default:
		return aws_error_report(c, eb);
	}
}
