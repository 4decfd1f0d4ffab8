/*
 * dq_report.c — topic reports in HTML, Markdown and CSV (see dq_report.h).
 *
 * The file reads top to bottom as the report does: the model (hits grouped
 * by document, facet rows for the charts), small text helpers (Swedish
 * numbers and labels, escaping for HTML, Markdown and CSV), the passage
 * flow shared by HTML and Markdown (paragraphs, bullets, highlights), then
 * one writer per format.
 *
 * Escaping is the one thing that must never be wrong here: every byte that
 * comes from the index (passage text, document id, metadata, facet values)
 * goes through h_esc (HTML), md_char (Markdown) or csv_field (CSV). The
 * passage flow walks whole UTF-8 characters, so a highlight boundary that
 * falls inside a character marks the whole character instead of splitting
 * it.
 */
#include "dq_report.h"
#include "dq_output.h"
#include "dx_format.h"

#include <stdlib.h>
#include <string.h>

/* At most this many municipalities get a bar of their own; the rest are
 * one row "N andra kommuner" with their sum, written without a bar. */
#define KOMMUN_BARS_MAX 40
/* Years between the first and the last are drawn (as gaps) when the span
 * is at most this. */
#define YEAR_SPAN_MAX 60

#define NBSP "\xC2\xA0"
#define NDASH "\xE2\x80\x93"
#define MIDDOT "\xC2\xB7"

/* ------------------------------------------------------------ the model */

typedef struct hitref {
    const char *doc;
    size_t i; /* index in r->hits (rank order) */
} hitref;

/* One document of the report: its hits, best first. */
typedef struct rdoc {
    const hitref *h;
    size_t n;
} rdoc;

/* One bar of a chart (or row of a count table). */
typedef struct row {
    const char *label; /* display text (UTF-8, not escaped) */
    unsigned count;
    int bar;           /* 1: drawn as a bar (0: an empty year, a gap, or
                          the sum of the values without a bar of their
                          own, written as a number only) */
    char buf[48];      /* label storage for made-up labels */
} row;

typedef struct rows {
    row *v;
    size_t n;
    unsigned max;      /* the largest count drawn as a bar */
    unsigned unknown;  /* documents without a value, when not a row */
} rows;

typedef struct report {
    const dq_results *r;
    const dq_report_info *info;
    hitref *refs;
    rdoc *docs;
    size_t ndocs;
    size_t npassages;  /* hits of those documents */
    size_t nspread;    /* documents whose words are in different passages */
    const dq_facet *kommun, *year, *type, *outcome;
    rows kommuns, years, types, outcomes;
    char years_span[32];
} report;

static int by_doc(const void *a, const void *b)
{
    const hitref *x = a, *y = b;
    int c = strcmp(x->doc, y->doc);
    if (c) return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int by_rank(const void *a, const void *b)
{
    const rdoc *x = a, *y = b;
    return x->h[0].i < y->h[0].i ? -1 : x->h[0].i > y->h[0].i;
}

/* Groups the hits by document, documents in the order of their best hit,
 * at most info->max_documents of them. */
static int group_hits(report *m)
{
    const dq_results *r = m->r;
    if (r->n == 0) return DQ_OK;
    m->refs = malloc(r->n * sizeof *m->refs);
    m->docs = malloc(r->n * sizeof *m->docs);
    if (!m->refs || !m->docs) return DQ_ENOMEM;
    for (size_t i = 0; i < r->n; i++) {
        m->refs[i].doc = r->hits[i].doc ? r->hits[i].doc : "";
        m->refs[i].i = i;
    }
    qsort(m->refs, r->n, sizeof *m->refs, by_doc);
    for (size_t i = 0; i < r->n;) {
        size_t j = i + 1;
        while (j < r->n && strcmp(m->refs[j].doc, m->refs[i].doc) == 0) j++;
        m->docs[m->ndocs].h = &m->refs[i];
        m->docs[m->ndocs].n = j - i;
        m->ndocs++;
        i = j;
    }
    qsort(m->docs, m->ndocs, sizeof *m->docs, by_rank);
    if (m->info->max_documents && m->ndocs > m->info->max_documents)
        m->ndocs = m->info->max_documents;
    for (size_t d = 0; d < m->ndocs; d++) {
        m->npassages += m->docs[d].n;
        int complete = 0;
        for (size_t k = 0; k < m->docs[d].n; k++)
            complete |= r->hits[m->docs[d].h[k].i].complete;
        if (!complete) m->nspread++;
    }
    return DQ_OK;
}

static const dq_facet *facet(const dq_results *r, const char *field)
{
    for (size_t i = 0; i < r->nfacets; i++)
        if (strcmp(r->facets[i].field, field) == 0) return &r->facets[i];
    return NULL;
}

/* Swedish alphabetical order, good enough for names: case folded, é and
 * è as e, ü as y, å ä ö after z; other characters by code point. */
static unsigned next_cp(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    unsigned c = s[0];
    size_t n = 1;
    if (c >= 0xC0 && c < 0xE0 && (s[1] & 0xC0) == 0x80) {
        c = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        n = 2;
    } else if (c >= 0xE0 && c < 0xF0 && (s[1] & 0xC0) == 0x80 &&
               (s[2] & 0xC0) == 0x80) {
        c = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        n = 3;
    }
    *p += n;
    return c;
}

/* Letters sort after everything below 'a' (digits, punctuation, space)
 * and before all other characters. */
static unsigned sv_key(unsigned c)
{
    const unsigned L = 0x100; /* where letters start */
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c >= 'a' && c <= 'z') return L + c;
    switch (c) {
    case 0xE9: case 0xC9: case 0xE8: case 0xC8: return L + 'e';
    case 0xFC: case 0xDC: return L + 'y';
    case 0xE5: case 0xC5: return L + 'z' + 1;                      /* å */
    case 0xE4: case 0xC4: case 0xE6: case 0xC6: return L + 'z' + 2; /* ä æ */
    case 0xF6: case 0xD6: case 0xF8: case 0xD8: return L + 'z' + 3; /* ö ø */
    default: return c < 'a' ? c : 2 * L + c;
    }
}

static int sv_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        unsigned x = sv_key(next_cp(&a)), y = sv_key(next_cp(&b));
        if (x != y) return x < y ? -1 : 1;
    }
    return (*a != 0) - (*b != 0);
}

/* How many documents have no value of a field: counted, never hidden. */
#define UNKNOWN "ok\xC3\xA4nt"

/* The footer's account of how the fields were obtained. */
#define FIELDS_NOTE                                                         \
    "Kommun, datum, typ, myndighet, diarienummer och utfall är utlästa "   \
    "automatiskt ur dokumentens text, med regler för varje utfärdares "     \
    "dokument (Skolinspektionen, Skolväsendets överklagandenämnd, "         \
    "kommunala nämnder och förvaltningar). Ett värde som reglerna inte är " \
    "säkra på lämnas tomt och räknas som okänt, och ett diarienummer eller "\
    "datum som dokumentet bara hänvisar till (ett annat ärende, det "       \
    "överklagade beslutet) räknas inte som dokumentets eget. Värdena kan "  \
    "ändå innehålla fel."

/* Rows by count (descending), then name; the unknown ("") last. */
static int by_count_name(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int ux = x->label == NULL, uy = y->label == NULL;
    if (ux != uy) return ux - uy;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return ux ? 0 : sv_cmp(x->label, y->label);
}

/* Appends a row; `cap` is the size of rs->v (callers size it to fit). */
static void rows_add(rows *rs, size_t cap, const char *label, unsigned count,
                     int bar)
{
    if (rs->n >= cap) return;
    row *w = &rs->v[rs->n++];
    memset(w, 0, sizeof *w);
    w->label = label;
    w->count = count;
    w->bar = bar;
    if (bar && count > rs->max) rs->max = count;
}

/* Rows for a facet by count. The documents without a value ("") are a
 * last row named `unknown`, or with unknown NULL only counted in
 * rs->unknown (a chart of municipalities has no bar for "no
 * municipality": it would dwarf the others). At most `cap_bars` rows, the
 * rest summed into one named "<number of values> <others>", if `others` is
 * given. */
static int count_rows(const dq_facet *f, rows *rs, size_t cap_bars,
                      const char *others, const char *unknown)
{
    size_t n = f ? f->n : 0;
    rs->v = calloc(n + 1, sizeof *rs->v);
    if (!rs->v) return DQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!f->v[i].value[0] && !unknown) rs->unknown += f->v[i].count;
        else
            rows_add(rs, n + 1, f->v[i].value[0] ? f->v[i].value : NULL,
                     f->v[i].count, 1);
    }
    if (rs->n > 1) qsort(rs->v, rs->n, sizeof *rs->v, by_count_name);
    if (others && rs->n > cap_bars) {
        unsigned sum = 0;
        size_t rest = rs->n - (cap_bars - 1);
        for (size_t i = cap_bars - 1; i < rs->n; i++) sum += rs->v[i].count;
        rs->n = cap_bars - 1;
        rs->max = 0;
        for (size_t i = 0; i < rs->n; i++)
            if (rs->v[i].count > rs->max) rs->max = rs->v[i].count;
        row *w = &rs->v[rs->n];
        rows_add(rs, n + 1, NULL, sum, 0);
        snprintf(w->buf, sizeof w->buf, "%zu %s", rest, others);
        w->label = w->buf;
    }
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->v[i].label) rs->v[i].label = unknown;
    return DQ_OK;
}

static int year_of(const char *v)
{
    if (strlen(v) != 4) return -1;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (v[i] < '0' || v[i] > '9') return -1;
        y = y * 10 + (v[i] - '0');
    }
    return y;
}

/* Year rows in year order, the years in between without documents as
 * gaps (when the span is small); the documents without a date are only
 * counted (rs->unknown). */
static int year_rows(const dq_facet *f, rows *rs, char *span, size_t spanlen)
{
    int lo = 10000, hi = -1;
    size_t n = f ? f->n : 0;
    for (size_t i = 0; i < n; i++) {
        int y = year_of(f->v[i].value);
        if (y < 0 && f->v[i].value[0] == '\0') rs->unknown = f->v[i].count;
        else if (y >= 0) {
            if (y < lo) lo = y;
            if (y > hi) hi = y;
        }
    }
    int fill = hi >= 0 && hi - lo <= YEAR_SPAN_MAX;
    size_t cap = n + 1 + (fill ? (size_t)(hi - lo + 1) : 0);
    rs->v = calloc(cap, sizeof *rs->v);
    if (!rs->v) return DQ_ENOMEM;
    if (hi < 0) snprintf(span, spanlen, NDASH);
    else if (hi == lo) snprintf(span, spanlen, "%d", lo);
    else snprintf(span, spanlen, "%d" NDASH "%d", lo, hi);
    for (int y = lo; hi >= 0 && y <= hi; y++) {
        const dq_facet_value *v = NULL;
        for (size_t i = 0; i < n && !v; i++)
            if (year_of(f->v[i].value) == y) v = &f->v[i];
        if (!v && !fill) continue;
        if (v) {
            rows_add(rs, cap, v->value, v->count, 1);
        } else {
            row *w = &rs->v[rs->n];
            rows_add(rs, cap, NULL, 0, 0);
            snprintf(w->buf, sizeof w->buf, "%d", y);
            w->label = w->buf;
        }
    }
    for (size_t i = 0; i < n; i++) /* anything that is not a year */
        if (year_of(f->v[i].value) < 0 && f->v[i].value[0])
            rows_add(rs, cap, f->v[i].value, f->v[i].count, 1);
    return DQ_OK;
}

static int outcome_rows(const dq_facet *f, rows *rs)
{
    int rc = count_rows(f, rs, 0, NULL, UNKNOWN);
    for (size_t i = 0; rc == DQ_OK && i < rs->n; i++)
        if (f && strcmp(rs->v[i].label, UNKNOWN) != 0)
            rs->v[i].label = dq_report_outcome_label(rs->v[i].label);
    return rc;
}

static void report_free(report *m)
{
    free(m->refs);
    free(m->docs);
    free(m->kommuns.v);
    free(m->years.v);
    free(m->types.v);
    free(m->outcomes.v);
}

static int report_build(report *m, const dq_results *r,
                        const dq_report_info *info)
{
    memset(m, 0, sizeof *m);
    m->r = r;
    m->info = info;
    m->kommun = facet(r, dx_filter_names[DX_FILTER_KOMMUN]);
    m->year = facet(r, dx_filter_names[DX_FILTER_YEAR]);
    m->type = facet(r, dx_filter_names[DX_FILTER_TYPE]);
    m->outcome = facet(r, dx_filter_names[DX_FILTER_OUTCOME]);
    int rc = group_hits(m);
    if (rc == DQ_OK)
        rc = count_rows(m->kommun, &m->kommuns, KOMMUN_BARS_MAX,
                        "andra kommuner", NULL);
    if (rc == DQ_OK)
        rc = year_rows(m->year, &m->years, m->years_span,
                       sizeof m->years_span);
    if (rc == DQ_OK)
        rc = count_rows(m->type, &m->types, 0, NULL, UNKNOWN);
    if (rc == DQ_OK) rc = outcome_rows(m->outcome, &m->outcomes);
    return rc;
}

/* The number of facet values that name something (not ""). */
static size_t known_values(const dq_facet *f)
{
    size_t n = 0;
    for (size_t i = 0; f && i < f->n; i++) n += f->v[i].value[0] != '\0';
    return n;
}

/* ------------------------------------------------------- text helpers */

static const char *str(const char *s) { return s ? s : ""; }

/* The facts shown after a passage's document id, in order, with their
 * labels (HTML and Markdown print them alike); "" when unknown. */
#define DOCMETA_N 4
static void docmeta_fields(const dq_hit *h, const char *lbl[DOCMETA_N],
                           const char *val[DOCMETA_N])
{
    static const char *const labels[DOCMETA_N] = {"Dnr ", "", "",
                                                   "Utfall: "};
    for (int i = 0; i < DOCMETA_N; i++) lbl[i] = labels[i];
    val[0] = str(h->dnr);
    val[1] = str(h->school);
    val[2] = str(h->authority);
    val[3] = dq_report_outcome_label(str(h->outcome));
}

/* v with a no-break space between thousands ("44 060"). */
static const char *num(char buf[32], unsigned long v)
{
    char d[24];
    int n = snprintf(d, sizeof d, "%lu", v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            memcpy(buf + o, NBSP, 2);
            o += 2;
        }
        buf[o++] = d[i];
    }
    buf[o] = '\0';
    return buf;
}

/* A score with a decimal comma. */
static const char *score(char buf[32], double s, int decimals)
{
    snprintf(buf, 32, "%.*f", decimals, s);
    char *p = strchr(buf, '.');
    if (p) *p = ',';
    return buf;
}

/* "2025-03-04T10:15:00+01:00" as "2025-03-04 kl. 10.15". */
static const char *when_text(char buf[64], const char *iso)
{
    iso = str(iso);
    if (strlen(iso) >= 16 && iso[10] == 'T')
        snprintf(buf, 64, "%.10s kl. %.2s.%.2s", iso, iso + 11, iso + 14);
    else
        snprintf(buf, 64, "%s", iso);
    return buf;
}

const char *dq_report_outcome_label(const char *o)
{
    /* By the index's outcomes (dx_format.h, DX_OUT_*). */
    static const char *const labels[DX_OUT_COUNT] = {
        [DX_OUT_UTVECKLINGSOMRADEN] = "utvecklingsområden identifierade",
        [DX_OUT_YTTERLIGARE_ATGARDER] = "ytterligare åtgärder behövs",
        [DX_OUT_I_LINJE] = "påbörjat arbete i linje med bedömningen",
        [DX_OUT_AVSLUTAD] = "granskningen avslutad",
        [DX_OUT_INGA_BRISTER] = "inga brister",
        [DX_OUT_BRISTER] = "brister (kraven inte uppfyllda)",
        [DX_OUT_ANMARKNING] = "anmärkning",
        [DX_OUT_FORELAGGANDE] = "föreläggande",
        [DX_OUT_AVSLAR] = "avslår överklagandet",
        [DX_OUT_BIFALLER] = "bifaller överklagandet",
        [DX_OUT_UPPHAVER] = "upphäver det överklagade beslutet",
        [DX_OUT_UNDANROR] = "undanröjer det överklagade beslutet",
        [DX_OUT_AVVISAR] = "avvisar överklagandet"};
    if (!o) return "";
    int code = dx_outcome_code(o);
    return code != DX_OUT_NONE && labels[code] ? labels[code] : o;
}

int dq_report_format_from_name(const char *name)
{
    if (!name) return -1;
    if (strcmp(name, "html") == 0) return DQ_REPORT_HTML;
    if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
        return DQ_REPORT_MD;
    if (strcmp(name, "csv") == 0) return DQ_REPORT_CSV;
    return -1;
}

/* Length of the UTF-8 character at t[i] (1 for a byte that does not start
 * a valid sequence; *valid says which). */
/* Is the n-byte character at t[i] a C1 control (U+0080-U+009F), which
 * some terminals obey as they do ESC? */
static int is_c1(const char *t, size_t i, size_t n)
{
    return n == 2 && (unsigned char)t[i] == 0xC2 &&
           (unsigned char)t[i + 1] < 0xA0;
}

static size_t char_len(const char *t, size_t len, size_t i, int *valid)
{
    unsigned char c = (unsigned char)t[i];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2
             : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xF0 && c < 0xF5 ? 4 : 0;
    *valid = n > 0 && i + n <= len;
    for (size_t k = 1; *valid && k < n; k++)
        if (((unsigned char)t[i + k] & 0xC0) != 0x80) *valid = 0;
    return *valid ? n : 1;
}

static size_t char_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* --- HTML */

/* Writes s HTML-escaped (text and attribute values alike): & < > " ' as
 * references, control characters as spaces, invalid UTF-8 as U+FFFD. */
static void h_esc(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        int valid;
        size_t n = char_len(s, len, i, &valid);
        unsigned char c = (unsigned char)s[i];
        if (!valid) fputs("\xEF\xBF\xBD", f);
        else if (c == '&') fputs("&amp;", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&#39;", f);
        else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F ||
                 is_c1(s, i, n))
            fputc(' ', f);
        else fwrite(s + i, 1, n, f);
        i += n;
    }
}

static void h_str(FILE *f, const char *s) { h_esc(f, str(s), strlen(str(s))); }

/* s escaped, with a line break opportunity (<wbr>) after each '_', '/'
 * and '-' (for file names in narrow table cells). */
static void h_breakable(FILE *f, const char *s)
{
    s = str(s);
    for (const char *p = s;;) {
        size_t n = strcspn(p, "_/-");
        h_esc(f, p, n + (p[n] != '\0'));
        if (p[n] == '\0') break;
        fputs("<wbr>", f);
        p += n + 1;
    }
}

/* --- Markdown */

static int word_byte(int c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* Markdown escaping state across the characters of one line. */
typedef struct md_state {
    int bol;    /* at the beginning of a line */
    int digits; /* only digits since the beginning of the line */
} md_state;

/* Writes the character t[i .. i+n) so that Markdown shows it as it is:
 * inline syntax backslash-escaped, & < > as references (no raw HTML gets
 * through), block syntax escaped at the beginning of a line. */
static void md_char(FILE *f, md_state *st, const char *t, size_t len,
                    size_t i, size_t n)
{
    unsigned char c = (unsigned char)t[i];
    int prev = i > 0 ? (unsigned char)t[i - 1] : 0;
    int next = i + n < len ? (unsigned char)t[i + n] : 0;
    int bol = st->bol, digits = st->digits;
    st->bol = 0;
    st->digits = (bol || digits) && c >= '0' && c <= '9';
    switch (c) {
    case '&': fputs("&amp;", f); return;
    case '<': fputs("&lt;", f); return;
    case '>': fputs("&gt;", f); return;
    case '\\': case '`': case '*': case '[': case ']': case '|': case '~':
        fputc('\\', f);
        fputc(c, f);
        return;
    case '_': /* inside a word it is no emphasis: file_names stay as they are */
        if (!(word_byte(prev) && word_byte(next))) fputc('\\', f);
        fputc(c, f);
        return;
    case '#': case '-': case '+': case '=':
        if (bol) fputc('\\', f);
        fputc(c, f);
        return;
    case '.': case ')':
        if (digits) fputc('\\', f);
        fputc(c, f);
        return;
    default:
        if (c < 0x20 || c == 0x7F || is_c1(t, i, n)) {
            fputc(' ', f);
            return;
        }
        fwrite(t + i, 1, n, f);
    }
}

/* A whole string on one line (a table cell, a heading, a paragraph). */
static void md_str(FILE *f, const char *s, int bol)
{
    md_state st = {bol, 0};
    s = str(s);
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int valid;
        size_t n = char_len(s, len, i, &valid);
        if (!valid) fputs("\xEF\xBF\xBD", f);
        else if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') fputc(' ', f);
        else md_char(f, &st, s, len, i, n);
        i += n;
    }
}

/* --- CSV */

/* One field, RFC 4180: quoted when it holds ';', '"', CR or LF (quotes
 * doubled); white space runs collapsed to one space when `flat`; a leading
 * = + - @ (a formula to a spreadsheet) gets an apostrophe before it. */
static void csv_field(FILE *f, const char *s, size_t len, int flat)
{
    int quote = 0, formula = len > 0 && strchr("=+-@", s[0]) != NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ';' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = 1;
    if (quote) fputc('"', f);
    if (formula) fputc('\'', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (flat && (c == '\n' || c == '\r' || c == '\t' || c == ' ')) {
            while (i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r' ||
                                   s[i + 1] == '\t' || s[i + 1] == ' '))
                i++;
            fputc(' ', f);
            continue;
        }
        int valid;
        size_t n = char_len(s, len, i, &valid);
        if (c == '"') fputc('"', f);
        if (!valid) fputs("\xEF\xBF\xBD", f); /* as in HTML and Markdown */
        else if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
                 c == 0x7F || is_c1(s, i, n))
            fputc(' ', f); /* no control reaches a terminal */
        else fwrite(s + i, 1, n, f);
        i += n - 1;
    }
    if (quote) fputc('"', f);
}

static void csv_str(FILE *f, const char *s)
{
    csv_field(f, str(s), strlen(str(s)), 1);
}

/* ---------------------------------------------------- the passage flow */

typedef struct flow {
    FILE *f;
    int md;
    md_state st;
} flow;

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Does a list item start at t[j] ("•", "-", "–", "*", "1.", "a)")? */
static int bullet_at(const char *t, size_t len, size_t j)
{
    if (j >= len) return 0;
    if (len - j >= 3 && (memcmp(t + j, "\xE2\x80\xA2", 3) == 0 ||
                         memcmp(t + j, NDASH, 3) == 0))
        return 1;
    if ((t[j] == '-' || t[j] == '*') && j + 1 < len && t[j + 1] == ' ')
        return 1;
    size_t k = j;
    while (k < len && k - j < 3 && t[k] >= '0' && t[k] <= '9') k++;
    if (k == j && k < len && t[k] >= 'a' && t[k] <= 'z') k++;
    return k > j && k + 1 < len && (t[k] == '.' || t[k] == ')') &&
           t[k + 1] == ' ';
}

/* Is the character t[i .. i+n) inside a highlight? k carries the position
 * in hl between calls when hl is sorted. */
static int marked(const dq_highlight *hl, size_t nhl, int sorted, size_t *k,
                  size_t i, size_t n)
{
    if (sorted) {
        while (*k < nhl && hl[*k].end <= i) (*k)++;
        return *k < nhl && hl[*k].start < i + n;
    }
    for (size_t j = 0; j < nhl; j++)
        if (hl[j].start < i + n && hl[j].end > i) return 1;
    return 0;
}

static void flow_put(flow *w, const char *html, const char *md)
{
    fputs(w->md ? md : html, w->f);
}

enum { PEND_NONE, PEND_SPACE, PEND_LINE, PEND_PARA };

/* Writes a passage as paragraphs: a blank line (or a form feed) starts a
 * new paragraph, a line that starts a list item a new line, any other line
 * break is a space (PDF text breaks lines mid-sentence). A word hyphenated
 * at a line end inside a highlight is joined. Highlights become <mark> /
 * **bold**, closed before each break and reopened after it. HTML: <p>…</p>
 * per paragraph; Markdown: block-quote lines. */
static void flow_passage(flow *w, const char *t, size_t len,
                         const dq_highlight *hl, size_t nhl)
{
    int sorted = 1, open = 0, started = 0, pend = PEND_NONE;
    for (size_t j = 1; j < nhl; j++)
        if (hl[j].start < hl[j - 1].start || hl[j].end < hl[j - 1].end)
            sorted = 0;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)t[i];
        if (is_space(c)) {
            size_t j = i, nl = 0;
            int ff = 0;
            for (; j < len && is_space((unsigned char)t[j]); j++) {
                nl += t[j] == '\n';
                ff |= t[j] == '\f';
            }
            int p = nl >= 2 || ff ? PEND_PARA
                  : nl == 1 && bullet_at(t, len, j) ? PEND_LINE : PEND_SPACE;
            if (p > pend) pend = p;
            i = j;
            continue;
        }
        int valid;
        size_t n = char_len(t, len, i, &valid);
        int m = marked(hl, nhl, sorted, &k, i, n);
        if (m && c == '-' && i + 1 < len && is_space((unsigned char)t[i + 1])) {
            /* "åtgär-\nder" highlighted as one word: join it */
            size_t j = i + 1;
            int nl = 0;
            for (; j < len && is_space((unsigned char)t[j]); j++)
                nl |= t[j] == '\n';
            size_t k2 = k;
            if (nl && j < len && marked(hl, nhl, sorted, &k2, j, 1)) {
                i = j;
                continue;
            }
        }
        if (started && pend != PEND_NONE) {
            if (open && (pend != PEND_SPACE || !m)) {
                flow_put(w, "</mark>", "**");
                open = 0;
            }
            if (pend == PEND_PARA) {
                flow_put(w, "</p>\n<p>", "\n>\n> ");
                w->st = (md_state){1, 0};
            } else if (pend == PEND_LINE) {
                flow_put(w, "<br>\n", "\\\n> ");
                w->st = (md_state){1, 0};
            } else {
                fputc(' ', w->f);
            }
        }
        pend = PEND_NONE;
        if (!started) {
            flow_put(w, "<p>", "> ");
            w->st = (md_state){1, 0};
            started = 1;
        }
        if (m && !open) flow_put(w, "<mark>", "**");
        else if (!m && open) flow_put(w, "</mark>", "**");
        open = m;
        if (!valid) fputs("\xEF\xBF\xBD", w->f);
        else if (w->md) md_char(w->f, &w->st, t, len, i, n);
        else h_esc(w->f, t + i, n);
        i += n;
    }
    if (open) flow_put(w, "</mark>", "**");
    if (started) flow_put(w, "</p>\n", "\n");
}

/* ------------------------------------------------------------ labels */

static const char *plural(unsigned long n, const char *one,
                          const char *many)
{
    return n == 1 ? one : many;
}

static const dq_hit *best_hit(const report *m, size_t d)
{
    return &m->r->hits[m->docs[d].h[0].i];
}

static int doc_complete(const report *m, size_t d)
{
    for (size_t k = 0; k < m->docs[d].n; k++)
        if (m->r->hits[m->docs[d].h[k].i].complete) return 1;
    return 0;
}

/* ------------------------------------------------------------- HTML */

static const char css[] =
"@page { size: A4; margin: 18mm 17mm 20mm 17mm;"
" @bottom-right { content: counter(page) \" (\" counter(pages) \")\";"
" font: 8pt system-ui, sans-serif; color: #5c6570; } }\n"
":root { --ink: #1b1f24; --muted: #5c6570; --rule: #c8cdd3;"
" --faint: #eef0f2; --bar: #3a5673; --mark: #fbe38e; }\n"
"* { box-sizing: border-box; }\n"
"html { font-size: 11pt; -webkit-text-size-adjust: 100%; }\n"
"body { margin: 0 auto; max-width: 48rem; padding: 2.6rem 1.6rem 3rem;"
" color: var(--ink); background: #fff; line-height: 1.5;"
" font-family: Charter, 'Bitstream Charter', 'Iowan Old Style', Georgia,"
" 'DejaVu Serif', 'Liberation Serif', serif; }\n"
"h1, h2, h3, .kicker, .run, .keyfigs, table, figcaption, .pmeta,"
" .docmeta, .note, footer, svg {"
" font-family: system-ui, -apple-system, 'Segoe UI', 'Helvetica Neue',"
" Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif; }\n"
"header.masthead { border-bottom: 2px solid var(--ink);"
" padding-bottom: .9rem; margin-bottom: 1.4rem; }\n"
".kicker { margin: 0 0 .35rem; font-size: .72rem; letter-spacing: .14em;"
" text-transform: uppercase; color: var(--muted); }\n"
"h1 { margin: 0 0 .55rem; font-size: 1.85rem; line-height: 1.2;"
" font-weight: 700; }\n"
".run { margin: 0; font-size: .84rem; color: var(--muted); }\n"
".run .path, .docid { font-family: ui-monospace, 'DejaVu Sans Mono',"
" Menlo, Consolas, monospace; font-size: .92em; overflow-wrap: anywhere; }\n"
"h2 { margin: 2.1rem 0 .8rem; padding-bottom: .25rem; font-size: 1.12rem;"
" border-bottom: 1px solid var(--rule); break-after: avoid;"
" page-break-after: avoid; }\n"
"h3 { margin: 0 0 .15rem; font-size: .98rem; line-height: 1.3;"
" break-after: avoid; page-break-after: avoid; }\n"
"h3 .n { display: inline-block; min-width: 1.7em; color: var(--muted); }\n"
".keyfigs { display: flex; flex-wrap: wrap; margin: 0 0 1.2rem;"
" border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); }\n"
".kf { flex: 1 1 8rem; padding: .65rem .9rem; border-left: 1px solid"
" var(--rule); }\n"
".kf:first-child { border-left: 0; padding-left: 0; }\n"
".kf .num { display: block; font-size: 1.45rem; font-weight: 700;"
" white-space: nowrap;"
" line-height: 1.15; font-variant-numeric: tabular-nums; }\n"
".kf .lbl { display: block; font-size: .76rem; color: var(--muted); }\n"
".note { font-size: .8rem; color: var(--muted); margin: .4rem 0 1rem; }\n"
".cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 2rem;"
" align-items: start; }\n"
"table { width: 100%; border-collapse: collapse; font-size: .8rem;"
" line-height: 1.35; margin: 0 0 .6rem; }\n"
"caption { text-align: left; font-weight: 600; font-size: .82rem;"
" padding-bottom: .3rem; }\n"
"th { text-align: left; font-weight: 600; vertical-align: bottom;"
" padding: .3rem .6rem .3rem 0; border-bottom: 1.5px solid var(--ink); }\n"
"td { vertical-align: top; padding: .3rem .6rem .3rem 0;"
" border-bottom: .5pt solid var(--rule); }\n"
"th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
"td.n a { color: var(--muted); }\n"
"thead { display: table-header-group; }\n"
"tr { break-inside: avoid; page-break-inside: avoid; }\n"
"table.docs td.doc { width: 32%; }\n"
"td.nw { white-space: nowrap; }\n"
"article.doc:first-of-type { border-top: 0; padding-top: 0; }\n"
"table.docs .docid { font-size: .92em; color: #3b4249; }\n"
"figure { margin: 0 0 1.6rem; break-inside: avoid;"
" page-break-inside: avoid; }\n"
"figcaption { margin: 0 0 .45rem; font-size: .82rem; font-weight: 600; }\n"
"figcaption .sub { font-weight: 400; color: var(--muted); }\n"
"figure svg { display: block; max-width: 100%; height: auto; }\n"
"svg text { font-size: 12px; fill: var(--ink); }\n"
"svg .bar rect { fill: var(--bar); }\n"
"svg .gap text, svg text.muted { fill: var(--muted); }\n"
"svg line.axis { stroke: var(--ink); stroke-width: 1; }\n"
"svg line.grid { stroke: var(--faint); stroke-width: 1; }\n"
"article.doc { margin: 0 0 1.5rem; padding-top: .9rem;"
" border-top: 1px solid var(--faint); }\n"
".dochead { break-inside: avoid; page-break-inside: avoid;"
" break-after: avoid; page-break-after: avoid; }\n"
".docmeta { margin: 0 0 .4rem; font-size: .76rem; color: var(--muted); }\n"
"blockquote.passage { margin: .55rem 0 0; padding: .05rem 0 .05rem .95rem;"
" border-left: 3px solid var(--rule); break-inside: avoid;"
" page-break-inside: avoid; }\n"
".pmeta { margin: 0 0 .15rem; font-size: .7rem; color: var(--muted);"
" letter-spacing: .02em; }\n"
".ptext p { margin: 0 0 .45rem; hyphens: auto; }\n"
"mark { background: var(--mark); color: inherit; font-weight: 700;"
" padding: 0 .1em; border-radius: 2px; -webkit-print-color-adjust: exact;"
" print-color-adjust: exact; }\n"
".spread { color: var(--muted); font-size: .85em; }\n"
"a { color: inherit; text-decoration: none; }\n"
"a:hover { text-decoration: underline; }\n"
"footer { margin-top: 2.6rem; padding-top: .6rem; border-top: 1px solid"
" var(--rule); font-size: .74rem; color: var(--muted); }\n"
"@media print {\n"
"  html { font-size: 10pt; }\n"
"  body { max-width: none; padding: 0; }\n"
"  #utdrag { break-before: page; page-break-before: always; }\n"
"  a { text-decoration: none; }\n"
"}\n"
"@media (max-width: 40rem) { .cols { grid-template-columns: 1fr; } }\n";

/* A small table of counts: what, Dokument. */
static void html_count_table(FILE *f, const char *what, const rows *rs)
{
    char b[32];
    fputs("<table class=\"counts\">\n<thead><tr><th>", f);
    h_str(f, what);
    fputs("</th><th class=\"num\">Dokument</th></tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < rs->n; i++) {
        fputs("<tr><td>", f);
        h_str(f, rs->v[i].label);
        fprintf(f, "</td><td class=\"num\">%s</td></tr>\n",
                num(b, rs->v[i].count));
    }
    if (rs->n == 0) fputs("<tr><td colspan=\"2\">" NDASH "</td></tr>\n", f);
    fputs("</tbody>\n</table>\n", f);
}

/* One bar's group: <g class="bar" data-label data-count><title>. */
static void svg_bar_open(FILE *f, const row *w)
{
    char b[32];
    fputs("<g class=\"bar\" data-label=\"", f);
    h_str(f, w->label);
    fprintf(f, "\" data-count=\"%u\"><title>", w->count);
    h_str(f, w->label);
    fprintf(f, ": %s dokument</title>\n", num(b, w->count));
}

static void svg_open(FILE *f, const char *id, const char *title, double W,
                     double H)
{
    fprintf(f, "<svg id=\"%s\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
            "height=\"%.0f\" role=\"img\" aria-labelledby=\"%s-title\">\n"
            "<title id=\"%s-title\">", id, W, H, W, H, id, id);
    h_str(f, title);
    fputs("</title>\n", f);
}

/* A row without a bar: a year without documents, or the others. */
static void svg_gap_open(FILE *f, const row *w)
{
    char b[32];
    fputs("<g class=\"gap\"><title>", f);
    h_str(f, w->label);
    if (w->count)
        fprintf(f, ": %s dokument sammanlagt</title>\n", num(b, w->count));
    else
        fputs(": inga dokument</title>\n", f);
}

/* Horizontal bars in the order of rs, the label before and the count
 * after each bar. */
static void html_chart_hbars(FILE *f, const char *id, const char *title,
                             const rows *rs)
{
    const double W = 640, row_h = 22, bar_h = 14, top = 8, count_w = 52;
    size_t maxc = 4;
    for (size_t i = 0; i < rs->n; i++)
        if (char_count(rs->v[i].label) > maxc)
            maxc = char_count(rs->v[i].label);
    double label_w = 14 + 7.0 * (double)maxc;
    if (label_w > 230) label_w = 230;
    double plot = W - label_w - count_w, H = top * 2 + row_h * (double)rs->n;
    char b[32];
    svg_open(f, id, title, W, H);
    for (int g = 1; g <= 4; g++) /* light grid at quarters of the maximum */
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\"/>\n", label_w + plot * g / 4, top - 4,
                label_w + plot * g / 4, H - top + 4);
    for (size_t i = 0; i < rs->n; i++) {
        const row *w = &rs->v[i];
        double y = top + row_h * (double)i;
        double bw = rs->max ? plot * w->count / rs->max : 0;
        if (bw < 2) bw = 2;
        if (w->bar) svg_bar_open(f, w);
        else svg_gap_open(f, w);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>",
                label_w - 8, y + row_h / 2 + 4,
                w->bar ? "" : " class=\"muted\"");
        if (char_count(w->label) * 7.0 + 14 > label_w) { /* cut, with … */
            size_t keep = (size_t)((label_w - 14) / 7.0) - 1, c = 0, j = 0;
            const char *s = w->label;
            for (; s[j] && (c < keep || ((unsigned char)s[j] & 0xC0) == 0x80);
                 j++)
                c += ((unsigned char)s[j] & 0xC0) != 0x80;
            h_esc(f, s, j);
            fputs("\xE2\x80\xA6", f);
        } else {
            h_str(f, w->label);
        }
        fputs("</text>\n", f);
        if (w->bar)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\"/>\n<text x=\"%.1f\" y=\"%.1f\">%s"
                    "</text>\n", label_w, y + (row_h - bar_h) / 2, bw, bar_h,
                    label_w + bw + 6, y + row_h / 2 + 4, num(b, w->count));
        else if (w->count) /* the others: a sum, not a bar on this scale */
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"muted\">%s "
                    "dokument sammanlagt</text>\n", label_w + 6,
                    y + row_h / 2 + 4, num(b, w->count));
        fputs("</g>\n", f);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
            "y2=\"%.1f\"/>\n</svg>\n", label_w, top - 4, label_w,
            H - top + 4);
}

/* Columns in the order of rs, the count above and the label below each. */
static void html_chart_columns(FILE *f, const char *id, const char *title,
                               const rows *rs)
{
    const double top = 22, plot = 150, pad = 12;
    double col = 560.0 / (double)(rs->n ? rs->n : 1);
    if (col > 64) col = 64;
    if (col < 34) col = 34;
    double W = pad * 2 + col * (double)rs->n, H = top + plot + 26;
    double base = top + plot, bw = col * 0.64;
    char b[32];
    svg_open(f, id, title, W, H);
    for (int g = 1; g <= 4; g++)
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\"/>\n", pad, base - plot * g / 4,
                pad + col * (double)rs->n, base - plot * g / 4);
    for (size_t i = 0; i < rs->n; i++) {
        const row *w = &rs->v[i];
        double cx = pad + col * ((double)i + 0.5);
        if (!w->bar) {
            svg_gap_open(f, w);
        } else {
            svg_bar_open(f, w);
            double h = rs->max ? plot * w->count / rs->max : 0;
            if (h < 2) h = 2;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                    "text-anchor=\"middle\">%s</text>\n", cx - bw / 2,
                    base - h, bw, h, cx, base - h - 6, num(b, w->count));
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>",
                cx, base + 17, w->bar ? "" : " class=\"muted\"");
        h_str(f, w->label);
        fputs("</text>\n</g>\n", f);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
            "y2=\"%.1f\"/>\n</svg>\n", pad, base, pad + col * (double)rs->n,
            base);
}

/* A figure: caption ("Figur N. …", what is not drawn), then the chart. */
static void html_figure(FILE *f, int n, const char *id, const char *title,
                        const char *sub, const rows *rs, const char *missing)
{
    char b[32];
    fprintf(f, "<figure id=\"figur-%s\">\n<figcaption>Figur %d. ", id, n);
    h_str(f, title);
    fputs(" <span class=\"sub\">(", f);
    h_str(f, sub);
    if (rs->unknown)
        fprintf(f, "; %s dokument %s visas inte", num(b, rs->unknown),
                missing);
    fputs(")</span></figcaption>\n", f);
    char svg_id[32];
    snprintf(svg_id, sizeof svg_id, "chart-%s", id);
    if (rs->n <= 16 && strcmp(id, "ar") == 0)
        html_chart_columns(f, svg_id, title, rs);
    else
        html_chart_hbars(f, svg_id, title, rs);
    fputs("</figure>\n", f);
}

/* "Kalmar · 2024-02-19 · protokollsutdrag" (what is known). */
static void html_facts(FILE *f, const dq_hit *h)
{
    const char *v[3] = {str(h->kommun), str(h->date), str(h->type)};
    int any = 0;
    for (int i = 0; i < 3; i++) {
        if (!v[i][0]) continue;
        if (any) fputs(" " MIDDOT " ", f);
        h_str(f, v[i]);
        any = 1;
    }
}

static void html_document_table(FILE *f, const report *m)
{
    fputs("<table class=\"docs\">\n<thead><tr><th class=\"num\">Nr</th>"
          "<th>Kommun</th><th>Datum</th><th>Typ</th><th>Diarienummer</th>"
          "<th>Utfall</th><th>Dokument</th></tr></thead>\n<tbody>\n", f);
    for (size_t d = 0; d < m->ndocs; d++) {
        const dq_hit *h = best_hit(m, d);
        fprintf(f, "<tr data-doc=\"");
        h_str(f, h->doc);
        fprintf(f, "\"><td class=\"num n\"><a href=\"#d%zu\">%zu</a></td><td>",
                d + 1, d + 1);
        h_str(f, h->kommun && h->kommun[0] ? h->kommun : NDASH);
        fputs("</td><td class=\"nw\">", f);
        h_str(f, h->date && h->date[0] ? h->date : NDASH);
        fputs("</td><td>", f);
        h_str(f, h->type && h->type[0] ? h->type : NDASH);
        fputs("</td><td class=\"nw\">", f);
        h_str(f, h->dnr && h->dnr[0] ? h->dnr : NDASH);
        fputs("</td><td>", f);
        h_str(f, h->outcome && h->outcome[0]
                     ? dq_report_outcome_label(h->outcome) : NDASH);
        fputs("</td><td class=\"doc\"><span class=\"docid\">", f);
        h_breakable(f, h->doc);
        fputs("</span>", f);
        if (!doc_complete(m, d))
            fputs(" <span class=\"spread\">(orden i olika stycken)</span>", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* The link of passage h's page: the file's address (info->doc_link, else
 * the percent-encoded document id) and "#page=N", into out; 0 when there
 * is no page or no address. */
static size_t page_href(const report *m, const dq_hit *h, char *out,
                        size_t outlen)
{
    size_t n = 0;
    if (!h->page || outlen < 32) return 0;
    if (m->info->doc_link) {
        n = m->info->doc_link(m->info->doc_link_ctx, h->doc, out,
                              outlen - 24);
        if (n == 0 || n >= outlen - 24) return 0;
    } else {
        static const char hex[] = "0123456789ABCDEF";
        for (const unsigned char *s = (const unsigned char *)h->doc; *s;
             s++) {
            if (n + 4 > outlen - 24) return 0;
            if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                (*s >= '0' && *s <= '9') || strchr("-._~/", *s)) {
                out[n++] = (char)*s;
            } else {
                out[n++] = '%';
                out[n++] = hex[*s >> 4];
                out[n++] = hex[*s & 15];
            }
        }
    }
    int k = snprintf(out + n, outlen - n, "#page=%u", h->page);
    return k > 0 ? n + (size_t)k : 0;
}

static void html_document(FILE *f, const report *m, size_t d)
{
    const dq_hit *h = best_hit(m, d);
    char b[32];
    fprintf(f, "<article class=\"doc\" id=\"d%zu\" data-doc=\"", d + 1);
    h_str(f, h->doc);
    fprintf(f, "\">\n<div class=\"dochead\">\n<h3><span class=\"n\">%zu</span>",
            d + 1);
    if ((h->kommun && h->kommun[0]) || (h->date && h->date[0]) ||
        (h->type && h->type[0]))
        html_facts(f, h);
    else
        h_str(f, h->doc);
    fputs("</h3>\n<p class=\"docmeta\"><span class=\"docid\">", f);
    h_str(f, h->doc);
    fputs("</span>", f);
    const char *lbl[DOCMETA_N], *val[DOCMETA_N];
    docmeta_fields(h, lbl, val);
    for (int i = 0; i < DOCMETA_N; i++) {
        if (!val[i][0]) continue;
        fputs(" " MIDDOT " ", f);
        h_str(f, lbl[i]);
        h_str(f, val[i]);
    }
    fputs("</p>\n</div>\n", f);
    for (size_t k = 0; k < m->docs[d].n; k++) {
        const dq_hit *p = &m->r->hits[m->docs[d].h[k].i];
        fprintf(f, "<blockquote class=\"passage\" data-passage=\"%u\">\n"
                "<p class=\"pmeta\">Stycke %u " MIDDOT " ", p->passage,
                p->passage + 1);
        if (p->page) {
            char cite[320], href[8192];
            dq_page_citation(p, cite, sizeof cite);
            if (page_href(m, p, href, sizeof href)) {
                fputs("<a class=\"page\" href=\"", f);
                h_str(f, href);
                fputs("\">", f);
                h_str(f, cite);
                fputs("</a> " MIDDOT " ", f);
            } else {
                h_str(f, cite);
                fputs(" " MIDDOT " ", f);
            }
        }
        char ocr[64];
        dq_ocr_note(p, ocr, sizeof ocr);
        if (ocr[0]) {
            fputs("<span class=\"ocr\">", f);
            h_str(f, ocr);
            fputs("</span> " MIDDOT " ", f);
        }
        fprintf(f, "poäng %s%s</p>\n<div class=\"ptext\">\n",
                score(b, p->score, 2),
                p->complete ? "" : " " MIDDOT " alla sökord finns inte i "
                                   "detta stycke");
        flow w = {f, 0, {1, 0}};
        flow_passage(&w, p->text ? p->text : "", p->text ? p->textlen : 0,
                     p->hl, p->nhl);
        fputs("</div>\n</blockquote>\n", f);
    }
    fputs("</article>\n", f);
}

static void write_html(FILE *f, const report *m)
{
    const dq_report_info *in = m->info;
    const dq_results *r = m->r;
    char b[32], b2[32], t[64];
    fputs("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n"
          "<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<meta name=\"generator\" content=\"diarium ",
          f);
    h_str(f, in->version);
    fputs("\">\n<title>Rapport: ", f);
    h_str(f, in->query);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);

    /* Masthead: the query, when, over what. */
    fputs("<header class=\"masthead\">\n<p class=\"kicker\">diarium "
          MIDDOT " ämnesrapport</p>\n<h1>Rapport: <span class=\"query\">", f);
    h_str(f, in->query);
    fputs("</span></h1>\n<p class=\"run\">Sökningen gjordes <time "
          "datetime=\"", f);
    h_str(f, in->when);
    fputs("\">", f);
    h_str(f, when_text(t, in->when));
    fputs("</time> i databasen <span class=\"path\">", f);
    h_str(f, in->db);
    fputs("</span>", f);
    if (in->documents || in->passages)
        fprintf(f, ", som innehåller <span data-collection=\"documents\">%s"
                "</span> dokument (%s %s)", num(b, in->documents),
                num(b2, in->passages),
                plural(in->passages, "stycke", "stycken"));
    fputs(". diarium ", f);
    h_str(f, in->version);
    fputs(".</p>\n</header>\n<main>\n", f);

    /* Summary. */
    fputs("<section id=\"sammanfattning\">\n<h2>Sammanfattning</h2>\n"
          "<div class=\"keyfigs\">\n", f);
    fprintf(f, "<div class=\"kf\"><span class=\"num\" data-total=\"documents\">"
            "%s</span><span class=\"lbl\">dokument matchar hela frågan</span>"
            "</div>\n", num(b, r->facet_docs));
    fprintf(f, "<div class=\"kf\"><span class=\"num\" data-total=\"kommuner\">"
            "%s</span><span class=\"lbl\">%s</span></div>\n",
            num(b, known_values(m->kommun)),
            plural(known_values(m->kommun), "kommun", "kommuner"));
    fputs("<div class=\"kf\"><span class=\"num\" data-total=\"years\">", f);
    h_str(f, m->years_span);
    fputs("</span><span class=\"lbl\">år</span></div>\n", f);
    fprintf(f, "<div class=\"kf\"><span class=\"num\" data-total=\"passages\">"
            "%s</span><span class=\"lbl\">%s ur %s dokument i rapporten"
            "</span></div>\n</div>\n", num(b, m->npassages),
            plural(m->npassages, "stycke", "stycken"), num(b2, m->ndocs));
    if (m->ndocs == 0 && r->facet_docs == 0) {
        fputs("<p class=\"none\">Inga dokument matchar frågan.", f);
        if (r->suggestion) {
            fputs(" Menade du: <q>", f);
            h_str(f, r->suggestion);
            fputs("</q>?", f);
        }
        fputs("</p>\n", f);
    } else {
        fputs("<p class=\"note\">Räkningarna omfattar alla dokument som "
              "matchar hela frågan. ", f);
        if (m->ndocs - m->nspread < r->facet_docs)
            fprintf(f, "Rapporten visar de %s mest relevanta av dem. ",
                    num(b, m->ndocs - m->nspread));
        if (m->nspread)
            fprintf(f, "Dessutom visas %s dokument där sökorden finns i "
                    "olika stycken; %s räknas inte. ", num(b, m->nspread),
                    plural(m->nspread, "det", "de"));
        if (in->per_document > 1)
            fprintf(f, "Varje dokument visas med upp till %u av sina bästa "
                    "stycken.", in->per_document);
        fputs("</p>\n", f);
    }
    fputs("<div class=\"cols\">\n", f);
    html_count_table(f, "Utfall", &m->outcomes);
    html_count_table(f, "Dokumenttyp", &m->types);
    fputs("</div>\n</section>\n", f);

    /* Charts. */
    if (m->kommuns.n || m->years.n) {
        int fig = 0;
        fputs("<section id=\"diagram\">\n<h2>Fördelning</h2>\n", f);
        if (m->kommuns.n)
            html_figure(f, ++fig, "kommun", "Matchande dokument per kommun",
                        "flest först", &m->kommuns, "med okänd kommun");
        if (m->years.n)
            html_figure(f, ++fig, "ar", "Matchande dokument per år",
                        "efter dokumentets datum", &m->years, "med okänt datum");
        fputs("</section>\n", f);
    }

    /* The documents and their passages. */
    if (m->ndocs) {
        fputs("<section id=\"dokument\">\n<h2>Dokument</h2>\n", f);
        html_document_table(f, m);
        fputs("</section>\n<section id=\"utdrag\">\n<h2>Utdrag ur "
              "dokumenten</h2>\n", f);
        for (size_t d = 0; d < m->ndocs; d++) html_document(f, m, d);
        fputs("</section>\n", f);
    }
    fputs("</main>\n<footer>\n<p>Framtagen med diarium ", f);
    h_str(f, in->version);
    fputs(" (<span class=\"path\">diarium-query --report html</span>). "
          "Sökorden matchar alla böjningsformer och stavningar som "
          "PDF-extraktion och OCR ger; markerade ord är de som matchade. "
          "Stycken rangordnas med BM25 (poäng). ", f);
    h_str(f, FIELDS_NOTE);
    fputs("</p>\n</footer>\n</body>\n</html>\n", f);
}

/* ------------------------------------------------------------ Markdown */

static void md_bar(FILE *f, unsigned count, unsigned max)
{
    unsigned n = max ? (count * 30 + max - 1) / max : 0;
    if (count && n == 0) n = 1;
    for (unsigned i = 0; i < n; i++) fputs("\xE2\x96\x88", f); /* █ */
}

static void md_count_table(FILE *f, const char *what, const rows *rs,
                           int bars)
{
    char b[32];
    fprintf(f, "| %s | Dokument |%s\n|---|---:|%s\n", what,
            bars ? " |" : "", bars ? "---|" : "");
    for (size_t i = 0; i < rs->n; i++) {
        fputs("| ", f);
        md_str(f, rs->v[i].label, 0);
        fprintf(f, " | %s |", num(b, rs->v[i].count));
        if (bars) {
            fputc(' ', f);
            md_bar(f, rs->v[i].bar ? rs->v[i].count : 0, rs->max);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
    if (rs->n == 0)
        fputs(bars ? "| " NDASH " | | |\n" : "| " NDASH " | |\n", f);
    fputc('\n', f);
}

static void md_cell(FILE *f, const char *s)
{
    fputs(" ", f);
    md_str(f, s && s[0] ? s : NDASH, 0);
    fputs(" |", f);
}

static void write_md(FILE *f, const report *m)
{
    const dq_report_info *in = m->info;
    const dq_results *r = m->r;
    char b[32], b2[32], t[64];
    fputs("# Rapport: ", f);
    md_str(f, in->query, 0);
    fputs("\n\nSökningen gjordes ", f);
    md_str(f, when_text(t, in->when), 0);
    fputs(" i databasen ", f);
    md_str(f, in->db, 0);
    if (in->documents || in->passages)
        fprintf(f, ", som innehåller %s dokument (%s %s)",
                num(b, in->documents), num(b2, in->passages),
                plural(in->passages, "stycke", "stycken"));
    fputs(". diarium ", f);
    md_str(f, in->version, 0);
    fputs(".\n\n## Sammanfattning\n\n", f);
    fprintf(f, "- Dokument som matchar hela frågan: **%s**\n",
            num(b, r->facet_docs));
    fprintf(f, "- Kommuner: **%s**\n", num(b, known_values(m->kommun)));
    fprintf(f, "- År: **%s**\n", m->years_span);
    fprintf(f, "- Dokument i rapporten: **%s**", num(b, m->ndocs));
    if (m->nspread)
        fprintf(f, " (varav %s där sökorden finns i olika stycken, inte "
                "med i räkningarna)", num(b2, m->nspread));
    fprintf(f, "\n- Stycken i rapporten: **%s**\n\n", num(b, m->npassages));
    if (m->ndocs == 0 && r->facet_docs == 0) {
        fputs("Inga dokument matchar frågan.", f);
        if (r->suggestion) {
            fputs(" Menade du: ", f);
            md_str(f, r->suggestion, 0);
            fputc('?', f);
        }
        fputs("\n\n", f);
    }
    fputs("### Utfall\n\n", f);
    md_count_table(f, "Utfall", &m->outcomes, 0);
    fputs("### Dokumenttyp\n\n", f);
    md_count_table(f, "Typ", &m->types, 0);
    if (m->kommuns.n) {
        fputs("## Dokument per kommun\n\n", f);
        md_count_table(f, "Kommun", &m->kommuns, 1);
        if (m->kommuns.unknown)
            fprintf(f, "%s dokument med okänd kommun visas inte.\n\n",
                    num(b, m->kommuns.unknown));
    }
    if (m->years.n) {
        fputs("## Dokument per år\n\n", f);
        md_count_table(f, "År", &m->years, 1);
        if (m->years.unknown)
            fprintf(f, "%s dokument med okänt datum visas inte.\n\n",
                    num(b, m->years.unknown));
    }
    if (m->ndocs) {
        fputs("## Dokument\n\n| Nr | Kommun | Datum | Typ | Diarienummer | "
              "Utfall | Dokument |\n|---:|---|---|---|---|---|---|\n", f);
        for (size_t d = 0; d < m->ndocs; d++) {
            const dq_hit *h = best_hit(m, d);
            fprintf(f, "| %zu |", d + 1);
            md_cell(f, h->kommun);
            md_cell(f, h->date);
            md_cell(f, h->type);
            md_cell(f, h->dnr);
            md_cell(f, dq_report_outcome_label(str(h->outcome)));
            fputc(' ', f);
            md_str(f, h->doc, 0);
            fputs(doc_complete(m, d) ? " |\n" : " (orden i olika stycken) |\n",
                  f);
        }
        fputs("\n## Utdrag ur dokumenten\n", f);
    }
    for (size_t d = 0; d < m->ndocs; d++) {
        const dq_hit *h = best_hit(m, d);
        fprintf(f, "\n### %zu. ", d + 1);
        const char *v[3] = {str(h->kommun), str(h->date), str(h->type)};
        int any = 0;
        for (int i = 0; i < 3; i++) {
            if (!v[i][0]) continue;
            if (any) fputs(" " MIDDOT " ", f);
            md_str(f, v[i], 0);
            any = 1;
        }
        if (!any) md_str(f, h->doc, 0);
        fputs("\n\n", f);
        md_str(f, h->doc, 1);
        const char *lbl[DOCMETA_N], *val[DOCMETA_N];
        docmeta_fields(h, lbl, val);
        for (int i = 0; i < DOCMETA_N; i++) {
            if (!val[i][0]) continue;
            fputs(" " MIDDOT " ", f);
            fputs(lbl[i], f);
            md_str(f, val[i], 0);
        }
        fputs("\n", f);
        for (size_t k = 0; k < m->docs[d].n; k++) {
            const dq_hit *p = &m->r->hits[m->docs[d].h[k].i];
            fprintf(f, "\n*Stycke %u " MIDDOT " ", p->passage + 1);
            if (p->page) {
                char cite[320], href[8192];
                dq_page_citation(p, cite, sizeof cite);
                if (page_href(m, p, href, sizeof href)) {
                    /* <…> keeps spaces and parentheses in the address. */
                    fputs("[", f);
                    md_str(f, cite, 0);
                    fputs("](<", f);
                    for (const char *c = href; *c; c++)
                        if (*c != '<' && *c != '>' && *c != '\n') fputc(*c, f);
                    fputs(">) " MIDDOT " ", f);
                } else {
                    md_str(f, cite, 0);
                    fputs(" " MIDDOT " ", f);
                }
            }
            char ocr[64];
            dq_ocr_note(p, ocr, sizeof ocr);
            if (ocr[0]) {
                md_str(f, ocr, 0);
                fputs(" " MIDDOT " ", f);
            }
            fprintf(f, "poäng %s%s*\n\n", score(b, p->score, 2),
                    p->complete ? "" : " " MIDDOT " alla sökord finns inte i "
                                       "detta stycke");
            flow w = {f, 1, {1, 0}};
            flow_passage(&w, p->text ? p->text : "", p->text ? p->textlen : 0,
                         p->hl, p->nhl);
        }
    }
    fputs("\n---\n\nFramtagen med diarium ", f);
    md_str(f, in->version, 0);
    fputs(". ", f);
    md_str(f, FIELDS_NOTE, 0);
    fputc('\n', f);
}

/* ----------------------------------------------------------------- CSV */

static void write_csv(FILE *f, const report *m)
{
    char b[32];
    fputs("\xEF\xBB\xBF" "Dokument;Kommun;Datum;Typ;Diarienummer;Utfall;"
          "Myndighet;Skola;Poäng;Bästa stycke\r\n", f);
    for (size_t d = 0; d < m->ndocs; d++) {
        const dq_hit *h = best_hit(m, d);
        csv_str(f, h->doc);
        fputc(';', f);
        csv_str(f, h->kommun);
        fputc(';', f);
        csv_str(f, h->date);
        fputc(';', f);
        csv_str(f, h->type);
        fputc(';', f);
        csv_str(f, h->dnr);
        fputc(';', f);
        csv_str(f, dq_report_outcome_label(str(h->outcome)));
        fputc(';', f);
        csv_str(f, h->authority);
        fputc(';', f);
        csv_str(f, h->school);
        fprintf(f, ";%s;", score(b, h->score, 4));
        csv_field(f, h->snippet ? h->snippet : "",
                  h->snippet ? h->snippetlen : 0, 1);
        fputs("\r\n", f);
    }
}

/* ------------------------------------------------------------- entry */

int dq_report_write(FILE *f, dq_report_format fmt, const dq_report_info *info,
                    const dq_results *r)
{
    static const dq_report_info none = {NULL, NULL, NULL, 0, 0, NULL, 0, 0,
                                        NULL, NULL};
    report m;
    int rc = report_build(&m, r, info ? info : &none);
    if (rc == DQ_OK) {
        switch (fmt) {
        case DQ_REPORT_HTML: write_html(f, &m); break;
        case DQ_REPORT_MD: write_md(f, &m); break;
        case DQ_REPORT_CSV: write_csv(f, &m); break;
        }
        if (ferror(f)) rc = DQ_EWRITE;
    }
    report_free(&m);
    return rc;
}
