/*
 * sv_stem.c — Snowball Swedish through libstemmer, with a cache, and the
 * stop list (see sv_stem.h).
 *
 * The cache is an open-addressing hash table of (word, stem) pairs whose
 * bytes live in one arena; when it is 3/4 full it is emptied in one go, so
 * memory stays bounded however large the collection.
 */
#include "sv_stem.h"
#include "sv.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS (1u << 16)       /* power of two */
#define CACHE_ARENA (4u << 20)       /* bytes of words and stems */

typedef struct slot {
    uint32_t hash;   /* 0: empty */
    uint32_t off;    /* word bytes at arena+off, stem right after */
    uint8_t wlen, slen;
} slot;

struct sv_stemmer {
    struct sb_stemmer *sb;
    slot *slots;
    size_t used;
    char *arena;
    size_t alen;
    char *out;       /* result of an uncached stem (grows as needed) */
    size_t outcap;
};

const char *sv_stem_version(void)
{
    return "snowball-swedish(libstemmer 2.2)";
}

int sv_stemmer_new(sv_stemmer **out)
{
    *out = NULL;
    sv_stemmer *s = calloc(1, sizeof *s);
    if (!s) return SV_ENOMEM;
    s->sb = sb_stemmer_new("swedish", "UTF_8");
    s->slots = calloc(CACHE_SLOTS, sizeof *s->slots);
    s->arena = malloc(CACHE_ARENA);
    if (!s->sb || !s->slots || !s->arena) {
        int rc = s->sb ? SV_ENOMEM : SV_ESTEMMER;
        sv_stemmer_free(s);
        return rc;
    }
    *out = s;
    return SV_OK;
}

void sv_stemmer_free(sv_stemmer *s)
{
    if (!s) return;
    if (s->sb) sb_stemmer_delete(s->sb);
    free(s->slots);
    free(s->arena);
    free(s->out);
    free(s);
}

static uint32_t hash_bytes(const char *w, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)w[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

static int has_letter(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return 1;
    }
    return 0;
}

int sv_stem(sv_stemmer *s, const char *w, size_t len, const char **stem,
            size_t *stemlen)
{
    if (len == 0 || !has_letter(w, len)) {
        *stem = w;
        *stemlen = len;
        return SV_OK;
    }
    int cacheable = len <= 120; /* word and stem lengths fit a byte */
    uint32_t h = hash_bytes(w, len);
    size_t mask = CACHE_SLOTS - 1, i = h & mask;
    if (cacheable) {
        for (; s->slots[i].hash; i = (i + 1) & mask) {
            slot *e = &s->slots[i];
            if (e->hash == h && e->wlen == len &&
                memcmp(s->arena + e->off, w, len) == 0) {
                *stem = s->arena + e->off + e->wlen;
                *stemlen = e->slen;
                return SV_OK;
            }
        }
    }
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w,
                                         (int)len);
    if (!r) return SV_ENOMEM;
    size_t rl = (size_t)sb_stemmer_length(s->sb);
    if (rl + 1 > s->outcap) {
        char *o = realloc(s->out, rl + 64);
        if (!o) return SV_ENOMEM;
        s->out = o;
        s->outcap = rl + 64;
    }
    memcpy(s->out, r, rl);
    s->out[rl] = '\0';
    *stem = s->out;
    *stemlen = rl;
    if (!cacheable) return SV_OK;

    if (s->used >= CACHE_SLOTS / 4 * 3 || s->alen + len + rl > CACHE_ARENA) {
        memset(s->slots, 0, CACHE_SLOTS * sizeof *s->slots);
        s->used = 0;
        s->alen = 0;
        for (i = h & mask; s->slots[i].hash; i = (i + 1) & mask) {}
    }
    slot *e = &s->slots[i];
    e->hash = h;
    e->off = (uint32_t)s->alen;
    e->wlen = (uint8_t)len;
    e->slen = (uint8_t)rl;
    memcpy(s->arena + s->alen, w, len);
    memcpy(s->arena + s->alen + len, r, rl);
    s->alen += len + rl;
    s->used++;
    return SV_OK;
}

/* Snowball's Swedish stop list, sorted byte-wise for bsearch. */
static const char *const stopwords[] = {
    "alla", "allt", "att", "av", "blev", "bli", "blir", "blivit", "de",
    "dem", "den", "denna", "deras", "dess", "dessa", "det", "detta", "dig",
    "din", "dina", "ditt", "du", "där", "då", "efter", "ej", "eller", "en",
    "er", "era", "ert", "ett", "från", "för", "ha", "hade", "han", "hans",
    "har", "henne", "hennes", "hon", "honom", "hur", "här", "i", "icke",
    "ingen", "inom", "inte", "jag", "ju", "kan", "kunde", "man", "med",
    "mellan", "men", "mig", "min", "mina", "mitt", "mot", "mycket", "ni",
    "nu", "när", "någon", "något", "några", "och", "om", "oss", "på",
    "samma", "sedan", "sig", "sin", "sina", "sitta", "själv", "skulle",
    "som", "så", "sådan", "sådana", "sådant", "till", "under", "upp", "ut",
    "utan", "vad", "var", "vara", "varför", "varit", "varje", "vars", "vart",
    "vem", "vi", "vid", "vilka", "vilkas", "vilken", "vilket", "vår", "våra",
    "vårt", "än", "är", "åt", "över"};

static int cmp_word(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int sv_is_stopword(const char *w, size_t len)
{
    char buf[16];
    if (len == 0 || len >= sizeof buf) return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    return bsearch(buf, stopwords, sizeof stopwords / sizeof *stopwords,
                   sizeof *stopwords, cmp_word) != NULL;
}
