#ifndef DYNAMO_S3_H
#define DYNAMO_S3_H

#include <stddef.h>
#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/aws_call.h"
#include "dynamo/lines.h"
#include "dynamo/profile.h"

/*
 * Just enough S3 for DynamoDB's export and import: list a prefix, read an
 * object as a stream. Requests are signed with SigV4 for service "s3" and
 * go through the shared transport (http.h), with its retries and
 * timeouts.
 *
 * Endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services
 * block ("s3 = / endpoint_url = ..."), the profile's endpoint_url, then
 * https://s3.REGION.amazonaws.com (endpoint.h).
 *
 * Addressing: the profile's "s3 = / addressing_style = auto|path|virtual"
 * (as the AWS CLI reads it). auto: virtual-hosted
 * (https://BUCKET.s3.REGION.amazonaws.com/KEY) on AWS for a bucket whose
 * name is a DNS label without dots (a dot breaks the TLS wildcard), else
 * path-style (https://s3.REGION.amazonaws.com/BUCKET/KEY); always
 * path-style on a custom endpoint (moto, MinIO, LocalStack).
 *
 * A bucket in another region than the client's: S3 names the right one in
 * its error (AuthorizationHeaderMalformed, PermanentRedirect), and the
 * request is made again there, on AWS endpoints.
 *
 * Errors keep S3's <Code> and <Message> (secrets S3 echoes are redacted, as
 * for every AWS error: redact.h); a missing bucket or key is EXIT_NOT_FOUND
 * naming the s3:// URL.
 */

struct creds_provider;

/* "s3://BUCKET/KEY-OR-PREFIX", split. */
struct s3_url {
	char *bucket;		/* owned */
	char *key;		/* owned: "" for the whole bucket */
};

/* Parses url; a bad one is EXIT_USAGE naming flag (e.g. "--to"). */
int s3_url_parse(struct s3_url *u, const char *url, const char *flag,
		 struct errbuf *eb);
void s3_url_release(struct s3_url *u);
/* Checks a bucket name (3 to 63 of [a-z0-9.-], or a legacy name of [A-Za-z0-9._-]). */
int s3_bucket_check(const char *bucket, const char *flag, struct errbuf *eb);

enum s3_addressing {
	S3_ADDRESSING_AUTO = 0,
	S3_ADDRESSING_PATH,
	S3_ADDRESSING_VIRTUAL,
};

struct s3 {
	char *region;			/* owned: the client's region */
	struct endpoint ep;		/* owned: the service endpoint */
	enum s3_addressing addressing;
	struct signer signer;		/* service "s3"; points at region and creds */
	/* The region a redirect named for the bucket last redirected. */
	char *redirect_bucket;		/* owned, or NULL */
	char *redirect_region;		/* owned, or NULL */
	struct endpoint redirect_ep;	/* owned: the service endpoint there */
};

struct s3_settings {
	const struct aws_config *cfg;
	const char *profile;		/* for endpoint_url, services and s3 settings */
	const char *region;		/* the side's region */
	struct creds_provider *creds;	/* borrowed: the side's credentials */
};

int s3_open(struct s3 *s, const struct s3_settings *st, struct errbuf *eb);
void s3_close(struct s3 *s);

/*
 * Where a request for bucket/key goes with this client's addressing: the
 * endpoint (ep, to endpoint_release) and the path after ep->path ("/KEY" or
 * "/BUCKET/KEY", the key URI-encoded with '/' kept). For tests.
 */
int s3_target(const struct s3 *s, const char *bucket, const char *key,
	      struct endpoint *ep, struct buf *path, struct errbuf *eb);

/* ---- listing (ListObjectsV2) ---- */

struct s3_object {
	char *key;		/* owned: decoded */
	uint64_t size;
	char etag[80];		/* as S3 sends it, quotes included */
};

/*
 * A listing of every key under a prefix, one page (up to 1000 keys) at a
 * time, in S3's order (UTF-8 binary). Each page is checked before it is
 * used: KeyCount matches the keys, every key is under the prefix and after
 * the last one of the page before, IsTruncated is there, and a truncated
 * page carries a continuation token unlike the last one (pagination that
 * does not advance is an error, not a loop).
 */
struct s3_lister {
	struct s3 *s3;			/* borrowed */
	char *bucket, *prefix;		/* owned */
	char *token;			/* owned: the next page's, or NULL */
	char *last_key;			/* owned: the last key seen, or NULL */
	int max_keys;			/* keys a page, 1 to 1000; 0: S3's default (1000) */
	int done;
	uint64_t pages, keys;
	struct s3_object *objs;		/* owned: the current page */
	size_t nobjs;
};

void s3_lister_init(struct s3_lister *l, struct s3 *s, const char *bucket,
		    const char *prefix);
void s3_lister_release(struct s3_lister *l);
/* The next page in l->objs / l->nobjs: 1, 0 after the last, -1 on error. */
int s3_lister_next(struct s3_lister *l, struct errbuf *eb);
/*
 * Checks one ListObjectsV2 answer (exposed for tests): fills the page and
 * the next token. 0, or -1 with why set.
 */
int s3_list_parse(struct s3_lister *l, const char *body, size_t len,
		  char *why, size_t n);

/* ---- reading (GetObject) ---- */

struct s3_object_info {
	uint64_t size;		/* the whole object's size */
	int has_size;
	char etag[80];		/* as S3 sends it */
};

/* Receives an object's bytes as they arrive: 0, or -1 to stop (eb set). */
typedef int (*s3_sink_fn)(void *ctx, const char *p, size_t n, struct errbuf *eb);

/*
 * Streams bytes [offset, offset + len) of s3://bucket/key (len 0: up to
 * the end) into sink as they arrive, in bounded memory whatever the size.
 * if_match: the ETag the object must have (NULL: any; then the first
 * answer's ETag is required of the rest). A transfer that breaks is taken
 * up where it stopped (a Range request, If-Match the ETag), so the sink
 * sees every byte once, in order. An empty object read from offset 0 gives
 * no bytes. info (may be NULL) gets the size and ETag.
 */
int s3_get(struct s3 *s, const char *bucket, const char *key, uint64_t offset,
	   uint64_t len, const char *if_match, s3_sink_fn sink, void *ctx,
	   struct s3_object_info *info, struct errbuf *eb);

/* A whole small object (a manifest) into out, at most max bytes. */
int s3_get_small(struct s3 *s, const char *bucket, const char *key, size_t max,
		 struct buf *out, struct s3_object_info *info, struct errbuf *eb);

/*
 * An object read front to back in windows of a fixed size, one ranged
 * GetObject each, all If-Match the first one's ETag (or the one given): a
 * byte source (lines.h) that holds one window, for readers that pull.
 */
struct s3_reader {
	struct s3 *s3;			/* borrowed */
	char *bucket, *key;		/* owned */
	char etag[80];			/* required of every window ("" until known) */
	struct buf win;			/* owned: the current window */
	size_t window;
	uint64_t offset;		/* of the next window */
	struct s3_object_info info;
	int eof;
};

/* etag: the ETag the object must have (a manifest's, quoted or not), or NULL. */
void s3_reader_init(struct s3_reader *r, struct s3 *s, const char *bucket,
		    const char *key, const char *etag, size_t window);
void s3_reader_release(struct s3_reader *r);
/* The byte_source read function: ctx is the s3_reader. */
int s3_reader_read(void *ctx, const char **p, size_t *n, struct errbuf *eb);

/*
 * The region an S3 error answer says the bucket is in (the <Region> of
 * AuthorizationHeaderMalformed, or the region in a PermanentRedirect's
 * <Endpoint>) into out; 0, or -1 when it names none. For tests.
 */
int s3_error_region(const char *body, size_t len, char *out, size_t n);

#endif
