/*
 * Items (src/ddb/item.c): attribute values, key order, plain JSON, base64.
 *
 * An input that starts with '{' is an item in DynamoDB JSON. Checks:
 * item_to_plain and av_to_plain of a valid item give strictly valid JSON;
 * av_split's type and value stay inside the input; av_key_compare is
 * reflexive and antisymmetric over every pair of the item's values;
 * item_key builds valid JSON from the item's first one or two attributes;
 * the N values found go through the number checks below.
 *
 * Any other input is up to three lines, each a number and a base64 text.
 * Checks: num_compare is reflexive and antisymmetric, and agrees with a slow
 * reference (fixed-point expansion) whenever both numbers are in DynamoDB's
 * number syntax; base64_decode agrees with a reference decoder.
 */
#include "fuzz.h"

#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* ---- the reference for numbers ---- */

#define REF_POINT 600	/* digits[REF_POINT - 1] is the units digit */
#define REF_DIGITS (2 * REF_POINT)

struct ref_num {
	int neg, zero;
	unsigned char d[REF_DIGITS];	/* most significant first */
};

/*
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? expanded into
 * fixed point; 0 when s is outside that syntax or too large to expand.
 */
static int ref_parse(const char *s, size_t n, struct ref_num *x)
{
	const char *p = s, *end = s + n, *m, *mend, *dot = NULL;
	long e = 0, point, pos;
	int any = 0, eneg = 0, edigits = 0;

	memset(x, 0, sizeof(*x));
	x->zero = 1;
	if (p < end && (*p == '+' || *p == '-'))
		x->neg = *p++ == '-';
	for (m = p; p < end && ((*p >= '0' && *p <= '9') || (*p == '.' && !dot)); p++) {
		if (*p == '.')
			dot = p;
		else
			any = 1;
	}
	mend = p;
	if (!any)
		return 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edigits++)
			if ((e = e * 10 + (*p - '0')) > 100000)
				return 0;
		if (!edigits)
			return 0;
	}
	if (p != end)
		return 0;
	if (eneg)
		e = -e;
	/* The digit just before the point has power e; each one left, +1. */
	point = (dot ? dot : mend) - m;
	pos = REF_POINT - point - e;	/* index of the first mantissa digit */
	for (p = m; p < mend; p++) {
		if (*p == '.')
			continue;
		if (*p != '0') {
			if (pos < 0 || pos >= REF_DIGITS)
				return 0;
			x->d[pos] = (unsigned char)(*p - '0');
			x->zero = 0;
		}
		pos++;
	}
	return 1;
}

static int ref_compare(const struct ref_num *x, const struct ref_num *y)
{
	int c;

	if (x->zero && y->zero)
		return 0;
	if (x->zero)
		return y->neg ? 1 : -1;
	if (y->zero)
		return x->neg ? -1 : 1;
	if (x->neg != y->neg)
		return x->neg ? -1 : 1;
	c = sign(memcmp(x->d, y->d, REF_DIGITS));
	return x->neg ? -c : c;
}

static void check_nums(const char *a, size_t an, const char *b, size_t bn)
{
	/* Exactly sized copies, so an overread shows. */
	char *x = fuzz_dup(a, an), *y = fuzz_dup(b, bn);
	static struct ref_num rx, ry;
	int ab = num_compare(x, an, y, bn), ba = num_compare(y, bn, x, an);

	FUZZ_CHECK(num_compare(x, an, x, an) == 0);
	FUZZ_CHECK(sign(ab) == -sign(ba));
	if (ref_parse(x, an, &rx) && ref_parse(y, bn, &ry) &&
	    sign(ab) != ref_compare(&rx, &ry)) {
		fprintf(stderr, "num_compare(\"%.*s\", \"%.*s\") = %d, should be %d\n",
			(int)an, x, (int)bn, y, ab, ref_compare(&rx, &ry));
		abort();
	}
	free(x);
	free(y);
}

/* ---- the reference for base64 ---- */

static void check_base64(const char *s, size_t n)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf out = BUF_INIT;
	char *x = fuzz_dup(s, n);
	size_t i, k = 0;
	int bad = 0, r = base64_decode(x, n, &out);

	for (i = 0; i < n && x[i] != '='; i++, k++)
		if (!x[i] || !strchr(abc, x[i]))
			bad = 1;
	FUZZ_CHECK((r < 0) == bad);
	if (!bad) {
		/* Every four characters are three bytes; the bits left over are not. */
		unsigned long acc = 0;
		int bits = 0;
		size_t o = 0;

		FUZZ_CHECK(out.len == k * 6 / 8);
		for (i = 0; i < k; i++) {
			acc = (acc << 6 | (unsigned long)(strchr(abc, x[i]) - abc)) & 0xffff;
			if ((bits += 6) >= 8) {
				bits -= 8;
				FUZZ_CHECK((unsigned char)out.data[o++] ==
					   ((acc >> bits) & 0xff));
			}
		}
	}
	buf_release(&out);
	free(x);
}

/* ---- items ---- */

#define MAX_VALS 8

static void check_av(struct slice av, int valid)
{
	struct buf out = BUF_INIT;
	struct slice val;
	char type[8];

	if (av_split(av, type, &val) == 0) {
		FUZZ_CHECK(strlen(type) > 0 && strlen(type) < 8);
		FUZZ_CHECK(fuzz_within(val.p, val.n, av.p, av.n));
	}
	if (av_to_plain(av, 0, &out) == 0 && valid)
		FUZZ_CHECK(ref_valid(out.data, out.len));
	buf_reset(&out);
	if (av_to_plain(av, 1, &out) == 0 && valid)
		FUZZ_CHECK(ref_valid(out.data, out.len));
	buf_release(&out);
}

/* The number inside {"N":"..."}, quotes stripped. */
static int number_of(struct slice av, struct slice *num)
{
	struct slice val;
	char type[8];

	if (av_split(av, type, &val) < 0 || strcmp(type, "N") || val.n < 2 ||
	    val.p[0] != '"')
		return 0;
	num->p = val.p + 1;
	num->n = val.n - 2;
	return 1;
}

static void check_item(struct slice item)
{
	struct slice vals[MAX_VALS], nums[MAX_VALS], keys[2], k, v;
	struct buf out = BUF_INIT;
	struct js_iter it;
	int valid = js_valid(item), nv = 0, nn = 0, nk = 0, i, j;

	if (item_to_plain(item, 0, &out) == 0 && valid)
		FUZZ_CHECK(ref_valid(out.data, out.len));
	buf_reset(&out);
	if (item_to_plain(item, 1, &out) == 0 && valid)
		FUZZ_CHECK(ref_valid(out.data, out.len));
	buf_release(&out);
	if (js_begin(&it, item, '{') < 0)
		return;
	while (nv < MAX_VALS && js_next_member(&it, &k, &v) == 1) {
		if (nk < 2 && !memchr(k.p, '\\', k.n) && !memchr(k.p, '\0', k.n))
			keys[nk++] = k;
		vals[nv++] = v;
		check_av(v, js_valid(v));
		if (number_of(v, &nums[nn]))
			nn++;
	}
	for (i = 0; i < nv; i++)
		for (j = i; j < nv; j++) {
			int ab = av_key_compare(vals[i], vals[j]);
			int ba = av_key_compare(vals[j], vals[i]);

			FUZZ_CHECK(sign(ab) == -sign(ba));
			if (i == j)
				FUZZ_CHECK(ab == 0);
		}
	for (i = 0; i < nn; i++)
		for (j = i; j < nn; j++)
			check_nums(nums[i].p, nums[i].n, nums[j].p, nums[j].n);
	if (nk) {
		struct key_attr hash = { NULL, 'S' }, range = { NULL, 'S' };

		hash.name = fuzz_dup(keys[0].p, keys[0].n + 1);
		hash.name[keys[0].n] = '\0';
		if (nk > 1) {
			range.name = fuzz_dup(keys[1].p, keys[1].n + 1);
			range.name[keys[1].n] = '\0';
		}
		if (item_key(item, &hash, &range, &out) == 0 && valid)
			FUZZ_CHECK(ref_valid(out.data, out.len));
		buf_release(&out);
		free(hash.name);
		free(range.name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size);
	const char *s = js_ws(p, p + size);

	if (s < p + size && *s == '{') {
		check_item((struct slice){ p, size });
	} else {
		struct slice part[3];
		const char *q = p, *end = p + size;
		int n = 0, i, j;

		while (n < 3) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));

			part[n].p = q;
			part[n].n = (size_t)((nl ? nl : end) - q);
			n++;
			if (!nl)
				break;
			q = nl + 1;
		}
		for (i = 0; i < n; i++) {
			check_base64(part[i].p, part[i].n);
			for (j = i; j < n; j++)
				check_nums(part[i].p, part[i].n, part[j].p, part[j].n);
		}
	}
	free(p);
	return 0;
}
