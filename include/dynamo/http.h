#ifndef DYNAMO_HTTP_H
#define DYNAMO_HTTP_H

#include <signal.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * The request engine: one per thread, on libcurl's multi interface, like
 * curl's parallel mode. Calls are submitted to a ready queue; up to
 * max_in_flight run at once over kept-alive connections; a failed or
 * throttled call goes back on a queue with a not-before time (capped
 * exponential backoff with full jitter), so nothing ever sleeps inside the
 * loop. Each call is signed (SigV4) just before each attempt, so retries
 * minutes later carry a fresh date and fresh credentials.
 *
 * An engine and its calls belong to one thread; only the stop flag and the
 * shared objects calls point to (credentials, rate limiter) cross threads.
 */

struct creds_provider;
struct rate_limiter;
struct rate_ranges;
struct engine;

struct endpoint {
	char *url;		/* owned: "https://dynamodb.us-east-1.amazonaws.com" (no trailing '/') */
	char *host;		/* owned: Host header value, ":port" only when not default */
	char *path;		/* owned: path prefix from the URL, "" or "/prefix" */
	int custom;		/* set by the user rather than derived from the region */
};

int endpoint_parse(struct endpoint *ep, const char *url, struct errbuf *eb);
void endpoint_release(struct endpoint *ep);
void endpoint_copy(struct endpoint *dst, const struct endpoint *src);

/* What signs a call: credentials, region and service name. */
struct signer {
	struct creds_provider *creds;	/* borrowed, shared between threads */
	const char *region;		/* borrowed */
	const char *service;		/* "dynamodb", "sts" */
};

enum http_proto {
	PROTO_AWS_JSON = 0,	/* DynamoDB: {"__type":"...#Name","message":"..."} */
	PROTO_AWS_QUERY,	/* STS: <Error><Code>..</Code><Message>..</Message> */
	PROTO_REST_JSON,	/* SSO portal, container credentials, IMDS */
};

enum http_outcome {
	HTTP_PENDING = 0,
	HTTP_OK,		/* 2xx with a sound body */
	HTTP_REJECTED,		/* a non-retryable error: see call->err */
	HTTP_GAVE_UP,		/* retryable failures until the retry budget ran out */
	HTTP_CANCELLED,		/* the run is stopping (interrupt or fatal error) */
};

struct aws_error {
	long status;		/* HTTP status, 0 for a transport error */
	char type[128];		/* "ValidationException" (the part after '#') */
	char message[1024];
	int exit;		/* for CredentialsError: the exit code of the cause */
	unsigned throttle:1;	/* throttling: counts toward backoff and AIMD */
	unsigned retryable:1;
	unsigned transport:1;	/* connection error, timeout, bad checksum */
};

struct http_call;
typedef void (*http_done_fn)(struct http_call *call);

/* err.type of an answer its call's check refused. */
#define HTTP_MALFORMED "MalformedResponse"
/* True when the call gave up because every answer was malformed. */
int http_call_malformed(const struct http_call *c);

#define HTTP_MAX_HEADERS 10

struct http_call {
	/* --- request: set by the owner before engine_submit --- */
	const char *method;		/* default "POST" */
	const struct endpoint *ep;	/* borrowed */
	const char *path;		/* appended to ep->path; default "/" */
	const char *query;		/* without '?', or NULL */
	const char *target;		/* X-Amz-Target, or NULL */
	const char *op;			/* name for logs when there is no target ("AssumeRole") */
	const char *content_type;	/* default "application/x-amz-json-1.0" */
	const char *extra_header;	/* one more "Name: value" line, or NULL (not logged) */
	struct buf body;		/* owned */
	const struct signer *sign;	/* borrowed; NULL sends the call unsigned */
	enum http_proto proto;
	int max_attempts;		/* 0: the engine's default */
	uint64_t timeout_ms;		/* 0: the engine's default */
	uint64_t connect_timeout_ms;	/* 0: the engine's default */
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
	http_done_fn done;		/* called once, with the outcome set */
	void *owner;			/* for the done callback */

	/* --- response: valid in done --- */
	enum http_outcome outcome;
	long status;
	struct buf resp;		/* owned, capped at the engine's response limit */
	struct aws_error err;		/* for HTTP_REJECTED and HTTP_GAVE_UP */
	char request_id[80];
	int attempt;			/* attempts made so far */
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
	char crc32[16];
	int has_crc32;
	char payload_sha256[65];
	int payload_hashed;
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
 * finish queued calls with HTTP_CANCELLED.
 */
extern volatile sig_atomic_t engine_stop;
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

/*
 * Turns a rejected call into one error line with the right exit code: AWS's
 * own error type and message, plus what to check (the profile's secret for a
 * bad signature, aws sso login for an expired token, ...).
 */
int aws_error_report(const struct http_call *c, struct errbuf *eb);
/* The exit code for an AWS error type (see exitcode.h). */
int aws_error_exit_code(const char *type);

/* A short name for messages: the operation or the URL path. */
const char *http_call_name(const struct http_call *c);

/* Parses an AWS error body into err (used by the engine, exposed for tests). */
void aws_error_parse(struct aws_error *err, enum http_proto proto, long status,
		     const char *body, size_t len);
/* True for the error types DynamoDB and STS use for throttling. */
int aws_error_is_throttle(const char *type);

#endif
