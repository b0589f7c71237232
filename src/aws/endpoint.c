#include "dynamo/endpoint.h"
#include "dynamo/exitcode.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const known_regions[] = {
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2",
	"eu-north-1", "il-central-1", "me-south-1", "me-central-1",
	"mx-central-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1",
	"cn-north-1", "cn-northwest-1", "eusc-de-east-1", NULL
};

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int well_formed(const char *r)
{
	const char *p;

	if (!islower((unsigned char)r[0]))
		return 0;
	for (p = r; *p; p++)
		if (*p != '-' && !islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p))
			return 0;
	return p - r < 64;
}

int region_resolve(const struct aws_config *cfg, const char *profile,
		   const char *override, const char **out, struct errbuf *eb)
{
	const char *r = nonempty(override), *from = "--region";

	if (!r && (r = nonempty(getenv("AWS_REGION"))))
		from = "AWS_REGION";
	if (!r && (r = nonempty(getenv("AWS_DEFAULT_REGION"))))
		from = "AWS_DEFAULT_REGION";
	if (!r && profile)
		r = nonempty(aws_profile_get(cfg, profile, "region")), from = NULL;
	/* AWS_PROFILE=typo: say so, rather than that "typo" has no region. */
	if (!r && profile && strcmp(profile, "default") &&
	    !aws_profile_exists(cfg, profile))
		return errf(eb, EXIT_CONFIG,
			    "profile '%s' not found in %s or %s (check the name, or create it with aws configure --profile %s)",
			    profile, cfg->config.path, cfg->credentials.path,
			    profile);
	if (!r)
		return errf(eb, EXIT_CONFIG,
			    "no region for profile '%s': set 'region' for it in %s, set AWS_REGION, or pass --region",
			    profile ? profile : "default", cfg->config.path);
	/* Say where a malformed name came from ("region = us-east-1 # home"). */
	if (!well_formed(r)) {
		if (from)
			return errf(eb, EXIT_CONFIG,
				    "region '%s' from %s is not a valid region name (like us-east-1)",
				    r, from);
		if (strchr(r, '\n'))
			return errf(eb, EXIT_CONFIG,
				    "the region of profile '%s' in %s goes on over several lines (a line indented more than 'region' continues it)",
				    profile, aws_profile_file(cfg, profile));
		return errf(eb, EXIT_CONFIG,
			    "region '%s' of profile '%s' in %s is not a valid region name (like us-east-1; comments must be on a line of their own)",
			    r, profile, aws_profile_file(cfg, profile));
	}
	*out = r;
	return 0;
}

int region_check(const char *region, int custom_endpoint, struct errbuf *eb)
{
	int i;

	if (!well_formed(region))
		return errf(eb, EXIT_CONFIG,
			    "region '%s' is not a valid region name (like us-east-1)",
			    region);
	if (custom_endpoint)
		return 0;
	for (i = 0; known_regions[i]; i++)
		if (!strcmp(region, known_regions[i]))
			return 0;
	return errf(eb, EXIT_CONFIG,
		    "region '%s' is not a known AWS region (check the spelling; for a new region or a local endpoint pass --endpoint-url)",
		    region);
}

static int truthy(const char *s)
{
	return s && !strcasecmp(s, "true");
}

static const char *configured_url(const struct aws_config *cfg,
				  const char *profile, const char *service)
{
	char env[64];
	const char *v;
	size_t i;

	if (truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
	    (profile && truthy(aws_profile_get(cfg, profile,
					       "ignore_configured_endpoint_urls"))))
		return NULL;
	snprintf(env, sizeof(env), "AWS_ENDPOINT_URL_%s", service);
	for (i = 0; env[i]; i++)
		env[i] = (char)toupper((unsigned char)env[i]);
	if ((v = nonempty(getenv(env))))
		return v;
	if ((v = nonempty(getenv("AWS_ENDPOINT_URL"))))
		return v;
	if (!profile)
		return NULL;
	if ((v = nonempty(aws_profile_service_get(cfg, profile, service,
						  "endpoint_url"))))
		return v;
	return nonempty(aws_profile_get(cfg, profile, "endpoint_url"));
}

/*
 * The DNS suffix of a region's partition, from botocore's partitions.json
 * (the regionRegex of each partition); everything else is in "aws".
 * "us-iso-" and "us-isob-" differ in the letter after "iso", hence the dash.
 */
const char *endpoint_dns_suffix(const char *region)
{
	static const struct {
		const char *prefix, *suffix;
	} partitions[] = {
		{ "cn-", "amazonaws.com.cn" },
		{ "eusc-", "amazonaws.eu" },
		{ "us-iso-", "c2s.ic.gov" },
		{ "us-isob-", "sc2s.sgov.gov" },
		{ "us-isof-", "csp.hci.ic.gov" },
		{ "eu-isoe-", "cloud.adc-e.uk" },
	};
	size_t i;

	for (i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
		if (!strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)))
			return partitions[i].suffix;
	return "amazonaws.com";
}

/* The regional host of a service: its name, except where AWS named it otherwise. */
static const char *service_host(const char *service)
{
	if (!strcmp(service, "sso"))
		return "portal.sso";
	if (!strcmp(service, "dynamodb_streams"))
		return "streams.dynamodb";
	return service;
}

static void default_url(char *url, size_t n, const char *service,
			const char *region)
{
	snprintf(url, n, "https://%s.%s.%s", service_host(service), region,
		 endpoint_dns_suffix(region));
}

int endpoint_resolve(struct endpoint *ep, const struct aws_config *cfg,
		     const char *profile, const char *service,
		     const char *region, const char *override,
		     struct errbuf *eb)
{
	const char *url = nonempty(override);
	char def[256];

	if (!url)
		url = configured_url(cfg, profile, service);
	if (url) {
		struct errbuf why = ERRBUF_INIT;

		if (endpoint_parse(ep, url, &why) < 0)
			/* A bad --endpoint-url is a usage error; a bad setting, a config one. */
			return errf(eb, override && *override ? EXIT_USAGE : EXIT_CONFIG,
				    "%s", why.msg);
		ep->custom = 1;
		return 0;
	}
	default_url(def, sizeof(def), service, region);
	return endpoint_parse(ep, def, eb);
}

int endpoint_resolve_streams(struct endpoint *ep, const struct aws_config *cfg,
			     const char *profile, const char *region,
			     const char *override, const struct endpoint *dynamodb,
			     struct errbuf *eb)
{
	if (endpoint_resolve(ep, cfg, profile, "dynamodb_streams", region,
			     override, eb) < 0)
		return -1;
	/* Local servers (moto, DynamoDB Local) serve streams on DynamoDB's port. */
	if (!ep->custom && dynamodb && dynamodb->custom) {
		endpoint_release(ep);
		endpoint_copy(ep, dynamodb);
	}
	return 0;
}
