/*
 * ex_tess.h — reading a page image with Tesseract (private to extract/;
 * inside the worker only).
 *
 * Where it sits: ex_pdf.c renders a scanned PDF page (poppler + cairo) and
 * ex_image.c decodes an image file's page (leptonica); both hand the page
 * as an 8-bit grey leptonica image to ex_tess_read, which reads it with
 * Tesseract's C API and writes the words and their boxes as an ex_scan
 * (ex_scan.h). One engine per worker (ex_worker.c keeps it), kept for the
 * worker's life: loading a model costs far more than reading a page. It
 * is single-threaded: the caller runs several workers for parallelism
 * (the worker is started with OMP_THREAD_LIMIT=1, ex_reader.c).
 */
#ifndef DIARIUM_EX_TESS_H
#define DIARIUM_EX_TESS_H

#include "ex.h"

#include <stddef.h>

struct Pix;

/* The resolution scanned PDF pages are rendered at, and the lowest one a
 * page too large for ocr_megapixels is rendered at instead. */
#define EX_OCR_DPI 300u
#define EX_OCR_MIN_DPI 150u
/* Bumped whenever what the worker does to a page before and after
 * Tesseract changes what it reads (render settings, word splitting): part
 * of ex_ocr_model's string, so a cache keyed by it stays true. */
#define EX_OCR_PIPELINE 1

typedef struct ex_tess ex_tess;

/* Makes *t an engine for model lang (NULL: "swe"): *t NULL loads one; an
 * engine for another model is replaced; one for the same model is kept.
 * Returns EX_OK; EX_ENOOCR when the model is not installed (why names
 * the Debian package; *t is then NULL); EX_EINVAL for a bad lang;
 * EX_ENOMEM. */
int ex_tess_use(ex_tess **t, const char *lang, char *why, size_t whylen);

/* What engine t reads with (see ex_ocr_model in ex.h), into out (outlen
 * bytes): Tesseract's version, each model file's name, size and a hash
 * of its content, the render settings. Returns EX_OK, or EX_EIO when a
 * model file cannot be read (why says which). */
int ex_tess_model(ex_tess *t, char *out, size_t outlen, char *why,
                  size_t whylen);

/* Reads the 8-bit grey image pix (the caller's; only read) of page `page`,
 * rendered or scanned at dpi, with engine t, within `seconds` of CPU time
 * (past it the page is a failed one: "OCR time limit (S s) exceeded").
 * On EX_OK *out is the page (ex_scan_free), read or failed (its why).
 * Returns EX_OK or EX_ENOMEM. */
int ex_tess_read(ex_tess *t, struct Pix *pix, unsigned page, unsigned dpi,
                 unsigned seconds, ex_scan **out);

/* Frees an engine. Accepts NULL. */
void ex_tess_free(ex_tess *t);

#endif /* DIARIUM_EX_TESS_H */
