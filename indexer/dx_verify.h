/*
 * dx_verify.h — checking a database's tables in a child process, and
 * remembering when they were last found sound.
 *
 * Where it sits: below dx_index.c, which verifies a database before a run
 * writes to it, and dx_check.c (--check). Xapian reads a damaged table
 * without suspicion: flipped bits have made its own consistency check
 * segfault, and a nightly run overflow the heap inside Xapian and write a
 * 13.8 TB sparse table. Run in a child process, Xapian's check of the
 * tables (Xapian::Database::check through xc_db_check) can only give an
 * answer: sound, damaged (it found errors, or it crashed), or not checked.
 *
 * A run that writes checks the tables first unless they are exactly as
 * the last successful run left them: each run that began from verified
 * tables and finished records their state (name, size, modification and
 * change times and inode of every table file) in DIR/diarium.verified,
 * and a run that finds the same state skips the check. Any write to a
 * table behind diarium's back (a copy, a restore, a flipped byte) changes
 * its change time, which no one can set back; a run that died halfway
 * leaves tables that differ from the record. So the check costs a nightly
 * run nothing on most nights, and a full check when anything else has
 * touched the tables (bench/NOTES.md has the figures).
 */
#ifndef DIARIUM_DX_VERIFY_H
#define DIARIUM_DX_VERIFY_H

#include <stddef.h>
#include <sys/types.h>

enum {
    DXV_SOUND = 0,   /* Xapian's check found nothing */
    DXV_DAMAGED = 1, /* it found errors, could not open the tables, or
                        crashed */
    DXV_NOCHECK = -1, /* it could not be run (no process, no room for a
                         copy of a read-only database) */
    DXV_NOMEM = -2    /* it ran out of memory: no answer */
};

typedef struct dx_verify_result {
    size_t errors;   /* errors Xapian's check counted */
    int signal;      /* the check died of this signal; 0 if it did not */
    char what[512];  /* one line: the check's first complaint, how it
                        crashed, or why it could not run; "" when sound */
} dx_verify_result;

/* Forks a child process to check a database in. In the child (fork()
 * returned 0) every descriptor but 0, 1, 2 and *keep is closed, *keep
 * moved to descriptor 3 (so the child holds no lock of its parent's: a
 * run killed while its check goes on leaves the database unlocked), and
 * the child is killed when its parent dies (Linux: PR_SET_PDEATHSIG), so
 * that no check outlives the run that wanted it. Returns as fork(). */
pid_t dx_verify_fork(int *keep);

/* Runs Xapian's check of every table of the database folder `dir` in a
 * child process. Xapian opens the tables for writing to check them: a
 * folder this process may not write (a read-only mount, another account's
 * database) is checked in a private copy of its tables under $TMPDIR (else
 * /tmp), made and removed here. Returns DXV_SOUND, DXV_DAMAGED,
 * DXV_NOCHECK or DXV_NOMEM; res (not NULL) says more. */
int dx_verify_tables(const char *dir, dx_verify_result *res);

/* 1 if the table files of `dir` are exactly as dx_verify_stamp recorded
 * them (same names, sizes, modification and change times, inodes), else
 * 0 (also when there is no record). */
int dx_verify_unchanged(const char *dir);

/* Records the present state of dir's table files in DIR/diarium.verified
 * (written aside and renamed into place). Best effort: a record that
 * cannot be written only means the next run checks again. */
void dx_verify_stamp(const char *dir);

#endif /* DIARIUM_DX_VERIFY_H */
