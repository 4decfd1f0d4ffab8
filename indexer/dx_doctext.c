/*
 * dx_doctext.c — a document's pages to one text with a page table (see
 * dx_doctext.h).
 */
#include "dx_doctext.h"

#include "sv.h"
#include "sv_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dx_doctext_free(dx_doctext *t)
{
    if (!t) return;
    free(t->text);
    free(t->pages);
    free(t->running);
    free(t->notext);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

/* Appends n bytes to the growing text. */
static int add(dx_doctext *t, size_t *cap, const char *s, size_t n)
{
    if (t->len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < t->len + n + 1) c *= 2;
        char *p = realloc(t->text, c);
        if (!p) return -1;
        t->text = p;
        *cap = c;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
    return 0;
}

int dx_doctext_build(const ex_doc *d, dx_doctext *t)
{
    memset(t, 0, sizeof *t);
    size_t cap = 0, labels = 0;
    t->paged = d->paged;
    if (d->paged) {
        t->pages = calloc(d->npages ? d->npages : 1, sizeof *t->pages);
        t->notext = calloc(d->npages ? d->npages : 1, sizeof *t->notext);
        for (size_t i = 0; i < d->npages; i++)
            if (d->pages[i].label) labels += strlen(d->pages[i].label) + 1;
        t->arena = malloc(labels ? labels : 1);
        if (!t->pages || !t->notext || !t->arena) return -1;
        t->npages = d->npages;
    }
    if (add(t, &cap, "", 0) != 0) return -1;
    char *lab = t->arena;
    int runs_on = 0;
    for (size_t i = 0; i < d->npages; i++) {
        const ex_page *p = &d->pages[i];
        char *clean = NULL;
        size_t cl = 0;
        if (p->len && sv_text_clean(p->text, p->len, &clean, &cl, NULL) !=
                          SV_OK)
            return -1;
        /* Leading and trailing white space does not count. */
        size_t a = 0, b = cl;
        while (a < b && (clean[a] == ' ' || clean[a] == '\n')) a++;
        while (b > a && (clean[b - 1] == ' ' || clean[b - 1] == '\n')) b--;
        if (b > a && t->len > 0 &&
            add(t, &cap, runs_on ? "\n" : "\n\n", runs_on ? 1 : 2) != 0) {
            free(clean);
            return -1;
        }
        size_t start = t->len;
        if (b > a && add(t, &cap, clean + a, b - a) != 0) {
            free(clean);
            return -1;
        }
        free(clean);
        if (b > a) runs_on = (p->flags & EX_PAGE_RUNS_ON) != 0;
        if (!d->paged) continue;
        dx_docpage *dp = &t->pages[i];
        dp->start = start;
        dp->len = t->len - start;
        dp->number = p->number;
        dp->ocr = (p->flags & EX_PAGE_OCR) ? p->ocr_confidence : -1;
        if (p->label) {
            size_t ll = strlen(p->label);
            memcpy(lab, p->label, ll + 1);
            dp->label = lab;
            lab += ll + 1;
        }
        if (p->flags & EX_PAGE_NO_TEXT) t->notext[t->nnotext++] = p->number;
    }
    if (d->running_len &&
        sv_text_clean(d->running, d->running_len, &t->running,
                      &t->running_len, NULL) != SV_OK)
        return -1;
    return 0;
}

/* The page of byte `at`: the last page with text that starts at or
 * before it. */
static const dx_docpage *page_of(const dx_doctext *t, size_t at)
{
    const dx_docpage *best = NULL;
    size_t lo = 0, hi = t->npages;
    /* Pages are in text order; those without text share their neighbour's
     * start and are skipped below. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->pages[mid].start <= at) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i > 0; i--)
        if (t->pages[i - 1].len > 0) {
            best = &t->pages[i - 1];
            break;
        }
    if (!best)
        for (size_t i = 0; i < t->npages; i++)
            if (t->pages[i].len > 0) return &t->pages[i];
    return best;
}

void dx_doctext_span(const dx_doctext *t, size_t start, size_t end,
                     uint32_t *page, uint32_t *page_end, const char **label,
                     int *ocr)
{
    *page = *page_end = 0;
    *label = NULL;
    *ocr = -1;
    if (!t->paged || t->npages == 0) return;
    const dx_docpage *a = page_of(t, start);
    const dx_docpage *b = page_of(t, end > start ? end - 1 : start);
    if (!a || !b) return;
    *page = a->number;
    *page_end = b->number >= a->number ? b->number : a->number;
    *label = a->label;
    for (const dx_docpage *p = a; p <= b; p++)
        if (p->ocr >= 0 && (*ocr < 0 || p->ocr < *ocr)) *ocr = p->ocr;
}

void dx_doctext_notext(const dx_doctext *t, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen) return;
    out[0] = '\0';
    for (size_t i = 0; i < t->nnotext;) {
        size_t j = i;
        while (j + 1 < t->nnotext && t->notext[j + 1] == t->notext[j] + 1)
            j++;
        char part[48];
        if (j == i) snprintf(part, sizeof part, "%u", t->notext[i]);
        else snprintf(part, sizeof part, "%u-%u", t->notext[i], t->notext[j]);
        const char *sep = i == 0             ? ""
                          : j + 1 == t->nnotext ? " and "
                                                : ", ";
        int k = snprintf(out + o, outlen - o, "%s%s", sep, part);
        if (k < 0 || (size_t)k >= outlen - o) {
            /* Cut at a whole entry. */
            if (outlen > 4) {
                size_t at = o < outlen - 4 ? o : outlen - 4;
                memcpy(out + at, "\xe2\x80\xa6", 4); /* … */
            }
            return;
        }
        o += (size_t)k;
        i = j + 1;
    }
}
