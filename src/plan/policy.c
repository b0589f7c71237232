/*
 * dynamo policy COMMAND ...: the least-privilege IAM policy for that exact
 * command line, from the plan it would run (as --dry-run builds it): one
 * statement for each side (the profile and account each statement belongs
 * to is said on stderr), with the actions its stages call there, on the
 * tables, indexes and backups they touch. Actions that IAM cannot narrow
 * to a resource (ListTables, ListBackups) get their own statement on "*".
 *
 * What each stage calls is kept here beside the stage kinds (plan.h); the
 * end-to-end test runs each command on moto with IAM enforced under a user
 * that has only this policy, and with each action removed in turn.
 */
#include "dynamo/plan.h"
#include "dynamo/arn.h"
#include "dynamo/json_print.h"
#include "dynamo/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum action {
	A_DESCRIBE_TABLE, A_SCAN, A_QUERY, A_BATCH_GET, A_BATCH_WRITE,
	A_CREATE_TABLE, A_DELETE_TABLE, A_DESCRIBE_TTL, A_UPDATE_TTL,
	A_CREATE_BACKUP, A_RESTORE_BACKUP, A_PUT, A_GET, A_UPDATE, A_DELETE,
	A_LIST_BACKUPS, A_LIST_TABLES, A_LIST_TAGS, A_TAG, A_DESCRIBE_PITR, A_UPDATE_PITR,
	A_UPDATE_TABLE, A_DESCRIBE_STREAM, A_GET_SHARD_ITERATOR, A_GET_RECORDS,
	A_EXPORT, A_DESCRIBE_EXPORT, A_IMPORT, A_DESCRIBE_IMPORT, A_RESTORE_PITR,
	A_COUNT
};

static const char *const action_names[A_COUNT] = {
	"DescribeTable", "Scan", "Query", "BatchGetItem", "BatchWriteItem",
	"CreateTable", "DeleteTable", "DescribeTimeToLive", "UpdateTimeToLive",
	"CreateBackup", "RestoreTableFromBackup", "PutItem", "GetItem",
	"UpdateItem", "DeleteItem", "ListBackups", "ListTables", "ListTagsOfResource",
	"TagResource", "DescribeContinuousBackups", "UpdateContinuousBackups",
	"UpdateTable", "DescribeStream", "GetShardIterator", "GetRecords",
	"ExportTableToPointInTime", "DescribeExport", "ImportTable", "DescribeImport",
	"RestoreTableToPointInTime",
};

/* Beyond DynamoDB: S3 for exports and imports, CloudWatch Logs for ImportTable's log. */
enum other_grant { S3_LIST = 1, S3_GET = 2, S3_PUT = 4, IMPORT_LOGS = 8 };

#define BIT(a) (1u << (a))
/* Actions with no resource-level permissions: a statement on "*". */
#define UNSCOPED (BIT(A_LIST_BACKUPS) | BIT(A_LIST_TABLES))
/* RestoreTableFromBackup writes the table with these, and IAM checks them on it. */
#define RESTORE_WRITES (BIT(A_PUT) | BIT(A_GET) | BIT(A_UPDATE) | BIT(A_DELETE) | \
			BIT(A_QUERY) | BIT(A_SCAN) | BIT(A_BATCH_WRITE))

#define MAX_SIDES 3
#define MAX_RESOURCES 8

struct side {
	const struct ddb *d;
	const char *role;		/* "Source", "Target", or "Table" for a lone side */
	unsigned actions;
	const char *tables[MAX_RESOURCES];
	char *extra[MAX_RESOURCES];	/* owned: index and backup ARNs */
	int ntables, nextra;
	unsigned other;			/* enum other_grant */
	const char *bucket, *prefix;	/* S3 for other's S3_* */
};

struct policy {
	struct side side[MAX_SIDES];
	int n;
	const char *index;		/* -i: queries and scans go to it */
	struct s3_url urls[MAX_SIDES];	/* owned: stages' s3:// URLs, parsed */
	int nurls;
};

static struct side *side_of(struct policy *pol, const struct ddb *d, const char *role)
{
	int i;

	for (i = 0; i < pol->n; i++)
		if (pol->side[i].d == d)
			return &pol->side[i];
	if (pol->n == MAX_SIDES)
		return NULL;
	memset(&pol->side[pol->n], 0, sizeof(pol->side[0]));
	pol->side[pol->n].d = d;
	pol->side[pol->n].role = role;
	return &pol->side[pol->n++];
}

static void add_extra(struct side *s, char *arn)
{
	int i;

	for (i = 0; i < s->nextra; i++)
		if (!strcmp(s->extra[i], arn)) {
			free(arn);
			return;
		}
	if (s->nextra < MAX_RESOURCES)
		s->extra[s->nextra++] = arn;
	else
		free(arn);
}

/* The partition of a region: aws, aws-cn or aws-us-gov. */
static const char *partition(const char *region)
{
	if (!strncmp(region, "cn-", 3))
		return "aws-cn";
	if (!strncmp(region, "us-gov-", 7))
		return "aws-us-gov";
	return "aws";
}

static char *table_arn(const struct ddb *d, const char *table, const char *suffix)
{
	struct buf b = BUF_INIT;

	/* A table given as its ARN (-t ARN) is that resource. */
	if (table_arn_like(table))
		buf_printf(&b, "%s%s", table, suffix ? suffix : "");
	/* The account is known once a table of the side was described. */
	else
		buf_printf(&b, "arn:%s:dynamodb:%s:%s:table/%s%s", partition(d->region), d->region,
			   d->account[0] ? d->account : "*", table, suffix ? suffix : "");
	return buf_detach(&b);
}

/* Grants actions on the table, and on its -i index when reading through one. */
static void grant(struct policy *pol, const struct ddb *d, const char *role,
		  const char *table, unsigned actions, int via_index)
{
	struct side *s;
	int i;

	if (!d || !table || !(s = side_of(pol, d, role)))
		return;
	s->actions |= actions | BIT(A_DESCRIBE_TABLE);
	for (i = 0; i < s->ntables && strcmp(s->tables[i], table); i++)
		;
	if (i == s->ntables && s->ntables < MAX_RESOURCES)
		s->tables[s->ntables++] = table;
	if (via_index && pol->index) {
		char suffix[300];

		snprintf(suffix, sizeof(suffix), "/index/%s", pol->index);
		add_extra(s, table_arn(d, table, suffix));
	}
}

/* copy --follow reads the source's stream: its ARN is the table's, then /stream/LABEL. */
#define STREAM_READS (BIT(A_DESCRIBE_STREAM) | BIT(A_GET_SHARD_ITERATOR) | BIT(A_GET_RECORDS))

static void grant_stream(struct policy *pol, const struct ddb *d, const char *table)
{
	struct side *s;

	grant(pol, d, "Source", table, STREAM_READS, 0);
	if (d && table && (s = side_of(pol, d, "Source")))
		add_extra(s, table_arn(d, table, "/stream/*"));
}

/* An export or import's S3 location and what is done there, on a side. */
static void grant_s3(struct policy *pol, const struct stage *st, const struct ddb *d,
		     const char *role, unsigned what)
{
	struct errbuf eb = ERRBUF_INIT;
	struct s3_url *u;
	struct side *s;

	if (!d || !(s = side_of(pol, d, role)))
		return;
	s->other |= what;
	if (st->s3_bucket) {
		s->bucket = st->s3_bucket;
		s->prefix = st->s3_prefix ? st->s3_prefix : "";
		return;
	}
	if (!st->arg || pol->nurls == MAX_SIDES)
		return;
	u = &pol->urls[pol->nurls];
	if (s3_url_parse(u, st->arg, "the export", &eb) < 0)
		return;
	pol->nurls++;
	s->bucket = u->bucket;
	s->prefix = u->key;
}

/* DynamoDB's own jobs (STAGE_CUSTOM): what each calls, and where. */
static void grant_custom(struct policy *pol, const struct stage *st, const struct plan_params *pp)
{
	struct side *s;

	switch (st->custom) {
	case CUSTOM_ENABLE_PITR:
		grant(pol, st->src, "Source", st->src_table, BIT(A_UPDATE_PITR) | BIT(A_DESCRIBE_PITR), 0);
		break;
	case CUSTOM_EXPORT_S3:
		/* The bucket is not listed first but by a check that goes on without it. */
		grant(pol, st->src, "Source", st->src_table, BIT(A_EXPORT) | BIT(A_DESCRIBE_EXPORT) |
		      BIT(A_DESCRIBE_PITR), 0);
		if (st->src && (s = side_of(pol, st->src, "Source")))
			add_extra(s, table_arn(st->src, st->src_table, "/export/*"));
		grant_s3(pol, st, st->src, "Source", S3_PUT);
		break;
	case CUSTOM_IMPORT_TABLE:
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_IMPORT) | BIT(A_DESCRIBE_IMPORT), 0);
		if (st->dst && (s = side_of(pol, st->dst, "Target")))
			add_extra(s, table_arn(st->dst, st->dst_table, "/import/*"));
		if (pp->grants.schema_table)	/* the schema's table, read on the same side */
			grant(pol, st->dst, "Target", pp->grants.schema_table, 0, 0);
		grant_s3(pol, st, st->dst, "Target", S3_LIST | S3_GET | IMPORT_LOGS);
		break;
	case CUSTOM_LOAD_S3:
		/* A Scan of one item tells whether the table is empty (is the step destructive?). */
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_BATCH_WRITE) | BIT(A_SCAN), 0);
		grant_s3(pol, st, st->dst, "Target", S3_LIST | S3_GET);
		break;
	case CUSTOM_SETUP:
		grant(pol, st->src, "Source", st->src_table, BIT(A_DESCRIBE_TTL) | BIT(A_LIST_TAGS) |
		      BIT(A_DESCRIBE_PITR), 0);
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_UPDATE_TTL) | BIT(A_TAG) |
		      BIT(A_UPDATE_PITR) | BIT(A_UPDATE_TABLE), 0);
		break;
	case CUSTOM_RESTORE_PITR:
		grant(pol, st->src, "Source", st->src_table, BIT(A_RESTORE_PITR) | BIT(A_DESCRIBE_PITR), 0);
		grant(pol, st->src, "Source", st->dst_table, RESTORE_WRITES, 0);
		break;
	case CUSTOM_OTHER:
		break;
	}
}

/* What each kind of stage calls, on which side. */
static void grant_stage(struct policy *pol, const struct stage *st, const struct plan_params *pp)
{
	const struct ddb *target = st->dst ? st->dst : st->src;
	const char *ttable = st->dst ? st->dst_table : st->src_table;

	switch (st->kind) {
	case STAGE_CREATE_TABLE:
		/* What the new table carries over: TTL, tags, point-in-time recovery. */
		grant(pol, st->src, "Source", st->src_table, BIT(A_DESCRIBE_TTL) | BIT(A_LIST_TAGS) |
		      BIT(A_DESCRIBE_PITR), 0);
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_CREATE_TABLE) | BIT(A_UPDATE_TTL) |
		      BIT(A_DESCRIBE_TTL) | BIT(A_DELETE_TABLE) | BIT(A_TAG) | BIT(A_UPDATE_PITR), 0);
		break;
	case STAGE_BACKUP:
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_CREATE_BACKUP), 0);
		break;
	case STAGE_TRUNCATE:
	case STAGE_PRUNE:
	case STAGE_PRUNE_KEYS:
		grant(pol, target, "Target", ttable, BIT(A_SCAN) | BIT(A_BATCH_WRITE), 0);
		grant(pol, st->lookup, "Source", st->lookup_table, BIT(A_BATCH_GET), 0);
		break;
	case STAGE_QUERY_DELETE:
	case STAGE_QUERY_PRUNE:
		grant(pol, target, "Target", ttable, BIT(A_QUERY) | BIT(A_BATCH_WRITE), 1);
		grant(pol, st->lookup, "Source", st->lookup_table, BIT(A_BATCH_GET), 0);
		break;
	case STAGE_DIFF:
	case STAGE_DIFF_EXTRAS:
		/* Reads one side, looks up the other; sync also writes (and deletes) in the target. */
		grant(pol, st->src, st->kind == STAGE_DIFF ? "Source" : "Target", st->src_table,
		      BIT(st->sel && selection_by_query(st->sel) ? A_QUERY : A_SCAN) |
		      (st->destructive && st->kind == STAGE_DIFF_EXTRAS ? BIT(A_BATCH_WRITE) : 0),
		      st->sel && selection_by_query(st->sel));
		grant(pol, st->lookup, st->kind == STAGE_DIFF ? "Target" : "Source", st->lookup_table,
		      BIT(A_BATCH_GET) | (st->destructive && st->kind == STAGE_DIFF ? BIT(A_BATCH_WRITE) : 0), 0);
		break;
	case STAGE_COPY:
		grant(pol, st->src, "Source", st->src_table, BIT(A_SCAN), 0);
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_BATCH_WRITE), 0);
		break;
	case STAGE_QUERY_COPY:
		/* An index that projects part of each item: the items are read whole. */
		grant(pol, st->src, "Source", st->src_table,
		      BIT(A_QUERY) | (pp->index ? BIT(A_BATCH_GET) : 0), 1);
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_BATCH_WRITE), 0);
		break;
	case STAGE_RESTORE_BACKUP:
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_RESTORE_BACKUP) | RESTORE_WRITES, 0);
		if (st->dst && st->arg && side_of(pol, st->dst, "Target"))
			add_extra(side_of(pol, st->dst, "Target"), xstrdup(st->arg));
		if (st->dst && pp->grants.lists_backups && side_of(pol, st->dst, "Target"))
			side_of(pol, st->dst, "Target")->actions |= BIT(A_LIST_BACKUPS);
		break;
	case STAGE_DELETE_TABLE:
		grant(pol, st->src, "Source", st->src_table, BIT(A_DELETE_TABLE), 0);
		break;
	case STAGE_EXPORT:
		grant(pol, st->src, "Source", st->src_table, BIT(A_SCAN), 0);
		break;
	case STAGE_IMPORT:
		/* A Scan of one item tells whether the table is empty (is the step destructive?). */
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_BATCH_WRITE) | BIT(A_SCAN), 0);
		break;
	case STAGE_QUERY:
		grant(pol, st->src, "Source", st->src_table, BIT(A_QUERY), 1);
		break;
	case STAGE_CUSTOM:
		grant_custom(pol, st, pp);
		break;
	case STAGE_COUNT:
		if (st->sel && selection_by_query(st->sel))
			grant(pol, st->src, "Source", st->src_table, BIT(A_QUERY), 1);
		else
			grant(pol, st->src, "Source", st->src_table, BIT(A_SCAN), 0);
		break;
	case STAGE_ENABLE_STREAM:
		grant(pol, st->src, "Source", st->src_table, BIT(A_UPDATE_TABLE), 0);
		break;
	case STAGE_FOLLOW:
		grant_stream(pol, st->src, st->src_table);
		grant(pol, st->dst, "Target", st->dst_table, BIT(A_BATCH_WRITE), 0);
		break;
	}
}

static cJSON *string_array(const char *const *v, int n)
{
	cJSON *a = cJSON_CreateArray();
	int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *actions_of(unsigned actions)
{
	cJSON *a = cJSON_CreateArray();
	char name[64];
	int i;

	for (i = 0; i < A_COUNT; i++)
		if (actions & BIT(i)) {
			snprintf(name, sizeof(name), "dynamodb:%s", action_names[i]);
			cJSON_AddItemToArray(a, cJSON_CreateString(name));
		}
	return a;
}

static void add_statement(cJSON *list, const char *sid, cJSON *actions, cJSON *resources)
{
	cJSON *st = cJSON_CreateObject();

	cJSON_AddStringToObject(st, "Sid", sid);
	cJSON_AddStringToObject(st, "Effect", "Allow");
	cJSON_AddItemToObject(st, "Action", actions);
	cJSON_AddItemToObject(st, "Resource", resources);
	cJSON_AddItemToArray(list, st);
}

static void add_other(cJSON *a, unsigned other)
{
	if (other & S3_LIST)
		cJSON_AddItemToArray(a, cJSON_CreateString("s3:ListBucket"));
	if (other & S3_GET)
		cJSON_AddItemToArray(a, cJSON_CreateString("s3:GetObject"));
	if (other & S3_PUT) {
		cJSON_AddItemToArray(a, cJSON_CreateString("s3:PutObject"));
		cJSON_AddItemToArray(a, cJSON_CreateString("s3:AbortMultipartUpload"));
		cJSON_AddItemToArray(a, cJSON_CreateString("s3:PutObjectAcl"));
	}
}

/* S3 (the bucket, for listing; the prefix's objects) and ImportTable's log group. */
static void other_statements(struct side *s, cJSON *list)
{
	cJSON *a, *r;
	struct buf arn = BUF_INIT;
	char sid[32];
	const char *part = partition(s->d->region);

	if ((s->other & (S3_LIST | S3_GET | S3_PUT)) && s->bucket) {
		a = cJSON_CreateArray();
		r = cJSON_CreateArray();
		add_other(a, s->other);
		if (s->other & S3_LIST) {
			buf_printf(&arn, "arn:%s:s3:::%s", part, s->bucket);
			cJSON_AddItemToArray(r, cJSON_CreateString(arn.data));
			buf_reset(&arn);
		}
		buf_printf(&arn, "arn:%s:s3:::%s/%s%s*", part, s->bucket, s->prefix,
			   s->prefix[0] && s->prefix[strlen(s->prefix) - 1] != '/' ? "/" : "");
		cJSON_AddItemToArray(r, cJSON_CreateString(arn.data));
		buf_reset(&arn);
		snprintf(sid, sizeof(sid), "%sS3", s->role);
		add_statement(list, sid, a, r);
	}
	if (s->other & IMPORT_LOGS) {
		static const char *const logs[] = {
			"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
			"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy",
		};

		buf_printf(&arn, "arn:%s:logs:%s:%s:log-group:/aws-dynamodb/*", part, s->d->region,
			   s->d->account[0] ? s->d->account : "*");
		snprintf(sid, sizeof(sid), "%sLogs", s->role);
		add_statement(list, sid, string_array(logs, 6), string_array((const char *const[]){ arn.data }, 1));
	}
	buf_release(&arn);
}

static void side_statements(struct side *s, cJSON *list)
{
	const char *res[2 * MAX_RESOURCES];
	char *owned[MAX_RESOURCES];
	char sid[32];
	int i, n = 0;

	for (i = 0; i < s->ntables; i++)
		res[n++] = owned[i] = table_arn(s->d, s->tables[i], NULL);
	for (i = 0; i < s->nextra; i++)
		res[n++] = s->extra[i];
	if (s->actions & ~UNSCOPED)
		add_statement(list, s->role, actions_of(s->actions & ~UNSCOPED), string_array(res, n));
	if (s->actions & UNSCOPED) {
		const char *all = "*";

		snprintf(sid, sizeof(sid), "%sList", s->role);
		add_statement(list, sid, actions_of(s->actions & UNSCOPED), string_array(&all, 1));
	}
	for (i = 0; i < s->ntables; i++)
		free(owned[i]);
	other_statements(s, list);
}

static void release(struct policy *pol)
{
	int i, k;

	for (i = 0; i < pol->n; i++)
		for (k = 0; k < pol->side[i].nextra; k++)
			free(pol->side[i].extra[k]);
	for (i = 0; i < pol->nurls; i++)
		s3_url_release(&pol->urls[i]);
}

/* Prints the policy as JSON on stdout, and on stderr whose each statement is. */
static void print_policy(struct policy *pol)
{
	cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
	char where[512];
	int i;

	static const char *const order[] = { "Source", "Target", "Table" };
	int k;

	cJSON_AddStringToObject(doc, "Version", "2012-10-17");
	if (pol->n == 1)
		pol->side[0].role = "Table";
	for (k = 0; k < 3; k++)
		for (i = 0; i < pol->n; i++) {
			struct side *s = &pol->side[i];

			if (strcmp(s->role, order[k]))
				continue;
			side_statements(s, list);
			msg_info("statement '%s' is for %s", s->role,
				 ddb_where(s->d, where, sizeof(where)));
		}
	cJSON_AddItemToObject(doc, "Statement", list);
	print_json_indented(doc);
	cJSON_Delete(doc);
}

void plan_print_policy(const struct plan *p)
{
	struct policy pol;
	int i;

	memset(&pol, 0, sizeof(pol));
	pol.index = p->params.index;
	for (i = 0; i < p->n; i++)
		grant_stage(&pol, &p->st[i], &p->params);
	print_policy(&pol);
	release(&pol);
}

void policy_print_simple(const struct ddb *d, const char *table, int describe, int tables,
			 int backups)
{
	struct policy pol;

	memset(&pol, 0, sizeof(pol));
	if (table && describe)
		grant(&pol, d, "Table", table, BIT(A_DESCRIBE_TTL), 0);
	if (tables || backups) {
		struct side *s = side_of(&pol, d, "Table");

		s->actions |= (tables ? BIT(A_LIST_TABLES) : 0) | (backups ? BIT(A_LIST_BACKUPS) : 0);
	}
	print_policy(&pol);
	release(&pol);
}
