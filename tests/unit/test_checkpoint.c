/*
 * Checkpoint files (src/plan/checkpoint.c) read back by a resumed run, where
 * the fuzzer (tests/fuzz/fuzz_checkpoint.c) found them unsafe.
 */
#include "unit.h"

#include <cJSON.h>

#include "dynamo/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char one_unit[] =
	"{\"dynamo_checkpoint\":1,\"job\":{},\"stages\":["
	"{\"name\":\"query\",\"done\":false,\"units\":["
	"{\"done\":false,\"key\":{\"pk\":{\"S\":\"a\"}}}]}]}";

/*
 * A stage asked for with more units than the file recorded (a resumed query
 * given three --pk values) has them all, the new ones from the start;
 * before, checkpoint_unit and checkpoint_advance indexed past the array.
 */
static void test_more_units_than_recorded(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct checkpoint *ck = NULL;
	struct buf key = BUF_INIT, next = BUF_INIT;
	int s;

	(void)state;
	assert_int_equal(checkpoint_parse(&ck, "/nonexistent/ck", one_unit,
					  strlen(one_unit), cJSON_CreateObject(), &eb), 0);
	s = checkpoint_stage(ck, "query", 3);
	assert_int_equal(s, 0);
	assert_int_equal(checkpoint_stage_units(ck, s), 3);
	assert_int_equal(checkpoint_unit(ck, s, 0, &key), 0);
	assert_string_equal(key.data, "{\"pk\":{\"S\":\"a\"}}");
	assert_int_equal(checkpoint_unit(ck, s, 2, &key), 0);
	assert_int_equal(key.len, 0);
	buf_puts(&next, "{\"pk\":{\"S\":\"c\"}}");
	checkpoint_advance(ck, s, 2, &next);
	assert_int_equal(checkpoint_unit(ck, s, 2, &key), 0);
	assert_string_equal(key.data, "{\"pk\":{\"S\":\"c\"}}");
	/* Fewer units asked for: the recorded ones stay. */
	assert_int_equal(checkpoint_stage(ck, "query", 1), 0);
	assert_int_equal(checkpoint_stage_units(ck, s), 3);
	buf_release(&key);
	buf_release(&next);
	checkpoint_free(ck);
}

/* A follower's positions are saved with their stage and read back as they were. */
static void test_positions_round_trip(void **state)
{
	static const char positions[] = "shardId-00001 start\nshardId-00002 4100000000000000000001\n";
	char dir[] = "/tmp/dynamo-unit-ck-XXXXXX", path[64];
	struct errbuf eb = ERRBUF_INIT;
	struct checkpoint *ck = NULL, *back = NULL;
	struct buf text = BUF_INIT, got = BUF_INIT;
	int s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ck", dir);
	assert_int_equal(checkpoint_open(&ck, path, cJSON_CreateObject(), &eb), 0);
	s = checkpoint_stage(ck, "follow", 0);
	checkpoint_set_positions(ck, s, positions, strlen(positions));
	assert_int_equal(checkpoint_save(ck, 1, &eb), 0);
	assert_int_equal(buf_read_file(&text, path, 1 << 20), 0);
	assert_non_null(strstr(text.data, "\"positions\":[\"shardId-00001 start\",\"shardId-00002 4100000000000000000001\"]"));
	assert_int_equal(checkpoint_parse(&back, path, text.data, text.len, cJSON_CreateObject(), &eb), 0);
	checkpoint_positions(back, checkpoint_find_stage(back, "follow"), &got);
	assert_int_equal(got.len, strlen(positions));
	assert_memory_equal(got.data, positions, got.len);
	checkpoint_free(back);
	checkpoint_free(ck);
	unlink(path);
	rmdir(dir);
	buf_release(&text);
	buf_release(&got);
}

/* A position that is not a short one-line string is damage, not something to resume from. */
static void test_damaged_positions_are_refused(void **state)
{
	static const char *const bad[] = {
		"[1]", "[\"a\\nb\"]", "[\"\"]", "{}", "[\"a\\u0000\"]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct checkpoint *ck = NULL;
		struct buf text = BUF_INIT;

		buf_printf(&text, "{\"dynamo_checkpoint\":2,\"job\":{},\"stages\":[{\"name\":\"follow\",\"done\":false,\"units\":[],\"positions\":%s}]}",
			   bad[i]);
		assert_int_equal(checkpoint_parse(&ck, "ck", text.data, text.len, cJSON_CreateObject(), &eb), -1);
		assert_non_null(strstr(eb.msg, "damaged"));
		buf_release(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_more_units_than_recorded),
		cmocka_unit_test(test_positions_round_trip),
		cmocka_unit_test(test_damaged_positions_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
