#ifndef DYNAMO_KEYSET_H
#define DYNAMO_KEYSET_H

#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/job.h"

/*
 * The keys of an import file, in bounded memory, so that a restore from a
 * file can delete, after writing every item of the file, the table's items
 * whose keys the file lacks (see keyset.c for why it is built this way).
 *
 * Filled from one thread while the file is read, sealed once, then looked
 * up from many (thread-safe after keyset_seal).
 */
struct keyset;

/* An empty set for items of a table with this key schema (borrowed). */
struct keyset *keyset_new(const struct table_desc *keys);
void keyset_free(struct keyset *s);
/* Adds the key of item (an item or a key); -1 with eb set when it has no valid key. */
int keyset_add(struct keyset *s, struct slice item, struct errbuf *eb);
/* Sorts what was added; after this only keyset_has. -1 with eb set on a file error. */
int keyset_seal(struct keyset *s, struct errbuf *eb);
/* Whether the key of item (or key) was added. */
int keyset_has(struct keyset *s, struct slice key);
/* Keys added (duplicates counted once after keyset_seal). */
uint64_t keyset_count(const struct keyset *s);
/* Forgets every key, to be filled again. */
void keyset_reset(struct keyset *s);

/*
 * A prune against a key set: the job's items are the table's keys (a
 * keys-only scan); those the set lacks are deleted by the batch writer.
 * job->out.ctx is the sealed keyset.
 */
extern const struct sink_ops keyset_prune_ops;

#endif
