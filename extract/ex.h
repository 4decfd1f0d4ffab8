/*
 * ex.h — documents to pages of text: the public interface of extract/.
 *
 * Where it sits: between reading a file's bytes and cleaning them into
 * passages. indexer/ hands a PDF, Word (.docx) or OpenDocument (.odt)
 * file's bytes to a reader and gets back its pages of cleaned text; the
 * module knows nothing of Xapian, passages or queries, and uses nothing of
 * ours.
 *
 * Untrusted files are never parsed in the caller's process. An ex_reader
 * is a small worker program, diarium-extract, started with posix_spawn
 * (never a bare fork of a possibly multithreaded caller) and talked to
 * over a socket: it sets its own limits on CPU time and address space,
 * parses one file at a time with poppler (PDF) or libzip + libxml2 (Word,
 * OpenDocument), and writes back a compact serialised document (ex_wire.h).
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
    EX_ECRASH = -7      /* the worker died on this file */
};

/* A static English description of an EX_* code ("unknown error" for any
 * other value). */
const char *ex_strerror(int rc);

typedef enum ex_type {
    EX_TYPE_NONE = 0,
    EX_TYPE_PDF = 1,
    EX_TYPE_DOCX = 2, /* Office Open XML word-processing (Word 2007 on) */
    EX_TYPE_ODT = 3   /* OpenDocument text */
} ex_type;

/* The type a file name says: .pdf, .docx or .odt at the end of its last
 * component, ASCII case-insensitive (bytes >= 0x80 are never folded); the
 * extension alone (".pdf") is not a document name. EX_TYPE_NONE for
 * anything else, and for NULL. */
ex_type ex_type_of_name(const char *name);

/* "PDF", "Word", "OpenDocument"; "none" for EX_TYPE_NONE or any other
 * value. */
const char *ex_type_label(ex_type t);

/* Page flags. */
#define EX_PAGE_NO_TEXT 1u /* the page has no text layer but shows images
                              (a scan): text is empty. Reading it is OCR's
                              work (EX_PAGE_OCR). */
#define EX_PAGE_BLANK 2u   /* nothing on the page: no text, no image */
#define EX_PAGE_RUNS_ON 4u /* its last paragraph goes on at the start of
                              the next page: join the two texts with a line
                              break, not a paragraph break */
#define EX_PAGE_OCR 8u     /* the text was read from the page's image by
                              OCR; ocr_confidence says how sure that was.
                              (Not set by this build: no OCR yet.) */

typedef struct ex_page {
    unsigned number;    /* 1-based physical page number (PDF); 0 for the one
                           page of a page-less document (Word, ODF) */
    const char *label;  /* the page's label when the PDF has /PageLabels and
                           they differ from the physical numbers ("iv",
                           "A-3", "12" on page 14); NULL otherwise */
    const char *text;   /* cleaned UTF-8, NUL-terminated, never NULL */
    size_t len;         /* bytes of text, without the NUL */
    unsigned flags;     /* EX_PAGE_* */
    int ocr_confidence; /* 0-100 when EX_PAGE_OCR, else -1 */
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
} ex_limits;

#define EX_DEFAULT_CPU_SECONDS 60u
#define EX_DEFAULT_WALL_SECONDS 120u
#define EX_DEFAULT_MEMORY_MB 1024u
#define EX_DEFAULT_MAX_TEXT ((size_t)64 << 20)
#define EX_DEFAULT_MAX_INPUT ((size_t)256 << 20)
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
 * wall-clock limit (plus the time to reap a killed worker), and the
 * reader stays usable: a worker that died is replaced at the next call. */
int ex_read(ex_reader *r, ex_type type, const void *data, size_t len,
            ex_doc **out, char *why, size_t whylen);

/* The worker's process id, or -1 when none runs (tests use it). */
long ex_reader_pid(const ex_reader *r);

/* Stops the worker (closing its socket ends it; one that does not end at
 * once is killed) and frees the reader. Accepts NULL. */
void ex_reader_close(ex_reader *r);

#endif /* DIARIUM_EX_H */
