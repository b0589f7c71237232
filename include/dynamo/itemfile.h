#ifndef DYNAMO_ITEMFILE_H
#define DYNAMO_ITEMFILE_H

#include <stdint.h>
#include "dynamo/buf.h"
#include "dynamo/job.h"

/*
 * Item files: DynamoDB JSON lines, one {"Item":{...}} per line, the format
 * of DynamoDB's export to S3; gzip-compressed when the name ends in .gz;
 * "-" is stdin/stdout. The reader also takes lines that are bare
 * DynamoDB-JSON items, gzip input whatever the name, and one JSON document
 * holding the items ('aws dynamodb scan' output, an array), streamed
 * through json_elems.h; which one is decided by the first line.
 */

struct item_reader;

int item_reader_open(struct item_reader **out, const char *path,
		     struct errbuf *eb);
void item_reader_close(struct item_reader *r);
/*
 * The next item (valid until the next call), or NULL at the end of the file
 * or on an error (then eb is set, naming file and line).
 */
const char *item_reader_next(void *reader, struct slice *item,
			     struct errbuf *eb);
/*
 * Reads ahead to the first (next) item, which item_reader_next then
 * returns: a file that is not an export fails here, before anything is
 * planned. 1 an item, 0 the file holds none, -1 an error (eb set).
 */
int item_reader_peek(struct item_reader *r, struct errbuf *eb);
/* True once every line was read and returned, without an error. */
int item_reader_complete(const struct item_reader *r);
/* The number of the line last read. */
uint64_t item_reader_line(const struct item_reader *r);

struct item_writer;

int item_writer_open(struct item_writer **out, const char *path,
		     struct errbuf *eb);
/*
 * Flushes and closes; the file replaces any previous one only now, when
 * everything was written. -1 (eb set) if anything could not be written:
 * then the previous file is unchanged.
 */
int item_writer_close(struct item_writer *w, struct errbuf *eb);
/* Gives up an export that failed: the temporary goes, the previous file stays. */
void item_writer_abort(struct item_writer *w);
/* The export sink: job->out.ctx is the item_writer. */
extern const struct sink_ops item_file_sink_ops;

#endif
