#ifndef DYNAMO_OPTIONS_H
#define DYNAMO_OPTIONS_H

#include <stdint.h>
#include "dynamo/opt.h"

/*
 * Every flag dynamo knows; commands pick theirs (see main.c). The parsed
 * command line is the commands' input, so it belongs to their layer
 * (src/cmd/options.c): the planner below never sees it, and gets what it
 * needs as struct plan_params (src/cmd/plan_params.c).
 */
enum opt_id {
	OPT_PROFILE = 256, OPT_REGION, OPT_ENDPOINT_URL, OPT_DEBUG, OPT_QUIET,
	OPT_JSON, OPT_YES, OPT_DRY_RUN, OPT_NO_VERIFY_SSL, OPT_CA_BUNDLE,
	OPT_CONNECT_TIMEOUT, OPT_TIMEOUT, OPT_MAX_RETRIES, OPT_HELP,
	OPT_TABLE, OPT_TARGET_TABLE, OPT_SOURCE, OPT_TARGET,
	OPT_SOURCE_REGION, OPT_TARGET_REGION, OPT_SOURCE_ENDPOINT,
	OPT_TARGET_ENDPOINT, OPT_PK, OPT_SK, OPT_INDEX, OPT_PK_TYPE,
	OPT_SEGMENTS, OPT_CONCURRENCY, OPT_NO_BACKUP, OPT_NO_TRUNCATE,
	OPT_CREATE_TARGET, OPT_CHECKPOINT, OPT_MAX_RCU, OPT_MAX_WCU,
	OPT_FROM_TABLE, OPT_KEEP_SOURCE, OPT_BACKUP_ARN, OPT_BACKUP_NAME,
	OPT_FROM_FILE, OPT_UNIQUE, OPT_HEAD, OPT_LIMIT, OPT_DESC, OPT_COUNT,
	OPT_OUTPUT, OPT_CONSISTENT, OPT_EXPORT_FILE, OPT_IMPORT_FILE,
	OPT_PROGRESS, OPT_STRICT, OPT_NUMBERS, OPT_BILLING, OPT_PROGRESS_INTERVAL, OPT_TO, OPT_AT,
	OPT_ENABLE_PITR, OPT_S3_BUCKET_OWNER, OPT_FROM, OPT_LIKE, OPT_SCHEMA, OPT_POINT_IN_TIME,
	OPT_SLICE, OPT_PREPARE_ONLY, OPT_FROM_TIME, OPT_TO_TIME,
	OPT_NO_MANIFEST, OPT_VIA,
	OPT_PK_PREFIX, OPT_FILTER, OPT_NAMES, OPT_VALUES, OPT_SK_EQ, OPT_SK_LT,
	OPT_SK_LE, OPT_SK_GT, OPT_SK_GE, OPT_SK_BETWEEN, OPT_SET, OPT_REMOVE,
	OPT_MASK, OPT_MASK_KEY_FILE, OPT_RENAME_PREFIX,
	OPT_FOLLOW, OPT_FOLLOW_FOR, OPT_UNTIL_CAUGHT_UP, OPT_ENABLE_STREAM,
	OPT_FORMAT, OPT_SAMPLE, OPT_DELETE, OPT_VERIFY,
};

enum output_format { OUTPUT_DDB, OUTPUT_JSON, OUTPUT_JSONL };

#define MAX_PK_VALUES 256
#define MAX_TRANSFORMS 256

/*
 * The parsed command line. Strings point into argv. Zero means "not given"
 * (commands choose defaults from the table, e.g. segments).
 */
struct options {
	/* every command */
	const char *profile;		/* -e/--profile/--env */
	const char *region;
	const char *endpoint_url;
	int debug, quiet, json, yes, dry_run, no_verify_ssl, help;
	int progress;			/* --progress: force the progress display */
	const char *ca_bundle;
	uint64_t connect_timeout_ms, timeout_ms;
	int max_retries;		/* -1: default */

	/* tables and sides */
	const char *table, *target_table;
	const char *source, *target;
	const char *source_region, *target_region;
	const char *source_endpoint, *target_endpoint;

	/* items */
	const char *pk[MAX_PK_VALUES];	/* brace ranges already expanded */
	int npk;
	char *pk_owned[MAX_PK_VALUES];	/* expansions we allocated */
	int npk_owned;
	const char *sk;
	const char *index;
	char pk_type;			/* --pk-type: 'S', 'N', 'B', or 0 when not given */
	const char *pk_prefix;		/* --pk-prefix */
	int sk_op;			/* --sk-eq ... --sk-between: enum sk_op (selection.h), 0 = none */
	const char *sk_values[2];	/* its value(s) */
	int nsk_values;
	const char *filter;		/* --filter: a FilterExpression, as DynamoDB reads it */
	const char *names, *values;	/* --names, --values: JSON, or @FILE */

	/* transforms: --set, --remove, --mask, --rename-prefix, in command-line order */
	struct { int id; const char *value; } xf[MAX_TRANSFORMS];
	int nxf;
	const char *mask_key_file;

	/* jobs */
	int segments, concurrency;
	int no_backup, no_truncate, create_target, keep_source;
	int strict;			/* --strict: what cannot be copied fails the run */
	int follow;			/* copy --follow: then apply the source's stream */
	int until_caught_up;		/* --until-caught-up: stop following once caught up */
	int enable_stream;		/* --enable-stream: give the source a stream to follow */
	uint64_t follow_for_ms;		/* --follow-for: stop following after this long (0: no limit) */
	const char *checkpoint;
	double max_rcu, max_wcu;
	const char *from_table, *backup_arn, *backup_name, *from_file;
	const char *file;		/* export -o / import -i */

	/* DynamoDB's own export and import (S3) */
	const char *to;			/* export --to s3://BUCKET/PREFIX */
	const char *via;		/* copy --via s3://BUCKET/PREFIX: DynamoDB's export, then import */
	double at;			/* --at: seconds since the epoch; 0: not given */
	double from_time, to_time;	/* export --from/--to-time: an incremental export's window */
	int enable_pitr;
	const char *s3_bucket_owner;
	const char *from;		/* import --from s3://...: DynamoDB's ImportTable */
	const char *like, *schema;	/* its new table's schema: a table, or describe --json output */
	int no_manifest;		/* import: an export without its manifest files */
	double point_in_time;		/* restore --point-in-time: seconds since the epoch */
	int point_in_time_set;		/* given; point_in_time 0 means "latest" */

	/* runs over several machines */
	int slice_i, slice_k;		/* --slice I/K: 1 <= I <= K; 0/0 when not given */
	int prepare_only;		/* --prepare-only: the one-time steps, for slices to follow */

	/* query output */
	const char *unique;
	int head, desc, count, consistent;
	uint64_t limit;
	int output;			/* enum output_format */
	int output_set;
	int numbers_as_strings;		/* --numbers string */
	uint64_t progress_interval_ms;	/* --progress-interval; 0: the default */
	int billing;			/* --billing: 0 the source's, BILLING_ON_DEMAND or BILLING_PROVISIONED */

	/* diff, sync, copy --verify */
	int format_full;		/* --format full: the changed attributes too */
	double sample;			/* --sample F: 0 < F <= 1; 0 when not given */
	int delete_extras;		/* sync --delete */
	int verify;			/* copy --verify */
};

extern const struct opt_def dynamo_opts[];

void options_init(struct options *o);
void options_release(struct options *o);
/* The setter opt_parse calls; validates each value strictly. */
int options_set(int id, const char *flag, const char *value, void *o,
		struct errbuf *eb);
/* Expands "USER#S{0..3}" into o->pk (exposed for tests). */
int options_add_pk(struct options *o, const char *value, struct errbuf *eb);
/*
 * The arguments left after the flags, when with the last --pk value they
 * are one numeric brace range the shell expanded (--pk USER#S{0..3}
 * unquoted): taken as --pk values, returning 1. 0 when they are not; -1
 * (eb set) when there are too many values.
 */
int options_take_expanded_pk(struct options *o, char **rest, int nrest,
			     struct errbuf *eb);

#endif
