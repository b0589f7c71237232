/*
 * The validating JSON scanner (src/util/json_scan.c), which every DynamoDB
 * response and every item-file line goes through.
 *
 * Checks: js_valid agrees with a strict RFC 8259 validator (fuzz.h); a
 * valid input is consumed exactly by js_skip; iterating objects and arrays
 * (member, key + skip, element, js_find) never leaves the input, and on
 * valid input yields exactly the values the validating js_skip finds (the
 * iterators skip containers with an unvalidated 64-byte-chunk walk, which
 * must agree with it) and ends cleanly; js_unescape accepts exactly the
 * valid string literals, never writes more bytes than the literal holds,
 * and round-trips through buf_json_str.
 */
#include "fuzz.h"

#include "dynamo/buf.h"
#include "dynamo/json_scan.h"

/* js_unescape of one literal, with the checks above. */
static void check_unescape(struct slice lit)
{
	struct buf out = BUF_INIT, again = BUF_INIT, back = BUF_INIT;
	const char *e = ref_string(lit.p, lit.p + lit.n);
	int ok = e == lit.p + lit.n;
	int r;

	/* A cap of the literal's own length: decoding only ever shrinks. */
	buf_init(&out, lit.n >= 2 ? lit.n - 2 : 0);
	r = js_unescape(lit, &out);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0) {
		FUZZ_CHECK(out.len + 2 <= lit.n);
		/* Decoded bytes spelled as JSON again decode to the same bytes. */
		buf_json_str(&again, out.data ? out.data : "", out.len);
		FUZZ_CHECK(ref_valid(again.data, again.len));
		FUZZ_CHECK(js_unescape((struct slice){ again.data, again.len },
				       &back) == 0);
		FUZZ_CHECK(back.len == out.len);
		FUZZ_CHECK(!out.len || !memcmp(back.data, out.data, out.len));
	}
	buf_release(&out);
	buf_release(&again);
	buf_release(&back);
}

/*
 * A value the iterators yielded. Inside valid input it is what the
 * validating js_skip finds there; containers inside invalid input are only
 * skipped by bracket and string structure, so only bounds hold for them.
 */
static void check_value(struct slice v, struct slice whole, int valid)
{
	FUZZ_CHECK(fuzz_within(v.p, v.n, whole.p, whole.n));
	FUZZ_CHECK(v.n > 0);
	if (valid) {
		const char *e = js_skip(v.p, whole.p + whole.n);

		if (e != v.p + v.n) {
			fprintf(stderr, "iteration yielded %zu bytes at offset %zu, js_skip %ld\n",
				v.n, (size_t)(v.p - whole.p), e ? (long)(e - v.p) : -1L);
			abort();
		}
		FUZZ_CHECK(js_valid(v));
	}
	if (*v.p == '"')
		check_unescape(v);
}

/* js_find(s, the decoded name of key k) finds the first member with it. */
static void check_find(struct slice s, struct slice k)
{
	struct buf name = BUF_INIT;
	struct js_iter it;
	struct slice found, k2, v2;

	if (js_unescape((struct slice){ k.p - 1, k.n + 2 }, &name) == 0 &&
	    !memchr(name.data ? name.data : "", '\0', name.len)) {
		const char *nm = name.data ? name.data : "";

		FUZZ_CHECK(js_find(s, nm, &found) == 1);
		js_begin(&it, s, '{');
		while (js_next_member(&it, &k2, &v2) == 1 && !js_key_is(k2, nm))
			;
		FUZZ_CHECK(js_key_is(k2, nm) && js_key_is(k, nm));
		FUZZ_CHECK(found.p == v2.p && found.n == v2.n);
	}
	buf_release(&name);
}

/* Walks a container at s three ways; valid says whether s is valid JSON. */
static void check_iter(struct slice s, int valid, int depth)
{
	const char *start = js_ws(s.p, s.p + s.n);
	const char *e = valid ? js_skip(s.p, s.p + s.n) : NULL;
	struct js_iter it, it2;
	struct slice k, v, k2;
	int r, r2, n = 0;

	if (start >= s.p + s.n || depth > 4)
		return;
	if (*start == '[') {
		FUZZ_CHECK(js_begin(&it, s, '[') == 0);
		FUZZ_CHECK(js_begin(&it2, s, '{') < 0);
		while ((r = js_next_element(&it, &v)) == 1) {
			check_value(v, s, valid);
			if (++n <= 4)
				check_iter(v, valid || js_valid(v), depth + 1);
		}
		FUZZ_CHECK(!valid || (r == 0 && it.p == e));
		return;
	}
	if (*start != '{')
		return;
	FUZZ_CHECK(js_begin(&it, s, '{') == 0);
	FUZZ_CHECK(js_begin(&it2, s, '{') == 0);
	while ((r = js_next_member(&it, &k, &v)) == 1) {

		/* The key's bytes, quotes around them, lie inside the input. */
		FUZZ_CHECK(fuzz_within(k.p - 1, k.n + 2, s.p, s.n));
		FUZZ_CHECK(k.p[-1] == '"' && k.p[k.n] == '"');
		check_unescape((struct slice){ k.p - 1, k.n + 2 });
		check_value(v, s, valid);
		if (++n <= 4)
			check_iter(v, valid || js_valid(v), depth + 1);
		/* Key, then skipping the value, lands where the member did. */
		r2 = js_next_key(&it2, &k2);
		FUZZ_CHECK(r2 == 1 && k2.p == k.p && k2.n == k.n);
		FUZZ_CHECK(js_skip_value(&it2) == 0 && it2.p == it.p);
		/* js_find returns the first member whose decoded name is this one. */
		if (valid && n <= 16)
			check_find(s, k);
	}
	FUZZ_CHECK(!valid || (r == 0 && it.p == e));
	if (valid)
		FUZZ_CHECK(js_next_key(&it2, &k2) == 0 && it2.p == e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size);
	struct slice s = { p, size };
	const char *e = js_skip(p, p + size);
	int valid = js_valid(s);

	FUZZ_CHECK(valid == ref_valid(p, size));
	FUZZ_CHECK(!e || (e > p && e <= p + size));
	if (valid) {
		/* Exactly the value, then only blanks. */
		FUZZ_CHECK(e && js_ws(e, p + size) == p + size);
		FUZZ_CHECK(e == ref_value(p, p + size, 0));
	} else if (e) {
		/* A valid prefix, then something that is not a blank. */
		FUZZ_CHECK(js_ws(e, p + size) != p + size);
	}
	if (e)
		FUZZ_CHECK(js_valid((struct slice){ p, (size_t)(e - p) }));
	check_iter(s, valid, 0);
	if (size && *p == '"')
		check_unescape(s);
	free(p);
	return 0;
}
