#ifndef DYNAMO_OPT_H
#define DYNAMO_OPT_H

#include <stdio.h>
#include "dynamo/msg.h"

/*
 * Command-line options. Every flag is declared once, in one table
 * (src/cmd/options.c); each command lists the flags it takes. From that
 * list come the getopt array, --help, and the man page check
 * (tests/lint-docs.sh).
 *
 * dynamo-cmdline's single-dash long names (-pk, -src, -head) are accepted
 * alongside the GNU forms (--pk, --source, --head) through getopt_long_only.
 */
struct opt_def {
	int id;			/* OPT_* (>= 256) */
	const char *name;	/* GNU long name: "table" */
	char short_name;	/* 't', or 0 */
	const char *compat;	/* dynamo-cmdline's single-dash name ("src"), or NULL */
	const char *arg;	/* value placeholder ("NAME"), NULL for a switch; two
				 * words ("A B"): the flag takes two values, and set is
				 * called once for each */
	const char *help;
};

/* A command's flags: ids, ended by 0. */
typedef int opt_list[64];

/*
 * Parses argv (argv[0] is the command name) against the command's flags,
 * calling set(id, value, arg, eb) for each; positional arguments are left in
 * *rest / *nrest. Usage errors name the flag and the command.
 */
int opt_parse(const char *cmd, const struct opt_def *defs, const int *ids,
	      int argc, char **argv,
	      int (*set)(int id, const char *flag, const char *value, void *arg,
			 struct errbuf *eb),
	      void *arg, char ***rest, int *nrest, struct errbuf *eb);

const struct opt_def *opt_find(const struct opt_def *defs, int id);
/* Prints the option list the way --help shows it. */
void opt_print_help(FILE *out, const struct opt_def *defs, const int *ids);
/* "-t, --table NAME" as shown in --help. */
void opt_format_flag(const struct opt_def *d, char *out, size_t n);

#endif
