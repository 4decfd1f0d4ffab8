/*
 * dx_meta.c — decision metadata extraction (see dx_meta.h).
 *
 * The text is tokenised once (sv_tokenize), every token gets its OCR
 * skeleton (sv_skeleton), and a table of lines is built. Each field is then
 * found by a small matcher over tokens and lines. Every comparison of a
 * word in the text with a word we know goes through form_cost(): exact, or
 * the same skeleton and an sv_confusion_cost() within sv_confusion_budget(),
 * so the clean, stripped and OCR flavours of a document read alike.
 *
 * Sections: the municipality table; the document (tokens, skeletons, lines,
 * header); dates; type; kommun; dnr; principal and school; authority;
 * outcomes and areas; the public functions (extract, free, JSON, terms,
 * lookup).
 */
#include "dx_meta.h"
#include "sv.h"
#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Sweden's 290 municipalities, by county. Multi-word names use the space
 * or hyphen of their official spelling.
 * ------------------------------------------------------------------- */
static const char *const kommuner[] = {
    /* Stockholms län (26) */
    "Botkyrka", "Danderyd", "Ekerö", "Haninge", "Huddinge", "Järfälla",
    "Lidingö", "Nacka", "Norrtälje", "Nykvarn", "Nynäshamn", "Salem",
    "Sigtuna", "Sollentuna", "Solna", "Stockholm", "Sundbyberg", "Södertälje",
    "Tyresö", "Täby", "Upplands Väsby", "Upplands-Bro", "Vallentuna",
    "Vaxholm", "Värmdö", "Österåker",
    /* Uppsala län (8) */
    "Enköping", "Heby", "Håbo", "Knivsta", "Tierp", "Uppsala", "Älvkarleby",
    "Östhammar",
    /* Södermanlands län (9) */
    "Eskilstuna", "Flen", "Gnesta", "Katrineholm", "Nyköping", "Oxelösund",
    "Strängnäs", "Trosa", "Vingåker",
    /* Östergötlands län (13) */
    "Boxholm", "Finspång", "Kinda", "Linköping", "Mjölby", "Motala",
    "Norrköping", "Söderköping", "Vadstena", "Valdemarsvik", "Ydre",
    "Åtvidaberg", "Ödeshög",
    /* Jönköpings län (13) */
    "Aneby", "Eksjö", "Gislaved", "Gnosjö", "Habo", "Jönköping", "Mullsjö",
    "Nässjö", "Sävsjö", "Tranås", "Vaggeryd", "Vetlanda", "Värnamo",
    /* Kronobergs län (8) */
    "Alvesta", "Lessebo", "Ljungby", "Markaryd", "Tingsryd", "Uppvidinge",
    "Växjö", "Älmhult",
    /* Kalmar län (12) */
    "Borgholm", "Emmaboda", "Hultsfred", "Högsby", "Kalmar", "Mönsterås",
    "Mörbylånga", "Nybro", "Oskarshamn", "Torsås", "Vimmerby", "Västervik",
    /* Gotlands län (1) */
    "Gotland",
    /* Blekinge län (5) */
    "Karlshamn", "Karlskrona", "Olofström", "Ronneby", "Sölvesborg",
    /* Skåne län (33) */
    "Bjuv", "Bromölla", "Burlöv", "Båstad", "Eslöv", "Helsingborg",
    "Hässleholm", "Höganäs", "Hörby", "Höör", "Klippan", "Kristianstad",
    "Kävlinge", "Landskrona", "Lomma", "Lund", "Malmö", "Osby", "Perstorp",
    "Simrishamn", "Sjöbo", "Skurup", "Staffanstorp", "Svalöv", "Svedala",
    "Tomelilla", "Trelleborg", "Vellinge", "Ystad", "Åstorp", "Ängelholm",
    "Örkelljunga", "Östra Göinge",
    /* Hallands län (6) */
    "Falkenberg", "Halmstad", "Hylte", "Kungsbacka", "Laholm", "Varberg",
    /* Västra Götalands län (49) */
    "Ale", "Alingsås", "Bengtsfors", "Bollebygd", "Borås", "Dals-Ed",
    "Essunga", "Falköping", "Färgelanda", "Grästorp", "Gullspång", "Göteborg",
    "Götene", "Herrljunga", "Hjo", "Härryda", "Karlsborg", "Kungälv", "Lerum",
    "Lidköping", "Lilla Edet", "Lysekil", "Mariestad", "Mark", "Mellerud",
    "Munkedal", "Mölndal", "Orust", "Partille", "Skara", "Skövde", "Sotenäs",
    "Stenungsund", "Strömstad", "Svenljunga", "Tanum", "Tibro", "Tidaholm",
    "Tjörn", "Tranemo", "Trollhättan", "Töreboda", "Uddevalla", "Ulricehamn",
    "Vara", "Vårgårda", "Vänersborg", "Åmål", "Öckerö",
    /* Värmlands län (16) */
    "Arvika", "Eda", "Filipstad", "Forshaga", "Grums", "Hagfors", "Hammarö",
    "Karlstad", "Kil", "Kristinehamn", "Munkfors", "Storfors", "Sunne",
    "Säffle", "Torsby", "Årjäng",
    /* Örebro län (12) */
    "Askersund", "Degerfors", "Hallsberg", "Hällefors", "Karlskoga", "Kumla",
    "Laxå", "Lekeberg", "Lindesberg", "Ljusnarsberg", "Nora", "Örebro",
    /* Västmanlands län (10) */
    "Arboga", "Fagersta", "Hallstahammar", "Kungsör", "Köping", "Norberg",
    "Sala", "Skinnskatteberg", "Surahammar", "Västerås",
    /* Dalarnas län (15) */
    "Avesta", "Borlänge", "Falun", "Gagnef", "Hedemora", "Leksand",
    "Ludvika", "Malung-Sälen", "Mora", "Orsa", "Rättvik", "Smedjebacken",
    "Säter", "Vansbro", "Älvdalen",
    /* Gävleborgs län (10) */
    "Bollnäs", "Gävle", "Hofors", "Hudiksvall", "Ljusdal", "Nordanstig",
    "Ockelbo", "Ovanåker", "Sandviken", "Söderhamn",
    /* Västernorrlands län (7) */
    "Härnösand", "Kramfors", "Sollefteå", "Sundsvall", "Timrå", "Ånge",
    "Örnsköldsvik",
    /* Jämtlands län (8) */
    "Berg", "Bräcke", "Härjedalen", "Krokom", "Ragunda", "Strömsund", "Åre",
    "Östersund",
    /* Västerbottens län (15) */
    "Bjurholm", "Dorotea", "Lycksele", "Malå", "Nordmaling", "Norsjö",
    "Robertsfors", "Skellefteå", "Sorsele", "Storuman", "Umeå", "Vilhelmina",
    "Vindeln", "Vännäs", "Åsele",
    /* Norrbottens län (14) */
    "Arjeplog", "Arvidsjaur", "Boden", "Gällivare", "Haparanda", "Jokkmokk",
    "Kalix", "Kiruna", "Luleå", "Pajala", "Piteå", "Älvsbyn", "Överkalix",
    "Övertorneå",
};

#define NKOMMUNER (sizeof kommuner / sizeof *kommuner)

size_t dx_kommun_count(void) { return NKOMMUNER; }

const char *dx_kommun_name(size_t i)
{
    return i < NKOMMUNER ? kommuner[i] : NULL;
}

/* ---------------------------------------------------------------------
 * Names and messages.
 * ------------------------------------------------------------------- */
const char *dx_meta_strerror(int rc)
{
    switch (rc) {
    case DXM_OK: return "success";
    case DXM_ENOMEM: return "out of memory";
    case DXM_EINVAL: return "invalid argument";
    default: return "unknown error";
    }
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
    "inga_brister", "brister", "anmarkning", "forelaggande"};

const char *dx_outcome_name(int outcome)
{
    return outcome > 0 && outcome < DX_OUT_COUNT ? outcome_names[outcome] : "";
}

/* ---------------------------------------------------------------------
 * Comparing words.
 * ------------------------------------------------------------------- */
#define NOMATCH (-1.0)

/* The cost of reading w (wl bytes, lower-cased) as the known form q (ql
 * bytes, lower-cased, spelled properly): 0 when identical, > 0 for an
 * OCR/diacritic reading, NOMATCH when w cannot be q. wskel is w's skeleton
 * when the caller has it, else NULL. */
static double form_cost(const char *q, size_t ql, const char *w, size_t wl,
                        const char *wskel)
{
    if (ql == wl && memcmp(q, w, ql) == 0) return 0;
    if (ql == 0 || wl == 0 || ql > SV_TOKEN_MAX || wl > SV_TOKEN_MAX)
        return NOMATCH;
    char qs[SV_SKELETON_MAX], ws[SV_SKELETON_MAX];
    if (!sv_skeleton(q, ql, qs, sizeof qs)) return NOMATCH;
    if (!wskel) {
        if (!sv_skeleton(w, wl, ws, sizeof ws)) return NOMATCH;
        wskel = ws;
    }
    if (strcmp(qs, wskel) != 0) return NOMATCH;
    double budget = sv_confusion_budget(q, ql, ql);
    double c = sv_confusion_cost(q, ql, ql, w, wl, budget);
    return c <= budget ? c : NOMATCH;
}

/* Upper-case first letters we need (ASCII and Latin-1): 1 if cp is one. */
static int is_upper(int cp)
{
    return (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* ---------------------------------------------------------------------
 * The document: tokens with skeletons, lines, header.
 * ------------------------------------------------------------------- */
typedef struct span {
    size_t start, end; /* bytes; a line's end excludes its '\n' */
} span;

typedef struct doc {
    const char *s;
    size_t len;
    sv_tokens tk;
    size_t *skoff;   /* per token: offset of its skeleton in skbuf */
    uint64_t *skh;   /* per token: hash of its skeleton (skel_hash) */
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

/* The fixed words that tokens are compared with (tok_cost, tok_is,
 * tok_is_any, q_skeleton). Each is named by its dx_word, never by a
 * string, so the cache of their skeletons (qskel) is indexed by that
 * number: no caller can hand a matcher a buffer whose address the cache
 * would take for another word. Word lists are arrays of dx_word ending
 * with W_END. */
#define DX_META_WORDS(X) \
    X(W_AKTIEBOLAG, "aktiebolag") \
    X(W_ANMARKNING, "anmärkning") \
    X(W_ANPASSADESKOLAN, "anpassadeskolan") \
    X(W_APRIL, "april") \
    X(W_ARENDET, "ärendet") \
    X(W_ATGARD, "åtgärd") \
    X(W_ATGARDER, "åtgärder") \
    X(W_ATGARDERNA, "åtgärderna") \
    X(W_AUGUSTI, "augusti") \
    X(W_AV, "av") \
    X(W_AVSLUTAR, "avslutar") \
    X(W_AVSLUTAS, "avslutas") \
    X(W_BAKGRUND, "bakgrund") \
    X(W_BEHOVER, "behöver") \
    X(W_BEHOVS, "behövs") \
    X(W_BESLUT, "beslut") \
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
    X(W_SKOLA, "skola") \
    X(W_SKOLAN, "skolan") \
    X(W_SKOLANS, "skolans") \
    X(W_SKOLINSPEKTIONEN, "skolinspektionen") \
    X(W_SKOLINSPEKTIONENS, "skolinspektionens") \
    X(W_SOMMARSKOLAN, "sommarskolan") \
    X(W_SPECIALSKOLAN, "specialskolan") \
    X(W_STYRELSEN, "styrelsen") \
    X(W_TILL, "till") \
    X(W_TILLSYN, "tillsyn") \
    X(W_TILLSYNEN, "tillsynen") \
    X(W_TILLSYNSBESLUT, "tillsynsbeslut") \
    X(W_TJANSTESKRIVELSE, "tjänsteskrivelse") \
    X(W_TJANSTEUTLATANDE, "tjänsteutlåtande") \
    X(W_TOM, "tom") \
    X(W_UPPFOLJNING, "uppföljning") \
    X(W_UPPFOLJNINGEN, "uppföljningen") \
    X(W_UPPFOLJNINGSBESLUT, "uppföljningsbeslut") \
    X(W_UPPFYLLER, "uppfyller") \
    X(W_UTVECKLINGSOMRADE, "utvecklingsområde") \
    X(W_UTVECKLINGSOMRADEN, "utvecklingsområden") \
    X(W_UTVECKLINGSOMRADENA, "utvecklingsområdena") \
    X(W_VAGNAR, "vägnar") \
    X(W_VARJE, "varje") \
    X(W_VID, "vid") \
    X(W_VUXENSKOLAN, "vuxenskolan") \
    X(W_YTTERLIGARE, "ytterligare") \
    X(W_YTTRANDE, "yttrande")

typedef enum dx_word {
#define X(id, text) id,
    DX_META_WORDS(X)
#undef X
    W_END /* ends a list; not a word */
} dx_word;

/* The text of each fixed word: lower case, spelled properly. */
static const char *const word_text[W_END] = {
#define X(id, text) text,
    DX_META_WORDS(X)
#undef X
};

/* The fixed words' lengths, skeletons and skeleton hashes, computed once
 * (qskel_init) and kept for the life of a dx_meta_ctx, across documents,
 * so that each is computed once rather than once per token. */
typedef struct qskel {
    size_t len[W_END];     /* strlen(word_text[w]) */
    int has[W_END];        /* 1 when the word has a skeleton */
    uint64_t hash[W_END];  /* skel_hash(sk[w]) */
    char sk[W_END][SV_SKELETON_MAX];
    /* may_be_authority's suffix tails, looked up once: 0 not yet, 1 in
     * tail[0..ntail), 2 a suffix has none (every word may be a name). */
    int tails;
    size_t ntail;
    const char *tail[8];
    size_t tlen[8];
} qskel;

/* FNV-1a of a skeleton (NUL-terminated): tokens and fixed words whose
 * skeletons differ almost always differ here, which is all tok_cost
 * needs to know for most of its comparisons. */
static uint64_t skel_hash(const char *sk)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *sk; sk++) {
        h ^= (unsigned char)*sk;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Fills c (zeroed) for every fixed word. */
static void qskel_init(qskel *c)
{
    for (int w = 0; w < W_END; w++) {
        c->len[w] = strlen(word_text[w]);
        c->has[w] = sv_skeleton(word_text[w], c->len[w], c->sk[w],
                                sizeof c->sk[w]) != 0;
        if (c->has[w]) c->hash[w] = skel_hash(c->sk[w]);
    }
}

/* The skeleton of fixed word q (NULL when it has none). */
static const char *q_skeleton(const doc *d, dx_word q)
{
    return d->qc->has[q] ? d->qc->sk[q] : NULL;
}

static void doc_free(doc *d)
{
    sv_tokens_free(&d->tk);
    free(d->skoff);
    free(d->skh);
    free(d->skbuf);
    free(d->tline);
    free(d->lines);
    free(d->ltok);
    if (d->own_qc) free(d->qc);
    memset(d, 0, sizeof *d);
}

static const char *tnorm(const doc *d, size_t t)
{
    return sv_token_norm(&d->tk, &d->tk.tok[t]);
}

static size_t tlen(const doc *d, size_t t) { return d->tk.tok[t].normlen; }

static int tkind(const doc *d, size_t t) { return d->tk.tok[t].kind; }

/* Cost of reading token t as the word (q, ql), wherever it is kept;
 * NOMATCH for non-words. */
static double tok_cost_n(const doc *d, size_t t, const char *q, size_t ql)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return NOMATCH;
    const char *w = tnorm(d, t);
    size_t wl = tlen(d, t);
    if (ql == wl && memcmp(q, w, ql) == 0) return 0;
    return form_cost(q, ql, w, wl, d->skbuf + d->skoff[t]);
}

/* Cost of reading token t as the fixed word q; NOMATCH for non-words. */
static double tok_cost(const doc *d, size_t t, dx_word q)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return NOMATCH;
    const qskel *c = d->qc;
    size_t ql = c->len[q];
    const char *w = tnorm(d, t), *wsk = d->skbuf + d->skoff[t];
    size_t wl = tlen(d, t);
    if (ql == wl && memcmp(word_text[q], w, ql) == 0) return 0;
    if (c->has[q]) { /* the usual case: other skeletons */
        if (c->hash[q] != d->skh[t] || strcmp(c->sk[q], wsk) != 0)
            return NOMATCH;
    }
    return form_cost(word_text[q], ql, w, wl, wsk);
}

static int tok_is(const doc *d, size_t t, dx_word q)
{
    return tok_cost(d, t, q) >= 0;
}

/* 1 when token t reads as one of the words of list (ending with W_END). */
static int tok_is_any(const doc *d, size_t t, const dx_word *list)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return 0;
    /* (a word read as the token has the token's skeleton, so its hash) */
    for (; *list != W_END; list++)
        if ((!d->qc->has[*list] || d->qc->hash[*list] == d->skh[t]) &&
            tok_is(d, t, *list))
            return 1;
    return 0;
}

/* The first code point of token t as written. */
static int tok_first_cp(const doc *d, size_t t)
{
    size_t i = d->tk.tok[t].start;
    return sv_utf8_next(d->s, d->len, &i);
}

/* Written with a capital, or with an OCR glyph where a capital Å/Ä/Ö
 * stood ("6stersunds", "&ngelholm"). */
static int tok_capital(const doc *d, size_t t)
{
    int cp = tok_first_cp(d, t);
    return is_upper(cp) ||
           (tkind(d, t) == SV_TOK_WORD &&
            ((cp >= '0' && cp <= '9') || cp == '&' || cp == '|'));
}

/* 1 when only white space (at most maxnl newlines) and, if hyphen, at
 * most one '-' directly after token a separate tokens a and b. */
static int gap_ok(const doc *d, size_t a, size_t b, int maxnl, int hyphen)
{
    size_t i = d->tk.tok[a].end, e = d->tk.tok[b].start;
    int nl = 0;
    if (hyphen && i < e && d->s[i] == '-') i++;
    for (; i < e; i++) {
        char c = d->s[i];
        if (c == '\n') {
            if (++nl > maxnl) return 0;
        } else if (c != ' ' && c != '\t') {
            return 0;
        }
    }
    return 1;
}

/* qc: the context's cache of fixed words, or NULL for one of its own;
 * skm: the context's memo of skeletons, or NULL. */
static int doc_init(doc *d, const char *s, size_t len, qskel *qc,
                    sv_skelmemo *skm)
{
    memset(d, 0, sizeof *d);
    d->s = s;
    d->len = len;
    d->plain = 1;
    for (size_t i = 0; i + 1 < len && d->plain; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)s[i + 1];
        if (a == 0xC3 && (b == 0xA5 || b == 0xA4 || b == 0xB6 || b == 0x85 ||
                          b == 0x84 || b == 0x96))
            d->plain = 0;
    }
    d->qc = qc;
    if (!d->qc) {
        d->qc = calloc(1, sizeof *d->qc);
        if (!d->qc) return DXM_ENOMEM;
        d->own_qc = 1;
        qskel_init(d->qc);
    }
    if (sv_tokenize(s, len, &d->tk) != SV_OK) return DXM_ENOMEM;
    size_t n = d->tk.n;

    /* Skeletons: at most one byte per byte of the form, plus NUL. */
    d->skoff = malloc((n ? n : 1) * sizeof *d->skoff);
    d->skh = malloc((n ? n : 1) * sizeof *d->skh);
    d->skbuf = malloc(d->tk.blen + n + 1);
    d->tline = malloc((n ? n : 1) * sizeof *d->tline);
    if (!d->skoff || !d->skh || !d->skbuf || !d->tline) return DXM_ENOMEM;
    size_t o = 0;
    for (size_t t = 0; t < n; t++) {
        d->skoff[t] = o;
        size_t cap = tlen(d, t) + 1;
        size_t k = 0;
        if (!(d->tk.tok[t].flags & SV_TOKF_LONG))
            k = sv_skeleton_memo(skm, tnorm(d, t), tlen(d, t), d->skbuf + o,
                                 cap);
        if (k == 0) d->skbuf[o] = '\0';
        d->skh[t] = skel_hash(d->skbuf + o);
        o += k + 1;
    }

    /* Lines. */
    size_t nl = 1;
    for (size_t i = 0; i < len; i++) nl += s[i] == '\n';
    d->lines = malloc(nl * sizeof *d->lines);
    d->ltok = malloc((nl + 1) * sizeof *d->ltok);
    if (!d->lines || !d->ltok) return DXM_ENOMEM;
    size_t at = 0;
    d->nlines = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            d->lines[d->nlines].start = at;
            d->lines[d->nlines].end = i;
            d->nlines++;
            at = i + 1;
        }
    }
    size_t t = 0;
    for (size_t l = 0; l < d->nlines; l++) {
        d->ltok[l] = t;
        while (t < n && d->tk.tok[t].start <= d->lines[l].end) {
            d->tline[t] = l;
            t++;
        }
    }
    d->ltok[d->nlines] = n;
    return DXM_OK;
}

static size_t line_ntok(const doc *d, size_t l)
{
    return d->ltok[l + 1] - d->ltok[l];
}

/* The line's text without leading white space, '#' and '*', and
 * without trailing white space. */
static span line_trim(const doc *d, size_t l)
{
    span r = d->lines[l];
    while (r.start < r.end &&
           (is_space(d->s[r.start]) || d->s[r.start] == '#' ||
            d->s[r.start] == '*'))
        r.start++;
    while (r.end > r.start && is_space(d->s[r.end - 1])) r.end--;
    return r;
}

static int line_blank(const doc *d, size_t l)
{
    span r = line_trim(d, l);
    return r.start == r.end;
}

/* 1 when line l consists of exactly the words of `phrase` (space
 * separated, lower case), apart from punctuation such as ':', '/', '#'. */
static int line_is(const doc *d, size_t l, const char *phrase)
{
    size_t t = d->ltok[l], e = d->ltok[l + 1];
    const char *p = phrase;
    while (*p) {
        const char *w = p;
        while (*p && *p != ' ') p++;
        /* (Not tok_is: the word is not a string of its own.) */
        if (t >= e || tok_cost_n(d, t, w, (size_t)(p - w)) < 0) return 0;
        t++;
        while (*p == ' ') p++;
    }
    if (t != e) return 0;
    /* Nothing but the words and light punctuation on the line. */
    span r = line_trim(d, l);
    for (size_t i = r.start; i < r.end; i++) {
        char c = d->s[i];
        if (c == '.' || c == ',' || c == '(' || c == ')' || c == '@')
            return 0;
    }
    return 1;
}

/* Section headings that end the header. */
static const char *const section_headings[] = {
    "inledning", "sammanfattning", "bakgrund", "beslut",
    "skolinspektionens beslut", "skolinspektionens bedömning",
    "förslag till beslut", "ärendebeskrivning", "sammanfattning av ärendet",
    "namnbyte", "utredning", "bakgrund ärendet", "ärendet", "ärendets beredning",
    "motivering", "motivering till beslutet", "redovisning", "yrkanden",
    "beslutsunderlag", "beslutsgång", "bedömning", "bakgrund och bedömning",
    NULL};

static int is_section_heading(const doc *d, size_t l)
{
    size_t n = line_ntok(d, l);
    if (n == 0 || n > 4) return 0;
    for (const char *const *h = section_headings; *h; h++)
        if (line_is(d, l, *h)) return 1;
    /* "Utbildningsnämndens beslut" */
    size_t t = d->ltok[l];
    if (n == 2 && tok_is(d, t + 1, W_BESLUT) && tok_capital(d, t) &&
        tlen(d, t) > 3 && tnorm(d, t)[tlen(d, t) - 1] == 's') {
        span r = line_trim(d, l);
        for (size_t i = r.start; i < r.end; i++)
            if (d->s[i] == '.' || d->s[i] == ',') return 0;
        return 1;
    }
    return 0;
}

/* The header: lines before the first section heading, at most 30. A
 * "Beslut" on the first non-blank line is the type label, not a heading. */
static void find_header(doc *d)
{
    size_t first = 0;
    while (first < d->nlines && line_blank(d, first)) first++;
    size_t l = 0;
    for (; l < d->nlines && l < 30; l++) {
        if (l == first && line_is(d, l, "beslut")) continue;
        if (is_section_heading(d, l)) break;
    }
    d->hdr_lines = l;
    d->hdr_toks = l < d->nlines ? d->ltok[l] : d->tk.n;
}

/* ---------------------------------------------------------------------
 * Strings kept in the result.
 * ------------------------------------------------------------------- */

/* Sets *dst to a copy of s[0..n) with runs of white space and control
 * characters collapsed to one space, trimmed, cut to DX_META_VALUE_MAX
 * bytes at a character boundary. An empty result leaves *dst NULL.
 * Returns DXM_OK or DXM_ENOMEM. */
static int set_str(char **dst, const char *s, size_t n)
{
    free(*dst);
    *dst = NULL;
    char *o = malloc(n + 1);
    if (!o) return DXM_ENOMEM;
    size_t k = 0;
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == ' ' || c == 0x7F) {
            sp = k > 0;
            continue;
        }
        if (sp) o[k++] = ' ';
        sp = 0;
        o[k++] = (char)c;
    }
    if (k > DX_META_VALUE_MAX) {
        k = DX_META_VALUE_MAX;
        while (k > 0 && ((unsigned char)o[k] & 0xC0) == 0x80) k--;
        while (k > 0 && o[k - 1] == ' ') k--;
    }
    o[k] = '\0';
    if (k == 0) {
        free(o);
        return DXM_OK;
    }
    *dst = o;
    return DXM_OK;
}

/* A growing string. Functions taking int *rc do nothing once it holds an
 * error. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n, int *rc)
{
    if (*rc != DXM_OK) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            *rc = DXM_ENOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s, int *rc)
{
    sb_put(b, s, strlen(s), rc);
}

/* Appends the form of token t, with its first letter upper-cased when
 * `cap` (ASCII and Latin-1 letters; others as they are). */
static void sb_put_form(sbuf *b, const char *form, size_t n, int cap, int *rc)
{
    if (cap && n > 0) {
        size_t i = 0;
        int cp = sv_utf8_next(form, n, &i);
        if ((cp >= 'a' && cp <= 'z') || (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7))
            cp -= 0x20;
        char buf[4];
        sb_put(b, buf, sv_utf8_put(cp, buf), rc);
        sb_put(b, form + i, n - i, rc);
    } else {
        sb_put(b, form, n, rc);
    }
}

/* ---------------------------------------------------------------------
 * Restoring a spelling: of the spellings of a word in the document (same
 * skeleton), the one that can be read as most of the others. A clean
 * "Tjärhovsskolan" explains "Tjarhovsskolan" and "Tjirhovsskolan"; of
 * "Tjarhovsskolan", "Tjirhovsskolan" and "Tjdrhovsskolan", "Tjarhovsskolan"
 * (a stripped letter can be read as either OCR glyph, not the other way).
 * Returns the token whose form to use (t itself when nothing better).
 * ------------------------------------------------------------------- */
/* Letters of w outside a-z, å, ä, ö: what OCR puts where å/ä/ö stood
 * (é, digits, '&', '|'). */
static size_t damage(const char *w, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        int cp = sv_utf8_next(w, n, &i);
        if (!((cp >= 'a' && cp <= 'z') || cp == 0xE5 || cp == 0xE4 ||
              cp == 0xF6))
            k++;
    }
    return k;
}

/* At most this many spellings of one word are weighed (the first ones in
 * the text), which bounds the work on any input. */
#define SPELLINGS_MAX 64

static size_t best_spelling(const doc *d, size_t t)
{
    const char *sk = d->skbuf + d->skoff[t];
    if (!*sk || tkind(d, t) != SV_TOK_WORD) return t;
    size_t occ[SPELLINGS_MAX], n = 0;
    occ[n++] = t;
    for (size_t v = 0; v < d->tk.n && n < SPELLINGS_MAX; v++)
        if (v != t && tkind(d, v) == SV_TOK_WORD &&
            strcmp(d->skbuf + d->skoff[v], sk) == 0)
            occ[n++] = v;
    size_t best = t, bestn = 0, bestd = 0;
    double bestc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t v = occ[i];
        const char *q = tnorm(d, v);
        size_t ql = tlen(d, v);
        size_t j = 0;
        for (; j < i; j++) /* a form already weighed */
            if (tlen(d, occ[j]) == ql && memcmp(tnorm(d, occ[j]), q, ql) == 0)
                break;
        if (j < i) continue;
        double budget = sv_confusion_budget(q, ql, ql);
        if (sv_confusion_cost(q, ql, ql, tnorm(d, t), tlen(d, t), budget) >
            budget)
            continue; /* cannot be what t means */
        size_t explained = 0;
        double c = 0;
        for (j = 0; j < n; j++) {
            double k = sv_confusion_cost(q, ql, ql, tnorm(d, occ[j]),
                                         tlen(d, occ[j]), budget);
            if (k <= budget) {
                explained++;
                c += k;
            }
        }
        size_t dmg = damage(q, ql);
        if (explained > bestn || (explained == bestn && dmg < bestd) ||
            (explained == bestn && dmg == bestd && c < bestc)) {
            best = v;
            bestn = explained;
            bestd = dmg;
            bestc = c;
        }
    }
    return best;
}

/* Appends the text s[a..e) with each word token in it replaced by its
 * best spelling (keeping a capital first letter); white space is collapsed
 * later by set_str. Tokens [t0, t1) cover the range. Stops after about
 * 2 * DX_META_VALUE_MAX bytes (set_str cuts to DX_META_VALUE_MAX). */
static void sb_put_restored(sbuf *b, const doc *d, size_t a, size_t e,
                            size_t t0, size_t t1, int *rc)
{
    size_t i = a, limit = b->n + 2 * DX_META_VALUE_MAX;
    for (size_t t = t0; t < t1 && *rc == DXM_OK && b->n < limit; t++) {
        const sv_token *k = &d->tk.tok[t];
        if (k->start < i || k->end > e) continue;
        sb_put(b, d->s + i, k->start - i, rc);
        size_t v = best_spelling(d, t);
        if (v == t || (k->flags & SV_TOKF_HYPHENATED)) {
            sb_put(b, d->s + k->start, k->end - k->start, rc);
        } else {
            sb_put_form(b, tnorm(d, v), tlen(d, v), tok_capital(d, t), rc);
        }
        i = k->end;
    }
    if (i < e && b->n < limit)
        sb_put(b, d->s + i, e - i < limit - b->n ? e - i : limit - b->n, rc);
}

/* ---------------------------------------------------------------------
 * Dates.
 * ------------------------------------------------------------------- */
static const dx_word months[12] = {
    W_JANUARI, W_FEBRUARI, W_MARS, W_APRIL,
    W_MAJ, W_JUNI, W_JULI, W_AUGUSTI,
    W_SEPTEMBER, W_OKTOBER, W_NOVEMBER, W_DECEMBER};
static const char *const month_abbr[] = {
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
    "nov", "dec", "sept"};

static int month_of(const doc *d, size_t t)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_WORD) return 0;
    for (int m = 0; m < 12; m++)
        if (tok_is(d, t, months[m])) return m + 1;
    for (size_t m = 0; m < sizeof month_abbr / sizeof *month_abbr; m++)
        if (tlen(d, t) == strlen(month_abbr[m]) &&
            memcmp(tnorm(d, t), month_abbr[m], tlen(d, t)) == 0)
            return m < 12 ? (int)m + 1 : 9;
    return 0;
}

/* The value of a NUMBER token of 1..maxdig digits, or -1. */
static int number_of(const doc *d, size_t t, size_t maxdig)
{
    if (t >= d->tk.n || tkind(d, t) != SV_TOK_NUMBER) return -1;
    size_t n = tlen(d, t);
    const char *p = tnorm(d, t);
    if (n == 0 || n > maxdig) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int valid_date(int y, int m, int dd)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2099 || m < 1 || m > 12 || dd < 1) return 0;
    if (dd > mdays[m - 1]) return 0;
    if (m == 2 && dd == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    return 1;
}

/* Writes a valid date (see valid_date) as "YYYY-MM-DD". */
static void put_iso(dx_date *out, int y, int m, int dd)
{
    const int v[3] = {y, m, dd};
    const int w[3] = {4, 2, 2};
    char *p = out->iso;
    for (int k = 0; k < 3; k++) {
        if (k) *p++ = '-';
        for (int i = w[k] - 1, x = v[k]; i >= 0; i--, x /= 10)
            p[i] = (char)('0' + x % 10);
        p += w[k];
    }
    *p = '\0';
}

static const dx_word date_preps[] = {
    W_DEN, W_FRAN, W_FR, W_FOM, W_TILL, W_TOM, W_PER, W_SENAST, W_OCH, W_ELLER,
    W_FORE, W_EFTER, W_SEDAN, W_MED, W_OM, W_END};

/* OCR writes the word "I" / "i" as "1": "I juni 2022 fick ..." reads
 * "1 juni 2022 fick ...". A "1" is taken as "i" after a lower-case word
 * that does not lead to a date ("beslutade 1 juni 2022"), and at the start
 * of a line when the sentence goes on after the year. */
static int one_is_i(const doc *d, size_t t)
{
    size_t l = d->tline[t];
    if (t > d->ltok[l]) {
        size_t p = t - 1;
        return tkind(d, p) == SV_TOK_WORD && !tok_capital(d, p) &&
               !tok_is_any(d, p, date_preps);
    }
    size_t y = t + 2, n = t + 3;
    return n < d->tk.n && d->tline[n] == d->tline[y] &&
           tkind(d, n) == SV_TOK_WORD && !tok_capital(d, n);
}

/* A date starting at token t: "2021-12-23" or "23 december 2021" (the
 * month in any flavour, "dec." too). On success fills *out, sets *next to
 * the token after it and returns 1. */
static int date_at(const doc *d, size_t t, dx_date *out, size_t *next)
{
    if (t >= d->tk.n) return 0;
    if (tkind(d, t) == SV_TOK_DATE) {
        const char *p = tnorm(d, t);
        if (tlen(d, t) != 10) return 0;
        int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
                (p[3] - '0');
        int m = (p[5] - '0') * 10 + (p[6] - '0');
        int dd = (p[8] - '0') * 10 + (p[9] - '0');
        if (!valid_date(y, m, dd)) return 0;
        put_iso(out, y, m, dd);
        *next = t + 1;
        return 1;
    }
    int dd = number_of(d, t, 2);
    if (dd < 1 || t + 2 >= d->tk.n) return 0;
    if (dd == 1 && tlen(d, t) == 1 && one_is_i(d, t)) return 0;
    int m = month_of(d, t + 1);
    if (!m || !gap_ok(d, t, t + 1, 1, 0)) return 0;
    /* "dec. 2021": one '.' may follow an abbreviation. */
    size_t i = d->tk.tok[t + 1].end, e = d->tk.tok[t + 2].start;
    if (i < e && d->s[i] == '.' && tlen(d, t + 1) <= 4) i++;
    int nl = 0;
    for (; i < e; i++) {
        if (d->s[i] == '\n') nl++;
        else if (d->s[i] != ' ' && d->s[i] != '\t') return 0;
    }
    if (nl > 1) return 0;
    int y = number_of(d, t + 2, 4);
    if (tlen(d, t + 2) != 4 || !valid_date(y, m, dd)) return 0;
    put_iso(out, y, m, dd);
    *next = t + 3;
    return 1;
}

static int add_date(dx_meta *m, const dx_date *dt, size_t *cap)
{
    for (size_t i = 0; i < m->ndates; i++)
        if (strcmp(m->dates[i].iso, dt->iso) == 0) return DXM_OK;
    if (m->ndates == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        dx_date *v = realloc(m->dates, nc * sizeof *v);
        if (!v) return DXM_ENOMEM;
        m->dates = v;
        *cap = nc;
    }
    m->dates[m->ndates++] = *dt;
    return DXM_OK;
}

static int find_dates(const doc *d, dx_meta *m)
{
    size_t cap = 0;
    int own = 0;
    /* The document's own date: after a date label anywhere ... */
    static const dx_word labels[] = {
        W_DATUM, W_SAMMANTRADESDATUM, W_BESLUTSDATUM, W_END};
    for (size_t t = 0; t < d->tk.n && !own; t++) {
        if (!tok_is_any(d, t, labels)) continue;
        size_t nx;
        for (size_t u = t + 1; u < d->tk.n && u <= t + 2; u++)
            if (date_at(d, u, &m->date, &nx)) {
                own = 1;
                break;
            }
    }
    /* ... else the first date in the header: an ISO date, or a written
     * one on a short line (not "... träda i kraft den 1 juli 2025."). */
    for (size_t t = 0; t < d->hdr_toks && !own; t++) {
        size_t nx;
        if ((tkind(d, t) == SV_TOK_DATE || line_ntok(d, d->tline[t]) <= 6) &&
            date_at(d, t, &m->date, &nx))
            own = 1;
    }
    if (!own) m->date.iso[0] = '\0';
    for (size_t t = 0; t < d->tk.n;) {
        dx_date dt;
        size_t nx;
        if (date_at(d, t, &dt, &nx)) {
            if (add_date(m, &dt, &cap) != DXM_OK) return DXM_ENOMEM;
            t = nx;
        } else {
            t++;
        }
    }
    return DXM_OK;
}

/* ---------------------------------------------------------------------
 * Municipalities.
 * ------------------------------------------------------------------- */

/* The table prepared for matching: each name lower-cased, split at ' '
 * and '-', each part with its skeleton. Built once per call. */
#define KPART_MAX 48

typedef struct kpart {
    char w[KPART_MAX], sk[KPART_MAX];
    size_t len;
} kpart;

typedef struct kname {
    kpart p[3];
    size_t np; /* 0: unusable (never for the built-in table) */
} kname;

/* Returns the prepared table (free()), or NULL when out of memory. */
static kname *ktable_new(void)
{
    kname *kt = malloc(NKOMMUNER * sizeof *kt);
    if (!kt) return NULL;
    for (size_t k = 0; k < NKOMMUNER; k++) {
        char low[96];
        kname *kn = &kt[k];
        kn->np = 0;
        size_t n = sv_lower(kommuner[k], strlen(kommuner[k]), low, sizeof low);
        if (n >= sizeof low) continue;
        size_t at = 0, np = 0;
        int ok = 1;
        for (size_t i = 0; i <= n && ok; i++) {
            if (i < n && low[i] != ' ' && low[i] != '-') continue;
            size_t l = i - at;
            kpart *p = &kn->p[np];
            if (np == 3 || l == 0 || l >= KPART_MAX) {
                ok = 0;
                break;
            }
            memcpy(p->w, low + at, l);
            p->w[l] = '\0';
            p->len = l;
            if (!sv_skeleton(p->w, l, p->sk, sizeof p->sk)) ok = 0;
            np++;
            at = i + 1;
        }
        if (ok) kn->np = np;
    }
    return kt;
}

/* form_cost() with both skeletons known ("" when there is none). */
static double form_cost_sk(const kpart *q, const char *w, size_t wl,
                           const char *wsk)
{
    if (q->len == wl && memcmp(q->w, w, wl) == 0) return 0;
    if (!*wsk || strcmp(q->sk, wsk) != 0) return NOMATCH;
    double budget = sv_confusion_budget(q->w, q->len, q->len);
    double c = sv_confusion_cost(q->w, q->len, q->len, w, wl, budget);
    return c <= budget ? c : NOMATCH;
}

typedef struct kmatch {
    int best;      /* table index or -1 */
    double cost;
    int alt;       /* another index that also matches, or -1 */
    size_t nparts; /* words the best match used */
} kmatch;

/* Matches the words w[0..n) (n <= 3, lower-cased; the candidate name ends
 * with w[n-1], which may carry a genitive s) against the table: the lowest
 * cost, preferring longer names on a tie. */
static void kommun_match(const kname *kt, const char *const *w,
                         const size_t *wl, size_t n, kmatch *km)
{
    char sk[3][SV_SKELETON_MAX], gsk[SV_SKELETON_MAX];
    km->best = km->alt = -1;
    km->cost = 0;
    km->nparts = 0;
    if (n == 0 || n > 3) return; /* names have at most three parts */
    for (size_t i = 0; i < n; i++)
        if (wl[i] > SV_TOKEN_MAX || !sv_skeleton(w[i], wl[i], sk[i], sizeof sk[i]))
            sk[i][0] = '\0';
    const char *last = w[n - 1];
    size_t ll = wl[n - 1];
    int gen = ll > 2 && last[ll - 1] == 's';
    if (!gen || ll - 1 > SV_TOKEN_MAX ||
        !sv_skeleton(last, ll - 1, gsk, sizeof gsk))
        gsk[0] = '\0';
    for (size_t k = 0; k < NKOMMUNER; k++) {
        const kname *kn = &kt[k];
        size_t np = kn->np;
        if (np == 0 || np > n) continue;
        double total = 0;
        size_t off = n - np;
        size_t i = 0;
        for (; i + 1 < np; i++) {
            double c = form_cost_sk(&kn->p[i], w[off + i], wl[off + i],
                                    sk[off + i]);
            if (c < 0) break;
            total += c;
        }
        if (i + 1 < np) continue;
        double c = form_cost_sk(&kn->p[i], last, ll, sk[n - 1]);
        if (gen) {
            double g = form_cost_sk(&kn->p[i], last, ll - 1, gsk);
            if (g >= 0 && (c < 0 || g < c)) c = g;
        }
        if (c < 0) continue;
        total += c;
        if (km->best < 0 || total < km->cost ||
            (total == km->cost && np > km->nparts)) {
            if (km->best >= 0) km->alt = km->best;
            km->best = (int)k;
            km->cost = total;
            km->nparts = np;
        } else if (km->alt < 0) {
            km->alt = (int)k;
        }
    }
}

static const dx_word kommun_words[] = {W_KOMMUN, W_KOMMUNS, W_END};

/* The municipality the document is about: the table name most often
 * written before "kommun(s)" or "stad(s)" (header mentions count twice),
 * or after "Region". */
static int find_kommun(const doc *d, dx_meta *m)
{
    kname *own = NULL;
    const kname *kt = d->kt;
    if (!kt) kt = own = ktable_new();
    if (!kt) return DXM_ENOMEM;
    unsigned score[NKOMMUNER];
    size_t first[NKOMMUNER];
    int alt[NKOMMUNER];
    memset(score, 0, sizeof score);
    for (size_t k = 0; k < NKOMMUNER; k++) {
        first[k] = (size_t)-1;
        alt[k] = -1;
    }
    for (size_t t = 1; t < d->tk.n; t++) {
        kmatch km;
        km.best = -1;
        if (tok_is_any(d, t, kommun_words) ||
            (tlen(d, t) <= 5 && (strcmp(tnorm(d, t), "stad") == 0 ||
                                 strcmp(tnorm(d, t), "stads") == 0))) {
            size_t a = t - 1;
            if (tkind(d, a) != SV_TOK_WORD || !tok_capital(d, a) ||
                !gap_ok(d, a, t, 2, 0))
                continue;
            const char *w[2];
            size_t wl[2], n = 0;
            if (a > 0 && tkind(d, a - 1) == SV_TOK_WORD &&
                tok_capital(d, a - 1) && gap_ok(d, a - 1, a, 1, 1)) {
                w[n] = tnorm(d, a - 1);
                wl[n++] = tlen(d, a - 1);
            }
            w[n] = tnorm(d, a);
            wl[n++] = tlen(d, a);
            kommun_match(kt, w, wl, n, &km);
        } else if (tok_is(d, t - 1, W_REGION) && tok_capital(d, t) &&
                   gap_ok(d, t - 1, t, 1, 0)) {
            const char *w[1] = {tnorm(d, t)};
            size_t wl[1] = {tlen(d, t)};
            kommun_match(kt, w, wl, 1, &km);
        }
        if (km.best < 0) continue;
        size_t k = (size_t)km.best;
        score[k] += t < d->hdr_toks ? 2 : 1;
        if (first[k] == (size_t)-1) first[k] = t;
        if (alt[k] < 0) alt[k] = km.alt;
    }
    int best = -1;
    for (size_t k = 0; k < NKOMMUNER; k++) {
        if (!score[k]) continue;
        if (best < 0 || score[k] > score[best] ||
            (score[k] == score[best] && first[k] < first[best]))
            best = (int)k;
    }
    free(own);
    if (best < 0) return DXM_OK;
    m->kommun = kommuner[best];
    if (d->plain && alt[best] >= 0) m->kommun_alt = kommuner[alt[best]];
    return DXM_OK;
}

int dx_kommun_lookup(const char *name, size_t len, const char **canon)
{
    if (!canon) return DXM_EINVAL;
    *canon = NULL;
    if (!name && len > 0) return DXM_EINVAL;
    if (len == 0) return DXM_OK;
    if (!sv_utf8_valid(name, len)) return DXM_EINVAL;
    sv_tokens tk = {0};
    if (sv_tokenize(name, len, &tk) != SV_OK) {
        sv_tokens_free(&tk);
        return DXM_ENOMEM;
    }
    size_t n = tk.n;
    /* Drop a trailing "kommun", "kommuns", "stad", "stads". */
    if (n > 1) {
        const sv_token *k = &tk.tok[n - 1];
        const char *f = sv_token_norm(&tk, k);
        if (form_cost("kommun", 6, f, k->normlen, NULL) >= 0 ||
            form_cost("kommuns", 7, f, k->normlen, NULL) >= 0 ||
            strcmp(f, "stad") == 0 || strcmp(f, "stads") == 0)
            n--;
    }
    if (n >= 1 && n <= 3) {
        const char *w[3];
        size_t wl[3];
        int ok = 1;
        for (size_t i = 0; i < n; i++) {
            if (tk.tok[i].kind != SV_TOK_WORD) ok = 0;
            w[i] = sv_token_norm(&tk, &tk.tok[i]);
            wl[i] = tk.tok[i].normlen;
        }
        if (ok) {
            kname *kt = ktable_new();
            if (!kt) {
                sv_tokens_free(&tk);
                return DXM_ENOMEM;
            }
            kmatch km;
            kommun_match(kt, w, wl, n, &km);
            /* The whole name must be used. */
            if (km.best >= 0 && km.nparts == n) *canon = kommuner[km.best];
            free(kt);
        }
    }
    sv_tokens_free(&tk);
    return DXM_OK;
}

/* ---------------------------------------------------------------------
 * Type.
 * ------------------------------------------------------------------- */
typedef struct typeword {
    dx_word w;
    int type;
} typeword;

static const typeword typewords[] = {
    {W_UPPFOLJNINGSBESLUT, DX_DOC_UPPFOLJNINGSBESLUT},
    {W_TILLSYNSBESLUT, DX_DOC_TILLSYNSBESLUT},
    {W_TJANSTESKRIVELSE, DX_DOC_TJANSTESKRIVELSE},
    {W_TJANSTEUTLATANDE, DX_DOC_TJANSTESKRIVELSE},
    {W_PROTOKOLLSUTDRAG, DX_DOC_PROTOKOLLSUTDRAG},
    {W_SAMMANTRADESPROTOKOLL, DX_DOC_PROTOKOLLSUTDRAG},
    {W_PROTOKOLL, DX_DOC_PROTOKOLLSUTDRAG},
    {W_YTTRANDE, DX_DOC_YTTRANDE},
    {W_END, 0}};

static const dx_word vagnar_words[] = {W_VAGNAR, W_END};

/* "På Skolinspektionens vägnar": the signature of its decisions. */
static int has_si_signature(const doc *d)
{
    for (size_t t = 0; t + 1 < d->tk.n; t++)
        if (tok_is(d, t, W_SKOLINSPEKTIONENS) &&
            tok_is_any(d, t + 1, vagnar_words))
            return 1;
    return 0;
}

static const dx_word granskning_words[] = {
    W_GRANSKNINGEN, W_KVALITETSGRANSKNINGEN, W_TILLSYNEN, W_ARENDET,
    W_UPPFOLJNINGEN, W_END};

/* A type word counts only where a label or title stands: first on its
 * line, or on a short line ("HABO KOMMUN   TJÄNSTESKRIVELSE"), never in
 * the middle of a sentence ("... riksdagens kommande beslut ..."). */
static int label_position(const doc *d, size_t t)
{
    size_t l = d->tline[t];
    return t == d->ltok[l] || line_ntok(d, l) <= 6;
}

/* 1 if a header line that starts with "Beslut" or with the word itself
 * ("Beslut efter riktad tillsyn av ...", "Uppföljning av ...") holds the
 * word w. */
static int header_title_has(const doc *d, dx_word w)
{
    for (size_t l = 0; l < d->hdr_lines; l++) {
        size_t t = d->ltok[l], e = d->ltok[l + 1];
        if (t == e || !(tok_is(d, t, W_BESLUT) || tok_is(d, t, w))) continue;
        for (size_t u = t; u < e; u++)
            if (tok_is(d, u, w)) return 1;
    }
    return 0;
}

static int find_type_header(const doc *d)
{
    for (size_t t = 0; t < d->hdr_toks; t++)
        for (const typeword *w = typewords; w->w != W_END; w++)
            if (label_position(d, t) && tok_is(d, t, w->w)) return w->type;
    for (size_t t = 0; t < d->hdr_toks; t++) {
        if (!label_position(d, t) || !tok_is(d, t, W_BESLUT)) continue;
        if (header_title_has(d, W_UPPFOLJNING))
            return DX_DOC_UPPFOLJNINGSBESLUT;
        if (header_title_has(d, W_TILLSYN)) return DX_DOC_TILLSYNSBESLUT;
        return DX_DOC_BESLUT;
    }
    return DX_DOC_UNKNOWN;
}

/* Without a type word: a signed Skolinspektionen text is a decision (a
 * follow-up when it judges "redovisade åtgärder" or closes the review, a
 * tillsyn decision when it orders); a förvaltning's text with a
 * "Sammanfattning" is a memo. */
static int guess_type(const doc *d, int si, int authority_is_forv)
{
    if (si) {
        for (size_t t = 0; t + 1 < d->tk.n; t++) {
            if (tok_is(d, t, W_REDOVISADE) && tok_is(d, t + 1, W_ATGARDER))
                return DX_DOC_UPPFOLJNINGSBESLUT;
            if (tok_is(d, t, W_AVSLUTAR))
                for (size_t u = t + 1; u < d->tk.n && u <= t + 3; u++)
                    if (tok_is_any(d, u, granskning_words))
                        return DX_DOC_UPPFOLJNINGSBESLUT;
        }
        for (size_t t = 0; t < d->tk.n; t++)
            if (tok_is(d, t, W_FORELAGGER) || tok_is(d, t, W_TILLSYN))
                return DX_DOC_TILLSYNSBESLUT;
        return DX_DOC_BESLUT;
    }
    if (authority_is_forv)
        for (size_t l = 0; l < d->nlines; l++)
            if (line_is(d, l, "sammanfattning")) return DX_DOC_TJANSTESKRIVELSE;
    return DX_DOC_UNKNOWN;
}

/* ---------------------------------------------------------------------
 * Diary number: "Dnr 2021:2323", "Dnr SI 2021:1234", "Diarienummer:
 * BUN 2019/233", "Dnr KS/2020:45".
 * ------------------------------------------------------------------- */
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_cap_ascii(char c)
{
    return (c >= 'A' && c <= 'Z');
}

/* Parses a diary number at s[i..len): [PREFIX (' '|'/'|'-')] digits
 * (sep digits)+. Returns its end, or 0. */
static size_t parse_dnr(const char *s, size_t len, size_t i)
{
    size_t p = i;
    /* An optional prefix of capitals (Å/Ä/Ö included), digits allowed
     * after the first letter, at most 10 bytes. */
    size_t q = p;
    while (q < len && q - p < 12 &&
           (is_cap_ascii(s[q]) || (q > p && is_digit(s[q])) ||
            ((unsigned char)s[q] == 0xC3 && q + 1 < len &&
             ((unsigned char)s[q + 1] == 0x85 ||
              (unsigned char)s[q + 1] == 0x84 ||
              (unsigned char)s[q + 1] == 0x96))))
        q += (unsigned char)s[q] == 0xC3 ? 2 : 1;
    if (q > p && q < len && (s[q] == ' ' || s[q] == '/' || s[q] == '-')) {
        size_t r = q + 1;
        if (r < len && is_digit(s[r])) p = r;
    }
    size_t e = p;
    size_t nd = 0;
    while (e < len && is_digit(s[e])) e++, nd++;
    if (nd == 0 || nd > 8) return 0;
    int groups = 0;
    while (e + 1 < len && (s[e] == ':' || s[e] == '/' || s[e] == '-' ||
                           s[e] == '.') &&
           is_digit(s[e + 1])) {
        e++;
        while (e < len && is_digit(s[e])) e++;
        groups++;
    }
    if (groups == 0) return 0;
    if (e < len && (is_cap_ascii(s[e]) || (s[e] >= 'a' && s[e] <= 'z')))
        return 0;
    return e;
}

static const dx_word dnr_words[] = {W_DNR, W_DIARIENUMMER, W_DIARIENR, W_END};

static int find_dnr(const doc *d, dx_meta *m)
{
    for (size_t t = 0; t < d->tk.n; t++) {
        if (tkind(d, t) != SV_TOK_WORD) continue;
        int kw = 0;
        for (const dx_word *w = dnr_words; *w != W_END && !kw; w++) {
            const char *ws = word_text[*w];
            kw = strlen(ws) == 3 ? (tlen(d, t) == 3 &&
                                    memcmp(tnorm(d, t), ws, 3) == 0)
                                 : tok_is(d, t, *w);
        }
        if (!kw) continue;
        /* Skip ".", ":" and white space (one newline) after the word. */
        size_t i = d->tk.tok[t].end;
        int nl = 0;
        while (i < d->len && (d->s[i] == ' ' || d->s[i] == '\t' ||
                              d->s[i] == ':' || d->s[i] == '.' ||
                              d->s[i] == '\n')) {
            if (d->s[i] == '\n' && ++nl > 1) break;
            i++;
        }
        if (i - d->tk.tok[t].end > 8) continue;
        size_t e = parse_dnr(d->s, d->len, i);
        if (e) return set_str(&m->dnr, d->s + i, e - i);
    }
    return DXM_OK;
}

/* ---------------------------------------------------------------------
 * Principal and school.
 * ------------------------------------------------------------------- */

/* Words that may start a line or sentence before a company or school name
 * but are not part of it. */
static const dx_word name_stop[] = {
    W_HUVUDMAN, W_HUVUDMANNEN, W_REKTOR, W_BESLUT, W_DNR, W_VID, W_AV, W_FOR,
    W_OCH, W_I, W_DEN, W_DET, W_EN, W_ETT, W_FRISTAENDE, W_KOMMUNAL,
    W_KOMMUNALA, W_SAMMA, W_VARJE, W_DENNA, W_SKOLAN, W_SKOLINSPEKTIONEN,
    W_SKOLINSPEKTIONENS, W_FORVALTNINGEN, W_FORVALTNING, W_NAMNDEN, W_KONTORET,
    W_KOMMUN, W_KOMMUNS, W_END};

static const struct suffix *split_authority(const char *w, size_t wl,
                                            size_t *plen);

/* A capitalised word that may be part of a name (not a function word, not
 * an authority such as "Förvaltningen" or "Utbildningsnämnden"). */
static int is_name_word(const doc *d, size_t t)
{
    size_t plen;
    return tkind(d, t) == SV_TOK_WORD && tok_capital(d, t) &&
           !tok_is_any(d, t, name_stop) &&
           !split_authority(tnorm(d, t), tlen(d, t), &plen);
}

/* A company: up to four capitalised words on one line before "AB" or
 * "Aktiebolag". */
static int find_principal(const doc *d, dx_meta *m)
{
    for (size_t t = 1; t < d->tk.n; t++) {
        const sv_token *k = &d->tk.tok[t];
        int ab = (k->end - k->start == 2 &&
                  memcmp(d->s + k->start, "AB", 2) == 0) ||
                 tok_is(d, t, W_AKTIEBOLAG);
        if (!ab) continue;
        size_t a = t;
        while (a > 0 && t - a < 4 && is_name_word(d, a - 1) &&
               gap_ok(d, a - 1, a, 0, 1))
            a--;
        if (a == t) continue;
        int rc = DXM_OK;
        sbuf b = {0};
        sb_put_restored(&b, d, d->tk.tok[a].start, k->end, a, t + 1, &rc);
        if (rc == DXM_OK) rc = set_str(&m->principal, b.p, b.n);
        free(b.p);
        return rc;
    }
    return DXM_OK;
}

static const dx_word school_words[] = {
    W_SKOLA, W_FRISKOLA, W_GRUNDSKOLA, W_FORSKOLA, W_GYMNASIUM, W_GYMNASIET,
    W_GYMNASIESKOLA, W_SKOLAN, W_END};

/* Compounds ending in -skolan that name a school form, not a school. */
static const dx_word generic_schools[] = {
    W_SKOLAN, W_GRUNDSKOLAN, W_FORSKOLAN, W_GYMNASIESKOLAN, W_GRUNDSARSKOLAN,
    W_SARSKOLAN, W_RESURSSKOLAN, W_FRISKOLAN, W_HOGSKOLAN, W_FOLKHOGSKOLAN,
    W_KULTURSKOLAN, W_MUSIKSKOLAN, W_SAMESKOLAN, W_SPECIALSKOLAN,
    W_ANPASSADESKOLAN, W_VUXENSKOLAN, W_SOMMARSKOLAN, W_SKOLANS, W_END};

/* A compound "<Name>skolan", not a university ("Försvarshögskolan"). */
static int ends_with_skolan(const doc *d, size_t t)
{
    size_t n = tlen(d, t);
    const char *w = tnorm(d, t);
    if (n <= 6 || memcmp(w + n - 6, "skolan", 6) != 0) return 0;
    for (size_t k = 8; k <= 11 && k < n; k++)
        if (form_cost("högskolan", 10, w + n - k, k, NULL) >= 0) return 0;
    return 1;
}

/* The school unit: the first in the header written "<Name>s skola" (up
 * to three capitalised words before skola/friskola/...) or as one
 * capitalised compound "<Name>skolan". */
static int find_school(const doc *d, dx_meta *m)
{
    for (size_t t = 0; t < d->hdr_toks; t++) {
        size_t a = t, e = t;
        if (tkind(d, t) == SV_TOK_WORD && tok_is_any(d, t, school_words) &&
            !tok_capital(d, t)) {
            while (a > 0 && t - a < 3 && is_name_word(d, a - 1) &&
                   gap_ok(d, a - 1, a, 1, 1))
                a--;
            if (a == t) continue;
        } else if (tkind(d, t) == SV_TOK_WORD && tok_capital(d, t) &&
                   ends_with_skolan(d, t) &&
                   !tok_is_any(d, t, generic_schools)) {
            /* one word */
        } else {
            continue;
        }
        int rc = DXM_OK;
        sbuf b = {0};
        sb_put_restored(&b, d, d->tk.tok[a].start, d->tk.tok[e].end, a, e + 1,
                        &rc);
        if (rc == DXM_OK) rc = set_str(&m->school, b.p, b.n);
        free(b.p);
        return rc;
    }
    return DXM_OK;
}

/* ---------------------------------------------------------------------
 * Authority: Skolinspektionen, or a förvaltning, kontor, nämnd or
 * styrelse ("Barn- och utbildningsförvaltningen").
 * ------------------------------------------------------------------- */
enum { AUTH_NONE = 0, AUTH_FORV, AUTH_NAMND, AUTH_STYR };

typedef struct suffix {
    dx_word w;       /* as read */
    const char *out; /* as written in the result */
    int kind;
} suffix;

static const suffix auth_suffixes[] = {
    {W_FORVALTNINGEN, "förvaltningen", AUTH_FORV},
    {W_FORVALTNING, "förvaltningen", AUTH_FORV},
    {W_KONTORET, "kontoret", AUTH_FORV},
    {W_NAMNDEN, "nämnden", AUTH_NAMND},
    {W_NAMND, "nämnden", AUTH_NAMND},
    {W_STYRELSEN, "styrelsen", AUTH_STYR},
    {W_END, NULL, 0}};

/* First parts of authority names, spelled properly. */
static const char *const auth_prefixes[] = {
    "barn", "ungdoms", "utbildnings", "bildnings", "skol", "grundskole",
    "förskole", "gymnasie", "kultur", "fritids", "social", "omsorgs", "vård",
    "äldre", "kommun", "stads", "service", "miljö", "bygg", "teknik",
    "samhällsbyggnads", "arbetsmarknads", "vuxenutbildnings", "individ",
    "familje", "lärande", "elevhälso", "kompetens", "ekonomi", "fritid",
    "ungdom", "utbildning", "bildning", "gymnasie", "förskola", "skola",
    NULL};

/* Splits word w at a suffix of auth_suffixes (read with OCR tolerance,
 * a genitive s allowed). Returns the suffix or NULL; *plen is the length
 * of the prefix (> 0). */
static const suffix *split_authority(const char *w, size_t wl, size_t *plen)
{
    if (wl > SV_TOKEN_MAX) return NULL;
    for (int gen = 0; gen < 2; gen++) {
        size_t n = wl;
        if (gen) {
            if (n < 2 || w[n - 1] != 's') break;
            n--;
        }
        for (const suffix *s = auth_suffixes; s->w != W_END; s++) {
            const char *sw = word_text[s->w];
            size_t sl = strlen(sw), bestk = 0;
            double bestc = 0;
            /* Every start at a character boundary whose tail is within two
             * bytes of the suffix's length; the cheapest reading wins, then
             * the tail closest in length ("Länsstyrelsen" is Läns +
             * styrelsen, not Län + a doubled s). */
            for (size_t k = 1; k < n; k++) {
                if (((unsigned char)w[k] & 0xC0) == 0x80) continue;
                size_t tl = n - k;
                if (tl + 2 < sl || tl > sl + 2) continue;
                double c = form_cost(sw, sl, w + k, tl, NULL);
                if (c < 0) continue;
                size_t dk = tl > sl ? tl - sl : sl - tl;
                size_t db = bestk ? (n - bestk > sl ? n - bestk - sl
                                                    : sl - (n - bestk))
                                  : 0;
                if (!bestk || c < bestc || (c == bestc && dk < db)) {
                    bestk = k;
                    bestc = c;
                }
            }
            if (bestk) {
                *plen = bestk;
                return s;
            }
        }
    }
    return NULL;
}

/* Appends a name part: its proper spelling if it is a known one (then
 * returns 1), else as written (returns 0). */
static int put_part(sbuf *b, const char *w, size_t wl, int cap, int *rc)
{
    const char *best = NULL;
    double bc = 0;
    for (const char *const *p = auth_prefixes; *p; p++) {
        double c = form_cost(*p, strlen(*p), w, wl, NULL);
        if (c >= 0 && (!best || c < bc)) {
            best = *p;
            bc = c;
        }
    }
    if (best) sb_put_form(b, best, strlen(best), cap, rc);
    else sb_put_form(b, w, wl, cap, rc);
    return best != NULL;
}

/* 1 when skeleton sk (n bytes) ends with tail (m bytes), optionally
 * followed by 's'. */
static int skel_ends(const char *sk, size_t n, const char *tail, size_t m)
{
    if (n >= m && memcmp(sk + n - m, tail, m) == 0) return 1;
    return n >= m + 1 && sk[n - 1] == 's' && memcmp(sk + n - 1 - m, tail,
                                                    m) == 0;
}

/* A necessary condition for split_authority, cheap enough for every
 * token: every suffix starts with a consonant, so a word that ends in one
 * has a skeleton that ends in the suffix's skeleton less its first letter
 * (which may merge with the part before), a genitive s allowed. */
static int may_be_authority(const doc *d, size_t t)
{
    qskel *c = d->qc;
    if (!c->tails) { /* the tails, once per context */
        c->tails = 1;
        c->ntail = 0;
        for (const suffix *x = auth_suffixes; x->w != W_END && c->tails == 1;
             x++) {
            const char *xs = q_skeleton(d, x->w);
            if (!xs || !xs[0] || c->ntail == sizeof c->tail / sizeof *c->tail)
                c->tails = 2;
            else {
                c->tail[c->ntail] = xs + 1;
                c->tlen[c->ntail++] = strlen(xs + 1);
            }
        }
    }
    if (c->tails == 2) return 1;
    const char *sk = d->skbuf + d->skoff[t];
    size_t n = strlen(sk);
    for (size_t i = 0; i < c->ntail; i++)
        if (skel_ends(sk, n, c->tail[i], c->tlen[i])) return 1;
    return 0;
}

/* If token t names an authority, writes its name into b and returns its
 * kind; *known is set when every part of the name is a known one.
 * Handles "X- och Y<suffix>" over three tokens. */
static int authority_at(const doc *d, size_t t, sbuf *b, int *known, int *rc)
{
    *known = 0;
    if (tkind(d, t) != SV_TOK_WORD) return AUTH_NONE;
    if (!may_be_authority(d, t)) return AUTH_NONE;
    size_t plen;
    const suffix *s = split_authority(tnorm(d, t), tlen(d, t), &plen);
    if (!s) return AUTH_NONE;
    const char *w = tnorm(d, t);
    b->n = 0;
    if (t >= 2 && tok_is(d, t - 1, W_OCH) && tkind(d, t - 2) == SV_TOK_WORD &&
        d->tk.tok[t - 2].end < d->len && d->s[d->tk.tok[t - 2].end] == '-' &&
        gap_ok(d, t - 2, t - 1, 1, 1) && gap_ok(d, t - 1, t, 1, 0)) {
        int k1 = put_part(b, tnorm(d, t - 2), tlen(d, t - 2), 1, rc);
        sb_puts(b, "- och ", rc);
        *known = put_part(b, w, plen, 0, rc) && k1;
    } else {
        *known = put_part(b, w, plen, 1, rc);
    }
    sb_puts(b, s->out, rc);
    return s->kind;
}

/* Örebro style: "Förvaltningen förskola och skola" in the header, the
 * rest of the line in lower case. */
static int forvaltningen_named(const doc *d, size_t t, sbuf *b, int *rc)
{
    if (!tok_is(d, t, W_FORVALTNINGEN) || !tok_capital(d, t)) return 0;
    size_t l = d->tline[t], e = d->ltok[l + 1];
    if (e == t + 1 || e - t > 5) return 0;
    for (size_t u = t + 1; u < e; u++)
        if (tkind(d, u) != SV_TOK_WORD || tok_capital(d, u) ||
            !gap_ok(d, u - 1, u, 0, 0))
            return 0;
    span r = line_trim(d, l);
    if (d->tk.tok[e - 1].end != r.end) return 0;
    b->n = 0;
    sb_puts(b, "Förvaltningen", rc);
    sb_put(b, d->s + d->tk.tok[t].end, d->tk.tok[e - 1].end - d->tk.tok[t].end,
           rc);
    return 1;
}

/* Finds the authority; *forv is set when it is a förvaltning/kontor.
 * Skolinspektionen when its signature is there (or, for a decision cut
 * before the signature, when no municipal body heads it); else the body in
 * the header (for minutes the nämnd, otherwise the förvaltning/kontor that
 * wrote it); else the first förvaltning/kontor of a known name in the text
 * ("Bildningsförvaltningen har följt upp ..."). */
#define AUTH_BODY_TOKENS 1000

static int find_authority(const doc *d, dx_meta *m, int si, int *forv)
{
    int rc = DXM_OK, known;
    *forv = 0;
    if (si) return set_str(&m->authority, "Skolinspektionen", 16);
    sbuf b = {0}, best = {0};
    int bestkind = AUTH_NONE;
    int want = m->type == DX_DOC_PROTOKOLLSUTDRAG ? AUTH_NAMND : AUTH_FORV;
    if (m->type == DX_DOC_UPPFOLJNINGSBESLUT ||
        m->type == DX_DOC_TILLSYNSBESLUT || m->type == DX_DOC_BESLUT) {
        int muni = 0;
        for (size_t t = 0; t < d->hdr_toks && rc == DXM_OK && !muni; t++)
            muni = authority_at(d, t, &b, &known, &rc) != AUTH_NONE;
        if (!muni)
            for (size_t t = 0; t < d->tk.n; t++)
                if (tok_is(d, t, W_SKOLINSPEKTIONEN)) {
                    free(b.p);
                    return set_str(&m->authority, "Skolinspektionen", 16);
                }
    }
    for (size_t t = 0; t < d->hdr_toks && rc == DXM_OK; t++) {
        int k = forvaltningen_named(d, t, &b, &rc)
                    ? AUTH_FORV
                    : authority_at(d, t, &b, &known, &rc);
        if (k == AUTH_NONE) continue;
        if (bestkind == AUTH_NONE || (k == want && bestkind != want)) {
            best.n = 0;
            sb_put(&best, b.p, b.n, &rc);
            bestkind = k;
        }
        if (k == want) break;
    }
    /* A body names its author early: the first AUTH_BODY_TOKENS words. */
    size_t body_end = d->tk.n < d->hdr_toks + AUTH_BODY_TOKENS
                          ? d->tk.n : d->hdr_toks + AUTH_BODY_TOKENS;
    for (size_t t = d->hdr_toks; t < body_end && rc == DXM_OK &&
                                 bestkind == AUTH_NONE; t++) {
        if (authority_at(d, t, &b, &known, &rc) != AUTH_FORV || !known)
            continue;
        best.n = 0;
        sb_put(&best, b.p, b.n, &rc);
        bestkind = AUTH_FORV;
    }
    if (rc == DXM_OK && bestkind != AUTH_NONE) {
        rc = set_str(&m->authority, best.p, best.n);
        *forv = bestkind == AUTH_FORV;
    }
    free(b.p);
    free(best.p);
    return rc;
}

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
            if (tok_is_any(d, j, granskning_words)) return DX_OUT_AVSLUTAD;
    if (tok_is_any(d, i, granskning_words)) {
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

static int overall_outcome(const doc *d, const dx_meta *m)
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
        if (form_cost(w, (size_t)(p - w), tnorm(d, t), tlen(d, t),
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
    span r = line_trim(d, l);
    if (r.end > r.start && (d->s[r.end - 1] == '.' || d->s[r.end - 1] == ','))
        return NULL;
    for (const char *const *a = known_areas; *a; a++)
        if (line_reads(d, l, *a)) return *a;
    return "";
}

static int block_end(const doc *d, size_t l)
{
    if (is_section_heading(d, l) || area_heading(d, l)) return 1;
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
        return DXM_OK;
    }
    if (m->nareas == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        dx_meta_area *v = realloc(m->areas, nc * sizeof *v);
        if (!v) {
            free(name);
            return DXM_ENOMEM;
        }
        m->areas = v;
        *cap = nc;
    }
    m->areas[m->nareas].name = name;
    m->areas[m->nareas].outcome = outcome;
    m->nareas++;
    return DXM_OK;
}

/* Areas of a kvalitetsgranskning: under each area heading (its first
 * occurrence), the first of "påbörjat ... i linje", "ytterligare åtgärder
 * behövs", or bullets with "behöver". */
static int find_quality_areas(const doc *d, dx_meta *m, size_t *cap)
{
    int rc = DXM_OK;
    for (size_t l = d->hdr_lines;
         l < d->nlines && rc == DXM_OK && m->nareas < AREAS_MAX; l++) {
        const char *known = area_heading(d, l);
        if (!known) continue;
        char *name = NULL;
        if (*known) {
            rc = set_str(&name, known, strlen(known));
        } else {
            span r = line_trim(d, l);
            size_t e = r.end;
            while (e > r.start && (d->s[e - 1] == ':' || is_space(d->s[e - 1])))
                e--;
            sbuf b = {0};
            sb_put_restored(&b, d, r.start, e, d->ltok[l], d->ltok[l + 1], &rc);
            if (rc == DXM_OK) rc = set_str(&name, b.p, b.n);
            free(b.p);
        }
        if (rc != DXM_OK || !name) break;
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
static int find_tillsyn_areas(const doc *d, dx_meta *m, size_t *cap)
{
    size_t at = d->tk.n;
    for (size_t t = 0; t < d->tk.n && at == d->tk.n; t++)
        if (phrase_at(d, t, d->tk.n) == DX_OUT_BRISTER) at = t;
    if (at == d->tk.n) return DXM_OK;
    /* The line that ends with ':' at or after the phrase. */
    size_t l = d->tline[at], stop = l + 4;
    for (; l < d->nlines && l < stop; l++) {
        span r = line_trim(d, l);
        if (r.end > r.start && d->s[r.end - 1] == ':') break;
    }
    if (l >= d->nlines || l >= stop) return DXM_OK;
    int rc = DXM_OK, items = 0;
    for (l++; l < d->nlines && rc == DXM_OK; l++) {
        span r = line_trim(d, l);
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
        sb_put_restored(&b, d, i, e, d->ltok[l], d->ltok[l + 1], &rc);
        if (rc == DXM_OK) rc = set_str(&name, b.p, b.n);
        free(b.p);
        if (rc == DXM_OK && name) rc = add_area(m, cap, name, DX_OUT_BRISTER);
        items++;
        if (items >= 20) break;
    }
    return rc;
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

static int is_decision(int type)
{
    return type == DX_DOC_BESLUT || type == DX_DOC_UPPFOLJNINGSBESLUT ||
           type == DX_DOC_TILLSYNSBESLUT;
}

struct dx_meta_ctx {
    kname *kt;
    qskel *qc; /* the fixed words' skeletons, kept across documents */
    sv_skelmemo *skm; /* the tokens' skeletons, kept across documents */
};

int dx_meta_ctx_new(dx_meta_ctx **out)
{
    *out = NULL;
    dx_meta_ctx *c = calloc(1, sizeof *c);
    if (!c) return DXM_ENOMEM;
    c->kt = ktable_new();
    c->qc = calloc(1, sizeof *c->qc);
    if (!c->kt || !c->qc || sv_skelmemo_new(&c->skm) != SV_OK) {
        dx_meta_ctx_free(c);
        return DXM_ENOMEM;
    }
    qskel_init(c->qc);
    *out = c;
    return DXM_OK;
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
    if (!out) return DXM_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text && len > 0) return DXM_EINVAL;
    if (len == 0) return DXM_OK;
    if (!sv_utf8_valid(text, len)) return DXM_EINVAL;

    doc d;
    int rc = doc_init(&d, text, len, ctx ? ctx->qc : NULL,
                      ctx ? ctx->skm : NULL);
    d.kt = ctx ? ctx->kt : NULL;
    if (rc == DXM_OK) {
        find_header(&d);
        int si = has_si_signature(&d);
        out->type = find_type_header(&d);
        if (out->type == DX_DOC_UNKNOWN && si) out->type = guess_type(&d, si, 0);
        int forv = 0;
        rc = find_authority(&d, out, si, &forv);
        if (rc == DXM_OK && out->type == DX_DOC_UNKNOWN)
            out->type = guess_type(&d, si, forv);
    }
    if (rc == DXM_OK) rc = find_dates(&d, out);
    if (rc == DXM_OK) rc = find_kommun(&d, out);
    if (rc == DXM_OK) rc = find_dnr(&d, out);
    if (rc == DXM_OK) rc = find_principal(&d, out);
    if (rc == DXM_OK) rc = find_school(&d, out);
    if (rc == DXM_OK && is_decision(out->type)) {
        size_t cap = 0;
        rc = find_tillsyn_areas(&d, out, &cap);
        if (rc == DXM_OK) rc = find_quality_areas(&d, out, &cap);
        if (rc == DXM_OK) out->outcome = overall_outcome(&d, out);
    }
    doc_free(&d);
    if (rc != DXM_OK) dx_meta_free(out);
    return rc;
}

/* JSON string (or null for NULL / ""). */
static void json_str(sbuf *b, const char *s, int *rc)
{
    if (!s || !*s) {
        sb_puts(b, "null", rc);
        return;
    }
    sb_puts(b, "\"", rc);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') sb_puts(b, "\\\"", rc);
        else if (c == '\\') sb_puts(b, "\\\\", rc);
        else if (c == '\n') sb_puts(b, "\\n", rc);
        else if (c == '\t') sb_puts(b, "\\t", rc);
        else if (c < 0x20 || c == 0x7F) {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", c);
            sb_puts(b, u, rc);
        } else {
            sb_put(b, p, 1, rc);
        }
    }
    sb_puts(b, "\"", rc);
}

int dx_meta_json(const dx_meta *m, char **out, size_t *outlen)
{
    if (out) *out = NULL;
    if (outlen) *outlen = 0;
    if (!m || !out) return DXM_EINVAL;
    int rc = DXM_OK;
    sbuf b = {0};
    sb_puts(&b, "{\"type\":", &rc);
    json_str(&b, dx_doctype_name(m->type), &rc);
    sb_puts(&b, ",\"date\":", &rc);
    json_str(&b, m->date.iso, &rc);
    sb_puts(&b, ",\"dates\":[", &rc);
    for (size_t i = 0; i < m->ndates; i++) {
        if (i) sb_puts(&b, ",", &rc);
        json_str(&b, m->dates[i].iso, &rc);
    }
    sb_puts(&b, "],\"kommun\":", &rc);
    json_str(&b, m->kommun, &rc);
    sb_puts(&b, ",\"kommun_alt\":", &rc);
    json_str(&b, m->kommun_alt, &rc);
    sb_puts(&b, ",\"principal\":", &rc);
    json_str(&b, m->principal, &rc);
    sb_puts(&b, ",\"school\":", &rc);
    json_str(&b, m->school, &rc);
    sb_puts(&b, ",\"dnr\":", &rc);
    json_str(&b, m->dnr, &rc);
    sb_puts(&b, ",\"authority\":", &rc);
    json_str(&b, m->authority, &rc);
    sb_puts(&b, ",\"outcome\":", &rc);
    json_str(&b, dx_outcome_name(m->outcome), &rc);
    sb_puts(&b, ",\"areas\":[", &rc);
    for (size_t i = 0; i < m->nareas; i++) {
        if (i) sb_puts(&b, ",", &rc);
        sb_puts(&b, "{\"name\":", &rc);
        json_str(&b, m->areas[i].name, &rc);
        sb_puts(&b, ",\"outcome\":", &rc);
        json_str(&b, dx_outcome_name(m->areas[i].outcome), &rc);
        sb_puts(&b, "}", &rc);
    }
    sb_puts(&b, "]}", &rc);
    if (rc != DXM_OK) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    if (outlen) *outlen = b.n;
    return DXM_OK;
}

/* Lower-cases value (n bytes) and calls fn. */
static int emit(const char *field, const char *value, size_t n,
                dx_meta_term_fn fn, void *ctx)
{
    if (!value || n == 0) return DXM_OK;
    char small[256];
    size_t need = sv_lower(value, n, small, sizeof small);
    if (need < sizeof small) return fn(ctx, field, small, need);
    char *big = malloc(need + 1);
    if (!big) return DXM_ENOMEM;
    sv_lower(value, n, big, need + 1);
    int r = fn(ctx, field, big, need);
    free(big);
    return r;
}

static int emit_str(const char *field, const char *value, dx_meta_term_fn fn,
                    void *ctx)
{
    return value ? emit(field, value, strlen(value), fn, ctx) : DXM_OK;
}

int dx_meta_terms(const dx_meta *m, dx_meta_term_fn fn, void *ctx)
{
    if (!m || !fn) return DXM_EINVAL;
    int r = emit_str(DX_META_FIELD_TYPE, dx_doctype_name(m->type), fn, ctx);
    if (!r && m->date.iso[0]) {
        r = emit(DX_META_FIELD_DATE, m->date.iso, 10, fn, ctx);
        if (!r) r = emit(DX_META_FIELD_YEAR, m->date.iso, 4, fn, ctx);
    }
    if (!r) r = emit_str(DX_META_FIELD_KOMMUN, m->kommun, fn, ctx);
    if (!r) r = emit_str(DX_META_FIELD_KOMMUN, m->kommun_alt, fn, ctx);
    if (!r) r = emit_str(DX_META_FIELD_PRINCIPAL, m->principal, fn, ctx);
    if (!r) r = emit_str(DX_META_FIELD_SCHOOL, m->school, fn, ctx);
    if (!r) r = emit_str(DX_META_FIELD_DNR, m->dnr, fn, ctx);
    if (!r) r = emit_str(DX_META_FIELD_AUTHORITY, m->authority, fn, ctx);
    int done[DX_OUT_COUNT] = {0};
    if (!r && m->outcome > 0 && m->outcome < DX_OUT_COUNT) {
        done[m->outcome] = 1;
        r = emit_str(DX_META_FIELD_OUTCOME, dx_outcome_name(m->outcome), fn,
                     ctx);
    }
    for (size_t i = 0; i < m->nareas && !r; i++) {
        int o = m->areas[i].outcome;
        if (o <= 0 || o >= DX_OUT_COUNT || done[o]) continue;
        done[o] = 1;
        r = emit_str(DX_META_FIELD_OUTCOME, dx_outcome_name(o), fn, ctx);
    }
    return r;
}
