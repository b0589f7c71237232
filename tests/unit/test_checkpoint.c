/*
 * Checkpoint files (src/plan/checkpoint.c) read back by a resumed run, where
 * the fuzzer (tests/fuzz/fuzz_checkpoint.c) found them unsafe.
 */
#include "unit.h"

#include <cJSON.h>

#include "dynamo/checkpoint.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_more_units_than_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
