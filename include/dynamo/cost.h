#ifndef DYNAMO_COST_H
#define DYNAMO_COST_H

#include <stddef.h>

/*
 * What a whole-table copy costs and lasts two ways, for the dry run of
 * copy (and copy --via): scan + batch writes (dynamo's engine) against
 * DynamoDB's export to S3 followed by ImportTable (a new table) or by
 * dynamo's writes from the export's files (an existing one). From the
 * table's size and item count as DescribeTable gives them (refreshed by
 * AWS about every six hours) and the published on-demand prices kept in
 * cost.c with their date. Durations of AWS's own jobs are rough: AWS
 * publishes none.
 */
struct cost_input {
	long long items, bytes;		/* the source table's */
	const char *region;		/* the target's (prices differ by region) */
	double write_units_per_s;	/* what the target takes: --max-wcu or its WCU; 0: on demand */
	int new_table;			/* no target yet: ImportTable can create it */
};

struct cost_path {
	double usd, seconds;
};

struct cost_compare {
	struct cost_path copy;		/* scan + writes */
	struct cost_path via;		/* export + import (or + writes into an existing table) */
	char prices[96];		/* "us-east-1 on-demand prices of 2024-11-01" */
	int via_writes;			/* via writes items itself (an existing target): same write cost */
};

void cost_compare(const struct cost_input *in, struct cost_compare *out);
/* "scan + write: about $0.63 in 4m 10s; export + import: ..." */
void cost_format(const struct cost_compare *c, char *buf, size_t n);

#endif
