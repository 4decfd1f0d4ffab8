/*
 * sv_token.h — tokenising clean UTF-8 (from sv_text_clean) into words and
 * numbers with positions and byte spans.
 *
 * Rules, chosen for text extracted from PDFs:
 *  - a word is a run of letters and digits ("f6ljd", "6kat" and "D4" are
 *    one token each: OCR puts digits where å/ä/ö stood); '&' and '|' count as
 *    letters when they touch one ("&mnen", "ocks&", "|ata");
 *  - a word hyphenated at a line end is joined ("utvecklings-\narbete" is one
 *    token "utvecklingsarbete" whose span covers both halves) when the next
 *    line goes on with a lower-case letter;
 *  - diary numbers (2021:2323), ISO dates (2021-12-23) and decimal numbers
 *    (1,5) are single tokens;
 *  - a lone "1", "|", "{" or "[" after a word and before a lower-case word is
 *    flagged as OCR's rendering of the word "i";
 *  - the normalised form is lower-cased (all scripts, via utf8proc) with
 *    typographic ligatures expanded.
 */
#ifndef DIARIUM_SV_TOKEN_H
#define DIARIUM_SV_TOKEN_H

#include <stddef.h>

/* Token kinds. */
enum { SV_TOK_WORD = 1, SV_TOK_NUMBER = 2, SV_TOK_DIARY = 3, SV_TOK_DATE = 4 };

/* Token flags. */
#define SV_TOKF_HYPHENATED 1u /* joined across a line-end hyphen */
#define SV_TOKF_MAYBE_I    2u /* OCR rendering of the word "i" */
#define SV_TOKF_LONG       4u /* longer than SV_TOKEN_MAX bytes */

/* Longest normalised form (bytes) that analysis turns into terms. */
#define SV_TOKEN_MAX 64

typedef struct sv_token {
    size_t start, end;   /* byte span in the text */
    size_t norm;         /* offset of the NUL-terminated normalised form in
                            the sv_tokens buffer */
    unsigned normlen;    /* its length in bytes */
    unsigned pos;        /* 1-based position, consecutive */
    unsigned char kind;  /* SV_TOK_* */
    unsigned char flags; /* SV_TOKF_* */
} sv_token;

/* A reusable, caller-owned token list. Zero-initialise it
 * (sv_tokens t = {0};) and release it with sv_tokens_free(). */
typedef struct sv_tokens {
    sv_token *tok;
    size_t n, cap;
    char *buf;           /* normalised forms */
    size_t blen, bcap;
} sv_tokens;

/* Tokenises `len` bytes of valid UTF-8, replacing the list's content.
 * Returns SV_OK or SV_ENOMEM (the list then holds a prefix of the tokens). */
int sv_tokenize(const char *text, size_t len, sv_tokens *out);

void sv_tokens_free(sv_tokens *t);

/* The normalised form of token k of t. */
static inline const char *sv_token_norm(const sv_tokens *t, const sv_token *k)
{
    return t->buf + k->norm;
}

/* Character classes used by the tokenizer and by sv_ocr. */
int sv_is_letter(int cp);
int sv_is_digit(int cp);

/* Lower-cases a whole word (valid UTF-8) the way the tokenizer does, into
 * out (cap bytes, NUL-terminated). Returns the length, or the length it
 * would need (>= cap) when it does not fit. */
size_t sv_lower(const char *w, size_t len, char *out, size_t cap);

#endif /* DIARIUM_SV_TOKEN_H */
