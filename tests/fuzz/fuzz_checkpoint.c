/*
 * Checkpoint files (src/plan/checkpoint.c): what a crashed or killed run
 * left behind, read back by the next run with --checkpoint.
 *
 * Each input is parsed twice: for a fixed copy job (as plan.c describes
 * one), and for the job the file itself names, so the stages are reached
 * whatever the job. Checks: a refused file leaves nothing behind and says
 * why; an accepted one answers checkpoint_find_stage, checkpoint_stage,
 * checkpoint_stage_units and checkpoint_unit as the file says (done flags,
 * saved keys, a version 2 entry with "n" standing for that many units); a
 * stage asked for with
 * more units than the file recorded (a resumed query given another --pk)
 * has them all; and what checkpoint_save writes, the next checkpoint_open
 * reads back the same.
 */
#include "fuzz.h"

#include <cJSON.h>
#include <unistd.h>

#include "dynamo/buf.h"
#include "dynamo/checkpoint.h"

#define MAX_STAGES 16
#define MAX_UNITS 16

static const char fixed_job[] =
	"{\"command\":\"copy\",\"stages\":[{\"name\":\"copy\","
	"\"source_table\":\"orders\",\"source\":\"profile 'prod' (us-east-1)\","
	"\"target_table\":\"orders\",\"target\":\"profile 'dr' (eu-west-1)\","
	"\"segments\":4}]}";

static char path[64];

static void remove_files(void)
{
	unlink(path);
}

static const char *stage_name(const cJSON *st)
{
	return cJSON_GetObjectItemCaseSensitive(st, "name")->valuestring;
}

static int version;	/* of the file being checked */

/* How many units an entry of "units" stands for: {"done":B,"n":N} is N (version 2). */
static int entry_units(const cJSON *u)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(u, "n");

	return version >= 2 && cJSON_IsNumber(n) ? (int)n->valuedouble : 1;
}

static int stage_nunits(const cJSON *st)
{
	const cJSON *units = cJSON_GetObjectItemCaseSensitive(st, "units"), *u;
	int n = 0;

	cJSON_ArrayForEach(u, units)
		n += entry_units(u);
	return n;
}

/* The entry of "units" that unit k belongs to. */
static const cJSON *unit_entry(const cJSON *st, int k)
{
	const cJSON *units = cJSON_GetObjectItemCaseSensitive(st, "units"), *u;

	cJSON_ArrayForEach(u, units) {
		k -= entry_units(u);
		if (k < 0)
			return u;
	}
	return NULL;
}

/* The stage the checkpoint must give for stage i's name: the last of that name. */
static int last_like(const cJSON *stages, int i)
{
	const char *name = stage_name(cJSON_GetArrayItem(stages, i));
	int j, n = cJSON_GetArraySize(stages), last = i;

	for (j = i + 1; j < n; j++)
		if (!strcmp(stage_name(cJSON_GetArrayItem(stages, j)), name))
			last = j;
	return last;
}

/* Checks ck against the stages of the file it was read from. */
static void check_against(struct checkpoint *ck, const cJSON *stages)
{
	struct buf key = BUF_INIT;
	int i, nst = cJSON_GetArraySize(stages);

	for (i = 0; i < nst && i < MAX_STAGES; i++) {
		const cJSON *st = cJSON_GetArrayItem(stages, i);
		int n = stage_nunits(st), idx = last_like(stages, i), k;

		FUZZ_CHECK(checkpoint_find_stage(ck, stage_name(st)) == idx);
		FUZZ_CHECK(checkpoint_stage(ck, stage_name(st), n) == idx);
		if (idx != i)
			continue;
		FUZZ_CHECK(checkpoint_stage_units(ck, i) == n);
		FUZZ_CHECK(checkpoint_stage_done(ck, i) ==
			   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "done")));
		for (k = 0; k < n && k < MAX_UNITS; k++) {
			const cJSON *u = unit_entry(st, k);
			const cJSON *kj = cJSON_GetObjectItemCaseSensitive(u, "key");
			int done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "done"));
			cJSON *got;

			/* The key as the file holds it: the same JSON value, however it is spelt. */
			FUZZ_CHECK(checkpoint_unit(ck, i, k, &key) == done);
			FUZZ_CHECK(!key.len == !(kj && !done));
			if (!key.len)
				continue;
			got = cJSON_ParseWithLength(key.data, key.len);
			FUZZ_CHECK(got && cJSON_Compare(got, kj, 1));
			cJSON_Delete(got);
		}
	}
	buf_release(&key);
}

/*
 * A resumed run may ask for a recorded stage with more units than the file
 * holds (a query given one more --pk): the new units start from scratch.
 */
static void check_more_units(struct checkpoint *ck, const cJSON *stages)
{
	struct buf key = BUF_INIT, next = BUF_INIT;
	const cJSON *st = cJSON_GetArrayItem(stages, 0);
	int idx, n;

	if (!st)
		return;
	n = stage_nunits(st);
	/* The planner never asks for more (a checkpoint with more is refused). */
	if (n + 2 > CHECKPOINT_MAX_UNITS)
		return;
	idx = checkpoint_stage(ck, stage_name(st), n + 2);
	FUZZ_CHECK(checkpoint_stage_units(ck, idx) >= n + 2);
	FUZZ_CHECK(checkpoint_unit(ck, idx, n + 1, &key) == 0 && !key.len);
	buf_puts(&next, "{\"pk\":{\"S\":\"more\"}}");
	checkpoint_advance(ck, idx, n + 1, &next);
	FUZZ_CHECK(checkpoint_unit(ck, idx, n + 1, &key) == 0 &&
		   key.len == next.len && !memcmp(key.data, next.data, key.len));
	buf_release(&key);
	buf_release(&next);
}

/* Saves ck and reads the file back: every stage and unit must match. */
static void check_round_trip(struct checkpoint *ck, const cJSON *job,
			     const cJSON *stages)
{
	struct errbuf eb = ERRBUF_INIT;
	struct checkpoint *again = NULL;
	struct buf a = BUF_INIT, b = BUF_INIT;
	int i, nst = cJSON_GetArraySize(stages), extra;

	/* A new stage makes the checkpoint dirty, so save writes it. */
	extra = checkpoint_stage(ck, "fuzz: round trip", 2);
	checkpoint_advance(ck, extra, 1, NULL);
	if (checkpoint_save(ck, 1, &eb) < 0) {
		fprintf(stderr, "cannot save %s: %s\n", path, eb.msg);
		abort();
	}
	if (checkpoint_open(&again, path, cJSON_Duplicate(job, 1), &eb) < 0) {
		fprintf(stderr, "the saved checkpoint was refused: %s\n", eb.msg);
		abort();
	}
	FUZZ_CHECK(checkpoint_resuming(again));
	FUZZ_CHECK(checkpoint_unit(again, checkpoint_find_stage(again, "fuzz: round trip"),
				   1, &a) == 1);
	for (i = 0; i < nst && i < MAX_STAGES; i++) {
		const char *name = stage_name(cJSON_GetArrayItem(stages, i));
		int s1 = checkpoint_find_stage(ck, name), s2 = checkpoint_find_stage(again, name);
		int n = checkpoint_stage_units(ck, s1), k;

		/* Only the last stage of a name is written back. */
		FUZZ_CHECK(s1 >= 0 && s2 >= 0);
		FUZZ_CHECK(checkpoint_stage_units(again, s2) == n);
		FUZZ_CHECK(checkpoint_stage_done(ck, s1) == checkpoint_stage_done(again, s2));
		for (k = 0; k < n && k < MAX_UNITS; k++) {
			FUZZ_CHECK(checkpoint_unit(ck, s1, k, &a) ==
				   checkpoint_unit(again, s2, k, &b));
			FUZZ_CHECK(a.len == b.len && (!a.len || !memcmp(a.data, b.data, a.len)));
		}
	}
	buf_release(&a);
	buf_release(&b);
	checkpoint_free(again);
	remove_files();
}

static void parse_for(const char *text, size_t len, cJSON *job, const cJSON *doc)
{
	struct errbuf eb = ERRBUF_INIT;
	struct checkpoint *ck = NULL;
	cJSON *job_copy = cJSON_Duplicate(job, 1);
	const cJSON *stages;

	version = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "dynamo_checkpoint")) == 2 ? 2 : 1;
	if (checkpoint_parse(&ck, path, text, len, job, &eb) < 0) {
		FUZZ_CHECK(eb.set && eb.msg[0] && !ck);
		cJSON_Delete(job_copy);
		return;
	}
	/* Accepted: the file is JSON, and the fuzzer's parse agrees. */
	FUZZ_CHECK(ck && !eb.set && checkpoint_resuming(ck) && doc);
	stages = cJSON_GetObjectItemCaseSensitive(doc, "stages");
	FUZZ_CHECK(cJSON_IsArray(stages));
	check_against(ck, stages);
	check_more_units(ck, stages);
	check_round_trip(ck, job_copy, stages);
	checkpoint_free(ck);
	cJSON_Delete(job_copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_dup(data, size);
	cJSON *doc = cJSON_ParseWithLength(text, size);
	const cJSON *own = cJSON_GetObjectItemCaseSensitive(doc, "job");

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/dynamo-fuzz-%ld.ck",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
			 (long)getpid());
		atexit(remove_files);
	}
	parse_for(text, size, cJSON_Parse(fixed_job), doc);
	if (cJSON_IsObject(own))
		parse_for(text, size, cJSON_Duplicate(own, 1), doc);
	cJSON_Delete(doc);
	free(text);
	return 0;
}
