/*
 * ex_read.h — reading one document inside the worker (private to
 * extract/; never called in the caller's process).
 *
 * Where it sits: diarium-extract (ex_main.c) reads a request, calls
 * ex_read_doc, and sends the answer it wrote. ex_pdf.c reads PDFs with
 * poppler-glib and hands each page's glyphs to ex_layout; ex_office.c
 * reads Word and OpenDocument files with libzip and libxml2.
 */
#ifndef DIARIUM_EX_READ_H
#define DIARIUM_EX_READ_H

#include "ex.h"
#include "ex_wire.h"

#include <stddef.h>

/* Reads the document of `type` in data[0..len) and writes the whole
 * answer (success or failure, framed) into w. Returns the answer's code:
 * EX_OK, or what the document failed with (EX_EENCRYPTED, EX_ECORRUPT,
 * EX_ELIMIT for the text limit or when memory ran out, EX_EINVAL for a
 * type this build cannot read). */
int ex_read_doc(ex_type type, const void *data, size_t len,
                const ex_limits *lim, ex_wbuf *w);

/* The readers behind it. Each writes a successful answer into w (begin,
 * pages, end), or returns an error code with the reason in why (whylen
 * bytes), leaving w to ex_read_doc. */
int ex_pdf_read(const void *data, size_t len, const ex_limits *lim,
                ex_wbuf *w, char *why, size_t whylen);
int ex_office_read(ex_type type, const void *data, size_t len,
                   const ex_limits *lim, ex_wbuf *w, char *why,
                   size_t whylen);

#endif /* DIARIUM_EX_READ_H */
