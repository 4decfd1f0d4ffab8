/*
 * dx_check.c — verifying a database (see dx_check.h).
 */
#include "dx_check.h"
#include "dx_dbdir.h"
#include "dx_format.h"
#include "dx_index.h"
#include "dx_record.h"

#include "sv.h"
#include "sv_text.h"
#include "xc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Problems reported one by one; the rest are counted. */
#define SHOWN_MAX 50

typedef struct checker {
    xc_db *db;
    dx_check_fn fn;
    void *ctx;
    dx_check_stats *st;
} checker;

static void report(checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(checker *c, const char *fmt, ...)
{
    char line[1024];
    c->st->problems++;
    if (c->st->problems > SHOWN_MAX || !c->fn) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->fn(c->ctx, line);
}

/* A shim failure while checking is a problem too; returns -1. */
static int xfail(checker *c, int rc, char *xerr, const char *what)
{
    report(c, "%s: %s", what, xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    return -1;
}

/* The first line of s, into out. */
static void first_line(const char *s, char *out, size_t outlen)
{
    size_t n = strcspn(s, "\n");
    if (n >= outlen) n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Xapian's check of the tables. 0 if it could run, -1 if not. */
static int check_tables(checker *c, const char *dbpath)
{
    size_t errors = 0;
    char *report_text = NULL, *xerr = NULL;
    int rc = xc_db_check(dbpath, &errors, &report_text, &xerr);
    if (rc != XC_OK) return xfail(c, rc, xerr, "Xapian cannot check it");
    if (errors) {
        char line[512] = "";
        const char *p = report_text ? report_text : "";
        /* The checker's first complaint says most. */
        while (*p) {
            first_line(p, line, sizeof line);
            if (strstr(line, "rror") || strstr(line, "orrupt")) break;
            p += strcspn(p, "\n");
            if (*p) p++;
            line[0] = '\0';
        }
        report(c, "Xapian's consistency check found %zu error%s in the "
               "tables%s%s", errors, errors == 1 ? "" : "s",
               line[0] ? ": " : "", line);
    }
    xc_free(report_text);
    return 0;
}

static void check_stamp(checker *c)
{
    char why[512] = "";
    dx_stamp st;
    if (dx_stamp_read(c->db, &st, why, sizeof why) != DX_OK) {
        report(c, "reading metadata: %s", why);
        return;
    }
    if (!st.format_ok)
        report(c, "index format is '%s', this diarium reads and writes "
               "format %d", st.format, DX_FORMAT_VERSION);
    if (!st.analysis_ok)
        report(c, "indexed with another analysis ('%s'; this build: '%s'): "
               "queries refuse it", st.analysis, sv_fingerprint());
}

/* The unpacked data (data, len bytes) of check_data. */
static int check_raw(checker *c, const char *key, unsigned docid,
                     const char *data, size_t len, long number)
{
    dx_data d;
    int k = dx_data_parse(data, len, &d);
    if (k == DX_EFORMAT) {
        report(c, "passage %u of %s: stored data has no valid header (or "
               "another format's)", docid, key);
        return -1;
    }
    if (k != DX_OK) {
        report(c, "passage %u of %s: stored data is %zu bytes, which its "
               "text and field lengths do not add up to", docid, key, len);
        return -1;
    }
    if (!sv_utf8_valid(d.text, d.textlen)) {
        report(c, "passage %u of %s: stored text is not valid UTF-8", docid,
               key);
        return -1;
    }
    static const char *const names[DX_NFIELDS] = {
        "date", "municipality", "type", "outcome", "authority",
        "diary number", "school unit", "metadata JSON"};
    for (int f = 0; f < DX_NFIELDS; f++)
        if (!sv_utf8_valid(d.field[f], d.fieldlen[f])) {
            report(c, "passage %u of %s: stored %s is not valid UTF-8",
                   docid, key, names[f]);
            return -1;
        }
    if (!sv_utf8_valid(d.label, d.labellen)) {
        report(c, "passage %u of %s: stored page label is not valid UTF-8",
               docid, key);
        return -1;
    }
    if (d.page == 0 && (d.page_end != 0 || d.labellen != 0)) {
        report(c, "passage %u of %s: a page label or end page without a "
               "page", docid, key);
        return -1;
    }
    if (number >= 0 && d.passage != (unsigned long)number) {
        report(c, "passage %u of %s: its data says passage number %u, its "
               "value %ld", docid, key, (unsigned)d.passage, number);
        return -1;
    }
    return 0;
}

/* Checks a passage's stored data (its DX_SLOT_DATA value, slen bytes):
 * that it decompresses, its header, lengths, valid UTF-8 (text and
 * fields), the passage number it repeats (`number`, from its value slot;
 * -1 when unknown); 0 or -1 (reported). */
static int check_data(checker *c, const char *key, unsigned docid,
                      const char *stored, size_t slen, long number)
{
    char *data = NULL;
    size_t len = 0;
    int k = dx_data_load(stored, slen, &data, &len);
    if (k == DX_ENOMEM) {
        report(c, "out of memory checking passage %u of %s", docid, key);
        return -1;
    }
    if (k != DX_OK) {
        report(c, "passage %u of %s: stored data %s", docid, key,
               k == DX_EFORMAT ? "is missing or not LZ4 as this format stores it"
                       : "does not decompress to the length it gives");
        return -1;
    }
    int res = check_raw(c, key, docid, data, len, number);
    free(data);
    return res;
}

/* Every passage of document `key` (record r; NULL when it has none). */
static void check_passages(checker *c, const char *key, const dx_record *r,
                           const char *term, size_t tlen, unsigned *seen)
{
    unsigned *ids = NULL;
    size_t n = 0;
    char *xerr = NULL;
    int rc = xc_db_postlist(c->db, term, tlen, &ids, &n, &xerr);
    if (rc != XC_OK) {
        xfail(c, rc, xerr, "listing passages");
        return;
    }
    *seen += (unsigned)n;
    unsigned np = r ? r->passages : 0;
    if (r && n != np)
        report(c, "%s: the record says %u passages, the index has %zu", key,
               np, n);
    unsigned char *got = calloc(n ? n : 1, 1);
    for (size_t i = 0; got && i < n; i++) {
        char *v = NULL, *pn = NULL, *data = NULL;
        size_t vl = 0, pl = 0, dl = 0;
        rc = xc_db_get_value(c->db, ids[i], DX_SLOT_DOCID, &v, &vl, &xerr);
        if (rc == XC_OK)
            rc = xc_db_get_value(c->db, ids[i], DX_SLOT_PASSAGE, &pn, &pl,
                                 &xerr);
        if (rc == XC_OK)
            rc = xc_db_get_value(c->db, ids[i], DX_SLOT_DATA, &data, &dl,
                                 &xerr);
        if (rc != XC_OK) {
            xfail(c, rc, xerr, "reading a passage");
        } else {
            char k[DX_DOC_KEY_MAX + 1];
            if (!vl || memchr(v, '\0', vl) ||
                strcmp(dx_doc_key(v, vl, k) ? k : "", key) != 0)
                report(c, "passage %u is filed under %s but its id value "
                       "is '%.*s'", ids[i], key, (int)(vl > 200 ? 200 : vl),
                       v ? v : "");
            uint32_t num = pl == 4 ? dx_get_be32((unsigned char *)pn)
                                   : UINT32_MAX;
            if (num >= n)
                report(c, "passage %u of %s: number %s out of range 0..%zu",
                       ids[i], key, pl == 4 ? "is" : "missing, or", n - 1);
            else if (got[num]++)
                report(c, "%s: passage number %u occurs twice", key,
                       (unsigned)num);
            check_data(c, key, ids[i], data, dl,
                       pl == 4 ? (long)dx_get_be32((unsigned char *)pn) : -1);
        }
        xc_free(v);
        xc_free(pn);
        xc_free(data);
    }
    if (!got) report(c, "out of memory checking %s", key);
    free(got);
    xc_free(ids);
}

/* Records, then Q terms, then counts. */
static void check_documents(checker *c)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    const char *k;
    size_t kl, plen = strlen(DX_META_DOC);
    unsigned seen = 0;
    uint64_t total = 0;
    unsigned doccount = 0;
    int rc = xc_db_doccount(c->db, &doccount, &xerr);
    if (rc != XC_OK) {
        xfail(c, rc, xerr, "counting passages");
        return;
    }
    c->st->passages = doccount;

    /* Each record, and the passages under its Q term. */
    rc = xc_db_metadata_keys(c->db, DX_META_DOC, plen, &it, &xerr);
    if (rc != XC_OK) {
        xfail(c, rc, xerr, "listing records");
        return;
    }
    char key[DX_DOC_KEY_MAX + 2], term[DX_DOC_KEY_MAX + 2];
    while ((rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) == 1) {
        c->st->documents++;
        if (kl - plen > DX_DOC_KEY_MAX) {
            report(c, "a record key is too long (%zu bytes)", kl);
            continue;
        }
        memcpy(key, k + plen, kl - plen);
        key[kl - plen] = '\0';
        char *val = NULL;
        size_t vlen = 0;
        dx_record r;
        rc = xc_db_get_metadata(c->db, k, kl, &val, &vlen, &xerr);
        if (rc != XC_OK) {
            xfail(c, rc, xerr, "reading a record");
            xerr = NULL;
            continue;
        }
        int ok = val && dx_record_parse(val, vlen, &r) == 0;
        xc_free(val);
        if (!ok) {
            report(c, "%s: its record is not well-formed", key);
            continue;
        }
        total += r.passages;
        term[0] = DX_PREFIX_DOC;
        memcpy(term + 1, key, kl - plen + 1);
        check_passages(c, key, &r, term, kl - plen + 1, &seen);
    }
    xc_termiter_free(it);
    if (rc < 0) {
        xfail(c, rc, xerr, "listing records");
        return;
    }

    /* Each Q term must have a record (its passages were checked above
     * when it does). */
    char q[2] = {DX_PREFIX_DOC, '\0'};
    rc = xc_db_allterms(c->db, q, 1, &it, &xerr);
    if (rc != XC_OK) {
        xfail(c, rc, xerr, "listing documents");
        return;
    }
    char mkey[DX_DOC_KEY_MAX + 64];
    while ((rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) == 1) {
        if (kl - 1 > DX_DOC_KEY_MAX) {
            report(c, "a document term is too long (%zu bytes)", kl);
            continue;
        }
        int n = snprintf(mkey, sizeof mkey, "%s%.*s", DX_META_DOC,
                         (int)(kl - 1), k + 1);
        char *val = NULL;
        size_t vlen = 0;
        int mrc = xc_db_get_metadata(c->db, mkey, (size_t)n, &val, &vlen,
                                     &xerr);
        if (mrc != XC_OK) {
            xfail(c, mrc, xerr, "reading a record");
            xerr = NULL;
            continue;
        }
        if (!val) {
            memcpy(key, k + 1, kl - 1);
            key[kl - 1] = '\0';
            report(c, "%s: passages in the index but no record", key);
            memcpy(term, k, kl);
            check_passages(c, key, NULL, term, kl, &seen);
        }
        xc_free(val);
    }
    xc_termiter_free(it);
    if (rc < 0) {
        xfail(c, rc, xerr, "listing documents");
        return;
    }
    if (total != doccount)
        report(c, "the records add up to %llu passages, the index has %u",
               (unsigned long long)total, doccount);
    if (seen != doccount)
        report(c, "%u passages belong to no document (or to several)",
               doccount > seen ? doccount - seen : seen - doccount);
}

/* The failure records (dx_format.h, DX_META_FAIL): well-formed, counted. */
static void check_failures(checker *c)
{
    char *xerr = NULL;
    xc_termiter *it = NULL;
    const char *k;
    size_t kl, plen = strlen(DX_META_FAIL);
    int rc = xc_db_metadata_keys(c->db, DX_META_FAIL, plen, &it, &xerr);
    if (rc != XC_OK) {
        xfail(c, rc, xerr, "listing failure records");
        return;
    }
    while ((rc = xc_termiter_next(it, &k, &kl, NULL, &xerr)) == 1) {
        char *val = NULL;
        size_t vlen = 0;
        dx_failrec f;
        c->st->failed++;
        int mrc = xc_db_get_metadata(c->db, k, kl, &val, &vlen, &xerr);
        if (mrc != XC_OK) {
            xfail(c, mrc, xerr, "reading a failure record");
            xerr = NULL;
            continue;
        }
        if (kl - plen > DX_DOC_KEY_MAX || !val ||
            dx_failrec_parse(val, vlen, &f) != DX_OK)
            report(c, "%.*s: its failure record is not well-formed",
                   (int)(kl - plen > 200 ? 200 : kl - plen), k + plen);
        xc_free(val);
    }
    xc_termiter_free(it);
    if (rc < 0) xfail(c, rc, xerr, "listing failure records");
}

int dx_check(const char *dbpath, dx_check_fn fn, void *ctx,
             dx_check_stats *st, char *err, size_t errlen)
{
    checker c = {NULL, fn, ctx, st};
    struct stat sb;
    char *xerr = NULL;
    memset(st, 0, sizeof *st);
    if (stat(dbpath, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        report(&c, "no database folder at %s", dbpath);
        return DX_OK;
    }
    /* No lock file is made among someone's files. */
    if (dx_dbdir_classify(dbpath, NULL, 0, NULL) == DX_DIR_FOREIGN) {
        dx_dbdir_vet(dbpath, 0, err, errlen);
        return DX_EREFUSED;
    }
    dx_dblock *lock = NULL;
    int lrc = dx_dblock_take(dbpath, 0, &lock, NULL, err, errlen);
    if (lrc == DX_ELOCKED) return DX_ELOCKED;
    if (lrc == DX_ENOMEM) return DX_ENOMEM;
    /* DX_EIO (a read-only folder without a lock file): check unlocked. */

    if (check_tables(&c, dbpath) == 0) {
        int rc = xc_db_open(dbpath, &c.db, &xerr);
        if (rc != XC_OK) {
            xfail(&c, rc, xerr, "cannot open it");
        } else {
            check_stamp(&c);
            check_documents(&c);
            check_failures(&c);
        }
    }
    if (st->problems > SHOWN_MAX && fn) {
        char line[128];
        snprintf(line, sizeof line, "... and %u more problems",
                 st->problems - SHOWN_MAX);
        fn(ctx, line);
    }
    xc_db_close(c.db);
    dx_dblock_release(lock);
    return DX_OK;
}
