/*
 * ex_worker.c — the worker's side (see ex.h, ex_wire.h): limits on
 * itself, then one request after another from the caller's socket, each
 * answered with the document or the reason it could not be read.
 */
#define _GNU_SOURCE /* close_range */
#include "ex_worker.h"

#include "ex_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int ex_read_doc(ex_type type, const void *data, size_t len,
                const ex_limits *lim, ex_wbuf *w)
{
    char why[EX_WIRE_REASON_MAX];
    why[0] = '\0';
    int rc;
    if (type == EX_TYPE_PDF) {
        rc = ex_pdf_read(data, len, lim, w, why, sizeof why);
    } else if (type == EX_TYPE_DOCX || type == EX_TYPE_ODT) {
        rc = ex_office_read(type, data, len, lim, w, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "no such document type");
        rc = EX_EINVAL;
    }
    if (rc == EX_ENOMEM) {
        /* In the worker, memory runs out at the address-space limit. */
        snprintf(why, sizeof why, "memory limit (%u MiB) exceeded",
                 lim->memory_mb);
        rc = EX_ELIMIT;
    }
    if (rc != EX_OK) {
        if (!why[0]) snprintf(why, sizeof why, "%s", ex_strerror(rc));
        ex_wire_fail(w, rc, why);
    }
    ex_wire_frame(w);
    return rc;
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

/* Gives the next file cpu more seconds of CPU time than used so far. */
static void cpu_budget(unsigned cpu)
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

int ex_worker_serve(int fd, const ex_limits *lim)
{
    /* Nothing inherited beyond the socket and stdio. */
    if (close_range((unsigned)fd + 1, ~0u, 0) != 0)
        for (int i = fd + 1; i < 1024; i++) close(i);
    if (ex_worker_limit_self(lim) != 0) return 2;
    ex_wbuf w = {0};
    for (;;) {
        char head[EX_WIRE_REQUEST_HEAD];
        int k = read_full(fd, head, sizeof head);
        if (k == 1) break; /* the caller is done */
        if (k != 0 || memcmp(head, EX_WIRE_REQUEST, 4) != 0) return 2;
        ex_type type = (ex_type)ex_get32(head + 4);
        uint64_t len = ex_get64(head + 8);
        if (len > lim->max_input) return 2;
        char *data = malloc(len ? (size_t)len : 1);
        if (!data) return 3;
        if (read_full(fd, data, (size_t)len) != 0) {
            free(data);
            return 2;
        }
        cpu_budget(lim->cpu_seconds);
        int rc = ex_read_doc(type, data, (size_t)len, lim, &w);
        free(data);
        if (w.oom) return 3;
        if (write_full(fd, w.p, w.n) != 0) break;
        /* Keep the buffer, but not a huge one. */
        if (w.cap > ((size_t)16 << 20)) {
            free(w.p);
            w = (ex_wbuf){0};
        }
        if (rc == EX_ELIMIT) break; /* a fresh worker for the next file */
    }
    free(w.p);
    return 0;
}
