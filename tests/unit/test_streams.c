/*
 * The DynamoDB Streams client (src/ddb/streams*.c) on recorded answers:
 * real ones from moto_server (tests/vectors/streams/moto, recorded by
 * record_moto.py with boto3 making the calls) and hand-written ones shaped
 * from the AWS API reference (tests/vectors/streams/aws). What the walkers
 * find is held against cJSON's reading of the same bytes and against what
 * boto3 wrote (expected.json); every malformed variant must be refused.
 */
#include "unit.h"

#include <cJSON.h>

#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/streams.h"

#define FORUM_ARN "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252"

static struct slice sl(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

/* A vector and cJSON's reading of it. */
struct vec {
	char *text;
	size_t len;
	cJSON *doc;
};

static struct vec load(const char *rel)
{
	struct vec v;

	v.text = unit_read_vector(rel, &v.len);
	v.doc = cJSON_ParseWithLength(v.text, v.len);
	if (!v.doc)
		fail_msg("%s is not JSON", rel);
	return v;
}

static void unload(struct vec *v)
{
	free(v->text);
	cJSON_Delete(v->doc);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Whether the slice s holds the same JSON value as j (numbers and strings exactly as text). */
static int same_json(struct slice s, const cJSON *j)
{
	cJSON *mine = cJSON_ParseWithLength(s.p, s.n);
	int same = mine && cJSON_Compare(mine, j, 1);

	cJSON_Delete(mine);
	return same;
}

/* The stream ARN a recorded DescribeTable names. */
static char *latest_arn(const char *rel)
{
	struct vec t = load(rel);
	char *arn = strdup(get(get(t.doc, "Table"), "LatestStreamArn")->valuestring);

	unload(&t);
	return arn;
}

/* ---- DescribeTable ---- */

static void table_of(const char *rel, struct table_desc *t)
{
	struct vec v = load(rel);
	struct errbuf eb = ERRBUF_INIT;
	cJSON *raw = cJSON_DetachItemFromObjectCaseSensitive(v.doc, "Table");

	if (table_from_json(t, raw, &eb) < 0)
		fail_msg("%s: %s", rel, eb.msg);
	unload(&v);
}

static void test_table_stream_fields(void **state)
{
	struct table_desc t;
	struct errbuf eb = ERRBUF_INIT;
	char *arn = latest_arn("streams/moto/describe_table_orders.json");

	(void)state;
	table_of("streams/moto/describe_table_orders.json", &t);
	assert_true(t.stream_enabled);
	assert_string_equal(t.stream_view_type, "NEW_AND_OLD_IMAGES");
	assert_string_equal(t.stream_arn, arn);
	assert_non_null(t.stream_label);
	assert_non_null(strstr(t.stream_arn, t.stream_label));
	assert_int_equal(streams_table_check(&t, "profile 'src'", &eb), 0);
	table_desc_release(&t);

	table_of("streams/moto/describe_table_orders_keys.json", &t);
	assert_true(t.stream_enabled);
	assert_string_equal(t.stream_view_type, "KEYS_ONLY");
	assert_int_equal(streams_table_check(&t, "profile 'src'", &eb), -1);
	assert_int_equal(eb.exit, EXIT_USAGE);
	assert_non_null(strstr(eb.msg, "'orders-keys'"));
	assert_non_null(strstr(eb.msg, "KEYS_ONLY"));
	assert_non_null(strstr(eb.msg, "NEW_IMAGE"));
	table_desc_release(&t);

	errbuf_clear(&eb);
	table_of("streams/moto/describe_table_orders_plain.json", &t);
	assert_false(t.stream_enabled);
	assert_null(t.stream_view_type);
	assert_null(t.stream_arn);
	assert_int_equal(streams_table_check(&t, "profile 'src'", &eb), -1);
	assert_non_null(strstr(eb.msg, "'orders-plain' in profile 'src' has no stream"));
	assert_non_null(strstr(eb.msg, "StreamViewType=NEW_IMAGE"));
	table_desc_release(&t);
	free(arn);
}

/* ---- DescribeStream ---- */

static void test_describe_stream_from_moto(void **state)
{
	struct vec v = load("streams/moto/describe_stream_orders.json");
	char *arn = latest_arn("streams/moto/describe_table_orders.json");
	const cJSON *sd = get(v.doc, "StreamDescription");
	const cJSON *first = cJSON_GetArrayItem(get(sd, "Shards"), 0);
	struct streams_desc_page pg;
	struct stream_shards set;
	char why[256] = "";

	(void)state;
	if (streams_describe_parse((struct slice){ v.text, v.len }, arn, NULL, &pg, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_string_equal(pg.status, get(sd, "StreamStatus")->valuestring);
	assert_string_equal(pg.view_type, "NEW_AND_OLD_IMAGES");
	assert_int_equal(pg.nshards, cJSON_GetArraySize(get(sd, "Shards")));
	assert_string_equal(pg.last_shard, "");
	stream_shards_init(&set, 0);
	assert_int_equal(streams_describe_add(&set, &pg, why, sizeof(why)), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].id, get(first, "ShardId")->valuestring);
	assert_string_equal(set.v[0].start,
			    get(get(first, "SequenceNumberRange"), "StartingSequenceNumber")->valuestring);
	assert_false(stream_shard_closed(&set.v[0]));
	/* An answer about another stream is not this one's. */
	assert_int_equal(streams_describe_parse((struct slice){ v.text, v.len }, FORUM_ARN, NULL,
						&pg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "another stream"));
	stream_shards_release(&set);
	unload(&v);
	free(arn);
}

static void test_describe_pagination_must_advance(void **state)
{
	struct vec p1 = load("streams/aws/lineage_page1.json"), p2 = load("streams/aws/lineage_page2.json");
	struct streams_desc_page pg;
	struct stream_shards set;
	char why[256] = "";
	const char *last = "shardId-00000001414576573621-f55eea83";

	(void)state;
	stream_shards_init(&set, 0);
	assert_int_equal(streams_describe_parse((struct slice){ p1.text, p1.len }, FORUM_ARN, NULL,
						&pg, why, sizeof(why)), 0);
	assert_string_equal(pg.last_shard, last);
	assert_int_equal(pg.nshards, 3);
	assert_int_equal(streams_describe_add(&set, &pg, why, sizeof(why)), 0);
	/* The same page again, as the answer to "after f55eea83": it does not advance. */
	assert_int_equal(streams_describe_parse((struct slice){ p1.text, p1.len }, FORUM_ARN, last,
						&pg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "does not advance"));
	/* Its shards a second time into the same listing: going back. */
	assert_int_equal(streams_describe_parse((struct slice){ p1.text, p1.len }, FORUM_ARN, NULL,
						&pg, why, sizeof(why)), 0);
	assert_int_equal(streams_describe_add(&set, &pg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "two pages"));
	assert_int_equal(streams_describe_parse((struct slice){ p2.text, p2.len }, FORUM_ARN, last,
						&pg, why, sizeof(why)), 0);
	assert_string_equal(pg.last_shard, "");
	assert_int_equal(pg.nshards, 4);
	stream_shards_release(&set);
	unload(&p1);
	unload(&p2);
}

/* Replaces the first occurrence of from in text with to (a malformed variant of a good answer). */
static char *variant(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out;

	if (!at)
		fail_msg("'%s' not in the vector", from);
	out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static void test_malformed_describe_is_refused(void **state)
{
	static const struct {
		const char *from, *to, *why;
	} cases[] = {
		{ "\"Shards\":", "\"Shardz\":", "no Shards" },
		{ "\"StreamDescription\":", "\"Description\":", "no StreamDescription" },
		{ "\"StreamStatus\":\"ENABLED\"", "\"StreamStatus\":\"ON\"", "StreamStatus" },
		{ "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"", "\"StreamViewType\":1", "StreamViewType" },
		{ "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\",", "", "no StreamViewType" },
		{ "\"LastEvaluatedShardId\":\"shardId-00000001414576573621-f55eea83\"",
		  "\"LastEvaluatedShardId\":\"shardId-00000001414576573621-00000000\"", "not one of" },
		{ "\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\"",
		  "\"ShardId\":\"shardId-00000001414576573621-f55eea83\"", "twice" },
		{ "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"2574600000000000000935255\"}",
		  "\"Range\":{}", "no SequenceNumberRange" },
		{ "{\"StartingSequenceNumber\":\"2574600000000000000935255\"}", "{}",
		  "no StartingSequenceNumber" },
		{ "\"EndingSequenceNumber\":\"820400000000000001199999\"",
		  "\"EndingSequenceNumber\":\"820400000000000001000000\"", "before it starts" },
		{ "\"StartingSequenceNumber\":\"2574600000000000000935255\"",
		  "\"StartingSequenceNumber\":2574600000000000000935255", "StartingSequenceNumber" },
		{ "\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\"", "\"ShardId\":\"\"", "ShardId" },
		{ "\"StreamArn\":", "\"StreamArn\":\"x\",\"StreamArn\":", "twice" },
		{ "{\"StreamDescription\":", "{\"StreamDescription\":1,\"StreamDescription\":", "StreamDescription twice" },
		/* Control characters: a message quoting the id would span lines (found by fuzzing). */
		{ "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"2574600000000000000935255\"},\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\"",
		  "\"ShardId\":\"shardId-00000001414608446368\\n3a1afbaf\"", "not a shard id" },
		{ "\"StreamArn\":\"arn", "\"StreamArn\":\"\\r\\narn", "not an ARN" },
		/* Broken inside a member the walker does not use: still not an answer. */
		{ "\"KeySchema\":", "\"TableName\":[1,,2],\"KeySchema\":", "not valid JSON" },
	};
	struct vec p1 = load("streams/aws/lineage_page1.json");
	struct streams_desc_page pg;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = variant(p1.text, cases[i].from, cases[i].to);

		why[0] = '\0';
		if (streams_describe_parse(sl(bad), FORUM_ARN, NULL, &pg, why, sizeof(why)) == 0)
			fail_msg("case %zu accepted: %s", i, bad);
		if (!strstr(why, cases[i].why) || strchr(why, '\n'))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
		free(bad);
	}
	unload(&p1);
}

/* ---- GetShardIterator ---- */

static void test_shard_iterator(void **state)
{
	struct vec v = load("streams/moto/get_shard_iterator_orders.json");
	struct buf it = BUF_INIT;
	char why[256] = "";

	(void)state;
	assert_int_equal(streams_iterator_parse((struct slice){ v.text, v.len }, &it, why, sizeof(why)), 0);
	assert_string_equal(it.data, get(v.doc, "ShardIterator")->valuestring);
	assert_int_equal(streams_iterator_parse(sl("{}"), &it, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no ShardIterator"));
	assert_int_equal(streams_iterator_parse(sl("{\"ShardIterator\":\"\"}"), &it, why, sizeof(why)), -1);
	assert_int_equal(streams_iterator_parse(sl("{\"ShardIterator\":null}"), &it, why, sizeof(why)), -1);
	assert_int_equal(streams_iterator_parse(sl("{\"ShardIterator\":\"a\",\"ShardIterator\":\"b\"}"),
						&it, why, sizeof(why)), -1);
	buf_release(&it);
	unload(&v);
}

/* ---- GetRecords ---- */

/* What boto3 wrote (expected.json), as the events a stream must show, in order. */
struct expected {
	cJSON *doc;
	int n;
	enum stream_event event[16];
	const cJSON *item[16];		/* the item put, or the key deleted */
};

static int same_key(const cJSON *a, const cJSON *b)
{
	return cJSON_Compare(get(a, "PK"), get(b, "PK"), 1) && cJSON_Compare(get(a, "SK"), get(b, "SK"), 1);
}

static void expected_events(struct expected *ex)
{
	struct vec v = load("streams/moto/expected.json");
	const cJSON *w, *live[16];
	int nlive = 0, i;

	ex->doc = v.doc;
	free(v.text);
	ex->n = 0;
	cJSON_ArrayForEach(w, get(ex->doc, "writes")) {
		const char *op = cJSON_GetArrayItem(w, 0)->valuestring;
		const cJSON *x = cJSON_GetArrayItem(w, 1);
		int found = -1;

		for (i = 0; i < nlive; i++)
			if (live[i] && same_key(live[i], x))
				found = i;
		if (!strcmp(op, "put")) {
			ex->event[ex->n] = found >= 0 ? STREAM_MODIFY : STREAM_INSERT;
			if (found < 0)
				live[nlive++] = x;
		} else {
			ex->event[ex->n] = STREAM_REMOVE;
			live[found] = NULL;
		}
		ex->item[ex->n++] = x;
	}
}

static void test_records_from_moto(void **state)
{
	struct vec v = load("streams/moto/get_records_orders.json");
	struct streams_records_want want = { NULL, NULL, 1 };
	struct streams_records_page pg;
	struct stream_record rec;
	struct expected ex;
	struct js_iter it;
	struct buf next = BUF_INIT;
	const cJSON *jr;
	char why[256] = "", prev[STREAM_SEQ_MAX + 1] = "";
	int i = 0;

	(void)state;
	expected_events(&ex);
	if (streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_int_equal(pg.nrecords, ex.n);
	assert_false(pg.ended);
	assert_int_equal(streams_records_next_iterator(&pg, &next), 0);
	assert_string_equal(next.data, get(v.doc, "NextShardIterator")->valuestring);
	streams_records_begin(&it, &pg);
	jr = get(v.doc, "Records")->child;
	for (; streams_records_next(&it, &rec) == 1; i++, jr = jr->next) {
		const cJSON *ch = get(jr, "dynamodb");
		double t = get(ch, "ApproximateCreationDateTime")->valuedouble * 1000;

		assert_int_equal(rec.event, ex.event[i]);
		assert_string_equal(rec.seq, get(ch, "SequenceNumber")->valuestring);
		assert_true(stream_seq_compare(rec.seq, prev) > 0);
		snprintf(prev, sizeof(prev), "%s", rec.seq);
		assert_true(rec.created_ms >= (int64_t)t - 1 && rec.created_ms <= (int64_t)t + 1);
		assert_false(rec.ttl);
		/* The slices are the answer's own bytes: the same JSON as cJSON reads there. */
		assert_true(rec.keys.p > v.text && rec.keys.p + rec.keys.n < v.text + v.len);
		assert_true(same_json(rec.keys, get(ch, "Keys")));
		assert_true(same_key(get(ch, "Keys"), ex.item[i]));
		if (rec.event == STREAM_REMOVE) {
			assert_int_equal(rec.new_image.n, 0);
			assert_true(same_json(rec.old_image, get(ch, "OldImage")));
		} else {
			/* What boto3 put is what the image holds, numbers as written. */
			assert_true(same_json(rec.new_image, ex.item[i]));
			assert_true(same_json(rec.new_image, get(ch, "NewImage")));
		}
	}
	assert_int_equal(i, ex.n);
	assert_string_equal(pg.last_seq, prev);
	/* The 38-digit number is in the image as the digits boto3 sent. */
	assert_non_null(strstr(v.text, "\"N\": \"12345678901234567890123456789012345678\""));
	cJSON_Delete(ex.doc);
	buf_release(&next);
	unload(&v);
}

static void test_records_must_carry_new_images(void **state)
{
	struct vec v = load("streams/moto/get_records_orders_keys.json");
	struct streams_records_want want = { NULL, NULL, 1 };
	struct streams_records_page pg;
	char why[256] = "";

	(void)state;
	assert_int_equal(streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why,
					       sizeof(why)), -1);
	assert_non_null(strstr(why, "has no NewImage"));
	want.new_images = 0;
	assert_int_equal(streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why,
					       sizeof(why)), 0);
	assert_int_equal(pg.nrecords, 5);
	unload(&v);
}

static void test_records_after_the_position(void **state)
{
	struct vec v = load("streams/moto/get_records_orders.json");
	struct vec d = load("streams/moto/describe_stream_orders.json");
	struct streams_records_want want = { NULL, NULL, 1 };
	struct streams_records_page pg;
	struct stream_shards set;
	struct stream_shard late;
	char why[256] = "", *arn = latest_arn("streams/moto/describe_table_orders.json");
	struct streams_desc_page dp;
	const cJSON *third = cJSON_GetArrayItem(get(v.doc, "Records"), 2);

	(void)state;
	stream_shards_init(&set, 0);
	assert_int_equal(streams_describe_parse((struct slice){ d.text, d.len }, arn, NULL, &dp, why,
						sizeof(why)), 0);
	assert_int_equal(streams_describe_add(&set, &dp, why, sizeof(why)), 0);
	/* The records lie inside their shard's range. */
	want.shard = &set.v[0];
	assert_int_equal(streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why,
					       sizeof(why)), 0);
	late = set.v[0];
	snprintf(late.start, sizeof(late.start), "%s",
		 get(get(third, "dynamodb"), "SequenceNumber")->valuestring);
	want.shard = &late;
	assert_int_equal(streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why,
					       sizeof(why)), -1);
	assert_non_null(strstr(why, "outside the range"));
	/* Records at or before the position asked for are refused: never applied twice, never reordered. */
	want.shard = NULL;
	want.after = get(get(third, "dynamodb"), "SequenceNumber")->valuestring;
	assert_int_equal(streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why,
					       sizeof(why)), -1);
	assert_non_null(strstr(why, "not after the position"));
	stream_shards_release(&set);
	unload(&v);
	unload(&d);
	free(arn);
}

static void test_caught_up_and_ended(void **state)
{
	struct vec up = load("streams/moto/get_records_caught_up.json");
	struct vec end = load("streams/aws/records_closed_end.json");
	struct streams_records_want want = { NULL, NULL, 1 };
	struct stream_shard sh;
	struct streams_records_page pg;
	struct stream_record rec;
	struct js_iter it;
	struct buf next = BUF_INIT;
	char why[256] = "";

	(void)state;
	assert_int_equal(streams_records_parse((struct slice){ up.text, up.len }, &want, &pg, why,
					       sizeof(why)), 0);
	assert_int_equal(pg.nrecords, 0);
	assert_false(pg.ended);
	assert_string_equal(pg.last_seq, "");
	/* The closed shard 674fd923 of the hand-written lineage, read to its end. */
	memset(&sh, 0, sizeof(sh));
	snprintf(sh.id, sizeof(sh.id), "shardId-00000001414592258131-674fd923");
	snprintf(sh.start, sizeof(sh.start), "1683700000000000001135967");
	snprintf(sh.end, sizeof(sh.end), "1683700000000000001139999");
	want.shard = &sh;
	want.after = "1683700000000000001139000";
	if (streams_records_parse((struct slice){ end.text, end.len }, &want, &pg, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_true(pg.ended);
	assert_int_equal(pg.nrecords, 2);
	assert_string_equal(pg.last_seq, "1683700000000000001139999");
	assert_int_equal(pg.last_created_ms, 1464806470000);
	assert_int_equal(streams_records_next_iterator(&pg, &next), -1);
	streams_records_begin(&it, &pg);
	assert_int_equal(streams_records_next(&it, &rec), 1);
	assert_int_equal(rec.event, STREAM_INSERT);
	assert_non_null(memmem(rec.new_image.p, rec.new_image.n,
			       "\"N\":\"100000000000000000000000000000000000001\"", 43));
	assert_int_equal(streams_records_next(&it, &rec), 1);
	assert_int_equal(rec.event, STREAM_REMOVE);
	assert_int_equal(streams_records_next(&it, &rec), 0);
	buf_release(&next);
	unload(&up);
	unload(&end);
}

static void test_time_to_live_and_escapes(void **state)
{
	struct vec v = load("streams/aws/records_ttl.json");
	struct streams_records_want want = { NULL, NULL, 1 };
	struct streams_records_page pg;
	struct stream_record rec;
	struct js_iter it;
	struct buf next = BUF_INIT;
	char why[256] = "";
	int ttl[3], i;

	(void)state;
	if (streams_records_parse((struct slice){ v.text, v.len }, &want, &pg, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	streams_records_begin(&it, &pg);
	for (i = 0; i < 3; i++) {
		assert_int_equal(streams_records_next(&it, &rec), 1);
		ttl[i] = rec.ttl;
		if (i == 0)
			assert_int_equal(rec.created_ms, 1464806460000);
	}
	assert_false(ttl[0]);
	assert_false(ttl[1]);
	assert_true(ttl[2]);
	/* "\/" in the iterator is '/': the iterator sent back is the decoded one. */
	assert_int_equal(streams_records_next_iterator(&pg, &next), 0);
	assert_string_equal(next.data, get(v.doc, "NextShardIterator")->valuestring);
	assert_non_null(strstr(next.data, "|1|AAAAAAAAAAGQBYshYDEe/k+U"));
	buf_release(&next);
	unload(&v);
}

/* One record, in the shape of the API reference; pieces replaced by the cases. */
#define ONE_RECORD(name, keys, image, seq, time, extra)                                     \
	"{\"Records\":[{\"eventName\":\"" name "\",\"dynamodb\":{\"Keys\":" keys image        \
	",\"SequenceNumber\":\"" seq "\",\"ApproximateCreationDateTime\":" time "}" extra "}]," \
	"\"NextShardIterator\":\"it\"}"
#define KEYS "{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}}"
#define IMAGE ",\"NewImage\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1.0\"},\"x\":{\"N\":\"7\"}}"

static void test_record_times(void **state)
{
	static const struct {
		const char *body;
		int64_t ms;
	} cases[] = {
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1.46480646E9", ""), 1464806460000 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1796625855.985", ""), 1796625855985 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "\"1.46480646E9\"", ""), 1464806460000 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1479499740", ""), 1479499740000 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "0.0009", ""), 0 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1E-3", ""), 1 },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "14798.9999999999999999999999e5", ""), 1479899999999 },
	};
	struct streams_records_page pg;
	char why[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (streams_records_parse(sl(cases[i].body), NULL, &pg, why, sizeof(why)) < 0)
			fail_msg("case %zu: %s", i, why);
		if (pg.last_created_ms != cases[i].ms)
			fail_msg("case %zu: %lld ms, wanted %lld", i, (long long)pg.last_created_ms,
				 (long long)cases[i].ms);
	}
}

static void test_malformed_records_are_refused(void **state)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
		{ "{\"NextShardIterator\":\"it\"}", "no Records" },
		{ "{\"Records\":{},\"NextShardIterator\":\"it\"}", "not a list" },
		{ "{\"Records\":[],\"Records\":[]}", "twice" },
		{ "{\"Records\":[],\"NextShardIterator\":\"\"}", "NextShardIterator" },
		{ "{\"Records\":[],\"NextShardIterator\":7}", "NextShardIterator" },
		{ "{\"Records\":[1]}", "not a record" },
		{ "{\"Records\":[]", "cut short" },
		{ ONE_RECORD("INSERT", KEYS, ",\"NewImage\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"},\"x\":{\"N\":01}}",
			     "111111111111111111111", "1", ""), "not valid JSON" },
		{ ONE_RECORD("UPSERT", KEYS, IMAGE, "111111111111111111111", "1", ""), "eventName" },
		{ ONE_RECORD("INSERT", "{}", IMAGE, "111111111111111111111", "1", ""), "no Keys" },
		{ ONE_RECORD("INSERT", "{\"PK\":{\"SS\":[\"a\"]}}", IMAGE, "111111111111111111111", "1", ""), "no Keys" },
		{ ONE_RECORD("INSERT", KEYS, "", "111111111111111111111", "1", ""), "no NewImage" },
		{ ONE_RECORD("INSERT", KEYS, ",\"NewImage\":[]", "111111111111111111111", "1", ""), "not an item" },
		{ ONE_RECORD("MODIFY", "{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"2\"}}", IMAGE, "111111111111111111111", "1", ""),
		  "does not hold its Keys" },
		{ ONE_RECORD("INSERT", "{\"PK\":{\"S\":\"b\"}}", IMAGE, "111111111111111111111", "1", ""),
		  "does not hold its Keys" },
		{ ONE_RECORD("REMOVE", KEYS, IMAGE, "111111111111111111111", "1", ""), "REMOVE) has a NewImage" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "11111111111111111111a", "1", ""), "SequenceNumber" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "12345678901234567890123456789012345678901", "1", ""), "SequenceNumber" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "-1", ""), "not a time" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1e30", ""), "not a time" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "\"soon\"", ""), "not a time" },
		{ ONE_RECORD("INSERT", KEYS, IMAGE, "111111111111111111111", "1", ",\"eventName\":\"INSERT\""), "twice" },
		{ "{\"Records\":[{\"eventName\":\"INSERT\"}]}", "no dynamodb" },
		{ "{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":" KEYS
		  ",\"ApproximateCreationDateTime\":1}}]}", "no SequenceNumber" },
		{ "{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":" KEYS
		  ",\"SequenceNumber\":\"111111111111111111111\"}}]}", "no ApproximateCreationDateTime" },
		/* Two records out of order. */
		{ "{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":" KEYS
		  ",\"SequenceNumber\":\"111111111111111111112\",\"ApproximateCreationDateTime\":1}},"
		  "{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":" KEYS
		  ",\"SequenceNumber\":\"111111111111111111111\",\"ApproximateCreationDateTime\":1}}]}",
		  "not in order" },
	};
	struct streams_records_want want = { NULL, NULL, 1 };
	struct streams_records_page pg;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (streams_records_parse(sl(cases[i].body), &want, &pg, why, sizeof(why)) == 0)
			fail_msg("case %zu accepted: %s", i, cases[i].body);
		if (!strstr(why, cases[i].why) || strchr(why, '\n'))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
	}
	/* The key values match by value: SK 1 and 1.0 are the same number. */
	assert_int_equal(streams_records_parse(sl(ONE_RECORD("MODIFY", KEYS, IMAGE, "111111111111111111111",
							     "1", "")), &want, &pg, why, sizeof(why)), 0);
}

/* Every recorded answer cut short anywhere is refused by its walker, never read past its end. */
static void test_cut_answers_are_refused(void **state)
{
	static const char *const files[] = {
		"streams/moto/describe_stream_orders.json", "streams/aws/lineage_page1.json",
		"streams/moto/get_records_orders.json", "streams/aws/records_ttl.json",
		"streams/moto/get_shard_iterator_orders.json", "streams/moto/list_streams.json",
	};
	size_t f, cut;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct vec v = load(files[f]);
		size_t len = v.len;

		while (len && strchr(" \n\r\t", v.text[len - 1]))
			len--;
		for (cut = 0; cut < len; cut++) {
			char *part = malloc(cut ? cut : 1);
			struct slice s = { part, cut };
			struct streams_desc_page dp;
			struct streams_records_page rp;
			struct streams_list_page lp;

			memcpy(part, v.text, cut);
			if (streams_describe_parse(s, FORUM_ARN, NULL, &dp, NULL, 0) == 0 ||
			    streams_records_parse(s, NULL, &rp, NULL, 0) == 0 ||
			    streams_iterator_parse(s, NULL, NULL, 0) == 0 ||
			    streams_list_parse(s, NULL, &lp, NULL, 0) == 0)
				fail_msg("%s cut at %zu accepted", files[f], cut);
			free(part);
		}
		unload(&v);
	}
}

/* ---- ListStreams ---- */

static void test_list_streams(void **state)
{
	struct vec v = load("streams/moto/list_streams.json");
	const cJSON *first = cJSON_GetArrayItem(get(v.doc, "Streams"), 0);
	struct streams_list_page pg;
	struct buf arn = BUF_INIT, table = BUF_INIT;
	struct js_iter it;
	char why[256] = "";
	char *page;

	(void)state;
	assert_int_equal(streams_list_parse((struct slice){ v.text, v.len }, NULL, &pg, why, sizeof(why)), 0);
	assert_int_equal(pg.nstreams, 1);
	streams_list_begin(&it, &pg);
	assert_int_equal(streams_list_next(&it, &arn, &table), 1);
	assert_string_equal(arn.data, get(first, "StreamArn")->valuestring);
	assert_string_equal(table.data, "orders");
	assert_int_equal(streams_list_next(&it, &arn, &table), 0);
	/* A LastEvaluatedStreamArn must be one of the page's, and not where it started. */
	page = variant(v.text, "]}", "], \"LastEvaluatedStreamArn\": \"arn:aws:dynamodb:us-east-1:1:table/x/stream/y\"}");
	assert_int_equal(streams_list_parse(sl(page), NULL, &pg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not one of"));
	free(page);
	page = malloc(v.len + 2048);
	snprintf(page, v.len + 2048, "%.*s, \"LastEvaluatedStreamArn\": \"%s\"}", (int)(v.len - 1), v.text,
		 get(first, "StreamArn")->valuestring);
	assert_int_equal(streams_list_parse(sl(page), NULL, &pg, why, sizeof(why)), 0);
	assert_string_equal(pg.last_arn, get(first, "StreamArn")->valuestring);
	assert_int_equal(streams_list_parse(sl(page), pg.last_arn, &pg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "does not advance"));
	free(page);
	assert_int_equal(streams_list_parse(sl("{\"Streams\":[{\"StreamArn\":\"a\"}]}"), NULL, &pg, why,
					    sizeof(why)), -1);
	assert_int_equal(streams_list_parse(sl("{}"), NULL, &pg, why, sizeof(why)), -1);
	buf_release(&arn);
	buf_release(&table);
	unload(&v);
}

/* ---- request bodies ---- */

static void expect_body(int r, const struct buf *b, const char *want)
{
	if (r < 0)
		fail_msg("builder refused, wanted %s", want);
	assert_string_equal(b->data, want);
}

static void test_request_bodies(void **state)
{
	struct buf b = BUF_INIT;
	struct stream_pos pos;
	const char *sh = "shardId-00000001414608446368-3a1afbaf";

	(void)state;
	expect_body(streams_describe_body(&b, FORUM_ARN, NULL, 100), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"Limit\":100}");
	expect_body(streams_describe_body(&b, FORUM_ARN, sh, 7), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ExclusiveStartShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"Limit\":7}");
	expect_body(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_TRIM_HORIZON, NULL), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"ShardIteratorType\":\"TRIM_HORIZON\"}");
	expect_body(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_LATEST, NULL), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"ShardIteratorType\":\"LATEST\"}");
	expect_body(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_AT_SEQUENCE_NUMBER, "25746000000000000009352551"), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"SequenceNumber\":\"25746000000000000009352551\"}");
	assert_int_equal(stream_pos_start(&pos, sh), 0);
	expect_body(streams_iterator_body_at(&b, FORUM_ARN, &pos), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"ShardIteratorType\":\"TRIM_HORIZON\"}");
	assert_int_equal(stream_pos_advance(&pos, "2574600000000000000935255"), 0);
	expect_body(streams_iterator_body_at(&b, FORUM_ARN, &pos), &b,
		    "{\"StreamArn\":\"" FORUM_ARN "\",\"ShardId\":\"shardId-00000001414608446368-3a1afbaf\",\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"2574600000000000000935255\"}");
	stream_pos_end(&pos);
	assert_int_equal(streams_iterator_body_at(&b, FORUM_ARN, &pos), -1);
	expect_body(streams_records_body(&b, "arn|1|a\"b\\c/d", 13, 1000), &b,
		    "{\"ShardIterator\":\"arn|1|a\\\"b\\\\c/d\",\"Limit\":1000}");
	expect_body(streams_list_body(&b, "orders", NULL, 100), &b, "{\"TableName\":\"orders\",\"Limit\":100}");
	expect_body(streams_list_body(&b, NULL, FORUM_ARN, 5), &b,
		    "{\"ExclusiveStartStreamArn\":\"" FORUM_ARN "\",\"Limit\":5}");
	/* What the API would refuse is refused here. */
	assert_int_equal(streams_describe_body(&b, FORUM_ARN, NULL, 0), -1);
	assert_int_equal(streams_describe_body(&b, FORUM_ARN, NULL, 101), -1);
	assert_int_equal(streams_describe_body(&b, "", NULL, 1), -1);
	assert_int_equal(streams_describe_body(&b, FORUM_ARN, "bad id", 1), -1);
	assert_int_equal(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_AFTER_SEQUENCE_NUMBER, NULL), -1);
	assert_int_equal(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_TRIM_HORIZON, "1"), -1);
	assert_int_equal(streams_iterator_body(&b, FORUM_ARN, sh, STREAM_AT_SEQUENCE_NUMBER, "1x"), -1);
	assert_int_equal(streams_iterator_body(&b, FORUM_ARN, sh, (enum stream_iterator_type)9, NULL), -1);
	assert_int_equal(streams_records_body(&b, "it", 2, 1001), -1);
	assert_int_equal(streams_records_body(&b, "", 0, 1), -1);
	assert_int_equal(streams_list_body(&b, "x", NULL, 1), -1);
	buf_release(&b);
}

/* ---- errors ---- */

static struct endpoint test_ep = { (char *)"https://streams.dynamodb.us-east-1.amazonaws.com",
				   (char *)"streams.dynamodb.us-east-1.amazonaws.com", (char *)"", 0 };

static enum streams_fault fault_of(struct http_call *c, long status, const char *body)
{
	memset(c, 0, sizeof(*c));
	c->ep = &test_ep;
	c->target = STREAMS_TARGET("GetRecords");
	c->outcome = HTTP_REJECTED;
	aws_error_parse(&c->err, PROTO_AWS_JSON, status, body, strlen(body));
	if (c->err.retryable)
		c->outcome = HTTP_GAVE_UP;
	return streams_classify(c);
}

static void test_errors_say_what_to_do(void **state)
{
	struct vec nf = load("streams/moto/describe_stream_not_found.json");
	struct http_call c;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	assert_int_equal(fault_of(&c, 400, nf.text), STREAMS_FAULT_NOT_FOUND);
	assert_int_equal(streams_report(&c, STREAMS_FAULT_NOT_FOUND, "orders", &eb), -1);
	assert_int_equal(eb.exit, EXIT_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "fresh copy"));
	assert_non_null(strstr(eb.msg, "Requested resource not found"));
	errbuf_clear(&eb);
	assert_int_equal(fault_of(&c, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException\","
				  "\"message\":\"The operation attempted to read past the oldest stream record in a shard.\"}"),
			 STREAMS_FAULT_TRIMMED);
	assert_int_equal(streams_report(&c, STREAMS_FAULT_TRIMMED, "orders", &eb), -1);
	assert_non_null(strstr(eb.msg, "GetRecords on the stream of table 'orders'"));
	assert_non_null(strstr(eb.msg, "24-hour retention"));
	assert_non_null(strstr(eb.msg, "fresh copy"));
	assert_non_null(strstr(eb.msg, "TrimmedDataAccessException"));
	assert_null(strchr(eb.msg, '\n'));
	errbuf_clear(&eb);
	assert_int_equal(fault_of(&c, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException\","
				  "\"message\":\"Iterator expired\"}"), STREAMS_FAULT_EXPIRED_ITERATOR);
	assert_int_equal(fault_of(&c, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#LimitExceededException\","
				  "\"message\":\"Too many requests\"}"), STREAMS_FAULT_RETRY);
	assert_int_equal(fault_of(&c, 500, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\"}"),
			 STREAMS_FAULT_RETRY);
	assert_int_equal(fault_of(&c, 500, "<html>oops</html>"), STREAMS_FAULT_RETRY);
	assert_int_equal(fault_of(&c, 400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
				  "\"message\":\"Invalid ShardId\"}"), STREAMS_FAULT_FAILED);
	assert_int_equal(fault_of(&c, 400, "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\","
				  "\"message\":\"not authorized to perform: dynamodb:GetRecords\"}"), STREAMS_FAULT_FAILED);
	assert_int_equal(streams_report(&c, STREAMS_FAULT_FAILED, "orders", &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "dynamodb:GetShardIterator"));
	assert_non_null(strstr(eb.msg, "table/orders/stream/"));
	c.outcome = HTTP_OK;
	assert_int_equal(streams_classify(&c), STREAMS_FAULT_NONE);
	unload(&nf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_stream_fields),
		cmocka_unit_test(test_describe_stream_from_moto),
		cmocka_unit_test(test_describe_pagination_must_advance),
		cmocka_unit_test(test_malformed_describe_is_refused),
		cmocka_unit_test(test_shard_iterator),
		cmocka_unit_test(test_records_from_moto),
		cmocka_unit_test(test_records_must_carry_new_images),
		cmocka_unit_test(test_records_after_the_position),
		cmocka_unit_test(test_caught_up_and_ended),
		cmocka_unit_test(test_time_to_live_and_escapes),
		cmocka_unit_test(test_record_times),
		cmocka_unit_test(test_malformed_records_are_refused),
		cmocka_unit_test(test_cut_answers_are_refused),
		cmocka_unit_test(test_list_streams),
		cmocka_unit_test(test_request_bodies),
		cmocka_unit_test(test_errors_say_what_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
