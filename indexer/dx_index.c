/*
 * dx_index.c — building and updating a database (see dx_index.h and the
 * layout in dx_format.h).
 *
 * A run in three steps:
 *  1. dx_indexer_add_root walks each root. A file whose record says it is
 *     unchanged (same root, size and mtime) is counted and forgotten; every
 *     other one goes on the work list. Every document key seen is kept.
 *  2. dx_indexer_finish lists the records of the walked roots whose keys
 *     were not seen ("gone"), sorted by content hash, then works through
 *     the list: read, hash, and either refresh the record (same content),
 *     move a gone document's passages to the new id (renamed), or analyse
 *     and replace the passages (added / updated).
 *  3. Gone documents not claimed by a rename are removed; the last batch is
 *     committed; a --full build is swapped in.
 * Writes happen in batches, each one Xapian transaction (no automatic
 * flush can commit half a batch), so records and passages are committed
 * together. A first (or --full) build of more than one file instead does
 * step 2 in parallel shards merged at the end (dx_bulk.c).
 *
 * The passages themselves are analysed and written by dx_writer.c; what
 * the three files share is declared in dx_index_int.h.
 */
#include "dx_index_int.h"
#include "dx_check.h"
#include "dx_cpus.h"
#include "dx_dbdir.h"
#include "dx_ocr.h"
#include "dx_format.h"
#include "dx_read.h"
#include "dx_record.h"
#include "dx_root.h"
#include "dx_verify.h"

#include "sv.h"
#include "xc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* A batch is committed after this many changed files or bytes of text. */
#define BATCH_FILES 2000
#define BATCH_BYTES ((uint64_t)64 << 20)

/* A record of a walked root whose file was not found in this run. */
struct gone {
    char *key;
    uint64_t hash;
    int claimed; /* by a rename */
};
typedef struct gone gone;

/* ------------------------------------------------------------- helpers */

void dx_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* "the disk is full: " when a shim message says a write failed for want
 * of space (Xapian words it "... (No space left on device)"), else "". */
static const char *cause(const char *xerr)
{
    if (xerr && strstr(xerr, "No space left on device"))
        return "the disk is full: ";
    if (xerr && strstr(xerr, "Disk quota exceeded"))
        return "the disk quota is used up: ";
    return "";
}

/* Turns a shim error into DX_* plus a message, and frees the message. */
int dx_db_error(int rc, char *xerr, char *err, size_t errlen,
                const char *what)
{
    dx_seterr(err, errlen, "%s%s: %s", cause(xerr), what,
              xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    if (rc == XC_ENOMEM) return DX_ENOMEM;
    if (rc == XC_ELOCK) return DX_ELOCKED;
    return DX_EDB;
}

int dx_oom(char *err, size_t errlen)
{
    dx_seterr(err, errlen, "out of memory");
    return DX_ENOMEM;
}

/* A problem with a file or folder of root r ((size_t)-1: of none). */
void dx_ix_problem(dx_indexer *ix, size_t r, const char *path,
                   const char *why)
{
    if (r < ix->nroots && ix->roots[r].fn)
        ix->roots[r].fn(ix->roots[r].ctx, path, why);
    else if (ix->opt.problem)
        ix->opt.problem(ix->opt.ctx, path, why);
    ix->stats.failed++;
}

void dx_ix_warning(dx_indexer *ix, const char *path, const char *what)
{
    if (ix->opt.warning) ix->opt.warning(ix->opt.ctx, path, what);
}

void dx_ix_change(dx_indexer *ix, int what, const char *id,
                  const char *other)
{
    if (ix->opt.change) ix->opt.change(ix->opt.ctx, what, id, other);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

int dx_strset_has(const strset *s, const char *k)
{
    if (!s->cap) return 0;
    for (size_t i = hash_str(k) & (s->cap - 1); s->v[i];
         i = (i + 1) & (s->cap - 1))
        if (strcmp(s->v[i], k) == 0) return 1;
    return 0;
}

int dx_strset_add(strset *s, const char *k)
{
    if (dx_strset_has(s, k)) return 0;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **v = calloc(cap, sizeof *v);
        if (!v) return -1;
        for (size_t j = 0; j < s->cap; j++) {
            if (!s->v[j]) continue;
            size_t i = hash_str(s->v[j]) & (cap - 1);
            while (v[i]) i = (i + 1) & (cap - 1);
            v[i] = s->v[j];
        }
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    char *d = strdup(k);
    if (!d) return -1;
    size_t i = hash_str(k) & (s->cap - 1);
    while (s->v[i]) i = (i + 1) & (s->cap - 1);
    s->v[i] = d;
    s->n++;
    return 0;
}

void dx_strset_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Copies s (with its NUL) into the arena; its offset, or (size_t)-1. */
static size_t arena_put(dx_indexer *ix, const char *s)
{
    size_t n = strlen(s) + 1;
    if (ix->alen + n > ix->acap) {
        size_t cap = ix->acap ? ix->acap * 2 : 1 << 16;
        while (cap < ix->alen + n) cap *= 2;
        char *a = realloc(ix->arena, cap);
        if (!a) return (size_t)-1;
        ix->arena = a;
        ix->acap = cap;
    }
    memcpy(ix->arena + ix->alen, s, n);
    ix->alen += n;
    return ix->alen - n;
}

/* ------------------------------------------------------------- records */

/* The metadata key of a document key; its length, or 0 if too long. */
static size_t meta_key(const char *key, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s%s", DX_META_DOC, key);
    return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

/* A dry run reads a database that a nightly run may be writing. A read
 * of a revision the writer has since discarded fails (Xapian's
 * DatabaseModifiedError, "call reopen()"), and so can one that followed a
 * block a newer commit overwrote (Xapian 1.4 then reports the database
 * corrupt): moved_on() reopens db on the latest commit and says whether
 * the read is to be run again — always after `modified`, after another
 * database error only when the database had indeed moved on. At most
 * REOPEN_TRIES times in a row. A writer's own reader never moves. */
#define REOPEN_TRIES 100
static int moved_on(xc_db *db, int modified, int *tries)
{
    int changed = 0;
    for (;;) { /* reopening reads blocks the writer can be replacing too */
        if (++*tries > REOPEN_TRIES) return 0;
        int r = xc_db_reopen(db, &changed, NULL);
        if (r == XC_OK) break;
        if (r != XC_EMODIFIED && r != XC_ECORRUPT && r != XC_EIO) return 0;
        modified = 1;
    }
    return modified || changed;
}

/* moved_on() for a shim call that returned rc (its message in *xerr,
 * freed when the read is to be run again). */
static int reopened(xc_db *db, int rc, char **xerr, int *tries)
{
    if (rc != XC_EMODIFIED && rc != XC_ECORRUPT && rc != XC_EIO) return 0;
    if (!moved_on(db, rc == XC_EMODIFIED, tries)) return 0;
    xc_free(*xerr);
    *xerr = NULL;
    return 1;
}

/* Reads the record of `key` from db; *found = 0 when there is none (or it
 * is not well-formed: the file is then simply indexed again). */
static int get_record(xc_db *db, const char *key, dx_record *r, int *found,
                      char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32];
    char *val = NULL, *xerr = NULL;
    size_t vlen = 0, kn = meta_key(key, mkey, sizeof mkey);
    *found = 0;
    if (!db || !kn) return DX_OK;
    int rc, tries = 0;
    do rc = xc_db_get_metadata(db, mkey, kn, &val, &vlen, &xerr);
    while (reopened(db, rc, &xerr, &tries));
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "reading record");
    if (val && dx_record_parse(val, vlen, r) == 0) *found = 1;
    xc_free(val);
    return DX_OK;
}

/* Opens the batch's transaction before the first change of a batch. */
static int begin_write(dx_indexer *ix, char *err, size_t errlen)
{
    if (ix->in_txn) return DX_OK;
    char *xerr = NULL;
    int rc = xc_wdb_begin_transaction(ix->w, 1, &xerr);
    if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, "transaction");
    ix->in_txn = 1;
    return DX_OK;
}

uint64_t dx_ix_free_bytes(const dx_indexer *ix)
{
    char parent[4200];
    snprintf(parent, sizeof parent, "%s/..", ix->dbpath);
    struct statvfs sv;
    if (statvfs(parent, &sv) != 0) return UINT64_MAX;
    return (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
}

/* Room a one-thread commit wants: about what it writes (Xapian writes
 * every changed B-tree block anew, beside the old ones), COMMIT_ROOM_TEXT
 * times the text analysed plus a block or two per file, plus a margin.
 * Xapian 1.4 can fail beyond recovery in a commit whose writes fail
 * (dx_indexer_fatal); this leaves that to space taken while it runs. */
#define COMMIT_ROOM_TEXT 3u
#define COMMIT_ROOM_FILE ((uint64_t)16 << 10)
#define COMMIT_ROOM_MIN ((uint64_t)1 << 20)

/* Commits the batch: passages and records together, atomically. */
static int commit(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    if (!ix->in_txn) return DX_OK;
    uint64_t need = COMMIT_ROOM_MIN + COMMIT_ROOM_TEXT * ix->pending_bytes +
                    COMMIT_ROOM_FILE * ix->pending_files,
             have = dx_ix_free_bytes(ix);
    if (have < need) { /* as the parallel build's room_left does */
        xc_wdb_cancel_transaction(ix->w, NULL);
        ix->in_txn = 0;
        ix->pending_files = 0;
        ix->pending_bytes = 0;
        dx_strset_free(&ix->wr.forms);
        dx_seterr(err, errlen, "the disk is full: %llu KB free beside %s, "
                  "and this batch needs about %llu KB to be committed; free "
                  "some space", (unsigned long long)(have >> 10), ix->dbpath,
                  (unsigned long long)(need >> 10));
        return DX_EDB;
    }
    int rc = xc_wdb_commit_transaction(ix->w, &xerr);
    ix->in_txn = 0; /* committed, or (on failure) cancelled by Xapian */
    ix->pending_files = 0;
    ix->pending_bytes = 0;
    if (rc != XC_OK) {
        dx_strset_free(&ix->wr.forms); /* their keys may be lost */
        return dx_db_error(rc, xerr, err, errlen, "commit");
    }
    return DX_OK;
}

/* The record of a file about to be indexed from raw (passages: 0, set by
 * the caller once they are known). */
void dx_ix_new_record(const dx_indexer *ix, const work *w, const char *raw,
                      size_t rawlen, dx_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->root, sizeof r->root, "%s", ix->roots[w->root].canon);
    r->size = w->size;
    r->mtime_ns = w->mtime_ns;
    r->hash = dx_content_hash(raw, rawlen);
}

int dx_ix_put_record(xc_wdb *w, const char *key, const dx_record *r,
                     char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32], val[4400];
    char *xerr = NULL;
    size_t kn = meta_key(key, mkey, sizeof mkey);
    size_t vn = dx_record_format(r, val, sizeof val);
    if (!kn || !vn) return DX_OK; /* cannot happen: roots are < 4096 */
    int rc = xc_wdb_set_metadata(w, mkey, kn, val, vn, &xerr);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "writing record");
    return DX_OK;
}

static int del_record(dx_indexer *ix, const char *key, char *err,
                      size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32];
    char *xerr = NULL;
    size_t kn = meta_key(key, mkey, sizeof mkey);
    if (!kn) return DX_OK;
    int rc = xc_wdb_set_metadata(ix->w, mkey, kn, "", 0, &xerr);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "removing record");
    return DX_OK;
}

/* The metadata key of a document key's failure record. */
static size_t fail_key(const char *key, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s%s", DX_META_FAIL, key);
    return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

/* Reads the failure record of `key` from db (*found = 0: none, or not
 * well-formed). */
static int get_fail(xc_db *db, const char *key, dx_failrec *f, int *found,
                    char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32];
    char *val = NULL, *xerr = NULL;
    size_t vlen = 0, kn = fail_key(key, mkey, sizeof mkey);
    *found = 0;
    if (!db || !kn) return DX_OK;
    int rc, tries = 0;
    do rc = xc_db_get_metadata(db, mkey, kn, &val, &vlen, &xerr);
    while (reopened(db, rc, &xerr, &tries));
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "reading failure record");
    if (val && dx_failrec_parse(val, vlen, f) == DX_OK) *found = 1;
    xc_free(val);
    return DX_OK;
}

int dx_ix_put_fail(const dx_indexer *ix, xc_wdb *w, const work *wk,
                   const char *key, uint64_t h, const char *reason,
                   char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32], val[4800];
    char *xerr = NULL;
    size_t kn = fail_key(key, mkey, sizeof mkey), vn = 0;
    if (!kn) return DX_OK;
    if (reason) {
        dx_failrec f;
        memset(&f, 0, sizeof f);
        snprintf(f.root, sizeof f.root, "%s", ix->roots[wk->root].canon);
        f.size = wk->size;
        f.mtime_ns = wk->mtime_ns;
        f.hash = h;
        snprintf(f.reason, sizeof f.reason, "%s", reason);
        vn = dx_failrec_format(&f, val, sizeof val);
        if (!vn) return DX_OK; /* cannot happen: roots are < 4096 */
    }
    int rc = xc_wdb_set_metadata(w, mkey, kn, val, vn, &xerr);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "writing failure record");
    return DX_OK;
}

/* What a run says of a file it does not read again because it failed
 * before with the same content. */
static void report_remembered(dx_indexer *ix, size_t root, const char *path,
                              const char *reason)
{
    char why[700];
    snprintf(why, sizeof why, "%s (failed before; not read again until it "
             "changes, or with --retry-failed)", reason);
    dx_ix_problem(ix, root, path, why);
}

/* ---------------------------------------------------------------- moving */

/* Moves every passage of document `oldkey` to document id `docid` (key
 * `newkey`): each passage keeps its terms, positions, data and number;
 * what is derived from the document id — the Q term and DX_SLOT_DOCID — is
 * rewritten (see dx_format.h: anything else ever derived from the id must
 * be rewritten here too). */
static int move_passages(dx_indexer *ix, const char *oldkey,
                         const char *newkey, const char *docid, char *err,
                         size_t errlen)
{
    char *xerr = NULL, *oldterm = NULL;
    unsigned *ids = NULL;
    size_t nids = 0;
    xc_doc *d = NULL;
    size_t on = dx_writer_term(&ix->wr, DX_PREFIX_DOC, oldkey, strlen(oldkey));
    if (!on || !(oldterm = malloc(on))) return dx_oom(err, errlen);
    memcpy(oldterm, ix->wr.term, on);
    size_t nn = dx_writer_term(&ix->wr, DX_PREFIX_DOC, newkey, strlen(newkey));
    int rc = nn ? xc_db_postlist(ix->db, oldterm, on, &ids, &nids, &xerr)
                : XC_ENOMEM;
    for (size_t i = 0; rc == XC_OK && i < nids; i++) {
        rc = xc_db_document(ix->db, ids[i], &d, &xerr);
        if (rc == XC_OK) rc = xc_doc_remove_term(d, oldterm, on, &xerr);
        if (rc == XC_OK)
            rc = xc_doc_add_boolean_term(d, ix->wr.term, nn, &xerr);
        if (rc == XC_OK)
            rc = xc_doc_set_value(d, DX_SLOT_DOCID, docid, strlen(docid),
                                  &xerr);
        if (rc == XC_OK) rc = xc_wdb_replace(ix->w, ids[i], d, &xerr);
        xc_doc_free(d);
        d = NULL;
    }
    xc_free(ids);
    free(oldterm);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "moving passages");
    return DX_OK;
}

/* --------------------------------------------------------------- walking */

typedef struct walk_ctx {
    dx_indexer *ix;
    size_t root;
    char *err;
    size_t errlen;
    int rc;
} walk_ctx;

static int on_file(void *p, const dx_entry *e)
{
    walk_ctx *c = p;
    dx_indexer *ix = c->ix;
    char key[DX_DOC_KEY_MAX + 1];
    ix->roots[c->root].files++;
    dx_doc_key(e->docid, strlen(e->docid), key);
    if (dx_strset_has(&ix->seen, key)) {
        /* Two roots of one run hold the same relative path: the first one
         * keeps the id, or the two would replace each other every run. */
        dx_ix_problem(ix, c->root, e->path, "the same document id was already "
                      "found under another PATH of this run");
        return 0;
    }
    if (dx_strset_add(&ix->seen, key) != 0) {
        c->rc = dx_oom(c->err, c->errlen);
        return 1;
    }
    dx_record r;
    int found = 0;
    c->rc = get_record(ix->db, key, &r, &found, c->err, c->errlen);
    if (c->rc != DX_OK) return 1;
    /* The same root: its canonical name, or an earlier version's spelling
     * of it (dx_roots_find), which is then rewritten. */
    int same_root = !found ? 0
                    : strcmp(r.root, ix->roots[c->root].canon) == 0 ? 1
                    : dx_roots_find(ix->rmap, r.root) == (long)c->root ? 2
                                                                       : 0;
    if (same_root == 1 && r.size == e->size && r.mtime_ns == e->mtime_ns) {
        ix->stats.unchanged++;
        return 0;
    }
    /* A file that failed before and has not changed is not read again. */
    dx_failrec f;
    int failed = 0;
    if (dx_is_binary_document_name(e->path)) {
        c->rc = get_fail(ix->db, key, &f, &failed, c->err, c->errlen);
        if (c->rc != DX_OK) return 1;
    }
    if (failed && !ix->opt.retry_failed &&
        strcmp(f.root, ix->roots[c->root].canon) == 0 && f.size == e->size &&
        f.mtime_ns == e->mtime_ns) {
        report_remembered(ix, c->root, e->path, f.reason);
        return 0;
    }
    if (ix->nwork == ix->capwork) {
        size_t cap = ix->capwork ? ix->capwork * 2 : 256;
        work *v = realloc(ix->work, cap * sizeof *v);
        if (!v) {
            c->rc = dx_oom(c->err, c->errlen);
            return 1;
        }
        ix->work = v;
        ix->capwork = cap;
    }
    work *w = &ix->work[ix->nwork];
    w->path = arena_put(ix, e->path);
    w->docid = arena_put(ix, e->docid);
    w->key = arena_put(ix, key);
    if (w->path == (size_t)-1 || w->docid == (size_t)-1 ||
        w->key == (size_t)-1) {
        c->rc = dx_oom(c->err, c->errlen);
        return 1;
    }
    w->root = c->root;
    w->size = e->size;
    w->mtime_ns = e->mtime_ns;
    w->found = found;
    w->respell = same_root == 2 && r.size == e->size &&
                 r.mtime_ns == e->mtime_ns;
    w->hash = found ? r.hash : 0;
    w->passages = found ? r.passages : 0;
    w->failed = failed;
    w->failhash = failed ? f.hash : 0;
    w->failwhy = failed ? arena_put(ix, f.reason) : 0;
    if (w->failwhy == (size_t)-1) {
        c->rc = dx_oom(c->err, c->errlen);
        return 1;
    }
    ix->nwork++;
    return 0;
}

static void on_walk_error(void *p, const char *path, const char *why)
{
    walk_ctx *c = p;
    struct root *r = &c->ix->roots[c->root];
    dx_ix_problem(c->ix, c->root, path, why);
    /* A sub-folder (or entry) that could not be read: the documents the
     * database has below it are not gone (see find_gone). */
    size_t rl = strlen(r->path);
    const char *rel = NULL;
    if (strncmp(path, r->path, rl) == 0 && path[rl] == '/') rel = path + rl + 1;
    else if (!strcmp(r->path, "/") && path[0] == '/') rel = path + 1;
    char **v = rel && *rel ? realloc(r->holes, (r->nholes + 1) * sizeof *v)
                           : NULL;
    if (v) {
        r->holes = v;
        if ((v[r->nholes] = strdup(rel)) != NULL) r->nholes++;
    } else if (rel && *rel) {
        r->unread = 1; /* no memory to remember it: keep all of the root */
    }
}

/* Whether document key k of root r lies in one of its holes: the key (a
 * path relative to the root, unless dx_doc_key shortened it) is a hole or
 * below one. */
static int in_hole(const struct root *r, const char *k)
{
    for (size_t i = 0; i < r->nholes; i++) {
        size_t n = strlen(r->holes[i]);
        if (strncmp(k, r->holes[i], n) == 0 && (k[n] == '\0' || k[n] == '/'))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ finishing */

/* The walked root that `root` (as a record keeps it) names, or NULL. */
static struct root *find_root(dx_indexer *ix, const char *root)
{
    long k = dx_roots_find(ix->rmap, root);
    return k >= 0 ? &ix->roots[k] : NULL;
}

/* Whether the documents of a walked root that were not found are gone. Not
 * when the root could not be read at all, nor when it held no document
 * file: an unmounted share or a folder emptied by mistake must not empty
 * the database in the night. */
static int root_trusted(struct root *r)
{
    if (r->unread || r->files == 0) {
        r->kept++;
        return 0;
    }
    return 1;
}

/* Says why the documents of untrusted roots were kept. */
static void report_kept(dx_indexer *ix)
{
    char why[4400];
    for (size_t i = 0; i < ix->nroots; i++) {
        struct root *r = &ix->roots[i];
        if (r->hole_kept) {
            snprintf(why, sizeof why, "%s: %u document%s in folders that "
                     "could not be read stay%s in the database", r->path,
                     r->hole_kept, r->hole_kept == 1 ? "" : "s",
                     r->hole_kept == 1 ? "s" : "");
            dx_ix_problem(ix, i, NULL, why);
        }
        if (!r->kept) continue;
        snprintf(why, sizeof why, "%s %s: its %u document%s stay%s in the "
                 "database (rebuild with --full to drop %s)", r->path,
                 r->unread ? "could not be read"
                           : "holds no documents any more (not mounted?)",
                 r->kept, r->kept == 1 ? "" : "s", r->kept == 1 ? "s" : "",
                 r->kept == 1 ? "it" : "them");
        dx_ix_problem(ix, i, NULL, why);
    }
}

static int cmp_gone(const void *a, const void *b)
{
    const gone *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* After xc_termiter_next failed with rc on an iterator *it over db's
 * metadata keys with `prefix`: when the writer discarded the revision
 * (reopened()), a new iterator on the latest commit, placed after the last
 * key listed (last, lastlen bytes; none yet: 0), and 1 — opening and
 * placing it read blocks the writer may be replacing too, so they are
 * tried again as the first read was; else 0 (*it as it was, *xerr the
 * message of the last failure). */
static int resume_keys(xc_db *db, xc_termiter **it, const char *prefix,
                       char *last, size_t lastlen, int rc, char **xerr,
                       int *tries)
{
    if (!reopened(db, rc, xerr, tries)) return 0;
    last[lastlen] = '\0'; /* the least key after it (keys hold no NUL) */
    for (;;) {
        xc_termiter *n = NULL;
        char *e = NULL;
        int r = xc_db_metadata_keys(db, prefix, strlen(prefix), &n, &e);
        if (r == XC_OK && lastlen)
            r = xc_termiter_skip_to(n, last, lastlen + 1, &e);
        if (r == XC_OK) {
            xc_termiter_free(*it);
            *it = n;
            return 1;
        }
        xc_termiter_free(n);
        if (!reopened(db, r, &e, tries)) {
            xc_free(*xerr);
            *xerr = e;
            return 0;
        }
    }
}

/* Lists the records of the walked roots whose keys were not seen. */
static int find_gone(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    const char *k;
    size_t kl, plen = strlen(DX_META_DOC), cap = 0;
    if (!ix->db) return DX_OK;
    int rc, tries = 0;
    do rc = xc_db_metadata_keys(ix->db, DX_META_DOC, plen, &it, &xerr);
    while (reopened(ix->db, rc, &xerr, &tries));
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "listing records");
    int res = DX_OK;
    char key[DX_DOC_KEY_MAX + 1], last[DX_DOC_KEY_MAX + 40];
    size_t lastlen = 0; /* the last key listed (a dry run may resume) */
    while (res == DX_OK) {
        rc = xc_termiter_next(it, &k, &kl, NULL, &xerr);
        if (rc < 0 && resume_keys(ix->db, &it, DX_META_DOC, last, lastlen,
                                  rc, &xerr, &tries))
            continue;
        if (rc != 1) break;
        tries = 0;
        if (kl - plen > DX_DOC_KEY_MAX) continue; /* not one of ours */
        memcpy(last, k, kl);
        lastlen = kl;
        memcpy(key, k + plen, kl - plen);
        key[kl - plen] = '\0';
        if (dx_strset_has(&ix->seen, key)) continue;
        dx_record r;
        int found = 0;
        res = get_record(ix->db, key, &r, &found, err, errlen);
        struct root *rt = found ? find_root(ix, r.root) : NULL;
        if (res != DX_OK || !rt || !root_trusted(rt)) continue;
        if (in_hole(rt, key)) {
            rt->hole_kept++;
            continue;
        }
        if (ix->ngone == cap) {
            cap = cap ? cap * 2 : 64;
            gone *v = realloc(ix->gone, cap * sizeof *v);
            if (!v) { res = dx_oom(err, errlen); break; }
            ix->gone = v;
        }
        gone *g = &ix->gone[ix->ngone];
        if (!(g->key = strdup(key))) { res = dx_oom(err, errlen); break; }
        g->hash = r.hash;
        g->claimed = 0;
        ix->ngone++;
    }
    xc_termiter_free(it);
    if (res == DX_OK && rc < 0)
        return dx_db_error(rc, xerr, err, errlen, "listing records");
    xc_free(xerr);
    if (ix->ngone > 1) qsort(ix->gone, ix->ngone, sizeof *ix->gone, cmp_gone);
    if (res == DX_OK) report_kept(ix);
    return res;
}

/* The first unclaimed gone record with content hash h, or NULL. */
static gone *gone_by_hash(dx_indexer *ix, uint64_t h)
{
    size_t lo = 0, hi = ix->ngone;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->gone[mid].hash < h) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < ix->ngone && ix->gone[lo].hash == h; lo++)
        if (!ix->gone[lo].claimed) return &ix->gone[lo];
    return NULL;
}

/* Adds what wr wrote and analysed to the run's counts. */
static void take_counts(dx_indexer *ix, writer *wr)
{
    ix->stats.passages += wr->passages;
    ix->stats.bytes += wr->bytes;
    ix->pending_bytes += wr->bytes;
    wr->passages = wr->bytes = 0;
}

/* The descriptors the process may still open: RLIMIT_NOFILE less those
 * open now (counted in /proc/self/fd, else guessed), less FDS_RESERVE;
 * SIZE_MAX when there is no limit. */
static size_t fds_free(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return SIZE_MAX;
    size_t open_now = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        while (readdir(d)) open_now++; /* ".", ".." and d's own: spare */
        closedir(d);
    } else {
        open_now = 32;
    }
    size_t used = open_now + FDS_RESERVE;
    return (size_t)rl.rlim_cur > used ? (size_t)rl.rlim_cur - used : 0;
}

unsigned dx_fd_threads(unsigned jobs)
{
    size_t room = fds_free() / FDS_PER_THREAD;
    if (room < jobs) jobs = (unsigned)room;
    return jobs ? jobs : 1;
}

size_t dx_ahead_window(unsigned threads)
{
    if (!threads) threads = 1;
    size_t n = READ_AHEAD_FDS / threads, room = fds_free();
    size_t per = room / threads;
    per = per > FDS_PER_THREAD ? per - FDS_PER_THREAD : 0;
    if (per < n) n = per;
    return n > READ_AHEAD_MAX ? READ_AHEAD_MAX : n;
}

void dx_ahead_init(ahead *a, size_t n, size_t first, size_t end)
{
    a->n = n < 1 ? 1 : n > READ_AHEAD_MAX ? READ_AHEAD_MAX : n;
    a->opened = first;
    a->end = end;
    for (size_t k = 0; k < a->n; k++) a->fd[k] = -1;
}

/* The descriptor of work item i (or -1: dx_read_fd opens it), after
 * opening the window's files after it. Items are taken in order. */
int dx_ahead_take(ahead *a, const dx_indexer *ix, size_t i)
{
    for (; a->opened < a->end && a->opened < i + a->n; a->opened++)
        a->fd[a->opened % a->n] =
            ix->work[a->opened].respell
                ? -1 : dx_open_ahead(ix->arena + ix->work[a->opened].path);
    int fd = a->fd[i % a->n];
    a->fd[i % a->n] = -1;
    return fd;
}

/* Closes what was opened and not taken (a run that stopped early). */
void dx_ahead_close(ahead *a)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->fd[k] >= 0) close(a->fd[k]);
}


/* Reads one file of the work list (fd: the file opened ahead, or -1) and
 * does what it needs. */
static int do_work(dx_indexer *ix, const work *w, int fd, char *err,
                   size_t errlen)
{
    const char *path = ix->arena + w->path, *docid = ix->arena + w->docid,
               *key = ix->arena + w->key;
    char why[512] = "";
    char *raw = NULL;
    size_t rawlen = 0;
    if (w->respell) { /* not read: only its record's root is rewritten */
        ix->stats.unchanged++;
        if (ix->opt.dry_run) return DX_OK;
        dx_record r;
        dx_ix_new_record(ix, w, "", 0, &r);
        r.hash = w->hash;
        r.passages = w->passages;
        int res = begin_write(ix, err, errlen);
        if (res == DX_OK)
            res = dx_ix_put_record(ix->w, key, &r, err, errlen);
        if (res == DX_OK && ++ix->pending_files >= ix->opt.batch_files)
            res = commit(ix, err, errlen);
        return res;
    }
    int rrc = dx_read_fd_max(fd, path, ix->opt.max_file, &raw, &rawlen, why,
                             sizeof why);
    if (rrc != DX_OK) {
        /* The old passages (if any) stay: nothing is lost. */
        dx_ix_problem(ix, w->root, path, why[0] ? why : dx_strerror(rrc));
        return DX_OK;
    }
    dx_record r;
    dx_ix_new_record(ix, w, raw, rawlen, &r);
    r.passages = w->passages;

    int res = DX_OK;
    gone *g = NULL;
    if (w->failed && r.hash == w->failhash && !ix->opt.retry_failed) {
        /* Touched, or renamed back: the content that failed before. Its
         * record learns the new size and time, so that the next run does
         * not even read it. */
        report_remembered(ix, w->root, path, ix->arena + w->failwhy);
        if (!ix->opt.dry_run) {
            res = begin_write(ix, err, errlen);
            if (res == DX_OK)
                res = dx_ix_put_fail(ix, ix->w, w, key, r.hash,
                                     ix->arena + w->failwhy, err, errlen);
        }
    } else if (w->found && r.hash == w->hash) {
        /* Touched, copied back, or its root named differently: the same
         * content, so only the record changes. */
        ix->stats.unchanged++;
        if (!ix->opt.dry_run) {
            res = begin_write(ix, err, errlen);
            if (res == DX_OK)
                res = dx_ix_put_record(ix->w, key, &r, err, errlen);
            if (res == DX_OK && w->failed) /* back to what was indexed */
                res = dx_ix_put_fail(ix, ix->w, w, key, 0, NULL, err, errlen);
        }
    } else if (!w->found && (g = gone_by_hash(ix, r.hash)) != NULL) {
        g->claimed = 1;
        ix->stats.renamed++;
        dx_ix_change(ix, DX_CHANGE_RENAME, docid, g->key);
        if (!ix->opt.dry_run) {
            dx_record old;
            int found = 0;
            res = get_record(ix->db, g->key, &old, &found, err, errlen);
            r.passages = found ? old.passages : 0;
            if (res == DX_OK) res = begin_write(ix, err, errlen);
            if (res == DX_OK)
                res = move_passages(ix, g->key, key, docid, err, errlen);
            if (res == DX_OK) res = del_record(ix, g->key, err, errlen);
            if (res == DX_OK)
                res = dx_ix_put_record(ix->w, key, &r, err, errlen);
        }
    } else if (ix->opt.dry_run) {
        if (w->found) ix->stats.updated++;
        else ix->stats.added++;
        dx_ix_change(ix, w->found ? DX_CHANGE_UPDATE : DX_CHANGE_ADD, docid,
                     NULL);
    } else {
        char note[600] = "";
        res = begin_write(ix, err, errlen);
        if (res == DX_OK)
            res = dx_writer_index_text(&ix->wr, docid, key, path, raw, rawlen,
                                       0, &r.passages, note, sizeof note,
                                       err, errlen);
        take_counts(ix, &ix->wr);
        if (res == DXW_FAILED || res == DXW_UNREAD) {
            /* Not read: the old passages (if any) stay. A file that cannot
             * be read is remembered, so that it is not read every night. */
            dx_ix_problem(ix, w->root, path, note);
            res = res == DXW_FAILED
                      ? dx_ix_put_fail(ix, ix->w, w, key, r.hash, note, err,
                                       errlen)
                      : DX_OK;
        } else if (res == DX_OK) {
            if (w->found) ix->stats.updated++;
            else ix->stats.added++;
            dx_ix_change(ix, w->found ? DX_CHANGE_UPDATE : DX_CHANGE_ADD,
                         docid, NULL);
            if (note[0]) dx_ix_warning(ix, path, note);
            res = dx_ix_put_record(ix->w, key, &r, err, errlen);
            if (res == DX_OK && w->failed)
                res = dx_ix_put_fail(ix, ix->w, w, key, 0, NULL, err, errlen);
        }
    }
    free(raw);
    if (res != DX_OK || ix->opt.dry_run) return res;
    if (++ix->pending_files >= ix->opt.batch_files ||
        ix->pending_bytes >= BATCH_BYTES)
        res = commit(ix, err, errlen);
    return res;
}

/* Removes the gone documents that no rename claimed. */
static int remove_gone(dx_indexer *ix, char *err, size_t errlen)
{
    int res = DX_OK;
    for (size_t i = 0; res == DX_OK && i < ix->ngone; i++) {
        gone *g = &ix->gone[i];
        if (g->claimed) continue;
        ix->stats.removed++;
        dx_ix_change(ix, DX_CHANGE_REMOVE, g->key, NULL);
        if (ix->opt.dry_run) continue;
        char *xerr = NULL;
        size_t n =
            dx_writer_term(&ix->wr, DX_PREFIX_DOC, g->key, strlen(g->key));
        if (!n) return dx_oom(err, errlen);
        res = begin_write(ix, err, errlen);
        if (res != DX_OK) break;
        int rc = xc_wdb_delete_by_term(ix->w, ix->wr.term, n, &xerr);
        if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, "removing");
        res = del_record(ix, g->key, err, errlen);
        ix->pending_files++; /* (for the room a commit wants) */
    }
    return res;
}

/* Removes the failure records of the walked roots whose files are gone
 * (from a root that could be read and held documents, as for records). */
static int remove_gone_fails(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    const char *k;
    size_t kl, plen = strlen(DX_META_FAIL);
    if (!ix->db || ix->opt.dry_run) return DX_OK;
    int rc = xc_db_metadata_keys(ix->db, DX_META_FAIL, plen, &it, &xerr);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "listing failure records");
    strset drop = {0};
    int res = DX_OK;
    char key[DX_DOC_KEY_MAX + 1];
    while (res == DX_OK &&
           (rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) == 1) {
        if (kl - plen > DX_DOC_KEY_MAX) continue;
        memcpy(key, k + plen, kl - plen);
        key[kl - plen] = '\0';
        if (dx_strset_has(&ix->seen, key)) continue;
        dx_failrec f;
        int found = 0;
        res = get_fail(ix->db, key, &f, &found, err, errlen);
        struct root *rt = found ? find_root(ix, f.root) : NULL;
        if (res != DX_OK || !rt || rt->unread || rt->files == 0) continue;
        if (dx_strset_add(&drop, key) != 0) res = dx_oom(err, errlen);
    }
    xc_termiter_free(it);
    if (res == DX_OK && rc < 0)
        res = dx_db_error(rc, xerr, err, errlen, "listing failure records");
    else
        xc_free(xerr);
    for (size_t i = 0; res == DX_OK && i < drop.cap; i++) {
        if (!drop.v[i]) continue;
        char mkey[DX_DOC_KEY_MAX + 32];
        size_t kn = fail_key(drop.v[i], mkey, sizeof mkey);
        res = begin_write(ix, err, errlen);
        if (res != DX_OK || !kn) continue;
        xerr = NULL;
        rc = xc_wdb_set_metadata(ix->w, mkey, kn, "", 0, &xerr);
        if (rc != XC_OK)
            res = dx_db_error(rc, xerr, err, errlen,
                              "removing failure record");
    }
    dx_strset_free(&drop);
    return res;
}

/* ------------------------------------------------------------ public API */

/* Checks that db was indexed by this build's analysis and format
 * (dx_stamp_read). A new, unstamped database gives *fresh = 1; one with no
 * passage and no record (fresh, or stamped but never filled) *empty = 1. */
static int check_analysis(xc_db *db, const char *dbpath, int *fresh,
                          int *empty, char *err, size_t errlen)
{
    char *xerr = NULL, why[512] = "";
    unsigned count = 0;
    xc_termiter *it = NULL;
    dx_stamp st;
    int res = dx_stamp_read(db, &st, why, sizeof why);
    if (res != DX_OK) {
        dx_seterr(err, errlen, "reading: %s", why);
        return res == DX_ENOMEM || res == DX_EMODIFIED ? res : DX_EDB;
    }
    int rc = xc_db_doccount(db, &count, &xerr);
    int records = 0;
    if (rc == XC_OK)
        rc = xc_db_metadata_keys(db, DX_META_DOC, strlen(DX_META_DOC), &it,
                                 &xerr);
    if (rc == XC_OK) rc = records = xc_termiter_next(it, NULL, NULL, NULL,
                                                     &xerr);
    xc_termiter_free(it);
    if (rc == XC_EMODIFIED) {
        dx_db_error(rc, xerr, err, errlen, dbpath);
        return DX_EMODIFIED;
    }
    if (rc < 0) return dx_db_error(rc, xerr, err, errlen, dbpath);
    *fresh = 0;
    *empty = count == 0 && !records;
    if (!st.stamped && count == 0 && !records) {
        *fresh = 1;
        return DX_OK;
    }
    if (!st.format_ok) {
        if (st.format[0])
            dx_seterr(err, errlen, "%s is in index format %s, this diarium "
                      "writes format %d; rebuild it with: diarium-index "
                      "--full", dbpath, st.format, DX_FORMAT_VERSION);
        else
            dx_seterr(err, errlen, "%s is not a diarium database of this "
                      "version; rebuild it with: diarium-index --full",
                      dbpath);
        return DX_EANALYSIS;
    }
    if (!st.analysis_ok) {
        dx_seterr(err, errlen,
                  "%s was indexed with a different analysis (another "
                  "diarium version); rebuild it with: diarium-index --full",
                  dbpath);
        return DX_EANALYSIS;
    }
    return DX_OK;
}

/* Marks a new database (at path) as ours and commits, so that it opens
 * (empty) for queries from the very start. */
int dx_ix_stamp(xc_wdb *w, const char *path, char *err, size_t errlen)
{
    char *xerr = NULL, why[512] = "";
    int res = dx_stamp_write(w, why, sizeof why);
    if (res != DX_OK) {
        dx_seterr(err, errlen, "%s: %s", path, why);
        return res;
    }
    int rc = xc_wdb_commit(w, &xerr);
    if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, path);
    return DX_OK;
}

/* The writer: lock, leftovers, Xapian, analysis check. */
/* Before a run writes to an existing database: the check of --check
 * (dx_check_held, in a child process: a damaged database can crash Xapian)
 * unless the tables are as the last successful run left them
 * (dx_verify.h). DX_OK; DX_EDB: damaged (nothing has been written; err
 * names the first problem), or it could not be checked; DX_ENOMEM. */
static void first_problem(void *ctx, const char *problem)
{
    char *first = ctx;
    if (!first[0]) snprintf(first, 512, "%s", problem);
}

static int verify_before_writing(dx_indexer *ix, char *err, size_t errlen)
{
    if (dx_verify_unchanged(ix->dbpath)) return DX_OK;
    char first[512] = "";
    dx_check_stats st;
    int rc = dx_check_held(ix->dbpath, first_problem, first, &st, err,
                           errlen);
    if (rc != DX_OK) return rc == DX_ENOMEM ? DX_ENOMEM : DX_EDB;
    if (!st.problems) return DX_OK;
    dx_seterr(err, errlen, "%s is damaged (%s%s); nothing was written. "
              "Rebuild it with: diarium-index --full --db %s PATH...",
              ix->dbpath, first, st.problems > 1 ? ", and more" : "",
              ix->dbpath);
    return DX_EDB;
}

/* A new database is made aside, stamped, and moved into the (locked,
 * empty) folder: a run killed at any moment leaves no database there or a
 * stamped empty one, never an unstamped one, which queries would refuse
 * as another version's. */
static int create_stamped(dx_indexer *ix, char *err, size_t errlen)
{
    char tmp[4200], *xerr = NULL;
    xc_wdb *w = NULL;
    if (dx_dbdir_temp_path(ix->dbpath, tmp, sizeof tmp) != DX_OK) {
        dx_seterr(err, errlen, "%s: path too long", ix->dbpath);
        return DX_EDB;
    }
    int rc = xc_wdb_open(tmp, XC_CREATE_OR_OVERWRITE, &w, &xerr);
    int res = rc == XC_OK ? dx_ix_stamp(w, tmp, err, errlen)
                          : dx_db_error(rc, xerr, err, errlen, tmp);
    xc_wdb_close(w);
    if (res == DX_OK && dx_dbdir_adopt(ix->dbpath, tmp, err, errlen) != DX_OK)
        res = DX_EDB;
    if (res != DX_OK) (void)dx_dbdir_remove(tmp);
    return res;
}

/* Why this process cannot write the database folder (a read-only file
 * system, another account's folder), into err; 0 when it can. */
static int cannot_write(const dx_indexer *ix, char *err, size_t errlen)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/flintlock", ix->dbpath);
    if (access(ix->dbpath, W_OK) == 0 &&
        (access(p, F_OK) != 0 || access(p, W_OK) == 0))
        return 0;
    dx_seterr(err, errlen, "cannot write to the database folder %s: %s "
              "(diarium-index must be able to write it)", ix->dbpath,
              strerror(errno));
    return 1;
}

static int open_writer(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    int rc = dx_dbdir_recover(ix->dbpath, err, errlen);
    if (rc != DX_OK) return DX_EDB;
    long holder = 0;
    rc = dx_dblock_take(ix->dbpath, 1, &ix->lock, &holder, err, errlen);
    if (rc == DX_ELOCKED) return DX_ELOCKED;
    if (rc == DX_ENOMEM) return DX_ENOMEM;
    if (rc != DX_OK) return DX_EDB;
    char why[1024] = "";
    if (dx_dbdir_cleanup(ix->dbpath, why, sizeof why) != DX_OK)
        dx_ix_problem(ix, (size_t)-1, NULL, why);
    if (cannot_write(ix, err, errlen)) return DX_EDB;
    if (!ix->opt.full) {
        int kind = dx_dbdir_classify(ix->dbpath, NULL, 0, NULL);
        int res = kind == DX_DIR_DATABASE || kind == DX_DIR_MIXED
                      ? verify_before_writing(ix, err, errlen)
                  : kind == DX_DIR_EMPTY ? create_stamped(ix, err, errlen)
                                      : DX_OK;
        if (res != DX_OK) return res;
    }
    ix->verified = 1;

    if (ix->opt.full) {
        char tmp[4200];
        if (dx_dbdir_temp_path(ix->dbpath, tmp, sizeof tmp) != DX_OK) {
            dx_seterr(err, errlen, "%s: path too long", ix->dbpath);
            return DX_EDB;
        }
        if (!(ix->buildpath = strdup(tmp))) return dx_oom(err, errlen);
    } else if (!(ix->buildpath = strdup(ix->dbpath))) {
        return dx_oom(err, errlen);
    }
    /* We hold diarium's lock, so no other diarium-index has Xapian's. It
     * may still be held for a moment by a writer that was just killed
     * (Xapian releases it when the process is gone), or by another
     * program: wait up to 2 s before giving up. */
    for (int attempt = 0;; attempt++) {
        rc = xc_wdb_open(ix->buildpath, ix->opt.full ? XC_CREATE_OR_OVERWRITE
                                                     : XC_CREATE_OR_OPEN,
                         &ix->w, &xerr);
        if (rc != XC_ELOCK || attempt == 40) break;
        xc_free(xerr);
        xerr = NULL;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (rc != XC_OK) {
        int res = dx_db_error(rc, xerr, err, errlen, ix->dbpath);
        if (res == DX_ELOCKED && !cannot_write(ix, err, errlen))
            dx_seterr(err, errlen,
                      "%s is locked by another program writing to "
                      "it (not diarium-index)",
                      ix->dbpath);
        return res;
    }
    ix->db = xc_wdb_reader(ix->w);
    int fresh = 0;
    int res = check_analysis(ix->db, ix->dbpath, &fresh, &ix->empty, err,
                             errlen);
    if (res == DX_OK && fresh)
        res = dx_ix_stamp(ix->w, ix->buildpath, err, errlen);
    return res;
}

/* A dry run reads the database if there is one, and never writes. */
static int open_reader(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    struct stat sb;
    if (ix->opt.full || stat(ix->dbpath, &sb) != 0) return DX_OK;
    int rc, tries = 0;
    do { /* opening reads blocks a writer may be replacing */
        xc_db_close(ix->rdb);
        ix->rdb = NULL;
        rc = xc_db_open(ix->dbpath, &ix->rdb, &xerr);
        if (rc == XC_EMODIFIED || rc == XC_ECORRUPT || rc == XC_EIO) {
            xc_free(xerr);
            xerr = NULL;
        }
    } while ((rc == XC_EMODIFIED && ++tries < REOPEN_TRIES) ||
             ((rc == XC_ECORRUPT || rc == XC_EIO) && ++tries < 4));
    if (rc == XC_EOPEN) { /* a folder with no database yet */
        xc_free(xerr);
        return DX_OK;
    }
    if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, ix->dbpath);
    ix->db = ix->rdb;
    int fresh = 0, empty = 0, res;
    tries = 0;
    while ((res = check_analysis(ix->db, ix->dbpath, &fresh, &empty, err,
                                 errlen)) != DX_OK &&
           (res == DX_EMODIFIED || res == DX_EDB) &&
           moved_on(ix->db, res == DX_EMODIFIED, &tries)) {}
    return res == DX_EMODIFIED ? DX_EDB : res;
}

int dx_indexer_open(const char *dbpath, const dx_options *opt,
                    dx_indexer **out, char *err, size_t errlen)
{
    *out = NULL;
    dx_indexer *ix = calloc(1, sizeof *ix);
    if (!ix) return dx_oom(err, errlen);
    if (opt) ix->opt = *opt;
    if (!ix->opt.batch_files) ix->opt.batch_files = BATCH_FILES;
    if (!(ix->rmap = dx_roots_new())) {
        dx_indexer_close(ix);
        return dx_oom(err, errlen);
    }
    /* --full swaps folders: a database reached through a symbolic link is
     * rebuilt where the link points, and the link stays. */
    ix->dbpath = dx_dbdir_resolve(dbpath);
    if (!ix->dbpath) {
        dx_indexer_close(ix);
        return dx_oom(err, errlen);
    }
    /* Never write into (or --full replace) a folder of other things. */
    int res = dx_dbdir_vet(ix->dbpath, ix->opt.full, err, errlen) == DX_OK
                  ? DX_OK : DX_EREFUSED;
    if (res == DX_OK)
        res = ix->opt.dry_run ? open_reader(ix, err, errlen)
                              : open_writer(ix, err, errlen);
    if (res == DX_OK) res = dx_writer_init(&ix->wr, ix->w, err, errlen);
    if (res != DX_OK) {
        dx_indexer_close(ix);
        return res;
    }
    ix->wr.exlim = ix->opt.limits;
    ix->wr.exprog = ix->opt.extract_program;
    dx_ocr_opts oo = {ix->opt.no_ocr, ix->opt.retry_failed, ix->opt.limits,
                      ix->opt.extract_program, ix->opt.ocr_progress,
                      ix->opt.ctx, &ix->stats.ocr_pages};
    if (dx_ocr_open(ix->dbpath, &oo, &ix->ocr) != DX_OK) {
        dx_indexer_close(ix);
        return dx_oom(err, errlen);
    }
    unsigned jobs = ix->opt.jobs ? ix->opt.jobs : dx_cpus();
    ix->wr.ocr = ix->ocr;
    ix->wr.ocr_helpers = jobs > 1 ? jobs - 1 : 0;
    *out = ix;
    return DX_OK;
}

int dx_indexer_add_root(dx_indexer *ix, const char *root, dx_problem_fn fn,
                        void *ctx, char *err, size_t errlen)
{
    /* Messages name the root as given, without trailing slashes; records
     * keep its canonical name (dx_root.h), so that `docs`, `./docs` and
     * `$PWD/docs` are one root. */
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/') rl--;
    char *r = strndup(root, rl), *canon = dx_root_canon(root);
    if (r && canon && find_root(ix, canon)) { /* given twice: walked once */
        free(r);
        free(canon);
        return DX_OK;
    }
    struct root *roots =
        r && canon ? realloc(ix->roots, (ix->nroots + 1) * sizeof *roots)
                   : NULL;
    if (!roots || dx_roots_add(ix->rmap, canon) != 0) {
        if (roots) ix->roots = roots;
        free(r);
        free(canon);
        return dx_oom(err, errlen);
    }
    ix->roots = roots;
    ix->roots[ix->nroots++] =
        (struct root){.path = r, .canon = canon, .fn = fn, .ctx = ctx};

    walk_ctx c = {ix, ix->nroots - 1, err, errlen, DX_OK};
    int wrc = dx_walk(root, on_file, on_walk_error, &c);
    if (c.rc != DX_OK) return c.rc;
    if (wrc == DX_ENOMEM) return dx_oom(err, errlen);
    if (wrc == DX_EIO) ix->roots[c.root].unread = 1; /* reported by dx_walk */
    return DX_OK;
}

/* After a run: the OCR cache keeps only the pages of contents that the
 * database still names (dx_ocr_prune). Best effort: a cache that cannot
 * be pruned costs disk space, never the run. */
static void prune_ocr(dx_indexer *ix)
{
    xc_db *db = NULL;
    char *xerr = NULL, why[512];
    if (xc_db_open(ix->dbpath, &db, &xerr) != XC_OK) {
        xc_free(xerr);
        return;
    }
    dx_ocr_prune(ix->dbpath, db, why, sizeof why);
    xc_db_close(db);
}

int dx_indexer_finish(dx_indexer *ix, char *err, size_t errlen)
{
    int res = find_gone(ix, err, errlen);
    dx_progress pr = {0, (unsigned)ix->nwork, 0, 0};
    for (size_t i = 0; i < ix->nwork; i++)
        pr.bytes_total += (uint64_t)(ix->work[i].size > 0 ? ix->work[i].size
                                                          : 0);
    if (ix->opt.progress && ix->nwork) ix->opt.progress(ix->opt.ctx, &pr);
    if (res == DX_OK && dx_bulk_wanted(ix, pr.bytes_total)) {
        res = dx_bulk_finish(ix, &pr, err, errlen);
        if (res == DX_OK) prune_ocr(ix);
        return res;
    }
    ahead ah;
    dx_ahead_init(&ah, dx_ahead_window(1), 0, ix->nwork);
    for (size_t i = 0; res == DX_OK && i < ix->nwork; i++) {
        res =
            do_work(ix, &ix->work[i], dx_ahead_take(&ah, ix, i), err, errlen);
        pr.files_done++;
        pr.bytes_done += (uint64_t)(ix->work[i].size > 0 ? ix->work[i].size
                                                         : 0);
        if (ix->opt.progress) ix->opt.progress(ix->opt.ctx, &pr);
    }
    dx_ahead_close(&ah);
    if (res == DX_OK) res = remove_gone(ix, err, errlen);
    if (res == DX_OK) res = remove_gone_fails(ix, err, errlen);
    if (ix->opt.dry_run || res != DX_OK) return res;
    res = commit(ix, err, errlen);
    if (res == DX_OK && ix->opt.full) {
        /* Everything is committed: close the new database and put it in
         * the place of the old one. */
        xc_wdb_close(ix->w);
        ix->w = NULL;
        ix->db = NULL;
        int rc = dx_dbdir_swap(ix->dbpath, ix->buildpath, err, errlen);
        if (rc != DX_OK) res = rc == DX_ENOMEM ? DX_ENOMEM : DX_EDB;
    }
    if (res == DX_OK) {
        ix->finished = 1;
        prune_ocr(ix);
    }
    return res;
}

const dx_stats *dx_indexer_stats(const dx_indexer *ix) { return &ix->stats; }

void dx_indexer_fatal(dx_indexer *ix, const char *msg, char *err,
                      size_t errlen)
{
    const char *c = cause(msg);
    char why[64] = "";
    uint64_t f = ix ? dx_ix_free_bytes(ix) : UINT64_MAX;
    if (!*c && f < COMMIT_ROOM_MIN) { /* no message said why: the disk? */
        c = "the disk is full: ";
        snprintf(why, sizeof why, " (%llu KB free)",
                 (unsigned long long)(f >> 10));
    }
    dx_seterr(err, errlen, "%sXapian failed beyond recovery: %s%s", c, msg,
              why);
    if (ix && ix->lock && !ix->opt.dry_run) dx_dbdir_discard(ix->dbpath);
}

void dx_indexer_close(dx_indexer *ix)
{
    if (!ix) return;
    /* Uncommitted changes are thrown away: Xapian's close() cancels an open
     * transaction rather than committing it. */
    if (ix->w && ix->in_txn) xc_wdb_cancel_transaction(ix->w, NULL);
    xc_wdb_close(ix->w);
    xc_db_close(ix->rdb);
    if (ix->opt.full && !ix->opt.dry_run && !ix->finished && ix->buildpath &&
        ix->lock) {
        /* A rebuild that did not finish: the old database was never
         * touched; the half-built one goes. */
        char why[256];
        dx_dbdir_cleanup(ix->dbpath, why, sizeof why);
    }
    if (ix->finished && ix->verified && !ix->opt.dry_run && ix->lock)
        dx_verify_stamp(ix->dbpath); /* the next run need not check */
    dx_dblock_release(ix->lock);
    dx_writer_free(&ix->wr);
    dx_ocr_close(ix->ocr);
    dx_strset_free(&ix->seen);
    for (size_t i = 0; i < ix->nroots; i++) {
        free(ix->roots[i].path);
        free(ix->roots[i].canon);
        for (size_t k = 0; k < ix->roots[i].nholes; k++)
            free(ix->roots[i].holes[k]);
        free(ix->roots[i].holes);
    }
    free(ix->roots);
    dx_roots_free(ix->rmap);
    free(ix->work);
    free(ix->arena);
    for (size_t i = 0; i < ix->ngone; i++) free(ix->gone[i].key);
    free(ix->gone);
    free(ix->dbpath);
    free(ix->buildpath);
    free(ix);
}
