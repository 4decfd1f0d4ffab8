/*
 * dq_parse.c — the diarium query language: query string -> syntax tree.
 *
 * Where it sits: the first step of query/. dq_parse turns what a user typed
 * into a tree of dq_node (words, phrases, AND/OR/NOT, NEAR, fields); the rest
 * of query/ runs the words through stemmer/ and builds the Xapian query.
 * This module knows nothing of the index, of stemming or of Xapian, and it
 * links against nothing but the C library.
 *
 * Pipeline: query string -> [lexer -> recursive-descent parser] -> dq_node
 *           tree -> (query/: analysis, Xapian query).
 *
 * The grammar, the decisions about its corner cases and the format of
 * dq_node_describe are documented in dq_parse.h.
 *
 * Safety: the input is checked (length, UTF-8) before the parser looks at
 * it; the lexer reads only within [0, len); recursion is bounded because
 * every level of parentheses and every NOT counts against MAX_DEPTH before
 * the parser descends; every allocation is checked and every error path
 * frees what was built so far. No global mutable state: everything lives in
 * a `parser` on dq_parse's stack.
 */
#include "dq_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_QUERY = 64 * 1024, /* bytes */
    MAX_DEPTH = 64,        /* levels of '(' and NOT together */
    NEAR_DEFAULT = 10,     /* window of a plain NEAR */
    NEAR_MAX = 1000,       /* largest n in NEAR/n */
    SNIP = 40              /* bytes of query text quoted in a message */
};

/* ---------------------------------------------------------------- tokens */

typedef enum tok_type {
    T_EOF,
    T_WORD,   /* [vstart, vend) is the text, prefix set for trailing '*' */
    T_PHRASE, /* [vstart, vend) is the text between the quotes */
    T_FIELD,  /* name [start, nend); value [vstart, vend); quoted, range */
    T_LP,
    T_RP,
    T_AND,
    T_OR,
    T_NOT,
    T_NEAR    /* window */
} tok_type;

typedef struct token {
    tok_type type;
    size_t start, end;   /* the whole token in the query */
    size_t vstart, vend; /* see tok_type */
    size_t nend;         /* T_FIELD: offset of the ':' */
    size_t dots;         /* T_FIELD with range: offset of the '..' */
    int prefix;
    int quoted;
    int range;
    unsigned window;
} token;

typedef struct parser {
    const char *q;
    size_t len;
    const char *const *fields;
    size_t pos;     /* lexer position: first byte after `tok` */
    token tok;      /* the current (not yet consumed) token */
    int depth;      /* current nesting of '(' and NOT */
    int status;     /* DQ_OK until the first failure */
    size_t err_offset;
    char err_msg[sizeof ((dq_parse_error *)0)->msg];
    char err_sv[sizeof ((dq_parse_error *)0)->msg_sv];
} parser;

/* ---------------------------------------------------------------- errors */

/* Records the first failure only: later ones are consequences. `en` and
 * `sv` say the same in English and in Swedish, with the same conversions
 * in the same order (FAIL checks both against the arguments). */
static void fail(parser *p, size_t offset, const char *en, const char *sv,
                 ...)
{
    va_list ap;

    if (p->status != DQ_OK)
        return;
    p->status = DQ_ESYNTAX;
    p->err_offset = offset;
    va_start(ap, sv);
    vsnprintf(p->err_msg, sizeof p->err_msg, en, ap);
    va_end(ap);
    va_start(ap, sv);
    vsnprintf(p->err_sv, sizeof p->err_sv, sv, ap);
    va_end(ap);
}

/* Never called: lets the compiler check a format against its arguments. */
static inline void check_format(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void check_format(const char *fmt, ...) { (void)fmt; }

#define FAIL(p, off, en, sv, ...)                                            \
    do {                                                                     \
        if (0) {                                                             \
            check_format(en, __VA_ARGS__);                                   \
            check_format(sv, __VA_ARGS__);                                   \
        }                                                                    \
        fail(p, off, en, sv, __VA_ARGS__);                                   \
    } while (0)
/* A message without conversions (no '%' in en or sv). */
#define FAIL0(p, off, en, sv) fail(p, off, en, sv)

static void fail_nomem(parser *p)
{
    if (p->status != DQ_OK)
        return;
    p->status = DQ_ENOMEM;
    p->err_offset = 0;
    snprintf(p->err_msg, sizeof p->err_msg, "out of memory");
    snprintf(p->err_sv, sizeof p->err_sv, "slut på minne");
}

/* How many of the n bytes at s to quote in a message: at most SNIP, never
 * cutting a UTF-8 sequence (the query has been validated by then). */
static int snip(const char *s, size_t n)
{
    if (n <= SNIP)
        return (int)n;
    n = SNIP;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* The text of token t as "%.*s" arguments. */
static int tlen(const parser *p, const token *t)
{
    return snip(p->q + t->start, t->end - t->start);
}

static const char *ttext(const parser *p, const token *t)
{
    return p->q + t->start;
}

/* ----------------------------------------------------------- characters */

/* Byte length of the white-space character at i (0 if there is none):
 * ASCII white space and U+00A0 NO-BREAK SPACE. */
static size_t space_at(const parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->q[i];

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f')
        return 1;
    if (c == 0xC2 && i + 1 < p->len && (unsigned char)p->q[i + 1] == 0xA0)
        return 2;
    return 0;
}

/* Is the character just before i white space (or is i the start)? */
static int space_before(const parser *p, size_t i)
{
    if (i == 0)
        return 1;
    if (space_at(p, i - 1) == 1)
        return 1;
    return i >= 2 && (unsigned char)p->q[i - 2] == 0xC2 &&
           (unsigned char)p->q[i - 1] == 0xA0;
}

/* The end of the run of word characters that starts at i. */
static size_t run_end(const parser *p, size_t i)
{
    while (i < p->len && p->q[i] != '"' && p->q[i] != '(' &&
           p->q[i] != ')' && !space_at(p, i))
        i++;
    return i;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Lower-cases the byte at s[i] of a UTF-8 string: ASCII, and the second
 * byte of the Latin-1 capitals U+00C0-U+00DE (Å, Ä, Ö, É, ...; not U+00D7
 * the multiplication sign), whose small letters are 0x20 further on. */
static int fold_byte(const char *s, size_t i)
{
    int c = (unsigned char)s[i];
    if (i > 0 && (unsigned char)s[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E &&
        c != 0x97)
        return c + 0x20;
    return ascii_lower(c);
}

static int caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold_byte(a, i) != fold_byte(b, i))
            return 0;
    return 1;
}

static int is_field(const parser *p, size_t s, size_t e)
{
    if (p->fields == NULL)
        return 0;
    for (const char *const *f = p->fields; *f != NULL; f++)
        if (strlen(*f) == e - s && caseeq(p->q + s, *f, e - s))
            return 1;
    return 0;
}

/* Could [s, e) be meant as a field name: 2 to 24 letters (ASCII, or
 * Latin-1 letters as in "år", "område")? */
static int field_like(const parser *p, size_t s, size_t e)
{
    size_t chars = 0;
    if (e - s > 24)
        return 0;
    for (size_t i = s; i < e; chars++) {
        unsigned char c = (unsigned char)p->q[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            i++;
        } else if (c == 0xC3 && i + 1 < e &&
                   (unsigned char)p->q[i + 1] >= 0x80 &&
                   (unsigned char)p->q[i + 1] != 0x97 &&
                   (unsigned char)p->q[i + 1] != 0xB7) {
            i += 2;
        } else {
            return 0;
        }
    }
    return chars >= 2;
}

/* The code points of n bytes of valid UTF-8 at s, lower-cased as
 * fold_byte does, into cp (room for cap); returns how many. */
static size_t folded_cps(const char *s, size_t n, unsigned *cp, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap;) {
        unsigned c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned v = len == 1 ? c : c & (0xFFu >> (len + 1));
        for (size_t j = 1; j < len && i + j < n; j++)
            v = v << 6 | (fold_byte(s, i + j) & 0x3F);
        cp[k++] = len == 1 ? (unsigned)ascii_lower((int)c) : v;
        i += len;
    }
    return k;
}

/* The edit distance (insertions, deletions, substitutions, swaps of two
 * neighbours) between a[0, na) and b[0, nb), both at most 32. */
static size_t edit_distance(const unsigned *a, size_t na, const unsigned *b,
                            size_t nb)
{
    size_t d[33][33];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The caller's field nearest to the name [s, e): one at most a third of
 * its letters away (at least one), or NULL. */
static const char *nearest_field(const parser *p, size_t s, size_t e)
{
    unsigned a[32], b[32];
    size_t na = folded_cps(p->q + s, e - s, a, 32), best = (size_t)-1;
    const char *found = NULL;
    for (const char *const *f = p->fields; *f != NULL; f++) {
        size_t nb = folded_cps(*f, strlen(*f), b, 32);
        size_t d = edit_distance(a, na, b, nb);
        if (d < best) {
            best = d;
            found = *f;
        }
    }
    return best <= (na / 3 > 1 ? na / 3 : 1) ? found : NULL;
}

/* "doc, år, kommun, ...": the caller's fields, into buf. */
static void field_list(const parser *p, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const char *const *f = p->fields; *f != NULL && used < n; f++) {
        int w = snprintf(buf + used, n - used, "%s%s",
                         f == p->fields ? "" : ", ", *f);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* name:value where name is no field: an error when the name looks like a
 * field's (a word of letters, a value after the ':' that is not "//..." as
 * in a web address), else an ordinary word. The run [s, e) has its first
 * ':' at c. Returns -1 after failing. */
static int unknown_field(parser *p, size_t s, size_t c, size_t e)
{
    char list[160];
    const char *near;
    int value = c + 1 < e || (e < p->len && p->q[e] == '"');

    if (p->fields == NULL || !field_like(p, s, c) || !value ||
        (c + 2 < e && p->q[c + 1] == '/' && p->q[c + 2] == '/'))
        return 0;
    near = nearest_field(p, s, c);
    field_list(p, list, sizeof list);
    if (near != NULL)
        FAIL(p, s, "unknown field '%.*s:': did you mean '%s:'? (fields: %s; "
                   "to search for the text, quote it)",
             "okänt fält '%.*s:': menade du '%s:'? (fälten: %s; sätt texten "
             "inom citattecken för att söka efter den)",
             snip(p->q + s, c - s), p->q + s, near, list);
    else
        FAIL(p, s, "unknown field '%.*s:' (fields: %s; to search for the "
                   "text, quote it)",
             "okänt fält '%.*s:' (fälten: %s; sätt texten inom citattecken "
             "för att söka efter den)",
             snip(p->q + s, c - s), p->q + s, list);
    return -1;
}

static int equals(const parser *p, size_t s, size_t e, const char *word)
{
    size_t n = strlen(word);
    return e - s == n && memcmp(p->q + s, word, n) == 0;
}

/* Offset of the first ".." in [s, e), or e. */
static size_t find_dots(const parser *p, size_t s, size_t e)
{
    for (size_t i = s; i + 1 < e; i++)
        if (p->q[i] == '.' && p->q[i + 1] == '.')
            return i;
    return e;
}

/* Does [s, e) contain anything but white space? */
static int has_text(const parser *p, size_t s, size_t e)
{
    while (s < e) {
        size_t w = space_at(p, s);
        if (w == 0)
            return 1;
        s += w;
    }
    return 0;
}

/* Offset of the first byte of the first ill-formed UTF-8 sequence (or of a
 * NUL) in s[0, n), or n if there is none. Strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        unsigned lo = 0x80, hi = 0xBF;
        size_t need;

        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c == 0xE0)
            need = 2, lo = 0xA0;
        else if (c >= 0xE1 && c <= 0xEC)
            need = 2;
        else if (c == 0xED)
            need = 2, hi = 0x9F;
        else if (c >= 0xEE && c <= 0xEF)
            need = 2;
        else if (c == 0xF0)
            need = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            need = 3;
        else if (c == 0xF4)
            need = 3, hi = 0x8F;
        else
            return i;
        if (n - i <= need)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += need + 1;
    }
    return n;
}

/* 1-based code-point column of byte offset `off` (off <= n). Counts lead
 * bytes, so it is exact for valid UTF-8 and sensible for anything else. */
static size_t column_of(const char *q, size_t off)
{
    size_t col = 1;

    for (size_t i = 0; i < off; i++)
        if (((unsigned char)q[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* ----------------------------------------------------------------- lexer */

/* A phrase starting with the '"' at i: fills vstart/vend/end of t. In a
 * field's value (escapes), a backslash before '"' or before a backslash
 * keeps that character in the value (doc:"a \"b\".txt" is the id
 * a "b".txt), so that any document id can be written. */
static int lex_quoted(parser *p, size_t i, token *t, int escapes)
{
    const char *close = NULL;
    for (size_t k = i + 1; k < p->len; k++) {
        if (escapes && p->q[k] == '\\' && k + 1 < p->len &&
            (p->q[k + 1] == '"' || p->q[k + 1] == '\\')) {
            k++;
            continue;
        }
        if (p->q[k] == '"') {
            close = p->q + k;
            break;
        }
    }

    if (close == NULL) {
        FAIL0(p, i, "unbalanced quote: the phrase that starts here is never "
                    "closed; add a closing '\"'",
              "citattecknet stängs aldrig: frasen som börjar här behöver ett "
              "avslutande '\"'");
        return -1;
    }
    t->vstart = i + 1;
    t->vend = (size_t)(close - p->q);
    t->end = t->vend + 1;
    return 0;
}

/* NEAR/n: the run [s, e) starts with "NEAR/". */
static int lex_near_window(parser *p, size_t s, size_t e, token *t)
{
    unsigned long n = 0;
    size_t i = s + 5;

    if (i == e)
        goto bad;
    for (; i < e; i++) {
        if (p->q[i] < '0' || p->q[i] > '9')
            goto bad;
        n = n * 10 + (unsigned long)(p->q[i] - '0');
        if (n > NEAR_MAX)
            goto bad;
    }
    if (n == 0)
        goto bad;
    t->type = T_NEAR;
    t->window = (unsigned)n;
    return 0;
bad:
    FAIL(p, s, "bad '%.*s': expected NEAR/n with a number n from 1 to %d "
               "(the largest distance in words), e.g. NEAR/5",
         "felaktigt '%.*s': skriv NEAR/n med ett tal n från 1 till %d "
         "(största avståndet i ord), t.ex. NEAR/5",
         snip(p->q + s, e - s), p->q + s, NEAR_MAX);
    return -1;
}

/* name:value; the run [s, e) has its first ':' at c and the name is one of
 * the caller's fields. */
static int lex_field(parser *p, size_t s, size_t c, size_t e, token *t)
{
    int nl = snip(p->q + s, c - s);
    const char *name = p->q + s;

    t->type = T_FIELD;
    t->nend = c;
    if (c + 1 == e) {
        if (e < p->len && p->q[e] == '"') {
            if (lex_quoted(p, e, t, 1) != 0)
                return -1;
            if (!has_text(p, t->vstart, t->vend)) {
                FAIL(p, s, "the field '%.*s:' has an empty value: write "
                           "something between the quotes",
                     "fältet '%.*s:' har ett tomt värde: skriv något mellan "
                     "citattecknen",
                     nl, name);
                return -1;
            }
            t->quoted = 1;
            return 0;
        }
        FAIL(p, s, "the field '%.*s:' has no value: expected a word, a "
                   "\"phrase\" or a range a..b directly after the colon",
             "fältet '%.*s:' saknar värde: skriv ett ord, en \"fras\" eller "
             "ett intervall a..b direkt efter kolonet",
             nl, name);
        return -1;
    }
    t->vstart = c + 1;
    t->vend = e;
    t->dots = find_dots(p, c + 1, e);
    if (t->dots == e)
        return 0;
    t->range = 1;
    if (find_dots(p, t->dots + 2, e) != e) {
        FAIL(p, find_dots(p, t->dots + 2, e),
             "a range has only one '..': expected e.g. %.*s:2019..2023",
             "ett intervall har bara ett '..': skriv t.ex. %.*s:2019..2023",
             nl, name);
        return -1;
    }
    if (t->dots == c + 1 && t->dots + 2 == e) {
        FAIL(p, s, "the range in '%.*s:..' has no bounds: expected e.g. "
                   "%.*s:2019..2023, %.*s:..2023 or %.*s:2019..",
             "intervallet i '%.*s:..' saknar gränser: skriv t.ex. "
             "%.*s:2019..2023, %.*s:..2023 eller %.*s:2019..",
             nl, name, nl, name, nl, name, nl, name);
        return -1;
    }
    return 0;
}

/* Reads the token at p->pos into p->tok. */
static int lex(parser *p)
{
    token *t = &p->tok;
    size_t i = p->pos, w, e, k;
    const char *c;

    while (i < p->len && (w = space_at(p, i)) != 0)
        i += w;
    memset(t, 0, sizeof *t);
    t->start = i;
    t->end = i + 1;
    if (i >= p->len) {
        t->type = T_EOF;
        t->end = i;
    } else if (p->q[i] == '(') {
        t->type = T_LP;
    } else if (p->q[i] == ')') {
        t->type = T_RP;
    } else if (p->q[i] == '"') {
        t->type = T_PHRASE;
        if (lex_quoted(p, i, t, 0) != 0)
            return -1;
        if (!has_text(p, t->vstart, t->vend)) {
            FAIL0(p, i, "empty phrase: expected words between the quotes",
                  "tom fras: skriv ord mellan citattecknen");
            return -1;
        }
    } else if (p->q[i] == '-' && (space_before(p, i) || p->q[i - 1] == '(')) {
        if (i + 1 >= p->len || p->q[i + 1] == ')' || space_at(p, i + 1)) {
            FAIL0(p, i, "'-' must be written directly before what it "
                        "excludes, e.g. -betyg",
                  "'-' skrivs direkt före det som ska uteslutas, t.ex. "
                  "-betyg");
            return -1;
        }
        t->type = T_NOT;
    } else {
        e = run_end(p, i);
        t->end = e;
        c = memchr(p->q + i, ':', e - i);
        if (equals(p, i, e, "AND") || equals(p, i, e, "OCH")) {
            t->type = T_AND;
        } else if (equals(p, i, e, "OR") || equals(p, i, e, "ELLER")) {
            t->type = T_OR;
        } else if (equals(p, i, e, "NOT") || equals(p, i, e, "INTE")) {
            t->type = T_NOT;
        } else if (equals(p, i, e, "NEAR")) {
            t->type = T_NEAR;
            t->window = NEAR_DEFAULT;
        } else if (c != NULL && (size_t)(c - p->q) > i &&
                   is_field(p, i, (size_t)(c - p->q))) {
            if (lex_field(p, i, (size_t)(c - p->q), e, t) != 0)
                return -1;
        } else if (c != NULL && (size_t)(c - p->q) > i &&
                   unknown_field(p, i, (size_t)(c - p->q), e) != 0) {
            return -1;
        } else if (e - i >= 5 && memcmp(p->q + i, "NEAR/", 5) == 0) {
            if (lex_near_window(p, i, e, t) != 0)
                return -1;
        } else {
            for (k = e; k > i && p->q[k - 1] == '*'; k--)
                ;
            if (k == i) {
                FAIL0(p, i, "'*' alone is not a word: expected it at the "
                            "end of a word, e.g. åtgärd*",
                      "'*' ensam är inget ord: skriv den sist i ett ord, "
                      "t.ex. åtgärd*");
                return -1;
            }
            t->type = T_WORD;
            t->vstart = i;
            t->vend = k;
            t->prefix = k < e;
        }
    }
    p->pos = t->end;
    return 0;
}

/* ----------------------------------------------------------------- nodes */

typedef struct vec {
    dq_node **v;
    size_t n, cap;
} vec;

static void vec_free(vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        dq_node_free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

static int vec_reserve(parser *p, vec *v, size_t extra)
{
    size_t cap = v->cap ? v->cap : 4;
    dq_node **nv;

    if (extra > (size_t)-1 / sizeof *v->v - v->n) {
        fail_nomem(p);
        return -1;
    }
    while (cap < v->n + extra)
        cap = cap > (size_t)-1 / sizeof *v->v / 2 ? v->n + extra : cap * 2;
    if (cap == v->cap)
        return 0;
    nv = realloc(v->v, cap * sizeof *nv);
    if (nv == NULL) {
        fail_nomem(p);
        return -1;
    }
    v->v = nv;
    v->cap = cap;
    return 0;
}

/* Appends kid, taking ownership (freed on failure). If kid is a DQ_AND or
 * DQ_OR and `flat` is that kind, kid's kids are appended instead (nested
 * ANDs and ORs are flattened); flat = -1 never flattens. */
static int vec_push(parser *p, vec *v, dq_node *kid, int flat)
{
    int flatten = (int)kid->kind == flat;

    if (vec_reserve(p, v, flatten ? kid->nkids : 1) != 0) {
        dq_node_free(kid);
        return -1;
    }
    if (!flatten) {
        v->v[v->n++] = kid;
        return 0;
    }
    for (size_t i = 0; i < kid->nkids; i++)
        v->v[v->n++] = kid->kids[i];
    kid->nkids = 0;
    dq_node_free(kid);
    return 0;
}

static dq_node *node_new(parser *p, dq_kind kind, size_t offset)
{
    dq_node *n = calloc(1, sizeof *n);

    if (n == NULL) {
        fail_nomem(p);
        return NULL;
    }
    n->kind = kind;
    n->offset = offset;
    return n;
}

static char *copy_text(parser *p, size_t s, size_t e)
{
    char *t = malloc(e - s + 1);

    if (t == NULL) {
        fail_nomem(p);
        return NULL;
    }
    memcpy(t, p->q + s, e - s);
    t[e - s] = '\0';
    return t;
}

static dq_node *word_node(parser *p, size_t s, size_t e, int prefix)
{
    dq_node *n = node_new(p, DQ_WORD, s);

    if (n == NULL)
        return NULL;
    n->text = copy_text(p, s, e);
    if (n->text == NULL) {
        dq_node_free(n);
        return NULL;
    }
    n->len = e - s;
    n->prefix = prefix;
    return n;
}

/* A node of `kind` with the kids in v (emptied). A group of one is that
 * one. */
static dq_node *group_node(parser *p, dq_kind kind, vec *v, size_t offset,
                           unsigned window)
{
    dq_node *n;

    if (v->n == 1 && kind != DQ_PHRASE && kind != DQ_NOT) {
        n = v->v[0];
        free(v->v);
        v->v = NULL;
        v->n = v->cap = 0;
        return n;
    }
    n = node_new(p, kind, offset);
    if (n == NULL) {
        vec_free(v);
        return NULL;
    }
    n->kids = v->v;
    n->nkids = v->n;
    n->window = window;
    v->v = NULL;
    v->n = v->cap = 0;
    return n;
}

static dq_node *phrase_node(parser *p, const token *t)
{
    vec v = {0};
    size_t i = t->vstart, s, w;

    while (i < t->vend) {
        if ((w = space_at(p, i)) != 0) {
            i += w;
            continue;
        }
        for (s = i; i < t->vend && !space_at(p, i); i++)
            ;
        dq_node *kid = word_node(p, s, i, 0);
        if (kid == NULL || vec_push(p, &v, kid, -1) != 0) {
            vec_free(&v);
            return NULL;
        }
    }
    return group_node(p, DQ_PHRASE, &v, t->start, 0);
}

static dq_node *field_node(parser *p, const token *t)
{
    dq_node *n = node_new(p, DQ_FIELD, t->start);

    if (n == NULL)
        return NULL;
    n->field = copy_text(p, t->start, t->nend);
    if (n->field == NULL)
        goto fail;
    for (size_t i = t->nend - t->start; i-- > 0;) /* from the end: */
        n->field[i] = (char)fold_byte(n->field, i); /* reads [i - 1] */
    n->voffset = t->vstart;
    n->quoted = t->quoted;
    n->range = t->range;
    if (t->range) {
        n->text = copy_text(p, t->vstart, t->dots);
        n->text2 = copy_text(p, t->dots + 2, t->vend);
        if (n->text == NULL || n->text2 == NULL)
            goto fail;
    } else {
        n->text = copy_text(p, t->vstart, t->vend);
        if (n->text == NULL)
            goto fail;
        if (t->quoted) { /* undo the escapes lex_quoted allowed */
            char *w = n->text;
            for (const char *r = n->text; *r != '\0'; r++) {
                if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
                    r++;
                *w++ = *r;
            }
            *w = '\0';
        }
    }
    n->len = strlen(n->text);
    return n;
fail:
    dq_node_free(n);
    return NULL;
}

/* ---------------------------------------------------------------- parser */

static const char NOT_ALONE[] =
    "NOT needs something to exclude from: add a word that must match, "
    "e.g. 'skola -betyg'";
static const char NOT_IN_OR[] =
    "NOT needs something to exclude from, and an alternative of OR is not "
    "that: write e.g. '(a OR b) -c'";
static const char NOT_ALONE_SV[] =
    "NOT behöver något att utesluta ur: lägg till ett ord som måste finnas, "
    "t.ex. 'skola -betyg'";
static const char NOT_IN_OR_SV[] =
    "NOT behöver något att utesluta ur, och ett alternativ i OR är inte det: "
    "skriv t.ex. '(a OR b) -c'";
static const char TOO_DEEP[] =
    "nested too deeply: at most 64 levels of parentheses and NOT";
static const char TOO_DEEP_SV[] =
    "för djupt nästlad: högst 64 nivåer av parenteser och NOT";
static const char NOT_CLOSED[] = "missing ')': the '(' here is never closed";
static const char NOT_CLOSED_SV[] = "')' saknas: '(' här stängs aldrig";
static const char NO_OPEN[] = "')' without a matching '('";
static const char NO_OPEN_SV[] = "')' utan en '(' som hör till";

static int starts_operand(tok_type t)
{
    return t == T_WORD || t == T_PHRASE || t == T_FIELD || t == T_LP ||
           t == T_NOT;
}

/* After the operator `op` has been consumed: is the current token
 * something it can apply to? near: only a word or a phrase will do. */
static int expect_operand(parser *p, const token *op, int near)
{
    const token *t = &p->tok;

    if (t->type == T_EOF) {
        if (op->type == T_NOT)
            FAIL(p, op->start, "'%.*s' at the end of the query: expected "
                               "the word to exclude after it",
                 "'%.*s' sist i frågan: skriv ordet som ska uteslutas efter "
                 "det",
                 tlen(p, op), ttext(p, op));
        else
            FAIL(p, op->start, "'%.*s' at the end of the query: expected "
                               "a word or a phrase after it",
                 "'%.*s' sist i frågan: skriv ett ord eller en fras efter "
                 "det",
                 tlen(p, op), ttext(p, op));
        return -1;
    }
    if (near) {
        if (t->type == T_WORD || t->type == T_PHRASE)
            return 0;
        if (t->type == T_LP)
            FAIL0(p, t->start, "NEAR needs a word or a phrase on each "
                               "side, not a group in parentheses",
                  "NEAR behöver ett ord eller en fras på var sida, inte en "
                  "grupp inom parentes");
        else if (t->type == T_FIELD)
            FAIL0(p, t->start, "NEAR needs a word or a phrase on each "
                               "side, not a field",
                  "NEAR behöver ett ord eller en fras på var sida, inte ett "
                  "fält");
        else
            FAIL(p, t->start, "expected a word or a phrase after '%.*s', "
                              "but found '%.*s'",
                 "efter '%.*s' ska ett ord eller en fras stå, men här står "
                 "'%.*s'",
                 tlen(p, op), ttext(p, op), tlen(p, t), ttext(p, t));
        return -1;
    }
    if (starts_operand(t->type))
        return 0;
    FAIL(p, t->start, "expected a word, a phrase or '(' after '%.*s', but "
                      "found '%.*s'",
         "efter '%.*s' ska ett ord, en fras eller '(' stå, men här står "
         "'%.*s'",
         tlen(p, op), ttext(p, op), tlen(p, t), ttext(p, t));
    return -1;
}

static dq_node *parse_and(parser *p);

/* primary := WORD | PHRASE | FIELD | '(' andexpr ')' */
static dq_node *parse_primary(parser *p)
{
    token t = p->tok;
    dq_node *n;

    switch (t.type) {
    case T_WORD:
        n = word_node(p, t.vstart, t.vend, t.prefix);
        break;
    case T_PHRASE:
        n = phrase_node(p, &t);
        break;
    case T_FIELD:
        n = field_node(p, &t);
        break;
    case T_LP:
        if (++p->depth > MAX_DEPTH) {
            FAIL0(p, t.start, TOO_DEEP, TOO_DEEP_SV);
            return NULL;
        }
        if (lex(p) != 0)
            return NULL;
        if (p->tok.type == T_EOF) {
            FAIL0(p, t.start, NOT_CLOSED, NOT_CLOSED_SV);
            return NULL;
        }
        if (p->tok.type == T_RP) {
            FAIL0(p, t.start, "empty parentheses: expected words between "
                              "'(' and ')'",
                  "tomma parenteser: skriv ord mellan '(' och ')'");
            return NULL;
        }
        n = parse_and(p);
        if (n == NULL)
            return NULL;
        if (p->tok.type != T_RP) {
            FAIL0(p, t.start, NOT_CLOSED, NOT_CLOSED_SV);
            dq_node_free(n);
            return NULL;
        }
        p->depth--;
        break;
    default:
        FAIL(p, t.start, "expected a word, a phrase or '(' but found '%.*s'",
             "här ska ett ord, en fras eller '(' stå, men här står '%.*s'",
             tlen(p, &t), ttext(p, &t));
        return NULL;
    }
    if (n == NULL)
        return NULL;
    if (lex(p) != 0) {
        dq_node_free(n);
        return NULL;
    }
    return n;
}

/* nearexpr := primary ( (NEAR | NEAR/n) primary )* */
static dq_node *parse_near(parser *p)
{
    token first = p->tok;
    vec v = {0};
    unsigned window;
    dq_node *n = parse_primary(p);

    if (n == NULL || p->tok.type != T_NEAR)
        return n;
    if (first.type != T_WORD && first.type != T_PHRASE) {
        if (first.type == T_FIELD)
            FAIL0(p, first.start, "NEAR needs a word or a phrase on each "
                                  "side, not a field",
                  "NEAR behöver ett ord eller en fras på var sida, inte ett "
                  "fält");
        else
            FAIL0(p, first.start, "NEAR needs a word or a phrase on each "
                                  "side, not a group in parentheses",
                  "NEAR behöver ett ord eller en fras på var sida, inte en "
                  "grupp inom parentes");
        dq_node_free(n);
        return NULL;
    }
    if (vec_push(p, &v, n, -1) != 0)
        return NULL;
    window = p->tok.window;
    while (p->tok.type == T_NEAR) {
        token op = p->tok;
        if (op.window != window) {
            FAIL(p, op.start, "'%.*s' in a chain of NEAR/%u: one chain of "
                              "NEARs has one window; use the same NEAR/n "
                              "throughout",
                 "'%.*s' i en kedja av NEAR/%u: en kedja av NEAR har ett "
                 "enda fönster; använd samma NEAR/n i hela kedjan",
                 tlen(p, &op), ttext(p, &op), window);
            goto fail;
        }
        if (lex(p) != 0 || expect_operand(p, &op, 1) != 0)
            goto fail;
        n = parse_primary(p);
        if (n == NULL || vec_push(p, &v, n, -1) != 0)
            goto fail;
    }
    return group_node(p, DQ_NEAR, &v, first.start, window);
fail:
    vec_free(&v);
    return NULL;
}

/* unary := (NOT | INTE | '-') unary | nearexpr */
static dq_node *parse_unary(parser *p)
{
    token op = p->tok;
    dq_node *kid, *n;

    if (op.type != T_NOT)
        return parse_near(p);
    if (++p->depth > MAX_DEPTH) {
        FAIL0(p, op.start, TOO_DEEP, TOO_DEEP_SV);
        return NULL;
    }
    if (lex(p) != 0 || expect_operand(p, &op, 0) != 0)
        return NULL;
    kid = parse_unary(p);
    if (kid == NULL)
        return NULL;
    p->depth--;
    if (kid->kind == DQ_NOT) {
        FAIL(p, op.start, "'%.*s' followed by another NOT: a double negation "
                          "cancels out; remove both",
             "'%.*s' följt av ännu ett NOT: två negationer tar ut varandra; "
             "ta bort båda",
             tlen(p, &op), ttext(p, &op));
        dq_node_free(kid);
        return NULL;
    }
    n = node_new(p, DQ_NOT, op.start);
    if (n == NULL || (n->kids = malloc(sizeof *n->kids)) == NULL) {
        fail_nomem(p);
        dq_node_free(n);
        dq_node_free(kid);
        return NULL;
    }
    n->kids[0] = kid;
    n->nkids = 1;
    return n;
}

/* orexpr := unary ( (OR | ELLER) unary )*; no alternative may be a NOT. */
static dq_node *parse_or(parser *p)
{
    size_t start = p->tok.start;
    vec v = {0};
    dq_node *n = parse_unary(p);

    if (n == NULL || p->tok.type != T_OR)
        return n;
    for (;;) {
        if (n->kind == DQ_NOT) {
            FAIL0(p, n->offset, NOT_IN_OR, NOT_IN_OR_SV);
            dq_node_free(n);
            goto fail;
        }
        if (vec_push(p, &v, n, DQ_OR) != 0)
            goto fail;
        if (p->tok.type != T_OR)
            break;
        token op = p->tok;
        if (lex(p) != 0 || expect_operand(p, &op, 0) != 0)
            goto fail;
        n = parse_unary(p);
        if (n == NULL)
            goto fail;
    }
    return group_node(p, DQ_OR, &v, start, 0);
fail:
    vec_free(&v);
    return NULL;
}

/* andexpr := orexpr ( [AND | OCH] orexpr )*; at least one kid is not a
 * NOT. Stops at ')' or the end. */
static dq_node *parse_and(parser *p)
{
    size_t start = p->tok.start, i;
    vec v = {0};

    for (;;) {
        tok_type t = p->tok.type;
        if (starts_operand(t)) {
            dq_node *n = parse_or(p);
            if (n == NULL || vec_push(p, &v, n, DQ_AND) != 0)
                goto fail;
        } else if (t == T_AND || t == T_OR || t == T_NEAR) {
            token op = p->tok;
            if (v.n == 0 || t != T_AND) {
                FAIL(p, op.start, "'%.*s' needs a word or a phrase before "
                                  "it",
                     "'%.*s' behöver ett ord eller en fras före sig",
                     tlen(p, &op), ttext(p, &op));
                goto fail;
            }
            if (lex(p) != 0 || expect_operand(p, &op, 0) != 0)
                goto fail;
        } else {
            break;
        }
    }
    if (v.n == 0) {
        FAIL0(p, p->tok.start, "expected a word, a phrase or '('",
              "här ska ett ord, en fras eller '(' stå");
        goto fail;
    }
    for (i = 0; i < v.n && v.v[i]->kind == DQ_NOT; i++)
        ;
    if (i == v.n) {
        FAIL0(p, v.v[0]->offset, NOT_ALONE, NOT_ALONE_SV);
        goto fail;
    }
    return group_node(p, DQ_AND, &v, start, 0);
fail:
    vec_free(&v);
    return NULL;
}

/* query := andexpr EOF */
static dq_node *parse_query(parser *p)
{
    dq_node *n;

    if (lex(p) != 0)
        return NULL;
    if (p->tok.type == T_EOF) {
        FAIL0(p, 0, "empty query: expected at least one word",
              "tom fråga: skriv minst ett ord");
        return NULL;
    }
    if (p->tok.type == T_RP) {
        FAIL0(p, p->tok.start, NO_OPEN, NO_OPEN_SV);
        return NULL;
    }
    n = parse_and(p);
    if (n != NULL && p->tok.type != T_EOF) {
        if (p->tok.type == T_RP)
            FAIL0(p, p->tok.start, NO_OPEN, NO_OPEN_SV);
        else
            FAIL(p, p->tok.start, "unexpected '%.*s'", "oväntat '%.*s'",
                 tlen(p, &p->tok), ttext(p, &p->tok));
        dq_node_free(n);
        return NULL;
    }
    return n;
}

/* Beyond dq_parse.h: q == NULL is the empty query, and out == NULL only
 * checks the query (the tree is freed at once). */
int dq_parse(const char *q, size_t len, const char *const *fields,
             dq_node **out, dq_parse_error *perr)
{
    parser p;
    dq_node *n = NULL;
    size_t bad;

    memset(&p, 0, sizeof p);
    p.q = q != NULL ? q : "";
    p.len = q != NULL ? len : 0;
    p.fields = fields;
    if (out != NULL)
        *out = NULL;
    if (p.len > MAX_QUERY) {
        FAIL(&p, MAX_QUERY, "query too long: %zu bytes, at most %d (64 KiB)",
             "för lång fråga: %zu byte, högst %d (64 KiB)", p.len, MAX_QUERY);
    } else if ((bad = utf8_bad((const unsigned char *)p.q, p.len)) < p.len) {
        if (p.q[bad] == '\0')
            FAIL0(&p, bad, "the query contains a NUL character",
                  "frågan innehåller ett NUL-tecken");
        else
            FAIL(&p, bad, "invalid UTF-8 (byte 0x%02X): expected UTF-8 text",
                 "ogiltig UTF-8 (byten 0x%02X): frågan ska vara UTF-8-text",
                 (unsigned char)p.q[bad]);
    } else {
        n = parse_query(&p);
    }
    if (p.status == DQ_OK && n == NULL)
        FAIL0(&p, 0, "internal error: no tree and no error",
              "internt fel: inget träd och inget fel"); /* not reached */
    if (p.status != DQ_OK) {
        dq_node_free(n);
        if (perr != NULL) {
            perr->offset = p.err_offset;
            perr->column = column_of(p.q, p.err_offset);
            memcpy(perr->msg, p.err_msg, sizeof perr->msg);
            memcpy(perr->msg_sv, p.err_sv, sizeof perr->msg_sv);
        }
        return p.status;
    }
    if (out != NULL)
        *out = n;
    else
        dq_node_free(n);
    return DQ_OK;
}

void dq_node_free(dq_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        dq_node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n->text2);
    free(n->field);
    free(n);
}

/* -------------------------------------------------------------- describe */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n >= b->cap - b->len) {
        size_t cap = b->cap;
        char *ns;
        while (n >= cap - b->len) {
            if (cap > (size_t)-1 / 2) {
                b->failed = 1;
                return;
            }
            cap *= 2;
        }
        ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put_str(sbuf *b, const char *s)
{
    if (s != NULL)
        put(b, s, strlen(s));
}

static void describe(sbuf *b, const dq_node *n)
{
    static const char *const names[] = {"WORD", "PHRASE", "AND", "OR",
                                        "NOT", "NEAR", "FIELD"};
    char num[32];

    if ((unsigned)n->kind > DQ_FIELD) {
        put_str(b, "?()");
        return;
    }
    put_str(b, names[n->kind]);
    if (n->kind == DQ_NEAR) {
        snprintf(num, sizeof num, "/%u", n->window);
        put_str(b, num);
    }
    put_str(b, "(");
    switch (n->kind) {
    case DQ_WORD:
        put_str(b, n->text);
        if (n->prefix)
            put_str(b, "*");
        break;
    case DQ_FIELD:
        put_str(b, n->field);
        put_str(b, ":");
        if (n->range) {
            put_str(b, n->text);
            put_str(b, "..");
            put_str(b, n->text2);
        } else if (n->quoted) {
            put_str(b, "\"");
            put_str(b, n->text);
            put_str(b, "\"");
        } else {
            put_str(b, n->text);
        }
        break;
    case DQ_PHRASE:
        for (size_t i = 0; i < n->nkids; i++) {
            if (i > 0)
                put_str(b, " ");
            if (n->kids[i]->kind == DQ_WORD)
                put_str(b, n->kids[i]->text);
            else
                describe(b, n->kids[i]);
        }
        break;
    default:
        for (size_t i = 0; i < n->nkids; i++) {
            if (i > 0)
                put_str(b, " ");
            describe(b, n->kids[i]);
        }
        break;
    }
    put_str(b, ")");
}

char *dq_node_describe(const dq_node *n)
{
    sbuf b = {NULL, 0, 64, 0};

    b.s = malloc(b.cap);
    if (b.s == NULL)
        return NULL;
    b.s[0] = '\0';
    if (n != NULL)
        describe(&b, n);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
