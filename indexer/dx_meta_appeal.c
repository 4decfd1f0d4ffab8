/*
 * dx_meta_appeal.c — decisions of Skolväsendets överklagandenämnd, the
 * school-law appeal board (dx_meta.h; private interface in
 * dx_meta_int.h): recognising one, and the outcome its decision states.
 *
 * The board decides appeals, so its decision sentence has an appeal body
 * as subject and the appeal or the appealed decision as object:
 *   "Överklagandenämnden avslår överklagandet."
 *   "Överklagandenämnden upphäver det överklagade beslutet och ..."
 *   "Nämnden upphäver K kommuns beslut."
 *   "Nämnden tar inte upp överklagandet till prövning."
 * Its decisions are published anonymised and, in the older format, never
 * name the board at all ("Författningsbestämmelser ... Beslut / Nämnden
 * upphäver det överklagade beslutet"). A sentence counts when its subject
 * is the board by name, or "Nämnden" when the object speaks of the appeal
 * ("överklagandet", "det överklagade beslutet") or the text names the
 * board elsewhere, and the text is about school law — so that a municipal
 * nämnd's "Nämnden avslår ansökan" is not taken for the board.
 *
 * The decision sentence that counts is the first one after a heading
 * "Beslut" (or "Överklagandenämndens beslut", "Nämndens beslut"); without
 * such a heading, the first one in the text, with less confidence.
 */
#include "dx_meta_int.h"

#include <string.h>

/* The verbs of a decision, as present tense, and what each decides. */
typedef struct verb {
    dx_word w;
    int outcome;
} verb;

static const verb verbs[] = {
    {W_AVSLAR, DX_OUT_AVSLAR},       {W_BIFALLER, DX_OUT_BIFALLER},
    {W_UPPHAVER, DX_OUT_UPPHAVER},   {W_UNDANROJER, DX_OUT_UNDANROR},
    {W_AVVISAR, DX_OUT_AVVISAR},
    /* decides the appeal, with no outcome of the vocabulary */
    {W_ANDRAR, DX_OUT_NONE},         {W_END, DX_OUT_NONE}};

/* Adverbs that may stand between subject and verb ("Nämnden därför
 * ..." does not occur, but "Överklagandenämnden härmed ..." might). */
static const dx_word fillers[] = {W_HARMED, W_DARMED, W_END};

/* Tokens a decision sentence's object is looked for in, after the verb. */
#define OBJECT_SPAN 6

/* 1 when token t (a word) ends a sentence: '.', '!' or '?' right after
 * it, or a blank line. */
static int ends_sentence(const doc *d, size_t t)
{
    size_t i = d->tk.tok[t].end;
    int nl = 0;
    for (; i < d->len; i++) {
        char c = d->s[i];
        if (c == '.' || c == '!' || c == '?') return 1;
        if (c == '\n' && ++nl > 1) return 1;
        if (!is_space(c)) return 0;
    }
    return 1;
}

/* The object of the decision at tokens (v, end of sentence]: 2 when it
 * speaks of the appeal ("överklagandet", "det överklagade beslutet"), 1
 * for another decision ("beslutet", "K kommuns beslut"), 0 for none. */
static int object_after(const doc *d, size_t v)
{
    int obj = 0;
    for (size_t u = v + 1; u < d->tk.n && u <= v + OBJECT_SPAN; u++) {
        if (tkind(d, u) != SV_TOK_WORD) continue;
        if (tok_is(d, u, W_OVERKLAGANDET) || tok_is(d, u, W_OVERKLAGADE))
            return 2;
        if (tok_is(d, u, W_BESLUTET) || tok_is(d, u, W_BESLUT)) obj = 1;
        if (ends_sentence(d, u)) break;
    }
    return obj;
}

/* "tar inte upp överklagandet till prövning": dismissed unheard. */
static int not_taken_up(const doc *d, size_t v)
{
    if (!tok_is(d, v, W_TAR) || v + 3 >= d->tk.n) return 0;
    size_t u = v + 1;
    if (!tok_is(d, u, W_INTE) && !tok_is(d, u, W_EJ)) return 0;
    if (!tok_is(d, ++u, W_UPP)) return 0;
    for (size_t k = u + 1; k < d->tk.n && k <= u + OBJECT_SPAN; k++)
        if (tok_is(d, k, W_PROVNING)) return 1;
    return 0;
}

/* The subject at token t: 2 the board by name ("Överklagandenämnden",
 * "Skolväsendets överklagandenämnd"), 1 "Nämnden" starting a sentence, 0
 * none. *next is the token after it. */
static int subject_at(const doc *d, size_t t, size_t *next)
{
    if (tkind(d, t) != SV_TOK_WORD) return 0;
    if (tok_is(d, t, W_OVERKLAGANDENAMNDEN)) {
        *next = t + 1;
        return 2;
    }
    if (tok_is(d, t, W_SKOLVASENDETS) && t + 1 < d->tk.n &&
        (tok_is(d, t + 1, W_OVERKLAGANDENAMND) ||
         tok_is(d, t + 1, W_OVERKLAGANDENAMNDEN))) {
        *next = t + 2;
        return 2;
    }
    if (tok_is(d, t, W_NAMNDEN) && tok_capital(d, t)) {
        *next = t + 1;
        return 1;
    }
    return 0;
}

/* A decision sentence at token t: its outcome (DX_OUT_* of the board, or
 * DX_OUT_NONE for a verb outside the vocabulary that still decides the
 * appeal, "ändrar"), its subject kind (*subj) and object kind (*obj).
 * Returns 1 when t starts one. */
static int decision_at(const doc *d, size_t t, int *outcome, int *subj,
                       int *obj)
{
    size_t v;
    int s = subject_at(d, t, &v);
    if (!s) return 0;
    while (v < d->tk.n && tok_is_any(d, v, fillers)) v++;
    if (v >= d->tk.n || tkind(d, v) != SV_TOK_WORD) return 0;
    int out = DX_OUT_NONE, found = 0;
    for (const verb *x = verbs; x->w != W_END && !found; x++)
        if (tok_is(d, v, x->w)) {
            out = x->outcome;
            found = 1;
        }
    int o;
    if (found) {
        o = object_after(d, v);
        /* "ändrar" counts only with the appealed decision as object. */
        if (out == DX_OUT_NONE && o != 2) return 0;
    } else if (not_taken_up(d, v)) {
        out = DX_OUT_AVVISAR;
        o = 2;
    } else {
        return 0;
    }
    if (o == 0) return 0;
    *outcome = out;
    *subj = s;
    *obj = o;
    return 1;
}

/* A heading that opens the board's decision: "Beslut", "BESLUT",
 * "Överklagandenämndens beslut", "Nämndens beslut". */
static int decision_heading(const doc *d, size_t l)
{
    size_t n = line_ntok(d, l), t = d->ltok[l];
    if (n == 1) return dxm_line_is(d, l, "beslut");
    if (n == 2 && tok_is(d, t + 1, W_BESLUT) &&
        (tok_is(d, t, W_OVERKLAGANDENAMNDENS) || tok_is(d, t, W_NAMNDENS))) {
        span r = dxm_line_trim(d, l);
        for (size_t i = r.start; i < r.end; i++)
            if (d->s[i] == '.' || d->s[i] == ',') return 0;
        return 1;
    }
    return 0;
}

/* Lines after a decision heading looked at for its decision sentence. */
#define HEADING_REACH 8

int dxm_find_appeal(const doc *d, dxm_appeal *ap)
{
    memset(ap, 0, sizeof *ap);
    int named = 0, school = 0;
    for (size_t t = 0; t < d->tk.n; t++) {
        size_t nx;
        if (subject_at(d, t, &nx) == 2 ||
            tok_is(d, t, W_OVERKLAGANDENAMNDENS))
            named = 1;
        if (tok_is(d, t, W_SKOLLAGEN)) school = 1;
    }
    /* The first decision sentence after a decision heading. */
    int out = DX_OUT_NONE, subj = 0, obj = 0, in_section = 0, found = 0;
    for (size_t l = 0; l < d->nlines && !found; l++) {
        if (!decision_heading(d, l)) continue;
        size_t stop = l + 1 + HEADING_REACH;
        for (size_t k = l + 1; k < d->nlines && k < stop && !found; k++)
            for (size_t t = d->ltok[k]; t < d->ltok[k + 1] && !found; t++)
                found = decision_at(d, t, &out, &subj, &obj);
        in_section = found;
    }
    /* Else the first one anywhere. */
    for (size_t t = 0; t < d->tk.n && !found; t++)
        found = decision_at(d, t, &out, &subj, &obj);
    if (!found) return DX_OK;
    /* "Nämnden" is the board only when the object speaks of an appeal
     * or the text names the board; and only in a text about school law
     * or one that names the board. */
    if (subj == 1 && !(obj == 2 || named)) return DX_OK;
    if (subj == 1 && !named && !school) return DX_OK;
    ap->found = 1;
    ap->auth_conf = subj == 2 ? 95 : obj == 2 ? 85 : 75;
    ap->outcome = out;
    if (out != DX_OUT_NONE) ap->outcome_conf = in_section ? 90 : 70;
    return DX_OK;
}
