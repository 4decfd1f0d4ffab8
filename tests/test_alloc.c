/*
 * test_alloc.c — allocation failure: every allocation of our code, made to
 * fail one at a time, ends in a clean error (issue 34).
 *
 * This binary is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=strdup,--wrap=strndup (tests/CMakeLists.txt): every
 * call to those functions from the objects linked into it — diarium's
 * static libraries (sv_, dx_, dq_, xc_) and this file — goes through the
 * __wrap_ functions below, which fail the Nth call when asked to. The
 * libraries below ours (Xapian, libstemmer, utf8proc, zlib, the C
 * library's own stdio) allocate through their own references and never
 * fail here.
 *
 * Each scenario is run with N = 0, 1, 2, ... until a run makes fewer than
 * N + 1 allocations (nothing left to fail): every allocation site the
 * scenario reaches has then failed once. Each run must return the
 * module's "out of memory" code (or succeed where the failure was
 * absorbed: an optional cache, a document reported and skipped), must not
 * crash or abort, and — under AddressSanitizer — must not leak or touch
 * freed memory. After a failed run the state it leaves (a database, an
 * open engine) must still give the right answer.
 *
 * Scenarios: analysis (sv_: clean, tokenise, stem, skeletons,
 * inflections); index writing (dx_: a first run over a few documents of
 * corpus/ in one thread and in two, an incremental run that adds,
 * updates, renames and removes, and a --full rebuild);
 * opening an engine and query planning and search (dq_: parse, plan,
 * expand, search, facets, explain, suggestions, count); output and topic
 * reports (dq_print_*, dq_report_write in the three formats).
 */
#define _GNU_SOURCE /* strndup, open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dq_error.h"
#include "dq_output.h"
#include "dq_parse.h"
#include "dq_report.h"
#include "dq_search.h"
#include "dx_error.h"
#include "dx_index.h"
#include "sv.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"

/* ------------------------------------------------- the failing allocator */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* fail_at < 0: nothing fails. Else the allocation numbered fail_at
 * (counting from 0 since arm()) fails, once; `failed` says it happened.
 * Atomic: a parallel build's threads allocate too. */
static atomic_long fail_at = -1;
static atomic_long calls;
static atomic_int failed;

static pid_t armed_by; /* only this process fails: not a child it forks
                         (the run's check), whose failures it cannot see */

static int should_fail(void)
{
    long at = atomic_load(&fail_at);
    if (at < 0 || getpid() != armed_by) return 0;
    if (atomic_fetch_add(&calls, 1) != at) return 0;
    atomic_store(&failed, 1);
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
}

static void arm(long n)
{
    armed_by = getpid();
    atomic_store(&failed, 0);
    atomic_store(&calls, 0);
    atomic_store(&fail_at, n);
}

/* Stops failing; returns whether the armed failure happened. */
static int disarm(void)
{
    atomic_store(&fail_at, -1);
    return atomic_load(&failed);
}

/* The most runs a scenario may take: a bound, so that a loop that never
 * ends (a failure retried for ever) fails the test instead. */
#define MAX_RUNS 200000L

/* Runs scenario(ctx) with N = 0, 1, ... until one run does not reach
 * allocation N. scenario returns 0 for a clean outcome (checked by
 * itself), anything else for a wrong one (then the test fails, naming N).
 * Returns the number of allocation sites reached (the last N). */
static long every_allocation(const char *name, int (*scenario)(void *ctx),
                             void *ctx)
{
    long n;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* TEST_ALLOC_FROM=N starts at allocation N (to look at one by hand). */
    n = getenv("TEST_ALLOC_FROM") ? atol(getenv("TEST_ALLOC_FROM")) : 0;
    for (; n < MAX_RUNS; n++) {
        arm(n);
        int bad = scenario(ctx);
        int hit = disarm();
        if (bad) fail_msg("%s: allocation %ld failing: wrong outcome (%d)",
                          name, n, bad);
        if (!hit) break;
    }
    if (n == MAX_RUNS) fail_msg("%s: still allocating after %ld runs", name, n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("%s: %ld allocations failed one at a time (%.1f s)\n",
                  name, n, (double)(t1.tv_sec - t0.tv_sec) +
                               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return n;
}

/* ------------------------------------------------------------- helpers */

static char tmpdir[256];

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[1024];
    struct stat sb;
    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) remove_tree(sub);
        else unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Reads a whole file (malloc'd by the real allocator, NUL-terminated). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *b = __real_malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return b;
}

static void write_file(const char *dir, const char *name, const char *text,
                       size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Copies corpus/NAME into dir (the test data: real sample decisions in
 * the three flavours, so that metadata and OCR paths are taken). */
static void copy_corpus_file(const char *dir, const char *name)
{
    const char *src = getenv("DIARIUM_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/%s", src ? src : "..", name);
    size_t len;
    char *text = slurp(path, &len);
    /* The first 400 bytes: the heading, the metadata and a few passages,
     * enough for every path, few enough allocations to try each. */
    size_t cut = len < 400 ? len : 400;
    while (cut < len && (text[cut] & 0xC0) == 0x80) cut++;
    write_file(dir, name, text, cut);
    free(text);
}

/* ----------------------------------------------------- 1. analysis (sv_) */

static const char *analysis_text =
    "\xEF\xBB\xBFSkolinspektionen bed\xC3\xB6mer att ytterligare "
    "\xC3\xA5tg\xC3\xA4rder beh\xC3\xB6vs.\r\nAtgarder, atgirder och "
    "atg\xC3\xA9rderna i Borl&nge kommun; f6ljd, &mnen, ocksd. Dnr "
    "2021:2323, den 23 december 2021, 26 kap. 19 \xC2\xA7 skollagen. "
    "Kompensatoriska arbe-\nte \xE2\x80\x93 r\xC3\xA4ttvisa \xFF "
    "likv\xC3\xA4rdig utbildning.";

static int count_form(void *ctx, const char *form, size_t len)
{
    (void)form;
    (void)len;
    (*(unsigned *)ctx)++;
    return 0;
}

/* The whole analysis of one text; 0 when every step returned SV_OK or
 * SV_ENOMEM (and an output that was not made is NULL). */
static int run_analysis(void *ctx)
{
    (void)ctx;
    char *clean = NULL;
    size_t cleanlen = 0;
    unsigned flags = 0;
    sv_text_repair repair;
    int rc = sv_text_clean_report(analysis_text, strlen(analysis_text),
                                  &clean, &cleanlen, &flags, &repair);
    if (rc == SV_ENOMEM) return clean == NULL ? 0 : 1;
    if (rc != SV_OK) return 2;

    int bad = 0;
    sv_tokens toks = {0};
    sv_stemmer *st = NULL;
    sv_skelmemo *memo = NULL;
    rc = sv_tokenize(clean, cleanlen, &toks);
    if (rc == SV_OK) rc = sv_stemmer_new(&st);
    if (rc == SV_OK) rc = sv_skelmemo_new(&memo);
    for (size_t k = 0; rc == SV_OK && k < toks.n; k++) {
        const char *w = toks.buf + toks.tok[k].norm;
        size_t wl = toks.tok[k].normlen;
        const char *stem;
        size_t stemlen;
        char skel[4 * SV_TOKEN_MAX + 8];
        rc = sv_stem(st, w, wl, &stem, &stemlen);
        if (rc == SV_OK) {
            sv_skeleton_memo(memo, w, wl, skel, sizeof skel);
            unsigned n = 0;
            char copy[SV_TOKEN_MAX * 2];
            if (stemlen < sizeof copy) {
                memcpy(copy, stem, stemlen);
                rc = sv_inflections(st, copy, stemlen, count_form, &n);
            }
        }
    }
    if (rc != SV_OK && rc != SV_ENOMEM) bad = 3;
    sv_skelmemo_free(memo);
    sv_stemmer_free(st);
    sv_tokens_free(&toks);
    free(clean);
    return bad;
}

static void test_analysis(void **state)
{
    (void)state;
    assert_int_equal(run_analysis(NULL), 0); /* and without failures */
    assert_true(every_allocation("analysis", run_analysis, NULL) > 0);
}

/* ------------------------------------------------- 2. index writing (dx_) */

/* Clean, OCR-damaged and Windows-1252 text. */
static const char *const corpus_files[] = {
    "2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt",
    "2023-09-11_tjansteskrivelse_kompensatoriskt_arbete_ostersund.txt",
    "2023-10-12_tjansteskrivelse_nyanlanda_sodertalje_latin1.txt",
};

struct ix_ctx {
    char docs[512];
    char db[512];
    char base[512];  /* a database as of a clean first run (for runs 2) */
    unsigned jobs;
    int second;      /* the incremental run: base copied to db first */
    int full;        /* the failing run is a --full one */
    unsigned problems;
};

static void on_problem(void *ctx, const char *path, const char *why)
{
    (void)path;
    (void)why;
    ((struct ix_ctx *)ctx)->problems++;
}

/* Copies folder `from` (a database: files, perhaps folders) to `to`.
 * 0, or -1. */
static int copy_tree(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d || mkdir(to, 0777) != 0) {
        if (d) closedir(d);
        return -1;
    }
    struct dirent *e;
    int res = 0;
    while (res == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char a[1024], b[1024];
        struct stat sb;
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        if (lstat(a, &sb) != 0) res = -1;
        else if (S_ISDIR(sb.st_mode)) res = copy_tree(a, b);
        else {
            size_t len;
            char *data = slurp(a, &len);
            FILE *f = fopen(b, "wb");
            if (!f || fwrite(data, 1, len, f) != len) res = -1;
            if (f && fclose(f) != 0) res = -1;
            free(data);
        }
    }
    closedir(d);
    return res;
}

/* One diarium-index run over c->docs into c->db. The outcome is clean
 * when each call returned DX_OK or DX_ENOMEM, the first DX_ENOMEM ended
 * the run, and afterwards a run without failures brings the database to
 * the full, right content (documents and passages counted by a query
 * engine), whatever state the failed run left it in. */
static int index_once(struct ix_ctx *c, dx_stats *stats)
{
    dx_options o = {0};
    o.jobs = c->jobs;
    o.full = c->full;
    o.problem = on_problem;
    o.ctx = c;
    dx_indexer *ix = NULL;
    char err[512] = "";
    int rc = dx_indexer_open(c->db, &o, &ix, err, sizeof err);
    if (rc == DX_OK) rc = dx_indexer_add_root(ix, c->docs, NULL, NULL, err,
                                              sizeof err);
    if (rc == DX_OK) rc = dx_indexer_finish(ix, err, sizeof err);
    if (rc == DX_OK && stats) *stats = *dx_indexer_stats(ix);
    dx_indexer_close(ix);
    if (rc != DX_OK && rc != DX_ENOMEM)
        print_message("index run: %d %s: %s\n", rc, dx_strerror(rc), err);
    if (rc != DX_OK && !err[0]) return -100; /* an error must say why */
    return rc;
}

static void db_counts(const char *db, unsigned *docs, unsigned *passages)
{
    dq_engine *e = NULL;
    char err[512];
    assert_int_equal(dq_engine_open(db, &e, err, sizeof err), DQ_OK);
    assert_int_equal(dq_engine_stats(e, passages, docs, err, sizeof err),
                     DQ_OK);
    dq_engine_close(e);
}

static unsigned want_docs, want_passages;

/* Under AddressSanitizer a run costs many times as much (Xapian's files,
 * the analysis caches' large tables), so the re-run that checks the
 * database follows every 4th failure there (and every failure a run
 * absorbed); the plain and Release builds check after every one. */
#if defined(__SANITIZE_ADDRESS__)
#define VERIFY_EVERY 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VERIFY_EVERY 4
#endif
#endif
#ifndef VERIFY_EVERY
#define VERIFY_EVERY 1
#endif
static long index_run; /* runs of the scenario so far */

static int run_index(void *ctx)
{
    struct ix_ctx *c = ctx;
    remove_tree(c->db);
    if (c->second && copy_tree(c->base, c->db) != 0) return 10;
    c->problems = 0;
    int rc = index_once(c, NULL);
    int hit = disarm();
    if (rc != DX_OK && rc != DX_ENOMEM) return 11;
    if (rc == DX_ENOMEM && !hit) return 12;
    /* A document whose reading failed for memory may be reported and
     * skipped (it stays as it was); the run itself then succeeds. */
    if (rc == DX_OK && c->problems && !hit) return 13;
    if (rc != DX_OK && index_run++ % VERIFY_EVERY != 0) return 0;
    /* What the failed run left must be a database the next run (in one
     * thread: cheaper, and as a nightly run would) completes. */
    dx_stats s;
    unsigned jobs = c->jobs;
    int full = c->full;
    c->problems = 0;
    c->jobs = 1;
    c->full = 0;
    rc = index_once(c, &s);
    c->jobs = jobs;
    c->full = full;
    if (rc != DX_OK || c->problems) return 14;
    unsigned docs = 0, passages = 0;
    db_counts(c->db, &docs, &passages);
    if (docs != want_docs || passages != want_passages) return 15;
    return 0;
}

static void index_fixture(struct ix_ctx *c, size_t nfiles)
{
    memset(c, 0, sizeof *c);
    snprintf(c->docs, sizeof c->docs, "%s/docs", tmpdir);
    snprintf(c->db, sizeof c->db, "%s/db", tmpdir);
    snprintf(c->base, sizeof c->base, "%s/base", tmpdir);
    remove_tree(c->docs);
    remove_tree(c->db);
    remove_tree(c->base);
    assert_int_equal(mkdir(c->docs, 0777), 0);
    for (size_t i = 0; i < nfiles; i++)
        copy_corpus_file(c->docs, corpus_files[i]);
}

static void test_index_first_run(void **state)
{
    (void)state;
    struct ix_ctx c;
    index_fixture(&c, 3);
    c.jobs = 1;
    dx_stats s;
    assert_int_equal(index_once(&c, &s), DX_OK);
    assert_int_equal(s.added, 3);
    db_counts(c.db, &want_docs, &want_passages);
    assert_int_equal(want_docs, 3);
    assert_true(every_allocation("index, first run (one thread)", run_index,
                                 &c) > 0);
}

static void test_index_parallel(void **state)
{
    (void)state;
    struct ix_ctx c;
    index_fixture(&c, 2); /* a shard each */
    c.jobs = 2;
    dx_stats s;
    assert_int_equal(index_once(&c, &s), DX_OK);
    assert_int_equal(s.threads, 2);
    db_counts(c.db, &want_docs, &want_passages);
    assert_true(every_allocation("index, first run (two threads)", run_index,
                                 &c) > 0);
}

static void test_index_incremental(void **state)
{
    (void)state;
    struct ix_ctx c;
    index_fixture(&c, 3);
    c.jobs = 1;
    assert_int_equal(index_once(&c, NULL), DX_OK);
    assert_int_equal(copy_tree(c.db, c.base), 0);
    /* Then: one file changed, one renamed, one removed, one added. */
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s/%s", c.docs, corpus_files[0]);
    FILE *f = fopen(from, "a");
    assert_non_null(f);
    fputs("\n\nTillagt stycke om kompensatoriska \xC3\xA5tg\xC3\xA4rder.\n", f);
    assert_int_equal(fclose(f), 0);
    snprintf(from, sizeof from, "%s/%s", c.docs, corpus_files[1]);
    snprintf(to, sizeof to, "%s/omdopt.txt", c.docs);
    assert_int_equal(rename(from, to), 0);
    snprintf(from, sizeof from, "%s/%s", c.docs, corpus_files[2]);
    assert_int_equal(unlink(from), 0);
    copy_corpus_file(c.docs, "2021-11-08_tillsynsbeslut_trygghet_studiero_gavle.txt");
    c.second = 1;
    remove_tree(c.db);
    assert_int_equal(copy_tree(c.base, c.db), 0);
    dx_stats s;
    assert_int_equal(index_once(&c, &s), DX_OK);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.renamed, 1);
    assert_int_equal(s.removed, 1);
    assert_int_equal(s.added, 1);
    db_counts(c.db, &want_docs, &want_passages);
    assert_true(every_allocation("index, incremental run", run_index, &c) >
                0);
}

/* --full over an existing database, in one thread (built aside and
 * swapped in); then the check is a nightly run over what it left. */
static void test_index_full(void **state)
{
    (void)state;
    struct ix_ctx c;
    index_fixture(&c, 2);
    c.jobs = 1;
    assert_int_equal(index_once(&c, NULL), DX_OK);
    assert_int_equal(copy_tree(c.db, c.base), 0);
    copy_corpus_file(c.docs, corpus_files[2]);
    c.second = 1;
    c.full = 1;
    remove_tree(c.db);
    assert_int_equal(copy_tree(c.base, c.db), 0);
    dx_stats s;
    assert_int_equal(index_once(&c, &s), DX_OK);
    assert_int_equal(s.added, 3);
    db_counts(c.db, &want_docs, &want_passages);
    assert_int_equal(want_docs, 3);
    assert_true(every_allocation("index, --full (one thread)", run_index, &c)
                > 0);
}

/* ------------------------------------- 3. query planning and search (dq_) */

static char query_db[512];

static int run_engine_open(void *ctx)
{
    (void)ctx;
    dq_engine *e = NULL;
    char err[512] = "";
    int rc = dq_engine_open(query_db, &e, err, sizeof err);
    dq_engine_close(e);
    if (rc == DQ_OK) return 0;
    if (rc != DQ_ENOMEM) return 1;
    return e == NULL ? 0 : 2;
}

static const char *const queries[] = {
    "kompensatoriska \xC3\xA5tg\xC3\xA4rder",
    "\"ytterligare \xC3\xA5tg\xC3\xA4rder\" OR (resurs* -betyg)",
    "kompensatoriska NEAR/5 arbete kommun:V\xC3\xA4xj\xC3\xB6 \xC3\xA5r:2019..2024",
    "kompensatorska atgirder typ:beslut utfall:ytterligare_atgarder",
};

struct q_ctx {
    dq_engine *e;
    dq_options opt;
    const char *query;
    dq_results *want;  /* the answer without failures */
};

/* Same documents, passages and scores, in the same order. */
static int same_results(const dq_results *a, const dq_results *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->hits[i].doc, b->hits[i].doc) ||
            a->hits[i].passage != b->hits[i].passage ||
            a->hits[i].score != b->hits[i].score ||
            a->hits[i].nhl != b->hits[i].nhl)
            return 0;
    if (a->nfacets != b->nfacets) return 0;
    if (!a->suggestion != !b->suggestion) return 0;
    if (a->suggestion && strcmp(a->suggestion, b->suggestion)) return 0;
    return 1;
}

static int run_search(void *ctx)
{
    struct q_ctx *c = ctx;
    dq_results *r = NULL;
    char err[512] = "";
    size_t off = 0;
    int rc = dq_search(c->e, c->query, strlen(c->query), &c->opt, &r, err,
                       sizeof err, &off);
    int hit = disarm();
    int bad = 0;
    if (rc == DQ_OK) {
        /* A failure absorbed (a cache) must not change the answer. */
        if (!same_results(r, c->want)) bad = 1;
    } else if (rc != DQ_ENOMEM || r != NULL || !hit) {
        bad = 2;
    }
    dq_results_free(r);
    if (bad) return bad;
    /* The engine still answers right after the failure. */
    r = NULL;
    rc = dq_search(c->e, c->query, strlen(c->query), &c->opt, &r, err,
                   sizeof err, &off);
    if (rc != DQ_OK || !same_results(r, c->want)) bad = 3;
    dq_results_free(r);
    return bad;
}

static int run_count(void *ctx)
{
    struct q_ctx *c = ctx;
    unsigned p = 0, d = 0;
    char err[512] = "";
    size_t off = 0;
    int rc = dq_count(c->e, c->query, strlen(c->query), &c->opt, &p, &d,
                      err, sizeof err, &off);
    int hit = disarm();
    if (rc != DQ_OK && (rc != DQ_ENOMEM || !hit)) return 1;
    return 0;
}

static int run_parse(void *ctx)
{
    struct q_ctx *c = ctx;
    dq_node *ast = NULL;
    dq_parse_error perr;
    static const char *const fields[] = {"kommun", "\xC3\xA5r", "typ",
                                         "utfall", "doc", NULL};
    int rc = dq_parse(c->query, strlen(c->query), fields, &ast, &perr);
    dq_node_free(ast);
    if (rc == DQ_OK) return 0;
    return rc == DQ_ENOMEM && ast == NULL ? 0 : 1;
}

/* The fixture of the query and report tests: a database of all of
 * corpus/, built once. */
static int query_setup(void **state)
{
    (void)state;
    const char *src = getenv("DIARIUM_SOURCE_DIR");
    char corpus[512];
    snprintf(corpus, sizeof corpus, "%s/corpus", src ? src : "..");
    snprintf(query_db, sizeof query_db, "%s/qdb", tmpdir);
    remove_tree(query_db);
    dx_options o = {0};
    o.jobs = 1;
    dx_indexer *ix = NULL;
    char err[512];
    int rc = dx_indexer_open(query_db, &o, &ix, err, sizeof err);
    if (rc == DX_OK) rc = dx_indexer_add_root(ix, corpus, NULL, NULL, err,
                                              sizeof err);
    if (rc == DX_OK) rc = dx_indexer_finish(ix, err, sizeof err);
    dx_indexer_close(ix);
    if (rc != DX_OK) {
        print_error("cannot index %s: %s\n", corpus, err);
        return -1;
    }
    return 0;
}

static void test_engine_open(void **state)
{
    (void)state;
    assert_true(every_allocation("engine open", run_engine_open, NULL) > 0);
}

static void test_query(void **state)
{
    (void)state;
    struct q_ctx c = {0};
    char err[512];
    assert_int_equal(dq_engine_open(query_db, &c.e, err, sizeof err), DQ_OK);
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        /* Per passage for queries 0 and 2; per document, with facets,
         * explain and (query 1) the date order for 1 and 3. */
        for (int mode = (int)(i & 1); mode <= (int)(i & 1); mode++) {
            memset(&c.opt, 0, sizeof c.opt);
            c.opt.limit = 5;
            c.opt.passages = 1;
            c.opt.per_document = mode;
            c.opt.explain = mode;
            c.opt.facets = mode ? "kommun,\xC3\xA5r,typ,utfall,myndighet"
                                : NULL;
            c.opt.sort_date = i == 1;
            c.query = queries[i];
            size_t off;
            c.want = NULL;
            assert_int_equal(dq_search(c.e, c.query, strlen(c.query), &c.opt,
                                       &c.want, err, sizeof err, &off),
                             DQ_OK);
            char name[128];
            snprintf(name, sizeof name, "parse q%zu", i);
            assert_true(every_allocation(name, run_parse, &c) > 0);
            snprintf(name, sizeof name, "search q%zu%s", i,
                     mode ? " per document, facets, explain" : "");
            assert_true(every_allocation(name, run_search, &c) > 0);
            snprintf(name, sizeof name, "count q%zu", i);
            assert_true(every_allocation(name, run_count, &c) > 0);
            dq_results_free(c.want);
        }
    }
    dq_engine_close(c.e);
}

/* ------------------------------------------- 4. output and reports (dq_) */

struct out_ctx {
    dq_engine *e;
    dq_results *r;
    int what;  /* 0-2: report html/md/csv; 3-5: results text/json/csv;
                  6: explain, facets, suggestion */
};

static int run_output(void *ctx)
{
    struct out_ctx *c = ctx;
    char *buf = NULL;
    size_t len = 0;
    /* open_memstream allocates inside the C library: never failed here. */
    FILE *f = open_memstream(&buf, &len);
    if (!f) return 9;
    int rc;
    if (c->what <= 2) {
        dq_report_info info = {0};
        info.query = "kompensatoriska \xC3\xA5tg\xC3\xA4rder";
        info.db = query_db;
        info.when = "2026-12-07T10:00:00+01:00";
        info.documents = 15;
        info.passages = 158;
        info.version = "test";
        info.per_document = 3;
        info.max_documents = 500;
        rc = dq_report_write(f, (dq_report_format)c->what, &info, c->r);
    } else if (c->what <= 5) {
        rc = dq_print_results(f, c->r, (dq_format)(c->what - 3), 0, 0);
    } else {
        rc = dq_print_explain(f, c->r, DQ_FMT_TEXT);
        if (rc == DQ_OK) rc = dq_print_facets(f, c->r, DQ_FMT_JSON);
        if (rc == DQ_OK) rc = dq_print_suggestion(f, c->r, DQ_FMT_JSON);
    }
    int hit = disarm();
    fclose(f);
    free(buf);
    if (rc == DQ_OK) return 0;
    return rc == DQ_ENOMEM && hit ? 0 : 1;
}

static void test_reports(void **state)
{
    (void)state;
    struct out_ctx c = {0};
    char err[512];
    size_t off;
    assert_int_equal(dq_engine_open(query_db, &c.e, err, sizeof err), DQ_OK);
    dq_options opt = {0};
    opt.limit = 500;
    opt.per_document = 1;
    opt.passages = 3;
    opt.explain = 1;
    opt.facets = "kommun,\xC3\xA5r,typ,utfall,myndighet";
    const char *q = "kompensatoriska \xC3\xA5tg\xC3\xA4rder";
    assert_int_equal(dq_search(c.e, q, strlen(q), &opt, &c.r, err,
                               sizeof err, &off), DQ_OK);
    assert_true(c.r->n > 0);
    static const char *const names[] = {
        "report html", "report md", "report csv", "results text",
        "results json", "results csv", "explain, facets, suggestion"};
    for (c.what = 0; c.what <= 6; c.what++)
        every_allocation(names[c.what], run_output, &c);
    dq_results_free(c.r);
    dq_engine_close(c.e);
}

/* ---------------------------------------------------------------- main */

int main(void)
{
    const char *t = getenv("TMPDIR");
    /* A file system in memory when there is one: many small databases. */
    struct stat sb;
    if (!t && stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
        access("/dev/shm", W_OK) == 0)
        t = "/dev/shm";
    snprintf(tmpdir, sizeof tmpdir, "%s/test_alloc.XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    /* TEST_ALLOC_ONLY=test_index_parallel (a glob) runs only those. */
    if (getenv("TEST_ALLOC_ONLY"))
        cmocka_set_test_filter(getenv("TEST_ALLOC_ONLY"));
    const struct CMUnitTest analysis[] = {
        cmocka_unit_test(test_analysis),
        cmocka_unit_test(test_index_first_run),
        cmocka_unit_test(test_index_parallel),
        cmocka_unit_test(test_index_incremental),
        cmocka_unit_test(test_index_full),
    };
    const struct CMUnitTest query[] = {
        cmocka_unit_test(test_engine_open),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_reports),
    };
    int rc = cmocka_run_group_tests_name("analysis and index writing",
                                         analysis, NULL, NULL);
    rc += cmocka_run_group_tests_name("query and reports", query,
                                      query_setup, NULL);
    remove_tree(tmpdir);
    return rc;
}
