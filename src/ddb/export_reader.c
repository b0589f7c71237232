/*
 * A DynamoDB export read from S3, item by item (export_reader.h).
 */
#include "dynamo/export_reader.h"
#include "dynamo/exitcode.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_MAX_LINE (8u << 20)	/* an item is at most 400 KB; its JSON a few times that */
#define MANIFEST_WINDOW (1u << 20)
#define SUMMARY_MAX (1u << 20)

struct export_reader {
	struct s3 *s3;			/* borrowed */
	char *bucket;			/* owned */
	char *dir;			/* owned: "PREFIX/AWSDynamoDB/ID/" */
	struct export_reader_options opt;
	struct export_summary summary;	/* owned, unless list_data */
	int has_summary;
	struct s3_reader manifest_src;	/* manifest-files.json, by windows */
	struct export_manifest manifest;
	struct s3_lister lister;	/* list_data: the data/ folder, a page at a time */
	size_t next_obj;		/* in the lister's page */
	/* the data file being read */
	int in_file;
	struct export_file file;
	struct s3_reader data_src;
	struct line_decoder lines;
	EVP_MD_CTX *md5;		/* owned: of its bytes */
	uint64_t file_items;
	/* totals */
	uint64_t files, files_done, items, bytes;
	int complete;
	int failed;
};

static void close_file(struct export_reader *r)
{
	if (!r->in_file)
		return;
	s3_reader_release(&r->data_src);
	line_decoder_release(&r->lines);
	r->in_file = 0;
}

void export_reader_close(struct export_reader *r)
{
	if (!r)
		return;
	close_file(r);
	EVP_MD_CTX_free(r->md5);
	if (r->has_summary) {
		export_manifest_release(&r->manifest);
		s3_reader_release(&r->manifest_src);
		export_summary_release(&r->summary);
	}
	if (r->opt.list_data)
		s3_lister_release(&r->lister);
	free(r->bucket);
	free(r->dir);
	free(r);
}

/* The folder of a key ("a/b/c.json" -> "a/b/"), "" for none. */
static char *folder_of(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash ? xstrndup(key, (size_t)(slash + 1 - key)) : xstrdup("");
}

/* The export's folder from the URL's key: the folder itself or its manifest-summary.json. */
static char *export_dir(const char *key)
{
	static const char summary[] = "manifest-summary.json";
	size_t n = strlen(key), m = strlen(summary);
	char *dir;

	if (n >= m && !strcmp(key + n - m, summary) && (n == m || key[n - m - 1] == '/'))
		return xstrndup(key, n - m);
	if (!n || key[n - 1] == '/')
		return xstrdup(key);
	dir = xmalloc(n + 2);
	snprintf(dir, n + 2, "%s/", key);
	return dir;
}

static int read_summary(struct export_reader *r, struct errbuf *eb)
{
	struct errbuf why = ERRBUF_INIT;
	struct buf body = BUF_INIT;
	char what[1300], *key;
	int rc;

	key = xmalloc(strlen(r->dir) + 32);
	sprintf(key, "%smanifest-summary.json", r->dir);
	snprintf(what, sizeof(what), "s3://%s/%s", r->bucket, key);
	rc = s3_get_small(r->s3, r->bucket, key, SUMMARY_MAX, &body, NULL, &why);
	free(key);
	if (rc < 0 && why.exit == EXIT_NOT_FOUND)
		return errf(eb, EXIT_NOT_FOUND,
			    "%s does not exist: name the export's folder (s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT-ID/), and check that the export has COMPLETED (aws dynamodb describe-export)",
			    what);
	if (rc < 0)
		return errf(eb, why.exit, "%s", why.msg);
	rc = export_summary_parse(&r->summary, body.data ? body.data : "", body.len, what, eb);
	buf_release(&body);
	return rc;
}

/*
 * manifest-files.json, from the summary's manifestFilesS3Key. Its folder
 * is where the export was first written; when the export was copied since,
 * the same names are looked for under the folder named.
 */
static void open_manifest(struct export_reader *r)
{
	char *old_dir = folder_of(r->summary.manifest_files_key);
	const char *base = r->summary.manifest_files_key + strlen(old_dir);
	char *key = xmalloc(strlen(r->dir) + strlen(base) + 1);
	char *data = xmalloc(strlen(r->dir) + 8), *old_data = xmalloc(strlen(old_dir) + 8);
	char what[1300];
	struct byte_source src;

	sprintf(key, "%s%s", r->dir, base);
	sprintf(data, "%sdata/", r->dir);
	sprintf(old_data, "%sdata/", old_dir);
	snprintf(what, sizeof(what), "s3://%s/%s", r->bucket, key);
	s3_reader_init(&r->manifest_src, r->s3, r->bucket, key, NULL, MANIFEST_WINDOW);
	src.read = s3_reader_read;
	src.ctx = &r->manifest_src;
	export_manifest_init(&r->manifest, what, data, old_data, src);
	free(key);
	free(data);
	free(old_data);
	free(old_dir);
}

int export_reader_open(struct export_reader **out, struct s3 *s3, const char *url,
		       const struct export_reader_options *o, struct errbuf *eb)
{
	struct export_reader *r;
	struct s3_url u;

	if (s3_url_parse(&u, url, "the export", eb) < 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->s3 = s3;
	r->bucket = xstrdup(u.bucket);
	r->dir = export_dir(u.key);
	s3_url_release(&u);
	if (o)
		r->opt = *o;
	if (!r->opt.window)
		r->opt.window = 8u << 20;
	r->md5 = EVP_MD_CTX_new();
	if (!r->md5) {
		export_reader_close(r);
		return errf(eb, EXIT_FAILURE_RUNTIME, "out of memory");
	}
	if (r->opt.list_data) {
		char *data = xmalloc(strlen(r->dir) + 8);

		sprintf(data, "%sdata/", r->dir);
		s3_lister_init(&r->lister, s3, r->bucket, data);
		free(data);
	} else {
		if (read_summary(r, eb) < 0) {
			export_reader_close(r);
			return -1;
		}
		r->has_summary = 1;
		open_manifest(r);
	}
	*out = r;
	return 0;
}

const char *export_reader_bucket(const struct export_reader *r)
{
	return r->bucket;
}

const char *export_reader_dir(const struct export_reader *r)
{
	return r->dir;
}

const struct export_summary *export_reader_summary(const struct export_reader *r)
{
	return r->has_summary ? &r->summary : NULL;
}

/* The byte source of a data file: its windows, counted and hashed. */
static int read_data(void *ctx, const char **p, size_t *n, struct errbuf *eb)
{
	struct export_reader *r = ctx;
	int rc = s3_reader_read(&r->data_src, p, n, eb);

	if (rc == 1) {
		if (!EVP_DigestUpdate(r->md5, *p, *n))
			return errf(eb, EXIT_FAILURE_RUNTIME, "MD5 failed");
		r->bytes += *n;
	}
	return rc;
}

/* The next data file to read into r->file: 1, 0 when there is none, -1 on error. */
static int next_file(struct export_reader *r, struct errbuf *eb)
{
	if (r->has_summary)
		return export_manifest_next(&r->manifest, &r->file, eb);
	for (;;) {
		const char *key;
		int rc;

		while (r->next_obj == r->lister.nobjs) {
			rc = s3_lister_next(&r->lister, eb);
			if (rc <= 0)
				return rc;
			r->next_obj = 0;
		}
		key = r->lister.objs[r->next_obj].key;
		if (key[strlen(key) - 1] != '/')
			break;
		r->next_obj++;	/* a "folder" placeholder, not a file */
	}
	memset(&r->file, 0, sizeof(r->file));
	snprintf(r->file.key, sizeof(r->file.key), "%s", r->lister.objs[r->next_obj].key);
	snprintf(r->file.etag, sizeof(r->file.etag), "%s", r->lister.objs[r->next_obj].etag);
	r->file.item_count = -1;	/* not known */
	r->next_obj++;
	return 1;
}

static int open_file(struct export_reader *r, struct errbuf *eb)
{
	char what[1300];
	int rc = next_file(r, eb);

	if (rc <= 0)
		return rc;
	r->files++;
	snprintf(what, sizeof(what), "s3://%s/%s", r->bucket, r->file.key);
	s3_reader_init(&r->data_src, r->s3, r->bucket, r->file.key,
		       r->file.etag[0] ? r->file.etag : NULL, r->opt.window);
	line_decoder_init(&r->lines, what, DATA_MAX_LINE);
	if (!EVP_DigestInit_ex(r->md5, EVP_md5(), NULL)) {
		s3_reader_release(&r->data_src);
		line_decoder_release(&r->lines);
		return errf(eb, EXIT_FAILURE_RUNTIME, "MD5 failed");
	}
	r->file_items = 0;
	r->in_file = 1;
	return 1;
}

/* A data file read to its end: is it the one the manifest describes? */
static int check_file(struct export_reader *r, struct errbuf *eb)
{
	unsigned char md5[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char want[25], got[25];

	if (!EVP_DigestFinal_ex(r->md5, md5, &len) || len != 16)
		return errf(eb, EXIT_FAILURE_RUNTIME, "MD5 failed");
	if (r->file.has_md5 && memcmp(md5, r->file.md5, 16)) {
		export_md5_base64(r->file.md5, want);
		export_md5_base64(md5, got);
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "'%s' is not the file the export's manifest lists: its MD5 is %s, the manifest says %s (damaged or replaced)",
			    r->lines.name, got, want);
	}
	if (r->file.item_count >= 0 && r->file_items != (uint64_t)r->file.item_count)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "'%s' holds %" PRIu64 " items, the export's manifest says %lld: the export is damaged",
			    r->lines.name, r->file_items, r->file.item_count);
	return 0;
}

/* Every file was read: do they add up to the summary? */
static int check_export(struct export_reader *r, struct errbuf *eb)
{
	if (!r->has_summary)
		return 0;
	if (r->manifest.items != r->summary.item_count || r->items != (uint64_t)r->summary.item_count)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "the export s3://%s/%s lists %lld items in its files and %" PRIu64 " were read, but its summary says %lld: the export is damaged or incomplete",
			    r->bucket, r->dir, r->manifest.items, r->items, r->summary.item_count);
	return 0;
}

static int bad_line(struct export_reader *r, struct errbuf *eb)
{
	int incremental = r->has_summary && r->summary.type == EXPORT_INCREMENTAL;

	return errf(eb, EXIT_FAILURE_RUNTIME,
		    "line %llu of '%s' is not %s: is it a DynamoDB export in DYNAMODB_JSON format?",
		    (unsigned long long)r->lines.lineno, r->lines.name,
		    incremental ? "an incremental export's record ({\"Keys\":{...},\"NewImage\":{...}})" :
				  "a full export's {\"Item\":{...}}");
}

static int next_record(struct export_reader *r, enum export_line_kind *kind,
		       struct export_line *rec, struct errbuf *eb)
{
	int incremental = r->has_summary && r->summary.type == EXPORT_INCREMENTAL;
	const struct byte_source src = { read_data, r };

	for (;;) {
		struct slice line;
		enum line_status st;

		if (!r->in_file) {
			int rc;

			if (r->opt.file_at_a_time)
				return 0;	/* export_reader_next_file opens the next */
			rc = open_file(r, eb);

			if (rc < 0)
				return -1;
			if (rc == 0) {
				if (check_export(r, eb) < 0)
					return -1;
				r->complete = 1;
				return 0;
			}
		}
		st = line_decoder_pull(&r->lines, &src, &line, eb);
		if (st == LINE_ERROR) {
			/* A damaged data file is the export's fault, not a local file's. */
			if (eb->exit == EXIT_IO)
				eb->exit = EXIT_FAILURE_RUNTIME;
			return -1;
		}
		if (st == LINE_END) {
			if (check_file(r, eb) < 0)
				return -1;
			r->files_done++;
			close_file(r);
			if (r->opt.file_at_a_time)
				return 0;
			continue;
		}
		*kind = export_line_parse(line, r->lines.lineno == 1, incremental, rec);
		if (*kind == EXPORT_LINE_BLANK)
			continue;
		if (*kind != (incremental ? EXPORT_LINE_CHANGE : EXPORT_LINE_ITEM))
			return bad_line(r, eb);
		r->file_items++;
		r->items++;
		return 1;
	}
}

int export_reader_next_record(struct export_reader *r, enum export_line_kind *kind,
			      struct export_line *rec, struct errbuf *eb)
{
	int rc;

	if (r->failed)
		return errf(eb, EXIT_FAILURE_RUNTIME, "the export s3://%s/%s could not be read (see the error before)",
			    r->bucket, r->dir);
	if (r->complete)
		return 0;
	rc = next_record(r, kind, rec, eb);
	if (rc < 0)
		r->failed = 1;
	return rc;
}

int export_reader_next_file(struct export_reader *r, const char **key, long long *items,
			    struct errbuf *eb)
{
	int rc;

	if (!r->opt.file_at_a_time || r->in_file)
		return errf(eb, EXIT_FAILURE_RUNTIME, "internal error: export_reader_next_file out of turn");
	if (r->failed)
		return errf(eb, EXIT_FAILURE_RUNTIME, "the export s3://%s/%s could not be read (see the error before)",
			    r->bucket, r->dir);
	if (r->complete)
		return 0;
	rc = open_file(r, eb);
	if (rc == 0) {
		rc = check_export(r, eb);
		r->complete = rc == 0;
	}
	if (rc < 0) {
		r->failed = 1;
		return -1;
	}
	if (rc == 1) {
		*key = r->file.key;
		*items = r->file.item_count;
	}
	return rc;
}

int export_reader_skip_file(struct export_reader *r, struct errbuf *eb)
{
	if (!r->in_file || (r->file.item_count < 0 && r->has_summary))
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "cannot pass over '%s' unread: the export does not say how many items it holds",
			    r->in_file ? r->file.key : "");
	if (r->file.item_count > 0)
		r->items += (uint64_t)r->file.item_count;
	r->files_done++;
	close_file(r);
	return 0;
}

const char *export_reader_next(void *reader, struct slice *item, struct errbuf *eb)
{
	struct export_reader *r = reader;
	enum export_line_kind kind;
	struct export_line rec;

	if (r->has_summary && r->summary.type == EXPORT_INCREMENTAL) {
		errf(eb, EXIT_FAILURE_RUNTIME,
		     "s3://%s/%s is an incremental export: its records are changes (puts and deletes), not items to load",
		     r->bucket, r->dir);
		return NULL;
	}
	if (export_reader_next_record(r, &kind, &rec, eb) != 1)
		return NULL;
	*item = rec.item;
	return item->p;
}

void export_reader_progress(const struct export_reader *r, struct export_reader_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->files_done = r->files_done;
	p->files = r->files;
	p->items = r->items;
	p->bytes = r->bytes;
	p->file = r->in_file ? r->file.key : NULL;
	p->file_items = r->in_file ? r->file_items : 0;
}

int export_reader_complete(const struct export_reader *r)
{
	return r->complete;
}
