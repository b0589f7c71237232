/*
 * Following a DynamoDB stream into a table (see follow.h): shards read in
 * lineage order, one round of pages at a time, each key's last change of
 * the round applied through the batch writer, positions moved only after
 * the round is written.
 */
#include "dynamo/follow.h"
#include "dynamo/creds.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/job.h"
#include "dynamo/json_scan.h"
#include "dynamo/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Describe the stream again this often, for shards split meanwhile. */
#define DESCRIBE_EVERY_MS 10000
/* Rest between rounds that found nothing new (GetRecords allows five a second a shard). */
#define IDLE_SLEEP_MS 500
/* Reads of one shard that fail in a row (after the engine's own retries) before giving up. */
#define MAX_READ_FAILURES 10
/* Rest before applying a round again, doubling to this. */
#define APPLY_BACKOFF_MAX_MS 30000

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps up to ms, waking at once on a signal. */
static void rest(uint64_t ms)
{
	uint64_t end = clock_mono_ms() + ms;

	while (!engine_stop && clock_mono_ms() < end) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
}

void follower_init(struct follower *f, const struct follow_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	stream_shards_init(&f->set, 0);
}

static void free_states(struct follow_shard *fs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_release(&fs[i].iterator);
	free(fs);
}

void follower_release(struct follower *f)
{
	free_states(f->fs, f->set.n);
	stream_shards_release(&f->set);
	memset(f, 0, sizeof(*f));
}

/* ---- the shard list ---- */

static int pos_applied(const struct follow_shard *s)
{
	return !s->latest && s->pos.kind != STREAM_POS_START;
}

/*
 * Lists the stream again, keeping each known shard's reader. A shard not
 * read to its end that the stream no longer lists was trimmed with changes
 * not yet applied: a fresh copy is the only way back.
 */
static int describe(struct follower *f, struct errbuf *eb)
{
	struct stream_shards set;
	struct streams_desc desc;
	struct follow_shard *fs;
	int i;

	stream_shards_init(&set, 0);
	if (streams_describe(f->cfg.api, f->cfg.arn, f->cfg.src_table, &set, &desc, NULL, eb) < 0)
		goto fail;
	fs = xcalloc((size_t)set.n + 1, sizeof(*fs));
	for (i = 0; i < set.n; i++) {
		int old = stream_shards_find(&f->set, set.v[i].id);

		if (old >= 0) {
			fs[i] = f->fs[old];
			buf_init(&f->fs[old].iterator, 0);
		} else {
			stream_pos_start(&fs[i].pos, set.v[i].id);
		}
	}
	for (i = 0; i < f->set.n; i++) {
		if (f->fs[i].state != FOLLOW_DONE && stream_shards_find(&set, f->set.v[i].id) < 0) {
			free_states(fs, set.n);
			errf(eb, EXIT_FAILURE_RUNTIME,
			     "shard '%s' of the stream of table '%s' was trimmed (24 hours after it closed) before it was read to its end: changes are lost to the follower; bring the target in step with a fresh copy (without the checkpoint)",
			     f->set.v[i].id, f->cfg.src_table);
			goto fail;
		}
	}
	free_states(f->fs, f->set.n);
	stream_shards_release(&f->set);
	f->set = set;
	f->fs = fs;
	f->described_ms = clock_mono_ms();
	f->describe_now = 0;
	return 0;
fail:
	stream_shards_release(&set);
	return -1;
}

/* Which shards can be read now: not done, and the parent (if listed) done. */
static void update_states(struct follower *f)
{
	int k;

	for (k = 0; k < f->set.n; k++) {
		int i = f->set.order[k], p = f->set.parent[i];

		if (f->fs[i].state == FOLLOW_DONE)
			continue;
		f->fs[i].state = p < 0 || f->fs[p].state == FOLLOW_DONE ? FOLLOW_READ : FOLLOW_WAIT;
	}
}

static int get_latest(struct follower *f, int i, struct errbuf *eb)
{
	struct buf body = BUF_INIT, resp = BUF_INIT;
	int r = -1;

	if (streams_iterator_body(&body, f->cfg.arn, f->set.v[i].id, STREAM_LATEST, NULL) == 0 &&
	    streams_request(f->cfg.api, STREAMS_TARGET("GetShardIterator"), &body,
			    streams_check_iterator, NULL, &resp, NULL, f->cfg.src_table, eb) == 0)
		r = streams_iterator_parse((struct slice){ resp.data, resp.len }, &f->fs[i].iterator,
					   NULL, 0);
	buf_release(&body);
	buf_release(&resp);
	return r;
}

static int keep_one(struct follower *f, int i, struct buf *resp, struct errbuf *why);

int follow_mark(struct follower *f, struct errbuf *eb)
{
	struct buf resp = BUF_INIT;
	int i, proven = 0, r = 0;

	if (describe(f, eb) < 0)
		return -1;
	for (i = 0; i < f->set.n && r == 0; i++) {
		if (stream_shard_closed(&f->set.v[i])) {
			f->fs[i].state = FOLLOW_DONE;
			continue;
		}
		if (get_latest(f, i, eb) < 0)
			r = -1;
		f->fs[i].latest = 1;
		/*
		 * One GetRecords now, so that a role without dynamodb:GetRecords
		 * stops the copy before the snapshot is written, not after.
		 */
		if (r == 0 && !proven++ && keep_one(f, i, &resp, eb) < 0)
			r = -1;
	}
	buf_release(&resp);
	update_states(f);
	return r;
}

/* Keeps shard i's LATEST position alive: 1 pinned or ended, 0 renewed, -1 failed (why set). */
static int keep_one(struct follower *f, int i, struct buf *resp, struct errbuf *why)
{
	struct follow_shard *s = &f->fs[i];
	struct streams_records_want want = { NULL, &f->set.v[i], 1 };
	struct streams_records_page pg;
	struct stream_record rec;
	struct js_iter it;
	enum streams_fault fault;

	if (streams_get_records(f->cfg.api, &s->iterator, 1, &want, f->cfg.src_table, resp, &pg,
				&fault, why) < 0) {
		if (fault != STREAMS_FAULT_EXPIRED_ITERATOR)
			return -1;
		msg_warn("the position taken in shard '%s' before the snapshot expired before it could be renewed: the shard will be read from its oldest change (changes the snapshot holds are applied again, which is harmless)",
			 s->pos.shard);
		s->latest = 0;
		buf_reset(&s->iterator);
		return 1;
	}
	streams_records_begin(&it, &pg);
	if (streams_records_next(&it, &rec) == 1) {
		/* The first change after the position: the position is just before it, for good. */
		stream_pos_at(&s->pos, rec.seq);
		s->latest = 0;
		buf_reset(&s->iterator);
		return 1;
	}
	if (pg.ended) {
		if (!stream_shard_closed(&f->set.v[i]))
			return 0;	/* a stale listing: the follower describes the stream again */
		s->latest = 0;
		stream_pos_end(&s->pos);
		s->state = FOLLOW_DONE;
		buf_reset(&s->iterator);
		return 1;
	}
	return streams_records_next_iterator(&pg, &s->iterator) < 0 ? -1 : 0;
}

int follow_keep(struct follower *f)
{
	struct buf resp = BUF_INIT;
	int i, changed = 0;

	for (i = 0; i < f->set.n && !engine_stop; i++) {
		struct errbuf why = ERRBUF_INIT;
		int r;

		if (!f->fs[i].latest || !f->fs[i].iterator.len)
			continue;
		if ((r = keep_one(f, i, &resp, &why)) < 0)
			msg_warn("cannot renew the position taken in shard '%s' before the snapshot (%s); trying again later",
				 f->fs[i].pos.shard, why.msg);
		else
			changed += r;
	}
	buf_release(&resp);
	return changed;
}

/* Marks shard i's ancestors done: a shard with a position was reached through them. */
static void ancestors_done(struct follower *f, int i)
{
	int p, steps = 0;

	for (p = f->set.parent[i]; p >= 0 && steps < f->set.n; p = f->set.parent[p], steps++)
		f->fs[p].state = FOLLOW_DONE;
}

int follow_resume(struct follower *f, const char *text, size_t n, struct errbuf *eb)
{
	const char *p = text, *end = text + n;
	char why[256];

	if (describe(f, eb) < 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct stream_pos pos;
		int i;

		if (len && stream_pos_parse(p, len, &pos, why, sizeof(why)) < 0)
			return errf(eb, EXIT_USAGE, "the checkpoint's stream position '%.*s' is damaged: %s (remove the checkpoint to start over)",
				    (int)(len > 120 ? 120 : len), p, why);
		if (len) {
			if ((i = stream_shards_find(&f->set, pos.shard)) < 0)
				return errf(eb, EXIT_FAILURE_RUNTIME,
					    "the checkpoint's position in shard '%s' of the stream of table '%s' is gone from the stream (older than its 24-hour retention, or the stream was replaced): changes after it are lost to the follower; bring the target in step with a fresh copy (remove the checkpoint)",
					    pos.shard, f->cfg.src_table);
			f->fs[i].pos = pos;
			if (pos.kind == STREAM_POS_END)
				f->fs[i].state = FOLLOW_DONE;
			ancestors_done(f, i);
		}
		p += len + 1;
	}
	update_states(f);
	return 0;
}

void follow_positions(const struct follower *f, struct buf *out)
{
	unsigned char *covered = xcalloc((size_t)f->set.n + 1, 1);
	int i;

	buf_reset(out);
	/* A shard whose child has a position is done: the child's position says it all. */
	for (i = 0; i < f->set.n; i++)
		if (pos_applied(&f->fs[i]) && f->set.parent[i] >= 0)
			covered[f->set.parent[i]] = 1;
	for (i = 0; i < f->set.n; i++) {
		if (!pos_applied(&f->fs[i]) || covered[i])
			continue;
		stream_pos_format(&f->fs[i].pos, out);
		buf_putc(out, '\n');
	}
	free(covered);
}

/* ---- a round: read ---- */

struct slot {
	int shard;			/* index in f->set */
	int ok;				/* pg holds a checked page */
	struct http_call call;		/* owned: its answer is what pg points into */
	struct streams_records_page pg;
	struct streams_records_want want;
};

struct round {
	struct slot slots[FOLLOW_ROUND_SHARDS];
	int n;				/* slots used this round */
	int inited;
};

static void round_release(struct round *r)
{
	int k;

	if (!r->inited)
		return;
	for (k = 0; k < FOLLOW_ROUND_SHARDS; k++)
		http_call_release(&r->slots[k].call);
}

/* A failed read: 0 to try again next round (the lag grows), -1 to stop with eb set. */
static int read_failed(struct follower *f, struct follow_shard *s, enum streams_fault fault,
		       struct errbuf *why, struct errbuf *eb)
{
	if (fault == STREAMS_FAULT_EXPIRED_ITERATOR) {
		/* Iterators last 15 minutes: take a new one at the position. */
		if (s->latest)
			msg_warn("the position taken in shard '%s' before the snapshot expired (the snapshot took over 15 minutes): reading the shard from its oldest change instead (changes the snapshot holds are applied again, which is harmless)",
				 s->pos.shard);
		s->latest = 0;
		buf_reset(&s->iterator);
		return 0;
	}
	if (fault == STREAMS_FAULT_RETRY && ++s->failures < MAX_READ_FAILURES && !engine_stop) {
		msg_warn("reading shard '%s' of the stream of table '%s' failed (%s); trying again (the lag grows meanwhile)",
			 s->pos.shard, f->cfg.src_table, why->msg);
		return 0;
	}
	*eb = *why;
	return -1;
}

/* Queues shard i's next GetRecords in sl (a new iterator first, when it has none). */
static int queue_read(struct follower *f, int i, struct slot *sl, struct errbuf *eb)
{
	struct follow_shard *s = &f->fs[i];
	struct errbuf why = ERRBUF_INIT;
	enum streams_fault fault = STREAMS_FAULT_NONE;

	sl->shard = i;
	sl->ok = 0;
	if (!s->iterator.len &&
	    streams_get_iterator(f->cfg.api, f->cfg.arn, f->cfg.src_table, &s->pos,
				 &s->iterator, &fault, &why) < 0)
		return read_failed(f, s, fault, &why, eb) < 0 ? -1 : 0;
	sl->want.after = s->pos.kind == STREAM_POS_AFTER ? s->pos.seq : NULL;
	sl->want.shard = &f->set.v[i];
	sl->want.new_images = 1;
	http_call_rearm(&sl->call);
	buf_reset(&sl->call.body);
	if (streams_records_body(&sl->call.body, s->iterator.data, s->iterator.len,
				 STREAMS_RECORDS_LIMIT) < 0)
		return errf(eb, EXIT_FAILURE_RUNTIME, "shard '%s' has an iterator GetRecords would refuse",
			    s->pos.shard);
	streams_prepare(f->cfg.api, &sl->call, STREAMS_TARGET("GetRecords"));
	sl->call.check = streams_check_records;
	sl->call.owner = &sl->want;
	sl->call.done = NULL;
	engine_submit(f->eng, &sl->call);
	return 1;
}

/* What came back for sl: 1 a page, 0 nothing this time, -1 failed (eb set). */
static int take_read(struct follower *f, struct slot *sl, struct errbuf *eb)
{
	struct follow_shard *s = &f->fs[sl->shard];
	struct http_call *c = &sl->call;
	struct errbuf why = ERRBUF_INIT;
	enum streams_fault fault;
	char msg[256];

	if (c->outcome == HTTP_OK) {
		if (streams_records_parse((struct slice){ c->resp.data ? c->resp.data : "", c->resp.len },
					  &sl->want, &sl->pg, msg, sizeof(msg)) < 0)
			return errf(eb, EXIT_FAILURE_RUNTIME, "GetRecords of shard '%s': %s", s->pos.shard, msg);
		s->failures = 0;
		s->read_ms = wall_ms();
		sl->ok = 1;
		return 1;
	}
	if (c->outcome == HTTP_CANCELLED || engine_stop)
		return errf(eb, EXIT_INTERRUPTED, "interrupted");
	fault = streams_classify(c);
	if (c->outcome == HTTP_REJECTED)
		streams_report(c, fault, f->cfg.src_table, &why);
	else
		errf(&why, EXIT_INCOMPLETE, "GetRecords gave up after %d attempts (%s%s%s)", c->attempt,
		     c->err.type, c->err.message[0] ? ": " : "", c->err.message);
	return read_failed(f, s, fault, &why, eb);
}

/*
 * One page from each shard that can be read, parents first, up to
 * FOLLOW_ROUND_SHARDS, all GetRecords in flight at once.
 */
static int read_round(struct follower *f, struct round *r, struct errbuf *eb)
{
	int k, got;

	if (!r->inited) {
		for (k = 0; k < FOLLOW_ROUND_SHARDS; k++)
			http_call_init(&r->slots[k].call);
		r->inited = 1;
	}
	r->n = 0;
	/*
	 * Round robin over the shards (from where the last round stopped), so
	 * that more readable shards than a round takes all get their turn; the
	 * order among them does not matter, as a child is readable only once
	 * its parent is done.
	 */
	for (k = 0; k < f->set.n && r->n < FOLLOW_ROUND_SHARDS; k++) {
		int i = f->set.order[(f->next + k) % f->set.n];

		if (f->fs[i].state != FOLLOW_READ)
			continue;
		if ((got = queue_read(f, i, &r->slots[r->n], eb)) < 0)
			goto drain;
		if (got)
			r->n++;
	}
	if (f->set.n)
		f->next = (f->next + k) % f->set.n;
	engine_run(f->eng);
	for (k = 0; k < r->n; k++)
		if (take_read(f, &r->slots[k], eb) < 0)
			return -1;
	return 0;
drain:
	engine_run(f->eng);
	return -1;
}

/* ---- a round: the last change of each key ---- */

struct change {
	enum stream_event event;
	struct slice keys, image;
	uint64_t hash;
	size_t canon_off, canon_len;
	int live;			/* not superseded by a later change of its key */
};

struct changes {
	struct change *v;
	int n, cap;
	int32_t *slots;			/* open addressing: index into v, -1 empty */
	size_t nslots;
	struct buf canon;		/* the keys' canonical bytes */
	int next;			/* for the apply jobs' file_next */
	int deletes;
	int nputs, ndeletes;		/* live changes of each kind */
};

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void changes_release(struct changes *cs)
{
	free(cs->v);
	free(cs->slots);
	buf_release(&cs->canon);
}

/* Adds a change; an earlier change of the same key stops being live. */
static int changes_add(struct changes *cs, const struct stream_record *rec,
		       const struct table_desc *t)
{
	struct change *c;
	size_t at = cs->canon.len, s;

	if (item_key_canonical(rec->keys, t, &cs->canon) < 0)
		return -1;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 1024;
		cs->v = xrealloc(cs->v, (size_t)cs->cap * sizeof(*cs->v));
	}
	c = &cs->v[cs->n];
	c->event = rec->event;
	c->keys = rec->keys;
	c->image = rec->new_image;
	c->canon_off = at;
	c->canon_len = cs->canon.len - at;
	c->hash = fnv(cs->canon.data + at, c->canon_len);
	c->live = 1;
	for (s = c->hash & (cs->nslots - 1); cs->slots[s] >= 0; s = (s + 1) & (cs->nslots - 1)) {
		struct change *o = &cs->v[cs->slots[s]];

		if (o->hash == c->hash && o->canon_len == c->canon_len &&
		    !memcmp(cs->canon.data + o->canon_off, cs->canon.data + at, c->canon_len)) {
			o->live = 0;
			cs->slots[s] = cs->n++;
			return 0;
		}
	}
	cs->slots[s] = cs->n++;
	return 0;
}

static int collect(struct follower *f, struct round *r, struct changes *cs, struct errbuf *eb)
{
	int k, total = 0, got;
	size_t s;

	for (k = 0; k < r->n; k++)
		total += r->slots[k].ok ? r->slots[k].pg.nrecords : 0;
	memset(cs, 0, sizeof(*cs));
	for (cs->nslots = 16; cs->nslots < (size_t)total * 2; cs->nslots *= 2)
		;
	cs->slots = xcalloc(cs->nslots, sizeof(*cs->slots));
	for (s = 0; s < cs->nslots; s++)
		cs->slots[s] = -1;
	for (k = 0; k < r->n; k++) {
		struct stream_record rec;
		struct js_iter it;

		if (!r->slots[k].ok)
			continue;
		streams_records_begin(&it, &r->slots[k].pg);
		while ((got = streams_records_next(&it, &rec)) == 1)
			if ((!f->cfg.wanted || f->cfg.wanted(f->cfg.wanted_arg, rec.keys)) &&
			    changes_add(cs, &rec, f->cfg.dst_desc) < 0)
				return errf(eb, EXIT_FAILURE_RUNTIME,
					    "a change in shard '%s' of the stream of table '%s' lacks the key attributes of '%s'",
					    f->set.v[r->slots[k].shard].id, f->cfg.src_table, f->cfg.dst_table);
		if (got < 0)
			return errf(eb, EXIT_FAILURE_RUNTIME, "a checked page of the stream does not walk");
	}
	for (k = 0; k < cs->n; k++)
		if (cs->v[k].live)
			++*(cs->v[k].event == STREAM_REMOVE ? &cs->ndeletes : &cs->nputs);
	f->st.records += (uint64_t)total;
	return 0;
}

/* ---- a round: apply ---- */

/* file_next of the apply jobs: the live puts (or deletes), in turn. */
static const char *next_change(void *ctx, struct slice *item, struct errbuf *eb)
{
	struct changes *cs = ctx;

	(void)eb;
	while (cs->next < cs->n) {
		const struct change *c = &cs->v[cs->next++];

		if (!c->live || (c->event == STREAM_REMOVE) != cs->deletes)
			continue;
		*item = cs->deletes ? c->keys : c->image;
		return item->p;
	}
	return NULL;
}

/* Puts or deletes the live changes through the batch writer. 0, or -1 with eb (j.st.eb) set. */
static int apply_kind(struct follower *f, struct changes *cs, int deletes, struct errbuf *eb)
{
	struct job j;
	int saved = progress_enabled, r;

	cs->next = 0;
	cs->deletes = deletes;
	job_init(&j, "follow");
	j.in.ops = &file_source;
	j.in.file_next = next_change;
	j.in.file_ctx = cs;
	j.in.table = f->cfg.src_table;
	j.out.ops = deletes ? &batch_delete_ops : &batch_writer_ops;
	j.out.transform = f->cfg.transform;
	j.out.mask_key = f->cfg.mask_key;
	/* A transformed key object may gain attributes (--set): the writer keeps the keys. */
	j.in.keys_only = deletes && !f->cfg.transform;
	j.out.ddb = f->cfg.dst;
	j.out.table = f->cfg.dst_table;
	j.out.desc = f->cfg.dst_desc;
	j.run.concurrency = f->cfg.concurrency;
	j.run.workers = 1;
	j.run.write_rate = f->cfg.write_rate;
	/* The follower draws its own line. */
	progress_enabled = 0;
	r = job_run(&j);
	progress_enabled = saved;
	f->st.requests += j.st.c.requests;
	f->st.retries += j.st.c.retries;
	f->st.throttles += j.st.c.throttles;
	if (r == 0) {
		f->st.puts += j.st.c.written;
		f->st.deletes += j.st.c.deleted;
	} else {
		*eb = j.st.eb;
	}
	job_release(&j);
	return r;
}

static int out_of_time(const struct follower *f)
{
	return f->cfg.for_ms && clock_mono_ms() - f->started_ms >= f->cfg.for_ms;
}

/*
 * Applies the round until it is written: a target that throttles past the
 * writer's retries gets the round again after a rest (the lag grows), so
 * no change is dropped. 0 written; 1 not written when --follow-for ran out
 * meanwhile (positions stay before the round); -1 for other failures.
 */
static int apply_round(struct follower *f, struct changes *cs, struct errbuf *eb)
{
	uint64_t backoff = 1000;

	for (;;) {
		struct errbuf why = ERRBUF_INIT;

		/* A round with nothing to write starts no job (no threads, no connections). */
		if ((!cs->nputs || apply_kind(f, cs, 0, &why) == 0) &&
		    (!cs->ndeletes || apply_kind(f, cs, 1, &why) == 0))
			return 0;
		if (why.exit != EXIT_INCOMPLETE || engine_stop) {
			*eb = why;
			return -1;
		}
		f->st.retried_rounds++;
		msg_warn("%s; applying the same changes again in %llu s (the lag grows meanwhile, nothing is dropped)",
			 why.msg, (unsigned long long)(backoff / 1000));
		rest(backoff);
		if (engine_stop) {
			*eb = why;
			return -1;
		}
		if (out_of_time(f))
			return 1;
		backoff = backoff * 2 > APPLY_BACKOFF_MAX_MS ? APPLY_BACKOFF_MAX_MS : backoff * 2;
	}
}

/* ---- a round: move on ---- */

/* After the round is written: positions, iterators, shards ended. */
static int advance(struct follower *f, struct round *r, int64_t now, struct errbuf *eb)
{
	int k;

	for (k = 0; k < r->n; k++) {
		struct slot *sl = &r->slots[k];
		struct follow_shard *s = &f->fs[sl->shard];
		const struct stream_shard *sh = &f->set.v[sl->shard];

		if (!sl->ok)
			continue;
		s->idle = sl->pg.nrecords == 0;
		s->seen = 1;
		if (sl->pg.nrecords) {
			if (stream_pos_advance(&s->pos, sl->pg.last_seq) < 0)
				return errf(eb, EXIT_FAILURE_RUNTIME,
					    "change %s of shard '%s' is not after the last applied (%s)",
					    sl->pg.last_seq, sh->id, s->pos.seq);
			s->latest = 0;
			s->newest_ms = sl->pg.last_created_ms ? sl->pg.last_created_ms : now;
		}
		if (!sl->pg.ended) {
			if (streams_records_next_iterator(&sl->pg, &s->iterator) < 0)
				return errf(eb, EXIT_FAILURE_RUNTIME, "a GetRecords page of shard '%s' without its next iterator",
					    sh->id);
			continue;
		}
		buf_reset(&s->iterator);
		if (!stream_shard_closed(sh)) {
			/* The listing may be stale: only a shard listed as closed may end. */
			f->describe_now = 1;
			continue;
		}
		if (s->latest)
			s->latest = 0;
		stream_pos_end(&s->pos);
		s->state = FOLLOW_DONE;
		f->describe_now = 1;
	}
	return 0;
}

/*
 * The lag: for each shard being read, how old what is known of it is: the
 * newest change applied, or, when its last read found nothing new, that
 * read. Caught up: every such shard read, none closed (those are read to
 * their end), and the lag under FOLLOW_CAUGHT_UP_MS.
 */
static void measure(struct follower *f, int64_t now)
{
	int i, reading = 0, caught_up = 1;
	int64_t lag = 0;

	for (i = 0; i < f->set.n; i++) {
		const struct follow_shard *s = &f->fs[i];
		int64_t age;

		if (s->state != FOLLOW_READ)
			continue;
		reading++;
		if (!s->seen || stream_shard_closed(&f->set.v[i])) {
			caught_up = 0;
			continue;
		}
		age = now - (s->idle ? s->read_ms : s->newest_ms);
		if (age > lag)
			lag = age;
	}
	f->st.lag_ms = lag < 0 ? 0 : lag;
	f->st.caught_up = caught_up && lag < FOLLOW_CAUGHT_UP_MS;
	f->st.shards_reading = reading;
}

/* Whether every shard being read found nothing new at its last read: time to rest. */
static int all_idle(const struct follower *f)
{
	int i;

	for (i = 0; i < f->set.n; i++)
		if (f->fs[i].state == FOLLOW_READ &&
		    (!f->fs[i].seen || !f->fs[i].idle || stream_shard_closed(&f->set.v[i])))
			return 0;
	return 1;
}

static int one_round(struct follower *f, struct round *r, struct errbuf *eb)
{
	struct changes cs;
	int rc = -1, applied;
	int64_t now;

	if ((f->describe_now || clock_mono_ms() - f->described_ms >= DESCRIBE_EVERY_MS) &&
	    describe(f, eb) < 0)
		return -1;
	update_states(f);
	if (read_round(f, r, eb) < 0)
		return -1;
	memset(&cs, 0, sizeof(cs));
	if (collect(f, r, &cs, eb) < 0 || (applied = apply_round(f, &cs, eb)) < 0)
		goto out;
	if (applied > 0) {
		/* Out of time with the round unwritten: it is read again by the next run. */
		rc = 0;
		goto out;
	}
	now = wall_ms();
	if (advance(f, r, now, eb) < 0)
		goto out;
	f->st.rounds++;
	update_states(f);
	measure(f, now);
	/* Every round: a save held back by the checkpoint's once a second happens on a quiet stream too. */
	if (f->cfg.save) {
		struct buf text = BUF_INIT;

		follow_positions(f, &text);
		f->cfg.save(f->cfg.arg, &text);
		buf_release(&text);
	}
	if (f->cfg.progress)
		f->cfg.progress(f->cfg.arg, &f->st);
	rc = 0;
out:
	changes_release(&cs);
	return rc;
}

int follow_run(struct follower *f, struct errbuf *eb)
{
	struct round r;
	struct engine_config ec = engine_global_config;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	f->started_ms = clock_mono_ms();
	ec.max_in_flight = FOLLOW_ROUND_SHARDS;
	f->eng = engine_new(&ec);
	/* Hours of following: both sides' credentials renewed off this loop (see job.c). */
	creds_refresh_start(f->cfg.api ? f->cfg.api->signer.creds : NULL);
	creds_refresh_start(f->cfg.dst ? f->cfg.dst->creds : NULL);
	for (;;) {
		if (engine_stop) {
			errf(eb, EXIT_INTERRUPTED, "following the stream of '%s' stopped by a signal, %.1f s behind",
			     f->cfg.src_table, (double)f->st.lag_ms / 1000);
			break;
		}
		if (out_of_time(f)) {
			rc = 0;
			break;
		}
		if (one_round(f, &r, eb) < 0) {
			if (engine_stop) {
				/* What a signal cut short (a write, a read) is not the story: the stop is. */
				errbuf_clear(eb);
				errf(eb, EXIT_INTERRUPTED, "following the stream of '%s' stopped by a signal, %.1f s behind",
				     f->cfg.src_table, (double)f->st.lag_ms / 1000);
			}
			break;
		}
		if (f->cfg.until_caught_up && f->st.caught_up) {
			/* Only once no shard was split off meanwhile (a new one is not seen yet). */
			if (describe(f, eb) < 0)
				break;
			update_states(f);
			measure(f, wall_ms());
			if (f->st.caught_up) {
				rc = 0;
				break;
			}
		}
		if (all_idle(f)) {
			uint64_t ran = clock_mono_ms() - f->started_ms, left = IDLE_SLEEP_MS;

			if (f->cfg.for_ms)
				left = ran >= f->cfg.for_ms ? 0 : f->cfg.for_ms - ran;
			rest(left < IDLE_SLEEP_MS ? left : IDLE_SLEEP_MS);
		}
	}
	round_release(&r);
	creds_refresh_stop(f->cfg.dst ? f->cfg.dst->creds : NULL);
	creds_refresh_stop(f->cfg.api ? f->cfg.api->signer.creds : NULL);
	engine_free(f->eng);
	f->eng = NULL;
	return rc;
}
