#ifndef DYNAMO_BUF_H
#define DYNAMO_BUF_H

#include <stddef.h>
#include <stdarg.h>

/*
 * A growable byte buffer with an optional hard cap.
 *
 * Invariants: data is NULL when cap is 0; otherwise data[len] == '\0', so
 * the contents can always be used as a C string. Appends that would take the
 * buffer past max fail with -1 and leave it unchanged, so a hostile or huge
 * response is refused instead of exhausting memory. Running out of memory
 * aborts (there is nothing sensible to do).
 */
struct buf {
	char *data;		/* owned */
	size_t len;
	size_t cap;
	size_t max;		/* hard cap on len; 0 = unlimited */
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* A borrowed view into someone else's bytes; never freed. */
struct slice {
	const char *p;
	size_t n;
};

void buf_init(struct buf *b, size_t max);
/* Frees the data; the buffer can be reused after buf_init. */
void buf_release(struct buf *b);
/* Zeroes the bytes before freeing them: for secrets. */
void buf_wipe_release(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for extra more bytes; -1 if that would exceed max. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the data over to the caller (to free) and resets the buffer. */
char *buf_detach(struct buf *b);
/* Appends s as a JSON string literal, quotes included. */
int buf_json_str(struct buf *b, const char *s, size_t n);
/*
 * Reads a whole file into b (initialised here with cap max). On failure
 * returns -1 with errno set (EFBIG when the file is larger than max) and
 * b wiped and released, since callers use it for secrets.
 */
int buf_read_file(struct buf *b, const char *path, size_t max);
/* Drops trailing spaces, tabs and line ends. */
void buf_rstrip(struct buf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Frees a secret string after zeroing it; NULL is fine. */
void free_secret(char *s);
/* Zeroes memory in a way the compiler may not elide. */
void wipe(void *p, size_t n);

#endif
