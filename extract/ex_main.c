/*
 * diarium-extract — the document reader of extract/ (see ex.h).
 *
 *   diarium-extract --worker …      the worker: diarium-index starts it
 *                                   (ex_reader.c) and talks to it on fd 3
 *   diarium-extract [OPTION]… FILE… prints the pages of each .pdf, .docx,
 *                                   .odt or image (.tif, .png, .jpg) FILE,
 *                                   read as diarium-index reads them
 *                                   (through a worker with limits; scanned
 *                                   pages by OCR), for people, tests and
 *                                   bench/
 *
 * Exit status: 0 every file read; 1 some file could not be read (each
 * named on stderr with the reason); 2 usage error.
 */
#include "ex.h"
#include "ex_read.h"
#include "ex_scan.h"
#include "ex_wire.h"
#include "ex_worker.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROG "diarium-extract"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " [--json] [--quiet] [--direct] [--no-ocr] [--lang L]\n"
"                       [--cpu S] [--memory MB] [--wall S] [--ocr-seconds S]\n"
"                       [--ocr-megapixels N] [--max-text BYTES] FILE...\n"
"Print the text of each PDF, Word (.docx), OpenDocument (.odt) or scanned\n"
"image (.tif, .tiff, .png, .jpg, .jpeg) FILE, page by page, as\n"
"diarium-index reads it: in a separate process with limits on CPU time\n"
"(--cpu, default %u s), memory (--memory, default %u MiB) and wall-clock\n"
"time (--wall, default %u s). Scanned pages are read by OCR with\n"
"Tesseract's Swedish model, each within --ocr-seconds (default %u s) and\n"
"--ocr-megapixels (the largest page image read, default %u).\n"
"  --json     one JSON object per file: {\"file\", \"type\", \"pages\":\n"
"             [{\"page\", \"label\", \"flags\", \"ocr_confidence\",\n"
"             \"why\", \"text\"}], \"running\"}\n"
"  --quiet    print only a summary line (files, pages, OCR pages, failed)\n"
"  --no-ocr   do not read scanned pages (they are reported)\n"
"  --lang L   Tesseract model for scanned pages (default swe; swe+eng)\n"
"  --direct   read in this process, without a worker or limits\n"
"             (for debugging; never on untrusted files)\n"
"  --help     show this help and exit\n"
"Exit status: 0 all read; 1 some file could not be read; 2 usage.\n",
            EX_DEFAULT_CPU_SECONDS, EX_DEFAULT_MEMORY_MB,
            EX_DEFAULT_WALL_SECONDS, EX_DEFAULT_OCR_SECONDS,
            EX_DEFAULT_OCR_MEGAPIXELS);
}

static int parse_num(const char *s, unsigned long long max,
                     unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0 || v > max || *s == '-')
        return -1;
    *out = v;
    return 0;
}

static void json_str(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_doc(const char *file, const ex_doc *d, int json,
                      int several)
{
    if (json) {
        fputs("{\"file\":", stdout);
        json_str(file, strlen(file));
        printf(",\"type\":\"%s\",\"paged\":%s,\"pages\":[",
               ex_type_label(d->type), d->paged ? "true" : "false");
        for (size_t i = 0; i < d->npages; i++) {
            const ex_page *p = &d->pages[i];
            printf("%s{\"page\":%u", i ? "," : "", p->number);
            if (p->label) {
                fputs(",\"label\":", stdout);
                json_str(p->label, strlen(p->label));
            }
            fputs(",\"flags\":[", stdout);
            const char *sep = "";
            static const struct { unsigned f; const char *name; } fl[] = {
                {EX_PAGE_NO_TEXT, "no_text"}, {EX_PAGE_BLANK, "blank"},
                {EX_PAGE_RUNS_ON, "runs_on"}, {EX_PAGE_OCR, "ocr"},
                {EX_PAGE_FAILED, "failed"}};
            for (size_t k = 0; k < sizeof fl / sizeof *fl; k++)
                if (p->flags & fl[k].f) {
                    printf("%s\"%s\"", sep, fl[k].name);
                    sep = ",";
                }
            putchar(']');
            if (p->flags & EX_PAGE_OCR)
                printf(",\"ocr_confidence\":%d", p->ocr_confidence);
            if (p->why) {
                fputs(",\"why\":", stdout);
                json_str(p->why, strlen(p->why));
            }
            fputs(",\"text\":", stdout);
            json_str(p->text, p->len);
            putchar('}');
        }
        fputs("],\"running\":", stdout);
        json_str(d->running, d->running_len);
        puts("}");
        return;
    }
    if (several) printf("==> %s <==\n", file);
    for (size_t i = 0; i < d->npages; i++) {
        const ex_page *p = &d->pages[i];
        if (d->paged) {
            printf("--- page %u", p->number);
            if (p->label) printf(" (label %s)", p->label);
            if (p->flags & EX_PAGE_OCR)
                printf(": read by OCR (confidence %d)", p->ocr_confidence);
            if (p->flags & EX_PAGE_FAILED)
                printf(": scanned, not read: %s", p->why);
            else if (p->flags & EX_PAGE_NO_TEXT)
                fputs(": no text layer", stdout);
            if (p->flags & EX_PAGE_BLANK) fputs(": blank", stdout);
            puts(" ---");
        }
        if (p->len) {
            fwrite(p->text, 1, p->len, stdout);
            putchar('\n');
        }
    }
}

/* Reads a file whole (at most max bytes). 0, or -1 with errno / E2BIG. */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        errno = EINVAL;
        return -1;
    }
    if ((unsigned long long)st.st_size > max) {
        fclose(f);
        errno = E2BIG;
        return -1;
    }
    size_t n = (size_t)st.st_size;
    char *b = malloc(n ? n : 1);
    if (!b || fread(b, 1, n, f) != n) {
        free(b);
        fclose(f);
        errno = b ? EIO : ENOMEM;
        return -1;
    }
    fclose(f);
    *out = b;
    *len = n;
    return 0;
}

static int worker_main(int argc, char **argv)
{
    ex_limits lim;
    ex_limits_default(&lim);
    for (int i = 2; i + 1 < argc; i += 2) {
        unsigned long long v;
        if (parse_num(argv[i + 1], (unsigned long long)-1 >> 1, &v) != 0)
            return 2;
        if (!strcmp(argv[i], "--cpu")) lim.cpu_seconds = (unsigned)v;
        else if (!strcmp(argv[i], "--memory")) lim.memory_mb = (unsigned)v;
        else if (!strcmp(argv[i], "--max-text")) lim.max_text = (size_t)v;
        else if (!strcmp(argv[i], "--max-input")) lim.max_input = (size_t)v;
        else if (!strcmp(argv[i], "--ocr-seconds"))
            lim.ocr_seconds = (unsigned)v;
        else if (!strcmp(argv[i], "--ocr-megapixels"))
            lim.ocr_megapixels = (unsigned)v;
        else return 2;
    }
    return ex_worker_serve(3, &lim);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--worker") == 0)
        return worker_main(argc, argv);

    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"direct", no_argument, NULL, 'd'},
        {"cpu", required_argument, NULL, 'c'},
        {"memory", required_argument, NULL, 'm'},
        {"wall", required_argument, NULL, 'w'},
        {"max-text", required_argument, NULL, 't'},
        {"ocr-seconds", required_argument, NULL, 'o'},
        {"ocr-megapixels", required_argument, NULL, 'x'},
        {"no-ocr", no_argument, NULL, 'n'},
        {"lang", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ex_limits lim;
    ex_limits_default(&lim);
    int json = 0, quiet = 0, direct = 0, no_ocr = 0, c;
    const char *lang = NULL;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        unsigned long long v = 0;
        switch (c) {
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'd': direct = 1; break;
        case 'n': no_ocr = 1; break;
        case 'l':
            if (!ex_ocr_lang_ok(optarg)) {
                fprintf(stderr, PROG ": error: not a Tesseract model name: "
                                     "'%s'\nTry '" PROG " --help'.\n",
                        optarg);
                return 2;
            }
            lang = optarg;
            break;
        case 'c': case 'm': case 'w': case 't': case 'o': case 'x':
            if (parse_num(optarg, c == 't' ? (1ull << 40) : 1000000, &v)) {
                fprintf(stderr, PROG ": error: invalid number '%s' for "
                                     "--%s\nTry '" PROG " --help'.\n",
                        optarg,
                        c == 'c' ? "cpu" : c == 'm' ? "memory"
                        : c == 'w' ? "wall" : c == 'o' ? "ocr-seconds"
                        : c == 'x' ? "ocr-megapixels" : "max-text");
                return 2;
            }
            if (c == 'c') lim.cpu_seconds = (unsigned)v;
            else if (c == 'm') lim.memory_mb = (unsigned)v;
            else if (c == 'w') lim.wall_seconds = (unsigned)v;
            else if (c == 'o') lim.ocr_seconds = (unsigned)v;
            else if (c == 'x') lim.ocr_megapixels = (unsigned)v;
            else lim.max_text = (size_t)v;
            break;
        case 'h': usage(stdout); return 0;
        default: fputs("Try '" PROG " --help'.\n", stderr); return 2;
        }
    }
    if (optind >= argc) {
        fputs(PROG ": error: no FILE given\nTry '" PROG " --help'.\n",
              stderr);
        return 2;
    }

    ex_reader *r = NULL;
    char err[512];
    if (!direct) {
        int rc = ex_reader_open(NULL, &lim, &r, err, sizeof err);
        if (rc != EX_OK) {
            fprintf(stderr, PROG ": error: %s\n",
                    rc == EX_EIO ? err : ex_strerror(rc));
            return 2;
        }
    }
    int several = argc - optind > 1, status = 0;
    unsigned long files = 0, pages = 0, ocr_pages = 0, failed = 0;
    ex_options opt = {no_ocr ? EX_OCR_OFF : EX_OCR_ON, lang, NULL, 0, NULL,
                      NULL};
    ex_tess *tess = NULL;
    for (int i = optind; i < argc; i++) {
        const char *file = argv[i];
        files++;
        ex_type t = ex_type_of_name(file);
        char *data = NULL;
        size_t len = 0;
        ex_doc *d = NULL;
        char why[512] = "";
        int rc;
        if (t == EX_TYPE_NONE) {
            snprintf(why, sizeof why, "not a .pdf, .docx, .odt or image "
                                      "(.tif, .png, .jpg) file");
            rc = EX_EINVAL;
        } else if (slurp(file, lim.max_input, &data, &len) != 0) {
            snprintf(why, sizeof why, "%s",
                     errno == E2BIG ? "larger than the input size limit"
                                    : strerror(errno));
            rc = EX_EIO;
        } else if (direct) {
            ex_wbuf w = {0};
            ex_job job = {&lim, 0, opt.ocr, lang, NULL, 0, &tess,
                          NULL, NULL, NULL};
            rc = ex_read_doc(t, data, len, &job, &w);
            if (!w.oom && w.n >= EX_WIRE_HEAD)
                rc = ex_wire_decode(w.p + EX_WIRE_HEAD, w.n - EX_WIRE_HEAD,
                                    lim.max_text, &d, why, sizeof why);
            else
                rc = EX_ENOMEM;
            free(w.p);
        } else {
            rc = ex_read_with(r, t, data, len, &opt, &d, why, sizeof why);
        }
        free(data);
        if (rc != EX_OK) {
            fprintf(stderr, PROG ": %s: %s\n", file,
                    why[0] ? why : ex_strerror(rc));
            failed++;
            status = 1;
            continue;
        }
        pages += d->paged ? d->npages : 0;
        for (size_t k = 0; k < d->npages; k++) {
            if (d->pages[k].flags & EX_PAGE_OCR) ocr_pages++;
            if (d->pages[k].flags & EX_PAGE_FAILED)
                fprintf(stderr, PROG ": %s: page %u not read: %s\n", file,
                        d->pages[k].number, d->pages[k].why);
        }
        if (!quiet) print_doc(file, d, json, several);
        ex_doc_free(d);
    }
    ex_reader_close(r);
    ex_tess_free(tess);
    if (quiet)
        printf("files %lu pages %lu ocr %lu failed %lu\n", files, pages,
               ocr_pages, failed);
    if (fclose(stdout) != 0) {
        fprintf(stderr, PROG ": error: cannot write the output\n");
        return 2;
    }
    return status;
}
