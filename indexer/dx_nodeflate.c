/*
 * dx_nodeflate.c — diarium-index stores Xapian's tables uncompressed.
 *
 * Linked into the diarium-index program only (not into the dx library, the
 * query tool or the tests' programs). Xapian 1.4's glass backend
 * zlib-compresses every passage's termlist (and the document data, which
 * diarium leaves empty, index format 7) at level 6, and has no setting to
 * turn that off. For tags of a few hundred bytes zlib's cost is mostly per
 * call (each starts by clearing a 128 KB hash table): 12 % of the CPU of a
 * parallel build of g0vse (perf), for termlists that shrink from 96 to 64
 * MB. Without it: 9.85 s against 11.30 s (median of 3, rotating), user CPU
 * 15.5 s against 18.5 s, the index 312 MB against 280.
 *
 * Xapian calls zlib through the dynamic linker, and a program's own
 * definition of a function comes before a library's, so the two below are
 * the ones Xapian's calls reach in this program. deflate() reports that it
 * could not compress (Z_BUF_ERROR: no progress), which glass takes to mean
 * "store the tag as it is" (its CompressionStream, every 1.4 release) —
 * each item carries its own compressed flag, so databases with compressed
 * and raw termlists read and update alike, and the query tool reads both.
 * deflateInit2_ and deflateEnd stay zlib's own: the stream is set up and
 * freed as before and only never used. Should Xapian ever reach zlib
 * without the dynamic linker, it simply compresses again
 * (tests/e2e_index_query.sh would say so).
 *
 * So this program must not use zlib to compress anything itself; it only
 * inflates (.gz documents, dx_read.c), which these do not touch.
 */
#include <zlib.h>

int deflate(z_streamp strm, int flush)
{
    (void)strm;
    (void)flush;
    return Z_BUF_ERROR;
}

int deflateReset(z_streamp strm)
{
    return strm ? Z_OK : Z_STREAM_ERROR;
}
