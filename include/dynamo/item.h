#ifndef DYNAMO_ITEM_H
#define DYNAMO_ITEM_H

#include "dynamo/buf.h"
#include "dynamo/ddb.h"

/*
 * Items as DynamoDB sends them: DynamoDB JSON text ({"PK":{"S":"x"},...}),
 * handled as bytes. Numbers stay decimal strings end to end.
 */

/* An attribute value {"S":"..."}: its type tag ("S", "N", "BOOL", ...) and value bytes. */
int av_split(struct slice av, char type[8], struct slice *val);
/*
 * Orders two key values of the same type as DynamoDB does: S by UTF-8
 * bytes, N numerically (exactly, any number of digits), B by decoded bytes.
 * Returns <0, 0, >0; a value of another type sorts last.
 */
int av_key_compare(struct slice a, struct slice b);
/* Whether two key values (or two absent ones, n == 0) are the same: the same bytes, or equal. */
int av_key_same(struct slice a, struct slice b);
/*
 * Appends a key value (S, N or B) in one spelling per value: the type, then
 * the string's UTF-8 bytes, the number's significant digits and exponent,
 * or the binary's decoded bytes. Two values are equal keys exactly when
 * their canonical forms are equal bytes. -1 for anything else.
 */
int av_key_canonical(struct slice av, struct buf *out);
/* Compares two decimal number strings exactly ("1e3" == "1000"). */
int num_compare(const char *a, size_t an, const char *b, size_t bn);
/*
 * Why DynamoDB would refuse item's key for the table's key attributes (one
 * missing, of another type, an empty string or binary), in why; NULL when
 * it would take it.
 */
const char *item_key_problem(struct slice item, const struct key_attr *hash,
			     const struct key_attr *range, char *why, size_t n);
/* Builds {"k1":<v1>[,"k2":<v2>]} from an item's key attributes; -1 if one is missing. */
int item_key(struct slice item, const struct key_attr *hash,
	     const struct key_attr *range, struct buf *out);
/*
 * Appends the item (or an attribute value) as plain JSON: N as a bare
 * number (as a string with strnum, or when JSON cannot spell it), B as
 * base64.
 */
int item_to_plain(struct slice item, int strnum, struct buf *out);
int av_to_plain(struct slice av, int strnum, struct buf *out);
/* Decodes standard base64 (for B keys); -1 if malformed. */
int base64_decode(const char *s, size_t n, struct buf *out);

#endif
