/*
 * Reads a table's whole DynamoDB stream through the streams module (no
 * dynamo command involved), for tests/e2e/test_streams_read.py, which runs
 * it against moto and compares what it read with what boto3 wrote.
 *
 *   streams_read TABLE [PROFILE [LIMIT]]
 *
 * The side is opened as dynamo opens one: ~/.aws files of $HOME, the
 * profile (default "src"), its region, AWS_ENDPOINT_URL* and the services
 * block; DYNAMO_TEST_ENDPOINT_URL stands for --endpoint-url. The stream is
 * described (every page), its shards ordered parents first, and each read
 * from TRIM_HORIZON with GetRecords of LIMIT records (default 1000) until
 * it ends (a closed shard) or a page comes back empty (an open shard read
 * up to now; a closed one is read on until it ends). Each record goes to stdout as one JSON line:
 *
 *   {"shard":ID,"seq":SEQ,"event":"INSERT","keys":{..},"new":{..}|null,
 *    "old":{..}|null,"ms":N,"ttl":false}
 *
 * keys, new and old are the bytes the service sent. Before them
 * {"stream":ARN,"endpoint":URL}; after each shard {"position":"ID SEQ"}
 * (stream_pos_format); at the end {"shards":N,"status":..,"view":..}.
 * Failures are one "dynamo: " line on stderr and dynamo's exit codes.
 */
#include "dynamo/ddb.h"
#include "dynamo/exitcode.h"
#include "dynamo/http.h"
#include "dynamo/parse.h"
#include "dynamo/profile.h"
#include "dynamo/streams.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct ddb side;
	struct streams api;
	const char *table, *profile;
	const char *arn;
	int limit;
	struct buf iterator, page, line;
};

static const char *event_name(enum stream_event e)
{
	return e == STREAM_INSERT ? "INSERT" : e == STREAM_MODIFY ? "MODIFY" : "REMOVE";
}

static void put_image(struct buf *b, const char *name, struct slice img)
{
	buf_printf(b, ",\"%s\":", name);
	if (img.n)
		buf_append(b, img.p, img.n);
	else
		buf_puts(b, "null");
}

static void print_record(struct reader *r, const char *shard, const struct stream_record *rec)
{
	struct buf *b = &r->line;

	buf_reset(b);
	buf_printf(b, "{\"shard\":\"%s\",\"seq\":\"%s\",\"event\":\"%s\",\"keys\":", shard,
		   rec->seq, event_name(rec->event));
	buf_append(b, rec->keys.p, rec->keys.n);
	put_image(b, "new", rec->new_image);
	put_image(b, "old", rec->old_image);
	buf_printf(b, ",\"ms\":%lld,\"ttl\":%s}\n", (long long)rec->created_ms,
		   rec->ttl ? "true" : "false");
	fwrite(b->data, 1, b->len, stdout);
}

/* Applies (prints) every record of a checked page, moving pos past each. */
static int apply_page(struct reader *r, const struct streams_records_page *pg,
		      struct stream_pos *pos, struct errbuf *eb)
{
	struct stream_record rec;
	struct js_iter it;
	int got;

	streams_records_begin(&it, pg);
	while ((got = streams_records_next(&it, &rec)) == 1) {
		print_record(r, pos->shard, &rec);
		if (stream_pos_advance(pos, rec.seq) < 0)
			return errf(eb, EXIT_FAILURE_RUNTIME, "record %s of shard '%s' is not after %s",
				    rec.seq, pos->shard, pos->seq);
	}
	return got < 0 ? errf(eb, EXIT_FAILURE_RUNTIME, "a checked page does not walk") : 0;
}

/* Empty pages in a row from a closed shard before the reader gives up on it. */
#define MAX_EMPTY_PAGES 1000

/* Reads one shard from its start until it ends or has nothing more for now. */
static int read_shard(struct reader *r, const struct stream_shard *sh,
		      struct stream_pos *pos, struct errbuf *eb)
{
	struct streams_records_want want;
	struct streams_records_page pg;
	int empty = 0;

	if (stream_pos_start(pos, sh->id) < 0)
		return errf(eb, EXIT_FAILURE_RUNTIME, "shard '%s' has no usable id", sh->id);
	if (streams_get_iterator(&r->api, r->arn, r->table, pos, &r->iterator, NULL, eb) < 0)
		return -1;
	for (;;) {
		want.after = pos->kind == STREAM_POS_AFTER ? pos->seq : NULL;
		want.shard = sh;
		want.new_images = 1;
		if (streams_get_records(&r->api, &r->iterator, r->limit, &want, r->table,
					&r->page, &pg, NULL, eb) < 0 ||
		    apply_page(r, &pg, pos, eb) < 0)
			return -1;
		if (pg.ended) {
			/* Only a shard DescribeStream lists as closed may end. */
			if (!stream_shard_closed(sh))
				return errf(eb, EXIT_FAILURE_RUNTIME,
					    "GetRecords ended shard '%s', which DescribeStream lists as open",
					    sh->id);
			stream_pos_end(pos);
			return 0;
		}
		/* An open shard read up to now; a closed one is read until it ends. */
		if (!pg.nrecords && !stream_shard_closed(sh))
			return 0;
		empty = pg.nrecords ? 0 : empty + 1;
		if (empty > MAX_EMPTY_PAGES)
			return errf(eb, EXIT_FAILURE_RUNTIME, "closed shard '%s' gave %d empty pages and no end",
				    sh->id, empty);
		if (streams_records_next_iterator(&pg, &r->iterator) < 0)
			return errf(eb, EXIT_FAILURE_RUNTIME, "a page without its next iterator");
	}
}

static int read_stream(struct reader *r, struct errbuf *eb)
{
	struct stream_shards set;
	struct streams_desc desc;
	struct stream_pos pos;
	struct buf text = BUF_INIT;
	int i, rc = -1;

	stream_shards_init(&set, 0);
	if (streams_describe(&r->api, r->arn, r->table, &set, &desc, NULL, eb) < 0)
		goto out;
	for (i = 0; i < set.n; i++) {
		if (read_shard(r, &set.v[set.order[i]], &pos, eb) < 0)
			goto out;
		buf_reset(&text);
		stream_pos_format(&pos, &text);
		printf("{\"position\":\"%s\"}\n", text.data);
	}
	printf("{\"shards\":%d,\"status\":\"%s\",\"view\":\"%s\"}\n", set.n, desc.status,
	       desc.view_type);
	rc = 0;
out:
	buf_release(&text);
	stream_shards_release(&set);
	return rc;
}

static int run(struct reader *r, struct errbuf *eb)
{
	struct aws_config cfg;
	struct ddb_settings set;
	struct table_desc t;
	char where[512];
	int rc = -1;

	if (aws_config_load(&cfg, eb) < 0)
		return -1;
	memset(&set, 0, sizeof(set));
	set.cfg = &cfg;
	set.profile = r->profile;
	set.profile_explicit = 1;
	set.endpoint_url = getenv("DYNAMO_TEST_ENDPOINT_URL");
	if (ddb_open(&r->side, &set, eb) < 0)
		goto cfg;
	if (streams_open(&r->api, &r->side, &set, eb) < 0)
		goto side;
	if (table_describe(&r->side, r->table, &t, eb) < 0)
		goto api;
	if (streams_table_check(&t, ddb_where(&r->side, where, sizeof(where)), eb) == 0) {
		r->arn = t.stream_arn;
		printf("{\"stream\":\"%s\",\"endpoint\":\"%s\"}\n", r->arn, r->api.ep.url);
		rc = read_stream(r, eb);
	}
	table_desc_release(&t);
api:
	streams_close(&r->api);
side:
	ddb_close(&r->side);
cfg:
	aws_config_release(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	struct errbuf eb = ERRBUF_INIT;
	struct reader r;
	uint64_t limit = STREAMS_RECORDS_LIMIT;
	int rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: streams_read TABLE [PROFILE [LIMIT]]\n");
		return EXIT_USAGE;
	}
	if (argc > 3 && parse_count("LIMIT", argv[3], 1, STREAMS_RECORDS_LIMIT, &limit, &eb) < 0)
		return errbuf_report(&eb);
	memset(&r, 0, sizeof(r));
	r.table = argv[1];
	r.profile = argc > 2 ? argv[2] : "src";
	r.limit = (int)limit;
	engine_config_defaults(&engine_global_config);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_FAILURE_RUNTIME;
	rc = run(&r, &eb);
	buf_release(&r.iterator);
	buf_release(&r.page);
	buf_release(&r.line);
	http_sync_cleanup();
	curl_global_cleanup();
	if (fflush(stdout) != 0)
		return EXIT_IO;
	return rc < 0 ? errbuf_report(&eb) : EXIT_OK;
}
