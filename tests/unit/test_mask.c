/*
 * Masking (src/ddb/mask.c, mask_key.c): HMAC-SHA-256 against RFC 4231; the
 * permutation is one (no two values share a pseudonym); pseudonyms are
 * deterministic, differ from the originals and keep type and shape; the
 * key is refused when unusable and never shows in any output.
 */
#include "unit.h"

#include "dynamo/avcheck.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/mask.h"
#include "dynamo/redact.h"
#include "dynamo/strset.h"


static char key_text[] = "unit-test-mask-key-0123456789abcdef";
static char other_text[] = "another-mask-key-fedcba9876543210";
static struct mask_key KEY = { key_text, sizeof(key_text) - 1 };
static struct mask_key OTHER = { other_text, sizeof(other_text) - 1 };

static void hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void check_hmac(char *key, size_t klen, const char *msg, const char *want)
{
	struct mask_key k = { key, klen };
	struct masker m;
	unsigned char mac[32];
	char h[65];

	masker_init(&m, &k);
	mask_hmac(&m, msg, strlen(msg), mac);
	hex(mac, 32, h);
	assert_string_equal(h, want);
	masker_release(&m);
}

static void test_hmac_rfc4231(void **state)
{
	static char jefe[] = "Jefe";
	char k1[20], k6[131];

	(void)state;
	memset(k1, 0x0b, sizeof(k1));
	check_hmac(k1, sizeof(k1), "Hi There",
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac(jefe, 4, "what do ya want for nothing?",
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* A key longer than a block is hashed first. */
	memset(k6, 0xaa, sizeof(k6));
	check_hmac(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First",
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* Every vector of the given radices, permuted: all distinct, and some moved. */
static void check_bijection(const uint32_t *radix, size_t n, uint64_t tweak)
{
	struct masker m;
	struct strset seen;
	uint32_t x[8], total = 1, i, moved = 0;
	size_t j;

	masker_init(&m, &KEY);
	strset_init(&seen);
	for (j = 0; j < n; j++)
		total *= radix[j];
	for (i = 0; i < total; i++) {
		uint32_t rest = i, before[8];

		for (j = 0; j < n; j++) {
			x[j] = before[j] = rest % radix[j];
			rest /= radix[j];
		}
		mask_permute(&m, x, radix, n, tweak);
		for (j = 0; j < n; j++)
			assert_true(x[j] < radix[j]);
		moved += memcmp(x, before, n * sizeof(*x)) != 0;
		if (!strset_add(&seen, (const char *)x, n * sizeof(*x)))
			fail_msg("two vectors share a pseudonym (radix[0] %u, n %zu)", radix[0], n);
	}
	assert_int_equal(seen.n, total);
	assert_true(moved > total / 2);
	strset_release(&seen);
	masker_release(&m);
}

static void test_permutation_is_a_bijection(void **state)
{
	static const uint32_t r3[] = { 10, 10, 10 }, r9[] = { 9, 10, 10, 9 },
			      r1[] = { 26 }, rb[] = { 256, 256 }, rmix[] = { 26, 10, 26, 10, 2 },
			      rbig[] = { 20992 };

	(void)state;
	check_bijection(r3, 3, 1);
	check_bijection(r3, 3, 2);
	check_bijection(r9, 4, 7);
	check_bijection(r1, 1, 0);
	check_bijection(rb, 2, 0);
	check_bijection(rmix, 5, 99);
	check_bijection(rbig, 1, 3);
}

static char *masked_string(struct masker *m, const char *s, int *changed);

/*
 * Every position depends on every other: values one letter apart mask to
 * pseudonyms apart in most positions (a shift per position would differ
 * in one), else the mask would give away which values share characters.
 */
static void test_permutation_mixes(void **state)
{
	struct masker m;
	char in[9] = "jonathan";
	int i, differ = 0;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < 26; i++) {
		char *a, *b;
		int j;

		in[7] = 'n';
		a = masked_string(&m, in, NULL);
		in[7] = (char)('a' + i);
		if (in[7] == 'n') {
			free(a);
			continue;
		}
		b = masked_string(&m, in, NULL);
		for (j = 0; j < 8; j++)
			differ += a[j] != b[j];
		free(a);
		free(b);
	}
	/* 25 pairs of 8 letters: about 7.7 positions differ per pair when mixed. */
	assert_true(differ > 25 * 6);
	masker_release(&m);
}

static char *masked_string(struct masker *m, const char *s, int *changed)
{
	struct buf out = BUF_INIT;
	int r = mask_string(m, s, strlen(s), &out);

	assert_true(r >= 0);
	if (changed)
		*changed = r;
	return buf_detach(&out);
}

/* Same class at each position: digits, lower, upper; anything else equal. */
static void assert_same_shape(const char *a, const char *b)
{
	size_t i;

	assert_int_equal(strlen(a), strlen(b));
	for (i = 0; a[i]; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= '0' && x <= '9')
			assert_true(y >= '0' && y <= '9');
		else if (x >= 'a' && x <= 'z')
			assert_true(y >= 'a' && y <= 'z');
		else if (x >= 'A' && x <= 'Z')
			assert_true(y >= 'A' && y <= 'Z');
		else if (x < 0x80 && x != y)
			fail_msg("'%s' -> '%s': '%c' at %zu not kept", a, b, x, i);
	}
}

static void test_strings_keep_their_shape(void **state)
{
	static const char *const cases[] = {
		"Jane Doe", "+1 (555) 123-4567", "0044 20 7946 0958", "TENANT#42#USER#u0007",
		"ORDER#2024-01-05#0001", "x", "9", "Hello, World!", "a_b-c.d/e:f",
	};
	struct masker m;
	size_t i;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int changed;
		char *a = masked_string(&m, cases[i], &changed), *b;

		assert_same_shape(cases[i], a);
		/* (A one-letter value masks to itself one time in 26.) */
		if (strlen(cases[i]) > 3) {
			assert_true(changed);
			assert_string_not_equal(a, cases[i]);
		}
		/* Deterministic: again, and from another masker of the same key. */
		b = masked_string(&m, cases[i], NULL);
		assert_string_equal(a, b);
		free(b);
		{
			struct masker m2;

			masker_init(&m2, &KEY);
			b = masked_string(&m2, cases[i], NULL);
			assert_string_equal(a, b);
			free(b);
			masker_release(&m2);
			masker_init(&m2, &OTHER);
			b = masked_string(&m2, cases[i], NULL);
			if (strlen(cases[i]) > 3)
				assert_string_not_equal(a, b);
			free(b);
			masker_release(&m2);
		}
		free(a);
	}
	masker_release(&m);
}

static void test_nothing_to_mask(void **state)
{
	static const char *const cases[] = { "", "---", " ", "#@!", "\xf0\x9f\x98\x80" };
	struct masker m;
	size_t i;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int changed;
		char *a = masked_string(&m, cases[i], &changed);

		assert_string_equal(a, cases[i]);
		assert_int_equal(changed, 0);
		free(a);
	}
	masker_release(&m);
}

static void test_emails_stay_emails(void **state)
{
	static const char *const cases[] = {
		"jane.doe@example.com", "j+tag@mail.co.uk", "a@b.io", "x_1@host-2.museum",
	};
	struct masker m;
	size_t i;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a = masked_string(&m, cases[i], NULL);
		const char *tld = strrchr(cases[i], '.');

		assert_same_shape(cases[i], a);
		/* The top-level domain is kept, the rest masked. */
		assert_string_equal(strrchr(a, '.'), tld);
		assert_int_not_equal(memcmp(a, cases[i], (size_t)(tld - cases[i])), 0);
		assert_non_null(strchr(a, '@'));
		free(a);
	}
	/* Not an email: the last label is masked too. */
	{
		char *a = masked_string(&m, "a@b.c1", NULL);

		assert_same_shape("a@b.c1", a);
		free(a);
	}
	masker_release(&m);
}

static void test_other_scripts(void **state)
{
	/* Cyrillic, Greek, CJK, Hangul, Latin-1: same script and byte length. */
	static const char *const cases[] = {
		"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd",		/* Иван */
		"\xce\x9d\xce\xaf\xce\xba\xce\xbf\xcf\x82",	/* Νίκος (ί kept) */
		"\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e",	/* 王小明 */
		"\xea\xb9\x80\xeb\xaf\xbc\xec\x88\x98",	/* 김민수 */
		"M\xc3\xbcller",				/* Müller */
	};
	struct masker m;
	size_t i;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a = masked_string(&m, cases[i], NULL);
		struct buf lit = BUF_INIT;

		assert_int_equal(strlen(a), strlen(cases[i]));
		assert_string_not_equal(a, cases[i]);
		/* Lead bytes stay in their script's range. */
		assert_true((unsigned char)a[0] >> 4 == (unsigned char)cases[i][0] >> 4 ||
			    (cases[i][0] == 'M' && a[0] >= 'A' && a[0] <= 'Z'));
		buf_json_str(&lit, a, strlen(a));
		assert_true(js_valid((struct slice){ lit.data, lit.len }));
		buf_release(&lit);
		free(a);
	}
	masker_release(&m);
}

static char *masked_number(struct masker *m, const char *s)
{
	struct buf out = BUF_INIT;

	assert_true(mask_number(m, s, strlen(s), &out) >= 0);
	return buf_detach(&out);
}

static void test_numbers_keep_digits_sign_magnitude(void **state)
{
	static const char *const cases[] = {
		"42", "-7", "1999.00", "0.0012", "-3.14159", "1E+3", "100",
		"12345678901234567890123456789012345678", "9.9999999999999999999999999999999999999E+125",
		"1E-130", "+5", "007",
	};
	struct masker m;
	size_t i;

	(void)state;
	masker_init(&m, &KEY);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a = masked_number(&m, cases[i]);
		struct decimal x, y;

		assert_true(num_valid(a, strlen(a)));
		assert_int_equal(strlen(a), strlen(cases[i]));
		assert_int_equal(decimal_parse(cases[i], strlen(cases[i]), &x), 0);
		assert_int_equal(decimal_parse(a, strlen(a), &y), 0);
		assert_int_equal(x.neg, y.neg);
		assert_int_equal(x.exp, y.exp);
		assert_int_equal(decimal_digits(&x), decimal_digits(&y));
		/* One in 81 two-digit numbers masks to itself, as in any permutation. */
		if (decimal_digits(&x) > 3 && !num_compare(a, strlen(a), cases[i], strlen(cases[i])))
			fail_msg("%s masked to itself: %s", cases[i], a);
		free(a);
	}
	/* Equal numbers, however written, mask to equal numbers. */
	{
		char *a = masked_number(&m, "1.5"), *b = masked_number(&m, "1.50"),
		     *c = masked_number(&m, "15E-1");

		assert_int_equal(num_compare(a, strlen(a), b, strlen(b)), 0);
		assert_int_equal(num_compare(a, strlen(a), c, strlen(c)), 0);
		free(a);
		free(b);
		free(c);
	}
	{
		char *z = masked_number(&m, "0.000");

		assert_string_equal(z, "0.000");
		free(z);
	}
	masker_release(&m);
}

/* 1..9999: as many distinct numbers out as in (no two share a pseudonym). */
static void test_numbers_never_collide(void **state)
{
	struct masker m;
	struct strset seen;
	struct buf canon = BUF_INIT, av = BUF_INIT;
	int i;

	(void)state;
	masker_init(&m, &KEY);
	strset_init(&seen);
	for (i = 1; i <= 9999; i++) {
		char in[16], *out;

		snprintf(in, sizeof(in), "%d", i);
		out = masked_number(&m, in);
		buf_reset(&av);
		buf_reset(&canon);
		buf_printf(&av, "{\"N\":\"%s\"}", out);
		assert_int_equal(av_key_canonical((struct slice){ av.data, av.len }, &canon), 0);
		assert_true(strset_add(&seen, canon.data, canon.len));
		free(out);
	}
	strset_release(&seen);
	buf_release(&canon);
	buf_release(&av);
	masker_release(&m);
}

static char *masked_av(struct masker *m, const char *av, int want)
{
	struct buf out = BUF_INIT;
	char why[300];

	assert_int_equal(mask_av(m, (struct slice){ av, strlen(av) }, &out), want);
	if (want >= 0 && av_check((struct slice){ out.data, out.len }, why, sizeof(why)) < 0)
		fail_msg("mask of %s gave %s: %s", av, out.data, why);
	return buf_detach(&out);
}

static void test_attribute_values(void **state)
{
	struct masker m;
	char *a;

	(void)state;
	masker_init(&m, &KEY);
	/* B keeps its length in bytes. */
	a = masked_av(&m, "{\"B\":\"AAECAwQFBgc=\"}", 1);
	assert_int_equal(strlen(a), strlen("{\"B\":\"AAECAwQFBgc=\"}"));
	assert_string_not_equal(a, "{\"B\":\"AAECAwQFBgc=\"}");
	free(a);
	a = masked_av(&m, "{\"B\":\"\"}", 0);
	assert_string_equal(a, "{\"B\":\"\"}");
	free(a);
	/* BOOL and NULL are kept. */
	a = masked_av(&m, "{\"BOOL\":true}", 0);
	assert_string_equal(a, "{\"BOOL\":true}");
	free(a);
	a = masked_av(&m, "{\"NULL\":true}", 0);
	assert_string_equal(a, "{\"NULL\":true}");
	free(a);
	/* Escapes are decoded, masked and written again. */
	a = masked_av(&m, "{\"S\":\"say \\\"hi\\\"\\n\"}", 1);
	assert_true(!strncmp(a, "{\"S\":\"", 6));
	assert_non_null(strstr(a, " \\\""));
	assert_non_null(strstr(a, "\\\"\\n\"}"));
	free(a);
	/* Maps and lists: every value inside, names kept. */
	a = masked_av(&m, "{\"M\":{\"street\":{\"S\":\"1 Main St\"},\"tags\":{\"L\":[{\"S\":\"vip\"},{\"N\":\"12\"},{\"BOOL\":false}]}}}", 1);
	assert_non_null(strstr(a, "{\"M\":{\"street\":{\"S\":\""));
	assert_non_null(strstr(a, "\"tags\":{\"L\":[{\"S\":\""));
	assert_null(strstr(a, "Main"));
	assert_null(strstr(a, "vip"));
	assert_non_null(strstr(a, "{\"BOOL\":false}]}}}"));
	free(a);
	/* Malformed: refused, nothing written. */
	free(masked_av(&m, "{\"S\":1}", -1));
	free(masked_av(&m, "{\"X\":\"1\"}", -1));
	free(masked_av(&m, "{\"N\":\"1x\"}", -1));
	free(masked_av(&m, "[]", -1));
	masker_release(&m);
}

/* Sets stay sets: as many elements, all distinct, however many collide in shape. */
static void test_sets_stay_sets(void **state)
{
	struct masker m;
	struct buf ss = BUF_INIT, ns = BUF_INIT, bs = BUF_INIT;
	char *a, why[300];
	int i;

	(void)state;
	masker_init(&m, &KEY);
	buf_puts(&ss, "{\"SS\":[");
	buf_puts(&ns, "{\"NS\":[");
	buf_puts(&bs, "{\"BS\":[");
	for (i = 0; i < 100; i++) {
		const char *sep = i ? "," : "";

		buf_printf(&ss, "%s\"%02d\"", sep, i);
		buf_printf(&ns, "%s\"%d\"", sep, i + 1);
		buf_printf(&bs, "%s\"%c%cAA\"", sep, "ABCDEFGHIJ"[i / 10], "ABCDEFGHIJ"[i % 10]);
	}
	buf_puts(&ss, "]}");
	buf_puts(&ns, "]}");
	buf_puts(&bs, "]}");
	assert_int_equal(av_check((struct slice){ bs.data, bs.len }, why, sizeof(why)), 0);
	/* av_check refuses duplicates, so passing it means all 100 are distinct. */
	a = masked_av(&m, ss.data, 1);
	assert_int_equal(strlen(a), ss.len);
	free(a);
	a = masked_av(&m, ns.data, 1);
	free(a);
	a = masked_av(&m, bs.data, 1);
	free(a);
	buf_release(&ss);
	buf_release(&ns);
	buf_release(&bs);
	masker_release(&m);
}

/* ---- the key ---- */

#define write_temp unit_write_temp

static void key_fails(const char *file, const char *env, const char *want)
{
	struct mask_key k;
	struct errbuf eb = ERRBUF_INIT;

	assert_int_equal(mask_key_load(&k, file, env, &eb), -1);
	if (!strstr(eb.msg, want))
		fail_msg("'%s' lacks '%s'", eb.msg, want);
	assert_null(k.secret);
}

static void test_key_loading(void **state)
{
	char *empty = write_temp("\n", 1), *shortk = write_temp("abc\n", 4),
	     *nul = write_temp("0123456789\0abcdefgh", 19),
	     *good = write_temp("0123456789abcdef0123\n", 21);
	char big[5000];
	struct mask_key a, b;
	struct errbuf eb = ERRBUF_INIT;
	struct masker m1, m2;
	char *x, *y;

	(void)state;
	key_fails(NULL, NULL, "--mask needs a secret key: pass --mask-key-file FILE or set DYNAMO_MASK_KEY");
	key_fails("/nonexistent/key", NULL, "cannot read --mask-key-file '/nonexistent/key': No such file");
	key_fails(empty, NULL, "is empty");
	key_fails(shortk, NULL, "is too short (3 bytes)");
	key_fails(nul, NULL, "holds a NUL byte");
	key_fails(NULL, "", "DYNAMO_MASK_KEY is empty");
	key_fails(NULL, "short", "DYNAMO_MASK_KEY is too short");
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	key_fails(NULL, big, "DYNAMO_MASK_KEY is longer than 4096 bytes");
	{
		char *bigf = write_temp(big, sizeof(big) - 1);

		key_fails(bigf, NULL, "is larger than 4096 bytes");
		unlink(bigf);
		free(bigf);
	}
	/* The file wins over the variable; its line end is not part of the key. */
	assert_int_equal(mask_key_load(&a, good, "some-other-key-from-env", &eb), 0);
	assert_int_equal(a.len, 20);
	assert_int_equal(mask_key_load(&b, NULL, "0123456789abcdef0123", &eb), 0);
	masker_init(&m1, &a);
	masker_init(&m2, &b);
	x = masked_string(&m1, "jane@example.com", NULL);
	y = masked_string(&m2, "jane@example.com", NULL);
	assert_string_equal(x, y);
	free(x);
	free(y);
	masker_release(&m1);
	masker_release(&m2);
	mask_key_release(&a);
	mask_key_release(&b);
	assert_null(a.secret);
	unlink(empty);
	unlink(shortk);
	unlink(nul);
	unlink(good);
	free(empty);
	free(shortk);
	free(nul);
	free(good);
}

/* Reads what fn writes on stderr. */
static char *stderr_of(void (*fn)(const char *), const char *arg)
{
	char path[] = "/tmp/dynamo-unit-err-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char *text = calloc(1, 4096);

	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	fn(arg);
	dup2(saved, 2);
	close(saved);
	assert_true(pread(fd, text, 4095, 0) >= 0);
	close(fd);
	unlink(path);
	return text;
}

static void say_debug(const char *s)
{
	msg_debug_on = 1;
	msg_debug("loaded mask key %s from the environment", s);
	msg_debug_on = 0;
}

static void say_error(const char *s)
{
	msg_error("server said: bad key '%s'", s);
}

static void test_key_never_printed(void **state)
{
	static const char secret[] = "s3cret-mask-key-never-shown-0001";
	struct mask_key k;
	struct errbuf eb = ERRBUF_INIT;
	struct buf red = BUF_INIT;
	char *text;

	(void)state;
	assert_int_equal(mask_key_load(&k, NULL, secret, &eb), 0);
	errf(&eb, EXIT_USAGE, "something quoted the key: %s", secret);
	assert_null(strstr(eb.msg, secret));
	assert_non_null(strstr(eb.msg, "[REDACTED]"));
	redact_into(secret, strlen(secret), &red);
	assert_string_equal(red.data, "[REDACTED]");
	text = stderr_of(say_debug, secret);
	assert_non_null(strstr(text, "loaded mask key [REDACTED]"));
	assert_null(strstr(text, secret));
	free(text);
	text = stderr_of(say_error, secret);
	assert_non_null(strstr(text, "bad key '[REDACTED]'"));
	free(text);
	/* Masks do not carry the key either. */
	{
		struct masker m;
		struct buf out = BUF_INIT;

		masker_init(&m, &k);
		mask_string(&m, secret, strlen(secret), &out);
		assert_null(strstr(out.data, secret));
		buf_release(&out);
		masker_release(&m);
	}
	mask_key_release(&k);
	buf_release(&red);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_permutation_is_a_bijection),
		cmocka_unit_test(test_permutation_mixes),
		cmocka_unit_test(test_strings_keep_their_shape),
		cmocka_unit_test(test_nothing_to_mask),
		cmocka_unit_test(test_emails_stay_emails),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_numbers_keep_digits_sign_magnitude),
		cmocka_unit_test(test_numbers_never_collide),
		cmocka_unit_test(test_attribute_values),
		cmocka_unit_test(test_sets_stay_sets),
		cmocka_unit_test(test_key_loading),
		cmocka_unit_test(test_key_never_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
