/* The bodies of Scan, Query, BatchWriteItem and BatchGetItem (see request.h). */
#include "dynamo/request.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <string.h>

static void put_str(struct buf *b, const char *s)
{
	buf_json_str(b, s, strlen(s));
}

/*
 * The selection's fragments and, for keys-only reads, the projection, as
 * one expression: the placeholders all start with EXPR_RESERVED, so they
 * never meet the user's --names.
 */
static void add_expr(const struct ddb_read *r, struct buf *b)
{
	const char *hash = r->key_names[0], *range = r->key_names[1];
	struct expr none;

	if (!r->expr && !hash)
		return;
	if (!r->expr)
		expr_init(&none);
	if (hash) {
		struct expr *e = r->expr ? r->expr : &none;

		expr_add_name(e, "#" EXPR_RESERVED "k0", hash, strlen(hash));
		if (range)
			expr_add_name(e, "#" EXPR_RESERVED "k1", range, strlen(range));
		buf_printf(b, ",\"ProjectionExpression\":\"#%sk0%s%s\"", EXPR_RESERVED,
			   range ? ",#" EXPR_RESERVED : "", range ? "k1" : "");
	}
	expr_append(r->expr ? r->expr : &none, b);
	if (!r->expr)
		expr_release(&none);
}

static void add_start_key(const struct ddb_read *r, struct buf *b)
{
	if (r->start_key.n) {
		buf_puts(b, ",\"ExclusiveStartKey\":");
		buf_append(b, r->start_key.p, r->start_key.n);
	}
}

/* ConsistentRead, Limit and Select, in that order (a Scan and a Query alike). */
static void add_read_options(const struct ddb_read *r, struct buf *b)
{
	if (r->consistent)
		buf_puts(b, ",\"ConsistentRead\":true");
	if (r->limit)
		buf_printf(b, ",\"Limit\":%d", r->limit);
	if (r->select_count)
		buf_puts(b, ",\"Select\":\"COUNT\"");
}

void ddb_scan_body(const struct ddb_read *r, struct buf *b)
{
	buf_puts(b, "{\"TableName\":");
	put_str(b, r->table);
	/* One segment is a plain Scan (moto fails segmented scans of binary keys). */
	if (r->total_segments > 1)
		buf_printf(b, ",\"Segment\":%d,\"TotalSegments\":%d", r->segment,
			   r->total_segments);
	buf_puts(b, ",\"ReturnConsumedCapacity\":\"TOTAL\"");
	add_read_options(r, b);
	add_expr(r, b);
	add_start_key(r, b);
	buf_putc(b, '}');
}

void ddb_query_body(const struct ddb_read *r, struct buf *b)
{
	buf_puts(b, "{\"TableName\":");
	put_str(b, r->table);
	if (r->index) {
		buf_puts(b, ",\"IndexName\":");
		put_str(b, r->index);
	}
	add_expr(r, b);
	if (!r->scan_forward)
		buf_puts(b, ",\"ScanIndexForward\":false");
	add_read_options(r, b);
	buf_puts(b, ",\"ReturnConsumedCapacity\":\"TOTAL\"");
	add_start_key(r, b);
	buf_putc(b, '}');
}

/* ---- BatchWriteItem ---- */

void ddb_batch_write_begin(struct buf *b, const char *table)
{
	buf_puts(b, "{\"RequestItems\":{");
	put_str(b, table);
	buf_puts(b, ":[");
}

size_t ddb_batch_write_add(struct buf *b, int first, int deleting, struct slice item)
{
	size_t off;

	if (!first)
		buf_putc(b, ',');
	buf_puts(b, deleting ? "{\"DeleteRequest\":{\"Key\":" : "{\"PutRequest\":{\"Item\":");
	off = b->len;
	buf_append(b, item.p, item.n);
	buf_puts(b, "}}");
	return off;
}

void ddb_batch_write_end(struct buf *b)
{
	buf_puts(b, DDB_BATCH_WRITE_END);
}

/* ---- BatchGetItem ---- */

/* after_member: something precedes it in the table's object (a comma first). */
static void add_projection(struct buf *b, const char *const *proj, int after_member)
{
	int i;

	buf_puts(b, after_member ? ",\"ProjectionExpression\":\"" : "\"ProjectionExpression\":\"");
	for (i = 0; proj[i]; i++)
		buf_printf(b, "%s#p%d", i ? "," : "", i);
	buf_puts(b, "\",\"ExpressionAttributeNames\":{");
	for (i = 0; proj[i]; i++) {
		buf_printf(b, "%s\"#p%d\":", i ? "," : "", i);
		put_str(b, proj[i]);
	}
	buf_putc(b, '}');
}

void ddb_batch_get_begin(struct buf *b, const char *table, int consistent,
			 const char *const *proj)
{
	buf_puts(b, "{\"RequestItems\":{");
	put_str(b, table);
	buf_puts(b, ":{");
	if (consistent)
		buf_puts(b, "\"ConsistentRead\":true");
	if (proj)
		add_projection(b, proj, consistent);
	buf_puts(b, consistent || proj ? ",\"Keys\":[" : "\"Keys\":[");
}

void ddb_batch_get_add(struct buf *b, int first, struct slice key)
{
	if (!first)
		buf_putc(b, ',');
	buf_append(b, key.p, key.n);
}

void ddb_batch_get_end(struct buf *b)
{
	buf_puts(b, "]}},\"ReturnConsumedCapacity\":\"TOTAL\"}");
}

/* ---- key values ---- */

/* DynamoDB's number syntax: sign, digits (leading zeros allowed), fraction, exponent. */
static int dynamodb_number(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int ddb_key_value(struct buf *out, char type, const char *value)
{
	struct buf tmp = BUF_INIT;
	int ok = 1;

	if (type == 'N') {
		ok = strlen(value) < 64 && dynamodb_number(value);
	} else if (type == 'B') {
		ok = *value && base64_decode(value, strlen(value), &tmp) == 0 &&
		     strlen(value) % 4 == 0;
	}
	buf_release(&tmp);
	if (!ok)
		return -1;
	buf_printf(out, "{\"%c\":", type);
	put_str(out, value);
	return buf_putc(out, '}');
}
