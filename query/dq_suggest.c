/*
 * dq_suggest.c — spelling suggestions (see dq_suggest.h).
 */
#include "dq_suggest.h"
#include "dq_expand.h"
#include "dx_format.h"

#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdlib.h>
#include <string.h>

/* Letters tried for insertion and replacement. */
static const int alphabet[] = {
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
    'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0xE5, 0xE4,
    0xF6, 0xE9};
#define NALPHA (sizeof alphabet / sizeof *alphabet)
#define MAXCP SV_TOKEN_MAX

/* The candidates as spelling keys S<skeleton>\x1f<form> (dx_format.h), in
 * one arena, each with the order it was made in (which breaks ties between
 * equally frequent ones, as looking them up one by one in that order
 * did). */
typedef struct entry {
    size_t off, len; /* in the arena; t points there once it is complete */
    const char *t;
    unsigned order;
} entry;

typedef struct cands {
    char *arena;
    size_t used, cap;
    entry *v;
    size_t n, vcap;
} cands;

/* The skeletons of the word's beginnings: its first k code points are
 * bytes[k] bytes with skeleton skel[k] (len[k] bytes). */
typedef struct prefixes {
    size_t bytes[MAXCP + 1], len[MAXCP + 1];
    char skel[MAXCP + 1][SV_SKELETON_MAX];
} prefixes;

/* Adds candidate c (n code points, the first k of them the word's) as its
 * index term. */
static int add_candidate(cands *cs, const prefixes *pf, size_t k,
                         const int *c, size_t n)
{
    char form[SV_TOKEN_MAX * 2], skel[SV_SKELETON_MAX];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (len + 4 >= sizeof form) return DQ_OK;
        len += sv_utf8_put(c[i], form + len);
    }
    if (len > SV_TOKEN_MAX) return DQ_OK;
    size_t kl = k && pf->len[k]
                    ? sv_skeleton_extend(form, len, pf->bytes[k], pf->skel[k],
                                         pf->len[k], skel, sizeof skel)
                    : sv_skeleton(form, len, skel, sizeof skel);
    if (!kl) return DQ_OK;
    size_t tl = kl + 2 + len;
    if (cs->used + tl > cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 16384;
        while (cap < cs->used + tl) cap *= 2;
        char *b = realloc(cs->arena, cap);
        if (!b) return DQ_ENOMEM;
        cs->arena = b;
        cs->cap = cap;
    }
    if (cs->n == cs->vcap) {
        size_t cap = cs->vcap ? cs->vcap * 2 : 1024;
        entry *v = realloc(cs->v, cap * sizeof *v);
        if (!v) return DQ_ENOMEM;
        cs->v = v;
        cs->vcap = cap;
    }
    char *t = cs->arena + cs->used;
    t[0] = DX_PREFIX_FORM;
    memcpy(t + 1, skel, kl);
    t[1 + kl] = DX_FORM_SEP;
    memcpy(t + 2 + kl, form, len);
    cs->v[cs->n] = (entry){cs->used, tl, NULL, (unsigned)cs->n};
    cs->n++;
    cs->used += tl;
    return DQ_OK;
}

static int by_order(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Byte d of e's term, -1 past its end (a term sorts before its
 * extensions). */
static int byte_at(const entry *e, size_t d)
{
    return d < e->len ? (unsigned char)e->t[d] : -1;
}

static void swap(entry *a, entry *b)
{
    entry t = *a;
    *a = *b;
    *b = t;
}

/* Sorts v by term, equal terms by order: a three-way radix quicksort
 * (the candidates share long beginnings, which a comparison sort would
 * compare again and again). Every term in v[0, n) has the same first d
 * bytes. The recursion is at most as deep as there are candidates (a few
 * thousand at most: one edit of a word of SV_TOKEN_MAX bytes). */
static void sort_terms(entry *v, size_t n, size_t d)
{
    while (n > 1) {
        int pivot = byte_at(&v[n / 2], d);
        size_t lt = 0, i = 0, gt = n; /* [0,lt) < [lt,i) = ... [gt,n) > */
        while (i < gt) {
            int c = byte_at(&v[i], d);
            if (c < pivot) swap(&v[lt++], &v[i++]);
            else if (c > pivot) swap(&v[i], &v[--gt]);
            else i++;
        }
        sort_terms(v, lt, d);
        sort_terms(v + gt, n - gt, d);
        if (pivot < 0) { /* identical terms: the earliest made first */
            qsort(v + lt, gt - lt, sizeof *v, by_order);
            return;
        }
        v += lt; /* the equal part, one byte deeper */
        n = gt - lt;
        d++;
    }
}

/* The number of passages holding the form of spelling key k. */
static int form_freq(xc_db *db, const char *k, size_t kl, unsigned *f,
                     char **err)
{
    const char *sep = memchr(k, DX_FORM_SEP, kl);
    *f = 0;
    if (!sep) return DQ_OK;
    return dq_form_freq(db, sep + 1, kl - (size_t)(sep + 1 - k), f, err);
}

/* lookup() over a database with a remote part (xc_db_remote): each
 * candidate read as one key (Xapian 1.4's remote backend would send every
 * spelling key to open lookup's iterator). */
static int lookup_remote(xc_db *db, cands *cs, size_t *best,
                         unsigned *bestfreq, char **err)
{
    int rc = DQ_OK;
    *best = cs->n;
    *bestfreq = 0;
    for (size_t i = 0; rc == DQ_OK && i < cs->n; i++) {
        char *val = NULL;
        size_t vl = 0;
        unsigned f = 0;
        rc = dq_from_xc(xc_db_get_metadata(db, cs->v[i].t, cs->v[i].len,
                                           &val, &vl, err));
        int found = val != NULL;
        xc_free(val);
        if (rc == DQ_OK && found)
            rc = form_freq(db, cs->v[i].t, cs->v[i].len, &f, err);
        if (rc == DQ_OK && found &&
            (f > *bestfreq || (f == *bestfreq && f > 0 &&
                               cs->v[i].order < cs->v[*best].order))) {
            *best = i;
            *bestfreq = f;
        }
    }
    return rc;
}

/* Looks every candidate up with one iterator over the spelling keys, in
 * key order, skipping ahead from one to the next (far cheaper than a
 * fresh lookup each): *best the index of the most frequent (the earliest
 * made on a tie), or n when none is in the index. */
static int lookup(xc_db *db, cands *cs, size_t *best, unsigned *bestfreq,
                  char **err)
{
    if (xc_db_remote(db)) return lookup_remote(db, cs, best, bestfreq, err);
    static const char s[1] = {DX_PREFIX_FORM};
    xc_termiter *it = NULL;
    const char *t = NULL;
    size_t tl = 0;
    unsigned f = 0;
    int have = 0, fknown = 0;
    *best = cs->n;
    *bestfreq = 0;
    int rc = dq_from_xc(xc_db_metadata_keys(db, s, 1, &it, err));
    for (size_t i = 0; rc == DQ_OK && i < cs->n; i++) {
        const char *want = cs->v[i].t;
        size_t wl = cs->v[i].len;
        size_t m = tl < wl ? tl : wl;
        int cmp = have == 1 ? memcmp(t, want, m) : -1;
        if (have == 1 && cmp == 0) cmp = tl < wl ? -1 : tl > wl;
        if (cmp < 0) { /* the term in hand is before it: skip ahead */
            rc = dq_from_xc(xc_termiter_skip_to(it, want, wl, err));
            if (rc == DQ_OK) {
                rc = have = xc_termiter_next(it, &t, &tl, NULL, err);
                if (rc < 0) rc = dq_from_xc(rc);
            }
            if (rc < 0) break;
            fknown = 0;
            rc = DQ_OK;
            if (have == 0) break; /* past the last spelling key */
            m = tl < wl ? tl : wl;
            cmp = memcmp(t, want, m);
            if (cmp == 0) cmp = tl < wl ? -1 : tl > wl;
        }
        if (cmp == 0 && !fknown) { /* read only for keys that exist */
            rc = form_freq(db, t, tl, &f, err);
            if (rc != DQ_OK) break;
            fknown = 1;
        }
        if (cmp == 0 && (f > *bestfreq ||
                         (f == *bestfreq && f > 0 &&
                          cs->v[i].order < cs->v[*best].order))) {
            *best = i;
            *bestfreq = f;
        }
    }
    xc_termiter_free(it);
    return rc < 0 ? rc : DQ_OK;
}

int dq_suggest(xc_db *db, const char *w, size_t len, unsigned min_freq,
               char **out, unsigned *freq, char **err)
{
    int q[MAXCP], c[MAXCP + 1];
    size_t n = 0, i = 0;
    cands cs = {0};
    *out = NULL;
    *freq = 0;
    while (i < len && n < MAXCP) q[n++] = sv_utf8_next(w, len, &i);
    if (i < len || n < 3) return DQ_OK; /* too long, or too short to guess */
    prefixes *pf = malloc(sizeof *pf);
    if (!pf) return DQ_ENOMEM;
    for (size_t k = 0, at = 0; k <= n; k++) {
        pf->bytes[k] = at;
        pf->len[k] = k ? sv_skeleton(w, at, pf->skel[k], sizeof pf->skel[k])
                       : 0;
        if (k < n) sv_utf8_next(w, len, &at);
    }
    int rc = DQ_OK;
    for (size_t k = 0; rc == DQ_OK && k < n; k++) { /* deletion */
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (j != k) c[m++] = q[j];
        rc = add_candidate(&cs, pf, k, c, m);
    }
    for (size_t k = 0; rc == DQ_OK && k + 1 < n; k++) { /* transposition */
        if (q[k] == q[k + 1]) continue;
        memcpy(c, q, n * sizeof *c);
        c[k] = q[k + 1];
        c[k + 1] = q[k];
        rc = add_candidate(&cs, pf, k, c, n);
    }
    for (size_t k = 0; rc == DQ_OK && k < n; k++) /* replacement */
        for (size_t a = 0; rc == DQ_OK && a < NALPHA; a++) {
            if (alphabet[a] == q[k]) continue;
            memcpy(c, q, n * sizeof *c);
            c[k] = alphabet[a];
            rc = add_candidate(&cs, pf, k, c, n);
        }
    for (size_t k = 0; rc == DQ_OK && k <= n && n < MAXCP; k++) /* insert */
        for (size_t a = 0; rc == DQ_OK && a < NALPHA; a++) {
            memcpy(c, q, k * sizeof *c);
            c[k] = alphabet[a];
            memcpy(c + k + 1, q + k, (n - k) * sizeof *c);
            rc = add_candidate(&cs, pf, k, c, n + 1);
        }
    size_t best = 0;
    unsigned bf = 0;
    if (rc == DQ_OK && cs.n) {
        for (size_t k = 0; k < cs.n; k++) cs.v[k].t = cs.arena + cs.v[k].off;
        sort_terms(cs.v, cs.n, 0);
        rc = lookup(db, &cs, &best, &bf, err);
    }
    if (rc == DQ_OK && cs.n && best < cs.n && bf >= min_freq) {
        const char *t = cs.v[best].t;
        const char *sep = memchr(t, DX_FORM_SEP, cs.v[best].len);
        size_t fl = cs.v[best].len - (size_t)(sep - t) - 1;
        *out = malloc(fl + 1);
        if (!*out) {
            rc = DQ_ENOMEM;
        } else {
            memcpy(*out, sep + 1, fl);
            (*out)[fl] = '\0';
            *freq = bf;
        }
    }
    free(pf);
    free(cs.arena);
    free(cs.v);
    return rc;
}
