/*
 * dx_meta.c — decision metadata extraction (see dx_meta.h): the names and
 * messages, the extraction context, dx_meta_extract and what is made of
 * its result (JSON, filter terms).
 *
 * The text is tokenised once (sv_tokenize), every token gets its OCR
 * skeleton (sv_skeleton), and a table of lines is built (dx_meta_doc.c).
 * Each field is then found by a small matcher over tokens and lines
 * (dx_meta_fields.c; the municipality in dx_kommun.c, the outcomes in
 * dx_meta_outcome.c). Every comparison of a word in the text with a word
 * we know goes through dxm_form_cost(): exact, or the same skeleton and an
 * sv_confusion_cost() within sv_confusion_budget(), so the clean,
 * stripped and OCR flavours of a document read alike. What these files
 * share is declared in dx_meta_int.h.
 */
#include "dx_meta_int.h"
#include "sv.h"
#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Names and messages.
 * ------------------------------------------------------------------- */
const char *dx_issuer_name(int issuer)
{
    static const char *const names[DX_ISSUER_COUNT] = {
        "", "skolinspektionen", "overklagandenamnden", "kommun"};
    return issuer > 0 && issuer < DX_ISSUER_COUNT ? names[issuer] : "";
}

/* ---------------------------------------------------------------------
 * Public functions.
 * ------------------------------------------------------------------- */
void dx_meta_free(dx_meta *m)
{
    if (!m) return;
    free(m->dates);
    free(m->principal);
    free(m->school);
    free(m->dnr);
    free(m->authority);
    for (size_t i = 0; i < m->nareas; i++) free(m->areas[i].name);
    free(m->areas);
    memset(m, 0, sizeof *m);
}

/* The appeal board's name as the authority. */
#define APPEAL_BOARD "Skolväsendets överklagandenämnd"

/* Confidence in a type read from a type word or title in the header, in
 * one guessed from a signature or the body, and in Skolinspektionen's
 * outcome phrases in its own decision (or in one of its kinds of decision
 * that does not name its issuer). */
#define CONF_TYPE 90
#define CONF_TYPE_GUESS 60
#define CONF_SI_OUTCOME 80
#define CONF_SI_KIND_OUTCOME 70

/* Clears every field found with less than DX_META_MIN_CONFIDENCE (and
 * its confidence). */
static void keep_confident(dx_meta *m)
{
    for (int f = 0; f < DX_CONF_COUNT; f++) {
        if (m->conf[f] >= DX_META_MIN_CONFIDENCE) continue;
        m->conf[f] = 0;
        switch (f) {
        case DX_CONF_TYPE: m->type = DX_DOC_UNKNOWN; break;
        case DX_CONF_DATE: m->date.iso[0] = '\0'; break;
        case DX_CONF_DNR:
            free(m->dnr);
            m->dnr = NULL;
            break;
        case DX_CONF_AUTHORITY:
            free(m->authority);
            m->authority = NULL;
            m->issuer = DX_ISSUER_UNKNOWN;
            break;
        case DX_CONF_OUTCOME:
            m->outcome = DX_OUT_NONE;
            break;
        }
    }
}

static int is_decision(int type)
{
    return type == DX_DOC_BESLUT || type == DX_DOC_UPPFOLJNINGSBESLUT ||
           type == DX_DOC_TILLSYNSBESLUT;
}

struct dx_meta_ctx {
    struct kname *kt;
    qskel *qc; /* the fixed words' skeletons, kept across documents */
    sv_skelmemo *skm; /* the tokens' skeletons, kept across documents */
};

int dx_meta_ctx_new(dx_meta_ctx **out)
{
    *out = NULL;
    dx_meta_ctx *c = calloc(1, sizeof *c);
    if (!c) return DX_ENOMEM;
    c->kt = dxm_ktable_new();
    c->qc = calloc(1, sizeof *c->qc);
    if (!c->kt || !c->qc || sv_skelmemo_new(&c->skm) != SV_OK) {
        dx_meta_ctx_free(c);
        return DX_ENOMEM;
    }
    dxm_qskel_init(c->qc);
    *out = c;
    return DX_OK;
}

void dx_meta_ctx_free(dx_meta_ctx *c)
{
    if (!c) return;
    free(c->kt);
    free(c->qc);
    sv_skelmemo_free(c->skm);
    free(c);
}

int dx_meta_extract(const char *text, size_t len, dx_meta *out)
{
    return dx_meta_extract_with(NULL, text, len, out);
}

int dx_meta_extract_with(dx_meta_ctx *ctx, const char *text, size_t len,
                         dx_meta *out)
{
    if (!out) return DX_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text && len > 0) return DX_EINVAL;
    if (len == 0) return DX_OK;
    if (!sv_utf8_valid(text, len)) return DX_EINVAL;

    doc d;
    int rc = dxm_doc_init(&d, text, len, ctx ? ctx->qc : NULL,
                          ctx ? ctx->skm : NULL);
    d.kt = ctx ? ctx->kt : NULL;
    int appeal = 0;
    if (rc == DX_OK) {
        dxm_find_header(&d);
        int si = dxm_has_si_signature(&d);
        out->type = dxm_find_type_header(&d);
        if (out->type != DX_DOC_UNKNOWN) out->conf[DX_CONF_TYPE] = CONF_TYPE;
        /* The appeal board's decision: not where Skolinspektionen signs,
         * nor in a municipal memo or minutes that quote one. */
        dxm_appeal ap;
        dxm_find_appeal(&d, &ap);
        appeal = ap.found && !si && out->type != DX_DOC_TJANSTESKRIVELSE &&
                 out->type != DX_DOC_PROTOKOLLSUTDRAG &&
                 out->type != DX_DOC_YTTRANDE;
        if (appeal) {
            out->issuer = DX_ISSUER_APPEAL_BOARD;
            rc = dxm_set_str(&out->authority, APPEAL_BOARD,
                             strlen(APPEAL_BOARD));
            out->conf[DX_CONF_AUTHORITY] = (unsigned char)ap.auth_conf;
            if (out->type == DX_DOC_UNKNOWN) {
                out->type = DX_DOC_BESLUT;
                out->conf[DX_CONF_TYPE] = CONF_TYPE_GUESS;
            }
            out->outcome = ap.outcome;
            out->conf[DX_CONF_OUTCOME] = (unsigned char)ap.outcome_conf;
        } else {
            if (out->type == DX_DOC_UNKNOWN && si) {
                out->type = dxm_guess_type(&d, si, 0);
                out->conf[DX_CONF_TYPE] = CONF_TYPE_GUESS;
            }
            int forv = 0;
            rc = dxm_find_authority(&d, out, si, &forv);
            if (rc == DX_OK && out->type == DX_DOC_UNKNOWN) {
                out->type = dxm_guess_type(&d, si, forv);
                if (out->type != DX_DOC_UNKNOWN)
                    out->conf[DX_CONF_TYPE] = CONF_TYPE_GUESS;
                /* A förvaltning's memo names its author early. */
                if (out->type == DX_DOC_TJANSTESKRIVELSE &&
                    out->conf[DX_CONF_AUTHORITY] == DXM_AUTH_CONF_BODY)
                    out->conf[DX_CONF_AUTHORITY] = DXM_AUTH_CONF_MEMO;
            }
        }
    }
    if (rc == DX_OK) rc = dxm_find_dates(&d, out, appeal);
    if (rc == DX_OK) rc = dxm_find_kommun(&d, out);
    if (rc == DX_OK) rc = dxm_find_dnr(&d, out);
    if (rc == DX_OK) rc = dxm_find_principal(&d, out);
    if (rc == DX_OK) rc = dxm_find_school(&d, out);
    /* Assessment outcomes are Skolinspektionen's vocabulary: only in its
     * decisions, and in follow-up and tillsyn decisions (its kinds) whose
     * issuer the text does not say. */
    int si_kind = out->type == DX_DOC_UPPFOLJNINGSBESLUT ||
                  out->type == DX_DOC_TILLSYNSBESLUT;
    if (rc == DX_OK && is_decision(out->type) &&
        (out->issuer == DX_ISSUER_SKOLINSPEKTIONEN ||
         (out->issuer == DX_ISSUER_UNKNOWN && si_kind))) {
        size_t cap = 0;
        rc = dxm_find_tillsyn_areas(&d, out, &cap);
        if (rc == DX_OK) rc = dxm_find_quality_areas(&d, out, &cap);
        if (rc == DX_OK) out->outcome = dxm_overall_outcome(&d, out);
        if (out->outcome != DX_OUT_NONE)
            out->conf[DX_CONF_OUTCOME] =
                out->issuer == DX_ISSUER_SKOLINSPEKTIONEN ? CONF_SI_OUTCOME
                                                          : CONF_SI_KIND_OUTCOME;
    }
    dxm_doc_free(&d);
    if (rc == DX_OK) keep_confident(out);
    if (rc != DX_OK) dx_meta_free(out);
    return rc;
}

/* JSON string (or null for NULL / ""). */
static void json_str(sbuf *b, const char *s, int *rc)
{
    if (!s || !*s) {
        dxm_sb_puts(b, "null", rc);
        return;
    }
    dxm_sb_puts(b, "\"", rc);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') dxm_sb_puts(b, "\\\"", rc);
        else if (c == '\\') dxm_sb_puts(b, "\\\\", rc);
        else if (c == '\n') dxm_sb_puts(b, "\\n", rc);
        else if (c == '\t') dxm_sb_puts(b, "\\t", rc);
        else if (c < 0x20 || c == 0x7F) {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", c);
            dxm_sb_puts(b, u, rc);
        } else {
            dxm_sb_put(b, p, 1, rc);
        }
    }
    dxm_sb_puts(b, "\"", rc);
}

int dx_meta_json(const dx_meta *m, char **out, size_t *outlen)
{
    if (out) *out = NULL;
    if (outlen) *outlen = 0;
    if (!m || !out) return DX_EINVAL;
    int rc = DX_OK;
    sbuf b = {0};
    dxm_sb_puts(&b, "{\"type\":", &rc);
    json_str(&b, dx_doctype_name(m->type), &rc);
    dxm_sb_puts(&b, ",\"date\":", &rc);
    json_str(&b, m->date.iso, &rc);
    dxm_sb_puts(&b, ",\"dates\":[", &rc);
    for (size_t i = 0; i < m->ndates; i++) {
        if (i) dxm_sb_puts(&b, ",", &rc);
        json_str(&b, m->dates[i].iso, &rc);
    }
    dxm_sb_puts(&b, "],\"kommun\":", &rc);
    json_str(&b, m->kommun, &rc);
    dxm_sb_puts(&b, ",\"kommun_alt\":", &rc);
    json_str(&b, m->kommun_alt, &rc);
    dxm_sb_puts(&b, ",\"principal\":", &rc);
    json_str(&b, m->principal, &rc);
    dxm_sb_puts(&b, ",\"school\":", &rc);
    json_str(&b, m->school, &rc);
    dxm_sb_puts(&b, ",\"dnr\":", &rc);
    json_str(&b, m->dnr, &rc);
    dxm_sb_puts(&b, ",\"authority\":", &rc);
    json_str(&b, m->authority, &rc);
    dxm_sb_puts(&b, ",\"outcome\":", &rc);
    json_str(&b, dx_outcome_name(m->outcome), &rc);
    dxm_sb_puts(&b, ",\"areas\":[", &rc);
    for (size_t i = 0; i < m->nareas; i++) {
        if (i) dxm_sb_puts(&b, ",", &rc);
        dxm_sb_puts(&b, "{\"name\":", &rc);
        json_str(&b, m->areas[i].name, &rc);
        dxm_sb_puts(&b, ",\"outcome\":", &rc);
        json_str(&b, dx_outcome_name(m->areas[i].outcome), &rc);
        dxm_sb_puts(&b, "}", &rc);
    }
    dxm_sb_puts(&b, "],\"issuer\":", &rc);
    json_str(&b, dx_issuer_name(m->issuer), &rc);
    static const char *const conf_names[DX_CONF_COUNT] = {
        "type", "date", "dnr", "authority", "outcome"};
    dxm_sb_puts(&b, ",\"confidence\":{", &rc);
    int any = 0;
    for (int f = 0; f < DX_CONF_COUNT; f++) {
        if (!m->conf[f]) continue;
        char num[32];
        snprintf(num, sizeof num, "%s\"%s\":%u", any ? "," : "",
                 conf_names[f], (unsigned)m->conf[f]);
        dxm_sb_puts(&b, num, &rc);
        any = 1;
    }
    dxm_sb_puts(&b, "}}", &rc);
    if (rc != DX_OK) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    if (outlen) *outlen = b.n;
    return DX_OK;
}

/* Lower-cases value (n bytes) and calls fn with the name of field f. */
static int emit(dx_filter f, const char *value, size_t n, dx_meta_term_fn fn,
                void *ctx)
{
    if (!value || n == 0) return DX_OK;
    const char *field = dx_filter_names[f];
    char small[256];
    size_t need = sv_lower(value, n, small, sizeof small);
    if (need < sizeof small) return fn(ctx, field, small, need);
    char *big = malloc(need + 1);
    if (!big) return DX_ENOMEM;
    sv_lower(value, n, big, need + 1);
    int r = fn(ctx, field, big, need);
    free(big);
    return r;
}

static int emit_str(dx_filter f, const char *value, dx_meta_term_fn fn,
                    void *ctx)
{
    return value ? emit(f, value, strlen(value), fn, ctx) : DX_OK;
}

int dx_meta_terms(const dx_meta *m, dx_meta_term_fn fn, void *ctx)
{
    if (!m || !fn) return DX_EINVAL;
    int r = emit_str(DX_FILTER_TYPE, dx_doctype_name(m->type), fn, ctx);
    if (!r && m->date.iso[0]) {
        r = emit(DX_FILTER_DATE, m->date.iso, 10, fn, ctx);
        if (!r) r = emit(DX_FILTER_YEAR, m->date.iso, 4, fn, ctx);
    }
    if (!r) r = emit_str(DX_FILTER_KOMMUN, m->kommun, fn, ctx);
    if (!r) r = emit_str(DX_FILTER_KOMMUN, m->kommun_alt, fn, ctx);
    if (!r) r = emit_str(DX_FILTER_PRINCIPAL, m->principal, fn, ctx);
    if (!r) r = emit_str(DX_FILTER_SCHOOL, m->school, fn, ctx);
    if (!r) r = emit_str(DX_FILTER_DNR, m->dnr, fn, ctx);
    if (!r) r = emit_str(DX_FILTER_AUTHORITY, m->authority, fn, ctx);
    int done[DX_OUT_COUNT] = {0};
    if (!r && m->outcome > 0 && m->outcome < DX_OUT_COUNT) {
        done[m->outcome] = 1;
        r = emit_str(DX_FILTER_OUTCOME, dx_outcome_name(m->outcome), fn, ctx);
    }
    for (size_t i = 0; i < m->nareas && !r; i++) {
        int o = m->areas[i].outcome;
        if (o <= 0 || o >= DX_OUT_COUNT || done[o]) continue;
        done[o] = 1;
        r = emit_str(DX_FILTER_OUTCOME, dx_outcome_name(o), fn, ctx);
    }
    return r;
}
