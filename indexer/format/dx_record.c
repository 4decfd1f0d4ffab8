/*
 * dx_record.c — the per-document record (see dx_record.h, dx_format.h).
 */
#include "dx_record.h"
#include "dx_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

uint64_t dx_content_hash(const void *p, size_t n) { return dx_hash64(p, n); }

/* Parses a decimal field [s, e) that must fill it. 0 or -1. */
static int parse_num(const char *s, const char *e, int neg_ok, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0;
    if (s < e && *s == '-' && neg_ok) {
        neg = 1;
        s++;
    }
    if (s == e || e - s > 19) return -1;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > INT64_MAX) return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int dx_record_parse(const char *val, size_t vlen, dx_record *r)
{
    /* The root may itself hold tabs: the four numeric fields are found
     * from the right. */
    const char *end = val + vlen, *tab[4];
    const char *p = end;
    memset(r, 0, sizeof *r);
    for (int k = 3; k >= 0; k--) {
        while (p > val && p[-1] != '\t') p--;
        if (p == val) return DX_EFORMAT;
        tab[k] = p - 1;
        p--;
    }
    size_t rl = (size_t)(tab[0] - val);
    if (rl == 0 || rl >= sizeof r->root) return DX_EFORMAT;
    memcpy(r->root, val, rl);
    r->root[rl] = '\0';
    int64_t size, mtime, passages;
    if (parse_num(tab[0] + 1, tab[1], 0, &size) != 0 ||
        parse_num(tab[1] + 1, tab[2], 1, &mtime) != 0 ||
        parse_num(tab[2] + 1, tab[3], 0, &passages) != 0 ||
        passages > UINT32_MAX)
        return DX_EFORMAT;
    const char *h = tab[3] + 1;
    if (end - h != 16) return DX_EFORMAT;
    uint64_t hash = 0;
    for (; h < end; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0'
              : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0) return DX_EFORMAT;
        hash = hash << 4 | (uint64_t)d;
    }
    r->size = size;
    r->mtime_ns = mtime;
    r->passages = (unsigned)passages;
    r->hash = hash;
    return DX_OK;
}

size_t dx_record_format(const dx_record *r, char *out, size_t outlen)
{
    int n = snprintf(out, outlen,
                     "%s\t%" PRId64 "\t%" PRId64 "\t%u\t%016" PRIx64, r->root,
                     r->size, r->mtime_ns, r->passages, r->hash);
    return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

int dx_failrec_parse(const char *val, size_t vlen, dx_failrec *f)
{
    /* root \t size \t mtime \t hash \t reason: the reason has no tab,
     * the root may; fields are found from the right. */
    const char *end = val + vlen, *tab[4];
    const char *p = end;
    memset(f, 0, sizeof *f);
    for (int k = 3; k >= 0; k--) {
        while (p > val && p[-1] != '\t') p--;
        if (p == val) return DX_EFORMAT;
        tab[k] = p - 1;
        p--;
    }
    size_t rl = (size_t)(tab[0] - val);
    if (rl == 0 || rl >= sizeof f->root) return DX_EFORMAT;
    memcpy(f->root, val, rl);
    f->root[rl] = '\0';
    int64_t size, mtime;
    if (parse_num(tab[0] + 1, tab[1], 0, &size) != 0 ||
        parse_num(tab[1] + 1, tab[2], 1, &mtime) != 0)
        return DX_EFORMAT;
    const char *h = tab[2] + 1;
    if (tab[3] - h != 16) return DX_EFORMAT;
    uint64_t hash = 0;
    for (; h < tab[3]; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0'
              : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0) return DX_EFORMAT;
        hash = hash << 4 | (uint64_t)d;
    }
    size_t why = (size_t)(end - tab[3] - 1);
    if (why >= sizeof f->reason) why = sizeof f->reason - 1;
    memcpy(f->reason, tab[3] + 1, why);
    f->reason[why] = '\0';
    if (memchr(f->reason, '\0', why)) return DX_EFORMAT;
    f->size = size;
    f->mtime_ns = mtime;
    f->hash = hash;
    return DX_OK;
}

size_t dx_failrec_format(const dx_failrec *f, char *out, size_t outlen)
{
    char why[sizeof f->reason];
    size_t i = 0;
    for (; f->reason[i] && i + 1 < sizeof why; i++)
        why[i] = f->reason[i] == '\t' || f->reason[i] == '\n' ||
                         f->reason[i] == '\r'
                     ? ' '
                     : f->reason[i];
    why[i] = '\0';
    int n = snprintf(out, outlen,
                     "%s\t%" PRId64 "\t%" PRId64 "\t%016" PRIx64 "\t%s",
                     f->root, f->size, f->mtime_ns, f->hash, why);
    return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}
