/*
 * dx_doctext.h — the text of a document read through extract/ (a PDF, Word
 * or OpenDocument file: ex.h) as the writer indexes it, and the page each
 * byte of it is on.
 *
 * Where it sits: indexer/, between extract/'s pages and the passage split
 * (dx_writer.c). Each page's text is cleaned like any document's
 * (sv_text_clean), then the pages are put one after the other: a blank
 * line between two pages, or a line break when the first one's last
 * paragraph runs on (EX_PAGE_RUNS_ON), so that the passage split sees the
 * document's paragraphs and not its page breaks. A page without text adds
 * nothing. dx_doctext_span then says which pages a passage of that text
 * starts and ends on (dx_format.h, the stored data).
 */
#ifndef DIARIUM_DX_DOCTEXT_H
#define DIARIUM_DX_DOCTEXT_H

#include "ex.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dx_docpage {
    size_t start;       /* where its text starts in the document text */
    size_t len;         /* bytes of its text there (0: none) */
    unsigned number;    /* its physical number (1-based) */
    const char *label;  /* its label, or NULL (owned by the dx_doctext) */
    int ocr;            /* -1, or its OCR confidence 0-100 */
} dx_docpage;

typedef struct dx_doctext {
    char *text;         /* NUL-terminated */
    size_t len;
    int paged;          /* 0: no pages (Word, OpenDocument): npages is 0 */
    dx_docpage *pages;  /* a paged document's pages, in order */
    size_t npages;
    char *running;      /* the running headers and footers, cleaned */
    size_t running_len;
    unsigned *notext;   /* numbers of the pages without a text layer */
    size_t nnotext;
    char *arena;        /* the labels */
} dx_doctext;

/* Builds the text of document d into *out (freed with dx_doctext_free,
 * also after a failure). Returns 0, or -1 when out of memory. */
int dx_doctext_build(const ex_doc *d, dx_doctext *out);

/* The pages of the passage at bytes [start, end) of t's text (end >
 * start): *page and *page_end the physical numbers of the pages its first
 * and last byte are on (0 and 0 for a document without pages), *label
 * the start page's label (NULL when none), *ocr the lowest OCR confidence
 * of its pages (-1 when none was read by OCR). */
void dx_doctext_span(const dx_doctext *t, size_t start, size_t end,
                     uint32_t *page, uint32_t *page_end, const char **label,
                     int *ocr);

/* Writes "2", "2 and 5", "2-4 and 7" (the pages without a text layer)
 * into out (outlen bytes, cut with "…" when it does not fit). */
void dx_doctext_notext(const dx_doctext *t, char *out, size_t outlen);

void dx_doctext_free(dx_doctext *t);

#endif /* DIARIUM_DX_DOCTEXT_H */
