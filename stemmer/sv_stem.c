/*
 * sv_stem.c — Snowball Swedish through libstemmer, with a cache, and the
 * stop list (see sv_stem.h).
 *
 * The cache is a bounded table of (word, stem) pairs (sv_wtab.h), emptied
 * in one go when full, so memory stays bounded however large the
 * collection.
 */
#include "sv_stem.h"
#include "sv.h"
#include "sv_wtab.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS (1u << 16)       /* power of two */
#define CACHE_ARENA (4u << 20)       /* bytes of words and stems */

struct sv_stemmer {
    struct sb_stemmer *sb;
    sv_wtab cache;
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
    int cache = sv_wtab_init(&s->cache, CACHE_SLOTS, CACHE_ARENA);
    if (!s->sb || cache != 0) {
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
    sv_wtab_free(&s->cache);
    free(s->out);
    free(s);
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
    uint32_t h = sv_wtab_hash(w, len);
    const char *hit = sv_wtab_get(&s->cache, w, len, h, stemlen);
    if (hit) {
        *stem = hit;
        return SV_OK;
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
    (void)sv_wtab_put(&s->cache, w, len, h, s->out, rl);
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
