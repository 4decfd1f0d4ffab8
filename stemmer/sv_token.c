/*
 * sv_token.c — the tokenizer (see sv_token.h for the rules).
 *
 * One pass over the code points; each token's normalised form is appended to
 * the list's buffer, so tokenising a passage allocates only when the list
 * grows.
 */
#include "sv_token.h"
#include "sv.h"
#include "sv_text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int sv_is_letter(int cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return 1;
    default:
        return 0;
    }
}

int sv_is_digit(int cp)
{
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static int is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

/* '&' and '|': OCR output for å/ä/ö and l/i when they touch a letter. */
static int is_glyph(int cp) { return cp == '&' || cp == '|'; }

static int is_lower_letter(int cp)
{
    return sv_is_letter(cp) && utf8proc_tolower(cp) == cp &&
           utf8proc_toupper(cp) != cp;
}

/* Appends the normalised form of cp to buf (room for 12 bytes). */
static size_t put_norm(int cp, char *buf)
{
    if (cp < 0x80) { /* ASCII: what utf8proc_tolower gives, without it */
        buf[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
        return 1;
    }
    if (cp >= 0xFB00 && cp <= 0xFB06) { /* ligatures: ff fi fl ffi ffl st */
        utf8proc_int32_t d[4];
        int bound = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4,
                                                     UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE,
                                                     &bound);
        if (n > 0 && n <= 4) {
            size_t o = 0;
            for (utf8proc_ssize_t k = 0; k < n; k++)
                o += sv_utf8_put(utf8proc_tolower(d[k]), buf + o);
            return o;
        }
    }
    return sv_utf8_put(utf8proc_tolower(cp), buf);
}

size_t sv_lower(const char *w, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    char tmp[16];
    while (i < len) {
        int cp = sv_utf8_next(w, len, &i);
        size_t n = put_norm(cp, tmp);
        if (o + n < cap) memcpy(out + o, tmp, n);
        o += n;
    }
    if (o < cap) out[o] = '\0';
    else if (cap > 0) out[0] = '\0';
    return o;
}

/* Peeks the code point at byte i (or -1 at the end). */
static int peek(const char *s, size_t len, size_t i)
{
    if (i >= len) return -1;
    return sv_utf8_next(s, len, &i);
}

/* A line-end hyphen at s[i] ('-' or U+2010): returns the byte offset of the
 * lower-case letter that continues the word on the next line, or 0. */
static size_t hyphen_join(const char *s, size_t len, size_t i)
{
    size_t j = i;
    int cp = sv_utf8_next(s, len, &j);
    if (cp != '-' && cp != 0x2010) return 0;
    while (j < len && (s[j] == ' ' || s[j] == '\t')) j++;
    if (j >= len || s[j] != '\n') return 0;
    j++;
    while (j < len && (s[j] == ' ' || s[j] == '\t')) j++;
    return is_lower_letter(peek(s, len, j)) ? j : 0;
}

/* "dddd-dd-dd" not followed by a digit, starting at s[i] == '-' after four
 * digits: returns the end of the date, or 0. */
static size_t iso_date_end(const char *s, size_t len, size_t i)
{
    if (i + 6 > len) return 0;
    if (s[i] != '-' || !is_ascii_digit(s[i + 1]) || !is_ascii_digit(s[i + 2]) ||
        s[i + 3] != '-' || !is_ascii_digit(s[i + 4]) ||
        !is_ascii_digit(s[i + 5]))
        return 0;
    if (i + 6 < len && is_ascii_digit(s[i + 6])) return 0;
    return i + 6;
}

static int grow_tokens(sv_tokens *t)
{
    if (t->n < t->cap) return SV_OK;
    size_t cap = t->cap ? t->cap * 2 : 256;
    sv_token *v = realloc(t->tok, cap * sizeof *v);
    if (!v) return SV_ENOMEM;
    t->tok = v;
    t->cap = cap;
    return SV_OK;
}

static int reserve_buf(sv_tokens *t, size_t more)
{
    if (t->blen + more <= t->bcap) return SV_OK;
    size_t cap = t->bcap ? t->bcap : 4096;
    while (cap < t->blen + more) cap *= 2;
    char *b = realloc(t->buf, cap);
    if (!b) return SV_ENOMEM;
    t->buf = b;
    t->bcap = cap;
    return SV_OK;
}

/* The lone-glyph "i" candidates: a token of exactly "1", or one of | { [
 * standing alone, after a word and before a lower-case word. */
static int maybe_i(const char *s, size_t len, const sv_tokens *t,
                   size_t end)
{
    if (t->n == 0 || t->tok[t->n - 1].kind != SV_TOK_WORD) return 0;
    size_t j = end;
    while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n')) j++;
    return is_lower_letter(peek(s, len, j));
}

static int push(sv_tokens *t, size_t start, size_t end, size_t norm,
                unsigned char kind, unsigned char flags)
{
    if (grow_tokens(t) != SV_OK) return SV_ENOMEM;
    sv_token *k = &t->tok[t->n++];
    k->start = start;
    k->end = end;
    k->norm = norm;
    k->normlen = (unsigned)(t->blen - norm);
    k->pos = (unsigned)t->n;
    k->kind = kind;
    k->flags = flags;
    if (k->normlen > SV_TOKEN_MAX) k->flags |= SV_TOKF_LONG;
    t->buf[t->blen++] = '\0';
    return SV_OK;
}

int sv_tokenize(const char *s, size_t len, sv_tokens *t)
{
    size_t i = 0;
    t->n = 0;
    t->blen = 0;
    while (i < len) {
        size_t at = i;
        int cp = sv_utf8_next(s, len, &i);
        int starts = sv_is_letter(cp) || sv_is_digit(cp) ||
                     (is_glyph(cp) && sv_is_letter(peek(s, len, i)));
        if (!starts) {
            /* A lone | { [ standing for "i". */
            int lone = (cp == '|' || cp == '{' || cp == '[') &&
                       (at == 0 || s[at - 1] == ' ' || s[at - 1] == '\n') &&
                       (i >= len || s[i] == ' ' || s[i] == '\n');
            if (lone && maybe_i(s, len, t, i)) {
                if (reserve_buf(t, 2) != SV_OK) return SV_ENOMEM;
                size_t norm = t->blen;
                t->buf[t->blen++] = (char)cp;
                if (push(t, at, i, norm, SV_TOK_WORD, SV_TOKF_MAYBE_I))
                    return SV_ENOMEM;
            }
            continue;
        }

        size_t norm = t->blen;
        int letters = 0, colon = 0, date = 0;
        unsigned char flags = 0;
        size_t ndigits = 0;
        for (;;) {
            if (reserve_buf(t, 16) != SV_OK) return SV_ENOMEM;
            t->blen += put_norm(cp, t->buf + t->blen);
            if (sv_is_letter(cp) || is_glyph(cp)) letters = 1;
            else if (sv_is_digit(cp)) ndigits++;
            if (i >= len) break;
            int nx = peek(s, len, i);
            size_t j = i;
            sv_utf8_next(s, len, &j);
            if (sv_is_letter(nx) || sv_is_digit(nx)) {
                if (colon && !sv_is_digit(nx)) break;
                cp = nx;
                i = j;
                continue;
            }
            if (is_glyph(nx) && !colon &&
                (letters || sv_is_letter(peek(s, len, j)))) {
                cp = nx;
                i = j;
                continue;
            }
            if (!letters && !colon && (nx == ':' || nx == ',') &&
                is_ascii_digit(j < len ? s[j] : 0)) {
                /* 2021:2323 (diary number) or 1,5 */
                if (reserve_buf(t, 2) != SV_OK) return SV_ENOMEM;
                t->buf[t->blen++] = (char)nx;
                colon = nx == ':';
                cp = (unsigned char)s[j];
                i = j + 1;
                continue;
            }
            if (nx == '-' && !letters && !colon && ndigits == 4 &&
                t->blen - norm == 4) {
                size_t e = iso_date_end(s, len, i);
                if (e) {
                    if (reserve_buf(t, 8) != SV_OK) return SV_ENOMEM;
                    memcpy(t->buf + t->blen, s + i, e - i);
                    t->blen += e - i;
                    i = e;
                    date = 1;
                    break;
                }
            }
            if (letters && (nx == '-' || nx == 0x2010)) {
                size_t k = hyphen_join(s, len, i);
                if (k) {
                    flags |= SV_TOKF_HYPHENATED;
                    i = k;
                    cp = sv_utf8_next(s, len, &i);
                    continue;
                }
            }
            break;
        }
        unsigned char kind = letters ? SV_TOK_WORD
                             : date  ? SV_TOK_DATE
                             : colon ? SV_TOK_DIARY
                                     : SV_TOK_NUMBER;
        if (kind == SV_TOK_NUMBER && t->blen - norm == 1 &&
            t->buf[norm] == '1' && maybe_i(s, len, t, i))
            flags |= SV_TOKF_MAYBE_I;
        if (push(t, at, i, norm, kind, flags) != SV_OK) return SV_ENOMEM;
    }
    return SV_OK;
}

void sv_tokens_free(sv_tokens *t)
{
    if (!t) return;
    free(t->tok);
    free(t->buf);
    memset(t, 0, sizeof *t);
}
