/*
 * credential_process: runs the command (split like a shell would, but with
 * no shell, as botocore does) and reads {"Version": 1, "AccessKeyId": ...}
 * from its stdout. Bounded in time and output, so a stuck helper cannot
 * hang the run.
 */
#include "dynamo/creds.h"
#include "dynamo/buf.h"
#include "dynamo/clock.h"
#include "dynamo/exitcode.h"

#include <cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROCESS_MAX_OUTPUT (64u << 10)

int creds_process_timeout_ms = 60000;

extern char **environ;

struct process_provider {
	struct creds_provider base;
	char *command;
};

/* shlex.split: blanks separate words; quotes and backslashes as in sh. */
static int split_words(const char *s, char ***argv_out)
{
	char **argv = NULL;
	int argc = 0;
	struct buf w = BUF_INIT;

	for (;;) {
		int in_word = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		buf_reset(&w);
		while (*s && !(*s == ' ' || *s == '\t' || *s == '\n')) {
			in_word = 1;
			if (*s == '\'') {
				const char *e = strchr(s + 1, '\'');

				if (!e)
					goto bad;
				buf_append(&w, s + 1, (size_t)(e - s - 1));
				s = e + 1;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					buf_putc(&w, *s);
				}
				if (*s != '"')
					goto bad;
				s++;
			} else if (*s == '\\' && s[1]) {
				buf_putc(&w, s[1]);
				s += 2;
			} else {
				buf_putc(&w, *s++);
			}
		}
		if (in_word) {
			argv = xrealloc(argv, (size_t)(argc + 2) * sizeof(*argv));
			argv[argc++] = xstrdup(w.data ? w.data : "");
		}
	}
	buf_release(&w);
	if (!argc)
		return -1;
	argv[argc] = NULL;
	*argv_out = argv;
	return argc;
bad:
	buf_release(&w);
	while (argc)
		free(argv[--argc]);
	free(argv);
	return -1;
}

static void free_words(char **argv)
{
	char **p;

	for (p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

/*
 * Off a terminal (CI, cron) the helper runs in a process group of its own,
 * so that on a timeout it and whatever it started (a shell's children
 * holding stdout open) are killed together. On a terminal it stays in
 * dynamo's group: a helper that asks for an MFA code on the terminal could
 * not read it from a background group, and Ctrl-C must reach it; there only
 * the helper itself is killed.
 */
static int own_group(void)
{
	return !isatty(STDIN_FILENO) && !isatty(STDERR_FILENO);
}

static void kill_helper(pid_t pid)
{
	if (own_group())
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static int read_output(int fd, pid_t pid, uint64_t deadline, struct buf *out,
		       const char *what, struct errbuf *eb)
{
	char chunk[4096];

	buf_init(out, PROCESS_MAX_OUTPUT);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t now = clock_mono_ms();
		ssize_t n;
		int r;

		if (now >= deadline) {
			kill_helper(pid);
			return errf(eb, EXIT_CONFIG,
				    "credential_process of %s did not finish within %g seconds",
				    what, creds_process_timeout_ms / 1000.0);
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR) {
			kill_helper(pid);
			return errf(eb, EXIT_CONFIG, "poll: %s", strerror(errno));
		}
		/* Nothing to read yet: read() would block past the deadline. */
		if (r <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			kill_helper(pid);
			return errf(eb, EXIT_CONFIG, "reading credential_process output: %s",
				    strerror(errno));
		}
		if (buf_append(out, chunk, (size_t)n) < 0) {
			kill_helper(pid);
			return errf(eb, EXIT_CONFIG,
				    "credential_process of %s printed more than 64 KB",
				    what);
		}
	}
	wipe(chunk, sizeof(chunk));
	return 0;
}

/*
 * Waits for the helper to exit, within the same deadline as the reading: a
 * helper that prints its credentials, closes stdout and keeps running would
 * otherwise block dynamo for ever in waitpid. On the deadline its process
 * group is killed. 0 with *status set, or -1 (eb set unless failed).
 */
static int wait_helper(pid_t pid, uint64_t deadline, int failed, int *status,
		       const char *what, struct errbuf *eb)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000000L };

		if (r == pid)
			return failed ? -1 : 0;
		if (r < 0 && errno != EINTR)
			return failed ? -1 : errf(eb, EXIT_CONFIG, "waitpid: %s", strerror(errno));
		if (failed || clock_mono_ms() >= deadline) {
			kill_helper(pid);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			if (failed)
				return -1;
			return errf(eb, EXIT_CONFIG,
				    "credential_process of %s printed its output but did not exit within %g seconds (it was stopped)",
				    what, creds_process_timeout_ms / 1000.0);
		}
		nanosleep(&ts, NULL);
	}
}

static int run_process(struct process_provider *pp, struct buf *out,
		       struct errbuf *eb)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)creds_process_timeout_ms;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **argv;
	int fds[2], status = 0, r;
	pid_t pid;

	if (split_words(pp->command, &argv) < 0)
		return errf(eb, EXIT_CONFIG,
			    "credential_process of %s is empty or has an unclosed quote",
			    pp->base.what);
	if (pipe(fds) < 0) {
		free_words(argv);
		return errf(eb, EXIT_CONFIG, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawnattr_init(&attr);
	if (own_group()) {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&attr, 0);
	}
	r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		errf(eb, EXIT_CONFIG, "cannot run credential_process '%s' of %s: %s",
		     argv[0], pp->base.what, strerror(r));
		free_words(argv);
		return -1;
	}
	r = read_output(fds[0], pid, deadline, out, pp->base.what, eb);
	close(fds[0]);
	r = wait_helper(pid, deadline, r < 0, &status, pp->base.what, eb);
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = errf(eb, EXIT_CONFIG, "credential_process '%s' of %s failed (%s %d)",
			 argv[0], pp->base.what,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	free_words(argv);
	return r;
}

static int process_fetch(struct creds_provider *p, struct credentials **out,
			 struct errbuf *eb)
{
	struct process_provider *pp = (struct process_provider *)p;
	struct buf text = BUF_INIT;
	const cJSON *ver;
	cJSON *j = NULL;
	char what[400];
	int r = -1;

	if (run_process(pp, &text, eb) < 0)
		goto cleanup;
	j = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
	ver = cJSON_GetObjectItemCaseSensitive(j, "Version");
	if (!j || !cJSON_IsNumber(ver) || ver->valueint != 1) {
		errf(eb, EXIT_CONFIG,
		     "credential_process of %s must print a JSON object with \"Version\": 1",
		     pp->base.what);
		goto cleanup;
	}
	snprintf(what, sizeof(what), "credential_process of %s", pp->base.what);
	r = creds_from_json(j, "AccessKeyId", "SecretAccessKey", "SessionToken",
			    "Expiration", 0, what, out, eb);
cleanup:
	cJSON_Delete(j);
	buf_wipe_release(&text);
	return r;
}

static void process_destroy(struct creds_provider *p)
{
	struct process_provider *pp = (struct process_provider *)p;

	free(pp->command);
	free(pp);
}

static const struct creds_provider_ops process_ops = {
	"process", process_fetch, process_destroy
};

struct creds_provider *creds_process_new(const char *what, const char *command)
{
	struct process_provider *pp = xcalloc(1, sizeof(*pp));

	creds_provider_init(&pp->base, &process_ops, what);
	pp->command = xstrdup(command);
	return &pp->base;
}
