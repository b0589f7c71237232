#ifndef DYNAMO_HTTP_INTERNAL_H
#define DYNAMO_HTTP_INTERNAL_H

/* Shared by the files of src/http/ only: the engine's insides. */

#include "dynamo/http.h"

#include <curl/curl.h>

/*
 * On Linux the engine waits with epoll and drives curl with
 * curl_multi_socket_action, so a turn of the loop costs what the ready
 * sockets cost, not what all connections cost (curl_multi_poll scans every
 * socket each time; measured: a quarter of the CPU at 128 connections).
 */
#ifdef __linux__
#define USE_EPOLL 1
#endif

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
	/* What a prepare hook keeps between calls (aws/: the signing key). */
	void *hook_state;		/* owned, freed with hook_state_free */
	void (*hook_state_free)(void *state);
#ifdef USE_EPOLL
	int epfd;
	uint64_t timer_at_ms;		/* when curl wants a timeout action; UINT64_MAX: never */
#endif
};

/* Start nothing new: the run is interrupted, or this engine's job failed. */
static inline int http_stopping(const struct engine *e)
{
	return engine_stop || e->cancelled;
}

/*
 * The counters are written by the engine's thread while the job's monitor
 * thread reads them for progress: both sides use atomic accesses (relaxed:
 * the figures order nothing else).
 */
static inline void http_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* queue.c: the ready queue (FIFO) and the delayed calls (min-heap). */
void http_ready_push(struct engine *e, struct http_call *c);
struct http_call *http_ready_pop(struct engine *e);
void http_delayed_push(struct engine *e, struct http_call *c);
struct http_call *http_delayed_pop(struct engine *e);

/* call.c: the request header lines of an attempt. */
struct curl_slist *http_header_list(struct http_call *c);
void http_headers_wipe(struct http_call *c);

/* receive.c: curl's callbacks for the answer. */
size_t http_on_body(char *p, size_t size, size_t n, void *userdata);
size_t http_on_header(char *p, size_t size, size_t n, void *userdata);

/* engine.c */
void http_finish(struct engine *e, struct http_call *c, enum http_outcome o);

/* start.c: an attempt begins; its easy handle goes back after. */
void http_start_call(struct engine *e, struct http_call *c);
void http_put_easy(struct engine *e, CURL *h, int plain_post);

/* complete.c: an attempt ended: done, retried later, or given up. */
void http_complete(struct engine *e, CURL *h, CURLcode rc);

/* loop.c: the wait on sockets and timers. */
void http_loop_init(struct engine *e);
void http_loop_release(struct engine *e);

#endif
