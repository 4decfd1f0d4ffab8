/*
 * dq_expand.c — OCR- and diacritic-tolerant expansion of a query word
 * against the index vocabulary (see dq_expand.h).
 */
#include "dq_expand.h"
#include "dx_format.h"

#include "sv.h"

#include "sv_ocr.h"
#include "sv_ocrmodel.h"
#include "sv_token.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
    char form[SV_TOKEN_MAX + 40];
    size_t flen;
    char skel[SV_SKELETON_MAX];
    size_t slen;
    double budget;       /* read as typed: a, o and e are themselves */
    double loose_budget; /* read as typed without å/ä/ö */
    int valid; /* 1: stems to its base; 0: not yet known; -1: no */
    int base;  /* 0: the word's stem; 1, 2: the stem + "an", + "et" */
    int stemmed; /* starts with the stem (every form Snowball reduces to
                    it does; checked, not assumed) */
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
    const char *stem;
    size_t stemlen; /* every form starts with the stem: its byte length */
    size_t cut;     /* skel is the skeleton of the stem's first cut bytes */
    char skel[SV_SKELETON_MAX];
    size_t slen;
    int base;       /* base of the forms being added */
} cands;

/* Snowball 2.2 keeps the definite endings -an and -et (skolan, betyget
 * stem to themselves), but a researcher who asks for "skola" or "betyg"
 * means them too: their forms are accepted at this small cost, so that
 * the word's own forms still rank first. */
#define DEFINITE_COST 0.1
static const char *const definite[] = {"", "an", "et"};

/* Room for one more candidate at c->v[c->n] (not counted yet); `first`:
 * the capacity of an empty list. */
static int cand_room(cands *c, size_t first)
{
    if (c->n < c->cap) return DQ_OK;
    size_t cap = c->cap ? c->cap * 2 : first;
    cand *v = realloc(c->v, cap * sizeof *v);
    if (!v) return DQ_ENOMEM;
    c->v = v;
    c->cap = cap;
    return DQ_OK;
}

static int add_cand(void *p, const char *form, size_t len)
{
    cands *c = p;
    if (len >= sizeof c->v[0].form) return 0;
    if (cand_room(c, 512) != DQ_OK) return DQ_ENOMEM;
    cand *k = &c->v[c->n];
    k->stemmed = len >= c->stemlen && memcmp(form, c->stem, c->stemlen) == 0;
    k->slen = k->stemmed && c->slen
                ? sv_skeleton_extend(form, len, c->cut, c->skel, c->slen,
                                     k->skel, sizeof k->skel)
                : sv_skeleton(form, len, k->skel, sizeof k->skel);
    if (!k->slen) return 0;
    memcpy(k->form, form, len);
    k->form[len] = '\0';
    k->flen = len;
    k->budget = -1; /* computed when the index has a form to compare */
    k->valid = c->n == 0 ? 1 : 0; /* the word itself stems to its stem */
    k->base = c->base;
    c->n++;
    return 0;
}

static int has_swedish_letter(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if ((unsigned char)s[i] == 0xC3 &&
            ((unsigned char)s[i + 1] == 0xA5 ||
             (unsigned char)s[i + 1] == 0xA4 ||
             (unsigned char)s[i + 1] == 0xB6))
            return 1;
    return 0;
}

/* OCR without a Swedish model sometimes drops an å, ä or ö altogether
 * ("frordningen", "fr" for "för"), reads an ö as s or g ("svergrepp",
 * "fgrekommer"), "li" as one U ("Ukvardigheten"), or, in a blurred line,
 * an i as t, l as j, h as b or b as h ("untonen", "jedning",
 * "verksambet"); sv_confusion_cost charges each.
 * The skeleton then differs (a V lost, or a consonant where a V was, or
 * another consonant), so the lookup by skeleton never sees the damaged
 * spelling. So the forms known to be inflections after the first lookup
 * (the word itself, and those an index form matched: valid == 1) are
 * looked up again, under the skeleton of the form with one such letter
 * respelled (one at a time), as a copy that keeps the form itself. Only
 * those: an inflection that the index holds in no other spelling is not
 * sought this way, which keeps the second lookup to a few skeletons
 * instead of every suffix form; and the consonants, being common, only in
 * the query word itself (in every inflection they made the slowest bench
 * query 9 % slower). The budget keeps a consonant (0.5) out of words of
 * three letters typed as they are (0.45). An "li" is rarer and respelled
 * in every inflection: the U of eval-dev stands in other inflections than
 * the one typed ("ukvardigheten" for "likvärdighet"), and the 25 bench
 * queries took no longer. */
typedef struct respell {
    const char *letter; /* UTF-8 */
    const char *as[3];  /* what OCR writes for it (NULL ends) */
    int word_only;      /* only in the query word itself, not in the
                           other inflections (see add_respelled) */
} respell;

static const respell respells[] = {
    {"\xc3\xa5", {"", NULL}, 0},     /* å dropped */
    {"\xc3\xa4", {"", NULL}, 0},     /* ä dropped */
    {"\xc3\xb6", {"", "s", "g"}, 0}, /* ö dropped, or read as s or g */
    {"i", {"t", NULL}, 1},          /* untonen */
    {"l", {"j", NULL}, 1},          /* jedning */
    {"h", {"b", NULL}, 1},          /* verksambet */
    {"b", {"h", NULL}, 1},          /* krisheredskap */
    {"li", {"u", NULL}, 0},         /* ukvardigheten */
};

/* Adds to `to` a copy of base under the skeleton of its form with the ll
 * bytes at i written as `by`; not when that leaves one letter ("p" for
 * "på": anything) or the skeleton stays the same (found already). */
static int add_skel_of(cands *to, const cand *base, size_t i, size_t ll,
                       const char *by)
{
    size_t bl = strlen(by);
    char w[sizeof base->form + 4];
    if (base->flen - ll + bl >= sizeof w) return DQ_OK;
    memcpy(w, base->form, i);
    memcpy(w + i, by, bl);
    memcpy(w + i + bl, base->form + i + ll, base->flen - i - ll);
    size_t wl = base->flen - ll + bl;
    char sk[SV_SKELETON_MAX];
    size_t kl = wl >= 2 ? sv_skeleton(w, wl, sk, sizeof sk) : 0;
    if (!kl || (kl == base->slen && memcmp(sk, base->skel, kl) == 0))
        return DQ_OK;
    if (cand_room(to, 16) != DQ_OK) return DQ_ENOMEM;
    cand *d = &to->v[to->n++];
    *d = *base;
    memcpy(d->skel, sk, kl + 1);
    d->slen = kl;
    return DQ_OK;
}

/* One respelling to look up: clean bytes written as read bytes. */
typedef struct edit {
    char clean[16], read[16];
    int word_only;
} edit;

/* The model's respellings: at most RESPELL_MOST of its edits that change
 * the skeleton, cheapest first, of cost at most RESPELL_COST (nats; about
 * the budget of a word of nine letters: a dearer edit leaves a shorter
 * word no room). */
#define RESPELL_MOST 24
#define RESPELL_COST 6.5

typedef struct edits {
    edit v[RESPELL_MOST + 16];
    size_t n;
} edits;

/* rule_edits writes up to three readings of every hand-set respelling. */
_Static_assert(sizeof respells / sizeof *respells * 3 <=
                   sizeof ((edits *)0)->v / sizeof ((edits *)0)->v[0],
               "edits has room for every hand-set respelling");

/* The hand-set respellings of the table above. */
static void rule_edits(edits *e)
{
    e->n = 0;
    for (size_t r = 0; r < sizeof respells / sizeof *respells; r++)
        for (size_t a = 0; a < 3 && respells[r].as[a]; a++) {
            edit *x = &e->v[e->n++];
            strcpy(x->clean, respells[r].letter);
            strcpy(x->read, respells[r].as[a]);
            x->word_only = respells[r].word_only;
        }
}

/* An edit of the model as a respelling: a likely one (at most
 * RESPELL_EVERY) that damages an å, ä or ö is looked up in every
 * inflection, any other (a consonant, a common letter, a rarer damage)
 * only in the query word itself, as the hand-set ones: every respelling
 * of every inflection is one more skeleton to look up, and looking up
 * those of the rarer ones too made the bench queries 1.5 times slower. */
#define RESPELL_EVERY 4.5

static int model_edit(void *p, const char *clean, const char *read,
                      double cost)
{
    edits *e = p;
    size_t cl = strlen(clean), rl = strlen(read);
    if (e->n == sizeof e->v / sizeof *e->v || cl >= sizeof e->v[0].clean ||
        rl >= sizeof e->v[0].read)
        return 0;
    edit *x = &e->v[e->n++];
    memcpy(x->clean, clean, cl + 1);
    memcpy(x->read, read, rl + 1);
    x->word_only = !has_swedish_letter(clean, cl) || cost > RESPELL_EVERY;
    return 0;
}

static int add_respelled(const cands *from, const char *w, size_t len,
                         const edits *e, cands *to)
{
    for (size_t k = 0; k < from->n; k++) {
        const cand *base = &from->v[k];
        if (base->valid != 1) continue;
        int word = base->flen == len && memcmp(base->form, w, len) == 0;
        for (size_t i = 0; i < base->flen; i++) {
            for (size_t r = 0; r < e->n; r++) {
                const edit *x = &e->v[r];
                size_t ll = strlen(x->clean);
                if ((x->word_only && !word) || i + ll > base->flen ||
                    memcmp(base->form + i, x->clean, ll) != 0)
                    continue;
                if (add_skel_of(to, base, i, ll, x->read) != DQ_OK)
                    return DQ_ENOMEM;
            }
        }
    }
    return DQ_OK;
}

/* Keeps of the variants from `from` on those found in at most own + 1
 * passages (with damaged_only: drops only damaged ones), where own counts
 * the word's spellings found before. Damage is one of many kinds in each
 * passage it touches, so a damaged spelling is rarer than the word in all
 * its other spellings; one that is commoner is another word that happens
 * to look alike: "ska" (305 passages of eval-dev) is not "söka" (3), nor
 * "nu" (49) "ännu" (5), "den" (270) "denna" (24) or "vid" (74) "våld"
 * (10). (+ 1: a single passage is kept when the index holds the word in
 * no other spelling.) */
static void keep_rarer(dq_variants *out, size_t from, unsigned long own,
                       int damaged_only)
{
    size_t k = from;
    for (size_t i = from; i < out->n; i++) {
        if ((out->v[i].damaged || !damaged_only) &&
            out->v[i].freq > own + 1) {
            free(out->v[i].term);
            continue;
        }
        out->v[k++] = out->v[i];
    }
    out->n = k;
}

/* The passages of the variants from `from` on (of the undamaged ones with
 * undamaged_only; a passage with two of them counts twice). */
static unsigned long own_freq(const dq_variants *out, size_t from,
                              int undamaged_only)
{
    unsigned long own = 0;
    for (size_t i = from; i < out->n; i++)
        if (!undamaged_only || !out->v[i].damaged) own += out->v[i].freq;
    return own;
}

/* Candidates by skeleton, the word itself first, then as made. */
static int by_skel(const cand *x, const cand *y)
{
    int d = strcmp(x->skel, y->skel);
    if (d) return d;
    if (x->valid != y->valid) return x->valid > y->valid ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int by_skel_ptr(const void *a, const void *b)
{
    return by_skel(*(const cand *const *)a, *(const cand *const *)b);
}

static void swap_ptr(cand **a, cand **b)
{
    cand *t = *a;
    *a = *b;
    *b = t;
}

/* Sorts p[0, n) by_skel with a three-way radix quicksort on the skeleton
 * bytes (NUL-terminated; the candidates share the stem's skeleton, which a
 * comparison sort would compare again and again); equal skeletons are then
 * ordered by by_skel's tie-break. Every skeleton in p[0, n) has the same
 * first d bytes. The equal part is followed in the loop; the recursion on
 * the others is at most n deep (a few hundred candidates). */
static void sort_skel(cand **p, size_t n, size_t d)
{
    while (n > 1) {
        int pivot = (unsigned char)p[n / 2]->skel[d];
        size_t lt = 0, i = 0, gt = n; /* [0,lt) < [lt,i) = ... [gt,n) > */
        while (i < gt) {
            int c = (unsigned char)p[i]->skel[d];
            if (c < pivot) swap_ptr(&p[lt++], &p[i++]);
            else if (c > pivot) swap_ptr(&p[i], &p[--gt]);
            else i++;
        }
        sort_skel(p, lt, d);
        sort_skel(p + gt, n - gt, d);
        if (pivot == 0) { /* identical skeletons: by_skel decides */
            qsort(p + lt, gt - lt, sizeof *p, by_skel_ptr);
            return;
        }
        p += lt; /* the equal part, one byte deeper */
        n = gt - lt;
        d++;
    }
}

/* Sorts the candidates by_skel: pointers are sorted, then the structs
 * (some 300 bytes each) moved once. */
static int sort_cands(cands *c)
{
    cand **p = malloc(c->n * sizeof *p);
    cand *v = malloc(c->n * sizeof *v);
    if (!p || !v) {
        free(p);
        free(v);
        return DQ_ENOMEM;
    }
    for (size_t i = 0; i < c->n; i++) p[i] = &c->v[i];
    sort_skel(p, c->n, 0);
    for (size_t i = 0; i < c->n; i++) v[i] = *p[i];
    free(p);
    free(c->v);
    c->v = v;
    c->cap = c->n;
    return DQ_OK;
}

static int by_cost(const void *a, const void *b)
{
    const dq_variant *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? -1 : 1;
    if (x->freq != y->freq) return x->freq > y->freq ? -1 : 1;
    return strcmp(x->term, y->term);
}

static int push_variant(dq_variants *out, const char *form, size_t fl,
                        double cost, unsigned freq, int definite, int damaged)
{
    for (size_t i = 0; i < out->n; i++) /* already there (another word) */
        if (out->v[i].formlen == fl && memcmp(out->v[i].form, form, fl) == 0) {
            if (cost < out->v[i].cost) out->v[i].cost = cost;
            if (!damaged) out->v[i].damaged = 0;
            return DQ_OK;
        }
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        dq_variant *v = realloc(out->v, cap * sizeof *v);
        if (!v) return DQ_ENOMEM;
        out->v = v;
        out->cap = cap;
    }
    char *copy = malloc(fl + 2);
    if (!copy) return DQ_ENOMEM;
    copy[0] = DX_PREFIX_FORM;
    memcpy(copy + 1, form, fl);
    copy[fl + 1] = '\0';
    dq_variant *v = &out->v[out->n++];
    v->term = copy;
    v->len = fl + 1;
    v->form = copy + 1;
    v->formlen = fl;
    v->cost = cost;
    v->freq = freq;
    v->definite = definite;
    v->damaged = damaged;
    return DQ_OK;
}

/* Whether candidate k stems to its base (the stem, or the definite stem),
 * asked of Snowball once. Returns DQ_OK or DQ_ENOMEM. */
static int check_valid(sv_stemmer *st, const char *stem, size_t sl, cand *k)
{
    if (k->valid != 0) return DQ_OK;
    char base[SV_TOKEN_MAX + 4];
    const char *r;
    size_t rl, bl = sl + strlen(definite[k->base]);
    memcpy(base, stem, sl);
    memcpy(base + sl, definite[k->base], bl - sl);
    if (sv_stem(st, k->form, k->flen, &r, &rl) != SV_OK) return DQ_ENOMEM;
    k->valid = rl == bl && memcmp(r, base, bl) == 0 ? 1 : -1;
    return DQ_OK;
}

/* The candidates [i, j) share skeleton; is index form d one of them, read
 * through OCR? Checks with Snowball, once per candidate, that a candidate
 * really is an inflection before accepting it. */
static int match_group(sv_stemmer *st, const char *stem, size_t sl, cand *v,
                       size_t i, size_t j, const char *d, size_t dl,
                       int exact, size_t stemlen, int model, double *best,
                       int *is_definite)
{
    size_t stem_bytes = sl; /* every candidate starts with the stem */
    double maxlim = 0;
    *best = 1e9;
    for (size_t k = i; k < j; k++) {
        /* d itself, if it is an inflection: it costs 0, and no other
         * reading can beat that (only identical forms cost 0). */
        if (v[k].base == 0 && v[k].flen == dl &&
            memcmp(v[k].form, d, dl) == 0) {
            if (check_valid(st, stem, sl, &v[k]) != DQ_OK) return DQ_ENOMEM;
            if (v[k].valid == 1) {
                *best = 0;
                *is_definite = 0;
                return DQ_OK;
            }
        }
        if (v[k].budget < 0) {
            v[k].budget = model ? sv_ocrmodel_budget(v[k].form, v[k].flen)
                                : sv_confusion_budget(v[k].form, v[k].flen, 0);
            v[k].loose_budget = sv_confusion_budget(v[k].form, v[k].flen,
                                                    stem_bytes);
        }
        double lim = exact ? 0 : stemlen ? v[k].loose_budget : v[k].budget;
        if (lim > maxlim) maxlim = lim;
    }
    /* The candidates start with the stem: when no beginning of d reads as
     * the stem within the largest budget, none of them can match. */
    int all_stemmed = 1;
    for (size_t k = i; k < j; k++) all_stemmed &= v[k].stemmed;
    double floor = model && !stemlen
                       ? sv_ocrmodel_prefix(stem, sl, d, dl, maxlim)
                       : sv_confusion_prefix(stem, sl, stemlen, d, dl, maxlim);
    if (floor > maxlim && all_stemmed) return DQ_OK;
    for (size_t k = i; k < j; k++) {
        double lim = exact ? 0 : stemlen ? v[k].loose_budget : v[k].budget;
        if (v[k].stemmed && (floor > lim || floor >= *best)) continue;
        /* Nothing dearer than the best so far can win: prune at it. */
        double cap = lim < *best ? lim : *best;
        double cost = model && !stemlen
                          ? sv_ocrmodel_cost(v[k].form, v[k].flen, d, dl, cap)
                          : sv_confusion_cost(v[k].form, v[k].flen, stemlen,
                                              d, dl, cap);
        if (cost > lim || cost >= *best) continue;
        if (check_valid(st, stem, sl, &v[k]) != DQ_OK) return DQ_ENOMEM;
        if (v[k].base && !exact) cost += DEFINITE_COST;
        if (v[k].valid == 1 && cost < *best && (v[k].base == 0 || !exact)) {
            *best = cost;
            *is_definite = v[k].base != 0;
        }
    }
    return DQ_OK;
}

/* Whether the word may have been typed without å/ä/ö is decided by the
 * index: the readings that need that assumption are kept only when the
 * spellings with å/ä/ö they find, differing from an inflection by accents
 * alone, are more frequent than the word's own spellings ("atgarder" 30
 * passages, "åtgärder" 7252: yes; "har" 30431, "här" 6040: no; "skolan":
 * none with å/ä/ö, so no; "annars": "ändras" is no accented "annars"). */
typedef struct matcher {
    sv_stemmer *st;
    const char *stem;
    size_t sl;
    int exact;
    int may_be_stripped; /* the word has no å/ä/ö */
    size_t stemlen;
    dq_variants *out;
    dq_variants loose;   /* found only by the loose reading */
    int model;           /* typed readings costed by the learned model
                            (sv_ocrmodel.h), not the hand-set costs
                            (dq_expand_model) */
} matcher;


/* The next letter of s (at *i, advanced) without its accent: å, ä -> 'a',
 * ö -> 'o', é -> 'e' (*acc set), any other byte as it is (*acc 0). */
static int unaccented(const char *s, size_t len, size_t *i, int *acc)
{
    unsigned char c = (unsigned char)s[*i];
    *acc = 0;
    if (c == 0xC3 && *i + 1 < len) {
        unsigned char d = (unsigned char)s[*i + 1];
        int r = d == 0xA5 || d == 0xA4 ? 'a' : d == 0xB6 ? 'o'
              : d == 0xA9 ? 'e' : -1;
        if (r >= 0) {
            *i += 2;
            *acc = 1;
            return r;
        }
    }
    (*i)++;
    return c;
}

/* Whether a and b are the same letters but for accents: one lost or added
 * (åtgärder, atgarder), or one accented letter read as another (utgår,
 * utgér). */
static int same_but_accents(const char *a, size_t al, const char *b,
                            size_t bl)
{
    size_t i = 0, j = 0;
    while (i < al && j < bl) {
        int x, y;
        int ca = unaccented(a, al, &i, &x), cb = unaccented(b, bl, &j, &y);
        if (ca != cb && !(x && y)) return 0;
    }
    return i == al && j == bl;
}

/* Whether index form d, matched by a candidate of [i, j), differs from
 * every inflection among them by more than accents. The stem with its
 * final m or n doubled does not (gemensamma for gemensam, programmet for
 * program: Swedish inflections that Snowball keeps apart), unlike other
 * letters (vissa is not visa). */
static int damaged(const matcher *m, const cand *v, size_t i, size_t j,
                   const char *d, size_t dl)
{
    size_t sl = m->sl;
    if (sl >= 2 && dl > sl && memcmp(d, m->stem, sl) == 0 &&
        d[sl] == m->stem[sl - 1] && (d[sl] == 'm' || d[sl] == 'n'))
        return 0;
    for (size_t k = i; k < j; k++)
        if (v[k].valid == 1 && same_but_accents(v[k].form, v[k].flen, d, dl))
            return 0;
    return 1;
}

int dq_form_freq(xc_db *db, const char *form, size_t fl, unsigned *freq,
                 char **err)
{
    char t[SV_TOKEN_MAX + 48];
    *freq = 0;
    if (fl + 1 > sizeof t) return DQ_OK; /* longer than any indexed form */
    t[0] = DX_PREFIX_FORM;
    memcpy(t + 1, form, fl);
    return dq_from_xc(xc_db_termfreq(db, t, fl + 1, freq, err));
}

/* Spelling key t (the iterator's current key; its form after byte sep)
 * against the candidates [i, j); the form's frequency is read only for a
 * form that is kept, and a form no passage holds any more is left out. */
static int consider(matcher *m, cand *v, size_t i, size_t j, const char *t,
                    size_t tl, size_t sep, xc_db *db, char **err)
{
    const char *d = t + sep + 1;
    size_t dl = tl - sep - 1;
    double best;
    int def = 0;
    unsigned freq = 0;
    int rc = match_group(m->st, m->stem, m->sl, v, i, j, d, dl, m->exact, 0,
                         m->model, &best, &def);
    if (rc == DQ_OK && best < 1e9) {
        int dmg = best > 0 && damaged(m, v, i, j, d, dl);
        rc = dq_form_freq(db, d, dl, &freq, err);
        if (rc != DQ_OK || !freq) return rc;
        return push_variant(m->out, d, dl, best, freq, def, dmg);
    }
    if (rc != DQ_OK || m->exact || !m->may_be_stripped) return rc;
    rc = match_group(m->st, m->stem, m->sl, v, i, j, d, dl, 0, m->stemlen,
                     m->model, &best, &def);
    if (rc == DQ_OK && best < 1e9) {
        rc = dq_form_freq(db, d, dl, &freq, err);
        if (rc == DQ_OK && freq)
            rc = push_variant(&m->loose, d, dl, best, freq, def,
                              damaged(m, v, i, j, d, dl));
    }
    return rc;
}

/* Adds the loose readings to the result if the index says the word was
 * probably typed without å/ä/ö. */
static int settle(matcher *m, size_t first)
{
    unsigned long own = 0, swedish = 0;
    for (size_t i = first; i < m->out->n; i++) own += m->out->v[i].freq;
    for (size_t i = 0; i < m->loose.n; i++)
        if (!m->loose.v[i].damaged &&
            has_swedish_letter(m->loose.v[i].form, m->loose.v[i].formlen))
            swedish += m->loose.v[i].freq;
    int rc = DQ_OK;
    if (swedish > own)
        for (size_t i = 0; rc == DQ_OK && i < m->loose.n; i++) {
            const dq_variant *v = &m->loose.v[i];
            rc = push_variant(m->out, v->form, v->formlen, v->cost,
                              v->freq, v->definite, v->damaged);
        }
    dq_variants_free(&m->loose);
    return rc;
}

/* xc_termiter_next with its error as a DQ_* code: 1, 0 at the end, or an
 * error. */
static int next(xc_termiter *it, const char **t, size_t *tl, char **err)
{
    int rc = xc_termiter_next(it, t, tl, NULL, err);
    return rc >= 0 ? rc : dq_from_xc(rc);
}

/* Over a remote database, skeletons that share fewer bytes than this
 * have their keys asked for one skeleton at a time (scan). */
#define REMOTE_MIN_SKELETON 3

/* scan() over a database with a remote part (xc_db_remote): Xapian 1.4's
 * remote backend sends every key under an iterator's prefix when it is
 * opened (all the spelling keys, for scan's one iterator), so each
 * skeleton's keys are listed under their own prefix S<skeleton>\x1f. */
static int scan_remote(xc_db *db, matcher *m, cands *c, char **err)
{
    char prefix[SV_SKELETON_MAX + 2];
    int rc = DQ_OK;
    for (size_t i = 0; rc == DQ_OK && i < c->n;) {
        size_t j = i;
        while (j < c->n && strcmp(c->v[j].skel, c->v[i].skel) == 0) j++;
        prefix[0] = DX_PREFIX_FORM;
        memcpy(prefix + 1, c->v[i].skel, c->v[i].slen);
        prefix[1 + c->v[i].slen] = DX_FORM_SEP;
        size_t plen = c->v[i].slen + 2;
        xc_termiter *it = NULL;
        const char *t = NULL;
        size_t tl = 0;
        rc = dq_from_xc(xc_db_metadata_keys(db, prefix, plen, &it, err));
        while (rc == DQ_OK && (rc = next(it, &t, &tl, err)) == 1)
            rc = consider(m, c->v, i, j, t, tl, plen - 1, db, err);
        if (rc > 0) rc = DQ_OK;
        xc_termiter_free(it);
        i = j;
    }
    return rc;
}

/* Looks up the index forms of each skeleton of c (sorted by_skel),
 * skeleton by skeleton in order, with one iterator over the spelling keys
 * that skips ahead: it never reads the forms in between, which for a
 * short stem are much of the vocabulary. */
static int scan(xc_db *db, matcher *m, cands *c, char **err)
{
    if (c->n == 0) return DQ_OK;
    /* The iterator lists only the keys under the skeletons' common
     * prefix (S and what the first and last skeleton share). Over a
     * remote database that is the list sent (xc_db_remote): when it is
     * short, each skeleton's keys are asked for apart instead. */
    char common[SV_SKELETON_MAX + 2];
    const char *f = c->v[0].skel, *l = c->v[c->n - 1].skel;
    size_t cl = 0;
    while (f[cl] && f[cl] == l[cl]) cl++;
    if (xc_db_remote(db) && cl < REMOTE_MIN_SKELETON)
        return scan_remote(db, m, c, err);
    common[0] = DX_PREFIX_FORM;
    memcpy(common + 1, f, cl);
    char prefix[SV_SKELETON_MAX + 2];
    const char *t = NULL;
    size_t tl = 0;
    int have = 0; /* t holds a term read but not yet looked at */
    xc_termiter *it = NULL;
    int rc = dq_from_xc(xc_db_metadata_keys(db, common, cl + 1, &it, err));
    for (size_t i = 0; rc == DQ_OK && i < c->n;) {
        size_t j = i;
        while (j < c->n && strcmp(c->v[j].skel, c->v[i].skel) == 0) j++;
        prefix[0] = DX_PREFIX_FORM;
        memcpy(prefix + 1, c->v[i].skel, c->v[i].slen);
        prefix[1 + c->v[i].slen] = DX_FORM_SEP;
        size_t plen = c->v[i].slen + 2;
        /* Skip ahead unless the term in hand is at or past the group. */
        if (have != 1 || memcmp(t, prefix, tl < plen ? tl : plen) < 0 ||
            (tl < plen && memcmp(t, prefix, tl) == 0)) {
            rc = dq_from_xc(xc_termiter_skip_to(it, prefix, plen, err));
            if (rc == DQ_OK)
                rc = have = next(it, &t, &tl, err);
        }
        while (rc >= 0 && have == 1 && tl >= plen &&
               memcmp(t, prefix, plen) == 0) {
            rc = consider(m, c->v, i, j, t, tl, plen - 1, db, err);
            if (rc == DQ_OK)
                rc = have = next(it, &t, &tl, err);
        }
        if (rc > 0) rc = DQ_OK;
        if (have == 0) break; /* past the last spelling key */
        i = j;
    }
    if (rc > 0) rc = DQ_OK;
    xc_termiter_free(it);
    return rc;
}

int dq_expand(xc_db *db, sv_stemmer *st, const char *w, size_t len,
              int exact, dq_variants *out, char **err)
{
    cands c = {0};
    const char *s;
    size_t sl;
    char stem[SV_TOKEN_MAX + 1];
    int rc = DQ_OK;
    size_t first = out->n;

    if (len == 0 || len > SV_TOKEN_MAX) return DQ_OK;
    if (sv_stem(st, w, len, &s, &sl) != SV_OK) return DQ_ENOMEM;
    memcpy(stem, s, sl);
    stem[sl] = '\0';
    c.stem = stem;
    c.stemlen = sl; /* Snowball Swedish only ever shortens a word */
    /* The stem's skeleton, once for all its forms (less a final 'r', which
     * may read as part of an "rn" with the suffix). */
    c.cut = sl;
    while (c.cut > 0 && stem[c.cut - 1] == 'r') c.cut--;
    c.slen = c.cut ? sv_skeleton(stem, c.cut, c.skel, sizeof c.skel) : 0;
    if (add_cand(&c, w, len) != 0 ||
        sv_suffix_forms(stem, sl, add_cand, &c) != SV_OK) {
        free(c.v);
        return DQ_ENOMEM;
    }
    /* The definite stem's forms: itself and its genitive (skolan,
     * skolans; betyget, betygets). */
    for (c.base = 1; c.base < 3 && !exact && sl + 3 <= SV_TOKEN_MAX;
         c.base++) {
        char ds[SV_TOKEN_MAX + 2];
        size_t dsl = sl + strlen(definite[c.base]);
        memcpy(ds, stem, sl);
        memcpy(ds + sl, definite[c.base], dsl - sl);
        ds[dsl] = 's';
        if (add_cand(&c, ds, dsl) != 0 || add_cand(&c, ds, dsl + 1) != 0) {
            free(c.v);
            return DQ_ENOMEM;
        }
    }
    if (c.n > 1 && sort_cands(&c) != DQ_OK) {
        free(c.v);
        return DQ_ENOMEM;
    }

    int model = dq_expand_model();
    matcher m = {st, stem, sl, exact, !has_swedish_letter(w, len), c.stemlen,
                 out, {0}, model};
    rc = scan(db, &m, &c, err);
    /* A damaged reading commoner than the word as typed (in its own
     * spellings, with or without accents) is another word; when the index
     * holds none of those, every reading stays (a word typed damaged). */
    unsigned long own = rc == DQ_OK && !exact ? own_freq(out, first, 1) : 0;
    if (own) keep_rarer(out, first, own, 1);
    if (rc == DQ_OK && !exact) { /* spellings OCR respelled */
        size_t had = out->n;
        own = own_freq(out, first, 0);
        cands d = {0};
        edits e;
        if (model) {
            e.n = 0;
            (void)sv_ocrmodel_respells(RESPELL_COST, RESPELL_MOST,
                                       model_edit, &e);
        } else {
            rule_edits(&e);
        }
        rc = add_respelled(&c, w, len, &e, &d);
        if (rc == DQ_OK && d.n > 1) rc = sort_cands(&d);
        if (rc == DQ_OK && d.n) rc = scan(db, &m, &d, err);
        free(d.v);
        keep_rarer(out, had, own, 0);
    }
    free(c.v);
    if (rc == DQ_OK) rc = settle(&m, first);
    dq_variants_free(&m.loose);
    if (rc != DQ_OK) return rc;

    /* Cheapest first; keep at most DQ_MAX_VARIANTS for this word. */
    if (out->n - first > 1)
        qsort(out->v + first, out->n - first, sizeof *out->v, by_cost);
    while (out->n - first > DQ_MAX_VARIANTS) free(out->v[--out->n].term);
    return DQ_OK;
}

int dq_expand_model(void)
{
    const char *e = getenv("DIARIUM_OCR_MODEL");
    return e && strcmp(e, "1") == 0;
}

double dq_expand_budget(const char *w, size_t len)
{
    if (!dq_expand_model()) return sv_confusion_budget(w, len, 0);
    return sv_ocrmodel_budget(w, len);
}

void dq_variants_free(dq_variants *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) free(v->v[i].term);
    free(v->v);
    memset(v, 0, sizeof *v);
}
