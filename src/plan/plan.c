#include "dynamo/plan.h"
#include "dynamo/plan_slice.h"
#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_print.h"
#include "dynamo/json_scan.h"
#include "dynamo/redact.h"
#include "dynamo/response.h"
#include "dynamo/stages.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plan_init(struct plan *p, const struct plan_params *params, const char *command)
{
	memset(p, 0, sizeof(*p));
	p->command = command;
	p->params = *params;
	rate_init(&p->read_rate, params->max_rcu, "read");
	rate_init(&p->write_rate, params->max_wcu, "write");
}

/* Tells the command that a JSON result, or the step summary, is out. */
void plan_mark_done(int *flag)
{
	if (flag)
		*flag = 1;
}

void plan_release(struct plan *p)
{
	checkpoint_free(p->ck);
	rate_release(&p->read_rate);
	rate_release(&p->write_rate);
}

void plan_warn(struct plan *p, const char *fmt, ...)
{
	char msg[sizeof(p->warnings[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	redact_str(msg, sizeof(msg));
	msg_warn("%s", msg);
	if (p->nwarnings < (int)(sizeof(p->warnings) / sizeof(p->warnings[0])))
		memcpy(p->warnings[p->nwarnings], msg, sizeof(msg));
	p->nwarnings++;
}

struct stage *plan_add(struct plan *p, enum stage_kind kind, const char *name)
{
	struct stage *s = &p->st[p->n++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = name;
	return s;
}

struct stage *plan_add_copy(struct plan *p, enum stage_kind kind, const char *name,
			    struct table_ref from, struct table_ref to)
{
	struct stage *s = plan_add(p, kind, name);

	s->src = from.d;
	s->src_table = from.name;
	s->src_desc = from.desc;
	s->dst = to.d;
	s->dst_table = to.name;
	s->dst_desc = to.desc;
	s->estimate = from.desc ? (uint64_t)from.desc->item_count : 0;
	return s;
}

struct stage *plan_add_truncate(struct plan *p, struct table_ref t, int segments)
{
	struct stage *s = plan_add_copy(p, STAGE_TRUNCATE, "truncate", t, t);

	s->segments = segments ? segments : plan_write_segments(t.desc);
	s->destructive = 1;
	return s;
}

struct stage *plan_add_prune(struct plan *p, enum stage_kind kind,
			     struct table_ref target, struct table_ref source,
			     int segments)
{
	struct stage *s = plan_add_copy(p, kind, "prune", target, target);

	s->lookup = source.d;
	s->lookup_table = source.name;
	s->lookup_desc = source.desc;
	if (kind == STAGE_PRUNE)
		s->segments = segments ? segments : plan_write_segments(target.desc);
	s->destructive = 1;
	return s;
}

/* Segments: about one per 100k items, at least 4 (measured: bench/README.md). */
int plan_default_segments(const struct table_desc *t)
{
	long long n = t ? t->item_count : 0;
	long long by_size = t ? t->size_bytes / (64LL << 20) : 0;
	long long s = n / 100000;

	if (by_size > s)
		s = by_size;
	if (s < 4)
		s = 4;
	if (s > 1000)
		s = 1000;
	return (int)s;
}

/*
 * A scan whose items are written (copy, truncate, prune, restore from a
 * table) takes at least 64 segments: the segments walk the key space side
 * by side, and the writer interleaves their pages (mix.h), so writes reach
 * every partition of the target at once as long as it has fewer partitions
 * than that (one per 1,000 WCU or 10 GB; a scan of few segments keeps all
 * but a few partitions idle, whatever its concurrency).
 */
#define WRITE_SEGMENTS 64

int plan_write_segments(const struct table_desc *t)
{
	int s = plan_default_segments(t);

	return s > WRITE_SEGMENTS ? s : WRITE_SEGMENTS;
}

/*
 * 128 requests in flight whatever the table's size: measured against ddbsim
 * at 10 ms latency, throughput rises with concurrency up to 128 and memory
 * follows concurrency, not the table (so a 100k-item and a 1M-item copy peak
 * alike). Throttling is handled by the adaptive rate, not by a small default.
 */
int plan_default_concurrency(int segments)
{
	(void)segments;
	return 128;
}

/* A Scan page must have Items and Count, or "empty" would rest on nothing. */
static int check_scan_page(struct http_call *c, char *why, size_t n)
{
	struct ddb_page pg;

	return ddb_page_parse((struct slice){ c->resp.data ? c->resp.data : "", c->resp.len },
			      0, &pg, why, n);
}

int plan_table_empty(const struct ddb *d, const struct table_desc *t,
		     int *empty, struct errbuf *eb)
{
	struct buf body = BUF_INIT;
	const cJSON *items;
	cJSON *resp = NULL;
	int r;

	buf_puts(&body, "{\"TableName\":");
	buf_json_str(&body, t->name, strlen(t->name));
	buf_puts(&body, ",\"Limit\":1,\"ProjectionExpression\":\"#k\",\"ExpressionAttributeNames\":{\"#k\":");
	buf_json_str(&body, t->hash.name, strlen(t->hash.name));
	buf_puts(&body, "}}");
	r = ddb_request_checked(d, DDB_TARGET("Scan"), body.data, check_scan_page, &resp, eb);
	buf_release(&body);
	if (r < 0)
		return -1;
	items = cJSON_GetObjectItemCaseSensitive(resp, "Items");
	*empty = !cJSON_GetArraySize(items) &&
		 !cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedKey");
	cJSON_Delete(resp);
	return 0;
}

/* ---- permissions, checked before anything is written ---- */

/* A key attribute with a value of its type that no one would give an item. */
static void probe_key_attr(struct buf *b, const struct key_attr *k)
{
	buf_json_str(b, k->name, strlen(k->name));
	buf_puts(b, k->type == 'N' ? ":{\"N\":\"0\"}" :
		    k->type == 'B' ? ":{\"B\":\"ZHluYW1vLXBlcm1pc3Npb24tY2hlY2s=\"}" :
		    ":{\"S\":\"dynamo-permission-check\"}");
}

/* The probe's answer has what every BatchGetItem answer has, or it is malformed (retried). */
static int check_probe_answer(struct http_call *c, char *why, size_t n)
{
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len }, v;

	if (!js_valid(resp) || js_find(resp, "Responses", &v) != 1 || *v.p != '{' ||
	    js_find(resp, "UnprocessedKeys", &v) != 1 || *v.p != '{') {
		snprintf(why, n, "a BatchGetItem answer without Responses and UnprocessedKeys");
		return -1;
	}
	return 0;
}

/*
 * A BatchGetItem of one key on the prune's lookup side: the prune runs
 * after the copy has written, and a role without BatchGetItem there would
 * fail it only then, with the target already changed.
 */
static int probe_batch_get(const struct ddb *d, const struct table_desc *t, struct errbuf *eb)
{
	struct buf body = BUF_INIT;
	cJSON *resp = NULL;
	int r;

	buf_puts(&body, "{\"RequestItems\":{");
	buf_json_str(&body, t->name, strlen(t->name));
	buf_puts(&body, ":{\"Keys\":[{");
	probe_key_attr(&body, &t->hash);
	if (t->range.name) {
		buf_putc(&body, ',');
		probe_key_attr(&body, &t->range);
	}
	buf_puts(&body, "}]}}}");
	r = ddb_request_checked(d, DDB_TARGET("BatchGetItem"), body.data, check_probe_answer, &resp, eb);
	buf_release(&body);
	cJSON_Delete(resp);
	return r;
}

/*
 * What a later stage needs that a cheap read can prove now, before the
 * first stage changes anything: the prune's lookups on the source, and its
 * scan of the target.
 */
static int check_permissions(struct plan *p)
{
	int i, empty;

	for (i = 0; i < p->n; i++) {
		const struct stage *s = &p->st[i];

		/* A stage an earlier run finished, or whose tables are not described (gone): nothing to prove. */
		if ((s->kind != STAGE_PRUNE && s->kind != STAGE_QUERY_PRUNE) || s->skipped)
			continue;
		if (s->lookup && s->lookup_desc && s->lookup_desc->name &&
		    probe_batch_get(s->lookup, s->lookup_desc, p->params.eb) < 0)
			return -1;
		if (s->kind == STAGE_PRUNE && s->dst && s->dst_desc && s->dst_desc->name &&
		    plan_table_empty(s->dst, s->dst_desc, &empty, p->params.eb) < 0)
			return -1;
	}
	return 0;
}

/* ---- --dry-run ---- */

/* A prune reads the target's keys, and checks them against the source: its source is the lookup's. */
/* A diff's first stage reads the source and looks up in the target: its source is its own. */
const struct ddb *stage_source(const struct stage *s)
{
	return s->lookup && s->kind != STAGE_DIFF ? s->lookup : s->src;
}

const char *stage_source_table(const struct stage *s)
{
	return s->lookup && s->kind != STAGE_DIFF ? s->lookup_table : s->src_table;
}

void plan_stage_sides_json(const struct stage *s, cJSON *x)
{
	if (stage_source(s) && stage_source_table(s))
		cJSON_AddItemToObject(x, "source", plan_side_json(stage_source(s), stage_source_table(s)));
	if (s->dst && s->dst_table)
		cJSON_AddItemToObject(x, "target", plan_side_json(s->dst, s->dst_table));
}

void plan_set_cost(struct plan *p, const struct cost_input *in)
{
	cost_compare(in, &p->cost);
	p->has_cost = 1;
}

static cJSON *cost_path_json(const struct cost_path *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "usd", round(c->usd * 100) / 100);
	cJSON_AddNumberToObject(o, "seconds", round(c->seconds));
	return o;
}

static void cost_json(const struct plan *p, cJSON *o)
{
	cJSON *e;

	if (!p->has_cost)
		return;
	e = cJSON_AddObjectToObject(o, "estimate");
	cJSON_AddItemToObject(e, "scan_write", cost_path_json(&p->cost.copy));
	cJSON_AddItemToObject(e, p->cost.via_writes ? "export_write" : "export_import",
			      cost_path_json(&p->cost.via));
	cJSON_AddStringToObject(e, "prices", p->cost.prices);
}

static void print_plan_json(const struct plan *p)
{
	cJSON *o = cJSON_CreateObject(), *stages = cJSON_CreateArray();
	int i;

	cJSON_AddStringToObject(o, "command", p->command);
	cJSON_AddBoolToObject(o, "dry_run", 1);
	for (i = 0; i < p->n; i++) {
		cJSON *st = cJSON_CreateObject();

		cJSON_AddStringToObject(st, "name", p->st[i].name);
		cJSON_AddStringToObject(st, "what", p->st[i].what);
		plan_stage_sides_json(&p->st[i], st);
		cJSON_AddBoolToObject(st, "destructive", p->st[i].destructive);
		if (p->st[i].segments)
			cJSON_AddNumberToObject(st, "segments", p->st[i].segments);
		if (p->st[i].estimate)
			cJSON_AddNumberToObject(st, "estimated_items", (double)p->st[i].estimate);
		plan_stage_fields_json(&p->st[i], st);
		cJSON_AddItemToArray(stages, st);
	}
	cJSON_AddItemToObject(o, "stages", stages);
	cost_json(p, o);
	cJSON_AddNumberToObject(o, "concurrency", p->concurrency);
	print_json_line(o);
	cJSON_Delete(o);
}

static void print_plan(const struct plan *p)
{
	char label[64];
	int i;

	if (p->params.json) {
		print_plan_json(p);
		plan_mark_done(p->params.json_done);
		return;
	}

	printf("plan for dynamo %s%s (dry run: nothing is changed)\n", p->command,
	       plan_slice_label(p, label, sizeof(label)));
	for (i = 0; i < p->n; i++)
		printf("  %d. %-9s %s%s%s%s\n", i + 1, p->st[i].name, p->st[i].what,
		       p->st[i].skipped ? " [not in this run: " : "", p->st[i].result,
		       p->st[i].skipped ? "]" : "");
	if (p->params.slice.k) {
		int first, count;

		plan_slice_segments(p, p->params.segments, &first, &count);
		printf("slice %d/%d: segments %d to %d of %d\n", p->params.slice.i, p->params.slice.k,
		       first, first + count - 1, p->params.segments);
	}
	if (p->has_cost) {
		char line[1024];

		cost_format(&p->cost, line, sizeof(line));
		printf("estimate: %s\n", line);
	}
	/* A plan of control-plane steps only (DynamoDB's export) sends no data requests. */
	if (!p->concurrency)
		return;
	printf("concurrency %d", p->concurrency);
	if (p->params.max_rcu > 0)
		printf(", at most %.0f RCU/s", p->params.max_rcu);
	if (p->params.max_wcu > 0)
		printf(", at most %.0f WCU/s", p->params.max_wcu);
	printf("\n");
}

/*
 * Asks before a destructive step. On a terminal, prompts with what (the
 * thing to be destroyed) and wants "y"; elsewhere refuses unless --yes.
 * Returns 0 to go ahead, -1 (eb set, EXIT_REFUSED) otherwise.
 */
static int ask(const struct plan_params *pp, const char *what)
{
	char answer[16];
	FILE *tty;

	if (pp->yes || pp->dry_run)
		return 0;
	if (!pp->may_prompt)
		return errf(pp->eb, EXIT_REFUSED,
			    "refusing to %s without confirmation: pass --yes (this is not a terminal)",
			    what);
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return errf(pp->eb, EXIT_REFUSED,
			    "refusing to %s: cannot open /dev/tty to ask (pass --yes)",
			    what);
	fprintf(tty, "dynamo: about to %s. Continue? [y/N] ", what);
	fflush(tty);
	if (!fgets(answer, sizeof(answer), tty) ||
	    (answer[0] != 'y' && answer[0] != 'Y')) {
		fclose(tty);
		return errf(pp->eb, EXIT_REFUSED, "stopped: nothing was changed");
	}
	fclose(tty);
	return 0;
}

static int confirm(struct plan *p)
{
	struct buf what = BUF_INIT;
	int i, r, n = 0;

	for (i = 0; i < p->n; i++) {
		if (!p->st[i].destructive)
			continue;
		buf_printf(&what, "%s%s", n++ ? "; then " : "", p->st[i].what);
	}
	if (!n)
		return 0;
	r = ask(&p->params, what.data);
	buf_release(&what);
	return r;
}

/* ---- checkpoint ---- */

static void add_where(cJSON *j, const char *key, const struct ddb *d)
{
	char where[512];

	if (d)
		cJSON_AddStringToObject(j, key, ddb_identity(d, where, sizeof(where)));
}

static void add_str(cJSON *j, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(j, key, v);
}

/*
 * What the job is, from what the user asked for (and the accounts it
 * resolved to), not from the tables' state: a resumed run sees an emptied
 * or newly created target, and must still be recognised as the same job.
 */
static cJSON *job_intent(const struct plan *p)
{
	const struct plan_intent *o = &p->params.intent;
	const struct ddb *src = p->source, *dst = p->target;
	cJSON *j = cJSON_CreateObject();
	int i;

	for (i = 0; i < p->n; i++) {
		if (!src)
			src = p->st[i].src ? p->st[i].src : p->st[i].dst;
		if (!p->target && p->st[i].dst)
			dst = p->st[i].dst;
	}
	cJSON_AddStringToObject(j, "command", p->command);
	add_str(j, "table", o->table);
	add_str(j, "target_table", o->target_table);
	add_where(j, "source", src);
	add_where(j, "target", dst);
	cJSON_AddNumberToObject(j, "segments", p->params.segments);
	if (o->npk) {
		cJSON *pks = cJSON_CreateArray();

		for (i = 0; i < o->npk; i++)
			cJSON_AddItemToArray(pks, cJSON_CreateString(o->pk[i]));
		cJSON_AddItemToObject(j, "pk", pks);
	}
	add_str(j, "sk", o->sk);
	add_str(j, "index", o->index);
	add_str(j, "from_table", o->from_table);
	add_str(j, "from_file", o->from_file);
	add_str(j, "backup_arn", o->backup_arn);
	add_str(j, "backup_name", o->backup_name);
	add_str(j, "file", o->file);
	if (p->params.slice.k) {
		char slice[32];

		snprintf(slice, sizeof(slice), "%d/%d", p->params.slice.i, p->params.slice.k);
		cJSON_AddStringToObject(j, "slice", slice);
	}
	cJSON_AddBoolToObject(j, "no_truncate", o->no_truncate);
	cJSON_AddBoolToObject(j, "no_backup", o->no_backup);
	cJSON_AddBoolToObject(j, "create_target", o->create_target);
	/* Which items and what is done to them: resuming with others would mix two jobs. */
	for (i = 0; i < p->n; i++)
		if ((p->st[i].sel && selection_restricts(p->st[i].sel)) ||
		    (p->st[i].xf && transform_any(p->st[i].xf))) {
			plan_stage_fields_json(&p->st[i], j);
			break;
		}
	/* Only when following: checkpoints of other copies keep their identity. */
	if (o->follow)
		cJSON_AddBoolToObject(j, "follow", 1);
	return j;
}

/* Every stage name a plan may have: a checkpoint naming another is not dynamo's. */
static int known_stage(const char *name)
{
	static const char *const names[] = {
		"create", "backup", "copy", "prune", "truncate", "restore", "drop",
		"export", "import", "query", "stream", "follow", "diff", "diff-extras",
		"verify", "verify-extras", "sync", "sync-extras", NULL
	};
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/*
 * A resumed run checks the checkpoint against the job it claims to resume:
 * every stage this run plans whatever the tables hold must be there (a
 * checkpoint without the copy stage would skip the copy), a scan stage must
 * have its segments (with "units":[] a copy would read nothing and say
 * done), and every stage it names must be one dynamo plans.
 */
static int check_resumed(struct plan *p)
{
	const char *path = checkpoint_path(p->ck);
	int i, segments = p->params.segments;

	for (i = 0; i < checkpoint_nstages(p->ck); i++)
		if (!known_stage(checkpoint_stage_name(p->ck, i)))
			return errf(p->params.eb, EXIT_USAGE,
				    "checkpoint '%s' is damaged: it names a stage '%.100s' that no dynamo job has (remove it to start over)",
				    path, checkpoint_stage_name(p->ck, i));
	for (i = 0; i < p->n; i++) {
		const struct stage *s = &p->st[i];
		int k = checkpoint_find_stage(p->ck, s->name), n;

		if (k < 0 && !s->optional)
			return errf(p->params.eb, EXIT_USAGE,
				    "checkpoint '%s' does not match this job: it has no '%s' stage, which this job always runs (remove it to start over)",
				    path, s->name);
		if (k < 0 || !stage_units(p, s))
			continue;
		n = checkpoint_stage_units(p->ck, k);
		if (n < 1 || (segments && n != segments))
			return errf(p->params.eb, EXIT_USAGE,
				    "checkpoint '%s' does not match this job: its '%s' stage has %d segments%s (remove it to start over)",
				    path, s->name, n, segments ? ", not the --segments given" : "");
	}
	return 0;
}

/*
 * A fresh checkpoint records the plan before anything runs. A resumed run
 * follows the recorded plan, not the one the tables' state suggests now:
 * a stage the first run did not plan is dropped (truncating a target the
 * first run created and half filled would lose those items), a stage only
 * the first run planned is done already (the target it created exists, the
 * target it emptied is empty), and scan stages keep their segment counts.
 */
static int align_with_checkpoint(struct plan *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (stage_units(p, &p->st[i]) > CHECKPOINT_MAX_UNITS)
			return errf(p->params.eb, EXIT_USAGE,
				    "--checkpoint keeps at most %d units a stage, and %s has %d: run it without --checkpoint",
				    CHECKPOINT_MAX_UNITS, p->st[i].name, stage_units(p, &p->st[i]));
	if (checkpoint_resuming(p->ck) && check_resumed(p) < 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		struct stage *s = &p->st[i];
		int k = checkpoint_find_stage(p->ck, s->name);

		if (!checkpoint_resuming(p->ck)) {
			checkpoint_stage(p->ck, s->name, stage_units(p, s));
			continue;
		}
		if (k < 0) {
			s->skipped = 1;
			msg_info("%s: not part of the run being resumed, skipping", s->name);
		} else if (stage_units(p, s)) {
			s->segments = checkpoint_stage_units(p->ck, k);
		}
	}
	return 0;
}

int plan_peek_checkpoint(struct plan *p)
{
	if (!p->params.checkpoint || p->ck)
		return 0;
	return checkpoint_open(&p->ck, p->params.checkpoint, job_intent(p), p->params.eb);
}

int plan_resumed_stage(struct plan *p, const char *name)
{
	int k;

	if (!p->ck || !checkpoint_resuming(p->ck) || (k = checkpoint_find_stage(p->ck, name)) < 0)
		return -1;
	return checkpoint_stage_done(p->ck, k);
}

static int open_checkpoint(struct plan *p)
{
	if (!p->params.checkpoint)
		return 0;
	if (plan_peek_checkpoint(p) < 0)
		return -1;
	if (align_with_checkpoint(p) < 0)
		return -1;
	if (checkpoint_resuming(p->ck))
		msg_info("resuming from checkpoint '%s'", p->params.checkpoint);
	return checkpoint_save(p->ck, 1, p->params.eb);
}

/* ---- running ---- */

static int run_stage(struct plan *p, struct stage *s, int index)
{
	int ck_stage = -1, r;
	uint64_t t0 = clock_mono_us();

	if (s->skipped)
		return 0;
	if (p->ck) {
		ck_stage = checkpoint_stage(p->ck, s->name,
					    stage_units(p, s));
		if (checkpoint_stage_done(p->ck, ck_stage)) {
			s->skipped = 1;
			msg_info("%s: done by an earlier run (checkpoint), skipping", s->name);
			return 0;
		}
	}
	r = s->prepare ? s->prepare(p, s) : 0;
	if (r == 0)
		r = stage_run(p, s, ck_stage);
	s->seconds = (double)(clock_mono_us() - t0) / 1e6;
	if (r == 0 && p->ck &&
	    checkpoint_finish_stage(p->ck, ck_stage, p->params.eb) < 0)
		return -1;
	(void)index;
	return r;
}

int plan_run(struct plan *p)
{
	struct errbuf *eb = p->params.eb;
	int i, r = 0;

	if (plan_apply_slice(p) < 0)
		return -1;
	if (p->params.policy) {
		/* Its statements know what each stage calls; a step of unknown calls is refused. */
		for (i = 0; i < p->n; i++)
			if (p->st[i].kind == STAGE_CUSTOM && p->st[i].custom == CUSTOM_OTHER)
				return errf(eb, EXIT_USAGE,
					    "dynamo policy does not know what stage '%s' calls: grant its actions by hand",
					    p->st[i].name);
		plan_print_policy(p);
		return 0;
	}
	if (p->params.dry_run) {
		print_plan(p);
		return 0;
	}
	if (check_permissions(p) < 0 || confirm(p) < 0 || open_checkpoint(p) < 0)
		return -1;
	p->started_us = clock_mono_us();
	for (i = 0; i < p->n && r == 0; i++)
		r = run_stage(p, &p->st[i], i);
	if (r == 0 && p->finish)
		r = p->finish(p, p->finish_arg);
	if (r < 0 && p->runtime_exit && eb->exit == EXIT_FAILURE_RUNTIME)
		eb->exit = p->runtime_exit;
	plan_summary(p, r == 0);
	if (r == 0 && p->ck)
		checkpoint_remove(p->ck);
	return r;
}
