/*
 * ex_scan.h — a page read by OCR, serialised (private to extract/; the
 * public face is ex_scan in ex.h).
 *
 * Where it sits: the worker's OCR (ex_tess.c) writes a page's words and
 * boxes with ex_scan_build; the bytes travel to the caller (ex_wire.h),
 * which may keep them (a cache) and send them back with a later request;
 * the worker then turns them into glyphs for the layout cleanup
 * (ex_scan_glyphs), after the fixes of ex_ocr_fix. Pure C, no Tesseract:
 * the caller's side links it, and the tests run it on pages they make up.
 *
 * Layout (all integers big-endian; boxes in pixels of the page image, x to
 * the right and y downwards from its top left corner):
 *   "EXS1", u32 page, i32 confidence (-1: failed), u32 dpi,
 *   u32 width, u32 height (pixels),
 *   u32 k, k bytes: why the page failed (UTF-8, no NUL; 0 when it did not),
 *   u32 lines, then per line:
 *     i32 baseline x0, y0, x1, y1 (two points on the line's baseline),
 *     u32 words, then per word:
 *       i32 x0, y0, x1, y1 (its box), u32 confidence (0-100),
 *       u32 n, n bytes of text (UTF-8, no NUL, no space).
 * Lines in Tesseract's reading order, words left to right. A failed page
 * has no lines. Decoding checks every count against the bytes left.
 */
#ifndef DIARIUM_EX_SCAN_H
#define DIARIUM_EX_SCAN_H

#include "ex.h"
#include "ex_layout.h"

#include <stddef.h>
#include <stdint.h>

#define EX_SCAN_MAGIC "EXS1"
#define EX_SCAN_MAX_DPI 2400u
#define EX_SCAN_MAX_SIDE 200000u  /* pixels */
#define EX_SCAN_WHY_MAX 512u

/* A page being written (worker side). Functions do nothing once `oom`
 * is set. */
typedef struct ex_scan_build {
    char *p;
    size_t n, cap;
    int oom;
    size_t line_at;   /* offset of the open line's word count */
    uint32_t words;   /* words of the open line */
    uint32_t lines;
    double conf_sum;  /* over every word */
    uint32_t conf_n;
} ex_scan_build;

/* Starts a page of width x height pixels at dpi. */
void ex_scan_begin(ex_scan_build *b, unsigned page, unsigned dpi,
                   unsigned width, unsigned height);

/* Opens the next line, with two points of its baseline. */
void ex_scan_line(ex_scan_build *b, int bx0, int by0, int bx1, int by1);

/* Adds a word (len bytes of UTF-8, without NUL or space: the caller
 * splits) to the open line. conf 0-100. */
void ex_scan_word(ex_scan_build *b, int x0, int y0, int x1, int y1,
                  int conf, const char *text, size_t len);

/* Ends the page: its confidence (the mean of its words', 0 when it has
 * none) goes into the header. *out is the page (ex_scan_free). Returns
 * EX_OK or EX_ENOMEM; frees the builder's buffer either way. */
int ex_scan_end(ex_scan_build *b, ex_scan **out);

/* The glyphs of a page for ex_layout_add_page: its words after
 * ex_ocr_fix, each line flattened onto its baseline (a slightly rotated
 * scan gives level rows) with one height per line (baseline to the top of
 * its tallest letters, plus descenders), characters sharing their word's
 * width, a space between words, '\n' after each line; in points. *g is
 * malloc'd (the caller frees; NULL when n is 0). *width and *height are
 * the page's size in points. Returns EX_OK, EX_ENOMEM, or EX_ECORRUPT for
 * a page that fails to decode (never one from ex_scan_decode). */
int ex_scan_glyphs(const ex_scan *s, ex_glyph **g, size_t *n, double *width,
                   double *height);

/* ------------------------------------------------------------------------
 * What the Swedish model predictably gets wrong in decisions
 */

/* One word of a page's text, in reading order, for ex_ocr_fix: the text
 * is the fixer's to replace (s, len point into memory the caller keeps
 * until it is done; a replacement points to static text). */
typedef struct ex_ocr_word {
    const char *s;
    size_t len;
} ex_ocr_word;

/* Fixes the words w[0..n) in place. The paragraph sign, which the model
 * reads as '8', '$' or '3' (and "§§" as "88", "$$"):
 *  - a word of '$' only (with a following . , ; : or )) is one of '§':
 *    no decision has a dollar sign standing alone;
 *  - a word '8', 'S', '$' (or "88", "SS", "$$", "8$", "$8" for "§§")
 *    after a paragraph number (one to three digits, "19", or a range
 *    "3-8", "19-20", or a number and a letter "5 a") is '§' when "kap."
 *    comes just before the number ("26 kap. 19 8") or a word in small
 *    letters, or punctuation, comes right after it ("19 8 skollagen",
 *    "2 8."); '3' only in the first case.
 * Returns the number of words changed. */
size_t ex_ocr_fix(ex_ocr_word *w, size_t n);

#endif /* DIARIUM_EX_SCAN_H */
