/* What the commands over DynamoDB's export and import share: the S3 client of a side, waiting notes. */
#include "dynamo/cmd_native.h"
#include "dynamo/clock.h"
#include "dynamo/progress.h"

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

int wait_note_due(uint64_t *last_ms)
{
	uint64_t now = clock_mono_ms();

	if (!progress_enabled && now - *last_ms < 300000)
		return 0;
	*last_ms = now;
	return 1;
}
