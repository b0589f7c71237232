/* Web identity: STS AssumeRoleWithWebIdentity (GitHub Actions OIDC, EKS). */
#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"
#include "dynamo/aws_call.h"
#include "dynamo/sts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX (64u << 10)

struct webid_provider {
	struct creds_provider base;
	char *token_file, *role_arn, *session_name, *region;
	struct endpoint sts;
};

/* The token is read again on every refresh: the platform rotates it. */
static int read_token(const struct webid_provider *w, struct buf *tok,
		      struct errbuf *eb)
{
	if (buf_read_file(tok, w->token_file, TOKEN_MAX) < 0) {
		if (errno == EFBIG)
			return errf(eb, EXIT_CONFIG,
				    "the web identity token file '%s' is larger than 64 KB",
				    w->token_file);
		return errf(eb, EXIT_CONFIG,
			    "cannot read the web identity token file '%s' of %s: %s",
			    w->token_file, w->base.what, strerror(errno));
	}
	buf_rstrip(tok);
	if (!tok->len)
		return errf(eb, EXIT_CONFIG,
			    "the web identity token file '%s' is empty",
			    w->token_file);
	return 0;
}

static int webid_fetch(struct creds_provider *p, struct credentials **out,
		       struct errbuf *eb)
{
	struct webid_provider *w = (struct webid_provider *)p;
	struct buf tok = BUF_INIT, form = BUF_INIT, resp = BUF_INIT;
	char session[32];
	int r = -1;

	if (read_token(w, &tok, eb) < 0)
		goto cleanup;
	redact_add(tok.data);
	/* As given: STS checks the length (2-64), we must not cut it short. */
	snprintf(session, sizeof(session), "dynamo-%lld", (long long)clock_wall());
	sts_form_add(&form, "Action", "AssumeRoleWithWebIdentity");
	sts_form_add(&form, "Version", "2011-06-15");
	sts_form_add(&form, "RoleArn", w->role_arn);
	sts_form_add(&form, "RoleSessionName",
		     w->session_name ? w->session_name : session);
	sts_form_add(&form, "WebIdentityToken", tok.data);
	/* Not signed: the token is the proof. */
	if (sts_post(&w->sts, NULL, "AssumeRoleWithWebIdentity", form.data, &resp, w->base.what, eb) < 0 ||
	    sts_parse_credentials(resp.data, resp.len, w->base.what, out, eb) < 0)
		goto cleanup;
	r = 0;
cleanup:
	redact_remove(tok.data);
	buf_wipe_release(&tok);
	buf_wipe_release(&form);
	buf_wipe_release(&resp);
	return r;
}

static void webid_destroy(struct creds_provider *p)
{
	struct webid_provider *w = (struct webid_provider *)p;

	free(w->token_file);
	free(w->role_arn);
	free(w->session_name);
	free(w->region);
	endpoint_release(&w->sts);
	free(w);
}

static const struct creds_provider_ops webid_ops = {
	"web-identity", webid_fetch, webid_destroy
};

struct creds_provider *creds_webid_new(const char *what, const char *token_file,
				       const char *role_arn,
				       const char *session_name,
				       const struct endpoint *sts,
				       const char *region)
{
	struct webid_provider *w = xcalloc(1, sizeof(*w));

	creds_provider_init(&w->base, &webid_ops, what);
	w->token_file = xstrdup(token_file);
	w->role_arn = xstrdup(role_arn);
	w->session_name = session_name && *session_name ? xstrdup(session_name) : NULL;
	w->region = xstrdup(region);
	endpoint_copy(&w->sts, sts);
	return &w->base;
}
