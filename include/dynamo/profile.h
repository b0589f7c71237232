#ifndef DYNAMO_PROFILE_H
#define DYNAMO_PROFILE_H

#include "dynamo/ini.h"

/*
 * The AWS CLI's shared files: ~/.aws/config (or $AWS_CONFIG_FILE) with
 * "[profile NAME]" and "[default]" sections, "[sso-session NAME]" and
 * "[services NAME]"; and ~/.aws/credentials (or
 * $AWS_SHARED_CREDENTIALS_FILE) with "[NAME]" sections. As in botocore, a
 * setting in the credentials file wins over the same setting in config.
 */
struct aws_config {
	struct ini_file config;
	struct ini_file credentials;
};

int aws_config_load(struct aws_config *c, struct errbuf *eb);
void aws_config_release(struct aws_config *c);

/* The profile to use when none is given: $AWS_PROFILE, else "default". */
const char *aws_default_profile_name(void);
int aws_profile_exists(const struct aws_config *c, const char *name);
/* A profile setting (credentials file first, then config), or NULL. */
const char *aws_profile_get(const struct aws_config *c, const char *name,
			    const char *key);
/* A nested profile setting ("s3 =\n  addressing_style = path"), or NULL. */
const char *aws_profile_sub_get(const struct aws_config *c, const char *name,
				const char *key, const char *sub);
/* Where the profile is defined, for messages ("~/.aws/config"). */
const char *aws_profile_file(const struct aws_config *c, const char *name);
/* A whole section of the config file by its full header text. */
const struct ini_section *aws_config_section(const struct aws_config *c,
					     const char *kind, const char *name);
/* The profile's "services" block setting for a service, e.g. endpoint_url. */
const char *aws_profile_service_get(const struct aws_config *c,
				    const char *profile, const char *service,
				    const char *key);
/* Lists profile names (for completion); calls fn once per name. */
void aws_profile_names(const struct aws_config *c,
		       void (*fn)(const char *name, void *arg), void *arg);

#endif
