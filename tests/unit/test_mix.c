/*
 * The mix: batches take items in turn from every waiting page; retries wait
 * for their time and then go first; a held key range waits, fresh pages
 * included.
 */
#include "unit.h"
#include "dynamo/job.h"
#include "dynamo/mix.h"

static struct slice text(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

/* Takes the next n items; writes their first letters (and '.' when none is ready). */
static void take(struct mix *m, int n, char *out)
{
	struct page *pg;
	struct slice it;
	int tries, idle, i;

	for (i = 0; i < n; i++) {
		if (!mix_peek(m, &pg, &it, &tries, &idle)) {
			out[i] = '.';
			continue;
		}
		out[i] = it.p[0];
		mix_next(m);
	}
	out[n] = '\0';
}

static void items_are_taken_in_turn_from_every_page(void **state)
{
	struct unit ua, ub, uc;
	struct page a = { .unit = &ua }, b = { .unit = &ub }, c = { .unit = &uc };
	struct mix m;
	char got[32];

	(void)state;
	mix_init(&m);
	mix_add(&m, &a, text("a1"));
	mix_add(&m, &a, text("a2"));
	mix_add(&m, &a, text("a3"));
	mix_add(&m, &b, text("b1"));
	mix_add(&m, &c, text("c1"));
	mix_add(&m, &c, text("c2"));
	assert_int_equal(m.ready, 6);
	take(&m, 7, got);
	/* Not a1 a2 a3 b1 ...: one item of each page in turn. */
	assert_string_equal(got, "abcaca.");
	assert_int_equal(m.ready, 0);
	assert_int_equal(m.bytes, 0);
	mix_release(&m);
}

static void retries_wait_for_their_time_then_go_first(void **state)
{
	struct unit ua, ub;
	struct page a = { .unit = &ua }, b = { .unit = &ub };
	struct mix_slot *slot;
	struct mix m;
	struct page *pg;
	struct slice it;
	int tries, idle;
	char got[32];

	(void)state;
	mix_init(&m);
	mix_add(&m, &a, text("a1"));
	mix_add(&m, &a, text("a2"));
	slot = mix_retry_slot(&m, 1000);
	mix_retry_add(&m, slot, &b, text("r1"), 2, 1);
	assert_int_equal(m.held, 1);
	assert_int_equal(mix_wake(&m, 900), 100);	/* due in 100 ms */
	take(&m, 1, got);
	assert_string_equal(got, "a");
	assert_int_equal(mix_wake(&m, 1000), -1);
	assert_true(mix_peek(&m, &pg, &it, &tries, &idle));
	/* The retry keeps its page and counts. */
	assert_ptr_equal(pg, &b);
	assert_int_equal(tries, 2);
	assert_int_equal(idle, 1);
	take(&m, 3, got);
	assert_string_equal(got, "ra.");
	mix_release(&m);
}

static void a_held_key_range_waits_new_pages_included(void **state)
{
	struct unit hot, cold;
	struct page h1 = { .unit = &hot }, h2 = { .unit = &hot }, c1 = { .unit = &cold };
	struct mix m;
	char got[32];

	(void)state;
	mix_init(&m);
	mix_add(&m, &h1, text("h1"));
	mix_add(&m, &h1, text("h2"));
	mix_add(&m, &c1, text("c1"));
	mix_add(&m, &c1, text("c2"));
	mix_hold(&m, &hot, 5000);
	assert_int_equal(m.ready, 2);
	assert_int_equal(m.held, 2);
	/* A page of the range that comes later is held when it ends (the writer's page_end). */
	mix_add(&m, &h2, text("h3"));
	assert_int_equal(m.ready, 3);
	mix_hold(&m, &hot, 5000);
	assert_int_equal(m.held, 3);
	take(&m, 3, got);
	assert_string_equal(got, "cc.");
	assert_int_equal(mix_wake(&m, 4999), 1);
	mix_wake(&m, 5000);
	take(&m, 4, got);
	assert_string_equal(got, "hhh.");
	mix_release(&m);
}

/* Adds n items of page pg, each of len bytes, starting with the letter c and numbered. */
static void add_items(struct mix *m, struct page *pg, int n, size_t len, char c)
{
	char item[600];
	int i;

	assert_true(len <= sizeof(item));
	memset(item, 'x', len);
	for (i = 0; i < n; i++) {
		snprintf(item, len, "%c%07d", c, i);
		item[strlen(item)] = 'x';
		mix_add(m, pg, (struct slice){ item, len });
	}
}

/*
 * What a page's slot holds shrinks as its items are taken, and the next
 * page reuses it: a worker's mix holds about the items waiting, not every
 * page's peak (one buffer a page, grown by doubling and kept whole until
 * empty, held 1.5 MB here, and a copy took 30% more CPU for it).
 */
static void taken_items_give_their_memory_to_the_next_page(void **state)
{
	struct unit ua, ub;
	struct page a = { .unit = &ua }, b = { .unit = &ub };
	struct page *pg;
	struct slice it;
	struct mix m;
	int tries, idle, i;
	size_t first;

	(void)state;
	mix_init(&m);
	add_items(&m, &a, 1000, 500, 'a');
	first = m.allocated;
	assert_true(first >= 1000 * 500);
	assert_true(first <= 1000 * 520 + (32u << 10));
	for (i = 0; i < 990; i++) {
		assert_true(mix_peek(&m, &pg, &it, &tries, &idle));
		assert_ptr_equal(pg, &a);
		assert_int_equal(it.n, 500);
		mix_next(&m);
	}
	add_items(&m, &b, 900, 500, 'b');
	/* Page b took what a's taken items left: no more than a needed at its peak. */
	assert_true(m.allocated <= first);
	/* Every item comes out whole and in its page's order. */
	for (i = 0; i < 910; i++) {
		char want[16];

		assert_true(mix_peek(&m, &pg, &it, &tries, &idle));
		if (i < 20 && i % 2 == 0)
			snprintf(want, sizeof(want), "a%07d", 990 + i / 2);
		else
			snprintf(want, sizeof(want), "b%07d", i < 20 ? i / 2 : i - 10);
		assert_int_equal(it.n, 500);
		assert_memory_equal(it.p, want, 8);
		mix_next(&m);
	}
	assert_false(mix_peek(&m, &pg, &it, &tries, &idle));
	assert_int_equal(m.bytes, 0);
	mix_release(&m);
}

/* An item larger than the mix's chunks is kept whole, among small ones. */
static void a_large_item_is_kept_whole(void **state)
{
	struct unit ua;
	struct page a = { .unit = &ua };
	size_t big = 400u << 10;
	char *item = xmalloc(big);
	struct page *pg;
	struct slice it;
	struct mix m;
	int tries, idle;
	char got[8];

	(void)state;
	memset(item, 'L', big);
	mix_init(&m);
	mix_add(&m, &a, text("s1"));
	mix_add(&m, &a, (struct slice){ item, big });
	mix_add(&m, &a, text("s2"));
	take(&m, 1, got);
	assert_true(mix_peek(&m, &pg, &it, &tries, &idle));
	assert_int_equal(it.n, big);
	assert_memory_equal(it.p, item, big);
	mix_next(&m);
	take(&m, 2, got);
	assert_string_equal(got, "s.");
	mix_release(&m);
	free(item);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(items_are_taken_in_turn_from_every_page),
		cmocka_unit_test(retries_wait_for_their_time_then_go_first),
		cmocka_unit_test(a_held_key_range_waits_new_pages_included),
		cmocka_unit_test(taken_items_give_their_memory_to_the_next_page),
		cmocka_unit_test(a_large_item_is_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
