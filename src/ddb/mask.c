/*
 * Masking values (see mask.h for the rules): a keyed permutation of each
 * value's maskable positions, which keeps the type and the shape.
 */
#include "dynamo/mask.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ---- the permutation ---- */

static void ensure_positions(struct masker *m, size_t n)
{
	if (n <= m->cap)
		return;
	m->cap = n < 64 ? 64 : 2 * n;
	m->x = xrealloc(m->x, m->cap * sizeof(*m->x));
	m->radix = xrealloc(m->radix, m->cap * sizeof(*m->radix));
	m->cls = xrealloc(m->cls, m->cap * sizeof(*m->cls));
	m->at = xrealloc(m->at, m->cap * sizeof(*m->at));
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return p + 4;
}

/*
 * The round function: HMAC-SHA-256 of (round, tweak, positions, the other
 * half's values), stretched to as many pseudo-random bytes as the half
 * being changed needs (two per position, four when its radix exceeds 256)
 * by HMAC-SHA-256 of (counter, first block).
 */
static const unsigned char *round_stream(struct masker *m, int round,
					 uint64_t tweak, size_t n,
					 const uint32_t *src, size_t src_n,
					 size_t need)
{
	unsigned char *p, *first;
	size_t i;
	uint32_t k;

	buf_reset(&m->msg);
	if (buf_reserve(&m->msg, 14 + 2 * src_n) < 0 ||
	    buf_reserve(&m->stream, need + 32) < 0)
		abort();	/* unbounded buffers: only out of memory, which aborts first */
	p = (unsigned char *)m->msg.data;
	*p++ = 'R';
	*p++ = (unsigned char)round;
	p = put_u32(p, (uint32_t)(tweak >> 32));
	p = put_u32(p, (uint32_t)tweak);
	p = put_u32(p, (uint32_t)n);
	for (i = 0; i < src_n; i++) {
		*p++ = (unsigned char)(src[i] >> 8);
		*p++ = (unsigned char)src[i];
	}
	first = (unsigned char *)m->stream.data;
	mask_hmac(m, m->msg.data, (size_t)(p - (unsigned char *)m->msg.data), first);
	for (k = 1; 32 * k < need; k++) {
		unsigned char in[37];

		in[0] = 'X';
		put_u32(in + 1, k);
		memcpy(in + 5, first, 32);
		mask_hmac(m, in, sizeof(in), first + 32 * k);
	}
	return first;
}

static size_t stream_need(const uint32_t *radix, size_t n)
{
	size_t i, need = 0;

	for (i = 0; i < n; i++)
		need += radix[i] > 256 ? 4 : 2;
	return need;
}

/*
 * dst[i] = (dst[i] + F(src)[i]) mod radix[i]: one Feistel round, which the
 * key can undo. F's bytes become a number below radix by multiplying and
 * keeping the high half (no division: this runs for every position of
 * every round).
 */
static void feistel_round(struct masker *m, int round, uint64_t tweak, size_t n,
			  uint32_t *dst, const uint32_t *radix, size_t dst_n,
			  const uint32_t *src, size_t src_n)
{
	const unsigned char *f;
	size_t i;

	if (!dst_n)
		return;
	f = round_stream(m, round, tweak, n, src, src_n, stream_need(radix, dst_n));
	for (i = 0; i < dst_n; i++) {
		uint32_t add, v;

		if (radix[i] > 256) {
			uint32_t r = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 |
				     (uint32_t)f[2] << 8 | f[3];

			add = (uint32_t)(((uint64_t)r * radix[i]) >> 32);
			f += 4;
		} else {
			add = (((uint32_t)f[0] << 8 | f[1]) * radix[i]) >> 16;
			f += 2;
		}
		v = dst[i] + add;
		dst[i] = v >= radix[i] ? v - radix[i] : v;
	}
}

/*
 * A Feistel network over the group Z_radix[0] x ... x Z_radix[n-1], split
 * into a first half A and a second half B: even rounds add F(B) to A, odd
 * rounds F(A) to B. Each round can be undone knowing the key, so the whole
 * is a bijection whatever the radices (the FF1 structure, with addition
 * position by position instead of on one big number).
 */
void mask_permute(struct masker *m, uint32_t *x, const uint32_t *radix,
		  size_t n, uint64_t tweak)
{
	size_t u = n / 2;
	int round;

	if (!n)
		return;	/* nothing to mask */
	for (round = 0; round < MASK_ROUNDS; round++) {
		if (round % 2 == 0)
			feistel_round(m, round, tweak, n, x, radix, u, x + u, n - u);
		else
			feistel_round(m, round, tweak, n, x + u, radix + u, n - u, x, u);
	}
}

/* The tweak: FNV-1a over the shape of the value (kept bytes, classes). */
#define FNV_START 0xcbf29ce484222325ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- strings ---- */

struct cp_range {
	uint32_t lo, hi;
};

/* The letters and digits masked, each class mapped onto itself. */
static const struct cp_range
	r_digit[] = { { 0x30, 0x39 } },
	r_lower[] = { { 0x61, 0x7a } },
	r_upper[] = { { 0x41, 0x5a } },
	r_latin1_upper[] = { { 0xc0, 0xd6 }, { 0xd8, 0xde } },
	r_latin1_lower[] = { { 0xdf, 0xf6 }, { 0xf8, 0xff } },
	r_latin_ext_a[] = { { 0x100, 0x17f } },
	r_greek_upper[] = { { 0x391, 0x3a1 }, { 0x3a3, 0x3a9 } },
	r_greek_lower[] = { { 0x3b1, 0x3c9 } },
	r_cyrillic_upper[] = { { 0x410, 0x42f } },
	r_cyrillic_lower[] = { { 0x430, 0x44f } },
	r_hebrew[] = { { 0x5d0, 0x5ea } },
	r_arabic[] = { { 0x621, 0x63a }, { 0x641, 0x64a } },
	r_devanagari[] = { { 0x905, 0x939 } },
	r_thai[] = { { 0xe01, 0xe2e } },
	r_hiragana[] = { { 0x3041, 0x3096 } },
	r_katakana[] = { { 0x30a1, 0x30fa } },
	r_cjk[] = { { 0x4e00, 0x9fff } },
	r_hangul[] = { { 0xac00, 0xd7a3 } };

struct cp_class {
	const struct cp_range *r;
	int nr;
};

#define CLASS(r) { r, (int)(sizeof(r) / sizeof(r[0])) }

static const struct cp_class classes[] = {
	CLASS(r_digit), CLASS(r_lower), CLASS(r_upper), CLASS(r_latin1_upper),
	CLASS(r_latin1_lower), CLASS(r_latin_ext_a), CLASS(r_greek_upper),
	CLASS(r_greek_lower), CLASS(r_cyrillic_upper), CLASS(r_cyrillic_lower),
	CLASS(r_hebrew), CLASS(r_arabic), CLASS(r_devanagari), CLASS(r_thai),
	CLASS(r_hiragana), CLASS(r_katakana), CLASS(r_cjk), CLASS(r_hangul),
};

#define NCLASSES ((int)(sizeof(classes) / sizeof(classes[0])))

static uint32_t class_size(int c)
{
	uint32_t size = 0;
	int i;

	for (i = 0; i < classes[c].nr; i++)
		size += classes[c].r[i].hi - classes[c].r[i].lo + 1;
	return size;
}

/* The class of a code point and its index in it; -1 when it is kept. */
static int classify(uint32_t cp, uint32_t *index)
{
	int c, i;
	uint32_t before;

	if (cp < 0x80) {
		c = cp >= '0' && cp <= '9' ? 0 : cp >= 'a' && cp <= 'z' ? 1 :
		    cp >= 'A' && cp <= 'Z' ? 2 : -1;
		if (c >= 0)
			*index = cp - classes[c].r[0].lo;
		return c;
	}
	for (c = 3; c < NCLASSES; c++)
		for (i = 0, before = 0; i < classes[c].nr; i++) {
			const struct cp_range *r = &classes[c].r[i];

			if (cp >= r->lo && cp <= r->hi) {
				*index = before + cp - r->lo;
				return c;
			}
			before += r->hi - r->lo + 1;
		}
	return -1;
}

static uint32_t class_member(int c, uint32_t index)
{
	int i;

	for (i = 0; i < classes[c].nr; i++) {
		const struct cp_range *r = &classes[c].r[i];

		if (index <= r->hi - r->lo)
			return r->lo + index;
		index -= r->hi - r->lo + 1;
	}
	return classes[c].r[0].lo;
}

/* Decodes one UTF-8 code point at s; its length, or 0 when the byte is not one. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] < 0xe0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] >= 0xe0 && s[0] < 0xf0 && n >= 3 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		      (s[2] & 0x3f);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	return 0;	/* 4-byte sequences hold no class masked: kept as bytes */
}

static size_t utf8_encode(uint32_t cp, char out[3])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * Where an email's top-level domain starts (kept as it is), or n when s is
 * no email: one '@' with something before it, no blank, a domain with a
 * dot and after its last dot two or more ASCII letters.
 */
static size_t email_tld(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *dot;
	size_t i, tld;

	if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)) ||
	    memchr(s, ' ', n))
		return n;
	for (dot = NULL, i = (size_t)(at - s) + 1; i < n; i++)
		if (s[i] == '.')
			dot = s + i;
	if (!dot || dot == at + 1)
		return n;
	tld = (size_t)(dot + 1 - s);
	if (n - tld < 2)
		return n;
	for (i = tld; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return n;
	return tld;
}

int mask_string(struct masker *m, const char *s, size_t n, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t keep_from = email_tld(s, n), i, len, k = 0, start = out->len;
	uint64_t tweak = fnv(FNV_START, "S", 1);
	uint32_t cp, index;
	int c, changed = 0;

	ensure_positions(m, n);
	/* The positions masked, and the shape (classes, kept bytes) as the tweak. */
	for (i = 0; i < n; i += len) {
		len = utf8_decode(u + i, n - i, &cp);
		c = len && i < keep_from ? classify(cp, &index) : -1;
		if (!len)
			len = 1;
		if (c < 0) {
			tweak = fnv(tweak, s + i, len);
			continue;
		}
		tweak = fnv(tweak, (unsigned char[]){ 0xff, (unsigned char)c }, 2);
		m->x[k] = index;
		m->radix[k] = class_size(c);
		m->cls[k] = (signed char)c;
		m->at[k++] = (uint32_t)i;
	}
	mask_permute(m, m->x, m->radix, k, tweak);
	/* Each class's letters have one UTF-8 length: written over a copy. */
	buf_append(out, s, n);
	for (i = 0; i < k; i++) {
		char *o = out->data + start + m->at[i];
		char enc[3];
		size_t el = utf8_encode(class_member(m->cls[i], m->x[i]), enc);

		changed |= memcmp(o, enc, el) != 0;
		memcpy(o, enc, el);
	}
	return changed;
}

/* ---- numbers ---- */

int mask_number(struct masker *m, const char *s, size_t n, struct buf *out)
{
	struct decimal d;
	size_t k = 0, digits, start = out->len;
	uint64_t tweak = fnv(FNV_START, "N", 1);
	const char *p;
	int changed = 0;

	if (decimal_parse(s, n, &d) < 0)
		return -1;
	buf_append(out, s, n);
	if (!d.sig)
		return 0;	/* zero */
	digits = decimal_digits(&d);
	ensure_positions(m, digits);
	/*
	 * The significant digits, first and last from 1 to 9 (index digit-1)
	 * and the others from 0 to 9: the masked number keeps its digit count.
	 */
	for (p = d.sig; p < d.sig_end; p++) {
		if (*p == '.')
			continue;
		if (k == 0 || k == digits - 1) {
			m->x[k] = (uint32_t)(*p - '1');
			m->radix[k] = 9;
		} else {
			m->x[k] = (uint32_t)(*p - '0');
			m->radix[k] = 10;
		}
		k++;
	}
	tweak = fnv(tweak, &d.neg, sizeof(d.neg));
	tweak = fnv(tweak, &d.exp, sizeof(d.exp));
	tweak = fnv(tweak, &digits, sizeof(digits));
	/* A single digit has one position of radix 9: permuted all the same. */
	mask_permute(m, m->x, m->radix, k, tweak);
	for (p = d.sig, k = 0; p < d.sig_end; p++) {
		char *o = out->data + start + (p - s);

		if (*p == '.')
			continue;
		*o = (char)((k == 0 || k == digits - 1 ? '1' : '0') + m->x[k]);
		changed |= *o != *p;
		k++;
	}
	return changed;
}

/* ---- binaries ---- */

void mask_bytes(struct masker *m, const unsigned char *in, size_t n,
		unsigned char *out)
{
	size_t i;

	ensure_positions(m, n);
	for (i = 0; i < n; i++) {
		m->x[i] = in[i];
		m->radix[i] = 256;
	}
	mask_permute(m, m->x, m->radix, n, fnv(fnv(FNV_START, "B", 1), &n, sizeof(n)));
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)m->x[i];
}

/* Standard base64 in, the masked bytes as standard base64 out. */
static int mask_base64(struct masker *m, const char *b64, size_t n,
		       struct buf *out)
{
	struct buf in = BUF_INIT, masked = BUF_INIT;
	int r = -1;

	if (base64_decode(b64, n, &in) < 0 || buf_reserve(&masked, in.len + 1) < 0 ||
	    buf_reserve(out, 4 * (in.len / 3 + 1) + 1) < 0)
		goto done;
	mask_bytes(m, (unsigned char *)in.data, in.len, (unsigned char *)masked.data);
	out->len += (size_t)EVP_EncodeBlock((unsigned char *)out->data + out->len,
					    (unsigned char *)masked.data, (int)in.len);
	r = in.len && memcmp(in.data, masked.data, in.len) != 0;
done:
	buf_wipe_release(&in);
	buf_wipe_release(&masked);
	return r;
}

/* ---- attribute values ---- */

/*
 * One S, N or B value (a JSON string literal) masked, as a JSON string
 * literal. Without escapes the literal's bytes are the value's, and the
 * mask (letters and digits for letters and digits) needs none either: it
 * is written straight into out.
 */
static int mask_scalar(struct masker *m, char type, struct slice lit,
		       struct buf *out)
{
	const char *s = lit.p + 1;
	size_t n = lit.n - 2;
	struct buf *dst = out;
	int r;

	if (lit.n < 2 || lit.p[0] != '"')
		return -1;
	if (memchr(lit.p, '\\', lit.n)) {
		buf_reset(&m->raw);
		if (js_unescape(lit, &m->raw) < 0)
			return -1;
		s = m->raw.data ? m->raw.data : "";
		n = m->raw.len;
		if (type == 'S') {
			buf_reset(&m->text);
			dst = &m->text;	/* kept characters may need their escapes again */
		}
	}
	if (dst == out)
		buf_putc(out, '"');
	r = type == 'S' ? mask_string(m, s, n, dst) :
	    type == 'N' ? mask_number(m, s, n, dst) : mask_base64(m, s, n, dst);
	if (r < 0)
		return -1;
	if (dst == out)
		buf_putc(out, '"');
	else
		buf_json_str(out, m->text.data ? m->text.data : "", m->text.len);
	return r;
}

/* The state of a walk through a set, list or map. */
struct walk {
	struct masker *m;
	char set_type;		/* 'S', 'N', 'B' in a set; 0 in a list or map */
	int depth;
};

static int mask_value_depth(struct masker *m, struct slice av, struct buf *out,
			    int depth);

static int mask_element(void *ctx, struct slice e, struct buf *out)
{
	struct walk *w = ctx;

	return w->set_type ? mask_scalar(w->m, w->set_type, e, out) :
	       mask_value_depth(w->m, e, out, w->depth + 1);
}

/* A set (elements: JSON strings), a list or a map, element by element. */
static int mask_elements(struct masker *m, char set_type, int is_map,
			 struct slice v, struct buf *out, int depth)
{
	struct walk w = { m, set_type, depth };

	if (depth > JS_MAX_DEPTH)
		return -1;
	return av_map_elements(v, is_map ? '{' : '[', mask_element, &w, out);
}

static int mask_value_depth(struct masker *m, struct slice av, struct buf *out,
			    int depth)
{
	size_t start = out->len;
	struct slice v;
	char t[8];
	int r;

	if (av_split(av, t, &v) < 0)
		return -1;
	buf_append(out, av.p, (size_t)(v.p - av.p));	/* {"TYPE": as it stands */
	if (!strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B"))
		r = mask_scalar(m, t[0], v, out);
	else if (!strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS"))
		r = mask_elements(m, t[0], 0, v, out, depth);
	else if (!strcmp(t, "L") || !strcmp(t, "M"))
		r = mask_elements(m, 0, t[0] == 'M', v, out, depth);
	else if ((!strcmp(t, "BOOL") || !strcmp(t, "NULL")) && js_valid(v))
		r = buf_append(out, v.p, v.n) < 0 ? -1 : 0;
	else
		r = -1;
	if (r < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return -1;
	}
	buf_putc(out, '}');
	return r;
}

int mask_av(struct masker *m, struct slice av, struct buf *out)
{
	return mask_value_depth(m, av, out, 0);
}
