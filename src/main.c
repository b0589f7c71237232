/*
 * dynamo: copy, truncate, restore and query DynamoDB tables.
 *
 * main parses the command line against the command table below, sets up what
 * every command shares (messages, the request engine's settings, the AWS
 * config files) and dispatches. Only main and the command entry points
 * decide exit codes.
 */
#include "dynamo/buf.h"
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/http.h"
#include "dynamo/msg.h"
#include "dynamo/options.h"
#include "dynamo/parse.h"
#include "dynamo/progress.h"
#include "dynamo_version.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GLOBAL_OPTS OPT_PROFILE, OPT_REGION, OPT_ENDPOINT_URL, OPT_DEBUG, \
	OPT_QUIET, OPT_NO_VERIFY_SSL, OPT_CA_BUNDLE, OPT_CONNECT_TIMEOUT, \
	OPT_TIMEOUT, OPT_MAX_RETRIES, OPT_HELP

/* Jobs that scan and write: copy, truncate, restore. */
#define JOB_OPTS OPT_SEGMENTS, OPT_CONCURRENCY, OPT_MAX_RCU, OPT_MAX_WCU, \
	OPT_CHECKPOINT, OPT_YES, OPT_DRY_RUN, OPT_JSON, OPT_PROGRESS, OPT_PROGRESS_INTERVAL

/* Which items: every data command that reads a table takes them. */
#define SK_OPTS OPT_SK_EQ, OPT_SK_LT, OPT_SK_LE, OPT_SK_GT, OPT_SK_GE, OPT_SK_BETWEEN
#define SELECT_OPTS OPT_PK_PREFIX, SK_OPTS, OPT_FILTER, OPT_NAMES, OPT_VALUES

/* What is done to each item on its way: copy, export, import. */
#define XFORM_OPTS OPT_SET, OPT_REMOVE, OPT_MASK, OPT_MASK_KEY_FILE, OPT_RENAME_PREFIX

static const int tables_opts[] = { OPT_JSON, GLOBAL_OPTS, 0 };
static const int describe_opts[] = { OPT_TABLE, OPT_JSON, GLOBAL_OPTS, 0 };
static const int copy_opts[] = {
	OPT_TABLE, OPT_SOURCE, OPT_TARGET, OPT_TARGET_TABLE, OPT_PK, OPT_SK,
	SELECT_OPTS, XFORM_OPTS, OPT_INDEX, OPT_PK_TYPE, OPT_NO_BACKUP, OPT_NO_TRUNCATE,
	OPT_CREATE_TARGET, OPT_BILLING, OPT_STRICT, OPT_SOURCE_REGION, OPT_TARGET_REGION, OPT_SOURCE_ENDPOINT,
	OPT_TARGET_ENDPOINT, OPT_SLICE, OPT_PREPARE_ONLY, OPT_FOLLOW, OPT_FOLLOW_FOR, OPT_UNTIL_CAUGHT_UP,
	OPT_ENABLE_STREAM, OPT_VERIFY, OPT_VIA, OPT_ENABLE_PITR, OPT_S3_BUCKET_OWNER, OPT_NO_MANIFEST,
	JOB_OPTS, GLOBAL_OPTS, 0
};
static const int truncate_opts[] = { OPT_TABLE, SELECT_OPTS, OPT_SLICE, OPT_PREPARE_ONLY, JOB_OPTS, GLOBAL_OPTS, 0 };
static const int restore_opts[] = {
	OPT_TABLE, OPT_FROM_TABLE, OPT_KEEP_SOURCE, OPT_BACKUP_ARN,
	OPT_BACKUP_NAME, OPT_FROM_FILE, OPT_POINT_IN_TIME, OPT_TARGET_TABLE, OPT_NO_BACKUP,
	JOB_OPTS, GLOBAL_OPTS, 0
};
static const int backups_opts[] = { OPT_TABLE, OPT_JSON, GLOBAL_OPTS, 0 };
/* An export only reads and does not resume; an import resumes from S3 only. */
static const int export_opts[] = {
	OPT_TABLE, OPT_EXPORT_FILE, OPT_TO, OPT_AT, OPT_FROM_TIME, OPT_TO_TIME, OPT_ENABLE_PITR,
	OPT_S3_BUCKET_OWNER, OPT_YES, OPT_SLICE, SELECT_OPTS, XFORM_OPTS, OPT_SEGMENTS, OPT_CONCURRENCY,
	OPT_MAX_RCU, OPT_DRY_RUN, OPT_JSON, OPT_PROGRESS, OPT_PROGRESS_INTERVAL, GLOBAL_OPTS, 0
};
static const int import_opts[] = {
	OPT_TABLE, OPT_IMPORT_FILE, OPT_NO_MANIFEST, OPT_CHECKPOINT, OPT_FROM, OPT_CREATE_TARGET,
	OPT_LIKE, OPT_SCHEMA, OPT_SOURCE, OPT_S3_BUCKET_OWNER, XFORM_OPTS, OPT_CONCURRENCY, OPT_MAX_WCU, OPT_YES,
	OPT_DRY_RUN, OPT_JSON, OPT_PROGRESS, OPT_PROGRESS_INTERVAL, GLOBAL_OPTS, 0
};
static const int summary_opts[] = { OPT_JSON, OPT_QUIET, OPT_HELP, 0 };
static const int policy_opts[] = { OPT_HELP, 0 };
static const int query_opts[] = {
	OPT_TABLE, OPT_PK, OPT_SK, OPT_INDEX, OPT_PK_TYPE, OPT_UNIQUE, OPT_HEAD,
	OPT_LIMIT, OPT_DESC, OPT_COUNT, OPT_OUTPUT, OPT_NUMBERS, OPT_CONSISTENT, SK_OPTS,
	OPT_FILTER, OPT_NAMES, OPT_VALUES, OPT_CONCURRENCY, GLOBAL_OPTS, 0
};

static const int count_opts[] = {
	OPT_TABLE, OPT_PK, OPT_SK, OPT_INDEX, OPT_PK_TYPE, SELECT_OPTS, OPT_SEGMENTS,
	OPT_CONCURRENCY, OPT_MAX_RCU, OPT_DRY_RUN, OPT_JSON, OPT_PROGRESS,
	OPT_PROGRESS_INTERVAL, GLOBAL_OPTS, 0
};

/* diff and sync read both sides; sync writes like copy (no transforms, no backup). */
static const int diff_opts[] = {
	OPT_TABLE, OPT_SOURCE, OPT_TARGET, OPT_TARGET_TABLE, OPT_PK, OPT_SK, SELECT_OPTS, OPT_INDEX,
	OPT_PK_TYPE, OPT_SOURCE_REGION, OPT_TARGET_REGION, OPT_SOURCE_ENDPOINT, OPT_TARGET_ENDPOINT,
	OPT_FORMAT, OPT_OUTPUT, OPT_SAMPLE, OPT_SLICE, OPT_SEGMENTS, OPT_CONCURRENCY, OPT_MAX_RCU,
	OPT_CHECKPOINT, OPT_DRY_RUN, OPT_JSON, OPT_PROGRESS, OPT_PROGRESS_INTERVAL, GLOBAL_OPTS, 0
};
static const int sync_opts[] = {
	OPT_TABLE, OPT_SOURCE, OPT_TARGET, OPT_TARGET_TABLE, OPT_PK, OPT_SK, SELECT_OPTS, OPT_INDEX,
	OPT_PK_TYPE, OPT_SOURCE_REGION, OPT_TARGET_REGION, OPT_SOURCE_ENDPOINT, OPT_TARGET_ENDPOINT,
	OPT_DELETE, OPT_NO_BACKUP, OPT_FORMAT, OPT_OUTPUT, OPT_SLICE, OPT_PREPARE_ONLY, JOB_OPTS, GLOBAL_OPTS, 0
};

static const struct command commands[] = {
	{ "copy", cmd_copy, copy_opts,
	  "-t TABLE [--source PROFILE] [--target PROFILE] [--pk VALUE [--sk PREFIX] [-i INDEX]] [options]",
	  "copy a table, or the items of some partition keys, to another account, region or table" },
	{ "diff", cmd_diff, diff_opts,
	  "-t TABLE [--source PROFILE] [--target PROFILE] [--target-table TABLE] [selection] [options]",
	  "show the items that differ between two tables (exit 0 equal, 1 different)" },
	{ "sync", cmd_sync, sync_opts,
	  "-t TABLE [--source PROFILE] [--target PROFILE] [--target-table TABLE] [--delete] [options]",
	  "make the target equal the source, writing only the items that differ" },
	{ "query", cmd_query, query_opts, "-t TABLE [-e PROFILE] --pk VALUE [--sk PREFIX] [-i INDEX] [options]",
	  "query a table or index by partition key (several keys are merged in sort order)" },
	{ "count", cmd_count, count_opts, "-t TABLE [-e PROFILE] [--pk-prefix PREFIX | --pk VALUE] [--filter EXPR] [options]",
	  "count the items of a table, or of a selection, with a parallel COUNT scan" },
	{ "truncate", cmd_truncate, truncate_opts, "-t TABLE [-e PROFILE] [options]",
	  "delete every item of a table" },
	{ "restore", cmd_restore, restore_opts,
	  "-t TABLE [-e PROFILE] (--from-table TABLE | --backup-arn ARN | --backup-name NAME | --from-file FILE | --point-in-time TIME --target-table NEW) [options]",
	  "restore a table from a copy, an on-demand backup, an export file, or a point in time into a new table" },
	{ "export", cmd_export, export_opts, "-t TABLE [-e PROFILE] (-o FILE | --to s3://BUCKET/PREFIX) [options]",
	  "write a table to DynamoDB JSON lines (gzip for .gz), or export it to S3 with DynamoDB's own export" },
	{ "import", cmd_import, import_opts,
	  "-t TABLE [-e PROFILE] (-i FILE|s3://BUCKET/PREFIX/AWSDynamoDB/ID/ | --from s3://... --create-target (--like TABLE | --schema FILE)) [options]",
	  "write the items of an export file, DynamoDB JSON lines or a DynamoDB export in S3 into a table" },
	{ "backups", cmd_backups, backups_opts, "-t TABLE [-e PROFILE] [options]",
	  "list a table's on-demand backups" },
	{ "tables", cmd_tables, tables_opts, "[-e PROFILE] [options]",
	  "list the tables of an account and region" },
	{ "describe", cmd_describe, describe_opts, "-t TABLE [-e PROFILE] [options]",
	  "show a table's keys, indexes, item count, size and billing mode" },
	{ "summary", cmd_summary, summary_opts, "merge FILE... [options]",
	  "add up the --json results of a job's slices (--slice I/K) into one" },
	{ "policy", NULL, policy_opts, "COMMAND [its flags]",
	  "print the least-privilege IAM policy that command line needs" },
	{ NULL, NULL, NULL, NULL, NULL }
};

static const struct command *find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: dynamo COMMAND [options]\n\n"
		     "Copy, truncate, restore and query DynamoDB tables across accounts.\n\n"
		     "commands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'dynamo help COMMAND' or 'dynamo COMMAND --help' shows a command's flags;\n"
		     "'man dynamo' has the details, examples and exit codes.\n");
}

static void command_help(const struct command *c)
{
	printf("usage: dynamo %s %s\n\n%s.\n\noptions:\n", c->name, c->synopsis,
	       c->summary);
	opt_print_help(stdout, dynamo_opts, c->opts);
}

static void version(void)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("dynamo %s (libcurl %s, %s, cJSON %s)\n", DYNAMO_VERSION,
	       cv->version, OpenSSL_version(OPENSSL_VERSION), cJSON_Version());
}

/* ---- process setup ---- */

static void on_signal(int sig)
{
	/* A second signal stops at once. */
	if (engine_stop)
		signal(sig, SIG_DFL), raise(sig);
	engine_stop = 1;
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit (ulimit -f) is a write error to report, not a death leaving a temporary. */
	signal(SIGXFSZ, SIG_IGN);
}

static int valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 :
			(*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;

		if (n < 0 || (n == 1 && *s < 0xc2))
			return 0;
		for (s++; n > 0; n--, s++)
			if ((*s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static int check_args(int argc, char **argv, struct errbuf *eb)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!valid_utf8((const unsigned char *)argv[i]))
			return errf(eb, EXIT_USAGE,
				    "argument %d is not valid UTF-8 (check the terminal's locale or the script's encoding)",
				    i);
	return 0;
}

static int apply_engine_options(const struct options *o, struct errbuf *eb)
{
	struct engine_config *g = &engine_global_config;
	const char *ca = getenv("AWS_CA_BUNDLE");
	const char *budget = getenv("DYNAMO_RETRY_BUDGET");	/* for experiments and tests */

	if (o->connect_timeout_ms)
		g->connect_timeout_ms = o->connect_timeout_ms;
	if (o->timeout_ms)
		g->timeout_ms = o->timeout_ms;
	if (o->max_retries >= 0)
		g->max_attempts = o->max_retries + 1;
	if (o->no_verify_ssl) {
		g->verify_ssl = 0;
		msg_warn("--no-verify-ssl: TLS certificates are not checked, so anyone on the network path can read and change this traffic");
	}
	if (o->ca_bundle)
		g->ca_bundle = o->ca_bundle;
	else if (ca && *ca)
		g->ca_bundle = ca;
	if (budget && *budget)
		return parse_duration_ms("DYNAMO_RETRY_BUDGET", budget, 100, 86400000,
					 &g->retry_budget_ms, eb);
	return 0;
}

/*
 * Flushes stdout; a failed write (full disk, closed pipe) is an error. errno
 * is cleared first: a write that failed earlier leaves ferror set with an
 * errno that says nothing ("cannot write the output: Success").
 */
static int finish_stdout(struct errbuf *eb)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno == EPIPE || errno == 0) {
		msg_output_closed();	/* the reader went away: stop quietly */
		return -1;
	}
	return errf(eb, EXIT_IO, "cannot write the output: %s", strerror(errno));
}

/*
 * Whether --json is on the command line, for a usage error found before the
 * parser reached it: a script asked for JSON and gets JSON either way.
 */
static int json_requested(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-json"))
			return 1;
	return 0;
}

/*
 * "dynamo -e prod tables": the flags came before the command. Says where
 * they go, with the command line rewritten when the command is there.
 */
static int flags_before_command(int argc, char **argv)
{
	struct buf line = BUF_INIT;
	int i, k;

	for (i = 2; i < argc && !find_command(argv[i]); i++)
		;
	if (i < argc) {
		buf_printf(&line, "dynamo %s", argv[i]);
		for (k = 1; k < argc; k++)
			if (k != i)
				buf_printf(&line, " %s", argv[k]);
		msg_error("flags go after the command: write '%s' (see 'dynamo %s --help')",
			  line.data, argv[i]);
		buf_release(&line);
		return EXIT_USAGE;
	}
	msg_error("'%s' is a flag, and flags go after the command: dynamo COMMAND [flags] (see 'dynamo --help')",
		  argv[1]);
	return EXIT_USAGE;
}

/* Commands that print what they read and plan nothing: policy_simple answers for them. */
static int plans_nothing(const struct command *cmd)
{
	return !strcmp(cmd->name, "tables") || !strcmp(cmd->name, "describe") ||
	       !strcmp(cmd->name, "backups");
}

static int run_command(const struct command *cmd, int argc, char **argv, int policy)
{
	struct ctx ctx;
	char **rest;
	int nrest, code = EXIT_OK;

	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = policy;
	options_init(&ctx.o);
	if (opt_parse(cmd->name, dynamo_opts, cmd->opts, argc, argv,
		      options_set, &ctx.o, &rest, &nrest, &ctx.eb) < 0) {
		ctx.o.json = json_requested(argc, argv);
		goto fail;
	}
	if (ctx.o.help) {
		command_help(cmd);
		goto out;
	}
	ctx.args = rest;
	ctx.nargs = nrest;
	/* Only 'summary merge FILE...' takes arguments that are not flags. */
	if (nrest > 0 && cmd->run != cmd_summary &&
	    options_take_expanded_pk(&ctx.o, rest, nrest, &ctx.eb) != 0) {
		if (ctx.eb.set)
			goto fail;
		nrest = 0;
	}
	if (nrest > 0 && cmd->run != cmd_summary) {
		errf(&ctx.eb, EXIT_USAGE,
		     "unexpected argument '%s' for '%s' (values go after flags, e.g. -t TABLE; quote a value with spaces or braces)",
		     rest[0], cmd->name);
		goto fail;
	}
	msg_debug_on = ctx.o.debug;
	msg_quiet = ctx.o.quiet;
	ctx.stdin_tty = isatty(0);
	ctx.stderr_tty = isatty(2);
	progress_enabled = !ctx.o.quiet && (ctx.o.progress || ctx.stderr_tty);
	/* Off a terminal (a CI log), a plain line now and then, not redraws. */
	progress_plain = !ctx.stderr_tty;
	if (ctx.o.progress_interval_ms)
		progress_interval_ms = ctx.o.progress_interval_ms;
	if (apply_engine_options(&ctx.o, &ctx.eb) < 0 ||
	    aws_config_load(&ctx.cfg, &ctx.eb) < 0)
		goto fail;
	/* The plan is built as for --dry-run, and printed as a policy. */
	if (policy && !plans_nothing(cmd))
		ctx.o.dry_run = 1;
	if ((policy && plans_nothing(cmd) ? cmd_policy_simple(&ctx, cmd->name) :
	     cmd->run(&ctx)) < 0) {
		aws_config_release(&ctx.cfg);
		goto fail;
	}
	aws_config_release(&ctx.cfg);
out:
	if (finish_stdout(&ctx.eb) < 0)
		goto fail;
	options_release(&ctx.o);
	return ctx.exit_code ? ctx.exit_code : code;
fail:
	fflush(stdout);
	code = ctx.eb.set ? errbuf_report(&ctx.eb) : EXIT_IO;
	if (ctx.eb.set)
		summary_failure(&ctx, cmd->name, code);
	options_release(&ctx.o);
	return code;
}

/*
 * Started with standard input, output or error closed (dynamo ... >&-),
 * the first file or socket opened would take that number, and the items
 * meant for stdout would go into it. Each closed one is held by /dev/null,
 * opened read-only, so that writing to it fails (EBADF) as on a closed one.
 */
static void hold_standard_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int got = open("/dev/null", O_RDONLY);

			if (got >= 0 && got != fd) {
				dup2(got, fd);
				close(got);
			}
		}
}

int main(int argc, char **argv)
{
	struct errbuf eb = ERRBUF_INIT;
	const struct command *cmd;
	const char *name;
	int code, policy;

	/*
	 * Page-sized buffers (1 MB scan pages, batch bodies) are freed and
	 * allocated all the time; keep them in the heap instead of handing them
	 * back to the kernel and faulting fresh zeroed pages in (measured: 15%
	 * of a copy's CPU went to clearing pages).
	 */
	hold_standard_fds();
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	engine_config_defaults(&engine_global_config);
	if (check_args(argc, argv, &eb) < 0)
		return errbuf_report(&eb);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		version();
		return EXIT_OK;
	}
	name = argv[1];
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!(cmd = find_command(argv[2]))) {
			msg_error("unknown command '%s' (see 'dynamo --help')", argv[2]);
			return EXIT_USAGE;
		}
		command_help(cmd);
		return EXIT_OK;
	}
	cmd = find_command(name);
	if (!cmd && name[0] == '-')
		return flags_before_command(argc, argv);
	if (!cmd) {
		msg_error("unknown command '%s' (see 'dynamo --help')", name);
		return EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		msg_error("cannot initialise libcurl");
		return EXIT_FAILURE_RUNTIME;
	}
	policy = !strcmp(name, "policy");
	if (policy) {
		const char *sub = argc > 2 ? argv[2] : NULL;

		if (sub && (!strcmp(sub, "--help") || !strcmp(sub, "-h"))) {
			command_help(cmd);
			return EXIT_OK;
		}
		if (!sub || !find_command(sub) || !strcmp(sub, "policy")) {
			msg_error("which command? write 'dynamo policy COMMAND' with its flags, e.g. 'dynamo policy copy -t orders --source prod --target staging'");
			return EXIT_USAGE;
		}
		cmd = find_command(sub);
		argc--, argv++;
	}
	setup_signals();
	code = run_command(cmd, argc - 1, argv + 1, policy);
	http_sync_cleanup();
	curl_global_cleanup();
	if (msg_output_was_closed()) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		code = EXIT_OUTPUT_CLOSED;	/* only if SIGPIPE is blocked */
	}
	if (engine_stop && code == EXIT_OK)
		code = EXIT_INTERRUPTED;
	return code;
}
