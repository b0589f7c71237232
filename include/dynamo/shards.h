#ifndef DYNAMO_SHARDS_H
#define DYNAMO_SHARDS_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"

/*
 * The shards of a DynamoDB stream, the order to read them in, and where a
 * reader stands in each.
 *
 * A stream is cut into shards. A shard takes the changes of some keys for
 * a few hours, then closes (DescribeStream gives it an EndingSequenceNumber)
 * and the same keys' later changes go to its children, which name it as
 * their ParentShardId. A key's changes are in one shard at a time and in
 * order within it, so a reader that finishes a parent before it starts any
 * of its children applies every key's changes in order. Shards whose
 * records are all older than the stream's 24-hour retention drop out of
 * DescribeStream: a child whose parent is no longer listed is a root.
 *
 * DynamoDB only splits shards (a shard has at most one parent; Kinesis'
 * AdjacentParentShardId has no counterpart here). Sequence numbers are
 * decimal strings of up to 40 digits, compared here as numbers, digit by
 * digit, never through a double.
 *
 * Everything here is plain data and pure functions: no I/O.
 */

/* AWS's limits (the Streams API reference): ShardId 28-65 characters, SequenceNumber 21-40 digits. */
#define STREAM_SHARD_ID_MAX 65
#define STREAM_SEQ_MAX 40
/*
 * The most shards a set holds. A shard lives about four hours and is listed
 * for 24 more, so a table with 10,000 partitions lists some 70,000; more is
 * refused with a message rather than grown without bound (~24 MB here).
 */
#define STREAM_MAX_SHARDS 100000

/* ---- sequence numbers ---- */

/* True when s[0..n) is 1 to 40 decimal digits. */
int stream_seq_valid(const char *s, size_t n);
/* Orders two valid sequence numbers as numbers: <0, 0, >0 (leading zeros ignored). */
int stream_seq_compare(const char *a, const char *b);

/* ---- shards ---- */

/* True when s[0..n) can be a shard id: 1 to 65 printable ASCII characters, no space, '"' or '\'. */
int stream_shard_id_valid(const char *s, size_t n);

/* One shard as DescribeStream lists it, in fixed space (no pointers: a set is one allocation). */
struct stream_shard {
	char id[STREAM_SHARD_ID_MAX + 1];	/* ShardId */
	char parent[STREAM_SHARD_ID_MAX + 1];	/* ParentShardId, "" for none */
	char start[STREAM_SEQ_MAX + 1];		/* SequenceNumberRange.StartingSequenceNumber */
	char end[STREAM_SEQ_MAX + 1];		/* EndingSequenceNumber, "" while the shard is open */
};

/*
 * Whether sh's fields are well formed: an id, a parent id or "", a start
 * and an end (or "") of 1 to 40 digits, the end not before the start.
 * 0, or -1 with why set.
 */
int stream_shard_check(const struct stream_shard *sh, char *why, size_t wn);

static inline int stream_shard_closed(const struct stream_shard *sh)
{
	return sh->end[0] != '\0';
}

/*
 * The order to read n shards in, parents before their children: a pure
 * function of the list. parent[i] is set to the index of shard i's parent
 * in v, or -1 when it has none or its parent is not in v (a root).
 * order[] gets the n indices of v, each parent before its children; among
 * the shards whose parents come earlier, the oldest (by
 * StartingSequenceNumber, then id) first, so the order is the same
 * whatever order DescribeStream listed them in. parent and order are the
 * caller's arrays of n ints. -1 with why set (one line) when v lists a
 * shard twice, or when the lineage is a cycle (a shard its own ancestor),
 * which no stream can have: a malformed answer.
 */
int stream_lineage_order(const struct stream_shard *v, int n, int *parent,
			 int *order, char *why, size_t wn);

/*
 * The shards of one stream as a set, in bounded memory: ids are unique,
 * at most max of them (STREAM_MAX_SHARDS by default).
 */
struct stream_shards {
	struct stream_shard *v;		/* owned: n used of cap */
	int n, cap, max;
	int32_t *slots;			/* owned: open-addressing index of v by id, nslots */
	size_t nslots;
	int *parent;			/* owned, after stream_shards_order: see stream_lineage_order */
	int *order;			/* owned, after stream_shards_order: parents first */
};

/* max 0 means STREAM_MAX_SHARDS. */
void stream_shards_init(struct stream_shards *s, int max);
void stream_shards_release(struct stream_shards *s);
/* Empties the set (keeps its memory), to list the stream again. */
void stream_shards_reset(struct stream_shards *s);
/*
 * Adds a copy of sh, after checking its fields (id and sequence numbers
 * well formed, the end not before the start). -1 with why set when one is
 * not, when the id is in the set already, or when the set is full.
 */
int stream_shards_add(struct stream_shards *s, const struct stream_shard *sh,
		      char *why, size_t wn);
/* The index of the shard with this id, or -1. */
int stream_shards_find(const struct stream_shards *s, const char *id);
/* Fills s->parent and s->order (stream_lineage_order over the set). */
int stream_shards_order(struct stream_shards *s, char *why, size_t wn);

/* ---- positions ---- */

/*
 * Where a reader stands in one shard, for a checkpoint: nothing applied
 * yet (read from the shard's oldest record, TRIM_HORIZON), every record up
 * to and including seq applied (read AFTER_SEQUENCE_NUMBER seq), nothing
 * from seq on applied and nothing before it needed (read
 * AT_SEQUENCE_NUMBER seq: a follower's position taken before its snapshot,
 * pinned to the first record after it), or the shard closed and read to
 * its end.
 */
enum stream_pos_kind {
	STREAM_POS_START = 0,
	STREAM_POS_AFTER,
	STREAM_POS_END,
	STREAM_POS_AT,
};

struct stream_pos {
	char shard[STREAM_SHARD_ID_MAX + 1];
	char seq[STREAM_SEQ_MAX + 1];	/* the last applied record's, for STREAM_POS_AFTER; else "" */
	enum stream_pos_kind kind;
};

/* A position at the start of shard; -1 when the id is not well formed. */
int stream_pos_start(struct stream_pos *pos, const char *shard);
/*
 * Records that the record seq has been applied. -1 (pos unchanged) unless
 * seq is valid and after the position (at or after it for STREAM_POS_AT):
 * a record applied twice or out of order, or one past the end of a
 * finished shard.
 */
int stream_pos_advance(struct stream_pos *pos, const char *seq);
/* Pins a position at its start to the record seq: STREAM_POS_AT. -1 unless at the start and seq valid. */
int stream_pos_at(struct stream_pos *pos, const char *seq);
/* Marks the shard read to its end (GetRecords gave no NextShardIterator). */
void stream_pos_end(struct stream_pos *pos);
/*
 * One line of text per position, at most 110 bytes: "ID start",
 * "ID SEQ", "ID at SEQ" or "ID end". Appends to out; -1 when out is full.
 */
int stream_pos_format(const struct stream_pos *pos, struct buf *out);
/* Reads what stream_pos_format wrote, exactly; -1 with why set otherwise. */
int stream_pos_parse(const char *text, size_t n, struct stream_pos *pos,
		     char *why, size_t wn);

#endif
