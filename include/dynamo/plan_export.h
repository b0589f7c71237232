#ifndef DYNAMO_PLAN_EXPORT_H
#define DYNAMO_PLAN_EXPORT_H

#include "dynamo/plan.h"
#include "dynamo/s3.h"

/*
 * A DynamoDB export in S3 (s3://BUCKET/PREFIX/AWSDynamoDB/ID/) loaded into
 * an existing table through the normal write path (batch puts, retries,
 * --max-wcu), one data file at a time. Each file is a unit of the
 * checkpoint, done once every item in it is written: a resumed run passes
 * over the files an earlier run loaded and loads the others whole (a file
 * cut off by a crash is loaded again; puts of the same items are harmless).
 */
struct export_load {
	struct s3 *s3;			/* borrowed */
	const char *url;		/* the export's folder (or its manifest-summary.json) */
	int no_manifest;		/* every object under data/, nothing counted (export_reader list_data) */
	uint64_t files, items;		/* from the manifest, read when the stage is added */
	char bucket[64];		/* the export's bucket */
	char data_prefix[1100];		/* its data files' folder: "PREFIX/AWSDynamoDB/ID/data/" */
};

/*
 * Reads the export's summary and manifest-files.json (not its data) and
 * checks that the files add up to the summary: fills files, items, bucket
 * and data_prefix (items 0: not known, with no_manifest). An incremental
 * export is refused. 0, or -1 with eb set.
 */
int export_load_survey(struct export_load *x, struct errbuf *eb);

/*
 * Reads the export's summary and manifest (not its data) and checks that
 * the files add up to the summary, then adds the stage ("import"; its
 * units are the data files). An incremental export is refused (its
 * records are changes, not items). NULL with eb set on failure.
 */
struct stage *plan_add_export_load(struct plan *p, struct table_ref to, struct export_load *x,
				   struct errbuf *eb);

/*
 * The same stage for an export that a stage before it makes (copy --via):
 * x->url is read, and the export surveyed, when the stage runs. Its data
 * files are not units of a checkpoint (their number is not known yet).
 */
struct stage *plan_add_export_load_later(struct plan *p, struct table_ref to, struct export_load *x);

#endif
