/*
 * dq_expand.h — which spellings in the index a query word may stand for.
 *
 * Where it sits: query/, between analysis of a query word and building the
 * Xapian query. For a word it enumerates the Snowball inflections of its
 * stem (sv_inflections), looks up each inflection's OCR skeleton among the
 * spelling keys of the index (S<skeleton>\x1f<form>, see dx_format.h)
 * and keeps the forms whose confusion cost (sv_confusion_cost) is within
 * budget. Only spellings that exist in the index are ever produced, so
 * expansion cannot flood a query with invented words.
 */
#ifndef DIARIUM_DQ_EXPAND_H
#define DIARIUM_DQ_EXPAND_H

#include <stddef.h>

#include "dq_error.h"
#include "sv_stem.h"
#include "xc.h"

/* Most variants kept for one word (the cheapest). */
#define DQ_MAX_VARIANTS 256

typedef struct dq_variant {
    char *term;      /* the S term as in the index (malloc'd) */
    size_t len;
    const char *form;/* the surface form inside term */
    size_t formlen;
    double cost;     /* 0: an exact inflection of the query word's stem */
    unsigned freq;   /* passages containing it */
    int definite;    /* a form of the definite stem (skolan for skola,
                        betyget for betyg), which Snowball 2.2 keeps apart */
    int damaged;     /* read through damage beyond accents (an accent on
                        å, ä, ö or é lost, added or misread); kept only
                        when rarer than the word (dq_expand.c) */
} dq_variant;

typedef struct dq_variants {
    dq_variant *v;
    size_t n, cap;
} dq_variants;

/* Appends to *out the index forms that the normalised word w (len bytes)
 * may stand for, cheapest first; with exact != 0 only exact inflections.
 * Returns DQ_OK, DQ_ENOMEM, or DQ_EDB / DQ_EMODIFIED with the shim's
 * message in *err (as in xc.h: NULL on entry, xc_free it). */
int dq_expand(xc_db *db, sv_stemmer *st, const char *w, size_t len,
              int exact, dq_variants *out, char **err);

void dq_variants_free(dq_variants *v);

/* Whether the learned model of OCR damage (sv_ocrmodel.h, issue 37) costs
 * the readings of a word typed as it is spelled: only with
 * DIARIUM_OCR_MODEL=1 in the environment (not yet the default: it misses
 * damage the hand-set costs of sv_ocr.h know and its training pages
 * rarely show, as "étgédrderna"; bench/NOTES.md). 1 or 0. */
int dq_expand_model(void);

/* The confusion budget of the normalised word w as typed: what a damaged
 * spelling of it may cost at most (the hand-set one of sv_ocr.h, or the
 * model's, see dq_expand_model). For --explain. */
double dq_expand_budget(const char *w, size_t len);

/* *freq: the number of passages holding the normalised form (the
 * frequency of its S term; 0 when only its spelling key is left, see
 * dx_format.h). DQ_OK, or DQ_EDB / DQ_EMODIFIED / DQ_ENOMEM with *err as
 * for dq_expand. */
int dq_form_freq(xc_db *db, const char *form, size_t fl, unsigned *freq,
                 char **err);

#endif /* DIARIUM_DQ_EXPAND_H */
