/* ECS/EKS container credentials (AWS_CONTAINER_CREDENTIALS_*_URI). */
#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"
#include "dynamo/aws_call.h"
#include "dynamo/redact.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECS_HOST "http://169.254.170.2"

struct container_provider {
	struct creds_provider base;
	struct endpoint ep;
	char *path;		/* with query, as given */
	char *token;		/* secret: AWS_CONTAINER_AUTHORIZATION_TOKEN */
	char *token_file;	/* re-read on every fetch (EKS rotates it) */
};

static int read_token_file(const char *path, struct buf *out, struct errbuf *eb)
{
	if (buf_read_file(out, path, 64u << 10) < 0)
		return errf(eb, EXIT_CONFIG,
			    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '%s': %s",
			    path, errno == EFBIG ? "larger than 64 KB" :
			    strerror(errno));
	buf_rstrip(out);
	return 0;
}

static int container_fetch(struct creds_provider *p, struct credentials **out,
			   struct errbuf *eb)
{
	struct container_provider *cp = (struct container_provider *)p;
	struct buf tok = BUF_INIT, hdr = BUF_INIT;
	struct http_call c;
	cJSON *j = NULL;
	int r = -1;

	if (cp->token_file && read_token_file(cp->token_file, &tok, eb) < 0)
		return -1;
	if (!cp->token_file && cp->token)
		buf_puts(&tok, cp->token);
	/* The endpoint may echo the token in its answer: it is never printed. */
	redact_add(tok.data);
	http_call_init(&c);
	c.method = "GET";
	c.ep = &cp->ep;
	c.path = cp->path;
	c.hooks = &aws_rest_json_hooks;
	c.op = "ContainerCredentials";
	c.timeout_ms = 5000;
	c.connect_timeout_ms = 2000;
	c.max_attempts = 3;
	if (tok.len) {
		buf_printf(&hdr, "Authorization: %s", tok.data);
		c.extra_header = hdr.data;
	}
	if (http_call_sync(&c, eb) < 0) {
		/* "ContainerCredentials is not allowed for the credentials" helps nobody. */
		if (c.outcome == HTTP_REJECTED) {
			errbuf_clear(eb);
			errf(eb, EXIT_CONFIG,
			     "the container credentials endpoint %s%s answered %ld (%s%s%s)%s",
			     cp->ep.url, cp->path, c.status, c.err.type,
			     c.err.message[0] ? ": " : "", c.err.message,
			     c.status == 401 || c.status == 403 ?
			     ": check AWS_CONTAINER_AUTHORIZATION_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" :
			     "");
		} else if (eb && eb->set) {
			/* A timeout or a refused connection: still a credentials problem (exit 3). */
			struct errbuf why = *eb;

			errbuf_clear(eb);
			errf(eb, EXIT_CONFIG,
			     "no credentials from the container credentials endpoint %s%s after %d attempts: %s (check AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)",
			     cp->ep.url, cp->path, c.max_attempts,
			     c.err.message[0] ? c.err.message : why.msg);
		}
		goto cleanup;
	}
	j = cJSON_ParseWithLength(c.resp.data ? c.resp.data : "", c.resp.len);
	if (!j) {
		errf(eb, EXIT_CONFIG, "%s answered with something that is not JSON",
		     cp->base.what);
		goto cleanup;
	}
	r = creds_from_json(j, "AccessKeyId", "SecretAccessKey", "Token",
			    "Expiration", 0, cp->base.what, out, eb);
cleanup:
	if (c.resp.data)
		wipe(c.resp.data, c.resp.len);
	cJSON_Delete(j);
	http_call_release(&c);
	redact_remove(tok.data);
	buf_wipe_release(&tok);
	buf_wipe_release(&hdr);
	return r;
}

static void container_destroy(struct creds_provider *p)
{
	struct container_provider *cp = (struct container_provider *)p;

	endpoint_release(&cp->ep);
	free(cp->path);
	free_secret(cp->token);
	free(cp->token_file);
	free(cp);
}

static const struct creds_provider_ops container_ops = {
	"container", container_fetch, container_destroy
};

/* Plain http is only allowed to the container agents and loopback, as in the SDKs. */
static int allowed_http_host(const char *host)
{
	static const char *const ok[] = {
		"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost",
		"[::1]", NULL
	};
	size_t hl = strcspn(host, ":");
	int i;

	if (host[0] == '[')
		hl = strcspn(host, "]") + 1;
	if (hl >= 4 && !strncmp(host, "127.", 4))
		return 1;
	for (i = 0; ok[i]; i++)
		if (strlen(ok[i]) == hl && !strncmp(host, ok[i], hl))
			return 1;
	return 0;
}

static int split_url(struct container_provider *cp, const char *full,
		     struct errbuf *eb)
{
	const char *p = strstr(full, "://");
	const char *slash = p ? strchr(p + 3, '/') : NULL;
	char *base;
	int r;

	if (!p)
		return errf(eb, EXIT_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is not a URL", full);
	base = xstrndup(full, slash ? (size_t)(slash - full) : strlen(full));
	r = endpoint_parse(&cp->ep, base, eb);
	free(base);
	if (r < 0)
		return -1;
	cp->path = xstrdup(slash ? slash : "/");
	if (!strncmp(full, "http://", 7) && !allowed_http_host(cp->ep.host))
		return errf(eb, EXIT_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' uses plain http to a host that is not loopback or the container agent",
			    full);
	return 0;
}

struct creds_provider *creds_container_new(struct errbuf *eb)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *tokf = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	struct container_provider *cp;
	char url[2048];

	if ((!rel || !*rel) && (!full || !*full))
		return NULL;
	cp = xcalloc(1, sizeof(*cp));
	creds_provider_init(&cp->base, &container_ops, "container credentials");
	if (rel && *rel) {
		snprintf(url, sizeof(url), "%s%s%s", ECS_HOST,
			 rel[0] == '/' ? "" : "/", rel);
		if (split_url(cp, url, eb) < 0)
			goto fail;
	} else if (split_url(cp, full, eb) < 0) {
		goto fail;
	}
	if (tokf && *tokf)
		cp->token_file = xstrdup(tokf);
	else if (tok && *tok)
		cp->token = xstrdup(tok);
	return &cp->base;
fail:
	creds_provider_free(&cp->base);
	return NULL;
}
