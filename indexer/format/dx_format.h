/*
 * dx_format.h — the diarium index format, written down once: term
 * prefixes, value slots, the stored passage layout, the vocabularies of
 * filter fields, document types and outcomes, the facets and their slots,
 * the hash, the database stamp (dx_format.c). Its functions return DX_*
 * codes (dx_error.h).
 *
 * indexer/ writes it; query/ reads it. This unit (indexer/format/) is the
 * only thing query/ takes from indexer/, and the only part of indexer/ on
 * its include path. Changing anything here means bumping
 * DX_FORMAT_VERSION; changing analysis (stemmer/) changes sv_fingerprint().
 *
 * One Xapian document per PASSAGE of a source document.
 *
 * Terms
 *   Z<stem>               Snowball stem of each word token that is an
 *                         inflected form (its stem differs from the word),
 *                         wdf = occurrences, no positions. A token that is
 *                         its own stem ("elev", "och", numbers, dates and
 *                         diary numbers) has only its S term, so the
 *                         passages holding stem s are those of Z<s> and,
 *                         when sv_stem(s) is s itself, of the S term of
 *                         the form s; wdfs add up the same way. Exact
 *                         matching (dq_plan.c, stem_query). Leaving
 *                         those Z postings out (format 6) made indexing
 *                         ~19 % cheaper (one thread, 10,000 g0vse files:
 *                         5.4 vs 6.7 s of CPU).
 *   S<form>               the lower-cased surface form, with positions.
 *                         Phrases, proximity, highlighting and OCR-tolerant
 *                         matching; its spellings are found through the
 *                         spelling keys (User metadata, below).
 *   Q<dockey>             boolean: the source document (every passage of it
 *                         carries it), so re-indexing replaces all of them.
 *                         dockey (dx_doc_key) is the document id, or for an
 *                         id longer than DX_DOC_KEY_MAX bytes its first bytes,
 *                         '#' and a hash (Xapian terms and keys are limited
 *                         to 245 bytes).
 *   X<field>:<value>      boolean: a fact of the source document (see
 *                         dx_filter below), e.g. Xkommun:borlänge,
 *                         Xtyp:uppföljningsbeslut, Xdnr:2021:2323.
 *   D<term>               boolean, on the LAST passage of a document only:
 *                         every Z and S term of any of its passages, D put
 *                         in front (DZskol, DSskolan). The document-level
 *                         postings: the documents that hold all the words
 *                         of a query, wherever they stand, are one AND of
 *                         short posting lists (dq_search.c, spread
 *                         matches). Boolean, so no passage's length or
 *                         weights change.
 *
 * A token flagged SV_TOKF_MAYBE_I (OCR's "1" or "|" for the word "i") also
 * gets the S and Z terms of "i" at the same position.
 *
 * The passages of one document have consecutive Xapian document ids,
 * passage 0 first (every writer adds them in one go, and a parallel
 * build's merge keeps each shard's order): passage p of the document whose
 * last passage is d is d - (n - 1) + p, n its passages (DX_SLOT_PASSAGE of
 * d is n - 1). dq_search.c relies on it to go from a D match to the
 * document's passages.
 *
 * Values (what the matcher needs: collapsing, sorting, date ranges,
 * facets; what results show is in the data, read with the text)
 *   0  DX_SLOT_DOCID      document id (path relative to the indexed root)
 *   1  DX_SLOT_PASSAGE    passage number, 4 bytes big-endian (0-based)
 *   2  DX_SLOT_DATE       the document's date "YYYY-MM-DD": its own date
 *                         (dx_meta), else the latest date it mentions;
 *                         empty when it mentions none (sorting, år:)
 *   3  DX_SLOT_DATA       the stored passage, compressed (Data, below)
 *   4  DX_SLOT_KOMMUN     municipality, as named ("Borlänge")  } facets
 *   5  DX_SLOT_TYPE       document type ("uppföljningsbeslut")  } (empty
 *   6  DX_SLOT_OUTCOME    overall outcome ("i_linje")           }  when
 *   7  DX_SLOT_AUTHORITY  authority ("Skolinspektionen")        } unknown;
 *                                                     dx_facets, with år)
 *   8, 9                  unused (format 4: diary number, school unit)
 *
 * Data (the stored passage and what a result shows of its document; the
 * query tool never reads source files). It is kept in value slot
 * DX_SLOT_DATA, compressed by diarium; the Xapian document data is empty.
 *   stored      byte 0 DX_STORE_LZ4, bytes 1..4 the length of the data
 *               below (big-endian), then that data as one LZ4 block
 *               (dx_data_store / dx_data_load)
 *   Why not Xapian's document data: glass zlib-compresses every document's
 *   data itself (level 6, no setting), and for tags of a few hundred bytes
 *   its fixed cost per call dominates: on g0vse (123,185 passages, 73 MB)
 *   it took 3.3 s of CPU, a tenth of a parallel build; LZ4 takes 0.35 s.
 *   Values are stored as given. LZ4 keeps 75 % of the bytes where zlib
 *   kept 57 % (the index grows by 5 %); reading a hit is cheaper.
 *   The termlists (a passage's terms, which Xapian reads to delete or
 *   replace it) a parallel build keeps Xapian from compressing
 *   (xc_termlist_compression): 64 -> 96 MB on g0vse. Glass flags each item as
 *   compressed or not, so this is not part of the format: databases
 *   written either way, or both, read and update alike.
 * The data itself:
 *   byte 0      DX_DATA_VERSION
 *   bytes 1..4  length of the passage text, big-endian
 *   bytes 5..8  byte offset of the passage in the cleaned document text,
 *               big-endian
 *   bytes 9..12 passage number, big-endian (as DX_SLOT_PASSAGE)
 *   bytes 13..16 page: the 1-based physical page of the source document
 *               the passage starts on, big-endian; 0 for a document
 *               without pages (plain text, Word, OpenDocument)
 *   bytes 17..20 page_end: the page it ends on (0 likewise)
 *   byte 21     OCR: 255 when no page of the passage was read by OCR,
 *               else the lowest confidence (0-100) of those that were
 *               (issue 31; a build without OCR writes 255)
 *   then        the passage text, UTF-8
 *   then        the document's DX_NFIELDS fields, in dx_field order, each
 *               its length (4 bytes, big-endian) and its bytes (empty when
 *               unknown): date, municipality, type, outcome and authority
 *               (as in their slots), diary number ("2021:2323"), school
 *               unit ("Asmundtorps skola"), and the metadata as a JSON
 *               object (dx_meta_json; shown as "meta" in results)
 *   then        the label of the page the passage starts on ("iv", "12"
 *               on physical page 14), its length (4 bytes) and its bytes:
 *               empty when the document has no page labels (a PDF
 *               without /PageLabels, or labels equal to the numbers).
 *   A paged document's text is its pages' texts one after the other (a
 *   blank line between them, a line break when a paragraph runs on); a
 *   passage's pages are those its first and last byte fall on.
 *   One read of the data gives a result everything but its document id:
 *   reading the ten value slots of format 4 cost a hit as much as
 *   inflating its text. (Format 3 compressed the data in Xapian's document
 *   data, which Xapian then compressed again: 10 % more indexing time.)
 *
 * User metadata
 *   S<skel>\x1f<form>     a spelling key, value DX_SPELLING_VALUE: the
 *                         database has (or had) the S term of form, whose
 *                         OCR skeleton (sv_skeleton) is skel. The spellings
 *                         of one word are neighbours in this key order, so
 *                         the query tool finds them with one iterator
 *                         (dq_expand.c) and reads the frequency of the
 *                         S<form> terms it keeps. A key is written once
 *                         per writer (dx_writer.c: add_spelling, and at
 *                         the end of a parallel build's shard, dx_bulk.c:
 *                         shard_spellings)
 *                         and never removed: when its passages are gone,
 *                         its S term's frequency is 0 and readers skip it.
 *                         Format 7 and before keyed the posting term itself
 *                         by skeleton (S<skel>\x1f<form>); that skeleton in
 *                         every posting, position and termlist key made the
 *                         index a quarter larger (g0vse 1x: 313 against
 *                         254 MB) and its lookups slower (the 25 bench
 *                         queries, 6 rounds alternating: p99 4.37 against
 *                         3.73 ms, median of the rounds), for no gain in
 *                         indexing time.
 *   DX_META_FORMAT        DX_FORMAT_VERSION as decimal text
 *   DX_META_ANALYSIS      sv_fingerprint() of the build that indexed
 *   DX_META_DOC<dockey>   the record of one source document (dx_record.h):
 *                         "<root>\t<size>\t<mtime_ns>\t<passages>\t<hash>"
 *                         root: the PATH argument it was found under;
 *                         size, mtime_ns: its st_size and st_mtim (ns) when
 *                         indexed; passages: how many passages carry its Q
 *                         term (0 for an empty document, which then has no
 *                         Q term); hash: 16 lower-case hex digits of the
 *                         64-bit FNV-1a (dx_hash64) of its bytes as read
 *                         (after gunzip for .gz, before cleaning). Written
 *                         in the same
 *                         Xapian commit as the passages it describes.
 *   DX_META_FAIL<dockey>  a file of a type read through extract/ (PDF,
 *                         Word, OpenDocument) that could not be read:
 *                         "<root>\t<size>\t<mtime_ns>\t<hash>\t<reason>"
 *                         as in a record, and the one-line reason it
 *                         failed with (encrypted, truncated, a limit). A
 *                         run does not read such a file again while its
 *                         size and time, or else its content hash, are
 *                         unchanged (it reports it again instead), unless
 *                         --retry-failed; it goes when the file is read
 *                         after all or is gone. It may stand beside the
 *                         document's record, whose passages (an earlier
 *                         version of the file) stay.
 *
 * What depends on the document id rather than its content: only the Q term
 * and DX_SLOT_DOCID. A renamed file's passages are moved by rewriting those
 * two in place (dx_index.c, move_passages); anything added here that is
 * derived from the id (not the text) must be rewritten there too.
 *
 * Version history
 *   1  first format.
 *   2  records carry the content hash (rename detection, change
 *      confirmation).
 *   3  document metadata: X<field>:<value> terms, slots 2-9 (dx_meta).
 *   4  stored data without a second compression.
 *   5  what results show (metadata JSON, diary number, school unit, the
 *      facet fields, the passage number) in the data; slots 3, 8, 9 unused.
 *   6  no Z term for a token that is its own stem.
 *   7  the data LZ4-compressed in value slot DX_SLOT_DATA, not in the
 *      Xapian document data.
 *   8  S terms without the skeleton; the spelling keys in user metadata.
 *   9  PDF, Word and OpenDocument files: passages know the pages they
 *      start and end on, the start page's label and their OCR confidence
 *      (data version 4); failure records (DX_META_FAIL).
 *  10  document-level postings: D terms on each document's last passage.
 * A database in another version, or indexed with another analysis, is
 * refused (dx_stamp_read tells; diarium-index says to rebuild it with
 * --full).
 *
 * Next to the database files, the folder holds diarium.lock, the writer's
 * lock (dx_dbdir.h); it is not part of the index.
 */
#ifndef DIARIUM_DX_FORMAT_H
#define DIARIUM_DX_FORMAT_H

#include "dx_error.h"
#include "xc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DX_FORMAT_VERSION 10

#define DX_PREFIX_STEM 'Z'
#define DX_PREFIX_FORM 'S'
#define DX_PREFIX_DOC 'Q'
#define DX_PREFIX_DOCLEVEL 'D'
/* The prefixes DX_PREFIX_DOCLEVEL goes in front of (a NUL-terminated set,
 * as xc_query_map_terms takes it). */
#define DX_DOCLEVEL_OF "ZS"
#define DX_FORM_SEP '\x1f'
/* The value of a spelling key (Xapian removes a key set to ""). */
#define DX_SPELLING_VALUE "1"

/* Writes the spelling key S<skel>\x1f<form> (NUL-terminated) into out
 * (cap bytes); returns its length, or 0 when it does not fit. */
static inline size_t dx_spelling_key(char *out, size_t cap, const char *skel,
                                     size_t kl, const char *form, size_t fl)
{
    size_t n = 1 + kl + 1 + fl;
    if (n + 1 > cap) return 0;
    out[0] = DX_PREFIX_FORM;
    memcpy(out + 1, skel, kl);
    out[1 + kl] = DX_FORM_SEP;
    memcpy(out + 2 + kl, form, fl);
    out[n] = '\0';
    return n;
}

#define DX_SLOT_DOCID 0u
#define DX_SLOT_PASSAGE 1u
#define DX_SLOT_DATE 2u
#define DX_SLOT_DATA 3u
#define DX_SLOT_KOMMUN 4u
#define DX_SLOT_TYPE 5u
#define DX_SLOT_OUTCOME 6u
#define DX_SLOT_AUTHORITY 7u

/* ---------------------------------------------------------- vocabularies */

/* Metadata filter terms: DX_PREFIX_FIELD + field name + ':' + the value
 * lower-cased with sv_lower (å/ä/ö kept), boolean, on every passage of
 * the document (dx_meta_terms writes them, in this order):
 *   typ        the document type (dx_doctype_name)
 *   datum      the document's date, "2021-12-23"
 *   år         its year, "2021"
 *   kommun     the municipality, and the other one it may be read as
 *   huvudman   the principal, when not a municipality
 *   skola      the school unit
 *   dnr        the diary number, "2021:2323", "si 2021:1234"
 *   myndighet  the authority
 *   utfall     the overall outcome, then each area's (dx_outcome_name)
 * The query language's field filters (kommun:Borlänge) use these names. */
#define DX_PREFIX_FIELD 'X'

typedef enum dx_filter {
    DX_FILTER_TYPE,
    DX_FILTER_DATE,
    DX_FILTER_YEAR,
    DX_FILTER_KOMMUN,
    DX_FILTER_PRINCIPAL,
    DX_FILTER_SCHOOL,
    DX_FILTER_DNR,
    DX_FILTER_AUTHORITY,
    DX_FILTER_OUTCOME,
    DX_NFILTERS
} dx_filter;

/* The field names, in dx_filter order, then NULL. */
extern const char *const dx_filter_names[DX_NFILTERS + 1];

/* Facets: the filter fields whose values a passage also keeps in a value
 * slot, so that results can be counted by value. `keep`: how many bytes of
 * the slot's value make the facet's value (0: all of it; the year is the
 * first 4 bytes of DX_SLOT_DATE). */
typedef struct dx_facet {
    dx_filter field;
    unsigned slot;
    size_t keep;
} dx_facet;

#define DX_NFACETS 5
/* In the order results show them: kommun, år, typ, utfall, myndighet. */
extern const dx_facet dx_facets[DX_NFACETS];
/* Their field names, in that order, then NULL. */
extern const char *const dx_facet_fields[DX_NFACETS + 1];

/* The facet of field name `field`, or NULL when it has none. */
const dx_facet *dx_facet_find(const char *field);

/* Document types. The names (dx_doctype_name) are the vocabulary stored in
 * the index (typ:, DX_SLOT_TYPE) and printed in JSON. */
enum {
    DX_DOC_UNKNOWN = 0,         /* ""                                       */
    DX_DOC_BESLUT,              /* "beslut": a Skolinspektionen decision
                                   after a kvalitetsgranskning (or any other
                                   decision that is none of the below)     */
    DX_DOC_UPPFOLJNINGSBESLUT,  /* "uppföljningsbeslut": follow-up of one  */
    DX_DOC_TILLSYNSBESLUT,      /* "tillsynsbeslut": decision after tillsyn */
    DX_DOC_TJANSTESKRIVELSE,    /* "tjänsteskrivelse": a förvaltning's memo
                                   to its nämnd (also "tjänsteutlåtande")  */
    DX_DOC_PROTOKOLLSUTDRAG,    /* "protokollsutdrag": minutes of a nämnd or
                                   an extract ("sammanträdesprotokoll")    */
    DX_DOC_YTTRANDE,            /* "yttrande": a statement of opinion      */
    DX_DOC_COUNT
};

/* The name of a DX_DOC_* type (UTF-8, with å/ä/ö); "" for DX_DOC_UNKNOWN
 * and for anything out of range. Static. */
const char *dx_doctype_name(int type);

/* Outcomes: of a Schools Inspectorate assessment, overall and per area,
 * or of an appeal-board decision. Names (dx_outcome_name) are
 * ASCII, stable, and used in JSON, as filter terms (utfall:) and in
 * DX_SLOT_OUTCOME. */
enum {
    DX_OUT_NONE = 0,             /* "" */
    DX_OUT_UTVECKLINGSOMRADEN,   /* "utvecklingsomraden": kvalitetsgranskning
                                    found areas to develop ("har identifierat
                                    följande utvecklingsområden", bullets
                                    with "behöver" under an area heading)  */
    DX_OUT_YTTERLIGARE_ATGARDER, /* "ytterligare_atgarder": "ytterligare
                                    (kvalitetshöjande) åtgärder behövs"    */
    DX_OUT_I_LINJE,              /* "i_linje": "har påbörjat ett arbete som
                                    ligger i linje med ..."                */
    DX_OUT_AVSLUTAD,             /* "avslutad": "Skolinspektionen avslutar
                                    granskningen", "Kvalitetsgranskningen
                                    avslutas", "ärendet avslutas"          */
    DX_OUT_INGA_BRISTER,         /* "inga_brister": tillsyn found no
                                    deficiencies ("har inte funnit brister") */
    DX_OUT_BRISTER,              /* "brister": requirements not met ("inte
                                    uppfyller författningarnas krav")      */
    DX_OUT_ANMARKNING,           /* "anmarkning": a remark ("lämnar en
                                    anmärkning")                           */
    DX_OUT_FORELAGGANDE,         /* "forelaggande": an injunction
                                    ("förelägger ... att")                 */
    /* Decisions of Skolväsendets överklagandenämnd on an appeal: the
     * verb of the decision ("Överklagandenämnden avslår överklagandet"). */
    DX_OUT_AVSLAR,               /* "avslar": the appeal is rejected       */
    DX_OUT_BIFALLER,             /* "bifaller": the appeal is granted      */
    DX_OUT_UPPHAVER,             /* "upphaver": the appealed decision is
                                    set aside                              */
    DX_OUT_UNDANROR,             /* "undanror": the appealed decision is
                                    quashed (undanröjer)                   */
    DX_OUT_AVVISAR,              /* "avvisar": the appeal is dismissed
                                    unheard ("tar inte upp ... till
                                    prövning")                             */
    DX_OUT_COUNT
};

/* The name of a DX_OUT_* outcome; "" for DX_OUT_NONE and out of range. */
const char *dx_outcome_name(int outcome);

/* The DX_OUT_* outcome named `name` (as dx_outcome_name gives it);
 * DX_OUT_NONE for NULL, "" and any other string. */
int dx_outcome_code(const char *name);

/* ---------------------------------------------------------------- data */

#define DX_DATA_VERSION 4
#define DX_DATA_HEADER 22
/* The OCR byte of a passage no page of which was read by OCR. */
#define DX_DATA_NO_OCR 255

/* The document's fields in the stored data, in order. */
typedef enum dx_field {
    DX_FIELD_DATE,
    DX_FIELD_KOMMUN,
    DX_FIELD_TYPE,
    DX_FIELD_OUTCOME,
    DX_FIELD_AUTHORITY,
    DX_FIELD_DNR,
    DX_FIELD_SCHOOL,
    DX_FIELD_META,
    DX_NFIELDS
} dx_field;

#define DX_META_FORMAT "diarium.format"
#define DX_META_ANALYSIS "diarium.analysis"
#define DX_META_DOC "diarium.doc:"
#define DX_META_FAIL "diarium.fail:"

#define DX_DOC_KEY_MAX 200

/* The 64-bit FNV-1a hash of p[0..n): document keys of long ids, and the
 * content hash of a document's record. */
uint64_t dx_hash64(const void *p, size_t n);

/* Writes the key of document id `id` (len bytes) into out (room for
 * DX_DOC_KEY_MAX + 1 bytes, NUL-terminated); returns its length. */
size_t dx_doc_key(const char *id, size_t len, char *out);

static inline void dx_put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline uint32_t dx_get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* A stored passage's data, unpacked (pointers into the data). */
typedef struct dx_data {
    const char *text;
    size_t textlen;
    uint32_t offset;  /* of the passage in the cleaned document text */
    uint32_t passage; /* its number */
    uint32_t page;    /* 1-based page it starts on; 0: no pages */
    uint32_t page_end;/* page it ends on; 0: no pages */
    int ocr;          /* -1: not read by OCR; else the confidence 0-100 */
    const char *field[DX_NFIELDS];
    size_t fieldlen[DX_NFIELDS];
    const char *label;/* the start page's label (labellen 0: none) */
    size_t labellen;
} dx_data;

/* Unpacks data (len bytes) into *out: DX_OK; DX_EFORMAT when it is not of
 * this DX_DATA_VERSION; DX_EDAMAGED when its lengths do not add up to len. */
int dx_data_parse(const char *data, size_t len, dx_data *out);

/* The stored form of the data (value slot DX_SLOT_DATA). */
#define DX_STORE_LZ4 1
#define DX_STORE_HEADER 5
/* The largest data stored or loaded: a passage is a few KB, its
 * document's fields a few more; a length beyond this is damage. */
#define DX_DATA_MAX ((size_t)1 << 26)

/* Room dx_data_store needs for data of len bytes (0 when len is beyond
 * DX_DATA_MAX). */
size_t dx_store_bound(size_t len);

/* Compresses data (len bytes) into out (cap bytes, at least
 * dx_store_bound(len)); returns the stored length, 0 when len is beyond
 * DX_DATA_MAX or out is too small. */
size_t dx_data_store(const char *data, size_t len, char *out, size_t cap);

/* Decompresses stored data (len bytes, as dx_data_store wrote it) into a
 * malloc'd buffer *out of *outlen bytes (the caller frees it): DX_OK;
 * DX_EFORMAT when it is not in this stored form (or empty); DX_EDAMAGED
 * when it does not decompress to the length it gives; DX_ENOMEM. *out is
 * NULL on failure. */
int dx_data_load(const char *stored, size_t len, char **out, size_t *outlen);

/* --------------------------------------------------------------- stamp */

/* What a database says about itself: its DX_META_FORMAT and
 * DX_META_ANALYSIS (printable copies, cut to fit), and whether they are
 * this build's DX_FORMAT_VERSION and sv_fingerprint(). */
typedef struct dx_stamp {
    int stamped;     /* either key is set */
    int format_ok;   /* DX_META_FORMAT is DX_FORMAT_VERSION */
    int analysis_ok; /* DX_META_ANALYSIS is this build's sv_fingerprint() */
    char format[32];
    char analysis[256];
} dx_stamp;

/* Reads db's stamp into *st. Returns DX_OK; DX_EMODIFIED (a writer moved
 * the database on: reopen it and read again); DX_EDB; DX_ENOMEM. On
 * failure err (errlen bytes, may be NULL) says why and *st says nothing is
 * ok. */
int dx_stamp_read(xc_db *db, dx_stamp *st, char *err, size_t errlen);

/* Stamps w with this build's format and analysis (not committed).
 * Returns DX_OK, DX_EDB or DX_ENOMEM (err as for dx_stamp_read). */
int dx_stamp_write(xc_wdb *w, char *err, size_t errlen);

#endif /* DIARIUM_DX_FORMAT_H */
