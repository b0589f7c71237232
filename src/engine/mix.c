/* Items waiting for a batch, taken in turn across pages and retries: see mix.h. */
#include "dynamo/mix.h"
#include "dynamo/job.h"

#include <stdlib.h>
#include <string.h>

/* An item in a slot's buffer: this header, then its bytes. */
struct item_head {
	uint32_t len;
	uint16_t tries, idle;	/* saturating */
	struct page *pg;
};

/*
 * A slot's items are kept in chunks of CHUNK_BYTES (an item never spans
 * two; a larger one gets a chunk of its own size), not in one buffer that
 * grows: a growing buffer is copied at every doubling and keeps its whole
 * size until its last item is taken, so a worker's slots held twice the
 * items they had and faulted in fresh pages for every new slot (a
 * 200k-item copy: ~1,900 reallocs, 56 MB RSS, 43 MB with chunks). A chunk
 * whose items are all taken goes back to the mix's pool at once, for the
 * next page.
 */
struct mix_chunk {
	struct mix_chunk *next;
	size_t len, cap;		/* bytes used, and room for */
	char data[];
};

#define CHUNK_BYTES (16u << 10)
/* Chunks a mix keeps for reuse: the items a worker may hold (its backlog) and some. */
#define POOL_MAX 512

struct mix_slot {
	struct mix_chunk *head, *tail;	/* owned: its items, taken from head, added to tail */
	size_t off;			/* the next item to take, in head */
	size_t left;			/* items not taken */
	struct page *pg;		/* a page's slot: the page; a retry slot: NULL */
	uint64_t due_ms;		/* while waiting: when it may go */
	int in_ring;
	struct mix_slot *next, *prev;	/* the ring, or next in the waiting or spare list */
};

void mix_init(struct mix *m)
{
	memset(m, 0, sizeof(*m));
}

static struct mix_chunk *chunk_get(struct mix *m, size_t need)
{
	struct mix_chunk *c = m->pool;

	if (c && need <= CHUNK_BYTES) {
		m->pool = c->next;
		m->npool--;
	} else {
		size_t cap = need > CHUNK_BYTES ? need : CHUNK_BYTES;

		c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		m->allocated += cap;
	}
	c->next = NULL;
	c->len = 0;
	return c;
}

static void chunk_put(struct mix *m, struct mix_chunk *c)
{
	if (c->cap == CHUNK_BYTES && m->npool < POOL_MAX) {
		c->next = m->pool;
		m->pool = c;
		m->npool++;
		return;
	}
	m->allocated -= c->cap;
	free(c);
}

/* Its chunks go back to the pool. */
static void slot_empty(struct mix *m, struct mix_slot *s)
{
	struct mix_chunk *c;

	while ((c = s->head)) {
		s->head = c->next;
		chunk_put(m, c);
	}
	s->tail = NULL;
	s->off = 0;
}

static void slot_free(struct mix *m, struct mix_slot *s)
{
	slot_empty(m, s);
	free(s);
}

static void ring_unlink(struct mix *m, struct mix_slot *s)
{
	if (s->next == s) {
		m->turn = NULL;
	} else {
		s->prev->next = s->next;
		s->next->prev = s->prev;
		if (m->turn == s)
			m->turn = s->next;
	}
	s->in_ring = 0;
	m->ready -= s->left;
}

/* Into the ring: first in turn (front) or last in this round. */
static void ring_insert(struct mix *m, struct mix_slot *s, int front)
{
	if (!m->turn) {
		s->next = s->prev = s;
		m->turn = s;
	} else {
		s->next = m->turn;
		s->prev = m->turn->prev;
		s->prev->next = s;
		m->turn->prev = s;
		if (front)
			m->turn = s;
	}
	s->in_ring = 1;
	m->ready += s->left;
}

void mix_release(struct mix *m)
{
	struct mix_slot *s;
	struct mix_chunk *c;

	while ((s = m->turn)) {
		ring_unlink(m, s);
		slot_free(m, s);
	}
	while ((s = m->waiting)) {
		m->waiting = s->next;
		slot_free(m, s);
	}
	while ((s = m->spare)) {
		m->spare = s->next;
		slot_free(m, s);
	}
	while ((c = m->pool)) {
		m->pool = c->next;
		free(c);
	}
	memset(m, 0, sizeof(*m));
}

static struct mix_slot *slot_get(struct mix *m, struct page *pg)
{
	struct mix_slot *s = m->spare;

	if (s)
		m->spare = s->next;
	else
		s = xcalloc(1, sizeof(*s));
	s->head = s->tail = NULL;
	s->pg = pg;
	s->off = s->left = 0;
	s->due_ms = 0;
	return s;
}

static void slot_put(struct mix *m, struct mix_slot *s)
{
	if (m->filling == s)
		m->filling = NULL;
	slot_empty(m, s);
	s->next = m->spare;
	m->spare = s;
}

static void slot_append(struct mix *m, struct mix_slot *s, struct page *pg,
			struct slice item, int tries, int idle)
{
	struct item_head h;
	struct mix_chunk *c = s->tail;
	size_t need = sizeof(h) + item.n;

	if (!c || c->cap - c->len < need) {
		c = chunk_get(m, need);
		if (s->tail)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
	}
	h.len = (uint32_t)item.n;
	h.tries = (uint16_t)(tries < 65535 ? tries : 65535);
	h.idle = (uint16_t)(idle < 65535 ? idle : 65535);
	h.pg = pg;
	memcpy(c->data + c->len, &h, sizeof(h));
	if (item.n)
		memcpy(c->data + c->len + sizeof(h), item.p, item.n);
	c->len += need;
	s->left++;
	if (s->in_ring)
		m->ready++;
	else
		m->held++;
	m->bytes += item.n;
}

static void wait_insert(struct mix *m, struct mix_slot *s, uint64_t due_ms)
{
	s->due_ms = due_ms;
	s->next = m->waiting;
	m->waiting = s;
	m->held += s->left;
}

void mix_add(struct mix *m, struct page *pg, struct slice item)
{
	struct mix_slot *s = m->filling;

	if (!s || s->pg != pg) {
		s = m->filling = slot_get(m, pg);
		ring_insert(m, s, 0);
	}
	slot_append(m, s, pg, item, 0, 0);
}

struct mix_slot *mix_retry_slot(struct mix *m, uint64_t due_ms)
{
	struct mix_slot *s = slot_get(m, NULL);

	wait_insert(m, s, due_ms);
	return s;
}

void mix_retry_add(struct mix *m, struct mix_slot *s, struct page *pg,
		   struct slice item, int tries, int idle)
{
	slot_append(m, s, pg, item, tries, idle);
}

void mix_hold(struct mix *m, const struct unit *u, uint64_t due_ms)
{
	struct mix_slot *s, *next;
	size_t k, count = 0;

	for (s = m->waiting; s; s = s->next)
		if (s->pg && s->pg->unit == u && s->due_ms < due_ms)
			s->due_ms = due_ms;
	if (!m->turn)
		return;
	for (s = m->turn; ; s = s->next) {
		count++;
		if (s->next == m->turn)
			break;
	}
	for (s = m->turn, k = 0; k < count; k++, s = next) {
		next = s->next;
		if (s->pg && s->pg->unit == u) {
			ring_unlink(m, s);
			wait_insert(m, s, due_ms);
		}
	}
}

int64_t mix_wake(struct mix *m, uint64_t now_ms)
{
	struct mix_slot **p = &m->waiting, *s;
	int64_t next = -1;

	while ((s = *p)) {
		if (s->due_ms <= now_ms) {
			*p = s->next;
			m->held -= s->left;
			ring_insert(m, s, 1);
			continue;
		}
		if (next < 0 || (int64_t)(s->due_ms - now_ms) < next)
			next = (int64_t)(s->due_ms - now_ms);
		p = &s->next;
	}
	return next;
}

int mix_peek(struct mix *m, struct page **pg, struct slice *item, int *tries,
	     int *idle)
{
	struct mix_slot *s = m->turn;
	struct item_head h;

	if (!s)
		return 0;
	memcpy(&h, s->head->data + s->off, sizeof(h));
	*pg = h.pg;
	*tries = h.tries;
	*idle = h.idle;
	item->p = s->head->data + s->off + sizeof(h);
	item->n = h.len;
	return 1;
}

void mix_next(struct mix *m)
{
	struct mix_slot *s = m->turn;
	struct item_head h;

	if (!s)
		return;
	memcpy(&h, s->head->data + s->off, sizeof(h));
	s->off += sizeof(h) + h.len;
	/* A chunk taken to its end goes back at once (the last one with the slot). */
	if (s->off == s->head->len && s->head->next) {
		struct mix_chunk *c = s->head;

		s->head = c->next;
		s->off = 0;
		chunk_put(m, c);
	}
	s->left--;
	m->ready--;
	m->bytes -= h.len;
	m->turn = s->next;
	if (!s->left) {
		ring_unlink(m, s);
		slot_put(m, s);
	}
}
