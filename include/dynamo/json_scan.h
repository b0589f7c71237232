#ifndef DYNAMO_JSON_SCAN_H
#define DYNAMO_JSON_SCAN_H

#include <stddef.h>
#include "dynamo/buf.h"

/*
 * A validating JSON scanner that never builds a tree: it finds where values
 * start and end, so items move from scan pages into batch requests as the
 * bytes DynamoDB sent (the copy hot path), and numbers are never parsed.
 *
 * Everything is bounds-checked; malformed or truncated input makes a
 * function return NULL or -1, never read past end. Nesting deeper than
 * JS_MAX_DEPTH is refused (DynamoDB allows 32 levels).
 *
 * js_skip and js_valid validate fully. The iterators (js_next_element,
 * js_next_member, js_skip_value) check the structure they walk, but skip
 * nested objects and arrays by brackets and strings only, without checking
 * what is inside: that is the hot path over pages of items, which go back to
 * a DynamoDB that validates them. Call js_valid first where a value's
 * insides must be valid JSON (e.g. before printing it).
 */
#define JS_MAX_DEPTH 64

const char *js_ws(const char *p, const char *end);
/* Skips the value at p (leading blanks allowed); NULL when malformed. */
const char *js_skip(const char *p, const char *end);

/* Iterates the members of an object or the elements of an array. */
struct js_iter {
	const char *p, *end;
	char close;		/* '}' or ']' */
	int started;
};

/* Starts iterating v, which must be an object ('{') or array ('['). */
int js_begin(struct js_iter *it, struct slice v, char open);
/*
 * The next member: key is the raw string without quotes (escapes kept),
 * val the value's bytes. Returns 1, 0 at the end, -1 when malformed.
 */
int js_next_member(struct js_iter *it, struct slice *key, struct slice *val);
int js_next_element(struct js_iter *it, struct slice *val);
/*
 * The next member's key only, leaving it->p at the value, so the caller can
 * walk into the value (one pass over a scan page) and then js_resume() past
 * it, or js_skip_value() it. Returns 1, 0 at the end, -1 when malformed.
 */
int js_next_key(struct js_iter *it, struct slice *key);
int js_skip_value(struct js_iter *it);
/* The value the caller walked through ends at p. */
void js_resume(struct js_iter *it, const char *p);
/* The rest of the input from the iterator's position (to js_begin a nested value). */
struct slice js_rest(const struct js_iter *it);
/* Finds a member of an object by its (unescaped ASCII) name. 1 found, 0 not, -1 malformed. */
int js_find(struct slice obj, const char *key, struct slice *val);
/* True if s is exactly one valid JSON value (blanks allowed around it). */
int js_valid(struct slice s);
/* Decodes a JSON string literal (quotes included) into out; -1 if malformed. */
int js_unescape(struct slice lit, struct buf *out);
/* A member name as js_next_member gives it (escapes kept, no quotes), decoded. */
int js_name_decode(struct slice raw, struct buf *out);
/*
 * A string literal (quotes included), or a member name as js_next_member
 * gives it, decoded and escaped again one way (buf_json_str's), so that
 * equal strings print equal whatever escapes the server chose.
 */
int js_restring(struct slice lit, struct buf *out);
int js_rename_member(struct slice raw, struct buf *out);
/* Compares a raw member key (no quotes, escapes kept) with a plain name. */
int js_key_is(struct slice key, const char *name);

#endif
