/* Strict checks of attribute values a user wrote (see avcheck.h). */
#include "dynamo/avcheck.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first bytes of a value, for a message: at most 40, cut where safe. */
static const char *excerpt(struct slice v, char out[48])
{
	size_t n = v.n < 40 ? v.n : 40, i;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)v.p[i] < 0x20 ? '?' : v.p[i];
	strcpy(out + n, v.n > 40 ? "..." : "");
	return out;
}

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int base64_valid(const char *s, size_t n)
{
	size_t i, pad = 0;

	if (n % 4)
		return 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!b64_char(s[i]))
			return 0;
	return 1;
}

/* A JSON string literal: its decoded bytes into out (reset first). */
static int string_value(struct slice v, struct buf *out)
{
	buf_reset(out);
	return v.n && v.p[0] == '"' && js_unescape(v, out) == 0 ? 0 : -1;
}

static int check_scalar(char type, struct slice v, struct buf *tmp, char *why,
			size_t n)
{
	char ex[48];

	if (string_value(v, tmp) < 0)
		return fail(why, n, "%c value %s is not a JSON string", type,
			    excerpt(v, ex));
	if (type == 'N' && !num_valid(tmp->data ? tmp->data : "", tmp->len))
		return fail(why, n,
			    "N '%s' is not a number DynamoDB stores (digits with an optional sign, point and exponent; at most 38 significant digits)",
			    excerpt((struct slice){ tmp->data ? tmp->data : "", tmp->len }, ex));
	if (type == 'B' && !base64_valid(tmp->data ? tmp->data : "", tmp->len))
		return fail(why, n, "B '%s' is not standard padded base64",
			    excerpt((struct slice){ tmp->data ? tmp->data : "", tmp->len }, ex));
	return 0;
}

struct canon {
	char *p;		/* owned */
	size_t n;
};

static int canon_cmp(const void *a, const void *b)
{
	const struct canon *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* An element's one spelling per value ("1e3" and "1000" are one number). */
static int element_canon(char type, struct slice e, struct canon *out)
{
	struct buf av = BUF_INIT, c = BUF_INIT;
	int r;

	buf_printf(&av, "{\"%c\":", type);
	buf_append(&av, e.p, e.n);
	buf_putc(&av, '}');
	r = av_key_canonical((struct slice){ av.data, av.len }, &c);
	buf_release(&av);
	out->n = c.len;
	out->p = c.data ? buf_detach(&c) : xstrdup("");
	return r;
}

/* SS, NS, BS: non-empty, each element valid, no two equal. */
static int check_set(char type, struct slice arr, char *why, size_t n)
{
	struct canon *all = NULL;
	struct buf tmp = BUF_INIT;
	struct js_iter it;
	struct slice e;
	size_t count = 0, cap = 0, i;
	int r, bad = 0;

	if (js_begin(&it, arr, '[') < 0)
		return fail(why, n, "%cS is not an array", type);
	while (!bad && (r = js_next_element(&it, &e)) == 1) {
		if (check_scalar(type, e, &tmp, why, n) < 0) {
			bad = 1;
			break;
		}
		if (count == cap) {
			cap = cap ? 2 * cap : 8;
			all = xrealloc(all, cap * sizeof(*all));
		}
		if (element_canon(type, e, &all[count++]) < 0)
			bad = fail(why, n, "%cS holds a value that is not a %c", type, type);
	}
	if (!bad && r < 0)
		bad = fail(why, n, "%cS is not a valid JSON array", type);
	if (!bad && !count)
		bad = fail(why, n, "%cS is empty (DynamoDB sets hold at least one value)", type);
	if (!bad) {
		qsort(all, count, sizeof(*all), canon_cmp);
		for (i = 1; i < count && !bad; i++)
			if (!canon_cmp(&all[i - 1], &all[i]))
				bad = fail(why, n, "%cS holds the same value twice", type);
	}
	for (i = 0; i < count; i++)
		free(all[i].p);
	free(all);
	buf_release(&tmp);
	return bad ? -1 : 0;
}

static int check_av(struct slice av, int depth, char *why, size_t n);

/* L (is_map 0) or M (1): every element or member an attribute value. */
static int check_container(struct slice v, int is_map, int depth, char *why,
			   size_t n)
{
	struct js_iter it;
	struct slice k, e;
	int r;

	if (depth >= AV_MAX_DEPTH)
		return fail(why, n, "lists and maps nest deeper than %d levels",
			    AV_MAX_DEPTH);
	if (js_begin(&it, v, is_map ? '{' : '[') < 0)
		return fail(why, n, "%s is not a JSON %s", is_map ? "M" : "L",
			    is_map ? "object" : "array");
	while ((r = is_map ? js_next_member(&it, &k, &e) :
		     js_next_element(&it, &e)) == 1)
		if (check_av(e, depth + 1, why, n) < 0)
			return -1;
	return r < 0 ? fail(why, n, "%s is not valid JSON", is_map ? "M" : "L") : 0;
}

static int check_av(struct slice av, int depth, char *why, size_t n)
{
	struct js_iter it;
	struct slice tag, v, extra;
	struct buf tmp = BUF_INIT;
	char t[8], ex[48];
	int r;

	if (js_begin(&it, av, '{') < 0 || js_next_member(&it, &tag, &v) != 1)
		return fail(why, n, "%s is not an attribute value such as {\"S\":\"text\"}",
			    excerpt(av, ex));
	if ((r = js_next_member(&it, &extra, &extra)) != 0)
		return fail(why, n, r < 0 ? "%s is not valid JSON" :
			    "%s has more than one type (an attribute value is {\"TYPE\":value})",
			    excerpt(av, ex));
	if (tag.n == 0 || tag.n >= sizeof(t) || memchr(tag.p, '\\', tag.n))
		return fail(why, n, "%s has an unknown type", excerpt(av, ex));
	memcpy(t, tag.p, tag.n);
	t[tag.n] = '\0';
	if (!strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B")) {
		r = check_scalar(t[0], v, &tmp, why, n);
		buf_release(&tmp);
		return r;
	}
	if (!strcmp(t, "BOOL"))
		return (v.n == 4 && !memcmp(v.p, "true", 4)) ||
		       (v.n == 5 && !memcmp(v.p, "false", 5)) ? 0 :
		       fail(why, n, "BOOL is %s, not true or false", excerpt(v, ex));
	if (!strcmp(t, "NULL"))
		return v.n == 4 && !memcmp(v.p, "true", 4) ? 0 :
		       fail(why, n, "NULL is %s, not true", excerpt(v, ex));
	if (!strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS"))
		return check_set(t[0], v, why, n);
	if (!strcmp(t, "L") || !strcmp(t, "M"))
		return check_container(v, t[0] == 'M', depth, why, n);
	return fail(why, n,
		    "'%s' is not a DynamoDB type (S, N, B, BOOL, NULL, SS, NS, BS, L, M)", t);
}

/* How deep brackets nest outside strings (the JSON scanner stops at JS_MAX_DEPTH). */
static int bracket_depth(struct slice s)
{
	int depth = 0, max = 0, in_string = 0;
	size_t i;

	for (i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			max = ++depth > max ? depth : max;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

int av_check(struct slice av, char *why, size_t n)
{
	const char *end = js_skip(av.p, av.p + av.n);

	/* Valid JSON first: the walk below skips nested values unchecked. */
	if (!end || js_ws(end, av.p + av.n) != av.p + av.n) {
		char ex[48];

		if (bracket_depth(av) > JS_MAX_DEPTH)
			return fail(why, n, "lists and maps nest deeper than %d levels",
				    AV_MAX_DEPTH);
		return fail(why, n, "%s is not valid JSON", excerpt(av, ex));
	}
	av.p = js_ws(av.p, av.p + av.n);
	av.n = (size_t)(end - av.p);
	return check_av(av, 0, why, n);
}
