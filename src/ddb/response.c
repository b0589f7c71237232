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

/*
 * A write request: its kind (1 put, 2 delete), its item (or key), and its
 * key values, read when first needed.
 */
struct write_req {
	struct slice item;
	int kind;		/* -1: not a write request */
	int read;		/* h and r have been looked for */
	int keyed;		/* has the key schema's attributes (h, r) */
	struct slice h, r;
};

static void write_req_keys(struct write_req *w, const struct table_desc *keys)
{
	if (w->read)
		return;
	w->read = 1;
	if (w->kind < 0 || !keys)
		return;
	w->keyed = js_find(w->item, keys->hash.name, &w->h) == 1 &&
		   (!keys->range.name || js_find(w->item, keys->range.name, &w->r) == 1);
}

static void write_req_read(struct slice req, struct write_req *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = ddb_write_request_item(req, &w->item);
}

/* The same kind of request for the same item text (so for the same key). */
static int same_text(const struct write_req *a, const struct write_req *b)
{
	return a->kind >= 0 && a->kind == b->kind && a->item.n == b->item.n &&
	       !memcmp(a->item.p, b->item.p, a->item.n);
}

/* Whether two write requests ask the same: the same kind and key (keys NULL: the same item text). */
static int same_request(struct write_req *a, struct write_req *b, const struct table_desc *keys)
{
	if (a->kind < 0 || a->kind != b->kind)
		return 0;
	if (!keys)
		return same_text(a, b);
	write_req_keys(a, keys);
	write_req_keys(b, keys);
	return a->keyed && b->keyed && av_key_same(a->h, b->h) &&
	       (!keys->range.name || av_key_same(a->r, b->r));
}

/* A BatchWriteItem request holds at most 25 requests; a few more are refused as malformed. */
#define MAX_WRITE_REQUESTS DDB_WRITE_REQUESTS_MAX

/*
 * Each unprocessed request is matched to one sent (out->sent). Answers hand
 * requests back as they were sent and in that order, so the search starts
 * after the last match and compares the text first (the same kind and item
 * text is the same key); only a request handed back in another spelling
 * (numbers renormalised, attributes reordered) is compared by key, each
 * sent one's key read once, when first needed. The check runs on the
 * thread that sends, for every answer under throttling: walking the whole
 * request again for it took 43% of a copy's instructions at 30% of the
 * items unprocessed.
 */
static int match_unprocessed(struct ddb_batch_write *out, const struct slice *got,
			     struct write_req *sent, int nsent, const struct table_desc *keys,
			     char *why, size_t n)
{
	unsigned char used[MAX_WRITE_REQUESTS] = { 0 };
	int i, k, tried, next = 0;

	if (nsent < 0 || out->n > nsent)
		return whyf(why, n, "it hands back %d unprocessed requests for %d sent",
			    out->n, nsent < 0 ? 0 : nsent);
	for (i = 0; i < out->n; i++) {
		struct write_req g;

		if (*got[i].p != '{')
			return whyf(why, n, "its UnprocessedItems holds a request that was not sent");
		write_req_read(got[i], &g);
		/* Handed back as sent (the usual case), the text tells; else the key. */
		for (tried = 0, k = next; tried < nsent; tried++, k = (k + 1) % nsent)
			if (!used[k] && same_text(&g, &sent[k]))
				break;
		if (tried == nsent)
			for (tried = 0, k = next; tried < nsent; tried++, k = (k + 1) % nsent)
				if (!used[k] && same_request(&g, &sent[k], keys))
					break;
		if (tried == nsent)
			return whyf(why, n, "its UnprocessedItems holds a request that was not sent");
		used[k] = 1;
		out->sent[i] = k;
		next = (k + 1) % nsent;
	}
	return 0;
}

/*
 * The answer's UnprocessedItems for table: out->unprocessed and out->n, and
 * the first MAX_WRITE_REQUESTS of them in got.
 */
static int read_unprocessed(struct slice resp, const char *table, struct ddb_batch_write *out,
			    struct slice *got, char *why, size_t n)
{
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
				if (out->n++ < MAX_WRITE_REQUESTS)
					got[out->n - 1] = e;
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
	return 0;
}

int ddb_batch_write_parse(struct slice resp, const char *table,
			  struct slice request, const struct table_desc *keys,
			  struct ddb_batch_write *out, char *why, size_t n)
{
	struct slice ri, sent = { "[]", 2 };
	struct slice *req, got[MAX_WRITE_REQUESTS];
	struct write_req *reqs;
	int nsent, k, r;

	if (read_unprocessed(resp, table, out, got, why, n) < 0)
		return -1;
	/* The request is walked only when something came back: most answers leave nothing. */
	if (!out->n)
		return 0;
	if (js_find(request, "RequestItems", &ri) != 1 || js_find(ri, table, &sent) != 1)
		sent = (struct slice){ "[]", 2 };
	req = xcalloc(MAX_WRITE_REQUESTS, sizeof(*req));
	reqs = xcalloc(MAX_WRITE_REQUESTS, sizeof(*reqs));
	nsent = list_elements(sent, req, MAX_WRITE_REQUESTS);
	for (k = 0; k < nsent; k++)
		write_req_read(req[k], &reqs[k]);
	r = match_unprocessed(out, got, reqs, nsent, keys, why, n);
	free(req);
	free(reqs);
	return r;
}

int ddb_batch_write_check(struct slice resp, const char *table, const struct slice *items,
			  int nitems, int deleting, const struct table_desc *keys,
			  struct ddb_batch_write *out, char *why, size_t n)
{
	struct write_req reqs[MAX_WRITE_REQUESTS];
	struct slice got[MAX_WRITE_REQUESTS];
	int k;

	if (read_unprocessed(resp, table, out, got, why, n) < 0)
		return -1;
	if (!out->n)
		return 0;
	if (nitems > MAX_WRITE_REQUESTS)
		return whyf(why, n, "internal error: %d write requests sent", nitems);
	for (k = 0; k < nitems; k++) {
		memset(&reqs[k], 0, sizeof(reqs[k]));
		reqs[k].item = items[k];
		reqs[k].kind = deleting ? 2 : 1;
	}
	return match_unprocessed(out, got, reqs, nitems, keys, why, n);
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
