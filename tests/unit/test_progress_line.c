/*
 * The progress line and the messages printed over it (util/msg.c,
 * engine/progress.c): a message clears a line redrawn in place first, once;
 * and the thread that draws the line and the threads that print (workers,
 * the credential refresher) share no unsynchronised state, which make tsan
 * checks (the line's "drawn" flag used to be written outside the lock).
 */
#include "unit.h"
#include "dynamo/msg.h"
#include "dynamo/progress.h"

#include <pthread.h>

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void mark_clear(void)
{
	assert_true(write(2, "[clear]", 7) == 7);
}

static void a_message_clears_the_line_once(void **state)
{
	const char *out;

	(void)state;
	unit_capture_stderr();
	msg_raw_transient("p1", 2, mark_clear);
	msg_warn("w1");
	msg_warn("w2");
	msg_raw_transient("p2", 2, mark_clear);
	msg_raw_transient("p3\n", 3, NULL);
	msg_warn("w3");
	out = unit_captured_text();
	assert_string_equal(out,
			    "p1[clear]dynamo: warning: w1\ndynamo: warning: w2\n"
			    "p2[clear]p3\ndynamo: warning: w3\n");
}

#define ROUNDS 2000

static void *draw_lines(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++)
		progress_text("copy 12 items", 0);
	progress_text("copy done", 1);
	return NULL;
}

static void *print_messages(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++)
		msg_warn("a worker's warning %d", i);
	return NULL;
}

/* Under ThreadSanitizer, any unsynchronised access between the two fails the run. */
static void drawing_and_printing_threads_do_not_race(void **state)
{
	pthread_t a, b;
	const char *out;

	(void)state;
	progress_enabled = 1;
	progress_plain = 0;
	unit_capture_stderr();
	assert_int_equal(pthread_create(&a, NULL, draw_lines, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, print_messages, NULL), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	out = unit_captured_text();
	progress_enabled = 0;
	/* Every warning whole, none written onto a progress line left uncleared. */
	assert_int_equal(count(out, "dynamo: warning: a worker's warning "), ROUNDS);
	assert_int_equal(count(out, "itemsdynamo"), 0);
	assert_int_equal(count(out, "copy done\n"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_message_clears_the_line_once),
		cmocka_unit_test(drawing_and_printing_threads_do_not_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
