#ifndef DYNAMO_CHECKPOINT_H
#define DYNAMO_CHECKPOINT_H

#include <cJSON.h>
#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * --checkpoint FILE: a job's progress, saved atomically (write a temporary
 * file, fsync, rename) so that after a crash or kill -9 the same command
 * resumes: finished stages are skipped, finished segments are not scanned
 * again, and each unfinished segment restarts after the last key whose page
 * was completely written. Items after that key may be written twice, which
 * is harmless (a put of the same item).
 *
 * The file records what the job is (command, tables, accounts, regions,
 * segment count); a checkpoint of another job is refused, naming the
 * difference.
 */
struct checkpoint;
struct job_hooks;

/*
 * Opens path for the job described by job (owned from here on). A missing
 * file starts a new checkpoint; a file of another job, or one that is not a
 * dynamo checkpoint, fails with EXIT_USAGE.
 */
int checkpoint_open(struct checkpoint **out, const char *path, cJSON *job,
		    struct errbuf *eb);
/* Parses checkpoint text (for tests and fuzzing); same checks as open. */
int checkpoint_parse(struct checkpoint **out, const char *path,
		     const char *text, size_t len, cJSON *job,
		     struct errbuf *eb);
void checkpoint_free(struct checkpoint *ck);
/* True when the file existed: this run resumes. */
int checkpoint_resuming(const struct checkpoint *ck);

/*
 * The most units a stage may have in a checkpoint (a scan's most segments):
 * a file with more is refused as damaged, so a plan with a larger stage
 * must not be run with --checkpoint.
 */
#define CHECKPOINT_MAX_UNITS 1000000
/* The index of a stage by name, created with nunits units if new. */
int checkpoint_stage(struct checkpoint *ck, const char *name, int nunits);
/* The index of a stage by name, or -1 when the checkpoint has none. */
int checkpoint_find_stage(struct checkpoint *ck, const char *name);
/* The stages the file records, by index (to check them against a plan). */
int checkpoint_nstages(struct checkpoint *ck);
const char *checkpoint_stage_name(struct checkpoint *ck, int stage);
/* How many units (segments) the stage was planned with. */
int checkpoint_stage_units(const struct checkpoint *ck, int stage);
int checkpoint_stage_done(const struct checkpoint *ck, int stage);
/* Marks a stage finished and saves at once. */
int checkpoint_finish_stage(struct checkpoint *ck, int stage, struct errbuf *eb);

/* A unit's saved state: 1 when complete, else 0 and start_key set ("" = from the start). */
int checkpoint_unit(struct checkpoint *ck, int stage, int unit,
		    struct buf *start_key);
/* Records that the unit is written up to next_key (NULL: the unit is complete). */
void checkpoint_advance(struct checkpoint *ck, int stage, int unit,
			const struct buf *next_key);

/* The hooks through which a job keeps this stage of the checkpoint. */
void checkpoint_job_hooks(struct checkpoint *ck, int stage, struct job_hooks *h);

/*
 * A following stage's stream positions (follow_positions: one line each,
 * at most about one per open shard), kept whole and replaced whole.
 */
void checkpoint_set_positions(struct checkpoint *ck, int stage, const char *text, size_t n);
/* The recorded positions into out (reset first); empty when none. */
void checkpoint_positions(struct checkpoint *ck, int stage, struct buf *out);

/* Saves if something changed, at most once a second unless force. */
int checkpoint_save(struct checkpoint *ck, int force, struct errbuf *eb);
/* The job finished: the file is removed. */
void checkpoint_remove(struct checkpoint *ck);
const char *checkpoint_path(const struct checkpoint *ck);

#endif
