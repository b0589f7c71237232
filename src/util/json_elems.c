#include "dynamo/json_elems.h"

#include <string.h>

/* Where the top level of an object document is: which member, which part of it. */
enum { KEY_WANT, KEY_IN, KEY_DONE, VALUE_WANT, VALUE_IN };

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void json_elems_init(struct json_elems *s)
{
	memset(s, 0, sizeof(*s));
}

static int fail(struct json_elems *s, const char *why)
{
	s->error = why;
	return -1;
}

/* The document's first byte: [ for an array of objects, { for an object with "Items". */
static int start(struct json_elems *s, char c)
{
	if (c != '[' && c != '{')
		return fail(s, "it is not a JSON array or object");
	s->started = 1;
	s->depth = 1;
	s->object = c == '{';
	if (!s->object)
		s->items_depth = 1;
	return 0;
}

/* A byte of a string, outside the objects kept: only the top-level keys matter. */
static void string_byte(struct json_elems *s, char c)
{
	int keying = s->object && s->depth == 1 && s->key_state == KEY_IN;

	if (s->esc) {
		s->esc = 0;
	} else if (c == '\\') {
		s->esc = 1;
	} else if (c == '"') {
		s->in_str = 0;
		if (keying)
			s->key_state = KEY_DONE;
		return;
	}
	if (keying) {
		if (s->keylen < sizeof(s->key))
			s->key[s->keylen] = c;
		s->keylen++;
	}
}

static int is_items_key(const struct json_elems *s)
{
	return s->keylen == 5 && !memcmp(s->key, "Items", 5);
}

/* A byte at the top level of an object document, outside strings. */
static void top_level(struct json_elems *s, char c)
{
	if (c == '"' && s->key_state == KEY_WANT) {
		s->key_state = KEY_IN;
		s->keylen = 0;
	} else if (c == ':' && s->key_state == KEY_DONE) {
		s->key_state = VALUE_WANT;
	} else if (c == ',') {
		s->key_state = KEY_WANT;
	} else if (s->key_state == VALUE_WANT && !is_ws(c)) {
		s->key_state = VALUE_IN;
		if (c == '[' && is_items_key(s) && !s->items_seen)
			s->items_depth = 2;
	}
}

/* A byte between the objects of the items array. 1: an object begins. */
static int between_objects(struct json_elems *s, char c)
{
	if (is_ws(c) || c == ',')
		return 0;
	if (c == '{')
		return 1;
	if (c == ']') {
		s->depth--;
		s->items_depth = 0;
		s->items_seen = 1;
		if (!s->depth)
			s->ended = 1;
		return 0;
	}
	return fail(s, "an element of its array is not an object");
}

/* A byte of a kept object. 1: the object is complete. */
static int object_byte(struct json_elems *s, char c)
{
	if (s->in_str) {
		if (s->esc)
			s->esc = 0;
		else if (c == '\\')
			s->esc = 1;
		else if (c == '"')
			s->in_str = 0;
		return 0;
	}
	if (c == '"')
		s->in_str = 1;
	else if (c == '{' || c == '[')
		s->depth++;
	else if ((c == '}' || c == ']') && --s->depth == s->items_depth)
		return 1;
	return 0;
}

/* A byte outside the kept objects: skipped, tracking nesting and strings. */
static int skipped_byte(struct json_elems *s, char c)
{
	if (s->in_str) {
		string_byte(s, c);
		return 0;
	}
	if (s->object && s->depth == 1)
		top_level(s, c);
	if (c == '"') {
		s->in_str = 1;
	} else if (c == '{' || c == '[') {
		s->depth++;
	} else if (c == '}' || c == ']') {
		if (!--s->depth)
			s->ended = 1;
	}
	return 0;
}

int json_elems_feed(struct json_elems *s, const char *p, size_t n, size_t *used,
		    struct buf *out)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		char c = p[i];

		if (c == '\n')
			s->lines++;
		if (s->ended) {
			if (!is_ws(c))
				r = fail(s, "it goes on after the end of the JSON document");
		} else if (!s->started) {
			if (!is_ws(c))
				r = start(s, c);
		} else if (s->capturing) {
			if (buf_putc(out, c) < 0)
				r = fail(s, "an item is larger than the limit");
			else if (object_byte(s, c) == 1)
				r = 1, s->capturing = 0;
		} else if (s->items_depth && s->depth == s->items_depth && !s->in_str) {
			r = between_objects(s, c);
			if (r == 1) {
				r = 0;
				s->capturing = 1;
				s->depth++;
				s->elem_line = s->lines + 1;
				if (buf_putc(out, c) < 0)
					r = fail(s, "an item is larger than the limit");
			}
		} else {
			r = skipped_byte(s, c);
		}
	}
	*used = i;
	return r;
}

const char *json_elems_finish(const struct json_elems *s)
{
	if (s->error)
		return s->error;
	if (!s->started)
		return "it is empty";
	if (!s->ended)
		return "it ends before its JSON document does (cut short?)";
	if (s->object && !s->items_seen)
		return "it has no \"Items\" array (expected the output of 'aws dynamodb scan' or 'query')";
	return NULL;
}
