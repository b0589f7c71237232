#ifndef DYNAMO_SOURCE_H
#define DYNAMO_SOURCE_H

#include "dynamo/job.h"
#include "dynamo/request.h"

/*
 * Sources: what a unit asks for and how a page is taken apart. Each kind of
 * source is an ops table (struct source_ops in job.h), one file each:
 * scan_source (source_scan.c: a unit is one segment of a parallel Scan),
 * query_source (source_query.c: the Query of one partition key value),
 * file_source (source_file.c: items read from an export file). The paging
 * they share (units, response buffers, the checked answer, pagination that
 * must advance, the hand-over to the sink) is in source.c.
 */

/* How many units the job has (segments in this run's slice, pk values, 1 file). */
int source_unit_count(const struct job *j);
/* Whether every unit was read to its end (a file source: always, once it ran). */
int source_all_read(const struct job *j);
/* Sets up the k-th unit, resuming from the checkpoint when there is one. */
void source_unit_init(struct unit *u, struct worker *w, int k);
void source_unit_release(struct unit *u);
/* Asks for the unit's next page (or reads the next chunk of a file). */
void source_request(struct unit *u);

/* ---- for sources ---- */

/* A new page at the unit's tail, and "all items fed". */
struct page *unit_new_page(struct unit *u);
void unit_page_fed(struct unit *u, struct page *pg);
/* Every item of pg is with the sink: tells the sink, then the unit. */
void source_page_fed(struct unit *u, struct page *pg);
/*
 * Asks for the unit's next Scan or Query page: the job's read parameters
 * (request.h), which fill completes (its expression fragments, the index),
 * made into a body by body and sent as target ("DynamoDB_20120810.Scan").
 */
void source_read_page(struct unit *u, void (*fill)(const struct unit *u, struct ddb_read *r),
		      void (*body)(const struct ddb_read *r, struct buf *b), const char *target);

/*
 * Whether an item satisfies what the source selects on the server's side:
 * for a query, the key part of the job's selection (partition key one of
 * the --pk values, the sort-key condition), on the table or the index.
 * Every item for the others.
 */
int source_item_matches(const struct job *j, struct slice item);

#endif
