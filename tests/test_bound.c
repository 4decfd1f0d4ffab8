/*
 * test_bound.c — unit tests of query/dq_bound.c: repeated words and
 * subqueries removed, and the limits of one query (issue 38, item 8).
 *
 * No index is needed: dq_bound works on the parsed tree. Parts:
 *  - table-driven repeats: {query, dq_node_describe after dq_bound};
 *  - table-driven limits: {query, limits, expected error column (1-based
 *    code points, as dq_parse_error), a substring of the message};
 *  - dq_limits_parse / dq_limits_format;
 *  - a deterministic fuzz: token soups, parsed and bounded twice, must
 *    keep the tree invariants and give the same tree the second time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dq_bound.h"
#include "dq_plan.h"

static const char *const FIELDS[] = {"kommun", "typ", "år", "year", NULL};

static size_t columns(const char *q, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)q[i] & 0xC0) != 0x80) col++;
    return col;
}

/* Parses and bounds q; returns the description (malloc'd) or NULL with
 * *rc, err and *off. */
static char *bound(const char *q, const dq_limits *lim, int *rc, char *err,
                   size_t errlen, size_t *off)
{
    dq_node *n = NULL;
    dq_parse_error pe;
    *rc = dq_parse(q, strlen(q), FIELDS, &n, &pe);
    if (*rc != DQ_OK) {
        snprintf(err, errlen, "parse: %.200s", pe.msg);
        *off = pe.offset;
        return NULL;
    }
    *rc = dq_bound(&n, lim, err, errlen, off);
    char *d = NULL;
    if (*rc == DQ_OK) {
        d = dq_node_describe(n);
        assert_non_null(d);
    }
    dq_node_free(n);
    return d;
}

/* ---------------------------------------------------------- repeats */

typedef struct same_case {
    const char *query;
    const char *describe;
} same_case;

static const same_case SAME[] = {
    /* issue 38: the same word many times is one word */
    {"skola skola skola", "WORD(skola)"},
    {"skola Skola SKOLA", "WORD(skola)"},
    {"skol* OR skol* OR skol*", "WORD(skol*)"},
    {"a b a", "AND(WORD(a) WORD(b))"},
    {"b a B A", "AND(WORD(b) WORD(a))"},
    {"och och", "WORD(och)"},
    /* a prefix and the word are not the same */
    {"skol* skol", "AND(WORD(skol*) WORD(skol))"},
    /* phrases compare by their analysed words, and keep repeats inside */
    {"\"a b\" \"A  B\"", "PHRASE(a b)"},
    {"\"a a\"", "PHRASE(a a)"},
    {"\"a b\" \"b a\"", "AND(PHRASE(a b) PHRASE(b a))"},
    /* groups: AND and OR compare whatever the order of their kids */
    {"(a b) OR (b a)", "AND(WORD(a) WORD(b))"},
    {"(a OR b) (b OR a)", "OR(WORD(a) WORD(b))"},
    {"(a OR a) b", "AND(WORD(a) WORD(b))"},
    {"x ((a b) OR (a b))", "AND(WORD(x) WORD(a) WORD(b))"},
    {"(a OR b) OR (a OR b)", "OR(WORD(a) WORD(b))"},
    {"((a OR b) c) OR ((b OR a) c)", "AND(OR(WORD(a) WORD(b)) WORD(c))"},
    /* NOT, NEAR, fields */
    {"a -b -b", "AND(WORD(a) NOT(WORD(b)))"},
    {"a -b b", "AND(WORD(a) NOT(WORD(b)) WORD(b))"},
    {"a -(b OR b)", "AND(WORD(a) NOT(WORD(b)))"},
    {"a NEAR b A NEAR B", "NEAR/10(WORD(a) WORD(b))"},
    {"a NEAR b a NEAR/5 b",
     "AND(NEAR/10(WORD(a) WORD(b)) NEAR/5(WORD(a) WORD(b)))"},
    {"kommun:Lund kommun:Lund", "FIELD(kommun:Lund)"},
    {"år:2020 year:2020", "FIELD(år:2020)"},
    {"år:2020 år:2020..2020", "AND(FIELD(år:2020) FIELD(år:2020..2020))"},
    /* the first of equal kids stays, in its place */
    {"c (a b) d (b a)", "AND(WORD(c) WORD(a) WORD(b) WORD(d))"},
};

static void test_repeats(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SAME / sizeof *SAME; i++) {
        int rc;
        char err[256] = "";
        size_t off = 0;
        char *got = bound(SAME[i].query, NULL, &rc, err, sizeof err, &off);
        if (!got) {
            print_error("query [%s]: error %d: %s\n", SAME[i].query, rc,
                        err);
            fail();
        }
        if (strcmp(got, SAME[i].describe) != 0) {
            print_error("query [%s]:\n  expected %s\n  got      %s\n",
                        SAME[i].query, SAME[i].describe, got);
            fail(); /* does not return (got is not freed) */
        }
        free(got);
    }
}

/* ----------------------------------------------------------- limits */

typedef struct limit_case {
    const char *query;
    const char *limits; /* for dq_limits_parse, or NULL: the defaults */
    size_t column;      /* 0: no error */
    const char *msg;
} limit_case;

static const limit_case LIMITS[] = {
    {"a b c", "words=3", 0, NULL},
    {"a b c d", "words=3", 7, "words=3"},
    {"a b c a b c", "words=3", 0, NULL},  /* repeats count once */
    {"a \"b c\" d", "words=3", 9, "words=3"},
    {"a -b c d", "words=3", 8, "words=3"},
    {"a b-c", "words=2", 3, "words=2"},   /* b-c is two words */
    {"\"a b c\"", "phrase=3", 0, NULL},
    {"\"a b c d\"", "phrase=3", 1, "phrase=3"},
    {"x \"a b c d\"", "phrase=3", 3, "the phrase has 4 words"},
    {"x a-b-c-d", "phrase=3", 3, "phrase=3"},
    {"a NEAR b NEAR \"c d\"", "phrase=3", 1, "NEAR chain has 4 words"},
    {"ab* cd*", "prefixes=2", 0, NULL},
    {"ab* x cd* ef*", "prefixes=2", 11, "prefixes=2"},
    {"ab* ab* ab*", "prefixes=1", 0, NULL},
    {"kommun:a typ:b", "fields=1", 10, "fields=1"},
    {"kommun:a x kommun:a", "fields=1", 0, NULL},
};

static void test_limits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof LIMITS / sizeof *LIMITS; i++) {
        const limit_case *c = &LIMITS[i];
        dq_limits lim = dq_limits_default;
        char err[256] = "";
        size_t off = (size_t)-1;
        int rc;
        if (c->limits)
            assert_int_equal(dq_limits_parse(&lim, c->limits, err,
                                             sizeof err), DQ_OK);
        char *got = bound(c->query, &lim, &rc, err, sizeof err, &off);
        if (c->column == 0) {
            if (!got) {
                print_error("query [%s] %s: error %s\n", c->query, c->limits,
                            err);
                fail();
            }
            free(got);
            continue;
        }
        if (got) {
            print_error("query [%s] %s: expected an error, got %s\n",
                        c->query, c->limits, got);
            fail(); /* does not return (got is not freed) */
        }
        assert_int_equal(rc, DQ_EQUERY);
        if (columns(c->query, off) != c->column ||
            !strstr(err, c->msg)) {
            print_error("query [%s] %s:\n  expected column %zu, \"%s\"\n"
                        "  got      column %zu, \"%s\"\n", c->query,
                        c->limits, c->column, c->msg,
                        columns(c->query, off), err);
            fail();
        }
    }
}

/* The default word limit, on a query of distinct words (issue 38: 6,000
 * distinct words within the 64 KiB limit). */
static void test_default_words(void **state)
{
    (void)state;
    size_t cap = 65536;
    char *q = malloc(cap);
    assert_non_null(q);
    size_t len = 0, at = 0;
    for (unsigned i = 0; i <= dq_limits_default.words; i++) {
        if (i == dq_limits_default.words) at = len;
        len += (size_t)snprintf(q + len, cap - len, "w%u ", i);
    }
    int rc;
    char err[256];
    size_t off = 0;
    char *got = bound(q, NULL, &rc, err, sizeof err, &off);
    assert_null(got);
    assert_int_equal(rc, DQ_EQUERY);
    assert_int_equal(off, at);
    assert_non_null(strstr(err, "query limit words="));
    /* the same word 10,900 times is one word */
    len = 0;
    for (unsigned i = 0; i < 10900; i++) {
        memcpy(q + len, "skola ", 6);
        len += 6;
    }
    q[len] = '\0';
    got = bound(q, NULL, &rc, err, sizeof err, &off);
    assert_non_null(got);
    assert_string_equal(got, "WORD(skola)");
    free(got);
    free(q);
}

static void test_limits_parse(void **state)
{
    (void)state;
    dq_limits l = dq_limits_default;
    char err[256], buf[256];
    assert_int_equal(dq_limits_parse(&l, "words=10,phrase=5", err,
                                     sizeof err), DQ_OK);
    assert_int_equal(l.words, 10);
    assert_int_equal(l.phrase, 5);
    assert_int_equal(dq_limits_parse(&l, "prefix-words=7,prefix_words=8",
                                     err, sizeof err), DQ_OK);
    assert_int_equal(l.prefix_words, 8);
    assert_int_equal(dq_limits_parse(&l, "terms=1000000000", err,
                                     sizeof err), DQ_OK);
    static const char *const bad[] = {
        "", "words", "words=", "words=0", "words=1x", "words=-1",
        "bogus=1", "phrase=257", "terms=1000000001", "words=10,",
        "words=99999999999999999999", "=5", "words=5,,phrase=2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dq_limits before = l;
        err[0] = '\0';
        if (dq_limits_parse(&l, bad[i], err, sizeof err) != DQ_EQUERY) {
            print_error("'%s' accepted\n", bad[i]);
            fail();
        }
        assert_true(err[0] != '\0');
        assert_memory_equal(&before, &l, sizeof l); /* unchanged */
    }
    dq_limits_format(&dq_limits_default, buf, sizeof buf);
    dq_limits back = {0};
    assert_int_equal(dq_limits_parse(&back, buf, err, sizeof err), DQ_OK);
    assert_memory_equal(&back, &dq_limits_default, sizeof back);
    dq_limits_format(&dq_limits_default, buf, 8); /* cut, terminated */
    assert_true(strlen(buf) < 8);
}

/* ------------------------------------------------------------- fuzz */

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Parent of kind `parent` (-1: root): what dq_plan relies on. */
static int check_tree(const dq_node *n, int parent)
{
    int bad = 0;
    if (n->kind == DQ_AND || n->kind == DQ_OR) {
        size_t plain = 0;
        bad += n->nkids < 2;
        for (size_t i = 0; i < n->nkids; i++)
            plain += n->kids[i]->kind != DQ_NOT;
        bad += plain == 0;
        bad += n->kind == DQ_OR && plain != n->nkids;
    }
    bad += n->kind == DQ_NOT && (parent != DQ_AND || n->nkids != 1);
    for (size_t i = 0; i < n->nkids; i++)
        bad += check_tree(n->kids[i], (int)n->kind);
    return bad;
}

static void test_fuzz(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "b", "A", "skola", "Skola", "\"a b\"", "\"b a\"", "(", ")",
        "OR", "AND", "-", "NOT", "NEAR", "NEAR/3", "a*", "ab*", "kommun:x",
        "år:2020", "year:2020", "och", "a-b", "x"};
    char q[400];
    dq_limits lim = dq_limits_default;
    lim.words = 12;
    lim.prefixes = 2;
    lim.phrase = 4;
    for (int it = 0; it < 20000; it++) {
        size_t len = 0, n = 1 + next_rand() % 24;
        for (size_t k = 0; k < n; k++) {
            const char *p = pieces[next_rand() % (sizeof pieces /
                                                  sizeof *pieces)];
            size_t pl = strlen(p);
            memcpy(q + len, p, pl);
            len += pl;
            q[len++] = ' ';
        }
        q[len] = '\0';
        dq_node *t = NULL;
        if (dq_parse(q, len, FIELDS, &t, NULL) != DQ_OK) continue;
        char err[256] = "";
        size_t off = (size_t)-1;
        int rc = dq_bound(&t, &lim, err, sizeof err, &off);
        if (rc == DQ_EQUERY) {
            assert_true(off < len);
            assert_non_null(strstr(err, "query limit"));
            dq_node_free(t);
            continue;
        }
        assert_int_equal(rc, DQ_OK);
        if (check_tree(t, -1)) {
            char *d = dq_node_describe(t);
            print_error("query [%s]: bad tree %s\n", q, d);
            fail(); /* does not return (d is not freed) */
        }
        char *d1 = dq_node_describe(t);
        assert_int_equal(dq_bound(&t, &lim, err, sizeof err, &off), DQ_OK);
        char *d2 = dq_node_describe(t);
        assert_string_equal(d1, d2); /* nothing more to remove */
        free(d1);
        free(d2);
        dq_node_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_default_words),
        cmocka_unit_test(test_limits_parse),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
