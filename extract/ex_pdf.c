/*
 * ex_pdf.c — a PDF's text layer, page by page, through poppler-glib
 * (inside the worker only; see ex_read.h).
 *
 * Each page's text comes with one box per character
 * (poppler_page_get_text and poppler_page_get_text_layout share poppler's
 * text analysis of the page); ex_layout turns them into clean text. Page
 * labels: poppler_page_get_label gives the decimal page number ("1", "2",
 * …) when the PDF has no /PageLabels, so a document whose labels all equal
 * their physical numbers is taken to have none and gets no labels.
 *
 * Checked before poppler sees the file: the %PDF- header (in the first
 * KiB, as readers allow) and a %%EOF in the last 2 KiB: poppler rebuilds
 * a truncated file's cross-reference table and would read what is left
 * without a word, and a cut-off document must be named, not half indexed.
 */
#include "ex_layout.h"
#include "ex_read.h"

#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mem_has(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0) return 1;
    return 0;
}

/* Glyphs of one page: poppler's text and one rectangle per character. A
 * count that does not match (never seen, but the file is untrusted) gets
 * made-up boxes in reading order, so the text is still there. */
static int page_glyphs(const char *text, const PopplerRectangle *r,
                       guint nr, ex_glyph **g, size_t *cap, size_t *n)
{
    size_t chars = (size_t)g_utf8_strlen(text, -1);
    if (chars > *cap) {
        ex_glyph *ng = realloc(*g, chars * sizeof *ng);
        if (!ng) return EX_ENOMEM;
        *g = ng;
        *cap = chars;
    }
    int fake = chars != nr;
    size_t k = 0, line = 0, col = 0;
    for (const char *s = text; *s && k < chars; s = g_utf8_next_char(s)) {
        ex_glyph *x = &(*g)[k];
        x->cp = (uint32_t)g_utf8_get_char(s);
        if (!fake) {
            x->x0 = (float)r[k].x1;
            x->y0 = (float)r[k].y1;
            x->x1 = (float)r[k].x2;
            x->y1 = (float)r[k].y2;
        } else {
            x->x0 = (float)col * 5;
            x->x1 = x->x0 + 5;
            x->y0 = (float)line * 12;
            x->y1 = x->y0 + 10;
        }
        if (x->cp == '\n') {
            line++;
            col = 0;
        } else {
            col++;
        }
        k++;
    }
    *n = k;
    return EX_OK;
}

int ex_pdf_read(const void *data, size_t len, const ex_limits *lim,
                ex_wbuf *w, char *why, size_t whylen)
{
    const char *s = data;
    if (!mem_has(s, len < 1024 ? len : 1024, "%PDF-")) {
        snprintf(why, whylen, "not a PDF file (no %%PDF- header)");
        return EX_ECORRUPT;
    }
    size_t tl = len < 2048 ? len : 2048;
    if (!mem_has(s + len - tl, tl, "%%EOF")) {
        snprintf(why, whylen, "truncated: the file ends without %%%%EOF "
                              "(%zu bytes)", len);
        return EX_ECORRUPT;
    }

    GBytes *bytes = g_bytes_new_static(data, len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    if (!doc) {
        int enc = err && err->domain == POPPLER_ERROR &&
                  err->code == POPPLER_ERROR_ENCRYPTED;
        if (enc)
            snprintf(why, whylen, "encrypted (password-protected)");
        else
            snprintf(why, whylen, "damaged: %s",
                     err && err->message ? err->message
                                         : "poppler cannot open it");
        if (err) g_error_free(err);
        g_bytes_unref(bytes);
        return enc ? EX_EENCRYPTED : EX_ECORRUPT;
    }

    int rc = EX_OK;
    int n = poppler_document_get_n_pages(doc);
    ex_layout *lo = NULL;
    char **labels = NULL;
    unsigned *flags = NULL;
    ex_glyph *g = NULL;
    size_t gcap = 0, raw = 0;
    int has_labels = 0;
    if (n <= 0) {
        snprintf(why, whylen, "damaged: the document has no pages");
        rc = EX_ECORRUPT;
        goto done;
    }
    labels = calloc((size_t)n, sizeof *labels);
    flags = calloc((size_t)n, sizeof *flags);
    if (!labels || !flags || ex_layout_new(&lo) != EX_OK) {
        rc = EX_ENOMEM;
        goto done;
    }
    for (int i = 0; i < n && rc == EX_OK; i++) {
        PopplerPage *p = poppler_document_get_page(doc, i);
        if (!p) {
            snprintf(why, whylen, "damaged: page %d cannot be read", i + 1);
            rc = EX_ECORRUPT;
            break;
        }
        double pw = 0, ph = 0;
        poppler_page_get_size(p, &pw, &ph);
        if (!(pw > 0) || !(ph > 0)) pw = ph = 1000;
        labels[i] = poppler_page_get_label(p);
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        if (labels[i] && strcmp(labels[i], num) != 0) has_labels = 1;
        char *text = poppler_page_get_text(p);
        PopplerRectangle *r = NULL;
        guint nr = 0;
        size_t ng = 0;
        if (text && *text) {
            if (!poppler_page_get_text_layout(p, &r, &nr)) nr = 0;
            raw += strlen(text);
            if (raw > lim->max_text) {
                snprintf(why, whylen, "text size limit (%zu MiB) exceeded",
                         lim->max_text >> 20);
                rc = EX_ELIMIT;
            } else {
                rc = page_glyphs(text, r, nr, &g, &gcap, &ng);
            }
        }
        if (rc == EX_OK) rc = ex_layout_add_page(lo, pw, ph, g, ng);
        if (rc == EX_OK && ex_layout_glyphs(lo, (size_t)i) == 0) {
            GList *im = poppler_page_get_image_mapping(p);
            flags[i] = im ? EX_PAGE_NO_TEXT : EX_PAGE_BLANK;
            poppler_page_free_image_mapping(im);
        }
        g_free(r);
        g_free(text);
        g_object_unref(p);
    }
    if (rc == EX_OK) rc = ex_layout_finish(lo);
    if (rc == EX_OK) {
        ex_wire_begin(w, EX_TYPE_PDF, 1);
        for (int i = 0; i < n; i++) {
            size_t tlen;
            const char *t = ex_layout_text(lo, (size_t)i, &tlen);
            unsigned f = flags[i];
            if (ex_layout_runs_on(lo, (size_t)i)) f |= EX_PAGE_RUNS_ON;
            ex_wire_page(w, (unsigned)i + 1, has_labels ? labels[i] : NULL,
                         t, tlen, f, -1);
        }
        size_t rl;
        const char *run = ex_layout_running(lo, &rl);
        ex_wire_end(w, run, rl);
        if (w->oom) rc = EX_ENOMEM;
    }
done:
    if (labels)
        for (int i = 0; i < n; i++) g_free(labels[i]);
    free(labels);
    free(flags);
    free(g);
    ex_layout_free(lo);
    g_object_unref(doc);
    g_bytes_unref(bytes);
    return rc;
}
