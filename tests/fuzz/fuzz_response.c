/*
 * Response bodies from DynamoDB, STS, the SSO portal and credential
 * endpoints: everything the network can send the parsers that read it.
 * Each input is offered to all of them:
 *
 *  - aws_error_parse (src/aws/errors.c) as JSON, query (XML) and REST
 *    errors: type and message are bounded, one printable line, and a type
 *    is always set;
 *  - sts_parse_credentials and xml_text (src/aws/sts.c, src/util/xml.c):
 *    credentials come back whole or not at all; xml_text decodes exactly
 *    what a reference decoder of XML 1.0 references does (no NUL, no
 *    surrogate, nothing past U+10FFFF), and never makes text longer;
 *  - table_from_json (src/ddb/table.c) on a DescribeTable "Table" object:
 *    a table it accepts has a hash key with a type, indexes with names,
 *    projections and key schemas, and lookups that find them;
 *  - creds_from_json (src/aws/creds.c) as the SSO portal and as container or
 *    process credentials;
 *  - consumed_capacity / capacity_units (src/engine/job.c).
 */
#include "fuzz.h"

#include <cJSON.h>
#include <math.h>

#include "dynamo/buf.h"
#include "dynamo/creds.h"
#include "dynamo/ddb.h"
#include "dynamo/http.h"
#include "dynamo/job.h"
#include "dynamo/sts.h"
#include "dynamo/xml.h"

static void check_line(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	for (; *s; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void check_error(const char *body, size_t len)
{
	static const enum aws_proto protos[] = {
		PROTO_AWS_JSON, PROTO_AWS_QUERY, PROTO_REST_JSON
	};
	static const long statuses[] = { 400, 429, 503 };
	struct http_error err;
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			aws_error_parse(&err, protos[i], statuses[j], body, len);
			check_line(err.type, sizeof(err.type));
			check_line(err.message, sizeof(err.message));
			FUZZ_CHECK(err.type[0]);
			FUZZ_CHECK(err.status == statuses[j]);
			FUZZ_CHECK(!err.throttle || err.retryable);
			FUZZ_CHECK(statuses[j] != 429 || err.throttle);
			FUZZ_CHECK(statuses[j] != 503 || err.retryable);
		}
}

/* XML 1.0 text with the five entities and character references decoded. */
static int ref_xml_text(const char *p, size_t n, struct buf *out)
{
	static const char *const names[] = { "amp", "lt", "gt", "quot", "apos" };
	static const char chars[] = "&<>\"'";
	const char *end = p + n;

	while (p < end) {
		const char *semi;
		unsigned long cp = 0;
		size_t i, k;

		if (*p != '&') {
			buf_putc(out, *p++);
			continue;
		}
		if (!(semi = memchr(p, ';', (size_t)(end - p))))
			return -1;
		k = (size_t)(semi - p - 1);
		for (i = 0; i < 5; i++)
			if (k == strlen(names[i]) && !memcmp(p + 1, names[i], k))
				break;
		if (i < 5) {
			buf_putc(out, chars[i]);
			p = semi + 1;
			continue;
		}
		if (k < 2 || p[1] != '#' || (p[2] == 'x' && k < 3))
			return -1;
		for (i = p[2] == 'x' ? 2 : 1; i < k; i++) {
			char c = p[1 + i];
			int v = c >= '0' && c <= '9' ? c - '0' :
				p[2] == 'x' && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				p[2] == 'x' && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (v < 0)
				return -1;
			cp = cp * (p[2] == 'x' ? 16 : 10) + (unsigned long)v;
			if (cp > 0x10ffff)
				return -1;
		}
		if (!cp || (cp >= 0xd800 && cp < 0xe000))
			return -1;
		if (cp < 0x80) {
			buf_putc(out, (char)cp);
		} else if (cp < 0x800) {
			buf_putc(out, (char)(0xc0 | (cp >> 6)));
			buf_putc(out, (char)(0x80 | (cp & 0x3f)));
		} else if (cp < 0x10000) {
			buf_putc(out, (char)(0xe0 | (cp >> 12)));
			buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
			buf_putc(out, (char)(0x80 | (cp & 0x3f)));
		} else {
			buf_putc(out, (char)(0xf0 | (cp >> 18)));
			buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
			buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
			buf_putc(out, (char)(0x80 | (cp & 0x3f)));
		}
		p = semi + 1;
	}
	return 0;
}

static void check_sts(const char *body, size_t len)
{
	static const char *const tags[] = {
		"Code", "Message", "AccessKeyId", "Expiration"
	};
	struct credentials *c = NULL;
	struct errbuf eb = ERRBUF_INIT;
	size_t i;

	if (sts_parse_credentials(body, len, "profile 'fuzz'", &c, &eb) == 0) {
		FUZZ_CHECK(c && !eb.set);
		FUZZ_CHECK(c->access_key_id[0] && c->secret_access_key[0]);
		FUZZ_CHECK(!c->session_token || c->session_token[0]);
		creds_put(c);
	} else {
		FUZZ_CHECK(eb.set && eb.msg[0]);
	}
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct buf out = BUF_INIT, ref = BUF_INIT;
		const char *v;
		size_t n;

		if (xml_find(body, len, tags[i], &v, &n) == 0) {
			int r = xml_text(body, len, tags[i], &out);
			int rr = ref_xml_text(v, n, &ref);

			FUZZ_CHECK(fuzz_within(v, n, body, len));
			if (r != rr || (!r && (out.len != ref.len ||
					       memcmp(out.data ? out.data : "",
						      ref.data ? ref.data : "", ref.len)))) {
				fprintf(stderr, "xml_text(<%s>%.*s) = %d '%.*s', should be %d '%.*s'\n",
					tags[i], (int)n, v, r, (int)out.len,
					out.data ? out.data : "", rr, (int)ref.len,
					ref.data ? ref.data : "");
				abort();
			}
			FUZZ_CHECK(r || out.len <= n);
		}
		buf_release(&out);
		buf_release(&ref);
	}
}


static void check_table(cJSON *raw)
{
	struct errbuf eb = ERRBUF_INIT;
	struct table_desc t;
	int i;

	if (table_from_json(&t, raw, &eb) < 0) {
		FUZZ_CHECK(eb.set && !t.raw && !t.name && !t.indexes);
		return;
	}
	FUZZ_CHECK(t.name && t.billing_mode && t.raw == raw);
	FUZZ_CHECK(t.hash.name && t.hash.type);
	FUZZ_CHECK(!t.range.name || t.range.type);
	FUZZ_CHECK(table_attr_type(&t, t.hash.name) == t.hash.type);
	FUZZ_CHECK(table_same_keys(&t, &t, "here", "there", &eb) == 0);
	for (i = 0; i < t.nindexes; i++) {
		const struct index_desc *ix = &t.indexes[i];

		/* status may be NULL: table_wait_active takes that as ready. */
		FUZZ_CHECK(ix->name && ix->projection);
		FUZZ_CHECK(ix->hash.name && ix->hash.type);
		FUZZ_CHECK(!ix->range.name || ix->range.type);
		FUZZ_CHECK(table_index(&t, ix->name) &&
			   !strcmp(table_index(&t, ix->name)->name, ix->name));
	}
	table_desc_release(&t);
}

static void check_creds(const cJSON *obj)
{
	static const struct {
		const char *akid, *secret, *token, *exp;
		int ms;
	} kinds[] = {
		{ "accessKeyId", "secretAccessKey", "sessionToken", "expiration", 1 },
		{ "AccessKeyId", "SecretAccessKey", "Token", "Expiration", 0 },
		{ "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct credentials *c = NULL;
		struct errbuf eb = ERRBUF_INIT;
		if (creds_from_json(obj, kinds[i].akid, kinds[i].secret,
				    kinds[i].token, kinds[i].exp, kinds[i].ms,
				    "the fuzzer", &c, &eb) == 0) {
			FUZZ_CHECK(c && !eb.set && c->access_key_id[0] &&
				   c->secret_access_key[0]);
			creds_put(c);
		} else {
			FUZZ_CHECK(eb.set);
		}
	}
}

static void check_capacity(const char *body, size_t len)
{
	double cu = consumed_capacity((struct slice){ body, len });
	double cu2 = capacity_units((struct slice){ body, len });

	/* A huge, negative or NaN total would wedge the rate limiter. */
	FUZZ_CHECK(isfinite(cu) && cu >= 0);
	FUZZ_CHECK(isfinite(cu2) && cu2 >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_dup(data, size);
	cJSON *doc;

	check_error(body, size);
	check_sts(body, size);
	check_capacity(body, size);
	doc = cJSON_ParseWithLength(body, size);
	if (cJSON_IsObject(doc)) {
		cJSON *table = cJSON_DetachItemFromObjectCaseSensitive(doc, "Table");
		const cJSON *rc = cJSON_GetObjectItemCaseSensitive(doc, "roleCredentials");

		check_creds(rc ? rc : doc);
		if (cJSON_IsObject(table)) {
			check_table(table);
		} else {
			cJSON_Delete(table);
			check_table(doc);
			doc = NULL;
		}
	}
	cJSON_Delete(doc);
	free(body);
	return 0;
}
