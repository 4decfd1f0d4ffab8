/*
 * dx_read.c — finding and reading source documents.
 *
 * Where it sits: the first step of indexer/. dx_walk finds the document
 * files under the folders given to diarium-index (in a stable, byte-wise
 * sorted order, following symbolic links without ever entering a folder
 * twice); dx_read_file turns one file into bytes, gunzipping .gz files with
 * zlib and rejecting binary content. Those bytes then go to stemmer/ for
 * UTF-8 repair and analysis: this module does not look at encodings at all.
 *
 * Pipeline: files -> [dx_walk, dx_read_file] -> bytes -> stemmer/ -> index.
 *
 * No global mutable state: everything a walk needs lives in a `walker` on
 * the caller's stack, so several walks may run at once in different threads.
 */
#include "dx_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Deepest folder nesting dx_walk enters below the root. Recursion depth is
 * bounded by it, so a pathological tree cannot exhaust the stack. */
#define MAX_DEPTH 256

/* How much of a file the control-byte test looks at. */
#define SNIFF_LEN ((size_t)64 << 10)

/* Compressed input is read in chunks of this size. */
#define GZ_CHUNK ((size_t)64 << 10)

/* The output buffer never grows beyond limit + 1 bytes of content (one
 * byte past the limit tells "too big" from "exactly the limit") plus the
 * terminating NUL. */
#define BUF_LIMIT(o) ((o)->limit + 2)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */


/* The text of errno value `err`, thread-safely (XSI strerror_r: with
 * _POSIX_C_SOURCE=200809L and no _GNU_SOURCE glibc gives the int-returning
 * version). */
static const char *errtext(int err, char *buf, size_t n)
{
    if (strerror_r(err, buf, n) != 0)
        snprintf(buf, n, "error %d", err);
    return buf;
}

/* printf into `why` when there is one. */
static void say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whylen, const char *fmt, ...)
{
    if (why == NULL || whylen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* 1 if s (of length n) ends in `suffix` (lower case), ASCII case
 * insensitive. */
static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    if (m > n)
        return 0;
    const char *t = s + (n - m);
    for (size_t i = 0; i < m; i++)
        if (ascii_lower((unsigned char)t[i]) != suffix[i])
            return 0;
    return 1;
}

/* Documents read through extract/ (PDF, Word, OpenDocument, scanned
 * images): their bytes are binary, and go to the document reader as they
 * are. */
static const char *const binary_exts[] = {".pdf",  ".docx", ".odt",
                                          ".tif",  ".tiff", ".png",
                                          ".jpg",  ".jpeg"};

int dx_is_binary_document_name(const char *name)
{
    if (name == NULL)
        return 0;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof binary_exts / sizeof binary_exts[0]; i++) {
        size_t m = strlen(binary_exts[i]);
        if (n > m && ends_with_ci(base, n, binary_exts[i]))
            return 1;
    }
    return 0;
}

int dx_is_document_name(const char *name)
{
    static const char *const exts[] = {".txt", ".md", ".txt.gz", ".md.gz"};
    if (dx_is_binary_document_name(name))
        return 1;
    if (name == NULL)
        return 0;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t m = strlen(exts[i]);
        /* The extension alone (".txt") is not a document name. */
        if (n > m && ends_with_ci(base, n, exts[i]))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The walker                                                               */

/* One folder entered during the walk, keyed by (dev, ino). */
typedef struct seen_dir {
    uint64_t dev, ino;
    char *path; /* where it was first entered; NULL marks an empty slot */
} seen_dir;

typedef struct walker {
    dx_walk_fn fn;
    dx_walk_err_fn errfn;
    void *ctx;

    char *buf;      /* path of the current entry, NUL-terminated */
    size_t cap;     /* bytes allocated for buf */
    size_t rel_off; /* the docid starts at buf + rel_off */

    seen_dir *seen; /* open-addressing hash set of every folder entered */
    size_t nseen, seencap; /* seencap is 0 or a power of two */

    /* (dev, ino) of the folders on the current path, root first. */
    uint64_t stack_dev[MAX_DEPTH + 1], stack_ino[MAX_DEPTH + 1];
    int depth; /* entries used in the stack */
} walker;

static void report(walker *w, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(walker *w, const char *path, const char *fmt, ...)
{
    if (w->errfn == NULL)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->errfn(w->ctx, path, msg);
}

static size_t seen_hash(uint64_t dev, uint64_t ino)
{
    /* splitmix64 finaliser over both keys */
    uint64_t x = ino ^ (dev * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x;
}

/* The slot holding (dev, ino), or the empty slot where it would go. */
static seen_dir *seen_slot(seen_dir *tab, size_t cap, uint64_t dev,
                           uint64_t ino)
{
    size_t mask = cap - 1;
    for (size_t i = seen_hash(dev, ino) & mask;; i = (i + 1) & mask) {
        seen_dir *s = &tab[i];
        if (s->path == NULL || (s->dev == dev && s->ino == ino))
            return s;
    }
}

static const seen_dir *seen_find(const walker *w, uint64_t dev, uint64_t ino)
{
    if (w->seencap == 0)
        return NULL;
    const seen_dir *s = seen_slot(w->seen, w->seencap, dev, ino);
    return s->path ? s : NULL;
}

/* Records (dev, ino) as entered at `path`. DX_OK or DX_ENOMEM. */
static int seen_add(walker *w, uint64_t dev, uint64_t ino, const char *path)
{
    if ((w->nseen + 1) * 2 > w->seencap) { /* keep the load under 1/2 */
        size_t ncap = w->seencap ? w->seencap * 2 : 64;
        if (ncap < w->seencap)
            return DX_ENOMEM;
        seen_dir *nt = calloc(ncap, sizeof *nt);
        if (nt == NULL)
            return DX_ENOMEM;
        for (size_t i = 0; i < w->seencap; i++)
            if (w->seen[i].path)
                *seen_slot(nt, ncap, w->seen[i].dev, w->seen[i].ino) =
                    w->seen[i];
        free(w->seen);
        w->seen = nt;
        w->seencap = ncap;
    }
    size_t n = strlen(path);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return DX_ENOMEM;
    memcpy(copy, path, n + 1);
    seen_dir *s = seen_slot(w->seen, w->seencap, dev, ino);
    s->dev = dev;
    s->ino = ino;
    s->path = copy;
    w->nseen++;
    return DX_OK;
}

static void seen_free(walker *w)
{
    for (size_t i = 0; i < w->seencap; i++)
        free(w->seen[i].path);
    free(w->seen);
    w->seen = NULL;
    w->seencap = w->nseen = 0;
}

/* Makes room for `need` bytes in w->buf. DX_OK or DX_ENOMEM. */
static int buf_reserve(walker *w, size_t need)
{
    if (need <= w->cap)
        return DX_OK;
    size_t ncap = w->cap ? w->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return DX_ENOMEM;
        ncap *= 2;
    }
    char *nb = realloc(w->buf, ncap);
    if (nb == NULL)
        return DX_ENOMEM;
    w->buf = nb;
    w->cap = ncap;
    return DX_OK;
}

/* The names in one folder: a string pool and, once read, pointers into it
 * sorted byte-wise. */
typedef struct name_list {
    char *pool;
    size_t used, cap;
    size_t *offs;
    size_t n, offcap;
    char **sorted;
} name_list;

static void names_free(name_list *nl)
{
    free(nl->pool);
    free(nl->offs);
    free(nl->sorted);
}

static int names_push(name_list *nl, const char *name)
{
    size_t len = strlen(name) + 1;
    if (nl->used + len > nl->cap) {
        size_t ncap = nl->cap ? nl->cap : 1024;
        while (ncap < nl->used + len) {
            if (ncap > SIZE_MAX / 2)
                return DX_ENOMEM;
            ncap *= 2;
        }
        char *np = realloc(nl->pool, ncap);
        if (np == NULL)
            return DX_ENOMEM;
        nl->pool = np;
        nl->cap = ncap;
    }
    if (nl->n == nl->offcap) {
        size_t ncap = nl->offcap ? nl->offcap * 2 : 32;
        if (ncap > SIZE_MAX / sizeof *nl->offs)
            return DX_ENOMEM;
        size_t *no = realloc(nl->offs, ncap * sizeof *no);
        if (no == NULL)
            return DX_ENOMEM;
        nl->offs = no;
        nl->offcap = ncap;
    }
    memcpy(nl->pool + nl->used, name, len);
    nl->offs[nl->n++] = nl->used;
    nl->used += len;
    return DX_OK;
}

static int cmp_names(const void *a, const void *b)
{
    /* strcmp compares as unsigned char: a byte-wise order. */
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the names of the folder at w->buf into *nl, without the hidden ones
 * (which also drops "." and ".."), sorted. The folder is closed again before
 * returning, so a walk holds at most one folder open however deep it goes.
 * DX_OK (also when the folder could not be read: reported, *nl empty or
 * partial), DX_EIO when it could not be opened and `must_open` is set,
 * DX_ENOMEM. */
static int read_names(walker *w, name_list *nl, int must_open)
{
    char eb[256];
    DIR *d = opendir(w->buf);
    if (d == NULL) {
        report(w, w->buf, "cannot open folder: %s",
               errtext(errno, eb, sizeof eb));
        return must_open ? DX_EIO : DX_OK;
    }
    int rc = DX_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                report(w, w->buf, "cannot read folder: %s",
                       errtext(errno, eb, sizeof eb));
            break;
        }
        if (de->d_name[0] == '.')
            continue;
        rc = names_push(nl, de->d_name);
        if (rc != DX_OK)
            break;
    }
    closedir(d);
    if (rc != DX_OK || nl->n == 0)
        return rc;
    nl->sorted = malloc(nl->n * sizeof *nl->sorted);
    if (nl->sorted == NULL)
        return DX_ENOMEM;
    for (size_t i = 0; i < nl->n; i++)
        nl->sorted[i] = nl->pool + nl->offs[i];
    qsort(nl->sorted, nl->n, sizeof *nl->sorted, cmp_names);
    return DX_OK;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL +
           (int64_t)st->st_mtim.tv_nsec;
}

static int emit(walker *w, const struct stat *st)
{
    dx_entry e;
    e.path = w->buf;
    e.docid = w->buf + w->rel_off;
    e.size = (int64_t)st->st_size;
    e.mtime_ns = mtime_ns(st);
    e.dev = (uint64_t)st->st_dev;
    e.ino = (uint64_t)st->st_ino;
    return w->fn(w->ctx, &e) != 0 ? DX_ESTOP : DX_OK;
}

/* Is (dev, ino) a folder on the current path? */
static int on_stack(const walker *w, uint64_t dev, uint64_t ino)
{
    for (int i = 0; i < w->depth; i++)
        if (w->stack_dev[i] == dev && w->stack_ino[i] == ino)
            return 1;
    return 0;
}

static int walk_dir(walker *w, size_t pathlen, int must_open);

/* Handles the entry whose path is in w->buf (of length pathlen). */
static int walk_entry(walker *w, size_t pathlen)
{
    char eb[256];
    struct stat st;
    if (stat(w->buf, &st) != 0) {
        int err = errno;
        struct stat lst;
        if (lstat(w->buf, &lst) == 0 && S_ISLNK(lst.st_mode))
            report(w, w->buf, "broken symbolic link: %s",
                   errtext(err, eb, sizeof eb));
        else
            report(w, w->buf, "cannot stat: %s", errtext(err, eb, sizeof eb));
        return DX_OK;
    }
    if (S_ISREG(st.st_mode)) {
        const char *name = strrchr(w->buf, '/');
        if (!dx_is_document_name(name ? name + 1 : w->buf))
            return DX_OK;
        return emit(w, &st);
    }
    if (!S_ISDIR(st.st_mode))
        return DX_OK; /* device, fifo, socket: never a document */

    uint64_t dev = (uint64_t)st.st_dev, ino = (uint64_t)st.st_ino;
    const seen_dir *s = seen_find(w, dev, ino);
    if (s != NULL) {
        if (on_stack(w, dev, ino))
            report(w, w->buf, "symlink loop: already visited %s", s->path);
        else
            report(w, w->buf,
                   "already visited %s (the same folder reached twice "
                   "through a symbolic link); skipped",
                   s->path);
        return DX_OK;
    }
    if (w->depth > MAX_DEPTH) {
        report(w, w->buf, "too deep: more than %d nested folders; skipped",
               MAX_DEPTH);
        return DX_OK;
    }
    int rc = seen_add(w, dev, ino, w->buf);
    if (rc != DX_OK)
        return rc;
    w->stack_dev[w->depth] = dev;
    w->stack_ino[w->depth] = ino;
    w->depth++;
    rc = walk_dir(w, pathlen, 0);
    w->depth--;
    return rc;
}

/* Walks the folder whose path is in w->buf (of length pathlen); it is
 * already on the stack and in the seen set. */
static int walk_dir(walker *w, size_t pathlen, int must_open)
{
    name_list nl = {0};
    int rc = read_names(w, &nl, must_open);
    /* No separator after a path that already ends in '/' (root "/"). */
    size_t sep = (pathlen > 0 && w->buf[pathlen - 1] == '/') ? 0 : 1;
    for (size_t i = 0; rc == DX_OK && i < nl.n; i++) {
        const char *name = nl.sorted[i];
        size_t nlen = strlen(name);
        rc = buf_reserve(w, pathlen + sep + nlen + 1);
        if (rc != DX_OK)
            break;
        if (sep)
            w->buf[pathlen] = '/';
        memcpy(w->buf + pathlen + sep, name, nlen + 1);
        rc = walk_entry(w, pathlen + sep + nlen);
    }
    w->buf[pathlen] = '\0';
    names_free(&nl);
    return rc;
}

int dx_walk(const char *root, dx_walk_fn fn, dx_walk_err_fn errfn, void *ctx)
{
    char eb[256];
    walker w;
    memset(&w, 0, sizeof w);
    w.fn = fn;
    w.errfn = errfn;
    w.ctx = ctx;

    if (root == NULL || fn == NULL) {
        if (root != NULL)
            report(&w, root, "no callback given");
        return DX_EIO;
    }
    struct stat st;
    if (stat(root, &st) != 0) {
        report(&w, root, "%s", errtext(errno, eb, sizeof eb));
        return DX_EIO;
    }

    /* Drop trailing slashes ("corpus/" -> "corpus", "//" -> "/"), so that
     * joined paths never double the '/'. */
    size_t rlen = strlen(root);
    while (rlen > 1 && root[rlen - 1] == '/')
        rlen--;
    int rc = buf_reserve(&w, rlen + 1);
    if (rc != DX_OK)
        return rc;
    memcpy(w.buf, root, rlen);
    w.buf[rlen] = '\0';

    if (S_ISREG(st.st_mode)) {
        const char *slash = strrchr(w.buf, '/');
        w.rel_off = slash ? (size_t)(slash + 1 - w.buf) : 0;
        if (!dx_is_document_name(w.buf + w.rel_off))
            report(&w, root,
                   "not a document name (.txt, .md, .txt.gz, .md.gz, "
                   ".pdf, .docx, .odt, .tif, .png, .jpg); "
                   "skipped");
        else
            rc = emit(&w, &st);
    } else if (S_ISDIR(st.st_mode)) {
        w.rel_off = rlen + (w.buf[rlen - 1] == '/' ? 0 : 1);
        rc = seen_add(&w, (uint64_t)st.st_dev, (uint64_t)st.st_ino, w.buf);
        if (rc == DX_OK) {
            w.stack_dev[0] = (uint64_t)st.st_dev;
            w.stack_ino[0] = (uint64_t)st.st_ino;
            w.depth = 1;
            rc = walk_dir(&w, rlen, 1);
        }
    } else {
        report(&w, root, "not a regular file or folder");
        rc = DX_EIO;
    }
    seen_free(&w);
    free(w.buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The reader                                                               */

/* read(2) that retries on EINTR. Returns bytes read, 0 at end of file, -1
 * with errno set on error. */
static ssize_t read_some(int fd, void *p, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

/* A growable output buffer, never more than BUF_LIMIT bytes. */
typedef struct outbuf {
    char *p;
    size_t len, cap;
    size_t limit; /* the largest content accepted */
} outbuf;

/* Makes sure there is room for at least one more content byte besides the
 * NUL, unless the buffer is at its limit. DX_OK or DX_ENOMEM. */
static int out_grow(outbuf *o)
{
    if (o->len + 1 < o->cap || o->cap == BUF_LIMIT(o))
        return DX_OK;
    size_t ncap = o->cap < 4096 ? 4096 : o->cap * 2;
    if (ncap > BUF_LIMIT(o) || ncap < o->cap)
        ncap = BUF_LIMIT(o);
    char *np = realloc(o->p, ncap);
    if (np == NULL)
        return DX_ENOMEM;
    o->p = np;
    o->cap = ncap;
    return DX_OK;
}

/* Room for content bytes now (the last byte is kept for the NUL). */
static size_t out_room(const outbuf *o)
{
    return o->cap - 1 - o->len;
}

static int too_big(const outbuf *o, char *why, size_t whylen)
{
    say(why, whylen, "larger than the limit of %zu bytes (--max-file)",
        o->limit);
    return DX_ETOOBIG;
}

/* Plain file: reads it all. */
static int read_plain(int fd, outbuf *o, char *why, size_t whylen)
{
    char eb[256];
    for (;;) {
        int rc = out_grow(o);
        if (rc != DX_OK) {
            say(why, whylen, "out of memory reading %zu bytes", o->len);
            return rc;
        }
        size_t room = out_room(o);
        if (room == 0 || o->len > o->limit)
            return too_big(o, why, whylen);
        ssize_t r = read_some(fd, o->p + o->len, room);
        if (r < 0) {
            say(why, whylen, "read error after %zu bytes: %s", o->len,
                errtext(errno, eb, sizeof eb));
            return DX_EIO;
        }
        if (r == 0)
            break;
        o->len += (size_t)r;
    }
    if (o->len > o->limit)
        return too_big(o, why, whylen);
    return DX_OK;
}

/* Gzip file: inflates every member. */
static int read_gzip(int fd, outbuf *o, char *why, size_t whylen)
{
    char eb[256];
    unsigned char *in = malloc(GZ_CHUNK);
    if (in == NULL) {
        say(why, whylen, "out of memory for the gzip input buffer");
        return DX_ENOMEM;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zr = inflateInit2(&zs, 15 + 32); /* 32: gzip or zlib header */
    if (zr != Z_OK) {
        free(in);
        say(why, whylen, "cannot start zlib: %s",
            zs.msg ? zs.msg : zError(zr));
        return zr == Z_MEM_ERROR ? DX_ENOMEM : DX_EGZIP;
    }

    int rc = DX_OK;
    int eof = 0;
    int at_boundary = 1; /* between members: nothing of the next one read */
    size_t members = 0;  /* members fully inflated */
    uint64_t in_total = 0; /* compressed bytes read from the file */
    for (;;) {
        if (zs.avail_in == 0 && !eof) {
            ssize_t r = read_some(fd, in, GZ_CHUNK);
            if (r < 0) {
                say(why, whylen, "read error after %llu bytes of input: %s",
                    (unsigned long long)in_total,
                    errtext(errno, eb, sizeof eb));
                rc = DX_EIO;
                break;
            }
            if (r == 0) {
                eof = 1;
            } else {
                zs.next_in = in;
                zs.avail_in = (uInt)r;
                in_total += (uint64_t)r;
            }
        }
        if (at_boundary && members > 0) {
            /* Zero padding after a complete member (tape or block padding)
             * is ignored, as gzip itself does. */
            while (zs.avail_in > 0 && *zs.next_in == 0) {
                zs.next_in++;
                zs.avail_in--;
            }
        }
        if (zs.avail_in == 0) {
            if (!eof)
                continue;
            if (at_boundary && members > 0)
                break; /* clean end after the last member */
            if (in_total == 0)
                say(why, whylen, "unexpected end of file: empty file, no "
                                 "gzip stream");
            else
                say(why, whylen,
                    "unexpected end of file: truncated gzip stream after "
                    "%llu bytes of input",
                    (unsigned long long)in_total);
            rc = DX_EGZIP;
            break;
        }
        rc = out_grow(o);
        if (rc != DX_OK) {
            say(why, whylen, "out of memory after %zu bytes of output",
                o->len);
            break;
        }
        if (out_room(o) == 0 || o->len > o->limit) {
            rc = too_big(o, why, whylen);
            break;
        }
        size_t room = out_room(o);
        if (room > (size_t)UINT32_MAX)
            room = UINT32_MAX;
        zs.next_out = (Bytef *)(o->p + o->len);
        zs.avail_out = (uInt)room;
        zr = inflate(&zs, Z_NO_FLUSH);
        o->len += room - zs.avail_out;
        if (zr == Z_STREAM_END) {
            members++;
            at_boundary = 1;
            zr = inflateReset(&zs);
            if (zr != Z_OK) {
                say(why, whylen, "cannot reset zlib: %s", zError(zr));
                rc = DX_EGZIP;
                break;
            }
        } else if (zr == Z_OK || zr == Z_BUF_ERROR) {
            at_boundary = 0;
        } else if (zr == Z_MEM_ERROR) {
            say(why, whylen, "out of memory in zlib");
            rc = DX_ENOMEM;
            break;
        } else {
            const char *m = zs.msg ? zs.msg
                            : zr == Z_NEED_DICT ? "needs a preset dictionary"
                                                : zError(zr);
            say(why, whylen,
                "corrupt gzip stream (member %zu, near byte %llu of "
                "input): %s",
                members + 1,
                (unsigned long long)(in_total - zs.avail_in), m);
            rc = DX_EGZIP;
            break;
        }
    }
    if (rc == DX_OK && o->len > o->limit)
        rc = too_big(o, why, whylen);
    inflateEnd(&zs);
    free(in);
    return rc;
}

/* DX_EBINARY (with a reason) if p[0..n) does not look like text. */
static int check_text(const char *p, size_t n, char *why, size_t whylen)
{
    const char *nul = memchr(p, '\0', n);
    if (nul != NULL) {
        say(why, whylen, "binary data: NUL byte at offset %zu",
            (size_t)(nul - p));
        return DX_EBINARY;
    }
    size_t m = n < SNIFF_LEN ? n : SNIFF_LEN, ctl = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ||
            c == 0x7f)
            ctl++;
    }
    if (ctl * 10 > m) {
        say(why, whylen,
            "binary data: %zu of the first %zu bytes are control bytes",
            ctl, m);
        return DX_EBINARY;
    }
    return DX_OK;
}

int dx_open_ahead(const char *path)
{
    if (path == NULL)
        return -1;
    int fd;
    do /* (O_NONBLOCK: a fifo put in a file's place must not hang here) */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0)
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    return fd;
}

int dx_read_file(const char *path, char **out, size_t *len, char *why,
                 size_t whylen)
{
    return dx_read_fd(-1, path, out, len, why, whylen);
}

int dx_read_fd(int fd, const char *path, char **out, size_t *len, char *why,
               size_t whylen)
{
    return dx_read_fd_max(fd, path, DX_MAX_FILE, out, len, why, whylen);
}

int dx_read_fd_max(int fd, const char *path, size_t max, char **out,
                   size_t *len, char *why, size_t whylen)
{
    if (max == 0) max = DX_MAX_FILE;
    if (max > DX_MAX_FILE_CEILING) max = DX_MAX_FILE_CEILING;
    char eb[256];
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (why && whylen)
        why[0] = '\0';
    if (path == NULL || out == NULL || len == NULL) {
        say(why, whylen, "bad arguments");
        if (fd >= 0)
            close(fd);
        return DX_EIO;
    }

    while (fd < 0) { /* (O_NONBLOCK: a fifo must not hang the open) */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0 || errno == EINTR)
            continue;
        say(why, whylen, "cannot open: %s", errtext(errno, eb, sizeof eb));
        return DX_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        say(why, whylen, "cannot stat: %s", errtext(errno, eb, sizeof eb));
        close(fd);
        return DX_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        say(why, whylen, "is a folder, not a file");
        close(fd);
        return DX_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        /* Put in the place of the document after the walk found it: a
         * fifo could block the run (and its lock) for ever, a device
         * never end. */
        say(why, whylen, "not a regular file (%s)",
            S_ISFIFO(st.st_mode) ? "a fifo"
            : S_ISSOCK(st.st_mode) ? "a socket"
            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                           : "not a file");
        close(fd);
        return DX_EIO;
    }
    {
        int fl = fcntl(fd, F_GETFL);
        if (fl != -1 && (fl & O_NONBLOCK))
            (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }

    int gz = ends_with_ci(path, strlen(path), ".gz");
    int binary = dx_is_binary_document_name(path);
    /* A plain regular file whose size is known to be over the limit is
     * refused before reading a byte. */
    if (!gz && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size > (uint64_t)max) {
        say(why, whylen, "file is %lld bytes, larger than the limit of %zu "
            "(--max-file)", (long long)st.st_size, max);
        close(fd);
        return DX_ETOOBIG;
    }

    /* First allocation: the whole file (plus the NUL and one byte to see
     * the end without growing) for a plain file; a guess for gzip. Later
     * growth doubles, up to BUF_LIMIT. */
    outbuf o = {NULL, 0, 0, max};
    size_t first = 4096;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        uint64_t want = (uint64_t)st.st_size * (gz ? 4 : 1) + 2;
        first = want > BUF_LIMIT(&o) ? BUF_LIMIT(&o) : (size_t)want;
    }
    o.p = malloc(first);
    if (o.p == NULL) {
        say(why, whylen, "out of memory for %zu bytes", first);
        close(fd);
        return DX_ENOMEM;
    }
    o.cap = first;

    int rc = gz ? read_gzip(fd, &o, why, whylen)
                : read_plain(fd, &o, why, whylen);
    close(fd);
    if (rc == DX_OK && !binary)
        rc = check_text(o.p, o.len, why, whylen);
    if (rc != DX_OK) {
        free(o.p);
        return rc;
    }
    if (o.cap - o.len > 65536) { /* a gzip guess far too big: give back */
        char *np = realloc(o.p, o.len + 1);
        if (np != NULL)
            o.p = np;
    }
    o.p[o.len] = '\0';
    *out = o.p;
    *len = o.len;
    return DX_OK;
}
