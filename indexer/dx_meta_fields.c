/*
 * dx_meta_fields.c — the field finders of metadata extraction (dx_meta.h;
 * private interface in dx_meta_int.h): the document's dates, its type, its
 * diary number, principal and school, and the authority that issued it.
 * The municipality is dx_kommun.c's, the outcomes dx_meta_outcome.c's.
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
    if (!m || !dxm_gap_ok(d, t, t + 1, 1, 0)) return 0;
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
        if (strcmp(m->dates[i].iso, dt->iso) == 0) return DX_OK;
    if (m->ndates == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        dx_date *v = realloc(m->dates, nc * sizeof *v);
        if (!v) return DX_ENOMEM;
        m->dates = v;
        *cap = nc;
    }
    m->dates[m->ndates++] = *dt;
    return DX_OK;
}

/* Confidence in the document's own date, by how it was found. */
#define DATE_CONF_LABEL 90   /* after "Datum", "Beslutsdatum", ... */
#define DATE_CONF_ISO 70     /* the first ISO date of the header */
#define DATE_CONF_WRITTEN 60 /* a written date on a short header line */

int dxm_find_dates(const doc *d, dx_meta *m, int appeal)
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
                own = DATE_CONF_LABEL;
                break;
            }
    }
    /* ... else the first date in the header: an ISO date, or a written
     * one on a short line (not "... träda i kraft den 1 juli 2025."); not
     * in an appeal decision, and not under a heading "Överklagat beslut",
     * where the header dates the decision appealed against. */
    size_t cited_from = appeal ? 0 : d->hdr_lines;
    for (size_t l = 0; l < d->hdr_lines && cited_from == d->hdr_lines; l++)
        if (dxm_line_is(d, l, "överklagat beslut") ||
            dxm_line_is(d, l, "överklagade beslut"))
            cited_from = l;
    for (size_t t = 0; t < d->hdr_toks && !own; t++) {
        size_t nx;
        if (d->tline[t] >= cited_from) break;
        if ((tkind(d, t) == SV_TOK_DATE || line_ntok(d, d->tline[t]) <= 6) &&
            date_at(d, t, &m->date, &nx))
            own = tkind(d, t) == SV_TOK_DATE ? DATE_CONF_ISO
                                             : DATE_CONF_WRITTEN;
    }
    if (!own) m->date.iso[0] = '\0';
    m->conf[DX_CONF_DATE] = (unsigned char)own;
    for (size_t t = 0; t < d->tk.n;) {
        dx_date dt;
        size_t nx;
        if (date_at(d, t, &dt, &nx)) {
            if (add_date(m, &dt, &cap) != DX_OK) return DX_ENOMEM;
            t = nx;
        } else {
            t++;
        }
    }
    return DX_OK;
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
int dxm_has_si_signature(const doc *d)
{
    for (size_t t = 0; t + 1 < d->tk.n; t++)
        if (tok_is(d, t, W_SKOLINSPEKTIONENS) &&
            tok_is_any(d, t + 1, vagnar_words))
            return 1;
    return 0;
}

const dx_word dxm_granskning_words[] = {
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

int dxm_find_type_header(const doc *d)
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
int dxm_guess_type(const doc *d, int si, int authority_is_forv)
{
    if (si) {
        for (size_t t = 0; t + 1 < d->tk.n; t++) {
            if (tok_is(d, t, W_REDOVISADE) && tok_is(d, t + 1, W_ATGARDER))
                return DX_DOC_UPPFOLJNINGSBESLUT;
            if (tok_is(d, t, W_AVSLUTAR))
                for (size_t u = t + 1; u < d->tk.n && u <= t + 3; u++)
                    if (tok_is_any(d, u, dxm_granskning_words))
                        return DX_DOC_UPPFOLJNINGSBESLUT;
        }
        for (size_t t = 0; t < d->tk.n; t++)
            if (tok_is(d, t, W_FORELAGGER) || tok_is(d, t, W_TILLSYN))
                return DX_DOC_TILLSYNSBESLUT;
        return DX_DOC_BESLUT;
    }
    if (authority_is_forv)
        for (size_t l = 0; l < d->nlines; l++)
            if (dxm_line_is(d, l, "sammanfattning"))
                return DX_DOC_TJANSTESKRIVELSE;
    return DX_DOC_UNKNOWN;
}

/* ---------------------------------------------------------------------
 * Diary number: "Dnr 2021:2323", "Dnr SI 2021:1234", "Diarienummer:
 * BUN 2019/233", "Dnr KS/2020:45".
 * ------------------------------------------------------------------- */

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

/* Confidence in a diary number, by where its label stands. */
#define DNR_CONF_HEADER 90 /* first on its line or after a column gap, in
                              the header */
#define DNR_CONF_LINE 70   /* the same, further down (a page header
                              repeated, a signature block) */
#define DNR_CONF_MANY 40   /* several different such numbers below the
                              header and none in it (the items of a
                              protocol): none of them is the document's */
#define DNR_CONF_SENTENCE 30 /* in the middle of a sentence */
#define DNR_CONF_CITED 10  /* in parentheses, or after "jfr": another
                              case the text refers to */

/* Where the label at token t stands: DNR_CONF_*. */
static int dnr_label_conf(const doc *d, size_t t)
{
    size_t l = d->tline[t], a = d->lines[l].start, i = d->tk.tok[t].start;
    /* An open parenthesis before it on its line, or "jfr" just before. */
    int open = 0;
    for (size_t k = a; k < i; k++) {
        if (d->s[k] == '(') open++;
        else if (d->s[k] == ')' && open) open--;
    }
    if (open) return DNR_CONF_CITED;
    for (size_t u = t > 6 ? t - 6 : 0; u < t; u++)
        if (tok_is(d, u, W_JFR)) return DNR_CONF_CITED;
    /* First on the line, or after a gap of three spaces or a tab. */
    int lead = 1, gap = 0;
    for (size_t k = a; k < i; k++)
        if (!is_space(d->s[k])) lead = 0;
    if (!lead && i >= 3) {
        size_t k = i;
        while (k > a && (d->s[k - 1] == ' ' || d->s[k - 1] == '\t')) k--;
        gap = i - k >= 3 || (i > k && d->s[i - 1] == '\t');
    }
    if (!lead && !gap) return DNR_CONF_SENTENCE;
    return t < d->hdr_toks ? DNR_CONF_HEADER : DNR_CONF_LINE;
}

int dxm_find_dnr(const doc *d, dx_meta *m)
{
    /* The best-placed label wins (the first of equals); numbers at line
     * starts below the header are counted, so that a protocol's items do
     * not give it one of their numbers. */
    size_t best_i = 0, best_e = 0, line_i = 0, line_e = 0;
    int best = 0, line_values = 0;
    for (size_t t = 0; t < d->tk.n; t++) {
        if (tkind(d, t) != SV_TOK_WORD) continue;
        int kw = 0;
        for (const dx_word *w = dnr_words; *w != W_END && !kw; w++) {
            const char *ws = dxm_word_text[*w];
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
        if (!e) continue;
        int c = dnr_label_conf(d, t);
        if (c == DNR_CONF_LINE) {
            if (!line_values ||
                !(e - i == line_e - line_i &&
                  memcmp(d->s + i, d->s + line_i, e - i) == 0))
                line_values++;
            line_i = i;
            line_e = e;
        }
        if (c > best) {
            best = c;
            best_i = i;
            best_e = e;
        }
    }
    if (best == DNR_CONF_LINE && line_values > 1) best = DNR_CONF_MANY;
    if (!best) return DX_OK;
    m->conf[DX_CONF_DNR] = (unsigned char)best;
    return dxm_set_str(&m->dnr, d->s + best_i, best_e - best_i);
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
int dxm_find_principal(const doc *d, dx_meta *m)
{
    for (size_t t = 1; t < d->tk.n; t++) {
        const sv_token *k = &d->tk.tok[t];
        int ab = (k->end - k->start == 2 &&
                  memcmp(d->s + k->start, "AB", 2) == 0) ||
                 tok_is(d, t, W_AKTIEBOLAG);
        if (!ab) continue;
        size_t a = t;
        while (a > 0 && t - a < 4 && is_name_word(d, a - 1) &&
               dxm_gap_ok(d, a - 1, a, 0, 1))
            a--;
        if (a == t) continue;
        int rc = DX_OK;
        sbuf b = {0};
        dxm_sb_put_restored(&b, d, d->tk.tok[a].start, k->end, a, t + 1, &rc);
        if (rc == DX_OK) rc = dxm_set_str(&m->principal, b.p, b.n);
        free(b.p);
        return rc;
    }
    return DX_OK;
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
        if (dxm_form_cost("högskolan", 10, w + n - k, k, NULL) >= 0) return 0;
    return 1;
}

/* The school unit: the first in the header written "<Name>s skola" (up
 * to three capitalised words before skola/friskola/...) or as one
 * capitalised compound "<Name>skolan". */
int dxm_find_school(const doc *d, dx_meta *m)
{
    for (size_t t = 0; t < d->hdr_toks; t++) {
        size_t a = t, e = t;
        if (tkind(d, t) == SV_TOK_WORD && tok_is_any(d, t, school_words) &&
            !tok_capital(d, t)) {
            while (a > 0 && t - a < 3 && is_name_word(d, a - 1) &&
                   dxm_gap_ok(d, a - 1, a, 1, 1))
                a--;
            if (a == t) continue;
        } else if (tkind(d, t) == SV_TOK_WORD && tok_capital(d, t) &&
                   ends_with_skolan(d, t) &&
                   !tok_is_any(d, t, generic_schools)) {
            /* one word */
        } else {
            continue;
        }
        int rc = DX_OK;
        sbuf b = {0};
        dxm_sb_put_restored(&b, d, d->tk.tok[a].start, d->tk.tok[e].end, a,
                            e + 1, &rc);
        if (rc == DX_OK) rc = dxm_set_str(&m->school, b.p, b.n);
        free(b.p);
        return rc;
    }
    return DX_OK;
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
            const char *sw = dxm_word_text[s->w];
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
                double c = dxm_form_cost(sw, sl, w + k, tl, NULL);
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
        double c = dxm_form_cost(*p, strlen(*p), w, wl, NULL);
        if (c >= 0 && (!best || c < bc)) {
            best = *p;
            bc = c;
        }
    }
    if (best) dxm_sb_put_form(b, best, strlen(best), cap, rc);
    else dxm_sb_put_form(b, w, wl, cap, rc);
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
        dxm_gap_ok(d, t - 2, t - 1, 1, 1) && dxm_gap_ok(d, t - 1, t, 1, 0)) {
        int k1 = put_part(b, tnorm(d, t - 2), tlen(d, t - 2), 1, rc);
        dxm_sb_puts(b, "- och ", rc);
        *known = put_part(b, w, plen, 0, rc) && k1;
    } else {
        *known = put_part(b, w, plen, 1, rc);
    }
    dxm_sb_puts(b, s->out, rc);
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
            !dxm_gap_ok(d, u - 1, u, 0, 0))
            return 0;
    span r = dxm_line_trim(d, l);
    if (d->tk.tok[e - 1].end != r.end) return 0;
    b->n = 0;
    dxm_sb_puts(b, "Förvaltningen", rc);
    dxm_sb_put(b, d->s + d->tk.tok[t].end,
               d->tk.tok[e - 1].end - d->tk.tok[t].end, rc);
    return 1;
}

/* Finds the authority; *forv is set when it is a förvaltning/kontor.
 * Skolinspektionen when its signature is there (or, for a decision cut
 * before the signature, when no municipal body heads it); else the body in
 * the header (for minutes the nämnd, otherwise the förvaltning/kontor that
 * wrote it); else the first förvaltning/kontor of a known name in the text
 * ("Bildningsförvaltningen har följt upp ..."). */
#define AUTH_BODY_TOKENS 1000

/* Confidence in the authority, by how it was found. */
#define AUTH_CONF_SIGNED 95  /* "På Skolinspektionens vägnar" */
#define AUTH_CONF_HEADER 85  /* a body heading the text */
#define AUTH_CONF_NAMED 60   /* a decision that names Skolinspektionen and
                                no municipal body heads */

static int set_authority(dx_meta *m, const char *s, size_t n, int issuer,
                         int conf)
{
    m->issuer = issuer;
    m->conf[DX_CONF_AUTHORITY] = (unsigned char)conf;
    return dxm_set_str(&m->authority, s, n);
}

int dxm_find_authority(const doc *d, dx_meta *m, int si, int *forv)
{
    int rc = DX_OK, known;
    *forv = 0;
    if (si)
        return set_authority(m, "Skolinspektionen", 16,
                             DX_ISSUER_SKOLINSPEKTIONEN, AUTH_CONF_SIGNED);
    sbuf b = {0}, best = {0};
    int bestkind = AUTH_NONE;
    int want = m->type == DX_DOC_PROTOKOLLSUTDRAG ? AUTH_NAMND : AUTH_FORV;
    if (m->type == DX_DOC_UPPFOLJNINGSBESLUT ||
        m->type == DX_DOC_TILLSYNSBESLUT || m->type == DX_DOC_BESLUT) {
        int muni = 0;
        for (size_t t = 0; t < d->hdr_toks && rc == DX_OK && !muni; t++)
            muni = authority_at(d, t, &b, &known, &rc) != AUTH_NONE;
        if (!muni)
            for (size_t t = 0; t < d->tk.n; t++)
                if (tok_is(d, t, W_SKOLINSPEKTIONEN)) {
                    free(b.p);
                    return set_authority(m, "Skolinspektionen", 16,
                                         DX_ISSUER_SKOLINSPEKTIONEN,
                                         AUTH_CONF_NAMED);
                }
    }
    for (size_t t = 0; t < d->hdr_toks && rc == DX_OK; t++) {
        int k = forvaltningen_named(d, t, &b, &rc)
                    ? AUTH_FORV
                    : authority_at(d, t, &b, &known, &rc);
        if (k == AUTH_NONE) continue;
        if (bestkind == AUTH_NONE || (k == want && bestkind != want)) {
            best.n = 0;
            dxm_sb_put(&best, b.p, b.n, &rc);
            bestkind = k;
        }
        if (k == want) break;
    }
    /* A body names its author early: the first AUTH_BODY_TOKENS words. */
    size_t body_end = d->tk.n < d->hdr_toks + AUTH_BODY_TOKENS
                          ? d->tk.n : d->hdr_toks + AUTH_BODY_TOKENS;
    int conf = AUTH_CONF_HEADER;
    for (size_t t = d->hdr_toks; t < body_end && rc == DX_OK &&
                                 bestkind == AUTH_NONE; t++) {
        if (authority_at(d, t, &b, &known, &rc) != AUTH_FORV || !known)
            continue;
        best.n = 0;
        dxm_sb_put(&best, b.p, b.n, &rc);
        bestkind = AUTH_FORV;
        conf = m->type == DX_DOC_TJANSTESKRIVELSE ? DXM_AUTH_CONF_MEMO
                                                  : DXM_AUTH_CONF_BODY;
    }
    if (rc == DX_OK && bestkind != AUTH_NONE) {
        rc = set_authority(m, best.p, best.n, DX_ISSUER_MUNICIPAL, conf);
        *forv = bestkind == AUTH_FORV;
    }
    free(b.p);
    free(best.p);
    return rc;
}
