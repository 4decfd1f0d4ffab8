/*
 * diarium-serve — the search page and JSON API of a diarium database over
 * HTTP (libmicrohttpd).
 *
 * A thin program over serve/ds_server.h. It serves until SIGTERM or
 * SIGINT, then lets the requests in flight finish and exits 0. Exit
 * status: 0 stopped by a signal; 2 usage error; 3 fatal (no database,
 * cannot listen).
 */
#include "ds_server.h"
#include "dq_search.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "diarium-serve"
#define HOSTS_MAX 16
/* --db at most this often (each a database opened per worker thread;
 * the message below says 64) */
#define DBS_MAX 64

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " [OPTION]...\n"
"Serve the search page and JSON API of a diarium database over HTTP.\n"
"\n"
"  --db DB             database (default: $DIARIUM_DB, else ./diarium.db):\n"
"                      a folder, a Xapian stub file or tcp:HOST:PORT (a\n"
"                      xapian-tcpsrv); more than once: searched as one\n"
"  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080); another\n"
"                      address than loopback only when asked, e.g.\n"
"                      0.0.0.0:8080 (then name the host with --allow-host)\n"
"  --allow-host NAME   also answer requests for Host NAME (or NAME:PORT),\n"
"                      e.g. the name a reverse proxy forwards; may be\n"
"                      repeated. Other Host headers get 421 (DNS rebinding)\n"
"  --threads N         worker threads, each with its own read handle\n"
"                      (default: the number of processors, at least 2)\n"
"  --max-connections N open connections at most (default 256)\n"
"  --per-ip N          open connections per client address (default 32)\n"
"  --timeout SECONDS   close a connection idle this long (default 30)\n"
"  --no-files          do not serve the original files (/fil)\n"
"  --files-base DIR    resolve relative index folders from DIR (default:\n"
"                      the working folder)\n"
"  --help              show this help and exit\n"
"  --version           show the version and exit\n"
"\n"
"Pages: / (search), /api/search?q=&limit=&offset=&per_document=1&facets=\n"
"(JSON), /rapport?q=&format=html|md|csv (topic report), /fil?doc=ID (the\n"
"original file of an indexed document).\n"
"SIGTERM or SIGINT: finish the requests in flight, then exit 0.\n"
"Exit status: 0 stopped; 2 usage error; 3 fatal (no database, cannot\n"
"listen).\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
    return 2;
}

static int parse_uint(const char *s, unsigned min, unsigned max,
                      unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"allow-host", required_argument, NULL, 'H'},
        {"threads", required_argument, NULL, 't'},
        {"max-connections", required_argument, NULL, 'm'},
        {"per-ip", required_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 'T'},
        {"no-files", no_argument, NULL, 'n'},
        {"files-base", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *db = getenv("DIARIUM_DB");
    const char *hosts[HOSTS_MAX];
    const char *dbs[DBS_MAX];
    ds_config cfg = {0};
    size_t ndb = 0;
    int c;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (!db || !*db) db = "diarium.db";
    cfg.listen = "127.0.0.1:8080";
    cfg.threads = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (unsigned)ncpu;
    cfg.max_connections = 256;
    cfg.per_ip = 32;
    cfg.timeout = 30;
    cfg.files = 1;
    cfg.version = DIARIUM_VERSION;
    cfg.hosts = hosts;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (ndb == DBS_MAX)
                return bad_usage("--db may be given at most 64 times%s", "");
            dbs[ndb++] = optarg;
            break;
        case 'l': cfg.listen = optarg; break;
        case 'H':
            if (cfg.nhosts == HOSTS_MAX)
                return bad_usage("--allow-host may be given at most 16 "
                                 "times%s", "");
            if (!*optarg || strpbrk(optarg, " /\t\r\n"))
                return bad_usage("--allow-host takes a host name, not '%s'",
                                 optarg);
            hosts[cfg.nhosts++] = optarg;
            break;
        case 't':
            if (parse_uint(optarg, 1, 256, &cfg.threads))
                return bad_usage("--threads takes a number from 1 to 256, "
                                 "not '%s'", optarg);
            break;
        case 'm':
            if (parse_uint(optarg, 1, 100000, &cfg.max_connections))
                return bad_usage("--max-connections takes a number from 1 "
                                 "to 100000, not '%s'", optarg);
            break;
        case 'i':
            if (parse_uint(optarg, 1, 100000, &cfg.per_ip))
                return bad_usage("--per-ip takes a number from 1 to 100000, "
                                 "not '%s'", optarg);
            break;
        case 'T':
            if (parse_uint(optarg, 1, 3600, &cfg.timeout))
                return bad_usage("--timeout takes seconds from 1 to 3600, "
                                 "not '%s'", optarg);
            break;
        case 'n': cfg.files = 0; break;
        case 'b': cfg.files_base = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': puts(PROG " " DIARIUM_VERSION); return 0;
        default:
            return bad_usage("unknown option or missing argument: '%s'",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad_usage("unexpected argument '%s' (the query is typed in "
                         "the page)", argv[optind]);
    if (ndb == 0) dbs[ndb++] = db;

    /* Signals are taken by sigwait below; every thread started from here
     * on inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    /* The databases as reports and the log name them: "A, B". */
    char names[1024] = "";
    for (size_t i = 0, at = 0; i < ndb && at < sizeof names; i++) {
        int k = snprintf(names + at, sizeof names - at, "%s%s",
                         i ? ", " : "", dbs[i]);
        if (k < 0) break;
        at += (size_t)k;
    }
    cfg.db = names;
    cfg.dbs = dbs;
    cfg.ndbs = ndb;
    char err[1024] = "";
    ds_server *s = NULL;
    int rc = ds_server_start(&cfg, &s, err, sizeof err);
    if (rc != DQ_OK) {
        fprintf(stderr, PROG ": error: %s\n",
                rc == DQ_ENOMEM ? "out of memory" : err);
        return rc == DS_EADDR ? 2 : 3;
    }
    fprintf(stderr, PROG ": serving %s on %s\n", names, ds_server_url(s));
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    fprintf(stderr, PROG ": stopping (signal %d)\n", sig);
    ds_server_stop(s, 30);
    return 0;
}
