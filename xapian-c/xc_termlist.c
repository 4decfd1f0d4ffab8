/*
 * xc_termlist.c — xc_termlist_compression (xc.h): Xapian stores termlists
 * uncompressed while it is off.
 *
 * Xapian 1.4's glass backend zlib-compresses every document's termlist at
 * level 6 and has no setting to turn that off. For tags of a few hundred
 * bytes zlib's cost is mostly per call (a reset of its hash table, the
 * Huffman trees): about a sixth of the CPU of diarium's parallel build of
 * g0vse, for termlists that shrink from 96 to 64 MB.
 *
 * Xapian calls zlib through the dynamic linker, and a program's own
 * definition of a function comes before a library's, so the two below are
 * the ones Xapian's calls reach in a program that has them. This file is
 * its own member of the shim's static library: a program gets it (and so
 * these two functions) exactly when it calls xc_termlist_compression. While
 * compression is off, deflate() reports that it could not compress
 * (Z_BUF_ERROR, no progress), which glass takes to mean "store the tag as
 * it is" (its CompressionStream, every 1.4 release), and deflateReset()
 * does nothing; otherwise both hand the call to zlib's own. Each item
 * carries its own compressed flag, so a database may hold both kinds and
 * reads and updates alike.
 *
 * deflateInit2_ and deflateEnd stay zlib's: streams are set up and freed as
 * always. Everything else in such a program that compresses through zlib
 * is affected too while compression is off (the shim's users compress
 * nothing themselves). Should zlib's deflate not be found, tags are stored
 * as they are (correct, only bigger).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <zlib.h>

#include "xc.h"

typedef int (*deflate_fn)(z_streamp, int);
typedef int (*reset_fn)(z_streamp);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static deflate_fn zlib_deflate;
static reset_fn zlib_reset;
static atomic_int compress_off; /* 1: store termlists as they are */

void xc_termlist_compression(int on)
{
    atomic_store(&compress_off, !on);
}

static void find_zlib(void)
{
    /* ISO C has no conversion from void * to a function pointer. */
    void *f = dlsym(RTLD_NEXT, "deflate");
    void *r = dlsym(RTLD_NEXT, "deflateReset");
    if (f) memcpy(&zlib_deflate, &f, sizeof f);
    if (r) memcpy(&zlib_reset, &r, sizeof r);
}

int deflate(z_streamp strm, int flush)
{
    if (!atomic_load_explicit(&compress_off, memory_order_relaxed)) {
        (void)pthread_once(&once, find_zlib);
        if (zlib_deflate) return zlib_deflate(strm, flush);
    }
    return Z_BUF_ERROR;
}

int deflateReset(z_streamp strm)
{
    if (!atomic_load_explicit(&compress_off, memory_order_relaxed)) {
        (void)pthread_once(&once, find_zlib);
        if (zlib_reset) return zlib_reset(strm);
    }
    return strm ? Z_OK : Z_STREAM_ERROR;
}
