/*
 * The shared config file parser (src/aws/ini.c) against what botocore's
 * configparser reads: comments, continuation lines, nested services blocks,
 * "key: value", indentation, CRLF and BOM, and one-line errors that name the
 * file and the line.
 */
#include "unit.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "dynamo/buf.h"
#include "dynamo/exitcode.h"
#include "dynamo/ini.h"

static void parse_ok(struct ini_file *f, const char *text)
{
	struct errbuf eb = ERRBUF_INIT;

	if (ini_parse(f, text, strlen(text), "~/.aws/config", &eb) < 0)
		fail_msg("ini_parse failed: %s\n--- text:\n%s", eb.msg, text);
	assert_false(eb.set);
}

static const char *get(const struct ini_file *f, const char *sec,
		       const char *key)
{
	return ini_get(ini_section(f, sec), key);
}

static void test_sections_keys_and_comments(void **state)
{
	struct ini_file f;

	(void)state;
	parse_ok(&f,
		 "# a comment\n"
		 "; another\n"
		 "[default]\n"
		 "region = us-east-1\n"
		 "   # an indented comment\n"
		 "Output=json\n"
		 "cli_pager:\n"
		 "endpoint_url : http://localhost:8000\n"
		 "note = keep # this is part of the value\n"
		 "\n"
		 "[profile prod]\n"
		 "region=eu-west-1\n");
	assert_int_equal(f.nsec, 2);
	assert_string_equal(get(&f, "default", "region"), "us-east-1");
	/* Keys are case-insensitive, like configparser's optionxform. */
	assert_string_equal(get(&f, "default", "OUTPUT"), "json");
	assert_string_equal(get(&f, "default", "output"), "json");
	assert_string_equal(get(&f, "default", "cli_pager"), "");
	/* "key: value" splits on the first ':' so URLs survive. */
	assert_string_equal(get(&f, "default", "endpoint_url"), "http://localhost:8000");
	/* No inline comments in botocore's parser. */
	assert_string_equal(get(&f, "default", "note"), "keep # this is part of the value");
	assert_string_equal(get(&f, "profile prod", "region"), "eu-west-1");
	assert_null(get(&f, "profile prod", "output"));
	assert_null(ini_section(&f, "prod"));
	assert_int_equal(ini_section(&f, "profile prod")->line, 11);
	ini_release(&f);
}

static void test_continuation_lines(void **state)
{
	struct ini_file f;

	(void)state;
	parse_ok(&f,
		 "[default]\n"
		 "description = first\n"
		 "  second\n"
		 "\tthird\n"
		 "  # a comment inside the value is skipped\n"
		 "region = us-west-2\n");
	assert_string_equal(get(&f, "default", "description"), "first\nsecond\nthird");
	assert_string_equal(get(&f, "default", "region"), "us-west-2");
	ini_release(&f);
}

static void test_nested_services_block(void **state)
{
	struct ini_file f;
	const struct ini_section *s;

	(void)state;
	parse_ok(&f,
		 "[profile local]\n"
		 "services = local-svc\n"
		 "\n"
		 "[services local-svc]\n"
		 "dynamodb =\n"
		 "  endpoint_url = http://localhost:8000\n"
		 "  Region = us-west-2\n"
		 "sts =\n"
		 "    endpoint_url=http://localhost:5000\n");
	s = ini_section(&f, "services local-svc");
	assert_non_null(s);
	assert_string_equal(ini_get_sub(s, "dynamodb", "endpoint_url"), "http://localhost:8000");
	assert_string_equal(ini_get_sub(s, "DynamoDB", "region"), "us-west-2");
	assert_string_equal(ini_get_sub(s, "sts", "endpoint_url"), "http://localhost:5000");
	assert_null(ini_get_sub(s, "sts", "region"));
	assert_null(ini_get_sub(s, "s3", "endpoint_url"));
	assert_null(ini_get_sub(NULL, "dynamodb", "endpoint_url"));
	ini_release(&f);
}

/*
 * configparser keeps a value going over blank lines (empty_lines_in_values):
 * the CLI reads this dynamodb endpoint, so dynamo must too, rather than
 * silently going to the real AWS endpoint.
 */
static void test_blank_line_inside_nested_block(void **state)
{
	struct ini_file f;
	const struct ini_section *s;

	(void)state;
	parse_ok(&f,
		 "[services local]\n"
		 "dynamodb =\n"
		 "\n"
		 "  endpoint_url = http://localhost:8000\n"
		 "\n"
		 "sts =\n"
		 "  endpoint_url = http://localhost:5000\n");
	s = ini_section(&f, "services local");
	assert_string_equal(ini_get_sub(s, "dynamodb", "endpoint_url"), "http://localhost:8000");
	assert_null(ini_get(s, "endpoint_url"));
	assert_string_equal(ini_get_sub(s, "sts", "endpoint_url"), "http://localhost:5000");
	ini_release(&f);
}

/*
 * A line continues a value only when it is indented more than the key's
 * line, as in configparser: a section written with every key indented is a
 * list of keys, not one long value.
 */
static void test_indented_keys_are_keys(void **state)
{
	struct ini_file f;

	(void)state;
	parse_ok(&f,
		 "[profile dev]\n"
		 "  region = eu-central-1\n"
		 "  output = json\n"
		 "  services = dev\n"
		 "[services dev]\n"
		 "  dynamodb =\n"
		 "    endpoint_url = http://localhost:8000\n");
	assert_string_equal(get(&f, "profile dev", "region"), "eu-central-1");
	assert_string_equal(get(&f, "profile dev", "output"), "json");
	assert_string_equal(get(&f, "profile dev", "services"), "dev");
	assert_string_equal(ini_get_sub(ini_section(&f, "services dev"), "dynamodb",
					"endpoint_url"),
			    "http://localhost:8000");
	ini_release(&f);
}

static void test_crlf_line_endings(void **state)
{
	struct ini_file f;
	const struct ini_section *s;

	(void)state;
	parse_ok(&f,
		 "# written on Windows\r\n"
		 "[default]\r\n"
		 "region = us-east-1\r\n"
		 "aws_secret_access_key = abc/def+ghi\r\n"
		 "description = one\r\n"
		 "  two\r\n"
		 "\r\n"
		 "[profile local]\r\n"
		 "services = local\r\n"
		 "key2: value2\r\n"
		 "\r\n"
		 "[services local]\r\n"
		 "dynamodb =\r\n"
		 "  endpoint_url = http://localhost:8000\r\n");
	assert_string_equal(get(&f, "default", "region"), "us-east-1");
	assert_string_equal(get(&f, "default", "aws_secret_access_key"), "abc/def+ghi");
	assert_string_equal(get(&f, "default", "description"), "one\ntwo");
	assert_string_equal(get(&f, "profile local", "services"), "local");
	assert_string_equal(get(&f, "profile local", "key2"), "value2");
	s = ini_section(&f, "services local");
	assert_non_null(s);
	assert_string_equal(ini_get_sub(s, "dynamodb", "endpoint_url"), "http://localhost:8000");
	ini_release(&f);
}

static void test_bom_and_no_final_newline(void **state)
{
	struct ini_file f;

	(void)state;
	parse_ok(&f, "\xef\xbb\xbf[default]\nregion = us-east-1");
	assert_string_equal(get(&f, "default", "region"), "us-east-1");
	ini_release(&f);
	parse_ok(&f, "");
	assert_int_equal(f.nsec, 0);
	ini_release(&f);
	parse_ok(&f, "\n\n# only comments\n");
	assert_int_equal(f.nsec, 0);
	ini_release(&f);
}

struct bad_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *want[3];	/* substrings of the message */
};

static const struct bad_case bad_cases[] = {
	{ "setting before any section", "# hi\nregion = us-east-1\n[default]\n", 0,
	  { "~/.aws/config line 2", "before any [section]" } },
	{ "indented setting before any section", "  region = us-east-1\n", 0,
	  { "~/.aws/config line 1", "before any [section]" } },
	{ "duplicate section", "[default]\na = 1\n\n[profile x]\n[default]\n", 0,
	  { "~/.aws/config line 5", "[default]", "line 1" } },
	{ "duplicate key", "[default]\nregion = a\nREGION = b\n", 0,
	  { "~/.aws/config line 3", "'region'", "first on line 2" } },
	{ "duplicate key in crlf file", "[default]\r\nregion = a\r\nregion = b\r\n", 0,
	  { "~/.aws/config line 3", "'region'", "first on line 2" } },
	{ "unclosed header", "[default]\nregion = a\n[profile x\n", 0,
	  { "~/.aws/config line 3", "section header" } },
	{ "text after header", "[default] x\n", 0,
	  { "~/.aws/config line 1", "section header" } },
	{ "line without delimiter", "[default]\nregion = a\njust some words\n", 0,
	  { "~/.aws/config line 3", "key = value" } },
	{ "empty key", "[default]\n= value\n", 0,
	  { "~/.aws/config line 2", "key = value" } },
	{ "nul byte", "[default]\nregion = us\0east-1\n", 24,
	  { "~/.aws/config line 2", "NUL" } },
};

static void test_malformed_files_name_file_and_line(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct errbuf eb = ERRBUF_INIT;
		struct ini_file f;
		size_t len = c->len ? c->len : strlen(c->text);
		int j;

		if (ini_parse(&f, c->text, len, "~/.aws/config", &eb) == 0)
			fail_msg("%s: parsed, wanted an error", c->name);
		assert_int_equal(eb.exit, EXIT_CONFIG);
		if (strchr(eb.msg, '\n'))
			fail_msg("%s: message is not one line: %s", c->name, eb.msg);
		for (j = 0; j < 3 && c->want[j]; j++)
			if (!strstr(eb.msg, c->want[j]))
				fail_msg("%s: '%s' not in '%s'", c->name, c->want[j], eb.msg);
		/* A failed parse leaves nothing to free. */
		assert_int_equal(f.nsec, 0);
		assert_null(f.path);
	}
}

/* Values that look secret must not end up in messages about the line. */
static void test_errors_do_not_quote_the_line(void **state)
{
	const char *text = "[default]\naws_secret_access_key wJalrXUtnFEMI/K7MDENG\n";
	struct errbuf eb = ERRBUF_INIT;
	struct ini_file f;

	(void)state;
	assert_int_equal(ini_parse(&f, text, strlen(text), "creds", &eb), -1);
	assert_null(strstr(eb.msg, "wJalrXUtnFEMI"));
}

/*
 * Many sections, and a section with many keys: every one found, case
 * insensitively for keys, and a name given twice still named with the line
 * it first appeared on. A file of 100,000 sections took 25 s to read when
 * each header was compared with every earlier one; the alarm ends a
 * quadratic reader long before that (a guard, not a measurement). It
 * counts the process's CPU time (SIGVTALRM ends it), not the wall clock: a
 * loaded machine running ThreadSanitizer took 21 s of wall time for 4 s of
 * CPU.
 */
static void cpu_alarm(int seconds)
{
	struct itimerval t = { { 0, 0 }, { seconds, 0 } };

	setitimer(ITIMER_VIRTUAL, &t, NULL);
}

static void test_many_sections_and_keys(void **state)
{
	enum { N = 100000 };
	struct errbuf eb = ERRBUF_INIT;
	struct buf text = BUF_INIT;
	struct ini_file f;
	char name[32], key[32];
	int i;

	(void)state;
	for (i = 0; i < N; i++)
		buf_printf(&text, "[profile p%d]\nregion = r%d\n", i, i);
	buf_puts(&text, "[many]\n");
	for (i = 0; i < N; i++)
		buf_printf(&text, "Key%d = v%d\n", i, i);
	cpu_alarm(20);
	assert_int_equal(ini_parse(&f, text.data, text.len, "cfg", &eb), 0);
	for (i = 0; i < N; i += 997) {
		snprintf(name, sizeof(name), "profile p%d", i);
		snprintf(key, sizeof(key), "r%d", i);
		assert_string_equal(get(&f, name, "REGION"), key);
		snprintf(name, sizeof(name), "KEY%d", i);
		snprintf(key, sizeof(key), "v%d", i);
		assert_string_equal(get(&f, "many", name), key);
	}
	assert_null(get(&f, "many", "key100000"));
	assert_null(ini_section(&f, "profile p100000"));
	ini_release(&f);

	buf_puts(&text, "KEY77 = again\n");
	assert_int_equal(ini_parse(&f, text.data, text.len, "cfg", &eb), -1);
	assert_non_null(strstr(eb.msg, "'key77' is set twice in [many] (first on line"));
	errbuf_clear(&eb);
	buf_puts(&text, "[profile p4242]\n");
	text.len -= strlen("KEY77 = again\n[profile p4242]\n");
	buf_puts(&text, "[profile p4242]\n");
	assert_int_equal(ini_parse(&f, text.data, text.len, "cfg", &eb), -1);
	assert_non_null(strstr(eb.msg, "section [profile p4242] appears twice (first on line 8485)"));
	cpu_alarm(0);
	buf_release(&text);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dynamo-test-ini-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void test_load_from_disk(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct ini_file f;
	char path[256];
	FILE *fp;

	(void)state;
	/* A missing file is an empty one, not an error. */
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(ini_load(&f, path, "~/.aws/missing", &eb), 0);
	assert_true(f.missing);
	assert_int_equal(f.nsec, 0);
	assert_string_equal(f.path, "~/.aws/missing");
	ini_release(&f);

	snprintf(path, sizeof(path), "%s/config", tmpdir);
	fp = fopen(path, "wb");
	fputs("[default]\r\nregion = ap-south-1\r\n", fp);
	fclose(fp);
	assert_int_equal(ini_load(&f, path, "~/.aws/config", &eb), 0);
	assert_false(f.missing);
	assert_string_equal(get(&f, "default", "region"), "ap-south-1");
	ini_release(&f);

	/* A directory cannot be read: one line naming it. */
	assert_int_equal(ini_load(&f, tmpdir, "$AWS_CONFIG_FILE", &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "cannot read $AWS_CONFIG_FILE"));

	errbuf_clear(&eb);
	fp = fopen(path, "wb");
	fputs("[default]\nregion = ap-south-1\n[default]\n", fp);
	fclose(fp);
	assert_int_equal(ini_load(&f, path, "~/.aws/config", &eb), -1);
	assert_non_null(strstr(eb.msg, "~/.aws/config line 3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_keys_and_comments),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_nested_services_block),
		cmocka_unit_test(test_blank_line_inside_nested_block),
		cmocka_unit_test(test_indented_keys_are_keys),
		cmocka_unit_test(test_crlf_line_endings),
		cmocka_unit_test(test_bom_and_no_final_newline),
		cmocka_unit_test(test_malformed_files_name_file_and_line),
		cmocka_unit_test(test_errors_do_not_quote_the_line),
		cmocka_unit_test(test_many_sections_and_keys),
		cmocka_unit_test_setup_teardown(test_load_from_disk, make_tmpdir,
						remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
