/*
 * AWS Signature Version 4 for the services dynamo talks to. For DynamoDB,
 * STS and the SSO portal the path is normalized and encoded once more; for
 * S3 (req->s3) it is signed as sent and x-amz-content-sha256 is signed too.
 * Each stage matches botocore's SigV4Auth (S3SigV4Auth for S3);
 * tests/vectors/sigv4 holds its output for comparison.
 */
#include "dynamo/sigv4.h"
#include "dynamo/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
/* Headers kept in an array on the stack; more than this go on the heap. */
#define STACK_HEADERS 16

static const char hexdig[] = "0123456789abcdef";
static const char HEXDIG[] = "0123456789ABCDEF";

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[p[i] >> 4];
		out[2 * i + 1] = hexdig[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int empty(const char *s)
{
	return !s || !*s;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

/* Whitespace as Python's str.split() sees it in ASCII, which botocore uses. */
static int blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

void sigv4_signed_init(struct sigv4_signed *s)
{
	memset(s->amz_date, 0, sizeof(s->amz_date));
	memset(s->payload_sha256, 0, sizeof(s->payload_sha256));
	memset(s->signature, 0, sizeof(s->signature));
	buf_init(&s->canonical_request, 0);
	buf_init(&s->signed_headers, 0);
	buf_init(&s->string_to_sign, 0);
	buf_init(&s->authorization, 0);
}

void sigv4_signed_release(struct sigv4_signed *s)
{
	buf_release(&s->canonical_request);
	buf_release(&s->signed_headers);
	buf_release(&s->string_to_sign);
	buf_release(&s->authorization);
}

void sigv4_amz_date(time_t now, char out[17])
{
	struct tm tm;

	/* Years past 9999 do not fit; sigv4_sign refuses the empty result. */
	if (!gmtime_r(&now, &tm) || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		out[0] = '\0';
}

/* libcrypto fails only when out of memory or misinstalled; like xmalloc. */
static void crypto_check(int ok)
{
	if (!ok) {
		fputs("dynamo: libcrypto failed to compute SHA-256 or HMAC\n", stderr);
		abort();
	}
}

void sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[32];

	crypto_check(EVP_Digest(data ? data : "", n, md, NULL, EVP_sha256(), NULL));
	to_hex(md, sizeof(md), out);
}

/*
 * One HMAC-SHA256 context serves a whole signature, re-keyed at each step:
 * the one-shot HMAC() looks the algorithm up on every call, which cost more
 * than the hashing (1.2 us against 0.4 us a step).
 */
static EVP_MAC_CTX *hmac_create(void)
{
	static char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

	EVP_MAC_free(mac);	/* the context keeps its own reference */
	crypto_check(ctx && EVP_MAC_CTX_set_params(ctx, params));
	return ctx;
}

/*
 * Fetching the HMAC algorithm costs more than a signature, so each thread
 * keeps one context (freed when the thread ends).
 */
static pthread_key_t hmac_key;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_free(void *ctx)
{
	EVP_MAC_CTX_free(ctx);
}

static void hmac_key_init(void)
{
	pthread_key_create(&hmac_key, hmac_free);
}

static EVP_MAC_CTX *hmac_new(void)
{
	EVP_MAC_CTX *ctx;

	pthread_once(&hmac_once, hmac_key_init);
	ctx = pthread_getspecific(hmac_key);
	if (!ctx) {
		ctx = hmac_create();
		pthread_setspecific(hmac_key, ctx);
	}
	return ctx;
}

static void hmac(EVP_MAC_CTX *ctx, const void *key, size_t klen,
		 const char *msg, size_t n, unsigned char out[32])
{
	size_t outlen;

	crypto_check(EVP_MAC_init(ctx, key, klen, NULL) &&
		     EVP_MAC_update(ctx, (const unsigned char *)msg, n) &&
		     EVP_MAC_final(ctx, out, &outlen, 32) && outlen == 32);
}

/* Appends each string up to a NULL. */
__attribute__((sentinel))
static int put_strs(struct buf *b, ...)
{
	va_list ap;
	const char *s;
	int err = 0;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)))
		err |= buf_puts(b, s);
	va_end(ap);
	return err;
}

int sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash)
{
	size_t i, run = 0;
	char pct[3] = { '%' };

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/'))
			continue;
		pct[1] = HEXDIG[c >> 4];
		pct[2] = HEXDIG[c & 15];
		if (buf_append(out, s + run, i - run) < 0 ||
		    buf_append(out, pct, 3) < 0)
			return -1;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run);
}

/* Percent-decodes s and encodes the bytes again the AWS way. */
static int reencode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		/* Like Python's unquote, a malformed escape stays as it is. */
		if (c == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			c = (char)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
			i += 2;
		}
		err |= sigv4_uri_encode(out, &c, 1, 0);
	}
	return err;
}

/* Cuts b back to len bytes. */
static void truncate_to(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/*
 * For services other than S3 the canonical URI is the wire path encoded once
 * more ("%20" becomes "%2520"), after removing "." and ".." segments and
 * empty ones ("//"), as botocore's remove_dot_segments does.
 */
static int canonical_uri(struct buf *out, const char *path)
{
	size_t len = strlen(path), base, nseg = 0, i = 0;
	int err = 0;

	if (!len)
		return buf_putc(out, '/');
	if (path[0] == '/')
		err |= buf_putc(out, '/');
	base = out->len;
	while (i < len) {
		const char *seg = path + i, *slash = memchr(seg, '/', len - i);
		size_t n = slash ? (size_t)(slash - seg) : len - i;

		i += n + 1;
		if (!n || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			size_t cut = out->len;

			if (!nseg)
				continue;
			/* Encoded segments hold no '/': back up to the last one's. */
			while (cut > base && out->data[cut - 1] != '/')
				cut--;
			truncate_to(out, cut > base ? cut - 1 : base);
			nseg--;
			continue;
		}
		if (nseg)
			err |= buf_putc(out, '/');
		err |= sigv4_uri_encode(out, seg, n, 0);
		nseg++;
	}
	if (nseg && path[len - 1] == '/')
		err |= buf_putc(out, '/');
	return err;
}

struct qpair {
	size_t koff, voff;	/* into the scratch buffer, while it may move */
	const char *k, *v;	/* NUL-terminated, once it no longer moves */
};

static int qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

/*
 * Each '&'-separated pair is split on its first '=' (none: an empty value),
 * decoded and encoded again, then the pairs are sorted by name, then value.
 * Encoded names and values never contain NUL, so the scratch buffer keeps
 * them as C strings.
 */
static int canonical_query(struct buf *out, const char *q)
{
	struct buf scratch = BUF_INIT;
	struct qpair *pairs;
	size_t n = 1, i;
	const char *p;
	int err = 0;

	if (empty(q))
		return 0;
	for (p = q; (p = strchr(p, '&')); p++)
		n++;
	pairs = xcalloc(n, sizeof(*pairs));
	for (i = 0, p = q; i < n; i++) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;

		pairs[i].koff = scratch.len;
		err |= reencode(&scratch, p, klen);
		err |= buf_putc(&scratch, '\0');
		pairs[i].voff = scratch.len;
		if (eq)
			err |= reencode(&scratch, eq + 1, len - klen - 1);
		err |= buf_putc(&scratch, '\0');
		p += len + 1;
	}
	if (err)
		goto cleanup;
	for (i = 0; i < n; i++) {
		pairs[i].k = scratch.data + pairs[i].koff;
		pairs[i].v = scratch.data + pairs[i].voff;
	}
	qsort(pairs, n, sizeof(*pairs), qpair_cmp);
	for (i = 0; i < n; i++) {
		if (i)
			err |= buf_putc(out, '&');
		err |= buf_puts(out, pairs[i].k);
		err |= buf_putc(out, '=');
		err |= buf_puts(out, pairs[i].v);
	}
cleanup:
	free(pairs);
	buf_release(&scratch);
	return err;
}

struct hdr {
	const char *name;	/* borrowed; any case */
	size_t nlen;
	const char *value;	/* borrowed */
};

static int hdr_cmp(const struct hdr *a, const struct hdr *b)
{
	size_t i, n = a->nlen < b->nlen ? a->nlen : b->nlen;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)lower(a->name[i]);
		unsigned char y = (unsigned char)lower(b->name[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (a->nlen > b->nlen) - (a->nlen < b->nlen);
}

/* Stable, so repeated names keep the caller's order of values. */
static void hdr_sort(struct hdr *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct hdr h = v[i];

		for (j = i; j > 0 && hdr_cmp(&v[j - 1], &h) > 0; j--)
			v[j] = v[j - 1];
		v[j] = h;
	}
}

static int name_is(const char *name, const char *lname)
{
	while (*name && lower(*name) == *lname) {
		name++;
		lname++;
	}
	return !*name && !*lname;
}

/*
 * A name that would corrupt the canonical form, or one the signer sets
 * itself (it would be signed twice), is refused.
 */
static int valid_header(const struct sigv4_header *h)
{
	const unsigned char *p;

	if (empty(h->name) || !h->value)
		return 0;
	for (p = (const unsigned char *)h->name; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':' || *p == ';')
			return 0;
	return !name_is(h->name, "host") && !name_is(h->name, "x-amz-date") &&
	       !name_is(h->name, "x-amz-security-token") &&
	       !name_is(h->name, "x-amz-content-sha256") &&
	       !name_is(h->name, "authorization");
}

static int put_lower(struct buf *out, const char *s, size_t n)
{
	size_t i;

	if (buf_reserve(out, n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		out->data[out->len + i] = lower(s[i]);
	truncate_to(out, out->len + n);
	return 0;
}

/* The value with blanks trimmed and inner runs of them folded to one space. */
static int put_trimmed(struct buf *out, const char *v)
{
	const unsigned char *p = (const unsigned char *)v, *word;
	int err = 0, first = 1;

	for (;;) {
		while (*p && blank(*p))
			p++;
		if (!*p)
			return err;
		word = p;
		while (*p && !blank(*p))
			p++;
		if (!first)
			err |= buf_putc(out, ' ');
		err |= buf_append(out, word, (size_t)(p - word));
		first = 0;
	}
}

static void hdr_add(struct hdr *v, size_t *n, const char *name, const char *value)
{
	v[*n].name = name;
	v[*n].nlen = strlen(name);
	v[*n].value = value;
	(*n)++;
}

/* "name:value\n" lines sorted by name, repeats joined with ','. */
static int canonical_headers(struct buf *out, struct buf *signed_headers,
			     const struct sigv4_request *req,
			     const char *amz_date, const char *token,
			     const char *payload_sha256)
{
	struct hdr stackv[STACK_HEADERS], *v = stackv;
	size_t max = req->nheaders + 4, n = 0, i, j;
	int err = -1;

	if (req->nheaders && !req->headers)
		return -1;
	if (max > STACK_HEADERS)
		v = xcalloc(max, sizeof(*v));
	for (i = 0; i < req->nheaders; i++) {
		if (!valid_header(&req->headers[i]))
			goto cleanup;
		hdr_add(v, &n, req->headers[i].name, req->headers[i].value);
	}
	hdr_add(v, &n, "host", req->host);
	hdr_add(v, &n, "x-amz-date", amz_date);
	if (req->s3)
		hdr_add(v, &n, "x-amz-content-sha256", payload_sha256);
	if (!empty(token))
		hdr_add(v, &n, "x-amz-security-token", token);
	hdr_sort(v, n);

	err = 0;
	for (i = 0; i < n; i = j) {
		if (i)
			err |= buf_putc(signed_headers, ';');
		err |= put_lower(signed_headers, v[i].name, v[i].nlen);
		err |= put_lower(out, v[i].name, v[i].nlen);
		err |= buf_putc(out, ':');
		for (j = i; j < n && !hdr_cmp(&v[i], &v[j]); j++) {
			if (j > i)
				err |= buf_putc(out, ',');
			err |= put_trimmed(out, v[j].value);
		}
		err |= buf_putc(out, '\n');
	}
cleanup:
	if (v != stackv)
		free(v);
	return err;
}

/* Fills out and signed_headers, replacing what they held. */
int sigv4_canonical_request(const struct sigv4_request *req,
			    const char *amz_date, const char *token,
			    const char *payload_sha256, struct buf *out,
			    struct buf *signed_headers)
{
	const char *m;
	int err = 0;

	buf_reset(out);
	buf_reset(signed_headers);
	if (!req || empty(req->method) || empty(req->host) || !req->path ||
	    empty(amz_date) || empty(payload_sha256))
		return -1;
	for (m = req->method; *m; m++)
		err |= buf_putc(out, upper(*m));
	err |= buf_putc(out, '\n');
	/* An S3 path is signed as sent: it is already encoded once. */
	err |= req->s3 ? buf_puts(out, *req->path ? req->path : "/") :
			 canonical_uri(out, req->path);
	err |= buf_putc(out, '\n');
	err |= canonical_query(out, req->query);
	err |= buf_putc(out, '\n');
	if (err || canonical_headers(out, signed_headers, req, amz_date, token,
				     payload_sha256) < 0)
		return -1;
	err |= buf_putc(out, '\n');
	err |= buf_append(out, signed_headers->data, signed_headers->len);
	err |= buf_putc(out, '\n');
	err |= buf_puts(out, payload_sha256);
	return err;
}

/* Fills out, replacing what it held. */
void sigv4_string_to_sign(const char *amz_date, const char *region,
			  const char *service, const struct buf *canonical_request,
			  struct buf *out)
{
	char hash[65];

	sigv4_sha256_hex(canonical_request->data, canonical_request->len, hash);
	buf_reset(out);
	put_strs(out, ALGORITHM "\n", amz_date, "\n", (const char *)NULL);
	buf_append(out, amz_date, 8);
	put_strs(out, "/", region, "/", service, "/aws4_request\n", hash,
		 (const char *)NULL);
}

static void signing_key(EVP_MAC_CTX *ctx, const char *secret,
			const char *date8, const char *region,
			const char *service, unsigned char key[32])
{
	unsigned char k1[32], k2[32];
	char stackk[4 + 64], *k = stackk;
	size_t slen = strlen(secret);

	if (slen > sizeof(stackk) - 4)
		k = xmalloc(4 + slen);
	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, slen);
	hmac(ctx, k, 4 + slen, date8, strlen(date8), k1);
	hmac(ctx, k1, 32, region, strlen(region), k2);
	hmac(ctx, k2, 32, service, strlen(service), k1);
	hmac(ctx, k1, 32, "aws4_request", 12, key);
	wipe(k, 4 + slen);
	wipe(k1, sizeof(k1));
	wipe(k2, sizeof(k2));
	if (k != stackk)
		free(k);
}

static void signature(EVP_MAC_CTX *ctx, const unsigned char key[32],
		      const struct buf *string_to_sign, char out[65])
{
	unsigned char md[32];

	hmac(ctx, key, 32, string_to_sign->data ? string_to_sign->data : "",
	     string_to_sign->len, md);
	to_hex(md, sizeof(md), out);
}

void sigv4_signing_key(const char *secret, const char *date8,
		       const char *region, const char *service,
		       unsigned char key[32])
{
	EVP_MAC_CTX *ctx = hmac_new();

	signing_key(ctx, secret, date8, region, service, key);
}

void sigv4_signature(const unsigned char key[32], const struct buf *string_to_sign,
		     char out[65])
{
	EVP_MAC_CTX *ctx = hmac_new();

	signature(ctx, key, string_to_sign, out);
}

static int valid_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

int sigv4_sign(const struct sigv4_request *req,
	       const struct sigv4_credentials *cred,
	       const struct sigv4_scope *scope, struct sigv4_signed *out)
{
	EVP_MAC_CTX *ctx;
	unsigned char key[32];
	char date8[9];

	if (!req || !cred || !scope || !out || empty(cred->access_key_id) ||
	    empty(cred->secret_access_key) || empty(scope->region) ||
	    empty(scope->service) || (!req->payload && req->payload_len))
		return -1;
	sigv4_amz_date(scope->now, out->amz_date);
	if (!out->amz_date[0])
		return -1;
	if (req->payload_sha256) {
		if (!valid_sha256_hex(req->payload_sha256))
			return -1;
		memcpy(out->payload_sha256, req->payload_sha256, 65);
	} else {
		sigv4_sha256_hex(req->payload, req->payload_len,
				 out->payload_sha256);
	}
	if (sigv4_canonical_request(req, out->amz_date, cred->session_token,
				    out->payload_sha256, &out->canonical_request,
				    &out->signed_headers) < 0)
		return -1;
	sigv4_string_to_sign(out->amz_date, scope->region, scope->service,
			     &out->canonical_request, &out->string_to_sign);

	memcpy(date8, out->amz_date, 8);
	date8[8] = '\0';
	ctx = hmac_new();
	if (scope->signing_key)
		memcpy(key, scope->signing_key, sizeof(key));
	else
		signing_key(ctx, cred->secret_access_key, date8, scope->region,
			    scope->service, key);
	signature(ctx, key, &out->string_to_sign, out->signature);
	wipe(key, sizeof(key));

	buf_reset(&out->authorization);
	return put_strs(&out->authorization, ALGORITHM " Credential=",
			cred->access_key_id, "/", date8, "/", scope->region, "/",
			scope->service, "/aws4_request, SignedHeaders=",
			out->signed_headers.data, ", Signature=", out->signature,
			(const char *)NULL);
}
