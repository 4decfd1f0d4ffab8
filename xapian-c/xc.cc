/*
 * xc.cc — the C shim over Xapian declared in xc.h.
 *
 * Where it sits: this is the only C++ in diarium. indexer/ and query/ call
 * the extern "C" functions of xc.h; each one wraps a Xapian object in an
 * opaque struct, moves byte strings in and out, and turns every C++
 * exception into an XC_E* code plus a malloc'd message (see xc_catch()).
 * It knows nothing of Swedish, passages or documents.
 *
 * Every entry point is `try { ... } catch (...) { return xc_catch(err); }`:
 * no exception crosses the API. Handles are allocated with plain new inside
 * that try, so std::bad_alloc becomes XC_ENOMEM with *out left NULL.
 */
#include "xc.h"

#include <xapian.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

/* One database searched as part of an xc_db: as given (a folder, a stub
 * file's line, tcp:HOST:PORT), and whether it is reached over the network
 * (xapian-tcpsrv, or xapian-progsrv through a program such as ssh). */
struct xc_part {
    Xapian::Database db;
    std::string name;
    bool remote;
};

/* `db` searches every part as one (Xapian's add_database). Each part is
 * also kept on its own: Xapian 1.4 reads user metadata from the first
 * database only, so metadata is read part by part here. A borrowed reader
 * (xc_wdb_reader) has no parts list: it is one local database. */
struct xc_db {
    Xapian::Database db;
    bool borrowed; /* the reader embedded in an xc_wdb */
    std::vector<xc_part> parts;
    xc_db(const Xapian::Database &d, bool b) : db(d), borrowed(b) {}
};

struct xc_wdb {
    Xapian::WritableDatabase w;
    xc_db reader; /* a Database copy sharing w's state */
};

struct xc_doc {
    Xapian::Document doc;
};

struct xc_query {
    Xapian::Query q;
};

struct xc_enquire {
    Xapian::Enquire e;
    explicit xc_enquire(const Xapian::Database &db) : e(db) {}
};

struct xc_mset {
    Xapian::MSet m;
};

struct xc_valiter {
    Xapian::ValueIterator it, end;
    bool started = false;
    std::string cur;
    xc_valiter(Xapian::ValueIterator b, Xapian::ValueIterator e)
        : it(std::move(b)), end(std::move(e)) {}
};

/*
 * Terms from a Xapian iterator (allterms or termlist) or from a copied vector
 * (matching terms). `yielded` says the term under the cursor has already been
 * returned by xc_termiter_next(), so the next call advances first; `cur`
 * keeps that term alive for the caller. A term is never yielded twice:
 * skip_to() only ever moves forward.
 */
struct xc_termiter {
    enum kind { ALLTERMS, TERMLIST, KEYS, VECTOR, MERGED } kind;
    Xapian::TermIterator it, end;
    /* MERGED: the metadata keys of several databases, each key once;
     * `cur` is the smallest key under the cursors of `subs`. */
    std::vector<std::pair<Xapian::TermIterator, Xapian::TermIterator>> subs;
    std::vector<std::string> terms;
    size_t idx = 0;
    bool yielded = false;
    std::string cur;

    xc_termiter(enum kind k, Xapian::TermIterator b, Xapian::TermIterator e)
        : kind(k), it(std::move(b)), end(std::move(e)) {}
    explicit xc_termiter(std::vector<std::string> v)
        : kind(VECTOR), terms(std::move(v)) {}
    explicit xc_termiter(
        std::vector<std::pair<Xapian::TermIterator, Xapian::TermIterator>> v)
        : kind(MERGED), subs(std::move(v)) {}
};

/* ------------------------------------------------------------- errors */

/* Copies `s` into a malloc'd NUL-terminated buffer; NULL when out of memory. */
static char *dup_bytes(const char *s, size_t n)
{
    char *p = static_cast<char *>(std::malloc(n + 1));
    if (p) {
        if (n)
            std::memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Stores a copy of (s, n) in *err; left NULL when the copy cannot be
 * allocated. xc.h wants *err NULL on entry; if it is not, the message there
 * is kept (the first error wins, as with GLib's GError): freeing it could
 * double-free a stale pointer, overwriting it would leak. */
static void set_err(char **err, const char *s, size_t n) noexcept
{
    if (err && !*err && s)
        *err = dup_bytes(s, n);
}

static int fail(char **err, int code, const char *msg) noexcept
{
    set_err(err, msg, std::strlen(msg));
    return code;
}

/* `code` with the Xapian error's description ("DatabaseLockError: ..."). */
static int xapian_fail(char **err, int code, const Xapian::Error &e) noexcept
{
    try {
        std::string d = e.get_description();
        set_err(err, d.data(), d.size());
    } catch (...) {
        /* no memory for the message: *err stays as it was */
    }
    return code;
}

/* XC_ENETWORK with a message naming the remote database from the error's
 * context ("remote:tcp(HOST:PORT)" or "remote:prog(PROGRAM ARGS)"), as
 * "the remote database tcp:HOST:PORT cannot be reached or stopped
 * answering (Xapian's message: the system's)". */
static int network_fail(char **err, const Xapian::NetworkError &e,
                        bool timeout) noexcept
{
    try {
        std::string ctx = e.get_context(), name = ctx;
        if (ctx.compare(0, 11, "remote:tcp(") == 0 && ctx.back() == ')')
            name = "tcp:" + ctx.substr(11, ctx.size() - 12);
        else if (ctx.compare(0, 12, "remote:prog(") == 0 && ctx.back() == ')')
            name = "'" + ctx.substr(12, ctx.size() - 13) + "'";
        std::string d = "the remote database " +
                        (name.empty() ? std::string("(unknown)") : name);
        d += timeout ? " did not answer in time ("
                 : " cannot be reached or stopped answering (";
        d += e.get_msg();
        const char *why = e.get_error_string();
        if (why && *why)
            d += std::string(": ") + why;
        d += ")";
        set_err(err, d.data(), d.size());
    } catch (...) {
        /* no memory for the message: *err stays as it was */
    }
    return XC_ENETWORK;
}

static int std_fail(char **err, const std::exception &e) noexcept
{
    try {
        std::string d = std::string("std::exception: ") + e.what();
        set_err(err, d.data(), d.size());
    } catch (...) {
        /* no memory for the message: *err stays as it was */
    }
    return XC_EOTHER;
}

/* The one exception mapper, called from inside catch (...): rethrows and
 * maps the most specific classes first (DatabaseVersionError and
 * DatabaseNotFoundError derive from DatabaseOpeningError, which like the
 * lock/corrupt/modified errors derives from DatabaseError). */
static int xc_catch(char **err) noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return xapian_fail(err, XC_ELOCK, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return xapian_fail(err, XC_ECORRUPT, e);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return xapian_fail(err, XC_EMODIFIED, e);
    } catch (const Xapian::DatabaseVersionError &e) {
        return xapian_fail(err, XC_EVERSION, e);
    } catch (const Xapian::DatabaseOpeningError &e) {
        return xapian_fail(err, XC_EOPEN, e); /* incl. DatabaseNotFoundError */
    } catch (const Xapian::QueryParserError &e) {
        return xapian_fail(err, XC_EQUERY, e);
    } catch (const Xapian::UnimplementedError &e) {
        return xapian_fail(err, XC_EQUERY, e);
    } catch (const Xapian::InvalidArgumentError &e) {
        return xapian_fail(err, XC_EINVAL, e);
    } catch (const Xapian::InvalidOperationError &e) {
        return xapian_fail(err, XC_EINVAL, e);
    } catch (const Xapian::RangeError &e) {
        return xapian_fail(err, XC_ERANGE, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return xapian_fail(err, XC_ERANGE, e);
    } catch (const Xapian::DatabaseError &e) {
        return xapian_fail(err, XC_EIO, e);
    } catch (const Xapian::NetworkTimeoutError &e) {
        return network_fail(err, e, true);
    } catch (const Xapian::NetworkError &e) {
        return network_fail(err, e, false);
    } catch (const Xapian::Error &e) {
        return xapian_fail(err, XC_EOTHER, e);
    } catch (const std::bad_alloc &) {
        return fail(err, XC_ENOMEM, "std::bad_alloc: out of memory");
    } catch (const std::exception &e) {
        return std_fail(err, e);
    } catch (...) {
        return fail(err, XC_EOTHER, "unknown C++ exception");
    }
}

/* A std::string from (pointer, length); NULL with a length is an error. */
static std::string bytes(const char *p, size_t n)
{
    if (!p && n)
        throw Xapian::InvalidArgumentError("NULL pointer with non-zero length");
    return n ? std::string(p, n) : std::string();
}

/* Hands a std::string to the caller as a malloc'd copy. */
static void give(const std::string &s, char **out, size_t *len)
{
    char *p = dup_bytes(s.data(), s.size());
    if (!p)
        throw std::bad_alloc();
    *out = p;
    if (len)
        *len = s.size();
}

#define XC_NEED(cond, err)                                                    \
    do {                                                                      \
        if (!(cond))                                                          \
            return fail((err), XC_EINVAL, "invalid argument: " #cond);        \
    } while (0)

/* ------------------------------------------------------------- general */

extern "C" const char *xc_strerror(int rc)
{
    switch (rc) {
    case XC_OK: return "success";
    case XC_ENOMEM: return "out of memory";
    case XC_EINVAL: return "invalid argument";
    case XC_ELOCK: return "database locked by another writer";
    case XC_ECORRUPT: return "database corrupt";
    case XC_EMODIFIED: return "database modified under the reader";
    case XC_EOPEN: return "database missing or cannot be opened";
    case XC_EVERSION: return "database format not supported";
    case XC_ERANGE: return "out of range";
    case XC_EQUERY: return "query cannot be run";
    case XC_EIO: return "database error";
    case XC_EOTHER: return "unexpected error";
    case XC_ENETWORK: return "a remote database cannot be reached";
    default: return "unknown error code";
    }
}

extern "C" void xc_free(void *p) { std::free(p); }

/* xc_on_fatal's handler: process-wide by nature (std::set_terminate). */
static xc_fatal_fn fatal_fn;
static void *fatal_ctx;

[[noreturn]] static void on_terminate() noexcept
{
    xc_fatal_fn fn = fatal_fn;
    if (fn) {
        char *msg = nullptr;
        int code = XC_EOTHER;
        if (std::current_exception())
            code = xc_catch(&msg); /* rethrows the one in flight */
        fn(code, msg ? msg : "unexpected error with no exception in flight",
           fatal_ctx);
    }
    std::abort();
}

extern "C" void xc_on_fatal(xc_fatal_fn fn, void *ctx)
{
    fatal_fn = fn;
    fatal_ctx = ctx;
    std::set_terminate(fn ? on_terminate : nullptr);
}

extern "C" const char *xc_version(void) { return Xapian::version_string(); }

/* ------------------------------------------------------------- writing */

extern "C" int xc_wdb_open(const char *path, int mode, xc_wdb **out,
                           char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(path, err);
    try {
        int flags;
        switch (mode) {
        case XC_CREATE_OR_OPEN: flags = Xapian::DB_CREATE_OR_OPEN; break;
        case XC_CREATE_OR_OVERWRITE:
            flags = Xapian::DB_CREATE_OR_OVERWRITE;
            break;
        case XC_OPEN: flags = Xapian::DB_OPEN; break;
        case XC_SCRATCH:
            flags = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC;
            break;
        default: return fail(err, XC_EINVAL, "xc_wdb_open: unknown mode");
        }
        Xapian::WritableDatabase w(path, flags);
        *out = new xc_wdb{w, xc_db{w, true}};
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" void xc_wdb_close(xc_wdb *w)
{
    if (!w)
        return;
    try {
        w->w.close();
    } catch (...) {
        /* documented: errors on close are ignored */
    }
    delete w;
}

extern "C" int xc_wdb_commit(xc_wdb *w, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.commit();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_compact(const char *const *src, size_t n, const char *dst,
                          char **err)
{
    XC_NEED(src, err);
    XC_NEED(dst, err);
    if (n == 0) return fail(err, XC_EINVAL, "xc_compact: no source");
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            XC_NEED(src[i], err);
            all.add_database(Xapian::Database(src[i]));
        }
        // One pass over all sources: for the 4 and 8 shards of a parallel
        // build on g0vse it took 0.62 / 1.16 s against 0.73 / 1.47 s in
        // pairwise passes (DBCOMPACT_MULTIPASS, which Xapian suggests for
        // more than three), for 112 shards of g0vse 10x 22 s against 30 s;
        // passes are kept for many more sources (each open source holds a
        // few files; the one-pass merge's heap grows).
        unsigned flags = n > 64 ? Xapian::DBCOMPACT_MULTIPASS : 0;
        all.compact(dst, flags);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_begin_transaction(xc_wdb *w, int flushed, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.begin_transaction(flushed != 0);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_commit_transaction(xc_wdb *w, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.commit_transaction();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_cancel_transaction(xc_wdb *w, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.cancel_transaction();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_add(xc_wdb *w, const xc_doc *doc, unsigned *docid,
                          char **err)
{
    XC_NEED(w && doc, err);
    try {
        Xapian::docid did = w->w.add_document(doc->doc);
        if (docid)
            *docid = did;
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_replace_by_term(xc_wdb *w, const char *term, size_t len,
                                      const xc_doc *doc, unsigned *docid,
                                      char **err)
{
    XC_NEED(w && doc, err);
    try {
        Xapian::docid did = w->w.replace_document(bytes(term, len), doc->doc);
        if (docid)
            *docid = did;
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_delete_by_term(xc_wdb *w, const char *term, size_t len,
                                     char **err)
{
    XC_NEED(w, err);
    try {
        w->w.delete_document(bytes(term, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_delete(xc_wdb *w, unsigned docid, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.delete_document(docid);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_replace(xc_wdb *w, unsigned docid, const xc_doc *doc,
                              char **err)
{
    XC_NEED(w && doc && docid, err);
    try {
        w->w.replace_document(docid, doc->doc);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_wdb_set_metadata(xc_wdb *w, const char *key, size_t klen,
                                   const char *val, size_t vlen, char **err)
{
    XC_NEED(w, err);
    try {
        w->w.set_metadata(bytes(key, klen), bytes(val, vlen));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" xc_db *xc_wdb_reader(xc_wdb *w) { return w ? &w->reader : nullptr; }

/* ------------------------------------------------------------- documents */

extern "C" int xc_doc_new(xc_doc **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    try {
        *out = new xc_doc();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" void xc_doc_free(xc_doc *d) { delete d; }

extern "C" void xc_doc_clear(xc_doc *d)
{
    if (!d)
        return;
    try {
        d->doc.clear_terms();
        d->doc.clear_values();
        d->doc.set_data(std::string());
    } catch (...) {
        /* clearing an in-memory document does not fail in practice */
    }
}

extern "C" int xc_doc_add_posting(xc_doc *d, const char *term, size_t len,
                                  unsigned pos, unsigned wdfinc, char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.add_posting(bytes(term, len), pos, wdfinc);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_add_term(xc_doc *d, const char *term, size_t len,
                               unsigned wdfinc, char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.add_term(bytes(term, len), wdfinc);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_add_boolean_term(xc_doc *d, const char *term,
                                       size_t len, char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.add_boolean_term(bytes(term, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_set_value(xc_doc *d, unsigned slot, const char *v,
                                size_t len, char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.add_value(slot, bytes(v, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_set_data(xc_doc *d, const char *data, size_t len,
                               char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.set_data(bytes(data, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_remove_term(xc_doc *d, const char *term, size_t len,
                                  char **err)
{
    XC_NEED(d, err);
    try {
        d->doc.remove_term(bytes(term, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

/* ------------------------------------------------------------- reading */

/* Timeouts for a remote database (milliseconds): connecting, and each
 * exchange with it. Xapian's defaults; a shard that does not answer in
 * this time is an error (XC_ENETWORK) naming it. */
#define XC_REMOTE_TIMEOUT_MS 10000

/* The stub-file nesting followed at most (a stub naming itself). */
#define XC_STUB_DEPTH 8

static void open_spec(const std::string &spec, const std::string &name,
                      int depth, std::vector<xc_part> &parts);

/* "HOST:PORT" (HOST may be "[v6 address]") of a xapian-tcpsrv: opened with
 * Xapian's remote backend. */
static void open_tcp(const std::string &hostport, const std::string &name,
                     std::vector<xc_part> &parts)
{
    size_t colon = hostport.rfind(':');
    std::string host = colon == std::string::npos ? std::string()
                                                  : hostport.substr(0, colon);
    std::string port = colon == std::string::npos ? std::string()
                                                  : hostport.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char *end = nullptr;
    unsigned long p = port.empty() ? 0 : std::strtoul(port.c_str(), &end, 10);
    if (host.empty() || port.empty() || *end || p == 0 || p > 65535)
        throw Xapian::DatabaseOpeningError(
            name + ": a remote database is tcp:HOST:PORT (PORT 1-65535)");
    Xapian::Database d = Xapian::Remote::open(
        host, static_cast<unsigned>(p), XC_REMOTE_TIMEOUT_MS,
        XC_REMOTE_TIMEOUT_MS);
    parts.push_back(xc_part{d, name, true});
}

/* A Xapian stub database file: one database per line ("auto PATH",
 * "glass PATH", "chert PATH", "remote HOST:PORT", "remote :PROGRAM ARGS";
 * blank lines and # comments), a relative PATH read from the stub's
 * folder. Read here rather than by Xapian so that each database it names
 * is a part of its own (see struct xc_db). */
static void open_stub(const std::string &path, int depth,
                      std::vector<xc_part> &parts)
{
    if (depth >= XC_STUB_DEPTH)
        throw Xapian::DatabaseOpeningError(path + ": stub files nested too "
                                           "deep (a stub that names itself?)");
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f)
        throw Xapian::DatabaseOpeningError(path + ": cannot read the stub "
                                           "file", errno);
    std::string dir;
    size_t slash = path.rfind('/');
    if (slash != std::string::npos)
        dir = path.substr(0, slash + 1);
    std::vector<std::string> lines;
    try {
        char buf[4096];
        std::string line;
        while (std::fgets(buf, sizeof buf, f)) {
            line += buf;
            if (!line.empty() && line.back() == '\n') {
                lines.push_back(line);
                line.clear();
            }
        }
        if (!line.empty())
            lines.push_back(line);
    } catch (...) {
        std::fclose(f);
        throw;
    }
    bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad)
        throw Xapian::DatabaseOpeningError(path + ": cannot read the stub "
                                           "file");
    size_t before = parts.size();
    for (size_t n = 0; n < lines.size(); n++) {
        std::string l = lines[n];
        while (!l.empty() && std::strchr(" \t\r\n", l.back()))
            l.pop_back();
        size_t b = l.find_first_not_of(" \t");
        if (b == std::string::npos || l[b] == '#')
            continue;
        l = l.substr(b);
        size_t sp = l.find_first_of(" \t");
        std::string kind = l.substr(0, sp);
        std::string rest;
        if (sp != std::string::npos) {
            size_t r = l.find_first_not_of(" \t", sp);
            if (r != std::string::npos)
                rest = l.substr(r);
        }
        std::string where = path + " line " + std::to_string(n + 1);
        if (rest.empty())
            throw Xapian::DatabaseOpeningError(where + ": '" + kind +
                                               "' without a database");
        if (kind == "auto" || kind == "glass" || kind == "chert" ||
            kind == "honey") {
            std::string target = rest[0] == '/' ? rest : dir + rest;
            open_spec(target, target, depth + 1, parts);
        } else if (kind == "remote" && rest[0] == ':') {
            size_t a = rest.find_first_of(" \t");
            std::string prog = rest.substr(1, a == std::string::npos
                                                  ? std::string::npos
                                                  : a - 1);
            std::string args;
            if (a != std::string::npos) {
                size_t r = rest.find_first_not_of(" \t", a);
                if (r != std::string::npos)
                    args = rest.substr(r);
            }
            Xapian::Database d =
                Xapian::Remote::open(prog, args, XC_REMOTE_TIMEOUT_MS);
            parts.push_back(xc_part{d, "remote " + rest, true});
        } else if (kind == "remote") {
            open_tcp(rest, "tcp:" + rest, parts);
        } else {
            throw Xapian::DatabaseOpeningError(
                where + ": unknown database kind '" + kind +
                "' (auto, glass, chert or remote)");
        }
    }
    if (parts.size() == before)
        throw Xapian::DatabaseOpeningError(path + ": the stub file names no "
                                           "database");
}

/* Opens `spec` (a database folder, a stub file, tcp:HOST:PORT) and
 * appends what it names to `parts`. */
static void open_spec(const std::string &spec, const std::string &name,
                      int depth, std::vector<xc_part> &parts)
{
    if (spec.compare(0, 4, "tcp:") == 0) {
        open_tcp(spec.substr(4), name, parts);
        return;
    }
    struct stat sb;
    if (stat(spec.c_str(), &sb) == 0 && S_ISREG(sb.st_mode)) {
        open_stub(spec, depth, parts);
        return;
    }
    parts.push_back(xc_part{Xapian::Database(spec), name, false});
}

extern "C" int xc_db_open(const char *path, xc_db **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(path, err);
    try {
        std::vector<xc_part> parts;
        open_spec(path, path, 0, parts);
        std::unique_ptr<xc_db> db(new xc_db(parts[0].db, false));
        for (size_t i = 1; i < parts.size(); i++)
            db->db.add_database(parts[i].db);
        db->parts = std::move(parts);
        *out = db.release();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_add(xc_db *db, const char *path, char **err)
{
    XC_NEED(db && path && !db->borrowed, err);
    try {
        std::vector<xc_part> parts;
        open_spec(path, path, 0, parts);
        db->parts.reserve(db->parts.size() + parts.size());
        for (size_t i = 0; i < parts.size(); i++)
            db->db.add_database(parts[i].db);
        for (size_t i = 0; i < parts.size(); i++)
            db->parts.push_back(parts[i]);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_part(xc_db *db, unsigned i, xc_db **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        if (db->parts.empty() && i == 0) { /* a borrowed reader */
            *out = new xc_db(db->db, false);
            return XC_OK;
        }
        if (i >= db->parts.size())
            return fail(err, XC_ERANGE, "xc_db_part: no such database");
        std::unique_ptr<xc_db> p(new xc_db(db->parts[i].db, false));
        p->parts.push_back(db->parts[i]);
        *out = p.release();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" unsigned xc_db_remote(const xc_db *db)
{
    unsigned n = 0;
    if (db)
        for (const xc_part &p : db->parts)
            n += p.remote ? 1 : 0;
    return n;
}

extern "C" int xc_db_part_info(const xc_db *db, unsigned i,
                               const char **name, int *remote)
{
    if (!db)
        return XC_EINVAL;
    if (db->parts.empty() && i == 0) {
        if (name)
            *name = "";
        if (remote)
            *remote = 0;
        return XC_OK;
    }
    if (i >= db->parts.size())
        return XC_ERANGE;
    if (name)
        *name = db->parts[i].name.c_str();
    if (remote)
        *remote = db->parts[i].remote ? 1 : 0;
    return XC_OK;
}

extern "C" void xc_db_close(xc_db *db)
{
    if (db && !db->borrowed)
        delete db; /* the Database releases its files when destroyed */
}

extern "C" int xc_db_reopen(xc_db *db, int *changed, char **err)
{
    XC_NEED(db, err);
    try {
        bool moved = db->db.reopen();
        if (changed)
            *changed = moved ? 1 : 0;
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_doccount(xc_db *db, unsigned *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = db->db.get_doccount();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_count(xc_db *db, unsigned *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = static_cast<unsigned>(db->db.size());
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_lastdocid(xc_db *db, unsigned *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = db->db.get_lastdocid();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_avlength(xc_db *db, double *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = db->db.get_avlength();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_termfreq(xc_db *db, const char *term, size_t len,
                              unsigned *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = db->db.get_termfreq(bytes(term, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_collfreq(xc_db *db, const char *term, size_t len,
                              uint64_t *out, char **err)
{
    XC_NEED(db && out, err);
    try {
        *out = db->db.get_collection_freq(bytes(term, len));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_get_metadata(xc_db *db, const char *key, size_t klen,
                                  char **val, size_t *vlen, char **err)
{
    XC_NEED(db && val, err);
    *val = nullptr;
    if (vlen)
        *vlen = 0;
    try {
        std::string k = bytes(key, klen), v;
        if (db->parts.size() <= 1) {
            v = db->db.get_metadata(k);
        } else { /* the first database that has it (see struct xc_db) */
            for (size_t i = 0; i < db->parts.size() && v.empty(); i++)
                v = db->parts[i].db.get_metadata(k);
        }
        if (!v.empty()) /* Xapian does not tell missing from empty */
            give(v, val, vlen);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_get_data(xc_db *db, unsigned docid, char **data,
                              size_t *len, char **err)
{
    XC_NEED(db && data, err);
    *data = nullptr;
    if (len)
        *len = 0;
    try {
        give(db->db.get_document(docid).get_data(), data, len);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_get_value(xc_db *db, unsigned docid, unsigned slot,
                               char **val, size_t *len, char **err)
{
    XC_NEED(db && val, err);
    *val = nullptr;
    if (len)
        *len = 0;
    try {
        give(db->db.get_document(docid).get_value(slot), val, len);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_positions(xc_db *db, unsigned docid, const char *term,
                               size_t len, unsigned **pos, size_t *n,
                               char **err)
{
    XC_NEED(db && pos && n, err);
    *pos = nullptr;
    *n = 0;
    try {
        std::string t = bytes(term, len);
        std::vector<unsigned> v(db->db.positionlist_begin(docid, t),
                                db->db.positionlist_end(docid, t));
        if (v.empty())
            return XC_OK;
        unsigned *p =
            static_cast<unsigned *>(std::malloc(v.size() * sizeof *p));
        if (!p)
            throw std::bad_alloc();
        std::memcpy(p, v.data(), v.size() * sizeof *p);
        *pos = p;
        *n = v.size();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_document(xc_db *db, unsigned docid, xc_doc **out,
                              char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        Xapian::Document d = db->db.get_document(docid);
        (void)d.values_count(); /* reads all values in one go */
        *out = new xc_doc{d};
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_document_known(xc_db *db, unsigned docid, xc_doc **out,
                                    char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db && docid, err);
    try {
        Xapian::Document d =
            db->db.get_document(docid, Xapian::DOC_ASSUME_VALID);
        *out = new xc_doc{d};
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_get_value(xc_doc *d, unsigned slot, char **val,
                                size_t *len, char **err)
{
    XC_NEED(d && val, err);
    *val = nullptr;
    if (len)
        *len = 0;
    try {
        give(d->doc.get_value(slot), val, len);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_doc_get_data(xc_doc *d, char **data, size_t *len,
                               char **err)
{
    XC_NEED(d && data, err);
    *data = nullptr;
    if (len)
        *len = 0;
    try {
        give(d->doc.get_data(), data, len);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_values(xc_db *db, unsigned slot, xc_valiter **out,
                            char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        *out = new xc_valiter(db->db.valuestream_begin(slot),
                              db->db.valuestream_end(slot));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_valiter_skip_to(xc_valiter *it, unsigned docid,
                                  unsigned *at, const char **val, size_t *len,
                                  char **err)
{
    XC_NEED(it, err);
    try {
        if (it->it == it->end) return 0;
        if (!it->started || it->it.get_docid() < docid) it->it.skip_to(docid);
        it->started = true;
        if (it->it == it->end) return 0;
        it->cur = *it->it;
        if (at) *at = it->it.get_docid();
        if (val) *val = it->cur.data();
        if (len) *len = it->cur.size();
        return 1;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" void xc_valiter_free(xc_valiter *it) { delete it; }

extern "C" int xc_db_postlist(xc_db *db, const char *term, size_t len,
                              unsigned **ids, size_t *n, char **err)
{
    XC_NEED(db && ids && n, err);
    *ids = nullptr;
    *n = 0;
    try {
        std::string t = bytes(term, len);
        std::vector<unsigned> v;
        Xapian::PostingIterator end = db->db.postlist_end(t);
        for (Xapian::PostingIterator i = db->db.postlist_begin(t); i != end;
             ++i)
            v.push_back(*i);
        if (v.empty())
            return XC_OK;
        unsigned *p =
            static_cast<unsigned *>(std::malloc(v.size() * sizeof *p));
        if (!p)
            throw std::bad_alloc();
        std::memcpy(p, v.data(), v.size() * sizeof *p);
        *ids = p;
        *n = v.size();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_check(const char *path, size_t *errors, char **report,
                           char **err)
{
    XC_NEED(path && errors, err);
    *errors = 0;
    if (report)
        *report = nullptr;
    try {
        std::ostringstream out;
        *errors = Xapian::Database::check(std::string(path), 0, &out);
        if (report)
            give(out.str(), report, nullptr);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

/* ------------------------------------------------------------- terms */

extern "C" int xc_db_allterms(xc_db *db, const char *prefix, size_t plen,
                              xc_termiter **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        std::string p = bytes(prefix, plen);
        *out = new xc_termiter(xc_termiter::ALLTERMS, db->db.allterms_begin(p),
                               db->db.allterms_end(p));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_termlist(xc_db *db, unsigned docid, xc_termiter **out,
                              char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        *out = new xc_termiter(xc_termiter::TERMLIST,
                               db->db.termlist_begin(docid),
                               db->db.termlist_end(docid));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_db_metadata_keys(xc_db *db, const char *prefix,
                                   size_t plen, xc_termiter **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        std::string p = bytes(prefix, plen);
        if (db->parts.size() > 1) { /* merged (see struct xc_db) */
            std::vector<std::pair<Xapian::TermIterator, Xapian::TermIterator>>
                v;
            for (const xc_part &part : db->parts)
                v.emplace_back(part.db.metadata_keys_begin(p),
                               part.db.metadata_keys_end(p));
            *out = new xc_termiter(std::move(v));
            return XC_OK;
        }
        *out = new xc_termiter(xc_termiter::KEYS, db->db.metadata_keys_begin(p),
                               db->db.metadata_keys_end(p));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

/* True when the cursor is past the last term. */
static bool at_end(const xc_termiter *it)
{
    if (it->kind == xc_termiter::VECTOR)
        return it->idx >= it->terms.size();
    if (it->kind == xc_termiter::MERGED) {
        for (const auto &s : it->subs)
            if (s.first != s.second)
                return false;
        return true;
    }
    return it->it == it->end;
}

/* MERGED: the smallest key under the cursors (not at the end). */
static std::string merged_min(const xc_termiter *it)
{
    std::string best;
    bool have = false;
    for (const auto &s : it->subs) {
        if (s.first == s.second)
            continue;
        std::string t = *s.first;
        if (!have || t < best) {
            best.swap(t);
            have = true;
        }
    }
    return best;
}

/* The term under the cursor (not at the end). */
static std::string term_at(const xc_termiter *it)
{
    if (it->kind == xc_termiter::MERGED)
        return merged_min(it);
    return it->kind == xc_termiter::VECTOR ? it->terms[it->idx] : *it->it;
}

/* Moves the cursor past the term under it. */
static void advance(xc_termiter *it)
{
    if (it->kind == xc_termiter::VECTOR) {
        ++it->idx;
    } else if (it->kind == xc_termiter::MERGED) {
        std::string t = merged_min(it); /* each database's copy of it */
        for (auto &s : it->subs)
            if (s.first != s.second && *s.first == t)
                ++s.first;
    } else {
        ++it->it;
    }
}

extern "C" int xc_termiter_next(xc_termiter *it, const char **term,
                                size_t *len, unsigned *freq, char **err)
{
    XC_NEED(it, err);
    try {
        if (it->yielded && !at_end(it)) {
            advance(it);
            it->yielded = false;
        }
        if (at_end(it))
            return 0;
        /* Marked yielded only once copied: after an error, a retry gives
         * the same term rather than skipping it. */
        std::string t = term_at(it);
        /* The frequency only when asked for (an allterms termfreq reads
         * the term's first posting-list chunk): callers that pass most
         * terms over ask xc_termiter_freq() for the few they keep. */
        unsigned f = 0;
        if (freq && it->kind == xc_termiter::ALLTERMS)
            f = it->it.get_termfreq();
        else if (freq && it->kind == xc_termiter::TERMLIST)
            f = it->it.get_wdf();
        it->cur.swap(t);
        it->yielded = true;
        if (term)
            *term = it->cur.data();
        if (len)
            *len = it->cur.size();
        if (freq)
            *freq = f;
        return 1;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_termiter_freq(xc_termiter *it, unsigned *freq, char **err)
{
    XC_NEED(it && freq, err);
    *freq = 0;
    try {
        /* The last term yielded is still under the cursor (next() moves
         * on first). */
        if (!it->yielded || at_end(it))
            return XC_OK;
        if (it->kind == xc_termiter::ALLTERMS)
            *freq = it->it.get_termfreq();
        else if (it->kind == xc_termiter::TERMLIST)
            *freq = it->it.get_wdf();
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_termiter_skip_to(xc_termiter *it, const char *term,
                                   size_t len, char **err)
{
    XC_NEED(it, err);
    try {
        std::string t = bytes(term, len);
        if (at_end(it))
            return XC_OK;
        /* Already yielded a term >= t: the next call just moves on. */
        if (it->yielded && it->cur >= t)
            return XC_OK;
        /* The term under the cursor, not yet yielded, already fits. */
        if (!it->yielded && term_at(it) >= t)
            return XC_OK;
        if (it->kind == xc_termiter::VECTOR) {
            while (it->idx < it->terms.size() && it->terms[it->idx] < t)
                ++it->idx;
        } else if (it->kind == xc_termiter::MERGED) {
            for (auto &s : it->subs)
                if (s.first != s.second)
                    s.first.skip_to(t);
        } else {
            it->it.skip_to(t);
        }
        it->yielded = false;
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" void xc_termiter_free(xc_termiter *it) { delete it; }

/* ------------------------------------------------------------- queries */

/* Wraps a Query in a new handle. */
static int make_query(const Xapian::Query &q, xc_query **out)
{
    *out = new xc_query{q};
    return XC_OK;
}

extern "C" int xc_query_term(const char *term, size_t len, unsigned wqf,
                             unsigned pos, xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    /* Xapian reads an empty term as MatchAll: refuse it here. */
    XC_NEED(term && len > 0, err);
    XC_NEED(wqf >= 1, err);
    try {
        return make_query(Xapian::Query(std::string(term, len), wqf, pos),
                          out);
    } catch (...) {
        return xc_catch(err);
    }
}

/* XC_OP_* -> Xapian::Query::op; false for an unknown op. */
static bool map_op(int op, Xapian::Query::op *x)
{
    switch (op) {
    case XC_OP_AND: *x = Xapian::Query::OP_AND; return true;
    case XC_OP_OR: *x = Xapian::Query::OP_OR; return true;
    case XC_OP_AND_NOT: *x = Xapian::Query::OP_AND_NOT; return true;
    case XC_OP_AND_MAYBE: *x = Xapian::Query::OP_AND_MAYBE; return true;
    case XC_OP_FILTER: *x = Xapian::Query::OP_FILTER; return true;
    case XC_OP_PHRASE: *x = Xapian::Query::OP_PHRASE; return true;
    case XC_OP_NEAR: *x = Xapian::Query::OP_NEAR; return true;
    case XC_OP_SYNONYM: *x = Xapian::Query::OP_SYNONYM; return true;
    case XC_OP_MAX: *x = Xapian::Query::OP_MAX; return true;
    default: return false;
    }
}

extern "C" int xc_query_combine(int op, xc_query *const *subs, size_t n,
                                unsigned window, xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    Xapian::Query::op xop;
    if (!map_op(op, &xop))
        return fail(err, XC_EINVAL, "xc_query_combine: unknown op");
    XC_NEED(subs || n == 0, err);
    for (size_t i = 0; i < n; i++)
        XC_NEED(subs[i], err);
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            v.push_back(subs[i]->q);
        bool positional = xop == Xapian::Query::OP_PHRASE ||
                          xop == Xapian::Query::OP_NEAR;
        /* No subqueries gives Xapian's MatchNothing. */
        return make_query(
            Xapian::Query(xop, v.begin(), v.end(), positional ? window : 0),
            out);
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_query_scale(const xc_query *q, double factor,
                              xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(q, err);
    XC_NEED(factor >= 0, err); /* also refuses NaN */
    try {
        return make_query(
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_query_value_range(unsigned slot, const char *lo,
                                    size_t lolen, const char *hi,
                                    size_t hilen, xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    try {
        std::string l = bytes(lo, lolen), h = bytes(hi, hilen);
        if (h.empty())
            return make_query(
                Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, l), out);
        return make_query(
            Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, l, h), out);
    } catch (...) {
        return xc_catch(err);
    }
}

/* Document ids in sorted, disjoint ranges [first, last], without weight
 * (xc_query_docid_ranges). The ranges are shared by the clones Xapian
 * makes; the position is each clone's own. */
class RangeSource : public Xapian::PostingSource {
    typedef std::vector<std::pair<Xapian::docid, Xapian::docid>> ranges;
    std::shared_ptr<const ranges> r;
    Xapian::doccount total; /* ids in all ranges */
    size_t i = 0;           /* the range of the current id */
    Xapian::docid cur = 0;  /* 0: before the first */

  public:
    RangeSource(std::shared_ptr<const ranges> v, Xapian::doccount n)
        : r(std::move(v)), total(n) {}
    Xapian::PostingSource *clone() const override
    {
        return new RangeSource(r, total);
    }
    void init(const Xapian::Database &) override
    {
        i = 0;
        cur = 0;
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return total; }
    Xapian::doccount get_termfreq_max() const override { return total; }
    Xapian::docid get_docid() const override { return cur; }
    bool at_end() const override { return i >= r->size(); }
    void next(double) override
    {
        if (cur == 0) {
            cur = r->empty() ? 0 : (*r)[0].first;
        } else if (cur < (*r)[i].second) {
            cur++;
        } else if (++i < r->size()) {
            cur = (*r)[i].first;
        }
    }
    void skip_to(Xapian::docid did, double) override
    {
        if (cur == 0) {
            if (r->empty()) return;
            cur = (*r)[0].first;
        }
        if (at_end() || did <= cur) return;
        /* the first range that ends at or after did (binary search) */
        size_t lo = i, hi = r->size();
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if ((*r)[mid].second < did) lo = mid + 1;
            else hi = mid;
        }
        i = lo;
        if (i < r->size()) cur = std::max(did, (*r)[i].first);
    }
    std::string get_description() const override
    {
        return "RangeSource(" + std::to_string(r->size()) + " ranges)";
    }
};

extern "C" int xc_query_docid_ranges(const unsigned *first,
                                     const unsigned *last, size_t n,
                                     xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED((first && last) || n == 0, err);
    for (size_t k = 0; k < n; k++)
        XC_NEED(first[k] >= 1 && first[k] <= last[k], err);
    try {
        if (n == 0) return make_query(Xapian::Query::MatchNothing, out);
        std::vector<std::pair<Xapian::docid, Xapian::docid>> v;
        v.reserve(n);
        for (size_t k = 0; k < n; k++) v.emplace_back(first[k], last[k]);
        std::sort(v.begin(), v.end());
        size_t m = 0; /* merge overlapping and adjacent ranges */
        for (size_t k = 1; k < v.size(); k++) {
            if (v[k].first <= v[m].second + 1) {
                v[m].second = std::max(v[m].second, v[k].second);
            } else {
                v[++m] = v[k];
            }
        }
        v.resize(m + 1);
        Xapian::doccount total = 0;
        for (const auto &x : v) total += x.second - x.first + 1;
        auto shared = std::make_shared<const decltype(v)>(std::move(v));
        Xapian::Query q((new RangeSource(shared, total))->release());
        /* a filter: no weight */
        return make_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, 0),
                          out);
    } catch (...) {
        return xc_catch(err);
    }
}

/* The copy of xc_query_map_terms; clears *disj where q is not a
 * disjunction of leaves. */
static Xapian::Query map_terms(const Xapian::Query &q, const char *from,
                               char prefix, int *disj, size_t *mapped)
{
    typedef Xapian::Query Q;
    Q::op op = q.get_type();
    switch (op) {
    case Q::LEAF_TERM: {
        std::string t = *q.get_terms_begin();
        if (!t.empty() && t[0] && std::strchr(from, t[0])) {
            t.insert(t.begin(), prefix);
            ++*mapped;
        }
        return Q(t);
    }
    case Q::LEAF_POSTING_SOURCE:
        throw Xapian::InvalidArgumentError(
            "xc_query_map_terms: a posting source");
    case Q::LEAF_MATCH_ALL:
    case Q::LEAF_MATCH_NOTHING:
    case Q::OP_VALUE_RANGE:
    case Q::OP_VALUE_GE:
    case Q::OP_VALUE_LE:
        return q;
    case Q::OP_SCALE_WEIGHT:
        return map_terms(q.get_subquery(0), from, prefix, disj, mapped);
    default:
        break;
    }
    Q::op to = op;
    switch (op) {
    case Q::OP_OR:
    case Q::OP_SYNONYM:
    case Q::OP_MAX:
        break;
    case Q::OP_ELITE_SET:
        to = Q::OP_OR;
        break;
    case Q::OP_PHRASE:
    case Q::OP_NEAR:
        to = Q::OP_AND;
        *disj = 0;
        break;
    case Q::OP_AND:
    case Q::OP_AND_NOT:
    case Q::OP_XOR:
    case Q::OP_AND_MAYBE:
    case Q::OP_FILTER:
        *disj = 0;
        break;
    default: /* (none other in Xapian 1.4) */
        throw Xapian::InvalidArgumentError("xc_query_map_terms: unknown op");
    }
    std::vector<Q> v;
    size_t n = q.get_num_subqueries();
    v.reserve(n);
    for (size_t k = 0; k < n; k++)
        v.push_back(map_terms(q.get_subquery(k), from, prefix, disj, mapped));
    return Q(to, v.begin(), v.end());
}

extern "C" int xc_query_map_terms(const xc_query *q, const char *from,
                                  char prefix, xc_query **out,
                                  int *disjunctive, size_t *mapped,
                                  char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(q && from, err);
    try {
        int disj = 1;
        size_t nm = 0;
        Xapian::Query m = map_terms(q->q, from, prefix, &disj, &nm);
        int rc = make_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, m, 0),
                            out);
        if (disjunctive) *disjunctive = disj;
        if (mapped) *mapped = nm;
        return rc;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_query_match_all(xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    try {
        return make_query(Xapian::Query::MatchAll, out);
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_query_match_nothing(xc_query **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    try {
        return make_query(Xapian::Query::MatchNothing, out);
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_query_empty(const xc_query *q)
{
    return !q || q->q.empty();
}

extern "C" char *xc_query_describe(const xc_query *q)
{
    if (!q)
        return nullptr;
    try {
        std::string s = q->q.get_description();
        return dup_bytes(s.data(), s.size());
    } catch (...) {
        return nullptr;
    }
}

extern "C" void xc_query_free(xc_query *q) { delete q; }

/* ------------------------------------------------------------- enquire */

extern "C" int xc_enquire_new(xc_db *db, xc_enquire **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(db, err);
    try {
        *out = new xc_enquire(db->db);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" void xc_enquire_free(xc_enquire *e) { delete e; }

extern "C" int xc_enquire_set_query(xc_enquire *e, const xc_query *q,
                                    char **err)
{
    XC_NEED(e && q, err);
    try {
        e->e.set_query(q->q);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_enquire_set_bm25(xc_enquire *e, double k1, double k2,
                                   double k3, double b, double min_normlen,
                                   char **err)
{
    XC_NEED(e, err);
    /* Xapian clamps out-of-range values itself, but not NaN or infinity. */
    XC_NEED(std::isfinite(k1) && std::isfinite(k2) && std::isfinite(k3) &&
                std::isfinite(b) && std::isfinite(min_normlen),
            err);
    try {
        e->e.set_weighting_scheme(
            Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_enquire_set_collapse(xc_enquire *e, unsigned slot,
                                       unsigned max, char **err)
{
    XC_NEED(e, err);
    try {
        if (max == 0)
            e->e.set_collapse_key(Xapian::BAD_VALUENO);
        else
            e->e.set_collapse_key(slot, max);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_enquire_set_sort_by_value(xc_enquire *e, unsigned slot,
                                            int reverse, char **err)
{
    XC_NEED(e, err);
    try {
        if (slot == XC_NO_SLOT)
            e->e.set_sort_by_relevance();
        else
            e->e.set_sort_by_value_then_relevance(slot, reverse != 0);
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_enquire_mset(xc_enquire *e, unsigned first, unsigned max,
                               unsigned check_at_least, xc_mset **out,
                               char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(e, err);
    try {
        Xapian::MSet m = e->e.get_mset(first, max, check_at_least);
        *out = new xc_mset{m};
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

extern "C" int xc_enquire_matching_terms(xc_enquire *e, unsigned docid,
                                         xc_termiter **out, char **err)
{
    XC_NEED(out, err);
    *out = nullptr;
    XC_NEED(e, err);
    try {
        /* Copied: Xapian's iterator must not outlive the enquire. */
        std::vector<std::string> terms(e->e.get_matching_terms_begin(docid),
                                       e->e.get_matching_terms_end(docid));
        *out = new xc_termiter(std::move(terms));
        return XC_OK;
    } catch (...) {
        return xc_catch(err);
    }
}

/* ------------------------------------------------------------------ mset */

extern "C" unsigned xc_mset_size(const xc_mset *m)
{
    return m ? m->m.size() : 0;
}

extern "C" int xc_mset_collapse_key(const xc_mset *m, unsigned i,
                                    char **key, size_t *len)
{
    if (!m || !key || !len)
        return XC_EINVAL;
    *key = nullptr;
    *len = 0;
    try {
        if (i >= m->m.size())
            return XC_ERANGE;
        give(m->m[i].get_collapse_key(), key, len);
        return XC_OK;
    } catch (...) {
        return xc_catch(nullptr);
    }
}

extern "C" int xc_mset_item(const xc_mset *m, unsigned i, unsigned *docid,
                            double *weight, unsigned *collapsed)
{
    if (!m)
        return XC_EINVAL;
    try {
        if (i >= m->m.size())
            return XC_ERANGE;
        Xapian::MSetIterator it = m->m[i];
        if (docid)
            *docid = *it;
        if (weight)
            *weight = it.get_weight();
        if (collapsed)
            *collapsed = it.get_collapse_count();
        return XC_OK;
    } catch (...) {
        return xc_catch(nullptr);
    }
}

extern "C" void xc_mset_estimates(const xc_mset *m, unsigned *lower,
                                  unsigned *est, unsigned *upper)
{
    unsigned l = 0, e = 0, u = 0;
    if (m) {
        try {
            l = m->m.get_matches_lower_bound();
            e = m->m.get_matches_estimated();
            u = m->m.get_matches_upper_bound();
        } catch (...) {
            l = e = u = 0;
        }
    }
    if (lower)
        *lower = l;
    if (est)
        *est = e;
    if (upper)
        *upper = u;
}

extern "C" void xc_mset_free(xc_mset *m) { delete m; }
