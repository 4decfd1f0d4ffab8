/*
 * xapian_bench.c — query latency of a stock Xapian database built by
 * scriptindex (bench/speed.sh), in one process, warm.
 *
 * Stock Xapian has no multi-query command-line tool, so this program runs
 * what an application using Xapian's QueryParser would run: for each line of
 * QUERIES it builds the query QueryParser gives with Stem("swedish"),
 * STEM_SOME and default operator AND, against the terms that scriptindex's
 * TermGenerator wrote:
 *
 *   word                 Z<stem of the lower-cased word>     (STEM_SOME)
 *   word word            AND of the words
 *   "w1 w2 ..."          PHRASE of the lower-cased unstemmed words (window =
 *                        number of words), as TermGenerator indexes them
 *                        with positions
 *   a OR b               OR (lower precedence than the implicit AND, as in
 *                        Xapian's QueryParser)
 *
 * and runs it with BM25 (Xapian's defaults) for the top LIMIT documents,
 * fetching each result's document data (as an application showing results
 * would). With --collapse SLOT (the one-document-per-paragraph database),
 * at most one result per value of SLOT (the source document id).
 *
 * It links only diarium's Xapian shim (xapian-c/xc.h) and libstemmer: the
 * query terms are stemmed with libstemmer 2.2.0, the Snowball Swedish
 * stemmer of the same version as Xapian 1.4.22's built-in one.
 *
 * Usage: xapian-bench DB QUERIES [--runs N] [--limit N] [--collapse SLOT]
 * One untimed warm-up pass over all queries, then N timed passes (default
 * 5). Prints one line per query and timed pass on standard output:
 *   {"timing":"<query>","microseconds":N,"results":n,"matches":m}
 * (m: Xapian's estimate of the number of matches). Exit status 0, 2 on
 * usage errors, 3 on database or query errors.
 */
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xc.h"

#define PROG "xapian-bench"
#define MAX_QUERIES 1024
#define MAX_ITEMS 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Lower-cases ASCII and the Latin-1 letters (U+00C0..U+00DE but U+00D7) in
 * place: enough for Swedish queries. */
static void lower_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    for (; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (unsigned char)(*p + 32);
        } else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E &&
                   p[1] != 0x97) {
            p[1] = (unsigned char)(p[1] + 0x20);
            p++;
        }
    }
}

static void fail(const char *what, int rc, char *err)
{
    fprintf(stderr, PROG ": error: %s: %s%s%s\n", what, xc_strerror(rc),
            err ? ": " : "", err ? err : "");
    xc_free(err);
    exit(3);
}

typedef struct {
    struct sb_stemmer *stem;
    unsigned pos; /* query position of the next term */
} builder;

static xc_query *term(builder *b, const char *t, size_t len)
{
    xc_query *q = NULL;
    char *err = NULL;
    int rc = xc_query_term(t, len, 1, ++b->pos, &q, &err);
    if (rc != XC_OK) fail("term", rc, err);
    return q;
}

static xc_query *combine(int op, xc_query **subs, size_t n)
{
    if (n == 1) return subs[0];
    xc_query *q = NULL;
    char *err = NULL;
    int rc = xc_query_combine(op, subs, n, 0, &q, &err);
    if (rc != XC_OK) fail("combine", rc, err);
    for (size_t i = 0; i < n; i++) xc_query_free(subs[i]);
    return q;
}

/* A stemmed word: Z<stem>. */
static xc_query *word(builder *b, char *w)
{
    char buf[512];
    lower_utf8(w);
    const sb_symbol *s =
        sb_stemmer_stem(b->stem, (const sb_symbol *)w, (int)strlen(w));
    int n = sb_stemmer_length(b->stem);
    if (!s || n <= 0 || n > (int)sizeof buf - 2) {
        fprintf(stderr, PROG ": error: cannot stem %s\n", w);
        exit(3);
    }
    buf[0] = 'Z';
    memcpy(buf + 1, s, (size_t)n);
    return term(b, buf, (size_t)n + 1);
}

/* Builds the QueryParser-equivalent query of line `s` (modified). */
static xc_query *parse(builder *b, char *s)
{
    xc_query *groups[MAX_ITEMS], *items[MAX_ITEMS];
    size_t ng = 0, ni = 0;
    b->pos = 0;
    for (char *p = s; *p;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        if (*p == '"') { /* a phrase of unstemmed words */
            char *end = strchr(++p, '"');
            if (end) *end = '\0';
            xc_query *words[MAX_ITEMS];
            size_t nw = 0;
            for (char *w = strtok(p, " \t"); w && nw < MAX_ITEMS;
                 w = strtok(NULL, " \t")) {
                lower_utf8(w);
                words[nw++] = term(b, w, strlen(w));
            }
            if (nw && ni < MAX_ITEMS)
                items[ni++] = nw == 1 ? words[0]
                                      : combine(XC_OP_PHRASE, words, nw);
            p = end ? end + 1 : p + strlen(p);
            continue;
        }
        char *w = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = '\0';
        if (strcmp(w, "OR") == 0) {
            if (ni && ng < MAX_ITEMS)
                groups[ng++] = combine(XC_OP_AND, items, ni);
            ni = 0;
        } else if (ni < MAX_ITEMS) {
            items[ni++] = word(b, w);
        }
    }
    if (ni && ng < MAX_ITEMS) groups[ng++] = combine(XC_OP_AND, items, ni);
    if (ng == 0) {
        xc_query *q = NULL;
        char *err = NULL;
        int rc = xc_query_match_nothing(&q, &err);
        if (rc != XC_OK) fail("query", rc, err);
        return q;
    }
    return combine(XC_OP_OR, groups, ng);
}

/* Runs one query; returns its wall time in seconds. */
static double run(xc_db *db, builder *b, const char *line, unsigned limit,
                  long collapse, unsigned *nres, unsigned *matches)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", line);
    char *err = NULL;
    int rc;
    double t0 = now();
    xc_query *q = parse(b, copy);
    xc_enquire *e = NULL;
    xc_mset *m = NULL;
    if ((rc = xc_enquire_new(db, &e, &err)) != XC_OK) fail("enquire", rc, err);
    if ((rc = xc_enquire_set_query(e, q, &err)) != XC_OK)
        fail("set_query", rc, err);
    if ((rc = xc_enquire_set_bm25(e, 1, 0, 1, 0.5, 0.5, &err)) != XC_OK)
        fail("bm25", rc, err);
    if (collapse >= 0 &&
        (rc = xc_enquire_set_collapse(e, (unsigned)collapse, 1, &err)) !=
            XC_OK)
        fail("collapse", rc, err);
    if ((rc = xc_enquire_mset(e, 0, limit, 0, &m, &err)) != XC_OK)
        fail("mset", rc, err);
    unsigned n = xc_mset_size(m);
    for (unsigned i = 0; i < n; i++) { /* fetch what a result page shows */
        unsigned docid;
        char *data = NULL;
        size_t len;
        xc_mset_item(m, i, &docid, NULL, NULL);
        if ((rc = xc_db_get_data(db, docid, &data, &len, &err)) != XC_OK)
            fail("get_data", rc, err);
        xc_free(data);
    }
    double t = now() - t0;
    xc_mset_estimates(m, NULL, matches, NULL);
    *nres = n;
    xc_mset_free(m);
    xc_enquire_free(e);
    xc_query_free(q);
    return t;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    const char *dbpath = NULL, *qpath = NULL;
    int runs = 5;
    unsigned limit = 10;
    long collapse = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
            limit = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--collapse") == 0 && i + 1 < argc)
            collapse = atol(argv[++i]);
        else if (!dbpath)
            dbpath = argv[i];
        else if (!qpath)
            qpath = argv[i];
        else
            dbpath = NULL, i = argc;
    }
    if (!dbpath || !qpath || runs < 1 || limit < 1) {
        fprintf(stderr, "usage: " PROG " DB QUERIES [--runs N] [--limit N] "
                        "[--collapse SLOT]\n");
        return 2;
    }

    static char *queries[MAX_QUERIES];
    size_t nq = 0;
    FILE *in = fopen(qpath, "r");
    if (!in) {
        perror(qpath);
        return 2;
    }
    char line[4096];
    while (nq < MAX_QUERIES && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (*s && *s != '#') queries[nq++] = strdup(s);
    }
    fclose(in);

    xc_db *db = NULL;
    char *err = NULL;
    int rc = xc_db_open(dbpath, &db, &err);
    if (rc != XC_OK) fail(dbpath, rc, err);
    builder b = {sb_stemmer_new("swedish", "UTF_8"), 0};
    if (!b.stem) {
        fprintf(stderr, PROG ": error: no Swedish stemmer\n");
        return 3;
    }
    for (int r = 0; r <= runs; r++) { /* pass 0 warms up, untimed */
        for (size_t i = 0; i < nq; i++) {
            unsigned n, matches;
            double t = run(db, &b, queries[i], limit, collapse, &n, &matches);
            if (r == 0) continue;
            fputs("{\"timing\":", stdout);
            json_string(queries[i]);
            printf(",\"microseconds\":%.0f,\"results\":%u,\"matches\":%u}\n",
                   t * 1e6, n, matches);
        }
    }
    sb_stemmer_delete(b.stem);
    xc_db_close(db);
    for (size_t i = 0; i < nq; i++) free(queries[i]);
    return fclose(stdout) == 0 ? 0 : 3;
}
