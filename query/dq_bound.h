/*
 * dq_bound.h — what one query may cost: repeated words removed, and limits
 * on words, phrases, prefix searches, field filters and index terms.
 *
 * Where it sits: query/, between dq_parse and dq_plan. The parser bounds a
 * query's size (64 KiB) and nesting (64 levels); within that, a query
 * typed by a hostile or careless hand ("skol* OR skol* OR ..." 3,000
 * times, one word 10,000 times, thousands of distinct words) could still
 * make the planner expand and Xapian run millions of terms. dq_bound
 * first removes repeats — an AND or OR that holds the same word or
 * subquery twice (in the same analysed form: "skola Skola SKOLA" is one
 * word, "(a b) OR (b a)" one group) keeps the first — and then checks what
 * can be counted before the index is read; dq_plan counts the rest (the
 * spellings a prefix or a damaged word expands to) as it builds.
 *
 * Every limit, when a query passes it, is an error (DQ_EQUERY) whose
 * message names the limit as "name=N" (the syntax of dq_limits_parse and
 * of diarium-query --query-limit) and whose offset is where in the query
 * it was passed. The limits:
 *   words         query words in all (each word of a phrase or a NEAR
 *                 chain, each prefix search and each excluded word counts;
 *                 a repeat removed as above does not)
 *   phrase        words of one phrase, NEAR chain, or word that analyses
 *                 to several ("skol-och-barn"); at most DQ_PHRASE_MAX
 *   prefixes      prefix searches (word*)
 *   prefix_words  spellings in the index that one prefix search may stand
 *                 for
 *   fields        field filters (kommun:, år:, ...)
 *   terms         index terms the whole query reads: every spelling of
 *                 every word (its OCR and diacritic variants), every
 *                 spelling a prefix search stands for, every field value
 */
#ifndef DIARIUM_DQ_BOUND_H
#define DIARIUM_DQ_BOUND_H

#include <stddef.h>

#include "dq_parse.h"

/* The most words one phrase or NEAR chain can have, whatever the limit. */
#define DQ_PHRASE_MAX 256

typedef struct dq_limits {
    unsigned words;
    unsigned phrase;
    unsigned prefixes;
    unsigned prefix_words;
    unsigned fields;
    unsigned terms;
} dq_limits;

/* The defaults (dq_bound.c says why these). */
extern const dq_limits dq_limits_default;

/* Sets limits in *l from "name=N[,name=N...]" (names as in dq_limits,
 * "prefix-words" also accepted; N from 1 to 1000000000, phrase at most
 * DQ_PHRASE_MAX). Returns DQ_OK; DQ_EQUERY with err naming the problem
 * (*l is then unchanged). */
int dq_limits_parse(dq_limits *l, const char *spec, char *err,
                    size_t errlen);

/* Writes the limits as "words=256,phrase=64,..." into buf (size n,
 * NUL-terminated, cut if it does not fit). */
void dq_limits_format(const dq_limits *l, char *buf, size_t n);

/* Removes repeated words and subqueries from *ast (in place; the root may
 * be replaced) and checks the limits that need no index: words, phrase,
 * prefixes, fields (lim NULL: dq_limits_default). Returns DQ_OK; DQ_EQUERY
 * with err and *erroff (a byte offset in the query) for a query over a
 * limit; DQ_ENOMEM. On failure *ast is still a valid tree (free it with
 * dq_node_free). */
int dq_bound(dq_node **ast, const dq_limits *lim, char *err, size_t errlen,
             size_t *erroff);

#endif /* DIARIUM_DQ_BOUND_H */
