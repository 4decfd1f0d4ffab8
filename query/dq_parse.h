/*
 * dq_parse.h — the diarium query language: query string -> syntax tree.
 *
 * Where it sits: first step of query/. It only parses; it does not analyse
 * words (query/ runs each word through stemmer/ afterwards) and knows nothing
 * of the index.
 *
 * Grammar (loosest binding first):
 *
 *   query   := andexpr EOF
 *   andexpr := orexpr ( [AND | OCH] orexpr )*      juxtaposition means AND
 *   orexpr  := unary ( (OR | ELLER) unary )*
 *   unary   := (NOT | INTE | '-') unary | nearexpr
 *   nearexpr:= primary ( (NEAR | NEAR/n) primary )*
 *   primary := WORD | WORD'*' | '"' WORD* '"' | '(' andexpr ')'
 *            | FIELD ':' value
 *   value   := WORD | '"' ... '"' | WORD '..' WORD | '..' WORD | WORD '..'
 *
 * Operators are recognised only in capitals (lower-case "not" is the Swedish
 * word for a note). A '-' is NOT only at the start of a word that follows the
 * start of the query, white space or '('. A WORD is a run of characters other
 * than white space, '"', '(' and ')'; a trailing '*' makes it a prefix search.
 * FIELD is one of the names the caller passes, followed directly by ':'.
 * NEAR's default window is 10 words; NEAR/n sets it (1..1000).
 *
 * Decisions on what the grammar above leaves open:
 *  - OR binds tighter than AND, as written: "a OR b c" = AND(OR(a b) c).
 *  - White space is ASCII space, \t, \n, \v, \f, \r and U+00A0 (no-break
 *    space, common in pasted text).
 *  - A '-' that starts a word (as above) must be followed directly by what
 *    it excludes: "a - b", "a -" are errors. "a --b" excludes the word "-b"
 *    (the second '-' does not follow white space); "a-b" is one word.
 *  - Trailing '*'s are all stripped ("a**" = "a*"); a word of only '*'s is
 *    an error. '*' elsewhere, inside phrases and in field values is an
 *    ordinary character.
 *  - A phrase is the text up to the next '"' (no escapes), split at white
 *    space; operators, parentheses, '-' and '*' are ordinary characters
 *    inside it. A one-word phrase stays a DQ_PHRASE with one kid.
 *  - NOT: each andexpr (the whole query and each parenthesised group, each
 *    checked on its own, so "b (NOT a)" is an error) needs a kid that is not
 *    a NOT; an alternative of OR may not be a NOT ("a -b OR c" is an error);
 *    NOT NOT is an error (double negation), not simplified away.
 *  - NEAR operands are checked syntactically: a parenthesised group (even
 *    "(a)") or a field next to NEAR is an error. A chain has one window:
 *    "a NEAR/3 b NEAR/5 c" is an error, "a NEAR b NEAR/10 c" is not. Any
 *    word that starts with "NEAR/" is taken as NEAR/n and must have a
 *    decimal n in 1..1000 (leading zeros allowed).
 *  - Fields: names compare case-insensitively, for ASCII and the Latin-1
 *    letters ("Kommun:" matches "kommun", "ÅR:" matches "år"). A word
 *    name:value whose name is 2 to 24 letters (ASCII or Latin-1) but no
 *    field is an error that names the nearest field when one is close
 *    ("kommnu:Lund": did you mean 'kommun:'?) — unless the value is empty
 *    ("Obs:") or starts with "//" (a web address): those stay words, as
 *    does anything else with a ':' ("2021:2323"). The value starts directly after
 *    the ':' ("år: 2019" is an error) and is either a "quoted phrase" (its
 *    raw inner text, must not be blank) or the rest of the word, which may
 *    contain ':' and '*'. A word value with ".." is a range, split at the
 *    first ".."; a second ".." or no bound at all ("år:..") is an error.
 *  - Nesting: every '(' and every NOT counts one level; more than 64 is an
 *    error (at the '(' or NOT that goes past 64). Over 65536 bytes is an
 *    error at offset 65536. A NUL byte is an error like invalid UTF-8.
 *  - Error positions: the token at fault; for an operator with nothing
 *    after it at the end of the query, the operator; for a '(' or '"' that
 *    is never closed, the opening one; for invalid UTF-8, the first byte of
 *    the ill-formed sequence. A node's offset is where its text starts (for
 *    a DQ_NOT the operator, for DQ_AND/DQ_OR/DQ_NEAR the first operand).
 *
 * dq_node_describe format (exact; tests depend on it): WORD(text) with a
 * '*' appended for a prefix; PHRASE(w1 w2 ...) with the words' texts;
 * AND(k1 k2 ...), OR(...), NOT(k); NEAR/n(k1 k2 ...) always with the window;
 * FIELD(name:value), FIELD(name:"value") for a quoted value and
 * FIELD(name:a..b) for a range (a or b may be empty). Kids are separated by
 * one space, nothing else is added. NULL describes as "".
 */
#ifndef DIARIUM_DQ_PARSE_H
#define DIARIUM_DQ_PARSE_H

#include "dq_error.h"

#include <stddef.h>

typedef enum dq_kind {
    DQ_WORD,   /* text; prefix = 1 for a trailing '*' (not in text) */
    DQ_PHRASE, /* kids: DQ_WORD nodes in order (at least one) */
    DQ_AND,    /* kids: >= 2; some may be DQ_NOT, at least one is not */
    DQ_OR,     /* kids: >= 2, none is DQ_NOT */
    DQ_NOT,    /* kids: exactly 1; only ever a child of DQ_AND */
    DQ_NEAR,   /* kids: >= 2 DQ_WORD or DQ_PHRASE; window */
    DQ_FIELD   /* field (as typed, lower-cased as names compare), text = the value
                  (a phrase's inner text without quotes); for a range
                  "a..b": range = 1, text = a, text2 = b (either may be "") */
} dq_kind;

typedef struct dq_node dq_node;
struct dq_node {
    dq_kind kind;
    char *text;       /* NUL-terminated UTF-8 (DQ_WORD, DQ_FIELD), else NULL */
    size_t len;       /* strlen(text) */
    char *text2;      /* DQ_FIELD range upper bound, else NULL */
    char *field;      /* DQ_FIELD: the field name, else NULL */
    int prefix;       /* DQ_WORD: 1 if it ended in '*' */
    int range;        /* DQ_FIELD: 1 if the value was a range a..b */
    int quoted;       /* DQ_FIELD: 1 if the value was a "quoted phrase" */
    unsigned window;  /* DQ_NEAR: max distance in words */
    size_t voffset;   /* DQ_FIELD: byte offset of the value (after the ':',
                         or after the opening quote) */
    size_t offset;    /* byte offset of the node's first character in the
                         query string */
    dq_node **kids;
    size_t nkids;
};

/* Where and why a query is malformed. */
typedef struct dq_parse_error {
    size_t offset;    /* byte offset of the problem in the query string */
    size_t column;    /* the same as a 1-based character (code point) column */
    char msg[256];    /* e.g. "unbalanced quote: the phrase that starts
                         here is never closed; add a closing '"'" */
    char msg_sv[256]; /* the same in Swedish (for the search page) */
} dq_parse_error;

/* Parses `q` (len bytes of UTF-8; invalid UTF-8 is a syntax error).
 * `fields` is a NULL-terminated list of accepted field names (may be NULL).
 * Returns DQ_OK and sets *out (free with dq_node_free); DQ_ESYNTAX and fills
 * *perr (may be NULL) for a malformed query, including an empty one, one
 * nested deeper than 64 levels and one over 64 KiB; DQ_ENOMEM. On failure
 * *out is NULL. */
int dq_parse(const char *q, size_t len, const char *const *fields,
             dq_node **out, dq_parse_error *perr);

void dq_node_free(dq_node *n);

/* A one-line rendering of the tree for tests and --explain, e.g.
 * AND(WORD(a) OR(WORD(b) WORD(c*)) NOT(PHRASE(d e)) NEAR/5(...)
 * FIELD(år:2019..2023)). malloc'd; NULL on allocation failure. */
char *dq_node_describe(const dq_node *n);

#endif /* DIARIUM_DQ_PARSE_H */
