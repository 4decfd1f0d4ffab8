/*
 * sv_ocrmodel.h — a learned model of how OCR damages Swedish words: the
 * cost of reading a document's form as a clean form, from edit
 * probabilities learned from aligned clean and OCR'd text (issue 37).
 *
 * Where it sits: stemmer/, beside sv_ocr.h, whose hand-set confusion
 * costs it replaces for forms typed as they are spelled (query/dq_expand.c;
 * a form typed without å/ä/ö still goes through sv_confusion_cost).
 *
 * The model is a noisy channel of string edits (Brill and Moore, 2000): a
 * clean string alpha of one or two letters read as a string beta of up to
 * three (ä -> a, ä -> ai, ö -> "", rn -> m, li -> u, fö -> fé, l -> i),
 * each with its cost -ln P(beta | alpha), learned by
 * tools/ocrmodel/train.py into the generated table sv_ocrmodel_tab.c.
 * An edit the table does not hold costs a backoff cost by its kind
 * (substitution, insertion, deletion of one letter), also learned. The
 * cost of a reading is that of its cheapest segmentation into edits and
 * unchanged letters (which cost 0).
 */
#ifndef DIARIUM_SV_OCRMODEL_H
#define DIARIUM_SV_OCRMODEL_H

#include <stddef.h>
#include <stdint.h>

/* One edit of the table: clean code points (nclean of 1 or 2, as
 * key = clean[0] * SV_OCRMODEL_KEY + clean[1], clean[1] = 0 for one) read
 * as read[0..nread). The table is sorted by key, then cost. */
#define SV_OCRMODEL_KEY 0x110000u

typedef struct sv_ocrmodel_rule {
    uint64_t key;
    int read[3];
    unsigned char nclean, nread;
    float cost;
} sv_ocrmodel_rule;

/* The generated table (sv_ocrmodel_tab.c). */
extern const sv_ocrmodel_rule sv_ocrmodel_rules[];
extern const size_t sv_ocrmodel_nrules;
extern const double sv_ocrmodel_backoff_sub;
extern const double sv_ocrmodel_backoff_del;
extern const double sv_ocrmodel_backoff_ins;

/* The cost of reading document form d (dlen bytes, normalised UTF-8) as
 * clean form q: >= 0, 0 for identical forms; a value > limit as soon as it
 * is known to exceed limit (and for forms longer than 80 code points). */
double sv_ocrmodel_cost(const char *q, size_t qlen, const char *d,
                        size_t dlen, double limit);

/* A lower bound of sv_ocrmodel_cost(q, ..., d, dlen, limit) for every q
 * that starts with the plen bytes p, or a value > limit as soon as it is
 * known to exceed limit (0 when no bound is known). */
double sv_ocrmodel_prefix(const char *p, size_t plen, const char *d,
                          size_t dlen, double limit);

/* How much a reading of clean form q may cost to be accepted (grows with
 * its length). */
double sv_ocrmodel_budget(const char *q, size_t qlen);

/* The model's edits that change a form's skeleton (sv_skeleton) and cost
 * at most max_cost, cheapest first: calls fn(ctx, clean, read) with both
 * as NUL-terminated UTF-8, for at most `most` of them. For looking up
 * spellings that a skeleton alone does not find. Returns 0 or fn's
 * non-zero value. */
typedef int (*sv_ocrmodel_edit_fn)(void *ctx, const char *clean,
                                   const char *read, double cost);
int sv_ocrmodel_respells(double max_cost, size_t most, sv_ocrmodel_edit_fn fn,
                         void *ctx);

#endif /* DIARIUM_SV_OCRMODEL_H */
