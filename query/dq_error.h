/*
 * dq_error.h — the return codes of query/ (DQ_*), one family for every dq_
 * function that can fail: parsing, limits, planning, expansion and
 * suggestions, searching, output and reports.
 *
 * 0 is success, negative an error; dq_strerror() names each. Functions
 * that can explain an error better also write a message (err, errlen, and
 * for a query a byte offset into it). The shim's codes (XC_*) stay inside
 * query/: dq_from_xc() turns them into these.
 */
#ifndef DIARIUM_DQ_ERROR_H
#define DIARIUM_DQ_ERROR_H

enum {
    DQ_OK = 0,
    DQ_ENOMEM = -1,    /* allocation failed */
    DQ_ESYNTAX = -2,   /* the query is not well-formed (dq_parse_error) */
    DQ_EDB = -3,       /* database error (message given) */
    DQ_ENODB = -4,     /* no database at the path */
    DQ_EANALYSIS = -5, /* the database was analysed by another version */
    DQ_EQUERY = -6,    /* a well-formed query that cannot be run (a prefix
                          that is too broad, an unknown field value, a
                          limit) */
    DQ_EMODIFIED = -7, /* the database moved on while reading: reopen */
    DQ_EWRITE = -16    /* writing output failed (the stream's error flag is
                          set; errno tells why) */
};

/* A static English description of a DQ_* code (never NULL). */
const char *dq_strerror(int rc);

/* The DQ_* code of a shim status: XC_OK is DQ_OK, XC_ENOMEM DQ_ENOMEM,
 * XC_EMODIFIED DQ_EMODIFIED, any other error DQ_EDB. */
int dq_from_xc(int xc_rc);

#endif /* DIARIUM_DQ_ERROR_H */
