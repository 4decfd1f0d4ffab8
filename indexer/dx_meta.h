/*
 * dx_meta.h — metadata of one decision document: what kind of document it
 * is, its date, the municipality, principal and school it concerns, its
 * diary number, the authority that issued it and, for a Schools
 * Inspectorate decision, the outcome per assessed area.
 *
 * Where it sits: indexer/, after sv_text_clean() and before passages are
 * written. It is a pure function of the cleaned text (valid NFC UTF-8): no
 * I/O, no global mutable state, the same answer for the same text. It uses
 * stemmer/ (tokens, OCR skeletons and confusion costs), so a header written
 * "Uppf6ljningsbeslut", "Borl&nge kommuns" or "Tjansteskrivelse" reads as
 * cleanly as the original.
 *
 * How each field is found (details in dx_meta.c):
 *  - the "header" is the text before the first section heading (Inledning,
 *    Sammanfattning, Beslut, Förslag till beslut, Bakgrund ...; at most 30
 *    lines): type, date and school are read there;
 *  - type: a type word in the header ("Uppföljningsbeslut",
 *    "TJÄNSTESKRIVELSE", "Sammanträdesprotokoll"; "Beslut" with "tillsyn" or
 *    "uppföljning" in the header becomes tillsynsbeslut /
 *    uppföljningsbeslut); without one, a Skolinspektionen signature ("På
 *    Skolinspektionens vägnar") makes it a decision, and a förvaltning's text
 *    with a "Sammanfattning" a tjänsteskrivelse;
 *  - date: the date after "Datum", "Sammanträdesdatum" or "Beslutsdatum",
 *    else the first date in the header (an ISO date, or a written date on a
 *    short line); none when the text does not carry its own date;
 *  - kommun: "<name> kommun", "<name>s kommun(s)", "<name> stad", "Region
 *    Gotland", matched against the built-in table of Sweden's 290
 *    municipalities (OCR skeleton equal and sv_confusion_cost within
 *    budget; exact spellings preferred); the most frequent wins;
 *  - issuer: whose document it is — Skolinspektionen (its signature, or a
 *    decision that names it and no municipal body), Skolväsendets
 *    överklagandenämnd (a decision sentence "Överklagandenämnden avslår
 *    överklagandet", dx_meta_appeal.c), a municipal body (a förvaltning,
 *    nämnd or kontor heading the text), or unknown;
 *  - dnr: a "Dnr", "Diarienummer" or "Diarienr" label followed by a number
 *    with a separator ("2021:2323", "2019/233"), with any capital-letter
 *    prefix ("SI 2021:1234", "KS/2020:45"), where a document writes its
 *    own: first on its line or after a column gap; one in the middle of a
 *    sentence, in parentheses or after "jfr" is a case the text cites;
 *  - outcomes: each issuer's own vocabulary (DX_OUT_*): a Schools
 *    Inspectorate decision's assessment, the appeal board's verb; none for
 *    other documents.
 *
 * Confidence: each of type, date, dnr, authority and outcome is found by a
 * rule that says how sure it is (0-100, dx_meta.conf); a value found with
 * less than DX_META_MIN_CONFIDENCE is left absent — a wrong value is
 * worse than none, since people count these fields.
 */
#ifndef DIARIUM_DX_META_H
#define DIARIUM_DX_META_H

#include "dx_error.h"
#include "dx_format.h"

#include <stddef.h>

/* Return codes: DX_* (dx_error.h). */

/* The document types (DX_DOC_*, dx_doctype_name) and outcomes (DX_OUT_*,
 * dx_outcome_name) are the index format's vocabularies (dx_format.h). */

/* Longest string field kept (bytes); longer ones are cut at a character
 * boundary. */
#define DX_META_VALUE_MAX 200

/* Who issued a document (dx_issuer_name). */
enum {
    DX_ISSUER_UNKNOWN = 0,    /* ""                                      */
    DX_ISSUER_SKOLINSPEKTIONEN, /* "skolinspektionen"                    */
    DX_ISSUER_APPEAL_BOARD,   /* "overklagandenamnden": Skolväsendets
                                 överklagandenämnd                       */
    DX_ISSUER_MUNICIPAL,      /* "kommun": a municipal nämnd, förvaltning
                                 or kontor                               */
    DX_ISSUER_COUNT
};

/* The ASCII name of a DX_ISSUER_* value; "" for unknown and out of range.
 * Static. */
const char *dx_issuer_name(int issuer);

/* The fields that carry a confidence (dx_meta.conf). */
enum {
    DX_CONF_TYPE = 0,
    DX_CONF_DATE,
    DX_CONF_DNR,
    DX_CONF_AUTHORITY,
    DX_CONF_OUTCOME,
    DX_CONF_COUNT
};

/* Below this confidence a field is left absent (measured on documents the
 * rules were not written for: bench/meta_eval.py, bench/NOTES.md; a build
 * may set another with -DDX_META_MIN_CONFIDENCE=N to measure it). */
#ifndef DX_META_MIN_CONFIDENCE
#define DX_META_MIN_CONFIDENCE 50
#endif

/* One assessed area with its outcome. */
typedef struct dx_meta_area {
    char *name;  /* the area heading: the canonical spelling for the areas
                    of kvalitetsgranskning ("Huvudmannens kompensatoriska
                    arbete"), else as written (tillsyn: "Trygghet och
                    studiero"). malloc'd, owned by the dx_meta. */
    int outcome; /* DX_OUT_*, never DX_OUT_NONE */
} dx_meta_area;

/* A date "YYYY-MM-DD" (always a real calendar date, 1900..2099). */
typedef struct dx_date {
    char iso[11];
} dx_date;

/* The metadata of one document. Every field may be absent: NULL strings,
 * zero counts, "" dates, DX_DOC_UNKNOWN / DX_OUT_NONE. All strings are
 * NUL-terminated valid UTF-8. Owned by the caller, released with
 * dx_meta_free(). */
typedef struct dx_meta {
    int type;                /* DX_DOC_* */
    dx_date date;            /* the document's own date; iso "" if none */
    dx_date *dates;          /* every date mentioned, first mention order,
                                no duplicates (the document's own date too) */
    size_t ndates;
    const char *kommun;      /* canonical name from the table ("Borlänge"):
                                static, never freed; NULL if none */
    const char *kommun_alt;  /* when the text carries no å/ä/ö at all and
                                another municipality reads the same without
                                them ("Habo" / "Håbo"): that one; else NULL.
                                Static. */
    char *principal;         /* huvudman when it is not a kommun
                                ("Tallmon Utbildning AB"), as written */
    char *school;            /* the school unit the document is about
                                ("Asmundtorps skola", "Måsalyckeskolan"):
                                of the OCR spellings in the text, the one
                                the others can be read from */
    char *dnr;               /* "2021:2323", "SI 2021:1234", "KS/2020:45" */
    char *authority;         /* "Skolinspektionen", "Barn- och
                                utbildningsförvaltningen" (spelled properly
                                where the words are known) */
    int outcome;             /* DX_OUT_*: overall, decisions only */
    dx_meta_area *areas;     /* per area, in document order */
    size_t nareas;
    int issuer;              /* DX_ISSUER_* */
    unsigned char conf[DX_CONF_COUNT]; /* 0-100 per DX_CONF_* field that
                                is present (at least
                                DX_META_MIN_CONFIDENCE); 0 when absent */
} dx_meta;

/* Extracts the metadata of the document `text` (len bytes of valid UTF-8,
 * as produced by sv_text_clean; need not be NUL-terminated; text may be
 * NULL when len is 0). *out is overwritten (not freed: pass a zeroed or
 * freed struct).
 * Returns DX_OK; DX_EINVAL (out NULL, text NULL with len > 0, or text not
 * valid UTF-8); DX_ENOMEM. On any error *out is left zeroed (everything
 * allocated so far is freed), so dx_meta_free(out) is always safe. */
int dx_meta_extract(const char *text, size_t len, dx_meta *out);

/* A reusable extraction context (the prepared table of municipalities,
 * and the cache of the fixed words' skeletons that every document adds
 * to).
 * dx_meta_extract() prepares one for every call; an indexer creates one
 * with dx_meta_ctx_new() and passes it to dx_meta_extract_with(). One per
 * thread. dx_meta_ctx_new returns DX_OK or DX_ENOMEM (*out NULL);
 * dx_meta_ctx_free accepts NULL. */
typedef struct dx_meta_ctx dx_meta_ctx;
int dx_meta_ctx_new(dx_meta_ctx **out);
void dx_meta_ctx_free(dx_meta_ctx *c);

/* dx_meta_extract with a context (ctx may be NULL). */
int dx_meta_extract_with(dx_meta_ctx *ctx, const char *text, size_t len,
                         dx_meta *out);

/* Frees what a dx_meta owns and zeroes it. NULL and a zeroed struct are
 * fine; calling it twice is fine. */
void dx_meta_free(dx_meta *m);

/* Formats m as one JSON object (no newline), keys always present, in this
 * order, absent values as null (or [] for lists):
 *   {"type":"uppföljningsbeslut","date":"2022-06-27","dates":["2022-06-27"],
 *    "kommun":"Landskrona","kommun_alt":null,"principal":null,
 *    "school":"Asmundtorps skola","dnr":"2021:2323",
 *    "authority":"Skolinspektionen","outcome":"avslutad",
 *    "areas":[{"name":"...","outcome":"i_linje"}],
 *    "issuer":"skolinspektionen",
 *    "confidence":{"type":90,"date":90,"dnr":90,"authority":95,
 *                  "outcome":80}}
 * ("confidence" holds the present fields only.)
 * Strings are UTF-8 with '"', '\\' and control characters escaped.
 * On success *out is a malloc'd NUL-terminated string (free()) and *outlen
 * (may be NULL) its length. Returns DX_OK, DX_EINVAL (m or out NULL) or
 * DX_ENOMEM (then *out is NULL). */
int dx_meta_json(const dx_meta *m, char **out, size_t *outlen);

/* Filter terms: the (field, value) pairs to index for a document, so that
 * a query can say kommun:borlänge or år:2021: the fields of dx_format.h
 * (dx_filter_names), in that order, values lower-cased with sv_lower
 * (å/ä/ö kept: "borlänge", "uppföljningsbeslut", "barn- och
 * utbildningsförvaltningen"); kommun also kommun_alt when set; utfall the
 * overall outcome, then each area's (each distinct outcome once). Absent
 * fields give no pair. */

/* Called once per pair; field is static, value (vlen bytes, also
 * NUL-terminated) is valid during the call only. Return 0 to go on,
 * non-zero to stop. */
typedef int (*dx_meta_term_fn)(void *ctx, const char *field,
                               const char *value, size_t vlen);

/* Calls fn for each filter term of m. Returns DX_OK, DX_EINVAL (m or fn
 * NULL), DX_ENOMEM, or the first non-zero value fn returned. */
int dx_meta_terms(const dx_meta *m, dx_meta_term_fn fn, void *ctx);

/* Normalises a municipality as written ("Borl&nge", "Ostersunds kommun",
 * "Gavle", "Västerås stad", "Borlange kommuns") to its name in the table
 * ("Borlänge", "Östersund", "Gävle", "Västerås"): a trailing "kommun",
 * "kommuns", "stad" or "stads" is dropped, a genitive s is tried both ways,
 * exact spellings are preferred over OCR/diacritic readings. Case does not
 * matter. On success *canon is the static table name, or NULL when the text
 * names no municipality. Returns DX_OK, DX_EINVAL (name NULL with len > 0,
 * canon NULL, invalid UTF-8) or DX_ENOMEM (then *canon is NULL). */
int dx_kommun_lookup(const char *name, size_t len, const char **canon);

/* The built-in table: dx_kommun_count() names (290), dx_kommun_name(i) for
 * i below it (NULL otherwise), grouped by county. Static. */
size_t dx_kommun_count(void);
const char *dx_kommun_name(size_t i);

#endif /* DIARIUM_DX_META_H */
