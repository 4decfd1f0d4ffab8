/*
 * test_query_fuzz.c — no query crashes the query tool or leaks (issue 4).
 *
 * Builds a small index of OCR-damaged and clean Swedish passages through
 * the indexer's API, then runs thousands of random, mutated, deeply nested
 * and very long queries through dq_search and dq_count in one process. Each
 * must return DQ_OK, DQ_ESYNTAX or DQ_EQUERY (with a message and an offset
 * inside the query); the ASan+UBSan CI run checks memory on every path.
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
    assert_int_equal(dx_indexer_open(db, 0, &ix, err, sizeof err), DXI_OK);
    assert_int_equal(dx_indexer_add_root(ix, docs, NULL, NULL, err,
                                         sizeof err), DXI_OK);
    assert_int_equal(dx_indexer_finish(ix, err, sizeof err), DXI_OK);
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

static void check(dq_engine *e, const char *q, size_t len)
{
    dq_options o = {10, (int)(next_rand() % 2), 1 + next_rand() % 3,
                    (int)(next_rand() % 4 == 0), (int)(next_rand() % 4 == 0),
                    next_rand() % 8 == 0 ? "kommun,år,typ" : NULL,
                    (int)(next_rand() % 4 == 0), NULL, 0};
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
    rc = dq_count(e, q, len, &o, &np, &nd, err, sizeof err, &off);
    assert_true(rc == DQ_OK || rc == DQ_ESYNTAX || rc == DQ_EQUERY);
    if (rc == DQ_OK) assert_true(nd <= np);
}

static const char *const pieces[] = {
    "åtgärder", "atgarder", "kompensatoriska", "\"", "(", ")", "-", "*",
    "OR", "AND", "NOT", "NEAR", "NEAR/2", "OCH", "ELLER", "INTE", "doc:",
    "doc:d0.txt", "år:", "..", "1", "2021:2323", "skol*", "a*", "ö", "&mnen",
    "kommun:", "kommun:Borlänge", "år:2021..2022", "typ:beslut", "dnr:2021:2323",
    "datum:2021-12-23", "utfall:i_linje", "skola:\"x y\"",
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_queries),
        cmocka_unit_test(nested_and_long_queries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
