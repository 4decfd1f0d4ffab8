/*
 * test_passage.c — unit tests for indexer/dx_passage (splitting a cleaned
 * document into passages).
 *
 * What must hold for every split, checked by check_spans(): spans in
 * order, inside the text, trimmed of white space, starting and ending on a
 * UTF-8 character boundary, none longer than the limit; and together they
 * cover every visible byte. The real documents in ../shared/seeds are read
 * through $DIARIUM_SHARED_DIR (ctest sets it); that test skips with a
 * message when they are absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dx_passage.h"
#include "sv_text.h"

/* How far past DX_PASSAGE_MAX a window of a long paragraph may go. */
#define WINDOW_SLACK 64

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_cont(const char *t, size_t i)
{
    return ((unsigned char)t[i] & 0xC0) == 0x80;
}

static dx_span *split(const char *text, size_t len, size_t *n)
{
    dx_span *v = (dx_span *)1;
    *n = 12345;
    assert_int_equal(dx_passages(text, len, &v, n), 0);
    if (*n == 0) assert_null(v);
    else assert_non_null(v);
    return v;
}

/* The invariants of any split; max: the longest passage allowed. */
static void check_spans(const char *t, size_t len, const dx_span *v, size_t n,
                        size_t max)
{
    for (size_t k = 0; k < n; k++) {
        size_t s = v[k].start, e = v[k].end;
        if (!(s < e && e <= len))
            fail_msg("passage %zu: bad span [%zu, %zu) in %zu bytes", k, s, e,
                     len);
        if (e - s > max)
            fail_msg("passage %zu: %zu bytes, more than %zu", k, e - s, max);
        if (is_space(t[s]) || is_space(t[e - 1]))
            fail_msg("passage %zu [%zu, %zu) is not trimmed", k, s, e);
        if (is_cont(t, s) || (e < len && is_cont(t, e)))
            fail_msg("passage %zu [%zu, %zu) cuts a UTF-8 sequence", k, s, e);
        if (k > 0 && s <= v[k - 1].start)
            fail_msg("passage %zu starts at %zu, not after passage %zu (%zu)",
                     k, s, k - 1, v[k - 1].start);
    }
    /* Every visible byte is in some passage. */
    unsigned char *in = calloc(len + 1, 1);
    assert_non_null(in);
    for (size_t k = 0; k < n; k++)
        memset(in + v[k].start, 1, v[k].end - v[k].start);
    for (size_t i = 0; i < len; i++)
        if (!is_space(t[i]) && !in[i])
            fail_msg("byte %zu ('%c') is in no passage", i, t[i]);
    free(in);
}

/* A tiny deterministic generator (xorshift32). */
static uint32_t next_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Words full of å/ä/ö (two-byte characters), so that a cut at an arbitrary
 * byte would often split one. */
static const char *const words[] = {
    "åtgärder", "särskilt", "stöd", "för", "elever", "i", "behov", "av",
    "skolans", "kompensatoriska", "arbete", "är", "också", "så", "följd",
    "öka", "måluppfyllelse", "på", "huvudmannen", "bedömer", "åäö",
    "ööö", "äåä", "förändringsarbetet", "läsåret", "återkoppling"};

enum { SENTENCES = 1, NEWLINES = 2, SPACES = 4 };

/* Appends words to buf[*len] until at least `target` more bytes: between
 * words a space (SPACES), a line break instead once a line is long
 * (NEWLINES); a full stop every few words (SENTENCES). Never a blank line;
 * ends with a visible character. Returns the new length. */
static size_t add_words(char *buf, size_t len, size_t target, unsigned how,
                        uint32_t *seed)
{
    size_t end = len + target, line = 0, nw = 0;
    while (len < end) {
        if (nw > 0) {
            if ((how & SENTENCES) && nw % 9 == 0) buf[len++] = '.';
            if ((how & NEWLINES) && line > 70) {
                buf[len++] = '\n';
                line = 0;
            } else if (how & SPACES) {
                buf[len++] = ' ';
                line++;
            }
        }
        const char *w = words[next_rand(seed) % (sizeof words / sizeof *words)];
        size_t wl = strlen(w);
        memcpy(buf + len, w, wl);
        len += wl;
        line += wl;
        nw++;
    }
    if (how & SENTENCES) buf[len++] = '.';
    buf[len] = '\0';
    return len;
}

/* ------------------------------------------------------------------------ */
/* Paragraphs, headings, merging                                            */

/* Paragraphs separated by blank lines (also a line of spaces) become
 * passages of their own when they are long enough not to merge. */
static void test_paragraphs_become_passages(void **state)
{
    (void)state;
    char *t = malloc(4096);
    assert_non_null(t);
    uint32_t seed = 1;
    size_t s1 = 0, e1 = add_words(t, 0, 300, SENTENCES | NEWLINES | SPACES,
                                  &seed);
    size_t len = e1;
    len += (size_t)sprintf(t + len, "\n\n");
    size_t s2 = len, e2 = add_words(t, len, 400, SENTENCES | NEWLINES | SPACES,
                                    &seed);
    len = e2;
    len += (size_t)sprintf(t + len, "\n   \n\n");
    size_t s3 = len, e3 = add_words(t, len, 250, SENTENCES | NEWLINES | SPACES,
                                    &seed);
    len = e3;
    len += (size_t)sprintf(t + len, "\n");

    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_MAX);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].start, s1);
    assert_int_equal(v[0].end, e1);
    assert_int_equal(v[1].start, s2);
    assert_int_equal(v[1].end, e2);
    assert_int_equal(v[2].start, s3);
    assert_int_equal(v[2].end, e3);
    free(v);
    free(t);
}

/* A heading ("Bakgrund", seeds/002_a1386d103bc9e527.txt) joins the
 * paragraph below it, also when that paragraph is long enough on its own;
 * leading white space and stray spaces at line starts are trimmed. */
static void test_heading_joins_paragraph(void **state)
{
    (void)state;
    char *t = malloc(4096);
    assert_non_null(t);
    uint32_t seed = 2;
    size_t len = (size_t)sprintf(t, "\n  Bakgrund\n\n");
    size_t h = 3;
    size_t e1 = add_words(t, len, 400, SENTENCES | NEWLINES | SPACES, &seed);
    len = e1;
    len += (size_t)sprintf(t + len, "\n\nUtredning\n\n ");
    size_t h2 = e1 + 2;
    size_t e2 = add_words(t, len, 500, SENTENCES | NEWLINES | SPACES, &seed);
    len = e2;
    len += (size_t)sprintf(t + len, "\n\n");

    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_MAX);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].start, h);
    assert_int_equal(v[0].end, e1);
    assert_int_equal(v[1].start, h2);
    assert_int_equal(v[1].end, e2);
    assert_memory_equal(t + v[1].start, "Utredning", 9);
    free(v);
    free(t);
}

/* A heading over a paragraph too long for one passage: the heading is in
 * the first window. */
static void test_heading_over_long_paragraph(void **state)
{
    (void)state;
    char *t = malloc(16384);
    assert_non_null(t);
    uint32_t seed = 3;
    size_t len = (size_t)sprintf(t, "Bed\xC3\xB6mning\n\n");
    len = add_words(t, len, 6000, SENTENCES | NEWLINES | SPACES, &seed);
    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_MAX + WINDOW_SLACK);
    assert_true(n >= 3);
    assert_int_equal(v[0].start, 0);
    free(v);
    free(t);
}

/* Several short paragraphs (one line each, ending in a full stop, so not
 * headings) merge; a merged passage stops growing at DX_PASSAGE_TARGET and
 * every one but the last has at least DX_PASSAGE_MIN bytes. Passages start
 * and end where paragraphs do. */
static void test_short_paragraphs_merge(void **state)
{
    (void)state;
    enum { NP = 40 };
    char *t = malloc(8192);
    assert_non_null(t);
    size_t ps[NP], pe[NP], len = 0;
    uint32_t seed = 4;
    for (int p = 0; p < NP; p++) {
        ps[p] = len;
        len = add_words(t, len, 40 + next_rand(&seed) % 40,
                        SENTENCES | SPACES, &seed);
        pe[p] = len;
        len += (size_t)sprintf(t + len, "\n\n");
    }
    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_TARGET);
    assert_true(n >= 2);
    assert_true(n <= NP / 2); /* several paragraphs per passage */
    for (size_t k = 0; k < n; k++) {
        int starts = 0, ends = 0;
        for (int p = 0; p < NP; p++) {
            starts |= v[k].start == ps[p];
            ends |= v[k].end == pe[p];
        }
        assert_true(starts && ends);
        if (k + 1 < n && v[k].end - v[k].start < DX_PASSAGE_MIN)
            fail_msg("passage %zu has %zu bytes, fewer than %d", k,
                     v[k].end - v[k].start, DX_PASSAGE_MIN);
        assert_true(k == 0 || v[k].start > v[k - 1].end); /* no overlap */
    }
    free(v);

    /* A short paragraph merges with the next while the result stays
     * within DX_PASSAGE_TARGET ... */
    len = (size_t)sprintf(t, "Kort stycke om st\xC3\xB6" "d.\n\n");
    size_t s2 = len;
    size_t e2 = add_words(t, len, DX_PASSAGE_TARGET - 120,
                          SENTENCES | NEWLINES | SPACES, &seed);
    assert_true(e2 <= DX_PASSAGE_TARGET);
    v = split(t, e2, &n);
    check_spans(t, e2, v, n, DX_PASSAGE_TARGET);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].start, 0);
    assert_int_equal(v[0].end, e2);
    free(v);

    /* ... and not when that would take it past DX_PASSAGE_TARGET. */
    e2 = add_words(t, s2, DX_PASSAGE_TARGET - 10,
                   SENTENCES | NEWLINES | SPACES, &seed);
    assert_true(e2 > DX_PASSAGE_TARGET);
    v = split(t, e2, &n);
    check_spans(t, e2, v, n, DX_PASSAGE_MAX);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].start, 0);
    assert_int_equal(v[0].end, s2 - 2);
    assert_int_equal(v[1].start, s2);
    assert_int_equal(v[1].end, e2);
    free(v);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* Windows over long paragraphs                                             */

/* Cuts the 10,000-byte paragraph `t` and checks the windows: each at most
 * DX_PASSAGE_MAX + WINDOW_SLACK, in order, (if overlap) overlapping the
 * next, together covering every byte from the first to the last visible
 * one, never starting or ending inside a UTF-8 sequence, trimmed. */
static void check_windows(const char *t, size_t len, int overlap)
{
    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_MAX + WINDOW_SLACK);
    assert_true(n >= len / DX_PASSAGE_MAX + 1);
    for (size_t k = 0; k + 1 < n; k++) {
        if (overlap && v[k + 1].start >= v[k].end)
            fail_msg("windows %zu [%zu, %zu) and %zu [%zu, %zu) do not "
                     "overlap", k, v[k].start, v[k].end, k + 1,
                     v[k + 1].start, v[k + 1].end);
        if (v[k + 1].start > v[k].end) /* a gap: only white space in it */
            for (size_t i = v[k].end; i < v[k + 1].start; i++)
                assert_true(is_space(t[i]));
    }
    size_t first = 0, last = len;
    while (first < len && is_space(t[first])) first++;
    while (last > first && is_space(t[last - 1])) last--;
    assert_int_equal(v[0].start, first);
    assert_int_equal(v[n - 1].end, last);
    /* With overlap, every byte (white space too) is in a window. */
    if (overlap)
        for (size_t k = 0; k + 1 < n; k++)
            assert_true(v[k + 1].start <= v[k].end);
    free(v);
}

static void test_long_paragraph_windows(void **state)
{
    (void)state;
    char *t = malloc(16384);
    assert_non_null(t);
    uint32_t seed = 5;

    /* Sentences on lines of about 70 bytes, no blank line. */
    size_t len = add_words(t, 0, 10000, SENTENCES | NEWLINES | SPACES, &seed);
    assert_true(len >= 10000);
    check_windows(t, len, 1);

    /* No sentence end: cut at white space. */
    len = add_words(t, 0, 10000, NEWLINES | SPACES, &seed);
    check_windows(t, len, 1);

    /* One single line (PDF text without line breaks). */
    len = add_words(t, 0, 10000, SENTENCES | SPACES, &seed);
    assert_null(memchr(t, '\n', len));
    check_windows(t, len, 1);

    /* Leading and trailing white space around it. */
    memmove(t + 3, t, len);
    memcpy(t, " \n ", 3);
    memcpy(t + len + 3, " \n\n", 3);
    check_windows(t, len + 6, 1);
    free(t);
}

/* Known gap: 10,000 bytes of letters without any white space (a table or
 * a URL gone wrong in extraction). The windows are cut at a character
 * boundary and cover everything, but the next window starts where the
 * previous one ended: the overlap is found by moving to a word start, and
 * there is none. */
static void test_long_run_without_spaces(void **state)
{
    (void)state;
    char *t = malloc(16384);
    assert_non_null(t);
    uint32_t seed = 6;
    size_t len = add_words(t, 0, 10000, 0, &seed);
    assert_null(memchr(t, ' ', len));
    check_windows(t, len, 0);

    /* A one-byte shift, so that the byte at each window limit falls
     * differently inside the two-byte letters. */
    memmove(t + 1, t, len);
    t[0] = 'x';
    check_windows(t, len + 1, 0);

    size_t n;
    dx_span *v = split(t, len + 1, &n);
    for (size_t k = 0; k + 1 < n; k++)
        assert_int_equal(v[k + 1].start, v[k].end);
    free(v);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* Edge cases                                                               */

static void test_empty_and_blank(void **state)
{
    (void)state;
    static const char *const blank[] = {"", " ", "\n", "\n\n\n", " \t\n \n\t",
                                        "\r\n\r\n"};
    for (size_t k = 0; k < sizeof blank / sizeof *blank; k++) {
        dx_span *v = (dx_span *)1;
        size_t n = 99;
        assert_int_equal(dx_passages(blank[k], strlen(blank[k]), &v, &n), 0);
        assert_int_equal(n, 0);
        assert_null(v);
    }
    /* One visible character. */
    size_t n;
    dx_span *v = split("\n  \xC3\xA5 \n", 7, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].start, 3);
    assert_int_equal(v[0].end, 5);
    free(v);
}

/* A heading with nothing under it (the last line of a document) is a
 * passage of its own rather than lost. */
static void test_trailing_heading(void **state)
{
    (void)state;
    char *t = malloc(4096);
    assert_non_null(t);
    uint32_t seed = 7;
    size_t len = add_words(t, 0, 500, SENTENCES | NEWLINES | SPACES, &seed);
    size_t hs = len + 2;
    len += (size_t)sprintf(t + len, "\n\nBilagor\n");
    size_t n;
    dx_span *v = split(t, len, &n);
    check_spans(t, len, v, n, DX_PASSAGE_MAX);
    assert_true(n >= 1);
    assert_int_equal(v[n - 1].end, hs + 7);
    free(v);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* The real documents                                                       */

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(fp);
    *len = n;
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each seed document, cleaned as the indexer cleans it, gives several
 * passages, none longer than DX_PASSAGE_MAX, which together cover every
 * visible byte: never one whole document as one passage. */
static void test_seed_documents(void **state)
{
    (void)state;
    const char *shared = getenv("DIARIUM_SHARED_DIR");
    if (!shared || !*shared) {
        print_message("skipped: DIARIUM_SHARED_DIR is not set (ctest sets it "
                      "to the project's ../shared)\n");
        skip();
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/seeds", shared);
    DIR *d = opendir(dir);
    if (!d) {
        print_message("skipped: no seed documents in %s\n", dir);
        skip();
    }
    char *names[64];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 64) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    if (nn == 0) {
        print_message("skipped: no .txt documents in %s\n", dir);
        skip();
    }
    qsort(names, nn, sizeof *names, by_name);
    for (size_t f = 0; f < nn; f++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        size_t rawlen = 0;
        char *raw = read_file(path, &rawlen);
        assert_non_null(raw);
        char *t = NULL;
        size_t len = 0;
        assert_int_equal(sv_text_clean(raw, rawlen, &t, &len, NULL), 0);
        free(raw);

        size_t n;
        dx_span *v = split(t, len, &n);
        size_t longest = 0;
        for (size_t k = 0; k < n; k++)
            if (v[k].end - v[k].start > longest)
                longest = v[k].end - v[k].start;
        print_message("%s: %zu bytes, %zu passages, longest %zu bytes\n",
                      names[f], len, n, longest);
        check_spans(t, len, v, n, DX_PASSAGE_MAX);
        if (len > DX_PASSAGE_MAX) assert_true(n >= 2);
        free(v);
        free(t);
        free(names[f]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraphs_become_passages),
        cmocka_unit_test(test_heading_joins_paragraph),
        cmocka_unit_test(test_heading_over_long_paragraph),
        cmocka_unit_test(test_short_paragraphs_merge),
        cmocka_unit_test(test_long_paragraph_windows),
        cmocka_unit_test(test_long_run_without_spaces),
        cmocka_unit_test(test_empty_and_blank),
        cmocka_unit_test(test_trailing_heading),
        cmocka_unit_test(test_seed_documents),
    };
    return cmocka_run_group_tests_name("passage", tests, NULL, NULL);
}
