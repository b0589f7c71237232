#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

int av_split(struct slice av, char type[8], struct slice *val)
{
	struct js_iter it;
	struct slice k;

	if (js_begin(&it, av, '{') < 0 || js_next_member(&it, &k, val) != 1 ||
	    k.n == 0 || k.n >= 8)
		return -1;
	memcpy(type, k.p, k.n);
	type[k.n] = '\0';
	return 0;
}

/* ---- exact decimal comparison ---- */

/*
 * An exponent beyond this cannot belong to a DynamoDB number (1E-130 to
 * 9.9999999999999999999999999999999999999E+125); refusing it keeps exp far
 * from overflowing.
 */
#define DEC_MAX_EXP 1000000000LL

/* [+-] digits [. digits] [e [+-] digits], reading only s[0..len). */
int decimal_parse(const char *s, size_t len, struct decimal *x)
{
	const char *p = s, *end = s + len, *digits, *point = NULL;
	long long e = 0;
	int eneg = 0;

	memset(x, 0, sizeof(*x));
	if (p < end && (*p == '-' || *p == '+'))
		x->neg = *p++ == '-';
	for (digits = p; p < end; p++) {
		if (*p == '.' && !point) {
			point = p;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			break;
		if (*p != '0') {
			if (!x->sig)
				x->sig = p;
			x->sig_end = p + 1;
		}
	}
	if (p - digits == (point ? 1 : 0))
		return -1;	/* no digit */
	if (!point)
		point = p;
	if (p < end && (*p == 'e' || *p == 'E')) {
		const char *ds;

		if (++p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (ds = p; p < end && isdigit((unsigned char)*p); p++)
			if ((e = e * 10 + (*p - '0')) > DEC_MAX_EXP)
				return -1;
		if (p == ds)
			return -1;
	}
	if (p != end)
		return -1;
	if (x->sig)
		x->exp = (point > x->sig ? (long long)(point - x->sig) :
			  -(long long)(x->sig - point - 1)) + (eneg ? -e : e);
	return 0;
}

size_t decimal_digits(const struct decimal *x)
{
	const char *p;
	size_t n = 0;

	for (p = x->sig; p && p < x->sig_end; p++)
		n += *p != '.';
	return n;
}

int num_valid(const char *s, size_t len)
{
	struct decimal x;

	if (decimal_parse(s, len, &x) < 0)
		return 0;
	/* 0.DIGITS * 10^exp: 1E-130 is 0.1 * 10^-129, below 1E+126 is exp <= 126. */
	return !x.sig || (decimal_digits(&x) <= NUM_MAX_DIGITS &&
			  x.exp >= -129 && x.exp <= 126);
}

/* Compares the significant digits of two non-zero numbers of equal exponent. */
static int compare_digits(const struct decimal *x, const struct decimal *y)
{
	const char *a = x->sig, *b = y->sig;

	for (;; a++, b++) {
		if (a < x->sig_end && *a == '.')
			a++;
		if (b < y->sig_end && *b == '.')
			b++;
		if (a == x->sig_end || b == y->sig_end)
			return (a != x->sig_end) - (b != y->sig_end);
		if (*a != *b)
			return *a < *b ? -1 : 1;
	}
}

int num_compare(const char *a, size_t an, const char *b, size_t bn)
{
	struct decimal x, y;
	int sign, c;

	if (decimal_parse(a, an, &x) < 0 || decimal_parse(b, bn, &y) < 0)
		return an == bn ? memcmp(a, b, an) : an < bn ? -1 : 1;
	if (!x.sig || !y.sig) {
		if (!x.sig && !y.sig)
			return 0;
		if (!x.sig)
			return y.neg ? 1 : -1;
		return x.neg ? -1 : 1;
	}
	if (x.neg != y.neg)
		return x.neg ? -1 : 1;
	sign = x.neg ? -1 : 1;
	if (x.exp != y.exp)
		return x.exp < y.exp ? -sign : sign;
	c = compare_digits(&x, &y);
	return c * sign;
}

/* ---- base64 ---- */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int v;

		if (s[i] == '=')
			break;
		if ((v = b64val((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_putc(out, (char)((acc >> bits) & 0xff)) < 0)
				return -1;
		}
	}
	return 0;
}

static int compare_bytes(struct slice a, struct slice b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = memcmp(a.p, b.p, n);

	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

/* The type tag and raw value of an attribute value, without copying. */
static int type_of(struct slice av, struct slice *tag, struct slice *val)
{
	struct js_iter it;

	return js_begin(&it, av, '{') < 0 || js_next_member(&it, tag, val) != 1 ||
	       !tag->n ? -1 : 0;
}

static int has_escape(struct slice s)
{
	return memchr(s.p, '\\', s.n) != NULL;
}

static int compare_decoded(struct slice va, struct slice vb, int binary)
{
	struct buf da = BUF_INIT, db = BUF_INIT, ba = BUF_INIT, bb = BUF_INIT;
	int c;

	if (js_unescape(va, &da) < 0 || js_unescape(vb, &db) < 0) {
		c = compare_bytes(va, vb);
	} else if (binary) {
		base64_decode(da.data ? da.data : "", da.len, &ba);
		base64_decode(db.data ? db.data : "", db.len, &bb);
		c = compare_bytes((struct slice){ ba.data ? ba.data : "", ba.len },
				  (struct slice){ bb.data ? bb.data : "", bb.len });
	} else {
		c = compare_bytes((struct slice){ da.data ? da.data : "", da.len },
				  (struct slice){ db.data ? db.data : "", db.len });
	}
	buf_release(&da);
	buf_release(&db);
	buf_release(&ba);
	buf_release(&bb);
	return c;
}

int av_key_compare(struct slice a, struct slice b)
{
	struct slice ta, tb, va, vb;
	int sa = type_of(a, &ta, &va), sb = type_of(b, &tb, &vb), c;

	/* What is not an attribute value sorts last, and among itself by bytes. */
	if (sa < 0 || sb < 0)
		return sa < 0 && sb < 0 ? compare_bytes(a, b) : sa < 0 ? 1 : -1;
	if ((c = compare_bytes(ta, tb)))
		return c;
	if (ta.n == 1 && ta.p[0] == 'N' && va.n >= 2 && vb.n >= 2)
		return num_compare(va.p + 1, va.n - 2, vb.p + 1, vb.n - 2);
	/*
	 * Strings compare by their UTF-8 bytes; without escapes those are the
	 * JSON bytes themselves (the common case: no copy, no allocation).
	 */
	if (ta.n == 1 && ta.p[0] == 'S' && va.n >= 2 && vb.n >= 2 &&
	    !has_escape(va) && !has_escape(vb))
		return compare_bytes((struct slice){ va.p + 1, va.n - 2 },
				     (struct slice){ vb.p + 1, vb.n - 2 });
	return compare_decoded(va, vb, ta.n == 1 && ta.p[0] == 'B');
}

/* The digits of a non-zero decimal from its first to its last significant one, point skipped. */
static void put_digits(const struct decimal *x, struct buf *out)
{
	const char *p;

	for (p = x->sig; p < x->sig_end; p++)
		if (*p != '.')
			buf_putc(out, *p);
}

int av_key_canonical(struct slice av, struct buf *out)
{
	struct slice tag, val;
	struct buf raw = BUF_INIT;
	int r = -1;

	if (type_of(av, &tag, &val) < 0 || tag.n != 1 || !strchr("SNB", tag.p[0]) ||
	    js_unescape(val, &raw) < 0)
		goto out;
	buf_putc(out, tag.p[0]);
	if (tag.p[0] == 'N') {
		struct decimal x;

		if (decimal_parse(raw.data ? raw.data : "", raw.len, &x) < 0)
			goto out;
		/* 1000, 1e3 and 1.000E+3 are one number: digits and exponent, nothing else. */
		if (!x.sig) {
			buf_putc(out, '0');
		} else {
			if (x.neg)
				buf_putc(out, '-');
			put_digits(&x, out);
			buf_printf(out, "e%lld", x.exp);
		}
	} else if (tag.p[0] == 'B') {
		if (base64_decode(raw.data ? raw.data : "", raw.len, out) < 0)
			goto out;
	} else {
		buf_append(out, raw.data ? raw.data : "", raw.len);
	}
	r = 0;
out:
	buf_release(&raw);
	return r;
}

/* ---- keys ---- */

static int put_key_attr(struct slice item, const char *name, struct buf *out)
{
	struct slice v;

	if (js_find(item, name, &v) != 1)
		return -1;
	buf_json_str(out, name, strlen(name));
	buf_putc(out, ':');
	return buf_append(out, v.p, v.n);
}

int item_key(struct slice item, const struct key_attr *hash,
	     const struct key_attr *range, struct buf *out)
{
	buf_putc(out, '{');
	if (put_key_attr(item, hash->name, out) < 0)
		return -1;
	if (range && range->name) {
		buf_putc(out, ',');
		if (put_key_attr(item, range->name, out) < 0)
			return -1;
	}
	return buf_putc(out, '}');
}

/* ---- rebuilding containers ---- */

int av_map_elements(struct slice v, char open,
		    int (*fn)(void *ctx, struct slice value, struct buf *out),
		    void *ctx, struct buf *out)
{
	int is_map = open == '{', r, changed = 0, first = 1;
	struct js_iter it;
	struct slice k, e;

	if (js_begin(&it, v, open) < 0)
		return -1;
	buf_putc(out, open);
	while ((r = is_map ? js_next_member(&it, &k, &e) :
		     js_next_element(&it, &e)) == 1) {
		int c;

		if (!first)
			buf_putc(out, ',');
		first = 0;
		if (is_map) {
			buf_putc(out, '"');
			buf_append(out, k.p, k.n);
			buf_puts(out, "\":");
		}
		if ((c = fn(ctx, e, out)) < 0)
			return -1;
		changed |= c;
	}
	if (r < 0)
		return -1;
	buf_putc(out, is_map ? '}' : ']');
	return changed;
}

/* One key attribute of item against the table's: NULL when fine, else why not. */
static const char *key_attr_problem(struct slice item, const struct key_attr *k,
				    const char *role, char *why, size_t n)
{
	struct slice v, val;
	char t[8];

	if (js_find(item, k->name, &v) != 1) {
		snprintf(why, n, "it has no %s '%s' (%c)", role, k->name, k->type);
		return why;
	}
	if (av_split(v, t, &val) < 0 || t[1] || t[0] != k->type) {
		snprintf(why, n, "its %s '%s' is not of type %c", role, k->name, k->type);
		return why;
	}
	if (k->type != 'N' && val.n <= 2) {
		snprintf(why, n, "its %s '%s' is empty, which DynamoDB refuses", role, k->name);
		return why;
	}
	return NULL;
}

const char *item_key_problem(struct slice item, const struct key_attr *hash,
			     const struct key_attr *range, char *why, size_t n)
{
	const char *p = key_attr_problem(item, hash, "partition key", why, n);

	if (!p && range && range->name)
		p = key_attr_problem(item, range, "sort key", why, n);
	return p;
}

/* ---- plain JSON ---- */

static int is_json_number(struct slice lit)
{
	const char *p, *end;

	if (lit.n < 3)
		return 0;
	p = lit.p + 1;
	end = lit.p + lit.n - 1;
	if (*p == '-')
		p++;
	if (p >= end || !isdigit((unsigned char)*p))
		return 0;
	if (*p == '0' && p + 1 < end && isdigit((unsigned char)p[1]))
		return 0;
	return js_valid((struct slice){ lit.p + 1, lit.n - 2 });
}

static int plain_list(struct slice arr, int numbers, int strnum, struct buf *out);

/* A number as a bare JSON number, or as the string DynamoDB sent. */
static int plain_number(struct slice lit, int strnum, struct buf *out)
{
	if (!strnum && is_json_number(lit))
		return buf_append(out, lit.p + 1, lit.n - 2);
	return buf_append(out, lit.p, lit.n);
}

int av_to_plain(struct slice av, int strnum, struct buf *out)
{
	struct slice v;
	char t[8];

	if (av_split(av, t, &v) < 0)
		return -1;
	if (!strcmp(t, "S") || !strcmp(t, "B") || !strcmp(t, "BOOL"))
		return buf_append(out, v.p, v.n);
	if (!strcmp(t, "NULL"))
		return buf_puts(out, "null");
	if (!strcmp(t, "N"))
		return plain_number(v, strnum, out);	/* exactly as stored */
	if (!strcmp(t, "SS") || !strcmp(t, "BS")) {
		/* Copied as they stand: make sure a broken server's set is valid JSON. */
		if (!js_valid(v))
			return -1;
		return buf_append(out, v.p, v.n);
	}
	if (!strcmp(t, "NS"))
		return plain_list(v, 1, strnum, out);
	if (!strcmp(t, "L"))
		return plain_list(v, 0, strnum, out);
	if (!strcmp(t, "M"))
		return item_to_plain(v, strnum, out);
	return -1;
}

static int plain_list(struct slice arr, int numbers, int strnum, struct buf *out)
{
	struct js_iter it;
	struct slice e;
	int r, first = 1;

	if (js_begin(&it, arr, '[') < 0)
		return -1;
	buf_putc(out, '[');
	while ((r = js_next_element(&it, &e)) == 1) {
		if (!first)
			buf_putc(out, ',');
		first = 0;
		if (numbers)
			plain_number(e, strnum, out);
		else if (av_to_plain(e, strnum, out) < 0) {
			return -1;
		}
	}
	if (r < 0)
		return -1;
	return buf_putc(out, ']');
}

int item_to_plain(struct slice item, int strnum, struct buf *out)
{
	struct js_iter it;
	struct slice k, v;
	int r, first = 1;

	if (js_begin(&it, item, '{') < 0)
		return -1;
	buf_putc(out, '{');
	while ((r = js_next_member(&it, &k, &v)) == 1) {
		if (!first)
			buf_putc(out, ',');
		first = 0;
		buf_putc(out, '"');
		buf_append(out, k.p, k.n);
		buf_puts(out, "\":");
		if (av_to_plain(v, strnum, out) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	return buf_putc(out, '}');
}

int av_key_same(struct slice a, struct slice b)
{
	if (!a.n && !b.n)
		return 1;
	if (!a.n || !b.n)
		return 0;
	/* The same spelling is the common case; otherwise compare as values. */
	return (a.n == b.n && !memcmp(a.p, b.p, a.n)) || av_key_compare(a, b) == 0;
}

int item_key_canonical(struct slice item, const struct table_desc *t, struct buf *out)
{
	struct slice v;

	if (js_find(item, t->hash.name, &v) != 1 || av_key_canonical(v, out) < 0)
		return -1;
	buf_putc(out, '\0');
	if (t->range.name && (js_find(item, t->range.name, &v) != 1 || av_key_canonical(v, out) < 0))
		return -1;
	return 0;
}

/*
 * Finds an item's attribute by name. DynamoDB's JSON may escape a name
 * (moto writes "gr\u00f6\u00dfe", every server writes "say \"hi\""), so
 * a name with an escape is decoded before it is compared. 1 found, 0 not.
 */
int item_find_attr(struct slice item, const char *name, struct slice *val)
{
	size_t n = strlen(name);
	struct buf dec = BUF_INIT;
	struct js_iter it;
	struct slice k, v;
	int found = 0;

	if (js_begin(&it, item, '{') < 0)
		return 0;
	while (!found && js_next_member(&it, &k, &v) == 1) {
		if (!memchr(k.p, '\\', k.n)) {
			found = k.n == n && !memcmp(k.p, name, n);
		} else {
			buf_reset(&dec);
			found = js_name_decode(k, &dec) == 0 && dec.len == n &&
				!memcmp(dec.data, name, n);
		}
		if (found)
			*val = v;
	}
	buf_release(&dec);
	return found;
}
