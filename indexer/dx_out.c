/*
 * dx_out.c — file names written safely to text and JSON (see dx_out.h).
 */
#include "dx_out.h"

/* The length of the well-formed UTF-8 sequence that starts s (no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when s[0] starts
 * none. s is NUL-terminated, which ends any sequence. */
static unsigned seq_len(const unsigned char *s)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF, more;
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) more = 1;
    else if (c < 0xF0) {
        more = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c < 0xF5) {
        more = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) return 0;
    for (unsigned k = 2; k <= more; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return more + 1;
}

/* 1 if the n-byte sequence at s is a control character (C0, DEL, C1). */
static int control(const unsigned char *s, unsigned n)
{
    if (n == 1) return s[0] < 0x20 || s[0] == 0x7F;
    return n == 2 && s[0] == 0xC2 && s[1] < 0xA0;
}

void dx_out_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned n = seq_len(p);
        if (n && !control(p, n)) {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        for (unsigned k = 0; k < (n ? n : 1); k++)
            fprintf(f, "\\x%02X", p[k]);
        p += n ? n : 1;
    }
}

void dx_out_json(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned n = seq_len(p);
        if (!n) {
            fputs("\\ufffd", f); /* not UTF-8 */
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p == '\n') {
            fputs("\\n", f);
            p++;
        } else if (*p == '\t') {
            fputs("\\t", f);
            p++;
        } else if (control(p, n)) {
            fprintf(f, "\\u%04x", n == 2 ? p[1] : p[0]);
            p += n;
        } else {
            fwrite(p, 1, n, f);
            p += n;
        }
    }
    fputc('"', f);
}
