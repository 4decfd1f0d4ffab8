/*
 * ex.h — documents to pages of text: the public interface of extract/.
 *
 * Where it sits: between reading a file's bytes and cleaning them into
 * passages. indexer/ hands a PDF, Word (.docx), OpenDocument (.odt) or
 * scanned image (.tif, .png, .jpg) file's bytes to a reader and gets back
 * its pages of cleaned text; the module knows nothing of Xapian, passages
 * or queries, and uses nothing of ours.
 *
 * Untrusted files are never parsed in the caller's process. An ex_reader
 * is a small worker program, diarium-extract, started with posix_spawn
 * (never a bare fork of a possibly multithreaded caller) and talked to
 * over a socket: it sets its own limits on CPU time and address space,
 * parses one file at a time with poppler (PDF) or libzip + libxml2 (Word,
 * OpenDocument), reads scanned pages with Tesseract (OCR, below), and
 * writes back a compact serialised document (ex_wire.h).
 * The caller's side enforces the wall clock (poll, then SIGKILL) and reads
 * the answer as untrusted input. A worker serves many files, so its start
 * is paid once, not per file; one that died (a crash, a limit) is started
 * again for the next file, and one that has read many files is replaced
 * (a leak in a library cannot grow without bound).
 *
 * What a page's text is (ex_layout.h does the cleanup, the same for every
 * PDF): the page's text layer in reading order (columns one after the
 * other, so that a phrase never runs across two columns), running headers
 * and footers removed, line-end hyphens decided by Swedish rules,
 * ligatures and other compatibility characters normalised, NFC;
 * paragraphs separated by one blank line, the lines of a paragraph joined
 * into one. Word and OpenDocument files have no physical pages: their text
 * is one page-less page (number 0).
 *
 * Scanned pages (OCR): a PDF page with no text layer but images, with
 * only a handful of characters over an image that covers half the page
 * or more, or whose text layer is junk (mostly private-use code points,
 * U+FFFD, controls: a font without a usable character map), is a scan.
 * The worker renders it (poppler + cairo, 300 dpi, grey) and reads
 * it with Tesseract's Swedish model, one thread per worker (parallelism
 * is the caller's: several readers); the words and their boxes go through
 * the same layout cleanup as a text layer, after fixes for what the model
 * predictably misreads in decisions ("19 8" and "19 $" for "19 §").
 * Only the scanned pages of a mixed PDF are read so. An image file is a
 * document of one page per image (every page of a multi-page TIFF), read
 * with leptonica. Each page read by OCR is flagged EX_PAGE_OCR with its
 * mean word confidence; a page that cannot be read (its own time limit,
 * an image too large, an image that cannot be decoded, the worker dying
 * on it) is flagged EX_PAGE_FAILED with the reason, and the rest of the
 * document is still returned. A page read by OCR is also handed to the
 * caller as an ex_scan, raw words and boxes the caller may keep (a cache
 * keyed by the file's content, the page and ex_ocr_model) and give back
 * later, so that no page is read twice (a page that could not be read is
 * handed over too, with its reason); and a caller can read the scanned
 * pages of one document on several readers at once (ex_ocr_page), then
 * assemble the document from them (ex_read_with, EX_OCR_GIVEN).
 *
 * Errors: int codes, 0 OK, negative EX_E*; ex_strerror names them. A call
 * that fails on a file also fills a caller's buffer with a one-line reason
 * that says what is wrong with the file ("encrypted (password-protected)",
 * "truncated: the file ends without %%EOF", "CPU time limit (60 s)
 * exceeded"); it never names the file, which the caller has.
 */
#ifndef DIARIUM_EX_H
#define DIARIUM_EX_H

#include <stddef.h>

enum {
    EX_OK = 0,
    EX_ENOMEM = -1,
    EX_EINVAL = -2,     /* a bad argument, or a type this build cannot read */
    EX_EIO = -3,        /* the worker cannot be started or talked to */
    EX_EENCRYPTED = -4, /* password-protected: cannot be read without it */
    EX_ECORRUPT = -5,   /* truncated, damaged, or not a file of its type */
    EX_ELIMIT = -6,     /* a limit was exceeded; the reason says which */
    EX_ECRASH = -7,     /* the worker died on this file */
    EX_ENOOCR = -8      /* OCR cannot run: Tesseract's model for the
                           language is not installed */
};

/* A static English description of an EX_* code ("unknown error" for any
 * other value). */
const char *ex_strerror(int rc);

typedef enum ex_type {
    EX_TYPE_NONE = 0,
    EX_TYPE_PDF = 1,
    EX_TYPE_DOCX = 2, /* Office Open XML word-processing (Word 2007 on) */
    EX_TYPE_ODT = 3,  /* OpenDocument text */
    EX_TYPE_IMAGE = 4 /* a scanned image: TIFF (every page of a multi-page
                         one), PNG or JPEG, told apart by their bytes */
} ex_type;

/* The type a file name says: .pdf, .docx, .odt, or .tif, .tiff, .png,
 * .jpg, .jpeg (EX_TYPE_IMAGE) at the end of its last component, ASCII
 * case-insensitive (bytes >= 0x80 are never folded); the extension alone
 * (".pdf") is not a document name. EX_TYPE_NONE for anything else, and
 * for NULL. */
ex_type ex_type_of_name(const char *name);

/* "PDF", "Word", "OpenDocument", "image"; "none" for EX_TYPE_NONE or any
 * other value. */
const char *ex_type_label(ex_type t);

/* Page flags. */
#define EX_PAGE_NO_TEXT 1u /* a scan that was not read by OCR (OCR off,
                              left to the caller by EX_OCR_GIVEN, or
                              failed: EX_PAGE_FAILED): no text layer but
                              images, or a handful of characters over a
                              page-sized image; text is the text layer's
                              (usually empty) */
#define EX_PAGE_BLANK 2u   /* nothing on the page: no text, no image */
#define EX_PAGE_RUNS_ON 4u /* its last paragraph goes on at the start of
                              the next page: join the two texts with a line
                              break, not a paragraph break */
#define EX_PAGE_OCR 8u     /* the text was read from the page's image by
                              OCR; ocr_confidence says how sure that was */
#define EX_PAGE_FAILED 16u /* the page could not be read (with
                              EX_PAGE_NO_TEXT): `why` says why */

typedef struct ex_page {
    unsigned number;    /* 1-based physical page number (PDF); 0 for the one
                           page of a page-less document (Word, ODF) */
    const char *label;  /* the page's label when the PDF has /PageLabels and
                           they differ from the physical numbers ("iv",
                           "A-3", "12" on page 14); NULL otherwise */
    const char *text;   /* cleaned UTF-8, NUL-terminated, never NULL */
    size_t len;         /* bytes of text, without the NUL */
    unsigned flags;     /* EX_PAGE_* */
    int ocr_confidence; /* 0-100 when EX_PAGE_OCR (the page's mean word
                           confidence), else -1 */
    const char *why;    /* EX_PAGE_FAILED: why the page could not be read
                           ("OCR time limit (60 s) exceeded"); else NULL */
} ex_page;

typedef struct ex_doc {
    ex_type type;
    int paged;          /* 1: pages are physical pages (PDF);
                           0: one page-less page (Word, OpenDocument) */
    size_t npages;      /* >= 1 */
    ex_page *pages;
    const char *running; /* the running headers and footers removed, each
                            distinct one once, in order, '\n'-separated; ""
                            when none (never NULL). Not part of any page's
                            text; a caller may read facts from them (a
                            diary number printed on every page). */
    size_t running_len;
} ex_doc;

/* Frees a document and everything it points to. Accepts NULL. */
void ex_doc_free(ex_doc *d);

/* Limits per file, enforced on the worker. */
typedef struct ex_limits {
    unsigned cpu_seconds;  /* CPU time (RLIMIT_CPU, whole seconds) */
    unsigned wall_seconds; /* wall-clock time, from the request sent to the
                              answer read (the caller's poll) */
    unsigned memory_mb;    /* the worker's address space (RLIMIT_AS); not
                              set in sanitizer builds, whose shadow memory
                              needs terabytes of address space */
    size_t max_text;       /* bytes of text a document may give */
    size_t max_input;      /* bytes of a file handed to the worker */
    unsigned ocr_seconds;  /* CPU time to read one page by OCR: past it
                              the page is named as failed; the worker's CPU
                              limit grows by this much, plus the render's
                              share, for each such page, and the wall clock
                              starts again at each (a long scan has its
                              time per page) */
    unsigned ocr_megapixels; /* the largest page image OCR reads: a page
                              rendered larger at 300 dpi is rendered at a
                              lower resolution (not below 150 dpi); an
                              image, or a page, larger still is named as
                              failed */
} ex_limits;

#define EX_DEFAULT_CPU_SECONDS 60u
#define EX_DEFAULT_WALL_SECONDS 120u
#define EX_DEFAULT_MEMORY_MB 1024u
#define EX_DEFAULT_MAX_TEXT ((size_t)64 << 20)
#define EX_DEFAULT_MAX_INPUT ((size_t)256 << 20)
#define EX_DEFAULT_OCR_SECONDS 60u
#define EX_DEFAULT_OCR_MEGAPIXELS 40u
/* Files a worker reads before it is replaced by a fresh one. */
#define EX_WORKER_FILES 500u

/* Fills *l with the defaults above. */
void ex_limits_default(ex_limits *l);

typedef struct ex_reader ex_reader;

/* Prepares a reader (the worker is started at the first ex_read). program
 * is the worker's path; NULL means "diarium-extract" in the folder of the
 * running program (/proc/self/exe), where the build and an installation
 * put it. lim NULL means the defaults. A reader is used by one thread at a
 * time; threads that read at once each open their own.
 * Returns EX_OK; EX_EIO when program is NULL and the running program's
 * folder cannot be found, or the worker is not an executable file (err,
 * errlen bytes, says why); EX_EINVAL for a zero limit; EX_ENOMEM. On
 * failure *out is NULL. */
int ex_reader_open(const char *program, const ex_limits *lim,
                   ex_reader **out, char *err, size_t errlen);

/* Reads one document of `type` from `len` bytes at `data` (the caller's;
 * only read). On success *out is the document (ex_doc_free), which may
 * hold pages flagged EX_PAGE_NO_TEXT; a PDF whose every page is such is
 * still a success (the caller decides what that means). On failure *out is
 * NULL and `why` (whylen bytes; may be NULL) holds a one-line reason.
 * Returns EX_OK; EX_EENCRYPTED; EX_ECORRUPT (truncated, damaged, not a
 * file of that type: a .docx that is no zip file, a PDF without %PDF);
 * EX_ELIMIT (CPU time, wall-clock time, memory, text size, input size:
 * the reason names the limit and its value); EX_ECRASH (the worker died
 * otherwise: the reason names the signal); EX_EIO (the worker cannot be
 * started or answered nonsense: the reason says so); EX_EINVAL (no such
 * type); EX_ENOMEM. Whatever the file does, the call returns within the
 * wall-clock limit (plus the time to reap a killed worker; the clock
 * starts again at each page read by OCR), and the reader stays usable: a
 * worker that died is replaced at the next call. Scanned pages are read
 * by OCR as ex_read_with with default options reads them. */
int ex_read(ex_reader *r, ex_type type, const void *data, size_t len,
            ex_doc **out, char *why, size_t whylen);

/* ------------------------------------------------------------------------
 * OCR: pages read one at a time, kept by the caller, given back
 */

/* One page read by OCR, as the worker gives it: the words Tesseract read
 * with their boxes (not yet cleaned: the layout cleanup runs over the
 * whole document, in ex_read_with), or why the page could not be read.
 * `bytes` is the whole page, serialised: a caller may store them and hand
 * them back later (ex_scan_decode), in the same build or a later one (a
 * format this build does not know is refused). */
typedef struct ex_scan {
    unsigned page;      /* 1-based page (a PDF's, or an image file's) */
    int confidence;     /* the mean word confidence, 0-100; -1 when the
                           page could not be read */
    const char *why;    /* NULL, or why the page could not be read */
    const void *bytes;  /* the serialised page */
    size_t len;
} ex_scan;

/* Checks and decodes a serialised page (len bytes at bytes, the caller's;
 * copied). Returns EX_OK with *out (ex_scan_free); EX_ECORRUPT when the
 * bytes are not a page this build can read (*out NULL); EX_ENOMEM. */
int ex_scan_decode(const void *bytes, size_t len, ex_scan **out);

/* A page that could not be read (page >= 1), for a caller that lost the
 * worker on it. Returns EX_OK, EX_EINVAL (page 0), EX_ENOMEM. */
int ex_scan_failed(unsigned page, const char *why, ex_scan **out);

/* Frees a page. Accepts NULL. */
void ex_scan_free(ex_scan *s);

typedef enum ex_ocr_mode {
    EX_OCR_ON = 0,    /* the worker reads the scanned pages not given */
    EX_OCR_GIVEN = 1, /* only pages given are read: the others stay
                         EX_PAGE_NO_TEXT (without EX_PAGE_FAILED), for the
                         caller to read with ex_ocr_page */
    EX_OCR_OFF = 2    /* no OCR: scanned pages stay EX_PAGE_NO_TEXT, given
                         pages are ignored */
} ex_ocr_mode;

/* How a document is read. Zeroed (or NULL) is ex_read's default: OCR on,
 * the Swedish model, nothing given. */
typedef struct ex_options {
    ex_ocr_mode ocr;
    const char *lang;  /* Tesseract model: "swe" when NULL; letters, '_'
                          and '+' (swe+eng), at most 63 bytes */
    const ex_scan *const *given; /* pages read before (ex_ocr_page, a
                          cache), in any order; ones of other pages, or
                          not scans, are ignored */
    size_t ngiven;
    /* Called in the calling thread for each page the worker reads by OCR
     * in this call, as soon as it is read (page counts, a cache): s is
     * valid during the call only. A page the worker died on comes as a
     * failed one (s->why). May be NULL. */
    void (*on_page)(void *arg, const ex_scan *s);
    void *arg;
} ex_options;

/* 1 when lang is a model name the readers accept: NULL (the default,
 * "swe"), or 1-63 bytes of ASCII letters, digits, '_' and '+' ("swe",
 * "swe+eng") not starting with '+'; else 0. */
int ex_ocr_lang_ok(const char *lang);

/* Reads a document like ex_read, with options (NULL: the defaults).
 * Pages are read by OCR one after another in the worker, each with its
 * own limits (ex_limits.ocr_seconds, ocr_megapixels); a page that fails
 * is flagged EX_PAGE_FAILED and the rest is read. When the worker dies
 * during a page (a crash, the CPU or memory limit, the wall clock), that
 * page is named as failed with the reason and the document is read again
 * in a fresh worker, from the pages already read on. Returns what ex_read
 * returns; EX_EINVAL also for a bad lang. */
int ex_read_with(ex_reader *r, ex_type type, const void *data, size_t len,
                 const ex_options *opt, ex_doc **out, char *why,
                 size_t whylen);
/* (A model that is not installed does not fail the document: its scanned
 * pages fail, each with the reason naming the Debian package.) */

/* Reads page `page` (1-based) of a PDF or image file by OCR, whether or
 * not it is a scan, with model lang (NULL: "swe"). The file's bytes are
 * sent to the worker once: a call for another page of the same bytes on
 * the same reader reuses them. On success *out is the page (ex_scan_free),
 * which may be a failed one (why set: the page's limits, an image that
 * cannot be decoded, the worker dying on it: the reader starts a new one
 * at the next call). Returns EX_OK; EX_EINVAL (no such page, a type
 * without pages, a bad lang); EX_ENOOCR (the model is not installed);
 * EX_ECORRUPT, EX_EENCRYPTED (the file cannot be opened); EX_ELIMIT (the
 * input size); EX_EIO; EX_ENOMEM. On failure *out is NULL and why holds
 * the reason. */
int ex_ocr_page(ex_reader *r, ex_type type, const void *data, size_t len,
                unsigned page, const char *lang, ex_scan **out, char *why,
                size_t whylen);

/* What the worker's OCR reads with, for a cache key: Tesseract's version,
 * the model file's name, size and content hash, and the render settings
 * ("tesseract 5.3.0; swe.traineddata 4167034 b1946ac92492d234; 300 dpi
 * grey; ocr 1"): the same string means the same words from the same page.
 * lang NULL: "swe". Returns EX_OK with *out (malloc'd, the caller frees);
 * EX_ENOOCR when the model is not installed (why says which package);
 * EX_EINVAL (a bad lang); EX_EIO; EX_ENOMEM. */
int ex_ocr_model(ex_reader *r, const char *lang, char **out, char *why,
                 size_t whylen);

/* The worker's process id, or -1 when none runs (tests use it). */
long ex_reader_pid(const ex_reader *r);

/* Stops the worker (closing its socket ends it; one that does not end at
 * once is killed) and frees the reader. Accepts NULL. */
void ex_reader_close(ex_reader *r);

#endif /* DIARIUM_EX_H */
