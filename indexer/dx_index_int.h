/*
 * dx_index_int.h — private to the indexer's run (dx_index.h): what its
 * three files share. Not for use outside indexer/.
 *
 *   dx_index.c   a run: open, walk, classify against the records, the
 *                incremental work (unchanged, renamed, updated, gone),
 *                batches and commits, the --full swap; the helpers below
 *   dx_writer.c  the passage-to-document writer: one file's text as one
 *                Xapian document per passage (dx_format.h)
 *   dx_bulk.c    the parallel build: the work list in shards, merged
 *
 * Errors are DX_* codes (dx_error.h) with a one-line message in
 * (err, errlen), as in the public functions.
 */
#ifndef DIARIUM_DX_INDEX_INT_H
#define DIARIUM_DX_INDEX_INT_H

#include "dx_dbdir.h"
#include "dx_index.h"
#include "dx_meta.h"
#include "dx_record.h"

#include "ex.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"
#include "xc.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Most spellings a set remembers; past it, it starts again (rewriting a
 * key is harmless, and memory stays bounded whatever the corpus). */
#define FORMS_MAX ((size_t)1 << 19)

/* Descriptors all threads of a build may hold open ahead of their turn
 * (dx_open_ahead), in windows of at most READ_AHEAD_MAX files per thread:
 * far below the usual limit of 1,024, whatever --jobs, and sized to the
 * limit a process is given (dx_ahead_window). */
#define READ_AHEAD_FDS 256
#define READ_AHEAD_MAX 32

/* A set of strings (document keys seen in this run). */
typedef struct strset {
    char **v;
    size_t n, cap; /* cap: power of two */
} strset;

/* The spellings whose key some shard of a parallel build has written: the
 * merge keeps one of each, so one is enough. */
typedef struct spellings {
    pthread_mutex_t mu;
    strset set;
} spellings;

/* A file that must be read (changed, new, or not comparable). Strings are
 * offsets into the indexer's arena. */
typedef struct work {
    size_t path, docid, key;
    size_t root; /* index into roots */
    int64_t size, mtime_ns;
    int found;   /* it has a record */
    int respell; /* unchanged, but its record names its root in another
                    spelling (an earlier version's): only the record is
                    rewritten */
    uint64_t hash;
    unsigned passages;
    int failed;  /* it has a failure record (DX_META_FAIL) */
    uint64_t failhash; /* its hash there */
    size_t failwhy;    /* its reason there (arena offset) */
} work;

/* What analyses documents and writes their passages: the indexer's own,
 * or one per thread of a parallel build (each with its own database). */
typedef struct writer {
    xc_wdb *w;
    xc_doc *doc;
    sv_stemmer *st;
    sv_skelmemo *skm; /* the tokens' skeletons */
    sv_tokens toks;
    unsigned char *zbuf; /* a passage's data */
    size_t zcap;
    char *sbuf; /* the data as stored (dx_data_store) */
    size_t scap;
    char *term;
    size_t termcap;
    char *key; /* a spelling key (dx_format.h, DX_PREFIX_FORM) */
    size_t keycap;
    strset forms; /* spellings whose key w already has (or will at the
                     next commit); emptied when a commit fails */
    struct spellings *shared; /* a parallel build's, or NULL */
    char *mterms; /* the current document's field terms, NUL-separated */
    size_t mtlen, mtcap;
    dx_meta_ctx *mctx;
    ex_reader *ex;       /* PDF, Word and OpenDocument files: the worker
                            (started at the first such file) */
    const ex_limits *exlim; /* its limits (NULL: ex.h's defaults) */
    const char *exprog;  /* the worker program (NULL: beside this one) */
    struct dx_ocr *ocr;  /* scanned pages: the run's OCR (dx_ocr.h) */
    unsigned ocr_helpers; /* readers more for one document's pages: --jobs
                            less one in a one-thread run, 0 in a parallel
                            build (its threads read documents at once) */
    uint64_t passages, bytes; /* written, analysed (since last taken) */
    /* The current document's distinct Z and S terms, for the D terms of
     * its last passage (dx_format.h): an open-addressing table of offsets
     * + 1 (0: empty) into an arena of NUL-terminated terms; dtused lists
     * the slots in use (dtn of them), which are all that a new document
     * has to empty. */
    char *dterms;
    size_t dtlen, dtcap;
    uint32_t *dtslot, *dtused;
    size_t dtn, dtslots; /* dtslots: a power of two, or 0 */
} writer;

struct dx_indexer {
    dx_options opt;
    char *dbpath;    /* as given, without trailing slashes */
    char *buildpath; /* where Xapian is open: dbpath, or the --full sibling */
    dx_dblock *lock;
    xc_wdb *w;       /* NULL in a dry run */
    xc_db *rdb;      /* dry run: the database read-only (NULL if none) */
    xc_db *db;       /* where records are read: w's reader, rdb, or NULL */
    writer wr;       /* analysis; wr.w is w */
    struct dx_ocr *ocr; /* scanned pages (dx_ocr.h), shared by writers */
    dx_stats stats;
    strset seen;
    struct root {
        char *path;       /* as given, without trailing slashes (messages) */
        char *canon;      /* dx_root_canon: what records keep */
        dx_problem_fn fn; /* its problems (NULL: opt.problem) */
        void *ctx;
        unsigned files;   /* document files the walk found */
        int unread;       /* the root itself could not be walked */
        unsigned kept;    /* records kept because of that, or of files 0 */
        char **holes;     /* what the walk could not read below the root
                             (folders, entries), relative to it */
        size_t nholes;
        unsigned hole_kept; /* records kept because they lie in a hole */
    } *roots;
    size_t nroots;
    struct dx_roots *rmap; /* the roots' canonical names (dx_root.h) */
    work *work;
    size_t nwork, capwork;
    char *arena;
    size_t alen, acap;
    struct gone *gone; /* (dx_index.c) */
    size_t ngone;
    int empty;       /* the database holds no passage and no record */
    int in_txn;
    unsigned pending_files;
    uint64_t pending_bytes;
    int finished;
    int verified;    /* the tables were checked sound before writing (or
                        are new): a finished run records their state */
};

/* A window of the work list's files opened ahead of their turn. */
typedef struct ahead {
    int fd[READ_AHEAD_MAX]; /* fd[k % n]: file k opened ahead, or -1 */
    size_t n;               /* the window: 1 to READ_AHEAD_MAX files */
    size_t opened, end;     /* files [.., opened) of [.., end) were opened */
} ahead;

/* ------------------------------------------------------------------
 * Interface to code in dx_index.c
 * ---------------------------------------------------------------- */

/* printf into err (errlen bytes) when there is one. */
void dx_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Turns a shim error into DX_* plus a message "what: reason" in err
 * (first "the disk is full: " when the reason is a write that found no
 * room), and frees the shim's message xerr. */
int dx_db_error(int rc, char *xerr, char *err, size_t errlen,
                const char *what);

/* Free bytes for an unprivileged writer beside the database folder (where
 * shards and --full are built, on the same file system); UINT64_MAX when
 * it cannot be told. */
uint64_t dx_ix_free_bytes(const dx_indexer *ix);

/* "out of memory" in err; returns DX_ENOMEM. */
int dx_oom(char *err, size_t errlen);

/* A problem with a file or folder of root r ((size_t)-1: of none): to the
 * root's callback, else opt.problem; counted as failed. */
void dx_ix_problem(dx_indexer *ix, size_t r, const char *path,
                   const char *why);

/* Something to say about a file that was indexed all the same
 * (opt.warning; not counted as failed). */
void dx_ix_warning(dx_indexer *ix, const char *path, const char *what);

/* A change decided (opt.change). */
void dx_ix_change(dx_indexer *ix, int what, const char *id,
                  const char *other);

/* The string set: has (1/0); add (0, or -1 out of memory; a copy is
 * kept); free (empties it, reusable). */
int dx_strset_has(const strset *s, const char *k);
int dx_strset_add(strset *s, const char *k);
void dx_strset_free(strset *s);

/* The record of a file about to be indexed from raw (passages: 0, set by
 * the caller once they are known). */
void dx_ix_new_record(const dx_indexer *ix, const work *w, const char *raw,
                      size_t rawlen, dx_record *r);

/* Writes the record of document key into w (part of its transaction). */
int dx_ix_put_record(xc_wdb *w, const char *key, const dx_record *r,
                     char *err, size_t errlen);

/* Writes (reason non-NULL) or removes (NULL) the failure record of
 * document key in w, for the file of work item wk with content hash h. */
int dx_ix_put_fail(const dx_indexer *ix, xc_wdb *w, const work *wk,
                   const char *key, uint64_t h, const char *reason,
                   char *err, size_t errlen);

/* Marks a new database (at path) as ours and commits, so that it opens
 * (empty) for queries from the very start. */
int dx_ix_stamp(xc_wdb *w, const char *path, char *err, size_t errlen);

/* The descriptors a thread of a run may need besides the files it reads
 * ahead (its database or shard tables, a commit's version file, its
 * document reader's pipes, the shards of a merge), and those the process
 * keeps for itself beyond the ones open when a run starts. */
#define FDS_PER_THREAD 16
#define FDS_RESERVE 16

/* The most threads that the limit on open files (RLIMIT_NOFILE, less the
 * descriptors open now) leaves room for, up to `jobs`; at least 1. */
unsigned dx_fd_threads(unsigned jobs);

/* How many files each of `threads` threads may open ahead of its turn:
 * READ_AHEAD_FDS shared out, at most READ_AHEAD_MAX each, and within
 * what the limit on open files leaves after FDS_PER_THREAD per thread (0
 * or 1: none ahead, each file opened when its turn comes). */
size_t dx_ahead_window(unsigned threads);

/* The read-ahead window over work items [first, end): n files (1 to
 * READ_AHEAD_MAX). take: the descriptor of item i (or -1: dx_read_fd
 * opens it), items taken in order; close: closes what was not taken. */
void dx_ahead_init(ahead *a, size_t n, size_t first, size_t end);
int dx_ahead_take(ahead *a, const dx_indexer *ix, size_t i);
void dx_ahead_close(ahead *a);

/* ------------------------------------------------------------------
 * Interface to code in dx_writer.c
 * ---------------------------------------------------------------- */

/* A writer for database w (NULL: none yet; set wr->w before writing).
 * On failure what was made is kept for dx_writer_free. */
int dx_writer_init(writer *wr, xc_wdb *w, char *err, size_t errlen);

/* Frees what wr holds (not its database). */
void dx_writer_free(writer *wr);

/* Builds prefix + a into wr->term; returns its length, or 0 when out of
 * memory. */
size_t dx_writer_term(writer *wr, char prefix, const char *a, size_t alen);

/* What dx_writer_index_text says of a file that was not indexed (beyond
 * the DX_* codes, which are about the database). */
enum {
    DXW_FAILED = 1, /* the file cannot be read (encrypted, damaged, a limit,
                       only scanned pages): remember it (DX_META_FAIL) */
    DXW_UNREAD = 2  /* not read for a reason that is not the file's (the
                       document reader cannot be started): report it, do
                       not remember it */
};

/* Replaces every passage of docid (key: its dx_doc_key) with those of the
 * (raw) file content; `fresh`: the database cannot hold any of them.
 * `name` (the file's path) says how to read it: a .pdf, .docx or .odt file
 * goes through extract/ (wr->ex), and its passages know their pages
 * (dx_doctext.h); anything else is text, where bytes that are not valid
 * UTF-8 are replaced (sv_text_clean_report). *npassages: how many were
 * written. Adds to wr->passages and wr->bytes. Returns DX_OK (indexed;
 * `note`, notelen bytes, may then say what the run should warn of: pages
 * without a text layer, invalid UTF-8 that was replaced), DXW_FAILED or
 * DXW_UNREAD (nothing written, the old passages stay; `note` says why), or
 * DX_ENOMEM / DX_EDB (err says why). */
int dx_writer_index_text(writer *wr, const char *docid, const char *key,
                         const char *name, const char *raw, size_t rawlen,
                         int fresh, unsigned *npassages, char *note,
                         size_t notelen, char *err, size_t errlen);

/* ------------------------------------------------------------------
 * Interface to code in dx_bulk.c
 * ---------------------------------------------------------------- */

/* Whether this run is a parallel build; text: the bytes to index. */
int dx_bulk_wanted(const dx_indexer *ix, uint64_t text);

/* The whole work list as a parallel build: the shards, merged and swapped
 * in (pr: the progress so far). */
int dx_bulk_finish(dx_indexer *ix, const dx_progress *pr, char *err,
                   size_t errlen);

#endif /* DIARIUM_DX_INDEX_INT_H */
