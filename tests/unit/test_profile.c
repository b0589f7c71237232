/*
 * Profile lookups (src/aws/profile.c): "[profile x]" and "[default]" in the
 * config file, "[x]" in the credentials file, which one wins, and where the
 * files are found (HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE).
 */
#include "unit.h"

#include <sys/stat.h>

#include "dynamo/exitcode.h"
#include "dynamo/profile.h"

static void load(struct aws_config *c, const char *config, const char *creds)
{
	struct errbuf eb = ERRBUF_INIT;

	memset(c, 0, sizeof(*c));
	if (ini_parse(&c->config, config, strlen(config), "~/.aws/config", &eb) < 0 ||
	    ini_parse(&c->credentials, creds, strlen(creds), "~/.aws/credentials", &eb) < 0)
		fail_msg("parse: %s", eb.msg);
}

static const char config_text[] =
	"[default]\n"
	"region = us-east-1\n"
	"output = json\n"
	"\n"
	"[profile prod]\n"
	"region = eu-west-1\n"
	"aws_access_key_id = AKIACONFIG\n"
	"services = prod-endpoints\n"
	"\n"
	"[profile  spaced]\n"
	"region = ap-south-1\n"
	"\n"
	"[staging]\n"
	"region = us-west-1\n"
	"\n"
	"[sso-session corp]\n"
	"sso_region = us-east-2\n"
	"\n"
	"[services prod-endpoints]\n"
	"dynamodb =\n"
	"  endpoint_url = http://localhost:8000\n";

static const char creds_text[] =
	"[default]\n"
	"aws_access_key_id = AKIADEFAULT\n"
	"aws_secret_access_key = default-secret\n"
	"\n"
	"[prod]\n"
	"aws_access_key_id = AKIACREDS\n"
	"aws_secret_access_key = prod-secret\n"
	"\n"
	"[ci]\n"
	"aws_access_key_id = AKIACI\n"
	"aws_secret_access_key = ci-secret\n"
	"region = ca-central-1\n"
	"\n"
	"[profile literal]\n"
	"aws_access_key_id = AKIALITERAL\n";

static void test_config_and_credentials_sections(void **state)
{
	struct aws_config c;

	(void)state;
	load(&c, config_text, creds_text);
	/* [default] in config, [default] in credentials. */
	assert_string_equal(aws_profile_get(&c, "default", "region"), "us-east-1");
	assert_string_equal(aws_profile_get(&c, "default", "aws_access_key_id"), "AKIADEFAULT");
	/* [profile prod] in config merges with [prod] in credentials... */
	assert_string_equal(aws_profile_get(&c, "prod", "region"), "eu-west-1");
	/* ...and the credentials file wins for a key set in both, as in botocore. */
	assert_string_equal(aws_profile_get(&c, "prod", "aws_access_key_id"), "AKIACREDS");
	assert_string_equal(aws_profile_get(&c, "prod", "aws_secret_access_key"), "prod-secret");
	/* Extra blanks between "profile" and the name are fine. */
	assert_string_equal(aws_profile_get(&c, "spaced", "region"), "ap-south-1");
	/* A profile only in the credentials file, with settings of any kind. */
	assert_true(aws_profile_exists(&c, "ci"));
	assert_string_equal(aws_profile_get(&c, "ci", "region"), "ca-central-1");
	assert_string_equal(aws_profile_file(&c, "ci"), "~/.aws/credentials");
	assert_string_equal(aws_profile_file(&c, "prod"), "~/.aws/config");
	aws_config_release(&c);
}

static void test_what_is_not_a_profile(void **state)
{
	struct aws_config c;

	(void)state;
	load(&c, config_text, creds_text);
	/* In the config file a profile needs the "profile " prefix. */
	assert_false(aws_profile_exists(&c, "staging"));
	assert_null(aws_profile_get(&c, "staging", "region"));
	/* In the credentials file there is no prefix: this is a profile named "profile literal". */
	assert_false(aws_profile_exists(&c, "literal"));
	assert_true(aws_profile_exists(&c, "profile literal"));
	/* Other kinds of sections are not profiles. */
	assert_false(aws_profile_exists(&c, "corp"));
	assert_false(aws_profile_exists(&c, "prod-endpoints"));
	assert_false(aws_profile_exists(&c, "nosuch"));
	assert_non_null(aws_config_section(&c, "sso-session", "corp"));
	assert_null(aws_config_section(&c, "sso-session", "prod"));
	aws_config_release(&c);
}

/* Two sections for one profile: the later one wins, as botocore builds its dict in file order. */
static void test_later_section_for_the_same_profile_wins(void **state)
{
	struct aws_config c;

	(void)state;
	load(&c, "[profile default]\nregion = eu-north-1\n\n[default]\nregion = us-east-1\n", "");
	assert_string_equal(aws_profile_get(&c, "default", "region"), "us-east-1");
	aws_config_release(&c);
	load(&c, "[default]\nregion = us-east-1\n\n[profile default]\nregion = eu-north-1\n", "");
	assert_string_equal(aws_profile_get(&c, "default", "region"), "eu-north-1");
	assert_true(aws_profile_exists(&c, "default"));
	aws_config_release(&c);
	load(&c, "[profile x]\nregion = us-east-1\n\n[profile  x]\nregion = eu-north-1\n", "");
	assert_string_equal(aws_profile_get(&c, "x", "region"), "eu-north-1");
	aws_config_release(&c);
}

static void test_services_block(void **state)
{
	struct aws_config c;

	(void)state;
	load(&c, config_text, creds_text);
	assert_string_equal(aws_profile_service_get(&c, "prod", "dynamodb", "endpoint_url"),
			    "http://localhost:8000");
	assert_null(aws_profile_service_get(&c, "prod", "sts", "endpoint_url"));
	assert_null(aws_profile_service_get(&c, "default", "dynamodb", "endpoint_url"));
	aws_config_release(&c);
}

static void collect(const char *name, void *arg)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, ",");
}

static void test_profile_names(void **state)
{
	struct aws_config c;
	char names[256] = "";

	(void)state;
	load(&c, config_text, creds_text);
	aws_profile_names(&c, collect, names);
	assert_string_equal(names, "default,prod,spaced,ci,profile literal,");
	aws_config_release(&c);
}

static void test_default_profile_name(void **state)
{
	(void)state;
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	assert_string_equal(aws_default_profile_name(), "default");
	setenv("AWS_DEFAULT_PROFILE", "old", 1);
	assert_string_equal(aws_default_profile_name(), "old");
	setenv("AWS_PROFILE", "new", 1);
	assert_string_equal(aws_default_profile_name(), "new");
	setenv("AWS_PROFILE", "", 1);
	assert_string_equal(aws_default_profile_name(), "old");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
}

/* ---- the files on disk ---- */

static char home[64];

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

static int make_home(void **state)
{
	char path[128];

	(void)state;
	snprintf(home, sizeof(home), "/tmp/dynamo-test-profile-XXXXXX");
	assert_non_null(mkdtemp(home));
	snprintf(path, sizeof(path), "%s/.aws", home);
	mkdir(path, 0700);
	setenv("HOME", home, 1);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	return 0;
}

static int remove_home(void **state)
{
	char cmd[128];

	(void)state;
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd);
}

static void test_load_from_home(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct aws_config c;

	(void)state;
	/* No files at all is fine: no profiles. */
	assert_int_equal(aws_config_load(&c, &eb), 0);
	assert_true(c.config.missing);
	assert_true(c.credentials.missing);
	assert_string_equal(c.config.path, "~/.aws/config");
	assert_string_equal(c.credentials.path, "~/.aws/credentials");
	aws_config_release(&c);

	write_file(".aws/config", "[profile a]\r\nregion = us-east-2\r\n");
	write_file(".aws/credentials", "[a]\naws_access_key_id = AKIAA\n");
	assert_int_equal(aws_config_load(&c, &eb), 0);
	assert_string_equal(aws_profile_get(&c, "a", "region"), "us-east-2");
	assert_string_equal(aws_profile_get(&c, "a", "aws_access_key_id"), "AKIAA");
	aws_config_release(&c);
}

static void test_load_from_env_paths(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct aws_config c;
	char path[256];

	(void)state;
	write_file("other-config", "[profile b]\nregion = sa-east-1\n");
	write_file("other-creds", "[b]\naws_access_key_id = AKIAB\n");
	snprintf(path, sizeof(path), "%s/other-config", home);
	setenv("AWS_CONFIG_FILE", path, 1);
	/* "~/" is expanded, as the CLI does. */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/other-creds", 1);
	assert_int_equal(aws_config_load(&c, &eb), 0);
	assert_string_equal(aws_profile_get(&c, "b", "region"), "sa-east-1");
	assert_string_equal(aws_profile_get(&c, "b", "aws_access_key_id"), "AKIAB");
	/* Messages show the paths as the user gave them. */
	assert_string_equal(c.config.path, path);
	assert_string_equal(c.credentials.path, "~/other-creds");
	aws_config_release(&c);
}

static void test_load_errors_name_the_file(void **state)
{
	struct errbuf eb = ERRBUF_INIT;
	struct aws_config c;

	(void)state;
	write_file(".aws/config", "[default]\nregion = us-east-1\n");
	write_file(".aws/credentials", "[default]\naws_access_key_id = A\noops\n");
	assert_int_equal(aws_config_load(&c, &eb), -1);
	assert_int_equal(eb.exit, EXIT_CONFIG);
	assert_non_null(strstr(eb.msg, "~/.aws/credentials line 3"));

	errbuf_clear(&eb);
	setenv("AWS_CONFIG_FILE", home, 1);	/* a directory */
	assert_int_equal(aws_config_load(&c, &eb), -1);
	assert_non_null(strstr(eb.msg, "cannot read "));
	assert_non_null(strstr(eb.msg, home));
	unsetenv("AWS_CONFIG_FILE");

	errbuf_clear(&eb);
	unsetenv("HOME");
	assert_int_equal(aws_config_load(&c, &eb), -1);
	assert_non_null(strstr(eb.msg, "HOME is not set"));
	setenv("HOME", home, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_and_credentials_sections),
		cmocka_unit_test(test_what_is_not_a_profile),
		cmocka_unit_test(test_later_section_for_the_same_profile_wins),
		cmocka_unit_test(test_services_block),
		cmocka_unit_test(test_profile_names),
		cmocka_unit_test(test_default_profile_name),
		cmocka_unit_test_setup_teardown(test_load_from_home, make_home, remove_home),
		cmocka_unit_test_setup_teardown(test_load_from_env_paths, make_home, remove_home),
		cmocka_unit_test_setup_teardown(test_load_errors_name_the_file, make_home, remove_home),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
