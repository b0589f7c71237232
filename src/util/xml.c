#include "dynamo/xml.h"
#include "dynamo/parse.h"

#include <stdio.h>
#include <string.h>

int xml_find(const char *body, size_t len, const char *tag, const char **val,
	     size_t *vlen)
{
	char open[64], close[64];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	s = memmem(body, len, open, strlen(open));
	if (!s)
		return -1;
	s += strlen(open);
	e = memmem(s, (size_t)(body + len - s), close, strlen(close));
	if (!e)
		return -1;
	*val = s;
	*vlen = (size_t)(e - s);
	return 0;
}

static int put_utf8(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xc0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xe0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	else if (cp < 0x110000)
		u[0] = (char)(0xf0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	else
		return -1;
	return buf_append(out, u, n);
}

static int decode_entity(const char *p, const char *end, struct buf *out,
			 const char **next)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' }
	};
	const char *semi = memchr(p, ';', (size_t)(end - p));
	size_t i;

	if (!semi)
		return -1;
	*next = semi + 1;
	if (p[1] == '#') {
		/* &#DIGITS; or &#xHEX; naming an XML character: not NUL, not a surrogate. */
		int base = p[2] == 'x' ? 16 : 10;
		const char *d = base == 16 ? p + 3 : p + 2;
		unsigned long cp = 0;

		if (d == semi)
			return -1;
		for (; d < semi; d++) {
			int v = hex_value(*d);

			if (v < 0 || v >= base)
				return -1;
			cp = cp * (unsigned long)base + (unsigned long)v;
			if (cp > 0x10ffff)
				return -1;
		}
		if (!cp || (cp >= 0xd800 && cp < 0xe000))
			return -1;
		return put_utf8(out, cp);
	}
	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if ((size_t)(semi + 1 - (p + 1)) == strlen(ents[i].name) &&
		    !memcmp(p + 1, ents[i].name, strlen(ents[i].name)))
			return buf_putc(out, ents[i].c);
	return -1;
}

int xml_text(const char *body, size_t len, const char *tag, struct buf *out)
{
	const char *v, *end, *p;
	size_t n;

	if (xml_find(body, len, tag, &v, &n) < 0)
		return -1;
	end = v + n;
	for (p = v; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));

		if (!amp)
			return buf_append(out, p, (size_t)(end - p));
		if (buf_append(out, p, (size_t)(amp - p)) < 0 ||
		    decode_entity(amp, end, out, &p) < 0)
			return -1;
	}
	return 0;
}
