/*
 * The DynamoDB Streams client of one side: its endpoint, the request
 * bodies, what its errors mean for a reader, and synchronous calls (see
 * streams.h). The walkers of its answers are in streams_parse.c.
 */
#include "dynamo/streams.h"
#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int streams_open(struct streams *s, const struct ddb *d,
		 const struct ddb_settings *set, struct errbuf *eb)
{
	memset(s, 0, sizeof(*s));
	if (endpoint_resolve_streams(&s->ep, set->cfg, d->profile, d->region,
				     set->endpoint_url, &d->ep, eb) < 0)
		return -1;
	s->signer = d->signer;
	return 0;
}

void streams_close(struct streams *s)
{
	endpoint_release(&s->ep);
	memset(s, 0, sizeof(*s));
}

void streams_prepare(const struct streams *s, struct http_call *c,
		     const char *target)
{
	c->ep = &s->ep;
	c->sign = &s->signer;
	c->target = target;
	c->hooks = &aws_json_hooks;
}

/* ---- the table's stream ---- */

int streams_table_check(const struct table_desc *t, const char *where,
			struct errbuf *eb)
{
	const char *view = t->stream_view_type;

	if (!t->stream_enabled || !t->stream_arn)
		return errf(eb, EXIT_USAGE,
			    "table '%s' in %s has no stream to follow: enable one with new images (aws dynamodb update-table --table-name %s --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE)",
			    t->name, where, t->name);
	if (!view || (strcmp(view, "NEW_IMAGE") && strcmp(view, "NEW_AND_OLD_IMAGES")))
		return errf(eb, EXIT_USAGE,
			    "the stream of table '%s' in %s is %s, without the new images a follower writes: disable it and enable it again with StreamViewType NEW_IMAGE or NEW_AND_OLD_IMAGES",
			    t->name, where, view ? view : "of an unknown view type");
	return 0;
}

/* ---- request bodies ---- */

static int arn_ok(const char *arn)
{
	return arn && *arn && strlen(arn) <= STREAMS_ARN_MAX;
}

static int put_member(struct buf *b, const char *name, const char *value, size_t n)
{
	return buf_printf(b, "%s\"%s\":", b->len > 1 ? "," : "", name) < 0 ||
	       buf_json_str(b, value, n) < 0 ? -1 : 0;
}

static int put_str(struct buf *b, const char *name, const char *value)
{
	return put_member(b, name, value, strlen(value));
}

static int put_limit(struct buf *b, int limit)
{
	return buf_printf(b, "%s\"Limit\":%d}", b->len > 1 ? "," : "", limit) < 0 ? -1 : 0;
}

int streams_describe_body(struct buf *b, const char *arn, const char *start_shard,
			  int limit)
{
	int more = start_shard && *start_shard;

	if (!arn_ok(arn) || limit < 1 || limit > STREAMS_DESCRIBE_LIMIT ||
	    (more && !stream_shard_id_valid(start_shard, strlen(start_shard))))
		return -1;
	buf_reset(b);
	buf_putc(b, '{');
	if (put_str(b, "StreamArn", arn) < 0 ||
	    (more && put_str(b, "ExclusiveStartShardId", start_shard) < 0))
		return -1;
	return put_limit(b, limit);
}

static const char *const iterator_types[] = {
	"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"
};

const char *stream_iterator_type_name(enum stream_iterator_type t)
{
	return (unsigned)t < 4 ? iterator_types[t] : NULL;
}

int streams_iterator_body(struct buf *b, const char *arn, const char *shard,
			  enum stream_iterator_type type, const char *seq)
{
	int at = type == STREAM_AT_SEQUENCE_NUMBER || type == STREAM_AFTER_SEQUENCE_NUMBER;

	if (!arn_ok(arn) || !shard || !stream_shard_id_valid(shard, strlen(shard)) ||
	    !stream_iterator_type_name(type) || at != (seq != NULL) ||
	    (seq && !stream_seq_valid(seq, strlen(seq))))
		return -1;
	buf_reset(b);
	buf_putc(b, '{');
	if (put_str(b, "StreamArn", arn) < 0 || put_str(b, "ShardId", shard) < 0 ||
	    put_str(b, "ShardIteratorType", stream_iterator_type_name(type)) < 0 ||
	    (seq && put_str(b, "SequenceNumber", seq) < 0))
		return -1;
	return buf_putc(b, '}');
}

int streams_iterator_body_at(struct buf *b, const char *arn,
			     const struct stream_pos *pos)
{
	if (pos->kind == STREAM_POS_START)
		return streams_iterator_body(b, arn, pos->shard, STREAM_TRIM_HORIZON, NULL);
	if (pos->kind == STREAM_POS_AFTER)
		return streams_iterator_body(b, arn, pos->shard,
					     STREAM_AFTER_SEQUENCE_NUMBER, pos->seq);
	if (pos->kind == STREAM_POS_AT)
		return streams_iterator_body(b, arn, pos->shard,
					     STREAM_AT_SEQUENCE_NUMBER, pos->seq);
	return -1;
}

int streams_records_body(struct buf *b, const char *iterator, size_t len, int limit)
{
	if (!iterator || !len || len > STREAMS_ITERATOR_MAX || limit < 1 ||
	    limit > STREAMS_RECORDS_LIMIT)
		return -1;
	buf_reset(b);
	buf_putc(b, '{');
	if (put_member(b, "ShardIterator", iterator, len) < 0)
		return -1;
	return put_limit(b, limit);
}

int streams_list_body(struct buf *b, const char *table, const char *start_arn,
		      int limit)
{
	if ((table && table_name_check("TableName", table, NULL) < 0) ||
	    (start_arn && !arn_ok(start_arn)) || limit < 1 || limit > 100)
		return -1;
	buf_reset(b);
	buf_putc(b, '{');
	if ((table && put_str(b, "TableName", table) < 0) ||
	    (start_arn && put_str(b, "ExclusiveStartStreamArn", start_arn) < 0))
		return -1;
	return put_limit(b, limit);
}

/* ---- the engine's checks of answers ---- */

static struct slice resp_of(const struct http_call *c)
{
	return (struct slice){ c->resp.data ? c->resp.data : "", c->resp.len };
}

int streams_check_describe(struct http_call *c, char *why, size_t n)
{
	const struct streams_describe_ask *ask = c->owner;
	struct streams_desc_page pg;

	if (!ask || !ask->arn)
		return whyf(why, n, "DescribeStream was sent without saying which stream it asked for");
	return streams_describe_parse(resp_of(c), ask->arn, ask->start_shard, &pg, why, n);
}

int streams_check_iterator(struct http_call *c, char *why, size_t n)
{
	return streams_iterator_parse(resp_of(c), NULL, why, n);
}

int streams_check_records(struct http_call *c, char *why, size_t n)
{
	struct streams_records_page pg;

	return streams_records_parse(resp_of(c), c->owner, &pg, why, n);
}

/* ---- errors ---- */

enum streams_fault streams_classify(const struct http_call *c)
{
	const char *t = c->err.type;

	if (c->outcome == HTTP_OK)
		return STREAMS_FAULT_NONE;
	if (!strcmp(t, "ExpiredIteratorException"))
		return STREAMS_FAULT_EXPIRED_ITERATOR;
	if (!strcmp(t, "TrimmedDataAccessException"))
		return STREAMS_FAULT_TRIMMED;
	if (!strcmp(t, "ResourceNotFoundException"))
		return STREAMS_FAULT_NOT_FOUND;
	if (c->outcome == HTTP_GAVE_UP || c->err.retryable ||
	    !strcmp(t, "LimitExceededException") || !strcmp(t, "InternalServerError"))
		return STREAMS_FAULT_RETRY;
	return STREAMS_FAULT_FAILED;
}

int streams_report(const struct http_call *c, enum streams_fault f,
		   const char *table, struct errbuf *eb)
{
	const struct http_error *err = &c->err;
	const char *op = http_call_name(c), *sep = err->message[0] ? ": " : "";

	switch (f) {
	case STREAMS_FAULT_TRIMMED:
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s on the stream of table '%s': the position is older than the stream's 24-hour retention, so changes after it are no longer in the stream (%s%s%s); bring the target in step with a fresh copy",
			    op, table, err->type, sep, err->message);
	case STREAMS_FAULT_NOT_FOUND:
		return errf(eb, EXIT_NOT_FOUND,
			    "%s on the stream of table '%s': the stream or shard no longer exists (%s%s%s): the stream was disabled or replaced, or the shard was trimmed 24 hours after it closed; bring the target in step with a fresh copy",
			    op, table, err->type, sep, err->message);
	case STREAMS_FAULT_EXPIRED_ITERATOR:
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "%s on the stream of table '%s': the shard iterator expired (%s%s%s); iterators last 15 minutes, so get a new one from the last position",
			    op, table, err->type, sep, err->message);
	default:
		break;
	}
	if (!strcmp(err->type, "AccessDeniedException"))
		return errf(eb, EXIT_CONFIG,
			    "%s on the stream of table '%s' is not allowed (%s%s%s): following needs dynamodb:DescribeStream, dynamodb:GetShardIterator and dynamodb:GetRecords on arn:aws:dynamodb:*:*:table/%s/stream/*",
			    op, table, err->type, sep, err->message, table);
	return aws_error_report(c, eb);
}

/* ---- synchronous calls ---- */

/* LimitExceededException, which the engine does not retry, is retried here this many times. */
#define LIMIT_RETRIES 8

int streams_request(const struct streams *s, const char *target, const struct buf *body,
		    int (*check)(struct http_call *c, char *why, size_t n), void *owner,
		    struct buf *resp, enum streams_fault *fault, const char *table,
		    struct errbuf *eb)
{
	struct errbuf sync_eb = ERRBUF_INIT;
	struct http_call c;
	enum streams_fault f = STREAMS_FAULT_NONE;
	int attempt, r = -1;

	http_call_init(&c);
	streams_prepare(s, &c, target);
	c.check = check;
	c.owner = owner;
	buf_append(&c.body, body->data ? body->data : "", body->len);
	for (attempt = 1;; attempt++) {
		errbuf_clear(&sync_eb);
		if (http_call_sync(&c, &sync_eb) == 0) {
			f = STREAMS_FAULT_NONE;
			break;
		}
		f = streams_classify(&c);
		if (c.outcome != HTTP_REJECTED || strcmp(c.err.type, "LimitExceededException") ||
		    attempt > LIMIT_RETRIES || engine_stop)
			break;
		usleep((useconds_t)engine_backoff_ms(&engine_global_config, attempt) * 1000);
	}
	if (f == STREAMS_FAULT_NONE) {
		buf_reset(resp);
		buf_append(resp, c.resp.data ? c.resp.data : "", c.resp.len);
		r = 0;
	} else if (c.outcome == HTTP_REJECTED) {
		streams_report(&c, f, table, eb);
	} else {
		*eb = sync_eb;
	}
	if (fault)
		*fault = f;
	http_call_release(&c);
	return r;
}

int streams_describe(const struct streams *s, const char *arn, const char *table,
		     struct stream_shards *set, struct streams_desc *desc,
		     enum streams_fault *fault, struct errbuf *eb)
{
	char start[STREAM_SHARD_ID_MAX + 1] = "", why[512];
	struct buf body = BUF_INIT, resp = BUF_INIT;
	struct streams_desc_page pg;
	struct streams_describe_ask ask;
	int r = -1, pages = 0;

	stream_shards_reset(set);
	if (fault)
		*fault = STREAMS_FAULT_NONE;
	memset(desc, 0, sizeof(*desc));
	/* Each page adds at least one shard (checked), so this ends within max pages. */
	do {
		if (streams_describe_body(&body, arn, start, STREAMS_DESCRIBE_LIMIT) < 0) {
			errf(eb, EXIT_USAGE, "'%s' is not a stream ARN", arn);
			goto out;
		}
		ask.arn = arn;
		ask.start_shard = start[0] ? start : NULL;
		if (streams_request(s, STREAMS_TARGET("DescribeStream"), &body, streams_check_describe,
				    &ask, &resp, fault, table, eb) < 0)
			goto out;
		if (streams_describe_parse((struct slice){ resp.data, resp.len }, arn, ask.start_shard,
					   &pg, why, sizeof(why)) < 0 ||
		    streams_describe_add(set, &pg, why, sizeof(why)) < 0) {
			errf(eb, EXIT_FAILURE_RUNTIME, "DescribeStream of the stream of table '%s' after %d pages: %s",
			     table, pages, why);
			goto out;
		}
		if (!pages++) {
			memcpy(desc->status, pg.status, sizeof(desc->status));
			memcpy(desc->view_type, pg.view_type, sizeof(desc->view_type));
		}
		memcpy(start, pg.last_shard, sizeof(start));
	} while (start[0]);
	if (stream_shards_order(set, why, sizeof(why)) < 0) {
		errf(eb, EXIT_FAILURE_RUNTIME, "the stream of table '%s': %s", table, why);
		goto out;
	}
	r = 0;
out:
	buf_release(&body);
	buf_release(&resp);
	return r;
}

int streams_get_iterator(const struct streams *s, const char *arn, const char *table,
			 const struct stream_pos *pos, struct buf *iterator,
			 enum streams_fault *fault, struct errbuf *eb)
{
	struct buf body = BUF_INIT, resp = BUF_INIT;
	int r = -1;

	if (fault)
		*fault = STREAMS_FAULT_NONE;
	if (streams_iterator_body_at(&body, arn, pos) < 0)
		errf(eb, EXIT_USAGE, "shard '%s' of the stream of table '%s' has no position to read from",
		     pos->shard, table);
	else if (streams_request(s, STREAMS_TARGET("GetShardIterator"), &body,
				 streams_check_iterator, NULL, &resp, fault, table, eb) == 0)
		r = streams_iterator_parse((struct slice){ resp.data, resp.len }, iterator, NULL, 0);
	buf_release(&body);
	buf_release(&resp);
	return r;
}

int streams_get_records(const struct streams *s, const struct buf *iterator, int limit,
			const struct streams_records_want *want, const char *table,
			struct buf *resp, struct streams_records_page *pg,
			enum streams_fault *fault, struct errbuf *eb)
{
	struct buf body = BUF_INIT;
	int r = -1;

	if (fault)
		*fault = STREAMS_FAULT_NONE;
	if (streams_records_body(&body, iterator->data, iterator->len, limit) < 0)
		errf(eb, EXIT_USAGE, "GetRecords on the stream of table '%s' needs an iterator and a limit of 1 to %d",
		     table, STREAMS_RECORDS_LIMIT);
	else if (streams_request(s, STREAMS_TARGET("GetRecords"), &body, streams_check_records,
				 (void *)want, resp, fault, table, eb) == 0)
		r = streams_records_parse((struct slice){ resp->data, resp->len }, want, pg, NULL, 0);
	buf_release(&body);
	return r;
}
