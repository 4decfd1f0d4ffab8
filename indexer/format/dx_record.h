/*
 * dx_record.h — the per-document record: what diarium-index knows about each
 * source file it has indexed, kept in the database's user metadata under
 * DX_META_DOC<dockey> and committed together with the passages it describes
 * (layout in dx_format.h).
 *
 * Where it sits: part of the index format unit (indexer/format/). Used by
 * dx_index.c to decide what a run must do (skip, re-read, re-index, move,
 * remove), by dx_check.c to verify a database, and by query/ to find the
 * PATH a document was indexed from.
 */
#ifndef DIARIUM_DX_RECORD_H
#define DIARIUM_DX_RECORD_H

#include "dx_error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dx_record {
    char root[4096];  /* the PATH argument the file was found under */
    int64_t size;     /* st_size when indexed */
    int64_t mtime_ns; /* st_mtim in nanoseconds when indexed */
    unsigned passages;
    uint64_t hash;    /* dx_content_hash() of the bytes indexed */
} dx_record;

/* The content hash: 64-bit FNV-1a of the document's bytes as dx_read_file()
 * returns them (after gunzip for .gz, before any cleaning). */
uint64_t dx_content_hash(const void *p, size_t n);

/* Parses a record value (vlen bytes, not NUL-terminated). DX_OK, or
 * DX_EFORMAT when it is not a well-formed record of this format version. */
int dx_record_parse(const char *val, size_t vlen, dx_record *r);

/* Writes r as a record value into out (outlen bytes, NUL-terminated);
 * returns its length, or 0 when it does not fit. */
size_t dx_record_format(const dx_record *r, char *out, size_t outlen);

/* A failure record (dx_format.h, DX_META_FAIL): a PDF, Word or
 * OpenDocument file that could not be read, remembered so that nightly
 * runs do not read it again until it changes. */
typedef struct dx_failrec {
    char root[4096];  /* the PATH argument the file was found under */
    int64_t size;     /* st_size when it failed */
    int64_t mtime_ns; /* st_mtim in nanoseconds when it failed */
    uint64_t hash;    /* dx_content_hash() of its bytes */
    char reason[512]; /* why (one line) */
} dx_failrec;

/* Parses a failure record value (vlen bytes, not NUL-terminated). DX_OK, or
 * DX_EFORMAT when it is not a well-formed failure record. */
int dx_failrec_parse(const char *val, size_t vlen, dx_failrec *f);

/* Writes f as a failure record value into out (outlen bytes,
 * NUL-terminated; tabs and line breaks in the reason become spaces);
 * returns its length, or 0 when it does not fit. */
size_t dx_failrec_format(const dx_failrec *f, char *out, size_t outlen);

#endif /* DIARIUM_DX_RECORD_H */
