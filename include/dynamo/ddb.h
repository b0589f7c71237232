#ifndef DYNAMO_DDB_H
#define DYNAMO_DDB_H

#include <cJSON.h>
#include "dynamo/creds.h"
#include "dynamo/aws_call.h"
#include "dynamo/profile.h"

/*
 * One DynamoDB "side": an account (profile), a region and an endpoint, with
 * the credentials to sign for them. A copy has two; query has one.
 */
struct ddb {
	char *profile;			/* owned: the profile name shown to users */
	char *region;			/* owned */
	struct endpoint ep;		/* owned */
	struct creds_provider *creds;	/* owned */
	struct signer signer;		/* points at creds and region */
	char account[16];		/* from a described table's ARN; "" until then */
	int env_keys;			/* keys from the environment, no profile named: say so, not "profile 'default'" */
	struct endpoint sts;		/* owned: where ddb_learn_account asks; url NULL when it should not */
};

struct ddb_settings {
	const struct aws_config *cfg;
	const char *profile;		/* NULL: $AWS_PROFILE or default */
	int profile_explicit;
	const char *region;		/* --region (or --source-region ...) */
	const char *endpoint_url;	/* --endpoint-url (or --source-endpoint-url ...) */
	int interactive;
};

int ddb_open(struct ddb *d, const struct ddb_settings *s, struct errbuf *eb);
void ddb_close(struct ddb *d);
/*
 * For people: "profile 'prod' (account 111111111111, us-east-1)", the
 * account once a table of it has been described, the endpoint when custom.
 */
const char *ddb_where(const struct ddb *d, char *buf, size_t n);
/*
 * Fills d->account from STS GetCallerIdentity when no table's ARN has named
 * it (a target that does not exist yet), so messages and dry runs still say
 * which account. Best effort: a failure leaves it empty (--debug says why).
 * Not asked when DynamoDB's endpoint is a local server and STS's is AWS's.
 */
void ddb_learn_account(struct ddb *d);
/*
 * Whether why is an endpoint's way of saying it lacks an operation (local
 * emulators answer UnknownOperationException or "not supported" for backups,
 * PITR, TTL, exports), rather than a refusal of this request.
 */
int ddb_unsupported(const struct errbuf *why);
/* The same without the account: stable from run to run (checkpoints). */
const char *ddb_identity(const struct ddb *d, char *buf, size_t n);

/* "DynamoDB_20120810.<op>" for the X-Amz-Target header; op must be a literal. */
#define DDB_TARGET(op) ("DynamoDB_20120810." op)

/* Points a call at this side: endpoint, signer, target. */
void ddb_prepare(const struct ddb *d, struct http_call *c, const char *target);

/*
 * A synchronous control-plane request: body is a JSON string; on success
 * *out is the parsed response (free with cJSON_Delete). Errors keep
 * DynamoDB's __type and message.
 */
int ddb_request(const struct ddb *d, const char *target, const char *body,
		cJSON **out, struct errbuf *eb);
/*
 * The same with the engine's check of the answer (see http.h): a malformed
 * answer is retried, then reported.
 */
int ddb_request_checked(const struct ddb *d, const char *target, const char *body,
			int (*check)(struct http_call *c, char *why, size_t n),
			cJSON **out, struct errbuf *eb);
/* Same with a cJSON body (not freed). */
int ddb_request_json(const struct ddb *d, const char *target, const cJSON *body,
		     cJSON **out, struct errbuf *eb);

/* ---- table descriptions (table.c) ---- */

struct key_attr {
	char *name;			/* owned */
	char type;			/* 'S', 'N' or 'B' */
};

struct index_desc {
	char *name;			/* owned */
	int global;
	struct key_attr hash, range;	/* range.name NULL when hash-only */
	char *projection;		/* owned: ALL, KEYS_ONLY, INCLUDE */
	char *status;			/* owned: ACTIVE, CREATING, ... */
};

struct table_desc {
	char *name;			/* owned */
	char *arn, *status, *billing_mode;	/* owned */
	struct key_attr hash, range;	/* range.name NULL when hash-only */
	struct index_desc *indexes;	/* owned array */
	int nindexes;
	long long item_count, size_bytes;
	long long rcu, wcu;		/* provisioned throughput, 0 on demand */
	/* Its stream, from StreamSpecification and LatestStream* (see streams.h). */
	int stream_enabled;		/* StreamSpecification.StreamEnabled is true */
	char *stream_view_type;		/* owned: NEW_IMAGE, ...; NULL unless enabled */
	char *stream_arn;		/* owned: LatestStreamArn (also of a disabled stream), or NULL */
	char *stream_label;		/* owned: LatestStreamLabel, or NULL */
	cJSON *raw;			/* owned: the "Table" object */
};

/* DescribeTable. A missing table gives EXIT_NOT_FOUND naming table and side. */
int table_describe(struct ddb *d, const char *name, struct table_desc *t,
		   struct errbuf *eb);
/* Fills t from a DescribeTable "Table" object (takes ownership of raw). */
int table_from_json(struct table_desc *t, cJSON *raw, struct errbuf *eb);
void table_desc_release(struct table_desc *t);
const struct index_desc *table_index(const struct table_desc *t, const char *name);
/* The attribute type of name from AttributeDefinitions, or 0. */
char table_attr_type(const struct table_desc *t, const char *name);
/* Compares the key schemas; on a difference fills eb naming it and returns -1. */
int table_same_keys(const struct table_desc *a, const struct table_desc *b,
		    const char *a_where, const char *b_where, struct errbuf *eb);
/* Waits until the table (and its indexes) are ACTIVE, or fails after timeout_s. */
int table_wait_active(const struct ddb *d, const char *name, int timeout_s,
		      struct errbuf *eb);
/* What a new table's description is for (table_spec.c). */
enum table_spec_use {
	TABLE_SPEC_CREATE,	/* CreateTable's request */
	TABLE_SPEC_IMPORT,	/* ImportTable's TableCreationParameters: no LSIs, stream or table class */
};
/* A new table's billing mode: the described table's (0), or one of these (--billing). */
enum { BILLING_ON_DEMAND = 1, BILLING_PROVISIONED = 2 };
/*
 * A new table named name like desc (a DescribeTable "Table" object): its
 * keys, attribute definitions, billing (desc's, or billing), throughput and
 * GSIs (for CREATE also LSIs, stream and table class), only the fields the
 * request takes.
 */
cJSON *table_create_spec(const cJSON *desc, const char *name, enum table_spec_use use,
			 int billing);
/* Checks a table name against DynamoDB's rules (3-255 of [A-Za-z0-9_.-]). */
int table_name_check(const char *flag, const char *name, struct errbuf *eb);

#endif
