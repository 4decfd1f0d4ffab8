/*
 * dx_read.h — finding and reading source documents.
 *
 * Where it sits: the first step of indexer/. It walks the folders given to
 * diarium-index and turns each file into bytes (gunzipping .gz with zlib);
 * the bytes then go to stemmer/ for UTF-8 repair and analysis.
 */
#ifndef DIARIUM_DX_READ_H
#define DIARIUM_DX_READ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
    DX_OK = 0,
    DX_ENOMEM = -1,
    DX_EIO = -2,      /* cannot open / read / stat */
    DX_EBINARY = -3,  /* not text (NUL bytes or mostly control bytes) */
    DX_EGZIP = -4,    /* corrupt or truncated gzip stream */
    DX_ETOOBIG = -5,  /* larger than DX_MAX_FILE (after decompression) */
    DX_ESTOP = -6     /* a walk callback asked to stop */
};

/* Largest document read (bytes after decompression): 64 MiB. */
#define DX_MAX_FILE ((size_t)64 << 20)

/* A static English description of a DX_* code. */
const char *dx_strerror(int rc);

/* 1 if the file name ends in .txt, .md, .txt.gz or .md.gz (ASCII case
 * insensitive), else 0. */
int dx_is_document_name(const char *name);

/* One file found by dx_walk. */
typedef struct dx_entry {
    const char *path;   /* path as reachable from the cwd (root + relative) */
    const char *docid;  /* path relative to the walk root; for a file root,
                           its file name. '/'-separated. */
    int64_t size;       /* st_size */
    int64_t mtime_ns;   /* st_mtim in nanoseconds */
    uint64_t dev, ino;  /* for rename detection */
} dx_entry;

/* Called for each document file, in a stable order (entries of a folder
 * sorted by name, byte-wise). Return 0 to go on, non-zero to stop the walk
 * (dx_walk then returns DX_ESTOP). Strings are valid during the call only. */
typedef int (*dx_walk_fn)(void *ctx, const dx_entry *e);

/* Called for each problem met while walking (unreadable folder, symlink
 * loop, ...): path and a human-readable reason. The walk goes on. */
typedef void (*dx_walk_err_fn)(void *ctx, const char *path, const char *why);

/* Walks `root` (a folder or a single file). Skips hidden entries (names
 * starting with '.') below the root, files that are not documents
 * (dx_is_document_name), and anything that is not a regular file or folder.
 * Follows symbolic links to files and folders, but never enters a folder
 * twice (loops are reported through errfn and skipped).
 * Returns DX_OK; DX_EIO when root itself cannot be read (also reported
 * through errfn); DX_ESTOP; DX_ENOMEM. errfn may be NULL. */
int dx_walk(const char *root, dx_walk_fn fn, dx_walk_err_fn errfn, void *ctx);

/* Reads a whole file into *out (malloc'd, NUL-terminated for convenience,
 * *len excludes the NUL); a name ending in .gz is gunzipped (concatenated
 * gzip members are all read). Rejects binary content (DX_EBINARY): a NUL
 * byte, or more than 10% of the first 64 KiB being control bytes other than
 * tab, newline, carriage return and form feed. On failure *out is NULL and
 * `why` (may be NULL) receives a one-line reason naming the problem (e.g.
 * "truncated gzip stream after 1234 bytes", "binary data at byte 17").
 * Returns DX_OK, DX_EIO, DX_EBINARY, DX_EGZIP, DX_ETOOBIG, DX_ENOMEM. */
int dx_read_file(const char *path, char **out, size_t *len, char *why,
                 size_t whylen);

#endif /* DIARIUM_DX_READ_H */
