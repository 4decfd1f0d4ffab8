/*
 * ex_scan.c — pages read by OCR: writing, checking and decoding their
 * serialised form, turning them into glyphs for the layout cleanup, and
 * the fixes for the Swedish model's predictable misreadings (see
 * ex_scan.h). Pure C; runs on both sides of the worker's socket.
 */
#include "ex_scan.h"

#include "ex_wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */

static void grow(ex_scan_build *b, size_t need)
{
    if (b->oom || b->n + need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + need) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void put(ex_scan_build *b, const void *s, size_t n)
{
    grow(b, n);
    if (b->oom) return;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put32(ex_scan_build *b, uint32_t v)
{
    char c[4];
    ex_put32(c, v);
    put(b, c, 4);
}

static void set32(ex_scan_build *b, size_t at, uint32_t v)
{
    if (!b->oom) ex_put32(b->p + at, v);
}

/* Header offsets. */
enum { AT_PAGE = 4, AT_CONF = 8, AT_DPI = 12, AT_W = 16, AT_H = 20,
       AT_WHY = 24, AT_LINES = 28 };

/* The header, up to and with the reason. */
static void head_out(ex_scan_build *b, unsigned page, int conf, unsigned dpi,
                     unsigned width, unsigned height, const char *why,
                     size_t k)
{
    b->n = 0;
    b->oom = 0;
    b->lines = b->words = 0;
    b->line_at = 0;
    b->conf_sum = 0;
    b->conf_n = 0;
    put(b, EX_SCAN_MAGIC, 4);
    put32(b, page);
    put32(b, (uint32_t)conf);
    put32(b, dpi);
    put32(b, width);
    put32(b, height);
    put32(b, (uint32_t)k);
    put(b, why, k);
}

void ex_scan_begin(ex_scan_build *b, unsigned page, unsigned dpi,
                   unsigned width, unsigned height)
{
    head_out(b, page, 0, dpi, width, height, NULL, 0);
    put32(b, 0); /* lines, at AT_LINES */
}

static void close_line(ex_scan_build *b)
{
    if (b->line_at) set32(b, b->line_at, b->words);
    b->line_at = 0;
    b->words = 0;
}

void ex_scan_line(ex_scan_build *b, int bx0, int by0, int bx1, int by1)
{
    close_line(b);
    put32(b, (uint32_t)bx0);
    put32(b, (uint32_t)by0);
    put32(b, (uint32_t)bx1);
    put32(b, (uint32_t)by1);
    b->line_at = b->n;
    put32(b, 0);
    b->lines++;
}

void ex_scan_word(ex_scan_build *b, int x0, int y0, int x1, int y1,
                  int conf, const char *text, size_t len)
{
    if (!b->line_at || len == 0 || len > UINT32_MAX) return;
    if (conf < 0) conf = 0;
    if (conf > 100) conf = 100;
    put32(b, (uint32_t)x0);
    put32(b, (uint32_t)y0);
    put32(b, (uint32_t)(x1 < x0 ? x0 : x1));
    put32(b, (uint32_t)(y1 < y0 ? y0 : y1));
    put32(b, (uint32_t)conf);
    put32(b, (uint32_t)len);
    put(b, text, len);
    b->words++;
    b->conf_sum += conf;
    b->conf_n++;
}

/* A page from its bytes, which become the page's (taken over). */
static int wrap(char *bytes, size_t len, ex_scan **out);

int ex_scan_end(ex_scan_build *b, ex_scan **out)
{
    *out = NULL;
    close_line(b);
    set32(b, AT_LINES, b->lines);
    int conf = b->conf_n ? (int)lround(b->conf_sum / b->conf_n) : 0;
    set32(b, AT_CONF, (uint32_t)conf);
    int rc = b->oom ? EX_ENOMEM : wrap(b->p, b->n, out);
    if (rc != EX_OK) free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    return rc;
}

int ex_scan_failed(unsigned page, const char *why, ex_scan **out)
{
    *out = NULL;
    if (page == 0) return EX_EINVAL;
    if (!why || !*why) why = "the page could not be read";
    size_t k = strlen(why);
    if (k > EX_SCAN_WHY_MAX) k = EX_SCAN_WHY_MAX;
    ex_scan_build b = {0};
    head_out(&b, page, -1, 300, 1, 1, why, k);
    put32(&b, 0); /* no lines */
    int rc = b.oom ? EX_ENOMEM : wrap(b.p, b.n, out);
    if (rc != EX_OK) free(b.p);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Checking and decoding                                                    */

typedef struct rd {
    const char *p;
    size_t n, i;
    int bad;
} rd;

static uint32_t get32(rd *r)
{
    if (r->bad || r->n - r->i < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t v = ex_get32(r->p + r->i);
    r->i += 4;
    return v;
}

static const char *take(rd *r, size_t k)
{
    if (r->bad || r->n - r->i < k) {
        r->bad = 1;
        return NULL;
    }
    const char *s = r->p + r->i;
    r->i += k;
    return s;
}

#define BOX_MAX ((int32_t)(4 * EX_SCAN_MAX_SIDE))

static int box_ok(int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
    return x0 >= -BOX_MAX && y0 >= -BOX_MAX && x1 <= BOX_MAX &&
           y1 <= BOX_MAX && x1 >= x0 && y1 >= y0;
}

static int pt_ok(int32_t x, int32_t y)
{
    return x >= -BOX_MAX && x <= BOX_MAX && y >= -BOX_MAX && y <= BOX_MAX;
}

/* The header of a page: fields, and r positioned at the first line. */
typedef struct head {
    uint32_t page, dpi, w, h, why_len, lines;
    int32_t conf;
    const char *why;
} head;

static int read_head(rd *r, head *h)
{
    const char *m = take(r, 4);
    if (!m || memcmp(m, EX_SCAN_MAGIC, 4) != 0) return -1;
    h->page = get32(r);
    h->conf = (int32_t)get32(r);
    h->dpi = get32(r);
    h->w = get32(r);
    h->h = get32(r);
    h->why_len = get32(r);
    if (r->bad || h->why_len > EX_SCAN_WHY_MAX) return -1;
    h->why = take(r, h->why_len);
    h->lines = get32(r);
    if (r->bad || h->page == 0 || h->dpi == 0 || h->dpi > EX_SCAN_MAX_DPI ||
        h->w == 0 || h->w > EX_SCAN_MAX_SIDE || h->h == 0 ||
        h->h > EX_SCAN_MAX_SIDE || h->conf < -1 || h->conf > 100)
        return -1;
    if (memchr(h->why, '\0', h->why_len)) return -1;
    /* A failed page has a reason and no lines; a read one no reason. */
    if (h->conf == -1 ? h->why_len == 0 || h->lines != 0 : h->why_len != 0)
        return -1;
    return 0;
}

/* Walks every line and word; 0 when all is well formed up to the end. */
static int check_body(rd *r, const head *h, size_t *nwords)
{
    size_t total = 0;
    for (uint32_t l = 0; l < h->lines; l++) {
        int32_t bx0 = (int32_t)get32(r), by0 = (int32_t)get32(r);
        int32_t bx1 = (int32_t)get32(r), by1 = (int32_t)get32(r);
        uint32_t nw = get32(r);
        if (r->bad || !pt_ok(bx0, by0) || !pt_ok(bx1, by1)) return -1;
        /* Each word takes at least 25 bytes. */
        if (nw > (r->n - r->i) / 25) return -1;
        for (uint32_t k = 0; k < nw; k++) {
            int32_t x0 = (int32_t)get32(r), y0 = (int32_t)get32(r);
            int32_t x1 = (int32_t)get32(r), y1 = (int32_t)get32(r);
            uint32_t conf = get32(r), len = get32(r);
            const char *t = take(r, len);
            if (r->bad || !box_ok(x0, y0, x1, y1) || conf > 100 ||
                len == 0 || memchr(t, '\0', len) || memchr(t, ' ', len))
                return -1;
        }
        total += nw;
    }
    if (r->bad || r->i != r->n) return -1;
    if (nwords) *nwords = total;
    return 0;
}

static int wrap(char *bytes, size_t len, ex_scan **out)
{
    rd r = {bytes, len, 0, 0};
    head h;
    if (read_head(&r, &h) != 0 || check_body(&r, &h, NULL) != 0)
        return EX_ECORRUPT;
    ex_scan *s = malloc(sizeof *s + h.why_len + 1);
    if (!s) return EX_ENOMEM;
    char *why = (char *)(s + 1);
    memcpy(why, h.why, h.why_len);
    why[h.why_len] = '\0';
    s->page = h.page;
    s->confidence = h.conf;
    s->why = h.why_len ? why : NULL;
    s->bytes = bytes;
    s->len = len;
    *out = s;
    return EX_OK;
}

int ex_scan_decode(const void *bytes, size_t len, ex_scan **out)
{
    *out = NULL;
    if (!bytes || len < 4) return EX_ECORRUPT;
    char *copy = malloc(len);
    if (!copy) return EX_ENOMEM;
    memcpy(copy, bytes, len);
    int rc = wrap(copy, len, out);
    if (rc != EX_OK) free(copy);
    return rc;
}

void ex_scan_free(ex_scan *s)
{
    if (!s) return;
    free((void *)s->bytes);
    free(s);
}

/* ------------------------------------------------------------------------ */
/* Fixes                                                                    */

static int all_digits(const char *s, size_t n, size_t lo, size_t hi)
{
    if (n < lo || n > hi) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* "19", "3-8", "19–20": a paragraph number or a range of them. */
static int par_number(const char *s, size_t n)
{
    if (all_digits(s, n, 1, 3)) return 1;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == 0 || i > 3) return 0;
    size_t k = 0;
    if (i < n && s[i] == '-') k = 1;
    else if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x93", 3) == 0) k = 3;
    if (!k) return 0;
    return all_digits(s + i + k, n - i - k, 1, 3);
}

static int is_word(const ex_ocr_word *w, const char *lit)
{
    size_t k = strlen(lit);
    return w->len == k && memcmp(w->s, lit, k) == 0;
}

/* Starts with a small letter (ASCII, or å ä ö é). */
static int starts_small(const ex_ocr_word *w)
{
    if (w->len == 0) return 0;
    unsigned char c = (unsigned char)w->s[0];
    if (c >= 'a' && c <= 'z') return 1;
    if (c == 0xC3 && w->len >= 2) {
        unsigned char d = (unsigned char)w->s[1];
        return d == 0xA5 || d == 0xA4 || d == 0xB6 || d == 0xA9;
    }
    return 0;
}

/* The replacements: one or two signs, then nothing or one closing mark
 * (index 1 + its place in `marks`). */
static const char marks[] = ".,;:)";
static const char *const one[] = {"\xc2\xa7", "\xc2\xa7.", "\xc2\xa7,",
                                  "\xc2\xa7;", "\xc2\xa7:", "\xc2\xa7)"};
static const char *const two[] = {"\xc2\xa7\xc2\xa7", "\xc2\xa7\xc2\xa7.",
                                  "\xc2\xa7\xc2\xa7,", "\xc2\xa7\xc2\xa7;",
                                  "\xc2\xa7\xc2\xa7:", "\xc2\xa7\xc2\xa7)"};

/* Splits a word into its core and at most one closing mark: returns 0 for
 * none, 1 + the mark's place in `marks`, or -1 for two marks. */
static int split_mark(const ex_ocr_word *w, size_t *core)
{
    *core = w->len;
    if (w->len < 2) return 0;
    const char *m = memchr(marks, w->s[w->len - 1], sizeof marks - 1);
    if (!m) return 0;
    if (memchr(marks, w->s[w->len - 2], sizeof marks - 1)) return -1;
    *core = w->len - 1;
    return (int)(m - marks) + 1;
}

static int core_in(const char *s, size_t n, const char *const *set)
{
    for (; *set; set++)
        if (strlen(*set) == n && memcmp(*set, s, n) == 0) return 1;
    return 0;
}

static void replace(ex_ocr_word *w, int signs, int mark)
{
    const char *r = signs == 2 ? two[mark] : one[mark];
    w->s = r;
    w->len = strlen(r);
}

size_t ex_ocr_fix(ex_ocr_word *w, size_t n)
{
    static const char *const dollars1[] = {"$", NULL};
    static const char *const dollars2[] = {"$$", NULL};
    static const char *const sign1[] = {"8", "S", "$", NULL};
    static const char *const sign2[] = {"88", "SS", "$$", "8$", "$8",
                                        "\xc2\xa7" "8", "8\xc2\xa7", NULL};
    static const char *const kap1[] = {"3", NULL};
    static const char *const kap2[] = {"33", NULL};
    size_t changed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t core;
        int m = split_mark(&w[i], &core);
        if (m < 0) continue;
        const char *s = w[i].s;
        /* A dollar sign standing alone. */
        if (core_in(s, core, dollars1) || core_in(s, core, dollars2)) {
            replace(&w[i], core == 1 ? 1 : 2, m);
            changed++;
            continue;
        }
        int s1 = core_in(s, core, sign1), s2 = core_in(s, core, sign2);
        int k1 = core_in(s, core, kap1), k2 = core_in(s, core, kap2);
        if (!s1 && !s2 && !k1 && !k2) continue;
        /* The paragraph number before it, maybe with a letter ("5 a"). */
        if (i == 0) continue;
        size_t j = i - 1;
        if (w[j].len == 1 && w[j].s[0] >= 'a' && w[j].s[0] <= 'h' && j > 0)
            j--;
        if (!par_number(w[j].s, w[j].len)) continue;
        int kap = j > 0 && (is_word(&w[j - 1], "kap.") ||
                            is_word(&w[j - 1], "kap"));
        int next = m > 0 || (i + 1 < n && starts_small(&w[i + 1]));
        if ((s1 || s2) && (kap || next)) {
            replace(&w[i], s2 ? 2 : 1, m);
            changed++;
        } else if ((k1 || k2) && kap) {
            replace(&w[i], k2 ? 2 : 1, m);
            changed++;
        }
    }
    return changed;
}

/* ------------------------------------------------------------------------ */
/* Glyphs                                                                   */

/* One code point from s[0..n) (n > 0); *k its length. Invalid bytes are
 * U+FFFD, one byte each. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *k)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n) {
        *k = 1;
        return 0xFFFD;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *k = 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *k = 1;
        return 0xFFFD;
    }
    *k = len;
    return cp;
}

typedef struct wbox {
    float x0, y0, x1, y1;
    size_t line;
} wbox;

typedef struct lbase {
    float bx0, by0, bx1, by1;
    size_t first, n;
} lbase;

static float base_at(const lbase *l, float x)
{
    if (l->bx1 == l->bx0) return l->by0;
    return l->by0 + (l->by1 - l->by0) * (x - l->bx0) / (l->bx1 - l->bx0);
}

static int cmp_f(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

int ex_scan_glyphs(const ex_scan *s, ex_glyph **g, size_t *n, double *width,
                   double *height)
{
    *g = NULL;
    *n = 0;
    rd r = {s->bytes, s->len, 0, 0};
    head h;
    size_t nw = 0;
    if (read_head(&r, &h) != 0) return EX_ECORRUPT;
    size_t body = r.i;
    if (check_body(&r, &h, &nw) != 0) return EX_ECORRUPT;
    double f = 72.0 / h.dpi;
    *width = h.w * f;
    *height = h.h * f;
    if (nw == 0) return EX_OK;

    ex_ocr_word *words = malloc(nw * sizeof *words);
    wbox *box = malloc(nw * sizeof *box);
    lbase *lines = malloc(h.lines * sizeof *lines);
    float *tmp = malloc(nw * sizeof *tmp);
    if (!words || !box || !lines || !tmp) {
        free(words);
        free(box);
        free(lines);
        free(tmp);
        return EX_ENOMEM;
    }
    r.i = body;
    size_t k = 0, cps = 0;
    for (uint32_t l = 0; l < h.lines; l++) {
        lbase *lb = &lines[l];
        lb->bx0 = (float)(int32_t)get32(&r);
        lb->by0 = (float)(int32_t)get32(&r);
        lb->bx1 = (float)(int32_t)get32(&r);
        lb->by1 = (float)(int32_t)get32(&r);
        lb->n = get32(&r);
        lb->first = k;
        for (size_t q = 0; q < lb->n; q++, k++) {
            box[k].x0 = (float)(int32_t)get32(&r);
            box[k].y0 = (float)(int32_t)get32(&r);
            box[k].x1 = (float)(int32_t)get32(&r);
            box[k].y1 = (float)(int32_t)get32(&r);
            box[k].line = l;
            (void)get32(&r);
            words[k].len = get32(&r);
            words[k].s = take(&r, words[k].len);
            cps += words[k].len;
        }
    }
    /* A fix never has more code points than the word had bytes ("8." is
     * "§.", "$$" is "§§"): cps bounds the glyphs, with a space before
     * each word and a line end after each line. */
    ex_ocr_fix(words, nw);
    cps += nw + h.lines;

    ex_glyph *out = malloc(cps * sizeof *out);
    if (!out) {
        free(words);
        free(box);
        free(lines);
        free(tmp);
        return EX_ENOMEM;
    }
    /* Each line's height: baseline to the top of its tall letters, the
     * upper quartile of its words' (a word made taller by a speck, or a
     * line of small letters, does not decide it). Lines of about the
     * page's usual height get exactly that height, so that the layout
     * sees one text size where the print has one (a height that changes
     * from line to line would start a paragraph at each change). */
    float *lasc = malloc((h.lines ? h.lines : 1) * sizeof *lasc);
    float *lmid = malloc((h.lines ? h.lines : 1) * sizeof *lmid);
    if (!lasc || !lmid) {
        free(lasc);
        free(lmid);
        free(out);
        free(words);
        free(box);
        free(lines);
        free(tmp);
        return EX_ENOMEM;
    }
    size_t nasc = 0;
    for (uint32_t l = 0; l < h.lines; l++) {
        const lbase *lb = &lines[l];
        lasc[l] = 0;
        if (lb->n == 0) continue;
        float lx0 = INFINITY, lx1 = -INFINITY;
        for (size_t q = lb->first; q < lb->first + lb->n; q++) {
            if (box[q].x0 < lx0) lx0 = box[q].x0;
            if (box[q].x1 > lx1) lx1 = box[q].x1;
        }
        /* The line is flattened onto its baseline at its centre. */
        lmid[l] = (lx0 + lx1) / 2;
        for (size_t q = 0; q < lb->n; q++) {
            const wbox *b = &box[lb->first + q];
            tmp[q] = base_at(lb, (b->x0 + b->x1) / 2) - b->y0;
        }
        qsort(tmp, lb->n, sizeof *tmp, cmp_f);
        float asc = tmp[(lb->n - 1) * 3 / 4];
        if (!(asc > 0)) {
            const wbox *b = &box[lb->first];
            asc = b->y1 - b->y0 > 0 ? b->y1 - b->y0 : 1;
        }
        lasc[l] = asc;
    }
    nasc = 0;
    for (uint32_t l = 0; l < h.lines; l++)
        if (lines[l].n) tmp[nasc++] = lasc[l];
    float usual = 0;
    if (nasc) {
        qsort(tmp, nasc, sizeof *tmp, cmp_f);
        usual = tmp[nasc / 2];
    }
    size_t o = 0;
    for (uint32_t l = 0; l < h.lines; l++) {
        const lbase *lb = &lines[l];
        if (lb->n == 0) continue;
        float base = base_at(lb, lmid[l]);
        float asc = lasc[l];
        if (usual > 0 && asc > 0.75f * usual && asc < 1.33f * usual)
            asc = usual;
        float top = base - asc, bottom = base + 0.3f * asc;
        for (size_t q = lb->first; q < lb->first + lb->n; q++) {
            const ex_ocr_word *w = &words[q];
            /* Its code points share the word's width. */
            size_t ncp = 0;
            for (size_t i = 0, step; i < w->len; i += step)
                (void)utf8_next((const unsigned char *)w->s + i, w->len - i,
                                &step), ncp++;
            float x0 = box[q].x0, wd = box[q].x1 - box[q].x0;
            size_t c = 0;
            if (q > lb->first) out[o++] = (ex_glyph){' ', 0, 0, 0, 0};
            for (size_t i = 0, step; i < w->len; i += step, c++) {
                uint32_t cp = utf8_next((const unsigned char *)w->s + i,
                                        w->len - i, &step);
                ex_glyph *x = &out[o++];
                x->cp = cp;
                x->x0 = (float)((x0 + wd * (float)c / (float)ncp) * f);
                x->x1 = (float)((x0 + wd * (float)(c + 1) / (float)ncp) * f);
                x->y0 = (float)(top * f);
                x->y1 = (float)(bottom * f);
            }
        }
        out[o++] = (ex_glyph){'\n', 0, 0, 0, 0};
    }
    free(lasc);
    free(lmid);
    free(words);
    free(box);
    free(lines);
    free(tmp);
    *g = out;
    *n = o;
    return EX_OK;
}
