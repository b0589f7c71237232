/* --slice I/K and --prepare-only: which part of a job this run does (plan_slice.h). */
#include "dynamo/plan_slice.h"
#include "dynamo/exitcode.h"
#include "dynamo/stages.h"

#include <stdio.h>

void plan_slice_segments(const struct plan *p, int total, int *first, int *count)
{
	const struct plan_slice *sl = &p->params.slice;
	long long lo, hi;

	if (!sl->k) {
		*first = 0;
		*count = total;
		return;
	}
	lo = (long long)(sl->i - 1) * total / sl->k;
	hi = (long long)sl->i * total / sl->k;
	*first = (int)lo;
	*count = (int)(hi - lo);
}

static int one_time(const struct stage *s)
{
	return s->kind == STAGE_CREATE_TABLE || s->kind == STAGE_BACKUP;
}

static int scan_stage(const struct stage *s)
{
	/* diff and sync: each side's scan shared out alike (a query of --pk values is not a scan). */
	if (s->kind == STAGE_DIFF || s->kind == STAGE_DIFF_EXTRAS)
		return s->segments > 0;
	return s->kind == STAGE_COPY || s->kind == STAGE_PRUNE || s->kind == STAGE_TRUNCATE ||
	       s->kind == STAGE_EXPORT;
}

static int check_slice_flags(struct plan *p)
{
	const struct plan_params *pp = &p->params;
	const struct plan_slice *sl = &pp->slice;
	int i, destructive = 0;

	if (sl->prepare_only)
		return errf(pp->eb, EXIT_USAGE,
			    "--prepare-only is the step before the slices: give it without --slice");
	if (pp->sample > 0)
		return errf(pp->eb, EXIT_USAGE,
			    "--sample picks segments at random, --slice shares them out: give one");
	if (!pp->segments)
		return errf(pp->eb, EXIT_USAGE,
			    "--slice %d/%d needs --segments N, the same in every slice (so that the slices share out the same segments)",
			    sl->i, sl->k);
	if (sl->k > pp->segments)
		return errf(pp->eb, EXIT_USAGE,
			    "--slice %d/%d: %d slices of %d segments would leave some slices nothing: use at most %d slices, or more --segments",
			    sl->i, sl->k, sl->k, pp->segments, pp->segments);
	for (i = 0; i < p->n; i++)
		destructive |= p->st[i].destructive;
	if (destructive && !pp->yes && !pp->dry_run)
		return errf(p->params.eb, EXIT_REFUSED,
			    "a slice does not ask for confirmation: pass --yes (confirm the job once, with --prepare-only)");
	return 0;
}

int plan_apply_slice(struct plan *p)
{
	const struct plan_slice *sl = &p->params.slice;
	int i;

	if (!sl->k && !sl->prepare_only)
		return 0;
	if (sl->k && check_slice_flags(p) < 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		struct stage *s = &p->st[i];

		if (sl->prepare_only) {
			if (!one_time(s)) {
				s->skipped = 1;
				snprintf(s->result, sizeof(s->result), "left to the slices (--slice I/K)");
			}
			continue;
		}
		if (s->kind == STAGE_CREATE_TABLE)
			return errf(p->params.eb, EXIT_USAGE,
				    "table '%s' does not exist yet: run the job once with --prepare-only (without --slice), which creates it, then the slices",
				    s->dst_table);
		if (s->kind == STAGE_BACKUP) {
			s->skipped = 1;
			snprintf(s->result, sizeof(s->result), "done by --prepare-only");
			continue;
		}
		if (!scan_stage(s))
			return errf(p->params.eb, EXIT_USAGE,
				    "--slice shares out a table scan's segments, and the '%s' stage of this job is not a scan (an item copy with --pk is one run)",
				    s->name);
		s->estimate /= (uint64_t)sl->k;
	}
	return 0;
}

const char *plan_slice_label(const struct plan *p, char *buf, size_t n)
{
	const struct plan_slice *sl = &p->params.slice;

	if (sl->k)
		snprintf(buf, n, " (slice %d/%d)", sl->i, sl->k);
	else if (sl->prepare_only)
		snprintf(buf, n, " (prepare only)");
	else if (n)
		buf[0] = 0;
	return buf;
}
