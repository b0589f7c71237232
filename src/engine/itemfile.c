#include "dynamo/itemfile.h"
#include "dynamo/exitcode.h"
#include "dynamo/json_scan.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

int item_reader_open(struct item_reader **out, const char *path,
		     struct errbuf *eb)
{
	struct item_reader *r;
	gzFile gz = !strcmp(path, "-") ? gzdopen(dup(0), "rb") : gzopen(path, "rb");

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
	free(r->path);
	free(r);
}

static int refill(struct item_reader *r, struct errbuf *eb)
{
	int n = gzread(r->gz, r->chunk, sizeof(r->chunk));

	if (n < 0) {
		int err;
		const char *msg = gzerror(r->gz, &err);

		return errf(eb, EXIT_IO, "cannot read '%s' after line %llu: %s",
			    r->path, (unsigned long long)r->lineno, msg);
	}
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

const char *item_reader_next(void *reader, struct slice *item,
			     struct errbuf *eb)
{
	struct item_reader *r = reader;

	for (;;) {
		struct slice line, inner;
		const char *p, *end;
		int rc = read_line(r, eb);

		if (rc <= 0)
			return NULL;
		r->lineno++;
		end = r->line.data + r->line.len;
		if (r->line.len && end[-1] == '\r')
			end--;
		p = js_ws(r->line.data, end);
		if (p == end)
			continue;	/* blank line */
		line.p = p;
		line.n = (size_t)(end - p);
		if (*p != '{' || !js_valid(line)) {
			errf(eb, EXIT_IO,
			     "line %llu of '%s' is not a JSON object (expected {\"Item\":{...}} per line)",
			     (unsigned long long)r->lineno, r->path);
			return NULL;
		}
		/* {"Item":{...}} as DynamoDB exports write it, or a bare item. */
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
}

/* ---- writing ---- */

struct item_writer {
	pthread_mutex_t lock;
	gzFile gz;		/* when compressing */
	FILE *f;		/* otherwise */
	char *path;
	int failed;
	int err;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int item_writer_open(struct item_writer **out, const char *path,
		     struct errbuf *eb)
{
	struct item_writer *w = xcalloc(1, sizeof(*w));
	int stdout_ = !strcmp(path, "-");

	pthread_mutex_init(&w->lock, NULL);
	w->path = xstrdup(stdout_ ? "stdout" : path);
	if (!stdout_ && ends_with(path, ".gz")) {
		w->gz = gzopen(path, "wb6");
		if (w->gz)
			gzbuffer(w->gz, 1u << 18);
	} else {
		w->f = stdout_ ? stdout : fopen(path, "wb");
	}
	if (!w->gz && !w->f) {
		errf(eb, EXIT_IO, "cannot create '%s': %s", path, strerror(errno));
		pthread_mutex_destroy(&w->lock);
		free(w->path);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int item_writer_close(struct item_writer *w, struct errbuf *eb)
{
	int failed = w->failed, err = w->err;

	if (w->gz && gzclose(w->gz) != Z_OK)
		failed = 1;
	if (w->f && w->f != stdout && fclose(w->f) != 0)
		failed = 1, err = errno;
	if (w->f == stdout && fflush(stdout) != 0)
		failed = 1, err = errno;
	if (failed)
		errf(eb, EXIT_IO, "cannot write '%s': %s", w->path,
		     err ? strerror(err) : "write error");
	pthread_mutex_destroy(&w->lock);
	free(w->path);
	free(w);
	return failed ? -1 : 0;
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
	struct item_writer *w = wk->job->sink_ctx;
	int r;

	if (!s->n)
		return;
	pthread_mutex_lock(&w->lock);
	r = w->failed ? -1 : write_all(w, s->lines.data, s->lines.len);
	if (r < 0)
		w->failed = 1;
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		job_fail(wk->job, EXIT_IO, "cannot write '%s': %s", w->path,
			 w->err ? strerror(w->err) : "write error");
	} else {
		job_add(&wk->job->c.saved, s->n);
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
