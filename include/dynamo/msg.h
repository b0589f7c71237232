#ifndef DYNAMO_MSG_H
#define DYNAMO_MSG_H

#include <stddef.h>

/*
 * Messages on stderr. Every line starts with "dynamo: " and is written with
 * one write(2) under a lock, so lines from worker threads never interleave
 * and never tear a progress line (the progress hook clears it first).
 */

extern int msg_debug_on;	/* --debug */
extern int msg_quiet;		/* --quiet: no info lines, no progress */

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a raw line (no prefix) to stderr under the message lock. */
void msg_raw(const char *s, size_t n);
/*
 * The reader of standard output went away (dynamo query | head): from now
 * on nothing more is said, and main ends the process as coreutils and git
 * do, by SIGPIPE, once the run has stopped and saved its checkpoint.
 */
void msg_output_closed(void);
int msg_output_was_closed(void);

/*
 * A line redrawn in place (progress): writes s like msg_raw and, under the
 * same lock, arms clear (NULL: nothing) to run once, with the lock held,
 * before the next line anyone writes. Whether such a line is on screen is
 * the message lock's alone: the thread that draws it and the threads that
 * print over it never race.
 */
void msg_raw_transient(const char *s, size_t n, void (*clear)(void));

/*
 * An error buffer, filled by library functions that fail. The first failure
 * wins: later errf calls on a filled buffer are ignored, so the root cause
 * is what the user reads. exit says which documented exit code it maps to.
 */
struct errbuf {
	int exit;
	int set;
	char msg[1024];
};

#define ERRBUF_INIT { 0, 0, "" }

/*
 * Records a message and exit code; always returns -1 for `return errf(...)`.
 * The message is one line: control characters in it become '?'.
 */
int errf(struct errbuf *eb, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void errbuf_clear(struct errbuf *eb);
/*
 * Why an answer or a file is refused, for the walkers' one-line reasons:
 * like snprintf into why (n bytes; why may be NULL), and always -1.
 */
int whyf(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints eb as an error line and returns its exit code. */
int errbuf_report(const struct errbuf *eb);

#endif
