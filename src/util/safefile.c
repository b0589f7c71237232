/* Writing a file beside its target and renaming it over it (see safefile.h). */
#include "dynamo/safefile.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* What is at path: 'f' a file or nothing, 'd' a device or pipe (written directly), or -1 (eb set). */
static int classify(const char *path, const char *what, struct errbuf *eb)
{
	struct stat ls, st;

	if (lstat(path, &ls) < 0) {
		if (errno == ENOENT)
			return 'f';
		return errf(eb, EXIT_IO, "cannot write %s '%s': %s", what, path, strerror(errno));
	}
	if (S_ISDIR(ls.st_mode))
		return errf(eb, EXIT_IO, "cannot write %s '%s': it is a directory (name a file in it)",
			    what, path);
	if (!S_ISLNK(ls.st_mode))
		return S_ISREG(ls.st_mode) ? 'f' : 'd';
	/* A link to a device or a pipe (/dev/stdout) holds nothing to overwrite. */
	if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ||
				     S_ISSOCK(st.st_mode)))
		return 'd';
	return errf(eb, EXIT_IO,
		    "refusing to write %s '%s': it is a symbolic link, and dynamo does not write through links it did not create (write to the file it points to, or remove the link)",
		    what, path);
}

int safe_file_check(const char *path, const char *what, struct errbuf *eb)
{
	return classify(path, what, eb) < 0 ? -1 : 0;
}

/* "dir/.base.dynamo-XXXXXXXXXXXX": hidden, beside the target, on the same file system. */
static void temp_name(const char *target, struct buf *out)
{
	const char *slash = strrchr(target, '/');
	unsigned char rnd[6];
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		unsigned long x = (unsigned long)getpid() ^ (unsigned long)(uintptr_t)out ^
				  (unsigned long)rand();

		memcpy(rnd, &x, sizeof(rnd) < sizeof(x) ? sizeof(rnd) : sizeof(x));
	}
	buf_reset(out);
	if (slash)
		buf_append(out, target, (size_t)(slash - target + 1));
	buf_printf(out, ".%s.dynamo-", slash ? slash + 1 : target);
	for (i = 0; i < sizeof(rnd); i++)
		buf_printf(out, "%02x", rnd[i]);
}

int safe_file_open(struct safe_file *f, const char *target, const char *what,
		   struct errbuf *eb)
{
	struct buf tmp = BUF_INIT;
	int kind = classify(target, what, eb), tries;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (kind < 0)
		return -1;
	f->target = xstrdup(target);
	if (kind == 'd') {
		f->fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (f->fd < 0) {
			errf(eb, EXIT_IO, "cannot write %s '%s': %s", what, target, strerror(errno));
			free(f->target);
			f->target = NULL;
			return -1;
		}
		return 0;
	}
	for (tries = 0; tries < 100 && f->fd < 0; tries++) {
		temp_name(target, &tmp);
		f->fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f->fd < 0 && errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		errf(eb, EXIT_IO, "cannot create %s '%s' (as '%s'): %s", what, target,
		     tmp.data, strerror(errno));
		buf_release(&tmp);
		free(f->target);
		f->target = NULL;
		return -1;
	}
	f->tmp = buf_detach(&tmp);
	return 0;
}

int fd_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int safe_file_write(struct safe_file *f, const void *p, size_t n)
{
	return fd_write_all(f->fd, p, n);
}

static void release(struct safe_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->target);
	free(f->tmp);
	f->target = f->tmp = NULL;
}

/* The directory holding path, synced so that the rename survives a crash. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) :
		    xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	free(dir);
	if (fd < 0)
		return -1;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -1;
	close(fd);
	return r;
}

int safe_file_commit(struct safe_file *f, const char *what, struct errbuf *eb)
{
	int r = 0;

	if (!f->tmp) {
		if (close(f->fd) < 0)
			r = errf(eb, EXIT_IO, "cannot write %s '%s': %s", what, f->target,
				 strerror(errno));
		f->fd = -1;
		release(f);
		return r;
	}
	if (fsync(f->fd) < 0 || close(f->fd) < 0) {
		f->fd = -1;
		r = errf(eb, EXIT_IO, "cannot write %s '%s': %s", what, f->target, strerror(errno));
		safe_file_abort(f);
		return r;
	}
	f->fd = -1;
	if (rename(f->tmp, f->target) < 0) {
		r = errf(eb, EXIT_IO, "cannot save %s '%s': %s", what, f->target, strerror(errno));
		safe_file_abort(f);
		return r;
	}
	if (sync_dir(f->target) < 0)
		msg_warn("%s '%s' is written, but its directory could not be synced: %s",
			 what, f->target, strerror(errno));
	release(f);
	return 0;
}

void safe_file_abort(struct safe_file *f)
{
	if (f->tmp) {
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		unlink(f->tmp);
	}
	release(f);
}

int safe_file_replace(const char *path, const void *data, size_t n,
		      const char *what, struct errbuf *eb)
{
	struct safe_file f;

	if (safe_file_open(&f, path, what, eb) < 0)
		return -1;
	if (safe_file_write(&f, data, n) < 0) {
		errf(eb, EXIT_IO, "cannot write %s '%s': %s", what, path, strerror(errno));
		safe_file_abort(&f);
		return -1;
	}
	return safe_file_commit(&f, what, eb);
}
