/* The order of one key's writes from a file (order.h). */
#include "dynamo/order.h"
#include "dynamo/crc32.h"
#include "dynamo/item.h"

#include <stdlib.h>
#include <string.h>

struct order_slot {
	uint64_t fnv;
	uint32_t crc, len;	/* with fnv: the key's digest; len 0: empty slot */
	uint32_t out;		/* versions admitted and not yet confirmed */
	uint32_t waiting;	/* versions held back */
};

struct digest {
	uint64_t fnv;
	uint32_t crc, len;
};

struct order_held {
	size_t off, len;	/* in held; len 0: gone already */
	struct page *pg;
	struct digest d;
};

void order_init(struct key_order *o, const struct table_desc *desc)
{
	memset(o, 0, sizeof(*o));
	o->desc = desc;
	o->nslots = 1024;
	o->slots = xcalloc(o->nslots, sizeof(*o->slots));
}

void order_release(struct key_order *o)
{
	free(o->slots);
	free(o->q);
	buf_release(&o->held);
	buf_release(&o->scratch);
	memset(o, 0, sizeof(*o));
}

static int digest_of(struct key_order *o, struct slice item, struct digest *d)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	buf_reset(&o->scratch);
	if (item_key_canonical(item, o->desc, &o->scratch) < 0)
		return -1;
	for (i = 0; i < o->scratch.len; i++)
		h = (h ^ (unsigned char)o->scratch.data[i]) * 1099511628211ull;
	d->fnv = h;
	d->crc = crc32_update(0, o->scratch.data, o->scratch.len);
	d->len = (uint32_t)o->scratch.len + 1;	/* never 0: 0 marks an empty slot */
	return 0;
}

static size_t find(const struct key_order *o, const struct digest *d)
{
	size_t i = d->fnv & (o->nslots - 1);

	while (o->slots[i].len && (o->slots[i].fnv != d->fnv || o->slots[i].crc != d->crc ||
				   o->slots[i].len != d->len))
		i = (i + 1) & (o->nslots - 1);
	return i;
}

static void grow(struct key_order *o)
{
	struct order_slot *old = o->slots;
	size_t n = o->nslots, i;

	o->nslots *= 2;
	o->slots = xcalloc(o->nslots, sizeof(*o->slots));
	for (i = 0; i < n; i++)
		if (old[i].len) {
			struct digest d = { old[i].fnv, old[i].crc, old[i].len };

			o->slots[find(o, &d)] = old[i];
		}
	free(old);
}

/* The key's slot, made when missing. */
static struct order_slot *slot_of(struct key_order *o, const struct digest *d)
{
	size_t i;

	if ((o->used + 1) * 2 > o->nslots)
		grow(o);
	i = find(o, d);
	if (!o->slots[i].len) {
		o->slots[i] = (struct order_slot){ d->fnv, d->crc, d->len, 0, 0 };
		o->used++;
	}
	return &o->slots[i];
}

/* Linear probing's deletion: the slots after it that probed past it move back. */
static void remove_at(struct key_order *o, size_t i)
{
	size_t j = i, mask = o->nslots - 1;

	o->slots[i].len = 0;
	o->used--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!o->slots[j].len)
			return;
		home = o->slots[j].fnv & mask;
		/* j stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		o->slots[i] = o->slots[j];
		o->slots[j].len = 0;
		i = j;
	}
}

/* Drops the slot when no version of its key is out or held. */
static void settle(struct key_order *o, struct order_slot *sl)
{
	if (!sl->out && !sl->waiting)
		remove_at(o, (size_t)(sl - o->slots));
}

/* The queue without its leading gone entries; emptied, its bytes are reused. */
static void compact(struct key_order *o)
{
	while (o->qhead < o->qn && !o->q[o->qhead].len)
		o->qhead++;
	if (o->qhead == o->qn) {
		o->qhead = o->qn = 0;
		buf_reset(&o->held);
	}
}

static void hold(struct key_order *o, struct slice item, struct page *pg, const struct digest *d)
{
	if (o->qn == o->qcap) {
		o->qcap = o->qcap ? o->qcap * 2 : 64;
		o->q = xrealloc(o->q, o->qcap * sizeof(*o->q));
	}
	o->q[o->qn++] = (struct order_held){ o->held.len, item.n, pg, *d };
	buf_append(&o->held, item.p, item.n);
	o->nwaiting++;
}

int order_admit(struct key_order *o, struct slice item, struct page *pg)
{
	struct order_slot *sl;
	struct digest d;

	if (digest_of(o, item, &d) < 0)
		return -1;
	sl = slot_of(o, &d);
	/* A version out, or one held before it: this one waits its turn (other keys go on). */
	if (sl->out || sl->waiting) {
		sl->waiting++;
		hold(o, item, pg, &d);
		return 0;
	}
	sl->out++;
	return 1;
}

void order_confirm(struct key_order *o, struct slice item)
{
	struct digest d;
	size_t i;

	if (digest_of(o, item, &d) < 0)
		return;
	i = find(o, &d);
	if (!o->slots[i].len || !o->slots[i].out)
		return;
	o->slots[i].out--;
	settle(o, &o->slots[i]);
}

int order_next(struct key_order *o, struct slice *item, struct page **pg)
{
	size_t k;

	compact(o);
	/* In file order: the first held version of a key whose earlier ones are all written. */
	for (k = o->qhead; k < o->qn; k++) {
		struct order_held *h = &o->q[k];
		struct order_slot *sl;

		if (!h->len)
			continue;
		sl = &o->slots[find(o, &h->d)];
		if (sl->out)
			continue;
		sl->waiting--;
		sl->out++;
		*item = (struct slice){ o->held.data + h->off, h->len };
		*pg = h->pg;
		h->len = 0;
		o->nwaiting--;
		return 1;
	}
	return 0;
}

size_t order_waiting(const struct key_order *o)
{
	return o->nwaiting;
}

size_t order_bytes(const struct key_order *o)
{
	return o->held.len;	/* what the held items take, gaps included: emptied, it is reused */
}
