/*
 * Selections as data (see selection.h): what the flags say, checked alone
 * and then against a key schema, and the request fragments and item test
 * built from it.
 */
#include "dynamo/selection.h"
#include "dynamo/avcheck.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/strset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --names/--values files: far more than any request takes (1 MB). */
#define EXPR_FILE_MAX (1u << 20)

static const struct {
	enum sk_op op;
	const char *flag;
	const char *text;	/* for messages and the dry run */
} sk_ops[] = {
	{ SK_PREFIX, "--sk", "beginning with" },
	{ SK_EQ, "--sk-eq", "equal to" },
	{ SK_LT, "--sk-lt", "less than" },
	{ SK_LE, "--sk-le", "at most" },
	{ SK_GT, "--sk-gt", "greater than" },
	{ SK_GE, "--sk-ge", "at least" },
	{ SK_BETWEEN, "--sk-between", "between" },
};

#define NOPS (sizeof(sk_ops) / sizeof(sk_ops[0]))

const char *sk_op_flag(enum sk_op op)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (sk_ops[i].op == op)
			return sk_ops[i].flag;
	return "";
}

static const char *sk_op_text(enum sk_op op)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (sk_ops[i].op == op)
			return sk_ops[i].text;
	return "";
}

enum sk_op sk_op_of_flag(const char *flag)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (!strcmp(flag, sk_ops[i].flag) || !strcmp(flag, sk_ops[i].flag + 2))
			return sk_ops[i].op;
	return SK_NONE;
}

void selection_init(struct selection *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->names, 0);
	buf_init(&s->values, 0);
	buf_init(&s->prefix, 0);
	buf_init(&s->sk_av[0], 0);
	buf_init(&s->sk_av[1], 0);
	buf_init(&s->sk_bytes, 0);
}

static void unbind(struct selection *s)
{
	int i;

	for (i = 0; s->pk_av && i < s->npk; i++)
		buf_release(&s->pk_av[i]);
	free(s->pk_av);
	s->pk_av = NULL;
	free(s->hash.name);
	free(s->range.name);
	memset(&s->hash, 0, sizeof(s->hash));
	memset(&s->range, 0, sizeof(s->range));
	buf_reset(&s->prefix);
	buf_reset(&s->sk_av[0]);
	buf_reset(&s->sk_av[1]);
	buf_reset(&s->sk_bytes);
	s->bound = 0;
}

void selection_release(struct selection *s)
{
	int i;

	unbind(s);
	for (i = 0; i < s->npk; i++)
		free(s->pk[i]);
	free(s->pk);
	free(s->pk_prefix);
	free(s->sk[0]);
	free(s->sk[1]);
	free(s->filter);
	free(s->names_file);
	free(s->values_file);
	buf_release(&s->names);
	buf_release(&s->values);
	buf_release(&s->prefix);
	buf_release(&s->sk_av[0]);
	buf_release(&s->sk_av[1]);
	buf_release(&s->sk_bytes);
	memset(s, 0, sizeof(*s));
}

/* ---- the flags, one by one ---- */

int selection_add_pk(struct selection *s, const char *value, struct errbuf *eb)
{
	if (!*value)
		return errf(eb, EXIT_USAGE,
			    "--pk is empty: DynamoDB keys are never empty strings");
	if (s->pk_prefix)
		return errf(eb, EXIT_USAGE,
			    "--pk and --pk-prefix both given: use one of them");
	s->pk = xrealloc(s->pk, (size_t)(s->npk + 1) * sizeof(*s->pk));
	s->pk[s->npk++] = xstrdup(value);
	return 0;
}

int selection_set_pk_prefix(struct selection *s, const char *prefix,
			    struct errbuf *eb)
{
	if (s->pk_prefix)
		return errf(eb, EXIT_USAGE,
			    "--pk-prefix given twice: one prefix per run (for several, run once per prefix)");
	if (s->npk)
		return errf(eb, EXIT_USAGE,
			    "--pk and --pk-prefix both given: use one of them");
	if (!*prefix)
		return errf(eb, EXIT_USAGE,
			    "--pk-prefix is empty: give the beginning the partition keys share, e.g. --pk-prefix 'TENANT#42#'");
	s->pk_prefix = xstrdup(prefix);
	return 0;
}

int selection_set_sk(struct selection *s, enum sk_op op, const char *a,
		     const char *b, struct errbuf *eb)
{
	if (op == SK_NONE || !a || (op == SK_BETWEEN) != (b != NULL))
		return errf(eb, EXIT_USAGE, "a sort-key condition needs %s",
			    op == SK_BETWEEN ? "two values" : "one value");
	if (s->sk_op != SK_NONE)
		return errf(eb, EXIT_USAGE,
			    "%s and %s both given: one sort-key condition per run (for a range, use --sk-between A B)",
			    sk_op_flag(s->sk_op), sk_op_flag(op));
	if (!*a || (b && !*b))
		return errf(eb, EXIT_USAGE,
			    "%s has an empty value: DynamoDB keys are never empty strings",
			    sk_op_flag(op));
	s->sk_op = op;
	s->sk[0] = xstrdup(a);
	s->sk[1] = b ? xstrdup(b) : NULL;
	return 0;
}

int selection_set_filter(struct selection *s, const char *expr, struct errbuf *eb)
{
	const char *p = expr;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		return errf(eb, EXIT_USAGE,
			    "--filter is empty: give a DynamoDB filter expression, e.g. --filter '#s = :v'");
	if (s->filter)
		return errf(eb, EXIT_USAGE,
			    "--filter given twice: join the conditions with AND in one --filter");
	s->filter = xstrdup(expr);
	return 0;
}

/* ---- --names and --values ---- */

/* "--names" or "--names file 'x.json'", for messages. */
static const char *json_where(const char *flag, const char *file, char *out,
			      size_t n)
{
	if (file)
		snprintf(out, n, "%s file '%s'", flag, file);
	else
		snprintf(out, n, "%s", flag);
	return out;
}

/* The text of arg, or of the file @FILE names, into out. */
static int read_json_arg(const char *flag, const char *arg, struct buf *out,
			 char **file, struct errbuf *eb)
{
	buf_release(out);
	if (arg[0] != '@') {
		buf_init(out, 0);
		buf_puts(out, arg);
		return 0;
	}
	if (!arg[1])
		return errf(eb, EXIT_USAGE, "%s '@' names no file: use %s @FILE",
			    flag, flag);
	*file = xstrdup(arg + 1);
	if (buf_read_file(out, arg + 1, EXPR_FILE_MAX) < 0) {
		int err = errno;

		buf_init(out, 0);
		if (err == EFBIG)
			return errf(eb, EXIT_USAGE, "%s file '%s' is larger than %u MB",
				    flag, arg + 1, EXPR_FILE_MAX >> 20);
		return errf(eb, EXIT_IO, "cannot read %s file '%s': %s", flag,
			    arg + 1, strerror(err));
	}
	return 0;
}

/* Decodes a member name as the scanner gives it (no quotes, escapes kept). */
static int member_name(struct slice raw, struct buf *out)
{
	struct buf lit = BUF_INIT;
	int r;

	buf_reset(out);
	buf_putc(&lit, '"');
	buf_append(&lit, raw.p, raw.n);
	buf_putc(&lit, '"');
	r = js_unescape((struct slice){ lit.data, lit.len }, out);
	buf_release(&lit);
	if (!out->data)
		buf_puts(out, "");
	return r;
}

/* One member of --names or --values: its placeholder and its value. */
static int check_member(const char *where, char sigil, const char *name,
			size_t name_len, struct slice v, struct errbuf *eb)
{
	struct buf dec = BUF_INIT;
	char why[300];
	int r = 0;

	if (!expr_placeholder_valid(sigil, name, name_len)) {
		r = errf(eb, EXIT_USAGE,
			 "%s: '%.100s' is not a placeholder: use %c followed by letters, digits or '_' (e.g. %s)",
			 where, name, sigil, sigil == '#' ? "#status" : ":open");
	} else if (expr_placeholder_reserved(name, name_len)) {
		r = errf(eb, EXIT_USAGE,
			 "%s: '%s' starts with '%c%s', which dynamo keeps for its own placeholders: rename it here and in --filter",
			 where, name, sigil, EXPR_RESERVED);
	} else if (sigil == '#') {
		if (!v.n || v.p[0] != '"' || js_unescape(v, &dec) < 0)
			r = errf(eb, EXIT_USAGE,
				 "%s: '%s' must name an attribute with a JSON string, e.g. {\"%s\":\"status\"}",
				 where, name, name);
		else if (!dec.len)
			r = errf(eb, EXIT_USAGE,
				 "%s: '%s' names the empty string, which is no attribute name",
				 where, name);
	} else if (av_check(v, why, sizeof(why)) < 0) {
		r = errf(eb, EXIT_USAGE,
			 "%s: '%s' is not a DynamoDB JSON value: %s (e.g. {\"%s\":{\"S\":\"OPEN\"}})",
			 where, name, why, name);
	}
	buf_release(&dec);
	return r;
}

static int load_placeholders(const char *flag, char sigil, const char *arg,
			     struct buf *dst, char **file, struct errbuf *eb)
{
	struct buf name = BUF_INIT;
	struct strset seen;
	struct js_iter it;
	struct slice k, v;
	char where[600];
	int r, members = 0;

	if (read_json_arg(flag, arg, dst, file, eb) < 0)
		return -1;
	json_where(flag, *file, where, sizeof(where));
	if (!js_valid((struct slice){ dst->data ? dst->data : "", dst->len }) ||
	    js_begin(&it, (struct slice){ dst->data, dst->len }, '{') < 0)
		return errf(eb, EXIT_USAGE, "%s is not a JSON object such as %s", where,
			    sigil == '#' ? "{\"#s\":\"status\"}" :
			    "{\":v\":{\"S\":\"OPEN\"}}");
	strset_init(&seen);
	while ((r = js_next_member(&it, &k, &v)) == 1) {
		members++;
		if (member_name(k, &name) < 0 || strlen(name.data) != name.len) {
			r = errf(eb, EXIT_USAGE, "%s has a key that is not a placeholder", where);
			break;
		}
		if (!strset_add(&seen, name.data, name.len)) {
			r = errf(eb, EXIT_USAGE, "%s has '%s' twice", where, name.data);
			break;
		}
		if ((r = check_member(where, sigil, name.data, name.len, v, eb)) < 0)
			break;
	}
	strset_release(&seen);
	buf_release(&name);
	if (r < 0)
		return -1;
	if (!members)
		return errf(eb, EXIT_USAGE,
			    "%s is an empty object: leave %s out when --filter uses no placeholder",
			    where, flag);
	return 0;
}

/* A failed load leaves nothing behind, so that the flag can be given again. */
static int load(const char *flag, char sigil, const char *arg, struct buf *dst,
		char **file, struct errbuf *eb)
{
	if (dst->len)
		return errf(eb, EXIT_USAGE,
			    "%s given twice: put every placeholder in one JSON object", flag);
	if (load_placeholders(flag, sigil, arg, dst, file, eb) == 0)
		return 0;
	buf_reset(dst);
	free(*file);
	*file = NULL;
	return -1;
}

int selection_load_names(struct selection *s, const char *arg, struct errbuf *eb)
{
	return load("--names", '#', arg, &s->names, &s->names_file, eb);
}

int selection_load_values(struct selection *s, const char *arg, struct errbuf *eb)
{
	return load("--values", ':', arg, &s->values, &s->values_file, eb);
}

/* ---- binding to a key schema ---- */

static const char *type_word(char type)
{
	return type == 'N' ? "number" : type == 'B' ? "binary (base64)" : "string";
}

/* A key value as typed on the command line into {"T":"value"}. */
static int typed_value(char type, const char *text, struct buf *out)
{
	size_t n = strlen(text);

	if (type == 'N' && !num_valid(text, n))
		return -1;
	if (type == 'B' && (!n || !base64_valid(text, n)))
		return -1;
	buf_reset(out);
	buf_printf(out, "{\"%c\":", type);
	buf_json_str(out, text, n);
	return buf_putc(out, '}');
}

/* The bytes begins_with compares: the text for S, the decoded bytes for B. */
static int prefix_bytes(char type, const char *text, struct buf *out)
{
	size_t n = strlen(text);

	buf_reset(out);
	if (type == 'B')
		return n && base64_valid(text, n) ? base64_decode(text, n, out) : -1;
	return buf_append(out, text, n);
}

static int bad_key_value(const char *flag, const char *value,
			 const struct key_attr *k, struct errbuf *eb)
{
	return errf(eb, EXIT_USAGE,
		    "%s '%s' is not a valid %s for key '%s'%s", flag, value,
		    type_word(k->type), k->name,
		    k->type == 'N' ? " (digits with an optional sign, point and exponent, at most 38 significant digits)" :
		    k->type == 'B' ? " (standard padded base64)" : "");
}

static int bind_pk(struct selection *s, const char *what, struct errbuf *eb)
{
	int i;

	s->pk_av = xcalloc((size_t)(s->npk ? s->npk : 1), sizeof(*s->pk_av));
	for (i = 0; i < s->npk; i++) {
		buf_init(&s->pk_av[i], 0);
		if (typed_value(s->hash.type, s->pk[i], &s->pk_av[i]) < 0)
			return bad_key_value("--pk", s->pk[i], &s->hash, eb);
	}
	if (!s->pk_prefix)
		return 0;
	if (s->hash.type == 'N')
		return errf(eb, EXIT_USAGE,
			    "--pk-prefix needs a string or binary partition key, but '%s' of %s is a number (numbers have no prefixes: use --pk)",
			    s->hash.name, what);
	if (prefix_bytes(s->hash.type, s->pk_prefix, &s->prefix) < 0)
		return bad_key_value("--pk-prefix", s->pk_prefix, &s->hash, eb);
	return 0;
}

static int bind_sk(struct selection *s, const char *what, struct errbuf *eb)
{
	const char *flag = sk_op_flag(s->sk_op);
	int i;

	if (s->sk_op == SK_NONE)
		return 0;
	if (!s->range.name)
		return errf(eb, EXIT_USAGE, "%s was given but %s has no sort key",
			    flag, what);
	for (i = 0; i < (s->sk_op == SK_BETWEEN ? 2 : 1); i++)
		if (typed_value(s->range.type, s->sk[i], &s->sk_av[i]) < 0)
			return bad_key_value(flag, s->sk[i], &s->range, eb);
	if (s->sk_op == SK_PREFIX && s->range.type != 'N')
		prefix_bytes(s->range.type, s->sk[0], &s->sk_bytes);
	if (s->sk_op == SK_BETWEEN &&
	    av_key_compare((struct slice){ s->sk_av[0].data, s->sk_av[0].len },
			   (struct slice){ s->sk_av[1].data, s->sk_av[1].len }) > 0)
		return errf(eb, EXIT_USAGE,
			    "--sk-between '%s' '%s': the first value sorts after the second (DynamoDB compares %s): swap them",
			    s->sk[0], s->sk[1],
			    s->range.type == 'N' ? "numbers by value" : "by bytes");
	return 0;
}

struct uses {
	const struct selection *s;
	struct errbuf *eb;
	int missing;
};

/* Whether the JSON object obj has the member name. */
static int object_has(const struct buf *obj, const char *name, size_t n)
{
	struct buf dec = BUF_INIT;
	struct js_iter it;
	struct slice k, v;
	int found = 0;

	if (!obj->len || js_begin(&it, (struct slice){ obj->data, obj->len }, '{') < 0)
		return 0;
	while (!found && js_next_member(&it, &k, &v) == 1)
		found = member_name(k, &dec) == 0 && dec.len == n &&
			!memcmp(dec.data, name, n);
	buf_release(&dec);
	return found;
}

/* Each placeholder of --filter is defined, and not one of dynamo's. */
static int filter_placeholder(void *ctx, const char *p, size_t n)
{
	struct uses *u = ctx;
	int name = p[0] == '#';

	if (expr_placeholder_reserved(p, n))
		return errf(u->eb, EXIT_USAGE,
			    "--filter uses '%.*s', which starts with '%c%s', kept for dynamo's own placeholders: rename it",
			    (int)n, p, p[0], EXPR_RESERVED);
	if (!object_has(name ? &u->s->names : &u->s->values, p, n))
		return errf(u->eb, EXIT_USAGE,
			    "--filter uses '%.*s' but %s does not define it (e.g. %s '{\"%.*s\":%s}')",
			    (int)n, p, name ? "--names" : "--values",
			    name ? "--names" : "--values", (int)n, p,
			    name ? "\"status\"" : "{\"S\":\"OPEN\"}");
	return 0;
}

struct find {
	const char *name;
	size_t n;
};

static int is_placeholder(void *ctx, const char *p, size_t n)
{
	const struct find *f = ctx;

	return n == f->n && !memcmp(p, f->name, n);
}

/* Each placeholder of --names and --values is used by --filter. */
static int check_used(const struct selection *s, const struct buf *obj,
		      const char *flag, const char *file, struct errbuf *eb)
{
	struct buf dec = BUF_INIT;
	struct js_iter it;
	struct slice k, v;
	char where[600];
	int r = 0;

	if (!obj->len || js_begin(&it, (struct slice){ obj->data, obj->len }, '{') < 0)
		return 0;
	while (!r && js_next_member(&it, &k, &v) == 1) {
		struct find f;

		member_name(k, &dec);
		f.name = dec.data;
		f.n = dec.len;
		if (!expr_each_placeholder(s->filter, strlen(s->filter), is_placeholder, &f))
			r = errf(eb, EXIT_USAGE,
				 "%s defines '%s' but --filter does not use it (DynamoDB refuses unused placeholders)",
				 json_where(flag, file, where, sizeof(where)), dec.data);
	}
	buf_release(&dec);
	return r;
}

static int bind_filter(struct selection *s, struct errbuf *eb)
{
	struct uses u = { s, eb, 0 };

	if (!s->filter) {
		if (s->names.len || s->values.len)
			return errf(eb, EXIT_USAGE,
				    "%s given without --filter: they only define the placeholders of --filter",
				    s->names.len ? "--names" : "--values");
		return 0;
	}
	if (expr_each_placeholder(s->filter, strlen(s->filter), filter_placeholder, &u))
		return -1;
	if (check_used(s, &s->names, "--names", s->names_file, eb) < 0 ||
	    check_used(s, &s->values, "--values", s->values_file, eb) < 0)
		return -1;
	return 0;
}

static void copy_key(struct key_attr *dst, const struct key_attr *src)
{
	dst->name = src && src->name ? xstrdup(src->name) : NULL;
	dst->type = src && src->name ? src->type : 0;
}

int selection_bind(struct selection *s, const struct key_attr *hash,
		   const struct key_attr *range, const char *what,
		   struct errbuf *eb)
{
	unbind(s);
	copy_key(&s->hash, hash);
	copy_key(&s->range, range);
	if (!s->hash.name)
		return errf(eb, EXIT_FAILURE_RUNTIME, "%s has no partition key", what);
	if (bind_pk(s, what, eb) < 0 || bind_sk(s, what, eb) < 0 ||
	    bind_filter(s, eb) < 0) {
		unbind(s);
		return -1;
	}
	s->bound = 1;
	return 0;
}

int selection_restricts(const struct selection *s)
{
	return s->npk || s->pk_prefix || s->sk_op != SK_NONE || s->filter;
}

int selection_by_query(const struct selection *s)
{
	return s->npk > 0;
}

/* ---- request fragments ---- */

static struct slice av_of(const struct buf *b)
{
	return (struct slice){ b->data ? b->data : "", b->len };
}

/* The sort-key condition on #dynamo_sk, added to cond. */
static void sk_condition(const struct selection *s, struct expr *e, struct buf *cond)
{
	static const char *const ops[] = {
		[SK_EQ] = "=", [SK_LT] = "<", [SK_LE] = "<=", [SK_GT] = ">", [SK_GE] = ">=",
	};
	char text[80];

	if (s->sk_op == SK_NONE)
		return;
	expr_add_name(e, "#" EXPR_RESERVED "sk", s->range.name, strlen(s->range.name));
	expr_add_value(e, ":" EXPR_RESERVED "sk", av_of(&s->sk_av[0]));
	if (s->sk_op == SK_BETWEEN) {
		expr_add_value(e, ":" EXPR_RESERVED "sk2", av_of(&s->sk_av[1]));
		snprintf(text, sizeof(text), "#%ssk BETWEEN :%ssk AND :%ssk2",
			 EXPR_RESERVED, EXPR_RESERVED, EXPR_RESERVED);
	} else if (s->sk_op == SK_PREFIX && s->range.type != 'N') {
		snprintf(text, sizeof(text), "begins_with(#%ssk, :%ssk)",
			 EXPR_RESERVED, EXPR_RESERVED);
	} else {
		snprintf(text, sizeof(text), "#%ssk %s :%ssk", EXPR_RESERVED,
			 s->sk_op == SK_PREFIX ? "=" : ops[s->sk_op], EXPR_RESERVED);
	}
	expr_and(cond, text, strlen(text));
}

static void user_names_values(const struct selection *s, struct expr *e)
{
	expr_add_members(&e->names, (struct slice){ s->names.data, s->names.len });
	expr_add_members(&e->values, (struct slice){ s->values.data, s->values.len });
}

int selection_scan_expr(const struct selection *s, struct expr *e)
{
	if (!s->bound || s->npk)
		return -1;
	if (s->pk_prefix) {
		struct buf av = BUF_INIT;
		char text[80];

		buf_printf(&av, "{\"%c\":", s->hash.type);
		buf_json_str(&av, s->pk_prefix, strlen(s->pk_prefix));
		buf_putc(&av, '}');
		expr_add_name(e, "#" EXPR_RESERVED "pk", s->hash.name, strlen(s->hash.name));
		expr_add_value(e, ":" EXPR_RESERVED "pk", av_of(&av));
		snprintf(text, sizeof(text), "begins_with(#%spk, :%spk)",
			 EXPR_RESERVED, EXPR_RESERVED);
		expr_and(&e->filter, text, strlen(text));
		buf_release(&av);
	}
	sk_condition(s, e, &e->filter);
	if (s->filter) {
		/* Parenthesised: the user's ORs stay inside their own condition. */
		if (e->filter.len) {
			expr_and(&e->filter, "(", 1);
			buf_puts(&e->filter, s->filter);
			buf_putc(&e->filter, ')');
		} else {
			buf_puts(&e->filter, s->filter);
		}
		user_names_values(s, e);
	}
	return 0;
}

int selection_query_expr(const struct selection *s, int k, struct expr *e)
{
	char text[80];

	if (!s->bound || k < 0 || k >= s->npk)
		return -1;
	expr_add_name(e, "#" EXPR_RESERVED "pk", s->hash.name, strlen(s->hash.name));
	expr_add_value(e, ":" EXPR_RESERVED "pk", av_of(&s->pk_av[k]));
	snprintf(text, sizeof(text), "#%spk = :%spk", EXPR_RESERVED, EXPR_RESERVED);
	expr_and(&e->key_cond, text, strlen(text));
	sk_condition(s, e, &e->key_cond);
	if (s->filter) {
		buf_puts(&e->filter, s->filter);
		user_names_values(s, e);
	}
	return 0;
}

/* ---- items ---- */

/* Whether av is of type t (one letter). */
static int av_type_is(struct slice av, char t, struct slice *val)
{
	char type[8];

	return av_split(av, type, val) == 0 && type[0] == t && !type[1];
}

/* begins_with(av, prefix) as DynamoDB does it: S by UTF-8 bytes, B by decoded bytes. */
static int begins_with(struct slice av, char type, const struct buf *prefix)
{
	struct buf raw = BUF_INIT, bytes = BUF_INIT;
	const struct buf *have = &raw;
	struct slice v;
	int ok = 0;

	if (!av_type_is(av, type, &v) || v.n < 2 || v.p[0] != '"')
		return 0;
	/* The common case, a string without escapes: its bytes are the JSON's. */
	if (type == 'S' && !memchr(v.p, '\\', v.n))
		return v.n - 2 >= prefix->len &&
		       !memcmp(v.p + 1, prefix->data ? prefix->data : "", prefix->len);
	if (js_unescape(v, &raw) < 0)
		goto out;
	if (type == 'B') {
		if (base64_decode(raw.data ? raw.data : "", raw.len, &bytes) < 0)
			goto out;
		have = &bytes;
	}
	ok = have->len >= prefix->len &&
	     !memcmp(have->data ? have->data : "", prefix->data ? prefix->data : "",
		     prefix->len);
out:
	buf_release(&raw);
	buf_release(&bytes);
	return ok;
}

/* av against the typed value want: <0, 0, >0; 2 when av is not of the key's type. */
static int compare_key(struct slice av, char type, const struct buf *want)
{
	struct slice v;
	int c;

	if (!av_type_is(av, type, &v))
		return 2;
	c = av_key_compare(av, av_of(want));
	return (c > 0) - (c < 0);
}

static int sk_matches(const struct selection *s, struct slice av)
{
	char t = s->range.type;
	int lo, hi;

	if (s->sk_op == SK_PREFIX && t != 'N')
		return begins_with(av, t, &s->sk_bytes);
	if ((lo = compare_key(av, t, &s->sk_av[0])) == 2)
		return 0;
	switch (s->sk_op) {
	case SK_PREFIX:
	case SK_EQ: return lo == 0;
	case SK_LT: return lo < 0;
	case SK_LE: return lo <= 0;
	case SK_GT: return lo > 0;
	case SK_GE: return lo >= 0;
	case SK_BETWEEN:
		hi = compare_key(av, t, &s->sk_av[1]);
		return lo >= 0 && hi <= 0;
	case SK_NONE: break;
	}
	return 1;
}

int selection_key_matches(const struct selection *s, struct slice item)
{
	struct slice v;
	int i;

	if (!s->bound)
		return 0;
	if (s->npk || s->pk_prefix) {
		if (js_find(item, s->hash.name, &v) != 1)
			return 0;
		if (s->pk_prefix && !begins_with(v, s->hash.type, &s->prefix))
			return 0;
		for (i = 0; i < s->npk; i++)
			if (compare_key(v, s->hash.type, &s->pk_av[i]) == 0)
				break;
		if (s->npk && i == s->npk)
			return 0;
	}
	if (s->sk_op == SK_NONE)
		return 1;
	return js_find(item, s->range.name, &v) == 1 && sk_matches(s, v);
}

/* ---- for people and --json ---- */

static void describe_value(struct buf *out, const char *v)
{
	buf_putc(out, '\'');
	buf_puts(out, v);
	buf_putc(out, '\'');
}

void selection_describe(const struct selection *s, struct buf *out)
{
	const char *sep = "";
	int i;

	if (s->npk || s->pk_prefix) {
		buf_printf(out, "partition key%s%s%s ", s->hash.name ? " '" : "",
			   s->hash.name ? s->hash.name : "", s->hash.name ? "'" : "");
		if (s->pk_prefix) {
			buf_puts(out, "beginning with ");
			describe_value(out, s->pk_prefix);
		}
		for (i = 0; i < s->npk; i++) {
			buf_puts(out, i ? (i == s->npk - 1 ? " or " : ", ") : "");
			describe_value(out, s->pk[i]);
		}
		sep = ", ";
	}
	if (s->sk_op != SK_NONE) {
		buf_printf(out, "%ssort key%s%s%s %s ", sep, s->range.name ? " '" : "",
			   s->range.name ? s->range.name : "", s->range.name ? "'" : "",
			   s->sk_op == SK_PREFIX && s->range.type == 'N' ? "equal to" :
			   sk_op_text(s->sk_op));
		describe_value(out, s->sk[0]);
		if (s->sk_op == SK_BETWEEN) {
			buf_puts(out, " and ");
			describe_value(out, s->sk[1]);
		}
		sep = ", ";
	}
	if (s->filter) {
		buf_printf(out, "%sfilter ", sep);
		describe_value(out, s->filter);
	}
}

void selection_describe_into(const struct selection *s, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	selection_describe(s, &b);
	snprintf(out, n, "%s", b.data ? b.data : "");
	buf_release(&b);
}

static cJSON *parse_or_string(const struct buf *b)
{
	cJSON *j = b->len ? cJSON_ParseWithLength(b->data, b->len) : NULL;

	return j ? j : cJSON_CreateString(b->data ? b->data : "");
}

void selection_to_json(const struct selection *s, cJSON *obj)
{
	int i;

	if (s->npk) {
		cJSON *a = cJSON_AddArrayToObject(obj, "pk");

		for (i = 0; i < s->npk; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(s->pk[i]));
	}
	if (s->pk_prefix)
		cJSON_AddStringToObject(obj, "pk_prefix", s->pk_prefix);
	if (s->sk_op != SK_NONE) {
		cJSON *a;

		cJSON_AddStringToObject(obj, "sk_op", sk_op_flag(s->sk_op) + 2);
		a = cJSON_AddArrayToObject(obj, "sk");
		cJSON_AddItemToArray(a, cJSON_CreateString(s->sk[0]));
		if (s->sk[1])
			cJSON_AddItemToArray(a, cJSON_CreateString(s->sk[1]));
	}
	if (s->filter)
		cJSON_AddStringToObject(obj, "filter", s->filter);
	if (s->names.len)
		cJSON_AddItemToObject(obj, "names", parse_or_string(&s->names));
	if (s->values.len)
		cJSON_AddItemToObject(obj, "values", parse_or_string(&s->values));
}
