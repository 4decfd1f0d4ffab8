/*
 * test_index.c — unit tests of nightly re-indexing (issue 6): the record
 * format and content hash (dx_record), the writer lock and the --full swap
 * (dx_dbdir), incremental runs with exact counts, renames that move
 * passages without re-analysis, the analysis fingerprint, dry runs,
 * interrupted --full, --check (dx_check), the stored data a query
 * reads (dx_format.h), and the default number of build threads
 * (dx_cpus).
 *
 * Each test works in its own mkdtemp() folder: docs/ (the source files) and
 * db (the database); teardown removes it.
 */
#define _GNU_SOURCE /* sched_setaffinity (test_cpus) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dx_check.h"
#include "dx_cpus.h"
#include "dx_dbdir.h"
#include "dx_doctext.h"
#include "dx_format.h"
#include "dx_index.h"
#include "dq_search.h"
#include "dx_record.h"
#include "dx_root.h"
#include "sv.h"
#include "sv_ocr.h"
#include "xc.h"

/* ------------------------------------------------------------ fixture */

struct fx {
    char dir[64];
    char docs[128];
    char db[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_index.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->docs, sizeof f->docs, "%s/docs", f->dir);
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    if (mkdir(f->docs, 0777) != 0) return -1;
    *state = f;
    return 0;
}

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

static int teardown(void **state)
{
    struct fx *f = *state;
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* ------------------------------------------------------------ helpers */

/* Writes dir/name into path[n]; a path that does not fit fails the test
 * (instead of naming a shorter, wrong file). */
static void join_path(char *path, size_t n, const char *dir, const char *name)
{
    int len = snprintf(path, n, "%s/%s", dir, name);
    assert_true(len > 0 && (size_t)len < n);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    join_path(path, sizeof path, dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* Sets a file's mtime to `sec` seconds (same content: a "touch"). */
static void set_mtime(const char *dir, const char *name, time_t sec)
{
    char path[512];
    join_path(path, sizeof path, dir, name);
    struct timespec ts[2] = {{sec, 0}, {sec, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void rename_file(const char *dir, const char *from, const char *to)
{
    char a[512], b[512];
    join_path(a, sizeof a, dir, from);
    join_path(b, sizeof b, dir, to);
    assert_int_equal(rename(a, b), 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    join_path(path, sizeof path, dir, name);
    assert_int_equal(unlink(path), 0);
}

/* What a run reported. */
struct seen {
    unsigned problems;
    unsigned changes[4];
    char last_other[256]; /* the old id of the last rename */
};

static void on_problem(void *ctx, const char *path, const char *why)
{
    struct seen *s = ctx;
    (void)path;
    (void)why;
    s->problems++;
}

static void on_change(void *ctx, int what, const char *id, const char *other)
{
    struct seen *s = ctx;
    (void)id;
    assert_true(what >= 0 && what < 4);
    s->changes[what]++;
    if (other) snprintf(s->last_other, sizeof s->last_other, "%s", other);
}

/* One run over `root` (or two roots); returns its stats. */
static dx_stats run_opts(const char *db, const char *root, const char *root2,
                         int full, int dry_run, struct seen *sn)
{
    struct seen local;
    if (!sn) sn = &local;
    memset(sn, 0, sizeof *sn);
    dx_options o = {0};
    o.full = full;
    o.dry_run = dry_run;
    o.problem = on_problem;
    o.change = on_change;
    o.ctx = sn;
    o.batch_files = 2;
    dx_indexer *ix = NULL;
    char err[1024] = "";
    int rc = dx_indexer_open(db, &o, &ix, err, sizeof err);
    if (rc != DX_OK) fail_msg("dx_indexer_open: %d %s", rc, err);
    assert_int_equal(dx_indexer_add_root(ix, root, NULL, NULL, err,
                                         sizeof err), DX_OK);
    if (root2)
        assert_int_equal(dx_indexer_add_root(ix, root2, NULL, NULL, err,
                                             sizeof err), DX_OK);
    rc = dx_indexer_finish(ix, err, sizeof err);
    if (rc != DX_OK) fail_msg("dx_indexer_finish: %d %s", rc, err);
    dx_stats s = *dx_indexer_stats(ix);
    dx_indexer_close(ix);
    return s;
}

static dx_stats run_index(const char *db, const char *root)
{
    return run_opts(db, root, NULL, 0, 0, NULL);
}

static void expect_stats(dx_stats s, unsigned added, unsigned updated,
                         unsigned renamed, unsigned removed,
                         unsigned unchanged, unsigned failed)
{
    if (s.added != added || s.updated != updated || s.renamed != renamed ||
        s.removed != removed || s.unchanged != unchanged ||
        s.failed != failed)
        fail_msg("got %u added, %u updated, %u renamed, %u removed, "
                 "%u unchanged, %u failed; want %u %u %u %u %u %u",
                 s.added, s.updated, s.renamed, s.removed, s.unchanged,
                 s.failed, added, updated, renamed, removed, unchanged,
                 failed);
}

/* Passages of document `id` in the committed database (0 if none). */
static unsigned passages_of(const char *db, const char *id)
{
    xc_db *d = NULL;
    char term[256];
    unsigned n = 0;
    assert_int_equal(xc_db_open(db, &d, NULL), XC_OK);
    snprintf(term, sizeof term, "Q%s", id);
    assert_int_equal(xc_db_termfreq(d, term, strlen(term), &n, NULL), XC_OK);
    xc_db_close(d);
    return n;
}

static unsigned doccount(const char *db)
{
    xc_db *d = NULL;
    unsigned n = 0;
    assert_int_equal(xc_db_open(db, &d, NULL), XC_OK);
    assert_int_equal(xc_db_doccount(d, &n, NULL), XC_OK);
    xc_db_close(d);
    return n;
}

static void set_meta(const char *db, const char *key, const char *val)
{
    xc_wdb *w = NULL;
    assert_int_equal(xc_wdb_open(db, XC_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_wdb_set_metadata(w, key, strlen(key), val,
                                         strlen(val), NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);
}

static unsigned check_problems(const char *db)
{
    dx_check_stats st;
    char err[512] = "";
    assert_int_equal(dx_check(db, NULL, NULL, &st, err, sizeof err), DX_OK);
    return st.problems;
}

/* dx_check callback: keeps the last problem's text in ctx (512 bytes). */
static void keep_problem(void *ctx, const char *problem)
{
    snprintf(ctx, 512, "%s", problem);
}

/* The number of problems --check finds; the last one's text in last. */
static unsigned check_problem_text(const char *db, char last[512])
{
    dx_check_stats st;
    char err[512] = "";
    last[0] = '\0';
    assert_int_equal(dx_check(db, keep_problem, last, &st, err, sizeof err),
                     DX_OK);
    return st.problems;
}

/* Three short documents, one of them several passages long. */
#define PARA_A1                                                              \
    "Skolinspektionen bedömer att huvudmannen har vidtagit kompensatoriska "  \
    "åtgärder för att eleverna ska nå så långt som möjligt i sin "            \
    "kunskapsutveckling. Huvudmannen har analyserat studieresultaten och "     \
    "satt in resurser där behoven är som störst. "
#define PARA_A2                                                              \
    "Huvudmannen behöver dock utveckla sin analys av hur undervisningen "      \
    "anpassas efter elevernas olika behov, och följa upp om åtgärderna ger "  \
    "effekt. Det gäller särskilt stödet till nyanlända elever. "
static const char *const TEXT_A =
    PARA_A1 PARA_A1 PARA_A1 PARA_A1 "\n\n" PARA_A2 PARA_A2 PARA_A2 PARA_A2
    "\n\n" PARA_A1 PARA_A2 PARA_A1 PARA_A2 "\n\nBeslutet har fattats av "
    "enhetschefen.\n";
static const char *const TEXT_B =
    "Tjänsteskrivelse om särskilt stöd i grundskolan. Elevhälsan ska "
    "arbeta förebyggande.\n";
static const char *const TEXT_C =
    "Uppf6ljning av atgirder och trygghet och studiero pa skolan.\n";

/* ------------------------------------------------------------ dx_record */

static void test_hash_vectors(void **state)
{
    (void)state;
    /* FNV-1a 64 reference values. */
    assert_true(dx_content_hash("", 0) == 0xcbf29ce484222325ull);
    assert_true(dx_content_hash("a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(dx_content_hash("foobar", 6) == 0x85944171f73967e8ull);
    assert_true(dx_content_hash("ab", 2) != dx_content_hash("ba", 2));
}

/* ------------------------------------------------------------ dx_format */

/* The vocabularies: every name once, outcomes by name and back, facets
 * found by their field names and only those. */
static void test_format_vocabularies(void **state)
{
    (void)state;
    assert_null(dx_filter_names[DX_NFILTERS]);
    for (int i = 0; i < DX_NFILTERS; i++) {
        assert_non_null(dx_filter_names[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(dx_filter_names[i], dx_filter_names[j]);
    }
    assert_string_equal(dx_filter_names[DX_FILTER_KOMMUN], "kommun");
    assert_string_equal(dx_filter_names[DX_FILTER_YEAR], "\xC3\xA5r");
    for (int o = 1; o < DX_OUT_COUNT; o++) {
        assert_true(dx_outcome_name(o)[0] != '\0');
        assert_int_equal(dx_outcome_code(dx_outcome_name(o)), o);
    }
    assert_int_equal(dx_outcome_code("i_linje"), DX_OUT_I_LINJE);
    assert_int_equal(dx_outcome_code(""), DX_OUT_NONE);
    assert_int_equal(dx_outcome_code(NULL), DX_OUT_NONE);
    assert_int_equal(dx_outcome_code("i linje"), DX_OUT_NONE);
    assert_null(dx_facet_fields[DX_NFACETS]);
    for (int i = 0; i < DX_NFACETS; i++) {
        const dx_facet *fd = dx_facet_find(dx_facet_fields[i]);
        assert_ptr_equal(fd, &dx_facets[i]);
        assert_string_equal(dx_filter_names[fd->field], dx_facet_fields[i]);
    }
    assert_int_equal(dx_facet_find("\xC3\xA5r")->slot, DX_SLOT_DATE);
    assert_int_equal(dx_facet_find("\xC3\xA5r")->keep, 4);
    assert_int_equal(dx_facet_find("kommun")->slot, DX_SLOT_KOMMUN);
    assert_null(dx_facet_find("dnr"));
    assert_null(dx_facet_find(NULL));
    assert_true(dx_hash64("foobar", 6) == dx_content_hash("foobar", 6));
}

/* dx_stamp_read on a database never stamped, stamped by this build, and
 * stamped with another format and analysis. */
static void test_format_stamp(void **state)
{
    struct fx *f = *state;
    xc_wdb *w = NULL;
    xc_db *db = NULL;
    dx_stamp st;
    assert_int_equal(xc_wdb_open(f->db, XC_CREATE_OR_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    assert_int_equal(dx_stamp_read(db, &st, NULL, 0), DX_OK);
    assert_false(st.stamped);
    assert_false(st.format_ok);
    assert_false(st.analysis_ok);

    assert_int_equal(dx_stamp_write(w, NULL, 0), DX_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(db, NULL, NULL), XC_OK);
    assert_int_equal(dx_stamp_read(db, &st, NULL, 0), DX_OK);
    assert_true(st.stamped && st.format_ok && st.analysis_ok);
    assert_string_equal(st.analysis, sv_fingerprint());

    assert_int_equal(xc_wdb_set_metadata(w, DX_META_FORMAT,
                                         strlen(DX_META_FORMAT), "7\n", 2,
                                         NULL), XC_OK);
    assert_int_equal(xc_wdb_set_metadata(w, DX_META_ANALYSIS,
                                         strlen(DX_META_ANALYSIS), "old", 3,
                                         NULL), XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    assert_int_equal(xc_db_reopen(db, NULL, NULL), XC_OK);
    assert_int_equal(dx_stamp_read(db, &st, NULL, 0), DX_OK);
    assert_true(st.stamped);
    assert_false(st.format_ok);
    assert_false(st.analysis_ok);
    assert_string_equal(st.format, "7?"); /* printable */
    assert_string_equal(st.analysis, "old");
    xc_db_close(db);
    xc_wdb_close(w);
}

/* query/ reads the PATH a document was indexed from out of its record
 * (dq_engine_doc_root, through dx_record_parse): also a PATH holding a tab,
 * which a record keeps as it is. */
static void test_doc_root(void **state)
{
    struct fx *f = *state;
    char root[256];
    join_path(root, sizeof root, f->dir, "tab\there");
    assert_int_equal(mkdir(root, 0777), 0);
    write_file(root, "a.txt", TEXT_A);
    expect_stats(run_index(f->db, root), 1, 0, 0, 0, 0, 0);
    dq_engine *e = NULL;
    char err[512] = "", *got = NULL;
    assert_int_equal(dq_engine_open(f->db, &e, err, sizeof err), DQ_OK);
    assert_int_equal(dq_engine_doc_root(e, "a.txt", &got, err, sizeof err),
                     DQ_OK);
    assert_non_null(got);
    assert_string_equal(got, root);
    free(got);
    got = NULL;
    assert_int_equal(dq_engine_doc_root(e, "b.txt", &got, err, sizeof err),
                     DQ_OK);
    assert_null(got);
    dq_engine_close(e);
}

/* Failure records (DX_META_FAIL): parse, round trip, tabs in the root and
 * in the reason. */
static void test_failure_record_format(void **state)
{
    (void)state;
    const char *val = "a\tb\t12\t-5\t00000000000000ff\tencrypted "
                      "(password-protected)";
    dx_failrec f;
    assert_int_equal(dx_failrec_parse(val, strlen(val), &f), DX_OK);
    assert_string_equal(f.root, "a\tb");
    assert_true(f.size == 12 && f.mtime_ns == -5 && f.hash == 0xff);
    assert_string_equal(f.reason, "encrypted (password-protected)");
    char out[4800];
    assert_int_equal(dx_failrec_format(&f, out, sizeof out), strlen(val));
    assert_string_equal(out, val);
    /* A reason with a tab or a line break is written on one line. */
    snprintf(f.reason, sizeof f.reason, "a\tb\nc");
    size_t n = dx_failrec_format(&f, out, sizeof out);
    assert_true(n > 0);
    assert_null(strchr(out + n - 5, '\n'));
    assert_int_equal(dx_failrec_parse(out, n, &f), DX_OK);
    assert_string_equal(f.reason, "a b c");
    static const char *const bad[] = {
        "", "c\t12\t17\t00000000000000ff", "\t12\t17\t00000000000000ff\tx",
        "c\t1x\t17\t00000000000000ff\tx", "c\t12\t17\t00000000000000f\tx"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(dx_failrec_parse(bad[i], strlen(bad[i]), &f), DX_EFORMAT);
}

/* A paged document's text and page table (dx_doctext): pages joined by a
 * blank line, or a line break where a paragraph runs on; a page without
 * text adds nothing; a passage's pages are those of its first and last
 * byte. */
static void test_doctext_pages(void **state)
{
    (void)state;
    ex_page pages[4] = {
        {1, "i", "Första sidan slutar mitt i en", 0, EX_PAGE_RUNS_ON, -1,
         NULL},
        {2, "ii", "mening som fortsätter.", 0, 0, -1, NULL},
        {3, "iii", "", 0, EX_PAGE_NO_TEXT, -1, NULL},
        {4, "1", "Sista sidan.", 0, 0, -1, NULL},
    };
    for (int i = 0; i < 4; i++) pages[i].len = strlen(pages[i].text);
    ex_doc d = {EX_TYPE_PDF, 1, 4, pages, "Dnr 12", 6};
    dx_doctext t;
    assert_int_equal(dx_doctext_build(&d, &t), 0);
    assert_string_equal(t.text, "Första sidan slutar mitt i en\nmening som "
                                "fortsätter.\n\nSista sidan.");
    assert_string_equal(t.running, "Dnr 12");
    uint32_t a, b;
    const char *label;
    int ocr;
    size_t p2 = strlen("Första sidan slutar mitt i en\n");
    size_t p4 = strstr(t.text, "Sista") - t.text;
    dx_doctext_span(&t, 0, 5, &a, &b, &label, &ocr);
    assert_true(a == 1 && b == 1 && ocr == -1);
    assert_string_equal(label, "i");
    dx_doctext_span(&t, 0, p2 + 5, &a, &b, &label, &ocr);
    assert_true(a == 1 && b == 2);
    dx_doctext_span(&t, p2, t.len, &a, &b, &label, &ocr);
    assert_true(a == 2 && b == 4);
    assert_string_equal(label, "ii");
    dx_doctext_span(&t, p4, t.len, &a, &b, &label, &ocr);
    assert_true(a == 4 && b == 4);
    assert_string_equal(label, "1");
    char notext[64];
    dx_doctext_notext(&t, notext, sizeof notext);
    assert_string_equal(notext, "3");
    dx_doctext_free(&t);

    /* A page-less document: no pages for any passage. */
    ex_page one = {0, NULL, "Ett stycke.", 11, 0, -1, NULL};
    ex_doc w = {EX_TYPE_DOCX, 0, 1, &one, "", 0};
    assert_int_equal(dx_doctext_build(&w, &t), 0);
    assert_string_equal(t.text, "Ett stycke.");
    dx_doctext_span(&t, 0, 11, &a, &b, &label, &ocr);
    assert_true(a == 0 && b == 0 && !label);
    dx_doctext_free(&t);

    /* The list of pages without a text layer. */
    ex_page many[7];
    for (unsigned i = 0; i < 7; i++)
        many[i] = (ex_page){i + 1, NULL, "", 0,
                            i == 0 || i == 3 ? 0u : EX_PAGE_NO_TEXT, -1,
                            NULL};
    many[0].text = "x";
    many[0].len = 1;
    ex_doc m = {EX_TYPE_PDF, 1, 7, many, "", 0};
    assert_int_equal(dx_doctext_build(&m, &t), 0);
    dx_doctext_notext(&t, notext, sizeof notext);
    assert_string_equal(notext, "2-3 and 5-7");
    dx_doctext_free(&t);
}

static void test_record_format(void **state)
{
    (void)state;
    static const struct {
        const char *val;
        int ok;
        const char *root;
        int64_t size, mtime;
        unsigned passages;
        uint64_t hash;
    } rows[] = {
        {"corpus\t12\t1700000000123456789\t3\t00000000000000ff", 1, "corpus",
         12, 1700000000123456789ll, 3, 0xff},
        /* A root holding a tab: fields are found from the right. */
        {"a\tb\t0\t-5\t0\tcbf29ce484222325", 1, "a\tb", 0, -5, 0,
         0xcbf29ce484222325ull},
        /* Format 1 (no hash), junk, and near misses. */
        {"corpus\t12\t17\t3", 0, NULL, 0, 0, 0, 0},
        {"", 0, NULL, 0, 0, 0, 0},
        {"\t12\t17\t3\t00000000000000ff", 0, NULL, 0, 0, 0, 0},
        {"c\t12\t17\t3\t00000000000000f", 0, NULL, 0, 0, 0, 0},
        {"c\t12\t17\t3\t00000000000000fF", 0, NULL, 0, 0, 0, 0},
        {"c\t1x\t17\t3\t00000000000000ff", 0, NULL, 0, 0, 0, 0},
        {"c\t12\t17\t\t00000000000000ff", 0, NULL, 0, 0, 0, 0},
        {"c\t12\t17\t4294967296\t00000000000000ff", 0, NULL, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dx_record r;
        int rc = dx_record_parse(rows[i].val, strlen(rows[i].val), &r);
        if ((rc == 0) != rows[i].ok) fail_msg("row %zu: rc %d", i, rc);
        if (!rows[i].ok) continue;
        assert_string_equal(r.root, rows[i].root);
        assert_true(r.size == rows[i].size);
        assert_true(r.mtime_ns == rows[i].mtime);
        assert_int_equal(r.passages, rows[i].passages);
        assert_true(r.hash == rows[i].hash);
        /* Round trip. */
        char out[4400];
        size_t n = dx_record_format(&r, out, sizeof out);
        assert_int_equal(n, strlen(rows[i].val));
        assert_string_equal(out, rows[i].val);
    }
    dx_record r;
    memset(&r, 0, sizeof r);
    strcpy(r.root, "x");
    char small[8];
    assert_int_equal(dx_record_format(&r, small, sizeof small), 0);
}

/* ------------------------------------------------------------ dx_dbdir */

static void test_lock(void **state)
{
    struct fx *f = *state;
    dx_dblock *a = NULL, *b = NULL;
    long holder = -1;
    char err[512] = "", want[64];

    /* Missing folder without create. */
    assert_int_equal(dx_dblock_take(f->db, 0, &a, &holder, err, sizeof err),
                     DX_EIO);
    assert_null(a);
    assert_int_equal(dx_dblock_take(f->db, 1, &a, &holder, err, sizeof err),
                     DX_OK);
    assert_non_null(a);
    /* flock locks belong to an open file: a second take fails even in the
     * same process, and names this pid. */
    assert_int_equal(dx_dblock_take(f->db, 1, &b, &holder, err, sizeof err),
                     DX_ELOCKED);
    assert_null(b);
    assert_int_equal(holder, (long)getpid());
    snprintf(want, sizeof want, "pid %ld", (long)getpid());
    assert_non_null(strstr(err, want));
    dx_dblock_release(a);
    assert_int_equal(dx_dblock_take(f->db, 1, &b, NULL, err, sizeof err),
                     DX_OK);
    dx_dblock_release(b);
    dx_dblock_release(NULL);

    /* A holder killed with SIGKILL leaves its file and its pid, but no
     * lock: the next writer is not blocked. */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dx_dblock *l = NULL;
        char e[256];
        int rc = dx_dblock_take(f->db, 1, &l, NULL, e, sizeof e);
        char c = rc == DX_OK ? 'y' : 'n';
        if (write(pfd[1], &c, 1) != 1) _exit(2);
        pause();
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(pfd[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    assert_int_equal(dx_dblock_take(f->db, 1, &b, &holder, err, sizeof err),
                     DX_ELOCKED);
    assert_int_equal(holder, (long)pid);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(pfd[0]);
    close(pfd[1]);
    assert_int_equal(dx_dblock_take(f->db, 1, &b, &holder, err, sizeof err),
                     DX_OK);
    dx_dblock_release(b);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void test_swap_and_leftovers(void **state)
{
    struct fx *f = *state;
    char tmp[256], old[256], path[512], err[512] = "";
    dx_dblock *l = NULL;

    /* A first build: dir holds only its lock file. */
    assert_int_equal(dx_dblock_take(f->db, 1, &l, NULL, err, sizeof err),
                     DX_OK);
    assert_int_equal(dx_dbdir_temp_path(f->db, tmp, sizeof tmp), DX_OK);
    snprintf(path, sizeof path, "%s.full-tmp.%ld", f->db, (long)getpid());
    assert_string_equal(tmp, path);
    assert_int_equal(mkdir(tmp, 0777), 0);
    write_file(tmp, "iamglass", "1");
    write_file(f->db, "postlist.glass", "0");
    assert_int_equal(dx_dbdir_swap(f->db, tmp, err, sizeof err), DX_OK);
    snprintf(path, sizeof path, "%s/iamglass", f->db);
    assert_true(exists(path));
    snprintf(path, sizeof path, "%s/postlist.glass", f->db);
    assert_false(exists(path));
    assert_false(exists(tmp));

    /* Issue 38: the old folder goes only with the names Xapian and
     * diarium make; anything else in it is never removed (and then the
     * folder stays, where the next writer reports it). */
    dx_dblock_release(l);
    assert_int_equal(dx_dblock_take(f->db, 1, &l, NULL, err, sizeof err),
                     DX_OK);
    assert_int_equal(mkdir(tmp, 0777), 0);
    write_file(tmp, "iamglass", "2");
    write_file(f->db, "notes.txt", "mine");
    write_file(f->db, "termlist.glass", "0");
    assert_int_equal(dx_dbdir_swap(f->db, tmp, err, sizeof err), DX_OK);
    snprintf(path, sizeof path, "%s/notes.txt", tmp);
    assert_true(exists(path));
    snprintf(path, sizeof path, "%s/termlist.glass", tmp);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/diarium.lock", tmp);
    assert_false(exists(path));
    assert_int_equal(dx_dbdir_remove(tmp), DX_EIO);
    assert_int_equal(errno, ENOTEMPTY);
    snprintf(path, sizeof path, "%s/notes.txt", tmp);
    assert_true(exists(path));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(dx_dbdir_remove(tmp), DX_OK);
    assert_false(exists(tmp));
    /* The lock at dir is now the new folder's, and it is held (by the
     * swap while it ran; released since, so it can be taken again). */
    dx_dblock_release(l);
    assert_int_equal(dx_dblock_take(f->db, 1, &l, NULL, err, sizeof err),
                     DX_OK);
    dx_dblock_release(l);

    /* Leftovers of interrupted rebuilds go; look-alikes stay. */
    static const char *const names[][2] = {
        {".full-tmp.123", "gone"}, {".full-old.45", "gone"},
        {".full-tmp.x1", "kept"},  {".full-tmpx.1", "kept"},
        {"x.full-tmp.1", "kept"},
    };
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s%s", f->db, names[i][0]);
        if (names[i][0][0] == 'x')
            snprintf(path, sizeof path, "%s/%s", f->dir, names[i][0]);
        assert_int_equal(mkdir(path, 0777), 0);
        write_file(path, "iamglass", "x");
    }
    assert_int_equal(dx_dbdir_cleanup(f->db, err, sizeof err), DX_OK);
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s%s", f->db, names[i][0]);
        if (names[i][0][0] == 'x')
            snprintf(path, sizeof path, "%s/%s", f->dir, names[i][0]);
        if (exists(path) != (names[i][1][0] == 'k'))
            fail_msg("%s should be %s", path, names[i][1]);
    }

    /* A swap that died between its two renames (no RENAME_EXCHANGE):
     * dir missing, dir.full-old.<pid> present: recover puts it back. */
    snprintf(old, sizeof old, "%s.full-old.77", f->db);
    assert_int_equal(rename(f->db, old), 0);
    assert_int_equal(dx_dbdir_recover(f->db, err, sizeof err), DX_OK);
    snprintf(path, sizeof path, "%s/iamglass", f->db);
    assert_true(exists(path));
    assert_false(exists(old));
    /* Nothing to recover: nothing happens. */
    assert_int_equal(dx_dbdir_recover(f->db, err, sizeof err), DX_OK);
    assert_true(exists(path));
}

/* Issue 38: the names diarium may remove, and what a --db folder holds. */
static void test_known_names_and_classify(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *name;
        int known;
    } names[] = {
        {"iamglass", 1},       {"v.tmp", 1},          {"flintlock", 1},
        {"postlist.glass", 1}, {"termlist.glass", 1}, {"position.glass", 1},
        {"docdata.glass", 1},  {"spelling.glass", 1}, {"synonym.glass", 1},
        {"diarium.lock", 1},   {"changes12", 1},      {"tmp0_3.glass", 1},
        {"changes", 0},        {"changes1x", 0},      {"tmp_3.glass", 0},
        {"tmp0_.glass", 0},    {"tmp0_3.glassy", 0},  {"a.txt", 0},
        {"iamglass.bak", 0},   {"register.xlsx", 0},  {"x.glass", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (dx_dbdir_known_name(names[i].name) != names[i].known)
            fail_msg("'%s': known should be %d", names[i].name,
                     names[i].known);

    char other[64], err[512];
    unsigned n = 99;
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_MISSING);
    assert_int_equal(dx_dbdir_vet(f->db, 1, err, sizeof err), DX_OK);
    assert_int_equal(mkdir(f->db, 0777), 0);
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_EMPTY);
    write_file(f->db, "diarium.lock", "");
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_EMPTY);
    write_file(f->db, "iamglass", "");
    write_file(f->db, "postlist.glass", "");
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_DATABASE);
    assert_int_equal(n, 0);
    assert_int_equal(dx_dbdir_vet(f->db, 1, err, sizeof err), DX_OK);
    /* Someone's notes beside a database: updated, never --full replaced. */
    write_file(f->db, "notes.txt", "");
    write_file(f->db, "b.txt", "");
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_MIXED);
    assert_string_equal(other, "b.txt");
    assert_int_equal(n, 2);
    assert_int_equal(dx_dbdir_vet(f->db, 0, err, sizeof err), DX_OK);
    assert_int_equal(dx_dbdir_vet(f->db, 1, err, sizeof err),
                     DX_EREFUSED);
    assert_non_null(strstr(err, "'b.txt' and 1 other entry"));
    /* The documents folder given as --db: refused either way. */
    char path[512];
    snprintf(path, sizeof path, "%s/iamglass", f->db);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(dx_dbdir_classify(f->db, other, sizeof other, &n),
                     DX_DIR_FOREIGN);
    assert_int_equal(dx_dbdir_vet(f->db, 0, err, sizeof err),
                     DX_EREFUSED);
    assert_non_null(strstr(err, "not a diarium database"));
    snprintf(path, sizeof path, "%s/b.txt", f->db);
    assert_int_equal(dx_dbdir_vet(path, 0, err, sizeof err), DX_EREFUSED);
    assert_non_null(strstr(err, "not a folder"));
}

/* ------------------------------------------------------------ indexing */

/* Add, modify, touch, rename, delete: exact counts, and what is in the
 * database after each step (issue 6). */
static void test_incremental_cycle(void **state)
{
    struct fx *f = *state;
    struct seen sn;
    dx_stats s;

    write_file(f->docs, "a.txt", TEXT_A);
    write_file(f->docs, "b.txt", TEXT_B);
    write_file(f->docs, "c.txt", TEXT_C);
    write_file(f->docs, "empty.txt", "");
    s = run_index(f->db, f->docs);
    expect_stats(s, 4, 0, 0, 0, 0, 0);
    unsigned pa = passages_of(f->db, "a.txt");
    assert_true(pa >= 2);
    assert_int_equal(passages_of(f->db, "empty.txt"), 0);
    unsigned total = doccount(f->db);

    /* Nothing changed: nothing read. */
    s = run_index(f->db, f->docs);
    expect_stats(s, 0, 0, 0, 0, 4, 0);
    assert_int_equal(s.bytes, 0);

    /* Touched, same content: read and hashed, not analysed. */
    set_mtime(f->docs, "b.txt", 1000000000);
    s = run_index(f->db, f->docs);
    expect_stats(s, 0, 0, 0, 0, 4, 0);
    assert_int_equal(s.bytes, 0);
    /* ... and the record now has the new mtime: skipped unread. */
    s = run_index(f->db, f->docs);
    expect_stats(s, 0, 0, 0, 0, 4, 0);

    /* Modified. */
    write_file(f->docs, "c.txt", "Helt ny text om betyg.\n\nOch en andra "
               "passage om bedömning.\n");
    set_mtime(f->docs, "c.txt", 1100000000);
    s = run_opts(f->db, f->docs, NULL, 0, 0, &sn);
    expect_stats(s, 0, 1, 0, 0, 3, 0);
    assert_int_equal(sn.changes[DX_CHANGE_UPDATE], 1);
    /* Two short paragraphs: merged into one passage (dx_passage.h). */
    assert_int_equal(passages_of(f->db, "c.txt"), 1);
    assert_int_equal(doccount(f->db), total);

    /* Renamed (into a sub-folder): moved, not analysed. */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/2021", f->docs);
    assert_int_equal(mkdir(sub, 0777), 0);
    rename_file(f->docs, "a.txt", "2021/a-flyttad.txt");
    s = run_opts(f->db, f->docs, NULL, 0, 0, &sn);
    expect_stats(s, 0, 0, 1, 0, 3, 0);
    assert_int_equal(s.bytes, 0);
    assert_int_equal(s.passages, 0);
    assert_string_equal(sn.last_other, "a.txt");
    assert_int_equal(passages_of(f->db, "a.txt"), 0);
    assert_int_equal(passages_of(f->db, "2021/a-flyttad.txt"), pa);
    assert_int_equal(doccount(f->db), total);

    /* Deleted, the empty one too (it has a record but no passages). */
    remove_file(f->docs, "b.txt");
    remove_file(f->docs, "empty.txt");
    s = run_opts(f->db, f->docs, NULL, 0, 0, &sn);
    expect_stats(s, 0, 0, 0, 2, 2, 0);
    assert_int_equal(sn.changes[DX_CHANGE_REMOVE], 2);
    assert_int_equal(passages_of(f->db, "b.txt"), 0);
    assert_int_equal(doccount(f->db), total - 1);

    /* A copy of a file that is still there is added, not "renamed". */
    write_file(f->docs, "c-kopia.txt", "Helt ny text om betyg.\n\nOch en "
               "andra passage om bedömning.\n");
    s = run_index(f->db, f->docs);
    expect_stats(s, 1, 0, 0, 0, 2, 0);
    assert_int_equal(check_problems(f->db), 0);
}

/* Compares every passage of document `id` in two databases: terms with
 * wdf and positions, values, data. */
static void expect_same_passages(const char *db1, const char *db2,
                                 const char *id)
{
    xc_db *d[2] = {NULL, NULL};
    unsigned *ids[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    char term[256];
    snprintf(term, sizeof term, "Q%s", id);
    assert_int_equal(xc_db_open(db1, &d[0], NULL), XC_OK);
    assert_int_equal(xc_db_open(db2, &d[1], NULL), XC_OK);
    for (int k = 0; k < 2; k++)
        assert_int_equal(xc_db_postlist(d[k], term, strlen(term), &ids[k],
                                        &n[k], NULL), XC_OK);
    assert_int_equal(n[0], n[1]);
    assert_true(n[0] > 0);
    for (size_t i = 0; i < n[0]; i++) {
        /* Passages in the same order: by passage number. */
        char *v[2][3];
        size_t vl[2][3];
        for (int k = 0; k < 2; k++) {
            assert_int_equal(xc_db_get_value(d[k], ids[k][i], DX_SLOT_DOCID,
                                             &v[k][0], &vl[k][0], NULL),
                             XC_OK);
            assert_int_equal(xc_db_get_value(d[k], ids[k][i],
                                             DX_SLOT_PASSAGE, &v[k][1],
                                             &vl[k][1], NULL), XC_OK);
            assert_int_equal(xc_db_get_value(d[k], ids[k][i], DX_SLOT_DATA,
                                             &v[k][2], &vl[k][2], NULL),
                             XC_OK);
        }
        for (int j = 0; j < 3; j++) {
            assert_int_equal(vl[0][j], vl[1][j]);
            assert_memory_equal(v[0][j], v[1][j], vl[0][j]);
            xc_free(v[0][j]);
            xc_free(v[1][j]);
        }
        xc_termiter *it[2];
        for (int k = 0; k < 2; k++)
            assert_int_equal(xc_db_termlist(d[k], ids[k][i], &it[k], NULL),
                             XC_OK);
        for (;;) {
            const char *t[2];
            size_t tl[2];
            unsigned wdf[2];
            int r0 = xc_termiter_next(it[0], &t[0], &tl[0], &wdf[0], NULL);
            int r1 = xc_termiter_next(it[1], &t[1], &tl[1], &wdf[1], NULL);
            assert_int_equal(r0, r1);
            if (r0 != 1) break;
            assert_int_equal(tl[0], tl[1]);
            assert_memory_equal(t[0], t[1], tl[0]);
            assert_int_equal(wdf[0], wdf[1]);
            unsigned *p[2];
            size_t pn[2];
            for (int k = 0; k < 2; k++)
                assert_int_equal(xc_db_positions(d[k], ids[k][i], t[k],
                                                 tl[k], &p[k], &pn[k], NULL),
                                 XC_OK);
            assert_int_equal(pn[0], pn[1]);
            if (pn[0]) assert_memory_equal(p[0], p[1], pn[0] * sizeof *p[0]);
            xc_free(p[0]);
            xc_free(p[1]);
        }
        xc_termiter_free(it[0]);
        xc_termiter_free(it[1]);
    }
    xc_free(ids[0]);
    xc_free(ids[1]);
    xc_db_close(d[0]);
    xc_db_close(d[1]);
}

/* Moved passages are exactly what analysing the renamed file would give. */
static void test_rename_equals_fresh_index(void **state)
{
    struct fx *f = *state;
    char other[256], db2[256];
    write_file(f->docs, "a.txt", TEXT_A);
    write_file(f->docs, "b.txt", TEXT_B);
    expect_stats(run_index(f->db, f->docs), 2, 0, 0, 0, 0, 0);
    rename_file(f->docs, "a.txt", "ny-a.txt");
    rename_file(f->docs, "b.txt", "ny-b.txt");
    expect_stats(run_index(f->db, f->docs), 0, 0, 2, 0, 0, 0);

    snprintf(other, sizeof other, "%s/docs2", f->dir);
    snprintf(db2, sizeof db2, "%s/db2", f->dir);
    assert_int_equal(mkdir(other, 0777), 0);
    write_file(other, "ny-a.txt", TEXT_A);
    write_file(other, "ny-b.txt", TEXT_B);
    expect_stats(run_index(db2, other), 2, 0, 0, 0, 0, 0);
    expect_same_passages(f->db, db2, "ny-a.txt");
    expect_same_passages(f->db, db2, "ny-b.txt");
    assert_int_equal(doccount(f->db), doccount(db2));
    assert_int_equal(check_problems(f->db), 0);

    /* Two identical files renamed at once: each claims one old record. */
    write_file(f->docs, "tvilling.txt", TEXT_C);
    write_file(f->docs, "tvilling2.txt", TEXT_C);
    expect_stats(run_index(f->db, f->docs), 2, 0, 0, 0, 2, 0);
    rename_file(f->docs, "tvilling.txt", "t1.txt");
    rename_file(f->docs, "tvilling2.txt", "t2.txt");
    expect_stats(run_index(f->db, f->docs), 0, 0, 2, 0, 2, 0);
    assert_int_equal(passages_of(f->db, "tvilling.txt"), 0);
    assert_int_equal(passages_of(f->db, "tvilling2.txt"), 0);
    assert_int_equal(passages_of(f->db, "t1.txt"), 1);
    assert_int_equal(passages_of(f->db, "t2.txt"), 1);
    assert_int_equal(check_problems(f->db), 0);
}

/* Only documents of the roots walked in this run are removed. */
/* Issue 38: a PATH spelled differently is one root. */
static void test_root_spellings(void **state)
{
    struct fx *f = *state;
    char cwd[1024], p[512], link[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char *real = realpath(f->docs, NULL);
    assert_non_null(real);

    /* dx_root_canon: trailing slashes, "." and a symbolic link. */
    static const char *const tails[] = {"/docs", "/docs/", "/./docs//",
                                        "/docs/../docs"};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        snprintf(p, sizeof p, "%s%s", f->dir, tails[i]);
        char *c = dx_root_canon(p);
        assert_non_null(c);
        assert_string_equal(c, real);
        free(c);
    }
    snprintf(link, sizeof link, "%s/link", f->dir);
    assert_int_equal(symlink(f->docs, link), 0);
    char *c = dx_root_canon(link);
    assert_string_equal(c, real);
    free(c);
    /* A path that does not exist: made absolute, "." and ".." resolved as
     * written. */
    c = dx_root_canon("/nonexistent-38/a/./../b//");
    assert_string_equal(c, "/nonexistent-38/b");
    free(c);
    assert_int_equal(chdir(f->dir), 0);
    c = dx_root_canon("gone-38/x/");
    snprintf(p, sizeof p, "%s/gone-38/x", f->dir);
    char *rdir = realpath(f->dir, NULL);
    snprintf(p, sizeof p, "%s/gone-38/x", rdir);
    assert_string_equal(c, p);
    free(c);

    /* dx_roots_find: canonical, resolving from here, and (when it does not
     * resolve) relative names as the last components of one root. */
    dx_roots *rs = dx_roots_new();
    assert_non_null(rs);
    snprintf(p, sizeof p, "%s/other/docs", rdir);
    assert_int_equal(dx_roots_add(rs, real), 0);
    assert_int_equal(dx_roots_find(rs, real), 0);
    assert_int_equal(dx_roots_find(rs, "docs"), 0);
    assert_int_equal(dx_roots_find(rs, "./docs/"), 0);
    assert_int_equal(dx_roots_find(rs, "link"), 0);
    assert_int_equal(chdir("/"), 0);
    assert_int_equal(dx_roots_find(rs, "docs"), 0);   /* remembered */
    assert_int_equal(dx_roots_find(rs, "./docs"), 0); /* by its tail */
    assert_int_equal(dx_roots_find(rs, "x/docs"), -1);
    assert_int_equal(dx_roots_find(rs, "ocs"), -1);
    assert_int_equal(dx_roots_find(rs, "../docs"), -1);
    assert_int_equal(dx_roots_find(rs, "/elsewhere/docs"), -1);
    /* Two roots ending in "docs": an unresolvable "docs" is neither. */
    assert_int_equal(dx_roots_add(rs, p), 0);
    assert_int_equal(dx_roots_find(rs, "./docs"), -1);
    assert_int_equal(dx_roots_find(rs, "other/docs"), 1);
    dx_roots_free(rs);
    dx_roots_free(NULL);

    /* Indexing: `docs`, `./docs/`, the absolute path and a link are one
     * root; a file withdrawn is removed, a rename is a rename. */
    write_file(f->docs, "a.txt", TEXT_A);
    write_file(f->docs, "b.txt", TEXT_B);
    write_file(f->docs, "c.txt", TEXT_C);
    assert_int_equal(chdir(f->dir), 0);
    expect_stats(run_index(f->db, "docs"), 3, 0, 0, 0, 0, 0);
    expect_stats(run_index(f->db, "./docs/"), 0, 0, 0, 0, 3, 0);
    expect_stats(run_index(f->db, link), 0, 0, 0, 0, 3, 0);
    remove_file(f->docs, "c.txt");
    expect_stats(run_index(f->db, real), 0, 0, 0, 1, 2, 0);
    rename_file(f->docs, "b.txt", "b2.txt");
    expect_stats(run_index(f->db, "docs"), 0, 0, 1, 0, 1, 0);
    assert_int_equal(passages_of(f->db, "b.txt"), 0);
    assert_true(passages_of(f->db, "b2.txt") > 0);

    /* Records of an earlier version keep the PATH as it was given ("docs",
     * from f->dir); a run from another folder with the absolute path
     * still owns them: nothing is added twice, gone files go, and the
     * records are rewritten canonically (read nothing, change nothing
     * else). */
    write_file(f->docs, "c.txt", TEXT_C);
    expect_stats(run_index(f->db, "docs"), 1, 0, 0, 0, 2, 0);
    static const char *const ids[] = {"a.txt", "b2.txt", "c.txt"};
    xc_wdb *w = NULL;
    assert_int_equal(xc_wdb_open(f->db, XC_OPEN, &w, NULL), XC_OK);
    for (size_t i = 0; i < 3; i++) {
        char key[256], *val = NULL, out[4400];
        size_t vl = 0;
        dx_record r;
        snprintf(key, sizeof key, "%s%s", DX_META_DOC, ids[i]);
        assert_int_equal(xc_db_get_metadata(xc_wdb_reader(w), key,
                                            strlen(key), &val, &vl, NULL),
                         XC_OK);
        assert_int_equal(dx_record_parse(val, vl, &r), 0);
        xc_free(val);
        assert_string_equal(r.root, real);
        strcpy(r.root, i == 2 ? "./docs/" : "docs");
        size_t n = dx_record_format(&r, out, sizeof out);
        assert_int_equal(xc_wdb_set_metadata(w, key, strlen(key), out, n,
                                             NULL), XC_OK);
    }
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);
    assert_int_equal(chdir("/"), 0);
    remove_file(f->docs, "c.txt");
    expect_stats(run_index(f->db, real), 0, 0, 0, 1, 2, 0);
    assert_int_equal(passages_of(f->db, "c.txt"), 0);
    expect_stats(run_index(f->db, real), 0, 0, 0, 0, 2, 0);
    assert_int_equal(check_problems(f->db), 0);
    xc_db *d = NULL;
    char *val = NULL;
    size_t vl = 0;
    dx_record r;
    char key[256];
    snprintf(key, sizeof key, "%sa.txt", DX_META_DOC);
    assert_int_equal(xc_db_open(f->db, &d, NULL), XC_OK);
    assert_int_equal(xc_db_get_metadata(d, key, strlen(key), &val, &vl,
                                        NULL), XC_OK);
    assert_int_equal(dx_record_parse(val, vl, &r), 0);
    assert_string_equal(r.root, real); /* rewritten */
    xc_free(val);
    xc_db_close(d);

    assert_int_equal(chdir(cwd), 0);
    free(real);
    free(rdir);
}

static void test_roots(void **state)
{
    struct fx *f = *state;
    char r2[256];
    snprintf(r2, sizeof r2, "%s/other", f->dir);
    assert_int_equal(mkdir(r2, 0777), 0);
    write_file(f->docs, "a.txt", TEXT_A);
    write_file(r2, "b.txt", TEXT_B);
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, NULL), 2, 0, 0, 0, 0, 0);
    /* A root given twice is walked once. */
    expect_stats(run_opts(f->db, f->docs, f->docs, 0, 0, NULL), 0, 0, 0, 0,
                 1, 0);
    /* Indexing only docs/ leaves other/'s documents alone. */
    expect_stats(run_index(f->db, f->docs), 0, 0, 0, 0, 1, 0);
    assert_true(passages_of(f->db, "b.txt") > 0);
    /* The same id under two roots of one run: the first keeps it. */
    write_file(r2, "a.txt", TEXT_C);
    struct seen sn;
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, &sn), 0, 0, 0, 0, 2, 1);
    assert_int_equal(sn.problems, 1);

    /* A root that cannot be read, or holds no document any more (an
     * unmounted share), keeps its documents, and says so. */
    remove_file(r2, "a.txt");
    remove_file(r2, "b.txt");
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, &sn), 0, 0, 0, 0, 1, 1);
    assert_int_equal(sn.problems, 1);
    assert_true(passages_of(f->db, "b.txt") > 0);
    assert_int_equal(rmdir(r2), 0);
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, &sn), 0, 0, 0, 0, 1, 2);
    assert_int_equal(sn.problems, 2); /* the walk's, and "kept" */
    assert_true(passages_of(f->db, "b.txt") > 0);
    /* --full drops them. */
    expect_stats(run_opts(f->db, f->docs, NULL, 1, 0, NULL), 1, 0, 0, 0, 0,
                 0);
    assert_int_equal(passages_of(f->db, "b.txt"), 0);
    /* A root that still has one file is trusted: the others are gone. */
    assert_int_equal(mkdir(r2, 0777), 0);
    write_file(r2, "x.txt", TEXT_B);
    write_file(r2, "y.txt", TEXT_C);
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, NULL), 2, 0, 0, 0, 1, 0);
    remove_file(r2, "y.txt");
    expect_stats(run_opts(f->db, f->docs, r2, 0, 0, NULL), 0, 0, 0, 1, 2, 0);
}

/* The analysis fingerprint and the format version (issue 6): a database
 * made otherwise is refused with a message that says --full, and --full
 * rebuilds it. */
static void test_analysis_change(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *key, *val;
    } rows[] = {
        {DX_META_ANALYSIS, "other"},
        {DX_META_FORMAT, "1"},
    };
    write_file(f->docs, "a.txt", TEXT_A);
    expect_stats(run_index(f->db, f->docs), 1, 0, 0, 0, 0, 0);
    for (size_t i = 0; i < 2; i++) {
        set_meta(f->db, rows[i].key, rows[i].val);
        dx_indexer *ix = NULL;
        char err[1024] = "";
        assert_int_equal(dx_indexer_open(f->db, NULL, &ix, err, sizeof err),
                         DX_EANALYSIS);
        assert_null(ix);
        assert_non_null(strstr(err, "--full"));
        /* A dry run says the same. */
        dx_options o = {0};
        o.dry_run = 1;
        assert_int_equal(dx_indexer_open(f->db, &o, &ix, err, sizeof err),
                         DX_EANALYSIS);
        assert_true(check_problems(f->db) > 0);
        expect_stats(run_opts(f->db, f->docs, NULL, 1, 0, NULL), 1, 0, 0, 0,
                     0, 0);
        expect_stats(run_index(f->db, f->docs), 0, 0, 0, 0, 1, 0);
        assert_int_equal(check_problems(f->db), 0);
    }
}

static void test_dry_run(void **state)
{
    struct fx *f = *state;
    struct seen sn;
    write_file(f->docs, "a.txt", TEXT_A);
    write_file(f->docs, "b.txt", TEXT_B);
    write_file(f->docs, "c.txt", TEXT_C);
    /* No database yet: everything would be added; nothing is created. */
    expect_stats(run_opts(f->db, f->docs, NULL, 0, 1, &sn), 3, 0, 0, 0, 0,
                 0);
    assert_int_equal(sn.changes[DX_CHANGE_ADD], 3);
    assert_false(exists(f->db));
    expect_stats(run_index(f->db, f->docs), 3, 0, 0, 0, 0, 0);
    unsigned total = doccount(f->db);

    write_file(f->docs, "a.txt", "Ändrad.\n");
    set_mtime(f->docs, "a.txt", 1200000000);
    rename_file(f->docs, "b.txt", "b2.txt");
    remove_file(f->docs, "c.txt");
    write_file(f->docs, "d.txt", "Ny.\n");
    expect_stats(run_opts(f->db, f->docs, NULL, 0, 1, &sn), 1, 1, 1, 1, 0,
                 0);
    assert_string_equal(sn.last_other, "b.txt");
    /* The database did not move. */
    assert_int_equal(doccount(f->db), total);
    assert_true(passages_of(f->db, "c.txt") > 0);
    expect_stats(run_index(f->db, f->docs), 1, 1, 1, 1, 0, 0);
    /* --full --dry-run: everything would be added. */
    expect_stats(run_opts(f->db, f->docs, NULL, 1, 1, NULL), 3, 0, 0, 0, 0,
                 0);
}

/* A --full that does not finish leaves the old database as it was. */
static void test_full_interrupted(void **state)
{
    struct fx *f = *state;
    char tmp[256], other[256], err[1024] = "";
    write_file(f->docs, "a.txt", TEXT_A);
    expect_stats(run_index(f->db, f->docs), 1, 0, 0, 0, 0, 0);
    unsigned total = doccount(f->db);

    snprintf(other, sizeof other, "%s/other", f->dir);
    assert_int_equal(mkdir(other, 0777), 0);
    write_file(other, "b.txt", TEXT_B);
    dx_options o = {0};
    o.full = 1;
    dx_indexer *ix = NULL;
    assert_int_equal(dx_indexer_open(f->db, &o, &ix, err, sizeof err),
                     DX_OK);
    assert_int_equal(dx_indexer_add_root(ix, other, NULL, NULL, err,
                                         sizeof err), DX_OK);
    assert_int_equal(dx_dbdir_temp_path(f->db, tmp, sizeof tmp), DX_OK);
    assert_true(exists(tmp));
    /* While it runs, the old database answers, and a second writer is
     * turned away. */
    assert_int_equal(doccount(f->db), total);
    dx_indexer *ix2 = NULL;
    assert_int_equal(dx_indexer_open(f->db, NULL, &ix2, err, sizeof err),
                     DX_ELOCKED);
    assert_non_null(strstr(err, "pid"));
    dx_indexer_close(ix); /* never finished */
    assert_false(exists(tmp));
    assert_int_equal(doccount(f->db), total);
    assert_true(passages_of(f->db, "a.txt") > 0);
    assert_int_equal(passages_of(f->db, "b.txt"), 0);
    assert_int_equal(check_problems(f->db), 0);

    /* Finished, it replaces the database; no sibling is left. */
    expect_stats(run_opts(f->db, other, NULL, 1, 0, NULL), 1, 0, 0, 0, 0, 0);
    assert_int_equal(passages_of(f->db, "a.txt"), 0);
    assert_true(passages_of(f->db, "b.txt") > 0);
    assert_false(exists(tmp));
    assert_int_equal(check_problems(f->db), 0);
}

/* --check finds what is wrong. */
static void test_check_finds_damage(void **state)
{
    struct fx *f = *state;
    dx_check_stats st;
    char err[512], mkey[64];
    write_file(f->docs, "a.txt", TEXT_A);
    write_file(f->docs, "b.txt", TEXT_B);
    expect_stats(run_index(f->db, f->docs), 2, 0, 0, 0, 0, 0);
    assert_int_equal(dx_check(f->db, NULL, NULL, &st, err, sizeof err),
                     DX_OK);
    assert_int_equal(st.problems, 0);
    assert_int_equal(st.documents, 2);
    assert_int_equal(st.passages, doccount(f->db));
    /* A writer holds it. */
    dx_indexer *w0 = NULL;
    assert_int_equal(dx_indexer_open(f->db, NULL, &w0, err, sizeof err),
                     DX_OK);
    assert_int_equal(dx_check(f->db, NULL, NULL, &st, err, sizeof err),
                     DX_ELOCKED);
    dx_indexer_close(w0);

    /* A record with a wrong passage count. */
    snprintf(mkey, sizeof mkey, "%sb.txt", DX_META_DOC);
    set_meta(f->db, mkey, "x\t1\t1\t7\t0000000000000000");
    assert_true(check_problems(f->db) >= 2); /* count, and the sum */
    /* A Q term without a record. */
    xc_wdb *w = NULL;
    assert_int_equal(xc_wdb_open(f->db, XC_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_wdb_set_metadata(w, mkey, strlen(mkey), "", 0, NULL),
                     XC_OK);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);
    assert_true(check_problems(f->db) >= 1);
    /* A run refuses to write to it (it checks what was changed behind its
     * back), saying what is wrong and what to do. */
    dx_indexer *ix = NULL;
    assert_int_equal(dx_indexer_open(f->db, NULL, &ix, err, sizeof err),
                     DX_EDB);
    assert_null(ix);
    assert_non_null(strstr(err, "is damaged"));
    assert_non_null(strstr(err, "--full"));
    /* No database at all. */
    assert_int_equal(dx_check("/nonexistent/db", NULL, NULL, &st, err,
                              sizeof err), DX_OK);
    assert_int_equal(st.problems, 1);
}

/* Replaces the stored form of passage `id`'s data (its DX_SLOT_DATA
 * value) with (stored, len) as given. */
static void set_stored(const char *db, unsigned id, const char *stored,
                       size_t len)
{
    xc_wdb *w = NULL;
    xc_doc *d = NULL;
    assert_int_equal(xc_wdb_open(db, XC_OPEN, &w, NULL), XC_OK);
    assert_int_equal(xc_db_document(xc_wdb_reader(w), id, &d, NULL), XC_OK);
    assert_int_equal(xc_doc_set_value(d, DX_SLOT_DATA, stored, len, NULL),
                     XC_OK);
    assert_int_equal(xc_wdb_replace(w, id, d, NULL), XC_OK);
    xc_doc_free(d);
    assert_int_equal(xc_wdb_commit(w, NULL), XC_OK);
    xc_wdb_close(w);
}

/* Replaces the stored data of passage `id` with (data, len), stored as the
 * indexer stores it (dx_data_store). */
static void set_data(const char *db, unsigned id, const char *data,
                     size_t len)
{
    size_t cap = dx_store_bound(len);
    assert_true(cap > 0);
    char *st = malloc(cap);
    assert_non_null(st);
    size_t sl = dx_data_store(data, len, st, cap);
    assert_true(sl > DX_STORE_HEADER);
    set_stored(db, id, st, sl);
    free(st);
}

/* The stored data (dx_format.h): the passage text where the record's
 * offset says, its number as in its slot, the document's fields; --check
 * notices every kind of damage to it, and a query names the passage. */
static void test_stored_data(void **state)
{
    struct fx *f = *state;
    static const char doc[] =
        "Beslut\n  2020-02-03\nKalmar kommun\nDnr 2021:2323\n\n"
        "Inledning\n\nSkolinspektionen bedömer att huvudmannen har "
        "vidtagit kompensatoriska åtgärder.\n";
    write_file(f->docs, "k.txt", doc);
    expect_stats(run_index(f->db, f->docs), 1, 0, 0, 0, 0, 0);
    assert_int_equal(check_problems(f->db), 0);

    xc_db *db = NULL;
    unsigned *ids = NULL;
    size_t n = 0;
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    assert_int_equal(xc_db_postlist(db, "Qk.txt", 6, &ids, &n, NULL), XC_OK);
    assert_true(n >= 1);
    char *stored = NULL, *data = NULL, *pn = NULL, *xd = NULL;
    size_t sl = 0, dl = 0, pl = 0, xl = 0;
    /* The data is in its slot, compressed; Xapian's own data is empty. */
    assert_int_equal(xc_db_get_data(db, ids[0], &xd, &xl, NULL), XC_OK);
    assert_int_equal(xl, 0);
    xc_free(xd);
    assert_int_equal(xc_db_get_value(db, ids[0], DX_SLOT_DATA, &stored, &sl,
                                     NULL), XC_OK);
    assert_int_equal(dx_data_load(stored, sl, &data, &dl), DX_OK);
    assert_int_equal(stored[0], DX_STORE_LZ4);
    assert_int_equal(dx_get_be32((unsigned char *)stored + 1), dl);
    assert_int_equal(xc_db_get_value(db, ids[0], DX_SLOT_PASSAGE, &pn, &pl,
                                     NULL), XC_OK);
    dx_data d;
    assert_int_equal(dx_data_parse(data, dl, &d), DX_OK);
    assert_int_equal(pl, 4);
    assert_int_equal(d.passage, dx_get_be32((unsigned char *)pn));
    assert_true(d.textlen > 0);
    /* The first passage starts the cleaned text: the header's words. */
    assert_int_equal(d.offset, 0);
    assert_true(d.textlen >= 6);
    assert_memory_equal(d.text, "Beslut", 6);
    /* A text document has no pages. */
    assert_int_equal(d.page, 0);
    assert_int_equal(d.page_end, 0);
    assert_int_equal(d.labellen, 0);
    assert_int_equal(d.ocr, -1);
    assert_int_equal(d.fieldlen[DX_FIELD_DATE], 10);
    assert_memory_equal(d.field[DX_FIELD_DATE], "2020-02-03", 10);
    assert_int_equal(d.fieldlen[DX_FIELD_KOMMUN], 6);
    assert_memory_equal(d.field[DX_FIELD_KOMMUN], "Kalmar", 6);
    assert_int_equal(d.fieldlen[DX_FIELD_DNR], 9);
    assert_memory_equal(d.field[DX_FIELD_DNR], "2021:2323", 9);
    assert_true(d.fieldlen[DX_FIELD_META] > 2);
    assert_int_equal(d.field[DX_FIELD_META][0], '{');
    assert_int_equal(d.field[DX_FIELD_META][d.fieldlen[DX_FIELD_META] - 1],
                     '}');
    /* The facet slot agrees with the field; the slots of format 4 that
     * moved into the data are gone (slot 3 holds the data since format
     * 7). */
    char *v = NULL;
    size_t vl = 0;
    assert_int_equal(xc_db_get_value(db, ids[0], DX_SLOT_KOMMUN, &v, &vl,
                                     NULL), XC_OK);
    assert_int_equal(vl, 6);
    xc_free(v);
    for (unsigned slot = 8; slot <= 9; slot++) {
        assert_int_equal(xc_db_get_value(db, ids[0], slot, &v, &vl, NULL),
                         XC_OK);
        assert_int_equal(vl, 0);
        xc_free(v);
    }
    /* Parsing refuses what does not add up. */
    assert_int_equal(dx_data_parse(data, dl - 1, &d), DX_EDAMAGED);
    assert_int_equal(dx_data_parse(data, DX_DATA_HEADER - 1, &d),
                     DX_EFORMAT);
    char *copy = malloc(dl + 1);
    assert_non_null(copy);
    memcpy(copy, data, dl);
    copy[dl] = 'x';
    assert_int_equal(dx_data_parse(copy, dl + 1, &d), DX_EDAMAGED);
    copy[0] = (char)(DX_DATA_VERSION - 1);
    assert_int_equal(dx_data_parse(copy, dl, &d), DX_EFORMAT);
    /* Loading refuses what is not stored so or does not decompress. */
    char *back = NULL;
    size_t bl = 0;
    assert_int_equal(dx_data_load(stored, 0, &back, &bl), DX_EFORMAT);
    assert_int_equal(dx_data_load(stored, DX_STORE_HEADER - 1, &back, &bl),
                     DX_EFORMAT);
    assert_int_equal(dx_data_load(stored, sl - 1, &back, &bl), DX_EDAMAGED);
    assert_null(back);
    char *scopy = malloc(sl);
    assert_non_null(scopy);
    memcpy(scopy, stored, sl);
    scopy[0] = DX_STORE_LZ4 + 1;
    assert_int_equal(dx_data_load(scopy, sl, &back, &bl), DX_EFORMAT);
    scopy[0] = DX_STORE_LZ4;
    dx_put_be32((unsigned char *)scopy + 1, (uint32_t)dl + 1);
    assert_int_equal(dx_data_load(scopy, sl, &back, &bl), DX_EDAMAGED);
    dx_put_be32((unsigned char *)scopy + 1, (uint32_t)DX_DATA_MAX + 1);
    assert_int_equal(dx_data_load(scopy, sl, &back, &bl), DX_EDAMAGED);
    xc_db_close(db);

    /* --check: stored data cut short, or not in the stored form. */
    char why[512];
    set_stored(f->db, ids[0], stored, sl - 1);
    assert_int_equal(check_problem_text(f->db, why), 1);
    assert_non_null(strstr(why, "does not decompress"));
    set_stored(f->db, ids[0], "", 0);
    assert_int_equal(check_problem_text(f->db, why), 1);
    assert_non_null(strstr(why, "missing or not LZ4"));
    set_stored(f->db, ids[0], scopy, sl);
    assert_int_equal(check_problem_text(f->db, why), 1);
    assert_non_null(strstr(why, "does not decompress"));
    free(scopy);

    /* --check: another version; a field cut short; a wrong number. */
    set_data(f->db, ids[0], copy, dl);
    assert_int_equal(check_problems(f->db), 1);
    set_data(f->db, ids[0], data, dl - 1);
    assert_int_equal(check_problems(f->db), 1);
    memcpy(copy, data, dl);
    dx_put_be32((unsigned char *)copy + 9, 77);
    set_data(f->db, ids[0], copy, dl);
    assert_int_equal(check_problems(f->db), 1);

    /* A query that finds the damaged passage fails with its name. */
    set_data(f->db, ids[0], data, dl - 1);
    dq_engine *e = NULL;
    char err[512] = "";
    assert_int_equal(dq_engine_open(f->db, &e, err, sizeof err), DQ_OK);
    dq_options o = {0};
    o.limit = 10;
    dq_results *r = NULL;
    int rc = dq_search(e, "kompensatoriska", 15, &o, &r, err, sizeof err,
                       NULL);
    assert_int_equal(rc, DQ_EDB);
    assert_non_null(strstr(err, "k.txt"));
    assert_non_null(strstr(err, "damaged"));
    dq_engine_close(e);
    /* Mended, all is well again. */
    set_data(f->db, ids[0], data, dl);
    assert_int_equal(check_problems(f->db), 0);
    /* A query on a passage whose stored form is cut short fails too. */
    set_stored(f->db, ids[0], stored, sl - 1);
    assert_int_equal(dq_engine_open(f->db, &e, err, sizeof err), DQ_OK);
    r = NULL;
    rc = dq_search(e, "kompensatoriska", 15, &o, &r, err, sizeof err, NULL);
    assert_int_equal(rc, DQ_EDB);
    assert_non_null(strstr(err, "damaged"));
    dq_engine_close(e);
    set_stored(f->db, ids[0], stored, sl);
    assert_int_equal(check_problems(f->db), 0);
    free(copy);
    free(data);
    xc_free(stored);
    xc_free(pn);
    xc_free(ids);
}

static unsigned tfreq(xc_db *db, const char *term)
{
    unsigned f = 0;
    assert_int_equal(xc_db_termfreq(db, term, strlen(term), &f, NULL), XC_OK);
    return f;
}

/* The results of a search for q with --exact (exact) and --explain
 * (explain), the first 10; the caller frees them and closes *e. */
static dq_results *search(const char *dbp, const char *q, int exact,
                          int explain, dq_engine **e)
{
    char err[512] = "";
    assert_int_equal(dq_engine_open(dbp, e, err, sizeof err), DQ_OK);
    dq_options o = {0};
    o.limit = 10;
    o.exact = exact;
    o.explain = explain;
    dq_results *r = NULL;
    assert_int_equal(dq_search(*e, q, strlen(q), &o, &r, err, sizeof err,
                               NULL), DQ_OK);
    return r;
}

/* The passages of that search in rank order, as "a.txt b.txt";
 * *stem_freq: what --explain (explain != 0) or the planner counts. */
static void search_docs(const char *dbp, const char *q, int exact,
                        int explain, char *out, size_t cap,
                        unsigned *stem_freq)
{
    dq_engine *e = NULL;
    dq_results *r = search(dbp, q, exact, explain, &e);
    out[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        size_t at = strlen(out);
        snprintf(out + at, cap - at, "%s%s", i ? " " : "", r->hits[i].doc);
    }
    *stem_freq = r->plan->nwords ? r->plan->words[0].stem_freq : 0;
    dq_results_free(r);
    dq_engine_close(e);
}

/* A token that is its own stem has no Z term (format 6); exact search
 * still finds every form of the stem, counted once. */
static void test_stem_terms(void **state)
{
    struct fx *f = *state;
    write_file(f->docs, "a.txt", "Elev i klassen.\n");
    write_file(f->docs, "b.txt", "Eleverna i klassen.\n");
    write_file(f->docs, "c.txt", "Ärenden i klassen.\n");
    write_file(f->docs, "d.txt", "Ärendena i klassen.\n");
    write_file(f->docs, "e.txt", "Elev och elev och eleverna 2021.\n");
    expect_stats(run_index(f->db, f->docs), 5, 0, 0, 0, 0, 0);

    xc_db *db = NULL;
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    assert_int_equal(tfreq(db, "Zelev"), 2);  /* eleverna: b, e */
    assert_int_equal(tfreq(db, "Zoch"), 0);   /* own stems: S only */
    assert_int_equal(tfreq(db, "Zi"), 0);
    assert_int_equal(tfreq(db, "Z2021"), 0);
    assert_int_equal(tfreq(db, "Zärend"), 1);   /* ärenden: c */
    assert_int_equal(tfreq(db, "Zärenden"), 1); /* ärendena: d */
    assert_int_equal(tfreq(db, "Selev"), 2); /* elev: a, e */
    /* Its spelling key, under its skeleton (format 8) */
    char skel[SV_SKELETON_MAX], t[SV_SKELETON_MAX + 16];
    size_t kl = sv_skeleton("elev", 4, skel, sizeof skel);
    assert_true(kl > 0);
    size_t tl = dx_spelling_key(t, sizeof t, skel, kl, "elev", 4);
    assert_int_equal(tfreq(db, t), 0); /* not a term */
    char *val = NULL;
    size_t vlen = 0;
    assert_int_equal(xc_db_get_metadata(db, t, tl, &val, &vlen, NULL),
                     XC_OK);
    assert_non_null(val);
    assert_memory_equal(val, DX_SPELLING_VALUE, vlen);
    xc_free(val);
    xc_db_close(db);

    char docs[256];
    unsigned sf = 0;
    /* Every form of elev; e.txt (three of them) first; three passages
     * counted exactly for --explain, both terms added up otherwise. */
    search_docs(f->db, "elev", 1, 1, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt a.txt b.txt");
    assert_int_equal(sf, 3);
    search_docs(f->db, "eleverna", 1, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt a.txt b.txt");
    assert_int_equal(sf, 4);
    /* ärenden is the stem of ärendena but a form of the stem ärend: the
     * S term of ärenden does not belong to ärendena. */
    search_docs(f->db, "ärendena", 1, 1, docs, sizeof docs, &sf);
    assert_string_equal(docs, "d.txt");
    assert_int_equal(sf, 1);
    search_docs(f->db, "ärenden", 1, 1, docs, sizeof docs, &sf);
    assert_string_equal(docs, "c.txt");
    search_docs(f->db, "2021", 1, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt");
    search_docs(f->db, "och", 1, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt");
}

/* The terms of passage `id`, sorted, into v (malloc'd strings, *n of
 * them): those with prefix D (without it) when dlevel, the others
 * otherwise. */
static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void passage_terms(xc_db *db, unsigned id, int dlevel, char ***v,
                          size_t *n, size_t *cap)
{
    xc_termiter *it = NULL;
    assert_int_equal(xc_db_termlist(db, id, &it, NULL), XC_OK);
    const char *t;
    size_t tl;
    while (xc_termiter_next(it, &t, &tl, NULL, NULL) == 1) {
        int d = t[0] == DX_PREFIX_DOCLEVEL;
        if (d != dlevel) continue;
        if (!dlevel && t[0] != DX_PREFIX_STEM && t[0] != DX_PREFIX_FORM)
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *v = realloc(*v, *cap * sizeof **v);
            assert_non_null(*v);
        }
        (*v)[*n] = strndup(t + d, tl - d);
        assert_non_null((*v)[*n]);
        (*n)++;
    }
    xc_termiter_free(it);
}

/* Sorts v[0, *n) and removes repeats. */
static void sort_unique(char **v, size_t *n)
{
    qsort(v, *n, sizeof *v, cmp_strp);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k && !strcmp(v[k - 1], v[i])) {
            free(v[i]);
            continue;
        }
        v[k++] = v[i];
    }
    *n = k;
}

/* Document `doc` has `want` passages with consecutive ids, passage 0
 * first, and its last one (only) carries D<term> for every Z and S term of
 * any of its passages (dx_format.h, format 10). */
static void expect_doclevel(xc_db *db, const char *doc, unsigned want)
{
    char key[DX_DOC_KEY_MAX + 2];
    key[0] = DX_PREFIX_DOC;
    size_t kl = 1 + dx_doc_key(doc, strlen(doc), key + 1);
    unsigned *ids = NULL;
    size_t n = 0;
    assert_int_equal(xc_db_postlist(db, key, kl, &ids, &n, NULL), XC_OK);
    assert_int_equal(n, want);
    char **all = NULL, **dl = NULL;
    size_t na = 0, ca = 0, nd = 0, cd = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ids[i], ids[0] + i);
        char *v = NULL;
        size_t vl = 0;
        assert_int_equal(xc_db_get_value(db, ids[i], DX_SLOT_PASSAGE, &v, &vl,
                                         NULL), XC_OK);
        assert_int_equal(vl, 4);
        assert_int_equal(dx_get_be32((const unsigned char *)v), i);
        xc_free(v);
        passage_terms(db, ids[i], 0, &all, &na, &ca);
        size_t before = nd;
        passage_terms(db, ids[i], 1, &dl, &nd, &cd);
        if (i + 1 < n) assert_int_equal(nd, before); /* not before the last */
    }
    sort_unique(all, &na);
    assert_true(na > 0);
    assert_int_equal(nd, na);
    qsort(dl, nd, sizeof *dl, cmp_strp);
    for (size_t i = 0; i < na; i++) assert_string_equal(dl[i], all[i]);
    for (size_t i = 0; i < na; i++) free(all[i]);
    for (size_t i = 0; i < nd; i++) free(dl[i]);
    free(all);
    free(dl);
    xc_free(ids);
}

/* A paragraph of about 1,300 bytes (a passage of its own) with `words`. */
static void paragraph(char *out, size_t cap, const char *words)
{
    size_t at = (size_t)snprintf(out, cap, "%s", words);
    while (at < 1300 && at + 80 < cap)
        at += (size_t)snprintf(out + at, cap - at, " och undervisningen i "
                               "varje klass följs upp av rektor");
    snprintf(out + at, cap - at, ".");
}

/* Document-level postings (format 10): D terms on the last passage, in a
 * parallel first build and in a one-thread update, gone with the words. */
static void test_doclevel_terms(void **state)
{
    struct fx *f = *state;
    char p[3][1500], text[5000];
    paragraph(p[0], sizeof p[0], "Eleverna läser");
    paragraph(p[1], sizeof p[1], "Skolan stänger 2021");
    paragraph(p[2], sizeof p[2], "Lärarna 1 skolan");
    snprintf(text, sizeof text, "%s\n\n%s\n\n%s\n", p[0], p[1], p[2]);
    write_file(f->docs, "multi.txt", text);
    write_file(f->docs, "one.txt", "Rektorn beslutar.\n");
    expect_stats(run_index(f->db, f->docs), 2, 0, 0, 0, 0, 0);
    xc_db *db = NULL;
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    expect_doclevel(db, "multi.txt", 3);
    expect_doclevel(db, "one.txt", 1);
    assert_int_equal(tfreq(db, "DSeleverna"), 1);
    assert_int_equal(tfreq(db, "DZelev"), 1);
    assert_int_equal(tfreq(db, "DSstänger"), 1);
    assert_int_equal(tfreq(db, "DS2021"), 1);
    assert_int_equal(tfreq(db, "DSi"), 1); /* OCR's "1" for "i" */
    assert_int_equal(tfreq(db, "DSrektorn"), 1); /* one.txt */
    assert_int_equal(tfreq(db, "DSrektor"), 1);  /* multi.txt */
    xc_db_close(db);

    /* Re-indexed without its middle paragraph: two passages, and stänger
     * is gone from the document level too. */
    snprintf(text, sizeof text, "%s\n\n%s\n", p[0], p[2]);
    write_file(f->docs, "multi.txt", text);
    set_mtime(f->docs, "multi.txt", 1000000000);
    expect_stats(run_index(f->db, f->docs), 0, 1, 0, 0, 1, 0);
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    expect_doclevel(db, "multi.txt", 2);
    expect_doclevel(db, "one.txt", 1);
    assert_int_equal(tfreq(db, "DSstänger"), 0);
    assert_int_equal(tfreq(db, "DS2021"), 0);
    assert_int_equal(tfreq(db, "DSeleverna"), 1);
    xc_db_close(db);
}

/* OCR that drops an ö ("frordningen"): found under the skeleton of the
 * form without it, at the cost of a deletion, and never by --exact; a
 * different word (fordringen) is not, nor a single letter left ("p"). */
static void test_dropped_letter(void **state)
{
    struct fx *f = *state;
    write_file(f->docs, "a.txt", "Förordningen gäller från i dag.\n");
    write_file(f->docs, "b.txt", "Frordningen gäller från i dag.\n");
    write_file(f->docs, "c.txt", "Forordningen gäller från i dag.\n");
    write_file(f->docs, "d.txt", "Fordringen gäller från i dag.\n");
    write_file(f->docs, "e.txt", "Se p 4 i listan.\n");
    write_file(f->docs, "f.txt", "Vi kom på mötet.\n");
    expect_stats(run_index(f->db, f->docs), 6, 0, 0, 0, 0, 0);
    char docs[256];
    unsigned sf = 0;
    /* The exact spelling first; the damaged ones weigh alike (one
     * synonym); the other word not at all. */
    search_docs(f->db, "förordning", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt b.txt c.txt");
    search_docs(f->db, "förordningen", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt b.txt c.txt");
    search_docs(f->db, "förordningen", 1, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt");
    /* One letter left is no word: "p" is not "på". */
    search_docs(f->db, "på", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "f.txt");

    /* With --explain: the spelling and its cost (a deleted ö, 0.5). */
    dq_engine *e = NULL;
    dq_results *r = search(f->db, "förordning", 0, 1, &e);
    assert_int_equal(r->plan->nwords, 1);
    const dq_variants *v = &r->plan->words[0].variants;
    int seen = 0;
    for (size_t i = 0; i < v->n; i++) {
        const dq_variant *x = &v->v[i];
        assert_false(x->formlen == 10 && !memcmp(x->form, "fordringen", 10));
        if (x->formlen == 11 && !memcmp(x->form, "frordningen", 11)) {
            seen = 1;
            assert_true(x->cost >= 0.5 && x->cost < 0.6);
        }
    }
    assert_true(seen);
    dq_results_free(r);
    dq_engine_close(e);
}

/* An ö read as s or g changes the skeleton ("svergrepp"): found by the
 * second lookup like a dropped letter. A spelling without the letter that
 * is commoner than the word in all its other spellings is another word:
 * "ska" (4 passages) is not "söka" (2), while a rare one is kept. */
static void test_respelled(void **state)
{
    struct fx *f = *state;
    write_file(f->docs, "a.txt", "Övergrepp mot barn.\n");
    write_file(f->docs, "b.txt", "Svergrepp mot barn.\n");
    write_file(f->docs, "c.txt", "Fgrekommer det ofta.\n");
    write_file(f->docs, "d.txt", "Det förekommer ofta.\n");
    write_file(f->docs, "e.txt", "Att söka bidrag.\n");
    write_file(f->docs, "f.txt", "Att soka bidrag.\n");
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d.txt", i);
        write_file(f->docs, name, "Vi ska gå dit.\n");
    }
    write_file(f->docs, "g.txt", "Att ska bidrag.\n");
    write_file(f->docs, "h.txt", "Den Europeiska untonen.\n");
    write_file(f->docs, "i.txt", "En bar.\n");
    write_file(f->docs, "j.txt", "Europeiska unionen.\n");
    write_file(f->docs, "k.txt", "Vi har det.\n");
    write_file(f->docs, "l.txt", "Verksambet och jedning.\n");
    write_file(f->docs, "m.txt", "Krisheredskap.\n");
    write_file(f->docs, "n.txt", "Ukvardigheten brister.\n");
    write_file(f->docs, "o.txt", "Likvärdigheten är god.\n");
    expect_stats(run_index(f->db, f->docs), 19, 0, 0, 0, 0, 0);
    char docs[256];
    unsigned sf = 0;
    search_docs(f->db, "övergrepp", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt b.txt");
    search_docs(f->db, "övergrepp", 1, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt");
    search_docs(f->db, "förekommer", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "d.txt c.txt");
    /* "over" is no ö: s does not stand for an o */
    search_docs(f->db, "over", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "");
    search_docs(f->db, "söka", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt f.txt");
    /* A consonant read for i, l, h or b: in the query word, not beyond a
     * short word's budget ("bar" is not "har"). */
    search_docs(f->db, "unionen", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "j.txt h.txt");
    search_docs(f->db, "bar", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "i.txt");
    search_docs(f->db, "verksamhet", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "l.txt");
    search_docs(f->db, "ledning", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "l.txt");
    search_docs(f->db, "krisberedskap", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "m.txt");
    /* li read as U, in any inflection found */
    search_docs(f->db, "likvärdighet", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "o.txt n.txt");
}

/* A damaged reading found in more passages than the word's own spellings
 * is another word ("den" for "denna", "vissa" for "visa"); an accented
 * letter read as another (utgér) or the stem's final m doubled
 * (gemensamma) is no damage of that kind and stays however common. Nor is a damaged reading with å/ä/ö
 * a sign that the word was typed without them. */
static void test_lookalikes(void **state)
{
    struct fx *f = *state;
    write_file(f->docs, "a.txt", "Denna fråga.\n");
    write_file(f->docs, "b.txt", "Det utgår.\n");
    write_file(f->docs, "c.txt", "En gemensam plan.\n");
    for (int i = 0; i < 3; i++) {
        char name[16], text[64];
        snprintf(name, sizeof name, "x%d.txt", i);
        snprintf(text, sizeof text, "Den plan som utgér från gemensamma "
                 "mål.\n");
        write_file(f->docs, name, text);
    }
    write_file(f->docs, "d.txt", "Dena fråga.\n");
    write_file(f->docs, "e.txt", "Annars inte.\n");
    write_file(f->docs, "f.txt", "Visa vägen.\n");
    write_file(f->docs, "z0.txt", "I vissa fall.\n");
    write_file(f->docs, "z1.txt", "I vissa fall.\n");
    write_file(f->docs, "z2.txt", "I vissa fall.\n");
    write_file(f->docs, "y0.txt", "Det ändras.\n");
    write_file(f->docs, "y1.txt", "Det ändras.\n");
    expect_stats(run_index(f->db, f->docs), 14, 0, 0, 0, 0, 0);
    char docs[256];
    unsigned sf = 0;
    search_docs(f->db, "denna", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt d.txt");
    search_docs(f->db, "utgår", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "b.txt x0.txt x1.txt x2.txt");
    search_docs(f->db, "gemensam", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "c.txt x0.txt x1.txt x2.txt");
    search_docs(f->db, "visa", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "f.txt");
    /* Typed without å/ä/ö? Only an accented "annars" would say so, not
     * the commoner "ändras". */
    search_docs(f->db, "annars", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "e.txt");
}

/* A spelling key outlives its passages (format 8): a form that no passage
 * holds any more is neither found nor offered, and counts for nothing. */
static void test_stale_spelling(void **state)
{
    struct fx *f = *state;
    write_file(f->docs, "a.txt", "Åtgärder vidtogs.\n");
    write_file(f->docs, "b.txt", "Atgarder vidtogs.\n");
    expect_stats(run_index(f->db, f->docs), 2, 0, 0, 0, 0, 0);
    char docs[256];
    unsigned sf = 0;
    search_docs(f->db, "åtgärder", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt b.txt");
    char path[1100];
    snprintf(path, sizeof path, "%s/b.txt", f->docs);
    assert_int_equal(unlink(path), 0);
    expect_stats(run_index(f->db, f->docs), 0, 0, 0, 1, 1, 0);

    xc_db *db = NULL;
    assert_int_equal(xc_db_open(f->db, &db, NULL), XC_OK);
    assert_int_equal(tfreq(db, "Satgarder"), 0);
    char skel[SV_SKELETON_MAX], key[SV_SKELETON_MAX + 16];
    size_t kl = sv_skeleton("atgarder", 8, skel, sizeof skel);
    size_t n = dx_spelling_key(key, sizeof key, skel, kl, "atgarder", 8);
    char *val = NULL;
    size_t vlen = 0;
    assert_int_equal(xc_db_get_metadata(db, key, n, &val, &vlen, NULL),
                     XC_OK);
    assert_non_null(val); /* the key is still there */
    xc_free(val);
    xc_db_close(db);

    dq_engine *e = NULL;
    dq_results *r = search(f->db, "åtgärder", 0, 1, &e);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->hits[0].doc, "a.txt");
    const dq_word_info *w = &r->plan->words[0];
    for (size_t i = 0; i < w->variants.n; i++)
        assert_string_not_equal(w->variants.v[i].form, "atgarder");
    dq_results_free(r);
    dq_engine_close(e);
    search_docs(f->db, "atgarder", 0, 0, docs, sizeof docs, &sf);
    assert_string_equal(docs, "a.txt");
}

/* The default number of build threads: the processors the process may
 * run on, lowered to a cgroup CPU quota. */
static void test_cpus(void **state)
{
    (void)state;
    assert_int_equal(dx_cpus_quota(-1, 100000), 0); /* v1: no quota */
    assert_int_equal(dx_cpus_quota(100000, 0), 0);
    assert_int_equal(dx_cpus_quota(200000, 100000), 2);
    assert_int_equal(dx_cpus_quota(150000, 100000), 2); /* rounded up */
    assert_int_equal(dx_cpus_quota(50000, 100000), 1);
    assert_int_equal(dx_cpus_max_text("max 100000"), 0);
    assert_int_equal(dx_cpus_max_text("max 100000\n"), 0);
    assert_int_equal(dx_cpus_max_text("250000 100000\n"), 3);
    assert_int_equal(dx_cpus_max_text("100000 100000"), 1);
    assert_int_equal(dx_cpus_max_text(""), 0);
    assert_int_equal(dx_cpus_max_text("100000"), 0);
    assert_int_equal(dx_cpus_max_text("100000 x"), 0);
    assert_int_equal(dx_cpus_max_text("100000 100000 7"), 0);
    assert_int_equal(dx_cpus_max_text(NULL), 0);

    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned all = dx_cpus();
    assert_true(all >= 1);
    assert_true(online < 1 || all <= (unsigned long)online);
    /* Pinned to one processor (taskset -c), one thread. */
    cpu_set_t old, one;
    assert_int_equal(sched_getaffinity(0, sizeof old, &old), 0);
    int first = 0;
    while (first < CPU_SETSIZE && !CPU_ISSET(first, &old)) first++;
    assert_true(first < CPU_SETSIZE);
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    unsigned pinned = dx_cpus();
    assert_int_equal(sched_setaffinity(0, sizeof old, &old), 0);
    assert_int_equal(pinned, 1);
    assert_int_equal(dx_cpus(), all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_hash_vectors),
        T(test_record_format),
        T(test_failure_record_format),
        T(test_doctext_pages),
        T(test_format_vocabularies),
        T(test_format_stamp),
        T(test_doc_root),
        T(test_lock),
        T(test_swap_and_leftovers),
        T(test_known_names_and_classify),
        T(test_incremental_cycle),
        T(test_rename_equals_fresh_index),
        T(test_roots),
        T(test_root_spellings),
        T(test_analysis_change),
        T(test_dry_run),
        T(test_full_interrupted),
        T(test_check_finds_damage),
        T(test_stored_data),
        T(test_stem_terms),
        T(test_doclevel_terms),
        T(test_dropped_letter),
        T(test_respelled),
        T(test_lookalikes),
        T(test_stale_spelling),
        T(test_cpus),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
