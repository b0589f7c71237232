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

static time_t fake_clock(void)
{
	return fake_now;
}

/* A provider whose next fetch returns credentials living `lifetime` seconds. */
struct fake {
	struct creds_provider base;
	time_t lifetime;	/* 0: never expire */
	int fail;		/* next fetches fail */
	int fetches;
	int sleep_ms;		/* to widen races in the threaded test */
};

static int fake_fetch(struct creds_provider *p, struct credentials **out,
		      struct errbuf *eb)
{
	struct fake *f = (struct fake *)p;
	char akid[32];

	f->fetches++;
	if (f->sleep_ms)
		usleep((useconds_t)f->sleep_ms * 1000);
	if (f->fail)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "the fake STS said no (fetch %d)", f->fetches);
	snprintf(akid, sizeof(akid), "ASIAFAKE%04d", f->fetches);
	*out = creds_new(akid, "secret", "token",
			 f->lifetime ? fake_now + f->lifetime : 0);
	return 0;
}

static void fake_destroy(struct creds_provider *p)
{
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
	return f;
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

/* stderr goes to a temporary file while a test counts warnings. */
static int saved_stderr = -1;
static FILE *captured;

static void capture_stderr(void)
{
	fflush(stderr);
	captured = tmpfile();
	assert_non_null(captured);
	saved_stderr = dup(2);
	dup2(fileno(captured), 2);
}

static char *captured_text(void)
{
	static char text[8192];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	fclose(captured);
	return text;
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
	capture_stderr();
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
	err = captured_text();
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
	capture_stderr();
	expect_key(f, "ASIAFAKE0001");
	captured_text();
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
