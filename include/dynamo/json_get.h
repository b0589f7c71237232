#ifndef DYNAMO_JSON_GET_H
#define DYNAMO_JSON_GET_H

#include <cJSON.h>

/*
 * Members of a parsed JSON object (cJSON), checked for their type: for
 * control-plane answers and export manifests, which are small. A member of
 * the wrong type counts as missing.
 */

/* The string member key of o, or NULL (o may be NULL). */
const char *json_get_str(const cJSON *o, const char *key);
/* A copy of it (to free), or NULL. */
char *json_dup_str(const cJSON *o, const char *key);
/* A count: a whole number from 0 to 2^53 (exact in a double). 0, or -1. */
int json_get_count(const cJSON *o, const char *key, long long *out);
/* A number (a time in seconds since the epoch, as the JSON protocol sends it). 0, or -1. */
int json_get_number(const cJSON *o, const char *key, double *out);

#endif
