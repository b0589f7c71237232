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

static int read_output(int fd, pid_t pid, struct buf *out, const char *what,
		       struct errbuf *eb)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)creds_process_timeout_ms;
	char chunk[4096];

	buf_init(out, PROCESS_MAX_OUTPUT);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t now = clock_mono_ms();
		ssize_t n;
		int r;

		if (now >= deadline) {
			kill(pid, SIGKILL);
			return errf(eb, EXIT_CONFIG,
				    "credential_process of %s did not finish within %g seconds",
				    what, creds_process_timeout_ms / 1000.0);
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return errf(eb, EXIT_CONFIG, "poll: %s", strerror(errno));
		/* Nothing to read yet: read() would block past the deadline. */
		if (r <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errf(eb, EXIT_CONFIG, "reading credential_process output: %s",
				    strerror(errno));
		}
		if (buf_append(out, chunk, (size_t)n) < 0) {
			kill(pid, SIGKILL);
			return errf(eb, EXIT_CONFIG,
				    "credential_process of %s printed more than 64 KB",
				    what);
		}
	}
	wipe(chunk, sizeof(chunk));
	return 0;
}

static int run_process(struct process_provider *pp, struct buf *out,
		       struct errbuf *eb)
{
	posix_spawn_file_actions_t fa;
	char **argv;
	int fds[2], status, r;
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
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		errf(eb, EXIT_CONFIG, "cannot run credential_process '%s' of %s: %s",
		     argv[0], pp->base.what, strerror(r));
		free_words(argv);
		return -1;
	}
	r = read_output(fds[0], pid, out, pp->base.what, eb);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
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
