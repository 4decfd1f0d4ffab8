/*
 * ds_pool.h — read handles on the database, one per worker thread.
 *
 * Where it sits: serve/, between the HTTP workers (ds_server.c) and
 * query/'s engine. A dq_engine is not thread-safe; the pool holds as many
 * engines as the server has worker threads, each opened on first use, and
 * a request takes one for as long as it runs. An engine follows the
 * database as diarium-index commits (dq_search reopens on a database that
 * moved on); ds_pool_search also replaces an engine whose database has
 * gone from under it (a --full swap) and runs the query again, so a
 * request never fails because of a concurrent indexing run.
 */
#ifndef DIARIUM_DS_POOL_H
#define DIARIUM_DS_POOL_H

#include <stddef.h>

#include "dq_search.h"

typedef struct ds_pool ds_pool;

/* Creates a pool of n engines on the ndbs (>= 1) databases dbs[],
 * searched as one (dq_engine_open_many; the strings are copied), and
 * opens the first engine to check that they can be read. Returns DQ_OK;
 * dq_engine_open's codes with err (DQ_ENODB, DQ_EANALYSIS, DQ_EDB);
 * DQ_ENOMEM. */
int ds_pool_new(const char *const *dbs, size_t ndbs, unsigned n,
                ds_pool **out, char *err, size_t errlen);
void ds_pool_free(ds_pool *p);

/* Takes an engine, waiting while all are in use, opening it if needed.
 * Returns DQ_OK and *e; dq_engine_open's codes with err. Give it back with
 * ds_pool_release (also after an error: pass bad = 1 to have it closed and
 * opened afresh next time). */
int ds_pool_acquire(ds_pool *p, dq_engine **e, char *err, size_t errlen);
void ds_pool_release(ds_pool *p, dq_engine *e, int bad);

/* dq_search on an engine of the pool (taken and given back here); a
 * DQ_EDB is answered by opening the engine afresh and running the query
 * once more. Returns as dq_search, or dq_engine_open's codes. */
int ds_pool_search(ds_pool *p, const char *q, size_t len,
                   const dq_options *o, dq_results **out, char *err,
                   size_t errlen, size_t *erroff);

/* dq_engine_doc_root on an engine of the pool (same retry). */
int ds_pool_doc_root(ds_pool *p, const char *doc, char **root, char *err,
                     size_t errlen);

/* dq_engine_stats on an engine of the pool (same retry). */
int ds_pool_stats(ds_pool *p, unsigned *passages, unsigned *documents,
                  char *err, size_t errlen);

#endif /* DIARIUM_DS_POOL_H */
