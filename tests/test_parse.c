/*
 * test_parse.c — unit tests of query/dq_parse.c, the query-language parser.
 *
 * Links only diarium_dq_parse. Three parts:
 *  - table-driven valid queries: {query, expected dq_node_describe};
 *  - table-driven malformed queries: {query, expected error column,
 *    a substring of the message}; every error also has its byte offset
 *    checked against the column;
 *  - a deterministic fuzz test (own xorshift PRNG, fixed seed): random bytes,
 *    random token soups, mutations of the table queries, very long queries
 *    and deep nesting. It checks that dq_parse only ever answers DQ_OK or
 *    DQ_ESYNTAX, that error positions are in bounds, and that every tree it
 *    returns keeps the invariants promised in dq_parse.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dq_parse.h"

static const char *const FIELDS[] = {"år", "kommun", "Typ", NULL};

/* 1 + the number of code points in q[0, off): what dq_parse_error.column
 * must be for a (valid UTF-8) prefix. */
static size_t columns(const char *q, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)q[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* ------------------------------------------------------- tree invariants */

static int near_operand(const dq_node *n)
{
    return n->kind == DQ_WORD || n->kind == DQ_PHRASE;
}

/* Checks what dq_parse.h promises about a tree; parent is the kind of the
 * parent node or -1 for the root. Returns the number of violations. */
static int check_tree(const dq_node *n, int parent, size_t qlen, int depth)
{
    int bad = 0;
    size_t i, plain = 0;

    if (depth > 400)
        return 1;
    if (n->offset >= qlen)
        bad++;
    if (n->kind == DQ_NOT && parent != DQ_AND)
        bad++;
    switch (n->kind) {
    case DQ_WORD:
        bad += n->text == NULL || n->len == 0 || strlen(n->text) != n->len ||
               n->nkids != 0 || n->field != NULL || n->text2 != NULL ||
               (n->prefix != 0 && n->prefix != 1);
        break;
    case DQ_PHRASE:
        bad += n->nkids < 1 || n->text != NULL;
        for (i = 0; i < n->nkids; i++)
            bad += n->kids[i]->kind != DQ_WORD || n->kids[i]->prefix;
        break;
    case DQ_AND:
        bad += n->nkids < 2;
        for (i = 0; i < n->nkids; i++) {
            plain += n->kids[i]->kind != DQ_NOT;
            bad += n->kids[i]->kind == DQ_AND;
        }
        bad += plain == 0;
        break;
    case DQ_OR:
        bad += n->nkids < 2;
        for (i = 0; i < n->nkids; i++)
            bad += n->kids[i]->kind == DQ_NOT || n->kids[i]->kind == DQ_OR;
        break;
    case DQ_NOT:
        bad += n->nkids != 1 || n->kids[0]->kind == DQ_NOT;
        break;
    case DQ_NEAR:
        bad += n->nkids < 2 || n->window < 1 || n->window > 1000;
        for (i = 0; i < n->nkids; i++)
            bad += !near_operand(n->kids[i]);
        break;
    case DQ_FIELD:
        bad += n->field == NULL || n->text == NULL ||
               strlen(n->text) != n->len || n->nkids != 0 ||
               (n->range && n->text2 == NULL) ||
               (!n->range && n->text2 != NULL);
        break;
    default:
        bad++;
    }
    if (n->nkids > 0 && n->kids == NULL)
        return bad + 1;
    for (i = 0; i < n->nkids; i++)
        bad += check_tree(n->kids[i], (int)n->kind, qlen, depth + 1);
    return bad;
}

/* --------------------------------------------------------------- helpers */

/* Parses q and returns its description (malloc'd), or NULL and *perr. */
static char *parse_describe(const char *q, size_t len, dq_parse_error *perr,
                            int *rc)
{
    dq_node *n = (dq_node *)&n; /* must be reset to NULL on failure */
    char *d;

    *rc = dq_parse(q, len, FIELDS, &n, perr);
    if (*rc != DQ_OK) {
        assert_null(n);
        return NULL;
    }
    assert_non_null(n);
    assert_int_equal(check_tree(n, -1, len, 0), 0);
    d = dq_node_describe(n);
    assert_non_null(d);
    dq_node_free(n);
    return d;
}

static void expect_tree(const char *q, const char *want)
{
    dq_parse_error e;
    int rc;
    char *got = parse_describe(q, strlen(q), &e, &rc);

    if (got == NULL) {
        print_error("query [%s]: expected %s, got error %d at column %zu: "
                    "%s\n", q, want, rc, e.column, e.msg);
        fail();
    }
    if (strcmp(got, want) != 0) {
        print_error("query [%s]:\n  expected %s\n  got      %s\n", q, want,
                    got);
        fail(); /* does not return (got is not freed) */
    }
    free(got);
}

static void expect_error_len(const char *q, size_t len, size_t column,
                             const char *substr)
{
    dq_parse_error e;
    int rc;
    char *got;

    memset(&e, 0x55, sizeof e);
    got = parse_describe(q, len, &e, &rc);
    if (got != NULL) {
        print_error("query [%s]: expected an error at column %zu, got %s\n",
                    q, column, got);
        fail(); /* does not return (got is not freed) */
    }
    assert_int_equal(rc, DQ_ESYNTAX);
    assert_true(memchr(e.msg, '\0', sizeof e.msg) != NULL);
    if (e.column != column || strstr(e.msg, substr) == NULL) {
        print_error("query [%s]:\n  expected column %zu, message with "
                    "\"%s\"\n  got      column %zu, \"%s\"\n",
                    q, column, substr, e.column, e.msg);
        fail();
    }
    assert_true(e.offset <= len);
    assert_int_equal(e.column, columns(q, e.offset));
    /* The Swedish message (the search page's) says the same: it is there,
     * it is not the English one, and it quotes what the English quotes. */
    assert_true(memchr(e.msg_sv, '\0', sizeof e.msg_sv) != NULL);
    assert_true(e.msg_sv[0] != '\0');
    assert_string_not_equal(e.msg_sv, e.msg);
    for (const char *a = strchr(e.msg, '\''), *b; a; a = strchr(b + 1, '\'')) {
        if (!(b = strchr(a + 1, '\''))) break;
        char quoted[300];
        snprintf(quoted, sizeof quoted, "%.*s", (int)(b - a + 1), a);
        if (!strstr(e.msg_sv, quoted)) {
            print_error("query [%s]: the Swedish message lacks %s:\n  %s\n"
                        "  %s\n", q, quoted, e.msg, e.msg_sv);
            fail();
        }
    }
}

static void expect_error(const char *q, size_t column, const char *substr)
{
    expect_error_len(q, strlen(q), column, substr);
}

/* ----------------------------------------------------- valid: the table */

typedef struct valid_case {
    const char *query;
    const char *describe;
} valid_case;

static const valid_case VALID[] = {
    /* words, juxtaposition and AND */
    {"a", "WORD(a)"},
    {"  a  ", "WORD(a)"},
    {"a b", "AND(WORD(a) WORD(b))"},
    {"a AND b", "AND(WORD(a) WORD(b))"},
    {"a OCH b", "AND(WORD(a) WORD(b))"},
    {"trygghet OCH studieresultat",
     "AND(WORD(trygghet) WORD(studieresultat))"},
    {"a\tb\nc\r\nd", "AND(WORD(a) WORD(b) WORD(c) WORD(d))"},
    {"a\xc2\xa0OR\xc2\xa0" "b", "OR(WORD(a) WORD(b))"},
    /* OR binds tighter than AND */
    {"a OR b", "OR(WORD(a) WORD(b))"},
    {"elevhälsa ELLER \"särskilt stöd\"",
     "OR(WORD(elevhälsa) PHRASE(särskilt stöd))"},
    {"\"kompensatoriska åtgärder\" OR särskilt stöd",
     "AND(OR(PHRASE(kompensatoriska åtgärder) WORD(särskilt)) WORD(stöd))"},
    {"x OR y OR z", "OR(WORD(x) WORD(y) WORD(z))"},
    {"a OR b c OR d", "AND(OR(WORD(a) WORD(b)) OR(WORD(c) WORD(d)))"},
    {"a OR b AND c", "AND(OR(WORD(a) WORD(b)) WORD(c))"},
    /* operators only in capitals */
    {"a or b", "AND(WORD(a) WORD(or) WORD(b))"},
    {"not", "WORD(not)"},
    {"a och b eller c inte d near e",
     "AND(WORD(a) WORD(och) WORD(b) WORD(eller) WORD(c) WORD(inte) "
     "WORD(d) WORD(near) WORD(e))"},
    {"Or And Not", "AND(WORD(Or) WORD(And) WORD(Not))"},
    {"OR*", "WORD(OR*)"},
    {"ORDNING ANDEL", "AND(WORD(ORDNING) WORD(ANDEL))"},
    /* prefixes and stars */
    {"åtgärd*", "WORD(åtgärd*)"},
    {"a**", "WORD(a*)"},
    {"a*b", "WORD(a*b)"},
    {"a*b*", "WORD(a*b*)"},
    /* phrases */
    {"\"a\"", "PHRASE(a)"},
    {"\"  a   b \"", "PHRASE(a b)"},
    {"\"a OR (b) c* -d\"", "PHRASE(a OR (b) c* -d)"},
    {"a \"b c\"d", "AND(WORD(a) PHRASE(b c) WORD(d))"},
    {"\"särskilt\xc2\xa0stöd\"", "PHRASE(särskilt stöd)"},
    /* groups: simplified and flattened */
    {"(a)", "WORD(a)"},
    {"((a))", "WORD(a)"},
    {"(a b) c", "AND(WORD(a) WORD(b) WORD(c))"},
    {"a (b (c d))", "AND(WORD(a) WORD(b) WORD(c) WORD(d))"},
    {"a OR (b OR c)", "OR(WORD(a) WORD(b) WORD(c))"},
    {"(a OR b) OR c", "OR(WORD(a) WORD(b) WORD(c))"},
    {"(a b) OR c", "OR(AND(WORD(a) WORD(b)) WORD(c))"},
    {"(a)b", "AND(WORD(a) WORD(b))"},
    {"a(b)", "AND(WORD(a) WORD(b))"},
    /* NOT */
    {"a -b", "AND(WORD(a) NOT(WORD(b)))"},
    {"a NOT b", "AND(WORD(a) NOT(WORD(b)))"},
    {"a INTE b", "AND(WORD(a) NOT(WORD(b)))"},
    {"a AND NOT b", "AND(WORD(a) NOT(WORD(b)))"},
    {"a AND -b", "AND(WORD(a) NOT(WORD(b)))"},
    {"-b a", "AND(NOT(WORD(b)) WORD(a))"},
    {"a (b OR c) -d", "AND(WORD(a) OR(WORD(b) WORD(c)) NOT(WORD(d)))"},
    {"a (b -c)", "AND(WORD(a) WORD(b) NOT(WORD(c)))"},
    {"a NOT (b OR c)", "AND(WORD(a) NOT(OR(WORD(b) WORD(c))))"},
    {"-(a b) c", "AND(NOT(AND(WORD(a) WORD(b))) WORD(c))"},
    {"(a -b) OR c", "OR(AND(WORD(a) NOT(WORD(b))) WORD(c))"},
    {"a -\"b c\"", "AND(WORD(a) NOT(PHRASE(b c)))"},
    {"a --b", "AND(WORD(a) NOT(WORD(-b)))"},
    {"a-b", "WORD(a-b)"},
    {"(a)-b", "AND(WORD(a) WORD(-b))"},
    {"a\xc2\xa0-b", "AND(WORD(a) NOT(WORD(b)))"},
    {"x NOT a NEAR b", "AND(WORD(x) NOT(NEAR/10(WORD(a) WORD(b))))"},
    {"a -kommun:Falun", "AND(WORD(a) NOT(FIELD(kommun:Falun)))"},
    /* NEAR */
    {"a NEAR b", "NEAR/10(WORD(a) WORD(b))"},
    {"a NEAR/5 b", "NEAR/5(WORD(a) WORD(b))"},
    {"a NEAR b NEAR c", "NEAR/10(WORD(a) WORD(b) WORD(c))"},
    {"a NEAR b NEAR/10 c", "NEAR/10(WORD(a) WORD(b) WORD(c))"},
    {"a NEAR/3 b NEAR/3 \"c d\"",
     "NEAR/3(WORD(a) WORD(b) PHRASE(c d))"},
    {"a NEAR/1 b", "NEAR/1(WORD(a) WORD(b))"},
    {"a NEAR/1000 b", "NEAR/1000(WORD(a) WORD(b))"},
    {"a NEAR/007 b", "NEAR/7(WORD(a) WORD(b))"},
    {"skol* NEAR/2 \"särskilt stöd\"",
     "NEAR/2(WORD(skol*) PHRASE(särskilt stöd))"},
    {"a NEAR b c", "AND(NEAR/10(WORD(a) WORD(b)) WORD(c))"},
    {"a NEAR b OR c", "OR(NEAR/10(WORD(a) WORD(b)) WORD(c))"},
    /* fields */
    {"kommun:Borlänge", "FIELD(kommun:Borlänge)"},
    {"år:2019..2023", "FIELD(år:2019..2023)"},
    {"år:..2023", "FIELD(år:..2023)"},
    {"år:2019..", "FIELD(år:2019..)"},
    {"år:1.5..2.5", "FIELD(år:1.5..2.5)"},
    {"år:2020", "FIELD(år:2020)"},
    {"Kommun:\"Falu kommun\"", "FIELD(kommun:\"Falu kommun\")"},
    /* issue 33: any value can be written in quotes, quotes too (doc: ids) */
    {"kommun:\"beslut 2021.txt\"", "FIELD(kommun:\"beslut 2021.txt\")"},
    {"kommun:\"a \\\"b\\\".txt\"", "FIELD(kommun:\"a \"b\".txt\")"},
    {"kommun:\"c:\\\\d.txt\" x", "AND(FIELD(kommun:\"c:\\d.txt\") WORD(x))"},
    {"kommun:\"a\\b.txt\"", "FIELD(kommun:\"a\\b.txt\")"},
    {"KOMMUN:Falun", "FIELD(kommun:Falun)"},
    {"TYP:beslut", "FIELD(typ:beslut)"},
    {"ÅR:2019", "FIELD(år:2019)"}, /* Latin-1 capitals fold too */
    {"KOMMUN:\"Falu kommun\"", "FIELD(kommun:\"Falu kommun\")"},
    {"kommun:a:b", "FIELD(kommun:a:b)"},
    {"kommun:a*", "FIELD(kommun:a*)"},
    {"2021:2323", "WORD(2021:2323)"},
    {":år", "WORD(:år)"},
    /* issue 38: a name of letters is a field or an error; anything else
     * with a ':' is a word */
    {"Obs: x", "AND(WORD(Obs:) WORD(x))"},             /* no value */
    {"https://skolinspektionen.se", "WORD(https://skolinspektionen.se)"},
    {"S:t", "WORD(S:t)"},                               /* one letter */
    {"a1:b", "WORD(a1:b)"},
    {"år2:x", "WORD(år2:x)"},
    {"x-y:z", "WORD(x-y:z)"},
    {"\"okänd:x\"", "PHRASE(okänd:x)"},               /* quoted */
    {"år:2019..2023 skola", "AND(FIELD(år:2019..2023) WORD(skola))"},
    {"kommun:Falun OR kommun:Borlänge",
     "OR(FIELD(kommun:Falun) FIELD(kommun:Borlänge))"},
    {"kommun:\"Falu kommun\"x", "AND(FIELD(kommun:\"Falu kommun\") WORD(x))"},
    /* the example of dq_parse.h */
    {"a (b OR c*) -\"d e\" x NEAR/5 y år:2019..2023",
     "AND(WORD(a) OR(WORD(b) WORD(c*)) NOT(PHRASE(d e)) "
     "NEAR/5(WORD(x) WORD(y)) FIELD(år:2019..2023))"},
};

static void test_valid_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof VALID / sizeof VALID[0]; i++)
        expect_tree(VALID[i].query, VALID[i].describe);
}

/* ----------------------------------------------------- errors: the table */

typedef struct error_case {
    const char *query;
    size_t column;
    const char *msg; /* a substring of the message */
} error_case;

static const char NOT_ALONE[] = "NOT needs something to exclude from";

static const error_case ERRORS[] = {
    /* empty */
    {"", 1, "empty query"},
    {"   \t\n", 1, "empty query"},
    {"\xc2\xa0", 1, "empty query"},
    /* NOT without something to exclude from */
    {"-a", 1, NOT_ALONE},
    {"NOT a", 1, NOT_ALONE},
    {"INTE betyg", 1, NOT_ALONE},
    {"a OR -b", 6, NOT_ALONE},
    {"a OR NOT b", 6, NOT_ALONE},
    {"-a OR b", 1, NOT_ALONE},
    {"a -b OR c", 3, NOT_ALONE},
    {"(NOT a)", 2, NOT_ALONE},
    {"b (NOT a)", 4, NOT_ALONE},
    {"skola (-betyg) x", 8, NOT_ALONE}, /* a group is checked on its own */
    {"-a -b", 1, NOT_ALONE},
    {"NOT a NOT b", 1, NOT_ALONE},
    {"-(a b)", 1, NOT_ALONE},
    {"NOT a NEAR b", 1, NOT_ALONE},
    {"a NOT NOT b", 3, "double negation"},
    {"a NOT -b", 3, "double negation"},
    {"a - - b", 3, "'-' must be written directly before"},
    /* quotes */
    {"a \"b c", 3, "unbalanced quote: the phrase that starts here is never "
                   "closed"},
    {"\"", 1, "unbalanced quote"},
    {"åtgärd \"stöd", 8, "unbalanced quote"},
    {"\"a\" \"b", 5, "unbalanced quote"},
    {"\"\"", 1, "empty phrase"},
    {"a \" \t \"", 3, "empty phrase"},
    /* parentheses */
    {"(a b", 1, "missing ')'"},
    {"a (b (c)", 3, "missing ')'"},
    {"(", 1, "missing ')'"},
    {"x (å OR", 6, "'OR' at the end"},
    {"a)", 2, "')' without a matching '('"},
    {")", 1, "')' without a matching '('"},
    {"(a))", 4, "')' without a matching '('"},
    {"()", 1, "empty parentheses"},
    {"a ( )", 3, "empty parentheses"},
    /* operators in the wrong place */
    {"OR a", 1, "'OR' needs a word or a phrase before it"},
    {"AND a", 1, "'AND' needs a word or a phrase before it"},
    {"ELLER a", 1, "'ELLER' needs"},
    {"OCH a", 1, "'OCH' needs"},
    {"NEAR a", 1, "'NEAR' needs"},
    {"NEAR/3 a", 1, "'NEAR/3' needs"},
    {"(OR a)", 2, "'OR' needs"},
    {"a (AND b)", 4, "'AND' needs"},
    {"a OR", 3, "'OR' at the end of the query"},
    {"a AND", 3, "'AND' at the end of the query"},
    {"a NEAR", 3, "'NEAR' at the end of the query"},
    {"a NEAR/4", 3, "'NEAR/4' at the end of the query"},
    {"a OCH", 3, "'OCH' at the end"},
    {"åtgärd ELLER", 8, "'ELLER' at the end"},
    {"a OR OR b", 6, "after 'OR', but found 'OR'"},
    {"a AND OR b", 7, "after 'AND', but found 'OR'"},
    {"a OR AND b", 6, "after 'OR', but found 'AND'"},
    {"a AND AND b", 7, "after 'AND', but found 'AND'"},
    {"a OR NEAR b", 6, "after 'OR', but found 'NEAR'"},
    {"a NEAR OR b", 8, "expected a word or a phrase after 'NEAR'"},
    {"(a OR)", 6, "after 'OR', but found ')'"},
    {"(a AND)", 7, "after 'AND', but found ')'"},
    {"NOT", 1, "'NOT' at the end of the query"},
    {"a NOT", 3, "'NOT' at the end of the query"},
    {"a INTE", 3, "'INTE' at the end"},
    {"a NOT OR b", 7, "after 'NOT', but found 'OR'"},
    {"(a NOT)", 7, "after 'NOT', but found ')'"},
    {"a -", 3, "'-' must be written directly before what it excludes"},
    {"- a", 1, "'-' must be written directly before"},
    {"(a -)", 4, "'-' must be written directly before"},
    /* NEAR operands and windows */
    {"(a b) NEAR c", 1, "not a group in parentheses"},
    {"(a) NEAR c", 1, "not a group in parentheses"},
    {"a NEAR (b c)", 8, "not a group in parentheses"},
    {"a NEAR kommun:x", 8, "not a field"},
    {"kommun:x NEAR a", 1, "not a field"},
    {"a NEAR -b", 8, "after 'NEAR', but found '-'"},
    {"a NEAR NOT b", 8, "after 'NEAR', but found 'NOT'"},
    {"a NEAR/0 b", 3, "bad 'NEAR/0'"},
    {"a NEAR/x b", 3, "bad 'NEAR/x'"},
    {"a NEAR/1001 b", 3, "from 1 to 1000"},
    {"a NEAR/ b", 3, "bad 'NEAR/'"},
    {"a NEAR/5x b", 3, "bad 'NEAR/5x'"},
    {"a NEAR/-1 b", 3, "bad 'NEAR/-1'"},
    {"a NEAR/99999999999999999999999 b", 3, "bad 'NEAR/9999"},
    {"a NEAR/3 b NEAR/5 c", 12, "one chain of NEARs has one window"},
    {"a NEAR b NEAR/5 c", 10, "one window"},
    /* stars */
    {"*", 1, "'*' alone is not a word"},
    {"a * b", 3, "'*' alone"},
    {"a ***", 3, "'*' alone"},
    {"\"a b\"*", 6, "'*' alone"},
    {"-*", 2, "'*' alone"},
    /* fields */
    {"år:", 1, "the field 'år:' has no value"},
    {"a år: b", 3, "the field 'år:' has no value"},
    {"(kommun:)", 2, "the field 'kommun:' has no value"},
    {"kommun:(x)", 1, "has no value"},
    {"kommun:\"\"", 1, "the field 'kommun:' has an empty value"},
    {"kommun:\" \"", 1, "empty value"},
    {"kommun:\"Falu", 8, "unbalanced quote"},
    {"år:..", 1, "has no bounds"},
    {"år:1..2..3", 8, "only one '..'"},
    /* issue 38: an unknown field, with the nearest known one */
    {"kommnu:Lund", 1, "unknown field 'kommnu:': did you mean 'kommun:'?"},
    {"a komun:Lund", 3, "did you mean 'kommun:'?"},
    {"ar:2020", 1, "did you mean 'år:'?"},
    {"typ2 typp:x", 6, "did you mean 'Typ:'?"},
    {"okänd:x", 1, "unknown field 'okänd:' (fields: år, kommun, Typ;"},
    {"okänd:\"a b\"", 1, "unknown field 'okänd:'"},
    {"x (kl:10)", 4, "to search for the text, quote it"},
    /* nesting: see test_depth for the limit itself */
    /* invalid UTF-8 and NUL */
    {"a\xff", 2, "invalid UTF-8"},
    {"åtgärd\xc3", 7, "invalid UTF-8"},
    {"åtgärd\xc3 b", 7, "invalid UTF-8"},
    {"\x80", 1, "invalid UTF-8"},
    {"\xc0\x80", 1, "invalid UTF-8"},         /* overlong NUL */
    {"\xc1\xbf", 1, "invalid UTF-8"},         /* overlong */
    {"\xe0\x80\xaf", 1, "invalid UTF-8"},     /* overlong '/' */
    {"\xed\xa0\x80", 1, "invalid UTF-8"},     /* surrogate */
    {"\xf4\x90\x80\x80", 1, "invalid UTF-8"}, /* above U+10FFFF */
    {"\xf8\x88\x80\x80\x80", 1, "invalid UTF-8"},
    {"é\xe2\x82", 2, "invalid UTF-8"},        /* truncated */
    {"ok \"a\xfe\"", 6, "invalid UTF-8 (byte 0xFE)"},
};

static void test_error_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++)
        expect_error(ERRORS[i].query, ERRORS[i].column, ERRORS[i].msg);
}

static void test_nul_byte(void **state)
{
    (void)state;
    expect_error_len("a\0b", 3, 2, "NUL");
    expect_error_len("\0", 1, 1, "NUL");
    /* bytes after len are never looked at */
    expect_tree("ab", "WORD(ab)");
    {
        dq_node *n = NULL;
        assert_int_equal(dq_parse("a\"", 1, NULL, &n, NULL), DQ_OK);
        assert_int_equal(n->kind, DQ_WORD);
        assert_string_equal(n->text, "a");
        dq_node_free(n);
    }
}

/* ---------------------------------------------- positions and structure */

static void test_error_offsets(void **state)
{
    dq_parse_error e;
    dq_node *n = NULL;
    (void)state;

    /* "åtgärd" is 8 bytes, 6 characters */
    assert_int_equal(dq_parse("åtgärd OR", strlen("åtgärd OR"), NULL, &n, &e),
                     DQ_ESYNTAX);
    assert_null(n);
    assert_int_equal(e.offset, 9);
    assert_int_equal(e.column, 8);

    assert_int_equal(dq_parse("öl \"åäö", strlen("öl \"åäö"), NULL, &n, &e),
                     DQ_ESYNTAX);
    assert_int_equal(e.offset, 4);
    assert_int_equal(e.column, 4);

    assert_int_equal(dq_parse("ä\xff", 3, NULL, &n, &e), DQ_ESYNTAX);
    assert_int_equal(e.offset, 2);
    assert_int_equal(e.column, 2);

    /* perr and out may be NULL; q NULL is the empty query */
    assert_int_equal(dq_parse("a OR", 4, NULL, &n, NULL), DQ_ESYNTAX);
    assert_int_equal(dq_parse("a b", 3, NULL, NULL, NULL), DQ_OK);
    assert_int_equal(dq_parse(NULL, 0, NULL, &n, &e), DQ_ESYNTAX);
    assert_int_equal(e.column, 1);
    assert_non_null(strstr(e.msg, "empty query"));
}

static void test_node_fields(void **state)
{
    const char *q = "åtgärd* \"a  b\" -c kommun:\"X Y\" år:..2023 x NEAR/7 y";
    dq_node *n = NULL, *k;
    (void)state;

    assert_int_equal(dq_parse(q, strlen(q), FIELDS, &n, NULL), DQ_OK);
    assert_int_equal(n->kind, DQ_AND);
    assert_int_equal(n->nkids, 6);
    assert_int_equal(n->offset, 0);

    k = n->kids[0];
    assert_int_equal(k->kind, DQ_WORD);
    assert_string_equal(k->text, "åtgärd");
    assert_int_equal(k->len, strlen("åtgärd"));
    assert_int_equal(k->prefix, 1);
    assert_int_equal(k->offset, 0);

    k = n->kids[1];
    assert_int_equal(k->kind, DQ_PHRASE);
    assert_null(k->text);
    assert_int_equal(k->offset, 10); /* "åtgärd* " is 10 bytes */
    assert_int_equal(k->nkids, 2);
    assert_string_equal(k->kids[0]->text, "a");
    assert_int_equal(k->kids[0]->offset, 11);
    assert_string_equal(k->kids[1]->text, "b");
    assert_int_equal(k->kids[1]->offset, 14);

    k = n->kids[2];
    assert_int_equal(k->kind, DQ_NOT);
    assert_int_equal(k->offset, 17);
    assert_int_equal(k->nkids, 1);
    assert_string_equal(k->kids[0]->text, "c");
    assert_int_equal(k->kids[0]->offset, 18);

    k = n->kids[3];
    assert_int_equal(k->kind, DQ_FIELD);
    assert_string_equal(k->field, "kommun");
    assert_string_equal(k->text, "X Y");
    assert_int_equal(k->len, 3);
    assert_null(k->text2);
    assert_int_equal(k->quoted, 1);
    assert_int_equal(k->range, 0);
    assert_int_equal(k->offset, 20);

    k = n->kids[4];
    assert_int_equal(k->kind, DQ_FIELD);
    assert_string_equal(k->field, "år");
    assert_string_equal(k->text, "");
    assert_string_equal(k->text2, "2023");
    assert_int_equal(k->range, 1);
    assert_int_equal(k->quoted, 0);

    k = n->kids[5];
    assert_int_equal(k->kind, DQ_NEAR);
    assert_int_equal(k->window, 7);
    assert_int_equal(k->nkids, 2);
    assert_null(k->text);
    dq_node_free(n);

    /* no fields: a field-looking word is a word */
    assert_int_equal(dq_parse("år:2019", strlen("år:2019"), NULL, &n, NULL),
                     DQ_OK);
    assert_int_equal(n->kind, DQ_WORD);
    assert_string_equal(n->text, "år:2019");
    dq_node_free(n);
}

/* The offset of a field's value (issue 38: errors point at the bad bound
 * of a range). */
static void test_voffset(void **state)
{
    static const struct {
        const char *q;
        size_t voffset;
    } cases[] = {
        {"år:2019..2023", 4}, {"x kommun:\"Falu\"", 10},
        {"Kommun:Lund", 7}, {"ÅR:..2020", 4}};
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dq_node *n = NULL, *f;
        assert_int_equal(dq_parse(cases[i].q, strlen(cases[i].q), FIELDS, &n,
                                  NULL), DQ_OK);
        f = n->kind == DQ_FIELD ? n : n->kids[1];
        assert_int_equal(f->kind, DQ_FIELD);
        assert_int_equal(f->voffset, cases[i].voffset);
        dq_node_free(n);
    }
}

static void test_describe_edge(void **state)
{
    char *d = dq_node_describe(NULL);
    (void)state;

    assert_non_null(d);
    assert_string_equal(d, "");
    free(d);
    dq_node_free(NULL);
}

/* ------------------------------------------------------ limits: depth, size */

/* `pre` repeated k times, then `mid`, then `post` repeated k times. */
static char *repeat3(const char *pre, size_t k, const char *mid,
                     const char *post, size_t *len)
{
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    char *s = malloc(k * (lp + lq) + lm + 1), *c = s;

    assert_non_null(s);
    for (size_t i = 0; i < k; i++, c += lp)
        memcpy(c, pre, lp);
    memcpy(c, mid, lm);
    c += lm;
    for (size_t i = 0; i < k; i++, c += lq)
        memcpy(c, post, lq);
    *c = '\0';
    *len = (size_t)(c - s);
    return s;
}

static void test_depth(void **state)
{
    size_t len;
    char *q;
    (void)state;

    q = repeat3("(", 64, "a", ")", &len);
    expect_tree(q, "WORD(a)");
    free(q);

    q = repeat3("(", 65, "a", ")", &len);
    expect_error(q, 65, "nested too deeply");
    free(q);

    q = repeat3("(", 10000, "a", ")", &len);
    expect_error(q, 65, "nested too deeply");
    free(q);

    q = repeat3("(", 10000, "", "", &len);
    expect_error(q, 65, "nested too deeply");
    free(q);

    /* x -(x -(x ... )): each level is one '(' and one NOT */
    q = repeat3("x -(", 32, "y", ")", &len);
    assert_int_equal(dq_parse(q, len, NULL, NULL, NULL), DQ_OK);
    free(q);
    q = repeat3("x -(", 33, "y", ")", &len);
    expect_error(q, 4 * 32 + 3, "nested too deeply");
    free(q);

    /* a chain of 65 NOTs is too deep before it is a double negation */
    q = repeat3("NOT ", 65, "a", "", &len);
    expect_error(q, 4 * 64 + 1, "nested too deeply");
    free(q);
    q = repeat3("NOT ", 64, "a", "", &len);
    expect_error(q, 4 * 62 + 1, "double negation");
    free(q);
}

static void test_size_limit(void **state)
{
    const size_t max = 64 * 1024;
    char *q = malloc(max + 2);
    dq_parse_error e;
    dq_node *n = NULL;
    (void)state;

    assert_non_null(q);
    for (size_t i = 0; i < max + 1; i += 2) {
        q[i] = 'a';
        q[i + 1] = ' ';
    }
    assert_int_equal(dq_parse(q, max, NULL, &n, &e), DQ_OK);
    assert_int_equal(n->kind, DQ_AND);
    assert_int_equal(n->nkids, max / 2);
    dq_node_free(n);

    assert_int_equal(dq_parse(q, max + 1, NULL, &n, &e), DQ_ESYNTAX);
    assert_null(n);
    assert_int_equal(e.offset, max);
    assert_int_equal(e.column, max + 1);
    assert_non_null(strstr(e.msg, "too long"));

    /* one word of 64 KiB is fine */
    memset(q, 'x', max);
    assert_int_equal(dq_parse(q, max, NULL, &n, &e), DQ_OK);
    assert_int_equal(n->len, max);
    dq_node_free(n);
    free(q);
}

/* ----------------------------------------------------------------- fuzz */

typedef struct rng {
    uint64_t s;
} rng;

/* xorshift64* */
static uint64_t next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

static size_t below(rng *r, size_t n)
{
    return n ? (size_t)(next(r) % n) : 0;
}

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = realloc(b->s, cap);
        assert_non_null(b->s);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void add_str(buf *b, const char *s)
{
    add(b, s, strlen(s));
}

static const char *const TOKENS[] = {
    "(", ")", "\"", "-", "*", "NEAR", "NEAR/3", "OR", "AND", "NOT", "OCH",
    "ELLER", "INTE", "år:", "..", "a", "åtgärd", "kommun:", "2019", ":",
    "NEAR/0", "NEAR/1001", " ", " ", " ", "\xc2\xa0", "\t", "x*", "\"b c\"",
};

static void gen_random_bytes(rng *r, buf *b)
{
    size_t n = below(r, 200);
    for (size_t i = 0; i < n; i++) {
        char c = (char)(below(r, 255) + 1); /* NUL-free binary */
        add(b, &c, 1);
    }
}

static void gen_tokens(rng *r, buf *b, size_t n)
{
    const size_t nt = sizeof TOKENS / sizeof TOKENS[0];
    for (size_t i = 0; i < n; i++) {
        add_str(b, TOKENS[below(r, nt)]);
        if (below(r, 3) != 0)
            add_str(b, " ");
    }
}

static void gen_mutation(rng *r, buf *b)
{
    const size_t nv = sizeof VALID / sizeof VALID[0];
    const size_t nt = sizeof TOKENS / sizeof TOKENS[0];
    buf t = {0};
    size_t edits = 1 + below(r, 4);

    add_str(&t, VALID[below(r, nv)].query);
    for (size_t e = 0; e < edits; e++) {
        size_t at = below(r, t.len + 1);
        buf u = {0};
        add(&u, t.s, at);
        switch (below(r, 4)) {
        case 0: /* flip a byte */
            if (at < t.len) {
                char c = (char)(t.s[at] ^ (char)(1u << below(r, 8)));
                if (c == '\0')
                    c = '\x01';
                add(&u, &c, 1);
                at++;
            }
            break;
        case 1: /* insert a token */
            add_str(&u, TOKENS[below(r, nt)]);
            break;
        case 2: /* delete a range */
            at += below(r, t.len - at + 1);
            break;
        default: /* duplicate the tail */
            add(&u, t.s + at, t.len - at);
            break;
        }
        add(&u, t.s + at, t.len - at);
        free(t.s);
        t = u;
    }
    add(b, t.s, t.len);
    free(t.s);
}

static void gen_deep(rng *r, buf *b)
{
    static const char *const OPEN[] = {"(", "-(", "NOT (", "a (", "\"(",
                                       "NOT ", "a NOT ", "(a OR "};
    size_t k = 1 + below(r, 10000);
    const char *open = OPEN[below(r, sizeof OPEN / sizeof OPEN[0])];
    size_t close = below(r, 3) == 0 ? below(r, k + 2) : k;

    for (size_t i = 0; i < k; i++)
        add_str(b, open);
    add_str(b, below(r, 2) ? "a" : "åtgärd*");
    for (size_t i = 0; i < close; i++)
        add_str(b, ")");
}

/* One query through dq_parse: only DQ_OK or DQ_ESYNTAX, positions in
 * bounds, invariants and describe on success, the same answer twice. */
static void fuzz_one(const char *q, size_t len, int *ok, int *err)
{
    dq_node *n = (dq_node *)&n;
    dq_parse_error e;
    int rc;

    memset(&e, 0x55, sizeof e);
    rc = dq_parse(q, len, FIELDS, &n, &e);
    if (rc == DQ_OK) {
        char *d, *d2;
        dq_node *n2 = NULL;
        (*ok)++;
        assert_non_null(n);
        if (check_tree(n, -1, len, 0) != 0) {
            print_error("invariants broken for [%.*s]\n", (int)len, q);
            fail();
        }
        d = dq_node_describe(n);
        assert_non_null(d);
        assert_int_equal(dq_parse(q, len, FIELDS, &n2, NULL), DQ_OK);
        d2 = dq_node_describe(n2);
        assert_non_null(d2);
        assert_string_equal(d, d2);
        free(d);
        free(d2);
        dq_node_free(n);
        dq_node_free(n2);
        return;
    }
    (*err)++;
    if (rc != DQ_ESYNTAX) {
        print_error("dq_parse returned %d for [%.*s]\n", rc, (int)len, q);
        fail();
    }
    assert_null(n);
    assert_true(e.offset <= len);
    assert_true(e.column >= 1 && e.column <= e.offset + 1);
    assert_true(memchr(e.msg, '\0', sizeof e.msg) != NULL);
    assert_true(e.msg[0] != '\0');
}

enum { FUZZ_ITERATIONS = 20000 };

static void test_fuzz(void **state)
{
    rng r = {0x9E3779B97F4A7C15ULL};
    int ok = 0, err = 0;
    (void)state;

    for (int i = 0; i < FUZZ_ITERATIONS; i++) {
        buf b = {0};
        add(&b, "", 0);
        switch (i % 10) {
        case 0:
        case 1:
            gen_random_bytes(&r, &b);
            break;
        case 2:
        case 3:
        case 4:
            gen_tokens(&r, &b, below(&r, 30));
            break;
        case 5:
        case 6:
        case 7:
            gen_mutation(&r, &b);
            break;
        case 8:
            if (i % 100 == 8) /* very long: around and over 64 KiB */
                gen_tokens(&r, &b, 15000 + below(&r, 12000));
            else
                gen_tokens(&r, &b, below(&r, 400));
            break;
        default:
            if (i % 50 == 9)
                gen_deep(&r, &b);
            else /* a valid query with random bytes spliced in */
                gen_mutation(&r, &b), gen_random_bytes(&r, &b);
            break;
        }
        fuzz_one(b.s, b.len, &ok, &err);
        free(b.s);
    }
    print_message("fuzz: %d queries, %d parsed, %d rejected\n",
                  FUZZ_ITERATIONS, ok, err);
    /* the generators must reach both outcomes in earnest */
    assert_true(ok > FUZZ_ITERATIONS / 20);
    assert_true(err > FUZZ_ITERATIONS / 20);
}

/* query/'s one family of return codes: a distinct text for each, and the
 * shim's codes mapped into it (dq_error.h). */
static void test_strerror(void **state)
{
    (void)state;
    const int codes[] = {DQ_OK,        DQ_ENOMEM, DQ_ESYNTAX,
                         DQ_EDB,       DQ_ENODB,  DQ_EANALYSIS,
                         DQ_EQUERY,    DQ_EMODIFIED, DQ_EWRITE};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = dq_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, dq_strerror(codes[j]));
    }
    assert_string_equal(dq_strerror(12345), "unknown error");
    assert_int_equal(dq_from_xc(0), DQ_OK);       /* XC_OK */
    assert_int_equal(dq_from_xc(-1), DQ_ENOMEM);  /* XC_ENOMEM */
    assert_int_equal(dq_from_xc(-5), DQ_EMODIFIED); /* XC_EMODIFIED */
    assert_int_equal(dq_from_xc(-4), DQ_EDB);     /* XC_ECORRUPT */
    assert_int_equal(dq_from_xc(-10), DQ_EDB);    /* XC_EIO */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_table),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_error_offsets),
        cmocka_unit_test(test_node_fields),
        cmocka_unit_test(test_voffset),
        cmocka_unit_test(test_describe_edge),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
