/*
 * dx_bulk.c — the parallel build of a run (see dx_index.h, "Parallel
 * build"; declared in dx_index_int.h).
 *
 * A first build, or a --full one, of more than one file is built in
 * parallel. The work list is cut, in order, into chunks (plan_chunks);
 * each thread takes the next chunk and indexes it into a shard of
 * its own (an XC_SCRATCH database: no fsync; each batch one transaction,
 * so that memory stays bounded); the shards are then merged in
 * chunk order by Xapian's compaction into a new folder, which is swapped
 * in. Passages are numbered as a one-thread build numbers them, so the two
 * give the same results. All or nothing: an interrupted or failed build
 * leaves the database as it was (empty, or the old one for --full) and the
 * next writer removes the shards. Problems are reported in work-list
 * order once the threads are done.
 */
#include "dx_index_int.h"
#include "dx_cpus.h"
#include "dx_dbdir.h"
#include "dx_format.h"
#include "dx_read.h"
#include "dx_record.h"

#include "sv_ocr.h"
#include "xc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#define BULK_CHUNK_BYTES ((uint64_t)4 << 20) /* aimed at, when enough */
/* At most this many shards (unless there are more threads): bigger
 * collections get bigger chunks. Each open shard holds a few files; the
 * merge reads them all in one pass (xc_compact). */
#define BULK_MAX_CHUNKS 64
/* A shard commits after this much text (or --batch files, if fewer): Xapian
 * keeps a batch's postings in std::maps until the commit, and small maps
 * are cheaper. g0vse, 2 threads, against 2000 files (~2 MB) per commit:
 * 1x 12.2 vs 13.4-14.8 s, 10x 145 vs 157 s, peak memory 62 vs 163 MB and
 * 264 vs 390 MB. (256 KiB was a little faster at 1x, slower at 10x, where
 * more commits rewrite more B-tree blocks.) */
#define BULK_BATCH_BYTES ((uint64_t)512 << 10)
/* Free space a parallel build wants: this many times the text (shards
 * about 10x, the merged copy about 7x on g0vse) plus BULK_ROOM_MIN; and,
 * before each batch is committed, BULK_ROOM_MIN. */
#define BULK_ROOM_FACTOR 20u
#define BULK_ROOM_MIN ((uint64_t)64 << 20)

typedef struct bproblem {
    size_t root;
    char *path, *why;
    int warn; /* a warning (dx_ix_warning), not a problem */
} bproblem;

typedef struct chunk {
    size_t first, end; /* work items [first, end) */
    char path[4200];   /* its shard */
    bproblem *pb;      /* its problems, in order */
    size_t npb, cappb;
    unsigned added;
    uint64_t passages, bytes;
} chunk;

typedef struct bulk {
    dx_indexer *ix;
    chunk *ch;
    size_t nch;
    pthread_mutex_t mu; /* guards all below, and the callbacks */
    spellings *forms;   /* (has its own lock) */
    size_t next;        /* the next chunk to take */
    int stop;           /* a thread failed: the others stop */
    int res;            /* its DX_ code and message */
    char err[1024];
    dx_progress pr;
    size_t ahead;       /* files each thread opens ahead (see ahead) */
} bulk;

/* Keeps a problem (or with warn, a warning) of chunk c to report it later
 * (out of memory: reports it at once instead). */
static void chunk_note(bulk *b, chunk *c, size_t root, const char *path,
                       const char *why, int warn)
{
    if (c->npb == c->cappb) {
        size_t cap = c->cappb ? c->cappb * 2 : 8;
        bproblem *v = realloc(c->pb, cap * sizeof *v);
        if (v) {
            c->pb = v;
            c->cappb = cap;
        }
    }
    char *p = c->npb < c->cappb ? strdup(path) : NULL;
    char *w = p ? strdup(why) : NULL;
    if (!w) {
        free(p);
        pthread_mutex_lock(&b->mu);
        if (warn) dx_ix_warning(b->ix, path, why);
        else dx_ix_problem(b->ix, root, path, why);
        pthread_mutex_unlock(&b->mu);
        return;
    }
    c->pb[c->npb++] = (bproblem){root, p, w, warn};
}

static void chunk_problem(bulk *b, chunk *c, size_t root, const char *path,
                          const char *why)
{
    chunk_note(b, c, root, path, why, 0);
}


/* Stops a shard before its commit when the disk is nearly full (see
 * use_bulk): the database stays as it was. */
static int room_left(const dx_indexer *ix, char *err, size_t errlen)
{
    uint64_t f = dx_ix_free_bytes(ix);
    if (f >= BULK_ROOM_MIN) return DX_OK;
    dx_seterr(err, errlen, "%s: the disk is nearly full (%llu MB free) and a "
              "parallel build needs room for its shards; no space left for "
              "them — free some space, or build in one thread with --jobs 1",
              ix->dbpath, (unsigned long long)(f >> 20));
    return DX_EDB;
}

/* Counts one file as done; whether the build goes on. */
static int bulk_step(bulk *b, const work *w)
{
    dx_indexer *ix = b->ix;
    pthread_mutex_lock(&b->mu);
    b->pr.files_done++;
    b->pr.bytes_done += (uint64_t)(w->size > 0 ? w->size : 0);
    if (ix->opt.progress) ix->opt.progress(ix->opt.ctx, &b->pr);
    int go = !b->stop;
    pthread_mutex_unlock(&b->mu);
    return go;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes into wr's shard, at its end, the spelling keys (dx_format.h) of
 * its S terms that no other shard of this build has written: one pass over
 * the shard's vocabulary instead of a lookup per token, and each key once
 * per build (each costs Xapian a B-tree insert; the merge keeps one of
 * each), in key order. */
static int shard_spellings(bulk *b, writer *wr, char *err, size_t errlen)
{
    static const char s[1] = {DX_PREFIX_FORM};
    spellings *sp = b->forms;
    xc_termiter *it = NULL;
    char *xerr = NULL, **keys = NULL;
    size_t n = 0, cap = 0;
    const char *t;
    size_t tl;
    int res = DX_OK;
    int rc = xc_db_allterms(xc_wdb_reader(wr->w), s, 1, &it, &xerr);
    while (rc == XC_OK &&
           (rc = xc_termiter_next(it, &t, &tl, NULL, &xerr)) == 1) {
        rc = XC_OK;
        char skel[SV_SKELETON_MAX];
        size_t kl = sv_skeleton(t + 1, tl - 1, skel, sizeof skel);
        if (!kl) continue;
        char *k = malloc(kl + tl + 2); /* S skel sep form NUL */
        if (!k) {
            res = dx_oom(err, errlen);
            break;
        }
        dx_spelling_key(k, kl + tl + 2, skel, kl, t + 1, tl - 1);
        pthread_mutex_lock(&sp->mu);
        int had = dx_strset_has(&sp->set, k), bad = 0;
        if (!had) {
            if (sp->set.n >= FORMS_MAX) dx_strset_free(&sp->set);
            bad = dx_strset_add(&sp->set, k) != 0;
        }
        pthread_mutex_unlock(&sp->mu);
        if (!had && !bad && n == cap) {
            size_t c2 = cap ? cap * 2 : 4096;
            char **v = realloc(keys, c2 * sizeof *v);
            if (v) {
                keys = v;
                cap = c2;
            }
            bad = !v;
        }
        if (had || bad) free(k);
        else keys[n++] = k;
        if (bad) { /* (the build fails: its shards are thrown away) */
            res = dx_oom(err, errlen);
            break;
        }
    }
    if (rc < 0 && res == DX_OK)
        res = dx_db_error(rc, xerr, err, errlen, "reading a shard's terms");
    xc_termiter_free(it);
    if (res == DX_OK && n) {
        qsort(keys, n, sizeof *keys, by_str);
        res = room_left(b->ix, err, errlen);
        if (res == DX_OK) {
            rc = xc_wdb_begin_transaction(wr->w, 1, &xerr);
            if (rc != XC_OK)
                res = dx_db_error(rc, xerr, err, errlen, "transaction");
        }
        for (size_t i = 0; res == DX_OK && i < n; i++) {
            rc = xc_wdb_set_metadata(wr->w, keys[i], strlen(keys[i]),
                                     DX_SPELLING_VALUE,
                                     sizeof DX_SPELLING_VALUE - 1, &xerr);
            if (rc != XC_OK) {
                res = dx_db_error(rc, xerr, err, errlen, "spelling key");
                xc_wdb_cancel_transaction(wr->w, NULL);
            }
        }
        if (res == DX_OK) {
            rc = xc_wdb_commit_transaction(wr->w, &xerr);
            if (rc != XC_OK)
                res = dx_db_error(rc, xerr, err, errlen, "commit");
        }
    }
    for (size_t i = 0; i < n; i++) free(keys[i]);
    free(keys);
    return res;
}

/* Indexes the files of chunk c into its shard with writer wr. */
static int bulk_chunk(bulk *b, writer *wr, chunk *c, char *err,
                      size_t errlen)
{
    dx_indexer *ix = b->ix;
    char *xerr = NULL;
    int rc = xc_wdb_open(c->path, XC_SCRATCH, &wr->w, &xerr);
    if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, c->path);
    int res = dx_ix_stamp(wr->w, c->path, err, errlen);
    unsigned pending = 0;
    uint64_t pbytes = 0;
    int in_txn = 0;
    ahead ah;
    dx_ahead_init(&ah, b->ahead, c->first, c->end);
    for (size_t i = c->first; res == DX_OK && i < c->end; i++) {
        /* Each batch is a transaction, as in a one-thread run: Xapian 1.4
         * can abort inside a plain commit() whose write fails (a full
         * disk), not inside commit_transaction(). */
        if (!in_txn) {
            rc = xc_wdb_begin_transaction(wr->w, 1, &xerr);
            if (rc != XC_OK) {
                res = dx_db_error(rc, xerr, err, errlen, "transaction");
                break;
            }
            in_txn = 1;
        }
        const work *w = &ix->work[i];
        const char *path = ix->arena + w->path,
                   *docid = ix->arena + w->docid, *key = ix->arena + w->key;
        char why[512] = "";
        char *raw = NULL;
        size_t rawlen = 0;
        int rrc = dx_read_fd_max(dx_ahead_take(&ah, ix, i), path,
                                 ix->opt.max_file, &raw, &rawlen, why,
                                 sizeof why);
        if (rrc != DX_OK) {
            chunk_problem(b, c, w->root, path,
                          why[0] ? why : dx_strerror(rrc));
        } else {
            dx_record r;
            char note[600] = "";
            dx_ix_new_record(ix, w, raw, rawlen, &r);
            res = dx_writer_index_text(wr, docid, key, path, raw, rawlen, 1,
                                       &r.passages, note, sizeof note, err,
                                       errlen);
            free(raw);
            if (res == DXW_FAILED || res == DXW_UNREAD) {
                /* Not indexed; one that cannot be read is remembered. */
                chunk_problem(b, c, w->root, path, note);
                res = res == DXW_FAILED
                          ? dx_ix_put_fail(ix, wr->w, w, key, r.hash, note,
                                           err, errlen)
                          : DX_OK;
                if (!bulk_step(b, w)) break;
                continue;
            }
            if (res == DX_OK) {
                pthread_mutex_lock(&b->mu);
                dx_ix_change(ix, DX_CHANGE_ADD, docid, NULL);
                pthread_mutex_unlock(&b->mu);
                if (note[0]) chunk_note(b, c, w->root, path, note, 1);
                res = dx_ix_put_record(wr->w, key, &r, err, errlen);
            }
            c->added++;
            c->passages += wr->passages;
            c->bytes += wr->bytes;
            pbytes += wr->bytes;
            wr->passages = wr->bytes = 0;
            if (res == DX_OK && (++pending >= ix->opt.batch_files ||
                                  pbytes >= BULK_BATCH_BYTES)) {
                res = room_left(ix, err, errlen);
                if (res != DX_OK) break;
                rc = xc_wdb_commit_transaction(wr->w, &xerr);
                in_txn = 0; /* committed, or cancelled by Xapian */
                if (rc != XC_OK)
                    res = dx_db_error(rc, xerr, err, errlen, "commit");
                pending = 0;
                pbytes = 0;
            }
        }
        if (!bulk_step(b, w)) break;
    }
    dx_ahead_close(&ah);
    if (in_txn && res == DX_OK) res = room_left(ix, err, errlen);
    if (in_txn) {
        if (res == DX_OK) {
            rc = xc_wdb_commit_transaction(wr->w, &xerr);
            if (rc != XC_OK)
                res = dx_db_error(rc, xerr, err, errlen, "commit");
        } else {
            xc_wdb_cancel_transaction(wr->w, NULL);
        }
    }
    if (res == DX_OK) res = shard_spellings(b, wr, err, errlen);
    xc_wdb_close(wr->w);
    wr->w = NULL;
    return res;
}

/* A thread of the build: takes chunks until none is left or one failed. */
static void *bulk_thread(void *p)
{
    bulk *b = p;
    writer wr;
    char err[1024] = "";
    int res = dx_writer_init(&wr, NULL, err, sizeof err);
    wr.shared = b->forms;
    wr.exlim = b->ix->opt.limits;
    wr.exprog = b->ix->opt.extract_program;
    wr.ocr = b->ix->ocr;
    wr.ocr_helpers = 0; /* the threads read documents at once */
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t k = res == DX_OK && !b->stop ? b->next++ : b->nch;
        pthread_mutex_unlock(&b->mu);
        if (k >= b->nch) break;
        res = bulk_chunk(b, &wr, &b->ch[k], err, sizeof err);
    }
    dx_writer_free(&wr);
    if (res != DX_OK) {
        pthread_mutex_lock(&b->mu);
        if (!b->stop) {
            b->stop = 1;
            b->res = res;
            snprintf(b->err, sizeof b->err, "%s", err);
        }
        pthread_mutex_unlock(&b->mu);
    }
    return NULL;
}

/* The number of threads a build may use. */
static unsigned bulk_jobs(const dx_indexer *ix)
{
    unsigned j = ix->opt.jobs;
    if (!j) j = dx_cpus();
    return dx_fd_threads(j > DX_JOBS_MAX ? DX_JOBS_MAX : j);
}

/* Whether this run is a parallel build; text: the bytes to index. */
int dx_bulk_wanted(const dx_indexer *ix, uint64_t text)
{
    if (ix->opt.dry_run || !ix->empty || ix->ngone != 0 || ix->nwork < 2 ||
        bulk_jobs(ix) < 2)
        return 0;
    /* The shards and the merged copy need room side by side. With less,
     * build in one thread, batch by batch: Xapian 1.4 can abort inside a
     * commit that runs out of space while another writer is busy, and one
     * thread fails cleanly. */
    uint64_t need = BULK_ROOM_FACTOR * text + BULK_ROOM_MIN;
    return dx_ix_free_bytes(ix) >= need;
}

/* The share of chunk k of nch (in units; see plan_chunks). */
static uint64_t chunk_weight(size_t k, size_t nch, unsigned jobs)
{
    if (nch < 2 * (size_t)jobs) return 1;
    return k < nch / 2 ? 4 : k < nch - nch / 4 ? 2 : 1;
}

/* Cuts the work list into chunks, in order. With enough chunks their
 * sizes fall (the first half 4 units of bytes each, the next quarter 2,
 * the last quarter 1), so that the threads, taking them in order, finish
 * within a small chunk of each other (with 8 equal chunks one thread sat
 * idle for most of one at the end). */
static int plan_chunks(bulk *b, unsigned jobs, uint64_t total)
{
    dx_indexer *ix = b->ix;
    uint64_t want = total / BULK_CHUNK_BYTES;
    size_t lo = jobs, hi = BULK_MAX_CHUNKS > jobs ? BULK_MAX_CHUNKS : jobs;
    size_t nch = want < lo ? lo : want > hi ? hi : (size_t)want;
    if (nch > ix->nwork) nch = ix->nwork;
    b->ch = calloc(nch, sizeof *b->ch);
    if (!b->ch) return -1;
    uint64_t units = 0, acc = 0, upto = chunk_weight(0, nch, jobs);
    for (size_t k = 0; k < nch; k++) units += chunk_weight(k, nch, jobs);
    size_t k = 0, first = 0;
    for (size_t i = 0; i < ix->nwork && k + 1 < nch; i++) {
        acc += (uint64_t)(ix->work[i].size > 0 ? ix->work[i].size : 0);
        size_t items_left = ix->nwork - (i + 1), chunks_left = nch - (k + 1);
        if (acc * units >= upto * total || items_left == chunks_left) {
            b->ch[k].first = first;
            b->ch[k].end = i + 1;
            first = i + 1;
            k++;
            upto += chunk_weight(k, nch, jobs);
        }
    }
    b->ch[k].first = first;
    b->ch[k].end = ix->nwork;
    b->nch = k + 1;
    for (size_t i = 0; i < b->nch; i++)
        if (dx_dbdir_shard_path(ix->dbpath, (unsigned)i, b->ch[i].path,
                                sizeof b->ch[i].path) != DX_OK)
            return -1;
    return 0;
}

/* Merges the shards into a new database and swaps it in. */
static int bulk_merge(dx_indexer *ix, bulk *b, char *err, size_t errlen)
{
    char target[4200], *xerr = NULL;
    const char **src = malloc(b->nch * sizeof *src);
    if (!src) return dx_oom(err, errlen);
    for (size_t i = 0; i < b->nch; i++) src[i] = b->ch[i].path;
    /* The empty database that was open goes: a --full one is replaced by
     * the merge; the one at dbpath stays until the swap. */
    if (ix->in_txn) xc_wdb_cancel_transaction(ix->w, NULL);
    ix->in_txn = 0;
    xc_wdb_close(ix->w);
    ix->w = ix->wr.w = NULL;
    ix->db = NULL;
    int res = DX_OK;
    if (ix->opt.full) {
        snprintf(target, sizeof target, "%s", ix->buildpath);
        if (dx_dbdir_remove(target) != 0) {
            dx_seterr(err, errlen, "cannot remove %s: %s", target,
                      strerror(errno));
            res = DX_EDB;
        }
    } else if (dx_dbdir_temp_path(ix->dbpath, target, sizeof target) !=
               DX_OK) {
        dx_seterr(err, errlen, "%s: path too long", ix->dbpath);
        res = DX_EDB;
    }
    if (res == DX_OK) {
        int rc = xc_compact(src, b->nch, target, &xerr);
        if (rc != XC_OK) res = dx_db_error(rc, xerr, err, errlen, "merging");
    }
    free(src);
    for (size_t i = 0; i < b->nch; i++) (void)dx_dbdir_remove(b->ch[i].path);
    if (res == DX_OK) {
        int rc = dx_dbdir_swap(ix->dbpath, target, err, errlen);
        if (rc != DX_OK) res = rc == DX_ENOMEM ? DX_ENOMEM : DX_EDB;
    }
    if (res != DX_OK && !ix->opt.full) (void)dx_dbdir_remove(target);
    return res;
}

/* The whole work list as a parallel build (see above). */
int dx_bulk_finish(dx_indexer *ix, const dx_progress *pr, char *err,
                   size_t errlen)
{
    bulk b;
    memset(&b, 0, sizeof b);
    b.ix = ix;
    b.pr = *pr;
    unsigned jobs = bulk_jobs(ix);
    if (plan_chunks(&b, jobs, pr->bytes_total) != 0) {
        free(b.ch);
        return dx_oom(err, errlen);
    }
    spellings forms;
    memset(&forms, 0, sizeof forms);
    if (pthread_mutex_init(&b.mu, NULL) != 0) {
        free(b.ch);
        dx_seterr(err, errlen, "cannot create a mutex");
        return DX_ENOMEM;
    }
    if (pthread_mutex_init(&forms.mu, NULL) != 0) {
        pthread_mutex_destroy(&b.mu);
        free(b.ch);
        dx_seterr(err, errlen, "cannot create a mutex");
        return DX_ENOMEM;
    }
    b.forms = &forms;
    if (jobs > b.nch) jobs = (unsigned)b.nch;
    b.ahead = dx_ahead_window(jobs);
    pthread_t tid[DX_JOBS_MAX];
    unsigned started = 0;
    /* The shards and the merge store termlists uncompressed (the merge
     * would compress again each item it copies): zlib took about a sixth of
     * the CPU. Only here: a one-thread build or a nightly run commits into
     * the database itself, where Xapian 1.4 fails cleanly on a full disk
     * with compressed termlists only (tests/e2e_nightly_diskfull.sh); a
     * parallel build checks for room before each commit of a shard and
     * keeps the database as it was when a shard fails. */
    xc_termlist_compression(0);
    /* This thread is one of them; fewer threads if they cannot start. */
    while (started + 1 < jobs &&
           pthread_create(&tid[started], NULL, bulk_thread, &b) == 0)
        started++;
    bulk_thread(&b);
    for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
    ix->stats.threads = started + 1;
    pthread_mutex_destroy(&b.mu);
    pthread_mutex_destroy(&forms.mu);
    dx_strset_free(&forms.set);
    b.forms = NULL;

    for (size_t k = 0; k < b.nch; k++) {
        chunk *c = &b.ch[k];
        for (size_t i = 0; i < c->npb; i++) {
            if (c->pb[i].warn)
                dx_ix_warning(ix, c->pb[i].path, c->pb[i].why);
            else
                dx_ix_problem(ix, c->pb[i].root, c->pb[i].path,
                              c->pb[i].why);
            free(c->pb[i].path);
            free(c->pb[i].why);
        }
        free(c->pb);
        ix->stats.added += c->added;
        ix->stats.passages += c->passages;
        ix->stats.bytes += c->bytes;
    }
    int res = b.res;
    if (res != DX_OK) {
        dx_seterr(err, errlen, "%s", b.err);
        for (size_t i = 0; i < b.nch; i++)
            (void)dx_dbdir_remove(b.ch[i].path);
    } else {
        res = bulk_merge(ix, &b, err, errlen);
    }
    xc_termlist_compression(1);
    free(b.ch);
    if (res == DX_OK) ix->finished = 1;
    return res;
}
