/*
 * test_read.c — unit tests for indexer/dx_read (folder walker and file
 * reader), linked against diarium_dx_read alone.
 *
 * Every test works in its own folder below one mkdtemp folder in /tmp,
 * made in the group setup and removed (with everything in it) in the group
 * teardown. Each test is named after what it protects against.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "dx_read.h"

/* ------------------------------------------------------------------------ */
/* Fixture helpers                                                          */

typedef struct fixture {
    char dir[64]; /* the mkdtemp folder */
} fixture;

/* Formats a path below the fixture folder into buf. */
static const char *at(const fixture *f, char *buf, size_t n, const char *fmt,
                      ...)
    __attribute__((format(printf, 4, 5)));
static const char *at(const fixture *f, char *buf, size_t n, const char *fmt,
                      ...)
{
    int k = snprintf(buf, n, "%s/", f->dir);
    assert_true(k > 0 && (size_t)k < n);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + k, n - (size_t)k, fmt, ap);
    va_end(ap);
    assert_true(m >= 0 && (size_t)m < n - (size_t)k);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void make_dir(const char *path)
{
    assert_int_equal(mkdir(path, 0755), 0);
}

/* Writes `len` bytes of `data` as one gzip member with zlib's gzip file
 * functions, appending when `append` is set (a second member). */
static void write_gz(const char *path, const void *data, size_t len,
                     int append)
{
    gzFile gz = gzopen(path, append ? "ab" : "wb");
    assert_non_null(gz);
    if (len > 0)
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void slurp(const char *path, unsigned char **data, size_t *len)
{
    off_t n = file_size(path);
    *data = malloc((size_t)n + 1);
    assert_non_null(*data);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(*data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
}

/* rm -r, without following symbolic links. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0755);
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *de;
            while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                    continue;
                size_t n = strlen(path) + strlen(de->d_name) + 2;
                char *child = malloc(n);
                if (child == NULL)
                    break;
                snprintf(child, n, "%s/%s", path, de->d_name);
                remove_tree(child);
                free(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    strcpy(f->dir, "/tmp/test_read.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Walk recorder                                                            */

#define MAX_SEEN 512

typedef struct walk_log {
    char *docid[MAX_SEEN];
    char *path[MAX_SEEN];
    dx_entry entry[MAX_SEEN]; /* numbers only: the strings are gone */
    size_t n;
    char *err_path[MAX_SEEN];
    char *err_why[MAX_SEEN];
    size_t nerr;
    size_t stop_after; /* return non-zero at this many entries; 0 never */
} walk_log;

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    assert_non_null(d);
    strcpy(d, s);
    return d;
}

static int on_entry(void *ctx, const dx_entry *e)
{
    walk_log *log = ctx;
    assert_true(log->n < MAX_SEEN);
    log->docid[log->n] = dup_str(e->docid);
    log->path[log->n] = dup_str(e->path);
    log->entry[log->n] = *e;
    log->n++;
    return log->stop_after != 0 && log->n >= log->stop_after;
}

static void on_error(void *ctx, const char *path, const char *why)
{
    walk_log *log = ctx;
    assert_true(log->nerr < MAX_SEEN);
    log->err_path[log->nerr] = dup_str(path);
    log->err_why[log->nerr] = dup_str(why);
    log->nerr++;
}

static void log_free(walk_log *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->docid[i]);
        free(log->path[i]);
    }
    for (size_t i = 0; i < log->nerr; i++) {
        free(log->err_path[i]);
        free(log->err_why[i]);
    }
    memset(log, 0, sizeof *log);
}

/* The index of the first error whose reason contains `needle`, or -1. */
static int find_error(const walk_log *log, const char *needle)
{
    for (size_t i = 0; i < log->nerr; i++)
        if (strstr(log->err_why[i], needle) != NULL)
            return (int)i;
    return -1;
}

static void expect_docids(const walk_log *log, const char *const *want,
                          size_t nwant)
{
    if (log->n != nwant) {
        for (size_t i = 0; i < log->n; i++)
            print_error("got docid %s\n", log->docid[i]);
    }
    assert_int_equal(log->n, nwant);
    for (size_t i = 0; i < nwant; i++)
        assert_string_equal(log->docid[i], want[i]);
}

/* ------------------------------------------------------------------------ */
/* dx_is_document_name, dx_strerror                                         */

static void test_doc_names_only_txt_md_and_their_gz_case_insensitively(
    void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int want;
    } cases[] = {
        {"a.txt", 1},          {"a.md", 1},
        {"a.txt.gz", 1},       {"a.md.gz", 1},
        {"BESLUT.TXT", 1},     {"Notes.Md", 1},
        {"x.TxT.Gz", 1},       {"x.MD.GZ", 1},
        {"dir/sub/a.txt", 1},  {"..txt", 1},
        {"a.gz", 0},           {"a.tar.gz", 0},
        {"a.txt.bak", 0},      {"a.txt.gz.part", 0},
        {"a.pdf", 1},          {"a.markdown", 0},
        {"A.PDF", 1},          {"memo.docx", 1},
        {"memo.ODT", 1},       {"memo.doc", 0},
        {".pdf", 0},           {"dir/.docx", 0},
        {"a.pdf.part", 0},     {"a.odt~", 0},
        {"a.text", 0},         {"atxt", 0},
        {"a.txt ", 0},         {"a.txtgz", 0},
        {".txt", 0},           {".md.gz", 0},
        {"dir/.txt", 0},       {"", 0},
        {"txt", 0},            {"a.t\xc3\xa4t", 0},
        {"a.\xd4XT", 0}, /* no locale folding of non-ASCII bytes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = dx_is_document_name(cases[i].name);
        if (got != cases[i].want)
            print_error("dx_is_document_name(\"%s\") = %d\n", cases[i].name,
                        got);
        assert_int_equal(got, cases[i].want);
    }
    assert_int_equal(dx_is_document_name(NULL), 0);
}

static void test_strerror_has_text_for_every_code(void **state)
{
    (void)state;
    const int codes[] = {DX_OK,       DX_ENOMEM,    DX_EIO,     DX_EBINARY,
                         DX_EGZIP,    DX_ETOOBIG,   DX_ESTOP,   DX_EINVAL,
                         DX_ELOCKED,  DX_EANALYSIS, DX_EDB,     DX_EFORMAT,
                         DX_EDAMAGED, DX_EMODIFIED};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = dx_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, dx_strerror(codes[j]));
    }
    assert_non_null(dx_strerror(12345));
    assert_string_not_equal(dx_strerror(12345), dx_strerror(DX_OK));
}

/* ------------------------------------------------------------------------ */
/* dx_walk                                                                  */

static void test_walk_order_is_bytewise_sorted_and_docids_relative(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "order");
    make_dir(root);
    make_dir(at(f, p, sizeof p, "order/b"));
    make_dir(at(f, p, sizeof p, "order/b/c"));
    make_dir(at(f, p, sizeof p, "order/B"));
    write_text(at(f, p, sizeof p, "order/b.txt"), "b\n");
    write_text(at(f, p, sizeof p, "order/a.md"), "a\n");
    write_text(at(f, p, sizeof p, "order/Z.txt"), "Z\n");
    write_text(at(f, p, sizeof p, "order/_u.txt"), "u\n");
    write_text(at(f, p, sizeof p, "order/\xc3\xa5.txt"), "aa\n");
    write_text(at(f, p, sizeof p, "order/b/x.txt"), "x\n");
    write_text(at(f, p, sizeof p, "order/b/c/deep.md.gz"), "not read\n");
    write_text(at(f, p, sizeof p, "order/b/a.txt.gz"), "not read\n");
    write_text(at(f, p, sizeof p, "order/B/y.txt"), "y\n");

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    /* Names compare as bytes: 'B' (0x42) < 'Z' < '_' < 'a' < "b" (a
     * folder, walked in place) < "b.txt" < 0xc3 (UTF-8 of 'å'). */
    static const char *const want[] = {
        "B/y.txt",           "Z.txt", "_u.txt",       "a.md",
        "b/a.txt.gz",        "b/c/deep.md.gz",          "b/x.txt",
        "b.txt",             "\xc3\xa5.txt",
    };
    expect_docids(&log, want, sizeof want / sizeof want[0]);
    assert_int_equal(log.nerr, 0);
    for (size_t i = 0; i < log.n; i++) {
        char expect[1024];
        snprintf(expect, sizeof expect, "%s/%s", root, log.docid[i]);
        assert_string_equal(log.path[i], expect);
    }

    /* The same walk again gives the same order. */
    walk_log again = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &again), DX_OK);
    expect_docids(&again, want, sizeof want / sizeof want[0]);
    log_free(&again);
    log_free(&log);
}

static void test_walk_entry_carries_stat_numbers_for_rename_detection(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "meta");
    make_dir(root);
    at(f, p, sizeof p, "meta/one.txt");
    write_text(p, "twelve bytes");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.entry[0].size, 12);
    assert_int_equal(log.entry[0].dev, (uint64_t)st.st_dev);
    assert_int_equal(log.entry[0].ino, (uint64_t)st.st_ino);
    assert_int_equal(log.entry[0].mtime_ns,
                     (int64_t)st.st_mtim.tv_sec * 1000000000LL +
                         st.st_mtim.tv_nsec);
    log_free(&log);
}

static void test_walk_skips_hidden_files_and_folders(void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "hidden");
    make_dir(root);
    make_dir(at(f, p, sizeof p, "hidden/.git"));
    write_text(at(f, p, sizeof p, "hidden/.git/HEAD.txt"), "x\n");
    make_dir(at(f, p, sizeof p, "hidden/.cache"));
    make_dir(at(f, p, sizeof p, "hidden/.cache/sub"));
    write_text(at(f, p, sizeof p, "hidden/.cache/sub/a.txt"), "x\n");
    write_text(at(f, p, sizeof p, "hidden/.secret.txt"), "x\n");
    make_dir(at(f, p, sizeof p, "hidden/pub"));
    write_text(at(f, p, sizeof p, "hidden/pub/.draft.md"), "x\n");
    write_text(at(f, p, sizeof p, "hidden/pub/ok.md"), "x\n");

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"pub/ok.md"};
    expect_docids(&log, want, 1);
    assert_int_equal(log.nerr, 0);
    log_free(&log);

    /* A hidden folder given as the root itself is walked. */
    at(f, root, sizeof root, "hidden/.cache");
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want2[] = {"sub/a.txt"};
    expect_docids(&log, want2, 1);
    log_free(&log);
}

static void test_walk_skips_non_documents_but_enters_folders_named_like_one(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "nondoc");
    make_dir(root);
    write_text(at(f, p, sizeof p, "nondoc/a.doc"), "x\n");
    write_text(at(f, p, sizeof p, "nondoc/b.gz"), "x\n");
    write_text(at(f, p, sizeof p, "nondoc/c.tar.gz"), "x\n");
    write_text(at(f, p, sizeof p, "nondoc/README"), "x\n");
    write_text(at(f, p, sizeof p, "nondoc/d.txt~"), "x\n");
    make_dir(at(f, p, sizeof p, "nondoc/folder.txt"));
    write_text(at(f, p, sizeof p, "nondoc/folder.txt/inner.md"), "x\n");
    assert_int_equal(mkfifo(at(f, p, sizeof p, "nondoc/pipe.txt"), 0644), 0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    /* The folder is not reported as a document; the fifo is never opened
     * (opening it would block the walk). */
    static const char *const want[] = {"folder.txt/inner.md"};
    expect_docids(&log, want, 1);
    log_free(&log);
}

static void test_walk_file_root_gives_its_base_name_as_docid(void **state)
{
    fixture *f = *state;
    char p[512];
    make_dir(at(f, p, sizeof p, "fileroot"));
    at(f, p, sizeof p, "fileroot/Beslut 2021.TXT");
    write_text(p, "x\n");

    walk_log log = {0};
    assert_int_equal(dx_walk(p, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"Beslut 2021.TXT"};
    expect_docids(&log, want, 1);
    assert_string_equal(log.path[0], p);
    log_free(&log);

    /* A file root that is not a document is reported, not read. */
    at(f, p, sizeof p, "fileroot/data.csv");
    write_text(p, "x\n");
    assert_int_equal(dx_walk(p, on_entry, on_error, &log), DX_OK);
    assert_int_equal(log.n, 0);
    assert_int_equal(log.nerr, 1);
    assert_non_null(strstr(log.err_why[0], "not a document"));
    log_free(&log);
}

static void test_walk_relative_roots_give_no_dot_slash_and_no_double_slash(
    void **state)
{
    fixture *f = *state;
    char p[512], cwd[1024];
    make_dir(at(f, p, sizeof p, "rel"));
    make_dir(at(f, p, sizeof p, "rel/corpus"));
    make_dir(at(f, p, sizeof p, "rel/corpus/sub"));
    write_text(at(f, p, sizeof p, "rel/corpus/sub/a.txt"), "x\n");
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(at(f, p, sizeof p, "rel/corpus")), 0);

    static const struct {
        const char *root, *path;
    } cases[] = {
        {".", "./sub/a.txt"},
        {"./", "./sub/a.txt"},
        {"../corpus", "../corpus/sub/a.txt"},
        {"../corpus//", "../corpus/sub/a.txt"},
        {"./sub", "./sub/a.txt"},
        {"sub/", "sub/a.txt"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        walk_log log = {0};
        int rc = dx_walk(cases[i].root, on_entry, on_error, &log);
        assert_int_equal(rc, DX_OK);
        assert_int_equal(log.n, 1);
        const char *want_docid =
            strncmp(cases[i].root, "./sub", 5) == 0 ||
                    strncmp(cases[i].root, "sub", 3) == 0
                ? "a.txt"
                : "sub/a.txt";
        assert_string_equal(log.docid[0], want_docid);
        assert_string_equal(log.path[0], cases[i].path);
        log_free(&log);
    }
    assert_int_equal(chdir(cwd), 0);
}

static void test_walk_symlink_loop_is_reported_and_terminates(void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "loop");
    make_dir(root);
    make_dir(at(f, p, sizeof p, "loop/a"));
    write_text(at(f, p, sizeof p, "loop/a/doc.txt"), "x\n");
    /* loop/a/up -> .. (the root), loop/a/self -> . */
    assert_int_equal(symlink("..", at(f, p, sizeof p, "loop/a/up")), 0);
    assert_int_equal(symlink(".", at(f, p, sizeof p, "loop/a/self")), 0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"a/doc.txt"};
    expect_docids(&log, want, 1);
    assert_int_equal(log.nerr, 2);
    int i = find_error(&log, "symlink loop: already visited");
    assert_true(i >= 0);
    /* "self" sorts before "up"; each names the folder it already saw. */
    assert_non_null(strstr(log.err_path[0], "loop/a/self"));
    assert_non_null(strstr(log.err_why[0], "loop/a"));
    assert_non_null(strstr(log.err_path[1], "loop/a/up"));
    assert_non_null(strstr(log.err_why[1], "symlink loop"));
    log_free(&log);
}

static void test_walk_second_link_to_same_folder_is_reported_not_walked_twice(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512], target[512];
    at(f, root, sizeof root, "twice");
    make_dir(root);
    make_dir(at(f, target, sizeof target, "twice/real"));
    write_text(at(f, p, sizeof p, "twice/real/doc.md"), "x\n");
    assert_int_equal(symlink(target, at(f, p, sizeof p, "twice/zlink")), 0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"real/doc.md"};
    expect_docids(&log, want, 1);
    assert_int_equal(log.nerr, 1);
    assert_non_null(strstr(log.err_path[0], "twice/zlink"));
    assert_non_null(strstr(log.err_why[0], "already visited"));
    assert_non_null(strstr(log.err_why[0], "twice/real"));
    log_free(&log);
}

static void test_walk_follows_symlink_to_file(void **state)
{
    fixture *f = *state;
    char p[512], root[512], target[512];
    make_dir(at(f, p, sizeof p, "lnfile"));
    write_text(at(f, target, sizeof target, "lnfile/outside.txt"),
               "0123456789");
    at(f, root, sizeof root, "lnfile/root");
    make_dir(root);
    assert_int_equal(symlink(target, at(f, p, sizeof p, "lnfile/root/l.txt")),
                     0);
    /* A link with a non-document name to a document is not reported: the
     * name in the walked folder decides. */
    assert_int_equal(symlink(target, at(f, p, sizeof p, "lnfile/root/l.bin")),
                     0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"l.txt"};
    expect_docids(&log, want, 1);
    assert_int_equal(log.entry[0].size, 10); /* the target's size */
    assert_int_equal(log.nerr, 0);
    log_free(&log);
}

static void test_walk_broken_symlink_is_reported_and_walk_goes_on(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "broken");
    make_dir(root);
    assert_int_equal(
        symlink("nowhere.txt", at(f, p, sizeof p, "broken/a.txt")), 0);
    write_text(at(f, p, sizeof p, "broken/b.txt"), "x\n");

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    static const char *const want[] = {"b.txt"};
    expect_docids(&log, want, 1);
    assert_int_equal(log.nerr, 1);
    assert_non_null(strstr(log.err_why[0], "broken symbolic link"));
    log_free(&log);
}

static void test_walk_missing_root_is_eio_and_reported(void **state)
{
    fixture *f = *state;
    char root[512];
    at(f, root, sizeof root, "does-not-exist");

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_EIO);
    assert_int_equal(log.n, 0);
    assert_int_equal(log.nerr, 1);
    assert_string_equal(log.err_path[0], root);
    assert_string_equal(log.err_why[0], strerror(ENOENT));
    log_free(&log);

    /* errfn may be NULL. */
    assert_int_equal(dx_walk(root, on_entry, NULL, NULL), DX_EIO);
}

/* The checks for unreadable folders and files, without cmocka asserts (they
 * may run in a forked child): 0 when all hold, else the failing line. */
static int check_unreadable(const char *root, const char *locked,
                            const char *lockedfile)
{
    walk_log log = {0};
    char why[256];
    int bad = 0;
    int rc = dx_walk(root, on_entry, on_error, &log);
    if (rc != DX_OK)
        bad = __LINE__;
    else if (log.n != 1 || strcmp(log.docid[0], "b.txt") != 0)
        bad = __LINE__;
    else if (log.nerr != 1 || strcmp(log.err_path[0], locked) != 0 ||
             strstr(log.err_why[0], "cannot open folder") == NULL ||
             strstr(log.err_why[0], strerror(EACCES)) == NULL)
        bad = __LINE__;
    log_free(&log);
    if (bad)
        return bad;

    /* An unreadable root is DX_EIO, and reported. */
    rc = dx_walk(locked, on_entry, on_error, &log);
    if (rc != DX_EIO || log.n != 0 || log.nerr != 1)
        bad = __LINE__;
    log_free(&log);
    if (bad)
        return bad;

    /* An unreadable file: DX_EIO naming the system's reason. */
    char *out = (char *)1;
    size_t len = 99;
    rc = dx_read_file(lockedfile, &out, &len, why, sizeof why);
    if (rc != DX_EIO || out != NULL || len != 0 ||
        strstr(why, strerror(EACCES)) == NULL)
        return __LINE__;
    return 0;
}

static void test_walk_unreadable_subfolder_is_reported_and_walk_goes_on(
    void **state)
{
    fixture *f = *state;
    char p[512], root[512], locked[512], lockedfile[512];
    at(f, root, sizeof root, "locked");
    make_dir(root);
    make_dir(at(f, locked, sizeof locked, "locked/a"));
    write_text(at(f, p, sizeof p, "locked/a/x.txt"), "x\n");
    write_text(at(f, p, sizeof p, "locked/b.txt"), "x\n");
    write_text(at(f, lockedfile, sizeof lockedfile, "locked.txt"), "x\n");
    assert_int_equal(chmod(locked, 0), 0);
    assert_int_equal(chmod(lockedfile, 0), 0);

    int bad;
    if (geteuid() != 0) {
        bad = check_unreadable(root, locked, lockedfile);
    } else {
        /* Root reads every folder whatever its mode: check as "nobody" in a
         * child process, which needs a way into the fixture folder. */
        assert_int_equal(chmod(f->dir, 0755), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(200);
            int line = check_unreadable(root, locked, lockedfile);
            if (line != 0)
                fprintf(stderr, "check_unreadable failed at line %d\n", line);
            _exit(line != 0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        chmod(f->dir, 0700);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 200)
            skip(); /* cannot drop privileges here */
        bad = WEXITSTATUS(status);
    }
    chmod(locked, 0755);
    chmod(lockedfile, 0644);
    assert_int_equal(bad, 0);
}

static void test_walk_callback_nonzero_stops_with_estop(void **state)
{
    fixture *f = *state;
    char p[512], root[512];
    at(f, root, sizeof root, "stop");
    make_dir(root);
    make_dir(at(f, p, sizeof p, "stop/d"));
    write_text(at(f, p, sizeof p, "stop/a.txt"), "x\n");
    write_text(at(f, p, sizeof p, "stop/d/b.txt"), "x\n");
    write_text(at(f, p, sizeof p, "stop/d/c.txt"), "x\n");
    write_text(at(f, p, sizeof p, "stop/e.txt"), "x\n");

    walk_log log = {0};
    log.stop_after = 2; /* stop inside the sub-folder */
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_ESTOP);
    static const char *const want[] = {"a.txt", "d/b.txt"};
    expect_docids(&log, want, 2);
    log_free(&log);

    /* A file root too. */
    log.stop_after = 1;
    assert_int_equal(dx_walk(at(f, p, sizeof p, "stop/e.txt"), on_entry,
                             on_error, &log),
                     DX_ESTOP);
    log_free(&log);
}

static void test_walk_too_deep_tree_is_capped_not_a_stack_overflow(
    void **state)
{
    fixture *f = *state;
    char root[512];
    at(f, root, sizeof root, "deep");
    make_dir(root);
    /* 300 nested folders "d", each with a document; built with chdir so no
     * path gets long. */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(root), 0);
    for (int i = 0; i < 300; i++) {
        write_text("f.txt", "x\n");
        assert_int_equal(mkdir("d", 0755), 0);
        assert_int_equal(chdir("d"), 0);
    }
    assert_int_equal(chdir(cwd), 0);

    walk_log log = {0};
    assert_int_equal(dx_walk(root, on_entry, on_error, &log), DX_OK);
    /* The root's own document plus one per entered level 1..256. */
    assert_int_equal(log.n, 257);
    assert_int_equal(log.nerr, 1);
    assert_non_null(strstr(log.err_why[0], "too deep"));
    /* "d" sorts before "f.txt": the deepest document comes first. */
    assert_int_equal(strlen(log.docid[0]), 256 * 2 + strlen("f.txt"));
    assert_string_equal(log.docid[256], "f.txt");
    log_free(&log);
}

/* ------------------------------------------------------------------------ */
/* dx_read_file                                                             */

static void test_read_plain_txt_returns_bytes_nul_terminated(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    const char *text = "Beslut\r\n\tom f\xc3\xb6rvar.\f\nSlut";
    write_text(at(f, p, sizeof p, "plain.txt"), text);
    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(out, text, len);
    assert_int_equal(out[len], '\0');
    free(out);
}

static void test_read_gz_made_with_gzwrite_is_gunzipped(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + (i * 7 + i / 13) % 26);
    text[100] = '\n';
    write_gz(at(f, p, sizeof p, "one.txt.gz"), text, sizeof text, 0);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, sizeof text);
    assert_memory_equal(out, text, len);
    assert_int_equal(out[len], '\0');
    free(out);

    /* The suffix test is case-insensitive. */
    write_gz(at(f, p, sizeof p, "UPPER.MD.GZ"), "hej\n", 4, 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "hej\n", 4);
    free(out);
}

static void test_read_gz_all_concatenated_members_not_just_the_first(
    void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    at(f, p, sizeof p, "two.txt.gz");
    write_gz(p, "first member\n", 13, 0);
    write_gz(p, "second member\n", 14, 1);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, 27);
    assert_memory_equal(out, "first member\nsecond member\n", 27);
    free(out);

    /* An empty member between two others is fine too. */
    at(f, p, sizeof p, "three.txt.gz");
    write_gz(p, "a", 1, 0);
    write_gz(p, NULL, 0, 1);
    write_gz(p, "b", 1, 1);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(out, "ab", 2);
    free(out);
}

/* Whether fd is an open descriptor. */
static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void test_read_ahead_reads_what_read_file_does_and_closes_the_fd(
    void **state)
{
    fixture *f = *state;
    char p[512], g[512], why[256];
    const char *text = "Beslut om \xc3\xa5tg\xc3\xa4rder\n";
    write_text(at(f, p, sizeof p, "ahead.txt"), text);
    write_gz(at(f, g, sizeof g, "ahead.md.gz"), text, strlen(text), 0);

    /* A file opened ahead reads as dx_read_file reads it, gzip included
     * (the name decides), and its descriptor is closed. */
    const char *paths[] = {p, g};
    for (size_t k = 0; k < 2; k++) {
        int fd = dx_open_ahead(paths[k]);
        assert_true(fd >= 0);
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(dx_read_fd(fd, paths[k], &out, &len, why,
                                    sizeof why), DX_OK);
        assert_int_equal(len, strlen(text));
        assert_memory_equal(out, text, len);
        assert_int_equal(out[len], '\0');
        assert_false(is_open(fd));
        free(out);
    }

    /* Removed after it was opened ahead: still read (the open file). */
    int fd = dx_open_ahead(p);
    assert_true(fd >= 0);
    assert_int_equal(unlink(p), 0);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_fd(fd, p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, strlen(text));
    free(out);

    /* Missing: no descriptor; dx_read_fd then tries to open it itself and
     * says why it cannot. */
    assert_int_equal(dx_open_ahead(p), -1);
    out = (char *)1;
    assert_int_equal(dx_read_fd(-1, p, &out, &len, why, sizeof why), DX_EIO);
    assert_null(out);
    assert_non_null(strstr(why, "cannot open"));
    assert_int_equal(dx_open_ahead(NULL), -1);

    /* Bad arguments still close a descriptor it was given. */
    fd = dx_open_ahead(g);
    assert_true(fd >= 0);
    assert_int_equal(dx_read_fd(fd, g, NULL, &len, why, sizeof why), DX_EIO);
    assert_false(is_open(fd));

    /* A folder is refused as by dx_read_file, its descriptor closed. */
    fd = dx_open_ahead(f->dir);
    assert_true(fd >= 0);
    assert_int_equal(dx_read_fd(fd, f->dir, &out, &len, why, sizeof why),
                     DX_EIO);
    assert_non_null(strstr(why, "folder"));
    assert_false(is_open(fd));
}

/* A fifo put where a document was must not hang the read-ahead nor the
 * read: it opens at once (O_NONBLOCK) and is refused as not a regular
 * file, read ahead or not, also while a writer holds it open (then a
 * read would block for ever). */
static void test_read_ahead_of_a_fifo_does_not_hang(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    assert_int_equal(mkfifo(at(f, p, sizeof p, "ahead-pipe.txt"), 0644), 0);
    int fd = dx_open_ahead(p);
    assert_true(fd >= 0);
    char *out = NULL;
    size_t len = 99;
    assert_int_equal(dx_read_fd(fd, p, &out, &len, why, sizeof why), DX_EIO);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(why, "not a regular file (a fifo)"));
    assert_false(is_open(fd));
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EIO);
    assert_non_null(strstr(why, "a fifo"));
    int rd = open(p, O_RDONLY | O_NONBLOCK), wr = open(p, O_WRONLY);
    assert_true(rd >= 0 && wr >= 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EIO);
    assert_null(out);
    close(wr);
    close(rd);
    assert_int_equal(unlink(p), 0);
}

static void test_read_truncated_gz_is_egzip_saying_truncated(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    char text[4096];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)(' ' + (i * 31 + i / 7) % 90);
    at(f, p, sizeof p, "trunc.txt.gz");
    write_gz(p, text, sizeof text, 0);
    off_t full = file_size(p);
    assert_int_equal(truncate(p, full / 2), 0);

    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(why, "truncated"));

    /* Cut inside the 8-byte trailer: all data there, the check missing. */
    write_gz(p, text, sizeof text, 0);
    assert_int_equal(truncate(p, full - 3), 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_non_null(strstr(why, "truncated"));

    /* A second member cut short is as bad as the first. */
    write_gz(p, "ok\n", 3, 0);
    off_t first = file_size(p);
    write_gz(p, text, sizeof text, 1);
    assert_int_equal(truncate(p, first + 15), 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_non_null(strstr(why, "truncated"));

    /* An empty .gz file is not an empty document. */
    write_bytes(p, "", 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
}

static void test_read_corrupt_gz_is_egzip_with_zlib_message(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    char text[8192];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)(' ' + (i * 17 + i / 11) % 90);
    at(f, p, sizeof p, "corrupt.txt.gz");
    write_gz(p, text, sizeof text, 0);

    unsigned char *data;
    size_t n;
    slurp(p, &data, &n);
    for (size_t i = n / 2 - 8; i < n / 2 + 8; i++)
        data[i] ^= 0xa5;
    write_bytes(p, data, n);
    free(data);

    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_null(out);
    assert_non_null(strstr(why, "corrupt gzip stream"));
    /* zlib's own words follow the colon. */
    const char *colon = strrchr(why, ':');
    assert_non_null(colon);
    assert_true(strlen(colon) > 2);

    /* Not gzip at all. */
    write_text(p, "plain text with a .gz name\n");
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_non_null(strstr(why, "corrupt"));
}

static void test_read_gz_trailing_zero_padding_ok_trailing_garbage_not(
    void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    at(f, p, sizeof p, "pad.txt.gz");
    write_gz(p, "padded\n", 7, 0);
    unsigned char *data;
    size_t n;
    slurp(p, &data, &n);
    unsigned char *big = calloc(1, n + 512);
    assert_non_null(big);
    memcpy(big, data, n);
    write_bytes(p, big, n + 512);

    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(out, "padded\n", 7);
    free(out);

    memcpy(big + n, "GARBAGE!", 8);
    write_bytes(p, big, n + 8);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_EGZIP);
    assert_null(out);
    free(big);
    free(data);
}

static void test_read_nul_byte_is_ebinary_with_offset(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    static const char bin[] = "looks like text\n\0then not";
    write_bytes(at(f, p, sizeof p, "bin.txt"), bin, sizeof bin - 1);
    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_EBINARY);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_string_equal(why, "binary data: NUL byte at offset 16");

    /* Also after decompression, and past the first 64 KiB. */
    size_t n = 100000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n - 10] = '\0';
    write_gz(at(f, p, sizeof p, "bin.txt.gz"), big, n, 0);
    free(big);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_EBINARY);
    assert_string_equal(why, "binary data: NUL byte at offset 99990");
}

/* PDF, Word and OpenDocument files are binary: read as they are, NULs and
 * all, for extract/ to read (issue 30). */
static void test_read_binary_documents_pass_as_they_are(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    static const char bin[] = "%PDF-1.4\n\0\x01\x02\xff binary %%EOF\n";
    static const char *const names[] = {"a.pdf", "b.DOCX", "c.odt"};
    for (size_t i = 0; i < 3; i++) {
        write_bytes(at(f, p, sizeof p, "%s", names[i]), bin, sizeof bin - 1);
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
        assert_int_equal(len, sizeof bin - 1);
        assert_memory_equal(out, bin, len);
        free(out);
    }
    /* The same bytes in a text document are refused. */
    write_bytes(at(f, p, sizeof p, "a.pdf.txt"), bin, sizeof bin - 1);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_EBINARY);
}

static void test_read_mostly_control_bytes_is_ebinary(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    unsigned char buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (i % 5 == 0) ? 0x01 : 'a'; /* 20% control */
    write_bytes(at(f, p, sizeof p, "ctl.txt"), buf, sizeof buf);
    char *out = (char *)1;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_EBINARY);
    assert_null(out);
    assert_non_null(strstr(why, "control"));

    /* DEL counts as control too. */
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (i % 4 == 0) ? 0x7f : 'a';
    write_bytes(p, buf, sizeof buf);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_EBINARY);
}

static void test_read_whitespace_controls_and_a_few_escapes_are_text(
    void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    unsigned char buf[1000];
    /* Tab, newline, CR and form feed never count; 10% other control bytes
     * exactly is still text (the limit is "more than 10%"). */
    for (size_t i = 0; i < sizeof buf; i++) {
        static const unsigned char ws[] = {'\t', '\n', '\r', '\f'};
        buf[i] = (i % 10 == 0) ? 0x1b : (i % 2 ? ws[i % 4] : 'a');
    }
    write_bytes(at(f, p, sizeof p, "ws.txt"), buf, sizeof buf);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, sizeof buf);
    assert_memory_equal(out, buf, sizeof buf);
    free(out);
}

static void test_read_latin1_bytes_are_not_binary_and_come_back_unchanged(
    void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    static const unsigned char latin1[] = {'S', 'k', 0xE5, 'n', 'e', ' ',
                                           0xE4, 'r', ' ', 'f', 0xF6, 'r',
                                           'e', 0xC5, 0xC4, 0xD6, '\n'};
    write_bytes(at(f, p, sizeof p, "latin1.txt"), latin1, sizeof latin1);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, sizeof latin1);
    assert_memory_equal(out, latin1, sizeof latin1);
    free(out);
}

static void test_read_empty_file_is_ok_with_len_zero(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    write_bytes(at(f, p, sizeof p, "empty.md"), "", 0);
    char *out = NULL;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_non_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(out[0], '\0');
    free(out);

    /* A gzip of nothing is an empty document too. */
    write_gz(at(f, p, sizeof p, "empty.md.gz"), NULL, 0, 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, 0);
    free(out);
}

static void test_read_missing_file_and_folder_are_eio_with_reason(
    void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(at(f, p, sizeof p, "nope.txt"), &out, &len,
                                  why, sizeof why),
                     DX_EIO);
    assert_null(out);
    assert_non_null(strstr(why, strerror(ENOENT)));

    assert_int_equal(dx_read_file(f->dir, &out, &len, why, sizeof why),
                     DX_EIO);
    assert_null(out);
    assert_true(strlen(why) > 0);

    /* why may be NULL (or tiny). */
    assert_int_equal(dx_read_file(at(f, p, sizeof p, "nope.txt"), &out, &len,
                                  NULL, 0),
                     DX_EIO);
    char tiny[4];
    assert_int_equal(dx_read_file(p, &out, &len, tiny, sizeof tiny), DX_EIO);
    assert_int_equal(strlen(tiny), 3);
}

/* dx_read_fd_max: the limit given, for plain and gzip files alike, read
 * ahead or not; 0 is the default limit. */
static void test_read_max_limit_given(void **state)
{
    fixture *f = *state;
    char p[512], q[512], why[256];
    char text[5000];
    memset(text, 'a', sizeof text);
    write_bytes(at(f, p, sizeof p, "five.txt"), text, 5000);
    write_gz(at(f, q, sizeof q, "five.txt.gz"), text, 5000, 0);
    char *out = NULL;
    size_t len = 0;
    for (int gz = 0; gz < 2; gz++) {
        const char *path = gz ? q : p;
        assert_int_equal(dx_read_fd_max(-1, path, 4999, &out, &len, why,
                                        sizeof why), DX_ETOOBIG);
        assert_null(out);
        assert_non_null(strstr(why, "4999"));
        assert_non_null(strstr(why, "--max-file"));
        assert_int_equal(dx_read_fd_max(dx_open_ahead(path), path, 5000,
                                        &out, &len, why, sizeof why), DX_OK);
        assert_int_equal(len, 5000);
        free(out);
        assert_int_equal(dx_read_fd_max(-1, path, 0, &out, &len, why,
                                        sizeof why), DX_OK);
        assert_int_equal(len, 5000);
        free(out);
        out = NULL;
    }
}

static void test_read_size_limit_exact_ok_one_more_is_etoobig(void **state)
{
    fixture *f = *state;
    char p[512], why[256];
    char *big = malloc(DX_MAX_FILE + 1);
    assert_non_null(big);
    memset(big, 'a', DX_MAX_FILE + 1);

    /* Plain: refused from its size, before reading. */
    write_bytes(at(f, p, sizeof p, "big.txt"), big, DX_MAX_FILE + 1);
    char *out = (char *)1;
    size_t len = 99;
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_ETOOBIG);
    assert_null(out);
    assert_non_null(strstr(why, "limit"));
    assert_int_equal(truncate(p, (off_t)DX_MAX_FILE), 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, DX_MAX_FILE);
    free(out);
    unlink(p);

    /* Gzip: the limit applies to the decompressed size (a gzip bomb is a
     * few dozen KiB here). */
    at(f, p, sizeof p, "bomb.txt.gz");
    write_gz(p, big, DX_MAX_FILE + 1, 0);
    assert_true(file_size(p) < (off_t)(1 << 20));
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why),
                     DX_ETOOBIG);
    assert_null(out);
    write_gz(p, big, DX_MAX_FILE, 0);
    assert_int_equal(dx_read_file(p, &out, &len, why, sizeof why), DX_OK);
    assert_int_equal(len, DX_MAX_FILE);
    assert_int_equal(out[len], '\0');
    free(out);
    unlink(p);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_doc_names_only_txt_md_and_their_gz_case_insensitively),
        cmocka_unit_test(test_strerror_has_text_for_every_code),
        cmocka_unit_test(
            test_walk_order_is_bytewise_sorted_and_docids_relative),
        cmocka_unit_test(
            test_walk_entry_carries_stat_numbers_for_rename_detection),
        cmocka_unit_test(test_walk_skips_hidden_files_and_folders),
        cmocka_unit_test(
            test_walk_skips_non_documents_but_enters_folders_named_like_one),
        cmocka_unit_test(test_walk_file_root_gives_its_base_name_as_docid),
        cmocka_unit_test(
            test_walk_relative_roots_give_no_dot_slash_and_no_double_slash),
        cmocka_unit_test(test_walk_symlink_loop_is_reported_and_terminates),
        cmocka_unit_test(
            test_walk_second_link_to_same_folder_is_reported_not_walked_twice),
        cmocka_unit_test(test_walk_follows_symlink_to_file),
        cmocka_unit_test(
            test_walk_broken_symlink_is_reported_and_walk_goes_on),
        cmocka_unit_test(test_walk_missing_root_is_eio_and_reported),
        cmocka_unit_test(
            test_walk_unreadable_subfolder_is_reported_and_walk_goes_on),
        cmocka_unit_test(test_walk_callback_nonzero_stops_with_estop),
        cmocka_unit_test(
            test_walk_too_deep_tree_is_capped_not_a_stack_overflow),
        cmocka_unit_test(test_read_plain_txt_returns_bytes_nul_terminated),
        cmocka_unit_test(test_read_gz_made_with_gzwrite_is_gunzipped),
        cmocka_unit_test(
            test_read_gz_all_concatenated_members_not_just_the_first),
        cmocka_unit_test(test_read_truncated_gz_is_egzip_saying_truncated),
        cmocka_unit_test(test_read_corrupt_gz_is_egzip_with_zlib_message),
        cmocka_unit_test(
            test_read_gz_trailing_zero_padding_ok_trailing_garbage_not),
        cmocka_unit_test(test_read_nul_byte_is_ebinary_with_offset),
        cmocka_unit_test(test_read_binary_documents_pass_as_they_are),
        cmocka_unit_test(test_read_mostly_control_bytes_is_ebinary),
        cmocka_unit_test(
            test_read_whitespace_controls_and_a_few_escapes_are_text),
        cmocka_unit_test(
            test_read_latin1_bytes_are_not_binary_and_come_back_unchanged),
        cmocka_unit_test(test_read_empty_file_is_ok_with_len_zero),
        cmocka_unit_test(
            test_read_missing_file_and_folder_are_eio_with_reason),
        cmocka_unit_test(test_read_size_limit_exact_ok_one_more_is_etoobig),
        cmocka_unit_test(
            test_read_ahead_reads_what_read_file_does_and_closes_the_fd),
        cmocka_unit_test(test_read_ahead_of_a_fifo_does_not_hang),
        cmocka_unit_test(test_read_max_limit_given),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
