/* dynamo's flags, declared once: --help and the man page check read this. */
#include "dynamo/options.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"
#include "dynamo/parse.h"
#include "dynamo/selection.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct opt_def dynamo_opts[] = {
	{ OPT_PROFILE, "profile", 'e', "env", "PROFILE", "AWS profile to use (default: $AWS_PROFILE, else 'default')" },
	{ OPT_REGION, "region", 0, NULL, "REGION", "AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region)" },
	{ OPT_ENDPOINT_URL, "endpoint-url", 0, NULL, "URL", "DynamoDB endpoint (local emulators, VPC endpoints)" },
	{ OPT_DEBUG, "debug", 0, NULL, NULL, "log each request (operation, status, latency, retries) to stderr; never secrets" },
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "no progress and no informational lines, only the summary and errors" },
	{ OPT_PROGRESS, "progress", 0, NULL, NULL, "show progress even when stderr is not a terminal (a plain line every 10s)" },
	{ OPT_PROGRESS_INTERVAL, "progress-interval", 0, NULL, "DURATION", "off a terminal, a progress line this often (default 10s; implies --progress)" },
	{ OPT_JSON, "json", 0, NULL, NULL, "print a machine-readable JSON result on stdout" },
	{ OPT_YES, "yes", 'y', NULL, NULL, "do destructive steps without asking (required when not on a terminal)" },
	{ OPT_DRY_RUN, "dry-run", 'n', NULL, NULL, "print the plan (stages, tables, accounts, item estimates) and change nothing" },
	{ OPT_NO_VERIFY_SSL, "no-verify-ssl", 0, NULL, NULL, "do not verify TLS certificates (unsafe; warns)" },
	{ OPT_CA_BUNDLE, "ca-bundle", 0, NULL, "FILE", "CA certificates to verify TLS with (default: $AWS_CA_BUNDLE or the system's)" },
	{ OPT_CONNECT_TIMEOUT, "connect-timeout", 0, NULL, "DURATION", "time allowed to connect (default 10s)" },
	{ OPT_TIMEOUT, "timeout", 0, NULL, "DURATION", "time allowed for one request (default 60s)" },
	{ OPT_MAX_RETRIES, "max-retries", 0, NULL, "N", "retries per request before giving up (default 9)" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_TABLE, "table", 't', NULL, "TABLE", "table name, or table ARN (its region is used: a table shared from another account)" },
	{ OPT_TARGET_TABLE, "target-table", 0, NULL, "TABLE", "write into this table (name or ARN) instead of one with the same name" },
	{ OPT_SOURCE, "source", 0, "src", "PROFILE", "profile to copy from (default: --profile)" },
	{ OPT_TARGET, "target", 0, "tgt", "PROFILE", "profile to copy to (default: the source's)" },
	{ OPT_SOURCE_REGION, "source-region", 0, NULL, "REGION", "region of the source (default: as --region)" },
	{ OPT_TARGET_REGION, "target-region", 0, NULL, "REGION", "region of the target (default: as --region)" },
	{ OPT_SOURCE_ENDPOINT, "source-endpoint-url", 0, NULL, "URL", "endpoint of the source (default: as --endpoint-url)" },
	{ OPT_TARGET_ENDPOINT, "target-endpoint-url", 0, NULL, "URL", "endpoint of the target (default: as --endpoint-url)" },
	{ OPT_PK, "pk", 0, "pk", "VALUE", "partition key value; repeat it or use a brace range (USER#S{0..3}) for sharded keys" },
	{ OPT_SK, "sk", 0, "sk", "PREFIX", "sort key prefix (begins_with; a numeric sort key must equal it)" },
	{ OPT_SK_EQ, "sk-eq", 0, NULL, "VALUE", "only the items whose sort key equals VALUE" },
	{ OPT_SK_LT, "sk-lt", 0, NULL, "VALUE", "only sort keys below VALUE (numbers by value, strings and binaries by bytes)" },
	{ OPT_SK_LE, "sk-le", 0, NULL, "VALUE", "only sort keys at most VALUE" },
	{ OPT_SK_GT, "sk-gt", 0, NULL, "VALUE", "only sort keys above VALUE" },
	{ OPT_SK_GE, "sk-ge", 0, NULL, "VALUE", "only sort keys at least VALUE" },
	{ OPT_SK_BETWEEN, "sk-between", 0, NULL, "A B", "only sort keys from A to B, both included" },
	{ OPT_PK_PREFIX, "pk-prefix", 0, NULL, "PREFIX", "every item whose partition key begins with PREFIX (a scan; S and B keys)" },
	{ OPT_FILTER, "filter", 0, NULL, "EXPR", "only the items matching this FilterExpression (DynamoDB's syntax, applied by DynamoDB)" },
	{ OPT_NAMES, "names", 0, NULL, "JSON", "placeholders of --filter: {\"#s\":\"status\"}, or @FILE" },
	{ OPT_VALUES, "values", 0, NULL, "JSON", "values of --filter in DynamoDB JSON: {\":v\":{\"S\":\"OPEN\"}}, or @FILE" },
	{ OPT_SET, "set", 0, NULL, "NAME=VALUE", "set a top-level attribute to a DynamoDB JSON value: --set 'env={\"S\":\"staging\"}' (repeatable)" },
	{ OPT_REMOVE, "remove", 0, NULL, "NAME", "drop a top-level attribute (repeatable; never a key)" },
	{ OPT_MASK, "mask", 0, NULL, "NAME", "replace an attribute's value with a keyed pseudonym of the same type and shape (repeatable)" },
	{ OPT_MASK_KEY_FILE, "mask-key-file", 0, NULL, "FILE", "the secret --mask is keyed with (default: $DYNAMO_MASK_KEY); never printed" },
	{ OPT_RENAME_PREFIX, "rename-prefix", 0, NULL, "OLD=NEW", "rewrite every string value beginning with OLD, keys included (repeatable)" },
	{ OPT_INDEX, "index", 'i', NULL, "INDEX", "query this global or local secondary index" },
	{ OPT_PK_TYPE, "pk-type", 0, NULL, "S|N|B", "check the partition key is of this type (types come from the table; B values are base64)" },
	{ OPT_SEGMENTS, "segments", 0, NULL, "N", "parallel scan segments (default: from the table size, at least 64 when the items are written)" },
	{ OPT_CONCURRENCY, "concurrency", 'c', NULL, "N", "requests in flight at most (default 128; query 16, import 64)" },
	{ OPT_NO_BACKUP, "no-backup", 0, NULL, NULL, "skip the on-demand backup of the table written to" },
	{ OPT_NO_TRUNCATE, "no-truncate", 0, NULL, NULL, "keep the target's other items (upsert copy)" },
	{ OPT_CREATE_TARGET, "create-target", 0, NULL, NULL, "create a missing target table from the source's description" },
	{ OPT_BILLING, "billing", 0, NULL, "on-demand|provisioned", "with --create-target: the new table's billing mode (default: the source's)" },
	{ OPT_STRICT, "strict", 0, NULL, NULL, "fail, before creating the target, when part of the source's setup (TTL) cannot be read" },
	{ OPT_FOLLOW, "follow", 0, NULL, NULL, "after the copy, apply the source's stream (the selection's changes with --pk) to the target until stopped" },
	{ OPT_FOLLOW_FOR, "follow-for", 0, NULL, "DURATION", "with --follow: stop following after DURATION (30s, 15m, 2h)" },
	{ OPT_UNTIL_CAUGHT_UP, "until-caught-up", 0, NULL, NULL, "with --follow: stop once the target is less than a second behind" },
	{ OPT_ENABLE_STREAM, "enable-stream", 0, NULL, NULL, "with --follow: enable a stream (NEW_IMAGE) on a source that has none (asks first)" },
	{ OPT_CHECKPOINT, "checkpoint", 0, NULL, "FILE", "record progress in FILE and resume from it after a crash" },
	{ OPT_MAX_RCU, "max-rcu", 0, NULL, "N", "cap read capacity units per second on the source" },
	{ OPT_MAX_WCU, "max-wcu", 0, NULL, "N", "cap write capacity units per second on the target" },
	{ OPT_FROM_TABLE, "from-table", 0, NULL, "TABLE", "restore from this table (a copy made earlier)" },
	{ OPT_KEEP_SOURCE, "keep-source", 0, NULL, NULL, "keep the --from-table table after restoring" },
	{ OPT_BACKUP_ARN, "backup-arn", 0, NULL, "ARN", "restore this on-demand backup" },
	{ OPT_BACKUP_NAME, "backup-name", 0, NULL, "NAME", "restore the latest backup with this name" },
	{ OPT_FROM_FILE, "from-file", 0, NULL, "FILE", "restore from an export file (back up, import, then delete what the file lacks)" },
	{ OPT_UNIQUE, "unique", 'u', NULL, "ATTR", "print the distinct values of an attribute" },
	{ OPT_HEAD, "head", 0, "head", NULL, "print the first item" },
	{ OPT_LIMIT, "limit", 0, NULL, "N", "stop after N items" },
	{ OPT_DESC, "desc", 0, NULL, NULL, "newest first (descending sort key)" },
	{ OPT_COUNT, "count", 0, NULL, NULL, "count matching items without transferring them" },
	{ OPT_OUTPUT, "output", 0, NULL, "FORMAT", "print items as ddb (DynamoDB JSON), json or jsonl" },
	{ OPT_NUMBERS, "numbers", 0, NULL, "number|string", "json/jsonl numbers as JSON numbers (exact digits, which jq and JavaScript round past 15) or as strings" },
	{ OPT_CONSISTENT, "consistent", 0, NULL, NULL, "strongly consistent reads" },
	{ OPT_EXPORT_FILE, "file", 'o', NULL, "FILE", "write to FILE ('-' for stdout; gzip when it ends in .gz)" },
	{ OPT_IMPORT_FILE, "file", 'i', NULL, "FILE", "read from FILE ('-' for stdin; gzip is recognised by its content), or a DynamoDB export's s3:// folder" },
	{ OPT_TO, "to", 0, NULL, "URL", "export with DynamoDB's ExportTableToPointInTime to s3://BUCKET/PREFIX (needs point-in-time recovery)" },
	{ OPT_AT, "at", 0, NULL, "TIME", "export the table as it was at TIME (ISO 8601 UTC, epoch seconds, or -90m); default: now" },
	{ OPT_ENABLE_PITR, "enable-pitr", 0, NULL, NULL, "turn point-in-time recovery on first if it is off (a confirmed step; AWS bills it)" },
	{ OPT_S3_BUCKET_OWNER, "s3-bucket-owner", 0, NULL, "ACCOUNT", "the 12-digit account that owns the bucket, when it is another account's" },
	{ OPT_FROM, "from", 0, NULL, "URL", "create the table with DynamoDB's ImportTable from this export's s3:// folder (with --create-target)" },
	{ OPT_LIKE, "like", 0, NULL, "TABLE", "give the new table this table's keys, indexes and billing (read with --source)" },
	{ OPT_SCHEMA, "schema", 0, NULL, "FILE", "give the new table the schema in FILE ('dynamo describe --json' output)" },
	{ OPT_POINT_IN_TIME, "point-in-time", 0, NULL, "TIME", "restore the table as it was at TIME ('latest', ISO 8601 UTC, epoch seconds, -90m) into --target-table" },
	{ OPT_FROM_TIME, "from", 0, NULL, "TIME", "an incremental export of the changes since TIME (with --to-time; 15 minutes to 24 hours)" },
	{ OPT_TO_TIME, "to-time", 0, NULL, "TIME", "the end of an incremental export's window (with --from)" },
	{ OPT_NO_MANIFEST, "no-manifest", 0, NULL, NULL, "an export without its manifest files: every object under its data/ folder, no counts checked" },
	{ OPT_VIA, "via", 0, NULL, "URL", "copy through DynamoDB's export to s3://BUCKET/PREFIX, then ImportTable (a new target) or writes from the export's files; the dry run compares both ways' cost" },
	{ OPT_SLICE, "slice", 0, NULL, "I/K", "do the I-th of K shares of the scan's segments (--segments N, the same in every slice; one-time steps left to --prepare-only)" },
	{ OPT_PREPARE_ONLY, "prepare-only", 0, NULL, NULL, "do only the one-time steps (confirm, create the target, back it up) before --slice runs" },
	{ OPT_FORMAT, "format", 0, NULL, "short|full", "short: one line per difference; full: with the changed attributes (target's value, then source's)" },
	{ OPT_SAMPLE, "sample", 0, NULL, "F", "compare a random fraction F (0 < F <= 1) of the source's segments: a quick check (items only in the target are not looked for)" },
	{ OPT_DELETE, "delete", 0, NULL, NULL, "also delete the target's items that the source lacks (without it they are only listed)" },
	{ OPT_VERIFY, "verify", 0, NULL, NULL, "after the copy, compare both sides over the same selection; exit 5 with the differences if they differ" },
	{ 0, NULL, 0, NULL, NULL, NULL }
};

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = -1;
}

void options_release(struct options *o)
{
	int i;

	for (i = 0; i < o->npk_owned; i++)
		free(o->pk_owned[i]);
	o->npk_owned = 0;
}

static int push_pk(struct options *o, const char *v, int owned,
		   struct errbuf *eb)
{
	if (o->npk == MAX_PK_VALUES)
		return errf(eb, EXIT_USAGE, "--pk is limited to %d values",
			    MAX_PK_VALUES);
	o->pk[o->npk++] = v;
	if (owned)
		o->pk_owned[o->npk_owned++] = (char *)v;
	return 0;
}

/* The length of the longest common prefix of v[0..n), not ending in a digit. */
static size_t common_prefix(const char *const *v, int n)
{
	size_t p = strlen(v[0]);
	int i;

	for (i = 1; i < n; i++) {
		size_t k = 0;

		while (k < p && v[i][k] == v[0][k])
			k++;
		p = k;
	}
	while (p && isdigit((unsigned char)v[0][p - 1]))
		p--;
	return p;
}

/* The same for suffixes, leaving prefix bytes alone and not starting with a digit. */
static size_t common_suffix(const char *const *v, int n, size_t prefix)
{
	size_t s = strlen(v[0]) - prefix;
	int i;

	for (i = 1; i < n; i++) {
		size_t a = strlen(v[0]), b = strlen(v[i]), k = 0;

		while (k < s && k < b - prefix && v[i][b - 1 - k] == v[0][a - 1 - k])
			k++;
		s = k;
	}
	while (s && isdigit((unsigned char)v[0][strlen(v[0]) - s]))
		s--;
	return s;
}

/*
 * Whether v[0..n) is what the shell made of one numeric brace range (the
 * same text around numbers that go up by one): 'USER#S{0..3}' unquoted.
 */
static int brace_expansion(const char *const *v, int n)
{
	size_t p = common_prefix(v, n), s = common_suffix(v, n, p);
	long prev = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(v[i]), k;
		long num = 0;

		if (len <= p + s || len - p - s > 9)
			return 0;
		for (k = p; k < len - s; k++) {
			if (!isdigit((unsigned char)v[i][k]))
				return 0;
			num = num * 10 + (v[i][k] - '0');
		}
		if (i && num != prev + 1)
			return 0;
		prev = num;
	}
	return n > 1;
}

int options_take_expanded_pk(struct options *o, char **rest, int nrest,
			     struct errbuf *eb)
{
	const char *v[MAX_PK_VALUES];
	int i;

	if (!o->npk || nrest < 1 || nrest >= MAX_PK_VALUES)
		return 0;
	v[0] = o->pk[o->npk - 1];
	for (i = 0; i < nrest; i++)
		v[i + 1] = rest[i];
	if (!brace_expansion(v, nrest + 1))
		return 0;
	for (i = 0; i < nrest; i++)
		if (push_pk(o, rest[i], 0, eb) < 0)
			return -1;
	return 1;
}

/* "A{0..3}B" -> A0B A1B A2B A3B; only one numeric range is expanded. */
int options_add_pk(struct options *o, const char *value, struct errbuf *eb)
{
	const char *open = strchr(value, '{'), *dots, *close;
	long lo, hi, i;
	char *end;
	int width;

	if (!open || !(dots = strstr(open, "..")) ||
	    !(close = strchr(dots, '}')))
		return push_pk(o, value, 0, eb);
	lo = strtol(open + 1, &end, 10);
	if (end != dots || open[1] == '-' || open[1] == '+')
		return push_pk(o, value, 0, eb);
	hi = strtol(dots + 2, &end, 10);
	if (end != close || dots[2] == '-' || dots[2] == '+')
		return push_pk(o, value, 0, eb);
	if (hi < lo || hi - lo >= MAX_PK_VALUES)
		return errf(eb, EXIT_USAGE,
			    "--pk range '%s' must go up and cover at most %d values",
			    value, MAX_PK_VALUES);
	/* Zero-padded bounds ("{00..15}") keep their width, as in bash. */
	width = open[1] == '0' && dots - open > 2 ? (int)(dots - open - 1) : 0;
	for (i = lo; i <= hi; i++) {
		struct buf b = BUF_INIT;

		buf_append(&b, value, (size_t)(open - value));
		buf_printf(&b, "%0*ld", width, i);
		buf_puts(&b, close + 1);
		if (push_pk(o, buf_detach(&b), 1, eb) < 0)
			return -1;
	}
	return 0;
}

static int set_count(const char *flag, const char *v, uint64_t min,
		     uint64_t max, int *out, struct errbuf *eb)
{
	uint64_t n;

	if (parse_count(flag, v, min, max, &n, eb) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

static int set_capacity(const char *flag, const char *v, double *out,
			struct errbuf *eb)
{
	uint64_t n;

	if (parse_count(flag, v, 1, 10000000, &n, eb) < 0)
		return -1;
	*out = (double)n;
	return 0;
}

/* --sample F: a decimal fraction, 0 < F <= 1 ("0.01", "1"). */
static int set_sample(const char *flag, const char *v, double *out, struct errbuf *eb)
{
	char *end;
	double f;

	errno = 0;
	f = strtod(v, &end);
	if (!*v || *end || errno || !(f > 0 && f <= 1) || strpbrk(v, "xXnN"))
		return errf(eb, EXIT_USAGE, "%s takes a fraction above 0 and at most 1 (0.01 for 1%%), not '%s'",
			    flag, v);
	*out = f;
	return 0;
}

static int set_string(const char *flag, const char *v, const char **out,
		      struct errbuf *eb)
{
	if (!*v)
		return errf(eb, EXIT_USAGE, "%s needs a non-empty value", flag);
	*out = v;
	return 0;
}

static int set_switch(int id, struct options *o)
{
	switch (id) {
	case OPT_DEBUG: o->debug = 1; break;
	case OPT_QUIET: o->quiet = 1; break;
	case OPT_PROGRESS: o->progress = 1; break;
	case OPT_JSON: o->json = 1; break;
	case OPT_YES: o->yes = 1; break;
	case OPT_DRY_RUN: o->dry_run = 1; break;
	case OPT_NO_VERIFY_SSL: o->no_verify_ssl = 1; break;
	case OPT_HELP: o->help = 1; break;
	case OPT_NO_BACKUP: o->no_backup = 1; break;
	case OPT_NO_TRUNCATE: o->no_truncate = 1; break;
	case OPT_CREATE_TARGET: o->create_target = 1; break;
	case OPT_STRICT: o->strict = 1; break;
	case OPT_FOLLOW: o->follow = 1; break;
	case OPT_UNTIL_CAUGHT_UP: o->until_caught_up = 1; break;
	case OPT_ENABLE_STREAM: o->enable_stream = 1; break;
	case OPT_KEEP_SOURCE: o->keep_source = 1; break;
	case OPT_HEAD: o->head = 1; break;
	case OPT_DESC: o->desc = 1; break;
	case OPT_COUNT: o->count = 1; break;
	case OPT_CONSISTENT: o->consistent = 1; break;
	case OPT_ENABLE_PITR: o->enable_pitr = 1; break;
	case OPT_PREPARE_ONLY: o->prepare_only = 1; break;
	case OPT_NO_MANIFEST: o->no_manifest = 1; break;
	case OPT_DELETE: o->delete_extras = 1; break;
	case OPT_VERIFY: o->verify = 1; break;
	default: return 0;
	}
	return 1;
}

static int set_string_opt(int id, const char *flag, const char *v,
			  struct options *o, struct errbuf *eb)
{
	const char **slot;

	switch (id) {
	case OPT_PROFILE: slot = &o->profile; break;
	case OPT_REGION: slot = &o->region; break;
	case OPT_ENDPOINT_URL: slot = &o->endpoint_url; break;
	case OPT_CA_BUNDLE: slot = &o->ca_bundle; break;
	case OPT_TABLE: slot = &o->table; break;
	case OPT_TARGET_TABLE: slot = &o->target_table; break;
	case OPT_SOURCE: slot = &o->source; break;
	case OPT_TARGET: slot = &o->target; break;
	case OPT_SOURCE_REGION: slot = &o->source_region; break;
	case OPT_TARGET_REGION: slot = &o->target_region; break;
	case OPT_SOURCE_ENDPOINT: slot = &o->source_endpoint; break;
	case OPT_TARGET_ENDPOINT: slot = &o->target_endpoint; break;
	case OPT_INDEX: slot = &o->index; break;
	case OPT_CHECKPOINT: slot = &o->checkpoint; break;
	case OPT_FROM_TABLE: slot = &o->from_table; break;
	case OPT_BACKUP_ARN: slot = &o->backup_arn; break;
	case OPT_BACKUP_NAME: slot = &o->backup_name; break;
	case OPT_FROM_FILE: slot = &o->from_file; break;
	case OPT_UNIQUE: slot = &o->unique; break;
	case OPT_TO: slot = &o->to; break;
	case OPT_VIA: slot = &o->via; break;
	case OPT_FROM: slot = &o->from; break;
	case OPT_LIKE: slot = &o->like; break;
	case OPT_SCHEMA: slot = &o->schema; break;
	case OPT_PK_PREFIX: slot = &o->pk_prefix; break;
	case OPT_MASK_KEY_FILE: slot = &o->mask_key_file; break;
	case OPT_FILTER: slot = &o->filter; break;
	case OPT_NAMES: slot = &o->names; break;
	case OPT_VALUES: slot = &o->values; break;
	case OPT_EXPORT_FILE:
	case OPT_IMPORT_FILE: slot = &o->file; break;
	default: return 0;
	}
	return set_string(flag, v, slot, eb) < 0 ? -1 : 1;
}

/* One sort-key condition; --sk-between comes as two calls, one per value. */
static int set_sk_condition(struct options *o, enum sk_op op, const char *v,
			    struct errbuf *eb)
{
	if (op == SK_BETWEEN && o->sk_op == SK_BETWEEN && o->nsk_values == 1) {
		o->sk_values[o->nsk_values++] = v;
		return 0;
	}
	if (o->sk_op)
		return errf(eb, EXIT_USAGE,
			    "%s and %s both given: one sort-key condition per run (for a range, use --sk-between A B)",
			    sk_op_flag((enum sk_op)o->sk_op), sk_op_flag(op));
	o->sk_op = (int)op;
	o->sk_values[0] = v;
	o->nsk_values = 1;
	return 0;
}

int options_set(int id, const char *flag, const char *v, void *arg,
		struct errbuf *eb)
{
	static const char *const outputs[] = { "ddb", "json", "jsonl", NULL };
	static const char *const formats[] = { "short", "full", NULL };
	static const char *const numbers[] = { "number", "string", NULL };
	static const char *const billings[] = { "on-demand", "provisioned", NULL };
	static const char *const types[] = { "S", "N", "B", NULL };
	struct options *o = arg;
	uint64_t n;
	int r, choice;

	if (set_switch(id, o))
		return 0;
	if ((r = set_string_opt(id, flag, v, o, eb)) != 0)
		return r < 0 ? -1 : 0;
	switch (id) {
	case OPT_CONNECT_TIMEOUT:
		return parse_duration_ms(flag, v, 100, 600000, &o->connect_timeout_ms, eb);
	case OPT_PROGRESS_INTERVAL:
		o->progress = 1;
		return parse_duration_ms(flag, v, 1000, 86400000, &o->progress_interval_ms, eb);
	case OPT_TIMEOUT:
		return parse_duration_ms(flag, v, 100, 3600000, &o->timeout_ms, eb);
	case OPT_FOLLOW_FOR:
		return parse_duration_ms(flag, v, 1000, 30ull * 24 * 3600 * 1000, &o->follow_for_ms, eb);
	case OPT_MAX_RETRIES:
		return set_count(flag, v, 0, 100, &o->max_retries, eb);
	case OPT_SEGMENTS:
		return set_count(flag, v, 1, 1000000, &o->segments, eb);
	case OPT_CONCURRENCY:
		return set_count(flag, v, 1, 4096, &o->concurrency, eb);
	case OPT_MAX_RCU:
		return set_capacity(flag, v, &o->max_rcu, eb);
	case OPT_MAX_WCU:
		return set_capacity(flag, v, &o->max_wcu, eb);
	case OPT_LIMIT:
		if (parse_count(flag, v, 1, UINT64_MAX / 2, &n, eb) < 0)
			return -1;
		o->limit = n;
		return 0;
	case OPT_AT:
		return parse_time(flag, v, &o->at, eb);
	case OPT_FROM_TIME:
		return parse_time(flag, v, &o->from_time, eb);
	case OPT_TO_TIME:
		return parse_time(flag, v, &o->to_time, eb);
	case OPT_SLICE:
		return parse_slice(flag, v, &o->slice_i, &o->slice_k, eb);
	case OPT_POINT_IN_TIME:
		o->point_in_time_set = 1;
		o->point_in_time = 0;
		return strcmp(v, "latest") ? parse_time(flag, v, &o->point_in_time, eb) : 0;
	case OPT_S3_BUCKET_OWNER:
		if (strlen(v) != 12 || strspn(v, "0123456789") != 12)
			return errf(eb, EXIT_USAGE, "%s takes a 12-digit AWS account ID, not '%s'", flag, v);
		o->s3_bucket_owner = v;
		return 0;
	case OPT_PK:
		/* An empty value is a variable that was not set ("--pk $PK"), never a key. */
		if (!*v)
			return errf(eb, EXIT_USAGE,
				    "--pk needs a non-empty value (is the variable that should hold it set?)");
		return options_add_pk(o, v, eb);
	case OPT_SK:
		if (!*v)
			return errf(eb, EXIT_USAGE,
				    "--sk needs a non-empty value (is the variable that should hold it set? leave --sk out to take every sort key)");
		o->sk = v;
		return 0;
	case OPT_SK_EQ:
	case OPT_SK_LT:
	case OPT_SK_LE:
	case OPT_SK_GT:
	case OPT_SK_GE:
	case OPT_SK_BETWEEN:
		return set_sk_condition(o, sk_op_of_flag(flag), v, eb);
	case OPT_SET:
	case OPT_REMOVE:
	case OPT_MASK:
	case OPT_RENAME_PREFIX:
		if (o->nxf == MAX_TRANSFORMS)
			return errf(eb, EXIT_USAGE, "at most %d transforms (--set, --remove, --mask, --rename-prefix) per run",
				    MAX_TRANSFORMS);
		o->xf[o->nxf].id = id;
		o->xf[o->nxf++].value = v;
		return 0;
	case OPT_FORMAT:
		if (parse_choice(flag, v, formats, &choice, eb) < 0)
			return -1;
		o->format_full = choice == 1;
		return 0;
	case OPT_SAMPLE:
		return set_sample(flag, v, &o->sample, eb);
	case OPT_OUTPUT:
		if (parse_choice(flag, v, outputs, &choice, eb) < 0)
			return -1;
		o->output = choice;
		o->output_set = 1;
		return 0;
	case OPT_BILLING:
		if (parse_choice(flag, v, billings, &choice, eb) < 0)
			return -1;
		o->billing = choice + 1;	/* BILLING_ON_DEMAND, BILLING_PROVISIONED */
		return 0;
	case OPT_NUMBERS:
		if (parse_choice(flag, v, numbers, &choice, eb) < 0)
			return -1;
		o->numbers_as_strings = choice == 1;
		return 0;
	case OPT_PK_TYPE:
		if (parse_choice(flag, v, types, &choice, eb) < 0)
			return -1;
		o->pk_type = types[choice][0];
		return 0;
	}
	return errf(eb, EXIT_USAGE, "internal error: flag %s has no setter", flag);
}
