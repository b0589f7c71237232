/*
 * dynamo copy: a whole table (backup the target, empty it, copy every item)
 * or the items of some partition keys (delete the target's, put the
 * source's), between accounts, regions and endpoints.
 */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/plan.h"
#include "dynamo/streams.h"

#include <stdio.h>
#include <string.h>

struct copy {
	struct ctx *ctx;
	struct ddb src, dst;
	int src_open, dst_open;
	struct table_desc sd, td;
	int have_sd, have_td;
	const char *target_table;
	char src_where[512], dst_where[512];
	struct streams api;		/* --follow: the source's stream API */
	int api_open;
	struct follow_plan *follow;	/* owned */
};

/*
 * --source defaults to --profile (else $AWS_PROFILE or default), --target to
 * the source: copying into another table, region or endpoint of one account.
 * A copy onto the very same table is refused later, by its ARN.
 */
static int open_sides(struct copy *c)
{
	const struct options *o = &c->ctx->o;
	const char *source = o->source ? o->source : o->profile;
	const char *target = o->target ? o->target : source;

	if (ctx_open(c->ctx, &c->src, source,
		     o->source_region ? o->source_region : o->region,
		     o->source_endpoint ? o->source_endpoint : o->endpoint_url) < 0)
		return -1;
	c->src_open = 1;
	if (ctx_open(c->ctx, &c->dst, target,
		     o->target_region ? o->target_region : o->region,
		     o->target_endpoint ? o->target_endpoint : o->endpoint_url) < 0)
		return -1;
	c->dst_open = 1;
	ddb_where(&c->src, c->src_where, sizeof(c->src_where));
	ddb_where(&c->dst, c->dst_where, sizeof(c->dst_where));
	return 0;
}

/* Describes both tables; a missing target is fine only with --create-target. */
static int describe_tables(struct copy *c)
{
	struct errbuf why = ERRBUF_INIT;
	struct errbuf *eb = &c->ctx->eb;

	if (table_describe(&c->src, c->ctx->o.table, &c->sd, eb) < 0)
		return -1;
	c->have_sd = 1;
	if (table_describe(&c->dst, c->target_table, &c->td, &why) == 0) {
		c->have_td = 1;
	} else if (why.exit != EXIT_NOT_FOUND) {
		*eb = why;
		return -1;
	} else if (!c->ctx->o.create_target) {
		return errf(eb, EXIT_NOT_FOUND,
			    "target table '%s' not found in %s: pass --create-target to create it from the source's description",
			    c->target_table, c->dst_where);
	}
	/* Now with the accounts the tables' ARNs named. */
	ddb_where(&c->src, c->src_where, sizeof(c->src_where));
	ddb_where(&c->dst, c->dst_where, sizeof(c->dst_where));
	if (c->have_td && c->sd.arn && c->td.arn && !strcmp(c->sd.arn, c->td.arn) &&
	    !strcmp(c->src.ep.url, c->dst.ep.url))
		return errf(eb, EXIT_USAGE,
			    "source and target are the same table (%s): copying would empty it; check --source, --target and --target-table",
			    c->sd.arn);
	if (c->have_td &&
	    table_same_keys(&c->sd, &c->td, c->src_where, c->dst_where, eb) < 0)
		return -1;
	return 0;
}

static struct table_ref source_ref(const struct copy *c)
{
	return (struct table_ref){ &c->src, c->ctx->o.table, &c->sd };
}

/* A target that does not exist yet is created like the source. */
static struct table_ref target_ref(const struct copy *c)
{
	return (struct table_ref){ &c->dst, c->target_table, c->have_td ? &c->td : &c->sd };
}

/* --create-target and no target: created like the source (a whole or an item copy). */
static void add_create(struct copy *c, struct plan *p)
{
	struct stage *s = plan_add_copy(p, STAGE_CREATE_TABLE, "create", source_ref(c), target_ref(c));

	s->estimate = 0;
	s->optional = 1;
	snprintf(s->what, sizeof(s->what),
		 "create table '%s' in %s like '%s' in %s (keys, indexes, %s, stream, TTL, tags, PITR, deletion protection, encryption)",
		 c->target_table, c->dst_where, c->ctx->o.table, c->src_where,
		 c->ctx->o.billing == BILLING_ON_DEMAND ? "billing on demand" :
		 c->ctx->o.billing == BILLING_PROVISIONED ? "billing provisioned" : "billing");
}

/*
 * The create stage when the target is missing, and also when an interrupted
 * run created it but did not finish its setup (its TTL): the checkpoint says
 * so, and the table is not taken for a finished one.
 */
static void maybe_create(struct copy *c, struct plan *p)
{
	if (!c->have_td) {
		add_create(c, p);
	} else if (c->ctx->o.create_target && plan_resumed_stage(p, "create") == 0) {
		add_create(c, p);
		p->st[p->n - 1].finish_only = 1;
		snprintf(p->st[p->n - 1].what, sizeof(p->st[p->n - 1].what),
			 "finish the setup (TTL) of '%s' in %s, which the interrupted run created",
			 c->target_table, c->dst_where);
	}
}

static void whole_table_stages(struct copy *c, struct plan *p, int segments,
			       int target_empty)
{
	const struct options *o = &c->ctx->o;
	struct stage *s;

	maybe_create(c, p);
	if (c->have_td && !o->no_backup) {
		s = plan_add(p, STAGE_BACKUP, "backup");
		s->optional = 1;
		s->dst = &c->dst;
		s->dst_table = c->target_table;
		snprintf(s->what, sizeof(s->what), "on-demand backup of '%s' in %s",
			 c->target_table, c->dst_where);
	}
	s = plan_add_copy(p, STAGE_COPY, "copy", source_ref(c), target_ref(c));
	s->segments = segments;
	s->destructive = c->have_td && !target_empty;
	snprintf(s->what, sizeof(s->what),
		 "%s every item of '%s' in %s into '%s' in %s (about %lld items, %d segments)",
		 s->destructive ? "put (over items with the same keys)" : "copy",
		 o->table, c->src_where, c->target_table, c->dst_where,
		 c->sd.item_count, segments);
	if (c->have_td && !o->no_truncate && !target_empty) {
		/* After the copy, not before: see prune.c. */
		s = plan_add_prune(p, STAGE_PRUNE, target_ref(c), source_ref(c), o->segments);
		s->optional = 1;
		snprintf(s->what, sizeof(s->what),
			 "delete the items of '%s' in %s whose keys '%s' does not have (the target holds about %lld items)",
			 c->target_table, c->dst_where, o->table, c->td.item_count);
	}
}

static int check_index(struct copy *c)
{
	const char *ix = c->ctx->o.index;

	if (!ix)
		return 0;
	if (!table_index(&c->sd, ix))
		return errf(&c->ctx->eb, EXIT_NOT_FOUND,
			    "table '%s' in %s has no index '%s' (see dynamo describe)",
			    c->ctx->o.table, c->src_where, ix);
	/* Only the prune looks the index up in the target: not with --no-truncate, nor in a new table. */
	if (c->have_td && !c->ctx->o.no_truncate && !table_index(&c->td, ix))
		return errf(&c->ctx->eb, EXIT_NOT_FOUND,
			    "target table '%s' in %s has no index '%s'; it is needed to find the items to replace (with --no-truncate nothing is looked up there)",
			    c->target_table, c->dst_where, ix);
	return 0;
}

static void describe_keys(const struct options *o, char *out, size_t n)
{
	int i, len;

	len = snprintf(out, n, "%s = ", o->index ? "index key" : "partition key");
	for (i = 0; i < o->npk && len < (int)n; i++)
		len += snprintf(out + len, n - (size_t)len, "%s'%s'", i ? " or " : "", o->pk[i]);
	if (o->sk && len < (int)n)
		snprintf(out + len, n - (size_t)len, ", sort key beginning with '%s'", o->sk);
}

static void item_stages(struct copy *c, struct plan *p)
{
	const struct options *o = &c->ctx->o;
	char keys[512];
	struct stage *s;

	describe_keys(o, keys, sizeof(keys));
	maybe_create(c, p);
	s = plan_add_copy(p, STAGE_QUERY_COPY, "copy", source_ref(c), target_ref(c));
	s->estimate = 0;
	s->destructive = c->have_td;
	snprintf(s->what, sizeof(s->what), "copy the items of '%s' in %s with %s into '%s' in %s",
		 o->table, c->src_where, keys, c->target_table, c->dst_where);
	if (o->index && strcmp(table_index(&c->sd, o->index)->projection, "ALL")) {
		/* The index holds part of each item: read them whole first. */
		s->sink = &fetch_then_write_ops;
		strncat(s->what, " (read whole through BatchGetItem: the index does not project every attribute)",
			sizeof(s->what) - strlen(s->what) - 1);
	}
	if (c->have_td && !o->no_truncate) {
		s = plan_add_prune(p, STAGE_QUERY_PRUNE, target_ref(c), source_ref(c), 0);
		s->optional = 1;
		snprintf(s->what, sizeof(s->what),
			 "delete the items of '%s' in %s with %s%s%s that '%s' no longer has there",
			 c->target_table, c->dst_where, keys, o->index ? " in index " : "",
			 o->index ? o->index : "", o->table);
	}
}

/* The follow flags say how to follow: without --follow they mean nothing. */
static int follow_flags_check(struct ctx *ctx)
{
	const struct options *o = &ctx->o;

	if (o->follow || !(o->follow_for_ms || o->until_caught_up || o->enable_stream))
		return 0;
	return errf(&ctx->eb, EXIT_USAGE, "%s only goes with --follow (add --follow, or drop it)",
		    o->follow_for_ms ? "--follow-for" : o->until_caught_up ? "--until-caught-up" : "--enable-stream");
}

/* --follow: the source's stream must feed a follower, checked before anything is written. */
static int setup_follow(struct copy *c)
{
	const struct options *o = &c->ctx->o;

	if (!o->follow)
		return 0;
	if (follow_plan_check(c->ctx, &c->sd, c->src_where) < 0 ||
	    ctx_open_streams(c->ctx, &c->src, o->source_endpoint ? o->source_endpoint : o->endpoint_url,
			     &c->api) < 0)
		return -1;
	c->api_open = 1;
	c->follow = follow_plan_new(&c->api, &c->src, &c->sd, target_ref(c));
	return 0;
}

static struct stage *stage_named(struct plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->st[i].name, name))
			return &p->st[i];
	return NULL;
}

static void release(struct copy *c)
{
	follow_plan_free(c->follow);
	if (c->api_open)
		streams_close(&c->api);
	if (c->have_sd)
		table_desc_release(&c->sd);
	if (c->have_td)
		table_desc_release(&c->td);
	if (c->src_open)
		ddb_close(&c->src);
	if (c->dst_open)
		ddb_close(&c->dst);
}

int cmd_copy(struct ctx *ctx)
{
	const struct options *o = &ctx->o;
	struct copy c;
	struct plan p;
	int r = -1, segments, empty = 0;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.target_table = o->target_table ? o->target_table : o->table;
	if (o->billing && !o->create_target)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--billing sets the mode of the table --create-target makes: add --create-target, or drop --billing");
	if (ctx_need_table(ctx) < 0 || follow_flags_check(ctx) < 0 ||
	    (o->target_table && table_name_check("--target-table", o->target_table, &ctx->eb) < 0) ||
	    open_sides(&c) < 0 || describe_tables(&c) < 0 || check_index(&c) < 0 ||
	    query_keys_check(ctx, &c.sd) < 0 || setup_follow(&c) < 0)
		goto out;
	segments = o->segments ? o->segments : plan_write_segments(&c.sd);
	if (!o->npk && c.have_td && plan_table_empty(&c.dst, &c.td, &empty, &ctx->eb) < 0)
		goto out;
	plan_init(&p, ctx, "copy");
	p.source = &c.src;
	p.target = &c.dst;
	p.concurrency = o->concurrency ? o->concurrency : plan_default_concurrency(segments);
	if (o->create_target && c.have_td && plan_peek_checkpoint(&p) < 0) {
		plan_release(&p);
		goto out;
	}
	if (c.follow)
		plan_add_enable_stream(&p, c.follow);
	if (o->npk)
		item_stages(&c, &p);
	else
		whole_table_stages(&c, &p, segments, empty);
	if (c.follow)
		plan_add_follow(&p, c.follow, stage_named(&p, "copy"));
	r = plan_run(&p);
	plan_release(&p);
out:
	release(&c);
	return r;
}
