#include "dynamo/ini.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INI_MAX_BYTES (4u << 20)

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

static void kv_release(struct ini_kv *kv)
{
	size_t i;

	for (i = 0; i < kv->nsub; i++)
		kv_release(&kv->sub[i]);
	free(kv->sub);
	free(kv->key);
	free_secret(kv->value);
}

void ini_release(struct ini_file *f)
{
	size_t i, j;

	for (i = 0; i < f->nsec; i++) {
		for (j = 0; j < f->sec[i].nkv; j++)
			kv_release(&f->sec[i].kv[j]);
		free(f->sec[i].kv);
		free(f->sec[i].name);
		if (f->sec[i].keys)
			strset_release(f->sec[i].keys);
		free(f->sec[i].keys);
	}
	strset_release(&f->names);
	free(f->sec);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

/* Splits "k = v" or "k: v" on the first delimiter; -1 without one. */
static int split_kv(const char *p, const char *end, const char **k_end,
		    const char **v)
{
	const char *d;

	for (d = p; d < end && *d != '=' && *d != ':'; d++)
		;
	if (d == end || d == p)
		return -1;
	*k_end = trim_end(p, d);
	if (*k_end == p)
		return -1;
	*v = skip_blank(d + 1, end);
	return 0;
}

/* Room for one more element of size sz in *arr (n used of *cap), doubling. */
static void reserve_one(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 4;
	*arr = xrealloc(*arr, *cap * sz);
}

static struct ini_kv *add_kv(struct ini_kv **arr, size_t *n, size_t *cap)
{
	reserve_one((void **)arr, *n, cap, sizeof(**arr));
	memset(&(*arr)[*n], 0, sizeof(**arr));
	return &(*arr)[(*n)++];
}

/* A section with more keys than this gets a hash index of them. */
#define KEYS_INDEXED 16

/* Indexes kv[i] of s by its (lower-case) key, once s has many keys. */
static void index_key(struct ini_section *s, size_t i)
{
	size_t k;

	if (s->nkv < KEYS_INDEXED)
		return;
	if (!s->keys) {
		s->keys = xcalloc(1, sizeof(*s->keys));
		strset_init(s->keys);
		for (k = 0; k < s->nkv; k++)
			strset_put(s->keys, s->kv[k].key, strlen(s->kv[k].key), k, NULL);
		return;
	}
	strset_put(s->keys, s->kv[i].key, strlen(s->kv[i].key), i, NULL);
}

/* A value that starts with a newline is a nested block of "k = v" lines. */
static void parse_nested(struct ini_kv *kv)
{
	const char *p = kv->value, *end = p + strlen(p);
	size_t subcap = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *k_end, *v, *line_end;
		struct ini_kv *sub;

		if (!eol)
			eol = end;
		p = skip_blank(p, eol);
		line_end = trim_end(p, eol);
		if (p < line_end && split_kv(p, line_end, &k_end, &v) == 0 &&
		    memchr(p, '=', (size_t)(line_end - p))) {
			sub = add_kv(&kv->sub, &kv->nsub, &subcap);
			sub->key = lower_dup(p, (size_t)(k_end - p));
			sub->value = xstrndup(v, (size_t)(line_end - v));
			sub->line = kv->line;
		}
		p = eol + 1;
	}
}

static int section_header(struct ini_file *f, const char *p, const char *end,
			  int lineno, const char *display, struct errbuf *eb)
{
	const char *close = memchr(p, ']', (size_t)(end - p));
	const char *ns, *ne;
	struct ini_section *s;
	size_t first;

	if (!close || trim_end(close + 1, end) != close + 1)
		return errf(eb, EXIT_CONFIG,
			    "%s line %d: a section header must look like '[name]' (fix or remove the line)",
			    display, lineno);
	ns = skip_blank(p + 1, close);
	ne = trim_end(ns, close);
	if (!strset_put(&f->names, ns, (size_t)(ne - ns), f->nsec, &first))
		return errf(eb, EXIT_CONFIG,
			    "%s line %d: section [%s] appears twice (first on line %d); merge them",
			    display, lineno, f->sec[first].name,
			    f->sec[first].line);
	reserve_one((void **)&f->sec, f->nsec, &f->seccap, sizeof(*f->sec));
	s = &f->sec[f->nsec++];
	memset(s, 0, sizeof(*s));
	s->name = xstrndup(ns, (size_t)(ne - ns));
	s->line = lineno;
	return 0;
}

/*
 * Appends an indented line to a value, in amortised constant time (copying
 * the whole value per line made a file of continuation lines quadratic:
 * 400 KB took 7 s). The old allocation is wiped before it is freed.
 */
static void append_continuation(struct ini_kv *kv, const char *p, size_t n)
{
	size_t need;

	if (!kv->vcap)
		kv->vlen = strlen(kv->value), kv->vcap = kv->vlen + 1;
	need = kv->vlen + n + 2;
	if (need > kv->vcap) {
		size_t cap = kv->vcap * 2 > need ? kv->vcap * 2 : need;
		char *v = xmalloc(cap);

		memcpy(v, kv->value, kv->vlen + 1);
		free_secret(kv->value);
		kv->value = v;
		kv->vcap = cap;
	}
	kv->value[kv->vlen] = '\n';
	memcpy(kv->value + kv->vlen + 1, p, n);
	kv->vlen += n + 1;
	kv->value[kv->vlen] = '\0';
}

static const struct ini_kv *ini_get_kv_n(const struct ini_section *s,
					 const char *key, size_t n)
{
	char *lower;
	size_t i;
	int found;

	if (s->keys) {
		lower = lower_dup(key, n);
		found = strset_get(s->keys, lower, n, &i);
		free(lower);
		return found ? &s->kv[i] : NULL;
	}
	for (i = 0; i < s->nkv; i++)
		if (strlen(s->kv[i].key) == n &&
		    !strncasecmp(s->kv[i].key, key, n))
			return &s->kv[i];
	return NULL;
}

/* The value being read, which indented lines may continue. */
struct cont {
	struct ini_kv *kv;	/* or NULL */
	size_t indent;		/* of the key's line */
};

/*
 * One line, as configparser reads it: a line indented more than the current
 * key's line continues its value; blank lines and full-line comments do not
 * end a value (empty_lines_in_values); anything else is a section header or
 * a new "key = value" / "key: value".
 */
static int parse_line(struct ini_file *f, struct cont *cur, const char *p,
		      const char *end, int lineno, const char *display,
		      struct errbuf *eb)
{
	const char *s = skip_blank(p, end), *e = trim_end(s, end);
	size_t indent = (size_t)(s - p);
	const char *k_end, *v;
	struct ini_section *sec;
	struct ini_kv *kv;

	if (s == e || *s == '#' || *s == ';')
		return 0;
	if (cur->kv && indent > cur->indent) {
		append_continuation(cur->kv, s, (size_t)(e - s));
		return 0;
	}
	cur->kv = NULL;
	if (*s == '[')
		return section_header(f, s, e, lineno, display, eb);
	if (!f->nsec)
		return errf(eb, EXIT_CONFIG,
			    "%s line %d: a setting comes before any [section] header (add one above it)",
			    display, lineno);
	if (split_kv(s, e, &k_end, &v) < 0)
		return errf(eb, EXIT_CONFIG,
			    "%s line %d: expected 'key = value', a '[section]' or a comment",
			    display, lineno);
	sec = &f->sec[f->nsec - 1];
	kv = (struct ini_kv *)ini_get_kv_n(sec, s, (size_t)(k_end - s));
	if (kv)
		return errf(eb, EXIT_CONFIG,
			    "%s line %d: '%s' is set twice in [%s] (first on line %d); keep one",
			    display, lineno, kv->key, sec->name, kv->line);
	kv = add_kv(&sec->kv, &sec->nkv, &sec->kvcap);
	kv->key = lower_dup(s, (size_t)(k_end - s));
	kv->value = xstrndup(v, (size_t)(e - v));
	kv->line = lineno;
	index_key(sec, sec->nkv - 1);
	cur->kv = kv;
	cur->indent = indent;
	return 0;
}

static void finish_nested(struct ini_file *f)
{
	size_t i, j;

	for (i = 0; i < f->nsec; i++)
		for (j = 0; j < f->sec[i].nkv; j++)
			if (f->sec[i].kv[j].value[0] == '\n')
				parse_nested(&f->sec[i].kv[j]);
}

int ini_parse(struct ini_file *f, const char *text, size_t len,
	      const char *display, struct errbuf *eb)
{
	const char *p = text, *end = text + len;
	struct cont cur = { NULL, 0 };
	int lineno = 0;

	memset(f, 0, sizeof(*f));
	f->path = xstrdup(display);
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		lineno++;
		if (memchr(p, '\0', (size_t)(eol - p))) {
			errf(eb, EXIT_CONFIG, "%s line %d: contains a NUL byte (is it a text file?)",
			     display, lineno);
			goto fail;
		}
		if (parse_line(f, &cur, p, eol, lineno, display, eb) < 0)
			goto fail;
		p = eol + 1;
	}
	finish_nested(f);
	return 0;
fail:
	ini_release(f);
	return -1;
}

int ini_load(struct ini_file *f, const char *path, const char *display,
	     struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r;

	memset(f, 0, sizeof(*f));
	if (buf_read_file(&text, path, INI_MAX_BYTES) < 0) {
		if (errno == ENOENT) {
			f->path = xstrdup(display);
			f->missing = 1;
			return 0;
		}
		if (errno == EFBIG)
			return errf(eb, EXIT_CONFIG,
				    "%s is larger than 4 MB; is it the right file?",
				    display);
		return errf(eb, EXIT_CONFIG, "cannot read %s: %s", display,
			    strerror(errno));
	}
	r = ini_parse(f, text.data ? text.data : "", text.len, display, eb);
	buf_wipe_release(&text);
	return r;
}

const struct ini_section *ini_section(const struct ini_file *f, const char *name)
{
	size_t i;

	return strset_get(&f->names, name, strlen(name), &i) ? &f->sec[i] : NULL;
}

const struct ini_kv *ini_get_kv(const struct ini_section *s, const char *key)
{
	return s ? ini_get_kv_n(s, key, strlen(key)) : NULL;
}

const char *ini_get(const struct ini_section *s, const char *key)
{
	const struct ini_kv *kv = ini_get_kv(s, key);

	return kv ? kv->value : NULL;
}

const char *ini_get_sub(const struct ini_section *s, const char *key,
			const char *sub)
{
	const struct ini_kv *kv = ini_get_kv(s, key);
	size_t i;

	if (!kv)
		return NULL;
	for (i = 0; i < kv->nsub; i++)
		if (!strcasecmp(kv->sub[i].key, sub))
			return kv->sub[i].value;
	return NULL;
}
