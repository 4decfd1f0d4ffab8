/*
 * dq_report.h — topic reports: what the decisions say about a subject, in
 * which municipalities, in which years and with what outcome, as a document
 * to hand on.
 *
 * Where it sits: query/, beside dq_output. It takes the results of one
 * dq_search run with per_document (several passages per document) and the
 * facets "kommun,år,typ,utfall", and writes one of
 *
 *  - HTML: one self-contained file (no script, nothing loaded from the
 *    network, printable on A4): the query and when and over what collection
 *    it was run; totals; documents per kommun and per year as inline SVG bar
 *    charts; a table of the documents (kommun, date, type, diary number,
 *    outcome); per document its best passages with the matched words in
 *    <mark>, a passage of a PDF with its page ("sida 4") linked to the
 *    file at that page (dq_report_info.doc_link). Every text taken from the index — passages, ids, metadata — is
 *    HTML-escaped.
 *  - Markdown: the same content; charts as tables with text bars, passages
 *    as block quotes with the matched words in bold, Markdown syntax in the
 *    text escaped so that it reads as written, pages cited and linked as in
 *    HTML.
 *  - CSV for a spreadsheet program in a Swedish locale: UTF-8 with a byte
 *    order mark, ';' between fields, CRLF line ends, RFC 4180 quoting, a
 *    decimal comma; one row per document:
 *    Dokument;Kommun;Datum;Typ;Diarienummer;Utfall;Myndighet;Skola;Poäng;
 *    Bästa stycke. A text field that a spreadsheet would read as a formula
 *    (first character = + - @) gets a leading apostrophe.
 *
 * Counts (totals, charts, the outcome and type tables) come from the
 * facets, which count every document that matches the whole query, not
 * only those shown. Documents are listed in the order of their best
 * passage; a document whose query words are spread over several passages
 * (dq_hit.complete == 0) is listed and marked, but is not in the counts.
 */
#ifndef DIARIUM_DQ_REPORT_H
#define DIARIUM_DQ_REPORT_H

#include <stdio.h>

#include "dq_search.h"

/* Return codes: DQ_* (dq_error.h). */

typedef enum dq_report_format {
    DQ_REPORT_HTML,
    DQ_REPORT_MD,
    DQ_REPORT_CSV
} dq_report_format;

/* What the report says about the run itself. All strings UTF-8, owned by
 * the caller; NULL or "" for what is not known. */
typedef struct dq_report_info {
    const char *query;     /* the query as typed */
    const char *db;        /* the database path as given */
    const char *when;      /* time of the run, ISO 8601 local time
                              ("2025-03-04T10:15:00+01:00") */
    unsigned documents;    /* source documents in the collection */
    unsigned passages;     /* passages in the collection */
    const char *version;   /* diarium version ("0.1.0") */
    unsigned per_document; /* passages asked for per document (0: not
                              said) */
    unsigned max_documents;/* at most this many documents, the best (0: all
                              the results hold) */
    /* Links to the original files: a passage of a paged document (PDF)
     * cites its page ("sida 4") as a link to FILE#page=4, the PDF open
     * parameter that browsers' PDF viewers follow. doc_link writes the
     * address of document `doc`'s file (a URL, or a path relative to
     * where the report is opened) into out (outlen bytes) and returns its
     * length, 0 for no link. NULL: the document id itself, percent-encoded
     * (a path relative to the indexed folder). */
    size_t (*doc_link)(void *ctx, const char *doc, char *out,
                       size_t outlen);
    void *doc_link_ctx;
} dq_report_info;

/* The format named `name` ("html", "md" or "markdown", "csv"): its
 * dq_report_format value (>= 0), or -1 for any other name. */
int dq_report_format_from_name(const char *name);

/* The outcome value of the index ("i_linje", see dx_format.h DX_OUT_*)
 * in plain Swedish ("påbörjat arbete i linje med bedömningen"); "" for "";
 * an unknown value is returned as it is. Static or `outcome` itself. */
const char *dq_report_outcome_label(const char *outcome);

/* Writes the report on r (hits of one document need not be adjacent:
 * they are grouped by document) to f. Returns DQ_OK; DQ_ENOMEM (nothing
 * or part of the report written); DQ_EWRITE when writing to f failed. Does
 * not close or flush f beyond what stdio does. */
int dq_report_write(FILE *f, dq_report_format fmt, const dq_report_info *info,
                    const dq_results *r);

#endif /* DIARIUM_DQ_REPORT_H */
