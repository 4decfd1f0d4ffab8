/*
 * sv_ocrmodel.c — costs of OCR readings under the learned edit model (see
 * sv_ocrmodel.h); the table itself is generated (sv_ocrmodel_tab.c).
 */
#include "sv_ocrmodel.h"
#include "sv_ocr.h"
#include "sv_text.h"

#include <stdio.h>
#include <string.h>

#define MAXCP 80

/* The budget: BUDGET_BASE + BUDGET_PER_LETTER per code point, at most
 * BUDGET_MAX (in nats, as the costs). Chosen on the generated training
 * pages, never on eval-dev (bench/NOTES.md, issue 37). BUDGET_MAX stays
 * under the backoff costs (about 9 to 12): a letter changed in a way
 * never seen is not taken on the model's word, however long the word
 * ("socialtjanstlagen" is not "socialtjänsten"). */
#define BUDGET_BASE 2.0
#define BUDGET_PER_LETTER 0.5
#define BUDGET_MAX 8.0

static size_t decode(const char *s, size_t len, int *out)
{
    size_t i = 0, n = 0;
    while (i < len && n < MAXCP) out[n++] = sv_utf8_next(s, len, &i);
    return i < len ? MAXCP + 1 : n;
}

/* The rules with this key: [*lo, *hi) of the table. */
static void rules_of(uint64_t key, size_t *lo, size_t *hi)
{
    size_t a = 0, b = sv_ocrmodel_nrules;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (sv_ocrmodel_rules[m].key < key) a = m + 1;
        else b = m;
    }
    *lo = a;
    while (b < sv_ocrmodel_nrules && sv_ocrmodel_rules[b].key == key) b++;
    *hi = b;
}

/* The least cost of a two-letter rule whose clean side starts with c
 * (1e9 when there is none). */
static double least_pair(int c)
{
    size_t lo, hi;
    rules_of((uint64_t)c * SV_OCRMODEL_KEY + 1, &lo, &hi);
    double least = 1e9;
    for (size_t k = lo; k < sv_ocrmodel_nrules &&
                        sv_ocrmodel_rules[k].key / SV_OCRMODEL_KEY ==
                            (uint64_t)c;
         k++)
        if (sv_ocrmodel_rules[k].cost < least)
            least = sv_ocrmodel_rules[k].cost;
    return least;
}

static double min2(double a, double b) { return a < b ? a : b; }

/* The rules [lo, hi) read as d[.. j) from row `from`: the cheapest. */
static double by_rules(size_t lo, size_t hi, const double *from,
                       const int *d, size_t j, double best)
{
    for (size_t k = lo; k < hi; k++) {
        const sv_ocrmodel_rule *r = &sv_ocrmodel_rules[k];
        size_t n = r->nread;
        if (n > j || from[j - n] + r->cost >= best) continue;
        int same = 1;
        for (size_t t = 0; t < n && same; t++)
            same = d[j - n + t] == r->read[t];
        if (same) best = from[j - n] + r->cost;
    }
    return best;
}

/* The alignment of q (nq code points) against d (nd): whole, the cost of
 * reading d as q (> limit once it must exceed limit); prefix, the least
 * cost for any form starting with q. */
static double align(const int *q, size_t nq, const int *d, size_t nd,
                    double limit, int prefix)
{
    const double inf = 1e9, bsub = sv_ocrmodel_backoff_sub,
                 bdel = sv_ocrmodel_backoff_del,
                 bins = sv_ocrmodel_backoff_ins;
    double row[3][MAXCP + 1];
    double *r2 = row[0], *r1 = row[1], *r0 = row[2];
    double min1 = 0, min2r = inf; /* least of rows i-1 and i-2 */
    r1[0] = 0;
    for (size_t j = 1; j <= nd; j++) r1[j] = r1[j - 1] + bins;
    for (size_t j = 0; j <= nd; j++) r2[j] = inf;
    for (size_t i = 1; i <= nq; i++) {
        size_t lo1, hi1, lo2 = 0, hi2 = 0;
        rules_of((uint64_t)q[i - 1] * SV_OCRMODEL_KEY, &lo1, &hi1);
        if (i > 1)
            rules_of((uint64_t)q[i - 2] * SV_OCRMODEL_KEY + (uint64_t)q[i - 1],
                     &lo2, &hi2);
        r0[0] = min2(r1[0] + bdel,
                     by_rules(lo2, hi2, r2, d, 0,
                              by_rules(lo1, hi1, r1, d, 0, inf)));
        double best = r0[0];
        for (size_t j = 1; j <= nd; j++) {
            double c = r1[j - 1] + (q[i - 1] == d[j - 1] ? 0 : bsub);
            c = min2(c, r1[j] + bdel);
            c = min2(c, r0[j - 1] + bins);
            c = by_rules(lo1, hi1, r1, d, j, c);
            if (hi2 > lo2) c = by_rules(lo2, hi2, r2, d, j, c);
            r0[j] = c;
            if (c < best) best = c;
        }
        /* Every path to the end passes through this row, or jumps over
         * it from the row before by a two-letter rule: costs only grow. */
        if (best > limit && min1 > limit) return limit + 1;
        min2r = min1;
        min1 = best;
        double *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
    (void)min2r;
    if (!prefix) return r1[nd] > limit ? limit + 1 : r1[nd];
    /* Any beginning of d; the last letter may also start a two-letter
     * rule with the unknown letter after it (from the row before). */
    double least = inf;
    for (size_t j = 0; j <= nd; j++) least = min2(least, r1[j]);
    if (nq) {
        double pair = least_pair(q[nq - 1]);
        for (size_t j = 0; j <= nd; j++) least = min2(least, r2[j] + pair);
    }
    return least;
}

double sv_ocrmodel_cost(const char *qs, size_t qlen, const char *ds,
                        size_t dlen, double limit)
{
    if (qlen == dlen && memcmp(qs, ds, qlen) == 0) return 0;
    int q[MAXCP], d[MAXCP];
    size_t nq = decode(qs, qlen, q), nd = decode(ds, dlen, d);
    if (nq > MAXCP || nd > MAXCP) return limit + 1;
    return align(q, nq, d, nd, limit, 0);
}

double sv_ocrmodel_prefix(const char *ps, size_t plen, const char *ds,
                          size_t dlen, double limit)
{
    int q[MAXCP], d[MAXCP];
    size_t nq = decode(ps, plen, q), nd = decode(ds, dlen, d);
    if (nq > MAXCP || nd > MAXCP) return 0;
    double least = align(q, nq, d, nd, limit, 1);
    return least > limit ? limit + 1 : least;
}

double sv_ocrmodel_budget(const char *q, size_t qlen)
{
    size_t i = 0, n = 0;
    while (i < qlen) {
        (void)sv_utf8_next(q, qlen, &i);
        n++;
    }
    double b = BUDGET_BASE + BUDGET_PER_LETTER * (double)n;
    return b > BUDGET_MAX ? BUDGET_MAX : b;
}

/* Writes the code points cp[0..n) as UTF-8 into out (room for 13). */
static size_t put_all(const int *cp, size_t n, char *out)
{
    size_t o = 0;
    for (size_t k = 0; k < n; k++) o += sv_utf8_put(cp[k], out + o);
    out[o] = '\0';
    return o;
}

/* The core of edit k: its clean and read sides less the letters they
 * share at either end (sä -> s is ä -> "", öv -> sv is ö -> s), as UTF-8
 * in a and b (room for 16 each); whether that changes the skeleton of a
 * word (between two x: a lone 6 is a number, its own skeleton). */
static int core_of(size_t k, char *a, char *b)
{
    const sv_ocrmodel_rule *r = &sv_ocrmodel_rules[k];
    int cl[2] = {(int)(r->key / SV_OCRMODEL_KEY),
                 (int)(r->key % SV_OCRMODEL_KEY)};
    size_t c0 = 0, c1 = r->nclean, r0 = 0, r1 = r->nread;
    while (c0 < c1 && r0 < r1 && cl[c0] == r->read[r0]) c0++, r0++;
    while (c1 > c0 && r1 > r0 && cl[c1 - 1] == r->read[r1 - 1]) c1--, r1--;
    if (c0 == c1) return 0; /* an insertion only: not a respelling */
    int wa[4] = {'x'}, wb[5] = {'x'};
    size_t na = 1, nb = 1;
    for (size_t t = c0; t < c1; t++) wa[na++] = cl[t];
    for (size_t t = r0; t < r1; t++) wb[nb++] = r->read[t];
    wa[na++] = 'x';
    wb[nb++] = 'x';
    char xa[24], xb[24], sa[SV_SKELETON_MAX], sb[SV_SKELETON_MAX];
    size_t la = put_all(wa, na, xa), lb = put_all(wb, nb, xb);
    size_t ka = sv_skeleton(xa, la, sa, sizeof sa);
    size_t kb = sv_skeleton(xb, lb, sb, sizeof sb);
    if (ka == kb && memcmp(sa, sb, ka) == 0) return 0;
    put_all(cl + c0, c1 - c0, a);
    put_all(r->read + r0, r1 - r0, b);
    return 1;
}

int sv_ocrmodel_respells(double max_cost, size_t most, sv_ocrmodel_edit_fn fn,
                         void *ctx)
{
    /* Cores picked cheapest first, each once, by a pass per pick (the
     * table is a few hundred rules; this runs once per query word). */
    enum { SEEN = 64 };
    char seen[SEEN][32];
    size_t nseen = 0;
    double last = -1;
    size_t last_k = 0;
    while (nseen < most && nseen < SEEN) {
        size_t pick = sv_ocrmodel_nrules;
        char a[16], b[16], pa[16] = "", pb[16] = "";
        for (size_t k = 0; k < sv_ocrmodel_nrules; k++) {
            double c = sv_ocrmodel_rules[k].cost;
            if (c > max_cost || c < last || (c == last && k <= last_k))
                continue;
            if (pick < sv_ocrmodel_nrules &&
                c >= sv_ocrmodel_rules[pick].cost)
                continue;
            if (!core_of(k, a, b)) continue;
            char key[32];
            snprintf(key, sizeof key, "%s\x1f%s", a, b);
            int dup = 0;
            for (size_t t = 0; t < nseen && !dup; t++)
                dup = strcmp(seen[t], key) == 0;
            if (dup) continue;
            pick = k;
            memcpy(pa, a, sizeof a);
            memcpy(pb, b, sizeof b);
        }
        if (pick == sv_ocrmodel_nrules) break;
        snprintf(seen[nseen++], sizeof seen[0], "%s\x1f%s", pa, pb);
        int rc = fn(ctx, pa, pb, sv_ocrmodel_rules[pick].cost);
        if (rc) return rc;
        last = sv_ocrmodel_rules[pick].cost;
        last_k = pick;
    }
    return 0;
}
