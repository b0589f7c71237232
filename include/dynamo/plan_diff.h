#ifndef DYNAMO_PLAN_DIFF_H
#define DYNAMO_PLAN_DIFF_H

#include "dynamo/diff.h"
#include "dynamo/plan.h"

/*
 * The comparison of two tables in a plan (src/plan/diff.c): diff, copy
 * --verify and sync add its two stages (the source's items looked up in
 * the target, then the target's keys in the source) and read its counts.
 * Differences are printed on stdout as they are found, one line each
 * ("+ KEY", "- KEY", "~ KEY"; --format full adds the changed attributes;
 * --output jsonl one JSON object each), whole lines under a lock.
 */
struct plan_diff {
	pthread_mutex_t lock;
	/* set by the command after plan_diff_init (from its flags) */
	int full;				/* --format full: the changed attributes too */
	int jsonl;				/* --output jsonl: one JSON object a difference */
	struct diff_hooks items, extras;	/* the two stages' */
	uint64_t added, removed, changed;	/* under lock, with the counts of a resumed run */
	struct plan *p;
	int ck_items, ck_extras;		/* their stages in the checkpoint (-1: none) */
	int loaded;				/* the resumed run's counts are added */
	int sampled;				/* a share of the segments was read (sample) */
	double sample;				/* --sample F, set before plan_add_diff (0: every segment) */
	int extras_skipped;			/* --sample: items only in the target not looked for */
	int write, delete_extras;		/* sync */
	uint64_t full_copy_writes;		/* the source's items compared: what a copy would write */
	int dry_run_sync;			/* sync --dry-run: the summary says what it would do */
	int verify;				/* copy --verify: "verified" in the summary */
	int no_extras;				/* copy --verify --no-truncate: the target may keep others */
	int quiet;				/* print nothing (counts only) */
	const char *items_stage_name;		/* the first stage: the checkpoint keeps the counts there */
	struct rate_limiter lookup_rate;	/* --max-rcu on the looked-up side */
};

void plan_diff_init(struct plan_diff *d, struct plan *p);
void plan_diff_release(struct plan_diff *d);
/*
 * Adds the two stages, named name and extras_name, comparing src with dst
 * over the selection sel (bound to the source's keys), with segments
 * segments (0: the source's default). write: mend the differences in dst
 * (puts; and deletes with delete_extras); destructive when writing.
 */
void plan_add_diff(struct plan_diff *d, const char *name, const char *extras_name,
		   struct table_ref src,
		   struct table_ref dst, const struct selection *sel, int segments);
/* Whether anything differed. */
uint64_t plan_diff_count(struct plan_diff *d);

#endif
