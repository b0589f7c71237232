#ifndef DYNAMO_CMD_H
#define DYNAMO_CMD_H

#include "dynamo/ddb.h"
#include "dynamo/options.h"
#include "dynamo/profile.h"

/* What every command gets from main: the parsed flags and the AWS config. */
struct ctx {
	struct options o;
	struct aws_config cfg;
	int stdin_tty;		/* may prompt */
	int stderr_tty;		/* may draw progress */
	struct errbuf eb;	/* the command's failure, reported by main */
	int json_done;		/* --json: the result object is out (main adds none) */
	int summary_done;	/* the GitHub step summary is written */
	int policy;		/* dynamo policy COMMAND: print the IAM policy instead of running */
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx);
	const int *opts;	/* flags it takes, 0-terminated */
	const char *synopsis;	/* "-t TABLE -e PROFILE [options]" */
	const char *summary;
};

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
/* A JSON value on one line of stdout: what --json prints. */
void print_json_line(const cJSON *v);
/* The same, indented for people (describe --json). */
void print_json_indented(const cJSON *v);
/* Requires -t/--table (and checks the name). */
int ctx_need_table(struct ctx *ctx);
/*
 * Asks before a destructive step. On a terminal, prompts with what (the
 * thing to be destroyed) and wants "y"; elsewhere refuses unless --yes.
 * Returns 0 to go ahead, -1 (eb set, EXIT_REFUSED) otherwise.
 */
int ctx_confirm(struct ctx *ctx, const char *what);

/*
 * A failure no run summary covered (a missing table, a bad profile): with
 * --json an {"ok":false,"error":...,"exit_code":N} object on stdout, and
 * under GitHub Actions the error on the step summary page.
 */
void summary_failure(struct ctx *ctx, const char *command, int code);

/* Checks --pk/--sk/--index/--pk-type against the table's key schema. */
int query_keys_check(struct ctx *ctx, const struct table_desc *t);

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

#endif
