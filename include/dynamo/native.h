#ifndef DYNAMO_NATIVE_H
#define DYNAMO_NATIVE_H

#include <cJSON.h>
#include "dynamo/ddb.h"

/*
 * DynamoDB's own, server-side ways to move a whole table: export to S3
 * (ExportTableToPointInTime, DescribeExport), import from S3 into a new
 * table (ImportTable, DescribeImport), restore to a point in time
 * (RestoreTableToPointInTime) and the point-in-time recovery they need
 * (DescribeContinuousBackups, UpdateContinuousBackups).
 *
 * For each: a request builder (a JSON body; a request the API would
 * refuse is refused here first, saying why), an answer walker that checks
 * the answer has what the operation always returns (an answer without it
 * is malformed, retried, then reported: nothing acts on it), and a call
 * that does both. Times are seconds since the epoch, as the JSON protocol
 * writes them.
 */

enum native_status {
	NATIVE_IN_PROGRESS,
	NATIVE_COMPLETED,
	NATIVE_FAILED,
	NATIVE_CANCELLING,	/* imports only */
	NATIVE_CANCELLED,	/* imports only */
};

/* ---- ExportTableToPointInTime, DescribeExport ---- */

struct native_export_spec {
	const char *table_arn;		/* required: exports name tables by ARN */
	const char *bucket;		/* required */
	const char *prefix;		/* S3Prefix, or NULL */
	const char *bucket_owner;	/* S3BucketOwner (a 12-digit account), or NULL */
	double export_time;		/* full export: the point in time; 0: now */
	int incremental;		/* INCREMENTAL_EXPORT of [from_time, to_time) */
	double from_time, to_time;	/* 15 minutes to 24 hours apart */
	const char *view;		/* NEW_AND_OLD_IMAGES (default) or NEW_IMAGE */
	const char *sse;		/* S3SseAlgorithm AES256 or KMS, or NULL */
	const char *kms_key;		/* S3SseKmsKeyId with KMS, or NULL */
	const char *client_token;	/* ClientToken (idempotency); NULL: a random one */
};

/* The request body (ExportFormat DYNAMODB_JSON), or NULL with eb set. */
cJSON *native_export_request(const struct native_export_spec *s, struct errbuf *eb);

struct native_export {
	char arn[512];
	enum native_status status;
	char status_text[32];		/* as DynamoDB wrote it */
	char type[32];			/* FULL_EXPORT, INCREMENTAL_EXPORT, or "" */
	char format[32];		/* DYNAMODB_JSON, ION, or "" */
	char bucket[256];
	char prefix[1100];
	char manifest[1100];		/* ExportManifest: the key of manifest-summary.json, or "" */
	long long item_count;		/* -1 until COMPLETED */
	long long billed_bytes;		/* -1 until COMPLETED */
	double start_time, end_time, export_time;	/* 0 when absent */
	char failure_code[128];
	char failure_message[1024];
};

/*
 * Walks an answer holding an ExportDescription (ExportTableToPointInTime's
 * or DescribeExport's): it must have an ExportArn and a known
 * ExportStatus, and when COMPLETED an ItemCount. 0, or -1 with why set.
 */
int native_export_parse(const cJSON *resp, struct native_export *out, char *why, size_t n);
int native_export_start(const struct ddb *d, const struct native_export_spec *s,
			struct native_export *out, struct errbuf *eb);
int native_export_describe(const struct ddb *d, const char *arn, struct native_export *out,
			   struct errbuf *eb);

/* ---- ImportTable, DescribeImport ---- */

struct native_import_spec {
	const char *bucket;		/* required */
	const char *prefix;		/* S3KeyPrefix: the data files' folder, or NULL */
	const char *bucket_owner;	/* or NULL */
	const char *compression;	/* GZIP (default), ZSTD or NONE */
	const cJSON *table;		/* required: a DescribeTable "Table" object, the schema */
	const char *table_name;		/* required: the new table */
	const char *client_token;	/* ClientToken; NULL: a random one */
};

/*
 * The request body (InputFormat DYNAMODB_JSON), or NULL with eb set. A
 * table with local secondary indexes is refused: ImportTable cannot create
 * them.
 */
cJSON *native_import_request(const struct native_import_spec *s, struct errbuf *eb);

struct native_import {
	char arn[512];
	enum native_status status;
	char status_text[32];
	char table_arn[512];
	long long processed_items, processed_bytes, imported_items, errors;	/* -1 when absent */
	double start_time, end_time;
	char failure_code[128];
	char failure_message[1024];
};

/*
 * Walks an answer holding an ImportTableDescription: it must have an
 * ImportArn and a known ImportStatus, and when COMPLETED an
 * ImportedItemCount. 0, or -1 with why set.
 */
int native_import_parse(const cJSON *resp, struct native_import *out, char *why, size_t n);
int native_import_start(const struct ddb *d, const struct native_import_spec *s,
			struct native_import *out, struct errbuf *eb);
int native_import_describe(const struct ddb *d, const char *arn, struct native_import *out,
			   struct errbuf *eb);

/* ---- RestoreTableToPointInTime ---- */

struct native_restore_spec {
	const char *source;		/* required: a table name, or an ARN (arn:...) */
	const char *target;		/* required: the new table */
	double restore_time;		/* RestoreDateTime; 0: UseLatestRestorableTime */
	const char *billing_mode;	/* BillingModeOverride, or NULL */
};

cJSON *native_restore_request(const struct native_restore_spec *s, struct errbuf *eb);
/*
 * Walks the answer: a TableDescription of the target (its TableName) with a
 * TableStatus, copied to status. 0, or -1 with why set.
 */
int native_restore_parse(const cJSON *resp, const char *target, char *status, size_t sn,
			 char *why, size_t n);
int native_restore_start(const struct ddb *d, const struct native_restore_spec *s,
			 struct errbuf *eb);

/* ---- point-in-time recovery ---- */

struct native_pitr {
	int enabled;			/* PointInTimeRecoveryStatus ENABLED */
	double earliest, latest;	/* restorable times; 0 when not given */
	long long recovery_days;	/* RecoveryPeriodInDays; 0 when not given */
};

/*
 * Walks a ContinuousBackupsDescription (DescribeContinuousBackups' or
 * UpdateContinuousBackups' answer): it must have ContinuousBackupsStatus
 * and a PointInTimeRecoveryStatus. 0, or -1 with why set.
 */
int native_pitr_parse(const cJSON *resp, struct native_pitr *out, char *why, size_t n);
int native_pitr_describe(const struct ddb *d, const char *table, struct native_pitr *out,
			 struct errbuf *eb);
/* recovery_days: 1 to 35, or 0 for DynamoDB's default (35). */
cJSON *native_pitr_enable_request(const char *table, int recovery_days);
/* Turns PITR on (UpdateContinuousBackups); fails unless the answer says ENABLED. */
int native_pitr_enable(const struct ddb *d, const char *table, int recovery_days,
		       struct native_pitr *out, struct errbuf *eb);

/* ---- waiting ---- */

/* Told of each poll; nonzero stops the wait (then the wait fails with eb as set by it). */
typedef int (*native_export_progress_fn)(void *ctx, const struct native_export *e);
typedef int (*native_import_progress_fn)(void *ctx, const struct native_import *i);

/*
 * Polls after 1 s, 2 s, 4 s ... and then every poll_ms (at least 1000)
 * until the export or import is no
 * longer IN_PROGRESS: 0 when COMPLETED; -1 when it FAILED (its FailureCode
 * and message), was cancelled, after timeout_s, or when interrupted (the
 * job goes on in AWS: the message says how to follow it).
 */
int native_export_wait(const struct ddb *d, const char *arn, unsigned poll_ms, int timeout_s,
		       native_export_progress_fn progress, void *ctx,
		       struct native_export *out, struct errbuf *eb);
int native_import_wait(const struct ddb *d, const char *arn, unsigned poll_ms, int timeout_s,
		       native_import_progress_fn progress, void *ctx,
		       struct native_import *out, struct errbuf *eb);

#endif
