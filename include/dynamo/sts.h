#ifndef DYNAMO_STS_H
#define DYNAMO_STS_H

#include "dynamo/buf.h"
#include "dynamo/creds.h"
#include "dynamo/aws_call.h"

/*
 * AWS STS over the query protocol: a form-encoded POST answered in XML.
 * sign is NULL for AssumeRoleWithWebIdentity, which is not signed.
 */

/* Appends "&key=value" (or "key=value" first) form-encoded. */
void sts_form_add(struct buf *form, const char *key, const char *value);
/* Posts form to the STS endpoint; on success resp holds the XML body. */
int sts_post(const struct endpoint *ep, const struct signer *sign,
	     const char *action, const char *form, struct buf *resp, const char *what,
	     struct errbuf *eb);
/* The same with at most max_attempts attempts of timeout_ms each (0: the defaults). */
int sts_post_limited(const struct endpoint *ep, const struct signer *sign,
		     const char *action, const char *form, struct buf *resp, const char *what,
		     int max_attempts, uint64_t timeout_ms, struct errbuf *eb);
/* <Credentials> of an AssumeRole* response; what names the source in messages. */
int sts_parse_credentials(const char *xml, size_t len, const char *what,
			  struct credentials **out, struct errbuf *eb);

/*
 * The account id of sign's credentials (GetCallerIdentity, which needs no
 * permission): out gets 12 digits. Fails on an answer without one.
 */
int sts_caller_account(const struct endpoint *ep, const struct signer *sign,
		       char out[13], struct errbuf *eb);

#endif
