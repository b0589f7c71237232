#ifndef DYNAMO_EXITCODE_H
#define DYNAMO_EXITCODE_H

/*
 * Exit codes. They are part of the interface: the man page (EXIT STATUS) and
 * README list them, and scripts branch on them. Keep all three in step.
 */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,	/* AWS refused a request or an item; a setup call failed after retries */
	EXIT_DIFFERENT = 1,		/* dynamo diff: the tables differ (as diff(1)); its runtime failures exit 8 */
	EXIT_USAGE = 2,			/* bad command line */
	EXIT_CONFIG = 3,		/* profile, config file, credentials, permissions */
	EXIT_NOT_FOUND = 4,		/* table, index or backup does not exist */
	EXIT_INCOMPLETE = 5,		/* a data stage ran out of retries with items not handled; run again */
	EXIT_REFUSED = 6,		/* destructive step not confirmed */
	EXIT_IO = 7,			/* local file or output error */
	EXIT_DIFF_FAILED = 8,		/* dynamo diff: what other commands report as 1 (1 says "different") */
	EXIT_INTERRUPTED = 130,		/* SIGINT/SIGTERM */
	EXIT_OUTPUT_CLOSED = 141	/* what the shell reports for death by SIGPIPE (main raises it) */
};

#endif
