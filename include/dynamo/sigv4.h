#ifndef DYNAMO_SIGV4_H
#define DYNAMO_SIGV4_H

#include <stddef.h>
#include <time.h>
#include "dynamo/buf.h"

/*
 * AWS Signature Version 4, as a pure function: a plain description of the
 * request, the credentials and the clock go in; the headers to add come out.
 * The signer never sees a CURL handle, so tests feed it fixed vectors stage by
 * stage (tests/vectors/sigv4, generated with botocore).
 */

struct sigv4_header {
	const char *name;	/* any case; canonicalized to lower case */
	const char *value;	/* leading/trailing blanks trimmed, runs of blanks folded */
};

struct sigv4_request {
	const char *method;		/* "POST", "GET" */
	const char *host;		/* Host header value; ":port" only when not the scheme's default */
	const char *path;		/* path as sent on the wire ("/"); encoded again for the canonical URI (not for s3) */
	const char *query;		/* query string as sent, without '?'; NULL or "" for none */
	const struct sigv4_header *headers;	/* extra headers to sign (content-type, x-amz-target) */
	size_t nheaders;
	const void *payload;		/* body bytes, hashed unless payload_sha256 is given */
	size_t payload_len;
	const char *payload_sha256;	/* hex SHA-256 of the body, or NULL */
	/*
	 * S3's rules (botocore's S3SigV4Auth): the path is signed as sent,
	 * neither normalized nor encoded again (an S3 key may hold "//", "."
	 * and "%"), and x-amz-content-sha256 (the payload hash) is signed; the
	 * caller sends that header with the value in sigv4_signed.
	 */
	int s3;
};

struct sigv4_credentials {		/* borrowed */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;	/* NULL or "" when there is none */
};

struct sigv4_scope {
	const char *region;		/* "us-east-1" */
	const char *service;		/* "dynamodb", "sts", "awsssoportal" */
	time_t now;			/* injected clock, seconds since the epoch (UTC) */
	/*
	 * Optional: the signing key for this secret, region, service and the
	 * UTC date of now (sigv4_signing_key), so callers that sign thousands
	 * of requests a second derive it once a day instead of per request.
	 */
	const unsigned char *signing_key;
};

/*
 * The result. The caller adds three headers to the request: "X-Amz-Date:
 * amz_date", "Authorization: authorization" and, when there is a session
 * token, "X-Amz-Security-Token: <token>". The stages are kept so tests can
 * check each one; none of them contains the secret key.
 */
struct sigv4_signed {
	char amz_date[17];		/* 20150830T123600Z */
	char payload_sha256[65];
	char signature[65];
	struct buf canonical_request;
	struct buf signed_headers;	/* "content-type;host;x-amz-date;x-amz-target" */
	struct buf string_to_sign;
	struct buf authorization;	/* "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb/aws4_request, SignedHeaders=..., Signature=..." */
};

void sigv4_signed_init(struct sigv4_signed *s);
void sigv4_signed_release(struct sigv4_signed *s);

/* Signs req. Returns 0, or -1 when a required field is missing. */
int sigv4_sign(const struct sigv4_request *req,
	       const struct sigv4_credentials *cred,
	       const struct sigv4_scope *scope, struct sigv4_signed *out);

/* The stages, exposed for tests. */

/* "20150830T123600Z" from a time; buf must hold 17 bytes. */
void sigv4_amz_date(time_t now, char out[17]);
/* Hex SHA-256 of data. */
void sigv4_sha256_hex(const void *data, size_t n, char out[65]);
/*
 * Canonical request: method, canonical URI, canonical query string,
 * canonical headers (the request's, plus host, x-amz-date and, if token is
 * non-empty, x-amz-security-token), signed headers, payload hash.
 */
int sigv4_canonical_request(const struct sigv4_request *req,
			    const char *amz_date, const char *token,
			    const char *payload_sha256, struct buf *out,
			    struct buf *signed_headers);
/* "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256 of canonical request>" */
void sigv4_string_to_sign(const char *amz_date, const char *region,
			  const char *service, const struct buf *canonical_request,
			  struct buf *out);
/* kSigning = HMAC chain over "AWS4"+secret, date (YYYYMMDD), region, service, "aws4_request". */
void sigv4_signing_key(const char *secret, const char *date8,
		       const char *region, const char *service,
		       unsigned char key[32]);
/* Hex HMAC-SHA256 of the string to sign under the signing key. */
void sigv4_signature(const unsigned char key[32], const struct buf *string_to_sign,
		     char out[65]);
/* AWS URI encoding (RFC 3986 unreserved kept); keep_slash keeps '/'. */
int sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash);

#endif
