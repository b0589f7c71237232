#include "dynamo/ddb.h"
#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"
#include "dynamo/msg.h"
#include "dynamo/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A local DynamoDB (a custom endpoint) with STS left at AWS's: do not ask AWS. */
static void resolve_sts(struct ddb *d, const struct ddb_settings *s, const char *profile)
{
	struct errbuf eb = ERRBUF_INIT;

	if (endpoint_resolve(&d->sts, s->cfg, profile, "sts", d->region, NULL, &eb) < 0)
		return;
	if (d->ep.custom && !d->sts.custom)
		endpoint_release(&d->sts);
}

int ddb_unsupported(const struct errbuf *why)
{
	return strstr(why->msg, "UnknownOperation") || strstr(why->msg, "not supported") ||
	       strstr(why->msg, "not yet implemented");
}

void ddb_learn_account(struct ddb *d)
{
	struct signer sign = { d->creds, d->region, "sts" };
	struct errbuf eb = ERRBUF_INIT;

	if (d->account[0] || !d->sts.url)
		return;
	if (sts_caller_account(&d->sts, &sign, d->account, &eb) < 0)
		msg_debug("the account of %s is not known: %s", d->profile, eb.msg);
}

int ddb_open(struct ddb *d, const struct ddb_settings *s, struct errbuf *eb)
{
	struct creds_settings cs;
	const char *profile = s->profile ? s->profile : aws_default_profile_name();
	const char *region;

	memset(d, 0, sizeof(*d));
	if (s->profile_explicit && !aws_profile_exists(s->cfg, profile))
		return errf(eb, EXIT_CONFIG,
			    "profile '%s' not found in %s or %s (check the name, or create it with aws configure --profile %s)",
			    profile, s->cfg->config.path, s->cfg->credentials.path,
			    profile);
	if (region_resolve(s->cfg, profile, s->region, &region, eb) < 0)
		return -1;
	if (endpoint_resolve(&d->ep, s->cfg, profile, "dynamodb", region,
			     s->endpoint_url, eb) < 0)
		return -1;
	if (region_check(region, d->ep.custom, eb) < 0)
		goto fail;
	memset(&cs, 0, sizeof(cs));
	cs.cfg = s->cfg;
	cs.profile = s->profile;
	cs.profile_explicit = s->profile_explicit;
	cs.region = region;
	cs.interactive = s->interactive;
	d->creds = creds_resolve(&cs, eb);
	if (!d->creds)
		goto fail;
	d->profile = xstrdup(profile);
	d->region = xstrdup(region);
	d->env_keys = !s->profile && !s->profile_explicit && creds_from_environment(d->creds);
	d->signer.creds = d->creds;
	d->signer.region = d->region;
	d->signer.service = "dynamodb";
	resolve_sts(d, s, profile);
	return 0;
fail:
	endpoint_release(&d->ep);
	return -1;
}

void ddb_close(struct ddb *d)
{
	creds_provider_free(d->creds);
	endpoint_release(&d->ep);
	endpoint_release(&d->sts);
	free(d->profile);
	free(d->region);
	memset(d, 0, sizeof(*d));
}

static const char *where(const struct ddb *d, const char *account, const char *who,
			 char *buf, size_t n)
{
	char acct[32] = "";

	if (*account)
		snprintf(acct, sizeof(acct), "account %s, ", account);
	if (d->ep.custom)
		snprintf(buf, n, "%s (%s%s, %s)", who, acct, d->region, d->ep.url);
	else
		snprintf(buf, n, "%s (%s%s)", who, acct, d->region);
	return buf;
}

const char *ddb_where(const struct ddb *d, char *buf, size_t n)
{
	char who[300];

	if (d->env_keys)
		snprintf(who, sizeof(who), "the account of AWS_ACCESS_KEY_ID");
	else
		snprintf(who, sizeof(who), "profile '%s'", d->profile);
	return where(d, d->account, who, buf, n);
}

/* Checkpoints compare it: it stays what it was before env_keys existed. */
const char *ddb_identity(const struct ddb *d, char *buf, size_t n)
{
	char who[300];

	snprintf(who, sizeof(who), "profile '%s'", d->profile);
	return where(d, "", who, buf, n);
}

void ddb_prepare(const struct ddb *d, struct http_call *c, const char *target)
{
	c->ep = &d->ep;
	c->sign = &d->signer;
	c->target = target;
	c->hooks = &aws_json_hooks;
}

int ddb_request(const struct ddb *d, const char *target, const char *body,
		cJSON **out, struct errbuf *eb)
{
	return ddb_request_checked(d, target, body, NULL, out, eb);
}

int ddb_request_checked(const struct ddb *d, const char *target, const char *body,
			int (*check)(struct http_call *c, char *why, size_t n),
			cJSON **out, struct errbuf *eb)
{
	struct http_call c;
	int r = -1;

	http_call_init(&c);
	ddb_prepare(d, &c, target);
	c.check = check;
	buf_puts(&c.body, body);
	if (http_call_sync(&c, eb) < 0)
		goto cleanup;
	*out = cJSON_ParseWithLength(c.resp.data ? c.resp.data : "", c.resp.len);
	if (!*out || !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		errf(eb, EXIT_FAILURE_RUNTIME,
		     "%s answered %s with a body that is not a JSON object (is %s a DynamoDB endpoint?)",
		     d->ep.host, http_call_name(&c), d->ep.url);
		goto cleanup;
	}
	r = 0;
cleanup:
	http_call_release(&c);
	return r;
}

int ddb_request_json(const struct ddb *d, const char *target, const cJSON *body,
		     cJSON **out, struct errbuf *eb)
{
	char *s = cJSON_PrintUnformatted(body);
	int r;

	if (!s)
		return errf(eb, EXIT_FAILURE_RUNTIME, "out of memory");
	r = ddb_request(d, target, s, out, eb);
	free(s);
	return r;
}
