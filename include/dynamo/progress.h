#ifndef DYNAMO_PROGRESS_H
#define DYNAMO_PROGRESS_H

struct job;

/*
 * Live progress on stderr for long stages: items done of the estimate, the
 * rate over the last seconds, the share of writes refused (throttled and
 * unprocessed) and the write pace with why it is what it is, retries,
 * elapsed and ETA, one line per stage redrawn in place. Only when enabled (stderr is a terminal and not --quiet, or
 * --progress); otherwise nothing is drawn and only the summary is printed.
 */
extern int progress_enabled;

void progress_start(struct job *j);
void progress_update(struct job *j);
/* Draws the stage's final line and moves to the next line. */
void progress_end(struct job *j);

#endif
