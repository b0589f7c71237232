/*
 * copy --follow's stages: the check that the source's stream can feed a
 * follower, --enable-stream, the positions taken just before the
 * snapshot's scan, and the follow stage itself (the follower is in
 * src/engine/follow.c), its progress line and its checkpoint.
 */
#include "dynamo/plan.h"
#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/follow.h"
#include "dynamo/progress.h"
#include "dynamo/source.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct follow_plan {
	struct plan *p;
	struct streams *api;		/* the caller's */
	struct ddb *src;
	const char *src_table;
	struct table_ref dst;
	const struct table_desc *sd;	/* the source's description */
	const struct selection *sel;	/* the copy's selection (borrowed): changes outside it are not followed */
	const struct transform *xf;	/* the copy's transforms (borrowed), or NULL */
	const struct mask_key *key;
	struct follow_params fo;	/* how to follow (the command's flags) */
	char *arn;			/* owned: the stream followed */
	struct follower f;
	int ready;			/* f is initialised */
	int marked;			/* positions taken before the snapshot */
	int ck_stage;			/* the follow stage's, or -1 */
	uint64_t drawn_ms;
	pthread_t keeper;		/* renews the positions while the snapshot is read */
	int keeping;			/* keeper started, not yet joined */
	int stop_keeper;		/* atomic: the keeper should end */
};

static void keeper_join(struct follow_plan *fp);

static int view_has_images(const char *view)
{
	return view && (!strcmp(view, "NEW_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES"));
}

int follow_plan_check(const struct follow_params *fo, const struct table_desc *t,
		      const char *where, struct errbuf *eb)
{
	/* A removed item's index keys are in no record of a NEW_IMAGE stream: nothing tells if it was selected. */
	if (fo->by_index)
		return errf(eb, EXIT_USAGE,
			    "--follow with --index is not supported: a stream's REMOVE records carry only the table's keys, not the index's (select with the table's --pk/--sk, or drop --follow)");
	if (t->stream_enabled && t->stream_arn && view_has_images(t->stream_view_type))
		return 0;
	if (!t->stream_enabled) {
		if (fo->enable_stream)
			return 0;
		return errf(eb, EXIT_USAGE,
			    "table '%s' in %s has no stream to follow; nothing was written: pass --enable-stream to enable one (NEW_IMAGE) first, or enable it yourself (aws dynamodb update-table --table-name %s --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE)",
			    t->name, where, t->name);
	}
	/* Replacing a stream would cut off whoever reads it now (a Lambda, a replica): not dynamo's call. */
	return errf(eb, EXIT_USAGE,
		    "the stream of table '%s' in %s is %s, without the new images a follower writes; nothing was written: a table has one stream, so disable it and enable it again with NEW_IMAGE or NEW_AND_OLD_IMAGES yourself, once its other readers can lose it",
		    t->name, where, t->stream_view_type ? t->stream_view_type : "of an unknown view type");
}

struct follow_plan *follow_plan_new(struct streams *api, struct ddb *src,
				    const struct table_desc *sd, struct table_ref dst,
				    const struct selection *sel, const struct follow_params *fo)
{
	struct follow_plan *fp = xcalloc(1, sizeof(*fp));

	fp->fo = *fo;
	fp->sel = sel;
	fp->api = api;
	fp->src = src;
	fp->src_table = sd->name;
	fp->sd = sd;
	fp->dst = dst;
	fp->ck_stage = -1;
	if (sd->stream_enabled && sd->stream_arn)
		fp->arn = xstrdup(sd->stream_arn);
	return fp;
}

void follow_plan_free(struct follow_plan *fp)
{
	if (!fp)
		return;
	keeper_join(fp);
	if (fp->ready)
		follower_release(&fp->f);
	free(fp->arn);
	free(fp);
}

/* ---- --enable-stream ---- */

void plan_add_enable_stream(struct plan *p, struct follow_plan *fp)
{
	char where[512];
	struct stage *s;

	if (fp->arn)
		return;
	s = plan_add(p, STAGE_ENABLE_STREAM, "stream");
	s->optional = 1;
	s->destructive = 1;
	s->src = fp->src;
	s->src_table = fp->src_table;
	s->job_ctx = fp;
	snprintf(s->what, sizeof(s->what),
		 "enable a stream (NEW_IMAGE) on '%s' in %s (UpdateTable; its reads are free for a table's own readers, and it stays on after the copy)",
		 fp->src_table, ddb_where(fp->src, where, sizeof(where)));
}

int stage_enable_stream(struct plan *p, struct stage *s)
{
	struct follow_plan *fp = s->job_ctx;
	struct errbuf *eb = p->params.eb;
	cJSON *body = cJSON_CreateObject(), *spec = cJSON_CreateObject(), *resp = NULL;
	struct table_desc t;
	int r;

	cJSON_AddStringToObject(body, "TableName", fp->src_table);
	cJSON_AddBoolToObject(spec, "StreamEnabled", 1);
	cJSON_AddStringToObject(spec, "StreamViewType", "NEW_IMAGE");
	cJSON_AddItemToObject(body, "StreamSpecification", spec);
	r = ddb_request_json(fp->src, DDB_TARGET("UpdateTable"), body, &resp, eb);
	cJSON_Delete(body);
	cJSON_Delete(resp);
	if (r < 0 || table_wait_active(fp->src, fp->src_table, 600, eb) < 0 ||
	    table_describe(fp->src, fp->src_table, &t, eb) < 0)
		return -1;
	if (!t.stream_enabled || !t.stream_arn || !view_has_images(t.stream_view_type)) {
		table_desc_release(&t);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "UpdateTable of '%s' answered, but DescribeTable shows no stream with new images yet; nothing was copied (run the command again)",
			    fp->src_table);
	}
	free(fp->arn);
	fp->arn = xstrdup(t.stream_arn);
	snprintf(s->result, sizeof(s->result), "%s", t.stream_arn);
	table_desc_release(&t);
	msg_info("enabled a stream on '%s' (%s)", fp->src_table, s->result);
	return 0;
}

/* ---- the follower, its checkpoint and its progress ---- */

static void save_positions(void *arg, const struct buf *positions)
{
	struct follow_plan *fp = arg;
	struct plan *p = fp->p;

	if (!p->ck || fp->ck_stage < 0)
		return;
	checkpoint_set_positions(p->ck, fp->ck_stage, positions->data ? positions->data : "",
				 positions->len);
	checkpoint_save(p->ck, 0, NULL);
}

static void draw(void *arg, const struct follow_stats *st)
{
	struct follow_plan *fp = arg;
	char line[256];
	uint64_t now = clock_mono_ms();

	if (!progress_enabled || now - fp->drawn_ms < 200)
		return;
	fp->drawn_ms = now;
	snprintf(line, sizeof(line),
		 "follow    %llu changes: %llu put, %llu deleted  lag %.1f s%s  shards %d  throttles %llu",
		 (unsigned long long)st->records, (unsigned long long)st->puts,
		 (unsigned long long)st->deletes, (double)st->lag_ms / 1000,
		 st->caught_up ? " (caught up)" : "", st->shards_reading,
		 (unsigned long long)st->throttles);
	progress_text(line, 0);
}

/* copy --pk: a change is followed when its keys are inside the selection. */
static int selected(void *arg, struct slice keys)
{
	return selection_key_matches(arg, keys);
}

static void ready(struct plan *p, struct follow_plan *fp)
{
	struct follow_config cfg;

	if (fp->ready)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.api = fp->api;
	cfg.arn = fp->arn;
	cfg.src_table = fp->src_table;
	cfg.dst = fp->dst.d;
	cfg.dst_table = fp->dst.name;
	cfg.dst_desc = fp->dst.desc;
	cfg.concurrency = p->concurrency;
	cfg.write_rate = &p->write_rate;
	cfg.for_ms = fp->fo.for_ms;
	cfg.until_caught_up = fp->fo.until_caught_up;
	cfg.save = save_positions;
	cfg.progress = draw;
	cfg.arg = fp;
	cfg.transform = fp->xf;
	cfg.mask_key = fp->key;
	if (fp->sel && selection_restricts(fp->sel)) {
		cfg.wanted = selected;
		cfg.wanted_arg = (void *)fp->sel;
	}
	fp->p = p;
	follower_init(&fp->f, &cfg);
	fp->ready = 1;
}

/* ---- keeping the positions alive while the snapshot is read ---- */

/* Every FOLLOW_KEEP_EVERY_MS, or DYNAMO_FOLLOW_KEEP_MS (for tests). */
static uint64_t keep_every_ms(void)
{
	const char *env = getenv("DYNAMO_FOLLOW_KEEP_MS");
	long v = env ? atol(env) : 0;

	return v > 0 ? (uint64_t)v : FOLLOW_KEEP_EVERY_MS;
}

/*
 * The keeper thread: the follower is its alone until keeper_join. Pinned
 * positions go into the checkpoint, which the copy's and prune's monitors
 * save, so that a run killed during the snapshot resumes from them.
 */
static void *keeper_main(void *arg)
{
	struct follow_plan *fp = arg;
	uint64_t every = keep_every_ms(), next = clock_mono_ms() + every;
	struct buf text = BUF_INIT;
	int k;

	while (!__atomic_load_n(&fp->stop_keeper, __ATOMIC_ACQUIRE) && !engine_stop) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
		if (clock_mono_ms() < next)
			continue;
		next = clock_mono_ms() + every;
		if (follow_keep(&fp->f) > 0 && fp->p->ck &&
		    (k = checkpoint_find_stage(fp->p->ck, "follow")) >= 0) {
			follow_positions(&fp->f, &text);
			checkpoint_set_positions(fp->p->ck, k, text.data ? text.data : "", text.len);
		}
	}
	buf_release(&text);
	return NULL;
}

static void keeper_start(struct follow_plan *fp)
{
	fp->stop_keeper = 0;
	if (pthread_create(&fp->keeper, NULL, keeper_main, fp) == 0)
		fp->keeping = 1;
	else
		msg_warn("cannot start the thread that keeps the stream positions alive: a snapshot over 15 minutes will read the stream from each shard's oldest change");
}

static void keeper_join(struct follow_plan *fp)
{
	if (!fp->keeping)
		return;
	__atomic_store_n(&fp->stop_keeper, 1, __ATOMIC_RELEASE);
	pthread_join(fp->keeper, NULL);
	fp->keeping = 0;
}

/*
 * Just before the snapshot's scan: every open shard's position, so that
 * nothing written during the scan is missed. A resumed scan began in an
 * earlier run, so positions taken now would be too late: the stream is
 * then read from each shard's oldest change instead (what the snapshot
 * holds is applied again, which is harmless).
 */
static int mark_before_copy(struct plan *p, struct stage *s)
{
	struct follow_plan *fp = s->prepare_arg;

	if (!fp->arn)
		return errf(p->params.eb, EXIT_FAILURE_RUNTIME, "internal error: no stream to follow");
	ready(p, fp);
	if (plan_resumed_stage(p, s->name) == 0) {
		msg_info("the snapshot resumes an interrupted run: the stream will be read from each shard's oldest change");
		return 0;
	}
	if (follow_mark(&fp->f, p->params.eb) < 0)
		return -1;
	fp->marked = 1;
	keeper_start(fp);
	return 0;
}

void plan_add_follow(struct plan *p, struct follow_plan *fp, struct stage *copy)
{
	const struct follow_params *fo = &fp->fo;
	char sw[512], dw[512], until[96] = "Ctrl-C";
	struct stage *s;

	copy->prepare = mark_before_copy;
	copy->prepare_arg = fp;
	/* The followed changes are transformed as the snapshot's items are. */
	if (copy->xf && transform_any(copy->xf)) {
		fp->xf = copy->xf;
		fp->key = copy->mask_key;
	}
	if (fo->until_caught_up)
		snprintf(until, sizeof(until), "it is less than a second behind");
	else if (fo->for_ms)
		snprintf(until, sizeof(until), "%llu s have passed, or Ctrl-C",
			 (unsigned long long)(fo->for_ms / 1000));
	s = plan_add_copy(p, STAGE_FOLLOW, "follow", (struct table_ref){ fp->src, fp->src_table, NULL },
			  fp->dst);
	s->estimate = 0;
	s->job_ctx = fp;
	snprintf(s->what, sizeof(s->what),
		 "follow the stream of '%s' in %s: put each new image into '%s' in %s and delete each removed key%s%s, until %s",
		 fp->src_table, ddb_where(fp->src, sw, sizeof(sw)), fp->dst.name,
		 ddb_where(fp->dst.d, dw, sizeof(dw)),
		 fo->some_keys ? " (only the selected keys' changes)" : "",
		 fp->xf ? ", transformed as the copied items are" : "", until);
}

int stage_follow(struct plan *p, struct stage *s, int ck_stage)
{
	struct follow_plan *fp = s->job_ctx;
	struct errbuf *eb = p->params.eb;
	struct buf text = BUF_INIT;
	int r;

	if (!fp->arn)
		return errf(eb, EXIT_FAILURE_RUNTIME, "internal error: no stream to follow");
	keeper_join(fp);
	ready(p, fp);
	fp->ck_stage = ck_stage;
	if (!fp->marked) {
		if (p->ck && ck_stage >= 0)
			checkpoint_positions(p->ck, ck_stage, &text);
		r = follow_resume(&fp->f, text.data ? text.data : "", text.len, eb);
		if (r == 0)
			msg_info("following from %s", text.len ? "the checkpoint's positions" :
				 "each shard's oldest change (no position was recorded)");
		buf_release(&text);
		if (r < 0)
			return -1;
	}
	msg_info("following the stream of '%s' into '%s'%s", fp->src_table, fp->dst.name,
		 fp->fo.until_caught_up ? " until caught up" : " (stop with Ctrl-C)");
	r = follow_run(&fp->f, eb);
	if (progress_enabled && fp->drawn_ms)
		progress_text("", 1);
	s->c.read = fp->f.st.records;
	s->c.written = fp->f.st.puts;
	s->c.deleted = fp->f.st.deletes;
	s->c.requests = fp->f.st.requests;
	s->c.retries = fp->f.st.retries;
	s->c.throttles = fp->f.st.throttles;
	s->has_lag = 1;
	s->lag_s = (double)fp->f.st.lag_ms / 1000;
	snprintf(s->result, sizeof(s->result), "%s, %.1f s behind",
		 r < 0 ? "stopped" : fp->fo.until_caught_up && fp->f.st.caught_up ? "caught up" :
		 "--follow-for ran out", s->lag_s);
	if (p->ck) {
		follow_positions(&fp->f, &text);
		save_positions(fp, &text);
		checkpoint_save(p->ck, 1, NULL);
		buf_release(&text);
	}
	if (r < 0 && p->ck && eb->exit == EXIT_INTERRUPTED) {
		char why[sizeof(eb->msg)];

		snprintf(why, sizeof(why), "%s", eb->msg);
		errbuf_clear(eb);
		errf(eb, EXIT_INTERRUPTED, "%s; run the same command again to go on following from the checkpoint '%s'",
		     why, checkpoint_path(p->ck));
	}
	return r;
}
