/*
 * test_ex_read.c — tests of extract/ through its real worker: the caller's
 * side (ex_reader: starting diarium-extract, limits, a worker that dies,
 * hangs or talks nonsense), the wire format, and what the worker makes of
 * real PDF, Word and OpenDocument files with the traps of issue 30.
 *
 * The documents are made at test time by tests/make_docs.py (reportlab,
 * qpdf, zipfile) into a mkdtemp folder, removed at the end; the answers
 * are here. The worker is diarium-extract in DIARIUM_BIN_DIR (set by
 * ctest), else next to this program (both live in build/bin). When the
 * documents cannot be made (python3-reportlab or fonts-dejavu-core
 * missing; scripts/setup.sh installs both) the tests that need them are
 * skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ex.h"
#include "ex_wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char dir[64];        /* the documents */
static int have_docs;
static char worker[PATH_MAX]; /* diarium-extract, or "" for the default */

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */

static const char *source_dir(void)
{
    const char *s = getenv("DIARIUM_SOURCE_DIR");
    return s && *s ? s : NULL;
}

static int setup(void **state)
{
    (void)state;
    const char *bin = getenv("DIARIUM_BIN_DIR");
    if (bin && *bin)
        snprintf(worker, sizeof worker, "%s/diarium-extract", bin);
    strcpy(dir, "/tmp/diarium-ex.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char helper[PATH_MAX];
    if (source_dir())
        snprintf(helper, sizeof helper, "%s/tests/make_docs.py",
                 source_dir());
    else
        snprintf(helper, sizeof helper, "%s", __FILE__);
    if (!source_dir()) {
        char *slash = strrchr(helper, '/');
        if (slash) strcpy(slash + 1, "make_docs.py");
    }
    /* A python3 with reportlab: the one on PATH, else Debian's. */
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "for py in python3 /usr/bin/python3; do "
             "\"$py\" -c 'import reportlab' 2>/dev/null && "
             "exec \"$py\" '%s' '%s'; done; "
             "echo 'python3-reportlab is not installed' >&2; exit 1",
             helper, dir);
    have_docs = system(cmd) == 0;
    if (!have_docs)
        fprintf(stderr, "test_ex_read: cannot make the test documents; "
                        "the tests that read them are skipped\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void need_docs(void)
{
    if (!have_docs) skip();
}

static char *slurp(const char *name, size_t *len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static ex_reader *reader_with(const ex_limits *lim)
{
    ex_reader *r = NULL;
    char err[256];
    int rc = ex_reader_open(worker[0] ? worker : NULL, lim, &r, err,
                            sizeof err);
    if (rc != EX_OK) fail_msg("ex_reader_open: %s", err);
    return r;
}

/* Reads a test document; returns the code, *d the document, why the
 * reason. */
static int read_doc(ex_reader *r, const char *name, ex_doc **d, char *why,
                    size_t whylen)
{
    size_t len;
    char *data = slurp(name, &len);
    int rc = ex_read(r, ex_type_of_name(name), data, len, d, why, whylen);
    free(data);
    return rc;
}

static ex_doc *read_ok(ex_reader *r, const char *name)
{
    ex_doc *d = NULL;
    char why[512];
    int rc = read_doc(r, name, &d, why, sizeof why);
    if (rc != EX_OK) fail_msg("%s: %s (%s)", name, ex_strerror(rc), why);
    assert_non_null(d);
    return d;
}

static void expect_fail(ex_reader *r, const char *name, int want,
                        const char *reason)
{
    ex_doc *d = (ex_doc *)1;
    char why[512];
    int rc = read_doc(r, name, &d, why, sizeof why);
    if (rc != want)
        fail_msg("%s: got %d (%s), want %d", name, rc, why, want);
    assert_null(d);
    if (!strstr(why, reason))
        fail_msg("%s: reason \"%s\" does not say \"%s\"", name, why, reason);
}

/* ------------------------------------------------------------------------ */
/* Names, codes, the wire                                                   */

static void test_type_of_name(void **state)
{
    (void)state;
    static const struct { const char *name; ex_type t; } cases[] = {
        {"beslut.pdf", EX_TYPE_PDF},    {"a/b/BESLUT.PDF", EX_TYPE_PDF},
        {"memo.docx", EX_TYPE_DOCX},    {"memo.DocX", EX_TYPE_DOCX},
        {"memo.odt", EX_TYPE_ODT},      {".pdf", EX_TYPE_NONE},
        {"dir/.odt", EX_TYPE_NONE},     {"beslut.pdf.txt", EX_TYPE_NONE},
        {"memo.doc", EX_TYPE_NONE},     {"pdf", EX_TYPE_NONE},
        {"x.pdf/", EX_TYPE_NONE},       {"", EX_TYPE_NONE},
        {"skanning.tif", EX_TYPE_IMAGE}, {"s/SKANNING.TIFF", EX_TYPE_IMAGE},
        {"bild.png", EX_TYPE_IMAGE},    {"bild.JPG", EX_TYPE_IMAGE},
        {"bild.jpeg", EX_TYPE_IMAGE},   {"bild.gif", EX_TYPE_NONE},
        {".png", EX_TYPE_NONE},
        {NULL, EX_TYPE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(ex_type_of_name(cases[i].name), cases[i].t);
    assert_string_equal(ex_type_label(EX_TYPE_PDF), "PDF");
    assert_string_equal(ex_type_label(EX_TYPE_IMAGE), "image");
    assert_string_equal(ex_type_label((ex_type)99), "none");
    for (int rc = EX_ENOOCR; rc <= EX_OK; rc++)
        assert_string_not_equal(ex_strerror(rc), "unknown error");
    assert_string_equal(ex_strerror(-99), "unknown error");
}

/* A valid answer, then every single-byte change and every truncation of
 * it: the decoder must never read out of bounds (ASan) and must give
 * either a document or EX_EIO. */
static void test_wire_decoder_survives_any_damage(void **state)
{
    (void)state;
    ex_wbuf w = {0};
    ex_wire_begin(&w, EX_TYPE_PDF, 1);
    ex_wire_page(&w, 1, "iv", "Första sidan.", strlen("Första sidan."), 0,
                 -1, NULL);
    ex_wire_page(&w, 2, NULL, "", 0, EX_PAGE_NO_TEXT, -1, NULL);
    ex_wire_page(&w, 3, NULL, "Läst.", strlen("Läst."), EX_PAGE_OCR, 87,
                 NULL);
    ex_wire_page(&w, 4, NULL, "", 0, EX_PAGE_NO_TEXT | EX_PAGE_FAILED, -1,
                 "OCR time limit (1 s) exceeded");
    ex_wire_end(&w, "Sida 1 (2)", 10);
    ex_wire_frame(&w);
    assert_false(w.oom);
    const char *body = w.p + EX_WIRE_HEAD;
    size_t n = w.n - EX_WIRE_HEAD;
    ex_doc *d;
    char why[128];
    assert_int_equal(ex_wire_decode(body, n, 1 << 20, &d, why, sizeof why),
                     EX_OK);
    assert_int_equal(d->npages, 4);
    assert_string_equal(d->pages[0].label, "iv");
    assert_string_equal(d->pages[0].text, "Första sidan.");
    assert_null(d->pages[0].why);
    assert_null(d->pages[1].label);
    assert_int_equal(d->pages[1].flags, EX_PAGE_NO_TEXT);
    assert_int_equal(d->pages[1].ocr_confidence, -1);
    assert_int_equal(d->pages[2].flags, EX_PAGE_OCR);
    assert_int_equal(d->pages[2].ocr_confidence, 87);
    assert_string_equal(d->pages[2].text, "Läst.");
    assert_int_equal(d->pages[3].flags, EX_PAGE_NO_TEXT | EX_PAGE_FAILED);
    assert_string_equal(d->pages[3].why, "OCR time limit (1 s) exceeded");
    assert_string_equal(d->running, "Sida 1 (2)");
    ex_doc_free(d);
    /* The text limit is enforced on the answer. */
    assert_int_equal(ex_wire_decode(body, n, 5, &d, why, sizeof why),
                     EX_EIO);
    char *copy = malloc(n);
    assert_non_null(copy);
    for (size_t i = 0; i < n; i++) {
        for (int delta = 1; delta < 256; delta += 37) {
            memcpy(copy, body, n);
            copy[i] = (char)(copy[i] + delta);
            int rc = ex_wire_decode(copy, n, 1 << 20, &d, why, sizeof why);
            assert_true(rc == EX_OK || rc == EX_EIO);
            if (rc == EX_OK) ex_doc_free(d);
            else assert_null(d);
        }
        int rc = ex_wire_decode(body, i, 1 << 20, &d, why, sizeof why);
        assert_int_equal(rc, EX_EIO);
    }
    /* A failure answer carries its code and reason. */
    ex_wire_fail(&w, EX_EENCRYPTED, "encrypted (password-protected)");
    assert_int_equal(ex_wire_decode(w.p + EX_WIRE_HEAD, w.n - EX_WIRE_HEAD,
                                    1 << 20, &d, why, sizeof why),
                     EX_EENCRYPTED);
    assert_string_equal(why, "encrypted (password-protected)");
    free(copy);
    free(w.p);
    ex_doc_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* The traps                                                                */

static void test_running_headers_and_footers(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "headers.pdf");
    assert_int_equal(d->type, EX_TYPE_PDF);
    assert_int_equal(d->paged, 1);
    assert_int_equal(d->npages, 4);
    static const char *const want[] = {
        ("Sidan ett handlar om elevhälsan i kommunen och hur skolan "
         "arbetar med den."),
        "Sidan två beskriver trygghet och studiero under läsåret.",
        "Sidan tre redovisar betyg och bedömning i årskurs nio.",
        "Sidan fyra avslutar med beslutet om uppföljning."};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(d->pages[i].number, i + 1);
        assert_null(d->pages[i].label);
        assert_string_equal(d->pages[i].text, want[i]);
        assert_int_equal(d->pages[i].len, strlen(want[i]));
    }
    assert_non_null(strstr(d->running, "Sida 1 (4)"));
    assert_non_null(strstr(d->running, "Dnr 400-2022:5678"));
    assert_non_null(strstr(d->running, "Skolinspektionen"));
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_line_end_hyphens(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "hyphens.pdf");
    assert_int_equal(d->npages, 1);
    assert_string_equal(
        d->pages[0].text,
        "Huvudmannen behöver vidta flera åtgärder inom elevhälsan. Enligt "
        "nya EU-regler ska beslutet med Dnr 400-2022:5678 följas upp under "
        "läsåret 2022-2023 av barn- och utbildningsnämnden som svarar via "
        "e-post och genom kompensatoriska insatser för elever i "
        "Stockholms-Uppsala län, mellan för- eller eftermiddag enligt plan.");
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_ligatures(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "ligatures.pdf");
    assert_string_equal(d->pages[0].text,
                        "Skolans finansiering och effekten av officiella "
                        "beslut, flera effluenter och kommunens staff.");
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_two_columns(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "columns.pdf");
    const char *t = d->pages[0].text;
    assert_string_equal(
        t, "Tvåspaltig sida\n\n"
           "Kommunen har under året arbetat med elevhälsan och granskat hur "
           "skolorna följer upp frånvaron bland eleverna i grundskolan och "
           "i gymnasiet.\n\n"
           "Nämnden beslutade därefter att ge förvaltningen i uppdrag att ta "
           "fram en plan för det fortsatta arbetet med trygghet och "
           "studiero.");
    assert_null(strstr(t, "arbetat med Nämnden"));
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_page_labels(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "labels.pdf");
    static const char *const want[] = {"i", "ii", "1", "2", "3"};
    assert_int_equal(d->npages, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(d->pages[i].number, i + 1);
        assert_non_null(d->pages[i].label);
        assert_string_equal(d->pages[i].label, want[i]);
    }
    assert_string_equal(d->pages[3].text,
                        "Den här sidan har rubriken bedömning.");
    ex_doc_free(d);
    /* Without /PageLabels poppler says "1", "2", …: no labels then. */
    d = read_ok(r, "nolabels.pdf");
    assert_int_equal(d->npages, 3);
    for (size_t i = 0; i < 3; i++) assert_null(d->pages[i].label);
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_a_page_without_text_layer(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    size_t len;
    char *data = slurp("scan.pdf", &len);
    /* OCR off: the scanned page is reported, its text empty. */
    ex_options opt = {EX_OCR_OFF, NULL, NULL, 0, NULL, NULL};
    ex_doc *d = NULL;
    char why[256];
    assert_int_equal(ex_read_with(r, EX_TYPE_PDF, data, len, &opt, &d, why,
                                  sizeof why),
                     EX_OK);
    assert_int_equal(d->npages, 3);
    assert_string_equal(d->pages[0].text, "Första sidan har ett textlager.");
    assert_int_equal(d->pages[0].flags & (EX_PAGE_NO_TEXT | EX_PAGE_BLANK),
                     0);
    assert_int_equal(d->pages[1].flags, EX_PAGE_NO_TEXT);
    assert_int_equal(d->pages[1].len, 0);
    assert_null(d->pages[1].why);
    assert_int_equal(d->pages[2].flags, EX_PAGE_BLANK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(d->pages[i].ocr_confidence, -1);
    ex_doc_free(d);
    /* OCR on (ex_read): the page, a black box, is read and holds no
     * words; the blank page is not read. */
    d = read_ok(r, "scan.pdf");
    assert_int_equal(d->pages[1].flags, EX_PAGE_OCR);
    assert_int_equal(d->pages[1].len, 0);
    assert_true(d->pages[1].ocr_confidence >= 0);
    assert_int_equal(d->pages[2].flags, EX_PAGE_BLANK);
    ex_doc_free(d);
    free(data);
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* Bad PDFs                                                                 */

static void test_encrypted_truncated_and_not_pdf(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    expect_fail(r, "encrypted.pdf", EX_EENCRYPTED,
                "encrypted (password-protected)");
    expect_fail(r, "truncated.pdf", EX_ECORRUPT, "truncated");
    expect_fail(r, "notpdf.pdf", EX_ECORRUPT, "not a PDF");
    /* A copy-restricted PDF (owner password only) is read. */
    ex_doc *d = read_ok(r, "restricted.pdf");
    assert_int_equal(d->npages, 3);
    assert_string_equal(d->pages[1].text, "Skälen för beslutet.");
    ex_doc_free(d);
    /* None of that cost the worker. */
    long pid = ex_reader_pid(r);
    assert_true(pid > 0);
    d = read_ok(r, "plain.pdf");
    assert_int_equal(ex_reader_pid(r), pid);
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_a_document_of_the_wrong_type(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    size_t len;
    char *data = slurp("decision.docx", &len);
    ex_doc *d;
    char why[256];
    assert_int_equal(ex_read(r, EX_TYPE_PDF, data, len, &d, why, sizeof why),
                     EX_ECORRUPT);
    assert_non_null(strstr(why, "not a PDF"));
    free(data);
    data = slurp("plain.pdf", &len);
    assert_int_equal(ex_read(r, EX_TYPE_ODT, data, len, &d, why, sizeof why),
                     EX_ECORRUPT);
    assert_non_null(strstr(why, "zip"));
    assert_int_equal(ex_read(r, EX_TYPE_NONE, data, len, &d, why,
                             sizeof why),
                     EX_EINVAL);
    free(data);
    /* An empty file. */
    assert_int_equal(ex_read(r, EX_TYPE_PDF, "", 0, &d, why, sizeof why),
                     EX_ECORRUPT);
    assert_int_equal(ex_read(r, EX_TYPE_DOCX, "", 0, &d, why, sizeof why),
                     EX_ECORRUPT);
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */

static void test_cpu_limit(void **state)
{
    (void)state;
    need_docs();
    ex_limits lim;
    ex_limits_default(&lim);
    lim.cpu_seconds = 1;
    ex_reader *r = reader_with(&lim);
    long before = -1;
    ex_doc *d = read_ok(r, "plain.pdf");
    ex_doc_free(d);
    before = ex_reader_pid(r);
    expect_fail(r, "heavy.pdf", EX_ELIMIT, "CPU time limit (1 s) exceeded");
    assert_int_equal(ex_reader_pid(r), -1);
    /* The next file gets a fresh worker. */
    d = read_ok(r, "plain.pdf");
    assert_true(ex_reader_pid(r) > 0);
    assert_true(ex_reader_pid(r) != before);
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_wall_clock_limit(void **state)
{
    (void)state;
    need_docs();
    ex_limits lim;
    ex_limits_default(&lim);
    lim.wall_seconds = 1;
    ex_reader *r = reader_with(&lim);
    /* heavy.pdf takes tens of seconds of CPU; a CPU limit of 60 s leaves
     * the wall clock to stop it. (That the reader goes on after a killed
     * worker is test_cpu_limit's: a second read here would race the
     * one-second clock on a loaded machine.) */
    expect_fail(r, "heavy.pdf", EX_ELIMIT,
                "wall-clock time limit (1 s) exceeded");
    assert_int_equal(ex_reader_pid(r), -1);
    ex_reader_close(r);
}

static void test_memory_limit(void **state)
{
    (void)state;
    need_docs();
#ifdef UNDER_ASAN
    /* No address-space limit under AddressSanitizer (ex.h). */
    skip();
#else
    ex_limits lim;
    ex_limits_default(&lim);
    lim.memory_mb = 256;
    ex_reader *r = reader_with(&lim);
    expect_fail(r, "memory.pdf", EX_ELIMIT, "memory limit (256 MiB)");
    ex_doc *d = read_ok(r, "plain.pdf");
    ex_doc_free(d);
    ex_reader_close(r);
#endif
}

static void test_text_and_input_limits(void **state)
{
    (void)state;
    need_docs();
    ex_limits lim;
    ex_limits_default(&lim);
    lim.max_text = 40;
    ex_reader *r = reader_with(&lim);
    expect_fail(r, "headers.pdf", EX_ELIMIT, "text size limit");
    ex_reader_close(r);
    ex_limits_default(&lim);
    lim.max_input = 1000;
    r = reader_with(&lim);
    expect_fail(r, "plain.pdf", EX_ELIMIT, "input size limit");
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* Workers that misbehave                                                   */

static void write_script(const char *name, const char *body, char *path,
                         size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
}

static int read_with(const char *program, unsigned wall, char *why,
                     size_t whylen)
{
    ex_limits lim;
    ex_limits_default(&lim);
    lim.wall_seconds = wall;
    ex_reader *r = NULL;
    char err[256];
    assert_int_equal(ex_reader_open(program, &lim, &r, err, sizeof err),
                     EX_OK);
    ex_doc *d = (ex_doc *)1;
    int rc = ex_read(r, EX_TYPE_PDF, "%PDF-1.4", 8, &d, why, whylen);
    assert_null(d);
    ex_reader_close(r);
    return rc;
}

static void test_a_worker_that_crashes_hangs_or_lies(void **state)
{
    (void)state;
    char path[PATH_MAX], why[256];
    write_script("crash.sh", "kill -SEGV $$", path, sizeof path);
    assert_int_equal(read_with(path, 10, why, sizeof why), EX_ECRASH);
    assert_non_null(strstr(why, "SIGSEGV"));

    /* It takes the request first (the socket is descriptor 3), as a real
     * worker does: what a worker prints before a request is dropped. */
    write_script("oom.sh",
                 "head -c 1 <&3 >/dev/null; echo 'Out of memory' >&2; "
                 "kill -ABRT $$",
                 path, sizeof path);
    assert_int_equal(read_with(path, 10, why, sizeof why), EX_ELIMIT);
    assert_non_null(strstr(why, "memory limit"));

    write_script("exit.sh", "exit 7", path, sizeof path);
    assert_int_equal(read_with(path, 10, why, sizeof why), EX_ECRASH);
    assert_non_null(strstr(why, "exit status 7"));

    write_script("hang.sh", "exec sleep 30", path, sizeof path);
    assert_int_equal(read_with(path, 1, why, sizeof why), EX_ELIMIT);
    assert_non_null(strstr(why, "wall-clock"));

    write_script("garbage.sh",
                 "head -c 24 <&3 >/dev/null; "
                 "printf 'EXRS\\000\\000\\000\\000\\000\\000\\000\\004abcd' >&3;"
                 " exec sleep 30",
                 path, sizeof path);
    assert_int_equal(read_with(path, 10, why, sizeof why), EX_EIO);
    assert_non_null(strstr(why, "malformed"));

    write_script("huge.sh",
                 "head -c 24 <&3 >/dev/null; "
                 "printf 'EXRS\\377\\377\\377\\377\\377\\377\\377\\377' >&3;"
                 " exec sleep 30",
                 path, sizeof path);
    assert_int_equal(read_with(path, 10, why, sizeof why), EX_EIO);

    /* A worker that is not there. */
    ex_reader *r = (ex_reader *)1;
    char err[256];
    snprintf(path, sizeof path, "%s/no-such-worker", dir);
    assert_int_equal(ex_reader_open(path, NULL, &r, err, sizeof err),
                     EX_EIO);
    assert_null(r);
    assert_non_null(strstr(err, "no-such-worker"));
    ex_limits lim;
    ex_limits_default(&lim);
    lim.cpu_seconds = 0;
    assert_int_equal(ex_reader_open(NULL, &lim, &r, err, sizeof err),
                     EX_EINVAL);
    ex_reader_close(NULL);
}

/* ------------------------------------------------------------------------ */
/* Word and OpenDocument                                                    */

static void test_word(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "decision.docx");
    assert_int_equal(d->type, EX_TYPE_DOCX);
    assert_int_equal(d->paged, 0);
    assert_int_equal(d->npages, 1);
    assert_int_equal(d->pages[0].number, 0);
    assert_null(d->pages[0].label);
    assert_string_equal(d->pages[0].text,
                        "Beslut om kompensatoriska åtgärder\n\n"
                        "Skolan ska vidta åtgärder senast\nden 1 juni.\n\n"
                        "Barn-och elevhälsa, kompensatorisk effekt.\n\n"
                        "Kommun\n\nGävle\n\n"
                        "Se rutan: efter rutan.\n\n"
                        "Text i en ruta.\n\n"
                        "Fotnot om skollagen.");
    ex_doc_free(d);
    expect_fail(r, "truncated.docx", EX_ECORRUPT, "zip");
    expect_fail(r, "encrypted.docx", EX_EENCRYPTED, "encrypted");
    expect_fail(r, "laughs.docx", EX_ECORRUPT, "document type");
    expect_fail(r, "bomb.docx", EX_ELIMIT, "zip bomb");
    ex_reader_close(r);
}

static void test_opendocument(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    ex_doc *d = read_ok(r, "decision.odt");
    assert_int_equal(d->type, EX_TYPE_ODT);
    assert_int_equal(d->paged, 0);
    assert_string_equal(d->pages[0].text,
                        "Tillsynsbeslut\n\n"
                        "Skolan har brister i  arbetet med\n"
                        "studiero och officiella rutiner. Mer text.\n\n"
                        "Enligt skollagen.\n\n"
                        "Första punkten\n\nAndra punkten\n\n"
                        "Kommun\n\nUmeå");
    ex_doc_free(d);
    expect_fail(r, "encrypted.odt", EX_EENCRYPTED, "encrypted");
    ex_reader_close(r);
}

static void test_one_worker_serves_many_files(void **state)
{
    (void)state;
    need_docs();
    ex_reader *r = reader_with(NULL);
    static const char *const names[] = {"plain.pdf", "decision.docx",
                                        "columns.pdf", "decision.odt",
                                        "headers.pdf"};
    long pid = -1;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            ex_doc *d = read_ok(r, names[i]);
            ex_doc_free(d);
            if (pid < 0) pid = ex_reader_pid(r);
            assert_int_equal(ex_reader_pid(r), pid);
        }
    ex_reader_close(r);
    /* The worker is gone after close. */
    assert_int_equal(kill((pid_t)pid, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_of_name),
        cmocka_unit_test(test_wire_decoder_survives_any_damage),
        cmocka_unit_test(test_running_headers_and_footers),
        cmocka_unit_test(test_line_end_hyphens),
        cmocka_unit_test(test_ligatures),
        cmocka_unit_test(test_two_columns),
        cmocka_unit_test(test_page_labels),
        cmocka_unit_test(test_a_page_without_text_layer),
        cmocka_unit_test(test_encrypted_truncated_and_not_pdf),
        cmocka_unit_test(test_a_document_of_the_wrong_type),
        cmocka_unit_test(test_cpu_limit),
        cmocka_unit_test(test_wall_clock_limit),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_text_and_input_limits),
        cmocka_unit_test(test_a_worker_that_crashes_hangs_or_lies),
        cmocka_unit_test(test_word),
        cmocka_unit_test(test_opendocument),
        cmocka_unit_test(test_one_worker_serves_many_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
