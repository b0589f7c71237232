#include "dynamo/json_scan.h"
#include "dynamo/parse.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bytes that end a run of plain string characters. */
static const unsigned char stop[256] = {
	['"'] = 1, ['\\'] = 1,
	[0] = 1, [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [7] = 1,
	[8] = 1, [9] = 1, [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,
	[15] = 1, [16] = 1, [17] = 1, [18] = 1, [19] = 1, [20] = 1, [21] = 1,
	[22] = 1, [23] = 1, [24] = 1, [25] = 1, [26] = 1, [27] = 1, [28] = 1,
	[29] = 1, [30] = 1, [31] = 1,
};

const char *js_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static int hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* p at the opening quote; returns just past the closing quote. */
static const char *skip_string(const char *p, const char *end)
{
	p++;
	for (;;) {
		while (p < end && !stop[(unsigned char)*p])
			p++;
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p != '\\')
			return NULL;	/* raw control character */
		if (p + 1 >= end)
			return NULL;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			break;
		case 'u':
			if (end - p < 6 || !hex(p[2]) || !hex(p[3]) || !hex(p[4]) ||
			    !hex(p[5]))
				return NULL;
			p += 6;
			break;
		default:
			return NULL;
		}
	}
}

static const char *skip_number(const char *p, const char *end)
{
	const char *s;

	if (p < end && *p == '-')
		p++;
	s = p;
	if (p < end && *p == '0')
		p++;	/* a leading zero stands alone (RFC 8259): "01" is not a number */
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p == s)
		return NULL;
	if (p < end && *p == '.') {
		s = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		s = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	return p;
}

static const char *skip_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - p) < n || memcmp(p, w, n))
		return NULL;
	return p + n;
}

static const char *skip_depth(const char *p, const char *end, int depth);

static const char *skip_container(const char *p, const char *end, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int object = *p == '{', first = 1;

	if (depth >= JS_MAX_DEPTH)
		return NULL;
	p = js_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (!first) {
			p = js_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p = js_ws(p + 1, end);
		}
		first = 0;
		if (object) {
			if (p >= end || *p != '"' || !(p = skip_string(p, end)))
				return NULL;
			p = js_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p++;
		}
		if (!(p = skip_depth(p, end, depth + 1)))
			return NULL;
	}
}

static const char *skip_depth(const char *p, const char *end, int depth)
{
	p = js_ws(p, end);
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"': return skip_string(p, end);
	case '{': case '[': return skip_container(p, end, depth);
	case 't': return skip_word(p, end, "true");
	case 'f': return skip_word(p, end, "false");
	case 'n': return skip_word(p, end, "null");
	default: return skip_number(p, end);
	}
}

const char *js_skip(const char *p, const char *end)
{
	return skip_depth(p, end, 0);
}

/*
 * The fast path for walking pages of items: an object or array is skipped
 * by tracking only nesting and strings, 64 bytes at a time, the way simdjson
 * finds structure: bit masks of quotes, backslashes and brackets; escaped
 * characters from runs of backslashes; the inside of strings from a prefix
 * XOR of the real quotes; then a whole chunk is skipped by counting brackets
 * unless the nesting could close inside it. Bounds and depth are checked;
 * what lies inside is not validated, which is fine for items that go back
 * to a DynamoDB that validates them. (Measured with perf on Scan pages: the
 * validating descent cost about 3.5 cycles a byte.)
 */
struct chunk_state {
	long depth;
	uint64_t prev_escaped;		/* the chunk's first byte is escaped */
	uint64_t prev_in_string;	/* all ones when a string runs over */
};

struct chunk_masks {
	uint64_t quote, backslash, open, close;
};

#if defined(__SSE2__)
static uint64_t mask16(__m128i v, char c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

static void chunk_masks(const char *p, struct chunk_masks *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		int sh = 16 * i;

		m->quote |= mask16(v, '"') << sh;
		m->backslash |= mask16(v, '\\') << sh;
		m->open |= (mask16(v, '{') | mask16(v, '[')) << sh;
		m->close |= (mask16(v, '}') | mask16(v, ']')) << sh;
	}
}
#else
static void chunk_masks(const char *p, struct chunk_masks *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 64; i++) {
		uint64_t bit = (uint64_t)1 << i;

		switch (p[i]) {
		case '"': m->quote |= bit; break;
		case '\\': m->backslash |= bit; break;
		case '{': case '[': m->open |= bit; break;
		case '}': case ']': m->close |= bit; break;
		}
	}
}
#endif

/* Bytes escaped by an odd run of backslashes (runs may cross chunks). */
static uint64_t escaped_bytes(uint64_t backslash, uint64_t *prev)
{
	const uint64_t even = 0x5555555555555555ULL;
	uint64_t follows, odd_starts, sum, inverted;

	backslash &= ~*prev;
	follows = backslash << 1 | *prev;
	odd_starts = backslash & ~even & ~follows;
	*prev = __builtin_add_overflow(odd_starts, backslash, &sum);
	inverted = sum << 1;
	return (even ^ inverted) & follows;
}

/* Bits set in x; SWAR, since the x86-64 baseline has no popcnt instruction. */
static int popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((x * 0x0101010101010101ULL) >> 56);
}

static uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* Walks one chunk: the offset just past the close (1..64), 0 when still open, -1 bad. */
static int walk_chunk(struct chunk_state *st, const char *p)
{
	struct chunk_masks m;
	uint64_t in_string, brackets;
	int opens, closes;

	chunk_masks(p, &m);
	m.quote &= ~escaped_bytes(m.backslash, &st->prev_escaped);
	in_string = prefix_xor(m.quote) ^ st->prev_in_string;
	st->prev_in_string = (uint64_t)((int64_t)in_string >> 63);
	m.open &= ~in_string;
	m.close &= ~in_string;
	opens = popcount64(m.open);
	closes = popcount64(m.close);
	if (st->depth > closes && st->depth + opens <= JS_MAX_DEPTH) {
		/* The nesting can neither close nor get too deep in this chunk. */
		st->depth += opens - closes;
		return 0;
	}
	for (brackets = m.open | m.close; brackets; brackets &= brackets - 1) {
		int i = __builtin_ctzll(brackets);

		if ((m.open >> i) & 1) {
			if (++st->depth > JS_MAX_DEPTH)
				return -1;
		} else if (--st->depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

static const char *skip_container_fast(const char *p, const char *end)
{
	struct chunk_state st = { 0, 0, 0 };
	const char *q = p;
	char tail[64];

	for (; end - q >= 64; q += 64) {
		int r = walk_chunk(&st, q);

		if (r < 0)
			return NULL;
		if (r > 0)
			return q + r;
	}
	if (q < end) {
		/* The last bytes, padded with blanks that carry no structure. */
		int r;

		memset(tail, ' ', sizeof(tail));
		memcpy(tail, q, (size_t)(end - q));
		r = walk_chunk(&st, tail);
		if (r > 0 && r <= end - q)
			return q + r;
	}
	return NULL;
}

/* Skips a value inside an iteration: containers take the fast path. */
static const char *skip_member_value(const char *p, const char *end)
{
	if (p < end && (*p == '{' || *p == '['))
		return skip_container_fast(p, end);
	return js_skip(p, end);
}

int js_valid(struct slice s)
{
	const char *e = js_skip(s.p, s.p + s.n);

	return e && js_ws(e, s.p + s.n) == s.p + s.n;
}

int js_begin(struct js_iter *it, struct slice v, char open)
{
	const char *p = js_ws(v.p, v.p + v.n);

	if (p >= v.p + v.n || *p != open)
		return -1;
	it->p = p + 1;
	it->end = v.p + v.n;
	it->close = open == '{' ? '}' : ']';
	it->started = 0;
	return 0;
}

/* Moves past the separator before the next entry; 1 more, 0 end, -1 bad. */
static int advance(struct js_iter *it)
{
	const char *p = js_ws(it->p, it->end);

	if (p >= it->end)
		return -1;
	if (*p == it->close) {
		it->p = p + 1;
		return 0;
	}
	if (it->started) {
		if (*p != ',')
			return -1;
		p = js_ws(p + 1, it->end);
		if (p >= it->end)
			return -1;	/* "[1," cut short: nothing after the comma */
	}
	it->started = 1;
	it->p = p;
	return 1;
}

int js_next_element(struct js_iter *it, struct slice *val)
{
	const char *e;
	int r = advance(it);

	if (r <= 0)
		return r;
	if (!(e = skip_member_value(it->p, it->end)))
		return -1;
	val->p = it->p;
	val->n = (size_t)(e - it->p);
	it->p = e;
	return 1;
}

int js_next_member(struct js_iter *it, struct slice *key, struct slice *val)
{
	const char *e;
	int r = js_next_key(it, key);

	if (r <= 0)
		return r;
	if (!(e = skip_member_value(it->p, it->end)))
		return -1;
	val->p = it->p;
	val->n = (size_t)(e - it->p);
	it->p = e;
	return 1;
}

int js_next_key(struct js_iter *it, struct slice *key)
{
	const char *p, *e;
	int r = advance(it);

	if (r <= 0)
		return r;
	p = it->p;
	if (*p != '"' || !(e = skip_string(p, it->end)))
		return -1;
	key->p = p + 1;
	key->n = (size_t)(e - p - 2);
	p = js_ws(e, it->end);
	if (p >= it->end || *p != ':')
		return -1;
	it->p = js_ws(p + 1, it->end);
	return 1;
}

int js_skip_value(struct js_iter *it)
{
	const char *e = skip_member_value(it->p, it->end);

	if (!e)
		return -1;
	it->p = e;
	return 0;
}

void js_resume(struct js_iter *it, const char *p)
{
	it->p = p;
}

struct slice js_rest(const struct js_iter *it)
{
	struct slice s = { it->p, (size_t)(it->end - it->p) };

	return s;
}

/*
 * Keys are compared as decoded text: servers may escape them (moto writes
 * non-ASCII names as \uXXXX), so "gr\u00f6\u00dfe" is the key gr\u00f6\u00dfe.
 */
int js_key_is(struct slice key, const char *name)
{
	size_t n = strlen(name);
	struct buf lit = BUF_INIT, dec = BUF_INIT;
	int same;

	if (!memchr(key.p, '\\', key.n))
		return key.n == n && !memcmp(key.p, name, n);
	buf_putc(&lit, '"');
	buf_append(&lit, key.p, key.n);
	buf_putc(&lit, '"');
	same = js_unescape((struct slice){ lit.data, lit.len }, &dec) == 0 &&
	       dec.len == n && !memcmp(dec.data, name, n);
	buf_release(&lit);
	buf_release(&dec);
	return same;
}

int js_find(struct slice obj, const char *key, struct slice *val)
{
	struct js_iter it;
	struct slice k, v;
	int r;

	if (js_begin(&it, obj, '{') < 0)
		return -1;
	while ((r = js_next_member(&it, &k, &v)) == 1)
		if (js_key_is(k, key)) {
			*val = v;
			return 1;
		}
	return r;
}

static int put_utf8(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, u, n);
}

static unsigned long hex4(const char *p)
{
	unsigned long v = 0;
	int i;

	/* skip_string has checked that these are hex digits. */
	for (i = 0; i < 4; i++)
		v = v * 16 + (unsigned long)hex_value(p[i]);
	return v;
}

int js_unescape(struct slice lit, struct buf *out)
{
	const char *p = lit.p, *end = lit.p + lit.n;

	if (lit.n < 2 || *p != '"' || skip_string(p, end) != end)
		return -1;
	for (p++, end--; p < end; p++) {
		unsigned long cp;

		if (*p != '\\') {
			const char *run = p;

			while (p < end && *p != '\\')
				p++;
			if (buf_append(out, run, (size_t)(p - run)) < 0)
				return -1;
			p--;
			continue;
		}
		p++;
		switch (*p) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = hex4(p + 1);
			p += 4;
			/* A surrogate pair is one code point. */
			if (cp >= 0xd800 && cp < 0xdc00 && end - p > 6 &&
			    p[1] == '\\' && p[2] == 'u') {
				unsigned long lo = hex4(p + 3);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			break;
		default: cp = (unsigned char)*p; break;
		}
		if (put_utf8(out, cp) < 0)
			return -1;
	}
	return 0;
}

/* Decodes a member name as json_scan gives it (escapes kept, no quotes). */
int js_name_decode(struct slice raw, struct buf *out)
{
	struct buf lit = BUF_INIT;
	int r;

	buf_putc(&lit, '"');
	buf_append(&lit, raw.p, raw.n);
	buf_putc(&lit, '"');
	r = js_unescape((struct slice){ lit.data, lit.len }, out);
	buf_release(&lit);
	return r;
}

/*
 * Decodes with decode and escapes again one way (buf_json_str's), so that
 * equal strings print equal whatever escapes the server chose.
 */
static int reescape(struct slice s, int (*decode)(struct slice, struct buf *),
		    struct buf *out)
{
	struct buf dec = BUF_INIT;
	int r = decode(s, &dec);

	if (r == 0)
		r = buf_json_str(out, dec.data ? dec.data : "", dec.len);
	buf_release(&dec);
	return r;
}

/* A string literal, quotes included. */
int js_restring(struct slice lit, struct buf *out)
{
	return reescape(lit, js_unescape, out);
}

/* A member name as js_next_member gives it, without quotes. */
int js_rename_member(struct slice raw, struct buf *out)
{
	return reescape(raw, js_name_decode, out);
}
