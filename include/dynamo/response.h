#ifndef DYNAMO_RESPONSE_H
#define DYNAMO_RESPONSE_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"

/*
 * The response walkers of the data plane: each checks that an answer has
 * what its operation always returns before anything acts on it, and finds
 * the parts the engine needs (as slices of the answer, never a tree).
 *
 * An answer that lacks a part DynamoDB always sends is malformed, whatever
 * else it holds: a Scan page without Count, a BatchGetItem answer without
 * Responses, a BatchWriteItem answer without UnprocessedItems. Absence in a
 * malformed answer means nothing: a prune that took "no Responses" for "the
 * source has none of these keys" would delete the whole target. So the
 * walkers refuse it (-1, why filled with one line) and the caller retries.
 *
 * What moto, dynalite and DynamoDB send, and so what is required:
 *   Scan/Query      Count always; Items unless Select is COUNT;
 *                   LastEvaluatedKey only when there is more (never {}).
 *   BatchGetItem    Responses (with a list for every table asked, empty
 *                   when nothing was found) and UnprocessedKeys ({} when
 *                   none).
 *   BatchWriteItem  UnprocessedItems ({} when none).
 */

/* A Scan or Query page: slices of the answer. */
struct ddb_page {
	struct slice items;	/* the Items array; empty with Select COUNT */
	struct slice lek;	/* LastEvaluatedKey (an object), empty on the last page */
	struct slice cc;	/* ConsumedCapacity, empty when absent */
	uint64_t count;		/* Count, which equals the number of Items */
};

/*
 * Checks a Scan or Query answer (count_only: Select COUNT, no Items) and
 * fills pg. 0, or -1 with why set when it is malformed.
 */
int ddb_page_parse(struct slice resp, int count_only, struct ddb_page *pg,
		   char *why, size_t n);
/*
 * The same, and each item's slice (a struct slice, pointing into resp) in
 * items: the check walks every item anyway, and the engine hands them on
 * from there instead of walking the page a second time.
 */
int ddb_page_parse_items(struct slice resp, int count_only, struct ddb_page *pg,
			 struct buf *items, char *why, size_t n);

/* A BatchWriteItem request holds at most 25 requests; a few more are refused as malformed. */
#define DDB_WRITE_REQUESTS_MAX 100

/* A BatchWriteItem answer: the write requests to send again. */
struct ddb_batch_write {
	struct slice unprocessed;	/* the table's list in UnprocessedItems, or empty */
	int n;				/* its elements */
	int sent[DDB_WRITE_REQUESTS_MAX];	/* which request sent each of them is (its index) */
};

/*
 * Checks a BatchWriteItem answer to request (the request's body, whose list
 * for table is what was sent). Every unprocessed request must be one that
 * was sent, by its key (keys: the table's key schema; NULL compares the
 * requests as text): a server that hands back more than it was given, or
 * requests it was never sent, would make dynamo write what it never read
 * and never run out of retries. Each one's request is out->sent[k]. 0, or
 * -1 with why set.
 */
int ddb_batch_write_parse(struct slice resp, const char *table,
			  struct slice request, const struct table_desc *keys,
			  struct ddb_batch_write *out, char *why, size_t n);
/*
 * The same check for a request the caller built: items[k] is the k-th
 * request's item (deleting: its key), as sent, so the request itself is
 * not walked again.
 */
int ddb_batch_write_check(struct slice resp, const char *table, const struct slice *items,
			  int nitems, int deleting, const struct table_desc *keys,
			  struct ddb_batch_write *out, char *why, size_t n);

/* A BatchGetItem answer for one table. */
struct ddb_batch_get {
	struct slice items;	/* Responses[table], an array; empty when absent */
	int has_items;		/* Responses holds a list for the table */
	struct slice again;	/* UnprocessedKeys[table].Keys, or empty */
};

/*
 * Checks the shape of a BatchGetItem answer for table: Responses and
 * UnprocessedKeys present, no other table in them. Whether each key got
 * exactly one answer is for the caller, which knows the keys. 0, or -1
 * with why set.
 */
int ddb_batch_get_parse(struct slice resp, const char *table,
			struct ddb_batch_get *out, char *why, size_t n);

/*
 * The item or key a write request ({"PutRequest":{"Item":...}} or
 * {"DeleteRequest":{"Key":...}}) is about; -1 when it is neither.
 */
int ddb_write_request_item(struct slice req, struct slice *item);

/*
 * Whether two items (or keys) have the same key: the key attributes of keys
 * compared as DynamoDB compares them (numbers by value). 1 same, 0 not.
 */
int ddb_same_key(struct slice a, struct slice b, const struct table_desc *keys);

/*
 * Whether v can be a LastEvaluatedKey / ExclusiveStartKey: an object of one
 * to eight attributes, named once each, each an attribute value ({"S":..}).
 */
int ddb_start_key_valid(struct slice v);

/*
 * Whether two LastEvaluatedKey objects are the same key: the same
 * attributes, each the same value (numbers by value). 1 same, 0 not.
 */
int ddb_same_start_key(struct slice a, struct slice b);

#endif
