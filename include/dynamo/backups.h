#ifndef DYNAMO_BACKUPS_H
#define DYNAMO_BACKUPS_H

#include <cJSON.h>
#include "dynamo/ddb.h"

/* Appends every BackupSummary of table to out (ListBackups, paginated). */
int backups_list(const struct ddb *d, const char *table, cJSON *out,
		 struct errbuf *eb);
/* The newest summary in list with BackupName name, or NULL. */
const cJSON *backups_latest(const cJSON *list, const char *name);

#endif
