/*
 * dx_dbdir.h — the database folder on disk: its writer lock, and the
 * build-aside folder that `diarium-index --full` rebuilds into and swaps in.
 *
 * Where it sits: below dx_index.c, beside the Xapian shim. Xapian stores a
 * database as a folder of files and keeps its own write lock, but that lock
 * does not say who holds it, and Xapian's "overwrite" mode empties the
 * database the moment it is opened. This module adds the two things a
 * nightly job needs around the folder:
 *
 *  - A lock file DIR/diarium.lock, taken with flock(LOCK_EX | LOCK_NB) before
 *    Xapian is opened and holding "<pid> <start time>" of its holder, so that
 *    a second writer gives up at once and can say who is busy. The kernel
 *    drops the lock when its holder dies (kill -9, power loss), so a stale
 *    file never blocks: only a held lock does.
 *
 *  - Shards: a parallel build (dx_index.c) writes DIR.shard-tmp.<k>
 *    siblings and merges them; the next writer removes any left behind.
 *
 *  - Refusal: a folder that holds other things and no database is never
 *    written into (dx_dbdir_vet), and only names that Xapian or diarium
 *    make are ever removed (dx_dbdir_known_name).
 *
 *  - Rebuilds aside: --full builds a new database in DIR.full-tmp.<pid> (a
 *    sibling, so on the same file system) and, once it is committed, swaps
 *    it with DIR in one atomic step (renameat2 RENAME_EXCHANGE), then removes
 *    the old one. A rebuild killed at any moment leaves DIR as it was; the
 *    half-built sibling is removed by the next writer (which holds the lock,
 *    so no rebuild of DIR can still be running). The OCR cache folder
 *    (DX_OCR_CACHE_DIR) is moved into the new folder first: it survives. On a file system without
 *    RENAME_EXCHANGE the swap is two renames, DIR -> DIR.full-old.<pid> and
 *    the new one -> DIR; should the process die between them, the next
 *    writer finds DIR missing and renames the old one back.
 */
#ifndef DIARIUM_DX_DBDIR_H
#define DIARIUM_DX_DBDIR_H

#include "dx_error.h"

#include <stddef.h>

/* Return codes: DX_* (dx_error.h). */

/* The name of the lock file inside a database folder. */
#define DX_LOCK_FILE "diarium.lock"

/* The name of the file that records the state of the tables when a run
 * last left them verified (dx_verify.h). */
#define DX_VERIFIED_FILE "diarium.verified"
/* The OCR cache's folder inside a database folder (dx_ocr.h): a name of
 * diarium's, carried into the new folder by dx_dbdir_swap. */
#define DX_OCR_CACHE_DIR "ocr-cache"

/* 1 if `name` (a name inside a database folder) is one that Xapian's glass
 * backend or diarium makes there, else 0. These are the only names
 * diarium ever removes: a folder's other entries are never touched. */
int dx_dbdir_known_name(const char *name);

/* What a folder given as a database holds (dx_dbdir_classify). */
enum {
    DX_DIR_MISSING = 0,  /* nothing at that path: it will be created */
    DX_DIR_EMPTY = 1,    /* a folder with no entry, or only known names
                         without a database (a lock file, say) */
    DX_DIR_DATABASE = 2, /* a Xapian database, and nothing else */
    DX_DIR_MIXED = 3,    /* a Xapian database and other entries */
    DX_DIR_FOREIGN = 4,  /* other entries, and no database */
    DX_DIR_NOTDIR = 5    /* something that is not a folder */
};

/* Classifies `dir` by the names in it (dx_dbdir_known_name; a folder with
 * "iamglass" holds a database). other (otherlen bytes, may be NULL)
 * receives the first other entry in byte order, *nother (may be NULL)
 * how many there are. Returns a DX_DIR_MISSING.. value, or DX_EIO when
 * `dir` cannot be stat'ed or listed (no permission). */
int dx_dbdir_classify(const char *dir, char *other, size_t otherlen,
                      unsigned *nother);

/* Before anything is created or written at `dir`: refuses (DX_EREFUSED,
 * err saying why and naming the first foreign entry) a path that is not a
 * folder, a folder that holds other things and no database (the documents
 * folder given as --db by mistake), and for `full` (which replaces the
 * whole folder) a database folder that also holds other things. DX_OK
 * otherwise, also when `dir` cannot be listed (opening it then says why). */
int dx_dbdir_vet(const char *dir, int full, char *err, size_t errlen);

typedef struct dx_dblock dx_dblock;

/* Takes the writer lock of database folder `dir`, creating the folder
 * (mode 0777 less the umask) when `create` and it is missing. Never waits.
 * On DX_ELOCKED, *holder (may be NULL) receives the holder's pid (0 when it
 * could not be read) and err names it. On failure *out is NULL and err
 * (errlen bytes) holds a one-line reason. Returns DX_OK, DX_ELOCKED,
 * DX_EIO (also: `dir` missing and not `create`) or DX_ENOMEM. */
int dx_dblock_take(const char *dir, int create, dx_dblock **out, long *holder,
                   char *err, size_t errlen);

/* Releases the lock (the file stays: an unlocked file blocks nobody).
 * Accepts NULL. */
void dx_dblock_release(dx_dblock *l);

/* Before taking the lock: if `dir` is missing but a DIR.full-old.* left by
 * a swap interrupted between its two renames exists, renames it back.
 * DX_OK (also when there was nothing to do) or DX_EIO. */
int dx_dbdir_recover(const char *dir, char *err, size_t errlen);

/* With the lock held: removes the leftovers of interrupted rebuilds of
 * `dir` (DIR.full-tmp.*, DIR.full-old.* and DIR.shard-tmp.*). DX_OK or
 * DX_EIO. */
int dx_dbdir_cleanup(const char *dir, char *err, size_t errlen);

/* The folder that `dir` names, malloc'd: where a symbolic link points, so
 * that a rebuild is swapped in there and the link stays; else `dir`
 * without trailing slashes. NULL when out of memory. */
char *dx_dbdir_resolve(const char *dir);

/* Moves the database folder `tmp` (made, committed and closed by the
 * caller, who holds the lock of `dir`) into the existing folder `dir`,
 * which holds no database: its files are renamed into `dir` one by one,
 * the version file "iamglass" last, so that `dir` holds a database only
 * once all of it is there; then `tmp` is removed. DX_OK or DX_EIO. */
int dx_dbdir_adopt(const char *dir, const char *tmp, char *err,
                   size_t errlen);

/* Removes what this process was building beside `dir` — its rebuild
 * folder DIR.full-tmp.<pid> and the shards DIR.shard-tmp.* (only the lock
 * holder builds shards) — and nothing else: not DIR, not DIR.full-old.*.
 * Calls no Xapian code, so it may be used when Xapian has failed beyond
 * recovery (xc_on_fatal). Best effort. */
void dx_dbdir_discard(const char *dir);

/* Writes the path of the folder a rebuild of `dir` is built in,
 * "<dir>.full-tmp.<pid>", into out (outlen bytes). DX_OK, or DX_EIO when
 * it does not fit. */
int dx_dbdir_temp_path(const char *dir, char *out, size_t outlen);

/* Writes the path of shard k of a parallel build of `dir`,
 * "<dir>.shard-tmp.<k>" (a sibling; only the lock holder builds shards),
 * into out. DX_OK, or DX_EIO when it does not fit. */
int dx_dbdir_shard_path(const char *dir, unsigned k, char *out,
                        size_t outlen);

/* Removes a database folder made by this module's callers: the files in it
 * with known names (dx_dbdir_known_name), then the folder, which stays
 * (ENOTEMPTY) when it holds anything else. DX_OK, or DX_EIO with errno
 * set. */
int dx_dbdir_remove(const char *path);

/* Puts the finished (committed and closed) database folder `tmp` in the
 * place of `dir`, atomically when the file system allows, and removes the
 * old database. The lock file of the new folder is taken first, so the
 * folder at `dir` is locked by this process throughout. `dir` may be
 * missing (a first build). DX_OK; DX_EIO when the swap failed (`dir` is
 * then as it was). A failure to remove the old folder after a successful
 * swap is not an error: the next writer removes it. */
int dx_dbdir_swap(const char *dir, const char *tmp, char *err, size_t errlen);

#endif /* DIARIUM_DX_DBDIR_H */
