/*
 * sv_text.c — bytes to clean NFC UTF-8 (see sv_text.h).
 *
 * Three passes: validate (or transcode Windows-1252, or repair UTF-8 with a
 * few invalid sequences), NFC and line-end
 * normalisation through utf8proc, then a pass of our own that drops or
 * replaces the invisible characters PDF extraction leaves behind.
 */
#include "sv_text.h"
#include "sv.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Windows-1252 bytes 0x80..0x9F; 0 marks the five undefined ones. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

int sv_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        size_t n;
        unsigned cp, min;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (len - i <= n) return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Windows-1252 to UTF-8: at most 3 output bytes per input byte. */
static char *from_cp1252(const char *in, size_t len, size_t *outlen)
{
    if (len > (SIZE_MAX - 1) / 3) return NULL;
    char *out = malloc(len * 3 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned char)in[i];
        int cp = (int)c;
        if (c >= 0x80 && c < 0xA0)
            cp = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
        o += sv_utf8_put(cp, out + o);
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* The length of the UTF-8 sequence at u[i] (i < len) when it is valid
 * (overlongs, surrogates and code points above U+10FFFF are not), else 0
 * with *bad the length of its maximal invalid subpart: the lead byte and
 * the continuation bytes that still fitted (at least 1), as Unicode's
 * "substitution of maximal subparts" counts them. */
static size_t utf8_seq(const unsigned char *u, size_t len, size_t i,
                       size_t *bad)
{
    unsigned c = u[i];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
    *bad = 1;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) { n = 3; lo = 0xA0; }
    else if (c == 0xED) { n = 3; hi = 0x9F; }
    else if (c >= 0xE1 && c <= 0xEF) n = 3;
    else if (c == 0xF0) { n = 4; lo = 0x90; }
    else if (c == 0xF4) { n = 4; hi = 0x8F; }
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else return 0; /* a continuation byte, C0, C1 or F5..FF */
    for (size_t k = 1; k < n; k++) {
        if (i + k >= len) return 0; /* cut short by the end */
        unsigned cc = u[i + k];
        if (k == 1 ? cc < lo || cc > hi : (cc & 0xC0) != 0x80) return 0;
        *bad = k + 1;
    }
    return n;
}

/* Reads text that is mostly UTF-8 but not all of it: valid sequences are
 * kept; an invalid one that is a character cut short (a lead byte with
 * some of its continuation bytes, or cut by the end of the input) becomes
 * U+FFFD; any other stray byte is read as Windows-1252 (a Latin-1 letter
 * or a Windows quote pasted into UTF-8 text). Counts what it did in rep. */
static char *repair_utf8(const char *in, size_t len, size_t *outlen,
                         sv_text_repair *rep)
{
    const unsigned char *u = (const unsigned char *)in;
    if (len > (SIZE_MAX - 1) / 3) return NULL;
    char *out = malloc(len * 3 + 1);
    if (!out) return NULL;
    size_t o = 0, line = 1;
    for (size_t i = 0; i < len;) {
        size_t bad, n = utf8_seq(u, len, i, &bad);
        if (n) {
            memcpy(out + o, in + i, n);
            o += n;
            if (u[i] == '\n') line++;
            i += n;
            continue;
        }
        if (!rep->first_line) {
            rep->first_line = line;
            rep->first_byte = i;
        }
        unsigned c = u[i];
        if (bad > 1 || (c >= 0xC2 && c <= 0xF4 && i + bad == len)) {
            o += sv_utf8_put(0xFFFD, out + o);
            rep->replaced++;
            i += bad;
        } else {
            int cp = (int)c;
            if (c < 0xA0)
                cp = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
            o += sv_utf8_put(cp, out + o);
            rep->cp1252++;
            i++;
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* Whether invalid text is read as Windows-1252 throughout (1) or as UTF-8
 * with its invalid sequences repaired (0): Windows-1252 when its invalid
 * sequences outnumber the valid multi-byte ones. Swedish text in Latin-1
 * has an invalid byte for nearly every å, ä and ö and hardly ever two
 * bytes that happen to form valid UTF-8; UTF-8 text with a stray byte or a
 * character cut short has many valid ones and a few invalid. */
static int mostly_cp1252(const char *in, size_t len)
{
    const unsigned char *u = (const unsigned char *)in;
    size_t good = 0, bad = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t b, n = utf8_seq(u, len, i, &b);
        if (n) good++;
        else bad++;
        i += n ? n : b;
    }
    return bad > good;
}

/* What the final pass does with one code point: keep it, drop it, or
 * replace it with a string. */
static const char *replacement(int cp, int *drop)
{
    *drop = 0;
    switch (cp) {
    case '\t': case 0x00A0: case 0x2007: case 0x202F: return " ";
    case '\f': return "\n\n";
    case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0xFEFF:
    case 0x2060:
        *drop = 1;
        return NULL;
    default: break;
    }
    if ((cp < 0x20 && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        *drop = 1;
    return NULL;
}

/* 1 for the punctuation that PDF text is full of and that NFC leaves as
 * it is (no canonical decomposition, combining class 0, never composed
 * with what stands before it): U+200B-U+2027 (dashes, quotes, bullets),
 * U+202F-U+205E and U+2212 (minus). s[i] is the lead byte of a valid
 * sequence. (A quarter of the g0vse documents hold one, mostly the en
 * dash, and went through utf8proc for it alone.) */
static int nfc_inert(const unsigned char *s, size_t len, size_t i)
{
    if (s[i] != 0xE2 || i + 2 >= len) return 0;
    unsigned cp = (unsigned)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
    cp |= 0x2000;
    return (cp >= 0x200B && cp <= 0x2027) || (cp >= 0x202F && cp <= 0x205E) ||
           cp == 0x2212;
}

/* 0 when utf8proc cannot change the text: no code point at or above
 * U+0300 (every lead byte of one is >= 0xCC) but those nfc_inert
 * accepts, so nothing for NFC to compose, and no CR or NEL (U+0085) for
 * line-end normalisation. */
static int needs_utf8proc(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        if (c >= 0xCC) {
            if (!nfc_inert(u, len, i)) return 1;
            i += 2;
        } else if (c == '\r' ||
                   (c == 0xC2 && i + 1 < len && u[i + 1] == 0x85)) {
            return 1;
        }
    }
    return 0;
}

int sv_text_clean(const char *in, size_t len, char **out, size_t *outlen,
                  unsigned *flags)
{
    return sv_text_clean_report(in, len, out, outlen, flags, NULL);
}

int sv_text_clean_report(const char *in, size_t len, char **out,
                         size_t *outlen, unsigned *flags,
                         sv_text_repair *repair)
{
    unsigned fl = 0;
    char *tmp = NULL;
    const char *src = in;
    size_t srclen = len;
    sv_text_repair rep = {0, 0, 0, 0};

    *out = NULL;
    *outlen = 0;
    if (repair) *repair = rep;
    if (!sv_utf8_valid(in, len)) {
        if (mostly_cp1252(in, len)) {
            tmp = from_cp1252(in, len, &srclen);
            fl |= SV_TEXT_TRANSCODED | SV_TEXT_CHANGED;
        } else {
            tmp = repair_utf8(in, len, &srclen, &rep);
            fl |= SV_TEXT_REPAIRED | SV_TEXT_CHANGED;
        }
        if (!tmp) return SV_ENOMEM;
        src = tmp;
    }
    if (srclen >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
        src += 3;
        srclen -= 3;
        fl |= SV_TEXT_CHANGED;
    }

    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n = 0;
    if (srclen > 0 && !needs_utf8proc(src, srclen)) {
        /* Already NFC with LF line ends: skip the copy through utf8proc. */
        nfc = malloc(srclen);
        if (!nfc) {
            free(tmp);
            return SV_ENOMEM;
        }
        memcpy(nfc, src, srclen);
        n = (utf8proc_ssize_t)srclen;
    } else if (srclen > 0) {
        n = utf8proc_map((const utf8proc_uint8_t *)src, (utf8proc_ssize_t)srclen,
                         &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                         UTF8PROC_NLF2LF);
        if (n < 0) {
            free(tmp);
            /* Input was validated, so only allocation can fail here. */
            return SV_ENOMEM;
        }
    }
    free(tmp);

    /* Final pass: grows the text by at most 1 byte per form feed. */
    size_t cap = (size_t)n * 2 + 1;
    char *res = malloc(cap);
    if (!res) { free(nfc); return SV_ENOMEM; }
    size_t o = 0, i = 0;
    while (i < (size_t)n) {
        size_t at = i;
        int cp = sv_utf8_next((const char *)nfc, (size_t)n, &i);
        int drop;
        const char *rep = replacement(cp, &drop);
        if (drop) continue;
        if (rep) {
            size_t rl = strlen(rep);
            memcpy(res + o, rep, rl);
            o += rl;
        } else {
            memcpy(res + o, nfc + at, i - at);
            o += i - at;
        }
    }
    res[o] = '\0';
    if (o != len || memcmp(res, in, o) != 0) fl |= SV_TEXT_CHANGED;
    free(nfc);
    *out = res;
    *outlen = o;
    if (flags) *flags = fl;
    if (repair) *repair = rep;
    return SV_OK;
}
