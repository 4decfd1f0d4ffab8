/*
 * dx_check.c — verifying a database (see dx_check.h).
 */
#define _GNU_SOURCE /* strsignal */
#include "dx_check.h"
#include "dx_dbdir.h"
#include "dx_format.h"
#include "dx_ocr.h"
#include "dx_index.h"
#include "dx_record.h"
#include "dx_verify.h"

#include "sv.h"
#include "sv_text.h"
#include "xc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    if (!c->fn) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->fn(c->ctx, line);
}

/* A shim failure while checking is a problem too, except running out of
 * memory (st->nomem: the check has no answer); returns -1. */
static int xfail(checker *c, int rc, char *xerr, const char *what)
{
    if (rc == XC_ENOMEM) c->st->nomem = 1;
    else report(c, "%s: %s", what, xerr ? xerr : xc_strerror(rc));
    xc_free(xerr);
    return -1;
}

/* Xapian's check of the tables, in a child process (dx_verify: a crash is
 * an answer; a folder this process may not write is checked in a copy).
 * 0 when the rest of the check may go on (the tables are sound, or Xapian
 * found errors in them), -1 when it may not (the check crashed, or could
 * not open them, or could not be run: reported). */
static int check_tables(checker *c, const char *dbpath)
{
    dx_verify_result res;
    int k = dx_verify_tables(dbpath, &res);
    if (k == DXV_SOUND) return 0;
    if (k == DXV_NOMEM) {
        c->st->nomem = 1;
        return -1;
    }
    if (k == DXV_NOCHECK) {
        report(c, "the tables could not be checked: %s", res.what);
        return -1;
    }
    report(c, "%s", res.what);
    return res.signal || !res.errors ? -1 : 0;
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
        c->st->nomem = 1;
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
    if (!got) c->st->nomem = 1;
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

/* For a writer's check (dx_check_held): 1 when the stamp is this build's,
 * so that the documents are worth checking; 0 when it is not (the writer
 * refuses such a database itself, saying why), reporting only a stamp
 * that cannot be read. */
static int this_build(checker *c)
{
    char why[512] = "";
    dx_stamp st;
    if (dx_stamp_read(c->db, &st, why, sizeof why) != DX_OK) {
        report(c, "reading metadata: %s", why);
        return 0;
    }
    return st.format_ok && st.analysis_ok;
}

/* The child's side: each problem as "P <line>\n" on fd (ctx), newlines
 * in it made spaces. */
static void to_parent(void *ctx, const char *problem)
{
    int fd = *(int *)ctx;
    char line[1100];
    int n = snprintf(line, sizeof line, "P %s", problem);
    if (n < 0) return;
    if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2;
    for (int i = 0; i < n; i++)
        if (line[i] == '\n') line[i] = ' ';
    line[n++] = '\n';
    if (write(fd, line, (size_t)n) != n) _exit(2);
}

/* The whole check of dbpath, run in the child: problems and, at the end,
 * "S <documents> <passages>\n" on fd. Never returns. writer: see
 * dx_check_held. */
static void check_child(const char *dbpath, int writer, int fd)
{
    dx_check_stats st;
    char *xerr = NULL, end[64];
    memset(&st, 0, sizeof st);
    checker c = {NULL, to_parent, &fd, &st};
    if (check_tables(&c, dbpath) == 0) {
        int rc = xc_db_open(dbpath, &c.db, &xerr);
        if (rc != XC_OK) {
            xfail(&c, rc, xerr, "cannot open it");
        } else if (!writer) {
            check_stamp(&c);
            check_documents(&c);
            check_failures(&c);
        } else if (this_build(&c)) {
            check_documents(&c);
            check_failures(&c);
        }
    }
    xc_db_close(c.db);
    if (st.nomem && write(fd, "M\n", 2) != 2) _exit(2);
    int n = snprintf(end, sizeof end, "S %u %u %u\n", st.documents,
                     st.passages, st.failed);
    if (write(fd, end, (size_t)n) != n) _exit(2);
    _exit(0);
}

/* One problem from the child, to fn (the first SHOWN_MAX of them). */
static void relay(checker *c, const char *line)
{
    c->st->problems++;
    if (c->st->problems <= SHOWN_MAX && c->fn) c->fn(c->ctx, line);
}

/* Runs check_child in a child process and relays what it says: reading a
 * damaged database can crash inside Xapian, and a crash is then an answer
 * ("not sound") rather than the end of --check. -1 when no child could be
 * started (err says why). */
static int check_in_child(checker *c, const char *dbpath, int writer,
                          char *err, size_t errlen)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(err, errlen, "cannot check %s: pipe: %s", dbpath,
                 strerror(errno));
        return -1;
    }
    int wfd = pfd[1];
    pid_t pid = dx_verify_fork(&wfd);
    if (pid < 0) {
        snprintf(err, errlen, "cannot check %s: fork: %s", dbpath,
                 strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) check_child(dbpath, writer, wfd);
    close(pfd[1]);
    FILE *in = fdopen(pfd[0], "r");
    char line[1200];
    int ended = 0;
    while (in && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == 'P' && line[1] == ' ')
            relay(c, line + 2);
        else if (line[0] == 'M' && line[1] == '\0')
            c->st->nomem = 1;
        else if (line[0] == 'S' &&
                 sscanf(line, "S %u %u %u", &c->st->documents,
                        &c->st->passages, &c->st->failed) == 3)
            ended = 1;
    }
    if (in) fclose(in);
    else close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(st)) {
        snprintf(line, sizeof line, "reading the database crashed (signal "
                 "%d, %s): it is damaged", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
        relay(c, line);
    } else if (!ended) {
        relay(c, "the check did not finish");
    }
    return 0;
}

/* A file of the OCR cache that is not a page: counted (dx_check.h). */
static void ocr_bad(void *ctx, const char *what)
{
    (void)what;
    ((dx_check_stats *)ctx)->ocr_bad++;
}

int dx_check(const char *dbpath, dx_check_fn fn, void *ctx,
             dx_check_stats *st, char *err, size_t errlen)
{
    checker c = {NULL, fn, ctx, st};
    struct stat sb;
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

    int res = check_in_child(&c, dbpath, 0, err, errlen) == 0 ? DX_OK
                                                              : DX_EDB;
    if (res == DX_OK && st->nomem) {
        snprintf(err, errlen, "out of memory checking %s", dbpath);
        res = DX_ENOMEM;
    }
    unsigned docs = 0;
    if (res == DX_OK)
        dx_ocr_check(dbpath, ocr_bad, st, &st->ocr_pages, &docs);
    if (res == DX_OK && st->problems > SHOWN_MAX && fn) {
        char line[128];
        snprintf(line, sizeof line, "... and %u more problems",
                 st->problems - SHOWN_MAX);
        fn(ctx, line);
    }
    dx_dblock_release(lock);
    return res;
}

int dx_check_held(const char *dbpath, dx_check_fn fn, void *ctx,
                  dx_check_stats *st, char *err, size_t errlen)
{
    checker c = {NULL, fn, ctx, st};
    memset(st, 0, sizeof *st);
    if (check_in_child(&c, dbpath, 1, err, errlen) != 0) return DX_EDB;
    if (st->nomem) {
        snprintf(err, errlen, "out of memory checking %s", dbpath);
        return DX_ENOMEM;
    }
    return DX_OK;
}
