#ifndef DYNAMO_HTTP_H
#define DYNAMO_HTTP_H

#include <signal.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * The transport (src/http/): one request engine per thread, on libcurl's
 * multi interface, like curl's parallel mode. Calls are submitted to a
 * ready queue; up to max_in_flight run at once over kept-alive
 * connections; a failed or throttled call goes back on a queue with a
 * not-before time (capped exponential backoff with full jitter), so
 * nothing ever sleeps inside the loop.
 *
 * The transport knows nothing of AWS: what a call needs beyond HTTP comes
 * through its hooks (struct http_hooks), which the layer above supplies
 * (dynamo/aws_call.h: SigV4 before each attempt, so retries minutes later
 * carry a fresh date and fresh credentials; AWS error bodies and
 * throttles), and through its pacer (struct http_pacer: engine/rate.c's
 * limiter).
 *
 * An engine and its calls belong to one thread; only the stop flag and the
 * shared objects calls point to (credentials, rate limiter) cross threads.
 */

struct engine;
struct http_call;
/* Opaque here: what the hooks and the pacer of a call work with. */
struct signer;
struct rate_limiter;
struct rate_ranges;

struct endpoint {
	char *url;		/* owned: "https://dynamodb.us-east-1.amazonaws.com" (no trailing '/') */
	char *host;		/* owned: Host header value, ":port" only when not default */
	char *path;		/* owned: path prefix from the URL, "" or "/prefix" */
	int custom;		/* set by the user rather than derived from the region */
};

int endpoint_parse(struct endpoint *ep, const char *url, struct errbuf *eb);
void endpoint_release(struct endpoint *ep);
void endpoint_copy(struct endpoint *dst, const struct endpoint *src);

enum http_outcome {
	HTTP_PENDING = 0,
	HTTP_OK,		/* 2xx with a sound body */
	HTTP_REJECTED,		/* a non-retryable error: see call->err */
	HTTP_GAVE_UP,		/* retryable failures until the retry budget ran out */
	HTTP_CANCELLED,		/* the run is stopping (interrupt or fatal error) */
};

struct http_error {
	long status;		/* HTTP status, 0 for a transport error */
	char type[128];		/* "ValidationException" (the part after '#') */
	char message[1024];
	int exit;		/* for an error of the prepare hook: the exit code of the cause */
	unsigned throttle:1;	/* throttling: counts toward backoff and AIMD */
	unsigned retryable:1;
	unsigned transport:1;	/* connection error, timeout, bad checksum */
};

/*
 * What the layer above adds to a call (dynamo/aws_call.h supplies them,
 * one table per protocol). Each is optional; a call without hooks is sent
 * as it is, and an error answer gets type "HTTP<status>", retried when the
 * status is 5xx or 429.
 */
struct http_hooks {
	/*
	 * Before each attempt, once the transport's headers are in: adds what
	 * the call needs (a signature) with http_call_header. *state is this
	 * engine's slot for what the hook keeps between calls (a signing key);
	 * the engine frees it with state_free. Nonzero: the call is not sent
	 * and ends HTTP_REJECTED with the error the hook put in c->err.
	 */
	int (*prepare)(struct http_call *c, void **state);
	void (*state_free)(void *state);
	/* A non-2xx answer: fills c->err (zeroed) from c->status and c->resp. */
	void (*classify)(struct http_call *c);
	/* A call that ended HTTP_REJECTED, for http_call_sync: one error line in eb, returns -1. */
	int (*report)(const struct http_call *c, struct errbuf *eb);
	/*
	 * Each header line of an attempt's answer ("Name: value\r\n"): keeps
	 * what verify needs in c->hook_note and the server's id of the request
	 * in c->request_id (both cleared before each attempt, hook_note again
	 * when a new response starts, after a 100 Continue).
	 */
	void (*header)(struct http_call *c, const char *line, size_t n);
	/*
	 * A 2xx answer, whole: nonzero when it is not what the server sent (a
	 * checksum that does not match), with c->err (zeroed) filled; the
	 * attempt then counts as failed and is retried when err.retryable.
	 * Runs before the call's own check.
	 */
	int (*verify)(struct http_call *c);
};

/*
 * Pacing the layer above plugs into a call (engine/rate.c): asked before
 * each attempt, told how each attempt went.
 */
struct http_pacer {
	/* 0: the attempt may start (cost reserved); else ms to wait before asking again. */
	uint64_t (*reserve)(struct rate_limiter *r, double cost);
	/* A failed attempt consumed nothing: its reservation goes back. */
	void (*refund)(struct rate_limiter *r, double reserved);
	/* An answer: units sent, of them refused (throttled), and the key ranges of each. */
	void (*observe)(struct rate_limiter *r, double sent, double refused,
			const struct rate_ranges *sent_ranges,
			const struct rate_ranges *refused_ranges);
};

struct http_call;
typedef void (*http_done_fn)(struct http_call *call);

/* err.type of an answer its call's check refused. */
#define HTTP_MALFORMED "MalformedResponse"
/* True when the call gave up because every answer was malformed. */
int http_call_malformed(const struct http_call *c);

/* err.type of a call whose on_data hook stopped the transfer. */
#define HTTP_STREAM_STOPPED "StreamStopped"

#define HTTP_MAX_HEADERS 14

struct http_call {
	/* --- request: set by the owner before engine_submit --- */
	const char *method;		/* default "POST" */
	const struct endpoint *ep;	/* borrowed */
	const char *path;		/* appended to ep->path; default "/" */
	const char *query;		/* without '?', or NULL */
	const char *target;		/* the operation, for the hooks ("DynamoDB_20120810.Scan"), or NULL */
	const char *op;			/* name for logs when there is no target ("AssumeRole") */
	const char *content_type;	/* or NULL: none (the hooks may set their protocol's) */
	const char *extra_header;	/* one more "Name: value" line, or NULL (not logged) */
	const char *const *more_headers; /* more such lines, NULL-terminated, or NULL (not signed) */
	struct buf body;		/* owned */
	const struct http_hooks *hooks;	/* borrowed, or NULL */
	const struct signer *sign;	/* borrowed, for the hooks; NULL: unsigned */
	int max_attempts;		/* 0: the engine's default */
	uint64_t timeout_ms;		/* 0: the engine's default */
	uint64_t connect_timeout_ms;	/* 0: the engine's default */
	const struct http_pacer *pacer;	/* paces the call with limiter, or NULL */
	struct rate_limiter *limiter;	/* borrowed, or NULL */
	const struct rate_ranges *ranges;	/* borrowed: the key ranges it carries (rate_observe), or NULL */
	double cost;			/* estimated capacity units, for the limiter */
	double reserved;		/* units reserved by all attempts since rearm (settle with this) */
	/*
	 * Optional: looks at a 2xx answer whose checksum matched and says
	 * whether it has what the operation always returns. Nonzero means
	 * malformed (why says how, one line): the attempt is retried like a
	 * server error, and when retries run out the call ends HTTP_GAVE_UP
	 * with err.type HTTP_MALFORMED. Nothing may act on a malformed answer.
	 */
	int (*check)(struct http_call *c, char *why, size_t n);
	/*
	 * Optional, for bodies too large to hold (S3 objects): receives the
	 * body of a 2xx answer as it arrives, and resp stays empty (an error
	 * answer's body still goes to resp, for err). Nonzero stops the
	 * transfer: the call ends HTTP_REJECTED with err.type
	 * HTTP_STREAM_STOPPED. An attempt that handed on some bytes and then
	 * failed is not retried (the engine would hand them on twice): the
	 * call ends HTTP_GAVE_UP with the error, and the owner, who knows how
	 * much arrived (streamed), asks for the rest (a Range request).
	 */
	int (*on_data)(struct http_call *c, const char *p, size_t n);
	/* Optional: each response header line as it arrives ("Name: value\r\n"). */
	void (*on_header)(struct http_call *c, const char *line, size_t n);
	http_done_fn done;		/* called once, with the outcome set */
	void *owner;			/* for the done callback */

	/* --- response: valid in done --- */
	enum http_outcome outcome;
	long status;
	struct buf resp;		/* owned, capped at the engine's response limit */
	struct http_error err;		/* for HTTP_REJECTED and HTTP_GAVE_UP */
	char request_id[80];		/* the server's id of the last attempt (the header hook's), for logs */
	int attempt;			/* attempts made so far */
	uint64_t streamed;		/* body bytes handed to on_data, all attempts */
	uint64_t latency_us;		/* of the last attempt */

	/* --- engine private --- */
	struct engine *eng;
	void *easy;
	struct buf hdr_text;		/* request header lines, NUL-separated (wiped) */
	size_t hdr_off[HTTP_MAX_HEADERS];
	void *hdr_nodes;		/* owned: curl list nodes pointing into hdr_text */
	int nhdr;
	uint64_t not_before_ms;
	uint64_t started_us;
	uint64_t refused_ms;		/* retry budget used: attempts and backoff, not queueing */
	char hook_note[24];		/* the header hook's, for verify (aws/: the answer's checksum) */
	char payload_sha256[65];
	int payload_hashed;
	uint64_t attempt_streamed;	/* body bytes handed to on_data by this attempt */
	int stream_stopped;		/* on_data asked to stop */
	struct http_call *next;
	size_t heap_index;
};

struct engine_config {
	int max_in_flight;		/* >= 1 */
	int max_attempts;		/* per call, first attempt included */
	uint64_t connect_timeout_ms;
	uint64_t timeout_ms;		/* whole request */
	uint64_t retry_budget_ms;	/* give up retrying a call after this long */
	uint64_t backoff_base_ms;
	uint64_t backoff_cap_ms;
	size_t max_response;		/* bytes */
	int verify_ssl;
	const char *ca_bundle;		/* or NULL */
};

struct engine_stats {
	uint64_t requests;		/* attempts sent */
	uint64_t retries;
	uint64_t throttles;
	uint64_t errors;		/* calls that ended REJECTED or GAVE_UP */
	uint64_t bytes_out;
	uint64_t bytes_in;
	int peak_in_flight;
};

void engine_config_defaults(struct engine_config *cfg);
/* The process-wide defaults the command line set (timeouts, retries, TLS). */
extern struct engine_config engine_global_config;

struct engine *engine_new(const struct engine_config *cfg);
void engine_free(struct engine *e);

/* Call init/release: zero the call and its buffers. */
void http_call_init(struct http_call *c);
void http_call_release(struct http_call *c);
/* Resets the per-attempt state so the call can be submitted again. */
void http_call_rearm(struct http_call *c);

/* Queues a call (delay_ms from now). The engine does not own the call. */
void engine_submit(struct engine *e, struct http_call *c);
void engine_submit_after(struct engine *e, struct http_call *c, uint64_t delay_ms);
/* Runs until no call is queued or in flight. Returns 0, or -1 if stopped. */
int engine_run(struct engine *e);
/* One turn of the loop: start what may start, wait up to max_wait_ms. */
void engine_step(struct engine *e, int max_wait_ms);
size_t engine_pending(const struct engine *e);
const struct engine_stats *engine_stats(const struct engine *e);
/* The same, safe while the engine's thread runs (the monitor's progress). */
void engine_stats_snapshot(const struct engine *e, struct engine_stats *out);
/* A capped, fully jittered backoff delay for the n-th retry (n >= 1). */
uint64_t engine_backoff_ms(const struct engine_config *cfg, int n);

/*
 * Stopping: set by the SIGINT/SIGTERM handler or by a fatal error. Engines
 * start nothing new, let calls in flight finish (bounded by the timeout) and
 * finish queued calls with HTTP_CANCELLED. Atomic (lock-free, so a plain
 * store is async-signal-safe): worker threads read it while a handler or
 * another thread sets it.
 */
extern _Atomic sig_atomic_t engine_stop;
/* The same for one engine, whose job has failed: queued calls and retries
 * end HTTP_CANCELLED instead of being sent. */
void engine_cancel(struct engine *e);

/*
 * A synchronous call on a private engine: for the control plane (describe,
 * STS, SSO, metadata). Returns 0 on HTTP_OK; otherwise fills eb with a
 * message naming what (the call's target or URL) and returns -1.
 */
int http_call_sync(struct http_call *c, struct errbuf *eb);

/* Frees this thread's engine for synchronous calls (before exit). */
void http_sync_cleanup(void);

/* A short name for messages: the operation or the URL path. */
const char *http_call_name(const struct http_call *c);

/*
 * Adds a request header line for this attempt ("Name: value", or the line
 * as it is when value is NULL): for a prepare hook. At most
 * HTTP_MAX_HEADERS lines; the text is wiped when the attempt ends.
 */
void http_call_header(struct http_call *c, const char *name, const char *value);

/* Copies n bytes of src as one printable line (controls become spaces), cut to cap. */
void http_text_line(char *dst, size_t cap, const char *src, size_t n);

#endif
