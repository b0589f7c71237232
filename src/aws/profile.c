#include "dynamo/profile.h"
#include "dynamo/buf.h"
#include "dynamo/exitcode.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int file_path(const char *env, const char *rel, char *path, size_t n,
		     char *display, size_t dn, struct errbuf *eb)
{
	const char *v = getenv(env), *home;

	if (v && *v) {
		if (v[0] == '~' && v[1] == '/' && (home = getenv("HOME")))
			snprintf(path, n, "%s%s", home, v + 1);
		else
			snprintf(path, n, "%s", v);
		snprintf(display, dn, "%s", v);
		return 0;
	}
	home = getenv("HOME");
	if (!home || !*home)
		return errf(eb, EXIT_CONFIG,
			    "HOME is not set, so ~/.aws/%s cannot be found (set HOME or %s)",
			    rel, env);
	snprintf(path, n, "%s/.aws/%s", home, rel);
	snprintf(display, dn, "~/.aws/%s", rel);
	return 0;
}

int aws_config_load(struct aws_config *c, struct errbuf *eb)
{
	char path[4096], display[4096];

	memset(c, 0, sizeof(*c));
	if (file_path("AWS_CONFIG_FILE", "config", path, sizeof(path), display,
		      sizeof(display), eb) < 0 ||
	    ini_load(&c->config, path, display, eb) < 0)
		return -1;
	if (file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials", path,
		      sizeof(path), display, sizeof(display), eb) < 0 ||
	    ini_load(&c->credentials, path, display, eb) < 0) {
		ini_release(&c->config);
		return -1;
	}
	return 0;
}

void aws_config_release(struct aws_config *c)
{
	ini_release(&c->config);
	ini_release(&c->credentials);
}

const char *aws_default_profile_name(void)
{
	const char *p = getenv("AWS_PROFILE");

	if (!p || !*p)
		p = getenv("AWS_DEFAULT_PROFILE");
	return p && *p ? p : "default";
}

/*
 * A config-file section header split into kind and name: "profile  prod" ->
 * ("profile", "prod"); "default" -> ("profile", "default").
 */
static int section_is(const char *header, const char *kind, const char *name)
{
	size_t kl = strlen(kind);
	const char *p;

	if (!strcmp(kind, "profile") && !strcmp(name, "default") &&
	    !strcmp(header, "default"))
		return 1;
	if (strncmp(header, kind, kl) || !isspace((unsigned char)header[kl]))
		return 0;
	for (p = header + kl; isspace((unsigned char)*p); p++)
		;
	return !strcmp(p, name);
}

const struct ini_section *aws_config_section(const struct aws_config *c,
					     const char *kind, const char *name)
{
	const struct ini_section *found = NULL;
	size_t i;

	/*
	 * "[default]" and "[profile default]" (or "[profile  x]" and
	 * "[profile x]") both name one profile: as in botocore, which builds
	 * a dict in file order, the later section wins.
	 */
	for (i = 0; i < c->config.nsec; i++)
		if (section_is(c->config.sec[i].name, kind, name))
			found = &c->config.sec[i];
	return found;
}

int aws_profile_exists(const struct aws_config *c, const char *name)
{
	return ini_section(&c->credentials, name) ||
	       aws_config_section(c, "profile", name);
}

const char *aws_profile_get(const struct aws_config *c, const char *name,
			    const char *key)
{
	const char *v = ini_get(ini_section(&c->credentials, name), key);

	return v ? v : ini_get(aws_config_section(c, "profile", name), key);
}

const char *aws_profile_sub_get(const struct aws_config *c, const char *name,
				const char *key, const char *sub)
{
	const char *v = ini_get_sub(ini_section(&c->credentials, name), key, sub);

	return v ? v : ini_get_sub(aws_config_section(c, "profile", name), key, sub);
}

const char *aws_profile_file(const struct aws_config *c, const char *name)
{
	if (aws_config_section(c, "profile", name))
		return c->config.path;
	return c->credentials.path;
}

const char *aws_profile_service_get(const struct aws_config *c,
				    const char *profile, const char *service,
				    const char *key)
{
	const char *block = aws_profile_get(c, profile, "services");

	if (!block)
		return NULL;
	return ini_get_sub(aws_config_section(c, "services", block), service,
			   key);
}

void aws_profile_names(const struct aws_config *c,
		       void (*fn)(const char *name, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < c->config.nsec; i++) {
		const char *h = c->config.sec[i].name;

		if (!strcmp(h, "default"))
			fn(h, arg);
		else if (!strncmp(h, "profile", 7) && isspace((unsigned char)h[7])) {
			for (h += 7; isspace((unsigned char)*h); h++)
				;
			fn(h, arg);
		}
	}
	for (i = 0; i < c->credentials.nsec; i++)
		if (!aws_config_section(c, "profile", c->credentials.sec[i].name))
			fn(c->credentials.sec[i].name, arg);
}
