/*
 * dq_error.c — dq_strerror and dq_from_xc (see dq_error.h).
 */
#include "dq_error.h"

#include "xc.h"

const char *dq_strerror(int rc)
{
    switch (rc) {
    case DQ_OK: return "success";
    case DQ_ENOMEM: return "out of memory";
    case DQ_ESYNTAX: return "query syntax error";
    case DQ_EDB: return "database error";
    case DQ_ENODB: return "no database at that path";
    case DQ_EANALYSIS: return "the database was built by another diarium "
                              "version: rebuild it with diarium-index --full";
    case DQ_EQUERY: return "the query cannot be run";
    case DQ_EMODIFIED: return "the database moved on while it was read";
    case DQ_EWRITE: return "writing the output failed";
    default: return "unknown error";
    }
}

int dq_from_xc(int xc_rc)
{
    switch (xc_rc) {
    case XC_OK: return DQ_OK;
    case XC_ENOMEM: return DQ_ENOMEM;
    case XC_EMODIFIED: return DQ_EMODIFIED;
    default: return DQ_EDB;
    }
}
