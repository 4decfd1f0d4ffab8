/*
 * dx_meta_doc.c — the document model of metadata extraction (dx_meta.h,
 * private interface in dx_meta_int.h): the text tokenised once, every
 * token with its OCR skeleton, a table of lines, the header; comparing a
 * word in the text with a word we know (form_cost: exact, or the same
 * skeleton and an sv_confusion_cost() within sv_confusion_budget(), so the
 * clean, stripped and OCR flavours of a document read alike); the fixed
 * words' table; the strings kept in the result, with their spellings
 * restored.
 */
#include "dx_meta_int.h"
#include "sv.h"
#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Comparing words.
 * ------------------------------------------------------------------- */

/* The cost of reading w (wl bytes, lower-cased) as the known form q (ql
 * bytes, lower-cased, spelled properly): 0 when identical, > 0 for an
 * OCR/diacritic reading, NOMATCH when w cannot be q. wskel is w's skeleton
 * when the caller has it, else NULL. */
double dxm_form_cost(const char *q, size_t ql, const char *w, size_t wl,
                     const char *wskel)
{
    if (ql == wl && memcmp(q, w, ql) == 0) return 0;
    if (ql == 0 || wl == 0 || ql > SV_TOKEN_MAX || wl > SV_TOKEN_MAX)
        return NOMATCH;
    char qs[SV_SKELETON_MAX], ws[SV_SKELETON_MAX];
    if (!sv_skeleton(q, ql, qs, sizeof qs)) return NOMATCH;
    if (!wskel) {
        if (!sv_skeleton(w, wl, ws, sizeof ws)) return NOMATCH;
        wskel = ws;
    }
    if (strcmp(qs, wskel) != 0) return NOMATCH;
    double budget = sv_confusion_budget(q, ql, ql);
    double c = sv_confusion_cost(q, ql, ql, w, wl, budget);
    return c <= budget ? c : NOMATCH;
}

/* ---------------------------------------------------------------------
 * The document: tokens with skeletons, lines, header.
 * ------------------------------------------------------------------- */

/* The text of each fixed word: lower case, spelled properly. */
const char *const dxm_word_text[W_END] = {
#define X(id, text) text,
    DX_META_WORDS(X)
#undef X
};

/* FNV-1a of a skeleton (NUL-terminated): tokens and fixed words whose
 * skeletons differ almost always differ here, which is all tok_cost
 * needs to know for most of its comparisons. */
static uint64_t skel_hash(const char *sk)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *sk; sk++) {
        h ^= (unsigned char)*sk;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Fills c (zeroed) for every fixed word. */
void dxm_qskel_init(qskel *c)
{
    for (int w = 0; w < W_END; w++) {
        c->len[w] = strlen(dxm_word_text[w]);
        c->has[w] = sv_skeleton(dxm_word_text[w], c->len[w], c->sk[w],
                                sizeof c->sk[w]) != 0;
        if (c->has[w]) c->hash[w] = skel_hash(c->sk[w]);
    }
}

void dxm_doc_free(doc *d)
{
    sv_tokens_free(&d->tk);
    free(d->skoff);
    free(d->skh);
    free(d->skbuf);
    free(d->tline);
    free(d->lines);
    free(d->ltok);
    if (d->own_qc) free(d->qc);
    memset(d, 0, sizeof *d);
}

/* Cost of reading token t as the word (q, ql), wherever it is kept;
 * NOMATCH for non-words. */
double dxm_tok_cost_n(const doc *d, size_t t, const char *q, size_t ql)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return NOMATCH;
    const char *w = tnorm(d, t);
    size_t wl = tlen(d, t);
    if (ql == wl && memcmp(q, w, ql) == 0) return 0;
    return dxm_form_cost(q, ql, w, wl, d->skbuf + d->skoff[t]);
}

/* 1 when only white space (at most maxnl newlines) and, if hyphen, at
 * most one '-' directly after token a separate tokens a and b. */
int dxm_gap_ok(const doc *d, size_t a, size_t b, int maxnl, int hyphen)
{
    size_t i = d->tk.tok[a].end, e = d->tk.tok[b].start;
    int nl = 0;
    if (hyphen && i < e && d->s[i] == '-') i++;
    for (; i < e; i++) {
        char c = d->s[i];
        if (c == '\n') {
            if (++nl > maxnl) return 0;
        } else if (c != ' ' && c != '\t') {
            return 0;
        }
    }
    return 1;
}

/* qc: the context's cache of fixed words, or NULL for one of its own;
 * skm: the context's memo of skeletons, or NULL. */
int dxm_doc_init(doc *d, const char *s, size_t len, qskel *qc,
                 sv_skelmemo *skm)
{
    memset(d, 0, sizeof *d);
    d->s = s;
    d->len = len;
    d->plain = 1;
    for (size_t i = 0; i + 1 < len && d->plain; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)s[i + 1];
        if (a == 0xC3 && (b == 0xA5 || b == 0xA4 || b == 0xB6 || b == 0x85 ||
                          b == 0x84 || b == 0x96))
            d->plain = 0;
    }
    d->qc = qc;
    if (!d->qc) {
        d->qc = calloc(1, sizeof *d->qc);
        if (!d->qc) return DX_ENOMEM;
        d->own_qc = 1;
        dxm_qskel_init(d->qc);
    }
    if (sv_tokenize(s, len, &d->tk) != SV_OK) return DX_ENOMEM;
    size_t n = d->tk.n;

    /* Skeletons: at most one byte per byte of the form, plus NUL. */
    d->skoff = malloc((n ? n : 1) * sizeof *d->skoff);
    d->skh = malloc((n ? n : 1) * sizeof *d->skh);
    d->skbuf = malloc(d->tk.blen + n + 1);
    d->tline = malloc((n ? n : 1) * sizeof *d->tline);
    if (!d->skoff || !d->skh || !d->skbuf || !d->tline) return DX_ENOMEM;
    size_t o = 0;
    for (size_t t = 0; t < n; t++) {
        d->skoff[t] = o;
        size_t cap = tlen(d, t) + 1;
        size_t k = 0;
        if (!(d->tk.tok[t].flags & SV_TOKF_LONG))
            k = sv_skeleton_memo(skm, tnorm(d, t), tlen(d, t), d->skbuf + o,
                                 cap);
        if (k == 0) d->skbuf[o] = '\0';
        d->skh[t] = skel_hash(d->skbuf + o);
        o += k + 1;
    }

    /* Lines. */
    size_t nl = 1;
    for (size_t i = 0; i < len; i++) nl += s[i] == '\n';
    d->lines = malloc(nl * sizeof *d->lines);
    d->ltok = malloc((nl + 1) * sizeof *d->ltok);
    if (!d->lines || !d->ltok) return DX_ENOMEM;
    size_t at = 0;
    d->nlines = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            d->lines[d->nlines].start = at;
            d->lines[d->nlines].end = i;
            d->nlines++;
            at = i + 1;
        }
    }
    size_t t = 0;
    for (size_t l = 0; l < d->nlines; l++) {
        d->ltok[l] = t;
        while (t < n && d->tk.tok[t].start <= d->lines[l].end) {
            d->tline[t] = l;
            t++;
        }
    }
    d->ltok[d->nlines] = n;
    return DX_OK;
}

/* The line's text without leading white space, '#' and '*', and
 * without trailing white space. */
span dxm_line_trim(const doc *d, size_t l)
{
    span r = d->lines[l];
    while (r.start < r.end &&
           (is_space(d->s[r.start]) || d->s[r.start] == '#' ||
            d->s[r.start] == '*'))
        r.start++;
    while (r.end > r.start && is_space(d->s[r.end - 1])) r.end--;
    return r;
}

int dxm_line_blank(const doc *d, size_t l)
{
    span r = dxm_line_trim(d, l);
    return r.start == r.end;
}

/* 1 when line l consists of exactly the words of `phrase` (space
 * separated, lower case), apart from punctuation such as ':', '/', '#'. */
int dxm_line_is(const doc *d, size_t l, const char *phrase)
{
    size_t t = d->ltok[l], e = d->ltok[l + 1];
    const char *p = phrase;
    while (*p) {
        const char *w = p;
        while (*p && *p != ' ') p++;
        /* (Not tok_is: the word is not a string of its own.) */
        if (t >= e || dxm_tok_cost_n(d, t, w, (size_t)(p - w)) < 0) return 0;
        t++;
        while (*p == ' ') p++;
    }
    if (t != e) return 0;
    /* Nothing but the words and light punctuation on the line. */
    span r = dxm_line_trim(d, l);
    for (size_t i = r.start; i < r.end; i++) {
        char c = d->s[i];
        if (c == '.' || c == ',' || c == '(' || c == ')' || c == '@')
            return 0;
    }
    return 1;
}

/* Section headings that end the header. */
static const char *const section_headings[] = {
    "inledning", "sammanfattning", "bakgrund", "beslut",
    "skolinspektionens beslut", "skolinspektionens bedömning",
    "förslag till beslut", "ärendebeskrivning", "sammanfattning av ärendet",
    "namnbyte", "utredning", "bakgrund ärendet", "ärendet", "ärendets beredning",
    "motivering", "motivering till beslutet", "redovisning", "yrkanden",
    "beslutsunderlag", "beslutsgång", "bedömning", "bakgrund och bedömning",
    NULL};

int dxm_is_section_heading(const doc *d, size_t l)
{
    size_t n = line_ntok(d, l);
    if (n == 0 || n > 4) return 0;
    for (const char *const *h = section_headings; *h; h++)
        if (dxm_line_is(d, l, *h)) return 1;
    /* "Utbildningsnämndens beslut" */
    size_t t = d->ltok[l];
    if (n == 2 && tok_is(d, t + 1, W_BESLUT) && tok_capital(d, t) &&
        tlen(d, t) > 3 && tnorm(d, t)[tlen(d, t) - 1] == 's') {
        span r = dxm_line_trim(d, l);
        for (size_t i = r.start; i < r.end; i++)
            if (d->s[i] == '.' || d->s[i] == ',') return 0;
        return 1;
    }
    return 0;
}

/* The header: lines before the first section heading, at most 30. A
 * "Beslut" on the first non-blank line is the type label, not a heading. */
void dxm_find_header(doc *d)
{
    size_t first = 0;
    while (first < d->nlines && dxm_line_blank(d, first)) first++;
    size_t l = 0;
    for (; l < d->nlines && l < 30; l++) {
        if (l == first && dxm_line_is(d, l, "beslut")) continue;
        if (dxm_is_section_heading(d, l)) break;
    }
    d->hdr_lines = l;
    d->hdr_toks = l < d->nlines ? d->ltok[l] : d->tk.n;
}

/* ---------------------------------------------------------------------
 * Strings kept in the result.
 * ------------------------------------------------------------------- */

/* Sets *dst to a copy of s[0..n) with runs of white space and control
 * characters collapsed to one space, trimmed, cut to DX_META_VALUE_MAX
 * bytes at a character boundary. An empty result leaves *dst NULL.
 * Returns DX_OK or DX_ENOMEM. */
int dxm_set_str(char **dst, const char *s, size_t n)
{
    free(*dst);
    *dst = NULL;
    char *o = malloc(n + 1);
    if (!o) return DX_ENOMEM;
    size_t k = 0;
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == ' ' || c == 0x7F) {
            sp = k > 0;
            continue;
        }
        if (sp) o[k++] = ' ';
        sp = 0;
        o[k++] = (char)c;
    }
    if (k > DX_META_VALUE_MAX) {
        k = DX_META_VALUE_MAX;
        while (k > 0 && ((unsigned char)o[k] & 0xC0) == 0x80) k--;
        while (k > 0 && o[k - 1] == ' ') k--;
    }
    o[k] = '\0';
    if (k == 0) {
        free(o);
        return DX_OK;
    }
    *dst = o;
    return DX_OK;
}

void dxm_sb_put(sbuf *b, const char *s, size_t n, int *rc)
{
    if (*rc != DX_OK) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            *rc = DX_ENOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void dxm_sb_puts(sbuf *b, const char *s, int *rc)
{
    dxm_sb_put(b, s, strlen(s), rc);
}

/* Appends the form of token t, with its first letter upper-cased when
 * `cap` (ASCII and Latin-1 letters; others as they are). */
void dxm_sb_put_form(sbuf *b, const char *form, size_t n, int cap, int *rc)
{
    if (cap && n > 0) {
        size_t i = 0;
        int cp = sv_utf8_next(form, n, &i);
        if ((cp >= 'a' && cp <= 'z') || (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7))
            cp -= 0x20;
        char buf[4];
        dxm_sb_put(b, buf, sv_utf8_put(cp, buf), rc);
        dxm_sb_put(b, form + i, n - i, rc);
    } else {
        dxm_sb_put(b, form, n, rc);
    }
}

/* ---------------------------------------------------------------------
 * Restoring a spelling: of the spellings of a word in the document (same
 * skeleton), the one that can be read as most of the others. A clean
 * "Tjärhovsskolan" explains "Tjarhovsskolan" and "Tjirhovsskolan"; of
 * "Tjarhovsskolan", "Tjirhovsskolan" and "Tjdrhovsskolan", "Tjarhovsskolan"
 * (a stripped letter can be read as either OCR glyph, not the other way).
 * Returns the token whose form to use (t itself when nothing better).
 * ------------------------------------------------------------------- */
/* Letters of w outside a-z, å, ä, ö: what OCR puts where å/ä/ö stood
 * (é, digits, '&', '|'). */
static size_t damage(const char *w, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        int cp = sv_utf8_next(w, n, &i);
        if (!((cp >= 'a' && cp <= 'z') || cp == 0xE5 || cp == 0xE4 ||
              cp == 0xF6))
            k++;
    }
    return k;
}

/* At most this many spellings of one word are weighed (the first ones in
 * the text), which bounds the work on any input. */
#define SPELLINGS_MAX 64

static size_t best_spelling(const doc *d, size_t t)
{
    const char *sk = d->skbuf + d->skoff[t];
    if (!*sk || tkind(d, t) != SV_TOK_WORD) return t;
    size_t occ[SPELLINGS_MAX], n = 0;
    occ[n++] = t;
    for (size_t v = 0; v < d->tk.n && n < SPELLINGS_MAX; v++)
        if (v != t && tkind(d, v) == SV_TOK_WORD &&
            strcmp(d->skbuf + d->skoff[v], sk) == 0)
            occ[n++] = v;
    size_t best = t, bestn = 0, bestd = 0;
    double bestc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t v = occ[i];
        const char *q = tnorm(d, v);
        size_t ql = tlen(d, v);
        size_t j = 0;
        for (; j < i; j++) /* a form already weighed */
            if (tlen(d, occ[j]) == ql && memcmp(tnorm(d, occ[j]), q, ql) == 0)
                break;
        if (j < i) continue;
        double budget = sv_confusion_budget(q, ql, ql);
        if (sv_confusion_cost(q, ql, ql, tnorm(d, t), tlen(d, t), budget) >
            budget)
            continue; /* cannot be what t means */
        size_t explained = 0;
        double c = 0;
        for (j = 0; j < n; j++) {
            double k = sv_confusion_cost(q, ql, ql, tnorm(d, occ[j]),
                                         tlen(d, occ[j]), budget);
            if (k <= budget) {
                explained++;
                c += k;
            }
        }
        size_t dmg = damage(q, ql);
        if (explained > bestn || (explained == bestn && dmg < bestd) ||
            (explained == bestn && dmg == bestd && c < bestc)) {
            best = v;
            bestn = explained;
            bestd = dmg;
            bestc = c;
        }
    }
    return best;
}

/* Appends the text s[a..e) with each word token in it replaced by its
 * best spelling (keeping a capital first letter); white space is collapsed
 * later by set_str. Tokens [t0, t1) cover the range. Stops after about
 * 2 * DX_META_VALUE_MAX bytes (set_str cuts to DX_META_VALUE_MAX). */
void dxm_sb_put_restored(sbuf *b, const doc *d, size_t a, size_t e,
                         size_t t0, size_t t1, int *rc)
{
    size_t i = a, limit = b->n + 2 * DX_META_VALUE_MAX;
    for (size_t t = t0; t < t1 && *rc == DX_OK && b->n < limit; t++) {
        const sv_token *k = &d->tk.tok[t];
        if (k->start < i || k->end > e) continue;
        dxm_sb_put(b, d->s + i, k->start - i, rc);
        size_t v = best_spelling(d, t);
        if (v == t || (k->flags & SV_TOKF_HYPHENATED)) {
            dxm_sb_put(b, d->s + k->start, k->end - k->start, rc);
        } else {
            dxm_sb_put_form(b, tnorm(d, v), tlen(d, v), tok_capital(d, t), rc);
        }
        i = k->end;
    }
    if (i < e && b->n < limit)
        dxm_sb_put(b, d->s + i, e - i < limit - b->n ? e - i : limit - b->n,
                   rc);
}
