/*
 * test_output.c — unit tests of the string writers of query/dq_output.c:
 * dq_json_string, dq_print_safe and dq_csv_field (issue 38, item 9: a file
 * name with an ESC byte reached the terminal raw in text and CSV output; one
 * in invalid UTF-8 made the JSON line invalid).
 *
 * Table-driven {input bytes, expected output bytes}, written through
 * open_memstream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dq_output.h"

typedef struct io_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *want;
} io_case;

enum { JSON, SAFE, SAFE_LINES, CSV };

/* Writes in with writer `how` and returns the bytes (malloc'd). */
static char *write_with(int how, const char *in, size_t len, size_t *width)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    if (how == JSON) dq_json_string(f, in, len);
    else if (how == CSV) dq_csv_field(f, in, len);
    else *width = dq_print_safe(f, in, len, how == SAFE_LINES);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void run_table(int how, const io_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = c[i].len ? c[i].len : strlen(c[i].in), width = 0;
        char *got = write_with(how, c[i].in, len, &width);
        if (strcmp(got, c[i].want) != 0) {
            print_error("case %zu: expected [%s], got [%s]\n", i, c[i].want,
                        got);
            fail(); /* does not return (got is not freed) */
        }
        free(got);
    }
}

static void test_json(void **state)
{
    static const io_case cases[] = {
        {"åtgärder", 0, "\"åtgärder\""},
        {"a\"b\\c", 0, "\"a\\\"b\\\\c\""},
        {"a\nb\tc\rd", 0, "\"a\\nb\\tc\\rd\""},
        {"a\033[31mred", 0, "\"a\\u001b[31mred\""},       /* ESC */
        {"\x7f", 0, "\"\\u007f\""},                        /* DEL */
        {"c\xc2\x9bx", 0, "\"c\\u009bx\""},                /* C1: CSI */
        /* not UTF-8: U+FFFD per byte, as an escape (ASCII output) */
        {"b\xff\xfe.txt", 0, "\"b\\ufffd\\ufffd.txt\""},
        {"\xc3", 0, "\"\\ufffd\""},                          /* cut short */
        {"\xc3(", 0, "\"\\ufffd(\""},
        {"\xc0\x80", 0, "\"\\ufffd\\ufffd\""},               /* overlong */
        {"\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\""},    /* surrogate */
        {"a\0b", 3, "\"a\\u0000b\""},
        {"\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\""},   /* 4 bytes */
        {"\xc2\xa0", 0, "\"\xc2\xa0\""},                   /* NBSP: no C1 */
        {"", 0, "\"\""},
    };
    (void)state;
    run_table(JSON, cases, sizeof cases / sizeof *cases);
}

static void test_safe(void **state)
{
    static const io_case cases[] = {
        {"åtgärder.txt", 0, "åtgärder.txt"},
        {"a\033[31mred\033[0m.txt", 0, "a\\x1B[31mred\\x1B[0m.txt"},
        {"b\xff\xfe.txt", 0, "b\\xFF\\xFE.txt"},
        {"c\xc2\x9bx\nline", 0, "c\\xC2\\x9Bx\\x0Aline"},
        {"tab\there", 0, "tab\\x09here"},
        {"a\\b", 0, "a\\b"},
    };
    static const io_case lines[] = {
        {"c\xc2\x9bx\nline\tend\r", 0, "c\\xC2\\x9Bx\nline\tend\\x0D"},
    };
    (void)state;
    run_table(SAFE, cases, sizeof cases / sizeof *cases);
    run_table(SAFE_LINES, lines, sizeof lines / sizeof *lines);
    size_t width = 0;
    free(write_with(SAFE, "å\033x", 4, &width)); /* å, \x1B, x */
    assert_int_equal(width, 1 + 4 + 1);
}

static void test_csv(void **state)
{
    static const io_case cases[] = {
        {"plain", 0, "\"plain\""},
        {"a \"quoted\" word", 0, "\"a \"\"quoted\"\" word\""},
        {"two\nlines", 0, "\"two\nlines\""},
        {"a\033b\"", 0, "\"a\\x1Bb\"\"\""},
        {"b\xff.txt", 0, "\"b\\xFF.txt\""},
    };
    (void)state;
    run_table(CSV, cases, sizeof cases / sizeof *cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_safe),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
