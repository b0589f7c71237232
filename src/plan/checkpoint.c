#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/job.h"
#include "dynamo/json_scan.h"
#include "dynamo/response.h"
#include "dynamo/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Version 2 writes a run of units in the same state without a key as one
 * {"done":B,"n":COUNT}; version 1 files (one object per unit) are read too.
 */
#define CK_VERSION 2
/*
 * Bounds, so that a checkpoint of any size, damaged or hostile, stays
 * within the memory budget: a stage has at most as many units as a scan has
 * segments, and only the units in progress keep a key (a job has at most a
 * few thousand in progress; a version 1 file may hold a key for each).
 */
#define CK_MAX_BYTES (32u << 20)
#define CK_MAX_UNITS CHECKPOINT_MAX_UNITS
#define CK_MAX_KEYS 65536
#define CK_SAVE_EVERY_MS 1000
/* A following stage's stream positions: about one per open shard (see follow.h). */
#define CK_MAX_POSITIONS 100000
#define CK_POSITION_MAX 128

/* A unit in progress: the key after its last page written. */
struct ck_key {
	int unit;
	struct buf key;		/* LastEvaluatedKey JSON */
};

struct ck_stage {
	char *name;
	int done;
	int nunits;
	unsigned char *complete;	/* owned: one bit per unit */
	struct ck_key *keys;		/* owned: units with a key, sorted by unit */
	int nkeys, keys_cap;
	struct buf positions;		/* owned: a follower's positions, one line each */
};

struct checkpoint {
	char *path;
	cJSON *job;		/* what this checkpoint belongs to */
	struct ck_stage *stages;
	int nstages;
	int resuming;
	int dirty;
	uint64_t saved_ms;
	pthread_mutex_t lock;
};

static struct checkpoint *ck_new(const char *path, cJSON *job)
{
	struct checkpoint *ck = xcalloc(1, sizeof(*ck));

	ck->path = xstrdup(path);
	ck->job = job;
	pthread_mutex_init(&ck->lock, NULL);
	return ck;
}

static void stage_release(struct ck_stage *s)
{
	int k;

	for (k = 0; k < s->nkeys; k++)
		buf_release(&s->keys[k].key);
	free(s->keys);
	free(s->complete);
	free(s->name);
	buf_release(&s->positions);
}

void checkpoint_free(struct checkpoint *ck)
{
	int i;

	if (!ck)
		return;
	for (i = 0; i < ck->nstages; i++)
		stage_release(&ck->stages[i]);
	free(ck->stages);
	cJSON_Delete(ck->job);
	pthread_mutex_destroy(&ck->lock);
	free(ck->path);
	free(ck);
}

int checkpoint_resuming(const struct checkpoint *ck)
{
	return ck->resuming;
}

const char *checkpoint_path(const struct checkpoint *ck)
{
	return ck->path;
}

/* ---- units: a bit each, and keys for those in progress ---- */

static size_t bitmap_bytes(int nunits)
{
	return (size_t)nunits / 8 + 1;
}

static int unit_complete(const struct ck_stage *s, int k)
{
	return (s->complete[k / 8] >> (k % 8)) & 1;
}

static void set_complete(struct ck_stage *s, int k, int on)
{
	if (on)
		s->complete[k / 8] |= (unsigned char)(1u << (k % 8));
	else
		s->complete[k / 8] &= (unsigned char)~(1u << (k % 8));
}

/* Where unit's key is, or where it would go (*found 0). */
static int key_slot(const struct ck_stage *s, int unit, int *found)
{
	int lo = 0, hi = s->nkeys;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->keys[mid].unit < unit)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->nkeys && s->keys[lo].unit == unit;
	return lo;
}

static void drop_key(struct ck_stage *s, int unit)
{
	int found, i = key_slot(s, unit, &found);

	if (!found)
		return;
	buf_release(&s->keys[i].key);
	memmove(&s->keys[i], &s->keys[i + 1], (size_t)(s->nkeys - i - 1) * sizeof(*s->keys));
	s->nkeys--;
}

static void set_key(struct ck_stage *s, int unit, const char *p, size_t n)
{
	int found, i = key_slot(s, unit, &found);

	if (!found) {
		if (s->nkeys == s->keys_cap) {
			s->keys_cap = s->keys_cap ? s->keys_cap * 2 : 16;
			s->keys = xrealloc(s->keys, (size_t)s->keys_cap * sizeof(*s->keys));
		}
		memmove(&s->keys[i + 1], &s->keys[i], (size_t)(s->nkeys - i) * sizeof(*s->keys));
		s->keys[i].unit = unit;
		buf_init(&s->keys[i].key, 0);
		s->nkeys++;
	}
	buf_reset(&s->keys[i].key);
	buf_append(&s->keys[i].key, p, n);
}

static struct ck_stage *add_stage(struct checkpoint *ck, const char *name,
				  int nunits)
{
	struct ck_stage *s;

	ck->stages = xrealloc(ck->stages, (size_t)(ck->nstages + 1) * sizeof(*ck->stages));
	s = &ck->stages[ck->nstages++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->nunits = nunits;
	s->complete = xcalloc(bitmap_bytes(nunits), 1);
	return s;
}

/* Names the first field where two job descriptions differ. */
static const char *job_difference(const cJSON *want, const cJSON *have)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, want) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, w->string);

		if (!h || !cJSON_Compare(w, h, 1))
			return w->string;
	}
	cJSON_ArrayForEach(w, have)
		if (!cJSON_GetObjectItemCaseSensitive(want, w->string))
			return w->string;
	return NULL;
}

/* ---- reading: a walk over the text, never a tree of a million units ---- */

/* true or false; -1 for anything else. */
static int json_bool(struct slice v)
{
	if (v.n == 4 && !memcmp(v.p, "true", 4))
		return 1;
	if (v.n == 5 && !memcmp(v.p, "false", 5))
		return 0;
	return -1;
}

/* A whole number from 1 to max; -1 otherwise. */
static long json_count(struct slice v, long max)
{
	long x = 0;
	size_t i;

	if (!v.n || v.n > 9 || v.p[0] == '0')
		return -1;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (v.p[i] - '0');
	}
	return x <= max ? x : -1;
}

/* One element of "units": how many units it stands for, or -1 if damaged. */
static long unit_entry(struct slice u, int version, int *done, struct slice *key)
{
	struct slice v;
	long n = 1;

	key->n = 0;
	if (*u.p != '{' || js_find(u, "done", &v) != 1 || (*done = json_bool(v)) < 0)
		return -1;
	/* A start key is an object of attribute values: {} would start over, forever. */
	if (js_find(u, "key", key) == 1 && (!ddb_start_key_valid(*key) || !js_valid(*key)))
		return -1;
	if (version >= 2 && js_find(u, "n", &v) == 1) {
		if (key->n || (n = json_count(v, CK_MAX_UNITS)) < 0)
			return -1;
	}
	return n;
}

static int load_units(struct ck_stage *s, struct slice units, int version)
{
	struct js_iter it;
	struct slice u, key;
	long total = 0;
	int r, done;

	if (js_begin(&it, units, '[') < 0)
		return -1;
	/* Count first, so the bitmap is sized once. */
	while ((r = js_next_element(&it, &u)) == 1) {
		long n = unit_entry(u, version, &done, &key);

		if (n < 0 || (total += n) > CK_MAX_UNITS)
			return -1;
	}
	if (r < 0)
		return -1;
	s->nunits = (int)total;
	s->complete = xrealloc(s->complete, bitmap_bytes(s->nunits));
	memset(s->complete, 0, bitmap_bytes(s->nunits));
	total = 0;
	js_begin(&it, units, '[');
	while (js_next_element(&it, &u) == 1) {
		long n = unit_entry(u, version, &done, &key), k;

		for (k = 0; k < n; k++)
			set_complete(s, (int)(total + k), done);
		if (key.n && !done) {
			if (s->nkeys == CK_MAX_KEYS)
				return -1;
			set_key(s, (int)total, key.p, key.n);
		}
		total += n;
	}
	return 0;
}

/* "positions": an array of short strings without line ends, one per shard. */
static int load_positions(struct ck_stage *s, struct slice list)
{
	struct buf one = BUF_INIT;
	struct js_iter it;
	struct slice v;
	int r, n = 0;

	if (js_begin(&it, list, '[') < 0)
		return -1;
	while ((r = js_next_element(&it, &v)) == 1) {
		buf_reset(&one);
		if (*v.p != '"' || js_unescape(v, &one) < 0 || !one.len ||
		    one.len > CK_POSITION_MAX || memchr(one.data, '\n', one.len) ||
		    memchr(one.data, '\0', one.len) || ++n > CK_MAX_POSITIONS) {
			r = -1;
			break;
		}
		buf_append(&s->positions, one.data, one.len);
		buf_putc(&s->positions, '\n');
	}
	buf_release(&one);
	return r;
}

static int stage_named(const struct checkpoint *ck, const char *name)
{
	int i;

	for (i = 0; i < ck->nstages; i++)
		if (!strcmp(ck->stages[i].name, name))
			return i;
	return -1;
}

static int load_stages(struct checkpoint *ck, struct slice stages, int version)
{
	struct js_iter it;
	struct slice st;
	int r;

	if (js_begin(&it, stages, '[') < 0)
		return -1;
	while ((r = js_next_element(&it, &st)) == 1) {
		struct slice name, done, units = { "[]", 2 }, positions = { "[]", 2 };
		struct buf nm = BUF_INIT;
		struct ck_stage *s;
		int d, bad;

		if (*st.p != '{' || js_find(st, "name", &name) != 1 || *name.p != '"' ||
		    js_unescape(name, &nm) < 0 || !nm.len || memchr(nm.data, '\0', nm.len) ||
		    js_find(st, "done", &done) != 1 || (d = json_bool(done)) < 0 ||
		    js_find(st, "units", &units) < 0 || js_find(st, "positions", &positions) < 0) {
			buf_release(&nm);
			return -1;
		}
		/* Two stages of one name: which one to believe? Neither. */
		bad = stage_named(ck, nm.data) >= 0;
		s = add_stage(ck, nm.data, 0);
		buf_release(&nm);
		s->done = d;
		if (bad || load_units(s, units, version) < 0 || load_positions(s, positions) < 0)
			return -1;
	}
	return r;
}

int checkpoint_parse(struct checkpoint **out, const char *path,
		     const char *text, size_t len, cJSON *job,
		     struct errbuf *eb)
{
	struct slice doc = { text, len }, ver, have_text, stages;
	struct checkpoint *ck = ck_new(path, job);
	cJSON *have = NULL;
	const char *diff;
	int version = 0;

	*out = NULL;
	if (!js_valid(doc) || js_find(doc, "dynamo_checkpoint", &ver) != 1 ||
	    js_find(doc, "job", &have_text) != 1 || *have_text.p != '{' ||
	    !(have = cJSON_ParseWithLength(have_text.p, have_text.n))) {
		errf(eb, EXIT_USAGE,
		     "'%s' is not a dynamo checkpoint file (remove it, or pass another --checkpoint)",
		     path);
		goto fail;
	}
	version = ver.n == 1 && (*ver.p == '1' || *ver.p == '2') ? *ver.p - '0' : 0;
	if (!version) {
		errf(eb, EXIT_USAGE, "checkpoint '%s' has version %.*s; this dynamo reads versions 1 and 2",
		     path, (int)(ver.n > 20 ? 20 : ver.n), ver.p);
		goto fail;
	}
	if ((diff = job_difference(job, have))) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(job, diff);
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, diff);
		char *ws = w ? cJSON_PrintUnformatted(w) : NULL;
		char *hs = h ? cJSON_PrintUnformatted(h) : NULL;

		errf(eb, EXIT_USAGE,
		     "checkpoint '%s' belongs to another job: its %s is %s, this run's is %s (use another file, or remove it to start over)",
		     path, diff, hs ? hs : "missing", ws ? ws : "missing");
		free(ws);
		free(hs);
		goto fail;
	}
	if (js_find(doc, "stages", &stages) != 1 || load_stages(ck, stages, version) != 0) {
		errf(eb, EXIT_USAGE,
		     "checkpoint '%s' is damaged (remove it to start over)", path);
		goto fail;
	}
	cJSON_Delete(have);
	ck->resuming = 1;
	*out = ck;
	return 0;
fail:
	cJSON_Delete(have);
	checkpoint_free(ck);
	return -1;
}

int checkpoint_open(struct checkpoint **out, const char *path, cJSON *job,
		    struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r;

	/* Read and written only as a file of its own: never through a planted link. */
	if (safe_file_check(path, "checkpoint", eb) < 0) {
		cJSON_Delete(job);
		return -1;
	}
	if (buf_read_file(&text, path, CK_MAX_BYTES) < 0) {
		if (errno != ENOENT) {
			cJSON_Delete(job);
			return errf(eb, EXIT_IO, "cannot read checkpoint '%s': %s",
				    path, errno == EFBIG ? "larger than 32 MB (is it a checkpoint?)" :
				    strerror(errno));
		}
		*out = ck_new(path, job);
		return 0;
	}
	r = checkpoint_parse(out, path, text.data ? text.data : "", text.len,
			     job, eb);
	buf_release(&text);
	return r;
}

int checkpoint_find_stage(struct checkpoint *ck, const char *name)
{
	int found;

	pthread_mutex_lock(&ck->lock);
	found = stage_named(ck, name);
	pthread_mutex_unlock(&ck->lock);
	return found;
}

int checkpoint_nstages(struct checkpoint *ck)
{
	return ck->nstages;
}

const char *checkpoint_stage_name(struct checkpoint *ck, int stage)
{
	return ck->stages[stage].name;
}

/*
 * Gives the stage at least n units; new ones start from the beginning. A
 * resumed run may need more units than the file recorded (a query given
 * another --pk, a file written by hand), and indexing past the bitmap would
 * read and write someone else's memory. Called with the lock held.
 */
static void ensure_units(struct checkpoint *ck, struct ck_stage *s, int n)
{
	size_t had = bitmap_bytes(s->nunits), need = bitmap_bytes(n);
	int k;

	if (n <= s->nunits)
		return;
	if (need > had) {
		s->complete = xrealloc(s->complete, need);
		memset(s->complete + had, 0, need - had);
	}
	for (k = s->nunits; k < n; k++)
		set_complete(s, k, 0);
	s->nunits = n;
	ck->dirty = 1;
}

int checkpoint_stage(struct checkpoint *ck, const char *name, int nunits)
{
	int i;

	pthread_mutex_lock(&ck->lock);
	i = stage_named(ck, name);
	if (i >= 0) {
		ensure_units(ck, &ck->stages[i], nunits);
	} else {
		add_stage(ck, name, nunits);
		ck->dirty = 1;
		i = ck->nstages - 1;
	}
	pthread_mutex_unlock(&ck->lock);
	return i;
}

int checkpoint_stage_units(const struct checkpoint *ck, int stage)
{
	return ck->stages[stage].nunits;
}

int checkpoint_stage_done(const struct checkpoint *ck, int stage)
{
	return ck->stages[stage].done;
}

int checkpoint_finish_stage(struct checkpoint *ck, int stage, struct errbuf *eb)
{
	pthread_mutex_lock(&ck->lock);
	ck->stages[stage].done = 1;
	ck->dirty = 1;
	pthread_mutex_unlock(&ck->lock);
	return checkpoint_save(ck, 1, eb);
}

int checkpoint_unit(struct checkpoint *ck, int stage, int unit,
		    struct buf *start_key)
{
	struct ck_stage *s;
	int complete = 0, found, i;

	pthread_mutex_lock(&ck->lock);
	buf_reset(start_key);
	s = &ck->stages[stage];
	/* Not recorded: from the start. */
	if (unit < s->nunits && !(complete = unit_complete(s, unit))) {
		i = key_slot(s, unit, &found);
		if (found)
			buf_append(start_key, s->keys[i].key.data, s->keys[i].key.len);
	}
	pthread_mutex_unlock(&ck->lock);
	return complete;
}

void checkpoint_advance(struct checkpoint *ck, int stage, int unit,
			const struct buf *next_key)
{
	struct ck_stage *s;

	pthread_mutex_lock(&ck->lock);
	s = &ck->stages[stage];
	ensure_units(ck, s, unit + 1);
	if (next_key) {
		set_key(s, unit, next_key->data ? next_key->data : "", next_key->len);
	} else {
		drop_key(s, unit);
		set_complete(s, unit, 1);
	}
	ck->dirty = 1;
	pthread_mutex_unlock(&ck->lock);
}

void checkpoint_set_positions(struct checkpoint *ck, int stage, const char *text, size_t n)
{
	struct ck_stage *s;

	pthread_mutex_lock(&ck->lock);
	s = &ck->stages[stage];
	if (s->positions.len != n || (n && memcmp(s->positions.data, text, n))) {
		buf_reset(&s->positions);
		buf_append(&s->positions, text, n);
		ck->dirty = 1;
	}
	pthread_mutex_unlock(&ck->lock);
}

void checkpoint_positions(struct checkpoint *ck, int stage, struct buf *out)
{
	pthread_mutex_lock(&ck->lock);
	buf_reset(out);
	buf_append(out, ck->stages[stage].positions.data ? ck->stages[stage].positions.data : "",
		   ck->stages[stage].positions.len);
	pthread_mutex_unlock(&ck->lock);
}

/* Units from k on that share unit k's state and have no key. */
static int run_length(const struct ck_stage *s, int k, int *next_keyed)
{
	int done = unit_complete(s, k), n = 1;

	while (k + n < s->nunits && k + n < *next_keyed && unit_complete(s, k + n) == done)
		n++;
	return n;
}

static void serialize_positions(const struct ck_stage *s, struct buf *out)
{
	const char *p, *end;
	int first = 1;

	/* No positions, and maybe no buffer: nothing to point into. */
	if (!s->positions.len)
		return;
	p = s->positions.data;
	end = p + s->positions.len;
	buf_puts(out, ",\"positions\":[");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		buf_puts(out, first ? "" : ",");
		first = 0;
		buf_json_str(out, p, n);
		p += n + 1;
	}
	buf_putc(out, ']');
}

/* The whole state as JSON text; called with the lock held. */
static void serialize(struct checkpoint *ck, struct buf *out)
{
	char *job = cJSON_PrintUnformatted(ck->job);
	int i;

	buf_printf(out, "{\"dynamo_checkpoint\":%d,\"job\":%s,\"stages\":[",
		   CK_VERSION, job);
	free(job);
	for (i = 0; i < ck->nstages; i++) {
		struct ck_stage *s = &ck->stages[i];
		int k = 0, ki = 0, first = 1;

		buf_printf(out, "%s\n{\"name\":", i ? "," : "");
		buf_json_str(out, s->name, strlen(s->name));
		buf_printf(out, ",\"done\":%s,\"units\":[", s->done ? "true" : "false");
		while (k < s->nunits) {
			int next_keyed = ki < s->nkeys ? s->keys[ki].unit : s->nunits, n;

			buf_puts(out, first ? "" : ",");
			first = 0;
			if (k == next_keyed) {
				buf_puts(out, "{\"done\":false,\"key\":");
				buf_append(out, s->keys[ki].key.data, s->keys[ki].key.len);
				buf_putc(out, '}');
				ki++;
				k++;
				continue;
			}
			n = run_length(s, k, &next_keyed);
			buf_printf(out, "{\"done\":%s", unit_complete(s, k) ? "true" : "false");
			if (n > 1)
				buf_printf(out, ",\"n\":%d", n);
			buf_putc(out, '}');
			k += n;
		}
		buf_putc(out, ']');
		serialize_positions(s, out);
		buf_putc(out, '}');
	}
	buf_puts(out, "]}\n");
}

int checkpoint_save(struct checkpoint *ck, int force, struct errbuf *eb)
{
	struct errbuf local = ERRBUF_INIT;
	struct buf text = BUF_INIT;
	uint64_t now = clock_mono_ms();
	int r;

	pthread_mutex_lock(&ck->lock);
	if (!ck->dirty || (!force && now - ck->saved_ms < CK_SAVE_EVERY_MS)) {
		pthread_mutex_unlock(&ck->lock);
		return 0;
	}
	serialize(ck, &text);
	ck->dirty = 0;
	ck->saved_ms = now;
	pthread_mutex_unlock(&ck->lock);
	r = safe_file_replace(ck->path, text.data, text.len, "checkpoint", eb ? eb : &local);
	if (r < 0 && !eb)
		msg_warn("%s", local.msg);
	buf_release(&text);
	return r;
}

void checkpoint_remove(struct checkpoint *ck)
{
	if (unlink(ck->path) < 0 && errno != ENOENT)
		msg_warn("cannot remove checkpoint '%s': %s", ck->path,
			 strerror(errno));
}

/* ---- the job's hooks ---- */

static int hook_unit_start(void *arg, int stage, int unit, struct buf *start_key)
{
	return checkpoint_unit(arg, stage, unit, start_key);
}

static void hook_unit_progress(void *arg, int stage, int unit,
			       const struct buf *next_key)
{
	checkpoint_advance(arg, stage, unit, next_key);
}

/* Saved at most once a second while the job runs, and at its end. */
static void hook_tick(void *arg, int final)
{
	checkpoint_save(arg, final, NULL);
}

void checkpoint_job_hooks(struct checkpoint *ck, int stage, struct job_hooks *h)
{
	h->arg = ck;
	h->stage = stage;
	h->unit_start = hook_unit_start;
	h->unit_progress = hook_unit_progress;
	h->tick = hook_tick;
}
