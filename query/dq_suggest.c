/*
 * dq_suggest.c — spelling suggestions (see dq_suggest.h).
 */
#include "dq_suggest.h"
#include "dx_format.h"

#include "sv_ocr.h"
#include "sv_text.h"
#include "sv_token.h"

#include <stdlib.h>
#include <string.h>

/* Letters tried for insertion and replacement. */
static const int alphabet[] = {
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
    'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0xE5, 0xE4,
    0xF6, 0xE9};
#define NALPHA (sizeof alphabet / sizeof *alphabet)
#define MAXCP SV_TOKEN_MAX

typedef struct best {
    char form[SV_TOKEN_MAX * 2];
    unsigned freq;
    int found;
} best;

/* Looks candidate c (n code points) up in the index. */
static int try_candidate(xc_db *db, const int *c, size_t n, best *b,
                         char **err)
{
    char form[SV_TOKEN_MAX * 2], skel[SV_SKELETON_MAX];
    char term[SV_SKELETON_MAX + sizeof form + 2];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (len + 4 >= sizeof form) return XC_OK;
        len += sv_utf8_put(c[i], form + len);
    }
    if (len > SV_TOKEN_MAX) return XC_OK;
    size_t kl = sv_skeleton(form, len, skel, sizeof skel);
    if (!kl) return XC_OK;
    term[0] = DX_PREFIX_FORM;
    memcpy(term + 1, skel, kl);
    term[1 + kl] = DX_FORM_SEP;
    memcpy(term + 2 + kl, form, len);
    unsigned f = 0;
    int rc = xc_db_termfreq(db, term, kl + 2 + len, &f, err);
    if (rc != XC_OK) return rc;
    if (f > b->freq) {
        memcpy(b->form, form, len);
        b->form[len] = '\0';
        b->freq = f;
        b->found = 1;
    }
    return XC_OK;
}

int dq_suggest(xc_db *db, const char *w, size_t len, unsigned min_freq,
               char **out, unsigned *freq, char **err)
{
    int q[MAXCP], c[MAXCP + 1];
    size_t n = 0, i = 0;
    best b = {{0}, 0, 0};
    *out = NULL;
    *freq = 0;
    while (i < len && n < MAXCP) q[n++] = sv_utf8_next(w, len, &i);
    if (i < len || n < 3) return XC_OK; /* too long, or too short to guess */
    int rc = XC_OK;
    for (size_t k = 0; rc == XC_OK && k < n; k++) { /* deletion */
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (j != k) c[m++] = q[j];
        rc = try_candidate(db, c, m, &b, err);
    }
    for (size_t k = 0; rc == XC_OK && k + 1 < n; k++) { /* transposition */
        if (q[k] == q[k + 1]) continue;
        memcpy(c, q, n * sizeof *c);
        c[k] = q[k + 1];
        c[k + 1] = q[k];
        rc = try_candidate(db, c, n, &b, err);
    }
    for (size_t k = 0; rc == XC_OK && k < n; k++) /* replacement */
        for (size_t a = 0; rc == XC_OK && a < NALPHA; a++) {
            if (alphabet[a] == q[k]) continue;
            memcpy(c, q, n * sizeof *c);
            c[k] = alphabet[a];
            rc = try_candidate(db, c, n, &b, err);
        }
    for (size_t k = 0; rc == XC_OK && k <= n && n < MAXCP; k++) /* insert */
        for (size_t a = 0; rc == XC_OK && a < NALPHA; a++) {
            memcpy(c, q, k * sizeof *c);
            c[k] = alphabet[a];
            memcpy(c + k + 1, q + k, (n - k) * sizeof *c);
            rc = try_candidate(db, c, n + 1, &b, err);
        }
    if (rc != XC_OK) return rc;
    if (b.found && b.freq >= min_freq) {
        *out = strdup(b.form);
        if (!*out) return XC_ENOMEM;
        *freq = b.freq;
    }
    return XC_OK;
}
