/*
 * fuzz_query.c — libFuzzer target: any bytes as a query to the query
 * engine (issue 38). Not a test: ctest does not run it.
 *
 * Build and run (clang, with the sanitizers and libFuzzer's coverage):
 *   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DDIARIUM_FUZZ=ON \
 *       -DCMAKE_BUILD_TYPE=Debug && cmake --build build-fuzz -t fuzz_query
 *   ASAN_OPTIONS=new_delete_type_mismatch=0 \
 *       build-fuzz/bin/fuzz_query -max_len=4096 -max_total_time=600 CORPUS_DIR
 * (CORPUS_DIR: any folder, e.g. seeded with lines of bench/queries.txt.)
 *
 * At start it indexes three short passages (clean, stripped, OCR-damaged)
 * into a temporary database through the indexer's API. The first input
 * byte chooses the options and whether small limits apply (so that every
 * limit is met often); the rest is the query. An input fails (the fuzzer
 * stops and keeps it) when dq_search or dq_count answers anything but
 * DQ_OK, DQ_ESYNTAX or DQ_EQUERY, when an error has no message or an
 * offset outside the query, when a plan that was let through holds more
 * index terms or words than the limits allow, or when the sanitizers
 * object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dq_search.h"
#include "dx_index.h"

static char dir[] = "/tmp/diarium-fuzzq-XXXXXX";
static dq_engine *engine;

static const char *const texts[] = {
    "Skolinspektionen bedömer att huvudmannen har vidtagit kompensatoriska\n"
    "åtgärder i Lunds kommun. Dnr 2021:2323, beslut den 2021-12-23.\n",
    "Skolinspektionen bedomer att ytterligare atgarder behovs for att\n"
    "sakerstalla sarskilt stod till eleverna pa skolan.\n",
    "Uppf6ljning av atgirder och atgédrderna 1 kommunen; &mnen och\n"
    "kunskapsprogression.\n"};

static void cleanup(void)
{
    char cmd[64];
    dq_engine_close(engine);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_query: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char db[64], docs[64], path[96], err[512];
    dx_indexer *ix = NULL;
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) {
        perror("fuzz_query: mkdtemp");
        exit(1);
    }
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(docs, sizeof docs, "%s/docs", dir);
    snprintf(path, sizeof path, "mkdir -p %s", docs);
    if (system(path) != 0) exit(1);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        snprintf(path, sizeof path, "%s/d%zu.txt", docs, i);
        FILE *f = fopen(path, "w");
        if (!f || fputs(texts[i], f) < 0 || fclose(f) != 0) exit(1);
    }
    if (dx_indexer_open(db, 0, &ix, err, sizeof err) != DX_OK ||
        dx_indexer_add_root(ix, docs, NULL, NULL, err, sizeof err) !=
            DX_OK ||
        dx_indexer_finish(ix, err, sizeof err) != DX_OK) {
        fprintf(stderr, "fuzz_query: cannot index: %s\n", err);
        exit(1);
    }
    dx_indexer_close(ix);
    if (dq_engine_open(db, &engine, err, sizeof err) != DQ_OK) {
        fprintf(stderr, "fuzz_query: cannot open: %s\n", err);
        exit(1);
    }
    atexit(cleanup);
    return 0;
}

static void check_error(int rc, const char *err, size_t off, size_t len)
{
    if (rc != DQ_ESYNTAX && rc != DQ_EQUERY) {
        fprintf(stderr, "fuzz_query: status %d (%s)\n", rc, err);
        __builtin_trap();
    }
    if (!err[0] || off > len) {
        fprintf(stderr, "fuzz_query: error without message or at %zu of "
                "%zu\n", off, len);
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    unsigned k = data[0];
    const char *q = (const char *)data + 1;
    size_t len = size - 1;
    dq_limits small = {1 + k % 7, 1 + k % 5, 1 + k % 3, 1 + k % 11,
                       1 + k % 4, 1 + k % 50};
    const dq_limits *lim = k & 0x80 ? &small : &dq_limits_default;
    dq_options o = {10, k & 1, 1 + (k >> 1 & 1), k >> 2 & 1, k >> 3 & 1,
                    k & 0x10 ? "kommun,år,typ" : NULL, k >> 5 & 1, lim, 0,
                    k >> 6 & 1};
    char err[512] = "";
    size_t off = (size_t)-1;
    dq_results *r = NULL;
    int rc = dq_search(engine, q, len, &o, &r, err, sizeof err, &off);
    if (rc == DQ_OK) {
        if (!r || r->n > o.limit || r->plan->nterms > lim->terms ||
            r->plan->nwords > lim->words) {
            fprintf(stderr, "fuzz_query: over a limit or too many results\n");
            __builtin_trap();
        }
        dq_results_free(r);
    } else {
        check_error(rc, err, off, len);
    }
    unsigned np = 0, nd = 0;
    err[0] = '\0';
    rc = dq_count(engine, q, len, &o, &np, &nd, err, sizeof err, &off);
    if (rc == DQ_OK && nd > np) __builtin_trap();
    if (rc != DQ_OK) check_error(rc, err, off, len);
    return 0;
}
