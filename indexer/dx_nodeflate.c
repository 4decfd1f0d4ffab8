/*
 * dx_nodeflate.c — a parallel build stores Xapian's termlists uncompressed.
 *
 * Linked into the diarium-index program only (not into the dx library, the
 * query tool or the tests' programs). Xapian 1.4's glass backend
 * zlib-compresses every passage's termlist at level 6 and has no setting to
 * turn that off. For tags of a few hundred bytes zlib's cost is mostly per
 * call (a reset of its hash table, the Huffman trees): about a sixth of the
 * CPU of a parallel build of g0vse, for termlists that shrink from 96 to
 * 64 MB.
 *
 * Xapian calls zlib through the dynamic linker, and a program's own
 * definition of a function comes before a library's, so the two below are
 * the ones Xapian's calls reach in this program. While dx_parallel_writing
 * is set (dx_index.h: while a parallel build writes its shards and merges
 * them; the merge would compress again each item it copies uncompressed)
 * deflate() reports that it could not compress (Z_BUF_ERROR, no progress),
 * which glass takes to mean "store the tag as it is" (its
 * CompressionStream, every 1.4 release), and deflateReset() does nothing;
 * otherwise both hand the call to zlib's own. Each item carries its own
 * compressed flag, so a database holds both kinds after a nightly run and
 * reads and updates alike.
 *
 * Why only a parallel build: a one-thread build or a nightly run commits
 * into the database itself, and on a full disk Xapian 1.4 failed cleanly
 * there with compressed termlists but aborted inside commit_transaction
 * (an exception during unwinding) with raw ones
 * (tests/e2e_nightly_diskfull.sh). A parallel build checks for room before
 * each commit of a shard and keeps the database as it was when a shard
 * fails.
 *
 * deflateInit2_ and deflateEnd stay zlib's: streams are set up and freed as
 * always. This program compresses nothing through zlib itself; it only
 * inflates (.gz documents, dx_read.c). Should zlib's deflate not be found,
 * tags are stored as they are (correct, only bigger).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <zlib.h>

#include "dx_index.h"

typedef int (*deflate_fn)(z_streamp, int);
typedef int (*reset_fn)(z_streamp);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static deflate_fn zlib_deflate;
static reset_fn zlib_reset;

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
    if (!dx_parallel_writing) {
        (void)pthread_once(&once, find_zlib);
        if (zlib_deflate) return zlib_deflate(strm, flush);
    }
    return Z_BUF_ERROR;
}

int deflateReset(z_streamp strm)
{
    if (!dx_parallel_writing) {
        (void)pthread_once(&once, find_zlib);
        if (zlib_reset) return zlib_reset(strm);
    }
    return strm ? Z_OK : Z_STREAM_ERROR;
}
