/*
 * dx_kommun.c — the municipality gazetteer (dx_meta.h: dx_kommun_lookup,
 * dx_kommun_count, dx_kommun_name) and the finder of the municipality a
 * document is about (private interface in dx_meta_int.h): Sweden's 290
 * municipalities, each name prepared for matching with OCR tolerance.
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
kname *dxm_ktable_new(void)
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

/* dxm_form_cost() with both skeletons known ("" when there is none). */
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
int dxm_find_kommun(const doc *d, dx_meta *m)
{
    kname *own = NULL;
    const kname *kt = d->kt;
    if (!kt) kt = own = dxm_ktable_new();
    if (!kt) return DX_ENOMEM;
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
                !dxm_gap_ok(d, a, t, 2, 0))
                continue;
            const char *w[2];
            size_t wl[2], n = 0;
            if (a > 0 && tkind(d, a - 1) == SV_TOK_WORD &&
                tok_capital(d, a - 1) && dxm_gap_ok(d, a - 1, a, 1, 1)) {
                w[n] = tnorm(d, a - 1);
                wl[n++] = tlen(d, a - 1);
            }
            w[n] = tnorm(d, a);
            wl[n++] = tlen(d, a);
            kommun_match(kt, w, wl, n, &km);
        } else if (tok_is(d, t - 1, W_REGION) && tok_capital(d, t) &&
                   dxm_gap_ok(d, t - 1, t, 1, 0)) {
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
    if (best < 0) return DX_OK;
    m->kommun = kommuner[best];
    if (d->plain && alt[best] >= 0) m->kommun_alt = kommuner[alt[best]];
    return DX_OK;
}

int dx_kommun_lookup(const char *name, size_t len, const char **canon)
{
    if (!canon) return DX_EINVAL;
    *canon = NULL;
    if (!name && len > 0) return DX_EINVAL;
    if (len == 0) return DX_OK;
    if (!sv_utf8_valid(name, len)) return DX_EINVAL;
    sv_tokens tk = {0};
    if (sv_tokenize(name, len, &tk) != SV_OK) {
        sv_tokens_free(&tk);
        return DX_ENOMEM;
    }
    size_t n = tk.n;
    /* Drop a trailing "kommun", "kommuns", "stad", "stads". */
    if (n > 1) {
        const sv_token *k = &tk.tok[n - 1];
        const char *f = sv_token_norm(&tk, k);
        if (dxm_form_cost("kommun", 6, f, k->normlen, NULL) >= 0 ||
            dxm_form_cost("kommuns", 7, f, k->normlen, NULL) >= 0 ||
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
            kname *kt = dxm_ktable_new();
            if (!kt) {
                sv_tokens_free(&tk);
                return DX_ENOMEM;
            }
            kmatch km;
            kommun_match(kt, w, wl, n, &km);
            /* The whole name must be used. */
            if (km.best >= 0 && km.nparts == n) *canon = kommuner[km.best];
            free(kt);
        }
    }
    sv_tokens_free(&tk);
    return DX_OK;
}
