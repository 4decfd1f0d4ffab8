/*
 * ex_ocr.c — one scanned page inside the worker: the page the caller gave
 * (a cache), or the page rendered and read by Tesseract now, each with
 * its own limits (see ex_read.h).
 *
 * A page's CPU time: Tesseract is stopped after lim->ocr_seconds
 * (ex_tess.c); the worker's RLIMIT_CPU is moved, for each page, to what
 * it used so far plus that, plus the render's share (half as much again
 * and ten seconds), so that a page that runs away before Tesseract can
 * stop it (a render, the layout analysis) ends the worker, and the caller
 * names the page (ex_reader.c).
 */
#include "ex_read.h"

#include "ex_scan.h"

#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>

int ex_job_scan(const ex_job *job, unsigned page, int force,
                ex_render_fn render, void *rarg, ex_scan **out, int *own,
                char *why, size_t whylen)
{
    *out = NULL;
    *own = 0;
    if (!force) {
        if (job->ocr == EX_OCR_OFF) return EX_OK;
        for (size_t i = 0; i < job->ngiven; i++)
            if (job->given[i]->page == page) {
                *out = job->given[i];
                return EX_OK;
            }
        if (job->ocr == EX_OCR_GIVEN) return EX_OK;
    }
    if (job->begin && job->begin(job->arg, page) != 0) return EX_EIO;
    unsigned secs = job->lim->ocr_seconds;
    if (job->limited) ex_worker_cpu_budget(secs + secs / 2 + 10);

    char reason[EX_SCAN_WHY_MAX];
    reason[0] = '\0';
    ex_scan *s = NULL;
    int rc = ex_tess_use(job->tess, job->lang, reason, sizeof reason);
    if (rc == EX_ENOOCR && force) {
        snprintf(why, whylen, "%s", reason);
        return rc;
    }
    if (rc == EX_OK) {
        struct Pix *pix = NULL;
        unsigned dpi = 0;
        rc = render(rarg, &pix, &dpi, reason, sizeof reason);
        if (rc == EX_OK) {
            rc = ex_tess_read(*job->tess, pix, page, dpi, secs, &s);
            pixDestroy(&pix);
        }
    }
    if (rc == EX_ENOMEM)
        /* In the worker, memory runs out at the address-space limit; what
         * the page took is freed, and the document goes on. */
        snprintf(reason, sizeof reason, "memory limit (%u MiB) exceeded",
                 job->lim->memory_mb);
    if (rc != EX_OK) {
        /* The page fails, the document goes on. */
        rc = ex_scan_failed(page, reason, &s);
        if (rc != EX_OK) return rc;
    }
    if (job->done && job->done(job->arg, s) != 0) {
        ex_scan_free(s);
        return EX_EIO;
    }
    *out = s;
    *own = 1;
    return EX_OK;
}

int ex_job_layout(ex_layout *lo, const ex_scan *s)
{
    ex_glyph *g = NULL;
    size_t n = 0;
    double w = 0, h = 0;
    int rc = ex_scan_glyphs(s, &g, &n, &w, &h);
    if (rc == EX_OK) rc = ex_layout_add_page(lo, w, h, g, n);
    free(g);
    return rc == EX_ECORRUPT ? EX_EIO : rc;
}
