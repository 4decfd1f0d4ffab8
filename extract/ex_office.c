/*
 * ex_office.c — the text of Word (.docx) and OpenDocument (.odt) files,
 * through libzip and libxml2 (inside the worker only; see ex_read.h).
 *
 * Both are zip files of XML. Bounded: a part is read only up to
 * PART_MAX bytes however large the zip says (or lies) it is, so a zip
 * bomb stops there; the XML is parsed with no network access, no DTD
 * loading and no entity substitution, and a part that declares a DTD at
 * all (neither format has one) is refused before libxml2 parses it.
 *
 * What is text. Word: the paragraphs (w:p) of the main document part
 * (found through _rels/.rels, else word/document.xml), tables' cells
 * included, then the footnotes and endnotes; not deleted or moved-away
 * text (w:del, w:moveFrom), field codes (w:instrText), the fallback copy
 * of a text box (mc:Fallback), headers and footers. OpenDocument: the
 * paragraphs and headings (text:p, text:h) of office:text, lists and
 * tables included; not tracked deletions, annotations or generated
 * indexes (a table of contents repeats the headings). A paragraph inside
 * another (a text box, a note) comes after it. Runs of white space are one
 * space; explicit line breaks stay; text:s gives its spaces.
 *
 * The result is one page-less page: paragraphs separated by a blank line,
 * normalised by ex_norm_cp, NFC.
 */
#include "ex_layout.h"
#include "ex_read.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define PART_MAX ((zip_uint64_t)32 << 20) /* bytes of one XML part */

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_REL "http://schemas.openxmlformats.org/package/2006/relationships"

typedef struct obuf {
    char *p;
    size_t n, cap;
    int oom;
} obuf;

static void ob_add(obuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* What the walk collects. */
typedef struct walk {
    obuf out;        /* finished paragraphs */
    obuf para;       /* the paragraph being read */
    int space;       /* a space is due before the next character */
    size_t limit;    /* max_text */
    int over;        /* the text limit was passed */
    int in_para;     /* inside a paragraph element */
    obuf later;      /* paragraphs met inside it, read after it */
} walk;

/* Adds UTF-8 text to the paragraph, normalised, white space collapsed. */
static void add_text(walk *k, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        /* Decode (libxml2 gives valid UTF-8). */
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t m = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + m > n) break;
        if (m == 1) cp = c;
        else if (m == 2) cp = (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
        else if (m == 3)
            cp = (uint32_t)(c & 0x0F) << 12 |
                 (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
        else
            cp = (uint32_t)(c & 0x07) << 18 |
                 (uint32_t)(s[i + 1] & 0x3F) << 12 |
                 (uint32_t)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
        i += m;
        uint32_t o[3];
        size_t q = ex_norm_cp(cp, o);
        for (size_t j = 0; j < q; j++) {
            if (o[j] == ' ' || o[j] == '\n' || o[j] == '\r') {
                k->space = k->para.n > 0;
                continue;
            }
            if (k->space) {
                ob_add(&k->para, " ", 1);
                k->space = 0;
            }
            char e[4];
            size_t el;
            uint32_t x = o[j];
            if (x < 0x80) { e[0] = (char)x; el = 1; }
            else if (x < 0x800) {
                e[0] = (char)(0xC0 | x >> 6);
                e[1] = (char)(0x80 | (x & 0x3F));
                el = 2;
            } else if (x < 0x10000) {
                e[0] = (char)(0xE0 | x >> 12);
                e[1] = (char)(0x80 | ((x >> 6) & 0x3F));
                e[2] = (char)(0x80 | (x & 0x3F));
                el = 3;
            } else {
                e[0] = (char)(0xF0 | x >> 18);
                e[1] = (char)(0x80 | ((x >> 12) & 0x3F));
                e[2] = (char)(0x80 | ((x >> 6) & 0x3F));
                e[3] = (char)(0x80 | (x & 0x3F));
                el = 4;
            }
            ob_add(&k->para, e, el);
        }
    }
    if (k->out.n + k->para.n > k->limit) k->over = 1;
}

static void add_space(walk *k)
{
    k->space = k->para.n > 0;
}

static void add_break(walk *k)
{
    if (k->para.n > 0) ob_add(&k->para, "\n", 1);
    k->space = 0;
}

/* Ends the paragraph being read: it joins the output. */
static void end_para(walk *k)
{
    if (k->para.n > 0) {
        if (k->out.n > 0) ob_add(&k->out, "\n\n", 2);
        /* No line break at its end. */
        while (k->para.n > 0 && k->para.p[k->para.n - 1] == '\n')
            k->para.n--;
        ob_add(&k->out, k->para.p, k->para.n);
    }
    k->para.n = 0;
    k->space = 0;
    if (k->para.oom) k->out.oom = 1;
    if (k->out.n > k->limit) k->over = 1;
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static void text_nodes(walk *k, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content)
            add_text(k, (const char *)c->content,
                     strlen((const char *)c->content));
}

/* A paragraph within a paragraph is read after it: the outer one's text so
 * far is set aside and put back. */
typedef void (*walk_fn)(walk *k, const xmlNode *n, int depth);

static void nested_para(walk *k, const xmlNode *n, int depth, walk_fn fn)
{
    obuf saved = k->para;
    int sp = k->space;
    k->para = (obuf){0};
    k->space = 0;
    obuf out = k->out;
    k->out = (obuf){0};
    fn(k, n, depth);
    end_para(k);
    if (k->out.n) {
        if (k->later.n) ob_add(&k->later, "\n\n", 2);
        ob_add(&k->later, k->out.p, k->out.n);
    }
    if (k->out.oom || k->para.oom) saved.oom = 1;
    free(k->out.p);
    free(k->para.p);
    k->out = out;
    k->para = saved;
    k->space = sp;
}

/* ------------------------------------------------------------------------ */
/* Word                                                                     */

static void docx_walk(walk *k, const xmlNode *n, int depth);

static void docx_children(walk *k, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c && !k->over; c = c->next)
        docx_walk(k, c, depth + 1);
}

static void docx_walk(walk *k, const xmlNode *n, int depth)
{
    if (n->type != XML_ELEMENT_NODE || depth > 200) return;
    if (is(n, NS_W, "p")) {
        if (k->in_para) {
            nested_para(k, n, depth, docx_children);
            return;
        }
        k->in_para = 1;
        docx_children(k, n, depth);
        k->in_para = 0;
        end_para(k);
        if (k->later.n) {
            ob_add(&k->para, k->later.p, k->later.n);
            k->later.n = 0;
            end_para(k);
        }
        return;
    }
    if (is(n, NS_W, "t")) {
        text_nodes(k, n);
        return;
    }
    if (is(n, NS_W, "tab")) {
        add_space(k);
        return;
    }
    if (is(n, NS_W, "br") || is(n, NS_W, "cr")) {
        add_break(k);
        return;
    }
    if (is(n, NS_W, "noBreakHyphen")) {
        add_text(k, "-", 1);
        return;
    }
    if (is(n, NS_W, "del") || is(n, NS_W, "moveFrom") ||
        is(n, NS_W, "instrText") || is(n, NS_W, "delText") ||
        is(n, NS_W, "rPr") || is(n, NS_W, "pPr") || is(n, NS_MC, "Fallback"))
        return;
    docx_children(k, n, depth);
}

/* ------------------------------------------------------------------------ */
/* OpenDocument                                                             */

static void odt_walk(walk *k, const xmlNode *n, int depth);

static void odt_children(walk *k, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c && !k->over; c = c->next) {
        if (c->type == XML_TEXT_NODE && k->in_para && c->content)
            add_text(k, (const char *)c->content,
                     strlen((const char *)c->content));
        else
            odt_walk(k, c, depth + 1);
    }
}

static void odt_walk(walk *k, const xmlNode *n, int depth)
{
    if (n->type != XML_ELEMENT_NODE || depth > 200) return;
    if (is(n, NS_TEXT, "p") || is(n, NS_TEXT, "h")) {
        if (k->in_para) {
            nested_para(k, n, depth, odt_children);
            return;
        }
        k->in_para = 1;
        odt_children(k, n, depth);
        k->in_para = 0;
        end_para(k);
        if (k->later.n) {
            ob_add(&k->para, k->later.p, k->later.n);
            k->later.n = 0;
            end_para(k);
        }
        return;
    }
    if (is(n, NS_TEXT, "s")) {
        xmlChar *c = xmlGetNsProp(n, (const xmlChar *)"c",
                                  (const xmlChar *)NS_TEXT);
        long cnt = c ? strtol((const char *)c, NULL, 10) : 1;
        xmlFree(c);
        if (cnt < 1) cnt = 1;
        if (cnt > 100) cnt = 100;
        if (k->para.n > 0) {
            if (k->space) ob_add(&k->para, " ", 1);
            for (long i = 0; i < cnt; i++) ob_add(&k->para, " ", 1);
            k->space = 0;
        }
        return;
    }
    if (is(n, NS_TEXT, "tab")) {
        add_space(k);
        return;
    }
    if (is(n, NS_TEXT, "line-break")) {
        add_break(k);
        return;
    }
    if (is(n, NS_TEXT, "tracked-changes") || is(n, NS_TEXT, "note-citation") ||
        is(n, NS_OFFICE, "annotation") || is(n, NS_TEXT, "index-body") ||
        is(n, NS_TEXT, "sequence-decls") || is(n, NS_TEXT, "variable-decls") ||
        is(n, NS_TEXT, "user-field-decls"))
        return;
    odt_children(k, n, depth);
}

/* ------------------------------------------------------------------------ */
/* Zip and XML                                                              */

/* Reads one part of the zip, at most PART_MAX bytes. Returns EX_OK with a
 * malloc'd buffer, 1 when the part is absent, or an error with `why`. */
static int read_part(zip_t *z, const char *name, char **out, size_t *len,
                     char *why, size_t whylen)
{
    *out = NULL;
    *len = 0;
    zip_int64_t idx = zip_name_locate(z, name, 0);
    if (idx < 0) return 1;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) == 0 &&
        (st.valid & ZIP_STAT_SIZE) && st.size > PART_MAX) {
        snprintf(why, whylen,
                 "%s is larger than %llu MiB uncompressed (a zip bomb?)",
                 name, (unsigned long long)(PART_MAX >> 20));
        return EX_ELIMIT;
    }
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!f) {
        snprintf(why, whylen, "damaged: cannot open %s in the zip: %s", name,
                 zip_strerror(z));
        int ze = zip_error_code_zip(zip_get_error(z));
        if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_ENCRNOTSUPP) {
            snprintf(why, whylen, "encrypted (password-protected zip)");
            return EX_EENCRYPTED;
        }
        return EX_ECORRUPT;
    }
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    int rc = b ? EX_OK : EX_ENOMEM;
    while (rc == EX_OK) {
        if (n == cap) {
            if (cap >= PART_MAX + 1) {
                snprintf(why, whylen, "%s is larger than %llu MiB "
                                      "uncompressed (a zip bomb?)",
                         name, (unsigned long long)(PART_MAX >> 20));
                rc = EX_ELIMIT;
                break;
            }
            size_t nc = cap * 2 > PART_MAX + 1 ? PART_MAX + 1 : cap * 2;
            char *nb = realloc(b, nc + 1);
            if (!nb) {
                rc = EX_ENOMEM;
                break;
            }
            b = nb;
            cap = nc;
        }
        zip_int64_t k = zip_fread(f, b + n, cap - n);
        if (k < 0) {
            snprintf(why, whylen, "damaged: cannot read %s in the zip: %s",
                     name, zip_file_strerror(f));
            rc = EX_ECORRUPT;
            break;
        }
        if (k == 0) break;
        n += (size_t)k;
    }
    zip_fclose(f);
    if (rc != EX_OK) {
        free(b);
        return rc;
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return EX_OK;
}

static int has_doctype(const char *s, size_t n)
{
    const char *k = "<!DOCTYPE";
    size_t m = strlen(k), lim = n < 65536 ? n : 65536;
    for (size_t i = 0; i + m <= lim; i++)
        if (s[i] == '<' && memcmp(s + i, k, m) == 0) return 1;
    return 0;
}

static int parse_xml(const char *s, size_t n, const char *name,
                     xmlDoc **out, char *why, size_t whylen)
{
    *out = NULL;
    if (has_doctype(s, n)) {
        snprintf(why, whylen, "damaged: %s declares a document type, which "
                              "no Word or OpenDocument part does", name);
        return EX_ECORRUPT;
    }
    if (n > (size_t)INT32_MAX) return EX_ELIMIT;
    xmlDoc *d = xmlReadMemory(s, (int)n, name, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    if (!d || !xmlDocGetRootElement(d)) {
        const xmlError *e = xmlGetLastError();
        if (e && e->message) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t l = strlen(msg);
            while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
                msg[--l] = '\0';
            snprintf(why, whylen, "damaged: %s is not well-formed XML "
                                  "(line %d: %s)", name, e->line, msg);
        } else {
            snprintf(why, whylen, "damaged: %s is not well-formed XML", name);
        }
        xmlFreeDoc(d);
        return EX_ECORRUPT;
    }
    *out = d;
    return EX_OK;
}

/* The main part of a Word file, from _rels/.rels (malloc'd). */
static char *docx_main_part(zip_t *z, char *why, size_t whylen)
{
    char *s;
    size_t n;
    char *target = NULL;
    if (read_part(z, "_rels/.rels", &s, &n, why, whylen) == EX_OK) {
        xmlDoc *d;
        if (parse_xml(s, n, "_rels/.rels", &d, why, whylen) == EX_OK) {
            for (xmlNode *c = xmlDocGetRootElement(d)->children; c && !target;
                 c = c->next) {
                if (!is(c, NS_REL, "Relationship")) continue;
                xmlChar *type = xmlGetProp(c, (const xmlChar *)"Type");
                xmlChar *t = xmlGetProp(c, (const xmlChar *)"Target");
                size_t tl = type ? strlen((const char *)type) : 0;
                const char *suffix = "/officeDocument";
                size_t sl = strlen(suffix);
                if (t && tl >= sl &&
                    strcmp((const char *)type + tl - sl, suffix) == 0) {
                    const char *p = (const char *)t;
                    while (*p == '/') p++;
                    target = strdup(p);
                }
                xmlFree(type);
                xmlFree(t);
            }
            xmlFreeDoc(d);
        }
        free(s);
    }
    return target ? target : strdup("word/document.xml");
}

static int docx_part(zip_t *z, const char *name, int required, walk *k,
                     char *why, size_t whylen)
{
    char *s;
    size_t n;
    int rc = read_part(z, name, &s, &n, why, whylen);
    if (rc == 1) {
        if (!required) return EX_OK;
        snprintf(why, whylen, "damaged: not a Word document (no %s)", name);
        return EX_ECORRUPT;
    }
    if (rc != EX_OK) return rc;
    xmlDoc *d;
    rc = parse_xml(s, n, name, &d, why, whylen);
    free(s);
    if (rc != EX_OK) return rc;
    docx_walk(k, xmlDocGetRootElement(d), 0);
    xmlFreeDoc(d);
    return EX_OK;
}

static int odt_read(zip_t *z, walk *k, char *why, size_t whylen)
{
    char *s;
    size_t n;
    int rc = read_part(z, "mimetype", &s, &n, why, whylen);
    if (rc == 1) {
        snprintf(why, whylen, "damaged: not an OpenDocument file "
                              "(no mimetype)");
        return EX_ECORRUPT;
    }
    if (rc != EX_OK) return rc;
    const char *mt = "application/vnd.oasis.opendocument.text";
    int ok = n >= strlen(mt) && memcmp(s, mt, strlen(mt)) == 0 &&
             (n == strlen(mt) || strcmp(s + strlen(mt), "-template") == 0);
    free(s);
    if (!ok) {
        snprintf(why, whylen, "not an OpenDocument text (its mimetype "
                              "says another kind)");
        return EX_ECORRUPT;
    }
    rc = read_part(z, "META-INF/manifest.xml", &s, &n, why, whylen);
    if (rc == EX_OK) {
        const char *enc = "encryption-data";
        size_t el = strlen(enc);
        int found = 0;
        for (size_t i = 0; i + el <= n && !found; i++)
            found = memcmp(s + i, enc, el) == 0;
        free(s);
        if (found) {
            snprintf(why, whylen, "encrypted (password-protected)");
            return EX_EENCRYPTED;
        }
    } else if (rc != 1) {
        return rc;
    }
    rc = read_part(z, "content.xml", &s, &n, why, whylen);
    if (rc == 1) {
        snprintf(why, whylen, "damaged: not an OpenDocument file "
                              "(no content.xml)");
        return EX_ECORRUPT;
    }
    if (rc != EX_OK) return rc;
    xmlDoc *d;
    rc = parse_xml(s, n, "content.xml", &d, why, whylen);
    free(s);
    if (rc != EX_OK) return rc;
    /* office:document-content / office:body / office:text */
    for (xmlNode *b = xmlDocGetRootElement(d)->children; b; b = b->next)
        if (is(b, NS_OFFICE, "body"))
            for (xmlNode *t = b->children; t; t = t->next)
                if (is(t, NS_OFFICE, "text")) odt_walk(k, t, 0);
    xmlFreeDoc(d);
    return EX_OK;
}

int ex_office_read(ex_type type, const void *data, size_t len,
                   const ex_limits *lim, ex_wbuf *w, char *why,
                   size_t whylen)
{
    static const unsigned char cfb[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                         0xA1, 0xB1, 0x1A, 0xE1};
    if (len >= 8 && memcmp(data, cfb, 8) == 0) {
        if (type == EX_TYPE_DOCX) {
            snprintf(why, whylen, "encrypted (password-protected), or a "
                                  "Word 97-2003 file named .docx");
            return EX_EENCRYPTED;
        }
        snprintf(why, whylen, "not an OpenDocument file (an OLE2 "
                              "container)");
        return EX_ECORRUPT;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return EX_ENOMEM;
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) {
        snprintf(why, whylen, "damaged or not a %s file (not a readable "
                              "zip file: %s)",
                 ex_type_label(type), zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return EX_ECORRUPT;
    }
    zip_error_fini(&ze);

    walk k = {0};
    k.limit = lim->max_text;
    int rc;
    if (type == EX_TYPE_DOCX) {
        char *main = docx_main_part(z, why, whylen);
        if (!main) {
            rc = EX_ENOMEM;
        } else {
            rc = docx_part(z, main, 1, &k, why, whylen);
            /* Notes live next to the main part (word/). */
            char *slash = strrchr(main, '/');
            const char *notes[] = {"footnotes.xml", "endnotes.xml"};
            for (int i = 0; i < 2 && rc == EX_OK && !k.over; i++) {
                char name[512];
                snprintf(name, sizeof name, "%.*s%s",
                         slash ? (int)(slash - main + 1) : 0, main, notes[i]);
                rc = docx_part(z, name, 0, &k, why, whylen);
            }
            free(main);
        }
    } else {
        rc = odt_read(z, &k, why, whylen);
    }
    zip_close(z); /* read-only: discards, and frees the source */
    if (rc == EX_OK && k.over) {
        snprintf(why, whylen, "text size limit (%zu MiB) exceeded",
                 lim->max_text >> 20);
        rc = EX_ELIMIT;
    }
    if (rc == EX_OK && (k.out.oom || k.para.oom || k.later.oom))
        rc = EX_ENOMEM;
    char *nfc = NULL;
    size_t nl = 0;
    if (rc == EX_OK) rc = ex_nfc(k.out.p ? k.out.p : "", k.out.n, &nfc, &nl);
    if (rc == EX_OK) {
        ex_wire_begin(w, type, 0);
        ex_wire_page(w, 0, NULL, nfc, nl, nl ? 0 : EX_PAGE_BLANK, -1,
                     NULL);
        ex_wire_end(w, "", 0);
        if (w->oom) rc = EX_ENOMEM;
    }
    free(nfc);
    free(k.out.p);
    free(k.para.p);
    free(k.later.p);
    return rc;
}
