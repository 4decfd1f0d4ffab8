/*
 * dx_meta_int.h — private to metadata extraction (dx_meta.h): what its
 * files share. Not for use outside indexer/.
 *
 *   dx_meta.c          names, messages, the context, dx_meta_extract (the
 *                      order in which fields are found), JSON, terms
 *   dx_meta_doc.c      the document model: tokens with skeletons, lines,
 *                      the header; comparing words; the fixed words; the
 *                      strings kept in the result, spellings restored
 *   dx_kommun.c        the municipality gazetteer and its finder
 *   dx_meta_fields.c   dates, type, diary number, principal, school,
 *                      authority
 *   dx_meta_outcome.c  outcome phrases, assessed areas, overall outcome
 *   dx_meta_appeal.c   decisions of Skolväsendets överklagandenämnd and
 *                      their outcome
 *
 * The matchers over tokens (tok_cost, tok_is, tok_is_any) are inline
 * here: every finder calls them for nearly every token.
 */
#ifndef DIARIUM_DX_META_INT_H
#define DIARIUM_DX_META_INT_H

#include "dx_meta.h"
#include "sv.h"
#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A cost that means "cannot be read as that word". */
#define NOMATCH (-1.0)

/* The fixed words that tokens are compared with (tok_cost, tok_is,
 * tok_is_any, q_skeleton). Each is named by its dx_word, never by a
 * string, so the cache of their skeletons (qskel) is indexed by that
 * number: no caller can hand a matcher a buffer whose address the cache
 * would take for another word. Word lists are arrays of dx_word ending
 * with W_END. */
#define DX_META_WORDS(X) \
    X(W_AKTIEBOLAG, "aktiebolag") \
    X(W_ANMARKNING, "anmärkning") \
    X(W_ANDRAR, "ändrar") \
    X(W_ANPASSADESKOLAN, "anpassadeskolan") \
    X(W_APRIL, "april") \
    X(W_ARENDET, "ärendet") \
    X(W_ATGARD, "åtgärd") \
    X(W_ATGARDER, "åtgärder") \
    X(W_ATGARDERNA, "åtgärderna") \
    X(W_AUGUSTI, "augusti") \
    X(W_AV, "av") \
    X(W_AVSLAR, "avslår") \
    X(W_AVVISAR, "avvisar") \
    X(W_AVSLUTAR, "avslutar") \
    X(W_AVSLUTAS, "avslutas") \
    X(W_BAKGRUND, "bakgrund") \
    X(W_BEHOVER, "behöver") \
    X(W_BEHOVS, "behövs") \
    X(W_BIFALLER, "bifaller") \
    X(W_BESLUT, "beslut") \
    X(W_BESLUTET, "beslutet") \
    X(W_BESLUTSDATUM, "beslutsdatum") \
    X(W_BRISTER, "brister") \
    X(W_DARMED, "därmed") \
    X(W_DATUM, "datum") \
    X(W_DECEMBER, "december") \
    X(W_DEN, "den") \
    X(W_DENNA, "denna") \
    X(W_DET, "det") \
    X(W_DIARIENR, "diarienr") \
    X(W_DIARIENUMMER, "diarienummer") \
    X(W_DNR, "dnr") \
    X(W_EFTER, "efter") \
    X(W_EJ, "ej") \
    X(W_ELLER, "eller") \
    X(W_EN, "en") \
    X(W_ETT, "ett") \
    X(W_FEBRUARI, "februari") \
    X(W_FOLJANDE, "följande") \
    X(W_FOLKHOGSKOLAN, "folkhögskolan") \
    X(W_FOM, "fom") \
    X(W_FOR, "för") \
    X(W_FORE, "före") \
    X(W_FORELAGGER, "förelägger") \
    X(W_FORSKOLA, "förskola") \
    X(W_FORSKOLAN, "förskolan") \
    X(W_FORVALTNING, "förvaltning") \
    X(W_FORVALTNINGEN, "förvaltningen") \
    X(W_FR, "fr") \
    X(W_FRAN, "från") \
    X(W_FRISKOLA, "friskola") \
    X(W_FRISKOLAN, "friskolan") \
    X(W_FRISTAENDE, "fristående") \
    X(W_FUNNIT, "funnit") \
    X(W_GRANSKNINGEN, "granskningen") \
    X(W_GRUNDSARSKOLAN, "grundsärskolan") \
    X(W_GRUNDSKOLA, "grundskola") \
    X(W_GRUNDSKOLAN, "grundskolan") \
    X(W_GYMNASIESKOLA, "gymnasieskola") \
    X(W_GYMNASIESKOLAN, "gymnasieskolan") \
    X(W_GYMNASIET, "gymnasiet") \
    X(W_GYMNASIUM, "gymnasium") \
    X(W_HARMED, "härmed") \
    X(W_HOGSKOLAN, "högskolan") \
    X(W_HUVUDMAN, "huvudman") \
    X(W_HUVUDMANNEN, "huvudmannen") \
    X(W_HUVUDMANNENS, "huvudmannens") \
    X(W_I, "i") \
    X(W_IDENTIFIERAT, "identifierat") \
    X(W_IDENTIFIERATS, "identifierats") \
    X(W_INGA, "inga") \
    X(W_INLEDNING, "inledning") \
    X(W_INTE, "inte") \
    X(W_JANUARI, "januari") \
    X(W_JFR, "jfr") \
    X(W_JULI, "juli") \
    X(W_JUNI, "juni") \
    X(W_KOMMUN, "kommun") \
    X(W_KOMMUNAL, "kommunal") \
    X(W_KOMMUNALA, "kommunala") \
    X(W_KOMMUNS, "kommuns") \
    X(W_KONTORET, "kontoret") \
    X(W_KRAV, "krav") \
    X(W_KRAVEN, "kraven") \
    X(W_KULTURSKOLAN, "kulturskolan") \
    X(W_KVALITETSGRANSKNINGEN, "kvalitetsgranskningen") \
    X(W_LAMNAR, "lämnar") \
    X(W_LINJE, "linje") \
    X(W_MAJ, "maj") \
    X(W_MARS, "mars") \
    X(W_MED, "med") \
    X(W_MEDDELAR, "meddelar") \
    X(W_MOTIVERING, "motivering") \
    X(W_MUSIKSKOLAN, "musikskolan") \
    X(W_NAMND, "nämnd") \
    X(W_NAMNDEN, "nämnden") \
    X(W_NAMNDENS, "nämndens") \
    X(W_NOVEMBER, "november") \
    X(W_OCH, "och") \
    X(W_OKTOBER, "oktober") \
    X(W_OM, "om") \
    X(W_PABORJAR, "påbörjar") \
    X(W_PABORJAT, "påbörjat") \
    X(W_PABORJATS, "påbörjats") \
    X(W_PER, "per") \
    X(W_PROTOKOLL, "protokoll") \
    X(W_PROTOKOLLSUTDRAG, "protokollsutdrag") \
    X(W_PROVNING, "prövning") \
    X(W_REDOVISADE, "redovisade") \
    X(W_REDOVISNING, "redovisning") \
    X(W_REGION, "region") \
    X(W_REKTOR, "rektor") \
    X(W_RESURSSKOLAN, "resursskolan") \
    X(W_RIKTAR, "riktar") \
    X(W_SAMESKOLAN, "sameskolan") \
    X(W_SAMMA, "samma") \
    X(W_SAMMANTRADESDATUM, "sammanträdesdatum") \
    X(W_SAMMANTRADESPROTOKOLL, "sammanträdesprotokoll") \
    X(W_SARSKOLAN, "särskolan") \
    X(W_SEDAN, "sedan") \
    X(W_SENAST, "senast") \
    X(W_SEPTEMBER, "september") \
    X(W_SKOLLAGEN, "skollagen") \
    X(W_SKOLA, "skola") \
    X(W_SKOLAN, "skolan") \
    X(W_SKOLANS, "skolans") \
    X(W_SKOLINSPEKTIONEN, "skolinspektionen") \
    X(W_SKOLINSPEKTIONENS, "skolinspektionens") \
    X(W_SKOLVASENDETS, "skolväsendets") \
    X(W_SOMMARSKOLAN, "sommarskolan") \
    X(W_SPECIALSKOLAN, "specialskolan") \
    X(W_TAR, "tar") \
    X(W_STYRELSEN, "styrelsen") \
    X(W_TILL, "till") \
    X(W_TILLSYN, "tillsyn") \
    X(W_TILLSYNEN, "tillsynen") \
    X(W_TILLSYNSBESLUT, "tillsynsbeslut") \
    X(W_TJANSTESKRIVELSE, "tjänsteskrivelse") \
    X(W_TJANSTEUTLATANDE, "tjänsteutlåtande") \
    X(W_TOM, "tom") \
    X(W_UNDANROJER, "undanröjer") \
    X(W_UPP, "upp") \
    X(W_UPPFOLJNING, "uppföljning") \
    X(W_UPPFOLJNINGEN, "uppföljningen") \
    X(W_UPPFOLJNINGSBESLUT, "uppföljningsbeslut") \
    X(W_UPPFYLLER, "uppfyller") \
    X(W_UPPHAVER, "upphäver") \
    X(W_UTVECKLINGSOMRADE, "utvecklingsområde") \
    X(W_UTVECKLINGSOMRADEN, "utvecklingsområden") \
    X(W_UTVECKLINGSOMRADENA, "utvecklingsområdena") \
    X(W_VAGNAR, "vägnar") \
    X(W_VARJE, "varje") \
    X(W_VID, "vid") \
    X(W_VUXENSKOLAN, "vuxenskolan") \
    X(W_YTTERLIGARE, "ytterligare") \
    X(W_YTTRANDE, "yttrande") \
    X(W_OVERKLAGADE, "överklagade") \
    X(W_OVERKLAGANDENAMND, "överklagandenämnd") \
    X(W_OVERKLAGANDENAMNDEN, "överklagandenämnden") \
    X(W_OVERKLAGANDENAMNDENS, "överklagandenämndens") \
    X(W_OVERKLAGANDET, "överklagandet") \
    X(W_OVERKLAGAT, "överklagat")

typedef enum dx_word {
#define X(id, text) id,
    DX_META_WORDS(X)
#undef X
    W_END /* ends a list; not a word */
} dx_word;

/* The text of each fixed word: lower case, spelled properly
 * (dx_meta_doc.c). */
extern const char *const dxm_word_text[W_END];

/* The fixed words' lengths, skeletons and skeleton hashes, computed once
 * (dxm_qskel_init) and kept for the life of a dx_meta_ctx, across documents,
 * so that each is computed once rather than once per token. */
typedef struct qskel {
    size_t len[W_END];     /* strlen(dxm_word_text[w]) */
    int has[W_END];        /* 1 when the word has a skeleton */
    uint64_t hash[W_END];  /* FNV-1a of sk[w] */
    char sk[W_END][SV_SKELETON_MAX];
    /* may_be_authority's suffix tails, looked up once: 0 not yet, 1 in
     * tail[0..ntail), 2 a suffix has none (every word may be a name). */
    int tails;
    size_t ntail;
    const char *tail[8];
    size_t tlen[8];
} qskel;

typedef struct span {
    size_t start, end; /* bytes; a line's end excludes its '\n' */
} span;

typedef struct doc {
    const char *s;
    size_t len;
    sv_tokens tk;
    size_t *skoff;   /* per token: offset of its skeleton in skbuf */
    uint64_t *skh;   /* per token: hash of its skeleton (FNV-1a) */
    char *skbuf;
    size_t *tline;   /* per token: its line */
    span *lines;
    size_t nlines;
    size_t *ltok;    /* per line + 1: first token at or after the line */
    size_t hdr_lines; /* lines [0, hdr_lines) are the header */
    size_t hdr_toks;  /* tokens [0, hdr_toks) lie in it */
    int plain;       /* 1 when the text has no å/ä/ö (stripped or OCR) */
    struct qskel *qc;/* skeletons of the fixed words compared against */
    int own_qc;      /* qc is this document's (no context's) */
    const struct kname *kt; /* the prepared municipality table, or NULL */
} doc;

/* A growing string. Functions taking int *rc do nothing once it holds an
 * error. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

/* ------------------------------------------------------------------
 * Interface to code in dx_meta_doc.c
 * ---------------------------------------------------------------- */

/* The cost of reading w (wl bytes, lower-cased) as the known form q (ql
 * bytes, lower-cased, spelled properly): 0 when identical, > 0 for an
 * OCR/diacritic reading, NOMATCH when w cannot be q. wskel is w's skeleton
 * when the caller has it, else NULL. */
double dxm_form_cost(const char *q, size_t ql, const char *w, size_t wl,
                     const char *wskel);

/* Fills c (zeroed) for every fixed word. */
void dxm_qskel_init(qskel *c);

/* Prepares d for the text s (len bytes): tokens, skeletons, lines. qc: the
 * context's fixed words, or NULL for d's own; skm: the context's memo of
 * skeletons, or NULL. Returns DX_OK or DX_ENOMEM; dxm_doc_free always. */
int dxm_doc_init(doc *d, const char *s, size_t len, qskel *qc,
                 sv_skelmemo *skm);
void dxm_doc_free(doc *d);

/* Sets d's header: the lines before the first section heading. */
void dxm_find_header(doc *d);

/* Cost of reading token t as the word (q, ql), wherever it is kept;
 * NOMATCH for non-words. */
double dxm_tok_cost_n(const doc *d, size_t t, const char *q, size_t ql);

/* 1 when only white space (at most maxnl newlines) and, if hyphen, at
 * most one '-' directly after token a separate tokens a and b. */
int dxm_gap_ok(const doc *d, size_t a, size_t b, int maxnl, int hyphen);

/* Line l without leading white space, '#' and '*', and without trailing
 * white space; whether that leaves nothing; whether the line is exactly
 * the words of `phrase`; whether it is a section heading. */
span dxm_line_trim(const doc *d, size_t l);
int dxm_line_blank(const doc *d, size_t l);
int dxm_line_is(const doc *d, size_t l, const char *phrase);
int dxm_is_section_heading(const doc *d, size_t l);

/* *dst = a copy of s[0..n), white space collapsed, trimmed, cut to
 * DX_META_VALUE_MAX bytes (NULL when empty). DX_OK or DX_ENOMEM. */
int dxm_set_str(char **dst, const char *s, size_t n);

/* Appending to a growing string: bytes, a C string, a form with its first
 * letter upper-cased when `cap`, and document text s[a..e) with each word
 * in its best spelling (tokens [t0, t1) cover the range). */
void dxm_sb_put(sbuf *b, const char *s, size_t n, int *rc);
void dxm_sb_puts(sbuf *b, const char *s, int *rc);
void dxm_sb_put_form(sbuf *b, const char *form, size_t n, int cap, int *rc);
void dxm_sb_put_restored(sbuf *b, const doc *d, size_t a, size_t e,
                         size_t t0, size_t t1, int *rc);

/* Inline: the token accessors and the matchers over fixed words. */
static inline const char *tnorm(const doc *d, size_t t)
{
    return sv_token_norm(&d->tk, &d->tk.tok[t]);
}

static inline size_t tlen(const doc *d, size_t t)
{
    return d->tk.tok[t].normlen;
}

static inline int tkind(const doc *d, size_t t) { return d->tk.tok[t].kind; }

static inline size_t line_ntok(const doc *d, size_t l)
{
    return d->ltok[l + 1] - d->ltok[l];
}

/* Upper-case first letters we need (ASCII and Latin-1): 1 if cp is one. */
static inline int is_upper(int cp)
{
    return (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

static inline int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static inline int is_digit(char c) { return c >= '0' && c <= '9'; }

/* The first code point of token t as written. */
static inline int tok_first_cp(const doc *d, size_t t)
{
    size_t i = d->tk.tok[t].start;
    return sv_utf8_next(d->s, d->len, &i);
}

/* Written with a capital, or with an OCR glyph where a capital Å/Ä/Ö
 * stood ("6stersunds", "&ngelholm"). */
static inline int tok_capital(const doc *d, size_t t)
{
    int cp = tok_first_cp(d, t);
    return is_upper(cp) ||
           (tkind(d, t) == SV_TOK_WORD &&
            ((cp >= '0' && cp <= '9') || cp == '&' || cp == '|'));
}

/* The skeleton of fixed word q (NULL when it has none). */
static inline const char *q_skeleton(const doc *d, dx_word q)
{
    return d->qc->has[q] ? d->qc->sk[q] : NULL;
}

/* Cost of reading token t as the fixed word q; NOMATCH for non-words. */
static inline double tok_cost(const doc *d, size_t t, dx_word q)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return NOMATCH;
    const qskel *c = d->qc;
    size_t ql = c->len[q];
    const char *w = tnorm(d, t), *wsk = d->skbuf + d->skoff[t];
    size_t wl = tlen(d, t);
    if (ql == wl && memcmp(dxm_word_text[q], w, ql) == 0) return 0;
    if (c->has[q]) { /* the usual case: other skeletons */
        if (c->hash[q] != d->skh[t] || strcmp(c->sk[q], wsk) != 0)
            return NOMATCH;
    }
    return dxm_form_cost(dxm_word_text[q], ql, w, wl, wsk);
}

static inline int tok_is(const doc *d, size_t t, dx_word q)
{
    return tok_cost(d, t, q) >= 0;
}

/* 1 when token t reads as one of the words of list (ending with W_END). */
static inline int tok_is_any(const doc *d, size_t t, const dx_word *list)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return 0;
    /* (a word read as the token has the token's skeleton, so its hash) */
    for (; *list != W_END; list++)
        if ((!d->qc->has[*list] || d->qc->hash[*list] == d->skh[t]) &&
            tok_is(d, t, *list))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------
 * Interface to code in dx_kommun.c
 * ---------------------------------------------------------------- */

/* The municipality table prepared for matching (free()), or NULL when
 * out of memory. */
struct kname *dxm_ktable_new(void);

/* Sets m->kommun (and kommun_alt) from d. DX_OK or DX_ENOMEM. */
int dxm_find_kommun(const doc *d, dx_meta *m);

/* ------------------------------------------------------------------
 * Interface to code in dx_meta_fields.c
 * ---------------------------------------------------------------- */

/* "granskningen", "kvalitetsgranskningen", "tillsynen", "ärendet",
 * "uppföljningen": what a decision closes (also dx_meta_outcome.c). */
extern const dx_word dxm_granskning_words[];

/* Whether d is signed "På Skolinspektionens vägnar". */
int dxm_has_si_signature(const doc *d);

/* The type from a type word in the header (DX_DOC_UNKNOWN if none); the
 * type guessed without one (si: signed by Skolinspektionen;
 * authority_is_forv: written by a förvaltning). */
int dxm_find_type_header(const doc *d);
int dxm_guess_type(const doc *d, int si, int authority_is_forv);

/* Confidence in an authority found only in the body of the text: a
 * förvaltning named early in a tjänsteskrivelse (which one writes), and in
 * another text, where it may be the body the text is about. */
#define DXM_AUTH_CONF_MEMO 55
#define DXM_AUTH_CONF_BODY 40

/* Each sets its fields of m, and their confidence in m->conf; DX_OK or
 * DX_ENOMEM. find_authority needs m->type, sets m->issuer, and sets
 * *forv when the authority is a förvaltning/kontor. find_dates takes no
 * undated header date for the document's own when `appeal` (an appeal
 * decision's header dates the decision appealed against). */
int dxm_find_authority(const doc *d, dx_meta *m, int si, int *forv);
int dxm_find_dates(const doc *d, dx_meta *m, int appeal);
int dxm_find_dnr(const doc *d, dx_meta *m);
int dxm_find_principal(const doc *d, dx_meta *m);
int dxm_find_school(const doc *d, dx_meta *m);

/* ------------------------------------------------------------------
 * Interface to code in dx_meta_outcome.c
 * ---------------------------------------------------------------- */

/* The assessed areas of a decision, appended to m->areas (*cap: its
 * capacity, shared by both); the overall outcome of d and m's areas. */
int dxm_find_tillsyn_areas(const doc *d, dx_meta *m, size_t *cap);
int dxm_find_quality_areas(const doc *d, dx_meta *m, size_t *cap);
int dxm_overall_outcome(const doc *d, const dx_meta *m);

/* ------------------------------------------------------------------
 * Interface to code in dx_meta_appeal.c
 * ---------------------------------------------------------------- */

/* What dxm_find_appeal found: whether d is a decision of Skolväsendets
 * överklagandenämnd, how sure that is, and the outcome its decision
 * sentence states (DX_OUT_AVSLAR ... DX_OUT_AVVISAR, or DX_OUT_NONE for a
 * verb outside that vocabulary) with its confidence. */
typedef struct dxm_appeal {
    int found;
    int auth_conf;
    int outcome;
    int outcome_conf;
} dxm_appeal;

/* Fills *ap for d. DX_OK. */
int dxm_find_appeal(const doc *d, dxm_appeal *ap);

#endif /* DIARIUM_DX_META_INT_H */
