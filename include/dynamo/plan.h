#ifndef DYNAMO_PLAN_H
#define DYNAMO_PLAN_H

#include "dynamo/cost.h"
#include "dynamo/ddb.h"
#include "dynamo/job.h"
#include "dynamo/json_print.h"
#include "dynamo/selection.h"
#include "dynamo/transform.h"

/*
 * The planner turns a command into stages; the stages run in order, each a
 * control-plane step (backup, create, restore, delete) or a data job
 * (truncate, copy, query copy, export, import) on the shared engine.
 * --dry-run prints the stages instead; destructive stages are confirmed
 * once, up front; --checkpoint skips the stages a killed run finished.
 *
 * Room is left for what comes next: a verify stage (scan both sides, diff),
 * filtered copies (a key prefix or filter expression on the scan), and runs
 * over a slice of the segments (seg_first/seg_count) on several machines.
 */

/*
 * What a checkpoint records of the job (its identity): what the user asked
 * for, not the tables' state, so that a resumed run is recognised as the
 * same job. Strings borrowed from the command.
 */
struct plan_intent {
	const char *table, *target_table;	/* -t, --target-table */
	const char *const *pk;			/* the --pk values (npk of them) */
	int npk;
	const char *sk, *index;			/* --sk, --index */
	const char *from_table, *from_file;	/* restore's sources */
	const char *backup_arn, *backup_name;
	const char *file;			/* export -o / import -i */
	int no_truncate, no_backup, create_target;
	int follow;				/* copy --follow (recorded only when set) */
};

/* --slice I/K and --prepare-only (plan_slice.h): which part of a job this run does. */
struct plan_slice {
	int i, k;		/* slice I of K (1 <= I <= K); 0/0: the whole job */
	int prepare_only;	/* only the one-time stages (create, backup), for slices to follow */
};

/* What the create and setup stages carry over from the source (create.c). */
struct plan_create {
	int strict;		/* a setting that cannot be read (TTL, tags) fails the run instead of a warning */
	int billing;		/* the new table's billing: 0 the source's, BILLING_ON_DEMAND or BILLING_PROVISIONED */
};

/*
 * What dynamo policy grants beyond the stages: calls the command itself
 * makes while planning (policy.c).
 */
struct plan_grants {
	const char *schema_table;	/* import --like: a table described on the target's side */
	int lists_backups;		/* restore --backup-name: ListBackups finds the backup */
};

/*
 * What the command tells the planner, filled from its flags by the command
 * (ctx_plan_params in src/cmd/): the planner and its stages never read the
 * command line. Copied by plan_init; pointers are borrowed and outlive the
 * plan.
 */
struct plan_params {
	struct errbuf *eb;	/* where a failure is reported: the command's */
	int *json_done;		/* set to 1 once a --json result is on stdout (may be NULL) */
	int *summary_done;	/* set to 1 once the GitHub step summary has the run (may be NULL) */
	int dry_run;		/* print the stages instead of running them */
	int policy;		/* print the IAM policy the stages need instead (dynamo policy) */
	int yes;		/* destructive stages go ahead without asking */
	int may_prompt;		/* stdin is a terminal: a destructive plan is confirmed there */
	int json;		/* the dry run and the summary as one JSON object on stdout */
	int segments;		/* --segments N as given; 0: each stage takes its default */
	double max_rcu, max_wcu;	/* caps on read and write units per second; 0: none */
	const char *checkpoint;	/* --checkpoint FILE, or NULL */
	const char *index;	/* -i: the index queried (query sources, policy) */
	double sample;		/* diff --sample F (0: none); a slice refuses it */
	struct plan_slice slice;	/* which part of the job this run does */
	struct plan_create create;	/* the create and setup stages' */
	struct plan_grants grants;	/* dynamo policy's, for the command's own calls */
	struct plan_intent intent;	/* the job's identity in a checkpoint */
};

enum stage_kind {
	STAGE_CREATE_TABLE,	/* target from the source's description */
	STAGE_BACKUP,		/* on-demand backup of the target */
	STAGE_TRUNCATE,		/* keys-only scan + batch deletes */
	STAGE_COPY,		/* parallel scan + batch puts */
	STAGE_QUERY_DELETE,	/* query the target's matching items, delete them */
	STAGE_QUERY_COPY,	/* query the source, put into the target */
	STAGE_RESTORE_BACKUP,	/* RestoreTableFromBackup + wait until ACTIVE */
	STAGE_DELETE_TABLE,
	STAGE_EXPORT,		/* parallel scan into a file */
	STAGE_IMPORT,		/* a file into batch puts */
	STAGE_QUERY,		/* query into a custom sink (stdout) */
	STAGE_PRUNE,		/* scan the target's keys, delete those the source lacks */
	STAGE_QUERY_PRUNE,	/* the same over the target's items of some partition keys */
	STAGE_PRUNE_KEYS,	/* scan the table's keys, delete those a key set (a file's) lacks */
	STAGE_CUSTOM,		/* a control-plane step the command brings (s->run) */
	STAGE_COUNT,		/* Scan (or Query) with Select COUNT: counts land in c.read */
	STAGE_ENABLE_STREAM,	/* UpdateTable: a stream with new images on the source (copy --enable-stream) */
	STAGE_FOLLOW,		/* apply the source's stream to the target (copy --follow, see follow.h) */
	STAGE_DIFF,		/* scan the source, look each item up in the target (diff.h) */
	STAGE_DIFF_EXTRAS,	/* scan the target's keys, look them up in the source */
};

/* What a STAGE_CUSTOM step is, for dynamo policy (the IAM actions it calls). */
enum custom_kind {
	CUSTOM_OTHER = 0,
	CUSTOM_ENABLE_PITR,	/* UpdateContinuousBackups on the source */
	CUSTOM_EXPORT_S3,	/* ExportTableToPointInTime into s3_url */
	CUSTOM_IMPORT_TABLE,	/* ImportTable from s3_url into a new table */
	CUSTOM_LOAD_S3,		/* an export's files in s3_url, written by dynamo */
	CUSTOM_SETUP,		/* the new table's TTL, PITR, tags, stream, deletion protection */
	CUSTOM_RESTORE_PITR,	/* RestoreTableToPointInTime into a new table */
};

struct plan;

/* How a STAGE_QUERY reads its keys (dynamo query's flags). */
struct stage_query {
	int consistent;		/* strongly consistent reads */
	int descending;		/* each key's items from the highest sort key (ScanIndexForward false) */
	int count;		/* Select COUNT: counts only, no items */
	uint64_t limit;		/* at most this many items; 0: all */
};

struct stage {
	enum stage_kind kind;
	const char *name;		/* "copy", "truncate": progress, --dry-run, checkpoint */
	const struct ddb *src;		/* read side (or the only side) */
	const char *src_table;
	const struct table_desc *src_desc;
	const struct ddb *dst;		/* write side */
	const char *dst_table;
	const struct table_desc *dst_desc;
	const struct ddb *lookup;	/* prune: the source the target's keys are checked against */
	const char *lookup_table;
	const struct table_desc *lookup_desc;
	int segments;			/* scan stages */
	const struct selection *sel;	/* data stages: the items worked on (NULL: all) */
	const struct transform *xf;	/* copy, export, import: applied to each item (NULL: none) */
	const struct mask_key *mask_key;	/* when xf masks */
	uint64_t estimate;		/* items, from DescribeTable */
	int destructive;		/* needs confirmation */
	int optional;			/* planned or not by the tables' state (create, backup, prune):
					 * a checkpoint being resumed may lack it */
	int finish_only;		/* create: the table exists (an interrupted run made it): finish its setup */
	char what[2048];		/* one line for --dry-run and the prompt */
	const char *arg;		/* backup ARN, file name, ... */
	void *job_ctx;			/* for custom stages (export/import) */
	const struct sink_ops *sink;	/* export: the file sink */
	const char *(*file_next)(void *ctx, struct slice *item, struct errbuf *eb);
	/*
	 * Called just before the stage runs (not when it is skipped), for what
	 * it needs from the stages before it: 0, or -1 with p->params.eb set.
	 */
	int (*prepare)(struct plan *p, struct stage *s);
	void *prepare_arg;		/* for prepare */
	/*
	 * STAGE_CUSTOM: the step itself (DynamoDB's own export, PITR, an
	 * export's files loaded one by one): 0, or -1 with eb set. ck_stage:
	 * its stage in the checkpoint (-1: none); its units are s->segments.
	 */
	int (*run)(struct plan *p, struct stage *s, int ck_stage);
	enum custom_kind custom;	/* STAGE_CUSTOM: what it calls (dynamo policy) */
	struct stage_query query;	/* STAGE_QUERY */
	/* Export and import stages: where in S3 (borrowed); NULL: arg's s3:// URL says. */
	const char *s3_bucket;
	const char *s3_prefix;		/* a key prefix, "" for the whole bucket */

	/* results */
	struct job_counters c;
	double seconds;
	int skipped;			/* done by an earlier run (checkpoint) */
	char result[512];		/* e.g. the backup's ARN */
	int has_lag;			/* follow: lag_s is the lag when it stopped */
	double lag_s;
	int sample_first, sample_count;	/* diff --sample: the segments read (count 0: all) */
};

#define PLAN_MAX_STAGES 10

struct plan {
	const char *command;
	struct plan_params params;	/* the command's, copied by plan_init */
	struct stage st[PLAN_MAX_STAGES];
	int n;
	int concurrency;
	struct rate_limiter read_rate, write_rate;
	struct checkpoint *ck;
	uint64_t started_us;
	const char *saved_word;		/* how the summary names items sent to a sink ("saved") */
	/*
	 * The accounts the job reads and writes, for the checkpoint's identity
	 * (set by commands whose stages depend on the tables' state; otherwise
	 * taken from the stages).
	 */
	const struct ddb *source, *target;
	/*
	 * Called after every stage succeeded and before the summary, for the
	 * work that can still fail the run (closing an export file, flushing
	 * query output): the summary and --json must report that failure.
	 */
	int (*finish)(struct plan *p, void *arg);
	void *finish_arg;
	char warnings[4][512];		/* plan_warn: the first few */
	int nwarnings;
	struct cost_compare cost;	/* a whole-table copy's two ways, for the dry run */
	int has_cost;
	/*
	 * Optional: what the command adds to the summary line (line, before
	 * its end) and to the --json object (json), e.g. diff's counts.
	 */
	void (*summary_extra)(const struct plan *p, struct buf *line, cJSON *json, void *arg);
	void *summary_arg;
	/* What a runtime failure exits with (0: EXIT_FAILURE_RUNTIME; diff: 1 says "different"). */
	int runtime_exit;
};

void plan_init(struct plan *p, const struct plan_params *params, const char *command);
void plan_release(struct plan *p);
struct stage *plan_add(struct plan *p, enum stage_kind kind, const char *name);
/* The dry run of a whole-table copy also prints what it costs two ways (cost.h). */
void plan_set_cost(struct plan *p, const struct cost_input *in);

/* A table on one side: its account, its name and its description. */
struct table_ref {
	const struct ddb *d;
	const char *name;
	const struct table_desc *desc;
};

/* A stage that reads from one table and writes to another (copy, query copy). */
struct stage *plan_add_copy(struct plan *p, enum stage_kind kind, const char *name,
			    struct table_ref from, struct table_ref to);
/*
 * After ImportTable created to (copy --via): the setup ImportTable cannot
 * give it, read from from (TTL, point-in-time recovery, tags, stream,
 * deletion protection); what cannot be set is a warning.
 */
struct stage *plan_add_setup_imported(struct plan *p, struct table_ref from, struct table_ref to);
/* A destructive stage over one table: truncate, or a prune of it against source. */
struct stage *plan_add_truncate(struct plan *p, struct table_ref t, int segments);
struct stage *plan_add_prune(struct plan *p, enum stage_kind kind,
			     struct table_ref target, struct table_ref source,
			     int segments);

/*
 * Confirms, then runs every stage, then prints the summary (one line on
 * stderr; a JSON object on stdout with --json; Markdown in
 * $GITHUB_STEP_SUMMARY when set). With --dry-run, prints the plan instead.
 */
int plan_run(struct plan *p);

/*
 * Opens --checkpoint while the command plans (it needs p->source and
 * p->target set): a command whose plan depends on what an interrupted run
 * did asks plan_resumed_stage. 0, or -1 with params.eb set (a
 * checkpoint of another job). Without --checkpoint, does nothing.
 */
int plan_peek_checkpoint(struct plan *p);
/* A stage of the run being resumed: 1 done, 0 not done, -1 not recorded (or not resuming). */
int plan_resumed_stage(struct plan *p, const char *name);
/*
 * Something the run could not do and goes on without (the source's TTL
 * could not be read): a warning now, and in the summary line, --json and
 * the step summary.
 */
void plan_warn(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A failure no run summary covered (a missing table, a bad profile): with
 * json an {"ok":false,"error":msg,"exit_code":code} object on stdout, and
 * with step_summary (the run wrote none) the error on the GitHub Actions
 * step summary page when there is one.
 */
void plan_report_failure(const char *command, const char *msg, int code, int json,
			 int step_summary);

/*
 * Adds "selection": {pk_prefix, filter, ...} to a stage's JSON when it
 * selects, and "transforms": {set, remove, mask, rename_prefix} when it
 * transforms (never the mask key).
 */
void plan_stage_fields_json(const struct stage *st, cJSON *x);

/*
 * Sends the selection once, as the job will (Limit 1, Select COUNT), so
 * that a filter DynamoDB rejects is reported with DynamoDB's message before
 * any stage runs. where names the side ("profile 'prod' (...)"). 0, or -1
 * with eb set. Does nothing when the selection takes every item.
 */
int plan_probe_selection(const struct ddb *d, const char *table, const char *index,
			 const struct selection *s, const char *where, struct errbuf *eb);

/*
 * copy --follow (src/plan/follow.c): the source's stream applied to the
 * target after the snapshot. follow_plan_check refuses, before anything
 * is written, a source whose stream cannot feed a follower (none, or
 * without new images) unless --enable-stream can give it one.
 */
struct follow_plan;
struct streams;
/* How copy --follow follows (its flags). */
struct follow_params {
	uint64_t for_ms;	/* --follow-for: stop after this long; 0: no limit */
	int until_caught_up;	/* stop once less than a second behind */
	int enable_stream;	/* a source without a stream gets one (a stage before the others) */
	int by_index;		/* the copy selects through an index: refused */
	int some_keys;		/* the copy selects --pk values: only their changes are followed */
};
/* 0, or -1 with eb set. */
int follow_plan_check(const struct follow_params *fo, const struct table_desc *src,
		      const char *where, struct errbuf *eb);
/*
 * api: the source's stream API (the caller's, outliving the plan); src: its
 * table; fo: copied.
 */
struct follow_plan *follow_plan_new(struct streams *api, struct ddb *src,
				    const struct table_desc *sd, struct table_ref dst,
				    const struct selection *sel, const struct follow_params *fo);
void follow_plan_free(struct follow_plan *fp);
/* The --enable-stream stage, when the source has no stream: before any other stage. */
void plan_add_enable_stream(struct plan *p, struct follow_plan *fp);
/* Positions taken just before copy's scan, and the follow stage after every other. */
void plan_add_follow(struct plan *p, struct follow_plan *fp, struct stage *copy);
/* For stages.c. */
int stage_enable_stream(struct plan *p, struct stage *s);
int stage_follow(struct plan *p, struct stage *s, int ck_stage);

/* Defaults from the table's size (measured: see README's performance section). */
int plan_default_segments(const struct table_desc *t);
/* The same for a scan whose items are written: at least 64 segments (see plan.c). */
int plan_write_segments(const struct table_desc *t);
int plan_default_concurrency(int segments);
/* Whether a table holds any item (one keys-only Scan with Limit 1). */
int plan_table_empty(const struct ddb *d, const struct table_desc *t,
		     int *empty, struct errbuf *eb);

/*
 * dynamo policy: the IAM policy the plan's stages need, one statement per
 * side, on stdout (policy.c). policy_print_simple is the same for the
 * commands without a plan: describe (table), tables, backups.
 */
void plan_print_policy(const struct plan *p);
void policy_print_simple(const struct ddb *d, const char *table, int describe, int tables,
			 int backups);

/*
 * A stage's sides for --json, the step summary and the dry run: the table
 * it reads (for a prune, the source its keys are checked against) and the
 * one it changes, each {table, profile, account, region, endpoint}.
 */
const struct ddb *stage_source(const struct stage *s);
const char *stage_source_table(const struct stage *s);
cJSON *plan_side_json(const struct ddb *d, const char *table);
void plan_stage_sides_json(const struct stage *s, cJSON *x);

#endif
