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
 * step 2 in parallel shards merged at the end ("parallel build" below).
 */
#include "dx_index.h"
#include "dx_cpus.h"
#include "dx_meta.h"
#include "dx_dbdir.h"
#include "dx_format.h"
#include "dx_passage.h"
#include "dx_read.h"
#include "dx_record.h"

#include "sv.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"
#include "xc.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* A batch is committed after this many changed files or bytes of text. */
#define BATCH_FILES 2000
#define BATCH_BYTES ((uint64_t)64 << 20)

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
    uint64_t hash;
    unsigned passages;
} work;

/* A record of a walked root whose file was not found in this run. */
typedef struct gone {
    char *key;
    uint64_t hash;
    int claimed; /* by a rename */
} gone;

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
    uint64_t passages, bytes; /* written, analysed (since last taken) */
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
    dx_stats stats;
    strset seen;
    struct root {
        char *path;       /* as given, without trailing slashes */
        dx_problem_fn fn; /* its problems (NULL: opt.problem) */
        void *ctx;
        unsigned files;   /* document files the walk found */
        int unread;       /* the root itself could not be walked */
        unsigned kept;    /* records kept because of that, or of files 0 */
    } *roots;
    size_t nroots;
    work *work;
    size_t nwork, capwork;
    char *arena;
    size_t alen, acap;
    gone *gone;
    size_t ngone;
    int empty;       /* the database holds no passage and no record */
    int in_txn;
    unsigned pending_files;
    uint64_t pending_bytes;
    int finished;
};

/* What every passage of the document being indexed carries (dx_meta). */
typedef struct docmeta {
    char date[11];   /* DX_SLOT_DATE */
    char *json;      /* the metadata JSON (DX_FIELD_META) */
    size_t jsonlen;
    const char *kommun, *type, *outcome, *authority, *dnr, *school;
} docmeta;

/* ------------------------------------------------------------- helpers */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Turns a shim error into DXI_* plus a message, and frees the message. */
static int db_error(int rc, char *xerr, char *err, size_t errlen,
                    const char *what)
{
    seterr(err, errlen, "%s: %s", what, xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    if (rc == XC_ENOMEM) return DXI_ENOMEM;
    if (rc == XC_ELOCK) return DXI_ELOCKED;
    return DXI_EDB;
}

static int oom(char *err, size_t errlen)
{
    seterr(err, errlen, "out of memory");
    return DXI_ENOMEM;
}

/* A problem with a file or folder of root r ((size_t)-1: of none). */
static void problem(dx_indexer *ix, size_t r, const char *path,
                    const char *why)
{
    if (r < ix->nroots && ix->roots[r].fn)
        ix->roots[r].fn(ix->roots[r].ctx, path, why);
    else if (ix->opt.problem)
        ix->opt.problem(ix->opt.ctx, path, why);
    ix->stats.failed++;
}

static void change(dx_indexer *ix, int what, const char *id,
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

static int strset_has(const strset *s, const char *k)
{
    if (!s->cap) return 0;
    for (size_t i = hash_str(k) & (s->cap - 1); s->v[i];
         i = (i + 1) & (s->cap - 1))
        if (strcmp(s->v[i], k) == 0) return 1;
    return 0;
}

static int strset_add(strset *s, const char *k)
{
    if (strset_has(s, k)) return 0;
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

static void strset_free(strset *s)
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

/* Builds prefix + a into wr->term; returns its length or 0. */
static size_t make_term(writer *wr, char prefix, const char *a, size_t alen)
{
    size_t need = 1 + alen;
    if (need + 1 > wr->termcap) {
        size_t cap = need * 2 + 64;
        char *t = realloc(wr->term, cap);
        if (!t) return 0;
        wr->term = t;
        wr->termcap = cap;
    }
    wr->term[0] = prefix;
    memcpy(wr->term + 1, a, alen);
    return need;
}

/* A writer for database w (NULL: none yet). */
static int writer_init(writer *wr, xc_wdb *w, char *err, size_t errlen)
{
    char *xerr = NULL;
    memset(wr, 0, sizeof *wr);
    wr->w = w;
    int rc = xc_doc_new(&wr->doc, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "new document");
    if (sv_stemmer_new(&wr->st) != SV_OK) {
        seterr(err, errlen, "cannot create the Swedish stemmer");
        return DXI_ENOMEM;
    }
    if (sv_skelmemo_new(&wr->skm) != SV_OK) return oom(err, errlen);
    return DXI_OK;
}

/* Frees what wr holds (not its database). */
static void writer_free(writer *wr)
{
    xc_doc_free(wr->doc);
    sv_stemmer_free(wr->st);
    sv_skelmemo_free(wr->skm);
    sv_tokens_free(&wr->toks);
    free(wr->zbuf);
    free(wr->sbuf);
    free(wr->term);
    free(wr->key);
    strset_free(&wr->forms);
    free(wr->mterms);
    dx_meta_ctx_free(wr->mctx);
    memset(wr, 0, sizeof *wr);
}

/* ------------------------------------------------------------- records */

/* The metadata key of a document key; its length, or 0 if too long. */
static size_t meta_key(const char *key, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s%s", DX_META_DOC, key);
    return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
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
    if (!db || !kn) return DXI_OK;
    int rc = xc_db_get_metadata(db, mkey, kn, &val, &vlen, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "reading record");
    if (val && dx_record_parse(val, vlen, r) == 0) *found = 1;
    xc_free(val);
    return DXI_OK;
}

/* Opens the batch's transaction before the first change of a batch. */
static int begin_write(dx_indexer *ix, char *err, size_t errlen)
{
    if (ix->in_txn) return DXI_OK;
    char *xerr = NULL;
    int rc = xc_wdb_begin_transaction(ix->w, 1, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "transaction");
    ix->in_txn = 1;
    return DXI_OK;
}

/* Commits the batch: passages and records together, atomically. */
static int commit(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    if (!ix->in_txn) return DXI_OK;
    int rc = xc_wdb_commit_transaction(ix->w, &xerr);
    ix->in_txn = 0; /* committed, or (on failure) cancelled by Xapian */
    ix->pending_files = 0;
    ix->pending_bytes = 0;
    if (rc != XC_OK) {
        strset_free(&ix->wr.forms); /* their keys may be lost */
        return db_error(rc, xerr, err, errlen, "commit");
    }
    return DXI_OK;
}

/* The record of a file about to be indexed from raw (passages: 0, set by
 * the caller once they are known). */
static void new_record(const dx_indexer *ix, const work *w, const char *raw,
                       size_t rawlen, dx_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->root, sizeof r->root, "%s", ix->roots[w->root].path);
    r->size = w->size;
    r->mtime_ns = w->mtime_ns;
    r->hash = dx_content_hash(raw, rawlen);
}

static int put_record(xc_wdb *w, const char *key, const dx_record *r,
                      char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32], val[4400];
    char *xerr = NULL;
    size_t kn = meta_key(key, mkey, sizeof mkey);
    size_t vn = dx_record_format(r, val, sizeof val);
    if (!kn || !vn) return DXI_OK; /* cannot happen: roots are < 4096 */
    int rc = xc_wdb_set_metadata(w, mkey, kn, val, vn, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "writing record");
    return DXI_OK;
}

static int del_record(dx_indexer *ix, const char *key, char *err,
                      size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32];
    char *xerr = NULL;
    size_t kn = meta_key(key, mkey, sizeof mkey);
    if (!kn) return DXI_OK;
    int rc = xc_wdb_set_metadata(ix->w, mkey, kn, "", 0, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "removing record");
    return DXI_OK;
}

/* ------------------------------------------------------------ analysis */

/* Most spellings a set remembers; past it, it starts again (rewriting a
 * key is harmless, and memory stays bounded whatever the corpus). */
#define FORMS_MAX ((size_t)1 << 19)

/* Records in wr->w the spelling key of form (dx_format.h: the query tool
 * finds a word's spellings by skeleton there), once per writer. */
static int add_spelling(writer *wr, const char *skel, size_t kl,
                        const char *form, size_t fl, char **xerr)
{
    size_t need = 1 + kl + 1 + fl + 1;
    if (need > wr->keycap) {
        size_t cap = need * 2 + 64;
        char *k = realloc(wr->key, cap);
        if (!k) return XC_ENOMEM;
        wr->key = k;
        wr->keycap = cap;
    }
    char *k = wr->key;
    size_t n = dx_spelling_key(k, wr->keycap, skel, kl, form, fl);
    if (strset_has(&wr->forms, k)) return XC_OK;
    if (wr->forms.n >= FORMS_MAX) strset_free(&wr->forms);
    if (strset_add(&wr->forms, k) != 0) return XC_ENOMEM;
    return xc_wdb_set_metadata(wr->w, k, n, DX_SPELLING_VALUE,
                               sizeof DX_SPELLING_VALUE - 1, xerr);
}

/* Adds the S term of one normalised word at position pos, and its Z term
 * when the word is an inflected form (its stem is not the word itself:
 * the S term already holds the others, see dx_format.h). */
static int add_word(writer *wr, const char *norm, size_t nlen, int word,
                    unsigned pos, char **xerr)
{
    const char *stem = norm;
    size_t slen = nlen;
    char skel[SV_SKELETON_MAX];
    size_t n;
    if (word && sv_stem(wr->st, norm, nlen, &stem, &slen) != SV_OK)
        return XC_ENOMEM;
    size_t kl = sv_skeleton_memo(wr->skm, norm, nlen, skel, sizeof skel);
    /* (kl is 0 only for tokens over SV_TOKEN_MAX, which never come here;
     * the Z term then stands alone.) */
    if (slen != nlen || memcmp(stem, norm, nlen) != 0 || !kl) {
        n = make_term(wr, DX_PREFIX_STEM, stem, slen);
        if (!n) return XC_ENOMEM;
        int rc = xc_doc_add_term(wr->doc, wr->term, n, 1, xerr);
        if (rc != XC_OK) return rc;
    }
    if (!kl) return XC_OK;
    n = make_term(wr, DX_PREFIX_FORM, norm, nlen);
    if (!n) return XC_ENOMEM;
    int rc = xc_doc_add_posting(wr->doc, wr->term, n, pos, 1, xerr);
    /* (a parallel build's shard gets its keys at its end: shard_spellings) */
    if (rc != XC_OK || !wr->w || wr->shared) return rc;
    return add_spelling(wr, skel, kl, norm, nlen, xerr);
}

/* The passage's data (dx_format.h) in wr->zbuf: header, text and the
 * document's fields. */
static int pack_data(writer *wr, const docmeta *dm, const char *text,
                     size_t len, size_t offset, unsigned number,
                     size_t *outlen)
{
    const char *f[DX_NFIELDS];
    size_t fl[DX_NFIELDS];
    f[DX_FIELD_DATE] = dm->date;
    f[DX_FIELD_KOMMUN] = dm->kommun;
    f[DX_FIELD_TYPE] = dm->type;
    f[DX_FIELD_OUTCOME] = dm->outcome;
    f[DX_FIELD_AUTHORITY] = dm->authority;
    f[DX_FIELD_DNR] = dm->dnr;
    f[DX_FIELD_SCHOOL] = dm->school;
    size_t need = DX_DATA_HEADER + len;
    for (int i = 0; i < DX_NFIELDS; i++) {
        if (i == DX_FIELD_META) {
            f[i] = dm->json;
            fl[i] = dm->json ? dm->jsonlen : 0;
        } else {
            fl[i] = f[i] ? strlen(f[i]) : 0;
        }
        need += 4 + fl[i];
    }
    if (need > UINT32_MAX) return -1; /* lengths are 4 bytes */
    if (need > wr->zcap) {
        unsigned char *b = realloc(wr->zbuf, need);
        if (!b) return -1;
        wr->zbuf = b;
        wr->zcap = need;
    }
    unsigned char *p = wr->zbuf;
    p[0] = DX_DATA_VERSION;
    dx_put_be32(p + 1, (uint32_t)len);
    dx_put_be32(p + 5, (uint32_t)offset);
    dx_put_be32(p + 9, (uint32_t)number);
    memcpy(p + DX_DATA_HEADER, text, len);
    size_t at = DX_DATA_HEADER + len;
    for (int i = 0; i < DX_NFIELDS; i++) {
        dx_put_be32(p + at, (uint32_t)fl[i]);
        at += 4;
        if (fl[i]) memcpy(p + at, f[i], fl[i]);
        at += fl[i];
    }
    *outlen = need;
    return 0;
}

/* Compresses the passage's data (wr->zbuf, len bytes) into wr->sbuf as it
 * is stored (dx_format.h); its stored length, 0 when out of memory. */
static size_t store_data(writer *wr, size_t len)
{
    size_t need = dx_store_bound(len);
    if (!need) return 0;
    if (need > wr->scap) {
        char *b = realloc(wr->sbuf, need);
        if (!b) return 0;
        wr->sbuf = b;
        wr->scap = need;
    }
    return dx_data_store((const char *)wr->zbuf, len, wr->sbuf, wr->scap);
}

/* dx_meta_terms callback: appends X<field>:<value> to ix->mterms. */
static int collect_term(void *ctx, const char *field, const char *value,
                        size_t vlen)
{
    writer *wr = ctx;
    size_t fl = strlen(field), need = 1 + fl + 1 + vlen + 1;
    if (1 + fl + 1 + vlen > 240) return 0; /* too long for a Xapian term */
    if (wr->mtlen + need > wr->mtcap) {
        size_t cap = (wr->mtlen + need) * 2;
        char *b = realloc(wr->mterms, cap);
        if (!b) return DXM_ENOMEM;
        wr->mterms = b;
        wr->mtcap = cap;
    }
    char *o = wr->mterms + wr->mtlen;
    *o++ = DX_PREFIX_FIELD;
    memcpy(o, field, fl);
    o[fl] = ':';
    memcpy(o + fl + 1, value, vlen);
    o[fl + 1 + vlen] = '\0';
    wr->mtlen += need;
    return 0;
}

/* Extracts the document's metadata into its terms (ix->mterms) and values
 * (dm). The strings dm points to live in m, which the caller frees. */
static int doc_metadata(writer *wr, const char *text, size_t len,
                        dx_meta *m, docmeta *dm)
{
    memset(dm, 0, sizeof *dm);
    wr->mtlen = 0;
    if (!wr->mctx && dx_meta_ctx_new(&wr->mctx) != DXM_OK) {
        memset(m, 0, sizeof *m);
        return DXI_ENOMEM;
    }
    if (dx_meta_extract_with(wr->mctx, text, len, m) != DXM_OK)
        return DXI_ENOMEM;
    if (dx_meta_terms(m, collect_term, wr) != DXM_OK) return DXI_ENOMEM;
    if (dx_meta_json(m, &dm->json, &dm->jsonlen) != DXM_OK)
        return DXI_ENOMEM;
    const char *date = m->date.iso; /* its own date, */
    if (!date[0]) /* else the latest date it mentions */
        for (size_t i = 0; i < m->ndates; i++)
            if (strcmp(m->dates[i].iso, date) > 0) date = m->dates[i].iso;
    memcpy(dm->date, date, strlen(date) + 1);
    dm->kommun = m->kommun;
    dm->type = m->type ? dx_doctype_name(m->type) : NULL;
    dm->outcome = m->outcome ? dx_outcome_name(m->outcome) : NULL;
    dm->authority = m->authority;
    dm->dnr = m->dnr;
    dm->school = m->school;
    return DXI_OK;
}

/* Sets a value slot from a string (nothing for NULL or ""). */
static int set_str_value(writer *wr, unsigned slot, const char *v,
                         char **xerr)
{
    if (!v || !*v) return XC_OK;
    return xc_doc_set_value(wr->doc, slot, v, strlen(v), xerr);
}

/* Writes one passage as one Xapian document. */
static int add_passage(writer *wr, const char *docid, size_t idlen,
                       const char *key, const docmeta *dm, const char *text,
                       size_t len, size_t offset, unsigned number, char *err,
                       size_t errlen)
{
    char *xerr = NULL;
    int rc = XC_OK;
    xc_doc_clear(wr->doc);
    if (sv_tokenize(text, len, &wr->toks) != SV_OK) rc = XC_ENOMEM;
    for (size_t i = 0; rc == XC_OK && i < wr->toks.n; i++) {
        const sv_token *k = &wr->toks.tok[i];
        if (k->flags & SV_TOKF_LONG) continue;
        rc = add_word(wr, sv_token_norm(&wr->toks, k), k->normlen,
                      k->kind == SV_TOK_WORD, k->pos, &xerr);
        if (rc == XC_OK && (k->flags & SV_TOKF_MAYBE_I))
            rc = add_word(wr, "i", 1, 1, k->pos, &xerr);
    }
    size_t n = make_term(wr, DX_PREFIX_DOC, key, strlen(key));
    if (rc == XC_OK && !n) rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(wr->doc, wr->term, n, &xerr);
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_DOCID, docid, idlen, &xerr);
    for (size_t at = 0; rc == XC_OK && at < wr->mtlen;) { /* X terms */
        size_t tl = strlen(wr->mterms + at);
        rc = xc_doc_add_boolean_term(wr->doc, wr->mterms + at, tl, &xerr);
        at += tl + 1;
    }
    if (rc == XC_OK) rc = set_str_value(wr, DX_SLOT_DATE, dm->date, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_KOMMUN, dm->kommun, &xerr);
    if (rc == XC_OK) rc = set_str_value(wr, DX_SLOT_TYPE, dm->type, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_OUTCOME, dm->outcome, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_AUTHORITY, dm->authority, &xerr);
    unsigned char be[4];
    dx_put_be32(be, number);
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_PASSAGE, (const char *)be, 4,
                              &xerr);
    size_t dlen = 0, slen = 0;
    if (rc == XC_OK &&
        (pack_data(wr, dm, text, len, offset, number, &dlen) != 0 ||
         !(slen = store_data(wr, dlen))))
        rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_DATA, wr->sbuf, slen, &xerr);
    if (rc == XC_OK) rc = xc_wdb_add(wr->w, wr->doc, NULL, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "adding passage");
    wr->passages++;
    return DXI_OK;
}

/* Replaces every passage of docid (key: its dx_doc_key) with those of the
 * (raw) file content; `fresh`: the database cannot hold any of them. */
static int index_text(writer *wr, const char *docid, const char *key,
                      const char *raw, size_t rawlen, int fresh,
                      unsigned *npassages, char *err, size_t errlen)
{
    char *text = NULL, *xerr = NULL;
    size_t len = 0, idlen = strlen(docid), n = 0;
    dx_span *sp = NULL;
    if (sv_text_clean(raw, rawlen, &text, &len, NULL) != SV_OK ||
        dx_passages(text, len, &sp, &n) != 0) {
        free(text);
        seterr(err, errlen, "out of memory");
        return DXI_ENOMEM;
    }
    size_t tn = make_term(wr, DX_PREFIX_DOC, key, strlen(key));
    int rc = !tn ? XC_ENOMEM
           : fresh ? XC_OK
                   : xc_wdb_delete_by_term(wr->w, wr->term, tn, &xerr);
    if (rc != XC_OK) {
        free(text);
        free(sp);
        return db_error(rc, xerr, err, errlen, "removing old passages");
    }
    dx_meta m;
    docmeta dm;
    int res = doc_metadata(wr, text, len, &m, &dm);
    if (res != DXI_OK) seterr(err, errlen, "out of memory");
    for (size_t i = 0; res == DXI_OK && i < n; i++)
        res = add_passage(wr, docid, idlen, key, &dm, text + sp[i].start,
                          sp[i].end - sp[i].start, sp[i].start, (unsigned)i,
                          err, errlen);
    dx_meta_free(&m);
    free(dm.json);
    wr->bytes += len;
    *npassages = (unsigned)n;
    free(text);
    free(sp);
    return res;
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
    size_t on = make_term(&ix->wr, DX_PREFIX_DOC, oldkey, strlen(oldkey));
    if (!on || !(oldterm = malloc(on))) return oom(err, errlen);
    memcpy(oldterm, ix->wr.term, on);
    size_t nn = make_term(&ix->wr, DX_PREFIX_DOC, newkey, strlen(newkey));
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
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "moving passages");
    return DXI_OK;
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
    if (strset_has(&ix->seen, key)) {
        /* Two roots of one run hold the same relative path: the first one
         * keeps the id, or the two would replace each other every run. */
        problem(ix, c->root, e->path, "the same document id was already "
                "found under another PATH of this run");
        return 0;
    }
    if (strset_add(&ix->seen, key) != 0) {
        c->rc = oom(c->err, c->errlen);
        return 1;
    }
    dx_record r;
    int found = 0;
    c->rc = get_record(ix->db, key, &r, &found, c->err, c->errlen);
    if (c->rc != DXI_OK) return 1;
    if (found && strcmp(r.root, ix->roots[c->root].path) == 0 &&
        r.size == e->size && r.mtime_ns == e->mtime_ns) {
        ix->stats.unchanged++;
        return 0;
    }
    if (ix->nwork == ix->capwork) {
        size_t cap = ix->capwork ? ix->capwork * 2 : 256;
        work *v = realloc(ix->work, cap * sizeof *v);
        if (!v) {
            c->rc = oom(c->err, c->errlen);
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
        c->rc = oom(c->err, c->errlen);
        return 1;
    }
    w->root = c->root;
    w->size = e->size;
    w->mtime_ns = e->mtime_ns;
    w->found = found;
    w->hash = found ? r.hash : 0;
    w->passages = found ? r.passages : 0;
    ix->nwork++;
    return 0;
}

static void on_walk_error(void *p, const char *path, const char *why)
{
    walk_ctx *c = p;
    problem(c->ix, c->root, path, why);
}

/* ------------------------------------------------------------ finishing */

/* The walked root named `root`, or NULL. */
static struct root *find_root(dx_indexer *ix, const char *root)
{
    for (size_t i = 0; i < ix->nroots; i++)
        if (strcmp(ix->roots[i].path, root) == 0) return &ix->roots[i];
    return NULL;
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
        if (!r->kept) continue;
        snprintf(why, sizeof why, "%s %s: its %u document%s stay%s in the "
                 "database (rebuild with --full to drop %s)", r->path,
                 r->unread ? "could not be read"
                           : "holds no documents any more (not mounted?)",
                 r->kept, r->kept == 1 ? "" : "s", r->kept == 1 ? "s" : "",
                 r->kept == 1 ? "it" : "them");
        problem(ix, i, NULL, why);
    }
}

static int cmp_gone(const void *a, const void *b)
{
    const gone *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Lists the records of the walked roots whose keys were not seen. */
static int find_gone(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    const char *k;
    size_t kl, plen = strlen(DX_META_DOC), cap = 0;
    if (!ix->db) return DXI_OK;
    int rc = xc_db_metadata_keys(ix->db, DX_META_DOC, plen, &it, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "listing records");
    int res = DXI_OK;
    char key[DX_DOC_KEY_MAX + 1];
    while (res == DXI_OK &&
           (rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) == 1) {
        if (kl - plen > DX_DOC_KEY_MAX) continue; /* not one of ours */
        memcpy(key, k + plen, kl - plen);
        key[kl - plen] = '\0';
        if (strset_has(&ix->seen, key)) continue;
        dx_record r;
        int found = 0;
        res = get_record(ix->db, key, &r, &found, err, errlen);
        struct root *rt = found ? find_root(ix, r.root) : NULL;
        if (res != DXI_OK || !rt || !root_trusted(rt)) continue;
        if (ix->ngone == cap) {
            cap = cap ? cap * 2 : 64;
            gone *v = realloc(ix->gone, cap * sizeof *v);
            if (!v) { res = oom(err, errlen); break; }
            ix->gone = v;
        }
        gone *g = &ix->gone[ix->ngone];
        if (!(g->key = strdup(key))) { res = oom(err, errlen); break; }
        g->hash = r.hash;
        g->claimed = 0;
        ix->ngone++;
    }
    xc_termiter_free(it);
    if (res == DXI_OK && rc < 0)
        return db_error(rc, xerr, err, errlen, "listing records");
    xc_free(xerr);
    if (ix->ngone > 1) qsort(ix->gone, ix->ngone, sizeof *ix->gone, cmp_gone);
    if (res == DXI_OK) report_kept(ix);
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

/* Descriptors all threads of a build may hold open ahead of their turn
 * (dx_open_ahead), in windows of at most READ_AHEAD_MAX files per thread:
 * far below the usual limit of 1,024, whatever --jobs. */
#define READ_AHEAD_FDS 256
#define READ_AHEAD_MAX 32

/* A window of the work list's files opened ahead of their turn. */
typedef struct ahead {
    int fd[READ_AHEAD_MAX]; /* fd[k % n]: file k opened ahead, or -1 */
    size_t n;               /* the window: 1 to READ_AHEAD_MAX files */
    size_t opened, end;     /* files [.., opened) of [.., end) were opened */
} ahead;

static void ahead_init(ahead *a, size_t n, size_t first, size_t end)
{
    a->n = n < 1 ? 1 : n > READ_AHEAD_MAX ? READ_AHEAD_MAX : n;
    a->opened = first;
    a->end = end;
    for (size_t k = 0; k < a->n; k++) a->fd[k] = -1;
}

/* The descriptor of work item i (or -1: dx_read_fd opens it), after
 * opening the window's files after it. Items are taken in order. */
static int ahead_take(ahead *a, const dx_indexer *ix, size_t i)
{
    for (; a->opened < a->end && a->opened < i + a->n; a->opened++)
        a->fd[a->opened % a->n] =
            dx_open_ahead(ix->arena + ix->work[a->opened].path);
    int fd = a->fd[i % a->n];
    a->fd[i % a->n] = -1;
    return fd;
}

/* Closes what was opened and not taken (a run that stopped early). */
static void ahead_close(ahead *a)
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
    int rrc = dx_read_fd(fd, path, &raw, &rawlen, why, sizeof why);
    if (rrc != DX_OK) {
        /* The old passages (if any) stay: nothing is lost. */
        problem(ix, w->root, path, why[0] ? why : dx_strerror(rrc));
        return DXI_OK;
    }
    dx_record r;
    new_record(ix, w, raw, rawlen, &r);
    r.passages = w->passages;

    int res = DXI_OK;
    gone *g = NULL;
    if (w->found && r.hash == w->hash) {
        /* Touched, copied back, or its root named differently: the same
         * content, so only the record changes. */
        ix->stats.unchanged++;
        if (!ix->opt.dry_run) {
            res = begin_write(ix, err, errlen);
            if (res == DXI_OK) res = put_record(ix->w, key, &r, err, errlen);
        }
    } else if (!w->found && (g = gone_by_hash(ix, r.hash)) != NULL) {
        g->claimed = 1;
        ix->stats.renamed++;
        change(ix, DX_CHANGE_RENAME, docid, g->key);
        if (!ix->opt.dry_run) {
            dx_record old;
            int found = 0;
            res = get_record(ix->db, g->key, &old, &found, err, errlen);
            r.passages = found ? old.passages : 0;
            if (res == DXI_OK) res = begin_write(ix, err, errlen);
            if (res == DXI_OK)
                res = move_passages(ix, g->key, key, docid, err, errlen);
            if (res == DXI_OK) res = del_record(ix, g->key, err, errlen);
            if (res == DXI_OK) res = put_record(ix->w, key, &r, err, errlen);
        }
    } else {
        if (w->found) ix->stats.updated++;
        else ix->stats.added++;
        change(ix, w->found ? DX_CHANGE_UPDATE : DX_CHANGE_ADD, docid, NULL);
        if (!ix->opt.dry_run) {
            res = begin_write(ix, err, errlen);
            if (res == DXI_OK)
                res = index_text(&ix->wr, docid, key, raw, rawlen, 0,
                                 &r.passages, err, errlen);
            take_counts(ix, &ix->wr);
            if (res == DXI_OK) res = put_record(ix->w, key, &r, err, errlen);
        }
    }
    free(raw);
    if (res != DXI_OK || ix->opt.dry_run) return res;
    if (++ix->pending_files >= ix->opt.batch_files ||
        ix->pending_bytes >= BATCH_BYTES)
        res = commit(ix, err, errlen);
    return res;
}

/* Removes the gone documents that no rename claimed. */
static int remove_gone(dx_indexer *ix, char *err, size_t errlen)
{
    int res = DXI_OK;
    for (size_t i = 0; res == DXI_OK && i < ix->ngone; i++) {
        gone *g = &ix->gone[i];
        if (g->claimed) continue;
        ix->stats.removed++;
        change(ix, DX_CHANGE_REMOVE, g->key, NULL);
        if (ix->opt.dry_run) continue;
        char *xerr = NULL;
        size_t n = make_term(&ix->wr, DX_PREFIX_DOC, g->key, strlen(g->key));
        if (!n) return oom(err, errlen);
        res = begin_write(ix, err, errlen);
        if (res != DXI_OK) break;
        int rc = xc_wdb_delete_by_term(ix->w, ix->wr.term, n, &xerr);
        if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "removing");
        res = del_record(ix, g->key, err, errlen);
    }
    return res;
}

/* ------------------------------------------------------- parallel build */

/* A first build, or a --full one, of more than one file is built in
 * parallel. The work list is cut, in order, into chunks (plan_chunks);
 * each thread takes the next chunk and indexes it into a shard of
 * its own (an XC_SCRATCH database: no fsync; each batch one transaction,
 * so that memory stays bounded); the shards are then merged in
 * chunk order by Xapian's compaction into a new folder, which is swapped
 * in. Passages are numbered as a one-thread build numbers them, so the two
 * give the same results. All or nothing: an interrupted or failed build
 * leaves the database as it was (empty, or the old one for --full) and the
 * next writer removes the shards. Problems are reported in work-list
 * order once the threads are done. */

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
    int res;            /* its DXI_ code and message */
    char err[1024];
    dx_progress pr;
    size_t ahead;       /* files each thread opens ahead (see ahead) */
} bulk;

static int stamp(xc_wdb *w, const char *path, char *err, size_t errlen);

int dx_parallel_writing = 0;

/* Keeps a problem of chunk c to report it later (out of memory: reports it
 * at once instead). */
static void chunk_problem(bulk *b, chunk *c, size_t root, const char *path,
                          const char *why)
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
        problem(b->ix, root, path, why);
        pthread_mutex_unlock(&b->mu);
        return;
    }
    c->pb[c->npb++] = (bproblem){root, p, w};
}

static uint64_t free_bytes(const dx_indexer *ix);

/* Stops a shard before its commit when the disk is nearly full (see
 * use_bulk): the database stays as it was. */
static int room_left(const dx_indexer *ix, char *err, size_t errlen)
{
    uint64_t f = free_bytes(ix);
    if (f >= BULK_ROOM_MIN) return DXI_OK;
    seterr(err, errlen, "%s: the disk is nearly full (%llu MB free) and a "
           "parallel build needs room for its shards; no space left for "
           "them — free some space, or build in one thread with --jobs 1",
           ix->dbpath, (unsigned long long)(f >> 20));
    return DXI_EDB;
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
    int res = DXI_OK;
    int rc = xc_db_allterms(xc_wdb_reader(wr->w), s, 1, &it, &xerr);
    while (rc == XC_OK &&
           (rc = xc_termiter_next(it, &t, &tl, NULL, &xerr)) == 1) {
        rc = XC_OK;
        char skel[SV_SKELETON_MAX];
        size_t kl = sv_skeleton(t + 1, tl - 1, skel, sizeof skel);
        if (!kl) continue;
        char *k = malloc(kl + tl + 2); /* S skel sep form NUL */
        if (!k) {
            res = oom(err, errlen);
            break;
        }
        dx_spelling_key(k, kl + tl + 2, skel, kl, t + 1, tl - 1);
        pthread_mutex_lock(&sp->mu);
        int had = strset_has(&sp->set, k), bad = 0;
        if (!had) {
            if (sp->set.n >= FORMS_MAX) strset_free(&sp->set);
            bad = strset_add(&sp->set, k) != 0;
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
            res = oom(err, errlen);
            break;
        }
    }
    if (rc < 0 && res == DXI_OK)
        res = db_error(rc, xerr, err, errlen, "reading a shard's terms");
    xc_termiter_free(it);
    if (res == DXI_OK && n) {
        qsort(keys, n, sizeof *keys, by_str);
        res = room_left(b->ix, err, errlen);
        if (res == DXI_OK) {
            rc = xc_wdb_begin_transaction(wr->w, 1, &xerr);
            if (rc != XC_OK)
                res = db_error(rc, xerr, err, errlen, "transaction");
        }
        for (size_t i = 0; res == DXI_OK && i < n; i++) {
            rc = xc_wdb_set_metadata(wr->w, keys[i], strlen(keys[i]),
                                     DX_SPELLING_VALUE,
                                     sizeof DX_SPELLING_VALUE - 1, &xerr);
            if (rc != XC_OK) {
                res = db_error(rc, xerr, err, errlen, "spelling key");
                xc_wdb_cancel_transaction(wr->w, NULL);
            }
        }
        if (res == DXI_OK) {
            rc = xc_wdb_commit_transaction(wr->w, &xerr);
            if (rc != XC_OK) res = db_error(rc, xerr, err, errlen, "commit");
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
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, c->path);
    int res = stamp(wr->w, c->path, err, errlen);
    unsigned pending = 0;
    uint64_t pbytes = 0;
    int in_txn = 0;
    ahead ah;
    ahead_init(&ah, b->ahead, c->first, c->end);
    for (size_t i = c->first; res == DXI_OK && i < c->end; i++) {
        /* Each batch is a transaction, as in a one-thread run: Xapian 1.4
         * can abort inside a plain commit() whose write fails (a full
         * disk), not inside commit_transaction(). */
        if (!in_txn) {
            rc = xc_wdb_begin_transaction(wr->w, 1, &xerr);
            if (rc != XC_OK) {
                res = db_error(rc, xerr, err, errlen, "transaction");
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
        int rrc = dx_read_fd(ahead_take(&ah, ix, i), path, &raw, &rawlen,
                             why, sizeof why);
        if (rrc != DX_OK) {
            chunk_problem(b, c, w->root, path,
                          why[0] ? why : dx_strerror(rrc));
        } else {
            dx_record r;
            new_record(ix, w, raw, rawlen, &r);
            pthread_mutex_lock(&b->mu);
            change(ix, DX_CHANGE_ADD, docid, NULL);
            pthread_mutex_unlock(&b->mu);
            res = index_text(wr, docid, key, raw, rawlen, 1, &r.passages, err,
                             errlen);
            if (res == DXI_OK) res = put_record(wr->w, key, &r, err, errlen);
            free(raw);
            c->added++;
            c->passages += wr->passages;
            c->bytes += wr->bytes;
            pbytes += wr->bytes;
            wr->passages = wr->bytes = 0;
            if (res == DXI_OK && (++pending >= ix->opt.batch_files ||
                                  pbytes >= BULK_BATCH_BYTES)) {
                res = room_left(ix, err, errlen);
                if (res != DXI_OK) break;
                rc = xc_wdb_commit_transaction(wr->w, &xerr);
                in_txn = 0; /* committed, or cancelled by Xapian */
                if (rc != XC_OK) res = db_error(rc, xerr, err, errlen, "commit");
                pending = 0;
                pbytes = 0;
            }
        }
        if (!bulk_step(b, w)) break;
    }
    ahead_close(&ah);
    if (in_txn && res == DXI_OK) res = room_left(ix, err, errlen);
    if (in_txn) {
        if (res == DXI_OK) {
            rc = xc_wdb_commit_transaction(wr->w, &xerr);
            if (rc != XC_OK) res = db_error(rc, xerr, err, errlen, "commit");
        } else {
            xc_wdb_cancel_transaction(wr->w, NULL);
        }
    }
    if (res == DXI_OK) res = shard_spellings(b, wr, err, errlen);
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
    int res = writer_init(&wr, NULL, err, sizeof err);
    wr.shared = b->forms;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t k = res == DXI_OK && !b->stop ? b->next++ : b->nch;
        pthread_mutex_unlock(&b->mu);
        if (k >= b->nch) break;
        res = bulk_chunk(b, &wr, &b->ch[k], err, sizeof err);
    }
    writer_free(&wr);
    if (res != DXI_OK) {
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
    return j > DX_JOBS_MAX ? DX_JOBS_MAX : j;
}

/* Free bytes for an unprivileged writer where the shards go (beside the
 * database folder); UINT64_MAX when it cannot be told. */
static uint64_t free_bytes(const dx_indexer *ix)
{
    char parent[4200];
    snprintf(parent, sizeof parent, "%s/..", ix->dbpath);
    struct statvfs sv;
    if (statvfs(parent, &sv) != 0) return UINT64_MAX;
    return (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
}

/* Whether this run is a parallel build; text: the bytes to index. */
static int use_bulk(const dx_indexer *ix, uint64_t text)
{
    if (ix->opt.dry_run || !ix->empty || ix->ngone != 0 || ix->nwork < 2 ||
        bulk_jobs(ix) < 2)
        return 0;
    /* The shards and the merged copy need room side by side. With less,
     * build in one thread, batch by batch: Xapian 1.4 can abort inside a
     * commit that runs out of space while another writer is busy, and one
     * thread fails cleanly. */
    uint64_t need = BULK_ROOM_FACTOR * text + BULK_ROOM_MIN;
    return free_bytes(ix) >= need;
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
                                sizeof b->ch[i].path) != DXD_OK)
            return -1;
    return 0;
}

/* Merges the shards into a new database and swaps it in. */
static int bulk_merge(dx_indexer *ix, bulk *b, char *err, size_t errlen)
{
    char target[4200], *xerr = NULL;
    const char **src = malloc(b->nch * sizeof *src);
    if (!src) return oom(err, errlen);
    for (size_t i = 0; i < b->nch; i++) src[i] = b->ch[i].path;
    /* The empty database that was open goes: a --full one is replaced by
     * the merge; the one at dbpath stays until the swap. */
    if (ix->in_txn) xc_wdb_cancel_transaction(ix->w, NULL);
    ix->in_txn = 0;
    xc_wdb_close(ix->w);
    ix->w = ix->wr.w = NULL;
    ix->db = NULL;
    int res = DXI_OK;
    if (ix->opt.full) {
        snprintf(target, sizeof target, "%s", ix->buildpath);
        if (dx_dbdir_remove(target) != 0) {
            seterr(err, errlen, "cannot remove %s: %s", target,
                   strerror(errno));
            res = DXI_EDB;
        }
    } else if (dx_dbdir_temp_path(ix->dbpath, target, sizeof target) !=
               DXD_OK) {
        seterr(err, errlen, "%s: path too long", ix->dbpath);
        res = DXI_EDB;
    }
    if (res == DXI_OK) {
        int rc = xc_compact(src, b->nch, target, &xerr);
        if (rc != XC_OK) res = db_error(rc, xerr, err, errlen, "merging");
    }
    free(src);
    for (size_t i = 0; i < b->nch; i++) (void)dx_dbdir_remove(b->ch[i].path);
    if (res == DXI_OK &&
        dx_dbdir_swap(ix->dbpath, target, err, errlen) != DXD_OK)
        res = DXI_EDB;
    if (res != DXI_OK && !ix->opt.full) (void)dx_dbdir_remove(target);
    return res;
}

/* The whole work list as a parallel build (see above). */
static int finish_bulk(dx_indexer *ix, const dx_progress *pr, char *err,
                       size_t errlen)
{
    bulk b;
    memset(&b, 0, sizeof b);
    b.ix = ix;
    b.pr = *pr;
    unsigned jobs = bulk_jobs(ix);
    if (plan_chunks(&b, jobs, pr->bytes_total) != 0) {
        free(b.ch);
        return oom(err, errlen);
    }
    spellings forms;
    memset(&forms, 0, sizeof forms);
    if (pthread_mutex_init(&b.mu, NULL) != 0) {
        free(b.ch);
        seterr(err, errlen, "cannot create a mutex");
        return DXI_ENOMEM;
    }
    if (pthread_mutex_init(&forms.mu, NULL) != 0) {
        pthread_mutex_destroy(&b.mu);
        free(b.ch);
        seterr(err, errlen, "cannot create a mutex");
        return DXI_ENOMEM;
    }
    b.forms = &forms;
    if (jobs > b.nch) jobs = (unsigned)b.nch;
    b.ahead = READ_AHEAD_FDS / jobs;
    pthread_t tid[DX_JOBS_MAX];
    unsigned started = 0;
    dx_parallel_writing = 1;
    /* This thread is one of them; fewer threads if they cannot start. */
    while (started + 1 < jobs &&
           pthread_create(&tid[started], NULL, bulk_thread, &b) == 0)
        started++;
    bulk_thread(&b);
    for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
    ix->stats.threads = started + 1;
    pthread_mutex_destroy(&b.mu);
    pthread_mutex_destroy(&forms.mu);
    strset_free(&forms.set);
    b.forms = NULL;

    for (size_t k = 0; k < b.nch; k++) {
        chunk *c = &b.ch[k];
        for (size_t i = 0; i < c->npb; i++) {
            problem(ix, c->pb[i].root, c->pb[i].path, c->pb[i].why);
            free(c->pb[i].path);
            free(c->pb[i].why);
        }
        free(c->pb);
        ix->stats.added += c->added;
        ix->stats.passages += c->passages;
        ix->stats.bytes += c->bytes;
    }
    int res = b.res;
    if (res != DXI_OK) {
        seterr(err, errlen, "%s", b.err);
        for (size_t i = 0; i < b.nch; i++)
            (void)dx_dbdir_remove(b.ch[i].path);
    } else {
        res = bulk_merge(ix, &b, err, errlen);
    }
    dx_parallel_writing = 0;
    free(b.ch);
    if (res == DXI_OK) ix->finished = 1;
    return res;
}

/* ------------------------------------------------------------ public API */

/* Reads a metadata value as a C string into buf (empty when missing). */
static int get_meta(xc_db *db, const char *key, char *buf, size_t buflen,
                    char *err, size_t errlen)
{
    char *val = NULL, *xerr = NULL;
    size_t vlen = 0;
    buf[0] = '\0';
    int rc = xc_db_get_metadata(db, key, strlen(key), &val, &vlen, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "reading");
    if (val) {
        size_t n = vlen < buflen - 1 ? vlen : buflen - 1;
        memcpy(buf, val, n);
        buf[n] = '\0';
        if (memchr(buf, '\0', n)) buf[0] = '\x01'; /* matches nothing */
    }
    xc_free(val);
    return DXI_OK;
}

/* Checks that db was indexed by this build's analysis and format. A new,
 * unstamped database gives *fresh = 1; one with no passage and no record
 * (fresh, or stamped but never filled) *empty = 1. */
static int check_analysis(xc_db *db, const char *dbpath, int *fresh,
                          int *empty, char *err, size_t errlen)
{
    char fp[512], ver[32], *xerr = NULL;
    unsigned count = 0;
    xc_termiter *it = NULL;
    int res = get_meta(db, DX_META_ANALYSIS, fp, sizeof fp, err, errlen);
    if (res == DXI_OK)
        res = get_meta(db, DX_META_FORMAT, ver, sizeof ver, err, errlen);
    if (res != DXI_OK) return res;
    int rc = xc_db_doccount(db, &count, &xerr);
    int records = 0;
    if (rc == XC_OK)
        rc = xc_db_metadata_keys(db, DX_META_DOC, strlen(DX_META_DOC), &it,
                                 &xerr);
    if (rc == XC_OK) rc = records = xc_termiter_next(it, NULL, NULL, NULL,
                                                     &xerr);
    xc_termiter_free(it);
    if (rc < 0) return db_error(rc, xerr, err, errlen, dbpath);
    *fresh = 0;
    *empty = count == 0 && !records;
    if (!fp[0] && !ver[0] && count == 0 && !records) {
        *fresh = 1;
        return DXI_OK;
    }
    char want[32];
    snprintf(want, sizeof want, "%d", DX_FORMAT_VERSION);
    if (strcmp(ver, want) != 0) {
        if (ver[0])
            seterr(err, errlen, "%s is in index format %s, this diarium "
                   "writes format %s; rebuild it with: diarium-index --full",
                   dbpath, ver, want);
        else
            seterr(err, errlen, "%s is not a diarium database of this "
                   "version; rebuild it with: diarium-index --full", dbpath);
        return DXI_EANALYSIS;
    }
    if (strcmp(fp, sv_fingerprint()) != 0) {
        seterr(err, errlen,
               "%s was indexed with a different analysis (another diarium "
               "version); rebuild it with: diarium-index --full", dbpath);
        return DXI_EANALYSIS;
    }
    return DXI_OK;
}

/* Marks a new database (at path) as ours and commits, so that it opens
 * (empty) for queries from the very start. */
static int stamp(xc_wdb *w, const char *path, char *err, size_t errlen)
{
    char ver[16], *xerr = NULL;
    const char *fp = sv_fingerprint();
    snprintf(ver, sizeof ver, "%d", DX_FORMAT_VERSION);
    int rc = xc_wdb_set_metadata(w, DX_META_ANALYSIS,
                                 strlen(DX_META_ANALYSIS), fp, strlen(fp),
                                 &xerr);
    if (rc == XC_OK)
        rc = xc_wdb_set_metadata(w, DX_META_FORMAT, strlen(DX_META_FORMAT),
                                 ver, strlen(ver), &xerr);
    if (rc == XC_OK) rc = xc_wdb_commit(w, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, path);
    return DXI_OK;
}

/* The writer: lock, leftovers, Xapian, analysis check. */
static int open_writer(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    int rc = dx_dbdir_recover(ix->dbpath, err, errlen);
    if (rc != DXD_OK) return DXI_EDB;
    long holder = 0;
    rc = dx_dblock_take(ix->dbpath, 1, &ix->lock, &holder, err, errlen);
    if (rc == DXD_EBUSY) return DXI_ELOCKED;
    if (rc == DXD_ENOMEM) return DXI_ENOMEM;
    if (rc != DXD_OK) return DXI_EDB;
    char why[1024] = "";
    if (dx_dbdir_cleanup(ix->dbpath, why, sizeof why) != DXD_OK)
        problem(ix, (size_t)-1, NULL, why);

    if (ix->opt.full) {
        char tmp[4200];
        if (dx_dbdir_temp_path(ix->dbpath, tmp, sizeof tmp) != DXD_OK) {
            seterr(err, errlen, "%s: path too long", ix->dbpath);
            return DXI_EDB;
        }
        if (!(ix->buildpath = strdup(tmp))) return oom(err, errlen);
    } else if (!(ix->buildpath = strdup(ix->dbpath))) {
        return oom(err, errlen);
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
        int res = db_error(rc, xerr, err, errlen, ix->dbpath);
        if (res == DXI_ELOCKED)
            seterr(err, errlen, "%s is locked by another program writing to "
                   "it (not diarium-index)", ix->dbpath);
        return res;
    }
    ix->db = xc_wdb_reader(ix->w);
    int fresh = 0;
    int res = check_analysis(ix->db, ix->dbpath, &fresh, &ix->empty, err,
                             errlen);
    if (res == DXI_OK && fresh) res = stamp(ix->w, ix->buildpath, err, errlen);
    return res;
}

/* A dry run reads the database if there is one, and never writes. */
static int open_reader(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    struct stat sb;
    if (ix->opt.full || stat(ix->dbpath, &sb) != 0) return DXI_OK;
    int rc = xc_db_open(ix->dbpath, &ix->rdb, &xerr);
    if (rc == XC_EOPEN) { /* a folder with no database yet */
        xc_free(xerr);
        return DXI_OK;
    }
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, ix->dbpath);
    ix->db = ix->rdb;
    int fresh = 0, empty = 0;
    return check_analysis(ix->db, ix->dbpath, &fresh, &empty, err, errlen);
}

int dx_indexer_open(const char *dbpath, const dx_options *opt,
                    dx_indexer **out, char *err, size_t errlen)
{
    *out = NULL;
    dx_indexer *ix = calloc(1, sizeof *ix);
    if (!ix) return oom(err, errlen);
    if (opt) ix->opt = *opt;
    if (!ix->opt.batch_files) ix->opt.batch_files = BATCH_FILES;
    /* --full swaps folders: a database reached through a symbolic link is
     * rebuilt where the link points, and the link stays. */
    ix->dbpath = dx_dbdir_resolve(dbpath);
    if (!ix->dbpath) {
        dx_indexer_close(ix);
        return oom(err, errlen);
    }
    int res = ix->opt.dry_run ? open_reader(ix, err, errlen)
                              : open_writer(ix, err, errlen);
    if (res == DXI_OK) res = writer_init(&ix->wr, ix->w, err, errlen);
    if (res != DXI_OK) {
        dx_indexer_close(ix);
        return res;
    }
    *out = ix;
    return DXI_OK;
}

int dx_indexer_add_root(dx_indexer *ix, const char *root, dx_problem_fn fn,
                        void *ctx, char *err, size_t errlen)
{
    /* Records name the root without trailing slashes. */
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/') rl--;
    char *r = strndup(root, rl);
    if (r && find_root(ix, r)) { /* given twice: walked once */
        free(r);
        return DXI_OK;
    }
    struct root *roots =
        r ? realloc(ix->roots, (ix->nroots + 1) * sizeof *roots) : NULL;
    if (!roots) {
        free(r);
        return oom(err, errlen);
    }
    ix->roots = roots;
    ix->roots[ix->nroots++] = (struct root){.path = r, .fn = fn, .ctx = ctx};

    walk_ctx c = {ix, ix->nroots - 1, err, errlen, DXI_OK};
    int wrc = dx_walk(root, on_file, on_walk_error, &c);
    if (c.rc != DXI_OK) return c.rc;
    if (wrc == DX_ENOMEM) return oom(err, errlen);
    if (wrc == DX_EIO) ix->roots[c.root].unread = 1; /* reported by dx_walk */
    return DXI_OK;
}

int dx_indexer_finish(dx_indexer *ix, char *err, size_t errlen)
{
    int res = find_gone(ix, err, errlen);
    dx_progress pr = {0, (unsigned)ix->nwork, 0, 0};
    for (size_t i = 0; i < ix->nwork; i++)
        pr.bytes_total += (uint64_t)(ix->work[i].size > 0 ? ix->work[i].size
                                                          : 0);
    if (ix->opt.progress && ix->nwork) ix->opt.progress(ix->opt.ctx, &pr);
    if (res == DXI_OK && use_bulk(ix, pr.bytes_total))
        return finish_bulk(ix, &pr, err, errlen);
    ahead ah;
    ahead_init(&ah, READ_AHEAD_MAX, 0, ix->nwork);
    for (size_t i = 0; res == DXI_OK && i < ix->nwork; i++) {
        res = do_work(ix, &ix->work[i], ahead_take(&ah, ix, i), err, errlen);
        pr.files_done++;
        pr.bytes_done += (uint64_t)(ix->work[i].size > 0 ? ix->work[i].size
                                                         : 0);
        if (ix->opt.progress) ix->opt.progress(ix->opt.ctx, &pr);
    }
    ahead_close(&ah);
    if (res == DXI_OK) res = remove_gone(ix, err, errlen);
    if (ix->opt.dry_run || res != DXI_OK) return res;
    res = commit(ix, err, errlen);
    if (res == DXI_OK && ix->opt.full) {
        /* Everything is committed: close the new database and put it in
         * the place of the old one. */
        xc_wdb_close(ix->w);
        ix->w = NULL;
        ix->db = NULL;
        if (dx_dbdir_swap(ix->dbpath, ix->buildpath, err, errlen) != DXD_OK)
            res = DXI_EDB;
    }
    if (res == DXI_OK) ix->finished = 1;
    return res;
}

const dx_stats *dx_indexer_stats(const dx_indexer *ix) { return &ix->stats; }

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
    dx_dblock_release(ix->lock);
    writer_free(&ix->wr);
    strset_free(&ix->seen);
    for (size_t i = 0; i < ix->nroots; i++) free(ix->roots[i].path);
    free(ix->roots);
    free(ix->work);
    free(ix->arena);
    for (size_t i = 0; i < ix->ngone; i++) free(ix->gone[i].key);
    free(ix->gone);
    free(ix->dbpath);
    free(ix->buildpath);
    free(ix);
}
