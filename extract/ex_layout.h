/*
 * ex_layout.h — layout cleanup: a PDF's glyphs to clean page texts, the
 * same for every PDF. Pure C (utf8proc for NFC and letter cases); knows
 * nothing of poppler, so it is tested on glyphs made up by the tests.
 *
 * Where it sits: inside the worker (diarium-extract), after the PDF
 * library has given each page's text layer as glyphs with their boxes,
 * and before the text goes back to the caller (ex.h).
 *
 * What it does, page by page and then over the document:
 *  1. Words: the glyphs of each line the PDF library made, split at spaces
 *     and at gaps wider than a fifth of the glyph height (a space the
 *     library left out: "DATUM:2014-02-12", axis labels glued as "44").
 *     Ligatures and compatibility characters are normalised here (U+FB00-
 *     FB06 to their letters, soft hyphens dropped, special spaces to
 *     spaces, zero-width characters and controls removed). A line whose
 *     glyphs run downwards or upwards (rotated text) is kept whole.
 *  2. Rows: words whose boxes overlap vertically by half the smaller
 *     height, top to bottom.
 *  3. Columns: a run of at least three rows that leaves the same vertical
 *     strip free (a gutter at least 0.6 times the text height wide), with
 *     words on both sides of it in at least two rows each, each side at
 *     least six times the text height wide, and the strip clearly wider
 *     than the other gaps of the rows that have words on both sides (so
 *     that a river of spaces in justified text is not a gutter). Its left
 *     side is read before its right side, each side again by this rule
 *     (three columns). Everything else is read row by row, top to bottom.
 *  4. Running headers and footers: among the three top and three bottom
 *     lines of each page, a segment of a line (a part set off by a gap
 *     wider than 0.7 times the text height, or one the PDF library gave
 *     as a line of its own) whose text, digits aside ("Sida 2 (3)"
 *     is "Sida # (#)"), stands at the same height (within 2 % of the page
 *     height) on at least two pages and at least 40 % of them is removed
 *     from every page it is on (40 %, not a half: odd and even pages may
 *     carry different ones). Not on a one-page document, and never a
 *     segment that starts with § (a protocol's "§ 45" heading on each
 *     page is content).
 *  5. Paragraphs: a new one starts at a column change, a step upwards, a
 *     line gap clearly larger than the page's usual line pitch (scaled
 *     to the text height), a change of text height, a bullet, an
 *     indented line (not a hanging indent), or after a line that ended by
 *     choice (short of four fifths of the column's width, with room left
 *     for the next line's first word). Lines of a paragraph are joined with one space, except
 *     at a line-end hyphen, decided by Swedish rules: a word split at the
 *     line end is joined (åt- gärder: åtgärder); the hyphen is kept, with
 *     no space, before a capital or a digit and after one (EU-regler,
 *     Dnr 400-2022:5678, 2022-2023) and after a one-letter part (e-post);
 *     it is kept with a space before och, eller, samt, respektive, resp.
 *     and till (barn- och utbildningsnämnden: a suspended compound). A
 *     soft hyphen at a line end always joins; an en or em dash is kept.
 *     The same rule joins a word split across a page break (it goes to
 *     the page it starts on).
 * Page text: paragraphs separated by one blank line, NFC.
 */
#ifndef DIARIUM_EX_LAYOUT_H
#define DIARIUM_EX_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* One glyph of a page's text layer: its code point and box, in points,
 * x to the right and y downwards from the page's top left corner. A glyph
 * with cp '\n' ends a line of the PDF library's own (its box is ignored). */
typedef struct ex_glyph {
    uint32_t cp;
    float x0, y0, x1, y1;
} ex_glyph;

typedef struct ex_layout ex_layout;

/* Creates an empty layout. Returns 0 or EX_ENOMEM (*out NULL). */
int ex_layout_new(ex_layout **out);

/* Adds the next page (the first call adds page 1): its size and its n
 * glyphs (g may be NULL when n is 0: a page without text) in the PDF
 * library's order. Words, rows, columns and lines are worked out here;
 * the glyphs are not kept. Returns 0, EX_ENOMEM or EX_EINVAL (a size that
 * is not a positive finite number). */
int ex_layout_add_page(ex_layout *lo, double width, double height,
                       const ex_glyph *g, size_t n);

/* Removes running headers and footers, builds paragraphs and each page's
 * text. Call once, after the last page. Returns 0 or EX_ENOMEM. */
int ex_layout_finish(ex_layout *lo);

/* After ex_layout_finish: the number of pages, a page's text (NUL-
 * terminated, owned by the layout, valid until ex_layout_free; *len may be
 * NULL), whether its last paragraph runs on to the next page (1 or 0), and
 * the running lines removed (each distinct one once, '\n'-separated). */
size_t ex_layout_npages(const ex_layout *lo);
const char *ex_layout_text(const ex_layout *lo, size_t page, size_t *len);
int ex_layout_runs_on(const ex_layout *lo, size_t page);
const char *ex_layout_running(const ex_layout *lo, size_t *len);

/* Number of glyphs of the page that were text (not spaces, not removed
 * characters), before running lines were taken out: 0 means the page has
 * no text layer. */
size_t ex_layout_glyphs(const ex_layout *lo, size_t page);

void ex_layout_free(ex_layout *lo);

/* Normalises one code point of extracted text into out (room for 3),
 * returning how many code points it becomes: ligatures U+FB00-FB06 to
 * their letters; U+2010, U+2011 (hyphens) to '-'; the Symbol font's
 * bullet (U+F0B7, private use) to U+2022; no-break and other
 * special spaces to ' '; 0 for what is dropped: soft hyphen (U+00AD),
 * zero-width characters, the byte-order mark, C0/C1 controls other than
 * '\t' and '\n' (which become ' ' and '\n'); anything else is itself.
 * Word and OpenDocument text go through it too. */
size_t ex_norm_cp(uint32_t cp, uint32_t out[3]);

/* NFC of s[0..n) (valid UTF-8) into a malloc'd NUL-terminated string
 * (*out, *outlen). Returns EX_OK or EX_ENOMEM. */
int ex_nfc(const char *s, size_t n, char **out, size_t *outlen);

/* Line-end hyphen rule of step 5 on the last word of a line (`left`,
 * ending in '-', U+2010 or U+00AD) and the first word of the next line
 * (`right`), both UTF-8 without spaces. Returns EX_HYPHEN_JOIN (drop the
 * hyphen, no space: åtgärder), EX_HYPHEN_KEEP (keep it, no space:
 * EU-regler) or EX_HYPHEN_SPACE (keep it, then a space: barn- och). */
enum { EX_HYPHEN_JOIN = 0, EX_HYPHEN_KEEP = 1, EX_HYPHEN_SPACE = 2 };
int ex_hyphen_rule(const char *left, size_t llen, const char *right,
                   size_t rlen);

#endif /* DIARIUM_EX_LAYOUT_H */
