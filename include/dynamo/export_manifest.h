#ifndef DYNAMO_EXPORT_MANIFEST_H
#define DYNAMO_EXPORT_MANIFEST_H

#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/lines.h"
#include "dynamo/msg.h"

/*
 * The format of DynamoDB's export to S3 (ExportTableToPointInTime with
 * ExportFormat DYNAMODB_JSON), as files:
 *
 *   PREFIX/AWSDynamoDB/EXPORT-ID/manifest-summary.json   one JSON object
 *   PREFIX/AWSDynamoDB/EXPORT-ID/manifest-files.json     a JSON object a line:
 *       {"itemCount":8,"md5Checksum":"sQMSpEILNgoQmarvDFonGQ==",
 *        "etag":"af83d6f217c19b8b0fff8023d8ca4716-1",
 *        "dataFileS3Key":"PREFIX/AWSDynamoDB/EXPORT-ID/data/x.json.gz"}
 *   PREFIX/AWSDynamoDB/EXPORT-ID/data/NAME.json.gz       gzip JSON lines
 *
 * A full export's data lines are {"Item":{...}}; an incremental export's
 * are {"Metadata":{"WriteTimestampMicros":{"N":"..."}},"Keys":{...},
 * "NewImage":{...},"OldImage":{...}}, without NewImage for a delete. ION
 * exports are not read. Nothing here does I/O: the reader (export_reader.h)
 * fetches, these functions check and parse.
 */

/* ---- data lines (also dynamo's own item files: itemfile.h) ---- */

enum export_line_kind {
	EXPORT_LINE_BAD = -1,	/* not a JSON object, or not a change record when one is required */
	EXPORT_LINE_BLANK = 0,	/* only blanks */
	EXPORT_LINE_ITEM,	/* {"Item":{...}}: item is the inner object */
	EXPORT_LINE_BARE,	/* another JSON object: item is the whole line (a bare item) */
	EXPORT_LINE_CHANGE,	/* an incremental export's record: keys, item (NewImage) and old */
};

struct export_line {
	struct slice item;	/* ITEM, BARE: the item; CHANGE: NewImage, empty for a delete */
	struct slice keys;	/* CHANGE: Keys */
	struct slice old;	/* CHANGE: OldImage, or empty */
};

/*
 * Makes sense of one line (a trailing '\r', blanks around it and, on the
 * first line, a UTF-8 byte order mark are not part of it). The line must
 * be valid JSON. incremental: the line must be a change record (with Keys),
 * else ITEM or BARE.
 */
enum export_line_kind export_line_parse(struct slice line, int first_line,
					int incremental, struct export_line *out);

/* ---- manifest-summary.json ---- */

enum export_type { EXPORT_FULL, EXPORT_INCREMENTAL };

struct export_summary {
	char *export_arn, *table_arn;	/* owned, or NULL */
	char *bucket, *prefix;		/* owned: where the export was written (s3Bucket, s3Prefix), or NULL */
	char *manifest_files_key;	/* owned: manifestFilesS3Key */
	char *export_time;		/* owned, or NULL: as written ("2020-11-04T07:28:34.028Z") */
	char *from_time, *to_time;	/* owned, or NULL: an incremental export's window */
	char *view;			/* owned, or NULL: outputView (NEW_AND_OLD_IMAGES, NEW_IMAGE) */
	enum export_type type;
	long long item_count;		/* itemCount */
	long long billed_bytes;		/* billedSizeBytes, 0 when absent */
};

/*
 * Parses and checks a summary (what names it in messages: its s3:// URL).
 * Refuses what cannot be read: another outputFormat than DYNAMODB_JSON
 * (ION: export again with ExportFormat DYNAMODB_JSON), an unknown
 * exportType, no manifestFilesS3Key or itemCount.
 */
int export_summary_parse(struct export_summary *s, const char *json, size_t n,
			 const char *what, struct errbuf *eb);
void export_summary_release(struct export_summary *s);

/* ---- manifest-files.json ---- */

struct export_file {
	char key[1100];			/* dataFileS3Key (S3 keys are at most 1024 bytes) */
	long long item_count;		/* itemCount */
	unsigned char md5[16];		/* md5Checksum, decoded */
	int has_md5;
	char etag[80];			/* etag, "" when absent */
};

/* One line of manifest-files.json into f: 0, or -1 with why set. */
int export_file_parse(struct slice line, struct export_file *f, char *why, size_t n);

/*
 * manifest-files.json read one entry at a time from a byte source, in the
 * memory of one line whatever the number of files. Each entry is checked:
 * its key must be under data_prefix (the export's own data/ folder: a
 * manifest cannot send the reader elsewhere in the bucket); old_prefix,
 * when not NULL, is the folder the export was first written to, and keys
 * under it are moved to data_prefix (an export copied to another bucket or
 * prefix keeps its manifest's keys).
 */
struct export_manifest {
	struct line_decoder lines;
	struct byte_source src;
	char *data_prefix;		/* owned */
	char *old_prefix;		/* owned, or NULL */
	uint64_t files;			/* entries returned */
	long long items;		/* their itemCount, summed */
};

void export_manifest_init(struct export_manifest *m, const char *what,
			  const char *data_prefix, const char *old_prefix,
			  struct byte_source src);
void export_manifest_release(struct export_manifest *m);
/* The next entry in f: 1, 0 at the end, -1 on error (naming the line). */
int export_manifest_next(struct export_manifest *m, struct export_file *f,
			 struct errbuf *eb);

/* Standard base64 of 16 bytes (an MD5) into out (25 bytes with the NUL). */
void export_md5_base64(const unsigned char md5[16], char out[25]);

#endif
