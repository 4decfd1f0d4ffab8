/*
 * ds_server.h — the HTTP server of diarium-serve (libmicrohttpd).
 *
 * Where it sits: serve/, over ds_pool (query/'s engine) and the page,
 * API, report and file handlers. Routes (GET and HEAD only; anything else
 * is 405):
 *
 *   /                     the search page (ds_page.h)
 *   /api/search           JSON: q, limit, offset, per_document, facets,
 *                         explain (dq_print_response_json); a query that
 *                         cannot be run is 400 {"error", "position",
 *                         "column"}; a bad parameter 400 {"error"}
 *   /rapport              the topic report of q (format=html|md|csv),
 *                         written by query/'s dq_report_write
 *   /fil                  the original file of document `doc` (only a
 *                         document of the index, resolved inside the folder
 *                         it was indexed from: ds_file.h)
 *   /static/diarium.css, /static/diarium.js
 *
 * Every response carries X-Content-Type-Options: nosniff, a
 * Content-Security-Policy, Referrer-Policy and no CORS header. A request
 * whose Host header is not one the server answers to (its listening
 * address, localhost for a loopback address, and names given with
 * --allow-host) is refused with 421, so that a page on another site cannot
 * reach the server through DNS rebinding.
 */
#ifndef DIARIUM_DS_SERVER_H
#define DIARIUM_DS_SERVER_H

#include <stddef.h>

/* Status codes beyond query/'s (dq_parse.h, dq_plan.h). */
enum {
    DS_EADDR = -40,  /* the listening address is malformed */
    DS_ELISTEN = -41 /* cannot listen there (in use, no permission) or
                        libmicrohttpd cannot start */
};

/* Caps on what one request may ask for. */
#define DS_QUERY_MAX 1000   /* bytes of query */
#define DS_LIMIT_MAX 100    /* results per request */
#define DS_OFFSET_MAX 1000  /* results skipped (paging) */
#define DS_REPORT_DOCS 500  /* documents in a report */

typedef struct ds_config {
    const char *db;            /* the database(s) as reports name them */
    const char *const *dbs;    /* the databases searched as one (folders,
                                  stub files, tcp:HOST:PORT); NULL: db */
    size_t ndbs;
    const char *listen;        /* "ADDR:PORT" (IPv4, [IPv6] or localhost;
                                  port 0: any free port) */
    const char *const *hosts;  /* further Host names answered to */
    size_t nhosts;
    unsigned threads;          /* worker threads (and read handles) */
    unsigned max_connections;  /* open connections at most */
    unsigned per_ip;           /* open connections per client address */
    unsigned timeout;          /* seconds a connection may idle */
    int files;                 /* 0: no /fil (original files not served) */
    const char *files_base;    /* relative index roots are resolved in this
                                  folder (NULL: the working folder) */
    const char *version;       /* shown in the page footer and reports */
} ds_config;

typedef struct ds_server ds_server;

/* Opens the database (DQ_ENODB, DQ_EANALYSIS, DQ_EDB with err), listens
 * (DS_EADDR, DS_ELISTEN with err) and starts serving on the worker
 * threads. DQ_ENOMEM. On success *out runs until ds_server_stop. */
int ds_server_start(const ds_config *c, ds_server **out, char *err,
                    size_t errlen);

/* "http://ADDR:PORT/" of the running server (the port it got, for port
 * 0). Owned by the server. */
const char *ds_server_url(const ds_server *s);

/* Stops accepting connections, lets the requests in flight finish (for at
 * most grace_seconds), closes everything and frees s. NULL is allowed. */
void ds_server_stop(ds_server *s, unsigned grace_seconds);

#endif /* DIARIUM_DS_SERVER_H */
