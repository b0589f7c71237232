#ifndef DYNAMO_DIFF_H
#define DYNAMO_DIFF_H

#include "dynamo/job.h"

/*
 * Comparing two tables item by item (dynamo diff, copy --verify, sync),
 * as two jobs on the shared engine (see src/engine/diff.c for why this way):
 *
 *   diff_ops         the job scans (or queries) the source's whole items and
 *                    looks each key up in j->out.lookup, the target, with
 *                    BatchGetItem: '+' when the target lacks it, '~' when
 *                    its item is not equal (compare.h).
 *   diff_extras_ops  the job scans the target's keys and looks them up in
 *                    j->out.lookup, the source (keys only): '-' when the
 *                    source lacks it (or, for a query, when the source's
 *                    item is outside the selection).
 *
 * j->out.ctx is a struct diff_hooks. With write set, the differences are
 * also mended through the batch writer into j->out.ddb: diff_ops puts the
 * source's item for '+' and '~', diff_extras_ops deletes the key for '-'
 * (its job has deletes set). Memory: each worker holds the source items
 * whose lookups are out, counted in its backlog, so backpressure bounds it.
 */
enum diff_kind { DIFF_ADDED = '+', DIFF_REMOVED = '-', DIFF_CHANGED = '~' };

struct diff_hooks {
	/*
	 * Called from the worker threads (so it must be thread-safe) once per
	 * difference: key is the item's key (DynamoDB JSON), src the source's
	 * item (empty for '-'), dst the target's (empty for '+'; for '-' only
	 * its key attributes).
	 */
	void (*found)(void *arg, enum diff_kind kind, struct slice key, struct slice src,
		      struct slice dst);
	void *arg;
	int write;				/* sync: mend what differs */
	struct rate_limiter *lookup_rate;	/* the looked-up side's reads (NULL: the job's read_rate) */
	uint64_t equal;				/* atomic: items found equal */
};

extern const struct sink_ops diff_ops;
extern const struct sink_ops diff_extras_ops;

#endif
