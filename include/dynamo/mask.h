#ifndef DYNAMO_MASK_H
#define DYNAMO_MASK_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * Masking: deterministic pseudonyms of attribute values, keyed with a
 * secret (--mask-key-file or $DYNAMO_MASK_KEY) through HMAC-SHA-256.
 *
 * The rules (for the man page and README when the flags are wired):
 *
 * - A mask is a keyed permutation: for a given key, the same value always
 *   masks to the same pseudonym (in every run, every attribute, every
 *   table, so joins still work), and two different values never mask to
 *   the same one. It is a Feistel network over the value's maskable
 *   positions (MASK_ROUNDS rounds, each round function an HMAC-SHA-256 of
 *   the round, the value's shape and the other half), the construction of
 *   NIST's format-preserving FF1/FF3-1 with HMAC-SHA-256 as the round
 *   function. It is not reversible without the key.
 * - The type is kept and so is the shape:
 *   S: every letter stays a letter of the same case and script, every digit
 *      a digit; every other character (punctuation, spaces, symbols, emoji)
 *      stays as it is, so the length in characters and bytes is kept, a
 *      phone number keeps its digit count and separators, and a key like
 *      'TENANT#42#USER#7' keeps its '#'s. An email (local@domain.tld, one
 *      '@', a domain with a dot and a top-level domain of two or more ASCII
 *      letters) also keeps its top-level domain: 'jane.doe@acme.com' masks
 *      to something like 'qxvz.kme@wtpo.com', still a valid address. The
 *      masked domain may exist: do not let a staging system mail them.
 *      Letters masked: ASCII, Latin-1 and Latin Extended-A, Greek,
 *      Cyrillic, Hebrew, Arabic, Devanagari, Thai, Hiragana, Katakana, CJK
 *      ideographs and Hangul syllables. Letters of other scripts are kept.
 *   N: the sign, the exponent and the number of significant digits are
 *      kept, and the first and last significant digits stay non-zero, so
 *      the result is a valid DynamoDB number with the same digit count and
 *      magnitude; numbers equal in value ("1.5", "1.50") mask to equal
 *      numbers. Zero stays zero.
 *   B: the same number of bytes, every byte masked.
 *   SS, NS, BS: element by element; since a mask never maps two values to
 *      one, a set stays a set of as many distinct elements.
 *   L, M: every value inside, recursively (map keys, the attribute names,
 *      are kept).
 *   BOOL, NULL: kept (there is nothing to hide in them).
 * - Values with nothing to mask (an empty string, "---", zero) stay as they
 *   are. The shorter a value, the fewer pseudonyms it has (a one-digit
 *   string has ten), and as in any permutation a value may mask to itself:
 *   one in 81 two-digit numbers does, one in 26^n n-letter words.
 */

#define MASK_ROUNDS 8
/* A mask key is a secret of at least this many bytes (128 bits as hex). */
#define MASK_KEY_MIN 16
#define MASK_KEY_MAX 4096

/* The secret, loaded once and shared read-only by every thread. */
struct mask_key {
	char *secret;		/* owned: wiped when released; registered with redact */
	size_t len;
};

/*
 * Loads the key from file (--mask-key-file) when not NULL, else from
 * env_value ($DYNAMO_MASK_KEY's value, NULL when unset). Trailing blanks and
 * line ends are dropped. Refuses a missing, empty, short (MASK_KEY_MIN),
 * long (MASK_KEY_MAX) or NUL-holding key with one line naming its source.
 * The key is registered with the redaction registry until released, so no
 * message, --json line or --debug output ever shows it.
 */
int mask_key_load(struct mask_key *k, const char *file, const char *env_value,
		  struct errbuf *eb);
void mask_key_release(struct mask_key *k);

/* HMAC-SHA-256 with the key's padded blocks hashed once (mask_key.c). */
struct mask_hmac;

/*
 * One thread's masking state: the HMAC prepared from the key, and scratch
 * space reused from value to value. Not shared between threads.
 */
struct masker {
	struct mask_hmac *hmac;			/* owned */
	uint32_t *x, *radix;			/* owned: positions of the value being masked */
	signed char *cls;			/* owned: their character classes */
	uint32_t *at;				/* owned: their byte offsets */
	size_t cap;
	struct buf msg, stream, text, raw;	/* owned: scratch */
};

int masker_init(struct masker *m, const struct mask_key *k);
void masker_release(struct masker *m);

/*
 * Appends the masked attribute value av (DynamoDB JSON) to out. Returns 1
 * when it differs from av, 0 when the value had nothing to mask (out then
 * holds a copy), -1 when av is malformed (out as it was).
 */
int mask_av(struct masker *m, struct slice av, struct buf *out);
/* The pieces, on decoded values: a string's UTF-8 bytes, a number's text, bytes. */
int mask_string(struct masker *m, const char *s, size_t n, struct buf *out);
int mask_number(struct masker *m, const char *s, size_t n, struct buf *out);
void mask_bytes(struct masker *m, const unsigned char *in, size_t n,
		unsigned char *out);

/* ---- the building blocks (exposed for tests) ---- */

/* HMAC-SHA-256 of msg under the masker's key. */
void mask_hmac(struct masker *m, const void *msg, size_t n, unsigned char out[32]);
/*
 * Permutes x[0..n) in place, each x[i] < radix[i] (2 <= radix[i] <= 65536):
 * for each radix vector and tweak, a bijection of all such vectors.
 */
void mask_permute(struct masker *m, uint32_t *x, const uint32_t *radix,
		  size_t n, uint64_t tweak);

#endif
