#ifndef DYNAMO_PROGRESS_H
#define DYNAMO_PROGRESS_H

struct job;

/*
 * Live progress on stderr for long stages: items done of the estimate,
 * items/s, retries, throttles, elapsed and ETA, one line per stage redrawn
 * in place. Only when enabled (stderr is a terminal and not --quiet, or
 * --progress); otherwise nothing is drawn and only the summary is printed.
 */
extern int progress_enabled;

void progress_start(struct job *j);
void progress_update(struct job *j);
/* Draws the stage's final line and moves to the next line. */
void progress_end(struct job *j);
/* A progress line drawn by other than a job (copy --follow's lag); final moves on. */
void progress_text(const char *text, int final);

#endif
