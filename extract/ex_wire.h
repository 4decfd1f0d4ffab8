/*
 * ex_wire.h — what the caller and the worker say to each other over their
 * socket (private to extract/).
 *
 * Where it sits: ex_reader.c (the caller's side) writes requests and reads
 * answers; ex_main.c (the worker) reads requests and writes answers, which
 * ex_pdf.c and ex_office.c build page by page. The caller treats every
 * answer as untrusted input: ex_wire_decode checks every length against
 * what it received and against the limits before it copies anything.
 *
 * All integers are big-endian.
 *   request  "EXRQ", u32 kind, u32 type (ex_type), u32 ocr (ex_ocr_mode),
 *            u32 page, u32 reuse, u32 lang length, u32 given pages,
 *            u64 n; then the lang (ASCII, no NUL; 0 bytes: "swe"); then
 *            each given page, u32 length and its bytes (ex_scan.h); then
 *            n bytes: the file (none when reuse is 1: the file of the
 *            worker's previous request again).
 *     kind 'D': read the document; 'O': read page `page` by OCR (the
 *     answer's body then has no document: rc and reason only, the page
 *     came in a page frame); 'M': say what OCR with lang reads with (no
 *     file: n is 0, and the file of the request before stays for a
 *     reuse; the answer's reason is the model string when rc is EX_OK).
 *   while reading, the worker sends, for each page it reads by OCR,
 *            "EXPG", u64 4, u32 page    (it starts on the page: the
 *                                        caller's wall clock starts again)
 *            "EXSP", u64 n, n bytes     (the page read, ex_scan.h)
 *   answer   "EXRS", u64 n, then n bytes of body:
 *     i32 rc (EX_*), u32 k, k bytes of reason (UTF-8, no NUL);
 *     when rc is EX_OK and the request was 'D': u32 type, u32 paged, then
 *     one record per page
 *       'P', u32 number, u32 flags, i32 ocr_confidence,
 *            u32 label length (0xFFFFFFFF: no label), the label,
 *            u32 text length, the text (UTF-8, no NUL),
 *            u32 why length, why (only EX_PAGE_FAILED pages have one)
 *     and one end record
 *       'E', u32 pages (the count of 'P' records), u32 k, k bytes of the
 *            running headers and footers.
 * Page numbers of a paged document are 1, 2, 3, … in order; a page-less
 * one has one page, number 0, and no label.
 */
#ifndef DIARIUM_EX_WIRE_H
#define DIARIUM_EX_WIRE_H

#include "ex.h"

#include <stddef.h>
#include <stdint.h>

#define EX_WIRE_REQUEST "EXRQ"
#define EX_WIRE_ANSWER "EXRS"
#define EX_WIRE_PAGE_BEGIN "EXPG"
#define EX_WIRE_PAGE_SCAN "EXSP"
#define EX_WIRE_HEAD 12            /* magic and one length */
#define EX_WIRE_REQUEST_HEAD 40    /* magic, seven u32, a u64 */
#define EX_WIRE_LABEL_MAX 256      /* longest page label kept (bytes) */
#define EX_WIRE_REASON_MAX 512     /* longest reason kept (bytes) */
#define EX_WIRE_SCAN_MAX ((size_t)64 << 20) /* longest page frame */
#define EX_WIRE_GIVEN_MAX 100000u  /* given pages in one request */

/* Request kinds. */
enum { EX_WIRE_READ = 'D', EX_WIRE_OCR_PAGE = 'O', EX_WIRE_MODEL = 'M' };

/* A request's head, decoded. */
typedef struct ex_wire_req {
    uint32_t kind, type, ocr, page, reuse, langlen, ngiven;
    uint64_t len;
} ex_wire_req;

/* Writes a request's head (EX_WIRE_REQUEST_HEAD bytes) into p. */
void ex_wire_req_head(char *p, const ex_wire_req *q);

/* Decodes a request's head; 0, or -1 when it is not one (bad magic, a
 * kind, type or mode this build does not know). */
int ex_wire_req_parse(const char *p, ex_wire_req *q);

/* An answer being written (worker side). Appending functions do nothing
 * once `oom` is set. */
typedef struct ex_wbuf {
    char *p;
    size_t n, cap;
    int oom;
    uint32_t pages;
} ex_wbuf;

/* Starts a successful answer for a document of `type` (paged or not). */
void ex_wire_begin(ex_wbuf *w, ex_type type, int paged);

/* Adds the next page. label and why may be NULL; text is len bytes. */
void ex_wire_page(ex_wbuf *w, unsigned number, const char *label,
                  const char *text, size_t len, unsigned flags,
                  int ocr_confidence, const char *why);

/* Ends a successful answer with the running headers and footers. */
void ex_wire_end(ex_wbuf *w, const char *running, size_t len);

/* Replaces whatever w holds with a failed answer: rc and its reason.
 * (An answer to 'O' or 'M' is one of these, with rc EX_OK.) */
void ex_wire_fail(ex_wbuf *w, int rc, const char *why);

/* The answer's frame (EX_WIRE_HEAD bytes) is written in front of the body
 * by ex_wire_frame once the body is complete: w->p then holds the whole
 * message, w->n bytes. */
void ex_wire_frame(ex_wbuf *w);

/* Decodes an answer body (n bytes at p, without its frame). On success
 * returns EX_OK with *out the document, or the answer's own failure code
 * with its reason in why (whylen bytes). A body that breaks the format,
 * or holds more than max_text bytes of text, gives EX_EIO and a reason
 * saying so (*out NULL). EX_ENOMEM. */
int ex_wire_decode(const char *p, size_t n, size_t max_text, ex_doc **out,
                   char *why, size_t whylen);

/* Decodes the body of an answer to 'O' or 'M' (n bytes at p): returns its
 * rc with its reason in why (the model string of an 'M' answer), or
 * EX_EIO for a body that breaks the format. */
int ex_wire_decode_status(const char *p, size_t n, char *why, size_t whylen);

static inline void ex_put32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
}

static inline void ex_put64(char *p, uint64_t v)
{
    ex_put32(p, (uint32_t)(v >> 32));
    ex_put32(p + 4, (uint32_t)v);
}

static inline uint32_t ex_get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
           (uint32_t)u[2] << 8 | (uint32_t)u[3];
}

static inline uint64_t ex_get64(const char *p)
{
    return (uint64_t)ex_get32(p) << 32 | ex_get32(p + 4);
}

#endif /* DIARIUM_EX_WIRE_H */
