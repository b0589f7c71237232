#ifndef DYNAMO_STAGES_H
#define DYNAMO_STAGES_H

#include "dynamo/plan.h"

/* Internal to the planner (src/plan/). */

/* Checkpoint units of a stage: its segments for scans, 0 otherwise. */
int stage_units(const struct plan *p, const struct stage *s);
/* Runs one stage; on failure p->params.eb says why and what is left. */
int stage_run(struct plan *p, struct stage *s, int ck_stage);
/* CreateTable from the source's description, wait until ACTIVE, copy TTL. */
int stage_create_table(struct plan *p, struct stage *s);
/*
 * Builds the CreateTable request for name from a DescribeTable "Table"
 * object, keeping only what CreateTable accepts (exposed for tests).
 */
/*
 * CreateTable for a copy of the table desc describes, named name: keys,
 * indexes, billing (the source's, or billing), stream, table class,
 * deletion protection, encryption, and tags (ListTagsOfResource's Tags).
 */
cJSON *create_table_request(const cJSON *desc, const char *name, int billing,
			    const cJSON *tags);
/* The summary line, --json object and $GITHUB_STEP_SUMMARY. */
void plan_summary(struct plan *p, int ok);
/* Sets one of the command's flags (params.json_done, summary_done) when it gave one. */
void plan_mark_done(int *flag);

#endif
