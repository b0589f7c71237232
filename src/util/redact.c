/* The registry of secrets in use and the scrubbing of text (see redact.h). */
#include "dynamo/redact.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "[REDACTED]"

struct secret {
	char *value;		/* owned, wiped when freed */
	size_t len;
	int refs;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct secret *secrets;	/* owned */
static size_t nsecrets, nalloc;

void redact_add(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0, i;

	if (n < REDACT_MIN_LEN)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		if (secrets[i].len == n && !memcmp(secrets[i].value, secret, n)) {
			secrets[i].refs++;
			pthread_mutex_unlock(&lock);
			return;
		}
	if (nsecrets == nalloc) {
		nalloc = nalloc ? nalloc * 2 : 16;
		secrets = xrealloc(secrets, nalloc * sizeof(*secrets));
	}
	secrets[nsecrets].value = xstrdup(secret);
	secrets[nsecrets].len = n;
	secrets[nsecrets].refs = 1;
	nsecrets++;
	pthread_mutex_unlock(&lock);
}

void redact_remove(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0, i;

	if (n < REDACT_MIN_LEN)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++) {
		if (secrets[i].len != n || memcmp(secrets[i].value, secret, n))
			continue;
		if (--secrets[i].refs == 0) {
			free_secret(secrets[i].value);
			secrets[i] = secrets[--nsecrets];
		}
		break;
	}
	if (!nsecrets) {
		free(secrets);
		secrets = NULL;
		nalloc = 0;
	}
	pthread_mutex_unlock(&lock);
}

/* Characters a token or signature value is made of: base64, hex, URL escapes. */
static int value_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=' || c == '%' || c == '_' || c == '-';
}

/*
 * Names whose value is a secret whatever it is: a signature, a session
 * token (as a header "name: value", a query "name=value" or JSON "name":"value").
 */
static size_t secret_name_at(const char *p, const char *end)
{
	static const char *const names[] = { "signature", "x-amz-security-token", NULL };
	size_t i;

	for (i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		const char *q = p + n;

		if ((size_t)(end - p) <= n || strncasecmp(p, names[i], n))
			continue;
		if (q < end && *q == '"')
			q++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && (*q == ':' || *q == '=')) {
			q++;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '"'))
				q++;
			return (size_t)(q - p);
		}
	}
	return 0;
}

void redact_into(const char *text, size_t n, struct buf *out)
{
	const char *p = text, *end = text + n;

	pthread_mutex_lock(&lock);
	while (p < end) {
		size_t i, name;
		int hit = 0;

		for (i = 0; i < nsecrets && !hit; i++)
			if ((size_t)(end - p) >= secrets[i].len &&
			    !memcmp(p, secrets[i].value, secrets[i].len)) {
				buf_puts(out, MASK);
				p += secrets[i].len;
				hit = 1;
			}
		if (hit)
			continue;
		if ((name = secret_name_at(p, end)) && p + name < end && value_char(p[name])) {
			buf_append(out, p, name);
			buf_puts(out, MASK);
			for (p += name; p < end && value_char(*p); p++)
				;
			continue;
		}
		buf_putc(out, *p++);
	}
	pthread_mutex_unlock(&lock);
}

void redact_str(char *s, size_t cap)
{
	struct buf out = BUF_INIT;
	size_t n;

	if (!s || !cap)
		return;
	redact_into(s, strlen(s), &out);
	n = out.len < cap - 1 ? out.len : cap - 1;
	memcpy(s, out.data ? out.data : "", n);
	s[n] = '\0';
	buf_release(&out);
}
