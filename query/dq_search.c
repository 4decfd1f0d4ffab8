/*
 * dq_search.c — running a query (see dq_search.h).
 */
#include "dq_search.h"
#include "dq_snippet.h"
#include "dx_format.h"
#include "dx_record.h"

#include "sv.h"
#include "sv_token.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Fields the query language accepts besides the index's filter fields
 * (dx_filter_names): doc (the document id), and year and date for år and
 * datum (dq_plan.c). */
static const char *const query_fields[] = {"doc", "year", "date"};
#define NQUERY_FIELDS (sizeof query_fields / sizeof *query_fields)

/* Documents examined at most when words are spread over passages. */
#define SPREAD_MAX_DOCS 5000

const char *const *const dq_facet_fields = dx_facet_fields;

struct dq_engine {
    xc_db *db;     /* every --db, searched as one */
    int remote;    /* one of them is remote (xapian-tcpsrv, -progsrv) */
    sv_stemmer *st;
    sv_tokens toks;
    int sort_date; /* for the search under way */
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int xfail(int rc, char *xerr, char *err, size_t errlen)
{
    seterr(err, errlen, "%s", xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    return dq_from_xc(rc);
}

/* Whether a read that ended in rc is to be run again on the latest
 * commit, which it then opens: the database moved on under the reader
 * (DQ_EMODIFIED), or a database error came while a writer moved it on —
 * Xapian 1.4 can follow a block that a newer commit has overwritten and
 * report "EOF reading block" instead of DatabaseModifiedError. An error
 * on a database that has not moved is reported. */
static int moved_on(dq_engine *e, int rc)
{
    if (rc != DQ_EMODIFIED && rc != DQ_EDB) return 0;
    int changed = 0;
    if (xc_db_reopen(e->db, &changed, NULL) != XC_OK) return 0;
    return rc == DQ_EMODIFIED || changed;
}

/* Opens (first: e->db NULL) or adds one --db spec, trying again shortly
 * when it fails: diarium-index --full swaps a new database in with one
 * rename, and an open that meets the swap half-way fails. */
static int open_one(dq_engine *e, const char *spec, char **xerr)
{
    int rc = XC_OK;
    for (int attempt = 0; attempt < 6; attempt++) {
        if (attempt) {
            struct timespec pause = {0, 50 * 1000000L};
            nanosleep(&pause, NULL);
            xc_free(*xerr);
            *xerr = NULL;
        }
        rc = e->db ? xc_db_add(e->db, spec, xerr)
                   : xc_db_open(spec, &e->db, xerr);
        /* (a remote database that cannot be reached has had its 10 s) */
        if (rc == XC_OK || rc == XC_ENOMEM || rc == XC_ENETWORK) break;
    }
    return rc;
}

/* Checks the stamp (dx_format.h) of each database searched: every one
 * must be of this build's analysis and format. `spec` names the database
 * when there is one. */
static int check_stamps(dq_engine *e, const char *spec, char *err,
                        size_t errlen)
{
    unsigned n = 0;
    char *xerr = NULL;
    int rc = xc_db_count(e->db, &n, &xerr);
    if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
    for (unsigned i = 0; i < n; i++) {
        xc_db *part = NULL;
        const char *name = NULL;
        int remote = 0;
        rc = xc_db_part(e->db, i, &part, &xerr);
        if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
        xc_db_part_info(e->db, i, &name, &remote);
        if (!name || !*name) name = spec;
        if (remote) e->remote = 1;
        dx_stamp st;
        int res = DQ_OK;
        for (int attempt = 0;; attempt++) {
            rc = dx_stamp_read(part, &st, err, errlen);
            if (rc == DX_OK) break;
            res = rc == DX_ENOMEM      ? DQ_ENOMEM
                : rc == DX_EMODIFIED ? DQ_EMODIFIED
                                     : DQ_EDB;
            int changed = 0;
            if (attempt == 3 || res == DQ_ENOMEM ||
                xc_db_reopen(part, &changed, NULL) != XC_OK ||
                (res == DQ_EDB && !changed))
                break;
            res = DQ_OK;
        }
        xc_db_close(part);
        if (res != DQ_OK) {
            if (res == DQ_EDB && n > 1) {
                char why[512];
                snprintf(why, sizeof why, "%s", err);
                seterr(err, errlen, "%s: %s", name, why);
            }
            return res == DQ_EMODIFIED ? DQ_EDB : res;
        }
        /* this build's analysis, and the layout of dx_format.h it reads */
        if (!(st.analysis_ok && st.format_ok)) {
            if (remote)
                seterr(err, errlen, "%s was built by another diarium version "
                       "(or is not a diarium database): rebuild it with "
                       "'diarium-index --full' where it is served", name);
            else
                seterr(err, errlen, "%s was built by another diarium version "
                       "(or is not a diarium database): rebuild it with "
                       "'diarium-index --full --db %s PATH...'", name, name);
            return DQ_EANALYSIS;
        }
    }
    return DQ_OK;
}

int dq_engine_open_many(const char *const *dbs, size_t n, dq_engine **out,
                        char *err, size_t errlen)
{
    struct stat sb;
    *out = NULL;
    if (n == 0) {
        seterr(err, errlen, "no database given");
        return DQ_ENODB;
    }
    for (size_t i = 0; i < n; i++)
        if (strncmp(dbs[i], "tcp:", 4) != 0 && stat(dbs[i], &sb) != 0) {
            seterr(err, errlen, "no database at %s: create one with "
                   "'diarium-index --db %s PATH...' (or set DIARIUM_DB)",
                   dbs[i], dbs[i]);
            return DQ_ENODB;
        }
    dq_engine *e = calloc(1, sizeof *e);
    if (!e) return DQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char *xerr = NULL;
        int rc = open_one(e, dbs[i], &xerr);
        if (rc == XC_OK) continue;
        int res = rc == XC_EOPEN ? DQ_ENODB : dq_from_xc(rc);
        if (rc == XC_EOPEN)
            seterr(err, errlen, "%s is not a diarium database (%s)", dbs[i],
                   xerr ? xerr : "cannot open");
        else if (rc == XC_ENETWORK && xerr) /* (it names the database) */
            seterr(err, errlen, "%s", xerr);
        else if (rc != XC_ENOMEM)
            seterr(err, errlen, "%s: %s", dbs[i],
                   xerr ? xerr : xc_strerror(rc));
        xc_free(xerr);
        dq_engine_close(e);
        return res;
    }
    int res = check_stamps(e, dbs[0], err, errlen);
    if (res == DQ_OK && sv_stemmer_new(&e->st) != SV_OK) res = DQ_ENOMEM;
    if (res != DQ_OK) {
        dq_engine_close(e);
        return res;
    }
    *out = e;
    return DQ_OK;
}

int dq_engine_open(const char *dbpath, dq_engine **out, char *err,
                   size_t errlen)
{
    return dq_engine_open_many(&dbpath, 1, out, err, errlen);
}

void dq_engine_close(dq_engine *e)
{
    if (!e) return;
    xc_db_close(e->db);
    sv_stemmer_free(e->st);
    sv_tokens_free(&e->toks);
    free(e);
}

sv_stemmer *dq_engine_stemmer(dq_engine *e) { return e->st; }

/* ------------------------------------------------------------ results */

static void hit_free(dq_hit *h);

void dq_results_free(dq_results *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        hit_free(&r->hits[i]);
        free(r->hits[i].hl);
        free(r->hits[i].snippet);
        free(r->hits[i].shl);
    }
    for (size_t i = 0; i < r->nfacets; i++) {
        for (size_t k = 0; k < r->facets[i].n; k++)
            free(r->facets[i].v[k].value);
        free(r->facets[i].v);
    }
    free(r->facets);
    free(r->hits);
    dq_plan_free(r->plan);
    free(r->suggestion);
    free(r);
}

static int has_doc(const dq_results *r, const char *doc)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->hits[i].doc, doc) == 0) return 1;
    return 0;
}

/* Value `slot` of document d as a malloc'd string ("" if unset). */
static int slot_str(xc_doc *d, unsigned slot, char **out, char *err,
                    size_t errlen)
{
    char *v = NULL, *xerr = NULL;
    size_t vl = 0;
    *out = NULL;
    int rc = xc_doc_get_value(d, slot, &v, &vl, &xerr);
    if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
    *out = malloc(vl + 1);
    if (*out) {
        if (vl) memcpy(*out, v, vl);
        (*out)[vl] = '\0';
    }
    xc_free(v);
    return *out ? DQ_OK : DQ_ENOMEM;
}

static void hit_free(dq_hit *h)
{
    free(h->doc);
    free(h->text);
    free(h->date);
    free(h->kommun);
    free(h->type);
    free(h->outcome);
    free(h->dnr);
    free(h->school);
    free(h->authority);
    free(h->meta);
    free(h->page_label);
}

/* Unpacks a stored passage (its DX_SLOT_DATA value, len bytes; see
 * dx_format.h) into *raw, malloc'd (the caller frees it), and *d, which
 * points into it; DQ_EDB with a message naming the passage (Xapian
 * document `docid`, of source document `doc` when known) when it is of
 * another format or damaged. */
static int unpack_data(const char *stored, size_t len, const char *doc,
                       unsigned docid, char **raw, dx_data *d, char *err,
                       size_t errlen)
{
    size_t rl = 0;
    int k = dx_data_load(stored, len, raw, &rl);
    if (k == DX_ENOMEM) return DQ_ENOMEM;
    if (k == DX_OK) k = dx_data_parse(*raw, rl, d);
    if (k == DX_OK) return DQ_OK;
    free(*raw);
    *raw = NULL;
    seterr(err, errlen, "the stored passage %u%s%s %s (diarium-index --check "
           "examines the database)", docid, doc ? " of " : "", doc ? doc : "",
           k == DX_EFORMAT ? "has an unknown format" : "is damaged");
    return DQ_EDB;
}

/* A malloc'd NUL-terminated copy of (s, n) into *out. */
static int copy_str(const char *s, size_t n, char **out)
{
    *out = malloc(n + 1);
    if (!*out) return DQ_ENOMEM;
    if (n) memcpy(*out, s, n);
    (*out)[n] = '\0';
    return DQ_OK;
}

/* Appends a hit for passage `docid` of the database (from an mset of it):
 * its id value and its data, which holds the text and every field shown
 * (dx_format.h). */
static int add_hit(dq_engine *e, dq_results *r, unsigned docid, double w,
                   int complete, char *err, size_t errlen)
{
    xc_doc *d = NULL;
    char *xerr = NULL, *stored = NULL, *data = NULL;
    size_t storedlen = 0;
    dq_hit h = {0};
    h.score = w;
    h.complete = complete;
    int rc = xc_db_document_known(e->db, docid, &d, &xerr);
    if (rc == XC_OK)
        rc = xc_doc_get_value(d, DX_SLOT_DATA, &stored, &storedlen, &xerr);
    int res = rc == XC_OK ? DQ_OK : xfail(rc, xerr, err, errlen);
    if (res == DQ_OK) res = slot_str(d, DX_SLOT_DOCID, &h.doc, err, errlen);
    dx_data dd;
    if (res == DQ_OK)
        res = unpack_data(stored, storedlen, h.doc, docid, &data, &dd, err,
                          errlen);
    xc_free(stored);
    if (res == DQ_OK) {
        h.passage = dd.passage;
        h.offset = dd.offset;
        h.textlen = dd.textlen;
        h.page = dd.page;
        h.page_end = dd.page_end;
        h.ocr = dd.ocr;
        res = copy_str(dd.text, dd.textlen, &h.text);
        if (res == DQ_OK && dd.labellen)
            res = copy_str(dd.label, dd.labellen, &h.page_label);
    }
    static const dx_field fields[] = {DX_FIELD_DATE, DX_FIELD_KOMMUN,
                                      DX_FIELD_TYPE, DX_FIELD_OUTCOME,
                                      DX_FIELD_DNR, DX_FIELD_SCHOOL,
                                      DX_FIELD_AUTHORITY, DX_FIELD_META};
    char **dst[] = {&h.date, &h.kommun, &h.type, &h.outcome, &h.dnr,
                    &h.school, &h.authority, &h.meta};
    for (size_t i = 0; res == DQ_OK && i < sizeof fields / sizeof *fields;
         i++)
        res = copy_str(dd.field[fields[i]], dd.fieldlen[fields[i]], dst[i]);
    free(data);
    xc_doc_free(d);
    if (res == DQ_OK && h.meta && !h.meta[0]) {
        free(h.meta);
        h.meta = NULL;
    }
    if (res == DQ_OK) {
        dq_hit *v = realloc(r->hits, (r->n + 1) * sizeof *v);
        if (!v) res = DQ_ENOMEM;
        else {
            r->hits = v;
            r->hits[r->n++] = h;
            return DQ_OK;
        }
    }
    hit_free(&h);
    return res;
}

/* Marks the words of a hit that the query matched. */
static int highlight(dq_engine *e, const dq_plan *p, dq_hit *h)
{
    if (sv_tokenize(h->text, h->textlen, &e->toks) != SV_OK)
        return DQ_ENOMEM;
    for (size_t i = 0; i < e->toks.n; i++) {
        const sv_token *k = &e->toks.tok[i];
        if (!dq_plan_matches(p, e->st, sv_token_norm(&e->toks, k), k->normlen,
                             k->kind == SV_TOK_WORD))
            continue;
        dq_highlight *v = realloc(h->hl, (h->nhl + 1) * sizeof *v);
        if (!v) return DQ_ENOMEM;
        h->hl = v;
        h->hl[h->nhl].start = k->start;
        h->hl[h->nhl].end = k->end;
        h->nhl++;
    }
    return DQ_OK;
}

/* Runs q and returns its mset, looking at no fewer than `check`
 * candidates. */
static int run_checked(dq_engine *e, const xc_query *q, unsigned collapse_max,
                       unsigned first, unsigned max, unsigned check,
                       xc_mset **out, char *err, size_t errlen)
{
    xc_enquire *enq = NULL;
    char *xerr = NULL;
    *out = NULL;
    int rc = xc_enquire_new(e->db, &enq, &xerr);
    if (rc == XC_OK) rc = xc_enquire_set_query(enq, q, &xerr);
    if (rc == XC_OK && collapse_max)
        rc = xc_enquire_set_collapse(enq, DX_SLOT_DOCID, collapse_max, &xerr);
    if (rc == XC_OK && e->sort_date)
        rc = xc_enquire_set_sort_by_value(enq, DX_SLOT_DATE, 1, &xerr);
    if (rc == XC_OK)
        rc = xc_enquire_mset(enq, first, max, check, out, &xerr);
    xc_enquire_free(enq);
    return rc == XC_OK ? DQ_OK : xfail(rc, xerr, err, errlen);
}

static int run(dq_engine *e, const xc_query *q, unsigned collapse_max,
               unsigned first, unsigned max, xc_mset **out, char *err,
               size_t errlen)
{
    return run_checked(e, q, collapse_max, first, max, 0, out, err, errlen);
}

/* ------------------------------------------------------ proximity */

/* A query with a proximity bonus (dq_plan.base) is ranked from a
 * shortlist: the best SHORTLIST_EXTRA more passages than wanted by the base
 * query alone (per document, twice as many: a document's passages compete
 * for its places), each checked for the words standing close together by
 * the plan's NEAR, run on those passages only (a filter of their ids, so
 * that Xapian checks positions in them alone), the bonus added (weight
 * times 1 + DQ_PROX_WEIGHT: Xapian adds DQ_PROX_WEIGHT times the same
 * weight to it, which rounds to the same number) and sorted again; per
 * document, at most --passages of each document are then kept, in that
 * order, as Xapian's collapse keeps them. Passages outside the shortlist
 * weigh at most the last one's base weight w, so at most
 * (1 + DQ_PROX_WEIGHT) w with the bonus: when the wanted ones all weigh
 * more, the order is the one Xapian gives the whole query; otherwise the
 * whole query is run (Xapian then checks positions on every match, and
 * reads the base query's posting lists twice: the cost the shortlist
 * saves). Only when every word is frequent (SHORTLIST_MIN_FREQ) and few
 * results are wanted (SHORTLIST_MAX). For tests,
 * DIARIUM_SHORTLIST=0 never uses the shortlist, =1 whatever the limit (the
 * ways must give the same results). */
#define SHORTLIST_EXTRA 10
#define SHORTLIST_MAX 64
/* Below this many passages with the rarest word, the whole query costs
 * less than the shortlist's two runs (callgrind, g0vse, the generated
 * pairs and bench/queries.txt: 500, 1000, 2000 and 4000 tried; the
 * figures are in bench/NOTES.md). */
#define SHORTLIST_MIN_FREQ 2000

typedef struct scored {
    unsigned docid;
    double w;
    char *doc;  /* per document: its document id (the collapse key) */
    size_t grp; /* per document: its document as a number */
} scored;

static int by_doc_name(const void *a, const void *b)
{
    const scored *x = *(const scored *const *)a;
    const scored *y = *(const scored *const *)b;
    return strcmp(x->doc, y->doc);
}

static int by_weight(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

static int by_id(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

/* Numbers the documents of v[0, n) (v[i].grp): passages of one document
 * share a number. */
static int number_docs(scored *v, unsigned n)
{
    scored **byd = malloc(n * sizeof *byd);
    if (!byd) return DQ_ENOMEM;
    for (unsigned i = 0; i < n; i++) byd[i] = &v[i];
    qsort(byd, n, sizeof *byd, by_doc_name);
    size_t g = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i && strcmp(byd[i]->doc, byd[i - 1]->doc) != 0) g++;
        byd[i]->grp = g;
    }
    free(byd);
    return DQ_OK;
}

/* The passages a shortlist holds for the results o asks for. */
static unsigned shortlist_size(const dq_options *o)
{
    uint64_t k = (uint64_t)o->limit * (o->per_document ? 2 : 1) +
                 SHORTLIST_EXTRA;
    return k > UINT_MAX ? UINT_MAX : (unsigned)k;
}

/* Which of the n passages ids (sorted) the plan's NEAR holds, as a sorted
 * array *near (malloc'd) of *nn ids. */
static int near_ids(dq_engine *e, const dq_plan *p, const unsigned *ids,
                    unsigned n, unsigned **near, unsigned *nn, char *err,
                    size_t errlen)
{
    xc_query *r = NULL, *z = NULL, *f = NULL;
    xc_mset *m = NULL;
    char *xerr = NULL;
    *near = NULL;
    *nn = 0;
    int rc = xc_query_docid_ranges(ids, ids, n, &r, &xerr);
    if (rc == XC_OK) rc = xc_query_scale(p->near, 0, &z, &xerr);
    if (rc == XC_OK) {
        xc_query *two[2] = {z, r};
        rc = xc_query_combine(XC_OP_FILTER, two, 2, 0, &f, &xerr);
    }
    int res = rc == XC_OK ? run(e, f, 0, 0, n, &m, err, errlen)
                          : xfail(rc, xerr, err, errlen);
    unsigned k = m ? xc_mset_size(m) : 0;
    if (res == DQ_OK && k && !(*near = malloc(k * sizeof **near)))
        res = DQ_ENOMEM;
    for (unsigned i = 0; res == DQ_OK && i < k; i++)
        xc_mset_item(m, i, &(*near)[i], NULL, NULL);
    if (res == DQ_OK) {
        if (k) qsort(*near, k, sizeof **near, by_id); /* (*near NULL when 0) */
        *nn = k;
    }
    xc_mset_free(m);
    xc_query_free(r);
    xc_query_free(z);
    xc_query_free(f);
    return res;
}

/* Ranks the query from a shortlist (above); *done = 0 when the shortlist
 * cannot prove the order. */
static int shortlist(dq_engine *e, dq_results *r, const dq_options *o,
                     int *done, char *err, size_t errlen)
{
    const dq_plan *p = r->plan;
    unsigned k = shortlist_size(o);
    xc_mset *m = NULL;
    unsigned *ids = NULL, *near = NULL, nn = 0;
    *done = 0;
    /* Per document, collapsing nothing (at most UINT_MAX of a document)
     * gives each passage's document id as its collapse key. */
    int res = run(e, p->base, o->per_document ? UINT_MAX : 0, 0, k, &m, err,
                  errlen);
    unsigned size = m ? xc_mset_size(m) : 0;
    scored *v = res == DQ_OK ? calloc(size ? size : 1, sizeof *v) : NULL;
    unsigned *pick = v ? calloc(size ? size : 1, sizeof *pick) : NULL;
    ids = pick ? malloc((size ? size : 1) * sizeof *ids) : NULL;
    size_t *per_doc = NULL;
    if (res == DQ_OK && (!v || !pick || !ids)) res = DQ_ENOMEM;
    double last = 0;
    for (unsigned i = 0; res == DQ_OK && i < size; i++) {
        xc_mset_item(m, i, &v[i].docid, &v[i].w, NULL);
        last = v[i].w;
        ids[i] = v[i].docid;
        if (o->per_document) {
            size_t dl = 0;
            if (xc_mset_collapse_key(m, i, &v[i].doc, &dl) != XC_OK)
                res = DQ_ENOMEM;
        }
    }
    if (res == DQ_OK && size) {
        qsort(ids, size, sizeof *ids, by_id);
        res = near_ids(e, p, ids, size, &near, &nn, err, errlen);
    }
    for (unsigned i = 0; res == DQ_OK && i < size; i++)
        if (nn && bsearch(&v[i].docid, near, nn, sizeof *near, by_id))
            v[i].w *= 1 + DQ_PROX_WEIGHT;
    if (res == DQ_OK && size) qsort(v, size, sizeof *v, by_weight);
    /* The wanted results among them: the first o->limit; per document, in
     * that order, those of a document that has fewer than o->passages (a
     * passage without a document id is never collapsed, as in Xapian). */
    unsigned npick = 0;
    if (res == DQ_OK && o->per_document && size) {
        res = number_docs(v, size);
        if (res == DQ_OK && !(per_doc = calloc(size, sizeof *per_doc)))
            res = DQ_ENOMEM;
    }
    for (unsigned i = 0; res == DQ_OK && i < size && npick < o->limit; i++) {
        if (per_doc && v[i].doc[0] && per_doc[v[i].grp]++ >= o->passages)
            continue;
        pick[npick++] = i;
    }
    /* Proven when nothing can lie beyond the shortlist, or when what lies
     * there cannot outweigh the last result kept. */
    if (res == DQ_OK &&
        (size < k || (npick == o->limit && npick &&
                      v[pick[npick - 1]].w > last * (1 + DQ_PROX_WEIGHT)))) {
        unsigned est = 0;
        xc_mset_estimates(m, NULL, &est, NULL);
        r->matches = est;
        for (unsigned i = 0; res == DQ_OK && i < npick; i++)
            res = add_hit(e, r, v[pick[i]].docid, v[pick[i]].w, 1, err,
                          errlen);
        *done = 1;
    }
    for (unsigned i = 0; v && i < size; i++) xc_free(v[i].doc);
    free(v);
    free(pick);
    free(ids);
    free(near);
    free(per_doc);
    xc_mset_free(m);
    return res;
}


/* One replacement in the query for a suggestion. */
typedef struct edit {
    size_t off, len;
    const char *with;
} edit;

static int by_off(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* The query with each word that has a suggestion replaced by it, and each
 * field value that matches nothing by the nearest value the index has. */
static int make_suggestion(const char *q, size_t len, dq_results *r)
{
    const dq_plan *p = r->plan;
    size_t n = 0, extra = 0;
    edit *v = malloc((p->nwords + p->nmisses + 1) * sizeof *v);
    if (!v) return DQ_ENOMEM;
    for (size_t i = 0; i < p->nwords; i++) {
        const dq_word_info *w = &p->words[i];
        if (w->suggestion && w->located && w->qoff + w->qlen <= len)
            v[n++] = (edit){w->qoff, w->qlen, w->suggestion};
    }
    for (size_t i = 0; i < p->nmisses; i++) {
        const dq_field_miss *m = &p->misses[i];
        if (m->nearest && m->qlen && m->qoff + m->qlen <= len)
            v[n++] = (edit){m->qoff, m->qlen, m->nearest};
    }
    if (n == 0) {
        free(v);
        return DQ_OK;
    }
    qsort(v, n, sizeof *v, by_off);
    for (size_t i = 0; i < n; i++) extra += strlen(v[i].with);
    char *s = malloc(len + extra + 1);
    if (!s) {
        free(v);
        return DQ_ENOMEM;
    }
    size_t o = 0, at = 0;
    for (size_t i = 0; i < n; i++) { /* in query order, never overlapping */
        if (v[i].off < at) continue;
        memcpy(s + o, q + at, v[i].off - at);
        o += v[i].off - at;
        size_t sl = strlen(v[i].with);
        memcpy(s + o, v[i].with, sl);
        o += sl;
        at = v[i].off + v[i].len;
    }
    memcpy(s + o, q + at, len - at);
    o += len - at;
    s[o] = '\0';
    free(v);
    r->suggestion = s;
    return DQ_OK;
}

/* Candidates for a document-level match: the best passage of each of the
 * documents ranked highest for the query's rarest part. */
typedef struct cand {
    char *doc;
    unsigned docid; /* its best passage */
    double weight;
    int ok;         /* still satisfies every part */
} cand;

static void cands_free(cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++) free(c[i].doc);
    free(c);
}

static int by_doc(const void *a, const void *b)
{
    return strcmp(((const cand *const *)a)[0]->doc,
                  ((const cand *const *)b)[0]->doc);
}

/* Sets ok = want on the candidates with a passage matching q (restricted to
 * the candidates by `only`), and ok = !want on the others. `byd` lists the
 * candidates sorted by document id. */
static int mark(dq_engine *e, const xc_query *q, const xc_query *only,
                cand *c, cand **byd, size_t n, int want, char *err,
                size_t errlen)
{
    xc_query *f = NULL;
    xc_mset *m = NULL;
    char *xerr = NULL;
    const xc_query *two[2] = {q, only};
    int rc = xc_query_combine(XC_OP_FILTER, (xc_query *const *)two, 2, 0, &f,
                              &xerr);
    if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
    int res = run(e, f, 1, 0, (unsigned)n, &m, err, errlen);
    xc_query_free(f);
    char *found = calloc(n ? n : 1, 1);
    if (res == DQ_OK && !found) res = DQ_ENOMEM;
    for (unsigned i = 0; res == DQ_OK && i < xc_mset_size(m); i++) {
        char *doc = NULL;
        size_t dl = 0;
        rc = xc_mset_collapse_key(m, i, &doc, &dl);
        if (rc != XC_OK) {
            res = xfail(rc, NULL, err, errlen);
            break;
        }
        cand key = {.doc = doc}, *kp = &key;
        cand **hit = bsearch(&kp, byd, n, sizeof *byd, by_doc);
        if (hit) found[*hit - c] = 1;
        xc_free(doc);
    }
    for (size_t k = 0; res == DQ_OK && k < n; k++)
        if (found[k] != want) c[k].ok = 0;
    free(found);
    xc_mset_free(m);
    return res;
}

/* Xapian's estimate and upper bound of the passages matching q (no
 * passage is scored). */
static int estimate(dq_engine *e, const xc_query *q, unsigned *est,
                    unsigned *upper, char *err, size_t errlen)
{
    xc_mset *m = NULL;
    int res = run(e, q, 0, 0, 0, &m, err, errlen);
    *est = *upper = 0;
    if (res == DQ_OK) xc_mset_estimates(m, NULL, est, upper);
    xc_mset_free(m);
    return res;
}

/* The document of hit h (added for passage `id`) is the one whose last
 * passage is v[k].last, k the first with v[k].last >= id (v sorted by
 * last), and h is its passage id - v[k].first: the passages of a document
 * have consecutive ids (dx_format.h). 0 when they do not agree. */
typedef struct drange {
    unsigned first, last;
} drange;

static int by_last(const void *a, const void *b)
{
    const drange *x = a, *y = b;
    return x->last < y->last ? -1 : x->last > y->last;
}

static int range_agrees(const drange *v, size_t n, unsigned id,
                        const dq_hit *h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].last < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && id >= v[lo].first && h->passage == id - v[lo].first;
}

/* spread_matches from the document-level postings (dx_format.h, D terms):
 * the documents that hold every part (and no excluded word) anywhere are
 * one AND of the parts' D terms, matched on each document's last passage;
 * their passages are then ranked for the rarest part as in the other way
 * (best passage per document, by its weight), among those documents only
 * (a filter of their id ranges). The result is that of the other way, but
 * that the candidates are all such documents rather than those among the
 * best ranked for the rarest part. *done = 0 (nothing added) when it
 * cannot be used: a part or excluded word that is more than a disjunction
 * of terms (a phrase: positions are per passage), several databases
 * searched as one (their ids interleave) or a remote one (it refuses the
 * ranges' posting source), more than SPREAD_MAX_DOCS such
 * documents, or passage numbers that do not agree with the ids. For tests,
 * DIARIUM_DOCLEVEL=0 never uses it. */
static int spread_doclevel(dq_engine *e, const dq_plan *p, size_t rare,
                           unsigned want, dq_results *r, int *done,
                           char *err, size_t errlen)
{
    const char *env = getenv("DIARIUM_DOCLEVEL");
    *done = 0;
    if (env && !strcmp(env, "0")) return DQ_OK;
    char *xerr = NULL;
    unsigned ndb = 0;
    int rc = xc_db_count(e->db, &ndb, &xerr);
    if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
    /* (ids interleave; a remote one refuses the ranges' posting source) */
    if (ndb != 1 || e->remote) return DQ_OK;
    size_t nq = p->nparts + (p->neg != NULL), mapped = 0;
    xc_query **m = calloc(nq, sizeof *m);
    xc_query *all = NULL, *qd = NULL, *ranges = NULL, *f = NULL;
    xc_mset *ms = NULL;
    xc_valiter *vi = NULL;
    drange *v = NULL;
    unsigned *first = NULL, *last = NULL;
    int res = m ? DQ_OK : DQ_ENOMEM, usable = 1;
    for (size_t i = 0; res == DQ_OK && i < nq; i++) {
        int disj = 0;
        size_t nm = 0;
        rc = xc_query_map_terms(i < p->nparts ? p->parts[i] : p->neg,
                                DX_DOCLEVEL_OF, DX_PREFIX_DOCLEVEL, &m[i],
                                &disj, &nm, &xerr);
        if (rc != XC_OK) res = xfail(rc, xerr, err, errlen);
        usable &= disj;
        if (i < p->nparts) mapped += nm;
    }
    if (res != DQ_OK || !usable) goto out;
    if (mapped == 0) {
        /* Filters only (fields, dates, doc:), which every passage of a
         * document has or has not: a document with them all has matched
         * the whole query already. */
        *done = 1;
        goto out;
    }
    rc = xc_query_combine(XC_OP_AND, m, p->nparts, 0, &all, &xerr);
    if (rc == XC_OK && p->neg) {
        xc_query *two[2] = {all, m[p->nparts]};
        rc = xc_query_combine(XC_OP_AND_NOT, two, 2, 0, &qd, &xerr);
    } else if (rc == XC_OK) {
        qd = all;
        all = NULL;
    }
    if (rc != XC_OK) {
        res = xfail(rc, xerr, err, errlen);
        goto out;
    }
    res = run(e, qd, 0, 0, SPREAD_MAX_DOCS + 1, &ms, err, errlen);
    unsigned n = ms ? xc_mset_size(ms) : 0;
    if (res != DQ_OK || n > SPREAD_MAX_DOCS) goto out;
    if (n == 0) {
        *done = 1;
        goto out;
    }
    v = malloc(n * sizeof *v);
    first = malloc(n * sizeof *first);
    last = malloc(n * sizeof *last);
    if (!v || !first || !last) {
        res = DQ_ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < n; i++) xc_mset_item(ms, i, &v[i].last, NULL,
                                                  NULL);
    qsort(v, n, sizeof *v, by_last);
    /* Each document's first passage, from its last one's number. */
    rc = xc_db_values(e->db, DX_SLOT_PASSAGE, &vi, &xerr);
    for (unsigned i = 0; rc == XC_OK && i < n; i++) {
        unsigned at = 0;
        const char *val = NULL;
        size_t vl = 0;
        rc = xc_valiter_skip_to(vi, v[i].last, &at, &val, &vl, &xerr);
        if (rc < 0) break;
        uint32_t pn = rc == 1 && at == v[i].last && vl == 4
                        ? dx_get_be32((const unsigned char *)val)
                        : UINT32_MAX;
        rc = XC_OK;
        if (pn >= v[i].last) goto out; /* not the layout of dx_format.h */
        first[i] = v[i].first = v[i].last - pn;
        last[i] = v[i].last;
    }
    if (rc != XC_OK) {
        res = xfail(rc, xerr, err, errlen);
        goto out;
    }
    rc = xc_query_docid_ranges(first, last, n, &ranges, &xerr);
    if (rc == XC_OK) {
        xc_query *two[2] = {p->parts[rare], ranges};
        rc = xc_query_combine(XC_OP_FILTER, two, 2, 0, &f, &xerr);
    }
    if (rc != XC_OK) {
        res = xfail(rc, xerr, err, errlen);
        goto out;
    }
    xc_mset_free(ms);
    ms = NULL;
    /* (documents listed already come back too: ask for as many more) */
    uint64_t k = (uint64_t)want + r->n;
    res = run(e, f, 1, 0, k > UINT_MAX ? UINT_MAX : (unsigned)k, &ms, err,
              errlen);
    size_t had = r->n;
    for (unsigned i = 0; res == DQ_OK && want && i < xc_mset_size(ms);
         i++) {
        unsigned id;
        double w;
        char *doc = NULL;
        size_t dl = 0;
        xc_mset_item(ms, i, &id, &w, NULL);
        rc = xc_mset_collapse_key(ms, i, &doc, &dl);
        if (rc != XC_OK) {
            res = xfail(rc, NULL, err, errlen);
            break;
        }
        int listed = has_doc(r, doc);
        xc_free(doc);
        if (listed) continue;
        res = add_hit(e, r, id, w, 0, err, errlen);
        if (res == DQ_OK && !range_agrees(v, n, id, &r->hits[r->n - 1])) {
            while (r->n > had) hit_free(&r->hits[--r->n]);
            goto out; /* the other way */
        }
        want--;
    }
    if (res == DQ_OK) *done = 1;
out:
    for (size_t i = 0; m && i < nq; i++) xc_query_free(m[i]);
    free(m);
    xc_query_free(all);
    xc_query_free(qd);
    xc_query_free(ranges);
    xc_query_free(f);
    xc_mset_free(ms);
    xc_valiter_free(vi);
    free(v);
    free(first);
    free(last);
    return res;
}

/* Documents whose AND-ed parts are spread over several passages. A
 * document that has every part has the rarest one: the candidates are the
 * documents ranked highest for it (their collapse keys are their ids);
 * each other part (and each excluded word) is then checked within them in
 * one filtered query. Their best passages follow those that match the
 * whole query. */
static int spread_matches(dq_engine *e, const dq_plan *p,
                          const dq_options *o, dq_results *r, char *err,
                          size_t errlen)
{
    unsigned want = o->limit > r->n ? o->limit - (unsigned)r->n : 0;
    unsigned ncand = want * 20 < 200 ? 200 : want * 20;
    if (ncand > SPREAD_MAX_DOCS) ncand = SPREAD_MAX_DOCS;
    size_t rare = 0;
    unsigned rare_est = 0;
    int res = DQ_OK;
    for (size_t i = 0; res == DQ_OK && i < p->nparts; i++) {
        unsigned est = 0, upper = 0;
        res = estimate(e, p->parts[i], &est, &upper, err, errlen);
        if (res == DQ_OK && upper == 0) return DQ_OK; /* a part is nowhere */
        if (i == 0 || est < rare_est) {
            rare = i;
            rare_est = est;
        }
    }
    if (res != DQ_OK) return res;
    int done = 0;
    res = spread_doclevel(e, p, rare, want, r, &done, err, errlen);
    if (res != DQ_OK || done) return res;
    xc_query *only = NULL;
    xc_query **terms = NULL;
    xc_mset *m = NULL;
    cand *c = NULL, **byd = NULL;
    size_t n = 0;
    char *xerr = NULL;
    res = run(e, p->parts[rare], 1, 0, ncand, &m, err, errlen);
    unsigned size = m ? xc_mset_size(m) : 0;
    if (res == DQ_OK && size) {
        c = calloc(size, sizeof *c);
        terms = calloc(size, sizeof *terms);
        if (!c || !terms) res = DQ_ENOMEM;
    }
    for (unsigned i = 0; res == DQ_OK && i < size; i++) {
        unsigned id;
        double w;
        char *doc = NULL;
        size_t dl = 0;
        xc_mset_item(m, i, &id, &w, NULL);
        int rc = xc_mset_collapse_key(m, i, &doc, &dl);
        if (rc != XC_OK) {
            res = xfail(rc, NULL, err, errlen);
            break;
        }
        if (has_doc(r, doc)) { /* already listed as a complete match */
            xc_free(doc);
            continue;
        }
        char t[DX_DOC_KEY_MAX + 2];
        t[0] = DX_PREFIX_DOC;
        size_t l = dx_doc_key(doc, dl, t + 1);
        c[n].doc = strdup(doc);
        xc_free(doc);
        if (!c[n].doc) {
            res = DQ_ENOMEM;
            break;
        }
        rc = xc_query_term(t, l + 1, 1, 0, &terms[n], &xerr);
        if (rc != XC_OK) {
            free(c[n].doc);
            res = xfail(rc, xerr, err, errlen);
            break;
        }
        c[n].docid = id;
        c[n].weight = w;
        c[n].ok = 1;
        n++;
    }
    xc_mset_free(m);
    if (res == DQ_OK && n) {
        int rc = xc_query_combine(XC_OP_OR, terms, n, 0, &only, &xerr);
        if (rc != XC_OK) res = xfail(rc, xerr, err, errlen);
    }
    for (size_t i = 0; i < n; i++) xc_query_free(terms[i]);
    free(terms);
    if (res == DQ_OK && n && !(byd = malloc(n * sizeof *byd))) res = DQ_ENOMEM;
    if (res == DQ_OK && n) {
        for (size_t i = 0; i < n; i++) byd[i] = &c[i];
        qsort(byd, n, sizeof *byd, by_doc);
    }
    for (size_t i = 0; res == DQ_OK && n && i < p->nparts; i++)
        if (i != rare)
            res = mark(e, p->parts[i], only, c, byd, n, 1, err, errlen);
    if (res == DQ_OK && n && p->neg)
        res = mark(e, p->neg, only, c, byd, n, 0, err, errlen);
    xc_query_free(only);
    free(byd);
    /* Candidates are in ranking order already. */
    for (size_t i = 0; res == DQ_OK && i < n && want > 0; i++) {
        if (!c[i].ok) continue;
        res = add_hit(e, r, c[i].docid, c[i].weight, 0, err, errlen);
        want--;
    }
    cands_free(c, n);
    return res;
}

static int by_count(const void *a, const void *b)
{
    const dq_facet_value *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int facet_add(dq_facet *f, const char *v, size_t vl)
{
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->v[i].value) == vl && memcmp(f->v[i].value, v, vl) == 0) {
            f->v[i].count++;
            return DQ_OK;
        }
    dq_facet_value *nv = realloc(f->v, (f->n + 1) * sizeof *nv);
    if (!nv) return DQ_ENOMEM;
    f->v = nv;
    f->v[f->n].value = malloc(vl + 1);
    if (!f->v[f->n].value) return DQ_ENOMEM;
    if (vl) memcpy(f->v[f->n].value, v, vl);
    f->v[f->n].value[vl] = '\0';
    f->v[f->n].count = 1;
    f->n++;
    return DQ_OK;
}

/* Counts the documents matching q per value of each facet field. */
static int compute_facets(dq_engine *e, const xc_query *q, const char *spec,
                          dq_results *r, char *err, size_t errlen,
                          size_t *erroff)
{
    char name[64], known[128] = "";
    for (size_t i = 0; dq_facet_fields[i]; i++) /* "kommun, år, ..." */
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                 i ? ", " : "", dq_facet_fields[i]);
    for (const char *p = spec; *p;) { /* parse "kommun,år,typ" */
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == 0 || l >= sizeof name) {
            seterr(err, errlen, "--facets takes field names separated by "
                   "commas (%s)", known);
            if (erroff) *erroff = 0;
            return DQ_EQUERY;
        }
        memcpy(name, p, l);
        name[l] = '\0';
        const char *field = NULL;
        for (size_t i = 0; dq_facet_fields[i]; i++)
            if (strcmp(dq_facet_fields[i], name) == 0) field = dq_facet_fields[i];
        if (strcmp(name, "year") == 0) /* (as in queries) */
            field = dx_filter_names[DX_FILTER_YEAR];
        if (!field) {
            seterr(err, errlen, "unknown facet '%s' (known: %s)", name,
                   known);
            if (erroff) *erroff = 0;
            return DQ_EQUERY;
        }
        dq_facet *f = realloc(r->facets, (r->nfacets + 1) * sizeof *f);
        if (!f) return DQ_ENOMEM;
        r->facets = f;
        memset(&r->facets[r->nfacets], 0, sizeof *f);
        r->facets[r->nfacets++].field = field;
        p += l + (c != NULL);
    }
    unsigned all = 0;
    char *xerr = NULL;
    int rc = xc_db_doccount(e->db, &all, &xerr);
    if (rc != XC_OK) return xfail(rc, xerr, err, errlen);
    xc_mset *m = NULL;
    int res = run_checked(e, q, 1, 0, all ? all : 1, 0, &m, err, errlen);
    unsigned n = m ? xc_mset_size(m) : 0;
    r->facet_docs = n;
    for (unsigned i = 0; res == DQ_OK && i < n; i++) {
        unsigned id;
        xc_mset_item(m, i, &id, NULL, NULL);
        for (size_t k = 0; res == DQ_OK && k < r->nfacets; k++) {
            char *v = NULL;
            size_t vl = 0;
            const dx_facet *fd = dx_facet_find(r->facets[k].field);
            rc = xc_db_get_value(e->db, id, fd->slot, &v, &vl, &xerr);
            if (rc != XC_OK) {
                res = xfail(rc, xerr, err, errlen);
                break;
            }
            if (fd->keep && vl > fd->keep) vl = fd->keep; /* år: the year */
            res = facet_add(&r->facets[k], v ? v : "", vl);
            xc_free(v);
        }
    }
    xc_mset_free(m);
    for (size_t k = 0; res == DQ_OK && k < r->nfacets; k++)
        if (r->facets[k].n > 1)
            qsort(r->facets[k].v, r->facets[k].n, sizeof *r->facets[k].v,
                  by_count);
    return res;
}

/* Paging: frees the first n hits of r and moves the rest up. */
static void drop_first(dq_results *r, size_t n)
{
    if (n > r->n) n = r->n;
    for (size_t i = 0; i < n; i++) hit_free(&r->hits[i]);
    memmove(r->hits, r->hits + n, (r->n - n) * sizeof *r->hits);
    r->n -= n;
}

static int search_once(dq_engine *e, const char *query, size_t len,
                       const dq_node *ast, const dq_options *o,
                       dq_results **out, char *err, size_t errlen,
                       size_t *erroff)
{
    dq_results *r = calloc(1, sizeof *r);
    if (!r) return DQ_ENOMEM;
    unsigned flags = (o->exact ? DQ_PLAN_EXACT : 0u) |
                     (o->explain ? DQ_PLAN_EXPLAIN : 0u);
    int res = dq_plan_build(e->db, e->st, ast, flags, o->limits, &r->plan,
                            err, errlen, erroff);
    if (res == DQ_OK) res = make_suggestion(query, len, r);
    r->limited = o->limit == 0;
    xc_mset *m = NULL;
    int done = 0;
    const char *sl = getenv("DIARIUM_SHORTLIST");
    int always = sl && !strcmp(sl, "1"), never = sl && !strcmp(sl, "0");
    if (res == DQ_OK && o->limit && r->plan->base && !e->sort_date &&
        !never && (always || (shortlist_size(o) <= SHORTLIST_MAX &&
                               r->plan->prox_min_freq >= SHORTLIST_MIN_FREQ)))
        res = shortlist(e, r, o, &done, err, errlen);
    if (res == DQ_OK && o->limit && !done)
        res = run(e, r->plan->query, o->per_document ? o->passages : 0, 0,
                  o->limit, &m, err, errlen);
    if (m) {
        unsigned est = 0;
        xc_mset_estimates(m, NULL, &est, NULL);
        r->matches = est;
        for (unsigned i = 0; res == DQ_OK && i < xc_mset_size(m); i++) {
            unsigned id;
            double w;
            xc_mset_item(m, i, &id, &w, NULL);
            res = add_hit(e, r, id, w, 1, err, errlen);
        }
        xc_mset_free(m);
    }
    if (res == DQ_OK && r->plan->nparts > 1 && r->n < o->limit)
        res = spread_matches(e, r->plan, o, r, err, errlen);
    if (res == DQ_OK && o->facets)
        res = compute_facets(e, r->plan->query, o->facets, r, err, errlen,
                             erroff);
    if (res == DQ_OK && o->offset) drop_first(r, o->offset);
    for (size_t i = 0; res == DQ_OK && i < r->n; i++) {
        dq_hit *h = &r->hits[i];
        res = highlight(e, r->plan, h);
        if (res == DQ_OK)
            res = dq_snippet(h, DQ_SNIPPET_CHARS, &h->snippet, &h->snippetlen,
                             &h->shl, &h->nshl);
    }
    if (res != DQ_OK) {
        dq_results_free(r);
        return res;
    }
    *out = r;
    return DQ_OK;
}

/* Parses the query with the fields it may use, removes repeats and checks
 * the limits (dq_bound); DQ_ESYNTAX and DQ_EQUERY put the message in err
 * (a syntax error's in Swedish when `swedish`) and the position in
 * *erroff. */
static int parse(const char *query, size_t len, const dq_limits *lim,
                 int swedish, dq_node **ast, char *err, size_t errlen,
                 size_t *erroff)
{
    const char *fields[DX_NFILTERS + NQUERY_FIELDS + 1];
    size_t nf = 0;
    for (size_t i = 0; i < DX_NFILTERS; i++) fields[nf++] = dx_filter_names[i];
    for (size_t i = 0; i < NQUERY_FIELDS; i++) fields[nf++] = query_fields[i];
    fields[nf] = NULL;
    dq_parse_error pe;
    int rc = dq_parse(query, len, fields, ast, &pe);
    if (rc == DQ_ESYNTAX) {
        seterr(err, errlen, "%s", swedish ? pe.msg_sv : pe.msg);
        if (erroff) *erroff = pe.offset;
        return DQ_ESYNTAX;
    }
    if (rc != DQ_OK) return DQ_ENOMEM;
    rc = dq_bound(ast, lim, err, errlen, erroff);
    if (rc != DQ_OK) {
        dq_node_free(*ast);
        *ast = NULL;
    }
    return rc;
}

int dq_search(dq_engine *e, const char *query, size_t len,
              const dq_options *opt, dq_results **out, char *err,
              size_t errlen, size_t *erroff)
{
    dq_node *ast = NULL;
    dq_options o = *opt;
    *out = NULL;
    if (o.passages == 0) o.passages = 1;
    /* Paging: the first offset + limit results are ranked, the first
     * `offset` of them dropped before highlighting (search_once). */
    if (o.limit == 0) o.offset = 0;
    o.limit = o.offset > UINT_MAX - o.limit ? UINT_MAX : o.limit + o.offset;
    int rc = parse(query, len, o.limits, o.swedish, &ast, err, errlen,
                   erroff);
    if (rc != DQ_OK) return rc;
    e->sort_date = o.sort_date;
    for (int attempt = 0;; attempt++) {
        rc = search_once(e, query, len, ast, &o, out, err, errlen, erroff);
        if (attempt == 3 || !moved_on(e, rc)) break;
    }
    if (rc == DQ_EMODIFIED) rc = DQ_EDB;
    dq_node_free(ast);
    return rc;
}

int dq_count(dq_engine *e, const char *query, size_t len,
             const dq_options *opt, unsigned *passages, unsigned *documents,
             char *err, size_t errlen, size_t *erroff)
{
    dq_node *ast = NULL;
    *passages = *documents = 0;
    int rc = parse(query, len, opt->limits, opt->swedish, &ast, err, errlen,
                   erroff);
    if (rc != DQ_OK) return rc;
    for (int attempt = 0;; attempt++) {
        dq_plan *p = NULL;
        unsigned all = 0;
        xc_mset *m = NULL;
        char *xerr = NULL;
        rc = dq_plan_build(e->db, e->st, ast,
                           opt->exact ? DQ_PLAN_EXACT : 0u, opt->limits, &p,
                           err, errlen, erroff);
        if (rc == DQ_OK) {
            int xr = xc_db_doccount(e->db, &all, &xerr);
            if (xr != XC_OK) rc = xfail(xr, xerr, err, errlen);
        }
        if (rc == DQ_OK)
            rc = run_checked(e, p->query, 0, 0, 0, all, &m, err, errlen);
        if (rc == DQ_OK) {
            xc_mset_estimates(m, NULL, passages, NULL);
            xc_mset_free(m);
            m = NULL;
            /* One result per document; the collapsed estimate is not exact
             * when no results are asked for, so ask for all of them. */
            rc = run_checked(e, p->query, 1, 0, all ? all : 1, all, &m, err,
                             errlen);
        }
        if (rc == DQ_OK) *documents = xc_mset_size(m);
        xc_mset_free(m);
        dq_plan_free(p);
        if (attempt == 3 || !moved_on(e, rc)) break;
    }
    if (rc == DQ_EMODIFIED) rc = DQ_EDB;
    dq_node_free(ast);
    return rc;
}

int dq_engine_stats(dq_engine *e, unsigned *passages, unsigned *documents,
                    char *err, size_t errlen)
{
    static const char prefix[] = {DX_PREFIX_DOC};
    for (int attempt = 0;; attempt++) {
        unsigned np = 0, nd = 0;
        char *xerr = NULL;
        xc_termiter *it = NULL;
        int rc = xc_db_doccount(e->db, &np, &xerr);
        if (rc == XC_OK && documents)
            rc = xc_db_allterms(e->db, prefix, sizeof prefix, &it, &xerr);
        while (rc == XC_OK && it) {
            int more = xc_termiter_next(it, NULL, NULL, NULL, &xerr);
            if (more < 0) rc = more;
            if (more <= 0) break;
            nd++;
        }
        xc_termiter_free(it);
        if (rc == XC_OK) {
            if (passages) *passages = np;
            if (documents) *documents = nd;
            return DQ_OK;
        }
        int res = xfail(rc, xerr, err, errlen);
        if (attempt == 3 || !moved_on(e, res))
            return res == DQ_EMODIFIED ? DQ_EDB : res;
    }
}

int dq_engine_doc_root(dq_engine *e, const char *doc, char **root,
                       char *err, size_t errlen)
{
    char key[sizeof DX_META_DOC + DX_DOC_KEY_MAX + 1];
    size_t pl = strlen(DX_META_DOC);
    *root = NULL;
    memcpy(key, DX_META_DOC, pl);
    size_t kl = pl + dx_doc_key(doc, strlen(doc), key + pl);
    for (int attempt = 0;; attempt++) {
        char *val = NULL, *xerr = NULL;
        size_t vl = 0;
        int rc = xc_db_get_metadata(e->db, key, kl, &val, &vl, &xerr);
        if (rc == XC_OK) {
            dx_record rec;
            int res = DQ_OK;
            if (val && dx_record_parse(val, vl, &rec) == DX_OK)
                res = copy_str(rec.root, strlen(rec.root), root);
            xc_free(val);
            return res;
        }
        int res = xfail(rc, xerr, err, errlen);
        if (attempt == 3 || !moved_on(e, res))
            return res == DQ_EMODIFIED ? DQ_EDB : res;
    }
}
