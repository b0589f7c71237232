#ifndef DYNAMO_PLAN_SLICE_H
#define DYNAMO_PLAN_SLICE_H

#include <stddef.h>
#include "dynamo/plan.h"

/*
 * A job over several machines (a GitHub Actions matrix): --prepare-only
 * runs the one-time steps (the confirmation, creating the target, backing
 * it up) once; then K runs with --slice 1/K ... K/K each scan a disjoint
 * share of the segments (--segments N, the same in every run), writes and
 * prunes only there, with its own checkpoint and --json result
 * (`dynamo summary merge` adds the results up).
 *
 * Slice I of K scans segments [(I-1)*N/K, I*N/K).
 */

/* The segments [*first, *first + *count) of total that this run scans. */
void plan_slice_segments(const struct plan *p, int total, int *first, int *count);

/*
 * Checks --slice / --prepare-only against the plan and marks the stages
 * this run leaves to another (skipped, with why in s->result): 0, or -1
 * with params.eb set. A slice refuses a plan that still has to
 * create its target (run --prepare-only first), a stage that is not a scan
 * (an item copy), no --segments or more slices than segments, and
 * destructive stages without --yes (slices never prompt).
 */
int plan_apply_slice(struct plan *p);

/* " (slice I/K)", " (prepare only)" or "" for the summary. */
const char *plan_slice_label(const struct plan *p, char *buf, size_t n);

#endif
