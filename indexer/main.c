/*
 * diarium-index — creates or incrementally updates a diarium database from
 * folders of Swedish decision documents (.txt, .md, .txt.gz, .md.gz).
 *
 * A thin program over indexer/dx_index.h. Exit status (DESIGN.md contract):
 * 0 all indexed; 1 done, but some files were skipped (each named on stderr
 * with the reason); 2 usage error; 3 fatal (database locked, unwritable,
 * corrupt, or analysed by another version).
 */
#include "dx_index.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "diarium-index"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " [--db DIR] [--full] [--quiet] [--json] [PATH...]\n"
"Create or incrementally update a diarium database from the documents\n"
"(.txt, .md, .txt.gz, .md.gz) under each PATH (default: ./corpus).\n"
"\n"
"  --db DIR     database folder (default: $DIARIUM_DB, else ./diarium.db)\n"
"  --full       rebuild the database from scratch\n"
"  --quiet      print only problems\n"
"  --json       print the summary as one JSON object\n"
"  --help       show this help and exit\n"
"  --version    show the version and exit\n"
"\n"
"A document's id is its path relative to the PATH it was found under.\n"
"Unchanged files (same size and modification time) are not read again;\n"
"files gone from a PATH are removed from the database.\n"
"\n"
"Exit status: 0 all indexed; 1 some files skipped (named on stderr);\n"
"2 usage error; 3 fatal (database locked, unwritable or corrupt).\n");
}

typedef struct problems {
    unsigned n;
    int quiet;
} problems;

static void on_problem(void *ctx, const char *path, const char *why)
{
    problems *p = ctx;
    p->n++;
    fprintf(stderr, PROG ": skipped %s: %s\n", path, why);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"full", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *db = getenv("DIARIUM_DB");
    int full = 0, quiet = 0, json = 0, c;
    if (!db || !*db) db = "diarium.db";
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': full = 1; break;
        case 'q': quiet = 1; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': puts(PROG " 0.1.0"); return 0;
        default:
            /* Name the option as typed (--db, not -d). */
            fprintf(stderr, PROG ": error: unknown option or missing "
                    "argument: '%s'\n", argv[optind - 1]);
            fprintf(stderr, "Try '" PROG " --help' for more information.\n");
            return 2;
        }
    }

    char err[1024] = "";
    double t0 = now();
    dx_indexer *ix = NULL;
    int rc = dx_indexer_open(db, full, &ix, err, sizeof err);
    if (rc != DXI_OK) {
        fprintf(stderr, PROG ": error: %s\n", err);
        return 3;
    }
    problems p = {0, quiet};
    static const char *const default_paths[] = {"corpus"};
    const char *const *paths = default_paths;
    int npaths = 1;
    if (optind < argc) {
        paths = (const char *const *)(argv + optind);
        npaths = argc - optind;
    }
    for (int i = 0; rc == DXI_OK && i < npaths; i++)
        rc = dx_indexer_add_root(ix, paths[i], on_problem, &p, err,
                                 sizeof err);
    if (rc == DXI_OK) rc = dx_indexer_finish(ix, err, sizeof err);
    if (rc != DXI_OK) {
        fprintf(stderr, PROG ": error: %s\n", err);
        dx_indexer_close(ix);
        return 3;
    }
    dx_stats s = *dx_indexer_stats(ix);
    dx_indexer_close(ix);
    double secs = now() - t0;

    if (json)
        printf("{\"added\":%u,\"updated\":%u,\"removed\":%u,\"unchanged\":%u,"
               "\"failed\":%u,\"passages\":%llu,\"bytes\":%llu,"
               "\"seconds\":%.3f}\n",
               s.added, s.updated, s.removed, s.unchanged, s.failed,
               (unsigned long long)s.passages, (unsigned long long)s.bytes,
               secs);
    else if (!quiet)
        printf(PROG ": %u added, %u updated, %u removed, %u unchanged, "
               "%u failed; %llu passages in %.2f s (%s)\n",
               s.added, s.updated, s.removed, s.unchanged, s.failed,
               (unsigned long long)s.passages, secs, db);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": error: cannot write to standard output\n");
        return 3;
    }
    return s.failed || p.n ? 1 : 0;
}
