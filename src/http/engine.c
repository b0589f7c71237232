#include "internal.h"
#include "dynamo/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An engine: made, fed calls, counted, cancelled, freed. */

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
	e->seed = (unsigned int)(clock_mono_us() ^ (uintptr_t)e);
	http_loop_init(e);
	return e;
}

void engine_free(struct engine *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nidle; i++)
		curl_easy_cleanup(e->idle[i]);
	if (e->hook_state && e->hook_state_free)
		e->hook_state_free(e->hook_state);
	free(e->idle);
	curl_multi_cleanup(e->multi);
	http_loop_release(e);
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

void engine_submit_after(struct engine *e, struct http_call *c, uint64_t delay_ms)
{
	c->eng = e;
	c->outcome = HTTP_PENDING;
	if (!delay_ms) {
		http_ready_push(e, c);
		return;
	}
	c->not_before_ms = clock_mono_ms() + delay_ms;
	http_delayed_push(e, c);
}

void engine_submit(struct engine *e, struct http_call *c)
{
	engine_submit_after(e, c, 0);
}

void http_finish(struct engine *e, struct http_call *c, enum http_outcome o)
{
	c->outcome = o;
	if (o == HTTP_REJECTED || o == HTTP_GAVE_UP)
		http_stat_add(&e->stats.errors, 1);
	if (c->done)
		c->done(c);
}

void engine_cancel(struct engine *e)
{
	e->cancelled = 1;
}
