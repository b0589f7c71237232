/* Setup and checks shared by the commands. */
#include "dynamo/cmd.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/itemfile.h"
#include "dynamo/redact.h"
#include "dynamo/source.h"
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

	if (ctx_open(ctx, d, o->profile, o->region, o->endpoint_url) < 0)
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

static void newline(struct buf *out, int depth)
{
	buf_printf(out, "\n%*s", depth * 2, "");
}

/*
 * Compact JSON re-indented by two spaces a level, as jq and the AWS CLI
 * print it; values are copied as they stand (numbers never re-read).
 */
static void indent_json(const char *s, struct buf *out)
{
	int depth = 0, in_string = 0;

	for (; *s; s++) {
		if (in_string) {
			buf_putc(out, *s);
			if (*s == '\\' && s[1])
				buf_putc(out, *++s);
			else if (*s == '"')
				in_string = 0;
			continue;
		}
		switch (*s) {
		case '"':
			in_string = 1;
			buf_putc(out, *s);
			break;
		case '{':
		case '[':
			buf_putc(out, *s);
			if (s[1] == '}' || s[1] == ']')
				buf_putc(out, *++s);	/* empty: {} or [] */
			else
				newline(out, ++depth);
			break;
		case '}':
		case ']':
			newline(out, --depth);
			buf_putc(out, *s);
			break;
		case ',':
			buf_putc(out, ',');
			newline(out, depth);
			break;
		case ':':
			buf_puts(out, ": ");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void print_json(const cJSON *v, int indented)
{
	char *s = cJSON_PrintUnformatted(v);
	struct buf out = BUF_INIT, text = BUF_INIT;

	if (indented && s) {
		indent_json(s, &text);
		free(s);
		s = buf_detach(&text);
	}

	/* Results quote servers (errors, descriptions): no secret in them. */
	redact_into(s ? s : "null", s ? strlen(s) : 4, &out);
	printf("%s\n", out.data);
	buf_release(&out);
	free(s);
}

void print_json_line(const cJSON *v)
{
	print_json(v, 0);
}

void print_json_indented(const cJSON *v)
{
	print_json(v, 1);
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
	return table_name_check("--table", ctx->o.table, &ctx->eb);
}

int ctx_confirm(struct ctx *ctx, const char *what)
{
	char answer[16];
	FILE *tty;

	if (ctx->o.yes || ctx->o.dry_run)
		return 0;
	if (!ctx->stdin_tty)
		return errf(&ctx->eb, EXIT_REFUSED,
			    "refusing to %s without confirmation: pass --yes (this is not a terminal)",
			    what);
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return errf(&ctx->eb, EXIT_REFUSED,
			    "refusing to %s: cannot open /dev/tty to ask (pass --yes)",
			    what);
	fprintf(tty, "dynamo: about to %s. Continue? [y/N] ", what);
	fflush(tty);
	if (!fgets(answer, sizeof(answer), tty) ||
	    (answer[0] != 'y' && answer[0] != 'Y')) {
		fclose(tty);
		return errf(&ctx->eb, EXIT_REFUSED, "stopped: nothing was changed");
	}
	fclose(tty);
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
		if (o->sk || o->index)
			return errf(&ctx->eb, EXIT_USAGE,
				    "--sk and --index select items by partition key: add --pk VALUE");
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
		if (source_key_value(&tmp, h->type, o->pk[i]) < 0) {
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
	if (o->sk && r->type != 'S' && source_key_value(&tmp, r->type, o->sk) < 0) {
		buf_release(&tmp);
		return errf(&ctx->eb, EXIT_USAGE, "--sk '%s' is not a valid %s for key '%s'",
			    o->sk, r->type == 'N' ? "number" : "base64 value", r->name);
	}
	buf_release(&tmp);
	return 0;
}
