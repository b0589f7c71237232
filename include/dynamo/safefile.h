#ifndef DYNAMO_SAFEFILE_H
#define DYNAMO_SAFEFILE_H

#include <stddef.h>
#include "dynamo/msg.h"

/*
 * Every file dynamo writes (exports, checkpoints) is written the same way:
 * to a temporary created beside the target with O_CREAT|O_EXCL|O_NOFOLLOW
 * and mode 0600 under a random name, synced, and renamed over the target
 * only when everything was written, the directory synced after. Until then
 * the target is as it was; a failed or interrupted write removes the
 * temporary. No file is written through a symbolic link dynamo did not
 * create: a target that is a link to a file (or to nothing) is refused.
 *
 * A target that is a device or a pipe (/dev/null, a FIFO, also through a
 * link such as /dev/stdout) has no contents to keep: it is opened and
 * written directly, and commit only closes it.
 */
struct safe_file {
	char *target;		/* owned: the path asked for */
	char *tmp;		/* owned: the temporary, or NULL when writing directly */
	int fd;			/* -1 when closed */
};

/*
 * Creates the temporary for target (or opens a device or pipe). On failure
 * eb says why (EXIT_IO) and nothing is left behind. what names the file in
 * messages ("export", "checkpoint").
 */
int safe_file_open(struct safe_file *f, const char *target, const char *what,
		   struct errbuf *eb);
/* Writes all of p; -1 with errno set on failure. */
int safe_file_write(struct safe_file *f, const void *p, size_t n);
/* The same on any descriptor (retrying short writes and EINTR). */
int fd_write_all(int fd, const void *p, size_t n);
/* Syncs, closes and renames the temporary over the target, then syncs the directory. */
int safe_file_commit(struct safe_file *f, const char *what, struct errbuf *eb);
/* Closes and removes the temporary: the target stays as it was. */
void safe_file_abort(struct safe_file *f);
/* Checks that path may be written (not a link to a file, not a directory) without writing it. */
int safe_file_check(const char *path, const char *what, struct errbuf *eb);
/* The whole of data into path, safely (open, write, commit). */
int safe_file_replace(const char *path, const void *data, size_t n,
		      const char *what, struct errbuf *eb);

#endif
