#include "dynamo/sts.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/sigv4.h"
#include "dynamo/xml.h"

#include <string.h>

void sts_form_add(struct buf *form, const char *key, const char *value)
{
	if (form->len)
		buf_putc(form, '&');
	sigv4_uri_encode(form, key, strlen(key), 0);
	buf_putc(form, '=');
	sigv4_uri_encode(form, value, strlen(value), 0);
}

/* Errors that mean the signing key is wrong, not that the role refused it. */
static int source_key_problem(const char *type)
{
	return !strcmp(type, "SignatureDoesNotMatch") ||
	       !strcmp(type, "InvalidClientTokenId") ||
	       !strcmp(type, "IncompleteSignature");
}

int sts_post(const struct endpoint *ep, const struct signer *sign,
	     const char *action, const char *form, struct buf *resp, const char *what,
	     struct errbuf *eb)
{
	return sts_post_limited(ep, sign, action, form, resp, what, 0, 0, eb);
}

int sts_post_limited(const struct endpoint *ep, const struct signer *sign,
		     const char *action, const char *form, struct buf *resp, const char *what,
		     int max_attempts, uint64_t timeout_ms, struct errbuf *eb)
{
	struct http_call c;
	int r = 0;

	http_call_init(&c);
	c.max_attempts = max_attempts;
	c.timeout_ms = timeout_ms;
	c.connect_timeout_ms = timeout_ms;
	c.ep = ep;
	c.hooks = &aws_query_hooks;
	c.op = action;
	c.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	c.sign = sign;
	buf_puts(&c.body, form);
	if (http_call_sync(&c, eb) == 0) {
		buf_append(resp, c.resp.data, c.resp.len);
	} else if (c.outcome == HTTP_REJECTED) {
		/* Replace the generic message: say which profile and role. */
		errbuf_clear(eb);
		if (!strcmp(c.err.type, "CredentialsError"))
			errf(eb, EXIT_CONFIG, "%s", c.err.message);
		else if (sign && source_key_problem(c.err.type))
			/* The source's key is at fault: name it and its file. */
			aws_error_report(&c, eb);
		else
			errf(eb, EXIT_CONFIG, "STS refused the credentials for %s (%s: %s)",
			     what, c.err.type, c.err.message);
		r = -1;
	} else {
		r = -1;
	}
	wipe(c.body.data, c.body.len);
	wipe(c.resp.data, c.resp.len);
	http_call_release(&c);
	return r;
}

/* Credentials are C strings from here on: a NUL inside would cut them short. */
static int usable(const struct buf *b, int may_be_empty)
{
	return b->len ? !memchr(b->data, '\0', b->len) : may_be_empty;
}

int sts_parse_credentials(const char *xml, size_t len, const char *what,
			  struct credentials **out, struct errbuf *eb)
{
	struct buf akid = BUF_INIT, secret = BUF_INIT, token = BUF_INIT,
		   exp = BUF_INIT;
	const char *creds;
	size_t n;
	time_t expiration = 0;
	int r = -1;

	if (xml_find(xml, len, "Credentials", &creds, &n) < 0 ||
	    xml_text(creds, n, "AccessKeyId", &akid) < 0 ||
	    xml_text(creds, n, "SecretAccessKey", &secret) < 0 ||
	    xml_text(creds, n, "SessionToken", &token) < 0 ||
	    !usable(&akid, 0) || !usable(&secret, 0) || !usable(&token, 1)) {
		errf(eb, EXIT_CONFIG,
		     "STS answered without credentials for %s (is the STS endpoint right?)",
		     what);
		goto cleanup;
	}
	/* An empty <Expiration/> leaves exp.data NULL: unreadable, like junk. */
	if (xml_text(creds, n, "Expiration", &exp) == 0 &&
	    clock_parse_iso8601(exp.data ? exp.data : "", &expiration) < 0) {
		errf(eb, EXIT_CONFIG,
		     "STS answered with an unreadable expiration time for %s",
		     what);
		goto cleanup;
	}
	*out = creds_new(akid.data, secret.data, token.data, expiration);
	r = 0;
cleanup:
	buf_wipe_release(&akid);
	buf_wipe_release(&secret);
	buf_wipe_release(&token);
	buf_release(&exp);
	return r;
}

/* Twelve digits, nothing else: what an AWS account id always is. */
static int account_shaped(const struct buf *b)
{
	if (b->len != 12)
		return 0;
	for (size_t i = 0; i < 12; i++)
		if (b->data[i] < '0' || b->data[i] > '9')
			return 0;
	return 1;
}

int sts_caller_account(const struct endpoint *ep, const struct signer *sign,
		       char out[13], struct errbuf *eb)
{
	struct buf form = BUF_INIT, resp = BUF_INIT, acct = BUF_INIT;
	const char *res;
	size_t n;
	int r = -1;

	sts_form_add(&form, "Action", "GetCallerIdentity");
	sts_form_add(&form, "Version", "2011-06-15");
	/* Only to name an account: an STS out of reach (a VPC with a DynamoDB endpoint only) costs seconds, not the retry budget. */
	if (sts_post_limited(ep, sign, "GetCallerIdentity", form.data, &resp, "the caller", 2, 5000, eb) < 0)
		goto cleanup;
	if (xml_find(resp.data, resp.len, "GetCallerIdentityResult", &res, &n) < 0 ||
	    xml_text(res, n, "Account", &acct) < 0 || !account_shaped(&acct)) {
		errf(eb, EXIT_CONFIG, "STS answered GetCallerIdentity without an account id");
		goto cleanup;
	}
	memcpy(out, acct.data, 12);
	out[12] = '\0';
	r = 0;
cleanup:
	buf_release(&form);
	buf_release(&resp);
	buf_release(&acct);
	return r;
}
