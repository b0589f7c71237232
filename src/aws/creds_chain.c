/*
 * Which credentials a profile uses, in botocore's order:
 *
 *   environment keys (unless --profile was given)
 *   the profile's role_arn (source_profile chains, or credential_source)
 *   web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's)
 *   SSO (sso_session or the legacy sso_start_url)
 *   static keys in the credentials or config file
 *   credential_process
 *   container credentials, then EC2 instance metadata (also for a named
 *   profile that has none of the above)
 */
#include "dynamo/creds.h"
#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"
#include "dynamo/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HOPS 10
/* What a profile may hold to have credentials of its own, for errors. */
#define CRED_KINDS "aws_access_key_id and aws_secret_access_key, " \
	"role_arn with source_profile, sso_session, or credential_process"

struct chain {
	const struct creds_settings *set;
	const char *hops[MAX_HOPS];
	int nhops;
};

static const char *get(const struct chain *ch, const char *profile,
		       const char *key)
{
	const char *v = aws_profile_get(ch->set->cfg, profile, key);

	return v && *v ? v : NULL;
}

static void describe(char *out, size_t n, const char *profile)
{
	snprintf(out, n, "profile '%s'", profile);
}

/* The file the profile's key is read from: the credentials file wins, as in botocore. */
static const char *key_file(const struct chain *ch, const char *profile, const char *key)
{
	const struct aws_config *c = ch->set->cfg;

	return ini_get(ini_section(&c->credentials, profile), key) ? c->credentials.path :
	       c->config.path;
}

static struct creds_provider *profile_keys(const struct chain *ch,
					   const char *profile,
					   struct errbuf *eb)
{
	const char *akid = get(ch, profile, "aws_access_key_id");
	const char *secret = get(ch, profile, "aws_secret_access_key");
	const char *token = get(ch, profile, "aws_session_token");
	char what[300];

	if (!akid)
		return NULL;
	if (!token)
		token = get(ch, profile, "aws_security_token");
	if (!secret) {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' has aws_access_key_id in %s but no aws_secret_access_key (add it there, or remove the key id)",
		     profile, key_file(ch, profile, "aws_access_key_id"));
		return NULL;
	}
	/* Name the file the secret is in: a bad signature means "check it there". */
	snprintf(what, sizeof(what), "profile '%s' in %s", profile,
		 key_file(ch, profile, "aws_secret_access_key"));
	return creds_static_new(what, akid, secret, token);
}

static struct creds_provider *from_profile(struct chain *ch,
					   const char *profile,
					   struct errbuf *eb);

static struct creds_provider *credential_source(const struct chain *ch,
						const char *profile,
						const char *src,
						struct errbuf *eb)
{
	struct creds_provider *p = NULL;

	if (!strcasecmp(src, "Environment")) {
		p = creds_env_new(eb);
		if (!p && !eb->set)
			errf(eb, EXIT_CONFIG,
			     "profile '%s' takes its credentials from the environment (credential_source = Environment) but AWS_ACCESS_KEY_ID is not set",
			     profile);
	} else if (!strcasecmp(src, "Ec2InstanceMetadata")) {
		char context[300];

		snprintf(context, sizeof(context),
			 "profile '%s' takes its credentials from instance metadata (credential_source = Ec2InstanceMetadata)",
			 profile);
		p = creds_imds_new(context);
		if (!p)
			errf(eb, EXIT_CONFIG,
			     "profile '%s' uses instance metadata but AWS_EC2_METADATA_DISABLED is set",
			     profile);
	} else if (!strcasecmp(src, "EcsContainer")) {
		p = creds_container_new(eb);
		if (!p && !eb->set)
			errf(eb, EXIT_CONFIG,
			     "profile '%s' uses container credentials but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI is not set",
			     profile);
	} else {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' has credential_source '%s': use Environment, Ec2InstanceMetadata or EcsContainer",
		     profile, src);
	}
	(void)ch;
	return p;
}

static int parse_duration(const struct chain *ch, const char *profile,
			  int *out, struct errbuf *eb)
{
	const char *v = get(ch, profile, "duration_seconds");
	char *end;
	long n;

	*out = 0;
	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || n < 900 || n > 43200)
		return errf(eb, EXIT_CONFIG,
			    "profile '%s' has duration_seconds '%s': it must be a number of seconds from 900 to 43200",
			    profile, v);
	*out = (int)n;
	return 0;
}

static struct creds_provider *role_source(struct chain *ch, const char *profile,
					  struct errbuf *eb)
{
	const char *src = get(ch, profile, "source_profile");
	const char *csrc = get(ch, profile, "credential_source");
	const struct aws_config *cfg = ch->set->cfg;
	struct creds_provider *p;

	if (src && csrc) {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' sets both source_profile and credential_source in %s: keep one",
		     profile, aws_profile_file(cfg, profile));
		return NULL;
	}
	if (csrc)
		return credential_source(ch, profile, csrc, eb);
	if (!src) {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' has role_arn but neither source_profile nor credential_source in %s",
		     profile, aws_profile_file(cfg, profile));
		return NULL;
	}
	if (!strcmp(src, profile)) {
		/* A profile may be its own source when it also holds keys. */
		p = profile_keys(ch, profile, eb);
		if (!p && !eb->set)
			errf(eb, EXIT_CONFIG,
			     "profile '%s' is its own source_profile but has no aws_access_key_id",
			     profile);
		return p;
	}
	if (!aws_profile_exists(cfg, src)) {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' names source_profile '%s', which is not in %s or %s",
		     profile, src, cfg->config.path, cfg->credentials.path);
		return NULL;
	}
	p = from_profile(ch, src, eb);
	if (!p && !eb->set)
		errf(eb, EXIT_CONFIG,
		     "source_profile '%s' (of profile '%s') has no credentials",
		     src, profile);
	return p;
}

static struct creds_provider *assume_role(struct chain *ch, const char *profile,
					  const char *role_arn,
					  struct errbuf *eb)
{
	struct assume_role_params ap;
	struct creds_provider *source, *p;
	struct endpoint sts;
	char what[300];

	memset(&ap, 0, sizeof(ap));
	ap.role_arn = role_arn;
	ap.session_name = get(ch, profile, "role_session_name");
	ap.external_id = get(ch, profile, "external_id");
	ap.mfa_serial = get(ch, profile, "mfa_serial");
	ap.interactive = ch->set->interactive;
	if (parse_duration(ch, profile, &ap.duration_seconds, eb) < 0)
		return NULL;
	source = role_source(ch, profile, eb);
	if (!source)
		return NULL;
	if (endpoint_resolve(&sts, ch->set->cfg, profile, "sts",
			     ch->set->region, NULL, eb) < 0) {
		creds_provider_free(source);
		return NULL;
	}
	snprintf(what, sizeof(what), "profile '%s' (role %s)", profile, role_arn);
	p = creds_assume_new(what, source, &ap, &sts, ch->set->region);
	endpoint_release(&sts);
	return p;
}

static struct creds_provider *web_identity(const struct chain *ch,
					   const char *profile, int use_env,
					   struct errbuf *eb)
{
	const char *file = use_env ? getenv("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *arn = use_env ? getenv("AWS_ROLE_ARN") : NULL;
	const char *session = use_env ? getenv("AWS_ROLE_SESSION_NAME") : NULL;
	struct creds_provider *p;
	struct endpoint sts;
	char what[300];

	if (!file || !*file || !arn || !*arn) {
		file = get(ch, profile, "web_identity_token_file");
		arn = get(ch, profile, "role_arn");
		session = get(ch, profile, "role_session_name");
		if (!file)
			return NULL;
		snprintf(what, sizeof(what), "profile '%s' (web identity)", profile);
	} else {
		snprintf(what, sizeof(what), "AWS_WEB_IDENTITY_TOKEN_FILE");
	}
	if (!arn) {
		errf(eb, EXIT_CONFIG,
		     "%s has a web identity token file but no role_arn (set AWS_ROLE_ARN or role_arn)",
		     what);
		return NULL;
	}
	if (endpoint_resolve(&sts, ch->set->cfg, profile, "sts", ch->set->region,
			     NULL, eb) < 0)
		return NULL;
	p = creds_webid_new(what, file, arn, session, &sts, ch->set->region);
	endpoint_release(&sts);
	return p;
}

static struct creds_provider *sso(const struct chain *ch, const char *profile,
				  struct errbuf *eb)
{
	const struct aws_config *cfg = ch->set->cfg;
	const char *session = get(ch, profile, "sso_session");
	const struct ini_section *ss = NULL;
	struct sso_params sp;
	struct creds_provider *p;
	struct endpoint portal;
	char what[300];

	memset(&sp, 0, sizeof(sp));
	if (session) {
		ss = aws_config_section(cfg, "sso-session", session);
		if (!ss) {
			errf(eb, EXIT_CONFIG,
			     "profile '%s' names sso_session '%s', but %s has no [sso-session %s] section",
			     profile, session, cfg->config.path, session);
			return NULL;
		}
		sp.start_url = ini_get(ss, "sso_start_url");
		sp.sso_region = ini_get(ss, "sso_region");
		sp.session_name = session;
	} else {
		sp.start_url = get(ch, profile, "sso_start_url");
		sp.sso_region = get(ch, profile, "sso_region");
		if (!sp.start_url)
			return NULL;
	}
	sp.account_id = get(ch, profile, "sso_account_id");
	sp.role_name = get(ch, profile, "sso_role_name");
	sp.profile = profile;
	sp.config_file = aws_profile_file(cfg, profile);
	if (!sp.start_url || !sp.sso_region || !sp.account_id || !sp.role_name) {
		errf(eb, EXIT_CONFIG,
		     "SSO profile '%s' in %s is incomplete: it needs sso_start_url and sso_region (in the profile or its sso-session), sso_account_id and sso_role_name (run aws configure sso --profile %s)",
		     profile, cfg->config.path, profile);
		return NULL;
	}
	if (endpoint_resolve(&portal, cfg, profile, "sso", sp.sso_region, NULL,
			     eb) < 0)
		return NULL;
	snprintf(what, sizeof(what), "profile '%s' (SSO)", profile);
	p = creds_sso_new(what, &sp, &portal);
	endpoint_release(&portal);
	return p;
}

static int enter_hop(struct chain *ch, const char *profile, struct errbuf *eb)
{
	char path[512] = "";
	int i;

	for (i = 0; i < ch->nhops; i++)
		if (!strcmp(ch->hops[i], profile))
			break;
	if (i == ch->nhops && ch->nhops < MAX_HOPS) {
		ch->hops[ch->nhops++] = profile;
		return 0;
	}
	if (i == ch->nhops)
		return errf(eb, EXIT_CONFIG,
			    "the source_profile chain from profile '%s' is too long (more than %d profiles, at '%s'): shorten it in %s",
			    ch->hops[0], MAX_HOPS, profile, ch->set->cfg->config.path);
	for (i = 0; i < ch->nhops; i++) {
		strncat(path, ch->hops[i], sizeof(path) - strlen(path) - 1);
		strncat(path, " -> ", sizeof(path) - strlen(path) - 1);
	}
	strncat(path, profile, sizeof(path) - strlen(path) - 1);
	return errf(eb, EXIT_CONFIG,
		    "source_profile settings form a loop (%s): fix one of them in %s",
		    path, ch->set->cfg->config.path);
}

static struct creds_provider *from_profile(struct chain *ch,
					   const char *profile,
					   struct errbuf *eb)
{
	const char *role_arn = get(ch, profile, "role_arn");
	const char *process = get(ch, profile, "credential_process");
	struct creds_provider *p;
	char what[300];

	if (enter_hop(ch, profile, eb) < 0)
		return NULL;
	if (role_arn && !get(ch, profile, "web_identity_token_file"))
		return assume_role(ch, profile, role_arn, eb);
	p = web_identity(ch, profile, ch->nhops == 1 && !ch->set->profile_explicit, eb);
	if (p || eb->set)
		return p;
	p = sso(ch, profile, eb);
	if (p || eb->set)
		return p;
	p = profile_keys(ch, profile, eb);
	if (p || eb->set)
		return p;
	if (process) {
		describe(what, sizeof(what), profile);
		return creds_process_new(what, process);
	}
	return NULL;
}

struct creds_provider *creds_resolve(const struct creds_settings *set,
				     struct errbuf *eb)
{
	const char *profile = set->profile ? set->profile :
			      aws_default_profile_name();
	const struct aws_config *cfg = set->cfg;
	struct chain ch;
	struct creds_provider *p;
	int named = set->profile_explicit || strcmp(profile, "default");

	memset(&ch, 0, sizeof(ch));
	ch.set = set;
	if (named && !aws_profile_exists(cfg, profile)) {
		errf(eb, EXIT_CONFIG,
		     "profile '%s' not found in %s or %s (check the name, or create it with aws configure --profile %s)",
		     profile, cfg->config.path, cfg->credentials.path, profile);
		return NULL;
	}
	if (!set->profile_explicit) {
		p = creds_env_new(eb);
		if (p || eb->set)
			return p;
	}
	p = from_profile(&ch, profile, eb);
	if (p || eb->set)
		return p;
	/* As botocore: a profile with only settings (a region, say) still
	 * gets the container's or the instance's role. */
	p = creds_container_new(eb);
	if (p || eb->set)
		return p;
	if (named) {
		char context[600];

		snprintf(context, sizeof(context),
			 "profile '%s' in %s has no credentials (" CRED_KINDS ")",
			 profile, aws_profile_file(cfg, profile));
		p = creds_imds_new(context);
		if (!p)
			errf(eb, EXIT_CONFIG,
			     "profile '%s' in %s has no credentials: give it " CRED_KINDS,
			     profile, aws_profile_file(cfg, profile));
		return p;
	}
	p = creds_imds_new(NULL);
	if (p)
		return p;
	errf(eb, EXIT_CONFIG,
	     "no AWS credentials found: pass --profile NAME, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (profiles are read from %s and %s)",
	     cfg->config.path, cfg->credentials.path);
	return NULL;
}
