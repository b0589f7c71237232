#ifndef DYNAMO_SOURCE_H
#define DYNAMO_SOURCE_H

#include "dynamo/job.h"

/*
 * Sources: what a unit asks for and how a page is taken apart. A scan unit
 * is one segment of a parallel Scan; a query unit is the Query of one
 * partition key value; a file unit reads items from an export file.
 */

/* How many units the job has (segments in this run's slice, pk values, 1 file). */
int source_unit_count(const struct job *j);
/* Sets up the k-th unit, resuming from the checkpoint when there is one. */
void source_unit_init(struct unit *u, struct worker *w, int k);
void source_unit_release(struct unit *u);
/* Asks for the unit's next page (or reads the next chunk of a file). */
void source_request(struct unit *u);

/* Used by sources: a new page at the unit's tail, and "all items fed". */
struct page *unit_new_page(struct unit *u);
void unit_page_fed(struct unit *u, struct page *pg);

/*
 * Whether an item satisfies the key part of the job's selection (partition
 * key one of the --pk values, the sort-key condition), on the table or the
 * index: selection_key_matches.
 */
int source_item_matches(const struct job *j, struct slice item);

#endif
