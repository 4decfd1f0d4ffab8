/*
 * ex_read.h — reading one document inside the worker (private to
 * extract/; never called in the caller's process).
 *
 * Where it sits: diarium-extract (ex_main.c, ex_worker.c) reads a
 * request, calls ex_read_doc, and sends the answer it wrote. ex_pdf.c
 * reads PDFs with poppler-glib and hands each page's glyphs to ex_layout;
 * ex_image.c reads scanned image files with leptonica; ex_office.c reads
 * Word and OpenDocument files with libzip and libxml2. Scanned pages go
 * through ex_job_scan (ex_ocr.c), which takes a page given by the caller
 * or reads it with Tesseract (ex_tess.h).
 */
#ifndef DIARIUM_EX_READ_H
#define DIARIUM_EX_READ_H

#include "ex.h"
#include "ex_layout.h"
#include "ex_tess.h"
#include "ex_wire.h"

#include <stddef.h>

struct Pix;

/* What one request asks of the worker besides the file. */
typedef struct ex_job {
    const ex_limits *lim;
    int limited;         /* 1: move RLIMIT_CPU for each OCR page (the
                            worker); 0: no limits (--direct) */
    ex_ocr_mode ocr;
    const char *lang;    /* NULL: "swe" */
    ex_scan **given;     /* pages read before, any order (the job's) */
    size_t ngiven;
    ex_tess **tess;      /* the worker's engine, loaded at the first page
                            read by OCR and kept */
    /* Called before a page is read by OCR, and with the page read (also
     * a failed one); a nonzero return stops the document (EX_EIO: the
     * caller is gone). May be NULL. */
    int (*begin)(void *arg, unsigned page);
    int (*done)(void *arg, const ex_scan *s);
    void *arg;
} ex_job;

/* Reads the document of `type` in data[0..len) and writes the whole
 * answer (success or failure, framed) into w. Returns the answer's code:
 * EX_OK, or what the document failed with (EX_EENCRYPTED, EX_ECORRUPT,
 * EX_ELIMIT for the text limit or when memory ran out, EX_EINVAL for a
 * type this build cannot read, EX_EIO when a page callback failed). */
int ex_read_doc(ex_type type, const void *data, size_t len,
                const ex_job *job, ex_wbuf *w);

/* Reads page `page` of a PDF or image file by OCR, whether or not it is
 * a scan (request 'O'), and hands it to job->done. Returns EX_OK (the
 * page may be a failed one), EX_EINVAL (no such page, a type without
 * pages), EX_ENOOCR, EX_ECORRUPT, EX_EENCRYPTED, EX_ENOMEM, EX_EIO; why
 * says why. */
int ex_ocr_one(ex_type type, const void *data, size_t len, unsigned page,
               const ex_job *job, char *why, size_t whylen);

/* The readers behind them. Each writes a successful answer into w (begin,
 * pages, end), or returns an error code with the reason in why (whylen
 * bytes), leaving w to ex_read_doc. `only` (ex_pdf_read, ex_image_read):
 * 0 reads the document; a page number reads that page by OCR alone and
 * writes nothing into w (ex_ocr_one). */
int ex_pdf_read(const void *data, size_t len, const ex_job *job,
                unsigned only, ex_wbuf *w, char *why, size_t whylen);
int ex_image_read(const void *data, size_t len, const ex_job *job,
                  unsigned only, ex_wbuf *w, char *why, size_t whylen);
int ex_office_read(ex_type type, const void *data, size_t len,
                   const ex_limits *lim, ex_wbuf *w, char *why,
                   size_t whylen);

/* ------------------------------------------------------------------------
 * Interface to code in ex_ocr.c: one scanned page
 */

/* How a scanned page's image is made, on demand (only when the page is
 * read by OCR now): *pix an 8-bit grey image (the callee's, freed with
 * pixDestroy by ex_job_scan) and the resolution it has. Returns EX_OK;
 * EX_ELIMIT for an image too large (why says so: the page fails, the
 * document goes on); EX_ECORRUPT for one that cannot be decoded (the
 * same); EX_ENOMEM. */
typedef int (*ex_render_fn)(void *arg, struct Pix **pix, unsigned *dpi,
                            char *why, size_t whylen);

/* The scan of page `page` (1-based): the one given, or (job->ocr ON, or
 * `force`) one read now by OCR (render, then Tesseract, with the page's
 * limits; job->begin and job->done are told); *out NULL when the page
 * stays unread (OCR off, or only given pages). *own: 1 when *out is the
 * caller's to free (ex_scan_free), 0 when it is the job's. A page that
 * cannot be rendered or read is a failed scan, not an error. Returns
 * EX_OK; EX_ENOOCR when the model is not installed (why says so; only
 * when `force`, else the page is a failed one with that reason);
 * EX_ENOMEM; EX_EIO when a callback failed. */
int ex_job_scan(const ex_job *job, unsigned page, int force,
                ex_render_fn render, void *rarg, ex_scan **out, int *own,
                char *why, size_t whylen);

/* A scanned page into the layout: the OCR words of s (not failed) as the
 * page's glyphs. Returns EX_OK, EX_ENOMEM. */
int ex_job_layout(ex_layout *lo, const ex_scan *s);

/* Sets the worker's CPU limit to `seconds` more than used so far (soft
 * limit; SIGXCPU past it). Does nothing when it cannot. */
void ex_worker_cpu_budget(unsigned seconds);

#endif /* DIARIUM_EX_READ_H */
