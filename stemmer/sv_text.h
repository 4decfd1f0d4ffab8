/*
 * sv_text.h — bytes to clean UTF-8: the first step of analysis.
 *
 * Text extracted from PDFs arrives as UTF-8, as Windows-1252 / Latin-1, with
 * decomposed letters (a + combining ring), CRLF line ends, form feeds, soft
 * hyphens and non-breaking spaces. sv_text_clean() turns any of that into
 * valid NFC UTF-8 with LF line ends, which is what the tokenizer and the
 * stored passage text use.
 */
#ifndef DIARIUM_SV_TEXT_H
#define DIARIUM_SV_TEXT_H

#include <stddef.h>

/* Flags reported by sv_text_clean(). */
#define SV_TEXT_TRANSCODED 1u /* input was not UTF-8: read as Windows-1252 */
#define SV_TEXT_CHANGED    2u /* output differs from the input bytes */
#define SV_TEXT_REPAIRED   4u /* input was UTF-8 with invalid sequences:
                                 only those were replaced (sv_text_repair) */

/* What sv_text_clean_report() replaced in UTF-8 text that was not all
 * valid (all zero for valid UTF-8, and for text read as Windows-1252). */
typedef struct sv_text_repair {
    size_t replaced;   /* characters cut short, each become U+FFFD */
    size_t cp1252;     /* stray bytes, each read as Windows-1252 */
    size_t first_line; /* 1-based line (LF-counted) of the first one */
    size_t first_byte; /* its 0-based byte offset in the input */
} sv_text_repair;

/* 1 if `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int sv_utf8_valid(const char *s, size_t len);

/* Cleans `len` bytes of text:
 *  - valid UTF-8 is taken as it is. Text that is not is decoded as
 *    Windows-1252 (which covers Latin-1; undefined bytes becoming U+FFFD)
 *    when its invalid sequences outnumber its valid multi-byte ones
 *    (SV_TEXT_TRANSCODED); else it is UTF-8 with a few bad bytes
 *    (SV_TEXT_REPAIRED): only the invalid sequences are replaced, a
 *    character cut short (a lead byte missing continuation bytes, also at
 *    the end of the input) by U+FFFD, any other stray byte by its
 *    Windows-1252 character;
 *  - a leading byte-order mark is dropped;
 *  - Unicode NFC;
 *  - CRLF, CR and NEL become LF; a form feed (page break) becomes a blank
 *    line; a tab and a no-break space become a space; soft hyphens,
 *    zero-width spaces and other control characters are removed.
 * On success *out is a malloc'd NUL-terminated string (free()), *outlen its
 * length, and *flags (may be NULL) SV_TEXT_* bits.
 * Returns SV_OK or SV_ENOMEM (then *out is NULL). */
int sv_text_clean(const char *in, size_t len, char **out, size_t *outlen,
                  unsigned *flags);

/* sv_text_clean(), also saying in *repair (may be NULL) what it replaced
 * in text that is mostly but not all valid UTF-8 (for a message naming
 * the place). Returns SV_OK or SV_ENOMEM. */
int sv_text_clean_report(const char *in, size_t len, char **out,
                         size_t *outlen, unsigned *flags,
                         sv_text_repair *repair);

/* Decodes the code point at s[*i] (s valid UTF-8, *i < len) and advances *i.
 * Malformed input yields U+FFFD and advances one byte. */
static inline int sv_utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[*i];
    size_t n;
    int cp;
    if (c < 0x80) { (*i)++; return (int)c; }
    if (c >= 0xF0) { n = 3; cp = (int)(c & 0x07); }
    else if (c >= 0xE0) { n = 2; cp = (int)(c & 0x0F); }
    else if (c >= 0xC0) { n = 1; cp = (int)(c & 0x1F); }
    else { (*i)++; return 0xFFFD; }
    if (*i + n >= len) { (*i)++; return 0xFFFD; }
    for (size_t k = 1; k <= n; k++) {
        unsigned cc = u[*i + k];
        if ((cc & 0xC0) != 0x80) { (*i)++; return 0xFFFD; }
        cp = (cp << 6) | (int)(cc & 0x3F);
    }
    *i += n + 1;
    return cp;
}

/* Encodes code point cp as UTF-8 into buf (room for 4 bytes); returns the
 * number of bytes written (1..4). */
static inline size_t sv_utf8_put(int cp, char *buf)
{
    unsigned c = (unsigned)cp;
    if (c < 0x80) { buf[0] = (char)c; return 1; }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (c >> 18));
    buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

#endif /* DIARIUM_SV_TEXT_H */
