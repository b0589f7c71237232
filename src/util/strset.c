#include "dynamo/strset.h"
#include "dynamo/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void strset_init(struct strset *s)
{
	memset(s, 0, sizeof(*s));
}

void strset_release(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->lens);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static size_t slot(const struct strset *s, const char *p, size_t n)
{
	size_t i = (size_t)hash(p, n) & (s->cap - 1);

	while (s->keys[i] && !(s->lens[i] == n && !memcmp(s->keys[i], p, n)))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void grow(struct strset *s)
{
	struct strset bigger;
	size_t i;

	bigger.cap = s->cap ? s->cap * 2 : 64;
	bigger.n = s->n;
	bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
	bigger.lens = xcalloc(bigger.cap, sizeof(*bigger.lens));
	bigger.vals = xcalloc(bigger.cap, sizeof(*bigger.vals));
	for (i = 0; i < s->cap; i++)
		if (s->keys[i]) {
			size_t k = slot(&bigger, s->keys[i], s->lens[i]);

			bigger.keys[k] = s->keys[i];
			bigger.lens[k] = s->lens[i];
			bigger.vals[k] = s->vals[i];
		}
	free(s->keys);
	free(s->lens);
	free(s->vals);
	*s = bigger;
}

int strset_put(struct strset *s, const char *p, size_t n, size_t val, size_t *old)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	i = slot(s, p, n);
	if (s->keys[i]) {
		if (old)
			*old = s->vals[i];
		return 0;
	}
	s->keys[i] = xstrndup(p, n);
	s->lens[i] = n;
	s->vals[i] = val;
	s->n++;
	return 1;
}

int strset_add(struct strset *s, const char *p, size_t n)
{
	return strset_put(s, p, n, 0, NULL);
}

int strset_get(const struct strset *s, const char *p, size_t n, size_t *val)
{
	size_t i;

	if (!s->cap)
		return 0;
	i = slot(s, p, n);
	if (!s->keys[i])
		return 0;
	*val = s->vals[i];
	return 1;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **strset_sorted(const struct strset *s, size_t **lens)
{
	const char **v = xcalloc(s->n + 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < s->cap; i++)
		if (s->keys[i])
			v[k++] = s->keys[i];
	qsort(v, k, sizeof(*v), by_bytes);
	if (lens) {
		*lens = xcalloc(k + 1, sizeof(**lens));
		for (i = 0; i < k; i++)
			(*lens)[i] = strlen(v[i]);
	}
	return v;
}
