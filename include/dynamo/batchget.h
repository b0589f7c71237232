#ifndef DYNAMO_BATCHGET_H
#define DYNAMO_BATCHGET_H

#include "dynamo/job.h"

/*
 * Looking keys up with BatchGetItem, for a worker: keys are queued with the
 * page they came from, sent 100 a request, UnprocessedKeys resent with
 * backoff, and every key gets exactly one answer: the item found, or none.
 * Keys are matched to the items returned by their values, compared as
 * DynamoDB orders them (numbers by value), never by JSON spelling.
 *
 * Used by fetch_then_write (whole items behind a partial index) and prune
 * (which of the target's keys the source still has).
 */
struct batchget;

/*
 * Called once per key: item is the item found (empty slice: the table has
 * no such key). pg is the page the key came from, not yet marked done; tag
 * what batchget_key_tagged was given with the key (NULL otherwise).
 */
typedef void (*batchget_result_fn)(struct worker *w, struct page *pg,
				   struct slice key, struct slice item, void *tag);

/*
 * Looks keys up in table (key schema desc) on side d. proj lists the
 * attributes to return (NULL-terminated, the keys among them), or is NULL
 * for whole items.
 */
struct batchget *batchget_new(struct worker *w, const struct ddb *d,
			      const char *table, const struct table_desc *desc,
			      const char *const *proj, batchget_result_fn result);
void batchget_free(struct batchget *g);
/* Queues a key ({"k":{...},...}); sends a request when 100 are queued. */
void batchget_key(struct batchget *g, struct slice key, struct page *pg);
/* The same, with a tag handed back to the result function (diff: the source item). */
void batchget_key_tagged(struct batchget *g, struct slice key, struct page *pg, void *tag);
/*
 * The rate limiter its requests draw from (default: the job's read_rate):
 * diff reads two tables, each under its own --max-rcu.
 */
void batchget_set_limiter(struct batchget *g, struct rate_limiter *limiter);
/* Sends the partial request. */
void batchget_flush(struct batchget *g);
/* Bytes of requests out, for backpressure. */
size_t batchget_backlog(const struct batchget *g);

#endif
