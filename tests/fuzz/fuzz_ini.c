/*
 * The shared config and credentials file parser (src/aws/ini.c).
 *
 * Checks: a rejected file leaves nothing behind (no leak, an empty
 * ini_file) and says why on one line; an accepted one has unique section
 * names, non-empty lower-case keys unique within their section, values
 * trimmed as configparser trims them, and lookups (ini_section, ini_get,
 * ini_get_sub) that find what the parser stored. Then the parsed file is
 * written out again in a canonical form, which must parse to the same
 * sections, keys, values and nested values.
 */
#include "fuzz.h"

#include <ctype.h>
#include <strings.h>

#include "dynamo/buf.h"
#include "dynamo/ini.h"

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

static void check_kv(const struct ini_section *s, const struct ini_kv *kv)
{
	size_t i, n = strlen(kv->key), vn = strlen(kv->value);

	FUZZ_CHECK(n > 0);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(!isupper((unsigned char)kv->key[i]));
		FUZZ_CHECK(kv->key[i] != '=' && kv->key[i] != ':' &&
			   kv->key[i] != '\n');
	}
	FUZZ_CHECK(!blank(kv->key[0]) && !isspace((unsigned char)kv->key[n - 1]));
	FUZZ_CHECK(!vn || (!blank(kv->value[0]) &&
			   !isspace((unsigned char)kv->value[vn - 1])));
	FUZZ_CHECK(ini_get_kv(s, kv->key) == kv);
	FUZZ_CHECK(ini_get(s, kv->key) == kv->value);
	FUZZ_CHECK(!kv->nsub || kv->value[0] == '\n');
	for (i = 0; i < kv->nsub; i++) {
		const struct ini_kv *sub = &kv->sub[i];
		const char *got = ini_get_sub(s, kv->key, sub->key);
		size_t j;

		FUZZ_CHECK(sub->key[0] && !sub->nsub);
		for (j = 0; sub->key[j]; j++)
			FUZZ_CHECK(!isupper((unsigned char)sub->key[j]));
		/* The first sub-key of that name wins. */
		for (j = 0; j < i; j++)
			if (!strcasecmp(kv->sub[j].key, sub->key))
				break;
		FUZZ_CHECK(got == kv->sub[j].value);
	}
}

static void check_file(const struct ini_file *f)
{
	size_t i, j, k;

	for (i = 0; i < f->nsec; i++) {
		const struct ini_section *s = &f->sec[i];

		FUZZ_CHECK(!strchr(s->name, '\n') && !strchr(s->name, ']'));
		FUZZ_CHECK(ini_section(f, s->name) == s);
		for (j = 0; j < s->nkv; j++) {
			check_kv(s, &s->kv[j]);
			for (k = 0; k < j; k++)
				FUZZ_CHECK(strcasecmp(s->kv[k].key, s->kv[j].key));
		}
	}
}

/* Writes f back: "[name]", "key = value", continuation lines indented. */
static void write_file(const struct ini_file *f, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < f->nsec; i++) {
		buf_printf(out, "[%s]\n", f->sec[i].name);
		for (j = 0; j < f->sec[i].nkv; j++) {
			const char *v = f->sec[i].kv[j].value;

			buf_printf(out, "%s = ", f->sec[i].kv[j].key);
			for (; *v; v++)
				if (*v == '\n')
					buf_puts(out, "\n\t");
				else
					buf_putc(out, *v);
			buf_putc(out, '\n');
		}
	}
}

static void same_kv(const struct ini_kv *a, const struct ini_kv *b)
{
	size_t i;

	FUZZ_CHECK(!strcmp(a->key, b->key));
	FUZZ_CHECK(!strcmp(a->value, b->value));
	FUZZ_CHECK(a->nsub == b->nsub);
	for (i = 0; i < a->nsub; i++)
		same_kv(&a->sub[i], &b->sub[i]);
}

static void check_round_trip(const struct ini_file *f)
{
	struct buf text = BUF_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct ini_file g;
	size_t i, j;

	write_file(f, &text);
	if (ini_parse(&g, text.data ? text.data : "", text.len, "rewritten",
		      &eb) < 0) {
		fprintf(stderr, "rewritten file refused: %s\n---\n%s---\n",
			eb.msg, text.data);
		abort();
	}
	FUZZ_CHECK(g.nsec == f->nsec);
	for (i = 0; i < f->nsec; i++) {
		FUZZ_CHECK(!strcmp(f->sec[i].name, g.sec[i].name));
		FUZZ_CHECK(f->sec[i].nkv == g.sec[i].nkv);
		for (j = 0; j < f->sec[i].nkv; j++)
			same_kv(&f->sec[i].kv[j], &g.sec[i].kv[j]);
	}
	ini_release(&g);
	buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_dup(data, size);
	struct errbuf eb = ERRBUF_INIT;
	struct ini_file f;

	if (ini_parse(&f, text, size, "~/.aws/config", &eb) < 0) {
		FUZZ_CHECK(eb.set && eb.msg[0]);
		FUZZ_CHECK(!strncmp(eb.msg, "~/.aws/config line ", 19));
		FUZZ_CHECK(!f.nsec && !f.sec && !f.path);
		free(text);
		return 0;
	}
	FUZZ_CHECK(!eb.set && !strcmp(f.path, "~/.aws/config"));
	check_file(&f);
	check_round_trip(&f);
	ini_release(&f);
	free(text);
	return 0;
}
