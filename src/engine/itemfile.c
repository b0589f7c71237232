#include "dynamo/itemfile.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_elems.h"
#include "dynamo/json_scan.h"
#include "dynamo/safefile.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_LINE (8u << 20)

/* ---- reading ---- */

struct item_reader {
	gzFile gz;
	char *path;
	struct buf line;
	uint64_t lineno;
	char chunk[65536];	/* read ahead */
	size_t pos, len;
	int eof;
	int peeked;		/* item_reader_peek read the next item: it is in peek */
	struct slice peek;	/* points into line */
	int at_end;		/* the whole file was read without an error */
	int format;		/* FORMAT_*: known once the first line is read */
	struct json_elems doc;	/* FORMAT_DOCUMENT: where in the document */
	struct buf pending;	/* FORMAT_DOCUMENT: the first line, fed before the rest */
	size_t pending_pos;
};

enum { FORMAT_UNKNOWN, FORMAT_LINES, FORMAT_DOCUMENT };

int item_reader_open(struct item_reader **out, const char *path,
		     struct errbuf *eb)
{
	struct item_reader *r;
	struct stat st;
	gzFile gz;

	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return errf(eb, EXIT_IO, "cannot read '%s': it is a directory (name an export file)", path);
	errno = 0;
	gz = !strcmp(path, "-") ? gzdopen(dup(0), "rb") : gzopen(path, "rb");

	if (!gz)
		return errf(eb, EXIT_IO, "cannot open '%s': %s", path,
			    errno ? strerror(errno) : "out of memory");
	gzbuffer(gz, 1u << 17);
	r = xcalloc(1, sizeof(*r));
	r->gz = gz;
	r->path = xstrdup(!strcmp(path, "-") ? "stdin" : path);
	buf_init(&r->line, MAX_LINE);
	*out = r;
	return 0;
}

void item_reader_close(struct item_reader *r)
{
	if (!r)
		return;
	gzclose(r->gz);
	buf_release(&r->line);
	buf_release(&r->pending);
	free(r->path);
	free(r);
}

static int refill(struct item_reader *r, struct errbuf *eb)
{
	int n = gzread(r->gz, r->chunk, sizeof(r->chunk)), err = Z_OK;
	const char *msg = n <= 0 ? gzerror(r->gz, &err) : "";

	if (n < 0 && err == Z_DATA_ERROR)
		return errf(eb, EXIT_IO, "'%s' is damaged after line %llu: its gzip data is not valid (%s)",
			    r->path, (unsigned long long)r->lineno, msg);
	if (n < 0)
		return errf(eb, EXIT_IO, "cannot read '%s' after line %llu: %s",
			    r->path, (unsigned long long)r->lineno,
			    err == Z_ERRNO ? strerror(errno) : msg);
	/*
	 * gzread ends a stream cut before its trailer (no CRC, no length) as
	 * if it were complete, and only gzerror says so: a half-written or
	 * sync-flushed export must not pass for a whole one.
	 */
	if (n == 0 && err == Z_BUF_ERROR)
		return errf(eb, EXIT_IO,
			    "'%s' is cut short: its gzip data ends without the gzip trailer (after line %llu), so it is not a complete file (was it still being written, or cut in a copy?)",
			    r->path, (unsigned long long)r->lineno);
	r->pos = 0;
	r->len = (size_t)n;
	r->eof = n == 0;
	return 0;
}

/*
 * Reads one line into r->line (without the newline): 1, 0 at the end, -1 on
 * error. Lines are split on '\n' by memchr, so a NUL byte cannot hide the
 * rest of a line (gzgets + strlen did, dropping items silently); a NUL is an
 * error naming the line.
 */
static int read_line(struct item_reader *r, struct errbuf *eb)
{
	buf_reset(&r->line);
	for (;;) {
		const char *p, *nl;
		size_t n;

		if (r->pos == r->len) {
			if (!r->eof && refill(r, eb) < 0)
				return -1;
			if (r->eof)
				return r->line.len ? 1 : 0;
		}
		p = r->chunk + r->pos;
		nl = memchr(p, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - p) : r->len - r->pos;
		if (memchr(p, '\0', n))
			return errf(eb, EXIT_IO, "line %llu of '%s' contains a NUL byte (is it a text file?)",
				    (unsigned long long)r->lineno + 1, r->path);
		if (buf_append(&r->line, p, n) < 0)
			return errf(eb, EXIT_IO, "line %llu of '%s' is longer than %u MB",
				    (unsigned long long)r->lineno + 1, r->path, MAX_LINE >> 20);
		r->pos += n + (nl ? 1 : 0);
		if (nl)
			return 1;
	}
}

/*
 * One line of a lines file, p..end without blanks around it: the item, as
 * {"Item":{...}} (DynamoDB's exports) or bare. NULL and eb set when it is
 * not a JSON object.
 */
static const char *line_item(struct item_reader *r, struct slice line, struct slice *item,
			     struct errbuf *eb)
{
	struct slice inner;

	if (*line.p != '{' || !js_valid(line)) {
		errf(eb, EXIT_IO,
		     "line %llu of '%s' is not a JSON object (expected {\"Item\":{...}} per line, or the output of 'aws dynamodb scan')",
		     (unsigned long long)r->lineno, r->path);
		return NULL;
	}
	if (js_find(line, "Item", &inner) == 1 && *inner.p == '{') {
		struct js_iter it;
		struct slice k, v;
		int members = 0;

		js_begin(&it, line, '{');
		while (js_next_member(&it, &k, &v) == 1)
			members++;
		if (members == 1)
			line = inner;
	}
	*item = line;
	return line.p;
}

/*
 * The next line that is not blank, trimmed: 1, 0 at the end, -1 on error.
 * A UTF-8 byte order mark, as some editors write first, is not part of it.
 */
static int next_line(struct item_reader *r, struct slice *line, struct errbuf *eb)
{
	for (;;) {
		const char *p, *end;
		int rc = read_line(r, eb);

		if (rc <= 0)
			return rc;
		r->lineno++;
		end = r->line.data + r->line.len;
		if (r->line.len && end[-1] == '\r')
			end--;
		p = r->line.data;
		if (r->lineno == 1 && r->line.len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
			p += 3;
		p = js_ws(p, end);
		if (p < end) {
			line->p = p;
			line->n = (size_t)(end - p);
			return 1;
		}
	}
}

/*
 * Whether the file is one JSON document ('aws dynamodb scan' output, or
 * 'dynamo query --output ddb'), judged by its first line: an array, or an
 * object that is not whole on its line or that is a scan's {"Items":[...]}.
 */
static int is_document(struct slice first)
{
	struct slice items, item;

	if (*first.p == '[')
		return 1;
	if (*first.p != '{' || !js_valid(first))
		return *first.p == '{';
	return js_find(first, "Items", &items) == 1 && *items.p == '[' &&
	       js_find(first, "Item", &item) != 1;
}

static const char *document_error(struct item_reader *r, const char *why,
				  struct errbuf *eb)
{
	errf(eb, EXIT_IO, "'%s' line %llu: %s", r->path,
	     (unsigned long long)r->doc.lines + 1, why);
	return NULL;
}

/* Feeds bytes to the document until an object is whole in r->line: 1, 0 (none), -1. */
static int feed_document(struct item_reader *r, struct errbuf *eb)
{
	for (;;) {
		const char *p;
		size_t n, used;
		int rc;

		if (r->pending_pos < r->pending.len) {
			p = r->pending.data + r->pending_pos;
			n = r->pending.len - r->pending_pos;
		} else {
			if (r->pos == r->len) {
				if (!r->eof && refill(r, eb) < 0)
					return -1;
				if (r->eof)
					return 0;
			}
			p = r->chunk + r->pos;
			n = r->len - r->pos;
		}
		rc = json_elems_feed(&r->doc, p, n, &used, &r->line);
		if (memchr(p, '\0', used)) {
			document_error(r, "contains a NUL byte (is it a text file?)", eb);
			return -1;
		}
		if (r->pending_pos < r->pending.len)
			r->pending_pos += used;
		else
			r->pos += used;
		if (rc < 0) {
			document_error(r, r->doc.error, eb);
			return -1;
		}
		if (rc == 1)
			return 1;
	}
}

static const char *document_item(struct item_reader *r, struct slice *item,
				  struct errbuf *eb)
{
	const char *why;
	int rc;

	buf_reset(&r->line);
	rc = feed_document(r, eb);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		if ((why = json_elems_finish(&r->doc)))
			return document_error(r, why, eb);
		r->at_end = 1;
		return NULL;
	}
	r->lineno = r->doc.elem_line;
	item->p = r->line.data;
	item->n = r->line.len;
	if (!js_valid(*item)) {
		errf(eb, EXIT_IO, "the item on line %llu of '%s' is not valid JSON",
		     (unsigned long long)r->lineno, r->path);
		return NULL;
	}
	return item->p;
}

/* Reads the first line and decides how to read the file. */
static const char *first_item(struct item_reader *r, struct slice *item,
			      struct errbuf *eb)
{
	struct slice line;
	int rc = next_line(r, &line, eb);

	if (rc <= 0) {
		r->at_end = rc == 0;
		return NULL;
	}
	if (!is_document(line)) {
		r->format = FORMAT_LINES;
		return line_item(r, line, item, eb);
	}
	r->format = FORMAT_DOCUMENT;
	json_elems_init(&r->doc);
	r->doc.lines = r->lineno - 1;
	buf_append(&r->pending, line.p, line.n);
	buf_putc(&r->pending, '\n');
	return document_item(r, item, eb);
}

static const char *next_item(struct item_reader *r, struct slice *item,
			     struct errbuf *eb)
{
	struct slice line;
	int rc;

	if (r->format == FORMAT_UNKNOWN)
		return first_item(r, item, eb);
	if (r->format == FORMAT_DOCUMENT)
		return document_item(r, item, eb);
	rc = next_line(r, &line, eb);
	if (rc == 0)
		r->at_end = 1;
	if (rc <= 0)
		return NULL;
	return line_item(r, line, item, eb);
}

const char *item_reader_next(void *reader, struct slice *item,
			     struct errbuf *eb)
{
	struct item_reader *r = reader;

	if (r->peeked) {
		r->peeked = 0;
		*item = r->peek;
		return item->p;
	}
	return next_item(r, item, eb);
}

int item_reader_peek(struct item_reader *r, struct errbuf *eb)
{
	if (r->peeked)
		return 1;
	if (!next_item(r, &r->peek, eb))
		return eb->set ? -1 : 0;
	r->peeked = 1;
	return 1;
}

int item_reader_complete(const struct item_reader *r)
{
	return r->at_end && !r->peeked;
}

uint64_t item_reader_line(const struct item_reader *r)
{
	return r->lineno;
}

/* ---- writing ---- */

/*
 * An export is written to a temporary beside the file (safefile.h) and
 * renamed over it only when every item is in: a failed or interrupted
 * export leaves the previous file as it was, never a truncated one that an
 * import would take as complete.
 */
struct item_writer {
	pthread_mutex_t lock;
	gzFile gz;		/* when compressing */
	FILE *f;		/* otherwise */
	struct safe_file file;	/* the temporary (unused for stdout) */
	char *path;
	int to_stdout;
	int failed;
	int err;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void writer_free(struct item_writer *w)
{
	pthread_mutex_destroy(&w->lock);
	free(w->path);
	free(w);
}

int item_writer_open(struct item_writer **out, const char *path,
		     struct errbuf *eb)
{
	struct item_writer *w = xcalloc(1, sizeof(*w));
	int fd;

	pthread_mutex_init(&w->lock, NULL);
	w->to_stdout = !strcmp(path, "-");
	w->path = xstrdup(w->to_stdout ? "stdout" : path);
	if (w->to_stdout) {
		w->f = stdout;
		*out = w;
		return 0;
	}
	if (safe_file_open(&w->file, path, "export", eb) < 0) {
		writer_free(w);
		return -1;
	}
	/* The streams close their own descriptor; the file's stays open to be synced. */
	fd = dup(w->file.fd);
	if (fd >= 0 && ends_with(path, ".gz")) {
		w->gz = gzdopen(fd, "wb6");
		if (w->gz)
			gzbuffer(w->gz, 1u << 18);
	} else if (fd >= 0) {
		w->f = fdopen(fd, "wb");
	}
	if (!w->gz && !w->f) {
		errf(eb, EXIT_IO, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		safe_file_abort(&w->file);
		writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

/* Flushes and closes the stream; the failure, if any, is in w. */
static void close_stream(struct item_writer *w)
{
	if (w->gz && gzclose(w->gz) != Z_OK)
		w->failed = 1, w->err = w->err ? w->err : errno;
	if (w->f && w->f != stdout && fclose(w->f) != 0)
		w->failed = 1, w->err = errno;
	if (w->f == stdout && fflush(stdout) != 0)
		w->failed = 1, w->err = errno;
	w->gz = NULL;
	w->f = NULL;
}

int item_writer_close(struct item_writer *w, struct errbuf *eb)
{
	int r = 0;

	close_stream(w);
	if (w->failed) {
		r = errf(eb, EXIT_IO, "cannot write '%s': %s%s", w->path,
			 w->err ? strerror(w->err) : "write error",
			 w->to_stdout ? "" : " (the previous file, if any, is unchanged)");
		if (!w->to_stdout)
			safe_file_abort(&w->file);
	} else if (!w->to_stdout) {
		r = safe_file_commit(&w->file, "export", eb);
	}
	writer_free(w);
	return r;
}

void item_writer_abort(struct item_writer *w)
{
	if (!w)
		return;
	close_stream(w);
	if (!w->to_stdout)
		safe_file_abort(&w->file);
	writer_free(w);
}

static int write_all(struct item_writer *w, const char *p, size_t n)
{
	if (w->gz)
		return gzwrite(w->gz, p, (unsigned)n) == (int)n ? 0 : -1;
	if (fwrite(p, 1, n, w->f) != n) {
		w->err = errno;
		return -1;
	}
	return 0;
}

/* The export sink: each worker formats a page's lines, then appends them under the lock. */
struct export_state {
	struct buf lines;
	struct page *pg;
	size_t n;
};

static int export_init(struct worker *wk)
{
	struct export_state *s = xcalloc(1, sizeof(*s));

	buf_init(&s->lines, 0);
	wk->sink_state = s;
	return 0;
}

static void export_flush(struct worker *wk)
{
	struct export_state *s = wk->sink_state;
	struct item_writer *w = wk->job->out.ctx;
	int r;

	if (!s->n)
		return;
	pthread_mutex_lock(&w->lock);
	r = w->failed ? -1 : write_all(w, s->lines.data, s->lines.len);
	if (r < 0)
		w->failed = 1;
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		if (w->to_stdout && w->err == EPIPE)
			msg_output_closed();	/* export -o - | head: stop quietly */
		job_fail(wk->job, EXIT_IO, "cannot write '%s': %s", w->path,
			 w->err ? strerror(w->err) : "write error");
	} else {
		job_add(&wk->job->st.c.saved, s->n);
		page_done(s->pg, s->n);
	}
	buf_reset(&s->lines);
	s->n = 0;
	s->pg = NULL;
}

static int export_item(struct worker *wk, struct slice item, struct page *pg)
{
	struct export_state *s = wk->sink_state;

	if (s->pg && s->pg != pg)
		export_flush(wk);
	s->pg = pg;
	buf_puts(&s->lines, "{\"Item\":");
	buf_append(&s->lines, item.p, item.n);
	buf_puts(&s->lines, "}\n");
	s->n++;
	if (s->lines.len >= (1u << 20))
		export_flush(wk);
	return 0;
}

static size_t export_backlog(struct worker *wk)
{
	(void)wk;
	return 0;
}

static void export_release(struct worker *wk)
{
	struct export_state *s = wk->sink_state;

	if (!s)
		return;
	buf_release(&s->lines);
	free(s);
	wk->sink_state = NULL;
}

static void export_page_end(struct worker *wk, struct page *pg)
{
	(void)pg;
	export_flush(wk);
}

const struct sink_ops item_file_sink_ops = {
	export_item, export_flush, export_backlog, export_release, export_init,
	export_page_end, NULL, NULL
};
