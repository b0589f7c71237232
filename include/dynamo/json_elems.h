#ifndef DYNAMO_JSON_ELEMS_H
#define DYNAMO_JSON_ELEMS_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"

/*
 * The objects of one JSON document, one at a time, from a byte stream, in
 * memory bounded by the largest object: what 'aws dynamodb scan' prints
 * ({"Items": [...], "Count": ...}, any layout) and what 'dynamo query
 * --output ddb' prints ([{...}, ...]). Only the bytes of each object are
 * kept; the rest of the document is skipped as it streams by, so a
 * gigabyte scan output imports like a file of lines.
 *
 * The document is only tokenised here (strings, nesting); each object is
 * checked by the caller (js_valid).
 */
struct json_elems {
	int object;		/* the document is an object: its "Items" array */
	int started, ended;	/* the document's first byte / last bracket seen */
	int depth;		/* brackets open */
	int in_str, esc;
	int items_depth;	/* depth inside the items array; 0 when not in it */
	int items_seen;		/* the items array was read whole */
	int capturing;		/* inside an object of the array: bytes go to out */
	int key_state;		/* top level of an object document: see json_elems.c */
	char key[8];
	size_t keylen;
	uint64_t lines;		/* newlines consumed */
	uint64_t elem_line;	/* the line the last object began on (1-based) */
	const char *error;	/* what is wrong, when json_elems_feed returned -1 */
};

void json_elems_init(struct json_elems *s);
/*
 * Consumes p[0..n) up to the end of the next object, appending its bytes
 * to out, and stores how many bytes it consumed in *used. 1: an object is
 * complete in out; 0: all n bytes consumed, no object complete yet; -1: the
 * document is not one of the shapes above (s->error says why), or out
 * would grow past its limit.
 */
int json_elems_feed(struct json_elems *s, const char *p, size_t n, size_t *used,
		    struct buf *out);
/* At the end of the stream: NULL when the document ended well, else why not. */
const char *json_elems_finish(const struct json_elems *s);

#endif
