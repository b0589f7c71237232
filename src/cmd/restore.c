/*
 * dynamo restore: put a table back as it was, from a copy made earlier
 * (--from-table: copy back, prune, delete the copy), from an on-demand
 * backup (--backup-arn/--backup-name: RestoreTableFromBackup into a table
 * that must not exist) or from an export file (--from-file: back up, put
 * every item of the file, then delete the table's items the file lacks).
 * --point-in-time is RestoreTableToPointInTime into a new table (restore_pitr.c).
 */
#include "dynamo/cmd.h"
#include "dynamo/cmd_native.h"
#include "dynamo/backups.h"
#include "dynamo/exitcode.h"
#include "dynamo/itemfile.h"
#include "dynamo/keyset.h"
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
	struct keyset *keys;		/* the file's keys, for the prune */
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

/*
 * A run killed just after it deleted the copy left a checkpoint with the
 * copy and the prune done and the drop not: the copy is gone, and that is
 * what the run was doing, not a missing table (which stopped every rerun
 * with exit 4 and kept the checkpoint for ever).
 */
static int from_table_dropped(struct restore *r, struct plan *p)
{
	struct errbuf why = ERRBUF_INIT;
	struct table_desc t;

	if (r->ctx->o.keep_source || plan_peek_checkpoint(p) < 0 ||
	    plan_resumed_stage(p, "copy") != 1 || plan_resumed_stage(p, "prune") != 1 ||
	    plan_resumed_stage(p, "drop") != 0)
		return 0;
	if (table_describe(&r->d, r->ctx->o.from_table, &t, &why) == 0) {
		table_desc_release(&t);
		return 0;
	}
	return why.exit == EXIT_NOT_FOUND;
}

static int plan_from_table(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	struct stage *s;

	if (table_name_check("--from-table", o->from_table, &r->ctx->eb) < 0)
		return -1;
	if (!strcmp(o->from_table, o->table))
		return errf(&r->ctx->eb, EXIT_USAGE,
			    "--from-table must name another table than -t/--table");
	if (from_table_dropped(r, p)) {
		msg_info("'%s' was deleted by the run being resumed: only the drop is left", o->from_table);
	} else if (table_describe(&r->d, o->from_table, &r->from, &r->ctx->eb) < 0) {
		return -1;
	} else {
		r->have_from = 1;
		if (table_same_keys(&r->from, &r->t, r->where, r->where, &r->ctx->eb) < 0)
			return -1;
	}
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

/*
 * --from-file, in the order that never leaves the table worse than the
 * file: a backup, then every item of the file put, and only after the whole
 * file was read and written, the table's items whose keys the file lacks
 * deleted. The keys are recorded as the file is read (keyset.c: bounded
 * memory, and standard input is read once); a file that turns out cut
 * short, damaged or refused stops the restore before anything is deleted.
 */
static const char *next_item(void *ctx, struct slice *item, struct errbuf *eb)
{
	struct restore *r = ctx;
	const char *p = file_item_next(r->reader, &r->t, strcmp(r->ctx->o.from_file, "-") ?
				       r->ctx->o.from_file : "stdin", item, eb);

	if (p && keyset_add(r->keys, *item, eb) < 0) {
		struct errbuf why = *eb;

		errbuf_clear(eb);
		errf(eb, why.exit, "line %llu of '%s': %s", (unsigned long long)item_reader_line(r->reader),
		     r->ctx->o.from_file, why.msg);
		return NULL;
	}
	return p;
}

/*
 * Before the prune: the key set holds every key of the file. When the
 * import was done by an earlier run (a checkpoint), the file is read again
 * for its keys only.
 */
static int keys_ready(struct plan *p, struct stage *s)
{
	struct restore *r = s->prepare_arg;
	struct errbuf *eb = p->params.eb;
	struct slice item;

	if (!item_reader_complete(r->reader)) {
		msg_info("reading the keys of '%s' for the prune (its items were written by an earlier run)",
			 r->ctx->o.from_file);
		keyset_reset(r->keys);
		while (next_item(r, &item, eb))
			;
		if (eb->set)
			return -1;
	}
	return keyset_seal(r->keys, eb);
}

static int plan_from_file(struct restore *r, struct plan *p)
{
	const struct options *o = &r->ctx->o;
	const char *file = strcmp(o->from_file, "-") ? o->from_file : "stdin";
	struct stage *s;
	int empty = 1, items;

	/* A file that is not an export is refused before anything is planned. */
	if (item_reader_open(&r->reader, o->from_file, &r->ctx->eb) < 0 ||
	    (items = item_reader_peek(r->reader, &r->ctx->eb)) < 0 ||
	    plan_table_empty(&r->d, &r->t, &empty, &r->ctx->eb) < 0)
		return -1;
	r->keys = keyset_new(&r->t);
	if (!o->no_backup) {
		s = plan_add(p, STAGE_BACKUP, "backup");
		s->dst = &r->d;
		s->dst_table = o->table;
		snprintf(s->what, sizeof(s->what), "on-demand backup of '%s' in %s", o->table, r->where);
	}
	s = plan_add(p, STAGE_IMPORT, "import");
	s->dst = &r->d;
	s->dst_table = o->table;
	s->dst_desc = &r->t;
	s->arg = o->from_file;
	s->job_ctx = r;
	s->file_next = next_item;
	s->destructive = !empty;
	snprintf(s->what, sizeof(s->what), "%s every item of %s into '%s' in %s",
		 empty ? "write" : "put (over items with the same keys)", file, o->table, r->where);
	if (empty)
		return 0;
	s = plan_add(p, STAGE_PRUNE_KEYS, "prune");
	s->optional = 1;	/* planned only when the table held items */
	s->src = s->dst = &r->d;
	s->src_table = s->dst_table = o->table;
	s->src_desc = s->dst_desc = &r->t;
	s->segments = o->segments ? o->segments : plan_default_segments(&r->t);
	s->destructive = 1;
	s->job_ctx = r->keys;
	s->prepare = keys_ready;
	s->prepare_arg = r;
	snprintf(s->what, sizeof(s->what), items ?
		 "then delete the items of '%s' in %s whose keys %s does not have (the table holds about %lld items)" :
		 "then delete every item of '%s' in %s: %s holds no items (the table holds about %lld)",
		 o->table, r->where, file, r->t.item_count);
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
	if (ctx_need_table(ctx) < 0 || ctx_table_name_only(ctx, "restore") < 0)
		return -1;
	if (o->point_in_time_set && !count_sources(o))
		return cmd_restore_pitr(ctx);
	if (o->point_in_time_set || o->target_table)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--point-in-time TIME --target-table NEW is a restore of its own: give it without --from-table, --backup-arn, --backup-name or --from-file");
	if (count_sources(o) != 1)
		return errf(&ctx->eb, EXIT_USAGE,
			    "restore needs exactly one of --from-table TABLE, --backup-arn ARN, --backup-name NAME, --from-file FILE or --point-in-time TIME --target-table NEW");
	if (ctx_open(ctx, &r.d, o->profile, o->region, o->endpoint_url) < 0)
		return -1;
	ddb_where(&r.d, r.where, sizeof(r.where));
	ctx_plan_init(ctx, &p, "restore");
	/* The checkpoint's identity, known before the plan (it may be read while planning). */
	p.source = p.target = &r.d;
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
	keyset_free(r.keys);
	if (r.have_t)
		table_desc_release(&r.t);
	if (r.have_from)
		table_desc_release(&r.from);
	ddb_close(&r.d);
	return rc;
}
