/*
 * dx_writer.c — the passage-to-document writer: one file's text (cleaned,
 * split into passages, its metadata extracted) written as one Xapian
 * document per passage, in the layout of dx_format.h (terms with
 * positions, the spelling keys, values, the stored passage data).
 *
 * PDF, Word and OpenDocument files are read by the writer's document
 * reader (extract/, a worker process of its own per writer, so per thread)
 * into pages, made into one text with a page table (dx_doctext), and each
 * passage carries the pages it starts and ends on.
 *
 * Where it sits: called by a run (dx_index.c) for each added or updated
 * file, and by each thread of a parallel build (dx_bulk.c) into its
 * shard. Declared in dx_index_int.h.
 */
#include "dx_index_int.h"
#include "dx_doctext.h"
#include "dx_format.h"
#include "dx_meta.h"
#include "dx_ocr.h"
#include "dx_passage.h"
#include "dx_record.h"

#include "sv.h"
#include "sv_ocr.h"
#include "sv_stem.h"
#include "sv_text.h"
#include "sv_token.h"
#include "xc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every passage of the document being indexed carries (dx_meta). */
typedef struct docmeta {
    char date[11];   /* DX_SLOT_DATE */
    char *json;      /* the metadata JSON (DX_FIELD_META) */
    size_t jsonlen;
    const char *kommun, *type, *outcome, *authority, *dnr, *school;
} docmeta;

/* Builds prefix + a into wr->term; returns its length or 0. */
size_t dx_writer_term(writer *wr, char prefix, const char *a, size_t alen)
{
    size_t need = 1 + alen;
    if (need + 1 > wr->termcap) {
        size_t cap = need * 2 + 64;
        char *t = realloc(wr->term, cap);
        if (!t) return 0;
        wr->term = t;
        wr->termcap = cap;
    }
    wr->term[0] = prefix;
    memcpy(wr->term + 1, a, alen);
    return need;
}

/* A writer for database w (NULL: none yet). */
int dx_writer_init(writer *wr, xc_wdb *w, char *err, size_t errlen)
{
    char *xerr = NULL;
    memset(wr, 0, sizeof *wr);
    wr->w = w;
    int rc = xc_doc_new(&wr->doc, &xerr);
    if (rc != XC_OK) return dx_db_error(rc, xerr, err, errlen, "new document");
    if (sv_stemmer_new(&wr->st) != SV_OK) {
        dx_seterr(err, errlen, "cannot create the Swedish stemmer");
        return DX_ENOMEM;
    }
    if (sv_skelmemo_new(&wr->skm) != SV_OK) return dx_oom(err, errlen);
    return DX_OK;
}

/* Frees what wr holds (not its database). */
void dx_writer_free(writer *wr)
{
    xc_doc_free(wr->doc);
    sv_stemmer_free(wr->st);
    sv_skelmemo_free(wr->skm);
    sv_tokens_free(&wr->toks);
    free(wr->zbuf);
    free(wr->sbuf);
    free(wr->term);
    free(wr->key);
    dx_strset_free(&wr->forms);
    free(wr->dterms);
    free(wr->dtslot);
    free(wr->dtused);
    free(wr->mterms);
    dx_meta_ctx_free(wr->mctx);
    ex_reader_close(wr->ex);
    memset(wr, 0, sizeof *wr);
}

/* ------------------------------------------------------------ analysis */

/* Records in wr->w the spelling key of form (dx_format.h: the query tool
 * finds a word's spellings by skeleton there), once per writer. */
static int add_spelling(writer *wr, const char *skel, size_t kl,
                        const char *form, size_t fl, char **xerr)
{
    size_t need = 1 + kl + 1 + fl + 1;
    if (need > wr->keycap) {
        size_t cap = need * 2 + 64;
        char *k = realloc(wr->key, cap);
        if (!k) return XC_ENOMEM;
        wr->key = k;
        wr->keycap = cap;
    }
    char *k = wr->key;
    size_t n = dx_spelling_key(k, wr->keycap, skel, kl, form, fl);
    if (dx_strset_has(&wr->forms, k)) return XC_OK;
    if (wr->forms.n >= FORMS_MAX) dx_strset_free(&wr->forms);
    if (dx_strset_add(&wr->forms, k) != 0) return XC_ENOMEM;
    return xc_wdb_set_metadata(wr->w, k, n, DX_SPELLING_VALUE,
                               sizeof DX_SPELLING_VALUE - 1, xerr);
}

/* ---------------------------------------------- document-level terms */

static uint32_t term_hash(const char *t, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)t[i]) * 16777619u;
    return h;
}

/* Empties the document's term set (its memory is kept). */
static void dterms_clear(writer *wr)
{
    for (size_t k = 0; k < wr->dtn; k++) wr->dtslot[wr->dtused[k]] = 0;
    wr->dtn = 0;
    wr->dtlen = 0;
}

/* Adds term (n bytes) to the document's set once. 0, or -1 when out of
 * memory. */
static int dterms_add(writer *wr, const char *t, size_t n)
{
    if ((wr->dtn + 1) * 2 > wr->dtslots) { /* grow, and rehash */
        size_t cap = wr->dtslots ? wr->dtslots * 2 : 4096;
        if (cap > UINT32_MAX / 2) return -1;
        uint32_t *v = calloc(cap, sizeof *v);
        uint32_t *u = malloc(cap / 2 * sizeof *u);
        if (!v || !u) {
            free(v);
            free(u);
            return -1;
        }
        for (size_t k = 0; k < wr->dtn; k++) {
            uint32_t o = wr->dtslot[wr->dtused[k]];
            const char *t2 = wr->dterms + o - 1;
            size_t i = term_hash(t2, strlen(t2)) & (cap - 1);
            while (v[i]) i = (i + 1) & (cap - 1);
            v[i] = o;
            u[k] = (uint32_t)i;
        }
        free(wr->dtslot);
        free(wr->dtused);
        wr->dtslot = v;
        wr->dtused = u;
        wr->dtslots = cap;
    }
    size_t i = term_hash(t, n) & (wr->dtslots - 1);
    for (; wr->dtslot[i]; i = (i + 1) & (wr->dtslots - 1)) {
        const char *k = wr->dterms + wr->dtslot[i] - 1;
        if (strncmp(k, t, n) == 0 && k[n] == '\0') return 0;
    }
    if (wr->dtlen + n + 1 > wr->dtcap) {
        size_t cap = (wr->dtlen + n + 1) * 2 + 4096;
        if (cap >= UINT32_MAX) return -1;
        char *a = realloc(wr->dterms, cap);
        if (!a) return -1;
        wr->dterms = a;
        wr->dtcap = cap;
    }
    memcpy(wr->dterms + wr->dtlen, t, n);
    wr->dterms[wr->dtlen + n] = '\0';
    wr->dtslot[i] = (uint32_t)(wr->dtlen + 1);
    wr->dtused[wr->dtn++] = (uint32_t)i;
    wr->dtlen += n + 1;
    return 0;
}

/* Adds the document's D terms (dx_format.h) to the passage being built. */
static int add_dterms(writer *wr, char **xerr)
{
    for (size_t at = 0; at < wr->dtlen;) {
        size_t tl = strlen(wr->dterms + at);
        size_t n = dx_writer_term(wr, DX_PREFIX_DOCLEVEL, wr->dterms + at, tl);
        if (!n) return XC_ENOMEM;
        int rc = xc_doc_add_boolean_term(wr->doc, wr->term, n, xerr);
        if (rc != XC_OK) return rc;
        at += tl + 1;
    }
    return XC_OK;
}

/* Adds the S term of one normalised word at position pos, and its Z term
 * when the word is an inflected form (its stem is not the word itself:
 * the S term already holds the others, see dx_format.h). */
static int add_word(writer *wr, const char *norm, size_t nlen, int word,
                    unsigned pos, char **xerr)
{
    const char *stem = norm;
    size_t slen = nlen;
    char skel[SV_SKELETON_MAX];
    size_t n;
    if (word && sv_stem(wr->st, norm, nlen, &stem, &slen) != SV_OK)
        return XC_ENOMEM;
    size_t kl = sv_skeleton_memo(wr->skm, norm, nlen, skel, sizeof skel);
    /* (kl is 0 only for tokens over SV_TOKEN_MAX, which never come here;
     * the Z term then stands alone.) */
    if (slen != nlen || memcmp(stem, norm, nlen) != 0 || !kl) {
        n = dx_writer_term(wr, DX_PREFIX_STEM, stem, slen);
        if (!n || dterms_add(wr, wr->term, n) != 0) return XC_ENOMEM;
        int rc = xc_doc_add_term(wr->doc, wr->term, n, 1, xerr);
        if (rc != XC_OK) return rc;
    }
    if (!kl) return XC_OK;
    n = dx_writer_term(wr, DX_PREFIX_FORM, norm, nlen);
    if (!n || dterms_add(wr, wr->term, n) != 0) return XC_ENOMEM;
    int rc = xc_doc_add_posting(wr->doc, wr->term, n, pos, 1, xerr);
    /* (a parallel build's shard gets its keys at its end: shard_spellings) */
    if (rc != XC_OK || !wr->w || wr->shared) return rc;
    return add_spelling(wr, skel, kl, norm, nlen, xerr);
}

/* Where a passage is in its source document (dx_doctext_span). */
typedef struct where {
    uint32_t page, page_end; /* 0, 0: no pages */
    const char *label;       /* or NULL */
    int ocr;                 /* -1: not read by OCR */
} where;

/* The passage's data (dx_format.h) in wr->zbuf: header, text, the
 * document's fields and the page label. */
static int pack_data(writer *wr, const docmeta *dm, const char *text,
                     size_t len, size_t offset, unsigned number,
                     const where *at_page, size_t *outlen)
{
    const char *f[DX_NFIELDS];
    size_t fl[DX_NFIELDS];
    f[DX_FIELD_DATE] = dm->date;
    f[DX_FIELD_KOMMUN] = dm->kommun;
    f[DX_FIELD_TYPE] = dm->type;
    f[DX_FIELD_OUTCOME] = dm->outcome;
    f[DX_FIELD_AUTHORITY] = dm->authority;
    f[DX_FIELD_DNR] = dm->dnr;
    f[DX_FIELD_SCHOOL] = dm->school;
    size_t ll = at_page->label ? strlen(at_page->label) : 0;
    size_t need = DX_DATA_HEADER + len + 4 + ll;
    for (int i = 0; i < DX_NFIELDS; i++) {
        if (i == DX_FIELD_META) {
            f[i] = dm->json;
            fl[i] = dm->json ? dm->jsonlen : 0;
        } else {
            fl[i] = f[i] ? strlen(f[i]) : 0;
        }
        need += 4 + fl[i];
    }
    if (need > UINT32_MAX) return -1; /* lengths are 4 bytes */
    if (need > wr->zcap) {
        unsigned char *b = realloc(wr->zbuf, need);
        if (!b) return -1;
        wr->zbuf = b;
        wr->zcap = need;
    }
    unsigned char *p = wr->zbuf;
    p[0] = DX_DATA_VERSION;
    dx_put_be32(p + 1, (uint32_t)len);
    dx_put_be32(p + 5, (uint32_t)offset);
    dx_put_be32(p + 9, (uint32_t)number);
    dx_put_be32(p + 13, at_page->page);
    dx_put_be32(p + 17, at_page->page_end);
    p[21] = at_page->ocr < 0 ? DX_DATA_NO_OCR
                             : (unsigned char)(at_page->ocr > 100
                                                   ? 100
                                                   : at_page->ocr);
    memcpy(p + DX_DATA_HEADER, text, len);
    size_t at = DX_DATA_HEADER + len;
    for (int i = 0; i < DX_NFIELDS; i++) {
        dx_put_be32(p + at, (uint32_t)fl[i]);
        at += 4;
        if (fl[i]) memcpy(p + at, f[i], fl[i]);
        at += fl[i];
    }
    dx_put_be32(p + at, (uint32_t)ll);
    at += 4;
    if (ll) memcpy(p + at, at_page->label, ll);
    *outlen = need;
    return 0;
}

/* Compresses the passage's data (wr->zbuf, len bytes) into wr->sbuf as it
 * is stored (dx_format.h); its stored length, 0 when out of memory. */
static size_t store_data(writer *wr, size_t len)
{
    size_t need = dx_store_bound(len);
    if (!need) return 0;
    if (need > wr->scap) {
        char *b = realloc(wr->sbuf, need);
        if (!b) return 0;
        wr->sbuf = b;
        wr->scap = need;
    }
    return dx_data_store((const char *)wr->zbuf, len, wr->sbuf, wr->scap);
}

/* dx_meta_terms callback: appends X<field>:<value> to ix->mterms. */
static int collect_term(void *ctx, const char *field, const char *value,
                        size_t vlen)
{
    writer *wr = ctx;
    size_t fl = strlen(field), need = 1 + fl + 1 + vlen + 1;
    if (1 + fl + 1 + vlen > 240) return 0; /* too long for a Xapian term */
    if (wr->mtlen + need > wr->mtcap) {
        size_t cap = (wr->mtlen + need) * 2;
        char *b = realloc(wr->mterms, cap);
        if (!b) return DX_ENOMEM;
        wr->mterms = b;
        wr->mtcap = cap;
    }
    char *o = wr->mterms + wr->mtlen;
    *o++ = DX_PREFIX_FIELD;
    memcpy(o, field, fl);
    o[fl] = ':';
    memcpy(o + fl + 1, value, vlen);
    o[fl + 1 + vlen] = '\0';
    wr->mtlen += need;
    return 0;
}

/* Extracts the document's metadata into its terms (ix->mterms) and values
 * (dm). The strings dm points to live in m, which the caller frees. */
static int doc_metadata(writer *wr, const char *text, size_t len,
                        dx_meta *m, docmeta *dm)
{
    memset(dm, 0, sizeof *dm);
    wr->mtlen = 0;
    if (!wr->mctx && dx_meta_ctx_new(&wr->mctx) != DX_OK) {
        memset(m, 0, sizeof *m);
        return DX_ENOMEM;
    }
    if (dx_meta_extract_with(wr->mctx, text, len, m) != DX_OK)
        return DX_ENOMEM;
    if (dx_meta_terms(m, collect_term, wr) != DX_OK) return DX_ENOMEM;
    if (dx_meta_json(m, &dm->json, &dm->jsonlen) != DX_OK)
        return DX_ENOMEM;
    const char *date = m->date.iso; /* its own date, */
    if (!date[0]) /* else the latest date it mentions */
        for (size_t i = 0; i < m->ndates; i++)
            if (strcmp(m->dates[i].iso, date) > 0) date = m->dates[i].iso;
    memcpy(dm->date, date, strlen(date) + 1);
    dm->kommun = m->kommun;
    dm->type = m->type ? dx_doctype_name(m->type) : NULL;
    dm->outcome = m->outcome ? dx_outcome_name(m->outcome) : NULL;
    dm->authority = m->authority;
    dm->dnr = m->dnr;
    dm->school = m->school;
    return DX_OK;
}

/* Sets a value slot from a string (nothing for NULL or ""). */
static int set_str_value(writer *wr, unsigned slot, const char *v,
                         char **xerr)
{
    if (!v || !*v) return XC_OK;
    return xc_doc_set_value(wr->doc, slot, v, strlen(v), xerr);
}

/* Writes one passage as one Xapian document; the document's last one
 * (`last`) also gets its D terms. */
static int add_passage(writer *wr, const char *docid, size_t idlen,
                       const char *key, const docmeta *dm, const char *text,
                       size_t len, size_t offset, unsigned number, int last,
                       const where *at_page, char *err, size_t errlen)
{
    char *xerr = NULL;
    int rc = XC_OK;
    xc_doc_clear(wr->doc);
    if (sv_tokenize(text, len, &wr->toks) != SV_OK) rc = XC_ENOMEM;
    for (size_t i = 0; rc == XC_OK && i < wr->toks.n; i++) {
        const sv_token *k = &wr->toks.tok[i];
        if (k->flags & SV_TOKF_LONG) continue;
        rc = add_word(wr, sv_token_norm(&wr->toks, k), k->normlen,
                      k->kind == SV_TOK_WORD, k->pos, &xerr);
        if (rc == XC_OK && (k->flags & SV_TOKF_MAYBE_I))
            rc = add_word(wr, "i", 1, 1, k->pos, &xerr);
    }
    if (rc == XC_OK && last) rc = add_dterms(wr, &xerr);
    size_t n = dx_writer_term(wr, DX_PREFIX_DOC, key, strlen(key));
    if (rc == XC_OK && !n) rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(wr->doc, wr->term, n, &xerr);
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_DOCID, docid, idlen, &xerr);
    for (size_t at = 0; rc == XC_OK && at < wr->mtlen;) { /* X terms */
        size_t tl = strlen(wr->mterms + at);
        rc = xc_doc_add_boolean_term(wr->doc, wr->mterms + at, tl, &xerr);
        at += tl + 1;
    }
    if (rc == XC_OK) rc = set_str_value(wr, DX_SLOT_DATE, dm->date, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_KOMMUN, dm->kommun, &xerr);
    if (rc == XC_OK) rc = set_str_value(wr, DX_SLOT_TYPE, dm->type, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_OUTCOME, dm->outcome, &xerr);
    if (rc == XC_OK)
        rc = set_str_value(wr, DX_SLOT_AUTHORITY, dm->authority, &xerr);
    unsigned char be[4];
    dx_put_be32(be, number);
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_PASSAGE, (const char *)be, 4,
                              &xerr);
    size_t dlen = 0, slen = 0;
    if (rc == XC_OK &&
        (pack_data(wr, dm, text, len, offset, number, at_page, &dlen) != 0 ||
         !(slen = store_data(wr, dlen))))
        rc = XC_ENOMEM;
    if (rc == XC_OK)
        rc = xc_doc_set_value(wr->doc, DX_SLOT_DATA, wr->sbuf, slen, &xerr);
    if (rc == XC_OK) rc = xc_wdb_add(wr->w, wr->doc, NULL, &xerr);
    if (rc != XC_OK)
        return dx_db_error(rc, xerr, err, errlen, "adding passage");
    wr->passages++;
    return DX_OK;
}

/* Says in note (notelen bytes) what was replaced in text that was not all
 * valid UTF-8; "" when nothing was. */
static void repair_note(const sv_text_repair *rp, char *note,
                        size_t notelen)
{
    note[0] = '\0';
    if (!rp->first_line) return;
    char a[96] = "", b[96] = "";
    if (rp->cp1252)
        snprintf(a, sizeof a, "%zu stray byte%s read as Windows-1252",
                 rp->cp1252, rp->cp1252 == 1 ? "" : "s");
    if (rp->replaced)
        snprintf(b, sizeof b, "%zu character%s cut short replaced by U+FFFD",
                 rp->replaced, rp->replaced == 1 ? "" : "s");
    snprintf(note, notelen, "invalid UTF-8 from line %zu (byte %zu): %s%s%s;"
             " the rest read as UTF-8", rp->first_line, rp->first_byte, a,
             a[0] && b[0] ? ", " : "", b);
}

/* Reads a PDF, Word, OpenDocument or image file through the writer's
 * document reader into *dt, its scanned pages through the run's OCR
 * (dx_ocr.h). Returns DX_OK (note may then name pages not read),
 * DXW_FAILED / DXW_UNREAD (note says why), or DX_ENOMEM. */
static int read_document(writer *wr, ex_type type, const char *raw,
                         size_t rawlen, dx_doctext *dt, char *note,
                         size_t notelen, char *err, size_t errlen)
{
    memset(dt, 0, sizeof *dt);
    if (!wr->ex) {
        char why[512] = "";
        int rc = ex_reader_open(wr->exprog, wr->exlim, &wr->ex, why,
                                sizeof why);
        if (rc == EX_ENOMEM) return dx_oom(err, errlen);
        if (rc != EX_OK) {
            snprintf(note, notelen, "%s", why[0] ? why : ex_strerror(rc));
            return DXW_UNREAD;
        }
    }
    ex_doc *d = NULL;
    int rc = wr->ocr ? dx_ocr_read(wr->ocr, wr->ex, wr->ocr_helpers, type,
                                   raw, rawlen, dx_content_hash(raw, rawlen),
                                   &d, note, notelen)
                     : ex_read(wr->ex, type, raw, rawlen, &d, note, notelen);
    if (rc == EX_ENOMEM) return dx_oom(err, errlen);
    if (rc == EX_EIO || rc == EX_EINVAL) return DXW_UNREAD;
    if (rc != EX_OK) return DXW_FAILED;
    unsigned unread = 0;
    char pages[400];
    dx_ocr_note(wr->ocr, d, pages, sizeof pages, &unread);
    rc = dx_doctext_build(d, dt);
    ex_doc_free(d);
    if (rc != 0) {
        dx_doctext_free(dt);
        return dx_oom(err, errlen);
    }
    if (unread) {
        if (dt->len == 0) {
            /* Nothing but scans not read: nothing to index. */
            snprintf(note, notelen, "no text: %s", pages);
            dx_doctext_free(dt);
            return DXW_FAILED;
        }
        snprintf(note, notelen, "%s (the other pages are indexed)", pages);
    }
    return DX_OK;
}

/* Replaces every passage of docid (key: its dx_doc_key) with those of the
 * file (see dx_index_int.h). */
int dx_writer_index_text(writer *wr, const char *docid, const char *key,
                         const char *name, const char *raw, size_t rawlen,
                         int fresh, unsigned *npassages, char *note,
                         size_t notelen, char *err, size_t errlen)
{
    char *text = NULL, *xerr = NULL;
    size_t len = 0, idlen = strlen(docid), n = 0;
    dx_span *sp = NULL;
    dx_doctext dt;
    memset(&dt, 0, sizeof dt);
    *npassages = 0;
    if (note && notelen) note[0] = '\0';
    ex_type type = ex_type_of_name(name);
    if (type != EX_TYPE_NONE) {
        int rc = read_document(wr, type, raw, rawlen, &dt, note, notelen,
                               err, errlen);
        if (rc != DX_OK) return rc;
        text = dt.text; /* dt keeps it */
        len = dt.len;
        if (dx_passages(text, len, &sp, &n) != 0) {
            dx_doctext_free(&dt);
            return dx_oom(err, errlen);
        }
    } else {
        sv_text_repair rp;
        if (sv_text_clean_report(raw, rawlen, &text, &len, NULL, &rp) !=
                SV_OK ||
            dx_passages(text, len, &sp, &n) != 0) {
            free(text);
            dx_seterr(err, errlen, "out of memory");
            return DX_ENOMEM;
        }
        if (note && notelen) repair_note(&rp, note, notelen);
    }
    size_t tn = dx_writer_term(wr, DX_PREFIX_DOC, key, strlen(key));
    int rc = !tn ? XC_ENOMEM
           : fresh ? XC_OK
                   : xc_wdb_delete_by_term(wr->w, wr->term, tn, &xerr);
    if (rc != XC_OK) {
        if (type == EX_TYPE_NONE) free(text);
        dx_doctext_free(&dt);
        free(sp);
        return dx_db_error(rc, xerr, err, errlen, "removing old passages");
    }
    /* The metadata of a document read through extract/ is read from its
     * running headers and footers too: a diary number printed on every
     * page is taken out of the pages' text, not out of the document. */
    dx_meta m;
    docmeta dm;
    int res;
    char *mtext = NULL;
    if (dt.running_len) {
        mtext = malloc(dt.running_len + 2 + len + 1);
        if (!mtext) {
            res = DX_ENOMEM;
            memset(&m, 0, sizeof m);
            memset(&dm, 0, sizeof dm);
        } else {
            memcpy(mtext, dt.running, dt.running_len);
            memcpy(mtext + dt.running_len, "\n\n", 2);
            memcpy(mtext + dt.running_len + 2, text, len);
            mtext[dt.running_len + 2 + len] = '\0';
            res = doc_metadata(wr, mtext, dt.running_len + 2 + len, &m, &dm);
        }
    } else {
        res = doc_metadata(wr, text, len, &m, &dm);
    }
    if (res != DX_OK) dx_seterr(err, errlen, "out of memory");
    dterms_clear(wr);
    for (size_t i = 0; res == DX_OK && i < n; i++) {
        where at = {0, 0, NULL, -1};
        dx_doctext_span(&dt, sp[i].start, sp[i].end, &at.page, &at.page_end,
                        &at.label, &at.ocr);
        res = add_passage(wr, docid, idlen, key, &dm, text + sp[i].start,
                          sp[i].end - sp[i].start, sp[i].start, (unsigned)i,
                          i + 1 == n, &at, err, errlen);
    }
    dx_meta_free(&m);
    free(dm.json);
    free(mtext);
    wr->bytes += len;
    *npassages = (unsigned)n;
    if (type == EX_TYPE_NONE) free(text);
    dx_doctext_free(&dt);
    free(sp);
    return res;
}
