#ifndef DYNAMO_STRSET_H
#define DYNAMO_STRSET_H

#include <stddef.h>

/* A set of byte strings (open addressing), for --unique. */
struct strset {
	char **keys;		/* owned; NULL slots are empty */
	size_t *lens;
	size_t cap, n;
};

void strset_init(struct strset *s);
void strset_release(struct strset *s);
/* Adds a copy of p[0..n); returns 1 if it was new, 0 if already there. */
int strset_add(struct strset *s, const char *p, size_t n);
/* The members, sorted bytewise (valid until the set changes); free the array. */
const char **strset_sorted(const struct strset *s, size_t **lens);

#endif
