#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"

#include <cJSON.h>

#include <stdlib.h>
#include <time.h>
#include <string.h>

time_t (*creds_clock)(void) = clock_wall;

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
	p->ops = ops;
	p->what = xstrdup(what);
	pthread_mutex_init(&p->lock, NULL);
	p->cached = NULL;
	p->fetched = 0;
	p->retry_after = 0;
	p->warned = 0;
	p->expired_until = 0;
	errbuf_clear(&p->expired);
}

void creds_provider_free(struct creds_provider *p)
{
	if (!p)
		return;
	creds_put(p->cached);
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
 * Fetches credentials that have not already expired: a source that hands
 * out expired ones is asked once more (a clock that just stepped, a cache
 * refreshed meanwhile), then refused for CREDS_RETRY_INTERVAL.
 */
static int fetch_unexpired(struct creds_provider *p, struct credentials **out,
			   time_t now, struct errbuf *why)
{
	char when[32] = "";
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		struct credentials *c = NULL;
		struct tm tm;

		if (p->ops->fetch(p, &c, why) < 0)
			return -1;
		if (!c->expiration || c->expiration > now) {
			*out = c;
			return 0;
		}
		if (gmtime_r(&c->expiration, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		creds_put(c);
	}
	errf(why, EXIT_CONFIG,
	     "%s gave credentials that had already expired (at %s), twice in a row: check what it returns as Expiration, and this machine's clock",
	     p->what, when);
	p->expired = *why;
	p->expired_until = now + CREDS_RETRY_INTERVAL;
	return -1;
}

struct credentials *creds_get(struct creds_provider *p, struct errbuf *eb)
{
	struct credentials *fresh = NULL, *out = NULL;
	struct errbuf why = ERRBUF_INIT;
	time_t now = creds_clock();

	pthread_mutex_lock(&p->lock);
	if (fresh_enough(p, now) ||
	    (usable(p->cached, now) && now < p->retry_after)) {
		out = creds_hold(p->cached);
		goto cleanup;
	}
	if (now < p->expired_until && !usable(p->cached, now)) {
		errf(eb, p->expired.exit, "%s", p->expired.msg);
		goto cleanup;
	}
	/* Refresh under the lock: other threads wait instead of stampeding STS. */
	if (fetch_unexpired(p, &fresh, now, &why) == 0) {
		creds_put(p->cached);
		p->cached = fresh;
		p->fetched = now;
		p->retry_after = 0;
		p->warned = 0;
		out = creds_hold(fresh);
		goto cleanup;
	}
	if (usable(p->cached, now)) {
		if (!p->warned)
			msg_warn("could not refresh the credentials of %s (%s); using the current ones until they expire",
				 p->what, why.msg);
		p->warned = 1;
		p->retry_after = now + CREDS_RETRY_INTERVAL;
		out = creds_hold(p->cached);
		goto cleanup;
	}
	errf(eb, why.exit ? why.exit : EXIT_CONFIG, "%s", why.msg);
cleanup:
	pthread_mutex_unlock(&p->lock);
	return out;
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
