/*
 * dq_output.h — printing results: text (for people), JSON Lines and CSV
 * (for programs).
 *
 * Where it sits: the last step of query/. JSON Lines follows the contract
 * of DESIGN.md: one object per result, best first, with "doc", "passage",
 * "score" and "text" (plus "rank", "complete", "offset" and "highlights":
 * byte ranges [start, end) of the matched words in "text"); a result of a
 * paged document (PDF) also has "page" and "page_end" (1-based physical
 * pages it starts and ends on) and, when the PDF labels its pages,
 * "page_label"; plain text, Word and OpenDocument results have none of
 * them. Text output cites the page as "sida 4" after the document id. An
 * --explain
 * object has the key "explain" and no "doc", so a program can tell it from
 * a result.
 */
#ifndef DIARIUM_DQ_OUTPUT_H
#define DIARIUM_DQ_OUTPUT_H

#include <stdio.h>

#include "dq_search.h"

typedef enum dq_format { DQ_FMT_TEXT, DQ_FMT_JSON, DQ_FMT_CSV } dq_format;

/* Prints the results. color = 1 marks highlights in bold (text only).
 * query != NULL (several queries in one run) adds it to each result: a
 * "query" key in JSON, a first column in CSV, a heading in text.
 * Returns DQ_OK, or DQ_EWRITE when writing failed (as for all of these). */
int dq_print_results(FILE *f, const dq_results *r, dq_format fmt, int color,
                     const char *query);

/* "sida 4", "sida 4–5" (en dash), "sida 4 (iv)" with the start page's
 * label: where a paged document's passage is, as a citation gives it; ""
 * for a document without pages. Into out (outlen bytes, cut to fit). */
void dq_page_citation(const dq_hit *h, char *out, size_t outlen);

/* "läst med OCR, säkerhet 93 %": that a passage was read from scanned
 * pages by OCR (issue 31), and how sure that was (the lowest confidence of
 * its pages); "" for a passage read from text. Writes into out (outlen
 * bytes). */
void dq_ocr_note(const dq_hit *h, char *out, size_t outlen);

/* Prints one result as a JSON object, exactly as one line of
 * dq_print_results's JSON Lines (without the line end), `rank` its 1-based
 * rank; query != NULL adds a "query" key. Errors show in ferror(f). */
void dq_print_hit_json(FILE *f, const dq_hit *h, size_t rank,
                       const char *query);

/* Prints one search as a single JSON object (diarium-serve's
 * /api/search):
 *   {"query": the query (qlen bytes), "total": r->matches (Xapian's
 *    estimate of the matching passages; of documents with per_document),
 *    "results": [the objects of dq_print_hit_json, ranks from first_rank],
 *    "facets": {"documents": N, "kommun": [{"value", "count"}...], ...}
 *    or null, "suggestion": the "Menade du" query or null (when there is
 *    one, "suggestion_words": [{"word", "suggestion", "passages"}...]),
 *    with explain != 0 "explain": the array of dq_print_explain}
 * and a line end. */
int dq_print_response_json(FILE *f, const char *query, size_t qlen,
                           const dq_results *r, size_t first_rank,
                           int explain);

/* The CSV header line for dq_print_results (with a query column or not). */
void dq_print_csv_header(FILE *f, int with_query);

/* Prints what each query word was expanded to. */
int dq_print_explain(FILE *f, const dq_results *r, dq_format fmt);

/* Prints the facet counts, if any: lines "kommun: Trelleborg 3, …" in
 * text, an object {"facets": {"documents": N, "kommun": [{"value": …,
 * "count": …}, …], …}} in JSON, rows facet,value,count in CSV. */
int dq_print_facets(FILE *f, const dq_results *r, dq_format fmt);

/* Prints a spelling suggestion if the results have one: "Menade du: …?"
 * in text, an object {"suggestion": …, "words": [...]} in JSON (it has no
 * "doc", so programs can tell it from a result). */
int dq_print_suggestion(FILE *f, const dq_results *r, dq_format fmt);

/* Prints a line "PROG: note: FIELD:VALUE matches nothing: ..." for each
 * field filter of the query whose value no document in the index has (with
 * the nearest value it has, if one is close). Returns 0 or -1. */
int dq_print_notes(FILE *f, const char *prog, const dq_results *r);

/* Writes s (len bytes) as a JSON string literal, quotes included. JSON is
 * UTF-8: each byte of s that is not part of valid UTF-8 (a file name in
 * another encoding) becomes U+FFFD; control characters (C0, DEL, C1) are
 * escaped (\n, \t, \r, \u001b, ...). */
void dq_json_string(FILE *f, const char *s, size_t len);

/* Writes s (len bytes) for a terminal: each byte of a control character
 * (C0 — but \n and \t when keep_lines —, DEL, C1) and each byte that is
 * not part of valid UTF-8 as \xHH (upper-case hex), the rest as it is.
 * Returns the characters written (an escaped byte counts 4). */
size_t dq_print_safe(FILE *f, const char *s, size_t len, int keep_lines);

/* Writes s (len bytes) as one CSV field: in double quotes, a '"' doubled
 * (RFC 4180), and as dq_print_safe with keep_lines. */
void dq_csv_field(FILE *f, const char *s, size_t len);

#endif /* DIARIUM_DQ_OUTPUT_H */
