/*
 * test_ex_ocr.c — scanned pages read by OCR through extract/'s real worker
 * (issue 31): a mixed PDF (only its image page is read), an image-only
 * PDF (its running header and footer removed, a split word joined), a
 * scan under a stamp and under a junk text layer, image files (PNG, JPEG,
 * a two-page TIFF, a cut and a lying one), pages past their limits (too
 * large, too slow) with the rest of the document read, the pages handed
 * back as a cache would (nothing read twice), pages read one at a time,
 * the model string, a missing model, and a worker that dies on a page.
 *
 * The documents are made at test time by tests/make_docs.py (its `scans`
 * part: Pillow draws Swedish text into page images, reportlab makes the
 * PDFs) into a mkdtemp folder, removed at the end; the text drawn is here
 * too, and what OCR reads is checked against it. When the documents
 * cannot be made (python3-pil, python3-reportlab or fonts-dejavu-core
 * missing) or Tesseract's Swedish model is not installed
 * (tesseract-ocr-swe; scripts/setup.sh installs all of them) the tests
 * are skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ex.h"

static char dir[64];
static int have_docs, have_swe;
static char worker[PATH_MAX];

/* The text make_docs.py draws (SCAN_BODY, SCAN_PAGE1, SCAN_PAGE2). */
static const char body_text[] =
    "Skolinspektionen förelägger Västerås kommun att vidta åtgärder "
    "enligt 26 kap. 10 § skollagen. Överklagandenämnden avslår "
    "överklagandet. Beslutet får överklagas enligt 28 kap. 5 § skollagen "
    "hos allmän förvaltningsdomstol.";
static const char page1_text[] =
    "Huvudmannen ska senast den 1 juni vidta åtgärder så att eleverna får "
    "det stöd de behöver.";
static const char page2_text[] =
    "Rektorn ansvarar för att skolans elevhälsa arbetar förebyggande och "
    "hälsofrämjande.";

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */

static int setup(void **state)
{
    (void)state;
    const char *bin = getenv("DIARIUM_BIN_DIR");
    if (bin && *bin)
        snprintf(worker, sizeof worker, "%s/diarium-extract", bin);
    strcpy(dir, "/tmp/diarium-ocr.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    const char *src = getenv("DIARIUM_SOURCE_DIR");
    char helper[PATH_MAX];
    if (src && *src) {
        snprintf(helper, sizeof helper, "%s/tests/make_docs.py", src);
    } else {
        snprintf(helper, sizeof helper, "%s", __FILE__);
        char *slash = strrchr(helper, '/');
        if (slash) strcpy(slash + 1, "make_docs.py");
    }
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "for py in python3 /usr/bin/python3; do "
             "\"$py\" -c 'import reportlab, PIL' 2>/dev/null && "
             "exec \"$py\" '%s' '%s' scans; done; "
             "echo 'python3-reportlab or python3-pil is not installed' >&2; "
             "exit 1",
             helper, dir);
    have_docs = system(cmd) == 0;
    if (!have_docs)
        fprintf(stderr, "test_ex_ocr: cannot make the test documents; "
                        "the tests that read them are skipped\n");
    /* The Swedish model: ask a worker. */
    ex_reader *r = NULL;
    char err[256], *model = NULL;
    if (ex_reader_open(worker[0] ? worker : NULL, NULL, &r, err,
                       sizeof err) == EX_OK &&
        ex_ocr_model(r, NULL, &model, err, sizeof err) == EX_OK)
        have_swe = 1;
    else
        fprintf(stderr, "test_ex_ocr: no OCR (%s); the tests that need it "
                        "are skipped\n", err);
    free(model);
    ex_reader_close(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void need_ocr(void)
{
    if (!have_docs || !have_swe) skip();
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

static ex_reader *reader_with(const char *program, const ex_limits *lim)
{
    ex_reader *r = NULL;
    char err[256];
    if (!program) program = worker[0] ? worker : NULL;
    int rc = ex_reader_open(program, lim, &r, err, sizeof err);
    if (rc != EX_OK) fail_msg("ex_reader_open: %s", err);
    return r;
}

/* Reads a test document with options (NULL: ex_read's). */
static ex_doc *read_ok(ex_reader *r, const char *name, const ex_options *opt)
{
    size_t len;
    char *data = slurp(name, &len);
    ex_doc *d = NULL;
    char why[512];
    int rc = ex_read_with(r, ex_type_of_name(name), data, len, opt, &d, why,
                          sizeof why);
    free(data);
    if (rc != EX_OK) fail_msg("%s: %s (%s)", name, ex_strerror(rc), why);
    assert_non_null(d);
    return d;
}

/* The share of the words of `want` found, in order, in `got` (a longest
 * common subsequence of words): word accuracy. */
static double word_accuracy(const char *want, const char *got)
{
    char *a = strdup(want), *b = strdup(got);
    assert_non_null(a);
    assert_non_null(b);
    const char *wa[128], *wb[256];
    size_t na = 0, nb = 0;
    char *save;
    for (char *p = strtok_r(a, " \n", &save); p && na < 128;
         p = strtok_r(NULL, " \n", &save))
        wa[na++] = p;
    for (char *p = strtok_r(b, " \n", &save); p && nb < 256;
         p = strtok_r(NULL, " \n", &save))
        wb[nb++] = p;
    static size_t t[129][257];
    for (size_t i = 0; i <= na; i++)
        for (size_t j = 0; j <= nb; j++)
            t[i][j] = i == 0 || j == 0 ? 0
                      : strcmp(wa[i - 1], wb[j - 1]) == 0
                          ? t[i - 1][j - 1] + 1
                      : t[i - 1][j] > t[i][j - 1] ? t[i - 1][j]
                                                  : t[i][j - 1];
    double acc = na ? (double)t[na][nb] / (double)na : 0;
    free(a);
    free(b);
    return acc;
}

static void expect_read(const ex_page *p, const char *want)
{
    if (!(p->flags & EX_PAGE_OCR))
        fail_msg("page %u was not read by OCR (flags %u, why %s)",
                 p->number, p->flags, p->why ? p->why : "-");
    assert_int_equal(p->flags & (EX_PAGE_NO_TEXT | EX_PAGE_FAILED), 0);
    assert_true(p->ocr_confidence >= 50 && p->ocr_confidence <= 100);
    double acc = word_accuracy(want, p->text);
    if (acc < 0.9)
        fail_msg("page %u: word accuracy %.2f:\n%s", p->number, acc,
                 p->text);
}

static void expect_failed(const ex_page *p, const char *reason)
{
    if (p->flags != (EX_PAGE_NO_TEXT | EX_PAGE_FAILED))
        fail_msg("page %u: flags %u, not a failed scan", p->number,
                 p->flags);
    assert_int_equal(p->ocr_confidence, -1);
    assert_non_null(p->why);
    if (!strstr(p->why, reason))
        fail_msg("page %u: reason \"%s\" does not say \"%s\"", p->number,
                 p->why, reason);
}

/* ------------------------------------------------------------------------ */
/* What is read                                                             */

static void test_mixed_pdf(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    ex_doc *d = read_ok(r, "scanmixed.pdf", NULL);
    assert_int_equal(d->npages, 3);
    /* The text page keeps its text layer; only the image page is read. */
    assert_string_equal(d->pages[0].text, "Första sidan har ett textlager.");
    assert_int_equal(d->pages[0].flags & EX_PAGE_OCR, 0);
    assert_int_equal(d->pages[0].ocr_confidence, -1);
    expect_read(&d->pages[1], body_text);
    /* The Swedish model: å, ä, ö, and § fixed ("19 8" is what it reads). */
    assert_non_null(strstr(d->pages[1].text, "Västerås"));
    assert_non_null(strstr(d->pages[1].text, "åtgärder"));
    assert_non_null(strstr(d->pages[1].text, "Överklagandenämnden"));
    assert_non_null(strstr(d->pages[1].text, "26 kap. 10 § skollagen"));
    assert_int_equal(d->pages[2].flags, EX_PAGE_BLANK);
    ex_doc_free(d);
    /* OCR off: the scanned page is reported, empty, not failed. */
    ex_options off = {EX_OCR_OFF, NULL, NULL, 0, NULL, NULL};
    d = read_ok(r, "scanmixed.pdf", &off);
    assert_int_equal(d->pages[1].flags, EX_PAGE_NO_TEXT);
    assert_int_equal(d->pages[1].len, 0);
    assert_null(d->pages[1].why);
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_image_only_pdf(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    ex_doc *d = read_ok(r, "scanonly.pdf", NULL);
    assert_int_equal(d->npages, 2);
    expect_read(&d->pages[0], page1_text);
    expect_read(&d->pages[1], page2_text);
    /* The same layout cleanup as a text layer: the word split at the line
     * end joined, the running header and footer taken out of the text. */
    assert_non_null(strstr(d->pages[0].text, "åtgärder"));
    for (size_t i = 0; i < 2; i++) {
        assert_null(strstr(d->pages[i].text, "Skolinspektionen"));
        assert_null(strstr(d->pages[i].text, "Sida"));
    }
    assert_non_null(strstr(d->running, "Skolinspektionen"));
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_stamp_and_junk_text_layers(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    /* A handful of characters over a page-sized image: a scan. */
    ex_doc *d = read_ok(r, "stamp.pdf", NULL);
    expect_read(&d->pages[0], body_text);
    ex_doc_free(d);
    /* A text layer of private-use code points over a scan: junk. */
    d = read_ok(r, "junk.pdf", NULL);
    expect_read(&d->pages[0], body_text);
    assert_null(strstr(d->pages[0].text, "\xee\x80")); /* U+E0xx */
    ex_doc_free(d);
    ex_reader_close(r);
}

static void test_image_files(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    static const char *const one[] = {"scan.png", "scan.jpg"};
    for (size_t i = 0; i < 2; i++) {
        ex_doc *d = read_ok(r, one[i], NULL);
        assert_int_equal(d->type, EX_TYPE_IMAGE);
        assert_int_equal(d->paged, 1);
        assert_int_equal(d->npages, 1);
        assert_int_equal(d->pages[0].number, 1);
        expect_read(&d->pages[0], body_text);
        ex_doc_free(d);
    }
    /* Every page of a multi-page TIFF. */
    ex_doc *d = read_ok(r, "scan2.tif", NULL);
    assert_int_equal(d->npages, 2);
    expect_read(&d->pages[0], page1_text);
    expect_read(&d->pages[1], page2_text);
    ex_doc_free(d);
    /* A cut image and one whose header claims 10^10 pixels: the page
     * fails with the reason, the file is still a document. */
    d = read_ok(r, "cut.png", NULL);
    expect_failed(&d->pages[0], "cannot be decoded");
    ex_doc_free(d);
    d = read_ok(r, "huge.png", NULL);
    expect_failed(&d->pages[0], "image too large for OCR (100000 x 100000");
    ex_doc_free(d);
    /* Not an image at all. */
    ex_doc *none = (ex_doc *)1;
    char why[256];
    assert_int_equal(ex_read(r, EX_TYPE_IMAGE, "GIF89a..", 8, &none, why,
                             sizeof why),
                     EX_ECORRUPT);
    assert_null(none);
    assert_non_null(strstr(why, "not an image file"));
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* Limits per page                                                          */

static void test_pages_past_their_limits(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    /* 200 x 200 inches: too large even at 150 dpi; the next page read. */
    ex_doc *d = read_ok(r, "hugepage.pdf", NULL);
    assert_int_equal(d->npages, 2);
    expect_failed(&d->pages[0], "page too large for OCR");
    assert_string_equal(d->pages[1].text,
                        "Sidan efter den stora sidan läses.");
    ex_doc_free(d);
    ex_reader_close(r);
    /* A page of 110 lines of small text takes many seconds to read: one
     * second is its limit here. */
    ex_limits lim;
    ex_limits_default(&lim);
    lim.ocr_seconds = 1;
    r = reader_with(NULL, &lim);
    d = read_ok(r, "dense.pdf", NULL);
    expect_failed(&d->pages[0], "OCR time limit (1 s) exceeded");
    assert_string_equal(d->pages[1].text,
                        "Sidan efter den täta sidan läses.");
    ex_doc_free(d);
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* Pages kept and given back                                                */

typedef struct kept {
    ex_scan *s[8];
    size_t n;
} kept;

/* on_page: keeps a copy of each page, as a cache would. */
static void keep(void *arg, const ex_scan *s)
{
    kept *k = arg;
    assert_true(k->n < 8);
    assert_int_equal(ex_scan_decode(s->bytes, s->len, &k->s[k->n]), EX_OK);
    k->n++;
}

static void kept_free(kept *k)
{
    for (size_t i = 0; i < k->n; i++) ex_scan_free(k->s[i]);
    k->n = 0;
}

static void test_pages_given_back_are_not_read_again(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    kept k = {{0}, 0};
    ex_options opt = {EX_OCR_ON, NULL, NULL, 0, keep, &k};
    ex_doc *first = read_ok(r, "scanonly.pdf", &opt);
    assert_int_equal(k.n, 2);
    assert_int_equal(k.s[0]->page, 1);
    assert_int_equal(k.s[1]->page, 2);
    assert_int_equal(k.s[0]->confidence, first->pages[0].ocr_confidence);

    /* Given back (only given pages are read): nothing is read by OCR, and
     * the document is the same. */
    kept again = {{0}, 0};
    const ex_scan *given[2] = {k.s[1], k.s[0]};
    ex_options cached = {EX_OCR_GIVEN, NULL, given, 2, keep, &again};
    ex_doc *second = read_ok(r, "scanonly.pdf", &cached);
    assert_int_equal(again.n, 0);
    assert_int_equal(second->npages, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(second->pages[i].text, first->pages[i].text);
        assert_int_equal(second->pages[i].flags, first->pages[i].flags);
        assert_int_equal(second->pages[i].ocr_confidence,
                         first->pages[i].ocr_confidence);
    }
    assert_string_equal(second->running, first->running);
    ex_doc_free(second);

    /* One page given, OCR on: only the other one is read. */
    const ex_scan *one[1] = {k.s[0]};
    ex_options part = {EX_OCR_ON, NULL, one, 1, keep, &again};
    second = read_ok(r, "scanonly.pdf", &part);
    assert_int_equal(again.n, 1);
    assert_int_equal(again.s[0]->page, 2);
    assert_string_equal(second->pages[1].text, first->pages[1].text);
    ex_doc_free(second);
    kept_free(&again);

    /* Only given pages, none given: the scans are left unread. */
    ex_options none = {EX_OCR_GIVEN, NULL, NULL, 0, keep, &again};
    second = read_ok(r, "scanonly.pdf", &none);
    assert_int_equal(again.n, 0);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(second->pages[i].flags, EX_PAGE_NO_TEXT);
        assert_null(second->pages[i].why);
    }
    ex_doc_free(second);
    ex_doc_free(first);
    kept_free(&k);
    ex_reader_close(r);
}

static void test_pages_read_one_at_a_time(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    size_t len;
    char *data = slurp("scanonly.pdf", &len);
    ex_scan *p[2] = {NULL, NULL};
    char why[256];
    for (unsigned i = 0; i < 2; i++) {
        /* The second page reuses the file the worker holds, also after
         * a model request (which has no file). */
        char *model = NULL;
        assert_int_equal(ex_ocr_model(r, NULL, &model, why, sizeof why),
                         EX_OK);
        free(model);
        assert_int_equal(ex_ocr_page(r, EX_TYPE_PDF, data, len, i + 1, NULL,
                                     &p[i], why, sizeof why),
                         EX_OK);
        assert_int_equal(p[i]->page, i + 1);
        assert_null(p[i]->why);
        assert_true(p[i]->confidence >= 50);
    }
    /* Assembled from them: the document a full read gives. */
    const ex_scan *given[2] = {p[0], p[1]};
    ex_options opt = {EX_OCR_GIVEN, NULL, given, 2, NULL, NULL};
    ex_doc *d = read_ok(r, "scanonly.pdf", &opt);
    expect_read(&d->pages[0], page1_text);
    expect_read(&d->pages[1], page2_text);
    ex_doc_free(d);
    /* No such page; a type without pages. */
    ex_scan *s = (ex_scan *)1;
    assert_int_equal(ex_ocr_page(r, EX_TYPE_PDF, data, len, 3, NULL, &s,
                                 why, sizeof why),
                     EX_EINVAL);
    assert_null(s);
    assert_non_null(strstr(why, "no page 3"));
    assert_int_equal(ex_ocr_page(r, EX_TYPE_DOCX, data, len, 1, NULL, &s,
                                 why, sizeof why),
                     EX_EINVAL);
    ex_scan_free(p[0]);
    ex_scan_free(p[1]);
    free(data);
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* The model                                                                */

static void test_model(void **state)
{
    (void)state;
    need_ocr();
    ex_reader *r = reader_with(NULL, NULL);
    char *m = NULL, why[256];
    assert_int_equal(ex_ocr_model(r, NULL, &m, why, sizeof why), EX_OK);
    assert_non_null(strstr(m, "tesseract "));
    assert_non_null(strstr(m, "swe.traineddata "));
    assert_non_null(strstr(m, "300 dpi"));
    char *again = NULL;
    assert_int_equal(ex_ocr_model(r, "swe", &again, why, sizeof why), EX_OK);
    assert_string_equal(m, again);
    free(again);
    free(m);
    /* A model that is not installed: named with its package; a document
     * read with it is read, its scanned page failed with that reason. */
    m = (char *)1;
    assert_int_equal(ex_ocr_model(r, "xqz", &m, why, sizeof why), EX_ENOOCR);
    assert_null(m);
    assert_non_null(strstr(why, "tesseract-ocr-xqz"));
    ex_options opt = {EX_OCR_ON, "xqz", NULL, 0, NULL, NULL};
    ex_doc *d = read_ok(r, "scanmixed.pdf", &opt);
    assert_string_equal(d->pages[0].text, "Första sidan har ett textlager.");
    expect_failed(&d->pages[1], "tesseract-ocr-xqz");
    ex_doc_free(d);
    /* Not a model name. */
    ex_options bad = {EX_OCR_ON, "../etc", NULL, 0, NULL, NULL};
    d = (ex_doc *)1;
    assert_int_equal(ex_read_with(r, EX_TYPE_PDF, "%PDF", 4, &bad, &d, why,
                                  sizeof why),
                     EX_EINVAL);
    assert_null(d);
    assert_false(ex_ocr_lang_ok("../etc"));
    assert_false(ex_ocr_lang_ok(""));
    assert_false(ex_ocr_lang_ok("+swe"));
    assert_true(ex_ocr_lang_ok("swe+eng"));
    assert_true(ex_ocr_lang_ok(NULL));
    ex_reader_close(r);
}

/* ------------------------------------------------------------------------ */
/* A worker that dies on a page                                             */

/* The first worker started says it begins page 1, then crashes; later
 * ones are the real worker. The page is named with the reason and the
 * rest of the document is read by a fresh worker. */
static void test_a_worker_that_dies_on_a_page(void **state)
{
    (void)state;
    need_ocr();
    char script[PATH_MAX], mark[PATH_MAX];
    snprintf(script, sizeof script, "%s/dies-on-page.sh", dir);
    snprintf(mark, sizeof mark, "%s/died-once", dir);
    char real[PATH_MAX];
    if (worker[0]) {
        snprintf(real, sizeof real, "%s", worker);
    } else {
        ssize_t k = readlink("/proc/self/exe", real, sizeof real - 1);
        assert_true(k > 0);
        real[k] = '\0';
        char *slash = strrchr(real, '/');
        assert_non_null(slash);
        strcpy(slash + 1, "diarium-extract");
    }
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f,
            "#!/bin/sh\n"
            "if [ ! -e '%s' ]; then\n"
            "  : > '%s'\n"
            "  head -c 40 <&3 >/dev/null\n"
            "  printf 'EXPG\\000\\000\\000\\000\\000\\000\\000\\004"
            "\\000\\000\\000\\001' >&3\n"
            "  kill -SEGV $$\n"
            "fi\n"
            "exec '%s' \"$@\"\n",
            mark, mark, real);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0755), 0);

    ex_reader *r = reader_with(script, NULL);
    kept k = {{0}, 0};
    ex_options opt = {EX_OCR_ON, NULL, NULL, 0, keep, &k};
    ex_doc *d = read_ok(r, "scanonly.pdf", &opt);
    expect_failed(&d->pages[0], "crashed on it (SIGSEGV)");
    expect_read(&d->pages[1], page2_text);
    /* The caller heard of both: the failed page, then the one read. */
    assert_int_equal(k.n, 2);
    assert_int_equal(k.s[0]->page, 1);
    assert_non_null(k.s[0]->why);
    assert_int_equal(k.s[1]->page, 2);
    assert_null(k.s[1]->why);
    kept_free(&k);
    ex_doc_free(d);
    ex_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_pdf),
        cmocka_unit_test(test_image_only_pdf),
        cmocka_unit_test(test_stamp_and_junk_text_layers),
        cmocka_unit_test(test_image_files),
        cmocka_unit_test(test_pages_past_their_limits),
        cmocka_unit_test(test_pages_given_back_are_not_read_again),
        cmocka_unit_test(test_pages_read_one_at_a_time),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_a_worker_that_dies_on_a_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
