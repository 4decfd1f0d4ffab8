/*
 * ds_file.h — the original file of an indexed document, for /fil.
 *
 * Where it sits: serve/, called by ds_server.c. The file is found from the
 * document id alone: only a document the index holds has a record, whose
 * root (the PATH argument diarium-index found it under) names the folder;
 * the id is joined to it and the real path (symbolic links followed) must
 * stay inside that folder's real path. A path is never taken from the
 * URL.
 */
#ifndef DIARIUM_DS_FILE_H
#define DIARIUM_DS_FILE_H

#include <stddef.h>

#include "ds_pool.h"

/* Status codes beyond query/'s. */
enum {
    DS_ENOTFOUND = -50, /* no such document in the index, or its file is
                           gone or outside its folder */
};

typedef struct ds_file {
    int fd;                /* open for reading */
    size_t size;
    const char *type;      /* Content-Type */
    const char *encoding;  /* Content-Encoding ("gzip") or NULL */
    int attachment;        /* offer to save rather than show */
    char name[256];        /* the file name, for Content-Disposition */
} ds_file;

/* Opens the file of document `doc` (docid, NUL-terminated UTF-8). `base`
 * is the folder relative roots are resolved in (NULL: the working folder).
 * Returns DQ_OK and *out (close out->fd); DS_ENOTFOUND with err; DQ_EDB
 * with err; DQ_ENOMEM. */
int ds_file_open(ds_pool *p, const char *base, const char *doc,
                 ds_file *out, char *err, size_t errlen);

#endif /* DIARIUM_DS_FILE_H */
