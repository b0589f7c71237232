/*
 * The command line (src/util/opt.c and src/cmd/options.c), without a server: GNU
 * and dynamo-cmdline forms, "-t=app", a flag given as another flag's value,
 * strict values, --pk brace ranges written or expanded by the shell.
 */
#include "unit.h"

#include "dynamo/exitcode.h"
#include "dynamo/ddb.h"
#include "dynamo/options.h"

/* The flags of a copy-like command, enough for every form below. */
static const int ids[] = {
	OPT_TABLE, OPT_PROFILE, OPT_SOURCE, OPT_TARGET, OPT_PK, OPT_SK, OPT_INDEX,
	OPT_DRY_RUN, OPT_YES, OPT_SEGMENTS, OPT_CONCURRENCY, OPT_MAX_WCU, OPT_OUTPUT,
	OPT_NUMBERS, OPT_BILLING, OPT_CREATE_TARGET, OPT_HEAD, OPT_HELP, 0
};

struct parsed {
	struct options o;
	struct errbuf eb;
	char **rest;
	int nrest, r;
	char *argv[32];
	char store[32][64];	/* argv strings, writable as a real argv is */
};

static struct parsed *parse(const char *first, ...)
{
	static struct parsed p;
	const char *a;
	va_list ap;
	int argc = 0;

	memset(&p, 0, sizeof(p));
	options_init(&p.o);
	snprintf(p.store[argc], sizeof(p.store[0]), "copy");
	p.argv[argc] = p.store[argc];
	argc++;
	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *)) {
		snprintf(p.store[argc], sizeof(p.store[0]), "%s", a);
		p.argv[argc] = p.store[argc];
		argc++;
	}
	va_end(ap);
	p.r = opt_parse("copy", dynamo_opts, ids, argc, p.argv, options_set, &p.o,
			&p.rest, &p.nrest, &p.eb);
	return &p;
}

static void release(struct parsed *p)
{
	options_release(&p->o);
}

static void test_gnu_and_dynamo_cmdline_forms(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse("-t", "orders", "-src", "prod", "--target=staging", "-pk", "A", "--sk", "B", "-n", NULL);
	assert_int_equal(p->r, 0);
	assert_string_equal(p->o.table, "orders");
	assert_string_equal(p->o.source, "prod");
	assert_string_equal(p->o.target, "staging");
	assert_int_equal(p->o.npk, 1);
	assert_string_equal(p->o.pk[0], "A");
	assert_string_equal(p->o.sk, "B");
	assert_true(p->o.dry_run);
	release(p);
}

static void test_short_flag_with_equals(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse("-t=orders", "-e=prod", "-c=8", NULL);
	assert_int_equal(p->r, 0);
	assert_string_equal(p->o.table, "orders");
	assert_string_equal(p->o.profile, "prod");
	assert_int_equal(p->o.concurrency, 8);
	release(p);
	/* As the value of the flag before it, it is that value. */
	p = parse("--pk", "-t=x", "-t", "orders", NULL);
	assert_int_equal(p->r, 0);
	assert_string_equal(p->o.pk[0], "-t=x");
	assert_string_equal(p->o.table, "orders");
	release(p);
}

static void test_a_flag_as_a_value_is_refused(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse("--pk", "--dry-run", "--yes", NULL);
	assert_int_equal(p->r, -1);
	assert_int_equal(p->eb.exit, EXIT_USAGE);
	assert_non_null(strstr(p->eb.msg, "--pk needs a value; got the flag --dry-run"));
	release(p);
	p = parse("--pk=--dry-run", NULL);
	assert_int_equal(p->r, 0);
	assert_string_equal(p->o.pk[0], "--dry-run");
	release(p);
}

static void test_values_are_checked(void **state)
{
	static const char *const bad[][2] = {
		{ "--segments", "0" }, { "--segments", "12x" }, { "--concurrency", "-1" },
		{ "--max-wcu", "fast" }, { "--output", "xml" }, { "--numbers", "text" },
		{ "--billing", "free" },
	};
	struct parsed *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = parse(bad[i][0], bad[i][1], NULL);
		if (p->r == 0)
			fail_msg("%s %s was taken", bad[i][0], bad[i][1]);
		assert_int_equal(p->eb.exit, EXIT_USAGE);
		assert_non_null(strstr(p->eb.msg, bad[i][0]));
		release(p);
	}
	p = parse("--numbers", "string", "--billing", "on-demand", "--output", "jsonl", NULL);
	assert_int_equal(p->r, 0);
	assert_true(p->o.numbers_as_strings);
	assert_int_equal(p->o.billing, BILLING_ON_DEMAND);
	assert_int_equal(p->o.output, OUTPUT_JSONL);
	release(p);
}

static void test_pk_brace_ranges(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse("--pk", "USER#S{08..11}", NULL);
	assert_int_equal(p->r, 0);
	assert_int_equal(p->o.npk, 4);
	assert_string_equal(p->o.pk[0], "USER#S08");
	assert_string_equal(p->o.pk[3], "USER#S11");
	release(p);
	/* Expanded by the shell: the rest of the range arrives as arguments. */
	p = parse("--pk", "S9", "S10", "S11", "-t", "orders", NULL);
	assert_int_equal(p->r, 0);
	assert_int_equal(p->nrest, 2);
	assert_int_equal(options_take_expanded_pk(&p->o, p->rest, p->nrest, &p->eb), 1);
	assert_int_equal(p->o.npk, 3);
	assert_string_equal(p->o.pk[2], "S11");
	release(p);
	/* Not one range: a gap, another text around the numbers, letters. */
	p = parse("--pk", "S8", "S10", NULL);
	assert_int_equal(options_take_expanded_pk(&p->o, p->rest, p->nrest, &p->eb), 0);
	release(p);
	p = parse("--pk", "A1B", "A2C", NULL);
	assert_int_equal(options_take_expanded_pk(&p->o, p->rest, p->nrest, &p->eb), 0);
	release(p);
	p = parse("--pk", "orders", "stray", NULL);
	assert_int_equal(options_take_expanded_pk(&p->o, p->rest, p->nrest, &p->eb), 0);
	release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gnu_and_dynamo_cmdline_forms),
		cmocka_unit_test(test_short_flag_with_equals),
		cmocka_unit_test(test_a_flag_as_a_value_is_refused),
		cmocka_unit_test(test_values_are_checked),
		cmocka_unit_test(test_pk_brace_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
