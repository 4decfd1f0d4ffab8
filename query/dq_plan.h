/*
 * dq_plan.h — from a parsed query to a Xapian query.
 *
 * Where it sits: query/, after dq_parse. Every word goes through the same
 * analysis as at index time (sv_text, sv_token, sv_stem) and, unless exact
 * matching is asked for, through dq_expand, so that a query in correct
 * Swedish also finds spellings damaged by OCR or stripped of å/ä/ö.
 *
 * A word becomes SYNONYM(Z<stem>, S<variant>...) — all spellings weigh as
 * one term, so they share one idf — OR'd with a small extra weight on the
 * exact stem so that exact spellings rank first. Phrases and NEAR use the
 * positional S terms of every accepted spelling. Stop words are dropped from
 * AND groups that have other words, but kept in phrases.
 */
#ifndef DIARIUM_DQ_PLAN_H
#define DIARIUM_DQ_PLAN_H

#include <stddef.h>

#include "dq_bound.h"
#include "dq_expand.h"
#include "dq_parse.h"
#include "sv_stem.h"
#include "xc.h"

/* Return codes: DQ_* (dq_error.h). */

/* What one query word was expanded to (for --explain). */
typedef struct dq_word_info {
    char *word;          /* normalised query word */
    char *stem;
    unsigned stem_freq;  /* passages with the exact stem; without
                          * DQ_PLAN_EXPLAIN an upper bound (the passages of
                          * its Z and its S term added, dx_format.h) */
    dq_variants variants;
    char *suggestion;    /* a frequent word one edit away, when this one is
                            absent or rare (dq_suggest), else NULL */
    unsigned suggestion_freq;
    int located;         /* 1: the word is query bytes [qoff, qoff+qlen) */
    size_t qoff, qlen;
} dq_word_info;

/* A field filter whose value no document in the index has, so that it
 * matches nothing (the query is valid: the value may be one the index does
 * not hold yet). */
typedef struct dq_field_miss {
    char *field;        /* as in the query, lower-cased ("kommun") */
    char *value;        /* as typed */
    size_t qoff, qlen;  /* the value in the query; qlen 0 when it is not to
                           be replaced there (a quoted value, a range) */
    char *nearest;      /* the index's value closest to it (lower-cased), a
                           letter or two away, or NULL */
} dq_field_miss;

/* Extra weight, relative to its own, of a passage where the words of a
 * plain AND query stand close together (dq_plan.base). */
#define DQ_PROX_WEIGHT 0.5

typedef struct dq_plan {
    xc_query *query;  /* the whole query, passage level */
    /* With a proximity bonus (a top-level AND of two or more words),
     * query = AND_MAYBE(base, FILTER(base, near) * DQ_PROX_WEIGHT):
     * the same matches as base; a passage scores 1 + DQ_PROX_WEIGHT times
     * its base weight when it holds one spelling of each word within
     * prox_window consecutive positions (near, the NEAR of the words'
     * positional queries, each word once: prox_forms[i], prox_nforms[i]
     * of them, sorted, are the normalised spellings of word i). Without a
     * bonus, base and near are NULL and nprox 0. */
    xc_query *base;
    xc_query *near;
    char ***prox_forms;
    size_t *prox_nforms;
    size_t nprox;
    unsigned prox_window;
    unsigned prox_min_freq; /* passages with the rarest word (any spelling) */
    xc_query **parts; /* positive top-level conjuncts (document level) */
    size_t nparts;
    xc_query *neg;    /* OR of the top-level negatives, or NULL */
    char **stems;     /* highlighted stems, sorted */
    size_t nstems, capstems;
    unsigned char stem_first[32]; /* bit set: the first bytes of stems */
    char **forms;     /* highlighted surface forms, sorted */
    size_t nforms, capforms;
    dq_word_info *words;
    size_t nwords, capwords;
    dq_field_miss *misses; /* filters that match nothing, in query order */
    size_t nmisses;
    unsigned nterms;       /* index terms the query reads (query limit
                              terms, dq_bound.h) */
} dq_plan;

/* dq_plan_build flags. */
#define DQ_PLAN_EXACT 1u   /* no OCR / diacritic expansion */
#define DQ_PLAN_EXPLAIN 2u /* stem_freq exact (reads two posting lists for
                              a stem that is a word of its own) */

/* Builds the plan for `ast` against `db` (flags: DQ_PLAN_*) within the
 * limits prefix_words and terms of `lim` (NULL: dq_limits_default; the
 * others are dq_bound's to check, before). Returns DQ_OK; DQ_ENOMEM;
 * DQ_EQUERY (err names the problem and *erroff the byte offset in the
 * query); DQ_EDB; or DQ_EMODIFIED when the database moved on (reopen and
 * retry). */
int dq_plan_build(xc_db *db, sv_stemmer *st, const dq_node *ast,
                  unsigned flags, const dq_limits *lim, dq_plan **out,
                  char *err, size_t errlen, size_t *erroff);

void dq_plan_free(dq_plan *p);

/* 1 if a passage token with normalised form `norm` should be highlighted
 * (word = 1 for SV_TOK_WORD tokens). */
int dq_plan_matches(const dq_plan *p, sv_stemmer *st, const char *norm,
                    size_t len, int word);

#endif /* DIARIUM_DQ_PLAN_H */
