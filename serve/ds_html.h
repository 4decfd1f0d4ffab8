/*
 * ds_html.h — escaping for the search page: HTML text and attributes, URL
 * query components, highlighted passages, and a UTF-8 check.
 *
 * Where it sits: serve/, under ds_page.c. Every string that comes from a
 * document or a request reaches the page through one of these functions;
 * nothing else writes such a string.
 */
#ifndef DIARIUM_DS_HTML_H
#define DIARIUM_DS_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "dq_search.h"

/* Writes s (len bytes) as HTML text or attribute value: & < > " ' are
 * written as character references, C0 controls other than tab and line
 * ends are dropped. */
void ds_html(FILE *f, const char *s, size_t len);

/* ds_html of a NUL-terminated string (NULL writes nothing). */
void ds_html_str(FILE *f, const char *s);

/* Writes s (len bytes) percent-encoded for a URL query component: every
 * byte other than A-Z a-z 0-9 - . _ ~ as %XX. The result is safe in an
 * HTML attribute as it is. */
void ds_url(FILE *f, const char *s, size_t len);

/* Writes text (len bytes) as HTML with the byte ranges hl[0, nhl) in
 * <mark> (ranges sorted, not overlapping; a range that ends past len is
 * cut there). */
void ds_html_marked(FILE *f, const char *text, size_t len,
                    const dq_highlight *hl, size_t nhl);

/* The byte offset of the first byte of s (len bytes) that does not start a
 * well-formed UTF-8 sequence (overlong forms and surrogates included), or
 * len when s is valid UTF-8. A NUL byte counts as invalid. */
size_t ds_utf8_check(const char *s, size_t len);

/* The number of characters (code points) in the first `off` bytes of the
 * valid UTF-8 string s. */
size_t ds_utf8_column(const char *s, size_t off);

#endif /* DIARIUM_DS_HTML_H */
