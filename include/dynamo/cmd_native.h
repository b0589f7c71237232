#ifndef DYNAMO_CMD_NATIVE_H
#define DYNAMO_CMD_NATIVE_H

#include "dynamo/cmd.h"
#include "dynamo/native.h"
#include "dynamo/plan_export.h"
#include "dynamo/s3.h"

#include <stdint.h>

/*
 * The commands' side of DynamoDB's own export and import through S3
 * (native.h, export_reader.h): the S3 client of a side, and the paths of
 * export and import that take an s3:// URL.
 */

/*
 * Opens the S3 client of an opened DynamoDB side: its profile, region and
 * credentials (AWS_ENDPOINT_URL_S3 and the profile's s3 settings choose the
 * endpoint and addressing). s3_close undoes it.
 */
int ctx_open_s3(struct ctx *ctx, const struct ddb *d, struct s3 *s3);
/*
 * While waiting for a job AWS runs (an export, an import): whether to say
 * how it goes now. Each poll when progress is on (a terminal, --progress),
 * else every five minutes; *last_ms is when it last said so.
 */
int wait_note_due(uint64_t *last_ms);
/* Whether a --file value names an S3 object or prefix ("s3://..."). */
int is_s3_url(const char *v);

/* DynamoDB's export of a table to S3 (export_s3.c), for export --to and copy --via. */
struct s3_export {
	struct ctx *ctx;
	struct ddb *d;
	struct table_desc *t;
	struct s3_url url;		/* owned: the prefix without trailing '/' */
	struct native_pitr pitr;
	uint64_t started_ms, last_note_ms;
	int quiet;			/* copy --via: the folder is not printed on stdout */
	char folder[1400];		/* once exported: s3://BUCKET/PREFIX/AWSDynamoDB/ID/ */
};

/* x->url from url (flag names it in errors): s3://BUCKET[/PREFIX], any trailing '/' dropped. */
int export_s3_url(struct ctx *ctx, struct s3_export *x, const char *url, const char *flag);
/*
 * Checks what can be checked before the export (the bucket, PITR, the
 * times of ctx->o) and adds its stages: [enable-pitr] then export, which
 * fills x->folder. 0, or -1 with ctx->eb set.
 */
int export_s3_plan(struct ctx *ctx, struct s3_export *x, struct plan *p);

/* DynamoDB's ImportTable of an export into a new table (import_native.c). */
struct native_load {
	struct ddb *d;			/* the new table's side */
	struct table_desc schema_own;	/* --like's description, or --schema's */
	const struct table_desc *schema;	/* the new table's keys, indexes, billing */
	struct export_load x;		/* the export, surveyed */
	struct s3 *survey_s3;		/* copy --via: surveyed with it when the stage runs */
	const char *bucket_owner;	/* --s3-bucket-owner: the account the bucket must belong to, or NULL */
	uint64_t started_ms, last_note_ms;
};

/* What ImportTable would refuse in schema (local secondary indexes) for table, refused now. */
int native_import_check(struct ctx *ctx, const struct table_desc *schema, const char *table);
/* The stage that creates table with ImportTable from n's export; n->schema set. */
struct stage *plan_add_native_import(struct plan *p, struct native_load *n, const char *table);

/* copy --via (copy_via.c): what copy.c knows of its sides. */
struct copy_via_sides {
	struct ddb *src, *dst;
	struct table_desc *sd;
	const struct table_desc *td;	/* NULL: no target yet (ImportTable creates it) */
	const char *target_table;
	const char *dst_where;
};

struct copy_via {
	struct s3_export ex;		/* the source's export */
	struct native_load load;	/* into a new target */
	struct export_load files;	/* into an existing one */
	struct s3 s3;			/* the target side's, reading the export */
	int s3_open, url_parsed;
	char *user_prefix;		/* owned: --via's prefix, before the run's own under it */
};

/* What --via cannot go with, and its flags without it, refused in one line. */
int copy_via_check(struct ctx *ctx, const struct selection *sel, const struct transform *xf);
/*
 * Adds [enable-pitr], export, then import (a new target) or the writes from
 * the export's files (an existing one): between copy's backup and prune.
 */
int copy_via_stages(struct ctx *ctx, struct copy_via *cv, const struct copy_via_sides *v,
		    struct plan *p, int target_empty);
void copy_via_release(struct copy_via *cv);

/* dynamo export --to s3://BUCKET/PREFIX (ExportTableToPointInTime). */
int cmd_export_s3(struct ctx *ctx);
/* dynamo import -i s3://BUCKET/PREFIX/AWSDynamoDB/ID/ into an existing table. */
int cmd_import_s3(struct ctx *ctx);
/* dynamo import -t NEW --from s3://... --create-target (ImportTable). */
int cmd_import_native(struct ctx *ctx);
/* dynamo restore -t T --point-in-time TIME --target-table NEW. */
int cmd_restore_pitr(struct ctx *ctx);

#endif
