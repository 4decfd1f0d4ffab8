/*
 * dx_verify.c — checking a database's tables in a child process, and
 * remembering when they were last found sound (see dx_verify.h).
 */
#define _GNU_SOURCE /* strsignal */
#include "dx_verify.h"
#include "dx_dbdir.h"

#include "xc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* The files of a glass database that hold its state: the version file and
 * the tables (those that exist). */
static const char *const tables[] = {
    "iamglass",       "postlist.glass", "docdata.glass", "termlist.glass",
    "position.glass", "spelling.glass", "synonym.glass"};
#define NTABLES (sizeof tables / sizeof tables[0])

/* The record of dx_verify_stamp. */
#define STAMP_HEAD "diarium-verified 1\n"
#define STAMP_MAX 2048

static int path_in(char *out, size_t outlen, const char *dir,
                   const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ------------------------------------------------------------- the stamp */

/* The present state of dir's table files, as the stamp records it, into
 * out; its length, or 0 when it cannot be told (no table, a path too
 * long, a file that cannot be stat'ed other than missing). */
static size_t state(const char *dir, char *out, size_t outlen)
{
    size_t n = (size_t)snprintf(out, outlen, "%s", STAMP_HEAD);
    int any = 0;
    for (size_t i = 0; i < NTABLES; i++) {
        char p[4200];
        struct stat sb;
        if (path_in(p, sizeof p, dir, tables[i]) != 0) return 0;
        if (stat(p, &sb) != 0) {
            if (errno == ENOENT) continue;
            return 0;
        }
        int k = snprintf(out + n, outlen - n, "%s %lld %lld.%09ld %lld.%09ld "
                         "%llu\n", tables[i], (long long)sb.st_size,
                         (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec,
                         (long long)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec,
                         (unsigned long long)sb.st_ino);
        if (k < 0 || (size_t)k >= outlen - n) return 0;
        n += (size_t)k;
        any = 1;
    }
    return any ? n : 0;
}

int dx_verify_unchanged(const char *dir)
{
    char now[STAMP_MAX], rec[STAMP_MAX + 1], p[4200];
    size_t n = state(dir, now, sizeof now);
    if (!n || path_in(p, sizeof p, dir, DX_VERIFIED_FILE) != 0) return 0;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t got = read(fd, rec, sizeof rec);
    close(fd);
    return got == (ssize_t)n && memcmp(rec, now, n) == 0;
}

void dx_verify_stamp(const char *dir)
{
    char now[STAMP_MAX], p[4200], tmp[4300];
    size_t n = state(dir, now, sizeof now);
    if (!n || path_in(p, sizeof p, dir, DX_VERIFIED_FILE) != 0 ||
        path_in(tmp, sizeof tmp, dir, DX_VERIFIED_FILE ".tmp") != 0)
        return;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return;
    int ok = write(fd, now, n) == (ssize_t)n;
    if (close(fd) != 0) ok = 0;
    if (!ok || rename(tmp, p) != 0) (void)unlink(tmp);
}

/* ---------------------------------------------------------- the check */

/* Whether this process may write dir and each of its table files. */
static int writable(const char *dir)
{
    if (access(dir, W_OK) != 0) return 0;
    for (size_t i = 0; i < NTABLES; i++) {
        char p[4200];
        if (path_in(p, sizeof p, dir, tables[i]) != 0) return 0;
        if (access(p, F_OK) == 0 && access(p, W_OK) != 0) return 0;
    }
    return 1;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return errno == ENOENT ? 0 : -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    static char buf[1 << 16];
    int res = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            res = r < 0 ? -1 : 0;
            break;
        }
        for (ssize_t at = 0; at < r;) {
            ssize_t w = write(out, buf + at, (size_t)(r - at));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                res = -1;
                break;
            }
            at += w;
        }
        if (res) break;
    }
    close(in);
    if (close(out) != 0) res = -1;
    return res;
}

static void remove_copy(const char *copy)
{
    for (size_t i = 0; i < NTABLES; i++) {
        char p[4200];
        if (path_in(p, sizeof p, copy, tables[i]) == 0) (void)unlink(p);
    }
    (void)rmdir(copy);
}

/* Copies dir's table files into a new private folder under $TMPDIR (copy:
 * its path). 0, or -1 with res->what saying why. */
static int make_copy(const char *dir, char *copy, size_t copylen,
                     dx_verify_result *res)
{
    const char *t = getenv("TMPDIR");
    if (!t || !*t) t = "/tmp";
    uint64_t need = (uint64_t)1 << 20;
    for (size_t i = 0; i < NTABLES; i++) {
        char p[4200];
        struct stat sb;
        if (path_in(p, sizeof p, dir, tables[i]) == 0 && stat(p, &sb) == 0)
            need += (uint64_t)sb.st_size;
    }
    struct statvfs sv;
    if (statvfs(t, &sv) == 0 &&
        (uint64_t)sv.f_bavail * sv.f_frsize < need) {
        snprintf(res->what, sizeof res->what, "%s may not be written (Xapian "
                 "checks tables opened for writing) and %s has no room for "
                 "a copy of them (%llu MB)", dir, t,
                 (unsigned long long)(need >> 20));
        return -1;
    }
    int n = snprintf(copy, copylen, "%s/diarium-check.XXXXXX", t);
    if (n < 0 || (size_t)n >= copylen || !mkdtemp(copy)) {
        snprintf(res->what, sizeof res->what, "%s may not be written and no "
                 "folder for a copy can be made in %s: %s", dir, t,
                 strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < NTABLES; i++) {
        char a[4200], b[4200];
        if (path_in(a, sizeof a, dir, tables[i]) != 0 ||
            path_in(b, sizeof b, copy, tables[i]) != 0 ||
            copy_file(a, b) != 0) {
            snprintf(res->what, sizeof res->what, "cannot copy %s to %s to "
                     "check it (%s may not be written): %s", tables[i], copy,
                     dir, strerror(errno));
            remove_copy(copy);
            return -1;
        }
    }
    return 0;
}

pid_t dx_verify_fork(int *keep)
{
    pid_t parent = getpid();
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid != 0) return pid;
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(2); /* it died before prctl */
    if (*keep != 3) {
        if (dup2(*keep, 3) < 0) _exit(2);
        *keep = 3;
    }
    int done = 0;
#ifdef SYS_close_range
    done = syscall(SYS_close_range, 4u, ~0u, 0u) == 0;
#endif
    if (!done) {
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 65536) max = 65536;
        for (int fd = 4; fd < max; fd++) (void)close(fd);
    }
    return 0;
}

/* The child: Xapian's check of path, its answer on fd as "<rc> <errors>\n"
 * and one line. Never returns. */
static void check_child(const char *path, int fd)
{
    size_t errors = 0;
    char *report = NULL, *xerr = NULL, out[700], line[600] = "";
    int rc = xc_db_check(path, &errors, &report, &xerr);
    const char *p = rc != XC_OK ? (xerr ? xerr : xc_strerror(rc))
                                : report ? report : "";
    /* The checker's first complaint says most. */
    while (*p) {
        size_t k = strcspn(p, "\n");
        if (rc != XC_OK || memmem(p, k, "rror", 4) || memmem(p, k, "orrupt", 6)) {
            snprintf(line, sizeof line, "%.*s", (int)k, p);
            break;
        }
        p += k;
        if (*p) p++;
    }
    int n = snprintf(out, sizeof out, "%d %zu\n%s\n", rc, errors, line);
    if (n > 0 && write(fd, out, (size_t)n) != n) _exit(2);
    _exit(0);
}

/* Runs check_child on path in a child process and reads its answer. */
static int run_check(const char *path, dx_verify_result *res)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(res->what, sizeof res->what, "cannot check the tables: "
                 "pipe: %s", strerror(errno));
        return DXV_NOCHECK;
    }
    int wfd = pfd[1];
    pid_t pid = dx_verify_fork(&wfd);
    if (pid < 0) {
        snprintf(res->what, sizeof res->what, "cannot check the tables: "
                 "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return DXV_NOCHECK;
    }
    if (pid == 0) check_child(path, wfd);
    close(pfd[1]);
    char buf[1024];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(pfd[0], buf + got, sizeof buf - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        if (got == sizeof buf - 1) break;
    }
    buf[got] = '\0';
    close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(st)) {
        res->signal = WTERMSIG(st);
        snprintf(res->what, sizeof res->what, "Xapian's check of the tables "
                 "crashed (signal %d, %s)", res->signal,
                 strsignal(res->signal));
        return DXV_DAMAGED;
    }
    int rc = 0;
    char *nl = strchr(buf, '\n');
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !nl ||
        sscanf(buf, "%d %zu", &rc, &res->errors) != 2) {
        snprintf(res->what, sizeof res->what, "Xapian's check of the tables "
                 "did not finish (exit status %d)",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return DXV_DAMAGED;
    }
    char *line = nl + 1;
    line[strcspn(line, "\n")] = '\0';
    if (rc == XC_ENOMEM) {
        snprintf(res->what, sizeof res->what, "out of memory: %s", line);
        return DXV_NOMEM;
    }
    if (rc != XC_OK) {
        snprintf(res->what, sizeof res->what, "Xapian cannot check it: %s",
                 line);
        return DXV_DAMAGED;
    }
    if (res->errors) {
        snprintf(res->what, sizeof res->what, "Xapian's consistency check "
                 "found %zu error%s in the tables%s%s", res->errors,
                 res->errors == 1 ? "" : "s", *line ? ": " : "", line);
        return DXV_DAMAGED;
    }
    return DXV_SOUND;
}

int dx_verify_tables(const char *dir, dx_verify_result *res)
{
    char copy[4200] = "";
    memset(res, 0, sizeof *res);
    const char *path = dir;
    if (!writable(dir)) {
        if (make_copy(dir, copy, sizeof copy, res) != 0) return DXV_NOCHECK;
        path = copy;
    }
    int rc = run_check(path, res);
    if (copy[0]) remove_copy(copy);
    return rc;
}
