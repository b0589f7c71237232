/* Setup and checks shared by the commands. */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/itemfile.h"
#include "dynamo/plan.h"
#include "dynamo/redact.h"
#include "dynamo/request.h"
#include "dynamo/streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctx_open(struct ctx *ctx, struct ddb *d, const char *profile,
	     const char *region, const char *endpoint_url)
{
	struct ddb_settings s;

	memset(&s, 0, sizeof(s));
	s.cfg = &ctx->cfg;
	s.profile = profile;
	s.profile_explicit = profile != NULL;
	s.region = region;
	s.endpoint_url = endpoint_url;
	s.interactive = ctx->stdin_tty;
	return ddb_open(d, &s, &ctx->eb);
}

int ctx_open_streams(struct ctx *ctx, const struct ddb *d, const char *endpoint_url,
		     struct streams *api)
{
	struct ddb_settings s;

	memset(&s, 0, sizeof(s));
	s.cfg = &ctx->cfg;
	s.endpoint_url = endpoint_url;
	return streams_open(api, d, &s, &ctx->eb);
}

int ctx_open_table(struct ctx *ctx, struct ddb *d, struct table_desc *t)
{
	const struct options *o = &ctx->o;
	const char *region;

	if (ctx_arn_region(ctx, &ctx->arn, ctx->has_arn, "--table", o->region, &region) < 0 ||
	    ctx_open(ctx, d, o->profile, region, o->endpoint_url) < 0)
		return -1;
	if (table_describe(d, o->table, t, &ctx->eb) < 0) {
		ddb_close(d);
		return -1;
	}
	return 0;
}

void ctx_close_table(struct ddb *d, struct table_desc *t)
{
	table_desc_release(t);
	ddb_close(d);
}

const char *file_item_next(struct item_reader *rd, const struct table_desc *t,
			   const char *file, struct slice *item, struct errbuf *eb)
{
	const char *p = item_reader_next(rd, item, eb);
	char why[300];

	if (p && item_key_problem(*item, &t->hash, &t->range, why, sizeof(why))) {
		errf(eb, EXIT_FAILURE_RUNTIME, "line %llu of '%s': the item cannot go into table '%s': %s (fix or remove it)",
		     (unsigned long long)item_reader_line(rd), file, t->name, why);
		return NULL;
	}
	return p;
}

int ctx_need_table(struct ctx *ctx)
{
	if (!ctx->o.table)
		return errf(&ctx->eb, EXIT_USAGE,
			    "which table? pass -t/--table NAME");
	if (!table_arn_like(ctx->o.table))
		return table_name_check("--table", ctx->o.table, &ctx->eb);
	if (table_arn_parse("--table", ctx->o.table, &ctx->arn, &ctx->eb) < 0)
		return -1;
	ctx->has_arn = 1;
	return 0;
}

int ctx_target_table(struct ctx *ctx)
{
	const char *t = ctx->o.target_table;

	if (!t)
		return 0;
	if (!table_arn_like(t))
		return table_name_check("--target-table", t, &ctx->eb);
	if (table_arn_parse("--target-table", t, &ctx->target_arn, &ctx->eb) < 0)
		return -1;
	ctx->has_target_arn = 1;
	return 0;
}

int ctx_table_name_only(struct ctx *ctx, const char *command)
{
	if (!ctx->has_arn)
		return 0;
	return errf(&ctx->eb, EXIT_USAGE,
		    "%s takes a table name, not an ARN: pass -t %s with the profile of account %s and --region %s",
		    command, ctx->arn.name, ctx->arn.account, ctx->arn.region);
}

int ctx_arn_region(struct ctx *ctx, const struct table_arn *arn, int has_arn,
		   const char *flag, const char *region_flag, const char **region)
{
	*region = region_flag;
	if (!has_arn)
		return 0;
	if (region_flag && strcmp(region_flag, arn->region))
		return errf(&ctx->eb, EXIT_USAGE,
			    "%s is a table ARN of region '%s' but the region asked for is '%s': drop the region flag (the ARN's is used)",
			    flag, arn->region, region_flag);
	*region = arn->region;
	return 0;
}

/* Checks --pk/--sk/--pk-type against the key schema of the table or index. */
int query_keys_check(struct ctx *ctx, const struct table_desc *t)
{
	const struct options *o = &ctx->o;
	const struct index_desc *ix = o->index ? table_index(t, o->index) : NULL;
	const struct key_attr *h = ix ? &ix->hash : &t->hash;
	const struct key_attr *r = ix ? &ix->range : &t->range;
	struct buf tmp = BUF_INIT;
	int i;

	if (!o->npk) {
		/* Without --pk the items are scanned: an index is queried by its key. */
		if (o->index)
			return errf(&ctx->eb, EXIT_USAGE,
				    "--index selects items by partition key: add --pk VALUE");
		return 0;
	}
	if (o->index && !ix)
		return errf(&ctx->eb, EXIT_NOT_FOUND,
			    "table '%s' has no index '%s' (see dynamo describe -t %s)",
			    t->name, o->index, t->name);
	if (o->pk_type && o->pk_type != h->type)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--pk-type %c does not match the key '%s', which is of type %c",
			    o->pk_type, h->name, h->type);
	for (i = 0; i < o->npk; i++) {
		buf_reset(&tmp);
		if (ddb_key_value(&tmp, h->type, o->pk[i]) < 0) {
			buf_release(&tmp);
			return errf(&ctx->eb, EXIT_USAGE,
				    "--pk '%s' is not a valid %s for key '%s'", o->pk[i],
				    h->type == 'N' ? "number" : "base64 value", h->name);
		}
	}
	buf_release(&tmp);
	if (o->sk && !r->name)
		return errf(&ctx->eb, EXIT_USAGE,
			    "--sk was given but %s '%s' has no sort key",
			    ix ? "index" : "table", ix ? ix->name : t->name);
	if (o->sk && r->type != 'S' && ddb_key_value(&tmp, r->type, o->sk) < 0) {
		buf_release(&tmp);
		return errf(&ctx->eb, EXIT_USAGE, "--sk '%s' is not a valid %s for key '%s'",
			    o->sk, r->type == 'N' ? "number" : "base64 value", r->name);
	}
	buf_release(&tmp);
	return 0;
}

int ctx_selection(struct ctx *ctx, struct selection *s, const struct table_desc *t)
{
	const struct options *o = &ctx->o;
	const struct index_desc *ix = o->index ? table_index(t, o->index) : NULL;
	struct errbuf *eb = &ctx->eb;
	char what[600];
	int i;

	selection_init(s);
	for (i = 0; i < o->npk; i++)
		if (selection_add_pk(s, o->pk[i], eb) < 0)
			return -1;
	if ((o->pk_prefix && selection_set_pk_prefix(s, o->pk_prefix, eb) < 0) ||
	    (o->sk && selection_set_sk(s, SK_PREFIX, o->sk, NULL, eb) < 0) ||
	    (o->sk_op && selection_set_sk(s, (enum sk_op)o->sk_op, o->sk_values[0],
					  o->nsk_values > 1 ? o->sk_values[1] : NULL, eb) < 0) ||
	    (o->filter && selection_set_filter(s, o->filter, eb) < 0) ||
	    (o->names && selection_load_names(s, o->names, eb) < 0) ||
	    (o->values && selection_load_values(s, o->values, eb) < 0))
		return -1;
	if (o->index && !ix)
		return errf(eb, EXIT_NOT_FOUND, "table '%s' has no index '%s' (see dynamo describe -t %s)",
			    t->name, o->index, t->name);
	if (ix)
		snprintf(what, sizeof(what), "index '%s' of table '%s'", ix->name, t->name);
	else
		snprintf(what, sizeof(what), "table '%s'", t->name);
	return selection_bind(s, ix ? &ix->hash : &t->hash, ix ? &ix->range : &t->range,
			      what, eb);
}

int ctx_open_selected(struct ctx *ctx, struct selected_table *st)
{
	const struct options *o = &ctx->o;

	memset(st, 0, sizeof(*st));
	if (ctx_open_table(ctx, &st->d, &st->t) < 0)
		return -1;
	ddb_where(&st->d, st->where, sizeof(st->where));
	/* dynamo policy plans as a dry run, and reads nothing it does not need. */
	if (query_keys_check(ctx, &st->t) < 0 || ctx_selection(ctx, &st->sel, &st->t) < 0 ||
	    (!ctx->policy &&
	     plan_probe_selection(&st->d, o->table, o->index, &st->sel, st->where, &ctx->eb) < 0)) {
		ctx_close_selected(st);
		return -1;
	}
	selection_describe_into(&st->sel, st->text, sizeof(st->text));
	return 0;
}

void ctx_close_selected(struct selected_table *st)
{
	selection_release(&st->sel);
	ctx_close_table(&st->d, &st->t);
}

int ctx_transform(struct ctx *ctx, struct transform *t, struct mask_key *key,
		  const struct table_desc *td)
{
	const struct options *o = &ctx->o;
	struct errbuf *eb = &ctx->eb;
	int i, r = 0;

	transform_init(t);
	memset(key, 0, sizeof(*key));
	for (i = 0; i < o->nxf && r == 0; i++) {
		const char *v = o->xf[i].value;

		switch (o->xf[i].id) {
		case OPT_SET: r = transform_add_set(t, v, eb); break;
		case OPT_REMOVE: r = transform_add_remove(t, v, eb); break;
		case OPT_MASK: r = transform_add_mask(t, v, eb); break;
		default: r = transform_add_rename_prefix(t, v, eb); break;
		}
	}
	if (r < 0)
		return -1;
	if (o->mask_key_file && !transform_needs_mask_key(t))
		return errf(eb, EXIT_USAGE, "--mask-key-file was given without --mask: nothing would be masked");
	if (transform_needs_mask_key(t) &&
	    mask_key_load(key, o->mask_key_file, getenv("DYNAMO_MASK_KEY"), eb) < 0)
		return -1;
	return transform_any(t) ? transform_bind(t, td, eb) : 0;
}

void ctx_transform_release(struct transform *t, struct mask_key *key)
{
	transform_release(t);
	mask_key_release(key);
}

void ctx_describe_transform(const struct transform *t, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	out[0] = '\0';
	if (!transform_any(t))
		return;
	transform_describe(t, &b);
	snprintf(out, n, "; %s", b.data ? b.data : "");
	buf_release(&b);
}

/*
 * --source defaults to --profile (else $AWS_PROFILE or default), --target to
 * the source: copying into another table, region or endpoint of one account.
 * A copy onto the very same table is refused later, by its ARN.
 */
int ctx_open_sides(struct ctx *ctx, struct ddb *src, int *src_open, struct ddb *dst,
		   int *dst_open)
{
	const struct options *o = &ctx->o;
	const char *source = o->source ? o->source : o->profile;
	const char *target = o->target ? o->target : source;
	const char *src_region, *dst_region;

	/* A table ARN names its region: the side reading it goes there. */
	if (ctx_arn_region(ctx, &ctx->arn, ctx->has_arn, "--table",
			   o->source_region ? o->source_region : o->region, &src_region) < 0 ||
	    ctx_arn_region(ctx, &ctx->target_arn, ctx->has_target_arn, "--target-table",
			   o->target_region ? o->target_region : o->region, &dst_region) < 0)
		return -1;
	if (ctx_open(ctx, src, source, src_region,
		     o->source_endpoint ? o->source_endpoint : o->endpoint_url) < 0)
		return -1;
	*src_open = 1;
	if (ctx_open(ctx, dst, target, dst_region,
		     o->target_endpoint ? o->target_endpoint : o->endpoint_url) < 0)
		return -1;
	*dst_open = 1;
	return 0;
}
