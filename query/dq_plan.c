/*
 * dq_plan.c — parsed query to Xapian query (see dq_plan.h).
 */
#include "dq_plan.h"
#include "dq_suggest.h"
#include "dx_format.h"

#include "sv.h"

#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Extra weight of the exact stem next to its spelling variants. */
#define EXACT_BONUS 0.2
/* Weight of the definite forms (skolan for skola), kept apart by Snowball
 * 2.2, relative to the word's own forms: found, but ranked after them. */
#define DEFINITE_WEIGHT 0.3
/* Proximity: extra weight for passages where the words of a plain AND
 * query stand within PROX_SLACK extra words of each other. */
#define PROX_SLACK 4
/* Suggest another spelling for a word in at most this many passages. */
#define SUGGEST_RARE 2
/* Prefix search: shortest prefix, most spelling keys scanned (how many
 * spellings it may stand for is a query limit, dq_bound.h). */
#define PREFIX_MIN_CHARS 2
#define PREFIX_MAX_SCAN 200000
/* Most tokens of one phrase or NEAR chain (dq_bound checks the query
 * limit, which is at most this). */
#define MAX_QTOKENS DQ_PHRASE_MAX

typedef struct builder {
    xc_db *db;
    sv_stemmer *st;
    int exact;
    int explain;    /* DQ_PLAN_EXPLAIN */
    dq_plan *p;
    char *err;
    size_t errlen;
    size_t *erroff;
    sv_tokens toks;
    int depth;      /* nesting of build() calls */
    int root_and;   /* the query is an AND at the top */
    struct qlist *prox; /* positional queries of the words of a top-level
                           AND, for proximity */
    int located;        /* the word being built is query bytes */
    size_t off, len;    /* [off, off+len) */
    const dq_limits *lim;
    unsigned nterms;    /* index terms so far (query limit terms) */
    size_t at;          /* offset of the query element being built */
    struct qtoken *qt;  /* room for MAX_QTOKENS tokens (build_node) */
} builder;

static int fail(builder *b, int rc, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(builder *b, int rc, size_t off, const char *fmt, ...)
{
    if (b->err && b->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, b->errlen, fmt, ap);
        va_end(ap);
    }
    if (b->erroff) *b->erroff = off;
    return rc;
}

/* Maps a shim status (and its message) to a DQ_* status. */
static int xfail(builder *b, int rc, char *xerr)
{
    int res = dq_from_xc(rc);
    fail(b, res, 0, "%s", xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    return res;
}

/* A DQ_* error of a function that gives the shim's message xerr (freed). */
static int dqfail(builder *b, int rc, char *xerr)
{
    fail(b, rc, 0, "%s", xerr ? xerr : dq_strerror(rc));
    xc_free(xerr);
    return rc;
}

/* Counts n more index terms against the query limit. */
static int add_terms(builder *b, size_t n)
{
    if (n > b->lim->terms - b->nterms)
        return fail(b, DQ_EQUERY, b->at, "the query stands for too many "
                    "index terms: at most %u (its words in every spelling "
                    "found, what prefix searches and field values match; "
                    "query limit terms=%u): use fewer words or prefix "
                    "searches, longer prefixes, or exact spellings only",
                    b->lim->terms, b->lim->terms);
    b->nterms += (unsigned)n;
    return DQ_OK;
}

/* ------------------------------------------------------- string lists */

static int list_add(char ***v, size_t *n, size_t *cap, const char *s,
                    size_t len)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        char **nv = realloc(*v, c * sizeof *nv);
        if (!nv) return DQ_ENOMEM;
        *v = nv;
        *cap = c;
    }
    char *d = malloc(len + 1);
    if (!d) return DQ_ENOMEM;
    memcpy(d, s, len);
    d[len] = '\0';
    (*v)[(*n)++] = d;
    return DQ_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_sort_unique(char **v, size_t *n)
{
    if (*n < 2) return;
    qsort(v, *n, sizeof *v, cmp_str);
    size_t o = 1;
    for (size_t i = 1; i < *n; i++) {
        if (strcmp(v[i], v[o - 1]) == 0) free(v[i]);
        else v[o++] = v[i];
    }
    *n = o;
}

static int list_has(char *const *v, size_t n, const char *s)
{
    return n && bsearch(&s, v, n, sizeof *v, cmp_str) != NULL;
}

/* ------------------------------------------------------------ queries */

/* A term query for prefix + a. */
static int term_query(builder *b, char prefix, const char *a, size_t alen,
                      xc_query **out)
{
    char buf[2 * SV_SKELETON_MAX + 8];
    size_t n = 1 + alen;
    char *xerr = NULL;
    if (n > sizeof buf) return fail(b, DQ_EQUERY, 0, "word too long");
    buf[0] = prefix;
    memcpy(buf + 1, a, alen);
    int rc = xc_query_term(buf, n, 1, 0, out, &xerr);
    return rc == XC_OK ? DQ_OK : xfail(b, rc, xerr);
}

/* Whether stem is its own stem: then the tokens spelt exactly so carry
 * only their S term, not Z<stem> (dx_format.h). */
static int stem_is_form(builder *b, const char *stem, size_t sl, int *self)
{
    const char *s2;
    size_t l2;
    if (sv_stem(b->st, stem, sl, &s2, &l2) != SV_OK) return DQ_ENOMEM;
    *self = l2 == sl && memcmp(s2, stem, sl) == 0;
    return DQ_OK;
}

/* Combines qs[0..n) with op and frees them (also on failure). */
static int combine(builder *b, int op, xc_query **qs, size_t n,
                   unsigned window, xc_query **out)
{
    char *xerr = NULL;
    int rc = xc_query_combine(op, qs, n, window, out, &xerr);
    for (size_t i = 0; i < n; i++) xc_query_free(qs[i]);
    return rc == XC_OK ? DQ_OK : xfail(b, rc, xerr);
}

static void free_all(xc_query **qs, size_t n)
{
    for (size_t i = 0; i < n; i++) xc_query_free(qs[i]);
}

/* A growable array of queries. */
typedef struct qlist {
    xc_query **v;
    size_t n, cap;
} qlist;

static int qpush(qlist *l, xc_query *q)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 8;
        xc_query **v = realloc(l->v, c * sizeof *v);
        if (!v) {
            xc_query_free(q);
            return DQ_ENOMEM;
        }
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = q;
    return DQ_OK;
}

static void qlist_free(qlist *l)
{
    free_all(l->v, l->n);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ----------------------------------------------------------- analysis */

/* Tokenises a query word's text into b->toks (cleaned, NFC). */
static int analyse(builder *b, const char *text, size_t len)
{
    char *clean = NULL;
    size_t cl = 0;
    if (sv_text_clean(text, len, &clean, &cl, NULL) != SV_OK)
        return DQ_ENOMEM;
    int rc = sv_tokenize(clean, cl, &b->toks) == SV_OK ? DQ_OK : DQ_ENOMEM;
    free(clean);
    return rc;
}

/* One analysed token, copied out of b->toks. */
typedef struct qtoken {
    char norm[SV_TOKEN_MAX + 1];
    size_t len;
    int word; /* SV_TOK_WORD */
} qtoken;

static size_t copy_tokens(builder *b, qtoken *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < b->toks.n && n < cap; i++) {
        const sv_token *k = &b->toks.tok[i];
        if (k->flags & SV_TOKF_LONG) continue;
        memcpy(out[n].norm, sv_token_norm(&b->toks, k), k->normlen);
        out[n].norm[k->normlen] = '\0';
        out[n].len = k->normlen;
        out[n].word = k->kind == SV_TOK_WORD;
        n++;
    }
    return n;
}

/* Expands a word, recording what it became for --explain and highlights. */
static int expand(builder *b, const qtoken *t, int positive,
                  dq_variants *vars, char *stem, size_t *stemlen)
{
    const char *s;
    size_t sl;
    char *xerr = NULL;
    if (sv_stem(b->st, t->norm, t->len, &s, &sl) != SV_OK) return DQ_ENOMEM;
    memcpy(stem, s, sl);
    stem[sl] = '\0';
    *stemlen = sl;
    int rc = dq_expand(b->db, b->st, t->norm, t->len, b->exact, vars, &xerr);
    if (rc != DQ_OK) return dqfail(b, rc, xerr);
    if (!positive) return DQ_OK;
    dq_plan *p = b->p;
    rc = list_add(&p->stems, &p->nstems, &p->capstems, stem, sl);
    for (size_t i = 0; rc == DQ_OK && i < vars->n; i++)
        rc = list_add(&p->forms, &p->nforms, &p->capforms, vars->v[i].form,
                      vars->v[i].formlen);
    return rc;
}

/* Any of the spellings in vars, as positional S terms (OR); the word's own
 * S term when none is in the index. */
static int alts_query(builder *b, const qtoken *t, const dq_variants *vars,
                      xc_query **out)
{
    qlist alts = {0};
    int rc = DQ_OK;
    *out = NULL;
    for (size_t i = 0; rc == DQ_OK && i < vars->n; i++) {
        xc_query *q = NULL;
        char *xerr = NULL;
        int xr = xc_query_term(vars->v[i].term, vars->v[i].len, 1, 0, &q,
                               &xerr);
        rc = xr == XC_OK ? qpush(&alts, q) : xfail(b, xr, xerr);
    }
    if (rc == DQ_OK && alts.n == 0) { /* no spelling in the index */
        rc = term_query(b, DX_PREFIX_FORM, t->norm, t->len, out);
    } else if (rc == DQ_OK) {
        /* Xapian 1.4 takes only terms or OR of terms inside PHRASE and
         * NEAR; the weight comes from the words' synonyms instead (see
         * positional_of). */
        rc = combine(b, XC_OP_OR, alts.v, alts.n, 0, out);
        alts.n = 0;
    }
    qlist_free(&alts);
    return rc;
}

/* Every passage with a form of stem (not NULL-terminated; not in the
 * stemmer's buffer): Z<stem>, and when the stem is a form of its own, that
 * form's S term, weighted as one term (their wdfs add up to the number of
 * the stem's occurrences). */
static int stem_query(builder *b, const char *stem, size_t sl,
                      xc_query **out)
{
    int self = 0;
    int rc = stem_is_form(b, stem, sl, &self);
    if (rc != DQ_OK) return rc;
    if (!self) return term_query(b, DX_PREFIX_STEM, stem, sl, out);
    xc_query *two[2] = {NULL, NULL};
    rc = term_query(b, DX_PREFIX_STEM, stem, sl, &two[0]);
    if (rc == DQ_OK)
        rc = term_query(b, DX_PREFIX_FORM, stem, sl, &two[1]);
    if (rc != DQ_OK) {
        free_all(two, 2);
        return rc;
    }
    return combine(b, XC_OP_SYNONYM, two, 2, 0, out);
}

/* A copy of q (queries are immutable and shared). */
static int qcopy(builder *b, xc_query *q, xc_query **out)
{
    char *xerr = NULL;
    int rc = xc_query_combine(XC_OP_OR, &q, 1, 0, out, &xerr);
    return rc == XC_OK ? DQ_OK : xfail(b, rc, xerr);
}

/* What one query token becomes. */
typedef struct tokq {
    xc_query *syn;   /* all its spellings weighted as one term */
    xc_query *alts;  /* OR of the positional S terms of its spellings */
    xc_query *exact; /* the stem's own (stem_query; words only) */
    int only_exact;  /* syn is just the exact stem: no other spelling */
    char **forms;    /* the spellings in alts (words only) */
    size_t nforms, capforms;
} tokq;

static void tokq_free(tokq *q)
{
    xc_query_free(q->syn);
    xc_query_free(q->alts);
    xc_query_free(q->exact);
    for (size_t i = 0; i < q->nforms; i++) free(q->forms[i]);
    free(q->forms);
    memset(q, 0, sizeof *q);
}

/* The passages holding term a or term b: exactly for --explain (merging
 * their posting lists), else the sum of their frequencies. */
static int union_freq(builder *b, const char *a, size_t al, const char *t2,
                      size_t bl, unsigned *out, char **xerr)
{
    unsigned fa = 0, fb = 0;
    *out = 0;
    int xr = xc_db_termfreq(b->db, a, al, &fa, xerr);
    if (xr == XC_OK) xr = xc_db_termfreq(b->db, t2, bl, &fb, xerr);
    if (xr != XC_OK || !b->explain || fa == 0 || fb == 0) {
        *out = fa + fb;
        return xr;
    }
    unsigned *ia = NULL, *ib = NULL;
    size_t na = 0, nb = 0, i = 0, k = 0, n = 0;
    xr = xc_db_postlist(b->db, a, al, &ia, &na, xerr);
    if (xr == XC_OK) xr = xc_db_postlist(b->db, t2, bl, &ib, &nb, xerr);
    while (xr == XC_OK && i < na && k < nb) {
        unsigned x = ia[i], y = ib[k];
        i += x <= y;
        k += y <= x;
        n++;
    }
    xc_free(ia);
    xc_free(ib);
    if (xr == XC_OK) *out = (unsigned)(n + (na - i) + (nb - k));
    return xr;
}

/* Records what a word became, for --explain. */
static int word_info(builder *b, const qtoken *t, const char *stem,
                     size_t sl, dq_variants *vars)
{
    dq_plan *p = b->p;
    if (p->nwords == p->capwords) {
        size_t c = p->capwords ? p->capwords * 2 : 8;
        dq_word_info *w = realloc(p->words, c * sizeof *w);
        if (!w) return DQ_ENOMEM;
        p->words = w;
        p->capwords = c;
    }
    dq_word_info *w = &p->words[p->nwords];
    char zt[SV_TOKEN_MAX + 2];
    char *xerr = NULL;
    memset(w, 0, sizeof *w);
    zt[0] = DX_PREFIX_STEM;
    memcpy(zt + 1, stem, sl);
    int self = 0;
    int xr = stem_is_form(b, stem, sl, &self) == DQ_OK ? XC_OK : XC_ENOMEM;
    if (xr == XC_OK && self) {
        /* and the passages spelling it so */
        char st[SV_TOKEN_MAX + 2];
        st[0] = DX_PREFIX_FORM;
        memcpy(st + 1, stem, sl);
        xr = union_freq(b, zt, sl + 1, st, 1 + sl, &w->stem_freq, &xerr);
    } else if (xr == XC_OK) {
        xr = xc_db_termfreq(b->db, zt, sl + 1, &w->stem_freq, &xerr);
    }
    w->word = strdup(t->norm);
    w->stem = strdup(stem);
    w->variants = *vars; /* moved */
    memset(vars, 0, sizeof *vars);
    w->located = b->located;
    w->qoff = b->off;
    w->qlen = b->len;
    p->nwords++;
    if (xr != XC_OK) return xfail(b, xr, xerr);
    if (!w->word || !w->stem) return DQ_ENOMEM;

    /* Absent or rare in every spelling: is a close word frequent? */
    unsigned total = w->stem_freq;
    for (size_t i = 0; i < w->variants.n; i++)
        if (w->variants.v[i].cost > 0) total += w->variants.v[i].freq;
    if (total > SUGGEST_RARE || sv_is_stopword(t->norm, t->len))
        return DQ_OK;
    unsigned min = 5 * (total + 1);
    int rc = dq_suggest(b->db, t->norm, t->len, min, &w->suggestion,
                        &w->suggestion_freq, &xerr);
    return rc == DQ_OK ? DQ_OK : dqfail(b, rc, xerr);
}

/* Expands one token into its weighted and its positional queries. */
static int token_query(builder *b, const qtoken *t, int positive, tokq *out)
{
    dq_plan *p = b->p;
    memset(out, 0, sizeof *out);
    if (!t->word) { /* numbers, dates, diary numbers: as they are */
        int rc = add_terms(b, 1);
        if (positive) {
            rc = list_add(&p->stems, &p->nstems, &p->capstems, t->norm,
                          t->len);
            if (rc == DQ_OK)
                rc = list_add(&p->forms, &p->nforms, &p->capforms, t->norm,
                              t->len);
        }
        /* (their own stems: only S terms, dx_format.h) */
        if (rc == DQ_OK)
            rc = term_query(b, DX_PREFIX_FORM, t->norm, t->len, &out->syn);
        if (rc == DQ_OK)
            rc = term_query(b, DX_PREFIX_FORM, t->norm, t->len, &out->alts);
        if (rc != DQ_OK) tokq_free(out);
        return rc;
    }
    dq_variants vars = {0};
    char stem[SV_TOKEN_MAX + 1];
    size_t sl = 0;
    qlist syn = {0};
    int rc = expand(b, t, positive, &vars, stem, &sl);
    if (rc == DQ_OK) rc = add_terms(b, 1 + vars.n);
    if (rc == DQ_OK)
        rc = stem_query(b, stem, sl, &out->exact);
    if (rc == DQ_OK) rc = alts_query(b, t, &vars, &out->alts);
    for (size_t i = 0; rc == DQ_OK && i < vars.n; i++)
        rc = list_add(&out->forms, &out->nforms, &out->capforms,
                      vars.v[i].form, vars.v[i].formlen);
    if (rc == DQ_OK && vars.n == 0)
        rc = list_add(&out->forms, &out->nforms, &out->capforms, t->norm,
                      t->len);
    xc_query *q = NULL;
    if (rc == DQ_OK) rc = qcopy(b, out->exact, &q);
    if (rc == DQ_OK) rc = qpush(&syn, q);
    qlist def = {0};
    for (size_t i = 0; rc == DQ_OK && !b->exact && i < vars.n; i++) {
        if (vars.v[i].cost == 0) continue; /* covered by Z<stem> */
        char *xerr = NULL;
        int xr = xc_query_term(vars.v[i].term, vars.v[i].len, 1, 0, &q,
                               &xerr);
        rc = xr != XC_OK ? xfail(b, xr, xerr)
           : vars.v[i].definite ? qpush(&def, q) : qpush(&syn, q);
    }
    out->only_exact = syn.n == 1 && def.n == 0;
    if (rc == DQ_OK) {
        rc = combine(b, XC_OP_SYNONYM, syn.v, syn.n, 0, &out->syn);
        syn.n = 0;
    }
    if (rc == DQ_OK && def.n) { /* OR(syn, SYNONYM(definite) * weight) */
        xc_query *d = NULL, *two[2] = {out->syn, NULL};
        char *xerr = NULL;
        rc = combine(b, XC_OP_SYNONYM, def.v, def.n, 0, &d);
        def.n = 0;
        if (rc == DQ_OK) {
            int xr = xc_query_scale(d, DEFINITE_WEIGHT, &two[1], &xerr);
            if (xr != XC_OK) rc = xfail(b, xr, xerr);
        }
        xc_query_free(d);
        if (rc == DQ_OK) {
            out->syn = NULL;
            rc = combine(b, XC_OP_OR, two, 2, 0, &out->syn);
        }
    }
    qlist_free(&def);
    qlist_free(&syn);
    if (rc == DQ_OK && positive) rc = word_info(b, t, stem, sl, &vars);
    dq_variants_free(&vars);
    if (rc != DQ_OK) tokq_free(out);
    return rc;
}

/* Moves the spellings of a word of the proximity bonus into the plan;
 * *added = 0 when the same word is there already. */
static int prox_word(dq_plan *p, tokq *tq, int *added)
{
    *added = 0;
    list_sort_unique(tq->forms, &tq->nforms);
    for (size_t i = 0; i < p->nprox; i++) {
        if (p->prox_nforms[i] != tq->nforms) continue;
        size_t k = 0;
        while (k < tq->nforms && !strcmp(p->prox_forms[i][k], tq->forms[k]))
            k++;
        if (k == tq->nforms) return DQ_OK;
    }
    char ***f = realloc(p->prox_forms, (p->nprox + 1) * sizeof *f);
    if (!f) return DQ_ENOMEM;
    p->prox_forms = f;
    size_t *nf = realloc(p->prox_nforms, (p->nprox + 1) * sizeof *nf);
    if (!nf) return DQ_ENOMEM;
    p->prox_nforms = nf;
    f[p->nprox] = tq->forms;
    nf[p->nprox] = tq->nforms;
    p->nprox++;
    tq->forms = NULL;
    tq->nforms = tq->capforms = 0;
    *added = 1;
    return DQ_OK;
}

/* The plain query for one token: all its spellings as one term, and a
 * little extra for the exact stem so that exact spellings rank first. */
static int word_query(builder *b, const qtoken *t, int positive,
                      xc_query **out)
{
    tokq tq;
    *out = NULL;
    int rc = token_query(b, t, positive, &tq);
    if (rc != DQ_OK) return rc;
    if (positive && b->root_and && b->depth == 1 && b->prox && t->word &&
        !sv_is_stopword(t->norm, t->len)) {
        /* Kept for the proximity bonus of the whole query (once: a word
         * typed twice counts once). */
        int added = 0;
        rc = prox_word(b->p, &tq, &added);
        if (rc == DQ_OK && added && b->p->nwords) {
            /* The passages holding some spelling of it (an upper bound
             * of what the whole query matches). */
            const dq_word_info *w = &b->p->words[b->p->nwords - 1];
            unsigned f = w->stem_freq;
            for (size_t i = 0; i < w->variants.n; i++)
                if (w->variants.v[i].cost > 0) f += w->variants.v[i].freq;
            if (b->p->nprox == 1 || f < b->p->prox_min_freq)
                b->p->prox_min_freq = f;
        }
        xc_query *a = NULL;
        if (rc == DQ_OK && added) rc = qcopy(b, tq.alts, &a);
        if (rc == DQ_OK && added) rc = qpush(b->prox, a);
    }
    if (rc == DQ_OK && (!t->word || b->exact)) {
        *out = tq.syn;
        tq.syn = NULL;
    } else if (rc == DQ_OK && tq.only_exact) {
        /* No other spelling: OR(Z, Z * bonus) is Z * (1 + bonus), read
         * once. */
        char *xerr = NULL;
        int xr = xc_query_scale(tq.exact, 1 + EXACT_BONUS, out, &xerr);
        if (xr != XC_OK) rc = xfail(b, xr, xerr);
    } else if (rc == DQ_OK) {
        xc_query *bonus = NULL;
        char *xerr = NULL;
        int xr = xc_query_scale(tq.exact, EXACT_BONUS, &bonus, &xerr);
        if (xr != XC_OK) {
            rc = xfail(b, xr, xerr);
        } else {
            xc_query *two[2] = {tq.syn, bonus};
            tq.syn = NULL;
            rc = combine(b, XC_OP_OR, two, 2, 0, out);
        }
    }
    tokq_free(&tq);
    return rc;
}

/* FILTER(AND(syns), op(alts)): the words in order (PHRASE) or close
 * together (NEAR), weighted by the words alone (syns may have fewer
 * entries than alts: see positional). Consumes both lists. */
static int positional_of(builder *b, qlist *syns, qlist *alts, int op,
                         unsigned window, xc_query **out)
{
    int rc = DQ_OK;
    *out = NULL;
    if (alts->n == 1 && syns->n == 1) {
        *out = syns->v[0];
        syns->n = 0;
    } else if (alts->n > 1 && syns->n > 0) {
        xc_query *two[2] = {NULL, NULL};
        if (syns->n == 1) {
            two[0] = syns->v[0];
        } else {
            rc = combine(b, XC_OP_AND, syns->v, syns->n, 0, &two[0]);
        }
        syns->n = 0;
        if (rc == DQ_OK) {
            rc = combine(b, op, alts->v, alts->n, window, &two[1]);
            alts->n = 0;
        }
        if (rc == DQ_OK) rc = combine(b, XC_OP_FILTER, two, 2, 0, out);
        else xc_query_free(two[0]);
    }
    qlist_free(syns);
    qlist_free(alts);
    return rc;
}

static int is_stop(const qtoken *t)
{
    return t->word && sv_is_stopword(t->norm, t->len);
}

/* PHRASE or NEAR over tokens. A stop word beside other words is weighted
 * as in a plain search, that is not at all (build_and): it must stand in
 * its place, but adds no weight, and no posting list to the match beyond
 * its positions. */
static int positional(builder *b, const qtoken *t, size_t n, int op,
                      unsigned window, int positive, xc_query **out)
{
    qlist syns = {0}, alts = {0};
    int rc = DQ_OK, any_content = 0;
    for (size_t i = 0; i < n; i++) any_content |= !is_stop(&t[i]);
    for (size_t i = 0; rc == DQ_OK && i < n; i++) {
        tokq tq;
        rc = token_query(b, &t[i], positive, &tq);
        if (rc != DQ_OK) break;
        if (!any_content || !is_stop(&t[i])) rc = qpush(&syns, tq.syn);
        else xc_query_free(tq.syn);
        tq.syn = NULL;
        if (rc == DQ_OK) rc = qpush(&alts, tq.alts);
        else xc_query_free(tq.alts);
        tq.alts = NULL;
        tokq_free(&tq);
    }
    if (rc != DQ_OK) {
        qlist_free(&syns);
        qlist_free(&alts);
        return rc;
    }
    return positional_of(b, &syns, &alts, op, window, out);
}

/* Prefix search (a word ending in '*'): every indexed spelling that starts
 * with the prefix, or with a damaged spelling of it. */
static int prefix_query(builder *b, const dq_node *n, int positive,
                        xc_query **out)
{
    qtoken t[2];
    *out = NULL;
    int rc = analyse(b, n->text, n->len);
    if (rc != DQ_OK) return rc;
    size_t nt = copy_tokens(b, t, 2);
    if (nt != 1)
        return fail(b, DQ_EQUERY, n->offset,
                    "a prefix search needs one word before the '*'");
    size_t chars = 0;
    for (size_t i = 0; i < t[0].len; i++)
        chars += ((unsigned char)t[0].norm[i] & 0xC0) != 0x80;
    if (chars < PREFIX_MIN_CHARS)
        return fail(b, DQ_EQUERY, n->offset,
                    "the prefix '%s*' is too short: give at least %d letters",
                    t[0].norm, PREFIX_MIN_CHARS);

    char skel[SV_SKELETON_MAX + 2];
    size_t kl = sv_skeleton(t[0].norm, t[0].len, skel + 1, sizeof skel - 1);
    /* The prefix's last skeleton letter may merge with what follows. */
    if (kl > 1) kl--;
    skel[0] = DX_PREFIX_FORM;
    double budget = b->exact ? 0 : sv_confusion_budget(t[0].norm, t[0].len,
                                                       t[0].len);

    xc_termiter *it = NULL;
    char *xerr = NULL;
    /* The spelling keys (dx_format.h); a key whose passages are all gone
     * gives a term that matches nothing. */
    int xr = xc_db_metadata_keys(b->db, skel, kl + 1, &it, &xerr);
    if (xr != XC_OK) return xfail(b, xr, xerr);
    qlist alts = {0};
    const char *term;
    size_t tl;
    size_t scanned = 0;
    while (rc == DQ_OK &&
           (xr = xc_termiter_next(it, &term, &tl, NULL, &xerr)) == 1) {
        if (++scanned > PREFIX_MAX_SCAN) {
            rc = fail(b, DQ_EQUERY, n->offset,
                      "the prefix '%s*' is too broad: over %d spellings in "
                      "the index to look at: make it longer", t[0].norm,
                      PREFIX_MAX_SCAN);
            break;
        }
        if (alts.n >= b->lim->prefix_words) {
            rc = fail(b, DQ_EQUERY, n->offset,
                      "the prefix '%s*' matches too many words: over %u "
                      "(query limit prefix_words=%u): make it longer",
                      t[0].norm, b->lim->prefix_words, b->lim->prefix_words);
            break;
        }
        const char *sep = memchr(term, DX_FORM_SEP, tl);
        if (!sep) continue;
        const char *form = sep + 1;
        size_t fl = tl - (size_t)(form - term);
        int ok = fl >= t[0].len && memcmp(form, t[0].norm, t[0].len) == 0;
        if (!ok && budget > 0) {
            /* Compare the prefix with the same number of letters. */
            size_t i = 0, c = 0;
            while (i < fl && c < chars) {
                i++;
                while (i < fl && ((unsigned char)form[i] & 0xC0) == 0x80) i++;
                c++;
            }
            ok = c == chars &&
                 sv_confusion_cost(t[0].norm, t[0].len, t[0].len, form, i,
                                   budget) <= budget;
        }
        if (!ok) continue;
        xc_query *q = NULL;
        rc = add_terms(b, 1);
        if (rc == DQ_OK) rc = term_query(b, DX_PREFIX_FORM, form, fl, &q);
        if (rc == DQ_OK) rc = qpush(&alts, q);
        if (rc == DQ_OK && positive)
            rc = list_add(&b->p->forms, &b->p->nforms, &b->p->capforms, form,
                          fl);
    }
    if (xr < 0 && rc == DQ_OK) rc = xfail(b, xr, xerr);
    xc_termiter_free(it);
    if (rc == DQ_OK) {
        rc = combine(b, XC_OP_SYNONYM, alts.v, alts.n, 0, out);
        alts.n = 0;
    }
    qlist_free(&alts);
    return rc;
}

static int build(builder *b, const dq_node *n, int positive,
                 xc_query **out);

/* The tokens of the word just analysed into b->toks, appended to
 * t[*nt, MAX_QTOKENS); DQ_EQUERY when they do not fit (dq_bound's phrase
 * limit keeps a query below that). */
static int append_tokens(builder *b, qtoken *t, size_t *nt)
{
    size_t n = 0;
    for (size_t i = 0; i < b->toks.n; i++)
        n += !(b->toks.tok[i].flags & SV_TOKF_LONG);
    if (n > MAX_QTOKENS - *nt)
        return fail(b, DQ_EQUERY, b->at, "a phrase or NEAR chain of more "
                    "than %d words", MAX_QTOKENS);
    *nt += copy_tokens(b, t + *nt, MAX_QTOKENS - *nt);
    return DQ_OK;
}

/* Tokens of a phrase's words (or of a NEAR chain's words and phrases), in
 * order, appended to t[*nt, MAX_QTOKENS). */
static int phrase_tokens(builder *b, const dq_node *n, qtoken *t,
                         size_t *nt)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const dq_node *k = n->kids[i];
        int rc = DQ_OK;
        if (k->kind == DQ_PHRASE) rc = phrase_tokens(b, k, t, nt);
        else if (k->kind == DQ_WORD) rc = analyse(b, k->text, k->len);
        if (rc == DQ_OK && k->kind == DQ_WORD) rc = append_tokens(b, t, nt);
        if (rc != DQ_OK) return rc;
    }
    return DQ_OK;
}

/* 1 if node k is a plain word that analyses to one stop word; 0 if it has
 * content; -1 if it analyses to nothing (punctuation). */
static int stop_word_node(builder *b, const dq_node *k, int *rc)
{
    if (k->kind != DQ_WORD || k->prefix) return 0;
    qtoken t[2];
    *rc = analyse(b, k->text, k->len);
    if (*rc != DQ_OK) return 0;
    size_t nt = copy_tokens(b, t, 2);
    if (nt == 0) return -1;
    return nt == 1 && t[0].word && sv_is_stopword(t[0].norm, t[0].len);
}

static int build_and(builder *b, const dq_node *n, int positive,
                     xc_query **out, qlist *pos_out, qlist *neg_out)
{
    qlist pos = {0}, neg = {0};
    int *stops = calloc(n->nkids ? n->nkids : 1, sizeof *stops);
    int rc = stops ? DQ_OK : DQ_ENOMEM, any_content = 0;
    *out = NULL;
    /* Stop words are ignored beside other words: decide that first, so
     * that an ignored word is neither searched nor highlighted. */
    for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
        if (n->kids[i]->kind == DQ_NOT) continue;
        stops[i] = stop_word_node(b, n->kids[i], &rc);
        if (stops[i] == 0) any_content = 1;
    }
    for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
        const dq_node *k = n->kids[i];
        xc_query *q = NULL;
        if (k->kind == DQ_NOT) {
            rc = build(b, k->kids[0], 0, &q);
            if (rc == DQ_OK && q) rc = qpush(&neg, q);
            continue;
        }
        if (stops[i] == 1 && any_content) continue;
        rc = build(b, k, positive, &q);
        if (rc == DQ_OK && q) rc = qpush(&pos, q);
    }
    free(stops);
    if (rc == DQ_OK && pos.n > 0) {
        xc_query *a = NULL;
        if (pos_out) { /* the caller keeps the parts */
            rc = xc_query_combine(XC_OP_AND, pos.v, pos.n, 0, &a, NULL);
            if (rc != XC_OK) rc = DQ_ENOMEM;
        } else if (pos.n == 1) {
            a = pos.v[0];
            pos.n = 0;
        } else {
            rc = combine(b, XC_OP_AND, pos.v, pos.n, 0, &a);
            pos.n = 0;
        }
        if (rc == DQ_OK && neg.n > 0) {
            /* AND_NOT: the first, and none of the rest. */
            qlist all = {0};
            rc = qpush(&all, a);
            for (size_t i = 0; rc == DQ_OK && i < neg.n; i++) {
                xc_query *c = NULL; /* neg keeps its own for the caller */
                rc = qcopy(b, neg.v[i], &c);
                if (rc == DQ_OK) rc = qpush(&all, c);
            }
            if (rc == DQ_OK) {
                rc = combine(b, XC_OP_AND_NOT, all.v, all.n, 0, out);
                all.n = 0;
            }
            qlist_free(&all);
        } else if (rc == DQ_OK) {
            *out = a;
        } else {
            xc_query_free(a);
        }
    }
    if (rc == DQ_OK && pos_out) {
        *pos_out = pos;
        *neg_out = neg;
    } else {
        qlist_free(&pos);
        qlist_free(&neg);
    }
    return rc;
}

/* A filter without weight of its own. Consumes q. */
static int filter_only(builder *b, xc_query *q, xc_query **out)
{
    char *xerr = NULL;
    int xr = xc_query_scale(q, 0, out, &xerr);
    xc_query_free(q);
    return xr == XC_OK ? DQ_OK : xfail(b, xr, xerr);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* Days in month m (1-12) of year y. */
static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                               31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

/* One bound (len bytes at s, query offset off; len 0 is an open end) of
 * år: (years) or datum:: DQ_OK, or DQ_EQUERY naming what is wrong. */
static int check_bound(builder *b, const dq_node *n, const char *s,
                       size_t len, size_t off, int years)
{
    int sl = len > 40 ? 40 : (int)len;
    if (len == 0) return DQ_OK;
    if (years) {
        if (len == 4 && all_digits(s, 4)) return DQ_OK;
        return fail(b, DQ_EQUERY, off, "'%.*s' is not a year: %s: takes "
                    "four digits, e.g. %s:2021 or %s:2019..2023", sl, s,
                    n->field, n->field, n->field);
    }
    if (len != 10 || !all_digits(s, 4) || s[4] != '-' ||
        !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
        return fail(b, DQ_EQUERY, off, "'%.*s' is not a date: %s: takes "
                    "YYYY-MM-DD, e.g. %s:2021-12-23 or "
                    "%s:2021-01-01..2021-06-30 (a whole year: år:2021)", sl,
                    s, n->field, n->field, n->field);
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (m < 1 || m > 12)
        return fail(b, DQ_EQUERY, off + 5, "'%.10s' is not a date: there is "
                    "no month %02d", s, m);
    if (d < 1 || d > month_days(y, m))
        return fail(b, DQ_EQUERY, off + 8, "'%.10s' is not a date: %.7s has "
                    "%d days", s, s, month_days(y, m));
    return DQ_OK;
}

/* år:2021, år:2019..2023, år:..2020, år:2022.. and datum:2021-03-01..
 * 2021-06-30: a range over the document's date (DX_SLOT_DATE). A bound
 * that is no year or no real date, or a range that ends before it starts,
 * is an error (it would match nothing). */
static int date_query(builder *b, const dq_node *n, int years,
                      xc_query **out)
{
    const char *lo = n->text, *hi = n->range ? n->text2 : n->text;
    size_t ll = strlen(lo), hl = strlen(hi);
    size_t hoff = n->range ? n->voffset + ll + 2 : n->voffset;
    char from[16], to[16];
    int rc = check_bound(b, n, lo, ll, n->voffset, years);
    if (rc == DQ_OK && n->range) rc = check_bound(b, n, hi, hl, hoff, years);
    if (rc != DQ_OK) return rc;
    if (ll && hl && strcmp(lo, hi) > 0)
        return fail(b, DQ_EQUERY, n->voffset, "the range %s:%s..%s ends "
                    "before it starts: write %s:%s..%s", n->field, lo, hi,
                    n->field, hi, lo);
    rc = add_terms(b, 1);
    if (rc != DQ_OK) return rc;
    snprintf(from, sizeof from, "%s", ll ? lo : "0");
    /* The upper bound includes the whole year: "2023" < "2023-12-31". */
    snprintf(to, sizeof to, "%s%s", hi, years && hl ? "-99" : "");
    xc_query *q = NULL;
    char *xerr = NULL;
    int xr = xc_query_value_range(DX_SLOT_DATE, from, strlen(from), to,
                                  hl ? strlen(to) : 0, &q, &xerr);
    if (xr != XC_OK) return xfail(b, xr, xerr);
    return filter_only(b, q, out);
}

/* kommun:Borlänge, typ:uppföljningsbeslut, dnr:2021:2323, utfall:…,
 * skola:…, myndighet:…, huvudman:…: the document facts of that field
 * whose value is the one asked for, read with the same tolerance for
 * damaged and stripped letters as words (kommun:Borlange finds Borlänge,
 * kommun:Borlänge finds a "Borlange kommun" the indexer normalised). */
/* The code points of the n bytes of UTF-8 at s, into cp (room for cap);
 * returns how many. */
static size_t code_points(const char *s, size_t n, unsigned *cp, size_t cap)
{
    size_t k = 0, i = 0;
    while (i < n && k < cap) cp[k++] = (unsigned)sv_utf8_next(s, n, &i);
    return k;
}

/* The edit distance between a and b when it is at most max, else
 * max + 1. */
static unsigned edit_distance(const unsigned *a, size_t na,
                              const unsigned *b, size_t nb, unsigned max)
{
    unsigned row[257];
    if ((na > nb ? na - nb : nb - na) > max || nb > 256) return max + 1;
    for (size_t j = 0; j <= nb; j++) row[j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++) {
        unsigned diag = row[0], low = row[0] = (unsigned)i;
        for (size_t j = 1; j <= nb; j++) {
            unsigned up = row[j];
            unsigned v = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < low) low = v;
        }
        if (low > max) return max + 1;
    }
    return row[nb] <= max ? row[nb] : max + 1;
}

/* Notes that the filter n matches nothing: no document in the index has
 * its value. nearest (may be NULL): the index's value closest to it. */
static int add_miss(builder *b, const dq_node *n, const char *nearest,
                    size_t nl)
{
    dq_plan *p = b->p;
    dq_field_miss *v = realloc(p->misses, (p->nmisses + 1) * sizeof *v);
    if (!v) return DQ_ENOMEM;
    p->misses = v;
    dq_field_miss *m = &v[p->nmisses++];
    memset(m, 0, sizeof *m);
    m->field = strdup(n->field);
    m->value = strdup(n->text);
    m->qoff = n->voffset;
    m->qlen = n->quoted || n->range ? 0 : n->len; /* replaceable as typed */
    if (nearest) {
        m->nearest = malloc(nl + 1);
        if (m->nearest) {
            memcpy(m->nearest, nearest, nl);
            m->nearest[nl] = '\0';
        }
    }
    return m->field && m->value && (!nearest || m->nearest) ? DQ_OK
                                                          : DQ_ENOMEM;
}

static int value_query(builder *b, const dq_node *n, xc_query **out)
{
    char want[256], prefix[64];
    if (n->range)
        return fail(b, DQ_EQUERY, n->offset, "%s: takes a value, not a range",
                    n->field);
    size_t wl = sv_lower(n->text, n->len, want, sizeof want);
    if (wl >= sizeof want || wl == 0)
        return fail(b, DQ_EQUERY, n->offset, "the value of %s: is too long "
                    "or empty", n->field);
    int pl = snprintf(prefix, sizeof prefix, "%c%s:", DX_PREFIX_FIELD,
                      n->field);
    double budget = b->exact ? 0 : sv_confusion_budget(want, wl, wl);
    xc_termiter *it = NULL;
    char *xerr = NULL;
    int xr = xc_db_allterms(b->db, prefix, (size_t)pl, &it, &xerr);
    if (xr != XC_OK) return xfail(b, xr, xerr);
    qlist l = {0};
    const char *t;
    size_t tl;
    int rc = DQ_OK;
    /* For a value that matches nothing, the nearest the index has (a typo
     * of at most two letters, one in short values). */
    unsigned wcp[256], vcp[256];
    size_t nw = code_points(want, wl, wcp, 256);
    unsigned maxd = nw >= 8 ? 2 : nw >= 3 ? 1 : 0, bestd = maxd + 1;
    char best[256];
    size_t bestl = 0;
    while (rc == DQ_OK &&
           (xr = xc_termiter_next(it, &t, &tl, NULL, &xerr)) == 1) {
        const char *v = t + pl;
        size_t vl = tl - (size_t)pl;
        int same = vl == wl && memcmp(v, want, wl) == 0;
        if (!same && (budget == 0 ||
                      sv_confusion_cost(want, wl, wl, v, vl, budget) > budget)) {
            if (l.n == 0 && maxd > 0 && vl < sizeof best) {
                size_t nv = code_points(v, vl, vcp, 256);
                unsigned d = edit_distance(wcp, nw, vcp, nv, maxd);
                if (d < bestd) {
                    bestd = d;
                    memcpy(best, v, vl);
                    bestl = vl;
                }
            }
            continue;
        }
        xc_query *q = NULL;
        rc = add_terms(b, 1);
        if (rc != DQ_OK) break;
        int r2 = xc_query_term(t, tl, 1, 0, &q, &xerr);
        rc = r2 == XC_OK ? qpush(&l, q) : xfail(b, r2, xerr);
    }
    if (xr < 0 && rc == DQ_OK) rc = xfail(b, xr, xerr);
    xc_termiter_free(it);
    xc_query *any = NULL;
    if (rc == DQ_OK && l.n == 0)
        rc = add_miss(b, n, bestd <= maxd ? best : NULL, bestl);
    if (rc == DQ_OK && l.n == 0) { /* no such value: matches nothing */
        char term[300];
        int n2 = snprintf(term, sizeof term, "%s%s", prefix, want);
        int r2 = xc_query_term(term, (size_t)n2, 1, 0, &any, &xerr);
        if (r2 != XC_OK) rc = xfail(b, r2, xerr);
    } else if (rc == DQ_OK) {
        rc = combine(b, XC_OP_OR, l.v, l.n, 0, &any);
        l.n = 0;
    }
    qlist_free(&l);
    if (rc != DQ_OK) return rc;
    return filter_only(b, any, out);
}

static int field_query(builder *b, const dq_node *n, xc_query **out)
{
    if (strcmp(n->field, dx_filter_names[DX_FILTER_YEAR]) == 0 ||
        strcmp(n->field, "year") == 0)
        return date_query(b, n, 1, out);
    if (strcmp(n->field, dx_filter_names[DX_FILTER_DATE]) == 0 ||
        strcmp(n->field, "date") == 0)
        return date_query(b, n, 0, out);
    return value_query(b, n, out);
}

static int build_node(builder *b, const dq_node *n, int positive,
                      xc_query **out);

static int build(builder *b, const dq_node *n, int positive,
                 xc_query **out)
{
    b->depth++;
    int rc = build_node(b, n, positive, out);
    b->depth--;
    return rc;
}

static int build_node(builder *b, const dq_node *n, int positive,
                      xc_query **out)
{
    qtoken *t = b->qt; /* leaves only: no build() below them */
    size_t nt = 0;
    int rc;
    *out = NULL;
    if (n->kind != DQ_AND && n->kind != DQ_OR && n->kind != DQ_NOT)
        b->at = n->offset;
    switch (n->kind) {
    case DQ_WORD:
        if (n->prefix) return prefix_query(b, n, positive, out);
        rc = analyse(b, n->text, n->len);
        if (rc == DQ_OK) rc = append_tokens(b, t, &nt);
        if (rc != DQ_OK) return rc;
        if (nt == 0) return DQ_OK; /* punctuation only */
        if (nt == 1) {
            b->located = 1; /* for a suggestion that replaces the word */
            b->off = n->offset;
            b->len = n->len;
            rc = word_query(b, &t[0], positive, out);
            b->located = 0;
            return rc;
        }
        return positional(b, t, nt, XC_OP_PHRASE, 0, positive, out);
    case DQ_PHRASE:
        rc = phrase_tokens(b, n, t, &nt);
        if (rc != DQ_OK || nt == 0) return rc;
        return positional(b, t, nt, XC_OP_PHRASE, 0, positive, out);
    case DQ_NEAR: {
        rc = phrase_tokens(b, n, t, &nt);
        if (rc != DQ_OK || nt == 0) return rc;
        unsigned window = n->window + (unsigned)nt - 1;
        return positional(b, t, nt, XC_OP_NEAR, window, positive, out);
    }
    case DQ_AND:
        return build_and(b, n, positive, out, NULL, NULL);
    case DQ_OR: {
        qlist l = {0};
        rc = DQ_OK;
        for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
            xc_query *q = NULL;
            rc = build(b, n->kids[i], positive, &q);
            if (rc == DQ_OK && q) rc = qpush(&l, q);
        }
        if (rc == DQ_OK && l.n) {
            rc = combine(b, XC_OP_OR, l.v, l.n, 0, out);
            l.n = 0;
        }
        qlist_free(&l);
        return rc;
    }
    case DQ_NOT:
        return fail(b, DQ_EQUERY, n->offset,
                    "NOT needs something to exclude from");
    case DQ_FIELD:
        if (strcmp(n->field, "doc") == 0) {
            if (n->range)
                return fail(b, DQ_EQUERY, n->offset,
                            "doc: takes a document id, not a range");
            xc_query *q = NULL;
            char *xerr = NULL;
            char key[DX_DOC_KEY_MAX + 1];
            size_t kl = dx_doc_key(n->text, n->len, key);
            rc = add_terms(b, 1);
            if (rc == DQ_OK) rc = term_query(b, DX_PREFIX_DOC, key, kl, &q);
            if (rc != DQ_OK) return rc;
            char dt[DX_DOC_KEY_MAX + 2];
            unsigned df = 0;
            dt[0] = DX_PREFIX_DOC;
            memcpy(dt + 1, key, kl);
            int xr = xc_db_termfreq(b->db, dt, kl + 1, &df, &xerr);
            if (xr != XC_OK) {
                xc_query_free(q);
                return xfail(b, xr, xerr);
            }
            if (df == 0 && (rc = add_miss(b, n, NULL, 0)) != DQ_OK) {
                xc_query_free(q);
                return rc;
            }
            xr = xc_query_scale(q, 0, out, &xerr); /* filter only */
            xc_query_free(q);
            return xr == XC_OK ? DQ_OK : xfail(b, xr, xerr);
        }
        return field_query(b, n, out);
    }
    return fail(b, DQ_EQUERY, n->offset, "unexpected query element");
}

/* query := AND_MAYBE(base, FILTER(base, NEAR(words)) * DQ_PROX_WEIGHT):
 * a passage where the words stand within the window scores
 * 1 + DQ_PROX_WEIGHT times its base weight. prox: the positional queries of
 * the words (consumed). The base query is kept (p->base): dq_search can
 * rank its best passages by the same rule without Xapian's position
 * checks on every match. */
static int add_proximity(builder *b, qlist *prox, xc_query **query)
{
    unsigned window = (unsigned)prox->n + PROX_SLACK;
    xc_query *near = NULL, *f = NULL, *parts[2] = {*query, NULL};
    char *xerr = NULL;
    int rc = combine(b, XC_OP_NEAR, prox->v, prox->n, window, &near);
    prox->n = 0;
    if (rc != DQ_OK) return rc;
    xc_query *two[2] = {*query, near};
    int xr = xc_query_combine(XC_OP_FILTER, two, 2, 0, &f, &xerr);
    if (xr == XC_OK) xr = xc_query_scale(f, DQ_PROX_WEIGHT, &parts[1], &xerr);
    xc_query_free(f);
    xc_query *res = NULL;
    if (xr == XC_OK)
        xr = xc_query_combine(XC_OP_AND_MAYBE, parts, 2, 0, &res, &xerr);
    xc_query_free(parts[1]);
    if (xr != XC_OK) {
        xc_query_free(near);
        return xfail(b, xr, xerr);
    }
    b->p->base = *query; /* queries are immutable and counted */
    b->p->near = near;
    b->p->prox_window = window;
    *query = res;
    return DQ_OK;
}

int dq_plan_build(xc_db *db, sv_stemmer *st, const dq_node *ast,
                  unsigned flags, const dq_limits *lim, dq_plan **out,
                  char *err, size_t errlen, size_t *erroff)
{
    *out = NULL;
    dq_plan *p = calloc(1, sizeof *p);
    qtoken *qt = malloc(MAX_QTOKENS * sizeof *qt);
    if (!p || !qt) {
        free(p);
        free(qt);
        return DQ_ENOMEM;
    }
    qlist prox = {0};
    builder b = {db, st, (flags & DQ_PLAN_EXACT) != 0,
                 (flags & DQ_PLAN_EXPLAIN) != 0, p, err, errlen, erroff, {0},
                 0, 0, &prox, 0, 0, 0, lim ? lim : &dq_limits_default, 0, 0,
                 qt};
    int rc;
    if (ast->kind == DQ_AND) {
        qlist pos = {0}, neg = {0};
        b.root_and = 1;
        rc = build_and(&b, ast, 1, &p->query, &pos, &neg);
        if (rc == DQ_OK && prox.n >= 2 && p->query)
            rc = add_proximity(&b, &prox, &p->query);
        if (rc == DQ_OK) {
            p->parts = pos.v;
            p->nparts = pos.n;
            if (neg.n) {
                rc = combine(&b, XC_OP_OR, neg.v, neg.n, 0, &p->neg);
                neg.n = 0;
            }
        }
        qlist_free(&neg);
    } else {
        rc = build(&b, ast, 1, &p->query);
    }
    qlist_free(&prox);
    sv_tokens_free(&b.toks);
    free(qt);
    if (rc == DQ_OK && !p->query)
        rc = fail(&b, DQ_EQUERY, 0, "the query has no words to search for");
    if (rc != DQ_OK) {
        dq_plan_free(p);
        return rc;
    }
    list_sort_unique(p->stems, &p->nstems);
    list_sort_unique(p->forms, &p->nforms);
    for (size_t i = 0; i < p->nstems; i++) {
        unsigned char c = (unsigned char)p->stems[i][0];
        p->stem_first[c >> 3] |= (unsigned char)(1u << (c & 7));
    }
    p->nterms = b.nterms;
    *out = p;
    return DQ_OK;
}

void dq_plan_free(dq_plan *p)
{
    if (!p) return;
    xc_query_free(p->query);
    xc_query_free(p->base);
    xc_query_free(p->near);
    for (size_t i = 0; i < p->nprox; i++) {
        for (size_t k = 0; k < p->prox_nforms[i]; k++)
            free(p->prox_forms[i][k]);
        free(p->prox_forms[i]);
    }
    free(p->prox_forms);
    free(p->prox_nforms);
    free_all(p->parts, p->nparts);
    free(p->parts);
    xc_query_free(p->neg);
    for (size_t i = 0; i < p->nstems; i++) free(p->stems[i]);
    free(p->stems);
    for (size_t i = 0; i < p->nforms; i++) free(p->forms[i]);
    free(p->forms);
    for (size_t i = 0; i < p->nwords; i++) {
        free(p->words[i].word);
        free(p->words[i].stem);
        free(p->words[i].suggestion);
        dq_variants_free(&p->words[i].variants);
    }
    free(p->words);
    for (size_t i = 0; i < p->nmisses; i++) {
        free(p->misses[i].field);
        free(p->misses[i].value);
        free(p->misses[i].nearest);
    }
    free(p->misses);
    free(p);
}

int dq_plan_matches(const dq_plan *p, sv_stemmer *st, const char *norm,
                    size_t len, int word)
{
    char buf[SV_TOKEN_MAX + 1];
    if (len > SV_TOKEN_MAX) return 0;
    memcpy(buf, norm, len);
    buf[len] = '\0';
    if (list_has(p->forms, p->nforms, buf)) return 1;
    /* A stem begins the word it is the stem of (Snowball's Swedish rules
     * only take endings off, and a token without letters is its own
     * stem): a token whose first byte begins no stem has none of them,
     * and is not stemmed. */
    unsigned char c = (unsigned char)buf[0];
    if (!(p->stem_first[c >> 3] & (1u << (c & 7)))) return 0;
    if (!word) return list_has(p->stems, p->nstems, buf);
    const char *s;
    size_t sl;
    if (sv_stem(st, norm, len, &s, &sl) != SV_OK || sl > SV_TOKEN_MAX)
        return 0;
    memcpy(buf, s, sl);
    buf[sl] = '\0';
    return list_has(p->stems, p->nstems, buf);
}
