#ifndef DYNAMO_PROGRESS_H
#define DYNAMO_PROGRESS_H

#include <stdint.h>

struct job;

/*
 * Live progress on stderr for long stages: items done of the estimate, the
 * rate over the last seconds, the share of writes refused (throttled and
 * unprocessed) and the write pace with why it is what it is, retries,
 * elapsed and ETA, one line per stage redrawn in place. Only when enabled (stderr is a terminal and not --quiet, or
 * --progress); otherwise nothing is drawn and only the summary is printed.
 * progress_plain (stderr is not a terminal: a CI log): no redrawing, no
 * escape sequences, a plain line every progress_interval_ms instead.
 */
extern int progress_enabled;
extern int progress_plain;
extern uint64_t progress_interval_ms;

void progress_start(struct job *j);
void progress_update(struct job *j);
/* Draws the stage's final line and moves to the next line. */
void progress_end(struct job *j);
/* A progress line drawn by other than a job (copy --follow's lag); final moves on. */
void progress_text(const char *text, int final);

#endif
