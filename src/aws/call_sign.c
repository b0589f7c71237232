#include "dynamo/aws_call.h"
#include "dynamo/clock.h"
#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The prepare hook of AWS calls: SigV4 just before each attempt, so a
 * retry minutes later carries a fresh date and fresh credentials.
 */

/* Kept per engine (the transport's hook state): one thread uses it. */
struct sign_state {
	struct sigv4_signed sig;	/* reused for every signature */
	/* The SigV4 signing key of the last credentials, scope and day. */
	struct credentials *key_creds;	/* owned reference */
	char key_date[9];
	char key_scope[96];		/* "region/service" */
	unsigned char key[32];
};

/* The signing key for these credentials, scope and day, derived once a day. */
static const unsigned char *signing_key(struct sign_state *e, struct credentials *cr,
					const struct signer *s, time_t now)
{
	char date[17], scope[96];

	sigv4_amz_date(now, date);
	date[8] = '\0';
	snprintf(scope, sizeof(scope), "%s/%s", s->region, s->service);
	if (e->key_creds != cr || strcmp(e->key_date, date) ||
	    strcmp(e->key_scope, scope)) {
		creds_put(e->key_creds);
		e->key_creds = creds_hold(cr);
		memcpy(e->key_date, date, sizeof(e->key_date));
		memcpy(e->key_scope, scope, sizeof(e->key_scope));
		sigv4_signing_key(cr->secret_access_key, date, s->region,
				  s->service, e->key);
	}
	return e->key;
}

static int sign_call(struct sign_state *e, struct http_call *c, struct errbuf *eb)
{
	struct sigv4_header extra[2];
	struct sigv4_request req;
	struct sigv4_credentials sc;
	struct sigv4_scope scope;
	struct credentials *cr;
	char path[1024];
	size_t nextra = 0;
	int r;

	cr = creds_get(c->sign->creds, eb);
	if (!cr)
		return -1;
	if (!c->payload_hashed) {
		sigv4_sha256_hex(c->body.data ? c->body.data : "", c->body.len,
				 c->payload_sha256);
		c->payload_hashed = 1;
	}
	extra[nextra].name = "content-type";
	extra[nextra++].value = aws_content_type(c);
	if (c->target) {
		extra[nextra].name = "x-amz-target";
		extra[nextra++].value = c->target;
	}
	snprintf(path, sizeof(path), "%s%s", c->ep->path, c->path);
	memset(&req, 0, sizeof(req));
	req.s3 = !strcmp(c->sign->service, "s3");
	req.method = c->method;
	req.host = c->ep->host;
	req.path = path;
	req.query = c->query;
	req.headers = extra;
	req.nheaders = nextra;
	req.payload_sha256 = c->payload_sha256;
	sc.access_key_id = cr->access_key_id;
	sc.secret_access_key = cr->secret_access_key;
	sc.session_token = cr->session_token;
	scope.region = c->sign->region;
	scope.service = c->sign->service;
	scope.now = clock_wall();
	scope.signing_key = signing_key(e, cr, c->sign, scope.now);
	r = sigv4_sign(&req, &sc, &scope, &e->sig);
	if (r == 0) {
		if (req.s3)
			http_call_header(c, "X-Amz-Content-SHA256", e->sig.payload_sha256);
		http_call_header(c, "X-Amz-Date", e->sig.amz_date);
		http_call_header(c, "Authorization", e->sig.authorization.data);
		if (cr->session_token && *cr->session_token)
			http_call_header(c, "X-Amz-Security-Token", cr->session_token);
	}
	wipe(e->sig.authorization.data, e->sig.authorization.len);
	creds_put(cr);
	if (r < 0)
		return errf(eb, EXIT_CONFIG, "cannot sign the %s request",
			    http_call_name(c));
	return 0;
}

void aws_sign_state_free(void *state)
{
	struct sign_state *st = state;

	creds_put(st->key_creds);
	wipe(st->key, sizeof(st->key));
	sigv4_signed_release(&st->sig);
	free(st);
}

/* A call that cannot be signed is not sent: it ends with CredentialsError. */
static void credentials_error(struct http_call *c, const struct errbuf *eb)
{
	memset(&c->err, 0, sizeof(c->err));
	snprintf(c->err.type, sizeof(c->err.type), "CredentialsError");
	memcpy(c->err.message, eb->msg, sizeof(c->err.message));
	c->err.exit = eb->exit;
}

int aws_sign_prepare(struct http_call *c, void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct sign_state *st = *state;

	aws_request_headers(c);
	if (!c->sign)
		return 0;
	if (!st) {
		st = xcalloc(1, sizeof(*st));
		sigv4_signed_init(&st->sig);
		*state = st;
	}
	if (sign_call(st, c, &eb) < 0) {
		credentials_error(c, &eb);
		return -1;
	}
	return 0;
}
