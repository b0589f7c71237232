#ifndef DYNAMO_EXPR_H
#define DYNAMO_EXPR_H

#include "dynamo/buf.h"
#include "dynamo/msg.h"

/*
 * The expression part of a Scan or Query request, built up piece by piece
 * and written into the request body in one go: KeyConditionExpression,
 * FilterExpression, ExpressionAttributeNames and ExpressionAttributeValues.
 *
 * dynamo's own placeholders all start with EXPR_RESERVED after the '#' or
 * ':' ("#dynamo_pk", ":dynamo_sk1"); the user's placeholders (--filter,
 * --names, --values) may not (see expr_user_placeholders_check), so the
 * two sets can be merged into one request without ever colliding.
 */
#define EXPR_RESERVED "dynamo_"

struct expr {
	struct buf key_cond;	/* owned: KeyConditionExpression text, "" when none */
	struct buf filter;	/* owned: FilterExpression text, "" when none */
	struct buf names;	/* owned: members of ExpressionAttributeNames, no braces */
	struct buf values;	/* owned: members of ExpressionAttributeValues, no braces */
};

void expr_init(struct expr *e);
void expr_release(struct expr *e);
/* Adds "#placeholder": "name" (placeholder written with its '#'). */
void expr_add_name(struct expr *e, const char *placeholder, const char *name,
		   size_t name_len);
/* Adds ":placeholder": av, av being one attribute value in DynamoDB JSON. */
void expr_add_value(struct expr *e, const char *placeholder, struct slice av);
/*
 * Adds the members of a JSON object ({"#a":"x",...}) as they are: the
 * user's --names or --values, checked beforehand.
 */
void expr_add_members(struct buf *dst, struct slice object);
/* Appends a condition to key_cond or filter, joined to what is there by AND. */
void expr_and(struct buf *cond, const char *text, size_t n);
/*
 * Appends the non-empty parts to a request body being built, each as
 * ,"Name":..., ready to go before the body's closing brace.
 */
void expr_append(const struct expr *e, struct buf *body);

/* ---- placeholders in the user's expressions ---- */

/*
 * Calls fn for each placeholder in an expression (#name or :value, letters,
 * digits and '_' after the sigil, as DynamoDB reads them; expressions have no
 * string literals, so nothing else looks like one). Stops when fn returns
 * non-zero and returns that.
 */
int expr_each_placeholder(const char *text, size_t n,
			  int (*fn)(void *ctx, const char *p, size_t len), void *ctx);
/* Whether p[0..len) is a valid placeholder of the sigil '#' or ':'. */
int expr_placeholder_valid(char sigil, const char *p, size_t len);
/* Whether a placeholder (sigil included) uses dynamo's reserved prefix. */
int expr_placeholder_reserved(const char *p, size_t len);

#endif
