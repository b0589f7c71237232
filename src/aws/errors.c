#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/http.h"

#include <string.h>

static int is_one_of(const char *type, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(type, *names))
			return 1;
	return 0;
}

static const char *const signature_errors[] = {
	"InvalidSignatureException", "SignatureDoesNotMatch",
	"IncompleteSignatureException", "IncompleteSignature", NULL
};
static const char *const unknown_key_errors[] = {
	"UnrecognizedClientException", "InvalidClientTokenId",
	"MissingAuthenticationTokenException", "MissingAuthenticationToken",
	"InvalidAccessKeyId", NULL
};
static const char *const expired_errors[] = {
	"ExpiredTokenException", "ExpiredToken", "RequestExpired",
	"UnauthorizedException", NULL
};
static const char *const denied_errors[] = {
	"AccessDeniedException", "AccessDenied", "NotAuthorized",
	"AuthorizationError", NULL
};
static const char *const not_found_errors[] = {
	"ResourceNotFoundException", "TableNotFoundException",
	"BackupNotFoundException", "IndexNotFoundException",
	"ExportNotFoundException", "ImportNotFoundException",
	"NoSuchBucket", "NoSuchKey", NULL
};

int aws_error_exit_code(const char *type)
{
	if (is_one_of(type, not_found_errors))
		return EXIT_NOT_FOUND;
	if (is_one_of(type, signature_errors) ||
	    is_one_of(type, unknown_key_errors) ||
	    is_one_of(type, expired_errors) || is_one_of(type, denied_errors) ||
	    !strcmp(type, "CredentialsError"))
		return EXIT_CONFIG;
	return EXIT_FAILURE_RUNTIME;
}

int aws_error_report(const struct http_call *c, struct errbuf *eb)
{
	const char *who = c->sign && c->sign->creds ? c->sign->creds->what :
			  "the credentials";
	const struct aws_error *err = &c->err;
	const char *op = http_call_name(c), *type = err->type;
	const char *sep = err->message[0] ? ": " : "";
	int code = aws_error_exit_code(type);

	if (!strcmp(type, "CredentialsError"))
		return errf(eb, err->exit ? err->exit : EXIT_CONFIG, "%s", err->message);
	if (is_one_of(type, signature_errors))
		return errf(eb, code,
			    "%s was refused because the request signature does not match (%s%s%s): check the secret access key of %s and that this machine's clock is right",
			    op, type, sep, err->message, who);
	if (is_one_of(type, unknown_key_errors))
		return errf(eb, code,
			    "%s was refused because %s is not known to %s (%s%s%s): check the access key id, or the endpoint",
			    op, who, c->ep->host, type, sep, err->message);
	if (is_one_of(type, expired_errors))
		return errf(eb, code,
			    "%s was refused because the credentials of %s have expired (%s%s%s): refresh them (for SSO: aws sso login)",
			    op, who, type, sep, err->message);
	if (is_one_of(type, denied_errors))
		return errf(eb, code, "%s is not allowed for %s (%s%s%s)", op,
			    who, type, sep, err->message);
	return errf(eb, code, "%s failed: %s%s%s", op, type, sep,
		    err->message);
}
