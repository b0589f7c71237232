#ifndef DYNAMO_JSON_PRINT_H
#define DYNAMO_JSON_PRINT_H

#include <cJSON.h>

/* A JSON value on one line of stdout, secrets redacted: what --json prints. */
void print_json_line(const cJSON *v);
/* The same, indented for people (describe --json). */
void print_json_indented(const cJSON *v);

#endif
