#include "internal.h"
#include "dynamo/exitcode.h"

#include <pthread.h>
#include <stdlib.h>

/* Synchronous calls, for the control plane: one private engine per thread. */

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
		if (c->hooks && c->hooks->report)
			return c->hooks->report(c, eb);
		return errf(eb, EXIT_FAILURE_RUNTIME, "%s to %s failed: %s%s%s",
			    http_call_name(c), c->ep->host, c->err.type,
			    c->err.message[0] ? ": " : "", c->err.message);
	}
}
