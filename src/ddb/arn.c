/* Table ARNs given to -t (see arn.h). */
#include "dynamo/arn.h"
#include "dynamo/ddb.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <string.h>

#define ARN_FORM "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME"

int table_arn_like(const char *s)
{
	return !strncmp(s, "arn:", 4);
}

static int all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(set, s[i]) || !s[i])
			return 0;
	return 1;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

static int bad(struct errbuf *eb, const char *flag, const char *s, const char *what)
{
	return errf(eb, EXIT_USAGE, "%s '%s' is not a table ARN: %s (expected %s)",
		    flag, s, what, ARN_FORM);
}

/* Copies field [p, p+n) into out (cap bytes); -1 if it does not fit. */
static int field(const char *p, size_t n, char *out, size_t cap)
{
	if (n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int check_partition(const char *flag, const char *s, const char *part,
			   const char *region, struct errbuf *eb)
{
	char why[200];

	if (strcmp(part, "aws") && (strncmp(part, "aws-", 4) || !part[4] ||
				    !all_of(part + 4, strlen(part + 4), LOWER "-")))
		return bad(eb, flag, s, "the partition is not aws, aws-cn, aws-us-gov or another aws-*");
	if ((!strncmp(region, "cn-", 3) && strcmp(part, "aws-cn")) ||
	    (!strncmp(region, "us-gov-", 7) && strcmp(part, "aws-us-gov"))) {
		snprintf(why, sizeof(why), "region '%s' is not in partition '%s'",
			 region, part);
		return bad(eb, flag, s, why);
	}
	return 0;
}

/* table/NAME; an index, stream, export or backup of a table is refused by name. */
static int check_resource(const char *flag, const char *s, const char *res,
			  struct table_arn *a, struct errbuf *eb)
{
	const char *slash;
	char tflag[64];

	if (strncmp(res, "table/", 6))
		return bad(eb, flag, s, "the resource is not table/NAME");
	res += 6;
	if ((slash = strchr(res, '/'))) {
		if (!strncmp(slash, "/index/", 7) && slash[7])
			return errf(eb, EXIT_USAGE,
				    "%s '%s' is the ARN of index '%s', not of a table: give the table's ARN (up to table/%.*s) and --index %s",
				    flag, s, slash + 7, (int)(slash - res), res, slash + 7);
		return bad(eb, flag, s, !strncmp(slash, "/stream/", 8) ?
			   "it is a stream's" : !strncmp(slash, "/backup/", 8) ?
			   "it is a backup's" : !strncmp(slash, "/export/", 8) ?
			   "it is an export's" : "the resource is not table/NAME");
	}
	if (field(res, strlen(res), a->name, sizeof(a->name)) < 0)
		return bad(eb, flag, s, "the table name is longer than 255 characters");
	snprintf(tflag, sizeof(tflag), "the table name in %s", flag);
	return table_name_check(tflag, a->name, eb);
}

static int parse(const char *flag, const char *s, struct table_arn *a,
		 struct errbuf *eb)
{
	const char *f[6], *p = s;
	size_t len[6];
	int i;

	if (!table_arn_like(s))
		return bad(eb, flag, s, "it does not start with 'arn:'");
	/* Six fields; the last, the resource, runs to the end. */
	for (i = 0; i < 6; i++) {
		const char *c = i < 5 ? strchr(p, ':') : NULL;

		if (i < 5 && !c)
			return bad(eb, flag, s, "it has fewer than six ':'-separated fields");
		f[i] = p;
		len[i] = c ? (size_t)(c - p) : strlen(p);
		p = c ? c + 1 : p;
	}
	if (len[2] != 8 || memcmp(f[2], "dynamodb", 8))
		return bad(eb, flag, s, "it is not a DynamoDB ARN");
	if (field(f[1], len[1], a->partition, sizeof(a->partition)) < 0 ||
	    field(f[3], len[3], a->region, sizeof(a->region)) < 0 || !len[3] ||
	    !all_of(f[3], len[3], LOWER DIGITS "-") || f[3][0] == '-')
		return bad(eb, flag, s, !len[3] ? "the region is empty" :
			   "the region is not like us-east-1");
	if (len[4] != 12 || !all_of(f[4], 12, DIGITS))
		return bad(eb, flag, s, "the account is not twelve digits");
	memcpy(a->account, f[4], 12);
	a->account[12] = '\0';
	if (check_partition(flag, s, a->partition, a->region, eb) < 0)
		return -1;
	return check_resource(flag, s, f[5], a, eb);
}

int table_arn_parse(const char *flag, const char *s, struct table_arn *a,
		    struct errbuf *eb)
{
	memset(a, 0, sizeof(*a));
	if (parse(flag, s, a, eb) < 0) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	return 0;
}
