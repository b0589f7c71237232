/*
 * IAM Identity Center (SSO): the access token that 'aws sso login' leaves in
 * ~/.aws/sso/cache/<sha1>.json is traded for role credentials with the
 * portal's GetRoleCredentials. The cache file is named after the SHA-1 of
 * the sso-session name, or of the start URL for legacy profiles.
 */
#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"
#include "dynamo/aws_call.h"
#include "dynamo/sigv4.h"

#include <cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sso_provider {
	struct creds_provider base;
	char *cache_key;	/* session name or start URL */
	char *account_id, *role_name, *profile;
	char *config_file;
	struct endpoint portal;
};

static void sha1_hex(const char *s, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL);
	for (i = 0; i < n && i < 20; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[40] = '\0';
}

static int cache_path(const struct sso_provider *s, char *path, size_t n,
		      struct errbuf *eb)
{
	const char *home = getenv("HOME");
	char hex[41];

	if (!home || !*home)
		return errf(eb, EXIT_CONFIG, "HOME is not set, so the SSO token cache cannot be found");
	sha1_hex(s->cache_key, hex);
	snprintf(path, n, "%s/.aws/sso/cache/%s.json", home, hex);
	return 0;
}

static int login_hint(const struct sso_provider *s, struct errbuf *eb,
		      const char *problem)
{
	return errf(eb, EXIT_CONFIG,
		    "%s for profile '%s': run 'aws sso login --profile %s'",
		    problem, s->profile, s->profile);
}

static int read_token(const struct sso_provider *s, struct buf *token,
		      struct errbuf *eb)
{
	char path[4096];
	struct buf text = BUF_INIT;
	const cJSON *tok, *exp;
	cJSON *j = NULL;
	time_t expires;
	int r = -1;

	if (cache_path(s, path, sizeof(path), eb) < 0)
		return -1;
	if (buf_read_file(&text, path, 1u << 20) < 0)
		return login_hint(s, eb, errno == ENOENT ? "no SSO login found" :
				  "the SSO token cache cannot be read");
	j = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
	tok = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expiresAt");
	if (!cJSON_IsString(tok) || !cJSON_IsString(exp) ||
	    clock_parse_iso8601(exp->valuestring, &expires) < 0) {
		login_hint(s, eb, "the SSO token cache is unreadable");
		goto cleanup;
	}
	if (expires <= clock_wall()) {
		login_hint(s, eb, "the SSO token has expired");
		goto cleanup;
	}
	buf_puts(token, tok->valuestring);
	r = 0;
cleanup:
	cJSON_Delete(j);
	buf_wipe_release(&text);
	return r;
}

static int sso_fetch(struct creds_provider *p, struct credentials **out,
		     struct errbuf *eb)
{
	struct sso_provider *s = (struct sso_provider *)p;
	struct buf token = BUF_INIT, hdr = BUF_INIT, query = BUF_INIT;
	struct http_call c;
	cJSON *j = NULL;
	int r = -1;

	if (read_token(s, &token, eb) < 0)
		return -1;
	redact_add(token.data);
	buf_puts(&query, "role_name=");
	sigv4_uri_encode(&query, s->role_name, strlen(s->role_name), 0);
	buf_puts(&query, "&account_id=");
	sigv4_uri_encode(&query, s->account_id, strlen(s->account_id), 0);
	buf_printf(&hdr, "x-amz-sso_bearer_token: %s", token.data);
	http_call_init(&c);
	c.method = "GET";
	c.ep = &s->portal;
	c.path = "/federation/credentials";
	c.query = query.data;
	c.hooks = &aws_rest_json_hooks;
	c.op = "GetRoleCredentials";
	c.extra_header = hdr.data;
	if (http_call_sync(&c, eb) < 0) {
		/*
		 * 401 UnauthorizedException: the token is no good, log in again.
		 * 403 ForbiddenException: the login is fine but this account and
		 * role are not assigned to it; logging in again will not help.
		 */
		if (c.outcome == HTTP_REJECTED && c.status == 401) {
			errbuf_clear(eb);
			login_hint(s, eb, "the SSO portal refused the token");
		} else if (c.outcome == HTTP_REJECTED && c.status == 403) {
			errbuf_clear(eb);
			errf(eb, EXIT_CONFIG,
			     "the SSO portal refused role '%s' in account %s for profile '%s'%s%s%s: check sso_account_id and sso_role_name in %s (aws sso list-account-roles shows what you may use)",
			     s->role_name, s->account_id, s->profile,
			     c.err.message[0] ? " (" : "", c.err.message,
			     c.err.message[0] ? ")" : "", s->config_file);
		}
		goto cleanup;
	}
	j = cJSON_ParseWithLength(c.resp.data ? c.resp.data : "", c.resp.len);
	r = creds_from_json(cJSON_GetObjectItemCaseSensitive(j, "roleCredentials"),
			    "accessKeyId", "secretAccessKey", "sessionToken",
			    "expiration", 1, s->base.what, out, eb);
cleanup:
	if (c.resp.data)
		wipe(c.resp.data, c.resp.len);
	cJSON_Delete(j);
	http_call_release(&c);
	redact_remove(token.data);
	buf_wipe_release(&token);
	buf_wipe_release(&hdr);
	buf_release(&query);
	return r;
}

static void sso_destroy(struct creds_provider *p)
{
	struct sso_provider *s = (struct sso_provider *)p;

	free(s->cache_key);
	free(s->account_id);
	free(s->role_name);
	free(s->profile);
	free(s->config_file);
	endpoint_release(&s->portal);
	free(s);
}

static const struct creds_provider_ops sso_ops = { "sso", sso_fetch, sso_destroy };

struct creds_provider *creds_sso_new(const char *what, const struct sso_params *p,
				     const struct endpoint *portal)
{
	struct sso_provider *s = xcalloc(1, sizeof(*s));

	creds_provider_init(&s->base, &sso_ops, what);
	s->cache_key = xstrdup(p->session_name ? p->session_name : p->start_url);
	s->account_id = xstrdup(p->account_id);
	s->role_name = xstrdup(p->role_name);
	s->profile = xstrdup(p->profile);
	s->config_file = xstrdup(p->config_file ? p->config_file : "~/.aws/config");
	endpoint_copy(&s->portal, portal);
	return &s->base;
}
