/*
 * Response walkers for Scan, Query, BatchGetItem and BatchWriteItem: an
 * answer is checked whole, for what its operation always returns, before
 * the engine acts on any part of it (see response.h).
 */
#include "dynamo/response.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number as JSON writes it, at most 19 digits. */
static int parse_count(struct slice v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (!v.n || v.n > 19)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = x;
	return 0;
}

/* Attributes a start key can have: the table's two keys and an index's two. */
#define MAX_KEY_ATTRS 8

int ddb_start_key_valid(struct slice v)
{
	struct slice names[MAX_KEY_ATTRS], k, av;
	struct js_iter it;
	int r, i, members = 0;

	if (js_begin(&it, v, '{') < 0)
		return 0;
	while ((r = js_next_member(&it, &k, &av)) == 1) {
		if (*av.p != '{' || members == MAX_KEY_ATTRS)
			return 0;
		for (i = 0; i < members; i++)
			if (names[i].n == k.n && !memcmp(names[i].p, k.p, k.n))
				return 0;
		names[members++] = k;
	}
	return r == 0 && members > 0;
}

/*
 * Counts the elements of the array at the iterator's position, each an
 * object; -1 if not. With items, each element's slice is appended to it.
 */
static int64_t walk_objects(struct js_iter *it, struct slice *span, struct buf *items)
{
	struct slice rest = js_rest(it), e;
	struct js_iter arr;
	int64_t count = 0;
	int r;

	if (js_begin(&arr, rest, '[') < 0)
		return -1;
	while ((r = js_next_element(&arr, &e)) == 1) {
		if (*e.p != '{')
			return -1;
		if (items)
			buf_append(items, &e, sizeof(e));
		count++;
	}
	if (r < 0)
		return -1;
	span->p = js_ws(rest.p, rest.p + rest.n);
	span->n = (size_t)(arr.p - span->p);
	js_resume(it, arr.p);
	return count;
}

int ddb_page_parse(struct slice resp, int count_only, struct ddb_page *pg,
		   char *why, size_t n)
{
	return ddb_page_parse_items(resp, count_only, pg, NULL, why, n);
}

int ddb_page_parse_items(struct slice resp, int count_only, struct ddb_page *pg,
			 struct buf *items, char *why, size_t n)
{
	struct js_iter it;
	struct slice k;
	int64_t nitems = -1;
	int r, have_count = 0;

	memset(pg, 0, sizeof(*pg));
	if (items)
		buf_reset(items);
	if (js_begin(&it, resp, '{') < 0)
		return whyf(why, n, "the answer is not a JSON object (%zu bytes)", resp.n);
	while ((r = js_next_key(&it, &k)) == 1) {
		const char *start = it.p;
		struct slice v;

		if (js_key_is(k, "Items")) {
			if (nitems >= 0)
				return whyf(why, n, "the answer has Items twice");
			if ((nitems = walk_objects(&it, &pg->items, items)) < 0)
				return whyf(why, n, "its Items is not an array of items");
			continue;
		}
		if (js_skip_value(&it) < 0)
			break;
		v.p = start;
		v.n = (size_t)(it.p - start);
		if (js_key_is(k, "Count")) {
			if (have_count++ || parse_count(v, &pg->count) < 0)
				return whyf(why, n, "its Count is not one whole number");
		} else if (js_key_is(k, "LastEvaluatedKey")) {
			if (pg->lek.n || !ddb_start_key_valid(v))
				return whyf(why, n, "its LastEvaluatedKey is not a key (%s)",
					    v.n == 2 ? "an empty object" : "not an object of attribute values");
			pg->lek = v;
		} else if (js_key_is(k, "ConsumedCapacity")) {
			pg->cc = v;
		}
	}
	if (r != 0)
		return whyf(why, n, "the answer is cut short or is not valid JSON (%zu bytes)", resp.n);
	if (!have_count)
		return whyf(why, n, "the answer has no Count");
	if (nitems < 0 && !count_only)
		return whyf(why, n, "the answer has no Items");
	if (nitems >= 0 && (uint64_t)nitems != pg->count)
		return whyf(why, n, "its Count says %llu items but Items holds %lld",
			    (unsigned long long)pg->count, (long long)nitems);
	return 0;
}

int ddb_write_request_item(struct slice req, struct slice *item)
{
	struct slice v;

	if (js_find(req, "PutRequest", &v) == 1 && js_find(v, "Item", item) == 1 &&
	    *item->p == '{')
		return 1;
	if (js_find(req, "DeleteRequest", &v) == 1 && js_find(v, "Key", item) == 1 &&
	    *item->p == '{')
		return 2;
	return -1;
}

static int same_attr(struct slice a, struct slice b, const char *name)
{
	struct slice va, vb;

	return js_find(a, name, &va) == 1 && js_find(b, name, &vb) == 1 &&
	       av_key_compare(va, vb) == 0;
}

int ddb_same_key(struct slice a, struct slice b, const struct table_desc *keys)
{
	return same_attr(a, b, keys->hash.name) &&
	       (!keys->range.name || same_attr(a, b, keys->range.name));
}

int ddb_same_start_key(struct slice a, struct slice b)
{
	struct js_iter ia, ib;
	struct slice ka, va, kb, vb;
	int na = 0, nb = 0, r;

	if (js_begin(&ib, b, '{') < 0)
		return 0;
	while ((r = js_next_member(&ib, &kb, &vb)) == 1)
		nb++;
	if (r < 0 || js_begin(&ia, a, '{') < 0)
		return 0;
	while ((r = js_next_member(&ia, &ka, &va)) == 1) {
		int found = 0;

		na++;
		js_begin(&ib, b, '{');
		while (!found && js_next_member(&ib, &kb, &vb) == 1)
			found = ka.n == kb.n && !memcmp(ka.p, kb.p, ka.n) &&
				av_key_same(va, vb);
		if (!found)
			return 0;
	}
	return r == 0 && na == nb;
}

/* The elements of a list, as slices (up to max); -1 when it is not a list of objects. */
static int list_elements(struct slice list, struct slice *out, int max)
{
	struct js_iter it;
	struct slice e;
	int r, count = 0;

	if (js_begin(&it, list, '[') < 0)
		return -1;
	while ((r = js_next_element(&it, &e)) == 1) {
		if (*e.p != '{' || count == max)
			return -1;
		out[count++] = e;
	}
	return r < 0 ? -1 : count;
}

/* A write request, read once: its kind (1 put, 2 delete) and key values. */
struct write_req {
	struct slice req;
	int kind;		/* -1: not a write request */
	int keyed;		/* has the key schema's attributes (h, r) */
	struct slice h, r;
};

static void write_req_read(struct slice req, const struct table_desc *keys, struct write_req *w)
{
	struct slice item;

	memset(w, 0, sizeof(*w));
	w->req = req;
	w->kind = ddb_write_request_item(req, &item);
	if (w->kind < 0 || !keys)
		return;
	w->keyed = js_find(item, keys->hash.name, &w->h) == 1 &&
		   (!keys->range.name || js_find(item, keys->range.name, &w->r) == 1);
}

/* Whether two write requests ask the same: the same kind and key (keys NULL: the same text). */
static int same_request(const struct write_req *a, const struct write_req *b,
			const struct table_desc *keys)
{
	if (a->kind < 0 || a->kind != b->kind)
		return 0;
	if (!keys)
		return a->req.n == b->req.n && !memcmp(a->req.p, b->req.p, a->req.n);
	return a->keyed && b->keyed && av_key_same(a->h, b->h) &&
	       (!keys->range.name || av_key_same(a->r, b->r));
}

/* A BatchWriteItem request holds at most 25 requests; a few more are refused as malformed. */
#define MAX_WRITE_REQUESTS DDB_WRITE_REQUESTS_MAX

/*
 * Each unprocessed request is matched to one sent (out->sent). The sent
 * ones are read once, not once per unprocessed request: an answer leaving
 * 24 of 25 unprocessed is common under throttling, and the check runs on
 * the thread that sends.
 */
static int match_unprocessed(struct ddb_batch_write *out, struct slice sent,
			     const struct table_desc *keys, char *why, size_t n)
{
	struct slice *got = xcalloc(MAX_WRITE_REQUESTS, sizeof(*got));
	struct slice *req = xcalloc(MAX_WRITE_REQUESTS, sizeof(*req));
	struct write_req *reqs = xcalloc(MAX_WRITE_REQUESTS, sizeof(*reqs));
	unsigned char used[MAX_WRITE_REQUESTS] = { 0 };
	int nsent = list_elements(sent, req, MAX_WRITE_REQUESTS);
	int ngot = list_elements(out->unprocessed, got, MAX_WRITE_REQUESTS);
	int i, k, r = 0;

	if (nsent < 0 || ngot < 0 || ngot > nsent) {
		r = whyf(why, n, "it hands back %d unprocessed requests for %d sent",
			 out->n, nsent < 0 ? 0 : nsent);
		goto out;
	}
	for (k = 0; k < nsent; k++)
		write_req_read(req[k], keys, &reqs[k]);
	for (i = 0; i < ngot; i++) {
		struct write_req g;

		write_req_read(got[i], keys, &g);
		for (k = 0; k < nsent && (used[k] || !same_request(&g, &reqs[k], keys)); k++)
			;
		if (k == nsent) {
			r = whyf(why, n, "its UnprocessedItems holds a request that was not sent");
			goto out;
		}
		used[k] = 1;
		out->sent[i] = k;
	}
out:
	free(got);
	free(req);
	free(reqs);
	return r;
}

int ddb_batch_write_parse(struct slice resp, const char *table,
			  struct slice request, const struct table_desc *keys,
			  struct ddb_batch_write *out, char *why, size_t n)
{
	struct slice ri, sent = { "[]", 2 };
	struct js_iter it, ti;
	struct slice k, v, tk, tv, e;
	int r, have = 0;

	memset(out, 0, sizeof(*out));
	if (js_begin(&it, resp, '{') < 0)
		return whyf(why, n, "the answer is not a JSON object (%zu bytes)", resp.n);
	while ((r = js_next_member(&it, &k, &v)) == 1) {
		if (!js_key_is(k, "UnprocessedItems"))
			continue;
		if (have++ || js_begin(&ti, v, '{') < 0)
			return whyf(why, n, "its UnprocessedItems is not one object");
		while ((r = js_next_member(&ti, &tk, &tv)) == 1) {
			struct js_iter li;

			if (!js_key_is(tk, table) || out->unprocessed.n)
				return whyf(why, n, "its UnprocessedItems names a table that was not written to");
			if (js_begin(&li, tv, '[') < 0)
				return whyf(why, n, "its UnprocessedItems for the table is not a list");
			while ((r = js_next_element(&li, &e)) == 1)
				out->n++;
			if (r < 0)
				break;
			out->unprocessed = tv;
		}
		if (r < 0)
			break;
	}
	if (r != 0)
		return whyf(why, n, "the answer is cut short or is not valid JSON (%zu bytes)", resp.n);
	if (!have)
		return whyf(why, n, "the answer has no UnprocessedItems");
	/* The request is walked only when something came back: most answers leave nothing. */
	if (!out->n)
		return 0;
	if (js_find(request, "RequestItems", &ri) != 1 || js_find(ri, table, &sent) != 1)
		sent = (struct slice){ "[]", 2 };
	return match_unprocessed(out, sent, keys, why, n);
}

int ddb_batch_get_parse(struct slice resp, const char *table,
			struct ddb_batch_get *out, char *why, size_t n)
{
	struct js_iter it, ti;
	struct slice k, v, tk, tv;
	int r, responses = 0, unprocessed = 0;

	memset(out, 0, sizeof(*out));
	if (js_begin(&it, resp, '{') < 0)
		return whyf(why, n, "the answer is not a JSON object (%zu bytes)", resp.n);
	while ((r = js_next_member(&it, &k, &v)) == 1) {
		int is_resp = js_key_is(k, "Responses");

		if (!is_resp && !js_key_is(k, "UnprocessedKeys"))
			continue;
		if ((is_resp ? responses++ : unprocessed++) || js_begin(&ti, v, '{') < 0)
			return whyf(why, n, "its %s is not one object",
				    is_resp ? "Responses" : "UnprocessedKeys");
		while ((r = js_next_member(&ti, &tk, &tv)) == 1) {
			struct slice *dst = is_resp ? &out->items : &out->again;

			if (!js_key_is(tk, table) || dst->n)
				return whyf(why, n, "its %s names a table that was not asked for",
					    is_resp ? "Responses" : "UnprocessedKeys");
			if (is_resp) {
				if (*tv.p != '[')
					return whyf(why, n, "its Responses for the table is not a list");
				out->has_items = 1;
				*dst = tv;
			} else if (js_find(tv, "Keys", dst) != 1 || *dst->p != '[') {
				return whyf(why, n, "its UnprocessedKeys for the table has no list of Keys");
			}
		}
		if (r < 0)
			break;
	}
	if (r != 0)
		return whyf(why, n, "the answer is cut short or is not valid JSON (%zu bytes)", resp.n);
	if (!responses)
		return whyf(why, n, "the answer has no Responses");
	if (!unprocessed)
		return whyf(why, n, "the answer has no UnprocessedKeys");
	return 0;
}
