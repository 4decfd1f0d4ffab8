/*
 * dx_index.h — building and updating a diarium database.
 *
 * Where it sits: the heart of indexer/. For each file found by dx_walk it
 * reads the bytes (dx_read), cleans them (sv_text), splits passages
 * (dx_passage), analyses each passage (sv_token, sv_stem, sv_ocr) and writes
 * one Xapian document per passage through the shim (xc), in the layout of
 * dx_format.h.
 *
 * Updates are incremental: a file whose size and modification time match
 * the record kept in the database is not read again; a changed file has all
 * its passages replaced; a file that has gone from a root indexed in this run
 * is removed. Each batch of changes, records included, is one Xapian commit,
 * so an interrupted run leaves the database as of its last commit.
 */
#ifndef DIARIUM_DX_INDEX_H
#define DIARIUM_DX_INDEX_H

#include <stddef.h>
#include <stdint.h>

enum {
    DXI_OK = 0,
    DXI_ENOMEM = -1,
    DXI_ELOCKED = -2,   /* another writer holds the database */
    DXI_EANALYSIS = -3, /* indexed with another analysis: run --full */
    DXI_EDB = -4        /* database cannot be opened, written or is corrupt */
};

typedef struct dx_stats {
    unsigned added, updated, removed, unchanged, failed;
    uint64_t passages; /* passages written */
    uint64_t bytes;    /* bytes of text analysed */
} dx_stats;

/* Called for each file or folder that could not be indexed. */
typedef void (*dx_problem_fn)(void *ctx, const char *path, const char *why);

typedef struct dx_indexer dx_indexer;

/* Opens (creating if needed) the database at dbpath for writing; full = 1
 * starts from an empty database. On failure *out is NULL and err (errlen
 * bytes) holds a one-line reason. Returns DXI_OK, DXI_ELOCKED,
 * DXI_EANALYSIS, DXI_EDB or DXI_ENOMEM. */
int dx_indexer_open(const char *dbpath, int full, dx_indexer **out,
                    char *err, size_t errlen);

/* Indexes everything under `root` (a folder or one file), reporting each
 * problem through fn. Problems with single files are not errors: the run
 * goes on. Returns DXI_OK, or DXI_EDB / DXI_ENOMEM when the database cannot
 * be written (err holds the reason). */
int dx_indexer_add_root(dx_indexer *ix, const char *root, dx_problem_fn fn,
                        void *ctx, char *err, size_t errlen);

/* Removes documents of the roots indexed in this run whose files are gone,
 * and commits. Returns DXI_OK or DXI_EDB / DXI_ENOMEM. */
int dx_indexer_finish(dx_indexer *ix, char *err, size_t errlen);

const dx_stats *dx_indexer_stats(const dx_indexer *ix);

/* Closes the database; whatever was not committed is discarded. */
void dx_indexer_close(dx_indexer *ix);

#endif /* DIARIUM_DX_INDEX_H */
