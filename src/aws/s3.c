/*
 * The S3 client: addressing, listing, streamed and windowed reads (s3.h).
 */
#include "dynamo/s3.h"
#include "dynamo/clock.h"
#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"
#include "dynamo/parse.h"
#include "dynamo/sigv4.h"
#include "dynamo/xml.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define S3_MAX_KEY 1024		/* bytes of UTF-8, S3's limit */

/* ---- s3:// URLs and bucket names ---- */

static int legacy_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_';
}

int s3_bucket_check(const char *bucket, const char *flag, struct errbuf *eb)
{
	size_t n = strlen(bucket), i;

	for (i = 0; i < n && legacy_char(bucket[i]); i++)
		;
	if (n < 3 || n > 255 || i < n || strstr(bucket, ".."))
		return errf(eb, EXIT_USAGE,
			    "%s: '%s' is not a valid S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-')",
			    flag, bucket);
	return 0;
}

int s3_url_parse(struct s3_url *u, const char *url, const char *flag,
		 struct errbuf *eb)
{
	const char *b, *slash;
	char *bucket;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "s3://", 5))
		return errf(eb, EXIT_USAGE,
			    "%s '%s' is not an S3 URL (expected s3://BUCKET/PREFIX)",
			    flag, url);
	b = url + 5;
	slash = strchr(b, '/');
	bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	if (!*bucket) {
		free(bucket);
		return errf(eb, EXIT_USAGE, "%s '%s' names no bucket (expected s3://BUCKET/PREFIX)",
			    flag, url);
	}
	if (s3_bucket_check(bucket, flag, eb) < 0) {
		free(bucket);
		return -1;
	}
	if (slash && strlen(slash + 1) > S3_MAX_KEY) {
		free(bucket);
		return errf(eb, EXIT_USAGE, "%s: the key in '%s' is longer than S3's %d bytes",
			    flag, url, S3_MAX_KEY);
	}
	u->bucket = bucket;
	u->key = xstrdup(slash ? slash + 1 : "");
	return 0;
}

void s3_url_release(struct s3_url *u)
{
	free(u->bucket);
	free(u->key);
	memset(u, 0, sizeof(*u));
}

/* ---- the client ---- */

int s3_open(struct s3 *s, const struct s3_settings *st, struct errbuf *eb)
{
	static const char *const styles[] = { "auto", "path", "virtual", NULL };
	const char *style = st->profile ?
			    aws_profile_sub_get(st->cfg, st->profile, "s3", "addressing_style") : NULL;
	int i;

	memset(s, 0, sizeof(*s));
	if (endpoint_resolve(&s->ep, st->cfg, st->profile, "s3", st->region, NULL, eb) < 0)
		return -1;
	if (style) {
		for (i = 0; styles[i] && strcmp(style, styles[i]); i++)
			;
		if (!styles[i]) {
			endpoint_release(&s->ep);
			return errf(eb, EXIT_CONFIG,
				    "addressing_style '%s' in the s3 settings of profile '%s' in %s is not auto, path or virtual",
				    style, st->profile, aws_profile_file(st->cfg, st->profile));
		}
		s->addressing = (enum s3_addressing)i;
	}
	s->region = xstrdup(st->region);
	s->signer.creds = st->creds;
	s->signer.region = s->region;
	s->signer.service = "s3";
	return 0;
}

void s3_close(struct s3 *s)
{
	endpoint_release(&s->ep);
	endpoint_release(&s->redirect_ep);
	free(s->region);
	free(s->redirect_bucket);
	free(s->redirect_region);
	memset(s, 0, sizeof(*s));
}

/* A bucket name that can be a DNS label of a TLS wildcard certificate. */
static int dns_label(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-'))
			return 0;
	return 1;
}

/* The service endpoint and region for bucket: the redirected ones, if any. */
static const struct endpoint *base_endpoint(const struct s3 *s, const char *bucket,
					    const char **region)
{
	if (s->redirect_bucket && !strcmp(s->redirect_bucket, bucket)) {
		*region = s->redirect_region;
		return &s->redirect_ep;
	}
	*region = s->region;
	return &s->ep;
}

int s3_target(const struct s3 *s, const char *bucket, const char *key,
	      struct endpoint *ep, struct buf *path, struct errbuf *eb)
{
	const char *region, *scheme_end;
	const struct endpoint *base = base_endpoint(s, bucket, &region);
	int virtual_host = s->addressing == S3_ADDRESSING_VIRTUAL ||
			   (s->addressing == S3_ADDRESSING_AUTO && !base->custom && dns_label(bucket));
	int err = 0;

	memset(ep, 0, sizeof(*ep));
	if (s->addressing == S3_ADDRESSING_VIRTUAL && !dns_label(bucket) && !strchr(bucket, '.'))
		return errf(eb, EXIT_CONFIG,
			    "bucket '%s' cannot be reached with addressing_style = virtual (its name is not a DNS label): use path or auto",
			    bucket);
	if (virtual_host) {
		struct buf url = BUF_INIT;

		scheme_end = strstr(base->url, "://");
		buf_append(&url, base->url, (size_t)(scheme_end + 3 - base->url));
		buf_printf(&url, "%s.%s", bucket, base->host);
		ep->url = buf_detach(&url);
		ep->host = xmalloc(strlen(bucket) + strlen(base->host) + 2);
		sprintf(ep->host, "%s.%s", bucket, base->host);
		ep->path = xstrdup(base->path);
		ep->custom = base->custom;
	} else {
		endpoint_copy(ep, base);
		err |= buf_putc(path, '/');
		err |= sigv4_uri_encode(path, bucket, strlen(bucket), 0);
	}
	err |= buf_putc(path, '/');
	err |= sigv4_uri_encode(path, key, strlen(key), 1);
	if (err) {
		endpoint_release(ep);
		return errf(eb, EXIT_USAGE, "the S3 key '%s' is too long", key);
	}
	return 0;
}

/* ---- one request ---- */

struct s3_call {
	struct http_call c;
	struct endpoint ep;		/* owned: where it goes */
	struct signer sign;		/* the client's, with the bucket's region */
	struct buf path, query;		/* owned */
	char name[160];			/* "GetObject s3://bucket/key", for messages */
	char range[80], if_match[96];
	const char *hdrs[3];
};

static void s3_call_release(struct s3_call *sc)
{
	http_call_release(&sc->c);
	endpoint_release(&sc->ep);
	buf_release(&sc->path);
	buf_release(&sc->query);
}

static int s3_call_init(struct s3_call *sc, struct s3 *s, const char *op,
			const char *bucket, const char *key, struct errbuf *eb)
{
	const char *region;

	memset(sc, 0, sizeof(*sc));
	http_call_init(&sc->c);
	buf_init(&sc->path, 0);
	buf_init(&sc->query, 0);
	if (s3_target(s, bucket, key, &sc->ep, &sc->path, eb) < 0) {
		s3_call_release(sc);
		return -1;
	}
	base_endpoint(s, bucket, &region);
	sc->sign = s->signer;
	sc->sign.region = region;
	snprintf(sc->name, sizeof(sc->name), "%s s3://%s/%s", op, bucket, key);
	sc->c.method = "GET";
	sc->c.ep = &sc->ep;
	sc->c.path = sc->path.data;
	sc->c.op = sc->name;
	sc->c.sign = &sc->sign;
	sc->c.hooks = &aws_query_hooks;	/* S3's <Error><Code>...</Code> */
	sc->c.content_type = "application/octet-stream";
	return 0;
}

int s3_error_region(const char *body, size_t len, char *out, size_t n)
{
	struct errbuf bad = ERRBUF_INIT;
	struct buf v = BUF_INIT;
	const char *r, *end;
	int rc = -1;

	if (xml_text(body, len, "Region", &v) == 0 && v.len && v.len < n) {
		snprintf(out, n, "%s", v.data);
		rc = 0;
	}
	buf_reset(&v);
	/* PermanentRedirect: <Endpoint>bucket.s3.eu-west-1.amazonaws.com</Endpoint> */
	if (rc < 0 && xml_text(body, len, "Endpoint", &v) == 0 && v.data &&
	    (r = strstr(v.data, "s3.")) && (end = strstr(r + 3, ".amazonaws.com")) &&
	    end > r + 3 && (size_t)(end - (r + 3)) < n) {
		snprintf(out, n, "%.*s", (int)(end - (r + 3)), r + 3);
		rc = 0;
	}
	buf_release(&v);
	if (rc == 0 && region_check(out, 1, &bad) < 0)
		rc = -1;
	return rc;
}

/*
 * A bucket in another region: S3 says which one (AWS endpoints only; a
 * custom endpoint is what the user chose). Remembers it for the bucket and
 * returns 1 when the request should be made again.
 */
static int follow_region(struct s3 *s, const char *bucket, const struct http_call *c)
{
	char region[64], url[256];
	struct errbuf eb = ERRBUF_INIT;
	const char *cur;

	base_endpoint(s, bucket, &cur);
	if (s->ep.custom || (c->status != 301 && c->status != 400) ||
	    (strcmp(c->err.type, "AuthorizationHeaderMalformed") &&
	     strcmp(c->err.type, "PermanentRedirect") &&
	     strcmp(c->err.type, "IllegalLocationConstraintException")) ||
	    s3_error_region(c->resp.data ? c->resp.data : "", c->resp.len, region,
			    sizeof(region)) < 0 ||
	    !strcmp(region, cur))
		return 0;
	snprintf(url, sizeof(url), "https://s3.%s.%s", region,
		 strncmp(region, "cn-", 3) ? "amazonaws.com" : "amazonaws.com.cn");
	endpoint_release(&s->redirect_ep);
	if (endpoint_parse(&s->redirect_ep, url, &eb) < 0)
		return 0;
	free(s->redirect_bucket);
	free(s->redirect_region);
	s->redirect_bucket = xstrdup(bucket);
	s->redirect_region = xstrdup(region);
	msg_debug("s3: bucket '%s' is in %s, not %s: asking there", bucket, region, cur);
	return 1;
}

/* A failed S3 request as one line: the s3:// URL, S3's code and message. */
static int s3_report(const struct s3_call *sc, const char *bucket, const char *key,
		     const struct errbuf *why, struct errbuf *eb)
{
	const char *type = sc->c.err.type;

	if (sc->c.outcome != HTTP_REJECTED)
		return errf(eb, why->exit ? why->exit : EXIT_FAILURE_RUNTIME, "%s", why->msg);
	if (!strcmp(type, "NoSuchBucket"))
		return errf(eb, EXIT_NOT_FOUND, "bucket '%s' does not exist (%s at %s)",
			    bucket, sc->name, sc->ep.host);
	if (!strcmp(type, "NoSuchKey") || (sc->c.status == 404 && !strcmp(type, "HTTP404")))
		return errf(eb, EXIT_NOT_FOUND, "s3://%s/%s does not exist (NoSuchKey)",
			    bucket, key);
	return errf(eb, why->exit ? why->exit : EXIT_FAILURE_RUNTIME, "%s", why->msg);
}

/* ---- listing ---- */

void s3_lister_init(struct s3_lister *l, struct s3 *s, const char *bucket,
		    const char *prefix)
{
	memset(l, 0, sizeof(*l));
	l->s3 = s;
	l->bucket = xstrdup(bucket);
	l->prefix = xstrdup(prefix);
}

static void free_page(struct s3_object *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(objs[i].key);
	free(objs);
}

void s3_lister_release(struct s3_lister *l)
{
	free_page(l->objs, l->nobjs);
	free(l->bucket);
	free(l->prefix);
	free(l->token);
	free(l->last_key);
	memset(l, 0, sizeof(*l));
}

/* Decodes encoding-type=url ('+' is a space, as S3 writes it); -1 if malformed. */
static int url_decode(const char *s, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= n || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
				return -1;
			c = (char)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (!c || buf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

/* The decoded text of <tag> in [p, p+n), url-decoded too when encoded. */
static int xml_field(const char *p, size_t n, const char *tag, int encoded,
		     struct buf *out)
{
	struct buf raw = BUF_INIT;
	int r;

	buf_reset(out);
	if (xml_text(p, n, tag, &raw) < 0) {
		buf_release(&raw);
		return -1;
	}
	if (encoded)
		r = url_decode(raw.data ? raw.data : "", raw.len, out);
	else
		r = buf_append(out, raw.data ? raw.data : "", raw.len);
	buf_release(&raw);
	return r;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

struct list_page {
	struct s3_object *objs;
	size_t n, cap;
	char *last;		/* borrowed: the last key */
};

/* One <Contents> block: its key, size and ETag, checked against the listing. */
static int parse_contents(const struct s3_lister *l, const char *p, size_t n,
			  int encoded, struct list_page *pg, char *why, size_t wn)
{
	struct buf key = BUF_INIT, v = BUF_INIT;
	struct s3_object o;
	const char *prev = pg->last ? pg->last : l->last_key;
	int r = -1;

	memset(&o, 0, sizeof(o));
	if (xml_field(p, n, "Key", encoded, &key) < 0 || !key.len) {
		snprintf(why, wn, "a listed object has no valid <Key>");
		goto cleanup;
	}
	if (strncmp(key.data, l->prefix, strlen(l->prefix)) || strlen(key.data) != key.len) {
		snprintf(why, wn, "the listing of prefix '%s' holds key '%.200s', outside it",
			 l->prefix, key.data);
		goto cleanup;
	}
	if (prev && strcmp(key.data, prev) <= 0) {
		snprintf(why, wn, "the listing goes back: key '%.200s' comes after '%.200s'",
			 key.data, prev);
		goto cleanup;
	}
	if (xml_field(p, n, "Size", 0, &v) < 0 || parse_u64(v.data, &o.size) < 0) {
		snprintf(why, wn, "object '%.200s' has no valid <Size>", key.data);
		goto cleanup;
	}
	if (xml_field(p, n, "ETag", 0, &v) == 0)
		snprintf(o.etag, sizeof(o.etag), "%s", v.data ? v.data : "");
	o.key = buf_detach(&key);
	if (pg->n == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 64;
		pg->objs = xrealloc(pg->objs, pg->cap * sizeof(*pg->objs));
	}
	pg->objs[pg->n++] = o;
	pg->last = o.key;
	r = 0;
cleanup:
	buf_release(&key);
	buf_release(&v);
	return r;
}

int s3_list_parse(struct s3_lister *l, const char *body, size_t len,
		  char *why, size_t n)
{
	struct list_page pg = { NULL, 0, 0, NULL };
	struct buf v = BUF_INIT, token = BUF_INIT;
	const char *p = body, *end = body + len, *blk;
	uint64_t key_count;
	size_t blen;
	int truncated, encoded, r = -1;

	if (!memmem(body, len, "<ListBucketResult", 17)) {
		snprintf(why, n, "the answer is not a ListBucketResult");
		goto cleanup;
	}
	if (xml_field(body, len, "IsTruncated", 0, &v) < 0 ||
	    (strcmp(v.data ? v.data : "", "true") && strcmp(v.data ? v.data : "", "false"))) {
		snprintf(why, n, "the listing has no <IsTruncated>");
		goto cleanup;
	}
	truncated = !strcmp(v.data, "true");
	if (xml_field(body, len, "KeyCount", 0, &v) < 0 || parse_u64(v.data, &key_count) < 0) {
		snprintf(why, n, "the listing has no <KeyCount>");
		goto cleanup;
	}
	encoded = xml_field(body, len, "EncodingType", 0, &v) == 0 && v.data &&
		  !strcmp(v.data, "url");
	while (p < end && xml_find(p, (size_t)(end - p), "Contents", &blk, &blen) == 0) {
		if (parse_contents(l, blk, blen, encoded, &pg, why, n) < 0)
			goto cleanup;
		p = blk + blen;
	}
	if (pg.n != key_count) {
		snprintf(why, n, "the listing says <KeyCount>%" PRIu64 "</KeyCount> but holds %zu keys",
			 key_count, pg.n);
		goto cleanup;
	}
	if (truncated) {
		if (xml_field(body, len, "NextContinuationToken", 0, &token) < 0 || !token.len) {
			snprintf(why, n, "a truncated listing has no <NextContinuationToken>");
			goto cleanup;
		}
		if (l->token && !strcmp(l->token, token.data)) {
			snprintf(why, n, "the listing does not advance: the next page's token is the one just sent");
			goto cleanup;
		}
	}
	/* Sound: the page replaces the last one. */
	free_page(l->objs, l->nobjs);
	l->objs = pg.objs;
	l->nobjs = pg.n;
	pg.objs = NULL;
	pg.n = 0;
	if (l->nobjs) {
		free(l->last_key);
		l->last_key = xstrdup(l->objs[l->nobjs - 1].key);
	}
	free(l->token);
	l->token = truncated ? buf_detach(&token) : NULL;
	l->done = !truncated;
	l->pages++;
	l->keys += l->nobjs;
	r = 0;
cleanup:
	free_page(pg.objs, pg.n);
	buf_release(&v);
	buf_release(&token);
	return r;
}

static int check_list_page(struct http_call *c, char *why, size_t n)
{
	return s3_list_parse(c->owner, c->resp.data ? c->resp.data : "", c->resp.len, why, n);
}

static void list_query(const struct s3_lister *l, struct buf *q)
{
	buf_reset(q);
	buf_puts(q, "list-type=2&encoding-type=url&prefix=");
	sigv4_uri_encode(q, l->prefix, strlen(l->prefix), 0);
	if (l->token) {
		buf_puts(q, "&continuation-token=");
		sigv4_uri_encode(q, l->token, strlen(l->token), 0);
	}
	if (l->max_keys > 0 && l->max_keys <= 1000)
		buf_printf(q, "&max-keys=%d", l->max_keys);
}

int s3_lister_next(struct s3_lister *l, struct errbuf *eb)
{
	int attempt;

	if (l->done)
		return 0;
	for (attempt = 0;; attempt++) {
		struct errbuf why = ERRBUF_INIT;
		struct s3_call sc;
		int r;

		if (s3_call_init(&sc, l->s3, "ListObjectsV2", l->bucket, "", eb) < 0)
			return -1;
		snprintf(sc.name, sizeof(sc.name), "ListObjectsV2 s3://%s/%s", l->bucket, l->prefix);
		list_query(l, &sc.query);
		sc.c.query = sc.query.data;
		sc.c.check = check_list_page;
		sc.c.owner = l;
		r = http_call_sync(&sc.c, &why);
		if (r < 0 && attempt == 0 && follow_region(l->s3, l->bucket, &sc.c)) {
			s3_call_release(&sc);
			continue;
		}
		if (r < 0)
			s3_report(&sc, l->bucket, l->prefix, &why, eb);
		s3_call_release(&sc);
		return r < 0 ? -1 : 1;
	}
}

/* ---- reading ---- */

struct get_state {
	s3_sink_fn sink;
	void *ctx;
	struct errbuf why;		/* the sink's or the checks' reason to stop */
	uint64_t offset;		/* first byte asked of this attempt */
	int ranged;			/* a Range was sent */
	int checked;			/* the first bytes' checks were made */
	const char *etag;		/* the ETag required, or NULL */
	struct s3_object_info *info;
	char resp_etag[80];
	uint64_t range_start, total, content_length;
	int has_range, has_total, has_length;
};

static int header_is(const char *line, size_t n, const char *name, const char **v,
		     size_t *vlen)
{
	size_t nl = strlen(name);
	const char *end = line + n;

	if (n <= nl || strncasecmp(line, name, nl) || line[nl] != ':')
		return 0;
	*v = line + nl + 1;
	while (*v < end && (**v == ' ' || **v == '\t'))
		(*v)++;
	while (end > *v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	*vlen = (size_t)(end - *v);
	return 1;
}

static void on_get_header(struct http_call *c, const char *line, size_t n)
{
	struct get_state *g = c->owner;
	char text[128];
	const char *v;
	size_t vn;

	if (header_is(line, n, "ETag", &v, &vn)) {
		snprintf(g->resp_etag, sizeof(g->resp_etag), "%.*s", (int)vn, v);
	} else if (header_is(line, n, "Content-Length", &v, &vn) && vn < sizeof(text)) {
		snprintf(text, sizeof(text), "%.*s", (int)vn, v);
		g->has_length = parse_u64(text, &g->content_length) == 0;
	} else if (header_is(line, n, "Content-Range", &v, &vn) && vn < sizeof(text)) {
		/* "bytes 0-8388607/123456789" */
		unsigned long long a, b, t;
		int used = 0;

		snprintf(text, sizeof(text), "%.*s", (int)vn, v);
		if (sscanf(text, "bytes %llu-%llu/%llu%n", &a, &b, &t, &used) == 3 &&
		    !text[used] && a <= b && b < t) {
			g->range_start = a;
			g->total = t;
			g->has_range = g->has_total = 1;
		}
	}
}

/* The same ETag, quotes or not. */
static int same_etag(const char *a, const char *b)
{
	size_t an, bn;

	if (*a == '"')
		a++;
	if (*b == '"')
		b++;
	an = strcspn(a, "\"");
	bn = strcspn(b, "\"");
	return an == bn && !strncmp(a, b, an);
}

/* Before the first byte reaches the sink: is this the answer that was asked for? */
static int check_answer(struct http_call *c, struct get_state *g)
{
	if (g->ranged && (c->status != 206 || !g->has_range || g->range_start != g->offset))
		return errf(&g->why, EXIT_FAILURE_RUNTIME,
			    "%s at %s answered a request for the bytes from %" PRIu64 " with %s (status %ld): is it S3?",
			    c->op, c->ep->host, g->offset,
			    g->has_range ? "other bytes" : "the whole object", c->status);
	if (g->etag && *g->etag && g->resp_etag[0] && !same_etag(g->etag, g->resp_etag))
		return errf(&g->why, EXIT_FAILURE_RUNTIME,
			    "%s changed while it was read (its ETag was %s, now %s): read it again from the start",
			    c->op + strcspn(c->op, " ") + 1, g->etag, g->resp_etag);
	return 0;
}

static int on_get_data(struct http_call *c, const char *p, size_t n)
{
	struct get_state *g = c->owner;

	if (!g->checked) {
		g->checked = 1;
		if (check_answer(c, g) < 0)
			return 1;
	}
	return g->sink(g->ctx, p, n, &g->why) < 0;
}

/* What the first answer says of the object. */
static void learn(struct get_state *g, struct s3_object_info *info)
{
	if (!info->etag[0] && g->resp_etag[0])
		snprintf(info->etag, sizeof(info->etag), "%s", g->resp_etag);
	if (!info->has_size && g->has_total) {
		info->size = g->total;
		info->has_size = 1;
	} else if (!info->has_size && !g->ranged && g->has_length) {
		info->size = g->content_length;
		info->has_size = 1;
	}
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);	/* a signal cuts it short: engine_stop is checked next */
}

/* One attempt from `from`; the number of bytes it handed on in *got. */
static int get_once(struct s3 *s, const char *bucket, const char *key, uint64_t from,
		    uint64_t last, int ranged, struct get_state *g, uint64_t *got,
		    struct s3_call *sc, struct errbuf *why)
{
	int n = 0, r;

	if (s3_call_init(sc, s, "GetObject", bucket, key, why) < 0)
		return -1;
	if (ranged) {
		if (last != UINT64_MAX)
			snprintf(sc->range, sizeof(sc->range), "Range: bytes=%" PRIu64 "-%" PRIu64, from, last);
		else
			snprintf(sc->range, sizeof(sc->range), "Range: bytes=%" PRIu64 "-", from);
		sc->hdrs[n++] = sc->range;
	}
	if (g->etag && *g->etag) {
		snprintf(sc->if_match, sizeof(sc->if_match), "If-Match: %s%s%s",
			 *g->etag == '"' ? "" : "\"", g->etag, *g->etag == '"' ? "" : "\"");
		sc->hdrs[n++] = sc->if_match;
	}
	sc->hdrs[n] = NULL;
	sc->c.more_headers = sc->hdrs;
	sc->c.on_data = on_get_data;
	sc->c.on_header = on_get_header;
	sc->c.owner = g;
	g->offset = from;
	g->ranged = ranged;
	g->checked = 0;
	g->has_range = g->has_total = g->has_length = 0;
	g->resp_etag[0] = '\0';
	errbuf_clear(&g->why);
	r = http_call_sync(&sc->c, why);
	*got = sc->c.streamed;
	learn(g, g->info);
	return r;
}

int s3_get(struct s3 *s, const char *bucket, const char *key, uint64_t offset,
	   uint64_t len, const char *if_match, s3_sink_fn sink, void *ctx,
	   struct s3_object_info *info, struct errbuf *eb)
{
	struct s3_object_info local;
	struct get_state g;
	uint64_t done = 0, last = len ? offset + len - 1 : UINT64_MAX;
	int attempt, redirected = 0;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	memset(&g, 0, sizeof(g));
	g.sink = sink;
	g.ctx = ctx;
	g.info = info;
	g.etag = if_match;
	for (attempt = 1;; attempt++) {
		struct errbuf why = ERRBUF_INIT;
		struct s3_call sc;
		uint64_t got = 0;
		int r = get_once(s, bucket, key, offset + done, last, offset + done > 0 || len > 0,
				 &g, &got, &sc, &why);

		done += got;
		if (r == 0) {
			s3_call_release(&sc);
			return 0;
		}
		if (sc.c.outcome == HTTP_REJECTED && !strcmp(sc.c.err.type, HTTP_STREAM_STOPPED)) {
			s3_call_release(&sc);
			return errf(eb, g.why.exit, "%s", g.why.msg);
		}
		/* Range on an empty object: S3 answers 416 (InvalidRange). */
		if (sc.c.status == 416 && offset + done == 0 && !strcmp(sc.c.err.type, "InvalidRange")) {
			s3_call_release(&sc);
			info->has_size = 1;
			info->size = 0;
			return 0;
		}
		if (sc.c.status == 412) {
			s3_call_release(&sc);
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "s3://%s/%s changed while it was read, or is not the object expected (its ETag is not %s): read it again from the start",
				    bucket, key, g.etag ? g.etag : "the one it had");
		}
		if (!done && !redirected && follow_region(s, bucket, &sc.c)) {
			redirected = 1;
			s3_call_release(&sc);
			continue;
		}
		/* Broken after some bytes: ask for the rest, of the same object. */
		if (got && sc.c.outcome == HTTP_GAVE_UP && !engine_stop &&
		    attempt < engine_global_config.max_attempts + 1) {
			if (!g.etag || !*g.etag)
				g.etag = info->etag[0] ? info->etag : NULL;
			msg_debug("%s broke after %" PRIu64 " bytes (%s): asking for the rest",
				  sc.name, done, sc.c.err.type);
			s3_call_release(&sc);
			sleep_ms(engine_backoff_ms(&engine_global_config, attempt));
			continue;
		}
		s3_report(&sc, bucket, key, &why, eb);
		s3_call_release(&sc);
		return -1;
	}
}

struct small_state {
	struct buf *out;
	const char *bucket, *key;
};

static int small_sink(void *ctx, const char *p, size_t n, struct errbuf *eb)
{
	struct small_state *st = ctx;

	if (buf_append(st->out, p, n) < 0)
		return errf(eb, EXIT_FAILURE_RUNTIME, "s3://%s/%s is larger than %zu KB: is it the file expected?",
			    st->bucket, st->key, st->out->max >> 10);
	return 0;
}

int s3_get_small(struct s3 *s, const char *bucket, const char *key, size_t max,
		 struct buf *out, struct s3_object_info *info, struct errbuf *eb)
{
	struct small_state st = { out, bucket, key };

	buf_init(out, max);
	if (s3_get(s, bucket, key, 0, 0, NULL, small_sink, &st, info, eb) < 0) {
		buf_release(out);
		return -1;
	}
	return 0;
}

/* ---- windowed reading ---- */

void s3_reader_init(struct s3_reader *r, struct s3 *s, const char *bucket,
		    const char *key, const char *etag, size_t window)
{
	memset(r, 0, sizeof(*r));
	r->s3 = s;
	r->bucket = xstrdup(bucket);
	r->key = xstrdup(key);
	if (etag && *etag)
		snprintf(r->etag, sizeof(r->etag), "%s%s%s", *etag == '"' ? "" : "\"", etag,
			 *etag == '"' ? "" : "\"");
	r->window = window ? window : (8u << 20);
	buf_init(&r->win, r->window);
}

void s3_reader_release(struct s3_reader *r)
{
	buf_release(&r->win);
	free(r->bucket);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

static int window_sink(void *ctx, const char *p, size_t n, struct errbuf *eb)
{
	struct s3_reader *r = ctx;

	if (buf_append(&r->win, p, n) < 0)
		return errf(eb, EXIT_FAILURE_RUNTIME,
			    "s3://%s/%s: the server sent more than the %zu bytes asked for",
			    r->bucket, r->key, r->window);
	return 0;
}

int s3_reader_read(void *ctx, const char **p, size_t *n, struct errbuf *eb)
{
	struct s3_reader *r = ctx;
	struct s3_object_info info;

	if (r->eof || (r->info.has_size && r->offset >= r->info.size)) {
		r->eof = 1;
		return 0;
	}
	buf_reset(&r->win);
	if (s3_get(r->s3, r->bucket, r->key, r->offset, r->window,
		   r->etag[0] ? r->etag : NULL, window_sink, r, &info, eb) < 0)
		return -1;
	if (!r->info.has_size)
		r->info = info;
	if (!r->etag[0] && info.etag[0])
		snprintf(r->etag, sizeof(r->etag), "%s", info.etag);
	if (!r->win.len) {
		/* An empty object, or one shorter than it said: nothing more. */
		if (r->info.has_size && r->offset < r->info.size)
			return errf(eb, EXIT_FAILURE_RUNTIME,
				    "s3://%s/%s ended at byte %" PRIu64 " of %" PRIu64 ": read it again",
				    r->bucket, r->key, r->offset, r->info.size);
		r->eof = 1;
		return 0;
	}
	r->offset += r->win.len;
	*p = r->win.data;
	*n = r->win.len;
	return 1;
}
