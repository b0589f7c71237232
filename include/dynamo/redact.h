#ifndef DYNAMO_REDACT_H
#define DYNAMO_REDACT_H

#include <stddef.h>
#include "dynamo/buf.h"

/*
 * Keeping secrets out of everything dynamo prints or writes. AWS's own
 * error messages can hold them: an InvalidSignatureException (or S3's
 * SignatureDoesNotMatch) quotes the canonical request the server computed,
 * whose headers include x-amz-security-token, and a proxy or a fake
 * endpoint may echo anything it was sent.
 *
 * Every secret value in use is registered here while it is in use (access
 * key ids, secret keys and session tokens when credentials are made, the
 * container authorization token, the SSO and web identity tokens while a
 * request carries them), and redact() replaces each occurrence of any of
 * them, and the values after "Signature=" and "x-amz-security-token"
 * whatever they are, with [REDACTED]. Error messages (errf), message lines
 * (msg_*), --json output and warnings pass through it; item data never
 * does.
 *
 * Values shorter than REDACT_MIN_LEN are not registered: redacting every
 * "token" in a message would make it unreadable, and no AWS secret is
 * that short. Thread-safe.
 */
#define REDACT_MIN_LEN 8

/* Registers a secret (copied; counted, so the same value may be added twice). */
void redact_add(const char *secret);
/* Drops one registration of a secret (and wipes the copy with the last). */
void redact_remove(const char *secret);
/* Appends text (n bytes) to out with every secret replaced. */
void redact_into(const char *text, size_t n, struct buf *out);
/* The same in place on a NUL-terminated string of capacity cap (cut to fit). */
void redact_str(char *s, size_t cap);

#endif
