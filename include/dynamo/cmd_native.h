#ifndef DYNAMO_CMD_NATIVE_H
#define DYNAMO_CMD_NATIVE_H

#include "dynamo/cmd.h"
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

/* dynamo export --to s3://BUCKET/PREFIX (ExportTableToPointInTime). */
int cmd_export_s3(struct ctx *ctx);
/* dynamo import -i s3://BUCKET/PREFIX/AWSDynamoDB/ID/ into an existing table. */
int cmd_import_s3(struct ctx *ctx);
/* dynamo import -t NEW --from s3://... --create-target (ImportTable). */
int cmd_import_native(struct ctx *ctx);
/* dynamo restore -t T --point-in-time TIME --target-table NEW. */
int cmd_restore_pitr(struct ctx *ctx);

#endif
