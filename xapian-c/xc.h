/*
 * xc.h — a thin C API over Xapian (the only C++ in diarium is behind it).
 *
 * Where it sits: indexer/ and query/ reach the search engine only through
 * this header. It knows nothing of Swedish, passages or documents: it moves
 * byte strings (pointer, length) in and out of Xapian.
 *
 * Conventions (modelled on RocksDB's C API):
 *  - Every handle is opaque. Constructors return an int status and set the
 *    out-pointer; on failure the out-pointer is set to NULL. Destructors
 *    accept NULL.
 *  - Every fallible function returns XC_OK (0) or a negative XC_E* code.
 *    Functions that iterate return 1 for "an item", 0 for "the end".
 *  - The last parameter `char **err` may be NULL. If it is not NULL, *err must
 *    be NULL on entry; on failure it receives a malloc'd message that the
 *    caller releases with xc_free(). On success it is left untouched.
 *  - Byte strings returned to the caller (values, data, metadata, query
 *    descriptions) are malloc'd and released with xc_free().
 *  - No C++ exception ever crosses this API: each entry point catches
 *    everything and maps it to a code.
 *  - A handle is used by one thread at a time.
 */
#ifndef DIARIUM_XC_H
#define DIARIUM_XC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
enum {
    XC_OK = 0,
    XC_ENOMEM = -1,     /* allocation failed (std::bad_alloc) */
    XC_EINVAL = -2,     /* invalid argument (bad op, empty term, ...) */
    XC_ELOCK = -3,      /* database locked by another writer */
    XC_ECORRUPT = -4,   /* database corrupt */
    XC_EMODIFIED = -5,  /* database moved on under a reader: reopen, retry */
    XC_EOPEN = -6,      /* database missing or cannot be opened */
    XC_EVERSION = -7,   /* database format not supported */
    XC_ERANGE = -8,     /* out of range (no such document, slot, ...) */
    XC_EQUERY = -9,     /* the query cannot be run as built */
    XC_EIO = -10,       /* other database error (I/O, disk full, ...) */
    XC_EOTHER = -11,    /* anything else */
    XC_ENETWORK = -12   /* a remote database cannot be reached, or its
                           connection broke or timed out */
};

/* A static English description of an XC_* code (never NULL). */
const char *xc_strerror(int rc);

/* Releases anything this API returned as malloc'd memory (NULL is fine). */
void xc_free(void *p);

/* The Xapian library version, e.g. "1.4.22" (static). */
const char *xc_version(void);

/* What to do when Xapian throws where nothing can catch it. Xapian 1.4
 * throws out of code that must not throw in a few places: seen, a commit
 * whose writes fail on a full disk, inside Xapian's own clean-up, which the
 * C++ runtime answers with std::terminate() and abort(). With a handler
 * set, `fn` is called instead, on the thread that threw, with the XC_E*
 * code and the message (as an entry point would have returned them) and
 * `ctx`; it must not return (it should say what happened, remove what the
 * program was building and _exit()). If it returns, the process aborts as
 * before. The database is then as of its last commit, as after a kill -9.
 * Process-wide (it is std::set_terminate); fn NULL removes it. */
typedef void (*xc_fatal_fn)(int code, const char *msg, void *ctx);
void xc_on_fatal(xc_fatal_fn fn, void *ctx);

typedef struct xc_db xc_db;             /* read-only database(s) */
typedef struct xc_wdb xc_wdb;           /* the one writable database */
typedef struct xc_doc xc_doc;           /* a document being built */
typedef struct xc_query xc_query;       /* an immutable query tree */
typedef struct xc_enquire xc_enquire;   /* a search session over an xc_db */
typedef struct xc_mset xc_mset;         /* one page of results */
typedef struct xc_termiter xc_termiter; /* terms: all, by prefix, or of a doc */
typedef struct xc_valiter xc_valiter;   /* one value slot, by document id */

/* ---------------------------------------------------------------- writing */

enum {
    XC_CREATE_OR_OPEN = 0,      /* open, creating it if missing */
    XC_CREATE_OR_OVERWRITE = 1, /* start from an empty database */
    XC_OPEN = 2,                /* must exist */
    XC_SCRATCH = 3              /* start from an empty database that is
                                   thrown away if the run fails: commits
                                   are not fsync'ed. (Not DB_DANGEROUS:
                                   Xapian 1.4 aborts in commit when a
                                   write fails in that mode.) */
};

/* Opens the writable database at `path` (mode XC_CREATE_OR_OPEN, ...).
 * Returns XC_OK; XC_ELOCK if another writer holds it; XC_EOPEN; XC_ECORRUPT;
 * XC_EVERSION; XC_EIO; XC_ENOMEM. */
int xc_wdb_open(const char *path, int mode, xc_wdb **out, char **err);

/* Closes the database. Changes not committed are discarded when a
 * transaction is open, otherwise committed (Xapian's close()). Accepts NULL.
 * Errors during close are ignored: call xc_wdb_commit() first to see them. */
void xc_wdb_close(xc_wdb *w);

/* Commits all pending changes. XC_OK, XC_EIO, XC_ECORRUPT, XC_ENOMEM. */
int xc_wdb_commit(xc_wdb *w, char **err);

/* Merges the closed databases src[0..n-1] (n >= 1) into a new, compact
 * database at `dst` (a folder that must not hold a database yet), in that
 * order: the documents of src[0] first, then those of src[1], ..., numbered
 * from 1 up. User metadata is copied; for a key set in several sources the
 * value of the first one is kept. Returns XC_OK; XC_EOPEN (a source cannot
 * be opened); XC_ECORRUPT; XC_EIO; XC_ENOMEM; XC_EINVAL (n == 0). */
int xc_compact(const char *const *src, size_t n, const char *dst,
               char **err);

/* Whether documents written from now on have their termlists compressed
 * (on: 1, Xapian's default) or stored as they are (0: bigger, much cheaper
 * to write). For every database and thread of the process: switch it only
 * while no other thread writes. Reading does not depend on it (each item
 * says how it is stored), so a database may hold both kinds. Xapian 1.4
 * has no setting for this; xc_termlist.c says how it is done. Keep it on
 * for writes into a database that must survive a full disk: Xapian 1.4
 * failed cleanly there with compressed termlists, but aborted inside
 * commit_transaction with raw ones. */
void xc_termlist_compression(int on);

/* Transactions: everything between begin and commit becomes visible
 * atomically; cancel throws it away. `flushed` = 1 makes commit_transaction
 * also commit to disk. XC_EINVAL when nesting or with no open transaction. */
int xc_wdb_begin_transaction(xc_wdb *w, int flushed, char **err);
int xc_wdb_commit_transaction(xc_wdb *w, char **err);
int xc_wdb_cancel_transaction(xc_wdb *w, char **err);

/* Adds a document; *docid (may be NULL) receives its id. */
int xc_wdb_add(xc_wdb *w, const xc_doc *doc, unsigned *docid, char **err);

/* Replaces the documents indexed by `term` with `doc` (Xapian's
 * replace_document(term, doc): the lowest matching id is replaced, the others
 * deleted; added when none). *docid may be NULL. */
int xc_wdb_replace_by_term(xc_wdb *w, const char *term, size_t len,
                           const xc_doc *doc, unsigned *docid, char **err);

/* Deletes every document indexed by `term` (none is not an error). */
int xc_wdb_delete_by_term(xc_wdb *w, const char *term, size_t len,
                          char **err);

/* Deletes one document by id. XC_ERANGE when it does not exist. */
int xc_wdb_delete(xc_wdb *w, unsigned docid, char **err);

/* Replaces document `docid` with `doc` (added under that id when there is
 * none). With a document from xc_db_document() of the same database, Xapian
 * rewrites only what changed. XC_EINVAL for docid 0. */
int xc_wdb_replace(xc_wdb *w, unsigned docid, const xc_doc *doc, char **err);

/* Sets (or with vlen == 0, removes) a user metadata entry. */
int xc_wdb_set_metadata(xc_wdb *w, const char *key, size_t klen,
                        const char *val, size_t vlen, char **err);

/* A read view of the writer that sees its uncommitted changes too.
 * Borrowed: valid until xc_wdb_close(w); never pass it to xc_db_close(). */
xc_db *xc_wdb_reader(xc_wdb *w);

/* --------------------------------------------------------------- documents */

int xc_doc_new(xc_doc **out, char **err);
void xc_doc_free(xc_doc *d);

/* Removes all terms, values and data, so the object can be reused. */
void xc_doc_clear(xc_doc *d);

/* A term at a position (positions start at 1), adding `wdfinc` to its wdf. */
int xc_doc_add_posting(xc_doc *d, const char *term, size_t len, unsigned pos,
                       unsigned wdfinc, char **err);

/* A term without position, adding `wdfinc` to its wdf. */
int xc_doc_add_term(xc_doc *d, const char *term, size_t len, unsigned wdfinc,
                    char **err);

/* A boolean (wdf 0) term, for filtering and unique ids. */
int xc_doc_add_boolean_term(xc_doc *d, const char *term, size_t len,
                            char **err);

/* Value slot `slot` (sortable / filterable bytes). */
int xc_doc_set_value(xc_doc *d, unsigned slot, const char *v, size_t len,
                     char **err);

/* The document's opaque data blob. */
int xc_doc_set_data(xc_doc *d, const char *data, size_t len, char **err);

/* Removes a term with all its positions. XC_EINVAL when the document does
 * not have it. */
int xc_doc_remove_term(xc_doc *d, const char *term, size_t len, char **err);

/* -------------------------------------------------------------- reading */

/* Opens a database read-only. `path` is a database folder; a Xapian stub
 * database file (one database per line: "auto PATH", "glass PATH",
 * "remote HOST:PORT", "remote :PROGRAM ARGS" such as ssh running
 * xapian-progsrv; a relative PATH from the stub's folder); or
 * "tcp:HOST:PORT", a xapian-tcpsrv. Every database named is a part
 * (xc_db_part) and all are searched as one. XC_EOPEN when missing (or a
 * stub line or tcp: spec that cannot be read), XC_ENETWORK when a remote
 * one cannot be reached (in 10 s), XC_EVERSION, XC_ECORRUPT, XC_EIO,
 * XC_ENOMEM. */
int xc_db_open(const char *path, xc_db **out, char **err);

/* Adds the database(s) at `path` (as for xc_db_open) to search together
 * with the ones already open. Returns as xc_db_open; XC_EINVAL for a
 * borrowed reader (xc_wdb_reader). */
int xc_db_add(xc_db *db, const char *path, char **err);

/* Part i (0-based, below xc_db_count) of db as a handle of its own (the
 * same open database, shared: close both), to read what each database
 * says of itself. Returns XC_OK; XC_ERANGE; XC_ENOMEM. */
int xc_db_part(xc_db *db, unsigned i, xc_db **out, char **err);

/* Part i's name as given (a folder, tcp:HOST:PORT, "remote ..." from a
 * stub file; "" for a borrowed reader) into *name (borrowed: valid while
 * db is open), and whether it is remote (1) or local (0); either may be
 * NULL. Returns XC_OK; XC_ERANGE; XC_EINVAL for db NULL.
 *
 * Several parts, and remote ones, read differently from one database:
 * user metadata (xc_db_get_metadata, xc_db_metadata_keys) is read from
 * each part and merged here (Xapian 1.4 would read the first part only);
 * document ids interleave (xc_query_docid_ranges does not apply); and a
 * remote part refuses custom posting sources (xc_query_docid_ranges). */
int xc_db_part_info(const xc_db *db, unsigned i, const char **name,
                    int *remote);

/* The number of db's parts that are remote (0 when all are local, and
 * for NULL). A remote part costs a network exchange per call, and
 * Xapian 1.4's remote backend sends a whole metadata key list (every key
 * under the prefix) when xc_db_metadata_keys opens it: over a remote part,
 * list keys under narrow prefixes, or read a key with xc_db_get_metadata. */
unsigned xc_db_remote(const xc_db *db);

void xc_db_close(xc_db *db);

/* Moves the reader to the latest commit. *changed (may be NULL) is set to 1
 * when it moved. */
int xc_db_reopen(xc_db *db, int *changed, char **err);

int xc_db_doccount(xc_db *db, unsigned *out, char **err);
/* How many databases `db` searches as one (1 for a single database; more
 * after xc_db_add or for a stub file naming several). Document ids of
 * several databases are interleaved by Xapian. */
int xc_db_count(xc_db *db, unsigned *out, char **err);
int xc_db_lastdocid(xc_db *db, unsigned *out, char **err);
int xc_db_avlength(xc_db *db, double *out, char **err);

/* Number of documents indexed by `term` (0 when absent). */
int xc_db_termfreq(xc_db *db, const char *term, size_t len, unsigned *out,
                   char **err);

/* Total wdf of `term` over the database (0 when absent). */
int xc_db_collfreq(xc_db *db, const char *term, size_t len, uint64_t *out,
                   char **err);

/* User metadata; a missing key gives XC_OK with *val = NULL, *vlen = 0.
 * With several parts, the value of the first part that has the key. */
int xc_db_get_metadata(xc_db *db, const char *key, size_t klen, char **val,
                       size_t *vlen, char **err);

/* A document's data blob / a value slot (empty when unset). XC_ERANGE when
 * the document does not exist. */
int xc_db_get_data(xc_db *db, unsigned docid, char **data, size_t *len,
                   char **err);
int xc_db_get_value(xc_db *db, unsigned docid, unsigned slot, char **val,
                    size_t *len, char **err);

/* The positions of `term` in document `docid`, ascending, as a malloc'd
 * array (release with xc_free); *n = 0 and *pos = NULL when none. */
int xc_db_positions(xc_db *db, unsigned docid, const char *term, size_t len,
                    unsigned **pos, size_t *n, char **err);

/* A stored document as an xc_doc (its terms with positions, values and
 * data, read lazily from `db`), to change and write back with
 * xc_wdb_replace(). Free it with xc_doc_free() before closing `db`.
 * XC_ERANGE when it does not exist. */
int xc_db_document(xc_db *db, unsigned docid, xc_doc **out, char **err);

/* As xc_db_document, for a docid known to be in `db` (from an mset of it):
 * the existence check (a B-tree lookup) is skipped, so a docid that is not
 * there reads as a document with no values and no data; and each value is
 * read when asked for (cheaper when one or two of many are wanted). */
int xc_db_document_known(xc_db *db, unsigned docid, xc_doc **out,
                         char **err);

/* Value slot `slot` / the data of a document (from xc_db_document, which
 * reads all its values at once: cheaper than xc_db_get_value per slot).
 * Malloc'd (xc_free), empty when unset. */
int xc_doc_get_value(xc_doc *d, unsigned slot, char **val, size_t *len,
                     char **err);
int xc_doc_get_data(xc_doc *d, char **data, size_t *len, char **err);

/* The values in `slot` in document id order, read as a stream (cheaper
 * than xc_db_get_value for many documents in ascending order). */
int xc_db_values(xc_db *db, unsigned slot, xc_valiter **out, char **err);

/* Moves to the first document >= docid that has a value in the slot (never
 * backwards: a docid before the current one leaves it where it is) and
 * returns 1 with its id in *at and its value in *val, *len (valid until the
 * next call on the iterator); 0 when there is none; negative on error. */
int xc_valiter_skip_to(xc_valiter *it, unsigned docid, unsigned *at,
                       const char **val, size_t *len, char **err);

void xc_valiter_free(xc_valiter *it);

/* The ids of the documents indexed by `term` (len 0: every document),
 * ascending, as a malloc'd array (release with xc_free); *n = 0 and
 * *ids = NULL when none. */
int xc_db_postlist(xc_db *db, const char *term, size_t len, unsigned **ids,
                   size_t *n, char **err);

/* Checks the database at `path` with Xapian's consistency checker (every
 * B-tree block of every table). *errors receives the number of problems
 * found; *report (may be NULL) the checker's messages, malloc'd, possibly
 * "" (release with xc_free). A database that cannot be opened or checked at
 * all gives an error code (XC_EOPEN, XC_ECORRUPT, XC_EVERSION, XC_EIO). */
int xc_db_check(const char *path, size_t *errors, char **report, char **err);

/* --------------------------------------------------------------- terms */

/* Iterates all terms that start with `prefix` (plen 0: all), in byte order. */
int xc_db_allterms(xc_db *db, const char *prefix, size_t plen,
                   xc_termiter **out, char **err);

/* Iterates the terms of one document, in byte order. */
int xc_db_termlist(xc_db *db, unsigned docid, xc_termiter **out, char **err);

/* Iterates the user metadata keys that start with `prefix` (plen 0: all),
 * in byte order (freq is 0); with several parts, the keys of all of them,
 * each once. */
int xc_db_metadata_keys(xc_db *db, const char *prefix, size_t plen,
                        xc_termiter **out, char **err);

/* Advances to the next term: returns 1 and sets *term and *len (valid until
 * the next call on the iterator) and *freq (the term's document frequency for
 * allterms; its wdf for a termlist; either may be NULL); 0 at the end;
 * negative on error. The first call yields the first term. */
int xc_termiter_next(xc_termiter *it, const char **term, size_t *len,
                     unsigned *freq, char **err);

/* The frequency (as for xc_termiter_next) of the term the last
 * xc_termiter_next() yielded; 0 before the first term, at the end and for
 * kinds without one. Asking only for the terms one keeps is cheaper: an
 * allterms frequency reads the term's first posting-list chunk. */
int xc_termiter_freq(xc_termiter *it, unsigned *freq, char **err);

/* Positions the iterator so that the next xc_termiter_next() yields the
 * first term >= `term` (within the prefix for allterms). */
int xc_termiter_skip_to(xc_termiter *it, const char *term, size_t len,
                        char **err);

void xc_termiter_free(xc_termiter *it);

/* --------------------------------------------------------------- queries */

enum {
    XC_OP_AND = 0,
    XC_OP_OR = 1,
    XC_OP_AND_NOT = 2,   /* first AND NOT (any of the rest) */
    XC_OP_AND_MAYBE = 3, /* first, weighted also by the rest */
    XC_OP_FILTER = 4,    /* first, restricted by the rest without weight */
    XC_OP_PHRASE = 5,    /* in order within `window` (0: number of subs) */
    XC_OP_NEAR = 6,      /* any order within `window` (0: number of subs) */
    XC_OP_SYNONYM = 7,   /* weighted as one term */
    XC_OP_MAX = 8        /* weight of the best matching sub-query */
};

/* A term query; `wqf` (>= 1) is its within-query frequency, `pos` its
 * position in the query (0 if unknown). */
int xc_query_term(const char *term, size_t len, unsigned wqf, unsigned pos,
                  xc_query **out, char **err);

/* Combines `n` sub-queries with `op` (an XC_OP_*). The sub-queries are not
 * consumed: free them yourself. n == 0 gives a query that matches nothing.
 * XC_EINVAL for an unknown op. */
int xc_query_combine(int op, xc_query *const *subs, size_t n, unsigned window,
                     xc_query **out, char **err);

/* The query with every weight multiplied by `factor` (>= 0). */
int xc_query_scale(const xc_query *q, double factor, xc_query **out,
                   char **err);

/* Documents whose value in `slot` lies in [lo, hi] (byte order; an empty hi
 * means no upper bound). */
int xc_query_value_range(unsigned slot, const char *lo, size_t lolen,
                         const char *hi, size_t hilen, xc_query **out,
                         char **err);

/* Documents whose id lies in one of the n ranges [first[i], last[i]]
 * (first[i] <= last[i]; the ranges in any order, may overlap), without
 * weight. The ids are those of one database: with several searched as one
 * (xc_db_count > 1), each would read the ranges as its own ids. A custom
 * posting source: a remote database refuses it (xc_db_part_info). n == 0
 * matches nothing. XC_EINVAL for a range with first > last or first 0. */
int xc_query_docid_ranges(const unsigned *first, const unsigned *last,
                          size_t n, xc_query **out, char **err);

/* A copy of q for filtering, without weights: each term whose first byte
 * is one of the bytes of the NUL-terminated `from` gets the byte `prefix`
 * put in front of it; other terms, value ranges and match-all / nothing
 * stay as they are. The copy has no positions: PHRASE and NEAR become AND;
 * and no weights: SCALE_WEIGHT becomes its sub-query, ELITE_SET OR, and
 * the whole copy is weighted 0. *disjunctive (may be NULL) is set to 1
 * when q is made of leaves (terms, value ranges, match-all / nothing)
 * joined only by OR, SYNONYM, MAX, ELITE_SET and SCALE_WEIGHT, so that a
 * document matches q exactly when it matches one of its leaves; else 0.
 * *mapped (may be NULL) is set to the number of terms that got the prefix.
 * XC_EINVAL for a query with a posting source in it. */
int xc_query_map_terms(const xc_query *q, const char *from, char prefix,
                       xc_query **out, int *disjunctive, size_t *mapped,
                       char **err);

/* Matches every document / none. */
int xc_query_match_all(xc_query **out, char **err);
int xc_query_match_nothing(xc_query **out, char **err);

/* 1 if the query can match nothing by construction (an empty query). */
int xc_query_empty(const xc_query *q);

/* Xapian's description of the query, malloc'd (xc_free), NULL on failure. */
char *xc_query_describe(const xc_query *q);

void xc_query_free(xc_query *q);

/* --------------------------------------------------------------- enquire */

int xc_enquire_new(xc_db *db, xc_enquire **out, char **err);
void xc_enquire_free(xc_enquire *e);

/* The query to run (copied: the caller may free q afterwards). */
int xc_enquire_set_query(xc_enquire *e, const xc_query *q, char **err);

/* BM25 with Xapian's parameters (defaults: k1 1, k2 0, k3 1, b 0.5,
 * min_normlen 0.5). */
int xc_enquire_set_bm25(xc_enquire *e, double k1, double k2, double k3,
                        double b, double min_normlen, char **err);

/* Keep at most `max` results per distinct value of `slot`; max 0 turns
 * collapsing off. */
int xc_enquire_set_collapse(xc_enquire *e, unsigned slot, unsigned max,
                            char **err);

/* Sort by value `slot` (descending when reverse != 0), relevance breaking
 * ties; slot XC_NO_SLOT goes back to relevance order. */
#define XC_NO_SLOT 0xffffffffu
int xc_enquire_set_sort_by_value(xc_enquire *e, unsigned slot, int reverse,
                                 char **err);

/* Runs the query: results first .. first+max-1, looking at no fewer than
 * `check_at_least` candidates (for exact estimates). */
int xc_enquire_mset(xc_enquire *e, unsigned first, unsigned max,
                    unsigned check_at_least, xc_mset **out, char **err);

/* The terms of the current query that match document `docid`, in query
 * order (an iterator as for xc_db_termlist, freq is 0). */
int xc_enquire_matching_terms(xc_enquire *e, unsigned docid,
                              xc_termiter **out, char **err);

/* ------------------------------------------------------------------ mset */

unsigned xc_mset_size(const xc_mset *m);

/* Result i (0-based) of the page: its document id, weight, and how many
 * others were collapsed into it (each out-pointer may be NULL).
 * XC_ERANGE when i >= size. */
int xc_mset_item(const xc_mset *m, unsigned i, unsigned *docid,
                 double *weight, unsigned *collapsed);

/* The collapse key of result i (the value of the collapse slot; empty
 * without collapsing), as a malloc'd, NUL-terminated copy of *len bytes
 * (release with xc_free). XC_ERANGE when i >= size; XC_ENOMEM. */
int xc_mset_collapse_key(const xc_mset *m, unsigned i, char **key,
                         size_t *len);

/* Estimated total number of matches: lower bound, estimate, upper bound. */
void xc_mset_estimates(const xc_mset *m, unsigned *lower, unsigned *est,
                       unsigned *upper);

void xc_mset_free(xc_mset *m);

#ifdef __cplusplus
}
#endif

#endif /* DIARIUM_XC_H */
