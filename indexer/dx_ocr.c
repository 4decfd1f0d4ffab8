/*
 * dx_ocr.c — scanned pages in an indexing run: the OCR cache, pages read
 * on several readers, what is said of pages not read (see dx_ocr.h).
 */
#define _GNU_SOURCE /* gettid */
#include "dx_ocr.h"

#include "dx_format.h"
#include "dx_index_int.h"
#include "dx_record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "DXOCR1\n"
#define ENTRY_MAX ((size_t)64 << 20) /* the largest cache file read */

struct dx_ocr {
    char *dir;            /* DIR/ocr-cache */
    dx_ocr_opts o;
    pthread_mutex_t mu;   /* guards everything below */
    int model_known;      /* 1: model; -1: OCR cannot run (noocr) */
    char *model;
    uint64_t model_hash;
    char noocr[512];
    ex_reader **pool;     /* the helpers' readers, opened when first used */
    size_t npool;
    int pool_busy;
    unsigned done, total; /* pages read by OCR in this run, and to read */
};

int dx_ocr_open(const char *dbdir, const dx_ocr_opts *o, dx_ocr **out)
{
    *out = NULL;
    dx_ocr *oc = calloc(1, sizeof *oc);
    size_t n = strlen(dbdir) + sizeof DX_OCR_CACHE + 2;
    if (!oc || !(oc->dir = malloc(n))) {
        free(oc);
        return DX_ENOMEM;
    }
    snprintf(oc->dir, n, "%s/%s", dbdir, DX_OCR_CACHE);
    if (o) oc->o = *o;
    pthread_mutex_init(&oc->mu, NULL);
    *out = oc;
    return DX_OK;
}

void dx_ocr_close(dx_ocr *oc)
{
    if (!oc) return;
    for (size_t i = 0; i < oc->npool; i++) ex_reader_close(oc->pool[i]);
    free(oc->pool);
    free(oc->model);
    free(oc->dir);
    pthread_mutex_destroy(&oc->mu);
    free(oc);
}

/* ------------------------------------------------------------------------ */
/* The cache                                                                */

/* a "/" b into out (n bytes); -1 when it does not fit. */
static int join(char *out, size_t n, const char *a, const char *b)
{
    int k = snprintf(out, n, "%s/%s", a, b);
    return k > 0 && (size_t)k < n ? 0 : -1;
}

static int entry_path(const dx_ocr *oc, uint64_t hash, unsigned page,
                      char *out, size_t n)
{
    int k = snprintf(out, n, "%s/%016llx/%u-%016llx", oc->dir,
                     (unsigned long long)hash, page,
                     (unsigned long long)oc->model_hash);
    return k > 0 && (size_t)k < n ? 0 : -1;
}

/* Reads a whole file of at most ENTRY_MAX bytes; NULL when it cannot. */
static char *read_small(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char *b = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= ENTRY_MAX &&
        (b = malloc((size_t)st.st_size))) {
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
            if (k > 0) got += (size_t)k;
            else if (k < 0 && errno == EINTR) continue;
            else break;
        }
        if (got != (size_t)st.st_size) {
            free(b);
            b = NULL;
        }
        *len = got;
    }
    close(fd);
    return b;
}

/* Splits an entry into its model string and its page; -1 when it is not
 * one. */
static int entry_parse(const char *b, size_t n, const char **model,
                       size_t *mlen, const char **page, size_t *plen)
{
    size_t k = sizeof MAGIC - 1;
    if (n < k || memcmp(b, MAGIC, k) != 0) return -1;
    const char *nl = memchr(b + k, '\n', n - k);
    if (!nl) return -1;
    *model = b + k;
    *mlen = (size_t)(nl - (b + k));
    *page = nl + 1;
    *plen = n - (size_t)(nl + 1 - b);
    return 0;
}

/* The cached page, or NULL (none, another model's, damaged). */
static ex_scan *cache_get(const dx_ocr *oc, uint64_t hash, unsigned page)
{
    char path[4400];
    if (entry_path(oc, hash, page, path, sizeof path) != 0) return NULL;
    size_t n = 0;
    char *b = read_small(path, &n);
    if (!b) return NULL;
    const char *m, *p;
    size_t ml, pl;
    ex_scan *s = NULL;
    if (entry_parse(b, n, &m, &ml, &p, &pl) == 0 &&
        ml == strlen(oc->model) && memcmp(m, oc->model, ml) == 0 &&
        ex_scan_decode(p, pl, &s) == EX_OK && s->page != page) {
        ex_scan_free(s);
        s = NULL;
    }
    free(b);
    return s;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k > 0) {
            c += k;
            n -= (size_t)k;
        } else if (k < 0 && errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

/* Keeps a page: best effort (a cache that cannot be written costs time,
 * never the index). */
static void cache_put(const dx_ocr *oc, uint64_t hash, const ex_scan *s)
{
    char path[4400], tmp[4500], sub[4400];
    if (entry_path(oc, hash, s->page, path, sizeof path) != 0) return;
    int k = snprintf(sub, sizeof sub, "%s/%016llx", oc->dir,
                     (unsigned long long)hash);
    if (k < 0 || (size_t)k >= sizeof sub) return;
    if (mkdir(oc->dir, 0777) != 0 && errno != EEXIST) return;
    if (mkdir(sub, 0777) != 0 && errno != EEXIST) return;
    k = snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%ld-%u", sub, (long)getpid(),
                 (long)gettid(), s->page);
    if (k < 0 || (size_t)k >= sizeof tmp) return;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return;
    int bad = write_all(fd, MAGIC, sizeof MAGIC - 1) != 0 ||
              write_all(fd, oc->model, strlen(oc->model)) != 0 ||
              write_all(fd, "\n", 1) != 0 ||
              write_all(fd, s->bytes, s->len) != 0;
    if (close(fd) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) unlink(tmp);
}

/* ------------------------------------------------------------------------ */
/* Reading a document                                                       */

/* What OCR reads with, asked once per run; 0; -1 when OCR cannot run
 * (oc->noocr says why, for the rest of the run); -2 when the reader could
 * not be asked (why says why; asked again next time). */
static int know_model(dx_ocr *oc, ex_reader *rd, char *why, size_t whylen)
{
    pthread_mutex_lock(&oc->mu);
    int known = oc->model_known;
    pthread_mutex_unlock(&oc->mu);
    if (known) return known > 0 ? 0 : -1;
    char *m = NULL, w[512] = "";
    int rc = ex_ocr_model(rd, NULL, &m, w, sizeof w);
    pthread_mutex_lock(&oc->mu);
    if (!oc->model_known) {
        if (rc == EX_OK) {
            oc->model = m;
            oc->model_hash = dx_content_hash(m, strlen(m));
            oc->model_known = 1;
            m = NULL;
        } else if (rc == EX_ENOOCR) {
            snprintf(oc->noocr, sizeof oc->noocr, "%s", w);
            oc->model_known = -1;
        }
        /* Anything else (a worker that cannot start): asked again. */
    }
    known = oc->model_known;
    pthread_mutex_unlock(&oc->mu);
    free(m);
    if (!known) {
        snprintf(why, whylen, "%s", w[0] ? w : ex_strerror(rc));
        return -2;
    }
    return known > 0 ? 0 : -1;
}

static void progress(dx_ocr *oc, unsigned done, unsigned total)
{
    pthread_mutex_lock(&oc->mu);
    oc->done += done;
    oc->total += total;
    if (oc->o.pages_read) *oc->o.pages_read += done;
    if (oc->o.progress) oc->o.progress(oc->o.ctx, oc->done, oc->total);
    pthread_mutex_unlock(&oc->mu);
}

/* The pages of one document to read, shared by the threads reading them. */
typedef struct pages {
    dx_ocr *oc;
    ex_type type;
    const char *raw;
    size_t len;
    uint64_t hash;
    const unsigned *num; /* page numbers */
    ex_scan **sc;        /* what was read, by index */
    size_t n;
    size_t next;         /* the next index to take */
    int nomem;
    pthread_mutex_t mu;
} pages;

static void read_pages_on(pages *ps, ex_reader *r)
{
    for (;;) {
        pthread_mutex_lock(&ps->mu);
        size_t i = ps->next < ps->n && !ps->nomem ? ps->next++ : ps->n;
        pthread_mutex_unlock(&ps->mu);
        if (i >= ps->n) return;
        char why[512] = "";
        ex_scan *s = NULL;
        int rc = ex_ocr_page(r, ps->type, ps->raw, ps->len, ps->num[i], NULL,
                             &s, why, sizeof why);
        if (rc == EX_OK)
            cache_put(ps->oc, ps->hash, s);
        else if (rc == EX_ENOMEM || ex_scan_failed(ps->num[i], why, &s) !=
                                        EX_OK)
            s = NULL;
        pthread_mutex_lock(&ps->mu);
        ps->sc[i] = s;
        if (!s) ps->nomem = 1;
        pthread_mutex_unlock(&ps->mu);
        progress(ps->oc, 1, 0);
    }
}

static void *helper_main(void *arg)
{
    void **a = arg;
    read_pages_on(a[0], a[1]);
    return NULL;
}

/* Takes up to want readers of the pool (opening them as needed); the
 * number taken (0 when another document has them). */
static size_t pool_take(dx_ocr *oc, size_t want)
{
    pthread_mutex_lock(&oc->mu);
    if (oc->pool_busy || want == 0) {
        pthread_mutex_unlock(&oc->mu);
        return 0;
    }
    if (oc->npool < want) {
        ex_reader **p = realloc(oc->pool, want * sizeof *p);
        if (p) {
            oc->pool = p;
            while (oc->npool < want) {
                char err[256];
                if (ex_reader_open(oc->o.program, oc->o.lim,
                                   &oc->pool[oc->npool], err,
                                   sizeof err) != EX_OK)
                    break;
                oc->npool++;
            }
        }
    }
    size_t got = oc->npool < want ? oc->npool : want;
    if (got) oc->pool_busy = 1;
    pthread_mutex_unlock(&oc->mu);
    return got;
}

static void pool_give(dx_ocr *oc)
{
    pthread_mutex_lock(&oc->mu);
    oc->pool_busy = 0;
    pthread_mutex_unlock(&oc->mu);
}

/* Reads pages num[0..n) by OCR into sc[] on rd and helpers. EX_OK or
 * EX_ENOMEM. */
static int read_pages(dx_ocr *oc, ex_reader *rd, unsigned helpers,
                      ex_type type, const char *raw, size_t len,
                      uint64_t hash, const unsigned *num, ex_scan **sc,
                      size_t n)
{
    pages ps = {oc, type, raw, len, hash, num, sc, n, 0, 0,
                PTHREAD_MUTEX_INITIALIZER};
    size_t h = pool_take(oc, helpers < n - 1 ? helpers : n - 1);
    pthread_t th[64];
    void *args[64][2];
    size_t started = 0;
    for (size_t i = 0; i < h && i < 64; i++) {
        args[i][0] = &ps;
        args[i][1] = oc->pool[i];
        if (pthread_create(&th[started], NULL, helper_main, args[i]) != 0)
            break;
        started++;
    }
    read_pages_on(&ps, rd);
    for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    if (h) pool_give(oc);
    pthread_mutex_destroy(&ps.mu);
    return ps.nomem ? EX_ENOMEM : EX_OK;
}

int dx_ocr_read(dx_ocr *oc, ex_reader *rd, unsigned helpers, ex_type type,
                const char *raw, size_t rawlen, uint64_t hash, ex_doc **out,
                char *why, size_t whylen)
{
    *out = NULL;
    ex_options opt = {oc->o.off ? EX_OCR_OFF : EX_OCR_GIVEN, NULL, NULL, 0,
                      NULL, NULL};
    ex_doc *d = NULL;
    int rc = ex_read_with(rd, type, raw, rawlen, &opt, &d, why, whylen);
    if (rc != EX_OK || oc->o.off) {
        *out = d;
        return rc;
    }
    /* The scans left unread. */
    size_t n = 0;
    for (size_t i = 0; i < d->npages; i++)
        if ((d->pages[i].flags & (EX_PAGE_NO_TEXT | EX_PAGE_FAILED)) ==
            EX_PAGE_NO_TEXT)
            n++;
    if (n == 0) {
        *out = d;
        return EX_OK;
    }
    int km = know_model(oc, rd, why, whylen);
    if (km == -2) {
        ex_doc_free(d);
        return EX_EIO;
    }
    if (km != 0) {
        /* No OCR: each scan fails with the reason (oc->noocr, which is
         * set once and lives as long as oc, beyond the document). */
        for (size_t i = 0; i < d->npages; i++)
            if ((d->pages[i].flags & (EX_PAGE_NO_TEXT | EX_PAGE_FAILED)) ==
                EX_PAGE_NO_TEXT) {
                d->pages[i].flags |= EX_PAGE_FAILED;
                d->pages[i].why = oc->noocr;
            }
        *out = d;
        return EX_OK;
    }
    unsigned *todo = malloc(n * sizeof *todo);
    ex_scan **sc = calloc(n, sizeof *sc), **fresh = calloc(n, sizeof *fresh);
    rc = todo && sc && fresh ? EX_OK : EX_ENOMEM;
    size_t k = 0, m = 0;
    for (size_t i = 0; rc == EX_OK && i < d->npages; i++) {
        const ex_page *p = &d->pages[i];
        if ((p->flags & (EX_PAGE_NO_TEXT | EX_PAGE_FAILED)) != EX_PAGE_NO_TEXT)
            continue;
        sc[k] = cache_get(oc, hash, p->number);
        if (sc[k] && sc[k]->why && oc->o.retry_failed) {
            ex_scan_free(sc[k]);
            sc[k] = NULL;
        }
        if (!sc[k]) todo[m++] = p->number;
        k++;
    }
    if (rc == EX_OK && m) {
        progress(oc, 0, (unsigned)m);
        rc = read_pages(oc, rd, helpers, type, raw, rawlen, hash, todo,
                        fresh, m);
        /* Into their places among the cached ones (sc owns them then). */
        for (size_t i = 0, j = 0; i < k && j < m; i++)
            if (!sc[i]) {
                sc[i] = fresh[j];
                fresh[j++] = NULL;
            }
    }
    if (rc == EX_OK) {
        opt.given = (const ex_scan *const *)sc;
        opt.ngiven = k;
        ex_doc *d2 = NULL;
        rc = ex_read_with(rd, type, raw, rawlen, &opt, &d2, why, whylen);
        if (rc == EX_OK) {
            ex_doc_free(d);
            d = d2;
        }
    }
    for (size_t i = 0; sc && i < k; i++) ex_scan_free(sc[i]);
    for (size_t i = 0; fresh && i < m; i++) ex_scan_free(fresh[i]);
    free(sc);
    free(fresh);
    free(todo);
    if (rc != EX_OK) {
        ex_doc_free(d);
        return rc;
    }
    *out = d;
    return EX_OK;
}

/* "2", "2 and 5", "2-4 and 7" of the pages of d whose flags are `want`
 * (after masking) and whose reason is `why` (NULL: any). */
static void page_list(const ex_doc *d, unsigned want, const char *why,
                      char *out, size_t outlen, unsigned *count)
{
    size_t o = 0;
    *count = 0;
    out[0] = '\0';
    unsigned runs[3][2];
    size_t nruns = 0, more = 0;
    unsigned mask = EX_PAGE_NO_TEXT | EX_PAGE_FAILED;
    for (size_t i = 0; i < d->npages; i++) {
        const ex_page *p = &d->pages[i];
        if ((p->flags & mask) != want) continue;
        if (why && (!p->why || strcmp(p->why, why) != 0)) continue;
        (*count)++;
        if (nruns && runs[nruns - 1][1] + 1 == p->number) {
            runs[nruns - 1][1] = p->number;
        } else if (nruns < 3) {
            runs[nruns][0] = runs[nruns][1] = p->number;
            nruns++;
        } else {
            more++;
        }
    }
    for (size_t r = 0; r < nruns; r++) {
        const char *sep = r == 0 ? "" : r + 1 == nruns && !more ? " and "
                                                                : ", ";
        int k = runs[r][0] == runs[r][1]
                    ? snprintf(out + o, outlen - o, "%s%u", sep, runs[r][0])
                    : snprintf(out + o, outlen - o, "%s%u-%u", sep,
                               runs[r][0], runs[r][1]);
        if (k < 0 || (size_t)k >= outlen - o) return;
        o += (size_t)k;
    }
    if (more) snprintf(out + o, outlen - o, " and others");
}

void dx_ocr_note(const dx_ocr *oc, const ex_doc *d, char *note,
                 size_t notelen, unsigned *unread)
{
    if (!notelen) return;
    note[0] = '\0';
    *unread = 0;
    char list[128];
    unsigned c;
    size_t o = 0;
    /* Not read at all (--no-ocr). */
    page_list(d, EX_PAGE_NO_TEXT, NULL, list, sizeof list, &c);
    if (c) {
        *unread += c;
        int k = snprintf(note, notelen, "scanned page%s %s not read%s",
                         c > 1 ? "s" : "", list,
                         oc && oc->o.off ? " (--no-ocr)" : "");
        o = k > 0 && (size_t)k < notelen ? (size_t)k : notelen - 1;
    }
    /* Failed, grouped by reason (the first two reasons). */
    const char *seen[2] = {NULL, NULL};
    for (size_t i = 0; i < d->npages; i++) {
        const ex_page *p = &d->pages[i];
        if (!(p->flags & EX_PAGE_FAILED) || !p->why) continue;
        if ((seen[0] && !strcmp(seen[0], p->why)) ||
            (seen[1] && !strcmp(seen[1], p->why)))
            continue;
        page_list(d, EX_PAGE_NO_TEXT | EX_PAGE_FAILED, p->why, list,
                  sizeof list, &c);
        *unread += c;
        if (seen[0] && seen[1]) continue; /* counted, not told */
        seen[seen[0] ? 1 : 0] = p->why;
        int k = snprintf(note + o, notelen - o, "%spage%s %s not read by "
                         "OCR: %s", o ? "; " : "", c > 1 ? "s" : "", list,
                         p->why);
        o = k > 0 && (size_t)k < notelen - o ? o + (size_t)k : notelen - 1;
    }
}

/* ------------------------------------------------------------------------ */
/* Pruning and checking                                                     */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* 16 hex digits: the hash; -1 when name is not one. */
static int hex16(const char *name, uint64_t *h)
{
    if (strlen(name) != 16) return -1;
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v << 4 | (uint64_t)d;
    }
    *h = v;
    return 0;
}

/* Adds the hashes of every record under prefix to *v. */
static int live_hashes(xc_db *db, const char *prefix, int fail, uint64_t **v,
                       size_t *n, size_t *cap, char *err, size_t errlen)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    size_t plen = strlen(prefix);
    int rc = xc_db_metadata_keys(db, prefix, plen, &it, &xerr);
    const char *k;
    size_t kl;
    while (rc == XC_OK && (rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) ==
                              1) {
        char *val = NULL;
        size_t vlen = 0;
        rc = xc_db_get_metadata(db, k, kl, &val, &vlen, &xerr);
        if (rc != XC_OK) break;
        uint64_t h = 0;
        int ok;
        if (fail) {
            dx_failrec f;
            ok = val && dx_failrec_parse(val, vlen, &f) == DX_OK;
            h = f.hash;
        } else {
            dx_record r;
            ok = val && dx_record_parse(val, vlen, &r) == DX_OK;
            h = r.hash;
        }
        xc_free(val);
        if (!ok) continue;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 1024;
            uint64_t *nv = realloc(*v, nc * sizeof *nv);
            if (!nv) {
                xc_termiter_free(it);
                return DX_ENOMEM;
            }
            *v = nv;
            *cap = nc;
        }
        (*v)[(*n)++] = h;
        rc = XC_OK;
    }
    xc_termiter_free(it);
    if (rc < 0) {
        dx_seterr(err, errlen, "listing the records for the OCR cache: %s",
                  xerr ? xerr : "error");
        xc_free(xerr);
        return DX_EDB;
    }
    return DX_OK;
}

/* Removes the files of one content's folder (all, or only the temporary
 * ones), then the folder when it is empty. */
static void clear_sub(const char *sub, int all)
{
    DIR *d = opendir(sub);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (all || strncmp(e->d_name, ".tmp-", 5) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    rmdir(sub); /* stays when something is left */
}

int dx_ocr_prune(const char *dbdir, xc_db *db, char *err, size_t errlen)
{
    char dir[4200];
    if (join(dir, sizeof dir, dbdir, DX_OCR_CACHE) != 0) return DX_OK;
    DIR *d = opendir(dir);
    if (!d) return DX_OK; /* no cache */
    uint64_t *v = NULL;
    size_t n = 0, cap = 0;
    int res = live_hashes(db, DX_META_DOC, 0, &v, &n, &cap, err, errlen);
    if (res == DX_OK)
        res = live_hashes(db, DX_META_FAIL, 1, &v, &n, &cap, err, errlen);
    if (res == DX_OK) {
        if (n) qsort(v, n, sizeof *v, cmp_u64);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            uint64_t h;
            if (hex16(e->d_name, &h) != 0) continue;
            char sub[4400];
            if (join(sub, sizeof sub, dir, e->d_name) != 0) continue;
            int live = n && bsearch(&h, v, n, sizeof *v, cmp_u64);
            clear_sub(sub, !live);
        }
    }
    closedir(d);
    free(v);
    return res;
}

void dx_ocr_check(const char *dbdir, void (*bad)(void *ctx, const char *what),
                  void *ctx, unsigned *pages, unsigned *docs)
{
    *pages = *docs = 0;
    char dir[4200];
    if (join(dir, sizeof dir, dbdir, DX_OCR_CACHE) != 0) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint64_t h;
        if (hex16(e->d_name, &h) != 0) continue;
        char sub[4400];
        if (join(sub, sizeof sub, dir, e->d_name) != 0) continue;
        DIR *sd = opendir(sub);
        if (!sd) continue;
        (*docs)++;
        struct dirent *f;
        while ((f = readdir(sd)) != NULL) {
            if (f->d_name[0] == '.') continue;
            char path[4700], what[4800];
            if (join(path, sizeof path, sub, f->d_name) != 0) continue;
            unsigned page = 0;
            int used = 0;
            sscanf(f->d_name, "%u-%*16[0-9a-f]%n", &page, &used);
            size_t len = 0;
            char *b = read_small(path, &len);
            const char *m, *p;
            size_t ml, pl;
            ex_scan *s = NULL;
            int ok = b && used == (int)strlen(f->d_name) && page > 0 &&
                     entry_parse(b, len, &m, &ml, &p, &pl) == 0 &&
                     ex_scan_decode(p, pl, &s) == EX_OK && s->page == page;
            ex_scan_free(s);
            free(b);
            if (ok) {
                (*pages)++;
            } else if (bad) {
                int k = snprintf(what, sizeof what, "OCR cache: %s is not a "
                                 "page this build can read", path);
                if (k > 0) bad(ctx, what);
            }
        }
        closedir(sd);
    }
    closedir(d);
}
