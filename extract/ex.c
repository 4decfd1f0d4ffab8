/*
 * ex.c — what every user of extract/ needs: error texts, document types,
 * limits and freeing a document (see ex.h).
 */
#include "ex.h"

#include <stdlib.h>
#include <string.h>

const char *ex_strerror(int rc)
{
    switch (rc) {
    case EX_OK: return "success";
    case EX_ENOMEM: return "out of memory";
    case EX_EINVAL: return "invalid argument";
    case EX_EIO: return "the document reader cannot be run";
    case EX_EENCRYPTED: return "encrypted (password-protected)";
    case EX_ECORRUPT: return "damaged or truncated file";
    case EX_ELIMIT: return "a limit was exceeded";
    case EX_ECRASH: return "the document reader crashed";
    case EX_ENOOCR: return "OCR cannot run: Tesseract's model is not "
                           "installed";
    default: return "unknown error";
    }
}

/* 1 if name ends in "." + ext (ext lower-case ASCII), with something before
 * the dot. */
static int has_ext(const char *name, size_t n, const char *ext)
{
    size_t k = strlen(ext);
    if (n < k + 2 || name[n - k - 1] != '.') return 0;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)name[n - k + i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)ext[i]) return 0;
    }
    return 1;
}

ex_type ex_type_of_name(const char *name)
{
    if (!name) return EX_TYPE_NONE;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (has_ext(base, n, "pdf")) return EX_TYPE_PDF;
    if (has_ext(base, n, "docx")) return EX_TYPE_DOCX;
    if (has_ext(base, n, "odt")) return EX_TYPE_ODT;
    static const char *const images[] = {"tif", "tiff", "png", "jpg", "jpeg"};
    for (size_t i = 0; i < sizeof images / sizeof *images; i++)
        if (has_ext(base, n, images[i])) return EX_TYPE_IMAGE;
    return EX_TYPE_NONE;
}

const char *ex_type_label(ex_type t)
{
    switch (t) {
    case EX_TYPE_PDF: return "PDF";
    case EX_TYPE_DOCX: return "Word";
    case EX_TYPE_ODT: return "OpenDocument";
    case EX_TYPE_IMAGE: return "image";
    default: return "none";
    }
}

int ex_ocr_lang_ok(const char *lang)
{
    if (!lang) return 1;
    size_t n = strlen(lang);
    if (n == 0 || n > 63 || lang[0] == '+') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = lang[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '+'))
            return 0;
    }
    return 1;
}

void ex_limits_default(ex_limits *l)
{
    l->cpu_seconds = EX_DEFAULT_CPU_SECONDS;
    l->wall_seconds = EX_DEFAULT_WALL_SECONDS;
    l->memory_mb = EX_DEFAULT_MEMORY_MB;
    l->max_text = EX_DEFAULT_MAX_TEXT;
    l->max_input = EX_DEFAULT_MAX_INPUT;
    l->ocr_seconds = EX_DEFAULT_OCR_SECONDS;
    l->ocr_megapixels = EX_DEFAULT_OCR_MEGAPIXELS;
}

/* A document is three allocations (ex_wire.c, ex_wire_decode): the struct,
 * its page array, and one block holding every string, which starts with
 * the running text. */
void ex_doc_free(ex_doc *d)
{
    if (!d) return;
    free((char *)d->running);
    free(d->pages);
    free(d);
}
