/*
 * The response walkers of the DynamoDB Streams API: DescribeStream,
 * GetShardIterator, GetRecords and ListStreams answers are checked whole
 * before anything acts on them (see streams.h). Records' keys and images
 * stay slices of the answer.
 */
#include "dynamo/streams.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int not_json(struct slice resp, char *why, size_t n)
{
	return whyf(why, n, "the answer is cut short or is not valid JSON (%zu bytes)", resp.n);
}

static int is_null(struct slice v)
{
	return v.n == 4 && !memcmp(v.p, "null", 4);
}

/* The most members of one object a walker looks at. */
#define MAX_MEMBERS 8

/*
 * Collects the members of object v named in names into vals (empty when
 * absent). 0; -1 when v is not an object; -2 when a member is there twice
 * (which one would count?), its index in *twice.
 */
static int collect(struct slice v, const char *const *names, struct slice *vals,
		   int *twice)
{
	struct js_iter it;
	struct slice k, f;
	int r, i;

	for (i = 0; names[i]; i++)
		vals[i] = (struct slice){ NULL, 0 };
	if (js_begin(&it, v, '{') < 0)
		return -1;
	while ((r = js_next_member(&it, &k, &f)) == 1) {
		for (i = 0; names[i] && !js_key_is(k, names[i]); i++)
			;
		if (!names[i])
			continue;
		if (vals[i].n) {
			*twice = i;
			return -2;
		}
		vals[i] = f;
	}
	return r < 0 ? -1 : 0;
}

/* The members of a whole answer: valid JSON throughout, an object, none twice. */
static int answer(struct slice resp, const char *const *names, struct slice *vals,
		  char *why, size_t n)
{
	int twice = 0;

	if (!js_valid(resp))
		return not_json(resp, why, n);
	switch (collect(resp, names, vals, &twice)) {
	case 0:
		return 0;
	case -2:
		return whyf(why, n, "the answer has %s twice", names[twice]);
	default:
		return whyf(why, n, "the answer is not a JSON object");
	}
}

/* Whether the JSON string value v decodes to s. */
static int str_is(struct slice v, const char *s)
{
	return v.n >= 2 && *v.p == '"' &&
	       js_key_is((struct slice){ v.p + 1, v.n - 2 }, s);
}

/* Whether s[0..n) has a control character: no id, ARN or name the walkers keep has one. */
static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * A JSON string value decoded into out[cap]: -1 unless it is 1 to cap-1
 * bytes without a control character (so it can go into a message as is).
 */
static int get_str(struct slice v, char *out, size_t cap)
{
	struct buf dec = BUF_INIT;
	int r = -1;

	if (v.n < 2 || *v.p != '"' || v.p[v.n - 1] != '"')
		return -1;
	if (!memchr(v.p, '\\', v.n)) {
		if (v.n - 2 < 1 || v.n - 2 >= cap || has_control(v.p + 1, v.n - 2))
			return -1;
		memcpy(out, v.p + 1, v.n - 2);
		out[v.n - 2] = '\0';
		return 0;
	}
	if (js_unescape(v, &dec) == 0 && dec.len >= 1 && dec.len < cap &&
	    !has_control(dec.data, dec.len)) {
		memcpy(out, dec.data, dec.len + 1);
		r = 0;
	}
	buf_release(&dec);
	return r;
}

/* Whether s (NUL-terminated) is one of names. */
static int one_of(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(s, *names))
			return 1;
	return 0;
}

/* ---- DescribeStream ---- */

enum { SR_START, SR_END };
static const char *const range_members[] = {
	"StartingSequenceNumber", "EndingSequenceNumber", NULL
};

static int range_parse(struct slice v, struct stream_shard *sh, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0, r = collect(v, range_members, f, &twice);

	if (r == -2)
		return whyf(why, n, "shard '%s' has its range's %s twice", sh->id,
			    range_members[twice]);
	if (r < 0)
		return whyf(why, n, "shard '%s' has a SequenceNumberRange that is not an object", sh->id);
	if (!f[SR_START].n)
		return whyf(why, n, "shard '%s' has no StartingSequenceNumber", sh->id);
	if (get_str(f[SR_START], sh->start, sizeof(sh->start)) < 0)
		return whyf(why, n, "shard '%s' has a StartingSequenceNumber that is not 1 to 40 digits",
			    sh->id);
	if (f[SR_END].n && !is_null(f[SR_END]) && get_str(f[SR_END], sh->end, sizeof(sh->end)) < 0)
		return whyf(why, n, "shard '%s' has an EndingSequenceNumber that is not 1 to 40 digits",
			    sh->id);
	return 0;
}

enum { SH_ID, SH_PARENT, SH_RANGE };
static const char *const shard_members[] = {
	"ShardId", "ParentShardId", "SequenceNumberRange", NULL
};

/* A Shards element into sh, checked (stream_shard_check). */
static int shard_parse(struct slice v, struct stream_shard *sh, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0, r = collect(v, shard_members, f, &twice);

	memset(sh, 0, sizeof(*sh));
	if (r == -2)
		return whyf(why, n, "a shard has %s twice", shard_members[twice]);
	if (r < 0)
		return whyf(why, n, "its Shards holds something that is not a shard");
	if (!f[SH_ID].n)
		return whyf(why, n, "a shard has no ShardId");
	if (get_str(f[SH_ID], sh->id, sizeof(sh->id)) < 0)
		return whyf(why, n, "a shard has a ShardId that is not a shard id");
	if (f[SH_PARENT].n && !is_null(f[SH_PARENT]) &&
	    get_str(f[SH_PARENT], sh->parent, sizeof(sh->parent)) < 0)
		return whyf(why, n, "a shard has a ParentShardId that is not a shard id");
	if (!f[SH_RANGE].n)
		return whyf(why, n, "shard '%s' has no SequenceNumberRange", sh->id);
	if (range_parse(f[SH_RANGE], sh, why, n) < 0)
		return -1;
	return stream_shard_check(sh, why, n);
}

/*
 * The page's shards, each checked, into set: empty to check the page alone
 * (where is ""), or holding the earlier pages' shards (where says so).
 */
static int walk_shards(const struct streams_desc_page *pg, struct stream_shards *set,
		       const char *where, char *why, size_t n)
{
	struct js_iter it;
	struct slice e;
	struct stream_shard sh;
	int r;

	if (js_begin(&it, pg->shards, '[') < 0)
		return whyf(why, n, "its Shards is not a list");
	while ((r = js_next_element(&it, &e)) == 1) {
		if (shard_parse(e, &sh, why, n) < 0)
			return -1;
		if (stream_shards_find(set, sh.id) >= 0)
			return whyf(why, n, "shard '%s' is listed twice%s", sh.id, where);
		if (stream_shards_add(set, &sh, why, n) < 0)
			return -1;
	}
	return r < 0 ? whyf(why, n, "its Shards is not a list") : 0;
}

enum { D_ARN, D_STATUS, D_VIEW, D_SHARDS, D_LAST };
static const char *const desc_members[] = {
	"StreamArn", "StreamStatus", "StreamViewType", "Shards", "LastEvaluatedShardId", NULL
};
static const char *const stream_statuses[] = {
	"ENABLING", "ENABLED", "DISABLING", "DISABLED", NULL
};
static const char *const view_types[] = {
	"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", NULL
};

/* The members of StreamDescription into pg; the ARN it names into arn_out. */
static int desc_members_parse(struct slice sd, struct streams_desc_page *pg,
			      char *arn_out, size_t arn_cap, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0, r = collect(sd, desc_members, f, &twice);

	if (r == -2)
		return whyf(why, n, "its StreamDescription has %s twice", desc_members[twice]);
	if (r < 0)
		return whyf(why, n, "its StreamDescription is not an object");
	if (!f[D_ARN].n)
		return whyf(why, n, "its StreamDescription has no StreamArn");
	if (get_str(f[D_ARN], arn_out, arn_cap) < 0)
		return whyf(why, n, "its StreamArn is not an ARN");
	if (!f[D_STATUS].n)
		return whyf(why, n, "its StreamDescription has no StreamStatus");
	if (get_str(f[D_STATUS], pg->status, sizeof(pg->status)) < 0 ||
	    !one_of(pg->status, stream_statuses))
		return whyf(why, n, "its StreamStatus is not ENABLING, ENABLED, DISABLING or DISABLED");
	if (!f[D_VIEW].n)
		return whyf(why, n, "its StreamDescription has no StreamViewType");
	if (get_str(f[D_VIEW], pg->view_type, sizeof(pg->view_type)) < 0 ||
	    !one_of(pg->view_type, view_types))
		return whyf(why, n, "its StreamViewType is not KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES");
	if (!f[D_SHARDS].n)
		return whyf(why, n, "its StreamDescription has no Shards");
	pg->shards = f[D_SHARDS];
	if (f[D_LAST].n && !is_null(f[D_LAST]) &&
	    (get_str(f[D_LAST], pg->last_shard, sizeof(pg->last_shard)) < 0 ||
	     !stream_shard_id_valid(pg->last_shard, strlen(pg->last_shard))))
		return whyf(why, n, "its LastEvaluatedShardId is not a shard id");
	return 0;
}

static const char *const describe_answer[] = { "StreamDescription", NULL };

int streams_describe_parse(struct slice resp, const char *arn,
			   const char *start_shard, struct streams_desc_page *pg,
			   char *why, size_t n)
{
	char got_arn[STREAMS_ARN_MAX + 1];
	struct stream_shards page;
	struct slice f[MAX_MEMBERS];
	int r;

	memset(pg, 0, sizeof(*pg));
	if (answer(resp, describe_answer, f, why, n) < 0)
		return -1;
	if (!f[0].n)
		return whyf(why, n, "the answer has no StreamDescription");
	if (desc_members_parse(f[0], pg, got_arn, sizeof(got_arn), why, n) < 0)
		return -1;
	if (strcmp(got_arn, arn))
		return whyf(why, n, "it describes another stream ('%.200s')", got_arn);
	stream_shards_init(&page, 0);
	r = walk_shards(pg, &page, "", why, n);
	pg->nshards = page.n;
	if (!r && pg->last_shard[0] && start_shard && !strcmp(pg->last_shard, start_shard))
		r = whyf(why, n, "its LastEvaluatedShardId is the shard it was asked to start after ('%s'): the listing does not advance",
			 start_shard);
	else if (!r && pg->last_shard[0] && stream_shards_find(&page, pg->last_shard) < 0)
		r = whyf(why, n, "its LastEvaluatedShardId ('%s') is not one of the %d shards it lists",
			 pg->last_shard, page.n);
	stream_shards_release(&page);
	return r;
}

int streams_describe_add(struct stream_shards *set,
			 const struct streams_desc_page *pg, char *why, size_t n)
{
	return walk_shards(pg, set, ", on two pages: the listing went back", why, n);
}

/* ---- GetShardIterator ---- */

/* A ShardIterator or NextShardIterator value: a string of 1 to 2048 characters. */
static int iterator_valid(struct slice v, struct buf *out)
{
	struct buf dec = BUF_INIT;
	int ok = js_unescape(v, &dec) == 0 && dec.len >= 1 && dec.len <= STREAMS_ITERATOR_MAX;

	if (ok && out) {
		buf_reset(out);
		buf_append(out, dec.data, dec.len);
	}
	buf_release(&dec);
	return ok;
}

static const char *const iterator_answer[] = { "ShardIterator", NULL };

int streams_iterator_parse(struct slice resp, struct buf *iterator, char *why,
			   size_t n)
{
	struct slice f[MAX_MEMBERS];

	if (answer(resp, iterator_answer, f, why, n) < 0)
		return -1;
	if (!f[0].n)
		return whyf(why, n, "the answer has no ShardIterator");
	if (!iterator_valid(f[0], iterator))
		return whyf(why, n, "its ShardIterator is not a string of 1 to %d characters",
			    STREAMS_ITERATOR_MAX);
	return 0;
}

/* ---- GetRecords ---- */

/*
 * A JSON number of seconds since the epoch as whole milliseconds, rounded
 * down, exactly (1796625455.972 is 1796625455972): the digits are moved,
 * never multiplied in floating point. -1 for a negative or absurd time.
 */
static int epoch_ms(struct slice v, int64_t *out)
{
	const char *p = v.p, *e = v.p + v.n, *sig = NULL;
	long nsig = 0, nfrac = 0, exp10 = 0, keep, i;
	int in_frac = 0, digits = 0, esign = 1;
	int64_t ms = 0;

	for (; p < e && ((*p >= '0' && *p <= '9') || (*p == '.' && !in_frac)); p++) {
		if (*p == '.') {
			in_frac = 1;
			continue;
		}
		digits++;
		nfrac += in_frac;
		if (!sig && *p == '0')
			continue;
		if (!sig)
			sig = p;
		nsig++;
	}
	if (!digits || nsig > 100000)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		if (p >= e)
			return -1;
		for (; p < e && *p >= '0' && *p <= '9'; p++)
			if ((exp10 = exp10 * 10 + (*p - '0')) > 100000)
				return -1;
	}
	if (p != e)
		return -1;
	/* How many digits the whole milliseconds have, counted from the first significant one. */
	keep = nsig + 3 - nfrac + esign * exp10;
	if (!sig || keep <= 0) {
		*out = 0;
		return 0;
	}
	if (keep > 18)
		return -1;
	for (p = sig, i = 0; i < keep; i++) {
		if (p < e && *p == '.')
			p++;
		ms = ms * 10 + (i < nsig ? *p++ - '0' : 0);
	}
	*out = ms;
	return 0;
}

/*
 * A time as AWS's JSON protocol writes it, a number of seconds; also the
 * same number as a string, as the API reference's examples show it.
 */
static int time_ms(struct slice v, int64_t *out)
{
	if (v.n >= 2 && *v.p == '"')
		return v.p[v.n - 1] == '"' ? epoch_ms((struct slice){ v.p + 1, v.n - 2 }, out) : -1;
	return epoch_ms(v, out);
}

/* Keys: an object of one or two attribute values (the table's hash and range keys). */
static int keys_valid(struct slice keys)
{
	struct js_iter it;
	struct slice k, v, val;
	char type[8];
	int r, count = 0;

	if (js_begin(&it, keys, '{') < 0)
		return 0;
	while ((r = js_next_member(&it, &k, &v)) == 1)
		if (++count > 2 || av_split(v, type, &val) < 0 || *val.p != '"' ||
		    !(type[0] == 'S' || type[0] == 'N' || type[0] == 'B') || type[1])
			return 0;
	return r == 0 && count > 0;
}

/* Whether image holds each key attribute of keys with the same value (numbers by value). */
static int image_holds_keys(struct slice image, struct slice keys)
{
	struct js_iter it;
	struct slice k, v, got;
	struct buf name = BUF_INIT;
	int r, ok = 1;

	if (js_begin(&it, keys, '{') < 0)
		return 0;
	while (ok && (r = js_next_member(&it, &k, &v)) == 1) {
		buf_reset(&name);
		ok = js_unescape((struct slice){ k.p - 1, k.n + 2 }, &name) == 0 && name.data &&
		     strlen(name.data) == name.len &&
		     js_find(image, name.data, &got) == 1 && av_key_compare(v, got) == 0;
	}
	buf_release(&name);
	return ok;
}

enum { R_NAME, R_CHANGE, R_USER };
static const char *const record_members[] = { "eventName", "dynamodb", "userIdentity", NULL };
enum { C_KEYS, C_NEW, C_OLD, C_SEQ, C_TIME };
static const char *const change_members[] = {
	"Keys", "NewImage", "OldImage", "SequenceNumber", "ApproximateCreationDateTime", NULL
};

/* Deleted by Time to Live: userIdentity {"type":"Service","principalId":"dynamodb.amazonaws.com"}. */
static int by_ttl(struct slice user)
{
	struct slice type, principal;

	return user.n && js_find(user, "type", &type) == 1 && str_is(type, "Service") &&
	       js_find(user, "principalId", &principal) == 1 &&
	       str_is(principal, "dynamodb.amazonaws.com");
}

/* The record's dynamodb object into rec. */
static int change_parse(struct slice ch, struct stream_record *rec, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0, r = collect(ch, change_members, f, &twice);

	if (r == -2)
		return whyf(why, n, "a record has %s twice", change_members[twice]);
	if (r < 0)
		return whyf(why, n, "a record's dynamodb is not an object");
	if (!f[C_SEQ].n)
		return whyf(why, n, "a record has no SequenceNumber");
	if (get_str(f[C_SEQ], rec->seq, sizeof(rec->seq)) < 0 ||
	    !stream_seq_valid(rec->seq, strlen(rec->seq)))
		return whyf(why, n, "a record's SequenceNumber is not 1 to 40 digits");
	rec->keys = f[C_KEYS];
	if (!rec->keys.n || !keys_valid(rec->keys))
		return whyf(why, n, "record %s has no Keys (an object of one or two key attribute values)",
			    rec->seq);
	if (!f[C_TIME].n)
		return whyf(why, n, "record %s has no ApproximateCreationDateTime", rec->seq);
	if (time_ms(f[C_TIME], &rec->created_ms) < 0)
		return whyf(why, n, "record %s has an ApproximateCreationDateTime that is not a time",
			    rec->seq);
	if (f[C_NEW].n && !is_null(f[C_NEW]))
		rec->new_image = f[C_NEW];
	if (f[C_OLD].n && !is_null(f[C_OLD]))
		rec->old_image = f[C_OLD];
	if ((rec->new_image.n && *rec->new_image.p != '{') ||
	    (rec->old_image.n && *rec->old_image.p != '{'))
		return whyf(why, n, "record %s has an image that is not an item", rec->seq);
	return 0;
}

/* A Records element into rec: its own shape, not yet how it stands among the others. */
static int record_parse(struct slice v, struct stream_record *rec, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0, r = collect(v, record_members, f, &twice);

	memset(rec, 0, sizeof(*rec));
	if (r == -2)
		return whyf(why, n, "a record has %s twice", record_members[twice]);
	if (r < 0)
		return whyf(why, n, "its Records holds something that is not a record");
	if (!f[R_NAME].n)
		return whyf(why, n, "a record has no eventName");
	rec->event = str_is(f[R_NAME], "INSERT") ? STREAM_INSERT :
		     str_is(f[R_NAME], "MODIFY") ? STREAM_MODIFY :
		     str_is(f[R_NAME], "REMOVE") ? STREAM_REMOVE : 0;
	if (!rec->event)
		return whyf(why, n, "a record's eventName is not INSERT, MODIFY or REMOVE");
	if (!f[R_CHANGE].n)
		return whyf(why, n, "a record has no dynamodb part");
	if (change_parse(f[R_CHANGE], rec, why, n) < 0)
		return -1;
	rec->ttl = rec->event == STREAM_REMOVE && f[R_USER].n && *f[R_USER].p == '{' &&
		   by_ttl(f[R_USER]);
	return 0;
}

static const char *event_name(enum stream_event e)
{
	return e == STREAM_INSERT ? "INSERT" : e == STREAM_MODIFY ? "MODIFY" : "REMOVE";
}

/* How rec stands with the reader's position and shard, and after prev ("" for the first). */
static int record_fits(const struct stream_record *rec, const char *prev,
		       const struct streams_records_want *want, char *why, size_t n)
{
	const struct stream_shard *sh = want ? want->shard : NULL;
	int puts = rec->event != STREAM_REMOVE;

	if (puts && want && want->new_images && !rec->new_image.n)
		return whyf(why, n, "record %s (%s) has no NewImage", rec->seq, event_name(rec->event));
	if (!puts && rec->new_image.n)
		return whyf(why, n, "record %s (REMOVE) has a NewImage", rec->seq);
	if (rec->new_image.n && !image_holds_keys(rec->new_image, rec->keys))
		return whyf(why, n, "the NewImage of record %s does not hold its Keys", rec->seq);
	if (*prev && stream_seq_compare(rec->seq, prev) <= 0)
		return whyf(why, n, "record %s comes after record %s: the records are not in order",
			    rec->seq, prev);
	if (want && want->after && stream_seq_compare(rec->seq, want->after) <= 0)
		return whyf(why, n, "record %s is not after the position asked for (%s)",
			    rec->seq, want->after);
	if (sh && (stream_seq_compare(rec->seq, sh->start) < 0 ||
		   (sh->end[0] && stream_seq_compare(rec->seq, sh->end) > 0)))
		return whyf(why, n, "record %s is outside the range of shard '%s'", rec->seq, sh->id);
	return 0;
}

enum { P_RECORDS, P_NEXT };
static const char *const page_members[] = { "Records", "NextShardIterator", NULL };

int streams_records_parse(struct slice resp, const struct streams_records_want *want,
			  struct streams_records_page *pg, char *why, size_t n)
{
	struct slice f[MAX_MEMBERS], v;
	struct stream_record rec;
	struct js_iter it;
	int r;

	memset(pg, 0, sizeof(*pg));
	if (answer(resp, page_members, f, why, n) < 0)
		return -1;
	if (!f[P_RECORDS].n)
		return whyf(why, n, "the answer has no Records");
	if (js_begin(&it, f[P_RECORDS], '[') < 0)
		return whyf(why, n, "its Records is not a list");
	pg->records = f[P_RECORDS];
	if (f[P_NEXT].n && !is_null(f[P_NEXT]) && !iterator_valid(f[P_NEXT], NULL))
		return whyf(why, n, "its NextShardIterator is not a string of 1 to %d characters",
			    STREAMS_ITERATOR_MAX);
	if (f[P_NEXT].n && !is_null(f[P_NEXT]))
		pg->next = f[P_NEXT];
	pg->ended = !pg->next.n;
	while ((r = js_next_element(&it, &v)) == 1) {
		if (record_parse(v, &rec, why, n) < 0 ||
		    record_fits(&rec, pg->last_seq, want, why, n) < 0)
			return -1;
		pg->nrecords++;
		memcpy(pg->last_seq, rec.seq, sizeof(rec.seq));
		pg->last_created_ms = rec.created_ms;
	}
	return r < 0 ? whyf(why, n, "its Records is not a list") : 0;
}

void streams_records_begin(struct js_iter *it, const struct streams_records_page *pg)
{
	if (js_begin(it, pg->records, '[') < 0)
		js_begin(it, (struct slice){ "[]", 2 }, '[');
}

int streams_records_next(struct js_iter *it, struct stream_record *rec)
{
	struct slice v;
	int r = js_next_element(it, &v);

	if (r <= 0)
		return r;
	return record_parse(v, rec, NULL, 0) < 0 ? -1 : 1;
}

int streams_records_next_iterator(const struct streams_records_page *pg,
				  struct buf *iterator)
{
	if (pg->ended || !iterator_valid(pg->next, iterator))
		return -1;
	return 0;
}

/* ---- ListStreams ---- */

enum { L_STREAMS, L_LAST };
static const char *const list_members[] = { "Streams", "LastEvaluatedStreamArn", NULL };
enum { E_ARN, E_TABLE };
static const char *const entry_members[] = { "StreamArn", "TableName", NULL };

/* A Streams element: its ARN and table name (into arn/table, each cap bytes). */
static int entry_parse(struct slice v, char *arn, char *table, size_t cap)
{
	struct slice f[MAX_MEMBERS];
	int twice = 0;

	if (collect(v, entry_members, f, &twice) < 0 || !f[E_ARN].n || !f[E_TABLE].n)
		return -1;
	return get_str(f[E_ARN], arn, cap) < 0 || get_str(f[E_TABLE], table, cap) < 0 ? -1 : 0;
}

int streams_list_parse(struct slice resp, const char *start_arn,
		       struct streams_list_page *pg, char *why, size_t n)
{
	char arn[STREAMS_ARN_MAX + 1], table[STREAMS_ARN_MAX + 1];
	struct slice f[MAX_MEMBERS], v;
	struct js_iter it;
	int r, found = 0;

	memset(pg, 0, sizeof(*pg));
	if (answer(resp, list_members, f, why, n) < 0)
		return -1;
	if (!f[L_STREAMS].n)
		return whyf(why, n, "the answer has no Streams");
	if (js_begin(&it, f[L_STREAMS], '[') < 0)
		return whyf(why, n, "its Streams is not a list");
	pg->streams = f[L_STREAMS];
	if (f[L_LAST].n && !is_null(f[L_LAST]) &&
	    get_str(f[L_LAST], pg->last_arn, sizeof(pg->last_arn)) < 0)
		return whyf(why, n, "its LastEvaluatedStreamArn is not an ARN");
	while ((r = js_next_element(&it, &v)) == 1) {
		if (entry_parse(v, arn, table, sizeof(arn)) < 0)
			return whyf(why, n, "its Streams holds one without a StreamArn and a TableName");
		found |= pg->last_arn[0] && !strcmp(arn, pg->last_arn);
		pg->nstreams++;
	}
	if (r < 0)
		return whyf(why, n, "its Streams is not a list");
	if (pg->last_arn[0] && start_arn && !strcmp(pg->last_arn, start_arn))
		return whyf(why, n, "its LastEvaluatedStreamArn is the one it was asked to start after: the listing does not advance");
	if (pg->last_arn[0] && !found)
		return whyf(why, n, "its LastEvaluatedStreamArn is not one of the streams it lists");
	return 0;
}

void streams_list_begin(struct js_iter *it, const struct streams_list_page *pg)
{
	if (js_begin(it, pg->streams, '[') < 0)
		js_begin(it, (struct slice){ "[]", 2 }, '[');
}

int streams_list_next(struct js_iter *it, struct buf *arn, struct buf *table)
{
	char a[STREAMS_ARN_MAX + 1], t[STREAMS_ARN_MAX + 1];
	struct slice v;
	int r = js_next_element(it, &v);

	if (r <= 0)
		return r;
	if (entry_parse(v, a, t, sizeof(a)) < 0)
		return -1;
	buf_reset(arn);
	buf_reset(table);
	buf_puts(arn, a);
	buf_puts(table, t);
	return 1;
}
