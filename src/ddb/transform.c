/*
 * Transforms of items (see transform.h): the flags parsed and checked
 * against the table, then applied to raw DynamoDB JSON, rewriting only what
 * changes.
 */
#include "dynamo/transform.h"
#include "dynamo/avcheck.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/strset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PK_MAX_BYTES 2048
#define SK_MAX_BYTES 1024

void transform_init(struct transform *t)
{
	memset(t, 0, sizeof(*t));
}

static void free_names(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void unbind(struct transform *t)
{
	int i;

	for (i = 0; i < t->nkeys; i++)
		free(t->keys[i].name);
	free(t->keys);
	t->keys = NULL;
	t->nkeys = 0;
	free_names(t->quoted, t->nquoted);
	t->quoted = NULL;
	t->nquoted = 0;
	t->bound = 0;
}

void transform_release(struct transform *t)
{
	int i;

	unbind(t);
	for (i = 0; i < t->nsets; i++) {
		free(t->sets[i].name);
		free(t->sets[i].value);
	}
	free(t->sets);
	free_names(t->removes, t->nremoves);
	free_names(t->masks, t->nmasks);
	for (i = 0; i < t->nrenames; i++) {
		free(t->renames[i].from);
		free(t->renames[i].to);
	}
	free(t->renames);
	memset(t, 0, sizeof(*t));
}

/* ---- the flags ---- */

static int listed(char *const *v, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return 1;
	return 0;
}

static const struct transform_set *set_named(const struct transform *t,
					      const char *name)
{
	int i;

	for (i = 0; i < t->nsets; i++)
		if (!strcmp(t->sets[i].name, name))
			return &t->sets[i];
	return NULL;
}

/* The flag that already names this attribute, or NULL. */
static const char *claimed_by(const struct transform *t, const char *name)
{
	if (set_named(t, name))
		return "--set";
	if (listed(t->removes, t->nremoves, name))
		return "--remove";
	if (listed(t->masks, t->nmasks, name))
		return "--mask";
	return NULL;
}

/* A new attribute for flag: not empty, not claimed by another flag. */
static int check_name(const struct transform *t, const char *flag,
		      const char *name, struct errbuf *eb)
{
	const char *other;

	if (!*name)
		return errf(eb, EXIT_USAGE, "%s needs an attribute name", flag);
	if ((other = claimed_by(t, name)) && strcmp(other, flag))
		return errf(eb, EXIT_USAGE,
			    "%s '%s' and %s '%s' both given: an attribute takes one of --set, --remove and --mask",
			    other, name, flag, name);
	return 0;
}

static void push_name(char ***v, int *n, const char *name)
{
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(name);
}

int transform_add_set(struct transform *t, const char *spec, struct errbuf *eb)
{
	const char *eq = strchr(spec, '=');
	struct transform_set *s;
	struct slice v, inner;
	char *name, why[300];

	if (!eq || eq == spec)
		return errf(eb, EXIT_USAGE,
			    "--set '%s' is not NAME=VALUE with VALUE in DynamoDB JSON (e.g. --set 'env={\"S\":\"staging\"}')",
			    spec);
	name = xstrndup(spec, (size_t)(eq - spec));
	v.p = eq + 1;
	v.n = strlen(v.p);
	if (check_name(t, "--set", name, eb) < 0 ||
	    (set_named(t, name) &&
	     errf(eb, EXIT_USAGE, "--set '%s' given twice: set it once", name) < 0)) {
		free(name);
		return -1;
	}
	if (av_check(v, why, sizeof(why)) < 0) {
		errf(eb, EXIT_USAGE,
		     "--set '%s': the value is not DynamoDB JSON: %s (e.g. --set '%s={\"S\":\"staging\"}')",
		     name, why, name);
		free(name);
		return -1;
	}
	t->sets = xrealloc(t->sets, (size_t)(t->nsets + 1) * sizeof(*t->sets));
	s = &t->sets[t->nsets++];
	s->name = name;
	/* Kept without the blanks around it: it goes into items as it is. */
	v.p = js_ws(v.p, v.p + v.n);
	v.n = (size_t)(js_skip(v.p, eq + 1 + strlen(eq + 1)) - v.p);
	s->value = xstrndup(v.p, v.n);
	av_split((struct slice){ s->value, v.n }, s->type, &inner);
	return 0;
}

int transform_add_remove(struct transform *t, const char *name, struct errbuf *eb)
{
	if (check_name(t, "--remove", name, eb) < 0)
		return -1;
	if (!listed(t->removes, t->nremoves, name))
		push_name(&t->removes, &t->nremoves, name);
	return 0;
}

int transform_add_mask(struct transform *t, const char *name, struct errbuf *eb)
{
	if (check_name(t, "--mask", name, eb) < 0)
		return -1;
	if (!listed(t->masks, t->nmasks, name))
		push_name(&t->masks, &t->nmasks, name);
	return 0;
}

int transform_add_rename_prefix(struct transform *t, const char *spec,
				struct errbuf *eb)
{
	const char *eq = strchr(spec, '=');
	struct transform_rename r;
	int i, at;

	if (!eq || eq == spec)
		return errf(eb, EXIT_USAGE,
			    "--rename-prefix '%s' is not OLD=NEW with a non-empty OLD (e.g. --rename-prefix 'TENANT#42#=TENANT#demo#')",
			    spec);
	r.from_len = (size_t)(eq - spec);
	r.to_len = strlen(eq + 1);
	if (r.from_len == r.to_len && !memcmp(spec, eq + 1, r.from_len))
		return errf(eb, EXIT_USAGE,
			    "--rename-prefix '%s' renames a prefix to itself: leave it out", spec);
	for (i = 0; i < t->nrenames; i++)
		if (t->renames[i].from_len == r.from_len &&
		    !memcmp(t->renames[i].from, spec, r.from_len))
			return errf(eb, EXIT_USAGE,
				    "--rename-prefix given twice for '%s': rename a prefix once",
				    t->renames[i].from);
	r.from = xstrndup(spec, r.from_len);
	r.to = xstrdup(eq + 1);
	/* Longest first, so that the first match is the longest. */
	for (at = 0; at < t->nrenames && t->renames[at].from_len >= r.from_len; at++)
		;
	t->renames = xrealloc(t->renames, (size_t)(t->nrenames + 1) * sizeof(*t->renames));
	memmove(&t->renames[at + 1], &t->renames[at],
		(size_t)(t->nrenames - at) * sizeof(*t->renames));
	t->renames[at] = r;
	t->nrenames++;
	return 0;
}

int transform_any(const struct transform *t)
{
	return t->nsets || t->nremoves || t->nmasks || t->nrenames;
}

int transform_needs_mask_key(const struct transform *t)
{
	return t->nmasks > 0;
}

/* ---- binding to the table ---- */

static struct transform_key *key_named(const struct transform *t, const char *name)
{
	int i;

	for (i = 0; i < t->nkeys; i++)
		if (!strcmp(t->keys[i].name, name))
			return &t->keys[i];
	return NULL;
}

int transform_may_change_keys(const struct transform *t)
{
	int i;

	if (t->nrenames)
		return 1;
	for (i = 0; i < t->nmasks; i++) {
		const struct transform_key *k = key_named(t, t->masks[i]);

		if (k && k->table)
			return 1;
	}
	return 0;
}

static void add_key(struct transform *t, const struct key_attr *k, size_t max,
		    int table)
{
	struct transform_key *have;

	if (!k->name)
		return;
	if ((have = key_named(t, k->name))) {
		have->table |= table;
		if (max > have->max_bytes)
			have->max_bytes = max;
		return;
	}
	t->keys = xrealloc(t->keys, (size_t)(t->nkeys + 1) * sizeof(*t->keys));
	t->keys[t->nkeys].name = xstrdup(k->name);
	t->keys[t->nkeys].type = k->type;
	t->keys[t->nkeys].max_bytes = max;
	t->keys[t->nkeys].table = table;
	t->nkeys++;
}

/* "the table's partition key" or "a key of index 'GSI1'", for messages. */
static void key_role(const struct table_desc *td, const char *name, char *out,
		     size_t n)
{
	int i;

	if (!strcmp(name, td->hash.name)) {
		snprintf(out, n, "the partition key of table '%s'", td->name);
		return;
	}
	if (td->range.name && !strcmp(name, td->range.name)) {
		snprintf(out, n, "the sort key of table '%s'", td->name);
		return;
	}
	for (i = 0; i < td->nindexes; i++) {
		const struct index_desc *ix = &td->indexes[i];

		if (!strcmp(name, ix->hash.name) ||
		    (ix->range.name && !strcmp(name, ix->range.name))) {
			snprintf(out, n, "a key of %s '%s'", ix->global ? "GSI" : "LSI",
				 ix->name);
			return;
		}
	}
	snprintf(out, n, "a key");
}

static int check_sets_removes(const struct transform *t,
			      const struct table_desc *td, struct errbuf *eb)
{
	char role[600];
	int i;

	for (i = 0; i < t->nsets + t->nremoves; i++) {
		const char *name = i < t->nsets ? t->sets[i].name :
				   t->removes[i - t->nsets];
		const char *flag = i < t->nsets ? "--set" : "--remove";
		const struct transform_key *k = key_named(t, name);

		if (!k)
			continue;
		key_role(td, name, role, sizeof(role));
		if (k->table)
			return errf(eb, EXIT_USAGE,
				    "%s '%s': '%s' is %s, which dynamo does not change with --set or --remove (--rename-prefix OLD=NEW rewrites key prefixes)",
				    flag, name, name, role);
		if (i >= t->nsets)
			continue;	/* removing an index key leaves the index */
		if (strlen(t->sets[i].type) != 1 || t->sets[i].type[0] != k->type)
			return errf(eb, EXIT_USAGE,
				    "--set '%s': '%s' is %s, of type %c, but the value is of type %s",
				    name, name, role, k->type, t->sets[i].type);
		if (k->type != 'N' && strlen(t->sets[i].value) <= 8)	/* {"S":""} */
			return errf(eb, EXIT_USAGE,
				    "--set '%s': '%s' is %s, which DynamoDB does not take empty",
				    name, name, role);
	}
	return 0;
}

static int check_masks(const struct transform *t, const struct table_desc *td,
		       struct errbuf *eb)
{
	char role[600], other[600];
	int i, j;

	for (i = 0; i < t->nmasks; i++) {
		const struct transform_key *k = key_named(t, t->masks[i]);

		if (!k || !k->table)
			continue;
		key_role(td, k->name, role, sizeof(role));
		if (t->nrenames && k->type == 'S')
			return errf(eb, EXIT_USAGE,
				    "--mask '%s' and --rename-prefix both change '%s', %s: use one of them",
				    k->name, k->name, role);
		for (j = 0; j < t->nkeys; j++) {
			const struct transform_key *o = &t->keys[j];

			if (o->type != k->type || listed(t->masks, t->nmasks, o->name))
				continue;
			key_role(td, o->name, other, sizeof(other));
			return errf(eb, EXIT_USAGE,
				    "--mask '%s' masks %s: every key attribute of type %c must be masked with it, since keys are often copied into other keys, but '%s' (%s) is not: add --mask %s",
				    k->name, role, k->type, o->name, other, o->name);
		}
	}
	return 0;
}

int transform_bind(struct transform *t, const struct table_desc *td,
		   struct errbuf *eb)
{
	int i;

	unbind(t);
	add_key(t, &td->hash, PK_MAX_BYTES, 1);
	add_key(t, &td->range, SK_MAX_BYTES, 1);
	for (i = 0; i < td->nindexes; i++) {
		add_key(t, &td->indexes[i].hash, PK_MAX_BYTES, 0);
		add_key(t, &td->indexes[i].range, SK_MAX_BYTES, 0);
	}
	if (check_sets_removes(t, td, eb) < 0 || check_masks(t, td, eb) < 0) {
		unbind(t);
		return -1;
	}
	for (i = 0; i < t->nremoves + t->nmasks; i++) {
		const char *name = i < t->nremoves ? t->removes[i] : t->masks[i - t->nremoves];
		struct buf q = BUF_INIT;

		buf_json_str(&q, name, strlen(name));
		push_name(&t->quoted, &t->nquoted, q.data);
		buf_release(&q);
	}
	t->bound = 1;
	return 0;
}

/* ---- renames ---- */

static const struct transform_rename *rename_for(const struct transform *t,
						 const char *s, size_t n)
{
	int i;

	for (i = 0; i < t->nrenames; i++)
		if (n >= t->renames[i].from_len &&
		    !memcmp(s, t->renames[i].from, t->renames[i].from_len))
			return &t->renames[i];
	return NULL;
}

int transform_rename_text(const struct transform *t, const char *s, size_t n,
			  struct buf *out)
{
	const struct transform_rename *r = rename_for(t, s, n);

	if (!r)
		return 0;
	buf_append(out, r->to, r->to_len);
	buf_append(out, s + r->from_len, n - r->from_len);
	return 1;
}

/* ---- for people and --json ---- */

static void list_names(struct buf *out, const char *what, char *const *v, int n,
		       const char **sep)
{
	int i;

	if (!n)
		return;
	buf_printf(out, "%s%s ", *sep, what);
	for (i = 0; i < n; i++)
		buf_printf(out, "%s'%s'", i ? ", " : "", v[i]);
	*sep = ", ";
}

void transform_describe(const struct transform *t, struct buf *out)
{
	const char *sep = "";
	int i;

	for (i = 0; i < t->nsets; i++) {
		buf_printf(out, "%sset '%s' to %s", sep, t->sets[i].name, t->sets[i].value);
		sep = ", ";
	}
	list_names(out, "remove", t->removes, t->nremoves, &sep);
	list_names(out, "mask", t->masks, t->nmasks, &sep);
	for (i = 0; i < t->nrenames; i++) {
		buf_printf(out, "%srename prefix '%s' to '%s'", sep, t->renames[i].from,
			   t->renames[i].to);
		sep = ", ";
	}
}

static void add_names(cJSON *obj, const char *key, char *const *v, int n)
{
	cJSON *a;
	int i;

	if (!n)
		return;
	a = cJSON_AddArrayToObject(obj, key);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

void transform_to_json(const struct transform *t, cJSON *obj)
{
	int i;

	if (t->nsets) {
		cJSON *s = cJSON_AddObjectToObject(obj, "set");

		for (i = 0; i < t->nsets; i++) {
			cJSON *v = cJSON_Parse(t->sets[i].value);

			cJSON_AddItemToObject(s, t->sets[i].name,
					      v ? v : cJSON_CreateString(t->sets[i].value));
		}
	}
	add_names(obj, "remove", t->removes, t->nremoves);
	add_names(obj, "mask", t->masks, t->nmasks);
	if (t->nrenames) {
		cJSON *a = cJSON_AddArrayToObject(obj, "rename_prefix");

		for (i = 0; i < t->nrenames; i++) {
			cJSON *r = cJSON_CreateObject();

			cJSON_AddStringToObject(r, "from", t->renames[i].from);
			cJSON_AddStringToObject(r, "to", t->renames[i].to);
			cJSON_AddItemToArray(a, r);
		}
	}
}

/* ---- applying ---- */

int transformer_init(struct transformer *x, const struct transform *t,
		     const struct mask_key *key, struct errbuf *eb)
{
	memset(x, 0, sizeof(*x));
	if (!t->bound)
		return errf(eb, EXIT_FAILURE_RUNTIME, "the transforms were not checked against a table");
	x->t = t;
	if (t->nmasks) {
		if (!key || !key->secret || masker_init(&x->m, key) < 0)
			return errf(eb, EXIT_USAGE,
				    "--mask needs a secret key: pass --mask-key-file FILE or set DYNAMO_MASK_KEY");
		x->masking = 1;
	}
	x->set_seen = xcalloc((size_t)(t->nsets ? t->nsets : 1), 1);
	buf_init(&x->name, 0);
	buf_init(&x->tmp, 0);
	buf_init(&x->joined, 0);
	return 0;
}

void transformer_release(struct transformer *x)
{
	if (x->masking)
		masker_release(&x->m);
	free(x->set_seen);
	buf_release(&x->name);
	buf_release(&x->tmp);
	buf_release(&x->joined);
	memset(x, 0, sizeof(*x));
}

static int failed(struct transformer *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int failed(struct transformer *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* What happens to a top-level attribute. */
enum action { KEEP, SET, REMOVE, MASK };

static enum action action_of(const struct transformer *x, struct slice key,
			     int *set_index)
{
	const struct transform *t = x->t;
	int i;

	for (i = 0; i < t->nsets; i++)
		if (js_key_is(key, t->sets[i].name)) {
			*set_index = i;
			return SET;
		}
	for (i = 0; i < t->nremoves; i++)
		if (js_key_is(key, t->removes[i]))
			return REMOVE;
	for (i = 0; i < t->nmasks; i++)
		if (js_key_is(key, t->masks[i]))
			return MASK;
	return KEEP;
}

static const struct transform_key *key_of(const struct transformer *x,
					  struct slice name)
{
	int i;

	for (i = 0; i < x->t->nkeys; i++)
		if (js_key_is(name, x->t->keys[i].name))
			return &x->t->keys[i];
	return NULL;
}

/*
 * A string value (JSON literal) renamed when a rename applies: the new
 * literal appended to out and 1; else 0 and nothing appended. *len gets the
 * new string's length in bytes.
 */
static int rename_literal(struct transformer *x, struct slice lit,
			  struct buf *out, size_t *len)
{
	const struct transform_rename *r;
	const char *s;
	size_t n;

	if (lit.n < 2 || lit.p[0] != '"')
		return -1;
	if (!memchr(lit.p, '\\', lit.n)) {
		s = lit.p + 1;	/* no escape: the JSON's bytes are the string's */
		n = lit.n - 2;
	} else {
		buf_reset(&x->tmp);
		if (js_unescape(lit, &x->tmp) < 0)
			return -1;
		s = x->tmp.data ? x->tmp.data : "";
		n = x->tmp.len;
	}
	if (!(r = rename_for(x->t, s, n)))
		return 0;
	*len = r->to_len + n - r->from_len;
	buf_reset(&x->joined);
	buf_append(&x->joined, r->to, r->to_len);
	buf_append(&x->joined, s + r->from_len, n - r->from_len);
	buf_json_str(out, x->joined.data, x->joined.len);
	return 1;
}

static int rename_value(struct transformer *x, struct slice av, struct buf *out,
			int depth);

/* A string set, element by element; refused when two elements become one. */
static int rename_set(struct transformer *x, struct slice arr, struct buf *out)
{
	struct strset seen;
	struct buf el = BUF_INIT;
	struct js_iter it;
	struct slice e;
	int r, changed = 0, first = 1;

	if (js_begin(&it, arr, '[') < 0)
		return -1;
	strset_init(&seen);
	buf_putc(out, '[');
	while ((r = js_next_element(&it, &e)) == 1) {
		size_t len, at;
		int c;

		if (!first)
			buf_putc(out, ',');
		first = 0;
		at = out->len;
		if ((c = rename_literal(x, e, out, &len)) < 0) {
			r = -1;		/* not a string: no set DynamoDB sends */
			break;
		}
		if (!c)
			buf_append(out, e.p, e.n);
		changed |= c;
		buf_reset(&el);
		if (js_unescape((struct slice){ out->data + at, out->len - at }, &el) < 0 ||
		    !strset_add(&seen, el.data ? el.data : "", el.len)) {
			r = changed ? -2 : -1;
			break;
		}
	}
	strset_release(&seen);
	buf_release(&el);
	if (r == -2)
		return failed(x, "a string set would hold one value twice after --rename-prefix");
	if (r < 0)
		return -1;
	buf_putc(out, ']');
	return changed;
}

struct rename_walk {
	struct transformer *x;
	int depth;
};

static int rename_element(void *ctx, struct slice e, struct buf *out)
{
	struct rename_walk *w = ctx;

	return rename_value(w->x, e, out, w->depth + 1);
}

static int rename_container(struct transformer *x, struct slice v, int is_map,
			    struct buf *out, int depth)
{
	struct rename_walk w = { x, depth };

	if (depth >= JS_MAX_DEPTH)
		return -1;
	return av_map_elements(v, is_map ? '{' : '[', rename_element, &w, out);
}

/* An attribute value with every string in it renamed; 1 when anything was. */
static int rename_value(struct transformer *x, struct slice av, struct buf *out,
			int depth)
{
	struct slice v;
	char t[8];
	size_t len;
	int r;

	if (av_split(av, t, &v) < 0)
		return -1;
	buf_append(out, av.p, (size_t)(v.p - av.p));	/* {"TYPE": as it stands */
	if (!strcmp(t, "S"))
		r = rename_literal(x, v, out, &len);
	else if (!strcmp(t, "SS"))
		r = rename_set(x, v, out);
	else if (!strcmp(t, "L") || !strcmp(t, "M"))
		r = rename_container(x, v, t[0] == 'M', out, depth);
	else
		r = 0;
	if (r == 0 && strcmp(t, "L") && strcmp(t, "M") && strcmp(t, "SS"))
		buf_append(out, v.p, v.n);
	if (r >= 0)
		buf_putc(out, '}');
	return r;
}

/* A top-level attribute renamed, with the checks keys need. */
/*
 * Whether a rename may apply somewhere in a value: an OLD appears in its
 * bytes, or an escape could hide one. Most values of most items are passed
 * over this way, as they are.
 */
static int may_rename(const struct transform *t, struct slice av)
{
	int i;

	if (memchr(av.p, '\\', av.n))
		return 1;
	for (i = 0; i < t->nrenames; i++)
		if (memmem(av.p, av.n, t->renames[i].from, t->renames[i].from_len))
			return 1;
	return 0;
}

static int rename_attribute(struct transformer *x, struct slice name,
			    struct slice av, struct buf *out)
{
	const struct transform_key *k;
	struct slice v;
	size_t len = 0, at = out->len;
	char t[8];
	int r;

	if (!x->t->nrenames || !may_rename(x->t, av)) {
		buf_append(out, av.p, av.n);
		return 0;
	}
	if (!(k = key_of(x, name)) || k->type != 'S' || av_split(av, t, &v) < 0 ||
	    strcmp(t, "S"))
		return rename_value(x, av, out, 0);
	buf_puts(out, "{\"S\":");
	if ((r = rename_literal(x, v, out, &len)) < 0)
		return -1;
	if (r == 0) {
		out->len = at;
		out->data[at] = '\0';
		buf_append(out, av.p, av.n);
		return 0;
	}
	buf_putc(out, '}');
	if (!len)
		return failed(x, "--rename-prefix leaves key attribute '%s' empty, which DynamoDB refuses",
			      k->name);
	if (len > k->max_bytes)
		return failed(x, "--rename-prefix makes key attribute '%s' %zu bytes long, over DynamoDB's %zu",
			      k->name, len, k->max_bytes);
	return 1;
}

static void member_start(struct buf *out, int *first, struct slice name)
{
	if (!*first)
		buf_putc(out, ',');
	*first = 0;
	buf_putc(out, '"');
	buf_append(out, name.p, name.n);
	buf_puts(out, "\":");
}

static int apply_one(struct transformer *x, struct slice k, struct slice v,
		     struct buf *out, int *first)
{
	int set_index = -1, r;
	const struct transform_set *s;

	switch (action_of(x, k, &set_index)) {
	case REMOVE:
		return 1;
	case SET:
		s = &x->t->sets[set_index];
		x->set_seen[set_index] = 1;
		member_start(out, first, k);
		buf_puts(out, s->value);
		return v.n != strlen(s->value) || memcmp(v.p, s->value, v.n);
	case MASK:
		member_start(out, first, k);
		if ((r = mask_av(&x->m, v, out)) < 0)
			return failed(x, "attribute '%.*s' is not an attribute value dynamo can mask",
				      (int)(k.n < 200 ? k.n : 200), k.p);
		return r;
	case KEEP:
		break;
	}
	member_start(out, first, k);
	if ((r = rename_attribute(x, k, v, out)) < 0 && !x->why[0])
		failed(x, "attribute '%.*s' is not an attribute value",
		       (int)(k.n < 200 ? k.n : 200), k.p);
	return r;
}

/*
 * Whether a transform may touch an item, judged from its bytes: a --set
 * always does; --remove and --mask when the quoted name appears, renames
 * when OLD does. An escape anywhere could hide either: then it may.
 */
static int may_touch(const struct transform *t, struct slice item)
{
	int i;

	if (t->nsets || memchr(item.p, '\\', item.n))
		return 1;
	for (i = 0; i < t->nquoted; i++)
		if (memmem(item.p, item.n, t->quoted[i], strlen(t->quoted[i])))
			return 1;
	return t->nrenames && may_rename(t, item);
}

int transformer_apply(struct transformer *x, struct slice item, struct buf *out)
{
	const struct transform *t = x->t;
	size_t start = out->len;
	struct js_iter it;
	struct slice k, v;
	int r, changed = 0, first = 1, i;

	x->why[0] = '\0';
	if (!may_touch(t, item))
		return 0;
	if (js_begin(&it, item, '{') < 0) {
		failed(x, "the item is not a JSON object");
		goto fail;
	}
	memset(x->set_seen, 0, (size_t)(t->nsets ? t->nsets : 1));
	buf_putc(out, '{');
	while ((r = js_next_member(&it, &k, &v)) == 1) {
		int c = apply_one(x, k, v, out, &first);

		if (c < 0)
			goto fail;
		changed |= c;
	}
	if (r < 0) {
		failed(x, "the item is not valid JSON");
		goto fail;
	}
	for (i = 0; i < t->nsets; i++) {
		if (x->set_seen[i])
			continue;
		buf_reset(&x->name);
		buf_json_str(&x->name, t->sets[i].name, strlen(t->sets[i].name));
		member_start(out, &first, (struct slice){ x->name.data + 1, x->name.len - 2 });
		buf_puts(out, t->sets[i].value);
		changed = 1;
	}
	buf_putc(out, '}');
	if (changed)
		return 1;
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return 0;
fail:
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return -1;
}
