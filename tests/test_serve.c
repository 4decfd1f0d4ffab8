/*
 * test_serve.c — unit tests of serve/ds_html.c, the escaping every string
 * of the search page goes through (issue 35), and of ds_page.c's output
 * for hostile results: markup in passages, ids, metadata and queries.
 *
 * Links only diarium_ds (and what it uses). Table-driven: {input,
 * expected output}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_html.h"
#include "ds_page.h"

/* The memory stream's buffer (file scope: open_memstream keeps its
 * address until fclose). */
static char *cap_buf;
static size_t cap_len;

/* Runs fn into a memory stream; returns the text (free()). */
static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
    cap_buf = NULL;
    cap_len = 0;
    FILE *f = open_memstream(&cap_buf, &cap_len);
    assert_non_null(f);
    fn(f, arg);
    assert_int_equal(fclose(f), 0);
    return cap_buf;
}

static void html_of(FILE *f, const void *s) { ds_html_str(f, s); }
static void url_of(FILE *f, const void *s)
{
    ds_url(f, s, strlen(s));
}

static void test_html_escape(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"plain åäö", "plain åäö"},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"a & b", "a &amp; b"},
        {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
        {"\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
        {"ctl\x01\x1b" "x\ty", "ctlx\ty"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = capture(html_of, cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static void test_url_escape(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"abc-._~XYZ09", "abc-._~XYZ09"},
        {"a b&c=d", "a%20b%26c%3Dd"},
        {"å", "%C3%A5"},
        {"\"><script>", "%22%3E%3Cscript%3E"},
        {"../etc/passwd", "..%2Fetc%2Fpasswd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = capture(url_of, cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

typedef struct marked_case {
    const char *text;
    dq_highlight hl[3];
    size_t nhl;
    const char *out;
} marked_case;

static void marked_of(FILE *f, const void *arg)
{
    const marked_case *c = arg;
    ds_html_marked(f, c->text, strlen(c->text), c->hl, c->nhl);
}

static void test_marked(void **state)
{
    (void)state;
    static const marked_case cases[] = {
        {"a <b> c", {{2, 5}}, 1, "a <mark>&lt;b&gt;</mark> c"},
        {"one two", {{0, 3}, {4, 7}}, 2, "<mark>one</mark> <mark>two</mark>"},
        /* A range past the end is cut; overlapping ones do not repeat. */
        {"abc", {{1, 99}}, 1, "a<mark>bc</mark>"},
        {"abcdef", {{0, 4}, {2, 6}}, 2, "<mark>abcd</mark><mark>ef</mark>"},
        {"x&y", {{0, 0}}, 1, "x&amp;y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = capture(marked_of, &cases[i]);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static void test_utf8_check(void **state)
{
    (void)state;
    static const struct { const char *s; size_t len, bad; } cases[] = {
        {"plain", 5, 5},
        {"\xC3\xA5tg\xC3\xA4rder", 10, 10},
        {"ab\xFF" "c", 4, 2},
        {"\xC0\xAF", 2, 0},             /* overlong '/' */
        {"x\xE0\x80\xAF", 4, 1},        /* overlong '/' in three bytes */
        {"\xED\xA0\x80", 3, 0},         /* a surrogate */
        {"\xF4\x90\x80\x80", 4, 0},     /* past U+10FFFF */
        {"ok\xC3", 3, 2},               /* cut short */
        {"a\0b", 3, 1},                 /* NUL */
        {"\xF0\x9F\x98\x80", 4, 4},     /* an emoji */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(ds_utf8_check(cases[i].s, cases[i].len),
                         cases[i].bad);
    assert_int_equal(ds_utf8_column("\xC3\xA5tg\xC3\xA4rder x", 10), 8);
}

static void page_of(FILE *f, const void *arg)
{
    assert_int_equal(ds_page_write(f, arg), 0);
}

/* A page whose results carry markup everywhere a document can put it. */
static void test_page_escapes(void **state)
{
    (void)state;
    char text[] = "Hej <script>alert('t')</script> elev";
    char snippet[] = "Hej <script>alert('s')</script> elev";
    char doc[] = "a\"><img src=x onerror=alert(1)>.txt";
    char kommun[] = "<b>Kommun</b>", date[] = "2021-01-01";
    char type[] = "typ\"x", outcome[] = "<i>o</i>", dnr[] = "<u>1</u>";
    char school[] = "", authority[] = "<em>m</em>";
    dq_highlight shl = {32, 36}; /* "elev" */
    dq_hit h = {0};
    h.doc = doc;
    h.text = text;
    h.textlen = strlen(text);
    h.snippet = snippet;
    h.snippetlen = strlen(snippet);
    h.shl = &shl;
    h.nshl = 1;
    h.date = date;
    h.kommun = kommun;
    h.type = type;
    h.outcome = outcome;
    h.dnr = dnr;
    h.school = school;
    h.authority = authority;
    h.complete = 1;
    char fv[] = "<s>Kommun</s>";
    dq_facet_value v = {fv, 1};
    dq_facet fc = {"kommun", &v, 1};
    char sugg[] = "<script>s</script>";
    dq_results r = {0};
    r.hits = &h;
    r.n = 1;
    r.facets = &fc;
    r.nfacets = 1;
    r.facet_docs = 1;
    r.suggestion = sugg;
    const char q[] = "elev \"><script>alert(2)</script>";
    ds_page p = {0};
    p.q = q;
    p.qlen = strlen(q);
    p.limit = 10;
    p.per_document = 1;
    p.r = &r;
    p.files = 1;
    char *got = capture(page_of, &p);
    assert_null(strstr(got, "<script>alert"));
    assert_null(strstr(got, "<script>s"));
    assert_null(strstr(got, "<img"));
    assert_null(strstr(got, "<b>Kommun"));
    assert_null(strstr(got, "<s>Kommun"));
    assert_null(strstr(got, "<i>o"));
    assert_null(strstr(got, "<u>1"));
    assert_null(strstr(got, "<em>m"));
    assert_null(strstr(got, "typ\"x"));
    assert_non_null(strstr(got, "Hej &lt;script&gt;alert(&#39;s&#39;)"));
    assert_non_null(strstr(got, "<mark>elev</mark>"));
    assert_non_null(strstr(got, "/fil?doc=a%22%3E%3Cimg"));
    /* The one script element is ours. */
    char *s = strstr(got, "<script");
    assert_non_null(s);
    assert_true(strncmp(s, "<script src=\"/static/diarium.js\"", 32) == 0);
    assert_null(strstr(s + 1, "<script"));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_url_escape),
        cmocka_unit_test(test_marked),
        cmocka_unit_test(test_utf8_check),
        cmocka_unit_test(test_page_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
