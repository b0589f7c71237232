/*
 * prune: the last stage of a copy. The target's keys (a keys-only scan, or
 * query for an item copy) are looked up in the source; an item the source no
 * longer has, or whose source item is no longer among the items the copy
 * selected, is deleted from the target.
 *
 * Copying first and pruning after, rather than emptying the target first,
 * means no delete ever concerns a key the copy writes: a delete that reaches
 * the server late (after a timeout and a successful retry) cannot remove a
 * copied item, and the target is never empty halfway.
 */
#include "dynamo/batchget.h"
#include "dynamo/source.h"

#include <stdlib.h>
#include <string.h>

static void looked_up(struct worker *w, struct page *pg, struct slice key,
		      struct slice item, void *tag)
{
	const struct job *j = w->job;
	int keep = item.n && source_item_matches(j, item);

	(void)tag;
	if (keep)
		page_done(pg, 1);
	else
		batch_writer_ops.item(w, key, pg);	/* the writer deletes for this job */
}

/* Adds name to the NULL-terminated list unless it is there: DynamoDB refuses overlapping paths. */
static void add_name(const char *names[5], int *n, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return;
	names[(*n)++] = name;
	names[*n] = NULL;
}

/*
 * What the check needs of the source item: its keys, and the query's keys
 * for an item copy, each once (a local index shares the table's partition
 * key, a global one may reuse its sort key).
 */
void prune_projection(const struct job *j, const char *names[5])
{
	const struct table_desc *t = j->out.lookup_desc;
	const struct index_desc *ix = j->in.index ? table_index(t, j->in.index) : NULL;
	int n = 0;

	names[0] = NULL;
	add_name(names, &n, t->hash.name);
	if (t->range.name)
		add_name(names, &n, t->range.name);
	if (ix) {
		add_name(names, &n, ix->hash.name);
		if (ix->range.name)
			add_name(names, &n, ix->range.name);
	}
}

static int prune_init(struct worker *w)
{
	struct job *j = w->job;
	const char *names[5];

	prune_projection(j, names);
	w->sink_state = batchget_new(w, j->out.lookup, j->out.lookup_table, j->out.lookup_desc,
				     names, looked_up);
	return batch_writer_ops.init(w);
}

static void prune_release(struct worker *w)
{
	batch_writer_ops.release(w);
	batchget_free(w->sink_state);
	w->sink_state = NULL;
}

static int prune_item(struct worker *w, struct slice key, struct page *pg)
{
	batchget_key(w->sink_state, key, pg);
	return 0;
}

static void prune_flush(struct worker *w)
{
	batchget_flush(w->sink_state);
	batch_writer_ops.flush(w);
}

static size_t prune_backlog(struct worker *w)
{
	return batchget_backlog(w->sink_state) + batch_writer_ops.backlog(w);
}

const struct sink_ops prune_ops = {
	prune_item, prune_flush, prune_backlog, prune_release, prune_init, NULL,
	batch_writer_tick, batch_writer_busy
};
