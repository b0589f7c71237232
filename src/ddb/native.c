/*
 * DynamoDB's server-side export, import, point-in-time restore and PITR
 * (native.h): request builders, answer walkers, calls, waits.
 */
#include "dynamo/native.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_get.h"
#include "dynamo/s3.h"

#include <ctype.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INCREMENTAL_MIN_S (15 * 60)
#define INCREMENTAL_MAX_S (24 * 60 * 60)

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
}

static void copy_str(char *dst, size_t n, const cJSON *o, const char *k)
{
	const char *v = json_get_str(o, k);

	snprintf(dst, n, "%s", v ? v : "");
}

static long long count_or(const cJSON *o, const char *k, long long dflt)
{
	long long v;

	return json_get_count(o, k, &v) == 0 ? v : dflt;
}

static double time_or_zero(const cJSON *o, const char *k)
{
	double v;

	return json_get_number(o, k, &v) == 0 ? v : 0;
}

static int account_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i == 12;
}

static int one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

static int status_of(const char *s, enum native_status *out)
{
	static const char *const names[] = {
		"IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED", NULL
	};
	int i;

	for (i = 0; s && names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum native_status)i;
			return 0;
		}
	return -1;
}

/*
 * The request's ClientToken: the caller's, or a new random one (a UUID), as
 * the AWS SDKs make up. The same body is sent again on a retry, so a retry
 * after an answer that was lost cannot start a second export or import.
 */
static void add_client_token(cJSON *req, const char *given)
{
	unsigned char r[16];
	char uuid[37];

	if (given && *given) {
		cJSON_AddStringToObject(req, "ClientToken", given);
		return;
	}
	if (RAND_bytes(r, sizeof(r)) != 1) {
		fputs("dynamo: libcrypto has no random bytes\n", stderr);
		abort();
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(uuid, sizeof(uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
		 r[12], r[13], r[14], r[15]);
	cJSON_AddStringToObject(req, "ClientToken", uuid);
}


/* ---- a control-plane call whose answer is walked before it is used ---- */

typedef int (*walk_fn)(const cJSON *resp, void *out, char *why, size_t n);

struct walked_call {
	walk_fn walk;
	void *out;
};

/* The engine's check of a 2xx answer: the walker, on the parsed body. */
static int check_walk(struct http_call *c, char *why, size_t n)
{
	struct walked_call *w = c->owner;
	cJSON *o = cJSON_ParseWithLength(c->resp.data ? c->resp.data : "", c->resp.len);
	int r;

	if (!cJSON_IsObject(o)) {
		snprintf(why, n, "the answer to %s is not a JSON object", http_call_name(c));
		cJSON_Delete(o);
		return -1;
	}
	r = w->walk(o, w->out, why, n);
	cJSON_Delete(o);
	return r;
}

/* Sends body (then freed) to target; the answer is walked into out. */
static int walked_request(const struct ddb *d, const char *target, cJSON *body,
			  walk_fn walk, void *out, struct errbuf *eb)
{
	struct walked_call w = { walk, out };
	struct http_call c;
	char *text = cJSON_PrintUnformatted(body);
	int r;

	cJSON_Delete(body);
	if (!text)
		return errf(eb, EXIT_FAILURE_RUNTIME, "out of memory");
	http_call_init(&c);
	ddb_prepare(d, &c, target);
	c.check = check_walk;
	c.owner = &w;
	buf_puts(&c.body, text);
	free(text);
	r = http_call_sync(&c, eb);
	http_call_release(&c);
	return r;
}

/* ---- export ---- */

static int export_times(const struct native_export_spec *s, struct errbuf *eb)
{
	char a[32], b[32];
	double now = (double)clock_wall();

	if (!s->incremental) {
		if (s->from_time || s->to_time)
			return errf(eb, EXIT_USAGE, "a start and end time are for an incremental export only");
		if (s->export_time > now + 60)
			return errf(eb, EXIT_USAGE, "the export time %s is in the future",
				    clock_format_iso(s->export_time, a, sizeof(a)));
		return 0;
	}
	if (s->export_time)
		return errf(eb, EXIT_USAGE,
			    "an incremental export has a start and an end time, not an export time");
	if (!(s->to_time > s->from_time) || s->from_time <= 0)
		return errf(eb, EXIT_USAGE, "an incremental export's end (%s) must come after its start (%s)",
			    clock_format_iso(s->to_time, b, sizeof(b)), clock_format_iso(s->from_time, a, sizeof(a)));
	if (s->to_time - s->from_time < INCREMENTAL_MIN_S ||
	    s->to_time - s->from_time > INCREMENTAL_MAX_S)
		return errf(eb, EXIT_USAGE,
			    "an incremental export covers 15 minutes to 24 hours; %s to %s is %.0f minutes (export a longer period as several)",
			    clock_format_iso(s->from_time, a, sizeof(a)), clock_format_iso(s->to_time, b, sizeof(b)),
			    (s->to_time - s->from_time) / 60);
	if (s->to_time > now + 60)
		return errf(eb, EXIT_USAGE, "an incremental export's end (%s) is in the future",
			    clock_format_iso(s->to_time, b, sizeof(b)));
	return 0;
}

static int export_check(const struct native_export_spec *s, struct errbuf *eb)
{
	static const char *const views[] = { "NEW_AND_OLD_IMAGES", "NEW_IMAGE", NULL };
	static const char *const sses[] = { "AES256", "KMS", NULL };

	if (!s->table_arn || strncmp(s->table_arn, "arn:", 4))
		return errf(eb, EXIT_USAGE, "an export names its table by ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME), not '%s'",
			    s->table_arn ? s->table_arn : "");
	if (!s->bucket || s3_bucket_check(s->bucket, "the export's bucket", eb) < 0)
		return s->bucket ? -1 : errf(eb, EXIT_USAGE, "an export needs an S3 bucket");
	if (s->bucket_owner && !account_id(s->bucket_owner))
		return errf(eb, EXIT_USAGE, "the bucket owner '%s' is not a 12-digit AWS account id",
			    s->bucket_owner);
	if (s->view && !one_of(s->view, views))
		return errf(eb, EXIT_USAGE, "the export view '%s' is not NEW_AND_OLD_IMAGES or NEW_IMAGE", s->view);
	if (s->view && !s->incremental)
		return errf(eb, EXIT_USAGE, "an export view is for an incremental export only");
	if (s->sse && !one_of(s->sse, sses))
		return errf(eb, EXIT_USAGE, "the S3 encryption '%s' is not AES256 or KMS", s->sse);
	if (s->kms_key && (!s->sse || strcmp(s->sse, "KMS")))
		return errf(eb, EXIT_USAGE, "a KMS key is for KMS encryption only");
	return export_times(s, eb);
}

cJSON *native_export_request(const struct native_export_spec *s, struct errbuf *eb)
{
	cJSON *req;

	if (export_check(s, eb) < 0)
		return NULL;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableArn", s->table_arn);
	cJSON_AddStringToObject(req, "S3Bucket", s->bucket);
	add_str(req, "S3Prefix", s->prefix);
	add_str(req, "S3BucketOwner", s->bucket_owner);
	add_str(req, "S3SseAlgorithm", s->sse);
	add_str(req, "S3SseKmsKeyId", s->kms_key);
	add_client_token(req, s->client_token);
	cJSON_AddStringToObject(req, "ExportFormat", "DYNAMODB_JSON");
	if (s->incremental) {
		cJSON *inc = cJSON_CreateObject();

		cJSON_AddStringToObject(req, "ExportType", "INCREMENTAL_EXPORT");
		cJSON_AddNumberToObject(inc, "ExportFromTime", s->from_time);
		cJSON_AddNumberToObject(inc, "ExportToTime", s->to_time);
		cJSON_AddStringToObject(inc, "ExportViewType", s->view ? s->view : "NEW_AND_OLD_IMAGES");
		cJSON_AddItemToObject(req, "IncrementalExportSpecification", inc);
	} else {
		cJSON_AddStringToObject(req, "ExportType", "FULL_EXPORT");
		if (s->export_time)
			cJSON_AddNumberToObject(req, "ExportTime", s->export_time);
	}
	return req;
}

int native_export_parse(const cJSON *resp, struct native_export *out, char *why, size_t n)
{
	const cJSON *e = get(resp, "ExportDescription");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(e)) {
		snprintf(why, n, "the answer has no ExportDescription");
		return -1;
	}
	if (!json_get_str(e, "ExportArn") || !*json_get_str(e, "ExportArn")) {
		snprintf(why, n, "the ExportDescription has no ExportArn");
		return -1;
	}
	if (status_of(json_get_str(e, "ExportStatus"), &out->status) < 0 ||
	    out->status > NATIVE_FAILED) {
		snprintf(why, n, "the ExportDescription has no known ExportStatus");
		return -1;
	}
	out->item_count = count_or(e, "ItemCount", -1);
	out->billed_bytes = count_or(e, "BilledSizeBytes", -1);
	if (out->status == NATIVE_COMPLETED && out->item_count < 0) {
		snprintf(why, n, "a COMPLETED export has no ItemCount");
		return -1;
	}
	copy_str(out->arn, sizeof(out->arn), e, "ExportArn");
	copy_str(out->status_text, sizeof(out->status_text), e, "ExportStatus");
	copy_str(out->type, sizeof(out->type), e, "ExportType");
	copy_str(out->format, sizeof(out->format), e, "ExportFormat");
	copy_str(out->bucket, sizeof(out->bucket), e, "S3Bucket");
	copy_str(out->prefix, sizeof(out->prefix), e, "S3Prefix");
	copy_str(out->manifest, sizeof(out->manifest), e, "ExportManifest");
	copy_str(out->failure_code, sizeof(out->failure_code), e, "FailureCode");
	copy_str(out->failure_message, sizeof(out->failure_message), e, "FailureMessage");
	out->start_time = time_or_zero(e, "StartTime");
	out->end_time = time_or_zero(e, "EndTime");
	out->export_time = time_or_zero(e, "ExportTime");
	return 0;
}

static int walk_export(const cJSON *resp, void *out, char *why, size_t n)
{
	return native_export_parse(resp, out, why, n);
}

int native_export_start(const struct ddb *d, const struct native_export_spec *s,
			struct native_export *out, struct errbuf *eb)
{
	cJSON *req = native_export_request(s, eb);

	if (!req)
		return -1;
	return walked_request(d, DDB_TARGET("ExportTableToPointInTime"), req, walk_export, out, eb);
}

int native_export_describe(const struct ddb *d, const char *arn, struct native_export *out,
			   struct errbuf *eb)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "ExportArn", arn);
	return walked_request(d, DDB_TARGET("DescribeExport"), req, walk_export, out, eb);
}

/* ---- import ---- */

static int import_check(const struct native_import_spec *s, struct errbuf *eb)
{
	static const char *const compressions[] = { "GZIP", "ZSTD", "NONE", NULL };
	int nlsi;

	if (!s->bucket)
		return errf(eb, EXIT_USAGE, "an import needs an S3 bucket");
	if (s3_bucket_check(s->bucket, "the import's bucket", eb) < 0)
		return -1;
	if (s->bucket_owner && !account_id(s->bucket_owner))
		return errf(eb, EXIT_USAGE, "the bucket owner '%s' is not a 12-digit AWS account id",
			    s->bucket_owner);
	if (s->compression && !one_of(s->compression, compressions))
		return errf(eb, EXIT_USAGE, "the compression '%s' is not GZIP, ZSTD or NONE",
			    s->compression);
	if (!s->table_name)
		return errf(eb, EXIT_USAGE, "an import needs a new table's name");
	if (table_name_check("the new table", s->table_name, eb) < 0)
		return -1;
	if (!cJSON_IsObject(s->table) || !cJSON_IsArray(get(s->table, "KeySchema")) ||
	    !cJSON_IsArray(get(s->table, "AttributeDefinitions")))
		return errf(eb, EXIT_USAGE,
			    "the schema for '%s' is not a table description (with KeySchema and AttributeDefinitions)",
			    s->table_name);
	nlsi = cJSON_GetArraySize(get(s->table, "LocalSecondaryIndexes"));
	if (nlsi)
		return errf(eb, EXIT_USAGE,
			    "ImportTable cannot create local secondary indexes, and the schema for '%s' has %d: import into a table you create, or load the export into it",
			    s->table_name, nlsi);
	return 0;
}

cJSON *native_import_request(const struct native_import_spec *s, struct errbuf *eb)
{
	cJSON *req, *src;

	if (import_check(s, eb) < 0)
		return NULL;
	req = cJSON_CreateObject();
	add_client_token(req, s->client_token);
	src = cJSON_AddObjectToObject(req, "S3BucketSource");
	add_str(src, "S3BucketOwner", s->bucket_owner);
	cJSON_AddStringToObject(src, "S3Bucket", s->bucket);
	add_str(src, "S3KeyPrefix", s->prefix);
	cJSON_AddStringToObject(req, "InputFormat", "DYNAMODB_JSON");
	cJSON_AddStringToObject(req, "InputCompressionType", s->compression ? s->compression : "GZIP");
	cJSON_AddItemToObject(req, "TableCreationParameters",
			      table_create_spec(s->table, s->table_name, TABLE_SPEC_IMPORT, 0));
	return req;
}

int native_import_parse(const cJSON *resp, struct native_import *out, char *why, size_t n)
{
	const cJSON *e = get(resp, "ImportTableDescription");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(e)) {
		snprintf(why, n, "the answer has no ImportTableDescription");
		return -1;
	}
	if (!json_get_str(e, "ImportArn") || !*json_get_str(e, "ImportArn")) {
		snprintf(why, n, "the ImportTableDescription has no ImportArn");
		return -1;
	}
	if (status_of(json_get_str(e, "ImportStatus"), &out->status) < 0) {
		snprintf(why, n, "the ImportTableDescription has no known ImportStatus");
		return -1;
	}
	out->processed_items = count_or(e, "ProcessedItemCount", -1);
	out->processed_bytes = count_or(e, "ProcessedSizeBytes", -1);
	out->imported_items = count_or(e, "ImportedItemCount", -1);
	out->errors = count_or(e, "ErrorCount", -1);
	if (out->status == NATIVE_COMPLETED && out->imported_items < 0) {
		snprintf(why, n, "a COMPLETED import has no ImportedItemCount");
		return -1;
	}
	copy_str(out->arn, sizeof(out->arn), e, "ImportArn");
	copy_str(out->status_text, sizeof(out->status_text), e, "ImportStatus");
	copy_str(out->table_arn, sizeof(out->table_arn), e, "TableArn");
	copy_str(out->failure_code, sizeof(out->failure_code), e, "FailureCode");
	copy_str(out->failure_message, sizeof(out->failure_message), e, "FailureMessage");
	out->start_time = time_or_zero(e, "StartTime");
	out->end_time = time_or_zero(e, "EndTime");
	return 0;
}

static int walk_import(const cJSON *resp, void *out, char *why, size_t n)
{
	return native_import_parse(resp, out, why, n);
}

int native_import_start(const struct ddb *d, const struct native_import_spec *s,
			struct native_import *out, struct errbuf *eb)
{
	cJSON *req = native_import_request(s, eb);

	if (!req)
		return -1;
	return walked_request(d, DDB_TARGET("ImportTable"), req, walk_import, out, eb);
}

int native_import_describe(const struct ddb *d, const char *arn, struct native_import *out,
			   struct errbuf *eb)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "ImportArn", arn);
	return walked_request(d, DDB_TARGET("DescribeImport"), req, walk_import, out, eb);
}

/* ---- restore to a point in time ---- */

static int restore_check(const struct native_restore_spec *s, struct errbuf *eb)
{
	static const char *const modes[] = { "PROVISIONED", "PAY_PER_REQUEST", NULL };
	char a[32];

	if (!s->source || !*s->source)
		return errf(eb, EXIT_USAGE, "a restore needs a source table");
	if (strncmp(s->source, "arn:", 4) && table_name_check("the source table", s->source, eb) < 0)
		return -1;
	if (!s->target)
		return errf(eb, EXIT_USAGE, "a restore needs a new table's name");
	if (table_name_check("the new table", s->target, eb) < 0)
		return -1;
	if (s->restore_time < 0 || s->restore_time > (double)clock_wall() + 60)
		return errf(eb, EXIT_USAGE, "the point in time %s is in the future",
			    clock_format_iso(s->restore_time, a, sizeof(a)));
	if (s->billing_mode && !one_of(s->billing_mode, modes))
		return errf(eb, EXIT_USAGE, "the billing mode '%s' is not PROVISIONED or PAY_PER_REQUEST",
			    s->billing_mode);
	return 0;
}

cJSON *native_restore_request(const struct native_restore_spec *s, struct errbuf *eb)
{
	cJSON *req;

	if (restore_check(s, eb) < 0)
		return NULL;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, strncmp(s->source, "arn:", 4) ? "SourceTableName" : "SourceTableArn",
				s->source);
	cJSON_AddStringToObject(req, "TargetTableName", s->target);
	if (s->restore_time)
		cJSON_AddNumberToObject(req, "RestoreDateTime", s->restore_time);
	else
		cJSON_AddBoolToObject(req, "UseLatestRestorableTime", 1);
	add_str(req, "BillingModeOverride", s->billing_mode);
	return req;
}

int native_restore_parse(const cJSON *resp, const char *target, char *status, size_t sn,
			 char *why, size_t n)
{
	const cJSON *t = get(resp, "TableDescription");
	const char *name = json_get_str(t, "TableName"), *st = json_get_str(t, "TableStatus");

	if (!cJSON_IsObject(t) || !name || !st) {
		snprintf(why, n, "the answer has no TableDescription with a TableName and TableStatus");
		return -1;
	}
	if (strcmp(name, target)) {
		snprintf(why, n, "the answer describes table '%.200s', not '%.200s'", name, target);
		return -1;
	}
	snprintf(status, sn, "%s", st);
	return 0;
}

struct restore_walk {
	const char *target;
	char status[32];
};

static int walk_restore(const cJSON *resp, void *out, char *why, size_t n)
{
	struct restore_walk *w = out;

	return native_restore_parse(resp, w->target, w->status, sizeof(w->status), why, n);
}

int native_restore_start(const struct ddb *d, const struct native_restore_spec *s,
			 struct errbuf *eb)
{
	struct restore_walk w = { s->target, "" };
	cJSON *req = native_restore_request(s, eb);

	if (!req)
		return -1;
	return walked_request(d, DDB_TARGET("RestoreTableToPointInTime"), req, walk_restore, &w, eb);
}

/* ---- point-in-time recovery ---- */

int native_pitr_parse(const cJSON *resp, struct native_pitr *out, char *why, size_t n)
{
	const cJSON *cb = get(resp, "ContinuousBackupsDescription");
	const cJSON *pitr = get(cb, "PointInTimeRecoveryDescription");
	const char *st = json_get_str(pitr, "PointInTimeRecoveryStatus");

	memset(out, 0, sizeof(*out));
	if (!json_get_str(cb, "ContinuousBackupsStatus")) {
		snprintf(why, n, "the answer has no ContinuousBackupsDescription with a ContinuousBackupsStatus");
		return -1;
	}
	if (!st || (strcmp(st, "ENABLED") && strcmp(st, "DISABLED"))) {
		snprintf(why, n, "the answer has no PointInTimeRecoveryStatus ENABLED or DISABLED");
		return -1;
	}
	out->enabled = !strcmp(st, "ENABLED");
	out->earliest = time_or_zero(pitr, "EarliestRestorableDateTime");
	out->latest = time_or_zero(pitr, "LatestRestorableDateTime");
	out->recovery_days = count_or(pitr, "RecoveryPeriodInDays", 0);
	return 0;
}

static int walk_pitr(const cJSON *resp, void *out, char *why, size_t n)
{
	return native_pitr_parse(resp, out, why, n);
}

int native_pitr_describe(const struct ddb *d, const char *table, struct native_pitr *out,
			 struct errbuf *eb)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "TableName", table);
	return walked_request(d, DDB_TARGET("DescribeContinuousBackups"), req, walk_pitr, out, eb);
}

cJSON *native_pitr_enable_request(const char *table, int recovery_days)
{
	cJSON *req = cJSON_CreateObject(), *spec;

	cJSON_AddStringToObject(req, "TableName", table);
	spec = cJSON_AddObjectToObject(req, "PointInTimeRecoverySpecification");
	cJSON_AddBoolToObject(spec, "PointInTimeRecoveryEnabled", 1);
	if (recovery_days > 0)
		cJSON_AddNumberToObject(spec, "RecoveryPeriodInDays", recovery_days);
	return req;
}

int native_pitr_enable(const struct ddb *d, const char *table, int recovery_days,
		       struct native_pitr *out, struct errbuf *eb)
{
	if (recovery_days < 0 || recovery_days > 35)
		return errf(eb, EXIT_USAGE, "the recovery period is 1 to 35 days, not %d", recovery_days);
	if (walked_request(d, DDB_TARGET("UpdateContinuousBackups"),
			   native_pitr_enable_request(table, recovery_days), walk_pitr, out, eb) < 0)
		return -1;
	if (!out->enabled)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "UpdateContinuousBackups answered that point-in-time recovery of '%s' is still DISABLED",
			    table);
	return 0;
}

/* ---- waiting ---- */

/* Sleeps up to ms, in slices, so an interrupt is seen at once. */
static void nap(unsigned ms)
{
	while (ms && !engine_stop) {
		unsigned slice = ms < 100 ? ms : 100;
		struct timespec ts = { 0, (long)slice * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

/* Where a job's state is in its description, for the waiting loop. */
struct job_view {
	const char *what;		/* "export" */
	const char *follow;		/* the AWS CLI command that shows it */
	int (*describe)(const struct ddb *d, const char *arn, void *out, struct errbuf *eb);
	int (*progress)(const struct job_view *v, const void *out);
	native_export_progress_fn export_progress;
	native_import_progress_fn import_progress;
	void *ctx;
	const enum native_status *status;
	const char *status_text, *failure_code, *failure_message;
};

static int wait_job(const struct ddb *d, const char *arn, unsigned poll_ms, int timeout_s,
		    const struct job_view *v, void *out, struct errbuf *eb)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)(timeout_s > 0 ? timeout_s : 0) * 1000;
	unsigned wait = 1000, most = poll_ms < 1000 ? 1000 : poll_ms;

	for (;;) {
		if (v->describe(d, arn, out, eb) < 0)
			return -1;
		if (v->progress(v, out))
			return errf(eb, EXIT_FAILURE_RUNTIME, "the wait for %s %s was stopped", v->what, arn);
		if (*v->status == NATIVE_COMPLETED)
			return 0;
		if (*v->status != NATIVE_IN_PROGRESS)
			return errf(eb, EXIT_FAILURE_RUNTIME, "the %s %s ended %s: %s%s%s", v->what, arn,
				    v->status_text,
				    v->failure_code[0] ? v->failure_code : "no reason given",
				    v->failure_message[0] ? ": " : "", v->failure_message);
		if (clock_mono_ms() > deadline)
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "the %s is not done yet; it goes on in AWS: follow it with %s %s",
				    v->what, v->follow, arn);
		/* A small job is seen done at once; a long one is not asked about every second. */
		nap(wait);
		wait = wait * 2 < most ? wait * 2 : most;
		if (engine_stop)
			return errf(eb, EXIT_INTERRUPTED,
				    "interrupted; the %s goes on in AWS: follow it with %s %s",
				    v->what, v->follow, arn);
	}
}

static int describe_export_any(const struct ddb *d, const char *arn, void *out, struct errbuf *eb)
{
	return native_export_describe(d, arn, out, eb);
}

static int export_progress(const struct job_view *v, const void *out)
{
	return v->export_progress ? v->export_progress(v->ctx, out) : 0;
}

int native_export_wait(const struct ddb *d, const char *arn, unsigned poll_ms, int timeout_s,
		       native_export_progress_fn progress, void *ctx,
		       struct native_export *out, struct errbuf *eb)
{
	struct job_view v = {
		"export", "aws dynamodb describe-export --export-arn", describe_export_any,
		export_progress, progress, NULL, ctx, &out->status, out->status_text,
		out->failure_code, out->failure_message
	};

	return wait_job(d, arn, poll_ms, timeout_s, &v, out, eb);
}

static int describe_import_any(const struct ddb *d, const char *arn, void *out, struct errbuf *eb)
{
	return native_import_describe(d, arn, out, eb);
}

static int import_progress(const struct job_view *v, const void *out)
{
	return v->import_progress ? v->import_progress(v->ctx, out) : 0;
}

int native_import_wait(const struct ddb *d, const char *arn, unsigned poll_ms, int timeout_s,
		       native_import_progress_fn progress, void *ctx,
		       struct native_import *out, struct errbuf *eb)
{
	struct job_view v = {
		"import", "aws dynamodb describe-import --import-arn", describe_import_any,
		import_progress, NULL, progress, ctx, &out->status, out->status_text,
		out->failure_code, out->failure_message
	};

	return wait_job(d, arn, poll_ms, timeout_s, &v, out, eb);
}
