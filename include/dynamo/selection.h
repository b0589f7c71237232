#ifndef DYNAMO_SELECTION_H
#define DYNAMO_SELECTION_H

#include <cJSON.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/expr.h"
#include "dynamo/msg.h"

/*
 * Which items a data command works on, as data: exact partition keys
 * (--pk), or a partition key prefix (--pk-prefix), a condition on the sort
 * key (--sk, --sk-eq, --sk-lt, --sk-le, --sk-gt, --sk-ge, --sk-between) and
 * a FilterExpression of the user's (--filter, --names, --values).
 *
 * Life cycle: selection_init; the selection_set_* and selection_load_*
 * calls as the flags come (each checks what it can alone); selection_bind
 * against the key schema of the table or index read, which checks the rest
 * and types the values; then, from any number of threads (a bound
 * selection is read-only), the request fragments and selection_key_matches.
 *
 * Requests: exact partition keys are read with one Query each
 * (selection_query_expr); anything else with a Scan (selection_scan_expr),
 * whose FilterExpression is begins_with on the partition key, then the
 * sort-key condition, then the user's filter in parentheses, joined by AND.
 * dynamo's placeholders are #dynamo_pk, #dynamo_sk, :dynamo_pk, :dynamo_sk,
 * :dynamo_sk2 (see EXPR_RESERVED: the user's may not start that way).
 */

enum sk_op {
	SK_NONE,
	SK_PREFIX,	/* --sk: begins_with on S and B; equality on N (no prefixes of numbers) */
	SK_EQ,		/* --sk-eq */
	SK_LT,		/* --sk-lt */
	SK_LE,		/* --sk-le */
	SK_GT,		/* --sk-gt */
	SK_GE,		/* --sk-ge */
	SK_BETWEEN	/* --sk-between A B: A <= sk <= B */
};

struct selection {
	/* as given */
	char **pk;		/* owned array of owned strings: --pk values */
	int npk;
	char *pk_prefix;	/* owned: --pk-prefix, or NULL */
	enum sk_op sk_op;
	char *sk[2];		/* owned: the sort-key value(s) as typed */
	char *filter;		/* owned: --filter, or NULL */
	struct buf names;	/* owned: --names, a checked JSON object; len 0 when absent */
	struct buf values;	/* owned: --values, likewise */
	char *names_file;	/* owned: the @file --names came from, or NULL */
	char *values_file;	/* owned: likewise for --values */

	/* set by selection_bind */
	int bound;
	struct key_attr hash, range;	/* owned names: the keys selected on */
	struct buf *pk_av;	/* owned array of npk attribute values */
	struct buf prefix;	/* owned: --pk-prefix's bytes (decoded for B) */
	struct buf sk_av[2];	/* owned: the sort-key value(s) as attribute values */
	struct buf sk_bytes;	/* owned: --sk's bytes (decoded for B), for begins_with */
};

void selection_init(struct selection *s);
void selection_release(struct selection *s);

/* The flag that sets op ("--sk-between"). */
const char *sk_op_flag(enum sk_op op);
/* The op a flag sets, or SK_NONE ("--sk-ge" or "sk-ge"). */
enum sk_op sk_op_of_flag(const char *flag);

/* One more --pk value; empty values are refused. */
int selection_add_pk(struct selection *s, const char *value, struct errbuf *eb);
int selection_set_pk_prefix(struct selection *s, const char *prefix,
			    struct errbuf *eb);
/* The sort-key condition: b only for SK_BETWEEN. One condition at most. */
int selection_set_sk(struct selection *s, enum sk_op op, const char *a,
		     const char *b, struct errbuf *eb);
int selection_set_filter(struct selection *s, const char *expr, struct errbuf *eb);
/*
 * --names and --values: JSON text, or @FILE to read it from FILE. Names map
 * placeholders (#x) to attribute names; values map placeholders (:x) to
 * attribute values in DynamoDB JSON. Every error names the flag and, for
 * @FILE, the file.
 */
int selection_load_names(struct selection *s, const char *arg, struct errbuf *eb);
int selection_load_values(struct selection *s, const char *arg, struct errbuf *eb);

/*
 * Checks the selection against the key schema it will be read with (the
 * table's, or the index's with --index; range->name NULL when there is no
 * sort key) and types its values: numbers for N keys (DynamoDB's grammar,
 * never through a double), base64 for B. what names the table or index
 * for messages ("table 'orders'"). The keys are copied.
 */
int selection_bind(struct selection *s, const struct key_attr *hash,
		   const struct key_attr *range, const char *what,
		   struct errbuf *eb);

/* Whether anything is selected on at all (else: the whole table). */
int selection_restricts(const struct selection *s);
/* Whether the selection is read with Queries, one per --pk value (npk > 0). */
int selection_by_query(const struct selection *s);

/* The expression of a Scan over the selection; -1 for exact keys (Query them). */
int selection_scan_expr(const struct selection *s, struct expr *e);
/* The expression of the Query of the k-th --pk value; -1 if there is none. */
int selection_query_expr(const struct selection *s, int k, struct expr *e);

/*
 * Whether an item (DynamoDB JSON, as sent) lies inside the key part of the
 * selection: its partition key is one of --pk or begins with --pk-prefix,
 * and its sort key meets the condition, compared as DynamoDB compares (N by
 * value, S and B by bytes). A missing key attribute, or one of another type,
 * does not match. The filter is not evaluated here: DynamoDB does that.
 * 1 or 0.
 */
int selection_key_matches(const struct selection *s, struct slice item);

/* For the dry run: "partition key 'PK' beginning with 'TENANT#42#', ..." ("" when none). */
void selection_describe(const struct selection *s, struct buf *out);
/* The same into a fixed buffer (cut at n - 1 bytes). */
void selection_describe_into(const struct selection *s, char *out, size_t n);
/* For --json: adds pk, pk_prefix, sk_op, sk, filter, names, values to obj. */
void selection_to_json(const struct selection *s, cJSON *obj);

#endif
