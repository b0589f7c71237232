#ifndef DYNAMO_LINES_H
#define DYNAMO_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * Lines out of a byte stream that may be gzip-compressed, in bounded
 * memory, whatever the stream's size: the core of reading item files from
 * disk and DynamoDB export data files from S3. The bytes are fed in as they
 * come (a read(2), an S3 response's chunks) and lines are pulled out, like
 * zlib's own interface, so the same decoder serves a file descriptor, an
 * S3 object read window by window, and a test's buffer.
 *
 * A stream whose first byte is gzip's (0x1f) is gzip: one member or
 * several one after another (as gzip and pigz write them); anything else is
 * read as it is. A gzip stream must end with its trailer (CRC and length):
 * one cut short (a half-written file, a sync-flushed stream, a broken
 * copy) is an error, never a complete file, and so are bytes after the
 * last member that are not gzip. Lines are split on '\n' only (a NUL byte
 * is an error naming its line: it would hide the rest of the line from
 * code that stops at it); a line longer than the cap is an error; the last
 * line may lack its '\n'.
 *
 * Errors name the stream (name, given at init: a path, "stdin",
 * "s3://bucket/key") and the line, with EXIT_IO.
 */

enum line_status {
	LINE_ERROR = -1,	/* eb set; every later call fails too */
	LINE_MORE = 0,		/* feed more bytes (line_decoder_feed) or say there are none (line_decoder_end) */
	LINE_OK = 1,		/* a line */
	LINE_END = 2,		/* every line was returned */
};

struct line_decoder {
	char *name;		/* owned: for messages */
	struct buf line;	/* capped at the line limit */
	uint64_t lineno;	/* lines returned so far */
	const unsigned char *in;	/* borrowed: fed bytes not yet used */
	size_t in_len;
	const char *out;	/* decoded bytes not yet split into lines */
	size_t out_len;
	char *chunk;		/* owned: inflate's output */
	z_stream zs;
	int kind;		/* 0 not known yet, 1 plain, 2 gzip */
	int in_member;		/* gzip: a member has started and not ended */
	int inflate_ready;	/* zs is initialised */
	int ended;		/* line_decoder_end was called */
	int line_given;		/* line holds the line returned last */
	int failed;		/* LINE_ERROR was returned: so it stays */
};

/* max_line: the longest line taken (bytes, without its '\n'). */
void line_decoder_init(struct line_decoder *d, const char *name, size_t max_line);
void line_decoder_release(struct line_decoder *d);
/*
 * Hands the decoder the next n bytes of the stream. They are borrowed:
 * keep them unchanged until line_decoder_next asks for more (LINE_MORE).
 * Only call it then (or before the first line_decoder_next).
 */
void line_decoder_feed(struct line_decoder *d, const void *p, size_t n);
/* The stream has no more bytes (after the last feed). */
void line_decoder_end(struct line_decoder *d);
/*
 * The next line, without its '\n' (a '\r' before it is kept), in *line
 * until the next call. LINE_OK, LINE_MORE, LINE_END or LINE_ERROR.
 */
enum line_status line_decoder_next(struct line_decoder *d, struct slice *line,
				   struct errbuf *eb);

/*
 * Where the bytes come from, for the pulling helper below: read sets *p and
 * *n to the next bytes (valid until the next call) and returns 1, 0 at the
 * end, -1 on error with eb set.
 */
struct byte_source {
	int (*read)(void *ctx, const char **p, size_t *n, struct errbuf *eb);
	void *ctx;
};

/*
 * line_decoder_next, feeding the decoder from src whenever it wants more:
 * LINE_OK, LINE_END or LINE_ERROR.
 */
enum line_status line_decoder_pull(struct line_decoder *d,
				   const struct byte_source *src,
				   struct slice *line, struct errbuf *eb);

#endif
