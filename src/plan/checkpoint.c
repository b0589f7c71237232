#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CK_VERSION 1
#define CK_MAX_BYTES (256u << 20)
#define CK_SAVE_EVERY_MS 1000

struct ck_unit {
	int complete;
	struct buf key;		/* LastEvaluatedKey JSON, "" from the start */
};

struct ck_stage {
	char *name;
	int done;
	int nunits;
	struct ck_unit *units;
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

void checkpoint_free(struct checkpoint *ck)
{
	int i, k;

	if (!ck)
		return;
	for (i = 0; i < ck->nstages; i++) {
		for (k = 0; k < ck->stages[i].nunits; k++)
			buf_release(&ck->stages[i].units[k].key);
		free(ck->stages[i].units);
		free(ck->stages[i].name);
	}
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

static struct ck_stage *add_stage(struct checkpoint *ck, const char *name,
				  int nunits)
{
	struct ck_stage *s;
	int k;

	ck->stages = xrealloc(ck->stages, (size_t)(ck->nstages + 1) * sizeof(*ck->stages));
	s = &ck->stages[ck->nstages++];
	s->name = xstrdup(name);
	s->done = 0;
	s->nunits = nunits;
	s->units = xcalloc((size_t)(nunits ? nunits : 1), sizeof(*s->units));
	for (k = 0; k < nunits; k++)
		buf_init(&s->units[k].key, 0);
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

static int load_units(struct ck_stage *s, const cJSON *units)
{
	const cJSON *u;
	int k = 0;

	cJSON_ArrayForEach(u, units) {
		const cJSON *done = cJSON_GetObjectItemCaseSensitive(u, "done");
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(u, "key");

		if (k >= s->nunits || !cJSON_IsObject(u))
			return -1;
		s->units[k].complete = cJSON_IsTrue(done);
		if (key) {
			char *txt;

			if (!cJSON_IsObject(key))
				return -1;
			txt = cJSON_PrintUnformatted(key);
			buf_puts(&s->units[k].key, txt);
			free(txt);
		}
		k++;
	}
	return k == s->nunits ? 0 : -1;
}

static int load_stages(struct checkpoint *ck, const cJSON *stages)
{
	const cJSON *st;

	if (!cJSON_IsArray(stages))
		return -1;
	cJSON_ArrayForEach(st, stages) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(st, "name");
		const cJSON *done = cJSON_GetObjectItemCaseSensitive(st, "done");
		const cJSON *units = cJSON_GetObjectItemCaseSensitive(st, "units");
		int n = cJSON_IsArray(units) ? cJSON_GetArraySize(units) : 0;
		struct ck_stage *s;

		if (!cJSON_IsString(name) || !cJSON_IsBool(done) || n > 10000000)
			return -1;
		s = add_stage(ck, name->valuestring, n);
		s->done = cJSON_IsTrue(done);
		if (load_units(s, units) < 0)
			return -1;
	}
	return 0;
}

int checkpoint_parse(struct checkpoint **out, const char *path,
		     const char *text, size_t len, cJSON *job,
		     struct errbuf *eb)
{
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "dynamo_checkpoint");
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(doc, "job");
	struct checkpoint *ck = ck_new(path, job);
	const char *diff;

	if (!doc || !cJSON_IsNumber(ver) || !cJSON_IsObject(have)) {
		errf(eb, EXIT_USAGE,
		     "'%s' is not a dynamo checkpoint file (remove it, or pass another --checkpoint)",
		     path);
		goto fail;
	}
	if (ver->valueint != CK_VERSION) {
		errf(eb, EXIT_USAGE, "checkpoint '%s' has version %d; this dynamo reads version %d",
		     path, ver->valueint, CK_VERSION);
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
	if (load_stages(ck, cJSON_GetObjectItemCaseSensitive(doc, "stages")) < 0) {
		errf(eb, EXIT_USAGE,
		     "checkpoint '%s' is damaged (remove it to start over)", path);
		goto fail;
	}
	cJSON_Delete(doc);
	ck->resuming = 1;
	*out = ck;
	return 0;
fail:
	cJSON_Delete(doc);
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
				    path, errno == EFBIG ? "larger than 256 MB" :
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
	int i, found = -1;

	pthread_mutex_lock(&ck->lock);
	for (i = 0; i < ck->nstages; i++)
		if (!strcmp(ck->stages[i].name, name))
			found = i;
	pthread_mutex_unlock(&ck->lock);
	return found;
}

/*
 * Gives the stage at least n units; new ones start from the beginning. A
 * resumed run may need more units than the file recorded (a query given
 * another --pk, a file written by hand), and indexing past the array would
 * read and write someone else's memory. Called with the lock held.
 */
static void ensure_units(struct checkpoint *ck, struct ck_stage *s, int n)
{
	int k;

	if (n <= s->nunits)
		return;
	s->units = xrealloc(s->units, (size_t)n * sizeof(*s->units));
	for (k = s->nunits; k < n; k++) {
		s->units[k].complete = 0;
		buf_init(&s->units[k].key, 0);
	}
	s->nunits = n;
	ck->dirty = 1;
}

int checkpoint_stage(struct checkpoint *ck, const char *name, int nunits)
{
	int i = checkpoint_find_stage(ck, name);

	if (i >= 0) {
		pthread_mutex_lock(&ck->lock);
		ensure_units(ck, &ck->stages[i], nunits);
		pthread_mutex_unlock(&ck->lock);
		return i;
	}
	pthread_mutex_lock(&ck->lock);
	add_stage(ck, name, nunits);
	ck->dirty = 1;
	i = ck->nstages - 1;
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
	struct ck_unit *u;
	int complete;

	pthread_mutex_lock(&ck->lock);
	buf_reset(start_key);
	if (unit >= ck->stages[stage].nunits) {
		/* Not recorded: from the start. */
		pthread_mutex_unlock(&ck->lock);
		return 0;
	}
	u = &ck->stages[stage].units[unit];
	complete = u->complete;
	if (!complete && u->key.len)
		buf_append(start_key, u->key.data, u->key.len);
	pthread_mutex_unlock(&ck->lock);
	return complete;
}

void checkpoint_advance(struct checkpoint *ck, int stage, int unit,
			const struct buf *next_key)
{
	struct ck_unit *u;

	pthread_mutex_lock(&ck->lock);
	ensure_units(ck, &ck->stages[stage], unit + 1);
	u = &ck->stages[stage].units[unit];
	buf_reset(&u->key);
	if (next_key)
		buf_append(&u->key, next_key->data, next_key->len);
	else
		u->complete = 1;
	ck->dirty = 1;
	pthread_mutex_unlock(&ck->lock);
}

/* The whole state as JSON text; called with the lock held. */
static void serialize(struct checkpoint *ck, struct buf *out)
{
	char *job = cJSON_PrintUnformatted(ck->job);
	int i, k;

	buf_printf(out, "{\"dynamo_checkpoint\":%d,\"job\":%s,\"stages\":[",
		   CK_VERSION, job);
	free(job);
	for (i = 0; i < ck->nstages; i++) {
		struct ck_stage *s = &ck->stages[i];

		buf_printf(out, "%s\n{\"name\":", i ? "," : "");
		buf_json_str(out, s->name, strlen(s->name));
		buf_printf(out, ",\"done\":%s,\"units\":[", s->done ? "true" : "false");
		for (k = 0; k < s->nunits; k++) {
			struct ck_unit *u = &s->units[k];

			buf_printf(out, "%s{\"done\":%s", k ? "," : "",
				   u->complete ? "true" : "false");
			if (!u->complete && u->key.len) {
				buf_puts(out, ",\"key\":");
				buf_append(out, u->key.data, u->key.len);
			}
			buf_putc(out, '}');
		}
		buf_puts(out, "]}");
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
