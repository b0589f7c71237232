#ifndef DYNAMO_CMD_H
#define DYNAMO_CMD_H

#include "dynamo/arn.h"
#include "dynamo/ddb.h"
#include "dynamo/json_print.h"
#include "dynamo/options.h"
#include "dynamo/plan.h"
#include "dynamo/profile.h"
#include "dynamo/selection.h"
#include "dynamo/transform.h"

/* What every command gets from main: the parsed flags and the AWS config. */
struct ctx {
	struct options o;
	struct aws_config cfg;
	int stdin_tty;		/* may prompt */
	int stderr_tty;		/* may draw progress */
	struct errbuf eb;	/* the command's failure, reported by main */
	int json_done;		/* --json: the result object is out (main adds none) */
	int summary_done;	/* the GitHub step summary is written */
	char **args;		/* the arguments that are not flags (summary merge FILE...) */
	int nargs;
	/* -t and --target-table given as table ARNs (ctx_need_table, ctx_target_table) */
	struct table_arn arn, target_arn;
	int has_arn, has_target_arn;
	int policy;		/* dynamo policy COMMAND: print the IAM policy instead of running */
	int exit_code;		/* a command that succeeded with a status to tell (diff: 1, different) */
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx);
	const int *opts;	/* flags it takes, 0-terminated */
	const char *synopsis;	/* "-t TABLE -e PROFILE [options]" */
	const char *summary;
};

/*
 * Opens the two sides of a copy, diff or sync: --source (default --profile)
 * and --target (default the source), each with its region and endpoint
 * flags, and a table ARN's region. Sets *src_open, *dst_open as each opens
 * (the caller closes them, also on failure).
 */
int ctx_open_sides(struct ctx *ctx, struct ddb *src, int *src_open, struct ddb *dst,
		   int *dst_open);
/* Opens the side named by a profile flag (NULL: the default profile). */
int ctx_open(struct ctx *ctx, struct ddb *d, const char *profile,
	     const char *region, const char *endpoint_url);
struct streams;
/* Opens the stream API of side d, opened with endpoint_url (see streams_open). */
int ctx_open_streams(struct ctx *ctx, const struct ddb *d, const char *endpoint_url,
		     struct streams *api);
/*
 * Opens the side named by -e/--region/--endpoint-url and describes
 * -t/--table in it; on failure nothing is left open. ctx_close_table
 * undoes it.
 */
int ctx_open_table(struct ctx *ctx, struct ddb *d, struct table_desc *t);
void ctx_close_table(struct ddb *d, struct table_desc *t);
struct item_reader;
/*
 * The next item of an import file, refused here, naming its line, when
 * DynamoDB would refuse its key: in a batch of 25 the refusal would name no
 * item and stop the other 24.
 */
const char *file_item_next(struct item_reader *rd, const struct table_desc *t,
			   const char *file, struct slice *item, struct errbuf *eb);
/*
 * Requires -t/--table and checks it: a table name, or a table ARN (kept in
 * ctx->arn: DynamoDB takes the ARN as the table's name, and the side that
 * reads it takes the ARN's region).
 */
int ctx_need_table(struct ctx *ctx);
/* The same for --target-table of copy (ctx->target_arn); a missing one is fine. */
int ctx_target_table(struct ctx *ctx);
/* For commands that take a name only (restore, backups): an ARN is refused. */
int ctx_table_name_only(struct ctx *ctx, const char *command);
/*
 * The region of a side reading a table: the ARN's when the table is one
 * (then a different --region flag, region_flag, is a usage error), else
 * region_flag. -1 with eb set on a conflict.
 */
int ctx_arn_region(struct ctx *ctx, const struct table_arn *arn, int has_arn,
		   const char *flag, const char *region_flag, const char **region);

/*
 * A failure no run summary covered (a missing table, a bad profile): with
 * --json an {"ok":false,"error":...,"exit_code":N} object on stdout, and
 * under GitHub Actions the error on the step summary page.
 */
void summary_failure(struct ctx *ctx, const char *command, int code);

/*
 * The planner's parameters from the flags and the context (plan_params.c):
 * errors go to ctx->eb, and ctx->json_done / summary_done say what the
 * plan printed. ctx_plan_init fills them and starts the plan.
 */
void ctx_plan_params(struct ctx *ctx, struct plan_params *pp);
void ctx_plan_init(struct ctx *ctx, struct plan *p, const char *command);
struct plan_diff;
/* A comparison's flags: --format full, --output jsonl, --sample (before plan_add_diff). */
void ctx_diff_flags(struct ctx *ctx, struct plan_diff *d);

/* Checks --pk/--sk/--index/--pk-type against the table's key schema. */
int query_keys_check(struct ctx *ctx, const struct table_desc *t);

/*
 * The selection the flags make (--pk, --pk-prefix, --sk..., --filter,
 * --names, --values), bound to the key schema of the table or of --index.
 * s is initialised here, also on failure: release it with selection_release.
 */
int ctx_selection(struct ctx *ctx, struct selection *s, const struct table_desc *t);

/*
 * The transforms the flags make (--set, --remove, --mask, --rename-prefix,
 * in their order), bound to the table the items go to (td), and the mask
 * key when they mask (--mask-key-file, else $DYNAMO_MASK_KEY). t and key
 * are initialised here, also on failure: release them with
 * ctx_transform_release.
 */
int ctx_transform(struct ctx *ctx, struct transform *t, struct mask_key *key,
		  const struct table_desc *td);
void ctx_transform_release(struct transform *t, struct mask_key *key);
/* "; set 'env' to ..., mask 'email'" for a stage's description ("" without transforms). */
void ctx_describe_transform(const struct transform *t, char *out, size_t n);

/* A table and the selection the flags make on it: what count, export and truncate read. */
struct selected_table {
	struct ddb d;
	struct table_desc t;
	struct selection sel;
	char where[512];	/* ddb_where of d */
	char text[1024];	/* the selection for people ("" for every item) */
};

/*
 * Opens -t/--table (ctx_open_table) and binds the selection to it, then
 * has DynamoDB judge the selection once (plan_probe_selection), before any
 * plan runs. 0, or -1 with ctx->eb set and nothing left open.
 */
int ctx_open_selected(struct ctx *ctx, struct selected_table *st);
void ctx_close_selected(struct selected_table *st);

/* Commands, one file each under src/cmd/. */
int cmd_tables(struct ctx *ctx);
int cmd_describe(struct ctx *ctx);
/* dynamo policy for describe, tables and backups (the others print it from their plan). */
int cmd_policy_simple(struct ctx *ctx, const char *command);
int cmd_copy(struct ctx *ctx);
int cmd_truncate(struct ctx *ctx);
int cmd_restore(struct ctx *ctx);
int cmd_backups(struct ctx *ctx);
int cmd_query(struct ctx *ctx);
int cmd_export(struct ctx *ctx);
int cmd_import(struct ctx *ctx);
int cmd_summary(struct ctx *ctx);
int cmd_count(struct ctx *ctx);
int cmd_diff(struct ctx *ctx);
int cmd_sync(struct ctx *ctx);

#endif
