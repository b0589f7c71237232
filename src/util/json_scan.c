#include "dynamo/json_scan.h"

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
 * by tracking only nesting and strings (escapes included), 16 bytes at a time
 * with SSE2 bit masks, at about a tenth of the cost of the validating walk
 * (measured with callgrind on Scan pages). Bounds and depth are checked;
 * what lies inside is not validated, which is fine for items that are sent
 * back to a DynamoDB that validates them.
 */
struct fast_state {
	int depth;
	int in_string;
	int escape;	/* the next byte is escaped */
};

/* One byte of the walk; returns 1 when the container closed, -1 on error. */
static int fast_byte(struct fast_state *st, char c)
{
	if (st->escape) {
		st->escape = 0;
		return 0;
	}
	if (st->in_string) {
		if (c == '\\')
			st->escape = 1;
		else if (c == '"')
			st->in_string = 0;
		return 0;
	}
	switch (c) {
	case '"':
		st->in_string = 1;
		return 0;
	case '{': case '[':
		return ++st->depth > JS_MAX_DEPTH ? -1 : 0;
	case '}': case ']':
		return --st->depth == 0 ? 1 : 0;
	case '\\':
		return -1;
	default:
		return 0;
	}
}

#if defined(__SSE2__)
static unsigned mask_of(__m128i v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

/* Walks one 16-byte block: the offset just past the close (1..16), 0 when still open, -1 bad. */
static int fast_block(struct fast_state *st, const char *q)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	unsigned quote = mask_of(v, '"'), bs = mask_of(v, '\\');
	unsigned open = mask_of(v, '{') | mask_of(v, '[');
	unsigned close = mask_of(v, '}') | mask_of(v, ']');
	unsigned done = 0;	/* bits at or below the last handled position */

	if (st->escape) {
		st->escape = 0;
		done = 1;
	}
	for (;;) {
		unsigned live = (st->in_string ? quote | bs : quote | bs | open | close) & ~done;
		int i;

		if (!live)
			return 0;
		i = __builtin_ctz(live);
		done = i == 31 ? ~0u : (2u << i) - 1;
		if (st->in_string) {
			if (q[i] == '\\') {
				if (i == 15) {
					st->escape = 1;
					return 0;
				}
				done |= 2u << i;	/* the escaped byte */
			} else {
				st->in_string = 0;
			}
			continue;
		}
		switch (fast_byte(st, q[i])) {
		case 1: return i + 1;
		case -1: return -1;
		}
	}
}
#endif

static const char *skip_container_fast(const char *p, const char *end)
{
	struct fast_state st = { 1, 0, 0 };
	const char *q = p + 1;

#if defined(__SSE2__)
	while (end - q >= 16) {
		int r = fast_block(&st, q);

		if (r < 0)
			return NULL;
		if (r > 0)
			return q + r;
		q += 16;
	}
#endif
	for (; q < end; q++) {
		int r = fast_byte(&st, *q);

		if (r < 0)
			return NULL;
		if (r)
			return q + 1;
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
	p = js_ws(p + 1, it->end);
	if (!(e = skip_member_value(p, it->end)))
		return -1;
	val->p = p;
	val->n = (size_t)(e - p);
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

int js_key_is(struct slice key, const char *name)
{
	size_t n = strlen(name);

	return key.n == n && !memcmp(key.p, name, n);
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

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v = v * 16 + (unsigned long)(c <= '9' ? c - '0' :
					     (c | 0x20) - 'a' + 10);
	}
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
