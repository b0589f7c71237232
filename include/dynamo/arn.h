#ifndef DYNAMO_ARN_H
#define DYNAMO_ARN_H

#include "dynamo/msg.h"

/*
 * Table ARNs for -t: DynamoDB takes an ARN wherever it takes a table name,
 * which is how a table shared through a resource-based policy is reached
 * from another account; the region comes from the ARN.
 *
 *   arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME
 *
 * PARTITION is aws, aws-cn, aws-us-gov or another aws-* partition; REGION
 * lowercase letters, digits and '-' (cn-* regions only in aws-cn, us-gov-*
 * only in aws-us-gov); ACCOUNT twelve digits; NAME a valid table name.
 */
struct table_arn {
	char partition[32];
	char region[32];
	char account[13];
	char name[256];
};

/* Whether s is meant as an ARN (it starts with "arn:"). */
int table_arn_like(const char *s);
/*
 * Parses a table ARN given to flag ("-t"). 0 and a filled in; -1 with one
 * error line (exit code: usage) saying what is wrong, e.g. that an index or
 * stream ARN is not a table's.
 */
int table_arn_parse(const char *flag, const char *s, struct table_arn *a,
		    struct errbuf *eb);

#endif
