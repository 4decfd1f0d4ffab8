/*
 * dx_index.c — building and updating a database (see dx_index.h and the
 * layout in dx_format.h).
 */
#include "dx_index.h"
#include "dx_format.h"
#include "dx_passage.h"
#include "dx_read.h"

#include "sv.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"
#include "xc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A batch is committed after this many changed files or bytes of text. */
#define BATCH_FILES 2000
#define BATCH_BYTES ((uint64_t)64 << 20)

/* A set of strings (document ids seen in this run). */
typedef struct strset {
    char **v;
    size_t n, cap; /* cap: power of two */
} strset;

struct dx_indexer {
    xc_wdb *w;
    xc_doc *doc;
    sv_stemmer *st;
    sv_tokens toks;
    z_stream z;
    int z_ready;
    unsigned char *zbuf;
    size_t zcap;
    char *term;
    size_t termcap;
    dx_stats stats;
    strset seen;
    char **roots;
    size_t nroots;
    unsigned pending_files;
    uint64_t pending_bytes;
};

/* ------------------------------------------------------------- helpers */

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

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
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

/* Builds prefix + a [+ sep + b] into ix->term; returns its length or 0. */
static size_t make_term(dx_indexer *ix, char prefix, const char *a,
                        size_t alen, const char *b, size_t blen)
{
    size_t need = 1 + alen + (b ? 1 + blen : 0);
    if (need + 1 > ix->termcap) {
        size_t cap = need * 2 + 64;
        char *t = realloc(ix->term, cap);
        if (!t) return 0;
        ix->term = t;
        ix->termcap = cap;
    }
    ix->term[0] = prefix;
    memcpy(ix->term + 1, a, alen);
    if (b) {
        ix->term[1 + alen] = DX_FORM_SEP;
        memcpy(ix->term + 2 + alen, b, blen);
    }
    return need;
}

/* A per-document record: "<root>\t<size>\t<mtime_ns>\t<passages>". */
typedef struct record {
    char root[4096];
    long long size, mtime;
    unsigned passages;
    int found;
} record;

static int get_record(dx_indexer *ix, const char *key, record *r,
                      char *err, size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32];
    char *val = NULL, *xerr = NULL;
    size_t vlen = 0;
    memset(r, 0, sizeof *r);
    int n = snprintf(mkey, sizeof mkey, "%s%s", DX_META_DOC, key);
    if (n < 0 || (size_t)n >= sizeof mkey) return DXI_OK;
    int rc = xc_db_get_metadata(xc_wdb_reader(ix->w), mkey, (size_t)n, &val,
                                &vlen, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "reading record");
    if (!val) return DXI_OK;
    char *tab = memchr(val, '\t', vlen);
    if (tab && (size_t)(tab - val) < sizeof r->root) {
        memcpy(r->root, val, (size_t)(tab - val));
        r->root[tab - val] = '\0';
        char rest[128];
        size_t rl = vlen - (size_t)(tab - val) - 1;
        if (rl < sizeof rest) {
            memcpy(rest, tab + 1, rl);
            rest[rl] = '\0';
            if (sscanf(rest, "%lld\t%lld\t%u", &r->size, &r->mtime,
                       &r->passages) == 3)
                r->found = 1;
        }
    }
    xc_free(val);
    return DXI_OK;
}

static int put_record(dx_indexer *ix, const char *key, const char *root,
                      const dx_entry *e, unsigned passages, char *err,
                      size_t errlen)
{
    char mkey[DX_DOC_KEY_MAX + 32], val[4400];
    char *xerr = NULL;
    int kn = snprintf(mkey, sizeof mkey, "%s%s", DX_META_DOC, key);
    int vn = snprintf(val, sizeof val, "%s\t%lld\t%lld\t%u", root,
                      (long long)e->size, (long long)e->mtime_ns, passages);
    if (kn < 0 || (size_t)kn >= sizeof mkey || vn < 0 ||
        (size_t)vn >= sizeof val)
        return DXI_OK; /* a root this long is indexed but not tracked */
    int rc = xc_wdb_set_metadata(ix->w, mkey, (size_t)kn, val, (size_t)vn,
                                 &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "writing record");
    return DXI_OK;
}

static int commit(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    int rc = xc_wdb_commit(ix->w, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "commit");
    ix->pending_files = 0;
    ix->pending_bytes = 0;
    return DXI_OK;
}

/* ------------------------------------------------------------ analysis */

/* Adds the S and Z terms of one normalised word at position pos. */
static int add_word(dx_indexer *ix, const char *norm, size_t nlen, int word,
                    unsigned pos, char **xerr)
{
    const char *stem = norm;
    size_t slen = nlen;
    char skel[SV_SKELETON_MAX];
    if (word && sv_stem(ix->st, norm, nlen, &stem, &slen) != SV_OK)
        return XC_ENOMEM;
    size_t n = make_term(ix, DX_PREFIX_STEM, stem, slen, NULL, 0);
    if (!n) return XC_ENOMEM;
    int rc = xc_doc_add_term(ix->doc, ix->term, n, 1, xerr);
    if (rc != XC_OK) return rc;
    size_t kl = sv_skeleton(norm, nlen, skel, sizeof skel);
    if (!kl) return XC_OK; /* cannot happen for tokens <= SV_TOKEN_MAX */
    n = make_term(ix, DX_PREFIX_FORM, skel, kl, norm, nlen);
    if (!n) return XC_ENOMEM;
    return xc_doc_add_posting(ix->doc, ix->term, n, pos, 1, xerr);
}

/* Compresses a passage into ix->zbuf behind the data header. */
static int pack_data(dx_indexer *ix, const char *text, size_t len,
                     size_t offset, size_t *outlen)
{
    if (!ix->z_ready) {
        memset(&ix->z, 0, sizeof ix->z);
        if (deflateInit(&ix->z, 6) != Z_OK) return -1;
        ix->z_ready = 1;
    } else if (deflateReset(&ix->z) != Z_OK) {
        return -1;
    }
    size_t need = DX_DATA_HEADER + deflateBound(&ix->z, (uLong)len);
    if (need > ix->zcap) {
        unsigned char *b = realloc(ix->zbuf, need);
        if (!b) return -1;
        ix->zbuf = b;
        ix->zcap = need;
    }
    ix->zbuf[0] = DX_DATA_VERSION;
    dx_put_be32(ix->zbuf + 1, (uint32_t)len);
    dx_put_be32(ix->zbuf + 5, (uint32_t)offset);
    ix->z.next_in = (Bytef *)(uintptr_t)text;
    ix->z.avail_in = (uInt)len;
    ix->z.next_out = ix->zbuf + DX_DATA_HEADER;
    ix->z.avail_out = (uInt)(need - DX_DATA_HEADER);
    if (deflate(&ix->z, Z_FINISH) != Z_STREAM_END) return -1;
    *outlen = DX_DATA_HEADER + ix->z.total_out;
    return 0;
}

/* Writes one passage as one Xapian document. */
static int add_passage(dx_indexer *ix, const char *docid, size_t idlen,
                       const char *key, const char *text, size_t len,
                       size_t offset, unsigned number, char *err,
                       size_t errlen)
{
    char *xerr = NULL;
    int rc = XC_OK;
    xc_doc_clear(ix->doc);
    if (sv_tokenize(text, len, &ix->toks) != SV_OK) rc = XC_ENOMEM;
    for (size_t i = 0; rc == XC_OK && i < ix->toks.n; i++) {
        const sv_token *k = &ix->toks.tok[i];
        if (k->flags & SV_TOKF_LONG) continue;
        rc = add_word(ix, sv_token_norm(&ix->toks, k), k->normlen,
                      k->kind == SV_TOK_WORD, k->pos, &xerr);
        if (rc == XC_OK && (k->flags & SV_TOKF_MAYBE_I))
            rc = add_word(ix, "i", 1, 1, k->pos, &xerr);
    }
    size_t n = make_term(ix, DX_PREFIX_DOC, key, strlen(key), NULL, 0);
    if (rc == XC_OK && !n) rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(ix->doc, ix->term, n, &xerr);
    if (rc == XC_OK)
        rc = xc_doc_set_value(ix->doc, DX_SLOT_DOCID, docid, idlen, &xerr);
    unsigned char be[4];
    dx_put_be32(be, number);
    if (rc == XC_OK)
        rc = xc_doc_set_value(ix->doc, DX_SLOT_PASSAGE, (const char *)be, 4,
                              &xerr);
    size_t dlen = 0;
    if (rc == XC_OK && pack_data(ix, text, len, offset, &dlen) != 0)
        rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_set_data(ix->doc, (const char *)ix->zbuf, dlen, &xerr);
    if (rc == XC_OK) rc = xc_wdb_add(ix->w, ix->doc, NULL, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "adding passage");
    ix->stats.passages++;
    return DXI_OK;
}

/* Replaces every passage of docid (key: its dx_doc_key) with those of the
 * (raw) file content. */
static int index_text(dx_indexer *ix, const char *docid, const char *key,
                      const char *raw, size_t rawlen, unsigned *npassages,
                      char *err, size_t errlen)
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
    size_t tn = make_term(ix, DX_PREFIX_DOC, key, strlen(key), NULL, 0);
    int rc = tn ? xc_wdb_delete_by_term(ix->w, ix->term, tn, &xerr)
                : XC_ENOMEM;
    if (rc != XC_OK) {
        free(text);
        free(sp);
        return db_error(rc, xerr, err, errlen, "removing old passages");
    }
    int res = DXI_OK;
    for (size_t i = 0; res == DXI_OK && i < n; i++)
        res = add_passage(ix, docid, idlen, key, text + sp[i].start,
                          sp[i].end - sp[i].start, sp[i].start, (unsigned)i,
                          err, errlen);
    ix->stats.bytes += len;
    ix->pending_bytes += len;
    *npassages = (unsigned)n;
    free(text);
    free(sp);
    return res;
}

/* --------------------------------------------------------------- walking */

typedef struct walk_ctx {
    dx_indexer *ix;
    const char *root;
    dx_problem_fn fn;
    void *ctx;
    char *err;
    size_t errlen;
    int rc;
} walk_ctx;

static int on_file(void *p, const dx_entry *e)
{
    walk_ctx *c = p;
    dx_indexer *ix = c->ix;
    record r;
    char key[DX_DOC_KEY_MAX + 1];
    dx_doc_key(e->docid, strlen(e->docid), key);
    if (strset_add(&ix->seen, key) != 0) {
        c->rc = DXI_ENOMEM;
        seterr(c->err, c->errlen, "out of memory");
        return 1;
    }
    c->rc = get_record(ix, key, &r, c->err, c->errlen);
    if (c->rc != DXI_OK) return 1;
    if (r.found && strcmp(r.root, c->root) == 0 && r.size == e->size &&
        r.mtime == e->mtime_ns) {
        ix->stats.unchanged++;
        return 0;
    }

    char why[512] = "";
    char *raw = NULL;
    size_t rawlen = 0;
    int rrc = dx_read_file(e->path, &raw, &rawlen, why, sizeof why);
    if (rrc != DX_OK) {
        /* The old passages (if any) stay: nothing is lost. */
        if (c->fn) c->fn(c->ctx, e->path, why[0] ? why : dx_strerror(rrc));
        ix->stats.failed++;
        return 0;
    }
    unsigned np = 0;
    c->rc = index_text(ix, e->docid, key, raw, rawlen, &np, c->err,
                       c->errlen);
    free(raw);
    if (c->rc == DXI_OK)
        c->rc = put_record(ix, key, c->root, e, np, c->err, c->errlen);
    if (c->rc != DXI_OK) return 1;
    if (r.found) ix->stats.updated++;
    else ix->stats.added++;
    if (++ix->pending_files >= BATCH_FILES ||
        ix->pending_bytes >= BATCH_BYTES)
        c->rc = commit(ix, c->err, c->errlen);
    return c->rc != DXI_OK;
}

static void on_walk_error(void *p, const char *path, const char *why)
{
    walk_ctx *c = p;
    if (c->fn) c->fn(c->ctx, path, why);
    c->ix->stats.failed++;
}

/* ------------------------------------------------------------ public API */

int dx_indexer_open(const char *dbpath, int full, dx_indexer **out,
                    char *err, size_t errlen)
{
    char *xerr = NULL;
    *out = NULL;
    dx_indexer *ix = calloc(1, sizeof *ix);
    if (!ix) {
        seterr(err, errlen, "out of memory");
        return DXI_ENOMEM;
    }
    int rc = xc_wdb_open(dbpath, full ? XC_CREATE_OR_OVERWRITE
                                      : XC_CREATE_OR_OPEN, &ix->w, &xerr);
    if (rc != XC_OK) {
        int res = db_error(rc, xerr, err, errlen, dbpath);
        dx_indexer_close(ix);
        return res;
    }
    rc = xc_doc_new(&ix->doc, &xerr);
    if (rc != XC_OK) {
        int res = db_error(rc, xerr, err, errlen, "new document");
        dx_indexer_close(ix);
        return res;
    }
    if (sv_stemmer_new(&ix->st) != SV_OK) {
        seterr(err, errlen, "cannot create the Swedish stemmer");
        dx_indexer_close(ix);
        return DXI_ENOMEM;
    }

    /* The analysis fingerprint: a database analysed otherwise is refused
     * rather than mixed. */
    xc_db *db = xc_wdb_reader(ix->w);
    char *val = NULL;
    size_t vlen = 0;
    unsigned count = 0;
    const char *fp = sv_fingerprint();
    rc = xc_db_get_metadata(db, DX_META_ANALYSIS, strlen(DX_META_ANALYSIS),
                            &val, &vlen, &xerr);
    if (rc == XC_OK) rc = xc_db_doccount(db, &count, &xerr);
    if (rc != XC_OK) {
        xc_free(val);
        int res = db_error(rc, xerr, err, errlen, dbpath);
        dx_indexer_close(ix);
        return res;
    }
    int same = val && vlen == strlen(fp) && memcmp(val, fp, vlen) == 0;
    xc_free(val);
    if (count > 0 && !same) {
        seterr(err, errlen,
               "%s was indexed with a different analysis (another diarium "
               "version); rebuild it with: diarium-index --full", dbpath);
        dx_indexer_close(ix);
        return DXI_EANALYSIS;
    }
    char ver[16];
    snprintf(ver, sizeof ver, "%d", DX_FORMAT_VERSION);
    rc = xc_wdb_set_metadata(ix->w, DX_META_ANALYSIS, strlen(DX_META_ANALYSIS),
                             fp, strlen(fp), &xerr);
    if (rc == XC_OK)
        rc = xc_wdb_set_metadata(ix->w, DX_META_FORMAT, strlen(DX_META_FORMAT),
                                 ver, strlen(ver), &xerr);
    if (rc != XC_OK) {
        int res = db_error(rc, xerr, err, errlen, dbpath);
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
    char **roots = r ? realloc(ix->roots, (ix->nroots + 1) * sizeof *roots)
                     : NULL;
    if (!roots) {
        free(r);
        seterr(err, errlen, "out of memory");
        return DXI_ENOMEM;
    }
    ix->roots = roots;
    ix->roots[ix->nroots++] = r;

    walk_ctx c = {ix, r, fn, ctx, err, errlen, DXI_OK};
    int wrc = dx_walk(root, on_file, on_walk_error, &c);
    if (c.rc != DXI_OK) return c.rc;
    if (wrc == DX_ENOMEM) {
        seterr(err, errlen, "out of memory");
        return DXI_ENOMEM;
    }
    return DXI_OK;
}

static int root_indexed(const dx_indexer *ix, const char *root)
{
    for (size_t i = 0; i < ix->nroots; i++)
        if (strcmp(ix->roots[i], root) == 0) return 1;
    return 0;
}

int dx_indexer_finish(dx_indexer *ix, char *err, size_t errlen)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    strset gone = {0};
    int rc = xc_db_allterms(xc_wdb_reader(ix->w), "Q", 1, &it, &xerr);
    if (rc != XC_OK) return db_error(rc, xerr, err, errlen, "listing");
    const char *t;
    size_t tl;
    char id[4200];
    int res = DXI_OK;
    while ((rc = xc_termiter_next(it, &t, &tl, NULL, &xerr)) == 1) {
        if (tl - 1 >= sizeof id) continue;
        memcpy(id, t + 1, tl - 1);
        id[tl - 1] = '\0';
        if (strset_has(&ix->seen, id)) continue;
        if (strset_add(&gone, id) != 0) { res = DXI_ENOMEM; break; }
    }
    xc_termiter_free(it);
    if (rc < 0) {
        strset_free(&gone);
        return db_error(rc, xerr, err, errlen, "listing");
    }
    for (size_t i = 0; res == DXI_OK && i < gone.cap; i++) {
        if (!gone.v[i]) continue;
        record r;
        res = get_record(ix, gone.v[i], &r, err, errlen);
        if (res != DXI_OK || !r.found || !root_indexed(ix, r.root)) continue;
        size_t n = make_term(ix, DX_PREFIX_DOC, gone.v[i], strlen(gone.v[i]),
                             NULL, 0);
        char key[4200];
        int kn = snprintf(key, sizeof key, "%s%s", DX_META_DOC, gone.v[i]);
        rc = n ? xc_wdb_delete_by_term(ix->w, ix->term, n, &xerr) : XC_ENOMEM;
        if (rc == XC_OK && kn > 0 && (size_t)kn < sizeof key)
            rc = xc_wdb_set_metadata(ix->w, key, (size_t)kn, "", 0, &xerr);
        if (rc != XC_OK) res = db_error(rc, xerr, err, errlen, "removing");
        else ix->stats.removed++;
    }
    strset_free(&gone);
    if (res == DXI_OK) res = commit(ix, err, errlen);
    return res;
}

const dx_stats *dx_indexer_stats(const dx_indexer *ix) { return &ix->stats; }

void dx_indexer_close(dx_indexer *ix)
{
    if (!ix) return;
    /* Uncommitted changes are thrown away: open a transaction so that
     * Xapian's close() does not commit them. */
    if (ix->w && (ix->pending_files || ix->pending_bytes))
        xc_wdb_begin_transaction(ix->w, 0, NULL);
    xc_wdb_close(ix->w);
    xc_doc_free(ix->doc);
    sv_stemmer_free(ix->st);
    sv_tokens_free(&ix->toks);
    if (ix->z_ready) deflateEnd(&ix->z);
    free(ix->zbuf);
    free(ix->term);
    strset_free(&ix->seen);
    for (size_t i = 0; i < ix->nroots; i++) free(ix->roots[i]);
    free(ix->roots);
    free(ix);
}
