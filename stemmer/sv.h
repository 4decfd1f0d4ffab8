/*
 * sv.h — Swedish text analysis for diarium: the module's status codes and the
 * analysis fingerprint.
 *
 * stemmer/ is pure C and uses nothing else of diarium's. The pipeline, each
 * step in its own .c/.h pair:
 *
 *   bytes --sv_text--> NFC UTF-8 --sv_token--> tokens (positions, spans,
 *   lower-cased forms) --sv_stem--> Snowball stems --sv_ocr--> OCR skeletons,
 *   confusion costs and inflections for matching damaged spellings.
 *
 * Index time and query time call these same functions, so a word becomes
 * terms in exactly one place.
 */
#ifndef DIARIUM_SV_H
#define DIARIUM_SV_H

enum {
    SV_OK = 0,
    SV_ENOMEM = -1,  /* allocation failed */
    SV_EINVAL = -2,  /* invalid argument */
    SV_ESTEMMER = -3 /* libstemmer has no Swedish stemmer */
};

/* A static English description of an SV_* code. */
const char *sv_strerror(int rc);

/* Identifies every rule that decides which terms a text produces (analysis
 * version, Snowball algorithm and character encoding, folding and skeleton
 * rules, stop words). A database built with another fingerprint must be
 * re-indexed before it is searched with this one. Static string. */
const char *sv_fingerprint(void);

#endif /* DIARIUM_SV_H */
