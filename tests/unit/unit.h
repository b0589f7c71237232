#ifndef DYNAMO_TEST_UNIT_H
#define DYNAMO_TEST_UNIT_H

/* Common includes for the cmocka unit tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynamo/profile.h"

/*
 * Reads a whole file under $DYNAMO_TEST_VECTORS (default tests/vectors) into
 * a NUL-terminated malloc'd string; fails the test when it is missing.
 */
static inline char *unit_read_vector(const char *rel, size_t *len)
{
	const char *dir = getenv("DYNAMO_TEST_VECTORS");
	char path[4096];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open test vector %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	if (!data || fread(data, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read test vector %s", path);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

/*
 * For tests of settings: clears the environment variables named in env
 * (NULL-terminated) and loads cfg from an ~/.aws/config text, with an empty
 * ~/.aws/credentials. unit_aws_config_release undoes both.
 */
static inline void unit_aws_config(struct aws_config *cfg, const char *text,
				   const char *const *env)
{
	struct errbuf eb = ERRBUF_INIT;

	for (; *env; env++)
		unsetenv(*env);
	memset(cfg, 0, sizeof(*cfg));
	if (ini_parse(&cfg->config, text, strlen(text), "~/.aws/config", &eb) < 0 ||
	    ini_parse(&cfg->credentials, "", 0, "~/.aws/credentials", &eb) < 0)
		fail_msg("parse: %s", eb.msg);
}

static inline void unit_aws_config_release(struct aws_config *cfg, const char *const *env)
{
	aws_config_release(cfg);
	for (; *env; env++)
		unsetenv(*env);
}

/* Writes n bytes to a new file under /tmp; the caller unlinks and frees the path. */
static inline char *unit_write_temp(const void *text, size_t n)
{
	char *path = strdup("/tmp/dynamo-unit-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		fail_msg("cannot write a temporary file");
	close(fd);
	return path;
}

/*
 * stderr goes to a temporary file between unit_capture_stderr and
 * unit_captured_text, which returns what was written (a static buffer,
 * up to 256 KB, valid until the next capture).
 */
struct unit_capture {
	int saved;		/* the real stderr */
	FILE *file;
};

static inline struct unit_capture *unit_capture_state(void)
{
	static struct unit_capture c = { -1, NULL };

	return &c;
}

static inline void unit_capture_stderr(void)
{
	struct unit_capture *c = unit_capture_state();

	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved = dup(2);
	dup2(fileno(c->file), 2);
}

static inline const char *unit_captured_text(void)
{
	static char text[256 * 1024];
	struct unit_capture *c = unit_capture_state();
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->file);
	n = fread(text, 1, sizeof(text) - 1, c->file);
	text[n] = '\0';
	fclose(c->file);
	return text;
}

#endif
