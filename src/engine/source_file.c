/* The file source: one unit reading items through the job's file_next (an export file, a stream's changes). */
#include "dynamo/source.h"

static int file_unit_count(const struct job *j)
{
	(void)j;
	return 1;
}

static void file_request(struct unit *u)
{
	struct job *j = u->w->job;
	const struct sink_ops *s = job_sink(j);
	struct page *pg = unit_new_page(u);
	struct errbuf eb = ERRBUF_INIT;
	struct slice item;
	int n;

	/* A chunk of items per turn, so writes start while the file is read. */
	for (n = 0; n < 1000; n++) {
		if (!j->in.file_next(j->in.file_ctx, &item, &eb)) {
			if (eb.set)
				job_fail(j, eb.exit, "%s", eb.msg);
			u->exhausted = 1;
			pg->last = 1;
			break;
		}
		pg->pending++;
		job_add(&j->st.c.read, 1);
		if (s->item(u->w, item, pg) < 0)
			break;
	}
	source_page_fed(u, pg);
}

const struct source_ops file_source = {
	.name = "file",
	.repeats_keys = 1,
	.unit_count = file_unit_count,
	.request = file_request,
};
