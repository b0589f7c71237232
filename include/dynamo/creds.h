#ifndef DYNAMO_CREDS_H
#define DYNAMO_CREDS_H

#include <pthread.h>
#include <time.h>
#include "dynamo/msg.h"

/*
 * Credentials and their providers. One provider per source (environment,
 * profile keys, assume-role, web identity, SSO, credential_process,
 * container, instance metadata), each in its own file behind this
 * interface; creds_chain.c decides which one a profile uses.
 *
 * Credentials are immutable and reference-counted, so a worker can keep
 * signing with its copy while another thread refreshes them. Secrets are
 * wiped when the last reference goes.
 */

struct credentials {
	char *access_key_id;		/* owned */
	char *secret_access_key;	/* owned, secret */
	char *session_token;		/* owned, secret; NULL when none */
	time_t expiration;		/* 0: never expires */
	int refs;			/* atomic */
};

struct creds_provider;

struct creds_provider_ops {
	const char *kind;	/* "static", "assume-role", "sso", ... */
	/* Produces fresh credentials (refs = 1) or fills eb and returns -1. */
	int (*fetch)(struct creds_provider *p, struct credentials **out,
		     struct errbuf *eb);
	void (*destroy)(struct creds_provider *p);
};

struct creds_provider {
	const struct creds_provider_ops *ops;
	char *what;			/* owned: for messages, "profile 'prod'" */
	pthread_mutex_t lock;		/* guards the fields below */
	pthread_cond_t changed;		/* a fetch ended, or the refresher has work */
	struct credentials *cached;	/* owned reference */
	time_t fetched;			/* when cached was fetched (creds_clock) */
	time_t retry_after;		/* after a failed refresh: no new try before this */
	int warned;			/* the failed refresh was reported */
	/*
	 * The source handed out credentials that had already expired, twice
	 * in a row: every call would spawn it again (a credential_process ran
	 * 90 times in a 0.4 s copy), so the failure stands until then.
	 */
	time_t expired_until;
	struct errbuf expired;
	/*
	 * A fetch runs outside the lock, so threads with usable credentials
	 * never wait for it; those without wait on changed for its result
	 * (fetch_gen counts the fetches ended; failed and failure are the
	 * last one's outcome).
	 */
	int fetching;
	unsigned fetch_gen;
	int failed;
	struct errbuf failure;
	/* The background refresher (creds_refresh_start). */
	int watchers;			/* runs that asked for it */
	int refresher_on;		/* its thread runs */
	int refresher_stop;		/* asked to end */
	int refresher_ending;		/* a stop is joining it */
	pthread_t refresher;
};

/*
 * Seconds before expiry at which credentials are refreshed; for credentials
 * that live less than twice as long, half their lifetime (but at least
 * CREDS_MANDATORY_WINDOW), so 15-minute role sessions are not refreshed on
 * every request.
 */
#define CREDS_REFRESH_WINDOW 900
/* Below this many seconds left, a failed refresh is fatal. */
#define CREDS_MANDATORY_WINDOW 60
/* After a failed refresh with time to spare, the next try waits this long. */
#define CREDS_RETRY_INTERVAL 30
/*
 * The background refresher acts this long before the mandatory window at
 * the latest (or halfway there, for credentials that live less), so that
 * short sessions too are renewed before anyone has to wait for them.
 */
#define CREDS_REFRESH_LEAD 30

/* The wall clock creds_get compares expirations with; tests replace it. */
extern time_t (*creds_clock)(void);

void creds_provider_init(struct creds_provider *p,
			 const struct creds_provider_ops *ops, const char *what);
void creds_provider_free(struct creds_provider *p);
/* Whether p hands out the keys of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
int creds_from_environment(const struct creds_provider *p);

/*
 * Current credentials with a reference the caller drops with creds_put.
 * Thread-safe; the fetch itself runs outside the provider's lock, so a
 * thread whose credentials are still usable never waits for it.
 *
 * Without a refresher (creds_refresh_start), refreshes them when they
 * expire within the refresh window; if the refresh fails while the old ones
 * have more than CREDS_MANDATORY_WINDOW left, warns once, keeps using them
 * and tries again after CREDS_RETRY_INTERVAL. Threads that need credentials
 * while another fetches wait for that fetch and share its result.
 *
 * With a refresher, the refresh window is the refresher's business: callers
 * take the current credentials until CREDS_MANDATORY_WINDOW. Past that (the
 * refresher keeps failing, or the clock jumped), the caller fetches
 * synchronously on its own thread, the fallback, or waits for the fetch
 * under way, and gets fresh credentials or its error: never expired ones.
 */
struct credentials *creds_get(struct creds_provider *p, struct errbuf *eb);
void creds_put(struct credentials *c);
/* Another reference to c (returns c). */
struct credentials *creds_hold(struct credentials *c);

/*
 * The background refresher: a thread that fetches p's credentials ahead of
 * the refresh window, off the threads that sign, while a run (a job, a
 * stream follower) needs them. Calls nest (counted); each start is matched
 * by a stop, both from the thread that runs the job. Stop waits for a
 * fetch under way (bounded by its timeouts). Nothing happens for keys that
 * never expire (nor for p NULL); when the thread cannot be made,
 * creds_get refreshes as without a refresher.
 */
void creds_refresh_start(struct creds_provider *p);
void creds_refresh_stop(struct creds_provider *p);

/* New credentials (refs = 1); token and expiration optional. Copies strings. */
struct credentials *creds_new(const char *akid, const char *secret,
			      const char *token, time_t expiration);

/*
 * Credentials from a JSON object whose fields have the given names (they
 * differ between container, IMDS, credential_process and SSO). exp_key's
 * value is an ISO 8601 string, or epoch milliseconds when exp_is_ms.
 * Needs akid and secret; token and expiration are optional.
 */
struct cJSON;
int creds_from_json(const struct cJSON *obj, const char *akid_key,
		    const char *secret_key, const char *token_key,
		    const char *exp_key, int exp_is_ms, const char *what,
		    struct credentials **out, struct errbuf *eb);

/* The chain: what a profile (or no profile) resolves to. See creds_chain.c. */
struct aws_config;
struct creds_settings {
	const struct aws_config *cfg;	/* borrowed */
	const char *profile;		/* NULL: AWS_PROFILE or "default" */
	int profile_explicit;		/* --profile or AWS_PROFILE was given */
	const char *region;		/* resolved region of that profile, for STS/SSO */
	int interactive;		/* stdin is a terminal (MFA prompts) */
};

struct creds_provider *creds_resolve(const struct creds_settings *set,
				     struct errbuf *eb);

/*
 * Providers, one file each (src/aws/creds_*.c). Each constructor copies what
 * it is given; "what" names the source in messages ("profile 'prod'").
 * Constructors only check their settings; the network is used on fetch.
 */
struct endpoint;

/* Static keys (profile or environment). */
struct creds_provider *creds_static_new(const char *what, const char *akid,
					const char *secret, const char *token);
/* AWS_ACCESS_KEY_ID etc.; NULL (eb untouched) when not set. */
struct creds_provider *creds_env_new(struct errbuf *eb);

struct assume_role_params {
	const char *role_arn;
	const char *session_name;	/* NULL: "dynamo-<epoch>" */
	const char *external_id;	/* or NULL */
	const char *mfa_serial;		/* or NULL */
	int duration_seconds;		/* 0: STS default (3600) */
	int interactive;		/* may prompt for the MFA code on /dev/tty */
};
/* STS AssumeRole signed with source's credentials; takes ownership of source. */
struct creds_provider *creds_assume_new(const char *what,
					struct creds_provider *source,
					const struct assume_role_params *p,
					const struct endpoint *sts,
					const char *region);

/* STS AssumeRoleWithWebIdentity with the token read from token_file on each fetch. */
struct creds_provider *creds_webid_new(const char *what, const char *token_file,
				       const char *role_arn,
				       const char *session_name,
				       const struct endpoint *sts,
				       const char *region);

struct sso_params {
	const char *start_url;
	const char *sso_region;
	const char *account_id;
	const char *role_name;
	const char *session_name;	/* the sso-session name, or NULL for the legacy form */
	const char *profile;		/* for "run aws sso login --profile X" */
	const char *config_file;	/* where the profile is, for messages; or NULL */
};
/* SSO portal GetRoleCredentials with the token from ~/.aws/sso/cache. */
struct creds_provider *creds_sso_new(const char *what, const struct sso_params *p,
				     const struct endpoint *portal);

/* credential_process: runs command, reads the JSON it prints (Version 1). */
struct creds_provider *creds_process_new(const char *what, const char *command);
/* How long a credential_process may run before it is killed (ms); tests shorten it. */
extern int creds_process_timeout_ms;

/* ECS/EKS container credentials; NULL (eb untouched) when the env does not ask for them. */
struct creds_provider *creds_container_new(struct errbuf *eb);

/*
 * EC2 instance metadata (IMDSv2); NULL when AWS_EC2_METADATA_DISABLED=true.
 * context starts the error when the service does not answer (what was asked
 * first and had nothing); NULL for the end of the default chain.
 */
struct creds_provider *creds_imds_new(const char *context);

#endif
