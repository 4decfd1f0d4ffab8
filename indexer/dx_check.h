/*
 * dx_check.h — verifying a diarium database (diarium-index --check).
 *
 * Where it sits: beside dx_index.c, reading what it writes (dx_format.h,
 * dx_record.h). For an operator who wants to know, after a crash, a full
 * disk or a copy, whether the database can be trusted. It checks:
 *  - Xapian's own consistency check of every table (xc_db_check);
 *  - that the database opens, and its format version and analysis
 *    fingerprint are this build's (else queries refuse it);
 *  - every record is well-formed, and its passage count equals the number
 *    of passages carrying its Q term;
 *  - every Q term has a record;
 *  - every passage belongs to exactly one document: its id value maps to
 *    the Q term it is found under; passage numbers are 0..n-1, each once;
 *  - every passage's stored data decompresses to the length it gives
 *    (dx_data_load) and unpacks (dx_data_parse: its text and field
 *    lengths add up), its text and fields are valid UTF-8, and the
 *    passage number it repeats is the one in its value slot;
 *  - the number of passages equals the sum over the records;
 *  - a passage's page fields agree (no end page or label without a page),
 *    its page label is valid UTF-8;
 *  - every failure record (a PDF, Word or OpenDocument file that could
 *    not be read, dx_format.h) is well-formed; they are counted;
 *  - every page in the OCR cache (dx_ocr.h) is one this build can read;
 *    they are counted. A damaged one is counted apart, not a problem: the
 *    database does not depend on it (the page is read by OCR again when
 *    it is needed).
 * It takes the writer lock for the duration, so that nothing changes under
 * it (a run in progress makes it fail with DX_ELOCKED).
 */
#ifndef DIARIUM_DX_CHECK_H
#define DIARIUM_DX_CHECK_H

#include "dx_error.h"

#include <stddef.h>

typedef struct dx_check_stats {
    unsigned documents; /* records (source documents) */
    unsigned passages;  /* Xapian documents */
    unsigned problems;  /* 0: sound */
    unsigned failed;    /* failure records: files remembered as unreadable */
    unsigned ocr_pages; /* pages in the OCR cache */
    unsigned ocr_bad;   /* files of the OCR cache that are no such page */
    int nomem;          /* the check ran out of memory: what it found says
                           nothing of the database (DX_ENOMEM) */
} dx_check_stats;

/* Called for each problem found (at most the first 50, then once with a
 * count of the rest), as one line of English. */
typedef void (*dx_check_fn)(void *ctx, const char *problem);

/* Checks the database at dbpath. The check runs in a child process:
 * reading a damaged database can crash inside Xapian, and a crash is then
 * a problem found ("NOT sound"), not the end of the check. Returns DX_OK
 * when the check ran (st says what it found: st->problems == 0 means
 * sound; a database that is missing or cannot be opened is a problem, not
 * an error); DX_ELOCKED when a writer holds the database (err names its
 * pid); DX_EREFUSED when dbpath is a folder of other things with no
 * database (err says so; nothing is created there); DX_ENOMEM (also when
 * the check ran out of memory, st->nomem); DX_EDB
 * when no child process could be started (err says why). fn may be NULL.
 * A folder this process may not write is checked all the same (Xapian's
 * check of the tables then reads a private copy, dx_verify.h). */
int dx_check(const char *dbpath, dx_check_fn fn, void *ctx,
             dx_check_stats *st, char *err, size_t errlen);

/* The check of dx_check for a writer that holds the database's lock and
 * is about to write to it (dx_index.c): the same, except that a format or
 * analysis stamp other than this build's ends it without a problem (the
 * writer refuses that database itself, saying why). Returns DX_OK (st:
 * what it found), DX_ENOMEM (the check ran out of memory) or DX_EDB (no
 * child process: err says why). */
int dx_check_held(const char *dbpath, dx_check_fn fn, void *ctx,
                  dx_check_stats *st, char *err, size_t errlen);

#endif /* DIARIUM_DX_CHECK_H */
