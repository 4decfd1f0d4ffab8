/*
 * sv_wtab.c — the bounded word table of stemmer/'s caches (sv_wtab.h).
 */
#include "sv_wtab.h"

#include <stdlib.h>
#include <string.h>

int sv_wtab_init(sv_wtab *t, size_t nslots, size_t acap)
{
    memset(t, 0, sizeof *t);
    if (nslots == 0 || (nslots & (nslots - 1)) || acap > UINT32_MAX)
        return -1;
    t->slots = calloc(nslots, sizeof *t->slots);
    t->arena = malloc(acap);
    if (!t->slots || !t->arena) {
        sv_wtab_free(t);
        return -1;
    }
    t->nslots = nslots;
    t->acap = acap;
    return 0;
}

void sv_wtab_free(sv_wtab *t)
{
    free(t->slots);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

uint32_t sv_wtab_hash(const char *w, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)w[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

const char *sv_wtab_get(const sv_wtab *t, const char *w, size_t len,
                        uint32_t h, size_t *vlen)
{
    if (!t->slots || len > SV_WTAB_MAX) return NULL;
    size_t mask = t->nslots - 1;
    for (size_t i = h & mask; t->slots[i].hash; i = (i + 1) & mask) {
        const sv_wtab_slot *e = &t->slots[i];
        if (e->hash == h && e->wlen == len &&
            memcmp(t->arena + e->off, w, len) == 0) {
            *vlen = e->vlen;
            return t->arena + e->off + len;
        }
    }
    return NULL;
}

const char *sv_wtab_put(sv_wtab *t, const char *w, size_t len, uint32_t h,
                        const char *v, size_t vlen)
{
    if (!t->slots || len > SV_WTAB_MAX || vlen > SV_WTAB_MAX) return NULL;
    if (t->used >= t->nslots / 4 * 3 || len + vlen > t->acap - t->alen) {
        memset(t->slots, 0, t->nslots * sizeof *t->slots);
        t->used = 0;
        t->alen = 0;
        if (len + vlen > t->acap) return NULL;
    }
    size_t mask = t->nslots - 1, i = h & mask;
    while (t->slots[i].hash) i = (i + 1) & mask;
    sv_wtab_slot *e = &t->slots[i];
    e->hash = h;
    e->off = (uint32_t)t->alen;
    e->wlen = (uint8_t)len;
    e->vlen = (uint8_t)vlen;
    char *at = t->arena + t->alen;
    memcpy(at, w, len);
    memcpy(at + len, v, vlen);
    t->alen += len + vlen;
    t->used++;
    return at + len;
}
