#include "dynamo/creds.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/aws_call.h"
#include "dynamo/sts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* STS AssumeRole, signed with the source profile's credentials. */
struct assume_provider {
	struct creds_provider base;
	struct creds_provider *source;	/* owned */
	struct endpoint sts;		/* owned */
	char *region;
	char *role_arn, *session_name, *external_id, *mfa_serial;
	int duration;
	int interactive;
};

static int read_mfa_code(const struct assume_provider *a, char *code,
			 size_t n, struct errbuf *eb)
{
	FILE *tty;
	size_t len;

	if (!a->interactive)
		return errf(eb, EXIT_CONFIG,
			    "%s needs an MFA code (mfa_serial %s) and this is not a terminal: run it interactively, or use credentials without MFA for automation",
			    a->base.what, a->mfa_serial);
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return errf(eb, EXIT_CONFIG,
			    "%s needs an MFA code and /dev/tty cannot be opened",
			    a->base.what);
	fprintf(tty, "Enter MFA code for %s: ", a->mfa_serial);
	fflush(tty);
	if (!fgets(code, (int)n, tty)) {
		fclose(tty);
		return errf(eb, EXIT_CONFIG, "no MFA code entered for %s",
			    a->base.what);
	}
	fclose(tty);
	len = strlen(code);
	while (len && isspace((unsigned char)code[len - 1]))
		code[--len] = '\0';
	if (len != 6 || strspn(code, "0123456789") != 6)
		return errf(eb, EXIT_CONFIG,
			    "the MFA code for %s must be 6 digits", a->base.what);
	return 0;
}

static int assume_fetch(struct creds_provider *p, struct credentials **out,
			struct errbuf *eb)
{
	struct assume_provider *a = (struct assume_provider *)p;
	struct signer sign = { a->source, a->region, "sts" };
	struct buf form = BUF_INIT, resp = BUF_INIT;
	char session[32], num[16], code[32] = "";
	int r = -1;

	/* As given: STS checks the length (2-64), we must not cut it short. */
	snprintf(session, sizeof(session), "dynamo-%lld", (long long)clock_wall());
	sts_form_add(&form, "Action", "AssumeRole");
	sts_form_add(&form, "Version", "2011-06-15");
	sts_form_add(&form, "RoleArn", a->role_arn);
	sts_form_add(&form, "RoleSessionName",
		     a->session_name ? a->session_name : session);
	if (a->duration) {
		snprintf(num, sizeof(num), "%d", a->duration);
		sts_form_add(&form, "DurationSeconds", num);
	}
	if (a->external_id)
		sts_form_add(&form, "ExternalId", a->external_id);
	if (a->mfa_serial) {
		if (read_mfa_code(a, code, sizeof(code), eb) < 0)
			goto cleanup;
		sts_form_add(&form, "SerialNumber", a->mfa_serial);
		sts_form_add(&form, "TokenCode", code);
	}
	if (sts_post(&a->sts, &sign, "AssumeRole", form.data, &resp, a->base.what, eb) < 0 ||
	    sts_parse_credentials(resp.data, resp.len, a->base.what, out, eb) < 0)
		goto cleanup;
	msg_debug("assumed the role of %s", a->base.what);
	r = 0;
cleanup:
	buf_wipe_release(&form);
	buf_wipe_release(&resp);
	wipe(code, sizeof(code));
	return r;
}

static void assume_destroy(struct creds_provider *p)
{
	struct assume_provider *a = (struct assume_provider *)p;

	creds_provider_free(a->source);
	endpoint_release(&a->sts);
	free(a->region);
	free(a->role_arn);
	free(a->session_name);
	free(a->external_id);
	free(a->mfa_serial);
	free(a);
}

static const struct creds_provider_ops assume_ops = {
	"assume-role", assume_fetch, assume_destroy
};

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

struct creds_provider *creds_assume_new(const char *what,
					struct creds_provider *source,
					const struct assume_role_params *p,
					const struct endpoint *sts,
					const char *region)
{
	struct assume_provider *a = xcalloc(1, sizeof(*a));

	creds_provider_init(&a->base, &assume_ops, what);
	a->source = source;
	endpoint_copy(&a->sts, sts);
	a->region = xstrdup(region);
	a->role_arn = xstrdup(p->role_arn);
	a->session_name = dup_or_null(p->session_name);
	a->external_id = dup_or_null(p->external_id);
	a->mfa_serial = dup_or_null(p->mfa_serial);
	a->duration = p->duration_seconds;
	a->interactive = p->interactive;
	return &a->base;
}
