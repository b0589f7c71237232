/*
 * Stream shards (src/ddb/shards.c): sequence numbers compared as numbers,
 * the lineage order (every parent before its children, closed and open
 * shards, expired parents, splits, thousands of shards in any listing
 * order), the bounded set, and positions for checkpoints.
 */
#include "unit.h"

#include "dynamo/shards.h"
#include "dynamo/streams.h"

#define FORUM_ARN "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252"

static struct stream_shard shard(const char *id, const char *parent, const char *start,
				 const char *end)
{
	struct stream_shard sh;

	memset(&sh, 0, sizeof(sh));
	snprintf(sh.id, sizeof(sh.id), "%s", id);
	snprintf(sh.parent, sizeof(sh.parent), "%s", parent ? parent : "");
	snprintf(sh.start, sizeof(sh.start), "%s", start);
	snprintf(sh.end, sizeof(sh.end), "%s", end ? end : "");
	return sh;
}

/* ---- sequence numbers ---- */

static void test_sequence_numbers_compare_as_numbers(void **state)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
		{ "1", "2", -1 },
		{ "10", "9", 1 },
		{ "0010", "10", 0 },
		{ "0", "000", 0 },
		{ "100000000000000000600", "20500000000000000910398", -1 },
		/* Equal as doubles, different as numbers. */
		{ "12345678901234567890123456789012345678", "12345678901234567890123456789012345679", -1 },
		{ "9999999999999999999999999999999999999999", "1000000000000000000000000000000000000000", 1 },
		{ "1683700000000000001135968", "1683700000000000001135967", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int c = stream_seq_compare(cases[i].a, cases[i].b);
		int back = stream_seq_compare(cases[i].b, cases[i].a);

		if ((c > 0) - (c < 0) != cases[i].sign || (back > 0) - (back < 0) != -cases[i].sign)
			fail_msg("%s vs %s: %d, back %d, wanted %d", cases[i].a, cases[i].b, c,
				 back, cases[i].sign);
	}
}

static void test_sequence_number_syntax(void **state)
{
	static const char *const bad[] = {
		"", "12a", "-1", "1.0", " 1", "1e5",
		"12345678901234567890123456789012345678901",	/* 41 digits */
	};
	size_t i;

	(void)state;
	assert_true(stream_seq_valid("1", 1));
	assert_true(stream_seq_valid("1234567890123456789012345678901234567890", 40));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (stream_seq_valid(bad[i], strlen(bad[i])))
			fail_msg("'%s' taken for a sequence number", bad[i]);
}

/* ---- the lineage order ---- */

/* The hand-written two-page DescribeStream (tests/vectors/streams/aws) into set. */
static void load_lineage(struct stream_shards *set)
{
	static const char *const pages[] = { "streams/aws/lineage_page1.json",
					     "streams/aws/lineage_page2.json" };
	char why[256] = "", start[STREAM_SHARD_ID_MAX + 1] = "";
	int i;

	stream_shards_init(set, 0);
	for (i = 0; i < 2; i++) {
		size_t len;
		char *text = unit_read_vector(pages[i], &len);
		struct streams_desc_page pg;

		if (streams_describe_parse((struct slice){ text, len }, FORUM_ARN,
					   i ? start : NULL, &pg, why, sizeof(why)) < 0 ||
		    streams_describe_add(set, &pg, why, sizeof(why)) < 0)
			fail_msg("page %d: %s", i + 1, why);
		snprintf(start, sizeof(start), "%s", pg.last_shard);
		free(text);
	}
	assert_string_equal(start, "");
}

/* Every shard once, and every parent that is in the set before its children. */
static void assert_lineage_holds(const struct stream_shards *s)
{
	int *pos = malloc((size_t)s->n * sizeof(int)), i;

	for (i = 0; i < s->n; i++)
		pos[i] = -1;
	for (i = 0; i < s->n; i++) {
		assert_true(s->order[i] >= 0 && s->order[i] < s->n);
		assert_int_equal(pos[s->order[i]], -1);
		pos[s->order[i]] = i;
	}
	for (i = 0; i < s->n; i++) {
		int p = stream_shards_find(s, s->v[i].parent);

		assert_int_equal(s->parent[i], s->v[i].parent[0] ? p : -1);
		if (p >= 0 && pos[p] > pos[i])
			fail_msg("shard %s comes before its parent %s", s->v[i].id, s->v[p].id);
	}
	free(pos);
}

static void test_lineage_from_describe_stream(void **state)
{
	static const char *const want[] = {
		"shardId-00000001414500000001-5555aaaa", "shardId-00000001414500000002-6666bbbb",
		"shardId-00000001414562045508-2bac9cd2", "shardId-00000001414576573621-f55eea83",
		"shardId-00000001414592258131-674fd923", "shardId-00000001414592258132-11111111",
		"shardId-00000001414608446368-3a1afbaf",
	};
	struct stream_shards set;
	char why[256] = "";
	int i, root;

	(void)state;
	load_lineage(&set);
	assert_int_equal(set.n, 7);
	if (stream_shards_order(&set, why, sizeof(why)) < 0)
		fail_msg("order: %s", why);
	for (i = 0; i < 7; i++)
		assert_string_equal(set.v[set.order[i]].id, want[i]);
	assert_lineage_holds(&set);
	/* The parent of 2bac9cd2 has expired from the listing: it is a root. */
	root = stream_shards_find(&set, "shardId-00000001414562045508-2bac9cd2");
	assert_true(root >= 0);
	assert_int_equal(set.parent[root], -1);
	assert_string_equal(set.v[root].parent, "shardId-00000001414500000000-00000000");
	assert_true(stream_shard_closed(&set.v[root]));
	assert_false(stream_shard_closed(&set.v[stream_shards_find(&set, want[6])]));
	stream_shards_release(&set);
}

/* The same shards listed in any order give the same reading order. */
static void test_order_does_not_depend_on_listing(void **state)
{
	struct stream_shards set;
	struct stream_shard rev[7];
	int parent[7], order[7], i;
	char why[256] = "";

	(void)state;
	load_lineage(&set);
	assert_int_equal(stream_shards_order(&set, why, sizeof(why)), 0);
	for (i = 0; i < 7; i++)
		rev[i] = set.v[6 - i];
	assert_int_equal(stream_lineage_order(rev, 7, parent, order, why, sizeof(why)), 0);
	for (i = 0; i < 7; i++)
		assert_string_equal(rev[order[i]].id, set.v[set.order[i]].id);
	stream_shards_release(&set);
}

static unsigned int rng = 12345;

static int rnd(int n)
{
	return (int)(rand_r(&rng) % (unsigned)n);
}

/*
 * A stream of a big table: parts partitions, each a chain of shards
 * rotating every few hours, some splitting in two; listed shuffled, with
 * the oldest generation's parents expired. The order must hold the lineage.
 */
static void build_stream(struct stream_shards *set, int parts, int gens)
{
	int p, g, i, n = 0;
	struct stream_shard *all = calloc((size_t)parts * gens * 2, sizeof(*all));
	char why[256] = "";

	for (p = 0; p < parts; p++) {
		char parent[STREAM_SHARD_ID_MAX + 1];

		snprintf(parent, sizeof(parent), "shardId-%020d-expired0", p);
		for (g = 0; g < gens; g++) {
			int split = rnd(5) == 0, k;
			char id[STREAM_SHARD_ID_MAX + 1], seq[STREAM_SEQ_MAX + 1];

			for (k = 0; k <= split; k++) {
				snprintf(id, sizeof(id), "shardId-%020d-%04d%04d", p, g, k);
				/*
				 * Random starts: the order must come from the lineage, not
				 * from sequence numbers compared across shards.
				 */
				snprintf(seq, sizeof(seq), "%d%08d%012d", 1 + rnd(9), rnd(100000000), p);
				all[n++] = shard(id, parent, seq, g + 1 < gens ? "9999999999999999999999999" : NULL);
			}
			snprintf(parent, sizeof(parent), "%s", all[n - 1 - rnd(split + 1)].id);
		}
	}
	for (i = n - 1; i > 0; i--) {
		struct stream_shard t = all[i];
		int j = rnd(i + 1);

		all[i] = all[j];
		all[j] = t;
	}
	for (i = 0; i < n; i++)
		if (stream_shards_add(set, &all[i], why, sizeof(why)) < 0)
			fail_msg("add %d: %s", i, why);
	free(all);
}

static void test_thousands_of_shards(void **state)
{
	struct stream_shards set;
	char why[256] = "";
	int i, roots = 0;

	(void)state;
	stream_shards_init(&set, 0);
	build_stream(&set, 1500, 7);
	assert_true(set.n >= 1500 * 7);
	if (stream_shards_order(&set, why, sizeof(why)) < 0)
		fail_msg("order: %s", why);
	assert_lineage_holds(&set);
	/* The first generation's parents have expired: those shards, and only they, are roots. */
	for (i = 0; i < set.n; i++) {
		int expired = strstr(set.v[i].parent, "-expired0") != NULL;

		assert_int_equal(set.parent[i] < 0, expired);
		roots += expired;
	}
	assert_true(roots >= 1500);
	/* Listing the stream again reuses the set. */
	stream_shards_reset(&set);
	assert_int_equal(stream_shards_find(&set, set.v[0].id), -1);
	build_stream(&set, 10, 3);
	assert_int_equal(stream_shards_order(&set, why, sizeof(why)), 0);
	assert_lineage_holds(&set);
	stream_shards_release(&set);
}

/* A lineage 100,000 shards deep (the most a set holds): no recursion, no quadratic time. */
static void test_deepest_lineage_and_the_cap(void **state)
{
	struct stream_shards set;
	char why[256] = "", id[40], parent[40] = "", seq[32];
	struct stream_shard sh;
	int i;

	(void)state;
	stream_shards_init(&set, 0);
	for (i = 0; i < STREAM_MAX_SHARDS; i++) {
		snprintf(id, sizeof(id), "shardId-%028d", STREAM_MAX_SHARDS - i);
		snprintf(seq, sizeof(seq), "%d", 1000000 + i);
		sh = shard(id, parent, seq, NULL);
		if (stream_shards_add(&set, &sh, why, sizeof(why)) < 0)
			fail_msg("add %d: %s", i, why);
		snprintf(parent, sizeof(parent), "%s", id);
	}
	sh = shard("shardId-one-too-many-0000000000", NULL, "1", NULL);
	assert_int_equal(stream_shards_add(&set, &sh, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than 100000 shards"));
	assert_int_equal(stream_shards_order(&set, why, sizeof(why)), 0);
	for (i = 0; i < set.n; i++)
		assert_int_equal(set.order[i], i);
	stream_shards_release(&set);

	stream_shards_init(&set, 3);
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "shardId-%028d", i);
		sh = shard(id, NULL, "5", NULL);
		assert_int_equal(stream_shards_add(&set, &sh, why, sizeof(why)), i < 3 ? 0 : -1);
	}
	stream_shards_release(&set);
}

/* A child whose sequence numbers look older than its parent's still comes after it. */
static void test_parent_first_whatever_the_numbers(void **state)
{
	struct stream_shard v[4];
	int parent[4], order[4], i;
	char why[256] = "";
	static const char *const want[] = {
		"shardId-00000000000000000003-cccccccc", "shardId-00000000000000000001-aaaaaaaa",
		"shardId-00000000000000000002-bbbbbbbb", "shardId-00000000000000000004-dddddddd",
	};

	(void)state;
	v[0] = shard("shardId-00000000000000000004-dddddddd", "shardId-00000000000000000002-bbbbbbbb",
		     "100000000000000000001", NULL);
	v[1] = shard("shardId-00000000000000000002-bbbbbbbb", "shardId-00000000000000000001-aaaaaaaa",
		     "500000000000000000001", "500000000000000000009");
	v[2] = shard("shardId-00000000000000000001-aaaaaaaa", NULL, "900000000000000000001",
		     "900000000000000000009");
	v[3] = shard("shardId-00000000000000000003-cccccccc", NULL, "200000000000000000001", NULL);
	assert_int_equal(stream_lineage_order(v, 4, parent, order, why, sizeof(why)), 0);
	for (i = 0; i < 4; i++)
		assert_string_equal(v[order[i]].id, want[i]);
	assert_int_equal(parent[0], 1);
	assert_int_equal(parent[1], 2);
	assert_int_equal(parent[2], -1);
}

static void test_malformed_lineages_are_refused(void **state)
{
	struct stream_shard v[3];
	int parent[3], order[3];
	char why[256] = "";

	(void)state;
	/* A cycle: a shard its own ancestor. */
	v[0] = shard("shardId-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "shardId-bbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "1", "2");
	v[1] = shard("shardId-bbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "shardId-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "3", "4");
	v[2] = shard("shardId-ccccccccccccccccccccccccccccc", NULL, "5", NULL);
	assert_int_equal(stream_lineage_order(v, 3, parent, order, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cycle"));
	/* A shard its own parent. */
	v[0] = shard("shardId-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "shardId-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1", "2");
	assert_int_equal(stream_lineage_order(v, 1, parent, order, why, sizeof(why)), -1);
	/* A shard listed twice. */
	v[1] = v[0];
	why[0] = '\0';
	assert_int_equal(stream_lineage_order(v, 2, parent, order, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "twice"));
}

static void test_shard_fields_are_checked(void **state)
{
	struct stream_shard sh;
	char why[256] = "";

	(void)state;
	sh = shard("shardId-00000001414576573621-f55eea83", NULL, "820400000000000001192334",
		   "820400000000000001192333");
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ends"));
	sh = shard("shard id with spaces", NULL, "1", NULL);
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	sh = shard("shardId-x", "bad\"parent", "1", NULL);
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	sh = shard("shardId-x", NULL, "", NULL);
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	sh = shard("shardId-x", NULL, "1", "x");
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	/* Fields must end inside their arrays. */
	sh = shard("shardId-x", NULL, "1", NULL);
	memset(sh.start, '1', sizeof(sh.start));
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), -1);
	sh = shard("shardId-x", NULL, "1", NULL);
	assert_int_equal(stream_shard_check(&sh, why, sizeof(why)), 0);
}

/* ---- positions ---- */

static void round_trip(const struct stream_pos *pos, const char *text)
{
	struct buf b = BUF_INIT;
	struct stream_pos back;
	char why[256] = "";

	assert_int_equal(stream_pos_format(pos, &b), 0);
	assert_string_equal(b.data, text);
	if (stream_pos_parse(b.data, b.len, &back, why, sizeof(why)) < 0)
		fail_msg("parse '%s': %s", b.data, why);
	assert_string_equal(back.shard, pos->shard);
	assert_string_equal(back.seq, pos->seq);
	assert_int_equal(back.kind, pos->kind);
	buf_release(&b);
}

static void test_positions(void **state)
{
	struct stream_pos pos;

	(void)state;
	assert_int_equal(stream_pos_start(&pos, "shardId-00000001414608446368-3a1afbaf"), 0);
	round_trip(&pos, "shardId-00000001414608446368-3a1afbaf start");
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935255"), 0);
	round_trip(&pos, "shardId-00000001414608446368-3a1afbaf 2574600000000000000935255");
	/* The same record again, an older one, or junk: refused, the position unchanged. */
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935255"), -1);
	assert_int_equal(stream_pos_advance(&pos, "999999999999999999999999"), -1);
	assert_int_equal(stream_pos_advance(&pos, "25746000000000000009352561x"), -1);
	assert_string_equal(pos.seq, "2574600000000000000935255");
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935256"), 0);
	stream_pos_end(&pos);
	round_trip(&pos, "shardId-00000001414608446368-3a1afbaf end");
	assert_int_equal(stream_pos_advance(&pos, "9999999999999999999999999"), -1);
	assert_int_equal(stream_pos_start(&pos, "has space"), -1);
}

/* A follower's position pinned before its snapshot: the pinned record itself is still to apply. */
static void test_pinned_positions(void **state)
{
	struct stream_pos pos;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(stream_pos_start(&pos, "shardId-00000001414608446368-3a1afbaf"), 0);
	assert_int_equal(stream_pos_at(&pos, "x1"), -1);
	assert_int_equal(stream_pos_at(&pos, "2574600000000000000935255"), 0);
	round_trip(&pos, "shardId-00000001414608446368-3a1afbaf at 2574600000000000000935255");
	/* Only a position at its start is pinned. */
	assert_int_equal(stream_pos_at(&pos, "2574600000000000000935256"), -1);
	/* Before the pinned record: refused; the pinned record itself: applied. */
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935254"), -1);
	assert_int_equal(pos.kind, STREAM_POS_AT);
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935255"), 0);
	assert_int_equal(pos.kind, STREAM_POS_AFTER);
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935255"), -1);
	/* GetShardIterator AT_SEQUENCE_NUMBER for a pinned one. */
	assert_int_equal(stream_pos_start(&pos, "shardId-1"), 0);
	assert_int_equal(stream_pos_at(&pos, "400"), 0);
	assert_int_equal(streams_iterator_body_at(&b, "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x", &pos), 0);
	assert_non_null(strstr(b.data, "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"SequenceNumber\":\"400\""));
	buf_release(&b);
}

static void test_position_text_is_read_strictly(void **state)
{
	static const char *const bad[] = {
		"", "shardId-x", "shardId-x ", " start", "shardId-x  start", "shardId-x start ",
		"shardId-x Start", "shardId-x 12a", "shardId-x -1", "shardId-x at", "shardId-x at ",
		"shardId-x at x", "shardId-x at  12", "shardId-x AT 12", "shardId-x at 12 ",
		"shardId-x 12345678901234567890123456789012345678901",
		"shard\"x start",
		"shardId-0123456789012345678901234567890123456789012345678901234567 start",
	};
	struct stream_pos pos;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (stream_pos_parse(bad[i], strlen(bad[i]), &pos, why, sizeof(why)) == 0)
			fail_msg("'%s' read as a position", bad[i]);
		assert_true(why[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_numbers_compare_as_numbers),
		cmocka_unit_test(test_sequence_number_syntax),
		cmocka_unit_test(test_lineage_from_describe_stream),
		cmocka_unit_test(test_order_does_not_depend_on_listing),
		cmocka_unit_test(test_thousands_of_shards),
		cmocka_unit_test(test_deepest_lineage_and_the_cap),
		cmocka_unit_test(test_parent_first_whatever_the_numbers),
		cmocka_unit_test(test_malformed_lineages_are_refused),
		cmocka_unit_test(test_shard_fields_are_checked),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_pinned_positions),
		cmocka_unit_test(test_position_text_is_read_strictly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
