/*
 * dx_read.h — finding and reading source documents.
 *
 * Where it sits: the first step of indexer/. It walks the folders given to
 * diarium-index and turns each file into bytes (gunzipping .gz with zlib);
 * the bytes then go to stemmer/ for UTF-8 repair and analysis.
 */
#ifndef DIARIUM_DX_READ_H
#define DIARIUM_DX_READ_H

#include "dx_error.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Return codes: DX_* (dx_error.h). */

/* Largest document read by default (bytes after decompression): 64 MiB.
 * diarium-index --max-file sets another limit (dx_read_fd_max), at most
 * DX_MAX_FILE_CEILING: the memory a run needs grows with the largest file
 * it reads (several times its size), so the limit bounds it. */
#define DX_MAX_FILE ((size_t)64 << 20)
#define DX_MAX_FILE_CEILING ((size_t)1 << 30)

/* 1 if the file name ends in .txt, .md, .txt.gz, .md.gz, .pdf, .docx or
 * .odt (ASCII case insensitive: bytes >= 0x80 are never folded), else 0.
 * `name` may be a path: only its last component counts, and the extension
 * alone (".txt", ".md.gz") is not a document name. NULL gives 0. */
int dx_is_document_name(const char *name);

/* 1 for the names of documents read through extract/ (.pdf, .docx, .odt,
 * as above), whose bytes are binary: dx_read_file passes them on as they
 * are, without the text check. */
int dx_is_binary_document_name(const char *name);

/* One file found by dx_walk. */
typedef struct dx_entry {
    const char *path;   /* path as reachable from the cwd (root + relative) */
    const char *docid;  /* path relative to the walk root; for a file root,
                           its file name. '/'-separated. */
    int64_t size;       /* st_size (of the target, for a symbolic link) */
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
 * through errfn); DX_ESTOP; DX_ENOMEM. errfn may be NULL.
 *
 * Details:
 * - Order: depth-first; each folder's entries sorted byte-wise by name and
 *   a sub-folder walked where its name sorts ("b" before "b.txt").
 * - Paths: trailing slashes of root are dropped ("corpus/" walks as
 *   "corpus"; "/" stays "/"), so joining never doubles a '/'; e.docid has no
 *   leading "./". The root may itself be hidden ("." or ".corpus").
 * - A folder is keyed by (dev, ino) and entered only through the first path
 *   that reaches it in walk order: a link back to a folder on the current
 *   path is reported as "symlink loop: already visited <path>", any other
 *   second way in as "already visited <path> (...)"; both are skipped. So a
 *   symbolic link that sorts before its target claims the target's docids.
 *   Files are not de-duplicated: two links to one file give two entries
 *   with the same dev/ino.
 * - Nesting deeper than 256 folders below the root is reported ("too deep")
 *   and not entered; recursion depth and open folders (one at a time) are
 *   bounded.
 * - Reported and skipped, the walk going on: a sub-folder that cannot be
 *   opened or read, an entry that cannot be stat'ed, a broken symbolic link.
 *   Devices, fifos and sockets are skipped silently (never opened).
 * - A missing or unreadable root: errfn(root, reason) and DX_EIO (for a
 *   missing root the reason is strerror's text alone). A root that is
 *   neither a regular file nor a folder: reported, DX_EIO. A file root whose
 *   name is not a document name: reported, not passed to fn, DX_OK. */
int dx_walk(const char *root, dx_walk_fn fn, dx_walk_err_fn errfn, void *ctx);

/* Reads a whole file into *out (malloc'd, NUL-terminated for convenience,
 * *len excludes the NUL); a name ending in .gz is gunzipped (concatenated
 * gzip members are all read). Rejects binary content (DX_EBINARY): a NUL
 * byte, or more than 10% of the first 64 KiB being control bytes other than
 * tab, newline, carriage return and form feed — except in a binary
 * document (dx_is_binary_document_name), read as it is (extract/ reads
 * it). On failure *out is NULL and
 * `why` (may be NULL) receives a one-line reason naming the problem (e.g.
 * "unexpected end of file: truncated gzip stream after 1234 bytes of
 * input", "binary data: NUL byte at offset 17").
 * Returns DX_OK, DX_EIO, DX_EBINARY, DX_EGZIP, DX_ETOOBIG, DX_ENOMEM.
 *
 * Details:
 * - `why` does not repeat the path (the caller has it); I/O failures carry
 *   strerror's text. On failure *len is 0. An empty file is DX_OK, len 0.
 * - Gzip is chosen by the ".gz" suffix of `path` (ASCII case insensitive),
 *   any .gz name. zlib's automatic header detection also takes a zlib
 *   stream. Zero bytes after a complete member (block padding) are ignored,
 *   as gzip does; any other trailing data is DX_EGZIP, and so is an empty
 *   .gz file ("unexpected end of file").
 * - DX_MAX_FILE bytes exactly is accepted; one more is DX_ETOOBIG. A plain
 *   regular file larger than that is refused from its size, unread; gzip
 *   output stops one byte past the limit, so memory stays bounded whatever
 *   the ratio.
 * - "Control bytes" are 0x00-0x1f other than \t \n \r \f, and 0x7f; bytes
 *   >= 0x80 never count (UTF-8 or Latin-1 text; stemmer/ sorts encodings
 *   out). UTF-16 text (full of NUL bytes) is therefore DX_EBINARY.
 * - A folder is DX_EIO ("is a folder, not a file"); so is any other file
 *   that is not a regular one ("not a regular file (a fifo)", a device, a
 *   socket): the file is opened with O_NONBLOCK and never read, so that a
 *   fifo put in a document's place cannot hang a run. */
int dx_read_file(const char *path, char **out, size_t *len, char *why,
                 size_t whylen);

/* Reading ahead. dx_open_ahead opens `path` for reading and asks the
 * kernel to fetch its contents in the background (posix_fadvise
 * POSIX_FADV_WILLNEED), so that a file read a little later no longer waits
 * for the disk; it returns the descriptor, or -1 when the file cannot be
 * opened (dx_read_fd then opens it again, and says why it cannot).
 * dx_read_fd is dx_read_file on such a descriptor (fd >= 0, which it
 * closes) or on `path` (fd < 0); `path` names the file either way (for
 * the .gz test). diarium-index keeps a window of files opened ahead in
 * each thread: on an emptied page cache, a parallel build of 44,000 small
 * files took 18.4 s without it and 14.6 s with it (README, "Reading
 * ahead"). */
int dx_open_ahead(const char *path);
int dx_read_fd(int fd, const char *path, char **out, size_t *len, char *why,
               size_t whylen);

/* dx_read_fd with `max` bytes (after decompression) as the limit instead
 * of DX_MAX_FILE: one byte more is DX_ETOOBIG ("larger than the limit of
 * N bytes (--max-file)"). max 0 means DX_MAX_FILE; above
 * DX_MAX_FILE_CEILING it is DX_MAX_FILE_CEILING. */
int dx_read_fd_max(int fd, const char *path, size_t max, char **out,
                   size_t *len, char *why, size_t whylen);

#endif /* DIARIUM_DX_READ_H */
