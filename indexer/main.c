/*
 * diarium-index — creates or incrementally updates a diarium database from
 * folders of Swedish decision documents (.txt, .md, .txt.gz, .md.gz, .pdf,
 * .docx, .odt, and scans: .tif, .png, .jpg), and checks one (--check).
 *
 * A thin program over indexer/dx_index.h and dx_check.h, made to run
 * unattended every night: a one-line summary (or one JSON object) at the
 * end, problems on stderr named by file, a progress bar only when stderr is
 * a terminal. Exit status (DESIGN.md contract):
 *   0 all indexed (--check: the database is sound);
 *   1 done, but some files were skipped (each named on stderr with the
 *     reason);
 *   2 usage error (also: --db names a file, or a folder that holds other
 *     things and no database; nothing is written there);
 *   3 fatal: database locked by another writer (the message names its pid),
 *     unwritable, corrupt, or analysed by another version (--check: the
 *     database is not sound, or could not be checked).
 */
#include "dx_check.h"
#include "dx_index.h"
#include "dx_out.h"
#include "dx_read.h"
#include "xc.h"

#include <getopt.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef DIARIUM_MIMALLOC
#include <mimalloc.h>
#endif

#define PROG "diarium-index"

/* --version's second line: the allocator this program's malloc reaches.
 * CMake links diarium-index with mimalloc ahead of the C library
 * (indexer/CMakeLists.txt: Xapian's inverter allocates a map node per term
 * and passage); a block from malloc tells whether that took. */
static void print_allocator(void)
{
#ifdef DIARIUM_MIMALLOC
    void *p = calloc(1, 64); /* zeroed: a const view of unset bytes warns */
    int mine = p && mi_is_in_heap_region(p);
    free(p);
    if (mine) {
        int v = mi_version();
        printf("allocator: mimalloc %d.%d.%d\n", v / 100, v / 10 % 10,
               v % 10);
        return;
    }
#endif
    puts("allocator: C library");
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " [--db DIR] [--full] [--dry-run] [--quiet] [--json] [PATH...]\n"
"       " PROG " [--db DIR] --check [--json]\n"
"Create or incrementally update a diarium database from the documents\n"
"(.txt, .md, .txt.gz, .md.gz, .pdf, .docx, .odt, and scanned images:\n"
".tif, .tiff, .png, .jpg, .jpeg) under each PATH (default: ./corpus).\n"
"\n"
"  --db DIR     database folder (default: $DIARIUM_DB, else ./diarium.db)\n"
"  --full       rebuild from scratch (aside; swapped in when complete)\n"
"  --dry-run    list what would be added, updated, renamed and removed,\n"
"               without writing to the database\n"
"  --check      verify the database and say whether it is sound\n"
"  --quiet      print only problems\n"
"  --json       print the summary (or the check) as one JSON object\n"
"  --batch N    commit every N changed files (default 2000)\n"
"  --jobs N     threads of a first or --full build (default: one per\n"
"               processor it may use, as CPU affinity and a cgroup CPU\n"
"               quota allow); 1: one thread, committing batch by batch\n"
"  --max-file MB  skip (and name) files larger than MB MiB, after\n"
"               decompression (default 64, at most 1024): a thread needs\n"
"               memory several times the size of the largest file it reads\n"
"  --retry-failed  read again the PDF, Word and OpenDocument files, and\n"
"               the scanned pages, that could not be read before\n"
"               (otherwise they are listed as failed, and read again only\n"
"               once they change)\n"
"  --extract-cpu S, --extract-memory MB, --extract-wall S\n"
"               limits on reading one such file (default %u s of CPU time,\n"
"               %u MiB of memory, %u s of wall-clock time)\n"
"  --no-ocr     do not read scanned pages (they are named on stderr)\n"
"  --ocr-seconds S  CPU time to read one scanned page (default %u s)\n"
"  --help       show this help and exit\n"
"  --version    show the version and exit\n"
"\n"
"A document's id is its path relative to the PATH it was found under.\n"
"Unchanged files (same size and modification time) are not read again; a\n"
"file whose content is unchanged (same hash) is not analysed again, nor is\n"
"a renamed or moved one; files gone from a PATH are removed from the\n"
"database. A run that is interrupted leaves the database as of its last\n"
"commit; the next run finishes the job. A first or --full build with\n"
"more than one thread builds shards in parallel and merges them at the\n"
"end: it appears all at once, and when interrupted starts over. Memory:\n"
"each thread holds at most one batch (N files or 64 MiB of text), and\n"
"needs several times the size of the largest file it reads (--max-file).\n"
"Only one run at a time: a second one exits with status 3, naming the\n"
"first one's pid.\n"
"\n"
"PDF, Word and OpenDocument files are read by diarium-extract (in the\n"
"folder of this program), a separate process with those limits. Scanned\n"
"pages (a PDF page that is an image, an image file) are read by OCR with\n"
"Tesseract's Swedish model, on --jobs processors; each page is read once:\n"
"what was read is kept in DIR/ocr-cache (by content, so renames, copies\n"
"and --full rebuilds do not read it again). Passages read by OCR are\n"
"marked in the results.\n"
"\n"
"Exit status: 0 all indexed (--check: sound); 1 some files skipped (named\n"
"on stderr); 2 usage error (also: --db is not a database folder); 3 fatal\n"
"(database locked, unwritable, corrupt or built by another analysis version;\n"
"--check: not sound).\n",
            EX_DEFAULT_CPU_SECONDS, EX_DEFAULT_MEMORY_MB,
            EX_DEFAULT_WALL_SECONDS, EX_DEFAULT_OCR_SECONDS);
}

/* ------------------------------------------------------------- output */

/* Appends s to f as a JSON string (always valid: dx_out.h). */
static void json_str(FILE *f, const char *s) { dx_out_json(f, s); }

/* One line to f, formatted, with what it quotes from the file system
 * (names may hold ESC or bytes that are not UTF-8) made safe by
 * dx_out_text; the newline is added. */
static void say(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
    char buf[2048], *p = buf;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf && (p = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    dx_out_text(f, p ? p : buf);
    fputc('\n', f);
    if (p != buf) free(p);
}

/* A growing list of string triples, each one malloc'd block
 * "a\0b\0c\0" (for the JSON output: failures, and a dry run's changes). */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void strlist_add(strlist *l, const char *a, const char *b,
                        const char *c)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return; /* the list is a courtesy; stderr has it all */
        l->v = v;
        l->cap = cap;
    }
    size_t la = strlen(a) + 1, lb = strlen(b) + 1, lc = strlen(c) + 1;
    char *s = malloc(la + lb + lc);
    if (!s) return;
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc);
    l->v[l->n++] = s;
}

/* The k-th string (0..2) of a triple. */
static const char *nth(const char *s, int k)
{
    while (k-- > 0) s += strlen(s) + 1;
    return s;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the callbacks share. */
typedef struct run {
    int quiet, json, dry_run;
    int bar;          /* a progress bar on stderr (a terminal) */
    int bar_shown;    /* a bar line is on the screen */
    double t_start;   /* first progress report */
    double t_drawn;   /* last redraw */
    pthread_mutex_t mu; /* the bar: files and OCR pages come from
                         different threads */
    dx_progress last; /* files */
    unsigned ocr_done, ocr_total; /* scanned pages */
    double t_ocr;     /* when the first page to read by OCR was found */
    unsigned problems;
    strlist failures; /* "path\0reason" */
    strlist warnings; /* "path\0what" */
    strlist changes;  /* dry run: "action\0id[ <- old]" */
} run;

static void clear_bar(run *r)
{
    if (r->bar_shown) {
        fputs("\r\033[K", stderr);
        r->bar_shown = 0;
    }
}

static void on_problem(void *ctx, const char *path, const char *why)
{
    run *r = ctx;
    r->problems++;
    clear_bar(r);
    if (path) {
        say(stderr, PROG ": skipped %s: %s", path, why);
        if (r->json) strlist_add(&r->failures, path, why, "");
    } else {
        say(stderr, PROG ": warning: %s", why);
        if (r->json) strlist_add(&r->failures, "", why, "");
    }
}

static void on_warning(void *ctx, const char *path, const char *what)
{
    run *r = ctx;
    clear_bar(r);
    say(stderr, PROG ": warning: %s: %s", path, what);
    if (r->json) strlist_add(&r->warnings, path, what, "");
}

static const char *const change_names[] = {"add", "update", "rename",
                                           "remove"};

static void on_change(void *ctx, int what, const char *id, const char *other)
{
    run *r = ctx;
    if (!r->dry_run || what < 0 || what > 3) return;
    if (r->json) {
        strlist_add(&r->changes, change_names[what], id, other ? other : "");
        return;
    }
    if (r->quiet) return;
    if (other)
        say(stdout, "%-7s %s (was %s)", change_names[what], id, other);
    else
        say(stdout, "%-7s %s", change_names[what], id);
}

/* Rate and ETA from file sizes, or while scanned pages wait to be read
 * by OCR, from pages read per second; redrawn at most 4 times a second.
 * r->mu held. */
static void draw_bar(run *r)
{
    const dx_progress *p = &r->last;
    double t = now();
    if (!r->t_start) r->t_start = t;
    int last = p->files_done == p->files_total;
    if (last) {
        clear_bar(r);
        return;
    }
    if (t - r->t_drawn < 0.25 || t - r->t_start < 0.5) return;
    r->t_drawn = t;
    double el = t - r->t_start;
    double frac = p->bytes_total
                      ? (double)p->bytes_done / (double)p->bytes_total
                      : p->files_total
                            ? (double)p->files_done / p->files_total : 0;
    double rate = el > 0 ? (double)p->bytes_done / el : 0;
    char eta[32] = "--:--";
    if (rate > 0 && p->bytes_total >= p->bytes_done) {
        unsigned long s =
            (unsigned long)((double)(p->bytes_total - p->bytes_done) / rate);
        snprintf(eta, sizeof eta, "%lu:%02lu", s / 60, s % 60);
    }
    char ocr[64] = "";
    if (r->ocr_total) {
        snprintf(ocr, sizeof ocr, "  OCR %u/%u pages", r->ocr_done,
                 r->ocr_total);
        double oel = t - r->t_ocr, prate = oel > 0 ? r->ocr_done / oel : 0;
        if (r->ocr_done < r->ocr_total && prate > 0) {
            unsigned long s =
                (unsigned long)((r->ocr_total - r->ocr_done) / prate);
            snprintf(eta, sizeof eta, "%lu:%02lu", s / 60, s % 60);
        }
    }
    char bar[21];
    int fill = (int)(frac * 20 + 0.5);
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '-';
    bar[20] = '\0';
    fprintf(stderr,
            "\r\033[K%s [%s] %3d%%  %u/%u files  %.1f MB/s%s  ETA %s", PROG,
            bar, (int)(frac * 100), p->files_done, p->files_total,
            rate / 1e6, ocr, eta);
    fflush(stderr);
    r->bar_shown = 1;
}

static void on_progress(void *ctx, const dx_progress *p)
{
    run *r = ctx;
    if (!r->bar) return;
    pthread_mutex_lock(&r->mu);
    r->last = *p;
    draw_bar(r);
    pthread_mutex_unlock(&r->mu);
}

static void on_ocr_progress(void *ctx, unsigned done, unsigned total)
{
    run *r = ctx;
    if (!r->bar) return;
    pthread_mutex_lock(&r->mu);
    if (!r->ocr_total && total) r->t_ocr = now();
    r->ocr_done = done;
    r->ocr_total = total;
    draw_bar(r);
    pthread_mutex_unlock(&r->mu);
}

/* -------------------------------------------------------------- check */

static void on_check_problem(void *ctx, const char *what)
{
    run *r = ctx;
    r->problems++;
    if (r->json) strlist_add(&r->failures, what, "", "");
    else say(stdout, "problem: %s", what);
}

static int do_check(const char *db, run *r)
{
    char err[1024] = "";
    dx_check_stats st;
    int rc = dx_check(db, on_check_problem, r, &st, err, sizeof err);
    if (rc != DX_OK) {
        say(stderr, PROG ": error: %s", err);
        return rc == DX_EREFUSED ? 2 : 3;
    }
    int sound = st.problems == 0;
    if (r->json) {
        printf("{\"sound\":%s,\"documents\":%u,\"passages\":%u,"
               "\"failed\":%u,\"ocr_cache_pages\":%u,"
               "\"ocr_cache_damaged\":%u,\"problems\":[",
               sound ? "true" : "false", st.documents, st.passages,
               st.failed, st.ocr_pages, st.ocr_bad);
        for (size_t i = 0; i < r->failures.n; i++) {
            if (i) putchar(',');
            json_str(stdout, r->failures.v[i]);
        }
        printf("]}\n");
    } else if (sound) {
        char more[256] = "";
        if (st.failed)
            snprintf(more, sizeof more, "; %u file%s that could not be read "
                     "remembered", st.failed, st.failed == 1 ? "" : "s");
        size_t n = strlen(more);
        if (st.ocr_pages || st.ocr_bad)
            snprintf(more + n, sizeof more - n, "; %u scanned page%s read "
                     "by OCR kept", st.ocr_pages,
                     st.ocr_pages == 1 ? "" : "s");
        n = strlen(more);
        if (st.ocr_bad)
            snprintf(more + n, sizeof more - n, " (%u damaged: read again "
                     "when needed)", st.ocr_bad);
        say(stdout, "%s: sound: %u documents, %u passages%s", db,
            st.documents, st.passages, more);
    } else {
        say(stdout, "%s: NOT sound: %u problem%s (%u documents, %u "
            "passages); rebuild it with: " PROG " --full --db %s PATH...", db,
            st.problems, st.problems == 1 ? "" : "s", st.documents,
            st.passages, db);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": error: cannot write to standard output\n");
        return 3;
    }
    return sound ? 0 : 3;
}

/* Xapian threw where nothing could catch it (xc_on_fatal): say why, drop
 * what was being built, exit 3. The database is as of its last commit. */
static void on_fatal(int code, const char *msg, void *ctx)
{
    char err[1024];
    (void)code;
    dx_indexer_fatal(ctx, msg, err, sizeof err);
    fprintf(stderr, "\n" PROG ": error: %s\n" PROG ": the database is as of "
            "its last commit; the next run goes on from there\n", err);
    _exit(3);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"full", no_argument, NULL, 'f'},
        {"dry-run", no_argument, NULL, 'n'},
        {"check", no_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, 'j'},
        {"batch", required_argument, NULL, 'b'},
        {"jobs", required_argument, NULL, 'J'},
        {"max-file", required_argument, NULL, 'F'},
        {"retry-failed", no_argument, NULL, 'R'},
        {"extract-cpu", required_argument, NULL, 'C'},
        {"extract-memory", required_argument, NULL, 'M'},
        {"extract-wall", required_argument, NULL, 'W'},
        {"no-ocr", no_argument, NULL, 'O'},
        {"ocr-seconds", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *db = getenv("DIARIUM_DB");
    int check = 0, c;
    dx_options o = {0};
    ex_limits lim;
    ex_limits_default(&lim);
    run r = {0};
    pthread_mutex_init(&r.mu, NULL);
    if (!db || !*db) db = "diarium.db";
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': o.full = 1; break;
        case 'n': o.dry_run = 1; break;
        case 'c': check = 1; break;
        case 'q': r.quiet = 1; break;
        case 'j': r.json = 1; break;
        case 'R': o.retry_failed = 1; break;
        case 'O': o.no_ocr = 1; break;
        case 'b':
        case 'J':
        case 'F':
        case 'C':
        case 'M':
        case 'S':
        case 'W': {
            const char *name = c == 'b'   ? "--batch"
                               : c == 'J' ? "--jobs"
                               : c == 'F' ? "--max-file"
                               : c == 'C' ? "--extract-cpu"
                               : c == 'M' ? "--extract-memory"
                               : c == 'S' ? "--ocr-seconds"
                                          : "--extract-wall";
            unsigned long max = c == 'b'   ? 1000000
                                : c == 'J' ? DX_JOBS_MAX
                                : c == 'F' ? DX_MAX_FILE_CEILING >> 20
                                : c == 'M' ? 1048576
                                           : 86400;
            char *end = NULL;
            unsigned long n = strtoul(optarg, &end, 10);
            if (!*optarg || *end || n == 0 || n > max || optarg[0] == '-') {
                fprintf(stderr, PROG ": error: %s needs a number from 1 to "
                        "%lu, not '%s'\n", name, max, optarg);
                fprintf(stderr, "Try '" PROG " --help' for more "
                        "information.\n");
                return 2;
            }
            if (c == 'b') o.batch_files = (unsigned)n;
            else if (c == 'J') o.jobs = (unsigned)n;
            else if (c == 'F') o.max_file = (size_t)n << 20;
            else if (c == 'C') lim.cpu_seconds = (unsigned)n;
            else if (c == 'M') lim.memory_mb = (unsigned)n;
            else if (c == 'S') lim.ocr_seconds = (unsigned)n;
            else lim.wall_seconds = (unsigned)n;
            break;
        }
        case 'h': usage(stdout); return 0;
        case 'V':
            puts(PROG " " DIARIUM_VERSION);
            print_allocator();
            return 0;
        default:
            /* All options are long: name the one that failed as written. */
            if (optopt && strchr("dbJFCMSW", optopt))
                fprintf(stderr, PROG ": error: option '%s' needs an "
                        "argument\n", argv[optind - 1]);
            else
                fprintf(stderr, PROG ": error: unknown or incomplete option "
                        "'%s'\n", argv[optind - 1]);
            fprintf(stderr, "Try '" PROG " --help' for more information.\n");
            return 2;
        }
    }
    if (check && (o.full || o.dry_run || optind < argc)) {
        fprintf(stderr, PROG ": error: --check takes no PATH and goes with "
                "neither --full nor --dry-run\n");
        fprintf(stderr, "Try '" PROG " --help' for more information.\n");
        return 2;
    }
    if (check) {
        int st = do_check(db, &r);
        strlist_free(&r.failures);
        return st;
    }

    r.dry_run = o.dry_run;
    r.bar = !r.quiet && isatty(STDERR_FILENO);
    o.limits = &lim;
    o.problem = on_problem;
    o.change = on_change;
    o.progress = on_progress;
    o.ocr_progress = on_ocr_progress;
    o.warning = on_warning;
    o.ctx = &r;

    char err[1024] = "";
    double t0 = now();
    dx_indexer *ix = NULL;
    int rc = dx_indexer_open(db, &o, &ix, err, sizeof err);
    if (rc != DX_OK) {
        say(stderr, PROG ": error: %s", err);
        strlist_free(&r.failures);
        return rc == DX_EREFUSED ? 2 : 3;
    }
    xc_on_fatal(on_fatal, ix);
    static const char *const default_paths[] = {"corpus"};
    const char *const *paths = default_paths;
    int npaths = 1;
    if (optind < argc) {
        paths = (const char *const *)(argv + optind);
        npaths = argc - optind;
    }
    for (int i = 0; rc == DX_OK && i < npaths; i++)
        rc = dx_indexer_add_root(ix, paths[i], NULL, NULL, err, sizeof err);
    if (rc == DX_OK) rc = dx_indexer_finish(ix, err, sizeof err);
    clear_bar(&r);
    if (rc != DX_OK) {
        say(stderr, PROG ": error: %s", err);
        if (!o.dry_run)
            fprintf(stderr, PROG ": the database is as of its last commit; "
                    "the next run goes on from there\n");
        dx_indexer_close(ix);
        xc_on_fatal(NULL, NULL);
        strlist_free(&r.failures);
        strlist_free(&r.warnings);
        strlist_free(&r.changes);
        return 3;
    }
    dx_stats s = *dx_indexer_stats(ix);
    dx_indexer_close(ix);
    xc_on_fatal(NULL, NULL);
    double secs = now() - t0;

    if (r.json) {
        printf("{\"added\":%u,\"updated\":%u,\"renamed\":%u,\"removed\":%u,"
               "\"unchanged\":%u,\"failed\":%u,\"passages\":%llu,"
               "\"bytes\":%llu,\"seconds\":%.3f,\"threads\":%u,"
               "\"ocr_pages\":%u,\"dry_run\":%s,\"failures\":[",
               s.added, s.updated, s.renamed, s.removed, s.unchanged,
               s.failed, (unsigned long long)s.passages,
               (unsigned long long)s.bytes, secs, s.threads ? s.threads : 1,
               s.ocr_pages, o.dry_run ? "true" : "false");
        for (size_t i = 0; i < r.failures.n; i++) {
            const char *p = r.failures.v[i];
            printf("%s{\"path\":", i ? "," : "");
            if (*p) json_str(stdout, p);
            else fputs("null", stdout);
            printf(",\"reason\":");
            json_str(stdout, nth(p, 1));
            putchar('}');
        }
        printf("],\"warnings\":[");
        for (size_t i = 0; i < r.warnings.n; i++) {
            const char *p = r.warnings.v[i];
            printf("%s{\"path\":", i ? "," : "");
            json_str(stdout, p);
            printf(",\"reason\":");
            json_str(stdout, nth(p, 1));
            putchar('}');
        }
        putchar(']');
        if (o.dry_run) {
            printf(",\"changes\":[");
            for (size_t i = 0; i < r.changes.n; i++) {
                const char *a = r.changes.v[i];
                printf("%s{\"action\":\"%s\",\"doc\":", i ? "," : "", a);
                json_str(stdout, nth(a, 1));
                if (*nth(a, 2)) {
                    printf(",\"from\":");
                    json_str(stdout, nth(a, 2));
                }
                putchar('}');
            }
            putchar(']');
        }
        printf("}\n");
    } else if (!r.quiet) {
        char ocr[64] = "";
        if (s.ocr_pages)
            snprintf(ocr, sizeof ocr, ", %u scanned page%s read by OCR",
                     s.ocr_pages, s.ocr_pages == 1 ? "" : "s");
        say(stdout, PROG ": %s%u added, %u updated, %u renamed, %u removed, "
            "%u unchanged, %u failed; %llu passages%s in %.2f s (%s)",
            o.dry_run ? "dry run, would be: " : "", s.added, s.updated,
            s.renamed, s.removed, s.unchanged, s.failed,
            (unsigned long long)s.passages, ocr, secs, db);
    }
    strlist_free(&r.failures);
    strlist_free(&r.warnings);
    strlist_free(&r.changes);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": error: cannot write to standard output\n");
        return 3;
    }
    return s.failed || r.problems ? 1 : 0;
}
