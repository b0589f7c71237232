/*
 * The end of a run: one summary line on stderr; with --json one object on
 * stdout; in GitHub Actions (GITHUB_STEP_SUMMARY set) a Markdown table for
 * the job's summary page.
 */
#include "dynamo/stages.h"
#include "dynamo/clock.h"
#include "dynamo/json_print.h"
#include "dynamo/plan_slice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct totals {
	uint64_t read, written, deleted, saved, failed, retries, throttles, unprocessed;
	uint64_t requests, peak_in_flight, compared;
	double seconds;
};

static void add_up(const struct plan *p, struct totals *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < p->n; i++) {
		const struct job_counters *c = &p->st[i].c;

		/* A prune reads the target's keys to check them: not items read from a source. */
		if (p->st[i].kind != STAGE_PRUNE && p->st[i].kind != STAGE_QUERY_PRUNE &&
		    p->st[i].kind != STAGE_PRUNE_KEYS)
			t->read += c->read;
		t->written += c->written;
		t->deleted += c->deleted;
		t->saved += c->saved;
		t->failed += c->failed;
		t->retries += c->retries;
		t->throttles += c->throttles;
		t->unprocessed += c->unprocessed;
		t->requests += c->requests;
		t->compared += c->compared;
		if (c->peak_in_flight > t->peak_in_flight)
			t->peak_in_flight = c->peak_in_flight;
	}
	t->seconds = (double)(clock_mono_us() - p->started_us) / 1e6;
}

/* Whether command is one of the space-separated names in list. */
static int command_does(const char *command, const char *list)
{
	size_t n = strlen(command);

	for (; *list; list += strcspn(list, " "), list += *list == ' ')
		if (!strncmp(list, command, n) && (list[n] == ' ' || !list[n]))
			return 1;
	return 0;
}

/*
 * Items a run dealt with: what it changed or saved; for a query, which only
 * reads (and prints one item of thousands with --head), what it read. A
 * copy whose writes all failed handled nothing, however much it read.
 */
static uint64_t handled(const struct plan *p, const struct totals *t)
{
	if (command_does(p->command, "diff sync") || t->compared)
		return t->compared;	/* both sides' items, compared */
	return strcmp(p->command, "query") ? t->written + t->deleted + t->saved : t->read;
}

static double rate(const struct plan *p, const struct totals *t)
{
	return t->seconds > 0 ? (double)handled(p, t) / t->seconds : 0;
}

/* The lag a follow stage stopped at, or -1 without one. */
static double follow_lag(const struct plan *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->st[i].has_lag)
			return p->st[i].lag_s;
	return -1;
}


/* The summary names what the command does: a query prints, it does not write or delete. */
static void print_line(const struct plan *p, const struct totals *t, int ok)
{
	struct buf line = BUF_INIT;
	char label[64];

	buf_printf(&line, "dynamo: %s%s %s: %llu read", p->command,
		   plan_slice_label(p, label, sizeof(label)), ok ? "done" : "stopped",
		   (unsigned long long)t->read);
	if (t->written || command_does(p->command, "copy restore import sync"))
		buf_printf(&line, ", %llu written", (unsigned long long)t->written);
	if (t->deleted || command_does(p->command, "copy restore truncate sync"))
		buf_printf(&line, ", %llu deleted", (unsigned long long)t->deleted);
	if (t->saved || command_does(p->command, "export query"))
		buf_printf(&line, ", %llu %s", (unsigned long long)t->saved,
			   p->saved_word ? p->saved_word : "saved");
	buf_printf(&line, "; %llu retries, %llu throttles", (unsigned long long)t->retries,
		   (unsigned long long)t->throttles);
	/* Items a batch answer left unprocessed, each sent again: retries too, of items. */
	if (t->unprocessed)
		buf_printf(&line, ", %llu unprocessed sent again", (unsigned long long)t->unprocessed);
	buf_printf(&line, "; %.1f s, %.0f items/s", t->seconds, rate(p, t));
	if (follow_lag(p) >= 0)
		buf_printf(&line, "; followed the stream to %.1f s behind", follow_lag(p));
	if (p->summary_extra)
		p->summary_extra(p, &line, NULL, p->summary_arg);
	if (p->nwarnings)
		buf_printf(&line, "; %d warning%s (see above)", p->nwarnings,
			   p->nwarnings == 1 ? "" : "s");
	buf_putc(&line, '\n');
	msg_raw(line.data, line.len);
	buf_release(&line);
}

cJSON *plan_side_json(const struct ddb *d, const char *table)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "table", table);
	if (d->env_keys) {
		cJSON_AddNullToObject(o, "profile");
		cJSON_AddStringToObject(o, "credentials", "environment");
	} else {
		cJSON_AddStringToObject(o, "profile", d->profile);
	}
	if (d->account[0])
		cJSON_AddStringToObject(o, "account", d->account);
	cJSON_AddStringToObject(o, "region", d->region);
	if (d->ep.custom)
		cJSON_AddStringToObject(o, "endpoint", d->ep.url);
	return o;
}

/* What every --json result starts with; error NULL when there is none. */
static cJSON *result_object(const char *command, int ok, const char *error,
			    int exit_code)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "command", command);
	cJSON_AddBoolToObject(o, "ok", ok);
	if (error) {
		cJSON_AddStringToObject(o, "error", error);
		cJSON_AddNumberToObject(o, "exit_code", exit_code);
	}
	return o;
}

void plan_stage_fields_json(const struct stage *st, cJSON *x)
{
	if (st->sel && selection_restricts(st->sel))
		selection_to_json(st->sel, cJSON_AddObjectToObject(x, "selection"));
	if (st->xf && transform_any(st->xf))
		transform_to_json(st->xf, cJSON_AddObjectToObject(x, "transforms"));
}

static void print_json(const struct plan *p, const struct totals *t, int ok)
{
	const struct errbuf *eb = p->params.eb;
	cJSON *o = result_object(p->command, ok, !ok && eb->set ? eb->msg : NULL,
				 eb->exit ? eb->exit : 1);
	cJSON *stages = cJSON_CreateArray();
	int i;

	if (p->params.slice.k) {
		char slice[32];

		snprintf(slice, sizeof(slice), "%d/%d", p->params.slice.i, p->params.slice.k);
		cJSON_AddStringToObject(o, "slice", slice);
	}
	cJSON_AddNumberToObject(o, "read", (double)t->read);
	if (!strcmp(p->command, "count"))
		cJSON_AddNumberToObject(o, "count", (double)t->read);
	cJSON_AddNumberToObject(o, "written", (double)t->written);
	cJSON_AddNumberToObject(o, "deleted", (double)t->deleted);
	cJSON_AddNumberToObject(o, "saved", (double)t->saved);
	cJSON_AddNumberToObject(o, "failed", (double)t->failed);
	cJSON_AddNumberToObject(o, "retries", (double)t->retries);
	cJSON_AddNumberToObject(o, "throttles", (double)t->throttles);
	cJSON_AddNumberToObject(o, "unprocessed", (double)t->unprocessed);
	cJSON_AddNumberToObject(o, "requests", (double)t->requests);
	cJSON_AddNumberToObject(o, "peak_in_flight", (double)t->peak_in_flight);
	cJSON_AddNumberToObject(o, "seconds", t->seconds);
	cJSON_AddNumberToObject(o, "items_per_second", rate(p, t));
	if (follow_lag(p) >= 0)
		cJSON_AddNumberToObject(o, "lag_seconds", follow_lag(p));
	if (p->summary_extra)
		p->summary_extra(p, NULL, o, p->summary_arg);
	for (i = 0; i < p->n; i++) {
		const struct stage *st = &p->st[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "name", st->name);
		plan_stage_sides_json(st, x);
		plan_stage_fields_json(st, x);
		cJSON_AddBoolToObject(x, "skipped", st->skipped);
		cJSON_AddNumberToObject(x, "read", (double)st->c.read);
		cJSON_AddNumberToObject(x, "written", (double)st->c.written);
		cJSON_AddNumberToObject(x, "deleted", (double)st->c.deleted);
		cJSON_AddNumberToObject(x, "saved", (double)st->c.saved);
		cJSON_AddNumberToObject(x, "retries", (double)st->c.retries);
		cJSON_AddNumberToObject(x, "peak_in_flight", (double)st->c.peak_in_flight);
		cJSON_AddNumberToObject(x, "seconds", st->seconds);
		if (st->has_lag)
			cJSON_AddNumberToObject(x, "lag_seconds", st->lag_s);
		if (st->result[0])
			cJSON_AddStringToObject(x, "result", st->result);
		cJSON_AddItemToArray(stages, x);
	}
	cJSON_AddItemToObject(o, "stages", stages);
	if (p->nwarnings) {
		cJSON *w = cJSON_CreateArray();

		for (i = 0; i < p->nwarnings && i < (int)(sizeof(p->warnings) / sizeof(p->warnings[0])); i++)
			cJSON_AddItemToArray(w, cJSON_CreateString(p->warnings[i]));
		cJSON_AddItemToObject(o, "warnings", w);
	}
	print_json_line(o);
	cJSON_Delete(o);
}

static void md_side(FILE *f, const struct ddb *d, const char *table)
{
	if (!d || !table) {
		fputs(" |", f);
		return;
	}
	fprintf(f, " `%s` (%s%s%s, %s) |", table,
		d->env_keys ? "keys from the environment" : d->profile,
		d->account[0] ? ", account " : "", d->account, d->region);
}

/* The GitHub Actions step summary to append to, or NULL outside Actions. */
static FILE *open_step_summary(void)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");

	return path && *path ? fopen(path, "a") : NULL;
}

static void github_summary(const struct plan *p, const struct totals *t, int ok)
{
	FILE *f = open_step_summary();
	char label[64];
	int i;

	if (!f)
		return;
	fprintf(f, "### dynamo %s%s %s\n\n", p->command, plan_slice_label(p, label, sizeof(label)),
		ok ? "succeeded" : "failed");
	fprintf(f, "| stage | source | target | read | written | deleted | seconds |\n");
	fprintf(f, "|---|---|---|---:|---:|---:|---:|\n");
	for (i = 0; i < p->n; i++) {
		const struct stage *st = &p->st[i];

		fprintf(f, "| %s%s |", st->name, st->skipped ? " (resumed: done earlier)" : "");
		md_side(f, stage_source(st), stage_source_table(st));
		md_side(f, st->dst, st->dst_table);
		fprintf(f, " %llu | %llu | %llu | %.1f |\n",
			(unsigned long long)st->c.read, (unsigned long long)st->c.written,
			(unsigned long long)st->c.deleted, st->seconds);
	}
	fprintf(f, "\n**%llu** items handled in **%.1f s** (%.0f items/s), %llu retries, %llu throttles.\n",
		(unsigned long long)handled(p, t), t->seconds,
		rate(p, t), (unsigned long long)t->retries, (unsigned long long)t->throttles);
	for (i = 0; i < p->nwarnings && i < (int)(sizeof(p->warnings) / sizeof(p->warnings[0])); i++)
		fprintf(f, "\n> **Warning:** %s\n", p->warnings[i]);
	if (!ok && p->params.eb->set)
		fprintf(f, "\n> **Error:** %s\n", p->params.eb->msg);
	fputc('\n', f);
	fclose(f);
}

void plan_summary(struct plan *p, int ok)
{
	struct totals t;

	add_up(p, &t);
	print_line(p, &t, ok);
	if (p->params.json) {
		print_json(p, &t, ok);
		plan_mark_done(p->params.json_done);
	}
	github_summary(p, &t, ok);
	plan_mark_done(p->params.summary_done);
}

void plan_report_failure(const char *command, const char *msg, int code, int json,
			 int step_summary)
{
	FILE *f;

	if (json) {
		cJSON *o = result_object(command, 0, msg, code);

		print_json_line(o);
		fflush(stdout);
		cJSON_Delete(o);
	}
	if (!step_summary || !(f = open_step_summary()))
		return;
	fprintf(f, "### dynamo %s failed\n\n> **Error (exit %d):** %s\n\n",
		command, code, msg);
	fclose(f);
}
