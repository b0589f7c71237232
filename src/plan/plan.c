#include "dynamo/plan.h"
#include "dynamo/checkpoint.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"
#include "dynamo/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plan_init(struct plan *p, struct ctx *ctx, const char *command)
{
	memset(p, 0, sizeof(*p));
	p->command = command;
	p->ctx = ctx;
	rate_init(&p->read_rate, ctx->o.max_rcu, "read");
	rate_init(&p->write_rate, ctx->o.max_wcu, "write");
}

void plan_release(struct plan *p)
{
	checkpoint_free(p->ck);
	rate_release(&p->read_rate);
	rate_release(&p->write_rate);
}

struct stage *plan_add(struct plan *p, enum stage_kind kind, const char *name)
{
	struct stage *s = &p->st[p->n++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = name;
	return s;
}

/* Segments: about one per 100k items, at least 4 (measured: bench/README.md). */
int plan_default_segments(const struct table_desc *t)
{
	long long n = t ? t->item_count : 0;
	long long by_size = t ? t->size_bytes / (64LL << 20) : 0;
	long long s = n / 100000;

	if (by_size > s)
		s = by_size;
	if (s < 4)
		s = 4;
	if (s > 1000)
		s = 1000;
	return (int)s;
}

int plan_default_concurrency(int segments)
{
	int c = segments * 16;

	if (c < 32)
		c = 32;
	if (c > 128)
		c = 128;
	return c;
}

int plan_table_empty(const struct ddb *d, const struct table_desc *t,
		     int *empty, struct errbuf *eb)
{
	struct buf body = BUF_INIT;
	const cJSON *items;
	cJSON *resp = NULL;
	int r;

	buf_puts(&body, "{\"TableName\":");
	buf_json_str(&body, t->name, strlen(t->name));
	buf_puts(&body, ",\"Limit\":1,\"ProjectionExpression\":\"#k\",\"ExpressionAttributeNames\":{\"#k\":");
	buf_json_str(&body, t->hash.name, strlen(t->hash.name));
	buf_puts(&body, "}}");
	r = ddb_request(d, DDB_TARGET("Scan"), body.data, &resp, eb);
	buf_release(&body);
	if (r < 0)
		return -1;
	items = cJSON_GetObjectItemCaseSensitive(resp, "Items");
	*empty = !cJSON_GetArraySize(items) &&
		 !cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedKey");
	cJSON_Delete(resp);
	return 0;
}

/* ---- --dry-run ---- */

static void print_plan(const struct plan *p)
{
	int i;

	printf("plan for dynamo %s (dry run: nothing is changed)\n", p->command);
	for (i = 0; i < p->n; i++)
		printf("  %d. %-9s %s\n", i + 1, p->st[i].name, p->st[i].what);
	printf("concurrency %d", p->concurrency);
	if (p->ctx->o.max_rcu > 0)
		printf(", at most %.0f RCU/s", p->ctx->o.max_rcu);
	if (p->ctx->o.max_wcu > 0)
		printf(", at most %.0f WCU/s", p->ctx->o.max_wcu);
	printf("\n");
}

static int confirm(struct plan *p)
{
	struct buf what = BUF_INIT;
	int i, r, n = 0;

	for (i = 0; i < p->n; i++) {
		if (!p->st[i].destructive)
			continue;
		buf_printf(&what, "%s%s", n++ ? "; then " : "", p->st[i].what);
	}
	if (!n)
		return 0;
	r = ctx_confirm(p->ctx, what.data);
	buf_release(&what);
	return r;
}

/* ---- checkpoint ---- */

static cJSON *job_description(const struct plan *p)
{
	const struct options *o = &p->ctx->o;
	cJSON *j = cJSON_CreateObject(), *stages = cJSON_CreateArray();
	char where[512];
	int i;

	cJSON_AddStringToObject(j, "command", p->command);
	for (i = 0; i < p->n; i++) {
		const struct stage *s = &p->st[i];
		cJSON *st = cJSON_CreateObject();

		cJSON_AddStringToObject(st, "name", s->name);
		if (s->src_table)
			cJSON_AddStringToObject(st, "source_table", s->src_table);
		if (s->src)
			cJSON_AddStringToObject(st, "source", ddb_where(s->src, where, sizeof(where)));
		if (s->dst_table)
			cJSON_AddStringToObject(st, "target_table", s->dst_table);
		if (s->dst)
			cJSON_AddStringToObject(st, "target", ddb_where(s->dst, where, sizeof(where)));
		if (s->segments)
			cJSON_AddNumberToObject(st, "segments", s->segments);
		if (s->arg)
			cJSON_AddStringToObject(st, "argument", s->arg);
		cJSON_AddItemToArray(stages, st);
	}
	cJSON_AddItemToObject(j, "stages", stages);
	if (o->npk) {
		cJSON *pks = cJSON_CreateArray();

		for (i = 0; i < o->npk; i++)
			cJSON_AddItemToArray(pks, cJSON_CreateString(o->pk[i]));
		cJSON_AddItemToObject(j, "pk", pks);
	}
	if (o->sk)
		cJSON_AddStringToObject(j, "sk", o->sk);
	if (o->index)
		cJSON_AddStringToObject(j, "index", o->index);
	return j;
}

static int open_checkpoint(struct plan *p)
{
	struct ctx *ctx = p->ctx;

	if (!ctx->o.checkpoint)
		return 0;
	if (checkpoint_open(&p->ck, ctx->o.checkpoint, job_description(p),
			    &ctx->eb) < 0)
		return -1;
	if (checkpoint_resuming(p->ck))
		msg_info("resuming from checkpoint '%s'", ctx->o.checkpoint);
	return 0;
}

/* ---- running ---- */

static int run_stage(struct plan *p, struct stage *s, int index)
{
	int ck_stage = -1, r;
	uint64_t t0 = clock_mono_us();

	if (p->ck) {
		ck_stage = checkpoint_stage(p->ck, s->name,
					    stage_units(p, s));
		if (checkpoint_stage_done(p->ck, ck_stage)) {
			s->skipped = 1;
			msg_info("%s: done by an earlier run (checkpoint), skipping", s->name);
			return 0;
		}
	}
	r = stage_run(p, s, ck_stage);
	s->seconds = (double)(clock_mono_us() - t0) / 1e6;
	if (r == 0 && p->ck &&
	    checkpoint_finish_stage(p->ck, ck_stage, &p->ctx->eb) < 0)
		return -1;
	(void)index;
	return r;
}

int plan_run(struct plan *p)
{
	struct ctx *ctx = p->ctx;
	int i, r = 0;

	if (ctx->o.dry_run) {
		print_plan(p);
		return 0;
	}
	if (confirm(p) < 0 || open_checkpoint(p) < 0)
		return -1;
	p->started_us = clock_mono_us();
	for (i = 0; i < p->n && r == 0; i++)
		r = run_stage(p, &p->st[i], i);
	plan_summary(p, r == 0);
	if (r == 0 && p->ck)
		checkpoint_remove(p->ck);
	return r;
}
