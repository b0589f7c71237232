/*
 * The credential chain (src/aws/creds_chain.c): which provider a profile
 * resolves to, and the one-line errors for profiles that cannot work. Also
 * the parts of providers that need no network: credential_process, the MFA
 * refusal, and the SSO token cache.
 */
#include "unit.h"

#include <sys/stat.h>
#include <time.h>

#include "dynamo/clock.h"
#include "dynamo/creds.h"
#include "dynamo/exitcode.h"
#include "dynamo/profile.h"

static char home[64];
static struct aws_config cfg;

static const char *const env_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", NULL
};

static const char config_text[] =
	"[default]\n"
	"region = us-east-1\n"
	"\n"
	"[profile keys]\n"
	"region = eu-west-1\n"
	"\n"
	"[profile halfkeys]\n"
	"aws_access_key_id = AKIAHALF\n"
	"\n"
	"[profile role]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = keys\n"
	"external_id = ext-1\n"
	"role_session_name = sess\n"
	"duration_seconds = 1800\n"
	"\n"
	"[profile role2]\n"
	"role_arn = arn:aws:iam::333333333333:role/r2\n"
	"source_profile = role\n"
	"\n"
	"[profile self]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = self\n"
	"aws_access_key_id = AKIASELF\n"
	"aws_secret_access_key = selfsecret\n"
	"\n"
	"[profile loop-a]\n"
	"role_arn = arn:aws:iam::222222222222:role/a\n"
	"source_profile = loop-b\n"
	"\n"
	"[profile loop-b]\n"
	"role_arn = arn:aws:iam::222222222222:role/b\n"
	"source_profile = loop-a\n"
	"\n"
	"[profile nosource]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"\n"
	"[profile badsource]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = ghost\n"
	"\n"
	"[profile both]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = keys\n"
	"credential_source = Environment\n"
	"\n"
	"[profile fromenv]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"credential_source = Environment\n"
	"\n"
	"[profile fromimds]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"credential_source = Ec2InstanceMetadata\n"
	"\n"
	"[profile badcsrc]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"credential_source = Laptop\n"
	"\n"
	"[profile baddur]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = keys\n"
	"duration_seconds = 60\n"
	"\n"
	"[profile mfa]\n"
	"role_arn = arn:aws:iam::222222222222:role/r\n"
	"source_profile = keys\n"
	"mfa_serial = arn:aws:iam::123456789012:mfa/me\n"
	"\n"
	"[profile webid]\n"
	"role_arn = arn:aws:iam::222222222222:role/w\n"
	"web_identity_token_file = /nonexistent/token\n"
	"\n"
	"[profile sso]\n"
	"sso_session = corp\n"
	"sso_account_id = 111122223333\n"
	"sso_role_name = Admin\n"
	"\n"
	"[profile sso-legacy]\n"
	"sso_start_url = https://legacy.awsapps.com/start\n"
	"sso_region = us-west-2\n"
	"sso_account_id = 111122223333\n"
	"sso_role_name = Admin\n"
	"\n"
	"[profile sso-nosession]\n"
	"sso_session = nosuch\n"
	"sso_account_id = 1\n"
	"sso_role_name = r\n"
	"\n"
	"[profile sso-partial]\n"
	"sso_session = corp\n"
	"sso_role_name = Admin\n"
	"\n"
	"[sso-session corp]\n"
	"sso_start_url = https://corp.awsapps.com/start\n"
	"sso_region = us-east-2\n"
	"\n"
	"[profile proc]\n"
	"credential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": \"2099-01-02T03:04:05Z\"}'\n"
	"\n"
	"[profile empty]\n"
	"region = us-east-1\n";

static const char creds_text[] =
	"[keys]\n"
	"aws_access_key_id = AKIAKEYS\n"
	"aws_secret_access_key = keysecret\n"
	"\n"
	"[default]\n"
	"aws_access_key_id = AKIADEFAULT\n"
	"aws_secret_access_key = defaultsecret\n";

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", home, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load(const char *config, const char *creds)
{
	struct errbuf eb = ERRBUF_INIT;

	aws_config_release(&cfg);
	if (ini_parse(&cfg.config, config, strlen(config), "~/.aws/config", &eb) < 0 ||
	    ini_parse(&cfg.credentials, creds, strlen(creds), "~/.aws/credentials", &eb) < 0)
		fail_msg("parse: %s", eb.msg);
}

static int setup(void **state)
{
	char path[128];
	int i;

	(void)state;
	for (i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	snprintf(home, sizeof(home), "/tmp/dynamo-test-chain-XXXXXX");
	assert_non_null(mkdtemp(home));
	snprintf(path, sizeof(path), "%s/.aws", home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.aws/sso", home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.aws/sso/cache", home);
	mkdir(path, 0700);
	setenv("HOME", home, 1);
	memset(&cfg, 0, sizeof(cfg));
	load(config_text, creds_text);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int i;

	(void)state;
	aws_config_release(&cfg);
	for (i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd);
}

/* Resolves profile (NULL: the default) and checks the provider's kind. */
static struct creds_provider *resolve(const char *profile, int explicit_profile,
				      const char *kind)
{
	struct creds_settings set = { &cfg, profile, explicit_profile, "us-east-1", 0 };
	struct errbuf eb = ERRBUF_INIT;
	struct creds_provider *p = creds_resolve(&set, &eb);

	if (!p)
		fail_msg("creds_resolve(%s): %s", profile ? profile : "(default)", eb.msg);
	assert_false(eb.set);
	if (strcmp(p->ops->kind, kind))
		fail_msg("profile %s resolved to %s (%s), wanted %s",
			 profile ? profile : "(default)", p->ops->kind, p->what, kind);
	return p;
}

/* Resolving must fail with one line holding every needle. */
static void resolve_fails(const char *profile, int explicit_profile, ...)
{
	struct creds_settings set = { &cfg, profile, explicit_profile, "us-east-1", 0 };
	struct errbuf eb = ERRBUF_INIT;
	struct creds_provider *p = creds_resolve(&set, &eb);
	const char *needle;
	va_list ap;

	if (p)
		fail_msg("profile %s resolved to %s, wanted an error", profile, p->ops->kind);
	assert_true(eb.set);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_null(strchr(eb.msg, '\n'));
	va_start(ap, explicit_profile);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(eb.msg, needle))
			fail_msg("'%s' not in '%s'", needle, eb.msg);
	va_end(ap);
}

static void expect_creds(struct creds_provider *p, const char *akid,
			 const char *secret, const char *token)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = creds_get(p, &eb);

	if (!c)
		fail_msg("creds_get(%s): %s", p->what, eb.msg);
	assert_string_equal(c->access_key_id, akid);
	assert_string_equal(c->secret_access_key, secret);
	if (token)
		assert_string_equal(c->session_token, token);
	else
		assert_null(c->session_token);
	creds_put(c);
}

/* The first fetch must fail with one line holding every needle. */
static void fetch_fails(struct creds_provider *p, ...)
{
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c = creds_get(p, &eb);
	const char *needle;
	va_list ap;

	if (c)
		fail_msg("%s fetched %s, wanted an error", p->what, c->access_key_id);
	assert_true(eb.set);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_null(strchr(eb.msg, '\n'));
	va_start(ap, p);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(eb.msg, needle))
			fail_msg("'%s' not in '%s'", needle, eb.msg);
	va_end(ap);
}

/* ---- which provider ---- */

static void test_environment_keys_come_first(void **state)
{
	struct creds_provider *p;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	p = resolve(NULL, 0, "static");
	expect_creds(p, "AKIAENV", "envsecret", NULL);
	creds_provider_free(p);
	/* AWS_PROFILE does not hide them (botocore: only an explicit profile does)... */
	setenv("AWS_PROFILE", "keys", 1);
	p = resolve(NULL, 0, "static");
	expect_creds(p, "AKIAENV", "envsecret", NULL);
	creds_provider_free(p);
	/* ...but --profile does. */
	p = resolve("keys", 1, "static");
	expect_creds(p, "AKIAKEYS", "keysecret", NULL);
	creds_provider_free(p);
}

static void test_default_and_aws_profile(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve(NULL, 0, "static");
	expect_creds(p, "AKIADEFAULT", "defaultsecret", NULL);
	creds_provider_free(p);
	setenv("AWS_PROFILE", "keys", 1);
	p = resolve(NULL, 0, "static");
	expect_creds(p, "AKIAKEYS", "keysecret", NULL);
	assert_non_null(strstr(p->what, "profile 'keys'"));
	creds_provider_free(p);
	setenv("AWS_PROFILE", "nosuch", 1);
	resolve_fails(NULL, 0, "profile 'nosuch' not found", "~/.aws/config",
		      "~/.aws/credentials", NULL);
}

/* A signature error says "check the secret access key of <what>": name the file. */
static void test_static_keys_name_their_file(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve("keys", 1, "static");
	assert_non_null(strstr(p->what, "profile 'keys'"));
	assert_non_null(strstr(p->what, "~/.aws/credentials"));
	creds_provider_free(p);
	load("[profile cfgkeys]\naws_access_key_id = A\naws_secret_access_key = B\n", "");
	p = resolve("cfgkeys", 1, "static");
	assert_non_null(strstr(p->what, "~/.aws/config"));
	creds_provider_free(p);
}

static void test_profile_errors(void **state)
{
	(void)state;
	resolve_fails("nosuch", 1, "profile 'nosuch' not found", "~/.aws/config", NULL);
	resolve_fails("halfkeys", 1, "profile 'halfkeys'", "aws_secret_access_key",
		      "~/.aws/config", NULL);
	/* As the AWS CLI: a profile without credentials of its own falls
	 * through to instance metadata, which fails later naming it... */
	creds_provider_free(resolve("empty", 1, "imds"));
	/* ...and where metadata is off, resolving fails at once. */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	resolve_fails("empty", 1, "profile 'empty'", "has no credentials", "~/.aws/config", NULL);
}

static void test_roles(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve("role", 1, "assume-role");
	assert_non_null(strstr(p->what, "profile 'role'"));
	assert_non_null(strstr(p->what, "arn:aws:iam::222222222222:role/r"));
	creds_provider_free(p);
	p = resolve("role2", 1, "assume-role");
	creds_provider_free(p);
	p = resolve("self", 1, "assume-role");
	creds_provider_free(p);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	p = resolve("fromenv", 1, "assume-role");
	creds_provider_free(p);
	p = resolve("fromimds", 1, "assume-role");
	creds_provider_free(p);
}

static void test_role_errors(void **state)
{
	(void)state;
	resolve_fails("loop-a", 1, "loop", "loop-a -> loop-b -> loop-a", "~/.aws/config", NULL);
	resolve_fails("nosource", 1, "profile 'nosource'", "source_profile", "~/.aws/config", NULL);
	resolve_fails("badsource", 1, "profile 'badsource'", "'ghost'", "~/.aws/config", NULL);
	resolve_fails("both", 1, "profile 'both'", "both source_profile and credential_source", NULL);
	resolve_fails("fromenv", 1, "profile 'fromenv'", "AWS_ACCESS_KEY_ID", NULL);
	resolve_fails("badcsrc", 1, "profile 'badcsrc'", "'Laptop'", NULL);
	resolve_fails("baddur", 1, "profile 'baddur'", "duration_seconds '60'", "900", NULL);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	resolve_fails("fromimds", 1, "profile 'fromimds'", "AWS_EC2_METADATA_DISABLED", NULL);
}

/* Eleven hops is too long a chain, but not a loop. */
static void test_long_chain_is_not_called_a_loop(void **state)
{
	char text[4096] = "[profile hop0]\naws_access_key_id = A\naws_secret_access_key = B\n";
	int i;

	(void)state;
	for (i = 1; i <= 11; i++) {
		char sec[200];

		snprintf(sec, sizeof(sec),
			 "[profile hop%d]\nrole_arn = arn:aws:iam::222222222222:role/h%d\nsource_profile = hop%d\n",
			 i, i, i - 1);
		strcat(text, sec);
	}
	load(text, "");
	creds_provider_free(resolve("hop9", 1, "assume-role"));
	resolve_fails("hop11", 1, "hop11", "too long", NULL);
	{
		struct creds_settings set = { &cfg, "hop11", 1, "us-east-1", 0 };
		struct errbuf eb = ERRBUF_INIT;

		assert_null(creds_resolve(&set, &eb));
		assert_null(strstr(eb.msg, "loop"));
	}
}

static void test_web_identity(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve("webid", 1, "web-identity");
	fetch_fails(p, "/nonexistent/token", "profile 'webid'", NULL);
	creds_provider_free(p);
	/* From the environment, for the default profile or AWS_PROFILE. */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/env-token", 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::222222222222:role/w", 1);
	p = resolve(NULL, 0, "web-identity");
	fetch_fails(p, "/nonexistent/env-token", NULL);
	creds_provider_free(p);
	setenv("AWS_PROFILE", "keys", 1);
	p = resolve(NULL, 0, "web-identity");
	creds_provider_free(p);
	/* An explicit --profile means that profile's credentials. */
	p = resolve("keys", 1, "static");
	creds_provider_free(p);
	/* A token file without a role is an error, not a silent skip. */
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_PROFILE");
	load("[profile w]\nweb_identity_token_file = /x\n", "");
	resolve_fails("w", 1, "profile 'w'", "role_arn", NULL);
}

static void test_sso_profiles(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve("sso", 1, "sso");
	fetch_fails(p, "no SSO login found", "aws sso login --profile sso", NULL);
	creds_provider_free(p);
	p = resolve("sso-legacy", 1, "sso");
	fetch_fails(p, "aws sso login --profile sso-legacy", NULL);
	creds_provider_free(p);
	resolve_fails("sso-nosession", 1, "profile 'sso-nosession'", "[sso-session nosuch]",
		      "~/.aws/config", NULL);
	resolve_fails("sso-partial", 1, "profile 'sso-partial'", "incomplete", "sso_account_id",
		      "~/.aws/config", NULL);
}

/* The cache file is named after the SHA-1 of the session name (or legacy start URL). */
static void test_sso_token_cache(void **state)
{
	struct creds_provider *p;
	char text[512], when[32];
	time_t past = time(NULL) - 60;
	struct tm tm;

	(void)state;
	gmtime_r(&past, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof(text),
		 "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-2\", "
		 "\"accessToken\": \"tok\", \"expiresAt\": \"%s\"}", when);
	write_file(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", text);
	write_file(".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json", text);
	p = resolve("sso", 1, "sso");
	fetch_fails(p, "SSO token has expired", "aws sso login --profile sso", NULL);
	creds_provider_free(p);
	p = resolve("sso-legacy", 1, "sso");
	fetch_fails(p, "SSO token has expired", "aws sso login --profile sso-legacy", NULL);
	creds_provider_free(p);
	write_file(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", "{not json");
	p = resolve("sso", 1, "sso");
	fetch_fails(p, "unreadable", "aws sso login --profile sso", NULL);
	creds_provider_free(p);
}

static void test_credential_process(void **state)
{
	struct creds_provider *p;
	struct errbuf eb = ERRBUF_INIT;
	struct credentials *c;
	time_t want;

	(void)state;
	p = resolve("proc", 1, "process");
	c = creds_get(p, &eb);
	if (!c)
		fail_msg("%s", eb.msg);
	assert_string_equal(c->access_key_id, "AKIAPROC");
	assert_string_equal(c->secret_access_key, "procsecret");
	assert_string_equal(c->session_token, "proctoken");
	clock_parse_iso8601("2099-01-02T03:04:05Z", &want);
	assert_int_equal(c->expiration, want);
	creds_put(c);
	creds_provider_free(p);
}

static void test_credential_process_failures(void **state)
{
	static const struct {
		const char *command;
		const char *want;
	} cases[] = {
		{ "false", "failed (exit status 1)" },
		{ "/nonexistent/helper --x", "cannot run credential_process '/nonexistent/helper'" },
		{ "echo not json", "\"Version\": 1" },
		{ "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}'", "\"Version\": 1" },
		{ "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "no AccessKeyId and SecretAccessKey" },
		{ "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\", \"Expiration\": \"soon\"}'",
		  "unreadable Expiration 'soon'" },
		{ "echo 'unclosed", "unclosed quote" },
		{ "   ", "empty" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct creds_provider *p = creds_process_new("profile 'proc'", cases[i].command);

		fetch_fails(p, "profile 'proc'", cases[i].want, NULL);
		creds_provider_free(p);
	}
}

/* A helper that hangs must not hang dynamo. */
static void test_credential_process_timeout(void **state)
{
	struct creds_provider *p = creds_process_new("profile 'slow'", "sleep 5");
	uint64_t start = clock_mono_ms();

	(void)state;
	creds_process_timeout_ms = 300;
	fetch_fails(p, "profile 'slow'", "did not finish within 0.3 seconds", NULL);
	creds_process_timeout_ms = 60000;
	assert_true(clock_mono_ms() - start < 2000);
	creds_provider_free(p);
}

/*
 * A helper that prints its credentials, closes stdout and keeps running:
 * the time limit covers waiting for it to exit too (waitpid blocked for
 * ever), and it is stopped.
 */
static void test_credential_process_that_does_not_exit(void **state)
{
	static const char *const commands[] = {
		"sh -c 'echo \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"A\\\", \\\"SecretAccessKey\\\": \\\"B\\\"}\"; exec >&-; sleep 30'",
		/* A child that keeps stdout open: the reading times out, the group goes. */
		"sh -c 'sleep 30 & echo {}'",
	};
	static const char *const want[] = { "did not exit within 0.3 seconds",
					    "did not finish within 0.3 seconds" };
	size_t i;

	(void)state;
	creds_process_timeout_ms = 300;
	for (i = 0; i < 2; i++) {
		struct creds_provider *p = creds_process_new("profile 'lingers'", commands[i]);
		uint64_t start = clock_mono_ms();

		fetch_fails(p, "profile 'lingers'", want[i], NULL);
		assert_true(clock_mono_ms() - start < 2000);
		creds_provider_free(p);
	}
	creds_process_timeout_ms = 60000;
}

static void test_mfa_refused_when_not_interactive(void **state)
{
	struct creds_provider *p;

	(void)state;
	p = resolve("mfa", 1, "assume-role");
	fetch_fails(p, "profile 'mfa'", "MFA", "arn:aws:iam::123456789012:mfa/me",
		    "not a terminal", NULL);
	creds_provider_free(p);
}

static void test_container_and_instance_metadata(void **state)
{
	struct creds_provider *p;
	struct errbuf eb = ERRBUF_INIT;

	(void)state;
	/* Only for the default profile with nothing else: a named one must say what it lacks. */
	load("[default]\nregion = us-east-1\n", "");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
	p = resolve(NULL, 0, "container");
	creds_provider_free(p);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds", 1);
	resolve_fails(NULL, 0, "plain http", "evil.example.com", NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/creds", 1);
	creds_provider_free(resolve(NULL, 0, "container"));
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://localhost:9/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token", 1);
	p = resolve(NULL, 0, "container");
	fetch_fails(p, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token", NULL);
	creds_provider_free(p);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	p = resolve(NULL, 0, "imds");
	creds_provider_free(p);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	resolve_fails(NULL, 0, "no AWS credentials found", "~/.aws/config", NULL);
	(void)eb;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_environment_keys_come_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_and_aws_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_keys_name_their_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_chain_is_not_called_a_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sso_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sso_token_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credential_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credential_process_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credential_process_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credential_process_that_does_not_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mfa_refused_when_not_interactive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_and_instance_metadata, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
