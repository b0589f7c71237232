/* What each kind of stage does. Data stages are jobs on the shared engine. */
#include "dynamo/stages.h"
#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/diff.h"
#include "dynamo/exitcode.h"
#include "dynamo/keyset.h"
#include "dynamo/plan_slice.h"
#include "dynamo/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stage_units(const struct plan *p, const struct stage *s)
{
	switch (s->kind) {
	case STAGE_TRUNCATE:
	case STAGE_COPY:
	case STAGE_EXPORT:
	case STAGE_PRUNE:
	case STAGE_PRUNE_KEYS:
	case STAGE_CUSTOM:
	case STAGE_DIFF:
	case STAGE_DIFF_EXTRAS:
		return s->segments;
	default:
		(void)p;
		return 0;
	}
}

/* ---- control plane ---- */

static int create_backup(struct plan *p, struct stage *s)
{
	struct errbuf *eb = p->params.eb;
	struct errbuf why = ERRBUF_INIT;
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	const cJSON *arn;
	const char *base;
	char name[300], stamp[32];
	int r;

	/* A table given as an ARN: its name after "table/" (backup names take no ':' or '/'). */
	base = strrchr(s->dst_table, '/') ? strrchr(s->dst_table, '/') + 1 : s->dst_table;
	clock_format_name(clock_wall(), stamp);
	snprintf(name, sizeof(name), "%.200s-%s", base, stamp);
	cJSON_AddStringToObject(body, "TableName", s->dst_table);
	cJSON_AddStringToObject(body, "BackupName", name);
	r = ddb_request_json(s->dst, DDB_TARGET("CreateBackup"), body, &resp, &why);
	cJSON_Delete(body);
	if (r < 0) {
		if (ddb_unsupported(&why))
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "cannot back up '%s' before overwriting it: the endpoint does not support backups (%s); pass --no-backup to go on without one",
				    s->dst_table, why.msg);
		return errf(eb, why.exit, "cannot back up '%s' before overwriting it: %s (pass --no-backup to go on without one)",
			    s->dst_table, why.msg);
	}
	arn = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(resp, "BackupDetails"), "BackupArn");
	/* No ARN, no backup: what follows would overwrite the table with nothing to go back to. */
	if (!cJSON_IsString(arn) || !*arn->valuestring) {
		cJSON_Delete(resp);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "CreateBackup of '%s' answered without BackupDetails.BackupArn, so there is no backup to rely on; stopping before anything is written (pass --no-backup to go on without one)",
			    s->dst_table);
	}
	snprintf(s->result, sizeof(s->result), "%s", arn->valuestring);
	cJSON_Delete(resp);
	msg_info("backed up '%s' as '%s' (%s)", s->dst_table, name, s->result);
	return 0;
}

/*
 * A table already gone is what the stage wanted: a run interrupted right
 * after DeleteTable (or whose answer was lost) goes on from there.
 */
static int delete_table(struct plan *p, struct stage *s)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	struct errbuf why = ERRBUF_INIT;
	int r;

	cJSON_AddStringToObject(body, "TableName", s->src_table);
	r = ddb_request_json(s->src, DDB_TARGET("DeleteTable"), body, &resp, &why);
	cJSON_Delete(body);
	cJSON_Delete(resp);
	if (r == 0) {
		msg_info("deleted table '%s'", s->src_table);
		return 0;
	}
	if (why.exit == EXIT_NOT_FOUND) {
		msg_info("table '%s' is already deleted", s->src_table);
		return 0;
	}
	*p->params.eb = why;
	return -1;
}

static int restore_backup(struct plan *p, struct stage *s)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	int r;

	cJSON_AddStringToObject(body, "TargetTableName", s->dst_table);
	cJSON_AddStringToObject(body, "BackupArn", s->arg);
	r = ddb_request_json(s->dst, DDB_TARGET("RestoreTableFromBackup"), body,
			     &resp, p->params.eb);
	cJSON_Delete(body);
	cJSON_Delete(resp);
	if (r < 0)
		return -1;
	msg_info("restoring '%s' from %s; waiting until it is ACTIVE", s->dst_table, s->arg);
	return table_wait_active(s->dst, s->dst_table, 3600, p->params.eb);
}

/* ---- data jobs ---- */

/*
 * Under --max-rcu a 1 MB page (256 units) could spend seconds of the cap
 * at once: pages are kept to half a second of it. The first Limit comes
 * from DescribeTable's average item size (4 KB, one unit an item, when the
 * table does not say: its figures lag by hours); each segment then adapts
 * its Limit to what its pages really cost.
 */
static void read_cap_pages(struct job *j, double max_rcu)
{
	const struct table_desc *t = j->in.desc;
	double avg = 4096, lim;

	j->in.page_units = max_rcu / 2 < 1 ? 1 : max_rcu / 2;
	if (t && t->item_count > 0 && t->size_bytes > 0)
		avg = (double)t->size_bytes / (double)t->item_count + 1;
	/* Eventually consistent reads cost half. */
	lim = j->in.page_units * (j->in.consistent ? 4096 : 8192) / avg;
	j->in.page_limit = lim < 1 ? 1 : lim > PAGE_LIMIT_MAX ? PAGE_LIMIT_MAX : (int)lim;
}

static void setup_job(struct plan *p, struct stage *s, struct job *j,
		      int ck_stage)
{
	job_init(j, s->name);
	j->in.ddb = s->src;
	j->in.table = s->src_table;
	j->in.desc = s->src_desc;
	j->out.ddb = s->dst;
	j->out.table = s->dst_table;
	j->out.desc = s->dst_desc;
	j->in.segments = s->segments;
	j->in.sel = s->sel && selection_restricts(s->sel) ? s->sel : NULL;
	j->out.transform = s->xf && transform_any(s->xf) ? s->xf : NULL;
	j->out.mask_key = s->mask_key;
	plan_slice_segments(p, s->segments, &j->in.seg_first, &j->in.seg_count);
	j->run.concurrency = p->concurrency;
	j->run.read_rate = &p->read_rate;
	j->run.write_rate = &p->write_rate;
	j->run.estimate = s->estimate;
	j->in.consistent = 1;
	if (p->ck && ck_stage >= 0 && stage_units(p, s)) {
		checkpoint_job_hooks(p->ck, ck_stage, &j->run.hooks);
	}
	if (p->params.max_rcu > 0)
		read_cap_pages(j, p->params.max_rcu);
}

/*
 * Why the stage stopped, and what is left: how many items read were not
 * handled and how to go on. A problem with the input (a malformed file,
 * a refused item) is not fixed by running again, so no resume hint then.
 */
static void describe_failure(struct plan *p, struct stage *s, struct job *j)
{
	uint64_t handled = j->st.c.written + j->st.c.deleted + j->st.c.saved;
	uint64_t left = j->st.c.read > handled ? j->st.c.read - handled : 0;
	/* Every segment or key was read to its end: nothing is "not read yet". */
	int all_read = source_all_read(j);
	int pruning = s->kind == STAGE_PRUNE || s->kind == STAGE_QUERY_PRUNE ||
		      s->kind == STAGE_PRUNE_KEYS;
	int exit = j->st.eb.exit ? j->st.eb.exit : EXIT_FAILURE_RUNTIME;
	int deleting = s->kind == STAGE_TRUNCATE || s->kind == STAGE_QUERY_DELETE ||
		       s->kind == STAGE_PRUNE || s->kind == STAGE_QUERY_PRUNE ||
		       s->kind == STAGE_PRUNE_KEYS;
	/* Export takes no --checkpoint: "run it again" is all there is to say. */
	int resumable = stage_units(p, s) > 0 && s->kind != STAGE_EXPORT;
	const char *ck = p->ck ? checkpoint_path(p->ck) : NULL;
	char more[600] = "";

	/*
	 * Running again helps when retries ran out or the run was stopped; not
	 * for a refused item. A prune reads every item of the target and deletes
	 * few: what it leaves is the items the source lacks, whose number it
	 * does not know.
	 */
	if (s->kind == STAGE_COUNT && (exit == EXIT_INCOMPLETE || exit == EXIT_INTERRUPTED))
		snprintf(more, sizeof(more), "; nothing was changed: run it again for the count");
	else if ((exit == EXIT_INCOMPLETE || exit == EXIT_INTERRUPTED) && pruning)
		snprintf(more, sizeof(more),
			 "; items the source lacks may still be in '%s': %s", s->dst_table,
			 ck ? "run the same command again to resume from the checkpoint" :
			 "run it again (with --checkpoint FILE a run resumes where it stopped)");
	else if (exit == EXIT_INCOMPLETE || exit == EXIT_INTERRUPTED)
		snprintf(more, sizeof(more),
			 "; %llu items read were not %s%s: %s",
			 (unsigned long long)left, deleting ? "deleted" : "written",
			 all_read ? "" : " and the rest were not read yet",
			 ck ? "run the same command again to resume from the checkpoint" :
			 resumable ? "run it again (with --checkpoint FILE a run resumes where it stopped)" :
			 "run it again");
	else if (exit == EXIT_FAILURE_RUNTIME && pruning)
		snprintf(more, sizeof(more), "; items the source lacks may still be in '%s'", s->dst_table);
	else if (exit == EXIT_FAILURE_RUNTIME && left)
		snprintf(more, sizeof(more), "; %llu items read were not %s",
			 (unsigned long long)left, deleting ? "deleted" : "written");
	if (ck && (exit == EXIT_INCOMPLETE || exit == EXIT_INTERRUPTED))
		snprintf(more + strlen(more), sizeof(more) - strlen(more), " '%s'", ck);
	if (exit == EXIT_INTERRUPTED)
		errf(p->params.eb, EXIT_INTERRUPTED, "%s interrupted%s", s->name, more);
	else
		errf(p->params.eb, exit, "%s%s", j->st.eb.msg, more);
}

/*
 * A scan that feeds writes (copy, truncate, prune) asks for pages of about
 * 128 KB instead of DynamoDB's 1 MB: a worker's writes then hold items of
 * some 30 pages from as many segments to interleave (mix.h), so every
 * partition of the target gets its share at once, and a checkpoint
 * advances every few hundred items rather than every few thousand.
 */
#define WRITE_PAGE_BYTES (128u << 10)

static int run_job(struct plan *p, struct stage *s, int ck_stage,
		   const struct source_ops *source, const struct sink_ops *sink, int keys_only)
{
	const struct stage_query *q = &s->query;
	struct job j;
	int r;

	setup_job(p, s, &j, ck_stage);
	j.in.ops = source;
	j.out.ops = sink;
	j.in.keys_only = keys_only;
	/* Pages bounded for writers; a count's pages carry no items (Select COUNT). */
	if (source == &scan_source && s->kind != STAGE_EXPORT && s->kind != STAGE_COUNT)
		j.in.page_bytes = WRITE_PAGE_BYTES;
	if (source == &query_source) {
		/* A query is what its selection says: one unit per --pk value. */
		if (!j.in.sel || !selection_by_query(j.in.sel)) {
			job_release(&j);
			return errf(p->params.eb, EXIT_FAILURE_RUNTIME,
				    "internal error: stage '%s' queries without --pk values", s->name);
		}
		j.in.pk_values = (const char *const *)j.in.sel->pk;
		j.in.npk = j.in.sel->npk;
		j.in.index = p->params.index;
	}
	if (s->kind == STAGE_QUERY) {
		/* One thread: the merge of several keys is ordered. */
		j.run.workers = 1;
		j.in.consistent = q->consistent;
		j.in.scan_forward = !q->descending;
		j.in.select_count = q->count;
		/*
		 * The merge of several keys holds up to two pages per key:
		 * pages of 1000 items keep it near 1 MB a key (16 shards of
		 * 1 MB pages measured 72 MB).
		 */
		if (j.in.npk > 1 && !q->count)
			j.in.page_limit = 1000;
		if (q->limit && q->limit < 1000)
			j.in.page_limit = (int)q->limit;
	}
	if (s->kind == STAGE_COUNT)
		j.in.select_count = 1;
	if (s->kind == STAGE_PRUNE || s->kind == STAGE_QUERY_PRUNE) {
		j.out.lookup = s->lookup;
		j.out.lookup_table = s->lookup_table;
		j.out.lookup_desc = s->lookup_desc;
		j.out.deletes = 1;
	}
	if (s->kind == STAGE_PRUNE_KEYS)
		j.out.deletes = 1;
	if (s->kind == STAGE_DIFF || s->kind == STAGE_DIFF_EXTRAS) {
		j.out.lookup = s->lookup;
		j.out.lookup_table = s->lookup_table;
		j.out.lookup_desc = s->lookup_desc;
		j.out.deletes = s->kind == STAGE_DIFF_EXTRAS;
		if (s->sample_count) {
			j.in.seg_first = s->sample_first;
			j.in.seg_count = s->sample_count;
		}
	}
	j.out.ctx = s->job_ctx;
	j.in.file_next = s->file_next;
	j.in.file_ctx = s->job_ctx;
	r = job_run(&j);
	s->c = j.st.c;
	if (r < 0)
		describe_failure(p, s, &j);
	job_release(&j);
	return r;
}

/* Whether the stage's selection is read with Queries (its --pk values), else a Scan. */
static int by_query(const struct stage *s)
{
	return s->sel && selection_by_query(s->sel);
}

int stage_run(struct plan *p, struct stage *s, int ck_stage)
{
	switch (s->kind) {
	case STAGE_CREATE_TABLE:
		return stage_create_table(p, s);
	case STAGE_BACKUP:
		return create_backup(p, s);
	case STAGE_TRUNCATE:
		return run_job(p, s, ck_stage, &scan_source, &batch_delete_ops, 1);
	case STAGE_COPY:
		return run_job(p, s, ck_stage, &scan_source, &batch_writer_ops, 0);
	case STAGE_QUERY_DELETE:
		return run_job(p, s, -1, &query_source, &batch_delete_ops, 1);
	case STAGE_QUERY_COPY:
		return run_job(p, s, -1, &query_source, s->sink ? s->sink : &batch_writer_ops, 0);
	case STAGE_RESTORE_BACKUP:
		return restore_backup(p, s);
	case STAGE_DELETE_TABLE:
		return delete_table(p, s);
	case STAGE_EXPORT:
		return run_job(p, s, ck_stage, &scan_source, s->sink, 0);
	case STAGE_IMPORT:
		return run_job(p, s, -1, &file_source, &batch_writer_ops, 0);
	case STAGE_QUERY:
		return run_job(p, s, -1, &query_source, s->sink, 0);
	case STAGE_PRUNE:
		s->sink = &prune_ops;
		return run_job(p, s, ck_stage, &scan_source, s->sink, 1);
	case STAGE_QUERY_PRUNE:
		s->sink = &prune_ops;
		return run_job(p, s, -1, &query_source, s->sink, 1);
	case STAGE_COUNT:
		return run_job(p, s, -1, by_query(s) ? &query_source : &scan_source,
			       s->sink, 0);
	case STAGE_PRUNE_KEYS:
		s->sink = &keyset_prune_ops;
		return run_job(p, s, ck_stage, &scan_source, s->sink, 1);
	case STAGE_CUSTOM:
		return s->run(p, s, ck_stage);
	case STAGE_ENABLE_STREAM:
		return stage_enable_stream(p, s);
	case STAGE_FOLLOW:
		return stage_follow(p, s, ck_stage);
	case STAGE_DIFF:
		s->sink = &diff_ops;
		return run_job(p, s, ck_stage, by_query(s) ? &query_source :
			       &scan_source, s->sink, 0);
	case STAGE_DIFF_EXTRAS:
		s->sink = &diff_extras_ops;
		return run_job(p, s, ck_stage, by_query(s) ? &query_source :
			       &scan_source, s->sink, 1);
	}
	return errf(p->params.eb, EXIT_FAILURE_RUNTIME, "internal error: unknown stage");
}
