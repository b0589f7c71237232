#include "dynamo/msg.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"
#include "dynamo/redact.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int msg_debug_on;
int msg_quiet;

static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*msg_hook)(void);	/* under msg_lock: clears a transient line, once */
static int output_closed;	/* under msg_lock */

void msg_output_closed(void)
{
	pthread_mutex_lock(&msg_lock);
	output_closed = 1;
	pthread_mutex_unlock(&msg_lock);
}

int msg_output_was_closed(void)
{
	int closed;

	pthread_mutex_lock(&msg_lock);
	closed = output_closed;
	pthread_mutex_unlock(&msg_lock);
	return closed;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* With msg_lock held: clears a transient line first. */
static void write_line(const char *s, size_t n)
{
	if (output_closed)
		return;
	if (msg_hook)
		msg_hook();
	msg_hook = NULL;
	write_all(2, s, n);
}

void msg_raw(const char *s, size_t n)
{
	pthread_mutex_lock(&msg_lock);
	write_line(s, n);
	pthread_mutex_unlock(&msg_lock);
}

void msg_raw_transient(const char *s, size_t n, void (*clear)(void))
{
	pthread_mutex_lock(&msg_lock);
	write_line(s, n);
	msg_hook = output_closed ? NULL : clear;
	pthread_mutex_unlock(&msg_lock);
}

/* fmt comes from the callers' checked format arguments (msg_error and co). */
static __attribute__((format(printf, 2, 0))) void emit(const char *prefix, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT, line = BUF_INIT;

	buf_vprintf(&text, fmt, ap);
	buf_puts(&line, "dynamo: ");
	buf_puts(&line, prefix);
	/* Whatever a message quotes (a server's words), secrets never reach stderr. */
	redact_into(text.data ? text.data : "", text.len, &line);
	buf_putc(&line, '\n');
	msg_raw(line.data, line.len);
	buf_release(&text);
	buf_release(&line);
}

void msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;

	if (!msg_debug_on)
		return;
	va_start(ap, fmt);
	emit("debug: ", fmt, ap);
	va_end(ap);
}

int errf(struct errbuf *eb, int exit_code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!eb || eb->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	/* Errors end up on stderr, in --json and in the step summary: no secret in them. */
	redact_str(eb->msg, sizeof(eb->msg));
	/* One line, whatever the values quoted hold (a flag's value may hold a newline). */
	for (p = eb->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	eb->exit = exit_code;
	eb->set = 1;
	return -1;
}

int whyf(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void errbuf_clear(struct errbuf *eb)
{
	eb->exit = 0;
	eb->set = 0;
	eb->msg[0] = '\0';
}

int errbuf_report(const struct errbuf *eb)
{
	if (!eb->set) {
		msg_error("internal error: failure without a message");
		return EXIT_FAILURE_RUNTIME;
	}
	msg_error("%s", eb->msg);
	return eb->exit ? eb->exit : EXIT_FAILURE_RUNTIME;
}
