/*
 * The follower's recorded positions (src/engine/follow.c, follow_positions):
 * what a checkpoint keeps of where copy --follow stands in each shard, at
 * most about one line per open shard, whatever the stream's history.
 */
#include "unit.h"

#include "dynamo/follow.h"

static void add(struct follower *f, const char *id, const char *parent, const char *start,
		const char *end)
{
	struct stream_shard sh;
	char why[256];

	memset(&sh, 0, sizeof(sh));
	snprintf(sh.id, sizeof(sh.id), "%s", id);
	snprintf(sh.parent, sizeof(sh.parent), "%s", parent ? parent : "");
	snprintf(sh.start, sizeof(sh.start), "%s", start);
	snprintf(sh.end, sizeof(sh.end), "%s", end ? end : "");
	assert_int_equal(stream_shards_add(&f->set, &sh, why, sizeof(why)), 0);
}

/* A follower over a listed stream, as follow_mark or follow_resume leave one (no I/O here). */
static void listed(struct follower *f)
{
	struct follow_config cfg;
	char why[256];

	memset(&cfg, 0, sizeof(cfg));
	follower_init(f, &cfg);
	/* A split chain: r -> a -> (a1, a2), and b, a root of its own. */
	add(f, "shardId-r", NULL, "100", "199");
	add(f, "shardId-a", "shardId-r", "200", "299");
	add(f, "shardId-a1", "shardId-a", "300", NULL);
	add(f, "shardId-a2", "shardId-a", "301", NULL);
	add(f, "shardId-b", NULL, "150", NULL);
	assert_int_equal(stream_shards_order(&f->set, why, sizeof(why)), 0);
	f->fs = xcalloc((size_t)f->set.n, sizeof(*f->fs));
	for (int i = 0; i < f->set.n; i++)
		stream_pos_start(&f->fs[i].pos, f->set.v[i].id);
}

static struct follow_shard *at(struct follower *f, const char *id)
{
	int i = stream_shards_find(&f->set, id);

	assert_true(i >= 0);
	return &f->fs[i];
}

static void assert_positions(struct follower *f, const char *want)
{
	struct buf out = BUF_INIT;

	follow_positions(f, &out);
	assert_string_equal(out.data ? out.data : "", want);
	buf_release(&out);
}

/* Nothing applied, or only LATEST positions (not a place to resume from): nothing recorded. */
static void test_nothing_applied_records_nothing(void **state)
{
	struct follower f;

	(void)state;
	listed(&f);
	at(&f, "shardId-b")->latest = 1;
	at(&f, "shardId-a1")->latest = 1;
	assert_positions(&f, "");
	follower_release(&f);
}

/* A shard whose child has a position is not recorded: the child's says it is done. */
static void test_only_the_frontier_is_recorded(void **state)
{
	struct follower f;

	(void)state;
	listed(&f);
	assert_int_equal(stream_pos_advance(&at(&f, "shardId-r")->pos, "199"), 0);
	stream_pos_end(&at(&f, "shardId-r")->pos);
	assert_int_equal(stream_pos_advance(&at(&f, "shardId-a")->pos, "250"), 0);
	assert_positions(&f, "shardId-a 250\n");
	/* a ends; one child has a change, the other is pinned before the snapshot: both recorded. */
	stream_pos_end(&at(&f, "shardId-a")->pos);
	assert_int_equal(stream_pos_advance(&at(&f, "shardId-a1")->pos, "310"), 0);
	assert_int_equal(stream_pos_at(&at(&f, "shardId-a2")->pos, "305"), 0);
	assert_int_equal(stream_pos_advance(&at(&f, "shardId-b")->pos, "160"), 0);
	assert_positions(&f, "shardId-a1 310\nshardId-a2 at 305\nshardId-b 160\n");
	follower_release(&f);
}

/* A parent read to its end whose children have nothing yet: its end is what is recorded. */
static void test_an_ended_parent_stands_for_its_children(void **state)
{
	struct follower f;

	(void)state;
	listed(&f);
	assert_int_equal(stream_pos_advance(&at(&f, "shardId-a")->pos, "299"), 0);
	stream_pos_end(&at(&f, "shardId-a")->pos);
	assert_positions(&f, "shardId-a end\n");
	follower_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_applied_records_nothing),
		cmocka_unit_test(test_only_the_frontier_is_recorded),
		cmocka_unit_test(test_an_ended_parent_stands_for_its_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
