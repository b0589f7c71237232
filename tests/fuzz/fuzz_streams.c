/*
 * The DynamoDB Streams walkers (src/ddb/streams_parse.c) and what rests on
 * them: the shard lineage order and positions (src/ddb/shards.c). Every
 * input is offered as a DescribeStream, GetShardIterator, GetRecords and
 * ListStreams answer, and as a checkpoint's position line.
 *
 * What must hold:
 *  - an answer a walker accepts has what its operation always returns, as
 *    an independent parser (cJSON) reads the same text: a StreamDescription
 *    of the stream asked for with as many Shards, a LastEvaluatedShardId
 *    among them; Records with as many records, each eventName as read,
 *    NextShardIterator absent or null exactly when the shard ended; a
 *    ShardIterator of 1 to 2048 characters; Streams with as many entries;
 *  - records come in strictly increasing sequence numbers, after the
 *    position asked for, INSERT and MODIFY with a NewImage when asked;
 *  - every slice a walker returns lies inside the answer and is valid JSON;
 *  - the shards of an accepted listing order parents before children,
 *    each shard once;
 *  - a position line read back is written out the same, byte for byte;
 *  - a refusal says why, on one line.
 */
#include "fuzz.h"

#include <cJSON.h>

#include "dynamo/buf.h"
#include "dynamo/json_scan.h"
#include "dynamo/shards.h"
#include "dynamo/streams.h"

#define ARN "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-07T06:44:27.575494"
#define AFTER "1100000000017454423008"

static void check_why(const char *why)
{
	size_t n = strlen(why);

	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(!memchr(why, '\n', n));
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void check_inside(struct slice s, const char *body, size_t len)
{
	FUZZ_CHECK(fuzz_within(s.p, s.n, body, len));
	FUZZ_CHECK(js_valid(s));
}

/* The lineage order of an accepted listing: each shard once, parents first. */
static void check_order(struct stream_shards *set)
{
	char why[512] = "";
	int *pos, i;

	if (stream_shards_order(set, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	pos = calloc((size_t)set->n + 1, sizeof(int));
	for (i = 0; i < set->n; i++) {
		FUZZ_CHECK(set->order[i] >= 0 && set->order[i] < set->n);
		FUZZ_CHECK(!pos[set->order[i]]);
		pos[set->order[i]] = i + 1;
	}
	for (i = 0; i < set->n; i++) {
		int p = set->parent[i];

		FUZZ_CHECK(p == (set->v[i].parent[0] ? stream_shards_find(set, set->v[i].parent) : -1));
		FUZZ_CHECK(p < 0 || pos[p] < pos[i]);
	}
	free(pos);
}

static void check_describe(const char *body, size_t len, const cJSON *doc, const char *start)
{
	struct streams_desc_page pg;
	struct stream_shards set;
	char why[512] = "";
	const cJSON *sd, *shards, *sh;
	int last_listed = 0;

	if (streams_describe_parse((struct slice){ body, len }, ARN, start, &pg, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	check_inside(pg.shards, body, len);
	FUZZ_CHECK(!pg.last_shard[0] || !start || strcmp(pg.last_shard, start));
	stream_shards_init(&set, 0);
	FUZZ_CHECK(streams_describe_add(&set, &pg, why, sizeof(why)) == 0);
	FUZZ_CHECK(set.n == pg.nshards);
	/* The same page again is pagination going back. */
	if (pg.nshards)
		FUZZ_CHECK(streams_describe_add(&set, &pg, why, sizeof(why)) < 0);
	check_order(&set);
	stream_shards_release(&set);
	/* cJSON refuses some valid JSON (a lone surrogate escape): then there is nothing to compare with. */
	if (!doc)
		return;
	sd = get(doc, "StreamDescription");
	shards = get(sd, "Shards");
	FUZZ_CHECK(cJSON_IsString(get(sd, "StreamArn")) && !strcmp(get(sd, "StreamArn")->valuestring, ARN));
	FUZZ_CHECK(cJSON_IsString(get(sd, "StreamStatus")) &&
		   !strcmp(get(sd, "StreamStatus")->valuestring, pg.status));
	FUZZ_CHECK(cJSON_IsArray(shards) && cJSON_GetArraySize(shards) == pg.nshards);
	cJSON_ArrayForEach(sh, shards) {
		const cJSON *id = get(sh, "ShardId");

		FUZZ_CHECK(cJSON_IsString(id));
		FUZZ_CHECK(cJSON_IsString(get(get(sh, "SequenceNumberRange"), "StartingSequenceNumber")));
		last_listed |= !strcmp(id->valuestring, pg.last_shard);
	}
	FUZZ_CHECK(!pg.last_shard[0] || last_listed);
}

static enum stream_event event_of(const cJSON *r)
{
	const char *e = cJSON_GetStringValue(get(r, "eventName"));

	return !e ? 0 : !strcmp(e, "INSERT") ? STREAM_INSERT : !strcmp(e, "MODIFY") ? STREAM_MODIFY :
		!strcmp(e, "REMOVE") ? STREAM_REMOVE : 0;
}

static void check_records(const char *body, size_t len, const cJSON *doc,
			  const struct streams_records_want *want)
{
	struct streams_records_page pg;
	struct stream_record rec;
	struct js_iter it;
	struct buf next = BUF_INIT;
	char why[512] = "", prev[STREAM_SEQ_MAX + 1] = "";
	const cJSON *records, *jr, *jn;
	int n = 0, r;

	if (streams_records_parse((struct slice){ body, len }, want, &pg, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	records = get(doc, "Records");
	jn = get(doc, "NextShardIterator");
	FUZZ_CHECK(!doc || (cJSON_IsArray(records) && cJSON_GetArraySize(records) == pg.nrecords));
	FUZZ_CHECK(!doc || pg.ended == (!jn || cJSON_IsNull(jn)));
	FUZZ_CHECK((streams_records_next_iterator(&pg, &next) == 0) == !pg.ended);
	if (!pg.ended) {
		FUZZ_CHECK(next.len >= 1 && next.len <= STREAMS_ITERATOR_MAX);
		FUZZ_CHECK(!doc || cJSON_IsString(jn));
		FUZZ_CHECK(!doc || memchr(next.data, 0, next.len) || !strcmp(next.data, jn->valuestring));
	}
	buf_release(&next);
	/* cJSON refuses some valid JSON (a lone surrogate escape): then there is nothing to compare with. */
	jr = doc ? records->child : NULL;
	streams_records_begin(&it, &pg);
	while ((r = streams_records_next(&it, &rec)) == 1) {
		FUZZ_CHECK(!doc || (jr && rec.event == event_of(jr)));
		FUZZ_CHECK(stream_seq_valid(rec.seq, strlen(rec.seq)));
		FUZZ_CHECK(!prev[0] || stream_seq_compare(rec.seq, prev) > 0);
		FUZZ_CHECK(!want->after || stream_seq_compare(rec.seq, want->after) > 0);
		FUZZ_CHECK(rec.created_ms >= 0);
		check_inside(rec.keys, body, len);
		FUZZ_CHECK(*rec.keys.p == '{');
		if (rec.new_image.n)
			check_inside(rec.new_image, body, len);
		if (rec.old_image.n)
			check_inside(rec.old_image, body, len);
		FUZZ_CHECK(rec.event != STREAM_REMOVE || !rec.new_image.n);
		FUZZ_CHECK(!want->new_images || rec.event == STREAM_REMOVE || rec.new_image.n);
		FUZZ_CHECK(!rec.ttl || rec.event == STREAM_REMOVE);
		snprintf(prev, sizeof(prev), "%s", rec.seq);
		jr = jr ? jr->next : NULL;
		n++;
	}
	FUZZ_CHECK(r == 0 && n == pg.nrecords && !jr);
	FUZZ_CHECK(!strcmp(prev, pg.last_seq));
}

static void check_iterator(const char *body, size_t len, const cJSON *doc)
{
	struct buf it = BUF_INIT;
	char why[512] = "";

	if (streams_iterator_parse((struct slice){ body, len }, &it, why, sizeof(why)) < 0) {
		check_why(why);
	} else {
		FUZZ_CHECK(it.len >= 1 && it.len <= STREAMS_ITERATOR_MAX);
		FUZZ_CHECK(!doc || cJSON_IsString(get(doc, "ShardIterator")));
		FUZZ_CHECK(!doc || memchr(it.data, 0, it.len) ||
			   !strcmp(it.data, get(doc, "ShardIterator")->valuestring));
	}
	buf_release(&it);
}

static void check_list(const char *body, size_t len, const cJSON *doc)
{
	struct streams_list_page pg;
	struct buf arn = BUF_INIT, table = BUF_INIT;
	struct js_iter it;
	char why[512] = "";
	int n = 0, r;

	if (streams_list_parse((struct slice){ body, len }, NULL, &pg, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	FUZZ_CHECK(!doc || cJSON_GetArraySize(get(doc, "Streams")) == pg.nstreams);
	check_inside(pg.streams, body, len);
	streams_list_begin(&it, &pg);
	while ((r = streams_list_next(&it, &arn, &table)) == 1)
		FUZZ_CHECK(arn.len && table.len && ++n);
	FUZZ_CHECK(r == 0 && n == pg.nstreams);
	buf_release(&arn);
	buf_release(&table);
}

static void check_position(const char *body, size_t len)
{
	struct stream_pos pos;
	struct buf out = BUF_INIT;
	char why[512] = "";

	if (stream_pos_parse(body, len, &pos, why, sizeof(why)) < 0) {
		check_why(why);
		return;
	}
	FUZZ_CHECK(stream_pos_format(&pos, &out) == 0);
	FUZZ_CHECK(out.len == len && !memcmp(out.data, body, len));
	buf_release(&out);
}

/* Two sequence numbers "A B": compared as numbers, both ways. */
static void check_seq(const char *body, size_t len)
{
	const char *sp = memchr(body, ' ', len);
	char a[STREAM_SEQ_MAX + 1], b[STREAM_SEQ_MAX + 1];
	size_t an, bn;
	int ab, ba;

	if (!sp)
		return;
	an = (size_t)(sp - body);
	bn = len - an - 1;
	if (!stream_seq_valid(body, an) || !stream_seq_valid(sp + 1, bn))
		return;
	memcpy(a, body, an);
	a[an] = '\0';
	memcpy(b, sp + 1, bn);
	b[bn] = '\0';
	ab = stream_seq_compare(a, b);
	ba = stream_seq_compare(b, a);
	FUZZ_CHECK((ab > 0) - (ab < 0) == -((ba > 0) - (ba < 0)));
	FUZZ_CHECK(stream_seq_compare(a, a) == 0);
	/* Equal exactly when the digits after the leading zeros are. */
	while (an > 1 && a[0] == '0')
		memmove(a, a + 1, an--);
	while (bn > 1 && b[0] == '0')
		memmove(b, b + 1, bn--);
	FUZZ_CHECK((ab == 0) == !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_dup(data, size);
	cJSON *doc = cJSON_ParseWithLength(body, size);
	struct streams_records_want plain = { NULL, NULL, 0 }, strict = { AFTER, NULL, 1 };

	check_describe(body, size, doc, NULL);
	check_describe(body, size, doc, "shardId-00000001414576573621-f55eea83");
	check_records(body, size, doc, &plain);
	check_records(body, size, doc, &strict);
	check_iterator(body, size, doc);
	check_list(body, size, doc);
	check_position(body, size);
	check_seq(body, size);
	cJSON_Delete(doc);
	free(body);
	return 0;
}
