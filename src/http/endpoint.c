#include "dynamo/http.h"
#include "dynamo/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Endpoints: a base URL parsed once into what each call needs. */

int endpoint_parse(struct endpoint *ep, const char *url, struct errbuf *eb)
{
	const char *p, *host, *slash;
	int https;
	size_t hostlen;

	memset(ep, 0, sizeof(*ep));
	if (!strncasecmp(url, "https://", 8))
		https = 1, p = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		https = 0, p = url + 7;
	else
		return errf(eb, EXIT_USAGE,
			    "endpoint '%s' must start with https:// or http://",
			    url);
	host = p;
	slash = strchr(host, '/');
	hostlen = slash ? (size_t)(slash - host) : strlen(host);
	if (!hostlen || memchr(host, '@', hostlen) || memchr(host, '?', hostlen) ||
	    strpbrk(url, " \t\r\n"))
		return errf(eb, EXIT_USAGE,
			    "endpoint '%s' is not a valid URL (expected like https://host[:port])",
			    url);
	/* The Host header, as curl sends it: the default port is omitted. */
	if (hostlen > 4 && https && !strncmp(host + hostlen - 4, ":443", 4))
		hostlen -= 4;
	else if (hostlen > 3 && !https && !strncmp(host + hostlen - 3, ":80", 3))
		hostlen -= 3;
	ep->host = xstrndup(host, hostlen);
	ep->path = xstrdup(slash ? slash : "");
	while (*ep->path && ep->path[strlen(ep->path) - 1] == '/')
		ep->path[strlen(ep->path) - 1] = '\0';
	ep->url = xmalloc(strlen(url) + 1);
	snprintf(ep->url, strlen(url) + 1, "%s://%s", https ? "https" : "http",
		 ep->host);
	return 0;
}

void endpoint_release(struct endpoint *ep)
{
	free(ep->url);
	free(ep->host);
	free(ep->path);
	memset(ep, 0, sizeof(*ep));
}

void endpoint_copy(struct endpoint *dst, const struct endpoint *src)
{
	dst->url = src->url ? xstrdup(src->url) : NULL;
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->custom = src->custom;
}
