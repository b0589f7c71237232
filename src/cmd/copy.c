/*
 * dynamo copy: a whole table (backup the target, empty it, copy every item)
 * or the items of some partition keys (delete the target's, put the
 * source's), between accounts, regions and endpoints.
 */
#include "dynamo/cmd.h"
#include "dynamo/cmd_native.h"
#include "dynamo/exitcode.h"
#include "dynamo/plan_diff.h"
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
	struct selection sel;	/* the items copied (and pruned) */
	struct transform xf;	/* what is done to each item on its way */
	struct mask_key key;	/* when xf masks */
	char xf_text[1024];	/* "; mask 'email'" for the plan, "" without transforms */
	char selected[1024];	/* the selection for people: "partition key 'PK' beginning with ..." */
	int same_table;		/* source and target are one table (same ARN and endpoint) */
	struct streams api;		/* --follow: the source's stream API */
	int api_open;
	struct follow_plan *follow;	/* owned */
	struct copy_via via;		/* --via: the export and its import */
};

static int open_sides(struct copy *c)
{
	if (ctx_open_sides(c->ctx, &c->src, &c->src_open, &c->dst, &c->dst_open) < 0)
		return -1;
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
	} else {
		/* No ARN to read the account from: ask STS, so the plan names it. */
		ddb_learn_account(&c->dst);
		ddb_where(&c->dst, c->dst_where, sizeof(c->dst_where));
	}
	if (!c->have_td && !c->ctx->o.create_target) {
		return errf(eb, EXIT_NOT_FOUND,
			    "target table '%s' not found in %s: pass --create-target to create it from the source's description",
			    c->target_table, c->dst_where);
	}
	/* Now with the accounts the tables' ARNs named. */
	ddb_where(&c->src, c->src_where, sizeof(c->src_where));
	ddb_where(&c->dst, c->dst_where, sizeof(c->dst_where));
	/* Judged once the selection and transforms are known: see check_same_table. */
	c->same_table = c->have_td && c->sd.arn && c->td.arn && !strcmp(c->sd.arn, c->td.arn) &&
			!strcmp(c->src.ep.url, c->dst.ep.url);
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

/* --via: DynamoDB's export, then ImportTable (creating the target) or writes from its files. */
static int via_stages(struct copy *c, struct plan *p, int target_empty)
{
	struct copy_via_sides v = { &c->src, &c->dst, &c->sd, c->have_td ? &c->td : NULL,
				    c->target_table, c->dst_where };

	return copy_via_stages(c->ctx, &c->via, &v, p, target_empty);
}

/* The dry run says what the copy costs and lasts this way and through an export. */
static void add_cost(struct copy *c, struct plan *p)
{
	const struct options *o = &c->ctx->o;
	const struct table_desc *t = c->have_td ? &c->td : &c->sd;
	struct cost_input in = { c->sd.item_count, c->sd.size_bytes, c->dst.region, 0, !c->have_td };

	in.write_units_per_s = o->max_wcu > 0 ? o->max_wcu : (double)t->wcu;
	plan_set_cost(p, &in);
}

static int whole_table_stages(struct copy *c, struct plan *p, int segments,
			      int target_empty)
{
	const struct options *o = &c->ctx->o;
	int some = selection_restricts(&c->sel);
	struct stage *s;

	if (!some)
		add_cost(c, p);
	if (!o->via)
		maybe_create(c, p);
	if (c->have_td && !o->no_backup) {
		s = plan_add(p, STAGE_BACKUP, "backup");
		s->optional = 1;
		s->dst = &c->dst;
		s->dst_table = c->target_table;
		snprintf(s->what, sizeof(s->what), "on-demand backup of '%s' in %s",
			 c->target_table, c->dst_where);
	}
	if (o->via) {
		if (via_stages(c, p, target_empty) < 0)
			return -1;
	} else {
		s = plan_add_copy(p, STAGE_COPY, "copy", source_ref(c), target_ref(c));
		s->segments = segments;
		s->sel = &c->sel;
		s->xf = &c->xf;
		s->mask_key = &c->key;
		if (some)
			s->estimate = 0;	/* the table's count says nothing of the selection's */
		s->destructive = c->have_td && !target_empty;
		snprintf(s->what, sizeof(s->what),
			 "%s %s%.400s of '%s' in %s into '%s' in %s (%s %lld items, %d segments)",
			 s->destructive ? "put (over items with the same keys)" : "copy",
			 some ? "the items with " : "every item", some ? c->selected : "",
			 o->table, c->src_where, c->target_table, c->dst_where,
			 some ? "a scan of the table's" : "about", c->sd.item_count, segments);
		strncat(s->what, c->xf_text, sizeof(s->what) - strlen(s->what) - 1);
	}
	if (c->have_td && !o->no_truncate && !target_empty) {
		/* After the copy, not before: see prune.c. Over the same selection, never outside it. */
		s = plan_add_prune(p, STAGE_PRUNE, target_ref(c), source_ref(c), o->segments);
		s->optional = 1;
		s->sel = &c->sel;
		snprintf(s->what, sizeof(s->what),
			 "delete the items of '%s' in %s%s%.400s whose keys '%s' does not have (the target holds about %lld items)",
			 c->target_table, c->dst_where, some ? " with " : "",
			 some ? c->selected : "", o->table, c->td.item_count);
	}
	return 0;
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

static void item_stages(struct copy *c, struct plan *p)
{
	const struct options *o = &c->ctx->o;
	const char *keys = c->selected;
	struct stage *s;

	maybe_create(c, p);
	s = plan_add_copy(p, STAGE_QUERY_COPY, "copy", source_ref(c), target_ref(c));
	s->sel = &c->sel;
	s->xf = &c->xf;
	s->mask_key = &c->key;
	s->estimate = 0;
	s->destructive = c->have_td;
	snprintf(s->what, sizeof(s->what), "copy the items of '%s' in %s with %.400s into '%s' in %s",
		 o->table, c->src_where, keys, c->target_table, c->dst_where);
	if (o->index && strcmp(table_index(&c->sd, o->index)->projection, "ALL")) {
		/* The index holds part of each item: read them whole first. */
		s->sink = &fetch_then_write_ops;
		strncat(s->what, " (read whole through BatchGetItem: the index does not project every attribute)",
			sizeof(s->what) - strlen(s->what) - 1);
	}
	strncat(s->what, c->xf_text, sizeof(s->what) - strlen(s->what) - 1);
	if (c->have_td && !o->no_truncate) {
		s = plan_add_prune(p, STAGE_QUERY_PRUNE, target_ref(c), source_ref(c), 0);
		s->sel = &c->sel;
		s->optional = 1;
		snprintf(s->what, sizeof(s->what),
			 "delete the items of '%s' in %s with %.400s%s%s that '%s' no longer has there",
			 c->target_table, c->dst_where, keys, o->index ? " in index " : "",
			 o->index ? o->index : "", o->table);
	}
}

/*
 * What the transforms cannot go with: an index that projects part of the
 * items (its items are fetched whole after the sink, so they would pass
 * untransformed), and a prune when the keys may change (the target's keys
 * are then not the source's, so it cannot look them up there).
 */
static int check_transforms(struct copy *c, int target_empty)
{
	const struct options *o = &c->ctx->o;

	if (!transform_any(&c->xf))
		return 0;
	if (o->npk && o->index && strcmp(table_index(&c->sd, o->index)->projection, "ALL"))
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--set/--remove/--mask/--rename-prefix cannot go with index '%s', which does not project every attribute: copy by the table's own key (drop -i) or select with --pk-prefix/--filter",
			    o->index);
	if (c->have_td && !o->no_truncate && (o->npk || !target_empty) &&
	    transform_may_change_keys(&c->xf))
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--rename-prefix and --mask of a key give the copied items other keys than the source's, so the target's items cannot be checked against the source: pass --no-truncate (nothing is deleted from '%s'), or copy into an empty or a new table",
			    c->target_table);
	return 0;
}

/*
 * A copy onto its own table is refused (a whole copy would empty it), except
 * a clone: --pk-prefix P, a --rename-prefix that moves P elsewhere, and
 * --no-truncate, so that every item written falls outside what is read and
 * nothing is deleted.
 */
static int check_same_table(struct copy *c)
{
	const char *p = c->sel.pk_prefix;
	struct buf to = BUF_INIT;
	int moved = 0;

	if (!c->same_table)
		return 0;
	if (c->ctx->o.no_truncate && p && c->xf.nrenames &&
	    transform_rename_text(&c->xf, p, strlen(p), &to) == 1)
		moved = to.len < strlen(p) || memcmp(to.data, p, strlen(p)) != 0;
	buf_release(&to);
	if (moved)
		return 0;
	return errf(&c->ctx->eb, EXIT_USAGE,
		    "source and target are the same table (%s): copying would empty it; check --source, --target and --target-table (to clone a tenant inside one table: --pk-prefix OLD --rename-prefix OLD=NEW --no-truncate)",
		    c->sd.arn);
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

/* How to follow, from the flags. */
static void follow_params(const struct options *o, struct follow_params *fo)
{
	memset(fo, 0, sizeof(*fo));
	fo->for_ms = o->follow_for_ms;
	fo->until_caught_up = o->until_caught_up;
	fo->enable_stream = o->enable_stream;
	fo->by_index = o->index != NULL;
	fo->some_keys = o->npk > 0;
}

/* --follow: the source's stream must feed a follower, checked before anything is written. */
static int setup_follow(struct copy *c)
{
	const struct options *o = &c->ctx->o;
	struct follow_params fo;

	if (!o->follow)
		return 0;
	follow_params(o, &fo);
	/* A stream's changes carry the item, but DynamoDB evaluates a filter only in a Scan or Query. */
	if (c->sel.filter)
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--follow cannot go with --filter: the changes a stream gives are not filtered by DynamoDB (select with --pk, --pk-prefix or a sort-key condition instead)");
	if (follow_plan_check(&fo, &c->sd, c->src_where, &c->ctx->eb) < 0 ||
	    ctx_open_streams(c->ctx, &c->src, o->source_endpoint ? o->source_endpoint : o->endpoint_url,
			     &c->api) < 0)
		return -1;
	c->api_open = 1;
	c->follow = follow_plan_new(&c->api, &c->src, &c->sd, target_ref(c), &c->sel, &fo);
	return 0;
}

/* --verify compares what was copied as it is: not through transforms, not while following. */
static int verify_check(struct copy *c)
{
	const struct options *o = &c->ctx->o;

	if (!o->verify)
		return 0;
	if (o->slice_k)
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--verify cannot go with --slice: a slice would check only its share of the table; once every slice is done, run 'dynamo diff' over the same selection");
	if (transform_any(&c->xf) || o->follow)
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--verify cannot go with %s: the target is meant to differ from the source",
			    o->follow ? "--follow" : "--set/--remove/--mask/--rename-prefix");
	if (o->index && strcmp(table_index(&c->sd, o->index)->projection, "ALL"))
		return errf(&c->ctx->eb, EXIT_USAGE,
			    "--verify cannot go with index '%s', which projects part of each item: verify with 'dynamo diff' over --pk of the table's own key",
			    o->index);
	return 0;
}

/* After every stage: a target that differs fails the copy (exit 5), its differences printed. */
static int verify_finish(struct plan *p, void *arg)
{
	uint64_t n = plan_diff_count(arg);

	(void)p;
	if (!n)
		return 0;
	return errf(p->params.eb, EXIT_INCOMPLETE,
		    "the target differs from the source after the copy: %llu items (listed on stdout); run the copy again, or 'dynamo sync' to write only those",
		    (unsigned long long)n);
}

static void add_verify(struct copy *c, struct plan *p, struct plan_diff *d, int segments)
{
	if (!c->ctx->o.verify)
		return;
	plan_diff_init(d, p);
	ctx_diff_flags(c->ctx, d);
	d->verify = 1;
	d->no_extras = c->ctx->o.no_truncate;
	plan_add_diff(d, "verify", "verify-extras", source_ref(c), target_ref(c), &c->sel,
		      c->ctx->o.npk ? 0 : segments);
	p->finish = verify_finish;
	p->finish_arg = d;
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
	copy_via_release(&c->via);
	selection_release(&c->sel);
	ctx_transform_release(&c->xf, &c->key);
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
	struct plan_diff verify;
	int r = -1, segments, empty = 0;

	memset(&c, 0, sizeof(c));
	selection_init(&c.sel);
	transform_init(&c.xf);
	c.ctx = ctx;
	if (o->billing && !o->create_target) {
		errf(&ctx->eb, EXIT_USAGE,
		     "--billing sets the mode of the table --create-target makes: add --create-target, or drop --billing");
		goto out;
	}
	if (ctx_need_table(ctx) < 0 || ctx_target_table(ctx) < 0 || follow_flags_check(ctx) < 0)
		goto out;
	/* -t ARN: the target is the table of that name on the target's side. */
	c.target_table = o->target_table ? o->target_table :
			 ctx->has_arn ? ctx->arn.name : o->table;
	if (open_sides(&c) < 0 || describe_tables(&c) < 0 || check_index(&c) < 0 ||
	    query_keys_check(ctx, &c.sd) < 0 || ctx_selection(ctx, &c.sel, &c.sd) < 0)
		goto out;
	selection_describe_into(&c.sel, c.selected, sizeof(c.selected));
	if (ctx_transform(ctx, &c.xf, &c.key, c.have_td ? &c.td : &c.sd) < 0 ||
	    check_same_table(&c) < 0 || verify_check(&c) < 0 ||
	    copy_via_check(ctx, &c.sel, &c.xf) < 0 || setup_follow(&c) < 0)
		goto out;
	ctx_describe_transform(&c.xf, c.xf_text, sizeof(c.xf_text));
	/* DynamoDB judges the filter on both sides before anything is written. */
	if (!ctx->policy &&
	    (plan_probe_selection(&c.src, o->table, o->index, &c.sel, c.src_where, &ctx->eb) < 0 ||
	     (c.have_td && !o->no_truncate &&
	     plan_probe_selection(&c.dst, c.target_table, o->index, &c.sel, c.dst_where, &ctx->eb) < 0)))
		goto out;
	segments = o->segments ? o->segments : plan_write_segments(&c.sd);
	if ((!o->npk && c.have_td && plan_table_empty(&c.dst, &c.td, &empty, &ctx->eb) < 0) ||
	    check_transforms(&c, empty) < 0)
		goto out;
	ctx_plan_init(ctx, &p, "copy");
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
	else if (whole_table_stages(&c, &p, segments, empty) < 0)
		goto out_plan;
	/* ImportTable alone sends no data requests: the dry run says no concurrency. */
	if (o->via && !c.have_td && !o->verify)
		p.concurrency = 0;
	if (c.follow)
		plan_add_follow(&p, c.follow, stage_named(&p, "copy"));
	add_verify(&c, &p, &verify, segments);
	r = plan_run(&p);
	if (o->verify)
		plan_diff_release(&verify);
out_plan:
	plan_release(&p);
out:
	release(&c);
	return r;
}
