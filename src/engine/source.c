#include "dynamo/source.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POOLED_PAGES 64

/* Read capacity of a full 1 MB page: 4 KB per unit, halved when eventually consistent. */
#define FULL_PAGE_RCU 256.0

int source_unit_count(const struct job *j)
{
	return j->in.ops->unit_count(j);
}

int source_all_read(const struct job *j)
{
	return !j->in.ops->request_pages ||
	       job_get(&j->st.c.units_read) >= (uint64_t)source_unit_count(j);
}

int source_item_matches(const struct job *j, struct slice item)
{
	return !j->in.ops->matches || j->in.ops->matches(j, item);
}

/* JSON bytes an item takes in a page, from the table's figures (they may lag: 1 KB without them). */
static double json_per_item(const struct table_desc *t)
{
	if (t && t->item_count > 0 && t->size_bytes > 0)
		return 2.0 * (double)t->size_bytes / (double)t->item_count + 16;
	return 1024;
}

/* Keeps the unit's Limit to about j->in.page_bytes of JSON (see job.h). */
static void bound_page_bytes(struct unit *u, double per_item)
{
	double lim = (double)u->w->job->in.page_bytes / (per_item > 1 ? per_item : 1);
	int n = lim < 1 ? 1 : lim > PAGE_LIMIT_MAX ? PAGE_LIMIT_MAX : (int)lim;

	if (!u->limit || n < u->limit || u->w->job->in.page_units <= 0)
		u->limit = n;
}

void source_unit_init(struct unit *u, struct worker *w, int k)
{
	struct job *j = w->job;

	memset(u, 0, sizeof(*u));
	u->w = w;
	u->index = j->in.ops->unit_index ? j->in.ops->unit_index(j, k) : k;
	rate_ranges_add(&u->range, u->index);
	http_call_init(&u->call);
	buf_init(&u->start_key, 0);
	buf_init(&u->seen_key, 0);
	buf_init(&u->items, 0);
	u->est_cost = j->in.consistent ? FULL_PAGE_RCU : FULL_PAGE_RCU / 2;
	u->limit = j->in.page_limit;
	if (j->in.page_units > 0)
		u->est_cost = j->in.page_units;
	else if (j->in.page_limit)
		u->est_cost = 1;
	if (j->in.page_bytes) {
		bound_page_bytes(u, json_per_item(j->in.desc));
		/* About half the JSON is item bytes: 4 KB a unit, 8 KB eventually consistent. */
		if (!j->in.page_units)
			u->est_cost = (double)j->in.page_bytes / 2 / (j->in.consistent ? 4096 : 8192);
	}
	if (j->run.hooks.unit_start &&
	    j->run.hooks.unit_start(j->run.hooks.arg, j->run.hooks.stage, u->index, &u->start_key)) {
		u->exhausted = u->complete = 1;
	}
}

void source_unit_release(struct unit *u)
{
	while (u->head) {
		struct page *pg = u->head;

		u->head = pg->next;
		buf_release(&pg->next_key);
		free(pg);
	}
	http_call_release(&u->call);
	buf_release(&u->start_key);
	buf_release(&u->seen_key);
	buf_release(&u->items);
}

/* ---- requests ---- */

/* What a Scan or Query page of the unit asks for, e its expression (see request.h). */
static void read_params(const struct unit *u, struct ddb_read *r, struct expr *e)
{
	const struct job *j = u->w->job;
	const struct table_desc *t = j->in.desc;

	memset(r, 0, sizeof(*r));
	r->table = j->in.table;
	r->segment = u->index;
	r->total_segments = j->in.segments;
	r->limit = u->limit;
	r->consistent = j->in.consistent;
	r->select_count = j->in.select_count;
	r->scan_forward = j->in.scan_forward;
	if (j->in.keys_only) {
		/* The base table's keys, also when querying an index. */
		r->key_names[0] = t->hash.name;
		r->key_names[1] = t->range.name;
	}
	r->expr = e;
	r->start_key = (struct slice){ u->start_key.data, u->start_key.len };
}

/* ---- responses ---- */

/* " (segment 3 of 10)" or " (--pk 'X')": which unit, for messages. */
static void unit_where(const struct unit *u, char *out, size_t n)
{
	const struct job *j = u->w->job;

	out[0] = '\0';
	if (j->in.ops->where)
		j->in.ops->where(u, out, n);
}

static void unit_failed(struct unit *u)
{
	struct job *j = u->w->job;
	struct errbuf eb = ERRBUF_INIT;
	char where[300];

	if (u->call.outcome == HTTP_CANCELLED)
		return;
	unit_where(u, where, sizeof(where));
	if (http_call_malformed(&u->call))
		errf(&eb, EXIT_FAILURE_RUNTIME,
		     "%s of '%s'%s got %d malformed answers in a row (%s): is %s a DynamoDB endpoint?",
		     http_call_name(&u->call), j->in.table, where, u->call.attempt,
		     u->call.err.message, j->in.ddb->ep.url);
	else if (u->call.outcome == HTTP_GAVE_UP)
		errf(&eb, EXIT_INCOMPLETE, "%s of '%s'%s gave up after %d attempts: %s%s%s",
		     http_call_name(&u->call), j->in.table, where,
		     u->call.attempt, u->call.err.type,
		     u->call.err.message[0] ? ": " : "", u->call.err.message);
	else {
		struct errbuf why = ERRBUF_INIT;

		aws_error_report(&u->call, &why);
		errf(&eb, why.exit, "%s%s", why.msg, where);
	}
	job_fail(j, eb.exit, "%s", eb.msg);
}

/* The engine's check of a Scan/Query answer: nothing is fed from a malformed page. */
static int check_page(struct http_call *c, char *why, size_t n)
{
	struct unit *u = c->owner;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };

	return ddb_page_parse_items(resp, u->w->job->in.select_count, &u->answer, &u->items, why, n);
}

/*
 * Whether the page's LastEvaluatedKey was seen before: the key the page was
 * asked from, or the one Brent's cycle finding holds. A server that loops
 * would otherwise be followed forever (an export of a 2,000-item table
 * grew to 402 MB).
 */
static int pagination_loops(struct unit *u, struct slice lek)
{
	if (u->start_key.len &&
	    ddb_same_start_key(lek, (struct slice){ u->start_key.data, u->start_key.len }))
		return 1;
	if (u->seen_key.len &&
	    ddb_same_start_key(lek, (struct slice){ u->seen_key.data, u->seen_key.len }))
		return 1;
	if (++u->loop_steps >= u->loop_power) {
		buf_reset(&u->seen_key);
		buf_append(&u->seen_key, lek.p, lek.n);
		u->loop_power = u->loop_power ? u->loop_power * 2 : 1;
		u->loop_steps = 0;
	}
	return 0;
}

static void pagination_failed(struct unit *u, struct slice lek)
{
	struct job *j = u->w->job;
	char where[300];

	unit_where(u, where, sizeof(where));
	job_fail(j, EXIT_FAILURE_RUNTIME,
		 "%s of '%s'%s does not advance: the server answered with LastEvaluatedKey %.*s%s again, so the %s would never end (is %s a DynamoDB endpoint?)",
		 http_call_name(&u->call), j->in.table, where,
		 (int)(lek.n > 200 ? 200 : lek.n), lek.p,
		 lek.n > 200 ? "..." : "",
		 j->in.ops->name, j->in.ddb->ep.url);
}

#define ITEMS_KEEP_BYTES (64u << 10)

/* Hands a checked page's items (found by its check: u->items) to the sink, in order. */
static void feed_items(struct unit *u, struct page *pg)
{
	struct worker *w = u->w;
	struct job *j = w->job;
	const struct sink_ops *s = job_sink(j);
	const struct slice *item = (const struct slice *)(void *)u->items.data;
	uint64_t i, n = u->items.len / sizeof(*item);

	for (i = 0; i < n; i++) {
		pg->pending++;
		if (s->item(w, item[i], pg) < 0)
			break;
	}
	job_add(&j->st.c.read, j->in.select_count ? u->answer.count : n);
	/* A unit keeps the list of a page of a few thousand items, not of 1 MB of keys. */
	if (u->items.cap > ITEMS_KEEP_BYTES)
		buf_release(&u->items);
	else
		buf_reset(&u->items);
}

void source_page_fed(struct unit *u, struct page *pg)
{
	const struct sink_ops *s = job_sink(u->w->job);

	if (s->page_end)
		s->page_end(u->w, pg);
	unit_page_fed(u, pg);
}

/* Response buffers for pages come from the worker's pool, already sized. */
#define PAGE_BUFFER (2u << 20)

static void page_buffer_take(struct unit *u)
{
	struct worker *w = u->w;

	buf_release(&u->call.resp);
	if (w->npool) {
		u->call.resp = w->page_pool[--w->npool];
	} else {
		buf_init(&u->call.resp, 0);
		buf_reserve(&u->call.resp, w->job->in.page_bytes ? w->job->in.page_bytes * 3 / 2 :
			    w->job->in.page_limit ? PAGE_BUFFER / 4 : PAGE_BUFFER);
	}
	w->pages_in_flight++;
}

static void page_buffer_give_back(struct unit *u)
{
	struct worker *w = u->w;

	if (!w->page_pool)
		w->page_pool = xcalloc(MAX_POOLED_PAGES, sizeof(*w->page_pool));
	if (w->npool < MAX_POOLED_PAGES && u->call.resp.cap <= 2 * PAGE_BUFFER) {
		w->page_pool[w->npool++] = u->call.resp;
		buf_init(&u->call.resp, 0);
	} else {
		buf_release(&u->call.resp);
	}
	w->pages_in_flight--;
}

/* Under --max-rcu: the next page's Limit, so that it costs about page_units. */
static void adapt_limit(struct unit *u, uint64_t count, double used)
{
	double lim = (double)count * u->w->job->in.page_units / used;

	u->limit = lim < 1 ? 1 : lim > PAGE_LIMIT_MAX ? PAGE_LIMIT_MAX : (int)lim;
}

static void on_page(struct http_call *c)
{
	struct unit *u = c->owner;
	struct job *j = u->w->job;
	struct slice lek = u->answer.lek, cc = u->answer.cc;
	uint64_t count = u->answer.count;
	struct page *pg;
	double used;

	u->in_flight = 0;
	if (c->outcome != HTTP_OK) {
		unit_failed(u);
		page_buffer_give_back(u);
		return;
	}
	if (lek.n && pagination_loops(u, lek)) {
		pagination_failed(u, lek);
		u->exhausted = 1;
		page_buffer_give_back(u);
		return;
	}
	pg = unit_new_page(u);
	feed_items(u, pg);
	used = cc.n ? capacity_units(cc) : 0;
	if (j->run.read_rate)
		rate_settle(j->run.read_rate, c->reserved, used);
	if (used > 0)
		u->est_cost = used;
	if (j->in.page_units > 0 && used > 0 && count > 0) {
		adapt_limit(u, count, used);
		u->est_cost = j->in.page_units;
	}
	if (j->in.page_bytes && count > 0)
		bound_page_bytes(u, (double)c->resp.len / (double)count);
	if (lek.n) {
		buf_reset(&u->start_key);
		buf_append(&u->start_key, lek.p, lek.n);
		buf_append(&pg->next_key, lek.p, lek.n);
	} else {
		u->exhausted = 1;
		pg->last = 1;
		job_add(&j->st.c.units_read, 1);
	}
	source_page_fed(u, pg);
	page_buffer_give_back(u);
}

void source_request(struct unit *u)
{
	u->w->job->in.ops->request(u);
}

void source_read_page(struct unit *u, void (*fill)(const struct unit *u, struct ddb_read *r),
		      void (*body)(const struct ddb_read *r, struct buf *b), const char *target)
{
	struct job *j = u->w->job;
	struct http_call *c = &u->call;
	struct ddb_read r;
	struct expr e;

	http_call_rearm(c);
	buf_reset(&c->body);
	expr_init(&e);
	read_params(u, &r, &e);
	fill(u, &r);
	body(&r, &c->body);
	expr_release(&e);
	ddb_prepare(j->in.ddb, c, target);
	c->check = check_page;
	c->done = on_page;
	c->owner = u;
	c->pacer = &rate_pacer;
	c->limiter = j->run.read_rate;
	c->ranges = &u->range;
	c->cost = u->est_cost;
	u->in_flight = 1;
	page_buffer_take(u);
	engine_submit(u->w->eng, c);
}
