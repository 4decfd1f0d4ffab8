/*
 * dq_snippet.h — the window of a passage that best shows why it matched.
 *
 * Where it sits: query/, after highlighting and before output. The window
 * holds as many distinct highlighted words as fit in about `max` characters,
 * starts and ends at word boundaries (so never inside a UTF-8 sequence),
 * collapses runs of white space to one space, joins words hyphenated at a
 * line end the way the tokenizer does, and marks a cut with "…".
 */
#ifndef DIARIUM_DQ_SNIPPET_H
#define DIARIUM_DQ_SNIPPET_H

#include <stddef.h>

#include "dq_search.h"

/* Default snippet length in characters. */
#define DQ_SNIPPET_CHARS 240

/* Builds the snippet of hit h: *out is malloc'd NUL-terminated UTF-8,
 * *hl (malloc'd, may be NULL when *nhl is 0) the highlight ranges in it.
 * Returns DQ_OK or DQ_ENOMEM (outputs NULL / 0). */
int dq_snippet(const dq_hit *h, size_t max, char **out, size_t *outlen,
               dq_highlight **hl, size_t *nhl);

#endif /* DIARIUM_DQ_SNIPPET_H */
