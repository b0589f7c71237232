/* An export's data files loaded from S3 into a table, file by file (plan_export.h). */
#include "dynamo/plan_export.h"
#include "dynamo/checkpoint.h"
#include "dynamo/exitcode.h"
#include "dynamo/export_reader.h"
#include "dynamo/stages.h"

#include <stdio.h>
#include <string.h>

static int open_reader(struct export_load *x, struct export_reader **r, struct errbuf *eb)
{
	struct export_reader_options o;

	memset(&o, 0, sizeof(o));
	o.file_at_a_time = 1;
	o.list_data = x->no_manifest;
	if (export_reader_open(r, x->s3, x->url, &o, eb) < 0)
		return -1;
	if (export_reader_summary(*r) && export_reader_summary(*r)->type == EXPORT_INCREMENTAL) {
		export_reader_close(*r);
		return errf(eb, EXIT_USAGE,
			    "%s is an incremental export: its records are changes (puts and deletes), not items to load; import a full export",
			    x->url);
	}
	return 0;
}

/* Every file of the manifest counted, and the counts checked against the summary. */
int export_load_survey(struct export_load *x, struct errbuf *eb)
{
	struct export_reader *r;
	const char *key;
	long long n;
	int rc;

	if (open_reader(x, &r, eb) < 0)
		return -1;
	x->files = 0;
	while ((rc = export_reader_next_file(r, &key, &n, eb)) == 1) {
		x->files++;
		if (export_reader_skip_file(r, eb) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0) {
		x->items = export_reader_summary(r) ? (uint64_t)export_reader_summary(r)->item_count : 0;
		snprintf(x->bucket, sizeof(x->bucket), "%s", export_reader_bucket(r));
		if ((size_t)snprintf(x->data_prefix, sizeof(x->data_prefix), "%sdata/",
				     export_reader_dir(r)) >= sizeof(x->data_prefix))
			rc = errf(eb, EXIT_USAGE, "the export's folder name in '%s' is too long", x->url);
	}
	export_reader_close(r);
	return rc;
}

static void add_counters(struct job_counters *to, const struct job_counters *c)
{
	to->read += c->read;
	to->written += c->written;
	to->deleted += c->deleted;
	to->saved += c->saved;
	to->failed += c->failed;
	to->pages += c->pages;
	to->unprocessed += c->unprocessed;
	to->requests += c->requests;
	to->retries += c->retries;
	to->throttles += c->throttles;
	if (c->peak_in_flight > to->peak_in_flight)
		to->peak_in_flight = c->peak_in_flight;
}

/* Whether an earlier run (the checkpoint) loaded file k whole. */
static int loaded_before(struct plan *p, int ck_stage, uint64_t k)
{
	struct buf start = BUF_INIT;
	int done;

	if (!p->ck || ck_stage < 0 || k >= (uint64_t)checkpoint_stage_units(p->ck, ck_stage))
		return 0;
	done = checkpoint_unit(p->ck, ck_stage, (int)k, &start) == 1;
	buf_release(&start);
	return done;
}

/* One job per data file: when it ends, every item of the file is written. */
static int load_file(struct plan *p, struct stage *s, struct export_reader *r, long long items)
{
	struct stage one = *s;
	int rc;

	one.kind = STAGE_IMPORT;
	one.segments = 0;
	one.run = NULL;
	one.estimate = items > 0 ? (uint64_t)items : 0;
	one.file_next = export_reader_next;
	one.job_ctx = r;
	memset(&one.c, 0, sizeof(one.c));
	rc = stage_run(p, &one, -1);
	add_counters(&s->c, &one.c);
	return rc;
}

static int load_files(struct plan *p, struct stage *s, int ck_stage)
{
	struct export_load *x = s->prepare_arg;
	struct errbuf *eb = p->params.eb;
	struct export_reader *r;
	const char *key;
	long long n;
	uint64_t k, skipped = 0;
	int rc;

	if (open_reader(x, &r, eb) < 0)
		return -1;
	for (k = 0; (rc = export_reader_next_file(r, &key, &n, eb)) == 1; k++) {
		if (loaded_before(p, ck_stage, k)) {
			skipped++;
			if ((rc = export_reader_skip_file(r, eb)) < 0)
				break;
			continue;
		}
		if (n >= 0)
			msg_info("import: data file %llu of %llu, %lld items (%s)", (unsigned long long)k + 1,
				 (unsigned long long)x->files, n, key);
		else
			msg_info("import: data file %llu of %llu (%s)", (unsigned long long)k + 1,
				 (unsigned long long)x->files, key);
		if ((rc = load_file(p, s, r, n)) < 0)
			break;
		if (p->ck) {
			checkpoint_advance(p->ck, ck_stage, (int)k, NULL);
			if ((rc = checkpoint_save(p->ck, 1, eb)) < 0)
				break;
		}
	}
	export_reader_close(r);
	if (rc == 0 && skipped)
		msg_info("import: %llu data files were loaded by an earlier run (checkpoint)",
			 (unsigned long long)skipped);
	return rc;
}

static struct stage *add_load(struct plan *p, struct table_ref to, struct export_load *x)
{
	struct stage *s = plan_add(p, STAGE_CUSTOM, "import");

	s->custom = CUSTOM_LOAD_S3;
	s->run = load_files;
	s->prepare_arg = x;
	s->dst = to.d;
	s->dst_table = to.name;
	s->dst_desc = to.desc;
	s->segments = x->files > 100000000 ? 100000000 : (int)x->files;
	s->estimate = x->items;
	s->arg = x->url;
	return s;
}

struct stage *plan_add_export_load(struct plan *p, struct table_ref to, struct export_load *x,
				   struct errbuf *eb)
{
	if (export_load_survey(x, eb) < 0)
		return NULL;
	return add_load(p, to, x);
}

static int survey_now(struct plan *p, struct stage *s)
{
	struct export_load *x = s->prepare_arg;

	if (export_load_survey(x, p->params.eb) < 0)
		return -1;
	s->estimate = x->items;
	return 0;
}

struct stage *plan_add_export_load_later(struct plan *p, struct table_ref to, struct export_load *x)
{
	struct stage *s = add_load(p, to, x);

	s->prepare = survey_now;
	return s;
}
