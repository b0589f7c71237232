#ifndef DYNAMO_REQUEST_H
#define DYNAMO_REQUEST_H

#include "dynamo/buf.h"
#include "dynamo/expr.h"

/*
 * The bodies of DynamoDB's data-plane requests (Scan, Query,
 * BatchWriteItem, BatchGetItem), from plain parameters: the engine decides
 * what to ask, this module how it is spelled. Bytes are appended to a
 * buffer the caller owns and reuses, and items and keys are copied in as
 * DynamoDB sent them (never parsed and rebuilt): the hot path costs one
 * append per item. tests/unit/test_requests.c holds each body to golden
 * JSON (tests/vectors/requests/).
 */

/* What one page of a Scan or a Query asks for. */
struct ddb_read {
	const char *table;
	const char *index;		/* Query: the index, or NULL for the table */
	int segment, total_segments;	/* Scan: a parallel scan's segment when total_segments > 1 */
	int limit;			/* Limit, 0 = none (DynamoDB's 1 MB pages) */
	int consistent;			/* ConsistentRead (never through a global index: the caller knows) */
	int select_count;		/* Select COUNT */
	int scan_forward;		/* Query: 0 = ScanIndexForward false */
	/*
	 * Keys-only reads: the base table's key attribute names ([1] NULL
	 * without a sort key), projected also when querying an index; [0] NULL
	 * reads whole items.
	 */
	const char *key_names[2];
	/*
	 * The selection's fragments (selection_scan_expr, selection_query_expr),
	 * or NULL: none. The projection's placeholders are added to it, so it
	 * is the caller's scratch for this one body.
	 */
	struct expr *expr;
	struct slice start_key;		/* ExclusiveStartKey as sent back, n = 0: from the start */
};

/* Appends the body of a Scan page. */
void ddb_scan_body(const struct ddb_read *r, struct buf *b);
/* Appends the body of a Query page (r->expr holds its key condition). */
void ddb_query_body(const struct ddb_read *r, struct buf *b);

/*
 * BatchWriteItem, built item by item into one buffer:
 *   ddb_batch_write_begin once (the prefix may be kept and copied to each
 *   batch), ddb_batch_write_add per item, ddb_batch_write_end.
 */
#define DDB_BATCH_WRITE_END "]},\"ReturnConsumedCapacity\":\"TOTAL\"}"
void ddb_batch_write_begin(struct buf *b, const char *table);
/*
 * Appends a PutRequest of item (deleting: a DeleteRequest of the key item),
 * after a comma unless it is the first. Returns where the item's bytes
 * start in b.
 */
size_t ddb_batch_write_add(struct buf *b, int first, int deleting, struct slice item);
void ddb_batch_write_end(struct buf *b);

/*
 * BatchGetItem, built the same way: keys read consistently or not, whole
 * items or only the attributes of proj (NULL-terminated names, or NULL).
 */
void ddb_batch_get_begin(struct buf *b, const char *table, int consistent,
			 const char *const *proj);
void ddb_batch_get_add(struct buf *b, int first, struct slice key);
void ddb_batch_get_end(struct buf *b);

/*
 * Appends the typed value of a --pk/--sk string as an AttributeValue
 * ({"S":...}, a number in DynamoDB's syntax, base64 for B); -1 if invalid.
 */
int ddb_key_value(struct buf *out, char type, const char *value);

#endif
