/*
 * DynamoDB's export format: data lines, manifest-summary.json and
 * manifest-files.json (export_manifest.h).
 */
#include "dynamo/export_manifest.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_get.h"
#include "dynamo/json_scan.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX_LINE (64u << 10)

/* ---- data lines ---- */

static int is_object(struct slice obj, const char *key, struct slice *val)
{
	return js_find(obj, key, val) == 1 && *val->p == '{';
}

enum export_line_kind export_line_parse(struct slice line, int first_line,
					int incremental, struct export_line *out)
{
	const char *p = line.p, *end = line.p + line.n;
	struct slice l, inner;

	memset(out, 0, sizeof(*out));
	if (end > p && end[-1] == '\r')
		end--;
	/* A UTF-8 byte order mark, as some editors write first: not part of the item. */
	if (first_line && end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	p = js_ws(p, end);
	if (p == end)
		return EXPORT_LINE_BLANK;
	l.p = p;
	l.n = (size_t)(end - p);
	if (*p != '{' || !js_valid(l))
		return EXPORT_LINE_BAD;
	if (incremental) {
		if (!is_object(l, "Keys", &out->keys))
			return EXPORT_LINE_BAD;
		if (!is_object(l, "NewImage", &out->item))
			out->item.n = 0;
		if (!is_object(l, "OldImage", &out->old))
			out->old.n = 0;
		return EXPORT_LINE_CHANGE;
	}
	/* {"Item":{...}} as DynamoDB exports write it, or a bare item. */
	if (is_object(l, "Item", &inner)) {
		struct js_iter it;
		struct slice k, v;
		int members = 0;

		js_begin(&it, l, '{');
		while (js_next_member(&it, &k, &v) == 1)
			members++;
		if (members == 1) {
			out->item = inner;
			return EXPORT_LINE_ITEM;
		}
	}
	out->item = l;
	return EXPORT_LINE_BARE;
}

/* ---- manifest-summary.json ---- */

void export_summary_release(struct export_summary *s)
{
	free(s->export_arn);
	free(s->table_arn);
	free(s->bucket);
	free(s->prefix);
	free(s->manifest_files_key);
	free(s->export_time);
	free(s->from_time);
	free(s->to_time);
	free(s->view);
	memset(s, 0, sizeof(*s));
}

static int summary_format(const cJSON *o, const char *what, struct errbuf *eb)
{
	const char *fmt = json_get_str(o, "outputFormat");

	if (!fmt)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s has no outputFormat: is it the manifest-summary.json of a DynamoDB export?",
			    what);
	if (!strcmp(fmt, "ION"))
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s is an export in Amazon Ion format, which dynamo does not read: export again with ExportFormat DYNAMODB_JSON",
			    what);
	if (strcmp(fmt, "DYNAMODB_JSON"))
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s is an export in format '%s', which dynamo does not read (only DYNAMODB_JSON)",
			    what, fmt);
	return 0;
}

static int summary_type(const cJSON *o, struct export_summary *s, const char *what,
			struct errbuf *eb)
{
	const char *type = json_get_str(o, "exportType");

	/* Exports from before incremental exports (version 2020-06-30) have no exportType. */
	if (!type || !strcmp(type, "FULL_EXPORT")) {
		s->type = EXPORT_FULL;
		return 0;
	}
	if (!strcmp(type, "INCREMENTAL_EXPORT")) {
		s->type = EXPORT_INCREMENTAL;
		return 0;
	}
	return errf(eb, EXIT_FAILURE_RUNTIME, "%s has exportType '%s', which dynamo does not know",
		    what, type);
}

int export_summary_parse(struct export_summary *s, const char *json, size_t n,
			 const char *what, struct errbuf *eb)
{
	cJSON *o = cJSON_ParseWithLength(json, n);
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (!cJSON_IsObject(o)) {
		errf(eb, EXIT_FAILURE_RUNTIME, "%s is not a JSON object: is it the manifest-summary.json of a DynamoDB export?",
		     what);
		goto cleanup;
	}
	if (summary_format(o, what, eb) < 0 || summary_type(o, s, what, eb) < 0)
		goto cleanup;
	if (!json_get_str(o, "manifestFilesS3Key") || !*json_get_str(o, "manifestFilesS3Key")) {
		errf(eb, EXIT_FAILURE_RUNTIME, "%s has no manifestFilesS3Key: is the export complete?", what);
		goto cleanup;
	}
	if (json_get_count(o, "itemCount", &s->item_count) < 0) {
		errf(eb, EXIT_FAILURE_RUNTIME, "%s has no valid itemCount: is the export complete?", what);
		goto cleanup;
	}
	if (json_get_count(o, "billedSizeBytes", &s->billed_bytes) < 0)
		s->billed_bytes = 0;
	s->manifest_files_key = json_dup_str(o, "manifestFilesS3Key");
	s->export_arn = json_dup_str(o, "exportArn");
	s->table_arn = json_dup_str(o, "tableArn");
	s->bucket = json_dup_str(o, "s3Bucket");
	s->prefix = json_dup_str(o, "s3Prefix");
	s->export_time = json_dup_str(o, "exportTime");
	s->from_time = json_dup_str(o, "exportFromTime");
	s->to_time = json_dup_str(o, "exportToTime");
	s->view = json_dup_str(o, "outputView");
	r = 0;
cleanup:
	if (r < 0)
		export_summary_release(s);
	cJSON_Delete(o);
	return r;
}

/* ---- manifest-files.json ---- */

int export_file_parse(struct slice line, struct export_file *f, char *why, size_t n)
{
	cJSON *o = cJSON_ParseWithLength(line.p, line.n);
	struct buf md5 = BUF_INIT;
	const char *key, *sum, *etag;
	int r = -1;

	memset(f, 0, sizeof(*f));
	if (!cJSON_IsObject(o)) {
		snprintf(why, n, "not a JSON object");
		goto cleanup;
	}
	key = json_get_str(o, "dataFileS3Key");
	if (!key || !*key || strlen(key) >= sizeof(f->key)) {
		snprintf(why, n, "no valid dataFileS3Key");
		goto cleanup;
	}
	if (json_get_count(o, "itemCount", &f->item_count) < 0) {
		snprintf(why, n, "no valid itemCount");
		goto cleanup;
	}
	sum = json_get_str(o, "md5Checksum");
	if (sum && (base64_decode(sum, strlen(sum), &md5) < 0 || md5.len != 16)) {
		snprintf(why, n, "md5Checksum '%.40s' is not the base64 of an MD5", sum);
		goto cleanup;
	}
	if (sum) {
		memcpy(f->md5, md5.data, 16);
		f->has_md5 = 1;
	}
	etag = json_get_str(o, "etag");
	if (etag && strlen(etag) < sizeof(f->etag))
		snprintf(f->etag, sizeof(f->etag), "%s", etag);
	snprintf(f->key, sizeof(f->key), "%s", key);
	r = 0;
cleanup:
	buf_release(&md5);
	cJSON_Delete(o);
	return r;
}

void export_manifest_init(struct export_manifest *m, const char *what,
			  const char *data_prefix, const char *old_prefix,
			  struct byte_source src)
{
	memset(m, 0, sizeof(*m));
	line_decoder_init(&m->lines, what, MANIFEST_MAX_LINE);
	m->src = src;
	m->data_prefix = xstrdup(data_prefix);
	m->old_prefix = old_prefix && strcmp(old_prefix, data_prefix) ? xstrdup(old_prefix) : NULL;
}

void export_manifest_release(struct export_manifest *m)
{
	line_decoder_release(&m->lines);
	free(m->data_prefix);
	free(m->old_prefix);
	memset(m, 0, sizeof(*m));
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Keeps the key under the export's data folder, moving it there from old_prefix. */
static int place_key(struct export_manifest *m, struct export_file *f, char *why, size_t n)
{
	char moved[sizeof(f->key)];

	if (starts_with(f->key, m->data_prefix) && strlen(f->key) > strlen(m->data_prefix))
		return 0;
	if (m->old_prefix && starts_with(f->key, m->old_prefix) &&
	    (size_t)snprintf(moved, sizeof(moved), "%s%s", m->data_prefix,
			     f->key + strlen(m->old_prefix)) < sizeof(moved)) {
		memcpy(f->key, moved, sizeof(moved));
		return 0;
	}
	snprintf(why, n, "dataFileS3Key '%.300s' is not in the export's data folder '%.300s'",
		 f->key, m->data_prefix);
	return -1;
}

int export_manifest_next(struct export_manifest *m, struct export_file *f,
			 struct errbuf *eb)
{
	for (;;) {
		struct slice line;
		char why[800];
		enum line_status st = line_decoder_pull(&m->lines, &m->src, &line, eb);

		if (st == LINE_END)
			return 0;
		if (st != LINE_OK)
			return -1;
		if (js_ws(line.p, line.p + line.n) == line.p + line.n)
			continue;
		if (export_file_parse(line, f, why, sizeof(why)) < 0 ||
		    place_key(m, f, why, sizeof(why)) < 0)
			return errf(eb, EXIT_FAILURE_RUNTIME, "line %llu of '%s': %s",
				    (unsigned long long)m->lines.lineno, m->lines.name, why);
		m->files++;
		m->items += f->item_count;
		return 1;
	}
}

void export_md5_base64(const unsigned char md5[16], char out[25])
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i, o = 0;

	for (i = 0; i < 15; i += 3) {
		unsigned v = (unsigned)md5[i] << 16 | (unsigned)md5[i + 1] << 8 | md5[i + 2];

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	out[o++] = b64[md5[15] >> 2];
	out[o++] = b64[(md5[15] & 3) << 4];
	out[o++] = '=';
	out[o++] = '=';
	out[o] = '\0';
}
