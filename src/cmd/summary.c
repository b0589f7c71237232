/*
 * dynamo summary merge FILE...: the --json results of a job's slices
 * (--slice I/K, one per machine) added up into one, as a single run would
 * have reported it: the counters summed, the stages merged by name, the
 * longest slice's time. Every slice 1..K must be there exactly once, and
 * all of the same command; a result without a slice (the --prepare-only
 * run) is added too. Prints the summary line, with --json the merged
 * object, and under GitHub Actions a table of the slices on the step
 * summary page. Exit: 0 when every slice succeeded; a failed slice's exit
 * code; 5 when a slice is missing.
 */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULT_MAX (16u << 20)

static const char *const counters[] = {
	"read", "written", "deleted", "saved", "failed", "retries", "throttles", "requests", NULL
};
/* diff's and sync's counts, summed when the slices' results have them. */
static const char *const diff_counters[] = {
	"only_in_source", "only_in_target", "different", "equal", NULL
};
static const char *const stage_counters[] = {
	"read", "written", "deleted", "saved", "retries", NULL
};

struct run {
	const char *file;
	cJSON *result;			/* owned */
	int slice_i, slice_k;		/* 0/0: not a slice */
};

/* The last line of the file that is a JSON object with a "command": a --json result. */
static cJSON *read_result(struct ctx *ctx, const char *file)
{
	struct buf b = BUF_INIT;
	cJSON *found = NULL;
	char *line, *save = NULL;

	if (buf_read_file(&b, file, RESULT_MAX) < 0) {
		errf(&ctx->eb, EXIT_IO, "cannot read '%s': %s", file,
		     errno == EFBIG ? "larger than 16 MB" : strerror(errno));
		return NULL;
	}
	for (line = strtok_r(b.data ? b.data : (char *)"", "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *v = cJSON_Parse(line);

		if (cJSON_IsObject(v) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "command"))) {
			cJSON_Delete(found);
			found = v;
		} else {
			cJSON_Delete(v);
		}
	}
	buf_release(&b);
	if (!found)
		errf(&ctx->eb, EXIT_USAGE,
		     "'%s' holds no dynamo --json result (a line {\"command\":...}): give the files the slices' --json went to",
		     file);
	return found;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int load_runs(struct ctx *ctx, struct run *runs, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const char *slice, *cmd;

		runs[i].file = ctx->args[i + 1];
		if (!(runs[i].result = read_result(ctx, runs[i].file)))
			return -1;
		cmd = str_of(runs[i].result, "command");
		if (strcmp(cmd, str_of(runs[0].result, "command")))
			return errf(&ctx->eb, EXIT_USAGE, "'%s' is a result of dynamo %s, '%s' of dynamo %s: merge the slices of one job",
				    runs[i].file, cmd, runs[0].file, str_of(runs[0].result, "command"));
		slice = str_of(runs[i].result, "slice");
		if (slice && parse_slice("the slice", slice, &runs[i].slice_i, &runs[i].slice_k, &ctx->eb) < 0)
			return -1;
		for (j = 0; j < i; j++) {
			if (runs[j].slice_k && runs[i].slice_k && runs[j].slice_k != runs[i].slice_k)
				return errf(&ctx->eb, EXIT_USAGE, "'%s' is a slice of %d, '%s' of %d: merge the slices of one job",
					    runs[i].file, runs[i].slice_k, runs[j].file, runs[j].slice_k);
			if (runs[i].slice_k && runs[j].slice_i == runs[i].slice_i)
				return errf(&ctx->eb, EXIT_USAGE, "slice %s is given twice ('%s' and '%s')",
					    slice, runs[j].file, runs[i].file);
		}
	}
	return 0;
}

/* The stages merged by name, in the order they first appear. */
static void merge_stages(cJSON *out, const struct run *runs, int n)
{
	cJSON *stages = cJSON_AddArrayToObject(out, "stages");
	int i, k;

	for (i = 0; i < n; i++) {
		const cJSON *st;

		cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(runs[i].result, "stages")) {
			const char *name = str_of(st, "name");
			cJSON *m = NULL, *x;

			if (!name)
				continue;
			cJSON_ArrayForEach(x, stages)
				if (!strcmp(str_of(x, "name"), name))
					m = x;
			if (!m) {
				m = cJSON_CreateObject();
				cJSON_AddStringToObject(m, "name", name);
				for (k = 0; stage_counters[k]; k++)
					cJSON_AddNumberToObject(m, stage_counters[k], 0);
				cJSON_AddNumberToObject(m, "seconds", 0);
				cJSON_AddNumberToObject(m, "runs", 0);
				cJSON_AddItemToArray(stages, m);
			}
			for (k = 0; stage_counters[k]; k++)
				cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(m, stage_counters[k]),
						     num_of(m, stage_counters[k]) + num_of(st, stage_counters[k]));
			if (num_of(st, "seconds") > num_of(m, "seconds"))
				cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "seconds"), num_of(st, "seconds"));
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "skipped")))
				cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "runs"), num_of(m, "runs") + 1);
		}
	}
}

/*
 * A diff's slices: the tables are equal when every slice found its share
 * equal; otherwise the merge exits 1, as diff does.
 */
static void merge_diff(cJSON *out, const struct run *runs, int n, int *code)
{
	int i, k, have = 0, equal = 1;

	for (i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(runs[i].result, "equal_tables");

		if (!cJSON_IsBool(e))
			continue;
		have = 1;
		equal &= cJSON_IsTrue(e);
	}
	if (!have)
		return;
	for (k = 0; diff_counters[k]; k++) {
		double sum = 0;

		for (i = 0; i < n; i++)
			sum += num_of(runs[i].result, diff_counters[k]);
		cJSON_AddNumberToObject(out, diff_counters[k], sum);
	}
	cJSON_AddBoolToObject(out, "equal_tables", equal);
	if (!equal && *code == EXIT_OK && !strcmp(str_of(out, "command"), "diff"))
		*code = 1;
}

/* The merged result; *code is the exit status it stands for. */
static cJSON *merge(struct ctx *ctx, const struct run *runs, int n, int *code)
{
	cJSON *out = cJSON_CreateObject(), *missing = cJSON_CreateArray(), *errors = cJSON_CreateArray();
	int i, k, slices = 0, ok = 1;
	double seconds = 0;

	*code = EXIT_OK;
	for (i = 0; i < n; i++)
		if (runs[i].slice_k)
			slices = runs[i].slice_k;
	for (k = 1; k <= slices; k++) {
		for (i = 0; i < n && runs[i].slice_i != k; i++)
			;
		if (i == n)
			cJSON_AddItemToArray(missing, cJSON_CreateNumber(k));
	}
	for (i = 0; i < n; i++) {
		const cJSON *r = runs[i].result;

		if (num_of(r, "seconds") > seconds)
			seconds = num_of(r, "seconds");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")))
			continue;
		ok = 0;
		if (*code == EXIT_OK)
			*code = num_of(r, "exit_code") > 0 ? (int)num_of(r, "exit_code") : EXIT_FAILURE_RUNTIME;
		{
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "file", runs[i].file);
			if (str_of(r, "slice"))
				cJSON_AddStringToObject(e, "slice", str_of(r, "slice"));
			cJSON_AddStringToObject(e, "error", str_of(r, "error") ? str_of(r, "error") : "failed");
			cJSON_AddItemToArray(errors, e);
		}
	}
	if (cJSON_GetArraySize(missing)) {
		ok = 0;
		if (*code == EXIT_OK)
			*code = EXIT_INCOMPLETE;
	}
	cJSON_AddStringToObject(out, "command", str_of(runs[0].result, "command"));
	cJSON_AddBoolToObject(out, "ok", ok);
	if (!ok)
		cJSON_AddNumberToObject(out, "exit_code", *code);
	cJSON_AddNumberToObject(out, "slices", slices);
	cJSON_AddNumberToObject(out, "runs", n);
	for (k = 0; counters[k]; k++) {
		double sum = 0;

		for (i = 0; i < n; i++)
			sum += num_of(runs[i].result, counters[k]);
		cJSON_AddNumberToObject(out, counters[k], sum);
	}
	cJSON_AddNumberToObject(out, "seconds", seconds);
	merge_diff(out, runs, n, code);
	merge_stages(out, runs, n);
	cJSON_AddItemToObject(out, "missing", missing);
	cJSON_AddItemToObject(out, "errors", errors);
	(void)ctx;
	return out;
}

static void print_line(const cJSON *m)
{
	const cJSON *miss = cJSON_GetObjectItemCaseSensitive(m, "missing"), *x;
	struct buf line = BUF_INIT;

	buf_printf(&line, "dynamo: %s %s (%d slices, %d results merged): %.0f read, %.0f written, %.0f deleted",
		   str_of(m, "command"), cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "ok")) ? "done" : "not done",
		   (int)num_of(m, "slices"), (int)num_of(m, "runs"), num_of(m, "read"),
		   num_of(m, "written"), num_of(m, "deleted"));
	if (num_of(m, "saved") > 0)
		buf_printf(&line, ", %.0f saved", num_of(m, "saved"));
	buf_printf(&line, "; %.0f retries, %.0f throttles; %.1f s (the longest slice)",
		   num_of(m, "retries"), num_of(m, "throttles"), num_of(m, "seconds"));
	cJSON_ArrayForEach(x, miss)
		buf_printf(&line, "%s%d", x == miss->child ? "; missing slices: " : ", ", (int)x->valuedouble);
	if (cJSON_GetObjectItemCaseSensitive(m, "equal_tables"))
		buf_printf(&line, "; %.0f only in source, %.0f only in target, %.0f different, %.0f equal",
			   num_of(m, "only_in_source"), num_of(m, "only_in_target"), num_of(m, "different"),
			   num_of(m, "equal"));
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "errors")))
		buf_printf(&line, "; %d failed (see --json or the step summary)",
			   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "errors")));
	buf_putc(&line, '\n');
	msg_raw(line.data, line.len);
	buf_release(&line);
}

static void step_summary(const cJSON *m, const struct run *runs, int n)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	FILE *f;
	int i;

	if (!path || !*path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "### dynamo %s, %d slices merged: %s\n\n", str_of(m, "command"), (int)num_of(m, "slices"),
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "ok")) ? "succeeded" : "not done");
	fprintf(f, "| slice | ok | read | written | deleted | seconds | error |\n|---|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < n; i++) {
		const cJSON *r = runs[i].result;

		fprintf(f, "| %s | %s | %.0f | %.0f | %.0f | %.1f | %s |\n",
			str_of(r, "slice") ? str_of(r, "slice") : "prepare",
			cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) ? "yes" : "**no**",
			num_of(r, "read"), num_of(r, "written"), num_of(r, "deleted"), num_of(r, "seconds"),
			str_of(r, "error") ? str_of(r, "error") : "");
	}
	fprintf(f, "| **all** | %s | **%.0f** | **%.0f** | **%.0f** | %.1f | %s |\n\n",
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "ok")) ? "yes" : "**no**",
		num_of(m, "read"), num_of(m, "written"), num_of(m, "deleted"), num_of(m, "seconds"),
		cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "missing")) ? "slices missing" : "");
	fclose(f);
}

int cmd_summary(struct ctx *ctx)
{
	struct run *runs;
	cJSON *m;
	int i, n, code, r = -1;

	if (ctx->nargs < 1 || strcmp(ctx->args[0], "merge"))
		return errf(&ctx->eb, EXIT_USAGE,
			    "what to do? 'dynamo summary merge FILE...' adds up the --json results of a job's slices");
	n = ctx->nargs - 1;
	if (n < 1)
		return errf(&ctx->eb, EXIT_USAGE,
			    "merge what? give the files the slices' --json results went to");
	runs = xcalloc((size_t)n, sizeof(*runs));
	if (load_runs(ctx, runs, n) < 0)
		goto out;
	m = merge(ctx, runs, n, &code);
	print_line(m);
	if (ctx->o.json) {
		print_json_line(m);
		ctx->json_done = 1;
	}
	step_summary(m, runs, n);
	ctx->summary_done = 1;
	cJSON_Delete(m);
	if (code == EXIT_OK)
		r = 0;
	else
		errf(&ctx->eb, code, code == EXIT_INCOMPLETE ?
		     "the job is not done: slices are missing (see the summary)" :
		     "the job is not done: a slice failed (see the summary)");
out:
	for (i = 0; i < n; i++)
		cJSON_Delete(runs[i].result);
	free(runs);
	return r;
}
