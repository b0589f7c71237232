#ifndef DYNAMO_FUZZ_H
#define DYNAMO_FUZZ_H

/*
 * Shared by the libFuzzer harnesses: the entry point's prototype, a check
 * that aborts (libFuzzer saves the input and fails), and a strict JSON
 * validator written from RFC 8259 to hold the library's scanner against.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n",      \
				__FILE__, __LINE__, #cond);               \
			abort();                                          \
		}                                                         \
	} while (0)

/* Copies data into an exactly sized heap block, so ASan sees any overread. */
static inline char *fuzz_dup(const void *data, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, data, n);
	return p;
}

/* Whether [p, p+n) lies inside [base, base+len). */
static inline int fuzz_within(const char *p, size_t n, const char *base,
			      size_t len)
{
	return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

/* ---- a strict JSON validator (RFC 8259), the reference ---- */

#define REF_MAX_DEPTH 64	/* as JS_MAX_DEPTH: containers nest 64 deep */

static inline const char *ref_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static inline int ref_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static inline const char *ref_string(const char *p, const char *e)
{
	if (p >= e || *p != '"')
		return NULL;
	for (p++; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (++p >= e)
			return NULL;
		if (*p && strchr("\"\\/bfnrt", *p))
			continue;
		if (*p != 'u' || e - p < 5 || !ref_hex(p[1]) || !ref_hex(p[2]) ||
		    !ref_hex(p[3]) || !ref_hex(p[4]))
			return NULL;
		p += 4;
	}
	return NULL;
}

static inline const char *ref_digits(const char *p, const char *e)
{
	const char *s = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p == s ? NULL : p;
}

static inline const char *ref_number(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!(p = ref_digits(p, e)))
		return NULL;
	if (p < e && *p == '.' && !(p = ref_digits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!(p = ref_digits(p, e)))
			return NULL;
	}
	return p;
}

static inline const char *ref_value(const char *p, const char *e, int depth);

static inline const char *ref_container(const char *p, const char *e, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int object = *p == '{';

	if (depth >= REF_MAX_DEPTH)
		return NULL;
	p = ref_ws(p + 1, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (!(p = ref_string(ref_ws(p, e), e)))
				return NULL;
			p = ref_ws(p, e);
			if (p >= e || *p != ':')
				return NULL;
			p++;
		}
		if (!(p = ref_value(p, e, depth + 1)))
			return NULL;
		p = ref_ws(p, e);
		if (p >= e)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static inline const char *ref_word(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(e - p) >= n && !memcmp(p, w, n) ? p + n : NULL;
}

/* Skips one value (leading blanks allowed); NULL when not valid JSON. */
static inline const char *ref_value(const char *p, const char *e, int depth)
{
	p = ref_ws(p, e);
	if (p >= e)
		return NULL;
	switch (*p) {
	case '"': return ref_string(p, e);
	case '{': case '[': return ref_container(p, e, depth);
	case 't': return ref_word(p, e, "true");
	case 'f': return ref_word(p, e, "false");
	case 'n': return ref_word(p, e, "null");
	default: return ref_number(p, e);
	}
}

/* Exactly one JSON value, blanks allowed around it. */
static inline int ref_valid(const char *p, size_t n)
{
	const char *e = ref_value(p, p + n, 0);

	return e && ref_ws(e, p + n) == p + n;
}

#endif
