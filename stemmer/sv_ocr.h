/*
 * sv_ocr.h — matching words whose Swedish letters were damaged by PDF
 * extraction or OCR ("åtgärder" standing as "atgarder", "atgirder",
 * "atgédrderna"; "följd" as "f6ljd"; "ämnen" as "&mnen").
 *
 * Three pieces, used together by indexer/ and query/:
 *
 *  - sv_skeleton(): a coarse key that a word and its damaged spellings
 *    share. Every letter OCR confuses with å/ä/ö, i or l (vowels, d, l, and
 *    glyphs such as & | 4 6 0 1) becomes one class 'V'; "rn" becomes 'm',
 *    w becomes v; runs of the same class collapse. åtgärder, atgarder,
 *    atgirder and atgédrder all have the skeleton "VtgVrVr". The index keys
 *    every surface form by its skeleton, so the spellings of one word sit
 *    side by side in the term dictionary.
 *
 *  - sv_confusion_cost(): a weighted alignment of a form as the user means
 *    it (clean Swedish, or typed without å/ä/ö) against a form as it stands
 *    in a document. Substitutions that OCR and stripping really make are
 *    cheap (ä -> a 0.25, ä -> i/é/d/&/4 0.45, ö -> 6 0.45, i -> 1 0.4 ...);
 *    a junk letter inserted or a damaged vowel dropped costs 0.5; anything
 *    else is not allowed. The asymmetry is what keeps "bil" from matching
 *    "bal" while "särskilt" matches "sirskilt".
 *
 *  - sv_inflections(): the forms stem+suffix whose Snowball stem is that
 *    stem (åtgärd -> åtgärd, åtgärden, åtgärder, åtgärderna, ...), so a
 *    query can look up the skeletons of every inflection it means.
 */
#ifndef DIARIUM_SV_OCR_H
#define DIARIUM_SV_OCR_H

#include <stddef.h>

#include "sv_stem.h"

/* Longest skeleton written (bytes, plus the NUL). */
#define SV_SKELETON_MAX 128

/* Writes the skeleton of a normalised word into out (cap bytes including
 * the NUL; SV_SKELETON_MAX is always enough for a token of at most
 * SV_TOKEN_MAX bytes). A word without letters (a number, a date) is its own
 * skeleton. Returns the length, or 0 when it does not fit. */
size_t sv_skeleton(const char *w, size_t len, char *out, size_t cap);

/* The same as sv_skeleton(w, len, out, cap), given skel (slen bytes), the
 * skeleton of w's first `from` bytes: only w[from..len) is read when that
 * beginning holds a letter and does not end in 'r' (which may join an 'n'
 * after it), else the whole of w. For many words sharing a beginning. */
size_t sv_skeleton_extend(const char *w, size_t len, size_t from,
                          const char *skel, size_t slen, char *out,
                          size_t cap);

/* A memo of skeletons for one thread: the indexer asks for the skeleton
 * of every token, and a few thousand words make most of them. Bounded: an
 * open-addressing table of (word, skeleton) pairs emptied in one go when
 * it is 3/4 full (as the stem cache, sv_stem.h). */
typedef struct sv_skelmemo sv_skelmemo;

/* SV_OK, or SV_ENOMEM (then *out is NULL). */
int sv_skelmemo_new(sv_skelmemo **out);
void sv_skelmemo_free(sv_skelmemo *m); /* NULL is fine */

/* Exactly sv_skeleton(w, len, out, cap), remembered in m (NULL: not). */
size_t sv_skeleton_memo(sv_skelmemo *m, const char *w, size_t len,
                        char *out, size_t cap);

/* The cost of reading document form d as the intended form q (both
 * normalised). Only the first `qstem` bytes of q (its stem) may have been
 * typed without å/ä/ö; the rest is an inflectional suffix, whose a, o and e
 * are taken literally (pass qlen when q is all stem). Returns a cost >= 0,
 * or a value > limit as soon as the cost is known to exceed limit.
 * Identical forms cost 0. */
double sv_confusion_cost(const char *q, size_t qlen, size_t qstem,
                         const char *d, size_t dlen, double limit);

/* A lower bound of sv_confusion_cost(q, ..., qstem, d, dlen, limit) for
 * every form q that starts with the plen bytes p (a stem: the cost of the
 * cheapest reading of some beginning of d as p), or a value > limit as
 * soon as it exceeds limit. Lets a caller with many forms sharing a stem
 * rule a document form out for all of them at once. */
double sv_confusion_prefix(const char *p, size_t plen, size_t qstem,
                           const char *d, size_t dlen, double limit);

/* How much confusion a match for form q may cost: grows with its length and
 * with the number of å/ä/ö in it (0.3 + 0.55 per å/ä/ö + 0.05 per
 * character, at most 2.5). A form without å/ä/ö may have been typed without
 * them, so up to two a or o in its first `qstem` bytes count as å/ä/ö. */
double sv_confusion_budget(const char *q, size_t qlen, size_t qstem);

/* Calls fn(ctx, form, len) for each form stem + suffix that Snowball
 * Swedish could reduce to `stem` (the suffixes of its steps 1-3, in
 * combination), starting with the stem itself, WITHOUT checking with
 * Snowball: most of them are not words, and most do not stem back. Cheap;
 * check the ones that matter with sv_stem. Stops early and returns fn's
 * value when fn returns non-zero. Returns SV_OK or fn's non-zero value. */
typedef int (*sv_form_fn)(void *ctx, const char *form, size_t len);
int sv_suffix_forms(const char *stem, size_t len, sv_form_fn fn, void *ctx);

/* The forms of sv_suffix_forms whose Snowball stem really is `stem`
 * (åtgärd -> åtgärd, åtgärden, åtgärder, åtgärderna, ...), starting with
 * the stem itself when it stems to itself. Returns SV_OK, SV_ENOMEM, or
 * fn's non-zero value. */
int sv_inflections(sv_stemmer *s, const char *stem, size_t len, sv_form_fn fn,
                   void *ctx);

#endif /* DIARIUM_SV_OCR_H */
