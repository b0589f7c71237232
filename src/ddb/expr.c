/* Scan and Query expressions with their placeholders (see expr.h). */
#include "dynamo/expr.h"
#include "dynamo/json_scan.h"

#include <string.h>

void expr_init(struct expr *e)
{
	buf_init(&e->key_cond, 0);
	buf_init(&e->filter, 0);
	buf_init(&e->names, 0);
	buf_init(&e->values, 0);
}

void expr_release(struct expr *e)
{
	buf_release(&e->key_cond);
	buf_release(&e->filter);
	buf_release(&e->names);
	buf_release(&e->values);
}

static void member_sep(struct buf *b)
{
	if (b->len)
		buf_putc(b, ',');
}

void expr_add_name(struct expr *e, const char *placeholder, const char *name,
		   size_t name_len)
{
	member_sep(&e->names);
	buf_json_str(&e->names, placeholder, strlen(placeholder));
	buf_putc(&e->names, ':');
	buf_json_str(&e->names, name, name_len);
}

void expr_add_value(struct expr *e, const char *placeholder, struct slice av)
{
	member_sep(&e->values);
	buf_json_str(&e->values, placeholder, strlen(placeholder));
	buf_putc(&e->values, ':');
	buf_append(&e->values, av.p, av.n);
}

void expr_add_members(struct buf *dst, struct slice object)
{
	struct js_iter it;
	struct slice k, v;

	if (!object.n || js_begin(&it, object, '{') < 0)
		return;	/* none given */
	while (js_next_member(&it, &k, &v) == 1) {
		member_sep(dst);
		buf_putc(dst, '"');
		buf_append(dst, k.p, k.n);	/* the raw key, escapes kept */
		buf_puts(dst, "\":");
		buf_append(dst, v.p, v.n);
	}
}

void expr_and(struct buf *cond, const char *text, size_t n)
{
	if (cond->len)
		buf_puts(cond, " AND ");
	buf_append(cond, text, n);
}

static void put_part(struct buf *body, const char *name, const struct buf *text,
		     int object)
{
	if (!text->len)
		return;
	buf_printf(body, ",\"%s\":", name);
	if (object) {
		buf_putc(body, '{');
		buf_append(body, text->data, text->len);
		buf_putc(body, '}');
	} else {
		buf_json_str(body, text->data, text->len);
	}
}

void expr_append(const struct expr *e, struct buf *body)
{
	put_part(body, "KeyConditionExpression", &e->key_cond, 0);
	put_part(body, "FilterExpression", &e->filter, 0);
	put_part(body, "ExpressionAttributeNames", &e->names, 1);
	put_part(body, "ExpressionAttributeValues", &e->values, 1);
}

/* ---- placeholders ---- */

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

int expr_each_placeholder(const char *text, size_t n,
			  int (*fn)(void *ctx, const char *p, size_t len), void *ctx)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i;
		int r;

		if (text[i] != '#' && text[i] != ':') {
			i++;
			continue;
		}
		for (i++; i < n && word_char(text[i]); i++)
			;
		if (i - start > 1 && (r = fn(ctx, text + start, i - start)))
			return r;
	}
	return 0;
}

int expr_placeholder_valid(char sigil, const char *p, size_t len)
{
	size_t i;

	if (len < 2 || p[0] != sigil)
		return 0;
	for (i = 1; i < len; i++)
		if (!word_char(p[i]))
			return 0;
	return 1;
}

int expr_placeholder_reserved(const char *p, size_t len)
{
	size_t r = strlen(EXPR_RESERVED);

	return len > r && (p[0] == '#' || p[0] == ':') &&
	       !memcmp(p + 1, EXPR_RESERVED, r);
}
