/*
 * ex_worker.h — the worker's loop (private to extract/; used by the
 * diarium-extract program, ex_main.c).
 *
 * Where it sits: the far end of an ex_reader (ex_reader.c starts the
 * program with "--worker" and the socket as fd 3).
 */
#ifndef DIARIUM_EX_WORKER_H
#define DIARIUM_EX_WORKER_H

#include "ex.h"

/* Sets the worker's own limits: no core files, and an address space of
 * lim->memory_mb MiB (not in sanitizer builds). The CPU limit is set per
 * file, in ex_worker_serve. 0, or -1 when the system refuses. */
int ex_worker_limit_self(const ex_limits *lim);

/* Closes every descriptor above fd, sets the limits, then answers
 * requests on fd until the caller closes it (ex_wire.h). Before each file
 * the soft CPU limit is moved to the CPU time used so far plus
 * lim->cpu_seconds (the kernel's SIGXCPU ends the worker past it). After
 * a file that exceeded a limit the worker ends, so that the next file
 * gets a fresh process. Returns the exit status for the program: 0 when
 * the caller closed the socket, 2 for a request that breaks the format or
 * limits that cannot be set, 3 when out of memory outside a document. */
int ex_worker_serve(int fd, const ex_limits *lim);

#endif /* DIARIUM_EX_WORKER_H */
