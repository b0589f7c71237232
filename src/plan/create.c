/*
 * --create-target: a missing target is created from the source's
 * description. DescribeTable returns much that CreateTable refuses (ARNs,
 * counts, statuses, timestamps, decrease counters), so only the accepted
 * fields are carried over.
 */
#include "dynamo/stages.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/*
 * Encryption at rest: a table with a KMS key gets one too, but the AWS
 * managed key of its own account (a customer key of the source's account is
 * not usable from another account; the caller warns).
 */
static void encryption(cJSON *req, const cJSON *desc)
{
	const cJSON *sse = get(desc, "SSEDescription");
	const cJSON *status = get(sse, "Status"), *type = get(sse, "SSEType");
	cJSON *spec;

	if (!cJSON_IsString(status) || strcmp(status->valuestring, "ENABLED") ||
	    !cJSON_IsString(type) || strcmp(type->valuestring, "KMS"))
		return;
	spec = cJSON_CreateObject();
	cJSON_AddBoolToObject(spec, "Enabled", 1);
	cJSON_AddStringToObject(spec, "SSEType", "KMS");
	cJSON_AddItemToObject(req, "SSESpecification", spec);
}

cJSON *create_table_request(const cJSON *desc, const char *name, int billing,
			    const cJSON *tags)
{
	cJSON *req = table_create_spec(desc, name, TABLE_SPEC_CREATE, billing);

	if (cJSON_IsTrue(get(desc, "DeletionProtectionEnabled")))
		cJSON_AddBoolToObject(req, "DeletionProtectionEnabled", 1);
	encryption(req, desc);
	if (cJSON_GetArraySize(tags))
		cJSON_AddItemToObject(req, "Tags", cJSON_Duplicate(tags, 1));
	return req;
}

/*
 * TTL is not part of CreateTable: it is read from the source before the
 * table is created (with --strict, a TTL that cannot be read stops the run
 * before anything exists), then set on the new table. attr is left empty
 * when the source has no TTL, or when it could not be read: then a warning
 * says so (and the summary, --json and the step summary).
 */
static int read_ttl(struct plan *p, struct stage *s, char *attr, size_t n)
{
	struct errbuf *eb = p->params.eb, why = ERRBUF_INIT;
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	const cJSON *desc, *st, *name;
	char where[512];
	int r;

	attr[0] = '\0';
	cJSON_AddStringToObject(body, "TableName", s->src_table);
	r = ddb_request_json(s->src, DDB_TARGET("DescribeTimeToLive"), body, &resp, &why);
	cJSON_Delete(body);
	ddb_where(s->src, where, sizeof(where));
	if (r < 0 && ddb_unsupported(&why))
		return 0;
	if (r < 0 && p->params.create.strict)
		return errf(eb, why.exit ? why.exit : EXIT_FAILURE_RUNTIME,
			    "cannot read the TTL of '%s' in %s (%s): with --strict nothing is created (without --strict, '%s' is created without TTL and a warning says so)",
			    s->src_table, where, why.msg, s->dst_table);
	if (r < 0) {
		plan_warn(p, "the TTL of '%s' in %s could not be read (%s): '%s' is created without TTL (set it with aws dynamodb update-time-to-live, or pass --strict to stop instead)",
			  s->src_table, where, why.msg, s->dst_table);
		return 0;
	}
	desc = get(resp, "TimeToLiveDescription");
	st = get(desc, "TimeToLiveStatus");
	name = get(desc, "AttributeName");
	if (cJSON_IsString(st) && cJSON_IsString(name) &&
	    (!strcmp(st->valuestring, "ENABLED") || !strcmp(st->valuestring, "ENABLING")))
		snprintf(attr, n, "%s", name->valuestring);
	cJSON_Delete(resp);
	return 0;
}

static int set_ttl(struct stage *s, const char *attr, struct errbuf *eb)
{
	cJSON *upd = cJSON_CreateObject(), *spec = cJSON_CreateObject(), *out = NULL;
	int r;

	cJSON_AddStringToObject(upd, "TableName", s->dst_table);
	cJSON_AddBoolToObject(spec, "Enabled", 1);
	cJSON_AddStringToObject(spec, "AttributeName", attr);
	cJSON_AddItemToObject(upd, "TimeToLiveSpecification", spec);
	r = ddb_request_json(s->dst, DDB_TARGET("UpdateTimeToLive"), upd, &out, eb);
	cJSON_Delete(upd);
	cJSON_Delete(out);
	return r;
}

/*
 * A call on the source for a setting to carry over (what names it): its
 * answer in *resp, or NULL when the endpoint has no such call or it failed;
 * a failure warns that the target goes without it, or with --strict stops
 * the run before anything is created.
 */
static int read_source(struct plan *p, struct stage *s, const char *target, cJSON *body,
		       const char *what, cJSON **resp)
{
	struct errbuf why = ERRBUF_INIT;
	char where[512];
	int r = ddb_request_json(s->src, target, body, resp, &why);

	cJSON_Delete(body);
	if (r == 0)
		return 0;
	*resp = NULL;
	if (ddb_unsupported(&why))
		return 0;
	ddb_where(s->src, where, sizeof(where));
	if (p->params.create.strict)
		return errf(p->params.eb, why.exit ? why.exit : EXIT_FAILURE_RUNTIME,
			    "cannot read the %s of '%s' in %s (%s): with --strict nothing is created",
			    what, s->src_table, where, why.msg);
	plan_warn(p, "the %s of '%s' in %s could not be read (%s): '%s' is created without them (or pass --strict to stop instead)",
		  what, s->src_table, where, why.msg, s->dst_table);
	return 0;
}

/* The source's tags (CreateTable takes them as they are), or NULL. */
static int read_tags(struct plan *p, struct stage *s, cJSON **tags)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;

	*tags = NULL;
	if (!s->src_desc->arn)
		return 0;
	cJSON_AddStringToObject(body, "ResourceArn", s->src_desc->arn);
	if (read_source(p, s, DDB_TARGET("ListTagsOfResource"), body, "tags", &resp) < 0)
		return -1;
	if (resp && cJSON_GetArraySize(get(resp, "Tags")))
		*tags = cJSON_DetachItemFromObjectCaseSensitive(resp, "Tags");
	cJSON_Delete(resp);
	return 0;
}

/* Whether point-in-time recovery is on for the source. */
static int read_pitr(struct plan *p, struct stage *s, int *on)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	const cJSON *st;

	*on = 0;
	cJSON_AddStringToObject(body, "TableName", s->src_table);
	if (read_source(p, s, DDB_TARGET("DescribeContinuousBackups"), body,
			"point-in-time recovery setting", &resp) < 0)
		return -1;
	st = get(get(get(resp, "ContinuousBackupsDescription"), "PointInTimeRecoveryDescription"),
		 "PointInTimeRecoveryStatus");
	*on = cJSON_IsString(st) && (!strcmp(st->valuestring, "ENABLED") ||
				     !strcmp(st->valuestring, "ENABLING"));
	cJSON_Delete(resp);
	return 0;
}

/* One call on the new table (body consumed): 0, or -1 with why set. */
static int dst_call(const struct stage *s, const char *target, cJSON *body, struct errbuf *why)
{
	cJSON *resp = NULL;
	int r = ddb_request_json(s->dst, target, body, &resp, why);

	cJSON_Delete(body);
	cJSON_Delete(resp);
	return r;
}

/* Turns point-in-time recovery on for the new table; a failure is a warning. */
static void set_pitr(struct plan *p, struct stage *s)
{
	cJSON *body = cJSON_CreateObject(), *spec = cJSON_CreateObject();
	struct errbuf why = ERRBUF_INIT;

	cJSON_AddStringToObject(body, "TableName", s->dst_table);
	cJSON_AddBoolToObject(spec, "PointInTimeRecoveryEnabled", 1);
	cJSON_AddItemToObject(body, "PointInTimeRecoverySpecification", spec);
	if (dst_call(s, DDB_TARGET("UpdateContinuousBackups"), body, &why) < 0)
		plan_warn(p, "'%s' has point-in-time recovery on, but it could not be turned on for '%s' (%s): turn it on with aws dynamodb update-continuous-backups",
			  s->src_table, s->dst_table, why.msg);
}

/* A customer managed KMS key of the source is not carried over: say so. */
static void warn_kms_key(struct plan *p, struct stage *s)
{
	const cJSON *key = get(get(s->src_desc->raw, "SSEDescription"), "KMSMasterKeyArn");

	if (cJSON_IsString(key) && !strstr(key->valuestring, "alias/aws/dynamodb"))
		plan_warn(p, "'%s' is encrypted with the KMS key %s; '%s' is created with the AWS managed key of its account (change it with aws dynamodb update-table --sse-specification)",
			  s->src_table, key->valuestring, s->dst_table);
}

/*
 * The table this run created could not be set up: it is deleted again (it
 * holds nothing yet), so that the same command run again creates it whole
 * instead of taking a table without its TTL for the finished target.
 */
static int undo_create(struct plan *p, struct stage *s, const char *attr, const struct errbuf *why)
{
	struct errbuf *eb = p->params.eb, del = ERRBUF_INIT;
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	int r;

	cJSON_AddStringToObject(body, "TableName", s->dst_table);
	r = ddb_request_json(s->dst, DDB_TARGET("DeleteTable"), body, &resp, &del);
	cJSON_Delete(body);
	cJSON_Delete(resp);
	if (r == 0)
		return errf(eb, why->exit ? why->exit : EXIT_FAILURE_RUNTIME,
			    "created '%s' but could not set its TTL on '%s' (%s); deleted it again, so the same command can be run once the target allows UpdateTimeToLive (or create the table yourself and copy without --create-target)",
			    s->dst_table, attr, why->msg);
	return errf(eb, why->exit ? why->exit : EXIT_FAILURE_RUNTIME,
		    "created '%s' but could not set its TTL on '%s' (%s), nor delete it again (%s): it exists without TTL; set it with aws dynamodb update-time-to-live --table-name %s --time-to-live-specification Enabled=true,AttributeName=%s (with --checkpoint, running the same command again finishes it)",
		    s->dst_table, attr, why->msg, del.msg, s->dst_table, attr);
}

int stage_create_table(struct plan *p, struct stage *s)
{
	struct errbuf *eb = p->params.eb, why = ERRBUF_INIT;
	cJSON *req, *resp = NULL, *tags = NULL;
	char where[512], attr[256];
	int r, pitr = 0;

	if (read_ttl(p, s, attr, sizeof(attr)) < 0)
		return -1;
	ddb_where(s->dst, where, sizeof(where));
	if (s->finish_only) {
		msg_info("finishing the setup of '%s' in %s, which an interrupted run created",
			 s->dst_table, where);
	} else {
		if (read_tags(p, s, &tags) < 0 || read_pitr(p, s, &pitr) < 0) {
			cJSON_Delete(tags);
			return -1;
		}
		warn_kms_key(p, s);
		req = create_table_request(s->src_desc->raw, s->dst_table, p->params.create.billing, tags);
		cJSON_Delete(tags);
		r = ddb_request_json(s->dst, DDB_TARGET("CreateTable"), req, &resp, eb);
		cJSON_Delete(req);
		cJSON_Delete(resp);
		if (r < 0)
			return -1;
		msg_info("created table '%s' in %s; waiting until it is ACTIVE", s->dst_table, where);
	}
	if (table_wait_active(s->dst, s->dst_table, 1800, eb) < 0)
		return -1;
	if (pitr)
		set_pitr(p, s);
	if (!attr[0] || set_ttl(s, attr, &why) == 0)
		return 0;
	if (s->finish_only)
		return errf(eb, why.exit ? why.exit : EXIT_FAILURE_RUNTIME,
			    "cannot set the TTL of '%s' on '%s' (%s): run the same command again once the target allows UpdateTimeToLive",
			    s->dst_table, attr, why.msg);
	return undo_create(p, s, attr, &why);
}

/* Tags on the new table (TagResource: ImportTable takes none); a failure is a warning. */
static void set_tags(struct plan *p, struct stage *s, const char *arn, cJSON *tags)
{
	cJSON *body = cJSON_CreateObject();
	struct errbuf why = ERRBUF_INIT;

	cJSON_AddStringToObject(body, "ResourceArn", arn);
	cJSON_AddItemToObject(body, "Tags", tags);
	if (dst_call(s, DDB_TARGET("TagResource"), body, &why) < 0)
		plan_warn(p, "the tags of '%s' could not be put on '%s' (%s): tag it with aws dynamodb tag-resource",
			  s->src_table, s->dst_table, why.msg);
}

/* The stream and deletion protection of the source (UpdateTable); a failure is a warning. */
static void set_table_flags(struct plan *p, struct stage *s)
{
	const cJSON *stream = get(s->src_desc->raw, "StreamSpecification");
	cJSON *body;
	struct errbuf why = ERRBUF_INIT;
	int protect = cJSON_IsTrue(get(s->src_desc->raw, "DeletionProtectionEnabled"));
	int streamed = cJSON_IsTrue(get(stream, "StreamEnabled"));

	if (!protect && !streamed)
		return;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "TableName", s->dst_table);
	if (protect)
		cJSON_AddBoolToObject(body, "DeletionProtectionEnabled", 1);
	if (streamed)
		cJSON_AddItemToObject(body, "StreamSpecification", cJSON_Duplicate(stream, 1));
	if (dst_call(s, DDB_TARGET("UpdateTable"), body, &why) < 0 ||
	    table_wait_active(s->dst, s->dst_table, 1800, &why) < 0)
		plan_warn(p, "the %s of '%s' could not be given to '%s' (%s): set it with aws dynamodb update-table",
			  protect && streamed ? "stream and deletion protection" : protect ? "deletion protection" : "stream",
			  s->src_table, s->dst_table, why.msg);
}

/*
 * After ImportTable created the target (copy --via): what ImportTable
 * cannot give it, read from the source and set (TTL, point-in-time
 * recovery, tags, stream, deletion protection). The table holds the data
 * already, so nothing here undoes it: what fails is a warning naming the
 * command that sets it.
 */
static int stage_setup_imported(struct plan *p, struct stage *s, int ck_stage)
{
	struct errbuf why = ERRBUF_INIT;
	cJSON *tags = NULL, *body, *desc = NULL;
	const cJSON *arn;
	char attr[256];
	int pitr = 0;

	(void)ck_stage;
	if (read_ttl(p, s, attr, sizeof(attr)) < 0 || read_tags(p, s, &tags) < 0 ||
	    read_pitr(p, s, &pitr) < 0) {
		cJSON_Delete(tags);
		return -1;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "TableName", s->dst_table);
	if (ddb_request_json(s->dst, DDB_TARGET("DescribeTable"), body, &desc, p->params.eb) < 0) {
		cJSON_Delete(body);
		cJSON_Delete(tags);
		return -1;
	}
	cJSON_Delete(body);
	arn = get(get(desc, "Table"), "TableArn");
	if (tags && cJSON_IsString(arn))
		set_tags(p, s, arn->valuestring, tags);
	else
		cJSON_Delete(tags);
	cJSON_Delete(desc);
	set_table_flags(p, s);
	if (pitr)
		set_pitr(p, s);
	if (attr[0] && set_ttl(s, attr, &why) < 0)
		plan_warn(p, "the TTL of '%s' on '%s' could not be set on '%s' (%s): set it with aws dynamodb update-time-to-live",
			  s->src_table, attr, s->dst_table, why.msg);
	return 0;
}

struct stage *plan_add_setup_imported(struct plan *p, struct table_ref from, struct table_ref to)
{
	struct stage *s = plan_add_copy(p, STAGE_CUSTOM, "setup", from, to);
	char a[512], b[512];

	s->custom = CUSTOM_SETUP;
	s->run = stage_setup_imported;
	s->estimate = 0;
	snprintf(s->what, sizeof(s->what),
		 "give '%s' in %s what ImportTable does not: the TTL, point-in-time recovery, tags, stream and deletion protection of '%s' in %s",
		 to.name, ddb_where(to.d, b, sizeof(b)), from.name, ddb_where(from.d, a, sizeof(a)));
	return s;
}
