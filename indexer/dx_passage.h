/*
 * dx_passage.h — splitting a cleaned document into passages.
 *
 * Where it sits: indexer/, after stemmer/ has cleaned the text and before
 * analysis; every passage becomes one Xapian document.
 *
 * A passage is roughly a paragraph (paragraphs are separated by blank
 * lines): a heading (a single short line) joins the text under it, short
 * paragraphs are merged up to DX_PASSAGE_TARGET bytes, and a paragraph longer
 * than DX_PASSAGE_MAX is cut into windows of about DX_PASSAGE_WINDOW bytes
 * that overlap by about DX_PASSAGE_OVERLAP, ending at a sentence end or
 * white space and never inside a UTF-8 sequence.
 */
#ifndef DIARIUM_DX_PASSAGE_H
#define DIARIUM_DX_PASSAGE_H

#include "dx_error.h"

#include <stddef.h>

#define DX_PASSAGE_MIN 200      /* shorter paragraphs merge with the next */
#define DX_PASSAGE_TARGET 1200  /* merging stops here */
#define DX_PASSAGE_MAX 2000     /* longer paragraphs are cut into windows */
#define DX_PASSAGE_WINDOW 1200
#define DX_PASSAGE_OVERLAP 200

typedef struct dx_span {
    size_t start, end; /* byte span in the text, trimmed of white space */
} dx_span;

/* Splits `len` bytes of cleaned UTF-8 text into passages, in order. *out is
 * a malloc'd array (free()) of *n spans; a text with no visible characters
 * gives *n = 0 and *out = NULL. Returns DX_OK or DX_ENOMEM. */
int dx_passages(const char *text, size_t len, dx_span **out, size_t *n);

#endif /* DIARIUM_DX_PASSAGE_H */
