#ifndef DYNAMO_STREAMS_H
#define DYNAMO_STREAMS_H

#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/aws_call.h"
#include "dynamo/json_scan.h"
#include "dynamo/shards.h"

/*
 * The DynamoDB Streams API of one side: its endpoint, request bodies,
 * response walkers, and what its errors mean for a reader.
 *
 * The API is its own endpoint (streams.dynamodb.REGION.amazonaws.com, see
 * endpoint_resolve_streams), signed for service "dynamodb" with the side's
 * credentials, JSON 1.0 with X-Amz-Target "DynamoDBStreams_20120810.<op>".
 *
 * The walkers follow response.h: an answer is checked whole, for what its
 * operation always returns, before anything acts on any of it; a refusal
 * (-1, why set to one line) means malformed, to be retried by the engine
 * (use them as http_call.check through the streams_check_* functions).
 * Records hand out their Keys and images as slices of the answer, the
 * bytes the service sent: items are never rebuilt and numbers are never
 * parsed.
 *
 * IAM: dynamodb:DescribeStream, dynamodb:GetShardIterator,
 * dynamodb:GetRecords (and dynamodb:ListStreams for streams_list_*) on the
 * stream, arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL.
 */

#define STREAMS_TARGET(op) ("DynamoDBStreams_20120810." op)

/* The limits of the API: shards per DescribeStream page, records per GetRecords. */
#define STREAMS_DESCRIBE_LIMIT 100
#define STREAMS_RECORDS_LIMIT 1000
/* ShardIterator is 1 to 2048 characters; StreamArn 37 to 1024. */
#define STREAMS_ITERATOR_MAX 2048
#define STREAMS_ARN_MAX 1024

/* The stream API of one side (a struct ddb), which must outlive it. */
struct streams {
	struct endpoint ep;		/* owned */
	struct signer signer;		/* the side's credentials and region; service "dynamodb" */
};

/*
 * Resolves the stream endpoint of the side d, opened with settings set
 * (the same --endpoint-url, profile and config). 0, or -1 with eb set.
 */
int streams_open(struct streams *s, const struct ddb *d,
		 const struct ddb_settings *set, struct errbuf *eb);
void streams_close(struct streams *s);
/* Points a call at the stream API: endpoint, signer, target. */
void streams_prepare(const struct streams *s, struct http_call *c,
		     const char *target);

/* ---- the table's stream (DescribeTable) ---- */

/*
 * Whether the table's stream can feed a follower: enabled, with new images
 * (NEW_IMAGE or NEW_AND_OLD_IMAGES) and an ARN. 0, or -1 with eb set
 * (EXIT_USAGE) naming the table, where (ddb_where) and what to change.
 */
int streams_table_check(const struct table_desc *t, const char *where,
			struct errbuf *eb);

/* ---- request bodies (appended to b; -1 for an argument the API would refuse) ---- */

/* DescribeStream: one page of at most limit (1-100) shards after start_shard (NULL: the first). */
int streams_describe_body(struct buf *b, const char *arn, const char *start_shard,
			  int limit);

enum stream_iterator_type {
	STREAM_TRIM_HORIZON = 0,	/* the shard's oldest record still kept */
	STREAM_LATEST,			/* just after the newest record */
	STREAM_AT_SEQUENCE_NUMBER,	/* at seq */
	STREAM_AFTER_SEQUENCE_NUMBER,	/* just after seq */
};

/* "TRIM_HORIZON", ... as the API spells them. */
const char *stream_iterator_type_name(enum stream_iterator_type t);
/* GetShardIterator; seq is required for AT/AFTER_SEQUENCE_NUMBER and refused otherwise. */
int streams_iterator_body(struct buf *b, const char *arn, const char *shard,
			  enum stream_iterator_type type, const char *seq);
/*
 * GetShardIterator resuming from a position: TRIM_HORIZON at its start,
 * AFTER_SEQUENCE_NUMBER after a record, AT_SEQUENCE_NUMBER at a pinned
 * one; -1 for a shard read to its end.
 */
int streams_iterator_body_at(struct buf *b, const char *arn,
			     const struct stream_pos *pos);
/* GetRecords: at most limit (1-1000) records from iterator (as decoded from an answer). */
int streams_records_body(struct buf *b, const char *iterator, size_t len, int limit);
/* ListStreams: table (NULL: every table), after start_arn (NULL: the first), limit 1-100. */
int streams_list_body(struct buf *b, const char *table, const char *start_arn,
		      int limit);

/* ---- DescribeStream ---- */

struct streams_desc_page {
	char status[16];		/* StreamStatus: ENABLING, ENABLED, DISABLING, DISABLED */
	char view_type[24];		/* StreamViewType: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
	struct slice shards;		/* the Shards array, in the answer */
	int nshards;
	char last_shard[STREAM_SHARD_ID_MAX + 1];	/* LastEvaluatedShardId, "" on the last page */
};

/*
 * Checks a DescribeStream answer to a request for arn after start_shard
 * (NULL or "" for the first page): StreamDescription with this StreamArn,
 * a known StreamStatus and StreamViewType, and Shards, each with a
 * ShardId and a SequenceNumberRange with a StartingSequenceNumber (and an
 * EndingSequenceNumber not before it when closed), no shard twice. A
 * LastEvaluatedShardId must be one of the page's shards (the API
 * reference: "the shard ID of the item where the operation stopped,
 * inclusive of the previous result set"), and not start_shard: pagination
 * that does not advance is refused. 0, or -1 with why set.
 */
int streams_describe_parse(struct slice resp, const char *arn,
			   const char *start_shard, struct streams_desc_page *pg,
			   char *why, size_t n);
/*
 * Adds the shards of a checked page to set. -1 with why set when one is
 * in the set already (a later page that lists an earlier page's shard:
 * pagination going back) or the set is full.
 */
int streams_describe_add(struct stream_shards *set,
			 const struct streams_desc_page *pg, char *why, size_t n);

/* ---- GetShardIterator ---- */

/*
 * Checks a GetShardIterator answer: a ShardIterator of 1 to 2048
 * characters. Its decoded text goes to iterator (reset first) unless NULL.
 */
int streams_iterator_parse(struct slice resp, struct buf *iterator, char *why,
			   size_t n);

/* ---- GetRecords ---- */

enum stream_event {
	STREAM_INSERT = 1,		/* a new item: put NewImage */
	STREAM_MODIFY,			/* a changed item: put NewImage */
	STREAM_REMOVE,			/* a deleted item: delete Keys */
};

/* One change, as slices of the answer. */
struct stream_record {
	enum stream_event event;	/* eventName */
	struct slice keys;		/* dynamodb.Keys: an object of the key attributes */
	struct slice new_image;		/* dynamodb.NewImage, empty when absent (REMOVE) */
	struct slice old_image;		/* dynamodb.OldImage, empty when absent */
	char seq[STREAM_SEQ_MAX + 1];	/* dynamodb.SequenceNumber */
	int64_t created_ms;		/* dynamodb.ApproximateCreationDateTime, ms since the epoch */
	int ttl;			/* deleted by Time to Live (userIdentity: Service, dynamodb.amazonaws.com) */
};

/* What the reader knows, for checking a page of records against it. */
struct streams_records_want {
	const char *after;		/* every record comes after this sequence number (the position), or NULL */
	const struct stream_shard *shard;	/* every record is inside its SequenceNumberRange, or NULL */
	int new_images;			/* INSERT and MODIFY carry NewImage (NEW_IMAGE, NEW_AND_OLD_IMAGES) */
};

struct streams_records_page {
	struct slice records;		/* the Records array, in the answer */
	int nrecords;
	struct slice next;		/* NextShardIterator as a JSON string literal; empty when ended */
	int ended;			/* no NextShardIterator: the shard is closed and read to its end */
	char last_seq[STREAM_SEQ_MAX + 1];	/* the last record's SequenceNumber, "" when none */
	int64_t last_created_ms;	/* its ApproximateCreationDateTime, 0 when none */
};

/*
 * Checks a GetRecords answer: Records (a list, maybe empty); each record
 * with eventName INSERT, MODIFY or REMOVE, and dynamodb with Keys (an
 * object of one or two attribute values), a SequenceNumber and an
 * ApproximateCreationDateTime; NewImage on INSERT and MODIFY when
 * want->new_images, holding the same key values as Keys, and none on
 * REMOVE; sequence numbers strictly increasing, after want->after and
 * inside want->shard's range. NextShardIterator a string of 1 to 2048
 * characters, or absent or null when the shard has ended.
 *
 * "Ended" is only as good as the answer: treat a shard as finished only
 * when DescribeStream lists it closed (with an EndingSequenceNumber); an
 * open shard whose answer ends is a malformed answer or a stale shard
 * list, so describe the stream again before trusting it. A page without
 * records that has a NextShardIterator is not the end: in an open shard,
 * nothing new yet (call again from that iterator after a while); in a
 * closed one, keep reading until the answer ends it. 0, or -1 with why set.
 */
int streams_records_parse(struct slice resp, const struct streams_records_want *want,
			  struct streams_records_page *pg, char *why, size_t n);

/* Walks the records of a checked page, in order. */
void streams_records_begin(struct js_iter *it,
			   const struct streams_records_page *pg);
/* The next record: 1, 0 after the last, -1 when the page was not checked. */
int streams_records_next(struct js_iter *it, struct stream_record *rec);
/* Decodes pg->next into iterator (reset first); -1 when the shard has ended. */
int streams_records_next_iterator(const struct streams_records_page *pg,
				  struct buf *iterator);

/* ---- ListStreams ---- */

struct streams_list_page {
	struct slice streams;		/* the Streams array, in the answer */
	int nstreams;
	char last_arn[STREAMS_ARN_MAX + 1];	/* LastEvaluatedStreamArn, "" on the last page */
};

/*
 * Checks a ListStreams answer to a request after start_arn (NULL: the
 * first page): Streams, each with a StreamArn and a TableName; a
 * LastEvaluatedStreamArn that is one of the page's and not start_arn.
 */
int streams_list_parse(struct slice resp, const char *start_arn,
		       struct streams_list_page *pg, char *why, size_t n);
/* Walks the streams of a checked page: each one's ARN and table name, decoded (bufs reset first). */
void streams_list_begin(struct js_iter *it, const struct streams_list_page *pg);
/* 1, 0 after the last, -1 when the page was not checked. */
int streams_list_next(struct js_iter *it, struct buf *arn, struct buf *table);

/* ---- errors ---- */

/* What a failed stream call means for a reader, and so what it does next. */
enum streams_fault {
	STREAMS_FAULT_NONE = 0,
	/*
	 * LimitExceededException (more than five GetRecords a second on a
	 * shard, or too many readers), InternalServerError, a 5xx, a transport
	 * failure or malformed answers: back off and call again.
	 */
	STREAMS_FAULT_RETRY,
	/*
	 * ExpiredIteratorException: iterators last 15 minutes. Get a new one
	 * from the last applied position (streams_iterator_body_at); nothing
	 * is lost.
	 */
	STREAMS_FAULT_EXPIRED_ITERATOR,
	/*
	 * TrimmedDataAccessException: the position is older than the stream's
	 * 24-hour retention, so changes after it are gone from the stream. The
	 * target can only be brought in step by a fresh copy.
	 */
	STREAMS_FAULT_TRIMMED,
	/*
	 * ResourceNotFoundException: the stream (disabled, or replaced by a
	 * new one) or the shard (trimmed) does not exist. For a shard not yet
	 * read to its end, the same as TRIMMED: a fresh copy.
	 */
	STREAMS_FAULT_NOT_FOUND,
	/* Anything else (permissions, validation): report it. */
	STREAMS_FAULT_FAILED,
};

/* The fault of a call that did not end HTTP_OK. */
enum streams_fault streams_classify(const struct http_call *c);

/*
 * One error line for a failed call of the reader of table's stream, with
 * what to do (the fresh copy for TRIMMED and NOT_FOUND, the IAM actions for
 * AccessDenied); AWS's error type and message are kept.
 */
int streams_report(const struct http_call *c, enum streams_fault f,
		   const char *table, struct errbuf *eb);

/* ---- synchronous calls (the control plane, tests, a single reader) ---- */

/*
 * Sends body to target and checks the answer with check (NULL: none),
 * owner passed to it as c->owner. LimitExceededException is retried here
 * (the engine retries the rest), at most a few times with the engine's
 * backoff. On success resp holds the answer (resp's old contents are
 * dropped). On failure eb is set and *fault (unless NULL) says what kind.
 */
int streams_request(const struct streams *s, const char *target, const struct buf *body,
		    int (*check)(struct http_call *c, char *why, size_t n), void *owner,
		    struct buf *resp, enum streams_fault *fault, const char *table,
		    struct errbuf *eb);

/* What a DescribeStream check needs to know of its request: c->owner of the call. */
struct streams_describe_ask {
	const char *arn;
	const char *start_shard;	/* NULL on the first page */
};
/* http_call.check for DescribeStream (owner: struct streams_describe_ask). */
int streams_check_describe(struct http_call *c, char *why, size_t n);
/* http_call.check for GetShardIterator. */
int streams_check_iterator(struct http_call *c, char *why, size_t n);
/* http_call.check for GetRecords (owner: struct streams_records_want). */
int streams_check_records(struct http_call *c, char *why, size_t n);

/* The stream's description, after every page of DescribeStream. */
struct streams_desc {
	char status[16];
	char view_type[24];
};

/*
 * Lists every shard of the stream arn into set (reset first), page by page,
 * then orders them (stream_shards_order). 0, or -1 with eb set.
 */
int streams_describe(const struct streams *s, const char *arn, const char *table,
		     struct stream_shards *set, struct streams_desc *desc,
		     enum streams_fault *fault, struct errbuf *eb);

/* GetShardIterator from pos into iterator. */
int streams_get_iterator(const struct streams *s, const char *arn, const char *table,
			 const struct stream_pos *pos, struct buf *iterator,
			 enum streams_fault *fault, struct errbuf *eb);

/*
 * One GetRecords from iterator; resp holds the answer that pg's slices
 * point into, checked against want.
 */
int streams_get_records(const struct streams *s, const struct buf *iterator, int limit,
			const struct streams_records_want *want, const char *table,
			struct buf *resp, struct streams_records_page *pg,
			enum streams_fault *fault, struct errbuf *eb);

#endif
