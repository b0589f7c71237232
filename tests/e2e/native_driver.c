/*
 * A test-only driver of the S3 client, the export reader and the native
 * control plane (s3.h, export_reader.h, native.h), for the end-to-end
 * tests in test_native_s3.py, below the commands that use them (export
 * --to, import -i s3:// and --from, restore --point-in-time:
 * test_native_commands.py), with knobs the commands do not have. It is
 * built by 'make test-build' into $(BUILD)/tests/native_driver, never
 * installed, and talks to whatever the environment names (AWS_ENDPOINT_URL,
 * the profiles in $HOME/.aws), as dynamo does.
 *
 * usage: native_driver [-e PROFILE] [--window N] [--max-keys N] [--offset N]
 *                      [--length N] [--list-data] [--at T] [--from T] [--to T]
 *                      [--view V] [--owner ACCOUNT] [--prefix P] COMMAND ARGS...
 *
 *   s3-list URL             key<TAB>size<TAB>etag per object (decoded key);
 *                           "# pages N" on stderr
 *   s3-get URL              the object's bytes on stdout, streamed (s3_get)
 *   s3-read URL             the same, window by window (s3_reader)
 *   export-read URL         the export's records, one a line: the item's
 *                           DynamoDB JSON (full export), or "PUT KEYS ITEM" /
 *                           "DELETE KEYS" (incremental); counts on stderr
 *   pitr TABLE              "enabled" or "disabled"
 *   pitr-enable TABLE       turns PITR on
 *   export TABLE BUCKET     ExportTableToPointInTime (--prefix, --at, or
 *                           --from/--to/--view, --owner), waits; prints
 *                           "ARN STATUS ITEMS"
 *   import BUCKET PREFIX NEW LIKE   ImportTable of the gzip DynamoDB JSON
 *                           under PREFIX into NEW with LIKE's schema, waits;
 *                           prints "STATUS IMPORTED"
 *   restore SOURCE NEW      RestoreTableToPointInTime (--at T, else latest)
 *
 * Errors are one "dynamo: ..." line with dynamo's exit codes; what else it
 * says on stderr starts with "# " (counts, and at the end "# peak_rss_kb N":
 * the peak memory, for the bounded-memory tests).
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo/ddb.h"
#include "dynamo/exitcode.h"
#include "dynamo/export_reader.h"
#include "dynamo/native.h"
#include "dynamo/s3.h"

struct args {
	const char *profile;
	size_t window;
	int max_keys;
	uint64_t offset, length;
	int list_data;
	double at, from, to;
	const char *view, *owner, *prefix;
	char **rest;
	int nrest;
};

struct side {
	struct aws_config cfg;
	struct ddb d;
	struct s3 s3;
};

static int usage(void)
{
	fputs("usage: native_driver [-e PROFILE] [options] COMMAND ARGS... (see the source)\n", stderr);
	return EXIT_USAGE;
}

static int number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s ? -1 : 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double x = 0;

		if (!strcmp(f, "--list-data")) {
			a->list_data = 1;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(f, "-e"))
			a->profile = v;
		else if (!strcmp(f, "--view"))
			a->view = v;
		else if (!strcmp(f, "--owner"))
			a->owner = v;
		else if (!strcmp(f, "--prefix"))
			a->prefix = v;
		else if (number(v, &x) < 0 || x < 0)
			return -1;
		else if (!strcmp(f, "--window"))
			a->window = (size_t)x;
		else if (!strcmp(f, "--max-keys"))
			a->max_keys = (int)x;
		else if (!strcmp(f, "--offset"))
			a->offset = (uint64_t)x;
		else if (!strcmp(f, "--length"))
			a->length = (uint64_t)x;
		else if (!strcmp(f, "--at"))
			a->at = x;
		else if (!strcmp(f, "--from"))
			a->from = x;
		else if (!strcmp(f, "--to"))
			a->to = x;
		else
			return -1;
	}
	a->rest = argv + i;
	a->nrest = argc - i;
	return a->nrest >= 1 ? 0 : -1;
}

static int side_open(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct ddb_settings ds;
	struct s3_settings ss;

	memset(s, 0, sizeof(*s));
	if (aws_config_load(&s->cfg, eb) < 0)
		return -1;
	memset(&ds, 0, sizeof(ds));
	ds.cfg = &s->cfg;
	ds.profile = a->profile;
	ds.profile_explicit = a->profile != NULL;
	if (ddb_open(&s->d, &ds, eb) < 0) {
		aws_config_release(&s->cfg);
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	ss.cfg = &s->cfg;
	ss.profile = s->d.profile;
	ss.region = s->d.region;
	ss.creds = s->d.creds;
	if (s3_open(&s->s3, &ss, eb) < 0) {
		ddb_close(&s->d);
		aws_config_release(&s->cfg);
		return -1;
	}
	return 0;
}

static void side_close(struct side *s)
{
	s3_close(&s->s3);
	ddb_close(&s->d);
	aws_config_release(&s->cfg);
}

static int out_bytes(void *ctx, const char *p, size_t n, struct errbuf *eb)
{
	(void)ctx;
	if (fwrite(p, 1, n, stdout) != n)
		return errf(eb, EXIT_IO, "cannot write stdout: %s", strerror(errno));
	return 0;
}

static int s3_list_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct s3_lister l;
	struct s3_url u;
	int r;

	if (s3_url_parse(&u, a->rest[1], "URL", eb) < 0)
		return -1;
	s3_lister_init(&l, &s->s3, u.bucket, u.key);
	l.max_keys = a->max_keys;
	while ((r = s3_lister_next(&l, eb)) == 1) {
		size_t i;

		for (i = 0; i < l.nobjs; i++)
			printf("%s\t%" PRIu64 "\t%s\n", l.objs[i].key, l.objs[i].size, l.objs[i].etag);
	}
	fprintf(stderr, "# pages %" PRIu64 "\n", l.pages);
	s3_lister_release(&l);
	s3_url_release(&u);
	return r;
}

static int s3_get_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct s3_object_info info;
	struct s3_url u;
	int r;

	if (s3_url_parse(&u, a->rest[1], "URL", eb) < 0)
		return -1;
	r = s3_get(&s->s3, u.bucket, u.key, a->offset, a->length, NULL, out_bytes, NULL, &info, eb);
	if (r == 0)
		fprintf(stderr, "# size %" PRIu64 " etag %s\n", info.size, info.etag);
	s3_url_release(&u);
	return r;
}

static int s3_read_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct s3_reader rd;
	struct s3_url u;
	const char *p;
	size_t n;
	int r, windows = 0;

	if (s3_url_parse(&u, a->rest[1], "URL", eb) < 0)
		return -1;
	s3_reader_init(&rd, &s->s3, u.bucket, u.key, NULL, a->window);
	while ((r = s3_reader_read(&rd, &p, &n, eb)) == 1) {
		windows++;
		if (out_bytes(NULL, p, n, eb) < 0) {
			r = -1;
			break;
		}
	}
	fprintf(stderr, "# windows %d\n", windows);
	s3_reader_release(&rd);
	s3_url_release(&u);
	return r;
}

static void print_slice(struct slice s)
{
	fwrite(s.p, 1, s.n, stdout);
}

static int export_read_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct export_reader_options o;
	struct export_reader_progress pr;
	struct export_reader *r;
	enum export_line_kind kind;
	struct export_line rec;
	int rc;

	memset(&o, 0, sizeof(o));
	o.window = a->window;
	o.list_data = a->list_data;
	if (export_reader_open(&r, &s->s3, a->rest[1], &o, eb) < 0)
		return -1;
	while ((rc = export_reader_next_record(r, &kind, &rec, eb)) == 1) {
		if (kind == EXPORT_LINE_CHANGE) {
			fputs(rec.item.n ? "PUT " : "DELETE ", stdout);
			print_slice(rec.keys);
			if (rec.item.n) {
				putchar(' ');
				print_slice(rec.item);
			}
		} else {
			print_slice(rec.item);
		}
		putchar('\n');
	}
	export_reader_progress(r, &pr);
	fprintf(stderr, "# files %" PRIu64 " items %" PRIu64 " bytes %" PRIu64 " complete %d\n",
		pr.files_done, pr.items, pr.bytes, export_reader_complete(r));
	export_reader_close(r);
	return rc;
}

static int pitr_cmd(struct side *s, const struct args *a, int enable, struct errbuf *eb)
{
	struct native_pitr p;
	int r = enable ? native_pitr_enable(&s->d, a->rest[1], 0, &p, eb) :
			 native_pitr_describe(&s->d, a->rest[1], &p, eb);

	if (r == 0)
		printf("%s\n", p.enabled ? "enabled" : "disabled");
	return r;
}

static int export_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct native_export_spec spec;
	struct native_export e;
	struct table_desc t;

	if (a->nrest < 3)
		return errf(eb, EXIT_USAGE, "export TABLE BUCKET");
	if (table_describe(&s->d, a->rest[1], &t, eb) < 0)
		return -1;
	memset(&spec, 0, sizeof(spec));
	spec.table_arn = t.arn;
	spec.bucket = a->rest[2];
	spec.prefix = a->prefix;
	spec.bucket_owner = a->owner;
	spec.export_time = a->at;
	spec.incremental = a->from > 0 || a->to > 0;
	spec.from_time = a->from;
	spec.to_time = a->to;
	spec.view = a->view;
	if (native_export_start(&s->d, &spec, &e, eb) < 0 ||
	    (e.status == NATIVE_IN_PROGRESS &&
	     native_export_wait(&s->d, e.arn, 1000, 120, NULL, NULL, &e, eb) < 0)) {
		table_desc_release(&t);
		return -1;
	}
	printf("%s %s %lld\n", e.arn, e.status_text, e.item_count);
	table_desc_release(&t);
	return e.status == NATIVE_COMPLETED ? 0 :
	       errf(eb, EXIT_FAILURE_RUNTIME, "export %s", e.status_text);
}

static int import_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct native_import_spec spec;
	struct native_import im;
	struct table_desc like;
	int r;

	if (a->nrest < 5)
		return errf(eb, EXIT_USAGE, "import BUCKET PREFIX NEW LIKE");
	if (table_describe(&s->d, a->rest[4], &like, eb) < 0)
		return -1;
	memset(&spec, 0, sizeof(spec));
	spec.bucket = a->rest[1];
	spec.prefix = a->rest[2];
	spec.table_name = a->rest[3];
	spec.table = like.raw;
	r = native_import_start(&s->d, &spec, &im, eb);
	if (r == 0 && im.status == NATIVE_IN_PROGRESS)
		r = native_import_wait(&s->d, im.arn, 1000, 120, NULL, NULL, &im, eb);
	if (r == 0)
		printf("%s %lld\n", im.status_text, im.imported_items);
	table_desc_release(&like);
	return r;
}

static int restore_cmd(struct side *s, const struct args *a, struct errbuf *eb)
{
	struct native_restore_spec spec;

	if (a->nrest < 3)
		return errf(eb, EXIT_USAGE, "restore SOURCE NEW");
	memset(&spec, 0, sizeof(spec));
	spec.source = a->rest[1];
	spec.target = a->rest[2];
	spec.restore_time = a->at;
	if (native_restore_start(&s->d, &spec, eb) < 0 ||
	    table_wait_active(&s->d, a->rest[2], 120, eb) < 0)
		return -1;
	printf("restored %s\n", a->rest[2]);
	return 0;
}

static int run(struct side *s, const struct args *a, struct errbuf *eb)
{
	const char *cmd = a->rest[0];
	int need = !strcmp(cmd, "export") || !strcmp(cmd, "restore") ? 3 :
		   !strcmp(cmd, "import") ? 5 : 2;

	if (a->nrest < need)
		return errf(eb, EXIT_USAGE, "%s: missing arguments", cmd);
	if (!strcmp(cmd, "s3-list"))
		return s3_list_cmd(s, a, eb);
	if (!strcmp(cmd, "s3-get"))
		return s3_get_cmd(s, a, eb);
	if (!strcmp(cmd, "s3-read"))
		return s3_read_cmd(s, a, eb);
	if (!strcmp(cmd, "export-read"))
		return export_read_cmd(s, a, eb);
	if (!strcmp(cmd, "pitr") || !strcmp(cmd, "pitr-enable"))
		return pitr_cmd(s, a, !strcmp(cmd, "pitr-enable"), eb);
	if (!strcmp(cmd, "export"))
		return export_cmd(s, a, eb);
	if (!strcmp(cmd, "import"))
		return import_cmd(s, a, eb);
	if (!strcmp(cmd, "restore"))
		return restore_cmd(s, a, eb);
	return errf(eb, EXIT_USAGE, "unknown command '%s'", cmd);
}

/*
 * The peak memory of this program (VmHWM): not getrusage's maxrss, which
 * keeps the forking parent's peak across exec.
 */
static void peak_rss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			fprintf(stderr, "# peak_rss_kb %ld\n", strtol(line + 6, NULL, 10));
	if (f)
		fclose(f);
}

static void on_signal(int sig)
{
	(void)sig;
	engine_stop = 1;
}

int main(int argc, char **argv)
{
	struct errbuf eb = ERRBUF_INIT;
	struct side s;
	struct args a;
	int code = EXIT_OK;

	if (parse(argc, argv, &a) < 0)
		return usage();
	engine_config_defaults(&engine_global_config);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_FAILURE_RUNTIME;
	if (side_open(&s, &a, &eb) == 0) {
		if (run(&s, &a, &eb) < 0 && !eb.set)
			errf(&eb, EXIT_FAILURE_RUNTIME, "failed");
		side_close(&s);
	}
	if (fflush(stdout) != 0 && !eb.set)
		errf(&eb, EXIT_IO, "cannot write stdout: %s", strerror(errno));
	if (eb.set)
		code = errbuf_report(&eb);
	http_sync_cleanup();
	curl_global_cleanup();
	peak_rss();
	return code;
}
