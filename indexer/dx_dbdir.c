/*
 * dx_dbdir.c — the database folder: writer lock and rebuild swap (see
 * dx_dbdir.h).
 */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE, flock */
#include "dx_dbdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_TAG ".full-tmp."
#define OLD_TAG ".full-old."
#define SHARD_TAG ".shard-tmp."

struct dx_dblock {
    int fd;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Splits `dir` (trailing slashes ignored) into its parent folder and its
 * last component. 0, or -1 when it does not fit. */
static int split_path(const char *dir, char *parent, size_t plen, char *base,
                      size_t blen)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    size_t slash = n;
    while (slash > 0 && dir[slash - 1] != '/') slash--;
    size_t bl = n - slash;
    if (bl == 0 || bl >= blen) return -1;
    memcpy(base, dir + slash, bl);
    base[bl] = '\0';
    if (slash == 0) {
        if (plen < 2) return -1;
        strcpy(parent, ".");
    } else {
        size_t pl = slash > 1 ? slash - 1 : 1; /* "/x" -> parent "/" */
        if (pl >= plen) return -1;
        memcpy(parent, dir, pl);
        parent[pl] = '\0';
    }
    return 0;
}

/* `dir` without trailing slashes, into out. 0 or -1. */
static int strip_path(const char *dir, char *out, size_t outlen)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (n == 0 || n >= outlen) return -1;
    memcpy(out, dir, n);
    out[n] = '\0';
    return 0;
}

/* 1 if `name` is base + tag + decimal digits. */
static int is_leftover(const char *name, const char *base, const char *tag)
{
    size_t bl = strlen(base), tl = strlen(tag);
    if (strncmp(name, base, bl) != 0 || strncmp(name + bl, tag, tl) != 0)
        return 0;
    const char *d = name + bl + tl;
    if (!*d) return 0;
    for (; *d; d++)
        if (*d < '0' || *d > '9') return 0;
    return 1;
}

/* Syncs a folder's entries to disk (renames, new files). Best effort: some
 * file systems refuse fsync on a folder. */
static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* 1 if s is one or more decimal digits followed by `rest`. */
static int digits_then(const char *s, const char *rest)
{
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
    return strcmp(s, rest) == 0;
}

int dx_dbdir_known_name(const char *name)
{
    /* Xapian 1.4's glass backend: the version file (and the temporary
     * one it is written through), its write lock, its tables, changesets
     * (when replication is on) and the temporary tables of a multi-pass
     * compaction ("tmp<pass>_<n>.glass"). */
    static const char *const fixed[] = {
        "iamglass", "v.tmp", "flintlock", "postlist.glass", "docdata.glass",
        "termlist.glass", "position.glass", "spelling.glass",
        "synonym.glass", DX_LOCK_FILE, DX_VERIFIED_FILE,
        DX_VERIFIED_FILE ".tmp", DX_OCR_CACHE_DIR};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0) return 1;
    if (strncmp(name, "changes", 7) == 0 && digits_then(name + 7, ""))
        return 1;
    if (strncmp(name, "tmp", 3) == 0) {
        const char *u = name + 3;
        while (*u >= '0' && *u <= '9') u++;
        if (u > name + 3 && *u == '_' && digits_then(u + 1, ".glass"))
            return 1;
    }
    return 0;
}

/* Removes a database folder: the files in it that Xapian or diarium make
 * (dx_dbdir_known_name), then the folder. Anything else — a file or
 * folder someone put there — is never touched, and then the folder stays
 * (ENOTEMPTY). 0, or -1 with errno set. */
static int remove_flat(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT ? 0 : -1;
    int dfd = dirfd(d), res = 0, saved = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!dx_dbdir_known_name(e->d_name)) continue;
        if (unlinkat(dfd, e->d_name, 0) != 0 && errno != ENOENT) {
            saved = errno;
            res = -1;
        }
    }
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT) {
        if (!saved) saved = errno;
        res = -1;
    }
    if (res) errno = saved;
    return res;
}

int dx_dbdir_classify(const char *dir, char *other, size_t otherlen,
                      unsigned *nother)
{
    struct stat sb;
    unsigned n = 0;
    int glass = 0;
    if (other && otherlen) other[0] = '\0';
    if (nother) *nother = 0;
    if (stat(dir, &sb) != 0) return errno == ENOENT ? DX_DIR_MISSING : DX_EIO;
    if (!S_ISDIR(sb.st_mode)) return DX_DIR_NOTDIR;
    DIR *d = opendir(dir);
    if (!d) return DX_EIO;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..")) continue;
        if (dx_dbdir_known_name(nm)) {
            if (!strcmp(nm, "iamglass")) glass = 1;
            continue;
        }
        /* Name the first one in byte order, so messages are stable. */
        if (other && otherlen && (!n || strcmp(nm, other) < 0))
            snprintf(other, otherlen, "%s", nm);
        n++;
    }
    closedir(d);
    if (nother) *nother = n;
    if (n) return glass ? DX_DIR_MIXED : DX_DIR_FOREIGN;
    return glass ? DX_DIR_DATABASE : DX_DIR_EMPTY;
}

int dx_dbdir_vet(const char *dir, int full, char *err, size_t errlen)
{
    char other[256];
    unsigned n = 0;
    int k = dx_dbdir_classify(dir, other, sizeof other, &n);
    char more[64] = "";
    if (n > 1)
        snprintf(more, sizeof more, " and %u other entr%s", n - 1,
                 n == 2 ? "y" : "ies");
    switch (k) {
    case DX_DIR_NOTDIR:
        seterr(err, errlen, "%s is not a folder: --db names the database "
               "folder", dir);
        return DX_EREFUSED;
    case DX_DIR_FOREIGN:
        seterr(err, errlen, "%s is not a diarium database: it holds '%s'%s "
               "that diarium did not make; refusing to use it as a "
               "database (--db names the database folder: give a new or an "
               "empty one)", dir, other, more);
        return DX_EREFUSED;
    case DX_DIR_MIXED:
        if (!full) return DX_OK;
        seterr(err, errlen, "%s holds a database and also '%s'%s that "
               "diarium did not make: --full replaces the whole folder, so "
               "move %s out of it first", dir, other, more,
               n > 1 ? "them" : "it");
        return DX_EREFUSED;
    default: /* missing, empty, a database; or unreadable: Xapian says */
        return DX_OK;
    }
}

/* ------------------------------------------------------------------ lock */

/* Reads "<pid> <start>" from the lock file; 0 when unreadable. */
static long read_holder(int fd, long long *since)
{
    char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    long pid = 0;
    long long t = 0;
    *since = 0;
    if (n <= 0) return 0;
    buf[n] = '\0';
    if (sscanf(buf, "%ld %lld", &pid, &t) < 1 || pid <= 0) return 0;
    *since = t;
    return pid;
}

int dx_dblock_take(const char *dir, int create, dx_dblock **out, long *holder,
                   char *err, size_t errlen)
{
    char path[4096];
    *out = NULL;
    if (holder) *holder = 0;
    if (create && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        seterr(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return DX_EIO;
    }
    int n = snprintf(path, sizeof path, "%s/%s", dir, DX_LOCK_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        seterr(err, errlen, "%s: path too long", dir);
        return DX_EIO;
    }
    int writable = 1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    int why = errno;
    if (fd < 0 && (why == EACCES || why == EROFS)) {
        if (create) { /* a writer: say it cannot write, not "locked" */
            seterr(err, errlen, "cannot write to the database folder %s: %s "
                   "(diarium-index must be able to write it)", dir,
                   strerror(why));
            return DX_EIO;
        }
        /* A reader's --check on a folder it may not write: flock works on
         * a read-only descriptor too. */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        writable = 0;
        if (fd < 0 && errno == ENOENT) errno = why;
    }
    if (fd < 0) {
        seterr(err, errlen, "cannot open the lock file %s: %s", path,
               strerror(errno));
        return DX_EIO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e != EWOULDBLOCK && e != EINTR) {
            seterr(err, errlen, "cannot lock %s: %s", path, strerror(e));
            close(fd);
            return DX_EIO;
        }
        /* The holder writes its pid just after taking the lock: give it a
         * moment if the file is still empty. */
        long long since = 0;
        long pid = 0;
        for (int i = 0; i < 20 && !(pid = read_holder(fd, &since)); i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        close(fd);
        if (holder) *holder = pid;
        if (pid) {
            char when[64] = "";
            time_t t = (time_t)since;
            struct tm tm;
            if (since > 0 && localtime_r(&t, &tm))
                strftime(when, sizeof when, ", running since %Y-%m-%d %H:%M:%S",
                         &tm);
            seterr(err, errlen,
                   "%s is locked by another diarium-index (pid %ld%s); only "
                   "one writer at a time", dir, pid, when);
        } else {
            seterr(err, errlen, "%s is locked by another diarium-index "
                   "(pid unknown); only one writer at a time", dir);
        }
        return DX_ELOCKED;
    }
    if (writable) {
        char line[64];
        int ln = snprintf(line, sizeof line, "%ld %lld\n", (long)getpid(),
                          (long long)time(NULL));
        /* Best effort: the pid is only for messages. */
        if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)ln, 0) != ln) {
            /* the lock itself holds */
        }
    }
    dx_dblock *l = malloc(sizeof *l);
    if (!l) {
        close(fd);
        seterr(err, errlen, "out of memory");
        return DX_ENOMEM;
    }
    l->fd = fd;
    *out = l;
    return DX_OK;
}

void dx_dblock_release(dx_dblock *l)
{
    if (!l) return;
    close(l->fd); /* drops the flock */
    free(l);
}

/* ------------------------------------------------------------ leftovers */

/* Calls fn(parent, name, ctx) for each entry of dir's parent folder that is
 * base + tag + digits; stops at the first non-zero return. 0, the non-zero
 * return, or -1 when the parent cannot be listed. */
static int each_leftover(const char *dir, const char *tag,
                         int (*fn)(const char *, const char *, void *),
                         void *ctx)
{
    char parent[4096], base[1024];
    if (split_path(dir, parent, sizeof parent, base, sizeof base) != 0)
        return -1;
    DIR *d = opendir(parent);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (is_leftover(e->d_name, base, tag)) rc = fn(parent, e->d_name, ctx);
    closedir(d);
    return rc;
}

typedef struct fix_ctx {
    const char *dir;
    char *err;
    size_t errlen;
    int rc;
} fix_ctx;

static int put_back(const char *parent, const char *name, void *p)
{
    fix_ctx *c = p;
    char old[8192];
    snprintf(old, sizeof old, "%s/%s", parent, name);
    if (rename(old, c->dir) != 0 && errno != ENOENT) {
        seterr(c->err, c->errlen, "cannot rename %s back to %s: %s", old,
               c->dir, strerror(errno));
        c->rc = DX_EIO;
    }
    return 1; /* one is enough */
}

int dx_dbdir_recover(const char *dir, char *err, size_t errlen)
{
    char d[4096];
    struct stat sb;
    if (strip_path(dir, d, sizeof d) != 0) return DX_OK;
    if (lstat(d, &sb) == 0 || errno != ENOENT) return DX_OK;
    fix_ctx c = {d, err, errlen, DX_OK};
    each_leftover(d, OLD_TAG, put_back, &c);
    return c.rc;
}

static int remove_leftover(const char *parent, const char *name, void *p)
{
    fix_ctx *c = p;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", parent, name);
    if (remove_flat(path) != 0) {
        seterr(c->err, c->errlen, "cannot remove %s, left by an interrupted "
               "--full: %s", path, strerror(errno));
        c->rc = DX_EIO;
    }
    return 0;
}

int dx_dbdir_cleanup(const char *dir, char *err, size_t errlen)
{
    char d[4096];
    if (strip_path(dir, d, sizeof d) != 0) return DX_OK;
    fix_ctx c = {d, err, errlen, DX_OK};
    each_leftover(d, TMP_TAG, remove_leftover, &c);
    each_leftover(d, OLD_TAG, remove_leftover, &c);
    each_leftover(d, SHARD_TAG, remove_leftover, &c);
    return c.rc;
}

int dx_dbdir_adopt(const char *dir, const char *tmp, char *err,
                   size_t errlen)
{
    DIR *d = opendir(tmp);
    if (!d) {
        seterr(err, errlen, "cannot list %s: %s", tmp, strerror(errno));
        return DX_EIO;
    }
    int rc = DX_OK, version = 0;
    struct dirent *e;
    char a[8200], b[8200];
    while (rc == DX_OK && (e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (!dx_dbdir_known_name(nm) || !strcmp(nm, DX_LOCK_FILE) ||
            !strcmp(nm, "flintlock"))
            continue;
        if (!strcmp(nm, "iamglass")) {
            version = 1;
            continue;
        }
        snprintf(a, sizeof a, "%s/%s", tmp, nm);
        snprintf(b, sizeof b, "%s/%s", dir, nm);
        if (rename(a, b) != 0) {
            seterr(err, errlen, "cannot move %s into %s: %s", a, dir,
                   strerror(errno));
            rc = DX_EIO;
        }
    }
    closedir(d);
    if (rc == DX_OK && version) {
        sync_dir(dir);
        snprintf(a, sizeof a, "%s/iamglass", tmp);
        snprintf(b, sizeof b, "%s/iamglass", dir);
        if (rename(a, b) != 0) {
            seterr(err, errlen, "cannot move %s into %s: %s", a, dir,
                   strerror(errno));
            rc = DX_EIO;
        }
    }
    sync_dir(dir);
    (void)remove_flat(tmp);
    return rc;
}

static int remove_shard(const char *parent, const char *name, void *p)
{
    char path[8192];
    (void)p;
    snprintf(path, sizeof path, "%s/%s", parent, name);
    (void)remove_flat(path);
    return 0;
}

void dx_dbdir_discard(const char *dir)
{
    char d[4096], tmp[4200];
    if (strip_path(dir, d, sizeof d) != 0) return;
    if (dx_dbdir_temp_path(d, tmp, sizeof tmp) == DX_OK)
        (void)remove_flat(tmp);
    each_leftover(d, SHARD_TAG, remove_shard, NULL);
}

char *dx_dbdir_resolve(const char *dir)
{
    char d[4096];
    struct stat sb;
    if (strip_path(dir, d, sizeof d) != 0) return strdup(dir);
    if (lstat(d, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        char *real = realpath(d, NULL);
        if (real) return real;
    }
    return strdup(d);
}

int dx_dbdir_temp_path(const char *dir, char *out, size_t outlen)
{
    char d[4096];
    if (strip_path(dir, d, sizeof d) != 0) return DX_EIO;
    int n = snprintf(out, outlen, "%s" TMP_TAG "%ld", d, (long)getpid());
    return n < 0 || (size_t)n >= outlen ? DX_EIO : DX_OK;
}

int dx_dbdir_shard_path(const char *dir, unsigned k, char *out,
                        size_t outlen)
{
    char d[4096];
    if (strip_path(dir, d, sizeof d) != 0) return DX_EIO;
    int n = snprintf(out, outlen, "%s" SHARD_TAG "%u", d, k);
    return n < 0 || (size_t)n >= outlen ? DX_EIO : DX_OK;
}

int dx_dbdir_remove(const char *path)
{
    return remove_flat(path) == 0 ? DX_OK : DX_EIO;
}

/* ----------------------------------------------------------------- swap */

int dx_dbdir_swap(const char *dir, const char *tmp, char *err, size_t errlen)
{
    char d[4096], parent[4096], base[1024], old[4200];
    if (strip_path(dir, d, sizeof d) != 0 ||
        split_path(d, parent, sizeof parent, base, sizeof base) != 0) {
        seterr(err, errlen, "%s: path too long", dir);
        return DX_EIO;
    }
    /* Lock the new folder too: once it is at `dir`, its lock file is the
     * one other writers try, and it is already ours. */
    dx_dblock *l = NULL;
    int rc = dx_dblock_take(tmp, 0, &l, NULL, err, errlen);
    if (rc != DX_OK) return rc;
    sync_dir(tmp);

    struct stat sb;
    int have_old = lstat(d, &sb) == 0;
    int done = 0, moved_aside = 0;
    /* The OCR cache lives with the database and outlives a rebuild: it
     * goes into the new folder (and back, should the swap fail). */
    char cache_old[4200], cache_new[4200];
    snprintf(cache_old, sizeof cache_old, "%s/%s", d, DX_OCR_CACHE_DIR);
    snprintf(cache_new, sizeof cache_new, "%s/%s", tmp, DX_OCR_CACHE_DIR);
    int carried = have_old && lstat(cache_new, &sb) != 0 &&
                  rename(cache_old, cache_new) == 0;
#ifdef RENAME_EXCHANGE
    if (have_old) {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, d, RENAME_EXCHANGE) == 0) {
            done = 1;
        } else if (errno != EINVAL && errno != ENOSYS &&
                   errno != EOPNOTSUPP) {
            seterr(err, errlen, "cannot swap %s into place: %s", tmp,
                   strerror(errno));
            if (carried) (void)rename(cache_new, cache_old);
            dx_dblock_release(l);
            return DX_EIO;
        }
    }
#endif
    if (!done && have_old) {
        /* No atomic exchange here: move the old one aside first. */
        snprintf(old, sizeof old, "%s" OLD_TAG "%ld", d, (long)getpid());
        if (rename(d, old) != 0) {
            seterr(err, errlen, "cannot move %s aside: %s", d,
                   strerror(errno));
            if (carried) (void)rename(cache_new, cache_old);
            dx_dblock_release(l);
            return DX_EIO;
        }
        moved_aside = 1;
    }
    if (!done) {
        if (rename(tmp, d) != 0) {
            int e = errno;
            if (moved_aside) (void)rename(old, d);
            if (carried) (void)rename(cache_new, cache_old);
            seterr(err, errlen, "cannot move %s into place: %s", tmp,
                   strerror(e));
            dx_dblock_release(l);
            return DX_EIO;
        }
    }
    sync_dir(parent);
    /* The old database is now at tmp (exchanged) or old (moved aside). */
    if (done) (void)remove_flat(tmp);
    else if (moved_aside) (void)remove_flat(old);
    dx_dblock_release(l);
    return DX_OK;
}
