/*
 * Selections (src/ddb/selection.c, expr.c, avcheck.c) and table ARNs
 * (src/ddb/arn.c): what users type after --names, --values, --filter, the
 * sort-key flags and -t. The first byte picks what the rest is:
 *
 *  0  --names text. Accepted: a JSON object of valid, unreserved '#'
 *     placeholders. Refused: one line that names --names.
 *  1  --values text. Accepted: every value passes av_check again.
 *  2  --filter, --names, --values, one per line. Accepted (bound): the Scan
 *     request built is valid JSON, and every placeholder of its
 *     FilterExpression is defined in its names or values, as cJSON reads
 *     them (dynamo's and the user's merged, none twice).
 *  3  sort keys: a line "PS" (partition and sort key types, S N or B), the
 *     value a, the value b, a partition value, an item. With every
 *     condition bound on a: the Query requests are valid JSON, and the
 *     item test is consistent: exactly one of <, =, > holds, <= is < or =,
 *     >= is > or =, between(a, b) is >= a and <= b.
 *  4  a table ARN. Accepted: writing the fields back gives the input.
 */
#include "fuzz.h"

#include <cJSON.h>

#include "dynamo/arn.h"
#include "dynamo/avcheck.h"
#include "dynamo/expr.h"
#include "dynamo/json_scan.h"
#include "dynamo/selection.h"

static void check_error(const struct errbuf *eb, const char *must)
{
	FUZZ_CHECK(eb->set && eb->msg[0]);
	FUZZ_CHECK(!strchr(eb->msg, '\n'));
	if (must)
		FUZZ_CHECK(strstr(eb->msg, must) != NULL);
}

/* Splits text at '\n' into up to n NUL-terminated lines (text is modified). */
static int lines(char *text, char **out, int n)
{
	int k = 0;

	while (k < n) {
		char *nl = strchr(text, '\n');

		out[k++] = text;
		if (!nl)
			break;
		*nl = '\0';
		text = nl + 1;
	}
	return k;
}

static void placeholders(const char *arg, int values)
{
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	struct js_iter it;
	struct slice k, v;
	int r;

	if (arg[0] == '@')	/* a file: not the fuzzer's business */
		return;
	selection_init(&s);
	r = values ? selection_load_values(&s, arg, &eb) :
	    selection_load_names(&s, arg, &eb);
	if (r < 0) {
		check_error(&eb, values ? "--values" : "--names");
	} else {
		struct buf *b = values ? &s.values : &s.names;

		FUZZ_CHECK(js_valid((struct slice){ b->data, b->len }));
		FUZZ_CHECK(js_begin(&it, (struct slice){ b->data, b->len }, '{') == 0);
		while (js_next_member(&it, &k, &v) == 1) {
			char why[300];

			if (!memchr(k.p, '\\', k.n)) {
				FUZZ_CHECK(expr_placeholder_valid(values ? ':' : '#', k.p, k.n));
				FUZZ_CHECK(!expr_placeholder_reserved(k.p, k.n));
			}
			if (values)
				FUZZ_CHECK(av_check(v, why, sizeof(why)) == 0);
		}
	}
	selection_release(&s);
}

struct defined {
	cJSON *names, *values;
	int missing;
};

static int is_defined(void *ctx, const char *p, size_t n)
{
	struct defined *d = ctx;
	char name[256];

	if (n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	if (!cJSON_GetObjectItemCaseSensitive(p[0] == '#' ? d->names : d->values, name))
		d->missing = 1;
	return 0;
}

/* Members of a cJSON object, each once. */
static void check_unique(const cJSON *o)
{
	const cJSON *a, *b;

	cJSON_ArrayForEach(a, o)
		for (b = a->next; b; b = b->next)
			FUZZ_CHECK(strcmp(a->string, b->string) != 0);
}

static void filter(char *text)
{
	static char pk[] = "PK", sk[] = "SK";
	struct key_attr h = { pk, 'S' }, r = { sk, 'S' };
	char *l[3] = { NULL, NULL, NULL };
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	int n = lines(text, l, 3);

	selection_init(&s);
	if (selection_set_pk_prefix(&s, "T#", &eb) < 0 ||
	    selection_set_filter(&s, l[0], &eb) < 0 ||
	    (n > 1 && l[1][0] && l[1][0] != '@' && selection_load_names(&s, l[1], &eb) < 0) ||
	    (n > 2 && l[2][0] && l[2][0] != '@' && selection_load_values(&s, l[2], &eb) < 0) ||
	    selection_bind(&s, &h, &r, "table 't'", &eb) < 0) {
		if (eb.set)
			check_error(&eb, NULL);
	} else {
		struct expr e;
		struct buf body = BUF_INIT;
		struct defined d;
		cJSON *j, *f;

		expr_init(&e);
		FUZZ_CHECK(selection_scan_expr(&s, &e) == 0);
		buf_putc(&body, '{');
		buf_puts(&body, "\"TableName\":\"t\"");
		expr_append(&e, &body);
		buf_putc(&body, '}');
		FUZZ_CHECK(js_valid((struct slice){ body.data, body.len }));
		j = cJSON_ParseWithLength(body.data, body.len);
		FUZZ_CHECK(j != NULL);
		f = cJSON_GetObjectItemCaseSensitive(j, "FilterExpression");
		FUZZ_CHECK(cJSON_IsString(f));
		d.names = cJSON_GetObjectItemCaseSensitive(j, "ExpressionAttributeNames");
		d.values = cJSON_GetObjectItemCaseSensitive(j, "ExpressionAttributeValues");
		d.missing = 0;
		check_unique(d.names);
		check_unique(d.values);
		expr_each_placeholder(f->valuestring, strlen(f->valuestring), is_defined, &d);
		FUZZ_CHECK(!d.missing);
		cJSON_Delete(j);
		buf_release(&body);
		expr_release(&e);
	}
	selection_release(&s);
}

/* The item test of one condition bound on (a, b); -1 when it does not bind. */
static int matches(enum sk_op op, const char *types, const char *a, const char *b,
		   const char *pk, struct slice item, int *queried)
{
	static char pkn[] = "PK", skn[] = "SK";
	struct key_attr h = { pkn, types[0] }, r = { skn, types[1] };
	struct selection s;
	struct errbuf eb = ERRBUF_INIT;
	int m = -1;

	selection_init(&s);
	if (selection_add_pk(&s, pk, &eb) == 0 &&
	    selection_set_sk(&s, op, a, op == SK_BETWEEN ? b : NULL, &eb) == 0 &&
	    selection_bind(&s, &h, &r, "table 't'", &eb) == 0) {
		m = selection_key_matches(&s, item);
		FUZZ_CHECK(m == 0 || m == 1);
		if (!*queried) {
			struct expr e;
			struct buf body = BUF_INIT;

			expr_init(&e);
			FUZZ_CHECK(selection_query_expr(&s, 0, &e) == 0);
			buf_putc(&body, '{');
			buf_puts(&body, "\"TableName\":\"t\"");
			expr_append(&e, &body);
			buf_putc(&body, '}');
			FUZZ_CHECK(js_valid((struct slice){ body.data, body.len }));
			buf_release(&body);
			expr_release(&e);
			*queried = 1;
		}
	} else if (eb.set) {
		check_error(&eb, NULL);
	}
	selection_release(&s);
	return m;
}

static void sort_keys(char *text)
{
	char *l[5] = { NULL, NULL, NULL, NULL, NULL };
	int lt, le, eq, gt, ge, bt, leb, queried = 0;
	struct slice item;
	char types[2];

	if (lines(text, l, 5) < 5 || strlen(l[0]) < 2 ||
	    !strchr("SNB", l[0][0]) || !strchr("SNB", l[0][1]) || !l[0][0] || !l[0][1])
		return;
	types[0] = l[0][0];
	types[1] = l[0][1];
	item = (struct slice){ l[4], strlen(l[4]) };
	lt = matches(SK_LT, types, l[1], NULL, l[3], item, &queried);
	le = matches(SK_LE, types, l[1], NULL, l[3], item, &queried);
	eq = matches(SK_EQ, types, l[1], NULL, l[3], item, &queried);
	gt = matches(SK_GT, types, l[1], NULL, l[3], item, &queried);
	ge = matches(SK_GE, types, l[1], NULL, l[3], item, &queried);
	matches(SK_PREFIX, types, l[1], NULL, l[3], item, &queried);
	if (lt < 0)
		return;	/* a or the partition value does not fit the keys */
	FUZZ_CHECK(le >= 0 && eq >= 0 && gt >= 0 && ge >= 0);
	if (lt || eq || gt) {
		/* The item is inside the partition with a sort key of the type. */
		FUZZ_CHECK(lt + eq + gt == 1);
		FUZZ_CHECK(le == (lt || eq));
		FUZZ_CHECK(ge == (gt || eq));
	} else {
		FUZZ_CHECK(!le && !ge);
	}
	leb = matches(SK_LE, types, l[2], NULL, l[3], item, &queried);
	bt = matches(SK_BETWEEN, types, l[1], l[2], l[3], item, &queried);
	if (leb >= 0 && bt >= 0)
		FUZZ_CHECK(bt == (ge && leb));
}

static void arn(const char *text)
{
	struct table_arn a;
	struct errbuf eb = ERRBUF_INIT;

	if (table_arn_parse("-t", text, &a, &eb) == 0) {
		char back[600];

		snprintf(back, sizeof(back), "arn:%s:dynamodb:%s:%s:table/%s", a.partition,
			 a.region, a.account, a.name);
		FUZZ_CHECK(!strcmp(back, text));
		FUZZ_CHECK(strlen(a.account) == 12);
	} else {
		check_error(&eb, "-t '");
		FUZZ_CHECK(a.name[0] == '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_dup(data + 1, size - 1);
	text = realloc(text, size);
	if (!text)
		abort();
	text[size - 1] = '\0';
	if (strlen(text) == size - 1) {	/* a NUL inside: no flag value holds one */
		switch (data[0] % 5) {
		case 0: placeholders(text, 0); break;
		case 1: placeholders(text, 1); break;
		case 2: filter(text); break;
		case 3: sort_keys(text); break;
		case 4: arn(text); break;
		}
	}
	free(text);
	return 0;
}
