/*
 * creds_get (src/aws/creds.c): when credentials are refreshed, what happens
 * when a refresh fails, and that one refresh serves many threads. A fake
 * provider hands out credentials with an expiry set by the test, and the
 * clock creds_get reads is the test's (creds_clock).
 */
#include "unit.h"

#include <pthread.h>
#include <unistd.h>

#include "dynamo/creds.h"
#include "dynamo/exitcode.h"

#define T0 ((time_t)1800000000)

static time_t fake_now;

/* Atomic: the refresher's thread reads the clock while a test moves it. */
static time_t fake_clock(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static void set_now(time_t t)
{
	__atomic_store_n(&fake_now, t, __ATOMIC_SEQ_CST);
}

/* A fetch waits at a closed gate at most this long (a test fails, it never hangs). */
#define GATE_MAX_MS 3000

/*
 * A provider whose next fetch returns credentials living `lifetime` seconds.
 * The fields a test changes while the refresher runs are read atomically.
 */
struct fake {
	struct creds_provider base;
	time_t lifetime;	/* 0: never expire */
	int fail;		/* next fetches fail */
	int fetches;
	int sleep_ms;		/* to widen races in the threaded test */
	/* While the gate is closed, a fetch waits there (so a test can see who fetches). */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate_closed;
	int at_gate;		/* fetches waiting at the gate */
	pthread_t fetcher;	/* the thread of the last fetch */
};

static void gate_pass(struct fake *f)
{
	struct timespec until;

	pthread_mutex_lock(&f->gate_lock);
	f->fetcher = pthread_self();
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += GATE_MAX_MS / 1000;
	f->at_gate++;
	pthread_cond_broadcast(&f->gate_cond);
	while (f->gate_closed &&
	       pthread_cond_timedwait(&f->gate_cond, &f->gate_lock, &until) == 0)
		;
	f->at_gate--;
	pthread_mutex_unlock(&f->gate_lock);
}

static int fake_fetch(struct creds_provider *p, struct credentials **out,
		      struct errbuf *eb)
{
	struct fake *f = (struct fake *)p;
	int n = __atomic_add_fetch(&f->fetches, 1, __ATOMIC_SEQ_CST);
	time_t lifetime;
	char akid[32];

	gate_pass(f);
	if (f->sleep_ms)
		usleep((useconds_t)f->sleep_ms * 1000);
	if (__atomic_load_n(&f->fail, __ATOMIC_SEQ_CST))
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "the fake STS said no (fetch %d)", n);
	snprintf(akid, sizeof(akid), "ASIAFAKE%04d", n);
	lifetime = __atomic_load_n(&f->lifetime, __ATOMIC_SEQ_CST);
	*out = creds_new(akid, "secret", "token",
			 lifetime ? fake_clock() + lifetime : 0);
	return 0;
}

static void fake_destroy(struct creds_provider *p)
{
	struct fake *f = (struct fake *)p;

	pthread_cond_destroy(&f->gate_cond);
	pthread_mutex_destroy(&f->gate_lock);
	free(p);
}

static const struct creds_provider_ops fake_ops = {
	"fake", fake_fetch, fake_destroy
};

static struct fake *fake_new(time_t lifetime)
{
	struct fake *f = calloc(1, sizeof(*f));

	creds_provider_init(&f->base, &fake_ops, "profile 'fake'");
	f->lifetime = lifetime;
	pthread_mutex_init(&f->gate_lock, NULL);
	pthread_cond_init(&f->gate_cond, NULL);
	return f;
}

static void set_gate(struct fake *f, int closed)
{
	pthread_mutex_lock(&f->gate_lock);
	f->gate_closed = closed;
	pthread_cond_broadcast(&f->gate_cond);
	pthread_mutex_unlock(&f->gate_lock);
}

/* Waits (at most 5 s) for a fetch to stand at the closed gate; 1 when one does. */
static int fetch_at_gate(struct fake *f)
{
	struct timespec until;
	int r;

	pthread_mutex_lock(&f->gate_lock);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (!f->at_gate &&
	       pthread_cond_timedwait(&f->gate_cond, &f->gate_lock, &until) == 0)
		;
	r = f->at_gate > 0;
	pthread_mutex_unlock(&f->gate_lock);
	return r;
}

/* Whether the last fetch ran on the calling thread. */
static int fetched_here(struct fake *f)
{
	int r;

	pthread_mutex_lock(&f->gate_lock);
	r = pthread_equal(f->fetcher, pthread_self());
	pthread_mutex_unlock(&f->gate_lock);
	return r;
}

static int fetches(struct fake *f)
{
	return __atomic_load_n(&f->fetches, __ATOMIC_SEQ_CST);
}

/* Waits (at most 5 s) until n fetches have ended, successful or not. */
static void wait_fetches_ended(struct fake *f, unsigned n)
{
	int i;

	for (i = 0; i < 500; i++) {
		unsigned ended;

		pthread_mutex_lock(&f->base.lock);
		ended = f->base.fetch_gen;
		pthread_mutex_unlock(&f->base.lock);
		if (ended >= n)
			return;
		usleep(10000);
	}
	fail_msg("%u fetches did not end in 5 s", n);
}

/* Gets credentials, checks which fetch produced them, drops the reference. */
static void expect_key(struct fake *f, const char *akid)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = creds_get(&f->base, &eb);

	if (!c)
		fail_msg("creds_get failed: %s", eb.msg);
	assert_string_equal(c->access_key_id, akid);
	assert_false(eb.set);
	creds_put(c);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int setup(void **state)
{
	(void)state;
	fake_now = T0;
	creds_clock = fake_clock;
	return 0;
}

static void test_static_credentials_are_fetched_once(void **state)
{
	struct fake *f = fake_new(0);

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	fake_now += 10 * 365 * 86400;
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 1);
	creds_provider_free(&f->base);
}

static void test_refreshes_within_the_refresh_window(void **state)
{
	struct fake *f = fake_new(3600);
	time_t exp = T0 + 3600;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	fake_now = exp - CREDS_REFRESH_WINDOW - 1;
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 1);
	fake_now = exp - CREDS_REFRESH_WINDOW + 1;
	expect_key(f, "ASIAFAKE0002");
	assert_int_equal(f->fetches, 2);
	/* The new ones are good for another hour from now. */
	fake_now += 60;
	expect_key(f, "ASIAFAKE0002");
	assert_int_equal(f->fetches, 2);
	creds_provider_free(&f->base);
}

/*
 * STS's shortest session is 900 s, exactly the refresh window: such
 * credentials must not be refreshed on every request (which stalls every
 * worker behind an AssumeRole call), only after half their life.
 */
static void test_short_sessions_are_not_refreshed_on_every_call(void **state)
{
	struct fake *f = fake_new(900);

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	fake_now += 1;
	expect_key(f, "ASIAFAKE0001");
	fake_now = T0 + 449;
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 1);
	fake_now = T0 + 451;
	expect_key(f, "ASIAFAKE0002");
	assert_int_equal(f->fetches, 2);
	creds_provider_free(&f->base);
}

static void test_very_short_lived_credentials_refresh_each_time(void **state)
{
	struct fake *f = fake_new(30);

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	expect_key(f, "ASIAFAKE0002");
	assert_int_equal(f->fetches, 2);
	creds_provider_free(&f->base);
}

static void test_failed_refresh_keeps_valid_credentials_and_warns_once(void **state)
{
	struct fake *f = fake_new(3600);
	time_t exp = T0 + 3600;
	const char *err;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	f->fail = 1;
	fake_now = exp - 300;
	unit_capture_stderr();
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 2);
	/* Within the retry interval: no new STS call, no second warning. */
	fake_now += CREDS_RETRY_INTERVAL - 1;
	expect_key(f, "ASIAFAKE0001");
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 2);
	/* Then it tries again, still quietly. */
	fake_now += 2;
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(f->fetches, 3);
	err = unit_captured_text();
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "dynamo: warning: "));
	assert_non_null(strstr(err, "profile 'fake'"));
	assert_non_null(strstr(err, "the fake STS said no"));
	/* A later success is used at once. */
	f->fail = 0;
	fake_now += CREDS_RETRY_INTERVAL + 1;
	expect_key(f, "ASIAFAKE0004");
	creds_provider_free(&f->base);
}

static void test_failed_refresh_near_expiry_is_fatal(void **state)
{
	struct fake *f = fake_new(3600);
	struct errbuf eb = ERRBUF_INIT;
	time_t exp = T0 + 3600;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	f->fail = 1;
	fake_now = exp - CREDS_MANDATORY_WINDOW;
	assert_null(creds_get(&f->base, &eb));
	assert_true(eb.set);
	assert_non_null(strstr(eb.msg, "the fake STS said no"));
	assert_int_equal(eb.exit, EXIT_FAILURE_RUNTIME);
	creds_provider_free(&f->base);
}

/* A failed refresh with time to spare, then the clock runs into the mandatory window. */
static void test_retry_interval_does_not_outlast_the_credentials(void **state)
{
	struct fake *f = fake_new(3600);
	struct errbuf eb = ERRBUF_INIT;
	time_t exp = T0 + 3600;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	f->fail = 1;
	fake_now = exp - CREDS_MANDATORY_WINDOW - 5;
	unit_capture_stderr();
	expect_key(f, "ASIAFAKE0001");
	unit_captured_text();
	fake_now = exp - CREDS_MANDATORY_WINDOW + 1;
	assert_null(creds_get(&f->base, &eb));
	assert_int_equal(f->fetches, 3);
	fake_now = exp + 1;
	errbuf_clear(&eb);
	assert_null(creds_get(&f->base, &eb));
	assert_true(eb.set);
	creds_provider_free(&f->base);
}

static void test_first_fetch_failure_is_reported(void **state)
{
	struct fake *f = fake_new(3600);
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	f->fail = 1;
	assert_null(creds_get(&f->base, &eb));
	assert_string_equal(eb.msg, "the fake STS said no (fetch 1)");
	/* No credentials at all: every call tries again. */
	errbuf_clear(&eb);
	assert_null(creds_get(&f->base, &eb));
	assert_int_equal(f->fetches, 2);
	creds_provider_free(&f->base);
}

/*
 * A source that hands out credentials already expired (a credential_process
 * with a stale Expiration) is asked once more, then refused for a while:
 * every call refetched, and a helper ran 90 times in a 0.4 s copy.
 */
static void test_expired_credentials_are_refused_after_one_retry(void **state)
{
	struct fake *f = fake_new(-10);
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	assert_null(creds_get(&f->base, &eb));
	assert_int_equal(f->fetches, 2);
	assert_non_null(strstr(eb.msg, "already expired"));
	assert_non_null(strstr(eb.msg, "profile 'fake'"));
	assert_int_equal(eb.exit, EXIT_CONFIG);
	/* Within the interval: the same answer, without running the source again. */
	fake_now += CREDS_RETRY_INTERVAL - 1;
	errbuf_clear(&eb);
	assert_null(creds_get(&f->base, &eb));
	assert_non_null(strstr(eb.msg, "already expired"));
	assert_int_equal(f->fetches, 2);
	/* Later, fresh credentials are taken at once. */
	fake_now += 2;
	f->lifetime = 3600;
	expect_key(f, "ASIAFAKE0003");
	creds_provider_free(&f->base);
}

#define NTHREADS 8

static void *get_in_thread(void *arg)
{
	struct fake *f = arg;
	struct errbuf eb = ERRBUF_INIT;
	int i;

	for (i = 0; i < 20; i++) {
		struct credentials *c = creds_get(&f->base, &eb);

		if (!c)
			return (void *)1;
		creds_put(c);
	}
	return NULL;
}

static void test_one_refresh_serves_all_threads(void **state)
{
	struct fake *f = fake_new(3600);
	pthread_t th[NTHREADS];
	void *ret;
	int i;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	fake_now = T0 + 3600 - 100;
	f->sleep_ms = 20;
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, get_in_thread, f), 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(f->fetches, 2);
	creds_provider_free(&f->base);
}

static void test_credentials_outlive_the_provider_cache(void **state)
{
	struct fake *f = fake_new(3600);
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *old, *cur;

	(void)state;
	old = creds_get(&f->base, &eb);
	assert_non_null(old);
	fake_now = T0 + 3600 - 10;
	cur = creds_get(&f->base, &eb);
	assert_non_null(cur);
	/* A worker still signing with the old ones keeps a valid copy. */
	assert_string_equal(old->access_key_id, "ASIAFAKE0001");
	assert_string_equal(cur->access_key_id, "ASIAFAKE0002");
	creds_put(old);
	creds_put(cur);
	creds_provider_free(&f->base);
}

static void test_env_provider(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c;
	struct creds_provider *p;

	(void)state;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_SECURITY_TOKEN");
	assert_null(creds_env_new(&eb));
	assert_false(eb.set);

	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	assert_null(creds_env_new(&eb));
	assert_true(eb.set);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "AWS_SECRET_ACCESS_KEY"));

	errbuf_clear(&eb);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	p = creds_env_new(&eb);
	assert_non_null(p);
	c = creds_get(p, &eb);
	assert_non_null(c);
	assert_string_equal(c->access_key_id, "AKIAENV");
	assert_string_equal(c->secret_access_key, "envsecret");
	assert_string_equal(c->session_token, "envtoken");
	assert_int_equal(c->expiration, 0);
	creds_put(c);
	creds_provider_free(p);

	/* The old name of the session token still works; an empty token is none. */
	setenv("AWS_SESSION_TOKEN", "", 1);
	setenv("AWS_SECURITY_TOKEN", "oldtoken", 1);
	p = creds_env_new(&eb);
	c = creds_get(p, &eb);
	assert_string_equal(c->session_token, "oldtoken");
	creds_put(c);
	creds_provider_free(p);
	unsetenv("AWS_SECURITY_TOKEN");
	p = creds_env_new(&eb);
	c = creds_get(p, &eb);
	assert_null(c->session_token);
	creds_put(c);
	creds_provider_free(p);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

/* ---- the background refresher (creds_refresh_start) ---- */

/* Gets credentials on this thread, expecting the error of a failed fetch. */
static void expect_error(struct fake *f, const char *text)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = creds_get(&f->base, &eb);

	if (c)
		fail_msg("creds_get gave %s, expected an error", c->access_key_id);
	assert_non_null(strstr(eb.msg, text));
}

/* Gets credentials until they are akid (at most 5 s): the refresher's result. */
static void wait_key(struct fake *f, const char *akid)
{
	struct errbuf eb = ERRBUF_INIT;
	int i;

	for (i = 0; i < 500; i++) {
		struct credentials *c = creds_get(&f->base, &eb);
		int same;

		assert_non_null(c);
		same = !strcmp(c->access_key_id, akid);
		creds_put(c);
		if (same)
			return;
		usleep(10000);
	}
	fail_msg("the credentials did not become %s in 5 s", akid);
}

/*
 * In the refresh window, the fetch runs on the refresher's thread: the
 * thread that signs takes the current credentials at once, even while the
 * fetch is under way, then the new ones.
 */
static void test_refresher_fetches_off_the_signing_thread(void **state)
{
	struct fake *f = fake_new(3600);
	time_t exp = T0 + 3600;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	assert_true(fetched_here(f));
	creds_refresh_start(&f->base);
	set_gate(f, 1);
	set_now(exp - CREDS_REFRESH_WINDOW + 1);
	expect_key(f, "ASIAFAKE0001");
	assert_true(fetch_at_gate(f));
	assert_false(fetched_here(f));
	/* The fetch is stuck at the gate: signing does not wait for it. */
	expect_key(f, "ASIAFAKE0001");
	expect_key(f, "ASIAFAKE0001");
	set_gate(f, 0);
	wait_key(f, "ASIAFAKE0002");
	assert_false(fetched_here(f));
	assert_int_equal(fetches(f), 2);
	creds_refresh_stop(&f->base);
	creds_provider_free(&f->base);
}

/*
 * Credentials that live 100 s are renewed ahead of the mandatory window
 * (CREDS_REFRESH_LEAD, halfway there for them), by the refresher: nobody
 * signing ever has to wait for a fetch.
 */
static void test_refresher_renews_short_sessions_ahead(void **state)
{
	struct fake *f = fake_new(100);

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	creds_refresh_start(&f->base);
	set_now(T0 + 19);
	expect_key(f, "ASIAFAKE0001");
	usleep(50000);
	assert_int_equal(fetches(f), 1);
	set_now(T0 + 21);
	wait_key(f, "ASIAFAKE0002");
	assert_false(fetched_here(f));
	creds_refresh_stop(&f->base);
	creds_provider_free(&f->base);
}

/*
 * The refresher fails: the current credentials stay in use with one
 * warning until the mandatory window; past it, the thread that signs
 * fetches itself (the fallback) and gets an error or fresh credentials,
 * never the expiring ones.
 */
static void test_failed_background_refresh_then_the_fallback(void **state)
{
	struct fake *f = fake_new(3600);
	time_t exp = T0 + 3600;
	const char *err;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	creds_refresh_start(&f->base);
	__atomic_store_n(&f->fail, 1, __ATOMIC_SEQ_CST);
	unit_capture_stderr();
	set_now(exp - 300);
	expect_key(f, "ASIAFAKE0001");
	wait_fetches_ended(f, 2);
	assert_false(fetched_here(f));
	expect_key(f, "ASIAFAKE0001");
	err = unit_captured_text();
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "could not refresh the credentials of profile 'fake'"));
	/* Past usable: this thread fetches, and the failure is its error. */
	set_now(exp - CREDS_MANDATORY_WINDOW);
	expect_error(f, "the fake STS said no");
	assert_true(fetched_here(f));
	/* A source that answers again: fresh credentials, fetched here too. */
	__atomic_store_n(&f->fail, 0, __ATOMIC_SEQ_CST);
	expect_key(f, "ASIAFAKE0004");
	assert_true(fetched_here(f));
	assert_int_equal(fetches(f), 4);
	creds_refresh_stop(&f->base);
	creds_provider_free(&f->base);
}

struct getter {
	struct fake *f;
	char akid[32];		/* what creds_get gave, or "" */
	struct errbuf eb;
	int done;		/* atomic */
};

static void *getter_main(void *arg)
{
	struct getter *g = arg;
	struct credentials *c = creds_get(&g->f->base, &g->eb);

	if (c)
		snprintf(g->akid, sizeof(g->akid), "%s", c->access_key_id);
	creds_put(c);
	__atomic_store_n(&g->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * The clock jumps past expiry while the refresher's fetch is under way: a
 * thread that signs waits for that fetch rather than start a second one or
 * sign with expired credentials, and shares its result, good or bad.
 */
static void wait_for_background_fetch(int fail, const char *akid, const char *error)
{
	struct fake *f = fake_new(3600);
	struct getter g;
	pthread_t th;

	memset(&g, 0, sizeof(g));
	g.f = f;
	expect_key(f, "ASIAFAKE0001");
	creds_refresh_start(&f->base);
	set_gate(f, 1);
	set_now(T0 + 3600 - 300);
	expect_key(f, "ASIAFAKE0001");
	assert_true(fetch_at_gate(f));
	__atomic_store_n(&f->fail, fail, __ATOMIC_SEQ_CST);
	set_now(T0 + 3600 + 1);
	assert_int_equal(pthread_create(&th, NULL, getter_main, &g), 0);
	usleep(100000);
	assert_false(__atomic_load_n(&g.done, __ATOMIC_SEQ_CST));
	set_gate(f, 0);
	pthread_join(th, NULL);
	assert_string_equal(g.akid, akid);
	if (error)
		assert_non_null(strstr(g.eb.msg, error));
	assert_int_equal(fetches(f), 2);
	creds_refresh_stop(&f->base);
	creds_provider_free(&f->base);
}

static void test_past_expiry_waits_for_the_background_fetch(void **state)
{
	(void)state;
	wait_for_background_fetch(0, "ASIAFAKE0002", NULL);
}

static void test_past_expiry_gets_the_background_fetch_error(void **state)
{
	(void)state;
	wait_for_background_fetch(1, "", "the fake STS said no (fetch 2)");
}

/* Keys that never expire need no thread; starts and stops nest. */
static void test_refresher_starts_and_stops_nest(void **state)
{
	struct creds_provider *st = creds_static_new("profile 's'", "AKIA", "s", NULL);
	struct fake *f = fake_new(3600);

	(void)state;
	creds_refresh_start(st);
	creds_refresh_stop(st);
	creds_provider_free(st);
	expect_key(f, "ASIAFAKE0001");
	creds_refresh_start(&f->base);
	creds_refresh_start(&f->base);
	creds_refresh_stop(&f->base);
	/* One run still needs it: the refresher still refreshes. */
	set_now(T0 + 3600 - CREDS_REFRESH_WINDOW + 1);
	expect_key(f, "ASIAFAKE0001");
	wait_key(f, "ASIAFAKE0002");
	assert_false(fetched_here(f));
	creds_refresh_stop(&f->base);
	/* None does: the caller refreshes, as before. */
	set_now(T0 + 3600 - CREDS_REFRESH_WINDOW + 1 + 3600 - CREDS_REFRESH_WINDOW + 1);
	expect_key(f, "ASIAFAKE0003");
	assert_true(fetched_here(f));
	creds_provider_free(&f->base);
}

/* Two runs sharing a provider start and stop its refresher from two threads at once. */
static void *churn_main(void *arg)
{
	struct fake *f = arg;
	int i;

	for (i = 0; i < 5000; i++) {
		creds_refresh_start(&f->base);
		creds_refresh_stop(&f->base);
	}
	return NULL;
}

static void test_refresher_started_and_stopped_from_two_threads(void **state)
{
	struct fake *f = fake_new(3600);
	pthread_t a, b;

	(void)state;
	expect_key(f, "ASIAFAKE0001");
	assert_int_equal(pthread_create(&a, NULL, churn_main, f), 0);
	assert_int_equal(pthread_create(&b, NULL, churn_main, f), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	assert_int_equal(f->base.watchers, 0);
	assert_int_equal(f->base.refresher_on, 0);
	creds_provider_free(&f->base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_static_credentials_are_fetched_once, setup),
		cmocka_unit_test_setup(test_refreshes_within_the_refresh_window, setup),
		cmocka_unit_test_setup(test_short_sessions_are_not_refreshed_on_every_call, setup),
		cmocka_unit_test_setup(test_very_short_lived_credentials_refresh_each_time, setup),
		cmocka_unit_test_setup(test_failed_refresh_keeps_valid_credentials_and_warns_once, setup),
		cmocka_unit_test_setup(test_failed_refresh_near_expiry_is_fatal, setup),
		cmocka_unit_test_setup(test_retry_interval_does_not_outlast_the_credentials, setup),
		cmocka_unit_test_setup(test_first_fetch_failure_is_reported, setup),
		cmocka_unit_test_setup(test_expired_credentials_are_refused_after_one_retry, setup),
		cmocka_unit_test_setup(test_one_refresh_serves_all_threads, setup),
		cmocka_unit_test_setup(test_credentials_outlive_the_provider_cache, setup),
		cmocka_unit_test_setup(test_env_provider, setup),
		cmocka_unit_test_setup(test_refresher_fetches_off_the_signing_thread, setup),
		cmocka_unit_test_setup(test_refresher_renews_short_sessions_ahead, setup),
		cmocka_unit_test_setup(test_failed_background_refresh_then_the_fallback, setup),
		cmocka_unit_test_setup(test_past_expiry_waits_for_the_background_fetch, setup),
		cmocka_unit_test_setup(test_past_expiry_gets_the_background_fetch_error, setup),
		cmocka_unit_test_setup(test_refresher_starts_and_stops_nest, setup),
		cmocka_unit_test_setup(test_refresher_started_and_stopped_from_two_threads, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
