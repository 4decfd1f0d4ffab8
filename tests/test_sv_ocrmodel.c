/*
 * test_sv_ocrmodel.c — unit tests for the learned OCR damage model
 * (stemmer/sv_ocrmodel.h), linked against diarium_sv alone.
 *
 * The table is learned (tools/ocrmodel/train.py), so these tests do not
 * pin its numbers. They check what any table learned from Tesseract's
 * English model reading Swedish must give on made-up pairs (ä read as a
 * is likely; an i read as a is not), that the table is well formed, and
 * the properties the query side relies on: identical forms cost 0, the
 * limit only cuts off (never changes a cost within it), and the prefix
 * bound never exceeds the cost of a form with that prefix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_ocrmodel.h"

static double cost(const char *q, const char *d)
{
    return sv_ocrmodel_cost(q, strlen(q), d, strlen(d), 1e6);
}

static double budget(const char *q)
{
    return sv_ocrmodel_budget(q, strlen(q));
}

static void test_table_sorted(void **state)
{
    (void)state;
    assert_true(sv_ocrmodel_nrules > 20);
    for (size_t k = 0; k < sv_ocrmodel_nrules; k++) {
        const sv_ocrmodel_rule *r = &sv_ocrmodel_rules[k];
        assert_true(r->nclean == 1 || r->nclean == 2);
        assert_true(r->nread <= 3);
        assert_true(r->cost >= 0);
        assert_int_equal(r->nclean == 1, r->key % SV_OCRMODEL_KEY == 0);
        if (k > 0) {
            const sv_ocrmodel_rule *p = &sv_ocrmodel_rules[k - 1];
            assert_true(p->key < r->key ||
                        (p->key == r->key && p->cost <= r->cost));
        }
    }
    assert_true(sv_ocrmodel_backoff_sub > 0);
    assert_true(sv_ocrmodel_backoff_del > 0);
    assert_true(sv_ocrmodel_backoff_ins > 0);
}

static void test_identity_is_free(void **state)
{
    (void)state;
    const char *w[] = {"beslut", "\xc3\xa5tg\xc3\xa4rder", "s\xc3\xa4ger",
                       "i", ""};
    for (size_t k = 0; k < sizeof w / sizeof *w; k++)
        assert_true(cost(w[k], w[k]) == 0);
}

/* Made-up pairs: what OCR without å/ä/ö does is cheap and within the
 * budget; what it does not do is dear, beyond it. */
static void test_likely_and_unlikely(void **state)
{
    (void)state;
    static const struct { const char *clean, *read; } likely[] = {
        {"s\xc3\xa4ger", "sager"},           /* säger: ä as a */
        {"s\xc3\xa4ger", "siger"},           /* ä as i */
        {"f\xc3\xb6r", "for"},               /* för */
        {"\xc3\xa5tg\xc3\xa4rder", "atgarder"},
        {"m\xc3\xb6jlighet", "m\xc3\xa9jlighet"}, /* ö as é */
        {"f\xc3\xb6rordningen", "frordningen"},   /* ö dropped */
    };
    for (size_t k = 0; k < sizeof likely / sizeof *likely; k++) {
        double c = cost(likely[k].clean, likely[k].read);
        double b = budget(likely[k].clean);
        if (!(c > 0 && c <= b))
            fail_msg("%s read as %s: cost %.2f, budget %.2f",
                     likely[k].clean, likely[k].read, c, b);
    }
    static const struct { const char *clean, *read; } unlikely[] = {
        {"bil", "bal"},     /* an i is not read as a */
        {"skola", "skala"}, /* nor an o */
        {"hus", "mus"},
        {"beslut", "bestut"},
        {"vatten", "vattnet"},
    };
    for (size_t k = 0; k < sizeof unlikely / sizeof *unlikely; k++) {
        double c = cost(unlikely[k].clean, unlikely[k].read);
        double b = budget(unlikely[k].clean);
        if (!(c > b))
            fail_msg("%s read as %s: cost %.2f within budget %.2f",
                     unlikely[k].clean, unlikely[k].read, c, b);
    }
    /* The likelier reading is the cheaper. */
    assert_true(cost("s\xc3\xa4ger", "sager") < cost("s\xc3\xa4ger", "sgger"));
    assert_true(cost("f\xc3\xb6r", "for") < cost("f\xc3\xb6r", "fr"));
}

/* A random damaged spelling of w (deterministic generator). */
static size_t damage(const char *w, char *out, unsigned *seed)
{
    static const char *junk[] = {"a", "i", "o", "\xc3\xa9", "6", "d", "",
                                 "rn", "m", "u", "l", "t"};
    size_t o = 0, n = strlen(w);
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        unsigned r = (*seed >> 16) % 100;
        size_t len = ((unsigned char)w[i] & 0xE0) == 0xC0 ? 2 : 1;
        if (r < 15) {
            const char *j = junk[(*seed >> 8) % (sizeof junk / sizeof *junk)];
            memcpy(out + o, j, strlen(j));
            o += strlen(j);
        } else {
            memcpy(out + o, w + i, len);
            o += len;
        }
        i += len - 1;
    }
    out[o] = '\0';
    return o;
}

static void test_limit_and_prefix_bound(void **state)
{
    (void)state;
    static const char *words[] = {
        "f\xc3\xb6rordningen", "verksamhet", "likv\xc3\xa4rdighet",
        "\xc3\xa5tg\xc3\xa4rderna", "bilden", "kommunernas", "modern",
        "s\xc3\xa4rskilt", "st\xc3\xb6\x64", "ledning"};
    unsigned seed = 37;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        const char *q = words[k];
        size_t ql = strlen(q);
        for (int t = 0; t < 40; t++) {
            char d[128];
            size_t dl = damage(q, d, &seed);
            double full = sv_ocrmodel_cost(q, ql, d, dl, 1e6);
            assert_true(full >= 0);
            /* A limit cuts off; within it the cost is the same. */
            for (double lim = 0.5; lim < 30; lim *= 2) {
                double c = sv_ocrmodel_cost(q, ql, d, dl, lim);
                if (full <= lim) assert_true(c == full);
                else assert_true(c > lim);
            }
            /* Every prefix of q (at code point boundaries) bounds. */
            for (size_t p = 1; p <= ql; p++) {
                if (p < ql && ((unsigned char)q[p] & 0xC0) == 0x80) continue;
                double b = sv_ocrmodel_prefix(q, p, d, dl, 1e6);
                if (b > full + 1e-9)
                    fail_msg("prefix %.*s of %s against %s: bound %.3f > "
                             "cost %.3f", (int)p, q, q, d, b, full);
            }
        }
    }
}

/* What sv_ocrmodel_respells gave: how many, and in order of cost. */
typedef struct seen {
    size_t n;
    double last;
    int sorted;
} seen;

static int on_respell(void *ctx, const char *clean, const char *read,
                      double c)
{
    seen *s = ctx;
    assert_true(strlen(clean) > 0);
    assert_true(strcmp(clean, read) != 0);
    if (s->n && c < s->last) s->sorted = 0;
    s->last = c;
    s->n++;
    return 0;
}

static void test_respells(void **state)
{
    (void)state;
    seen s = {0, 0, 1};
    assert_int_equal(sv_ocrmodel_respells(1e9, 50, on_respell, &s), 0);
    assert_true(s.n > 0 && s.n <= 50);
    assert_true(s.sorted);
    seen none = {0, 0, 1};
    assert_int_equal(sv_ocrmodel_respells(-1, 50, on_respell, &none), 0);
    assert_int_equal(none.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_identity_is_free),
        cmocka_unit_test(test_likely_and_unlikely),
        cmocka_unit_test(test_limit_and_prefix_bound),
        cmocka_unit_test(test_respells),
    };
    return cmocka_run_group_tests_name("sv_ocrmodel", tests, NULL, NULL);
}
