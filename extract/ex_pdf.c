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
 * Scanned pages (ex_read.h, ex_ocr.c): a page with no text but images, a
 * page whose text is a handful of characters (at most EX_HANDFUL) over an
 * image that covers half the page or more (a scan with a stamp or a page
 * number laid over it), and a page whose text layer is junk (at least
 * half its characters unreadable: private-use code points, U+FFFD,
 * control characters: a font without a usable character map) are
 * rendered at 300 dpi, grey, with cairo, and read by OCR; the text layer
 * of such a page is dropped when OCR reads it. A page too large for
 * ocr_megapixels at 300 dpi is rendered at a lower resolution, down to
 * 150 dpi; one larger still fails.
 *
 * Checked before poppler sees the file: the %PDF- header (in the first
 * KiB, as readers allow) and a %%EOF in the last 2 KiB: poppler rebuilds
 * a truncated file's cross-reference table and would read what is left
 * without a word, and a cut-off document must be named, not half indexed.
 */
#include "ex_layout.h"
#include "ex_read.h"
#include "ex_scan.h"

#include <cairo.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX_HANDFUL 40    /* characters of a text layer over a scan */
#define EX_SCAN_COVER 0.5 /* the share of the page such an image covers */

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

/* Characters of a page's text layer that are not white space, and how
 * many of them are junk (see the header). */
static void text_stats(const char *text, size_t *chars, size_t *junk)
{
    *chars = *junk = 0;
    if (!text) return;
    for (const char *s = text; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char_validated(s, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            (*chars)++;
            (*junk)++;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == 0xA0)
            continue;
        (*chars)++;
        if (c == 0xFFFD || (c >= 0xE000 && c <= 0xF8FF) || c < 0x20 ||
            (c >= 0x7F && c < 0xA0))
            (*junk)++;
    }
}

/* The share of the page the largest image covers (0 when none); *any 1
 * when the page shows an image at all. */
static double image_cover(PopplerPage *p, double pw, double ph, int *any)
{
    GList *im = poppler_page_get_image_mapping(p);
    double best = 0;
    *any = im != NULL;
    for (GList *l = im; l; l = l->next) {
        const PopplerImageMapping *m = l->data;
        double x0 = fmax(0, fmin(m->area.x1, m->area.x2));
        double x1 = fmin(pw, fmax(m->area.x1, m->area.x2));
        double y0 = fmax(0, fmin(m->area.y1, m->area.y2));
        double y1 = fmin(ph, fmax(m->area.y1, m->area.y2));
        if (x1 > x0 && y1 > y0) {
            double a = (x1 - x0) * (y1 - y0) / (pw * ph);
            if (a > best) best = a;
        }
    }
    poppler_page_free_image_mapping(im);
    return best;
}

typedef struct render_arg {
    PopplerPage *page;
    double pw, ph;      /* points */
    const ex_limits *lim;
} render_arg;

/* Renders a page for OCR (ex_render_fn): 300 dpi or less (see the
 * header), grey. */
static int render_page(void *arg, struct Pix **out, unsigned *dpi_out,
                       char *why, size_t whylen)
{
    const render_arg *ra = arg;
    *out = NULL;
    double limit = (double)ra->lim->ocr_megapixels * 1e6;
    double px = ra->pw * ra->ph * (EX_OCR_DPI / 72.0) * (EX_OCR_DPI / 72.0);
    double dpi = EX_OCR_DPI;
    if (px > limit) dpi = floor(EX_OCR_DPI * sqrt(limit / px));
    double w = ceil(ra->pw * dpi / 72), h = ceil(ra->ph * dpi / 72);
    if (dpi < EX_OCR_MIN_DPI || w > 32767 || h > 32767) {
        double mp = ra->pw * ra->ph * (EX_OCR_MIN_DPI / 72.0) *
                    (EX_OCR_MIN_DPI / 72.0) / 1e6;
        snprintf(why, whylen,
                 "page too large for OCR (%.0f x %.0f pt: %.0f megapixels "
                 "at %u dpi; the limit is %u)",
                 ra->pw, ra->ph, mp, EX_OCR_MIN_DPI,
                 ra->lim->ocr_megapixels);
        return EX_ELIMIT;
    }
    cairo_surface_t *cs =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(cs) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(cs);
        return EX_ENOMEM;
    }
    cairo_t *cr = cairo_create(cs);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, dpi / 72, dpi / 72);
    poppler_page_render(ra->page, cr);
    int bad = cairo_status(cr) != CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    cairo_surface_flush(cs);
    if (bad) {
        cairo_surface_destroy(cs);
        snprintf(why, whylen, "the page cannot be rendered for OCR");
        return EX_ECORRUPT;
    }
    struct Pix *pix = pixCreate((l_int32)w, (l_int32)h, 8);
    if (!pix) {
        cairo_surface_destroy(cs);
        return EX_ENOMEM;
    }
    pixSetResolution(pix, (l_int32)dpi, (l_int32)dpi);
    const unsigned char *src = cairo_image_surface_get_data(cs);
    int stride = cairo_image_surface_get_stride(cs);
    l_uint32 *dst = pixGetData(pix);
    l_int32 wpl = pixGetWpl(pix);
    for (int y = 0; y < (int)h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(src +
                                                  (size_t)y * stride);
        l_uint32 *line = dst + (size_t)y * wpl;
        for (int x = 0; x < (int)w; x++) {
            uint32_t c = row[x];
            unsigned r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
            SET_DATA_BYTE(line, x, (r * 77 + g * 150 + b * 29) >> 8);
        }
    }
    cairo_surface_destroy(cs);
    *out = pix;
    *dpi_out = (unsigned)dpi;
    return EX_OK;
}

/* Opens a PDF, with the checks of the header; NULL and why on failure. */
static PopplerDocument *open_pdf(const void *data, size_t len, GBytes **gb,
                                 int *rc, char *why, size_t whylen)
{
    const char *s = data;
    *gb = NULL;
    if (!mem_has(s, len < 1024 ? len : 1024, "%PDF-")) {
        snprintf(why, whylen, "not a PDF file (no %%PDF- header)");
        *rc = EX_ECORRUPT;
        return NULL;
    }
    size_t tl = len < 2048 ? len : 2048;
    if (!mem_has(s + len - tl, tl, "%%EOF")) {
        snprintf(why, whylen, "truncated: the file ends without %%%%EOF "
                              "(%zu bytes)", len);
        *rc = EX_ECORRUPT;
        return NULL;
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
        *rc = enc ? EX_EENCRYPTED : EX_ECORRUPT;
        return NULL;
    }
    *gb = bytes;
    *rc = EX_OK;
    return doc;
}

/* Reads page `only` by OCR alone (ex_ocr_one). */
static int read_one(PopplerDocument *doc, int n, unsigned only,
                    const ex_job *job, char *why, size_t whylen)
{
    if (only > (unsigned)n) {
        snprintf(why, whylen, "no page %u: the document has %d", only, n);
        return EX_EINVAL;
    }
    PopplerPage *p = poppler_document_get_page(doc, (int)only - 1);
    if (!p) {
        snprintf(why, whylen, "damaged: page %u cannot be read", only);
        return EX_ECORRUPT;
    }
    render_arg ra = {p, 0, 0, job->lim};
    poppler_page_get_size(p, &ra.pw, &ra.ph);
    if (!(ra.pw > 0) || !(ra.ph > 0)) ra.pw = ra.ph = 1000;
    ex_scan *s = NULL;
    int own = 0;
    int rc = ex_job_scan(job, only, 1, render_page, &ra, &s, &own, why,
                         whylen);
    if (own) ex_scan_free(s);
    g_object_unref(p);
    return rc;
}

int ex_pdf_read(const void *data, size_t len, const ex_job *job,
                unsigned only, ex_wbuf *w, char *why, size_t whylen)
{
    const ex_limits *lim = job->lim;
    GBytes *bytes = NULL;
    int rc;
    PopplerDocument *doc = open_pdf(data, len, &bytes, &rc, why, whylen);
    if (!doc) return rc;

    int n = poppler_document_get_n_pages(doc);
    ex_layout *lo = NULL;
    char **labels = NULL, **whys = NULL;
    unsigned *flags = NULL;
    int *conf = NULL;
    ex_glyph *g = NULL;
    size_t gcap = 0, raw = 0;
    int has_labels = 0;
    if (n <= 0) {
        snprintf(why, whylen, "damaged: the document has no pages");
        rc = EX_ECORRUPT;
        goto done;
    }
    if (only) {
        rc = read_one(doc, n, only, job, why, whylen);
        goto done;
    }
    labels = calloc((size_t)n, sizeof *labels);
    whys = calloc((size_t)n, sizeof *whys);
    flags = calloc((size_t)n, sizeof *flags);
    conf = malloc((size_t)n * sizeof *conf);
    if (!labels || !whys || !flags || !conf || ex_layout_new(&lo) != EX_OK) {
        rc = EX_ENOMEM;
        goto done;
    }
    for (int i = 0; i < n && rc == EX_OK; i++) {
        conf[i] = -1;
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
        size_t chars, junk;
        text_stats(text, &chars, &junk);
        int any = 0, scan = 0, checked = 0;
        if (chars == 0 || chars <= EX_HANDFUL || junk * 2 >= chars) {
            double cover = image_cover(p, pw, ph, &any);
            checked = 1;
            scan = chars == 0 ? any
                   : junk * 2 >= chars || cover >= EX_SCAN_COVER;
        }
        ex_scan *s = NULL;
        int own = 0;
        if (scan) {
            render_arg ra = {p, pw, ph, lim};
            char sw[EX_WIRE_REASON_MAX];
            rc = ex_job_scan(job, (unsigned)i + 1, 0, render_page, &ra, &s,
                             &own, sw, sizeof sw);
        }
        if (rc == EX_OK && s && !s->why) {
            /* Read by OCR: its words are the page's text. */
            rc = ex_job_layout(lo, s);
            flags[i] = EX_PAGE_OCR;
            conf[i] = s->confidence;
            raw += ex_layout_glyphs(lo, (size_t)i);
        } else if (rc == EX_OK) {
            PopplerRectangle *r = NULL;
            guint nr = 0;
            size_t ng = 0;
            if (text && *text) {
                if (!poppler_page_get_text_layout(p, &r, &nr)) nr = 0;
                raw += strlen(text);
                rc = page_glyphs(text, r, nr, &g, &gcap, &ng);
            }
            if (rc == EX_OK) rc = ex_layout_add_page(lo, pw, ph, g, ng);
            if (rc == EX_OK && scan) {
                flags[i] = EX_PAGE_NO_TEXT;
                if (s) {
                    flags[i] |= EX_PAGE_FAILED;
                    whys[i] = strdup(s->why);
                    if (!whys[i]) rc = EX_ENOMEM;
                }
            } else if (rc == EX_OK && ex_layout_glyphs(lo, (size_t)i) == 0) {
                if (!checked) (void)image_cover(p, pw, ph, &any);
                flags[i] = any ? EX_PAGE_NO_TEXT : EX_PAGE_BLANK;
            }
            g_free(r);
        }
        if (own) ex_scan_free(s);
        if (rc == EX_OK && raw > lim->max_text) {
            snprintf(why, whylen, "text size limit (%zu MiB) exceeded",
                     lim->max_text >> 20);
            rc = EX_ELIMIT;
        }
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
                         t, tlen, f, conf[i], whys[i]);
        }
        size_t rl;
        const char *run = ex_layout_running(lo, &rl);
        ex_wire_end(w, run, rl);
        if (w->oom) rc = EX_ENOMEM;
    }
done:
    if (labels)
        for (int i = 0; i < n; i++) g_free(labels[i]);
    if (whys)
        for (int i = 0; i < n; i++) free(whys[i]);
    free(labels);
    free(whys);
    free(flags);
    free(conf);
    free(g);
    ex_layout_free(lo);
    g_object_unref(doc);
    g_bytes_unref(bytes);
    return rc;
}
