#ifndef DYNAMO_EXPORT_READER_H
#define DYNAMO_EXPORT_READER_H

#include <stdint.h>
#include "dynamo/export_manifest.h"
#include "dynamo/s3.h"

/*
 * Reads a DynamoDB export (export_manifest.h) straight from S3, item by
 * item, in bounded memory whatever its size: one window of the current
 * data file (a ranged GetObject), one of manifest-files.json, one line.
 *
 * The export is named by its folder, s3://BUCKET/PREFIX/AWSDynamoDB/ID/
 * (or its manifest-summary.json). The summary is read first (the format
 * must be DYNAMODB_JSON), then manifest-files.json one entry at a time,
 * then each data file it lists, in its order. Each data file must be the
 * one the manifest describes: the ETag it names (If-Match on every
 * window), the MD5 of its bytes, and its number of items; at the end the
 * files' items must add up to the summary's itemCount. A mismatch is an
 * error naming the file: no item is silently lost or invented.
 *
 * Errors and progress name files as s3://BUCKET/KEY.
 */

struct export_reader;

struct export_reader_options {
	size_t window;		/* bytes per ranged GetObject of a data file; 0: 8 MiB */
	/*
	 * No manifest: read every object under the folder's data/ in S3's
	 * order, as full-export data files. For emulators that write none
	 * (moto) and exports copied without them; nothing can be checked
	 * against counts, so it is not the default.
	 */
	int list_data;
	/*
	 * One data file at a time: the records stop (0) at the end of each
	 * file, and export_reader_next_file opens the next one (or skips it),
	 * so that a caller can tell when a file's records are all handled
	 * (a checkpoint of files done).
	 */
	int file_at_a_time;
};

int export_reader_open(struct export_reader **out, struct s3 *s3, const char *url,
		       const struct export_reader_options *o, struct errbuf *eb);
void export_reader_close(struct export_reader *r);

/*
 * file_at_a_time: opens the next data file of the manifest: 1 (its key in
 * *key, valid until the file is done, its manifest item count in *items),
 * (-1 with list_data), 0 when there is none left and the files add up to
 * the summary (the
 * export is complete), -1 on error. The file's records then come from
 * export_reader_next_record / export_reader_next, which stop with 0 at its
 * end once it is checked; or export_reader_skip_file passes it over.
 */
int export_reader_next_file(struct export_reader *r, const char **key, long long *items,
			    struct errbuf *eb);
/*
 * Passes over the file just opened without reading it, counting its
 * manifest items as read (a file a resumed run loaded before; the check of
 * the totals still holds). 0, or -1 when its item count is not known and
 * there is a summary whose totals would then not hold.
 */
int export_reader_skip_file(struct export_reader *r, struct errbuf *eb);

/* The export's bucket, and its folder ("PREFIX/AWSDynamoDB/ID/"). */
const char *export_reader_bucket(const struct export_reader *r);
const char *export_reader_dir(const struct export_reader *r);

/* The summary read at open; NULL with list_data. */
const struct export_summary *export_reader_summary(const struct export_reader *r);

/*
 * The next record, across every data file: 1 with *kind EXPORT_LINE_ITEM
 * (a full export's item in rec->item) or EXPORT_LINE_CHANGE (an
 * incremental export's change: rec->keys, rec->item the new image, empty
 * for a delete); 0 after the last one, once every check passed (with
 * file_at_a_time: after the last one of the file, once it is checked); -1
 * on error (eb set). rec points into the reader until the next call.
 */
int export_reader_next_record(struct export_reader *r, enum export_line_kind *kind,
			      struct export_line *rec, struct errbuf *eb);

/*
 * The items of a full export, one at a time (valid until the next call),
 * or NULL at the end or on an error (eb set): the engine's file source
 * (job.h file_next). An incremental export is refused (its deletes are
 * not items).
 */
const char *export_reader_next(void *reader, struct slice *item, struct errbuf *eb);

struct export_reader_progress {
	uint64_t files_done;	/* data files read to their end and checked */
	uint64_t files;		/* data files known so far (the manifest's entries read) */
	uint64_t items;		/* records returned */
	uint64_t bytes;		/* compressed bytes read */
	const char *file;	/* the data file being read (its key), or NULL */
	uint64_t file_items;	/* records returned from it */
};

void export_reader_progress(const struct export_reader *r, struct export_reader_progress *p);
/* True once every data file was read and every check passed. */
int export_reader_complete(const struct export_reader *r);

#endif
