#ifndef DYNAMO_STRSET_H
#define DYNAMO_STRSET_H

#include <stddef.h>

/*
 * A set of byte strings (open addressing), for --unique; with a value per
 * member it is also a map from strings to indexes (the INI reader's).
 */
struct strset {
	char **keys;		/* owned; NULL slots are empty */
	size_t *lens;
	size_t *vals;		/* each member's value (strset_put) */
	size_t cap, n;
};

void strset_init(struct strset *s);
void strset_release(struct strset *s);
/* Adds a copy of p[0..n); returns 1 if it was new, 0 if already there. */
int strset_add(struct strset *s, const char *p, size_t n);
/*
 * Adds p[0..n) with value val; returns 1 if it was new, 0 if already there
 * (its value then stays, and is stored in *old when old is not NULL).
 */
int strset_put(struct strset *s, const char *p, size_t n, size_t val, size_t *old);
/* 1 and the value of p[0..n) in *val when it is a member, else 0. */
int strset_get(const struct strset *s, const char *p, size_t n, size_t *val);
/* The members, sorted bytewise (valid until the set changes); free the array. */
const char **strset_sorted(const struct strset *s, size_t **lens);

#endif
