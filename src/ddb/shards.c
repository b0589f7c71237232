/*
 * Stream shards: sequence numbers as numbers, the lineage order (parents
 * before children), a bounded set of shards and per-shard positions. See
 * shards.h; nothing here does I/O.
 */
#include "dynamo/shards.h"
#include "dynamo/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sequence numbers ---- */

int stream_seq_valid(const char *s, size_t n)
{
	size_t i;

	if (!s || !n || n > STREAM_SEQ_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int stream_seq_compare(const char *a, const char *b)
{
	size_t an, bn;
	int r;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	an = strlen(a);
	bn = strlen(b);
	if (an != bn)
		return an < bn ? -1 : 1;
	r = memcmp(a, b, an);
	return (r > 0) - (r < 0);
}

/* ---- shard ids ---- */

int stream_shard_id_valid(const char *s, size_t n)
{
	size_t i;

	if (!s || !n || n > STREAM_SHARD_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* ---- an index of shards by id: open addressing over indices ---- */

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return h;
}

/* Slots for n shards: a power of two at least twice n, so probes stay short. */
static size_t slots_for(int n)
{
	size_t k = 16;

	while (k < 2 * (size_t)n)
		k <<= 1;
	return k;
}

/* The slot of id in slots[] (of v's indices): where it is, or the empty one where it would go. */
static size_t slot_of(const int32_t *slots, size_t nslots,
		      const struct stream_shard *v, const char *id)
{
	size_t i = (size_t)id_hash(id) & (nslots - 1);

	while (slots[i] >= 0 && strcmp(v[slots[i]].id, id))
		i = (i + 1) & (nslots - 1);
	return i;
}

static int32_t *slots_new(size_t nslots)
{
	int32_t *slots = xmalloc(nslots * sizeof(*slots));

	memset(slots, 0xff, nslots * sizeof(*slots));	/* every slot -1: empty */
	return slots;
}

/* ---- the lineage order ---- */

/* Whether shard a is read before shard b when both are ready: the older first. */
static int before(const struct stream_shard *v, int a, int b)
{
	int c = stream_seq_compare(v[a].start, v[b].start);

	return c ? c < 0 : strcmp(v[a].id, v[b].id) < 0;
}

/* A binary min-heap of shard indices, ordered by before(). */
struct ready {
	int *h;
	int n;
	const struct stream_shard *v;
};

static void ready_push(struct ready *r, int x)
{
	int i = r->n++;

	while (i > 0 && before(r->v, x, r->h[(i - 1) / 2])) {
		r->h[i] = r->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->h[i] = x;
}

static int ready_pop(struct ready *r)
{
	int top = r->h[0], last = r->h[--r->n], i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= r->n)
			break;
		if (c + 1 < r->n && before(r->v, r->h[c + 1], r->h[c]))
			c++;
		if (!before(r->v, r->h[c], last))
			break;
		r->h[i] = r->h[c];
		i = c;
	}
	if (r->n)
		r->h[i] = last;
	return top;
}

/* parent[i]: the index of v[i]'s parent, or -1; -1 returned when an id is listed twice. */
static int link_parents(const struct stream_shard *v, int n, int *parent,
			char *why, size_t wn)
{
	size_t nslots = slots_for(n);
	int32_t *slots = slots_new(nslots);
	int i, r = 0;

	for (i = 0; i < n; i++) {
		size_t k = slot_of(slots, nslots, v, v[i].id);

		if (slots[k] >= 0) {
			r = whyf(why, wn, "the stream lists shard '%s' twice", v[i].id);
			goto out;
		}
		slots[k] = i;
	}
	for (i = 0; i < n; i++) {
		parent[i] = -1;
		if (v[i].parent[0])
			parent[i] = slots[slot_of(slots, nslots, v, v[i].parent)];
	}
out:
	free(slots);
	return r;
}

int stream_lineage_order(const struct stream_shard *v, int n, int *parent,
			 int *order, char *why, size_t wn)
{
	int *first_child, *next_sibling, i, done = 0, r = 0;
	struct ready rd;

	if (n <= 0)
		return 0;
	if (link_parents(v, n, parent, why, wn) < 0)
		return -1;
	first_child = xmalloc((size_t)n * sizeof(int));
	next_sibling = xmalloc((size_t)n * sizeof(int));
	rd.h = xmalloc((size_t)n * sizeof(int));
	rd.n = 0;
	rd.v = v;
	for (i = 0; i < n; i++)
		first_child[i] = -1;
	for (i = n - 1; i >= 0; i--) {
		if (parent[i] >= 0) {
			next_sibling[i] = first_child[parent[i]];
			first_child[parent[i]] = i;
		} else {
			ready_push(&rd, i);
		}
	}
	/* Kahn's algorithm: a shard becomes ready when its parent has been placed. */
	while (rd.n) {
		int x = ready_pop(&rd), c;

		order[done++] = x;
		for (c = first_child[x]; c >= 0; c = next_sibling[c])
			ready_push(&rd, c);
	}
	if (done < n) {
		/* What was never placed hangs from a cycle: name one of its shards. */
		unsigned char *placed = xcalloc((size_t)n, 1);

		for (i = 0; i < done; i++)
			placed[order[i]] = 1;
		for (i = 0; placed[i]; i++)
			;
		r = whyf(why, wn, "the stream's shard lineage is a cycle: shard '%s' descends from itself",
			 v[i].id);
		free(placed);
	}
	free(first_child);
	free(next_sibling);
	free(rd.h);
	return r;
}

/* ---- the set ---- */

void stream_shards_init(struct stream_shards *s, int max)
{
	memset(s, 0, sizeof(*s));
	s->max = max > 0 && max < STREAM_MAX_SHARDS ? max : STREAM_MAX_SHARDS;
}

void stream_shards_release(struct stream_shards *s)
{
	int max = s->max;

	free(s->v);
	free(s->slots);
	free(s->parent);
	free(s->order);
	stream_shards_init(s, max);
}

void stream_shards_reset(struct stream_shards *s)
{
	s->n = 0;
	if (s->slots)
		memset(s->slots, 0xff, s->nslots * sizeof(*s->slots));
}

static int seq_field_valid(const char *s, int may_be_empty)
{
	return (may_be_empty && !*s) || stream_seq_valid(s, strnlen(s, STREAM_SEQ_MAX + 1));
}

/* Each field must also end within its array: a struct from anywhere is checked whole. */
int stream_shard_check(const struct stream_shard *sh, char *why, size_t wn)
{
	if (!memchr(sh->id, 0, sizeof(sh->id)) || !stream_shard_id_valid(sh->id, strlen(sh->id)))
		return whyf(why, wn, "a shard has no valid ShardId");
	if (!memchr(sh->parent, 0, sizeof(sh->parent)) ||
	    (sh->parent[0] && !stream_shard_id_valid(sh->parent, strlen(sh->parent))))
		return whyf(why, wn, "shard '%s' has a ParentShardId that is not a shard id", sh->id);
	if (!memchr(sh->start, 0, sizeof(sh->start)) || !memchr(sh->end, 0, sizeof(sh->end)) ||
	    !seq_field_valid(sh->start, 0) || !seq_field_valid(sh->end, 1))
		return whyf(why, wn, "shard '%s' has a SequenceNumberRange that is not 1 to 40 digits",
			    sh->id);
	if (sh->end[0] && stream_seq_compare(sh->end, sh->start) < 0)
		return whyf(why, wn, "shard '%s' ends (%s) before it starts (%s)", sh->id,
			    sh->end, sh->start);
	return 0;
}

/* Makes room for one more shard: the array doubles, the index is rebuilt at its new size. */
static void grow(struct stream_shards *s)
{
	int i;

	if (s->n < s->cap)
		return;
	s->cap = s->cap ? (s->cap > s->max / 2 ? s->max : s->cap * 2) : 64;
	s->v = xrealloc(s->v, (size_t)s->cap * sizeof(*s->v));
	free(s->slots);
	s->nslots = slots_for(s->cap);
	s->slots = slots_new(s->nslots);
	for (i = 0; i < s->n; i++)
		s->slots[slot_of(s->slots, s->nslots, s->v, s->v[i].id)] = i;
}

int stream_shards_add(struct stream_shards *s, const struct stream_shard *sh,
		      char *why, size_t wn)
{
	size_t k;

	if (stream_shard_check(sh, why, wn) < 0)
		return -1;
	if (stream_shards_find(s, sh->id) >= 0)
		return whyf(why, wn, "the stream lists shard '%s' twice", sh->id);
	if (s->n >= s->max)
		return whyf(why, wn, "the stream has more than %d shards, more than dynamo reads",
			    s->max);
	grow(s);
	s->v[s->n] = *sh;
	k = slot_of(s->slots, s->nslots, s->v, sh->id);
	s->slots[k] = s->n++;
	return 0;
}

int stream_shards_find(const struct stream_shards *s, const char *id)
{
	if (!s->n)
		return -1;
	return s->slots[slot_of(s->slots, s->nslots, s->v, id)];
}

int stream_shards_order(struct stream_shards *s, char *why, size_t wn)
{
	size_t bytes = (size_t)(s->n ? s->n : 1) * sizeof(int);

	s->parent = xrealloc(s->parent, bytes);
	s->order = xrealloc(s->order, bytes);
	return stream_lineage_order(s->v, s->n, s->parent, s->order, why, wn);
}

/* ---- positions ---- */

int stream_pos_start(struct stream_pos *pos, const char *shard)
{
	size_t n = strnlen(shard, STREAM_SHARD_ID_MAX + 1);

	memset(pos, 0, sizeof(*pos));
	if (!stream_shard_id_valid(shard, n))
		return -1;
	memcpy(pos->shard, shard, n);
	pos->kind = STREAM_POS_START;
	return 0;
}

int stream_pos_advance(struct stream_pos *pos, const char *seq)
{
	size_t n = strnlen(seq, STREAM_SEQ_MAX + 1);

	if (pos->kind == STREAM_POS_END || !stream_seq_valid(seq, n) ||
	    (pos->kind == STREAM_POS_AFTER && stream_seq_compare(seq, pos->seq) <= 0) ||
	    (pos->kind == STREAM_POS_AT && stream_seq_compare(seq, pos->seq) < 0))
		return -1;
	memcpy(pos->seq, seq, n + 1);
	pos->kind = STREAM_POS_AFTER;
	return 0;
}

int stream_pos_at(struct stream_pos *pos, const char *seq)
{
	size_t n = strnlen(seq, STREAM_SEQ_MAX + 1);

	if (pos->kind != STREAM_POS_START || !stream_seq_valid(seq, n))
		return -1;
	memcpy(pos->seq, seq, n + 1);
	pos->kind = STREAM_POS_AT;
	return 0;
}

void stream_pos_end(struct stream_pos *pos)
{
	pos->kind = STREAM_POS_END;
	pos->seq[0] = '\0';
}

int stream_pos_format(const struct stream_pos *pos, struct buf *out)
{
	const char *where = pos->kind == STREAM_POS_START ? "start" :
			    pos->kind == STREAM_POS_END ? "end" : pos->seq;

	return buf_printf(out, "%s %s%s", pos->shard, pos->kind == STREAM_POS_AT ? "at " : "", where);
}

int stream_pos_parse(const char *text, size_t n, struct stream_pos *pos,
		     char *why, size_t wn)
{
	const char *sp = memchr(text, ' ', n), *rest;
	size_t idn, rn;

	memset(pos, 0, sizeof(*pos));
	if (!sp)
		return whyf(why, wn, "a stream position is not 'SHARD start', 'SHARD SEQUENCE', 'SHARD at SEQUENCE' or 'SHARD end'");
	idn = (size_t)(sp - text);
	rest = sp + 1;
	rn = n - idn - 1;
	if (!stream_shard_id_valid(text, idn))
		return whyf(why, wn, "a stream position does not start with a shard id");
	memcpy(pos->shard, text, idn);
	if (rn == 5 && !memcmp(rest, "start", 5)) {
		pos->kind = STREAM_POS_START;
	} else if (rn == 3 && !memcmp(rest, "end", 3)) {
		pos->kind = STREAM_POS_END;
	} else if (stream_seq_valid(rest, rn)) {
		memcpy(pos->seq, rest, rn);
		pos->kind = STREAM_POS_AFTER;
	} else if (rn > 3 && !memcmp(rest, "at ", 3) && stream_seq_valid(rest + 3, rn - 3)) {
		memcpy(pos->seq, rest + 3, rn - 3);
		pos->kind = STREAM_POS_AT;
	} else {
		memset(pos, 0, sizeof(*pos));
		return whyf(why, wn, "the stream position of shard '%.*s' is not 'start', 'end', a sequence number or 'at' one",
			    (int)idn, text);
	}
	return 0;
}
