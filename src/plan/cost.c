/*
 * The dry run's cost and duration of a whole-table copy two ways (cost.h).
 *
 * A write unit is a 1 KB item written (rounded up per item); a scan reads
 * 4 KB a read unit (dynamo reads consistently). DynamoDB's export is
 * billed per GB of table, ImportTable per GB of (uncompressed) data; neither
 * uses the table's capacity. One machine of dynamo writes about 25,000
 * items a second at most (make bench), and a table takes what its capacity
 * allows: a new on-demand table starts at 4,000 write units a second.
 */
#include "dynamo/cost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Published on-demand prices (USD), checked on this date. */
#define PRICES_DATE "2024-11-01"

struct prices {
	const char *region;
	double per_million_writes, per_million_reads, export_per_gb, import_per_gb;
};

/* The regions priced alike; any other region is estimated at these prices and says so. */
static const struct prices price_table[] = {
	{ "us-east-1", 0.625, 0.125, 0.10, 0.15 },
	{ "us-east-2", 0.625, 0.125, 0.10, 0.15 },
	{ "us-west-2", 0.625, 0.125, 0.10, 0.15 },
};

#define ENGINE_ITEMS_PER_S 25000.0
#define ON_DEMAND_START_WCU 4000.0
/* AWS's jobs: a start-up of minutes, then a rate; rough, from experience, not published. */
#define NATIVE_JOB_START_S 600.0
#define NATIVE_JOB_S_PER_GB 60.0

static const struct prices *prices_for(const char *region, int *exact)
{
	size_t i;

	for (i = 0; i < sizeof(price_table) / sizeof(price_table[0]); i++)
		if (region && !strcmp(region, price_table[i].region)) {
			*exact = 1;
			return &price_table[i];
		}
	*exact = 0;
	return &price_table[0];
}

void cost_compare(const struct cost_input *in, struct cost_compare *out)
{
	int exact;
	const struct prices *pr = prices_for(in->region, &exact);
	double items = in->items > 0 ? (double)in->items : 0;
	double bytes = in->bytes > 0 ? (double)in->bytes : 0;
	double gb = bytes / 1e9;
	double per_item = items ? ceil(bytes / items / 1024.0) : 1;
	double writes = items * (per_item < 1 ? 1 : per_item);
	double reads = ceil(bytes / 4096.0);
	double wcu = in->write_units_per_s > 0 ? in->write_units_per_s : ON_DEMAND_START_WCU;
	double write_s = fmax(writes / wcu, items / ENGINE_ITEMS_PER_S);
	double write_usd = writes / 1e6 * pr->per_million_writes;
	double export_s = NATIVE_JOB_START_S + gb * NATIVE_JOB_S_PER_GB;

	memset(out, 0, sizeof(*out));
	out->copy.usd = reads / 1e6 * pr->per_million_reads + write_usd;
	out->copy.seconds = write_s;
	out->via_writes = !in->new_table;
	out->via.usd = gb * pr->export_per_gb +
		       (in->new_table ? gb * pr->import_per_gb : write_usd);
	out->via.seconds = export_s + (in->new_table ? export_s : write_s);
	snprintf(out->prices, sizeof(out->prices), "%s%s on-demand prices of %s",
		 exact ? "" : "estimated at ", pr->region, PRICES_DATE);
}

static void duration(double s, char *buf, size_t n)
{
	if (s < 90)
		snprintf(buf, n, "%.0fs", s);
	else if (s < 5400)
		snprintf(buf, n, "%.0fm", s / 60);
	else
		snprintf(buf, n, "%.1fh", s / 3600);
}

void cost_format(const struct cost_compare *c, char *buf, size_t n)
{
	char a[32], b[32];

	duration(c->copy.seconds, a, sizeof(a));
	duration(c->via.seconds, b, sizeof(b));
	snprintf(buf, n,
		 "scan + write: about $%.2f and %s; export to S3 + %s: about $%.2f and %s (AWS's jobs take minutes to start; their duration is a rough guess); %s",
		 c->copy.usd, a, c->via_writes ? "write from the export's files" : "ImportTable",
		 c->via.usd, b, c->prices);
}
