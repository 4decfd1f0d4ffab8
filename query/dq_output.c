/*
 * dq_output.c — text, JSON Lines and CSV output (see dq_output.h).
 */
#include "dq_output.h"

#include <string.h>

#define WRAP 78
#define INDENT "   "
#define BOLD "\033[1m"
#define PLAIN "\033[0m"

/* The length of the valid UTF-8 sequence at s[0, n) (strict: no overlong
 * forms, surrogates or code points over U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) need = 2;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) need = 2;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    else return 0;
    if (n <= need || s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 2; k <= need; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return need + 1;
}

/* A control character: U+0000-U+001F, U+007F or, as the two bytes C2 80
 * to C2 9F, U+0080-U+009F (C1, which some terminals obey: CSI is U+009B),
 * for the sequence of `n` bytes at s. */
static int is_control(const unsigned char *s, size_t n)
{
    return (n == 1 && (s[0] < 0x20 || s[0] == 0x7F)) ||
           (n == 2 && s[0] == 0xC2 && s[1] < 0xA0);
}

void dq_json_string(FILE *f, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', f);
    size_t run = 0; /* start of the bytes not written yet */
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            i++; /* most of the text: plain ASCII */
            continue;
        }
        if (c >= 0xC3 && c <= 0xDF && i + 1 < len &&
            (u[i + 1] & 0xC0) == 0x80) {
            i += 2; /* å, ä, ö, é: two bytes, no control */
            continue;
        }
        size_t n = utf8_seq(u + i, len - i);
        if (n > 0 && c != '"' && c != '\\' && !is_control(u + i, n)) {
            i += n;
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        switch (n == 0 ? 0x100 : c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        case 0x100: fputs("\\ufffd", f); break; /* not UTF-8 */
        default: fprintf(f, "\\u%04x", n == 2 ? u[i + 1] : c);
        }
        i += n ? n : 1;
        run = i;
    }
    fwrite(s + run, 1, len - run, f);
    fputc('"', f);
}

size_t dq_print_safe(FILE *f, const char *s, size_t len, int keep_lines)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, width = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] >= 0x20 && u[i] < 0x7F) { /* plain ASCII */
            i++;
            width++;
            continue;
        }
        size_t n = utf8_seq(u + i, len - i);
        if (n > 0 && (!is_control(u + i, n) ||
                      (keep_lines && (u[i] == '\n' || u[i] == '\t')))) {
            i += n;
            width++;
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        for (size_t k = 0; k < (n ? n : 1); k++)
            fprintf(f, "\\x%02X", u[i + k]);
        width += 4 * (n ? n : 1);
        i += n ? n : 1;
        run = i;
    }
    fwrite(s + run, 1, len - run, f);
    return width;
}

static int is_ws(char c) { return c == ' ' || c == '\n' || c == '\t'; }

/* Text, white space collapsed, wrapped, highlights (hl) in bold. */
static void print_wrapped(FILE *f, const char *text, size_t len,
                          const dq_highlight *hl, size_t nhl, int color)
{
    size_t i = 0, col = 0, k = 0;
    int bold = 0;
    fputs(INDENT, f);
    while (i < len) {
        while (i < len && is_ws(text[i])) i++;
        if (i >= len) break;
        size_t e = i, width = 0;
        while (e < len && !is_ws(text[e])) {
            if (((unsigned char)text[e] & 0xC0) != 0x80) width++;
            e++;
        }
        if (col > 0 && col + 1 + width > WRAP - sizeof INDENT + 1) {
            fputs("\n" INDENT, f);
            col = 0;
        } else if (col > 0) {
            fputc(' ', f);
        }
        for (size_t j = i; j < e; j++) {
            while (k < nhl && hl[k].end <= j) k++;
            int in = k < nhl && hl[k].start <= j && j < hl[k].end;
            if (color && in != bold) fputs(in ? BOLD : PLAIN, f);
            bold = in;
            fputc(text[j], f);
        }
        if (color && bold) fputs(PLAIN, f); /* spaces are never bold */
        bold = 0;
        col += (col > 0) + width;
        i = e;
    }
    fputc('\n', f);
}

static void json_ranges(FILE *f, const dq_highlight *hl, size_t n)
{
    fputc('[', f);
    for (size_t k = 0; k < n; k++)
        fprintf(f, "%s[%zu,%zu]", k ? "," : "", hl[k].start, hl[k].end);
    fputc(']', f);
}

void dq_csv_field(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"') continue;
        dq_print_safe(f, s + run, i + 1 - run, 1);
        fputc('"', f);
        run = i + 1;
    }
    dq_print_safe(f, s + run, len - run, 1);
    fputc('"', f);
}

void dq_print_csv_header(FILE *f, int with_query)
{
    fputs(with_query ? "query,rank,doc,passage,score,text,kommun,date,type\n"
                     : "rank,doc,passage,score,text,kommun,date,type\n", f);
}

/* "sida 4", "sida 4–5", "sida 4 (iv)": where a passage of a paged
 * document is, as a Swedish citation gives it; "" for plain text. Writes
 * into out (outlen bytes). */
void dq_page_citation(const dq_hit *h, char *out, size_t outlen)
{
    if (!outlen) return;
    out[0] = '\0';
    if (!h->page) return;
    int n = h->page_end > h->page
                ? snprintf(out, outlen, "sida %u\xE2\x80\x93%u", h->page,
                           h->page_end)
                : snprintf(out, outlen, "sida %u", h->page);
    if (n > 0 && (size_t)n < outlen && h->page_label)
        snprintf(out + n, outlen - (size_t)n, " (%s)", h->page_label);
}

void dq_ocr_note(const dq_hit *h, char *out, size_t outlen)
{
    if (!outlen) return;
    out[0] = '\0';
    if (h->ocr >= 0)
        snprintf(out, outlen, "läst med OCR, säkerhet %d %%", h->ocr);
}

/* " — Trelleborg, 2021-12-23, tjänsteskrivelse" (what is known). */
static void print_facts(FILE *f, const dq_hit *h)
{
    const char *v[3] = {h->kommun, h->date, h->type};
    int any = 0;
    for (int i = 0; i < 3; i++) {
        if (!v[i] || !v[i][0]) continue;
        fputs(any ? ", " : "  \xE2\x80\x94 ", f);
        fputs(v[i], f);
        any = 1;
    }
}

void dq_print_hit_json(FILE *f, const dq_hit *h, size_t rank,
                       const char *query)
{
    fputc('{', f);
    if (query) {
        fputs("\"query\":", f);
        dq_json_string(f, query, strlen(query));
        fputc(',', f);
    }
    fprintf(f, "\"rank\":%zu,\"doc\":", rank);
    dq_json_string(f, h->doc, strlen(h->doc));
    fprintf(f, ",\"passage\":%u,\"score\":%.6f,\"complete\":%s,"
            "\"offset\":%zu,", h->passage, h->score,
            h->complete ? "true" : "false", h->offset);
    /* Paged documents (PDF): where the passage is; plain text has none. */
    if (h->page) {
        fprintf(f, "\"page\":%u,\"page_end\":%u,", h->page,
                h->page_end);
        if (h->page_label) {
            fputs("\"page_label\":", f);
            dq_json_string(f, h->page_label, strlen(h->page_label));
            fputc(',', f);
        }
    }
    if (h->ocr >= 0) fprintf(f, "\"ocr\":true,\"ocr_confidence\":%d,", h->ocr);
    fputs("\"text\":", f);
    dq_json_string(f, h->text, h->textlen);
    fputs(",\"highlights\":", f);
    json_ranges(f, h->hl, h->nhl);
    fputs(",\"snippet\":", f);
    dq_json_string(f, h->snippet, h->snippetlen);
    fputs(",\"snippet_highlights\":", f);
    json_ranges(f, h->shl, h->nshl);
    fputs(",\"date\":", f);
    if (h->date && h->date[0]) dq_json_string(f, h->date, 10);
    else fputs("null", f);
    fprintf(f, ",\"meta\":%s}", h->meta ? h->meta : "null");
}

int dq_print_results(FILE *f, const dq_results *r, dq_format fmt, int color,
                     const char *query)
{
    if (fmt == DQ_FMT_TEXT && query) {
        fputs("== ", f);
        dq_print_safe(f, query, strlen(query), 0);
        fputc('\n', f);
    }
    if (fmt == DQ_FMT_TEXT && r->n == 0 && !r->limited)
        fputs("No passage matches.\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const dq_hit *h = &r->hits[i];
        switch (fmt) {
        case DQ_FMT_TEXT:
            fprintf(f, "%s%zu. %s", i ? "\n" : "", i + 1, color ? BOLD : "");
            dq_print_safe(f, h->doc, strlen(h->doc), 0);
            if (h->page) {
                char cite[320];
                dq_page_citation(h, cite, sizeof cite);
                fputs(", ", f);
                dq_print_safe(f, cite, strlen(cite), 0);
            }
            if (h->ocr >= 0)
                fprintf(f, " (read by OCR, confidence %d)", h->ocr);
            fprintf(f, "  passage %u, score %.2f%s", h->passage, h->score,
                    color ? PLAIN : "");
            print_facts(f, h);
            fputs(h->complete ? "\n" : "  (words spread over the document)\n",
                  f);
            print_wrapped(f, h->snippet, h->snippetlen, h->shl, h->nshl,
                          color);
            break;
        case DQ_FMT_JSON:
            dq_print_hit_json(f, h, i + 1, query);
            fputc('\n', f);
            break;
        case DQ_FMT_CSV:
            if (query) {
                dq_csv_field(f, query, strlen(query));
                fputc(',', f);
            }
            fprintf(f, "%zu,", i + 1);
            dq_csv_field(f, h->doc, strlen(h->doc));
            fprintf(f, ",%u,%.6f,", h->passage, h->score);
            dq_csv_field(f, h->text, h->textlen);
            fputc(',', f);
            dq_csv_field(f, h->kommun, strlen(h->kommun));
            fputc(',', f);
            dq_csv_field(f, h->date, strlen(h->date));
            fputc(',', f);
            dq_csv_field(f, h->type, strlen(h->type));
            fputc('\n', f);
            break;
        }
    }
    return ferror(f) ? DQ_EWRITE : DQ_OK;
}

/* The --explain array: per query word its stem and spellings. */
static void explain_json(FILE *f, const dq_plan *p)
{
    fputc('[', f);
    for (size_t i = 0; i < p->nwords; i++) {
        const dq_word_info *w = &p->words[i];
        fputs(i ? ",{\"word\":" : "{\"word\":", f);
        dq_json_string(f, w->word, strlen(w->word));
        fputs(",\"stem\":", f);
        dq_json_string(f, w->stem, strlen(w->stem));
        fprintf(f, ",\"stem_passages\":%u,\"variants\":[", w->stem_freq);
        for (size_t k = 0; k < w->variants.n; k++) {
            const dq_variant *v = &w->variants.v[k];
            fputs(k ? ",{\"form\":" : "{\"form\":", f);
            dq_json_string(f, v->form, v->formlen);
            fprintf(f, ",\"cost\":%.2f,\"passages\":%u}", v->cost,
                    v->freq);
        }
        fputs("]}", f);
    }
    fputc(']', f);
}

/* The words a suggestion replaces, as an array. */
static void suggestion_words_json(FILE *f, const dq_results *r)
{
    fputc('[', f);
    size_t k = 0;
    for (size_t i = 0; r->plan && i < r->plan->nwords; i++) {
        const dq_word_info *w = &r->plan->words[i];
        if (!w->suggestion) continue;
        fputs(k++ ? ",{\"word\":" : "{\"word\":", f);
        dq_json_string(f, w->word, strlen(w->word));
        fputs(",\"suggestion\":", f);
        dq_json_string(f, w->suggestion, strlen(w->suggestion));
        fprintf(f, ",\"passages\":%u}", w->suggestion_freq);
    }
    fputc(']', f);
}

/* The facet counts as an object {"documents": N, "kommun": [...], ...}. */
static void facets_json(FILE *f, const dq_results *r)
{
    fprintf(f, "{\"documents\":%u", r->facet_docs);
    for (size_t i = 0; i < r->nfacets; i++) {
        const dq_facet *fc = &r->facets[i];
        fputc(',', f);
        dq_json_string(f, fc->field, strlen(fc->field));
        fputs(":[", f);
        for (size_t k = 0; k < fc->n; k++) {
            fputs(k ? ",{\"value\":" : "{\"value\":", f);
            dq_json_string(f, fc->v[k].value, strlen(fc->v[k].value));
            fprintf(f, ",\"count\":%u}", fc->v[k].count);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

int dq_print_explain(FILE *f, const dq_results *r, dq_format fmt)
{
    const dq_plan *p = r->plan;
    if (fmt == DQ_FMT_JSON) {
        fputs("{\"explain\":", f);
        explain_json(f, p);
        fputs("}\n", f);
        return ferror(f) ? DQ_EWRITE : DQ_OK;
    }
    for (size_t i = 0; i < p->nwords; i++) {
        const dq_word_info *w = &p->words[i];
        fprintf(f, "%s: stem %s in %u passages, damage budget %.2f",
                w->word, w->stem, w->stem_freq,
                dq_expand_budget(w->word, strlen(w->word)));
        size_t shown = 0;
        for (size_t k = 0; k < w->variants.n; k++) {
            const dq_variant *v = &w->variants.v[k];
            if (v->cost == 0) continue;
            fprintf(f, "%s%.*s (%u, cost %.2f)", shown ? ", " : "; also ",
                    (int)v->formlen, v->form, v->freq, v->cost);
            shown++;
        }
        fputc('\n', f);
    }
    return ferror(f) ? DQ_EWRITE : DQ_OK;
}

int dq_print_notes(FILE *f, const char *prog, const dq_results *r)
{
    for (size_t i = 0; r->plan && i < r->plan->nmisses; i++) {
        const dq_field_miss *m = &r->plan->misses[i];
        fprintf(f, "%s: note: %s:", prog, m->field);
        dq_print_safe(f, m->value, strlen(m->value), 0);
        if (strcmp(m->field, "doc") == 0)
            fputs(" matches nothing: the index has no document with that "
                  "id\n", f);
        else
            fprintf(f, " matches nothing: no document in the index has "
                    "that %s%s%s%s\n", m->field,
                    m->nearest ? " (nearest: " : "",
                    m->nearest ? m->nearest : "", m->nearest ? ")" : "");
    }
    return ferror(f) ? -1 : 0;
}

int dq_print_suggestion(FILE *f, const dq_results *r, dq_format fmt)
{
    if (!r->suggestion) return DQ_OK;
    if (fmt != DQ_FMT_JSON) {
        fprintf(f, "Menade du: %s?\n", r->suggestion);
        return ferror(f) ? DQ_EWRITE : DQ_OK;
    }
    fputs("{\"suggestion\":", f);
    dq_json_string(f, r->suggestion, strlen(r->suggestion));
    fputs(",\"words\":", f);
    suggestion_words_json(f, r);
    fputs("}\n", f);
    return ferror(f) ? DQ_EWRITE : DQ_OK;
}

int dq_print_facets(FILE *f, const dq_results *r, dq_format fmt)
{
    if (!r->nfacets) return DQ_OK;
    if (fmt == DQ_FMT_JSON) {
        fputs("{\"facets\":", f);
        facets_json(f, r);
        fputs("}\n", f);
    } else if (fmt == DQ_FMT_CSV) {
        fputs("facet,value,count\n", f);
        for (size_t i = 0; i < r->nfacets; i++)
            for (size_t k = 0; k < r->facets[i].n; k++) {
                fprintf(f, "%s,", r->facets[i].field);
                dq_csv_field(f, r->facets[i].v[k].value,
                          strlen(r->facets[i].v[k].value));
                fprintf(f, ",%u\n", r->facets[i].v[k].count);
            }
    } else {
        fprintf(f, "\nDocuments matching the whole query: %u\n",
                r->facet_docs);
        for (size_t i = 0; i < r->nfacets; i++) {
            const dq_facet *fc = &r->facets[i];
            fprintf(f, "  %s:", fc->field);
            for (size_t k = 0; k < fc->n; k++)
                fprintf(f, "%s %s %u", k ? "," : "",
                        fc->v[k].value[0] ? fc->v[k].value : "ok\xC3\xA4nt",
                        fc->v[k].count);
            fputc('\n', f);
        }
    }
    return ferror(f) ? DQ_EWRITE : DQ_OK;
}

int dq_print_response_json(FILE *f, const char *query, size_t qlen,
                           const dq_results *r, size_t first_rank,
                           int explain)
{
    fputs("{\"query\":", f);
    dq_json_string(f, query, qlen);
    fprintf(f, ",\"total\":%u,\"results\":[", r->matches);
    for (size_t i = 0; i < r->n; i++) {
        if (i) fputc(',', f);
        dq_print_hit_json(f, &r->hits[i], first_rank + i, NULL);
    }
    fputs("],\"facets\":", f);
    if (r->nfacets) facets_json(f, r);
    else fputs("null", f);
    fputs(",\"suggestion\":", f);
    if (r->suggestion) {
        dq_json_string(f, r->suggestion, strlen(r->suggestion));
        fputs(",\"suggestion_words\":", f);
        suggestion_words_json(f, r);
    } else {
        fputs("null", f);
    }
    if (explain && r->plan) {
        fputs(",\"explain\":", f);
        explain_json(f, r->plan);
    }
    fputs("}\n", f);
    return ferror(f) ? DQ_EWRITE : DQ_OK;
}
