#ifndef DYNAMO_XML_H
#define DYNAMO_XML_H

#include <stddef.h>
#include "dynamo/buf.h"

/*
 * Just enough XML for STS responses: the raw text between the first
 * <tag> and its </tag>, and that text with the five predefined entities and
 * numeric references decoded.
 */
int xml_find(const char *body, size_t len, const char *tag, const char **val,
	     size_t *vlen);
/* Appends the decoded text of <tag> to out; -1 when absent or malformed. */
int xml_text(const char *body, size_t len, const char *tag, struct buf *out);

#endif
