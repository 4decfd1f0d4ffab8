/*
 * test_query_fuzz.c — no query crashes the query tool or leaks (issue 4),
 * and none runs past the limits of one query (issue 38).
 *
 * Builds a small index of OCR-damaged and clean Swedish passages through
 * the indexer's API, then runs thousands of random, mutated, deeply nested
 * and very long queries through dq_search and dq_count in one process, and
 * structured hostile ones: a word or group repeated thousands of times,
 * long phrases and NEAR chains (also a phrase inside a NEAR chain, which
 * once wrote past a buffer), many prefixes, fields and exclusions, dates
 * and ranges that are none, unknown fields — half of them under small
 * random limits, so that every limit is met often. Each must return DQ_OK,
 * DQ_ESYNTAX or DQ_EQUERY (with a message and an offset inside the query);
 * a plan that was let through must stay within the limits (its index
 * terms, its words). The ASan+UBSan CI run checks memory on every path.
 * tests/fuzz_query.c is the same for libFuzzer (DIARIUM_FUZZ=ON, clang).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dq_search.h"
#include "dx_index.h"

static char dir[] = "/tmp/diarium-fuzz-XXXXXX";
static char db[sizeof dir + 8], docs[sizeof dir + 8];

/* A few passages in the three flavours (written for this test). */
static const char *const texts[] = {
    "Skolinspektionen bedömer att huvudmannen har vidtagit kompensatoriska\n"
    "åtgärder. Dnr 2021:2323, beslut den 2021-12-23.\n\n"
    "Huvudmannens analys av studieresultat och trygghet.\n",
    "Skolinspektionen bedomer att ytterligare atgarder behovs for att\n"
    "sakerstalla sarskilt stod till eleverna pa skolan.\n",
    "Uppf6ljning av atgirder och atgédrderna 1 kommunen; &mnen och\n"
    "kunskapsprogression. Elevhdlsoarbetet ocks& utvecklings-\narbete.\n"};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(docs, sizeof docs, "%s/docs", dir);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", docs);
    assert_int_equal(system(cmd), 0);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/d%zu.txt", docs, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(texts[i], f);
        fclose(f);
    }
    dx_indexer *ix = NULL;
    char err[512];
    assert_int_equal(dx_indexer_open(db, 0, &ix, err, sizeof err), DX_OK);
    assert_int_equal(dx_indexer_add_root(ix, docs, NULL, NULL, err,
                                         sizeof err), DX_OK);
    assert_int_equal(dx_indexer_finish(ix, err, sizeof err), DX_OK);
    dx_indexer_close(ix);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Limits for check(): NULL (the defaults) or small random ones. */
static const dq_limits *limits;

/* Runs q through dq_search and dq_count; returns dq_search's status. */
static int check(dq_engine *e, const char *q, size_t len)
{
    dq_options o = {10, (int)(next_rand() % 2), 1 + next_rand() % 3,
                    (int)(next_rand() % 4 == 0), (int)(next_rand() % 4 == 0),
                    next_rand() % 8 == 0 ? "kommun,år,typ" : NULL,
                    (int)(next_rand() % 4 == 0), limits, 0,
                    (int)(next_rand() % 2)};
    const dq_limits *lim = limits ? limits : &dq_limits_default;
    dq_results *r = NULL;
    char err[512] = "";
    size_t off = (size_t)-1;
    int rc = dq_search(e, q, len, &o, &r, err, sizeof err, &off);
    if (rc != DQ_OK && rc != DQ_ESYNTAX && rc != DQ_EQUERY)
        fail_msg("query of %zu bytes: unexpected status %d (%s)", len, rc,
                 err);
    if (rc == DQ_OK) {
        assert_non_null(r);
        assert_true(r->n <= o.limit);
        assert_true(r->plan->nterms <= lim->terms);
        assert_true(r->plan->nwords <= lim->words);
        for (size_t i = 0; i < r->n; i++)
            for (size_t k = 0; k < r->hits[i].nhl; k++)
                assert_true(r->hits[i].hl[k].end <= r->hits[i].textlen);
    } else {
        assert_null(r);
        assert_true(err[0] != '\0');
        assert_true(off <= len);
    }
    dq_results_free(r);
    unsigned np, nd;
    int search_rc = rc;
    rc = dq_count(e, q, len, &o, &np, &nd, err, sizeof err, &off);
    assert_true(rc == DQ_OK || rc == DQ_ESYNTAX || rc == DQ_EQUERY);
    assert_int_equal(rc, search_rc);
    if (rc == DQ_OK) assert_true(nd <= np);
    return rc;
}

static const char *const pieces[] = {
    "åtgärder", "atgarder", "kompensatoriska", "\"", "(", ")", "-", "*",
    "OR", "AND", "NOT", "NEAR", "NEAR/2", "OCH", "ELLER", "INTE", "doc:",
    "doc:d0.txt", "år:", "..", "1", "2021:2323", "skol*", "a*", "ö", "&mnen",
    "kommun:", "kommun:Borlänge", "år:2021..2022", "typ:beslut", "dnr:2021:2323",
    "datum:2021-12-23", "utfall:i_linje", "skola:\"x y\"", "datum:2021-13-45",
    "år:2024..2019", "kommnu:", "xyz:", "ÅR:",
    " ", "  ", "\xC3", "\xFF", "i", "och", "\"särskilt stöd\"", "f6ljd"};

static void random_queries(void **state)
{
    (void)state;
    dq_engine *e = NULL;
    char err[512];
    assert_int_equal(dq_engine_open(db, &e, err, sizeof err), DQ_OK);
    char q[512];
    for (int it = 0; it < 3000; it++) {
        size_t len = 0;
        int mode = (int)(next_rand() % 3);
        size_t n = 1 + next_rand() % 12;
        for (size_t k = 0; k < n && len < sizeof q - 40; k++) {
            if (mode == 0) { /* random bytes, no NUL */
                q[len++] = (char)(1 + next_rand() % 255);
                continue;
            }
            const char *p = pieces[next_rand() % (sizeof pieces /
                                                  sizeof *pieces)];
            size_t pl = strlen(p);
            memcpy(q + len, p, pl);
            len += pl;
            if (mode == 1) q[len++] = ' ';
        }
        if (mode == 2 && len > 0 && next_rand() % 2) /* mutate a byte */
            q[next_rand() % len] = (char)(1 + next_rand() % 255);
        check(e, q, len);
    }
    dq_engine_close(e);
}

static void nested_and_long_queries(void **state)
{
    (void)state;
    dq_engine *e = NULL;
    char err[512];
    assert_int_equal(dq_engine_open(db, &e, err, sizeof err), DQ_OK);
    size_t cap = 200000;
    char *q = malloc(cap);
    assert_non_null(q);
    for (size_t depth = 1; depth <= 5000; depth *= 4) { /* ((((a)))) */
        size_t len = 0;
        for (size_t i = 0; i < depth; i++) q[len++] = '(';
        memcpy(q + len, "åtgärder", 9);
        len += 9;
        for (size_t i = 0; i < depth; i++) q[len++] = ')';
        check(e, q, len);
        len = 0; /* NOT NOT NOT ... a */
        for (size_t i = 0; i < depth && len + 16 < cap; i++) {
            memcpy(q + len, "skolan -", 8);
            len += 8;
        }
        memcpy(q + len, "x", 1);
        check(e, q, len + 1);
    }
    size_t len = 0; /* a very long query of real words */
    while (len + 20 < cap) {
        static const char *const w[] = {"åtgärder ", "\"särskilt stöd\" ",
                                        "OR ", "kompensatoriska "};
        const char *p = w[next_rand() % 4];
        memcpy(q + len, p, strlen(p));
        len += strlen(p);
    }
    memcpy(q + len, "x", 1);
    check(e, q, len + 1);
    len = 0; /* many words, within the 64 KiB limit */
    while (len + 20 < 60000) {
        memcpy(q + len, "atgarder ", 9);
        len += 9;
    }
    check(e, q, len);
    free(q);
    dq_engine_close(e);
}

/* Appends s to q (cap bytes, length *len) if it fits. */
static void add(char *q, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n < cap) {
        memcpy(q + *len, s, n);
        *len += n;
    }
}

static const char *const words[] = {
    "åtgärder", "atgarder", "kompensatoriska", "skolan", "Skolan", "SKOLAN",
    "trygghet", "studieresultat", "huvudmannen", "eleverna", "1", "i",
    "och", "2021:2323", "&mnen", "f6ljd", "x", "kunskapsprogression"};
#define NWORDS (sizeof words / sizeof *words)

static const char *const hostile_fields[] = {
    "år:2024..2019", "år:2019..2023", "år:20x1", "år:..2021", "ÅR:2021",
    "datum:2021-13-45", "datum:2021-02-29", "datum:2024-02-29",
    "datum:2021-06-30..2021-01-01", "datum:2021-12-23..", "datum:21-1-1",
    "kommnu:Lund", "kommun:Lunn", "kommun:Lund", "typ:beslutt", "utfall:x",
    "doc:d0.txt", "doc:nosuch.txt", "xyz:abc", "https://a.se", "Obs:",
    "dnr:2021:2323", "skola:\"x y\"", "myndighet:Skolinspektionen"};
#define NFIELDS (sizeof hostile_fields / sizeof *hostile_fields)

/* One structured hostile query into q (cap bytes); returns its length. */
static size_t hostile_query(char *q, size_t cap)
{
    size_t len = 0, n;
    char buf[64];
    const char *w = words[next_rand() % NWORDS];
    switch (next_rand() % 9) {
    case 0: /* one word or prefix repeated, in any case */
        n = 1 + next_rand() % 12000;
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, i % 3 ? w : "Åtgärder");
            add(q, cap, &len, next_rand() % 2 ? " " : " OR ");
        }
        break;
    case 1: /* a long phrase, or a phrase in a NEAR chain */
        if (next_rand() % 2) add(q, cap, &len, "a NEAR ");
        add(q, cap, &len, "\"");
        n = 1 + next_rand() % 400;
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, words[next_rand() % NWORDS]);
            add(q, cap, &len, " ");
        }
        add(q, cap, &len, "\"");
        break;
    case 2: /* a NEAR chain */
        n = 2 + next_rand() % 300;
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, words[next_rand() % NWORDS]);
            add(q, cap, &len, next_rand() % 2 ? " NEAR " : " NEAR/3 ");
        }
        add(q, cap, &len, w);
        break;
    case 3: /* many prefixes */
        n = 1 + next_rand() % 40;
        for (size_t i = 0; i < n; i++) {
            snprintf(buf, sizeof buf, "%.4s* OR ",
                     words[next_rand() % NWORDS]);
            add(q, cap, &len, buf);
        }
        add(q, cap, &len, "sk*");
        break;
    case 4: /* many distinct made-up words, or excluded ones */
        n = 1 + next_rand() % 600;
        add(q, cap, &len, w);
        for (size_t i = 0; i < n; i++) {
            snprintf(buf, sizeof buf, next_rand() % 2 ? " w%zu" : " -w%zu",
                     i);
            add(q, cap, &len, buf);
        }
        break;
    case 5: /* fields: many, repeated, bad */
        n = 1 + next_rand() % 60;
        add(q, cap, &len, w);
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, next_rand() % 3 ? " " : " OR ");
            add(q, cap, &len, hostile_fields[next_rand() % NFIELDS]);
        }
        break;
    case 6: /* one word of many tokens */
        n = 1 + next_rand() % 500;
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, words[next_rand() % NWORDS]);
            add(q, cap, &len, "-");
        }
        add(q, cap, &len, "x");
        break;
    case 7: /* nested groups, repeated */
        n = 1 + next_rand() % 70;
        for (size_t i = 0; i < n; i++) add(q, cap, &len, "(");
        add(q, cap, &len, w);
        for (size_t i = 0; i < n; i++) {
            add(q, cap, &len, next_rand() % 2 ? " OR " : " ");
            add(q, cap, &len, words[next_rand() % NWORDS]);
            add(q, cap, &len, ")");
        }
        break;
    default: /* the same group many times */
        n = 1 + next_rand() % 2000;
        for (size_t i = 0; i < n; i++)
            add(q, cap, &len, next_rand() % 2 ? "(skolan OR trygghet) "
                                              : "(trygghet OR Skolan) ");
        break;
    }
    return len;
}

static void hostile_queries(void **state)
{
    (void)state;
    dq_engine *e = NULL;
    char err[512];
    assert_int_equal(dq_engine_open(db, &e, err, sizeof err), DQ_OK);
    size_t cap = 65536 + 100; /* a little over the parser's limit */
    char *q = malloc(cap);
    assert_non_null(q);
    dq_limits small;
    unsigned seen[3] = {0, 0, 0}; /* DQ_OK, DQ_ESYNTAX, DQ_EQUERY */
    for (int it = 0; it < 400; it++) {
        size_t len = hostile_query(q, cap);
        if (it % 2) {
            small.words = 1 + (unsigned)(next_rand() % 40);
            small.phrase = 1 + (unsigned)(next_rand() % 20);
            small.prefixes = 1 + (unsigned)(next_rand() % 5);
            small.prefix_words = 1 + (unsigned)(next_rand() % 20);
            small.fields = 1 + (unsigned)(next_rand() % 5);
            small.terms = 1 + (unsigned)(next_rand() % 200);
            limits = &small;
        }
        int rc = check(e, q, len);
        seen[rc == DQ_OK ? 0 : rc == DQ_ESYNTAX ? 1 : 2]++;
        limits = NULL;
    }
    printf("hostile: %u answered, %u syntax errors, %u refused\n", seen[0],
           seen[1], seen[2]);
    /* each kind of outcome happened (the queries reach every path) */
    assert_true(seen[0] > 20 && seen[1] > 5 && seen[2] > 20);
    free(q);
    dq_engine_close(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_queries),
        cmocka_unit_test(nested_and_long_queries),
        cmocka_unit_test(hostile_queries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
