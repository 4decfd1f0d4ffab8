/*
 * ds_html.c — escaping for the search page (see ds_html.h).
 */
#include "ds_html.h"

#include <string.h>

void ds_html(FILE *f, const char *s, size_t len)
{
    size_t run = 0; /* start of the bytes not written yet */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') continue;
            rep = ""; /* other controls: dropped */
        }
        fwrite(s + run, 1, i - run, f);
        fputs(rep, f);
        run = i + 1;
    }
    fwrite(s + run, 1, len - run, f);
}

void ds_html_str(FILE *f, const char *s)
{
    if (s) ds_html(f, s, strlen(s));
}

void ds_url(FILE *f, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            fputc(c, f);
        } else {
            fputc('%', f);
            fputc(hex[c >> 4], f);
            fputc(hex[c & 15], f);
        }
    }
}

void ds_html_marked(FILE *f, const char *text, size_t len,
                    const dq_highlight *hl, size_t nhl)
{
    size_t at = 0;
    for (size_t k = 0; k < nhl && at < len; k++) {
        size_t s = hl[k].start, e = hl[k].end;
        if (s < at) s = at;
        if (e > len) e = len;
        if (s >= e) continue;
        ds_html(f, text + at, s - at);
        fputs("<mark>", f);
        ds_html(f, text + s, e - s);
        fputs("</mark>", f);
        at = e;
    }
    ds_html(f, text + at, len - at);
}

size_t ds_utf8_check(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned min;
        if (c == 0) return i;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; min = 0x80; c &= 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; min = 0x800; c &= 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; min = 0x10000; c &= 0x07; }
        else return i;
        if (len - i <= n) return i;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            c = c << 6 | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

size_t ds_utf8_column(const char *s, size_t off)
{
    size_t col = 0;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) col++;
    return col;
}
