/*
 * dx_error.h — the return codes of indexer/ (DX_*), one family for every
 * dx_ function that can fail: reading files, the database folder and its
 * lock, a run, the check, metadata extraction and the index format unit.
 *
 * 0 is success, negative an error; dx_strerror() names each. Functions
 * that can explain an error better also write a one-line message (err,
 * errlen). Beside the format unit (dx_format.h), whose functions return
 * these codes, this is the one indexer/ header on query/'s include path.
 */
#ifndef DIARIUM_DX_ERROR_H
#define DIARIUM_DX_ERROR_H

enum {
    DX_OK = 0,
    DX_ENOMEM = -1,    /* allocation failed */
    DX_EIO = -2,       /* a file or folder cannot be opened, read, stat'ed,
                          created, locked, renamed or removed */
    DX_EBINARY = -3,   /* not text (NUL bytes or mostly control bytes) */
    DX_EGZIP = -4,     /* corrupt or truncated gzip stream */
    DX_ETOOBIG = -5,   /* larger than DX_MAX_FILE (after decompression) */
    DX_ESTOP = -6,     /* a walk callback asked to stop */
    DX_EINVAL = -7,    /* invalid argument: NULL where not allowed, text
                          that is not valid UTF-8 */
    DX_ELOCKED = -8,   /* another writer holds the database */
    DX_EANALYSIS = -9, /* indexed with another analysis or format: --full */
    DX_EDB = -10,      /* the database cannot be opened, read or written,
                          or is corrupt */
    DX_EFORMAT = -11,  /* stored data not in this format (dx_format.h) */
    DX_EDAMAGED = -12, /* stored data whose lengths do not add up */
    DX_EMODIFIED = -13, /* the database moved on while it was read: reopen
                           it and read again */
    DX_EREFUSED = -14   /* the database path is not a folder, or holds other
                           things than a database: nothing was created or
                           written there */
};

/* A static English description of a DX_* code (never NULL). */
const char *dx_strerror(int rc);

#endif /* DIARIUM_DX_ERROR_H */
