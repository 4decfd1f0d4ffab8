/*
 * diarium-query — ranks passages of a diarium database for a question.
 *
 * A thin program over query/dq_search.h and dq_output.h. Exit status
 * (DESIGN.md contract): 0 also when nothing matched; 2 usage or query syntax
 * error, with a message that points at the problem; 3 fatal.
 */
#include "dq_output.h"
#include "dq_report.h"
#include "dq_search.h"
#include "dx_format.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <time.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "diarium-query"

/* --db given more often than this is refused (each is a database opened,
 * a remote one a connection). */
#define MAX_DBS 256

static void usage(FILE *f)
{
    char lims[160];
    dq_limits_format(&dq_limits_default, lims, sizeof lims);
    fprintf(f,
"Usage: " PROG " [OPTION]... QUERY...\n"
"Rank the passages of a diarium database for QUERY.\n"
"\n"
"  --db DB           database (default: $DIARIUM_DB, else ./diarium.db):\n"
"                    a folder, a Xapian stub file or tcp:HOST:PORT (a\n"
"                    xapian-tcpsrv); give it more than once to search\n"
"                    several databases as one\n"
"  --limit N         at most N results (default 10)\n"
"  --format FMT      text, json (JSON Lines) or csv (default text)\n"
"  --per-document    at most one result per document: its best passage\n"
"  --passages N      with --per-document: up to N passages per document\n"
"  --exact           no OCR / diacritic tolerance: exact stems only\n"
"  --explain         show which spellings each query word matched\n"
"  --queries FILE    run one query per line of FILE ('-': standard input);\n"
"                    results carry their query\n"
"  --timing          print each query's time to standard error (JSON)\n"
"  --count           print only the number of matching passages and\n"
"                    documents\n"
"  --sort WHAT       relevance (default) or date (newest document first)\n"
"  --facets LIST     count matching documents per value of these fields,\n"
"                    e.g. kommun,år,typ (also utfall, myndighet)\n"
"  --color WHEN      bold highlights: auto (default), always or never\n"
"  --report FMT      write a topic report of QUERY: html, md or csv;\n"
"                    per document up to 3 passages, at most 500\n"
"                    documents unless --limit is given\n"
"  -o, --output FILE where --report writes ('-': standard output)\n"
"  --query-limit NAME=N[,NAME=N...]\n"
"                    what one query may cost (NAMEs and defaults:\n"
"                    %s)\n"
"  --help            show this help and exit\n"
"  --version         show the version and exit\n"
"\n"
"Query syntax: words (all must match), \"exact phrases\", OR, NOT or a\n"
"leading -, parentheses, a NEAR b, a NEAR/5 b, prefix*, and the fields\n"
"doc:ID kommun: typ: dnr: utfall: skola: myndighet: huvudman:\n"
"år:2021 år:2019..2023 datum:2021-01-01..2021-06-30.\n"
"Examples:\n"
"  " PROG " kompensatoriska åtgärder\n"
"  " PROG " '\"särskilt stöd\" OR \"extra anpassningar\" -betyg'\n"
"\n"
"Words match in every spelling PDF extraction leaves: \"åtgärder\" also\n"
"finds \"atgarder\", \"atgirder\" and \"atgérder\" (exact spellings rank\n"
"first). Exit status: 0 (also when nothing matched); 2 usage or query\n"
"syntax error; 3 fatal (no database, database error).\n", lims);
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 100000 || s[0] == '-') return -1;
    *out = (unsigned)v;
    return 0;
}

static int bad_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": error: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
    return 2;
}

/* Prints the query (len bytes; control characters and bytes that are not
 * UTF-8 as \xHH) with a caret under byte offset `off`. */
static void point_at(const char *q, size_t len, size_t off)
{
    if (off > len) off = len;
    fputs("  ", stderr);
    size_t col = dq_print_safe(stderr, q, off, 0);
    dq_print_safe(stderr, q + off, len - off, 0);
    fprintf(stderr, "\n  %*s^\n", (int)col, "");
}

typedef struct run_ctx {
    dq_engine *e;
    const dq_options *o;
    dq_format fmt;
    int bold, timing, count;
    int status; /* worst exit status so far */
} run_ctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs and prints one query (qlen bytes); `label` (several queries) is
 * printed with the results, `file`:`line` locates errors. */
static void run_one(run_ctx *c, const char *q, size_t qlen, const char *label,
                    const char *file, unsigned line)
{
    char err[1024] = "";
    size_t erroff = 0;
    dq_results *r = NULL;
    unsigned np = 0, nd = 0;
    double t0 = now();
    int rc = c->count ? dq_count(c->e, q, qlen, c->o, &np, &nd, err,
                                 sizeof err, &erroff)
                      : dq_search(c->e, q, qlen, c->o, &r, err, sizeof err,
                                  &erroff);
    double us = (now() - t0) * 1e6;
    if (rc == DQ_ESYNTAX || rc == DQ_EQUERY) {
        if (file)
            fprintf(stderr, PROG ": error: %s:%u: %s: %s\n", file, line,
                    rc == DQ_ESYNTAX ? "query syntax" : "query", err);
        else
            fprintf(stderr, PROG ": error: %s: %s\n",
                    rc == DQ_ESYNTAX ? "query syntax" : "query", err);
        point_at(q, qlen, erroff);
        if (c->status < 2) c->status = 2;
        return;
    }
    if (rc != DQ_OK) {
        fprintf(stderr, PROG ": error: %s\n",
                rc == DQ_ENOMEM ? "out of memory" : err);
        c->status = 3;
        return;
    }
    if (c->timing) {
        fputs("{\"timing\":", stderr);
        dq_json_string(stderr, q, strlen(q));
        fprintf(stderr, ",\"microseconds\":%.0f,\"results\":%zu}\n", us,
                r ? r->n : (size_t)np);
    }
    if (c->count) {
        if (c->fmt == DQ_FMT_JSON) {
            fputc('{', stdout);
            if (label) {
                fputs("\"query\":", stdout);
                dq_json_string(stdout, label, strlen(label));
                fputc(',', stdout);
            }
            printf("\"passages\":%u,\"documents\":%u}\n", np, nd);
        } else if (c->fmt == DQ_FMT_CSV) {
            if (label) {
                dq_csv_field(stdout, label, strlen(label));
                fputc(',', stdout);
            }
            printf("%u,%u\n", np, nd);
        } else {
            if (label) {
                dq_print_safe(stdout, label, strlen(label), 0);
                fputs(": ", stdout);
            }
            printf("%u passage%s in %u document%s\n", np, np == 1 ? "" : "s",
                   nd, nd == 1 ? "" : "s");
        }
        return;
    }
    if (dq_print_notes(stderr, PROG, r) != 0) c->status = 3;
    if (dq_print_suggestion(c->fmt == DQ_FMT_JSON ? stdout : stderr, r,
                            c->fmt) != 0)
        c->status = 3;
    if (c->o->explain &&
        dq_print_explain(c->fmt == DQ_FMT_JSON ? stdout : stderr, r,
                         c->fmt) != 0)
        c->status = 3;
    if (dq_print_results(stdout, r, c->fmt, c->bold, label) != 0)
        c->status = 3;
    if (dq_print_facets(stdout, r, c->fmt) != 0) c->status = 3;
    dq_results_free(r);
}

/* --report: runs q once (per document, up to 3 passages each unless
 * --passages says otherwise, at most 500 documents unless --limit does,
 * with the facets the charts need) and writes the report to `out` ('-':
 * standard output). A report that cannot be written is removed. Returns the
 * exit status. */
/* Appends s percent-encoded (all but unreserved characters and '/') to
 * out at *n; 0, or -1 when it does not fit. */
static int put_encoded(char *out, size_t outlen, size_t *n, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*n + 4 > outlen) return -1;
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || strchr("-._~/", *c)) {
            out[(*n)++] = (char)*c;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[*c >> 4];
            out[(*n)++] = hex[*c & 15];
        }
    }
    out[*n] = '\0';
    return 0;
}

/* A report's link to a document's file (dq_report_info.doc_link): the
 * folder it was indexed from and its id, a file:// URL when that folder
 * was given as an absolute path (else a path relative to where the
 * indexer ran). */
static size_t report_link(void *ctx, const char *doc, char *out,
                          size_t outlen)
{
    dq_engine *e = ctx;
    char *root = NULL, err[256];
    if (dq_engine_doc_root(e, doc, &root, err, sizeof err) != DQ_OK || !root)
        return 0;
    size_t n = 0;
    int rc = 0;
    if (root[0] == '/') {
        if (outlen < 8) rc = -1;
        else {
            memcpy(out, "file://", 7);
            n = 7;
        }
    }
    /* A file root (a single file indexed) is the document itself. */
    size_t rl = strlen(root), dl = strlen(doc);
    int file_root = rl >= dl && strcmp(root + rl - dl, doc) == 0 &&
                    (rl == dl || root[rl - dl - 1] == '/');
    if (rc == 0) rc = put_encoded(out, outlen, &n, root);
    if (rc == 0 && !file_root) {
        if (n + 2 > outlen) rc = -1;
        else if (n == 0 || out[n - 1] != '/') out[n++] = '/';
        if (rc == 0) rc = put_encoded(out, outlen, &n, doc);
    }
    free(root);
    return rc == 0 ? n : 0;
}

static int run_report(dq_engine *e, const char *db, const char *q,
                      dq_options o, int fmt, const char *out,
                      int limit_given, int passages_given)
{
    char err[1024] = "", when[40] = "";
    size_t erroff = 0;
    dq_results *r = NULL;
    unsigned np = 0, nd = 0;
    o.per_document = 1;
    if (!passages_given) o.passages = 3;
    if (!limit_given) o.limit = 500;
    unsigned max_docs = o.limit;
    o.limit *= o.passages; /* dq_search counts passages, the report
                              documents */
    char facets[64]; /* what the report charts (dq_report.h) */
    snprintf(facets, sizeof facets, "%s,%s,%s,%s",
             dx_filter_names[DX_FILTER_KOMMUN], dx_filter_names[DX_FILTER_YEAR],
             dx_filter_names[DX_FILTER_TYPE],
             dx_filter_names[DX_FILTER_OUTCOME]);
    o.facets = facets;
    int rc = dq_search(e, q, strlen(q), &o, &r, err, sizeof err, &erroff);
    if (rc == DQ_ESYNTAX || rc == DQ_EQUERY) {
        fprintf(stderr, PROG ": error: %s: %s\n",
                rc == DQ_ESYNTAX ? "query syntax" : "query", err);
        point_at(q, strlen(q), erroff);
        return 2;
    }
    if (rc == DQ_OK) rc = dq_engine_stats(e, &np, &nd, err, sizeof err);
    if (rc != DQ_OK) {
        fprintf(stderr, PROG ": error: %s\n",
                rc == DQ_ENOMEM ? "out of memory" : err);
        dq_results_free(r);
        return 3;
    }
    time_t now_t = time(NULL);
    struct tm tm;
    if (localtime_r(&now_t, &tm) &&
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm) == 24) {
        memmove(when + 23, when + 22, 3); /* +0100 -> +01:00 */
        when[22] = ':';
    }
    dq_report_info info = {q, db, when, nd, np, DIARIUM_VERSION,
                           o.passages, max_docs, report_link, e};
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
    if (!f) {
        fprintf(stderr, PROG ": error: cannot write the report to %s: %s\n",
                out, strerror(errno));
        dq_results_free(r);
        return 3;
    }
    struct stat sb; /* only a regular file is removed after a failure */
    int regular = f != stdout && fstat(fileno(f), &sb) == 0 &&
                  S_ISREG(sb.st_mode);
    dq_print_notes(stderr, PROG, r);
    dq_print_suggestion(stderr, r, DQ_FMT_TEXT);
    errno = 0;
    rc = dq_report_write(f, (dq_report_format)fmt, &info, r);
    int why = errno;
    if (fclose(f) != 0 && rc == DQ_OK) {
        rc = DQ_EWRITE;
        why = errno;
    }
    dq_results_free(r);
    if (rc == DQ_OK) return 0;
    if (rc == DQ_ENOMEM)
        fprintf(stderr, PROG ": error: out of memory writing the report to "
                "%s\n", out);
    else
        fprintf(stderr, PROG ": error: cannot write the report to %s: %s\n",
                out, why ? strerror(why) : "write error");
    if (regular) remove(out);
    return 3;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {"per-document", no_argument, NULL, 'p'},
        {"passages", required_argument, NULL, 'P'},
        {"exact", no_argument, NULL, 'e'},
        {"explain", no_argument, NULL, 'x'},
        {"queries", required_argument, NULL, 'Q'},
        {"timing", no_argument, NULL, 'T'},
        {"count", no_argument, NULL, 'C'},
        {"sort", required_argument, NULL, 'S'},
        {"facets", required_argument, NULL, 'F'},
        {"color", required_argument, NULL, 'c'},
        {"colour", required_argument, NULL, 'c'},
        {"report", required_argument, NULL, 'R'},
        {"output", required_argument, NULL, 'o'},
        {"query-limit", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *db = getenv("DIARIUM_DB");
    const char *dbs[MAX_DBS]; /* every --db, in order */
    size_t ndbs = 0;
    dq_limits limits = dq_limits_default;
    dq_options o = {10, 0, 1, 0, 0, NULL, 0, &limits, 0, 0};
    dq_format fmt = DQ_FMT_TEXT;
    int timing = 0, count = 0, c;
    const char *queries = NULL;
    const char *color = "auto";
    const char *report_out = NULL;
    int report = -1, limit_given = 0, passages_given = 0;
    if (!db || !*db) db = "diarium.db";
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (ndbs == MAX_DBS)
                return bad_usage("--db may be given at most %d times",
                                 MAX_DBS);
            dbs[ndbs++] = optarg;
            break;
        case 'l':
            if (parse_uint(optarg, &o.limit))
                return bad_usage("--limit takes a number from 0 to 100000, "
                                 "not '%s'", optarg);
            limit_given = 1;
            break;
        case 'P':
            if (parse_uint(optarg, &o.passages) || o.passages == 0)
                return bad_usage("--passages takes a number from 1 to "
                                 "100000, not '%s'", optarg);
            passages_given = 1;
            break;
        case 'f':
            if (strcmp(optarg, "text") == 0) fmt = DQ_FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) fmt = DQ_FMT_JSON;
            else if (strcmp(optarg, "csv") == 0) fmt = DQ_FMT_CSV;
            else
                return bad_usage("--format is text, json or csv, not '%s'",
                                 optarg);
            break;
        case 'p': o.per_document = 1; break;
        case 'e': o.exact = 1; break;
        case 'x': o.explain = 1; break;
        case 'Q': queries = optarg; break;
        case 'T': timing = 1; break;
        case 'C': count = 1; break;
        case 'S':
            if (strcmp(optarg, "date") == 0) o.sort_date = 1;
            else if (strcmp(optarg, "relevance") == 0) o.sort_date = 0;
            else
                return bad_usage("--sort is relevance or date, not '%s'",
                                 optarg);
            break;
        case 'F': o.facets = optarg; break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
                strcmp(optarg, "never"))
                return bad_usage("--color is auto, always or never, not "
                                 "'%s'", optarg);
            color = optarg;
            break;
        case 'R':
            report = dq_report_format_from_name(optarg);
            if (report < 0)
                return bad_usage("--report is html, md or csv, not '%s'",
                                 optarg);
            break;
        case 'o': report_out = optarg; break;
        case 'L': {
            char why[256];
            if (dq_limits_parse(&limits, optarg, why, sizeof why) != DQ_OK)
                return bad_usage("--query-limit: %s", why);
            break;
        }
        case 'h': usage(stdout); return 0;
        case 'V': puts(PROG " " DIARIUM_VERSION); return 0;
        default:
            return bad_usage("unknown option or missing argument: '%s'",
                             argv[optind - 1]);
        }
    }
    if (optind >= argc && !queries)
        return bad_usage("%s", "no QUERY given (or --queries FILE)");
    if (optind < argc && queries)
        return bad_usage("%s", "give either QUERY or --queries FILE");
    if (report >= 0 && !report_out)
        return bad_usage("%s", "--report needs -o FILE ('-o -': standard "
                         "output)");
    if (report_out && report < 0)
        return bad_usage("%s", "-o FILE goes with --report html|md|csv");
    if (report >= 0 && (queries || count))
        return bad_usage("%s", "--report takes one QUERY (not --queries or "
                         "--count)");

    /* The query: the remaining arguments joined by spaces. */
    size_t qlen = 0;
    for (int i = optind; i < argc; i++) qlen += strlen(argv[i]) + 1;
    char *q = malloc(qlen + 1);
    if (!q) {
        fprintf(stderr, PROG ": error: out of memory\n");
        return 3;
    }
    q[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind) strcat(q, " ");
        strcat(q, argv[i]);
    }

    int bold = strcmp(color, "always") == 0 ||
               (strcmp(color, "auto") == 0 && fmt == DQ_FMT_TEXT &&
                isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));

    if (ndbs == 0) dbs[ndbs++] = db;
    /* The databases as the report names them: "A, B, C". */
    char dbnames[1024] = "";
    for (size_t i = 0, at = 0; i < ndbs && at < sizeof dbnames; i++) {
        int k = snprintf(dbnames + at, sizeof dbnames - at, "%s%s",
                         i ? ", " : "", dbs[i]);
        if (k < 0) break;
        at += (size_t)k;
    }

    char err[1024] = "";
    dq_engine *e = NULL;
    int rc = dq_engine_open_many(dbs, ndbs, &e, err, sizeof err);
    if (rc != DQ_OK) {
        fprintf(stderr, PROG ": error: %s\n",
                rc == DQ_ENOMEM ? "out of memory" : err);
        free(q);
        return 3;
    }
    if (report >= 0) {
        int st = run_report(e, dbnames, q, o, report, report_out, limit_given,
                            passages_given);
        dq_engine_close(e);
        free(q);
        return st;
    }
    run_ctx ctx = {e, &o, fmt, bold, timing, count, 0};
    if (fmt == DQ_FMT_CSV && count)
        fputs(queries ? "query,passages,documents\n" : "passages,documents\n",
              stdout);
    else if (fmt == DQ_FMT_CSV)
        dq_print_csv_header(stdout, queries != NULL);
    if (!queries) {
        run_one(&ctx, q, strlen(q), NULL, NULL, 0);
    } else {
        FILE *in = strcmp(queries, "-") == 0 ? stdin : fopen(queries, "r");
        if (!in) {
            fprintf(stderr, PROG ": error: cannot open %s: %s\n", queries,
                    strerror(errno));
            ctx.status = 3;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        unsigned lineno = 0;
        int why = 0;
        while (in && ctx.status != 3) {
            errno = 0;
            if ((n = getline(&line, &cap, in)) < 0) {
                why = errno;
                break;
            }
            lineno++;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            size_t k = 0;
            while (k < (size_t)n && (line[k] == ' ' || line[k] == '\t')) k++;
            if (k == (size_t)n || line[k] == '#') continue;
            /* all n bytes: a NUL in the line is a syntax error, not its
             * end */
            run_one(&ctx, line + k, (size_t)n - k, line + k, queries,
                    lineno);
        }
        free(line);
        /* A file that cannot be read (a folder, an I/O error) is as fatal
         * as one that cannot be opened: exit 3, never a silent 0. */
        if (in && ferror(in)) {
            const char *name = in == stdin ? "standard input" : queries;
            if (lineno)
                fprintf(stderr, PROG ": error: cannot read %s after line "
                        "%u: %s\n", name, lineno, strerror(why ? why : EIO));
            else
                fprintf(stderr, PROG ": error: cannot read %s: %s\n", name,
                        strerror(why ? why : EIO));
            ctx.status = 3;
        }
        if (in && in != stdin && fclose(in) != 0 && ctx.status != 3) {
            fprintf(stderr, PROG ": error: cannot read %s: %s\n", queries,
                    strerror(errno));
            ctx.status = 3;
        }
    }
    dq_engine_close(e);
    free(q);
    if (fclose(stdout) != 0 && ctx.status == 0) {
        fprintf(stderr, PROG ": error: cannot write the results\n");
        ctx.status = 3;
    }
    return ctx.status;
}
