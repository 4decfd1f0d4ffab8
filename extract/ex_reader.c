/*
 * ex_reader.c — the caller's side of the worker (see ex.h): starting
 * diarium-extract, sending it a file, enforcing the wall clock, reading
 * and checking its answer, and naming what went wrong when it died.
 *
 * The worker gets the socket as fd 3, /dev/null as stdin, and a pipe as
 * stdout and stderr. That pipe is drained while waiting (a worker that
 * prints a lot must not block on it) and its last bytes are kept: a
 * library that runs out of address space under RLIMIT_AS says so there
 * ("Out of memory", "std::bad_alloc", "failed to allocate") before it
 * aborts, which is how an abort is told apart from a crash.
 *
 * Pages read by OCR (ex_read_with): the worker says when it starts a page
 * and sends each page as soon as it is read (ex_wire.h); the wall clock
 * starts again at each. When the worker dies during a page, that page is
 * named as failed with the reason, and the document is asked for again
 * from a fresh worker, with every page read so far given back, so that
 * the worker goes on after the page that killed it. The worker's
 * environment gets OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads would
 * compete with the caller's own parallelism (one reader per thread).
 */
#define _GNU_SOURCE /* pipe2, SOCK_CLOEXEC, MSG_NOSIGNAL */
#include "ex.h"
#include "ex_scan.h"
#include "ex_tess.h"
#include "ex_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TAIL 4096 /* bytes of the worker's stderr kept */

struct ex_reader {
    char *program;
    ex_limits lim;
    pid_t pid;      /* -1: no worker */
    int sock;       /* our end of the socket */
    int errfd;      /* the read end of the worker's stderr */
    unsigned served;
    char tail[TAIL];
    size_t tailn;
    char **env;     /* the worker's environment */
    int has_file;   /* the worker holds the file of file_len, file_hash */
    size_t file_len;
    uint64_t file_hash;
};

static void say(char *why, size_t whylen, const char *fmt, const char *arg)
{
    if (why && whylen) snprintf(why, whylen, fmt, arg ? arg : "");
}

/* The worker's environment: ours, with OMP_THREAD_LIMIT=1. */
static int make_env(ex_reader *r)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++) n++;
    r->env = calloc(n + 2, sizeof *r->env);
    if (!r->env) return EX_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "OMP_THREAD_LIMIT=", 17) != 0)
            r->env[k++] = environ[i];
    r->env[k] = "OMP_THREAD_LIMIT=1";
    return EX_OK;
}

int ex_reader_open(const char *program, const ex_limits *lim,
                   ex_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    ex_limits l;
    if (lim) l = *lim;
    else ex_limits_default(&l);
    if (!l.cpu_seconds || !l.wall_seconds || !l.memory_mb || !l.max_text ||
        !l.max_input || !l.ocr_seconds || !l.ocr_megapixels)
        return EX_EINVAL;
    char path[PATH_MAX];
    if (!program) {
        ssize_t k = readlink("/proc/self/exe", path, sizeof path - 1);
        if (k <= 0) {
            say(err, errlen, "cannot find the running program "
                             "(/proc/self/exe): %s", strerror(errno));
            return EX_EIO;
        }
        path[k] = '\0';
        char *slash = strrchr(path, '/');
        const char *name = "diarium-extract";
        if (!slash || (size_t)(slash - path) + 1 + strlen(name) + 1 >
                          sizeof path) {
            say(err, errlen, "cannot find the folder of %s", path);
            return EX_EIO;
        }
        strcpy(slash + 1, name);
        program = path;
    }
    if (access(program, X_OK) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "cannot run the document reader %s: %s",
                     program, strerror(errno));
        return EX_EIO;
    }
    ex_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->program = strdup(program))) {
        free(r);
        return EX_ENOMEM;
    }
    r->lim = l;
    r->pid = -1;
    r->sock = r->errfd = -1;
    if (make_env(r) != EX_OK) {
        free(r->program);
        free(r);
        return EX_ENOMEM;
    }
    *out = r;
    return EX_OK;
}

long ex_reader_pid(const ex_reader *r)
{
    return r->pid;
}

/* Moves fd to a number >= 10, close-on-exec, so that the spawn's dup2 to
 * 1, 2 or 3 always makes a new descriptor (dup2 of a descriptor onto
 * itself would keep its close-on-exec flag). */
static int high_fd(int fd)
{
    if (fd >= 10) return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* Waits up to ms for the worker to end; returns 1 and its status when it
 * did (0 when it had already been reaped elsewhere: status unknown). */
static int reap(pid_t pid, int ms, int *status)
{
    for (int waited = 0;; waited += 5) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid) return 1;
        if (w < 0 && errno != EINTR) {
            *status = -1;
            return 1;
        }
        if (waited >= ms) return 0;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Ends the worker: closing the socket makes a healthy one exit; one that
 * does not within a moment is killed. Returns its wait status (-1:
 * unknown). */
static int stop_worker(ex_reader *r, int grace_ms)
{
    int status = -1;
    close_fd(&r->sock);
    if (r->pid > 0) {
        if (!reap(r->pid, grace_ms, &status)) {
            kill(r->pid, SIGKILL);
            while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {}
        }
    }
    close_fd(&r->errfd);
    r->pid = -1;
    r->served = 0;
    r->has_file = 0;
    return status;
}

void ex_reader_close(ex_reader *r)
{
    if (!r) return;
    stop_worker(r, 1000);
    free(r->program);
    free(r->env);
    free(r);
}

static int start_worker(ex_reader *r, char *why, size_t whylen)
{
    int sv[2] = {-1, -1}, ep[2] = {-1, -1};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
        pipe2(ep, O_CLOEXEC) != 0) {
        say(why, whylen, "cannot start the document reader: %s",
            strerror(errno));
        if (sv[0] >= 0) {
            close(sv[0]);
            close(sv[1]);
        }
        return EX_EIO;
    }
    sv[1] = high_fd(sv[1]);
    ep[1] = high_fd(ep[1]);
    if (sv[1] < 0 || ep[1] < 0) {
        say(why, whylen, "cannot start the document reader: %s",
            strerror(errno));
        close(sv[0]);
        close(ep[0]);
        if (sv[1] >= 0) close(sv[1]);
        if (ep[1] >= 0) close(ep[1]);
        return EX_EIO;
    }
    char cpu[24], mem[24], text[32], input[32], ocr[24], mp[24];
    snprintf(cpu, sizeof cpu, "%u", r->lim.cpu_seconds);
    snprintf(mem, sizeof mem, "%u", r->lim.memory_mb);
    snprintf(text, sizeof text, "%zu", r->lim.max_text);
    snprintf(input, sizeof input, "%zu", r->lim.max_input);
    snprintf(ocr, sizeof ocr, "%u", r->lim.ocr_seconds);
    snprintf(mp, sizeof mp, "%u", r->lim.ocr_megapixels);
    char *argv[] = {r->program, "--worker", "--cpu", cpu, "--memory", mem,
                    "--max-text", text, "--max-input", input,
                    "--ocr-seconds", ocr, "--ocr-megapixels", mp, NULL};
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
                                              0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, ep[1], 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
    pid_t pid = -1;
    if (rc == 0) rc = posix_spawn(&pid, r->program, &fa, NULL, argv, r->env);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    close(ep[1]);
    if (rc != 0) {
        say(why, whylen, "cannot start the document reader: %s",
            strerror(rc));
        close(sv[0]);
        close(ep[0]);
        return EX_EIO;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
    r->pid = pid;
    r->sock = sv[0];
    r->errfd = ep[0];
    r->served = 0;
    r->has_file = 0;
    return EX_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what the worker printed, keeping the last TAIL bytes. */
static void drain(ex_reader *r)
{
    char b[4096];
    for (;;) {
        ssize_t k = read(r->errfd, b, sizeof b);
        if (k <= 0) {
            if (k == 0) close_fd(&r->errfd);
            return;
        }
        size_t n = (size_t)k;
        if (n >= TAIL) {
            memcpy(r->tail, b + n - TAIL, TAIL);
            r->tailn = TAIL;
        } else {
            if (r->tailn + n > TAIL) {
                size_t drop = r->tailn + n - TAIL;
                memmove(r->tail, r->tail + drop, r->tailn - drop);
                r->tailn -= drop;
            }
            memcpy(r->tail + r->tailn, b, n);
            r->tailn += n;
        }
    }
}

enum { IO_DONE = 0, IO_DEAD = 1, IO_TIMEOUT = 2, IO_ERR = 3 };

/* Waits until the socket is ready for `ev` (POLLIN / POLLOUT) or the
 * deadline passes, draining stderr meanwhile. */
static int wait_sock(ex_reader *r, short ev, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return IO_TIMEOUT;
        struct pollfd p[2] = {{r->sock, ev, 0}, {r->errfd, POLLIN, 0}};
        int n = poll(p, r->errfd >= 0 ? 2 : 1,
                     left > INT_MAX ? INT_MAX : (int)left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return IO_ERR;
        }
        if (r->errfd >= 0 && p[1].revents) drain(r);
        if (p[0].revents & ev) return IO_DONE;
        if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) return IO_DEAD;
    }
}

static int send_all(ex_reader *r, const char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t k = send(r->sock, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_sock(r, POLLOUT, deadline);
            if (w != IO_DONE) return w;
            continue;
        }
        return IO_DEAD; /* EPIPE, ECONNRESET: the worker is gone */
    }
    return IO_DONE;
}

static int recv_all(ex_reader *r, char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t k = recv(r->sock, p, n, 0);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        if (k == 0) return IO_DEAD;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = wait_sock(r, POLLIN, deadline);
            if (w == IO_DEAD) continue; /* read what is left, then EOF */
            if (w != IO_DONE) return w;
            continue;
        }
        return IO_DEAD;
    }
    return IO_DONE;
}

static int tail_says_memory(const ex_reader *r)
{
    static const char *const marks[] = {"Out of memory", "out of memory",
                                        "bad_alloc", "failed to allocate",
                                        "Cannot allocate memory"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        size_t k = strlen(marks[i]);
        for (size_t j = 0; j + k <= r->tailn; j++)
            if (memcmp(r->tail + j, marks[i], k) == 0) return 1;
    }
    return 0;
}

/* The worker died or was killed during a request (during page `page`
 * read by OCR, or 0): reap it and say why. */
static int worker_died(ex_reader *r, int timed_out, unsigned page, char *why,
                       size_t whylen)
{
    if (timed_out && r->pid > 0) kill(r->pid, SIGKILL);
    close_fd(&r->sock);
    int status = -1;
    if (r->pid > 0 && !reap(r->pid, 2000, &status)) {
        kill(r->pid, SIGKILL);
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {}
    }
    if (r->errfd >= 0) drain(r);
    close_fd(&r->errfd);
    r->pid = -1;
    r->served = 0;
    r->has_file = 0;
    char b[96];
    if (timed_out) {
        snprintf(b, sizeof b, "wall-clock time limit (%u s) exceeded",
                 r->lim.wall_seconds);
        say(why, whylen, "%s", b);
        return EX_ELIMIT;
    }
    if (status != -1 && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU) {
            if (page)
                snprintf(b, sizeof b, "OCR time limit (%u s) exceeded",
                         r->lim.ocr_seconds);
            else
                snprintf(b, sizeof b, "CPU time limit (%u s) exceeded",
                         r->lim.cpu_seconds);
            say(why, whylen, "%s", b);
            return EX_ELIMIT;
        }
        if (tail_says_memory(r)) {
            snprintf(b, sizeof b, "memory limit (%u MiB) exceeded",
                     r->lim.memory_mb);
            say(why, whylen, "%s", b);
            return EX_ELIMIT;
        }
        const char *name = sig == SIGSEGV   ? "SIGSEGV"
                           : sig == SIGABRT ? "SIGABRT"
                           : sig == SIGBUS  ? "SIGBUS"
                           : sig == SIGFPE  ? "SIGFPE"
                           : sig == SIGILL  ? "SIGILL"
                           : sig == SIGKILL ? "SIGKILL"
                           : sig == SIGTRAP ? "SIGTRAP"
                                            : NULL;
        if (name)
            snprintf(b, sizeof b, "the document reader crashed on it (%s)",
                     name);
        else
            snprintf(b, sizeof b,
                     "the document reader crashed on it (signal %d)", sig);
        say(why, whylen, "%s", b);
        return EX_ECRASH;
    }
    if (tail_says_memory(r)) {
        snprintf(b, sizeof b, "memory limit (%u MiB) exceeded",
                 r->lim.memory_mb);
        say(why, whylen, "%s", b);
        return EX_ELIMIT;
    }
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        /* ex_worker_serve: no memory for the request itself. */
        snprintf(b, sizeof b, "memory limit (%u MiB) exceeded",
                 r->lim.memory_mb);
        say(why, whylen, "%s", b);
        return EX_ELIMIT;
    }
    if (status != -1 && WIFEXITED(status))
        snprintf(b, sizeof b,
                 "the document reader stopped on it (exit status %d)",
                 WEXITSTATUS(status));
    else
        snprintf(b, sizeof b, "the document reader stopped on it");
    say(why, whylen, "%s", b);
    return EX_ECRASH;
}


/* FNV-1a, 64 bits: which file the worker holds. */
static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Starts a worker when none runs (or the one running is due to be
 * replaced). */
static int ready(ex_reader *r, char *why, size_t whylen)
{
    if (r->pid > 0 && r->served >= EX_WORKER_FILES) stop_worker(r, 1000);
    if (r->pid > 0 && r->errfd < 0) stop_worker(r, 0); /* half dead */
    if (r->pid <= 0) {
        int rc = start_worker(r, why, whylen);
        if (rc != EX_OK) return rc;
    }
    r->tailn = 0;
    drain(r);
    r->tailn = 0;
    return EX_OK;
}

/* Sends a request: its head, the lang, the given pages (two lists), the
 * file (unless q->reuse). */
static int send_request(ex_reader *r, const ex_wire_req *q, const char *lang,
                        const ex_scan *const *g1, size_t n1,
                        ex_scan *const *g2, size_t n2, const void *data,
                        int64_t deadline)
{
    char head[EX_WIRE_REQUEST_HEAD];
    ex_wire_req_head(head, q);
    int io = send_all(r, head, sizeof head, deadline);
    if (io == IO_DONE && q->langlen)
        io = send_all(r, lang, q->langlen, deadline);
    for (size_t i = 0; i < n1 + n2 && io == IO_DONE; i++) {
        const ex_scan *s = i < n1 ? g1[i] : g2[i - n1];
        char lb[4];
        ex_put32(lb, (uint32_t)s->len);
        io = send_all(r, lb, 4, deadline);
        if (io == IO_DONE) io = send_all(r, s->bytes, s->len, deadline);
    }
    if (io == IO_DONE && !q->reuse)
        io = send_all(r, data, (size_t)q->len, deadline);
    return io;
}

/* What a request's answer brought besides its body. */
typedef struct answer {
    unsigned current;   /* the page being read by OCR (0: none) */
    ex_scan **got;      /* pages read, in the order they came */
    size_t ngot, capgot;
    char *body;         /* the answer's body (malloc'd) */
    size_t n;
    int malformed;      /* the worker broke the format */
    int nomem;
} answer;

static int keep_scan(answer *a, ex_scan *s)
{
    if (a->ngot == a->capgot) {
        size_t nc = a->capgot ? a->capgot * 2 : 8;
        ex_scan **ng = realloc(a->got, nc * sizeof *ng);
        if (!ng) return -1;
        a->got = ng;
        a->capgot = nc;
    }
    a->got[a->ngot++] = s;
    return 0;
}

static void answer_free(answer *a)
{
    for (size_t i = 0; i < a->ngot; i++) ex_scan_free(a->got[i]);
    free(a->got);
    free(a->body);
    memset(a, 0, sizeof *a);
}

/* Reads frames until the answer (into a->body). Page frames restart the
 * wall clock; each page read is checked, kept in a->got and handed to
 * on_page. Returns IO_DONE with the body, IO_DONE with a->malformed or
 * a->nomem set (the worker is then stopped), or what the socket did. */
static int read_answer(ex_reader *r, answer *a,
                       void (*on_page)(void *, const ex_scan *), void *arg)
{
    int64_t deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
    uint64_t cap = (uint64_t)r->lim.max_text + ((uint64_t)64 << 20);
    for (;;) {
        char fh[EX_WIRE_HEAD];
        int io = recv_all(r, fh, sizeof fh, deadline);
        if (io != IO_DONE) return io;
        uint64_t n = ex_get64(fh + 4);
        int begin = memcmp(fh, EX_WIRE_PAGE_BEGIN, 4) == 0;
        int scan = memcmp(fh, EX_WIRE_PAGE_SCAN, 4) == 0;
        int ans = memcmp(fh, EX_WIRE_ANSWER, 4) == 0;
        if ((!begin && !scan && !ans) || (begin && n != 4) ||
            (scan && n > EX_WIRE_SCAN_MAX) || (ans && n > cap)) {
            a->malformed = 1;
            stop_worker(r, 0);
            return IO_DONE;
        }
        char *b = malloc(n ? (size_t)n : 1);
        if (!b) {
            a->nomem = 1;
            stop_worker(r, 0);
            return IO_DONE;
        }
        io = recv_all(r, b, (size_t)n, deadline);
        if (io != IO_DONE) {
            free(b);
            return io;
        }
        if (ans) {
            a->body = b;
            a->n = (size_t)n;
            return IO_DONE;
        }
        if (begin) {
            unsigned page = ex_get32(b);
            free(b);
            if (page == 0 || a->current) {
                a->malformed = 1;
                stop_worker(r, 0);
                return IO_DONE;
            }
            a->current = page;
            deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
            continue;
        }
        ex_scan *s = NULL;
        int rc = ex_scan_decode(b, (size_t)n, &s);
        free(b);
        if (rc == EX_OK && s->page != a->current) {
            ex_scan_free(s);
            rc = EX_ECORRUPT;
        }
        if (rc != EX_OK || keep_scan(a, s) != 0) {
            if (rc == EX_OK) ex_scan_free(s);
            if (rc == EX_ECORRUPT) a->malformed = 1;
            else a->nomem = 1;
            stop_worker(r, 0);
            return IO_DONE;
        }
        a->current = 0;
        if (on_page) on_page(arg, s);
        deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
    }
}

static int check_request(ex_reader *r, ex_type type, const void *data,
                         size_t len, const char *lang, char *why,
                         size_t whylen)
{
    if (type < EX_TYPE_PDF || type > EX_TYPE_IMAGE || (len > 0 && !data)) {
        say(why, whylen, "%s", "no such document type");
        return EX_EINVAL;
    }
    if (!ex_ocr_lang_ok(lang)) {
        say(why, whylen, "not a Tesseract model name: %s", lang);
        return EX_EINVAL;
    }
    if (len > r->lim.max_input) {
        char b[96];
        snprintf(b, sizeof b, "input size limit (%zu MiB) exceeded",
                 r->lim.max_input >> 20);
        say(why, whylen, "%s", b);
        return EX_ELIMIT;
    }
    return EX_OK;
}

int ex_read_with(ex_reader *r, ex_type type, const void *data, size_t len,
                 const ex_options *opt, ex_doc **out, char *why,
                 size_t whylen)
{
    *out = NULL;
    if (why && whylen) why[0] = '\0';
    ex_options none = {0};
    if (!opt) opt = &none;
    if ((unsigned)opt->ocr > EX_OCR_OFF || (opt->ngiven && !opt->given)) {
        say(why, whylen, "%s", "invalid options");
        return EX_EINVAL;
    }
    int rc = check_request(r, type, data, len, opt->lang, why, whylen);
    if (rc != EX_OK) return rc;
    size_t ngiven = opt->ocr == EX_OCR_OFF ? 0 : opt->ngiven;
    /* Pages read in this call by workers that died later on: given back
     * to the next one. */
    ex_scan **done = NULL;
    size_t ndone = 0;
    for (;;) {
        rc = ready(r, why, whylen);
        if (rc != EX_OK) break;
        if (ngiven + ndone > EX_WIRE_GIVEN_MAX) {
            say(why, whylen, "%s", "too many pages given");
            rc = EX_EINVAL;
            break;
        }
        ex_wire_req q = {EX_WIRE_READ, (uint32_t)type, (uint32_t)opt->ocr,
                         0, 0,
                         opt->lang ? (uint32_t)strlen(opt->lang) : 0,
                         (uint32_t)(ngiven + ndone), (uint64_t)len};
        int64_t deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
        int io = send_request(r, &q, opt->lang, opt->given, ngiven, done,
                              ndone, data, deadline);
        answer a = {0};
        if (io == IO_DONE) io = read_answer(r, &a, opt->on_page, opt->arg);
        if (io == IO_DONE && (a.malformed || a.nomem)) {
            say(why, whylen, "%s",
                "the document reader sent a malformed answer");
            rc = a.nomem ? EX_ENOMEM : EX_EIO;
            answer_free(&a);
            break;
        }
        /* Pages read before anything went wrong are kept. */
        int lost = 0;
        for (size_t i = 0; i < a.ngot && !lost; i++) {
            ex_scan **nd = realloc(done, (ndone + 1) * sizeof *nd);
            if (!nd) {
                lost = 1;
                break;
            }
            done = nd;
            done[ndone++] = a.got[i];
            a.got[i] = NULL;
        }
        if (lost) {
            answer_free(&a);
            rc = EX_ENOMEM;
            break;
        }
        if (io != IO_DONE) {
            unsigned page = a.current;
            answer_free(&a);
            char reason[EX_WIRE_REASON_MAX];
            rc = worker_died(r, io == IO_TIMEOUT, page, reason,
                             sizeof reason);
            if (!page || (rc != EX_ELIMIT && rc != EX_ECRASH)) {
                say(why, whylen, "%s", reason);
                break;
            }
            /* The page killed the worker: it fails, the rest goes on. */
            ex_scan *f = NULL;
            ex_scan **nd = realloc(done, (ndone + 1) * sizeof *nd);
            if (!nd || ex_scan_failed(page, reason, &f) != EX_OK) {
                if (nd) done = nd;
                rc = EX_ENOMEM;
                break;
            }
            done = nd;
            done[ndone++] = f;
            if (opt->on_page) opt->on_page(opt->arg, f);
            continue;
        }
        rc = ex_wire_decode(a.body, a.n, r->lim.max_text, out, why, whylen);
        answer_free(&a);
        r->served++;
        r->has_file = 1;
        r->file_len = len;
        r->file_hash = fnv(data, len);
        /* After a malformed answer or a limit the worker is not trusted
         * with the next file (it exits by itself after a limit). */
        if (rc == EX_EIO || rc == EX_ELIMIT || rc == EX_ENOMEM)
            stop_worker(r, 1000);
        break;
    }
    for (size_t i = 0; i < ndone; i++) ex_scan_free(done[i]);
    free(done);
    return rc;
}

int ex_read(ex_reader *r, ex_type type, const void *data, size_t len,
            ex_doc **out, char *why, size_t whylen)
{
    return ex_read_with(r, type, data, len, NULL, out, why, whylen);
}

int ex_ocr_page(ex_reader *r, ex_type type, const void *data, size_t len,
                unsigned page, const char *lang, ex_scan **out, char *why,
                size_t whylen)
{
    *out = NULL;
    if (why && whylen) why[0] = '\0';
    int rc = check_request(r, type, data, len, lang, why, whylen);
    if (rc != EX_OK) return rc;
    if (page == 0 || (type != EX_TYPE_PDF && type != EX_TYPE_IMAGE)) {
        say(why, whylen, "%s", page ? "a file of this type has no pages"
                                    : "pages are numbered from 1");
        return EX_EINVAL;
    }
    rc = ready(r, why, whylen);
    if (rc != EX_OK) return rc;
    uint64_t h = fnv(data, len);
    int reuse = r->has_file && r->file_len == len && r->file_hash == h;
    ex_wire_req q = {EX_WIRE_OCR_PAGE, (uint32_t)type, EX_OCR_ON, page,
                     (uint32_t)reuse, lang ? (uint32_t)strlen(lang) : 0, 0,
                     reuse ? 0 : (uint64_t)len};
    int64_t deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
    int io = send_request(r, &q, lang, NULL, 0, NULL, 0, data, deadline);
    answer a = {0};
    if (io == IO_DONE) io = read_answer(r, &a, NULL, NULL);
    if (io == IO_DONE && (a.malformed || a.nomem)) {
        answer_free(&a);
        say(why, whylen, "%s", "the document reader sent a malformed answer");
        return a.nomem ? EX_ENOMEM : EX_EIO;
    }
    if (io != IO_DONE) {
        unsigned cur = a.current;
        answer_free(&a);
        char reason[EX_WIRE_REASON_MAX];
        rc = worker_died(r, io == IO_TIMEOUT, cur, reason, sizeof reason);
        if (cur != page || (rc != EX_ELIMIT && rc != EX_ECRASH)) {
            say(why, whylen, "%s", reason);
            return rc;
        }
        return ex_scan_failed(page, reason, out);
    }
    rc = ex_wire_decode_status(a.body, a.n, why, whylen);
    r->served++;
    r->has_file = 1;
    r->file_len = len;
    r->file_hash = h;
    if (rc == EX_OK && a.ngot == 1 && a.got[0]->page == page) {
        *out = a.got[0];
        a.got[0] = NULL;
    } else if (rc == EX_OK) {
        say(why, whylen, "%s", "the document reader sent a malformed answer");
        rc = EX_EIO;
    }
    answer_free(&a);
    if (rc == EX_EIO || rc == EX_ELIMIT || rc == EX_ENOMEM)
        stop_worker(r, 1000);
    return rc;
}

int ex_ocr_model(ex_reader *r, const char *lang, char **out, char *why,
                 size_t whylen)
{
    *out = NULL;
    if (why && whylen) why[0] = '\0';
    if (!ex_ocr_lang_ok(lang)) {
        say(why, whylen, "not a Tesseract model name: %s", lang);
        return EX_EINVAL;
    }
    int rc = ready(r, why, whylen);
    if (rc != EX_OK) return rc;
    ex_wire_req q = {EX_WIRE_MODEL, 0, EX_OCR_ON, 0, 0,
                     lang ? (uint32_t)strlen(lang) : 0, 0, 0};
    int64_t deadline = now_ms() + (int64_t)r->lim.wall_seconds * 1000;
    int io = send_request(r, &q, lang, NULL, 0, NULL, 0, NULL, deadline);
    answer a = {0};
    if (io == IO_DONE) io = read_answer(r, &a, NULL, NULL);
    if (io != IO_DONE) {
        answer_free(&a);
        return worker_died(r, io == IO_TIMEOUT, 0, why, whylen);
    }
    if (a.malformed || a.nomem || a.ngot) {
        rc = a.nomem ? EX_ENOMEM : EX_EIO;
        answer_free(&a);
        stop_worker(r, 0);
        say(why, whylen, "%s", "the document reader sent a malformed answer");
        return rc;
    }
    char model[EX_WIRE_REASON_MAX + 1];
    rc = ex_wire_decode_status(a.body, a.n, model, sizeof model);
    answer_free(&a);
    if (rc != EX_OK) {
        say(why, whylen, "%s", model);
        if (rc == EX_EIO) stop_worker(r, 0);
        return rc;
    }
    *out = strdup(model);
    return *out ? EX_OK : EX_ENOMEM;
}
