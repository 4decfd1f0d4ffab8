/*
 * dq_bound.c — repeats removed and limits checked before a query is planned
 * (see dq_bound.h).
 *
 * Two walks over the tree. The first gives every node a canonical key,
 * bottom-up (a word: its analysed tokens; an AND or OR: its kids' keys,
 * sorted and each once), and drops from each AND and OR the kids whose key
 * an earlier kid has. The second walks the remaining tree in query order
 * and counts words, prefix searches and field filters, stopping at the
 * first that passes its limit. Both analyse words as dq_plan does
 * (sv_text_clean, sv_tokenize; tokens over SV_TOKEN_MAX bytes, which the
 * planner skips, do not count).
 */
#include "dq_bound.h"
#include "dq_plan.h"
#include "dx_format.h"

#include "sv.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults. A researcher's longest queries (bench/queries.txt,
 * corpus-queries.tsv, the README's examples) use a few dozen words, one or
 * two prefixes and filters, a few hundred index terms; the defaults leave
 * room for ten times that, while the worst query they let through stays
 * within seconds and a few hundred MB (bench/hostile-queries.sh,
 * bench/NOTES.md). prefix_words is the planner's limit of old. */
const dq_limits dq_limits_default = {
    256,   /* words */
    64,    /* phrase */
    16,    /* prefixes */
    1000,  /* prefix_words */
    32,    /* fields */
    10000  /* terms */
};

#define LIMIT_MAX 1000000000u

typedef struct limit_name {
    const char *name;
    size_t off;
} limit_name;

static const limit_name names[] = {
    {"words", offsetof(dq_limits, words)},
    {"phrase", offsetof(dq_limits, phrase)},
    {"prefixes", offsetof(dq_limits, prefixes)},
    {"prefix_words", offsetof(dq_limits, prefix_words)},
    {"fields", offsetof(dq_limits, fields)},
    {"terms", offsetof(dq_limits, terms)},
};
#define NNAMES (sizeof names / sizeof *names)

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

static unsigned *field_of(dq_limits *l, size_t i)
{
    return (unsigned *)((char *)l + names[i].off);
}

/* The limit called [s, s + n) ("prefix-words" = "prefix_words"), or -1. */
static int find_name(const char *s, size_t n)
{
    for (size_t i = 0; i < NNAMES; i++) {
        const char *m = names[i].name;
        if (strlen(m) != n) continue;
        size_t k = 0;
        while (k < n && (s[k] == m[k] || (s[k] == '-' && m[k] == '_'))) k++;
        if (k == n) return (int)i;
    }
    return -1;
}

int dq_limits_parse(dq_limits *l, const char *spec, char *err,
                    size_t errlen)
{
    dq_limits t = *l;
    const char *p = spec;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        int i = eq ? find_name(p, (size_t)(eq - p)) : -1;
        if (i < 0) {
            seterr(err, errlen, "'%.*s' is not a query limit: expected "
                   "NAME=N with NAME one of words, phrase, prefixes, "
                   "prefix_words, fields, terms", (int)(n > 60 ? 60 : n), p);
            return DQ_EQUERY;
        }
        unsigned long v = 0;
        size_t k = (size_t)(eq - p) + 1;
        int ok = k < n;
        for (; ok && k < n; k++) {
            if (p[k] < '0' || p[k] > '9') ok = 0;
            else if ((v = v * 10 + (unsigned long)(p[k] - '0')) > LIMIT_MAX)
                ok = 0;
        }
        unsigned max = field_of(&t, (size_t)i) == &t.phrase ? DQ_PHRASE_MAX
                                                            : LIMIT_MAX;
        if (!ok || v == 0 || v > max) {
            seterr(err, errlen, "the query limit %s takes a number from 1 "
                   "to %u, not '%.*s'", names[i].name, max,
                   (int)(n - (size_t)(eq - p) - 1 > 20
                             ? 20 : n - (size_t)(eq - p) - 1), eq + 1);
            return DQ_EQUERY;
        }
        *field_of(&t, (size_t)i) = (unsigned)v;
        if (!end) break;
        p = end + 1;
    }
    *l = t;
    return DQ_OK;
}

void dq_limits_format(const dq_limits *l, char *buf, size_t n)
{
    size_t used = 0;
    dq_limits c = *l;
    if (n) buf[0] = '\0';
    for (size_t i = 0; i < NNAMES && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s=%u", i ? "," : "",
                         names[i].name, *field_of(&c, i));
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------- analysis */

typedef struct bounder {
    sv_tokens toks;
    const dq_limits *lim;
    char *err;
    size_t errlen;
    size_t *erroff;
    unsigned words, prefixes, fields;
} bounder;

/* Analyses a word into b->toks as dq_plan does; the number of tokens it
 * plans (those not over SV_TOKEN_MAX bytes) in *n. */
static int analyse(bounder *b, const char *text, size_t len, size_t *n)
{
    char *clean = NULL;
    size_t cl = 0;
    *n = 0;
    if (sv_text_clean(text, len, &clean, &cl, NULL) != SV_OK)
        return DQ_ENOMEM;
    int rc = sv_tokenize(clean, cl, &b->toks) == SV_OK ? DQ_OK : DQ_ENOMEM;
    free(clean);
    for (size_t i = 0; rc == DQ_OK && i < b->toks.n; i++)
        if (!(b->toks.tok[i].flags & SV_TOKF_LONG)) (*n)++;
    return rc;
}

/* ------------------------------------------------------------------ keys */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (n >= b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 64;
        while (n >= cap - b->len) {
            if (cap > ((size_t)-1) / 2) {
                b->failed = 1;
                return;
            }
            cap *= 2;
        }
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* The analysed tokens of a word, separated by spaces. */
static int put_tokens(bounder *b, sbuf *k, const dq_node *w)
{
    size_t n = 0;
    int rc = analyse(b, w->text, w->len, &n);
    if (rc != DQ_OK) return rc;
    int first = 1;
    for (size_t i = 0; i < b->toks.n; i++) {
        const sv_token *t = &b->toks.tok[i];
        if (t->flags & SV_TOKF_LONG) continue;
        if (!first) put(k, " ", 1);
        put(k, sv_token_norm(&b->toks, t), t->normlen);
        first = 0;
    }
    return DQ_OK;
}

/* The field name as dq_plan reads it: year and date are år and datum. */
static const char *field_name(const char *f)
{
    if (strcmp(f, "year") == 0) return dx_filter_names[DX_FILTER_YEAR];
    if (strcmp(f, "date") == 0) return dx_filter_names[DX_FILTER_DATE];
    return f;
}

/* A kid's key and its place among its siblings. */
typedef struct kidkey {
    char *key;
    size_t index;
} kidkey;

static int cmp_key(const void *x, const void *y)
{
    const kidkey *a = x, *c = y;
    int d = strcmp(a->key, c->key);
    if (d) return d;
    return a->index < c->index ? -1 : a->index > c->index; /* stable */
}

static void splice(dq_node *n, size_t i);

/* Gives n its key (malloc'd, in *key) after removing repeats below it. */
static int dedup(bounder *b, dq_node *n, char **key)
{
    sbuf k = {0};
    int rc = DQ_OK;
    *key = NULL;
    switch (n->kind) {
    case DQ_WORD:
        puts_(&k, "W(");
        rc = put_tokens(b, &k, n);
        puts_(&k, n->prefix ? "*)" : ")");
        break;
    case DQ_PHRASE:
        puts_(&k, "P(");
        for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
            if (i) puts_(&k, " ");
            rc = put_tokens(b, &k, n->kids[i]);
        }
        puts_(&k, ")");
        break;
    case DQ_FIELD:
        puts_(&k, "F(");
        puts_(&k, field_name(n->field));
        puts_(&k, n->range ? ":.." : n->quoted ? ":\"" : ":");
        puts_(&k, n->text);
        if (n->range) {
            puts_(&k, "..");
            puts_(&k, n->text2);
        }
        puts_(&k, ")");
        break;
    case DQ_NEAR:
    case DQ_NOT: {
        char num[32] = "!(";
        if (n->kind == DQ_NEAR) snprintf(num, sizeof num, "N/%u(", n->window);
        puts_(&k, num);
        for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
            char *kk = NULL;
            rc = dedup(b, n->kids[i], &kk);
            if (rc == DQ_OK) {
                if (i) puts_(&k, " ");
                puts_(&k, kk);
            }
            free(kk);
        }
        puts_(&k, ")");
        break;
    }
    case DQ_AND:
    case DQ_OR: {
        kidkey *keys = calloc(n->nkids ? n->nkids : 1, sizeof *keys);
        char *drop = calloc(n->nkids ? n->nkids : 1, 1);
        size_t nk = 0, unique = 0;
        if (!keys || !drop) rc = DQ_ENOMEM;
        for (size_t i = 0; rc == DQ_OK && i < n->nkids; i++) {
            rc = dedup(b, n->kids[i], &keys[i].key);
            keys[i].index = i;
            nk = i + 1;
        }
        if (rc == DQ_OK) {
            /* a kid whose key the kid before it in key order has goes
             * (of equal keys, the earliest in the query stays) */
            qsort(keys, nk, sizeof *keys, cmp_key);
            for (size_t i = 1; i < nk; i++)
                if (strcmp(keys[i].key, keys[i - 1].key) == 0)
                    drop[keys[i].index] = 1;
            for (size_t i = 0; i < nk; i++) unique += !drop[keys[i].index];
            if (unique > 1) puts_(&k, n->kind == DQ_AND ? "A(" : "O(");
            int first = 1;
            for (size_t i = 0; i < nk; i++) {
                if (drop[keys[i].index]) continue;
                if (!first) puts_(&k, " ");
                puts_(&k, keys[i].key);
                first = 0;
            }
            if (unique > 1) puts_(&k, ")");
            size_t o = 0;
            for (size_t i = 0; i < n->nkids; i++) {
                if (drop[i]) dq_node_free(n->kids[i]);
                else n->kids[o++] = n->kids[i];
            }
            n->nkids = o;
        }
        for (size_t i = 0; i < nk; i++) free(keys[i].key);
        free(keys);
        free(drop);
        break;
    }
    }
    if (rc == DQ_OK && k.failed) rc = DQ_ENOMEM;
    if (rc != DQ_OK) {
        free(k.s);
        return rc;
    }
    /* A kid that is now a group of one is that one; an AND inside an AND
     * (or an OR inside an OR) that this made is flattened. */
    for (size_t i = 0; i < n->nkids; i++) {
        dq_node *c = n->kids[i];
        if ((c->kind == DQ_AND || c->kind == DQ_OR) && c->nkids == 1) {
            n->kids[i] = c->kids[0];
            c->nkids = 0;
            dq_node_free(c);
        }
    }
    if (n->kind == DQ_AND || n->kind == DQ_OR)
        for (size_t i = 0; i < n->nkids; i++)
            if (n->kids[i]->kind == n->kind) splice(n, i);
    *key = k.s ? k.s : strdup("");
    return *key ? DQ_OK : DQ_ENOMEM;
}

/* Replaces kid i of n (an AND in an AND, an OR in an OR) by its kids, in
 * place. Without memory for that it stays nested, which dq_plan runs the
 * same. */
static void splice(dq_node *n, size_t i)
{
    dq_node *c = n->kids[i];
    size_t total = n->nkids - 1 + c->nkids;
    dq_node **v = realloc(n->kids, total * sizeof *v);
    if (!v) return; /* left nested: still a valid tree */
    n->kids = v;
    memmove(v + i + c->nkids, v + i + 1, (n->nkids - i - 1) * sizeof *v);
    memcpy(v + i, c->kids, c->nkids * sizeof *v);
    n->nkids = total;
    c->nkids = 0;
    dq_node_free(c);
}

/* ------------------------------------------------------------- counting */

static int over(bounder *b, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int over(bounder *b, size_t off, const char *fmt, ...)
{
    if (b->err && b->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, b->errlen, fmt, ap);
        va_end(ap);
    }
    if (b->erroff) *b->erroff = off;
    return DQ_EQUERY;
}

static int add_words(bounder *b, size_t n, size_t off)
{
    if (n > b->lim->words - b->words)
        return over(b, off, "too many words: at most %u in one query "
                    "(repeated words count once; query limit words=%u)",
                    b->lim->words, b->lim->words);
    b->words += (unsigned)n;
    return DQ_OK;
}

static int phrase_words(bounder *b, size_t n, size_t off, const char *what)
{
    if (n > b->lim->phrase)
        return over(b, off, "%s has %zu words, at most %u (query limit "
                    "phrase=%u)", what, n, b->lim->phrase, b->lim->phrase);
    return DQ_OK;
}

/* The positional words of a phrase or NEAR chain below n. */
static int positional_words(bounder *b, const dq_node *n, size_t *count)
{
    if (n->kind == DQ_WORD) {
        size_t m = 0;
        int rc = analyse(b, n->text, n->len, &m);
        *count += m;
        return rc;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        int rc = positional_words(b, n->kids[i], count);
        if (rc != DQ_OK) return rc;
    }
    return DQ_OK;
}

static int count(bounder *b, const dq_node *n)
{
    size_t m = 0;
    int rc;
    switch (n->kind) {
    case DQ_WORD:
        rc = analyse(b, n->text, n->len, &m);
        if (rc == DQ_OK && n->prefix) {
            if (b->prefixes == b->lim->prefixes)
                return over(b, n->offset, "too many prefix searches: at "
                            "most %u words ending in '*' in one query "
                            "(query limit prefixes=%u)", b->lim->prefixes,
                            b->lim->prefixes);
            b->prefixes++;
        }
        if (rc == DQ_OK && m > 1)
            rc = phrase_words(b, m, n->offset, "this word (which reads as a "
                              "phrase)");
        return rc == DQ_OK ? add_words(b, m, n->offset) : rc;
    case DQ_PHRASE:
    case DQ_NEAR:
        rc = positional_words(b, n, &m);
        if (rc == DQ_OK)
            rc = phrase_words(b, m, n->offset, n->kind == DQ_PHRASE
                              ? "the phrase" : "the NEAR chain");
        return rc == DQ_OK ? add_words(b, m, n->offset) : rc;
    case DQ_FIELD:
        if (b->fields == b->lim->fields)
            return over(b, n->offset, "too many field filters: at most %u "
                        "in one query (query limit fields=%u)",
                        b->lim->fields, b->lim->fields);
        b->fields++;
        return DQ_OK;
    default:
        for (size_t i = 0; i < n->nkids; i++) {
            rc = count(b, n->kids[i]);
            if (rc != DQ_OK) return rc;
        }
        return DQ_OK;
    }
}

int dq_bound(dq_node **ast, const dq_limits *lim, char *err, size_t errlen,
             size_t *erroff)
{
    bounder b = {{0}, lim ? lim : &dq_limits_default, err, errlen, erroff,
                 0, 0, 0};
    char *key = NULL;
    int rc = dedup(&b, *ast, &key);
    free(key);
    if (rc == DQ_OK && ((*ast)->kind == DQ_AND || (*ast)->kind == DQ_OR) &&
        (*ast)->nkids == 1) {
        dq_node *c = (*ast)->kids[0];
        (*ast)->nkids = 0;
        dq_node_free(*ast);
        *ast = c;
    }
    if (rc == DQ_OK) rc = count(&b, *ast);
    sv_tokens_free(&b.toks);
    return rc;
}
