/* The S3 client of a command's DynamoDB side (export --to, import -i s3://). */
#include "dynamo/cmd_native.h"

#include <string.h>

int ctx_open_s3(struct ctx *ctx, const struct ddb *d, struct s3 *s3)
{
	struct s3_settings st;

	memset(&st, 0, sizeof(st));
	st.cfg = &ctx->cfg;
	st.profile = d->profile;
	st.region = d->region;
	st.creds = d->creds;
	return s3_open(s3, &st, &ctx->eb);
}

int is_s3_url(const char *v)
{
	return v && !strncmp(v, "s3://", 5);
}
