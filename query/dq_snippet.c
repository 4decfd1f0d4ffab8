/*
 * dq_snippet.c — best window of a passage (see dq_snippet.h).
 */
#include "dq_snippet.h"

#include <stdlib.h>
#include <string.h>

static int is_ws(char c) { return c == ' ' || c == '\n' || c == '\t'; }

static size_t chars(const char *s, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The byte offset `n` characters after `from` (or len). */
static size_t advance(const char *s, size_t len, size_t from, size_t n)
{
    size_t i = from;
    while (i < len && n > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        n--;
    }
    return i;
}

/* Highlights lying fully in [a, b) with distinct text. cls[i] is the
 * first highlight with the text of highlight i; stamp (nhl entries) marks
 * the classes seen, with the mark `w` unique to this window. */
static size_t distinct_in(const dq_hit *h, const size_t *cls, size_t *stamp,
                          size_t w, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nhl; i++) {
        if (h->hl[i].start < a || h->hl[i].end > b) continue;
        if (stamp[cls[i]] == w) continue;
        stamp[cls[i]] = w;
        n++;
    }
    return n;
}

/* The highlight that opens the window (of `span` characters) with the
 * most highlights of distinct text, the first on a tie; 0 when there are
 * none. *err = 1 when out of memory. */
static size_t richest(const dq_hit *h, size_t span, int *err)
{
    const char *t = h->text;
    size_t len = h->textlen, best = 0, best_n = 0;
    *err = 0;
    if (!h->nhl) return 0;
    size_t *cls = malloc(2 * h->nhl * sizeof *cls);
    if (!cls) {
        *err = 1;
        return 0;
    }
    size_t *stamp = cls + h->nhl;
    for (size_t i = 0; i < h->nhl; i++) {
        size_t li = h->hl[i].end - h->hl[i].start;
        cls[i] = i;
        for (size_t k = 0; k < i; k++) {
            size_t lk = h->hl[k].end - h->hl[k].start;
            if (cls[k] == k && lk == li &&
                memcmp(t + h->hl[k].start, t + h->hl[i].start, li) == 0) {
                cls[i] = k;
                break;
            }
        }
        stamp[i] = 0;
    }
    /* The window of each highlight ends span characters after its start;
     * with the starts ascending, each end follows from the one before. */
    size_t a0 = 0, b0 = 0;
    for (size_t i = 0; i < h->nhl; i++) {
        size_t a = h->hl[i].start, b;
        if (i > 0 && a >= a0 && b0 < len)
            b = advance(t, len, b0, chars(t, a0, a));
        else if (i > 0 && a >= a0)
            b = len;
        else
            b = advance(t, len, a, span);
        a0 = a;
        b0 = b;
        size_t n = distinct_in(h, cls, stamp, i + 1, a, b);
        if (n > best_n) {
            best_n = n;
            best = i;
        }
    }
    free(cls);
    return best;
}

int dq_snippet(const dq_hit *h, size_t max, char **out, size_t *outlen,
               dq_highlight **hl, size_t *nhl)
{
    const char *t = h->text;
    size_t len = h->textlen, s = 0, e = len;
    *out = NULL;
    *hl = NULL;
    *outlen = *nhl = 0;

    if (chars(t, 0, len) > max) {
        /* Start a little before the highlight that opens the richest
         * window. */
        int oom = 0;
        size_t best = richest(h, max * 3 / 4, &oom);
        if (oom) return DQ_ENOMEM;
        if (h->nhl) {
            size_t a = h->hl[best].start, lead = max / 4;
            size_t before = chars(t, 0, a);
            s = before > lead ? advance(t, len, 0, before - lead) : 0;
        }
        e = advance(t, len, s, max);
        if (e < len) { /* end at a word boundary */
            size_t k = e;
            while (k > s && !is_ws(t[k])) k--;
            if (k > s) e = k;
        }
        if (s > 0) { /* start at a word boundary */
            size_t k = s;
            while (k < e && !is_ws(t[k - 1])) k++;
            if (k < e) s = k;
        }
    }
    while (s < e && is_ws(t[s])) s++;
    while (e > s && is_ws(t[e - 1])) e--;

    /* Copy with white space collapsed and highlights re-based. */
    char *o = malloc(e - s + 16); /* + "… " and " …" and NUL */
    dq_highlight *v = h->nhl ? malloc(h->nhl * sizeof *v) : NULL;
    if (!o || (h->nhl && !v)) {
        free(o);
        free(v);
        return DQ_ENOMEM;
    }
    size_t n = 0, nv = 0, k = 0;
    if (s > 0) {
        memcpy(o, "\xE2\x80\xA6 ", 4); /* "… " */
        n = 4;
    }
    for (size_t i = s; i < e;) {
        while (k < h->nhl && h->hl[k].start < i) k++;
        if (k < h->nhl && h->hl[k].start == i && h->hl[k].end <= e) {
            /* A highlighted token: copy it, joining a line-end hyphen. */
            size_t a = n;
            for (size_t j = i; j < h->hl[k].end; j++) {
                if (t[j] == '-' && j + 1 < h->hl[k].end &&
                    (is_ws(t[j + 1]))) {
                    while (j + 1 < h->hl[k].end && is_ws(t[j + 1])) j++;
                    continue;
                }
                o[n++] = t[j];
            }
            v[nv].start = a;
            v[nv].end = n;
            nv++;
            i = h->hl[k].end;
            k++;
            continue;
        }
        if (is_ws(t[i])) {
            if (n > 0 && o[n - 1] != ' ') o[n++] = ' ';
            i++;
            continue;
        }
        o[n++] = t[i++];
    }
    if (e < len) {
        memcpy(o + n, " \xE2\x80\xA6", 4); /* " …" */
        n += 4;
    }
    o[n] = '\0';
    *out = o;
    *outlen = n;
    *hl = v;
    *nhl = nv;
    return DQ_OK;
}
