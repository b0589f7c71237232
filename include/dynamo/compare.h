#ifndef DYNAMO_COMPARE_H
#define DYNAMO_COMPARE_H

#include "dynamo/buf.h"

/*
 * Equality of items and attribute values as DynamoDB defines it, on the
 * DynamoDB JSON text the server sent (diff, copy --verify, sync):
 *
 *   N     by value, exactly ("1" == "1.0" == "1E0", 38 digits, no double)
 *   S     by the string's characters (JSON escapes decoded)
 *   B     by the decoded bytes
 *   SS, NS, BS   as sets: the same elements in any order (NS by value)
 *   L     element by element, in order
 *   M     the same names with equal values, in any order
 *   BOOL, NULL   by value
 *
 * Values of different types are never equal ({"N":"1"} != {"S":"1"}).
 * Each function returns 1 equal, 0 different, -1 when a value is malformed.
 */
int av_equal(struct slice a, struct slice b);
/*
 * One text per value, equal exactly when av_equal says the values are:
 * numbers by value, strings by their characters (however escaped), sets and
 * maps whatever the order of their members, the type first (query --unique
 * keys its distinct values by it). -1 when av is not DynamoDB JSON.
 */
int av_canonical(struct slice av, struct buf *out);
/* Two items ({"name":{AV},...}): the same attributes with equal values. */
int item_equal(struct slice a, struct slice b);

/*
 * Called once per top-level attribute that differs between items a and b,
 * in name order: name is the attribute's name (JSON escapes decoded), av or bv an
 * empty slice when the attribute is absent on that side. Returns 0 to go
 * on, -1 to stop.
 */
typedef int (*attr_diff_fn)(void *ctx, struct slice name, struct slice av, struct slice bv);
/* Walks the differing attributes of a and b: 0, or -1 malformed or stopped. */
int item_diff_attrs(struct slice a, struct slice b, attr_diff_fn fn, void *ctx);

#endif
