/*
 * ex_worker.c — the worker's side (see ex.h, ex_wire.h): limits on
 * itself, then one request after another from the caller's socket, each
 * answered with the document or the reason it could not be read.
 */
#define _GNU_SOURCE /* close_range */
#include "ex_worker.h"

#include "ex_read.h"
#include "ex_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int ex_read_doc(ex_type type, const void *data, size_t len,
                const ex_job *job, ex_wbuf *w)
{
    char why[EX_WIRE_REASON_MAX];
    why[0] = '\0';
    int rc;
    if (type == EX_TYPE_PDF) {
        rc = ex_pdf_read(data, len, job, 0, w, why, sizeof why);
    } else if (type == EX_TYPE_IMAGE) {
        rc = ex_image_read(data, len, job, 0, w, why, sizeof why);
    } else if (type == EX_TYPE_DOCX || type == EX_TYPE_ODT) {
        rc = ex_office_read(type, data, len, job->lim, w, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "no such document type");
        rc = EX_EINVAL;
    }
    if (rc == EX_ENOMEM) {
        /* In the worker, memory runs out at the address-space limit. */
        snprintf(why, sizeof why, "memory limit (%u MiB) exceeded",
                 job->lim->memory_mb);
        rc = EX_ELIMIT;
    }
    if (rc != EX_OK) {
        if (!why[0]) snprintf(why, sizeof why, "%s", ex_strerror(rc));
        ex_wire_fail(w, rc, why);
    }
    ex_wire_frame(w);
    return rc;
}

int ex_ocr_one(ex_type type, const void *data, size_t len, unsigned page,
               const ex_job *job, char *why, size_t whylen)
{
    if (page == 0) {
        snprintf(why, whylen, "no page 0: pages are numbered from 1");
        return EX_EINVAL;
    }
    if (type == EX_TYPE_PDF)
        return ex_pdf_read(data, len, job, page, NULL, why, whylen);
    if (type == EX_TYPE_IMAGE)
        return ex_image_read(data, len, job, page, NULL, why, whylen);
    snprintf(why, whylen, "a %s file has no pages to read by OCR",
             ex_type_label(type));
    return EX_EINVAL;
}

int ex_worker_limit_self(const ex_limits *lim)
{
    struct rlimit rl = {0, 0};
    int rc = setrlimit(RLIMIT_CORE, &rl);
#ifndef DIARIUM_SANITIZE
    rl.rlim_cur = rl.rlim_max = (rlim_t)lim->memory_mb << 20;
    if (rc == 0) rc = setrlimit(RLIMIT_AS, &rl);
#else
    (void)lim;
#endif
    return rc == 0 ? 0 : -1;
}

void ex_worker_cpu_budget(unsigned cpu)
{
    struct rusage ru;
    struct rlimit rl;
    if (getrusage(RUSAGE_SELF, &ru) != 0 || getrlimit(RLIMIT_CPU, &rl) != 0)
        return;
    rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1;
    rl.rlim_cur = used + cpu;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
        rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_CPU, &rl);
}

static int read_full(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
        } else if (k == 0) {
            return 1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

static int write_full(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
        } else if (k < 0 && errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

/* The page frames of a request: the file descriptor they go to. */
static int send_frame(int fd, const char *magic, const void *body,
                      size_t n)
{
    char head[EX_WIRE_HEAD];
    memcpy(head, magic, 4);
    ex_put64(head + 4, (uint64_t)n);
    if (write_full(fd, head, sizeof head) != 0) return -1;
    return write_full(fd, body, n);
}

static int frame_begin(void *arg, unsigned page)
{
    char b[4];
    ex_put32(b, page);
    return send_frame(*(int *)arg, EX_WIRE_PAGE_BEGIN, b, 4);
}

static int frame_done(void *arg, const ex_scan *s)
{
    if (s->len > EX_WIRE_SCAN_MAX) return -1;
    return send_frame(*(int *)arg, EX_WIRE_PAGE_SCAN, s->bytes, s->len);
}

/* Reads the rest of a request after its head: the lang, the given pages
 * (decoded into *given), the file (into *data, unless reuse). Returns 0,
 * 2 for a request that breaks the format, 3 when out of memory. */
static int read_request(int fd, const ex_wire_req *q, const ex_limits *lim,
                        char *lang, ex_scan ***given, char **data)
{
    if (read_full(fd, lang, q->langlen) != 0) return 2;
    lang[q->langlen] = '\0';
    if (q->langlen && !ex_ocr_lang_ok(lang)) return 2;
    *given = q->ngiven ? calloc(q->ngiven, sizeof **given) : NULL;
    if (q->ngiven && !*given) return 3;
    for (uint32_t i = 0; i < q->ngiven; i++) {
        char lb[4];
        if (read_full(fd, lb, 4) != 0) return 2;
        uint32_t n = ex_get32(lb);
        if (n > EX_WIRE_SCAN_MAX) return 2;
        char *b = malloc(n ? n : 1);
        if (!b) return 3;
        int k = read_full(fd, b, n);
        int rc = k == 0 ? ex_scan_decode(b, n, &(*given)[i]) : EX_ECORRUPT;
        free(b);
        if (rc == EX_ENOMEM) return 3;
        if (rc != EX_OK) return 2;
    }
    /* A model request has no file: the last one stays for a reuse. */
    if (q->reuse || q->kind == EX_WIRE_MODEL) return q->len ? 2 : 0;
    if (q->len > lim->max_input) return 2;
    free(*data);
    *data = malloc(q->len ? (size_t)q->len : 1);
    if (!*data) return 3;
    if (read_full(fd, *data, (size_t)q->len) != 0) return 2;
    return 0;
}

static void free_given(ex_scan **given, uint32_t n)
{
    if (!given) return;
    for (uint32_t i = 0; i < n; i++) ex_scan_free(given[i]);
    free(given);
}

int ex_worker_serve(int fd, const ex_limits *lim)
{
    /* Nothing inherited beyond the socket and stdio. */
    if (close_range((unsigned)fd + 1, ~0u, 0) != 0)
        for (int i = fd + 1; i < 1024; i++) close(i);
    if (ex_worker_limit_self(lim) != 0) return 2;
    ex_wbuf w = {0};
    ex_tess *tess = NULL;
    char *data = NULL;     /* the last file, kept for a reuse */
    size_t datalen = 0;
    int have = 0, status = 0;
    for (;;) {
        char head[EX_WIRE_REQUEST_HEAD];
        int k = read_full(fd, head, sizeof head);
        if (k == 1) break; /* the caller is done */
        ex_wire_req q;
        if (k != 0 || ex_wire_req_parse(head, &q) != 0 ||
            (q.reuse && (!have || q.kind != EX_WIRE_OCR_PAGE))) {
            status = 2;
            break;
        }
        char lang[64];
        ex_scan **given = NULL;
        int bad = read_request(fd, &q, lim, lang, &given, &data);
        if (bad) {
            free_given(given, q.ngiven);
            status = bad;
            break;
        }
        if (!q.reuse && q.kind != EX_WIRE_MODEL) {
            datalen = (size_t)q.len;
            have = 1;
        }
        ex_job job = {lim, 1, (ex_ocr_mode)q.ocr, lang[0] ? lang : NULL,
                      given, q.ngiven, &tess, frame_begin, frame_done, &fd};
        ex_worker_cpu_budget(lim->cpu_seconds);
        int rc;
        if (q.kind == EX_WIRE_READ) {
            rc = ex_read_doc((ex_type)q.type, data, datalen, &job, &w);
        } else {
            char why[EX_WIRE_REASON_MAX] = "";
            if (q.kind == EX_WIRE_OCR_PAGE) {
                rc = ex_ocr_one((ex_type)q.type, data, datalen, q.page, &job,
                                why, sizeof why);
            } else {
                rc = ex_tess_use(&tess, job.lang, why, sizeof why);
                if (rc == EX_OK)
                    rc = ex_tess_model(tess, why, sizeof why, why,
                                       sizeof why);
            }
            if (rc == EX_ENOMEM) {
                snprintf(why, sizeof why, "memory limit (%u MiB) exceeded",
                         lim->memory_mb);
                rc = EX_ELIMIT;
            }
            ex_wire_fail(&w, rc, why);
            ex_wire_frame(&w);
        }
        free_given(given, q.ngiven);
        if (w.oom) {
            status = 3;
            break;
        }
        if (write_full(fd, w.p, w.n) != 0) break;
        /* Keep the buffer, but not a huge one. */
        if (w.cap > ((size_t)16 << 20)) {
            free(w.p);
            w = (ex_wbuf){0};
        }
        if (rc == EX_ELIMIT) break; /* a fresh worker for the next file */
    }
    free(w.p);
    free(data);
    ex_tess_free(tess);
    return status;
}
