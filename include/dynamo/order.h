#ifndef DYNAMO_ORDER_H
#define DYNAMO_ORDER_H

#include "dynamo/buf.h"
#include "dynamo/ddb.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The order of one key's writes from a file (engine/order.c). A file may
 * hold a key more than once, and its last line must win, as puts in turn
 * do. Two batches in flight are not applied in order, and an unprocessed
 * item is sent again after later batches: so a later version of a key
 * waits, here, until every earlier one is confirmed written. Keys are
 * counted by a 96-bit digest of their canonical form (item_key_canonical);
 * a key's waiting versions keep their order, other keys go on, and the
 * waiting items' bytes are copied. Memory: the keys in flight and the items
 * held (the caller stops reading when they grow past a bound).
 */
struct page;

struct key_order {
	const struct table_desc *desc;	/* the target's key schema */
	struct order_slot *slots;	/* owned: open addressing, linear probing */
	size_t nslots, used;
	struct buf held;		/* owned: the waiting items' bytes */
	struct order_held *q;		/* owned: the waiting items, in file order */
	size_t qhead, qn, qcap;
	size_t nwaiting;		/* items held */
	struct buf scratch;		/* owned: a canonical key */
};

void order_init(struct key_order *o, const struct table_desc *desc);
void order_release(struct key_order *o);
/*
 * An item arriving from the file: 1 when it may be written now (it is
 * counted until order_confirm), 0 when it waits (copied), -1 when it has
 * no key of desc's.
 */
int order_admit(struct key_order *o, struct slice item, struct page *pg);
/* An item written (confirmed by DynamoDB): its key is free again when no other version is out. */
void order_confirm(struct key_order *o, struct slice item);
/*
 * The first held item, in file order, whose key has no version out: 1 with
 * *item (valid until the next call) and *pg, counted as admitted; 0 when
 * none may go.
 */
int order_next(struct key_order *o, struct slice *item, struct page **pg);
/* Items waiting, and the memory their bytes take. */
size_t order_waiting(const struct key_order *o);
size_t order_bytes(const struct key_order *o);

#endif
