/*
 * dx_format.c — the index format's vocabularies, hash, stored data and
 * database stamp (see dx_format.h, where the format is written down).
 *
 * Where it sits: the one unit of indexer/ that query/ uses. It depends on
 * the shim (xc) for the stamp and on stemmer/ for the analysis
 * fingerprint, and on LZ4 for the stored data.
 */
#include "dx_format.h"
#include "sv.h"

#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- vocabularies */

/* The field names, each written once here. */
#define F_TYPE "typ"
#define F_DATE "datum"
#define F_YEAR "\xC3\xA5r" /* år */
#define F_KOMMUN "kommun"
#define F_PRINCIPAL "huvudman"
#define F_SCHOOL "skola"
#define F_DNR "dnr"
#define F_AUTHORITY "myndighet"
#define F_OUTCOME "utfall"

const char *const dx_filter_names[DX_NFILTERS + 1] = {
    [DX_FILTER_TYPE] = F_TYPE,
    [DX_FILTER_DATE] = F_DATE,
    [DX_FILTER_YEAR] = F_YEAR,
    [DX_FILTER_KOMMUN] = F_KOMMUN,
    [DX_FILTER_PRINCIPAL] = F_PRINCIPAL,
    [DX_FILTER_SCHOOL] = F_SCHOOL,
    [DX_FILTER_DNR] = F_DNR,
    [DX_FILTER_AUTHORITY] = F_AUTHORITY,
    [DX_FILTER_OUTCOME] = F_OUTCOME,
    [DX_NFILTERS] = NULL};

const dx_facet dx_facets[DX_NFACETS] = {
    {DX_FILTER_KOMMUN, DX_SLOT_KOMMUN, 0},
    {DX_FILTER_YEAR, DX_SLOT_DATE, 4},
    {DX_FILTER_TYPE, DX_SLOT_TYPE, 0},
    {DX_FILTER_OUTCOME, DX_SLOT_OUTCOME, 0},
    {DX_FILTER_AUTHORITY, DX_SLOT_AUTHORITY, 0}};

/* (as dx_facets) */
const char *const dx_facet_fields[DX_NFACETS + 1] = {
    F_KOMMUN, F_YEAR, F_TYPE, F_OUTCOME, F_AUTHORITY, NULL};

const dx_facet *dx_facet_find(const char *field)
{
    if (!field) return NULL;
    for (size_t i = 0; i < DX_NFACETS; i++)
        if (strcmp(dx_filter_names[dx_facets[i].field], field) == 0)
            return &dx_facets[i];
    return NULL;
}

static const char *const doctype_names[DX_DOC_COUNT] = {
    "", "beslut", "uppf\xC3\xB6ljningsbeslut", "tillsynsbeslut",
    "tj\xC3\xA4nsteskrivelse", "protokollsutdrag", "yttrande"};

const char *dx_doctype_name(int type)
{
    return type > 0 && type < DX_DOC_COUNT ? doctype_names[type] : "";
}

static const char *const outcome_names[DX_OUT_COUNT] = {
    "", "utvecklingsomraden", "ytterligare_atgarder", "i_linje", "avslutad",
    "inga_brister", "brister", "anmarkning", "forelaggande", "avslar",
    "bifaller", "upphaver", "undanror", "avvisar"};

const char *dx_outcome_name(int outcome)
{
    return outcome > 0 && outcome < DX_OUT_COUNT ? outcome_names[outcome] : "";
}

int dx_outcome_code(const char *name)
{
    if (!name || !*name) return DX_OUT_NONE;
    for (int o = 1; o < DX_OUT_COUNT; o++)
        if (strcmp(outcome_names[o], name) == 0) return o;
    return DX_OUT_NONE;
}

/* ---------------------------------------------------------------- data */

uint64_t dx_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

size_t dx_doc_key(const char *id, size_t len, char *out)
{
    if (len <= DX_DOC_KEY_MAX) {
        memcpy(out, id, len);
        out[len] = '\0';
        return len;
    }
    uint64_t h = dx_hash64(id, len); /* of the whole id */
    size_t cut = DX_DOC_KEY_MAX - 17; /* room for '#' + 16 hex digits */
    while (cut > 0 && ((unsigned char)id[cut] & 0xC0) == 0x80) cut--;
    memcpy(out, id, cut);
    out[cut] = '#';
    for (int k = 0; k < 16; k++)
        out[cut + 1 + (size_t)k] = "0123456789abcdef"[(h >> (60 - 4 * k)) & 15];
    out[cut + 17] = '\0';
    return cut + 17;
}

int dx_data_parse(const char *data, size_t len, dx_data *out)
{
    const unsigned char *d = (const unsigned char *)data;
    if (len < DX_DATA_HEADER || d[0] != DX_DATA_VERSION) return DX_EFORMAT;
    size_t at = DX_DATA_HEADER, tl = dx_get_be32(d + 1);
    if (tl > len - at) return DX_EDAMAGED;
    out->text = data + at;
    out->textlen = tl;
    out->offset = dx_get_be32(d + 5);
    out->passage = dx_get_be32(d + 9);
    out->page = dx_get_be32(d + 13);
    out->page_end = dx_get_be32(d + 17);
    out->ocr = d[21] == DX_DATA_NO_OCR ? -1 : d[21] > 100 ? 100 : d[21];
    if (out->page_end < out->page) return DX_EDAMAGED;
    at += tl;
    for (int f = 0; f <= DX_NFIELDS; f++) {
        if (len - at < 4) return DX_EDAMAGED;
        size_t fl = dx_get_be32(d + at);
        at += 4;
        if (fl > len - at) return DX_EDAMAGED;
        if (f < DX_NFIELDS) {
            out->field[f] = data + at;
            out->fieldlen[f] = fl;
        } else {
            out->label = data + at;
            out->labellen = fl;
        }
        at += fl;
    }
    return at == len ? DX_OK : DX_EDAMAGED;
}

size_t dx_store_bound(size_t len)
{
    if (len > DX_DATA_MAX) return 0;
    return DX_STORE_HEADER + (size_t)LZ4_compressBound((int)len);
}

size_t dx_data_store(const char *data, size_t len, char *out, size_t cap)
{
    size_t need = dx_store_bound(len);
    if (!need || cap < need) return 0;
    int n = LZ4_compress_default(data, out + DX_STORE_HEADER, (int)len,
                                 (int)(cap - DX_STORE_HEADER));
    if (n <= 0) return 0;
    out[0] = DX_STORE_LZ4;
    dx_put_be32((unsigned char *)out + 1, (uint32_t)len);
    return DX_STORE_HEADER + (size_t)n;
}

int dx_data_load(const char *stored, size_t len, char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (len < DX_STORE_HEADER || stored[0] != DX_STORE_LZ4) return DX_EFORMAT;
    size_t raw = dx_get_be32((const unsigned char *)stored + 1);
    if (raw > DX_DATA_MAX || len - DX_STORE_HEADER > (size_t)INT32_MAX)
        return DX_EDAMAGED;
    char *b = malloc(raw ? raw : 1);
    if (!b) return DX_ENOMEM;
    int n = LZ4_decompress_safe(stored + DX_STORE_HEADER, b,
                                (int)(len - DX_STORE_HEADER), (int)raw);
    if (n < 0 || (size_t)n != raw) {
        free(b);
        return DX_EDAMAGED;
    }
    *out = b;
    *outlen = raw;
    return DX_OK;
}

/* --------------------------------------------------------------- stamp */

/* A shim error as a DX_* code, its message (xerr, then freed) in err. */
static int db_error(int xrc, char *xerr, char *err, size_t errlen)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", xerr ? xerr : xc_strerror(xrc));
    xc_free(xerr);
    return xrc == XC_ENOMEM      ? DX_ENOMEM
         : xrc == XC_EMODIFIED ? DX_EMODIFIED
                               : DX_EDB;
}

/* Reads metadata `key` of db: whether it equals want, and a printable copy
 * (cut to n bytes) in buf; *set when the key has a value. */
static int read_key(xc_db *db, const char *key, const char *want, int *same,
                    int *set, char *buf, size_t n, char **xerr)
{
    char *val = NULL;
    size_t vlen = 0;
    *same = 0;
    buf[0] = '\0';
    int rc = xc_db_get_metadata(db, key, strlen(key), &val, &vlen, xerr);
    if (rc != XC_OK) return rc;
    if (val) {
        *set = 1;
        *same = vlen == strlen(want) && memcmp(val, want, vlen) == 0;
        size_t k = vlen < n - 1 ? vlen : n - 1;
        for (size_t i = 0; i < k; i++) {
            unsigned char c = (unsigned char)val[i];
            buf[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
        }
        buf[k] = '\0';
    }
    xc_free(val);
    return XC_OK;
}

int dx_stamp_read(xc_db *db, dx_stamp *st, char *err, size_t errlen)
{
    char want[16], *xerr = NULL;
    snprintf(want, sizeof want, "%d", DX_FORMAT_VERSION);
    memset(st, 0, sizeof *st);
    int rc = read_key(db, DX_META_FORMAT, want, &st->format_ok, &st->stamped,
                      st->format, sizeof st->format, &xerr);
    if (rc == XC_OK)
        rc = read_key(db, DX_META_ANALYSIS, sv_fingerprint(),
                      &st->analysis_ok, &st->stamped, st->analysis,
                      sizeof st->analysis, &xerr);
    if (rc == XC_OK) return DX_OK;
    st->format_ok = st->analysis_ok = 0;
    return db_error(rc, xerr, err, errlen);
}

int dx_stamp_write(xc_wdb *w, char *err, size_t errlen)
{
    char ver[16], *xerr = NULL;
    const char *fp = sv_fingerprint();
    snprintf(ver, sizeof ver, "%d", DX_FORMAT_VERSION);
    int rc = xc_wdb_set_metadata(w, DX_META_ANALYSIS, strlen(DX_META_ANALYSIS),
                                 fp, strlen(fp), &xerr);
    if (rc == XC_OK)
        rc = xc_wdb_set_metadata(w, DX_META_FORMAT, strlen(DX_META_FORMAT),
                                 ver, strlen(ver), &xerr);
    return rc == XC_OK ? DX_OK : db_error(rc, xerr, err, errlen);
}
