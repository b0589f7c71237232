#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/http.h"
#include "dynamo/redact.h"

#include <cJSON.h>

#include <stdlib.h>
#include <time.h>
#include <string.h>

time_t (*creds_clock)(void) = clock_wall;

static const struct creds_provider_ops static_ops;

struct credentials *creds_new(const char *akid, const char *secret,
			      const char *token, time_t expiration)
{
	struct credentials *c = xcalloc(1, sizeof(*c));

	c->access_key_id = xstrdup(akid);
	c->secret_access_key = xstrdup(secret);
	c->session_token = token && *token ? xstrdup(token) : NULL;
	c->expiration = expiration;
	c->refs = 1;
	/* Known to the redactor for as long as they exist (see redact.h). */
	redact_add(c->access_key_id);
	redact_add(c->secret_access_key);
	redact_add(c->session_token);
	return c;
}

void creds_put(struct credentials *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	redact_remove(c->access_key_id);
	redact_remove(c->secret_access_key);
	redact_remove(c->session_token);
	free_secret(c->access_key_id);
	free_secret(c->secret_access_key);
	free_secret(c->session_token);
	wipe(c, sizeof(*c));
	free(c);
}

struct credentials *creds_hold(struct credentials *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
	return c;
}

void creds_provider_init(struct creds_provider *p,
			 const struct creds_provider_ops *ops, const char *what)
{
	pthread_condattr_t ca;

	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->what = xstrdup(what);
	pthread_mutex_init(&p->lock, NULL);
	/* The refresher's naps are measured on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->changed, &ca);
	pthread_condattr_destroy(&ca);
	errbuf_clear(&p->expired);
	errbuf_clear(&p->failure);
}

static void refresher_end(struct creds_provider *p);

void creds_provider_free(struct creds_provider *p)
{
	if (!p)
		return;
	refresher_end(p);
	creds_put(p->cached);
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	free(p->what);
	if (p->ops->destroy)
		p->ops->destroy(p);
	else
		free(p);
}

/* Seconds before expiry at which a refresh is due (see creds.h). */
static time_t refresh_window(const struct creds_provider *p)
{
	time_t half = (p->cached->expiration - p->fetched) / 2;

	if (half >= CREDS_REFRESH_WINDOW)
		return CREDS_REFRESH_WINDOW;
	return half > CREDS_MANDATORY_WINDOW ? half : CREDS_MANDATORY_WINDOW;
}

static int fresh_enough(const struct creds_provider *p, time_t now)
{
	const struct credentials *c = p->cached;

	return c && (!c->expiration ||
		     c->expiration - now > refresh_window(p));
}

/* Still good enough to sign with while a refresh is failing. */
static int usable(const struct credentials *c, time_t now)
{
	return c && (!c->expiration ||
		     c->expiration - now > CREDS_MANDATORY_WINDOW);
}

/*
 * When the refresher fetches: at the refresh window, and at least
 * CREDS_REFRESH_LEAD before the mandatory window (halfway there for
 * credentials that live less). 0: it has nothing to do (no credentials
 * yet, keys that never expire, or ones too short-lived to be renewed
 * ahead, which creds_get fetches each time), or it waits after a failure.
 */
static time_t refresher_due(const struct creds_provider *p)
{
	const struct credentials *c = p->cached;
	time_t life, lead, ahead;

	if (!c || !c->expiration)
		return 0;
	life = c->expiration - p->fetched - CREDS_MANDATORY_WINDOW;
	if (life <= 0)
		return 0;
	lead = life / 2 < CREDS_REFRESH_LEAD ? life / 2 : CREDS_REFRESH_LEAD;
	ahead = refresh_window(p);
	if (ahead < CREDS_MANDATORY_WINDOW + lead)
		ahead = CREDS_MANDATORY_WINDOW + lead;
	return c->expiration - ahead > p->retry_after ? c->expiration - ahead :
							p->retry_after;
}

/* Whether creds_get hands out the cached credentials as they are. */
static int serves_cached(const struct creds_provider *p, time_t now)
{
	if (fresh_enough(p, now))
		return 1;
	return usable(p->cached, now) &&
	       (p->refresher_on || p->fetching || now < p->retry_after);
}

enum fetch_result { FETCHED = 0, FETCH_FAILED = -1, FETCH_EXPIRED = -2 };

/*
 * Fetches credentials that have not already expired: a source that hands
 * out expired ones is asked once more (a clock that just stepped, a cache
 * refreshed meanwhile), then refused (FETCH_EXPIRED). Outside the lock.
 */
static enum fetch_result fetch_unexpired(struct creds_provider *p,
					 struct credentials **out, time_t now,
					 struct errbuf *why)
{
	char when[32] = "";
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		struct credentials *c = NULL;
		struct tm tm;

		if (p->ops->fetch(p, &c, why) < 0)
			return FETCH_FAILED;
		if (!c->expiration || c->expiration > now) {
			*out = c;
			return FETCHED;
		}
		if (gmtime_r(&c->expiration, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		creds_put(c);
	}
	errf(why, EXIT_CONFIG,
	     "%s gave credentials that had already expired (at %s), twice in a row: check what it returns as Expiration, and this machine's clock",
	     p->what, when);
	return FETCH_EXPIRED;
}

/*
 * One fetch, with p->lock held on entry and on return but released while
 * the source runs. Installs what it got, or records the failure; warns
 * once when the current credentials stay in use. Returns 0 when fresh
 * credentials are in p->cached.
 */
static int refresh(struct creds_provider *p, time_t now)
{
	struct credentials *fresh = NULL;
	struct errbuf why = ERRBUF_INIT;
	enum fetch_result r;

	p->fetching = 1;
	pthread_mutex_unlock(&p->lock);
	r = fetch_unexpired(p, &fresh, now, &why);
	pthread_mutex_lock(&p->lock);
	p->fetching = 0;
	p->fetch_gen++;
	p->failed = r != FETCHED;
	pthread_cond_broadcast(&p->changed);
	if (r == FETCHED) {
		creds_put(p->cached);
		p->cached = fresh;
		p->fetched = now;
		p->retry_after = 0;
		p->warned = 0;
		return 0;
	}
	/* What follows counts from the end of the fetch, which may have taken long. */
	now = creds_clock();
	p->failure = why;
	if (!p->failure.exit)
		p->failure.exit = EXIT_CONFIG;
	if (r == FETCH_EXPIRED) {
		p->expired = p->failure;
		p->expired_until = now + CREDS_RETRY_INTERVAL;
	}
	/* Callers with usable credentials, and the refresher, wait this long. */
	p->retry_after = now + CREDS_RETRY_INTERVAL;
	if (usable(p->cached, now)) {
		/* A fetch a signal cut short (engine_stop) is the stop, not news. */
		if (!p->warned && !engine_stop)
			msg_warn("could not refresh the credentials of %s (%s); using the current ones until they expire",
				 p->what, why.msg);
		p->warned = 1;
	}
	return -1;
}

/* Wakes the refresher when its time has come (a clock that jumped, a test's clock). */
static void nudge_refresher(struct creds_provider *p, time_t now)
{
	time_t due;

	if (p->refresher_on && !p->fetching && (due = refresher_due(p)) &&
	    now >= due)
		pthread_cond_broadcast(&p->changed);
}

struct credentials *creds_get(struct creds_provider *p, struct errbuf *eb)
{
	struct credentials *out = NULL;
	time_t now;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		now = creds_clock();
		if (serves_cached(p, now)) {
			out = creds_hold(p->cached);
			nudge_refresher(p, now);
			break;
		}
		if (now < p->expired_until && !usable(p->cached, now)) {
			errf(eb, p->expired.exit, "%s", p->expired.msg);
			break;
		}
		if (p->fetching) {
			/* Another thread fetches (the refresher): its result is ours. */
			unsigned gen = p->fetch_gen;

			while (p->fetching && p->fetch_gen == gen)
				pthread_cond_wait(&p->changed, &p->lock);
			if (p->failed && !usable(p->cached, creds_clock())) {
				errf(eb, p->failure.exit, "%s", p->failure.msg);
				break;
			}
			continue;
		}
		/* Nobody fetches: this thread does (without a refresher, or its fallback). */
		if (refresh(p, now) == 0 || usable(p->cached, now)) {
			out = creds_hold(p->cached);
			break;
		}
		errf(eb, p->failure.exit, "%s", p->failure.msg);
		break;
	}
	pthread_mutex_unlock(&p->lock);
	return out;
}

/* ---- the background refresher ---- */

/* The longest nap: a wall clock that jumps (a laptop's sleep) is seen within it. */
#define REFRESHER_NAP_MAX 60

static void nap(struct creds_provider *p, time_t secs)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += secs < REFRESHER_NAP_MAX ? secs : REFRESHER_NAP_MAX;
	pthread_cond_timedwait(&p->changed, &p->lock, &until);
}

static void *refresher_main(void *arg)
{
	struct creds_provider *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->refresher_stop) {
		time_t now = creds_clock(), due = refresher_due(p);

		if (p->fetching || !due)
			pthread_cond_wait(&p->changed, &p->lock);
		else if (now < due)
			nap(p, due - now);
		else if (refresh(p, now) == 0)
			msg_debug("refreshed the credentials of %s in the background",
				  p->what);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void creds_refresh_start(struct creds_provider *p)
{
	if (!p || p->ops == &static_ops)
		return;		/* they never expire */
	pthread_mutex_lock(&p->lock);
	/* A stop under way on another thread joins the old thread first. */
	while (p->refresher_ending)
		pthread_cond_wait(&p->changed, &p->lock);
	if (p->watchers++ == 0) {
		p->refresher_stop = 0;
		if (pthread_create(&p->refresher, NULL, refresher_main, p) == 0)
			p->refresher_on = 1;
		else
			msg_debug("cannot start the thread that refreshes the credentials of %s: they are refreshed when needed",
				  p->what);
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * Asks the thread to end; the caller holds the lock and, once it has let
 * go of it, joins the thread with refresher_join (it may be fetching).
 * refresher_ending, set in the same critical section as the last stop,
 * keeps a start on another thread from making a new thread (and
 * overwriting p->refresher) before this one is joined: the old one would
 * never end and the new one would be joined twice.
 */
static int refresher_ask_end(struct creds_provider *p)
{
	p->refresher_stop = 1;
	p->refresher_ending = 1;
	pthread_cond_broadcast(&p->changed);
	return p->refresher_on;
}

static void refresher_join(struct creds_provider *p, int on)
{
	if (on)
		pthread_join(p->refresher, NULL);
	pthread_mutex_lock(&p->lock);
	p->refresher_on = 0;
	p->refresher_ending = 0;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

static void refresher_end(struct creds_provider *p)
{
	int on;

	pthread_mutex_lock(&p->lock);
	on = refresher_ask_end(p);
	pthread_mutex_unlock(&p->lock);
	refresher_join(p, on);
}

void creds_refresh_stop(struct creds_provider *p)
{
	int last, on = 0;

	if (!p || p->ops == &static_ops)
		return;
	pthread_mutex_lock(&p->lock);
	last = p->watchers > 0 && --p->watchers == 0;
	if (last)
		on = refresher_ask_end(p);
	pthread_mutex_unlock(&p->lock);
	if (last)
		refresher_join(p, on);
}

/* ---- static keys: environment or profile ---- */

struct static_provider {
	struct creds_provider base;
	struct credentials *creds;
};

static int static_fetch(struct creds_provider *p, struct credentials **out,
			struct errbuf *eb)
{
	struct static_provider *s = (struct static_provider *)p;

	(void)eb;
	*out = creds_hold(s->creds);
	return 0;
}

static void static_destroy(struct creds_provider *p)
{
	struct static_provider *s = (struct static_provider *)p;

	creds_put(s->creds);
	free(s);
}

static const struct creds_provider_ops static_ops = {
	"static", static_fetch, static_destroy
};

struct creds_provider *creds_static_new(const char *what, const char *akid,
					const char *secret, const char *token)
{
	struct static_provider *s = xcalloc(1, sizeof(*s));

	creds_provider_init(&s->base, &static_ops, what);
	s->creds = creds_new(akid, secret, token, 0);
	return &s->base;
}

#define ENV_KEYS "the AWS_ACCESS_KEY_ID environment variable"

struct creds_provider *creds_env_new(struct errbuf *eb)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");

	if (!token || !*token)
		token = getenv("AWS_SECURITY_TOKEN");
	if (!akid || !*akid)
		return NULL;
	if (!secret || !*secret) {
		errf(eb, EXIT_CONFIG,
		     "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset AWS_ACCESS_KEY_ID to use a profile");
		return NULL;
	}
	return creds_static_new(ENV_KEYS, akid, secret, token);
}

int creds_from_environment(const struct creds_provider *p)
{
	return p->ops == &static_ops && !strcmp(p->what, ENV_KEYS);
}

int creds_from_json(const struct cJSON *obj, const char *akid_key,
		    const char *secret_key, const char *token_key,
		    const char *exp_key, int exp_is_ms, const char *what,
		    struct credentials **out, struct errbuf *eb)
{
	const cJSON *akid = cJSON_GetObjectItemCaseSensitive(obj, akid_key);
	const cJSON *secret = cJSON_GetObjectItemCaseSensitive(obj, secret_key);
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(obj, token_key);
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(obj, exp_key);
	time_t expiration = 0;

	if (!cJSON_IsString(akid) || !*akid->valuestring ||
	    !cJSON_IsString(secret) || !*secret->valuestring)
		return errf(eb, EXIT_CONFIG,
			    "%s returned no %s and %s", what, akid_key, secret_key);
	if (exp_is_ms && cJSON_IsNumber(exp)) {
		double sec = exp->valuedouble / 1000;

		if (!(sec > 0 && sec < 32503680000.0))	/* before the year 3000 */
			return errf(eb, EXIT_CONFIG, "%s returned an unreadable %s",
				    what, exp_key);
		expiration = (time_t)sec;
	}
	else if (cJSON_IsString(exp) &&
		 clock_parse_iso8601(exp->valuestring, &expiration) < 0)
		return errf(eb, EXIT_CONFIG,
			    "%s returned an unreadable %s '%s'", what, exp_key,
			    exp->valuestring);
	*out = creds_new(akid->valuestring, secret->valuestring,
			 cJSON_IsString(token) ? token->valuestring : NULL,
			 expiration);
	return 0;
}
