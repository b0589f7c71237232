/*
 * The mask key: loading the secret, keeping it out of every output, and
 * the HMAC-SHA-256 contexts each thread derives from it (see mask.h).
 */
#include "dynamo/mask.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_HOWTO "e.g. openssl rand -hex 32"

/* Checks and keeps the secret in b (wiped and released here either way). */
static int take_secret(struct mask_key *k, struct buf *b, const char *source,
		       struct errbuf *eb)
{
	int r = 0;

	buf_rstrip(b);
	if (!b->len)
		r = errf(eb, EXIT_USAGE, "%s is empty: the mask key must be a secret of at least %d bytes (%s)",
			 source, MASK_KEY_MIN, KEY_HOWTO);
	else if (memchr(b->data, '\0', b->len))
		r = errf(eb, EXIT_USAGE, "%s holds a NUL byte: use a text key (%s)",
			 source, KEY_HOWTO);
	else if (b->len < MASK_KEY_MIN)
		r = errf(eb, EXIT_USAGE, "%s is too short (%zu bytes): the mask key must be at least %d bytes (%s)",
			 source, b->len, MASK_KEY_MIN, KEY_HOWTO);
	if (r < 0) {
		buf_wipe_release(b);
		return -1;
	}
	k->len = b->len;
	k->secret = buf_detach(b);
	redact_add(k->secret);
	return 0;
}

int mask_key_load(struct mask_key *k, const char *file, const char *env_value,
		  struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	char source[600];

	memset(k, 0, sizeof(*k));
	if (file) {
		if (buf_read_file(&b, file, MASK_KEY_MAX) < 0)
			return errno == EFBIG ?
			       errf(eb, EXIT_USAGE, "--mask-key-file '%s' is larger than %d bytes: a mask key is a short secret (%s)",
				    file, MASK_KEY_MAX, KEY_HOWTO) :
			       errf(eb, EXIT_IO, "cannot read --mask-key-file '%s': %s",
				    file, strerror(errno));
		snprintf(source, sizeof(source), "--mask-key-file '%s'", file);
		return take_secret(k, &b, source, eb);
	}
	if (!env_value)
		return errf(eb, EXIT_USAGE,
			    "--mask needs a secret key: pass --mask-key-file FILE or set DYNAMO_MASK_KEY (%s)",
			    KEY_HOWTO);
	buf_init(&b, MASK_KEY_MAX);
	if (buf_puts(&b, env_value) < 0) {
		buf_wipe_release(&b);
		return errf(eb, EXIT_USAGE, "DYNAMO_MASK_KEY is longer than %d bytes: a mask key is a short secret",
			    MASK_KEY_MAX);
	}
	return take_secret(k, &b, "DYNAMO_MASK_KEY", eb);
}

void mask_key_release(struct mask_key *k)
{
	if (k->secret) {
		redact_remove(k->secret);
		wipe(k->secret, k->len);
		free(k->secret);
	}
	memset(k, 0, sizeof(*k));
}

/* ---- HMAC-SHA-256 with the key's pads absorbed once ---- */

/* libcrypto fails only when out of memory or misinstalled; like xmalloc. */
static void crypto_check(int ok)
{
	if (!ok) {
		fputs("dynamo: libcrypto failed to compute SHA-256\n", stderr);
		abort();
	}
}

static EVP_MD_CTX *padded(const EVP_MD *md, const unsigned char *key, size_t n,
			  unsigned char pad)
{
	unsigned char block[64];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t i;

	for (i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)((i < n ? key[i] : 0) ^ pad);
	crypto_check(c && EVP_DigestInit_ex(c, md, NULL) &&
		     EVP_DigestUpdate(c, block, sizeof(block)));
	wipe(block, sizeof(block));
	return c;
}

int masker_init(struct masker *m, const struct mask_key *k)
{
	unsigned char hashed[32];
	const unsigned char *key = (const unsigned char *)k->secret;
	size_t n = k->len;
	const EVP_MD *md = EVP_sha256();

	memset(m, 0, sizeof(*m));
	if (!k->secret)
		return -1;
	/* RFC 2104: a key longer than a block is hashed first. */
	if (n > 64) {
		crypto_check(EVP_Digest(key, n, hashed, NULL, md, NULL));
		key = hashed;
		n = sizeof(hashed);
	}
	m->inner = padded(md, key, n, 0x36);
	m->outer = padded(md, key, n, 0x5c);
	m->work = EVP_MD_CTX_new();
	crypto_check(m->work != NULL);
	wipe(hashed, sizeof(hashed));
	buf_init(&m->msg, 0);
	buf_init(&m->stream, 0);
	buf_init(&m->text, 0);
	buf_init(&m->raw, 0);
	return 0;
}

void masker_release(struct masker *m)
{
	/* EVP_MD_CTX_free cleanses the digest state (the key's pads). */
	EVP_MD_CTX_free(m->inner);
	EVP_MD_CTX_free(m->outer);
	EVP_MD_CTX_free(m->work);
	free(m->x);
	free(m->radix);
	buf_wipe_release(&m->msg);
	buf_wipe_release(&m->stream);
	buf_wipe_release(&m->text);
	buf_wipe_release(&m->raw);
	memset(m, 0, sizeof(*m));
}

void mask_hmac(struct masker *m, const void *msg, size_t n, unsigned char out[32])
{
	unsigned char ih[32];
	unsigned int len;

	crypto_check(EVP_MD_CTX_copy_ex(m->work, m->inner) &&
		     EVP_DigestUpdate(m->work, msg, n) &&
		     EVP_DigestFinal_ex(m->work, ih, &len) &&
		     EVP_MD_CTX_copy_ex(m->work, m->outer) &&
		     EVP_DigestUpdate(m->work, ih, sizeof(ih)) &&
		     EVP_DigestFinal_ex(m->work, out, &len));
}
