/*
 * ds_file.c — the original file of an indexed document (see ds_file.h).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "ds_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    if (n < t) return 0;
    for (size_t i = 0; i < t; i++) {
        char c = s[n - t + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != tail[i]) return 0;
    }
    return 1;
}

/* Content type by the file name (as diarium-index reads it). */
static void set_type(ds_file *f, const char *name)
{
    f->encoding = NULL;
    f->attachment = 0;
    if (ends_with(name, ".pdf")) {
        f->type = "application/pdf";
    } else if (ends_with(name, ".txt") || ends_with(name, ".md")) {
        f->type = "text/plain; charset=utf-8";
    } else if (ends_with(name, ".txt.gz") || ends_with(name, ".md.gz")) {
        f->type = "text/plain; charset=utf-8";
        f->encoding = "gzip"; /* the browser unpacks it */
    } else if (ends_with(name, ".docx")) {
        f->type = "application/vnd.openxmlformats-officedocument."
                  "wordprocessingml.document";
        f->attachment = 1;
    } else if (ends_with(name, ".odt")) {
        f->type = "application/vnd.oasis.opendocument.text";
        f->attachment = 1;
    } else {
        f->type = "application/octet-stream";
        f->attachment = 1;
    }
}

/* Whether the id has a part that climbs out of its folder or starts at
 * the root (ids never do; refused before any look at the disk). */
static int id_suspect(const char *doc)
{
    if (doc[0] == '/' || doc[0] == '\0') return 1;
    for (const char *p = doc; *p;) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if ((l == 2 && p[0] == '.' && p[1] == '.') || (l == 1 && p[0] == '.'))
            return 1;
        p += l + (e != NULL);
    }
    return 0;
}

int ds_file_open(ds_pool *p, const char *base, const char *doc,
                 ds_file *out, char *err, size_t errlen)
{
    char *root = NULL, *joined = NULL, *rroot = NULL, *rpath = NULL;
    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (id_suspect(doc)) {
        seterr(err, errlen, "no document %s in the index", doc);
        return DS_ENOTFOUND;
    }
    int rc = ds_pool_doc_root(p, doc, &root, err, errlen);
    if (rc != DQ_OK) return rc;
    if (!root) {
        seterr(err, errlen, "no document %s in the index", doc);
        return DS_ENOTFOUND;
    }
    /* The root as the indexer saw it: relative ones from `base`. */
    char *abs_root = NULL;
    if (root[0] != '/' && base) {
        size_t n = strlen(base) + strlen(root) + 2;
        abs_root = malloc(n);
        if (abs_root) snprintf(abs_root, n, "%s/%s", base, root);
    } else {
        abs_root = strdup(root);
    }
    free(root);
    if (!abs_root) return DQ_ENOMEM;
    rc = DS_ENOTFOUND;
    struct stat sb;
    rroot = realpath(abs_root, NULL);
    if (!rroot || stat(rroot, &sb) != 0) {
        seterr(err, errlen, "the folder of %s cannot be read (%s)", doc,
               strerror(errno));
        goto done;
    }
    if (S_ISDIR(sb.st_mode)) {
        size_t n = strlen(rroot) + strlen(doc) + 2;
        joined = malloc(n);
        if (!joined) {
            rc = DQ_ENOMEM;
            goto done;
        }
        snprintf(joined, n, "%s/%s", rroot, doc);
        rpath = realpath(joined, NULL);
        size_t rl = strlen(rroot);
        if (!rpath || strncmp(rpath, rroot, rl) != 0 ||
            (rl > 1 && rpath[rl] != '/')) {
            seterr(err, errlen, "the file of %s is gone or outside its "
                   "folder", doc);
            goto done;
        }
    } else {
        /* A file argument: its id is its file name. */
        const char *slash = strrchr(rroot, '/');
        const char *name = slash ? slash + 1 : rroot;
        const char *ids = strrchr(abs_root, '/');
        const char *idname = ids ? ids + 1 : abs_root;
        if (strcmp(doc, name) != 0 && strcmp(doc, idname) != 0) {
            seterr(err, errlen, "the file of %s is gone", doc);
            goto done;
        }
        rpath = strdup(rroot);
        if (!rpath) {
            rc = DQ_ENOMEM;
            goto done;
        }
    }
    int fd = open(rpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        seterr(err, errlen, "the file of %s cannot be read", doc);
        if (fd >= 0) close(fd);
        goto done;
    }
    out->fd = fd;
    out->size = (size_t)sb.st_size;
    const char *slash = strrchr(rpath, '/');
    snprintf(out->name, sizeof out->name, "%s", slash ? slash + 1 : rpath);
    set_type(out, out->name);
    size_t nl = strlen(out->name);
    if (out->encoding && nl > 3) /* saved unpacked: no ".gz" */
        out->name[nl - 3] = '\0';
    rc = DQ_OK;
done:
    free(abs_root);
    free(rroot);
    free(joined);
    free(rpath);
    return rc;
}
