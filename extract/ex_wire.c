/*
 * ex_wire.c — writing and checking the worker's answers (see ex_wire.h).
 */
#include "ex_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(ex_wbuf *w, size_t need)
{
    if (w->oom || w->n + need <= w->cap) return;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->n + need) {
        if (cap > SIZE_MAX / 2) {
            w->oom = 1;
            return;
        }
        cap *= 2;
    }
    char *p = realloc(w->p, cap);
    if (!p) {
        w->oom = 1;
        return;
    }
    w->p = p;
    w->cap = cap;
}

static void put(ex_wbuf *w, const void *s, size_t n)
{
    grow(w, n);
    if (w->oom) return;
    if (n) memcpy(w->p + w->n, s, n);
    w->n += n;
}

static void put32(ex_wbuf *w, uint32_t v)
{
    char b[4];
    ex_put32(b, v);
    put(w, b, 4);
}

void ex_wire_begin(ex_wbuf *w, ex_type type, int paged)
{
    w->n = 0;
    w->pages = 0;
    put(w, "\0\0\0\0\0\0\0\0\0\0\0\0", EX_WIRE_HEAD); /* frame, later */
    put32(w, 0);                                   /* rc */
    put32(w, 0);                                   /* no reason */
    put32(w, (uint32_t)type);
    put32(w, paged ? 1u : 0u);
}

void ex_wire_req_head(char *p, const ex_wire_req *q)
{
    memcpy(p, EX_WIRE_REQUEST, 4);
    ex_put32(p + 4, q->kind);
    ex_put32(p + 8, q->type);
    ex_put32(p + 12, q->ocr);
    ex_put32(p + 16, q->page);
    ex_put32(p + 20, q->reuse);
    ex_put32(p + 24, q->langlen);
    ex_put32(p + 28, q->ngiven);
    ex_put64(p + 32, q->len);
}

int ex_wire_req_parse(const char *p, ex_wire_req *q)
{
    if (memcmp(p, EX_WIRE_REQUEST, 4) != 0) return -1;
    q->kind = ex_get32(p + 4);
    q->type = ex_get32(p + 8);
    q->ocr = ex_get32(p + 12);
    q->page = ex_get32(p + 16);
    q->reuse = ex_get32(p + 20);
    q->langlen = ex_get32(p + 24);
    q->ngiven = ex_get32(p + 28);
    q->len = ex_get64(p + 32);
    if (q->kind != EX_WIRE_READ && q->kind != EX_WIRE_OCR_PAGE &&
        q->kind != EX_WIRE_MODEL)
        return -1;
    if (q->ocr > EX_OCR_OFF || q->reuse > 1 || q->langlen > 63 ||
        q->ngiven > EX_WIRE_GIVEN_MAX)
        return -1;
    return 0;
}

void ex_wire_page(ex_wbuf *w, unsigned number, const char *label,
                  const char *text, size_t len, unsigned flags,
                  int ocr_confidence, const char *why)
{
    put(w, "P", 1);
    put32(w, number);
    put32(w, flags);
    put32(w, (uint32_t)ocr_confidence);
    if (label) {
        size_t ll = strlen(label);
        if (ll > EX_WIRE_LABEL_MAX) ll = EX_WIRE_LABEL_MAX;
        put32(w, (uint32_t)ll);
        put(w, label, ll);
    } else {
        put32(w, 0xFFFFFFFFu);
    }
    if (len > UINT32_MAX) {
        w->oom = 1;
        return;
    }
    put32(w, (uint32_t)len);
    put(w, text, len);
    size_t wl = why ? strlen(why) : 0;
    if (wl > EX_WIRE_REASON_MAX) wl = EX_WIRE_REASON_MAX;
    put32(w, (uint32_t)wl);
    put(w, why, wl);
    w->pages++;
}

void ex_wire_end(ex_wbuf *w, const char *running, size_t len)
{
    put(w, "E", 1);
    put32(w, w->pages);
    if (len > UINT32_MAX) len = 0;
    put32(w, (uint32_t)len);
    put(w, running, len);
}

void ex_wire_fail(ex_wbuf *w, int rc, const char *why)
{
    size_t k = why ? strlen(why) : 0;
    if (k > EX_WIRE_REASON_MAX) k = EX_WIRE_REASON_MAX;
    w->n = 0;
    w->oom = 0;
    w->pages = 0;
    put(w, "\0\0\0\0\0\0\0\0\0\0\0\0", EX_WIRE_HEAD);
    put32(w, (uint32_t)rc);
    put32(w, (uint32_t)k);
    put(w, why, k);
}

void ex_wire_frame(ex_wbuf *w)
{
    if (w->oom || w->n < EX_WIRE_HEAD) return;
    memcpy(w->p, EX_WIRE_ANSWER, 4);
    ex_put64(w->p + 4, (uint64_t)(w->n - EX_WIRE_HEAD));
}

/* A reader over the body that fails, once, on any overrun. */
typedef struct rd {
    const char *p;
    size_t n, i;
    int bad;
} rd;

static uint32_t get32(rd *r)
{
    if (r->bad || r->n - r->i < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t v = ex_get32(r->p + r->i);
    r->i += 4;
    return v;
}

static const char *take(rd *r, size_t k)
{
    if (r->bad || r->n - r->i < k) {
        r->bad = 1;
        return NULL;
    }
    const char *s = r->p + r->i;
    r->i += k;
    return s;
}

static void say(char *why, size_t whylen, const char *s)
{
    if (why && whylen) snprintf(why, whylen, "%s", s);
}

/* Copies a reason (k bytes, any content) into why, turning control bytes
 * and NULs into spaces. */
static void reason(char *why, size_t whylen, const char *s, size_t k)
{
    if (!why || !whylen) return;
    size_t o = 0;
    for (size_t i = 0; i < k && o + 1 < whylen; i++) {
        unsigned char c = (unsigned char)s[i];
        why[o++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    why[o] = '\0';
}

int ex_wire_decode(const char *p, size_t n, size_t max_text, ex_doc **out,
                   char *why, size_t whylen)
{
    *out = NULL;
    rd r = {p, n, 0, 0};
    int32_t rc = (int32_t)get32(&r);
    uint32_t k = get32(&r);
    if (r.bad || k > EX_WIRE_REASON_MAX) goto bad;
    const char *rs = take(&r, k);
    if (r.bad) goto bad;
    if (rc != EX_OK) {
        if (rc > 0 || rc < EX_ENOOCR || r.i != n) goto bad;
        reason(why, whylen, rs, k);
        if (k == 0) say(why, whylen, ex_strerror(rc));
        return rc;
    }
    uint32_t type = get32(&r), paged = get32(&r);
    if (r.bad || type < EX_TYPE_PDF || type > EX_TYPE_IMAGE || paged > 1)
        goto bad;

    /* First pass: check every record and size the string block. */
    size_t start = r.i, npages = 0, strings = 0, text = 0;
    uint32_t runlen = 0;
    for (;;) {
        const char *tag = take(&r, 1);
        if (!tag) goto bad;
        if (*tag == 'E') {
            uint32_t count = get32(&r);
            runlen = get32(&r);
            const char *run = take(&r, runlen);
            if (r.bad || count != npages || r.i != n) goto bad;
            if (memchr(run, '\0', runlen)) goto bad;
            break;
        }
        if (*tag != 'P') goto bad;
        uint32_t num = get32(&r), flags = get32(&r);
        int32_t conf = (int32_t)get32(&r);
        uint32_t ll = get32(&r);
        if (r.bad) goto bad;
        if (paged ? num != npages + 1 : (num != 0 || npages > 0)) goto bad;
        if (flags & ~(EX_PAGE_NO_TEXT | EX_PAGE_BLANK | EX_PAGE_RUNS_ON |
                      EX_PAGE_OCR | EX_PAGE_FAILED))
            goto bad;
        /* A failed page is an unread scan; a page read by OCR is not. */
        if ((flags & EX_PAGE_FAILED) && !(flags & EX_PAGE_NO_TEXT)) goto bad;
        if ((flags & EX_PAGE_OCR) && (flags & EX_PAGE_NO_TEXT)) goto bad;
        if ((flags & EX_PAGE_OCR) ? conf < 0 || conf > 100 : conf != -1)
            goto bad;
        if (ll != 0xFFFFFFFFu) {
            if (!paged || ll > EX_WIRE_LABEL_MAX) goto bad;
            const char *lab = take(&r, ll);
            if (r.bad || memchr(lab, '\0', ll)) goto bad;
            strings += (size_t)ll + 1;
        }
        uint32_t tl = get32(&r);
        const char *t = take(&r, tl);
        if (r.bad || memchr(t, '\0', tl)) goto bad;
        uint32_t wl = get32(&r);
        const char *wy = take(&r, wl);
        if (r.bad || wl > EX_WIRE_REASON_MAX || memchr(wy, '\0', wl))
            goto bad;
        if ((flags & EX_PAGE_FAILED) ? wl == 0 : wl != 0) goto bad;
        strings += wl ? (size_t)wl + 1 : 0;
        text += tl;
        if (text > max_text) {
            say(why, whylen, "the document reader sent more text than "
                             "the text limit");
            return EX_EIO;
        }
        strings += (size_t)tl + 1;
        npages++;
    }
    if (npages == 0) goto bad;

    /* Second pass: copy. */
    ex_doc *d = calloc(1, sizeof *d);
    ex_page *pages = calloc(npages, sizeof *pages);
    char *block = malloc((size_t)runlen + 1 + strings);
    if (!d || !pages || !block) {
        free(d);
        free(pages);
        free(block);
        return EX_ENOMEM;
    }
    d->type = (ex_type)type;
    d->paged = (int)paged;
    d->npages = npages;
    d->pages = pages;
    d->running = block;
    char *o = block + runlen + 1;
    r.i = start;
    for (size_t i = 0; i < npages; i++) {
        ex_page *pg = &pages[i];
        (void)take(&r, 1);
        pg->number = get32(&r);
        pg->flags = get32(&r);
        pg->ocr_confidence = (int32_t)get32(&r);
        uint32_t ll = get32(&r);
        if (ll != 0xFFFFFFFFu) {
            memcpy(o, take(&r, ll), ll);
            o[ll] = '\0';
            pg->label = o;
            o += ll + 1;
        }
        uint32_t tl = get32(&r);
        const char *t = take(&r, tl);
        if (tl) memcpy(o, t, tl);
        o[tl] = '\0';
        pg->text = o;
        pg->len = tl;
        o += tl + 1;
        uint32_t wl = get32(&r);
        const char *wy = take(&r, wl);
        if (wl) {
            memcpy(o, wy, wl);
            o[wl] = '\0';
            pg->why = o;
            o += wl + 1;
        }
    }
    (void)take(&r, 1);
    (void)get32(&r);
    (void)get32(&r);
    const char *run = take(&r, runlen);
    if (runlen) memcpy(block, run, runlen);
    block[runlen] = '\0';
    d->running_len = runlen;
    *out = d;
    return EX_OK;
bad:
    say(why, whylen, "the document reader sent a malformed answer");
    return EX_EIO;
}

int ex_wire_decode_status(const char *p, size_t n, char *why, size_t whylen)
{
    rd r = {p, n, 0, 0};
    int32_t rc = (int32_t)get32(&r);
    uint32_t k = get32(&r);
    const char *rs = k <= EX_WIRE_REASON_MAX ? take(&r, k) : NULL;
    if (r.bad || !rs || r.i != n || rc > 0 || rc < EX_ENOOCR) {
        say(why, whylen, "the document reader sent a malformed answer");
        return EX_EIO;
    }
    reason(why, whylen, rs, k);
    if (k == 0 && rc != EX_OK) say(why, whylen, ex_strerror(rc));
    return rc;
}
