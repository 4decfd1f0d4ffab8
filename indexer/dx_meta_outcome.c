/*
 * dx_meta_outcome.c — the outcomes of a Schools Inspectorate decision
 * (dx_meta.h, DX_OUT_*; private interface in dx_meta_int.h): the outcome
 * phrases, the areas of a kvalitetsgranskning or a tillsyn with their
 * outcomes, and the overall outcome.
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
 * Outcomes.
 * ------------------------------------------------------------------- */
static const dx_word paborjat_words[] = {
    W_PABORJAT, W_PABORJATS, W_PABORJAR, W_END};
static const dx_word atgarder_words[] = {
    W_ATGARDER, W_ATGARDERNA, W_ATGARD, W_END};
static const dx_word utvomr_words[] = {
    W_UTVECKLINGSOMRADEN, W_UTVECKLINGSOMRADENA, W_UTVECKLINGSOMRADE, W_END};
static const dx_word ident_words[] = {
    W_IDENTIFIERAT, W_IDENTIFIERATS, W_FOLJANDE, W_END};
static const dx_word not_words[] = {W_INTE, W_EJ, W_END};
static const dx_word krav_words[] = {W_KRAV, W_KRAVEN, W_END};
static const dx_word remark_verbs[] = {W_LAMNAR, W_RIKTAR, W_MEDDELAR, W_END};

/* The outcome phrase starting at token i (tokens before b), or
 * DX_OUT_NONE. */
static int phrase_at(const doc *d, size_t i, size_t b)
{
    if (tkind(d, i) != SV_TOK_WORD) return DX_OUT_NONE;
    if (tok_is_any(d, i, paborjat_words))
        for (size_t j = i + 1; j < b && j <= i + 8; j++)
            if (tok_is(d, j, W_LINJE)) return DX_OUT_I_LINJE;
    if (tok_is(d, i, W_YTTERLIGARE))
        for (size_t j = i + 1; j < b && j <= i + 3; j++)
            if (tok_is_any(d, j, atgarder_words)) {
                for (size_t k = j + 1; k < b && k <= j + 3; k++)
                    if (tok_is(d, k, W_BEHOVS)) return DX_OUT_YTTERLIGARE_ATGARDER;
                break;
            }
    if (tok_is(d, i, W_AVSLUTAR))
        for (size_t j = i + 1; j < b && j <= i + 3; j++)
            if (tok_is_any(d, j, dxm_granskning_words)) return DX_OUT_AVSLUTAD;
    if (tok_is_any(d, i, dxm_granskning_words)) {
        size_t j = i + 1;
        if (j < b && (tok_is(d, j, W_DARMED) || tok_is(d, j, W_HARMED))) j++;
        if (j < b && tok_is(d, j, W_AVSLUTAS) &&
            !(j + 1 < b && tok_is_any(d, j + 1, not_words)))
            return DX_OUT_AVSLUTAD;
    }
    if (tok_is_any(d, i, utvomr_words))
        for (size_t k = 1; k <= 3 && k <= i; k++)
            if (tok_is_any(d, i - k, ident_words))
                return DX_OUT_UTVECKLINGSOMRADEN;
    if (tok_is(d, i, W_FORELAGGER)) return DX_OUT_FORELAGGANDE;
    if (tok_is(d, i, W_UPPFYLLER) && i > 0 && tok_is_any(d, i - 1, not_words))
        for (size_t j = i + 1; j < b && j <= i + 3; j++)
            if (tok_is_any(d, j, krav_words)) return DX_OUT_BRISTER;
    if (tok_is(d, i, W_BRISTER) && i >= 2 &&
        ((tok_is(d, i - 1, W_FUNNIT) && tok_is_any(d, i - 2, not_words)) ||
         tok_is(d, i - 1, W_INGA)))
        return DX_OUT_INGA_BRISTER;
    if (tok_is(d, i, W_ANMARKNING))
        for (size_t k = 1; k <= 3 && k <= i; k++)
            if (tok_is_any(d, i - k, remark_verbs)) return DX_OUT_ANMARKNING;
    return DX_OUT_NONE;
}

/* Overall: the strongest outcome phrase anywhere in the text. */
static const int outcome_rank[] = {
    DX_OUT_AVSLUTAD, DX_OUT_FORELAGGANDE, DX_OUT_BRISTER, DX_OUT_ANMARKNING,
    DX_OUT_UTVECKLINGSOMRADEN, DX_OUT_YTTERLIGARE_ATGARDER, DX_OUT_I_LINJE,
    DX_OUT_INGA_BRISTER};

int dxm_overall_outcome(const doc *d, const dx_meta *m)
{
    int seen[DX_OUT_COUNT] = {0};
    for (size_t i = 0; i < d->tk.n; i++) seen[phrase_at(d, i, d->tk.n)] = 1;
    for (size_t i = 0; i < m->nareas; i++) seen[m->areas[i].outcome] = 1;
    for (size_t r = 0; r < sizeof outcome_rank / sizeof *outcome_rank; r++)
        if (seen[outcome_rank[r]]) return outcome_rank[r];
    return DX_OUT_NONE;
}

/* Areas of a kvalitetsgranskning, spelled properly. */
static const char *const known_areas[] = {
    "Huvudmannens analys av studieresultat och trygghet",
    "Huvudmannens kompensatoriska arbete",
    "Huvudmannens arbete med kvalitet och likvärdighet",
    "Huvudmannens styrning och ledning",
    NULL};

/* 1 if the words of line l read as `phrase` (any case). */
static int line_reads(const doc *d, size_t l, const char *phrase)
{
    char low[160];
    size_t n = sv_lower(phrase, strlen(phrase), low, sizeof low);
    if (n >= sizeof low) return 0;
    size_t t = d->ltok[l], e = d->ltok[l + 1];
    const char *p = low;
    while (*p) {
        const char *w = p;
        while (*p && *p != ' ') p++;
        if (t >= e || tkind(d, t) != SV_TOK_WORD) return 0;
        if (dxm_form_cost(w, (size_t)(p - w), tnorm(d, t), tlen(d, t),
                          d->skbuf + d->skoff[t]) < 0)
            return 0;
        t++;
        while (*p == ' ') p++;
    }
    return t == e;
}

/* An area heading: a short line starting with "Huvudmannens", not ending
 * a sentence. Returns the known name it reads as, "" for another, or NULL
 * for no heading. */
static const char *area_heading(const doc *d, size_t l)
{
    size_t n = line_ntok(d, l), t = d->ltok[l];
    if (n < 2 || n > 10 || !tok_is(d, t, W_HUVUDMANNENS) || !tok_capital(d, t))
        return NULL;
    span r = dxm_line_trim(d, l);
    if (r.end > r.start && (d->s[r.end - 1] == '.' || d->s[r.end - 1] == ','))
        return NULL;
    for (const char *const *a = known_areas; *a; a++)
        if (line_reads(d, l, *a)) return *a;
    return "";
}

static int block_end(const doc *d, size_t l)
{
    if (dxm_is_section_heading(d, l) || area_heading(d, l)) return 1;
    size_t n = line_ntok(d, l), t = d->ltok[l];
    static const dx_word starts[] = {
        W_BAKGRUND, W_MOTIVERING, W_REDOVISNING, W_INLEDNING, W_BESLUT, W_END};
    return n > 0 && n <= 6 && tok_capital(d, t) && tok_is_any(d, t, starts);
}

/* A bullet line ("•", "-", "–", OCR's "e ") that says "behöver". */
static int bullet_needs(const doc *d, size_t l)
{
    span r = d->lines[l];
    while (r.start < r.end && is_space(d->s[r.start])) r.start++;
    size_t i = r.start;
    int bullet = 0;
    if (i + 3 <= r.end && memcmp(d->s + i, "\xE2\x80\xA2", 3) == 0) bullet = 1;
    else if (i + 3 <= r.end && memcmp(d->s + i, "\xE2\x80\x93", 3) == 0) bullet = 1;
    else if (i + 1 < r.end && (d->s[i] == '-' || d->s[i] == '*' ||
                               d->s[i] == 'e' || d->s[i] == 'o') &&
             d->s[i + 1] == ' ')
        bullet = 1;
    if (!bullet) return 0;
    for (size_t t = d->ltok[l]; t < d->ltok[l + 1]; t++)
        if (tok_is(d, t, W_BEHOVER)) return 1;
    return 0;
}

/* Areas kept per document, at most. */
#define AREAS_MAX 64

static int add_area(dx_meta *m, size_t *cap, char *name, int outcome)
{
    if (m->nareas >= AREAS_MAX) {
        free(name);
        return DX_OK;
    }
    if (m->nareas == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        dx_meta_area *v = realloc(m->areas, nc * sizeof *v);
        if (!v) {
            free(name);
            return DX_ENOMEM;
        }
        m->areas = v;
        *cap = nc;
    }
    m->areas[m->nareas].name = name;
    m->areas[m->nareas].outcome = outcome;
    m->nareas++;
    return DX_OK;
}

/* Areas of a kvalitetsgranskning: under each area heading (its first
 * occurrence), the first of "påbörjat ... i linje", "ytterligare åtgärder
 * behövs", or bullets with "behöver". */
int dxm_find_quality_areas(const doc *d, dx_meta *m, size_t *cap)
{
    int rc = DX_OK;
    for (size_t l = d->hdr_lines;
         l < d->nlines && rc == DX_OK && m->nareas < AREAS_MAX; l++) {
        const char *known = area_heading(d, l);
        if (!known) continue;
        char *name = NULL;
        if (*known) {
            rc = dxm_set_str(&name, known, strlen(known));
        } else {
            span r = dxm_line_trim(d, l);
            size_t e = r.end;
            while (e > r.start && (d->s[e - 1] == ':' || is_space(d->s[e - 1])))
                e--;
            sbuf b = {0};
            dxm_sb_put_restored(&b, d, r.start, e, d->ltok[l], d->ltok[l + 1],
                                &rc);
            if (rc == DX_OK) rc = dxm_set_str(&name, b.p, b.n);
            free(b.p);
        }
        if (rc != DX_OK || !name) break;
        int dup = 0;
        for (size_t i = 0; i < m->nareas; i++)
            if (strcmp(m->areas[i].name, name) == 0) dup = 1;
        if (dup) {
            free(name);
            continue;
        }
        size_t e = l + 1;
        while (e < d->nlines && !block_end(d, e)) e++;
        int out = DX_OUT_NONE;
        for (size_t t = d->ltok[l + 1]; t < d->ltok[e] && !out; t++) {
            int p = phrase_at(d, t, d->ltok[e]);
            if (p == DX_OUT_I_LINJE || p == DX_OUT_YTTERLIGARE_ATGARDER) out = p;
        }
        for (size_t k = l + 1; k < e && !out; k++)
            if (bullet_needs(d, k)) out = DX_OUT_UTVECKLINGSOMRADEN;
        if (!out) {
            free(name);
            continue;
        }
        rc = add_area(m, cap, name, out);
    }
    return rc;
}

/* Areas of a tillsyn: the numbered (or bulleted) list after "inte
 * uppfyller författningarnas krav inom följande områden:". */
int dxm_find_tillsyn_areas(const doc *d, dx_meta *m, size_t *cap)
{
    size_t at = d->tk.n;
    for (size_t t = 0; t < d->tk.n && at == d->tk.n; t++)
        if (phrase_at(d, t, d->tk.n) == DX_OUT_BRISTER) at = t;
    if (at == d->tk.n) return DX_OK;
    /* The line that ends with ':' at or after the phrase. */
    size_t l = d->tline[at], stop = l + 4;
    for (; l < d->nlines && l < stop; l++) {
        span r = dxm_line_trim(d, l);
        if (r.end > r.start && d->s[r.end - 1] == ':') break;
    }
    if (l >= d->nlines || l >= stop) return DX_OK;
    int rc = DX_OK, items = 0;
    for (l++; l < d->nlines && rc == DX_OK; l++) {
        span r = dxm_line_trim(d, l);
        if (r.start == r.end) {
            if (items) break;
            continue;
        }
        size_t i = r.start;
        int item = 0;
        if (is_digit(d->s[i])) {
            while (i < r.end && is_digit(d->s[i])) i++;
            if (i < r.end && (d->s[i] == '.' || d->s[i] == ')')) item = 1, i++;
        } else if (r.end - i >= 3 && memcmp(d->s + i, "\xE2\x80\xA2", 3) == 0) {
            item = 1;
            i += 3;
        } else if (d->s[i] == '-') {
            item = 1;
            i++;
        }
        if (!item) {
            /* A continuation line of the item before, indented. */
            if (items && is_space(d->s[d->lines[l].start])) continue;
            break;
        }
        size_t e = i;
        while (e < r.end && d->s[e] != '(') e++;
        while (e > i && (is_space(d->s[e - 1]) || d->s[e - 1] == '.' ||
                         d->s[e - 1] == ',' || d->s[e - 1] == ';'))
            e--;
        while (i < e && is_space(d->s[i])) i++;
        if (i == e) continue;
        sbuf b = {0};
        char *name = NULL;
        dxm_sb_put_restored(&b, d, i, e, d->ltok[l], d->ltok[l + 1], &rc);
        if (rc == DX_OK) rc = dxm_set_str(&name, b.p, b.n);
        free(b.p);
        if (rc == DX_OK && name) rc = add_area(m, cap, name, DX_OUT_BRISTER);
        items++;
        if (items >= 20) break;
    }
    return rc;
}
