/*
 * ds_pool.c — read handles on the database, one per worker (see
 * ds_pool.h).
 */
#include "ds_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ds_pool {
    char **dbs;       /* the databases, searched as one */
    size_t ndbs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dq_engine **slot; /* engines (NULL: not opened) */
    int *busy;
    unsigned n;
};

/* Opens an engine on the pool's databases. */
static int open_engine(ds_pool *p, dq_engine **e, char *err, size_t errlen)
{
    return dq_engine_open_many((const char *const *)p->dbs, p->ndbs, e, err,
                               errlen);
}

int ds_pool_new(const char *const *dbs, size_t ndbs, unsigned n,
                ds_pool **out, char *err, size_t errlen)
{
    *out = NULL;
    if (n == 0) n = 1;
    ds_pool *p = calloc(1, sizeof *p);
    if (!p) return DQ_ENOMEM;
    p->n = n;
    p->dbs = calloc(ndbs ? ndbs : 1, sizeof *p->dbs);
    p->slot = calloc(n, sizeof *p->slot);
    p->busy = calloc(n, sizeof *p->busy);
    int ok = p->dbs && p->slot && p->busy;
    for (size_t i = 0; ok && i < ndbs; i++, p->ndbs++)
        ok = (p->dbs[i] = strdup(dbs[i])) != NULL;
    if (!ok) {
        for (size_t i = 0; i < p->ndbs; i++) free(p->dbs[i]);
        free(p->dbs);
        free(p->slot);
        free(p->busy);
        free(p);
        return DQ_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    int rc = open_engine(p, &p->slot[0], err, errlen);
    if (rc != DQ_OK) {
        ds_pool_free(p);
        return rc;
    }
    *out = p;
    return DQ_OK;
}

void ds_pool_free(ds_pool *p)
{
    if (!p) return;
    for (unsigned i = 0; i < p->n; i++) dq_engine_close(p->slot[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->slot);
    free(p->busy);
    for (size_t i = 0; i < p->ndbs; i++) free(p->dbs[i]);
    free(p->dbs);
    free(p);
}

int ds_pool_acquire(ds_pool *p, dq_engine **e, char *err, size_t errlen)
{
    *e = NULL;
    pthread_mutex_lock(&p->mu);
    unsigned i;
    for (;;) {
        /* An engine already open first; else any free slot. */
        unsigned pick = p->n;
        for (i = 0; i < p->n; i++)
            if (!p->busy[i] && (p->slot[i] || pick == p->n)) {
                pick = i;
                if (p->slot[i]) break;
            }
        if (pick < p->n) {
            i = pick;
            break;
        }
        pthread_cond_wait(&p->cv, &p->mu);
    }
    p->busy[i] = 1;
    pthread_mutex_unlock(&p->mu);
    int rc = DQ_OK;
    if (!p->slot[i]) rc = open_engine(p, &p->slot[i], err, errlen);
    if (rc != DQ_OK) {
        pthread_mutex_lock(&p->mu);
        p->busy[i] = 0;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return rc;
    }
    *e = p->slot[i];
    return DQ_OK;
}

void ds_pool_release(ds_pool *p, dq_engine *e, int bad)
{
    if (!e) return;
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        if (p->slot[i] == e && p->busy[i]) {
            if (bad) p->slot[i] = NULL;
            p->busy[i] = 0;
            break;
        }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (bad) dq_engine_close(e);
}

/* What one call does on an engine. */
typedef struct job {
    int kind; /* 0 search, 1 doc root, 2 stats */
    const char *q;
    size_t len;
    const dq_options *o;
    dq_results **out;
    size_t *erroff;
    const char *doc;
    char **root;
    unsigned *np, *nd;
} job;

static int run_job(dq_engine *e, const job *j, char *err, size_t errlen)
{
    switch (j->kind) {
    case 0:
        return dq_search(e, j->q, j->len, j->o, j->out, err, errlen,
                         j->erroff);
    case 1:
        return dq_engine_doc_root(e, j->doc, j->root, err, errlen);
    default:
        return dq_engine_stats(e, j->np, j->nd, err, errlen);
    }
}

/* Runs j on a pooled engine; after a database error, once more on a
 * freshly opened one (the database was swapped or removed under it). */
static int with_engine(ds_pool *p, const job *j, char *err, size_t errlen)
{
    int rc = DQ_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        dq_engine *e = NULL;
        rc = ds_pool_acquire(p, &e, err, errlen);
        if (rc != DQ_OK) return rc;
        rc = run_job(e, j, err, errlen);
        ds_pool_release(p, e, rc == DQ_EDB);
        if (rc != DQ_EDB) break;
    }
    return rc;
}

int ds_pool_search(ds_pool *p, const char *q, size_t len,
                   const dq_options *o, dq_results **out, char *err,
                   size_t errlen, size_t *erroff)
{
    job j = {.kind = 0, .q = q, .len = len, .o = o, .out = out,
             .erroff = erroff};
    return with_engine(p, &j, err, errlen);
}

int ds_pool_doc_root(ds_pool *p, const char *doc, char **root, char *err,
                     size_t errlen)
{
    job j = {.kind = 1, .doc = doc, .root = root};
    return with_engine(p, &j, err, errlen);
}

int ds_pool_stats(ds_pool *p, unsigned *passages, unsigned *documents,
                  char *err, size_t errlen)
{
    job j = {.kind = 2, .np = passages, .nd = documents};
    return with_engine(p, &j, err, errlen);
}
