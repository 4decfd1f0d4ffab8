/*
 * sv.c — module-wide pieces of stemmer/: status texts and the analysis
 * fingerprint (see sv.h). Change the fingerprint whenever any rule that
 * decides which terms a text produces changes.
 */
#include "sv.h"

static const char fingerprint[] =
    "diarium-analysis/1 snowball-swedish(libstemmer 2.2) nfc lower "
    "ligatures hyphen-join ocr-skeleton/1 stop-snowball-114";

const char *sv_fingerprint(void) { return fingerprint; }

const char *sv_strerror(int rc)
{
    switch (rc) {
    case SV_OK: return "success";
    case SV_ENOMEM: return "out of memory";
    case SV_EINVAL: return "invalid argument";
    case SV_ESTEMMER: return "libstemmer has no Swedish UTF-8 stemmer";
    default: return "unknown error";
    }
}
