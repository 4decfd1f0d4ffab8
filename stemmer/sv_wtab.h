/*
 * sv_wtab.h — a bounded table from words to short byte strings, for the
 * per-thread caches of stemmer/ (the stem cache in sv_stem.c, the
 * skeleton memo in sv_ocr.c). Internal to stemmer/.
 *
 * Open addressing over a power-of-two array of slots; each slot points
 * into one arena where the word's bytes are followed by its value's.
 * When 3/4 of the slots are taken or the arena is full, the table is
 * emptied in one go, so memory stays what sv_wtab_init asked for however
 * many words pass through it.
 */
#ifndef DIARIUM_SV_WTAB_H
#define DIARIUM_SV_WTAB_H

#include <stddef.h>
#include <stdint.h>

/* Longest word and longest value kept (their lengths fit a byte). */
#define SV_WTAB_MAX 120

typedef struct sv_wtab_slot {
    uint32_t hash; /* 0: empty */
    uint32_t off;  /* word at arena + off, its value right after */
    uint8_t wlen, vlen;
} sv_wtab_slot;

typedef struct sv_wtab {
    sv_wtab_slot *slots;
    size_t nslots; /* a power of two */
    size_t used;
    char *arena;
    size_t alen, acap;
} sv_wtab;

/* nslots (a power of two) slots and an arena of acap bytes (under 4 GB).
 * 0, or -1 when out of memory (then t holds nothing to free). */
int sv_wtab_init(sv_wtab *t, size_t nslots, size_t acap);
void sv_wtab_free(sv_wtab *t);

/* The hash sv_wtab_get and sv_wtab_put take (never 0). */
uint32_t sv_wtab_hash(const char *w, size_t len);

/* The value stored for w (h = sv_wtab_hash(w, len)) and its length in
 * *vlen, or NULL when w is not in the table. The value stays valid until
 * the next sv_wtab_put. */
const char *sv_wtab_get(const sv_wtab *t, const char *w, size_t len,
                        uint32_t h, size_t *vlen);

/* Stores v (vlen bytes) for w, which must not be in the table; a word or
 * a value longer than SV_WTAB_MAX is not stored. Returns the stored copy
 * of v, or NULL when it was not stored. */
const char *sv_wtab_put(sv_wtab *t, const char *w, size_t len, uint32_t h,
                        const char *v, size_t vlen);

#endif
