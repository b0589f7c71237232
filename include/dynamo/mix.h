#ifndef DYNAMO_MIX_H
#define DYNAMO_MIX_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"

/*
 * Items waiting for a batch, taken in turn from every page.
 *
 * A Scan page holds neighbouring keys: DynamoDB returns a partition's items
 * together, so a batch built from one page lands on one partition, and a
 * page's batches all hammer it while the table's other partitions idle. A
 * batch built by taking one item from each waiting page in turn holds items
 * of up to 25 places in the key space, from as many segments as the worker
 * has pages waiting: the load spreads over the partitions, and a partition
 * at its limit leaves only its own items unprocessed.
 *
 * Items are kept in slots: one per page (fresh items, copied in: the page's
 * response buffer is reused at once), and one per answer that left items
 * unprocessed (retries, each with its own page). A slot may wait: a retry
 * until its backoff is over, a page while its key range is held (a hot
 * partition). Slots that may go are in a ring, taken in turn; retries join
 * it at the front. Not thread-safe: one per worker.
 */
struct page;
struct unit;
struct mix_slot;
struct mix_chunk;

struct mix {
	struct mix_slot *turn;		/* the ring, at the slot whose turn is next; NULL: empty */
	struct mix_slot *waiting;	/* slots not before their due time */
	struct mix_slot *filling;	/* the page slot items are being added to */
	struct mix_slot *spare;		/* owned: recycled slots */
	struct mix_chunk *pool;		/* owned: chunks for items, recycled */
	size_t npool;
	size_t allocated;		/* bytes of chunks allocated (in slots and the pool) */
	size_t ready;			/* items in the ring */
	size_t held;			/* items in waiting slots */
	size_t bytes;			/* bytes of all of them */
};

void mix_init(struct mix *m);
void mix_release(struct mix *m);
/* Copies item, of page pg, to the end of its page's slot. */
void mix_add(struct mix *m, struct page *pg, struct slice item);
/* A new slot for retries, due at due_ms (CLOCK_MONOTONIC ms). */
struct mix_slot *mix_retry_slot(struct mix *m, uint64_t due_ms);
/*
 * Copies a retry of item (of page pg, left unprocessed by tries answers, idle
 * of which wrote nothing) into slot s.
 */
void mix_retry_add(struct mix *m, struct mix_slot *s, struct page *pg,
		   struct slice item, int tries, int idle);
/* Holds the page slots of unit u (a hot key range) there are now until due_ms. */
void mix_hold(struct mix *m, const struct unit *u, uint64_t due_ms);
/* Slots whose time has come join the ring. Returns ms until the next one is due, or -1. */
int64_t mix_wake(struct mix *m, uint64_t now_ms);
/*
 * The item whose turn it is, its page, tries and idle answers, without
 * taking it (the slice is valid until the next call that changes the mix).
 * 0: none ready.
 */
int mix_peek(struct mix *m, struct page **pg, struct slice *item, int *tries,
	     int *idle);
/* Takes the peeked item; the next turn is the next slot's. */
void mix_next(struct mix *m);

#endif
