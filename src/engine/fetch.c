/*
 * fetch_then_write: an index that projects only some attributes (KEYS_ONLY,
 * INCLUDE) gives partial items, and putting those into the target would lose
 * the rest. So the items found through such an index are read whole by their
 * table keys (BatchGetItem) and handed to the batch writer.
 */
#include "dynamo/batchget.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"

#include <stdlib.h>

struct fetcher {
	struct batchget *get;
	struct buf key;
};

static void fetched(struct worker *w, struct page *pg, struct slice key,
		    struct slice item, void *tag)
{
	(void)key;
	(void)tag;
	if (item.n)
		batch_writer_ops.item(w, item, pg);
	else
		page_done(pg, 1);	/* deleted since the index was read */
}

static int fetch_init(struct worker *w)
{
	struct job *j = w->job;
	struct fetcher *f = xcalloc(1, sizeof(*f));

	f->get = batchget_new(w, j->in.ddb, j->in.table, j->in.desc, NULL, fetched);
	w->sink_state = f;
	return batch_writer_ops.init(w);
}

static void fetch_release(struct worker *w)
{
	struct fetcher *f = w->sink_state;

	batch_writer_ops.release(w);
	if (!f)
		return;
	batchget_free(f->get);
	buf_release(&f->key);
	free(f);
	w->sink_state = NULL;
}

static int fetch_item(struct worker *w, struct slice item, struct page *pg)
{
	struct fetcher *f = w->sink_state;
	struct job *j = w->job;

	buf_reset(&f->key);
	if (item_key(item, &j->in.desc->hash, &j->in.desc->range, &f->key) < 0) {
		job_fail(j, EXIT_FAILURE_RUNTIME,
			 "an item found through index '%s' lacks the table's key attributes",
			 j->in.index ? j->in.index : "?");
		return -1;
	}
	batchget_key(f->get, (struct slice){ f->key.data, f->key.len }, pg);
	return 0;
}

static void fetch_flush(struct worker *w)
{
	batchget_flush(((struct fetcher *)w->sink_state)->get);
	batch_writer_ops.flush(w);
}

static size_t fetch_backlog(struct worker *w)
{
	return batchget_backlog(((struct fetcher *)w->sink_state)->get) +
	       batch_writer_ops.backlog(w);
}

const struct sink_ops fetch_then_write_ops = {
	fetch_item, fetch_flush, fetch_backlog, fetch_release, fetch_init, NULL,
	batch_writer_tick, batch_writer_busy
};
