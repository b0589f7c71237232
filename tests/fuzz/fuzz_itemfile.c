/*
 * Item files (src/engine/itemfile.c): the lines 'dynamo restore' and
 * '--from-file' read, plain or gzip-compressed. The input is written to a
 * memory file and read through item_reader_open/item_reader_next, as the
 * command does.
 *
 * Checks, for plain (not gzip) input, against a reference that splits the
 * bytes on '\n' itself: every line that is not blank is either an item
 * (a JSON object; {"Item":{...}} unwrapped) returned in order with its
 * exact bytes, or the error that stops the reader, naming that line's
 * number; nothing is skipped, merged or invented. For gzip input: no crash,
 * no leak, and every item returned is a valid JSON object. Input with a NUL
 * byte is an error naming its line; a UTF-8 byte order mark opening the
 * file is skipped. A gzip stream cut before its trailer is an error, never
 * a complete file. A file whose first line opens one JSON document (the
 * output of 'aws dynamodb scan', an array of items) is read as that
 * document: see check_document.
 */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "dynamo/buf.h"
#include "dynamo/itemfile.h"
#include "dynamo/json_scan.h"
#include "dynamo/msg.h"

/* What the reader should make of one line: 1 item, 0 blank, -1 error. */
static int expect_line(const char *p, const char *end, struct slice *item)
{
	struct slice line, inner;
	struct js_iter it;
	struct slice k, v;
	int members = 0;

	if (end > p && end[-1] == '\r')
		end--;
	p = js_ws(p, end);
	if (p == end)
		return 0;
	line.p = p;
	line.n = (size_t)(end - p);
	if (*p != '{' || !ref_valid(line.p, line.n))
		return -1;
	*item = line;
	if (js_find(line, "Item", &inner) == 1 && *inner.p == '{') {
		js_begin(&it, line, '{');
		while (js_next_member(&it, &k, &v) == 1)
			members++;
		if (members == 1)
			*item = inner;
	}
	return 1;
}

/*
 * Whether the first line that is not blank, p..eol, opens one JSON document
 * (aws dynamodb scan output, an array of items) rather than a line file.
 */
static int opens_document(const char *p, const char *eol)
{
	struct slice line, items, item;

	if (eol > p && eol[-1] == '\r')
		eol--;
	p = js_ws(p, eol);
	line.p = p;
	line.n = (size_t)(eol - p);
	if (p == eol)
		return 0;
	if (*p == '[')
		return 1;
	if (*p != '{' || !ref_valid(line.p, line.n))
		return *p == '{';
	return js_find(line, "Items", &items) == 1 && *items.p == '[' &&
	       js_find(line, "Item", &item) != 1;
}

/*
 * A document: every object the reader gives is a valid JSON object; when
 * the document is valid JSON, they are exactly the elements of its array
 * (or of its top-level "Items"), in order, and the file ends without error
 * when they all are objects.
 */
static void check_document(struct item_reader *r, const char *p, const char *end)
{
	struct errbuf eb = ERRBUF_INIT;
	struct slice doc = { p, (size_t)(end - p) }, arr, want, got;
	struct js_iter it;
	int valid, all_objects = 1, n = 0;

	doc.p = js_ws(doc.p, end);
	doc.n = (size_t)(end - doc.p);
	while (doc.n && (doc.p[doc.n - 1] == ' ' || doc.p[doc.n - 1] == '\n' ||
			 doc.p[doc.n - 1] == '\r' || doc.p[doc.n - 1] == '\t'))
		doc.n--;
	valid = ref_valid(doc.p, doc.n) && !memchr(doc.p, '\0', doc.n);
	if (valid && *doc.p == '{')
		valid = js_find(doc, "Items", &arr) == 1 && *arr.p == '[';
	else
		arr = doc;
	if (valid && js_begin(&it, arr, '[') == 0) {
		while (js_next_element(&it, &want) == 1) {
			if (*want.p != '{') {
				all_objects = 0;
				break;
			}
			FUZZ_CHECK(item_reader_next(r, &got, &eb));
			FUZZ_CHECK(got.n == want.n && !memcmp(got.p, want.p, want.n));
		}
		if (all_objects)
			FUZZ_CHECK(!item_reader_next(r, &got, &eb) && !eb.set);
		return;
	}
	while (n++ < 1000 && item_reader_next(r, &got, &eb))
		FUZZ_CHECK(got.n && *got.p == '{' && js_valid(got));
}

static void check_plain(struct item_reader *r, const char *data, size_t size)
{
	const char *p = data, *end = data + size;
	struct errbuf eb = ERRBUF_INIT;
	unsigned long lineno = 0;
	struct slice got, want;
	int first = 1;

	/* A UTF-8 byte order mark opening the file is skipped. */
	if (size >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int e;

		lineno++;
		if (first && js_ws(p, eol) < eol && !memchr(p, '\0', (size_t)(eol - p))) {
			first = 0;
			if (opens_document(p, eol)) {
				check_document(r, p, end);
				return;
			}
		}
		e = expect_line(p, eol, &want);
		p = nl ? nl + 1 : end;
		if (e == 0)
			continue;
		if (e < 0) {
			char where[64];

			FUZZ_CHECK(!item_reader_next(r, &got, &eb));
			snprintf(where, sizeof(where), "line %lu of", lineno);
			if (!eb.set || !strstr(eb.msg, where)) {
				fprintf(stderr, "expected an error at %s, got '%s'\n",
					where, eb.msg);
				abort();
			}
			return;
		}
		if (!item_reader_next(r, &got, &eb) || got.n != want.n ||
		    memcmp(got.p, want.p, want.n)) {
			fprintf(stderr, "line %lu: expected item '%.*s', got '%.*s' (%s)\n",
				lineno, (int)want.n, want.p, got.p ? (int)got.n : 0,
				got.p ? got.p : "", eb.msg);
			abort();
		}
	}
	FUZZ_CHECK(!item_reader_next(r, &got, &eb) && !eb.set);
}

/* Whether the first gzip member of data ends before its trailer (without being invalid). */
static int gzip_cut_short(const uint8_t *data, size_t size)
{
	unsigned char out[16384];
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	FUZZ_CHECK(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (unsigned)size;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		r = inflate(&z, Z_NO_FLUSH);
	} while (r == Z_OK);
	inflateEnd(&z);
	return r == Z_BUF_ERROR && z.avail_in == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct item_reader *r = NULL;
	struct errbuf eb = ERRBUF_INIT;
	char path[64];
	int fd = memfd_create("fuzz-items", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	FUZZ_CHECK(item_reader_open(&r, path, &eb) == 0);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		struct slice got;
		int n = 0;

		while (n++ < 1000 && item_reader_next(r, &got, &eb)) {
			FUZZ_CHECK(got.n && *got.p == '{');
			FUZZ_CHECK(js_valid(got));
		}
		/* A stream cut before its trailer never ends as a complete file. */
		if (n <= 1000 && gzip_cut_short(data, size))
			FUZZ_CHECK(eb.set);
	} else {
		check_plain(r, (const char *)data, size);
	}
	item_reader_close(r);
	close(fd);
	return 0;
}
