/*
 * ds_page.c — the search page (see ds_page.h).
 *
 * Reads top to bottom as the page does: links back to the page with other
 * parameters, the head and the form, the error and the suggestion, the
 * facets, the results, paging and the foot. Every string that is not a
 * literal of this file goes through ds_html (text and attributes) or
 * ds_url (inside a link's query string).
 */
#include "ds_page.h"

#include "ds_html.h"
#include "ds_server.h"
#include "dq_output.h"
#include "dq_report.h"

#include <stdlib.h>
#include <string.h>

#define MIDDOT " \xC2\xB7 "
#define NDASH "\xE2\x80\x93"
#define FACET_SHOWN 10 /* values listed before "Visa alla" */

/* ------------------------------------------------------------ links */

/* Writes href="/?q=…&…" for the page's parameters with query (q, qlen)
 * and offset `offset`. */
static void href(FILE *f, const ds_page *p, const char *q, size_t qlen,
                 unsigned offset, int explain)
{
    fputs("href=\"/?q=", f);
    ds_url(f, q, qlen);
    fprintf(f, "&amp;per_document=%d", p->per_document ? 1 : 0);
    if (p->limit != DS_PAGE_LIMIT) fprintf(f, "&amp;limit=%u", p->limit);
    if (offset) fprintf(f, "&amp;offset=%u", offset);
    if (explain) fputs("&amp;explain=1", f);
    fputc('"', f);
}

/* ------------------------------------------------------------ head, form */

static void write_head(FILE *f, const ds_page *p)
{
    fputs("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n"
          "<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", f);
    if (p->qlen) {
        ds_html(f, p->q, p->qlen);
        fputs(" \xE2\x80\x93 ", f);
    }
    fputs("diarium: sök i beslut</title>\n"
          "<link rel=\"stylesheet\" href=\"/static/diarium.css\">\n"
          "<script src=\"/static/diarium.js\" defer></script>\n"
          "</head>\n<body>\n"
          "<a class=\"skip\" href=\"#traffar\">Hoppa till träffarna</a>\n"
          "<header class=\"top\">\n<p class=\"brand\"><a href=\"/\">diarium"
          "</a></p>\n<p class=\"tagline\">Sök i beslut, "
          "tjänsteskrivelser och protokoll</p>\n</header>\n<main>\n", f);
}

static void write_form(FILE *f, const ds_page *p)
{
    fputs("<form class=\"search\" role=\"search\" method=\"get\" "
          "action=\"/\">\n<h1><label for=\"q\">Sökfråga</label></h1>\n"
          "<div class=\"row\">\n<input id=\"q\" name=\"q\" type=\"search\" "
          "size=\"60\" maxlength=\"1000\" autocomplete=\"off\" "
          "spellcheck=\"false\" value=\"", f);
    ds_html(f, p->q, p->qlen);
    fputc('"', f);
    if (p->error)
        fputs(" aria-invalid=\"true\" aria-describedby=\"q-fel q-hjalp\"", f);
    else
        fputs(" aria-describedby=\"q-hjalp\"", f);
    if (!p->qlen) fputs(" autofocus", f);
    fputs(">\n<button type=\"submit\">Sök</button>\n</div>\n"
          "<fieldset class=\"opts\">\n<legend>Visa träffarna</legend>\n", f);
    fprintf(f, "<label><input type=\"radio\" name=\"per_document\" "
            "value=\"1\"%s> per dokument</label>\n"
            "<label><input type=\"radio\" name=\"per_document\" "
            "value=\"0\"%s> per stycke</label>\n"
            "<label><input type=\"checkbox\" name=\"explain\" value=\"1\"%s>"
            " visa vilka stavningar som matchade</label>\n",
            p->per_document ? " checked" : "",
            p->per_document ? "" : " checked", p->explain ? " checked" : "");
    if (p->limit != DS_PAGE_LIMIT)
        fprintf(f, "<input type=\"hidden\" name=\"limit\" value=\"%u\">\n",
                p->limit);
    fputs("</fieldset>\n"
          "<details id=\"q-hjalp\" class=\"help\">\n"
          "<summary>Så skriver du en sökfråga</summary>\n<ul>\n"
          "<li>Alla ord måste finnas: <code>kompensatoriska åtgärder</code>"
          "</li>\n"
          "<li>Exakt fras: <code>\"särskilt stöd\"</code></li>\n"
          "<li>Något av orden: <code>trygghet OR studiero</code>; utan ett "
          "ord: <code>-betyg</code> eller <code>NOT betyg</code></li>\n"
          "<li>Ord nära varandra: <code>rektor NEAR ansvar</code>, "
          "<code>rektor NEAR/5 ansvar</code></li>\n"
          "<li>Början av ord: <code>elevhäls*</code>; gruppera med "
          "parenteser</li>\n"
          "<li>Fält: <code>kommun:Gävle</code> <code>typ:tillsynsbeslut"
          "</code> <code>år:2021</code> <code>år:2019..2023</code> "
          "<code>datum:2021-01-01..2021-06-30</code> <code>dnr:</code> "
          "<code>utfall:</code> <code>skola:</code> <code>myndighet:</code> "
          "<code>huvudman:</code> <code>doc:</code></li>\n"
          "<li>Orden hittas i alla stavningar som textutvinning och OCR "
          "lämnar: <code>åtgärder</code> hittar också <code>atgarder</code> "
          "och <code>atgérder</code> (exakta stavningar rankas först).</li>\n"
          "</ul>\n</details>\n</form>\n", f);
}

/* The error, with the query and a mark under the place it is about. */
static void write_error(FILE *f, const ds_page *p)
{
    fputs("<section id=\"q-fel\" class=\"error\" role=\"alert\">\n"
          "<h2>Sökfrågan kan inte köras</h2>\n<p>", f);
    if (p->error_at)
        fprintf(f, "Vid tecken %zu: ",
                ds_utf8_column(p->q, p->error_pos) + 1);
    ds_html_str(f, p->error);
    fputs("</p>\n", f);
    if (p->error_at && p->qlen) {
        size_t at = p->error_pos > p->qlen ? p->qlen : p->error_pos;
        size_t end = at;
        if (end < p->qlen) { /* the character at the position */
            end++;
            while (end < p->qlen && ((unsigned char)p->q[end] & 0xC0) == 0x80)
                end++;
        }
        fputs("<pre class=\"where\" aria-hidden=\"true\">", f);
        ds_html(f, p->q, at);
        fputs("<mark class=\"at\">", f);
        if (end > at) ds_html(f, p->q + at, end - at);
        else fputs(" ", f);
        fputs("</mark>", f);
        ds_html(f, p->q + end, p->qlen - end);
        fprintf(f, "\n%*s^</pre>\n", (int)ds_utf8_column(p->q, at), "");
    }
    fputs("</section>\n", f);
}

static void write_suggestion(FILE *f, const ds_page *p)
{
    const dq_results *r = p->r;
    if (!r || !r->suggestion) return;
    fputs("<p class=\"suggestion\">Menade du <a ", f);
    href(f, p, r->suggestion, strlen(r->suggestion), 0, p->explain);
    fputs(">", f);
    ds_html_str(f, r->suggestion);
    fputs("</a>?</p>\n", f);
}

/* ------------------------------------------------------------ facets */

static const char *facet_title(const char *field)
{
    if (strcmp(field, "kommun") == 0) return "Kommun";
    if (strcmp(field, "år") == 0) return "År";
    if (strcmp(field, "typ") == 0) return "Typ";
    if (strcmp(field, "utfall") == 0) return "Utfall";
    if (strcmp(field, "myndighet") == 0) return "Myndighet";
    return field;
}

/* The query words that filter on one value: år:2021, kommun:"Gävle".
 * Returns its length, or 0 when it does not fit or cannot be quoted. */
static size_t filter_text(const char *field, const char *value, char *buf,
                          size_t buflen)
{
    if (strchr(value, '"')) return 0;
    int n = strcmp(field, "år") == 0
                ? snprintf(buf, buflen, "år:%s", value)
                : snprintf(buf, buflen, "%s:\"%s\"", field, value);
    return n > 0 && (size_t)n < buflen ? (size_t)n : 0;
}

/* Where the query holds `flt` as a word of its own, or -1. */
static long find_filter(const char *q, size_t qlen, const char *flt,
                        size_t fl)
{
    for (size_t i = 0; i + fl <= qlen; i++) {
        if (memcmp(q + i, flt, fl) != 0) continue;
        int before = i == 0 || q[i - 1] == ' ';
        int after = i + fl == qlen || q[i + fl] == ' ';
        if (before && after) return (long)i;
    }
    return -1;
}

static int by_value_desc(const void *a, const void *b)
{
    const dq_facet_value *x = *(const dq_facet_value *const *)a;
    const dq_facet_value *y = *(const dq_facet_value *const *)b;
    return strcmp(y->value, x->value);
}

/* One facet value as a link that adds its filter to the query (or, when
 * the query has it, takes it away). */
static void facet_item(FILE *f, const ds_page *p, const dq_facet *fc,
                       const dq_facet_value *v)
{
    char flt[320], *nq;
    size_t fl = filter_text(fc->field, v->value, flt, sizeof flt);
    if (!fl) return;
    long at = find_filter(p->q, p->qlen, flt, fl);
    size_t nl;
    if (at >= 0) { /* without it (and the space before or after it) */
        nq = malloc(p->qlen + 1);
        if (!nq) return;
        size_t from = (size_t)at, to = (size_t)at + fl;
        if (from > 0) from--;
        else if (to < p->qlen) to++;
        memcpy(nq, p->q, from);
        memcpy(nq + from, p->q + to, p->qlen - to);
        nl = from + p->qlen - to;
    } else {
        nq = malloc(p->qlen + fl + 2);
        if (!nq) return;
        memcpy(nq, p->q, p->qlen);
        nl = p->qlen;
        if (nl) nq[nl++] = ' ';
        memcpy(nq + nl, flt, fl);
        nl += fl;
    }
    const char *label = strcmp(fc->field, "utfall") == 0
                            ? dq_report_outcome_label(v->value)
                            : v->value;
    fputs("<li><a ", f);
    href(f, p, nq, nl, 0, p->explain);
    if (at >= 0) fputs(" class=\"active\" aria-current=\"true\"", f);
    fputs(">", f);
    if (at >= 0) fputs("<span class=\"sr\">Ta bort filtret </span>", f);
    ds_html_str(f, label);
    fprintf(f, " <span class=\"count\">%u</span></a></li>\n", v->count);
    free(nq);
}

static void write_facets(FILE *f, const ds_page *p)
{
    const dq_results *r = p->r;
    if (!r || !r->nfacets || !r->facet_docs) return;
    fputs("<aside class=\"facets\" aria-labelledby=\"filter-rubrik\">\n"
          "<h2 id=\"filter-rubrik\">Filtrera</h2>\n", f);
    for (size_t i = 0; i < r->nfacets; i++) {
        const dq_facet *fc = &r->facets[i];
        const dq_facet_value **v = malloc((fc->n ? fc->n : 1) * sizeof *v);
        if (!v) continue;
        size_t n = 0;
        for (size_t k = 0; k < fc->n; k++)
            if (fc->v[k].value[0]) v[n++] = &fc->v[k];
        if (strcmp(fc->field, "år") == 0)
            qsort(v, n, sizeof *v, by_value_desc);
        if (n) {
            fprintf(f, "<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n",
                    facet_title(fc->field));
            for (size_t k = 0; k < n && k < FACET_SHOWN; k++)
                facet_item(f, p, fc, v[k]);
            fputs("</ul>\n", f);
            if (n > FACET_SHOWN) {
                fprintf(f, "<details class=\"more\"><summary>Visa alla "
                        "(%zu)</summary>\n<ul>\n", n);
                for (size_t k = FACET_SHOWN; k < n; k++)
                    facet_item(f, p, fc, v[k]);
                fputs("</ul>\n</details>\n", f);
            }
            fputs("</section>\n", f);
        }
        free(v);
    }
    fputs("</aside>\n", f);
}

/* ------------------------------------------------------------ results */

static void write_explain(FILE *f, const ds_page *p)
{
    const dq_plan *pl = p->r ? p->r->plan : NULL;
    if (!pl || !pl->nwords) return;
    fputs("<details class=\"explain\" open>\n<summary>Stavningar som "
          "matchade</summary>\n<table>\n<caption class=\"sr\">Vilka "
          "stavningar varje sökord hittade, och i hur många stycken"
          "</caption>\n<thead><tr><th scope=\"col\">Sökord</th>"
          "<th scope=\"col\">Ordstam</th><th scope=\"col\">Stycken med "
          "stammen</th><th scope=\"col\">Andra stavningar (stycken)</th>"
          "</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < pl->nwords; i++) {
        const dq_word_info *w = &pl->words[i];
        fputs("<tr><th scope=\"row\">", f);
        ds_html_str(f, w->word);
        fputs("</th><td>", f);
        ds_html_str(f, w->stem);
        fprintf(f, "</td><td>%u</td><td>", w->stem_freq);
        size_t shown = 0;
        for (size_t k = 0; k < w->variants.n; k++) {
            const dq_variant *v = &w->variants.v[k];
            if (v->cost == 0) continue;
            if (shown++) fputs(", ", f);
            ds_html(f, v->form, v->formlen);
            fprintf(f, " (%u)", v->freq);
        }
        if (!shown) fputs("inga", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n</details>\n", f);
}

static void write_hit(FILE *f, const ds_page *p, const dq_hit *h)
{
    fputs("<li class=\"hit\">\n<article>\n<h3 class=\"doc\">", f);
    if (p->files) {
        fputs("<a href=\"/fil?doc=", f);
        ds_url(f, h->doc, strlen(h->doc));
        /* A PDF opens at the passage's page (the viewer's #page=N). */
        if (h->page) fprintf(f, "#page=%u", h->page);
        fputs("\">", f);
    }
    ds_html_str(f, h->doc);
    if (p->files) fputs("</a>", f);
    if (h->page) {
        char cite[320];
        dq_page_citation(h, cite, sizeof cite);
        fputs(", ", f);
        ds_html_str(f, cite);
    }
    if (h->ocr >= 0) {
        char ocr[64];
        dq_ocr_note(h, ocr, sizeof ocr);
        fputs(" <span class=\"ocr\">(", f);
        ds_html_str(f, ocr);
        fputs(")</span>", f);
    }
    fputs("</h3>\n<p class=\"facts\">", f);
    const char *outcome = h->outcome && h->outcome[0]
                              ? dq_report_outcome_label(h->outcome)
                              : "";
    const char *lbl[] = {"Kommun", "Datum", "Typ", "Utfall", "Myndighet"};
    const char *val[] = {h->kommun, h->date, h->type, outcome, h->authority};
    int any = 0;
    for (size_t i = 0; i < sizeof val / sizeof *val; i++) {
        if (!val[i] || !val[i][0]) continue;
        if (any++) fputs("<span aria-hidden=\"true\">" MIDDOT "</span>", f);
        fprintf(f, "<span class=\"sr\">%s: </span>", lbl[i]);
        ds_html_str(f, val[i]);
    }
    if (h->dnr && h->dnr[0]) {
        if (any++) fputs("<span aria-hidden=\"true\">" MIDDOT "</span>", f);
        fputs("Dnr ", f);
        ds_html_str(f, h->dnr);
    }
    fputs("</p>\n<p class=\"snippet\">", f);
    ds_html_marked(f, h->snippet, h->snippetlen, h->shl, h->nshl);
    fprintf(f, "</p>\n<p class=\"where\">Stycke %u", h->passage + 1);
    if (!h->complete)
        fputs(" <span class=\"spread\">(sökorden finns i olika stycken av "
              "dokumentet)</span>", f);
    fputs("</p>\n</article>\n</li>\n", f);
}

static void write_results(FILE *f, const ds_page *p)
{
    const dq_results *r = p->r;
    fputs("<section id=\"traffar\" class=\"results\" "
          "aria-labelledby=\"traffar-rubrik\">\n<h2 id=\"traffar-rubrik\">",
          f);
    if (r->n == 0) {
        fputs(p->offset ? "Inga fler träffar" : "Inga träffar", f);
    } else if (p->per_document && r->facet_docs == 0) {
        fputs("Dokument där sökorden finns i olika stycken", f);
    } else if (p->per_document) {
        fprintf(f, "%u dokument innehåller hela frågan", r->facet_docs);
    } else {
        fprintf(f, "Ungefär %u stycken matchar", r->matches);
    }
    fputs("</h2>\n", f);
    if (r->n) {
        fprintf(f, "<p class=\"range\">Visar %s %u" NDASH "%zu.</p>\n",
                p->per_document ? "dokument" : "träff", p->offset + 1,
                p->offset + r->n);
        fputs("<p class=\"report\">Ämnesrapport för frågan: <a href=\""
              "/rapport?format=html&amp;q=", f);
        ds_url(f, p->q, p->qlen);
        fputs("\">läs och skriv ut</a>, <a href=\"/rapport?format=md&amp;q=",
              f);
        ds_url(f, p->q, p->qlen);
        fputs("\" download>Markdown</a>, <a href=\"/rapport?format=csv&amp;"
              "q=", f);
        ds_url(f, p->q, p->qlen);
        fputs("\" download>CSV (kalkylblad)</a></p>\n", f);
        if (!p->explain) {
            fputs("<p class=\"explain-link\"><a ", f);
            href(f, p, p->q, p->qlen, p->offset, 1);
            fputs(">Visa vilka stavningar som matchade</a></p>\n", f);
        }
    }
    if (p->explain) write_explain(f, p);
    if (r->n) {
        fprintf(f, "<ol class=\"hits\" start=\"%u\">\n", p->offset + 1);
        for (size_t i = 0; i < r->n; i++) write_hit(f, p, &r->hits[i]);
        fputs("</ol>\n", f);
    }
    if (p->offset || p->more) {
        fputs("<nav class=\"pages\" aria-label=\"Sidor\">\n", f);
        if (p->offset) {
            unsigned prev = p->offset > p->limit ? p->offset - p->limit : 0;
            fputs("<a rel=\"prev\" ", f);
            href(f, p, p->q, p->qlen, prev, p->explain);
            fputs(">\xE2\x80\xB9 Föregående</a>\n", f);
        }
        fprintf(f, "<span class=\"current\">Sida %u</span>\n",
                p->offset / (p->limit ? p->limit : 1) + 1);
        if (p->more) {
            if (p->offset + p->limit <= DS_OFFSET_MAX) {
                fputs("<a rel=\"next\" ", f);
                href(f, p, p->q, p->qlen, p->offset + p->limit, p->explain);
                fputs(">Nästa \xE2\x80\xBA</a>\n", f);
            } else {
                fputs("<span>Fler träffar finns: förfina frågan eller "
                      "använd rapporten.</span>\n", f);
            }
        }
        fputs("</nav>\n", f);
    }
    fputs("</section>\n", f);
}

static void write_front(FILE *f, const ds_page *p)
{
    fputs("<section id=\"traffar\" class=\"intro\">\n", f);
    if (p->documents)
        fprintf(f, "<p>Databasen innehåller %u dokument. Skriv en "
                "sökfråga ovan.</p>\n", p->documents);
    else
        fputs("<p>Skriv en sökfråga ovan.</p>\n", f);
    fputs("</section>\n", f);
}

int ds_page_write(FILE *f, const ds_page *p)
{
    write_head(f, p);
    write_form(f, p);
    if (p->error) write_error(f, p);
    write_suggestion(f, p);
    if (p->r) {
        fputs("<div class=\"layout\">\n", f);
        write_results(f, p);
        write_facets(f, p);
        fputs("</div>\n", f);
    } else if (!p->error) {
        write_front(f, p);
    }
    fputs("</main>\n<footer class=\"foot\"><p>diarium", f);
    if (p->version) {
        fputc(' ', f);
        ds_html_str(f, p->version);
    }
    fputs(" \xE2\x80\x94 sökningen körs på den här servern; inget hämtas "
          "från nätet.</p></footer>\n</body>\n</html>\n", f);
    return ferror(f) ? -1 : 0;
}
