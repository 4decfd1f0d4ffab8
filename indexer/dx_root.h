/*
 * dx_root.h — the PATH arguments of a run, each spelled one way.
 *
 * Where it sits: beside dx_index.c, which keeps in each document's record
 * the PATH it was found under and, in the next run, compares it with that
 * run's PATHs: a record of a PATH walked tonight whose file is gone is
 * removed (or claimed by a rename). A PATH given as `docs`, `./docs`,
 * `docs/`, `$PWD/docs` or through a symbolic link names one folder; its
 * canonical form (dx_root_canon: the absolute path with symbolic links
 * resolved) is what records keep. Records written by earlier versions
 * keep the PATH as it was given; dx_roots_find still attributes them to
 * tonight's PATH (and dx_index.c then rewrites them canonically).
 */
#ifndef DIARIUM_DX_ROOT_H
#define DIARIUM_DX_ROOT_H

#include <stddef.h>

/* The canonical form of `path`, malloc'd: realpath(3); for a path that
 * does not exist (an unmounted share), the absolute path with ".", ".."
 * and repeated or trailing slashes removed as written. NULL when out of
 * memory (or when the current folder cannot be named). */
char *dx_root_canon(const char *path);

/* The PATHs of one run. */
typedef struct dx_roots dx_roots;

/* A new, empty set; NULL when out of memory. */
dx_roots *dx_roots_new(void);

/* Frees the set. Accepts NULL. */
void dx_roots_free(dx_roots *rs);

/* Adds a canonical PATH (from dx_root_canon; copied). Its index is the
 * number of PATHs added before it. 0, or -1 when out of memory. */
int dx_roots_add(dx_roots *rs, const char *canon);

/* The index of the added PATH that `recorded` names, or -1. `recorded` is
 * a PATH as a record keeps it: canonical, or as an earlier version kept
 * it (as given, relative to the folder that run started in). It names a
 * PATH when it is that PATH's canonical form, or resolves to it from the
 * current folder; or, when it does not resolve at all (a relative PATH
 * given in another folder, such as a first run by hand before a cron
 * job), when it is relative, holds no "..", and its components are the
 * last components of exactly one added PATH. Answers are remembered per
 * string (records share a few PATHs). */
long dx_roots_find(dx_roots *rs, const char *recorded);

#endif /* DIARIUM_DX_ROOT_H */
