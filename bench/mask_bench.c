/*
 * The CPU a transform adds per item, for the budget "a masked copy costs at
 * most 2x the CPU per item of a plain copy" (a plain copy: 3.3 us per
 * item in the README's table). Not a test: it measures and prints.
 *
 *   make bench-mask                    (build/bench/mask_bench)
 *   build/bench/mask_bench [ITEMS]     default 200000 items per run
 *
 * Items are realistic 300-byte DynamoDB JSON items of a multi-tenant table
 * (keys, an email, a name, a phone number, an address map, a number, a
 * status), all different. Each case runs three times over all the items;
 * the best run is reported as microseconds of CPU (this thread) per item.
 */
#include "dynamo/ddb.h"
#include "dynamo/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char TABLE[] =
	"{\"TableName\":\"app\",\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
	"{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":["
	"{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
	"{\"AttributeName\":\"status\",\"AttributeType\":\"S\"}],"
	"\"GlobalSecondaryIndexes\":[{\"IndexName\":\"GSI1\",\"KeySchema\":["
	"{\"AttributeName\":\"status\",\"KeyType\":\"HASH\"}]}]}";

static const char *const FIRST[] = { "Jane", "John", "Maria", "Wei", "Olga", "Ahmed",
				     "Lucia", "Kenji", "Amara", "Sven" };
static const char *const LAST[] = { "Doe", "Smith", "Garcia", "Zhang", "Ivanova",
				    "Haddad", "Rossi", "Tanaka", "Okafor", "Berg" };
static const char *const DOMAIN[] = { "gmail.com", "acme-corp.com", "example.org",
				      "mail.co.uk", "outlook.com" };

/* Item i, about 300 bytes, appended to out. */
static void make_item(unsigned i, struct buf *out)
{
	const char *f = FIRST[i % 10], *l = LAST[(i / 10) % 10];

	buf_printf(out,
		"{\"PK\":{\"S\":\"TENANT#%u#USER#%07u\"},\"SK\":{\"S\":\"ORDER#2024-%02u-%02u#%06u\"},"
		"\"email\":{\"S\":\"%s.%s%u@%s\"},\"name\":{\"S\":\"%s %s\"},"
		"\"phone\":{\"S\":\"+1 (555) %03u-%04u\"},"
		"\"address\":{\"M\":{\"street\":{\"S\":\"%u Main Street\"},\"city\":{\"S\":\"Springfield\"}}},"
		"\"amount\":{\"N\":\"%u.%02u\"},\"status\":{\"S\":\"OPEN\"}}",
		i % 97, i, 1 + i % 12, 1 + i % 28, i, f, l, i % 1000, DOMAIN[i % 5], f, l,
		i % 1000, i % 10000, 1 + i % 9999, i % 100000, i % 100);
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct items {
	struct buf text;	/* every item, back to back */
	size_t *off, *len;
	unsigned n;
};

/* Best of three runs: microseconds per item, and how many items changed. */
static double run(struct transformer *x, const struct items *it, unsigned *changed)
{
	struct buf out = BUF_INIT;
	double best = 1e9;
	int rep;

	for (rep = 0; rep < 3; rep++) {
		double t0 = cpu_seconds(), dt;
		unsigned i;

		*changed = 0;
		for (i = 0; i < it->n; i++) {
			int r;

			buf_reset(&out);
			r = transformer_apply(x, (struct slice){ it->text.data + it->off[i], it->len[i] },
					      &out);
			if (r < 0) {
				fprintf(stderr, "mask_bench: item %u: %s\n", i, x->why);
				exit(1);
			}
			*changed += (unsigned)r;
		}
		dt = cpu_seconds() - t0;
		if (dt < best)
			best = dt;
	}
	buf_release(&out);
	return best * 1e6 / it->n;
}

static void one_case(const char *label, const char *const *masks, const char *rename,
		     const struct table_desc *td, const struct mask_key *key,
		     const struct items *it)
{
	struct transform t;
	struct transformer x;
	struct errbuf eb = ERRBUF_INIT;
	unsigned changed;
	double us;

	transform_init(&t);
	for (; masks && *masks; masks++)
		transform_add_mask(&t, *masks, &eb);
	if (rename)
		transform_add_rename_prefix(&t, rename, &eb);
	if (transform_bind(&t, td, &eb) < 0 || transformer_init(&x, &t, key, &eb) < 0) {
		fprintf(stderr, "mask_bench: %s\n", eb.msg);
		exit(1);
	}
	us = run(&x, it, &changed);
	printf("%-44s %7.2f us/item  (%u of %u items changed)\n", label, us, changed, it->n);
	transformer_release(&x);
	transform_release(&t);
}

int main(int argc, char **argv)
{
	static char secret[] = "bench-mask-key-0123456789abcdef0123";
	static const char *const none[] = { "absent", NULL };
	static const char *const email[] = { "email", NULL };
	static const char *const three[] = { "email", "name", "phone", NULL };
	static const char *const five[] = { "email", "name", "phone", "address", "amount", NULL };
	struct mask_key key = { secret, sizeof(secret) - 1 };
	struct table_desc td;
	struct errbuf eb = ERRBUF_INIT;
	struct items it;
	unsigned i, n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200000;
	size_t total = 0;

	if (!n || table_from_json(&td, cJSON_Parse(TABLE), &eb) < 0) {
		fprintf(stderr, "usage: mask_bench [ITEMS]\n");
		return 2;
	}
	memset(&it, 0, sizeof(it));
	it.n = n;
	it.off = calloc(n, sizeof(*it.off));
	it.len = calloc(n, sizeof(*it.len));
	for (i = 0; i < n; i++) {
		it.off[i] = it.text.len;
		make_item(i, &it.text);
		it.len[i] = it.text.len - it.off[i];
		total += it.len[i];
	}
	printf("%u items of %zu bytes on average; CPU time of this thread, best of 3\n",
	       n, total / n);
	one_case("untouched (--mask of an absent attribute)", none, NULL, &td, &key, &it);
	one_case("--rename-prefix on every key", NULL, "TENANT#=T#", &td, &key, &it);
	one_case("--mask email", email, NULL, &td, &key, &it);
	one_case("--mask email, name, phone", three, NULL, &td, &key, &it);
	one_case("--mask email, name, phone, address, amount", five, NULL, &td, &key, &it);
	table_desc_release(&td);
	buf_release(&it.text);
	free(it.off);
	free(it.len);
	return 0;
}
