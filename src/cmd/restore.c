/*
 * dynamo restore: put a table back as it was, from a copy made earlier
 * (--from-table: truncate, copy back, delete the copy), from an on-demand
 * backup (--backup-arn/--backup-name: RestoreTableFromBackup into a table
 * that must not exist) or from an export file (--from-file: truncate, import).
 */
#include "dynamo/cmd.h"
#include "dynamo/backups.h"
#include "dynamo/exitcode.h"
#include "dynamo/itemfile.h"
#include "dynamo/plan.h"

#include <stdio.h>
#include <string.h>

struct restore {
	struct ctx *ctx;
	struct ddb d;
	struct table_desc t, from;
	int have_t, have_from;
	char where[512];
	char arn[1024];
	struct item_reader *reader;
};

static int count_sources(const struct options *o)
{
	return !!o->from_table + !!o->backup_arn + !!o->backup_name + !!o->from_file;
}

static struct table_ref table_ref(const struct restore *r)
{
	return (struct table_ref){ &r->d, r->ctx->o.table, &r->t };
}

static struct table_ref copy_ref(const struct restore *r)
{
	return (struct table_ref){ &r->d, r->ctx->o.from_table, &r->from };
}

static void add_truncate(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	struct stage *s = plan_add_truncate(p, table_ref(r), o->segments);

	snprintf(s->what, sizeof(s->what), "delete every item of '%s' in %s (about %lld items)",
		 o->table, r->where, r->t.item_count);
}

static int plan_from_table(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	struct stage *s;

	if (table_name_check("--from-table", o->from_table, &r->ctx->eb) < 0 ||
	    table_describe(&r->d, o->from_table, &r->from, &r->ctx->eb) < 0)
		return -1;
	r->have_from = 1;
	if (!strcmp(o->from_table, o->table))
		return errf(&r->ctx->eb, EXIT_USAGE,
			    "--from-table must name another table than -t/--table");
	if (table_same_keys(&r->from, &r->t, r->where, r->where, &r->ctx->eb) < 0)
		return -1;
	/* Copy, then prune what the copy does not have (see prune.c), then drop it. */
	s = plan_add_copy(p, STAGE_COPY, "copy", copy_ref(r), table_ref(r));
	s->segments = o->segments ? o->segments : plan_write_segments(&r->from);
	s->destructive = 1;
	snprintf(s->what, sizeof(s->what), "put every item of '%s' into '%s' in %s (about %lld items)",
		 o->from_table, o->table, r->where, r->from.item_count);
	s = plan_add_prune(p, STAGE_PRUNE, table_ref(r), copy_ref(r), o->segments);
	snprintf(s->what, sizeof(s->what),
		 "delete the items of '%s' in %s that '%s' does not have (about %lld items now)",
		 o->table, r->where, o->from_table, r->t.item_count);
	if (!o->keep_source) {
		s = plan_add(p, STAGE_DELETE_TABLE, "drop");
		s->src = &r->d;
		s->src_table = o->from_table;
		s->destructive = 1;
		snprintf(s->what, sizeof(s->what),
			 "delete table '%s' in %s (pass --keep-source to keep it)",
			 o->from_table, r->where);
	}
	return 0;
}

static const char *summary_str(const cJSON *b, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The table in "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/backup/ID", or "". */
static void arn_table(const char *arn, char *out, size_t n)
{
	const char *t = strstr(arn, ":table/"), *end;

	out[0] = '\0';
	if (!t)
		return;
	t += strlen(":table/");
	end = strstr(t, "/backup/");
	if (end && (size_t)(end - t) < n) {
		memcpy(out, t, (size_t)(end - t));
		out[end - t] = '\0';
	}
}

/*
 * --backup-arn: the backup must be listed (by its table when the ARN names
 * one), so a wrong ARN is one clear line before anything is planned.
 */
static int check_backup_arn(struct restore *r)
{
	const char *arn = r->ctx->o.backup_arn;
	cJSON *list = cJSON_CreateArray();
	const cJSON *b;
	char table[300];
	int found = 0;

	arn_table(arn, table, sizeof(table));
	if (backups_list(&r->d, table[0] ? table : NULL, list, &r->ctx->eb) < 0) {
		cJSON_Delete(list);
		return -1;
	}
	cJSON_ArrayForEach(b, list) {
		const char *a = summary_str(b, "BackupArn");

		if (a && !strcmp(a, arn))
			found = 1;
	}
	cJSON_Delete(list);
	if (!found)
		return errf(&r->ctx->eb, EXIT_NOT_FOUND,
			    "--backup-arn '%s' is not a backup in %s (see dynamo backups -t %s)",
			    arn, r->where, table[0] ? table : "TABLE");
	snprintf(r->arn, sizeof(r->arn), "%s", arn);
	return 0;
}

/*
 * The tables that have a backup called name in list: 0, 1 or 2 (more than
 * one); *first is one of them.
 */
static int tables_with_backup(const cJSON *list, const char *name, const char **first)
{
	const cJSON *b;
	int n = 0;

	*first = NULL;
	cJSON_ArrayForEach(b, list) {
		const char *bn = summary_str(b, "BackupName"), *t = summary_str(b, "TableName");

		if (!bn || strcmp(bn, name) || !t)
			continue;
		if (!*first)
			*first = t, n = 1;
		else if (strcmp(*first, t))
			n = 2;
	}
	return n;
}

/*
 * --backup-name: the latest backup of that name of -t's table (a table
 * deleted and restored in place); failing that, of whichever table has
 * backups of that name, so a backup can be restored under another name.
 */
static int find_backup(struct restore *r)
{
	const struct options *o = &r->ctx->o;
	const cJSON *b, *arn;
	const char *owner;
	cJSON *list;
	int rc = 0;

	if (o->backup_arn)
		return check_backup_arn(r);
	list = cJSON_CreateArray();
	if (backups_list(&r->d, o->table, list, &r->ctx->eb) < 0)
		goto out_fail;
	b = backups_latest(list, o->backup_name);
	if (!b) {
		cJSON_Delete(list);
		list = cJSON_CreateArray();
		if (backups_list(&r->d, NULL, list, &r->ctx->eb) < 0)
			goto out_fail;
		if (tables_with_backup(list, o->backup_name, &owner) > 1) {
			rc = errf(&r->ctx->eb, EXIT_USAGE,
				  "backups named '%s' belong to several tables in %s: pick one with --backup-arn (see dynamo backups -t TABLE)",
				  o->backup_name, r->where);
			goto out;
		}
		b = backups_latest(list, o->backup_name);
	}
	arn = cJSON_GetObjectItemCaseSensitive(b, "BackupArn");
	if (!cJSON_IsString(arn))
		rc = errf(&r->ctx->eb, EXIT_NOT_FOUND,
			  "no backup named '%s' in %s, of table '%s' or any other (see dynamo backups -t TABLE)",
			  o->backup_name, r->where, o->table);
	else
		snprintf(r->arn, sizeof(r->arn), "%s", arn->valuestring);
out:
	cJSON_Delete(list);
	return rc;
out_fail:
	cJSON_Delete(list);
	return -1;
}

static int plan_from_backup(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	struct stage *s;

	if (r->have_t)
		return errf(&r->ctx->eb, EXIT_USAGE,
			    "table '%s' already exists in %s: a backup restores into a new table, so delete it first or restore under another name with -t",
			    o->table, r->where);
	if (find_backup(r) < 0)
		return -1;
	s = plan_add(p, STAGE_RESTORE_BACKUP, "restore");
	s->dst = &r->d;
	s->dst_table = o->table;
	s->arg = r->arn;
	snprintf(s->what, sizeof(s->what), "restore backup %s into a new table '%s' in %s",
		 r->arn, o->table, r->where);
	return 0;
}

static int plan_from_file(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	struct stage *s;

	if (item_reader_open(&r->reader, o->from_file, &r->ctx->eb) < 0)
		return -1;
	add_truncate(r, p);
	s = plan_add(p, STAGE_IMPORT, "import");
	s->dst = &r->d;
	s->dst_table = o->table;
	s->dst_desc = &r->t;
	s->arg = o->from_file;
	s->job_ctx = r->reader;
	s->file_next = item_reader_next;
	snprintf(s->what, sizeof(s->what), "write every item of '%s' into '%s' in %s",
		 o->from_file, o->table, r->where);
	return 0;
}

static int describe_target(struct restore *r)
{
	struct errbuf why = ERRBUF_INIT;

	if (table_describe(&r->d, r->ctx->o.table, &r->t, &why) == 0) {
		r->have_t = 1;
		return 0;
	}
	if (why.exit == EXIT_NOT_FOUND && (r->ctx->o.backup_arn || r->ctx->o.backup_name))
		return 0;
	r->ctx->eb = why;
	return -1;
}

int cmd_restore(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct restore r;
	struct plan p;
	int rc = -1, planned;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	if (ctx_need_table(ctx) < 0)
		return -1;
	if (count_sources(o) != 1)
		return errf(&ctx->eb, EXIT_USAGE,
			    "restore needs exactly one of --from-table TABLE, --backup-arn ARN, --backup-name NAME or --from-file FILE");
	if (ctx_open(ctx, &r.d, o->profile, o->region, o->endpoint_url) < 0)
		return -1;
	ddb_where(&r.d, r.where, sizeof(r.where));
	plan_init(&p, ctx, "restore");
	if (describe_target(&r) < 0)
		goto out;
	ddb_where(&r.d, r.where, sizeof(r.where));
	if (o->from_table)
		planned = plan_from_table(&r, &p);
	else if (o->from_file)
		planned = plan_from_file(&r, &p);
	else
		planned = plan_from_backup(&r, &p);
	if (planned < 0)
		goto out;
	p.concurrency = o->concurrency ? o->concurrency :
			plan_default_concurrency(r.have_t ? plan_default_segments(&r.t) : 4);
	rc = plan_run(&p);
out:
	plan_release(&p);
	item_reader_close(r.reader);
	if (r.have_t)
		table_desc_release(&r.t);
	if (r.have_from)
		table_desc_release(&r.from);
	ddb_close(&r.d);
	return rc;
}
