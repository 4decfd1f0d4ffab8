/*
 * dq_search.h — running a query: ranked passages with highlights.
 *
 * Where it sits: the heart of query/. dq_parse -> dq_plan -> Xapian (xc) ->
 * stored passages (decompressed from the index, never from source files)
 * -> highlights -> dq_output.
 *
 * Ranking: passages are scored by BM25. A passage that matches the whole
 * query ranks above one that does not. When the words of an AND query are
 * spread over the passages of one document, that document still matches
 * (documents are what users judge): its best passage for any of the words
 * is returned after the passages that match the whole query. With
 * per_document, each document appears once (or up to `passages` times)
 * and documents are ordered by their best passage.
 */
#ifndef DIARIUM_DQ_SEARCH_H
#define DIARIUM_DQ_SEARCH_H

#include <stddef.h>

#include "dq_plan.h"

typedef struct dq_options {
    unsigned limit;     /* results: passages, or documents (per_document) */
    int per_document;   /* at most `passages` results per document */
    unsigned passages;  /* with per_document (>= 1) */
    int exact;          /* no OCR / diacritic expansion */
    int sort_date;      /* newest document first instead of relevance */
    const char *facets; /* comma-separated facet fields (kommun, år, typ,
                           utfall, myndighet), or NULL */
    int explain;        /* what --explain shows counted exactly */
    const dq_limits *limits; /* what one query may cost (dq_bound.h);
                                NULL: dq_limits_default */
    unsigned offset;    /* paging: leave out the first `offset` results
                           (ranked and counted as usual; not highlighted) */
    int swedish;        /* a syntax error's message in Swedish (the search
                           page); other errors stay in English */
} dq_options;

/* Fields --facets accepts (the index's facets, dx_facet_fields).
 * NULL-terminated. */
extern const char *const *const dq_facet_fields;

typedef struct dq_highlight {
    size_t start, end;  /* byte span in the hit's text */
} dq_highlight;

typedef struct dq_hit {
    char *doc;          /* document id */
    unsigned passage;   /* 0-based passage number in the document */
    double score;
    int complete;       /* 1: the passage matches the whole query */
    char *text;         /* the passage text, UTF-8 */
    size_t textlen;
    size_t offset;      /* byte offset of the passage in the document */
    dq_highlight *hl;
    size_t nhl;
    char *snippet;      /* the best window of text (dq_snippet) */
    size_t snippetlen;
    dq_highlight *shl;  /* highlights in the snippet */
    size_t nshl;
    char *date;         /* the document's date "YYYY-MM-DD", or "" */
    char *kommun;       /* municipality, or "" */
    char *type;         /* document type, or "" */
    char *outcome;      /* overall outcome ("i_linje"), or "" */
    char *dnr;          /* diary number, or "" */
    char *school;       /* school unit, or "" */
    char *authority;    /* authority, or "" */
    char *meta;         /* the document's metadata as JSON, or NULL */
    unsigned page;      /* 1-based page the passage starts on in a paged
                           document (PDF); 0 in one without pages */
    unsigned page_end;  /* page it ends on (0 likewise) */
    char *page_label;   /* the start page's label, or NULL when none */
    int ocr;            /* -1, or the OCR confidence (0-100) of the pages
                           it was read from (issue 31) */
} dq_hit;

/* Matching documents counted per value of one field. */
typedef struct dq_facet_value {
    char *value;        /* "" when the document has none */
    unsigned count;
} dq_facet_value;

typedef struct dq_facet {
    const char *field;  /* one of dq_facet_fields */
    dq_facet_value *v;  /* most frequent first */
    size_t n;
} dq_facet;

typedef struct dq_results {
    dq_hit *hits;
    size_t n;
    unsigned matches;   /* estimated number of matching passages */
    dq_plan *plan;      /* what the query became (for --explain) */
    char *suggestion;   /* the query with rare words replaced by frequent
                           ones one edit away ("Menade du"), or NULL */
    int limited;        /* no results were asked for (limit 0) */
    dq_facet *facets;   /* with opt->facets: per field, over the documents
                           with a passage that matches the whole query */
    size_t nfacets;
    unsigned facet_docs;/* how many documents the facets count */
} dq_results;

typedef struct dq_engine dq_engine;

/* Opens the database at dbpath read-only. Returns DQ_OK; DQ_ENODB when
 * there is none (err says how to create one); DQ_EANALYSIS when it was
 * built with another analysis; DQ_EDB; DQ_ENOMEM. */
int dq_engine_open(const char *dbpath, dq_engine **out, char *err,
                   size_t errlen);

/* Opens the n (>= 1) databases dbs[] read-only, searched as one: each a
 * database folder, a Xapian stub database file, or tcp:HOST:PORT (a
 * xapian-tcpsrv); see xc_db_open. Every database is checked as
 * dq_engine_open checks one. Returns as dq_engine_open, the message naming
 * the database at fault; DQ_EDB also for a remote one that cannot be
 * reached. */
int dq_engine_open_many(const char *const *dbs, size_t n, dq_engine **out,
                        char *err, size_t errlen);
void dq_engine_close(dq_engine *e);

/* Runs one query. Returns DQ_OK and *out (free with dq_results_free);
 * DQ_EQUERY also for an unknown facet field;
 * DQ_ESYNTAX or DQ_EQUERY with err and *erroff (byte offset in the query)
 * for a query that cannot be run; DQ_EDB; DQ_ENOMEM. A database that moves
 * on under the reader is reopened and the query retried. */
int dq_search(dq_engine *e, const char *query, size_t len,
              const dq_options *opt, dq_results **out, char *err,
              size_t errlen, size_t *erroff);

void dq_results_free(dq_results *r);

/* Counts the passages that match the whole query and the documents that
 * hold them (exactly: every match is looked at). Returns as dq_search. */
int dq_count(dq_engine *e, const char *query, size_t len,
             const dq_options *opt, unsigned *passages, unsigned *documents,
             char *err, size_t errlen, size_t *erroff);

/* The engine's stemmer (for dq_plan_matches and output). */
sv_stemmer *dq_engine_stemmer(dq_engine *e);

/* What the database holds: *passages (Xapian documents) and *documents
 * (source documents with at least one passage: the distinct Q terms, read
 * from the term dictionary). Either may be NULL. Returns DQ_OK; DQ_EDB with
 * err; DQ_ENOMEM. */
int dq_engine_stats(dq_engine *e, unsigned *passages, unsigned *documents,
                    char *err, size_t errlen);

/* Where document `doc` (its id, NUL-terminated) was indexed from: the
 * PATH argument of diarium-index it was found under, as given there
 * (relative to the indexer's working folder when not absolute), read from
 * the document's record (dx_format.h, DX_META_DOC). Only documents in the
 * index have one. Returns DQ_OK with *root malloc'd (free()), or NULL when
 * the index has no such document; DQ_EDB with err; DQ_ENOMEM. */
int dq_engine_doc_root(dq_engine *e, const char *doc, char **root,
                       char *err, size_t errlen);

#endif /* DIARIUM_DQ_SEARCH_H */
