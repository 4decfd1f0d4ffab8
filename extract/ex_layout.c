/*
 * ex_layout.c — glyphs to clean page texts (see ex_layout.h for the
 * rules). Per page: words, rows, columns, lines (kept with their boxes);
 * per document at the end: running headers and footers, paragraphs,
 * line-end hyphens, NFC.
 */
#include "ex_layout.h"

#include "ex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

typedef struct buf {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void buf_grow(buf *b, size_t need)
{
    if (b->oom || b->n + need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + need) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void buf_add(buf *b, const char *s, size_t n)
{
    buf_grow(b, n + 1);
    if (b->oom) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_put_cp(buf *b, uint32_t cp)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)cp, tmp);
    if (k > 0) buf_add(b, (const char *)tmp, (size_t)k);
}

/* Decodes the code point before byte `end` of s (valid UTF-8 from our own
 * encoder); *start receives its first byte. */
static uint32_t last_cp(const char *s, size_t end, size_t *start)
{
    size_t i = end;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0) i--;
    utf8proc_int32_t cp = 0;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                         (utf8proc_ssize_t)(end - i), &cp) < 0)
        cp = 0xFFFD;
    if (start) *start = i;
    return (uint32_t)cp;
}

static uint32_t first_cp(const char *s, size_t len)
{
    utf8proc_int32_t cp = 0;
    if (len == 0) return 0;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                         &cp) < 0)
        return 0xFFFD;
    return (uint32_t)cp;
}

static int is_upper(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static int is_letter(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int is_digit(uint32_t cp)
{
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND;
}

static int is_combining(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
           c == UTF8PROC_CATEGORY_ME;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* The value at fraction q (0..1) of v[0..n) once sorted; v is sorted in
 * place. n > 0. */
static float quantile(float *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_float);
    size_t k = (size_t)(q * (double)(n - 1) + 0.5);
    return v[k < n ? k : n - 1];
}

/* ------------------------------------------------------------------------ */
/* Normalisation                                                            */

size_t ex_norm_cp(uint32_t cp, uint32_t out[3])
{
    switch (cp) {
    case 0xFB00: out[0] = 'f'; out[1] = 'f'; return 2;
    case 0xFB01: out[0] = 'f'; out[1] = 'i'; return 2;
    case 0xFB02: out[0] = 'f'; out[1] = 'l'; return 2;
    case 0xFB03: out[0] = 'f'; out[1] = 'f'; out[2] = 'i'; return 3;
    case 0xFB04: out[0] = 'f'; out[1] = 'f'; out[2] = 'l'; return 3;
    case 0xFB05: /* long s + t */
    case 0xFB06: out[0] = 's'; out[1] = 't'; return 2;
    case 0x2010: case 0x2011: out[0] = '-'; return 1;
    case 0xF0B7: out[0] = 0x2022; return 1; /* Symbol font's bullet */
    case '\t': case 0x00A0: case 0x1680: case 0x202F: case 0x205F:
    case 0x3000:
        out[0] = ' ';
        return 1;
    case '\n': out[0] = '\n'; return 1;
    case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060:
    case 0xFEFF:
        return 0;
    default:
        break;
    }
    if (cp >= 0x2000 && cp <= 0x200A) { out[0] = ' '; return 1; }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        out[0] = 0xFFFD;
        return 1;
    }
    out[0] = cp;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* The hyphen rule                                                          */

static int word_is(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n != k) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != w[i]) return 0;
    }
    return 1;
}

int ex_hyphen_rule(const char *left, size_t llen, const char *right,
                   size_t rlen)
{
    size_t hs;
    uint32_t hy = last_cp(left, llen, &hs);
    if (hy == 0x00AD) return EX_HYPHEN_JOIN;
    /* The part before the hyphen. */
    size_t bs = 0;
    uint32_t before = hs > 0 ? last_cp(left, hs, &bs) : 0;
    /* The conjunction of a suspended compound: "barn- och". The next word
     * may carry punctuation ("till," is not a conjunction use, but
     * harmless to treat as one). */
    size_t wl = 0;
    while (wl < rlen && right[wl] != ',' && right[wl] != ';') wl++;
    static const char *const conj[] = {"och", "eller", "samt", "respektive",
                                       "resp.", "resp", "till"};
    for (size_t i = 0; i < sizeof conj / sizeof *conj; i++)
        if (word_is(right, wl, conj[i])) return EX_HYPHEN_SPACE;
    uint32_t after = first_cp(right, rlen);
    if (is_upper(after) || is_digit(after)) return EX_HYPHEN_KEEP;
    if (is_upper(before) || is_digit(before)) return EX_HYPHEN_KEEP;
    if (!is_letter(after) || !is_letter(before)) return EX_HYPHEN_KEEP;
    /* A one-letter first part (e-post, i-land) is no syllable split. */
    if (hs > 0) {
        size_t b2;
        uint32_t prev = bs > 0 ? last_cp(left, bs, &b2) : 0;
        if (!is_letter(prev)) return EX_HYPHEN_KEEP;
    }
    return EX_HYPHEN_JOIN;
}

/* ------------------------------------------------------------------------ */
/* Pages                                                                    */

/* A segment: a part of a line that came from one line of the PDF
 * library's and is not split by a wide gap (more than 0.7 times the text
 * height; justified text stays under 0.6): a running header beside a
 * heading is a segment of its own. Running
 * headers and footers are found and removed segment by segment. */
typedef struct seg {
    size_t off, len;          /* text in the page's line buffer */
    float x0, x1, first_w;
    int running;
} seg;

/* A line as read (a row, or a row's part on one side of a gutter). */
typedef struct line {
    size_t off, len;          /* text in the page's line buffer */
    size_t seg, nseg;         /* its segments in the page's array */
    float x0, y0, x1, y1, h;  /* box; h its words' median height */
    float first_w;            /* width of its first word */
    float second_x;           /* where its second word starts (hanging
                                 indents of lists), or its x1 */
    int col;                  /* lines of one column share it */
    int running;              /* a running header or footer */
} line;

typedef struct page {
    double w, h;
    line *lines;
    size_t nlines;
    seg *segs;
    size_t nsegs;
    char *text;               /* the line texts, then (finish) the page's */
    size_t glyphs;
    char *out;
    size_t outlen;
    int runs_on;
} page;

struct ex_layout {
    page *pages;
    size_t npages, cap;
    char *running;
    size_t running_len;
    int finished;
};

int ex_layout_new(ex_layout **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? EX_OK : EX_ENOMEM;
}

void ex_layout_free(ex_layout *lo)
{
    if (!lo) return;
    for (size_t i = 0; i < lo->npages; i++) {
        free(lo->pages[i].lines);
        free(lo->pages[i].segs);
        free(lo->pages[i].text);
        free(lo->pages[i].out);
    }
    free(lo->pages);
    free(lo->running);
    free(lo);
}

/* Words of one page under construction. */
typedef struct word {
    size_t off, len;          /* text in the word buffer */
    float x0, y0, x1, y1;
    int vertical;             /* a whole line of rotated text */
    size_t src;               /* the PDF library's line it came from */
} word;

typedef struct row {
    size_t *w;                /* word indices, sorted by x0 */
    size_t n;
} row;

typedef struct span {
    float a, b;               /* a free strip (a may be -inf, b +inf) */
} span;

typedef struct pctx {
    word *words;
    size_t nwords, capw;
    buf wb;                   /* word texts */
    buf lb;                   /* line texts */
    line *lines;
    size_t nlines, capl;
    seg *segs;
    size_t nsegs, caps;
    float hmed;               /* median word height on the page */
    int ncols;                /* column ids handed out */
    int oom;
} pctx;

static word *new_word(pctx *c)
{
    if (c->nwords == c->capw) {
        size_t cap = c->capw ? c->capw * 2 : 256;
        word *w = realloc(c->words, cap * sizeof *w);
        if (!w) {
            c->oom = 1;
            return NULL;
        }
        c->words = w;
        c->capw = cap;
    }
    word *w = &c->words[c->nwords++];
    memset(w, 0, sizeof *w);
    w->off = c->wb.n;
    w->x0 = w->y0 = INFINITY;
    w->x1 = w->y1 = -INFINITY;
    return w;
}

static void grow_box(word *w, const ex_glyph *g)
{
    if (g->x0 < w->x0) w->x0 = g->x0;
    if (g->y0 < w->y0) w->y0 = g->y0;
    if (g->x1 > w->x1) w->x1 = g->x1;
    if (g->y1 > w->y1) w->y1 = g->y1;
}

static int finite_box(const ex_glyph *g)
{
    return isfinite(g->x0) && isfinite(g->y0) && isfinite(g->x1) &&
           isfinite(g->y1) && g->x1 >= g->x0 && g->y1 >= g->y0;
}

/* Words of one line of the PDF library: g[0..n), no '\n' among them. */
static void line_words(pctx *c, const ex_glyph *g, size_t n, size_t src,
                       size_t *glyphs)
{
    /* Text glyphs, their heights, and the line's direction. */
    size_t ntext = 0, first = 0, last = 0;
    float hs[64];
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t o[3];
        size_t m = ex_norm_cp(g[i].cp, o);
        if (g[i].cp == 0x00AD && finite_box(&g[i])) {
            last = i; /* a soft hyphen may end the line */
            continue;
        }
        if (m == 0 || o[0] == ' ' || !finite_box(&g[i])) continue;
        if (ntext == 0) first = i;
        last = i;
        ntext++;
        if (nh < sizeof hs / sizeof *hs) hs[nh++] = g[i].y1 - g[i].y0;
    }
    if (ntext == 0) return;
    *glyphs += ntext;
    float h = quantile(hs, nh, 0.5);
    if (!(h > 0)) h = 1;
    float dx = fabsf((g[last].x0 + g[last].x1) - (g[first].x0 + g[first].x1));
    float dy = fabsf((g[last].y0 + g[last].y1) - (g[first].y0 + g[first].y1));
    int vertical = ntext >= 2 && dy > dx;

    word *w = NULL;
    float prev_x0 = 0, prev_x1 = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n && !c->oom; i++) {
        uint32_t o[3];
        size_t m = ex_norm_cp(g[i].cp, o);
        if (g[i].cp == 0x00AD && i == last) {
            /* A soft hyphen ending the line stays for the hyphen rule. */
            o[0] = 0x00AD;
            m = 1;
        }
        if (m == 0) continue;
        if (o[0] == ' ') {
            if (vertical) pending_space = w != NULL;
            else w = NULL;
            continue;
        }
        if (!finite_box(&g[i])) continue;
        if (w && !vertical && !is_combining(o[0])) {
            float gap = g[i].x0 - prev_x1;
            if (gap > 0.2f * h || g[i].x1 < prev_x0 - 0.5f * h) w = NULL;
        }
        if (!w) {
            w = new_word(c);
            if (!w) return;
            w->vertical = vertical;
            w->src = src;
            prev_x1 = g[i].x1;
        }
        if (pending_space) {
            buf_add(&c->wb, " ", 1);
            pending_space = 0;
        }
        for (size_t k = 0; k < m; k++) buf_put_cp(&c->wb, o[k]);
        w->len = c->wb.n - w->off;
        grow_box(w, &g[i]);
        prev_x0 = g[i].x0;
        if (g[i].x1 > prev_x1) prev_x1 = g[i].x1;
    }
    if (c->wb.oom) c->oom = 1;
}

/* A word's sort key: rows are made in order of vertical centre, a row's
 * words put in x order. */
typedef struct wkey {
    float k1, k2;
    size_t w;
} wkey;

static int cmp_wkey(const void *a, const void *b)
{
    const wkey *x = a, *y = b;
    if (x->k1 != y->k1) return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2) return x->k2 < y->k2 ? -1 : 1;
    return x->w < y->w ? -1 : x->w > y->w;
}

static seg *new_seg(pctx *c)
{
    if (c->nsegs == c->caps) {
        size_t cap = c->caps ? c->caps * 2 : 64;
        seg *v = realloc(c->segs, cap * sizeof *v);
        if (!v) {
            c->oom = 1;
            return NULL;
        }
        c->segs = v;
        c->caps = cap;
    }
    seg *g = &c->segs[c->nsegs++];
    memset(g, 0, sizeof *g);
    return g;
}

/* Appends one line made of the words w[0..n) (in x order). */
static void add_line(pctx *c, const size_t *w, size_t n, int col)
{
    if (n == 0 || c->oom) return;
    if (c->nlines == c->capl) {
        size_t cap = c->capl ? c->capl * 2 : 64;
        line *l = realloc(c->lines, cap * sizeof *l);
        if (!l) {
            c->oom = 1;
            return;
        }
        c->lines = l;
        c->capl = cap;
    }
    line *l = &c->lines[c->nlines];
    memset(l, 0, sizeof *l);
    l->off = c->lb.n;
    l->seg = c->nsegs;
    l->x0 = l->y0 = INFINITY;
    l->x1 = l->y1 = -INFINITY;
    seg *g = NULL;
    float hs[64];
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        const word *x = &c->words[w[i]];
        if (nh < sizeof hs / sizeof *hs) hs[nh++] = x->y1 - x->y0;
        if (i > 0) buf_add(&c->lb, " ", 1);
        if (!g || x->x0 - g->x1 > 0.7f * c->hmed ||
            x->src != c->words[w[i - 1]].src) {
            if (g) g->len = c->lb.n - 1 - g->off;
            g = new_seg(c);
            if (!g) return;
            g->off = c->lb.n;
            g->x0 = x->x0;
            g->x1 = x->x1;
            g->first_w = x->x1 - x->x0;
        }
        buf_add(&c->lb, c->wb.p + x->off, x->len);
        if (x->x1 > g->x1) g->x1 = x->x1;
        if (x->x0 < l->x0) l->x0 = x->x0;
        if (x->y0 < l->y0) l->y0 = x->y0;
        if (x->x1 > l->x1) l->x1 = x->x1;
        if (x->y1 > l->y1) l->y1 = x->y1;
    }
    g->len = c->lb.n - g->off;
    l->h = quantile(hs, nh, 0.5);
    l->second_x = n > 1 ? c->words[w[1]].x0 : l->x1;
    l->nseg = c->nsegs - l->seg;
    l->first_w = c->words[w[0]].x1 - c->words[w[0]].x0;
    l->len = c->lb.n - l->off;
    l->col = col;
    if (c->lb.oom) {
        c->oom = 1;
        return;
    }
    c->nlines++;
}

/* ------------------------------------------------------------------------ */
/* Columns                                                                  */

typedef struct spans {
    span *v;
    size_t n, cap;
} spans;

static int spans_push(spans *s, float a, float b)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        span *v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].a = a;
    s->v[s->n].b = b;
    s->n++;
    return 0;
}

/* The strips a row leaves free: before its first word, between words at
 * least `gap` apart, after its last word. Sorted, disjoint. */
static int row_free(const pctx *c, const row *r, float gap, spans *out)
{
    out->n = 0;
    float reach = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        const word *w = &c->words[r->w[i]];
        float a = i == 0 ? -INFINITY : reach;
        if (i == 0 || w->x0 - reach >= gap)
            if (w->x0 > a && spans_push(out, a, w->x0) != 0) return -1;
        if (w->x1 > reach) reach = w->x1;
    }
    return spans_push(out, reach, INFINITY);
}

/* u := s ∩ t, keeping strips at least `gap` wide (all sorted). Returns 0
 * or -1 when out of memory. */
static int spans_and(const spans *s, const spans *t, float gap, spans *u)
{
    size_t i = 0, j = 0;
    u->n = 0;
    while (i < s->n && j < t->n) {
        float a = s->v[i].a > t->v[j].a ? s->v[i].a : t->v[j].a;
        float b = s->v[i].b < t->v[j].b ? s->v[i].b : t->v[j].b;
        if (b - a >= gap && spans_push(u, a, b) != 0) return -1;
        if (s->v[i].b < t->v[j].b) i++;
        else j++;
    }
    return 0;
}

static int bounded(const span *g)
{
    return isfinite(g->a) && isfinite(g->b);
}

/* Whether strip g over rows r[0..n) is a gutter between two columns (the
 * rules in ex_layout.h, step 3); *both receives the rows with words on
 * both sides. */
static int is_gutter(const pctx *c, const row *r, size_t n, const span *g,
                     size_t *both)
{
    size_t left = 0, right = 0, nb = 0, clear = 0;
    float lx0 = INFINITY, lx1 = -INFINITY, rx0 = INFINITY, rx1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        int hl = 0, hr = 0;
        float lend = -INFINITY, rstart = INFINITY, other = 0;
        float reach = -INFINITY;
        for (size_t k = 0; k < r[i].n; k++) {
            const word *w = &c->words[r[i].w[k]];
            if (w->x1 <= g->a) {
                hl = 1;
                if (w->x0 < lx0) lx0 = w->x0;
                if (w->x1 > lx1) lx1 = w->x1;
                if (w->x1 > lend) lend = w->x1;
            } else if (w->x0 >= g->b) {
                hr = 1;
                if (w->x0 < rx0) rx0 = w->x0;
                if (w->x1 > rx1) rx1 = w->x1;
                if (w->x0 < rstart) rstart = w->x0;
            } else {
                return 0; /* crosses the strip */
            }
            /* The gaps between words on one side. */
            if (k > 0 && !(reach <= g->a && w->x0 >= g->b) &&
                w->x0 - reach > other)
                other = w->x0 - reach;
            if (w->x1 > reach) reach = w->x1;
        }
        left += hl;
        right += hr;
        if (hl && hr) {
            nb++;
            if (rstart - lend >= 1.3f * other) clear++;
        }
    }
    *both = nb;
    if (n < 3 || left < 2 || right < 2) return 0;
    if (lx1 - lx0 < 6 * c->hmed || rx1 - rx0 < 6 * c->hmed) return 0;
    /* Columns side by side share rows; columns whose lines never share a
     * row (set off by half a line) must each have a few. */
    if (nb == 0) return left >= 3 && right >= 3;
    if (nb < 2) return 0;
    return clear * 2 >= nb;
}

/* Looks for a column region starting at row i of r[0..n): the longest run
 * of rows sharing a free strip bounded on both sides, if that strip is a
 * gutter. Returns the run's end (> i) and the gutter, or i when there is
 * none. s, t, u are scratch. */
static size_t find_region(pctx *c, const row *r, size_t n, size_t i,
                          spans *s, spans *t, spans *u, span *gut)
{
    float gap = 0.6f * c->hmed;
    if (row_free(c, &r[i], gap, s) != 0) {
        c->oom = 1;
        return i;
    }
    size_t j = i + 1;
    for (; j < n; j++) {
        if (row_free(c, &r[j], gap, t) != 0 || spans_and(s, t, gap, u) != 0) {
            c->oom = 1;
            return i;
        }
        /* Strips open to a margin may still close (a row with words on
         * one side only); give them three rows. */
        int any = 0;
        for (size_t k = 0; k < u->n && !any; k++)
            any = bounded(&u->v[k]) || j + 1 - i < 3;
        if (!any) break;
        spans x = *s;
        *s = *u;
        *u = x;
    }
    /* Rows i..j-1 share the strips in s. */
    size_t best_both = 0;
    int found = 0;
    for (size_t k = 0; k < s->n; k++) {
        if (!bounded(&s->v[k])) continue;
        size_t both;
        if (!is_gutter(c, r + i, j - i, &s->v[k], &both)) continue;
        if (!found || both > best_both ||
            (both == best_both && s->v[k].b - s->v[k].a > gut->b - gut->a)) {
            *gut = s->v[k];
            best_both = both;
            found = 1;
        }
    }
    return found ? j : i;
}

/* Whether row r leaves strip g free. */
static int row_clear(const pctx *c, const row *r, const span *g)
{
    for (size_t k = 0; k < r->n; k++) {
        const word *w = &c->words[r->w[k]];
        if (!(w->x1 <= g->a || w->x0 >= g->b)) return 0;
    }
    return 1;
}

static int ends_hyphen(const char *s, size_t n);

/* Whether a row's last word ends with a hyphen after a letter or digit. */
static int row_ends_split(const pctx *c, const row *r)
{
    if (r->n == 0) return 0;
    const word *w = &c->words[r->w[r->n - 1]];
    return ends_hyphen(c->wb.p + w->off, w->len);
}

static void emit_rows(pctx *c, row *r, size_t n, int depth);

/* Splits rows r[0..n) at gutter g and reads the left side, then the
 * right side. */
static void emit_region(pctx *c, const row *r, size_t n, const span *g,
                        int depth)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += r[i].n;
    row *sides = calloc(2 * n, sizeof *sides);
    size_t *w = malloc((total ? total : 1) * sizeof *w);
    if (!sides || !w) {
        free(sides);
        free(w);
        c->oom = 1;
        return;
    }
    size_t used = 0;
    for (int side = 0; side < 2; side++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            row *o = &sides[side * n + m];
            o->w = w + used;
            o->n = 0;
            for (size_t k = 0; k < r[i].n; k++) {
                const word *x = &c->words[r[i].w[k]];
                int left = x->x1 <= g->a;
                if (left == (side == 0)) o->w[o->n++] = r[i].w[k];
            }
            used += o->n;
            if (o->n) m++;
        }
        emit_rows(c, sides + side * n, m, depth + 1);
    }
    free(sides);
    free(w);
}

/* Reads rows r[0..n) in order, columns found among them side by side. */
static void emit_rows(pctx *c, row *r, size_t n, int depth)
{
    int col = c->ncols++;
    spans s = {0}, t = {0}, u = {0};
    size_t pend = 0, i = 0;
    while (i < n && !c->oom) {
        span g = {0, 0};
        size_t j = depth < 4 ? find_region(c, r, n, i, &s, &t, &u, &g) : i;
        if (j == i) {
            i++;
            continue;
        }
        /* Rows just above that leave the gutter free belong to it; a row
         * that ends a word split on the full-width line above does not. */
        size_t b = i;
        while (b > pend && row_clear(c, &r[b - 1], &g)) b--;
        while (b < j && b > 0 && row_ends_split(c, &r[b - 1])) b++;
        if (b == j) {
            i++;
            continue;
        }
        for (size_t k = pend; k < b; k++) add_line(c, r[k].w, r[k].n, col);
        emit_region(c, r + b, j - b, &g, depth);
        col = c->ncols++; /* what follows is not the column above */
        pend = i = j;
    }
    for (size_t k = pend; k < n && !c->oom; k++)
        add_line(c, r[k].w, r[k].n, col);
    free(s.v);
    free(t.v);
    free(u.v);
}

int ex_layout_add_page(ex_layout *lo, double width, double height,
                       const ex_glyph *g, size_t n)
{
    if (!(width > 0) || !(height > 0) || !isfinite(width) ||
        !isfinite(height) || lo->finished || (n > 0 && !g))
        return EX_EINVAL;
    if (lo->npages == lo->cap) {
        size_t cap = lo->cap ? lo->cap * 2 : 16;
        page *p = realloc(lo->pages, cap * sizeof *p);
        if (!p) return EX_ENOMEM;
        lo->pages = p;
        lo->cap = cap;
    }
    page *pg = &lo->pages[lo->npages];
    memset(pg, 0, sizeof *pg);
    pg->w = width;
    pg->h = height;

    pctx c = {0};
    int rc = EX_OK;
    size_t s = 0, src = 0;
    for (size_t i = 0; i <= n && !c.oom; i++) {
        if (i == n || g[i].cp == '\n') {
            if (i > s) line_words(&c, g + s, i - s, src++, &pg->glyphs);
            s = i + 1;
        }
    }
    if (c.oom) goto oom;

    /* The page's usual text height. */
    size_t flat = 0;
    for (size_t i = 0; i < c.nwords; i++) flat += !c.words[i].vertical;
    if (flat > 0) {
        float *hs = malloc(flat * sizeof *hs);
        if (!hs) goto oom;
        size_t k = 0;
        for (size_t i = 0; i < c.nwords; i++)
            if (!c.words[i].vertical)
                hs[k++] = c.words[i].y1 - c.words[i].y0;
        c.hmed = quantile(hs, k, 0.5);
        free(hs);
    }
    if (!(c.hmed > 0)) c.hmed = 1;

    /* Rows. */
    if (flat > 0) {
        size_t *ix = malloc(flat * sizeof *ix);
        row *rows = malloc(flat * sizeof *rows);
        wkey *keys = malloc(flat * sizeof *keys);
        if (!ix || !rows || !keys) {
            free(ix);
            free(rows);
            free(keys);
            goto oom;
        }
        size_t k = 0;
        for (size_t i = 0; i < c.nwords; i++) {
            if (c.words[i].vertical) continue;
            keys[k].k1 = c.words[i].y0 + c.words[i].y1;
            keys[k].k2 = c.words[i].x0;
            keys[k].w = i;
            k++;
        }
        qsort(keys, flat, sizeof *keys, cmp_wkey);
        size_t nr = 0;
        float ry0 = 0, ry1 = 0;
        for (size_t i = 0; i < flat; i++) {
            const word *w = &c.words[keys[i].w];
            float wh = w->y1 - w->y0;
            if (nr > 0) {
                float ov = (w->y1 < ry1 ? w->y1 : ry1) -
                           (w->y0 > ry0 ? w->y0 : ry0);
                float mh = wh < ry1 - ry0 ? wh : ry1 - ry0;
                if (ov > 0 && ov >= 0.5f * mh) {
                    rows[nr - 1].n++;
                    if (w->y0 < ry0) ry0 = w->y0;
                    if (w->y1 > ry1) ry1 = w->y1;
                    continue;
                }
            }
            rows[nr].w = ix + i;
            rows[nr].n = 1;
            ry0 = w->y0;
            ry1 = w->y1;
            nr++;
        }
        /* Each row's words in x order. */
        for (size_t r = 0, i = 0; r < nr; i += rows[r].n, r++) {
            for (size_t q = i; q < i + rows[r].n; q++) {
                keys[q].k1 = c.words[keys[q].w].x0;
                keys[q].k2 = c.words[keys[q].w].y0;
            }
            qsort(keys + i, rows[r].n, sizeof *keys, cmp_wkey);
            for (size_t q = i; q < i + rows[r].n; q++) ix[q] = keys[q].w;
        }
        free(keys);
        emit_rows(&c, rows, nr, 0);
        free(rows);
        free(ix);
        if (c.oom) goto oom;
    }
    /* Rotated lines, each on its own, after the rest. */
    for (size_t i = 0; i < c.nwords; i++)
        if (c.words[i].vertical) add_line(&c, &i, 1, c.ncols++);
    if (c.oom) goto oom;

    pg->lines = c.lines;
    pg->nlines = c.nlines;
    pg->segs = c.segs;
    pg->nsegs = c.nsegs;
    pg->text = c.lb.p;
    c.lines = NULL;
    c.segs = NULL;
    c.lb.p = NULL;
    lo->npages++;
    goto done;
oom:
    rc = EX_ENOMEM;
done:
    free(c.words);
    free(c.wb.p);
    free(c.lb.p);
    free(c.lines);
    free(c.segs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Running headers and footers                                              */

typedef struct cand {
    uint64_t hash;   /* of the key */
    size_t page, seg;
    float y;         /* centre, as a fraction of the page height */
    char *key;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    int k = strcmp(x->key, y->key);
    if (k) return k;
    if (x->page != y->page) return x->page < y->page ? -1 : 1;
    return x->seg < y->seg ? -1 : x->seg > y->seg;
}

/* The key of a line: digits runs as one '#', a line that is only a roman
 * numeral as "#", spaces collapsed. */
static char *line_key(const char *s, size_t n)
{
    char *k = malloc(n + 2);
    if (!k) return NULL;
    size_t o = 0;
    int roman = n > 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("ivxlcIVXLC", s[i])) roman = 0;
    if (roman) {
        k[0] = '#';
        k[1] = '\0';
        return k;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (o == 0 || k[o - 1] != '#') k[o++] = '#';
            continue;
        }
        if (ch == ' ' && (o == 0 || k[o - 1] == ' ')) continue;
        k[o++] = ch;
    }
    while (o > 0 && k[o - 1] == ' ') o--;
    k[o] = '\0';
    return k;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* Takes the running segments out of a line: its text (rewritten in
 * place, the kept segments joined by spaces) and its box. */
static void drop_running(page *pg, line *l)
{
    size_t kept = 0, o = l->off;
    float x0 = INFINITY, x1 = -INFINITY, fw = 0;
    for (size_t k = 0; k < l->nseg; k++) {
        seg *g = &pg->segs[l->seg + k];
        if (g->running) continue;
        if (kept++) pg->text[o++] = ' ';
        memmove(pg->text + o, pg->text + g->off, g->len);
        g->off = o;
        o += g->len;
        if (g->x0 < x0) {
            x0 = g->x0;
            fw = g->first_w;
        }
        if (g->x1 > x1) x1 = g->x1;
    }
    if (!kept) {
        l->running = 1;
        return;
    }
    l->len = o - l->off;
    l->x0 = x0;
    l->x1 = x1;
    l->first_w = fw;
}

static int find_running(ex_layout *lo)
{
    if (lo->npages < 2) return EX_OK;
    size_t cap = 0, nc = 0;
    for (size_t p = 0; p < lo->npages; p++) cap += lo->pages[p].nsegs;
    cand *cs = calloc(cap ? cap : 1, sizeof *cs);
    if (!cs) return EX_ENOMEM;
    int rc = EX_OK;
    for (size_t p = 0; p < lo->npages && rc == EX_OK; p++) {
        page *pg = &lo->pages[p];
        if (pg->nlines == 0) continue;
        wkey *ix = malloc(pg->nlines * sizeof *ix);
        if (!ix) {
            rc = EX_ENOMEM;
            break;
        }
        for (size_t i = 0; i < pg->nlines; i++) {
            ix[i].k1 = pg->lines[i].y0 + pg->lines[i].y1;
            ix[i].k2 = pg->lines[i].x0;
            ix[i].w = i;
        }
        qsort(ix, pg->nlines, sizeof *ix, cmp_wkey);
        for (size_t i = 0; i < pg->nlines && rc == EX_OK; i++) {
            if (i >= 3 && i + 3 < pg->nlines) continue;
            const line *l = &pg->lines[ix[i].w];
            for (size_t k = 0; k < l->nseg; k++) {
                const seg *g = &pg->segs[l->seg + k];
                /* A paragraph sign starts content ("§ 45" heading each
                 * page of a protocol), never a running line. */
                if (g->len >= 2 && memcmp(pg->text + g->off, "\xc2\xa7", 2) == 0)
                    continue;
                cand *c = &cs[nc];
                c->key = line_key(pg->text + g->off, g->len);
                if (!c->key) {
                    rc = EX_ENOMEM;
                    break;
                }
                c->hash = hash_str(c->key);
                c->page = p;
                c->seg = l->seg + k;
                c->y = (float)((l->y0 + l->y1) / 2 / pg->h);
                nc++;
            }
        }
        free(ix);
    }
    if (rc == EX_OK) {
        qsort(cs, nc, sizeof *cs, cmp_cand);
        buf run = {0};
        size_t need = (size_t)ceil(0.4 * (double)lo->npages);
        if (need < 2) need = 2;
        for (size_t i = 0; i < nc;) {
            size_t j = i;
            while (j < nc && cs[j].hash == cs[i].hash &&
                   strcmp(cs[j].key, cs[i].key) == 0)
                j++;
            /* The same key on pages i..j-1: count, for each, the pages
             * with one at the same height. */
            int first = 1;
            if (j - i >= need) {
                for (size_t a = i; a < j; a++) {
                    size_t pages = 0, lastp = (size_t)-1;
                    for (size_t b = i; b < j; b++)
                        if (fabsf(cs[a].y - cs[b].y) <= 0.02f &&
                            cs[b].page != lastp) {
                            pages++;
                            lastp = cs[b].page;
                        }
                    if (pages < need) continue;
                    page *pg = &lo->pages[cs[a].page];
                    seg *g = &pg->segs[cs[a].seg];
                    if (first) {
                        if (run.n) buf_add(&run, "\n", 1);
                        buf_add(&run, pg->text + g->off, g->len);
                        first = 0;
                    }
                    g->running = 1;
                }
            }
            i = j;
        }
        for (size_t p = 0; p < lo->npages; p++) {
            page *pg = &lo->pages[p];
            for (size_t i = 0; i < pg->nlines; i++) {
                line *l = &pg->lines[i];
                int any = 0;
                for (size_t k = 0; k < l->nseg; k++)
                    any |= pg->segs[l->seg + k].running;
                if (any) drop_running(pg, l);
            }
        }
        if (run.oom) {
            rc = EX_ENOMEM;
            free(run.p);
        } else {
            lo->running = run.p;
            lo->running_len = run.n;
        }
    }
    for (size_t i = 0; i < nc; i++) free(cs[i].key);
    free(cs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Paragraphs and hyphens                                                   */

typedef struct pstat {
    float pitch;          /* usual distance between lines of a paragraph */
    float h;              /* usual line height (that pitch's lines) */
    float *left, *right;  /* per column id: its left and right edge */
    int ncol;
} pstat;

static int page_stats(const page *pg, pstat *st)
{
    memset(st, 0, sizeof *st);
    int ncol = 0;
    for (size_t i = 0; i < pg->nlines; i++)
        if (pg->lines[i].col + 1 > ncol) ncol = pg->lines[i].col + 1;
    st->ncol = ncol;
    size_t nl = pg->nlines ? pg->nlines : 1;
    st->left = malloc((size_t)(ncol ? ncol : 1) * sizeof *st->left);
    st->right = malloc((size_t)(ncol ? ncol : 1) * sizeof *st->right);
    float *p = malloc(nl * sizeof *p);
    float *xs = malloc(nl * sizeof *xs);
    float *hs = malloc(nl * sizeof *hs);
    if (!st->left || !st->right || !p || !xs || !hs) {
        free(st->left);
        free(st->right);
        free(p);
        free(xs);
        free(hs);
        return EX_ENOMEM;
    }
    /* A column's edges: where most of its lines start and end (a line
     * that sticks out, or a short one, does not move them). */
    for (int k = 0; k < ncol; k++) {
        size_t n = 0;
        for (size_t i = 0; i < pg->nlines; i++)
            if (pg->lines[i].col == k && !pg->lines[i].running)
                xs[n++] = pg->lines[i].x0;
        st->left[k] = n ? quantile(xs, n, 0.2) : 0;
        n = 0;
        for (size_t i = 0; i < pg->nlines; i++)
            if (pg->lines[i].col == k && !pg->lines[i].running)
                xs[n++] = pg->lines[i].x1;
        st->right[k] = n ? quantile(xs, n, 0.8) : 0;
    }
    size_t np = 0;
    const line *prev = NULL;
    float hsum = 0;
    size_t hn = 0;
    for (size_t i = 0; i < pg->nlines; i++) {
        const line *l = &pg->lines[i];
        if (l->running) continue;
        hsum += l->h;
        hn++;
        if (prev && prev->col == l->col) {
            float d = l->y1 - prev->y1;
            if (d > 0.5f * l->h && d < 3 * l->h) {
                p[np] = d;
                hs[np++] = l->h;
            }
        }
        prev = l;
    }
    /* The lower third: paragraph gaps make the middle larger. */
    st->pitch = np ? quantile(p, np, 0.3)
                   : (hn ? 1.25f * hsum / (float)hn : 12.0f);
    st->h = np ? quantile(hs, np, 0.5) : (hn ? hsum / (float)hn : 10.0f);
    if (!(st->h > 0)) st->h = 10.0f;
    free(p);
    free(xs);
    free(hs);
    return EX_OK;
}

static void pstat_free(pstat *st)
{
    free(st->left);
    free(st->right);
}

static int is_bullet(uint32_t c)
{
    return c == 0x2022 || c == 0x25CF || c == 0x25AA || c == 0x25A0 ||
           c == 0x25E6 || c == 0x25A1 || c == 0x27A2 || c == 0x2713 ||
           c == 0x2043 || c == 0x00B7 || (c >= 0xF000 && c <= 0xF0FF);
}

/* Whether line b starts a new paragraph after line a (same page); a_hyph:
 * a ends with a hyphen after a letter; b_text is b's text. */
static int para_break(const line *a, const line *b, int a_hyph,
                      const char *b_text, const pstat *st)
{
    if (a->col != b->col) return 1;
    float h = a->h > b->h ? a->h : b->h;
    if (b->y1 < a->y1 - 0.5f * h) return 1;
    /* Larger text (a heading) has a larger pitch. */
    float pitch = st->pitch * (h > st->h ? h / st->h : 1);
    /* A line ending in a split word goes on on the next line. */
    if (a_hyph && b->y1 - a->y1 < 2 * pitch + h) return 0;
    if (b->y1 - a->y1 > pitch + 0.45f * h) return 1;
    if (fabsf(a->h - b->h) > 0.2f * h) return 1;
    /* A list item. */
    if (is_bullet(first_cp(b_text, b->len))) return 1;
    float left = st->left[b->col], right = st->right[b->col];
    /* An indented line, unless it lines up with the text after a list
     * mark on the line above (a hanging indent). */
    if (b->x0 - left >= 0.5f * h && b->x0 - left <= 8 * h &&
        a->x0 - left < 0.5f * h && fabsf(b->x0 - a->second_x) > 0.5f * h)
        return 1;
    /* a ended well short of the column's edge, with room to spare for b's
     * first word: a chosen line end. */
    if (right - a->x1 > b->first_w + 0.5f * h &&
        a->x1 - left < 0.8f * (right - left))
        return 1;
    return 0;
}

static int ends_hyphen(const char *s, size_t n)
{
    if (n < 2) return 0;
    size_t st;
    uint32_t c = last_cp(s, n, &st);
    if (c != '-' && c != 0x00AD) return 0;
    uint32_t b = last_cp(s, st, NULL);
    return b != ' ';
}

/* Last word of s[0..n): its start. */
static size_t last_word(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && s[i - 1] != ' ') i--;
    return i;
}

static size_t first_word_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != ' ') i++;
    return i;
}

/* Appends line text t[0..n) to the paragraph open in b (which holds
 * `open` bytes of it: 0 when b's paragraph is new), after the previous
 * line's text prev[0..pn) (NULL when none). */
static void join_line(buf *b, const char *prev, size_t pn, const char *t,
                      size_t n)
{
    if (!prev || b->n == 0) {
        buf_add(b, t, n);
        return;
    }
    if (ends_hyphen(prev, pn) && b->n > 0) {
        size_t ws = last_word(prev, pn);
        size_t fl = first_word_len(t, n);
        int r = ex_hyphen_rule(prev + ws, pn - ws, t, fl);
        size_t hs;
        uint32_t hy = last_cp(b->p, b->n, &hs);
        if (r == EX_HYPHEN_JOIN || hy == 0x00AD) {
            b->n = hs; /* drop the hyphen */
            b->p[b->n] = '\0';
        } else if (r == EX_HYPHEN_SPACE) {
            buf_add(b, " ", 1);
        }
        buf_add(b, t, n);
        return;
    }
    size_t st;
    uint32_t c = last_cp(prev, pn, &st);
    if ((c == 0x2013 || c == 0x2014) && st > 0 &&
        last_cp(prev, st, NULL) != ' ') {
        buf_add(b, t, n); /* 2022–2023 */
        return;
    }
    buf_add(b, " ", 1);
    buf_add(b, t, n);
}

/* Drops a soft hyphen left at the end of a paragraph. */
static void close_para(buf *b)
{
    size_t hs;
    if (b->n > 0 && last_cp(b->p, b->n, &hs) == 0x00AD) {
        b->n = hs;
        b->p[b->n] = '\0';
    }
}

static int sentence_end(const char *s, size_t n)
{
    if (n == 0) return 1;
    char c = s[n - 1];
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
}

int ex_layout_finish(ex_layout *lo)
{
    if (lo->finished) return EX_OK;
    int rc = find_running(lo);
    if (rc != EX_OK) return rc;

    buf *out = calloc(lo->npages ? lo->npages : 1, sizeof *out);
    if (!out) return EX_ENOMEM;
    /* The last line read, across pages: for hyphens and run-ons. */
    const line *prev = NULL;
    const char *ptext = NULL;
    size_t ppage = 0;
    float pright = 0;
    for (size_t p = 0; p < lo->npages && rc == EX_OK; p++) {
        page *pg = &lo->pages[p];
        pstat st;
        if (page_stats(pg, &st) != EX_OK) {
            rc = EX_ENOMEM;
            break;
        }
        int first = 1;
        for (size_t i = 0; i < pg->nlines; i++) {
            const line *l = &pg->lines[i];
            if (l->running) continue;
            const char *t = pg->text + l->off;
            if (first && prev && ppage + 1 == p) {
                /* Across the page break: a split word goes to the page it
                 * starts on; a paragraph that goes on is flagged. */
                const char *pt = ptext + prev->off;
                int hyph = ends_hyphen(pt, prev->len);
                uint32_t fc = first_cp(t, l->len);
                int on = hyph ||
                         (!sentence_end(pt, prev->len) &&
                          ((is_letter(fc) && !is_upper(fc)) ||
                           pright - prev->x1 <= l->first_w + 0.5f * l->h));
                if (on) {
                    lo->pages[p - 1].runs_on = 1;
                    size_t rest = l->len;
                    const char *rt = t;
                    if (hyph) {
                        size_t fl = first_word_len(t, l->len);
                        join_line(&out[p - 1], pt, prev->len, t, fl);
                        close_para(&out[p - 1]);
                        rt = t + fl;
                        rest = l->len - fl;
                        while (rest > 0 && *rt == ' ') {
                            rt++;
                            rest--;
                        }
                    }
                    buf_add(&out[p], rt, rest);
                    prev = l;
                    ptext = pg->text;
                    ppage = p;
                    pright = st.right[l->col];
                    first = 0;
                    continue;
                }
            }
            if (!first &&
                para_break(prev, l, ends_hyphen(ptext + prev->off, prev->len),
                           t, &st)) {
                close_para(&out[p]);
                buf_add(&out[p], "\n\n", 2);
                buf_add(&out[p], t, l->len);
            } else if (first) {
                buf_add(&out[p], t, l->len);
            } else {
                join_line(&out[p], ptext + prev->off, prev->len, t, l->len);
            }
            first = 0;
            prev = l;
            ptext = pg->text;
            ppage = p;
            pright = st.right[l->col];
        }
        close_para(&out[p]);
        pstat_free(&st);
    }
    for (size_t p = 0; p < lo->npages && rc == EX_OK; p++) {
        if (out[p].oom) {
            rc = EX_ENOMEM;
            break;
        }
        if (out[p].n == 0) continue;
        utf8proc_uint8_t *nfc = NULL;
        utf8proc_ssize_t k = utf8proc_map(
            (const utf8proc_uint8_t *)out[p].p, (utf8proc_ssize_t)out[p].n,
            &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (k < 0) {
            /* Only UTF8PROC_ERROR_NOMEM can happen on our own UTF-8. */
            rc = EX_ENOMEM;
            break;
        }
        lo->pages[p].out = (char *)nfc;
        lo->pages[p].outlen = (size_t)k;
    }
    for (size_t p = 0; p < lo->npages; p++) free(out[p].p);
    free(out);
    if (rc == EX_OK) lo->finished = 1;
    return rc;
}

size_t ex_layout_npages(const ex_layout *lo)
{
    return lo->npages;
}

const char *ex_layout_text(const ex_layout *lo, size_t page, size_t *len)
{
    const struct page *pg = &lo->pages[page];
    if (len) *len = pg->out ? pg->outlen : 0;
    return pg->out ? pg->out : "";
}

int ex_layout_runs_on(const ex_layout *lo, size_t page)
{
    return lo->pages[page].runs_on;
}

const char *ex_layout_running(const ex_layout *lo, size_t *len)
{
    if (len) *len = lo->running ? lo->running_len : 0;
    return lo->running ? lo->running : "";
}

size_t ex_layout_glyphs(const ex_layout *lo, size_t page)
{
    return lo->pages[page].glyphs;
}

int ex_nfc(const char *s, size_t n, char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t k =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &nfc,
                     UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (k < 0) return EX_ENOMEM;
    *out = (char *)nfc;
    *outlen = (size_t)k;
    return EX_OK;
}
