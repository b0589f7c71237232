/*
 * The transport's contract with the layers above (src/http/): a call's
 * prepare hook runs before anything is sent and can refuse the call; its
 * pacer is asked before each attempt and gets back what a failed attempt
 * reserved; the stop flag, set from another thread, cancels what is queued.
 * No server: the calls either never start or go to a closed port.
 */
#include "unit.h"
#include "dynamo/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

/* A local port with nothing listening: bound, then closed. */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void endpoint_nowhere(struct endpoint *ep)
{
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	assert_int_equal(endpoint_parse(ep, url, NULL), 0);
}

/* An engine and one call to a closed port; max_attempts 0: the default. */
struct rig {
	struct endpoint ep;
	struct http_call c;
	struct engine *e;
};

static void rig_init(struct rig *r, int max_attempts)
{
	struct engine_config cfg;

	engine_config_defaults(&cfg);
	if (max_attempts)
		cfg.max_attempts = max_attempts;
	endpoint_nowhere(&r->ep);
	r->e = engine_new(&cfg);
	http_call_init(&r->c);
	r->c.ep = &r->ep;
}

static void rig_release(struct rig *r)
{
	engine_free(r->e);
	http_call_release(&r->c);
	endpoint_release(&r->ep);
}

static int prepared, state_freed;

static int refuse(struct http_call *c, void **state)
{
	prepared++;
	if (!*state)
		*state = malloc(1);
	snprintf(c->err.type, sizeof(c->err.type), "CredentialsError");
	snprintf(c->err.message, sizeof(c->err.message), "no credentials");
	c->err.exit = 3;
	return -1;
}

static void free_state(void *state)
{
	state_freed++;
	free(state);
}

static const struct http_hooks refusing_hooks = { refuse, free_state, NULL, NULL, NULL, NULL };

static void prepare_refusal_ends_the_call_unsent(void **unused)
{
	struct rig r;

	(void)unused;
	rig_init(&r, 0);
	r.c.hooks = &refusing_hooks;
	engine_submit(r.e, &r.c);
	assert_int_equal(engine_run(r.e), 0);
	assert_int_equal(r.c.outcome, HTTP_REJECTED);
	assert_string_equal(r.c.err.type, "CredentialsError");
	assert_int_equal(r.c.err.exit, 3);
	assert_int_equal(prepared, 1);
	assert_int_equal(engine_stats(r.e)->requests, 0);
	/* What the hook kept is the engine's, freed with it. */
	assert_int_equal(state_freed, 0);
	rig_release(&r);
	assert_int_equal(state_freed, 1);
}

static int reserves, refunds, observes;

static uint64_t count_reserve(struct rate_limiter *r, double cost)
{
	(void)r;
	(void)cost;
	reserves++;
	return 0;
}

static void count_refund(struct rate_limiter *r, double reserved)
{
	(void)r;
	assert_true(reserved == 2.0);
	refunds++;
}

static void count_observe(struct rate_limiter *r, double sent, double refused,
			  const struct rate_ranges *a, const struct rate_ranges *b)
{
	(void)r, (void)sent, (void)refused, (void)a, (void)b;
	observes++;
}

static const struct http_pacer counting_pacer = { count_reserve, count_refund, count_observe };

static void pacer_is_asked_and_refunded_on_failure(void **unused)
{
	struct rig r;
	int dummy;

	(void)unused;
	rig_init(&r, 1);
	r.c.pacer = &counting_pacer;
	r.c.limiter = (struct rate_limiter *)&dummy;
	r.c.cost = 2;
	engine_submit(r.e, &r.c);
	engine_run(r.e);
	/* Refused connection: retryable, but one attempt is all it had. */
	assert_int_equal(r.c.outcome, HTTP_GAVE_UP);
	assert_int_equal(r.c.err.transport, 1);
	assert_int_equal(reserves, 1);
	assert_int_equal(refunds, 1);
	/* Neither an answer nor a throttle: nothing to observe. */
	assert_int_equal(observes, 0);
	rig_release(&r);
}

static void *run_engine(void *arg)
{
	engine_run(arg);
	return NULL;
}

/*
 * engine_stop is written by a signal handler or a failing thread and read
 * by every worker's loop: under ThreadSanitizer (make tsan) this reports a
 * data race unless the flag is atomic.
 */
static void stop_from_another_thread_cancels_queued_calls(void **unused)
{
	struct rig r;
	pthread_t t;

	(void)unused;
	rig_init(&r, 0);
	engine_submit_after(r.e, &r.c, 60000);
	assert_int_equal(pthread_create(&t, NULL, run_engine, r.e), 0);
	usleep(50000);
	engine_stop = 1;
	pthread_join(t, NULL);
	engine_stop = 0;
	assert_int_equal(r.c.outcome, HTTP_CANCELLED);
	assert_int_equal(engine_stats(r.e)->requests, 0);
	rig_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prepare_refusal_ends_the_call_unsent),
		cmocka_unit_test(pacer_is_asked_and_refunded_on_failure),
		cmocka_unit_test(stop_from_another_thread_cancels_queued_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
