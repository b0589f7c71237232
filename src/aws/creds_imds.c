/* EC2 instance metadata, IMDSv2: a session token, the role name, its credentials. */
#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"
#include "dynamo/aws_call.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct imds_provider {
	struct creds_provider base;
	struct endpoint ep;
	char *context;		/* why we asked, for the error; NULL: nothing else had any */
};

/* One short attempt: off EC2 the address does not answer, and we must not hang. */
static int imds_get(struct imds_provider *m, const char *method,
		    const char *path, const char *header, struct buf *out,
		    struct errbuf *eb)
{
	struct http_call c;
	struct errbuf why = ERRBUF_INIT;
	int r = 0;

	http_call_init(&c);
	c.method = method;
	c.ep = &m->ep;
	c.path = path;
	c.hooks = &aws_rest_json_hooks;
	c.op = "InstanceMetadata";
	c.extra_header = header;
	c.timeout_ms = 1000;
	c.connect_timeout_ms = 1000;
	c.max_attempts = 2;
	if (http_call_sync(&c, &why) < 0) {
		errf(eb, EXIT_CONFIG,
		     "%s, and the EC2 instance metadata service at %s did not provide any (%s)%s",
		     m->context ? m->context : "no credentials found", m->ep.url,
		     c.err.type[0] ? c.err.type : why.msg,
		     m->context ? "" : "; pass --profile or set AWS_PROFILE");
		r = -1;
	} else {
		buf_append(out, c.resp.data, c.resp.len);
	}
	if (c.resp.data)
		wipe(c.resp.data, c.resp.len);
	http_call_release(&c);
	return r;
}

static int imds_fetch(struct creds_provider *p, struct credentials **out,
		      struct errbuf *eb)
{
	struct imds_provider *m = (struct imds_provider *)p;
	struct buf token = BUF_INIT, hdr = BUF_INIT, role = BUF_INIT,
		   path = BUF_INIT, body = BUF_INIT;
	cJSON *j = NULL;
	const cJSON *code;
	int r = -1;

	if (imds_get(m, "PUT", "/latest/api/token",
		     "X-aws-ec2-metadata-token-ttl-seconds: 21600", &token, eb) < 0)
		goto cleanup;
	buf_printf(&hdr, "X-aws-ec2-metadata-token: %s", token.data ? token.data : "");
	if (imds_get(m, "GET", "/latest/meta-data/iam/security-credentials/",
		     hdr.data, &role, eb) < 0)
		goto cleanup;
	role.len = strcspn(role.data ? role.data : "", "\r\n");
	if (!role.len) {
		errf(eb, EXIT_CONFIG, "this EC2 instance has no IAM role attached");
		goto cleanup;
	}
	role.data[role.len] = '\0';
	buf_printf(&path, "/latest/meta-data/iam/security-credentials/%s", role.data);
	if (imds_get(m, "GET", path.data, hdr.data, &body, eb) < 0)
		goto cleanup;
	j = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
	code = cJSON_GetObjectItemCaseSensitive(j, "Code");
	if (!j || (cJSON_IsString(code) && strcasecmp(code->valuestring, "Success"))) {
		errf(eb, EXIT_CONFIG,
		     "the instance metadata service did not return credentials for role '%s'",
		     role.data);
		goto cleanup;
	}
	r = creds_from_json(j, "AccessKeyId", "SecretAccessKey", "Token",
			    "Expiration", 0, m->base.what, out, eb);
cleanup:
	cJSON_Delete(j);
	buf_wipe_release(&token);
	buf_wipe_release(&hdr);
	buf_release(&role);
	buf_release(&path);
	buf_wipe_release(&body);
	return r;
}

static void imds_destroy(struct creds_provider *p)
{
	struct imds_provider *m = (struct imds_provider *)p;

	endpoint_release(&m->ep);
	free(m->context);
	free(m);
}

static const struct creds_provider_ops imds_ops = {
	"imds", imds_fetch, imds_destroy
};

struct creds_provider *creds_imds_new(const char *context)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	const char *url = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct errbuf eb = ERRBUF_INIT;
	struct imds_provider *m;

	if (off && !strcasecmp(off, "true"))
		return NULL;
	m = xcalloc(1, sizeof(*m));
	creds_provider_init(&m->base, &imds_ops, "EC2 instance metadata");
	m->context = context ? xstrdup(context) : NULL;
	if (endpoint_parse(&m->ep, url && *url ? url : "http://169.254.169.254", &eb) < 0 &&
	    endpoint_parse(&m->ep, "http://169.254.169.254", &eb) < 0) {
		creds_provider_free(&m->base);
		return NULL;
	}
	return &m->base;
}
