/*
 * test_sv.c — unit tests for stemmer/ (Swedish analysis), linked against
 * diarium_sv alone.
 *
 * Table-driven: each table row is one {input, expected} case, and a row
 * taken from a real document names it (the five documents in
 * ../shared/seeds, written below as "seeds/NNN_....txt"). Rows marked
 * "known gap" assert what the code does today where the documented rules
 * do not give the answer a reader would want; they are there so that a
 * change of behaviour is noticed, not hidden.
 *
 * The Snowball golden test reads ../shared/snowball/swedish-vocabulary.tsv
 * through $DIARIUM_SHARED_DIR (ctest sets it) and skips with a message when
 * it is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "sv.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"
#include "sv_wtab.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* A string literal as (pointer, length), for inputs with NUL bytes. */
#define LIT(s) (s), (sizeof(s) - 1)

static sv_stemmer *new_stemmer(void)
{
    sv_stemmer *s = NULL;
    assert_int_equal(sv_stemmer_new(&s), SV_OK);
    assert_non_null(s);
    return s;
}

static double absdiff(double a, double b) { return a > b ? a - b : b - a; }

/* Budget and cost of a form q that is all stem (qstem = qlen). */
static double budget_of(const char *q)
{
    return sv_confusion_budget(q, strlen(q), strlen(q));
}

static double cost_of(const char *q, const char *d, double limit)
{
    return sv_confusion_cost(q, strlen(q), strlen(q), d, strlen(d), limit);
}

static double cost_within_budget(const char *q, const char *d)
{
    return cost_of(q, d, budget_of(q));
}

/* A tiny deterministic generator (xorshift32) for the generated inputs. */
static uint32_t next_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* ------------------------------------------------------------------------ */
/* sv_text_clean                                                            */

typedef struct clean_case {
    const char *why;
    const char *in;
    size_t inlen;
    const char *out;
    size_t outlen;
    unsigned flags;
} clean_case;

static const clean_case clean_cases[] = {
    {"valid UTF-8 is taken as it is",
     LIT("Skolinspektionen bedömer att åtgärderna är vidtagna.\nBakgrund\n"),
     LIT("Skolinspektionen bedömer att åtgärderna är vidtagna.\nBakgrund\n"),
     0},
    {"Latin-1 is transcoded",
     LIT("\xE5tg\xE4rder"), LIT("åtgärder"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"Latin-1 upper case",
     LIT("\xC5TG\xC4RDER f\xF6r"), LIT("ÅTGÄRDER för"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"Windows-1252 0x96 is an en dash",
     LIT("2019\x96" "2021"), LIT("2019\xE2\x80\x93" "2021"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"Windows-1252 0x85 is an ellipsis, not NEL",
     LIT("f\xF6r\x85"), LIT("för\xE2\x80\xA6"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"an undefined Windows-1252 byte becomes U+FFFD",
     LIT("a\x81" "b"), LIT("a\xEF\xBF\xBD" "b"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"Latin-1 with CRLF",
     LIT("\xF6\r\n\xE4"), LIT("ö\nä"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"decomposed a + ring is composed (NFC)",
     LIT("a\xCC\x8Atg\xC3\xA4rder"), LIT("åtgärder"), SV_TEXT_CHANGED},
    {"decomposed A + diaeresis is composed (NFC)",
     LIT("A\xCC\x88ven o\xCC\x88" "ka"), LIT("Även öka"), SV_TEXT_CHANGED},
    {"a leading byte-order mark is dropped",
     LIT("\xEF\xBB\xBF" "Beslut"), LIT("Beslut"), SV_TEXT_CHANGED},
    {"CRLF and CR become LF",
     LIT("rad 1\r\nrad 2\rrad 3\n"), LIT("rad 1\nrad 2\nrad 3\n"),
     SV_TEXT_CHANGED},
    {"NEL becomes LF",
     LIT("a\xC2\x85" "b"), LIT("a\nb"), SV_TEXT_CHANGED},
    {"a form feed becomes a blank line",
     LIT("sida 1\fsida 2"), LIT("sida 1\n\nsida 2"), SV_TEXT_CHANGED},
    {"a soft hyphen is removed",
     LIT("ut\xC2\xADveckling"), LIT("utveckling"), SV_TEXT_CHANGED},
    {"zero-width space, joiners and word joiner are removed",
     LIT("kommun\xE2\x80\x8B" "en\xE2\x80\x8C\xE2\x80\x8D\xE2\x81\xA0"),
     LIT("kommunen"), SV_TEXT_CHANGED},
    {"a tab and a no-break space become spaces",
     LIT("26\xC2\xA0kap.\t19"), LIT("26 kap. 19"), SV_TEXT_CHANGED},
    {"narrow and figure no-break spaces become spaces",
     LIT("1\xE2\x80\xAF" "000\xE2\x80\x87kr"), LIT("1 000 kr"),
     SV_TEXT_CHANGED},
    {"other control characters are dropped, LF kept",
     LIT("a\x01" "b\x1B" "c\x7F" "d\0e\n\x0B" "f"), LIT("abcde\nf"),
     SV_TEXT_CHANGED},
    {"C1 control characters in valid UTF-8 are dropped",
     LIT("a\xC2\x80" "b\xC2\x9F" "c"), LIT("abc"), SV_TEXT_CHANGED},
    {"dashes, quotes, bullets and a minus are kept as they are",
     LIT("2019\xE2\x80\x93" "2021 \xE2\x80\x9C" "beslut\xE2\x80\x9D \xE2\x80\xA2 "
         "\xE2\x88\x92" "5 \xE2\x80\x94 \xE2\x80\xA6"),
     LIT("2019\xE2\x80\x93" "2021 \xE2\x80\x9C" "beslut\xE2\x80\x9D \xE2\x80\xA2 "
         "\xE2\x88\x92" "5 \xE2\x80\x94 \xE2\x80\xA6"), 0},
    {"beside an en dash, decomposed letters are still composed (NFC)",
     LIT("2019\xE2\x80\x93" "a\xCC\x8Atg\xC3\xA4rder"),
     LIT("2019\xE2\x80\x93" "åtgärder"), SV_TEXT_CHANGED},
    {"an en quad is an en space in NFC (a punctuation space that NFC "
     "changes)",
     LIT("a\xE2\x80\x80" "b"), LIT("a\xE2\x80\x82" "b"), SV_TEXT_CHANGED},
    {"an ohm sign is omega in NFC",
     LIT("5 \xE2\x84\xA6"), LIT("5 \xCE\xA9"), SV_TEXT_CHANGED},
    {"empty input", LIT(""), LIT(""), 0},
    /* Issue 38: one invalid byte no longer makes a UTF-8 file Latin-1. */
    {"UTF-8 cut inside its last character: only that becomes U+FFFD",
     LIT("Kommunen har vidtagit \xC3\xA5tg\xC3\xA4rder.\n\nSlut\xC3"),
     LIT("Kommunen har vidtagit \xC3\xA5tg\xC3\xA4rder.\n\nSlut\xEF\xBF\xBD"),
     SV_TEXT_REPAIRED | SV_TEXT_CHANGED},
    {"a three-byte character cut short inside UTF-8 text",
     LIT("\xC3\xA4r a\xE2\x80" "b \xC3\xB6"),
     LIT("\xC3\xA4r a\xEF\xBF\xBD" "b \xC3\xB6"),
     SV_TEXT_REPAIRED | SV_TEXT_CHANGED},
    {"a stray Latin-1 letter in UTF-8 text is read as Windows-1252",
     LIT("G\xC3\xB6teborg och G\xF6teborg, \xC3\xA5tg\xC3\xA4rder"),
     LIT("G\xC3\xB6teborg och G\xC3\xB6teborg, \xC3\xA5tg\xC3\xA4rder"),
     SV_TEXT_REPAIRED | SV_TEXT_CHANGED},
    {"a stray Windows-1252 dash in UTF-8 text",
     LIT("s\xC3\xA4rskilt st\xC3\xB6" "d 2019\x96" "2021"),
     LIT("s\xC3\xA4rskilt st\xC3\xB6" "d 2019\xE2\x80\x93" "2021"),
     SV_TEXT_REPAIRED | SV_TEXT_CHANGED},
    {"as many valid as invalid: still UTF-8",
     LIT("\xC3\xA4 \xE5 "), LIT("\xC3\xA4 \xC3\xA5 "),
     SV_TEXT_REPAIRED | SV_TEXT_CHANGED},
    {"Latin-1 text with a byte pair that happens to be valid UTF-8 is "
     "still Latin-1",
     LIT("Malm\xF6 \xE5tg\xE4rder \xC4\xA7 12"),
     LIT("Malm\xC3\xB6 \xC3\xA5tg\xC3\xA4rder \xC3\x84\xC2\xA7 12"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
    {"Latin-1 text ending in a letter that looks like a cut lead byte",
     LIT("Beslut i Malm\xF6"), LIT("Beslut i Malm\xC3\xB6"),
     SV_TEXT_TRANSCODED | SV_TEXT_CHANGED},
};

static void test_text_clean_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof clean_cases / sizeof *clean_cases; k++) {
        const clean_case *c = &clean_cases[k];
        char *out = NULL;
        size_t outlen = 12345;
        unsigned flags = 0xFFu;
        print_message("sv_text_clean: %s\n", c->why);
        assert_int_equal(sv_text_clean(c->in, c->inlen, &out, &outlen, &flags),
                         SV_OK);
        assert_non_null(out);
        assert_int_equal(outlen, c->outlen);
        assert_memory_equal(out, c->out, c->outlen);
        assert_int_equal(out[outlen], '\0');
        assert_int_equal(flags, c->flags);
        assert_true(sv_utf8_valid(out, outlen));

        /* Cleaning is idempotent: clean text comes back unchanged. */
        char *again = NULL;
        size_t againlen = 0;
        unsigned fl2 = 0xFFu;
        assert_int_equal(sv_text_clean(out, outlen, &again, &againlen, &fl2),
                         SV_OK);
        assert_int_equal(againlen, outlen);
        assert_memory_equal(again, out, outlen);
        assert_int_equal(fl2, 0);
        free(again);
        free(out);
    }
}

static void test_text_clean_flags_may_be_null(void **state)
{
    (void)state;
    char *out = NULL;
    size_t outlen = 0;
    assert_int_equal(sv_text_clean(LIT("\xE5"), &out, &outlen, NULL), SV_OK);
    assert_string_equal(out, "å");
    assert_int_equal(outlen, 2);
    free(out);
}

/* Issue 38: where the first repair is, and how many of each kind. */
static void test_text_clean_report(void **state)
{
    (void)state;
    char *out = NULL;
    size_t outlen = 0;
    unsigned fl = 0;
    sv_text_repair rep = {9, 9, 9, 9};
    /* Valid UTF-8 and Latin-1 report nothing. */
    assert_int_equal(sv_text_clean_report(LIT("\xC3\xA5r\n"), &out, &outlen,
                                          &fl, &rep), SV_OK);
    assert_int_equal(rep.replaced + rep.cp1252 + rep.first_line, 0);
    free(out);
    assert_int_equal(sv_text_clean_report(LIT("\xE5r\n"), &out, &outlen, &fl,
                                          &rep), SV_OK);
    assert_int_equal(fl, SV_TEXT_TRANSCODED | SV_TEXT_CHANGED);
    assert_int_equal(rep.replaced + rep.cp1252 + rep.first_line, 0);
    free(out);
    /* Line 3, byte 22: a stray byte; then a cut character at the end. */
    static const char in[] = "rad 1 \xC3\xA5\nrad 2 \xC3\xA4\nrad \xF6 3 "
                             "\xC3\xB6\nslut \xE2\x80";
    assert_int_equal(sv_text_clean_report(in, sizeof in - 1, &out, &outlen,
                                          &fl, &rep), SV_OK);
    assert_int_equal(fl, SV_TEXT_REPAIRED | SV_TEXT_CHANGED);
    assert_int_equal(rep.first_line, 3);
    assert_int_equal(rep.first_byte, 22);
    assert_int_equal(rep.cp1252, 1);
    assert_int_equal(rep.replaced, 1);
    assert_string_equal(out, "rad 1 \xC3\xA5\nrad 2 \xC3\xA4\nrad \xC3\xB6 3 "
                             "\xC3\xB6\nslut \xEF\xBF\xBD");
    free(out);
    /* The flags and the report may be NULL. */
    assert_int_equal(sv_text_clean_report(in, sizeof in - 1, &out, &outlen,
                                          NULL, NULL), SV_OK);
    free(out);
}

/* Arbitrary bytes always come out as valid UTF-8 with no CR, no form feed
 * and no control character but LF. */
static void test_text_clean_random_bytes(void **state)
{
    (void)state;
    uint32_t seed = 0x5eed1234u;
    char in[512];
    for (int round = 0; round < 2000; round++) {
        size_t len = next_rand(&seed) % sizeof in;
        for (size_t i = 0; i < len; i++) in[i] = (char)next_rand(&seed);
        char *out = NULL;
        size_t outlen = 0;
        unsigned flags = 0;
        assert_int_equal(sv_text_clean(in, len, &out, &outlen, &flags), SV_OK);
        assert_true(sv_utf8_valid(out, outlen));
        assert_int_equal(strlen(out), outlen);
        for (size_t i = 0; i < outlen; i++) {
            unsigned char c = (unsigned char)out[i];
            assert_true(c >= 0x20 || c == '\n');
            assert_true(c != 0x7F);
        }
        free(out);
    }
}

/* ------------------------------------------------------------------------ */
/* sv_utf8_valid                                                            */

typedef struct utf8_case {
    const char *why;
    const char *s;
    size_t len;
    int valid;
} utf8_case;

static const utf8_case utf8_cases[] = {
    {"empty", LIT(""), 1},
    {"ASCII", LIT("Dnr 2021:2323"), 1},
    {"Swedish letters", LIT("åtgärder över"), 1},
    {"a NUL byte is valid UTF-8", LIT("a\0b"), 1},
    {"largest 2-byte", LIT("\xDF\xBF"), 1},
    {"largest BMP before the surrogates", LIT("\xED\x9F\xBF"), 1},
    {"first after the surrogates", LIT("\xEE\x80\x80"), 1},
    {"U+FFFD", LIT("\xEF\xBF\xBD"), 1},
    {"4-byte emoji", LIT("\xF0\x9F\x98\x80"), 1},
    {"U+10FFFF", LIT("\xF4\x8F\xBF\xBF"), 1},
    {"overlong NUL", LIT("\xC0\x80"), 0},
    {"overlong '/' in 2 bytes", LIT("\xC1\xAF"), 0},
    {"overlong '/' in 3 bytes", LIT("\xE0\x80\xAF"), 0},
    {"overlong U+07FF in 3 bytes", LIT("\xE0\x9F\xBF"), 0},
    {"overlong '/' in 4 bytes", LIT("\xF0\x80\x80\xAF"), 0},
    {"overlong U+FFFF in 4 bytes", LIT("\xF0\x8F\xBF\xBF"), 0},
    {"high surrogate", LIT("\xED\xA0\x80"), 0},
    {"low surrogate", LIT("\xED\xBF\xBF"), 0},
    {"surrogate pair as CESU-8", LIT("\xED\xA0\xBD\xED\xB8\x80"), 0},
    {"U+110000", LIT("\xF4\x90\x80\x80"), 0},
    {"F5 lead byte", LIT("\xF5\x80\x80\x80"), 0},
    {"FF byte", LIT("\xFF"), 0},
    {"lone continuation byte", LIT("a\x80"), 0},
    {"truncated 2-byte at the end", LIT("a\xC3"), 0},
    {"truncated 3-byte at the end", LIT("\xE2\x80"), 0},
    {"truncated 4-byte at the end", LIT("\xF0\x9F\x98"), 0},
    {"truncated 2-byte before ASCII", LIT("\xC3(a"), 0},
    {"truncated 3-byte before ASCII", LIT("\xE2\x80" "a"), 0},
    {"Latin-1 å before ASCII", LIT("\xE5tg\xE4rder"), 0},
};

static void test_utf8_valid_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof utf8_cases / sizeof *utf8_cases; k++) {
        const utf8_case *c = &utf8_cases[k];
        print_message("sv_utf8_valid: %s\n", c->why);
        assert_int_equal(sv_utf8_valid(c->s, c->len), c->valid);
    }
    /* The length is respected: a sequence cut by it is not valid. */
    assert_int_equal(sv_utf8_valid("\xC3\xA5", 1), 0);
    assert_int_equal(sv_utf8_valid("\xC3\xA5", 2), 1);
}

/* ------------------------------------------------------------------------ */
/* sv_tokenize                                                              */

typedef struct tok_exp {
    const char *norm;
    unsigned char kind, flags;
    size_t start, end;
} tok_exp;

typedef struct tok_case {
    const char *why;
    const char *text;
    size_t n;
    tok_exp tok[8];
} tok_case;

/* Positions are 1-based and consecutive, so they are not written out. */
static const tok_case tok_cases[] = {
    /* generic sentence */
    {"generic sentence",
     "Skolinspektionen har beslutat",
     3,
     {
      {"skolinspektionen", SV_TOK_WORD, 0, 0, 16},
      {"har", SV_TOK_WORD, 0, 17, 20},
      {"beslutat", SV_TOK_WORD, 0, 21, 29},
     }},
    /* seeds/002_a1386d103bc9e527.txt: diary number */
    {"seed 002: diary number",
     "Dnr 2021:2323",
     2,
     {
      {"dnr", SV_TOK_WORD, 0, 0, 3},
      {"2021:2323", SV_TOK_DIARY, 0, 4, 13},
     }},
    /* seeds/000_de6483e1bccb6064.txt: ISO date */
    {"seed 000: ISO date",
     "kom 2021-12-23. N\xC3\xA9r",
     3,
     {
      {"kom", SV_TOK_WORD, 0, 0, 3},
      {"2021-12-23", SV_TOK_DATE, 0, 4, 14},
      {"n\xC3\xA9r", SV_TOK_WORD, 0, 16, 20},
     }},
    /* year-month is not a date */
    {"year-month is not a date",
     "2021-12",
     2,
     {
      {"2021", SV_TOK_NUMBER, 0, 0, 4},
      {"12", SV_TOK_NUMBER, 0, 5, 7},
     }},
    /* decimal number */
    {"decimal number",
     "1,5 miljoner",
     2,
     {
      {"1,5", SV_TOK_NUMBER, 0, 0, 3},
      {"miljoner", SV_TOK_WORD, 0, 4, 12},
     }},
    /* line-end hyphen joined */
    {"line-end hyphen joined",
     "utvecklings-\narbete",
     1,
     {
      {"utvecklingsarbete", SV_TOK_WORD, SV_TOKF_HYPHENATED, 0, 19},
     }},
    /* the Unicode hyphen U+2010 at a line end */
    {"line-end U+2010 hyphen joined",
     "utvecklings\xE2\x80\x90\narbete",
     1,
     {
      {"utvecklingsarbete", SV_TOK_WORD, SV_TOKF_HYPHENATED, 0, 21},
     }},
    /* line-end hyphen with stray spaces */
    {"line-end hyphen with stray spaces",
     "utvecklings- \n  arbete p\xC3\xA5g\xC3\xA5r",
     2,
     {
      {"utvecklingsarbete", SV_TOK_WORD, SV_TOKF_HYPHENATED, 0, 22},
      {"p\xC3\xA5g\xC3\xA5r", SV_TOK_WORD, 0, 23, 30},
     }},
    /* seeds/004_9ce40cbd7cb2c067.txt: suspended hyphen, no join */
    {"seed 004: suspended hyphen, no join",
     "in- och utflyttningar",
     3,
     {
      {"in", SV_TOK_WORD, 0, 0, 2},
      {"och", SV_TOK_WORD, 0, 4, 7},
      {"utflyttningar", SV_TOK_WORD, 0, 8, 21},
     }},
    /* capital after line-end hyphen, no join */
    {"capital after line-end hyphen, no join",
     "Skol-\nVerket",
     2,
     {
      {"skol", SV_TOK_WORD, 0, 0, 4},
      {"verket", SV_TOK_WORD, 0, 6, 12},
     }},
    /* seeds/000_de6483e1bccb6064.txt: digit for ö */
    {"seed 000: digit for \xC3\xB6",
     "en f6ljd av Skolinspektionens uppf6ljningsbeslut",
     5,
     {
      {"en", SV_TOK_WORD, 0, 0, 2},
      {"f6ljd", SV_TOK_WORD, 0, 3, 8},
      {"av", SV_TOK_WORD, 0, 9, 11},
      {"skolinspektionens", SV_TOK_WORD, 0, 12, 29},
      {"uppf6ljningsbeslut", SV_TOK_WORD, 0, 30, 48},
     }},
    /* seeds/000_de6483e1bccb6064.txt: & for ä */
    {"seed 000: & for \xC3\xA4",
     "samtliga &mnen och",
     3,
     {
      {"samtliga", SV_TOK_WORD, 0, 0, 8},
      {"&mnen", SV_TOK_WORD, 0, 9, 14},
      {"och", SV_TOK_WORD, 0, 15, 18},
     }},
    /* seeds/000_de6483e1bccb6064.txt: & for ä in är */
    {"seed 000: & for \xC3\xA4 in \xC3\xA4r",
     "uppdraget &r tydligt",
     3,
     {
      {"uppdraget", SV_TOK_WORD, 0, 0, 9},
      {"&r", SV_TOK_WORD, 0, 10, 12},
      {"tydligt", SV_TOK_WORD, 0, 13, 20},
     }},
    /* & for å at a word end (from the task brief; the seeds write
     * "ocksa", the shape is the one of "P&" in seeds/003) */
    {"& for \xC3\xA5 at a word end",
     "ocks& kommunen",
     2,
     {
      {"ocks&", SV_TOK_WORD, 0, 0, 5},
      {"kommunen", SV_TOK_WORD, 0, 6, 14},
     }},
    /* seeds/000_de6483e1bccb6064.txt: inserted junk letter */
    {"seed 000: inserted junk letter",
     "redovisade atg\xC3\xA9" "drderna i",
     3,
     {
      {"redovisade", SV_TOK_WORD, 0, 0, 10},
      {"atg\xC3\xA9" "drderna", SV_TOK_WORD, 0, 11, 23},
      {"i", SV_TOK_WORD, 0, 24, 25},
     }},
    /* seeds/000_de6483e1bccb6064.txt: 1 for i, D4 for Då */
    {"seed 000: 1 for i, D4 for D\xC3\xA5",
     "grundskolor 1 kommunen. D4 bedoms",
     5,
     {
      {"grundskolor", SV_TOK_WORD, 0, 0, 11},
      {"1", SV_TOK_NUMBER, SV_TOKF_MAYBE_I, 12, 13},
      {"kommunen", SV_TOK_WORD, 0, 14, 22},
      {"d4", SV_TOK_WORD, 0, 24, 26},
      {"bedoms", SV_TOK_WORD, 0, 27, 33},
     }},
    /* seeds/000_de6483e1bccb6064.txt: 1 for i at a line start */
    {"seed 000: 1 for i at a line start",
     "arbetet\n1 forskolor",
     3,
     {
      {"arbetet", SV_TOK_WORD, 0, 0, 7},
      {"1", SV_TOK_NUMBER, SV_TOKF_MAYBE_I, 8, 9},
      {"forskolor", SV_TOK_WORD, 0, 10, 19},
     }},
    /* seeds/000_de6483e1bccb6064.txt: a real number 4 */
    {"seed 000: a real number 4",
     "genom 4 till\xC3\xA9llen per",
     4,
     {
      {"genom", SV_TOK_WORD, 0, 0, 5},
      {"4", SV_TOK_NUMBER, 0, 6, 7},
      {"till\xC3\xA9llen", SV_TOK_WORD, 0, 8, 18},
      {"per", SV_TOK_WORD, 0, 19, 22},
     }},
    /* 1 after a number is not i: the rule wants a word before it */
    {"1 after a number is not i",
     "2021 1 kommunen",
     3,
     {
      {"2021", SV_TOK_NUMBER, 0, 0, 4},
      {"1", SV_TOK_NUMBER, 0, 5, 6},
      {"kommunen", SV_TOK_WORD, 0, 7, 15},
     }},
    /* 1 before a capital is not i */
    {"1 before a capital is not i",
     "kommunen 1 Trelleborg",
     3,
     {
      {"kommunen", SV_TOK_WORD, 0, 0, 8},
      {"1", SV_TOK_NUMBER, 0, 9, 10},
      {"trelleborg", SV_TOK_WORD, 0, 11, 21},
     }},
    /* 1 at the text start is not i */
    {"1 at the text start is not i",
     "1 kommunen",
     2,
     {
      {"1", SV_TOK_NUMBER, 0, 0, 1},
      {"kommunen", SV_TOK_WORD, 0, 2, 10},
     }},
    /* 11 is not i */
    {"11 is not i",
     "elever 11 kommunen",
     3,
     {
      {"elever", SV_TOK_WORD, 0, 0, 6},
      {"11", SV_TOK_NUMBER, 0, 7, 9},
      {"kommunen", SV_TOK_WORD, 0, 10, 18},
     }},
    /* lone | { [ for i */
    {"lone | { [ for i",
     "elever | behov { skolan [ staden",
     7,
     {
      {"elever", SV_TOK_WORD, 0, 0, 6},
      {"|", SV_TOK_WORD, SV_TOKF_MAYBE_I, 7, 8},
      {"behov", SV_TOK_WORD, 0, 9, 14},
      {"{", SV_TOK_WORD, SV_TOKF_MAYBE_I, 15, 16},
      {"skolan", SV_TOK_WORD, 0, 17, 23},
      {"[", SV_TOK_WORD, SV_TOKF_MAYBE_I, 24, 25},
      {"staden", SV_TOK_WORD, 0, 26, 32},
     }},
    /* seeds/001_9598bfa37e8790b7.txt: | for l */
    {"seed 001: | for l",
     "att |ata lasarets",
     3,
     {
      {"att", SV_TOK_WORD, 0, 0, 3},
      {"|ata", SV_TOK_WORD, 0, 4, 8},
      {"lasarets", SV_TOK_WORD, 0, 9, 17},
     }},
    /* seeds/002_a1386d103bc9e527.txt ("ett 6kat fokus"): 6 for ö at a
     * word start */
    {"seed 002: 6 for \xC3\xB6 at a word start",
     "6kat fokus",
     2,
     {
      {"6kat", SV_TOK_WORD, 0, 0, 4},
      {"fokus", SV_TOK_WORD, 0, 5, 10},
     }},
    /* seeds/003_b1e3b112319426de.txt: & after a capital */
    {"seed 003: & after a capital",
     "P& m\xC3\xA9nga skolor",
     3,
     {
      {"p&", SV_TOK_WORD, 0, 0, 2},
      {"m\xC3\xA9nga", SV_TOK_WORD, 0, 3, 9},
      {"skolor", SV_TOK_WORD, 0, 10, 16},
     }},
    /* seeds/003_b1e3b112319426de.txt: i1 is one word */
    {"seed 003: i1 is one word",
     "tilliggsanslaget i1 syfte",
     3,
     {
      {"tilliggsanslaget", SV_TOK_WORD, 0, 0, 16},
      {"i1", SV_TOK_WORD, 0, 17, 19},
      {"syfte", SV_TOK_WORD, 0, 20, 25},
     }},
    /* upper case */
    {"upper case",
     "\xC3\x85TG\xC3\x84RDER",
     1,
     {
      {"\xC3\xA5tg\xC3\xA4rder", SV_TOK_WORD, 0, 0, 10},
     }},
    /* ligature */
    {"ligature",
     "\xEF\xAC\x81nns",
     1,
     {
      {"finns", SV_TOK_WORD, 0, 0, 6},
     }},
    /* seeds/000_de6483e1bccb6064.txt: law reference */
    {"seed 000: law reference",
     "26 kap. 19 - 20 \xC2\xA7\xC2\xA7 skollagen",
     5,
     {
      {"26", SV_TOK_NUMBER, 0, 0, 2},
      {"kap", SV_TOK_WORD, 0, 3, 6},
      {"19", SV_TOK_NUMBER, 0, 8, 10},
      {"20", SV_TOK_NUMBER, 0, 13, 15},
      {"skollagen", SV_TOK_WORD, 0, 21, 30},
     }},
    /* seeds/002_a1386d103bc9e527.txt: e-mail address (no special rule:
     * its words are words) */
    {"seed 002: e-mail address",
     "utb@landskrona.se",
     3,
     {
      {"utb", SV_TOK_WORD, 0, 0, 3},
      {"landskrona", SV_TOK_WORD, 0, 4, 14},
      {"se", SV_TOK_WORD, 0, 15, 17},
     }},
    /* Known gap, seeds/002_a1386d103bc9e527.txt ("senast den 1 juni
     * 2022"): the documented rule (a lone 1 after a word and before a
     * lower-case word) cannot tell a day of the month from OCR's "i", so
     * this 1 is flagged too. The flag only says "maybe". */
    {"known gap, seed 002: day of month before a month name",
     "senast den 1 juni 2022",
     5,
     {
      {"senast", SV_TOK_WORD, 0, 0, 6},
      {"den", SV_TOK_WORD, 0, 7, 10},
      {"1", SV_TOK_NUMBER, SV_TOKF_MAYBE_I, 11, 12},
      {"juni", SV_TOK_WORD, 0, 13, 17},
      {"2022", SV_TOK_NUMBER, 0, 18, 22},
     }},
};

static void test_tokenize_table(void **state)
{
    (void)state;
    sv_tokens t = {0}; /* reused: each call replaces the content */
    for (size_t k = 0; k < sizeof tok_cases / sizeof *tok_cases; k++) {
        const tok_case *c = &tok_cases[k];
        print_message("sv_tokenize: %s\n", c->why);
        assert_int_equal(sv_tokenize(c->text, strlen(c->text), &t), SV_OK);
        assert_int_equal(t.n, c->n);
        for (size_t j = 0; j < c->n; j++) {
            const sv_token *got = &t.tok[j];
            const tok_exp *want = &c->tok[j];
            assert_string_equal(sv_token_norm(&t, got), want->norm);
            assert_int_equal(got->normlen, strlen(want->norm));
            assert_int_equal(got->kind, want->kind);
            assert_int_equal(got->flags, want->flags);
            assert_int_equal(got->pos, j + 1);
            assert_int_equal(got->start, want->start);
            assert_int_equal(got->end, want->end);
        }
    }
    sv_tokens_free(&t);
    assert_null(t.tok);
    assert_null(t.buf);
    sv_tokens_free(&t); /* twice is harmless */
    sv_tokens_free(NULL);
}

static void test_tokenize_empty(void **state)
{
    (void)state;
    static const char *const blank[] = {"", " ", "\n", "  \n\t \n\n   ",
                                        " - , . ; : \xC2\xA7 "};
    sv_tokens t = {0};
    for (size_t k = 0; k < sizeof blank / sizeof *blank; k++) {
        assert_int_equal(sv_tokenize(blank[k], strlen(blank[k]), &t), SV_OK);
        assert_int_equal(t.n, 0);
    }
    /* A list that held tokens is emptied by a blank text. */
    assert_int_equal(sv_tokenize("ett tv\xC3\xA5", 8, &t), SV_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(sv_tokenize("   ", 3, &t), SV_OK);
    assert_int_equal(t.n, 0);
    sv_tokens_free(&t);
}

static void test_tokenize_long_token(void **state)
{
    (void)state;
    char text[400];
    sv_tokens t = {0};

    /* Exactly SV_TOKEN_MAX bytes: not long. */
    memset(text, 'a', SV_TOKEN_MAX);
    assert_int_equal(sv_tokenize(text, SV_TOKEN_MAX, &t), SV_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.tok[0].normlen, SV_TOKEN_MAX);
    assert_int_equal(t.tok[0].flags & SV_TOKF_LONG, 0);

    /* One more byte: long. */
    memset(text, 'a', SV_TOKEN_MAX + 1);
    assert_int_equal(sv_tokenize(text, SV_TOKEN_MAX + 1, &t), SV_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.tok[0].flags, SV_TOKF_LONG);

    /* Bytes, not characters, count: 33 x "ö" is 66 bytes. */
    size_t len = 0;
    for (int i = 0; i < 33; i++) len += sv_utf8_put(0xF6, text + len);
    assert_int_equal(sv_tokenize(text, len, &t), SV_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.tok[0].normlen, 66);
    assert_int_equal(t.tok[0].flags, SV_TOKF_LONG);

    /* A 300-byte word between two short ones. */
    memcpy(text, "en ", 3);
    memset(text + 3, 'k', 300);
    memcpy(text + 303, " ord", 4);
    assert_int_equal(sv_tokenize(text, 307, &t), SV_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.tok[1].start, 3);
    assert_int_equal(t.tok[1].end, 303);
    assert_int_equal(t.tok[1].normlen, 300);
    assert_int_equal(t.tok[1].flags, SV_TOKF_LONG);
    assert_int_equal(t.tok[0].flags, 0);
    assert_string_equal(sv_token_norm(&t, &t.tok[2]), "ord");
    sv_tokens_free(&t);
}

/* The two first steps together, on raw bytes as the indexer reads them. */
static void test_clean_then_tokenize(void **state)
{
    (void)state;
    sv_tokens t = {0};
    char *out = NULL;
    size_t outlen = 0;

    /* Windows-1252 with CRLF: the hyphenated word is still joined. */
    assert_int_equal(sv_text_clean(LIT("utvecklings-\r\n\xE5tg\xE4rder"),
                                   &out, &outlen, NULL), SV_OK);
    assert_int_equal(sv_tokenize(out, outlen, &t), SV_OK);
    assert_int_equal(t.n, 1);
    assert_string_equal(sv_token_norm(&t, &t.tok[0]),
                        "utvecklings\xC3\xA5tg\xC3\xA4rder");
    assert_int_equal(t.tok[0].flags, SV_TOKF_HYPHENATED);
    free(out);

    /* A soft hyphen inside a line: removed, one word. */
    assert_int_equal(sv_text_clean(LIT("utveck\xC2\xADlingsarbete"), &out,
                                   &outlen, NULL), SV_OK);
    assert_int_equal(sv_tokenize(out, outlen, &t), SV_OK);
    assert_int_equal(t.n, 1);
    assert_string_equal(sv_token_norm(&t, &t.tok[0]), "utvecklingsarbete");
    free(out);

    /* Known gap: a soft hyphen at a line end (how some PDF extractors mark
     * a word broken over two lines). sv_text_clean removes it as
     * documented, which leaves "utvecklings\narbete", and the tokenizer
     * joins only '-' and U+2010 at a line end: two words. */
    assert_int_equal(sv_text_clean(LIT("utvecklings\xC2\xAD\narbete"), &out,
                                   &outlen, NULL), SV_OK);
    assert_string_equal(out, "utvecklings\narbete");
    assert_int_equal(sv_tokenize(out, outlen, &t), SV_OK);
    assert_int_equal(t.n, 2);
    assert_string_equal(sv_token_norm(&t, &t.tok[0]), "utvecklings");
    assert_string_equal(sv_token_norm(&t, &t.tok[1]), "arbete");
    free(out);

    /* A form feed between two pages ends a word like a line break. */
    assert_int_equal(sv_text_clean(LIT("sid\xC3\xA5n\fn\xC3\xA4sta"), &out,
                                   &outlen, NULL), SV_OK);
    assert_int_equal(sv_tokenize(out, outlen, &t), SV_OK);
    assert_int_equal(t.n, 2);
    free(out);
    sv_tokens_free(&t);
}

/* Many tokens: the list grows (more than its first allocation of tokens and
 * normalised-form bytes) and positions stay consecutive. */
static void test_tokenize_many(void **state)
{
    (void)state;
    size_t words = 5000, len = 0;
    char *text = malloc(words * 12);
    assert_non_null(text);
    for (size_t i = 0; i < words; i++)
        len += (size_t)sprintf(text + len, "%s ",
                               i % 2 ? "\xC3\xA5tg\xC3\xA4rd" : "elev");
    sv_tokens t = {0};
    assert_int_equal(sv_tokenize(text, len, &t), SV_OK);
    assert_int_equal(t.n, words);
    for (size_t i = 0; i < words; i++) {
        assert_int_equal(t.tok[i].pos, i + 1);
        assert_string_equal(sv_token_norm(&t, &t.tok[i]),
                            i % 2 ? "\xC3\xA5tg\xC3\xA4rd" : "elev");
    }
    sv_tokens_free(&t);
    free(text);
}

/* Code points the random texts are made of: letters, digits, glyphs that
 * the tokenizer treats specially, separators, combining marks, ligatures,
 * other scripts, 4-byte characters. */
static const int palette[] = {
    'a', 'b', 'k', 'r', 'n', 'm', 'A', 'Z', 0xE5, 0xE4, 0xF6, 0xC5, 0xC4,
    0xD6, 0xE9, 0xFC, 0xDF, '0', '1', '4', '6', '9', '&', '|', '{', '[', '-',
    0x2010, ':', ',', '.', '@', 0xA7, ' ', ' ', ' ', '\n', '\n', '\t', 0x300,
    0x30A, 0x308, 0xFB01, 0xFB00, 0x130, 0x3A3, 0x4E2D, 0x0661, 0x1F600,
    0x10400, 0xFFFD, 0x200B};

static void check_tokens_sane(const char *text, size_t len, const sv_tokens *t)
{
    size_t prev_start = 0;
    for (size_t j = 0; j < t->n; j++) {
        const sv_token *k = &t->tok[j];
        assert_int_equal(k->pos, j + 1);
        assert_true(k->start < k->end);
        assert_true(k->end <= len);
        assert_true(j == 0 || k->start >= prev_start);
        prev_start = k->start;
        /* Spans start and end on code point boundaries. */
        assert_true(((unsigned char)text[k->start] & 0xC0) != 0x80);
        assert_true(k->end == len ||
                    ((unsigned char)text[k->end] & 0xC0) != 0x80);
        const char *norm = sv_token_norm(t, k);
        assert_true(k->norm + k->normlen < t->blen);
        assert_int_equal(strlen(norm), k->normlen);
        assert_true(k->normlen > 0);
        assert_true(sv_utf8_valid(norm, k->normlen));
        assert_true(k->kind >= SV_TOK_WORD && k->kind <= SV_TOK_DATE);
        assert_int_equal((k->flags & SV_TOKF_LONG) != 0,
                         k->normlen > SV_TOKEN_MAX);
        /* Every token has a skeleton, and a short one always fits. */
        char skel[SV_SKELETON_MAX];
        size_t sl = sv_skeleton(norm, k->normlen, skel, sizeof skel);
        if (k->normlen <= SV_TOKEN_MAX) {
            assert_true(sl > 0);
            assert_true(sl < sizeof skel);
        }
    }
}

static void test_tokenize_random_text(void **state)
{
    (void)state;
    uint32_t seed = 0xC0FFEEu;
    char text[4 * 400];
    sv_tokens t = {0};
    sv_stemmer *st = new_stemmer();
    for (int round = 0; round < 3000; round++) {
        size_t n = next_rand(&seed) % 400, len = 0;
        for (size_t i = 0; i < n; i++)
            len += sv_utf8_put(palette[next_rand(&seed) %
                                       (sizeof palette / sizeof *palette)],
                               text + len);
        assert_true(sv_utf8_valid(text, len));
        assert_int_equal(sv_tokenize(text, len, &t), SV_OK);
        check_tokens_sane(text, len, &t);
        for (size_t j = 0; j < t.n; j++) {
            const char *norm = sv_token_norm(&t, &t.tok[j]);
            const char *stem;
            size_t sl;
            assert_int_equal(sv_stem(st, norm, t.tok[j].normlen, &stem, &sl),
                             SV_OK);
            (void)sv_is_stopword(norm, t.tok[j].normlen);
            double c = sv_confusion_cost("\xC3\xA5tg\xC3\xA4rder", 10, 6,
                                         norm, t.tok[j].normlen, 2.5);
            assert_true(c >= 0);
        }
    }
    sv_stemmer_free(st);
    sv_tokens_free(&t);
}

static void test_lower(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(sv_lower(LIT("\xC3\x85TG\xC3\x84RDER"), out, sizeof out),
                     10);
    assert_string_equal(out, "\xC3\xA5tg\xC3\xA4rder");
    assert_int_equal(sv_lower(LIT("\xEF\xAC\x81nns"), out, sizeof out), 5);
    assert_string_equal(out, "finns");
    assert_int_equal(sv_lower(LIT("D4"), out, sizeof out), 2);
    assert_string_equal(out, "d4");
    /* Does not fit: the needed length, and nothing past cap. */
    memset(out, 'Z', sizeof out);
    assert_int_equal(sv_lower(LIT("SKOLINSPEKTIONEN"), out, 8), 16);
    for (size_t i = 8; i < sizeof out; i++) assert_int_equal(out[i], 'Z');
}

/* ------------------------------------------------------------------------ */
/* sv_stem and sv_is_stopword                                               */

typedef struct stem_case {
    const char *word, *stem;
} stem_case;

static const stem_case stem_cases[] = {
    {"åtgärd", "åtgärd"},
    {"åtgärder", "åtgärd"},
    {"åtgärden", "åtgärd"},
    {"åtgärderna", "åtgärd"},
    {"åtgärdernas", "åtgärd"},
    {"elevernas", "elev"},
    {"eleverna", "elev"},
    {"kompensatoriska", "kompensatorisk"},
    {"kompensatoriskt", "kompensatorisk"},
    /* numbers, diary numbers, dates come back as they are */
    {"2021", "2021"},
    {"1", "1"},
    {"1,5", "1,5"},
    {"2021:2323", "2021:2323"},
    {"2021-12-23", "2021-12-23"},
};

static void test_stem_table(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    for (int round = 0; round < 2; round++) /* second round: from the cache */
        for (size_t k = 0; k < sizeof stem_cases / sizeof *stem_cases; k++) {
            const char *stem = NULL;
            size_t sl = 0;
            const char *w = stem_cases[k].word;
            assert_int_equal(sv_stem(s, w, strlen(w), &stem, &sl), SV_OK);
            assert_int_equal(sl, strlen(stem_cases[k].stem));
            assert_memory_equal(stem, stem_cases[k].stem, sl);
        }
    /* The empty word is its own stem. */
    const char *stem = NULL;
    size_t sl = 99;
    assert_int_equal(sv_stem(s, "", 0, &stem, &sl), SV_OK);
    assert_int_equal(sl, 0);
    sv_stemmer_free(s);
    sv_stemmer_free(NULL);
}

/* Snowball's Swedish stop list, in its own order. */
static const char *const stop_words[] = {
    "och", "det", "att", "i", "en", "jag", "hon", "som", "han", "på",
    "den", "med", "var", "sig", "för", "så", "till", "är", "men", "ett",
    "om", "hade", "de", "av", "icke", "mig", "du", "henne", "då", "sin",
    "nu", "har", "inte", "hans", "honom", "skulle", "hennes", "där",
    "min", "man", "ej", "vid", "kunde", "något", "från", "ut", "när",
    "efter", "upp", "vi", "dem", "vara", "vad", "över", "än", "dig",
    "kan", "sina", "här", "ha", "mot", "alla", "under", "någon", "eller",
    "allt", "mycket", "sedan", "ju", "denna", "själv", "detta", "åt",
    "utan", "varit", "hur", "ingen", "mitt", "ni", "bli", "blev", "oss",
    "din", "dessa", "några", "deras", "blir", "mina", "samma", "vilken",
    "er", "sådan", "vår", "blivit", "dess", "inom", "mellan", "sådant",
    "varför", "varje", "vilka", "ditt", "vem", "vilket", "sitta",
    "sådana", "vart", "dina", "vars", "vårt", "våra", "ert", "era",
    "vilkas"};

static void test_stopwords(void **state)
{
    (void)state;
    size_t n = sizeof stop_words / sizeof *stop_words;
    assert_int_equal(n, 114);
    for (size_t k = 0; k < n; k++) {
        if (!sv_is_stopword(stop_words[k], strlen(stop_words[k])))
            fail_msg("stop word \"%s\" not recognised", stop_words[k]);
    }
    static const char *const not_stop[] = {
        "skola", "åtgärd", "elev", "kommun", "", "o", "oc", "ochs", "vilk",
        "vilkasx", "overt", "over", "pa", "ar", "1", "|", "sådanaa"};
    for (size_t k = 0; k < sizeof not_stop / sizeof *not_stop; k++) {
        if (sv_is_stopword(not_stop[k], strlen(not_stop[k])))
            fail_msg("\"%s\" taken for a stop word", not_stop[k]);
    }
    /* The length is respected: "och" cut to "oc" is not a stop word. */
    assert_int_equal(sv_is_stopword("och", 2), 0);
    assert_int_equal(sv_is_stopword("ochx", 3), 1);
}

/* Writes the n-th generated word into w: a base-21 prefix over consonant
 * and vowel pairs (base 21 x 9, so Snowball's regions are real) and one
 * of Snowball's suffixes. Distinct n give distinct words. */
static size_t gen_word(uint32_t n, char *w)
{
    static const char *const cons[] = {"b", "d", "f", "g", "h", "j", "k",
                                       "l", "m", "n", "p", "r", "s", "t",
                                       "v", "st", "sk", "tr", "kl", "gr",
                                       "pl"};
    static const char *const vow[] = {"a", "e", "i", "o", "u", "y",
                                      "\xC3\xA5", "\xC3\xA4", "\xC3\xB6"};
    static const char *const suf[] = {"", "arna", "erna", "heterna", "ad",
                                      "ande", "ens", "lig", "els", "löst",
                                      "fullt", "dd", "gt", "kt", "s"};
    size_t len = 0;
    uint32_t k = n % (sizeof suf / sizeof *suf);
    n /= sizeof suf / sizeof *suf;
    do {
        const char *c = cons[n % 21];
        const char *v = vow[(n / 21) % 9];
        n /= 21 * 9;
        len += (size_t)sprintf(w + len, "%s%s", c, v);
    } while (n > 0);
    len += (size_t)sprintf(w + len, "%s", suf[k]);
    return len;
}

/* The cache never changes a result: 200,000 distinct words (more than the
 * cache holds, so it is emptied several times), stemmed twice, each time
 * compared with libstemmer called directly. */
static void test_stem_cache(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    struct sb_stemmer *oracle = sb_stemmer_new("swedish", "UTF_8");
    assert_non_null(oracle);
    char w[128];
    for (int round = 0; round < 2; round++) {
        for (uint32_t n = 0; n < 200000; n++) {
            size_t len = gen_word(n, w);
            const char *stem;
            size_t sl;
            assert_int_equal(sv_stem(s, w, len, &stem, &sl), SV_OK);
            const sb_symbol *want = sb_stemmer_stem(
                oracle, (const sb_symbol *)w, (int)len);
            assert_non_null(want);
            size_t wl = (size_t)sb_stemmer_length(oracle);
            if (sl != wl || memcmp(stem, want, sl) != 0)
                fail_msg("round %d, word %u \"%.*s\": got \"%.*s\", "
                         "Snowball \"%.*s\"", round, n, (int)len, w, (int)sl,
                         stem, (int)wl, (const char *)want);
            /* A word seen a little earlier (often a cache hit). */
            if (n >= 1000) {
                size_t l2 = gen_word(n - 1000, w);
                assert_int_equal(sv_stem(s, w, l2, &stem, &sl), SV_OK);
                want = sb_stemmer_stem(oracle, (const sb_symbol *)w, (int)l2);
                wl = (size_t)sb_stemmer_length(oracle);
                assert_int_equal(sl, wl);
                assert_memory_equal(stem, want, sl);
            }
        }
    }
    sb_stemmer_delete(oracle);
    sv_stemmer_free(s);
}

/* A word longer than the cache takes (255 bytes) is stemmed as Snowball
 * stems it, in full. */
static void test_stem_very_long_word(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    struct sb_stemmer *oracle = sb_stemmer_new("swedish", "UTF_8");
    assert_non_null(oracle);
    static const size_t lens[] = {250, 255, 256, 259, 260, 300, 1000};
    char w[1100];
    size_t bad = 0;
    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
        /* "kompensatorisk" repeated, ending in "åtgärderna" */
        size_t len = 0;
        for (; len < lens[k] - 12; len++) w[len] = "kompensatorisk"[len % 14];
        memcpy(w + len, "\xC3\xA5tg\xC3\xA4rderna", 12);
        len += 12;
        const char *stem;
        size_t sl;
        assert_int_equal(sv_stem(s, w, len, &stem, &sl), SV_OK);
        const sb_symbol *want = sb_stemmer_stem(oracle, (const sb_symbol *)w,
                                                (int)len);
        size_t wl = (size_t)sb_stemmer_length(oracle);
        if (sl != wl || memcmp(stem, want, wl) != 0) {
            print_error("sv_stem: a %zu-byte word: Snowball's stem has %zu "
                        "bytes, sv_stem's %zu%s\n", len, wl, sl,
                        sv_utf8_valid(stem, sl) ? "" : " (invalid UTF-8)");
            bad++;
        }
    }
    /* "xk" and 150 x "ö": Snowball leaves it whole (302 bytes); a cut at
     * 255 bytes would also split an ö. */
    size_t len = 0;
    w[len++] = 'x';
    w[len++] = 'k';
    for (int i = 0; i < 150; i++) len += sv_utf8_put(0xF6, w + len);
    const char *stem;
    size_t sl;
    assert_int_equal(sv_stem(s, w, len, &stem, &sl), SV_OK);
    const sb_symbol *want = sb_stemmer_stem(oracle, (const sb_symbol *)w,
                                            (int)len);
    size_t wl = (size_t)sb_stemmer_length(oracle);
    if (sl != wl || memcmp(stem, want, wl) != 0) {
        print_error("sv_stem: \"xk\" + 150 x \"\xC3\xB6\" (%zu bytes): "
                    "Snowball's stem has %zu bytes, sv_stem's %zu%s\n", len,
                    wl, sl, sv_utf8_valid(stem, sl) ? "" : " (invalid UTF-8)");
        bad++;
    }
    sb_stemmer_delete(oracle);
    sv_stemmer_free(s);
    if (bad) fail_msg("%zu long words stemmed differently from Snowball", bad);
}

/* The Snowball golden vocabulary: with folding off, our pipeline (sv_lower,
 * then sv_stem) agrees with Snowball on every word. */
static void test_snowball_vocabulary(void **state)
{
    (void)state;
    const char *dir = getenv("DIARIUM_SHARED_DIR");
    if (!dir || !*dir) {
        print_message("skipped: DIARIUM_SHARED_DIR is not set (ctest sets it "
                      "to the project's ../shared)\n");
        skip();
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/snowball/swedish-vocabulary.tsv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        print_message("skipped: cannot open %s\n", path);
        skip();
    }
    sv_stemmer *s = new_stemmer();
    sv_tokens t = {0};
    char line[512], lower[512];
    size_t words = 0, bad = 0, multi = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0) continue;
        char *tab = strchr(line, '\t');
        if (!tab) fail_msg("%s:%zu: no tab", path, lineno);
        *tab = '\0';
        const char *word = line, *want = tab + 1;
        size_t wlen = (size_t)(tab - line);
        words++;

        size_t ll = sv_lower(word, wlen, lower, sizeof lower);
        assert_true(ll < sizeof lower);
        const char *stem;
        size_t sl;
        assert_int_equal(sv_stem(s, lower, ll, &stem, &sl), SV_OK);
        if (sl != strlen(want) || memcmp(stem, want, sl) != 0) {
            if (bad < 20)
                print_error("%s:%zu: \"%s\": got \"%.*s\", Snowball \"%s\"\n",
                            path, lineno, word, (int)sl, stem, want);
            bad++;
        }

        /* The tokenizer gives the same normalised form. */
        assert_int_equal(sv_tokenize(word, wlen, &t), SV_OK);
        if (t.n != 1) {
            multi++;
        } else if (strcmp(sv_token_norm(&t, &t.tok[0]), lower) != 0) {
            fail_msg("%s:%zu: tokenizer gives \"%s\", sv_lower \"%s\"", path,
                     lineno, sv_token_norm(&t, &t.tok[0]), lower);
        }
    }
    fclose(fp);
    sv_tokens_free(&t);
    sv_stemmer_free(s);
    print_message("Snowball vocabulary: %zu words, %zu mismatches, %zu not "
                  "one token\n", words, bad, multi);
    if (bad) fail_msg("%zu of %zu words stem differently from Snowball", bad,
                      words);
    /* The requirement names the size of the file. */
    assert_int_equal(words, 30623);
}

/* ------------------------------------------------------------------------ */
/* sv_skeleton                                                              */

typedef struct pair_case {
    const char *why; /* where the damaged form was seen */
    const char *clean, *damaged;
} pair_case;

/* Damaged spellings from the seeds next to the word they stand for. */
static const pair_case seed_pairs[] = {
    /* seeds/001_9598bfa37e8790b7.txt and the header's example */
    {"header example, seed 001", "åtgärder", "atgarder"},
    /* seeds/000_de6483e1bccb6064.txt */
    {"seed 000", "åtgärder", "atgirder"},
    {"seed 000", "åtgärder", "atgérder"},
    {"seed 000", "åtgärderna", "atgédrderna"},
    {"seed 000", "följd", "f6ljd"},
    {"seed 000", "följd", "foljd"},
    {"seed 000", "uppföljningsbeslut", "uppf6ljningsbeslut"},
    {"seed 000", "ämnen", "&mnen"},
    {"seed 000", "ämnen", "amnen"},
    {"seed 000", "särskilt", "sirskilt"},
    {"seed 000", "särskilt", "sérskilt"},
    {"seed 000", "nyanlända", "nyanldnda"},
    {"seed 000", "då", "d4"},
    {"seed 000", "är", "&r"},
    /* seeds/003_b1e3b112319426de.txt */
    {"seed 003", "tilläggsanslaget", "tilliggsanslaget"},
    {"seed 003", "tilläggsanslaget", "tilldggsanslaget"},
    {"seed 003", "tilläggsanslaget", "tillaggsanslaget"},
    {"seed 003", "på", "p&"},
    /* seeds/001_9598bfa37e8790b7.txt */
    {"seed 001", "elevhälsoarbetet", "elevhdlsoarbetet"},
    {"seed 001", "resursfördelning", "resursférdelning"},
    {"seed 001", "ökat", "6kat"},
    {"seed 001", "låta", "|ata"},
    /* "rn" read as "m": the header's rule; the example is the task
     * brief's, not seen in the seeds */
    {"rn read as m", "barn", "bam"},
    /* seeds/000_de6483e1bccb6064.txt: "stéd"; the header: "std" */
    {"seed 000", "stöd", "stéd"},
    {"header example", "stöd", "std"},
};

static void test_skeleton_header_example(void **state)
{
    (void)state;
    static const char *const forms[] = {"åtgärder", "atgarder", "atgirder",
                                        "atgérder"};
    char out[SV_SKELETON_MAX];
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        assert_int_equal(sv_skeleton(forms[k], strlen(forms[k]), out,
                                     sizeof out), 7);
        assert_string_equal(out, "VtgVrVr");
    }
}

static void test_skeleton_seed_pairs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof seed_pairs / sizeof *seed_pairs; k++) {
        const pair_case *c = &seed_pairs[k];
        char a[SV_SKELETON_MAX], b[SV_SKELETON_MAX];
        size_t la = sv_skeleton(c->clean, strlen(c->clean), a, sizeof a);
        size_t lb = sv_skeleton(c->damaged, strlen(c->damaged), b, sizeof b);
        assert_true(la > 0);
        assert_true(lb > 0);
        if (la != lb || strcmp(a, b) != 0)
            fail_msg("%s: skeleton of \"%s\" is \"%s\", of \"%s\" \"%s\"",
                     c->why, c->clean, a, c->damaged, b);
    }
}

/* Known gaps: spellings seen in the seeds whose skeleton differs from the
 * clean word's under the documented rules. They assert today's behaviour;
 * when a rule change closes one, move it to seed_pairs. */
static void test_skeleton_known_gaps(void **state)
{
    (void)state;
    char a[SV_SKELETON_MAX], b[SV_SKELETON_MAX];

    /* seeds/002_a1386d103bc9e527.txt: "Uppfdlining" for "Uppföljning":
     * OCR read j as i, and j is not among the letters the skeleton
     * merges into 'V'. */
    assert_int_equal(sv_skeleton(LIT("uppföljning"), a, sizeof a), 9);
    assert_string_equal(a, "upfVjnVng");
    assert_int_equal(sv_skeleton(LIT("uppfdlining"), b, sizeof b), 8);
    assert_string_equal(b, "upfVnVng");

    /* The task brief spelled the clean form of seeds/003's
     * "tilliggsanslaget" / "tilldggsanslaget" with three l; the word is
     * "tilläggsanslaget" (line 6 of the seed: "tillaggsanslaget"). The
     * skeleton merges the l run, so the misspelling shares it ... */
    assert_true(sv_skeleton(LIT("tillläggsanslaget"), a, sizeof a) > 0);
    assert_true(sv_skeleton(LIT("tilldggsanslaget"), b, sizeof b) > 0);
    assert_string_equal(a, b);
    /* ... but the confusion cost cannot drop the third l: l is in the
     * vowel class, so the "doubled letter written once" rule (consonants
     * only) does not apply. tilliggsanslaget still matches (l->i, then
     * the dropped ä); tilldggsanslaget does not. */
    assert_true(cost_within_budget("tillläggsanslaget", "tilliggsanslaget") <=
                budget_of("tillläggsanslaget"));
    assert_true(cost_within_budget("tillläggsanslaget", "tilldggsanslaget") >
                budget_of("tillläggsanslaget"));

    /* seeds/000_de6483e1bccb6064.txt: "1" for the word "i". A form without
     * letters is its own skeleton, so "1" and "i" differ; the tokenizer's
     * SV_TOKF_MAYBE_I is what links them. */
    assert_int_equal(sv_skeleton(LIT("i"), a, sizeof a), 1);
    assert_string_equal(a, "V");
    assert_int_equal(sv_skeleton(LIT("1"), b, sizeof b), 1);
    assert_string_equal(b, "1");
}

static void test_skeleton_numbers(void **state)
{
    (void)state;
    static const char *const nums[] = {"2021", "1", "1,5", "2021:2323",
                                       "2021-12-23", "46"};
    char out[SV_SKELETON_MAX];
    for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
        size_t n = strlen(nums[k]);
        assert_int_equal(sv_skeleton(nums[k], n, out, sizeof out), n);
        assert_string_equal(out, nums[k]);
    }
    /* Different words stay apart. */
    char a[SV_SKELETON_MAX], b[SV_SKELETON_MAX];
    sv_skeleton(LIT("skola"), a, sizeof a);
    sv_skeleton(LIT("kommun"), b, sizeof b);
    assert_string_not_equal(a, b);
}

/* The output never exceeds cap: with room for exactly the skeleton and its
 * NUL it fits, one byte less gives 0, and nothing is written past cap. */
static void test_skeleton_cap(void **state)
{
    (void)state;
    static const char *const words[] = {"åtgärder", "2021-12-23", "barn",
                                        "uppföljningsbeslut", "x"};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        char full[SV_SKELETON_MAX];
        size_t wl = strlen(words[k]);
        size_t n = sv_skeleton(words[k], wl, full, sizeof full);
        assert_true(n > 0);
        for (size_t cap = 0; cap <= n + 1; cap++) {
            char out[SV_SKELETON_MAX + 8];
            memset(out, 'Z', sizeof out);
            size_t got = sv_skeleton(words[k], wl, out, cap);
            if (cap > n) {
                assert_int_equal(got, n);
                assert_string_equal(out, full);
            } else {
                assert_int_equal(got, 0);
            }
            for (size_t i = cap; i < sizeof out; i++)
                assert_int_equal(out[i], 'Z');
        }
    }
    /* SV_SKELETON_MAX is enough for any token of SV_TOKEN_MAX bytes: the
     * longest skeletons come from letters that never merge. */
    char w[SV_TOKEN_MAX + 1], out[SV_SKELETON_MAX];
    for (size_t i = 0; i < SV_TOKEN_MAX; i++) w[i] = "bcfgh"[i % 5];
    assert_int_equal(sv_skeleton(w, SV_TOKEN_MAX, out, sizeof out),
                     SV_TOKEN_MAX);
    size_t len = 0;
    while (len + 3 <= SV_TOKEN_MAX)
        len += sv_utf8_put(0x4E2D + (int)len, w + len);
    assert_int_equal(sv_skeleton(w, len, out, sizeof out), len);
}

/* sv_skeleton_extend gives what sv_skeleton gives, at every cut of
 * generated words (with "rn" across the cut, digits-only beginnings and
 * multi-byte letters), and for the stems and forms query/ extends. */
/* The word table of the stem cache and the skeleton memo: what is put is
 * got back, byte for byte; words and values over SV_WTAB_MAX are refused;
 * a full table (slots or arena) empties itself and goes on; a bad size is
 * refused at init. */
static void test_wtab(void **state)
{
    (void)state;
    sv_wtab t;
    assert_int_equal(sv_wtab_init(&t, 100, 1024), -1); /* not a power of 2 */
    assert_null(t.slots);
    assert_int_equal(sv_wtab_init(&t, 16, 64), 0);
    size_t vl = 99;
    const char *w = "åtgärder";
    size_t wl = strlen(w);
    uint32_t h = sv_wtab_hash(w, wl);
    assert_true(h != 0);
    assert_int_equal(h, sv_wtab_hash(w, wl));
    assert_null(sv_wtab_get(&t, w, wl, h, &vl));
    const char *v = sv_wtab_put(&t, w, wl, h, "VtgVrVr", 7);
    assert_non_null(v);
    assert_memory_equal(v, "VtgVrVr", 7);
    const char *g = sv_wtab_get(&t, w, wl, h, &vl);
    assert_ptr_equal(g, v);
    assert_int_equal(vl, 7);
    /* the same bytes under another length are another word */
    assert_null(sv_wtab_get(&t, w, wl - 1, sv_wtab_hash(w, wl - 1), &vl));
    /* an empty value is a value */
    uint32_t hb = sv_wtab_hash("och", 3);
    assert_non_null(sv_wtab_put(&t, "och", 3, hb, "", 0));
    assert_non_null(sv_wtab_get(&t, "och", 3, hb, &vl));
    assert_int_equal(vl, 0);
    /* too long to keep */
    char longw[SV_WTAB_MAX + 1];
    memset(longw, 'a', sizeof longw);
    uint32_t hl = sv_wtab_hash(longw, sizeof longw);
    assert_null(sv_wtab_put(&t, longw, sizeof longw, hl, "a", 1));
    assert_null(sv_wtab_put(&t, "a", 1, sv_wtab_hash("a", 1), longw,
                            sizeof longw));
    /* over the arena (64 bytes) or 3/4 of the 16 slots: it starts over,
     * and the last word put is always there */
    for (unsigned i = 0; i < 500; i++) {
        char k[16], val[16];
        int kn = snprintf(k, sizeof k, "k%u", i);
        int vn = snprintf(val, sizeof val, "v%u", i * 3);
        uint32_t hk = sv_wtab_hash(k, (size_t)kn);
        assert_non_null(sv_wtab_put(&t, k, (size_t)kn, hk, val, (size_t)vn));
        assert_true(t.used <= 12 && t.alen <= 64);
        g = sv_wtab_get(&t, k, (size_t)kn, hk, &vl);
        assert_non_null(g);
        assert_int_equal(vl, (size_t)vn);
        assert_memory_equal(g, val, (size_t)vn);
        if (i > 0) { /* the one before: there, or gone with an emptying */
            kn = snprintf(k, sizeof k, "k%u", i - 1);
            vn = snprintf(val, sizeof val, "v%u", (i - 1) * 3);
            g = sv_wtab_get(&t, k, (size_t)kn, sv_wtab_hash(k, (size_t)kn),
                            &vl);
            if (g) assert_memory_equal(g, val, (size_t)vn);
        }
    }
    /* a pair bigger than the whole arena is not kept */
    sv_wtab_free(&t);
    assert_int_equal(sv_wtab_init(&t, 4, 8), 0);
    assert_null(sv_wtab_put(&t, "abcdefgh", 8, sv_wtab_hash("abcdefgh", 8),
                            "x", 1));
    sv_wtab_free(&t);
    assert_null(t.slots);
}

/* The memo answers exactly as sv_skeleton: first and later calls, every
 * cap (too small: 0), words without letters, the empty word, words too
 * long to remember, and after it has emptied itself (more distinct words
 * than it holds). */
static void test_skeleton_memo_is_sv_skeleton(void **state)
{
    (void)state;
    sv_skelmemo *m = NULL;
    assert_int_equal(sv_skelmemo_new(&m), SV_OK);
    assert_non_null(m);
    char longw[200];
    memset(longw, 'a', sizeof longw);
    for (size_t i = 0; i < sizeof longw; i += 3) longw[i] = 'r';
    const char *words[] = {"åtgärder", "atgarder", "barn", "2021-03-04",
                           "12", "", "rnrn", "f6ljd", "&mnen"};
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k <= sizeof words / sizeof *words; k++) {
            const char *w = k < sizeof words / sizeof *words ? words[k]
                                                             : longw;
            size_t len = k < sizeof words / sizeof *words ? strlen(w)
                                                          : 150;
            for (size_t cap = 0; cap <= SV_SKELETON_MAX; cap++) {
                char a[SV_SKELETON_MAX + 1], b[SV_SKELETON_MAX + 1];
                memset(a, 'x', sizeof a);
                memset(b, 'x', sizeof b);
                size_t la = sv_skeleton(w, len, a, cap);
                size_t lb = sv_skeleton_memo(m, w, len, b, cap);
                assert_int_equal(la, lb);
                if (la || (cap > 0 && len == 0))
                    assert_memory_equal(a, b, la + 1);
            }
        }
    }
    /* 60,000 distinct words: past 3/4 of its 65,536 slots it starts over;
     * every answer stays right, the second time round too. */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < 60000; i++) {
            char w[32], a[SV_SKELETON_MAX], b[SV_SKELETON_MAX];
            int n = snprintf(w, sizeof w, "ord%ulära", i * 7919u);
            size_t la = sv_skeleton(w, (size_t)n, a, sizeof a);
            size_t lb = sv_skeleton_memo(m, w, (size_t)n, b, sizeof b);
            assert_int_equal(la, lb);
            assert_string_equal(a, b);
        }
    /* Without a memo it is sv_skeleton itself. */
    char a[SV_SKELETON_MAX];
    assert_int_equal(sv_skeleton_memo(NULL, "barn", 4, a, sizeof a), 3);
    assert_string_equal(a, "bVm");
    sv_skelmemo_free(m);
    sv_skelmemo_free(NULL);
}

static void test_skeleton_extend(void **state)
{
    (void)state;
    static const char *const parts[] = {"r", "n", "rn", "m", "a", "\xC3\xA4",
                                        "\xC3\xB6", "l", "1", "6", "s", "t",
                                        "e", "d", "w", "v", "-", "2"};
    uint32_t seed = 7;
    char w[80], pre[SV_SKELETON_MAX], whole[SV_SKELETON_MAX],
        ext[SV_SKELETON_MAX];
    size_t checked = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0, n = 1 + next_rand(&seed) % 10;
        for (size_t k = 0; k < n; k++) {
            const char *p = parts[next_rand(&seed) % 18];
            memcpy(w + len, p, strlen(p));
            len += strlen(p);
        }
        size_t wl = sv_skeleton(w, len, whole, sizeof whole);
        assert_true(wl > 0);
        for (size_t cut = 1; cut <= len; cut++) {
            if (cut < len && ((unsigned char)w[cut] & 0xC0) == 0x80) continue;
            size_t pl = sv_skeleton(w, cut, pre, sizeof pre);
            size_t el = sv_skeleton_extend(w, len, cut, pre, pl, ext,
                                           sizeof ext);
            if (el != wl || memcmp(ext, whole, wl) != 0)
                fail_msg("\"%.*s\" cut at %zu: \"%s\", not \"%s\"",
                         (int)len, w, cut, ext, whole);
            checked++;
        }
    }
    assert_true(checked > 10000);
    /* written over the beginning's own skeleton */
    size_t pl = sv_skeleton(LIT("skol"), pre, sizeof pre);
    assert_string_equal(pre, "skV");
    assert_int_equal(sv_skeleton_extend(LIT("skolorna"), 4, pre, pl, pre,
                                        sizeof pre),
                     sv_skeleton(LIT("skolorna"), whole, sizeof whole));
    assert_string_equal(pre, whole);
}

/* ------------------------------------------------------------------------ */
/* sv_confusion_cost and sv_confusion_budget                                */

/* Every seed pair is within budget, both with q taken as all stem and with
 * its real Snowball stem (what query/ passes); exact forms cost 0. */
static void test_confusion_seed_pairs(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    for (size_t k = 0; k < sizeof seed_pairs / sizeof *seed_pairs; k++) {
        const pair_case *c = &seed_pairs[k];
        size_t ql = strlen(c->clean), dl = strlen(c->damaged);
        const char *stem;
        size_t sl;
        assert_int_equal(sv_stem(s, c->clean, ql, &stem, &sl), SV_OK);
        assert_true(sl <= ql);
        assert_memory_equal(stem, c->clean, sl); /* the stem is a prefix */
        static const int modes[] = {0, 1};
        for (size_t m = 0; m < 2; m++) {
            size_t qstem = modes[m] ? sl : ql;
            double budget = sv_confusion_budget(c->clean, ql, qstem);
            double cost = sv_confusion_cost(c->clean, ql, qstem, c->damaged,
                                            dl, budget);
            if (!(cost > 0 && cost <= budget))
                fail_msg("%s: \"%s\" (stem %zu bytes) as \"%s\" costs %g, "
                         "budget %g", c->why, c->clean, qstem, c->damaged,
                         cost, budget);
            assert_true(sv_confusion_cost(c->clean, ql, qstem, c->clean, ql,
                                          budget) == 0);
        }
        assert_true(cost_within_budget(c->damaged, c->damaged) == 0);
    }
    sv_stemmer_free(s);
}

typedef struct cost_case {
    const char *q, *d;
    double cost; /* q all stem, with an ample limit */
} cost_case;

/* Exact values from the documented weights. */
static const cost_case cost_cases[] = {
    {"åtgärder", "atgarder", 0.5},      /* å->a, ä->a */
    {"åtgärder", "atgirder", 0.7},      /* å->a, ä->i */
    {"åtgärderna", "atgédrderna", 1.2}, /* å->a, ä->é, junk d beside it */
    {"följd", "f6ljd", 0.45},
    {"får", "far", 0.25},
    {"stöd", "std", 0.5},               /* a damaged vowel dropped */
    {"använda", "anvainda", 0.75},      /* ä->a, junk i beside it */
    {"säger", "siiger", 0.95},          /* ä->i, junk i beside it */
    {"övergrepp", "svergrepp", 0.5},    /* ö read as s */
    {"förekommer", "fgrekommer", 0.5},  /* ö read as g */
    {"unionen", "untonen", 0.5},        /* i read as t */
    {"ledning", "jedning", 0.5},        /* l read as j */
    {"verksamhet", "verksambet", 0.5},  /* h read as b */
    {"krisberedskap", "krisheredskap", 0.5}, /* b read as h */
    {"barn", "bam", 0.4},               /* rn read as m */
    {"likvärdigheten", "ukvardigheten", 0.85}, /* li read as U, ä->a */
    {"inom", "1nom", 0.4},              /* i -> 1 inside a word */
    {"atgarder", "åtgärder", 0.7},      /* typed without å/ä/ö */
};

static void test_confusion_values(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cost_cases / sizeof *cost_cases; k++) {
        const cost_case *c = &cost_cases[k];
        double got = cost_of(c->q, c->d, 100);
        if (absdiff(got, c->cost) > 1e-9)
            fail_msg("\"%s\" as \"%s\": cost %g, expected %g", c->q, c->d, got,
                     c->cost);
    }
}

static void test_confusion_rules(void **state)
{
    (void)state;
    /* "bil" must not match "bal": i->a is not a confusion OCR makes. */
    assert_true(cost_within_budget("bil", "bal") > budget_of("bil"));
    /* The other way round it may: "bal" can be "bäl..." typed without
     * diacritics, and OCR writes ä as i. That is the asymmetry. */
    assert_true(cost_within_budget("bal", "bil") <= budget_of("bal"));

    /* "får" vs "far": within budget but above the exact form, so the exact
     * form ranks first. */
    double far = cost_within_budget("får", "far");
    assert_true(far > 0);
    assert_true(far <= budget_of("får"));
    assert_true(cost_within_budget("får", "får") < far);

    /* "stöd" read as "std": within. */
    assert_true(cost_within_budget("stöd", "std") <= budget_of("stöd"));

    /* A form typed without å/ä/ö matches the real one and its damage. */
    assert_true(cost_within_budget("atgarder", "åtgärder") <=
                budget_of("atgarder"));
    assert_true(cost_within_budget("atgarder", "atgirder") <=
                budget_of("atgarder"));
    assert_true(cost_within_budget("foljd", "f6ljd") <= budget_of("foljd"));

    /* A junk letter is allowed only beside a damaged vowel. */
    assert_true(cost_within_budget("publik", "pubelik") > budget_of("publik"));
    assert_true(cost_within_budget("publik", "pubilik") > budget_of("publik"));
    assert_true(cost_within_budget("använda", "anväinda") >
                budget_of("använda"));
    /* li read as U: not in a word of under six letters without å/ä/ö
     * ("ute" is no "lite", "fut" no "flit") */
    assert_true(cost_within_budget("lite", "ute") > budget_of("lite"));
    assert_true(cost_within_budget("flit", "fut") > budget_of("flit"));
    assert_true(cost_within_budget("likvärdig", "ukvärdig") <=
                budget_of("likvärdig"));
    /* s and g stand only for an ö, not for an o */
    assert_true(cost_within_budget("over", "sver") > budget_of("over"));
    assert_true(cost_within_budget("åtgärder", "atgédrder") <=
                budget_of("åtgärder"));
}

/* Only the stem of q may have been typed without å/ä/ö: the a, o and e of
 * its suffix are literal (sv_ocr.h). */
static void test_confusion_suffix_literal(void **state)
{
    (void)state;
    /* "kompensatoriska": stem "kompensatorisk" (14 bytes), suffix "a" */
    const char *q = "kompensatoriska";
    size_t ql = strlen(q);
    double all = sv_confusion_budget(q, ql, ql);
    double stem = sv_confusion_budget(q, ql, 14);
    assert_true(absdiff(all, 0.3 + 2 * 0.55 + 15 * 0.05) < 1e-9);
    assert_true(absdiff(stem, all) < 1e-9); /* o, a, o in the stem: 2 */
    /* the suffix a read as ä: allowed only when it is taken as stem */
    assert_true(sv_confusion_cost(q, ql, ql, LIT("kompensatoriskä"), all) <=
                all);
    assert_true(sv_confusion_cost(q, ql, 14, LIT("kompensatoriskä"), stem) >
                stem);
    /* the stem's a/o may still stand for å/ä/ö */
    assert_true(sv_confusion_cost(q, ql, 14, LIT("kömpensatoriska"), stem) <=
                stem);

    /* "skolorna": stem "skol"; only the stem's o counts in the budget */
    assert_true(absdiff(sv_confusion_budget(LIT("skolorna"), 4),
                        0.3 + 0.55 + 8 * 0.05) < 1e-9);
    assert_true(absdiff(sv_confusion_budget(LIT("skolorna"), 8),
                        0.3 + 2 * 0.55 + 8 * 0.05) < 1e-9);
    /* qstem 0: nothing may have been typed without å/ä/ö */
    assert_true(absdiff(sv_confusion_budget(LIT("atgarder"), 0),
                        0.3 + 8 * 0.05) < 1e-9);
    assert_true(sv_confusion_cost(LIT("atgarder"), 0, LIT("åtgärder"), 100) >
                100);
}

/* Known gap: the word "i" read as "1" (seeds/000_de6483e1bccb6064.txt,
 * "1 kommunen"). i -> 1 is priced at 0.4, but the budget of the one-letter
 * form "i" is 0.3 + 0.05 = 0.35, so "1" is not a match for "i" by cost;
 * inside longer words it is ("inom"/"1nom"). The tokenizer's
 * SV_TOKF_MAYBE_I is what links the lone "1" to "i". */
static void test_confusion_known_gap_i_1(void **state)
{
    (void)state;
    double budget = budget_of("i");
    assert_true(absdiff(budget, 0.35) < 1e-9);
    assert_true(absdiff(cost_of("i", "1", 100), 0.4) < 1e-9);
    assert_true(cost_of("i", "1", budget) > budget);
    assert_true(cost_within_budget("inom", "1nom") <= budget_of("inom"));
}

/* More damage costs more. */
static void test_confusion_monotone(void **state)
{
    (void)state;
    static const char *const chain[] = {"åtgärder", "atgärder", "atgarder",
                                        "atgirder", "atgédrder"};
    double prev = -1;
    for (size_t k = 0; k < sizeof chain / sizeof *chain; k++) {
        double c = cost_of("åtgärder", chain[k], 100);
        if (!(c > prev))
            fail_msg("\"%s\" costs %g, not more than the previous %g",
                     chain[k], c, prev);
        prev = c;
    }
    static const char *const chain2[] = {"särskilt", "sarskilt", "sirskilt",
                                         "sirsk1lt"};
    prev = -1;
    for (size_t k = 0; k < sizeof chain2 / sizeof *chain2; k++) {
        double c = cost_of("särskilt", chain2[k], 100);
        if (!(c > prev))
            fail_msg("\"%s\" costs %g, not more than the previous %g",
                     chain2[k], c, prev);
        prev = c;
    }
}

static void test_confusion_budget(void **state)
{
    (void)state;
    /* 0.3 + 0.55 per å/ä/ö + 0.05 per character, at most 2.5 */
    assert_true(absdiff(budget_of("åtgärder"), 1.8) < 1e-9);
    assert_true(absdiff(budget_of("får"), 1.0) < 1e-9);
    assert_true(absdiff(budget_of("bil"), 0.45) < 1e-9);
    /* without å/ä/ö, up to two a/o count */
    assert_true(absdiff(budget_of("atgarder"), 1.8) < 1e-9);
    assert_true(absdiff(budget_of("barn"), 1.05) < 1e-9);
    assert_true(budget_of("ååååååååååååå") == 2.5);
}

/* sv_confusion_prefix is a lower bound: no form that starts with the
 * prefix reads d more cheaply. Checked on the seed pairs and the exact
 * cases at every code-point boundary of q (as a stem, and literal), and
 * on generated forms over the letters OCR confuses, including "rn" or
 * "li" split by the boundary (barn / bam: the prefix "bar" must not rule
 * "bam" out, nor "l" "ukvardigheten"). */
static size_t check_prefix_bound(const char *q, const char *d, double limit)
{
    size_t ql = strlen(q), dl = strlen(d), ruled_out = 0;
    for (int lit = 0; lit < 2; lit++) {
        size_t qstem = lit ? 0 : ql;
        double full = sv_confusion_cost(q, ql, qstem, d, dl, limit);
        for (size_t pl = 0; pl <= ql; pl++) {
            if (pl < ql && ((unsigned char)q[pl] & 0xC0) == 0x80) continue;
            double lb = sv_confusion_prefix(q, pl, qstem, d, dl, limit);
            if (full <= limit && lb > full + 1e-9)
                fail_msg("prefix \"%.*s\" of \"%s\" (qstem %zu) bounds "
                         "\"%s\" by %g, but the whole costs %g", (int)pl, q,
                         q, qstem, d, lb, full);
            ruled_out += lb > limit;
        }
    }
    return ruled_out;
}

static void test_confusion_prefix_bound(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof seed_pairs / sizeof *seed_pairs; k++)
        check_prefix_bound(seed_pairs[k].clean, seed_pairs[k].damaged, 2.5);
    for (size_t k = 0; k < sizeof cost_cases / sizeof *cost_cases; k++)
        check_prefix_bound(cost_cases[k].q, cost_cases[k].d, 100);
    assert_true(sv_confusion_prefix(LIT("bar"), 3, LIT("bam"), 0.45) <= 0.4);
    /* a prefix that cannot start d rules every longer form out */
    assert_true(sv_confusion_prefix(LIT("elev"), 4, LIT("olovliga"), 2.5) >
                2.5);
    assert_true(sv_confusion_prefix(LIT("skol"), 4, LIT("skolorna"), 0) == 0);

    static const char *const letters[] = {"a", "e", "o", "i", "l", "d", "r",
                                          "n", "m", "s", "t", "u", "1", "6",
                                          "&", "\xC3\xA5", "\xC3\xA4",
                                          "\xC3\xB6", "\xC3\xA9"};
    const uint32_t nletters = sizeof letters / sizeof *letters;
    uint32_t seed = 20261122;
    char q[64], d[64];
    size_t ruled_out = 0;
    for (int round = 0; round < 4000; round++) {
        size_t ql = 0, dl = 0;
        size_t nq = 1 + next_rand(&seed) % 7;
        for (size_t k = 0; k < nq; k++) {
            const char *l = letters[next_rand(&seed) % nletters];
            memcpy(q + ql, l, strlen(l));
            ql += strlen(l);
        }
        q[ql] = '\0';
        /* d: q with a few random edits, so that many pairs are close */
        size_t qi = 0;
        while (qi < ql && dl + 8 < sizeof d) {
            uint32_t r = next_rand(&seed) % 8;
            size_t n = 1;
            while (qi + n < ql && ((unsigned char)q[qi + n] & 0xC0) == 0x80)
                n++;
            if (r == 0) { /* replace */
                const char *l = letters[next_rand(&seed) % nletters];
                memcpy(d + dl, l, strlen(l));
                dl += strlen(l);
                qi += n;
            } else if (r == 1) { /* insert */
                const char *l = letters[next_rand(&seed) % nletters];
                memcpy(d + dl, l, strlen(l));
                dl += strlen(l);
            } else if (r == 2) { /* delete */
                qi += n;
            } else {
                memcpy(d + dl, q + qi, n);
                dl += n;
                qi += n;
            }
        }
        d[dl] = '\0';
        ruled_out += check_prefix_bound(q, d, 2.5);
    }
    /* and it is a bound that rules forms out, not a constant 0 */
    assert_true(ruled_out > 1000);
}

/* The early exit: a limit below the real cost gives a value above the
 * limit, whatever the limit. */
static void test_confusion_early_exit(void **state)
{
    (void)state;
    static const double limits[] = {0, 0.1, 0.3, 0.6, 1.0, 1.19};
    for (size_t k = 0; k < sizeof limits / sizeof *limits; k++) {
        double c = cost_of("åtgärderna", "atgédrderna", limits[k]);
        assert_true(c > limits[k]);
    }
    assert_true(absdiff(cost_of("åtgärderna", "atgédrderna", 1.2), 1.2) <
                1e-9);
    /* impossible pairs and very different lengths */
    assert_true(cost_of("bil", "bal", 0.45) > 0.45);
    assert_true(cost_of("åt", "åtgärderna", 2.5) > 2.5);
    assert_true(cost_of("åtgärderna", "åt", 2.5) > 2.5);
    assert_true(cost_of("a", "", 0.3) > 0.3);
    assert_true(cost_of("", "", 0) == 0);
    /* rn -> m survives the pruning of the row of the r */
    assert_true(absdiff(cost_of("barn", "bam", 0.45), 0.4) < 1e-9);
    /* very long forms are not compared */
    char w[200];
    memset(w, 'k', sizeof w);
    w[199] = 'a';
    assert_true(sv_confusion_cost(w, sizeof w, sizeof w, w, sizeof w - 1,
                                  2.5) > 2.5);
}

/* ------------------------------------------------------------------------ */
/* sv_inflections                                                           */

typedef struct forms {
    char form[512][96];
    size_t n;
    size_t stop_at; /* return 42 on this call (1-based), 0: never */
} forms;

static int collect(void *ctx, const char *form, size_t len)
{
    forms *f = ctx;
    assert_true(len < sizeof f->form[0]);
    if (f->n < sizeof f->form / sizeof *f->form) {
        memcpy(f->form[f->n], form, len);
        f->form[f->n][len] = '\0';
    }
    f->n++;
    return f->stop_at && f->n == f->stop_at ? 42 : 0;
}

static int has_form(const forms *f, const char *w)
{
    for (size_t k = 0; k < f->n && k < sizeof f->form / sizeof *f->form; k++)
        if (strcmp(f->form[k], w) == 0) return 1;
    return 0;
}

/* Every emitted form is distinct and stems back to the stem. */
static void check_forms(const forms *f, const char *stem)
{
    sv_stemmer *s = new_stemmer();
    assert_true(f->n <= sizeof f->form / sizeof *f->form);
    for (size_t k = 0; k < f->n; k++) {
        const char *r;
        size_t rl;
        assert_int_equal(sv_stem(s, f->form[k], strlen(f->form[k]), &r, &rl),
                         SV_OK);
        if (rl != strlen(stem) || memcmp(r, stem, rl) != 0)
            fail_msg("\"%s\" stems to \"%.*s\", not \"%s\"", f->form[k],
                     (int)rl, r, stem);
        for (size_t j = 0; j < k; j++)
            if (strcmp(f->form[j], f->form[k]) == 0)
                fail_msg("\"%s\" emitted twice", f->form[k]);
    }
    sv_stemmer_free(s);
}

static void test_inflections(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    forms *f = calloc(1, sizeof *f);
    assert_non_null(f);

    assert_int_equal(sv_inflections(s, LIT("åtgärd"), collect, f), SV_OK);
    static const char *const want[] = {"åtgärd", "åtgärder", "åtgärden",
                                       "åtgärderna", "åtgärdernas",
                                       "åtgärdens"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        if (!has_form(f, want[k]))
            fail_msg("\"%s\" not among the forms of \"åtgärd\"", want[k]);
    check_forms(f, "åtgärd");

    memset(f, 0, sizeof *f);
    assert_int_equal(sv_inflections(s, LIT("kompensatorisk"), collect, f),
                     SV_OK);
    assert_true(has_form(f, "kompensatorisk"));
    assert_true(has_form(f, "kompensatoriska"));
    assert_true(has_form(f, "kompensatoriskt"));
    check_forms(f, "kompensatorisk");

    memset(f, 0, sizeof *f);
    assert_int_equal(sv_inflections(s, LIT("elev"), collect, f), SV_OK);
    assert_true(has_form(f, "elever"));
    assert_true(has_form(f, "eleverna"));
    assert_true(has_form(f, "elevernas"));
    check_forms(f, "elev");

    free(f);
    sv_stemmer_free(s);
}

/* "starting with the stem itself when it stems to itself" (sv_ocr.h) */
static void test_inflections_stem_first(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    forms *f = calloc(1, sizeof *f);
    assert_non_null(f);
    static const char *const stems[] = {"elev", "skol", "åtgärd",
                                        "kompensatorisk", "stöd", "beslut"};
    size_t bad = 0;
    for (size_t k = 0; k < sizeof stems / sizeof *stems; k++) {
        memset(f, 0, sizeof *f);
        assert_int_equal(sv_inflections(s, stems[k], strlen(stems[k]),
                                        collect, f), SV_OK);
        assert_true(f->n > 0);
        if (strcmp(f->form[0], stems[k]) != 0) {
            print_error("first form of \"%s\" is \"%s\"\n", stems[k],
                        f->form[0]);
            bad++;
        }
    }
    free(f);
    sv_stemmer_free(s);
    if (bad) fail_msg("%zu stems are not their own first form", bad);
}

static void test_inflections_stop_early(void **state)
{
    (void)state;
    sv_stemmer *s = new_stemmer();
    forms *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->stop_at = 3;
    assert_int_equal(sv_inflections(s, LIT("åtgärd"), collect, f), 42);
    assert_int_equal(f->n, 3);
    memset(f, 0, sizeof *f);
    f->stop_at = 1;
    assert_int_equal(sv_inflections(s, LIT("elev"), collect, f), 42);
    assert_int_equal(f->n, 1);
    /* an empty or over-long stem has no forms */
    memset(f, 0, sizeof *f);
    assert_int_equal(sv_inflections(s, "", 0, collect, f), SV_OK);
    assert_int_equal(f->n, 0);
    free(f);
    sv_stemmer_free(s);
}

/* ------------------------------------------------------------------------ */
/* sv.h                                                                     */

static void test_strerror_and_fingerprint(void **state)
{
    (void)state;
    static const int codes[] = {SV_OK, SV_ENOMEM, SV_EINVAL, SV_ESTEMMER, -99};
    for (size_t k = 0; k < sizeof codes / sizeof *codes; k++) {
        assert_non_null(sv_strerror(codes[k]));
        assert_true(strlen(sv_strerror(codes[k])) > 0);
    }
    /* The stemming rules are part of the fingerprint (sv_stem.h). */
    assert_non_null(sv_fingerprint());
    assert_non_null(strstr(sv_fingerprint(), sv_stem_version()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_clean_table),
        cmocka_unit_test(test_text_clean_flags_may_be_null),
        cmocka_unit_test(test_text_clean_report),
        cmocka_unit_test(test_text_clean_random_bytes),
        cmocka_unit_test(test_utf8_valid_table),
        cmocka_unit_test(test_tokenize_table),
        cmocka_unit_test(test_tokenize_empty),
        cmocka_unit_test(test_tokenize_long_token),
        cmocka_unit_test(test_clean_then_tokenize),
        cmocka_unit_test(test_tokenize_many),
        cmocka_unit_test(test_tokenize_random_text),
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_stem_table),
        cmocka_unit_test(test_stopwords),
        cmocka_unit_test(test_stem_cache),
        cmocka_unit_test(test_stem_very_long_word),
        cmocka_unit_test(test_snowball_vocabulary),
        cmocka_unit_test(test_skeleton_header_example),
        cmocka_unit_test(test_skeleton_seed_pairs),
        cmocka_unit_test(test_skeleton_known_gaps),
        cmocka_unit_test(test_skeleton_numbers),
        cmocka_unit_test(test_skeleton_cap),
        cmocka_unit_test(test_skeleton_extend),
        cmocka_unit_test(test_wtab),
        cmocka_unit_test(test_skeleton_memo_is_sv_skeleton),
        cmocka_unit_test(test_confusion_seed_pairs),
        cmocka_unit_test(test_confusion_values),
        cmocka_unit_test(test_confusion_rules),
        cmocka_unit_test(test_confusion_suffix_literal),
        cmocka_unit_test(test_confusion_known_gap_i_1),
        cmocka_unit_test(test_confusion_monotone),
        cmocka_unit_test(test_confusion_budget),
        cmocka_unit_test(test_confusion_early_exit),
        cmocka_unit_test(test_confusion_prefix_bound),
        cmocka_unit_test(test_inflections),
        cmocka_unit_test(test_inflections_stem_first),
        cmocka_unit_test(test_inflections_stop_early),
        cmocka_unit_test(test_strerror_and_fingerprint),
    };
    return cmocka_run_group_tests_name("sv", tests, NULL, NULL);
}
