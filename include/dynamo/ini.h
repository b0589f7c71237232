#ifndef DYNAMO_INI_H
#define DYNAMO_INI_H

#include "dynamo/msg.h"
#include "dynamo/strset.h"

#include <stddef.h>

/*
 * The AWS shared config and credentials file format, parsed the way botocore
 * reads it (Python's configparser): "[section]" headers, "key = value" or
 * "key: value" lines, keys case-insensitive, full-line comments starting with
 * '#' or ';', indented continuation lines, and nested values:
 *
 *	[services local]
 *	dynamodb =
 *	  endpoint_url = http://localhost:8000
 *
 * Every value is treated as possibly secret and wiped when freed.
 */

struct ini_kv {
	char *key;		/* owned, lower case */
	char *value;		/* owned; "" for a nested block */
	size_t vlen, vcap;	/* value length and allocation, for appending lines */
	struct ini_kv *sub;	/* owned array: nested "k = v" lines */
	size_t nsub;
	int line;
};

struct ini_section {
	char *name;		/* owned: the text between the brackets, trimmed */
	struct ini_kv *kv;	/* owned array */
	size_t nkv, kvcap;
	struct strset *keys;	/* owned: key -> index in kv, once it has many keys */
	int line;
};

/* Lookups are by hash, so that reading a file is linear in its size. */
struct ini_file {
	char *path;		/* owned; as given, for messages */
	struct ini_section *sec;	/* owned array */
	size_t nsec, seccap;
	struct strset names;	/* section name -> index in sec */
	int missing;		/* the file does not exist (not an error) */
};

/*
 * Loads path. A missing file gives an empty ini_file with missing set and
 * returns 0; an unreadable or malformed file fails, naming file and line.
 * display is how the path is shown in messages (e.g. "~/.aws/config").
 */
int ini_load(struct ini_file *f, const char *path, const char *display,
	     struct errbuf *eb);
/* Parses text (for tests and fuzzing). */
int ini_parse(struct ini_file *f, const char *text, size_t len,
	      const char *display, struct errbuf *eb);
void ini_release(struct ini_file *f);

const struct ini_section *ini_section(const struct ini_file *f, const char *name);
const char *ini_get(const struct ini_section *s, const char *key);
const struct ini_kv *ini_get_kv(const struct ini_section *s, const char *key);
/* A nested value: key's block, then sub inside it; NULL when absent. */
const char *ini_get_sub(const struct ini_section *s, const char *key,
			const char *sub);

#endif
