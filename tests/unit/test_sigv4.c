/*
 * SigV4 against botocore: every case under tests/vectors/sigv4 (listed in its
 * index.txt, written by tests/vectors/gen_sigv4.py) is checked one stage at a
 * time, each stage fed botocore's output of the stage before, so a failure
 * names the first stage that differs.
 */
#include "unit.h"

#include "dynamo/sigv4.h"

#define MAX_HEADERS 16
/* The cases gen_sigv4.py writes; a truncated index must not pass quietly. */
#define MIN_CASES 17

struct vcase {
	char name[64];
	char *text;		/* owned: request.txt, split up in place */
	struct sigv4_header headers[MAX_HEADERS];
	struct sigv4_request req;
	struct sigv4_credentials cred;
	struct sigv4_scope scope;
	char *creq;		/* owned: the expected stages */
	char *sts;
	char *sig;
	char *auth;
};

static struct vcase *cases;
static size_t ncases;

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes gen_sigv4.py's \xHH escapes in place; returns the new length. */
static size_t unescape(char *s)
{
	char *w = s;
	const char *r = s;

	while (*r) {
		if (r[0] == '\\') {
			if (r[1] != 'x' || hexval(r[2]) < 0 || hexval(r[3]) < 0)
				fail_msg("bad escape in request.txt: %s", r);
			*w++ = (char)(hexval(r[2]) << 4 | hexval(r[3]));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static char *read_stage(const struct vcase *c, const char *file)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sigv4/%s/%s", c->name, file);
	return unit_read_vector(rel, NULL);
}

static void parse_line(struct vcase *c, char *line)
{
	char *val = strchr(line, '=');
	size_t n;

	if (!val)
		fail_msg("%s: no '=' in request line '%s'", c->name, line);
	*val++ = '\0';
	n = unescape(val);
	if (!strcmp(line, "method")) {
		c->req.method = val;
	} else if (!strcmp(line, "host")) {
		c->req.host = val;
	} else if (!strcmp(line, "path")) {
		c->req.path = val;
	} else if (!strcmp(line, "query")) {
		c->req.query = val;
	} else if (!strcmp(line, "header")) {
		char *colon = strchr(val, ':');

		if (!colon || c->req.nheaders == MAX_HEADERS)
			fail_msg("%s: bad header line '%s'", c->name, val);
		*colon = '\0';
		c->headers[c->req.nheaders].name = val;
		c->headers[c->req.nheaders++].value = colon + 1;
	} else if (!strcmp(line, "body")) {
		c->req.payload = val;
		c->req.payload_len = n;
	} else if (!strcmp(line, "region")) {
		c->scope.region = val;
	} else if (!strcmp(line, "service")) {
		/* botocore picks S3's rules by the service name; so do we. */
		c->scope.service = val;
		c->req.s3 = !strcmp(val, "s3");
	} else if (!strcmp(line, "access_key")) {
		c->cred.access_key_id = val;
	} else if (!strcmp(line, "secret")) {
		c->cred.secret_access_key = val;
	} else if (!strcmp(line, "token")) {
		c->cred.session_token = val;
	} else if (!strcmp(line, "time")) {
		char *end;

		c->scope.now = (time_t)strtoll(val, &end, 10);
		if (*end || end == val)
			fail_msg("%s: bad time '%s'", c->name, val);
	} else {
		fail_msg("%s: unknown request key '%s'", c->name, line);
	}
}

static void load_case(struct vcase *c)
{
	char *line, *next;

	c->text = read_stage(c, "request.txt");
	c->req.headers = c->headers;
	for (line = c->text; *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			fail_msg("%s: request.txt does not end in a newline", c->name);
		*next++ = '\0';
		if (*line && *line != '#')
			parse_line(c, line);
	}
	if (!c->req.method || !c->req.host || !c->req.path || !c->scope.region)
		fail_msg("%s: request.txt is incomplete", c->name);
	c->creq = read_stage(c, "canonical_request.txt");
	c->sts = read_stage(c, "string_to_sign.txt");
	c->sig = read_stage(c, "signature.txt");
	c->auth = read_stage(c, "authorization.txt");
}

static int load_cases(void **state)
{
	char *index = unit_read_vector("sigv4/index.txt", NULL);
	char *p, *nl;
	size_t n = 0;

	(void)state;
	for (p = index; (p = strchr(p, '\n')); p++)
		n++;
	cases = calloc(n, sizeof(*cases));
	assert_non_null(cases);
	for (p = index; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		assert_true(strlen(p) > 0 && strlen(p) < sizeof(cases->name));
		strcpy(cases[ncases].name, p);
		load_case(&cases[ncases++]);
	}
	free(index);
	return 0;
}

static int free_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		free(cases[i].text);
		free(cases[i].creq);
		free(cases[i].sts);
		free(cases[i].sig);
		free(cases[i].auth);
	}
	free(cases);
	return 0;
}

static void same(const struct vcase *c, const char *stage, const char *want,
		 const char *got)
{
	if (strcmp(want, got))
		fail_msg("%s: %s differs from botocore's\n--- botocore\n%s\n--- ours\n%s",
			 c->name, stage, want, got);
}

static void buf_set(struct buf *b, const char *s)
{
	buf_reset(b);
	assert_int_equal(buf_puts(b, s), 0);
}

static void test_index_lists_every_case(void **state)
{
	(void)state;
	assert_true(ncases >= MIN_CASES);
}

static void test_canonical_request(void **state)
{
	struct buf creq = BUF_INIT, sh = BUF_INIT;
	char date[17], hash[65];
	size_t i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		sigv4_amz_date(c->scope.now, date);
		sigv4_sha256_hex(c->req.payload, c->req.payload_len, hash);
		assert_int_equal(sigv4_canonical_request(&c->req, date,
							 c->cred.session_token,
							 hash, &creq, &sh), 0);
		same(c, "canonical request", c->creq, creq.data);
	}
	buf_release(&creq);
	buf_release(&sh);
}

static void test_string_to_sign(void **state)
{
	struct buf creq = BUF_INIT, sts = BUF_INIT;
	char date[17];
	size_t i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		sigv4_amz_date(c->scope.now, date);
		buf_set(&creq, c->creq);
		sigv4_string_to_sign(date, c->scope.region, c->scope.service,
				     &creq, &sts);
		same(c, "string to sign", c->sts, sts.data);
	}
	buf_release(&creq);
	buf_release(&sts);
}

static void test_signature(void **state)
{
	struct buf sts = BUF_INIT;
	unsigned char key[32];
	char date[17], sig[65];
	size_t i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		sigv4_amz_date(c->scope.now, date);
		date[8] = '\0';
		buf_set(&sts, c->sts);
		sigv4_signing_key(c->cred.secret_access_key, date,
				  c->scope.region, c->scope.service, key);
		sigv4_signature(key, &sts, sig);
		same(c, "signature", c->sig, sig);
	}
	buf_release(&sts);
}

static void test_sign_end_to_end(void **state)
{
	struct sigv4_signed s;
	size_t i;

	(void)state;
	sigv4_signed_init(&s);
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];
		const char *sh;

		assert_int_equal(sigv4_sign(&c->req, &c->cred, &c->scope, &s), 0);
		same(c, "canonical request", c->creq, s.canonical_request.data);
		same(c, "string to sign", c->sts, s.string_to_sign.data);
		same(c, "signature", c->sig, s.signature);
		same(c, "authorization", c->auth, s.authorization.data);
		assert_memory_equal(s.amz_date, c->sts + strlen("AWS4-HMAC-SHA256\n"), 16);
		sh = strstr(c->auth, "SignedHeaders=");
		assert_non_null(sh);
		assert_int_equal(strncmp(sh + 14, s.signed_headers.data,
					 s.signed_headers.len), 0);
		assert_int_equal(sh[14 + s.signed_headers.len], ',');
		/* The payload hash closes the canonical request. */
		assert_string_equal(s.payload_sha256,
				    c->creq + strlen(c->creq) - 64);
	}
	sigv4_signed_release(&s);
}

/* A signing key derived ahead (the engine's daily cache) signs the same; a wrong one does not. */
static void test_given_signing_key(void **state)
{
	struct sigv4_signed s;
	unsigned char key[32];
	char date8[17];
	size_t i;

	(void)state;
	sigv4_signed_init(&s);
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];
		struct sigv4_scope scope = c->scope;

		sigv4_amz_date(scope.now, date8);
		date8[8] = '\0';
		sigv4_signing_key(c->cred.secret_access_key, date8, scope.region,
				  scope.service, key);
		scope.signing_key = key;
		assert_int_equal(sigv4_sign(&c->req, &c->cred, &scope, &s), 0);
		same(c, "signature with a given key", c->sig, s.signature);
		key[0] ^= 1;
		assert_int_equal(sigv4_sign(&c->req, &c->cred, &scope, &s), 0);
		assert_string_not_equal(s.signature, c->sig);
	}
	sigv4_signed_release(&s);
}

/* Proves the comparisons can fail: any change to what is signed shows. */
static void test_any_change_changes_signature(void **state)
{
	struct sigv4_signed s;
	size_t i;

	(void)state;
	sigv4_signed_init(&s);
	for (i = 0; i < ncases; i++) {
		struct vcase c = cases[i];
		char *body = NULL;

		if (c.req.payload_len) {
			body = malloc(c.req.payload_len);
			assert_non_null(body);
			memcpy(body, c.req.payload, c.req.payload_len);
			body[c.req.payload_len / 2] ^= 1;
			c.req.payload = body;
		} else {
			c.req.payload = "x";
			c.req.payload_len = 1;
		}
		assert_int_equal(sigv4_sign(&c.req, &c.cred, &c.scope, &s), 0);
		assert_string_not_equal(s.signature, c.sig);
		assert_string_not_equal(s.canonical_request.data, c.creq);
		free(body);

		c = cases[i];
		c.scope.now++;
		assert_int_equal(sigv4_sign(&c.req, &c.cred, &c.scope, &s), 0);
		assert_string_not_equal(s.signature, c.sig);

		c = cases[i];
		c.scope.region = "us-west-1";
		assert_int_equal(sigv4_sign(&c.req, &c.cred, &c.scope, &s), 0);
		assert_string_not_equal(s.signature, c.sig);
		assert_string_equal(s.canonical_request.data, c.creq);
	}
	sigv4_signed_release(&s);
}

/* The AWS documentation's example ("Examples of how to derive a signing key"). */
static void test_signing_key_aws_example(void **state)
{
	static const unsigned char want[32] = {
		0xc4, 0xaf, 0xb1, 0xcc, 0x57, 0x71, 0xd8, 0x71,
		0x76, 0x3a, 0x39, 0x3e, 0x44, 0xb7, 0x03, 0x57,
		0x1b, 0x55, 0xcc, 0x28, 0x42, 0x4d, 0x1a, 0x5e,
		0x86, 0xda, 0x6e, 0xd3, 0xc1, 0x54, 0xa4, 0xb9,
	};
	unsigned char key[32];

	(void)state;
	sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830",
			  "us-east-1", "iam", key);
	assert_memory_equal(key, want, sizeof(want));
	sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEy", "20150830",
			  "us-east-1", "iam", key);
	assert_memory_not_equal(key, want, sizeof(want));
}

/* Secrets longer than the signer's stack buffer take another path. */
static void test_signing_key_long_secret(void **state)
{
	char secret[201];
	unsigned char a[32], b[32];

	(void)state;
	memset(secret, 'k', sizeof(secret) - 1);
	secret[200] = '\0';
	sigv4_signing_key(secret, "20150830", "us-east-1", "iam", a);
	secret[199] = 'j';
	sigv4_signing_key(secret, "20150830", "us-east-1", "iam", b);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_amz_date_and_sha256(void **state)
{
	char date[17], hex[65];

	(void)state;
	sigv4_amz_date(0, date);
	assert_string_equal(date, "19700101T000000Z");
	sigv4_amz_date(1440938160, date);
	assert_string_equal(date, "20150830T123600Z");
	sigv4_amz_date(1709251199, date);
	assert_string_equal(date, "20240229T235959Z");

	sigv4_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void check_encode(const char *in, size_t n, int keep_slash,
			 const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(buf_puts(&b, "<"), 0);
	assert_int_equal(sigv4_uri_encode(&b, in, n, keep_slash), 0);
	assert_int_equal(buf_puts(&b, ">"), 0);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void test_uri_encode(void **state)
{
	static const char unres[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
	struct buf capped;

	(void)state;
	check_encode("", 0, 0, "<>");
	check_encode(unres, strlen(unres), 0, "<ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~>");
	check_encode("a b+c*d%e", 9, 0, "<a%20b%2Bc%2Ad%25e>");
	check_encode("/a/b/", 5, 1, "</a/b/>");
	check_encode("/a/b/", 5, 0, "<%2Fa%2Fb%2F>");
	check_encode("!#$&'()=:;,?@[]", 15, 1, "<%21%23%24%26%27%28%29%3D%3A%3B%2C%3F%40%5B%5D>");
	check_encode("\xc3\xa9\xff\x7f\x01", 5, 0, "<%C3%A9%FF%7F%01>");
	check_encode("a\0b", 3, 0, "<a%00b>");
	check_encode("abc", 2, 0, "<ab>");

	/* A capped buffer refuses the append and keeps what it had. */
	buf_init(&capped, 4);
	assert_int_equal(buf_puts(&capped, "ab"), 0);
	assert_int_equal(sigv4_uri_encode(&capped, " ", 1, 0), -1);
	assert_string_equal(capped.data, "ab");
	buf_release(&capped);
}

/* Expected values from botocore's normalize_url_path + quote(safe='/~'). */
static void test_canonical_uri(void **state)
{
	static const struct {
		const char *path, *uri;
	} t[] = {
		{ "", "/" }, { "/", "/" }, { "//", "/" }, { "/./", "/" },
		{ "/..", "/" }, { "/a/b/../../..", "/" }, { "/a/..", "/" },
		{ "/a/b/..", "/a" }, { "/a/b/../", "/a/" }, { "a/b", "a/b" },
		{ ".", "" }, { "/%2e%2e/x", "/%252e%252e/x" },
		{ "/a b", "/a%20b" }, { "///a///b///", "/a/b/" },
	};
	static const char want_tail[] = "\n\nhost:h\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n-";
	struct sigv4_request req = { .method = "get", .host = "h" };
	struct buf creq = BUF_INIT, sh = BUF_INIT, want = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		req.path = t[i].path;
		assert_int_equal(sigv4_canonical_request(&req, "20150830T123600Z",
							 NULL, "-", &creq, &sh), 0);
		buf_reset(&want);
		assert_int_equal(buf_printf(&want, "GET\n%s%s", t[i].uri, want_tail), 0);
		assert_string_equal(creq.data, want.data);
	}
	buf_release(&creq);
	buf_release(&sh);
	buf_release(&want);
}

static const struct sigv4_header ddb_headers[] = {
	{ "X-Amz-Target", "DynamoDB_20120810.PutItem" },
	{ "Content-Type", "application/x-amz-json-1.0" },
};

static const struct sigv4_request ddb_req = {
	.method = "POST",
	.host = "dynamodb.us-east-1.amazonaws.com",
	.path = "/",
	.headers = ddb_headers,
	.nheaders = 2,
	.payload = "{}",
	.payload_len = 2,
};

static const struct sigv4_credentials ddb_cred = {
	"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL,
};

static const struct sigv4_scope ddb_scope = { "us-east-1", "dynamodb", 1440938160, NULL };

static void test_missing_fields_fail(void **state)
{
	static const struct sigv4_header bad_headers[][1] = {
		{ { NULL, "v" } }, { { "", "v" } }, { { "x-a", NULL } },
		{ { "Host", "evil" } }, { { "X-Amz-Date", "20000101T000000Z" } },
		{ { "x-amz-security-token", "t" } }, { { "Authorization", "a" } },
		{ { "bad name", "v" } }, { { "bad:name", "v" } },
		{ { "bad;name", "v" } },
	};
	struct sigv4_request req;
	struct sigv4_credentials cred;
	struct sigv4_scope scope;
	struct sigv4_signed s;
	size_t i;

	(void)state;
	sigv4_signed_init(&s);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, &s), 0);

#define FAILS_WITH(field, value) do {					\
		req = ddb_req; cred = ddb_cred; scope = ddb_scope;	\
		field = value;						\
		assert_int_equal(sigv4_sign(&req, &cred, &scope, &s), -1); \
	} while (0)
	FAILS_WITH(req.method, NULL);
	FAILS_WITH(req.method, "");
	FAILS_WITH(req.host, NULL);
	FAILS_WITH(req.host, "");
	FAILS_WITH(req.path, NULL);
	FAILS_WITH(req.payload, NULL);
	FAILS_WITH(req.headers, NULL);
	FAILS_WITH(req.payload_sha256, "abc");
	FAILS_WITH(req.payload_sha256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
	FAILS_WITH(cred.access_key_id, NULL);
	FAILS_WITH(cred.access_key_id, "");
	FAILS_WITH(cred.secret_access_key, NULL);
	FAILS_WITH(cred.secret_access_key, "");
	FAILS_WITH(scope.region, NULL);
	FAILS_WITH(scope.region, "");
	FAILS_WITH(scope.service, NULL);
	FAILS_WITH(scope.service, "");
	FAILS_WITH(scope.now, (time_t)253402300800);	/* year 10000 */
#undef FAILS_WITH
	for (i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++) {
		req = ddb_req;
		req.headers = bad_headers[i];
		req.nheaders = 1;
		assert_int_equal(sigv4_sign(&req, &ddb_cred, &ddb_scope, &s), -1);
	}
	assert_int_equal(sigv4_sign(NULL, &ddb_cred, &ddb_scope, &s), -1);
	assert_int_equal(sigv4_sign(&ddb_req, NULL, &ddb_scope, &s), -1);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, NULL, &s), -1);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, NULL), -1);
	sigv4_signed_release(&s);
}

static void test_given_payload_hash_is_used(void **state)
{
	struct sigv4_request req = ddb_req;
	struct sigv4_signed a, b;

	(void)state;
	sigv4_signed_init(&a);
	sigv4_signed_init(&b);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, &a), 0);
	/* The hash stands for the body: the bytes are not read again. */
	req.payload_sha256 = a.payload_sha256;
	req.payload = NULL;
	req.payload_len = 0;
	assert_int_equal(sigv4_sign(&req, &ddb_cred, &ddb_scope, &b), 0);
	assert_string_equal(a.authorization.data, b.authorization.data);
	sigv4_signed_release(&a);
	sigv4_signed_release(&b);
}

static void test_empty_token_is_no_token(void **state)
{
	struct sigv4_credentials cred = ddb_cred;
	struct sigv4_signed a, b;

	(void)state;
	sigv4_signed_init(&a);
	sigv4_signed_init(&b);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, &a), 0);
	cred.session_token = "";
	assert_int_equal(sigv4_sign(&ddb_req, &cred, &ddb_scope, &b), 0);
	assert_string_equal(a.authorization.data, b.authorization.data);
	assert_string_equal(b.signed_headers.data, "content-type;host;x-amz-date;x-amz-target");
	cred.session_token = "T";
	assert_int_equal(sigv4_sign(&ddb_req, &cred, &ddb_scope, &b), 0);
	assert_string_equal(b.signed_headers.data,
			    "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
	assert_non_null(strstr(b.canonical_request.data, "\nx-amz-security-token:T\n"));
	sigv4_signed_release(&a);
	sigv4_signed_release(&b);
}

/* One result reused across requests, as a worker does, keeps nothing stale. */
static void test_result_reuse(void **state)
{
	struct sigv4_signed s, fresh;
	size_t i;

	(void)state;
	sigv4_signed_init(&s);
	for (i = 0; i < ncases; i++) {
		assert_int_equal(sigv4_sign(&cases[i].req, &cases[i].cred,
					    &cases[i].scope, &s), 0);
		same(&cases[i], "reused authorization", cases[i].auth,
		     s.authorization.data);
	}
	sigv4_signed_init(&fresh);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, &fresh), 0);
	assert_int_equal(sigv4_sign(&ddb_req, &ddb_cred, &ddb_scope, &s), 0);
	assert_string_equal(s.canonical_request.data, fresh.canonical_request.data);
	assert_string_equal(s.signed_headers.data, fresh.signed_headers.data);
	assert_string_equal(s.authorization.data, fresh.authorization.data);
	sigv4_signed_release(&s);
	sigv4_signed_release(&fresh);
}

/* More headers than the signer keeps on its stack, given in reverse order. */
static void test_many_headers(void **state)
{
	struct sigv4_header h[40];
	char names[40][16];
	struct sigv4_request req = ddb_req;
	struct sigv4_signed s;
	struct buf want = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "X-H%02d", 39 - i);
		h[i].name = names[i];
		h[i].value = " v ";
	}
	req.headers = h;
	req.nheaders = 40;
	sigv4_signed_init(&s);
	assert_int_equal(sigv4_sign(&req, &ddb_cred, &ddb_scope, &s), 0);
	assert_int_equal(buf_puts(&want, "host;x-amz-date"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_printf(&want, ";x-h%02d", i), 0);
	assert_string_equal(s.signed_headers.data, want.data);
	assert_non_null(strstr(s.canonical_request.data, "\nx-h00:v\nx-h01:v\n"));
	buf_release(&want);
	sigv4_signed_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_lists_every_case),
		cmocka_unit_test(test_canonical_request),
		cmocka_unit_test(test_string_to_sign),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_sign_end_to_end),
		cmocka_unit_test(test_given_signing_key),
		cmocka_unit_test(test_any_change_changes_signature),
		cmocka_unit_test(test_signing_key_aws_example),
		cmocka_unit_test(test_signing_key_long_secret),
		cmocka_unit_test(test_amz_date_and_sha256),
		cmocka_unit_test(test_uri_encode),
		cmocka_unit_test(test_canonical_uri),
		cmocka_unit_test(test_missing_fields_fail),
		cmocka_unit_test(test_given_payload_hash_is_used),
		cmocka_unit_test(test_empty_token_is_no_token),
		cmocka_unit_test(test_result_reuse),
		cmocka_unit_test(test_many_headers),
	};

	return cmocka_run_group_tests(tests, load_cases, free_cases);
}
