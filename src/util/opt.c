#include "dynamo/opt.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const struct opt_def *opt_find(const struct opt_def *defs, int id)
{
	for (; defs->id; defs++)
		if (defs->id == id)
			return defs;
	return NULL;
}

static int count_ids(const int *ids)
{
	int n = 0;

	while (ids[n])
		n++;
	return n;
}

/* Builds getopt's arrays from the command's flags. */
static void build_getopt(const struct opt_def *defs, const int *ids,
			 struct option *lo, char *shorts)
{
	int i, n = 0;
	char *s = shorts;

	*s++ = ':';	/* report a missing value as ':' */
	for (i = 0; ids[i]; i++) {
		const struct opt_def *d = opt_find(defs, ids[i]);
		int has = d->arg ? required_argument : no_argument;

		lo[n++] = (struct option){ d->name, has, NULL, d->id };
		if (d->compat && strcmp(d->compat, d->name))
			lo[n++] = (struct option){ d->compat, has, NULL, d->id };
		if (d->short_name) {
			*s++ = d->short_name;
			if (d->arg)
				*s++ = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
}

static int short_to_id(const struct opt_def *defs, const int *ids, int c)
{
	int i;

	for (i = 0; ids[i]; i++) {
		const struct opt_def *d = opt_find(defs, ids[i]);

		if (d->short_name == c)
			return d->id;
	}
	return 0;
}

/* Whether name (n bytes) names one of the command's long flags, as getopt would take it. */
static int names_long_flag(const struct opt_def *defs, const int *ids,
			   const char *name, size_t n)
{
	int i, prefix_of = 0;

	for (i = 0; ids[i]; i++) {
		const struct opt_def *d = opt_find(defs, ids[i]);
		const char *forms[2] = { d->name, d->compat };
		int f;

		for (f = 0; f < 2; f++) {
			if (!forms[f] || strncmp(forms[f], name, n))
				continue;
			if (!forms[f][n])
				return 1;
			prefix_of++;
		}
	}
	return prefix_of == 1;	/* an abbreviation of exactly one flag */
}

/*
 * Whether arg, given as a flag's value, is itself one of the command's
 * flags: with PK empty, "--pk $PK --dry-run --yes" gave --pk the value
 * "--dry-run" and ran a real copy. A value that looks like another flag
 * but is none ("-5", "--x") stays a value.
 */
static int is_flag_of(const struct opt_def *defs, const int *ids, const char *arg)
{
	const char *name;

	if (arg[0] != '-' || !arg[1])
		return 0;
	if (arg[1] != '-' && !arg[2] && short_to_id(defs, ids, arg[1]))
		return 1;
	name = arg + (arg[1] == '-' ? 2 : 1);
	return *name && names_long_flag(defs, ids, name, strcspn(name, "="));
}

/* The flag of the command that arg names in full ("-t", "--table", "-src"), or NULL. */
static const struct opt_def *named_flag(const struct opt_def *defs, const int *ids,
					const char *arg)
{
	const char *name = arg + (arg[1] == '-' ? 2 : 1);
	int i;

	if (arg[0] != '-' || !*name)
		return NULL;
	for (i = 0; ids[i]; i++) {
		const struct opt_def *d = opt_find(defs, ids[i]);

		if ((arg[1] != '-' && !arg[2] && d->short_name == arg[1]) ||
		    !strcmp(d->name, name) || (d->compat && !strcmp(d->compat, name)))
			return d;
	}
	return NULL;
}

static char **rewritten;	/* the argument strings opt_parse made */
static size_t nrewritten;

static void free_rewritten(void)
{
	while (nrewritten)
		free(rewritten[--nrewritten]);
	free(rewritten);
	rewritten = NULL;
}

/*
 * dynamo-cmdline (argparse) took "-t=app" for "-t app"; getopt would read
 * it as an abbreviation of a long flag, or as -t with the value "=app".
 * Such arguments become "--table=app" before getopt sees them. An argument
 * that is the value of the flag before it is left alone.
 */
static void rewrite_short_equals(const struct opt_def *defs, const int *ids,
				 int argc, char **argv)
{
	const struct opt_def *d, *prev = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		int value_of_prev = prev && prev->arg;

		prev = named_flag(defs, ids, a);
		if (value_of_prev || a[0] != '-' || a[1] == '-' || !a[1] || a[2] != '=')
			continue;
		d = named_flag(defs, ids, (char[]){ '-', a[1], 0 });
		if (!d || !d->arg)
			continue;
		if (!nrewritten)
			atexit(free_rewritten);
		rewritten = xrealloc(rewritten, (nrewritten + 1) * sizeof(*rewritten));
		rewritten[nrewritten] = xmalloc(strlen(d->name) + strlen(a) + 2);
		sprintf(rewritten[nrewritten], "--%s%s", d->name, a + 2);
		argv[i] = rewritten[nrewritten++];
	}
}

int opt_parse(const char *cmd, const struct opt_def *defs, const int *ids,
	      int argc, char **argv,
	      int (*set)(int id, const char *flag, const char *value, void *arg,
			 struct errbuf *eb),
	      void *arg, char ***rest, int *nrest, struct errbuf *eb)
{
	int n = count_ids(ids), c, idx;
	struct option *lo = xcalloc((size_t)(2 * n + 1), sizeof(*lo));
	char *shorts = xcalloc((size_t)(3 * n + 2), 1);
	char canonical[64];
	int r = -1;

	build_getopt(defs, ids, lo, shorts);
	rewrite_short_equals(defs, ids, argc, argv);
	opterr = 0;
	optind = 0;	/* full re-initialisation (glibc) */
	while ((c = getopt_long_only(argc, argv, shorts, lo, &idx)) != -1) {
		const char *flag = argv[optind - 1];
		int id = c >= 256 ? c : short_to_id(defs, ids, c);

		if (c == '?') {
			errf(eb, EXIT_USAGE,
			     "unknown flag '%s' for '%s' (see 'dynamo %s --help')",
			     optopt && optopt < 256 ? (char[]){ '-', (char)optopt, 0 } :
			     flag, cmd, cmd);
			goto out;
		}
		if (c == ':') {
			errf(eb, EXIT_USAGE, "flag '%s' needs a value (see 'dynamo %s --help')",
			     flag, cmd);
			goto out;
		}
		/* Messages about a value name the flag in its GNU form. */
		snprintf(canonical, sizeof(canonical), "--%s",
			 opt_find(defs, id)->name);
		/* A value given as the next argument that is a flag: the value was forgotten. */
		if (optarg && optarg == argv[optind - 1] && is_flag_of(defs, ids, optarg)) {
			errf(eb, EXIT_USAGE,
			     "%s needs a value; got the flag %s: write %s=%s if that is the value",
			     canonical, optarg, canonical, optarg);
			goto out;
		}
		if (set(id, canonical, optarg, arg, eb) < 0)
			goto out;
	}
	*rest = argv + optind;
	*nrest = argc - optind;
	r = 0;
out:
	free(lo);
	free(shorts);
	return r;
}

void opt_format_flag(const struct opt_def *d, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	if (d->short_name)
		buf_printf(&b, "-%c, ", d->short_name);
	if (d->compat)
		buf_printf(&b, "-%s, ", d->compat);
	buf_printf(&b, "--%s", d->name);
	if (d->arg)
		buf_printf(&b, " %s", d->arg);
	snprintf(out, n, "%s", b.data);
	buf_release(&b);
}

void opt_print_help(FILE *out, const struct opt_def *defs, const int *ids)
{
	int i;

	for (i = 0; ids[i]; i++) {
		const struct opt_def *d = opt_find(defs, ids[i]);
		char flag[128];

		opt_format_flag(d, flag, sizeof(flag));
		if (strlen(flag) <= 26)
			fprintf(out, "  %-26s %s\n", flag, d->help);
		else
			fprintf(out, "  %s\n  %-26s %s\n", flag, "", d->help);
	}
}
