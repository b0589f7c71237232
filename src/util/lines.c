#include "dynamo/lines.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u << 10)	/* inflate's output per turn */

enum { KIND_UNKNOWN, KIND_PLAIN, KIND_GZIP };

enum produced {
	PRODUCED_ERROR = -1,
	PRODUCED_NEED_INPUT = 0,
	PRODUCED_BYTES = 1,
	PRODUCED_ALL = 2,	/* the stream ended and every byte was decoded */
};

void line_decoder_init(struct line_decoder *d, const char *name, size_t max_line)
{
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	buf_init(&d->line, max_line);
}

void line_decoder_release(struct line_decoder *d)
{
	if (d->inflate_ready)
		inflateEnd(&d->zs);
	buf_release(&d->line);
	free(d->chunk);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

void line_decoder_feed(struct line_decoder *d, const void *p, size_t n)
{
	d->in = p;
	d->in_len = n;
}

void line_decoder_end(struct line_decoder *d)
{
	d->ended = 1;
}

static enum produced fail(struct line_decoder *d, enum produced r)
{
	d->failed = 1;
	return r;
}

static enum produced cut_short(struct line_decoder *d, struct errbuf *eb)
{
	/*
	 * A stream cut before its trailer (no CRC, no length) decodes as far
	 * as it goes: a half-written or sync-flushed export must not pass for
	 * a whole one.
	 */
	errf(eb, EXIT_IO,
	     "'%s' is cut short: its gzip data ends without the gzip trailer (after line %llu), so it is not a complete file (was it still being written, or cut in a copy?)",
	     d->name, (unsigned long long)d->lineno);
	return fail(d, PRODUCED_ERROR);
}

static enum produced start_member(struct line_decoder *d, struct errbuf *eb)
{
	int rc;

	if (d->in[0] != 0x1f) {
		errf(eb, EXIT_IO,
		     "'%s' has bytes after the end of its gzip data that are not gzip (after line %llu): is it damaged?",
		     d->name, (unsigned long long)d->lineno);
		return fail(d, PRODUCED_ERROR);
	}
	if (!d->inflate_ready) {
		d->chunk = xmalloc(CHUNK);
		/* 16 + MAX_WBITS: a gzip header and trailer, checked. */
		rc = inflateInit2(&d->zs, 16 + MAX_WBITS);
		d->inflate_ready = rc == Z_OK;
	} else {
		rc = inflateReset(&d->zs);
	}
	if (rc != Z_OK) {
		errf(eb, EXIT_IO, "cannot decompress '%s': %s", d->name,
		     rc == Z_MEM_ERROR ? "out of memory" : "zlib failed");
		return fail(d, PRODUCED_ERROR);
	}
	d->in_member = 1;
	return PRODUCED_BYTES;
}

/* Runs inflate over the fed bytes until it gives some out, or wants more. */
static enum produced inflate_some(struct line_decoder *d, struct errbuf *eb)
{
	for (;;) {
		size_t produced;
		int rc;

		if (!d->in_member) {
			if (!d->in_len)
				return d->ended ? PRODUCED_ALL : PRODUCED_NEED_INPUT;
			if (start_member(d, eb) < 0)
				return PRODUCED_ERROR;
		}
		/* zlib counts in uInt: feed it at most 1 GB a turn. */
		d->zs.next_in = (Bytef *)(uintptr_t)d->in;
		d->zs.avail_in = (uInt)(d->in_len < (1u << 30) ? d->in_len : (1u << 30));
		d->zs.next_out = (Bytef *)d->chunk;
		d->zs.avail_out = CHUNK;
		rc = inflate(&d->zs, Z_NO_FLUSH);
		d->in_len -= (size_t)((const unsigned char *)d->zs.next_in - d->in);
		d->in = d->zs.next_in;
		produced = CHUNK - d->zs.avail_out;
		if (rc == Z_STREAM_END) {
			d->in_member = 0;
		} else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR) {
			errf(eb, EXIT_IO, "'%s' is damaged after line %llu: its gzip data is not valid (%s)",
			     d->name, (unsigned long long)d->lineno,
			     d->zs.msg ? d->zs.msg : rc == Z_MEM_ERROR ? "out of memory" : "bad data");
			return fail(d, PRODUCED_ERROR);
		}
		if (produced) {
			d->out = d->chunk;
			d->out_len = produced;
			return PRODUCED_BYTES;
		}
		/* Nothing came out: inflate has used every byte it was given. */
		if (d->in_member && !d->in_len)
			return d->ended ? cut_short(d, eb) : PRODUCED_NEED_INPUT;
	}
}

static enum produced produce(struct line_decoder *d, struct errbuf *eb)
{
	if (d->kind == KIND_UNKNOWN) {
		if (!d->in_len)
			return d->ended ? PRODUCED_ALL : PRODUCED_NEED_INPUT;
		d->kind = d->in[0] == 0x1f ? KIND_GZIP : KIND_PLAIN;
	}
	if (d->kind == KIND_GZIP)
		return inflate_some(d, eb);
	if (!d->in_len)
		return d->ended ? PRODUCED_ALL : PRODUCED_NEED_INPUT;
	d->out = (const char *)d->in;
	d->out_len = d->in_len;
	d->in_len = 0;
	return PRODUCED_BYTES;
}

static enum line_status give_line(struct line_decoder *d, struct slice *line)
{
	d->lineno++;
	d->line_given = 1;
	line->p = d->line.data ? d->line.data : "";
	line->n = d->line.len;
	return LINE_OK;
}

/* Moves decoded bytes into the line: 1 when it is whole, 0 when more are needed, -1 on error. */
static int split(struct line_decoder *d, struct errbuf *eb)
{
	const char *nl = memchr(d->out, '\n', d->out_len);
	size_t n = nl ? (size_t)(nl - d->out) : d->out_len;

	if (memchr(d->out, '\0', n))
		return errf(eb, EXIT_IO, "line %llu of '%s' contains a NUL byte (is it a text file?)",
			    (unsigned long long)d->lineno + 1, d->name);
	if (buf_append(&d->line, d->out, n) < 0)
		return errf(eb, EXIT_IO, "line %llu of '%s' is longer than %zu MB",
			    (unsigned long long)d->lineno + 1, d->name, d->line.max >> 20);
	n += nl ? 1 : 0;
	d->out += n;
	d->out_len -= n;
	return nl ? 1 : 0;
}

enum line_status line_decoder_next(struct line_decoder *d, struct slice *line,
				   struct errbuf *eb)
{
	if (d->failed) {
		if (!eb->set)
			errf(eb, EXIT_IO, "'%s' could not be read (see the error before)", d->name);
		return LINE_ERROR;
	}
	if (d->line_given) {
		buf_reset(&d->line);
		d->line_given = 0;
	}
	for (;;) {
		if (d->out_len) {
			int r = split(d, eb);

			if (r < 0) {
				d->failed = 1;
				return LINE_ERROR;
			}
			if (r)
				return give_line(d, line);
			continue;
		}
		switch (produce(d, eb)) {
		case PRODUCED_ERROR:
			return LINE_ERROR;
		case PRODUCED_NEED_INPUT:
			return LINE_MORE;
		case PRODUCED_ALL:
			if (d->line.len)	/* the last line, without its '\n' */
				return give_line(d, line);
			return LINE_END;
		case PRODUCED_BYTES:
			break;
		}
	}
}

enum line_status line_decoder_pull(struct line_decoder *d,
				   const struct byte_source *src,
				   struct slice *line, struct errbuf *eb)
{
	for (;;) {
		enum line_status st = line_decoder_next(d, line, eb);
		const char *p;
		size_t n;
		int r;

		if (st != LINE_MORE)
			return st;
		r = src->read(src->ctx, &p, &n, eb);
		if (r < 0) {
			d->failed = 1;
			return LINE_ERROR;
		}
		if (r == 0)
			line_decoder_end(d);
		else
			line_decoder_feed(d, p, n);
	}
}
