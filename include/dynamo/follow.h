#ifndef DYNAMO_FOLLOW_H
#define DYNAMO_FOLLOW_H

#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/rate.h"
#include "dynamo/shards.h"
#include "dynamo/streams.h"

/*
 * Following a table's DynamoDB stream into another table (copy --follow):
 * every change is applied to the target, INSERT and MODIFY as a put of the
 * new image, REMOVE as a delete of the keys.
 *
 * Order: a key's changes are in one shard at a time, in order within it,
 * and a shard is read only once its parent is read to its end, so each
 * key's changes are applied in stream order. A round reads one page (all
 * its GetRecords in flight at once, on the follower's own engine) from
 * each shard it can read (at most FOLLOW_ROUND_SHARDS), keeps only the
 * last change of each key (its earlier ones would be overwritten anyway),
 * and applies them all through the batch writer (job.h: batches of 25
 * across keys, the write limiter, retries of unprocessed items): no key is
 * written twice at once. Positions move only after a round is applied, so
 * a round that fails (a throttled target) is applied again, never skipped:
 * the lag grows, no change is lost. Applying a change twice, or a suffix
 * of a key's history again, leaves the key as the source has it.
 *
 * Positions: follow_mark, before the snapshot's scan, takes a LATEST
 * iterator of every open shard (closed shards hold only what the snapshot
 * will read); shards born later are read from their start. Iterators last
 * 15 minutes: follow_keep renews them while the scan runs and pins each to
 * the first change after it (STREAM_POS_AT, which a checkpoint can hold).
 * One that expired anyway is replaced by the shard's start (TRIM_HORIZON),
 * which replays changes the snapshot has (harmless) and loses none.
 *
 * Memory: the shard list (bounded by STREAM_MAX_SHARDS), an iterator per
 * shard being read, and one round of pages (at most FOLLOW_ROUND_SHARDS
 * answers of GetRecords' 1 MB).
 */

#define FOLLOW_ROUND_SHARDS 16
/* "Caught up": the newest change read is younger than this. */
#define FOLLOW_CAUGHT_UP_MS 1000
/* How often follow_keep should run: well within an iterator's 15 minutes. */
#define FOLLOW_KEEP_EVERY_MS (5 * 60 * 1000)

struct job;

/* What the follower reports to its planner after every round. */
struct follow_stats {
	uint64_t records;	/* changes read from the stream */
	uint64_t puts, deletes;	/* writes applied (a key's superseded changes are not written) */
	uint64_t rounds, retried_rounds;
	int64_t lag_ms;		/* the oldest of the shards' newest knowledge (see measure in follow.c) */
	int caught_up;		/* every open shard read, the lag under FOLLOW_CAUGHT_UP_MS */
	int shards_reading;
	uint64_t requests, retries, throttles;	/* the apply jobs' */
};

struct follow_config {
	const struct streams *api;	/* the source's stream API */
	const char *arn;		/* the stream */
	const char *src_table;		/* for messages */
	const struct ddb *dst;		/* the target */
	const char *dst_table;
	const struct table_desc *dst_desc;	/* its key schema */
	int concurrency;		/* requests in flight while applying */
	struct rate_limiter *write_rate;	/* NULL: none */
	uint64_t for_ms;		/* stop after this long (0: no limit) */
	int until_caught_up;		/* stop once caught up */
	/*
	 * The copy's transforms, applied to each new image and to each removed
	 * key (a masked or renamed key is deleted under its new value), or NULL.
	 */
	const struct transform *transform;
	const struct mask_key *mask_key;
	/* A selection (copy --pk): whether a change of these keys is inside it. NULL: every change. */
	int (*wanted)(void *arg, struct slice keys);
	void *wanted_arg;
	/* After every round: the positions to record (see follow_positions). */
	void (*save)(void *arg, const struct buf *positions);
	/* After every round. */
	void (*progress)(void *arg, const struct follow_stats *st);
	void *arg;
};

enum follow_state { FOLLOW_WAIT = 0, FOLLOW_READ, FOLLOW_DONE };

/* A listed shard's reader. */
struct follow_shard {
	struct stream_pos pos;		/* the last change applied */
	struct buf iterator;		/* owned: where the next GetRecords reads; empty: ask for one at pos */
	enum follow_state state;	/* DONE: read to its end, or older than the snapshot */
	int latest;			/* iterator is the LATEST one follow_mark took (pos says nothing yet) */
	int idle;			/* its last page was empty */
	int seen;			/* read at least once by this run */
	int failures;			/* reads that failed in a row */
	int64_t newest_ms;		/* the newest change applied, ms since the epoch; 0 none */
	int64_t read_ms;		/* when its last page came, ms since the epoch */
};

struct follower {
	struct follow_config cfg;
	struct stream_shards set;	/* owned: the shards as last described */
	struct follow_shard *fs;	/* owned: parallel to set.v */
	struct follow_stats st;
	uint64_t described_ms;		/* when the stream was last described */
	int describe_now;		/* a shard ended: its children may be listed */
	uint64_t started_ms;		/* when follow_run began (--follow-for) */
	int next;			/* where the next round starts in set.order (round robin) */
	struct engine *eng;		/* owned while follow_run runs: a round's GetRecords, in parallel */
};

void follower_init(struct follower *f, const struct follow_config *cfg);
void follower_release(struct follower *f);

/*
 * Before the snapshot: lists the stream; closed shards are done (the
 * snapshot reads what they hold), each open shard gets a LATEST iterator.
 * 0, or -1 with eb set.
 */
int follow_mark(struct follower *f, struct errbuf *eb);

/*
 * While the snapshot is read (which may take hours; an iterator lasts 15
 * minutes): renews each LATEST iterator by reading one record from it. A
 * shard that has a change after the position is pinned to it for good
 * (STREAM_POS_AT, which follow_positions records); one that ended is done.
 * Call it every few minutes, from one thread while nothing else uses f.
 * Failures are warnings. Returns how many positions became recordable.
 */
int follow_keep(struct follower *f);

/*
 * Resuming (the snapshot is written; no LATEST iterators survived): lists
 * the stream and takes positions from text (follow_positions' lines). A
 * shard with a position resumes after it, and its ancestors are done;
 * every other shard is read from its start. A recorded shard the stream no
 * longer lists is trimmed: -1, with eb saying a fresh copy is needed.
 */
int follow_resume(struct follower *f, const char *text, size_t n, struct errbuf *eb);

/*
 * Follows until cfg says stop (for_ms, until_caught_up) or a signal:
 * 0 when stopped as asked; -1 with eb set otherwise (EXIT_INTERRUPTED
 * for a signal).
 */
int follow_run(struct follower *f, struct errbuf *eb);

/*
 * The positions worth recording, one stream_pos_format line each: shards
 * with a change applied (or read to their end) none of whose children has
 * one, so at most about one per open shard.
 */
void follow_positions(const struct follower *f, struct buf *out);

#endif
