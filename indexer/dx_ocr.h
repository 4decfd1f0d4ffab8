/*
 * dx_ocr.h — scanned pages in an indexing run: read by OCR once, kept in
 * the database folder's OCR cache, and never read again (issue 31).
 *
 * Where it sits: between dx_writer.c and extract/ (ex.h). A PDF or image
 * file is first read with only the pages given that are known (no OCR):
 * that says which pages are scans. Those the cache holds are taken from
 * it; the others are read by OCR, page by page (ex_ocr_page), on the
 * writer's own document reader and, in a one-thread run, on up to
 * `helpers` more readers in threads of their own, so that the pages of a
 * long scan are read on every core --jobs allows (a parallel build reads
 * documents in parallel instead). Each page read, or failed, goes into
 * the cache at once (a run that is stopped keeps what it read); then the
 * document is read again with every page given.
 *
 * The cache: DIR/ocr-cache/<hash>/<page>-<model> files, one per page, where
 * <hash> is the file's content hash (dx_content_hash, 16 hex digits) and
 * <model> a hash of what OCR reads with (ex_ocr_model: Tesseract's
 * version, the model file's content, the render settings). A file holds
 *   "DXOCR1\n", the model string, "\n", then the page (ex_scan bytes),
 * written to a temporary name and renamed, so a reader sees a whole page
 * or none, and checked when read (a damaged one is read again by OCR).
 * Keyed by content, the cache serves a renamed or moved file, a copy, a
 * --full rebuild (dx_dbdir_swap carries the folder over) and a run after
 * a crash. A page that could not be read is kept too, with its reason,
 * and not tried again until --retry-failed. dx_ocr_prune, at the end of a
 * run, drops the folders of contents no record names any more.
 */
#ifndef DIARIUM_DX_OCR_H
#define DIARIUM_DX_OCR_H

#include "dx_dbdir.h"
#include "dx_error.h"
#include "ex.h"
#include "xc.h"

#include <stddef.h>
#include <stdint.h>

/* The cache folder's name inside a database folder. */
#define DX_OCR_CACHE DX_OCR_CACHE_DIR

typedef struct dx_ocr dx_ocr;

/* Called when pages to read by OCR are found (total grows) and each time
 * one is read (done grows), from whichever thread read it, one call at a
 * time. */
typedef void (*dx_ocr_progress_fn)(void *ctx, unsigned done,
                                   unsigned total);

typedef struct dx_ocr_opts {
    int off;              /* --no-ocr: scanned pages are reported, unread */
    int retry_failed;     /* pages that failed before are read again */
    const ex_limits *lim; /* of the helpers' readers (NULL: defaults) */
    const char *program;  /* the document reader (NULL: beside us) */
    dx_ocr_progress_fn progress; /* may be NULL */
    void *ctx;
    unsigned *pages_read; /* counts the pages read by OCR (may be NULL;
                             written under the run's lock) */
} dx_ocr_opts;

/* Prepares OCR for a run writing the database folder dbdir (nothing is
 * read or made yet). Returns DX_OK or DX_ENOMEM (*out NULL). */
int dx_ocr_open(const char *dbdir, const dx_ocr_opts *o, dx_ocr **out);

/* Stops the helpers' readers and frees. Accepts NULL. */
void dx_ocr_close(dx_ocr *oc);

/* Reads a document of `type` (raw, rawlen: its bytes; hash: their
 * dx_content_hash) through reader rd (the caller's thread's), its scanned
 * pages from the cache or by OCR as the header says, with up to `helpers`
 * readers more for the pages of this document. Returns what ex_read
 * returns (*out, why). Thread-safe: several writers may read at once (the
 * helpers are then 0). */
int dx_ocr_read(dx_ocr *oc, ex_reader *rd, unsigned helpers, ex_type type,
                const char *raw, size_t rawlen, uint64_t hash, ex_doc **out,
                char *why, size_t whylen);

/* What the run should say of a document's scanned pages that were not
 * read ("page 3 not read by OCR: OCR time limit (60 s) exceeded",
 * "scanned pages 2-4 not read (--no-ocr)"), into note (notelen bytes);
 * "" when every page was read. *unread: how many such pages. */
void dx_ocr_note(const dx_ocr *oc, const ex_doc *d, char *note,
                 size_t notelen, unsigned *unread);

/* Drops the cached pages of contents that no record (DX_META_DOC) and no
 * failure record (DX_META_FAIL) of database db names, and temporary files
 * left by a run that was stopped, from dbdir's cache. Best effort: DX_OK,
 * or DX_EDB when the records cannot be listed (err says why; nothing is
 * removed then), DX_ENOMEM. */
int dx_ocr_prune(const char *dbdir, xc_db *db, char *err, size_t errlen);

/* For --check: every file of dbdir's cache is a page this build can read
 * (bad(ctx, what) for each that is not, also one that cannot be read or
 * is too large to read); *pages and *docs count the pages and the
 * contents cached. No cache is an empty one. */
void dx_ocr_check(const char *dbdir, void (*bad)(void *ctx, const char *what),
                  void *ctx, unsigned *pages, unsigned *docs);

#endif /* DIARIUM_DX_OCR_H */
