/*
 * dq_suggest.h — "Menade du: …?": spelling suggestions from the index.
 *
 * Where it sits: query/, used by dq_plan for words that are absent or rare
 * in the index. Candidates are the words one edit away (a letter deleted,
 * inserted, replaced, or two swapped; Swedish letters included); the one
 * found in most passages wins if it is frequent enough. Only surface forms
 * that exist in the index are ever suggested.
 */
#ifndef DIARIUM_DQ_SUGGEST_H
#define DIARIUM_DQ_SUGGEST_H

#include <stddef.h>

#include "dq_error.h"
#include "xc.h"

/* Finds the most frequent indexed word one edit away from the normalised
 * word w, if it occurs in at least min_freq passages. On success *out is
 * malloc'd (free()) or NULL when there is none, *freq its passages.
 * Returns DQ_OK, DQ_ENOMEM, or DQ_EDB / DQ_EMODIFIED with the shim's
 * message in *err (as in xc.h). */
int dq_suggest(xc_db *db, const char *w, size_t len, unsigned min_freq,
               char **out, unsigned *freq, char **err);

#endif /* DIARIUM_DQ_SUGGEST_H */
