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
/*
 * Appends an item's (or a key object's) primary key in canonical form: the
 * partition key's av_key_canonical, a NUL, the sort key's. Two items have
 * the same key exactly when these bytes are equal. -1 when a key
 * attribute is missing or not a key value.
 */
int item_key_canonical(struct slice item, const struct table_desc *t, struct buf *out);
/*
 * An item's attribute by name, whatever escapes the server wrote in the
 * name (moto writes "gr\u00f6\u00dfe"): 1 found (*val its value), 0 not.
 */
int item_find_attr(struct slice item, const char *name, struct slice *val);
/*
 * A number as written: (neg ? -1 : 1) * 0.DIGITS * 10^exp, where DIGITS are
 * the text from sig to sig_end with the point skipped, first and last
 * non-zero; no significant digit (sig NULL) means zero. The digits are
 * compared where they stand, so numbers of any length compare exactly.
 */
struct decimal {
	int neg;
	const char *sig, *sig_end;	/* point into the text parsed */
	long long exp;
};

/*
 * The project's one decimal grammar, [+-] digits [. digits] [e [+-] digits]
 * (".5" and "5." too), reading only s[0..len); -1 when s is not a number.
 */
int decimal_parse(const char *s, size_t len, struct decimal *x);
/* How many significant digits x has (0 for zero). */
size_t decimal_digits(const struct decimal *x);
/* DynamoDB keeps up to 38 significant digits. */
#define NUM_MAX_DIGITS 38
/*
 * Whether s is a number DynamoDB stores: the grammar above, at most 38
 * significant digits, magnitude zero or from 1E-130 to below 1E+126.
 */
int num_valid(const char *s, size_t len);
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
/*
 * Rebuilds a list ('[') or map ('{') value v into out with fn applied to
 * each element or member value (map keys copied as they are): fn appends
 * the new value and returns 1 if it changed it, 0 if not, -1 to stop.
 * Returns 1 when fn changed anything, 0 when not, -1 when v is malformed or
 * fn failed (out then holds a partial value: the caller rolls back).
 */
int av_map_elements(struct slice v, char open,
		    int (*fn)(void *ctx, struct slice value, struct buf *out),
		    void *ctx, struct buf *out);
/* Decodes standard base64 (for B keys); -1 if malformed. */
int base64_decode(const char *s, size_t n, struct buf *out);

#endif
