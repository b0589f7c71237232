/*
 * The mask key: loading the secret, keeping it out of every output, and
 * the HMAC-SHA-256 contexts each thread derives from it (see mask.h).
 */
/* SHA256_Init and co. (see "HMAC-SHA-256" below for why). */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "dynamo/mask.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"

#include <errno.h>
#include <openssl/crypto.h>
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

/*
 * A mask costs MASK_ROUNDS HMACs of a short message, so the HMAC's fixed
 * cost is the mask's. With the SHA-256 states after the key's ipad and
 * opad blocks kept, an HMAC is two block compressions: 117 ns here with
 * SHA256_CTX copied as a struct, against 162 ns with EVP_MD_CTX_copy_ex
 * (which allocates and frees a context per copy) and 210 ns with EVP_MAC
 * re-initialised. SHA256_* are deprecated in OpenSSL 3 but present in
 * every build that keeps the 3.0 API; one built without it gets the EVP
 * path below.
 */
#if defined(OPENSSL_NO_DEPRECATED_3_0)
#define HMAC_EVP 1
#else
#define HMAC_EVP 0
#endif

#if !HMAC_EVP
#include <openssl/sha.h>
#endif

/* libcrypto fails only when out of memory or misinstalled; like xmalloc. */
static void crypto_check(int ok)
{
	if (!ok) {
		fputs("dynamo: libcrypto failed to compute SHA-256\n", stderr);
		abort();
	}
}

#if HMAC_EVP
struct mask_hmac {
	EVP_MD_CTX *inner, *outer, *work;	/* owned */
};

static void pad_absorbed(struct mask_hmac *h, int outer, const unsigned char block[64])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	crypto_check(c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		     EVP_DigestUpdate(c, block, 64));
	*(outer ? &h->outer : &h->inner) = c;
}

static void hmac_free(struct mask_hmac *h)
{
	/* EVP_MD_CTX_free cleanses the digest states (the key's pads). */
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	EVP_MD_CTX_free(h->work);
	free(h);
}

static void hmac_run(struct mask_hmac *h, const void *msg, size_t n,
		     unsigned char out[32])
{
	unsigned char ih[32];
	unsigned int len;

	if (!h->work)
		crypto_check((h->work = EVP_MD_CTX_new()) != NULL);
	crypto_check(EVP_MD_CTX_copy_ex(h->work, h->inner) &&
		     EVP_DigestUpdate(h->work, msg, n) &&
		     EVP_DigestFinal_ex(h->work, ih, &len) &&
		     EVP_MD_CTX_copy_ex(h->work, h->outer) &&
		     EVP_DigestUpdate(h->work, ih, sizeof(ih)) &&
		     EVP_DigestFinal_ex(h->work, out, &len));
}
#else
struct mask_hmac {
	SHA256_CTX inner, outer;
};

static void pad_absorbed(struct mask_hmac *h, int outer, const unsigned char block[64])
{
	SHA256_CTX *c = outer ? &h->outer : &h->inner;

	crypto_check(SHA256_Init(c) && SHA256_Update(c, block, 64));
}

static void hmac_free(struct mask_hmac *h)
{
	wipe(h, sizeof(*h));
	free(h);
}

static void hmac_run(struct mask_hmac *h, const void *msg, size_t n,
		     unsigned char out[32])
{
	SHA256_CTX c = h->inner;
	unsigned char ih[32];

	SHA256_Update(&c, msg, n);
	SHA256_Final(ih, &c);
	c = h->outer;
	SHA256_Update(&c, ih, sizeof(ih));
	SHA256_Final(out, &c);
	OPENSSL_cleanse(&c, sizeof(c));	/* it holds state derived from the key */
}
#endif

/* RFC 2104: the key (hashed first when longer than a block) padded to 64 bytes. */
static struct mask_hmac *hmac_new(const unsigned char *key, size_t n)
{
	struct mask_hmac *h = xcalloc(1, sizeof(*h));
	unsigned char hashed[32], block[64];
	size_t i;

	if (n > sizeof(block)) {
		crypto_check(EVP_Digest(key, n, hashed, NULL, EVP_sha256(), NULL));
		key = hashed;
		n = sizeof(hashed);
	}
	for (i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)((i < n ? key[i] : 0) ^ 0x36);
	pad_absorbed(h, 0, block);
	for (i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)((i < n ? key[i] : 0) ^ 0x5c);
	pad_absorbed(h, 1, block);
	wipe(block, sizeof(block));
	wipe(hashed, sizeof(hashed));
	return h;
}

int masker_init(struct masker *m, const struct mask_key *k)
{
	memset(m, 0, sizeof(*m));
	if (!k->secret)
		return -1;
	m->hmac = hmac_new((const unsigned char *)k->secret, k->len);
	buf_init(&m->msg, 0);
	buf_init(&m->stream, 0);
	buf_init(&m->text, 0);
	buf_init(&m->raw, 0);
	return 0;
}

void masker_release(struct masker *m)
{
	if (m->hmac)
		hmac_free(m->hmac);
	free(m->x);
	free(m->radix);
	free(m->cls);
	free(m->at);
	buf_wipe_release(&m->msg);
	buf_wipe_release(&m->stream);
	buf_wipe_release(&m->text);
	buf_wipe_release(&m->raw);
	memset(m, 0, sizeof(*m));
}

void mask_hmac(struct masker *m, const void *msg, size_t n, unsigned char out[32])
{
	hmac_run(m->hmac, msg, n, out);
}
