#ifndef DYNAMO_AVCHECK_H
#define DYNAMO_AVCHECK_H

#include <stddef.h>
#include "dynamo/buf.h"
#include "dynamo/json_scan.h"

/*
 * Strict checks of DynamoDB JSON that a user wrote (--values, --set): what
 * DynamoDB would refuse is refused here first, with a reason short enough
 * to follow a flag's name in one error line. Items DynamoDB sent are not
 * checked this way (the copy moves them as bytes).
 */

/*
 * How deep lists and maps may nest in a value: DynamoDB allows 32 levels,
 * but each level is two JSON brackets ({"L":[...]}) and the scanner reads
 * JS_MAX_DEPTH brackets deep, one more for the innermost value.
 */
#define AV_MAX_DEPTH ((JS_MAX_DEPTH - 2) / 2)

/*
 * Whether av is one attribute value: an object with exactly one member, a
 * known type and a value of that type (S a string; N a number DynamoDB
 * stores, see num_valid; B standard padded base64; BOOL true or false; NULL
 * true; SS, NS, BS non-empty arrays of those without duplicates, numbers
 * compared by value; L an array and M an object of attribute values).
 * 0 when valid; -1 with why filled ("N '1x' is not a number").
 */
int av_check(struct slice av, char *why, size_t n);
/* Standard base64 with its padding (length a multiple of 4), as DynamoDB takes B. */
int base64_valid(const char *s, size_t n);

#endif
