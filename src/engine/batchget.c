#include "dynamo/batchget.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/request.h"
#include "dynamo/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GET_MAX_KEYS 100

/* A key waiting for its answer. */
struct lookup {
	size_t off, len;		/* the key's JSON in req->keys */
	size_t hoff, hlen, roff, rlen;	/* its values, also in req->keys (rlen 0: none) */
	struct page *pg;
	void *tag;			/* the caller's, handed back with the answer */
	enum { WAITING, DONE, AGAIN } state;
	/* What the checked answer says about the key: found (item), or unprocessed. */
	struct slice item;
	int again;
};

struct get_req {
	struct http_call call;
	struct batchget *g;
	struct buf keys;		/* the keys' JSON, one after another */
	struct lookup lk[GET_MAX_KEYS];
	int n;
	int rounds, stall;
	struct rate_ranges ranges;	/* the key ranges of the keys being asked for */
	struct get_req *next;		/* free list */
};

/* The key ranges (units) of the keys in state (WAITING, or AGAIN after an answer). */
static void lookups_ranges(const struct get_req *r, int state, struct rate_ranges *rr)
{
	int i;

	memset(rr, 0, sizeof(*rr));
	for (i = 0; i < r->n; i++)
		if ((int)r->lk[i].state == state)
			rate_ranges_add(rr, r->lk[i].pg->unit->index);
}

struct batchget {
	struct worker *w;
	const struct ddb *d;
	char *table;
	const struct table_desc *desc;
	batchget_result_fn result;
	struct rate_limiter *limiter;	/* NULL: the job's read_rate */
	struct buf prefix;		/* {"RequestItems":{"T":{... ,"Keys":[ */
	struct get_req *cur, *free_list;
	size_t backlog;
};

struct batchget *batchget_new(struct worker *w, const struct ddb *d,
			      const char *table, const struct table_desc *desc,
			      const char *const *proj, batchget_result_fn result)
{
	struct batchget *g = xcalloc(1, sizeof(*g));

	g->w = w;
	g->d = d;
	g->table = xstrdup(table);
	g->desc = desc;
	g->result = result;
	ddb_batch_get_begin(&g->prefix, table, 1, proj);
	return g;
}

static void req_free(struct get_req *r)
{
	http_call_release(&r->call);
	buf_release(&r->keys);
	free(r);
}

void batchget_free(struct batchget *g)
{
	struct get_req *r;

	if (!g)
		return;
	if (g->cur)
		req_free(g->cur);
	while ((r = g->free_list)) {
		g->free_list = r->next;
		req_free(r);
	}
	buf_release(&g->prefix);
	free(g->table);
	free(g);
}

size_t batchget_backlog(const struct batchget *g)
{
	return g->backlog;
}

static struct get_req *req_get(struct batchget *g)
{
	struct get_req *r = g->free_list;

	if (r) {
		g->free_list = r->next;
	} else {
		r = xcalloc(1, sizeof(*r));
		http_call_init(&r->call);
		buf_init(&r->keys, 0);
	}
	r->g = g;
	r->n = r->rounds = r->stall = 0;
	buf_reset(&r->keys);
	return r;
}

static void req_put(struct get_req *r)
{
	struct batchget *g = r->g;

	g->backlog -= r->call.body.len < g->backlog ? r->call.body.len : g->backlog;
	r->next = g->free_list;
	g->free_list = r;
}

static struct rate_limiter *batchget_limiter(const struct batchget *g)
{
	return g->limiter ? g->limiter : g->w->job->run.read_rate;
}

void batchget_set_limiter(struct batchget *g, struct rate_limiter *limiter)
{
	g->limiter = limiter;
}

static void on_get_done(struct http_call *c);
static int check_get(struct http_call *c, char *why, size_t n);

/* (Re)builds the body from the keys still waiting, and sends it. */
static void req_send(struct get_req *r, uint64_t delay_ms)
{
	struct batchget *g = r->g;
	int i, first = 1, waiting = 0;

	buf_reset(&r->call.body);
	buf_append(&r->call.body, g->prefix.data, g->prefix.len);
	for (i = 0; i < r->n; i++) {
		struct lookup *l = &r->lk[i];

		if (l->state == DONE)
			continue;
		l->state = WAITING;
		ddb_batch_get_add(&r->call.body, first, (struct slice){ r->keys.data + l->off, l->len });
		first = 0;
		waiting++;
	}
	ddb_batch_get_end(&r->call.body);
	http_call_rearm(&r->call);
	ddb_prepare(g->d, &r->call, DDB_TARGET("BatchGetItem"));
	r->call.check = check_get;
	r->call.done = on_get_done;
	r->call.owner = r;
	r->call.pacer = &rate_pacer;
	r->call.limiter = batchget_limiter(g);
	lookups_ranges(r, WAITING, &r->ranges);
	r->call.ranges = &r->ranges;
	r->call.cost = waiting;
	engine_submit_after(g->w->eng, &r->call, delay_ms);
}

static void req_submit(struct batchget *g)
{
	struct get_req *r = g->cur;

	g->cur = NULL;
	req_send(r, 0);
	g->backlog += r->call.body.len;
}

/* The key's values, found once (as offsets: the buffer may move) for quick matching. */
static void key_values(const struct batchget *g, const struct buf *keys,
		       struct lookup *l)
{
	struct slice key = { keys->data + l->off, l->len }, v;

	l->hlen = l->rlen = 0;
	if (js_find(key, g->desc->hash.name, &v) == 1) {
		l->hoff = (size_t)(v.p - keys->data);
		l->hlen = v.n;
	}
	if (g->desc->range.name && js_find(key, g->desc->range.name, &v) == 1) {
		l->roff = (size_t)(v.p - keys->data);
		l->rlen = v.n;
	}
}

void batchget_key(struct batchget *g, struct slice key, struct page *pg)
{
	batchget_key_tagged(g, key, pg, NULL);
}

void batchget_key_tagged(struct batchget *g, struct slice key, struct page *pg, void *tag)
{
	struct get_req *r;
	struct lookup *l;

	if (!g->cur)
		g->cur = req_get(g);
	r = g->cur;
	l = &r->lk[r->n++];
	l->off = r->keys.len;
	l->len = key.n;
	l->pg = pg;
	l->tag = tag;
	l->state = WAITING;
	buf_append(&r->keys, key.p, key.n);
	key_values(g, &r->keys, l);
	if (r->n == GET_MAX_KEYS)
		req_submit(g);
}

void batchget_flush(struct batchget *g)
{
	if (g->cur)
		req_submit(g);
}

/* The waiting key this item (or unprocessed key) is the answer for, or NULL. */
static struct lookup *match(struct get_req *r, struct slice item)
{
	const struct table_desc *t = r->g->desc;
	struct slice h = { NULL, 0 }, k = { NULL, 0 };
	int i;

	if (js_find(item, t->hash.name, &h) != 1 ||
	    (t->range.name && js_find(item, t->range.name, &k) != 1))
		return NULL;
	for (i = 0; i < r->n; i++) {
		struct lookup *l = &r->lk[i];
		struct slice lh = { r->keys.data + l->hoff, l->hlen };
		struct slice lr = { r->keys.data + l->roff, l->rlen };

		if (l->state == WAITING && av_key_same(lh, h) && av_key_same(lr, k))
			return l;
	}
	return NULL;
}

/* The waiting key item answers that no other part of the answer claimed, or NULL. */
static struct lookup *unclaimed(struct get_req *r, struct slice item)
{
	struct lookup *l = match(r, item);

	return l && !l->item.n && !l->again ? l : NULL;
}

/*
 * The engine's check of an answer: every item must answer a distinct key
 * that was asked, every unprocessed key must be one asked, and a key can
 * be taken as "not found" only from an answer that has the table's list of
 * Responses. Nothing is called back from a malformed answer: a prune would
 * delete every key it took as missing.
 */
static int check_get(struct http_call *c, char *why, size_t n)
{
	struct get_req *r = c->owner;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len }, e;
	struct ddb_batch_get ans;
	struct js_iter it;
	int i, rc;

	for (i = 0; i < r->n; i++) {
		r->lk[i].item.p = NULL;
		r->lk[i].item.n = 0;
		r->lk[i].again = 0;
	}
	if (ddb_batch_get_parse(resp, r->g->table, &ans, why, n) < 0)
		return -1;
	if (ans.has_items && js_begin(&it, ans.items, '[') == 0) {
		while ((rc = js_next_element(&it, &e)) == 1) {
			struct lookup *l = unclaimed(r, e);

			if (!l) {
				snprintf(why, n, "it returns an item for a key that was not asked for");
				return -1;
			}
			l->item = e;
		}
		if (rc < 0) {
			snprintf(why, n, "its Responses list is malformed");
			return -1;
		}
	}
	if (ans.again.n && js_begin(&it, ans.again, '[') == 0) {
		while ((rc = js_next_element(&it, &e)) == 1) {
			struct lookup *l = unclaimed(r, e);

			if (!l) {
				snprintf(why, n, "its UnprocessedKeys holds a key that was not asked for, or one it also answered");
				return -1;
			}
			l->again = 1;
		}
		if (rc < 0) {
			snprintf(why, n, "its UnprocessedKeys list is malformed");
			return -1;
		}
	}
	for (i = 0; i < r->n && !ans.has_items; i++)
		if (r->lk[i].state == WAITING && !r->lk[i].again) {
			snprintf(why, n, "its Responses has no list for the table, so the keys it did not leave unprocessed have no answer");
			return -1;
		}
	return 0;
}

/* Calls back the keys the checked answer found; marks those it left unprocessed. */
static int take_answer(struct get_req *r)
{
	struct batchget *g = r->g;
	int i, again = 0;

	for (i = 0; i < r->n; i++) {
		struct lookup *l = &r->lk[i];

		if (l->state != WAITING)
			continue;
		if (l->item.n) {
			l->state = DONE;
			g->result(g->w, l->pg, (struct slice){ r->keys.data + l->off, l->len }, l->item,
				  l->tag);
		} else if (l->again) {
			l->state = AGAIN;
			again++;
		}
	}
	return again;
}

static void answer_missing(struct get_req *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		struct lookup *l = &r->lk[i];

		if (l->state == WAITING) {
			l->state = DONE;
			r->g->result(r->g->w, l->pg,
				     (struct slice){ r->keys.data + l->off, l->len },
				     (struct slice){ NULL, 0 }, l->tag);
		}
	}
}

static int count_waiting(const struct get_req *r)
{
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->lk[i].state != DONE;
	return n;
}

static void req_failed(struct get_req *r, int exit_code, const char *why)
{
	struct job *j = r->g->w->job;

	job_add(&j->st.c.failed, (uint64_t)count_waiting(r));
	if (why)
		job_fail(j, exit_code, "%s", why);
	req_put(r);
}

static void on_get_done(struct http_call *c)
{
	struct get_req *r = c->owner;
	struct slice resp = { c->resp.data ? c->resp.data : "", c->resp.len };
	struct errbuf eb = ERRBUF_INIT;
	int again, before = count_waiting(r);

	if (http_call_malformed(c)) {
		errf(&eb, EXIT_FAILURE_RUNTIME,
		     "BatchGetItem of '%s' got %d malformed answers in a row (%s): is %s a DynamoDB endpoint?",
		     r->g->table, c->attempt, c->err.message, c->ep->url);
		req_failed(r, eb.exit, eb.msg);
		return;
	}
	if (c->outcome != HTTP_OK) {
		if (c->outcome != HTTP_CANCELLED)
			aws_error_report(c, &eb);
		req_failed(r, c->outcome == HTTP_GAVE_UP ? EXIT_INCOMPLETE : eb.exit,
			   c->outcome == HTTP_CANCELLED ? NULL : eb.msg);
		return;
	}
	if (batchget_limiter(r->g))
		rate_settle(batchget_limiter(r->g), c->reserved, consumed_capacity(resp));
	again = take_answer(r);
	answer_missing(r);	/* neither returned nor left over: no such item */
	if (!again) {
		req_put(r);
		return;
	}
	if (batchget_limiter(r->g)) {
		struct rate_ranges refused_in;

		lookups_ranges(r, AGAIN, &refused_in);
		rate_observe(batchget_limiter(r->g), 0, c->cost * again / (before ? before : 1),
			     NULL, &refused_in);
	}
	r->stall = again == before ? r->stall + 1 : 0;
	if (r->stall >= engine_global_config.max_attempts || engine_stop) {
		/* Retries ran out, as for HTTP_GAVE_UP: resumable. */
		req_failed(r, EXIT_INCOMPLETE, engine_stop ? NULL :
			   "BatchGetItem kept returning the same keys unprocessed (the table is throttling; lower --concurrency or set --max-rcu)");
		return;
	}
	r->rounds++;
	/* The backoff grows while answers return nothing and starts over when one does (as the writer's). */
	req_send(r, engine_backoff_ms(&engine_global_config,
				      r->stall + 1 < 12 ? r->stall + 1 : 12) + 1);
}
