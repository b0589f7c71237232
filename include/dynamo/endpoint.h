#ifndef DYNAMO_ENDPOINT_H
#define DYNAMO_ENDPOINT_H

#include "dynamo/http.h"
#include "dynamo/profile.h"

/*
 * Region and endpoint resolution, in the AWS CLI's order.
 *
 * Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
 * Endpoint for a service ("dynamodb", "dynamodb_streams", "sts", "sso"),
 * named as botocore's snake-case service ids are: --endpoint-url (given
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

/*
 * The DynamoDB Streams endpoint of a side whose DynamoDB endpoint is
 * dynamodb: override (the side's --endpoint-url, which names the server of
 * both APIs), then AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL, the
 * profile's services block key "dynamodb_streams", the profile's
 * endpoint_url; then, when DynamoDB's endpoint is custom (a local server
 * set through AWS_ENDPOINT_URL_DYNAMODB or the services block), that same
 * URL; else https://streams.dynamodb.REGION.<partition suffix>. The caller
 * signs for service "dynamodb" either way.
 */
int endpoint_resolve_streams(struct endpoint *ep, const struct aws_config *cfg,
			     const char *profile, const char *region,
			     const char *override, const struct endpoint *dynamodb,
			     struct errbuf *eb);

/* The DNS suffix of region's partition: "amazonaws.com", "amazonaws.com.cn", ... */
const char *endpoint_dns_suffix(const char *region);

#endif
