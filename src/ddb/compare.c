/*
 * DynamoDB's equality of items and values (see compare.h), on the JSON text
 * as sent: nothing is parsed into a tree and numbers never become doubles.
 * Scalars reuse the canonical key forms of item.c (a number's significant
 * digits and exponent, a string's characters, a binary's bytes); sets and
 * maps are compared as sorted lists of those forms, so the order the server
 * wrote them in does not matter.
 */
#include "dynamo/compare.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A list of byte strings (canonical set elements, or map names) in one buffer. */
struct strs {
	struct buf bytes;
	size_t *off;		/* owned: n + 1 offsets into bytes */
	struct slice *val;	/* owned: maps: each name's value */
	size_t *order;		/* owned: the indexes sorted by their strings (strs_sort) */
	size_t n, cap;
};

static void strs_init(struct strs *s)
{
	memset(s, 0, sizeof(*s));
	s->cap = 16;
	s->off = xcalloc(s->cap, sizeof(*s->off));
	s->val = xcalloc(s->cap, sizeof(*s->val));
}

static void strs_release(struct strs *s)
{
	buf_release(&s->bytes);
	free(s->off);
	free(s->val);
	free(s->order);
}

static void strs_push(struct strs *s, struct slice val)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->off = xrealloc(s->off, s->cap * sizeof(*s->off));
		s->val = xrealloc(s->val, s->cap * sizeof(*s->val));
	}
	s->val[s->n] = val;
	s->off[++s->n] = s->bytes.len;
}

static struct slice strs_at(const struct strs *s, size_t i)
{
	return (struct slice){ s->bytes.data ? s->bytes.data + s->off[i] : "", s->off[i + 1] - s->off[i] };
}

static int slice_cmp(struct slice a, struct slice b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	return c ? c : a.n < b.n ? -1 : a.n > b.n;
}

struct ordered {
	struct slice str;
	size_t i;
};

static int ordered_cmp(const void *a, const void *b)
{
	return slice_cmp(((const struct ordered *)a)->str, ((const struct ordered *)b)->str);
}

/* Sorts the indexes of s by their strings (the buffer no longer moves: slices are safe). */
static void strs_sort(struct strs *s)
{
	struct ordered *o = xmalloc((s->n + 1) * sizeof(*o));
	size_t *ix = xmalloc((s->n + 1) * sizeof(*ix)), i;

	for (i = 0; i < s->n; i++)
		o[i] = (struct ordered){ strs_at(s, i), i };
	qsort(o, s->n, sizeof(*o), ordered_cmp);
	for (i = 0; i < s->n; i++)
		ix[i] = o[i].i;
	free(o);
	s->order = ix;
}

/*
 * Appends to s (strs_init'ed) each element of set v, an array of strings,
 * in canonical form, tagged with type t.
 */
static int set_elements(struct slice v, char t, struct strs *s)
{
	struct buf av = BUF_INIT;
	struct js_iter it;
	struct slice e;
	int rc, r = -1;

	if (js_begin(&it, v, '[') < 0)
		goto out;
	while ((rc = js_next_element(&it, &e)) == 1) {
		buf_reset(&av);
		buf_printf(&av, "{\"%c\":", t);
		buf_append(&av, e.p, e.n);
		buf_putc(&av, '}');
		if (av_key_canonical((struct slice){ av.data, av.len }, &s->bytes) < 0)
			goto out;
		strs_push(s, e);
	}
	r = rc < 0 ? -1 : 0;
out:
	buf_release(&av);
	return r;
}

/* Appends to s (strs_init'ed) the members of object v: names decoded (for ordering), values as they are. */
static int map_members(struct slice v, struct strs *s)
{
	struct js_iter it;
	struct slice k, val;
	int rc;

	if (js_begin(&it, v, '{') < 0)
		return -1;
	while ((rc = js_next_member(&it, &k, &val)) == 1) {
		struct buf lit = BUF_INIT;
		int bad;

		/* js_unescape wants the literal with its quotes. */
		buf_putc(&lit, '"');
		buf_append(&lit, k.p, k.n);
		buf_putc(&lit, '"');
		bad = js_unescape((struct slice){ lit.data, lit.len }, &s->bytes) < 0;
		buf_release(&lit);
		if (bad)
			return -1;
		strs_push(s, val);
	}
	return rc < 0 ? -1 : 0;
}

static int sets_equal(struct slice a, struct slice b, char t)
{
	struct strs x, y;
	size_t i;
	int r = -1;

	strs_init(&x);
	strs_init(&y);
	if (set_elements(a, t, &x) < 0 || set_elements(b, t, &y) < 0)
		goto out;
	r = x.n == y.n;
	if (!r)
		goto out;
	strs_sort(&x);
	strs_sort(&y);
	for (i = 0; i < x.n && r; i++)
		r = slice_cmp(strs_at(&x, x.order[i]), strs_at(&y, y.order[i])) == 0;
out:
	strs_release(&x);
	strs_release(&y);
	return r;
}

static int lists_equal(struct slice a, struct slice b)
{
	struct js_iter ia, ib;
	struct slice ea, eb;
	int ra, rb, r;

	if (js_begin(&ia, a, '[') < 0 || js_begin(&ib, b, '[') < 0)
		return -1;
	for (;;) {
		ra = js_next_element(&ia, &ea);
		rb = js_next_element(&ib, &eb);
		if (ra < 0 || rb < 0)
			return -1;
		if (ra != rb)
			return 0;
		if (ra == 0)
			return 1;
		if ((r = av_equal(ea, eb)) != 1)
			return r;
	}
}

/*
 * Walks the members of maps a and b in name order: fn gets each name with
 * both values (an empty slice for the side lacking it). stop_at_first: for
 * equality, the first difference ends the walk.
 */
static int walk_maps(struct slice a, struct slice b, attr_diff_fn fn, void *ctx,
		     int stop_at_first)
{
	struct strs x, y;
	struct slice none = { NULL, 0 };
	size_t i = 0, k = 0;
	int r = -1, found = 0;

	strs_init(&x);
	strs_init(&y);
	if (map_members(a, &x) < 0 || map_members(b, &y) < 0)
		goto out;
	if (stop_at_first && x.n != y.n) {
		r = 1;
		goto out;
	}
	strs_sort(&x);
	strs_sort(&y);
	while (i < x.n || k < y.n) {
		int c = i == x.n ? 1 : k == y.n ? -1 :
			slice_cmp(strs_at(&x, x.order[i]), strs_at(&y, y.order[k]));
		struct slice name = c <= 0 ? strs_at(&x, x.order[i]) : strs_at(&y, y.order[k]);
		struct slice av = c <= 0 ? x.val[x.order[i]] : none;
		struct slice bv = c >= 0 ? y.val[y.order[k]] : none;
		int eq = 0;

		if (c == 0 && (eq = av_equal(av, bv)) < 0)
			goto out;
		i += c <= 0;
		k += c >= 0;
		if (eq)
			continue;
		found = 1;
		if (stop_at_first)
			break;
		if (fn && fn(ctx, name, av, bv) < 0)
			goto out;
	}
	r = found;
out:
	strs_release(&x);
	strs_release(&y);
	return r;
}

static int maps_equal(struct slice a, struct slice b)
{
	int r = walk_maps(a, b, NULL, NULL, 1);

	return r < 0 ? -1 : !r;
}

static int same_text(struct slice a, struct slice b)
{
	a.p = js_ws(a.p, a.p + a.n);
	b.p = js_ws(b.p, b.p + b.n);
	return a.p && b.p && js_skip(a.p, a.p + a.n) && js_skip(b.p, b.p + b.n) &&
	       js_skip(a.p, a.p + a.n) - a.p == js_skip(b.p, b.p + b.n) - b.p &&
	       !memcmp(a.p, b.p, (size_t)(js_skip(a.p, a.p + a.n) - a.p));
}

static int scalars_equal(struct slice a, struct slice b)
{
	struct buf ca = BUF_INIT, cb = BUF_INIT;
	int r = -1;

	if (av_key_canonical(a, &ca) == 0 && av_key_canonical(b, &cb) == 0)
		r = ca.len == cb.len && !memcmp(ca.data, cb.data, ca.len);
	buf_release(&ca);
	buf_release(&cb);
	return r;
}

int av_equal(struct slice a, struct slice b)
{
	char ta[8], tb[8];
	struct slice va, vb;

	if (av_split(a, ta, &va) < 0 || av_split(b, tb, &vb) < 0)
		return -1;
	if (strcmp(ta, tb))
		return 0;
	if (!strcmp(ta, "S") || !strcmp(ta, "N") || !strcmp(ta, "B"))
		return scalars_equal(a, b);
	if (!strcmp(ta, "SS") || !strcmp(ta, "NS") || !strcmp(ta, "BS"))
		return sets_equal(va, vb, ta[0]);
	if (!strcmp(ta, "L"))
		return lists_equal(va, vb);
	if (!strcmp(ta, "M"))
		return maps_equal(va, vb);
	if (!strcmp(ta, "BOOL") || !strcmp(ta, "NULL"))
		return same_text(va, vb);
	return -1;
}

int item_equal(struct slice a, struct slice b)
{
	/* The same bytes are the same item (the common case after a copy): no parse. */
	if (a.n == b.n && !memcmp(a.p, b.p, a.n))
		return 1;
	return maps_equal(a, b);
}

int item_diff_attrs(struct slice a, struct slice b, attr_diff_fn fn, void *ctx)
{
	return walk_maps(a, b, fn, ctx, 0) < 0 ? -1 : 0;
}

/* ---- one text per value (av_canonical) ---- */

static int exponent(const char *p, const char *end, long *exp)
{
	char num[16], *e;
	size_t k = (size_t)(end - p);

	if (k == 0 || k >= sizeof(num))
		return -1;
	memcpy(num, p, k);
	num[k] = '\0';
	errno = 0;
	*exp = strtol(num, &e, 10);
	return *e || errno ? -1 : 0;
}

/*
 * A decimal number in one spelling per value: "1.50", "15E-1" and "0.15e1"
 * all become "15e-1" (the digits without leading or trailing zeros, then the
 * power of ten they are multiplied by); zero is "0". -1 if s is no number.
 */
static int canon_number(const char *s, size_t n, struct buf *out)
{
	const char *p = s, *end = s + n;
	struct buf digits = BUF_INIT;
	long point = 0, exp = 0;	/* s = 0.DIGITS * 10^(point + exp) */
	int neg = 0, dot = 0, any = 0, r = -1;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		any = 1;
		if (!digits.len && *p == '0') {
			point -= dot;	/* 0.001: zeros after the point move it */
			continue;
		}
		buf_putc(&digits, *p);
		point += !dot;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (exponent(p + 1, end, &exp) < 0)
			goto out;
		p = end;
	}
	if (p != end || !any)
		goto out;
	while (digits.len && digits.data[digits.len - 1] == '0')
		digits.data[--digits.len] = '\0';
	if (!digits.len)
		r = buf_putc(out, '0');
	else
		r = buf_printf(out, "%s%se%ld", neg ? "-" : "", digits.data,
			       point + exp - (long)digits.len);
out:
	buf_release(&digits);
	return r < 0 ? -1 : 0;
}


static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Sets and maps: the canonical forms of the members, sorted (and, for sets,
 * without duplicates), joined by commas.
 */
static int canon_sorted(struct slice v, int is_map, char elem_type,
			struct buf *out)
{
	char **parts = NULL;
	size_t n = 0, cap = 0, i;
	struct js_iter it;
	struct slice k, e;
	int r;

	if (js_begin(&it, v, is_map ? '{' : '[') < 0)
		return -1;
	for (;;) {
		struct buf one = BUF_INIT;

		r = is_map ? js_next_member(&it, &k, &e) : js_next_element(&it, &e);
		if (r != 1)
			break;
		if (is_map) {
			r = js_rename_member(k, &one);
			buf_putc(&one, ':');
			if (r == 0)
				r = av_canonical(e, &one);
		} else if (elem_type == 'N') {
			r = e.n >= 2 && e.p[0] == '"' ?
			    canon_number(e.p + 1, e.n - 2, &one) : -1;
		} else {
			r = js_restring(e, &one);
		}
		if (r < 0) {
			buf_release(&one);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			parts = xrealloc(parts, cap * sizeof(*parts));
		}
		parts[n++] = buf_detach(&one);
	}
	if (r == 0) {
		if (n)	/* qsort of NULL is undefined, even of nothing ({"M":{}}) */
			qsort(parts, n, sizeof(*parts), by_string);
		for (i = 0; i < n; i++) {
			if (!is_map && i && !strcmp(parts[i], parts[i - 1]))
				continue;
			if (i)
				buf_putc(out, ',');
			buf_puts(out, parts[i]);
		}
	}
	for (i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
	return r < 0 ? -1 : 0;
}

int av_canonical(struct slice av, struct buf *out)
{
	struct js_iter it;
	struct slice v, e;
	char t[8];
	int r, first = 1;

	if (av_split(av, t, &v) < 0)
		return -1;
	buf_printf(out, "%s(", t);
	if (!strcmp(t, "S") || !strcmp(t, "B")) {
		r = js_restring(v, out);
	} else if (!strcmp(t, "N")) {
		r = v.n >= 2 && v.p[0] == '"' ? canon_number(v.p + 1, v.n - 2, out) : -1;
	} else if (!strcmp(t, "SS") || !strcmp(t, "BS") || !strcmp(t, "NS")) {
		r = canon_sorted(v, 0, t[0], out);
	} else if (!strcmp(t, "M")) {
		r = canon_sorted(v, 1, 0, out);
	} else if (!strcmp(t, "L")) {
		r = js_begin(&it, v, '[');
		while (r == 0 && (r = js_next_element(&it, &e)) == 1) {
			if (!first)
				buf_putc(out, ',');
			first = 0;
			r = av_canonical(e, out) < 0 ? -1 : 0;
		}
	} else {
		r = buf_append(out, v.p, v.n);	/* BOOL, NULL */
	}
	buf_putc(out, ')');
	return r < 0 ? -1 : 0;
}
