/*
 * Transforms and masks (src/ddb/transform.c, mask.c): the specs users type
 * and the items they are applied to. The first byte picks what the rest is:
 *
 *  0  specs, one per line ("s" --set, "r" --remove, "m" --mask, "p"
 *     --rename-prefix, then the value), then from the first line that
 *     starts with '{' an item. Checks: refusals are one line; apply gives
 *     -1 (with a reason, out as it was), 0 (out as it was) or 1 (valid
 *     JSON), the same bytes twice; with masks only, a valid item keeps
 *     every attribute's name, order and type.
 *  1  a number: when DynamoDB stores it, so does its mask, of the same
 *     sign, exponent and digit count, the same length.
 *  2  a string: the mask has the same length, ASCII letters and digits
 *     stay in their class, everything else ASCII stays, valid UTF-8 stays
 *     valid; the same twice.
 *  3  an attribute value: when av_check takes it, it takes its mask too, of
 *     the same type.
 */
#include "fuzz.h"

#include <cJSON.h>

#include "dynamo/avcheck.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/transform.h"

static const char TABLE[] =
	"{\"TableName\":\"app\",\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
	"{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":["
	"{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
	"{\"AttributeName\":\"G\",\"AttributeType\":\"S\"},{\"AttributeName\":\"n\",\"AttributeType\":\"N\"}],"
	"\"GlobalSecondaryIndexes\":[{\"IndexName\":\"GSI1\",\"KeySchema\":["
	"{\"AttributeName\":\"G\",\"KeyType\":\"HASH\"}]}],"
	"\"LocalSecondaryIndexes\":[{\"IndexName\":\"ByN\",\"KeySchema\":["
	"{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"n\",\"KeyType\":\"RANGE\"}]}]}";

static char secret[] = "fuzz-mask-key-0123456789abcdef";
static struct mask_key KEY = { secret, sizeof(secret) - 1 };
static struct masker M;
static struct table_desc TD;

static void setup(void)
{
	static int done;
	struct errbuf eb = ERRBUF_INIT;

	if (done)
		return;
	done = 1;
	masker_init(&M, &KEY);
	FUZZ_CHECK(table_from_json(&TD, cJSON_Parse(TABLE), &eb) == 0);
}

static void check_error(const struct errbuf *eb)
{
	FUZZ_CHECK(eb->set && eb->msg[0]);
	FUZZ_CHECK(!strchr(eb->msg, '\n'));
}

static int add_spec(struct transform *t, const char *line, int *only_masks,
		    struct errbuf *eb)
{
	switch (line[0]) {
	case 's': *only_masks = 0; return transform_add_set(t, line + 1, eb);
	case 'r': *only_masks = 0; return transform_add_remove(t, line + 1, eb);
	case 'm': return transform_add_mask(t, line + 1, eb);
	case 'p': *only_masks = 0; return transform_add_rename_prefix(t, line + 1, eb);
	}
	return 0;
}

/* Names and types of the top-level attributes, in order. */
static void shape_of(struct slice item, struct buf *out)
{
	struct js_iter it;
	struct slice k, v;
	char t[8];

	if (js_begin(&it, item, '{') < 0)
		return;
	while (js_next_member(&it, &k, &v) == 1) {
		buf_append(out, k.p, k.n);
		buf_putc(out, '=');
		if (av_split(v, t, &v) == 0)
			buf_puts(out, t);
		buf_putc(out, ';');
	}
}

static void transform(char *text)
{
	struct transform t;
	struct errbuf eb = ERRBUF_INIT;
	char *item = text, *line = text;
	int only_masks = 1, ok = 1;

	transform_init(&t);
	while (*line && *line != '{') {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (ok && add_spec(&t, line, &only_masks, &eb) < 0) {
			check_error(&eb);
			ok = 0;
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	item = line;
	if (ok && transform_bind(&t, &TD, &eb) < 0) {
		check_error(&eb);
		ok = 0;
	}
	if (ok) {
		struct transformer x;
		struct buf out = BUF_INIT, again = BUF_INIT;
		struct slice in = { item, strlen(item) };
		int r, r2;

		FUZZ_CHECK(transformer_init(&x, &t, &KEY, &eb) == 0);
		buf_puts(&out, "<");
		r = transformer_apply(&x, in, &out);
		FUZZ_CHECK(r >= -1 && r <= 1);
		if (r <= 0)
			FUZZ_CHECK(out.len == 1);
		if (r < 0)
			FUZZ_CHECK(x.why[0] && !strchr(x.why, '\n'));
		if (r == 1) {
			struct slice o = { out.data + 1, out.len - 1 };

			FUZZ_CHECK(js_valid(o) || !js_valid(in));
			r2 = transformer_apply(&x, in, &again);
			FUZZ_CHECK(r2 == 1 && again.len == o.n && !memcmp(again.data, o.p, o.n));
			if (only_masks && js_valid(in)) {
				struct buf a = BUF_INIT, b = BUF_INIT;

				shape_of(in, &a);
				shape_of(o, &b);
				FUZZ_CHECK(a.len == b.len && (!a.len || !memcmp(a.data, b.data, a.len)));
				buf_release(&a);
				buf_release(&b);
			}
		}
		buf_release(&out);
		buf_release(&again);
		transformer_release(&x);
	}
	transform_release(&t);
}

static void number(const char *s)
{
	struct buf out = BUF_INIT;
	size_t n = strlen(s);
	struct decimal x, y;
	int r = mask_number(&M, s, n, &out);

	if (decimal_parse(s, n, &x) < 0) {
		FUZZ_CHECK(r == -1);
	} else {
		FUZZ_CHECK(r >= 0 && out.len == n);
		FUZZ_CHECK(decimal_parse(out.data, out.len, &y) == 0);
		FUZZ_CHECK(x.neg == y.neg && x.exp == y.exp &&
			   decimal_digits(&x) == decimal_digits(&y));
		FUZZ_CHECK(num_valid(s, n) == num_valid(out.data, out.len));
	}
	buf_release(&out);
}

/* Strict UTF-8 without surrogates (what DynamoDB strings are). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 :
			     c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
		size_t j;
		unsigned long cp;

		if (!len || i + len > n)
			return 0;
		cp = len == 1 ? c : c & (0x7f >> len);
		for (j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

static int ascii_class(unsigned char c)
{
	return c >= '0' && c <= '9' ? 1 : c >= 'a' && c <= 'z' ? 2 :
	       c >= 'A' && c <= 'Z' ? 3 : c < 0x80 ? 4 : 0;
}

static void string(const char *s, size_t n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t i;

	FUZZ_CHECK(mask_string(&M, s, n, &a) >= 0);
	FUZZ_CHECK(mask_string(&M, s, n, &b) >= 0);
	FUZZ_CHECK(a.len == n && b.len == n && (!n || !memcmp(a.data, b.data, n)));
	for (i = 0; i < n; i++) {
		int c = ascii_class((unsigned char)s[i]);

		FUZZ_CHECK(ascii_class((unsigned char)a.data[i]) == c);
		if (c == 4)
			FUZZ_CHECK(a.data[i] == s[i]);
	}
	if (utf8_valid((const unsigned char *)s, n))
		FUZZ_CHECK(utf8_valid((const unsigned char *)a.data, n));
	buf_release(&a);
	buf_release(&b);
}

static void value(const char *s, size_t n)
{
	struct buf out = BUF_INIT;
	char why[300], t1[8], t2[8];
	struct slice v;
	int valid = av_check((struct slice){ s, n }, why, sizeof(why)) == 0;
	int r = mask_av(&M, (struct slice){ s, n }, &out);

	if (r < 0)
		FUZZ_CHECK(out.len == 0);
	if (valid && s[0] == '{') {
		FUZZ_CHECK(r >= 0);
		if (av_check((struct slice){ out.data, out.len }, why, sizeof(why)) < 0) {
			fprintf(stderr, "mask of a valid value is not: %s\n", why);
			abort();
		}
		FUZZ_CHECK(av_split((struct slice){ s, n }, t1, &v) == 0);
		FUZZ_CHECK(av_split((struct slice){ out.data, out.len }, t2, &v) == 0);
		FUZZ_CHECK(!strcmp(t1, t2));
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t n;

	if (size < 1)
		return 0;
	setup();
	n = size - 1;
	text = malloc(n + 1);
	if (!text)
		abort();
	memcpy(text, data + 1, n);
	text[n] = '\0';
	switch (data[0] % 4) {
	case 0:
		if (strlen(text) == n)
			transform(text);
		break;
	case 1:
		number(text);
		break;
	case 2:
		string(text, n);
		break;
	case 3:
		value(text, n);
		break;
	}
	free(text);
	return 0;
}
