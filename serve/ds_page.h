/*
 * ds_page.h — the search page of diarium-serve, rendered on the server.
 *
 * Where it sits: serve/, called by ds_server.c with the results of one
 * dq_search run. The page is Swedish HTML that works without script
 * (/static/diarium.js only adds a keyboard shortcut), loads nothing from
 * the network, has landmarks, labels and a skip link for keyboard and
 * screen reader users, and a print style sheet. It shows the query form
 * (with the query syntax), a syntax error at its position, "Menade du …",
 * the results (per document or per passage: snippet with the matched
 * words in <mark>, kommun, date, type, outcome, diary number, page, a
 * link to the original file), the facets as filter links, paging, the
 * spellings each word matched (on demand) and links to the topic report.
 * Every string from the index or the request goes through ds_html.h.
 */
#ifndef DIARIUM_DS_PAGE_H
#define DIARIUM_DS_PAGE_H

#include <stddef.h>
#include <stdio.h>

#include "dq_search.h"

/* The facets the page shows (dq_options.facets). */
#define DS_PAGE_FACETS "kommun,år,typ,utfall,myndighet"
/* Results per page unless the request says otherwise. */
#define DS_PAGE_LIMIT 10

typedef struct ds_page {
    const char *q;          /* the query, valid UTF-8 (qlen bytes) */
    size_t qlen;
    unsigned limit, offset; /* of this page */
    int per_document;
    int explain;            /* show the spellings matched */
    const dq_results *r;    /* the results (at most limit shown), or NULL
                               (no query, or an error) */
    int more;               /* there are results after this page */
    const char *error;      /* a message for a query that cannot be run,
                               or NULL */
    int error_at;           /* error_pos is meaningful */
    size_t error_pos;       /* byte offset of the error in q */
    int files;              /* link to the original files */
    unsigned documents;     /* documents in the collection (front page) */
    const char *version;
} ds_page;

/* Writes the whole page to f. Returns 0, or -1 when writing failed. */
int ds_page_write(FILE *f, const ds_page *p);

/* The style sheet and the script served under /static/. */
extern const char ds_page_css[];
extern const char ds_page_js[];

#endif /* DIARIUM_DS_PAGE_H */
