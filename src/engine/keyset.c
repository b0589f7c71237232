/*
 * A set of item keys in bounded memory, for restore --from-file's prune.
 *
 * The prune must know, for each of the table's keys, whether the file has
 * it. The file is not indexed and may be standard input (read once), so
 * its keys are recorded while it is read: each key as a 16-byte digest
 * (SHA-256 of its canonical attribute values, so 1e3 and 1000 are one key)
 * rather than as text, since keys run to 2 KB.
 *
 * Memory stays bounded whatever the file: digests gather in a buffer of
 * RUN_KEYS (8 MB); when it fills it is sorted and spilled to an unlinked
 * temporary file as a run. Sealing merges the runs into one sorted,
 * de-duplicated file and keeps every INDEX_STRIDE-th digest in memory (16
 * bytes per 256 keys: 6 MB for 100 million keys), so a lookup is a binary
 * search of that index and one pread of at most a 4 KB block. A file of
 * fewer than RUN_KEYS keys never touches the disk. A Bloom filter would be
 * smaller, but its false positives would keep items the file lacks; a
 * digest collision (odds of 2^-64 at 2^32 keys) can only keep an item,
 * never delete one the file has.
 */
#include "dynamo/keyset.h"
#include "dynamo/exitcode.h"
#include "dynamo/item.h"
#include "dynamo/json_scan.h"
#include "dynamo/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIGEST 16
#define RUN_KEYS (512u * 1024)		/* 8 MB of digests in memory while filling */
#define INDEX_STRIDE 256		/* a 4 KB block of the sealed file per lookup */
#define MERGE_BUF 4096			/* digests read at once from each run */

struct digest {
	unsigned char b[DIGEST];
};

struct keyset {
	const struct table_desc *keys;	/* borrowed */
	struct digest *mem;		/* owned: the run being filled, or all keys when sealed in memory */
	size_t nmem;
	int runs_fd;			/* spilled runs, or -1 */
	uint64_t *run_len;		/* owned: digests in each run */
	size_t nruns;
	int sealed_fd;			/* the merged file, or -1 when sealed in memory */
	struct digest *index;		/* owned: every INDEX_STRIDE-th digest of the merged file */
	size_t nindex;
	uint64_t count;
	int sealed;
	struct buf canon;		/* scratch for keyset_add */
};

static int tmp_file(struct errbuf *eb)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = BUF_INIT;
	int fd;

	buf_printf(&path, "%s/dynamo-keys-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkostemp(path.data, O_CLOEXEC);
	if (fd < 0)
		errf(eb, EXIT_IO, "cannot create a temporary file for the file's keys in %s: %s (set TMPDIR)",
		     dir && *dir ? dir : "/tmp", strerror(errno));
	else
		unlink(path.data);	/* gone when dynamo exits, however it exits */
	buf_release(&path);
	return fd;
}

struct keyset *keyset_new(const struct table_desc *keys)
{
	struct keyset *s = xcalloc(1, sizeof(*s));

	s->keys = keys;
	s->runs_fd = s->sealed_fd = -1;
	s->mem = xmalloc(RUN_KEYS * sizeof(*s->mem));
	return s;
}

void keyset_reset(struct keyset *s)
{
	if (s->runs_fd >= 0)
		close(s->runs_fd);
	if (s->sealed_fd >= 0)
		close(s->sealed_fd);
	s->runs_fd = s->sealed_fd = -1;
	free(s->run_len);
	free(s->index);
	s->run_len = NULL;
	s->index = NULL;
	s->nruns = s->nindex = s->nmem = 0;
	s->count = 0;
	s->sealed = 0;
	if (!s->mem)
		s->mem = xmalloc(RUN_KEYS * sizeof(*s->mem));
}

void keyset_free(struct keyset *s)
{
	if (!s)
		return;
	keyset_reset(s);
	free(s->mem);
	buf_release(&s->canon);
	free(s);
}

uint64_t keyset_count(const struct keyset *s)
{
	return s->count;
}

/* The digest of an item's key; -1 when it lacks a key attribute or has one of another kind. */
static int digest_of(const struct keyset *s, struct slice item, struct buf *canon,
		     struct digest *d)
{
	const struct key_attr *attrs[2] = { &s->keys->hash, &s->keys->range };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i;

	buf_reset(canon);
	for (i = 0; i < 2 && attrs[i]->name; i++) {
		struct slice v;
		size_t before;
		uint32_t len;

		if (js_find(item, attrs[i]->name, &v) != 1)
			return -1;
		/* Each value length-prefixed: ("ab","c") and ("a","bc") differ. */
		before = canon->len;
		buf_append(canon, "\0\0\0\0", 4);
		if (av_key_canonical(v, canon) < 0)
			return -1;
		len = (uint32_t)(canon->len - before - 4);
		memcpy(canon->data + before, &len, 4);
	}
	if (!EVP_Digest(canon->data, canon->len, md, &mdlen, EVP_sha256(), NULL))
		return -1;
	memcpy(d->b, md, DIGEST);
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST);
}

static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;

	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Sorts the buffer and appends it to the runs file as one run. */
static int spill(struct keyset *s, struct errbuf *eb)
{
	if (!s->nmem)
		return 0;
	if (s->runs_fd < 0 && (s->runs_fd = tmp_file(eb)) < 0)
		return -1;
	qsort(s->mem, s->nmem, sizeof(*s->mem), cmp_digest);
	if (fd_write_all(s->runs_fd, s->mem, s->nmem * sizeof(*s->mem)) < 0)
		return errf(eb, EXIT_IO, "cannot write the file's keys to a temporary file: %s (set TMPDIR)",
			    strerror(errno));
	s->run_len = xrealloc(s->run_len, (s->nruns + 1) * sizeof(*s->run_len));
	s->run_len[s->nruns++] = s->nmem;
	s->nmem = 0;
	return 0;
}

int keyset_add(struct keyset *s, struct slice item, struct errbuf *eb)
{
	if (digest_of(s, item, &s->canon, &s->mem[s->nmem]) < 0)
		return errf(eb, EXIT_IO, "an item has no valid value for the key attributes '%s'%s%s%s",
			    s->keys->hash.name, s->keys->range.name ? " and '" : "",
			    s->keys->range.name ? s->keys->range.name : "",
			    s->keys->range.name ? "'" : "");
	s->count++;
	if (++s->nmem == RUN_KEYS)
		return spill(s, eb);
	return 0;
}

/* Removes repeats from a sorted array; returns the new length. */
static size_t unique(struct digest *d, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!k || memcmp(d[k - 1].b, d[i].b, DIGEST))
			d[k++] = d[i];
	return k;
}

/* One run being merged: a window of it in memory. */
struct cursor {
	uint64_t off, left;		/* in the runs file, digests not yet read */
	struct digest *buf;
	size_t pos, len;
};

static int cursor_fill(int fd, struct cursor *c)
{
	size_t n = c->left < MERGE_BUF ? (size_t)c->left : MERGE_BUF;

	c->pos = 0;
	c->len = n;
	if (!n)
		return 0;
	if (read_at(fd, c->buf, n * sizeof(*c->buf), c->off * sizeof(*c->buf)) < 0)
		return -1;
	c->off += n;
	c->left -= n;
	return 0;
}

/* Appends d to the merged file (through out), indexing every INDEX_STRIDE-th. */
static int emit(struct keyset *s, const struct digest *d, struct digest *out, size_t *nout,
		uint64_t *written)
{
	if (*written % INDEX_STRIDE == 0) {
		if (s->nindex % 1024 == 0)
			s->index = xrealloc(s->index, (s->nindex + 1024) * sizeof(*s->index));
		s->index[s->nindex++] = *d;
	}
	out[(*nout)++] = *d;
	(*written)++;
	if (*nout == MERGE_BUF) {
		if (fd_write_all(s->sealed_fd, out, *nout * sizeof(*out)) < 0)
			return -1;
		*nout = 0;
	}
	return 0;
}

/* k-way merge of the runs into the sealed file, repeats dropped. */
static int merge_runs(struct keyset *s, struct errbuf *eb)
{
	struct cursor *c = xcalloc(s->nruns, sizeof(*c));
	struct digest *out = xmalloc(MERGE_BUF * sizeof(*out)), last;
	uint64_t off = 0, written = 0;
	size_t i, nout = 0;
	int r = -1, have_last = 0;

	if ((s->sealed_fd = tmp_file(eb)) < 0)
		goto out;
	for (i = 0; i < s->nruns; i++) {
		c[i].buf = xmalloc(MERGE_BUF * sizeof(*c[i].buf));
		c[i].off = off;
		c[i].left = s->run_len[i];
		off += s->run_len[i];
		if (cursor_fill(s->runs_fd, &c[i]) < 0)
			goto io;
	}
	for (;;) {
		size_t best = s->nruns;

		for (i = 0; i < s->nruns; i++)
			if (c[i].pos < c[i].len &&
			    (best == s->nruns || memcmp(c[i].buf[c[i].pos].b, c[best].buf[c[best].pos].b, DIGEST) < 0))
				best = i;
		if (best == s->nruns)
			break;
		if (!have_last || memcmp(last.b, c[best].buf[c[best].pos].b, DIGEST)) {
			last = c[best].buf[c[best].pos];
			have_last = 1;
			if (emit(s, &last, out, &nout, &written) < 0)
				goto io;
		}
		if (++c[best].pos == c[best].len && cursor_fill(s->runs_fd, &c[best]) < 0)
			goto io;
	}
	if (nout && fd_write_all(s->sealed_fd, out, nout * sizeof(*out)) < 0)
		goto io;
	s->count = written;
	r = 0;
	goto out;
io:
	errf(eb, EXIT_IO, "cannot sort the file's keys in a temporary file: %s (set TMPDIR)",
	     strerror(errno));
out:
	for (i = 0; i < s->nruns; i++)
		free(c[i].buf);
	free(c);
	free(out);
	return r;
}

int keyset_seal(struct keyset *s, struct errbuf *eb)
{
	if (s->sealed)
		return 0;
	if (!s->nruns) {
		/* Everything fits in memory: no file at all (and no array at all for an empty file). */
		if (s->nmem)
			qsort(s->mem, s->nmem, sizeof(*s->mem), cmp_digest);
		s->nmem = unique(s->mem, s->nmem);
		s->count = s->nmem;
		s->sealed = 1;
		return 0;
	}
	if (spill(s, eb) < 0 || merge_runs(s, eb) < 0)
		return -1;
	close(s->runs_fd);
	s->runs_fd = -1;
	free(s->mem);
	s->mem = NULL;
	s->nmem = 0;
	s->sealed = 1;
	return 0;
}

/* The last index entry not above d (the block that may hold it), or -1. */
static long find_block(const struct keyset *s, const struct digest *d)
{
	long lo = 0, hi = (long)s->nindex - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (memcmp(s->index[mid].b, d->b, DIGEST) <= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

int keyset_has(struct keyset *s, struct slice key)
{
	struct digest d, block[INDEX_STRIDE];
	struct buf canon = BUF_INIT;	/* s->canon is the filling thread's */
	uint64_t first, n;
	long b;
	int ok = digest_of(s, key, &canon, &d) == 0;

	buf_release(&canon);
	if (!ok)
		return 1;	/* a key that cannot be read is never a reason to delete */
	if (s->sealed_fd < 0)
		return bsearch(&d, s->mem, s->nmem, sizeof(d), cmp_digest) != NULL;
	if ((b = find_block(s, &d)) < 0)
		return 0;
	first = (uint64_t)b * INDEX_STRIDE;
	n = s->count - first < INDEX_STRIDE ? s->count - first : INDEX_STRIDE;
	/* A read error must not pass for "absent" (a delete): say present. */
	if (read_at(s->sealed_fd, block, (size_t)n * sizeof(d), first * sizeof(d)) < 0)
		return 1;
	return bsearch(&d, block, (size_t)n, sizeof(d), cmp_digest) != NULL;
}

/* ---- the prune sink ---- */

static int ks_item(struct worker *w, struct slice key, struct page *pg)
{
	if (keyset_has(w->job->out.ctx, key)) {
		page_done(pg, 1);
		return 0;
	}
	return batch_writer_ops.item(w, key, pg);	/* the writer deletes for this job */
}

static void ks_flush(struct worker *w)
{
	batch_writer_ops.flush(w);
}

static size_t ks_backlog(struct worker *w)
{
	return batch_writer_ops.backlog(w);
}

static void ks_release(struct worker *w)
{
	batch_writer_ops.release(w);
}

static int ks_init(struct worker *w)
{
	return batch_writer_ops.init(w);
}

static void ks_page_end(struct worker *w, struct page *pg)
{
	batch_writer_ops.page_end(w, pg);
}

/* The writer's retries wait in its mix: its tick wakes them and busy keeps the worker for them. */
const struct sink_ops keyset_prune_ops = {
	ks_item, ks_flush, ks_backlog, ks_release, ks_init, ks_page_end,
	batch_writer_tick, batch_writer_busy
};
