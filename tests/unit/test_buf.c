/* buf: the capped growable buffer and the whole-file reader built on it. */
#include "unit.h"
#include "dynamo/buf.h"

#include <errno.h>
#include <unistd.h>

static char *temp_file(const char *content, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/dynamo-test-buf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
	return path;
}

static void cap_refuses_and_keeps_contents(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345"), 0);
	assert_int_equal(buf_puts(&b, "6789"), -1);
	assert_string_equal(b.data, "12345");
	assert_int_equal(buf_puts(&b, "678"), 0);
	assert_int_equal(b.len, 8);
	buf_release(&b);
}

static void reads_a_whole_file(void **state)
{
	const char text[] = "line one\nline two\0with a NUL\n";
	char *path = temp_file(text, sizeof(text) - 1);
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_read_file(&b, path, 1024), 0);
	assert_int_equal(b.len, sizeof(text) - 1);
	assert_memory_equal(b.data, text, b.len);
	assert_int_equal(b.data[b.len], '\0');
	buf_release(&b);
	unlink(path);
}

static void file_over_cap_is_efbig(void **state)
{
	char big[20000];
	char *path;
	struct buf b = BUF_INIT;

	(void)state;
	memset(big, 'x', sizeof(big));
	path = temp_file(big, sizeof(big));
	assert_int_equal(buf_read_file(&b, path, sizeof(big) - 1), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(b.data);
	assert_int_equal(buf_read_file(&b, path, sizeof(big)), 0);
	assert_int_equal(b.len, sizeof(big));
	buf_release(&b);
	unlink(path);
}

static void missing_file_is_enoent(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_read_file(&b, "/nonexistent/dynamo/file", 100), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(b.data);
}

static void rstrip_stops_at_content(void **state)
{
	struct buf b = BUF_INIT;
	const char with_nul[] = "a\0";

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "token \t\r\n\n");
	buf_rstrip(&b);
	assert_string_equal(b.data, "token");
	buf_reset(&b);
	buf_puts(&b, " \n");
	buf_rstrip(&b);
	assert_int_equal(b.len, 0);
	/* A NUL is content, not space. */
	buf_reset(&b);
	buf_append(&b, with_nul, 2);
	buf_rstrip(&b);
	assert_int_equal(b.len, 2);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cap_refuses_and_keeps_contents),
		cmocka_unit_test(reads_a_whole_file),
		cmocka_unit_test(file_over_cap_is_efbig),
		cmocka_unit_test(missing_file_is_enoent),
		cmocka_unit_test(rstrip_stops_at_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
