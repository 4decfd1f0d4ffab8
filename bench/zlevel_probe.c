/* Benchmark probe (not part of diarium): preloaded into diarium-index by
 * bench/compression-cost.sh, it forces the zlib level of every deflate
 * stream the process opens to $DIARIUM_PROBE_ZLEVEL (0-9), so that the
 * share of indexing time spent in Xapian's own compression of termlists
 * and document data can be measured. Xapian 1.4 has no setting for it:
 * its glass tables call deflateInit2_ with Z_DEFAULT_COMPRESSION. Level 0
 * makes every compressed tag larger than its input, so Xapian stores
 * those tags uncompressed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

typedef int (*deflate_init2_fn)(z_streamp, int, int, int, int, int,
                                const char *, int);

int deflateInit2_(z_streamp strm, int level, int method, int window_bits,
                  int mem_level, int strategy, const char *version,
                  int stream_size)
{
    static deflate_init2_fn real;
    if (!real) {
        real = (deflate_init2_fn)dlsym(RTLD_NEXT, "deflateInit2_");
        if (!real) {
            fprintf(stderr, "zlevel_probe: deflateInit2_ not found\n");
            return Z_VERSION_ERROR;
        }
    }
    const char *want = getenv("DIARIUM_PROBE_ZLEVEL");
    if (want && *want >= '0' && *want <= '9' && want[1] == '\0')
        level = *want - '0';
    return real(strm, level, method, window_bits, mem_level, strategy,
                version, stream_size);
}
