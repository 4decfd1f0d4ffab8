/*
 * ex_image.c — scanned image files (TIFF, every page of a multi-page one;
 * PNG; JPEG) read by OCR, inside the worker only (see ex_read.h).
 *
 * The format is told by the file's first bytes, not its name. A TIFF's
 * pages and their sizes come from walking its chain of image file
 * directories here (checked against the file's length, a loop ends the
 * walk), so that a page too large for ocr_megapixels fails before
 * leptonica decodes it and its count is known without decoding any; PNG
 * and JPEG sizes come from leptonica's header reader. Each page is
 * decoded alone (leptonica, libtiff, libpng, libjpeg), made 8-bit grey,
 * and read at the resolution the file gives (300 dpi when it gives none
 * or a strange one); its size in points follows from that. An image file
 * is a document of pages with physical numbers and no labels; a page
 * that cannot be decoded, or is too large, fails alone.
 */
#include "ex_layout.h"
#include "ex_read.h"
#include "ex_scan.h"

#include <leptonica/allheaders.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGES 10000u /* pages of one TIFF read */

enum { FMT_TIFF = 1, FMT_PNG = 2, FMT_JPEG = 3 };

typedef struct imgpage {
    uint32_t w, h; /* pixels; 0 when the file does not say */
} imgpage;

static uint32_t rd16(const unsigned char *p, int le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8
              : (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

static uint32_t rd32(const unsigned char *p, int le)
{
    return le ? rd16(p, 1) | rd16(p + 2, 1) << 16
              : rd16(p, 0) << 16 | rd16(p + 2, 0);
}

/* The pages of a classic TIFF: their count and sizes (*pages malloc'd).
 * Returns EX_OK, EX_ECORRUPT (why says so), EX_ENOMEM. */
static int tiff_pages(const unsigned char *d, size_t len, imgpage **pages,
                      size_t *n, char *why, size_t whylen)
{
    *pages = NULL;
    *n = 0;
    int le = d[0] == 'I';
    if (rd16(d + 2, le) == 43) {
        snprintf(why, whylen, "BigTIFF files are not read");
        return EX_ECORRUPT;
    }
    size_t cap = 0;
    imgpage *pg = NULL;
    uint64_t off = rd32(d + 4, le);
    while (off != 0) {
        if (off < 8 || off + 2 > len || (off & 1)) {
            if (*n > 0) break; /* a bad link after good pages: keep them */
            free(pg);
            snprintf(why, whylen, "damaged: a TIFF directory lies outside "
                                  "the file");
            return EX_ECORRUPT;
        }
        if (*n >= MAX_PAGES) break;
        uint32_t entries = rd16(d + off, le);
        if (off + 2 + (uint64_t)entries * 12 + 4 > len) {
            if (*n > 0) break;
            free(pg);
            snprintf(why, whylen, "damaged: a TIFF directory is cut off");
            return EX_ECORRUPT;
        }
        imgpage p = {0, 0};
        for (uint32_t e = 0; e < entries; e++) {
            const unsigned char *x = d + off + 2 + (size_t)e * 12;
            uint32_t tag = rd16(x, le), type = rd16(x + 2, le);
            uint32_t v = type == 3 ? rd16(x + 8, le) : rd32(x + 8, le);
            if (type != 3 && type != 4) continue;
            if (tag == 256) p.w = v;
            else if (tag == 257) p.h = v;
        }
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            imgpage *np = realloc(pg, nc * sizeof *np);
            if (!np) {
                free(pg);
                return EX_ENOMEM;
            }
            pg = np;
            cap = nc;
        }
        pg[(*n)++] = p;
        uint64_t next = rd32(d + off + 2 + (size_t)entries * 12, le);
        if (next <= off) break; /* only forward: no loops */
        off = next;
    }
    if (*n == 0) {
        free(pg);
        snprintf(why, whylen, "damaged: the TIFF file has no pages");
        return EX_ECORRUPT;
    }
    *pages = pg;
    return EX_OK;
}

typedef struct image_arg {
    const unsigned char *data;
    size_t len;
    int fmt;
    unsigned index; /* 0-based page of a TIFF */
    imgpage size;
    const ex_limits *lim;
    double wpt, hpt; /* the page's size in points, once decoded */
} image_arg;

/* Decodes one page for OCR (ex_render_fn). */
static int decode_page(void *arg, struct Pix **out, unsigned *dpi_out,
                       char *why, size_t whylen)
{
    image_arg *a = arg;
    *out = NULL;
    double limit = (double)a->lim->ocr_megapixels * 1e6;
    if ((double)a->size.w * a->size.h > limit) {
        snprintf(why, whylen,
                 "image too large for OCR (%u x %u pixels; the limit is %u "
                 "megapixels)",
                 a->size.w, a->size.h, a->lim->ocr_megapixels);
        return EX_ELIMIT;
    }
    struct Pix *pix = a->fmt == FMT_TIFF
                          ? pixReadMemTiff(a->data, a->len, (l_int32)a->index)
                          : pixReadMem(a->data, a->len);
    if (!pix) {
        snprintf(why, whylen, "the image cannot be decoded");
        return EX_ECORRUPT;
    }
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
    if (w <= 0 || h <= 0 || (double)w * h > limit) {
        snprintf(why, whylen,
                 "image too large for OCR (%d x %d pixels; the limit is %u "
                 "megapixels)", (int)w, (int)h, a->lim->ocr_megapixels);
        pixDestroy(&pix);
        return EX_ELIMIT;
    }
    struct Pix *grey = pixGetDepth(pix) == 8 && !pixGetColormap(pix)
                           ? pixClone(pix)
                           : pixConvertTo8(pix, 0);
    l_int32 xres = 0, yres = 0;
    pixGetResolution(pix, &xres, &yres);
    pixDestroy(&pix);
    if (!grey) {
        snprintf(why, whylen, "the image cannot be decoded");
        return EX_ECORRUPT;
    }
    unsigned dpi = xres >= 50 && xres <= (l_int32)EX_SCAN_MAX_DPI
                       ? (unsigned)xres
                       : EX_OCR_DPI;
    a->wpt = w * 72.0 / dpi;
    a->hpt = h * 72.0 / dpi;
    *out = grey;
    *dpi_out = dpi;
    return EX_OK;
}

int ex_image_read(const void *data, size_t len, const ex_job *job,
                  unsigned only, ex_wbuf *w, char *why, size_t whylen)
{
    const unsigned char *d = data;
    int fmt = 0;
    if (len >= 8 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && !d[3]) ||
                     (d[0] == 'M' && d[1] == 'M' && !d[2] && d[3] == 42) ||
                     (d[0] == 'I' && d[1] == 'I' && d[2] == 43 && !d[3]) ||
                     (d[0] == 'M' && d[1] == 'M' && !d[2] && d[3] == 43)))
        fmt = FMT_TIFF;
    else if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        fmt = FMT_PNG;
    else if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        fmt = FMT_JPEG;
    if (!fmt) {
        snprintf(why, whylen, "not an image file diarium reads (TIFF, PNG "
                              "or JPEG)");
        return EX_ECORRUPT;
    }
    imgpage *pages = NULL;
    size_t n = 0;
    int rc = EX_OK;
    if (fmt == FMT_TIFF) {
        rc = tiff_pages(d, len, &pages, &n, why, whylen);
        if (rc != EX_OK) return rc;
    } else {
        l_int32 f, iw = 0, ih = 0, bps, spp, cmap;
        if (pixReadHeaderMem(d, len, &f, &iw, &ih, &bps, &spp, &cmap) != 0 ||
            iw <= 0 || ih <= 0) {
            snprintf(why, whylen, "damaged: the %s header cannot be read",
                     fmt == FMT_PNG ? "PNG" : "JPEG");
            return EX_ECORRUPT;
        }
        pages = malloc(sizeof *pages);
        if (!pages) return EX_ENOMEM;
        pages[0].w = (uint32_t)iw;
        pages[0].h = (uint32_t)ih;
        n = 1;
    }
    if (only) {
        if (only > n) {
            snprintf(why, whylen, "no page %u: the image file has %zu",
                     only, n);
            free(pages);
            return EX_EINVAL;
        }
        image_arg a = {d, len, fmt, only - 1, pages[only - 1], job->lim, 0,
                       0};
        ex_scan *s = NULL;
        int own = 0;
        rc = ex_job_scan(job, only, 1, decode_page, &a, &s, &own, why,
                         whylen);
        if (own) ex_scan_free(s);
        free(pages);
        return rc;
    }

    ex_layout *lo = NULL;
    char **whys = calloc(n, sizeof *whys);
    unsigned *flags = calloc(n, sizeof *flags);
    int *conf = malloc(n * sizeof *conf);
    if (!whys || !flags || !conf || ex_layout_new(&lo) != EX_OK)
        rc = EX_ENOMEM;
    size_t raw = 0;
    for (size_t i = 0; i < n && rc == EX_OK; i++) {
        conf[i] = -1;
        image_arg a = {d, len, fmt, (unsigned)i, pages[i], job->lim, 0, 0};
        ex_scan *s = NULL;
        int own = 0;
        char sw[EX_WIRE_REASON_MAX];
        rc = ex_job_scan(job, (unsigned)i + 1, 0, decode_page, &a, &s, &own,
                         sw, sizeof sw);
        if (rc == EX_OK && s && !s->why) {
            rc = ex_job_layout(lo, s);
            flags[i] = EX_PAGE_OCR;
            conf[i] = s->confidence;
            raw += ex_layout_glyphs(lo, i);
        } else if (rc == EX_OK) {
            /* Unread: an empty page of the image's size (A4 when the file
             * does not say). */
            double wpt = pages[i].w ? pages[i].w * 72.0 / EX_OCR_DPI : 595;
            double hpt = pages[i].h ? pages[i].h * 72.0 / EX_OCR_DPI : 842;
            rc = ex_layout_add_page(lo, wpt, hpt, NULL, 0);
            flags[i] = EX_PAGE_NO_TEXT;
            if (s) {
                flags[i] |= EX_PAGE_FAILED;
                whys[i] = strdup(s->why);
                if (!whys[i]) rc = EX_ENOMEM;
            }
        }
        if (own) ex_scan_free(s);
        if (rc == EX_OK && raw > job->lim->max_text) {
            snprintf(why, whylen, "text size limit (%zu MiB) exceeded",
                     job->lim->max_text >> 20);
            rc = EX_ELIMIT;
        }
    }
    if (rc == EX_OK) rc = ex_layout_finish(lo);
    if (rc == EX_OK) {
        ex_wire_begin(w, EX_TYPE_IMAGE, 1);
        for (size_t i = 0; i < n; i++) {
            size_t tlen;
            const char *t = ex_layout_text(lo, i, &tlen);
            unsigned f = flags[i];
            if (ex_layout_runs_on(lo, i)) f |= EX_PAGE_RUNS_ON;
            ex_wire_page(w, (unsigned)i + 1, NULL, t, tlen, f, conf[i],
                         whys[i]);
        }
        size_t rl;
        const char *run = ex_layout_running(lo, &rl);
        ex_wire_end(w, run, rl);
        if (w->oom) rc = EX_ENOMEM;
    }
    if (whys)
        for (size_t i = 0; i < n; i++) free(whys[i]);
    free(whys);
    free(flags);
    free(conf);
    free(pages);
    ex_layout_free(lo);
    return rc;
}
