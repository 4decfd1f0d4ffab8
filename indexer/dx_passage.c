/*
 * dx_passage.c — paragraphs to passages (see dx_passage.h).
 */
#include "dx_passage.h"

#include <stdlib.h>
#include <string.h>

typedef struct spans {
    dx_span *v;
    size_t n, cap;
} spans;

static int push(spans *s, size_t start, size_t end)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        dx_span *v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].start = start;
    s->v[s->n].end = end;
    s->n++;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A heading: one line, short, not ending like a sentence. */
static int is_heading(const char *t, size_t start, size_t end)
{
    if (end - start > 80) return 0;
    if (memchr(t + start, '\n', end - start)) return 0;
    char last = t[end - 1];
    return last != '.' && last != ',' && last != ';';
}

/* Moves i back to the start of a UTF-8 sequence. */
static size_t char_start(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80) i--;
    return i;
}

/* Cuts [start, end) into overlapping windows. */
static int windows(const char *t, size_t start, size_t end, spans *out)
{
    size_t s = start;
    for (;;) {
        if (end - s <= DX_PASSAGE_MAX - DX_PASSAGE_OVERLAP)
            return push(out, s, end);
        size_t limit = s + DX_PASSAGE_WINDOW, cut = 0;
        /* Prefer a sentence end in the second half of the window. */
        for (size_t i = limit; i > s + DX_PASSAGE_WINDOW / 2; i--)
            if ((t[i - 1] == '.' || t[i - 1] == '?' || t[i - 1] == '!') &&
                is_space(t[i])) {
                cut = i;
                break;
            }
        if (!cut)
            for (size_t i = limit; i > s + DX_PASSAGE_WINDOW / 2; i--)
                if (is_space(t[i])) { cut = i; break; }
        if (!cut) cut = char_start(t, limit);
        size_t e = cut;
        while (e > s && is_space(t[e - 1])) e--;
        if (push(out, s, e) != 0) return -1;
        /* The next window starts at a word start about OVERLAP back. */
        size_t ns = cut > s + DX_PASSAGE_OVERLAP ? cut - DX_PASSAGE_OVERLAP
                                                 : cut;
        while (ns < cut && !is_space(t[ns])) ns++;
        while (ns < end && is_space(t[ns])) ns++;
        if (ns <= s) ns = cut; /* always make progress */
        s = ns;
        if (s >= end) return 0;
    }
}

int dx_passages(const char *t, size_t len, dx_span **out, size_t *n)
{
    spans paras = {0}, res = {0};
    *out = NULL;
    *n = 0;

    /* Paragraphs: runs of lines separated by blank lines. */
    size_t i = 0;
    while (i < len) {
        while (i < len && is_space(t[i])) i++;
        if (i >= len) break;
        size_t start = i, end = i;
        while (i < len) {
            size_t eol = i;
            while (eol < len && t[eol] != '\n') eol++;
            size_t e = eol;
            while (e > i && is_space(t[e - 1])) e--;
            if (e == i && i != start) break; /* blank line */
            end = e > end ? e : end;
            i = eol < len ? eol + 1 : eol;
        }
        if (end > start && push(&paras, start, end) != 0) goto oom;
    }

    /* Merge headings and short paragraphs; window long ones. */
    for (size_t k = 0; k < paras.n;) {
        size_t start = paras.v[k].start, end = paras.v[k].end;
        size_t next = k + 1;
        while (next < paras.n) {
            /* A heading always joins the text under it; otherwise merge
             * while the passage is short and the result not too long. */
            if (!is_heading(t, start, end) &&
                (end - start >= DX_PASSAGE_MIN ||
                 paras.v[next].end - start > DX_PASSAGE_TARGET))
                break;
            end = paras.v[next].end;
            next++;
        }
        if (end - start > DX_PASSAGE_MAX) {
            if (windows(t, start, end, &res) != 0) goto oom;
        } else if (push(&res, start, end) != 0) {
            goto oom;
        }
        k = next;
    }
    free(paras.v);
    *out = res.v;
    *n = res.n;
    return DX_OK;
oom:
    free(paras.v);
    free(res.v);
    return DX_ENOMEM;
}
