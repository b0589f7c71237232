/*
 * --slice I/K and --prepare-only in the planner (plan_slice.h), given in
 * plan_params as a command gives them: the slices share out the segments
 * exactly (every segment in one slice, none twice, each slice some), and a
 * plan is cut as the flags say.
 */
#include "unit.h"
#include "dynamo/exitcode.h"
#include "dynamo/plan_slice.h"

#include <string.h>

static void slices_share_out_every_segment_once(void **state)
{
	static const int totals[] = { 1, 2, 3, 4, 6, 7, 10, 64, 100, 999, 1000 };
	struct plan p;
	size_t t;

	(void)state;
	memset(&p, 0, sizeof(p));
	for (t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
		int n = totals[t], k;

		for (k = 1; k <= n && k <= 40; k++) {
			int i, next = 0;

			p.params.slice.k = k;
			for (i = 1; i <= k; i++) {
				int first, count;

				p.params.slice.i = i;
				plan_slice_segments(&p, n, &first, &count);
				assert_int_equal(first, next);		/* no gap, no overlap */
				assert_true(count >= 1);		/* K <= N: each slice has some */
				assert_true(count <= n / k + 1);	/* and a fair share */
				next = first + count;
			}
			assert_int_equal(next, n);			/* all of them */
		}
	}
	p.params.slice.k = 0;
	{
		int first, count;

		plan_slice_segments(&p, 12, &first, &count);
		assert_int_equal(first, 0);
		assert_int_equal(count, 12);
	}
}

static void add(struct plan *p, enum stage_kind kind, const char *name, int destructive)
{
	struct stage *s = plan_add(p, kind, name);

	s->destructive = destructive;
	s->estimate = 900;
	s->dst_table = "t";
}

static void prepare_only_keeps_the_one_time_steps(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct plan_params pp = { .eb = &eb, .slice = { .prepare_only = 1 } };
	struct plan p;

	(void)state;
	plan_init(&p, &pp, "copy");
	add(&p, STAGE_CREATE_TABLE, "create", 0);
	add(&p, STAGE_BACKUP, "backup", 0);
	add(&p, STAGE_COPY, "copy", 1);
	add(&p, STAGE_PRUNE, "prune", 1);
	assert_int_equal(plan_apply_slice(&p), 0);
	assert_false(p.st[0].skipped);
	assert_false(p.st[1].skipped);
	assert_true(p.st[2].skipped);
	assert_true(p.st[3].skipped);
	plan_release(&p);
}

static void a_slice_leaves_the_one_time_steps_and_refuses_the_rest(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct plan_params pp = { .eb = &eb, .slice = { 2, 3, 0 }, .segments = 6, .yes = 1 };
	struct plan p;

	(void)state;

	plan_init(&p, &pp, "copy");
	add(&p, STAGE_BACKUP, "backup", 0);
	add(&p, STAGE_COPY, "copy", 1);
	add(&p, STAGE_PRUNE, "prune", 1);
	assert_int_equal(plan_apply_slice(&p), 0);
	assert_true(p.st[0].skipped);
	assert_false(p.st[1].skipped);
	assert_int_equal(p.st[1].estimate, 300);	/* a third of the items, for progress */
	plan_release(&p);

	plan_init(&p, &pp, "copy");
	add(&p, STAGE_CREATE_TABLE, "create", 0);
	add(&p, STAGE_COPY, "copy", 1);
	assert_int_equal(plan_apply_slice(&p), -1);
	assert_int_equal(eb.exit, EXIT_USAGE);
	assert_non_null(strstr(eb.msg, "--prepare-only"));
	plan_release(&p);

	errbuf_clear(&eb);
	plan_init(&p, &pp, "copy");
	add(&p, STAGE_QUERY_COPY, "copy", 1);
	assert_int_equal(plan_apply_slice(&p), -1);
	assert_non_null(strstr(eb.msg, "not a scan"));
	plan_release(&p);

	errbuf_clear(&eb);
	pp.yes = 0;
	plan_init(&p, &pp, "truncate");
	add(&p, STAGE_TRUNCATE, "truncate", 1);
	assert_int_equal(plan_apply_slice(&p), -1);
	assert_int_equal(eb.exit, EXIT_REFUSED);
	plan_release(&p);

	errbuf_clear(&eb);
	pp.yes = 1;
	pp.segments = 2;
	plan_init(&p, &pp, "truncate");
	add(&p, STAGE_TRUNCATE, "truncate", 1);
	assert_int_equal(plan_apply_slice(&p), -1);
	assert_non_null(strstr(eb.msg, "at most 2 slices"));
	plan_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slices_share_out_every_segment_once),
		cmocka_unit_test(prepare_only_keeps_the_one_time_steps),
		cmocka_unit_test(a_slice_leaves_the_one_time_steps_and_refuses_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
