/*
 * The comparison of two tables as two plan stages (plan_diff.h), and what
 * it prints: the differences on stdout, their counts in the summary line
 * and --json, and in the checkpoint so that a resumed run still knows what
 * the interrupted one found (its exit status depends on it).
 */
#include "dynamo/plan_diff.h"
#include "dynamo/checkpoint.h"
#include "dynamo/compare.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one line (or object) per difference ---- */

static void put_key_plain(struct buf *b, struct slice key)
{
	size_t at = b->len;

	if (item_to_plain(key, 0, b) < 0) {
		b->len = at;
		buf_append(b, key.p, key.n);
	}
}

struct attr_out {
	struct buf *b;
	int jsonl, first;
};

static int attr_text(void *ctx, struct slice name, struct slice target, struct slice source)
{
	struct attr_out *o = ctx;

	buf_puts(o->b, "    ");
	buf_json_str(o->b, name.p, name.n);
	buf_puts(o->b, ": ");
	if (target.n)
		buf_append(o->b, target.p, target.n);
	else
		buf_puts(o->b, "(absent)");
	buf_puts(o->b, " -> ");
	if (source.n)
		buf_append(o->b, source.p, source.n);
	else
		buf_puts(o->b, "(absent)");
	buf_putc(o->b, '\n');
	return 0;
}

static int attr_json(void *ctx, struct slice name, struct slice target, struct slice source)
{
	struct attr_out *o = ctx;

	if (!o->first)
		buf_putc(o->b, ',');
	o->first = 0;
	buf_json_str(o->b, name.p, name.n);
	buf_puts(o->b, ":{\"target\":");
	if (target.n)
		buf_append(o->b, target.p, target.n);
	else
		buf_puts(o->b, "null");
	buf_puts(o->b, ",\"source\":");
	if (source.n)
		buf_append(o->b, source.p, source.n);
	else
		buf_puts(o->b, "null");
	buf_putc(o->b, '}');
	return 0;
}

/* "+ KEY" and, with --format full, what the source holds or what changed. */
static void format_text(const struct plan_diff *d, struct buf *b, enum diff_kind kind,
			struct slice key, struct slice src, struct slice dst)
{
	struct attr_out o = { b, 0, 1 };

	buf_putc(b, (char)kind);
	buf_putc(b, ' ');
	put_key_plain(b, key);
	buf_putc(b, '\n');
	if (!d->full)
		return;
	if (kind == DIFF_CHANGED) {
		item_diff_attrs(dst, src, attr_text, &o);
	} else if (kind == DIFF_ADDED) {
		buf_puts(b, "    ");
		buf_append(b, src.p, src.n);
		buf_putc(b, '\n');
	}
}

/* {"diff":"~","key":{DynamoDB JSON}[,"item":...|,"changes":{name:{target,source}}]} */
static void format_jsonl(const struct plan_diff *d, struct buf *b, enum diff_kind kind,
			 struct slice key, struct slice src, struct slice dst)
{
	struct attr_out o = { b, 1, 1 };

	buf_printf(b, "{\"diff\":\"%c\",\"key\":", (char)kind);
	buf_append(b, key.p, key.n);
	if (d->full && kind == DIFF_ADDED) {
		buf_puts(b, ",\"item\":");
		buf_append(b, src.p, src.n);
	} else if (d->full && kind == DIFF_CHANGED) {
		buf_puts(b, ",\"changes\":{");
		item_diff_attrs(dst, src, attr_json, &o);
		buf_putc(b, '}');
	}
	buf_puts(b, "}\n");
}

static void save_counts(struct plan_diff *d)
{
	char text[128];
	int n;

	if (!d->p->ck || d->ck_items < 0)
		return;
	n = snprintf(text, sizeof(text), "diff %" PRIu64 " %" PRIu64 " %" PRIu64,
		     d->added, d->removed, d->changed);
	checkpoint_set_positions(d->p->ck, d->ck_items, text, (size_t)n);
}

static void found(void *arg, enum diff_kind kind, struct slice key, struct slice src,
		  struct slice dst)
{
	struct plan_diff *d = arg;
	struct buf line = BUF_INIT;

	if (!d->quiet) {
		if (d->jsonl)
			format_jsonl(d, &line, kind, key, src, dst);
		else
			format_text(d, &line, kind, key, src, dst);
	}
	pthread_mutex_lock(&d->lock);
	if (kind == DIFF_ADDED)
		d->added++;
	else if (kind == DIFF_REMOVED)
		d->removed++;
	else
		d->changed++;
	/*
	 * Written whole under the lock: lines of different workers never
	 * interleave. With a checkpoint, flushed at once: the checkpoint will
	 * say this item is done, and a line left in stdio's buffer by a kill
	 * would be lost to both runs.
	 */
	if (line.len) {
		fwrite(line.data, 1, line.len, stdout);
		if (d->p->ck)
			fflush(stdout);
	}
	save_counts(d);
	pthread_mutex_unlock(&d->lock);
	buf_release(&line);
}

/* ---- stages ---- */

/* Before either stage runs: the counts an interrupted run saved. */
static int load_counts(struct plan *p, struct stage *s)
{
	struct plan_diff *d = s->prepare_arg;
	struct buf text = BUF_INIT;
	uint64_t a, r, c;

	(void)p;
	(void)s;
	if (!d->p->ck || d->loaded)
		return 0;
	d->loaded = 1;
	/* The counts live with the first of the two stages. */
	d->ck_items = checkpoint_find_stage(d->p->ck, d->items_stage_name);
	if (d->ck_items < 0)
		return 0;
	checkpoint_positions(d->p->ck, d->ck_items, &text);
	if (text.len && sscanf(text.data, "diff %" SCNu64 " %" SCNu64 " %" SCNu64, &a, &r, &c) == 3) {
		pthread_mutex_lock(&d->lock);
		d->added += a;
		d->removed += r;
		d->changed += c;
		pthread_mutex_unlock(&d->lock);
	}
	buf_release(&text);
	return 0;
}

static void summary_extra(const struct plan *p, struct buf *line, cJSON *json, void *arg)
{
	struct plan_diff *d = arg;
	uint64_t n = d->added + d->removed + d->changed;
	int i;

	/* What a full copy would write: every source item the comparison read. */
	for (i = 0, d->full_copy_writes = 0; i < p->n; i++)
		if (p->st[i].kind == STAGE_DIFF)
			d->full_copy_writes += p->st[i].c.compared;
	if (line) {
		buf_printf(line, "; %" PRIu64 " only in source, %" PRIu64 " only in target, %" PRIu64
			   " different, %" PRIu64 " equal", d->added, d->removed, d->changed,
			   job_get(&d->items.equal));
		if (d->sampled)
			buf_printf(line, " (a sample: %.3g of the source's segments; items only in the target not looked for)",
				   d->sample);
		if (d->write || d->dry_run_sync)
			buf_printf(line, "; a full copy would have written %" PRIu64 ", sync %s %" PRIu64 " and %s %" PRIu64 "%s",
				   d->full_copy_writes, d->write ? "wrote" : "would write",
				   d->added + d->changed,
				   !d->delete_extras ? "listed" : d->write ? "deleted" : "would delete",
				   d->removed, d->delete_extras ? "" : " (deleted only with --delete)");
		if (d->verify)
			buf_printf(line, "; %s", n ? "NOT verified: the target differs" : "verified");
		return;
	}
	cJSON_AddNumberToObject(json, "only_in_source", (double)d->added);
	cJSON_AddNumberToObject(json, "only_in_target", (double)d->removed);
	cJSON_AddNumberToObject(json, "different", (double)d->changed);
	cJSON_AddNumberToObject(json, "equal", (double)job_get(&d->items.equal));
	cJSON_AddBoolToObject(json, "equal_tables", n == 0 && !d->sampled);
	if (d->sampled)
		cJSON_AddNumberToObject(json, "sample", d->sample);
	if (d->write || d->dry_run_sync)
		cJSON_AddNumberToObject(json, "full_copy_writes", (double)d->full_copy_writes);
	if (d->dry_run_sync)
		cJSON_AddBoolToObject(json, "dry_run", 1);
	if (d->verify)
		cJSON_AddBoolToObject(json, "verified", n == 0);
}

void plan_diff_init(struct plan_diff *d, struct plan *p)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->p = p;
	d->ck_items = d->ck_extras = -1;
	d->items.found = d->extras.found = found;
	d->items.arg = d->extras.arg = d;
	p->summary_extra = summary_extra;
	p->summary_arg = d;
}

void plan_diff_release(struct plan_diff *d)
{
	rate_release(&d->lookup_rate);
	pthread_mutex_destroy(&d->lock);
}

uint64_t plan_diff_count(struct plan_diff *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->added + d->removed + d->changed;
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* --sample F: a run of ceil(F * segments) segments from a random one (DynamoDB spreads keys over segments by hash). */
static void pick_sample(struct plan_diff *d, struct stage *s)
{
	int n = (int)(d->sample * s->segments + 0.999999);

	if (n < 1)
		n = 1;
	if (n >= s->segments)
		return;
	s->sample_count = n;
	s->sample_first = (int)(arc4random_uniform((uint32_t)(s->segments - n + 1)));
	d->sampled = 1;
}

void plan_add_diff(struct plan_diff *d, const char *name, const char *extras_name,
		   struct table_ref src, struct table_ref dst, const struct selection *sel,
		   int segments)
{
	struct plan *p = d->p;
	int query = sel && selection_by_query(sel);
	struct stage *s;

	d->items_stage_name = name;
	rate_init(&d->lookup_rate, p->params.max_rcu, "read");
	d->items.lookup_rate = &d->lookup_rate;
	d->extras.lookup_rate = &d->lookup_rate;
	d->items.write = d->write;
	d->extras.write = d->write && d->delete_extras;

	s = plan_add_copy(p, STAGE_DIFF, name, src, dst);
	s->lookup = dst.d;
	s->lookup_table = dst.name;
	s->lookup_desc = dst.desc;
	s->segments = query ? 0 : segments ? segments : plan_default_segments(src.desc);
	s->sel = sel;
	s->job_ctx = &d->items;
	s->prepare = load_counts;
	s->prepare_arg = d;
	s->destructive = d->write;
	if (d->sample > 0 && !query)
		pick_sample(d, s);
	snprintf(s->what, sizeof(s->what), "%s the items of '%s' with those of '%s' (%s)",
		 d->write ? "write into the target the items that differ, comparing" : "compare",
		 src.name, dst.name, query ? "a query of each --pk value" : "a parallel scan, BatchGetItem lookups");

	/* With a sample, the target's extras cannot be sampled alike: not looked for. */
	if (d->sampled || d->no_extras) {
		d->extras_skipped = 1;
		return;
	}
	s = plan_add_copy(p, STAGE_DIFF_EXTRAS, extras_name, dst, dst);
	s->lookup = src.d;
	s->lookup_table = src.name;
	s->lookup_desc = src.desc;
	s->segments = query ? 0 : segments ? segments : plan_default_segments(dst.desc);
	s->sel = sel;
	s->job_ctx = &d->extras;
	s->prepare = load_counts;
	s->prepare_arg = d;
	s->destructive = d->write && d->delete_extras;
	s->estimate = 0;
	snprintf(s->what, sizeof(s->what), "%s the items of '%s' whose keys '%s' lacks",
		 d->write && d->delete_extras ? "delete" : "list", dst.name, src.name);
}
