/*
 * dx_error.c — dx_strerror (see dx_error.h).
 */
#include "dx_error.h"

const char *dx_strerror(int rc)
{
    switch (rc) {
    case DX_OK: return "success";
    case DX_ENOMEM: return "out of memory";
    case DX_EIO: return "cannot open, read, create or change the file or "
                        "folder";
    case DX_EBINARY: return "binary data, not a text document";
    case DX_EGZIP: return "corrupt or truncated gzip stream";
    case DX_ETOOBIG: return "document larger than the size limit";
    case DX_ESTOP: return "walk stopped by the callback";
    case DX_EINVAL: return "invalid argument";
    case DX_ELOCKED: return "another writer holds the database";
    case DX_EANALYSIS: return "indexed with another analysis or index "
                              "format: rebuild it with --full";
    case DX_EDB: return "database error";
    case DX_EFORMAT: return "stored data in another format";
    case DX_EDAMAGED: return "stored data damaged";
    case DX_EMODIFIED: return "the database moved on while it was read";
    case DX_EREFUSED: return "not a database folder";
    default: return "unknown error";
    }
}
