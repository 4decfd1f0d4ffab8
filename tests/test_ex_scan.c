/*
 * test_ex_scan.c — tests of pages read by OCR as extract/ keeps them
 * (ex_scan.h), without Tesseract: the fixes for what the Swedish model
 * misreads in decisions (ex_ocr_fix), the serialised page (written,
 * checked, decoded, and never trusted: every damaged copy is refused or
 * read safely), and the glyphs a page gives the layout cleanup (a
 * slightly rotated line flattened, one height per line of one size).
 * The pages here are made up; what Tesseract really reads is
 * test_ex_read's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex.h"
#include "ex_scan.h"

/* ------------------------------------------------------------------------ */
/* ex_ocr_fix                                                               */

/* Splits s at spaces into w (pointing into buf), fixes, joins into out. */
static size_t fix_line(const char *s, char *out, size_t outlen)
{
    char buf[512];
    ex_ocr_word w[64];
    snprintf(buf, sizeof buf, "%s", s);
    size_t n = 0;
    for (char *p = strtok(buf, " "); p && n < 64; p = strtok(NULL, " "))
        w[n++] = (ex_ocr_word){p, strlen(p)};
    size_t changed = ex_ocr_fix(w, n);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%s%.*s", i ? " " : "",
                              (int)w[i].len, w[i].s);
    return changed;
}

static void test_paragraph_sign(void **state)
{
    (void)state;
    /* What tesseract -l swe reads for § in decisions (issue 31), and
     * what must stay as it is. */
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"enligt 26 kap. 19 8 skollagen", "enligt 26 kap. 19 § skollagen"},
        {"enligt 26 kap. 19 $ skollagen", "enligt 26 kap. 19 § skollagen"},
        {"beslut enligt 19 8 skollagen", "beslut enligt 19 § skollagen"},
        {"se 3 kap. 8 8.", "se 3 kap. 8 §."},
        {"29 kap. 3 3 ska", "29 kap. 3 § ska"},
        {"5 kap. 3 a 8 skollagen", "5 kap. 3 a § skollagen"},
        {"4 kap. 3-8 88 och", "4 kap. 3-8 §§ och"},
        {"enligt 2 8, och", "enligt 2 §, och"},
        {"kap S", "kap S"},
        {"kostar $ 5", "kostar § 5"},
        /* Not paragraph signs. */
        {"den 8 juni", "den 8 juni"},
        {"har 19 8 Elever", "har 19 8 Elever"},
        {"år 2019 8 elever", "år 2019 8 elever"},
        {"sidan 3 3 och", "sidan 3 3 och"},
        {"klass 12 S", "klass 12 S"},
        {"8 elever", "8 elever"},
        {"US$ 5", "US$ 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[512];
        size_t changed = fix_line(cases[i].in, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].in, out,
                     cases[i].want);
        assert_int_equal(changed != 0,
                         strcmp(cases[i].in, cases[i].want) != 0);
    }
}

/* ------------------------------------------------------------------------ */
/* The serialised page                                                      */

/* A page of 2480 x 3508 pixels at 300 dpi: a line whose baseline climbs
 * 20 pixels over its width (a scan a little rotated), then a line with a
 * word made tall by a speck. */
static ex_scan *made_page(void)
{
    ex_scan_build b = {0};
    ex_scan_begin(&b, 2, 300, 2480, 3508);
    ex_scan_line(&b, 300, 500, 1300, 480);
    ex_scan_word(&b, 300, 460, 500, 500, 90, "Beslut", 6);
    ex_scan_word(&b, 540, 456, 760, 496, 80, "enligt", 6);
    ex_scan_word(&b, 800, 452, 860, 492, 70, "19", 2);
    ex_scan_word(&b, 880, 452, 910, 492, 60, "8", 1);
    ex_scan_word(&b, 950, 448, 1300, 488, 100, "skollagen", 9);
    ex_scan_line(&b, 300, 600, 1300, 600);
    ex_scan_word(&b, 300, 560, 500, 600, 90, "Västerås", strlen("Västerås"));
    ex_scan_word(&b, 540, 530, 760, 600, 90, "kommun", 6);
    ex_scan_word(&b, 800, 566, 900, 600, 90, "av", 2);
    ex_scan *s = NULL;
    assert_int_equal(ex_scan_end(&b, &s), EX_OK);
    assert_non_null(s);
    return s;
}

static void test_page_round_trip(void **state)
{
    (void)state;
    ex_scan *s = made_page();
    assert_int_equal(s->page, 2);
    /* The mean of the words' confidences. */
    assert_int_equal(s->confidence, 84); /* 670 / 8, rounded */
    assert_null(s->why);
    ex_scan *t = NULL;
    assert_int_equal(ex_scan_decode(s->bytes, s->len, &t), EX_OK);
    assert_int_equal(t->page, 2);
    assert_int_equal(t->confidence, s->confidence);
    assert_int_equal(t->len, s->len);
    assert_memory_equal(t->bytes, s->bytes, s->len);

    ex_glyph *g = NULL;
    size_t n = 0;
    double w = 0, h = 0;
    assert_int_equal(ex_scan_glyphs(t, &g, &n, &w, &h), EX_OK);
    /* Points: 72 per 300 pixels. */
    assert_true(w > 595 && w < 596);
    assert_true(h > 841 && h < 843);
    char text[256];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < sizeof text; i++) {
        uint32_t c = g[i].cp;
        if (c < 0x80) {
            text[o++] = (char)c;
        } else {
            text[o++] = (char)(0xC0 | (c >> 6));
            text[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    text[o] = '\0';
    assert_string_equal(text, "Beslut enligt 19 § skollagen\n"
                              "Västerås kommun av\n");
    /* The rotated line is level, and both lines have one height: their
     * ascents (about 40 pixels, and 40 with one word of 70 from a speck)
     * are the page's usual one. */
    float y0 = g[0].y0, y1 = g[0].y1;
    for (size_t i = 0; g[i].cp != '\n'; i++)
        if (g[i].cp != ' ') {
            assert_true(g[i].y0 == y0);
            assert_true(g[i].y1 == y1);
        }
    size_t second = 0;
    while (g[second].cp != '\n') second++;
    second++;
    float h1 = y1 - y0, h2 = g[second].y1 - g[second].y0;
    assert_true(h1 > 0);
    assert_true(h2 > h1 - 0.001f && h2 < h1 + 0.001f);
    /* Left to right, each word's characters share its width. */
    assert_true(g[0].x0 < g[1].x0);
    assert_true(g[0].x0 > 300 * 72.0 / 300 - 0.01);
    free(g);
    ex_scan_free(t);
    ex_scan_free(s);
}

static void test_failed_page(void **state)
{
    (void)state;
    ex_scan *s = (ex_scan *)1;
    assert_int_equal(ex_scan_failed(0, "x", &s), EX_EINVAL);
    assert_null(s);
    assert_int_equal(ex_scan_failed(7, "OCR time limit (60 s) exceeded", &s),
                     EX_OK);
    assert_int_equal(s->page, 7);
    assert_int_equal(s->confidence, -1);
    assert_string_equal(s->why, "OCR time limit (60 s) exceeded");
    ex_scan *t = NULL;
    assert_int_equal(ex_scan_decode(s->bytes, s->len, &t), EX_OK);
    assert_string_equal(t->why, "OCR time limit (60 s) exceeded");
    ex_glyph *g = (ex_glyph *)1;
    size_t n = 1;
    double w, h;
    assert_int_equal(ex_scan_glyphs(t, &g, &n, &w, &h), EX_OK);
    assert_int_equal(n, 0);
    assert_null(g);
    ex_scan_free(t);
    ex_scan_free(s);
    /* No reason: a reason all the same. */
    assert_int_equal(ex_scan_failed(1, NULL, &s), EX_OK);
    assert_non_null(s->why);
    ex_scan_free(s);
    ex_scan_free(NULL);
}

/* Every single-byte change and every truncation of a page: refused
 * (EX_ECORRUPT) or read, and a page that is read gives its glyphs
 * (ASan watches the reads). */
static void test_damaged_pages(void **state)
{
    (void)state;
    ex_scan *s = made_page();
    unsigned char *copy = malloc(s->len);
    assert_non_null(copy);
    size_t accepted = 0;
    for (size_t i = 0; i < s->len; i++) {
        for (int delta = 1; delta < 256; delta += 29) {
            memcpy(copy, s->bytes, s->len);
            copy[i] = (unsigned char)(copy[i] + delta);
            ex_scan *t = (ex_scan *)1;
            int rc = ex_scan_decode(copy, s->len, &t);
            assert_true(rc == EX_OK || rc == EX_ECORRUPT);
            if (rc != EX_OK) {
                assert_null(t);
                continue;
            }
            accepted++;
            ex_glyph *g = NULL;
            size_t n = 0;
            double w, h;
            assert_int_equal(ex_scan_glyphs(t, &g, &n, &w, &h), EX_OK);
            free(g);
            ex_scan_free(t);
        }
        ex_scan *t = (ex_scan *)1;
        assert_int_equal(ex_scan_decode(s->bytes, i, &t), EX_ECORRUPT);
        assert_null(t);
    }
    /* Changes to boxes and confidences are still pages; changes to the
     * magic, counts and lengths are not. */
    assert_true(accepted > 0);
    memcpy(copy, s->bytes, s->len);
    copy[0] = 'X';
    ex_scan *t = (ex_scan *)1;
    assert_int_equal(ex_scan_decode(copy, s->len, &t), EX_ECORRUPT);
    free(copy);
    ex_scan_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraph_sign),
        cmocka_unit_test(test_page_round_trip),
        cmocka_unit_test(test_failed_page),
        cmocka_unit_test(test_damaged_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
