/*
 * ds_server.c — the HTTP server of diarium-serve (see ds_server.h).
 *
 * libmicrohttpd runs a pool of worker threads (one internal poll loop
 * each); a request is answered in full in the thread that read it, on an
 * engine of ds_pool. Bodies are written to a memory stream and handed to
 * libmicrohttpd, which sends them (and only the headers for HEAD).
 * Requests in flight are counted from their first callback to
 * libmicrohttpd's completion notice, so that ds_server_stop can wait for
 * them after it has stopped accepting connections.
 */
#define _GNU_SOURCE /* SOCK_CLOEXEC */
#include "ds_server.h"

#include "ds_file.h"
#include "ds_html.h"
#include "ds_page.h"
#include "ds_pool.h"
#include "dq_output.h"
#include "dq_report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Content-Security-Policy of each kind of response. */
#define CSP_PAGE "default-src 'none'; style-src 'self'; script-src 'self'; " \
                 "img-src 'self'; form-action 'self'; base-uri 'none'; "    \
                 "frame-ancestors 'none'"
#define CSP_REPORT "default-src 'none'; style-src 'unsafe-inline'; "        \
                   "img-src data:; form-action 'none'; base-uri 'none'; "   \
                   "frame-ancestors 'none'"
#define CSP_NONE "default-src 'none'; frame-ancestors 'none'; sandbox"

struct ds_server {
    ds_config cfg;
    ds_pool *pool;
    struct MHD_Daemon *d;
    int fd;               /* the listening socket */
    char url[96];
    char **hosts;         /* Host values answered to, lower case */
    size_t nhosts;
    char *base;           /* folder for relative roots */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned inflight;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ responses */

/* A response whose body is the memory stream's buffer (taken over). */
typedef struct body {
    FILE *f;
    char *buf;
    size_t len;
} body;

static int body_open(body *b)
{
    b->buf = NULL;
    b->len = 0;
    b->f = open_memstream(&b->buf, &b->len);
    return b->f ? 0 : -1;
}

/* Closes the stream; -1 (and nothing kept) when writing failed. */
static int body_close(body *b)
{
    int bad = ferror(b->f);
    if (fclose(b->f) != 0) bad = 1;
    b->f = NULL;
    if (bad) {
        free(b->buf);
        b->buf = NULL;
        return -1;
    }
    return 0;
}

static void add_common(struct MHD_Response *r, const char *csp)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

/* Queues `len` bytes of `buf` (malloc'd; taken over, also on failure). */
static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status,
                                const char *type, const char *csp,
                                const char *cache, char *buf, size_t len,
                                const char *disposition)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", cache ? cache : "no-store");
    if (disposition)
        MHD_add_response_header(r, "Content-Disposition", disposition);
    add_common(r, csp);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A short plain-text answer. */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
                                 const char *msg)
{
    size_t n = strlen(msg);
    char *buf = malloc(n + 1);
    if (!buf) return MHD_NO;
    memcpy(buf, msg, n + 1);
    return send_buf(c, status, "text/plain; charset=utf-8", CSP_NONE, NULL,
                    buf, n, NULL);
}

/* Sends a finished body, or 500 when it could not be written. */
static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status,
                                 const char *type, const char *csp,
                                 body *b, const char *disposition)
{
    if (body_close(b) != 0)
        return send_text(c, 500, "Internt fel: svaret kunde inte skrivas.\n");
    return send_buf(c, status, type, csp, NULL, b->buf, b->len, disposition);
}

/* {"error": msg} (plus position and column when at != NULL). */
static enum MHD_Result send_json_error(struct MHD_Connection *c,
                                       unsigned status, const char *msg,
                                       const char *q, const size_t *at)
{
    body b;
    if (body_open(&b) != 0) return MHD_NO;
    fputs("{\"error\":", b.f);
    dq_json_string(b.f, msg, strlen(msg));
    if (at)
        fprintf(b.f, ",\"position\":%zu,\"column\":%zu", *at,
                ds_utf8_column(q, *at) + 1);
    fputs("}\n", b.f);
    return send_body(c, status, "application/json", CSP_NONE, &b, NULL);
}

/* ------------------------------------------------------------ parameters */

/* The value of GET argument `name` (decoded by libmicrohttpd), or NULL. */
static const char *arg(struct MHD_Connection *c, const char *name,
                       size_t *len)
{
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, name,
                                      strlen(name), &v, &n) != MHD_YES ||
        !v)
        return NULL;
    if (len) *len = n;
    return v;
}

typedef struct params {
    const char *q;
    size_t qlen;
    unsigned limit, offset;
    int per_document, explain;
    const char *facets;
} params;

/* Reads a number 0..max; -1 when it is not one. */
static int number(const char *s, unsigned max, unsigned *out)
{
    if (!s || !*s) return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max) return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* Reads the search parameters (defaults: limit `limit`, per_document
 * `per_doc`). Returns 0, or -1 with a message in msg (and *pos set, with
 * *has_pos = 1, for a query that is not valid UTF-8). */
static int read_params(struct MHD_Connection *c, unsigned limit, int per_doc,
                       params *p, char *msg, size_t msglen, size_t *pos,
                       int *has_pos)
{
    const char *v;
    *has_pos = 0;
    memset(p, 0, sizeof *p);
    p->limit = limit;
    p->per_document = per_doc;
    p->q = arg(c, "q", &p->qlen);
    if (!p->q) {
        p->q = "";
        p->qlen = 0;
    }
    if (p->qlen > DS_QUERY_MAX) {
        seterr(msg, msglen, "the query is %zu bytes long; at most %d are "
               "accepted", p->qlen, DS_QUERY_MAX);
        return -1;
    }
    size_t bad = ds_utf8_check(p->q, p->qlen);
    if (bad < p->qlen) {
        seterr(msg, msglen, "the query is not valid UTF-8 (at byte %zu)",
               bad);
        *pos = bad;
        *has_pos = 1;
        return -1;
    }
    if ((v = arg(c, "limit", NULL)) && number(v, DS_LIMIT_MAX, &p->limit)) {
        seterr(msg, msglen, "limit takes a number from 0 to %d",
               DS_LIMIT_MAX);
        return -1;
    }
    if ((v = arg(c, "offset", NULL)) &&
        number(v, DS_OFFSET_MAX, &p->offset)) {
        seterr(msg, msglen, "offset takes a number from 0 to %d",
               DS_OFFSET_MAX);
        return -1;
    }
    if ((v = arg(c, "per_document", NULL))) {
        if (strcmp(v, "1") && strcmp(v, "0")) {
            seterr(msg, msglen, "per_document is 1 or 0");
            return -1;
        }
        p->per_document = v[0] == '1';
    }
    if ((v = arg(c, "explain", NULL))) p->explain = strcmp(v, "1") == 0;
    size_t fl = 0;
    if ((v = arg(c, "facets", &fl)) && *v) {
        if (fl > 100 || strlen(v) != fl) {
            seterr(msg, msglen, "facets takes field names separated by "
                   "commas (kommun, år, typ, utfall, myndighet)");
            return -1;
        }
        p->facets = v;
    }
    return 0;
}

static int only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* ------------------------------------------------------------ handlers */

static enum MHD_Result api_search(ds_server *s, struct MHD_Connection *c)
{
    params p;
    char msg[512] = "";
    size_t pos = 0;
    int has_pos = 0;
    if (read_params(c, 10, 0, &p, msg, sizeof msg, &pos, &has_pos) != 0)
        return send_json_error(c, 400, msg, p.q, has_pos ? &pos : NULL);
    if (only_space(p.q, p.qlen))
        return send_json_error(c, 400, "no query: give q", NULL, NULL);
    dq_options o = {0};
    o.limit = p.limit;
    o.per_document = p.per_document;
    o.passages = 1;
    o.facets = p.facets;
    o.explain = p.explain;
    o.offset = p.offset;
    dq_results *r = NULL;
    char err[1024] = "";
    size_t erroff = 0;
    int rc = ds_pool_search(s->pool, p.q, p.qlen, &o, &r, err, sizeof err,
                            &erroff);
    if (rc == DQ_ESYNTAX || rc == DQ_EQUERY) {
        if (erroff > p.qlen) erroff = p.qlen;
        return send_json_error(c, 400, err, p.q, &erroff);
    }
    if (rc != DQ_OK) {
        fprintf(stderr, "diarium-serve: error: %s\n",
                rc == DQ_ENOMEM ? "out of memory" : err);
        return send_json_error(c, 503, rc == DQ_ENOMEM ? "out of memory"
                               : "the database cannot be read now", NULL,
                               NULL);
    }
    body b;
    if (body_open(&b) != 0) {
        dq_results_free(r);
        return MHD_NO;
    }
    dq_print_response_json(b.f, p.q, p.qlen, r, (size_t)p.offset + 1,
                           p.explain);
    dq_results_free(r);
    return send_body(c, 200, "application/json", CSP_NONE, &b, NULL);
}

/* The search page: the front page without a query, else one page of
 * results (one more asked for than shown, to know whether a next page
 * exists). */
static enum MHD_Result page(ds_server *s, struct MHD_Connection *c)
{
    params p;
    char msg[1024] = "";
    size_t pos = 0;
    int has_pos = 0;
    ds_page pg = {0};
    pg.files = s->cfg.files;
    pg.version = s->cfg.version;
    int bad = read_params(c, DS_PAGE_LIMIT, 1, &p, msg, sizeof msg, &pos,
                          &has_pos);
    if (p.limit == 0) p.limit = DS_PAGE_LIMIT;
    pg.q = p.q;
    pg.qlen = p.qlen;
    pg.limit = p.limit;
    pg.offset = p.offset;
    pg.per_document = p.per_document;
    pg.explain = p.explain;
    dq_results *r = NULL;
    unsigned status = 200;
    if (bad) {
        pg.error = msg;
        pg.error_at = has_pos;
        pg.error_pos = pos;
        if (has_pos) pg.qlen = pos; /* only the valid part is shown */
        else if (p.qlen > DS_QUERY_MAX ||
                 ds_utf8_check(p.q, p.qlen) < p.qlen)
            pg.qlen = 0; /* not echoed */
        status = 400;
    } else if (only_space(p.q, p.qlen)) {
        char err[512] = "";
        if (ds_pool_stats(s->pool, NULL, &pg.documents, err, sizeof err) !=
            DQ_OK)
            pg.documents = 0;
    } else {
        dq_options o = {0};
        o.limit = p.limit + 1;
        o.per_document = p.per_document;
        o.passages = 1;
        o.facets = DS_PAGE_FACETS;
        o.explain = p.explain;
        o.offset = p.offset;
        o.swedish = 1;
        size_t erroff = 0;
        int rc = ds_pool_search(s->pool, p.q, p.qlen, &o, &r, msg,
                                sizeof msg, &erroff);
        if (rc == DQ_ESYNTAX || rc == DQ_EQUERY) {
            pg.error = msg;
            pg.error_at = 1;
            pg.error_pos = erroff > p.qlen ? p.qlen : erroff;
            status = 400;
        } else if (rc != DQ_OK) {
            fprintf(stderr, "diarium-serve: error: %s\n",
                    rc == DQ_ENOMEM ? "out of memory" : msg);
            return send_text(c, 503, "Databasen kan inte läsas just nu. "
                             "Försök igen om en stund.\n");
        } else {
            pg.more = r->n > p.limit;
            pg.r = r;
        }
    }
    body b;
    if (body_open(&b) != 0) {
        dq_results_free(r);
        return MHD_NO;
    }
    size_t shown = r && r->n > p.limit ? p.limit : 0;
    size_t keep = r ? r->n : 0;
    if (shown) r->n = shown; /* the extra one is not shown */
    ds_page_write(b.f, &pg);
    if (r) r->n = keep;
    dq_results_free(r);
    return send_body(c, status, "text/html; charset=utf-8", CSP_PAGE, &b,
                     NULL);
}

/* The report's link to a document's file: this server's /fil (the page
 * then goes on with #page=N). */
static size_t report_link(void *ctx, const char *doc, char *out,
                          size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    (void)ctx;
    size_t n = 0;
    const char *base = "/fil?doc=";
    if (strlen(base) + 1 > outlen) return 0;
    memcpy(out, base, strlen(base));
    n = strlen(base);
    for (const unsigned char *c = (const unsigned char *)doc; *c; c++) {
        if (n + 4 > outlen) return 0;
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || strchr("-._~", *c)) {
            out[n++] = (char)*c;
        } else {
            out[n++] = '%';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    out[n] = '\0';
    return n;
}

/* The topic report of q, as query/'s --report writes it. */
static enum MHD_Result report(ds_server *s, struct MHD_Connection *c)
{
    params p;
    char msg[1024] = "";
    size_t pos = 0;
    int has_pos = 0;
    if (read_params(c, 10, 1, &p, msg, sizeof msg, &pos, &has_pos) != 0)
        return send_text(c, 400, msg);
    if (only_space(p.q, p.qlen))
        return send_text(c, 400, "Ingen sökfråga (q) given.\n");
    const char *fv = arg(c, "format", NULL);
    int fmt = dq_report_format_from_name(fv ? fv : "html");
    if (fmt < 0)
        return send_text(c, 400, "format är html, md eller csv.\n");
    dq_options o = {0};
    o.per_document = 1;
    o.passages = 3;
    o.limit = DS_REPORT_DOCS * o.passages; /* dq_search counts passages */
    o.facets = "kommun,år,typ,utfall";
    o.swedish = 1;
    dq_results *r = NULL;
    size_t erroff = 0;
    char *q = strndup(p.q, p.qlen);
    if (!q) return MHD_NO;
    int rc = ds_pool_search(s->pool, q, p.qlen, &o, &r, msg, sizeof msg,
                            &erroff);
    unsigned np = 0, nd = 0;
    if (rc == DQ_OK) rc = ds_pool_stats(s->pool, &np, &nd, msg, sizeof msg);
    if (rc != DQ_OK) {
        free(q);
        dq_results_free(r);
        if (rc == DQ_ESYNTAX || rc == DQ_EQUERY) {
            char line[1300];
            snprintf(line, sizeof line, "Fel i sökfrågan vid tecken %zu: "
                     "%s\n", ds_utf8_column(p.q, erroff > p.qlen ? p.qlen
                                                                  : erroff) + 1,
                     msg);
            return send_text(c, 400, line);
        }
        fprintf(stderr, "diarium-serve: error: %s\n", msg);
        return send_text(c, 503, "Databasen kan inte läsas just nu.\n");
    }
    char when[40] = "";
    time_t now_t = time(NULL);
    struct tm tm;
    if (localtime_r(&now_t, &tm) &&
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm) == 24) {
        memmove(when + 23, when + 22, 3); /* +0100 -> +01:00 */
        when[22] = ':';
    }
    dq_report_info info = {q, s->cfg.db, when, nd, np, s->cfg.version,
                           o.passages, DS_REPORT_DOCS,
                           s->cfg.files ? report_link : NULL, NULL};
    body b;
    if (body_open(&b) != 0) {
        free(q);
        dq_results_free(r);
        return MHD_NO;
    }
    rc = dq_report_write(b.f, (dq_report_format)fmt, &info, r);
    free(q);
    dq_results_free(r);
    if (rc != DQ_OK) {
        body_close(&b);
        free(b.buf);
        return send_text(c, 500, "Rapporten kunde inte skrivas.\n");
    }
    if (fmt == DQ_REPORT_HTML)
        return send_body(c, 200, "text/html; charset=utf-8", CSP_REPORT, &b,
                         NULL);
    if (fmt == DQ_REPORT_MD)
        return send_body(c, 200, "text/markdown; charset=utf-8", CSP_NONE,
                         &b, "attachment; filename=\"diarium-rapport.md\"");
    return send_body(c, 200, "text/csv; charset=utf-8", CSP_NONE, &b,
                     "attachment; filename=\"diarium-rapport.csv\"");
}

/* Content-Disposition with the file name: ASCII letters, digits and
 * . _ - kept in the plain form, the whole name in RFC 5987 form. */
static void disposition(char *out, size_t outlen, const char *name,
                        int attachment)
{
    char plain[128];
    size_t k = 0;
    for (size_t i = 0; name[i] && k + 1 < sizeof plain; i++) {
        char ch = name[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                 ch == '-';
        plain[k++] = ok ? ch : '_';
    }
    plain[k] = '\0';
    int n = snprintf(out, outlen, "%s; filename=\"%s\"; filename*=UTF-8''",
                     attachment ? "attachment" : "inline", plain);
    if (n < 0 || (size_t)n >= outlen) return;
    size_t at = (size_t)n;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; name[i] && at + 4 < outlen; i++) {
        unsigned char ch = (unsigned char)name[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-') {
            out[at++] = (char)ch;
        } else {
            out[at++] = '%';
            out[at++] = hex[ch >> 4];
            out[at++] = hex[ch & 15];
        }
    }
    out[at] = '\0';
}

static enum MHD_Result original(ds_server *s, struct MHD_Connection *c)
{
    if (!s->cfg.files)
        return send_text(c, 404, "Originalfilerna visas inte av den här "
                         "servern.\n");
    size_t n = 0;
    const char *doc = arg(c, "doc", &n);
    if (!doc || n == 0 || n > 4096 || strlen(doc) != n ||
        ds_utf8_check(doc, n) != n)
        return send_text(c, 404, "Dokumentet finns inte i indexet.\n");
    ds_file f;
    char err[512] = "";
    int rc = ds_file_open(s->pool, s->base, doc, &f, err, sizeof err);
    if (rc == DS_ENOTFOUND)
        return send_text(c, 404, "Dokumentet finns inte i indexet, eller "
                         "dess fil finns inte längre.\n");
    if (rc != DQ_OK) {
        fprintf(stderr, "diarium-serve: error: %s\n", err);
        return send_text(c, 503, "Databasen kan inte läsas just nu.\n");
    }
    struct MHD_Response *r = MHD_create_response_from_fd(f.size, f.fd);
    if (!r) {
        close(f.fd);
        return MHD_NO;
    }
    char disp[1200];
    disposition(disp, sizeof disp, f.name, f.attachment);
    MHD_add_response_header(r, "Content-Type", f.type);
    if (f.encoding) MHD_add_response_header(r, "Content-Encoding", f.encoding);
    MHD_add_response_header(r, "Content-Disposition", disp);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    /* A PDF is shown by the browser's viewer, which a "default-src
     * 'none'" policy would stop; it gets the other headers only. */
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    if (strcmp(f.type, "application/pdf") != 0)
        MHD_add_response_header(r, "Content-Security-Policy", CSP_NONE);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result static_file(struct MHD_Connection *c,
                                   const char *text, const char *type)
{
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    if (!buf) return MHD_NO;
    memcpy(buf, text, n + 1);
    return send_buf(c, 200, type, CSP_NONE, "no-cache", buf, n, NULL);
}

/* Whether the request's Host header is one the server answers to. */
static int host_ok(ds_server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!h) return 0;
    size_t hl = strlen(h);
    for (size_t i = 0; i < s->nhosts; i++) {
        const char *a = s->hosts[i];
        size_t al = strlen(a);
        if (hl == al && strncasecmp(h, a, al) == 0) return 1;
    }
    return 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    ds_server *s = cls;
    (void)version;
    (void)upload;
    if (!*con_cls) { /* headers read: count the request in flight */
        *con_cls = s;
        pthread_mutex_lock(&s->mu);
        s->inflight++;
        pthread_mutex_unlock(&s->mu);
        return MHD_YES;
    }
    if (*upload_size) { /* a body is ignored (GET and HEAD take none) */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        char *buf = strdup("Bara GET och HEAD.\n");
        if (!buf) return MHD_NO;
        struct MHD_Response *r = MHD_create_response_from_buffer(
            strlen(buf), buf, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(buf);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Allow", "GET, HEAD");
        MHD_add_response_header(r, "Content-Type",
                                "text/plain; charset=utf-8");
        add_common(r, CSP_NONE);
        enum MHD_Result ok = MHD_queue_response(c, 405, r);
        MHD_destroy_response(r);
        return ok;
    }
    if (!host_ok(s, c))
        return send_text(c, 421, "Okänd värd (Host).\n");
    if (strcmp(url, "/") == 0) return page(s, c);
    if (strcmp(url, "/api/search") == 0) return api_search(s, c);
    if (strcmp(url, "/rapport") == 0) return report(s, c);
    if (strcmp(url, "/fil") == 0) return original(s, c);
    if (strcmp(url, "/static/diarium.css") == 0)
        return static_file(c, ds_page_css, "text/css; charset=utf-8");
    if (strcmp(url, "/static/diarium.js") == 0)
        return static_file(c, ds_page_js, "text/javascript; charset=utf-8");
    if (strcmp(url, "/favicon.ico") == 0) { /* no icon: nothing */
        char *empty = malloc(1);
        if (!empty) return MHD_NO;
        return send_buf(c, 204, "image/x-icon", CSP_NONE, "max-age=86400",
                        empty, 0, NULL);
    }
    return send_text(c, 404, "Sidan finns inte.\n");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why)
{
    ds_server *s = cls;
    (void)c;
    (void)why;
    if (!*con_cls) return;
    *con_cls = NULL;
    pthread_mutex_lock(&s->mu);
    s->inflight--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ listening */

/* Parses "ADDR:PORT" into a socket address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss,
                        socklen_t *sl, char *host, size_t hostlen,
                        unsigned *port, int *loopback)
{
    const char *colon;
    char addr[64];
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':') return -1;
        if ((size_t)(close - spec - 1) >= sizeof addr) return -1;
        memcpy(addr, spec + 1, (size_t)(close - spec - 1));
        addr[close - spec - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof addr) return -1;
        memcpy(addr, spec, (size_t)(colon - spec));
        addr[colon - spec] = '\0';
    }
    unsigned p = 0;
    if (number(colon + 1, 65535, &p) != 0) return -1;
    *port = p;
    memset(ss, 0, sizeof *ss);
    if (strcmp(addr, "localhost") == 0) snprintf(addr, sizeof addr,
                                                 "127.0.0.1");
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)p);
        *sl = sizeof *v4;
        *loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        snprintf(host, hostlen, "%s", addr);
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)p);
        *sl = sizeof *v6;
        *loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        snprintf(host, hostlen, "[%s]", addr);
    } else {
        return -1;
    }
    return 0;
}

static int add_host(ds_server *s, const char *fmt, ...)
{
    char buf[300];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) return -1;
    char **v = realloc(s->hosts, (s->nhosts + 1) * sizeof *v);
    if (!v) return -1;
    s->hosts = v;
    if (!(s->hosts[s->nhosts] = strdup(buf))) return -1;
    s->nhosts++;
    return 0;
}

static void server_free(ds_server *s)
{
    if (!s) return;
    if (s->d) MHD_stop_daemon(s->d);
    if (s->fd >= 0) close(s->fd);
    ds_pool_free(s->pool);
    for (size_t i = 0; i < s->nhosts; i++) free(s->hosts[i]);
    free(s->hosts);
    free(s->base);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

int ds_server_start(const ds_config *cfg, ds_server **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    char host[80];
    unsigned port = 0;
    int loopback = 0;
    if (parse_listen(cfg->listen, &ss, &sl, host, sizeof host, &port,
                     &loopback) != 0) {
        seterr(err, errlen, "--listen takes ADDR:PORT (127.0.0.1:8080, "
               "[::1]:8080, 0.0.0.0:80), not '%s'", cfg->listen);
        return DS_EADDR;
    }
    ds_server *s = calloc(1, sizeof *s);
    if (!s) return DQ_ENOMEM;
    s->cfg = *cfg;
    s->fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    unsigned threads = cfg->threads ? cfg->threads : 1;
    int rc = cfg->dbs && cfg->ndbs
                 ? ds_pool_new(cfg->dbs, cfg->ndbs, threads, &s->pool, err,
                               errlen)
                 : ds_pool_new(&cfg->db, 1, threads, &s->pool, err, errlen);
    if (rc != DQ_OK) {
        server_free(s);
        return rc;
    }
    if (cfg->files_base) {
        s->base = strdup(cfg->files_base);
    } else {
        s->base = getcwd(NULL, 0);
    }
    if (!s->base) {
        server_free(s);
        return DQ_ENOMEM;
    }
    s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s->fd < 0 ||
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss.ss_family == AF_INET6 &&
         setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one)) ||
        bind(s->fd, (struct sockaddr *)&ss, sl) != 0 ||
        listen(s->fd, 128) != 0) {
        seterr(err, errlen, "cannot listen on %s: %s", cfg->listen,
               strerror(errno));
        server_free(s);
        return DS_ELISTEN;
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (getsockname(s->fd, (struct sockaddr *)&got, &gl) == 0)
        port = ntohs(got.ss_family == AF_INET6
                         ? ((struct sockaddr_in6 *)&got)->sin6_port
                         : ((struct sockaddr_in *)&got)->sin_port);
    snprintf(s->url, sizeof s->url, "http://%s:%u/", host, port);
    int bad = add_host(s, "%s:%u", host, port);
    if (!bad && loopback)
        bad = add_host(s, "localhost:%u", port) ||
              add_host(s, "127.0.0.1:%u", port) ||
              add_host(s, "[::1]:%u", port) ||
              (port == 80 && (add_host(s, "localhost") ||
                              add_host(s, "127.0.0.1")));
    for (size_t i = 0; !bad && i < cfg->nhosts; i++)
        bad = add_host(s, "%s", cfg->hosts[i]) ||
              (!strchr(cfg->hosts[i], ':') &&
               add_host(s, "%s:%u", cfg->hosts[i], port));
    if (bad) {
        server_free(s);
        return DQ_ENOMEM;
    }
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, handle, s,
        MHD_OPTION_LISTEN_SOCKET, s->fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_END);
    if (!s->d) {
        seterr(err, errlen, "cannot start the HTTP server on %s",
               cfg->listen);
        server_free(s);
        return DS_ELISTEN;
    }
    *out = s;
    return DQ_OK;
}

const char *ds_server_url(const ds_server *s) { return s->url; }

void ds_server_stop(ds_server *s, unsigned grace_seconds)
{
    if (!s) return;
    MHD_quiesce_daemon(s->d); /* no new connections from here on */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += grace_seconds;
    pthread_mutex_lock(&s->mu);
    while (s->inflight > 0 &&
           pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&s->mu);
    server_free(s);
}
