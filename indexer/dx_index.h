/*
 * dx_index.h — building and updating a diarium database.
 *
 * Where it sits: the heart of indexer/. For each file found by dx_walk it
 * reads the bytes (dx_read), cleans them (sv_text), splits passages
 * (dx_passage), analyses each passage (sv_token, sv_stem, sv_ocr) and writes
 * one Xapian document per passage through the shim (xc), in the layout of
 * dx_format.h. The database folder's lock and the --full swap are
 * dx_dbdir's; the per-document records are dx_record's.
 *
 * A run is: dx_indexer_open, dx_indexer_add_root for each PATH (walks and
 * classifies; nothing is written yet), dx_indexer_finish (does the work),
 * dx_indexer_close.
 *
 * Incremental by default. For each file found:
 *  - size and modification time equal to its record (and the same PATH):
 *    unchanged, not read;
 *  - otherwise it is read and hashed (dx_content_hash). The same hash as
 *    its record: unchanged (only the record is brought up to date);
 *  - a new document id whose hash equals that of a record whose file has
 *    gone in this run: renamed. Its passages are moved to the new id (the
 *    Q term and id value rewritten in place), not analysed again;
 *  - else added or updated: all its passages are replaced.
 * PDF, Word and OpenDocument files, and scanned images (.tif, .png,
 * .jpg), are read through extract/ (ex.h: a worker process with limits;
 * one per thread) and their passages know their pages. Scanned pages are
 * read by OCR once: the pages read are kept in the database folder's OCR
 * cache, by content, so that no run reads them again (dx_ocr.h). One that cannot be read (encrypted, damaged, a limit, only
 * scanned pages) is reported and remembered in a failure record: while
 * its size and time, or else its content hash, stay the same, later runs
 * report it again without reading it (opt.retry_failed: read it anyway).
 * Records of the PATHs indexed in this run whose files have gone (and were
 * not renamed) are removed with their passages — except when the PATH
 * itself could not be read or held no document file at all (an unmounted
 * share must not empty the database), or the file lies in a sub-folder
 * that could not be read: its documents are then kept, and that is
 * reported as a problem. Records keep a PATH by its canonical name
 * (dx_root.h), so that `docs`, `./docs` and `$PWD/docs` are one PATH;
 * records of an earlier version, which kept it as given, are taken over
 * and rewritten.
 *
 * Crash safety: changes are made in batches; each batch, records included,
 * is one Xapian transaction, committed atomically, so an interrupted run
 * leaves the database as of its last commit and the next run redoes the
 * rest (a file is re-indexed by replacing all its passages, never by
 * adding to them). With `full`, the database is rebuilt in a sibling folder
 * and swapped in only when complete (dx_dbdir_swap).
 *
 * Parallel build: a first build (the database holds nothing yet) or a
 * --full one, of more than one file, uses `jobs` threads. Each indexes a
 * run of the work list into a shard of its own; the shards are merged in
 * order (Xapian compaction) and swapped in at the end, so the result is
 * the same as with one thread. Such a build is all or nothing: when it is
 * interrupted, the database stays as it was and the next run starts over
 * (with jobs = 1 a first build commits batch by batch instead). Memory:
 * each thread holds at most one batch (batch_files files or 64 MiB of
 * text) before it commits. It stores Xapian's termlists uncompressed
 * (xc_termlist_compression), for the whole process while it runs.
 *
 * One writer at a time: open takes the folder's lock (dx_dbdir) and fails
 * with DX_ELOCKED, naming the holder's pid, when another run has it.
 */
#ifndef DIARIUM_DX_INDEX_H
#define DIARIUM_DX_INDEX_H

#include "dx_error.h"
#include "ex.h"

#include <stddef.h>
#include <stdint.h>

/* The most threads a build uses. */
#define DX_JOBS_MAX 64

/* Return codes: DX_* (dx_error.h). */

typedef struct dx_stats {
    unsigned added, updated, renamed, removed, unchanged, failed;
    uint64_t passages; /* passages written (moved ones not counted) */
    uint64_t bytes;    /* bytes of text analysed */
    unsigned threads;  /* that indexed: >1 for a parallel build, else 1 */
    unsigned ocr_pages; /* scanned pages read by OCR in this run, also
                          those that failed (pages taken from the OCR
                          cache not counted) */
} dx_stats;

/* What a run does (or in a dry run would do) to one document. */
enum {
    DX_CHANGE_ADD = 0,
    DX_CHANGE_UPDATE = 1,
    DX_CHANGE_RENAME = 2, /* `other` is the old id */
    DX_CHANGE_REMOVE = 3
};

/* Called for each file or folder that could not be indexed. `path` is
 * NULL for a problem that is not about one file (`why` then says what: a
 * PATH whose documents were kept because it could not be read or held no
 * document; leftovers of an interrupted --full that cannot be removed). */
typedef void (*dx_problem_fn)(void *ctx, const char *path, const char *why);

/* Called for a file that was indexed, with something the user should know
 * about it (`what`: text that was not all valid UTF-8, and what was
 * replaced where). It does not count as failed. */
typedef void (*dx_warning_fn)(void *ctx, const char *path, const char *what);

/* Called for each change, when it is decided. `id` is the document id (for
 * a removal: its key in the database, dx_doc_key, which is the id unless it
 * is very long); `other` is NULL except for DX_CHANGE_RENAME. */
typedef void (*dx_change_fn)(void *ctx, int change, const char *id,
                             const char *other);

/* Progress of the work phase (files to read, in dx_indexer_finish). */
typedef struct dx_progress {
    unsigned files_done, files_total;
    uint64_t bytes_done, bytes_total; /* file sizes, as stat'ed */
} dx_progress;
typedef void (*dx_progress_fn)(void *ctx, const dx_progress *p);

typedef struct dx_options {
    int full;             /* rebuild aside and swap in at the end */
    int dry_run;          /* decide and report only: the database is opened
                             read-only (if it exists) and never written;
                             changed files are read to be hashed */
    unsigned batch_files; /* files per commit; 0: the default (2000) */
    unsigned jobs;        /* threads of a first or --full build; 0: one per
                             processor it may use (dx_cpus); 1: one,
                             committing batch by batch (see "Parallel
                             build" above) */
    int retry_failed;     /* read files with a failure record again */
    const ex_limits *limits; /* of reading PDF, Word and OpenDocument
                             files (NULL: ex.h's defaults); must outlive
                             the run */
    const char *extract_program; /* the document reader (NULL:
                             diarium-extract beside the running program) */
    int no_ocr;           /* scanned pages are reported, not read by OCR */
    /* Pages to read by OCR: found so far in this run (total) and read
     * (done); called from the thread that found or read one, one call at
     * a time, but not in step with `progress`. May be NULL; gets ctx. */
    void (*ocr_progress)(void *ctx, unsigned done, unsigned total);
    dx_problem_fn problem; /* each may be NULL; all get ctx */
    dx_change_fn change;
    dx_progress_fn progress;
    void *ctx;
    dx_warning_fn warning; /* may be NULL; gets ctx */
    size_t max_file;       /* largest document read (bytes, after
                              decompression; a larger one is named and
                              skipped): bounds the memory a thread needs;
                              0: DX_MAX_FILE (dx_read.h) */
} dx_options;

typedef struct dx_indexer dx_indexer;

/* Opens the database at dbpath for a run (creating folder and database if
 * needed, taking the writer lock unless opt->dry_run). opt may be NULL (all
 * defaults). On failure *out is NULL and err (errlen bytes) holds a
 * one-line reason. Returns DX_OK; DX_ELOCKED (err names the holder's
 * pid); DX_EANALYSIS (indexed by a build that analyses differently, or in
 * another index format: err says to run --full); DX_EREFUSED (dbpath is
 * not a folder, holds other things and no database, or with opt->full
 * holds other things beside one: err names the first); DX_EDB;
 * DX_ENOMEM. */
int dx_indexer_open(const char *dbpath, const dx_options *opt,
                    dx_indexer **out, char *err, size_t errlen);

/* Walks `root` (a folder or one file): files are stat'ed and compared with
 * their records; nothing is read or written yet. Problems with this root's
 * folders and files (unreadable folders here, unreadable files later in
 * dx_indexer_finish, a document id already found under another root of
 * this run) go to fn(ctx, ...), or when fn is NULL to opt->problem, and
 * count as failed. Returns DX_OK, or DX_EDB / DX_ENOMEM (err holds the
 * reason). */
int dx_indexer_add_root(dx_indexer *ix, const char *root, dx_problem_fn fn,
                        void *ctx, char *err, size_t errlen);

/* Reads, hashes and indexes what changed, moves renamed documents, removes
 * those whose files are gone from the roots walked in this run, commits in
 * batches and (with full) swaps the rebuilt database in. A file that
 * cannot be read goes to opt->problem and keeps its earlier passages.
 * Returns DX_OK, or DX_EDB / DX_ENOMEM when the database cannot be
 * written (err holds the reason; the database stays as of its last
 * commit). */
int dx_indexer_finish(dx_indexer *ix, char *err, size_t errlen);

const dx_stats *dx_indexer_stats(const dx_indexer *ix);

/* For a program's xc_on_fatal handler, when Xapian failed beyond recovery
 * during a run (msg: the shim's message): writes into err a one-line
 * reason naming the cause (a full disk as "the disk is full") and removes
 * the folders the run was building (dx_dbdir_discard), calling no Xapian
 * code. The database is as of its last commit. The caller then exits. */
void dx_indexer_fatal(dx_indexer *ix, const char *msg, char *err,
                      size_t errlen);

/* Ends the run: whatever was not committed is discarded, a --full that did
 * not finish has its half-built folder removed, the lock is released.
 * Accepts NULL. */
void dx_indexer_close(dx_indexer *ix);

#endif /* DIARIUM_DX_INDEX_H */
