/*
 * Running a data stage: worker threads, each with its own engine, units and
 * sink; page accounting (which drives checkpoints); the monitor loop on the
 * calling thread (progress, checkpoint saves).
 */
#include "dynamo/job.h"
#include "dynamo/clock.h"
#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_scan.h"
#include "dynamo/progress.h"
#include "dynamo/source.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A unit keeps at most this many 1 MB pages not fully written (more, smaller ones). */
#define MAX_PAGES_PER_UNIT 2
/*
 * Pages a worker asks for at once, whatever the number of segments: each
 * needs a response buffer of up to a few MB (1 MB of items is about 2 MB of
 * JSON), and a few pages in flight keep the writes busy.
 */
#define MAX_PAGES_IN_FLIGHT 4
/* Bytes a worker's sink may hold before units stop asking for pages. */
#define MIN_BACKLOG (4u << 20)
/*
 * Units a worker holds at once. A unit (a segment's state: its call, its
 * pages) is about 2 KB, so --segments 1000000 cannot have them all: a
 * worker works through its share of the segments in a window, a finished
 * unit's slot taking the next segment. A few pages in flight keep a worker
 * busy, so the window costs nothing in speed; it holds every --pk of a
 * query (at most 256), whose merge needs them all at once.
 */
#define UNIT_WINDOW 256

void job_add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

uint64_t job_get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void job_init(struct job *j, const char *name)
{
	memset(j, 0, sizeof(*j));
	j->name = name;
	j->in.ops = &scan_source;
	j->out.ops = &batch_writer_ops;
	j->in.scan_forward = 1;
	j->in.consistent = 1;
	pthread_mutex_init(&j->st.lock, NULL);
}

void job_release(struct job *j)
{
	pthread_mutex_destroy(&j->st.lock);
}

void job_fail(struct job *j, int exit_code, const char *fmt, ...)
{
	char msg[sizeof(j->st.eb.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&j->st.lock);
	if (!j->st.failed) {
		errf(&j->st.eb, exit_code, "%s", msg);
		__atomic_store_n(&j->st.failed, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&j->st.lock);
}

void job_satisfied(struct job *j)
{
	__atomic_store_n(&j->st.satisfied, 1, __ATOMIC_RELEASE);
}

static int job_stopping(const struct job *j)
{
	return __atomic_load_n(&j->st.failed, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&j->st.satisfied, __ATOMIC_ACQUIRE) || engine_stop;
}

/* ---- pages ---- */

static void unit_settle(struct unit *u)
{
	struct job *j = u->w->job;

	while (u->head && u->head->fed && !u->head->pending) {
		struct page *pg = u->head;

		u->head = pg->next;
		if (!u->head)
			u->tail = NULL;
		u->npages--;
		if (pg->last)
			u->complete = 1;
		if (j->run.hooks.unit_progress)
			j->run.hooks.unit_progress(j->run.hooks.arg, j->run.hooks.stage, u->index,
					       pg->last ? NULL : &pg->next_key);
		buf_release(&pg->next_key);
		free(pg);
	}
}

void page_done(struct page *pg, size_t n)
{
	pg->pending -= n;
	if (!pg->pending && pg->fed)
		unit_settle(pg->unit);
}

struct page *unit_new_page(struct unit *u)
{
	struct page *pg = xcalloc(1, sizeof(*pg));

	pg->unit = u;
	buf_init(&pg->next_key, 0);
	if (u->tail)
		u->tail->next = pg;
	else
		u->head = pg;
	u->tail = pg;
	u->npages++;
	return pg;
}

void unit_page_fed(struct unit *u, struct page *pg)
{
	pg->fed = 1;
	job_add(&u->w->job->st.c.pages, 1);
	unit_settle(u);
}

/* ---- workers ---- */

const struct sink_ops *job_sink(const struct job *j)
{
	return j->out.transform ? &transform_sink_ops : job_own_sink(j);
}

const struct sink_ops *job_own_sink(const struct job *j)
{
	return j->out.ops;
}

static size_t backlog_limit(void)
{
	size_t n = (size_t)engine_global_config.max_in_flight * 64 * 1024;

	return n > MIN_BACKLOG ? n : MIN_BACKLOG;
}

/*
 * Scans ask for a few 1 MB pages at a time, or as many smaller pages as
 * take the same memory (up to 32); queries of many keys, one per key.
 */
static int max_pages_in_flight(const struct job *j)
{
	int nunits = source_unit_count(j);

	if (j->in.ops->units_at_once && nunits > MAX_PAGES_IN_FLIGHT)
		return nunits < 64 ? nunits : 64;
	if (j->in.page_bytes && j->in.page_bytes < (1u << 20)) {
		size_t n = MAX_PAGES_IN_FLIGHT * (1u << 20) / j->in.page_bytes;

		return n > 32 ? 32 : (int)n;
	}
	return MAX_PAGES_IN_FLIGHT;
}

static int max_pages_per_unit(const struct job *j)
{
	if (j->in.page_bytes && j->in.page_bytes < (1u << 20))
		return (int)(MAX_PAGES_PER_UNIT * (1u << 20) / j->in.page_bytes);
	return MAX_PAGES_PER_UNIT;
}

static int can_request(struct worker *w, const struct unit *u, size_t limit)
{
	return !u->in_flight && !u->exhausted &&
	       u->npages < max_pages_per_unit(w->job) &&
	       w->pages_in_flight < max_pages_in_flight(w->job) &&
	       job_sink(w->job)->backlog(w) < limit;
}

/* A unit whose segment is read and written: its slot may take the next one. */
static int unit_finished(const struct unit *u)
{
	return u->exhausted && u->complete && !u->in_flight && !u->head;
}

/* Moves a finished unit's slot on to the worker's next segment (skipping those a checkpoint has done). */
static void unit_refill(struct worker *w, struct unit *u)
{
	while (unit_finished(u) && w->next_k < w->total_units) {
		source_unit_release(u);
		source_unit_init(u, w, w->next_k);
		w->next_k += w->job->st.nworkers;
	}
}

static void worker_loop(struct worker *w)
{
	struct job *j = w->job;
	const struct sink_ops *s = job_sink(j);
	size_t limit = backlog_limit();

	for (;;) {
		int active = 0, stopping = job_stopping(j), k, wait = 100;

		for (k = 0; k < w->nunits && !stopping; k++) {
			struct unit *u = &w->units[(w->next_unit + k) % w->nunits];

			unit_refill(w, u);
			if (!u->exhausted)
				active = 1;
			if (can_request(w, u, limit))
				source_request(u);
		}
		if (w->next_k < w->total_units && !stopping)
			active = 1;
		/* A failed job sends nothing more: what waits for capacity or
		 * a retry would only delay the exit (calls in flight finish). */
		if (__atomic_load_n(&j->st.failed, __ATOMIC_ACQUIRE))
			engine_cancel(w->eng);
		if (w->nunits)
			w->next_unit = (w->next_unit + 1) % w->nunits;
		if (s->tick) {
			int t = s->tick(w);

			if (t >= 0 && t < wait)
				wait = t;
		}
		/*
		 * Nothing more is coming, or nothing is in flight (every unit
		 * waits for its pages to be written, e.g. with 400 KB items that
		 * fill a page with three): send the partial batch.
		 */
		if (!active || stopping || !engine_pending(w->eng))
			s->flush(w);
		if (!engine_pending(w->eng) && !(s->busy && s->busy(w)) && (!active || stopping))
			break;
		if (engine_pending(w->eng)) {
			engine_step(w->eng, wait);
		} else if (wait > 0) {
			/* Only retries waiting for their time (engine_step would not wait). */
			struct timespec ts = { wait / 1000, (long)(wait % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	worker_loop(w);
	return NULL;
}

static int default_workers(const struct job *j, int nunits)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("DYNAMO_WORKERS");	/* for experiments */
	int n = j->run.workers ? j->run.workers : env ? atoi(env) :
		(int)(cpus > 0 ? cpus : 1);

	if (n > nunits)
		n = nunits;
	if (n > j->run.concurrency)
		n = j->run.concurrency;
	if (n > 64)
		n = 64;
	return n < 1 ? 1 : n;
}

static void setup_workers(struct job *j, int nunits)
{
	struct engine_config cfg = engine_global_config;
	int n = default_workers(j, nunits), i, k;

	j->st.nworkers = n;
	j->st.workers_arr = xcalloc((size_t)n, sizeof(*j->st.workers_arr));
	cfg.max_in_flight = (j->run.concurrency + n - 1) / n;
	for (i = 0; i < n; i++) {
		struct worker *w = &j->st.workers_arr[i];
		int share = (nunits - i + n - 1) / n;

		w->job = j;
		w->id = i;
		w->eng = engine_new(&cfg);
		w->max_in_flight = cfg.max_in_flight;
		/* Worker i takes units i, i + n, i + 2n, ...: a window of them at a time. */
		w->units = xcalloc((size_t)(share < UNIT_WINDOW ? share : UNIT_WINDOW) + 1,
				   sizeof(*w->units));
		w->total_units = nunits;
		w->next_k = i;
		for (k = 0; k < UNIT_WINDOW && w->next_k < nunits; k++) {
			source_unit_init(&w->units[w->nunits++], w, w->next_k);
			w->next_k += n;
		}
	}
}

static void free_workers(struct job *j)
{
	const struct sink_ops *s = job_sink(j);
	int i, k;

	for (i = 0; i < j->st.nworkers; i++) {
		struct worker *w = &j->st.workers_arr[i];

		for (k = 0; k < w->nunits; k++)
			source_unit_release(&w->units[k]);
		for (k = 0; k < w->npool; k++)
			buf_release(&w->page_pool[k]);
		free(w->page_pool);
		if (s->release)
			s->release(w);
		free(w->units);
		engine_free(w->eng);
	}
	free(j->st.workers_arr);
	j->st.workers_arr = NULL;
	j->st.nworkers = 0;
}

static void sum_engine_stats(struct job *j)
{
	int i;

	j->st.c.requests = j->st.c.retries = j->st.c.throttles = j->st.c.peak_in_flight = 0;
	for (i = 0; i < j->st.nworkers; i++) {
		struct engine_stats st;

		engine_stats_snapshot(j->st.workers_arr[i].eng, &st);
		j->st.c.requests += st.requests;
		j->st.c.retries += st.retries;
		j->st.c.throttles += st.throttles;
		j->st.c.peak_in_flight += (uint64_t)st.peak_in_flight;
	}
}

/* Waits for the workers, drawing progress and saving the checkpoint. */
static void monitor(struct job *j)
{
	int i, running = 1;

	while (running) {
		struct timespec ts = { 0, 200 * 1000000L };

		nanosleep(&ts, NULL);
		running = 0;
		for (i = 0; i < j->st.nworkers; i++) {
			struct worker *w = &j->st.workers_arr[i];

			if (w->joined)
				continue;
			if (pthread_tryjoin_np(w->thread, NULL) == 0)
				w->joined = 1;
			else
				running = 1;
		}
		sum_engine_stats(j);
		progress_update(j);
		if (j->run.hooks.tick)
			j->run.hooks.tick(j->run.hooks.arg, 0);
	}
}

/*
 * The credentials of the job's sides are refreshed ahead of time on a
 * background thread while it runs (creds_refresh_start), not by a worker
 * signing inside its event loop while the others wait. A thread of its
 * own rather than the monitor: a refresh (an STS call and its retries, a
 * credential_process) would stall the progress line and checkpoint saves,
 * and the stream follower's reading loop (follow.c) has no monitor but
 * needs the same refresher.
 */
static void refresh_credentials(const struct job *j, int start)
{
	const struct ddb *sides[3] = { j->in.ddb, j->out.ddb, j->out.lookup };
	int i;

	for (i = 0; i < 3; i++) {
		if (!sides[i] || !sides[i]->creds)
			continue;
		if (start)
			creds_refresh_start(sides[i]->creds);
		else
			creds_refresh_stop(sides[i]->creds);
	}
}

int job_run(struct job *j)
{
	const struct sink_ops *s = job_sink(j);
	int nunits = source_unit_count(j), i, started = 0;

	j->st.started_us = clock_mono_us();
	if (nunits == 0) {
		j->st.ended_us = j->st.started_us;
		return 0;
	}
	setup_workers(j, nunits);
	refresh_credentials(j, 1);
	for (i = 0; i < j->st.nworkers; i++) {
		struct worker *w = &j->st.workers_arr[i];

		if (s->init && s->init(w) < 0)
			break;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			job_fail(j, EXIT_FAILURE_RUNTIME, "cannot start a worker thread");
			break;
		}
		started++;
	}
	if (started < j->st.nworkers) {
		for (i = 0; i < started; i++)
			pthread_join(j->st.workers_arr[i].thread, NULL);
	} else {
		progress_start(j);
		monitor(j);
		progress_end(j);
	}
	refresh_credentials(j, 0);
	sum_engine_stats(j);
	j->st.ended_us = clock_mono_us();
	free_workers(j);
	if (j->run.hooks.tick)
		j->run.hooks.tick(j->run.hooks.arg, 1);
	if (!j->st.failed && engine_stop)
		errf(&j->st.eb, EXIT_INTERRUPTED, "interrupted");
	return j->st.failed || engine_stop ? -1 : 0;
}

/* ---- capacity ---- */

static double units_of(struct slice obj)
{
	struct slice v;
	char num[64];
	double units;

	if (js_find(obj, "CapacityUnits", &v) != 1 || v.n >= sizeof(num))
		return 0;
	memcpy(num, v.p, v.n);
	num[v.n] = '\0';
	units = strtod(num, NULL);
	/* NaN, infinities or negatives from a broken answer would wedge the limiter. */
	return isfinite(units) && units >= 0 && units < 1e9 ? units : 0;
}

double consumed_capacity(struct slice resp)
{
	struct slice cc;

	if (js_find(resp, "ConsumedCapacity", &cc) != 1)
		return 0;
	return capacity_units(cc);
}

double capacity_units(struct slice cc)
{
	struct slice e;
	struct js_iter it;
	double total = 0;

	if (js_begin(&it, cc, '[') < 0)
		return units_of(cc);
	while (js_next_element(&it, &e) == 1)
		total += units_of(e);
	return total;
}
