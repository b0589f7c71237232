#include "internal.h"

/* Calls waiting to start: the ready queue (FIFO) and the delayed calls (a min-heap on not_before_ms). */

static void heap_swap(struct engine *e, size_t a, size_t b)
{
	struct http_call *t = e->heap[a];

	e->heap[a] = e->heap[b];
	e->heap[b] = t;
}

void http_delayed_push(struct engine *e, struct http_call *c)
{
	size_t i;

	if (e->nheap == e->heap_cap) {
		e->heap_cap = e->heap_cap ? e->heap_cap * 2 : 64;
		e->heap = xrealloc(e->heap, e->heap_cap * sizeof(*e->heap));
	}
	i = e->nheap++;
	e->heap[i] = c;
	while (i && e->heap[(i - 1) / 2]->not_before_ms > e->heap[i]->not_before_ms) {
		heap_swap(e, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

struct http_call *http_delayed_pop(struct engine *e)
{
	struct http_call *top = e->heap[0];
	size_t i = 0;

	e->heap[0] = e->heap[--e->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < e->nheap && e->heap[l]->not_before_ms < e->heap[m]->not_before_ms)
			m = l;
		if (r < e->nheap && e->heap[r]->not_before_ms < e->heap[m]->not_before_ms)
			m = r;
		if (m == i)
			break;
		heap_swap(e, i, m);
		i = m;
	}
	return top;
}

void http_ready_push(struct engine *e, struct http_call *c)
{
	c->next = NULL;
	if (e->ready_tail)
		e->ready_tail->next = c;
	else
		e->ready_head = c;
	e->ready_tail = c;
	e->nready++;
}

struct http_call *http_ready_pop(struct engine *e)
{
	struct http_call *c = e->ready_head;

	if (c) {
		e->ready_head = c->next;
		if (!e->ready_head)
			e->ready_tail = NULL;
		e->nready--;
	}
	return c;
}
