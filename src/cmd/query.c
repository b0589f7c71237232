/*
 * dynamo query: the items of one or more partition keys of a table or
 * index, streamed to stdout as pages arrive. Several keys (write-sharded
 * partitions, --pk 'USER#hot#S{0..3}') are queried in parallel and merged
 * in sort-key order, honouring --desc and --limit.
 *
 * Without --output it prints what dynamo-cmdline printed: the number of
 * items, the first one with --head, the distinct values of an attribute
 * with --unique.
 */
#include "dynamo/cmd.h"
#include "dynamo/compare.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/plan.h"
#include "dynamo/strset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_FLUSH (64u << 10)

struct entry {
	size_t off, len;		/* the item in queue.data */
	size_t sk_off, sk_len;		/* its sort-key value, len 0 when absent */
	size_t sv_off, sv_len;		/* for S without escapes and N: the bare value */
	char sk_kind;			/* 'S' or 'N' when sv_* is set, else 0 */
	struct page *pg;
};

/* Items of one partition key waiting for their turn in the merge. */
struct queue {
	struct buf data;
	struct entry *e;
	size_t head, n, cap;
};

/* A value seen by --unique: as first received, and its canonical form. */
struct seen {
	char *raw;			/* owned: the attribute value (DynamoDB JSON) */
	size_t raw_len;
	char *canon;			/* owned: see av_canonical() */
	char type[8];
};

/* The distinct values of an attribute, equal as DynamoDB compares them. */
struct distinct {
	struct strset keys;		/* canonical forms */
	struct seen *v;			/* owned array, in arrival order */
	size_t n, cap;
};

struct printer {
	struct ctx *ctx;
	struct job *job;
	struct queue *q;		/* one per --pk value */
	int nq;
	const char *sort_attr;		/* the table's or index's sort key, or NULL */
	uint64_t emitted;
	int summary;			/* dynamo-cmdline output: count, --head, --unique */
	struct buf first;		/* --head in summary mode */
	struct distinct uniq;		/* --unique */
	struct buf out;
	int out_failed;
	uint64_t pending;		/* items or values in out, not written yet */
	uint64_t *printed;		/* where written ones are counted (the job's, then the stage's) */
};

/* ---- output ---- */

static void out_flush(struct printer *pr)
{
	if (!pr->out.len || pr->out_failed)
		return;
	errno = 0;
	if (fwrite(pr->out.data, 1, pr->out.len, stdout) == pr->out.len &&
	    fflush(stdout) == 0) {
		/* Counted once on stdout, not when formatted: "printed" is what a reader got. */
		job_add(pr->printed, pr->pending);
	} else {
		pr->out_failed = errno ? errno : EIO;
		if (pr->out_failed == EPIPE) {
			msg_output_closed();	/* the reader went away: stop quietly */
			job_satisfied(pr->job);
		}
		else
			job_fail(pr->job, EXIT_IO, "cannot write the output: %s",
				 strerror(pr->out_failed));
	}
	pr->pending = 0;
	buf_reset(&pr->out);
}

/* ---- --unique: distinct values of any type ---- */

static void distinct_init(struct distinct *d)
{
	memset(d, 0, sizeof(*d));
	strset_init(&d->keys);
}

static void distinct_release(struct distinct *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].raw);
		free(d->v[i].canon);
	}
	free(d->v);
	strset_release(&d->keys);
}

static void unique_add(struct printer *pr, struct slice item)
{
	struct distinct *d = &pr->uniq;
	struct buf canon = BUF_INIT;
	struct slice v, val;
	struct seen *x;

	if (!item_find_attr(item, pr->ctx->o.unique, &v))
		return;
	if (av_canonical(v, &canon) < 0) {
		buf_reset(&canon);
		buf_append(&canon, v.p, v.n);	/* not DynamoDB JSON: compare as sent */
	}
	if (strset_add(&d->keys, canon.data, canon.len)) {
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 64;
			d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
		}
		x = &d->v[d->n++];
		x->raw = xstrndup(v.p, v.n);
		x->raw_len = v.n;
		x->canon = buf_detach(&canon);
		if (av_split(v, x->type, &val) < 0)
			x->type[0] = '\0';
	}
	buf_release(&canon);
}

/* Keys' types in key order (numbers by value), anything else by canonical text. */
static int seen_compare(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (!strcmp(x->type, y->type) &&
	    (!strcmp(x->type, "S") || !strcmp(x->type, "N") || !strcmp(x->type, "B"))) {
		int c = av_key_compare((struct slice){ x->raw, x->raw_len },
				       (struct slice){ y->raw, y->raw_len });

		if (c)
			return c;
	}
	return strcmp(x->canon, y->canon);
}

static void emit(struct printer *pr, struct slice item)
{
	size_t mark;
	int ok = 1;
	const struct options *o = &pr->ctx->o;

	if (o->unique)
		unique_add(pr, item);
	if (pr->summary) {
		if (!pr->first.len)
			buf_append(&pr->first, item.p, item.n);
		return;
	}
	if (o->unique)
		return;
	mark = pr->out.len;
	if (o->output == OUTPUT_JSONL) {
		ok = item_to_plain(item, o->numbers_as_strings, &pr->out) == 0;
		buf_putc(&pr->out, '\n');
	} else {
		buf_puts(&pr->out, pr->emitted ? ",\n" : "[\n");
		if (o->output == OUTPUT_JSON)
			ok = item_to_plain(item, o->numbers_as_strings, &pr->out) == 0;
		else if ((ok = js_valid(item)))
			buf_append(&pr->out, item.p, item.n);
	}
	if (ok)
		pr->pending++;
	if (!ok) {
		/* Never print half an item: what was printed stays valid JSON so far. */
		pr->out.len = mark;
		pr->out.data[mark] = '\0';
		job_fail(pr->job, EXIT_FAILURE_RUNTIME,
			 "the server sent an item that is not valid DynamoDB JSON; output stopped before it");
		return;
	}
	if (pr->out.len >= OUT_FLUSH)
		out_flush(pr);
}

/* ---- merging ---- */

static int entry_compare(const struct printer *pr, const struct queue *a,
			 const struct queue *b)
{
	const struct entry *x = &a->e[a->head], *y = &b->e[b->head];
	const char *xv = a->data.data + x->sv_off, *yv = b->data.data + y->sv_off;
	int c;

	if (!pr->sort_attr)
		return 0;
	/* The keys were taken apart once, when queued: compare the bare values. */
	if (x->sk_kind == 'S' && y->sk_kind == 'S') {
		size_t n = x->sv_len < y->sv_len ? x->sv_len : y->sv_len;

		c = memcmp(xv, yv, n);
		if (!c)
			c = x->sv_len < y->sv_len ? -1 : x->sv_len > y->sv_len;
	} else if (x->sk_kind == 'N' && y->sk_kind == 'N') {
		c = num_compare(xv, x->sv_len, yv, y->sv_len);
	} else {
		c = av_key_compare((struct slice){ a->data.data + x->sk_off, x->sk_len },
				   (struct slice){ b->data.data + y->sk_off, y->sk_len });
	}
	return pr->ctx->o.desc ? -c : c;
}

/*
 * Drops the head item. The merge rarely drains a queue completely (the next
 * page arrives first), so consumed bytes are compacted away once they are
 * more than half the buffer: memory stays at about two pages per key
 * (without this, 16 shards of 400k items peaked at 72 MB and grew with the
 * shard).
 */
static void queue_pop(struct queue *q)
{
	size_t i, from;

	q->head++;
	if (q->head == q->n) {
		q->head = q->n = 0;
		buf_reset(&q->data);
		return;
	}
	from = q->e[q->head].off;
	if (from * 2 < q->data.len)
		return;
	memmove(q->data.data, q->data.data + from, q->data.len - from);
	q->data.len -= from;
	for (i = q->head; i < q->n; i++) {
		struct entry *e = &q->e[i - q->head];

		*e = q->e[i];
		e->off -= from;
		if (e->sk_len)
			e->sk_off -= from;
		if (e->sk_kind)
			e->sv_off -= from;
	}
	q->n -= q->head;
	q->head = 0;
}

/* Emits while every key that may still produce items has one waiting. */
static void merge(struct worker *w)
{
	struct printer *pr = w->job->out.ctx;
	const struct options *o = &pr->ctx->o;

	for (;;) {
		int i, best = -1;

		if (o->limit && pr->emitted >= o->limit)
			return;
		for (i = 0; i < pr->nq; i++) {
			struct queue *q = &pr->q[i];

			if (q->head == q->n) {
				if (!w->units[i].exhausted)
					return;	/* wait for this key's next page */
				continue;
			}
			if (best < 0 || entry_compare(pr, q, &pr->q[best]) < 0)
				best = i;
		}
		if (best < 0)
			return;
		{
			struct queue *q = &pr->q[best];
			struct entry *e = &q->e[q->head];
			struct page *pg = e->pg;

			emit(pr, (struct slice){ q->data.data + e->off, e->len });
			pr->emitted++;
			queue_pop(q);
			page_done(pg, 1);
		}
		if (o->limit && pr->emitted >= o->limit) {
			job_satisfied(w->job);
			return;
		}
	}
}

/* ---- the sink ---- */

static int printer_item(struct worker *w, struct slice item, struct page *pg)
{
	struct printer *pr = w->job->out.ctx;
	struct queue *q = &pr->q[pg->unit->index];
	struct entry *e;
	struct slice sk;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->e = xrealloc(q->e, q->cap * sizeof(*q->e));
	}
	e = &q->e[q->n++];
	e->off = q->data.len;
	e->len = item.n;
	e->pg = pg;
	e->sk_off = e->sk_len = e->sv_off = e->sv_len = 0;
	e->sk_kind = 0;
	buf_append(&q->data, item.p, item.n);
	if (pr->sort_attr && item_find_attr(item, pr->sort_attr, &sk)) {
		char t[8];
		struct slice v;

		e->sk_off = e->off + (size_t)(sk.p - item.p);
		e->sk_len = sk.n;
		/* Strings without escapes and numbers compare as they stand. */
		if (av_split(sk, t, &v) == 0 && v.n >= 2 && (t[0] == 'S' || t[0] == 'N') &&
		    !t[1] && !memchr(v.p, '\\', v.n)) {
			e->sk_kind = t[0];
			e->sv_off = e->off + (size_t)(v.p + 1 - item.p);
			e->sv_len = v.n - 2;
		}
	}
	return 0;
}

static void printer_page_end(struct worker *w, struct page *pg)
{
	const struct options *o = &((struct printer *)w->job->out.ctx)->ctx->o;

	(void)pg;
	/* --count --limit N: the counts of the pages so far reach N. */
	if (o->count && o->limit && job_get(&w->job->st.c.read) >= o->limit)
		job_satisfied(w->job);
	merge(w);
}

static void printer_flush(struct worker *w)
{
	merge(w);
	out_flush(w->job->out.ctx);
}

static size_t printer_backlog(struct worker *w)
{
	(void)w;
	return 0;
}

static int printer_init(struct worker *w)
{
	struct printer *pr = w->job->out.ctx;

	pr->job = w->job;
	pr->printed = &w->job->st.c.saved;
	return 0;
}

static void printer_release(struct worker *w)
{
	(void)w;
}

static const struct sink_ops printer_ops = {
	printer_item, printer_flush, printer_backlog, printer_release,
	printer_init, printer_page_end, NULL, NULL
};

/* ---- the command ---- */

/*
 * One distinct value: without --output a line, strings as themselves (as
 * dynamo-cmdline printed them); with --output jsonl a line of plain JSON;
 * with json or ddb an element of the array print_unique opens, plain or as
 * DynamoDB typed it.
 */
static void print_value(struct printer *pr, const char *raw, size_t n)
{
	const struct options *o = &pr->ctx->o;
	struct slice v;
	char t[8];

	if (!o->output_set && av_split((struct slice){ raw, n }, t, &v) == 0 && !strcmp(t, "S"))
		js_unescape(v, &pr->out);
	else if (o->output_set && o->output == OUTPUT_DDB)
		buf_append(&pr->out, raw, n);
	else
		av_to_plain((struct slice){ raw, n }, o->numbers_as_strings, &pr->out);
	pr->pending++;
}

static void print_unique(struct printer *pr)
{
	const struct options *o = &pr->ctx->o;
	int array = o->output_set && o->output != OUTPUT_JSONL;
	struct distinct *d = &pr->uniq;
	size_t i;

	if (d->n)	/* qsort of no array is undefined */
		qsort(d->v, d->n, sizeof(*d->v), seen_compare);
	if (array)
		buf_puts(&pr->out, d->n ? "[\n" : "[]\n");
	for (i = 0; i < d->n; i++) {
		print_value(pr, d->v[i].raw, d->v[i].raw_len);
		buf_puts(&pr->out, !array ? "\n" : i + 1 < d->n ? ",\n" : "\n]\n");
	}
}

static void indent(struct buf *out, int depth)
{
	buf_printf(out, "\n%*s", depth * 4, "");
}

/*
 * The item as dynamo-cmdline printed it, json.dumps(item, indent=4): four
 * spaces a level, "key": value, empty containers as {} and []. Strings are
 * decoded and escaped again one way, so every server's item looks the same.
 */
static int pretty(struct slice v, int depth, struct buf *out)
{
	struct js_iter it;
	struct slice k, e;
	int r, n = 0;

	while (v.n && (*v.p == ' ' || *v.p == '\n' || *v.p == '\r' || *v.p == '\t'))
		v.p++, v.n--;
	if (!v.n)
		return -1;
	if (*v.p == '"')
		return js_restring(v, out);
	if (*v.p != '{' && *v.p != '[')
		return buf_append(out, v.p, v.n);
	if (js_begin(&it, v, *v.p) < 0)
		return -1;
	buf_putc(out, *v.p);
	for (;;) {
		if (*v.p == '{') {
			if ((r = js_next_member(&it, &k, &e)) != 1)
				break;
			indent(out, depth + 1);
			if (js_rename_member(k, out) < 0)
				return -1;
			buf_puts(out, ": ");
		} else {
			if ((r = js_next_element(&it, &e)) != 1)
				break;
			indent(out, depth + 1);
		}
		if (pretty(e, depth + 1, out) < 0)
			return -1;
		buf_putc(out, ',');
		n++;
	}
	if (r < 0)
		return -1;
	if (n) {
		out->data[--out->len] = '\0';	/* the last comma */
		indent(out, depth);
	}
	return buf_putc(out, *v.p == '{' ? '}' : ']');
}

static void print_summary(struct printer *pr, uint64_t count)
{
	if (!count) {
		buf_puts(&pr->out, "No item was found.\n");
		return;
	}
	buf_printf(&pr->out, "%llu items queried.\n", (unsigned long long)count);
	if (pr->ctx->o.head && pr->first.len) {
		size_t mark = pr->out.len;

		if (pretty((struct slice){ pr->first.data, pr->first.len }, 0,
			   &pr->out) < 0) {
			pr->out.len = mark;	/* not JSON after all: as received */
			pr->out.data[mark] = '\0';
			buf_append(&pr->out, pr->first.data, pr->first.len);
		}
		buf_puts(&pr->out, "\n------------------------------\n");
		pr->pending++;
	}
	if (pr->ctx->o.unique)
		print_unique(pr);
}

static void finish_output(struct printer *pr, struct stage *s)
{
	const struct options *o = &pr->ctx->o;

	pr->printed = &s->c.saved;	/* the job has ended: its counts are the stage's now */
	if (o->count)
		buf_printf(&pr->out, "%llu\n", (unsigned long long)
			   (o->limit && s->c.read > o->limit ? o->limit : s->c.read));
	else if (pr->summary)
		print_summary(pr, pr->emitted);
	else if (o->unique)
		print_unique(pr);
	else if (o->output != OUTPUT_JSONL)
		buf_puts(&pr->out, pr->emitted ? "\n]\n" : "[]\n");
	out_flush(pr);
}

/* Before the summary, so that a failed write is reported as a failure. */
static int finish_query(struct plan *p, void *arg)
{
	struct printer *pr = arg;

	finish_output(pr, &p->st[p->n - 1]);
	if (pr->out_failed && pr->out_failed != EPIPE)
		return errf(p->params.eb, EXIT_IO, "cannot write the output: %s",
			    strerror(pr->out_failed));
	return 0;
}

static void printer_setup(struct printer *pr, struct ctx *ctx,
			  const struct table_desc *t)
{
	const struct options *o = &ctx->o;
	const struct index_desc *ix = o->index ? table_index(t, o->index) : NULL;
	int i;

	memset(pr, 0, sizeof(*pr));
	pr->ctx = ctx;
	pr->nq = o->npk;
	pr->q = xcalloc((size_t)o->npk, sizeof(*pr->q));
	for (i = 0; i < o->npk; i++)
		buf_init(&pr->q[i].data, 0);
	pr->sort_attr = ix ? ix->range.name : t->range.name;
	pr->summary = !o->output_set && !o->count;
	distinct_init(&pr->uniq);
}

static void printer_free(struct printer *pr)
{
	int i;

	for (i = 0; i < pr->nq; i++) {
		buf_release(&pr->q[i].data);
		free(pr->q[i].e);
	}
	free(pr->q);
	buf_release(&pr->first);
	buf_release(&pr->out);
	distinct_release(&pr->uniq);
}

int cmd_query(struct ctx *ctx)
{
	struct options *o = &ctx->o;
	struct table_desc t;
	struct selection sel;
	struct printer pr;
	struct ddb d;
	struct plan p;
	struct stage *s;
	char where[512];
	int r = -1;

	if (ctx_need_table(ctx) < 0)
		return -1;
	if (!o->npk)
		return errf(&ctx->eb, EXIT_USAGE, "query needs --pk VALUE (or -pk)");
	/* With --output, --head prints one item; without, it shows the first of all counted. */
	if (o->head && o->output_set)
		o->limit = 1;
	if (ctx_open_table(ctx, &d, &t) < 0)
		return -1;
	selection_init(&sel);
	if (query_keys_check(ctx, &t) < 0 || ctx_selection(ctx, &sel, &t) < 0 ||
	    (!ctx->policy && plan_probe_selection(&d, o->table, o->index, &sel,
						   ddb_where(&d, where, sizeof(where)), &ctx->eb) < 0))
		goto out_t;
	if (o->consistent && o->index && table_index(&t, o->index)->global) {
		errf(&ctx->eb, EXIT_USAGE,
		     "--consistent is not possible on global secondary index '%s' (DynamoDB only reads them eventually consistently)",
		     o->index);
		goto out_t;
	}
	printer_setup(&pr, ctx, &t);
	ctx_plan_init(ctx, &p, "query");
	p.saved_word = "printed";
	p.concurrency = o->concurrency ? o->concurrency : 16;
	s = plan_add(&p, STAGE_QUERY, "query");
	s->src = &d;
	s->src_table = o->table;
	s->src_desc = &t;
	s->sel = &sel;
	s->sink = &printer_ops;
	s->job_ctx = &pr;
	s->query.consistent = o->consistent;
	s->query.descending = o->desc;
	s->query.count = o->count;
	s->query.limit = o->limit;
	snprintf(s->what, sizeof(s->what), "query '%s'%s%s in %s", o->table,
		 o->index ? " index " : "", o->index ? o->index : "",
		 ddb_where(&d, where, sizeof(where)));
	p.finish = finish_query;
	p.finish_arg = &pr;
	r = plan_run(&p);
	plan_release(&p);
	printer_free(&pr);
out_t:
	selection_release(&sel);
	ctx_close_table(&d, &t);
	return r;
}
