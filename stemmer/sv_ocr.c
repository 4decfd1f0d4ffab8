/*
 * sv_ocr.c — skeletons, confusion costs and inflections (see sv_ocr.h).
 *
 * The confusion classes come from reading real OCR output of Swedish
 * decisions (../shared/seeds and the OCR flavour of ../shared/eval-dev):
 * Tesseract without a Swedish model writes ä as a, i, é, d, & or 4; ö as o,
 * 6, é, e or d; å as a, é or d; the word i as 1 or |; rn as m; it sometimes
 * inserts a junk letter next to a damaged one (atgédrderna) or drops the
 * damaged letter altogether (std for stöd).
 */
#include "sv_ocr.h"
#include "sv.h"
#include "sv_text.h"
#include "sv_token.h"
#include "sv_wtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NO_WAY 1e9 /* a substitution, insertion or deletion not allowed */
#define UNKNOWN (-2) /* an intended letter not known yet (align, prefix) */

static int in_set(int cp, const int *set)
{
    for (; *set; set++)
        if (*set == cp) return 1;
    return 0;
}

/* What OCR or stripping makes of å/ä, of ö, of i and of l. */
static const int aa_set[] = {'a', 0xE1, 0xE0, 0xE2, 0xE3, 0xE4, 0xE5, 'e',
                             0xE9, 0xE8, 0xEA, 'i', 0xED, 'd', '&', '4', 0};
static const int oo_set[] = {'o', 0xF3, 0xF2, 0xF4, 0xF5, 0xF6, 0xF8, '6',
                             '0', 'e', 0xE9, 0xE8, 'd', 0};
static const int ii_set[] = {'1', 'l', '|', 0xED, 0xEC, 0xEE, 0xEF, 'j', 0};
static const int ll_set[] = {'i', '1', '|', 0xED, 0};

/* The skeleton class of a code point: 'V' for everything OCR confuses with
 * a damaged vowel, a folded letter otherwise. */
static int skel_class(int cp)
{
    switch (cp) {
    case 'a': case 'e': case 'i': case 'o': case 'l': case 'd':
    case '&': case '|': case '0': case '1': case '4': case '6':
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5:
    case 0xE6: case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0xEC:
    case 0xED: case 0xEE: case 0xEF: case 0xF2: case 0xF3: case 0xF4:
    case 0xF5: case 0xF6: case 0xF8:
        return 'V';
    case 'w': return 'v';
    case 0xF9: case 0xFA: case 0xFB: case 0xFC: return 'u';
    case 0xFD: case 0xFF: return 'y';
    case 0xE7: return 'c';
    case 0xF1: return 'n';
    default: return cp;
    }
}

static int has_letter(const char *w, size_t len)
{
    size_t i = 0;
    while (i < len)
        if (sv_is_letter(sv_utf8_next(w, len, &i))) return 1;
    return 0;
}

/* Writes the skeleton of w[i..len) after the o bytes already in out, the
 * last of them the class `last` (-1: none); returns the length or 0. */
static size_t skel_run(const char *w, size_t len, size_t i, int last,
                       char *out, size_t o, size_t cap)
{
    while (i < len) {
        int cp = sv_utf8_next(w, len, &i);
        int c = skel_class(cp);
        if (cp == 'r' && i < len && w[i] == 'n') { /* rn reads as m */
            c = 'm';
            i++;
        }
        if (c == last) continue;
        last = c;
        if (o + 5 > cap) { /* near the end: check the exact room */
            char buf[4];
            size_t n = sv_utf8_put(c, buf);
            if (o + n + 1 > cap) return 0;
            memcpy(out + o, buf, n);
            o += n;
        } else {
            o += sv_utf8_put(c, out + o);
        }
    }
    if (o + 1 > cap) return 0;
    out[o] = '\0';
    return o;
}

size_t sv_skeleton(const char *w, size_t len, char *out, size_t cap)
{
    if (!has_letter(w, len)) {
        if (len + 1 > cap) return 0;
        memcpy(out, w, len);
        out[len] = '\0';
        return len;
    }
    return skel_run(w, len, 0, -1, out, 0, cap);
}

/* The memo (see sv_ocr.h): a bounded table of (word, skeleton) pairs
 * (sv_wtab.h). Words it does not keep (longer than SV_WTAB_MAX) go
 * straight to sv_skeleton. */
#define MEMO_SLOTS (1u << 16) /* a power of two */
#define MEMO_ARENA (2u << 20)

struct sv_skelmemo {
    sv_wtab tab;
};

int sv_skelmemo_new(sv_skelmemo **out)
{
    sv_skelmemo *m = calloc(1, sizeof *m);
    if (!m || sv_wtab_init(&m->tab, MEMO_SLOTS, MEMO_ARENA) != 0) {
        free(m);
        *out = NULL;
        return SV_ENOMEM;
    }
    *out = m;
    return SV_OK;
}

void sv_skelmemo_free(sv_skelmemo *m)
{
    if (!m) return;
    sv_wtab_free(&m->tab);
    free(m);
}

size_t sv_skeleton_memo(sv_skelmemo *m, const char *w, size_t len,
                        char *out, size_t cap)
{
    if (!m || len > SV_WTAB_MAX) return sv_skeleton(w, len, out, cap);
    uint32_t h = sv_wtab_hash(w, len);
    size_t k;
    const char *sk = sv_wtab_get(&m->tab, w, len, h, &k);
    if (sk) {
        /* (sv_skeleton gives the length exactly when it fits) */
        if (k + 1 > cap) return 0;
        memcpy(out, sk, k);
        out[k] = '\0';
        return k;
    }
    char buf[SV_SKELETON_MAX];
    k = sv_skeleton(w, len, buf, sizeof buf);
    if (k == 0 && len > 0) /* (no skeleton: not worth remembering) */
        return sv_skeleton(w, len, out, cap);
    (void)sv_wtab_put(&m->tab, w, len, h, buf, k);
    if (k + 1 > cap) return 0;
    memcpy(out, buf, k + 1);
    return k;
}

size_t sv_skeleton_extend(const char *w, size_t len, size_t from,
                          const char *skel, size_t slen, char *out,
                          size_t cap)
{
    /* Only a cut that holds a letter, sits between code points and does
     * not split an "rn" continues where it stopped. */
    if (from == 0 || from > len || slen == 0 || slen + 1 > cap ||
        w[from - 1] == 'r' ||
        (from < len && ((unsigned char)w[from] & 0xC0) == 0x80) ||
        !has_letter(w, from))
        return sv_skeleton(w, len, out, cap);
    size_t k = slen - 1; /* the class written last: skel's last code point */
    while (k > 0 && ((unsigned char)skel[k] & 0xC0) == 0x80) k--;
    size_t at = k;
    int last = sv_utf8_next(skel, slen, &at);
    if (out != skel) memmove(out, skel, slen);
    return skel_run(w, len, from, last, out, slen, cap);
}

/* Cost of document letter d standing where the intended letter q is;
 * literal = 1 when q belongs to a suffix (cannot be a stripped å/ä/ö/é). */
static double sub_cost(int q, int d, int literal)
{
    if (q == d) return 0;
    if (literal && (q == 'a' || q == 'o' || q == 'e')) return NO_WAY;
    switch (q) {
    case 0xE5: case 0xE4: /* å ä */
        if (d == 'a') return 0.25;
        if (in_set(d, aa_set)) return 0.45;
        return NO_WAY;
    case 0xF6: /* ö */
        if (d == 'o') return 0.25;
        if (in_set(d, oo_set)) return 0.45;
        if (d == 's' || d == 'g') return 0.5; /* svergrepp, fgrekommer */
        return NO_WAY;
    case 0xE9: case 0xE8: /* é è */
        if (d == 'e') return 0.2;
        if (in_set(d, aa_set) || in_set(d, oo_set)) return 0.6;
        return NO_WAY;
    case 'i':
        if (in_set(d, ii_set)) return 0.4;
        return d == 't' ? 0.5 : NO_WAY;
    case 'l':
        if (in_set(d, ll_set)) return 0.4;
        return d == 'j' ? 0.5 : NO_WAY;
    case 'h': return d == 'b' ? 0.5 : NO_WAY;
    case 'b': return d == 'h' ? 0.5 : NO_WAY;
    case 'a': /* typed without diacritics: may mean å or ä */
        if (d == 0xE5 || d == 0xE4) return 0.35;
        if (in_set(d, aa_set)) return 0.7;
        return NO_WAY;
    case 'o':
        if (d == 0xF6) return 0.35;
        if (in_set(d, oo_set)) return 0.7;
        return NO_WAY;
    case 'e':
        return (d == 0xE9 || d == 0xE8 || d == 0xEA || d == 0xEB) ? 0.35
                                                                  : NO_WAY;
    case 'u': return (d >= 0xF9 && d <= 0xFC) ? 0.3 : NO_WAY;
    case 'y': return (d == 0xFD || d == 0xFF || d == 0xFC) ? 0.3 : NO_WAY;
    case 'v': return d == 'w' ? 0.2 : NO_WAY;
    case 'w': return d == 'v' ? 0.2 : NO_WAY;
    default: return NO_WAY;
    }
}

/* A letter of the intended form that OCR damages into junk: å/ä/ö (and
 * é). An a or o typed for å/ä/ö is not: letting it be dropped or grow junk
 * would let any vowel stand for any other ("skola" for "skala"). */
static int fragile(int q)
{
    return q == 0xE5 || q == 0xE4 || q == 0xF6 || q == 0xE9;
}

/* Letters OCR leaves as junk beside a letter it damaged (atgédrderna,
 * hoéga, sambeddmning; an i after it: ä read as "ai" or "ii" in
 * anvainda, samhiillet, "å" as "ai" in paiverkas). */
static int junk(int d)
{
    return d == 0xE9 || d == 0xE8 || d == 0xEA || d == 'd' || d == '&' ||
           d == '4' || d == '6' || d == '0' || d == '1' || d == '|' ||
           d == 'i';
}

/* Cost of an extra document letter d between intended letters ql and qr
 * (-1 at either end), where the document has dl before d and dr after it.
 * OCR inserts junk only next to a letter it damaged (an intended å/ä/ö
 * that does not stand intact beside the junk), or doubles a consonant. */
static double ins_cost(int d, int dl, int dr, int ql, int qr)
{
    if (d == dl && skel_class(d) != 'V') return 0.4; /* doubled */
    if (!junk(d)) return NO_WAY;
    return (fragile(ql) && dl != ql) || (fragile(qr) && dr != qr) ? 0.5
                                                                  : NO_WAY;
}

/* Cost of intended letter q (after intended letter prev) missing. */
static double del_cost(int q, int prev)
{
    if (q == 0xE5 || q == 0xE4 || q == 0xF6) return 0.5;
    if (q == prev && skel_class(q) != 'V') return 0.4; /* doubled, once */
    return NO_WAY;
}

#define MAXCP 80

/* "li" read as one 'u' (Ukvardigheten): dearer than the budget of a word
 * of under six letters without å/ä/ö, where it mostly makes other words
 * ("ute" for "lite"). */
#define LI_AS_U 0.6

static size_t decode(const char *s, size_t len, int *out)
{
    size_t i = 0, n = 0;
    while (i < len && n < MAXCP) out[n++] = sv_utf8_next(s, len, &i);
    return i < len ? MAXCP + 1 : n;
}

static double min2(double a, double b) { return a < b ? a : b; }

/* The alignment of q (nq code points, the first nstem of them a stem
 * that may have lost its å/ä/ö) against d. Whole (prefix == 0): the cost
 * of reading d as q, or a value > limit once it must exceed limit. Prefix:
 * q is only the beginning of the intended form, of which the letter after
 * it is unknown (UNKNOWN); returns the least cost of aligning q with any
 * beginning of d, which no form starting with q can undercut. (That letter
 * matters to the last row only through junk beside it, an insertion, which
 * never lowers a row's least cost; and through "rn", see the end.) */
static double align(const int *q, size_t nq, size_t nstem, const int *d,
                    size_t nd, double limit, int prefix)
{
    static const double inf = NO_WAY;
    double row[3][MAXCP + 1]; /* rows i-2, i-1, i (rolling) */
    double *r2 = row[0], *r1 = row[1], *r0 = row[2];
    r1[0] = 0;
    for (size_t j = 1; j <= nd; j++) /* junk before the first letter */
        r1[j] = r1[j - 1] + ins_cost(d[j - 1], j > 1 ? d[j - 2] : -1,
                                     j < nd ? d[j] : -1, -1,
                                     nq ? q[0] : prefix ? UNKNOWN : -1);
    for (size_t j = 0; j <= nd; j++) r2[j] = inf;

    for (size_t i = 1; i <= nq; i++) {
        int qc = q[i - 1], qp = i > 1 ? q[i - 2] : -1;
        int literal = i > nstem;
        int qn = i < nq ? q[i] : prefix ? UNKNOWN : -1;
        double del = del_cost(qc, qp);
        r0[0] = r1[0] + del;
        double best = r0[0];
        for (size_t j = 1; j <= nd; j++) {
            int dc = d[j - 1];
            double c = r1[j - 1] + sub_cost(qc, dc, literal);
            c = min2(c, r1[j] + del);
            c = min2(c, r0[j - 1] + ins_cost(dc, j > 1 ? d[j - 2] : -1,
                                             j < nd ? d[j] : -1, qc, qn));
            if (qc == 'n' && qp == 'r' && dc == 'm') /* rn read as m */
                c = min2(c, r2[j - 1] + 0.4);
            if (qc == 'm' && j > 1 && d[j - 2] == 'r' && dc == 'n')
                c = min2(c, r1[j - 2] + 0.4);
            if (qc == 'i' && qp == 'l' && dc == 'u') /* li read as U */
                c = min2(c, r2[j - 1] + LI_AS_U);
            r0[j] = c;
            if (c < best) best = c;
        }
        /* Prune, unless this 'r' may start an "rn" read as 'm', or this
         * 'l' an "li" read as 'u'. */
        if (best > limit && !(qc == 'r' && (qn == 'n' || qn == UNKNOWN)) &&
            !(qc == 'l' && (qn == 'i' || qn == UNKNOWN)))
            return limit + 1;
        double *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
    if (!prefix) return r1[nd] > limit ? limit + 1 : r1[nd];
    /* A path may leave the last row only through a later row, except an
     * "rn" read as 'm' that skips the row of a final 'r', or an "li" read
     * as 'u' that skips the row of a final 'l' (from the row before). */
    if (nq && q[nq - 1] == 'r') return 0;
    double least = inf;
    for (size_t j = 0; j <= nd; j++) least = min2(least, r1[j]);
    if (nq && q[nq - 1] == 'l')
        for (size_t j = 0; j <= nd; j++) least = min2(least, r2[j] + LI_AS_U);
    return least;
}

/* The code points of q's first qstem bytes. */
static size_t stem_points(const char *qs, size_t qlen, size_t qstem)
{
    size_t nstem = 0;
    for (size_t i = 0; i < qstem && i < qlen; i++)
        nstem += ((unsigned char)qs[i] & 0xC0) != 0x80;
    return nstem;
}

double sv_confusion_cost(const char *qs, size_t qlen, size_t qstem,
                         const char *ds, size_t dlen, double limit)
{
    if (qlen == dlen && memcmp(qs, ds, qlen) == 0) return 0;
    int q[MAXCP], d[MAXCP];
    size_t nq = decode(qs, qlen, q), nd = decode(ds, dlen, d);
    if (nq > MAXCP || nd > MAXCP) return limit + 1;
    if (nq > nd + 4 || nd > nq + 4) return limit + 1;
    return align(q, nq, stem_points(qs, qlen, qstem), d, nd, limit, 0);
}

double sv_confusion_prefix(const char *ps, size_t plen, size_t qstem,
                           const char *ds, size_t dlen, double limit)
{
    int q[MAXCP], d[MAXCP];
    size_t nq = decode(ps, plen, q), nd = decode(ds, dlen, d);
    if (nq > MAXCP || nd > MAXCP) return 0; /* no bound known */
    double least = align(q, nq, stem_points(ps, plen, qstem), d, nd, limit,
                         1);
    return least > limit ? limit + 1 : least;
}

double sv_confusion_budget(const char *q, size_t qlen, size_t qstem)
{
    size_t i = 0, n = 0, dia = 0, ao = 0;
    while (i < qlen) {
        int in_stem = i < qstem;
        int cp = sv_utf8_next(q, qlen, &i);
        n++;
        if (cp == 0xE5 || cp == 0xE4 || cp == 0xF6) dia++;
        if (in_stem && (cp == 'a' || cp == 'o')) ao++;
    }
    /* A form with no å/ä/ö may have been typed without them: each a or o
     * (at most two) may stand for one. */
    if (dia == 0) dia = ao < 2 ? ao : 2;
    double b = 0.3 + 0.55 * (double)dia + 0.05 * (double)n;
    return b > 2.5 ? 2.5 : b;
}

/* Snowball Swedish, step 1 suffixes (removed in R1), plus "" . */
static const char *const step1[] = {
    "", "a", "arna", "erna", "heterna", "orna", "ad", "e", "ade", "ande",
    "arne", "are", "aste", "en", "anden", "aren", "heten", "ern", "ar", "er",
    "heter", "or", "as", "arnas", "ernas", "ornas", "es", "ades", "andes",
    "ens", "arens", "hetens", "erns", "at", "andet", "het", "ast", "s"};

/* Step 3 endings (removed after the others). */
static const char *const step3[] = {"", "lig", "ig", "els"};

static int ends_with(const char *s, size_t len, const char *suf)
{
    size_t n = strlen(suf);
    return len >= n && memcmp(s + len - n, suf, n) == 0;
}

int sv_suffix_forms(const char *stem, size_t len, sv_form_fn fn, void *ctx)
{
    char w[SV_TOKEN_MAX + 32];
    if (len == 0 || len > SV_TOKEN_MAX) return SV_OK;
    memcpy(w, stem, len);
    for (size_t a = 0; a < sizeof step3 / sizeof *step3; a++) {
        size_t la = len + strlen(step3[a]);
        memcpy(w + len, step3[a], la - len);
        /* Step 2 takes one letter off dd gd nn dt gt kt tt; step 3 turns
         * löst into lös and fullt into full: each may add one letter. */
        char extra[4] = {0};
        size_t ne = 0;
        char last = w[la - 1];
        if (last == 'd' || last == 'g') extra[ne++] = 'd';
        if (last == 'n') extra[ne++] = 'n';
        if (last == 'd' || last == 'g' || last == 'k' || last == 't' ||
            ends_with(w, la, "l\xC3\xB6s") || ends_with(w, la, "full"))
            extra[ne++] = 't';
        for (size_t b = 0; b <= ne; b++) { /* no extra letter first */
            size_t lb = la;
            if (b > 0) w[lb++] = extra[b - 1];
            for (size_t c = 0; c < sizeof step1 / sizeof *step1; c++) {
                size_t lc = lb + strlen(step1[c]);
                memcpy(w + lb, step1[c], lc - lb);
                int rc = fn(ctx, w, lc);
                if (rc) return rc;
            }
        }
    }
    return SV_OK;
}

typedef struct check_ctx {
    sv_stemmer *st;
    const char *stem;
    size_t len;
    sv_form_fn fn;
    void *ctx;
} check_ctx;

static int check_form(void *p, const char *form, size_t len)
{
    check_ctx *c = p;
    const char *r;
    size_t rl;
    if (sv_stem(c->st, form, len, &r, &rl) != SV_OK) return SV_ENOMEM;
    if (rl == c->len && memcmp(r, c->stem, rl) == 0)
        return c->fn(c->ctx, form, len);
    return 0;
}

int sv_inflections(sv_stemmer *st, const char *stem, size_t len,
                   sv_form_fn fn, void *ctx)
{
    check_ctx c = {st, stem, len, fn, ctx};
    return sv_suffix_forms(stem, len, check_form, &c);
}
