#ifndef DYNAMO_ENDPOINT_H
#define DYNAMO_ENDPOINT_H

#include "dynamo/http.h"
#include "dynamo/profile.h"

/*
 * Region and endpoint resolution, in the AWS CLI's order.
 *
 * Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
 * Endpoint for a service ("dynamodb", "sts", "sso"): --endpoint-url (given
 * as override, DynamoDB only), AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * the profile's services block, the profile's endpoint_url, then the
 * regional AWS endpoint. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or
 * ignore_configured_endpoint_urls in the profile) skips the configured ones.
 */

/* Sets *out to the region (borrowed from the environment or config), or fails. */
int region_resolve(const struct aws_config *cfg, const char *profile,
		   const char *override, const char **out, struct errbuf *eb);
/* Fails unless region is a known AWS region; custom endpoints accept any well-formed name. */
int region_check(const char *region, int custom_endpoint, struct errbuf *eb);

int endpoint_resolve(struct endpoint *ep, const struct aws_config *cfg,
		     const char *profile, const char *service,
		     const char *region, const char *override,
		     struct errbuf *eb);

#endif
