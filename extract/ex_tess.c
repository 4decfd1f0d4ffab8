/*
 * ex_tess.c — a page image to words and boxes with Tesseract's C API
 * (see ex_tess.h; inside the worker only).
 *
 * The engine is set for whole pages (automatic page segmentation, as the
 * tesseract program does; the C API's own default is one block of text),
 * the LSTM models of tesseract-ocr-swe, and the resolution the page was
 * rendered or scanned at. The time limit is Tesseract's cancel callback,
 * which it asks between words, checking the process's CPU time: the
 * worker's RLIMIT_CPU, set a little above it (ex_worker.c), is the
 * backstop for the part before the words (layout analysis).
 */
#include "ex_tess.h"

#include "ex_scan.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <time.h>

struct ex_tess {
    TessBaseAPI *api;
    char lang[64];
    int64_t cpu_deadline_ms; /* of the page being read */
    int cancelled;
};

void ex_tess_free(ex_tess *t)
{
    if (!t) return;
    if (t->api) {
        TessBaseAPIEnd(t->api);
        TessBaseAPIDelete(t->api);
    }
    free(t);
}

int ex_tess_use(ex_tess **t, const char *lang, char *why, size_t whylen)
{
    if (!lang) lang = "swe";
    if (!ex_ocr_lang_ok(lang)) {
        snprintf(why, whylen, "not a Tesseract model name: %s", lang);
        return EX_EINVAL;
    }
    if (*t && strcmp((*t)->lang, lang) == 0) return EX_OK;
    ex_tess_free(*t);
    *t = NULL;
    ex_tess *e = calloc(1, sizeof *e);
    if (!e) return EX_ENOMEM;
    snprintf(e->lang, sizeof e->lang, "%s", lang);
    e->api = TessBaseAPICreate();
    if (!e->api) {
        free(e);
        return EX_ENOMEM;
    }
    if (TessBaseAPIInit3(e->api, NULL, lang) != 0) {
        ex_tess_free(e);
        /* The first model named is the one a user most likely lacks. */
        char first[64];
        snprintf(first, sizeof first, "%s", lang);
        char *plus = strchr(first, '+');
        if (plus) *plus = '\0';
        snprintf(why, whylen,
                 "Tesseract's model '%s' is not installed (Debian package "
                 "tesseract-ocr-%s)", lang, first);
        return EX_ENOOCR;
    }
    TessBaseAPISetPageSegMode(e->api, PSM_AUTO);
    *t = e;
    return EX_OK;
}

/* FNV-1a, 64 bits, over a file; -1 when it cannot be read. */
static int hash_file(const char *path, uint64_t *h, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint64_t v = 0xcbf29ce484222325ull, n = 0;
    unsigned char b[1 << 16];
    size_t k;
    while ((k = fread(b, 1, sizeof b, f)) > 0) {
        for (size_t i = 0; i < k; i++) {
            v ^= b[i];
            v *= 0x100000001b3ull;
        }
        n += k;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return -1;
    *h = v;
    *size = n;
    return 0;
}

int ex_tess_model(ex_tess *t, char *out, size_t outlen, char *why,
                  size_t whylen)
{
    const char *dp = TessBaseAPIGetDatapath(t->api);
    if (!dp) dp = "";
    size_t dl = strlen(dp);
    const char *slash = dl && dp[dl - 1] != '/' ? "/" : "";
    int o = snprintf(out, outlen, "tesseract %s;", TessVersion());
    const char *s = t->lang;
    while (*s && o >= 0 && (size_t)o < outlen) {
        size_t k = strcspn(s, "+");
        char path[4096];
        snprintf(path, sizeof path, "%s%s%.*s.traineddata", dp, slash,
                 (int)k, s);
        uint64_t h = 0, size = 0;
        if (hash_file(path, &h, &size) != 0) {
            snprintf(why, whylen, "cannot read Tesseract's model %s: %s",
                     path, strerror(errno));
            return EX_EIO;
        }
        o += snprintf(out + o, outlen - (size_t)o,
                      " %.*s.traineddata %llu %016llx;", (int)k, s,
                      (unsigned long long)size, (unsigned long long)h);
        s += k;
        if (*s == '+') s++;
    }
    if (o >= 0 && (size_t)o < outlen)
        snprintf(out + o, outlen - (size_t)o, " %u dpi grey; pipeline %d",
                 EX_OCR_DPI, EX_OCR_PIPELINE);
    return EX_OK;
}

static int64_t cpu_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool cancel(void *arg, int words)
{
    (void)words;
    ex_tess *t = arg;
    if (cpu_ms() > t->cpu_deadline_ms) t->cancelled = 1;
    return t->cancelled != 0;
}

/* Adds one word Tesseract read (it may, rarely, hold spaces: each part is
 * a word of the same box). */
static void add_word(ex_scan_build *b, int x0, int y0, int x1, int y1,
                     int conf, const char *s)
{
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        size_t k = strcspn(s, " \t\n");
        if (k) ex_scan_word(b, x0, y0, x1, y1, conf, s, k);
        s += k;
    }
}

int ex_tess_read(ex_tess *t, struct Pix *pix, unsigned page, unsigned dpi,
                 unsigned seconds, ex_scan **out)
{
    *out = NULL;
    char why[128];
    t->cancelled = 0;
    t->cpu_deadline_ms = cpu_ms() + (int64_t)seconds * 1000;
    TessBaseAPISetImage2(t->api, pix);
    TessBaseAPISetSourceResolution(t->api, (int)dpi);
    ETEXT_DESC *mon = TessMonitorCreate();
    if (!mon) return EX_ENOMEM;
    TessMonitorSetCancelFunc(mon, cancel);
    TessMonitorSetCancelThis(mon, t);
    int rc = TessBaseAPIRecognize(t->api, mon);
    TessMonitorDelete(mon);
    if (rc != 0 || t->cancelled) {
        TessBaseAPIClear(t->api);
        if (t->cancelled)
            snprintf(why, sizeof why, "OCR time limit (%u s) exceeded",
                     seconds);
        else
            snprintf(why, sizeof why, "Tesseract cannot read the page");
        return ex_scan_failed(page, why, out);
    }
    ex_scan_build b = {0};
    ex_scan_begin(&b, page, dpi, (unsigned)pixGetWidth(pix),
                  (unsigned)pixGetHeight(pix));
    TessResultIterator *ri = TessBaseAPIGetIterator(t->api);
    if (ri) {
        const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
        int open = 0;
        do {
            char *txt = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
            if (!txt) continue;
            int x0, y0, x1, y1;
            if (!TessPageIteratorBoundingBox(pi, RIL_WORD, &x0, &y0, &x1,
                                             &y1)) {
                TessDeleteText(txt);
                continue;
            }
            if (!open || TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE)) {
                int bx0, by0, bx1, by1;
                if (!TessPageIteratorBaseline(pi, RIL_TEXTLINE, &bx0, &by0,
                                              &bx1, &by1)) {
                    bx0 = x0;
                    bx1 = x1;
                    by0 = by1 = y1;
                }
                ex_scan_line(&b, bx0, by0, bx1, by1);
                open = 1;
            }
            float conf = TessResultIteratorConfidence(ri, RIL_WORD);
            int c = conf < 0 ? 0 : conf > 100 ? 100 : (int)(conf + 0.5f);
            add_word(&b, x0, y0, x1, y1, c, txt);
            TessDeleteText(txt);
        } while (TessResultIteratorNext(ri, RIL_WORD));
        TessResultIteratorDelete(ri);
    }
    TessBaseAPIClear(t->api);
    return ex_scan_end(&b, out);
}
