#ifndef DYNAMO_JOB_H
#define DYNAMO_JOB_H

#include <pthread.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/http.h"
#include "dynamo/rate.h"
#include "dynamo/response.h"
#include "dynamo/selection.h"
#include "dynamo/transform.h"

/*
 * A data stage: items flow from a source (the segments of a parallel Scan,
 * the queries of one or more partition keys, or a file) into a sink (batch
 * puts, batch deletes, a file, stdout), one page at a time.
 *
 * The job is split over worker threads; each owns an engine (curl multi
 * handle, connections), a share of the source units and its own sink, so
 * the hot path shares nothing but counters, the rate limiters and the
 * checkpoint. Items travel as the bytes DynamoDB sent: from the scan page
 * straight into the batch request body.
 *
 * Backpressure: a unit asks for its next page only while its worker's sink
 * has less than a bounded backlog and the unit has at most two pages not yet
 * fully written, so memory stays bounded whatever the table size.
 */

struct job;
struct worker;
struct unit;

/*
 * What the planner is told as the job runs, through which it keeps its
 * checkpoint (plan/checkpoint.c: checkpoint_job_hooks). Each is optional;
 * arg and stage are the planner's, handed back to each hook.
 */
struct job_hooks {
	void *arg;
	int stage;
	/*
	 * Setting up unit k: 1 when it is already done (it is skipped), else 0
	 * with start_key set to where it resumes ("": from the start).
	 */
	int (*unit_start)(void *arg, int stage, int unit, struct buf *start_key);
	/* Unit k is handled up to next_key (NULL: complete); on a worker thread. */
	void (*unit_progress)(void *arg, int stage, int unit,
			      const struct buf *next_key);
	/* On the monitor's thread about five times a second, and once at the end (final). */
	void (*tick)(void *arg, int final);
};

/* A page of items from one unit; done when every item in it is handled. */
struct page {
	struct unit *unit;
	size_t pending;		/* items fed to the sink and not yet handled */
	int fed;		/* every item has been handed to the sink */
	int last;		/* the unit has nothing after this page */
	struct buf next_key;	/* owned: LastEvaluatedKey after this page */
	struct page *next;
};

/* Tells the page's unit that n of its items are handled (written, deleted, saved). */
void page_done(struct page *pg, size_t n);

/*
 * What a job reads: a kind of source, as an ops table (source.h). A unit is
 * the source's stream of pages: a scan segment, the query of one key, a
 * file, (later) a stream shard.
 */
struct source_ops {
	const char *name;		/* "scan", "query": for messages */
	int request_pages;		/* its units ask for pages (calls): checkpointed, resumable */
	int units_at_once;		/* every unit is read at the same time (a query's merge needs them all) */
	int repeats_keys;		/* an item's key may come twice (a file): writes keep its versions in order */
	/* How many units the job has. */
	int (*unit_count)(const struct job *j);
	/* Optional: the unit number (checkpoint, key range) of the job's k-th unit (default k). */
	int (*unit_index)(const struct job *j, int k);
	/* Asks for the unit's next page; the answer feeds job_sink. */
	void (*request)(struct unit *u);
	/* Optional: whether an item is one the source selects (default: all). */
	int (*matches)(const struct job *j, struct slice item);
	/* Optional: " (segment 3 of 10)", which unit, for messages. */
	void (*where)(const struct unit *u, char *out, size_t n);
};

extern const struct source_ops scan_source, query_source, file_source;

/* The largest Limit a page asks for (DynamoDB's 1 MB a page stops it first). */
#define PAGE_LIMIT_MAX 100000

/* One source stream: a scan segment, or the query of one partition key. */
struct unit {
	struct worker *w;
	int index;		/* segment number, or position in the pk list */
	struct http_call call;	/* reused page after page */
	int in_flight;
	int exhausted;		/* no more pages to ask for */
	int complete;		/* every page handled (checkpoint: segment done) */
	struct buf start_key;	/* owned: ExclusiveStartKey of the next request */
	struct page *head, *tail;	/* pages not fully handled, in order */
	int npages;
	double est_cost;	/* read capacity to reserve for the next page */
	struct rate_ranges range;	/* its key range, for the pacing (rate.h) */
	int strikes;		/* writes: answers in a row that refused all its items while writing others */
	uint64_t hold_ms;	/* writes: its items wait until then (a hot partition) */
	int limit;		/* Limit of the next page, 0 = none */
	struct ddb_page answer;	/* the checked answer of the page in flight */
	struct buf items;	/* owned: its items, as struct slices into call.resp (the check's walk) */
	/*
	 * Pagination must advance: a LastEvaluatedKey seen before means the
	 * server sends the unit round in circles. Brent's cycle finding keeps
	 * one key (seen_key, owned), replaced after 1, 2, 4, ... pages, so a
	 * loop of any length is caught in bounded memory.
	 */
	struct buf seen_key;
	uint64_t loop_power, loop_steps;
};

struct sink_ops {
	/* Takes one item (DynamoDB JSON object) of page pg. 0, or -1 on a fatal error (job failed). */
	int (*item)(struct worker *w, struct slice item, struct page *pg);
	/* Sends what is buffered (the partial batch) once no more items will come for a while. */
	void (*flush)(struct worker *w);
	/* Bytes accepted and not yet handled (for backpressure). */
	size_t (*backlog)(struct worker *w);
	/* Frees the worker's sink state. */
	void (*release)(struct worker *w);
	/* Per-worker setup (worker->sink_state). */
	int (*init)(struct worker *w);
	/* Optional: every item of pg has been given to item(). */
	void (*page_end)(struct worker *w, struct page *pg);
	/* Optional, each turn of the worker's loop: ms until it wants the next turn, or -1. */
	int (*tick)(struct worker *w);
	/* Optional: it still holds items to handle (retries waiting for their time). */
	int (*busy)(struct worker *w);
};

struct job_counters {
	uint64_t read;		/* items received from the source */
	uint64_t written;	/* items put */
	uint64_t deleted;	/* items deleted */
	uint64_t saved;		/* items written to a file or stdout */
	uint64_t failed;	/* items that could not be handled */
	uint64_t pages;
	uint64_t units_read;	/* segments or keys read to their last page */
	uint64_t unprocessed;	/* write requests a batch answer left unprocessed (each round) */
	uint64_t requests, retries, throttles;	/* from the engines */
	uint64_t peak_in_flight;	/* sum of the workers' peaks */
	uint64_t compared;	/* diff: items looked up on the other side and compared */
};

/* What a job reads: the source and what it asks the server for. */
struct job_source {
	const struct source_ops *ops;	/* scan_source, query_source, file_source */
	const struct ddb *ddb;		/* where items are read */
	const char *table;
	const struct table_desc *desc;
	const char *index;		/* query: index name or NULL */
	int segments;			/* scan: TotalSegments */
	int seg_first, seg_count;	/* scan: this run's slice of segments */
	int keys_only;			/* scan: project only the key attributes */
	int page_limit;			/* scan/query: Limit per page, 0 = DynamoDB's 1 MB pages */
	double page_units;		/* under --max-rcu: what a page should cost; each unit's Limit adapts to it */
	size_t page_bytes;		/* scan: bytes of JSON a page should hold, 0 = DynamoDB's 1 MB; each unit's Limit adapts to it */
	int select_count;		/* query: Select COUNT (counts land in st.c.read) */
	int consistent;			/* scan/query: ConsistentRead */
	const char *const *pk_values;	/* query: one unit per value (the selection's --pk, for messages) */
	int npk;
	/*
	 * A bound selection (selection.h): its fragments go into every Scan
	 * (as a FilterExpression; NULL there: every item) and make each
	 * Query (the k-th of its --pk values, with the sort-key condition and
	 * the filter; required for query jobs).
	 */
	const struct selection *sel;
	int scan_forward;		/* query order */
	const char *(*file_next)(void *ctx, struct slice *item, struct errbuf *eb);	/* file source */
	void *file_ctx;
};

/* Where a job's items go: the sink, and what it writes to or looks up in. */
struct job_sink {
	const struct sink_ops *ops;	/* default batch_writer_ops */
	void *ctx;			/* for the planner's sinks */
	/*
	 * Transforms applied to every item on its way to the sink (see
	 * xform.c), or NULL; mask_key when they mask.
	 */
	const struct transform *transform;
	const struct mask_key *mask_key;
	const struct ddb *lookup;	/* prune: where keys are looked up (the source) */
	const char *lookup_table;
	const struct table_desc *lookup_desc;
	int deletes;			/* the batch writer deletes (truncate, prune) */
	const struct ddb *ddb;		/* where items are written */
	const char *table;
	const struct table_desc *desc;	/* delete: the key schema */
};

/* How a job runs: its share of the machine and of the tables' capacity, and the planner's hooks. */
struct job_params {
	int concurrency;		/* requests in flight, all workers */
	int workers;			/* threads; 0 = from the CPU count */
	struct rate_limiter *read_rate;	/* NULL: unlimited */
	struct rate_limiter *write_rate;
	struct job_hooks hooks;		/* the planner's (its checkpoint); zeroed: none */
	uint64_t estimate;		/* items expected, for progress (0 = unknown) */
};

/* A running job's state, shared by its workers and the monitor. */
struct job_state {
	struct job_counters c;		/* atomics */
	pthread_mutex_t lock;
	int failed;			/* a fatal error: stop asking for pages */
	int satisfied;			/* the sink has all it wants (--limit): stop, successfully */
	struct errbuf eb;		/* the first fatal error */
	uint64_t started_us, ended_us;
	struct worker *workers_arr;
	int nworkers;
};

struct job {
	const char *name;		/* "copy", "truncate", ... for messages */
	struct job_source in;		/* set by the planner */
	struct job_sink out;		/* set by the planner */
	struct job_params run;		/* set by the planner */
	struct job_state st;
};

struct worker {
	struct job *job;
	int id;
	struct engine *eng;
	struct unit *units;		/* owned: the window of units being read */
	int nunits;
	int next_k;			/* the next of the job's units for this worker to start */
	int total_units;		/* the job's units, all workers */
	void *sink_state;		/* the job's sink's per-worker state */
	void *writer;			/* the batch writer's, which other sinks may feed */
	void *xform_state;		/* the transforms' (xform.c) */
	int max_in_flight;		/* its engine's requests in flight at most */
	int pages_in_flight;		/* Scan/Query requests out */
	struct buf *page_pool;		/* owned: response buffers for pages, kept sized */
	int npool;
	int next_unit;			/* round-robin start, so every unit gets its turn */
	pthread_t thread;
	int joined;
};

void job_init(struct job *j, const char *name);
void job_release(struct job *j);
/*
 * Runs the job to the end on its worker threads; the calling thread draws
 * progress and saves the checkpoint meanwhile. Returns 0 when every item was
 * handled, -1 otherwise (j->st.eb says why; j->st.c.failed counts what is left).
 */
int job_run(struct job *j);
/* The sink needs no more items: stop asking for pages, and succeed. */
void job_satisfied(struct job *j);
/* Records a fatal error: the job stops asking for pages and fails. */
void job_fail(struct job *j, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void job_add(uint64_t *counter, uint64_t n);
uint64_t job_get(const uint64_t *counter);

/* Where items go first: the transforms' sink when there are any, else job_own_sink. */
const struct sink_ops *job_sink(const struct job *j);
/* The job's own sink (j->out.ops). */
const struct sink_ops *job_own_sink(const struct job *j);

/* The built-in sinks: batch puts, and batch deletes (of the items' keys). */
extern const struct sink_ops batch_writer_ops, batch_delete_ops;
/* Its tick and busy, for sinks that feed it (prune, fetch_then_write). */
int batch_writer_tick(struct worker *w);
int batch_writer_busy(struct worker *w);
/*
 * For item copies through an index that does not project every attribute:
 * fetches the whole items by their table keys (BatchGetItem, 100 at a time,
 * UnprocessedKeys retried), then hands them to the batch writer.
 */
extern const struct sink_ops fetch_then_write_ops;
/* Applies job->out.transform, then hands each item to job_own_sink (see xform.c). */
extern const struct sink_ops transform_sink_ops;
/* Deletes the target's items whose keys the source no longer has (see prune.c). */
extern const struct sink_ops prune_ops;
/*
 * What a lookup of the target's keys in the source (prune, diff's extras)
 * asks for: the source's key attributes, and the index's for a query
 * through one (NULL-terminated, borrowed from the job's descriptions).
 */
void prune_projection(const struct job *j, const char *names[5]);

/*
 * Parses a DynamoDB ConsumedCapacity (an object, or the array BatchWriteItem
 * returns) into total capacity units; 0 when absent.
 */
double consumed_capacity(struct slice resp);
/* The same from the ConsumedCapacity value itself (it may run on past the value). */
double capacity_units(struct slice cc);

#endif
