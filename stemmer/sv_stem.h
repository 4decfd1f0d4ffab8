/*
 * sv_stem.h — Snowball Swedish stemming (libstemmer) and the stop list.
 *
 * An sv_stemmer wraps one libstemmer "swedish" UTF-8 stemmer and a bounded
 * cache of recent results (words in running text repeat, so most lookups
 * never reach Snowball). Like libstemmer itself: one per thread.
 */
#ifndef DIARIUM_SV_STEM_H
#define DIARIUM_SV_STEM_H

#include <stddef.h>

typedef struct sv_stemmer sv_stemmer;

/* Creates a stemmer. Returns SV_OK, SV_ENOMEM or SV_ESTEMMER (libstemmer
 * has no Swedish UTF-8 stemmer); *out is NULL on failure. */
int sv_stemmer_new(sv_stemmer **out);
void sv_stemmer_free(sv_stemmer *s);

/* Stems a normalised (lower-cased) word. *stem points to memory owned by
 * the stemmer, valid until the next call; *stemlen its length. Words that
 * contain no letter (numbers, dates) are returned as they are.
 * Returns SV_OK or SV_ENOMEM. */
int sv_stem(sv_stemmer *s, const char *w, size_t len, const char **stem,
            size_t *stemlen);

/* 1 if the normalised word is on the Swedish stop list (the 114 words of
 * Snowball's list: och, det, att, i, ...), else 0. */
int sv_is_stopword(const char *w, size_t len);

/* The version string of the stemming rules (part of sv_fingerprint). */
const char *sv_stem_version(void);

#endif /* DIARIUM_SV_STEM_H */
