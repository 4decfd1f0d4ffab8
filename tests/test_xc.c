/*
 * test_xc.c — unit tests of the C shim over Xapian (xapian-c/xc.h).
 *
 * Plain C against the C API only (linked with diarium_xc alone). Each test
 * gets a fresh glass database in a mkdtemp() directory under /tmp, built from
 * the small corpus below, with the writer still open (st->w) and a read-only
 * handle on the committed state (st->db); teardown removes the directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xc.h"

/* ------------------------------------------------------------ fixture */

/* Value slots of the corpus. */
enum { SLOT_YEAR = 0, SLOT_GROUP = 1 };

struct corpus_doc {
    const char *id;    /* boolean term Z<id> */
    const char *text;  /* space-separated terms, positions from 1 */
    const char *year;  /* slot 0 */
    const char *group; /* slot 1 */
    const char *data;
};

/* Docids 1..5 in this order. */
static const struct corpus_doc CORPUS[] = {
    {"doc1", "the quick brown fox", "2020", "grp1", "data one"},
    {"doc2", "quick fox jumps", "2019", "grp1", "data two"},
    {"doc3", "brown dog", "2021", "grp1", "data three"},
    {"doc4", "lazy dog the fox", "2018", "grp2", "data four"},
    {"doc5", "fox fox fox", "2022", "grp3", ""},
};
#define NCORPUS (sizeof CORPUS / sizeof CORPUS[0])

struct state {
    char dir[64];
    char path[128]; /* the main database */
    xc_wdb *w;      /* its writer, still open */
    xc_db *db;      /* read-only view of the committed corpus */
};

/* Fills `d` from one corpus entry. */
static void build_doc(xc_doc *d, const struct corpus_doc *c)
{
    char buf[256], *save = NULL;
    unsigned pos = 0;
    char id[64];

    xc_doc_clear(d);
    snprintf(buf, sizeof buf, "%s", c->text);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        assert_int_equal(xc_doc_add_posting(d, t, strlen(t), ++pos, 1, NULL),
                         XC_OK);
    snprintf(id, sizeof id, "Z%s", c->id);
    assert_int_equal(xc_doc_add_boolean_term(d, id, strlen(id), NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, SLOT_YEAR, c->year, strlen(c->year),
                                      NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, SLOT_GROUP, c->group,
                                      strlen(c->group), NULL), XC_OK);
    assert_int_equal(xc_doc_set_data(d, c->data, strlen(c->data), NULL),
                     XC_OK);
}

/* Adds the corpus entries [0, n) to `w`, checking the docids. */
static void add_corpus(xc_wdb *w, const struct corpus_doc *docs, size_t n)
{
    xc_doc *d = NULL;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    for (size_t i = 0; i < n; i++) {
        unsigned did = 0;
        build_doc(d, &docs[i]);
        assert_int_equal(xc_wdb_add(w, d, &did, NULL), XC_OK);
        assert_int_equal(did, i + 1);
    }
    xc_doc_free(d);
}

static int setup(void **state)
{
    struct state *st = calloc(1, sizeof *st);
    char *err = NULL;
    if (!st)
        return -1;
    snprintf(st->dir, sizeof st->dir, "/tmp/test_xc.XXXXXX");
    if (!mkdtemp(st->dir)) {
        free(st);
        return -1;
    }
    snprintf(st->path, sizeof st->path, "%s/a", st->dir);
    if (xc_wdb_open(st->path, XC_CREATE_OR_OPEN, &st->w, &err) != XC_OK) {
        fprintf(stderr, "xc_wdb_open: %s\n", err ? err : "?");
        xc_free(err);
        return -1;
    }
    *state = st;
    add_corpus(st->w, CORPUS, NCORPUS);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_open(st->path, &st->db, NULL), XC_OK);
    return 0;
}

/* rm -r of a directory tree made by these tests. */
static void remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    char sub[512];
    struct stat sb;
    if (!dir) {
        unlink(path);
        return;
    }
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(sub);
        else
            unlink(sub);
    }
    closedir(dir);
    rmdir(path);
}

static int teardown(void **state)
{
    struct state *st = *state;
    xc_db_close(st->db);
    xc_wdb_close(st->w);
    remove_tree(st->dir);
    free(st);
    return 0;
}

/* ------------------------------------------------------------ helpers */

static xc_query *term_q(const char *t)
{
    xc_query *q = NULL;
    assert_int_equal(xc_query_term(t, strlen(t), 1, 0, &q, NULL), XC_OK);
    assert_non_null(q);
    return q;
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* Runs `q` on `db`; the matching docids in mset order into out[] (up to 16),
 * sorted when `sort`. Returns how many. */
static size_t run_query(xc_db *db, const xc_query *q, unsigned *out, int sort)
{
    xc_enquire *e = NULL;
    xc_mset *m = NULL;
    size_t n;
    assert_int_equal(xc_enquire_new(db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    assert_int_equal(xc_enquire_mset(e, 0, 16, 16, &m, NULL), XC_OK);
    n = xc_mset_size(m);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(xc_mset_item(m, (unsigned)i, &out[i], NULL, NULL),
                         XC_OK);
    if (sort)
        qsort(out, n, sizeof *out, cmp_unsigned);
    xc_mset_free(m);
    xc_enquire_free(e);
    return n;
}

/* Asserts that running `q` gives exactly the docids of the 0-terminated
 * `want` list (compared as sets). */
static void expect_docs(xc_db *db, const xc_query *q, const unsigned *want)
{
    unsigned got[16];
    size_t n = run_query(db, q, got, 1), nw = 0;
    while (want[nw])
        nw++;
    if (n != nw) {
        char *d = xc_query_describe(q);
        fprintf(stderr, "%s: got %zu docs, want %zu\n", d ? d : "?", n, nw);
        xc_free(d);
    }
    assert_int_equal(n, nw);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

/* The weight of each result of `e`'s current query, by docid (1..5). */
static void weights_by_doc(xc_enquire *e, double w[NCORPUS + 1])
{
    xc_mset *m = NULL;
    memset(w, 0, (NCORPUS + 1) * sizeof *w);
    assert_int_equal(xc_enquire_mset(e, 0, 16, 16, &m, NULL), XC_OK);
    for (unsigned i = 0; i < xc_mset_size(m); i++) {
        unsigned did;
        double wt;
        assert_int_equal(xc_mset_item(m, i, &did, &wt, NULL), XC_OK);
        assert_true(did >= 1 && did <= NCORPUS);
        w[did] = wt;
    }
    xc_mset_free(m);
}

/* Next term of `it` must be `want` (with freq `freq` unless ~0u). */
static void expect_next(xc_termiter *it, const char *want, unsigned freq)
{
    const char *t = NULL;
    size_t len = 0;
    unsigned f = 12345;
    int rc = xc_termiter_next(it, &t, &len, &f, NULL);
    if (!want) {
        assert_int_equal(rc, 0);
        return;
    }
    assert_int_equal(rc, 1);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(t, want, len);
    if (freq != ~0u)
        assert_int_equal(f, freq);
}

/* ------------------------------------------------------------ basics */

static void test_version_strerror(void **state)
{
    (void)state;
    const int codes[] = {XC_OK,      XC_ENOMEM,   XC_EINVAL,  XC_ELOCK,
                         XC_ECORRUPT, XC_EMODIFIED, XC_EOPEN, XC_EVERSION,
                         XC_ERANGE,  XC_EQUERY,   XC_EIO,     XC_EOTHER};
    const size_t n = sizeof codes / sizeof codes[0];
    assert_non_null(xc_version());
    assert_int_equal(strncmp(xc_version(), "1.", 2), 0);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(xc_strerror(codes[i]));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(xc_strerror(codes[i]),
                                    xc_strerror(codes[j]));
    }
    assert_non_null(xc_strerror(-999));
    assert_non_null(xc_strerror(42));
}

static void test_counts(void **state)
{
    struct state *st = *state;
    static const struct {
        const char *term;
        unsigned tf;
        uint64_t cf;
    } rows[] = {
        {"fox", 4, 6}, {"dog", 2, 2},    {"quick", 2, 2}, {"the", 2, 2},
        {"Zdoc3", 1, 0}, {"missing", 0, 0}, {"fo", 0, 0},
    };
    unsigned u = 0;
    double av = 0;
    assert_int_equal(xc_db_doccount(st->db, &u, NULL), XC_OK);
    assert_int_equal(u, 5);
    assert_int_equal(xc_db_lastdocid(st->db, &u, NULL), XC_OK);
    assert_int_equal(u, 5);
    /* Lengths (sum of wdf): 4 + 3 + 2 + 4 + 3 = 16, over 5 documents. */
    assert_int_equal(xc_db_avlength(st->db, &av, NULL), XC_OK);
    assert_true(av > 3.19 && av < 3.21);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t cf = 99;
        assert_int_equal(xc_db_termfreq(st->db, rows[i].term,
                                        strlen(rows[i].term), &u, NULL),
                         XC_OK);
        assert_int_equal(u, rows[i].tf);
        assert_int_equal(xc_db_collfreq(st->db, rows[i].term,
                                        strlen(rows[i].term), &cf, NULL),
                         XC_OK);
        assert_int_equal(cf, rows[i].cf);
    }
}

static void test_data_and_values(void **state)
{
    struct state *st = *state;
    for (unsigned did = 1; did <= NCORPUS; did++) {
        const struct corpus_doc *c = &CORPUS[did - 1];
        char *v = NULL;
        size_t len = 99;
        assert_int_equal(xc_db_get_data(st->db, did, &v, &len, NULL), XC_OK);
        assert_non_null(v); /* even when empty (doc5) */
        assert_int_equal(len, strlen(c->data));
        assert_string_equal(v, c->data);
        xc_free(v);
        v = NULL;
        assert_int_equal(xc_db_get_value(st->db, did, SLOT_YEAR, &v, &len,
                                         NULL), XC_OK);
        assert_int_equal(len, 4);
        assert_memory_equal(v, c->year, 4);
        xc_free(v);
        v = NULL;
        assert_int_equal(xc_db_get_value(st->db, did, 7, &v, &len, NULL),
                         XC_OK); /* unset slot */
        assert_int_equal(len, 0);
        xc_free(v);
    }
}

/* Bytes, not C strings: embedded NULs survive data, values and terms. */
static void test_binary_bytes(void **state)
{
    struct state *st = *state;
    static const char blob[] = {'a', '\0', 'b', '\xff', '\0'};
    static const char term[] = {'T', '\0', 'x'};
    xc_doc *d = NULL;
    unsigned did = 0, tf = 0;
    char *v = NULL;
    size_t len = 0;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_doc_set_data(d, blob, sizeof blob, NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, 3, blob, sizeof blob, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, term, sizeof term, 2, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, &did, NULL), XC_OK);
    xc_doc_free(d);
    xc_db *r = xc_wdb_reader(st->w);
    assert_int_equal(xc_db_get_data(r, did, &v, &len, NULL), XC_OK);
    assert_int_equal(len, sizeof blob);
    assert_memory_equal(v, blob, len);
    xc_free(v);
    assert_int_equal(xc_db_get_value(r, did, 3, &v, &len, NULL), XC_OK);
    assert_int_equal(len, sizeof blob);
    assert_memory_equal(v, blob, len);
    xc_free(v);
    assert_int_equal(xc_db_termfreq(r, term, sizeof term, &tf, NULL), XC_OK);
    assert_int_equal(tf, 1);
    assert_int_equal(xc_db_termfreq(r, term, 1, &tf, NULL), XC_OK);
    assert_int_equal(tf, 0); /* "T" alone is another term */
}

static void test_doc_clear_reuse(void **state)
{
    struct state *st = *state;
    xc_doc *d = NULL;
    xc_termiter *it = NULL;
    unsigned did = 0;
    char *v = NULL;
    size_t len = 9;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    build_doc(d, &CORPUS[0]);
    xc_doc_clear(d);
    xc_doc_clear(NULL);
    assert_int_equal(xc_doc_add_term(d, "only", 4, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, &did, NULL), XC_OK);
    xc_doc_free(d);
    xc_db *r = xc_wdb_reader(st->w);
    assert_int_equal(xc_db_termlist(r, did, &it, NULL), XC_OK);
    expect_next(it, "only", 1);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
    assert_int_equal(xc_db_get_data(r, did, &v, &len, NULL), XC_OK);
    assert_int_equal(len, 0);
    xc_free(v);
    assert_int_equal(xc_db_get_value(r, did, SLOT_YEAR, &v, &len, NULL),
                     XC_OK);
    assert_int_equal(len, 0);
    xc_free(v);
}

/* ------------------------------------------------------------ terms */

static void test_allterms_prefix(void **state)
{
    struct state *st = *state;
    xc_termiter *it = NULL;
    assert_int_equal(xc_db_allterms(st->db, "Z", 1, &it, NULL), XC_OK);
    expect_next(it, "Zdoc1", 1);
    expect_next(it, "Zdoc2", 1);
    expect_next(it, "Zdoc3", 1);
    expect_next(it, "Zdoc4", 1);
    expect_next(it, "Zdoc5", 1);
    expect_next(it, NULL, 0);
    expect_next(it, NULL, 0); /* stays at the end */
    xc_termiter_free(it);

    /* A prefix matching nothing. */
    assert_int_equal(xc_db_allterms(st->db, "Q", 1, &it, NULL), XC_OK);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);

    /* All terms, in byte order (upper case first), freq = termfreq. */
    assert_int_equal(xc_db_allterms(st->db, NULL, 0, &it, NULL), XC_OK);
    expect_next(it, "Zdoc1", 1);
    assert_int_equal(xc_termiter_skip_to(it, "b", 1, NULL), XC_OK);
    expect_next(it, "brown", 2);
    expect_next(it, "dog", 2);
    expect_next(it, "fox", 4);
    expect_next(it, "jumps", 1);
    expect_next(it, "lazy", 1);
    expect_next(it, "quick", 2);
    expect_next(it, "the", 2);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
}

/* The frequency on demand: of the term last yielded, whether or not next()
 * was asked for it; 0 before the first term and at the end. */
static void test_termiter_freq(void **state)
{
    struct state *st = *state;
    xc_termiter *it = NULL;
    unsigned f = 99;
    const char *t = NULL;
    size_t len = 0;
    assert_int_equal(xc_db_allterms(st->db, NULL, 0, &it, NULL), XC_OK);
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 0);
    assert_int_equal(xc_termiter_skip_to(it, "fox", 3, NULL), XC_OK);
    assert_int_equal(xc_termiter_next(it, &t, &len, NULL, NULL), 1);
    assert_memory_equal(t, "fox", 3);
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 4);
    f = 99; /* asked twice: the same */
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 4);
    assert_int_equal(xc_termiter_next(it, &t, &len, NULL, NULL), 1);
    assert_memory_equal(t, "jumps", 5);
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 1);
    assert_int_equal(xc_termiter_skip_to(it, "the", 3, NULL), XC_OK);
    expect_next(it, "the", 2);
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 2);
    expect_next(it, NULL, 0);
    f = 99;
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 0);
    xc_termiter_free(it);

    /* A termlist: the wdf (document 5 is "fox fox fox"). */
    assert_int_equal(xc_db_termlist(st->db, 5, &it, NULL), XC_OK);
    assert_int_equal(xc_termiter_skip_to(it, "fox", 3, NULL), XC_OK);
    assert_int_equal(xc_termiter_next(it, &t, &len, NULL, NULL), 1);
    assert_memory_equal(t, "fox", 3);
    assert_int_equal(xc_termiter_freq(it, &f, NULL), XC_OK);
    assert_int_equal(f, 3);
    xc_termiter_free(it);

    char *err = NULL;
    assert_int_equal(xc_termiter_freq(NULL, &f, &err), XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
}

/* The next/skip_to state machine, table-driven. */
enum step_kind { END = 0, NEXT, SKIP }; /* END: a zeroed step, no more */
struct step {
    enum step_kind kind;
    const char *arg; /* SKIP: the target; NEXT: the expected term, NULL for
                        the end of the iteration */
};
struct script {
    const char *name;
    const char *prefix; /* allterms prefix, or NULL for doc 1's termlist */
    struct step steps[10];
};

static const struct script SCRIPTS[] = {
    {"skip before first next", "", {{SKIP, "fox"}, {NEXT, "fox"},
                                    {NEXT, "jumps"}}},
    {"next next skip next", "", {{NEXT, "Zdoc1"}, {NEXT, "Zdoc2"},
                                 {SKIP, "dog"}, {NEXT, "dog"},
                                 {NEXT, "fox"}}},
    {"skip to absent term", "", {{SKIP, "e"}, {NEXT, "fox"}}},
    {"skip to the current term does not repeat it", "",
     {{SKIP, "fox"}, {NEXT, "fox"}, {SKIP, "fox"}, {NEXT, "jumps"}}},
    {"skip backwards is a no-op", "",
     {{NEXT, "Zdoc1"}, {SKIP, "lazy"}, {NEXT, "lazy"}, {SKIP, "brown"},
      {NEXT, "quick"}}},
    {"two skips in a row", "", {{SKIP, "dog"}, {SKIP, "l"}, {NEXT, "lazy"}}},
    {"skip backwards before first next", "",
     {{SKIP, "lazy"}, {SKIP, "brown"}, {NEXT, "lazy"}}},
    {"skip past the end", "", {{NEXT, "Zdoc1"}, {SKIP, "zzz"}, {NEXT, NULL},
                               {SKIP, "a"}, {NEXT, NULL}}},
    {"skip at the end", "", {{SKIP, "the"}, {NEXT, "the"}, {NEXT, NULL},
                             {SKIP, "a"}, {NEXT, NULL}}},
    {"prefix: skip within", "Zdoc", {{SKIP, "Zdoc3"}, {NEXT, "Zdoc3"},
                                     {NEXT, "Zdoc4"}}},
    {"prefix: skip below the prefix", "Zdoc", {{SKIP, "A"}, {NEXT, "Zdoc1"}}},
    {"prefix: skip above the prefix", "Zdoc", {{NEXT, "Zdoc1"}, {SKIP, "a"},
                                               {NEXT, NULL}}},
    {"termlist: doc 1", NULL, {{NEXT, "Zdoc1"}, {SKIP, "c"}, {NEXT, "fox"},
                               {NEXT, "quick"}, {SKIP, "r"}, {NEXT, "the"},
                               {NEXT, NULL}}},
};

static void test_termiter_skip_to(void **state)
{
    struct state *st = *state;
    for (size_t s = 0; s < sizeof SCRIPTS / sizeof SCRIPTS[0]; s++) {
        const struct script *sc = &SCRIPTS[s];
        xc_termiter *it = NULL;
        if (sc->prefix)
            assert_int_equal(xc_db_allterms(st->db, sc->prefix,
                                            strlen(sc->prefix), &it, NULL),
                             XC_OK);
        else
            assert_int_equal(xc_db_termlist(st->db, 1, &it, NULL), XC_OK);
        for (size_t i = 0; i < 10 && sc->steps[i].kind != END; i++) {
            const struct step *p = &sc->steps[i];
            if (p->kind == SKIP)
                assert_int_equal(xc_termiter_skip_to(it, p->arg,
                                                     strlen(p->arg), NULL),
                                 XC_OK);
            else {
                const char *t = NULL;
                size_t len = 0;
                int rc = xc_termiter_next(it, &t, &len, NULL, NULL);
                if (p->arg && (rc != 1 || len != strlen(p->arg) ||
                               memcmp(t, p->arg, len)))
                    fail_msg("%s: step %zu: got rc %d '%.*s', want '%s'",
                             sc->name, i, rc, (int)len, t ? t : "", p->arg);
                if (!p->arg && rc != 0)
                    fail_msg("%s: step %zu: got rc %d '%.*s', want the end",
                             sc->name, i, rc, (int)len, t ? t : "");
            }
        }
        xc_termiter_free(it);
    }
}

static void test_termlist(void **state)
{
    struct state *st = *state;
    xc_termiter *it = NULL;
    char *err = NULL;
    assert_int_equal(xc_db_termlist(st->db, 5, &it, NULL), XC_OK);
    expect_next(it, "Zdoc5", 0); /* boolean: wdf 0 */
    expect_next(it, "fox", 3);   /* wdf */
    expect_next(it, NULL, 0);
    xc_termiter_free(it);

    /* Terms are valid until the next call; *freq and friends may be NULL. */
    assert_int_equal(xc_db_termlist(st->db, 4, &it, NULL), XC_OK);
    assert_int_equal(xc_termiter_next(it, NULL, NULL, NULL, NULL), 1);
    expect_next(it, "dog", 1);
    xc_termiter_free(it);

    assert_int_equal(xc_db_termlist(st->db, 99, &it, &err), XC_ERANGE);
    assert_null(it);
    assert_non_null(err);
    xc_free(err);
}

static void test_positions(void **state)
{
    struct state *st = *state;
    static const struct {
        unsigned did;
        const char *term;
        size_t n;
        unsigned pos[3];
    } rows[] = {
        {1, "fox", 1, {4}},   {1, "the", 1, {1}},  {5, "fox", 3, {1, 2, 3}},
        {4, "dog", 1, {2}},   {1, "dog", 0, {0}},  {1, "nope", 0, {0}},
        {1, "Zdoc1", 0, {0}}, /* boolean terms have no positions */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        unsigned *pos = (unsigned *)&rows; /* must be overwritten */
        size_t n = 99;
        assert_int_equal(xc_db_positions(st->db, rows[i].did, rows[i].term,
                                         strlen(rows[i].term), &pos, &n,
                                         NULL), XC_OK);
        assert_int_equal(n, rows[i].n);
        if (n == 0)
            assert_null(pos);
        else
            assert_memory_equal(pos, rows[i].pos, n * sizeof *pos);
        xc_free(pos);
    }
}

/* ------------------------------------------------------------ writing */

static void test_metadata(void **state)
{
    struct state *st = *state;
    char *v = (char *)"junk", *err = NULL;
    size_t len = 99;
    assert_int_equal(xc_wdb_set_metadata(st->w, "k1", 2, "v\0one", 5, NULL),
                     XC_OK);
    assert_int_equal(xc_wdb_set_metadata(st->w, "k2", 2, "two", 3, NULL),
                     XC_OK);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);

    assert_int_equal(xc_db_get_metadata(st->db, "k1", 2, &v, &len, NULL),
                     XC_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(v, "v\0one", 5);
    xc_free(v);
    assert_int_equal(xc_db_get_metadata(st->db, "missing", 7, &v, &len, NULL),
                     XC_OK);
    assert_null(v);
    assert_int_equal(len, 0);

    /* vlen 0 removes. */
    assert_int_equal(xc_wdb_set_metadata(st->w, "k2", 2, NULL, 0, NULL),
                     XC_OK);
    assert_int_equal(xc_db_get_metadata(xc_wdb_reader(st->w), "k2", 2, &v,
                                        &len, NULL), XC_OK);
    assert_null(v);
    /* The committed view still has it. */
    assert_int_equal(xc_db_get_metadata(st->db, "k2", 2, &v, &len, NULL),
                     XC_OK);
    assert_int_equal(len, 3);
    xc_free(v);

    /* An empty key is Xapian's InvalidArgumentError. */
    assert_int_equal(xc_wdb_set_metadata(st->w, "", 0, "x", 1, &err),
                     XC_EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err, "InvalidArgumentError"));
    xc_free(err);
}

static void test_replace_and_delete(void **state)
{
    struct state *st = *state;
    xc_db *r = xc_wdb_reader(st->w);
    xc_doc *d = NULL;
    unsigned did = 0, n = 0;
    char *v = NULL, *err = NULL;
    size_t len;
    static const struct corpus_doc newdoc = {"doc2", "new text", "2000",
                                             "grp9", "replaced"};
    static const struct corpus_doc doc6 = {"doc6", "six", "2006", "grp6",
                                           "six"};

    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    build_doc(d, &newdoc);
    assert_int_equal(xc_wdb_replace_by_term(st->w, "Zdoc2", 5, d, &did, NULL),
                     XC_OK);
    assert_int_equal(did, 2);
    assert_int_equal(xc_db_get_data(r, 2, &v, &len, NULL), XC_OK);
    assert_string_equal(v, "replaced");
    xc_free(v);
    /* Replacing by a term nobody has adds. */
    build_doc(d, &doc6);
    assert_int_equal(xc_wdb_replace_by_term(st->w, "Zdoc6", 5, d, &did, NULL),
                     XC_OK);
    assert_int_equal(did, 6);
    assert_int_equal(xc_wdb_replace_by_term(st->w, "Zdoc6", 5, d, NULL, NULL),
                     XC_OK);
    xc_doc_free(d);
    assert_int_equal(xc_db_doccount(r, &n, NULL), XC_OK);
    assert_int_equal(n, 6);

    /* Delete by term: every doc with "dog" (3 and 4); none is fine. */
    assert_int_equal(xc_wdb_delete_by_term(st->w, "dog", 3, NULL), XC_OK);
    assert_int_equal(xc_wdb_delete_by_term(st->w, "dog", 3, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(r, &n, NULL), XC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(xc_db_get_data(r, 3, &v, &len, &err), XC_ERANGE);
    assert_null(v);
    assert_non_null(strstr(err, "DocNotFoundError"));
    xc_free(err);
    err = NULL;

    /* Delete by id; a missing id is XC_ERANGE. */
    assert_int_equal(xc_wdb_delete(st->w, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_delete(st->w, 1, &err), XC_ERANGE);
    assert_non_null(err);
    xc_free(err);
    assert_int_equal(xc_wdb_delete(st->w, 1, NULL), XC_ERANGE);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(st->db, &n, NULL), XC_OK);
    assert_int_equal(n, 3);
}

static void test_transactions(void **state)
{
    struct state *st = *state;
    xc_db *r = xc_wdb_reader(st->w);
    xc_doc *d = NULL;
    unsigned n = 0;
    char *err = NULL;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "txn", 3, 1, NULL), XC_OK);

    /* Cancelled: gone. */
    assert_int_equal(xc_wdb_begin_transaction(st->w, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, NULL, NULL), XC_OK);
    assert_int_equal(xc_wdb_begin_transaction(st->w, 0, &err), XC_EINVAL);
    assert_non_null(strstr(err, "InvalidOperationError"));
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_wdb_cancel_transaction(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_termfreq(r, "txn", 3, &n, NULL), XC_OK);
    assert_int_equal(n, 0);

    /* Committed (flushed): on disk for a new reader. */
    assert_int_equal(xc_wdb_begin_transaction(st->w, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, NULL, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, NULL, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit_transaction(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);
    assert_int_equal(xc_db_termfreq(st->db, "txn", 3, &n, NULL), XC_OK);
    assert_int_equal(n, 2);

    /* Unflushed: visible to the writer's reader, not yet on disk. */
    assert_int_equal(xc_wdb_begin_transaction(st->w, 0, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, NULL, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit_transaction(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_termfreq(r, "txn", 3, &n, NULL), XC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);
    assert_int_equal(xc_db_termfreq(st->db, "txn", 3, &n, NULL), XC_OK);
    assert_int_equal(n, 2);

    /* No open transaction. */
    assert_int_equal(xc_wdb_commit_transaction(st->w, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_cancel_transaction(st->w, &err), XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
    xc_doc_free(d);
}

/* The writer's reader sees uncommitted changes; a read-only handle does not
 * until the writer commits and it reopens. */
static void test_reader_and_reopen(void **state)
{
    struct state *st = *state;
    xc_db *r = xc_wdb_reader(st->w);
    xc_doc *d = NULL;
    unsigned n = 0, did = 0;
    int changed = -1;
    assert_non_null(r);
    assert_ptr_equal(r, xc_wdb_reader(st->w));
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "later", 5, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, &did, NULL), XC_OK);
    xc_doc_free(d);
    assert_int_equal(did, 6);
    assert_int_equal(xc_db_doccount(r, &n, NULL), XC_OK);
    assert_int_equal(n, 6);
    assert_int_equal(xc_db_doccount(st->db, &n, NULL), XC_OK);
    assert_int_equal(n, 5);
    assert_int_equal(xc_db_reopen(st->db, &changed, NULL), XC_OK);
    assert_int_equal(changed, 0);

    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(st->db, &n, NULL), XC_OK);
    assert_int_equal(n, 5); /* a snapshot until reopened */
    assert_int_equal(xc_db_reopen(st->db, &changed, NULL), XC_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(xc_db_doccount(st->db, &n, NULL), XC_OK);
    assert_int_equal(n, 6);
    assert_int_equal(xc_db_reopen(st->db, &changed, NULL), XC_OK);
    assert_int_equal(changed, 0);
}

/* XC_CREATE_OR_OVERWRITE starts empty; close commits pending changes. */
static void test_overwrite_and_close(void **state)
{
    struct state *st = *state;
    char path[160];
    xc_wdb *w = NULL;
    xc_db *db = NULL;
    xc_doc *d = NULL;
    unsigned n = 99;
    snprintf(path, sizeof path, "%s/c", st->dir);
    assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OVERWRITE, &w, NULL),
                     XC_OK);
    add_corpus(w, CORPUS, 2);
    xc_wdb_close(w); /* no commit: close commits outside a transaction */
    assert_int_equal(xc_db_open(path, &db, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(db, &n, NULL), XC_OK);
    assert_int_equal(n, 2);
    xc_db_close(db);

    /* Close inside a transaction discards it. */
    assert_int_equal(xc_wdb_open(path, XC_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_wdb_begin_transaction(w, 1, NULL), XC_OK);
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
    xc_doc_free(d);
    xc_wdb_close(w);
    assert_int_equal(xc_db_open(path, &db, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(db, &n, NULL), XC_OK);
    assert_int_equal(n, 2);
    xc_db_close(db);

    assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OVERWRITE, &w, NULL),
                     XC_OK);
    assert_int_equal(xc_db_doccount(xc_wdb_reader(w), &n, NULL), XC_OK);
    assert_int_equal(n, 0);
    xc_wdb_close(w);
}

/* ------------------------------------------------------------ queries */

#define MAXSUB 4
static const struct {
    int op;
    const char *terms[MAXSUB];
    unsigned window;
    unsigned want[NCORPUS + 1]; /* 0-terminated, ascending */
} OPS[] = {
    {XC_OP_AND, {"fox", "quick"}, 0, {1, 2}},
    {XC_OP_AND, {"fox", "quick", "jumps"}, 0, {2}},
    {XC_OP_OR, {"dog", "jumps"}, 0, {2, 3, 4}},
    {XC_OP_AND_NOT, {"fox", "quick"}, 0, {4, 5}},
    /* fox AND NOT (quick OR dog): the rest are ORed. */
    {XC_OP_AND_NOT, {"fox", "quick", "dog"}, 0, {5}},
    {XC_OP_AND_MAYBE, {"fox", "brown"}, 0, {1, 2, 4, 5}},
    {XC_OP_FILTER, {"fox", "Zdoc1"}, 0, {1}},
    {XC_OP_FILTER, {"fox", "the", "lazy"}, 0, {4}},
    {XC_OP_PHRASE, {"quick", "brown"}, 0, {1}},
    {XC_OP_PHRASE, {"brown", "quick"}, 0, {0}},
    {XC_OP_PHRASE, {"the", "fox"}, 0, {4}},
    {XC_OP_PHRASE, {"the", "fox"}, 4, {1, 4}},
    {XC_OP_NEAR, {"brown", "quick"}, 0, {1}},
    {XC_OP_NEAR, {"fox", "the"}, 0, {4}},
    {XC_OP_NEAR, {"fox", "the"}, 3, {4}},
    {XC_OP_NEAR, {"fox", "the"}, 4, {1, 4}},
    {XC_OP_SYNONYM, {"dog", "jumps"}, 0, {2, 3, 4}},
    {XC_OP_MAX, {"dog", "jumps"}, 0, {2, 3, 4}},
    {XC_OP_OR, {"fox"}, 0, {1, 2, 4, 5}},
    {XC_OP_AND, {NULL}, 0, {0}}, /* n == 0: nothing */
};

static void test_query_ops(void **state)
{
    struct state *st = *state;
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++) {
        xc_query *subs[MAXSUB], *q = NULL;
        size_t n = 0;
        while (n < MAXSUB && OPS[i].terms[n]) {
            subs[n] = term_q(OPS[i].terms[n]);
            n++;
        }
        assert_int_equal(xc_query_combine(OPS[i].op, subs, n, OPS[i].window,
                                          &q, NULL), XC_OK);
        for (size_t j = 0; j < n; j++)
            xc_query_free(subs[j]); /* not consumed by combine */
        assert_int_equal(xc_query_empty(q), n == 0);
        expect_docs(st->db, q, OPS[i].want);
        xc_query_free(q);
    }
}

/* SYNONYM weighs its subqueries as one term; MAX takes the best one. */
static void test_query_weights(void **state)
{
    struct state *st = *state;
    xc_query *subs[2] = {term_q("dog"), term_q("jumps")};
    xc_query *qor = NULL, *qmax = NULL, *qscale = NULL, *qzero = NULL;
    xc_enquire *e = NULL;
    double wor[NCORPUS + 1], wmax[NCORPUS + 1], ws[NCORPUS + 1];
    char *err = NULL;
    assert_int_equal(xc_query_combine(XC_OP_OR, subs, 2, 0, &qor, NULL),
                     XC_OK);
    assert_int_equal(xc_query_combine(XC_OP_MAX, subs, 2, 0, &qmax, NULL),
                     XC_OK);
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, qor, NULL), XC_OK);
    weights_by_doc(e, wor);
    assert_int_equal(xc_enquire_set_query(e, qmax, NULL), XC_OK);
    weights_by_doc(e, wmax);
    for (unsigned d = 1; d <= NCORPUS; d++)
        assert_true(wmax[d] <= wor[d] + 1e-9); /* each doc has one of them */

    /* Scale by 2, by 0; negative and NaN refused. */
    assert_int_equal(xc_query_scale(qor, 2.0, &qscale, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, qscale, NULL), XC_OK);
    weights_by_doc(e, ws);
    for (unsigned d = 1; d <= NCORPUS; d++)
        assert_true(ws[d] > 2 * wor[d] - 1e-9 && ws[d] < 2 * wor[d] + 1e-9);
    assert_int_equal(xc_query_scale(qor, 0.0, &qzero, NULL), XC_OK);
    expect_docs(st->db, qzero, (const unsigned[]){2, 3, 4, 0});
    xc_query_free(qscale);
    qscale = (xc_query *)&err; /* must be reset to NULL */
    assert_int_equal(xc_query_scale(qor, -1.0, &qscale, &err), XC_EINVAL);
    assert_null(qscale);
    assert_non_null(err);
    xc_free(err);
    assert_int_equal(xc_query_scale(qor, NAN, &qscale, NULL),
                     XC_EINVAL);

    xc_enquire_free(e);
    xc_query_free(qzero);
    xc_query_free(qor);
    xc_query_free(qmax);
    xc_query_free(subs[0]);
    xc_query_free(subs[1]);
}

static void test_query_misc(void **state)
{
    struct state *st = *state;
    xc_query *q = NULL, *all = NULL, *none = NULL;
    char *err = NULL, *desc;

    /* Empty term (Xapian would read it as MatchAll) and wqf 0: refused. */
    assert_int_equal(xc_query_term("", 0, 1, 0, &q, &err), XC_EINVAL);
    assert_null(q);
    assert_non_null(err);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_query_term("fox", 3, 0, 0, &q, NULL), XC_EINVAL);

    /* wqf and pos show up in the description. */
    assert_int_equal(xc_query_term("fox", 3, 2, 7, &q, NULL), XC_OK);
    desc = xc_query_describe(q);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "fox#2@7"));
    xc_free(desc);
    assert_int_equal(xc_query_empty(q), 0);
    xc_query_free(q);

    assert_int_equal(xc_query_match_all(&all, NULL), XC_OK);
    assert_int_equal(xc_query_empty(all), 0);
    expect_docs(st->db, all, (const unsigned[]){1, 2, 3, 4, 5, 0});
    assert_int_equal(xc_query_match_nothing(&none, NULL), XC_OK);
    assert_int_equal(xc_query_empty(none), 1);
    expect_docs(st->db, none, (const unsigned[]){0});
    xc_query_free(all);
    xc_query_free(none);
}

static void test_query_value_range(void **state)
{
    struct state *st = *state;
    static const struct {
        const char *lo, *hi;
        unsigned want[NCORPUS + 1];
    } rows[] = {
        {"2019", "2020", {1, 2}},   {"2021", "", {3, 5}},
        {"2018", "2018", {4}},      {"", "2019", {2, 4}},
        {"2030", "", {0}},          {"2020", "2019", {0}},
        {"2019a", "2021", {1, 3}},  {"", "", {1, 2, 3, 4, 5}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xc_query *q = NULL;
        assert_int_equal(xc_query_value_range(SLOT_YEAR, rows[i].lo,
                                              strlen(rows[i].lo), rows[i].hi,
                                              strlen(rows[i].hi), &q, NULL),
                         XC_OK);
        expect_docs(st->db, q, rows[i].want);
        xc_query_free(q);
    }
}

static void test_query_errors(void **state)
{
    (void)state;
    xc_query *a = term_q("a"), *subs[2] = {a, NULL};
    xc_query *q = (xc_query *)subs; /* must be reset to NULL */
    char *err = NULL;
    static const int bad_ops[] = {-1, 9, 42, 99};
    for (size_t i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
        assert_int_equal(xc_query_combine(bad_ops[i], subs, 1, 0, &q, &err),
                         XC_EINVAL);
        assert_null(q);
        assert_non_null(err);
        assert_non_null(strstr(err, "op"));
        xc_free(err);
        err = NULL;
        assert_int_equal(xc_query_combine(bad_ops[i], subs, 1, 0, &q, NULL),
                         XC_EINVAL);
    }
    /* A NULL sub-query. */
    assert_int_equal(xc_query_combine(XC_OP_OR, subs, 2, 0, &q, NULL),
                     XC_EINVAL);
    assert_null(q);
    /* Xapian's own refusal: PHRASE over a non-term subquery. */
    xc_query *all = NULL, *mix[2];
    assert_int_equal(xc_query_match_all(&all, NULL), XC_OK);
    mix[0] = a;
    mix[1] = all;
    int rc = xc_query_combine(XC_OP_PHRASE, mix, 2, 0, &q, &err);
    if (rc != XC_OK) {
        assert_true(rc == XC_EINVAL || rc == XC_EQUERY);
        assert_non_null(err);
        xc_free(err);
    }
    xc_query_free(q);
    xc_query_free(all);
    xc_query_free(a);
}

/* ------------------------------------------------------------ enquire */

static void test_enquire_bm25(void **state)
{
    struct state *st = *state;
    xc_query *q = term_q("fox");
    xc_enquire *e = NULL;
    double w1[NCORPUS + 1], w2[NCORPUS + 1], w3[NCORPUS + 1];
    char *err = NULL;
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    xc_query_free(q); /* copied by set_query */
    weights_by_doc(e, w1);
    /* Xapian's defaults give the same weights. */
    assert_int_equal(xc_enquire_set_bm25(e, 1, 0, 1, 0.5, 0.5, NULL), XC_OK);
    weights_by_doc(e, w2);
    for (unsigned d = 1; d <= NCORPUS; d++)
        assert_true(w1[d] > w2[d] - 1e-9 && w1[d] < w2[d] + 1e-9);
    /* b = 0 ignores length: doc5 (wdf 3) beats doc1 (wdf 1). With k1 = 0 the
     * wdf no longer matters either: all fox docs weigh the same. */
    assert_int_equal(xc_enquire_set_bm25(e, 1.2, 0, 1, 0, 0.5, NULL), XC_OK);
    weights_by_doc(e, w3);
    assert_true(w3[5] > w3[1]);
    assert_int_equal(xc_enquire_set_bm25(e, 0, 0, 1, 0.75, 0.5, NULL), XC_OK);
    weights_by_doc(e, w3);
    assert_true(w3[1] > 0);
    for (unsigned d = 2; d <= NCORPUS; d++)
        if (w3[d] > 0)
            assert_true(w3[d] > w3[1] - 1e-9 && w3[d] < w3[1] + 1e-9);
    /* Xapian clamps out-of-range parameters (k1 < 0 -> 0, b > 1 -> 1) ... */
    assert_int_equal(xc_enquire_set_bm25(e, -1, 0, 1, 0.75, 0.5, NULL),
                     XC_OK);
    weights_by_doc(e, w2);
    for (unsigned d = 1; d <= NCORPUS; d++)
        assert_true(w2[d] > w3[d] - 1e-9 && w2[d] < w3[d] + 1e-9);
    assert_int_equal(xc_enquire_set_bm25(e, 1, 0, 1, 1, 0.5, NULL), XC_OK);
    weights_by_doc(e, w2);
    assert_int_equal(xc_enquire_set_bm25(e, 1, 0, 1, 2, 0.5, NULL), XC_OK);
    weights_by_doc(e, w3);
    for (unsigned d = 1; d <= NCORPUS; d++)
        assert_true(w2[d] > w3[d] - 1e-9 && w2[d] < w3[d] + 1e-9);
    /* ... the shim refuses what cannot be clamped: NaN and infinity. */
    assert_int_equal(xc_enquire_set_bm25(e, NAN, 0, 1, 0.5, 0.5, &err),
                     XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_enquire_set_bm25(e, 1, 0, 1, 0.5, INFINITY, NULL),
                     XC_EINVAL);
    xc_enquire_free(e);
}

static void test_enquire_collapse(void **state)
{
    struct state *st = *state;
    xc_query *q = NULL;
    xc_enquire *e = NULL;
    /* grp1 = docs 1..3, grp2 = doc 4, grp3 = doc 5. Xapian's collapse count
     * is per key: every kept grp1 item reports how many grp1 docs were
     * dropped. */
    static const struct {
        unsigned max;
        unsigned want[NCORPUS];      /* docids, relevance (= docid) order */
        unsigned collapsed[NCORPUS]; /* their collapse counts */
    } rows[] = {
        {1, {1, 4, 5}, {2, 0, 0}},
        {2, {1, 2, 4, 5}, {1, 1, 0, 0}},
        {3, {1, 2, 3, 4, 5}, {0}},
        {0, {1, 2, 3, 4, 5}, {0}}, /* off */
    };
    assert_int_equal(xc_query_match_all(&q, NULL), XC_OK);
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        xc_mset *m = NULL;
        unsigned n = 0;
        while (n < NCORPUS && rows[r].want[n])
            n++;
        assert_int_equal(xc_enquire_set_collapse(e, SLOT_GROUP, rows[r].max,
                                                 NULL), XC_OK);
        assert_int_equal(xc_enquire_mset(e, 0, 10, 10, &m, NULL), XC_OK);
        assert_int_equal(xc_mset_size(m), n);
        for (unsigned i = 0; i < n; i++) {
            unsigned did, c;
            assert_int_equal(xc_mset_item(m, i, &did, NULL, &c), XC_OK);
            assert_int_equal(did, rows[r].want[i]);
            assert_int_equal(c, rows[r].collapsed[i]);
            /* The collapse key is the group of the document, or empty. */
            char *key = NULL;
            size_t kl = 99;
            assert_int_equal(xc_mset_collapse_key(m, i, &key, &kl), XC_OK);
            const char *g = rows[r].max ? CORPUS[did - 1].group : "";
            assert_int_equal(kl, strlen(g));
            assert_string_equal(key, g);
            xc_free(key);
        }
        char *key = NULL;
        size_t kl = 0;
        assert_int_equal(xc_mset_collapse_key(m, n, &key, &kl), XC_ERANGE);
        assert_null(key);
        assert_int_equal(xc_mset_collapse_key(NULL, 0, &key, &kl), XC_EINVAL);
        xc_mset_free(m);
    }
    xc_enquire_free(e);
    xc_query_free(q);
}

static void test_enquire_sort(void **state)
{
    struct state *st = *state;
    xc_query *q = NULL;
    xc_enquire *e = NULL;
    static const struct {
        unsigned slot;
        int reverse;
        unsigned want[NCORPUS];
    } rows[] = {
        {SLOT_YEAR, 0, {4, 2, 1, 3, 5}},
        {SLOT_YEAR, 1, {5, 3, 1, 2, 4}},
        /* Ties on the group broken by relevance (all equal): docid order. */
        {SLOT_GROUP, 0, {1, 2, 3, 4, 5}},
        {XC_NO_SLOT, 0, {1, 2, 3, 4, 5}},
    };
    assert_int_equal(xc_query_match_all(&q, NULL), XC_OK);
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        xc_mset *m = NULL;
        assert_int_equal(xc_enquire_set_sort_by_value(e, rows[r].slot,
                                                      rows[r].reverse, NULL),
                         XC_OK);
        assert_int_equal(xc_enquire_mset(e, 0, 10, 0, &m, NULL), XC_OK);
        assert_int_equal(xc_mset_size(m), NCORPUS);
        for (unsigned i = 0; i < NCORPUS; i++) {
            unsigned did;
            assert_int_equal(xc_mset_item(m, i, &did, NULL, NULL), XC_OK);
            assert_int_equal(did, rows[r].want[i]);
        }
        xc_mset_free(m);
    }
    xc_enquire_free(e);
    xc_query_free(q);
}

/* Builds OR(terms...) giving term i the query position `positions` ? i + 1 : 0. */
static xc_query *or_query(const char *const *terms, size_t n, int positions)
{
    xc_query *subs[8], *q = NULL;
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(xc_query_term(terms[i], strlen(terms[i]), 1,
                                       positions ? (unsigned)i + 1 : 0,
                                       &subs[i], NULL), XC_OK);
    assert_int_equal(xc_query_combine(XC_OP_OR, subs, n, 0, &q, NULL), XC_OK);
    for (size_t i = 0; i < n; i++)
        xc_query_free(subs[i]);
    return q;
}

static void test_enquire_matching_terms(void **state)
{
    struct state *st = *state;
    static const char *const terms[] = {"quick", "dog", "fox", "quick"};
    xc_query *q;
    xc_enquire *e = NULL;
    xc_termiter *it = NULL;
    char *err = NULL;
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);

    /* "Query order" is query *position* order: with positions given, doc 2
     * "quick fox jumps" gives quick, fox (once each, freq 0) ... */
    q = or_query(terms, 4, 1);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    xc_query_free(q);
    assert_int_equal(xc_enquire_matching_terms(e, 2, &it, NULL), XC_OK);
    xc_enquire_free(e); /* the iterator keeps its own copy */
    expect_next(it, "quick", 0);
    expect_next(it, "fox", 0);
    expect_next(it, NULL, 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);

    /* ... while with every position 0, Xapian's tie-break is byte order. */
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    q = or_query(terms, 4, 0);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    xc_query_free(q);
    assert_int_equal(xc_enquire_matching_terms(e, 2, &it, NULL), XC_OK);
    expect_next(it, "fox", 0);
    expect_next(it, "quick", 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);

    /* skip_to moves forward over the copied list. */
    static const char *const t4[] = {"dog", "lazy", "the"};
    q = or_query(t4, 3, 1);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    xc_query_free(q);
    assert_int_equal(xc_enquire_matching_terms(e, 4, &it, NULL), XC_OK);
    assert_int_equal(xc_termiter_skip_to(it, "l", 1, NULL), XC_OK);
    expect_next(it, "lazy", 0);
    assert_int_equal(xc_termiter_skip_to(it, "a", 1, NULL), XC_OK);
    expect_next(it, "the", 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);

    it = (xc_termiter *)&err; /* must be reset to NULL */
    assert_int_equal(xc_enquire_matching_terms(e, 77, &it, &err), XC_ERANGE);
    assert_null(it);
    assert_non_null(err);
    xc_free(err);
    xc_enquire_free(e);
}

static void test_mset_paging_estimates(void **state)
{
    struct state *st = *state;
    xc_query *q = term_q("fox");
    xc_enquire *e = NULL;
    xc_mset *m = NULL;
    unsigned lo, est, hi, did = 0, c = 9, all[4];
    double w = -1, prev = 1e300;
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    xc_query_free(q);

    /* Full list: weights descending. */
    assert_int_equal(xc_enquire_mset(e, 0, 10, 10, &m, NULL), XC_OK);
    assert_int_equal(xc_mset_size(m), 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(xc_mset_item(m, i, &all[i], &w, &c), XC_OK);
        assert_true(w > 0 && w <= prev);
        assert_int_equal(c, 0);
        prev = w;
    }
    xc_mset_estimates(m, &lo, &est, &hi);
    assert_int_equal(lo, 4);
    assert_int_equal(est, 4);
    assert_int_equal(hi, 4);
    assert_int_equal(xc_mset_item(m, 4, &did, &w, &c), XC_ERANGE);
    assert_int_equal(xc_mset_item(m, 0, NULL, NULL, NULL), XC_OK);
    xc_mset_estimates(m, NULL, NULL, NULL);
    xc_mset_free(m);

    /* Page 2 of size 2 is items 2..3 of the full list. */
    assert_int_equal(xc_enquire_mset(e, 2, 2, 0, &m, NULL), XC_OK);
    assert_int_equal(xc_mset_size(m), 2);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(xc_mset_item(m, i, &did, NULL, NULL), XC_OK);
        assert_int_equal(did, all[2 + i]);
    }
    xc_mset_estimates(m, &lo, &est, &hi);
    assert_true(lo <= est && est <= hi && hi <= 5);
    xc_mset_free(m);

    /* max 0: no items, but still estimates. */
    assert_int_equal(xc_enquire_mset(e, 0, 0, 4, &m, NULL), XC_OK);
    assert_int_equal(xc_mset_size(m), 0);
    xc_mset_estimates(m, &lo, &est, &hi);
    assert_true(lo <= 4 && hi >= 4);
    xc_mset_free(m);

    /* Past the end. */
    assert_int_equal(xc_enquire_mset(e, 10, 10, 0, &m, NULL), XC_OK);
    assert_int_equal(xc_mset_size(m), 0);
    xc_mset_free(m);
    xc_enquire_free(e);
}

/* Two databases searched as one: docids interleave (a1 b1 a2 b2 ...). */
static void test_db_add(void **state)
{
    struct state *st = *state;
    char path[160], *v = NULL, *err = NULL;
    static const struct corpus_doc other[] = {
        {"b1", "fox in b", "1999", "grpb", "b one"},
        {"b2", "dog in b", "1998", "grpb", "b two"},
    };
    xc_wdb *w = NULL;
    xc_db *db = NULL;
    unsigned n = 0;
    size_t len;
    snprintf(path, sizeof path, "%s/b", st->dir);
    assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OPEN, &w, NULL), XC_OK);
    add_corpus(w, other, 2);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);

    assert_int_equal(xc_db_open(st->path, &db, NULL), XC_OK);
    assert_int_equal(xc_db_count(db, &n, NULL), XC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(xc_db_add(db, path, NULL), XC_OK);
    assert_int_equal(xc_db_count(db, &n, NULL), XC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xc_db_doccount(db, &n, NULL), XC_OK);
    assert_int_equal(n, 7);
    assert_int_equal(xc_db_termfreq(db, "fox", 3, &n, NULL), XC_OK);
    assert_int_equal(n, 5);
    assert_int_equal(xc_db_termfreq(db, "in", 2, &n, NULL), XC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xc_db_get_data(db, 2, &v, &len, NULL), XC_OK);
    assert_string_equal(v, "b one");
    xc_free(v);
    assert_int_equal(xc_db_get_data(db, 3, &v, &len, NULL), XC_OK);
    assert_string_equal(v, "data two");
    xc_free(v);
    assert_int_equal(xc_db_get_data(db, 6, &v, &len, NULL), XC_ERANGE);
    assert_null(v);

    /* The search spans both. */
    xc_query *q = term_q("dog");
    expect_docs(db, q, (const unsigned[]){4, 5, 7, 0});
    xc_query_free(q);

    /* A missing one: XC_EOPEN, the handle is unchanged. */
    snprintf(path, sizeof path, "%s/nope", st->dir);
    assert_int_equal(xc_db_add(db, path, &err), XC_EOPEN);
    assert_non_null(err);
    xc_free(err);
    assert_int_equal(xc_db_doccount(db, &n, NULL), XC_OK);
    assert_int_equal(n, 7);
    xc_db_close(db);
}

/* Document id ranges as a filter (the passages of one document). */
static void test_query_docid_ranges(void **state)
{
    struct state *st = *state;
    static const struct {
        const char *term; /* FILTER(term, ranges), or the ranges alone */
        unsigned first[4], last[4];
        size_t n;
        unsigned want[NCORPUS + 1];
    } rows[] = {
        {"fox", {2}, {3}, 1, {2}},                 /* fox: 1 2 4 5 */
        {"fox", {4, 1, 5}, {5, 1, 5}, 3, {1, 4, 5}}, /* any order, overlap */
        {"fox", {3, 5}, {3, 9}, 2, {5}},           /* skips a gap, past end */
        {"dog", {1}, {3}, 1, {3}},                 /* dog: 3 4 */
        {"dog", {1, 2}, {1, 2}, 2, {0}},
        {"fox", {0}, {0}, 0, {0}},                 /* no range: nothing */
        {NULL, {2, 4}, {2, 4}, 2, {2, 4}},
        {NULL, {1, 3}, {2, 5}, 2, {1, 2, 3, 4, 5}}, /* adjacent, merged */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xc_query *r = NULL, *q = NULL;
        assert_int_equal(xc_query_docid_ranges(rows[i].first, rows[i].last,
                                               rows[i].n, &r, NULL),
                         XC_OK);
        if (rows[i].term) {
            xc_query *two[2] = {term_q(rows[i].term), r};
            assert_int_equal(xc_query_combine(XC_OP_FILTER, two, 2, 0, &q,
                                              NULL), XC_OK);
            xc_query_free(two[0]);
            xc_query_free(r);
        } else {
            q = r;
        }
        expect_docs(st->db, q, rows[i].want);
        xc_query_free(q);
    }

    /* No weight of its own: fox in doc 2 weighs the same with the filter
     * (also when AND-ed, which would add a weight). */
    xc_enquire *e = NULL;
    double w1[NCORPUS + 1], w2[NCORPUS + 1];
    xc_query *fox = term_q("fox"), *r = NULL, *q = NULL;
    assert_int_equal(xc_query_docid_ranges((const unsigned[]){1},
                                           (const unsigned[]){2}, 1, &r, NULL),
                     XC_OK);
    xc_query *two[2] = {fox, r};
    assert_int_equal(xc_query_combine(XC_OP_AND, two, 2, 0, &q, NULL), XC_OK);
    assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, fox, NULL), XC_OK);
    weights_by_doc(e, w1);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    weights_by_doc(e, w2);
    assert_true(w1[2] > 0);
    assert_true(w2[2] == w1[2] && w2[1] == w1[1]);
    assert_true(w2[4] == 0 && w2[5] == 0);
    xc_enquire_free(e);
    xc_query_free(q);
    xc_query_free(fox);

    /* Bad ranges. */
    char *err = NULL;
    assert_int_equal(xc_query_docid_ranges((const unsigned[]){0},
                                           (const unsigned[]){2}, 1, &q, &err),
                     XC_EINVAL);
    assert_null(q);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_query_docid_ranges((const unsigned[]){3},
                                           (const unsigned[]){2}, 1, &q, &err),
                     XC_EINVAL);
    assert_null(q);
    xc_free(err);
    assert_int_equal(xc_query_docid_ranges(NULL, NULL, 1, &q, NULL),
                     XC_EINVAL);
    /* A posting source cannot be mapped (xc_query_map_terms). */
    assert_int_equal(xc_query_map_terms(r, "f", 'Z', &q, NULL, NULL, NULL),
                     XC_EINVAL);
    assert_null(q);
    xc_query_free(r);
}

/* Copies with prefixed terms: "doc1" mapped by 'd' -> 'Z' is the boolean
 * term Zdoc1 of document 1. */
static void test_query_map_terms(void **state)
{
    struct state *st = *state;
    xc_query *d1 = term_q("doc1"), *d2 = term_q("doc2"), *d3 = term_q("doc3"),
             *d4 = term_q("doc4"), *d5 = term_q("doc5"), *fox = term_q("fox"),
             *brown = term_q("brown"), *yr = NULL, *s = NULL;
    assert_int_equal(xc_query_value_range(SLOT_YEAR, "2018", 4, "2019", 4,
                                          &yr, NULL), XC_OK);
    xc_query *p13[2] = {d1, d3}, *p2f[2] = {d2, fox}, *pf4[2] = {fox, d4},
             *p5b[2] = {d5, brown}, *py3[2] = {yr, d3}, *p12[2] = {d1, d2};
    struct {
        int op;
        xc_query **subs;
        double scale; /* > 0: the combination scaled so */
        unsigned want[NCORPUS + 1];
        int disjunctive;
        size_t mapped;
    } rows[] = {
        {XC_OP_OR, p13, 0, {1, 3}, 1, 2},
        {XC_OP_SYNONYM, p2f, 0, {1, 2, 4, 5}, 1, 1},
        {XC_OP_MAX, p13, 0, {1, 3}, 1, 2},
        {XC_OP_OR, p5b, 2.5, {1, 3, 5}, 1, 1},
        {XC_OP_OR, py3, 0, {2, 3, 4}, 1, 1},
        {XC_OP_PHRASE, p12, 0, {0}, 0, 2},
        {XC_OP_AND, pf4, 0, {4}, 0, 1},
        {XC_OP_FILTER, pf4, 0, {4}, 0, 1},
        {XC_OP_AND_NOT, p2f, 0, {0}, 0, 1},
        {XC_OP_AND_MAYBE, pf4, 0, {1, 2, 4, 5}, 0, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xc_query *q = NULL, *m = NULL;
        int disj = -1;
        size_t nm = 99;
        assert_int_equal(xc_query_combine(rows[i].op, rows[i].subs, 2, 0, &q,
                                          NULL), XC_OK);
        if (rows[i].scale > 0) {
            assert_int_equal(xc_query_scale(q, rows[i].scale, &s, NULL),
                             XC_OK);
            xc_query_free(q);
            q = s;
        }
        assert_int_equal(xc_query_map_terms(q, "d", 'Z', &m, &disj, &nm,
                                            NULL), XC_OK);
        expect_docs(st->db, m, rows[i].want);
        assert_int_equal(disj, rows[i].disjunctive);
        assert_int_equal(nm, rows[i].mapped);
        /* without weights */
        xc_enquire *e = NULL;
        double w[NCORPUS + 1];
        assert_int_equal(xc_enquire_new(st->db, &e, NULL), XC_OK);
        assert_int_equal(xc_enquire_set_query(e, m, NULL), XC_OK);
        weights_by_doc(e, w);
        for (size_t k = 0; k <= NCORPUS; k++) assert_true(w[k] == 0);
        xc_enquire_free(e);
        xc_query_free(q);
        xc_query_free(m);
    }
    /* A single term; the original is unchanged. */
    xc_query *m = NULL;
    assert_int_equal(xc_query_map_terms(d4, "d", 'Z', &m, NULL, NULL, NULL),
                     XC_OK);
    expect_docs(st->db, m, (const unsigned[]){4, 0});
    expect_docs(st->db, d4, (const unsigned[]){0});
    xc_query_free(m);
    assert_int_equal(xc_query_map_terms(NULL, "d", 'Z', &m, NULL, NULL, NULL),
                     XC_EINVAL);
    assert_null(m);
    xc_query *all[] = {d1, d2, d3, d4, d5, fox, brown, yr};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) xc_query_free(all[i]);
}

/* ------------------------------------------------------------ errors */

static void test_error_lock(void **state)
{
    struct state *st = *state;
    xc_wdb *w2 = (xc_wdb *)st; /* must be reset to NULL */
    char *err = NULL;
    assert_int_equal(xc_wdb_open(st->path, XC_CREATE_OR_OPEN, &w2, &err),
                     XC_ELOCK);
    assert_null(w2);
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    assert_non_null(strstr(err, "DatabaseLockError"));
    assert_non_null(strstr(err, "lock"));
    xc_free(err);
    assert_int_equal(xc_wdb_open(st->path, XC_OPEN, &w2, NULL), XC_ELOCK);
    assert_null(w2);
    /* Readers are not blocked by the writer. */
    xc_db *db = NULL;
    assert_int_equal(xc_db_open(st->path, &db, NULL), XC_OK);
    xc_db_close(db);
    /* Once the writer is gone, the lock is free. */
    xc_wdb_close(st->w);
    st->w = NULL;
    assert_int_equal(xc_wdb_open(st->path, XC_OPEN, &w2, NULL), XC_OK);
    assert_non_null(w2);
    xc_wdb_close(w2);
}

static void test_error_open(void **state)
{
    struct state *st = *state;
    char path[160], *err = NULL;
    xc_db *db = (xc_db *)st;
    xc_wdb *w = (xc_wdb *)st;
    snprintf(path, sizeof path, "%s/missing", st->dir);
    assert_int_equal(xc_db_open(path, &db, &err), XC_EOPEN);
    assert_null(db);
    assert_non_null(err);
    assert_true(strstr(err, "DatabaseNotFoundError") ||
                strstr(err, "DatabaseOpeningError"));
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_db_open(path, &db, NULL), XC_EOPEN);
    assert_int_equal(xc_wdb_open(path, XC_OPEN, &w, &err), XC_EOPEN);
    assert_null(w);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_wdb_open(path, 17, &w, &err), XC_EINVAL);
    assert_null(w);
    assert_non_null(err);
    xc_free(err);
    /* A directory that is not a database. */
    assert_int_equal(xc_db_open(st->dir, &db, NULL), XC_EOPEN);
    /* A plain file where a database should be. */
    snprintf(path, sizeof path, "%s/file", st->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a database\n", f);
    fclose(f);
    int rc = xc_db_open(path, &db, NULL);
    assert_true(rc == XC_EOPEN || rc == XC_EVERSION || rc == XC_ECORRUPT);
    assert_null(db);
}

/* Damaged databases: the glass version file and the postlist table. */
static void test_error_damaged(void **state)
{
    struct state *st = *state;
    static const struct {
        const char *name;
        const char *file;   /* inside the database directory */
        long offset;        /* overwrite one byte here, or -1 */
        long truncate_to;   /* or truncate to this size */
        int want;
        const char *in_msg;
    } rows[] = {
        /* Byte 14 of iamglass, after the magic, starts the format version. */
        {"future version", "iamglass", 14, -1, XC_EVERSION,
         "DatabaseVersionError"},
        {"short version file", "iamglass", -1, 20, XC_ECORRUPT,
         "DatabaseCorruptError"},
        {"empty postlist table", "postlist.glass", -1, 0, XC_EIO,
         "DatabaseError"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        char path[160], file[200], *err = NULL;
        xc_wdb *w = NULL;
        xc_db *db = NULL;
        xc_doc *d = NULL;
        unsigned tf;
        int rc;
        snprintf(path, sizeof path, "%s/damaged%zu", st->dir, r);
        assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OPEN, &w, NULL),
                         XC_OK);
        assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
        assert_int_equal(xc_doc_add_term(d, "abc", 3, 1, NULL), XC_OK);
        assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
        xc_doc_free(d);
        assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
        xc_wdb_close(w);

        snprintf(file, sizeof file, "%s/%s", path, rows[r].file);
        if (rows[r].offset >= 0) {
            FILE *f = fopen(file, "r+b");
            assert_non_null(f);
            assert_int_equal(fseek(f, rows[r].offset, SEEK_SET), 0);
            assert_int_equal(fputc(0x7f, f), 0x7f);
            fclose(f);
        } else {
            assert_int_equal(truncate(file, rows[r].truncate_to), 0);
        }
        /* Caught at open, or at the first read. */
        rc = xc_db_open(path, &db, &err);
        if (rc == XC_OK) {
            rc = xc_db_termfreq(db, "abc", 3, &tf, &err);
            xc_db_close(db);
        } else {
            assert_null(db);
        }
        if (rc != rows[r].want)
            fail_msg("%s: got %d (%s), want %d", rows[r].name, rc,
                     err ? err : "", rows[r].want);
        assert_non_null(err);
        assert_non_null(strstr(err, rows[r].in_msg));
        xc_free(err);
    }
}

/* A reader on an old revision whose blocks the writer has since reused
 * (the recipe of Xapian's own databasemodified1 test). */
static void test_error_modified(void **state)
{
    struct state *st = *state;
    enum { N = 500 };
    char path[160], *err = NULL;
    xc_wdb *w = NULL;
    xc_db *ro = NULL;
    xc_doc *d = NULL;
    xc_termiter *it = NULL;
    xc_query *q = term_q("abc");
    xc_enquire *e = NULL;
    xc_mset *m = NULL;
    snprintf(path, sizeof path, "%s/m", st->dir);
    assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_doc_set_data(d, "cargo", 5, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "abc", 3, 1, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "def", 3, 1, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "ghi", 3, 1, NULL), XC_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);

    assert_int_equal(xc_db_open(path, &ro, NULL), XC_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
        assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    }
    assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
    xc_doc_free(d);

    assert_int_equal(xc_db_termlist(ro, N - 1, &it, &err), XC_EMODIFIED);
    assert_null(it);
    assert_non_null(err);
    assert_non_null(strstr(err, "DatabaseModifiedError"));
    xc_free(err);
    err = NULL;

    /* The remedy: reopen and retry. */
    assert_int_equal(xc_db_reopen(ro, NULL, NULL), XC_OK);
    assert_int_equal(xc_db_termlist(ro, N - 1, &it, NULL), XC_OK);
    expect_next(it, "abc", 1);
    xc_termiter_free(it);
    assert_int_equal(xc_enquire_new(ro, &e, NULL), XC_OK);
    assert_int_equal(xc_enquire_set_query(e, q, NULL), XC_OK);
    assert_int_equal(xc_enquire_mset(e, 0, 10, 0, &m, NULL), XC_OK);
    assert_int_equal(xc_mset_size(m), 10);
    xc_mset_free(m);
    xc_enquire_free(e);
    xc_query_free(q);
    xc_db_close(ro);
    xc_wdb_close(w);
}

/* err == NULL everywhere, NULL handles refused, destructors accept NULL. */
static void test_null_handling(void **state)
{
    struct state *st = *state;
    char *v = NULL;
    size_t len;
    unsigned u;
    uint64_t u64;
    double dbl;
    unsigned *pos = NULL;
    xc_query *q = NULL;
    xc_termiter *it = NULL;
    xc_enquire *e = NULL;
    xc_mset *m = NULL;
    xc_db *db = NULL;
    xc_wdb *w = NULL;
    char *err = NULL;

    xc_free(NULL);
    xc_db_close(NULL);
    xc_wdb_close(NULL);
    xc_doc_free(NULL);
    xc_query_free(NULL);
    xc_enquire_free(NULL);
    xc_mset_free(NULL);
    xc_termiter_free(NULL);
    xc_doc_clear(NULL);

    /* Errors reported with err == NULL. */
    assert_int_equal(xc_db_get_data(st->db, 99, &v, &len, NULL), XC_ERANGE);
    assert_int_equal(xc_db_get_value(st->db, 99, 0, &v, &len, NULL),
                     XC_ERANGE);
    assert_int_equal(xc_db_get_data(st->db, 0, &v, &len, NULL), XC_EINVAL);
    assert_int_equal(xc_db_termlist(st->db, 99, &it, NULL), XC_ERANGE);
    assert_int_equal(xc_doc_set_value(NULL, 0, "x", 1, NULL), XC_EINVAL);

    /* NULL handles. */
    assert_int_equal(xc_wdb_commit(NULL, &err), XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_wdb_begin_transaction(NULL, 0, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_commit_transaction(NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_cancel_transaction(NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_add(NULL, NULL, NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_add(st->w, NULL, NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_replace_by_term(NULL, "a", 1, NULL, NULL, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_wdb_delete_by_term(NULL, "a", 1, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_delete(NULL, 1, NULL), XC_EINVAL);
    assert_int_equal(xc_wdb_set_metadata(NULL, "a", 1, "b", 1, NULL),
                     XC_EINVAL);
    assert_null(xc_wdb_reader(NULL));
    assert_int_equal(xc_wdb_open(NULL, 0, &w, NULL), XC_EINVAL);
    assert_null(w);
    assert_int_equal(xc_db_open(NULL, &db, NULL), XC_EINVAL);
    assert_null(db);
    assert_int_equal(xc_db_add(NULL, st->path, NULL), XC_EINVAL);
    assert_int_equal(xc_db_reopen(NULL, NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_db_doccount(NULL, &u, NULL), XC_EINVAL);
    assert_int_equal(xc_db_lastdocid(NULL, &u, NULL), XC_EINVAL);
    assert_int_equal(xc_db_avlength(NULL, &dbl, NULL), XC_EINVAL);
    assert_int_equal(xc_db_termfreq(NULL, "a", 1, &u, NULL), XC_EINVAL);
    assert_int_equal(xc_db_collfreq(NULL, "a", 1, &u64, NULL), XC_EINVAL);
    assert_int_equal(xc_db_get_metadata(NULL, "a", 1, &v, &len, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_db_get_data(NULL, 1, &v, &len, NULL), XC_EINVAL);
    assert_int_equal(xc_db_get_value(NULL, 1, 0, &v, &len, NULL), XC_EINVAL);
    assert_int_equal(xc_db_positions(NULL, 1, "a", 1, &pos, &len, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_db_allterms(NULL, NULL, 0, &it, NULL), XC_EINVAL);
    assert_null(it);
    assert_int_equal(xc_db_termlist(NULL, 1, &it, NULL), XC_EINVAL);
    assert_int_equal(xc_termiter_next(NULL, NULL, NULL, NULL, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_termiter_skip_to(NULL, "a", 1, NULL), XC_EINVAL);
    assert_int_equal(xc_query_term(NULL, 1, 1, 0, &q, NULL), XC_EINVAL);
    assert_int_equal(xc_query_scale(NULL, 1.0, &q, NULL), XC_EINVAL);
    assert_int_equal(xc_query_combine(XC_OP_OR, NULL, 2, 0, &q, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_query_combine(XC_OP_OR, NULL, 0, 0, &q, NULL), XC_OK);
    assert_int_equal(xc_query_empty(q), 1);
    xc_query_free(q);
    assert_int_equal(xc_query_empty(NULL), 1);
    assert_null(xc_query_describe(NULL));
    assert_int_equal(xc_enquire_new(NULL, &e, NULL), XC_EINVAL);
    assert_null(e);
    assert_int_equal(xc_enquire_set_query(NULL, NULL, NULL), XC_EINVAL);
    assert_int_equal(xc_enquire_set_bm25(NULL, 1, 0, 1, .5, .5, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_enquire_set_collapse(NULL, 0, 1, NULL), XC_EINVAL);
    assert_int_equal(xc_enquire_set_sort_by_value(NULL, 0, 0, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_enquire_mset(NULL, 0, 10, 0, &m, NULL), XC_EINVAL);
    assert_null(m);
    assert_int_equal(xc_enquire_matching_terms(NULL, 1, &it, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_mset_size(NULL), 0);
    assert_int_equal(xc_mset_item(NULL, 0, &u, &dbl, &u), XC_EINVAL);
    xc_mset_estimates(NULL, &u, &u, &u);
    assert_int_equal(u, 0);

    /* Success leaves *err alone; an *err already set (against the
     * contract) is kept rather than freed or overwritten. */
    assert_int_equal(xc_db_doccount(st->db, &u, &err), XC_OK);
    assert_null(err);
    char *first = NULL;
    assert_int_equal(xc_wdb_delete(st->w, 99, &first), XC_ERANGE);
    assert_non_null(first);
    err = first;
    assert_int_equal(xc_wdb_delete(NULL, 99, &err), XC_EINVAL);
    assert_ptr_equal(err, first);
    assert_non_null(strstr(err, "DocNotFoundError"));
    xc_free(err);
    err = NULL;

    /* A pointer with a length but no bytes. */
    assert_int_equal(xc_db_termfreq(st->db, NULL, 3, &u, &err), XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
    /* NULL with length 0 is the empty string: fine where Xapian allows it. */
    assert_int_equal(xc_db_termfreq(st->db, NULL, 0, &u, NULL), XC_OK);
}


/* ------------------------------------------------ moving stored documents */

/* xc_db_document + xc_doc_remove_term + xc_wdb_replace: a stored document
 * re-tagged in place keeps its other terms, positions, values and data
 * (how diarium-index moves the passages of a renamed file, issue 6). */
static void test_document_retag(void **state)
{
    struct state *st = *state;
    xc_db *r = xc_wdb_reader(st->w);
    xc_doc *d = NULL;
    char *v = NULL, *err = NULL;
    size_t len = 0, n = 0;
    unsigned tf = 0, *pos = NULL;

    assert_int_equal(xc_db_document(r, 5, &d, NULL), XC_OK);
    assert_non_null(d);
    assert_int_equal(xc_doc_remove_term(d, "Zdoc5", 5, NULL), XC_OK);
    /* A term the document does not have. */
    assert_int_equal(xc_doc_remove_term(d, "Zdoc5", 5, &err), XC_EINVAL);
    assert_non_null(err);
    xc_free(err);
    err = NULL;
    assert_int_equal(xc_doc_add_boolean_term(d, "Zmoved", 6, NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, SLOT_GROUP, "grpX", 4, NULL), XC_OK);
    assert_int_equal(xc_wdb_replace(st->w, 5, d, NULL), XC_OK);
    xc_doc_free(d);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);

    assert_int_equal(xc_db_termfreq(st->db, "Zdoc5", 5, &tf, NULL), XC_OK);
    assert_int_equal(tf, 0);
    assert_int_equal(xc_db_termfreq(st->db, "Zmoved", 6, &tf, NULL), XC_OK);
    assert_int_equal(tf, 1);
    assert_int_equal(xc_db_positions(st->db, 5, "fox", 3, &pos, &n, NULL),
                     XC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pos[0], 1);
    assert_int_equal(pos[2], 3);
    xc_free(pos);
    assert_int_equal(xc_db_get_value(st->db, 5, SLOT_YEAR, &v, &len, NULL),
                     XC_OK);
    assert_string_equal(v, "2022");
    xc_free(v);
    assert_int_equal(xc_db_get_value(st->db, 5, SLOT_GROUP, &v, &len, NULL),
                     XC_OK);
    assert_string_equal(v, "grpX");
    xc_free(v);

    /* Missing documents and bad ids. */
    assert_int_equal(xc_db_document(st->db, 99, &d, &err), XC_ERANGE);
    assert_null(d);
    assert_non_null(err);
    xc_free(err);
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_wdb_replace(st->w, 0, d, NULL), XC_EINVAL);
    /* Replacing an id nobody has adds it under that id. */
    assert_int_equal(xc_doc_add_term(d, "lone", 4, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_replace(st->w, 42, d, NULL), XC_OK);
    xc_doc_free(d);
    assert_int_equal(xc_db_termfreq(r, "lone", 4, &tf, NULL), XC_OK);
    assert_int_equal(tf, 1);
    assert_int_equal(xc_db_lastdocid(r, &tf, NULL), XC_OK);
    assert_int_equal(tf, 42);
}

static void test_postlist(void **state)
{
    struct state *st = *state;
    static const struct {
        const char *term;
        size_t n;
        unsigned ids[5];
    } rows[] = {
        {"fox", 4, {1, 2, 4, 5}},
        {"dog", 2, {3, 4}},
        {"Zdoc3", 1, {3}},
        {"nope", 0, {0}},
        {"", 5, {1, 2, 3, 4, 5}}, /* every document */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        unsigned *ids = (unsigned *)&rows; /* must be overwritten */
        size_t n = 99;
        assert_int_equal(xc_db_postlist(st->db, rows[i].term,
                                        strlen(rows[i].term), &ids, &n, NULL),
                         XC_OK);
        assert_int_equal(n, rows[i].n);
        if (n == 0)
            assert_null(ids);
        else
            assert_memory_equal(ids, rows[i].ids, n * sizeof *ids);
        xc_free(ids);
    }
    unsigned *ids = NULL;
    size_t n = 0;
    assert_int_equal(xc_db_postlist(NULL, "fox", 3, &ids, &n, NULL),
                     XC_EINVAL);
    assert_int_equal(xc_db_postlist(st->db, "fox", 3, NULL, &n, NULL),
                     XC_EINVAL);
}

/* Several databases as one (issue 36): user metadata read from each part
 * and merged (Xapian 1.4 reads the first one's only), each part on its
 * own, stub files read line by line, tcp: specs checked. */
static void test_db_parts(void **state)
{
    struct state *st = *state;
    char b[160], stub[200], *v = NULL, *err = NULL;
    xc_wdb *w = NULL;
    xc_db *db = NULL, *part = NULL;
    xc_termiter *it = NULL;
    const char *name = NULL;
    int remote = -1;
    unsigned n = 0;
    size_t len = 0;
    static const char *const ka[] = {"Sa", "Sc", "Se", "x"};
    static const char *const kb[] = {"Sb", "Sc", "Sd", "Sf"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(xc_wdb_set_metadata(st->w, ka[i], strlen(ka[i]),
                                             "a", 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    snprintf(b, sizeof b, "%s/b", st->dir);
    assert_int_equal(xc_wdb_open(b, XC_CREATE_OR_OPEN, &w, NULL), XC_OK);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(xc_wdb_set_metadata(w, kb[i], strlen(kb[i]), "b", 1,
                                             NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);

    assert_int_equal(xc_db_open(st->path, &db, NULL), XC_OK);
    assert_int_equal(xc_db_add(db, b, NULL), XC_OK);
    /* Each key once, in byte order, from both; skip_to in both. */
    assert_int_equal(xc_db_metadata_keys(db, "S", 1, &it, NULL), XC_OK);
    expect_next(it, "Sa", 0);
    expect_next(it, "Sb", 0);
    expect_next(it, "Sc", 0);
    assert_int_equal(xc_termiter_skip_to(it, "Sd", 2, NULL), XC_OK);
    expect_next(it, "Sd", 0);
    expect_next(it, "Se", 0);
    assert_int_equal(xc_termiter_skip_to(it, "Sf", 2, NULL), XC_OK);
    expect_next(it, "Sf", 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
    /* A key only the second has; one both have: the first's value. */
    assert_int_equal(xc_db_get_metadata(db, "Sd", 2, &v, &len, NULL), XC_OK);
    assert_non_null(v);
    assert_memory_equal(v, "b", 1);
    xc_free(v);
    assert_int_equal(xc_db_get_metadata(db, "Sc", 2, &v, &len, NULL), XC_OK);
    assert_memory_equal(v, "a", 1);
    xc_free(v);
    assert_int_equal(xc_db_get_metadata(db, "Sz", 2, &v, &len, NULL), XC_OK);
    assert_null(v);
    /* The parts: named as given, local; each reads its own metadata. */
    assert_int_equal(xc_db_part_info(db, 1, &name, &remote), XC_OK);
    assert_string_equal(name, b);
    assert_int_equal(remote, 0);
    assert_int_equal(xc_db_part_info(db, 2, &name, &remote), XC_ERANGE);
    assert_int_equal(xc_db_part(db, 1, &part, NULL), XC_OK);
    assert_int_equal(xc_db_get_metadata(part, "Sc", 2, &v, &len, NULL),
                     XC_OK);
    assert_memory_equal(v, "b", 1);
    xc_free(v);
    assert_int_equal(xc_db_count(part, &n, NULL), XC_OK);
    assert_int_equal(n, 1);
    xc_db_close(part);
    assert_int_equal(xc_db_part(db, 2, &part, NULL), XC_ERANGE);
    assert_null(part);
    xc_db_close(db);

    /* A stub file naming both (relative to its folder): two parts. */
    snprintf(stub, sizeof stub, "%s/stub", st->dir);
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fputs("# two\n\nauto a\nglass b\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(xc_db_open(stub, &db, NULL), XC_OK);
    assert_int_equal(xc_db_count(db, &n, NULL), XC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xc_db_get_metadata(db, "Sf", 2, &v, &len, NULL), XC_OK);
    assert_memory_equal(v, "b", 1);
    xc_free(v);
    xc_db_close(db);
    /* A line that is no database, and a stub naming itself. */
    static const char *const bad[] = {"auto a\nnonsense b\n", "remote\n",
                                      "# nothing\n", "auto stub\n"};
    for (size_t i = 0; i < 4; i++) {
        f = fopen(stub, "w");
        assert_non_null(f);
        fputs(bad[i], f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(xc_db_open(stub, &db, &err), XC_EOPEN);
        assert_null(db);
        assert_non_null(err);
        assert_non_null(strstr(err, "stub"));
        xc_free(err);
        err = NULL;
    }
    /* tcp: specs that are not HOST:PORT. */
    static const char *const tcp[] = {"tcp:", "tcp:host", "tcp::1",
                                      "tcp:host:0", "tcp:host:70000",
                                      "tcp:host:12x"};
    for (size_t i = 0; i < sizeof tcp / sizeof *tcp; i++) {
        assert_int_equal(xc_db_open(tcp[i], &db, &err), XC_EOPEN);
        assert_null(db);
        assert_non_null(strstr(err, "tcp:HOST:PORT"));
        xc_free(err);
        err = NULL;
    }
}

static void test_metadata_keys(void **state)
{
    struct state *st = *state;
    xc_termiter *it = NULL;
    static const char *const keys[] = {"doc:b", "doc:a", "other", "doc:c"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(xc_wdb_set_metadata(st->w, keys[i], strlen(keys[i]),
                                             "v", 1, NULL), XC_OK);
    /* The writer's view sees uncommitted keys, in byte order. */
    assert_int_equal(xc_db_metadata_keys(xc_wdb_reader(st->w), "doc:", 4,
                                         &it, NULL), XC_OK);
    expect_next(it, "doc:a", 0);
    expect_next(it, "doc:b", 0);
    expect_next(it, "doc:c", 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
    /* The committed view has none yet. */
    assert_int_equal(xc_db_metadata_keys(st->db, NULL, 0, &it, NULL), XC_OK);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(st->db, NULL, NULL), XC_OK);
    assert_int_equal(xc_db_metadata_keys(st->db, NULL, 0, &it, NULL), XC_OK);
    expect_next(it, "doc:a", 0);
    assert_int_equal(xc_termiter_skip_to(it, "other", 5, NULL), XC_OK);
    expect_next(it, "other", 0);
    expect_next(it, NULL, 0);
    xc_termiter_free(it);
    assert_int_equal(xc_db_metadata_keys(NULL, NULL, 0, &it, NULL),
                     XC_EINVAL);
    assert_null(it);
}

static void test_check(void **state)
{
    struct state *st = *state;
    size_t errors = 99;
    char *report = NULL, *err = NULL, path[160], file[200];

    assert_int_equal(xc_db_check(st->path, &errors, &report, NULL), XC_OK);
    assert_int_equal(errors, 0);
    assert_non_null(report);
    xc_free(report);
    assert_int_equal(xc_db_check(st->path, &errors, NULL, NULL), XC_OK);

    snprintf(path, sizeof path, "%s/nothing-here", st->dir);
    assert_int_equal(xc_db_check(path, &errors, &report, &err), XC_EOPEN);
    assert_null(report);
    assert_non_null(err);
    xc_free(err);
    err = NULL;

    /* A damaged table: the checker finds it (as problems or an error). */
    xc_wdb_close(st->w);
    st->w = NULL;
    snprintf(file, sizeof file, "%s/postlist.glass", st->path);
    struct stat sb;
    assert_int_equal(stat(file, &sb), 0);
    assert_true(sb.st_size > 0);
    char *junk = malloc((size_t)sb.st_size);
    assert_non_null(junk);
    memset(junk, 0x55, (size_t)sb.st_size); /* every block overwritten */
    FILE *f = fopen(file, "r+b");
    assert_non_null(f);
    assert_int_equal(fwrite(junk, 1, (size_t)sb.st_size, f),
                     (size_t)sb.st_size);
    fclose(f);
    free(junk);
    int rc = xc_db_check(st->path, &errors, &report, &err);
    if (rc == XC_OK) {
        assert_true(errors > 0);
        assert_non_null(report);
        assert_true(report[0] != '\0');
    } else {
        assert_non_null(err);
    }
    xc_free(report);
    xc_free(err);
}

/* xc_db_document + xc_doc_get_value / xc_doc_get_data read what was
 * stored, and report unset slots as empty (query/ fetches hits this way). */
static void test_doc_getters(void **state)
{
    struct state *st = *state;
    xc_doc *d = NULL;
    unsigned id = 0;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, 3, "tre", 3, NULL), XC_OK);
    assert_int_equal(xc_doc_set_data(d, "data\0x", 6, NULL), XC_OK);
    assert_int_equal(xc_doc_add_term(d, "t", 1, 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_add(st->w, d, &id, NULL), XC_OK);
    xc_doc_free(d);
    d = NULL;
    assert_int_equal(xc_wdb_commit(st->w, NULL), XC_OK);
    assert_int_equal(xc_db_document(xc_wdb_reader(st->w), id, &d, NULL),
                     XC_OK);
    char *v = NULL;
    size_t n = 99;
    assert_int_equal(xc_doc_get_value(d, 3, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(v, "tre", 3);
    xc_free(v);
    assert_int_equal(xc_doc_get_value(d, 4, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 0);
    xc_free(v);
    assert_int_equal(xc_doc_get_data(d, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(v, "data\0x", 6);
    xc_free(v);
    assert_int_equal(xc_doc_get_value(NULL, 3, &v, &n, NULL), XC_EINVAL);
    xc_doc_free(d);

    /* The same through xc_db_document_known (no existence check). */
    d = NULL;
    assert_int_equal(
        xc_db_document_known(xc_wdb_reader(st->w), id, &d, NULL), XC_OK);
    assert_int_equal(xc_doc_get_value(d, 3, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(v, "tre", 3);
    xc_free(v);
    assert_int_equal(xc_doc_get_data(d, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(v, "data\0x", 6);
    xc_free(v);
    xc_doc_free(d);
    /* A docid that is not there: an empty document, as documented. */
    d = NULL;
    assert_int_equal(
        xc_db_document_known(xc_wdb_reader(st->w), id + 50, &d, NULL), XC_OK);
    assert_int_equal(xc_doc_get_data(d, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 0);
    xc_free(v);
    assert_int_equal(xc_doc_get_value(d, 3, &v, &n, NULL), XC_OK);
    assert_int_equal(n, 0);
    xc_free(v);
    xc_doc_free(d);
    char *err = NULL;
    d = (xc_doc *)&err; /* must be reset to NULL */
    assert_int_equal(xc_db_document_known(xc_wdb_reader(st->w), 0, &d, &err),
                     XC_EINVAL);
    assert_null(d);
    assert_non_null(err);
    xc_free(err);
}

/* Scratch databases built apart and merged in order by xc_compact: the
 * documents keep their order, numbered from 1; terms, positions, values,
 * data and metadata all arrive; a key set in both keeps the first value. */
static void test_scratch_and_compact(void **state)
{
    struct state *st = *state;
    char a[160], b[160], out[160], *err = NULL;
    xc_wdb *w = NULL;
    snprintf(a, sizeof a, "%s/s0", st->dir);
    snprintf(b, sizeof b, "%s/s1", st->dir);
    snprintf(out, sizeof out, "%s/merged", st->dir);
    /* Shard 0: corpus 0..2; shard 1: corpus 3..4 (docids 1..2 there). */
    assert_int_equal(xc_wdb_open(a, XC_SCRATCH, &w, NULL), XC_OK);
    add_corpus(w, CORPUS, 3);
    assert_int_equal(xc_wdb_set_metadata(w, "k", 1, "first", 5, NULL), XC_OK);
    assert_int_equal(xc_wdb_set_metadata(w, "a", 1, "A", 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);
    assert_int_equal(xc_wdb_open(b, XC_SCRATCH, &w, NULL), XC_OK);
    xc_doc *d = NULL;
    assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
    for (size_t i = 3; i < NCORPUS; i++) {
        build_doc(d, &CORPUS[i]);
        assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
    }
    xc_doc_free(d);
    assert_int_equal(xc_wdb_set_metadata(w, "k", 1, "second", 6, NULL),
                     XC_OK);
    assert_int_equal(xc_wdb_set_metadata(w, "b", 1, "B", 1, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);

    const char *src[2] = {a, b};
    assert_int_equal(xc_compact(src, 2, out, &err), XC_OK);
    assert_null(err);
    xc_db *m = NULL;
    assert_int_equal(xc_db_open(out, &m, NULL), XC_OK);
    unsigned count = 0;
    assert_int_equal(xc_db_doccount(m, &count, NULL), XC_OK);
    assert_int_equal(count, NCORPUS);
    /* Same postings as the database built in one piece. */
    static const char *const terms[] = {"fox", "dog", "the", "Zdoc4",
                                        "Zdoc1"};
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++) {
        unsigned *x = NULL, *y = NULL;
        size_t nx = 0, ny = 0;
        size_t tl = strlen(terms[t]);
        assert_int_equal(xc_db_postlist(m, terms[t], tl, &x, &nx, NULL),
                         XC_OK);
        assert_int_equal(xc_db_postlist(st->db, terms[t], tl, &y, &ny, NULL),
                         XC_OK);
        assert_int_equal(nx, ny);
        if (nx) assert_memory_equal(x, y, nx * sizeof *x);
        xc_free(x);
        xc_free(y);
    }
    /* Document 4 came from the second shard: data, value and positions. */
    char *v = NULL;
    size_t vl = 0;
    assert_int_equal(xc_db_get_data(m, 4, &v, &vl, NULL), XC_OK);
    assert_int_equal(vl, strlen(CORPUS[3].data));
    assert_memory_equal(v, CORPUS[3].data, vl);
    xc_free(v);
    assert_int_equal(xc_db_get_value(m, 4, SLOT_YEAR, &v, &vl, NULL), XC_OK);
    assert_int_equal(vl, 4);
    assert_memory_equal(v, "2018", 4);
    xc_free(v);
    unsigned *pos = NULL;
    size_t np = 0;
    assert_int_equal(xc_db_positions(m, 4, "fox", 3, &pos, &np, NULL), XC_OK);
    assert_int_equal(np, 1);
    assert_int_equal(pos[0], 4);
    xc_free(pos);
    /* Metadata: both shards' keys; "k" from the first. */
    static const char *const keys[][2] = {
        {"a", "A"}, {"b", "B"}, {"k", "first"}};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(xc_db_get_metadata(m, keys[k][0], 1, &v, &vl, NULL),
                         XC_OK);
        assert_int_equal(vl, strlen(keys[k][1]));
        assert_memory_equal(v, keys[k][1], vl);
        xc_free(v);
    }
    xc_db_close(m);

    /* Errors: no source, a missing source, NULL. */
    char out2[160];
    snprintf(out2, sizeof out2, "%s/merged2", st->dir);
    assert_int_equal(xc_compact(src, 0, out2, NULL), XC_EINVAL);
    const char *bad[2] = {a, "/nonexistent/diarium/shard"};
    assert_int_equal(xc_compact(bad, 2, out2, &err), XC_EOPEN);
    assert_non_null(err);
    xc_free(err);
    assert_int_equal(xc_compact(NULL, 1, out2, NULL), XC_EINVAL);
}

/* Reads a whole file (test failure if it cannot); *n its length. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* How many of the strings w[0..nw) (each k bytes) occur in buf[0..n). */
static size_t count_found(const char *buf, size_t n, char (*w)[16],
                          size_t nw, size_t k)
{
    size_t found = 0;
    for (size_t i = 0; i < nw; i++)
        for (size_t at = 0; at + k <= n; at++)
            if (memcmp(buf + at, w[i], k) == 0) {
                found++;
                break;
            }
    return found;
}

/* xc_termlist_compression: off, the termlists are stored as they are (the
 * terms' bytes can be read in termlist.glass); on again, Xapian compresses
 * them (they cannot). */
static void test_termlist_compression(void **state)
{
    struct state *st = *state;
    enum { NTERMS = 300 };
    static char terms[NTERMS][16];
    char tails[NTERMS][16];
    uint32_t x = 12345;
    for (size_t i = 0; i < NTERMS; i++) { /* "t" and 8 pseudo-random letters */
        terms[i][0] = 't';
        for (int k = 1; k <= 8; k++) {
            x = x * 1103515245u + 12345u;
            terms[i][k] = (char)('a' + (x >> 16) % 26);
        }
        terms[i][9] = '\0';
        memcpy(tails[i], terms[i] + 3, 6); /* past any prefix shared with
                                              the term before it */
    }
    size_t found[2];
    for (int on = 0; on < 2; on++) {
        char path[160], file[200];
        snprintf(path, sizeof path, "%s/%s", st->dir, on ? "zip" : "raw");
        xc_termlist_compression(on);
        xc_wdb *w = NULL;
        xc_doc *d = NULL;
        assert_int_equal(xc_wdb_open(path, XC_CREATE_OR_OPEN, &w, NULL),
                         XC_OK);
        assert_int_equal(xc_doc_new(&d, NULL), XC_OK);
        for (int doc = 0; doc < 3; doc++) {
            xc_doc_clear(d);
            for (size_t i = 0; i < NTERMS; i++)
                assert_int_equal(xc_doc_add_term(d, terms[i], 9, 1, NULL),
                                 XC_OK);
            assert_int_equal(xc_wdb_add(w, d, NULL, NULL), XC_OK);
        }
        assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
        xc_doc_free(d);
        xc_wdb_close(w);
        snprintf(file, sizeof file, "%s/termlist.glass", path);
        size_t n = 0;
        char *buf = slurp(file, &n);
        found[on] = count_found(buf, n, tails, NTERMS, 6);
        free(buf);
    }
    xc_termlist_compression(1);
    assert_true(found[0] >= NTERMS * 9 / 10); /* stored as they are */
    assert_true(found[1] <= NTERMS / 10);     /* compressed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_version_strerror),
        T(test_doc_getters),
        T(test_counts),
        T(test_data_and_values),
        T(test_binary_bytes),
        T(test_doc_clear_reuse),
        T(test_allterms_prefix),
        T(test_termiter_freq),
        T(test_termiter_skip_to),
        T(test_termlist),
        T(test_positions),
        T(test_metadata),
        T(test_replace_and_delete),
        T(test_transactions),
        T(test_reader_and_reopen),
        T(test_overwrite_and_close),
        T(test_query_ops),
        T(test_query_weights),
        T(test_query_misc),
        T(test_query_value_range),
        T(test_query_errors),
        T(test_query_docid_ranges),
        T(test_query_map_terms),
        T(test_enquire_bm25),
        T(test_enquire_collapse),
        T(test_enquire_sort),
        T(test_enquire_matching_terms),
        T(test_mset_paging_estimates),
        T(test_db_add),
        T(test_error_lock),
        T(test_error_open),
        T(test_error_damaged),
        T(test_error_modified),
        T(test_null_handling),
        T(test_document_retag),
        T(test_postlist),
        T(test_metadata_keys),
        T(test_db_parts),
        T(test_check),
        T(test_scratch_and_compact),
        T(test_termlist_compression),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
