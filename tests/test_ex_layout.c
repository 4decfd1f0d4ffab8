/*
 * test_ex_layout.c — unit tests for extract/ex_layout (layout cleanup),
 * linked against diarium_ex_layout alone: no PDF library, no worker.
 *
 * Pages are made of glyphs placed by the tests the way poppler gives them
 * (a box per character, spaces as glyphs, '\n' ending each of its lines),
 * so that every rule of ex_layout.h is checked on a known layout. The
 * traps are those of issue 30; the PDF end of the same traps is in
 * test_ex_read.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex.h"
#include "ex_layout.h"

/* ------------------------------------------------------------------------ */
/* Glyph builders                                                           */

typedef struct gl {
    ex_glyph *g;
    size_t n, cap;
} gl;

static void push(gl *b, uint32_t cp, float x0, float y0, float x1, float y1)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->g = realloc(b->g, b->cap * sizeof *b->g);
        assert_non_null(b->g);
    }
    b->g[b->n++] = (ex_glyph){cp, x0, y0, x1, y1};
}

/* Decodes one UTF-8 character at *s. */
static uint32_t next_cp(const char **s)
{
    const unsigned char *u = (const unsigned char *)*s;
    uint32_t c = u[0];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n) c &= 0x3Fu >> n;
    for (int i = 1; i <= n; i++) c = c << 6 | (u[i] & 0x3F);
    *s += n + 1;
    return c;
}

/* One line of the PDF library: text from (x, y) (y the top), each
 * character cw wide and h high, ended by '\n'. */
static void text_at(gl *b, float x, float y, const char *s, float cw, float h)
{
    while (*s) {
        uint32_t c = next_cp(&s);
        push(b, c, x, y, x + cw, y + h);
        x += cw;
    }
    push(b, '\n', x, y, x, y + h);
}

/* Lines of body text at 11 pt-like size: top y, 14 apart, from x. */
static float para(gl *b, float x, float y, const char *const *lines,
                  size_t n)
{
    for (size_t i = 0; i < n; i++, y += 14) text_at(b, x, y, lines[i], 6, 11);
    return y;
}

static ex_layout *layout_of(gl *pages, size_t n)
{
    ex_layout *lo;
    assert_int_equal(ex_layout_new(&lo), EX_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ex_layout_add_page(lo, 595, 842, pages[i].g,
                                            pages[i].n),
                         EX_OK);
    assert_int_equal(ex_layout_finish(lo), EX_OK);
    return lo;
}

static void free_pages(gl *pages, size_t n)
{
    for (size_t i = 0; i < n; i++) free(pages[i].g);
}

static const char *page_text(ex_layout *lo, size_t i)
{
    return ex_layout_text(lo, i, NULL);
}

/* ------------------------------------------------------------------------ */
/* The hyphen rule and normalisation (tables)                               */

static void test_hyphen_rule_swedish_cases(void **state)
{
    (void)state;
    static const struct { const char *l, *r; int want; } cases[] = {
        /* a word split at the line end is joined */
        {"åt-", "gärder", EX_HYPHEN_JOIN},
        {"ut-", "bildning", EX_HYPHEN_JOIN},
        {"tillsyns-", "myndigheten", EX_HYPHEN_JOIN},
        {"åt\xe2\x80\x90", "gärder", EX_HYPHEN_JOIN},      /* U+2010 */
        {"kompen\xc2\xad", "satoriska", EX_HYPHEN_JOIN},  /* soft hyphen */
        {"kompen\xc2\xad", "Satoriska", EX_HYPHEN_JOIN},  /* always */
        /* kept before or after a capital or a digit */
        {"EU-", "regler", EX_HYPHEN_KEEP},
        {"IT-", "stöd", EX_HYPHEN_KEEP},
        {"400-", "2022:5678", EX_HYPHEN_KEEP},
        {"2022-", "2023", EX_HYPHEN_KEEP},
        {"Stockholms-", "Uppsala", EX_HYPHEN_KEEP},
        {"18-", "åringar", EX_HYPHEN_KEEP},
        /* a one-letter first part is no syllable */
        {"e-", "post", EX_HYPHEN_KEEP},
        {"(e-", "tjänst", EX_HYPHEN_KEEP},
        /* suspended compounds keep the hyphen and a space */
        {"barn-", "och", EX_HYPHEN_SPACE},
        {"för-", "eller", EX_HYPHEN_SPACE},
        {"grund-", "samt", EX_HYPHEN_SPACE},
        {"skol-", "respektive", EX_HYPHEN_SPACE},
        {"skol-", "resp.", EX_HYPHEN_SPACE},
        {"förskole-", "till", EX_HYPHEN_SPACE},
        {"barn-", "Och", EX_HYPHEN_SPACE},
        {"kvalitets-", "och,", EX_HYPHEN_SPACE},
        /* "till" as the first part is an ordinary split */
        {"till-", "synen", EX_HYPHEN_JOIN},
        /* not a letter after it */
        {"text-", "(se", EX_HYPHEN_KEEP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int got = ex_hyphen_rule(cases[i].l, strlen(cases[i].l), cases[i].r,
                                 strlen(cases[i].r));
        if (got != cases[i].want)
            fail_msg("%s + %s: got %d, want %d", cases[i].l, cases[i].r, got,
                     cases[i].want);
    }
}

static void test_norm_ligatures_and_specials(void **state)
{
    (void)state;
    static const struct { uint32_t in; size_t n; uint32_t out[3]; } cases[] = {
        {0xFB00, 2, {'f', 'f'}},  {0xFB01, 2, {'f', 'i'}},
        {0xFB02, 2, {'f', 'l'}},  {0xFB03, 3, {'f', 'f', 'i'}},
        {0xFB04, 3, {'f', 'f', 'l'}}, {0xFB05, 2, {'s', 't'}},
        {0xFB06, 2, {'s', 't'}},  {0x00AD, 0, {0}},
        {0x00A0, 1, {' '}},       {0x2009, 1, {' '}},
        {0x202F, 1, {' '}},       {0x2010, 1, {'-'}},
        {0x2011, 1, {'-'}},       {0x200B, 0, {0}},
        {0xFEFF, 0, {0}},         {0x0007, 0, {0}},
        {0x0085, 0, {0}},         {'\t', 1, {' '}},
        {'a', 1, {'a'}},          {0x00E5, 1, {0x00E5}},
        {0x2013, 1, {0x2013}},    {0xD800, 1, {0xFFFD}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint32_t o[3] = {0, 0, 0};
        size_t n = ex_norm_cp(cases[i].in, o);
        assert_int_equal(n, cases[i].n);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(o[k], cases[i].out[k]);
    }
}

/* ------------------------------------------------------------------------ */
/* One page                                                                 */

static void test_lines_of_a_paragraph_join_and_split_words_heal(void **state)
{
    (void)state;
    gl p = {0};
    static const char *const body[] = {
        "Huvudmannen ska vidta åt-",
        "gärder enligt nya EU-",
        "regler och barn-",
        "och utbildningsnämnden",
        "svarar.",
    };
    para(&p, 72, 100, body, 5);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "Huvudmannen ska vidta åtgärder enligt nya "
                        "EU-regler och barn- och utbildningsnämnden svarar.");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_a_larger_gap_starts_a_paragraph(void **state)
{
    (void)state;
    gl p = {0};
    static const char *const a[] = {"Första stycket har två",
                                    "rader text i sig."};
    static const char *const b[] = {"Andra stycket har också",
                                    "två rader text."};
    float y = para(&p, 72, 100, a, 2);
    para(&p, 72, y + 12, b, 2);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "Första stycket har två rader text i sig.\n\n"
                        "Andra stycket har också två rader text.");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_an_indented_line_starts_a_paragraph(void **state)
{
    (void)state;
    gl p = {0};
    text_at(&p, 80, 100, "Första stycket börjar indraget", 6, 11);
    text_at(&p, 72, 114, "och går vidare på nästa rad med", 6, 11);
    text_at(&p, 72, 128, "mer text som fyller raden ut.", 6, 11);
    text_at(&p, 80, 142, "Andra stycket börjar också in-", 6, 11);
    text_at(&p, 72, 156, "draget och slutar här i dag.", 6, 11);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "Första stycket börjar indraget och går vidare på "
                        "nästa rad med mer text som fyller raden ut.\n\n"
                        "Andra stycket börjar också indraget och slutar "
                        "här i dag.");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_two_columns_are_read_one_after_the_other(void **state)
{
    (void)state;
    gl p = {0};
    static const char *const left[] = {
        "Kommunen har under året granskat",
        "elevhälsan och hur skolorna följer",
        "upp frånvaron bland eleverna i",
        "grundskolan och i gymnasieskolan.",
    };
    static const char *const right[] = {
        "Nämnden beslutade därefter att ge",
        "förvaltningen i uppdrag att ta fram",
        "en plan för det fortsatta arbetet",
        "med trygghet och studiero i skolan.",
    };
    text_at(&p, 72, 60, "Rubrik över båda spalterna", 8, 14);
    para(&p, 72, 100, left, 4);
    para(&p, 300, 100, right, 4);
    ex_layout *lo = layout_of(&p, 1);
    const char *t = page_text(lo, 0);
    assert_string_equal(t,
                        "Rubrik över båda spalterna\n\n"
                        "Kommunen har under året granskat elevhälsan och hur "
                        "skolorna följer upp frånvaron bland eleverna i "
                        "grundskolan och i gymnasieskolan.\n\n"
                        "Nämnden beslutade därefter att ge förvaltningen i "
                        "uppdrag att ta fram en plan för det fortsatta "
                        "arbetet med trygghet och studiero i skolan.");
    /* The phrase read across the first row is not there. */
    assert_null(strstr(t, "granskat Nämnden"));
    ex_layout_free(lo);
    free_pages(&p, 1);
}

/* Justified text: every line's spaces are equally wide, and where wide
 * spaces of several lines happen to line up (a river) there is no gutter. */
static void test_a_river_in_justified_text_is_no_gutter(void **state)
{
    (void)state;
    gl p = {0};
    /* Five lines of two words each side of x = 200 .. 206, with one wide
     * space per line, all at the same place. */
    static const char *const l[] = {"aaaa bbbb", "cccc dddd", "eeee ffff",
                                    "gggg hhhh", "iiii jjjj"};
    static const char *const r[] = {"kkkk llll", "mmmm nnnn", "oooo pppp",
                                    "qqqq rrrr", "ssss tttt"};
    for (int i = 0; i < 5; i++) {
        /* left words: 72..96 space(7) 103..127; right side starts 134 */
        float y = 100 + 14 * (float)i;
        float x = 72;
        const char *s = l[i];
        for (int k = 0; k < 9; k++) {
            if (s[k] == ' ') {
                push(&p, ' ', x, y, x + 7, y + 11);
                x += 7;
            } else {
                push(&p, (uint32_t)s[k], x, y, x + 6, y + 11);
                x += 6;
            }
        }
        push(&p, ' ', x, y, x + 7, y + 11);
        x += 7;
        s = r[i];
        for (int k = 0; k < 9; k++) {
            if (s[k] == ' ') {
                push(&p, ' ', x, y, x + 7, y + 11);
                x += 7;
            } else {
                push(&p, (uint32_t)s[k], x, y, x + 6, y + 11);
                x += 6;
            }
        }
        push(&p, '\n', x, y, x, y + 11);
    }
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "aaaa bbbb kkkk llll cccc dddd mmmm nnnn eeee ffff "
                        "oooo pppp gggg hhhh qqqq rrrr iiii jjjj ssss tttt");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

/* A bulleted list with hanging indents: each item is a paragraph, the
 * lines of an item are one (dir. 2016:15's list of tasks). */
static void test_bullets_and_hanging_indents(void **state)
{
    (void)state;
    gl p = {0};
    text_at(&p, 72, 100, "\xef\x82\xb7 undersöka vilka nationella regler", 6,
            11);
    text_at(&p, 84, 114, "som förordningen kräver,", 6, 11);
    text_at(&p, 72, 128, "\xef\x82\xb7 analysera vilka sanktionsavgifter", 6,
            11);
    text_at(&p, 84, 142, "som Sverige bör införa.", 6, 11);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "\xe2\x80\xa2 undersöka vilka nationella regler som "
                        "förordningen kräver,\n\n"
                        "\xe2\x80\xa2 analysera vilka sanktionsavgifter som "
                        "Sverige bör införa.");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

/* A heading of two lines in a larger size: its larger line pitch is no
 * paragraph break. */
static void test_a_large_heading_keeps_its_lines_together(void **state)
{
    (void)state;
    gl p = {0};
    text_at(&p, 72, 100, "Remissvar om en moderniserad", 12, 20);
    text_at(&p, 72, 124, "reglering av handeln", 12, 20);
    static const char *const body[] = {
        "Kammarkollegiet har inga synpunkter på",
        "de remitterade förslagen i betänkandet.",
        "Det bör dock framhållas att anslaget",
        "behöver ses över inom kort."};
    para(&p, 72, 160, body, 4);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "Remissvar om en moderniserad reglering av handeln\n\n"
                        "Kammarkollegiet har inga synpunkter på de "
                        "remitterade förslagen i betänkandet. Det bör dock "
                        "framhållas att anslaget behöver ses över inom kort.");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

/* A full-width line that ends in a split word, then a two-column table: the
 * rest of the word is not taken into the table's left column
 * (prop. 2012/13:187, section 2). */
static void test_a_table_below_does_not_take_a_split_word(void **state)
{
    (void)state;
    gl p = {0};
    text_at(&p, 72, 100, "Det finns skäl att anta att den sökande kan bedriva under-",
            6, 11);
    text_at(&p, 72, 114, "visningen.", 6, 11);
    static const char *const l[] = {"Nuvarande lydelse av", "paragrafen som",
                                    "gäller betyg och om", "bedömningen."};
    static const char *const r[] = {"Föreslagen lydelse av", "paragrafen som",
                                    "gäller betyg och om", "bedömningen."};
    para(&p, 72, 128, l, 4);
    para(&p, 300, 128, r, 4);
    ex_layout *lo = layout_of(&p, 1);
    const char *t = page_text(lo, 0);
    assert_non_null(strstr(t, "bedriva undervisningen."));
    assert_non_null(strstr(t, "undervisningen.\n\nNuvarande lydelse av "
                              "paragrafen som gäller betyg och om "
                              "bedömningen.\n\nFöreslagen"));
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_a_missing_space_is_put_back(void **state)
{
    (void)state;
    gl p = {0};
    /* "DATUM:" and "2014-02-12" on one line with a gap and no space glyph,
     * the way poppler gives Riksbank minutes' header fields. */
    float x = 72;
    for (const char *s = "DATUM:"; *s; s++, x += 6)
        push(&p, (uint32_t)*s, x, 100, x + 6, 111);
    x += 30;
    for (const char *s = "2014-02-12"; *s; s++, x += 6)
        push(&p, (uint32_t)*s, x, 100, x + 6, 111);
    push(&p, '\n', x, 100, x, 111);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0), "DATUM: 2014-02-12");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_ligatures_and_decomposed_letters_are_normalised(void **state)
{
    (void)state;
    gl p = {0};
    text_at(&p, 72, 100,
            "o\xef\xac\x83" "ciell \xef\xac\x81nansiering " /* ﬃ ﬁ */
            "a\xcc\x8atg\xc3\xa4rd",                        /* a + ring */
            6, 11);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0),
                        "officiell finansiering \xc3\xa5tg\xc3\xa4rd");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_rotated_text_is_kept_whole(void **state)
{
    (void)state;
    gl p = {0};
    static const char *const body[] = {"Brödtext på sidan."};
    para(&p, 72, 100, body, 1);
    /* "Dnr 12" written downwards in the margin. */
    float y = 300;
    for (const char *s = "Dnr 12"; *s; s++, y += 6)
        push(&p, (uint32_t)*s, 20, y, 31, y + 6);
    push(&p, '\n', 20, y, 31, y);
    ex_layout *lo = layout_of(&p, 1);
    assert_string_equal(page_text(lo, 0), "Brödtext på sidan.\n\nDnr 12");
    ex_layout_free(lo);
    free_pages(&p, 1);
}

static void test_a_page_without_glyphs_has_no_text(void **state)
{
    (void)state;
    gl p[2] = {{0}, {0}};
    text_at(&p[0], 72, 100, "Text.", 6, 11);
    push(&p[1], ' ', 72, 100, 78, 111); /* only a space */
    ex_layout *lo = layout_of(p, 2);
    assert_int_equal(ex_layout_glyphs(lo, 0), 5);
    assert_int_equal(ex_layout_glyphs(lo, 1), 0);
    assert_string_equal(page_text(lo, 1), "");
    ex_layout_free(lo);
    free_pages(p, 2);
}

static void test_bad_page_sizes_and_boxes(void **state)
{
    (void)state;
    ex_layout *lo;
    assert_int_equal(ex_layout_new(&lo), EX_OK);
    assert_int_equal(ex_layout_add_page(lo, 0, 842, NULL, 0), EX_EINVAL);
    assert_int_equal(ex_layout_add_page(lo, 595, NAN, NULL, 0), EX_EINVAL);
    assert_int_equal(ex_layout_add_page(lo, INFINITY, 842, NULL, 0),
                     EX_EINVAL);
    assert_int_equal(ex_layout_add_page(lo, 595, 842, NULL, 3), EX_EINVAL);
    /* Glyphs with impossible boxes are skipped, not trusted. */
    ex_glyph g[] = {{'a', NAN, 0, 1, 1},     {'b', 10, 10, 5, 20},
                    {'c', 72, 100, 78, 111}, {'d', 78, 100, 84, 111},
                    {'\n', 84, 100, 84, 111}};
    assert_int_equal(ex_layout_add_page(lo, 595, 842, g, 5), EX_OK);
    assert_int_equal(ex_layout_finish(lo), EX_OK);
    assert_int_equal(ex_layout_npages(lo), 1);
    assert_string_equal(page_text(lo, 0), "cd");
    ex_layout_free(lo);
    ex_layout_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* Across pages                                                             */

/* Four pages, each with a two-part header, a footer with its number and
 * its own body text. */
static void make_headed(gl *p, size_t n, const char *const *bodies,
                        int header_on_first)
{
    for (size_t i = 0; i < n; i++) {
        char foot[64];
        snprintf(foot, sizeof foot, "Sida %u (%u)", (unsigned)(i + 1),
                 (unsigned)n);
        if (i > 0 || header_on_first) {
            text_at(&p[i], 72, 40, "Skolinspektionen", 5, 9);
            text_at(&p[i], 430, 40, "Dnr 400-2022:5678", 5, 9);
        }
        text_at(&p[i], 72, 120, bodies[i], 6, 11);
        text_at(&p[i], 270, 800, foot, 5, 9);
    }
}

static void test_running_headers_and_footers_are_removed(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "Sidan ett om elevhälsa.", "Sidan två om trygghet.",
        "Sidan tre om betyg.", "Sidan fyra om beslutet."};
    gl p[4] = {{0}, {0}, {0}, {0}};
    make_headed(p, 4, bodies, 0); /* the first page has no header */
    ex_layout *lo = layout_of(p, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(page_text(lo, i), bodies[i]);
    size_t rl;
    const char *run = ex_layout_running(lo, &rl);
    assert_int_equal(rl, strlen(run));
    assert_non_null(strstr(run, "Skolinspektionen"));
    assert_non_null(strstr(run, "Dnr 400-2022:5678"));
    assert_non_null(strstr(run, "Sida 1 (4)"));
    assert_null(strstr(run, "Sida 2"));  /* each distinct one once */
    ex_layout_free(lo);
    free_pages(p, 4);
}

/* A running header on the same row as a page's heading goes; the heading
 * stays (Prop. 2008/09:159 beside a chapter title). */
static void test_a_header_beside_a_heading_goes_alone(void **state)
{
    (void)state;
    gl p[3] = {{0}, {0}, {0}};
    static const char *const heads[] = {"Beslut", "Bakgrund",
                                        "Bedömning"};
    static const char *const bodies[] = {"Text om beslutet.",
                                         "Text om bakgrunden.",
                                         "Text om bedömningen."};
    for (int i = 0; i < 3; i++) {
        /* One line of the PDF library: heading, a gap, the header. */
        float x = 72;
        for (const char *s = heads[i]; *s; x += 8)
            push(&p[i], next_cp(&s), x, 40, x + 8, 54);
        x = 420;
        for (const char *s = "Prop. 2008/09:159"; *s; s++, x += 5)
            push(&p[i], (uint32_t)*s, x, 41, x + 5, 50);
        push(&p[i], '\n', x, 41, x, 50);
        text_at(&p[i], 72, 80, bodies[i], 6, 11);
    }
    ex_layout *lo = layout_of(p, 3);
    for (int i = 0; i < 3; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s\n\n%s", heads[i], bodies[i]);
        assert_string_equal(page_text(lo, (size_t)i), want);
    }
    assert_string_equal(ex_layout_running(lo, NULL), "Prop. 2008/09:159");
    ex_layout_free(lo);
    free_pages(p, 3);
}

/* A protocol whose every page starts with its own § heading at the same
 * place: the numbers differ like page numbers, but they are content. */
static void test_paragraph_sign_headings_stay(void **state)
{
    (void)state;
    gl p[3] = {{0}, {0}, {0}};
    static const char *const heads[] = {"§ 45", "§ 46", "§ 47"};
    static const char *const bodies[] = {"Budget för året.",
                                         "Val av ordförande.",
                                         "Övriga frågor."};
    for (int i = 0; i < 3; i++) {
        text_at(&p[i], 72, 40, heads[i], 6, 11);
        text_at(&p[i], 72, 80, bodies[i], 6, 11);
    }
    ex_layout *lo = layout_of(p, 3);
    for (int i = 0; i < 3; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s\n\n%s", heads[i], bodies[i]);
        assert_string_equal(page_text(lo, (size_t)i), want);
    }
    ex_layout_free(lo);
    free_pages(p, 3);
}

static void test_one_page_keeps_its_header(void **state)
{
    (void)state;
    static const char *const bodies[] = {"Ensam sida."};
    gl p[1] = {{0}};
    make_headed(p, 1, bodies, 1);
    ex_layout *lo = layout_of(p, 1);
    assert_non_null(strstr(page_text(lo, 0), "Sida 1 (1)"));
    assert_string_equal(ex_layout_running(lo, NULL), "");
    ex_layout_free(lo);
    free_pages(p, 1);
}

static void test_a_word_split_across_pages_goes_to_its_first_page(
    void **state)
{
    (void)state;
    gl p[2] = {{0}, {0}};
    static const char *const a[] = {"Det här stycket börjar på den",
                                    "första sidan och kräver åt-"};
    static const char *const b[] = {"gärder som fortsätter på sidan",
                                    "två och slutar där."};
    para(&p[0], 72, 100, a, 2);
    para(&p[1], 72, 100, b, 2);
    ex_layout *lo = layout_of(p, 2);
    assert_string_equal(page_text(lo, 0),
                        "Det här stycket börjar på den första sidan och "
                        "kräver åtgärder");
    assert_string_equal(page_text(lo, 1),
                        "som fortsätter på sidan två och slutar där.");
    assert_int_equal(ex_layout_runs_on(lo, 0), 1);
    assert_int_equal(ex_layout_runs_on(lo, 1), 0);
    ex_layout_free(lo);
    free_pages(p, 2);
}

static void test_a_page_ending_a_sentence_does_not_run_on(void **state)
{
    (void)state;
    gl p[2] = {{0}, {0}};
    static const char *const a[] = {"Sista meningen på sidan ett."};
    static const char *const b[] = {"Ny mening på sidan två."};
    para(&p[0], 72, 100, a, 1);
    para(&p[1], 72, 100, b, 1);
    ex_layout *lo = layout_of(p, 2);
    assert_int_equal(ex_layout_runs_on(lo, 0), 0);
    ex_layout_free(lo);
    free_pages(p, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hyphen_rule_swedish_cases),
        cmocka_unit_test(test_norm_ligatures_and_specials),
        cmocka_unit_test(test_lines_of_a_paragraph_join_and_split_words_heal),
        cmocka_unit_test(test_a_larger_gap_starts_a_paragraph),
        cmocka_unit_test(test_an_indented_line_starts_a_paragraph),
        cmocka_unit_test(test_two_columns_are_read_one_after_the_other),
        cmocka_unit_test(test_a_river_in_justified_text_is_no_gutter),
        cmocka_unit_test(test_bullets_and_hanging_indents),
        cmocka_unit_test(test_a_large_heading_keeps_its_lines_together),
        cmocka_unit_test(test_a_table_below_does_not_take_a_split_word),
        cmocka_unit_test(test_a_missing_space_is_put_back),
        cmocka_unit_test(test_ligatures_and_decomposed_letters_are_normalised),
        cmocka_unit_test(test_rotated_text_is_kept_whole),
        cmocka_unit_test(test_a_page_without_glyphs_has_no_text),
        cmocka_unit_test(test_bad_page_sizes_and_boxes),
        cmocka_unit_test(test_running_headers_and_footers_are_removed),
        cmocka_unit_test(test_a_header_beside_a_heading_goes_alone),
        cmocka_unit_test(test_paragraph_sign_headings_stay),
        cmocka_unit_test(test_one_page_keeps_its_header),
        cmocka_unit_test(
            test_a_word_split_across_pages_goes_to_its_first_page),
        cmocka_unit_test(test_a_page_ending_a_sentence_does_not_run_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
